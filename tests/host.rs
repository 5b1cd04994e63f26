//! careline installed for many operators on one host (`careline host setup`, docs/SECURITY.md):
//! a real group and real users made by the test, careline installed setgid into a temporary
//! prefix, and each user's commands run as that user (`setpriv`). The property under test: an
//! operator reaches the database only through careline and its permission checks.
//!
//! Needs root and useradd, usermod, userdel, groupdel and setpriv; without them the test says
//! so and passes, except under CI (`CI` set), where it fails.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const CARELINE: &str = env!("CARGO_BIN_EXE_careline");

/// Where system tools are, whatever PATH the test was given.
const TOOL_DIRS: &[&str] = &["/usr/sbin", "/usr/bin", "/sbin", "/bin"];

fn tool(name: &str) -> Option<PathBuf> {
    TOOL_DIRS
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// Why this machine cannot run the test, if it cannot.
fn cannot_run() -> Option<String> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("it must run as root to create users and a group".into());
    }
    [
        "useradd", "usermod", "userdel", "groupdel", "groupadd", "setpriv",
    ]
    .iter()
    .find(|t| tool(t).is_none())
    .map(|t| format!("{t} is not installed"))
}

/// A folder the test's prefix can go in: on a file system that honours the setgid bit (not
/// mounted nosuid), and on a path every user may traverse.
fn base_folder() -> Result<PathBuf, String> {
    let mut candidates = vec![PathBuf::from("/tmp"), PathBuf::from("/var/tmp")];
    candidates.push(PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    let mut why = vec![];
    for dir in candidates {
        let Ok(c_dir) = std::ffi::CString::new(dir.to_string_lossy().as_bytes()) else {
            continue;
        };
        let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
        // SAFETY: a NUL-terminated path and room for one statvfs, which is all it writes.
        let rc = unsafe { libc::statvfs(c_dir.as_ptr(), stat.as_mut_ptr()) };
        if rc != 0 {
            why.push(format!("{}: cannot statvfs", dir.display()));
            continue;
        }
        // SAFETY: statvfs returned 0, so it filled the struct.
        if unsafe { stat.assume_init() }.f_flag & libc::ST_NOSUID != 0 {
            why.push(format!("{} is mounted nosuid", dir.display()));
            continue;
        }
        let closed = dir
            .ancestors()
            .find(|a| std::fs::metadata(a).map_or(true, |m| m.permissions().mode() & 0o001 == 0));
        if let Some(closed) = closed {
            why.push(format!("{} is closed to other users", closed.display()));
            continue;
        }
        return Ok(dir);
    }
    Err(why.join("; "))
}

/// A user made for the test.
struct User {
    login: String,
    uid: u32,
    gid: u32,
    home: PathBuf,
}

/// The shared host of one test: its prefix, group and users, all removed when it is dropped,
/// whether the test passed or not.
struct Host {
    prefix: tempfile::TempDir,
    group: String,
    users: Vec<String>,
}

impl Drop for Host {
    fn drop(&mut self) {
        for login in &self.users {
            let _ = Command::new(tool("userdel").unwrap_or_else(|| "userdel".into()))
                .arg(login)
                .output();
        }
        let _ = Command::new(tool("groupdel").unwrap_or_else(|| "groupdel".into()))
            .arg(&self.group)
            .output();
    }
}

impl Host {
    /// A host to test on, or None (and why, printed) when this machine cannot make one.
    fn new(tag: &str) -> Option<Host> {
        if let Some(why) = cannot_run() {
            if std::env::var_os("CI").is_some() {
                panic!("the shared-host tests cannot run under CI: {why}");
            }
            eprintln!("SKIPPED shared-host test {tag}: {why} (they run under CI, as root)");
            return None;
        }
        let base = match base_folder() {
            Ok(base) => base,
            Err(why) => panic!("no folder to install careline in for the test: {why}"),
        };
        let prefix = tempfile::Builder::new()
            .prefix("careline-host-")
            .tempdir_in(base)
            .expect("a prefix");
        // Every folder on the way to the program and the config must be open to operators.
        std::fs::set_permissions(prefix.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod prefix");
        std::fs::create_dir(prefix.path().join("home")).expect("homes");
        std::fs::set_permissions(
            prefix.path().join("home"),
            std::fs::Permissions::from_mode(0o755),
        )
        .expect("chmod homes");
        Some(Host {
            prefix,
            group: format!("clg{}{tag}", std::process::id()),
            users: vec![],
        })
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.prefix.path().join(relative)
    }

    fn db(&self) -> PathBuf {
        self.path("data/careline.db")
    }

    fn bin(&self) -> PathBuf {
        self.path("bin/careline")
    }

    fn gid(&self) -> u32 {
        careline::host::group_by_name(&self.group)
            .expect("group lookup")
            .expect("the group exists")
            .0
    }

    /// A new OS user with a home of their own (0700) in the prefix.
    fn user(&mut self, role: &str) -> User {
        let login = format!("cl{role}{}", std::process::id());
        let home = self.path(&format!("home/{login}"));
        let made = Command::new(tool("useradd").expect("useradd"))
            .args(["--no-create-home", "--shell", "/bin/sh", "--home-dir"])
            .arg(&home)
            .arg(&login)
            .output()
            .expect("useradd runs");
        assert!(made.status.success(), "useradd {login}: {made:?}");
        self.users.push(login.clone());
        let (uid, gid) = careline::host::user_by_login(&login)
            .expect("lookup")
            .expect("the user exists");
        std::fs::create_dir(&home).expect("home");
        std::os::unix::fs::chown(&home, Some(uid), Some(gid)).expect("chown home");
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        User {
            login,
            uid,
            gid,
            home,
        }
    }

    /// `careline host setup` as root, with the installed program in the prefix.
    fn setup(&self, admin: &User) -> Output {
        Command::new(CARELINE)
            .arg("--db")
            .arg(self.db())
            .args([
                "host",
                "setup",
                "--group",
                &self.group,
                "--admin",
                &admin.login,
            ])
            .arg("--bin")
            .arg(self.bin())
            .env_remove("CARELINE_DB")
            .output()
            .expect("setup runs")
    }
}

/// Runs `program args` as `user` (their uid, gid and groups, a clean environment plus `env`),
/// in their home.
fn run_as(user: &User, program: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(tool("setpriv").expect("setpriv"))
        .arg(format!("--reuid={}", user.uid))
        .arg(format!("--regid={}", user.gid))
        .arg("--init-groups")
        .arg("--")
        .arg(program)
        .args(args)
        .env_clear()
        .env("HOME", &user.home)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .envs(env.iter().copied())
        .current_dir(&user.home)
        .output()
        .expect("setpriv runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Careline's output as `user`, which must succeed.
fn ok(host: &Host, user: &User, args: &[&str]) -> String {
    let out = run_as(user, &host.bin(), args, &[]);
    assert!(
        out.status.success(),
        "careline {args:?} as {}: {}{}",
        user.login,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Careline's standard error as `user`, which must fail.
fn refused(host: &Host, user: &User, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = run_as(user, &host.bin(), args, env);
    assert!(
        !out.status.success(),
        "careline {args:?} as {} should be refused: {}",
        user.login,
        text(&out.stdout)
    );
    text(&out.stderr)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Every file and folder under `dir` (itself included), when it can be listed.
fn walk(dir: &Path) -> Vec<(PathBuf, std::fs::Metadata)> {
    let mut found = vec![];
    let mut todo = vec![dir.to_path_buf()];
    while let Some(at) = todo.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&at) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&at) {
                todo.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
            }
        }
        found.push((at, meta));
    }
    found
}

fn mode(path: &Path) -> (u32, u32, u32) {
    let meta =
        std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (meta.uid(), meta.gid(), meta.mode() & 0o7777)
}

fn side(db: &Path, suffix: &str) -> PathBuf {
    careline::host::side_file(db, suffix)
}

#[test]
fn an_operator_reaches_the_data_only_through_careline() {
    let Some(mut host) = Host::new("a") else {
        return;
    };
    let admin = host.user("adm");
    let operator = host.user("op");

    // Setup: the group, the folder, the files, the program, the config, the log.
    let out = host.setup(&admin);
    assert!(out.status.success(), "setup: {out:?}");
    let gid = host.gid();
    let db = host.db();
    let dir = db.parent().expect("a folder").to_path_buf();
    assert_eq!(mode(&dir), (0, gid, 0o2770));
    for file in [
        db.clone(),
        side(&db, "-wal"),
        side(&db, "-shm"),
        side(&db, "-writers"),
    ] {
        assert_eq!(mode(&file), (0, gid, 0o660), "{}", file.display());
    }
    assert_eq!(mode(&host.bin()), (0, gid, 0o2755));
    let config = host.path("etc/careline/careline.toml");
    assert_eq!(mode(&config), (0, 0, 0o644));
    let log = host.path("var/log/careline/careline.log");
    assert_eq!(mode(&log), (0, gid, 0o660));
    let members = careline::host::group_by_name(&host.group)
        .expect("lookup")
        .expect("group")
        .1;
    assert!(members.is_empty(), "no one joins the group: {members:?}");

    // The admin adds the operator and two customers, one confidential.
    ok(
        &host,
        &admin,
        &[
            "operator",
            "add",
            &operator.login,
            "--name",
            "Op",
            "--role",
            "operator",
        ],
    );
    let wang = ok(
        &host,
        &admin,
        &[
            "customer",
            "add",
            "--name",
            "Wang Fang",
            "--phone",
            "13800138000",
        ],
    )
    .trim()
    .to_string();
    let secret = ok(
        &host,
        &admin,
        &[
            "customer",
            "add",
            "--name",
            "Secret Person",
            "--phone",
            "13900139000",
            "--notes",
            "owes tax",
            "--confidential",
        ],
    )
    .trim()
    .to_string();

    // The operator, not in the group, searches, logs and edits through careline.
    let found = json(&ok(&host, &operator, &["search", "Wang", "--json"]));
    assert_eq!(found[0]["code"], wang.as_str(), "{found}");
    ok(
        &host,
        &operator,
        &[
            "log",
            "add",
            "--customer",
            &wang,
            "--channel",
            "phone_in",
            "--disposition",
            "information_given",
            "--summary",
            "asked about delivery",
        ],
    );
    ok(
        &host,
        &operator,
        &["customer", "edit", &wang, "--notes", "prefers mornings"],
    );
    let card = json(&ok(&host, &admin, &["customer", "show", &wang, "--json"]));
    assert_eq!(card["notes"], "prefers mornings");

    // ... but not around it: the folder, the database, its log and shared memory are closed.
    for file in [
        db.clone(),
        side(&db, "-wal"),
        side(&db, "-shm"),
        dir.clone(),
    ] {
        let out = run_as(
            &operator,
            Path::new("/bin/cat"),
            &[&file.to_string_lossy()],
            &[],
        );
        assert!(!out.status.success(), "cat {} was allowed", file.display());
        assert!(out.stdout.is_empty(), "cat {} printed data", file.display());
    }
    match tool("sqlite3") {
        Some(sqlite3) => {
            for file in [db.clone(), side(&db, "-wal")] {
                let out = run_as(
                    &operator,
                    &sqlite3,
                    &[&file.to_string_lossy(), "SELECT name FROM customers"],
                    &[],
                );
                assert!(
                    !out.status.success(),
                    "sqlite3 {} was allowed",
                    file.display()
                );
                assert!(!text(&out.stdout).contains("Wang"), "{out:?}");
            }
        }
        None => eprintln!(
            "sqlite3 is not installed: the sqlite3 check is left out (cat checks the same files)"
        ),
    }
    let out = run_as(
        &operator,
        Path::new("/bin/ls"),
        &[&dir.to_string_lossy()],
        &[],
    );
    assert!(
        !out.status.success(),
        "the operator lists the database's folder"
    );

    // A confidential customer: name and code only.
    let card = json(&ok(
        &host,
        &operator,
        &["customer", "show", &secret, "--json"],
    ));
    assert_eq!(card["restricted"], true, "{card}");
    assert_eq!(card["name"], "Secret Person");
    assert_eq!(card["code"], secret.as_str());
    assert!(card["notes"].is_null(), "{card}");
    assert_eq!(card["contacts"], serde_json::json!([]), "{card}");
    let all = format!("{card}");
    assert!(
        !all.contains("13900139000") && !all.contains("owes tax"),
        "{all}"
    );

    // Nothing redirects careline: CARELINE_DB is ignored (the write lands in the host's
    // database), --db and --config are refused, the operator's own config gives only the look.
    let other = operator.home.join("other.db");
    let other_text = other.to_string_lossy().into_owned();
    let out = run_as(
        &operator,
        &host.bin(),
        &[
            "log",
            "add",
            "--customer",
            &wang,
            "--channel",
            "phone_in",
            "--disposition",
            "information_given",
            "--summary",
            "redirect attempt",
        ],
        &[("CARELINE_DB", &other_text)],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        text(&out.stderr).contains("CARELINE_DB is ignored"),
        "{}",
        text(&out.stderr)
    );
    assert!(!other.exists(), "CARELINE_DB made a database");
    let logged = ok(
        &host,
        &admin,
        &["log", "list", "--customer", &wang, "--json"],
    );
    assert!(logged.contains("redirect attempt"), "{logged}");
    let why = refused(
        &host,
        &operator,
        &["--db", &other_text, "search", "Wang"],
        &[],
    );
    assert!(why.starts_with("careline: --db: on this host"), "{why}");
    let evil = operator.home.join("evil.toml");
    std::fs::write(&evil, format!("[database]\npath = \"{other_text}\"\n")).expect("evil");
    let why = refused(
        &host,
        &operator,
        &["--config", &evil.to_string_lossy(), "search", "Wang"],
        &[],
    );
    assert!(why.starts_with("careline: --config: on this host"), "{why}");
    let own = operator.home.join(".config/careline");
    std::fs::create_dir_all(&own).expect("config folder");
    std::fs::write(
        own.join("careline.toml"),
        format!(
            "[database]\npath = \"{other_text}\"\n[lookup]\nlimit = 3\n[ui]\ntheme = \"mono\"\n"
        ),
    )
    .expect("own config");
    for entry in walk(&operator.home.join(".config")) {
        std::os::unix::fs::lchown(&entry.0, Some(operator.uid), Some(operator.gid)).expect("chown");
    }
    let out = run_as(&operator, &host.bin(), &["search", "Wang", "--json"], &[]);
    assert!(out.status.success(), "{out:?}");
    // One line for each setting ignored, naming the file and the setting; none for [ui].
    let own_file = own.join("careline.toml");
    let host_config = host.path("etc/careline/careline.toml");
    let ignored = |key: &str| {
        format!(
            "careline: warning: {}: {key} is ignored: on this host the administrator sets it, in {} (only [ui] and [keys] are yours)",
            own_file.display(),
            host_config.display()
        )
    };
    assert_eq!(
        text(&out.stderr).lines().collect::<Vec<_>>(),
        [ignored("database.path"), ignored("lookup.limit")],
        "{}",
        text(&out.stderr)
    );
    assert!(!other.exists(), "the operator's config made a database");
    let out = run_as(
        &operator,
        &host.bin(),
        &["search", "Wang"],
        &[
            ("TZ", &db.to_string_lossy()),
            ("SQLITE_TMPDIR", &other_text),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        text(&out.stderr).contains("TZ names a file and is ignored"),
        "{}",
        text(&out.stderr)
    );
    let why = refused(
        &host,
        &operator,
        &["--allow-network-fs", "search", "x"],
        &[],
    );
    assert!(why.contains("only the administrator"), "{why}");
    let why = refused(&host, &operator, &["init"], &[]);
    assert!(why.contains("host setup"), "{why}");

    // The help leaves out what this host refuses, and says where the database comes from;
    // root's `host setup` keeps its --db.
    let help = ok(&host, &operator, &["--help"]);
    for refused in [
        "--db",
        "--config",
        "--demo",
        "--allow-network-fs",
        "CARELINE_DB",
    ] {
        assert!(!help.contains(refused), "{refused} in the help:\n{help}");
    }
    for command in ["init", "demo", "bench"] {
        assert!(
            !help
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{command} "))),
            "{command} in the help:\n{help}"
        );
    }
    assert!(help.contains("search"), "{help}");
    assert!(
        help.contains(&format!(
            "On this host careline uses the database and settings the administrator set in {}",
            host_config.display()
        )),
        "{help}"
    );
    let help = ok(&host, &operator, &["log", "list", "--help"]);
    assert!(!help.contains("--db"), "{help}");
    let help = ok(&host, &operator, &["host", "setup", "--help"]);
    assert!(help.contains("--db <PATH>"), "{help}");

    // --as needs an admin; setup needs root.
    let why = refused(
        &host,
        &operator,
        &["--as", &admin.login, "search", "Wang"],
        &[],
    );
    assert!(
        why.contains("only an admin may act as another operator"),
        "{why}"
    );
    let why = refused(
        &host,
        &operator,
        &["host", "setup", "--group", "x", "--db", &other_text],
        &[],
    );
    assert!(why.contains("run it as root"), "{why}");

    // A path given to a command is opened with the user's own rights: the admin cannot read
    // the database through an import.
    let out = run_as(
        &admin,
        &host.bin(),
        &["import", "customers", &db.to_string_lossy(), "--dry-run"],
        &[],
    );
    assert!(!out.status.success(), "import read the database: {out:?}");
    assert!(
        text(&out.stderr).contains("Permission denied"),
        "{}",
        text(&out.stderr)
    );

    // An encrypted backup is made with the admin's rights too: theirs, with the backup's
    // mode, and no plaintext copy left beside it. The files naming its keys are read with
    // their rights: the database's own files cannot be read through --recipients-file or
    // --identity.
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let backup = admin.home.join("nightly.db");
    let backup_text = backup.to_string_lossy().to_string();
    ok(
        &host,
        &admin,
        &["backup", &backup_text, "--recipient", &recipient],
    );
    // The admin's alone: neither their own group (every user's `users` on some hosts) nor
    // careline's group may read it.
    assert_eq!(mode(&backup), (admin.uid, admin.gid, 0o600));
    assert!(std::fs::read(&backup)
        .expect("read")
        .starts_with(b"age-encryption.org/v1\n"));
    let beside: Vec<String> = std::fs::read_dir(&admin.home)
        .expect("home")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .filter(|n| n.starts_with("nightly.db"))
        .collect();
    assert_eq!(beside, ["nightly.db"]);
    let key = admin.home.join("backup-key.txt");
    {
        use age::secrecy::ExposeSecret;
        std::fs::write(&key, format!("{}\n", identity.to_string().expose_secret())).expect("key");
    }
    std::os::unix::fs::chown(&key, Some(admin.uid), Some(admin.gid)).expect("chown key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let check = ok(
        &host,
        &admin,
        &[
            "check",
            "--backup",
            &backup_text,
            "--identity",
            &key.to_string_lossy(),
        ],
    );
    assert!(check.contains("audit witness ok"), "{check}");
    let why = refused(
        &host,
        &admin,
        &[
            "backup",
            &admin.home.join("other.db").to_string_lossy(),
            "--recipients-file",
            &db.to_string_lossy(),
        ],
        &[],
    );
    assert!(
        why.contains("--recipients-file") && why.contains("Permission denied"),
        "{why}"
    );
    let why = refused(
        &host,
        &admin,
        &[
            "check",
            "--backup",
            &backup_text,
            "--identity",
            &db.to_string_lossy(),
        ],
        &[],
    );
    assert!(
        why.contains("--identity") && why.contains("Permission denied"),
        "{why}"
    );

    // After all that, no file of the database is the operator's, and nothing of the group's
    // appeared in the operator's folders; the host's log took careline's lines.
    for (path, meta) in walk(&dir) {
        assert_ne!(
            meta.uid(),
            operator.uid,
            "{} is the operator's",
            path.display()
        );
        assert_eq!(meta.gid(), gid, "{} left the group", path.display());
    }
    for (path, meta) in walk(&operator.home) {
        assert_ne!(meta.gid(), gid, "{} is the group's", path.display());
    }
    assert!(
        std::fs::metadata(&log).expect("log").len() > 0,
        "careline logs to the host's log"
    );
}

#[test]
fn setup_again_repairs_and_keeps_the_data() {
    let Some(mut host) = Host::new("b") else {
        return;
    };
    let admin = host.user("adb");
    let operator = host.user("opb");
    let out = host.setup(&admin);
    assert!(out.status.success(), "setup: {out:?}");
    let gid = host.gid();
    let db = host.db();
    ok(
        &host,
        &admin,
        &[
            "operator",
            "add",
            &operator.login,
            "--name",
            "Op",
            "--role",
            "operator",
        ],
    );
    let code = ok(
        &host,
        &admin,
        &[
            "customer",
            "add",
            "--name",
            "Li Na",
            "--phone",
            "13700137000",
        ],
    )
    .trim()
    .to_string();

    // Damage: a database file opened to everyone, one given to the operator, the config made
    // writable by others. careline refuses to start, naming the file and the repair.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let why = refused(&host, &operator, &["search", "Li"], &[]);
    assert!(why.contains("careline.db is open to other users"), "{why}");
    assert!(why.contains("careline host setup"), "{why}");
    std::os::unix::fs::chown(side(&db, "-writers"), Some(admin.uid), None).expect("chown");
    let why = refused(&host, &operator, &["search", "Li"], &[]);
    assert!(
        why.contains(&format!(
            "-writers is owned by {}, not by the owner of its folder (root)",
            admin.login
        )),
        "{why}"
    );
    std::os::unix::fs::chown(side(&db, "-shm"), Some(operator.uid), None).expect("chown");
    let config = host.path("etc/careline/careline.toml");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let why = refused(&host, &operator, &["search", "Li"], &[]);
    assert!(why.contains("careline.toml is writable by others"), "{why}");
    assert!(why.contains("host setup"), "{why}");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let why = refused(&host, &operator, &["search", "Li"], &[]);
    assert!(why.contains("-shm is owned by you"), "{why}");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o664)).expect("chmod");

    // Setup again: everything as it should be, nothing lost, and it says what it found.
    let out = host.setup(&admin);
    assert!(out.status.success(), "setup again: {out:?}");
    let said = text(&out.stdout);
    let group = &host.group;
    for line in [
        format!("  group {group}: found ({gid}) and kept"),
        format!(
            "  {}: found and kept; root:{group} 2770 (only the group enters)",
            db.parent().expect("a folder").display()
        ),
        format!(
            "  {}: found and kept, with its 2 operators (admin {}); repaired: careline.db (was root:{group} 0666), careline.db-shm (was {}:{group} 0660), careline.db-writers (was {}:{group} 0660); it and its files (-wal, -shm, -writers …) root:{group} 0660",
            db.display(),
            admin.login,
            operator.login,
            admin.login
        ),
        format!(
            "  {}: found and kept (it names this database); repaired: it was root:root 0664; root's, writable by root alone",
            config.display()
        ),
        format!("Its admin, {}, adds operators with:", admin.login),
    ] {
        assert!(said.lines().any(|l| l == line), "{line:?} in\n{said}");
    }
    assert!(!said.contains("first admin"), "{said}");
    assert!(!said.contains("created"), "{said}");
    assert_eq!(mode(&db), (0, gid, 0o660));
    assert_eq!(mode(&side(&db, "-shm")), (0, gid, 0o660));
    assert_eq!(mode(&side(&db, "-writers")), (0, gid, 0o660));
    assert_eq!(mode(&config), (0, 0, 0o644));
    let found = json(&ok(&host, &operator, &["search", "Li", "--json"]));
    assert_eq!(found[0]["code"], code.as_str(), "{found}");

    // Someone whose primary group is careline's could bypass it: setup names them.
    let member = format!("clmem{}", std::process::id());
    let made = Command::new(tool("useradd").expect("useradd"))
        .args([
            "--no-create-home",
            "--no-user-group",
            "--gid",
            &host.group,
            &member,
        ])
        .output()
        .expect("useradd runs");
    assert!(made.status.success(), "useradd {member}: {made:?}");
    host.users.push(member.clone());
    let out = host.setup(&admin);
    assert!(out.status.success(), "setup again: {out:?}");
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!("WARNING: {member} in the group")),
        "{said}"
    );
    // Its own group cannot be taken away with gpasswd: setup says to give them another.
    assert!(
        said.contains(&format!("usermod -g OTHER_GROUP {member}")),
        "{said}"
    );

    // A member listed in the group (a supplementary group): setup and the member's own
    // careline give the removal with their login, a command to run as it is.
    let joined = Command::new(tool("usermod").expect("usermod"))
        .args(["-a", "-G", &host.group, &operator.login])
        .output()
        .expect("usermod runs");
    assert!(joined.status.success(), "usermod: {joined:?}");
    let out = host.setup(&admin);
    assert!(out.status.success(), "setup again: {out:?}");
    let said = text(&out.stdout);
    let remove = format!("gpasswd -d {} {}", operator.login, host.group);
    assert!(said.contains(&remove), "{said}");
    let out = run_as(&operator, &host.bin(), &["search", "Li", "--json"], &[]);
    assert!(out.status.success(), "{out:?}");
    let warned = text(&out.stderr);
    assert!(
        warned.contains("you are a member of the group") && warned.contains(&remove),
        "{warned}"
    );
    assert!(!warned.contains("LOGIN"), "{warned}");

    // Setup refuses another database than the config names.
    let out = Command::new(CARELINE)
        .arg("--db")
        .arg(host.path("elsewhere/other.db"))
        .args([
            "host",
            "setup",
            "--group",
            &host.group,
            "--admin",
            &admin.login,
        ])
        .arg("--bin")
        .arg(host.bin())
        .env_remove("CARELINE_DB")
        .output()
        .expect("setup runs");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("names the database"),
        "{}",
        text(&out.stderr)
    );
    assert!(!host.path("elsewhere").exists(), "nothing was changed");
}

