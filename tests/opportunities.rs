//! Sales opportunities (issue 16 item 4) on real database files and the real binary: adding,
//! listing, showing, moving and closing them by the stage rules of `domain::opportunity`;
//! who may; the audit; the data-subject export and erase; the pipeline figures of a report
//! worked by hand; and the card listing them at 80×24 in both languages.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::Value;

use careline::domain::opportunity::Stage;
use careline::domain::report::{Period, ReportTargets};
use careline::store::{
    AuditFilter, Clock, NewOpportunity, ReportQuery, StageMove, Store, StoreError,
};
use common::{login, Sandbox};

/// A desk with the admin (the OS login), operator li.na, supervisor chen.jie, customer
/// C0000001 (王秀英) and a confidential customer C0000002 nobody owns.
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
        "王秀英",
        "--phone",
        "13800000001",
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

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON output")
}

#[test]
fn add_list_show_move_and_close_follow_the_stage_rules() {
    let sb = desk();
    let added = json(&sb.ok(&[
        "--as",
        "li.na",
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "Fridge upgrade",
        "--product",
        "双门冰箱",
        "--amount",
        "¥12,000.50",
        "--close",
        "+2w",
        "--json",
    ]));
    // ¥12,000.50 is 1,200,050 fen; a new one starts at lead, owned by whoever added it.
    assert_eq!(added["amount"], 1_200_050);
    assert_eq!(added["stage"], "lead");
    assert_eq!(added["owner"], "li.na");
    assert_eq!(added["version"], 1);
    let today = chrono::Local::now().date_naive();
    assert_eq!(
        added["expected_close"],
        (today + chrono::Duration::days(14)).to_string()
    );
    assert_eq!(added["events"].as_array().map(Vec::len), Some(1));
    assert_eq!(added["events"][0]["from"], Value::Null);
    let id = added["id"].as_i64().expect("id").to_string();

    // Forward, skipping a stage: lead → proposal.
    let moved = json(&sb.ok(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &id,
        "--stage",
        "proposal",
        "--json",
    ]));
    assert_eq!(moved["stage"], "proposal");
    assert_eq!(moved["version"], 2);
    // Forward to negotiation, then back one stage to proposal (a new offer wanted).
    sb.ok(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &id,
        "--stage",
        "negotiation",
    ]);
    // Two stages back at once is refused, naming the one step that is allowed.
    let err = sb.fails(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &id,
        "--stage",
        "lead",
    ]);
    common::one_line_error(&err);
    assert!(
        err.contains("back one stage at a time: from negotiation to proposal"),
        "{err}"
    );
    // A stale version is a conflict.
    let err = sb.fails(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &id,
        "--stage",
        "proposal",
        "--version",
        "2",
    ]);
    assert!(err.contains("changed by someone else"), "{err}");
    sb.ok(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &id,
        "--stage",
        "proposal",
        "--version",
        "3",
        "--reason",
        "wants a cheaper model",
    ]);
    // `move` does not close.
    let err = sb.fails(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &id,
        "--stage",
        "won",
    ]);
    assert!(err.contains("opportunity close"), "{err}");
    // Lost needs a reason.
    let err = sb.fails(&["--as", "li.na", "opportunity", "close", &id, "--lost"]);
    common::one_line_error(&err);
    assert!(err.contains("reason"), "{err}");
    let lost = json(&sb.ok(&[
        "--as",
        "li.na",
        "opportunity",
        "close",
        &id,
        "--lost",
        "--reason",
        "bought elsewhere",
        "--json",
    ]));
    assert_eq!(lost["stage"], "lost");
    assert_eq!(lost["lost_reason"], "bought elsewhere");
    // Reopened with a reason, then won; won is final.
    let err = sb.fails(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &id,
        "--stage",
        "negotiation",
    ]);
    assert!(err.contains("reason it is reopened"), "{err}");
    sb.ok(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &id,
        "--stage",
        "negotiation",
        "--reason",
        "came back",
    ]);
    sb.ok(&["--as", "li.na", "opportunity", "close", &id, "--won"]);
    let err = sb.fails(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &id,
        "--stage",
        "proposal",
        "--reason",
        "x",
    ]);
    assert!(err.contains("won is final"), "{err}");

    // The whole history, oldest first: created at lead, then each move.
    let shown = json(&sb.ok(&["opportunity", "show", &id, "--json"]));
    let steps: Vec<(Value, Value)> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["from"].clone(), e["to"].clone()))
        .collect();
    let expected = [
        (None, "lead"),
        (Some("lead"), "proposal"),
        (Some("proposal"), "negotiation"),
        (Some("negotiation"), "proposal"),
        (Some("proposal"), "lost"),
        (Some("lost"), "negotiation"),
        (Some("negotiation"), "won"),
    ];
    assert_eq!(steps.len(), expected.len(), "{shown}");
    for ((from, to), (want_from, want_to)) in steps.iter().zip(expected) {
        assert_eq!(from.as_str(), want_from);
        assert_eq!(to.as_str(), Some(want_to));
    }
    assert_eq!(shown["stage"], "won");
    // Won clears the lost reason of before.
    assert_eq!(shown["lost_reason"], Value::Null);
    let text = sb.ok(&["opportunity", "show", &id]);
    assert!(text.contains("lost → negotiation: came back"), "{text}");

    // A second, open one; the list filters.
    sb.ok(&[
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "Extended warranty",
        "--amount",
        "800",
        "--stage",
        "qualified",
        "--owner",
        "li.na",
    ]);
    let open = json(&sb.ok(&["opportunity", "list", "--open", "--json"]));
    let titles: Vec<&str> = open
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|o| o["title"].as_str())
        .collect();
    assert_eq!(titles, ["Extended warranty"]);
    let won = json(&sb.ok(&["opportunity", "list", "--stage", "won", "--json"]));
    assert_eq!(won.as_array().map(Vec::len), Some(1));
    let mine = json(&sb.ok(&[
        "opportunity",
        "list",
        "--owner",
        "li.na",
        "--customer",
        "C0000001",
        "--json",
    ]));
    assert_eq!(mine.as_array().map(Vec::len), Some(2));
    let table = sb.ok(&["opportunity", "list"]);
    assert!(
        table.contains("¥800.00") && table.contains("qualified"),
        "{table}"
    );

    // Clear one-line refusals for bad input, each naming its option or field.
    for (args, needle) in [
        (vec!["--amount", "12k"], "--amount"),
        (
            vec!["--stage", "won"],
            "--stage: a new opportunity starts at an open stage",
        ),
        (vec!["--stage", "maybe"], "--stage"),
        (vec!["--close", "someday"], "--close"),
        (
            vec!["--close", "2020-01-01"],
            "--close: 2020-01-01 is before today",
        ),
        (vec!["--owner", "nobody"], "--owner"),
    ] {
        let mut all = vec![
            "opportunity",
            "add",
            "--customer",
            "C0000001",
            "--title",
            "T",
        ];
        all.extend(args);
        let err = sb.fails(&all);
        common::one_line_error(&err);
        assert!(err.contains(needle), "{needle}: {err}");
    }
    let err = sb.fails(&[
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        " ",
    ]);
    assert!(err.contains("title"), "{err}");
}

