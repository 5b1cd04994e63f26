//! Access to confidential customers (issue 15, DESIGN §6): an operator asks with a reason, a
//! supervisor grants it for a limited time or refuses it, and the record closes again when
//! the grant expires or is revoked. Every step is in the audit trail.

mod common;

use careline::store::Clock;
use chrono::Duration;
use common::Sandbox;

fn desk() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
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
        "add",
        "--name",
        "保密客户",
        "--phone",
        "13911112222",
        "--confidential",
    ]);
    sandbox
}

fn show_as(sandbox: &Sandbox, login: &str) -> String {
    sandbox.ok(&["--as", login, "customer", "show", "C0000001"])
}

#[test]
fn a_confidential_record_opens_after_a_grant_and_closes_when_it_expires() {
    let sandbox = desk();
    let hidden = show_as(&sandbox, "li.na");
    assert!(!hidden.contains("139 1111 2222"), "{hidden}");
    assert!(hidden.contains("grant request C0000001"), "{hidden}");

    // Asking needs a reason; asking twice gives the same request.
    let err = sandbox.fails(&[
        "--as", "li.na", "grant", "request", "C0000001", "--reason", "",
    ]);
    assert!(err.contains("reason"), "{err}");
    let asked = sandbox.ok(&[
        "--as",
        "li.na",
        "grant",
        "request",
        "C0000001",
        "--reason",
        "客户来电要求改地址",
    ]);
    assert!(asked.contains("request 1"), "{asked}");
    let again = sandbox.ok(&[
        "--as",
        "li.na",
        "grant",
        "request",
        "C0000001",
        "--reason",
        "再问一次",
    ]);
    // The second ask says the first still waits, and that its reason stands.
    assert!(
        again.contains("request 1") && again.contains("already") && again.contains("stands"),
        "{again}"
    );
    // An operator's list is their own requests; every operator's is for supervisors.
    let mine = sandbox.ok(&["--as", "li.na", "grant", "list"]);
    assert!(
        mine.contains("request 1")
            && mine.contains("waiting")
            && mine.contains("客户来电要求改地址"),
        "{mine}"
    );
    assert!(!mine.contains("再问一次"), "{mine}");
    let err = sandbox.fails(&["--as", "li.na", "grant", "list", "--all"]);
    assert!(err.contains("--all") && err.contains("supervisor"), "{err}");
    let err = sandbox.fails(&["--as", "li.na", "grant", "approve", "1"]);
    assert!(
        err.contains("only a supervisor may grant or refuse access"),
        "{err}"
    );
    let waiting = sandbox.ok(&["--as", "chen.jie", "grant", "list"]);
    assert!(
        waiting.contains("li.na") && waiting.contains("waiting"),
        "{waiting}"
    );
    let err = sandbox.fails(&[
        "--as",
        "chen.jie",
        "grant",
        "approve",
        "1",
        "--minutes",
        "600",
    ]);
    assert!(err.contains("at most 480"), "{err}");
    let granted = sandbox.ok(&[
        "--as",
        "chen.jie",
        "grant",
        "approve",
        "1",
        "--minutes",
        "30",
    ]);
    assert!(granted.contains("granted until"), "{granted}");
    let err = sandbox.fails(&[
        "--as", "chen.jie", "grant", "refuse", "1", "--reason", "late",
    ]);
    assert!(err.contains("was granted already"), "{err}");

    let open = show_as(&sandbox, "li.na");
    assert!(open.contains("139 1111 2222"), "{open}");

    // Thirty-one minutes later it is closed again (the store's clock moved on).
    let mut store = sandbox.store();
    let li = store.actor("li.na", None).expect("li.na");
    let id = store.resolve_customer("C0000001").expect("customer");
    store.set_clock(Clock::System);
    assert!(store.access_until(&li, id).expect("until").is_some());
    assert!(!store.customer(&li, id).expect("read").restricted);
    store.set_clock(Clock::Fixed(chrono::Utc::now() + Duration::minutes(31)));
    assert!(store.customer(&li, id).expect("read").restricted);
    assert_eq!(store.access_until(&li, id).expect("until"), None);
    // Its request reads as expired then, not as granted.
    let mine = store.my_access_requests(&li, Some(id), 5).expect("mine");
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0].state(chrono::Utc::now() + Duration::minutes(31)),
        careline::store::RequestState::Expired
    );
    assert_eq!(
        mine[0].state(chrono::Utc::now()),
        careline::store::RequestState::Granted
    );

    // The trail of the customer holds the request and the grant, by whom.
    let trail = sandbox.ok(&[
        "audit",
        "list",
        "--customer",
        "C0000001",
        "--action",
        "access.",
    ]);
    assert!(
        trail.contains("access.request") && trail.contains("li.na"),
        "{trail}"
    );
    assert!(
        trail.contains("access.grant") && trail.contains("chen.jie"),
        "{trail}"
    );
}

