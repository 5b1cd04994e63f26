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

/// Commands started while forced restores swap the database's files: each finds the old
/// database whole, or waits the few milliseconds of the swap and finds the new one whole. None
/// is told there is no database (before, 3 of 263 such commands over 20 restores were, having
/// started in the swap; on a shared host they were told the log was missing and the
/// administrator must repair it with `host setup`), and `check` passes on whichever it found.
#[test]
fn commands_started_during_a_restore_find_a_whole_database() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "王秀英"]);
    let file = sandbox.dir.path().join("b.db");
    sandbox.ok(&["backup", file.to_str().expect("path")]);
    sandbox.ok(&["customer", "add", "--name", "备份之后"]);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let runs = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for n in 0..3 {
            let (sandbox, stop, runs, failures) = (&sandbox, &stop, &runs, &failures);
            scope.spawn(move || {
                let mut i = n;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let args: &[&str] = if i % 2 == 0 {
                        &["check"]
                    } else {
                        &["search", "王秀英"]
                    };
                    let out = sandbox.run(args);
                    runs.fetch_add(1, Ordering::Relaxed);
                    let stdout = String::from_utf8_lossy(&out.stdout);
                    let found = args[0] == "check" || stdout.contains("王秀英");
                    if !out.status.success() || !found {
                        failures.lock().expect("failures").push(format!(
                            "{args:?}: {}{}",
                            stdout,
                            String::from_utf8_lossy(&out.stderr)
                        ));
                    }
                }
            });
        }
        for _ in 0..10 {
            sandbox.ok(&["restore", file.to_str().expect("path"), "--yes", "--force"]);
            std::thread::sleep(Duration::from_millis(100));
        }
        stop.store(true, Ordering::Relaxed);
    });
    let failures = failures.into_inner().expect("failures");
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(runs.load(Ordering::Relaxed) >= 10, "too few commands ran");
    let names: Vec<String> = column(&sandbox.raw(), "SELECT name FROM customers");
    assert_eq!(names, ["王秀英"]);
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
    assert!(err.contains("the last entry was deleted"), "{err}");
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

// Encrypted backups (issue 15, item 7).

/// The first line of every age file.
const AGE_HEADER: &[u8] = b"age-encryption.org/v1\n";

/// A new age identity written to `name` in the sandbox (0600, as `age-keygen` writes it), and
/// its recipient.
fn age_key(sandbox: &Sandbox, name: &str) -> (PathBuf, String) {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let text = format!(
        "# public key: {recipient}\n{}\n",
        identity.to_string().expose_secret()
    );
    let path = sandbox.write_file(name, text.as_bytes());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    (path, recipient)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The names of the files in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .collect();
    names.sort();
    names
}

/// The detail of the last audit entry with this action in the sandbox's database.
fn last_detail(sandbox: &Sandbox, action: &str) -> serde_json::Value {
    let details: Vec<String> = column(
        &sandbox.raw(),
        &format!("SELECT detail FROM audit_log WHERE action = '{action}' ORDER BY id"),
    );
    serde_json::from_str(details.last().expect("an entry")).expect("JSON detail")
}

fn customer_names(sandbox: &Sandbox) -> Vec<String> {
    column(&sandbox.raw(), "SELECT name FROM customers ORDER BY id")
}

