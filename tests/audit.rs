//! The audit trail (issue 15, DESIGN §6): `careline check` finds an edited entry, a deleted
//! entry and a deleted tail, each by name, when the database is changed behind careline's
//! back with its triggers dropped, as an intruder with the file would.

mod common;

use common::{count, Sandbox};

/// A desk with a few customers, each added and edited through the real binary: eleven or so
/// audit entries, with a witness beside the database.
fn audited_desk() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.init();
    for (name, phone) in [
        ("王秀英", "13800138000"),
        ("Amy Lee", "13912345678"),
        ("陈杰", "13700001111"),
        ("李娜", "13600002222"),
    ] {
        sandbox.ok(&["customer", "add", "--name", name, "--phone", phone]);
    }
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("audit chain   ok"), "{check}");
    assert!(check.contains("audit witness ok"), "{check}");
    sandbox
}

fn last_entry(sandbox: &Sandbox) -> i64 {
    count(&sandbox.raw(), "SELECT max(id) FROM audit_log")
}

/// `check` fails and its report names the problem.
fn check_fails_saying(sandbox: &Sandbox, expected: &str) -> String {
    let out = sandbox.run(&["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "check passed:\n{stdout}");
    assert!(stderr.contains("the database failed its check"), "{stderr}");
    assert!(
        stdout.contains(expected),
        "expected {expected:?} in:\n{stdout}"
    );
    stdout
}

#[test]
fn an_edited_middle_entry_is_found_by_its_number() {
    let sandbox = audited_desk();
    // The detail of the second customer's creation says another name.
    let entry: i64 = count(
        &sandbox.raw(),
        "SELECT id FROM audit_log WHERE action = 'customer.create' ORDER BY id LIMIT 1 OFFSET 1",
    );
    assert!(entry > 1 && entry < last_entry(&sandbox), "a middle entry");
    sandbox
        .raw()
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET detail = replace(detail, 'Amy Lee', 'Someone Else')
              WHERE id = {entry};"
        ))
        .expect("tamper");
    check_fails_saying(
        &sandbox,
        &format!("BROKEN at entry {entry}: its detail was changed after it was written"),
    );
}

#[test]
fn an_entry_whose_actor_was_changed_is_found() {
    let sandbox = audited_desk();
    sandbox
        .raw()
        .execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET actor_login = 'mallory' WHERE id = 3;",
        )
        .expect("tamper");
    check_fails_saying(
        &sandbox,
        "BROKEN at entry 3: its content was changed after it was written",
    );
}

#[test]
fn a_deleted_middle_entry_is_found_missing() {
    let sandbox = audited_desk();
    sandbox
        .raw()
        .execute_batch(
            "DROP TRIGGER audit_log_no_delete;
             DELETE FROM audit_log WHERE id = 3;",
        )
        .expect("tamper");
    check_fails_saying(&sandbox, "BROKEN at entry 4: entry 3 is missing");
}

#[test]
fn a_deleted_tail_is_found_by_the_witness() {
    let sandbox = audited_desk();
    let last = last_entry(&sandbox);
    sandbox
        .raw()
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_delete;
             DELETE FROM audit_log WHERE id > {};",
            last - 3
        ))
        .expect("tamper");
    let stdout = check_fails_saying(
        &sandbox,
        &format!(
            "audit witness FAILED: the log ends at entry {}, but its witness records entry {last}: the last 3 entries were deleted",
            last - 3
        ),
    );
    // What is left of the chain is whole: only the witness could tell.
    assert!(stdout.contains("audit chain   ok"), "{stdout}");
}

#[test]
fn a_deleted_witness_is_reported() {
    let sandbox = audited_desk();
    let witness = careline::store::witness_path(&sandbox.db);
    assert!(witness.exists(), "the witness sits beside the database");
    std::fs::remove_file(&witness).expect("remove the witness");
    check_fails_saying(
        &sandbox,
        "audit witness FAILED: the witness file beside the database is missing",
    );
    // A write does not quietly start a new one.
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "张伟",
        "--phone",
        "13500003333",
    ]);
    assert!(!witness.exists());
}