#[test]
fn a_refusal_says_why_and_a_direct_grant_can_be_revoked() {
    let sandbox = desk();
    sandbox.ok(&[
        "--as",
        "li.na",
        "grant",
        "request",
        "C0000001",
        "--reason",
        "核对订单",
    ]);
    let err = sandbox.fails(&["--as", "chen.jie", "grant", "refuse", "1", "--reason", " "]);
    assert!(err.contains("say why access is refused"), "{err}");
    let refused = sandbox.ok(&[
        "--as",
        "chen.jie",
        "grant",
        "refuse",
        "1",
        "--reason",
        "请转给客户经理处理",
    ]);
    assert!(refused.contains("refused"), "{refused}");
    assert!(!show_as(&sandbox, "li.na").contains("139 1111 2222"));
    // Editing the record without access is refused, and the refusal is in the trail.
    let err = sandbox.fails(&[
        "--as",
        "li.na",
        "customer",
        "edit",
        "C0000001",
        "--name",
        "改个名",
    ]);
    assert!(err.contains("confidential"), "{err}");
    let refusals = sandbox.ok(&[
        "audit",
        "list",
        "--action",
        "refused",
        "--operator",
        "li.na",
    ]);
    assert!(
        refusals.contains("confidential") && refusals.contains("li.na"),
        "{refusals}"
    );

    let given = sandbox.ok(&[
        "--as",
        "chen.jie",
        "grant",
        "give",
        "C0000001",
        "--to",
        "li.na",
        "--reason",
        "VIP 投诉跟进",
        "--minutes",
        "15",
    ]);
    assert!(given.contains("until"), "{given}");
    assert!(show_as(&sandbox, "li.na").contains("139 1111 2222"));
    // The operator's own list holds a grant given directly too.
    let mine = sandbox.ok(&["--as", "li.na", "grant", "list"]);
    assert!(
        mine.contains("VIP 投诉跟进") && mine.contains("by chen.jie"),
        "{mine}"
    );
    let all = sandbox.ok(&["--as", "chen.jie", "grant", "list", "--all", "--json"]);
    let all: serde_json::Value = serde_json::from_str(&all).expect("JSON");
    // Beside the request refused, the grant given directly (both decided within the second).
    let rows = all["requests"].as_array().expect("requests");
    assert_eq!(rows.len(), 2, "{all}");
    let refused = rows.iter().find(|r| r["direct"] == false).expect("refused");
    assert_eq!(refused["decision"], "refused");
    assert_eq!(refused["note"], "请转给客户经理处理");
    let direct = rows.iter().find(|r| r["direct"] == true).expect("direct");
    assert_eq!(direct["reason"], "VIP 投诉跟进");
    assert_eq!(direct["decided_by"], "chen.jie");
    let grant = all["grants"][0]["id"].as_i64().expect("grant id");
    assert_eq!(direct["id"].as_i64(), Some(grant));
    let text = sandbox.ok(&["--as", "chen.jie", "grant", "list", "--all"]);
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("grant {grant} "))
                && l.contains("VIP 投诉跟进")
                && l.contains("granted until")),
        "{text}"
    );
    sandbox.ok(&["--as", "chen.jie", "grant", "revoke", &grant.to_string()]);
    assert!(!show_as(&sandbox, "li.na").contains("139 1111 2222"));
    let err = sandbox.fails(&["--as", "chen.jie", "grant", "revoke", &grant.to_string()]);
    assert!(err.contains("revoked already"), "{err}");
    // Someone who sees the record has nothing to ask for.
    let err = sandbox.fails(&[
        "--as", "chen.jie", "grant", "request", "C0000001", "--reason", "看看",
    ]);
    assert!(err.contains("can see customer C0000001 already"), "{err}");
    let trail = sandbox.ok(&["audit", "list", "--action", "access."]);
    for action in [
        "access.request",
        "access.refuse",
        "access.grant",
        "access.revoke",
    ] {
        assert!(trail.contains(action), "{action} in {trail}");
    }
}