#[test]
fn who_may_work_an_opportunity_and_every_write_is_audited() {
    let sb = desk();
    // An operator without a grant may not add one for a confidential customer they do not
    // own, nor read one there; the refusal is audited.
    let err = sb.fails(&[
        "--as",
        "li.na",
        "opportunity",
        "add",
        "--customer",
        "C0000002",
        "--title",
        "Secret deal",
    ]);
    common::one_line_error(&err);
    assert!(err.contains("confidential"), "{err}");
    let secret = json(&sb.ok(&[
        "opportunity",
        "add",
        "--customer",
        "C0000002",
        "--title",
        "Secret deal",
        "--json",
    ]));
    let secret_id = secret["id"].as_i64().expect("id").to_string();
    let err = sb.fails(&["--as", "li.na", "opportunity", "show", &secret_id]);
    assert!(err.contains("confidential"), "{err}");
    let listed = json(&sb.ok(&["--as", "li.na", "opportunity", "list", "--json"]));
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");

    // An operator may not give one to another operator, nor move another's; a supervisor
    // may do both.
    let err = sb.fails(&[
        "--as",
        "li.na",
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "X",
        "--owner",
        "chen.jie",
    ]);
    assert!(err.contains("only a supervisor"), "{err}");
    let theirs = json(&sb.ok(&[
        "--as",
        "chen.jie",
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "Kitchen set",
        "--amount",
        "3000",
        "--json",
    ]));
    let theirs = theirs["id"].as_i64().expect("id").to_string();
    let err = sb.fails(&[
        "--as",
        "li.na",
        "opportunity",
        "move",
        &theirs,
        "--stage",
        "qualified",
    ]);
    assert!(err.contains("only a supervisor"), "{err}");
    let given = json(&sb.ok(&[
        "--as",
        "chen.jie",
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "Dishwasher",
        "--owner",
        "li.na",
        "--json",
    ]));
    assert_eq!(given["owner"], "li.na");
    let given = given["id"].as_i64().expect("id").to_string();
    sb.ok(&[
        "--as",
        "chen.jie",
        "opportunity",
        "move",
        &given,
        "--stage",
        "qualified",
    ]);
    sb.ok(&["--as", "li.na", "opportunity", "close", &given, "--won"]);

    // A disabled operator owns nothing new.
    sb.ok(&["operator", "disable", "li.na"]);
    let err = sb.fails(&[
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "Y",
        "--owner",
        "li.na",
    ]);
    common::one_line_error(&err);
    assert!(err.contains("owner") && err.contains("disabled"), "{err}");

    // The audit trail: each add, move and close, about its customer.
    let store = sb.store();
    let admin = store.actor(&login(), None).expect("admin");
    let entries = store
        .audit_entries(
            &admin,
            &AuditFilter {
                action: Some("opportunity.".into()),
                ..AuditFilter::default()
            },
            100,
        )
        .expect("audit");
    let actions: Vec<(String, String, Option<String>)> = entries
        .iter()
        .rev()
        .map(|e| (e.action.clone(), e.login.clone(), e.customer_code.clone()))
        .collect();
    let c1 = Some("C0000001".to_string());
    assert_eq!(
        actions,
        vec![
            ("opportunity.add".into(), login(), Some("C0000002".into())),
            ("opportunity.add".into(), "chen.jie".into(), c1.clone()),
            ("opportunity.add".into(), "chen.jie".into(), c1.clone()),
            ("opportunity.move".into(), "chen.jie".into(), c1.clone()),
            ("opportunity.close".into(), "li.na".into(), c1.clone()),
        ]
    );
    let refusals = store
        .audit_entries(
            &admin,
            &AuditFilter {
                action: Some("refused".into()),
                login: Some("li.na".into()),
                ..AuditFilter::default()
            },
            100,
        )
        .expect("refusals");
    // Adding and showing the confidential one, giving one away, moving another's.
    assert_eq!(refusals.len(), 4, "{refusals:?}");
}

