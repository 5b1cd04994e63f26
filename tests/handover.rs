//! Handing an operator's work to another (issue 15): owned customers, open complaints held and
//! reminders kept for them move in one audited write; a dry run only counts; each complaint's
//! history says who handed it to whom, and each customer's trail says who holds their records.

mod common;

use common::{count, Sandbox};

#[test]
fn a_leavers_customers_complaints_and_reminders_go_to_a_colleague() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    sandbox.ok(&["operator", "add", "zhang.wei", "--name", "张伟"]);
    sandbox.ok(&[
        "operator",
        "add",
        "chen.jie",
        "--name",
        "陈杰",
        "--role",
        "supervisor",
    ]);
    for name in ["王秀英", "刘洋"] {
        sandbox.ok(&["customer", "add", "--name", name, "--owner", "li.na"]);
    }
    sandbox.ok(&["customer", "add", "--name", "赵敏", "--owner", "zhang.wei"]);
    // A complaint taken on the phone is li.na's; one closed stays as it was.
    sandbox.ok(&[
        "--as",
        "li.na",
        "complaint",
        "open",
        "--customer",
        "C0000001",
        "--category",
        "delivery",
        "--title",
        "包裹迟到",
        "--channel",
        "phone_in",
    ]);
    sandbox.ok(&[
        "reminder", "add", "C0000002", "--title", "回访", "--for", "li.na", "--due", "tomorrow",
    ]);

    let err = sandbox.fails(&[
        "--as",
        "li.na",
        "operator",
        "handover",
        "li.na",
        "zhang.wei",
    ]);
    assert!(err.contains("only a supervisor may"), "{err}");
    let dry = sandbox.ok(&[
        "--as",
        "chen.jie",
        "operator",
        "handover",
        "li.na",
        "zhang.wei",
        "--dry-run",
    ]);
    assert_eq!(
        dry.lines().next().unwrap_or_default(),
        "Would hand 2 customers, 1 open complaint and 1 open reminder from li.na to zhang.wei."
    );
    let raw = sandbox.raw();
    let li: i64 = count(&raw, "SELECT id FROM operators WHERE login = 'li.na'");
    let zhang: i64 = count(&raw, "SELECT id FROM operators WHERE login = 'zhang.wei'");
    assert_eq!(
        count(
            &raw,
            &format!("SELECT count(*) FROM customers WHERE owner_id = {li}")
        ),
        2
    );

    sandbox.ok(&["operator", "disable", "li.na"]);
    let done = sandbox.ok(&[
        "--as",
        "chen.jie",
        "operator",
        "handover",
        "li.na",
        "zhang.wei",
    ]);
    assert!(
        done.starts_with("Handed 2 customers, 1 open complaint and 1 open reminder"),
        "{done}"
    );
    assert_eq!(
        count(
            &raw,
            &format!("SELECT count(*) FROM customers WHERE owner_id = {li}")
        ),
        0
    );
    assert_eq!(
        count(
            &raw,
            &format!("SELECT count(*) FROM customers WHERE owner_id = {zhang}")
        ),
        3
    );
    assert_eq!(
        count(&raw, "SELECT assignee_id FROM complaints WHERE id = 1"),
        zhang
    );
    assert_eq!(
        count(
            &raw,
            &format!("SELECT count(*) FROM reminders WHERE assignee_id = {zhang}")
        ),
        1
    );
    // The complaint's history and the audit trail say who handed what to whom.
    let shown = sandbox.ok(&["complaint", "show", "1"]);
    assert!(
        shown.contains("handed over from 李娜 (li.na) to 张伟 (zhang.wei)"),
        "{shown}"
    );
    let trail = sandbox.ok(&["audit", "list", "--action", "operator.handover", "--json"]);
    let trail: serde_json::Value = serde_json::from_str(&trail).expect("JSON");
    assert_eq!(trail[0]["login"], "chen.jie");
    assert_eq!(trail[0]["detail"]["customers"], 2);
    // A disabled operator is no one to hand to; nor is the same one.
    let err = sandbox.fails(&[
        "--as",
        "chen.jie",
        "operator",
        "handover",
        "zhang.wei",
        "li.na",
    ]);
    assert!(err.contains("li.na is disabled"), "{err}");
    let err = sandbox.fails(&[
        "--as",
        "chen.jie",
        "operator",
        "handover",
        "zhang.wei",
        "zhang.wei",
    ]);
    assert!(err.contains("the same operator"), "{err}");
    // Nothing left to move.
    let again = sandbox.ok(&[
        "--as",
        "chen.jie",
        "operator",
        "handover",
        "li.na",
        "zhang.wei",
    ]);
    assert!(
        again.starts_with("Handed 0 customers, 0 open complaints and 0 open reminders"),
        "{again}"
    );
    // One of a kind is said in the singular, as in the dry run above.
    sandbox.ok(&["customer", "add", "--name", "孙丽", "--owner", "chen.jie"]);
    let one = sandbox.ok(&["operator", "handover", "chen.jie", "zhang.wei"]);
    assert_eq!(
        one.trim(),
        "Handed 1 customer, 0 open complaints and 0 open reminders from chen.jie to zhang.wei."
    );
}