/// The supervisors' list holds every request waiting, then only the newest decided ones: a
/// desk that has decided thousands does not read them all to show a screenful.
#[test]
fn the_decided_list_holds_the_newest_two_hundred() {
    let sandbox = desk();
    let mut store = sandbox.store();
    let li = store.actor("li.na", None).expect("li.na");
    let chen = store.actor("chen.jie", None).expect("chen.jie");
    let id = store.resolve_customer("C0000001").expect("customer");
    let rules = careline::domain::grant::GrantRules::default();
    let mut last = 0;
    for n in 0..=careline::store::DECIDED_LISTED {
        let asked = store
            .request_access(&li, id, &format!("call {n}"))
            .expect("ask");
        store
            .decide_access(&chen, asked.id, false, None, Some("no"), &rules)
            .expect("refuse");
        last = asked.id;
    }
    let waiting = store.request_access(&li, id, "one more").expect("ask");
    let rows = store.access_requests(&chen, true).expect("list");
    assert_eq!(rows.len(), 1 + careline::store::DECIDED_LISTED);
    assert_eq!(rows[0].id, waiting.id, "those waiting first");
    assert_eq!(rows[1].id, last, "then the newest decided");
    assert!(
        rows.iter().all(|r| r.reason != "call 0"),
        "the oldest decided is left off"
    );
    assert_eq!(
        store.access_requests(&chen, false).expect("waiting").len(),
        1
    );
}

/// Local date and time to the minute, as careline words a grant's end.
fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A grant that ran out is history: revoking it is refused, nothing is written, and it still
/// reads as expired.
#[test]
fn a_grant_that_ran_out_is_not_revoked() {
    let sandbox = desk();
    // Given two hours ago for half an hour (the store's clock set back).
    let given = chrono::Utc::now() - Duration::hours(2);
    let mut store = sandbox.store();
    store.set_clock(Clock::Fixed(given));
    let chen = store.actor("chen.jie", None).expect("chen.jie");
    let id = store.resolve_customer("C0000001").expect("customer");
    let grant = store
        .grant_access(
            &chen,
            id,
            "li.na",
            "核对订单",
            Some(30),
            &careline::domain::grant::GrantRules::default(),
        )
        .expect("granted");
    drop(store);
    let err = sandbox.fails(&["--as", "chen.jie", "grant", "revoke", &grant.id.to_string()]);
    assert!(
        err.contains(&format!(
            "grant {} ran out already at {}; nothing to revoke",
            grant.id,
            local(grant.expires_at)
        )),
        "{err}"
    );
    let revokes = sandbox.ok(&["audit", "list", "--action", "access.revoke"]);
    assert_eq!(revokes.trim(), "No audit entries match.");
    let all = sandbox.ok(&["--as", "chen.jie", "grant", "list", "--all"]);
    assert!(
        all.lines()
            .any(|l| l.starts_with(&format!("grant {} ", grant.id))
                && l.contains(&format!("expired {}", local(grant.expires_at)))),
        "{all}"
    );
}