#[test]
fn the_export_holds_them_and_an_erase_removes_the_person_from_their_text() {
    let sb = desk();
    sb.ok(&["operator", "privacy", &login(), "on"]);
    let added = json(&sb.ok(&[
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "王秀英 fridge",
        "--product",
        "call 13800000001 first",
        "--json",
    ]));
    let id = added["id"].as_i64().expect("id").to_string();
    sb.ok(&[
        "opportunity",
        "close",
        &id,
        "--lost",
        "--reason",
        "王秀英 bought from a rival",
    ]);
    sb.ok(&[
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "Warranty",
        "--stage",
        "proposal",
    ]);
    let export = json(&sb.ok(&["customer", "export", "C0000001"]));
    assert_eq!(export["opportunities"][0]["title"], "王秀英 fridge");
    assert_eq!(export["opportunities"][0]["owner"]["login"], login());
    let events = export["opportunity_events"].as_array().expect("events");
    // Created and lost; the warranty's creation.
    assert_eq!(events.len(), 3);
    assert_eq!(events[1]["to_stage"], "lost");
    assert_eq!(events[1]["reason"], "王秀英 bought from a rival");
    assert_eq!(events[1]["operator"]["login"], login());

    sb.ok(&["customer", "erase", "C0000001", "--yes"]);
    let after = json(&sb.ok(&["customer", "export", "C0000001"]));
    let o = &after["opportunities"][0];
    assert_eq!(o["title"], "[erased] fridge");
    assert_eq!(o["product"], "call [erased] first");
    assert_eq!(o["lost_reason"], "[erased] bought from a rival");
    assert_eq!(
        after["opportunity_events"][1]["reason"],
        "[erased] bought from a rival"
    );
    // The stages and amounts stay for the figures.
    assert_eq!(after["opportunity_events"][1]["to_stage"], "lost");
    // The open one ends: lost, saying why, as an event of its own.
    let warranty = &after["opportunities"][1];
    assert_eq!(warranty["stage"], "lost");
    assert_eq!(
        warranty["lost_reason"],
        "withdrawn: the customer was erased"
    );
    let last = after["opportunity_events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["from_stage"], "proposal");
    assert_eq!(last["to_stage"], "lost");
    // And no opportunity is added for an erased customer.
    let err = sb.fails(&[
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "Z",
    ]);
    assert!(err.contains("erased"), "{err}");
}

/// Noon UTC on a day of 2026.
fn noon(month: u32, day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, 12, 0, 0)
        .single()
        .expect("time")
}

