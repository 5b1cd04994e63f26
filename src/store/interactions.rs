//! The interaction log (DESIGN §3.3): logging a contact with the effects of its wrap-up code,
//! amendments (a correction is a new entry; the database refuses to rewrite or delete one),
//! replies that answer inbound email and chat, follow-up reminders and their escalation, and
//! the history and desk views the Log pane and `careline log list` read.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::complaint_events::ComplaintEvent;
use super::engine::index;
use super::{reminders, Actor, Permission, Result, Store, StoreError, Writer};
use crate::domain::customer::{Channel, FieldError};
use crate::domain::interaction::{
    check, clean, follow_up_title, plan_log, wrap_up, AmendedFacts, CustomerFacts, Direction,
    Disposition, DispositionFlag as Flag, FollowUp, FollowUpScope, LogFacts, LogPlan, LogRefusal,
    NewInteraction,
};
use crate::domain::reminder::Kind;

/// What logging a contact did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Logged {
    pub id: i64,
    pub reply_by: Option<DateTime<Utc>>,
    /// The care reminder of the follow-up this entry holds: created, moved to a new time or
    /// carried over from the entry it corrects.
    pub follow_up_reminder_id: Option<i64>,
    /// A correction took over its entry's follow-up as it was.
    pub follow_up_carried: bool,
    /// A correction to a code that asks for no callback skipped its entry's follow-up.
    pub follow_up_skipped: Option<i64>,
    /// Earlier contacts waiting for a reply that this one answered.
    pub answered: Vec<i64>,
    /// The customer is now flagged do-not-contact (the code carries `do_not_contact`).
    pub do_not_contact_set: bool,
    /// The linked reminder this contact completed.
    pub reminder_done: Option<i64>,
    /// The reminder linked had been done already (another operator's call, say): its number
    /// and who did it.
    pub reminder_done_before: Option<(i64, String)>,
    /// The complaint opened with this contact.
    pub complaint_opened: Option<i64>,
}

/// One logged contact as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interaction {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    /// Name of the customer (shown even for a confidential one).
    pub customer_name: String,
    pub operator_login: String,
    pub operator_name: String,
    pub channel: String,
    pub direction: String,
    pub disposition: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub handle_seconds: Option<i64>,
    /// Withheld (None) for a confidential customer the reader may not see.
    pub summary: Option<String>,
    pub feedback: Option<String>,
    pub complaint_id: Option<i64>,
    pub reminder_id: Option<i64>,
    pub follow_up_on: Option<NaiveDate>,
    /// When the follow-up this entry asked for is due (its reminder's time), while the entry
    /// holds it: a correction takes it over.
    pub follow_up_at: Option<DateTime<Utc>>,
    /// That follow-up's care reminder.
    pub follow_up_reminder_id: Option<i64>,
    pub reply_by: Option<DateTime<Utc>>,
    pub replied_at: Option<DateTime<Utc>>,
    pub reply_id: Option<i64>,
    /// The entry this one corrects.
    pub amends_id: Option<i64>,
    /// The entry that corrects this one, if any: this one is superseded.
    pub amended_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// The reader may not see this customer's details.
    pub restricted: bool,
}

impl Interaction {
    /// Waiting for a reply (and not superseded by a correction).
    pub fn awaiting_reply(&self) -> bool {
        self.reply_by.is_some() && self.replied_at.is_none() && self.amended_by.is_none()
    }
}

/// One line of a customer's history: a contact or a complaint event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HistoryItem {
    Interaction(Box<Interaction>),
    ComplaintEvent(Box<ComplaintEvent>),
}

impl HistoryItem {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            HistoryItem::Interaction(i) => i.started_at,
            HistoryItem::ComplaintEvent(e) => e.at,
        }
    }
}

/// Which contacts the desk log shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub customer_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub channel: Option<Channel>,
    pub disposition: Option<String>,
    /// First day shown (local calendar day), inclusive.
    pub from: Option<NaiveDate>,
    /// Last day shown, inclusive.
    pub to: Option<NaiveDate>,
    /// Only inbound contacts still waiting for a reply, nearest deadline first.
    pub due_replies: bool,
}

/// Where the next page of the desk log starts: after this (started_at, id).
pub type LogCursor = (i64, i64);

/// Index entries the desk log reads from each of a filter's indexes in its first turn when
/// the filter names two or three of operator, channel and wrap-up code (see
/// `Store::desk_log_race`); each turn reads twice as many, up to [`RACE_CHUNK_MAX`].
const RACE_CHUNK: i64 = 256;
const RACE_CHUNK_MAX: i64 = 8192;

/// A statement being written with its numbered arguments.
struct Statement {
    sql: String,
    args: Vec<rusqlite::types::Value>,
}

impl Statement {
    /// Appends `clause`, whose `?` becomes the next argument, `value`.
    fn and(&mut self, clause: &str, value: rusqlite::types::Value) {
        self.args.push(value);
        self.sql
            .push_str(&clause.replace('?', &format!("?{}", self.args.len())));
    }

    /// The filter's first and last day, on `started_at` (as `column`).
    fn days(&mut self, filter: &LogFilter, column: &str) {
        if let Some(from) = filter.from {
            self.and(&format!(" AND {column} >= ?"), local_midnight(from).into());
        }
        if let Some(to) = filter.to {
            let next = to.succ_opt().unwrap_or(to);
            self.and(&format!(" AND {column} < ?"), local_midnight(next).into());
        }
    }
}

/// The desk log's statement and its arguments, walking `index` if given: see
/// [`Store::desk_log`].
fn desk_log_sql(
    filter: &LogFilter,
    after: Option<LogCursor>,
    limit: usize,
    index: Option<&str>,
) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    if let Some(index) = index {
        sql = sql.replacen(
            "FROM interactions i",
            &format!("FROM interactions i INDEXED BY {index}"),
            1,
        );
    }
    let mut st = Statement {
        sql,
        args: Vec::new(),
    };
    for (_, column, value) in equalities(filter) {
        st.and(&format!(" AND i.{column} = ?"), value);
    }
    st.days(filter, "i.started_at");
    if filter.due_replies {
        st.sql.push_str(
            " AND i.reply_by IS NOT NULL AND i.replied_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM interactions a WHERE a.amends_id = i.id)",
        );
        if let Some((reply_by, id)) = after {
            st.and(" AND (i.reply_by, i.id) > (?", reply_by.into());
            st.and(", ?)", id.into());
        }
        st.sql.push_str(" ORDER BY i.reply_by, i.id");
    } else {
        if let Some((started, id)) = after {
            st.and(" AND (i.started_at, i.id) < (?", started.into());
            st.and(", ?)", id.into());
        }
        st.sql.push_str(" ORDER BY i.started_at DESC, i.id DESC");
    }
    st.and(" LIMIT ?", (limit as i64).into());
    (st.sql, st.args)
}

