//! Rough edges of the command line a new-user trial found (issue 15), through the real binary:
//! the operator list (locked operators, Chinese names lined up), vocabulary flags refused in
//! words a person typed, a log list that says when it is cut, and a card without purchases.

mod common;

use careline::domain::customer::ConsentChannel;
use careline::store::PinCheck;
use common::{login, one_line_error, Sandbox};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 errors")
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn the_operator_list_says_who_is_locked_and_lines_up_chinese_names() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["operator", "add", "wang.fang", "--name", "王芳"]);
    sandbox.ok(&["operator", "add", "li", "--name", "Li Na"]);
    // wang.fang sets a PIN and types five wrong ones at her screen's start.
    {
        let mut store = sandbox.store();
        let wang = store.actor("wang.fang", None).expect("wang.fang");
        store.set_own_pin(&wang, Some("2580")).expect("her PIN");
        for _ in 0..4 {
            assert!(matches!(
                store.check_pin(&wang, "0000").expect("check"),
                PinCheck::Wrong { .. }
            ));
        }
        assert_eq!(
            store.check_pin(&wang, "0000").expect("check"),
            PinCheck::Locked
        );
    }

    // Columns: login, role (10 cells), name (as wide as the widest, "Test Admin", 10 cells),
    // each followed by two spaces, then the state. 王芳 is four cells wide, so six spaces pad it.
    let me = login();
    let l = me.len().max("wang.fang".len());
    let list = sandbox.ok(&["operator", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 5, "{list}");
    assert_eq!(
        lines[0],
        format!("{:<l$}  role        name        state", "login")
    );
    for wanted in [
        format!("{me:<l$}  admin       Test Admin  privacy"),
        format!("{:<l$}  operator    Li Na", "li"),
        format!(
            "{:<l$}  operator    王芳        locked (wrong PINs), PIN set",
            "wang.fang"
        ),
    ] {
        assert!(lines.contains(&wanted.as_str()), "{wanted:?} in\n{list}");
    }
    assert_eq!(
        lines[4],
        "An admin lets a locked operator in again with `careline operator unlock LOGIN`."
    );

    let ops = json(&sandbox.ok(&["operator", "list", "--json"]));
    let wang = ops
        .as_array()
        .expect("a list")
        .iter()
        .find(|o| o["login"] == "wang.fang")
        .expect("wang.fang");
    assert_eq!(wang["locked"], true);
    assert_eq!(wang["pin_set"], true);

    // Unlocked, she still has her PIN; nothing is locked, and nothing says how to unlock.
    sandbox.ok(&["operator", "unlock", "wang.fang"]);
    let list = sandbox.ok(&["operator", "list"]);
    let wanted = format!("{:<l$}  operator    王芳        PIN set", "wang.fang");
    assert!(list.lines().any(|line| line == wanted), "{list}");
    assert!(!list.contains("locked"), "{list}");
    assert!(!list.contains("unlock"), "{list}");
}

#[test]
fn vocabulary_flags_are_refused_naming_the_field_and_the_words_to_use() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "Ann", "--phone", "13800138000"]);
    let consent = ["--marketing-consent", "true"];
    for (flag, field, words, extra) in [
        (
            "--kind",
            "kind",
            "individual, enterprise, public_sector",
            &[][..],
        ),
        ("--level", "level", "normal, vip", &[]),
        ("--membership", "membership", "none, member", &[]),
        (
            "--source",
            "source",
            "walk_in, website, referral, cold_outreach, partner, event",
            &[],
        ),
        ("--stability", "stability", "temporary, member", &[]),
        (
            "--preferred-channel",
            "preferred_channel",
            "phone_in, phone_out, email, chat, sms, social, visit",
            &[],
        ),
        (
            "--consent-channel",
            "consent_channel",
            "phone, sms, email, wechat, in_person, web, paper",
            &consent[..],
        ),
    ] {
        let mut args = vec!["customer", "edit", "C0000001", flag, "xyz"];
        args.extend(extra);
        let err = sandbox.fails(&args);
        one_line_error(&err);
        assert_eq!(
            err,
            format!("careline: {field}: 'xyz' is not one of {words}\n"),
            "{flag}"
        );
    }
    // `import` is a channel only an import sets: not one a person types.
    let err = sandbox.fails(&[
        "customer",
        "edit",
        "C0000001",
        "--marketing-consent",
        "true",
        "--consent-channel",
        "import",
    ]);
    assert_eq!(
        err,
        "careline: consent_channel: 'import' is not one of phone, sms, email, wechat, in_person, web, paper\n"
    );
    sandbox.ok(&[
        "customer",
        "edit",
        "C0000001",
        "--marketing-consent",
        "true",
        "--consent-channel",
        "in-person",
    ]);
    assert_eq!(
        sandbox.customers()[0].fields.consent_channel,
        Some(ConsentChannel::InPerson)
    );

    // A file's consent_channel column: refused in the same words; `import` (as careline's own
    // exports write it) is taken.
    let bad = sandbox.write_file(
        "bad.csv",
        b"name,phone,marketing_consent,consent_channel\nBo,13900139000,yes,xyz\n",
    );
    let out = sandbox.run(&["import", "customers", &bad.to_string_lossy()]);
    assert!(!out.status.success());
    let said = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(
        said.contains(
            "consent_channel: 'xyz' is not one of phone, sms, email, wechat, in_person, web, paper"
        ),
        "{said}"
    );
    let good = sandbox.write_file(
        "good.csv",
        b"name,phone,marketing_consent,consent_channel\nBo,13900139000,yes,import\n",
    );
    sandbox.ok(&["import", "customers", &good.to_string_lossy()]);
    let bo = sandbox
        .customers()
        .into_iter()
        .find(|c| c.fields.name == "Bo")
        .expect("Bo imported");
    assert_eq!(bo.fields.consent_channel, Some(ConsentChannel::Import));
}

