//! Care reminders (DESIGN §3.5) as stored: the follow-ups a logged contact creates, moves,
//! carries over or skips, their escalation to anyone on the desk, the ones a card shows and
//! the desk counts, and the periodic ones a merge would pile up. Statuses and kinds are
//! `domain::reminder`'s; every statement of the `reminders` table is here.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::Result;
use crate::domain::interaction::FollowUpScope;

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
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// The reminders due by `today` (and every open follow-up) of one customer, for the card.
pub(super) fn due_on_card(
    conn: &Connection,
    customer_id: i64,
    today: NaiveDate,
) -> Result<Vec<DueReminder>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.kind, r.title, r.due_on, r.due_at, r.scope, o.name FROM reminders r
             LEFT JOIN operators o ON o.id = r.assignee_id
             WHERE r.customer_id = ?1 AND r.status IN ('open', 'snoozed')
               AND (COALESCE(r.snoozed_until, r.due_on) <= ?2 OR r.kind = 'follow_up')
             ORDER BY r.due_on, r.due_at LIMIT 10",
    )?;
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
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(due)
}

/// Open reminders due by `today` across the desk (the status bar's figure).
pub(super) fn due_count(conn: &Connection, today: NaiveDate) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM reminders WHERE status = 'open' AND due_on <= ?1")?
        .query_row([today.to_string()], |r| r.get(0))?)
}

/// Whether any "only me" follow-up still to do was due at or before `cutoff`.
pub(super) fn only_me_overdue_exists(conn: &Connection, cutoff: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM reminders WHERE kind = 'follow_up' AND scope = 'me'
               AND status IN ('open', 'snoozed') AND due_at <= ?1)",
        )?
        .query_row([cutoff], |r| r.get(0))?)
}

/// The "only me" follow-ups still to do that were due at or before `cutoff`, with their owner.
pub(super) fn only_me_overdue(
    tx: &Transaction<'_>,
    cutoff: i64,
) -> Result<Vec<(i64, Option<i64>)>> {
    Ok(tx
        .prepare_cached(
            "SELECT id, assignee_id FROM reminders WHERE kind = 'follow_up' AND scope = 'me'
                       AND status IN ('open', 'snoozed') AND due_at <= ?1",
        )?
        .query_map([cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Hands a follow-up to anyone on the desk.
pub(super) fn hand_to_anyone(tx: &Transaction<'_>, id: i64, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE reminders SET scope = 'anyone', updated_at = ?2, version = version + 1
                     WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// A reminder's customer and status, when it exists.
pub(super) fn owner_and_status(tx: &Transaction<'_>, id: i64) -> Result<Option<(i64, String)>> {
    Ok(tx
        .query_row(
            "SELECT customer_id, status FROM reminders WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The follow-up reminder logged with `interaction`, when it is still to do: its id and day.
pub(super) fn open_follow_up(
    tx: &Transaction<'_>,
    interaction: i64,
) -> Result<Option<(i64, String)>> {
    Ok(tx
        .prepare_cached(
            "SELECT id, due_on FROM reminders
             WHERE source_key = ?1 AND kind = 'follow_up' AND status IN ('open', 'snoozed')",
        )?
        .query_row([format!("follow_up:{interaction}")], |r| {
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
    Ok(tx.execute(
        "UPDATE reminders SET status = 'done', done_interaction_id = ?2, updated_at = ?3,
                    version = version + 1
             WHERE id = ?1 AND status IN ('open', 'snoozed')",
        params![reminder, interaction, now],
    )?)
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
                                status = 'open', snoozed_until = NULL, updated_at = ?9,
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
    tx.prepare_cached(
        "INSERT INTO reminders (customer_id, kind, source_key, due_on, title,
                                note, status, assignee_id, scope, due_at, created_by, created_at,
                                updated_at)
                             VALUES (?1, 'follow_up', ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8, ?9,
                                ?10, ?10)",
    )?
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
        "UPDATE reminders SET source_key = ?2, status = 'skipped', skip_reason = ?3,
                        updated_at = ?4, version = version + 1
                     WHERE id = ?1",
    )?
    .execute(params![reminder, source, reason, now])?;
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
    tx.execute(
                "UPDATE reminders SET status = 'deleted', skip_reason = 'merged duplicate', updated_at = ?3,
                        version = version + 1
                 WHERE customer_id = ?2 AND status IN ('open', 'snoozed')
                   AND kind IN ('return_visit', 'profile_verification', 'renewal')
                   AND EXISTS (SELECT 1 FROM reminders k WHERE k.customer_id = ?1 AND k.kind = reminders.kind
                               AND k.status IN ('open', 'snoozed'))",
                params![keep, other, now],
            )?;
    Ok(())
}