/// The two statements of one turn of the desk log's race (see `Store::desk_log_race`) on
/// `index`, whose first column is `column` = `value`, within the filter's days and after
/// `cursor`, newest first, read from the index alone:
/// - the boundary: the `chunk`-th entry of this turn, the last it looks at (none when fewer
///   are left); SQLite steps over the entries before it without returning them;
/// - the matches: (started_at, id) of the entries up to the boundary (with `?` for the
///   boundary's two values appended to the arguments when there is one) that match every
///   equality of the filter, at most `need`.
fn race_turn_sql(
    index: &str,
    column: &str,
    value: rusqlite::types::Value,
    filter: &LogFilter,
    cursor: Option<LogCursor>,
    chunk: i64,
    need: usize,
) -> [(String, Vec<rusqlite::types::Value>); 2] {
    let mut base = Statement {
        sql: format!("FROM interactions INDEXED BY {index} WHERE {column} = ?1"),
        args: vec![value],
    };
    base.days(filter, "started_at");
    if let Some((started, id)) = cursor {
        base.and(" AND (started_at, id) < (?", started.into());
        base.and(", ?)", id.into());
    }
    let order = " ORDER BY started_at DESC, id DESC";
    let boundary = format!(
        "SELECT started_at, id {}{order} LIMIT 1 OFFSET {}",
        base.sql,
        chunk - 1
    );
    let boundary_args = base.args.clone();
    let mut matches = Statement {
        sql: format!("SELECT started_at, id {}", base.sql),
        args: base.args,
    };
    for (_, other, value) in equalities(filter) {
        if other != column {
            matches.and(&format!(" AND {other} = ?"), value);
        }
    }
    let boundary_at = matches.args.len() + 1;
    matches.sql.push_str(&format!(
        " AND (started_at, id) >= (?{boundary_at}, ?{}){order} LIMIT {need}",
        boundary_at + 1
    ));
    [(boundary, boundary_args), (matches.sql, matches.args)]
}

