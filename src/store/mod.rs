//! Everything that speaks SQL. One `Store` per process holds one connection; every write goes
//! through [`Store::write`], which begins `IMMEDIATE`, retries while another operator holds the
//! write lock, appends its audit entries in the same transaction and commits.

mod audit;
mod bulk;
mod card;
mod complaints;
mod customers;
mod drafts;
mod exports;
mod imports;
mod interactions;
mod location;
mod operators;
mod pops;
mod purchases;
pub(crate) mod schema;
mod search;

pub use audit::{AuditEntry, ChainReport};
pub(crate) use bulk::{BulkLoad, Column, PreparedCustomer, Preparer, Rows};
pub use card::{CardData, ContactLine, DeskCounts, DueReminder, OpenComplaint};
pub use complaints::NewComplaint;
pub use customers::{Contact, Customer, CustomerSummary, DuplicateWarning, Saved};
pub use drafts::Draft;
pub use exports::ExportedCustomer;
pub use imports::{ImportDuplicate, ImportOutcome, RowCheck, BATCH};
pub use interactions::{
    ComplaintEvent, FollowUp, HistoryItem, Interaction, LogCursor, LogFilter, Logged,
    NewInteraction,
};
pub use location::{filesystem_kind, FsKind};
pub use operators::{Actor, Operator, Role};
pub use pops::ScreenPop;
pub(crate) use purchases::PurchaseFigures;
pub use purchases::{NewPurchase, Purchase};
pub use schema::SCHEMA_VERSION;
pub use search::{Match, MatchRank, SearchResult, DEFAULT_LIMIT};

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::domain::complaint::SlaRules;
use crate::domain::contact::PhoneRules;
use crate::domain::customer::FieldError;
use crate::domain::interaction::LogRules;
use crate::domain::tier::TierRules;

/// What can go wrong in the store. Each message names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("{}", join_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("operator '{login}' is not registered in {db}; ask an administrator to run `careline operator add {login} --name NAME --role operator`")]
    UnknownOperator { login: String, db: String },
    #[error("operator '{0}' is disabled; ask an administrator to enable the account")]
    DisabledOperator(String),
    #[error("{0} has no operators yet; run `careline init` first")]
    NotInitialised(String),
    #[error("the database {path} has schema version {found}, newer than this careline understands ({supported}); use a newer careline")]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{path} is on a network file system ({fs}); SQLite's locking is unsafe there and the database can be corrupted. Put it on a local disk of the host that operators reach over SSH, or pass --allow-network-fs to accept the risk")]
    NetworkFileSystem { path: String, fs: String },
    #[error(
        "the database stayed busy for {0:?}; another careline is holding a long write, try again"
    )]
    Busy(Duration),
    #[error("cannot open {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn join_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How to open a database.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Create the file (owner-only permissions) when it does not exist.
    pub create: bool,
    /// Accept a database on NFS/SMB/CIFS despite the locking risk.
    pub allow_network_fs: bool,
    /// How long a write waits for another operator's write before giving up.
    pub busy_timeout: Duration,
    pub phone: PhoneRules,
    pub tiers: TierRules,
    pub log: LogRules,
    pub sla: SlaRules,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            create: true,
            allow_network_fs: false,
            busy_timeout: Duration::from_secs(5),
            phone: PhoneRules::default(),
            tiers: TierRules::default(),
            log: LogRules::default(),
            sla: SlaRules::default(),
        }
    }
}

/// A clock that can be pinned, so tests and the demo generator choose "now".
#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => t,
        }
    }
}

/// The page cache of an operator's connection, in KiB.
pub(crate) const CACHE_KIB: i64 = 16_000;

/// One open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    options: OpenOptions,
    clock: Clock,
}

/// Runs `analysis` (`ANALYZE`, or `PRAGMA optimize` that analyses only what needs it) and
/// keeps only the averages in `sqlite_stat1`: with `sqlite_stat4`'s samples SQLite plans
/// every statement again each time it is bound to new values, which made a lookup by phone
/// suffix six times slower on a million customers (0.52 → 3.4 ms at the median). The one
/// choice the samples would help with, which index answers two filters of the desk log at
/// once, the log does without them (`desk_log_race`).
pub(crate) fn refresh_statistics(conn: &Connection, analysis: &str) -> rusqlite::Result<()> {
    conn.execute_batch(analysis)?;
    let samples: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat4'",
        [],
        |r| r.get(0),
    )?;
    if samples > 0 {
        let rows: i64 = conn.query_row("SELECT count(*) FROM sqlite_stat4", [], |r| r.get(0))?;
        if rows > 0 {
            // ANALYZE sqlite_schema makes the connection load the statistics again.
            conn.execute_batch("DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")?;
        }
    }
    Ok(())
}