fn at(store: &mut Store, month: u32, day: u32) {
    store.set_clock(Clock::Fixed(noon(month, day)));
}

fn add(
    store: &mut Store,
    actor: &careline::store::Actor,
    customer: i64,
    title: &str,
    yuan: i64,
    stage: Stage,
) -> i64 {
    store
        .add_opportunity(
            actor,
            &NewOpportunity {
                customer_id: customer,
                title: title.into(),
                product: None,
                amount: yuan * 100,
                stage,
                expected_close: None,
                owner_id: None,
            },
        )
        .expect("added")
}

fn step(
    store: &mut Store,
    actor: &careline::store::Actor,
    id: i64,
    to: Stage,
    reason: Option<&str>,
) {
    store
        .move_opportunity(
            actor,
            id,
            &StageMove {
                to,
                reason: reason.map(String::from),
                version: None,
            },
        )
        .expect("moved");
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
}

/// The pipeline of the report of `from`..`to` (local days), as JSON.
fn pipeline_of(store: &Store, admin: &careline::store::Actor, from: &str, to: &str) -> Value {
    let report = store
        .report(
            admin,
            &ReportQuery {
                period: Period::between(day(from), day(to)).expect("period"),
                operator: None,
                csat_scale: 5,
            },
            &ReportTargets::default(),
        )
        .expect("report");
    serde_json::to_value(&report.pipeline).expect("json")
}

