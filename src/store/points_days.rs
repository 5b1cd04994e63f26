//! The points ledger summed by day (`points_days`, migration 0027), kept by triggers in the
//! same transaction as every ledger row written, changed or erased: the reports add a
//! period's whole UTC days from here and read the part-days at its edges from the ledger, so
//! that a year of points costs a few hundred rows instead of millions. `careline check`
//! compares the sums with a recount of the ledger; `check --recount` makes them again.

use std::collections::BTreeMap;

use rusqlite::params;

use super::Result;

/// Seconds in a day of the sums (UTC days: `at / 86400`).
const DAY: i64 = 86_400;

/// The sums recounted from the ledger: what `points_days` holds when right.
const RECOUNT: &str = "SELECT at / 86400, coalesce(operator_id, 0), kind,
        COALESCE(sum(CASE WHEN delta > 0 THEN delta END), 0),
        COALESCE(sum(CASE WHEN delta < 0 THEN -delta END), 0), count(*)
   FROM points_ledger GROUP BY 1, 2, 3";

/// The points' sums, and the triggers that keep them (which a bulk load drops and makes again,
/// recounting the sums once instead of once a row).
pub(crate) const KEPT: Kept = Kept {
    table: "points_days",
    recount: RECOUNT,
    triggers: &[
        "points_days_add",
        "points_days_remove",
        "points_days_change",
    ],
};

/// A table of sums kept by triggers from the rows they sum: its name, the query that makes it
/// from those rows, and its triggers.
pub(crate) struct Kept {
    pub table: &'static str,
    pub recount: &'static str,
    pub triggers: &'static [&'static str],
}

impl Kept {
    /// Whether the file has the table (one older than its migration does not).
    pub(crate) fn exists(&self, conn: &rusqlite::Connection) -> Result<bool> {
        Ok(conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [self.table],
            |r| r.get(0),
        )?)
    }

    /// Makes the table again from the rows it sums.
    pub(crate) fn remake(&self, tx: &rusqlite::Connection) -> Result<()> {
        Ok(tx.execute_batch(&format!(
            "DELETE FROM {table}; INSERT INTO {table} {recount};",
            table = self.table,
            recount = self.recount
        ))?)
    }

    /// Makes the table again from the rows it sums, after counting with `wrong` the rows that
    /// differed; that count (0 for a file without the table).
    pub(crate) fn recount(
        &self,
        tx: &rusqlite::Connection,
        wrong: impl FnOnce(&rusqlite::Connection) -> Result<usize>,
    ) -> Result<usize> {
        if !self.exists(tx)? {
            return Ok(0);
        }
        let n = wrong(tx)?;
        self.remake(tx)?;
        Ok(n)
    }

    /// Drops the triggers for a bulk load; what [`Kept::resume`] makes again.
    pub(crate) fn suspend(&self, tx: &rusqlite::Connection) -> Result<Vec<String>> {
        let mut dropped = Vec::new();
        for name in self.triggers {
            let sql: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                [name],
                |r| r.get(0),
            ))?;
            if let Some(sql) = sql {
                tx.execute_batch(&format!("DROP TRIGGER {name}"))?;
                dropped.push(sql);
            }
        }
        Ok(dropped)
    }

    /// Makes the table from the rows as they now are, and the triggers [`Kept::suspend`]
    /// dropped again.
    pub(crate) fn resume(&self, tx: &rusqlite::Connection, dropped: Vec<String>) -> Result<()> {
        if self.exists(tx)? {
            self.remake(tx)?;
        }
        for sql in dropped {
            tx.execute_batch(&sql)?;
        }
        Ok(())
    }
}

/// The first few of what differs, and how many more there are.
pub(crate) fn first_few(lines: Vec<String>, rows: &str) -> Vec<String> {
    let more = lines.len().saturating_sub(3);
    let mut out: Vec<String> = lines.into_iter().take(3).collect();
    if more > 0 {
        out.push(format!("and {more} more {rows}"));
    }
    out
}

