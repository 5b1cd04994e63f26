//! The SQLite engine: everything that is particular to SQLite rather than to SQL, in one
//! place, so that another engine (PostgreSQL, DESIGN §5) can later be added beside it inside
//! `src/store`: opening a connection with its pragmas, telling a lock held by another
//! connection from other errors, `data_version`, dropping caches, FTS5's settings, the
//! connection set-up and index rebuild of a bulk load, planner statistics, and the names of
//! the indexes that statements name in `INDEXED BY`.

use std::cell::Cell as StateCell;
use std::os::raw::c_int;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::hooks::Wal;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{Result, StoreError};

/// The page cache of an operator's connection, in KiB.
pub(crate) const CACHE_KIB: i64 = 16_000;

/// Bytes the write-ahead log is cut back to once a checkpoint has emptied it.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// A value to bind that owns its text or borrows static text: a row a bulk load holds until it
/// writes it.
pub(crate) type Cell = rusqlite::types::ToSqlOutput<'static>;

/// Indexes that statements name in `INDEXED BY`.
pub(crate) mod index {
    pub(crate) const INTERACTIONS_CUSTOMER: &str = "interactions_customer";
    pub(crate) const INTERACTIONS_DISPOSITION: &str = "interactions_disposition";
    pub(crate) const INTERACTIONS_CHANNEL: &str = "interactions_channel";
    pub(crate) const INTERACTIONS_OPERATOR: &str = "interactions_operator";
    pub(crate) const INTERACTIONS_AWAITING_REPLY: &str = "interactions_awaiting_reply";
}

/// The version of SQLite this careline is built with.
pub fn version() -> &'static str {
    rusqlite::version()
}

/// The engine's error as the store's: a lock held by another connection apart (a write
/// retries on it), everything else as the engine words it.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
            {
                StoreError::Locked(e.to_string())
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}

/// Opens the existing file at `path` read-write for one thread, with the write-ahead log,
/// full syncs, foreign keys, the operator's page cache and `busy_timeout` to wait for another
/// connection's lock.
pub(crate) fn connect(path: &Path, busy_timeout: Duration) -> Result<Connection> {
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
    // Until the connection has the database and its log open (setting the journal mode reads
    // them), never in the middle of a restore's swap of the files (see `swap_lock`).
    let _opening = super::swap_lock::Opening::wait(path, busy_timeout);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Open {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Freed bytes are overwritten on every connection, not only an erase's: an old copy of a
    // row left in a page's free space by an earlier update, or a page's old cells left by a
    // rebalance, would otherwise keep an erased customer's name in the file (issue 15).
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    // A write-ahead log grown by a burst of writes (an import, a busy hour of many short
    // command-line processes, none of which is the last to close) is cut back to this after
    // the next checkpoint that empties it, instead of keeping its largest size for good.
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
    conn.set_prepared_statement_cache_capacity(128);
    // Replaces SQLite's own automatic checkpoint (the same size, the same passive checkpoint)
    // with one that says when it ran and for how long, and that a writer can put off.
    conn.wal_hook(Some(after_commit_to_log));
    if crate::host::on_shared_host() {
        keep_files_in_place(&conn)?;
    }
    Ok(conn)
}

/// On a shared host (docs/SECURITY.md) SQLite must never create a file beside the database,
/// which would belong to the operator whose careline made it, nor put the database's pages
/// anywhere else: the log and shared memory stay when the last connection closes
/// (`SQLITE_FCNTL_PERSIST_WAL`; `careline host setup` made them, owned by root and the
/// group), and temporary tables, sorts and statement journals stay in memory
/// (`temp_store = MEMORY`), out of any folder `TMPDIR` or `SQLITE_TMPDIR` names.
pub(crate) fn keep_files_in_place(conn: &Connection) -> Result<()> {
    let mut persist: c_int = 1;
    // SAFETY: the handle is this open connection's; SQLITE_FCNTL_PERSIST_WAL reads and writes
    // the one int it is pointed at, which lives across the call.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
            (&mut persist as *mut c_int).cast(),
        )
    };
    if rc != rusqlite::ffi::SQLITE_OK {
        return Err(StoreError::Database(format!(
            "cannot keep the write-ahead log in place (SQLite error {rc})"
        )));
    }
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Closes `conn`, a connection to the database at `path`, while no restore swaps the files
/// there (waiting for one at most `patience`).
///
/// The last connection to a database to close copies its write-ahead log back and removes it
/// and the shared memory (outside a shared host), finding them by their names. SQLite first
/// makes sure the database is still at its path, but a restore that put another there while
/// the copy ran had the restored database's new log and shared memory removed: the latest
/// commits were gone for every careline that opened it afterwards, while those that had it
/// open wrote on into the removed log (`careline check`: the witness records an entry the
/// log does not hold). Held off meanwhile, the restore swaps the files after the close.
pub(super) fn close(conn: Connection, path: &Path, patience: Duration) {
    let _closing = super::swap_lock::Opening::wait(path, patience);
    if let Err((_, e)) = conn.close() {
        tracing::debug!("closing {}: {e}", path.display());
    }
}

