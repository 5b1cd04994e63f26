//! Care reminders (DESIGN §3.5) as stored: the follow-ups a logged contact creates, moves,
//! carries over or skips, their escalation to anyone on the desk, the ones a card shows and
//! the desk counts, and the periodic ones a merge would pile up. Statuses and kinds are
//! `domain::reminder`'s; every statement of the `reminders` table is here.
//!
//! No status, kind or scope is spelt in SQL here: a value written is bound from its type
//! (`Status::Done.as_str()`), and a value a `WHERE` tests is written into the statement from
//! its type (`STILL_TO_DO`, `FOLLOW_UP`, …), as a literal, because the partial indexes
//! (`reminders_one_open_periodic`, `reminders_own_follow_ups`) are only used when the planner
//! sees the very values their `WHERE` names; a bound parameter would hide them.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::{Actor, Result, Store, StoreError};
use crate::domain::interaction::FollowUpScope;
use crate::domain::reminder::{Kind, Status};

/// The statuses of a reminder still to do, as an SQL list: `('open', 'snoozed')`, in the
/// order the partial indexes name them.
static STILL_TO_DO: LazyLock<String> = LazyLock::new(|| {
    super::sql_list(
        Status::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str()),
    )
});

/// The badge of the customer bound as `?1`, as every statement that makes a reminder writes
/// it into `reminders.badge` (migration 0013: the Care pane's tier filter reads it).
pub(super) const BADGE_OF_CUSTOMER: &str =
    "(SELECT CASE WHEN level = 'vip' THEN 'vip' ELSE tier END FROM customers WHERE id = ?1)";

/// Gives every reminder still to do that has none its customer's badge (the demo's, loaded
/// in bulk without it).
pub(super) fn fill_badges(tx: &Transaction<'_>) -> Result<usize> {
    Ok(tx.execute(
        &format!(
            "UPDATE reminders SET badge = {}
             WHERE badge IS NULL AND status IN {to_do}",
            BADGE_OF_CUSTOMER.replace("?1", "reminders.customer_id"),
            to_do = *STILL_TO_DO,
        ),
        [],
    )?)
}

/// The periodic kinds in the order `reminders_one_open_periodic` names them (an `IN` list
/// that the planner matches against the index's `WHERE` must be written the same way).
const PERIODIC_KINDS: [Kind; 3] = [Kind::ReturnVisit, Kind::ProfileVerification, Kind::Renewal];

/// The periodic kinds as an SQL list: `('return_visit', 'profile_verification', 'renewal')`.
static PERIODIC: LazyLock<String> =
    LazyLock::new(|| super::sql_list(PERIODIC_KINDS.iter().map(|k| k.as_str())));

/// `'open'`, `'follow_up'` and `'me'` as SQL literals, for the `WHERE`s that test them.
fn quoted(name: &str) -> String {
    format!("'{name}'")
}

static OPEN: LazyLock<String> = LazyLock::new(|| quoted(Status::Open.as_str()));
static FOLLOW_UP: LazyLock<String> = LazyLock::new(|| quoted(Kind::FollowUp.as_str()));
static ONLY_ME: LazyLock<String> = LazyLock::new(|| quoted(FollowUpScope::Me.as_str()));

static DUE_ON_CARD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT r.id, r.kind, r.title, r.due_on, r.due_at, r.scope, o.name, r.assignee_id,
                r.facts FROM reminders r
             LEFT JOIN operators o ON o.id = r.assignee_id
             WHERE r.customer_id = ?1 AND r.status IN {to_do}
               AND (COALESCE(r.snoozed_until, r.due_on) <= ?2 OR r.kind IN ({follow_up}, {manual}))
             ORDER BY r.due_on, r.due_at LIMIT 10",
        to_do = *STILL_TO_DO,
        follow_up = *FOLLOW_UP,
        manual = quoted(Kind::Manual.as_str()),
    )
});

/// Open ones due by the day, and snoozed ones woken by it. The open ones are counted kind by
/// kind in `reminders_kind_due`, each a short range of that index alone (migration 0012).
static DUE_COUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT (SELECT COUNT(*) FROM reminders INDEXED BY reminders_kind_due
                 WHERE status = {open} AND kind IN {kinds} AND due_on <= ?1)
              + (SELECT COUNT(*) FROM reminders WHERE status = {snoozed} AND snoozed_until <= ?1)",
        open = *OPEN,
        kinds = super::sql_list(Kind::ALL.iter().map(|k| k.as_str())),
        snoozed = quoted(Status::Snoozed.as_str()),
    )
});