#[test]
fn the_pipeline_of_a_period_is_counted_as_it_stood_then() {
    let sb = desk();
    let mut store = sb.store();
    let admin = store.actor(&login(), None).expect("admin");
    let c = store.resolve_customer("C0000001").expect("customer");
    // Every moment is noon UTC, well inside its local day in any time zone within ±11 h of
    // UTC, and days of the same time of day are whole days apart.
    use Stage::*;
    at(&mut store, 3, 1);
    let o3 = add(&mut store, &admin, c, "O3", 2_000, Lead);
    let o8 = add(&mut store, &admin, c, "O8", 700, Lead);
    at(&mut store, 3, 5);
    let o5 = add(&mut store, &admin, c, "O5", 300, Lead);
    at(&mut store, 3, 10);
    let o1 = add(&mut store, &admin, c, "O1", 10_000, Lead);
    at(&mut store, 3, 15);
    step(&mut store, &admin, o3, Negotiation, None);
    at(&mut store, 3, 20);
    step(&mut store, &admin, o1, Qualified, None);
    at(&mut store, 3, 25);
    step(&mut store, &admin, o5, Lost, Some("budget"));
    at(&mut store, 4, 2);
    let o2 = add(&mut store, &admin, c, "O2", 5_000, Lead);
    at(&mut store, 4, 3);
    let o4 = add(&mut store, &admin, c, "O4", 800, Qualified);
    at(&mut store, 4, 5);
    step(&mut store, &admin, o1, Proposal, None);
    at(&mut store, 4, 8);
    step(&mut store, &admin, o8, Lost, Some("price"));
    at(&mut store, 4, 10);
    let _o6 = add(&mut store, &admin, c, "O6", 1_200, Lead);
    at(&mut store, 4, 12);
    step(&mut store, &admin, o2, Won, None);
    at(&mut store, 4, 15);
    let o9 = add(&mut store, &admin, c, "O9", 400, Negotiation);
    at(&mut store, 4, 20);
    step(&mut store, &admin, o4, Lost, Some("went quiet"));
    at(&mut store, 4, 21);
    step(&mut store, &admin, o3, Won, None);
    at(&mut store, 5, 2);
    step(&mut store, &admin, o9, Won, None);
    at(&mut store, 5, 3);
    step(&mut store, &admin, o8, Proposal, Some("came back"));
    at(&mut store, 5, 5);
    let _o7 = add(&mut store, &admin, c, "O7", 9_999, Lead);

    // April, worked by hand from the definitions (docs/REPORTS.md):
    // open at 30 April's end, by the stage each stood at then:
    //   lead: O6 ¥1,200 · qualified: none · proposal: O1 ¥10,000 · negotiation: O9 ¥400
    //   (O9 is won only on 2 May; O7 does not exist yet; O5 was lost in March)
    //   open in all: 3, ¥11,600 = 1,160,000 fen
    // won in April: O2 (¥5,000) and O3 (¥2,000): 2, 700,000 fen
    // lost in April and still lost at its end: O4 (¥800) and O8 (¥700, reopened only in May):
    //   2, 150,000 fen
    // win rate: 2 / (2 + 2) = 0.5
    // days to close: O2 2 Apr → 12 Apr = 10, O3 1 Mar → 21 Apr = 30 + 21 = 51; mean 30.5
    let p = pipeline_of(&store, &admin, "2026-04-01", "2026-04-30");
    assert_eq!(p["open_by_stage"]["lead"]["count"], 1);
    assert_eq!(p["open_by_stage"]["lead"]["amount"], 120_000);
    assert_eq!(p["open_by_stage"]["qualified"]["count"], 0);
    assert_eq!(p["open_by_stage"]["qualified"]["amount"], 0);
    assert_eq!(p["open_by_stage"]["proposal"]["count"], 1);
    assert_eq!(p["open_by_stage"]["proposal"]["amount"], 1_000_000);
    assert_eq!(p["open_by_stage"]["negotiation"]["count"], 1);
    assert_eq!(p["open_by_stage"]["negotiation"]["amount"], 40_000);
    assert_eq!(p["open"]["count"], 3);
    assert_eq!(p["open"]["amount"], 1_160_000);
    assert_eq!(p["won"]["count"], 2);
    assert_eq!(p["won"]["amount"], 700_000);
    assert_eq!(p["lost"]["count"], 2);
    assert_eq!(p["lost"]["amount"], 150_000);
    assert_eq!(p["win_rate"], 0.5);
    assert_eq!(p["avg_days_to_close"], 30.5);

    // May (to the 31st): O7 and O8 (reopened at proposal) and O1 and O6 are open at its end:
    //   lead: O6 ¥1,200 + O7 ¥9,999 · proposal: O1 ¥10,000 + O8 ¥700 · negotiation: none
    // won in May: O9 (¥400), 15 Apr → 2 May = 17 days; lost: none; win rate 1 / 1 = 1.
    let p = pipeline_of(&store, &admin, "2026-05-01", "2026-05-31");
    assert_eq!(p["open_by_stage"]["lead"]["count"], 2);
    assert_eq!(p["open_by_stage"]["lead"]["amount"], 1_119_900);
    assert_eq!(p["open_by_stage"]["proposal"]["count"], 2);
    assert_eq!(p["open_by_stage"]["proposal"]["amount"], 1_070_000);
    assert_eq!(p["open_by_stage"]["negotiation"]["count"], 0);
    assert_eq!(p["won"]["count"], 1);
    assert_eq!(p["lost"]["count"], 0);
    assert_eq!(p["win_rate"], 1.0);
    assert_eq!(p["avg_days_to_close"], 17.0);

    // February: nothing open at its end, nothing closed in it: null.
    drop(store);
    let out = json(&sb.ok(&[
        "report",
        "--from",
        "2026-02-01",
        "--to",
        "2026-02-28",
        "--format",
        "json",
    ]));
    assert_eq!(out["pipeline"], Value::Null);
    // March from the binary: O1 (qualified ¥10,000), O3 (negotiation ¥2,000), O8 (lead ¥700)
    // open at its end; O5 lost in it; nothing won: win rate 0 / (0 + 1) = 0, no days to close.
    let out = json(&sb.ok(&[
        "report",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "json",
    ]));
    let p = &out["pipeline"];
    assert_eq!(p["open"]["count"], 3);
    assert_eq!(p["open"]["amount"], 1_270_000);
    assert_eq!(p["lost"]["count"], 1);
    assert_eq!(p["win_rate"], 0.0);
    assert_eq!(p["avg_days_to_close"], Value::Null);
    let csv = sb.ok(&[
        "report",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "csv",
    ]);
    assert!(csv.contains("pipeline_open_count,negotiation,1,,"), "{csv}");
    assert!(csv.contains("pipeline_lost_count,,1,,"), "{csv}");
    assert!(csv.contains("pipeline_win_rate,,0,,"), "{csv}");
    assert!(csv.contains("pipeline_avg_days_to_close,,,,"), "{csv}");
    let table = sb.ok(&["report", "--from", "2026-03-01", "--to", "2026-03-31"]);
    assert!(table.contains("Sales pipeline"), "{table}");
    assert!(table.contains("win rate"), "{table}");
    let empty = sb.ok(&["report", "--from", "2026-02-01", "--to", "2026-02-28"]);
    assert!(
        empty.contains("no opportunities open at the end or closed in the period"),
        "{empty}"
    );

    // Narrowed to an operator who owns none: null.
    let out = json(&sb.ok(&[
        "report",
        "--from",
        "2026-04-01",
        "--to",
        "2026-04-30",
        "--operator",
        "li.na",
        "--format",
        "json",
    ]));
    assert_eq!(out["pipeline"], Value::Null);
}

