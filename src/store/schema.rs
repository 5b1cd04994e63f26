//! Versioned migrations: an ordered list of embedded `.sql` files; the version lives in
//! `PRAGMA user_version`; each step runs in its own transaction; a newer database is refused.

use rusqlite::{Connection, TransactionBehavior};

use super::{Result, StoreError};

pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_interaction_log.sql"),
    include_str!("migrations/0003_log_filters.sql"),
    include_str!("migrations/0004_log_filter_columns.sql"),
    include_str!("migrations/0005_complaint_life.sql"),
    include_str!("migrations/0006_open_complaints_index.sql"),
    include_str!("migrations/0007_complaint_follow_ups.sql"),
    include_str!("migrations/0008_event_facts.sql"),
    include_str!("migrations/0009_name_index_merges.sql"),
    include_str!("migrations/0010_care.sql"),
    include_str!("migrations/0011_care_list.sql"),
    include_str!("migrations/0012_care_generation.sql"),
    include_str!("migrations/0013_reminder_badges.sql"),
    include_str!("migrations/0014_audit_witness.sql"),
    include_str!("migrations/0015_privacy.sql"),
    include_str!("migrations/0016_access_requests.sql"),
    include_str!("migrations/0017_pin_lock.sql"),
    include_str!("migrations/0018_consent_channel.sql"),
    include_str!("migrations/0019_name_index_secure_delete.sql"),
    include_str!("migrations/0020_direct_grants_listed.sql"),
    include_str!("migrations/0021_report_sums.sql"),
    include_str!("migrations/0022_report_indexes.sql"),
    include_str!("migrations/0023_opportunities.sql"),
    include_str!("migrations/0024_segments.sql"),
    include_str!("migrations/0025_loyalty.sql"),
    include_str!("migrations/0026_csat_scale.sql"),
    include_str!("migrations/0027_points_days.sql"),
    include_str!("migrations/0028_report_cold_indexes.sql"),
    include_str!("migrations/0029_reminder_days.sql"),
    include_str!("migrations/0030_points_balance.sql"),
];

/// The version whose step re-chains the audit log in code after its SQL.
pub(crate) const AUDIT_RECHAIN: i64 = 14;

/// A migration carrying this line runs with foreign keys off (SQLite's way to change a table's
/// `CHECK`: a new table copied over), and is checked with `PRAGMA foreign_key_check` before
/// it commits.
const FOREIGN_KEYS_OFF: &str = "-- careline: foreign_keys off";

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies the pending migrations; the version the database had before.
pub(super) fn migrate(conn: &mut Connection, path: &str) -> Result<i64> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_string(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let version = index as i64 + 1;
        let keys_off = sql.contains(FOREIGN_KEYS_OFF);
        if keys_off {
            conn.pragma_update(None, "foreign_keys", false)?;
        }
        let step = step(conn, sql, version, keys_off, path);
        if keys_off {
            conn.pragma_update(None, "foreign_keys", true)?;
        }
        step?;
    }
    Ok(found)
}

