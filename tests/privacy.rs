//! Data-subject rights (issue 15, DESIGN §6): `careline customer export` gives everything
//! held about a person; `careline customer erase` leaves no trace of their name or numbers in
//! the database or its write-ahead log, keeps the figures, and both need the privacy
//! permission.

mod common;

use common::{count, Sandbox};
use serde_json::Value;

const NAME: &str = "欧阳测试删";
const PHONE: &str = "13912398765";
const EMAIL: &str = "ouyang.erase@example.com";

/// A desk with the customer to export and erase (C0000001), with a contact that quotes their
/// number, a complaint closed, a reminder, and another customer beside them (C0000002).
fn desk() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        NAME,
        "--phone",
        PHONE,
        "--email",
        EMAIL,
        "--notes",
        "prefers calls after 6pm",
        "--birthday",
        "1980-05-17",
        "--address",
        "上海市黄浦区南京东路1号",
    ]);
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王秀英",
        "--phone",
        "13800138000",
    ]);
    sandbox.ok(&["customer", "show", "C0000001"]);
    sandbox.ok(&[
        "log",
        "add",
        "--customer",
        "C0000001",
        "--channel",
        "phone_in",
        "--disposition",
        "resolved_first_contact",
        "--summary",
        &format!("{NAME} asked us to call {PHONE} back"),
    ]);
    sandbox.ok(&[
        "reminder",
        "add",
        "C0000001",
        "--title",
        &format!("call {NAME}"),
        "--due",
        "tomorrow",
    ]);
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    sandbox
}