#[test]
fn an_operator_refused_keeps_nothing_half_written() {
    let sb = desk();
    let mut store = sb.store();
    let li = store.actor("li.na", None).expect("li.na");
    let hidden = store.resolve_customer("C0000002").expect("customer");
    let err = store
        .add_opportunity(
            &li,
            &NewOpportunity {
                customer_id: hidden,
                title: "x".into(),
                product: None,
                amount: 0,
                stage: Stage::Lead,
                expected_close: None,
                owner_id: None,
            },
        )
        .expect_err("refused");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    let admin = store.actor(&login(), None).expect("admin");
    assert!(store
        .opportunities(&admin, &Default::default())
        .expect("list")
        .is_empty());
}

/// The screen: `o` on the card adds one through its form, `m` moves one (lost refused without
/// a reason, worded in the screen's language), and the card lists the open ones with their
/// stage, amount and expected close at 80×24 in English and Chinese; the footer and the help
/// offer `m`.
#[test]
fn the_card_adds_moves_and_lists_opportunities_at_80_by_24() {
    use careline::tui::app::App;
    use careline::tui::i18n::Lang;
    use common::screen::{draw, key, message, open_at_screen_time, screen, settings, type_text};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    for (lang, name, lost_needs, stage_hint, help_line) in [
        (
            Lang::En,
            "en",
            "give the reason it was lost",
            "m deal stage",
            "deal stage",
        ),
        (Lang::ZhCn, "zh", "请填写输单原因", "m 机会阶段", "机会阶段"),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("desk.db");
        let mut store = open_at_screen_time(&path);
        let admin = store.init_admin("li.na", "李娜").expect("init");
        let id = store
            .create_customer(
                &admin,
                &common::customer("王秀英", vec![common::phone("13800000001")]),
            )
            .expect("customer")
            .id;
        let mut app = App::new(store, admin.clone(), settings(lang, "desk.db"));
        common::screen::open_card(&mut app, id);
        // No open opportunity yet: `m` is not offered in the footer.
        let before = screen(&mut app, 80, 24);
        assert!(!before.contains(stage_hint), "{before}");

        // `o`: title, product, amount typed; stage lead, close in a month, owner me.
        key(&mut app, KeyCode::Char('o'));
        assert!(app.form().is_some(), "{}", message(&app));
        // Saved with no title, an amount that is none and a day that does not exist: every
        // one of them is marked at once.
        let close = app.form().map(|f| f.value("close")).unwrap_or_default();
        {
            let form = app.form_mut().expect("form");
            form.set("amount", "abc");
            form.set("close", "2026-02-30");
        }
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let marked: Vec<&str> = ["title", "amount", "close"]
            .into_iter()
            .filter(|k| {
                app.form()
                    .and_then(|f| f.field(k))
                    .is_some_and(|f| f.error.is_some())
            })
            .collect();
        assert_eq!(marked, ["title", "amount", "close"], "{}", message(&app));
        {
            let form = app.form_mut().expect("form");
            form.set("amount", "");
            form.set("close", &close);
        }
        type_text(&mut app, "Fridge upgrade");
        key(&mut app, KeyCode::Tab);
        type_text(&mut app, "双门冰箱");
        key(&mut app, KeyCode::Tab);
        type_text(&mut app, "12000.5");
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(app.form().is_none(), "saved: {}", message(&app));

        // `m`: no stage is chosen for the operator, so a bare Ctrl-S moves nothing (won and
        // lost are final) and says the new stage is required; with one opportunity the stage
        // has the keys (→ offers lead, the first after "—"). Lost without a reason is refused
        // on the reason field; then moved to qualified.
        key(&mut app, KeyCode::Char('m'));
        assert_eq!(app.form().map(|f| f.value("stage")), Some(String::new()));
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let required = app
            .form()
            .and_then(|f| f.field("stage"))
            .and_then(|f| f.error.clone());
        assert_eq!(
            required.as_deref(),
            Some(if lang == Lang::En {
                "required"
            } else {
                "必填"
            })
        );
        key(&mut app, KeyCode::Right);
        assert_eq!(app.form().map(|f| f.value("stage")), Some("lead".into()));
        app.form_mut().expect("form").set("stage", "lost");
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let error = app
            .form()
            .and_then(|f| f.field("reason"))
            .and_then(|f| f.error.clone());
        assert_eq!(error.as_deref(), Some(lost_needs));
        app.form_mut().expect("form").set("stage", "qualified");
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(app.form().is_none(), "moved: {}", message(&app));

        // A second one added from the command line's way in, with its own close date.
        let mut store = open_at_screen_time(&path);
        store
            .add_opportunity(
                &admin,
                &NewOpportunity {
                    customer_id: id,
                    title: "延保服务 3 年".into(),
                    product: None,
                    amount: 80_000,
                    stage: Stage::Proposal,
                    expected_close: Some(day("2026-12-05")),
                    owner_id: None,
                },
            )
            .expect("added");
        drop(store);
        app.loaded(careline::tui::component::Msg::DataChanged);
        // The footer shows the keys again once the message line is read.
        app.desk.message = None;
        let terminal = draw(&mut app, 80, 24);
        let shown = common::screen::buffer_text(terminal.backend().buffer());
        assert!(shown.contains(stage_hint), "{shown}");
        insta::assert_snapshot!(format!("card_{name}_80x24"), terminal.backend());

        key(&mut app, KeyCode::Char('?'));
        let terminal = draw(&mut app, 80, 24);
        let help = common::screen::buffer_text(terminal.backend().buffer());
        assert!(help.contains(help_line), "{help}");
        insta::assert_snapshot!(format!("card_help_{name}_80x24"), terminal.backend());
    }
}