/// Frames in the write-ahead log past which a commit asks for its pages to be copied back
/// into the database: SQLite's default `wal_autocheckpoint`.
pub(crate) const CHECKPOINT_PAGES: c_int = 1000;

thread_local! {
    /// Whether a commit on this thread leaves a due checkpoint to its writer.
    static DEFER_CHECKPOINT: StateCell<bool> = const { StateCell::new(false) };
    /// A checkpoint was due after the last commit on this thread and was put off.
    static CHECKPOINT_DUE: StateCell<bool> = const { StateCell::new(false) };
    /// The checkpoint that ran inside the last commit on this thread, and how long it took.
    static CHECKPOINT_IN_COMMIT: StateCell<Option<Duration>> = const { StateCell::new(None) };
    /// A statement on this thread changed the name index since [`take_names_written`].
    static NAMES_WRITTEN: StateCell<bool> = const { StateCell::new(false) };
}

/// Notes that a statement on this thread changed the name index (FTS5), which the upkeep
/// thread merges after the write.
pub(crate) fn note_names_written() {
    NAMES_WRITTEN.set(true);
}

/// Whether a statement on this thread changed the name index since the last call.
pub(crate) fn take_names_written() -> bool {
    NAMES_WRITTEN.replace(false)
}

/// Called by SQLite on the committing thread after every commit to the log, with the log's
/// frames. Past [`CHECKPOINT_PAGES`] it checkpoints passively as SQLite's own hook does, or
/// notes the checkpoint as due while a [`CommitWatch`] puts it off. A checkpoint's failure
/// is never the commit's: the commit has happened, and SQLite would report the error as if
/// the write had failed.
fn after_commit_to_log(wal: &Wal, frames: c_int) -> rusqlite::Result<()> {
    if frames < CHECKPOINT_PAGES {
        return Ok(());
    }
    if DEFER_CHECKPOINT.get() {
        CHECKPOINT_DUE.set(true);
        return Ok(());
    }
    let started = Instant::now();
    if let Err(e) = wal.checkpoint() {
        tracing::debug!("checkpoint after a commit: {e}");
    }
    CHECKPOINT_IN_COMMIT.set(Some(started.elapsed()));
    Ok(())
}

/// Watches the commits made on this thread while it lives: whether a checkpoint ran inside
/// one, or (when asked to put checkpoints off) whether one is due.
pub(crate) struct CommitWatch(());

/// What a [`CommitWatch`] saw.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CommitSeen {
    pub(crate) checkpoint_in_commit: Option<Duration>,
    pub(crate) checkpoint_due: bool,
}

impl CommitWatch {
    pub(crate) fn start(defer_checkpoint: bool) -> CommitWatch {
        CHECKPOINT_DUE.set(false);
        CHECKPOINT_IN_COMMIT.set(None);
        DEFER_CHECKPOINT.set(defer_checkpoint);
        CommitWatch(())
    }

    pub(crate) fn seen(&self) -> CommitSeen {
        CommitSeen {
            checkpoint_in_commit: CHECKPOINT_IN_COMMIT.get(),
            checkpoint_due: CHECKPOINT_DUE.get(),
        }
    }
}

impl Drop for CommitWatch {
    fn drop(&mut self) {
        DEFER_CHECKPOINT.set(false);
    }
}