#[test]
fn a_backup_encrypted_to_a_recipient_opens_only_with_its_identity() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "Ouyang Xiuying"]);
    sandbox.ok(&["customer", "add", "--name", "欧阳秀英"]);
    let (key, recipient) = age_key(&sandbox, "key.txt");
    let (other_key, _) = age_key(&sandbox, "other.txt");
    let dir = sandbox.dir.path().join("backups");
    std::fs::create_dir_all(&dir).expect("folder");

    // A plain backup holds the names as they are: what encryption has to hide.
    let plain = dir.join("plain.db");
    sandbox.ok(&["backup", plain.to_str().expect("path")]);
    let plain_bytes = std::fs::read(&plain).expect("read");
    assert!(contains(&plain_bytes, "Ouyang Xiuying".as_bytes()));
    assert!(contains(&plain_bytes, "欧阳秀英".as_bytes()));
    std::fs::remove_file(&plain).expect("remove");
    std::fs::remove_file(witness(&plain)).expect("remove");

    let file = dir.join("careline.db");
    let out = sandbox.ok(&[
        "backup",
        file.to_str().expect("path"),
        "--recipient",
        &recipient,
        "--json",
    ]);
    let made: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(made["encrypted"], "recipients", "{made}");
    assert_eq!(made["recipients"], 1, "{made}");
    assert_eq!(made["witness"], serde_json::Value::Null, "{made}");
    assert_eq!(made["customers"], 2, "{made}");

    // An age file, owner-only, hiding the names; alone in its folder: no plaintext copy, no
    // witness beside it (it is inside), nothing half-written.
    let bytes = std::fs::read(&file).expect("read");
    assert!(bytes.starts_with(AGE_HEADER));
    assert!(!contains(&bytes, "Ouyang Xiuying".as_bytes()));
    assert!(!contains(&bytes, "欧阳秀英".as_bytes()));
    assert!(!contains(&bytes, b"SQLite format 3"));
    assert_eq!(mode(&file), 0o600);
    assert_eq!(names_in(&dir), ["careline.db"]);
    assert_eq!(made["bytes"].as_u64(), Some(bytes.len() as u64));

    // age itself opens it with the identity: careline's container, the witness, then the
    // database holding the names.
    let identity: age::x25519::Identity = std::fs::read_to_string(&key)
        .expect("key")
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .expect("identity line")
        .parse()
        .expect("identity");
    let inside = age::decrypt(&identity, &bytes).expect("decrypts with the identity");
    assert!(inside.starts_with(b"careline backup 1\nwitness "));
    assert!(contains(&inside, b"careline audit witness\nentry "));
    assert!(contains(&inside, b"SQLite format 3"));
    assert!(contains(&inside, "欧阳秀英".as_bytes()));

    // Audited: encrypted, to one recipient.
    let detail = last_detail(&sandbox, "backup");
    assert_eq!(detail["encrypted"], true, "{detail}");
    assert_eq!(detail["recipients"], 1, "{detail}");
    assert_eq!(detail["passphrase"], false, "{detail}");

    // Checked on its own with the identity; without it, it says what to give.
    let check = sandbox.ok(&[
        "check",
        "--backup",
        file.to_str().expect("path"),
        "--identity",
        key.to_str().expect("path"),
    ]);
    assert!(check.contains("encrypted     yes"), "{check}");
    assert!(check.contains("audit witness ok"), "{check}");
    let err = sandbox.fails(&["check", "--backup", file.to_str().expect("path")]);
    assert!(err.contains("--identity"), "{err}");
    assert_eq!(
        names_in(&dir),
        ["careline.db"],
        "nothing left after a check"
    );

    // The live database moves on.
    sandbox.ok(&["customer", "add", "--name", "After The Backup"]);
    let before = customer_names(&sandbox);
    assert_eq!(before.len(), 3);
    let desk = sandbox.db.parent().expect("folder").to_path_buf();
    let desk_files = names_in(&desk);

    // Another identity, or none, does not open it, and nothing changes.
    let err = sandbox.fails(&[
        "restore",
        file.to_str().expect("path"),
        "--yes",
        "--identity",
        other_key.to_str().expect("path"),
    ]);
    assert!(
        err.contains("the backup is encrypted: this identity") && err.contains("does not open it"),
        "{err}"
    );
    assert!(err.contains("other.txt"), "{err}");
    assert_eq!(customer_names(&sandbox), before);
    assert_eq!(
        names_in(&desk),
        desk_files,
        "no copy left beside the database"
    );
    let err = sandbox.fails(&["restore", file.to_str().expect("path"), "--yes"]);
    assert!(
        err.contains("encrypted to age recipients") && err.contains("--identity"),
        "{err}"
    );
    assert_eq!(customer_names(&sandbox), before);

    // Cut short, it is refused as damaged, and nothing changes.
    let cut = dir.join("cut.db");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let err = sandbox.fails(&[
        "restore",
        cut.to_str().expect("path"),
        "--yes",
        "--identity",
        key.to_str().expect("path"),
    ]);
    assert!(err.contains("the backup is damaged"), "{err}");
    assert_eq!(customer_names(&sandbox), before);
    assert_eq!(names_in(&desk), desk_files);

    // Its identity restores it: the backup's customers, checked, audited as encrypted.
    let out = sandbox.ok(&[
        "restore",
        file.to_str().expect("path"),
        "--yes",
        "--identity",
        key.to_str().expect("path"),
    ]);
    assert!(out.contains("decrypted"), "{out}");
    assert_eq!(customer_names(&sandbox), ["Ouyang Xiuying", "欧阳秀英"]);
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("audit witness ok"), "{check}");
    assert_eq!(last_detail(&sandbox, "restore")["encrypted"], true);
    assert!(
        !names_in(&desk).iter().any(|n| n.contains(".restoring-")),
        "{:?}",
        names_in(&desk)
    );
    // A plain backup is not given a key it does not need.
    let plain = dir.join("plain-again.db");
    sandbox.ok(&["backup", plain.to_str().expect("path")]);
    let err = sandbox.fails(&[
        "restore",
        plain.to_str().expect("path"),
        "--yes",
        "--identity",
        key.to_str().expect("path"),
    ]);
    assert!(err.contains("not encrypted"), "{err}");
}