#[test]
fn a_database_another_program_closed_is_said_so_and_root_restores_it() {
    let Some(mut host) = Host::new("c") else {
        return;
    };
    let admin = host.user("adc");
    let operator = host.user("opc");
    let out = host.setup(&admin);
    assert!(out.status.success(), "setup: {out:?}");
    let gid = host.gid();
    let db = host.db();
    ok(
        &host,
        &admin,
        &[
            "operator",
            "add",
            &operator.login,
            "--name",
            "Op",
            "--role",
            "operator",
        ],
    );
    ok(
        &host,
        &admin,
        &[
            "customer",
            "add",
            "--name",
            "Li Na",
            "--phone",
            "13700137000",
        ],
    );
    let backup = admin.home.join("before.db");
    ok(&host, &admin, &["backup", &backup.to_string_lossy()]);
    ok(
        &host,
        &admin,
        &[
            "customer",
            "add",
            "--name",
            "Zhao Min",
            "--phone",
            "13600136000",
        ],
    );

    // Root looks into the database with a program other than careline, as with sqlite3:
    // closing it last, SQLite removes the write-ahead log and the shared memory.
    {
        let conn = rusqlite::Connection::open(&db).expect("root opens the database");
        let customers: i64 = conn
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
            .expect("a look");
        assert_eq!(customers, 2);
    }
    assert!(!side(&db, "-wal").exists() && !side(&db, "-shm").exists());

    // The operator is told the file is missing, and by whom it is made again: not that
    // anything is owned wrongly.
    let why = refused(&host, &operator, &["search", "Li"], &[]);
    assert_eq!(
        why,
        format!(
            "careline: {}-wal is missing (a program other than careline, such as sqlite3, removes it when it closes the database), and careline may not make it as yours; the administrator repairs it with `sudo {bin} host setup --db {} --group {} --bin {bin}`\n",
            db.display(),
            db.display(),
            host.group,
            bin = host.bin().display()
        )
    );

    // Root restores the backup with the installed careline: the missing files are made again
    // (root's and the group's), not a reason to refuse.
    let out = Command::new(host.bin())
        .args(["restore", &backup.to_string_lossy(), "--yes"])
        .env_remove("CARELINE_DB")
        .current_dir(host.path(""))
        .output()
        .expect("restore runs");
    assert!(out.status.success(), "restore: {out:?}");
    let said = text(&out.stderr);
    for suffix in ["-wal", "-shm"] {
        assert!(
            said.contains(&format!(
                "careline: warning: {}{suffix} was missing (a program other than careline, such as sqlite3, removes it when it closes the database); made again, root:{} 0660",
                db.display(),
                host.group
            )),
            "{said}"
        );
    }
    for file in [
        db.clone(),
        side(&db, "-wal"),
        side(&db, "-shm"),
        side(&db, "-writers"),
    ] {
        assert_eq!(mode(&file), (0, gid, 0o660), "{}", file.display());
    }
    let found = json(&ok(&host, &operator, &["search", "Li", "--json"]));
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    let found = json(&ok(&host, &operator, &["search", "Zhao", "--json"]));
    assert_eq!(found.as_array().map(Vec::len), Some(0), "restored: {found}");
}