/// Pages `conn` has written out (to the write-ahead log, or to the database) since the last
/// call, which starts the count again (`SQLITE_DBSTATUS_CACHE_WRITE`): what one write cost the
/// disk. An edit writes a few dozen; a write whose full-text index merges its segments
/// rewrites the index, thousands.
pub(crate) fn pages_written(conn: &Connection) -> u64 {
    let (mut current, mut highest): (c_int, c_int) = (0, 0);
    // SAFETY: the handle is this open connection's; sqlite3_db_status only reads its counters
    // into the two ints it is given (and resets the one asked for).
    let rc = unsafe {
        rusqlite::ffi::sqlite3_db_status(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBSTATUS_CACHE_WRITE,
            &mut current,
            &mut highest,
            1,
        )
    };
    if rc == rusqlite::ffi::SQLITE_OK {
        u64::try_from(current).unwrap_or(0)
    } else {
        0
    }
}

/// Sets the page cache of `conn`, in KiB.
pub(crate) fn set_cache_kib(conn: &Connection, kib: i64) -> Result<()> {
    Ok(conn.pragma_update(None, "cache_size", -kib)?)
}

/// `PRAGMA data_version`: changes when another connection commits.
pub(crate) fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
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

/// Planner statistics for what needs them (`PRAGMA optimize`, as SQLite advises for a
/// long-lived connection).
pub(crate) fn refresh_planner_statistics(conn: &Connection) -> Result<()> {
    Ok(refresh_statistics(conn, "PRAGMA optimize=0x10002")?)
}

/// Full statistics over everything, after a bulk load.
pub(crate) fn analyse(conn: &Connection) -> Result<()> {
    Ok(refresh_statistics(conn, "ANALYZE")?)
}

/// Forgets every cached page of the database at `path`, so that the next statement reads from
/// the disk as after a reboot: SQLite's own cache (`PRAGMA shrink_memory`) and the operating
/// system's page cache of the database file and its WAL (`posix_fadvise(DONTNEED)`, after
/// writing back whatever is dirty, which the kernel would otherwise keep).
pub(crate) fn drop_caches(conn: &Connection, path: &Path) -> Result<()> {
    conn.execute_batch("PRAGMA shrink_memory")?;
    let mut wal = path.to_path_buf().into_os_string();
    wal.push("-wal");
    for path in [path.to_path_buf(), PathBuf::from(wal)] {
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
            let rc =
                unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
            if rc != 0 {
                return Err(StoreError::Io(std::io::Error::from_raw_os_error(rc)));
            }
        }
    }
    Ok(())
}

/// The memory FTS5 gathers terms in before it writes a segment, in bytes: FTS5's default, set
/// so that a table a load filled says it.
const FTS_HASH: i64 = 1 << 20;

/// Fills the full-text table `fts` from the rows `select` gives (rowid first, then its
/// columns `columns`) in FTS5's usual 1 MiB buffer, then merges the index into one segment.
///
/// Before merges moved off the write path (migration 0009, `store::upkeep`), an index left as
/// one segment on the lowest level (a 64 MiB buffer did that) was rewritten whole by about the
/// 16th write after a load, inside its commit (7,891 pages in half a second on 200,000
/// customers), while every other writer waited (docs/BENCHMARKS.md). Now no write merges, and
/// the one segment is merged again only by the upkeep thread's small steps.
pub(crate) fn fill_full_text(
    conn: &Connection,
    fts: &str,
    columns: &str,
    select: &str,
) -> Result<()> {
    // The load merges as it goes (FTS5's automerge) and ends with the whole index as one
    // segment (`optimize`): every lookup then reads one segment's lists, not a dozen (the warm
    // email miss on a million customers: p99 4.6 → 3.5 ms, p50 0.87 → 0.47 ms). The writes
    // after it add small segments that the upkeep thread merges among themselves, so that one
    // is merged again only when the upkeep's steps reach it, never inside a commit (the first
    // burst of 50 writers after such a load: p99 5.3 ms, at most 46 pages in one write).
    Ok(conn.execute_batch(&format!(
        "INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', {FTS_HASH});
         INSERT INTO {fts} ({fts}, rank) VALUES ('automerge', {FTS_LOAD_AUTOMERGE});
         INSERT INTO {fts} (rowid, {columns}) {select};
         INSERT INTO {fts} ({fts}) VALUES ('optimize');
         INSERT INTO {fts} ({fts}, rank) VALUES ('automerge', 0);"
    ))?)
}

