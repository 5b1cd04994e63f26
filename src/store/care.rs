//! Generating care reminders (DESIGN §3.5): the rules of `domain::care` over every customer
//! who may be contacted, written with their source keys so that a second run, or several
//! screens running at once, make nothing twice; a reminder done, skipped or deleted keeps its
//! key, so it never comes back; periodic kinds keep at most one open per customer and kind
//! (`reminders_one_open_periodic`).
//!
//! Customers are read and written a slice of ids at a time, each slice its own short write,
//! so that a run over a million customers never holds the other operators' writes up for long.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use rusqlite::{params, OptionalExtension as _};
use serde::Serialize;

use super::{Actor, Result, Store, StoreError, Writer};
use crate::domain::care::{due_reminders, CareDay, CareFacts, CareRules, DueReminder};
use crate::domain::customer::{Level, Membership, Tier};
use crate::domain::reminder::Kind;

/// Customers read and written together. On the reference database a slice's write (about
/// 37,000 reminders on the first run of a day) takes about half a second: the longest another
/// operator's save waits. Smaller slices cost the run more commits (20,000: 15 s in all, not 13).
const SLICE: i64 = 50_000;

/// A run taken on by a screen that never said it ended may be taken over after this long.
const STALE_RUN: Duration = Duration::minutes(30);

/// Recent purchases by customer: id, product, day.
type RecentPurchases = HashMap<i64, Vec<(i64, Option<String>, NaiveDate)>>;

/// One slice of customers read: what is due for them that does not exist yet.
struct DueSlice {
    /// The slice's highest customer id.
    to: i64,
    /// Customers whose rules were read.
    customers: usize,
    /// Reminders due whose source key exists already.
    known: usize,
    due: Vec<DueReminder>,
    /// Each customer's badge, written with their reminders (see migration 0013).
    badges: HashMap<i64, &'static str>,
}

/// What a generation made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Generation {
    /// The day it generated for.
    pub day: NaiveDate,
    /// Customers whose rules were read (not erased, merged away or do-not-contact).
    pub customers: usize,
    /// Reminders made, by kind (with `--dry-run`: that would be made).
    pub created: BTreeMap<String, usize>,
    /// Reminders due by the rules that existed already (made by an earlier run, or done,
    /// skipped or deleted, which never come back), or a periodic one of a kind already open.
    pub existing: usize,
    pub dry_run: bool,
}

impl Generation {
    pub fn total(&self) -> usize {
        self.created.values().sum()
    }
}

impl Store {
    /// Generates the reminders due on `day` (and within the rules' look-ahead). `progress` is
    /// told the customers done and the highest id, slice by slice. With `dry_run` nothing is
    /// written: the counts say what would be.
    ///
    /// Three threads share the work: two readers, each on a connection of its own, take every
    /// other slice, read its customers and work out what is due, while this one writes the
    /// slices in order as they come; each reader keeps at most one slice ahead. (On a million
    /// customers the reading is a third of the writing: the first run of a day takes the time
    /// of its writes, a second, which writes nothing, half the time of its reads.)
    pub fn generate_reminders(
        &mut self,
        actor: &Actor,
        day: NaiveDate,
        dry_run: bool,
        progress: &mut dyn FnMut(i64, i64),
    ) -> Result<Generation> {
        let rules = self.options.care.clone();
        let now = self.now().timestamp();
        let mut generation = Generation {
            day,
            dry_run,
            ..Generation::default()
        };
        let last_id: i64 =
            self.conn()
                .query_row("SELECT coalesce(max(id), 0) FROM customers", [], |r| {
                    r.get(0)
                })?;
        let slices = (last_id + SLICE - 1) / SLICE;
        let purchases = self.recent_purchases(day, &rules)?;
        let care_day = CareDay::new(day, &rules);
        let readers = [self.open_another()?, self.open_another()?];
        let started = std::time::Instant::now();
        let mut writing = std::time::Duration::ZERO;
        std::thread::scope(|scope| -> Result<()> {
            let mut read = Vec::new();
            for (first, reader) in (0..).zip(readers) {
                let (send, receive) = std::sync::mpsc::sync_channel::<Result<DueSlice>>(1);
                read.push(receive);
                let (rules, care_day, purchases) = (&rules, &care_day, &purchases);
                scope.spawn(move || {
                    // Slices first, first + 2, …: the other reader takes those between.
                    for n in (first..slices).step_by(2) {
                        let from = n * SLICE + 1;
                        let slice =
                            reader.due_slice(from, from + SLICE - 1, care_day, rules, purchases);
                        let failed = slice.is_err();
                        // The writer gone (it failed) or this reader failed: nothing more to do.
                        if send.send(slice).is_err() || failed {
                            return;
                        }
                    }
                });
            }
            // Returning early (an error) drops the receivers, which ends the readers at their
            // next send.
            for n in 0..slices {
                let slice = read[(n % 2) as usize].recv().map_err(|_| {
                    StoreError::Database("reminders: a reading thread stopped".into())
                })??;
                let lap = std::time::Instant::now();
                generation.customers += slice.customers;
                generation.existing += slice.known;
                let made = if dry_run {
                    self.count_new(&slice.due)?
                } else if slice.due.is_empty() {
                    Vec::new()
                } else {
                    self.write(actor, |w| insert_due(w, &slice, &rules, now))?
                };
                generation.existing += slice.due.len() - made.len();
                for kind in made {
                    *generation
                        .created
                        .entry(kind.as_str().to_string())
                        .or_default() += 1;
                }
                writing += lap.elapsed();
                progress(slice.to.min(last_id), last_id);
            }
            Ok(())
        })?;
        tracing::info!(
            "reminders: {:?} in all, {writing:?} of it writing",
            started.elapsed()
        );
        Ok(generation)
    }