/// The Reports pane shows the pipeline under the other figures: beside nothing on a wide
/// screen, scrolled to at 80×24; in both languages.
#[test]
fn the_reports_pane_shows_the_pipeline() {
    use careline::tui::app::App;
    use careline::tui::i18n::Lang;
    use common::screen::{draw, key, open_at_screen_time, screen, settings};
    use crossterm::event::KeyCode;

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    let c = store
        .create_customer(&admin, &common::customer("王秀英", vec![]))
        .expect("customer")
        .id;
    let on = |store: &mut Store, d: u32| {
        store.set_clock(Clock::Fixed(
            Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0)
                .single()
                .expect("time"),
        ))
    };
    use Stage::*;
    on(&mut store, 2);
    let a = add(&mut store, &admin, c, "A", 3_000, Lead);
    on(&mut store, 3);
    let b = add(&mut store, &admin, c, "B", 1_500, Qualified);
    on(&mut store, 4);
    let cc = add(&mut store, &admin, c, "C", 500, Lead);
    on(&mut store, 5);
    step(&mut store, &admin, a, Proposal, None);
    on(&mut store, 10);
    step(&mut store, &admin, cc, Lost, Some("price"));
    on(&mut store, 13);
    step(&mut store, &admin, b, Won, None);
    drop(store);
    // November (this month on the desk's day, 23 November), by hand: open at its end A at
    // proposal ¥3,000.00; won B ¥1,500.00 in 10 days (3 → 13 November); lost C ¥500.00; win
    // rate 1 / (1 + 1) = 50.0%.
    for (lang, name, title, extra, won) in [
        (
            Lang::En,
            "en",
            "Sales pipeline",
            "win rate 50.0% · 10.0 days to close",
            "won",
        ),
        (
            Lang::ZhCn,
            "zh",
            "销售漏斗",
            "赢单率 50.0% · 平均成交 10.0 天",
            "赢单",
        ),
    ] {
        let store = open_at_screen_time(&path);
        let actor = store.actor("li.na", None).expect("actor");
        let mut app = App::new(store, actor, settings(lang, "desk.db"));
        key(&mut app, KeyCode::F(5));
        // The last section: End scrolls to it.
        draw(&mut app, 132, 43);
        key(&mut app, KeyCode::End);
        let terminal = draw(&mut app, 132, 43);
        let wide = common::screen::buffer_text(terminal.backend().buffer());
        assert!(wide.contains(title) && wide.contains(extra), "{wide}");
        let won_line = wide
            .lines()
            .find(|l| l.contains(&format!("  {won} ")))
            .unwrap_or_default();
        assert!(
            won_line.contains("1") && won_line.contains("¥1,500.00"),
            "{wide}"
        );
        insta::assert_snapshot!(
            format!("reports_pipeline_{name}_132x43"),
            terminal.backend()
        );
        // At 80×24 it is the last section: End scrolls to it.
        draw(&mut app, 80, 24);
        key(&mut app, KeyCode::End);
        let narrow = screen(&mut app, 80, 24);
        assert!(
            narrow.contains(title) && narrow.contains("¥3,000.00"),
            "{narrow}"
        );
    }
}