fn step(conn: &mut Connection, sql: &str, version: i64, keys_off: bool, path: &str) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the lock.
    let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if now >= version {
        return Ok(());
    }
    tx.execute_batch(sql)?;
    if version == AUDIT_RECHAIN {
        super::audit::rechain(&tx, path)?;
    }
    if keys_off {
        let broken: i64 =
            tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if broken > 0 {
            return Err(StoreError::Database(format!(
                "migrating {path} to schema version {version} would leave {} pointing at \
                 missing rows; nothing was changed",
                crate::text::counted(broken, "row", "rows")
            )));
        }
    }
    tx.pragma_update(None, "user_version", version)?;
    tx.commit()?;
    tracing::info!("migrated {path} to schema version {version}");
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A new database in a temporary folder with the first `version` migrations applied, as a
    /// careline of that schema version left it.
    pub(crate) fn as_version(version: usize) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = Connection::open(dir.path().join("old.db")).expect("open");
        conn.pragma_update(None, "foreign_keys", true).expect("fk");
        for (i, sql) in MIGRATIONS.iter().take(version).enumerate() {
            let tx = conn.transaction().expect("tx");
            tx.execute_batch(sql).expect("migration");
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .expect("version");
            tx.commit().expect("commit");
        }
        (dir, conn)
    }

    /// A database as schema version 4 left it, with three complaints: one open and never
    /// acknowledged, one waiting, one merged into the first (the status `merged` did not exist:
    /// `merged_into` said it); each with an event, and one with an interaction pointing at it.
    fn version_4() -> (tempfile::TempDir, Connection) {
        let (dir, conn) = as_version(4);
        conn.execute_batch(
            "INSERT INTO operators (id, login, name, role, created_at)
                 VALUES (1, 'boss', 'Boss', 'admin', 0);
             INSERT INTO customers (id, code, name, created_at, updated_at)
                 VALUES (1, 'C1', '王秀英', 0, 0);
             INSERT INTO complaints (id, customer_id, opened_by, category, severity, status,
                 title, channel, opened_at, ack_due_at, propose_due_at, resolve_due_at)
                 VALUES (1, 1, 1, 'delivery', 'normal', 'new', 'late', 'email', 1000,
                         2800, 8200, 260200);
             INSERT INTO complaints (id, customer_id, opened_by, category, severity, status,
                 title, channel, opened_at, acknowledged_at, proposed_at, ack_due_at,
                 propose_due_at, resolve_due_at, paused_at)
                 VALUES (2, 1, 1, 'price', 'low', 'waiting', 'price', 'phone_in', 1000, 1000,
                         2000, 2800, 8200, 433000, 5000);
             INSERT INTO complaints (id, customer_id, opened_by, category, severity, status,
                 title, channel, opened_at, ack_due_at, propose_due_at, resolve_due_at,
                 merged_into)
                 VALUES (3, 1, 1, 'delivery', 'normal', 'closed', 'late again', 'email', 1500,
                         3300, 8700, 260700, 1);
             INSERT INTO complaint_events (complaint_id, operator_id, at, kind, to_status)
                 VALUES (1, 1, 1000, 'opened', 'new'), (2, 1, 1000, 'opened', 'acknowledged'),
                        (3, 1, 1500, 'opened', 'new');
             INSERT INTO interactions (id, customer_id, operator_id, channel, direction,
                 disposition, started_at, complaint_id, created_at)
                 VALUES (1, 1, 1, 'email', 'inbound', 'complaint_opened', 1000, 1, 1000);",
        )
        .expect("version 4 rows");
        (dir, conn)
    }

    /// id, status, next clock, its deadline, the status a wait goes back to.
    type Placed = (i64, String, Option<String>, Option<i64>, Option<String>);

    #[test]
    fn complaints_keep_their_rows_and_gain_their_queue_places() {
        let (_dir, mut conn) = version_4();
        migrate(&mut conn, "v4.db").expect("migrates");
        let rows: Vec<Placed> = conn
            .prepare(
                "SELECT id, status, next_clock, next_due_at, waiting_from FROM complaints
                 ORDER BY id",
            )
            .expect("prepare")
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(
            rows,
            [
                // Never acknowledged: its acknowledge clock (due 2800) comes first.
                (
                    1,
                    "new".into(),
                    Some("acknowledge".into()),
                    Some(2800),
                    None
                ),
                // Waiting, acknowledged and proposed: only the paused resolution clock is left.
                (2, "waiting".into(), None, None, Some("in_progress".into())),
                // Merged into the first: the status says so now, and it leaves the queue.
                (3, "merged".into(), None, None, None),
            ]
        );
        // Due soon with a quarter of the span left, as 24×7 clocks counted: 2800 - 1800/4.
        let soon: i64 = conn
            .query_row("SELECT ack_soon_at FROM complaints WHERE id = 1", [], |r| {
                r.get(0)
            })
            .expect("soon");
        assert_eq!(soon, 2350);
        let events: i64 = conn
            .query_row("SELECT count(*) FROM complaint_events", [], |r| r.get(0))
            .expect("events");
        assert_eq!(events, 3);
        let broken: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .expect("fk check");
        assert_eq!(broken, 0);
        let fk: bool = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("pragma");
        assert!(fk, "foreign keys are on again after the migration");
        // The new status is accepted, and a complaint event may be careline's own.
        conn.execute(
            "INSERT INTO complaint_events (complaint_id, operator_id, at, kind)
             VALUES (1, NULL, 3000, 'auto_escalate')",
            [],
        )
        .expect("a system event");
    }
}
