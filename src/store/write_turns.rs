//! Turns for writers. Every careline process writing to one database file takes its turn
//! through an advisory lock on a file beside it (`<database>-writers`) before it begins its
//! transaction. A writer that finds SQLite's write lock taken otherwise sleeps in SQLite's
//! busy handler, whose naps grow to 100 ms: under fifty writers the one that has waited
//! longest naps longest, keeps missing the moment the lock is free, and gives up at the busy
//! timeout (the writers benchmark saw this: errors after 5 s). Here every waiter looks again
//! within a millisecond, so turns follow one another as fast as writes end.
//!
//! The lock only orders careline's own writers; SQLite's locking still guards the data. When
//! the lock file cannot be opened (a read-only directory), writers go without turns.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The longest nap between two looks at the lock.
const MAX_NAP: Duration = Duration::from_millis(1);

#[derive(Debug)]
pub struct WriteTurns {
    file: Option<File>,
}

/// A turn held; the next writer's turn begins when it is dropped.
pub struct Turn<'a> {
    file: Option<&'a File>,
}

impl Turn<'_> {
    /// Whether this write goes without a turn: patience ran out, or there are no turns.
    pub fn is_missing(&self) -> bool {
        self.file.is_none()
    }
}

/// Where the time of one write went, summed over the times it was begun again, for `bench
/// writers` to say which part makes a slow write slow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteParts {
    /// Waiting for the turn.
    pub turn: Duration,
    /// `BEGIN IMMEDIATE`: SQLite's write lock, with the naps of its busy handler when another
    /// writer holds it (a write that went without a turn).
    pub begin: Duration,
    /// The write's statements and its audit entries.
    pub statements: Duration,
    /// `COMMIT`: the log's fsync, and a checkpoint when one ran inside it.
    pub commit: Duration,
    /// The checkpoint that ran inside the commit (copying the log back into the database and
    /// fsyncing it), when this write's commit crossed the log's checkpoint size.
    pub checkpoint_in_commit: Option<Duration>,
    /// Times the write went ahead without a turn (its patience ran out).
    pub without_turn: u32,
    /// Pages the write put into the write-ahead log (its statements' spills and its commit).
    pub pages_written: u64,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let Some(file) = self.file {
            // SAFETY: flock on a descriptor this process keeps open; failure only means the
            // lock goes when the file is closed.
            unsafe {
                libc::flock(file.as_raw_fd(), libc::LOCK_UN);
            }
        }
    }
}

/// The lock file of a database.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-writers");
    PathBuf::from(name)
}

impl WriteTurns {
    /// Opens (or creates, with the database file's permissions) the lock file.
    pub fn open(database: &Path) -> WriteTurns {
        let mode = std::fs::metadata(database)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o600);
        let path = lock_path(database);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(mode)
            .open(&path);
        match file {
            Ok(file) => {
                // The umask narrows a new file's mode: a shared desk's group must write it too.
                if file
                    .metadata()
                    .is_ok_and(|m| m.permissions().mode() & 0o777 != mode)
                {
                    let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
                }
                WriteTurns { file: Some(file) }
            }
            Err(e) => {
                tracing::info!("writers go without turns: {}: {e}", path.display());
                WriteTurns { file: None }
            }
        }
    }

    /// The lock file, open for reading and writing (for a restore's swap, see `swap_lock`).
    pub fn into_file(self) -> Option<File> {
        self.file
    }

    /// The turn if no writer holds it now, for work that can as well be done later (the
    /// upkeep thread's merges): None while another holds it. Without turns (no lock file, or
    /// the lock fails) the work goes ahead without one, as a write would.
    pub fn take_if_free(&self) -> Option<Turn<'_>> {
        let Some(file) = &self.file else {
            return Some(Turn { file: None });
        };
        // SAFETY: flock on a descriptor this process keeps open.
        let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if taken == 0 {
            return Some(Turn { file: Some(file) });
        }
        let error = std::io::Error::last_os_error();
        if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
            return None;
        }
        tracing::warn!("write turn: {error}");
        Some(Turn { file: None })
    }

    /// Waits for this process's turn, at most `patience`; past it (a writer that hangs
    /// mid-write), the write goes ahead and SQLite's busy timeout decides.
    pub fn wait(&self, patience: Duration) -> Turn<'_> {
        let Some(file) = &self.file else {
            return Turn { file: None };
        };
        let started = Instant::now();
        let mut nap = Duration::from_micros(50);
        loop {
            // SAFETY: flock on a descriptor this process keeps open.
            let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if taken == 0 {
                return Turn { file: Some(file) };
            }
            let error = std::io::Error::last_os_error();
            if error.raw_os_error() != Some(libc::EWOULDBLOCK) || started.elapsed() >= patience {
                if error.raw_os_error() != Some(libc::EWOULDBLOCK) {
                    tracing::warn!("write turn: {error}");
                }
                return Turn { file: None };
            }
            std::thread::sleep(nap);
            nap = (nap * 2).min(MAX_NAP);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_for_the_first_turn_to_end() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("desk.db");
        std::fs::write(&db, b"").expect("db");
        // Two opens are two open file descriptions: they contend as two processes would.
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).expect("chmod");
        let first = WriteTurns::open(&db);
        let second = WriteTurns::open(&db);
        let mode = std::fs::metadata(lock_path(&db))
            .expect("lock file")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o660,
            "the database's group may take turns too"
        );
        let turn = first.wait(Duration::from_secs(1));
        assert!(turn.file.is_some(), "the first writer has its turn");
        // While it writes, the second runs out of patience and goes on without a turn.
        let started = Instant::now();
        let late = second.wait(Duration::from_millis(30));
        assert!(late.file.is_none());
        assert!(started.elapsed() >= Duration::from_millis(30));
        drop(late);
        // The first turn ends: the second has its turn at once.
        drop(turn);
        let next = second.wait(Duration::from_millis(30));
        assert!(next.file.is_some(), "the turn passes when the first ends");
    }

    #[test]
    fn without_a_lock_file_writers_go_without_turns() {
        let db = Path::new("/nonexistent-careline-dir/desk.db");
        let turns = WriteTurns::open(db);
        assert!(turns.wait(Duration::from_millis(5)).file.is_none());
    }
}