#[test]
fn a_log_rewritten_under_its_witness_is_found() {
    let sandbox = audited_desk();
    let last = last_entry(&sandbox);
    // Two entries cut from the end and new ones written through careline in their place:
    // the chain is whole again and as long as before, but the entry the witness names is
    // another one now.
    sandbox
        .raw()
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_delete;
             DELETE FROM audit_log WHERE id > {};",
            last - 2
        ))
        .expect("tamper");
    // The first write finds the witness naming an entry the log no longer holds, and leaves
    // it there (frozen), so that it still names `last` after these writes.
    let mut n = 0;
    while last_entry(&sandbox) < last {
        n += 1;
        sandbox.ok(&["customer", "add", "--name", &format!("张伟{n}")]);
    }
    assert_eq!(last_entry(&sandbox), last);
    check_fails_saying(
        &sandbox,
        &format!(
            "audit witness FAILED: the log was cut back to entry {} (the last 2 entries were deleted) and written on since (2 entries): its witness records entry {last} (hash ",
            last - 2
        ),
    );
}

/// The erase's own removal of details is allowed with the triggers in place; a customer
/// marked erased by hand, with an entry's detail wiped as the erase would, is not an erasure:
/// `check` names the entry and the customer. Nor is a detail wiped of an entry written after
/// a real erasure.
#[test]
fn a_detail_removed_without_an_erasure_is_found() {
    let sandbox = audited_desk();
    let raw = sandbox.raw();
    // The fourth customer's creation, with its detail (the name) — the triggers allow this
    // update, since an erase makes it.
    let entry: i64 = count(
        &raw,
        "SELECT id FROM audit_log WHERE customer_id = 4 AND action = 'customer.create'",
    );
    raw.execute_batch(&format!(
        "UPDATE customers SET erased_at = strftime('%s', 'now') WHERE id = 4;
         UPDATE audit_log SET detail = NULL, salt = NULL WHERE id = {entry};"
    ))
    .expect("allowed by the triggers");
    check_fails_saying(
        &sandbox,
        &format!(
            "audit chain   BROKEN at entry {entry}: its detail was removed, but customer 4 was never erased"
        ),
    );
}

#[test]
fn an_erasure_removes_details_that_check_accepts_but_none_after_it() {
    let sandbox = audited_desk();
    sandbox.ok(&["customer", "erase", "C0000002", "--yes"]);
    let raw = sandbox.raw();
    let removed = count(
        &raw,
        "SELECT count(*) FROM audit_log WHERE customer_id = 2 AND salt IS NULL",
    );
    assert!(removed >= 1, "the erase removed the customer's details");
    let check = sandbox.ok(&["check"]);
    assert!(
        check.contains(&format!(
            "audit chain   ok ({} entries; the detail of {removed} removed by erasures)",
            last_entry(&sandbox)
        )),
        "{check}"
    );
    // The data-subject export after the erasure is an entry about customer 2 with its detail.
    sandbox.ok(&["customer", "export", "C0000002"]);
    let erase: i64 = count(
        &raw,
        "SELECT id FROM audit_log WHERE action = 'customer.erase' AND entity_id = 2",
    );
    let later: i64 = count(
        &raw,
        "SELECT id FROM audit_log WHERE action = 'customer.export' AND entity_id = 2",
    );
    assert!(later > erase);
    raw.execute(
        "UPDATE audit_log SET detail = NULL, salt = NULL WHERE id = ?1",
        [later],
    )
    .expect("allowed by the triggers");
    check_fails_saying(
        &sandbox,
        &format!(
            "audit chain   BROKEN at entry {later}: its detail was removed, but no erasure of customer 2 follows it (their last is entry {erase}"
        ),
    );
}

/// The careline log of a sandbox's runs (in its data folder), empty when none was written.
fn careline_log(sandbox: &Sandbox) -> String {
    let file = sandbox
        .dir
        .path()
        .join("data")
        .join("careline")
        .join("careline.log");
    std::fs::read_to_string(file).unwrap_or_default()
}