/// The `WHERE` of `reminders_own_follow_ups`, as that index names it.
static ONLY_ME_TO_DO: LazyLock<String> = LazyLock::new(|| {
    format!(
        "kind = {follow_up} AND scope = {me} AND status IN {to_do}",
        follow_up = *FOLLOW_UP,
        me = *ONLY_ME,
        to_do = *STILL_TO_DO,
    )
});

static ONLY_ME_OVERDUE_EXISTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT EXISTS (SELECT 1 FROM reminders WHERE {only_me} AND due_at <= ?1)",
        only_me = *ONLY_ME_TO_DO
    )
});

static ONLY_ME_OVERDUE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id, assignee_id FROM reminders WHERE {only_me} AND due_at <= ?1",
        only_me = *ONLY_ME_TO_DO
    )
});

static OPEN_FOLLOW_UP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id, due_on FROM reminders
             WHERE source_key = ?1 AND kind = {follow_up} AND status IN {to_do}",
        follow_up = *FOLLOW_UP,
        to_do = *STILL_TO_DO,
    )
});

static MARK_DONE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE reminders SET status = ?4, done_interaction_id = ?2, updated_at = ?3,
                    version = version + 1
             WHERE id = ?1 AND status IN {to_do}",
        to_do = *STILL_TO_DO
    )
});

static DROP_PERIODIC_HELD_BY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE reminders SET status = ?4, skip_reason = 'merged duplicate', updated_at = ?3,
                version = version + 1
         WHERE customer_id = ?2 AND status IN {to_do}
           AND kind IN {periodic}
           AND EXISTS (SELECT 1 FROM reminders k WHERE k.customer_id = ?1 AND k.kind = reminders.kind
                       AND k.status IN {to_do})",
        to_do = *STILL_TO_DO,
        periodic = *PERIODIC,
    )
});

/// A care reminder that is due (or overdue) for this customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueReminder {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub due_on: NaiveDate,
    /// A follow-up's time of day.
    pub due_at: Option<DateTime<Utc>>,
    /// `me` (assigned to one operator) or `anyone`.
    pub scope: String,
    pub assignee: Option<String>,
    pub assignee_id: Option<i64>,
    /// Why a generated one exists (each screen words it in its language).
    pub fact: Option<crate::domain::care::CareFact>,
}

/// One reminder, whatever its status: what the Care pane shows of it and a caller checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub id: i64,
    pub customer_id: i64,
    pub kind: Kind,
    pub status: Status,
    /// Withheld (None), with the note and the skip reason, when the customer is confidential
    /// to this actor: a follow-up's title is the first line of the contact's summary.
    pub title: Option<String>,
    pub note: Option<String>,
    pub due_on: NaiveDate,
    /// A follow-up's time of day.
    pub due_at: Option<DateTime<Utc>>,
    pub snoozed_until: Option<NaiveDate>,
    pub scope: FollowUpScope,
    pub assignee_id: Option<i64>,
    /// What made it, when something did: `follow_up:<interaction>` for a contact's follow-up.
    pub source_key: Option<String>,
    /// The contact that did it, once done.
    pub done_interaction_id: Option<i64>,
    pub skip_reason: Option<String>,
    /// Whether the title, note and skip reason were withheld from this actor.
    pub restricted: bool,
}

/// A reminder with its customer's confidentiality and owner, for `may_see`.
const REMINDER: &str = "SELECT r.id, r.customer_id, r.kind, r.status, r.title, r.note, r.due_on,
        r.due_at, r.snoozed_until, r.scope, r.assignee_id, r.source_key, r.done_interaction_id,
        r.skip_reason, c.confidential, c.owner_id
    FROM reminders r JOIN customers c ON c.id = r.customer_id";

fn reminder_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Reminder, bool, Option<i64>)> {
    Ok((
        Reminder {
            id: r.get(0)?,
            customer_id: r.get(1)?,
            kind: super::stored_name(r, 2)?,
            status: super::stored_name(r, 3)?,
            title: r.get(4)?,
            note: r.get(5)?,
            due_on: r.get(6)?,
            due_at: r.get::<_, Option<i64>>(7)?.map(at),
            snoozed_until: r.get(8)?,
            scope: super::stored_name(r, 9)?,
            assignee_id: r.get(10)?,
            source_key: r.get(11)?,
            done_interaction_id: r.get(12)?,
            skip_reason: r.get(13)?,
            restricted: false,
        },
        r.get(14)?,
        r.get(15)?,
    ))
}