/// A direct grant opens a confidential record to someone who may not see it otherwise, once
/// at a time.
#[test]
fn a_direct_grant_is_refused_where_it_would_open_nothing_or_pile_up() {
    let sandbox = desk();
    sandbox.ok(&["customer", "add", "--name", "普通客户"]);
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "李娜的客户",
        "--confidential",
        "--owner",
        "li.na",
    ]);
    let give = |customer: &str, to: &str| -> Vec<String> {
        [
            "--as",
            "chen.jie",
            "grant",
            "give",
            customer,
            "--to",
            to,
            "--reason",
            "跟进",
            "--minutes",
            "15",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let fails = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sandbox.fails(&args)
    };
    let err = fails(give("C0000001", "chen.jie"));
    assert!(
        err.contains(
            "chen.jie is a supervisor and sees confidential customers already; no grant is needed"
        ),
        "{err}"
    );
    let err = fails(give("C0000001", &common::login()));
    assert!(
        err.contains("is an admin and sees confidential customers already"),
        "{err}"
    );
    let err = fails(give("C0000002", "li.na"));
    assert!(
        err.contains("customer C0000002 is not confidential: every operator sees it already; no grant is needed"),
        "{err}"
    );
    let err = fails(give("C0000003", "li.na"));
    assert!(
        err.contains("li.na owns customer C0000003 and sees it already; no grant is needed"),
        "{err}"
    );
    // None of those was given.
    let all = sandbox.ok(&["--as", "chen.jie", "grant", "list", "--all", "--json"]);
    let all: serde_json::Value = serde_json::from_str(&all).expect("JSON");
    assert_eq!(all["grants"].as_array().map(Vec::len), Some(0), "{all}");

    // One at a time: a second while the first lasts is refused, naming it and its end.
    let args = give("C0000001", "li.na");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sandbox.ok(&args);
    let store = sandbox.store();
    let chen = store.actor("chen.jie", None).expect("chen.jie");
    let first = store.grants(&chen, None).expect("grants")[0].clone();
    drop(store);
    let now = chrono::Utc::now();
    let until = if first.expires_at.with_timezone(&chrono::Local).date_naive()
        == now.with_timezone(&chrono::Local).date_naive()
    {
        first
            .expires_at
            .with_timezone(&chrono::Local)
            .format("%H:%M")
            .to_string()
    } else {
        local(first.expires_at)
    };
    let err = sandbox.fails(&args);
    assert!(
        err.contains(&format!(
            "li.na holds access to C0000001 until {until} already (grant {}); revoke it first to give a new one",
            first.id
        )),
        "{err}"
    );
    // Approving a request while a grant lasts is refused the same way.
    sandbox.ok(&["--as", "chen.jie", "grant", "revoke", &first.id.to_string()]);
    sandbox.ok(&[
        "--as",
        "li.na",
        "grant",
        "request",
        "C0000001",
        "--reason",
        "再核对",
    ]);
    sandbox.ok(&args);
    let err = sandbox.fails(&["--as", "chen.jie", "grant", "approve", "1"]);
    assert!(
        err.contains("li.na holds access to C0000001 until") && err.contains("revoke it first"),
        "{err}"
    );
    // The audit list gives the grant's end as a local time, not as seconds.
    let text = sandbox.ok(&["audit", "list", "--action", "access.grant"]);
    let store = sandbox.store();
    let newest = store.grants(&chen, None).expect("grants")[0].clone();
    let shown = newest
        .expires_at
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    assert!(
        text.contains(&format!(r#""expires_at":"{shown}""#)),
        "{shown} in {text}"
    );
    assert!(
        !text.contains(&newest.expires_at.timestamp().to_string()),
        "{text}"
    );
    let json = sandbox.ok(&["audit", "list", "--action", "access.grant", "--json"]);
    assert!(
        json.contains(&format!(
            r#""expires_at": {}"#,
            newest.expires_at.timestamp()
        )),
        "{json}"
    );
}

/// Where `part` begins on `line`, in terminal cells (a Chinese character takes two).
fn column_of(line: &str, part: &str) -> usize {
    let at = line
        .find(part)
        .unwrap_or_else(|| panic!("{part:?} in {line:?}"));
    unicode_width::UnicodeWidthStr::width(&line[..at])
}

/// `grant list` lines its columns up whatever they hold: a grant's "granted until" with its
/// date and time, a waiting request's one word, a Chinese reason — every column as wide as
/// its widest entry, so each reason starts in the same column.
#[test]
fn the_grant_list_keeps_its_columns_in_line() {
    let sandbox = desk();
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "另一位保密客户",
        "--confidential",
    ]);
    let asks = [
        ("C0000001", "客户来电要求改地址"),
        ("C0000002", "check the refund"),
    ];
    for (code, reason) in asks {
        sandbox.ok(&[
            "--as", "li.na", "grant", "request", code, "--reason", reason,
        ]);
    }
    sandbox.ok(&["--as", "chen.jie", "grant", "approve", "1"]);
    for (who, args) in [
        ("chen.jie", vec!["grant", "list", "--all"]),
        ("li.na", vec!["grant", "list"]),
    ] {
        let mut all = vec!["--as", who];
        all.extend(args);
        let text = sandbox.ok(&all);
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("request")).collect();
        assert_eq!(lines.len(), 2, "{text}");
        let granted = lines
            .iter()
            .find(|l| l.contains("granted until"))
            .unwrap_or_else(|| panic!("{text}"));
        let waiting = lines
            .iter()
            .find(|l| l.contains("waiting"))
            .unwrap_or_else(|| panic!("{text}"));
        assert_eq!(
            column_of(granted, asks[0].1),
            column_of(waiting, asks[1].1),
            "the reasons in line:\n{text}"
        );
        assert_eq!(
            column_of(granted, "granted until"),
            column_of(waiting, "waiting"),
            "{text}"
        );
        assert_eq!(
            column_of(granted, "C0000001"),
            column_of(waiting, "C0000002"),
            "{text}"
        );
    }
}