    /// The reminders due for customers `from..=to` whose source keys do not exist yet.
    fn due_slice(
        &self,
        from: i64,
        to: i64,
        day: &CareDay,
        rules: &CareRules,
        purchases: &RecentPurchases,
    ) -> Result<DueSlice> {
        let tz = self.calendar().tz();
        let facts = self.care_facts(from, to, tz, purchases)?;
        let due: Vec<DueReminder> = facts
            .iter()
            .flat_map(|c| due_reminders(c, day, rules))
            .collect();
        // Those whose source key exists (made before, or done, skipped or deleted) are known
        // without a write: a run that makes nothing takes no write lock.
        let known = self.known_keys(from, to)?;
        let all = due.len();
        let due: Vec<DueReminder> = due
            .into_iter()
            .filter(|r| !known.contains(r.source_key.as_str()))
            .collect();
        let badges = facts
            .iter()
            .map(|c| (c.customer, crate::domain::customer::badge(c.level, c.tier)))
            .collect();
        Ok(DueSlice {
            to,
            customers: facts.len(),
            known: all - due.len(),
            due,
            badges,
        })
    }

    /// Generates today's reminders unless this database already did today (or another
    /// screen is doing it): the screen's start calls it on a worker. None when it was done.
    pub fn generate_reminders_once_today(&mut self, actor: &Actor) -> Result<Option<Generation>> {
        let day = self.care_today();
        let now = self.now();
        let stale = (now - STALE_RUN).timestamp();
        let claimed = self.write(actor, |w| {
            let changed = w.tx().execute(
                "INSERT INTO care_runs (day, started_at) VALUES (?1, ?2)
                 ON CONFLICT (day) DO UPDATE SET started_at = excluded.started_at
                 WHERE care_runs.finished_at IS NULL AND care_runs.started_at < ?3",
                params![day.to_string(), now.timestamp(), stale],
            )?;
            Ok(changed > 0)
        })?;
        if !claimed {
            return Ok(None);
        }
        let generation = self.generate_reminders(actor, day, false, &mut |_, _| {})?;
        self.note_run(actor, &generation)?;
        Ok(Some(generation))
    }

    /// Records that a run for its day ended, and what it made (a CLI run also counts as the
    /// day's run, so screens starting after it do not run again).
    pub fn note_run(&mut self, actor: &Actor, generation: &Generation) -> Result<()> {
        if generation.dry_run {
            return Ok(());
        }
        let now = self.now().timestamp();
        let (day, made) = (generation.day.to_string(), generation.total() as i64);
        self.write(actor, |w| {
            w.tx().execute(
                "INSERT INTO care_runs (day, started_at, finished_at, created) VALUES (?1, ?2, ?2, ?3)
                 ON CONFLICT (day) DO UPDATE SET finished_at = ?2,
                     created = coalesce(care_runs.created, 0) + ?3",
                params![day, now, made],
            )?;
            Ok(())
        })
    }

