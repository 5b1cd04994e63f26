//! Counts in what careline prints read as English does: one of a thing in the singular
//! ("1 contact", "1 purchase", "1 entry"), any other number in the plural.

mod common;

use common::Sandbox;

#[test]
fn one_of_a_thing_is_said_in_the_singular() {
    let sandbox = Sandbox::new();
    sandbox.init();
    // The log holds one entry: the init.
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("audit chain   ok (1 entry)"), "{check}");

    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王秀英",
        "--phone",
        "13800138000",
    ]);
    let csv = sandbox.write_file(
        "purchases.csv",
        "客户编号,订单号,购买日期,金额,商品\nC0000001,SO1,2026-05-01,100,滤芯\n".as_bytes(),
    );
    let csv = csv.to_str().expect("path");
    let dry = sandbox.ok(&["import", "purchases", csv, "--dry-run"]);
    assert!(
        dry.contains("1 purchase would be imported, 0 rejected."),
        "{dry}"
    );
    let done = sandbox.ok(&["import", "purchases", csv]);
    assert!(done.starts_with("Imported 1 purchase from"), "{done}");
    assert!(done.trim_end().ends_with("; 0 rows rejected."), "{done}");

    let out = sandbox.dir.path().join("customers.csv");
    let exported = sandbox.run(&[
        "export",
        "customers",
        "--format",
        "csv",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert!(exported.status.success(), "{exported:?}");
    let said = String::from_utf8_lossy(&exported.stderr);
    assert!(said.contains("Exported 1 row to"), "{said}");

    let erased = sandbox.ok(&["customer", "erase", "C0000001", "--yes"]);
    assert!(
        erased.starts_with("Erased customer C0000001: 1 contact removed, "),
        "{erased}"
    );
}

#[test]
fn the_cards_history_of_one_contact_says_one_contact() {
    use careline::tui::app::App;
    use careline::tui::i18n::Lang;
    use common::screen::{open_at_screen_time, open_card, screen, settings};

    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "王秀英"]);
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
        "问地址",
    ]);
    let store = open_at_screen_time(&sandbox.db);
    let actor = store.actor(&common::login(), None).expect("the admin");
    let id = store.resolve_customer("C0000001").expect("customer");
    let mut app = App::new(store, actor, settings(Lang::En, "desk.db"));
    open_card(&mut app, id);
    let text = screen(&mut app, 132, 43);
    assert!(text.contains("History (1 contact in all,"), "{text}");
}