#[test]
fn a_backup_encrypted_with_a_passphrase_file_restores_for_scripts() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "Passphrase Keeper"]);
    let dir = sandbox.dir.path().join("nightly");
    std::fs::create_dir_all(&dir).expect("folder");
    let file = dir.join("careline.db");

    // A passphrase file others may read is refused, naming it and the fix.
    let words = sandbox.write_file("passphrase", b"correct horse battery staple\n");
    std::fs::set_permissions(&words, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let err = sandbox.fails(&[
        "backup",
        file.to_str().expect("path"),
        "--passphrase-file",
        words.to_str().expect("path"),
    ]);
    assert!(
        err.contains("--passphrase-file") && err.contains("chmod 600"),
        "{err}"
    );
    assert!(names_in(&dir).is_empty(), "{:?}", names_in(&dir));
    std::fs::set_permissions(&words, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let out = sandbox.ok(&[
        "backup",
        file.to_str().expect("path"),
        "--passphrase-file",
        words.to_str().expect("path"),
        "--json",
    ]);
    let made: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(made["encrypted"], "passphrase", "{made}");
    let bytes = std::fs::read(&file).expect("read");
    assert!(bytes.starts_with(AGE_HEADER));
    assert!(contains(&bytes, b"\n-> scrypt "), "a passphrase stanza");
    assert!(!contains(&bytes, b"Passphrase Keeper"));
    assert_eq!(names_in(&dir), ["careline.db"]);
    let detail = last_detail(&sandbox, "backup");
    assert_eq!(detail["encrypted"], true, "{detail}");
    assert_eq!(detail["passphrase"], true, "{detail}");
    assert_eq!(detail["recipients"], 0, "{detail}");
    assert!(
        !detail.to_string().contains("correct horse"),
        "the passphrase is never recorded: {detail}"
    );

    sandbox.ok(&["customer", "add", "--name", "Added Later"]);
    let before = customer_names(&sandbox);

    // A wrong passphrase does not open it; an identity is not what it needs.
    let wrong = sandbox.write_file("wrong", b"incorrect horse\n");
    std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let err = sandbox.fails(&[
        "restore",
        file.to_str().expect("path"),
        "--yes",
        "--passphrase-file",
        wrong.to_str().expect("path"),
    ]);
    assert!(
        err.contains("the backup is encrypted: this passphrase does not open it"),
        "{err}"
    );
    assert_eq!(customer_names(&sandbox), before);
    let (key, _) = age_key(&sandbox, "key.txt");
    let err = sandbox.fails(&[
        "restore",
        file.to_str().expect("path"),
        "--yes",
        "--identity",
        key.to_str().expect("path"),
    ]);
    assert!(err.contains("encrypted with a passphrase"), "{err}");
    assert_eq!(customer_names(&sandbox), before);

    // The right one, on standard input (`--passphrase-file -`), restores it.
    use std::io::Write as _;
    let mut child = sandbox
        .command()
        .args([
            "restore",
            file.to_str().expect("path"),
            "--yes",
            "--passphrase-file",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"correct horse battery staple\n")
        .expect("write");
    let out = child.wait_with_output().expect("waits");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(customer_names(&sandbox), ["Passphrase Keeper"]);
    assert_eq!(last_detail(&sandbox, "restore")["encrypted"], true);
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("audit witness ok"), "{check}");
}

#[test]
fn encrypted_backups_for_cron_keep_the_newest_few() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "Rotating Customer"]);
    let (key, recipient) = age_key(&sandbox, "key.txt");
    let (second_key, second) = age_key(&sandbox, "second.txt");
    // A recipients file as age -R reads it: comments, blank lines, the same one twice.
    let recipients = sandbox.write_file(
        "recipients.txt",
        format!("# the backup keys\n{recipient}\n\n{second}\n{recipient}\n").as_bytes(),
    );
    let dir = sandbox.dir.path().join("nightly");
    std::fs::create_dir_all(&dir).expect("folder");
    let file = dir.join("careline.db");
    for _ in 0..3 {
        let out = sandbox.ok(&[
            "backup",
            file.to_str().expect("path"),
            "--keep",
            "2",
            "--recipients-file",
            recipients.to_str().expect("path"),
        ]);
        assert!(out.contains("encrypted to 2 age recipients"), "{out}");
        std::thread::sleep(Duration::from_millis(1100));
    }
    let names = names_in(&dir);
    assert_eq!(names.len(), 2, "the two newest, no witnesses: {names:?}");
    for name in &names {
        assert!(
            name.starts_with("careline-") && name.ends_with(".db"),
            "{names:?}"
        );
        let path = dir.join(name);
        assert!(std::fs::read(&path).expect("read").starts_with(AGE_HEADER));
        // Either recipient's identity opens each.
        for identity in [&key, &second_key] {
            let check = sandbox.ok(&[
                "check",
                "--backup",
                path.to_str().expect("path"),
                "--identity",
                identity.to_str().expect("path"),
            ]);
            assert!(check.contains("audit chain   ok"), "{check}");
        }
    }
    let detail = last_detail(&sandbox, "backup");
    assert_eq!(detail["recipients"], 2, "{detail}");
    assert_eq!(
        detail["removed"].as_array().map(Vec::len),
        Some(1),
        "{detail}"
    );

    // Keys given wrong are named, and a secret key given for a recipient is not repeated.
    let err = sandbox.fails(&[
        "backup",
        dir.join("x.db").to_str().expect("path"),
        "--recipient",
        "age1notakey",
    ]);
    assert!(
        err.contains("--recipient age1notakey") && err.contains("not an age recipient"),
        "{err}"
    );
    let err = sandbox.fails(&[
        "backup",
        dir.join("x.db").to_str().expect("path"),
        "--recipients-file",
        key.to_str().expect("path"),
    ]);
    assert!(
        err.contains("line 2") && err.contains("secret key"),
        "{err}"
    );
    let secret = std::fs::read_to_string(&key).expect("key");
    let secret = secret.lines().nth(1).expect("the identity line");
    assert!(!err.contains(secret), "{err}");
    assert!(!err.contains("AGE-SECRET-KEY-"), "{err}");
    // A passphrase and recipients do not mix (age's rule): a usage error.
    let out = sandbox.run(&[
        "backup",
        dir.join("x.db").to_str().expect("path"),
        "--recipient",
        &recipient,
        "--passphrase",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--passphrase") && err.contains("cannot be used with"),
        "{err}"
    );
    assert_eq!(
        names_in(&dir).len(),
        2,
        "nothing written by a refused backup"
    );
}