/// The triggers that keep the audit log append-only, dropped (and one added that would drop
/// every new entry without a word) by root working on the file with another program: `check`
/// names each, and `host setup` run again — the documented repair — puts them back as
/// careline makes them, saying so, in an audit entry of its own.
#[test]
fn setup_again_puts_back_the_audit_logs_triggers() {
    let Some(mut host) = Host::new("t") else {
        return;
    };
    let admin = host.user("adt");
    let out = host.setup(&admin);
    assert!(out.status.success(), "setup: {out:?}");
    let gid = host.gid();
    let db = host.db();
    ok(&host, &admin, &["customer", "add", "--name", "Li Na"]);
    {
        let raw = rusqlite::Connection::open(&db).expect("root opens the file");
        raw.execute_batch(
            "DROP TRIGGER audit_log_no_update;
             DROP TRIGGER audit_log_no_delete;
             CREATE TRIGGER audit_quiet BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(IGNORE); END;",
        )
        .expect("tamper");
    }
    // SQLite removed the log and shared memory with its last connection: made again as setup
    // makes them, so that careline opens the file before the repair too.
    for suffix in ["-wal", "-shm"] {
        let file = side(&db, suffix);
        if !file.exists() {
            std::fs::File::create(&file).expect("create");
            std::os::unix::fs::chown(&file, Some(0), Some(gid)).expect("chown");
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o660)).expect("chmod");
        }
    }
    let out = run_as(&admin, &host.bin(), &["check"], &[]);
    assert!(!out.status.success(), "check passed: {}", text(&out.stdout));
    let said = text(&out.stdout);
    for expected in [
        "append-only   FAILED: the trigger audit_log_no_update is missing: entries can be edited",
        "the trigger audit_log_no_delete is missing: entries can be deleted",
        "the trigger audit_quiet on the audit log was not made by careline",
    ] {
        assert!(said.contains(expected), "{expected:?} in:\n{said}");
    }

    let out = host.setup(&admin);
    assert!(out.status.success(), "setup again: {out:?}");
    let said = text(&out.stdout);
    for expected in [
        "  audit log: the trigger audit_log_no_update was missing: made again",
        "  audit log: the trigger audit_log_no_delete was missing: made again",
        "  audit log: the trigger audit_quiet on the audit log was not made by careline: dropped",
    ] {
        assert!(said.contains(expected), "{expected:?} in:\n{said}");
    }
    let check = ok(&host, &admin, &["check"]);
    assert!(check.contains("append-only   ok"), "{check}");
    assert!(check.contains("audit witness ok"), "{check}");
    let trail = json(&ok(
        &host,
        &admin,
        &["audit", "list", "--action", "audit.protection", "--json"],
    ));
    assert_eq!(
        trail[0]["detail"]["put_back"].as_array().map(Vec::len),
        Some(3),
        "{trail}"
    );
    // The protection holds again: the log refuses a delete.
    let raw = rusqlite::Connection::open(&db).expect("root opens the file");
    let err = raw
        .execute("DELETE FROM audit_log", [])
        .expect_err("append-only again");
    assert!(err.to_string().contains("append-only"), "{err}");
    drop(raw);
    // Nothing to put back: setup says nothing of the audit log.
    let out = host.setup(&admin);
    assert!(out.status.success(), "setup again: {out:?}");
    assert!(
        !text(&out.stdout).contains("audit log:"),
        "{}",
        text(&out.stdout)
    );
}