/// Merging two records of one person moves the other's opportunities to the survivor, whose
/// card then lists them.
#[test]
fn a_merge_moves_the_opportunities_to_the_survivor() {
    let sb = desk();
    sb.ok(&[
        "customer",
        "add",
        "--name",
        "王秀英",
        "--phone",
        "13800000003",
    ]);
    sb.ok(&[
        "opportunity",
        "add",
        "--customer",
        "C0000003",
        "--title",
        "Washer",
        "--amount",
        "2500",
    ]);
    sb.ok(&["customer", "merge", "C0000001", "C0000003"]);
    let listed = json(&sb.ok(&["opportunity", "list", "--customer", "C0000001", "--json"]));
    assert_eq!(listed[0]["title"], "Washer");
    assert_eq!(listed[0]["customer_code"], "C0000001");
    let mut store = sb.store();
    let admin = store.actor(&login(), None).expect("admin");
    let c1 = store.resolve_customer("C0000001").expect("customer");
    let card = store.card(&admin, c1).expect("card");
    assert_eq!(card.opportunities.len(), 1);
    assert_eq!(card.opportunities[0].amount, 250_000);
}

/// A half-typed opportunity survives a dropped screen: the next start offers it back by its
/// own name, with what was typed.
#[test]
fn a_half_typed_opportunity_is_offered_back() {
    use careline::tui::app::App;
    use careline::tui::dialog::Dialog;
    use careline::tui::forms::FormKind;
    use careline::tui::i18n::Lang;
    use common::screen::{ctrl, key, open_at_screen_time, screen, settings, type_text};
    use crossterm::event::KeyCode;

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    let id = store
        .create_customer(&admin, &common::customer("王秀英", vec![]))
        .expect("customer")
        .id;
    {
        let mut app = App::new(store, admin.clone(), settings(Lang::En, "desk.db"));
        common::screen::open_card(&mut app, id);
        key(&mut app, KeyCode::Char('o'));
        type_text(&mut app, "Solar panels");
        // Ctrl-C quits safely, keeping the draft.
        ctrl(&mut app, 'c');
        assert!(app.quit);
    }
    let store = open_at_screen_time(&path);
    let mut app = App::new(store, admin, settings(Lang::En, "desk.db"));
    assert!(matches!(app.dialog(), Some(Dialog::RestoreDraft(_))));
    let shown = screen(&mut app, 80, 24);
    assert!(
        shown.contains("A form was not saved: New opportunity"),
        "{shown}"
    );
    key(&mut app, KeyCode::Enter);
    let form = app.form().expect("the form again");
    assert_eq!(form.kind, FormKind::NewOpportunity);
    assert_eq!(form.value("title"), "Solar panels");
    assert_eq!(form.entity_id, id);
}

/// A leaver's open opportunities go to the colleague taking over their work; a disabled
/// operator who still owns some is warned of, as of their customers.
#[test]
fn a_handover_gives_the_open_opportunities_to_the_colleague() {
    let sb = desk();
    let open = json(&sb.ok(&[
        "--as",
        "li.na",
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "Sofa",
        "--json",
    ]));
    let won = json(&sb.ok(&[
        "--as",
        "li.na",
        "opportunity",
        "add",
        "--customer",
        "C0000001",
        "--title",
        "Lamp",
        "--json",
    ]));
    let won = won["id"].as_i64().expect("id").to_string();
    sb.ok(&["--as", "li.na", "opportunity", "close", &won, "--won"]);
    let out = sb.run(&["operator", "disable", "li.na"]);
    let warning = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        warning.contains("owns 1 open sales opportunity"),
        "{warning}"
    );
    let dry = sb.ok(&["operator", "handover", "li.na", "chen.jie", "--dry-run"]);
    assert!(
        dry.contains("Would hand 1 open sales opportunity to chen.jie as well."),
        "{dry}"
    );
    let moved = json(&sb.ok(&["operator", "handover", "li.na", "chen.jie", "--json"]));
    // Only the open one: a won one keeps who won it.
    assert_eq!(moved["opportunities"], 1);
    assert_eq!(moved["items"]["opportunities"][0]["title"], "Sofa");
    let id = open["id"].as_i64().expect("id").to_string();
    let shown = json(&sb.ok(&["opportunity", "show", &id, "--json"]));
    assert_eq!(shown["owner"], "chen.jie");
    let lamp = json(&sb.ok(&["opportunity", "show", &won, "--json"]));
    assert_eq!(lamp["owner"], "li.na");
    let trail = sb.ok(&[
        "audit",
        "list",
        "--action",
        "opportunity.handover",
        "--json",
    ]);
    assert!(trail.contains("opportunity.handover"), "{trail}");
}