/// One rule for every write on a customer, from the command line as on the screen (DESIGN §6:
/// an operator who may not see a confidential record sees only its name and code, and may not
/// write on it either — a contact they logged they could not read back nor correct): each is
/// refused in the store, saying which action, and audited; with a grant each goes through.
#[test]
fn every_write_on_a_confidential_customer_waits_for_access_and_says_which() {
    let sandbox = desk();
    let writes: [(&[&str], &str); 5] = [
        (
            &[
                "log",
                "add",
                "--customer",
                "C0000001",
                "--channel",
                "phone_in",
                "--disposition",
                "resolved_first_contact",
                "--summary",
                "test",
            ],
            "logging a contact with them",
        ),
        (
            &[
                "complaint",
                "open",
                "--customer",
                "C0000001",
                "--channel",
                "phone_in",
                "--title",
                "送货太慢",
            ],
            "opening a complaint for them",
        ),
        (
            &["reminder", "add", "C0000001", "--title", "回访"],
            "adding a reminder for them",
        ),
        (
            &["survey", "add", "--customer", "C0000001", "--csat", "4"],
            "recording their survey",
        ),
        (
            &["customer", "edit", "C0000001", "--name", "改个名"],
            "editing them",
        ),
    ];
    for (args, doing) in writes {
        let mut as_li_na = vec!["--as", "li.na"];
        as_li_na.extend_from_slice(args);
        let err = sandbox.fails(&as_li_na);
        common::one_line_error(&err);
        assert!(
            err.contains(&format!(
                "customer C0000001 is confidential: ask a supervisor for access (`careline grant`) before {doing}"
            )),
            "{args:?}: {err}"
        );
    }
    // Nothing was written (the refusals come before any write: looked at behind the store to
    // see no row at all, not only none shown).
    let raw = sandbox.raw();
    for table in ["interactions", "complaints", "reminders", "surveys"] {
        assert_eq!(
            common::count(&raw, &format!("SELECT count(*) FROM {table}")),
            0,
            "{table}"
        );
    }
    // Each refusal is in the trail, with the action it refused.
    let refusals = sandbox.ok(&[
        "audit",
        "list",
        "--action",
        "refused",
        "--operator",
        "li.na",
        "--json",
    ]);
    for (_, doing) in writes {
        assert!(refusals.contains(doing), "{doing}: {refusals}");
    }
    // And in the customer's own trail (the card's `A`): who was refused what on this record.
    let trail = sandbox.ok(&[
        "audit",
        "list",
        "--customer",
        "C0000001",
        "--action",
        "refused",
        "--json",
    ]);
    for (_, doing) in writes {
        assert!(
            trail.contains(doing),
            "{doing} in the customer's trail: {trail}"
        );
    }
    // So is an operator's refused data-subject export (no privacy permission).
    sandbox.fails(&["--as", "li.na", "customer", "export", "C0000001"]);
    let trail = sandbox.ok(&[
        "audit",
        "list",
        "--customer",
        "C0000001",
        "--action",
        "refused",
    ]);
    assert!(
        trail.contains("privacy permission"),
        "the refused export in the customer's trail: {trail}"
    );
    // With access, the same contact is logged.
    sandbox.ok(&[
        "--as",
        "chen.jie",
        "grant",
        "give",
        "C0000001",
        "--to",
        "li.na",
        "--reason",
        "来电核对",
        "--minutes",
        "15",
    ]);
    let mut as_li_na = vec!["--as", "li.na"];
    as_li_na.extend_from_slice(writes[0].0);
    let logged = sandbox.ok(&as_li_na);
    assert!(logged.contains("Logged interaction 1"), "{logged}");
}