/// careline installed under another name: every hint names the program installed, the repair
/// with its `--bin`; and setup run again without `--bin` (from a newer careline fetched
/// beside it) installs over that program, saying so, not a second copy at the default.
#[test]
fn an_install_under_another_name_is_named_by_its_hints_and_set_up_again_in_place() {
    let Some(mut host) = Host::new("n") else {
        return;
    };
    let admin = host.user("adn");
    let operator = host.user("opn");
    let renamed = host.path("bin/tr-careline");
    let out = Command::new(CARELINE)
        .arg("--db")
        .arg(host.db())
        .args([
            "host",
            "setup",
            "--group",
            &host.group,
            "--admin",
            &admin.login,
        ])
        .arg("--bin")
        .arg(&renamed)
        .env_remove("CARELINE_DB")
        .output()
        .expect("setup runs");
    assert!(out.status.success(), "setup: {out:?}");
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!(
            "Next: as {} (the first admin), add each operator's login:\n  {} operator add LOGIN --name NAME --role operator",
            admin.login,
            renamed.display()
        )),
        "{said}"
    );
    let record = host.path("etc/careline/installed-bin");
    assert_eq!(mode(&record), (0, 0, 0o644));
    assert_eq!(
        std::fs::read_to_string(&record).expect("the record"),
        format!("{}\n", renamed.display())
    );
    assert!(!host.bin().exists(), "no copy under the default name");

    // The operator not yet added is told what the admin runs, by the installed name.
    let why = {
        let out = run_as(&operator, &renamed, &["search", "Li"], &[]);
        assert!(!out.status.success());
        text(&out.stderr)
    };
    assert!(
        why.contains(&format!(
            "ask an administrator to run `tr-careline operator add {} --name NAME --role operator`",
            operator.login
        )),
        "{why}"
    );
    let add = [
        "operator",
        "add",
        &operator.login,
        "--name",
        "Op",
        "--role",
        "operator",
    ];
    let out = run_as(&admin, &renamed, &add, &[]);
    assert!(out.status.success(), "{out:?}");
    // A restore is root's, by the installed program's full path.
    let backup = admin.home.join("b.db");
    let out = run_as(
        &admin,
        &renamed,
        &["backup", &backup.to_string_lossy()],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let out = run_as(
        &admin,
        &renamed,
        &["restore", &backup.to_string_lossy(), "--yes"],
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(&format!(
            "on a shared host the database is restored by root: sudo {} restore FILE",
            renamed.display()
        )),
        "{}",
        text(&out.stderr)
    );

    // sqlite3 closes the database: the repair named is the installed program, with its --bin.
    let db = host.db();
    {
        let conn = rusqlite::Connection::open(&db).expect("root opens the database");
        let operators: i64 = conn
            .query_row("SELECT count(*) FROM operators", [], |r| r.get(0))
            .expect("a look");
        assert_eq!(operators, 2);
    }
    assert!(!side(&db, "-wal").exists());
    let out = run_as(&operator, &renamed, &["search", "Li"], &[]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(&format!(
            "the administrator repairs it with `sudo {bin} host setup --db {} --group {} --bin {bin}`",
            db.display(),
            host.group,
            bin = renamed.display()
        )),
        "{}",
        text(&out.stderr)
    );

    // A newer careline fetched beside it, run by root without --bin: it installs over the
    // program setup installed, and says so.
    let newer = host.path("bin/careline-new");
    std::fs::copy(CARELINE, &newer).expect("a newer careline");
    let out = Command::new(&newer)
        .arg("--db")
        .arg(&db)
        .args(["host", "setup", "--group", &host.group])
        .env_remove("CARELINE_DB")
        .output()
        .expect("setup runs");
    assert!(out.status.success(), "setup again: {out:?}");
    let said = text(&out.stdout);
    for line in [
        format!(
            "--bin not given: installing at {} again, where setup installed careline before (recorded in {})",
            renamed.display(),
            record.display()
        ),
        format!("{}: found and replaced by this careline", renamed.display()),
        format!("{}: found and kept, naming {}", record.display(), renamed.display()),
    ] {
        assert!(said.contains(&line), "{line:?} in\n{said}");
    }
    assert!(!said.contains("NOTE"), "{said}");
    assert!(
        !host.bin().exists(),
        "no second copy under the default name"
    );
    assert_eq!(mode(&renamed), (0, host.gid(), 0o2755));
    // Repaired: the operator works again.
    ok_with(&renamed, &operator, &["search", "Li", "--json"]);

    // Installed somewhere else on purpose: the copy left behind is said.
    let moved = host.path("bin/careline2");
    let out = Command::new(&newer)
        .arg("--db")
        .arg(&db)
        .args(["host", "setup", "--group", &host.group, "--bin"])
        .arg(&moved)
        .env_remove("CARELINE_DB")
        .output()
        .expect("setup runs");
    assert!(out.status.success(), "setup elsewhere: {out:?}");
    assert!(
        text(&out.stdout).contains(&format!(
            "NOTE: careline was installed at {} before; that copy is left as it was",
            renamed.display()
        )),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&record).expect("the record"),
        format!("{}\n", moved.display())
    );
}

