//! Helpers shared by the integration tests: real temporary database files, customers built
//! field by field, every record read back through the store, the real binary, and the one
//! way behind the store ([`raw`], with [`count`] and [`column`]) for the few checks that must
//! look there on purpose: the engine's settings on disk, audit rows, triggers, nothing left
//! half-written, text written round careline's checks. Each such look says why.
#![allow(dead_code)] // each test binary uses a different part of this module

pub mod pty;
pub mod screen;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, TimeZone, Utc};
use tempfile::TempDir;

use careline::domain::contact::ContactKind;
use careline::domain::customer::{ContactInput, CustomerFields};
use careline::store::{Actor, Clock, OpenOptions, Store};

/// The administrator every library-level test database starts with.
pub const ADMIN: &str = "boss";

/// Noon in China on a fixed day, so that dates in tests never depend on when they run.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 20, 4, 0, 0)
        .single()
        .expect("a valid time")
}

/// A database file in its own temporary folder; the folder goes when this is dropped.
pub struct TempDb {
    pub dir: TempDir,
    pub path: PathBuf,
}

impl TempDb {
    pub fn new() -> TempDb {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("careline.db");
        TempDb { dir, path }
    }

    /// Opens (creating) the database with the default settings and a fixed clock.
    pub fn open(&self) -> Store {
        open_store(&self.path)
    }

    /// [`raw`] on this database.
    pub fn raw(&self) -> rusqlite::Connection {
        raw(&self.path)
    }
}

pub fn open_store(path: &Path) -> Store {
    let mut store = Store::open(path, OpenOptions::default()).expect("the database opens");
    store.set_clock(Clock::Fixed(fixed_now()));
    store
}

/// The first column of every row `sql` returns, read through `conn`.
pub fn column<T: rusqlite::types::FromSql>(conn: &rusqlite::Connection, sql: &str) -> Vec<T> {
    let mut stmt = conn.prepare(sql).expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

/// The one way tests look behind the store: a plain connection to the file. Tests set state
/// up and read it back through the store or the binary; a test that comes here says why.
pub fn raw(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("a raw connection opens");
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    conn
}

/// A fresh database with `boss` as its admin.
pub fn fresh() -> (TempDb, Store, Actor) {
    let db = TempDb::new();
    let mut store = db.open();
    let admin = store.init_admin(ADMIN, "The Boss").expect("init");
    (db, store, admin)
}

pub fn phone(value: &str) -> ContactInput {
    ContactInput {
        kind: ContactKind::Phone,
        value: value.to_string(),
        label: None,
    }
}

pub fn email(value: &str) -> ContactInput {
    ContactInput {
        kind: ContactKind::Email,
        value: value.to_string(),
        label: None,
    }
}

/// A customer with a name and the given contacts.
pub fn customer(name: &str, contacts: Vec<ContactInput>) -> CustomerFields {
    CustomerFields {
        name: name.to_string(),
        contacts,
        ..CustomerFields::default()
    }
}

/// Rows of one table, counted through the raw connection.
pub fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// The OS login the binary will act as.
pub fn login() -> String {
    careline::config::os_login().expect("this process has an OS login")
}

/// A sandbox for the real binary: its own data, config and runtime folders and a database
/// file inside them, so nothing of the user running the tests is read or written.
pub struct Sandbox {
    pub dir: TempDir,
    pub db: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = dir.path().join("desk").join("careline.db");
        Sandbox { dir, db }
    }

    /// The binary with `--db` set and the environment pointed into the sandbox.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_careline"));
        let root = self.dir.path();
        cmd.env("HOME", root)
            .env("XDG_DATA_HOME", root.join("data"))
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_RUNTIME_DIR", root.join("run"))
            .env_remove("CARELINE_DB")
            .env_remove("CARELINE_LOG")
            .arg("--db")
            .arg(&self.db);
        cmd
    }

    /// Runs the binary with these arguments.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("the binary runs")
    }

    /// Runs and insists on success, returning standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "careline {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Runs and insists on failure, returning standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "careline {args:?} should have failed\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(1), "exit code of careline {args:?}");
        String::from_utf8(out.stderr).expect("UTF-8 errors")
    }

    /// `careline init` in the sandbox.
    pub fn init(&self) {
        self.ok(&["init", "--name", "Test Admin"]);
    }

    pub fn store(&self) -> Store {
        open_store(&self.db)
    }

    pub fn raw(&self) -> rusqlite::Connection {
        raw(&self.db)
    }

    /// Every customer record (tombstones included), as the sandbox's admin (the OS login that
    /// ran `init`) sees them through the store.
    pub fn customers(&self) -> Vec<careline::store::Customer> {
        let store = self.store();
        let admin = store.actor(&login(), None).expect("the admin");
        every_customer(&store, &admin)
    }

    pub fn write_file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write a test file");
        path
    }
}

/// Asserts that `stderr` is exactly one line starting with `careline:`.
pub fn one_line_error(stderr: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one line on stderr, got {stderr:?}"
    );
    assert!(lines[0].starts_with("careline: "), "{stderr:?}");
}

/// Every customer record the store holds (tombstones of merges included), by id, read one by
/// one through the store as `actor` sees them.
pub fn every_customer(store: &Store, actor: &Actor) -> Vec<careline::store::Customer> {
    let last = store.highest_customer_id().expect("the highest id");
    (1..=last)
        .map(|id| store.customer(actor, id).expect("ids are given in turn"))
        .collect()
}