/// On a shared desk (the database group-writable for the operators who work on it) a backup
/// is readable to that group: given the database's group, never only the maker's own.
#[test]
fn a_shared_desks_backup_is_readable_to_the_databases_group_only() {
    use std::os::unix::fs::MetadataExt;
    let sandbox = Sandbox::new();
    sandbox.init();
    let db_meta = std::fs::metadata(&sandbox.db).expect("db");
    std::fs::set_permissions(&sandbox.db, std::fs::Permissions::from_mode(0o660)).expect("chmod");
    // A group other than the maker's own: where this test may give the file one (as root),
    // the backup must carry it; otherwise it must fall back to the owner alone.
    let other_group = if db_meta.uid() == 0 { 1 } else { db_meta.gid() };
    let given = std::os::unix::fs::chown(&sandbox.db, None, Some(other_group)).is_ok();
    let file = sandbox.dir.path().join("desk-backup.db");
    sandbox.ok(&["backup", file.to_str().expect("path")]);
    let meta = std::fs::metadata(&file).expect("backup");
    if given {
        assert_eq!(meta.gid(), other_group);
        assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    } else {
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
}

/// The database files a restore kept beside `db` (`careline.db.replaced-…`, not its log or
/// witness).
fn kept_beside(db: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(db.parent().expect("folder"))
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.to_string_lossy();
            name.contains(".replaced-")
                && !name.ends_with("-audit")
                && !name.ends_with("-wal")
                && !name.ends_with("-shm")
        })
        .collect()
}