/// Points moved in `[start, end)` (Unix seconds), by whoever wrote them or by `only`:
/// (earned: every gain; redeemed: the `redeem` rows; expired: the `expire` rows).
pub(crate) fn points_moved(
    conn: &rusqlite::Connection,
    start: i64,
    end: i64,
    only: Option<i64>,
) -> Result<(i64, i64, i64)> {
    let first_day = start.div_euclid(DAY) + i64::from(start.rem_euclid(DAY) != 0);
    let last_day = end.div_euclid(DAY);
    let mut moved = (0, 0, 0);
    let mut add = |(earned, redeemed, expired): (i64, i64, i64)| {
        moved.0 += earned;
        moved.1 += redeemed;
        moved.2 += expired;
    };
    if first_day < last_day {
        add(from_ledger(conn, start, first_day * DAY, only)?);
        add(conn
            .prepare_cached(
                "SELECT COALESCE(sum(gained), 0),
                        COALESCE(sum(CASE WHEN kind = 'redeem' THEN taken END), 0),
                        COALESCE(sum(CASE WHEN kind = 'expire' THEN taken END), 0)
                   FROM points_days
                  WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR operator_id = ?3)",
            )?
            .query_row(params![first_day, last_day, only], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?);
        add(from_ledger(conn, last_day * DAY, end, only)?);
    } else {
        add(from_ledger(conn, start, end, only)?);
    }
    Ok(moved)
}

/// The points of `[start, end)` summed from the ledger itself.
fn from_ledger(
    conn: &rusqlite::Connection,
    start: i64,
    end: i64,
    only: Option<i64>,
) -> Result<(i64, i64, i64)> {
    if start >= end {
        return Ok((0, 0, 0));
    }
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(sum(CASE WHEN delta > 0 THEN delta END), 0),
                    COALESCE(sum(CASE WHEN delta < 0 AND kind = 'redeem' THEN -delta END), 0),
                    COALESCE(sum(CASE WHEN delta < 0 AND kind = 'expire' THEN -delta END), 0)
               FROM points_ledger
              WHERE at >= ?1 AND at < ?2 AND (?3 IS NULL OR operator_id = ?3)",
        )?
        .query_row(params![start, end, only], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?)
}

/// A row of the sums: UTC day, operator (0 for none), kind.
type Key = (i64, i64, String);

/// A row that differs: its key, what is kept, what the ledger has (gained, taken, rows).
type Differing = (Key, [i64; 3], [i64; 3]);

fn sums(conn: &rusqlite::Connection, sql: &str) -> Result<BTreeMap<Key, [i64; 3]>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut out = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let value = [r.get(3)?, r.get(4)?, r.get(5)?];
        if value != [0; 3] {
            out.insert((r.get(0)?, r.get(1)?, r.get(2)?), value);
        }
    }
    Ok(out)
}

/// Each row where the sums kept and a recount of the ledger differ: key, kept, recounted.
fn differing(conn: &rusqlite::Connection) -> Result<Vec<Differing>> {
    let kept = sums(
        conn,
        "SELECT day, operator_id, kind, gained, taken, moves FROM points_days",
    )?;
    Ok(differences(kept, sums(conn, RECOUNT)?))
}

/// Each key where what is kept and a recount differ, in key order: the key, what is kept and
/// what the recount has (a key missing on either side counts as the default, nothing).
pub(crate) fn differences<K: Ord, V: PartialEq + Default>(
    mut kept: BTreeMap<K, V>,
    recount: BTreeMap<K, V>,
) -> Vec<(K, V, V)> {
    let mut wrong = Vec::new();
    for (key, has) in recount {
        let was = kept.remove(&key).unwrap_or_default();
        if was != has {
            wrong.push((key, was, has));
        }
    }
    wrong.extend(kept.into_iter().map(|(key, was)| (key, was, V::default())));
    wrong.sort_by(|a, b| a.0.cmp(&b.0));
    wrong
}

/// Where the points' daily sums differ from a recount of the ledger, in words (the first
/// few, and how many in all); nothing for a file older than the sums.
pub(crate) fn check(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    if !KEPT.exists(conn)? {
        return Ok(Vec::new());
    }
    let wrong = differing(conn)?
        .into_iter()
        .map(|((day, operator, kind), a, b)| {
            let date = chrono::DateTime::from_timestamp(day * DAY, 0)
                .map(|t| t.date_naive().to_string())
                .unwrap_or_else(|| format!("day {day}"));
            format!(
                "points {date} (UTC) operator {operator} {kind}: kept {}/{}/{}, the ledger has {}/{}/{} (gained/taken/rows)",
                a[0], a[1], a[2], b[0], b[1], b[2]
            )
        })
        .collect();
    Ok(first_few(wrong, "points rows"))
}

/// Makes the sums again from the ledger; how many rows were wrong.
pub(crate) fn recount(tx: &rusqlite::Connection) -> Result<usize> {
    KEPT.recount(tx, |tx| Ok(differing(tx)?.len()))
}