#[test]
fn the_log_list_says_when_more_match_than_it_shows() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "Ann", "--phone", "13800138000"]);
    for summary in ["first", "second", "third"] {
        sandbox.ok(&[
            "log",
            "add",
            "--customer",
            "C0000001",
            "--channel",
            "phone_in",
            "--disposition",
            "information_given",
            "--summary",
            summary,
            "--started",
            match summary {
                "first" => "2026-05-01 10:00",
                "second" => "2026-05-02 10:00",
                _ => "2026-05-03 10:00",
            },
        ]);
    }
    let cut = "careline: showing only the 2 newest entries; more match (--limit N shows up to N; --from, --to, --customer and --operator narrow the list)\n";
    let out = sandbox.run(&["log", "list", "--limit", "2"]);
    assert!(out.status.success(), "{out:?}");
    let shown = stdout_of(&out);
    assert_eq!(shown.lines().count(), 2, "{shown}");
    assert!(
        shown.lines().next().is_some_and(|l| l.contains("third")),
        "{shown}"
    );
    assert!(
        shown.lines().nth(1).is_some_and(|l| l.contains("second")),
        "{shown}"
    );
    assert_eq!(stderr_of(&out), cut);

    // As JSON too, the note on standard error and the list whole JSON on standard output.
    let out = sandbox.run(&["log", "list", "--limit", "1", "--json"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(json(&stdout_of(&out)).as_array().map(Vec::len), Some(1));
    assert_eq!(
        stderr_of(&out),
        "careline: showing only the newest entry; more match (--limit N shows up to N; --from, --to, --customer and --operator narrow the list)\n"
    );

    // All that match shown: nothing to say.
    for args in [&["log", "list", "--limit", "3"][..], &["log", "list"]] {
        let out = sandbox.run(args);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(stdout_of(&out).lines().count(), 3);
        assert_eq!(stderr_of(&out), "", "{args:?}");
    }
}

#[test]
fn a_card_says_purchases_none_rather_than_leaving_gaps() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "Ann", "--phone", "13800138000"]);
    sandbox.ok(&["customer", "add", "--name", "Bo", "--phone", "13900139000"]);
    let card = sandbox.ok(&["customer", "show", "C0000001"]);
    assert!(
        card.lines().any(|l| l == "purchases         none"),
        "{card}"
    );
    assert!(!card.contains(" ;"), "{card}");
    // Nothing preferred, nothing said; no points, none shown.
    assert!(!card.contains("preferred"), "{card}");
    assert!(!card.contains("points"), "{card}");

    // One purchase ten days ago and one over a year ago for Ann; only the old one for Bo.
    let today = chrono::Local::now().date_naive();
    let recent = today - chrono::Days::new(10);
    let old = today - chrono::Days::new(400);
    let file = sandbox.write_file(
        "purchases.csv",
        format!(
            "customer,order_no,date,amount\nC0000001,SO1,{recent},1299\nC0000001,SO2,{old},100\nC0000002,SO3,{old},100\n"
        )
        .as_bytes(),
    );
    sandbox.ok(&["import", "purchases", &file.to_string_lossy()]);
    let card = sandbox.ok(&["customer", "show", "C0000001"]);
    assert!(
        card.lines().any(|l| l
            == format!(
                "purchases         12 months: 1,299.00 in 1 order; last {recent}; lifetime 1,399.00"
            )),
        "{card}"
    );
    let card = sandbox.ok(&["customer", "show", "C0000002"]);
    assert!(
        card.lines().any(|l| l
            == format!("purchases         12 months: none; last {old}; lifetime 100.00")),
        "{card}"
    );

    sandbox.ok(&["customer", "edit", "C0000001", "--preferred-channel", "sms"]);
    let card = sandbox.ok(&["customer", "show", "C0000001"]);
    assert!(card.lines().any(|l| l == "preferred         sms"), "{card}");
}