impl Store {
    /// One reminder by id, in any status.
    pub fn reminder(&self, actor: &Actor, id: i64) -> Result<Reminder> {
        let found = self
            .conn()
            .prepare_cached(&format!("{REMINDER} WHERE r.id = ?1"))?
            .query_row([id], reminder_row)
            .optional()?;
        match found {
            Some(found) => self.visible_reminder(actor, found),
            None => Err(StoreError::NotFound(format!("reminder {id}"))),
        }
    }

    /// Every reminder of one customer, in any status, by due day.
    pub fn reminders_of(&self, actor: &Actor, customer_id: i64) -> Result<Vec<Reminder>> {
        let found: Vec<_> = self
            .conn()
            .prepare_cached(&format!(
                "{REMINDER} WHERE r.customer_id = ?1 ORDER BY r.due_on, r.due_at, r.id"
            ))?
            .query_map([customer_id], reminder_row)?
            .collect::<rusqlite::Result<_>>()?;
        found
            .into_iter()
            .map(|found| self.visible_reminder(actor, found))
            .collect()
    }

    fn visible_reminder(
        &self,
        actor: &Actor,
        (mut reminder, confidential, owner): (Reminder, bool, Option<i64>),
    ) -> Result<Reminder> {
        if !self.may_see_customer(actor, reminder.customer_id, confidential, owner)? {
            reminder.restricted = true;
            reminder.title = None;
            reminder.note = None;
            reminder.skip_reason = None;
        }
        Ok(reminder)
    }
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// The reminders due by `today` (and every open callback and reminder added by hand, whenever
/// due) of one customer, for the card.
pub(super) fn due_on_card(
    conn: &Connection,
    customer_id: i64,
    today: NaiveDate,
) -> Result<Vec<DueReminder>> {
    let mut stmt = conn.prepare_cached(&DUE_ON_CARD)?;
    let due = stmt
        .query_map(params![customer_id, today.to_string()], |r| {
            Ok(DueReminder {
                id: r.get(0)?,
                kind: r.get(1)?,
                title: r.get(2)?,
                due_on: r.get(3)?,
                due_at: r.get::<_, Option<i64>>(4)?.map(at),
                scope: r.get(5)?,
                assignee: r.get(6)?,
                assignee_id: r.get(7)?,
                fact: r
                    .get::<_, Option<String>>(8)?
                    .and_then(|f| serde_json::from_str(&f).ok()),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(due)
}

/// Open reminders due by `today` across the desk (the status bar's figure).
pub(super) fn due_count(conn: &Connection, today: NaiveDate) -> Result<i64> {
    Ok(conn
        .prepare_cached(&DUE_COUNT)?
        .query_row([today.to_string()], |r| r.get(0))?)
}

/// Whether any "only me" follow-up still to do was due at or before `cutoff`.
pub(super) fn only_me_overdue_exists(conn: &Connection, cutoff: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(&ONLY_ME_OVERDUE_EXISTS)?
        .query_row([cutoff], |r| r.get(0))?)
}

/// The "only me" follow-ups still to do that were due at or before `cutoff`, with their owner.
pub(super) fn only_me_overdue(
    tx: &Transaction<'_>,
    cutoff: i64,
) -> Result<Vec<(i64, Option<i64>)>> {
    Ok(tx
        .prepare_cached(&ONLY_ME_OVERDUE)?
        .query_map([cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Hands a follow-up to anyone on the desk.
pub(super) fn hand_to_anyone(tx: &Transaction<'_>, id: i64, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE reminders SET scope = ?3, updated_at = ?2, version = version + 1
                     WHERE id = ?1",
        params![id, now, FollowUpScope::Anyone.as_str()],
    )?;
    Ok(())
}

/// A reminder's customer and status, when it exists.
pub(super) fn owner_and_status(tx: &Transaction<'_>, id: i64) -> Result<Option<(i64, Status)>> {
    Ok(tx
        .query_row(
            "SELECT customer_id, status FROM reminders WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, super::stored_name(r, 1)?)),
        )
        .optional()?)
}

/// The follow-up reminder logged with `interaction`, when it is still to do: its id and day.
pub(super) fn open_follow_up(
    tx: &Transaction<'_>,
    interaction: i64,
) -> Result<Option<(i64, String)>> {
    Ok(tx
        .prepare_cached(&OPEN_FOLLOW_UP)?
        .query_row([Kind::follow_up_source(interaction)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// Marks a reminder still to do as done by `interaction`; how many rows changed (0 or 1).
pub(super) fn mark_done(
    tx: &Transaction<'_>,
    reminder: i64,
    interaction: i64,
    now: i64,
) -> Result<usize> {
    Ok(tx.prepare_cached(&MARK_DONE)?.execute(params![
        reminder,
        interaction,
        now,
        Status::Done.as_str()
    ])?)
}

/// A follow-up as a contact asks for it.
pub(super) struct FollowUpRow<'a> {
    pub customer_id: i64,
    /// `follow_up:<interaction>`.
    pub source: &'a str,
    pub due_on: &'a str,
    pub due_at: i64,
    pub title: &'a str,
    pub note: Option<&'a str>,
    pub assignee: Option<i64>,
    pub scope: FollowUpScope,
}

/// Moves a corrected entry's follow-up to the correction's time, open again.
pub(super) fn move_follow_up(
    tx: &Transaction<'_>,
    reminder: i64,
    row: &FollowUpRow<'_>,
    now: i64,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE reminders SET source_key = ?2, due_on = ?3, due_at = ?4,
                                title = ?5, note = ?6, assignee_id = ?7, scope = ?8,
                                status = ?10, snoozed_until = NULL, updated_at = ?9,
                                version = version + 1
                             WHERE id = ?1",
    )?
    .execute(params![
        reminder,
        row.source,
        row.due_on,
        row.due_at,
        row.title,
        row.note,
        row.assignee,
        row.scope.as_str(),
        now,
        Status::Open.as_str(),
    ])?;
    Ok(())
}

/// Adds a follow-up reminder; returns its id.
pub(super) fn add_follow_up(
    tx: &Transaction<'_>,
    row: &FollowUpRow<'_>,
    created_by: i64,
    now: i64,
) -> Result<i64> {
    tx.prepare_cached(&format!(
        "INSERT INTO reminders (customer_id, kind, source_key, due_on, title,
                                note, status, assignee_id, scope, due_at, created_by, created_at,
                                updated_at, badge)
                             VALUES (?1, ?11, ?2, ?3, ?4, ?5, ?12, ?6, ?7, ?8, ?9,
                                ?10, ?10, {BADGE_OF_CUSTOMER})"
    ))?
    .execute(params![
        row.customer_id,
        row.source,
        row.due_on,
        row.title,
        row.note,
        row.assignee,
        row.scope.as_str(),
        row.due_at,
        created_by,
        now,
        Kind::FollowUp.as_str(),
        Status::Open.as_str(),
    ])?;
    Ok(tx.last_insert_rowid())
}

/// A corrected entry's follow-up stands as it was, now for the correction.
pub(super) fn carry_follow_up(
    tx: &Transaction<'_>,
    reminder: i64,
    source: &str,
    title: &str,
    note: Option<&str>,
    now: i64,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE reminders SET source_key = ?2, title = ?3, note = ?4, updated_at = ?5,
                        version = version + 1
                     WHERE id = ?1",
    )?
    .execute(params![reminder, source, title, note, now])?;
    Ok(())
}

/// Skips a corrected entry's follow-up, saying why.
pub(super) fn skip_follow_up(
    tx: &Transaction<'_>,
    reminder: i64,
    source: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE reminders SET source_key = ?2, status = ?5, skip_reason = ?3,
                        updated_at = ?4, version = version + 1
                     WHERE id = ?1",
    )?
    .execute(params![
        reminder,
        source,
        reason,
        now,
        Status::Skipped.as_str()
    ])?;
    Ok(())
}

/// Deletes `other`'s open periodic reminders of a kind `keep` already has open, before a merge
/// moves the rest: periodic kinds never pile up.
pub(super) fn drop_periodic_held_by(
    tx: &Transaction<'_>,
    keep: i64,
    other: i64,
    now: i64,
) -> Result<()> {
    tx.prepare_cached(&DROP_PERIODIC_HELD_BY)?.execute(params![
        keep,
        other,
        now,
        Status::Deleted.as_str()
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{OpenOptions, Store};

    fn plan(store: &Store, sql: &str) -> Vec<String> {
        let mut stmt = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("prepare");
        let unbound = vec![rusqlite::types::Value::Null; stmt.parameter_count()];
        stmt.query_map(rusqlite::params_from_iter(unbound), |r| r.get(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    fn index_where(store: &Store, index: &str) -> String {
        let sql: String = store
            .conn()
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                [index],
                |r| r.get(0),
            )
            .expect("the index exists");
        let at = sql.find("WHERE ").expect("a partial index");
        sql[at + "WHERE ".len()..]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_periodic_list_is_every_periodic_kind() {
        let mut listed = PERIODIC_KINDS.to_vec();
        let mut periodic: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| k.is_periodic())
            .collect();
        listed.sort_by_key(|k| k.as_str());
        periodic.sort_by_key(|k| k.as_str());
        assert_eq!(listed, periodic);
    }

    /// The statuses, kinds and scopes written into statements are the very text of the
    /// partial indexes' `WHERE` (as the migrations wrote it), so the planner can use them.
    #[test]
    fn statements_name_what_the_partial_indexes_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("r.db"), OpenOptions::default()).expect("open");
        assert_eq!(
            index_where(&store, "reminders_own_follow_ups"),
            *ONLY_ME_TO_DO
        );
        assert_eq!(
            index_where(&store, "reminders_one_open_periodic"),
            format!("status IN {} AND kind IN {}", *STILL_TO_DO, *PERIODIC)
        );
        assert_eq!(*STILL_TO_DO, "('open', 'snoozed')");
    }

    /// Every statement in the store that makes a reminder writes its badge (migration 0013):
    /// one that forgot would hide its reminders from the Care pane's VIP and high-value
    /// filters. Read from the source, so that a statement added later is held to it too.
    #[test]
    fn every_statement_that_makes_a_reminder_writes_its_badge() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
        let mut statements = 0;
        for entry in std::fs::read_dir(&dir).expect("src/store") {
            let path = entry.expect("an entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            // Spelt in two, so that this test is not one of the statements it finds.
            for (at, _) in text.match_indices(concat!("INTO ", "reminders (")) {
                // The column list, to its closing parenthesis.
                let columns = &text[at..];
                let columns = &columns[..columns.find(')').expect("a column list")];
                assert!(
                    columns.contains("badge"),
                    "{}: an insert into reminders without the badge: {columns}",
                    path.display()
                );
                statements += 1;
            }
        }
        // Generation, the manual one, the log's follow-up, the complaint's, the demo's, a
        // segment's campaign.
        assert_eq!(statements, 6);
    }

    /// The plans the statements had when they spelt the values out by hand (reminders.rs
    /// before the values came from the types), on a fresh database; since migration 0011 the
    /// follow-up scans read `reminders_kind_due` by status and kind (fewer rows than by status),
    /// and since 0012 the due count reads it too, kind by kind.
    #[test]
    fn statements_built_from_the_types_plan_as_before() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("r.db"), OpenOptions::default()).expect("open");
        assert_eq!(
            plan(&store, &DUE_ON_CARD),
            [
                "SEARCH r USING INDEX reminders_customer (customer_id=? AND status=?)",
                "SEARCH o USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN",
                "USE TEMP B-TREE FOR ORDER BY"
            ]
        );
        assert_eq!(
            plan(&store, &DUE_COUNT),
            [
                "SCAN CONSTANT ROW",
                "SCALAR SUBQUERY 1",
                "SEARCH reminders USING COVERING INDEX reminders_kind_due (status=? AND kind=? AND due_on<?)",
                "SCALAR SUBQUERY 2",
                "SEARCH reminders USING INDEX reminders_kind_due (status=?)"
            ]
        );
        assert_eq!(
            plan(&store, &ONLY_ME_OVERDUE_EXISTS),
            [
                "SCAN CONSTANT ROW",
                "SCALAR SUBQUERY 1",
                "SEARCH reminders USING INDEX reminders_kind_due (status=? AND kind=?)"
            ]
        );
        assert_eq!(
            plan(&store, &ONLY_ME_OVERDUE),
            ["SEARCH reminders USING INDEX reminders_kind_due (status=? AND kind=?)"]
        );
        assert_eq!(
            plan(&store, &OPEN_FOLLOW_UP),
            ["SEARCH reminders USING INDEX sqlite_autoindex_reminders_1 (source_key=?)"]
        );
        assert_eq!(
            plan(&store, &MARK_DONE),
            ["SEARCH reminders USING INTEGER PRIMARY KEY (rowid=?)"]
        );
        assert_eq!(
            plan(&store, &DROP_PERIODIC_HELD_BY),
            [
                "SEARCH reminders USING INDEX reminders_one_open_periodic (customer_id=? AND kind=?)",
                "CORRELATED SCALAR SUBQUERY 1",
                "SEARCH k USING INDEX reminders_customer (customer_id=? AND status=?)"
            ]
        );
    }
}