/// FTS5's own automerge setting (its default), used only while a bulk load fills an index.
const FTS_LOAD_AUTOMERGE: i64 = 4;

/// The page cache, in KiB, while a bulk load sorts its lookup keys and builds the dropped
/// indexes: SQLite sorts in pieces as big as the page cache, and small pieces sort much
/// faster than big ones (they stay in the CPU's caches): 3 s instead of 9 s for an index on 5
/// million rows with 4 MiB against the usual cache, and 1 MiB takes a tenth less again (5.3 s
/// against 5.9 s for the log's index by wrap-up code, five runs each, alternating).
pub(crate) const SORT_CACHE_KIB: i64 = 1_024;

/// The page cache of `conn` as set (negative: in KiB).
pub(crate) fn cache_setting(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?)
}

/// Puts back a page cache read with [`cache_setting`].
pub(crate) fn restore_cache_setting(conn: &Connection, setting: i64) -> Result<()> {
    Ok(conn.pragma_update(None, "cache_size", setting)?)
}

/// The full (not partial) secondary indexes of `table`, name and definition, in the order
/// they were made: what a bulk load drops and builds again.
pub(crate) fn full_indexes(conn: &Connection, table: &str) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.name, m.sql FROM main.sqlite_master m
         WHERE m.type = 'index' AND m.tbl_name = ?1 AND m.sql IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pragma_index_list(?1) l
                           WHERE l.name = m.name AND l.partial)
         ORDER BY m.rowid",
    )?;
    let indexes = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(indexes)
}

/// Drops the index `name`.
pub(crate) fn drop_index(conn: &Connection, name: &str) -> Result<()> {
    Ok(conn.execute_batch(&format!("DROP INDEX main.{}", quoted(name)))?)
}

/// An SQL identifier in double quotes.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// How the connection was before [`begin_fast_load`], to put back.
#[derive(Debug)]
pub(crate) struct FastLoad {
    /// The journal mode to return to, when it was changed.
    journal: Option<String>,
    threads: i64,
}

/// Worker threads SQLite may use to sort while the dropped indexes are built.
const SORT_THREADS: i64 = 2;

/// Sets the connection up for a bulk load into a database without customers, whose rows
/// are generated consistent by construction (and tested so):
/// - foreign keys and CHECK constraints are not checked row by row: SQLite rebuilds a
///   temporary b-tree for every `IN (…)` list of a CHECK constraint on every row, which on a
///   million customers costs more than writing the rows;
/// - the rollback journal instead of the write-ahead log: the new pages are written once,
///   to the database, instead of to the log and then again to the database. The load is
///   still one transaction (a crash rolls it back), but while it runs other connections
///   cannot read. When another connection has the database open the log stays, and on a
///   shared host it always does;
/// - SQLite may sort with a second thread.
///
/// [`end_fast_load`] puts everything back, whatever the load's outcome.
pub(crate) fn begin_fast_load(conn: &Connection, path: &Path) -> Result<FastLoad> {
    let threads: i64 = conn.query_row("PRAGMA threads", [], |r| r.get(0))?;
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    // On a shared host the rollback journal would be a new file, the loading operator's.
    let journal = if mode.eq_ignore_ascii_case("wal") && !crate::host::on_shared_host() {
        match conn.query_row("PRAGMA journal_mode = DELETE", [], |r| {
            r.get::<_, String>(0)
        }) {
            Ok(now) if now.eq_ignore_ascii_case("delete") => Some(mode),
            Ok(_) => None,
            Err(e) => {
                tracing::info!("bulk load keeps the write-ahead log: {e}");
                None
            }
        }
    } else {
        None
    };
    let fast = FastLoad { journal, threads };
    let set = conn
        .pragma_update(None, "foreign_keys", false)
        .and_then(|()| conn.pragma_update(None, "ignore_check_constraints", true))
        .and_then(|()| conn.pragma_update(None, "threads", SORT_THREADS));
    match set {
        Ok(()) => Ok(fast),
        Err(e) => {
            end_fast_load(conn, path, fast)?;
            Err(e.into())
        }
    }
}

