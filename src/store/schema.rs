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
];

/// A migration carrying this line runs with foreign keys off (SQLite's way to change a table's
/// `CHECK`: a new table copied over), and is checked with `PRAGMA foreign_key_check` before
/// it commits.
const FOREIGN_KEYS_OFF: &str = "-- careline: foreign_keys off";

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(conn: &mut Connection, path: &str) -> Result<()> {
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
    Ok(())
}

fn step(conn: &mut Connection, sql: &str, version: i64, keys_off: bool, path: &str) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the lock.
    let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if now >= version {
        return Ok(());
    }
    tx.execute_batch(sql)?;
    if keys_off {
        let broken: i64 =
            tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if broken > 0 {
            return Err(StoreError::Database(format!(
                "migrating {path} to schema version {version} would leave {broken} rows \
                 pointing at missing rows; nothing was changed"
            )));
        }
    }
    tx.pragma_update(None, "user_version", version)?;
    tx.commit()?;
    tracing::info!("migrated {path} to schema version {version}");
    Ok(())
}