/// The trial's case: a tail cut off as root with sqlite3, then ordinary writes, each a careline
/// process of its own. The first write finds the witness naming an entry the log no longer
/// holds and leaves the witness there: `check` keeps failing, naming where the log was cut,
/// however much is written since (the trial saw it pass after the fourth write).
#[test]
fn a_cut_tail_stays_found_however_much_is_written_since() {
    let sandbox = audited_desk();
    let last = last_entry(&sandbox);
    let cut = last - 3;
    sandbox
        .raw()
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id > {cut};"
        ))
        .expect("tamper");
    check_fails_saying(
        &sandbox,
        &format!(
            "audit witness FAILED: the log ends at entry {cut}, but its witness records entry {last}: the last 3 entries were deleted"
        ),
    );
    let witness_before =
        std::fs::read_to_string(careline::store::witness_path(&sandbox.db)).expect("witness");
    let writes: [&[&str]; 5] = [
        &[
            "customer",
            "add",
            "--name",
            "赵敏",
            "--phone",
            "13500001234",
        ],
        &[
            "log",
            "add",
            "--customer",
            "C0000001",
            "--channel",
            "phone_in",
            "--disposition",
            "information_given",
            "--summary",
            "问营业时间",
        ],
        &["customer", "add", "--name", "钱军"],
        &["customer", "add", "--name", "孙丽"],
        &["customer", "add", "--name", "周强"],
    ];
    for (i, args) in writes.iter().enumerate() {
        sandbox.ok(args);
        let now = last_entry(&sandbox);
        assert!(now > cut, "write {i} was written");
        let written = now - cut;
        let stdout = check_fails_saying(
            &sandbox,
            &format!(
                "audit witness FAILED: the log was cut back to entry {cut} (the last 3 entries were deleted) and written on since ({written} {}): its witness records entry {last} (hash ",
                if written == 1 { "entry" } else { "entries" }
            ),
        );
        assert!(
            stdout.contains("which the log no longer holds; a write at "),
            "{stdout}"
        );
        assert!(
            stdout.contains("found it so and left the witness frozen there"),
            "{stdout}"
        );
        // The chain of what is there is whole: the witness alone tells.
        assert!(stdout.contains("audit chain   ok"), "{stdout}");
    }
    assert!(
        last_entry(&sandbox) > last,
        "written on past the entry witnessed"
    );
    // The witness still names `last`, as it did, with what the first write found.
    let witness =
        std::fs::read_to_string(careline::store::witness_path(&sandbox.db)).expect("witness");
    assert!(witness.starts_with(&witness_before), "{witness}");
    let cut_hash: String = sandbox
        .raw()
        .query_row(
            &format!("SELECT hash FROM audit_log WHERE id = {cut}"),
            [],
            |r| r.get(0),
        )
        .expect("the entry the log was cut back to");
    assert!(
        witness.ends_with(&format!(" entry {cut} hash {cut_hash}\n")),
        "{witness}"
    );
    // Each process said so in the log (once each: five writes, five processes).
    let log = careline_log(&sandbox);
    let frozen = log.matches(" is frozen").count();
    assert_eq!(frozen, writes.len(), "{log}");
    assert!(
        log.contains(&format!("records entry {last} (hash "))
            && log.contains(&format!("the log ends at entry {cut} (hash ")),
        "{log}"
    );
    // JSON says when.
    let out = sandbox.run(&["check", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(report["audit"]["witness_frozen_at"].is_string(), "{report}");
}

/// Ten careline processes writing at once, on a log nobody touched: none of them takes the
/// others' writes for a cut (each settles with the witness under the write lock, against the
/// head its own transaction sees), and `check` passes with the witness at the last entry.
#[test]
fn ten_writers_at_once_never_freeze_the_witness() {
    let sandbox = audited_desk();
    for round in 0..3 {
        let children: Vec<_> = (0..10)
            .map(|i| {
                let mut cmd = sandbox.command();
                cmd.args(["customer", "add", "--name", &format!("并发{round}-{i}")]);
                cmd.stdout(std::process::Stdio::null());
                cmd.spawn().expect("spawn")
            })
            .collect();
        for mut child in children {
            assert!(child.wait().expect("wait").success());
        }
    }
    let last = last_entry(&sandbox);
    let witness =
        std::fs::read_to_string(careline::store::witness_path(&sandbox.db)).expect("the witness");
    assert!(
        witness.contains(&format!("\nentry {last}\n")),
        "{witness} vs {last}"
    );
    assert!(!witness.contains("frozen"), "{witness}");
    let check = sandbox.ok(&["check"]);
    assert!(
        check.contains(&format!("audit witness ok (entry {last})")),
        "{check}"
    );
    let log = careline_log(&sandbox);
    assert!(!log.contains("frozen"), "{log}");
}

/// A frozen witness is dealt with by restoring a backup made before the cut (it brings its own
/// witness); a backup made after it is refused, since it would carry a witness of its own that
/// hides the cut.
#[test]
fn a_cut_log_is_not_backed_up_and_a_backup_from_before_it_restores() {
    let sandbox = audited_desk();
    let good = sandbox.dir.path().join("good.db");
    sandbox.ok(&["backup", good.to_str().expect("path")]);
    let last = last_entry(&sandbox);
    sandbox
        .raw()
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id > {};",
            last - 2
        ))
        .expect("tamper");
    sandbox.ok(&["customer", "add", "--name", "之后"]);
    let late = sandbox.dir.path().join("late.db");
    let err = sandbox.fails(&["backup", late.to_str().expect("path")]);
    assert!(
        err.contains("the database fails its audit witness check (the log was cut back to entry"),
        "{err}"
    );
    assert!(err.contains("so none was made"), "{err}");
    assert!(!late.exists());
    assert!(!careline::store::witness_path(&late).exists());
    let out = sandbox.ok(&["restore", good.to_str().expect("path"), "--yes"]);
    assert!(out.contains("Restored"), "{out}");
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("audit witness ok"), "{check}");
    assert!(check.contains("append-only   ok"), "{check}");
    // And writes move the witness again.
    sandbox.ok(&["customer", "add", "--name", "恢复后"]);
    let check = sandbox.ok(&["check"]);
    assert!(
        check.contains(&format!(
            "audit witness ok (entry {})",
            last_entry(&sandbox)
        )),
        "{check}"
    );
}

