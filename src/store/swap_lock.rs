//! A restore's swap of the database files, and the openings that must not see it half done.
//!
//! A restore renames the database, its write-ahead log and its audit witness aside, removes its
//! shared memory, and puts the backup and its witness in their place (`backup::restore`). For
//! the few milliseconds that takes, the path holds no database, or one without its log or its
//! witness: a careline opening it then was told that there was no database (`careline init`),
//! or on a shared host that the log was missing and the administrator must repair it with
//! `host setup` — neither of which was so.
//!
//! So the swap holds a lock that every opening takes too: a write lock on one byte of the
//! writers' lock file (`-writers`, which a restore leaves in place), and each opening a read
//! lock on the same byte from its first look at the files until its connection has them open.
//! An opening finds the old database whole (and later writes to it are refused, see
//! `opened_file`), or waits for the swap and finds the new one whole; the swap waits for the
//! openings under way, which take milliseconds. Closing takes the read lock too: the last
//! connection to a database removes its log and shared memory by their names as it closes,
//! and in the middle of a swap those names are the restored database's (`engine::close`).
//!
//! The locks are Linux's open file description locks (`F_OFD_SETLK`): they belong to the open
//! file rather than the process, so two connections of one process hold them as two processes
//! would, and closing another descriptor of the file (the writers' turns have one) does not
//! drop them. They are apart from the writers' turns (`flock` on the whole file) and from
//! SQLite's own locks (on the database and its shared memory). Elsewhere there are none, and
//! openings go ahead as before.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use super::write_turns;
use super::{Result, StoreError};

/// The longest nap between two looks at the lock.
const MAX_NAP: Duration = Duration::from_millis(2);

/// An opening (or a close) of the database under way: a restore's swap waits until it is
/// dropped.
#[derive(Debug)]
pub struct Opening {
    _file: Option<File>,
}

impl Opening {
    /// Waits, at most `patience`, while a restore swaps the files of `database`, and holds the
    /// swap off until dropped. Without the lock file (a database not made yet) or past
    /// `patience` the opening goes ahead without it, as it did before there was one.
    pub fn wait(database: &Path, patience: Duration) -> Opening {
        // Read only: an operator's careline never creates the file (on a shared host it is
        // `host setup`'s), and a read lock needs no more.
        let file = match File::open(write_turns::lock_path(database)) {
            Ok(file) => file,
            Err(e) => {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::debug!("opening without waiting for a restore: {e}");
                }
                return Opening { _file: None };
            }
        };
        match take(&file, Kind::Opening, patience) {
            Ok(true) => Opening { _file: Some(file) },
            Ok(false) => {
                tracing::warn!(
                    "a restore of {} has been swapping its files for over {patience:?}; opening anyway",
                    database.display()
                );
                Opening { _file: None }
            }
            Err(e) => {
                tracing::debug!("opening without waiting for a restore: {e}");
                Opening { _file: None }
            }
        }
    }
}

/// A restore swapping the files of a database: openings wait until it is dropped.
#[derive(Debug)]
pub(super) struct Swap {
    _file: Option<File>,
}

impl Swap {
    /// Waits, at most `patience`, for the openings of `database` under way, and holds new ones
    /// off until dropped. The lock file is made when missing, as the database's writers make
    /// it; a folder where it cannot be made (none to restore into either) swaps without it.
    pub(super) fn take(database: &Path, patience: Duration) -> Result<Swap> {
        let Some(file) = write_turns::WriteTurns::open(database).into_file() else {
            return Ok(Swap { _file: None });
        };
        match take(&file, Kind::Swap, patience) {
            Ok(true) => Ok(Swap { _file: Some(file) }),
            Ok(false) => Err(StoreError::Conflict(format!(
                "careline processes kept opening {} for {patience:?}, so its files could not be swapped; nothing was restored: try again",
                database.display()
            ))),
            Err(e) => {
                tracing::warn!("restoring without holding openings off: {e}");
                Ok(Swap { _file: None })
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A read lock: openings hold it together.
    Opening,
    /// A write lock: one swap, and no opening meanwhile.
    Swap,
}

/// Takes the lock of `kind` on `file`, looking again every millisecond or two for at most
/// `patience`: true once taken, false when another held it throughout.
fn take(file: &File, kind: Kind, patience: Duration) -> std::io::Result<bool> {
    let started = Instant::now();
    let mut nap = Duration::from_micros(100);
    loop {
        if try_lock(file, kind)? {
            return Ok(true);
        }
        if started.elapsed() >= patience {
            return Ok(false);
        }
        std::thread::sleep(nap);
        nap = (nap * 2).min(MAX_NAP);
    }
}

/// The byte of the lock file the swap and the openings lock (the writers' turns lock the whole
/// file with `flock`, which is apart).
#[cfg(target_os = "linux")]
const SWAP_BYTE: libc::off_t = 0;

#[cfg(target_os = "linux")]
fn try_lock(file: &File, kind: Kind) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd as _;
    // SAFETY: a zeroed flock is a valid value (and an open file description lock needs its
    // l_pid to be 0).
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = match kind {
        Kind::Opening => libc::F_RDLCK,
        Kind::Swap => libc::F_WRLCK,
    } as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = SWAP_BYTE;
    lock.l_len = 1;
    // SAFETY: F_OFD_SETLK with a valid flock on a descriptor open for the call; it only sets
    // a lock, released when the file is closed.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_SETLK, &lock) };
    if rc == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EAGAIN) | Some(libc::EACCES) => Ok(false),
        _ => Err(error),
    }
}

#[cfg(not(target_os = "linux"))]
fn try_lock(_file: &File, _kind: Kind) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Openings hold one another up no more than writers' turns do; a swap waits for them, and
    /// they for it, also within one process.
    #[test]
    fn a_swap_and_openings_wait_for_each_other() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("desk.db");
        std::fs::write(&db, b"").expect("db");
        // No lock file yet: an opening goes ahead, and makes none.
        let early = Opening::wait(&db, Duration::from_millis(10));
        assert!(early._file.is_none());
        assert!(!write_turns::lock_path(&db).exists());
        let swap = Swap::take(&db, Duration::from_millis(10)).expect("swap");
        assert!(swap._file.is_some());
        // An opening waits out its patience while the swap lasts.
        let started = Instant::now();
        let held_off = Opening::wait(&db, Duration::from_millis(40));
        assert!(held_off._file.is_none());
        assert!(started.elapsed() >= Duration::from_millis(40));
        // The writers' turns are apart: a write may take its turn meanwhile.
        let turns = write_turns::WriteTurns::open(&db);
        assert!(turns.take_if_free().is_some_and(|t| !t.is_missing()));
        // Once the swap ends, openings go ahead together, and a swap waits for them.
        let opening = std::thread::spawn({
            let db = db.clone();
            move || Opening::wait(&db, Duration::from_secs(5))
        });
        std::thread::sleep(Duration::from_millis(30));
        drop(swap);
        let first = opening.join().expect("the opening");
        assert!(first._file.is_some());
        let second = Opening::wait(&db, Duration::from_millis(10));
        assert!(second._file.is_some());
        match Swap::take(&db, Duration::from_millis(30)) {
            Err(StoreError::Conflict(why)) => {
                assert!(why.contains("nothing was restored"), "{why}")
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        drop((first, second));
        assert!(Swap::take(&db, Duration::from_millis(10)).is_ok());
    }
}