/// A careline left open (this test process's store) when a restore is forced over its
/// database: every write it tries afterwards, and its look for others' changes, is refused
/// saying the database was replaced, and nothing of it reaches the file renamed aside. The
/// restore's audit entry says it was forced, over which process.
#[test]
fn a_store_left_open_across_a_forced_restore_refuses_to_write() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "王秀英"]);
    let file = sandbox.dir.path().join("b.db");
    sandbox.ok(&["backup", file.to_str().expect("path")]);
    let mut store = sandbox.store();
    let admin = store.actor(&common::login(), None).expect("the admin");
    store
        .create_customer(&admin, &common::customer("备份之后", vec![]))
        .expect("written before the restore");
    let entries_before = store.check().expect("check").audit.entries;
    // Refused while this store has it open; forced, it goes ahead and says over whom.
    let err = sandbox.fails(&["restore", file.to_str().expect("path"), "--yes"]);
    assert!(err.contains("--force"), "{err}");
    let out = sandbox.ok(&["restore", file.to_str().expect("path"), "--yes", "--force"]);
    assert!(
        out.contains(&format!(
            "(pid {}) had the database open",
            std::process::id()
        )),
        "{out}"
    );

    let replaced = |e: careline::store::StoreError| {
        let text = e.to_string();
        assert!(
            matches!(e, careline::store::StoreError::Replaced { .. }),
            "expected Replaced, got {e:?}"
        );
        assert!(
            text.contains("was replaced (restored from a backup) after this careline opened it; nothing was saved: quit careline and start it again"),
            "{text}"
        );
    };
    replaced(
        store
            .create_customer(&admin, &common::customer("恢复之后", vec![]))
            .expect_err("refused"),
    );
    replaced(
        store
            .save_draft(&admin, "customer.new", 0, "{\"name\":\"恢复之后\"}")
            .expect_err("refused"),
    );
    replaced(store.data_version().expect_err("refused"));
    drop(store);

    // Nothing of it is in the file renamed aside, nor in the restored one.
    let kept = kept_beside(&sandbox.db);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let names: Vec<String> = column(&raw(&kept[0]), "SELECT name FROM customers");
    assert_eq!(names, ["王秀英", "备份之后"]);
    assert_eq!(
        count(&raw(&kept[0]), "SELECT count(*) FROM audit_log"),
        entries_before
    );
    assert_eq!(count(&raw(&kept[0]), "SELECT count(*) FROM drafts"), 0);
    let names: Vec<String> = column(&sandbox.raw(), "SELECT name FROM customers");
    assert_eq!(names, ["王秀英"]);

    // The restore's entry: forced, over this process.
    let trail: Vec<serde_json::Value> =
        serde_json::from_str(&sandbox.ok(&["audit", "list", "--action", "restore", "--json"]))
            .expect("JSON");
    let detail = &trail[0]["detail"];
    assert_eq!(detail["force"], true, "{detail}");
    assert_eq!(detail["open_elsewhere"]["locked"], true, "{detail}");
    let pids: Vec<u64> = detail["open_elsewhere"]["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .filter_map(|p| p["pid"].as_u64())
        .collect();
    assert!(pids.contains(&u64::from(std::process::id())), "{detail}");
    // A restore nobody had open says it was not forced.
    sandbox.ok(&["restore", file.to_str().expect("path"), "--yes"]);
    let trail: Vec<serde_json::Value> =
        serde_json::from_str(&sandbox.ok(&["audit", "list", "--action", "restore", "--json"]))
            .expect("JSON");
    assert_eq!(trail[0]["detail"]["force"], false, "{trail:?}");
    assert!(trail[0]["detail"]["open_elsewhere"].is_null(), "{trail:?}");
    assert!(sandbox.ok(&["check"]).contains("audit witness ok"));
}

