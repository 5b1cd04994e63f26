//! Opening databases, migrations, operators and the acting identity, and the audit chain —
//! all on real temporary SQLite files.

mod common;

use std::os::unix::fs::PermissionsExt;

use careline::store::{OpenOptions, Role, Store, StoreError, SCHEMA_VERSION};
use common::{count, customer, fresh, phone, TempDb, ADMIN};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .expect("the file exists")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn open_creates_an_owner_only_file_in_wal_mode_at_the_current_schema() {
    let db = TempDb::new();
    assert!(!db.path.exists());
    let mut store = db.open();
    assert!(db.path.exists());
    assert_eq!(
        mode(&db.path),
        0o600,
        "the database is readable by its owner only"
    );

    store.init_admin(ADMIN, "The Boss").expect("init");
    let wal = db.path.with_file_name("careline.db-wal");
    assert!(wal.exists(), "a WAL file beside the database");
    assert_eq!(mode(&wal), 0o600, "the WAL file is owner-only too");

    // What is on disk, seen by a plain connection: the journal mode, the schema version and
    // the tables the migrations made (the engine's own settings, no store call shows them).
    let raw = db.raw();
    let journal: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal mode");
    assert_eq!(journal.to_lowercase(), "wal");
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    assert_eq!(version, SCHEMA_VERSION);

    // The whole schema of DESIGN §3 exists from the start.
    for table in [
        "operators",
        "customers",
        "contacts",
        "customer_tags",
        "purchases",
        "interactions",
        "complaints",
        "complaint_events",
        "reminders",
        "surveys",
        "grants",
        "audit_log",
        "drafts",
    ] {
        let n = count(
            &raw,
            &format!(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '{table}'"
            ),
        );
        assert_eq!(n, 1, "table {table}");
    }

    let report = store.check().expect("check");
    assert_eq!(report.schema_version, SCHEMA_VERSION);
    assert!(report.ok(), "{report:?}");
}

