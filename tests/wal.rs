//! The write-ahead log beside an operator's open screen: many short command-line writers, one
//! after another, each write their entry and end, while the screen keeps the database open.
//! The log must be copied back into the database as it passes SQLite's checkpoint size and
//! start again from its beginning, not grow by every write.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use careline::store::HistoryItem;
use common::pty::Desk;

/// Frames past which a commit makes a checkpoint due: SQLite's default `wal_autocheckpoint`,
/// which careline keeps (`CHECKPOINT_PAGES` in src/store/engine.rs).
const CHECKPOINT_PAGES: u32 = 1000;

/// More frames than one `careline log add` writes (a few dozen pages: the entry, its indexes,
/// the customer's summary, the audit entry).
const ONE_WRITE: u32 = 100;

fn side(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// What the log holds: SQLite's `mxFrame` (frames in the log) and `nBackfill` (how many of
/// them a checkpoint has copied back), read from the header of the shared memory
/// (native-endian 32-bit numbers at bytes 16 and 96). Read from the file on purpose: asking
/// SQLite (`PRAGMA wal_checkpoint`) would checkpoint.
fn log_frames(db: &Path) -> (u32, u32) {
    let header = std::fs::read(side(db, "-shm")).expect("shared memory");
    let at = |offset: usize| {
        u32::from_ne_bytes(header[offset..offset + 4].try_into().expect("four bytes"))
    };
    (at(16), at(96))
}

/// The log's size in bytes, and its page size: its header's big-endian 32-bit number at
/// byte 8 (0 while the log is empty).
fn log_size(db: &Path) -> (u64, u64) {
    let log = std::fs::read(side(db, "-wal")).unwrap_or_default();
    let page = log
        .get(8..12)
        .map_or(0, |b| u32::from_be_bytes(b.try_into().expect("four bytes")));
    (log.len() as u64, u64::from(page))
}

/// A trial on a shared host: one supervisor's screen open and idle, 300 `careline log add`
/// processes one after another, and the log had 2,850 frames and none copied back (11.7 MB),
/// growing on. Each process's write made a checkpoint due past 1,000 frames and left it to a
/// thread the process did not wait for; the screen's connection, idle, holds no snapshot, so
/// nothing else stood in its way. Now each process runs the checkpoint before it ends: the log
/// never holds much more than the checkpoint size, each checkpoint copies all of it back, and
/// the file stays within that many pages.
#[test]
fn short_writers_beside_an_idle_screen_keep_the_log_bounded() {
    let desk = Desk::new();
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    let customer = desk.customers()[0].code.clone();
    let (mut most, mut checkpoints, mut largest, mut page) = (0, 0, 0, 0);
    for n in 0..300 {
        desk.cli(&[
            "log",
            "add",
            "--customer",
            &customer,
            "--channel",
            "phone_in",
            "--disposition",
            "information_given",
            "--summary",
            &format!("call {n}"),
        ]);
        let (frames, backfilled) = log_frames(&desk.db);
        most = most.max(frames);
        if frames > 0 && backfilled == frames {
            checkpoints += 1;
        }
        let (size, page_size) = log_size(&desk.db);
        largest = largest.max(size);
        page = page.max(page_size);
    }
    assert!(
        matches!(screen.child.try_wait(), Ok(None)),
        "the screen stayed open throughout"
    );
    assert!(
        most < CHECKPOINT_PAGES + ONE_WRITE,
        "the log reached {most} frames ({checkpoints} checkpoints seen)"
    );
    // 300 writes of more than 10 frames each went through the log: it was copied back at
    // least three times.
    assert!(checkpoints >= 3, "{checkpoints} checkpoints, {most} frames");
    // A frame is a page and its 24-byte header, after the log's 32-byte header.
    assert!(page >= 512, "page size {page}");
    let bound = 32 + u64::from(CHECKPOINT_PAGES + ONE_WRITE) * (page + 24);
    assert!(
        largest <= bound,
        "the log file reached {largest} bytes, above {bound}"
    );
    screen.send(common::pty::keys::CTRL_C);
    screen.wait_exit();
}

/// Five operators' scripts writing at once beside the screen: each writer begins before the
/// last one's checkpoint has copied everything, so the log, copied back however often, cannot
/// start again from its beginning under any of them (before, it reached 8,385 frames, 34 MB,
/// over these 500 writes; copied back at each close but never started again, 3,048). Past
/// twice the checkpoint size a checkpoint waits briefly for the log's readers, and the next
/// writer starts it again: it stays within about twice the checkpoint size.
#[test]
fn writers_at_once_beside_an_idle_screen_keep_the_log_bounded() {
    let desk = Desk::new();
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    let codes: Vec<String> = desk
        .customers()
        .iter()
        .take(5)
        .map(|c| c.code.clone())
        .collect();
    // The log looked at every few milliseconds while they write.
    let done = Arc::new(AtomicBool::new(false));
    let watch = {
        let (db, done) = (desk.db.clone(), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut most = 0;
            while !done.load(Ordering::Relaxed) {
                most = most.max(log_frames(&db).0);
                std::thread::sleep(Duration::from_millis(5));
            }
            most
        })
    };
    std::thread::scope(|scope| {
        for code in &codes {
            let desk = &desk;
            scope.spawn(move || {
                for n in 0..100 {
                    desk.cli(&[
                        "log",
                        "add",
                        "--customer",
                        code,
                        "--channel",
                        "phone_in",
                        "--disposition",
                        "information_given",
                        "--summary",
                        &format!("call {n}"),
                    ]);
                }
            });
        }
    });
    done.store(true, Ordering::Relaxed);
    let most = watch.join().expect("the watch");
    assert!(
        matches!(screen.child.try_wait(), Ok(None)),
        "the screen stayed open throughout"
    );
    assert!(most < 3 * CHECKPOINT_PAGES, "the log reached {most} frames");
    // Every write is there.
    let (store, me) = desk.store();
    for code in &codes {
        let customer = store.resolve_customer(code).expect("the customer");
        let history = store.history(&me, customer, 1000).expect("its history");
        let calls = history
            .iter()
            .filter(|item| {
                matches!(item, HistoryItem::Interaction(i)
                    if i.summary.as_deref().is_some_and(|s| s.starts_with("call ")))
            })
            .count();
        assert_eq!(calls, 100, "{code}");
    }
    screen.send(common::pty::keys::CTRL_C);
    screen.wait_exit();
}