/// Each trigger that keeps the audit log append-only, dropped or changed with sqlite3, and one
/// added that careline did not make: `check` names each, and a backup is not kept.
#[test]
fn a_dropped_or_changed_audit_trigger_is_named_by_check() {
    let sandbox = audited_desk();
    let raw = sandbox.raw();
    let made = |name: &str| -> String {
        raw.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .expect("the trigger as careline made it")
    };
    for (name, unrefused) in [
        ("audit_log_no_update", "entries can be edited"),
        ("audit_log_no_delete", "entries can be deleted"),
    ] {
        let sql = made(name);
        raw.execute_batch(&format!("DROP TRIGGER {name}"))
            .expect("drop");
        let stdout = check_fails_saying(
            &sandbox,
            &format!("append-only   FAILED: the trigger {name} is missing: {unrefused}"),
        );
        // Nothing else is wrong.
        assert!(stdout.contains("audit chain   ok"), "{stdout}");
        assert!(stdout.contains("audit witness ok"), "{stdout}");
        let file = sandbox.dir.path().join(format!("{name}.db"));
        let err = sandbox.fails(&["backup", file.to_str().expect("path")]);
        assert!(
            err.contains(&format!("the trigger {name} is missing")),
            "{err}"
        );
        assert!(!file.exists());
        raw.execute_batch(&sql).expect("put back as it was");
        assert!(sandbox.ok(&["check"]).contains("append-only   ok"));
    }
    // Changed so that it refuses nothing.
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_delete;
         CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    )
    .expect("alter");
    check_fails_saying(
        &sandbox,
        "append-only   FAILED: the trigger audit_log_no_delete is not as careline made it",
    );
    // And one careline never made, which would drop every new entry without a word.
    raw.execute_batch(
        "CREATE TRIGGER audit_quiet BEFORE INSERT ON audit_log BEGIN SELECT RAISE(IGNORE); END;",
    )
    .expect("add");
    let stdout = check_fails_saying(
        &sandbox,
        "the trigger audit_quiet on the audit log was not made by careline",
    );
    // Both named, the one changed as before.
    assert!(
        stdout.contains(
            "append-only   FAILED: the trigger audit_log_no_delete is not as careline made it"
        ),
        "{stdout}"
    );
    let out = sandbox.run(&["check", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        report["audit"]["protection"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
}

#[test]
fn the_witness_follows_every_write_from_two_processes() {
    let sandbox = audited_desk();
    let children: Vec<_> = (0..2)
        .map(|i| {
            let mut cmd = sandbox.command();
            cmd.args(["customer", "add", "--name", &format!("并发{i}")]);
            cmd.spawn().expect("spawn")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("wait").success());
    }
    let witness =
        std::fs::read_to_string(careline::store::witness_path(&sandbox.db)).expect("the witness");
    let last = last_entry(&sandbox);
    assert!(
        witness.contains(&format!("\nentry {last}\n")),
        "{witness} vs {last}"
    );
    assert!(sandbox
        .ok(&["check"])
        .contains(&format!("audit witness ok (entry {last})")));
}

fn entries(sandbox: &Sandbox, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["audit", "list", "--json"];
    all.extend_from_slice(args);
    let out = sandbox.ok(&all);
    serde_json::from_str::<Vec<serde_json::Value>>(&out).expect("a JSON list")
}

fn actions(rows: &[serde_json::Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn refusals_are_in_the_trail_with_their_reason() {
    let sandbox = audited_desk();
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    let err = sandbox.fails(&["--as", "li.na", "export", "customers", "--format", "csv"]);
    assert!(
        err.contains("only a supervisor may export customers"),
        "{err}"
    );
    let err = sandbox.fails(&["--as", "li.na", "audit", "list"]);
    assert!(
        err.contains("only a supervisor may read the audit trail"),
        "{err}"
    );
    let refused = entries(&sandbox, &["--action", "refused"]);
    assert_eq!(refused.len(), 2, "{refused:?}");
    // Newest first: the audit list, then the export.
    assert_eq!(refused[0]["login"], "li.na");
    assert_eq!(refused[0]["via"], common::login());
    assert_eq!(
        refused[1]["detail"]["reason"],
        "only a supervisor may export customers; li.na is operator"
    );
    // Someone who is not an operator (their OS login unknown to the database) is refused,
    // and that is recorded under their login.
    let store = sandbox.store();
    let err = store
        .actor("nobody.here", None)
        .expect_err("not an operator");
    assert!(err.to_string().contains("not registered"), "{err}");
    drop(store);
    let refused = entries(&sandbox, &["--operator", "nobody.here"]);
    assert_eq!(actions(&refused), ["refused"]);
    assert!(sandbox.ok(&["check"]).contains("audit witness ok"));
}

#[test]
fn the_trail_of_one_customer_holds_their_complaints_and_contacts() {
    let sandbox = audited_desk();
    let code = "C0000002";
    sandbox.ok(&["customer", "show", code]);
    sandbox.ok(&[
        "log",
        "add",
        "--customer",
        code,
        "--channel",
        "phone_in",
        "--disposition",
        "resolved_first_contact",
        "--summary",
        "问地址",
    ]);
    sandbox.ok(&[
        "complaint",
        "open",
        "--customer",
        code,
        "--category",
        "delivery",
        "--severity",
        "normal",
        "--title",
        "包裹迟到",
        "--channel",
        "phone_in",
    ]);
    let trail = entries(&sandbox, &["--customer", code]);
    let seen = actions(&trail);
    assert_eq!(
        seen,
        [
            "complaint.open",
            "interaction.log",
            "customer.view",
            "customer.create"
        ],
        "{trail:?}"
    );
    assert!(trail.iter().all(|r| r["customer_code"] == code));
    // A family of actions, and a day range that holds today only.
    let views = entries(
        &sandbox,
        &["--action", "customer.", "--from", "today", "--to", "today"],
    );
    assert!(actions(&views).iter().all(|a| a.starts_with("customer.")));
    assert!(actions(&views).contains(&"customer.view".to_string()));
    let none = entries(&sandbox, &["--to", "2000-01-01"]);
    assert!(none.is_empty(), "{none:?}");
    let err = sandbox.fails(&["audit", "list", "--from", "2026-02-30"]);
    assert!(err.contains("--from"), "{err}");
}

/// A filter nothing could ever match is refused, saying what there is; one that is right but
/// finds nothing in the days asked for says so and succeeds.
#[test]
fn a_filter_that_could_never_match_is_refused_and_told_what_there_is() {
    let sandbox = audited_desk();
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    let err = sandbox.fails(&["audit", "list", "--operator", "tropp1"]);
    assert!(err.contains("no operator 'tropp1'"), "{err}");
    // Without its dot, a family is no action: the family is offered.
    let err = sandbox.fails(&["audit", "list", "--action", "access"]);
    assert!(
        err.contains("no audit entry has the action 'access'")
            && err
                .contains("'access.' (access.grant, access.refuse, access.request, access.revoke)"),
        "{err}"
    );
    let err = sandbox.fails(&["audit", "list", "--action", "bogus"]);
    assert!(
        err.contains("no audit entry has the action 'bogus'")
            && err.contains("the families access. audit. call. complaint. customer."),
        "{err}"
    );
    let err = sandbox.fails(&["audit", "list", "--action", "bogus."]);
    assert!(
        err.contains("no audit entry has an action in the family 'bogus.'"),
        "{err}"
    );
    // Right, but nothing of it yet, or nothing on those days.
    for args in [
        &["--action", "access.revoke"][..],
        &["--action", "access."][..],
        &["--operator", "li.na"][..],
        &[
            "--operator",
            "li.na",
            "--action",
            "refused",
            "--to",
            "2000-01-01",
        ][..],
    ] {
        let mut all = vec!["audit", "list"];
        all.extend_from_slice(args);
        assert_eq!(
            sandbox.ok(&all).trim(),
            "No audit entries match.",
            "{args:?}"
        );
    }
    // And what the log holds is found as before.
    assert!(!entries(&sandbox, &["--action", "customer.create"]).is_empty());
}

/// A refusal of an operator locked out by wrong PINs is recorded as theirs: their number, not
/// none.
#[test]
fn a_locked_operators_refusal_names_them() {
    let sandbox = audited_desk();
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    let mut store = sandbox.store();
    let li = store.actor("li.na", None).expect("li.na");
    store.set_own_pin(&li, Some("2580")).expect("a PIN");
    for _ in 0..5 {
        store.check_pin(&li, "0001").expect("a wrong PIN");
    }
    let err = store.actor("li.na", None).expect_err("locked");
    assert!(err.to_string().contains("is locked"), "{err}");
    // And someone who is no operator at all: no number to give.
    store
        .actor("nobody.here", None)
        .expect_err("not an operator");
    drop(store);
    let refused = entries(&sandbox, &["--action", "refused", "--operator", "li.na"]);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["entity"], "operator");
    assert_eq!(refused[0]["entity_id"], li.id);
    let text = sandbox.ok(&["audit", "list", "--action", "refused"]);
    assert!(
        text.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.contains(&"li.na")
                && words
                    .windows(3)
                    .any(|w| w == ["refused", "operator", li.id.to_string().as_str()])
        }),
        "{text}"
    );
    assert!(!text.contains("operator 0"), "{text}");
    let stranger = entries(&sandbox, &["--operator", "nobody.here"]);
    assert_eq!(stranger[0]["entity_id"], serde_json::Value::Null);
}

/// `audit list` lines its columns up whatever they hold: an entry made by an admin acting
/// for another (`li.na (by root)`) is wider than a login alone, and the actions still start in
/// one column, every column as wide as its widest entry.
#[test]
fn the_audit_list_keeps_its_columns_in_line() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王秀英",
        "--phone",
        "13911112222",
    ]);
    sandbox.ok(&["--as", "li.na", "customer", "show", "C0000001"]);
    sandbox.ok(&["customer", "show", "C0000001"]);
    let rows = entries(&sandbox, &["--customer", "C0000001"]);
    let text = sandbox.ok(&["audit", "list", "--customer", "C0000001"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), rows.len(), "{text}");
    assert!(
        lines.iter().any(|l| l.contains("li.na (by ")),
        "an entry made for li.na: {text}"
    );
    let columns: Vec<usize> = lines
        .iter()
        .zip(&rows)
        .map(|(line, row)| {
            let action = row["action"].as_str().expect("an action");
            let at = line
                .find(&format!(" {action}"))
                .unwrap_or_else(|| panic!("{action} in {line}"));
            unicode_width::UnicodeWidthStr::width(&line[..at])
        })
        .collect();
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "{columns:?} in\n{text}"
    );
    // What each entry recorded starts in one column too, after what it was about.
    let details: Vec<usize> = lines
        .iter()
        .map(|line| {
            let at = line
                .find('{')
                .unwrap_or_else(|| panic!("a detail in {line}"));
            unicode_width::UnicodeWidthStr::width(&line[..at])
        })
        .collect();
    assert!(
        details.windows(2).all(|w| w[0] == w[1]),
        "{details:?} in\n{text}"
    );
}