/// Careline's output as `user` running `program`, which must succeed.
fn ok_with(program: &Path, user: &User, args: &[&str]) -> String {
    let out = run_as(user, program, args, &[]);
    assert!(
        out.status.success(),
        "{} {args:?} as {}: {}{}",
        program.display(),
        user.login,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Operators' commands started while root restores a backup, forced (as over screens left
/// open): each finds the old database whole, or waits the few milliseconds of the swap and
/// finds the new one with its log and shared memory in place, root's and the group's. None is
/// told that the log is missing and the administrator must repair it with `host setup`, as one
/// started within the swap was before.
#[test]
fn operators_commands_during_a_restore_find_a_whole_database() {
    let Some(mut host) = Host::new("r") else {
        return;
    };
    let admin = host.user("adr");
    let operator = host.user("opr");
    let out = host.setup(&admin);
    assert!(out.status.success(), "setup: {out:?}");
    let gid = host.gid();
    let db = host.db();
    ok(
        &host,
        &admin,
        &[
            "operator",
            "add",
            &operator.login,
            "--name",
            "Op",
            "--role",
            "operator",
        ],
    );
    ok(
        &host,
        &admin,
        &[
            "customer",
            "add",
            "--name",
            "Li Na",
            "--phone",
            "13700137000",
        ],
    );
    let backup = admin.home.join("before.db");
    ok(&host, &admin, &["backup", &backup.to_string_lossy()]);

    let stop = std::sync::atomic::AtomicBool::new(false);
    let runs = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            let (host, operator, stop, runs, failures) =
                (&host, &operator, &stop, &runs, &failures);
            scope.spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let out = run_as(operator, &host.bin(), &["search", "Li", "--json"], &[]);
                    runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let found = out.status.success()
                        && serde_json::from_slice::<Value>(&out.stdout)
                            .is_ok_and(|v| v.as_array().map(Vec::len) == Some(1));
                    if !found {
                        failures.lock().expect("failures").push(format!(
                            "{}{}",
                            text(&out.stdout),
                            text(&out.stderr)
                        ));
                    }
                }
            });
        }
        for _ in 0..8 {
            let out = Command::new(host.bin())
                .args(["restore", &backup.to_string_lossy(), "--yes", "--force"])
                .env_remove("CARELINE_DB")
                .current_dir(host.path(""))
                .output()
                .expect("restore runs");
            assert!(out.status.success(), "restore: {out:?}");
            assert!(
                !text(&out.stderr).contains("was missing"),
                "the restore left a file missing: {}",
                text(&out.stderr)
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let failures = failures.into_inner().expect("failures");
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        runs.load(std::sync::atomic::Ordering::Relaxed) >= 8,
        "too few commands ran"
    );
    for file in [
        db.clone(),
        side(&db, "-wal"),
        side(&db, "-shm"),
        side(&db, "-writers"),
    ] {
        assert_eq!(mode(&file), (0, gid, 0o660), "{}", file.display());
    }
    ok(&host, &operator, &["search", "Li"]);
}