impl Store {
    /// Opens (and creates, when asked) the database at `path`, refusing network file systems
    /// and databases newer than this binary, and applies pending migrations.
    pub fn open(path: &Path, options: OpenOptions) -> Result<Store> {
        let display = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if options.create {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                    path: display.clone(),
                    reason: format!("cannot create its folder: {e}"),
                })?;
            }
            if !options.allow_network_fs {
                if let FsKind::Network(fs) = filesystem_kind(parent) {
                    return Err(StoreError::NetworkFileSystem {
                        path: display,
                        fs: fs.to_string(),
                    });
                }
            }
        }
        if !path.exists() {
            if !options.create {
                return Err(StoreError::Open {
                    path: display,
                    reason: "no such database; run `careline init` to create one".into(),
                });
            }
            // Created owner-only before SQLite opens it; SQLite gives the -wal and -shm
            // files the same permissions.
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| StoreError::Open {
                    path: display.clone(),
                    reason: e.to_string(),
                })?;
        }
        // SQLite counts every allocation it makes under a global mutex, for statistics careline
        // never reads; the SQLite documentation recommends turning that off, and it saves 5 %
        // of the time of a large demo. It can only be set before SQLite initialises, which
        // the first connection of the process does; later calls fail harmlessly.
        static NO_MEMORY_STATISTICS: std::sync::Once = std::sync::Once::new();
        NO_MEMORY_STATISTICS.call_once(|| {
            // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int argument; sqlite3_config is only
            // refused (SQLITE_MISUSE), never unsafe, once SQLite is initialised.
            unsafe {
                rusqlite::ffi::sqlite3_config(
                    rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                    0 as std::os::raw::c_int,
                );
            }
        });
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Open {
            path: display.clone(),
            reason: e.to_string(),
        })?;
        conn.busy_timeout(options.busy_timeout)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            options,
            clock: Clock::System,
        };
        schema::migrate(&mut store.conn, &display)?;
        Ok(store)
    }

    /// Planner statistics for what needs them: an index never analysed (a new migration's), a
    /// table that grew or shrank a lot since (`PRAGMA optimize`, as SQLite advises for a
    /// long-lived connection). The desk log's filters depend on them to pick the right index.
    /// The screen runs it after its first frame and then hourly, never before it draws.
    pub fn refresh_planner_statistics(&self) -> Result<()> {
        Ok(refresh_statistics(&self.conn, "PRAGMA optimize=0x10002")?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Forgets every cached page of the database, so that the next statement reads from the
    /// disk as after a reboot: SQLite's own cache (`PRAGMA shrink_memory`) and the operating
    /// system's page cache of the database file and its WAL (`posix_fadvise(DONTNEED)`, after
    /// writing back whatever is dirty, which the kernel would otherwise keep). For `careline
    /// bench lookup --cold`.
    pub fn drop_caches(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA shrink_memory")?;
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        for path in [self.path.clone(), PathBuf::from(wal)] {
            let file = match std::fs::File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(StoreError::Io(e)),
            };
            file.sync_data().map_err(StoreError::Io)?;
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd as _;
                // SAFETY: the descriptor is open for the duration of the call; the advice only
                // drops clean cached pages and never changes the file.
                let rc = unsafe {
                    libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED)
                };
                if rc != 0 {
                    return Err(StoreError::Io(std::io::Error::from_raw_os_error(rc)));
                }
            }
        }
        Ok(())
    }

    pub fn phone_rules(&self) -> &PhoneRules {
        &self.options.phone
    }

    pub fn tier_rules(&self) -> &TierRules {
        &self.options.tiers
    }

    /// Wrap-up codes, response standards and follow-up rules of this database's settings.
    pub fn log_rules(&self) -> &LogRules {
        &self.options.log
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&chrono::Local).date_naive()
    }

    /// The connection, for reads. Writes go through [`Store::write`].
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// `PRAGMA data_version`: changes when another connection commits, so a running TUI can
    /// notice other operators' work without re-reading everything.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The one door for writes: begins `IMMEDIATE` (so two writers never deadlock on an
    /// upgrade), retries while the database is busy, runs `work`, appends the audit entries it
    /// recorded with the hash chain, and commits. `work` may run more than once when the
    /// database was busy, so it must only touch the database through the writer it is given.
    pub fn write<T>(
        &mut self,
        actor: &Actor,
        mut work: impl FnMut(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let started = Instant::now();
        let deadline = self.options.busy_timeout;
        let mut pause = Duration::from_millis(2);
        loop {
            match self.try_write(actor, &mut work) {
                Err(e) if is_busy(&e) && started.elapsed() < deadline => {
                    tracing::debug!("write busy, retrying after {pause:?}");
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(e) if is_busy(&e) => return Err(StoreError::Busy(started.elapsed())),
                other => return other,
            }
        }
    }

    fn try_write<T>(
        &mut self,
        actor: &Actor,
        work: &mut impl FnMut(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut writer = Writer {
            tx,
            actor,
            now,
            audit: Vec::new(),
            phone: &self.options.phone,
            tiers: &self.options.tiers,
            log: &self.options.log,
            sla: &self.options.sla,
        };
        let value = work(&mut writer)?;
        let Writer { tx, audit, .. } = writer;
        audit::append(&tx, actor, now, &audit)?;
        tx.commit()?;
        Ok(value)
    }
}

fn is_busy(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
        if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

/// An open write transaction with its actor, time and pending audit entries.
pub struct Writer<'a> {
    tx: Transaction<'a>,
    actor: &'a Actor,
    now: DateTime<Utc>,
    audit: Vec<AuditEntry>,
    phone: &'a PhoneRules,
    tiers: &'a TierRules,
    log: &'a LogRules,
    sla: &'a SlaRules,
}

impl Writer<'_> {
    pub(crate) fn tx(&self) -> &Transaction<'_> {
        &self.tx
    }

    pub fn actor(&self) -> &Actor {
        self.actor
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&chrono::Local).date_naive()
    }

    /// The phone rules of this database's settings.
    pub fn phone_rules(&self) -> &PhoneRules {
        self.phone
    }

    /// The tier rules of this database's settings.
    pub fn tier_rules(&self) -> &TierRules {
        self.tiers
    }

    /// The interaction-log rules of this database's settings.
    pub fn log_rules(&self) -> &LogRules {
        self.log
    }

    /// The complaint SLA targets of this database's settings.
    pub fn sla_rules(&self) -> &SlaRules {
        self.sla
    }

    /// Records what this write did; written with the commit.
    pub fn audit(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        detail: serde_json::Value,
    ) {
        self.audit.push(AuditEntry {
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id,
            detail,
        });
    }
}

