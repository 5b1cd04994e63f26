//! The reminders counted by the day they are due (`reminder_days`, migration 0029), kept by
//! triggers in the same transaction as every reminder written, changed or deleted: a report
//! reads a period's reminders due and done from a few hundred rows instead of an index range
//! of hundreds of thousands. Due days are the centre's own days, so a period reads them whole.
//! `careline check` compares the counts with a recount; `check --recount` makes them again.

use std::collections::BTreeMap;

use super::Result;

use super::points_days::{first_few, Kept};

/// The counts recounted from the reminders: what `reminder_days` holds when right.
const RECOUNT: &str = "SELECT due_on, kind, coalesce(assignee_id, 0), status, count(*)
   FROM reminders GROUP BY 1, 2, 3, 4";

/// The counts, and the triggers that keep them (dropped for a demo load, which recounts once
/// at its end).
pub(crate) const KEPT: Kept = Kept {
    table: "reminder_days",
    recount: RECOUNT,
    triggers: &[
        "reminder_days_add",
        "reminder_days_remove",
        "reminder_days_change",
    ],
};

/// A row of the counts: due day, kind, who it is kept for (0 for anyone), status.
type Key = (String, String, i64, String);

fn counts(conn: &rusqlite::Connection, sql: &str) -> Result<BTreeMap<Key, i64>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut out = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let n: i64 = r.get(4)?;
        if n != 0 {
            out.insert((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?), n);
        }
    }
    Ok(out)
}

/// Each row where the counts kept and a recount differ: key, kept, recounted.
fn differing(conn: &rusqlite::Connection) -> Result<Vec<(Key, i64, i64)>> {
    let kept = counts(
        conn,
        "SELECT day, kind, assignee_id, status, reminders FROM reminder_days",
    )?;
    Ok(super::points_days::differences(
        kept,
        counts(conn, RECOUNT)?,
    ))
}

/// Where the counts differ from a recount of the reminders, in words (the first few, and how
/// many in all); nothing for a file older than the counts.
pub(crate) fn check(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    if !KEPT.exists(conn)? {
        return Ok(Vec::new());
    }
    let wrong = differing(conn)?
        .into_iter()
        .map(|((day, kind, assignee, status), was, has)| {
            format!(
                "reminders due {day} {kind} kept for {assignee} {status}: kept {was}, the reminders are {has}"
            )
        })
        .collect();
    Ok(first_few(wrong, "reminder rows"))
}

/// Makes the counts again from the reminders; how many rows were wrong.
pub(crate) fn recount(tx: &rusqlite::Connection) -> Result<usize> {
    KEPT.recount(tx, |tx| Ok(differing(tx)?.len()))
}
