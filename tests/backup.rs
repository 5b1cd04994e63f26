//! Backups and restores (issue 15): a backup taken while ten writer processes write passes
//! `check`, holds every write acknowledged before it started, and restores to a working
//! database; a restore checks the file, refuses while the database is open elsewhere, keeps
//! the file it replaces and is audited.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{column, count, raw, Sandbox};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("file").permissions().mode() & 0o777
}

fn witness(file: &Path) -> PathBuf {
    careline::store::witness_path(file)
}

/// `careline check` on a copy of a backup (with its witness) in a sandbox of its own, so the
/// backup file itself is left as it is.
fn check_copy(backup: &Path) -> String {
    let other = Sandbox::new();
    std::fs::create_dir_all(other.db.parent().expect("folder")).expect("folder");
    std::fs::copy(backup, &other.db).expect("copy");
    std::fs::copy(witness(backup), witness(&other.db)).expect("copy the witness");
    other.ok(&["check"])
}

#[test]
fn a_backup_under_ten_writers_holds_every_acknowledged_write_and_restores() {
    let sandbox = Arc::new(Sandbox::new());
    sandbox.init();
    let acked: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let done = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..10)
        .map(|w| {
            let (sandbox, acked, done) = (sandbox.clone(), acked.clone(), done.clone());
            std::thread::spawn(move || {
                for i in 0..20 {
                    let name = format!("写入{w}-{i}");
                    let out = sandbox.run(&["customer", "add", "--name", &name]);
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    acked.lock().expect("lock").push((name, Instant::now()));
                }
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    // Some writes first, then the backup while the writers go on.
    while acked.lock().expect("lock").len() < 40 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let file = sandbox.dir.path().join("backups").join("careline.db");
    std::fs::create_dir_all(file.parent().expect("folder")).expect("folder");
    let started = Instant::now();
    let out = sandbox.ok(&["backup", file.to_str().expect("path"), "--json"]);
    let finished = Instant::now();
    let writing_when_done = done.load(Ordering::SeqCst) < 10;
    for w in writers {
        w.join().expect("writer");
    }
    assert!(
        writing_when_done,
        "the writers were still writing after the backup"
    );
    let made: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(made["file"], file.to_str().expect("path"));

    // Checked, owner-only, with its witness.
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&witness(&file)), 0o600);
    let check = check_copy(&file);
    assert!(check.contains("audit witness ok"), "{check}");
    // Every write acknowledged before the backup began is in it; none is half there.
    let in_backup: Vec<String> = column(&raw(&file), "SELECT name FROM customers");
    let acked = acked.lock().expect("lock").clone();
    let before: Vec<&String> = acked
        .iter()
        .filter(|(_, at)| *at < started)
        .map(|(n, _)| n)
        .collect();
    assert!(before.len() >= 40);
    for name in &before {
        assert!(
            in_backup.contains(name),
            "{name} was acknowledged before the backup"
        );
    }
    let after: Vec<&String> = acked
        .iter()
        .filter(|(_, at)| *at > finished)
        .map(|(n, _)| n)
        .collect();
    assert!(!after.is_empty(), "some writes came after the backup");
    for name in &after {
        assert!(
            !in_backup.contains(name),
            "{name} came after the backup ended"
        );
    }
    assert_eq!(
        made["customers"].as_i64(),
        Some(in_backup.len() as i64),
        "{made}"
    );

    // Restored: the database is the backup's, the one replaced is kept, and it works.
    let live_before = count(&sandbox.raw(), "SELECT count(*) FROM customers");
    assert_eq!(live_before, 200);
    let out = sandbox.ok(&["restore", file.to_str().expect("path"), "--yes"]);
    assert!(out.contains("is kept as"), "{out}");
    let live: Vec<String> = column(&sandbox.raw(), "SELECT name FROM customers");
    assert_eq!(live.len(), in_backup.len());
    let kept: Vec<PathBuf> = std::fs::read_dir(sandbox.db.parent().expect("folder"))
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.to_string_lossy().contains(".replaced-") && !p.to_string_lossy().ends_with("-audit")
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(count(&raw(&kept[0]), "SELECT count(*) FROM customers"), 200);
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("audit witness ok"), "{check}");
    let trail = sandbox.ok(&["audit", "list", "--action", "restore"]);
    assert!(trail.contains("restore"), "{trail}");
    sandbox.ok(&["customer", "add", "--name", "恢复后"]);
    let found = sandbox.ok(&["search", "恢复后"]);
    assert!(found.contains("恢复后"), "{found}");
}

#[test]
fn a_restore_is_refused_while_the_database_is_open_elsewhere() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "王秀英"]);
    let file = sandbox.dir.path().join("b.db");
    sandbox.ok(&["backup", file.to_str().expect("path")]);
    // Another program holds the database open (as a running careline screen would).
    let other = sandbox.raw();
    let _ = count(&other, "SELECT count(*) FROM customers");
    let err = sandbox.fails(&["restore", file.to_str().expect("path"), "--yes"]);
    assert!(err.contains("have") && err.contains("open"), "{err}");
    assert!(err.contains("--force"), "{err}");
    drop(other);
    sandbox.ok(&["restore", file.to_str().expect("path"), "--yes"]);
    // Not without asking, and never over an existing backup file.
    let err = sandbox.fails(&["restore", file.to_str().expect("path")]);
    assert!(err.contains("--yes"), "{err}");
    let err = sandbox.fails(&["backup", file.to_str().expect("path")]);
    assert!(err.contains("exists already"), "{err}");
}

#[test]
fn a_tampered_or_unwitnessed_backup_is_not_restored() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "王秀英"]);
    sandbox.ok(&["customer", "add", "--name", "陈杰"]);
    let file = sandbox.dir.path().join("b.db");
    sandbox.ok(&["backup", file.to_str().expect("path")]);
    let last = count(&raw(&file), "SELECT max(id) FROM audit_log");
    raw(&file)
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = {last};"
        ))
        .expect("tamper");
    let err = sandbox.fails(&["restore", file.to_str().expect("path"), "--yes"]);
    assert!(err.contains("failed its check"), "{err}");
    assert!(err.contains("the last 1 entries were deleted"), "{err}");
    std::fs::remove_file(witness(&file)).expect("remove");
    let err = sandbox.fails(&["restore", file.to_str().expect("path"), "--yes"]);
    assert!(err.contains("has no audit witness"), "{err}");
    // Nothing was replaced.
    assert_eq!(count(&sandbox.raw(), "SELECT count(*) FROM customers"), 2);
}

#[test]
fn backups_for_cron_keep_the_newest_few() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let dir = sandbox.dir.path().join("nightly");
    std::fs::create_dir_all(&dir).expect("folder");
    let file = dir.join("careline.db");
    for _ in 0..3 {
        sandbox.ok(&["backup", file.to_str().expect("path"), "--keep", "2"]);
        // The stamp has seconds: the next backup is a second later.
        std::thread::sleep(Duration::from_millis(1100));
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "two backups and their witnesses: {names:?}");
    assert!(
        names.iter().all(|n| n.starts_with("careline-")),
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|n| n.ends_with(".db")).count(), 2);
    // Only an admin backs up.
    sandbox.ok(&[
        "operator",
        "add",
        "li.na",
        "--name",
        "李娜",
        "--role",
        "supervisor",
    ]);
    let err = sandbox.fails(&[
        "--as",
        "li.na",
        "backup",
        dir.join("x.db").to_str().expect("path"),
    ]);
    assert!(
        err.contains("only an admin may back up the database"),
        "{err}"
    );
}