/// Each thing moved is in its customer's own trail (and so in their data-subject export), not
/// only in the one entry that sums the handover up; a dry run lists what would move.
#[test]
fn each_customers_trail_says_who_holds_their_records_now() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    sandbox.ok(&["operator", "add", "zhang.wei", "--name", "张伟"]);
    sandbox.ok(&["customer", "add", "--name", "王秀英", "--owner", "li.na"]);
    sandbox.ok(&["customer", "add", "--name", "刘洋"]);
    sandbox.ok(&[
        "--as",
        "li.na",
        "complaint",
        "open",
        "--customer",
        "C0000002",
        "--category",
        "delivery",
        "--title",
        "包裹迟到",
        "--channel",
        "phone_in",
    ]);
    sandbox.ok(&[
        "reminder",
        "add",
        "C0000002",
        "--title",
        "回访刘洋",
        "--for",
        "li.na",
        "--due",
        "2031-03-04",
    ]);

    let dry = sandbox.ok(&["operator", "handover", "li.na", "zhang.wei", "--dry-run"]);
    let listed: Vec<String> = dry
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        listed,
        [
            "customer C0000001 王秀英",
            "complaint #1 C0000002 包裹迟到",
            "reminder #1 C0000002 回访刘洋 due 2031-03-04 (manual)",
        ],
        "{dry}"
    );
    let json = sandbox.ok(&[
        "operator",
        "handover",
        "li.na",
        "zhang.wei",
        "--dry-run",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["items"]["customers"][0]["code"], "C0000001");
    assert_eq!(json["items"]["complaints"][0]["id"], 1);
    assert_eq!(json["items"]["complaints"][0]["title"], "包裹迟到");
    assert_eq!(json["items"]["complaints"][0]["customer"], "C0000002");
    assert_eq!(json["items"]["reminders"][0]["title"], "回访刘洋");
    // A dry run writes nothing to anyone's trail.
    let trail = sandbox.ok(&["audit", "list", "--action", "customer.", "--json"]);
    assert!(!trail.contains("customer.handover"), "{trail}");

    sandbox.ok(&["operator", "handover", "li.na", "zhang.wei"]);
    let trail = |code: &str| -> Vec<serde_json::Value> {
        let out = sandbox.ok(&["audit", "list", "--customer", code, "--json"]);
        serde_json::from_str(&out).expect("JSON")
    };
    // The customer's owner, old and new, as an edit of the owner records it.
    let first = trail("C0000001");
    assert_eq!(first[0]["action"], "customer.handover", "{first:?}");
    assert_eq!(first[0]["entity"], "customer");
    assert_eq!(
        first[0]["detail"]["owner"],
        serde_json::json!(["li.na", "zhang.wei"])
    );
    // The complaint and the reminder, each in its customer's trail.
    let second = trail("C0000002");
    let entry = |action: &str| {
        second
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("{action} in {second:?}"))
            .clone()
    };
    let complaint = entry("complaint.handover");
    assert_eq!(complaint["entity"], "complaint");
    assert_eq!(complaint["entity_id"], 1);
    assert_eq!(complaint["customer_code"], "C0000002");
    assert_eq!(
        complaint["detail"]["assignee"],
        serde_json::json!(["li.na", "zhang.wei"])
    );
    let reminder = entry("reminder.handover");
    assert_eq!(reminder["entity"], "reminder");
    assert_eq!(
        reminder["detail"]["assignee"],
        serde_json::json!(["li.na", "zhang.wei"])
    );
    // No handover entry in the trail of a customer nothing of whose moved.
    assert!(!first.iter().any(|e| e["action"] == "complaint.handover"));
    // The summing-up entry stays.
    let summary = sandbox.ok(&["audit", "list", "--action", "operator.handover", "--json"]);
    let summary: serde_json::Value = serde_json::from_str(&summary).expect("JSON");
    assert_eq!(summary[0]["detail"]["customers"], 1);
    assert_eq!(summary[0]["detail"]["complaints"], serde_json::json!([1]));
    // The data-subject export of the customer says the same.
    let export = sandbox.ok(&["customer", "export", "C0000001"]);
    let export: serde_json::Value = serde_json::from_str(&export).expect("JSON");
    let handed = export["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .find(|e| e["action"] == "customer.handover")
        .expect("the handover in the export");
    assert_eq!(
        handed["detail"]["owner"],
        serde_json::json!(["li.na", "zhang.wei"])
    );
    // The text listing of the trail says it too.
    let text = sandbox.ok(&["audit", "list", "--customer", "C0000001"]);
    assert!(
        text.lines()
            .any(|l| l.contains("customer.handover")
                && l.contains(r#""owner":["li.na","zhang.wei"]"#)),
        "{text}"
    );
}

/// The screen's trail of a customer handed over reads the owner's change as a change.
#[test]
fn the_screens_trail_reads_a_handover_as_a_change_of_owner() {
    use careline::store::Role;
    use careline::tui::app::App;
    use careline::tui::i18n::Lang;
    use common::screen::{key, open_at_screen_time, open_card, screen, settings};
    use crossterm::event::KeyCode;

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("boss", "Boss").expect("init");
    for login in ["li.na", "zhang.wei"] {
        store
            .add_operator(&admin, login, login, Role::Operator)
            .expect("operator");
    }
    let mut fields = common::customer("王秀英", vec![]);
    fields.owner = Some("li.na".into());
    let id = store.create_customer(&admin, &fields).expect("customer").id;
    store
        .hand_over(&admin, "li.na", "zhang.wei", false)
        .expect("handed over");
    for (lang, words) in [
        (Lang::En, ["handed over", "owner: li.na → zhang.wei"]),
        (Lang::ZhCn, ["移交客户", "负责人: li.na → zhang.wei"]),
    ] {
        let store = open_at_screen_time(&path);
        let actor = store.actor("boss", None).expect("actor");
        let mut app = App::new(store, actor, settings(lang, "desk.db"));
        open_card(&mut app, id);
        key(&mut app, KeyCode::Char('A'));
        let text = screen(&mut app, 132, 43);
        for shown in words {
            assert!(text.contains(shown), "{shown:?} in\n{text}");
        }
    }
}

/// A disabled operator is made the owner of nobody: not by an edit (the screen's form goes
/// through the same store call), not by a new record, not by an import — while a record they
/// owned before stays editable until it is handed over. Disabling one who still holds work
/// says what, with the handover to run.
#[test]
fn a_disabled_operator_owns_nothing_new_and_disabling_one_says_what_they_hold() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    sandbox.ok(&["operator", "add", "zhang.wei", "--name", "张伟"]);
    for name in ["王秀英", "刘洋"] {
        sandbox.ok(&["customer", "add", "--name", name, "--owner", "li.na"]);
    }
    sandbox.ok(&["customer", "add", "--name", "赵敏"]);
    sandbox.ok(&[
        "--as",
        "li.na",
        "complaint",
        "open",
        "--customer",
        "C0000001",
        "--title",
        "包裹迟到",
        "--channel",
        "phone_in",
    ]);
    sandbox.ok(&[
        "reminder", "add", "C0000002", "--title", "回访", "--for", "li.na",
    ]);

    let out = sandbox.run(&["operator", "disable", "li.na"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "li.na is disabled.\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "careline: warning: li.na still owns 2 customers, holds 1 open complaint they claimed \
         and has 1 open reminder kept for them alone (\"only me\"), which no one else works \
         while they stay with li.na; hand them to a colleague with \
         `careline operator handover li.na OTHER` (--dry-run lists them)\n"
    );
    // One who holds nothing is disabled without a word.
    let out = sandbox.run(&["operator", "disable", "zhang.wei"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    sandbox.ok(&["operator", "enable", "zhang.wei"]);

    let refused =
        "owner: 'li.na' is a disabled operator; choose an active one (or enable li.na first)";
    let err = sandbox.fails(&["customer", "edit", "C0000003", "--owner", "li.na"]);
    common::one_line_error(&err);
    assert!(err.contains(refused), "{err}");
    let err = sandbox.fails(&["customer", "add", "--name", "新客户", "--owner", "li.na"]);
    assert!(err.contains(refused), "{err}");
    let csv = sandbox.write_file("owners.csv", "name,owner\n孙丽,li.na\n".as_bytes());
    let err = sandbox.fails(&["import", "customers", csv.to_str().expect("path")]);
    assert!(
        err.lines()
            .any(|l| l == "line 2: owner: 'li.na' is a disabled operator; choose an active one"),
        "{err}"
    );
    // Their own customers are still edited (the owner unchanged), and handed on.
    sandbox.ok(&["customer", "edit", "C0000001", "--name", "王秀英（新）"]);
    sandbox.ok(&["customer", "edit", "C0000003", "--owner", "zhang.wei"]);
    let shown = sandbox.ok(&["customer", "show", "C0000003", "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).expect("JSON");
    assert_eq!(shown["owner"], "zhang.wei", "{shown}");
}