/// Checks contacts as the store will normalise them, for import reports.
pub fn check_contacts(
    contacts: &[crate::domain::customer::ContactInput],
    rules: &PhoneRules,
) -> std::result::Result<(), Vec<FieldError>> {
    customers::normalize_contacts(contacts, rules).map(|_| ())
}

/// Contacts of generated data, normalised; a generated contact that does not normalise is left out.
pub(crate) fn normalize_for_demo(
    fields: &crate::domain::customer::CustomerFields,
    rules: &PhoneRules,
) -> Vec<customers::NormalContact> {
    customers::normalize_contacts(&fields.contacts, rules).unwrap_or_default()
}

/// Inserts a generated or imported customer without its own audit entry (the bulk operation
/// records one for all).
pub(crate) fn insert_customer_quiet(
    w: &Writer<'_>,
    fields: &crate::domain::customer::CustomerFields,
    contacts: &[customers::NormalContact],
) -> Result<i64> {
    customers::insert_record(w, fields, contacts).map(|(id, _)| id)
}

pub(crate) fn refresh_purchase_summary(w: &Writer<'_>, customer_id: i64) -> Result<()> {
    purchases::refresh_summary(w.tx(), customer_id, w.today(), w.tiers)
}

pub(crate) fn refresh_rfm_in(w: &Writer<'_>) -> Result<usize> {
    purchases::refresh_rfm(w.tx())
}

/// A value to bind that owns its text or borrows static text: a row a bulk load holds until it
/// writes it.
pub(crate) type Cell = rusqlite::types::ToSqlOutput<'static>;

/// Reads a calendar date stored as text.
pub(crate) fn parse_stored_date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
}

/// A calendar date as stored: `YYYY-MM-DD` (chrono's `Display`, the same text as the format
/// `%Y-%m-%d` but many times faster, which a bulk load of millions of dates notices).
pub(crate) fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

/// What `careline check` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckReport {
    pub schema_version: i64,
    pub integrity: Vec<String>,
    pub foreign_key_problems: usize,
    pub audit: ChainReport,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.integrity == ["ok"] && self.foreign_key_problems == 0 && self.audit.broken_at.is_none()
    }
}

impl Store {
    /// Integrity check, foreign keys, schema version and the audit chain.
    pub fn check(&self) -> Result<CheckReport> {
        let conn = self.conn();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let integrity = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let foreign_key_problems = stmt.query_map([], |_| Ok(()))?.count();
        Ok(CheckReport {
            schema_version: conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
            integrity,
            foreign_key_problems,
            audit: audit::verify(conn)?,
        })
    }

    pub fn customer_count(&self) -> Result<i64> {
        // Counted through the code index and the partial index of merged records: a whole
        // table scan takes a quarter of a second on a million customers.
        Ok(self.conn().query_row(
            "SELECT (SELECT count(*) FROM customers)
                  - (SELECT count(*) FROM customers WHERE merged_into IS NOT NULL)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Whether the database holds any customer record at all.
    pub fn has_customers(&self) -> Result<bool> {
        Ok(self
            .conn()
            .query_row("SELECT EXISTS (SELECT 1 FROM customers)", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_stored_as_year_month_day() {
        for (y, m, d) in [
            (2026, 11, 23),
            (1, 1, 1),
            (999, 12, 31),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 6, 15),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            assert_eq!(
                date_text(Some(date)),
                Some(date.format("%Y-%m-%d").to_string())
            );
        }
        assert_eq!(date_text(None), None);
    }
}