#[test]
fn export_gives_everything_held_about_the_person() {
    let sandbox = desk();
    let out = sandbox.ok(&["customer", "export", PHONE]);
    let data: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(data["customer"]["code"], "C0000001");
    assert_eq!(data["customer"]["name"], NAME);
    assert_eq!(data["customer"]["birthday"], "1980-05-17");
    assert_eq!(data["customer"]["address"], "上海市黄浦区南京东路1号");
    let contacts: Vec<&str> = data["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .filter_map(|c| c["value"].as_str())
        .collect();
    assert!(contacts.contains(&PHONE), "{contacts:?}");
    assert!(contacts.contains(&EMAIL), "{contacts:?}");
    let interactions = data["interactions"].as_array().expect("interactions");
    assert_eq!(interactions.len(), 1);
    assert!(interactions[0]["summary"]
        .as_str()
        .is_some_and(|s| s.contains(PHONE)));
    assert_eq!(data["reminders"].as_array().map(Vec::len), Some(1));
    assert_eq!(data["consent"]["marketing_consent"], 0);
    // Who viewed or changed it: the creation, the view, the contact and the reminder.
    let actions: Vec<&str> = data["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    for expected in [
        "customer.create",
        "customer.view",
        "interaction.log",
        "reminder.add",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    // Staff are named by login and name, never by internal number.
    let me = serde_json::json!({"login": common::login(), "name": "Test Admin"});
    assert_eq!(interactions[0]["operator"], me);
    assert_eq!(data["reminders"][0]["created_by"], me);
    assert_eq!(data["customer"]["owner"], Value::Null);
    staff_by_name(&data);
    // Times are readable, not Unix seconds.
    assert!(data["customer"]["created_at"]
        .as_str()
        .is_some_and(|t| t.contains('T')));
    // Nothing of the other customer.
    assert!(!out.contains("王秀英"));
    assert!(!out.contains("13800138000"));
    // The export itself is in the trail.
    let trail = sandbox.ok(&["audit", "list", "--action", "customer.export"]);
    assert!(trail.contains("customer.export"), "{trail}");

    // To a file: readable by its owner only, and never over an existing file.
    let file = sandbox.dir.path().join("request.json");
    sandbox.ok(&[
        "customer",
        "export",
        "C0000001",
        "--output",
        file.to_str().expect("path"),
    ]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).expect("file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let err = sandbox.fails(&[
        "customer",
        "export",
        "C0000001",
        "--output",
        file.to_str().expect("path"),
    ]);
    assert!(
        err.contains("--output") && err.contains("exists already"),
        "{err}"
    );
}

/// Every column naming staff outside the audit section names them by login and name: none
/// is left as an internal number.
fn staff_by_name(data: &Value) {
    fn walk(value: &Value, path: &str) {
        match value {
            Value::Object(fields) => {
                for (key, inner) in fields {
                    assert!(
                        !["owner_id", "operator_id", "assignee_id"].contains(&key.as_str()),
                        "{path}.{key} names staff by number"
                    );
                    let staff = [
                        "owner",
                        "operator",
                        "assignee",
                        "opened_by",
                        "created_by",
                        "granted_by",
                        "decided_by",
                    ];
                    if staff.contains(&key.as_str()) {
                        assert!(
                            inner.is_null() || inner["login"].is_string(),
                            "{path}.{key} is {inner}"
                        );
                    }
                    walk(inner, &format!("{path}.{key}"));
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, path)),
            _ => {}
        }
    }
    for (section, value) in data.as_object().expect("an object") {
        if section != "audit" && section != "consent" {
            walk(value, section);
        }
    }
}

/// A customer with an owner, a complaint and an access grant: who they are, in the export.
#[test]
fn the_export_names_staff_by_login_and_name() {
    let sandbox = desk();
    sandbox.ok(&[
        "operator",
        "add",
        "chen.jie",
        "--name",
        "陈杰",
        "--role",
        "supervisor",
    ]);
    sandbox.ok(&[
        "customer",
        "edit",
        "C0000001",
        "--owner",
        "li.na",
        "--confidential",
        "true",
    ]);
    sandbox.ok(&[
        "--as",
        "chen.jie",
        "complaint",
        "open",
        "--customer",
        "C0000001",
        "--category",
        "delivery",
        "--title",
        "late parcel",
        "--channel",
        "email",
    ]);
    sandbox.ok(&["operator", "add", "amy", "--name", "Amy"]);
    sandbox.ok(&[
        "--as",
        "amy",
        "grant",
        "request",
        "C0000001",
        "--reason",
        "核对订单",
    ]);
    sandbox.ok(&["--as", "chen.jie", "grant", "approve", "1"]);
    let data: Value =
        serde_json::from_str(&sandbox.ok(&["customer", "export", "C0000001"])).expect("JSON");
    let li = serde_json::json!({"login": "li.na", "name": "李娜"});
    let chen = serde_json::json!({"login": "chen.jie", "name": "陈杰"});
    let amy = serde_json::json!({"login": "amy", "name": "Amy"});
    assert_eq!(data["customer"]["owner"], li);
    assert_eq!(data["complaints"][0]["opened_by"], chen);
    assert_eq!(data["complaint_events"][0]["operator"], chen);
    assert_eq!(data["access_requests"][0]["operator"], amy);
    assert_eq!(data["access_requests"][0]["decided_by"], chen);
    assert_eq!(data["grants"][0]["operator"], amy);
    assert_eq!(data["grants"][0]["granted_by"], chen);
    staff_by_name(&data);
}

#[test]
fn only_an_operator_holding_the_privacy_permission_exports_or_erases() {
    let sandbox = desk();
    for args in [
        ["--as", "li.na", "customer", "export", "C0000001", ""],
        ["--as", "li.na", "customer", "erase", "C0000001", "--yes"],
    ] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let err = sandbox.fails(&args);
        assert!(
            err.contains("only an operator holding the privacy permission may"),
            "{err}"
        );
    }
    // A supervisor's role is not enough either.
    sandbox.ok(&["operator", "role", "li.na", "supervisor"]);
    let err = sandbox.fails(&["--as", "li.na", "customer", "export", "C0000001"]);
    assert!(err.contains("privacy permission"), "{err}");
    // An admin gives it; an operator cannot.
    let err = sandbox.fails(&["--as", "li.na", "operator", "privacy", "li.na", "on"]);
    assert!(err.contains("only an admin may"), "{err}");
    sandbox.ok(&["operator", "privacy", "li.na", "on"]);
    sandbox.ok(&["--as", "li.na", "customer", "export", "C0000001"]);
    let list = sandbox.ok(&["operator", "list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("li.na") && l.contains("privacy")),
        "{list}"
    );
    // Each refusal is in the audit trail.
    let refused = sandbox.ok(&["audit", "list", "--action", "refused", "--json"]);
    let refused: Vec<Value> = serde_json::from_str(&refused).expect("JSON");
    assert_eq!(refused.len(), 4, "{refused:?}");
}

/// Every place `needle` occurs in `bytes`.
fn occurs(bytes: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    bytes.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn an_erased_customer_leaves_no_trace_in_the_database_or_its_log() {
    let sandbox = desk();
    // Erased through the store in this process, which keeps the database open (as the
    // screen would), so the write-ahead log file is still there to be read afterwards.
    // Their row rewritten by an ordinary edit, and enough audit entries after theirs that
    // the log's pages split and rebalance: old copies of cells that an ordinary write leaves
    // in a page's free space must not keep them in the file either.
    sandbox.ok(&[
        "customer",
        "edit",
        "C0000001",
        "--notes",
        "prefers calls after 6pm",
    ]);
    // An edit of what the name index holds (name, company, email) rewrites their entry in it:
    // the version before the edit must not stay behind in an older segment of the index.
    sandbox.ok(&["customer", "edit", "C0000001", "--company", "桃花岛贸易"]);
    let mut store = sandbox.store();
    let admin = store.actor(&common::login(), None).expect("the admin");
    for i in 0..400 {
        store
            .view_customer(&admin, if i % 50 == 0 { 1 } else { 2 })
            .expect("a view");
    }
    let wal = {
        let mut p = sandbox.db.clone().into_os_string();
        p.push("-wal");
        std::path::PathBuf::from(p)
    };
    assert_eq!(count(&sandbox.raw(), "SELECT count(*) FROM customers"), 2);
    assert!(wal.exists(), "the open store keeps the log");
    // Before: the name and number are in the files.
    let mut before = std::fs::read(&sandbox.db).expect("db");
    before.extend(std::fs::read(&wal).unwrap_or_default());
    assert!(
        occurs(&before, NAME) && occurs(&before, PHONE),
        "the test can see them"
    );

    let erased = store.erase_customer(&admin, 1).expect("erased");
    assert_eq!(erased.code, "C0000001");
    assert_eq!(erased.contacts_removed, 2);
    assert_eq!(erased.reminders_withdrawn, 1);
    assert!(erased.log_emptied);

    let db_bytes = std::fs::read(&sandbox.db).expect("db");
    let wal_bytes = std::fs::read(&wal).expect("the log is still there");
    // The name index keeps names as three-character terms: none of the name's, nor of the
    // company's it held before the edit, may stay in any segment of it.
    let trigrams = |text: &str| -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        chars.windows(3).map(|w| w.iter().collect()).collect()
    };
    let mut needles: Vec<String> = [NAME, PHONE, EMAIL, "南京东路", "prefers calls after 6pm"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    needles.extend(trigrams(NAME));
    needles.extend(trigrams("桃花岛贸易"));
    for (file, bytes) in [("database", &db_bytes), ("log", &wal_bytes)] {
        for needle in &needles {
            assert!(
                !occurs(bytes, needle),
                "{needle} is still in the {file} file"
            );
        }
    }
    // The other customer is untouched.
    assert!(occurs(&db_bytes, "王秀英"));
    drop(store);

    // Never found, reminded or exported again; the figures keep the contact.
    for query in [NAME, PHONE, "8765", EMAIL] {
        let out = sandbox.run(&["search", query]);
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("C0000001"),
            "{query}"
        );
    }
    let csv = sandbox.ok(&["export", "customers", "--format", "csv"]);
    assert!(!csv.contains("C0000001"), "{csv}");
    let raw = sandbox.raw();
    assert_eq!(
        count(
            &raw,
            "SELECT count(*) FROM interactions WHERE customer_id = 1"
        ),
        1
    );
    assert_eq!(
        count(
            &raw,
            "SELECT count(*) FROM reminders WHERE customer_id = 1 AND status IN ('open', 'snoozed')"
        ),
        0
    );
    sandbox.ok(&["reminders", "generate"]);
    assert_eq!(
        count(
            &raw,
            "SELECT count(*) FROM reminders WHERE customer_id = 1 AND status IN ('open', 'snoozed')"
        ),
        0
    );
    let summary: String = raw
        .query_row(
            "SELECT summary FROM interactions WHERE customer_id = 1",
            [],
            |r| r.get(0),
        )
        .expect("summary");
    assert_eq!(summary, "[erased] asked us to call [erased] back");
    // The trail keeps who did what and when, and `check` still verifies it.
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("audit chain   ok"), "{check}");
    assert!(check.contains("removed by erasures"), "{check}");
    let trail = sandbox.ok(&["audit", "list", "--customer", "C0000001"]);
    assert!(trail.contains("customer.erase"), "{trail}");
    assert!(trail.contains("(detail erased)"), "{trail}");
    // Erased once only; contacts of others stay append-only.
    let err = sandbox.fails(&["customer", "erase", "C0000001", "--yes"]);
    assert!(err.contains("was erased already"), "{err}");
    sandbox.ok(&[
        "log",
        "add",
        "--customer",
        "C0000002",
        "--channel",
        "phone_in",
        "--disposition",
        "resolved_first_contact",
        "--summary",
        "asked about delivery",
    ]);
    let err = raw
        .execute(
            "UPDATE interactions SET summary = 'x' WHERE customer_id = 2",
            [],
        )
        .expect_err("still append-only");
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn a_customer_with_an_open_complaint_is_not_erased() {
    let sandbox = desk();
    sandbox.ok(&[
        "complaint",
        "open",
        "--customer",
        "C0000001",
        "--category",
        "delivery",
        "--title",
        "late parcel",
        "--channel",
        "email",
    ]);
    let err = sandbox.fails(&["customer", "erase", "C0000001", "--yes"]);
    assert!(err.contains("has open complaint 1"), "{err}");
    // The request turned down is in the customer's trail, with why.
    let trail = sandbox.ok(&[
        "audit",
        "list",
        "--customer",
        "C0000001",
        "--action",
        "customer.",
    ]);
    assert!(
        trail.contains("customer.erase_refused") && trail.contains("open complaint 1"),
        "{trail}"
    );
    // Asked without --yes, the refusal comes first: no confirmation is asked for an erase
    // that would be refused; it is audited as before.
    let err = sandbox.fails(&["customer", "erase", "C0000001"]);
    assert!(err.contains("has open complaint 1"), "{err}");
    assert!(!err.contains("--yes"), "{err}");
    let refusals = sandbox.ok(&[
        "audit",
        "list",
        "--customer",
        "C0000001",
        "--action",
        "customer.erase_refused",
        "--json",
    ]);
    let refusals: Vec<Value> = serde_json::from_str(&refusals).expect("JSON");
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    // One that may be erased is asked for (and, with no terminal to ask on, wants --yes).
    let err = sandbox.fails(&["customer", "erase", "C0000002"]);
    assert!(err.contains("add --yes"), "{err}");
}

/// Everything that refuses an erase is said before the operator is asked to type the code:
/// the permission, a customer erased already.
#[test]
fn an_erase_is_refused_before_it_is_confirmed() {
    let sandbox = desk();
    sandbox.ok(&["operator", "role", "li.na", "supervisor"]);
    let err = sandbox.fails(&["--as", "li.na", "customer", "erase", "C0000001"]);
    assert!(
        err.contains("only an operator holding the privacy permission may"),
        "{err}"
    );
    assert!(!err.contains("--yes"), "{err}");
    let refused = sandbox.ok(&["audit", "list", "--action", "refused", "--json"]);
    let refused: Vec<Value> = serde_json::from_str(&refused).expect("JSON");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["login"], "li.na");
    sandbox.ok(&["customer", "erase", "C0000001", "--yes"]);
    let err = sandbox.fails(&["customer", "erase", "C0000001"]);
    assert!(err.contains("was erased already"), "{err}");
    assert!(!err.contains("--yes"), "{err}");
}