    /// The source keys of the reminders of customers `from..=to`, in any status.
    fn known_keys(&self, from: i64, to: i64) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT source_key FROM reminders INDEXED BY reminders_customer
             WHERE customer_id BETWEEN ?1 AND ?2 AND source_key IS NOT NULL",
        )?;
        let keys = stmt
            .query_map(params![from, to], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(keys)
    }

    /// The purchases a post-purchase rule may still follow up on `day`, by customer.
    fn recent_purchases(&self, day: NaiveDate, rules: &CareRules) -> Result<RecentPurchases> {
        let mut by_customer = RecentPurchases::new();
        if !rules.post_purchase {
            return Ok(by_customer);
        }
        let first = day - Duration::days(rules.post_purchase_to_days);
        let last = day + Duration::days(rules.look_ahead_days - rules.post_purchase_from_days);
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, customer_id, product, purchased_on FROM purchases INDEXED BY purchases_day
             WHERE purchased_on BETWEEN ?1 AND ?2",
        )?;
        let rows = stmt.query_map(params![first.to_string(), last.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (id, customer, product, on) = row?;
            if let Some(on) = date(&on) {
                by_customer
                    .entry(customer)
                    .or_default()
                    .push((id, product, on));
            }
        }
        Ok(by_customer)
    }

    /// The facts of the customers with ids `from..=to` who may be contacted.
    fn care_facts(
        &self,
        from: i64,
        to: i64,
        tz: FixedOffset,
        purchases: &RecentPurchases,
    ) -> Result<Vec<CareFacts>> {
        let day_of = |t: Option<i64>| {
            t.and_then(|t| DateTime::from_timestamp(t, 0))
                .map(|t| t.with_timezone(&tz).date_naive())
        };
        let mut visits: HashMap<i64, NaiveDate> = HashMap::new();
        let mut stmt = self.conn().prepare_cached(
            "SELECT customer_id, max(updated_at) FROM reminders INDEXED BY reminders_return_visits
             WHERE customer_id BETWEEN ?1 AND ?2 AND kind = 'return_visit'
               AND status IN ('done', 'skipped')
             GROUP BY customer_id",
        )?;
        for row in stmt.query_map(params![from, to], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })? {
            let (customer, at) = row?;
            if let Some(day) = day_of(Some(at)) {
                visits.insert(customer, day);
            }
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, birthday, level, tier, membership, membership_expiry, marketing_consent,
                    last_contact_at, last_verified, created_at
             FROM customers
             WHERE id BETWEEN ?1 AND ?2 AND erased_at IS NULL AND merged_into IS NULL
               AND do_not_contact = 0",
        )?;
        let rows = stmt.query_map(params![from, to], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, i64>(9)?,
            ))
        })?;
        let mut facts = Vec::new();
        for row in rows {
            let (
                id,
                birthday,
                level,
                tier,
                membership,
                expiry,
                consent,
                contact,
                verified,
                created,
            ) = row?;
            facts.push(CareFacts {
                customer: id,
                birthday: birthday.as_deref().and_then(date),
                level: level.parse().unwrap_or(Level::Normal),
                tier: tier.parse().unwrap_or(Tier::Normal),
                membership: membership.parse().unwrap_or(Membership::None),
                membership_expiry: expiry.as_deref().and_then(date),
                do_not_contact: false,
                marketing_consent: consent,
                last_contact: day_of(contact),
                last_return_visit: visits.get(&id).copied(),
                last_verified: verified.as_deref().and_then(date),
                created: day_of(Some(created)).unwrap_or(NaiveDate::MIN),
                recent_purchases: purchases.get(&id).cloned().unwrap_or_default(),
            });
        }
        Ok(facts)
    }

    /// The kinds of the reminders of `due` that a run would make: `due` holds only unknown
    /// source keys already (see `known_keys`), so a periodic one of a kind open for the customer
    /// is what remains to leave out.
    fn count_new(&self, due: &[DueReminder]) -> Result<Vec<Kind>> {
        let mut open = self.conn().prepare_cached(
            "SELECT 1 FROM reminders WHERE customer_id = ?1 AND kind = ?2
               AND status IN ('open', 'snoozed')",
        )?;
        let mut kinds = Vec::new();
        for r in due {
            if r.kind.is_periodic()
                && open
                    .query_row(params![r.customer, r.kind.as_str()], |_| Ok(()))
                    .optional()?
                    .is_some()
            {
                continue;
            }
            kinds.push(r.kind);
        }
        Ok(kinds)
    }
}