/// The filter's conditions of one column equal to a value, each with the index that leads with
/// that column: (index, column, value), in the order `Store::desk_log_race` takes its turns.
fn equalities(filter: &LogFilter) -> Vec<(&'static str, &'static str, rusqlite::types::Value)> {
    let mut out = Vec::new();
    if let Some(id) = filter.customer_id {
        out.push((index::INTERACTIONS_CUSTOMER, "customer_id", id.into()));
    }
    if let Some(code) = &filter.disposition {
        out.push((
            index::INTERACTIONS_DISPOSITION,
            "disposition",
            code.clone().into(),
        ));
    }
    if let Some(channel) = filter.channel {
        out.push((
            index::INTERACTIONS_CHANNEL,
            "channel",
            channel.as_str().to_string().into(),
        ));
    }
    if let Some(id) = filter.operator_id {
        out.push((index::INTERACTIONS_OPERATOR, "operator_id", id.into()));
    }
    out
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// Every query of the log walks an index of `interactions` and looks each row's customer and
/// operator up by id: `CROSS JOIN` keeps SQLite to that order (with the keyset cursor of the
/// desk log it otherwise chose to scan every customer and sort).
const SELECT: &str = "SELECT i.id, i.customer_id, c.code, c.name, o.login, o.name, i.channel,
        i.direction, i.disposition, i.started_at, i.ended_at, i.summary, i.feedback,
        i.complaint_id, i.reminder_id, i.follow_up_on, i.reply_by, i.replied_at, i.reply_id,
        i.amends_id,
        (SELECT max(a.id) FROM interactions a WHERE a.amends_id = i.id),
        i.created_at, c.confidential, c.owner_id, f.due_at, f.id
    FROM interactions i
    CROSS JOIN customers c ON c.id = i.customer_id
    CROSS JOIN operators o ON o.id = i.operator_id
    LEFT JOIN reminders f ON i.follow_up_on IS NOT NULL AND f.source_key = 'follow_up:' || i.id";
// (`'follow_up:' || i.id` is `Kind::follow_up_source` in SQL; a test holds the two together.)

/// A row of [`SELECT`] with the confidential flag and owner for the visibility check.
fn row(r: &Row<'_>) -> rusqlite::Result<(Interaction, bool, Option<i64>)> {
    let started: i64 = r.get(9)?;
    let ended: Option<i64> = r.get(10)?;
    Ok((
        Interaction {
            id: r.get(0)?,
            customer_id: r.get(1)?,
            customer_code: r.get(2)?,
            customer_name: r.get(3)?,
            operator_login: r.get(4)?,
            operator_name: r.get(5)?,
            channel: r.get(6)?,
            direction: r.get(7)?,
            disposition: r.get(8)?,
            started_at: at(started),
            ended_at: ended.map(at),
            handle_seconds: ended.map(|e| (e - started).max(0)),
            summary: r.get(11)?,
            feedback: r.get(12)?,
            complaint_id: r.get(13)?,
            reminder_id: r.get(14)?,
            follow_up_on: super::parse_stored_date(r.get(15)?),
            follow_up_at: r.get::<_, Option<i64>>(24)?.map(at),
            follow_up_reminder_id: r.get(25)?,
            reply_by: r.get::<_, Option<i64>>(16)?.map(at),
            replied_at: r.get::<_, Option<i64>>(17)?.map(at),
            reply_id: r.get(18)?,
            amends_id: r.get(19)?,
            amended_by: r.get(20)?,
            created_at: at(r.get(21)?),
            restricted: false,
        },
        r.get(22)?,
        r.get(23)?,
    ))
}

impl Store {
    /// Checks a contact before logging it: every problem, each naming its field.
    pub fn check_interaction(&self, new: &NewInteraction) -> Result<(), Vec<FieldError>> {
        check(new, self.log_rules(), self.now())
    }

    /// Logs a contact and applies its wrap-up code's effects, all in one transaction with
    /// its audit entries.
    pub fn log_interaction(&mut self, actor: &Actor, new: &NewInteraction) -> Result<Logged> {
        self.require(actor, Permission::LogContact)?;
        if new.open_complaint.is_some() {
            self.require(actor, Permission::OpenComplaint)?;
        }
        check(new, self.log_rules(), self.now()).map_err(StoreError::Invalid)?;
        // As the card: an operator who may not see a confidential customer may not write on
        // their record either (DESIGN §6) — nor correct it later, since they could not read
        // what they wrote.
        self.require_sight(actor, new.customer_id, "logging a contact with them")?;
        self.write(actor, |w| log_in(w, new))
    }

    /// One logged contact.
    pub fn interaction(&self, actor: &Actor, id: i64) -> Result<Interaction> {
        let sql = format!("{SELECT} WHERE i.id = ?1");
        let found = self
            .conn()
            .prepare_cached(&sql)?
            .query_row([id], row)
            .optional()?;
        let Some(found) = found else {
            return Err(StoreError::NotFound(format!("interaction {id}")));
        };
        self.visible(actor, found)
    }

    fn visible(
        &self,
        actor: &Actor,
        found: (Interaction, bool, Option<i64>),
    ) -> Result<Interaction> {
        let (mut i, confidential, owner) = found;
        if !self.may_see_customer(actor, i.customer_id, confidential, owner)? {
            i.restricted = true;
            i.summary = None;
            i.feedback = None;
        }
        Ok(i)
    }

    /// A customer's contacts and complaint events, newest first (at most `limit` of each).
    pub fn history(
        &self,
        actor: &Actor,
        customer_id: i64,
        limit: usize,
    ) -> Result<Vec<HistoryItem>> {
        let customer = self.customer(actor, customer_id)?;
        if customer.restricted {
            return Err(StoreError::Forbidden(format!(
                "{} is confidential; ask a supervisor for access",
                customer.code
            )));
        }
        let sql = format!(
            "{SELECT} WHERE i.customer_id = ?1 ORDER BY i.started_at DESC, i.id DESC LIMIT ?2"
        );
        let conn = self.conn();
        let mut items: Vec<HistoryItem> = conn
            .prepare_cached(&sql)?
            .query_map(params![customer_id, limit as i64], row)?
            .map(|r| r.map(|(i, _, _)| HistoryItem::Interaction(Box::new(i))))
            .collect::<rusqlite::Result<_>>()?;
        items.extend(
            super::complaint_events::of_customer(conn, customer_id, limit)?
                .into_iter()
                .map(|e| HistoryItem::ComplaintEvent(Box::new(e))),
        );
        items.sort_by_key(|item| std::cmp::Reverse(item.at()));
        Ok(items)
    }

    /// The index the desk log walks, when it is not the planner's choice: due replies their
    /// own, whatever else is filtered. Left to the planner, an operator's index (which
    /// carries the filter columns) looked cheaper before it had statistics, and the busiest
    /// operator's due replies walked all 830,000 of their contacts (3 s on the reference
    /// database).
    fn desk_log_index(filter: &LogFilter) -> Option<&'static str> {
        (filter.customer_id.is_none() && filter.due_replies)
            .then_some(index::INTERACTIONS_AWAITING_REPLY)
    }

    /// The ids of a page of the desk log when the filter names two or three of operator,
    /// channel and wrap-up code (None otherwise). No single index answers those, and which of
    /// theirs is quick depends on how the values overlap: a busy operator with a code that
    /// others use often but they never do reads every contact of one of them. So their indexes
    /// are read a chunk of entries at a time, newest first, each next chunk from the index
    /// finding matches fastest so far, and the other filters are checked in the entries
    /// themselves (each index carries the operator, channel and code columns, so no row is
    /// read). The first index that fills the page, or runs out, has the answer: every match
    /// holds its value, in its order.
    fn desk_log_race(
        &self,
        filter: &LogFilter,
        after: Option<LogCursor>,
        limit: usize,
    ) -> Result<Option<Vec<i64>>> {
        if filter.customer_id.is_some() || filter.due_replies {
            return Ok(None);
        }
        let walks = equalities(filter);
        if walks.len() < 2 {
            return Ok(None);
        }
        let mut cursors: Vec<Option<LogCursor>> = vec![after; walks.len()];
        let mut found: Vec<Vec<i64>> = vec![Vec::new(); walks.len()];
        let mut read = vec![0i64; walks.len()];
        let mut chunks = vec![RACE_CHUNK; walks.len()];
        loop {
            // The next turn goes to the index finding the most matches per entry read so far
            // (each has one turn first; without matches, to the one read least): whichever
            // finishes, the answer is the same, and the densest finishes soonest.
            let w = (0..walks.len())
                .max_by(|&a, &b| {
                    let score = |w: usize| (found[w].len() as f64 + 1.0) / (read[w] as f64 + 1.0);
                    score(a).total_cmp(&score(b)).then(b.cmp(&a))
                })
                .unwrap_or(0);
            let (index, column, value) = &walks[w];
            let need = limit - found[w].len();
            let [(boundary_sql, boundary_args), (matches_sql, mut matches_args)] = race_turn_sql(
                index,
                column,
                value.clone(),
                filter,
                cursors[w],
                chunks[w],
                need,
            );
            let boundary: Option<LogCursor> = self
                .conn()
                .prepare_cached(&boundary_sql)?
                .query_row(rusqlite::params_from_iter(boundary_args), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            // With no boundary the turn reads to the end: any (started_at, id) will do.
            let (started, id) = boundary.unwrap_or((i64::MIN, i64::MIN));
            matches_args.extend([started.into(), id.into()]);
            let matches: Vec<i64> = self
                .conn()
                .prepare_cached(&matches_sql)?
                .query_map(rusqlite::params_from_iter(matches_args), |r| r.get(1))?
                .collect::<rusqlite::Result<_>>()?;
            found[w].extend(matches);
            if found[w].len() >= limit || boundary.is_none() {
                // A full page, or every contact of this value read: the page is complete.
                return Ok(Some(std::mem::take(&mut found[w])));
            }
            cursors[w] = boundary;
            read[w] += chunks[w];
            chunks[w] = (chunks[w] * 2).min(RACE_CHUNK_MAX);
        }
    }

    /// The desk's latest contacts matching `filter`, newest first (due replies: nearest
    /// deadline first), `limit` at a time; `after` continues from the last row of a page.
    pub fn desk_log(
        &self,
        actor: &Actor,
        filter: &LogFilter,
        after: Option<LogCursor>,
        limit: usize,
    ) -> Result<Vec<Interaction>> {
        let rows: Vec<(Interaction, bool, Option<i64>)> = match self
            .desk_log_race(filter, after, limit)?
        {
            Some(ids) => {
                let mut by_id = self
                    .conn()
                    .prepare_cached(&format!("{SELECT} WHERE i.id = ?1"))?;
                let mut rows = Vec::with_capacity(ids.len());
                for id in ids {
                    rows.push(by_id.query_row([id], row)?);
                }
                rows
            }
            None => {
                let (sql, args) = desk_log_sql(filter, after, limit, Self::desk_log_index(filter));
                self.conn()
                    .prepare_cached(&sql)?
                    .query_map(rusqlite::params_from_iter(args), row)?
                    .collect::<rusqlite::Result<_>>()?
            }
        };
        rows.into_iter().map(|r| self.visible(actor, r)).collect()
    }

    /// Every contact, oldest first, for `careline export interactions`.
    pub fn export_interactions(
        &mut self,
        actor: &Actor,
        span: super::ExportSpan,
        each: &mut dyn FnMut(Interaction) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.require(actor, Permission::ExportInteractions)?;
        let mut n = 0;
        {
            let sql =
                format!("{SELECT} WHERE i.started_at >= ?1 AND i.started_at < ?2 ORDER BY i.id");
            let conn = self.conn();
            let mut stmt = conn.prepare(&sql)?;
            let (start, end) = span.instants();
            let mut rows = stmt.query(params![start, end])?;
            while let Some(r) = rows.next()? {
                each(row(r)?.0)?;
                n += 1;
            }
        }
        self.audit_export(actor, "export.interactions", "interaction", span.detail(n))?;
        Ok(n)
    }

    /// Contacts waiting for a reply whose deadline has passed (the status bar's figure).
    pub fn overdue_replies(&self) -> Result<i64> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT count(*) FROM interactions i
             WHERE i.reply_by IS NOT NULL AND i.replied_at IS NULL AND i.reply_by <= ?1
               AND NOT EXISTS (SELECT 1 FROM interactions a WHERE a.amends_id = i.id)",
            )?
            .query_row([self.now().timestamp()], |r| r.get(0))?)
    }

    /// Moves "only me" follow-ups still open longer than the configured time after they were
    /// due to anyone on the desk, so that no callback waits for an absent owner. Returns how
    /// many moved. Runs from every open screen; the audit names who noticed.
    pub fn escalate_follow_ups(&mut self, actor: &Actor) -> Result<usize> {
        let cutoff = (self.now() - self.log_rules().escalate_after()).timestamp();
        if !reminders::only_me_overdue_exists(self.conn(), cutoff)? {
            return Ok(0);
        }
        self.write(actor, |w| {
            let ids = reminders::only_me_overdue(w.tx(), cutoff)?;
            let now = w.now().timestamp();
            for (id, owner) in &ids {
                reminders::hand_to_anyone(w.tx(), *id, now)?;
                w.audit(
                    "reminder.escalate",
                    "reminder",
                    Some(*id),
                    serde_json::json!({"from_scope": "me", "to_scope": "anyone", "owner": owner,
                        "overdue_minutes": w.log_rules().follow_up_escalate_minutes}),
                );
            }
            Ok(ids.len())
        })
    }
}