/// Consent is recorded with its date and channel (issue 15): giving or withdrawing it says how
/// it came, every change is in the trail old → new, and the person's export holds the history.
#[test]
fn consent_changes_are_recorded_with_their_channel() {
    let sandbox = desk();
    // Given without saying how: refused, naming the field.
    let err = sandbox.fails(&[
        "customer",
        "edit",
        "C0000002",
        "--marketing-consent",
        "true",
    ]);
    assert!(err.contains("consent_channel"), "{err}");
    let err = sandbox.fails(&[
        "customer",
        "edit",
        "C0000002",
        "--marketing-consent",
        "true",
        "--consent-channel",
        "carrier pigeon",
    ]);
    assert!(err.contains("consent_channel"), "{err}");
    sandbox.ok(&[
        "customer",
        "edit",
        "C0000002",
        "--marketing-consent",
        "true",
        "--consent-channel",
        "sms",
    ]);
    let shown = sandbox.ok(&["customer", "show", "C0000002"]);
    assert!(shown.contains("consent via sms"), "{shown}");
    // Withdrawn: asked again, never the channel on record carried over.
    let err = sandbox.fails(&[
        "customer",
        "edit",
        "C0000002",
        "--marketing-consent",
        "false",
    ]);
    assert!(err.contains("consent_channel"), "{err}");
    sandbox.ok(&[
        "customer",
        "edit",
        "C0000002",
        "--marketing-consent",
        "false",
        "--consent-channel",
        "phone",
    ]);
    // A new record with consent says how too.
    let err = sandbox.fails(&[
        "customer",
        "add",
        "--name",
        "李雷",
        "--phone",
        "13700137000",
        "--marketing-consent",
    ]);
    assert!(err.contains("consent_channel"), "{err}");
    // How a past change came is not rewritten without a change.
    let err = sandbox.fails(&["customer", "edit", "C0000002", "--consent-channel", "email"]);
    assert!(
        err.contains("consent_channel") && err.contains("not changing"),
        "{err}"
    );
    let shown = sandbox.ok(&["customer", "show", "C0000002"]);
    assert!(shown.contains("consent withdrawn via phone"), "{shown}");
    // Given with a new record and withdrawn the same way: both in the history, with the way.
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "李雷",
        "--phone",
        "13700137000",
        "--marketing-consent",
        "--consent-channel",
        "wechat",
    ]);
    sandbox.ok(&[
        "customer",
        "edit",
        "C0000003",
        "--marketing-consent",
        "false",
        "--consent-channel",
        "wechat",
    ]);
    let export = sandbox.ok(&["customer", "export", "C0000003"]);
    let export: Value = serde_json::from_str(&export).expect("JSON");
    let history = export["consent"]["history"].as_array().expect("history");
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0]["detail"]["consent_channel"], "wechat");
    assert_eq!(history[0]["detail"]["marketing_consent"], true);
    assert_eq!(
        history[1]["detail"]["consent_channel"],
        serde_json::json!(["wechat", "wechat"])
    );

    let export = sandbox.ok(&["customer", "export", "C0000002"]);
    let export: Value = serde_json::from_str(&export).expect("JSON");
    assert_eq!(export["consent"]["marketing_consent"], 0);
    assert_eq!(export["consent"]["consent_channel"], "phone");
    let history = export["consent"]["history"].as_array().expect("history");
    let changes: Vec<(Value, Value)> = history
        .iter()
        .filter_map(|h| {
            let detail = &h["detail"];
            Some((
                detail.get("marketing_consent")?.clone(),
                detail.get("consent_channel")?.clone(),
            ))
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (
                serde_json::json!([false, true]),
                serde_json::json!([null, "sms"])
            ),
            (
                serde_json::json!([true, false]),
                serde_json::json!(["sms", "phone"])
            ),
        ],
        "{history:?}"
    );
}