/// A careline left open across a forced restore, on a desk of one, closes after others have
/// written to the restored database. The last connection to a database copies its log back
/// and removes it and the shared memory as it closes, by their names, which are the restored
/// database's now: the old careline's close must leave them be (SQLite does so for a database
/// no longer at its path; a restore's swap waits for a close under way), or the next command
/// would find neither the customer added after the restore nor the audit entry its witness
/// records.
#[test]
fn a_store_closed_after_a_forced_restore_leaves_the_restored_log_in_place() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "王秀英"]);
    let file = sandbox.dir.path().join("b.db");
    sandbox.ok(&["backup", file.to_str().expect("path")]);
    let old = sandbox.store();
    sandbox.ok(&["restore", file.to_str().expect("path"), "--yes", "--force"]);
    // Written to the restored database by a careline that keeps it open: in its log.
    let mut new = sandbox.store();
    let admin = new.actor(&common::login(), None).expect("the admin");
    new.create_customer(&admin, &common::customer("恢复之后", vec![]))
        .expect("written after the restore");
    let wal = careline::host::side_file(&sandbox.db, "-wal");
    assert!(
        std::fs::metadata(&wal).expect("the log").len() > 0,
        "the write is in the log"
    );
    drop(old);
    assert!(wal.exists(), "the restored database's log was removed");
    let found = sandbox.ok(&["search", "恢复之后"]);
    assert!(found.contains("恢复之后"), "{found}");
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("audit witness ok"), "{check}");
    drop(new);
    let names: Vec<String> = column(&sandbox.raw(), "SELECT name FROM customers");
    assert_eq!(names, ["王秀英", "恢复之后"]);
}

/// The operator's screen left open while a restore is forced: its look for others' changes
/// finds the database replaced and says so on the message line; a save is refused the same
/// way, the form stays open with what was typed, and nothing reaches either database but the
/// draft written before the restore, which is in the file renamed aside (as the screen says).
#[test]
fn a_screen_left_open_across_a_forced_restore_keeps_the_form_and_says_why() {
    use common::pty::keys::{CTRL_C, CTRL_S};
    let desk = common::pty::Desk::new();
    let file = desk.home.join("b.db");
    desk.cli(&["backup", file.to_str().expect("path")]);
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    screen.send("\x0e"); // Ctrl-N: new customer
    screen.wait_for("New customer");
    screen.send("恢复时在填");
    let deadline = Instant::now() + Duration::from_secs(10);
    {
        let (store, me) = desk.store();
        while store.drafts(&me).expect("drafts").is_empty() {
            assert!(
                Instant::now() < deadline,
                "no draft was written while typing"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    desk.cli(&["restore", file.to_str().expect("path"), "--yes", "--force"]);
    screen.wait_for("A restore replaced the database: nothing is saved now");
    screen.send(CTRL_S);
    std::thread::sleep(Duration::from_millis(600));
    let shown = screen.wait_for("A restore replaced the database");
    assert!(
        shown.contains("New customer"),
        "the form stays open:\n{shown}"
    );
    assert!(
        shown.replace(' ', "").contains("恢复时在填"),
        "with what was typed:\n{shown}"
    );
    assert!(
        shown.contains("earlier ones are in the old file"),
        "{shown}"
    );
    screen.send(CTRL_C);
    screen.wait_exit();

    let (store, me) = desk.store();
    assert!(store.drafts(&me).expect("drafts").is_empty());
    assert!(!desk
        .customers()
        .iter()
        .any(|c| c.fields.name == "恢复时在填"));
    drop(store);
    let kept = kept_beside(&desk.db);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let drafts: Vec<String> = column(&raw(&kept[0]), "SELECT content FROM drafts");
    assert!(
        drafts.iter().any(|d| d.contains("恢复时")),
        "the draft typed before the restore: {drafts:?}"
    );
    assert_eq!(
        count(
            &raw(&kept[0]),
            "SELECT count(*) FROM customers WHERE name = '恢复时在填'"
        ),
        0
    );
}
