//! Checkpoints off the write path. The write-ahead log is copied back into the database once
//! it holds [`engine::CHECKPOINT_PAGES`] frames; SQLite does that inside the commit that
//! crosses the mark, so the writer who crosses it pays for copying a thousand pages into the
//! database and fsyncing the database file — on a database of gigabytes under load, hundreds
//! of milliseconds to seconds — while it still holds its turn, and every other writer waits
//! behind it. Here a write only notes that a checkpoint is due; after its turn has passed,
//! this process's checkpoint thread, on its own connection, checkpoints passively (it waits
//! for nobody and nobody waits for it: writers keep appending to the log meanwhile).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::engine;

/// This process's checkpoint thread, started at the first checkpoint due.
/// How many checkpoint times a process keeps.
const KEPT_TIMES: usize = 100_000;

#[derive(Debug)]
pub(crate) struct Checkpoints {
    path: PathBuf,
    busy_timeout: Duration,
    thread: Option<Sender<()>>,
    /// How long each checkpoint the thread ran took.
    times: Arc<Mutex<Vec<Duration>>>,
}

impl Checkpoints {
    pub(crate) fn new(path: &Path, busy_timeout: Duration) -> Checkpoints {
        Checkpoints {
            path: path.to_path_buf(),
            busy_timeout,
            thread: None,
            times: Arc::default(),
        }
    }

    /// Asks the checkpoint thread for a checkpoint, starting it if needed; false when there is
    /// no thread to ask (it could not start or open its connection): the caller checkpoints.
    pub(crate) fn ask(&mut self) -> bool {
        if self.thread.is_none() {
            let (ask, asked) = mpsc::channel();
            let (path, timeout, times) = (
                self.path.clone(),
                self.busy_timeout,
                Arc::clone(&self.times),
            );
            let started = std::thread::Builder::new()
                .name("checkpoints".into())
                .spawn(move || run(&path, timeout, &asked, &times));
            match started {
                Ok(_) => self.thread = Some(ask),
                Err(e) => {
                    tracing::warn!("no checkpoint thread: {e}");
                    return false;
                }
            }
        }
        let sent = self.thread.as_ref().is_some_and(|t| t.send(()).is_ok());
        if !sent {
            self.thread = None;
        }
        sent
    }

    /// How long each checkpoint this process's thread has run took.
    pub(crate) fn times(&self) -> Vec<Duration> {
        self.times.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

fn run(path: &Path, busy_timeout: Duration, asked: &Receiver<()>, times: &Mutex<Vec<Duration>>) {
    let conn = match engine::connect(path, busy_timeout) {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!("checkpoint thread: {e}; writers checkpoint themselves");
            return;
        }
    };
    while asked.recv().is_ok() {
        // Asks that came while the last checkpoint ran are answered by the next one.
        while asked.try_recv().is_ok() {}
        let started = Instant::now();
        if let Err(e) = engine::checkpoint_passive(&conn) {
            tracing::debug!("checkpoint: {e}");
        }
        // Kept for `bench writers`; a screen running for months keeps at most this many.
        if let Ok(mut times) = times.lock() {
            if times.len() < KEPT_TIMES {
                times.push(started.elapsed());
            }
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
        while store.checkpoint_times().len() < 3 && writes < 20_000 {
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
            store.checkpoint_times().len() >= 3,
            "{writes} writes and the checkpoint thread ran {} checkpoints",
            store.checkpoint_times().len()
        );
        // A frame is a 4 KiB page and its 24-byte header; the log starts again from its
        // beginning after a checkpoint, so it never holds many more than the checkpoint size.
        let frame = 4096 + 24;
        assert!(
            largest_log <= 3 * engine::CHECKPOINT_PAGES as u64 * frame,
            "the log grew to {largest_log} bytes over {writes} writes"
        );
    }
}