/// An erased customer's open reminders are kept, withdrawn: listed for that customer with
/// their status and why, their title without the name it quoted.
#[test]
fn an_erased_customers_reminders_are_listed_as_withdrawn() {
    let sandbox = desk();
    let before = sandbox.ok(&["reminder", "list", "--customer", "C0000001"]);
    assert!(before.contains(&format!("call {NAME}")), "{before}");
    sandbox.ok(&["customer", "erase", "C0000001", "--yes"]);
    let after = sandbox.ok(&["reminder", "list", "--customer", "C0000001"]);
    let lines: Vec<&str> = after.lines().collect();
    assert_eq!(lines.len(), 1, "{after}");
    let words: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(words[2], "deleted", "{after}");
    assert_eq!(words[3], "C0000001", "{after}");
    assert!(
        lines[0].contains("call [erased]")
            && lines[0].ends_with("· withdrawn: the customer was erased"),
        "{after}"
    );
    assert!(!after.contains(NAME), "{after}");
    let json = sandbox.ok(&["reminder", "list", "--customer", "C0000001", "--json"]);
    let json: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json[0]["status"], "deleted");
    assert_eq!(json[0]["skip_reason"], "withdrawn: the customer was erased");
    // Still never in the lists of work to do.
    let due = sandbox.ok(&["reminder", "list"]);
    assert!(!due.contains("C0000001"), "{due}");
}