/// Reminders written by one statement: the statement's own work (its cursors on each of the
/// table's indexes, the lists of its checks) is done once for them all.
const ROWS_PER_INSERT: usize = 256;

/// The values of one reminder in an insert.
const INSERT_VALUES: &str = "(?, ?, ?, ?, ?, ?, 'open', 'anyone', ?, ?, ?, ?, ?)";

/// Writes the reminders of `due` that do not exist yet; the kinds of those written.
fn insert_due(
    w: &mut Writer<'_>,
    slice: &DueSlice,
    rules: &CareRules,
    now: i64,
) -> Result<Vec<Kind>> {
    let (due, actor) = (&slice.due, w.actor().id);
    // Whether each customer may still be contacted is asked again inside the write: they may
    // have been flagged since their facts were read. One read of the slice's customers finds
    // those who may not (a few in a thousand), where asking for each one took a tenth of a run.
    let (Some(low), Some(high)) = (
        due.iter().map(|r| r.customer).min(),
        due.iter().map(|r| r.customer).max(),
    ) else {
        return Ok(Vec::new());
    };
    let unreachable: std::collections::HashSet<i64> = w
        .tx()
        .prepare_cached(
            "SELECT id FROM customers WHERE id BETWEEN ?1 AND ?2
               AND (do_not_contact OR erased_at IS NOT NULL OR merged_into IS NOT NULL)",
        )?
        .query_map(params![low, high], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows: Vec<&DueReminder> = due
        .iter()
        .filter(|r| !unreachable.contains(&r.customer))
        .collect();
    // In source-key order (kind by kind, then by customer), so that each index is written
    // along, not all over; each statement holds reminders of one kind, so that the rows it
    // changed are the number made of that kind.
    rows.sort_unstable_by(|a, b| a.source_key.cmp(&b.source_key));
    let mut made = Vec::new();
    for same_kind in rows.chunk_by(|a, b| a.kind == b.kind) {
        for batch in same_kind.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT OR IGNORE INTO reminders (customer_id, kind, source_key, due_on,
                     window_end, title, status, scope, created_by, created_at, updated_at, facts,
                     badge)
                 VALUES {}",
                vec![INSERT_VALUES; batch.len()].join(", ")
            );
            let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(batch.len() * 11);
            for r in batch {
                let facts = serde_json::to_string(&r.fact)
                    .map_err(|e| StoreError::Database(format!("reminder facts: {e}")))?;
                values.extend([
                    r.customer.into(),
                    r.kind.as_str().to_string().into(),
                    r.source_key.clone().into(),
                    r.due_on.to_string().into(),
                    r.window_end
                        .map(|d| d.to_string())
                        .map_or(rusqlite::types::Value::Null, Into::into),
                    r.title(rules).into(),
                    actor.into(),
                    now.into(),
                    now.into(),
                    facts.into(),
                    slice
                        .badges
                        .get(&r.customer)
                        .map_or(rusqlite::types::Value::Null, |b| b.to_string().into()),
                ]);
            }
            // The full batches share one statement; the last, shorter one of a kind is its own.
            let changed = if batch.len() == ROWS_PER_INSERT {
                w.tx()
                    .prepare_cached(&sql)?
                    .execute(rusqlite::params_from_iter(values))?
            } else {
                w.tx()
                    .prepare(&sql)?
                    .execute(rusqlite::params_from_iter(values))?
            };
            made.extend(std::iter::repeat_n(batch[0].kind, changed));
        }
    }
    if !made.is_empty() {
        w.audit(
            "reminders.generate",
            "reminder",
            None,
            serde_json::json!({ "created": made.len() }),
        );
    }
    Ok(made)
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}