#[test]
fn reopening_keeps_data_and_does_not_migrate_again() {
    let (db, mut store, admin) = fresh();
    store
        .create_customer(&admin, &customer("王秀英", vec![phone("13800138000")]))
        .expect("create");
    drop(store);
    let store = db.open();
    assert_eq!(store.customer_count().expect("count"), 1);
    let version = store.check().expect("check").schema_version;
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn a_database_newer_than_this_binary_is_refused_by_name_and_version() {
    let (db, store, _) = fresh();
    drop(store);
    let newer = SCHEMA_VERSION + 1;
    // A newer careline's file, made by hand: no store of this version writes one.
    db.raw()
        .pragma_update(None, "user_version", newer)
        .expect("set user_version");
    let err = Store::open(&db.path, OpenOptions::default())
        .err()
        .expect("a newer database is refused");
    assert!(
        matches!(err, StoreError::TooNew { found, supported, .. } if found == newer && supported == SCHEMA_VERSION),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains(&format!("schema version {newer}")),
        "{message}"
    );
    assert!(message.contains("newer careline"), "{message}");
    assert!(
        message.contains(&db.path.display().to_string()),
        "{message}"
    );
    // Nothing was changed by the refusal (on disk: the store does not open it).
    let still: i64 = db
        .raw()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    assert_eq!(still, newer);
}

#[test]
fn a_missing_database_is_not_created_without_create_and_says_how() {
    let db = TempDb::new();
    let options = OpenOptions {
        create: false,
        ..OpenOptions::default()
    };
    let err = Store::open(&db.path, options).err().expect("refused");
    assert!(err.to_string().contains("careline init"), "{err}");
    assert!(!db.path.exists(), "the refusal creates no file");
}

#[test]
fn a_database_without_operators_asks_for_init() {
    let db = TempDb::new();
    let store = db.open();
    let err = store.actor(ADMIN, None).expect_err("no operators yet");
    assert!(matches!(err, StoreError::NotInitialised(_)), "{err:?}");
    assert!(err.to_string().contains("careline init"), "{err}");
}

#[test]
fn init_makes_the_first_admin_once() {
    let (db, mut store, admin) = fresh();
    assert_eq!(admin.login, ADMIN);
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(admin.via, None);
    let again = store
        .init_admin("someone", "Someone")
        .expect_err("only once");
    assert!(matches!(again, StoreError::Conflict(_)), "{again:?}");
    assert!(again.to_string().contains("operator add"), "{again}");

    let me = store.actor(ADMIN, None).expect("the admin is known");
    assert_eq!((me.id, me.role), (admin.id, Role::Admin));
    assert_eq!(store.operators().expect("operators").len(), 1);
    // The audit log has no reader but `check`: counted behind the store.
    assert_eq!(
        count(
            &db.raw(),
            "SELECT count(*) FROM audit_log WHERE action = 'init' AND actor_login = 'boss'"
        ),
        1
    );
}

#[test]
fn an_unknown_login_is_refused_and_told_who_can_add_them() {
    let (_db, store, _) = fresh();
    let err = store.actor("stranger", None).expect_err("not an operator");
    assert!(
        matches!(&err, StoreError::UnknownOperator { login, .. } if login == "stranger"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("administrator"), "{message}");
    assert!(
        message.contains("careline operator add stranger"),
        "{message}"
    );
}

#[test]
fn only_admins_add_operators() {
    let (_db, mut store, admin) = fresh();
    store
        .add_operator(&admin, "li.na", "李娜", Role::Operator)
        .expect("admin adds an operator");
    store
        .add_operator(&admin, "chen.jie", "陈杰", Role::Supervisor)
        .expect("admin adds a supervisor");
    let operator = store.actor("li.na", None).expect("li.na");
    let supervisor = store.actor("chen.jie", None).expect("chen.jie");
    assert_eq!(operator.role, Role::Operator);
    assert_eq!(supervisor.role, Role::Supervisor);

    for actor in [&operator, &supervisor] {
        let err = store
            .add_operator(actor, "zhang.wei", "张伟", Role::Operator)
            .expect_err("only admins add operators");
        assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
        assert!(err.to_string().contains("admin"), "{err}");
    }
    assert!(store
        .operator_by_login("zhang.wei")
        .expect("read")
        .is_none());

    let dup = store
        .add_operator(&admin, "li.na", "Another", Role::Operator)
        .expect_err("a login is unique");
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
    let bad = store
        .add_operator(&admin, "li na", "Space", Role::Operator)
        .expect_err("a login has no spaces");
    assert!(matches!(bad, StoreError::Invalid(_)), "{bad:?}");
    assert_eq!(store.operators().expect("list").len(), 3);
}

#[test]
fn an_admin_acts_as_another_operator_and_the_audit_log_records_both() {
    let (db, mut store, _) = fresh();
    let admin = store.actor(ADMIN, None).expect("admin");
    store
        .add_operator(&admin, "li.na", "李娜", Role::Operator)
        .expect("add li.na");
    store
        .add_operator(&admin, "chen.jie", "陈杰", Role::Supervisor)
        .expect("add chen.jie");

    let as_li = store
        .actor(ADMIN, Some("li.na"))
        .expect("admin may use --as");
    assert_eq!(as_li.login, "li.na");
    assert_eq!(as_li.role, Role::Operator, "acting with li.na's rights");
    assert_eq!(as_li.via.as_deref(), Some(ADMIN));
    let saved = store
        .create_customer(&as_li, &customer("王芳", vec![phone("13912345678")]))
        .expect("li.na creates a customer");

    // The audit row itself (no store call reads the audit log back).
    let (actor_login, via_login): (String, Option<String>) = db
        .raw()
        .query_row(
            "SELECT actor_login, via_login FROM audit_log
             WHERE action = 'customer.create' AND entity_id = ?1",
            [saved.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the create is audited");
    assert_eq!(actor_login, "li.na");
    assert_eq!(via_login.as_deref(), Some(ADMIN));

    // Acting as oneself is not acting for someone else.
    assert_eq!(store.actor(ADMIN, Some(ADMIN)).expect("self").via, None);

    for (login, role) in [("li.na", "operator"), ("chen.jie", "supervisor")] {
        let err = store
            .actor(login, Some(ADMIN))
            .expect_err("only admins may use --as");
        assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
        let message = err.to_string();
        assert!(message.contains("only an admin"), "{message}");
        assert!(message.contains(role), "{message}");
    }

    let err = store
        .actor(ADMIN, Some("nobody"))
        .expect_err("--as needs a registered operator");
    assert!(matches!(err, StoreError::UnknownOperator { .. }), "{err:?}");
}

#[test]
fn a_disabled_operator_is_refused_until_enabled() {
    let (_db, mut store, admin) = fresh();
    store
        .add_operator(&admin, "li.na", "李娜", Role::Operator)
        .expect("add");
    let op = store
        .update_operator(&admin, "li.na", None, Some(false))
        .expect("disable");
    assert!(!op.active);

    let err = store.actor("li.na", None).expect_err("disabled");
    assert!(matches!(err, StoreError::DisabledOperator(_)), "{err:?}");
    assert!(err.to_string().contains("disabled"), "{err}");
    let err = store
        .actor(ADMIN, Some("li.na"))
        .expect_err("not even through --as");
    assert!(matches!(err, StoreError::DisabledOperator(_)), "{err:?}");

    let err = store
        .update_operator(&admin, ADMIN, None, Some(false))
        .expect_err("an admin cannot lock themselves out");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");

    store
        .update_operator(&admin, "li.na", Some(Role::Supervisor), Some(true))
        .expect("enable and promote");
    let li = store.actor("li.na", None).expect("enabled again");
    assert_eq!(li.role, Role::Supervisor);
}

#[test]
fn the_audit_chain_verifies_after_writes() {
    let (db, mut store, admin) = fresh();
    store
        .add_operator(&admin, "li.na", "李娜", Role::Operator)
        .expect("add");
    let a = store
        .create_customer(&admin, &customer("王秀英", vec![phone("13800138000")]))
        .expect("create");
    store.view_customer(&admin, a.id).expect("view");
    let mut fields = store.customer(&admin, a.id).expect("read").fields;
    fields.notes = Some("called about a refund".into());
    store.edit_customer(&admin, a.id, 1, &fields).expect("edit");

    let report = store.check().expect("check");
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.audit.broken_at, None);
    // The rows on disk, counted behind the store, against what `check` walked.
    let entries = count(&db.raw(), "SELECT count(*) FROM audit_log");
    assert_eq!(report.audit.entries, entries);
    assert!(
        entries >= 5,
        "init, operator.add, create, view, edit: {entries}"
    );
    let actions: Vec<String> =
        common::column(&db.raw(), "SELECT action FROM audit_log ORDER BY id");
    assert_eq!(
        actions,
        [
            "init",
            "operator.add",
            "customer.create",
            "customer.view",
            "customer.edit"
        ]
    );
}

#[test]
fn the_audit_log_refuses_updates_and_deletes() {
    let (db, _store, _) = fresh();
    // The triggers are what is tested: SQL round the store on purpose.
    let raw = db.raw();
    let err = raw
        .execute(
            "UPDATE audit_log SET actor_login = 'mallory' WHERE id = 1",
            [],
        )
        .expect_err("append-only");
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = raw
        .execute("DELETE FROM audit_log WHERE id = 1", [])
        .expect_err("append-only");
    assert!(err.to_string().contains("append-only"), "{err}");
}

/// A database with a few audit entries, for tampering: the tests below edit the file behind
/// the store, as an intruder would, and `check` must see it.
fn audited() -> (TempDb, Store) {
    let (db, mut store, admin) = fresh();
    for (name, number) in [("王秀英", "13800138000"), ("王芳", "13912345678")] {
        store
            .create_customer(&admin, &customer(name, vec![phone(number)]))
            .expect("create");
    }
    assert!(store.check().expect("check").ok());
    // The rows on disk that the tests below tamper with.
    assert_eq!(count(&db.raw(), "SELECT count(*) FROM audit_log"), 3);
    (db, store)
}

#[test]
fn an_edited_audit_entry_breaks_the_chain_at_that_entry() {
    let (db, store) = audited();
    let raw = db.raw();
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET actor_login = 'mallory' WHERE id = 2;",
    )
    .expect("tamper");
    let report = store.check().expect("check");
    assert!(!report.ok());
    let (id, why) = report.audit.broken_at.expect("the edit is found");
    assert_eq!(id, 2);
    assert!(why.contains("changed"), "{why}");
    assert_eq!(report.audit.entries, 1, "entries verified before the break");
}

#[test]
fn a_relinked_audit_entry_is_reported() {
    let (db, store) = audited();
    db.raw()
        .execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET prev_hash = 'f00d' WHERE id = 3;",
        )
        .expect("tamper");
    let (id, why) = store
        .check()
        .expect("check")
        .audit
        .broken_at
        .expect("found");
    assert_eq!(id, 3);
    assert!(why.contains("does not link"), "{why}");
}

#[test]
fn a_deleted_audit_entry_is_reported_missing() {
    let (db, store) = audited();
    db.raw()
        .execute_batch(
            "DROP TRIGGER audit_log_no_delete;
             DELETE FROM audit_log WHERE id = 2;",
        )
        .expect("tamper");
    let report = store.check().expect("check");
    let (id, why) = report.audit.broken_at.expect("the gap is found");
    assert_eq!(id, 3);
    assert!(why.contains("entry 2 is missing"), "{why}");
}

/// A database from before compensation points reached the balance (the ledger held them, the
/// customer's points said 0) is mended when this careline opens it: each balance is made
/// the sum of its ledger, and `check` passes.
#[test]
fn opening_an_older_database_mends_balances_that_missed_their_ledger() {
    let (db, mut store, admin) = fresh();
    let id = store
        .create_customer(&admin, &customer("王秀英", vec![phone("13800138000")]))
        .expect("create")
        .id;
    drop(store);
    // As the older careline left it: 200 points of compensation in the ledger, none in the
    // balance, and the schema one version back.
    let raw = db.raw();
    raw.execute(
        "INSERT INTO points_ledger (customer_id, delta, reason, operator_id, at, kind)
         VALUES (?1, 200, 'compensation for complaint 22', 1, 1758343990, 'compensation')",
        [id],
    )
    .expect("ledger row");
    raw.pragma_update(None, "user_version", SCHEMA_VERSION - 1)
        .expect("set user_version");
    drop(raw);
    let store = db.open();
    let points: i64 = db
        .raw()
        .query_row("SELECT points FROM customers WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("points");
    assert_eq!(points, 200);
    let report = store.check().expect("check");
    assert_eq!(report.schema_version, SCHEMA_VERSION);
    assert!(report.points.is_empty(), "{:?}", report.points);
}
