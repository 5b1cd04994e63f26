//! Upkeep off the write path: checkpoints of the write-ahead log and merges of the name
//! index, each of which SQLite would otherwise do inside some writer's commit while every
//! other writer waits for its turn behind it.
//!
//! **Checkpoints.** The log is copied back into the database once it holds
//! [`engine::CHECKPOINT_PAGES`] frames; SQLite does that inside the commit that crosses the
//! mark, so that writer pays for copying a thousand pages and fsyncing the database file — on
//! a database of gigabytes under load, hundreds of milliseconds to seconds. Here a write only
//! notes that a checkpoint is due; after its turn has passed, this process's upkeep thread, on
//! its own connection, checkpoints passively (it waits for nobody and nobody waits for it:
//! writers keep appending to the log meanwhile).
//!
//! **Name index merges.** Each write to the name index (FTS5) adds a small segment of its
//! own; segments must be merged as they pile up or every lookup reads more of them. FTS5 does
//! that inside the write by default, up to hundreds of pages at once (migration 0009 turns it
//! off). Here, after a write that changed the index, the upkeep thread merges in steps of
//! [`MERGE_STEP_PAGES`] pages, each its own transaction in its own turn — taken only when no
//! writer holds it, so a merge never makes a writer wait for more than one short step — until
//! FTS5 finds nothing left to merge; checkpoints due meanwhile run between the steps.
//!
//! **At close.** A command-line careline writes once and ends: its upkeep thread has barely
//! started when the process exits, and the checkpoint its write made due would die with it.
//! While any other connection (an operator's screen) keeps the database open, no close is the
//! last one, which would checkpoint, so under a stream of such processes nothing ever copied
//! the log back and it grew without end (a trial: 300 `careline log add` beside one idle
//! screen left 2,850 frames and nothing backfilled). So a store's close waits for its upkeep
//! thread to run the checkpoint still due; merges left are left to the next writer's thread.
//!
//! **A log that will not start again.** Copied back, the log starts again from its beginning
//! only under a writer that began when all of it was copied. Writers back to back (five
//! processes at once) each begin before the last one's checkpoint is done, so the log keeps
//! growing however often it is copied; past [`OVERGROWN`] frames a checkpoint waits, briefly,
//! for the log's readers (`engine::restart_log`), and the next writer starts it again.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::engine;
use super::write_turns::WriteTurns;

/// How many times of each kind a process keeps (for `bench writers`).
const KEPT_TIMES: usize = 100_000;

/// The pages one merge step of the name index writes at most: about 256 KiB, a few
/// milliseconds with its commit.
pub(crate) const MERGE_STEP_PAGES: i64 = 64;

/// The pause after a merge step, for writers waiting for their turn to take it, and between
/// two looks at a turn some writer holds.
const MERGE_PAUSE: Duration = Duration::from_millis(2);

/// Frames in the log past which a checkpoint also waits for the log's readers to start it
/// again ([`engine::restart_log`]): twice the checkpoint size, which the log reaches only when
/// writers follow one another too closely for a passive checkpoint ever to leave it all
/// copied.
const OVERGROWN: i64 = 2 * engine::CHECKPOINT_PAGES as i64;

/// The longest that wait holds the writers up.
const RESTART_PATIENCE: Duration = Duration::from_millis(100);

/// What the upkeep thread is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    Checkpoint,
    MergeNames,
    /// The store is closing: run the checkpoint due, if one is, merge no more, and end.
    Finish,
}

/// How long each piece of upkeep this process's thread ran took.
#[derive(Debug, Clone, Default)]
pub struct UpkeepTimes {
    /// Each passive checkpoint.
    pub checkpoints: Vec<Duration>,
    /// Each merge step of the name index that merged something (its turn, statement and
    /// commit).
    pub merge_steps: Vec<Duration>,
}

/// This process's upkeep thread, started at the first ask.
#[derive(Debug)]
pub(crate) struct Upkeep {
    path: PathBuf,
    busy_timeout: Duration,
    thread: Option<Sender<Ask>>,
    /// The thread, to wait for at close.
    running: Option<JoinHandle<()>>,
    times: Arc<Mutex<UpkeepTimes>>,
}

impl Upkeep {
    pub(crate) fn new(path: &Path, busy_timeout: Duration) -> Upkeep {
        Upkeep {
            path: path.to_path_buf(),
            busy_timeout,
            thread: None,
            running: None,
            times: Arc::default(),
        }
    }

    /// Asks the upkeep thread for a checkpoint, starting it if needed; false when there is no
    /// thread to ask (it could not start or open its connection): the caller checkpoints.
    pub(crate) fn checkpoint(&mut self) -> bool {
        self.ask(Ask::Checkpoint)
    }

