//! Handing an operator's work to another (issue 15): owned customers, open complaints held and
//! reminders kept for them move in one audited write; a dry run only counts; each complaint's
//! history says who handed it to whom.

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
        dry.trim(),
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