/// Puts back what [`begin_fast_load`] changed.
pub(crate) fn end_fast_load(conn: &Connection, path: &Path, fast: FastLoad) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "ignore_check_constraints", false)?;
    conn.pragma_update(None, "threads", fast.threads)?;
    if let Some(mode) = fast.journal {
        let now: String =
            conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| r.get(0))?;
        if !now.eq_ignore_ascii_case(&mode) {
            return Err(StoreError::Conflict(format!(
                "{} stayed in journal mode {now}; reopening it restores {mode}",
                path.display()
            )));
        }
    }
    Ok(())
}

/// Copies what the log holds back into the database as far as no reader still needs it,
/// without waiting for anyone (`PRAGMA wal_checkpoint(PASSIVE)`); the log starts again from its
/// beginning at the next write once all of it is copied. Returns the frames the log holds.
pub(crate) fn checkpoint_passive(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))?)
}

/// Copies the whole log back and waits, at most `patience`, for the readers still reading
/// from it (`PRAGMA wal_checkpoint(RESTART)`), so that the next write starts the log again from
/// its beginning. A passive checkpoint cannot do that while writers follow one another without
/// a pause: each begins reading before the last one's checkpoint has copied everything, and
/// the log can only start again under a writer that found all of it copied. Writers wait
/// meanwhile (it holds SQLite's write lock), so `patience` is short; `usual` is the busy
/// timeout given back. True when the log will start again.
pub(crate) fn restart_log(conn: &Connection, patience: Duration, usual: Duration) -> Result<bool> {
    conn.busy_timeout(patience)?;
    let busy = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0));
    conn.busy_timeout(usual)?;
    Ok(busy? == 0)
}

/// Copies the whole write-ahead log into the database and truncates it to nothing, so that no
/// old page stays in the log file (after an erase). False when other connections were
/// reading and it could not finish within about two seconds; the log is then emptied by a
/// later checkpoint.
pub(crate) fn empty_log(conn: &Connection) -> Result<bool> {
    let started = Instant::now();
    loop {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 {
            return Ok(true);
        }
        if started.elapsed() > Duration::from_secs(2) {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Deletes rows `ids` (a comma-separated list) from the name index with FTS5's secure delete,
/// which takes their terms out of the index's segments instead of marking them deleted (the
/// index deletes so always since migration 19; said again here, as an erase depends on it).
pub(crate) fn delete_from_name_index_securely(
    tx: &rusqlite::Transaction<'_>,
    ids: &str,
) -> Result<()> {
    tx.execute_batch(&format!(
        "INSERT INTO customer_text (customer_text, rank) VALUES ('secure-delete', 1);
         DELETE FROM customer_text WHERE rowid IN ({ids});"
    ))?;
    Ok(())
}

/// Forgets the planner's samples of index keys (`sqlite_stat4`) that hold any of `values`.
pub(crate) fn forget_samples(tx: &rusqlite::Transaction<'_>, values: &[String]) -> Result<()> {
    let has_samples: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat4')",
        [],
        |r| r.get(0),
    )?;
    if !has_samples {
        return Ok(());
    }
    let mut stmt =
        tx.prepare("DELETE FROM sqlite_stat4 WHERE instr(sample, CAST(?1 AS BLOB)) > 0")?;
    for value in values {
        stmt.execute([value])?;
    }
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;

    /// On a shared host the write-ahead log and shared memory outlive the last connection:
    /// the next operator's careline must find the files `host setup` made, not make its own.
    #[test]
    fn a_shared_host_database_keeps_its_log_and_shared_memory() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("desk.db");
        std::fs::write(&path, b"").expect("db");
        let side = |suffix: &str| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        let conn = connect(&path, Duration::from_secs(1)).expect("open");
        keep_files_in_place(&conn).expect("kept");
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .expect("write");
        let temp: i64 = conn
            .query_row("PRAGMA temp_store", [], |r| r.get(0))
            .expect("temp_store");
        assert_eq!(temp, 2, "temporary data in memory");
        drop(conn);
        assert!(side("-wal").exists() && side("-shm").exists());
        // Without it (a desk of one), SQLite removes them as usual.
        let conn = connect(&path, Duration::from_secs(1)).expect("open");
        conn.execute_batch("INSERT INTO t VALUES (2);")
            .expect("write");
        drop(conn);
        assert!(!side("-wal").exists() && !side("-shm").exists());
    }
}