    /// Asks the upkeep thread to merge the name index's segments. Without a thread FTS5's
    /// crisis merges still bound them, inside some later write.
    pub(crate) fn merge_names(&mut self) {
        if !self.ask(Ask::MergeNames) {
            tracing::debug!("no upkeep thread: the name index is not merged after this write");
        }
    }

    fn ask(&mut self, ask: Ask) -> bool {
        if self.thread.is_none() {
            let (asks, asked) = mpsc::channel();
            let (path, timeout, times) = (
                self.path.clone(),
                self.busy_timeout,
                Arc::clone(&self.times),
            );
            let started = std::thread::Builder::new()
                .name("upkeep".into())
                .spawn(move || run(&path, timeout, &asked, &times));
            match started {
                Ok(running) => {
                    self.thread = Some(asks);
                    // A thread started before (its connection failed) has ended already.
                    self.running = Some(running);
                }
                Err(e) => {
                    tracing::warn!("no upkeep thread: {e}");
                    return false;
                }
            }
        }
        let sent = self.thread.as_ref().is_some_and(|t| t.send(ask).is_ok());
        if !sent {
            self.thread = None;
        }
        sent
    }

    /// How long each piece of upkeep this process's thread has run took.
    pub(crate) fn times(&self) -> UpkeepTimes {
        self.times.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

/// The store is closing: the thread runs the checkpoint still due (a passive one, which waits
/// for nobody) and ends, and the close waits for it, so that a process that ends right after
/// its write does not take the checkpoint with it (see the module's comment).
impl Drop for Upkeep {
    fn drop(&mut self) {
        if let Some(asks) = self.thread.take() {
            let _ = asks.send(Ask::Finish);
        }
        if let Some(running) = self.running.take() {
            if running.join().is_err() {
                tracing::warn!("the upkeep thread panicked");
            }
        }
    }
}

fn run(path: &Path, busy_timeout: Duration, asked: &Receiver<Ask>, times: &Mutex<UpkeepTimes>) {
    let conn = match engine::connect(path, busy_timeout) {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!("upkeep thread: {e}; writers checkpoint themselves");
            return;
        }
    };
    serve(&conn, path, busy_timeout, asked, times);
    engine::close(conn, path, busy_timeout);
}

/// Answers the asks until the store closes.
fn serve(
    conn: &Connection,
    path: &Path,
    busy_timeout: Duration,
    asked: &Receiver<Ask>,
    times: &Mutex<UpkeepTimes>,
) {
    // Its own lock file descriptor: a turn is a lock on an open file, so one shared with the
    // store's writers would let this thread and them hold "the" turn at once.
    let turns = WriteTurns::open(path);
    let mut due = Due::default();
    loop {
        if !due.merging && !due.checkpoint {
            if due.finishing {
                return;
            }
            match asked.recv() {
                Ok(ask) => due.note(ask),
                Err(_) => return,
            }
        }
        // Asks that came meanwhile are answered together.
        for ask in asked.try_iter() {
            due.note(ask);
        }
        // At close only the checkpoint: a merge may go on for many steps, and the next
        // write's thread takes it up where it stands.
        if due.finishing {
            due.merging = false;
        }
        // One merge step at a time, with the checkpoints due in between: while writers keep
        // adding segments the merging goes on, and the log must not grow meanwhile.
        if due.checkpoint {
            due.checkpoint = false;
            let started = Instant::now();
            match engine::checkpoint_passive(conn) {
                Ok(frames) if frames >= OVERGROWN => {
                    match engine::restart_log(conn, RESTART_PATIENCE, busy_timeout) {
                        Ok(restarts) => tracing::debug!(
                            "the log held {frames} frames; it starts again: {restarts}"
                        ),
                        Err(e) => tracing::debug!("restarting the log: {e}"),
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::debug!("checkpoint: {e}"),
            }
            keep(times, |t| &mut t.checkpoints, started.elapsed());
        }
        if due.merging {
            // Merges add to the log; the checkpoint after them copies those pages back too.
            match merge_step(conn, &turns, &mut due.checkpoint) {
                MergeStep::Merged(took) => {
                    keep(times, |t| &mut t.merge_steps, took);
                    std::thread::sleep(MERGE_PAUSE);
                }
                MergeStep::Done => due.merging = false,
                MergeStep::Waiting => std::thread::sleep(MERGE_PAUSE),
            }
        }
    }
}

/// What the upkeep thread has yet to do.
#[derive(Debug, Default)]
struct Due {
    merging: bool,
    checkpoint: bool,
    /// The store is closing: end once the checkpoint due has run.
    finishing: bool,
}

impl Due {
    fn note(&mut self, ask: Ask) {
        match ask {
            Ask::MergeNames => self.merging = true,
            Ask::Checkpoint => self.checkpoint = true,
            Ask::Finish => self.finishing = true,
        }
    }
}

/// What one merge step did.
enum MergeStep {
    /// It merged something, in this long; there may be more.
    Merged(Duration),
    /// Nothing is left to merge (or merging failed, and the next write asks again).
    Done,
    /// A writer holds the turn: merging waits for a moment when none does.
    Waiting,
}

/// Merges at most [`MERGE_STEP_PAGES`] pages of the name index in its own transaction and
/// turn, taken only when no writer holds it (merges give way to writes); FTS5 merges nothing
/// when no level holds as many segments as its `usermerge` (4 by default) and no merge is
/// half done. The flag is set when its commit made a checkpoint due.
fn merge_step(conn: &Connection, turns: &WriteTurns, checkpoint_due: &mut bool) -> MergeStep {
    let started = Instant::now();
    let before = conn.total_changes();
    let Some(turn) = turns.take_if_free() else {
        return MergeStep::Waiting;
    };
    let watch = engine::CommitWatch::start(true);
    let merged = conn.execute(
        "INSERT INTO customer_text (customer_text, rank) VALUES ('merge', ?1)",
        [MERGE_STEP_PAGES],
    );
    *checkpoint_due |= watch.seen().checkpoint_due;
    drop(watch);
    drop(turn);
    match merged {
        // FTS5 changes at least two rows when a step merged anything (its documented test).
        Ok(_) if conn.total_changes() - before >= 2 => MergeStep::Merged(started.elapsed()),
        Ok(_) => MergeStep::Done,
        Err(e) => {
            tracing::debug!("merging the name index: {e}");
            MergeStep::Done
        }
    }
}

/// Keeps one time; a screen running for months keeps at most [`KEPT_TIMES`] of each kind.
fn keep(
    times: &Mutex<UpkeepTimes>,
    kind: fn(&mut UpkeepTimes) -> &mut Vec<Duration>,
    took: Duration,
) {
    if let Ok(mut times) = times.lock() {
        let kept = kind(&mut times);
        if kept.len() < KEPT_TIMES {
            kept.push(took);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer::CustomerFields;
    use crate::store::{OpenOptions, Store};

    /// Writes until the log has been checkpointed a few times: no commit ran the checkpoint
    /// (before, the commit that crossed a thousand frames did, holding its turn), the
    /// checkpoint thread did, and the log stays about as small as the checkpoint size.
    #[test]
    fn a_due_checkpoint_runs_after_the_write_not_inside_its_commit() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("careline.db");
        let mut store = Store::open(&path, OpenOptions::default()).expect("opens");
        let boss = store.init_admin("boss", "The Boss").expect("init");
        let mut writes = 0;
        let mut largest_log = 0;
        while store.upkeep_times().checkpoints.len() < 3 && writes < 20_000 {
            let fields = CustomerFields {
                name: format!("客户 {writes}"),
                notes: Some("x".repeat(2000)),
                ..CustomerFields::default()
            };
            store.create_customer(&boss, &fields).expect("created");
            writes += 1;
            let parts = store.last_write_parts();
            assert_eq!(
                parts.checkpoint_in_commit, None,
                "write {writes}: {parts:?}"
            );
            let mut wal = path.clone().into_os_string();
            wal.push("-wal");
            largest_log = largest_log.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        }
        assert!(
            store.upkeep_times().checkpoints.len() >= 3,
            "{writes} writes and the checkpoint thread ran {} checkpoints",
            store.upkeep_times().checkpoints.len()
        );
        // A frame is a 4 KiB page and its 24-byte header; the log starts again from its
        // beginning after a checkpoint, so it never holds many more than the checkpoint size.
        let frame = 4096 + 24;
        assert!(
            largest_log <= 3 * engine::CHECKPOINT_PAGES as u64 * frame,
            "the log grew to {largest_log} bytes over {writes} writes; {} merge steps",
            store.upkeep_times().merge_steps.len()
        );
    }

    /// The frames in the write-ahead log of the database at `path`, and how many of them a
    /// checkpoint has copied back: SQLite's `mxFrame` and `nBackfill`, read from the header of
    /// the shared memory (native-endian 32-bit numbers at bytes 16 and 96). Read from the file
    /// because `PRAGMA wal_checkpoint`, which also tells them, would checkpoint itself.
    fn log_frames(path: &Path) -> (u32, u32) {
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        let header = std::fs::read(PathBuf::from(shm)).expect("shared memory");
        let at = |offset: usize| {
            u32::from_ne_bytes(header[offset..offset + 4].try_into().expect("four bytes"))
        };
        (at(16), at(96))
    }

    /// A command-line careline writes once and closes, while an operator's screen keeps the
    /// database open. Each close waits for the checkpoint its write made due, so the log is
    /// copied back each time it passes the checkpoint size and starts again from its
    /// beginning: it never holds many more frames than that. (Before, the process ended with
    /// its upkeep thread still starting, and the log grew by every write.)
    #[test]
    fn a_store_closed_right_after_its_write_runs_the_checkpoint_it_made_due() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("careline.db");
        let mut screen = Store::open(&path, OpenOptions::default()).expect("opens");
        let boss = screen.init_admin("boss", "The Boss").expect("init");
        let (mut writes, mut most, mut checkpoints) = (0, 0, 0);
        while checkpoints < 3 && writes < 2_000 {
            let mut store = Store::open(&path, OpenOptions::default()).expect("opens");
            let fields = CustomerFields {
                name: format!("客户 {writes}"),
                notes: Some("x".repeat(2000)),
                ..CustomerFields::default()
            };
            store.create_customer(&boss, &fields).expect("created");
            writes += 1;
            drop(store);
            let (frames, backfilled) = log_frames(&path);
            most = most.max(frames);
            if frames > 0 && backfilled == frames {
                checkpoints += 1;
            }
        }
        assert_eq!(
            checkpoints, 3,
            "{writes} writes, the log reached {most} frames"
        );
        // One write adds a few dozen frames: the log is copied back at the first close past
        // the checkpoint size.
        assert!(
            most < engine::CHECKPOINT_PAGES as u32 + 100,
            "the log reached {most} frames over {writes} writes"
        );
        // The screen's own connection still reads every write.
        assert_eq!(screen.customer_count().expect("count"), writes);
    }

    /// Whether FTS5 would find anything to merge in the name index now: a merge step tried
    /// and rolled back.
    fn merge_left(path: &Path) -> bool {
        let mut conn = Connection::open(path).expect("opens");
        conn.busy_timeout(Duration::from_secs(5)).expect("timeout");
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .expect("begins");
        let before = tx.total_changes();
        tx.execute(
            "INSERT INTO customer_text (customer_text, rank) VALUES ('merge', 64)",
            [],
        )
        .expect("merge");
        let merged = tx.total_changes() - before >= 2;
        tx.rollback().expect("rolls back");
        merged
    }

    /// Each new customer adds a segment to the name index, and FTS5 does no merging inside
    /// the write (automerge is off); left at that, 64 writes leave four segments of 16
    /// customers each (its crisis merges), which a merge step would merge. The upkeep thread
    /// merges after the writes, so once it has run nothing is left to merge.
    #[test]
    fn the_name_index_is_merged_after_the_writes_not_inside_them() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("careline.db");
        let mut store = Store::open(&path, OpenOptions::default()).expect("opens");
        let boss = store.init_admin("boss", "The Boss").expect("init");
        let automerge: i64 = store
            .conn()
            .query_row(
                "SELECT v FROM customer_text_config WHERE k = 'automerge'",
                [],
                |r| r.get(0),
            )
            .expect("automerge");
        assert_eq!(automerge, 0, "FTS5 merges inside writes");
        for n in 0..64 {
            let fields = CustomerFields {
                name: format!("客户{n:02}号"),
                ..CustomerFields::default()
            };
            store.create_customer(&boss, &fields).expect("created");
        }
        let settled = Instant::now() + Duration::from_secs(30);
        while merge_left(&path) && Instant::now() < settled {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!merge_left(&path), "the name index was left unmerged");
        assert!(!store.upkeep_times().merge_steps.is_empty());
        // Every customer is still found by name.
        for n in [0, 31, 63] {
            let name = format!("客户{n:02}号");
            let hits = store.search(&boss, &name, 5).expect("search");
            assert!(
                hits.iter().any(|h| h.customer.name == name),
                "{name} not found: {hits:?}"
            );
        }
        // A write on the store's connection after the upkeep's merges on its own: FTS5 reads
        // the merged segment list, and the index stays whole.
        let late = CustomerFields {
            name: "客户65号".into(),
            ..CustomerFields::default()
        };
        store.create_customer(&boss, &late).expect("created");
        let hits = store.search(&boss, "客户65号", 5).expect("search");
        assert_eq!(hits.len(), 1, "{hits:?}");
        store
            .conn()
            .execute_batch("INSERT INTO customer_text (customer_text) VALUES ('integrity-check')")
            .expect("FTS5 integrity");
        let report = store.check().expect("check");
        assert!(report.ok(), "{report:?}");
    }
}