/// The data-subject export of an erased customer is kept — it is the evidence of the erasure —
/// and says so before anything else: erased on which day, by whom, and that what follows is
/// only what the erasure kept (the tombstone, the history with `[erased]`, the erasure's own
/// audit entry).
#[test]
fn the_export_of_an_erased_customer_says_first_that_it_was_erased() {
    let sandbox = desk();
    let before: Value =
        serde_json::from_str(&sandbox.ok(&["customer", "export", "C0000001"])).expect("JSON");
    let first = before.as_object().and_then(|o| o.keys().next().cloned());
    assert_eq!(
        first.as_deref(),
        Some("exported_at"),
        "not erased: no notice"
    );
    assert!(before.get("erased").is_none());

    let day_before = chrono::Utc::now().format("%Y-%m-%d").to_string();
    sandbox.ok(&["customer", "erase", "C0000001", "--yes"]);
    let day_after = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let text = sandbox.ok(&["customer", "export", "C0000001"]);
    // Plainly at its top: the first field of the file.
    let opening = text.lines().take(2).collect::<Vec<_>>().join("\n");
    let notice = |day: &str| {
        format!(
            "{{\n  \"erased\": \"customer C0000001 was erased on {day} (UTC) by {}: their name, numbers, addresses and every other personal field were removed",
            common::login()
        )
    };
    assert!(
        opening.starts_with(&notice(&day_before)) || opening.starts_with(&notice(&day_after)),
        "{opening}"
    );
    let data: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(data["customer"]["name"], "[erased]");
    assert!(data["contacts"].as_array().is_some_and(Vec::is_empty));
    let actions: Vec<&str> = data["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    assert!(actions.contains(&"customer.erase"), "{actions:?}");
    // Written to a file, the note is said on the terminal too.
    let file = sandbox.dir.path().join("request.json");
    let out = sandbox.run(&[
        "customer",
        "export",
        "C0000001",
        "--output",
        file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Note: customer C0000001 was erased on"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