/// Seconds since the epoch of local midnight starting `day`.
pub(super) fn local_midnight(day: NaiveDate) -> i64 {
    use chrono::TimeZone;
    chrono::Local
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp())
}

pub(super) fn log_in(w: &mut Writer<'_>, new: &NewInteraction) -> Result<Logged> {
    let rules = w.log_rules().clone();
    let disposition = wrap_up(new, &rules).map_err(refused)?;
    let facts = load(w.tx(), new, disposition, w.actor())?;
    let plan = plan_log(new, disposition, &rules, facts).map_err(refused)?;
    apply(w, new, plan)
}

fn refused(refusal: LogRefusal) -> StoreError {
    match refusal {
        LogRefusal::NotFound(what) => StoreError::NotFound(what),
        LogRefusal::Conflict(why) => StoreError::Conflict(why),
        LogRefusal::Invalid(errors) => StoreError::Invalid(errors),
    }
}

/// Reads what checking a contact needs: its customer and whatever it links or corrects.
fn load(
    tx: &rusqlite::Transaction<'_>,
    new: &NewInteraction,
    disposition: &Disposition,
    actor: &Actor,
) -> Result<LogFacts> {
    let customer: Option<(String, Option<i64>, bool)> = tx
        .query_row(
            "SELECT code, merged_into, do_not_contact FROM customers WHERE id = ?1",
            [new.customer_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((code, merged_into, do_not_contact)) = customer else {
        return Ok(LogFacts {
            customer: None,
            complaint_owner: None,
            carried: None,
            reminder: None,
            reminder_held_by: None,
            amended: None,
        });
    };
    let merged_into = match merged_into {
        Some(survivor) => Some(tx.query_row(
            "SELECT code FROM customers WHERE id = ?1",
            [survivor],
            |r| r.get(0),
        )?),
        None => None,
    };
    let customer = CustomerFacts {
        code,
        merged_into,
        do_not_contact,
    };
    if customer.merged_into.is_some() {
        return Ok(LogFacts {
            customer: Some(customer),
            complaint_owner: None,
            carried: None,
            reminder: None,
            reminder_held_by: None,
            amended: None,
        });
    }
    let complaint_owner: Option<i64> = match new.complaint_id {
        Some(complaint) => tx
            .query_row(
                "SELECT customer_id FROM complaints WHERE id = ?1",
                [complaint],
                |r| r.get(0),
            )
            .optional()?,
        None => None,
    };
    let carried = match new.amends_id {
        Some(amended) => reminders::open_follow_up(tx, amended)?,
        None => None,
    };
    let reminder = match new.reminder_id {
        Some(reminder) => reminders::owner_and_status(tx, reminder)?,
        None => None,
    };
    // A reminder kept for another operator ("only me") is theirs to complete.
    let reminder_held_by = match new.reminder_id {
        Some(reminder) if !actor.may(Permission::WorkOthersReminders) => tx
            .query_row(
                "SELECT o.name || ' (' || o.login || ')' FROM reminders r
                 JOIN operators o ON o.id = r.assignee_id
                 WHERE r.id = ?1 AND r.scope = 'me' AND r.assignee_id <> ?2",
                params![reminder, actor.id],
                |r| r.get(0),
            )
            .optional()?,
        _ => None,
    };
    let amended = match new.amends_id {
        // Whether the correction says just what the original said: it would correct nothing.
        Some(amends) => tx
            .query_row(
                "SELECT customer_id, (SELECT max(a.id) FROM interactions a WHERE a.amends_id = i.id),
                        channel = ?2 AND direction = ?3 AND disposition = ?4 AND started_at = ?5
                        AND ended_at IS ?6 AND summary IS ?7 AND feedback IS ?8
                        AND complaint_id IS ?9 AND reminder_id IS ?10
                 FROM interactions i WHERE i.id = ?1",
                params![
                    amends,
                    new.channel.as_str(),
                    new.direction.as_str(),
                    disposition.code,
                    new.started_at.timestamp(),
                    new.ended_at.map(|t| t.timestamp()),
                    clean(&new.summary),
                    clean(&new.feedback),
                    new.complaint_id,
                    new.reminder_id,
                ],
                |r| {
                    Ok(AmendedFacts {
                        customer_id: r.get(0)?,
                        corrected_by: r.get(1)?,
                        unchanged: r.get(2)?,
                    })
                },
            )
            .optional()?,
        None => None,
    };
    Ok(LogFacts {
        customer: Some(customer),
        complaint_owner,
        carried,
        reminder,
        reminder_held_by,
        amended,
    })
}

/// Writes a checked contact and the effects of its wrap-up code: the contact itself, the
/// customer's last contact, the replies it answers, do-not-contact, the reminder it did, and
/// its follow-up.
fn apply(w: &mut Writer<'_>, new: &NewInteraction, plan: LogPlan) -> Result<Logged> {
    let LogPlan {
        disposition,
        code,
        already_do_not_contact: already_dnc,
        carried,
        keeps_carried,
        follow_up_on,
        reply_by,
        summary,
        feedback,
    } = plan;
    let complaint_opened = match &new.open_complaint {
        Some(c) if disposition.has(Flag::Complaint) => {
            // Received when the contact began (a call is logged at its end).
            let received = Some(new.started_at.min(w.now()));
            Some(crate::store::complaints::open_in(
                w,
                new.customer_id,
                c,
                received,
                None,
            )?)
        }
        _ => None,
    };
    let written = Written {
        complaint_id: new.complaint_id.or(complaint_opened),
        follow_up_on,
        reply_by,
        summary: summary.as_deref(),
        feedback: feedback.as_deref(),
    };
    let id = insert(w, new, &disposition, &written)?;
    let mut logged = Logged {
        id,
        reply_by,
        follow_up_reminder_id: None,
        follow_up_carried: false,
        follow_up_skipped: None,
        answered: Vec::new(),
        do_not_contact_set: false,
        reminder_done: None,
        reminder_done_before: None,
        complaint_opened,
    };
    // The customer's last contact, for lookup results and return-visit rules.
    w.tx().execute(
        "UPDATE customers SET last_contact_at = max(coalesce(last_contact_at, 0), ?2) WHERE id = ?1",
        params![new.customer_id, new.started_at.timestamp()],
    )?;
    let contact_made = disposition.has(Flag::ContactMade);
    if let Some(complaint) = complaint_opened {
        w.tx().execute(
            "UPDATE complaint_events SET interaction_id = ?2
             WHERE complaint_id = ?1 AND kind = 'opened'",
            params![complaint, id],
        )?;
    }
    // Contact with the customer about a complaint acknowledges it (DESIGN §3.4).
    if let (Some(complaint), None, true) = (new.complaint_id, complaint_opened, contact_made) {
        crate::store::complaint_work::contact_logged_in(w, complaint, id)?;
    }
    // A reply: we reached the customer.
    if contact_made && new.direction == Direction::Outbound {
        logged.answered = answer_waiting(w, new.customer_id, id)?;
    }
    if disposition.has(Flag::DoNotContact) && !already_dnc {
        set_do_not_contact(w, new.customer_id, &code, id, &disposition)?;
        logged.do_not_contact_set = true;
        // Their open outbound reminders are withdrawn, saying why.
        super::care_work::follow_customer_change(
            w,
            &super::care_work::CustomerChange {
                customer: new.customer_id,
                do_not_contact: true,
                marketing_consent: false,
                birthday: None,
                birthday_changed: false,
                birthday_days_before: 0,
            },
        )?;
    }
    let linked_kind: Option<String> = match new.reminder_id {
        Some(reminder) => w
            .tx()
            .query_row(
                "SELECT kind FROM reminders WHERE id = ?1",
                [reminder],
                |r| r.get(0),
            )
            .optional()?,
        None => None,
    };
    // A complaint's follow-up call is completed by the complaint's follow-up step (the
    // customer's satisfaction, then closed or reopened), never by a contact linked to it.
    let completes = linked_kind
        .as_deref()
        .is_some_and(|k| k != Kind::ComplaintFollowUp.as_str());
    if let (Some(reminder), true, true) = (new.reminder_id, contact_made, completes) {
        if reminders::mark_done(w.tx(), reminder, id, w.now().timestamp())? == 0 {
            // Done already: by whose contact, said with the saved message.
            let by: Option<String> = w
                .tx()
                .query_row(
                    "SELECT CASE WHEN o.name = o.login THEN o.name
                                 ELSE o.name || ' (' || o.login || ')' END
                     FROM reminders r
                     JOIN interactions i ON i.id = r.done_interaction_id
                     JOIN operators o ON o.id = i.operator_id
                     WHERE r.id = ?1 AND r.status = 'done'",
                    [reminder],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(by) = by {
                logged.reminder_done_before = Some((reminder, by));
            }
        } else {
            logged.reminder_done = Some(reminder);
            // A profile verification worked on the phone records the day it was verified.
            let kind = linked_kind.as_deref().unwrap_or_default();
            if kind == Kind::ProfileVerification.as_str() {
                let today = w.now().with_timezone(&w.calendar().tz()).date_naive();
                super::care_work::note_verified(w, new.customer_id, today)?;
            }
            w.audit(
                "reminder.done",
                "reminder",
                Some(reminder),
                serde_json::json!({"interaction": id}),
            );
        }
    }
    let contact = LoggedContact {
        id,
        code: &code,
        title: follow_up_title(summary.as_deref(), &disposition.en),
        summary: summary.as_deref(),
    };
    match (new.follow_up, carried) {
        (Some(f), carried) => {
            let reminder = set_follow_up(w, new, &contact, f, carried.map(|(r, _)| r))?;
            logged.follow_up_reminder_id = Some(reminder);
        }
        (None, Some((reminder, _))) if keeps_carried => {
            carry_follow_up(w, new, &contact, reminder)?;
            logged.follow_up_reminder_id = Some(reminder);
            logged.follow_up_carried = true;
        }
        (None, Some((reminder, _))) => {
            skip_follow_up(w, &contact, &disposition, reminder)?;
            logged.follow_up_skipped = Some(reminder);
        }
        (None, None) => {}
    }
    w.audit(
        if new.amends_id.is_some() {
            "interaction.amend"
        } else {
            "interaction.log"
        },
        "interaction",
        Some(id),
        serde_json::json!({
            "customer": code,
            "channel": new.channel.as_str(),
            "direction": new.direction.as_str(),
            "disposition": disposition.code,
            "amends": new.amends_id,
            "answered": logged.answered,
        }),
    );
    Ok(logged)
}

/// What the plan decided beside the contact's own fields.
struct Written<'a> {
    complaint_id: Option<i64>,
    follow_up_on: Option<String>,
    reply_by: Option<DateTime<Utc>>,
    summary: Option<&'a str>,
    feedback: Option<&'a str>,
}

/// The contact's row; its id.
fn insert(
    w: &mut Writer<'_>,
    new: &NewInteraction,
    disposition: &Disposition,
    written: &Written<'_>,
) -> Result<i64> {
    let (actor_id, now) = (w.actor().id, w.now().timestamp());
    w.tx()
        .prepare_cached(
            "INSERT INTO interactions (customer_id, operator_id, channel, direction, disposition,
                started_at, ended_at, summary, feedback, complaint_id, reminder_id, follow_up_on,
                reply_by, amends_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?
        .execute(params![
            new.customer_id,
            actor_id,
            new.channel.as_str(),
            new.direction.as_str(),
            disposition.code,
            new.started_at.timestamp(),
            new.ended_at.map(|t| t.timestamp()),
            written.summary,
            written.feedback,
            written.complaint_id,
            new.reminder_id,
            written.follow_up_on,
            written.reply_by.map(|t| t.timestamp()),
            new.amends_id,
            now,
        ])?;
    Ok(w.tx().last_insert_rowid())
}

/// Marks the customer's contacts still waiting for a reply as answered by `reply`.
fn answer_waiting(w: &mut Writer<'_>, customer: i64, reply: i64) -> Result<Vec<i64>> {
    let now = w.now().timestamp();
    let waiting: Vec<i64> = w
        .tx()
        .prepare_cached(
            "SELECT id FROM interactions WHERE customer_id = ?1 AND reply_by IS NOT NULL
               AND replied_at IS NULL AND id <> ?2",
        )?
        .query_map(params![customer, reply], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for answered in &waiting {
        w.tx().execute(
            "UPDATE interactions SET replied_at = ?2, reply_id = ?3 WHERE id = ?1",
            params![answered, now, reply],
        )?;
    }
    Ok(waiting)
}

/// The customer asked not to be contacted again (a wrap-up code that says so).
fn set_do_not_contact(
    w: &mut Writer<'_>,
    customer: i64,
    code: &str,
    interaction: i64,
    disposition: &Disposition,
) -> Result<()> {
    w.tx().execute(
        "UPDATE customers SET do_not_contact = 1, updated_at = ?2, version = version + 1
         WHERE id = ?1",
        params![customer, w.now().timestamp()],
    )?;
    w.audit(
        "customer.do_not_contact",
        "customer",
        Some(customer),
        serde_json::json!({"code": code, "by_interaction": interaction, "disposition": disposition.code}),
    );
    Ok(())
}

/// The logged contact as its follow-up sees it.
struct LoggedContact<'a> {
    id: i64,
    /// The customer's code.
    code: &'a str,
    title: String,
    summary: Option<&'a str>,
}

/// The follow-up the contact asks for: a new reminder, or, for a correction, the one its
/// entry had moved to the new time (a correction never adds one). Its id.
fn set_follow_up(
    w: &mut Writer<'_>,
    new: &NewInteraction,
    contact: &LoggedContact<'_>,
    f: FollowUp,
    carried: Option<i64>,
) -> Result<i64> {
    let (actor_id, now) = (w.actor().id, w.now().timestamp());
    let source = Kind::follow_up_source(contact.id);
    let assignee = (f.scope == FollowUpScope::Me).then_some(actor_id);
    let due_on = f.due.on.format("%Y-%m-%d").to_string();
    let row = reminders::FollowUpRow {
        customer_id: new.customer_id,
        source: &source,
        due_on: &due_on,
        due_at: f.due.at.timestamp(),
        title: &contact.title,
        note: contact.summary,
        assignee,
        scope: f.scope,
    };
    let reminder = match carried {
        Some(reminder) => {
            reminders::move_follow_up(w.tx(), reminder, &row, now)?;
            reminder
        }
        None => reminders::add_follow_up(w.tx(), &row, actor_id, now)?,
    };
    w.audit(
        if carried.is_some() {
            "reminder.update"
        } else {
            "reminder.create"
        },
        "reminder",
        Some(reminder),
        serde_json::json!({"kind": Kind::FollowUp.as_str(), "customer": contact.code,
            "due_at": f.due.at, "scope": f.scope.as_str(), "interaction": contact.id,
            "amends": new.amends_id}),
    );
    Ok(reminder)
}

/// A correction that is still a callback: the follow-up stands as it was, now for it.
fn carry_follow_up(
    w: &mut Writer<'_>,
    new: &NewInteraction,
    contact: &LoggedContact<'_>,
    reminder: i64,
) -> Result<()> {
    let source = Kind::follow_up_source(contact.id);
    let now = w.now().timestamp();
    reminders::carry_follow_up(
        w.tx(),
        reminder,
        &source,
        &contact.title,
        contact.summary,
        now,
    )?;
    w.audit(
        "reminder.update",
        "reminder",
        Some(reminder),
        serde_json::json!({"kind": Kind::FollowUp.as_str(), "customer": contact.code,
            "interaction": contact.id, "amends": new.amends_id, "carried": true}),
    );
    Ok(())
}

/// A correction that is no longer a callback: the follow-up was asked for by mistake, and is
/// skipped, saying why.
fn skip_follow_up(
    w: &mut Writer<'_>,
    contact: &LoggedContact<'_>,
    disposition: &Disposition,
    reminder: i64,
) -> Result<()> {
    let source = Kind::follow_up_source(contact.id);
    let reason = format!("the contact was corrected to {}", disposition.code);
    reminders::skip_follow_up(w.tx(), reminder, &source, &reason, w.now().timestamp())?;
    w.audit(
        "reminder.skip",
        "reminder",
        Some(reminder),
        serde_json::json!({"kind": Kind::FollowUp.as_str(), "customer": contact.code,
            "interaction": contact.id, "reason": reason}),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::OpenOptions;

    #[test]
    fn the_log_finds_a_contact_s_follow_up_by_the_source_key_it_was_written_with() {
        let source = Kind::follow_up_source(42);
        assert_eq!(source, "follow_up:42");
        let (prefix, _) = source.split_at(source.len() - 2);
        assert!(SELECT.contains(&format!("f.source_key = '{prefix}' || i.id")));
    }

    fn explain(store: &Store, sql: &str, args: Vec<rusqlite::types::Value>) -> Vec<String> {
        let mut stmt = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("prepare");
        stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("plan")
    }

    /// The plan of the desk log's statement; for a filter of two or three of operator, channel
    /// and code, the plans of its race's turns, one per index.
    fn plan(store: &Store, filter: &LogFilter, after: Option<LogCursor>) -> Vec<String> {
        let walks = equalities(filter);
        if walks.len() >= 2 && filter.customer_id.is_none() && !filter.due_replies {
            return walks
                .into_iter()
                .flat_map(|(index, column, value)| {
                    let [(boundary, boundary_args), (matches, mut matches_args)] =
                        race_turn_sql(index, column, value, filter, after, 256, 60);
                    matches_args.extend([1_780_000_000.into(), 1.into()]);
                    let mut lines = explain(store, &boundary, boundary_args);
                    lines.extend(explain(store, &matches, matches_args));
                    lines
                })
                .collect();
        }
        let (sql, args) = desk_log_sql(filter, after, 60, Store::desk_log_index(filter));
        explain(store, &sql, args)
    }

    use crate::store::demo_store;

    /// Every desk log filter walks an index of interactions in the order shown, looks each
    /// customer up by id, and never sorts or scans the big tables; two or three of operator,
    /// channel and code read each of their indexes alone.
    #[test]
    fn every_desk_log_filter_walks_an_index_in_order() {
        let (dir, store, admin) = demo_store(2000, 9);
        let path = dir.path().join("demo.db");
        // Statistics lost for one index come back when the screen refreshes them.
        store
            .conn()
            .execute(
                "DELETE FROM sqlite_stat1 WHERE idx = 'interactions_disposition'",
                [],
            )
            .expect("forget");
        drop(store);
        let mut store = Store::open(&path, OpenOptions::default()).expect("reopen");
        store.refresh_planner_statistics().expect("statistics");
        let count = |sql: &str| -> i64 {
            store
                .conn()
                .query_row(sql, [], |r| r.get(0))
                .expect("count")
        };
        assert_eq!(
            count("SELECT count(*) FROM sqlite_stat1 WHERE idx = 'interactions_disposition'"),
            1
        );
        // Only the averages are kept: samples would make SQLite plan each lookup again. The
        // SQLite careline builds does not even collect them (.cargo/config.toml).
        assert_eq!(
            count("SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_STAT4'"),
            0
        );
        assert_eq!(
            count("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat4'"),
            0
        );

        // A new operator with one contact: with a common code the log walks that operator's
        // contacts; a busy operator with a code nobody uses walks that code's.
        store
            .add_operator(&admin, "newbie", "New", crate::store::Role::Operator)
            .expect("operator");
        let newbie = store.actor("newbie", None).expect("actor");
        store
            .log_interaction(
                &newbie,
                &NewInteraction::contact(
                    5,
                    Channel::PhoneIn,
                    "information_given",
                    Utc::now() - chrono::Duration::minutes(10),
                    Utc::now(),
                    "asked",
                ),
            )
            .expect("log");
        let busy = store.actor("admin", None).expect("actor");
        for (operator, code) in [(&newbie, "information_given"), (&busy, "do_not_call")] {
            let filter = LogFilter {
                operator_id: Some(operator.id),
                channel: Some(Channel::PhoneIn),
                disposition: Some(code.into()),
                ..LogFilter::default()
            };
            // Each of the three indexes is read on its own, from the index alone, in order.
            let text = plan(&store, &filter, None).join(" | ");
            for index in [
                "interactions_operator",
                index::INTERACTIONS_CHANNEL,
                index::INTERACTIONS_DISPOSITION,
            ] {
                assert!(
                    text.contains(&format!("USING COVERING INDEX {index}")),
                    "{filter:?}: {text}"
                );
            }
            assert!(!text.contains("TEMP B-TREE"), "{filter:?}: {text}");
            let found = store.desk_log(&admin, &filter, None, 60).expect("log");
            assert!(found
                .iter()
                .all(|i| i.operator_login == operator.login && i.disposition == code));
            assert_eq!(found.len(), usize::from(operator.id == newbie.id));
        }

        // Right after a migration rebuilds an index it has no statistics until the screen
        // refreshes them; with none for the operator's index, and the reference database's
        // thousands of open replies, SQLite walked a busy operator's contacts for their due
        // replies and sorted them (3 s there). Those statistics, as they were:
        store
            .conn()
            .execute_batch(
                "DELETE FROM sqlite_stat1 WHERE idx = 'interactions_operator';
                 UPDATE sqlite_stat1 SET stat = '3938 1'
                  WHERE idx = 'interactions_awaiting_reply';
                 ANALYZE sqlite_schema;",
            )
            .expect("forget the operator index's statistics");
        let due = LogFilter {
            operator_id: Some(busy.id),
            due_replies: true,
            ..LogFilter::default()
        };
        let text = plan(&store, &due, None).join(" | ");
        assert!(text.contains("interactions_awaiting_reply"), "{text}");
        assert!(!text.contains("TEMP B-TREE"), "{text}");
        store.refresh_planner_statistics().expect("statistics");

        let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("day");
        let filters = [
            LogFilter::default(),
            LogFilter {
                operator_id: Some(2),
                ..LogFilter::default()
            },
            LogFilter {
                channel: Some(Channel::Visit),
                ..LogFilter::default()
            },
            LogFilter {
                disposition: Some("do_not_call".into()),
                ..LogFilter::default()
            },
            LogFilter {
                channel: Some(Channel::PhoneIn),
                disposition: Some("do_not_call".into()),
                ..LogFilter::default()
            },
            LogFilter {
                operator_id: Some(2),
                disposition: Some("sale".into()),
                ..LogFilter::default()
            },
            LogFilter {
                from: Some(day),
                to: Some(day),
                ..LogFilter::default()
            },
            LogFilter {
                due_replies: true,
                ..LogFilter::default()
            },
            // A busy operator's due replies walk the few open replies, not the operator's
            // contacts sorted by deadline.
            LogFilter {
                operator_id: Some(1),
                channel: Some(Channel::Email),
                due_replies: true,
                ..LogFilter::default()
            },
            LogFilter {
                customer_id: Some(7),
                ..LogFilter::default()
            },
        ];
        let by_id = explain(&store, &format!("{SELECT} WHERE i.id = ?1"), vec![1.into()]);
        assert!(
            by_id[0].starts_with("SEARCH i USING INTEGER PRIMARY KEY"),
            "{by_id:?}"
        );
        for filter in &filters {
            for after in [None, Some((1_780_000_000, 5000))] {
                let plan = plan(&store, filter, after);
                let text = plan.join(" | ");
                assert!(!text.contains("TEMP B-TREE"), "{filter:?}: {text}");
                if equalities(filter).len() >= 2 && !filter.due_replies {
                    // The race's turns read each index alone; the page's rows come by id.
                    assert!(
                        plan.iter()
                            .all(|l| l.starts_with("SEARCH interactions USING COVERING INDEX")),
                        "{filter:?}: {text}"
                    );
                    continue;
                }
                let outer = &plan[0];
                assert!(
                    outer.starts_with("SEARCH i USING INDEX")
                        || outer.starts_with("SCAN i USING INDEX"),
                    "{filter:?}: {text}"
                );
                assert!(!text.contains("TEMP B-TREE"), "{filter:?}: {text}");
                assert!(
                    text.contains("SEARCH c USING INTEGER PRIMARY KEY"),
                    "{filter:?}: {text}"
                );
                // The operators are few: SQLite may read them all instead of by id.
                assert!(
                    text.contains("SEARCH o USING INTEGER PRIMARY KEY") || text.contains("SCAN o"),
                    "{filter:?}: {text}"
                );
                if filter.due_replies {
                    assert!(
                        outer.contains("interactions_awaiting_reply"),
                        "{filter:?}: {text}"
                    );
                }
                if filter.disposition.as_deref() == Some("do_not_call") {
                    assert!(
                        outer.contains("interactions_disposition"),
                        "{filter:?}: {text}"
                    );
                }
            }
        }
    }

    /// Every combination of operator, channel and wrap-up code gives the page a plain query
    /// gives (SQLite's own evaluation, no index chosen, no race), page after page to the end,
    /// with and without a range of days; among them an operator who never used a code others
    /// use often, the case the race exists for.
    #[test]
    fn the_desk_log_race_finds_what_a_plain_query_finds() {
        let (_dir, mut store, admin) = demo_store(600, 4);
        // A busy newcomer who only ever sells, by phone: 700 contacts, more than a race turn.
        store
            .add_operator(&admin, "seller", "Seller", crate::store::Role::Operator)
            .expect("operator");
        let seller = store.actor("seller", None).expect("actor");
        // An operator logs contacts only with customers they may see (not the confidential).
        let visible: Vec<i64> = store
            .conn()
            .prepare("SELECT id FROM customers WHERE NOT confidential ORDER BY id")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("ids");
        let start = Utc::now() - chrono::Duration::days(400);
        for k in 0..700 {
            let at = start + chrono::Duration::hours(13 * k);
            store
                .log_interaction(
                    &seller,
                    &NewInteraction::contact(
                        visible[k as usize % visible.len()],
                        Channel::PhoneOut,
                        "sale",
                        at,
                        at,
                        "sold",
                    ),
                )
                .expect("log");
        }
        let ids = |sql: &str, args: Vec<rusqlite::types::Value>| -> Vec<i64> {
            store
                .conn()
                .prepare(sql)
                .expect("prepare")
                .query_map(rusqlite::params_from_iter(args), |r| r.get(0))
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("ids")
        };
        let operators = ids("SELECT id FROM operators", vec![]);
        let codes: Vec<String> = store
            .log_rules()
            .dispositions
            .iter()
            .map(|d| d.code.clone())
            .collect();
        let day = |d: i64| (Utc::now() - chrono::Duration::days(d)).date_naive();
        let mut raced = 0;
        for &operator in &operators {
            for code in &codes {
                for channel in [None, Some(Channel::PhoneOut), Some(Channel::Email)] {
                    for (from, to) in [(None, None), (Some(day(200)), Some(day(100)))] {
                        let filter = LogFilter {
                            operator_id: Some(operator),
                            channel,
                            disposition: Some(code.clone()),
                            from,
                            to,
                            ..LogFilter::default()
                        };
                        let mut sql = "SELECT id FROM interactions NOT INDEXED
                             WHERE operator_id = ?1 AND disposition = ?2"
                            .to_string();
                        let mut args: Vec<rusqlite::types::Value> =
                            vec![operator.into(), code.clone().into()];
                        if let Some(c) = channel {
                            args.push(c.as_str().to_string().into());
                            sql.push_str(&format!(" AND channel = ?{}", args.len()));
                        }
                        if let (Some(f), Some(t)) = (from, to) {
                            args.push(local_midnight(f).into());
                            args.push(local_midnight(t.succ_opt().expect("day")).into());
                            sql.push_str(&format!(
                                " AND started_at >= ?{} AND started_at < ?{}",
                                args.len() - 1,
                                args.len()
                            ));
                        }
                        sql.push_str(" ORDER BY started_at DESC, id DESC");
                        let want = ids(&sql, args);
                        // Pages of 7 to the end.
                        let mut got = Vec::new();
                        let mut after = None;
                        loop {
                            let page = store.desk_log(&admin, &filter, after, 7).expect("page");
                            got.extend(page.iter().map(|i| i.id));
                            match page.last() {
                                Some(last) if page.len() == 7 => {
                                    after = Some((last.started_at.timestamp(), last.id));
                                }
                                _ => break,
                            }
                        }
                        assert_eq!(got, want, "{filter:?}");
                        raced += 1;
                    }
                }
            }
        }
        assert_eq!(raced, operators.len() * codes.len() * 6);
        // The seller never used the commonest code: nothing, and the seller's sales all there.
        let never = LogFilter {
            operator_id: Some(seller.id),
            disposition: Some("information_given".into()),
            ..LogFilter::default()
        };
        assert!(store
            .desk_log(&admin, &never, None, 60)
            .expect("log")
            .is_empty());
        let sales = LogFilter {
            operator_id: Some(seller.id),
            disposition: Some("sale".into()),
            channel: Some(Channel::PhoneOut),
            ..LogFilter::default()
        };
        assert_eq!(
            store
                .desk_log(&admin, &sales, None, 1000)
                .expect("log")
                .len(),
            700
        );
    }
}
