//! `careline complaint …`, `careline complaints sweep` and `careline export complaints` through
//! the real binary on a temporary database: a complaint's whole life, refusals, back-entry,
//! the queue's order, and races between real processes (claims, automatic escalation).
//!
//! Expected deadlines are worked by hand from the rules of issue 13 and the README: acknowledge
//! 30 min, propose 2 h, resolve 72 h for a normal complaint (24 h critical), counted in the
//! working calendar; a breached clock escalates once, one level at a time up to 3.

mod common;

use std::path::PathBuf;
use std::process::{Child, Output, Stdio};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::Value;

use careline::domain::complaint::{Category, NewComplaint, Severity};
use careline::domain::customer::Channel;
use common::{login, one_line_error, Sandbox};

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a time: {v}"))
}

/// A sandbox with `careline init` (the OS login is its admin, "Test Admin"), the operator
/// li.na (李娜), and one customer; returns the customer's code.
fn desk() -> (Sandbox, String) {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&[
        "operator", "add", "li.na", "--name", "李娜", "--role", "operator",
    ]);
    let code = sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王芳",
        "--phone",
        "13800138000",
    ]);
    (sandbox, code.trim().to_string())
}

/// Opens a complaint with `careline complaint open … --json`; returns its JSON.
fn open(sandbox: &Sandbox, customer: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "complaint",
        "open",
        "--customer",
        customer,
        "--title",
        "The kettle leaks",
        "--json",
    ];
    args.extend_from_slice(extra);
    json(&sandbox.ok(&args))
}

fn id_of(k: &Value) -> String {
    k["id"].as_i64().expect("an id").to_string()
}

fn show(sandbox: &Sandbox, id: &str) -> Value {
    json(&sandbox.ok(&["complaint", "show", id, "--json"]))
}

/// The events of `complaint show --json` as (kind, to_status, operator).
fn events(detail: &Value) -> Vec<(String, String, String)> {
    detail["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_string(),
                e["to_status"].as_str().unwrap_or_default().to_string(),
                e["operator"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn clock<'a>(k: &'a Value, name: &str) -> &'a Value {
    k["clocks"]
        .as_array()
        .expect("clocks")
        .iter()
        .find(|c| c["clock"] == name)
        .unwrap_or_else(|| panic!("no {name} clock in {k}"))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[test]
fn a_complaint_lives_from_opening_to_a_satisfied_follow_up() {
    let (sandbox, customer) = desk();
    let me = login();
    let k = open(
        &sandbox,
        &customer,
        &[
            "--channel",
            "email",
            "--category",
            "product-quality",
            "--severity",
            "high",
            "--description",
            "Leaks from the bottom after a week",
        ],
    );
    assert_eq!(k["status"], "new");
    assert_eq!(k["assignee"], Value::Null);
    let id = id_of(&k);

    sandbox.ok(&["complaint", "ack", &id, "--text", "We are on it"]);
    sandbox.ok(&["complaint", "claim", &id]);
    sandbox.ok(&[
        "complaint",
        "escalate",
        &id,
        "--reason",
        "needs a product specialist",
        "--to",
        "li.na",
    ]);
    sandbox.ok(&[
        "complaint",
        "compensate",
        &id,
        "--kind",
        "refund",
        "--amount",
        "5000",
        "--note",
        "half the price back",
    ]);
    sandbox.ok(&[
        "complaint",
        "propose",
        &id,
        "--text",
        "a new kettle and a refund",
    ]);
    let resolved =
        json(&sandbox.ok(&["complaint", "resolve", &id, "--text", "replaced", "--json"]));
    assert_eq!(resolved["complaint"]["status"], "resolved");
    assert!(
        resolved["follow_up_reminder"].as_i64().is_some(),
        "{resolved}"
    );
    let human = sandbox.ok(&[
        "complaint",
        "follow-up",
        &id,
        "--csat",
        "4",
        "--comment",
        "works now",
        "--satisfied",
    ]);
    assert!(human.contains("resolved → closed"), "{human}");

    let detail = show(&sandbox, &id);
    assert_eq!(detail["status"], "closed");
    assert_eq!(detail["csat"], 4);
    assert_eq!(detail["escalation_level"], 1);
    assert_eq!(detail["assignee"], "li.na");
    let expected: Vec<(String, String, String)> = [
        ("opened", "new", me.as_str()),
        ("acknowledge", "acknowledged", &me),
        ("claim", "in_progress", &me),
        ("escalate", "escalated", &me),
        ("compensate", "escalated", &me),
        ("propose", "solution_proposed", &me),
        ("resolve", "resolved", &me),
        ("follow_up", "closed", &me),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(events(&detail), expected);
    let escalate = &detail["events"][3];
    assert_eq!(escalate["text"], "needs a product specialist");
    assert_eq!(escalate["customer_contact"], false);
    assert_eq!(detail["events"][1]["customer_contact"], true);
    let comp = &detail["compensations"][0];
    assert_eq!(comp["kind"], "refund");
    assert_eq!(comp["amount"], 5000);
    assert_eq!(comp["note"], "half the price back");
    assert_eq!(detail["follow_up"]["status"], "done");
    for name in ["acknowledge", "propose", "resolve"] {
        assert_eq!(clock(&detail, name)["state"], "met", "{name}");
        assert_eq!(clock(&detail, name)["on_time"], true, "{name}");
    }

    // The human show names the clocks, the calendar and every event.
    let text = sandbox.ok(&["complaint", "show", &id]);
    assert!(text.contains("calendar     24×7"), "{text}");
    assert!(text.contains("refund ¥50.00"), "{text}");
    for kind in ["opened", "claim", "escalate", "follow_up"] {
        assert!(text.contains(kind), "{kind} in {text}");
    }
}

#[test]
fn a_customer_not_satisfied_reopens_the_complaint_and_restarts_its_clock() {
    let (sandbox, customer) = desk();
    // Taken on the phone: acknowledged at once and assigned to the operator who took it. The
    // customer is named by the phone number, as `log add` takes it.
    let k = open(&sandbox, "138 0013 8000", &["--channel", "phone-in"]);
    assert_eq!(k["customer_code"], customer.as_str());
    assert_eq!(k["status"], "acknowledged");
    assert_eq!(k["assignee"], login().as_str());
    let id = id_of(&k);
    sandbox.ok(&["complaint", "propose", &id, "--text", "a repair"]);
    let said = sandbox.ok(&["complaint", "resolve", &id, "--text", "repaired"]);
    // The follow-up call is due 3 days after the resolution (the default follow_up_days).
    let due = chrono::Local::now().date_naive() + chrono::Days::new(3);
    assert!(
        said.contains(&format!("Follow-up reminder 1 created, due {due}.")),
        "{said}"
    );
    // The follow-up calls still to make: this one, due that day.
    let calls = json(&sandbox.ok(&["complaint", "list", "--follow-ups", "--json"]));
    let calls = calls.as_array().expect("an array");
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(id_of(&calls[0]), id);
    assert_eq!(calls[0]["follow_up_on"], due.to_string());
    let out = json(&sandbox.ok(&[
        "complaint",
        "follow-up",
        &id,
        "--csat",
        "2",
        "--not-satisfied",
        "--json",
    ]));
    // Made: no follow-up call left to make.
    let calls = json(&sandbox.ok(&["complaint", "list", "--follow-ups", "--json"]));
    assert_eq!(calls.as_array().map(Vec::len), Some(0), "{calls}");
    let k = &out["complaint"];
    assert_eq!(k["status"], "reopened");
    assert_eq!(k["resolved_at"], Value::Null);
    // The resolution clock restarts from the reopen: 72 h for a normal complaint (24×7).
    let reopened = time(&k["reopened_at"]);
    assert_eq!(time(&k["resolve_due_at"]) - reopened, Duration::hours(72));
    assert_eq!(clock(k, "resolve")["state"], "running");
    let detail = show(&sandbox, &id);
    assert_eq!(detail["csat"], 2);
    assert_eq!(detail["follow_up"]["status"], "done");
    let last = events(&detail).pop().expect("events");
    assert_eq!(last.0, "follow_up");
    assert_eq!(last.1, "reopened");
    // It is back in the queue.
    let queue = json(&sandbox.ok(&["complaint", "list", "--open", "--json"]));
    assert_eq!(queue[0]["id"].as_i64(), Some(id.parse().expect("id")));
}

#[test]
fn refused_steps_and_bad_values_name_the_reason() {
    let (sandbox, customer) = desk();
    let id = id_of(&open(&sandbox, &customer, &["--channel", "email"]));

    // A new complaint cannot be resolved; the refusal names its status and what it allows.
    let stderr = sandbox.fails(&["complaint", "resolve", &id, "--text", "done"]);
    one_line_error(&stderr);
    assert!(stderr.contains("the complaint is new"), "{stderr}");
    for allowed in ["acknowledge", "claim", "escalate"] {
        assert!(stderr.contains(allowed), "{allowed} in {stderr}");
    }
    assert!(!stderr.contains("resolve,"), "{stderr}");
    // Nothing was written.
    assert_eq!(events(&show(&sandbox, &id)).len(), 1);

    sandbox.ok(&["complaint", "ack", &id]);
    sandbox.ok(&["complaint", "propose", &id, "--text", "x"]);
    sandbox.ok(&["complaint", "resolve", &id, "--text", "y"]);
    for (csat, words) in [("7", "1 to 5"), ("0", "1 to 5"), ("great", "'great'")] {
        let stderr = sandbox.fails(&["complaint", "follow-up", &id, "--csat", csat, "--satisfied"]);
        one_line_error(&stderr);
        assert!(stderr.contains("--csat"), "{stderr}");
        assert!(stderr.contains(words), "{stderr}");
    }
    let stderr = sandbox.fails(&["complaint", "follow-up", &id, "--csat", "5"]);
    one_line_error(&stderr);
    assert!(
        stderr.contains("--satisfied or --not-satisfied"),
        "{stderr}"
    );

    for (args, words) in [
        (
            vec![
                "complaint",
                "compensate",
                &id,
                "--kind",
                "gold",
                "--amount",
                "1",
            ],
            "--kind",
        ),
        (
            vec![
                "complaint",
                "compensate",
                &id,
                "--kind",
                "refund",
                "--amount",
                "-5",
            ],
            "--amount: cannot be negative",
        ),
        (
            vec![
                "complaint",
                "compensate",
                &id,
                "--kind",
                "refund",
                "--amount",
                "1.5",
            ],
            "--amount",
        ),
        (
            vec!["complaint", "note", &id, "--text", "  "],
            "--text: is required",
        ),
        (vec!["complaint", "claim", "999"], "complaint 999 not found"),
        (
            vec![
                "complaint",
                "open",
                "--customer",
                &customer,
                "--title",
                "x",
                "--channel",
                "fax",
            ],
            "--channel",
        ),
        (
            vec![
                "complaint",
                "open",
                "--customer",
                &customer,
                "--title",
                " ",
                "--channel",
                "email",
            ],
            "--title: is required",
        ),
        (
            vec![
                "complaint",
                "open",
                "--customer",
                "C9999999",
                "--title",
                "x",
                "--channel",
                "email",
            ],
            "C9999999",
        ),
    ] {
        let stderr = sandbox.fails(&args);
        one_line_error(&stderr);
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }

    // Someone else's claim stands in the way of an operator's step.
    sandbox.ok(&["complaint", "reopen", &id, "--reason", "still leaks"]);
    sandbox.ok(&["complaint", "claim", &id]);
    let stderr = sandbox.fails(&[
        "--as",
        "li.na",
        "complaint",
        "escalate",
        &id,
        "--reason",
        "r",
    ]);
    one_line_error(&stderr);
    assert!(stderr.contains("claimed by someone else"), "{stderr}");
}

#[test]
fn a_letter_entered_later_counts_its_clocks_from_when_it_was_received() {
    let (sandbox, customer) = desk();
    let received = Utc::now() - Duration::days(2);
    let received = DateTime::from_timestamp(received.timestamp(), 0).expect("a time");
    let k = open(
        &sandbox,
        &customer,
        &["--channel", "email", "--at", &rfc3339(received)],
    );
    assert_eq!(time(&k["opened_at"]), received);
    assert_eq!(time(&k["ack_due_at"]), received + Duration::minutes(30));
    assert_eq!(time(&k["propose_due_at"]), received + Duration::hours(2));
    assert_eq!(time(&k["resolve_due_at"]), received + Duration::hours(72));
    // Two days on, acknowledging and proposing are overdue; resolving still runs.
    assert_eq!(clock(&k, "acknowledge")["state"], "breached");
    assert_eq!(clock(&k, "propose")["state"], "breached");
    assert_eq!(clock(&k, "resolve")["state"], "running");
    assert!(clock(&k, "acknowledge")["left_seconds"].as_i64() < Some(0));

    // Unix seconds are accepted too.
    let k = open(
        &sandbox,
        &customer,
        &[
            "--channel",
            "email",
            "--at",
            &received.timestamp().to_string(),
        ],
    );
    assert_eq!(time(&k["opened_at"]), received);

    let future = rfc3339(Utc::now() + Duration::hours(2));
    let stderr = sandbox.fails(&[
        "complaint",
        "open",
        "--customer",
        &customer,
        "--title",
        "x",
        "--channel",
        "email",
        "--at",
        &future,
    ]);
    one_line_error(&stderr);
    assert!(stderr.contains("--at: is in the future"), "{stderr}");
    let stderr = sandbox.fails(&[
        "complaint",
        "open",
        "--customer",
        &customer,
        "--title",
        "x",
        "--channel",
        "email",
        "--at",
        "last tuesday",
    ]);
    one_line_error(&stderr);
    assert!(
        stderr.contains("--at: 'last tuesday' is not a time"),
        "{stderr}"
    );
}

#[test]
fn deadlines_count_in_the_business_calendar_and_show_says_which() {
    let (sandbox, customer) = desk();
    let config = sandbox.write_file(
        "business.toml",
        b"[complaints]\nclock = \"business\"\nbusiness_hours = \"09:00-18:00\"\nholidays = \"cn\"\ntime_zone = \"+08:00\"\n",
    );
    let config = config.to_str().expect("a UTF-8 path");
    // Friday 2026-11-20 17:50 in Beijing, by email (no CN holiday until December's end).
    let out = sandbox.ok(&[
        "--config",
        config,
        "complaint",
        "open",
        "--customer",
        &customer,
        "--title",
        "late letter",
        "--channel",
        "email",
        "--at",
        "2026-11-20T17:50:00+08:00",
        "--json",
    ]);
    let k = json(&out);
    let beijing = |t: &str| time(&Value::String(t.to_string()));
    // 30 working minutes: 10 on Friday, 20 on Monday → Monday 09:20.
    assert_eq!(time(&k["ack_due_at"]), beijing("2026-11-23T09:20:00+08:00"));
    // 2 h: 10 min on Friday, 1 h 50 on Monday → 10:50.
    assert_eq!(
        time(&k["propose_due_at"]),
        beijing("2026-11-23T10:50:00+08:00")
    );
    // 72 h of 9-hour days: 10 min on Friday, 7 full days (Mon 23 … Tue 1 Dec, 63 h), then
    // 8 h 50 on Wednesday 2 December → 17:50.
    assert_eq!(
        time(&k["resolve_due_at"]),
        beijing("2026-12-02T17:50:00+08:00")
    );
    let calendar = k["calendar"].as_str().expect("the calendar used");
    assert!(
        calendar.contains("business hours 09:00–18:00 Mon–Fri"),
        "{calendar}"
    );
    assert!(calendar.contains("CN statutory holidays"), "{calendar}");
    let id = id_of(&k);
    let text = sandbox.ok(&["--config", config, "complaint", "show", &id]);
    assert!(text.contains(&format!("calendar     {calendar}")), "{text}");
    assert!(text.contains("due 2026-11-23 09:20"), "{text}");

    // A time typed without an offset is the centre's (+08:00), not this machine's: run in a
    // zone five and a half hours off, the same letter gets the same deadlines.
    let out = sandbox
        .command()
        .env("TZ", "Asia/Kolkata")
        .args([
            "--config",
            config,
            "complaint",
            "open",
            "--customer",
            &customer,
            "--title",
            "late letter, typed as read",
            "--channel",
            "email",
            "--at",
            "2026-11-20 17:50",
            "--json",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let typed = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        time(&typed["opened_at"]),
        beijing("2026-11-20T17:50:00+08:00")
    );
    assert_eq!(
        time(&typed["ack_due_at"]),
        beijing("2026-11-23T09:20:00+08:00")
    );
}

#[test]
fn the_open_queue_lists_the_nearest_deadline_first() {
    let (sandbox, customer) = desk();
    let now = Utc::now();
    // A: by email now, acknowledge due in 30 min.
    let a = id_of(&open(&sandbox, &customer, &["--channel", "email"]));
    // B: by email an hour ago, acknowledge overdue by 30 min.
    let b = id_of(&open(
        &sandbox,
        &customer,
        &[
            "--channel",
            "email",
            "--at",
            &rfc3339(now - Duration::hours(1)),
        ],
    ));
    // C: critical on the phone now: acknowledged; propose due in 2 h.
    let c = id_of(&open(
        &sandbox,
        &customer,
        &["--channel", "phone_in", "--severity", "critical"],
    ));
    // D: proposed, then waiting on the customer: no clock runs, so it comes last.
    let d = id_of(&open(&sandbox, &customer, &["--channel", "phone_in"]));
    sandbox.ok(&["complaint", "propose", &d, "--text", "a refund"]);
    sandbox.ok(&[
        "complaint",
        "wait",
        &d,
        "--reason",
        "customer sends the receipt",
    ]);
    // E: merged into A, so no longer open.
    let e = id_of(&open(&sandbox, &customer, &["--channel", "email"]));
    sandbox.ok(&["complaint", "merge", &e, "--into", &a]);

    let queue = json(&sandbox.ok(&["complaint", "list", "--open", "--json"]));
    let ids: Vec<String> = queue
        .as_array()
        .expect("an array")
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(ids, vec![b.clone(), a.clone(), c.clone(), d.clone()]);
    assert_eq!(queue[0]["next_clock"], "acknowledge");
    assert_eq!(clock(&queue[0], "acknowledge")["state"], "breached");
    assert_eq!(clock(&queue[1], "acknowledge")["state"], "running");
    assert_eq!(queue[2]["next_clock"], "propose");
    assert_eq!(queue[3]["status"], "waiting");
    assert_eq!(clock(&queue[3], "resolve")["paused"], true);

    // Filters.
    let waiting = json(&sandbox.ok(&["complaint", "list", "--open", "--waiting", "--json"]));
    assert_eq!(waiting.as_array().map(Vec::len), Some(1));
    let breached = json(&sandbox.ok(&["complaint", "list", "--open", "--breached", "--json"]));
    assert_eq!(
        breached
            .as_array()
            .map(|v| v.iter().map(id_of).collect::<Vec<_>>()),
        Some(vec![b.clone()])
    );
    let unassigned = json(&sandbox.ok(&["complaint", "list", "--open", "--unassigned", "--json"]));
    assert_eq!(
        unassigned
            .as_array()
            .map(|v| v.iter().map(id_of).collect::<Vec<_>>()),
        Some(vec![b.clone(), a.clone()])
    );
    // Every complaint, newest first, without --open; E is merged into A.
    let all = json(&sandbox.ok(&["complaint", "list", "--json"]));
    assert_eq!(all.as_array().map(Vec::len), Some(5));
    let merged = show(&sandbox, &a);
    assert_eq!(merged["merged_from"][0].as_i64(), e.parse().ok());
    assert_eq!(show(&sandbox, &e)["status"], "merged");

    // The human list says time left or overdue, in the same order.
    let text = sandbox.ok(&["complaint", "list", "--open"]);
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].trim_start().starts_with(&b), "{text}");
    assert!(lines[0].contains("acknowledge overdue"), "{text}");
    assert!(
        lines[1].contains("acknowledge") && lines[1].ends_with("left"),
        "{text}"
    );
    assert!(lines[3].contains("resolve paused"), "{text}");
}

/// Starts the binary without waiting for it.
fn spawn(sandbox: &Sandbox, args: &[&str]) -> Child {
    sandbox
        .command()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

fn finish(child: Child) -> Output {
    child.wait_with_output().expect("the binary ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn of_two_processes_claiming_at_once_exactly_one_wins_200_times() {
    const ROUNDS: usize = 200;
    let (sandbox, customer) = desk();
    // 200 complaints by email (nobody holds them), opened through the store to keep this
    // test's time for the race itself.
    let ids: Vec<i64> = {
        let mut store = sandbox.store();
        let admin = store.actor(&login(), None).expect("the admin");
        let customer_id = store.resolve_customer(&customer).expect("the customer");
        (0..ROUNDS)
            .map(|i| {
                let new = NewComplaint {
                    category: Category::Delivery,
                    severity: Severity::Normal,
                    title: format!("parcel {i} lost"),
                    description: None,
                    channel: Channel::Email,
                };
                store
                    .open_complaint(&admin, customer_id, &new, None)
                    .expect("opened")
                    .id
            })
            .collect()
    };
    let me = login();
    let admin_holder = format!("Test Admin ({me})");
    let lina_holder = "李娜 (li.na)".to_string();
    let mut wins = [0usize; 2];
    for id in &ids {
        let id = id.to_string();
        let mine = spawn(&sandbox, &["complaint", "claim", &id]);
        let hers = spawn(&sandbox, &["--as", "li.na", "complaint", "claim", &id]);
        let (mine, hers) = (finish(mine), finish(hers));
        let (winner, loser, winner_holder) = match (mine.status.success(), hers.status.success()) {
            (true, false) => {
                wins[0] += 1;
                (&mine, &hers, &admin_holder)
            }
            (false, true) => {
                wins[1] += 1;
                (&hers, &mine, &lina_holder)
            }
            (a, b) => panic!(
                "complaint {id}: admin won {a}, li.na won {b}\n{}\n{}",
                text(&mine.stderr),
                text(&hers.stderr)
            ),
        };
        assert!(text(&winner.stderr).is_empty(), "{}", text(&winner.stderr));
        assert_eq!(loser.status.code(), Some(1));
        let stderr = text(&loser.stderr);
        one_line_error(&stderr);
        assert!(
            stderr.contains(&format!(
                "complaint {id} is already claimed by {winner_holder} since"
            )),
            "{stderr}"
        );
    }
    assert_eq!(wins[0] + wins[1], ROUNDS);
    eprintln!("claims won: admin {}, li.na {}", wins[0], wins[1]);

    // The database agrees: each complaint has one claim event, by its assignee.
    let store = sandbox.store();
    let admin = store.actor(&login(), None).expect("the admin");
    for id in ids {
        let detail = store.complaint_detail(&admin, id).expect("the complaint");
        let claims: Vec<&str> = detail
            .events
            .iter()
            .filter(|e| e.kind == "claim")
            .map(|e| e.operator.as_str())
            .collect();
        assert_eq!(claims.len(), 1, "complaint {id}: {claims:?}");
        assert_eq!(Some(claims[0]), detail.complaint.assignee.as_deref());
    }
}

/// A config file that turns automatic escalation on.
fn auto_escalate(sandbox: &Sandbox) -> PathBuf {
    sandbox.write_file("auto.toml", b"[complaints]\nauto_escalate = true\n")
}

#[test]
fn three_processes_sweeping_at_once_escalate_each_breached_clock_once() {
    let (sandbox, customer) = desk();
    let config = auto_escalate(&sandbox);
    let config = config.to_str().expect("a UTF-8 path");
    let long_ago = rfc3339(Utc::now() - Duration::days(30));
    // (complaint, clocks breached): by email all three clocks; on the phone acknowledging is
    // met at once, so two. Opened without the config, so that nothing sweeps them yet.
    let mut breached: Vec<(String, i64)> = Vec::new();
    let mut total = 0;
    for round in 0..5 {
        let mut opened = Vec::new();
        for channel in ["email", "email", "phone_in", "phone_in"] {
            let k = open(
                &sandbox,
                &customer,
                &["--channel", channel, "--at", &long_ago],
            );
            let clocks = if channel == "email" { 3 } else { 2 };
            opened.push((id_of(&k), clocks));
        }
        let expected: i64 = opened.iter().map(|(_, n)| n).sum();
        let sweeps: Vec<Child> = (0..3)
            .map(|_| {
                spawn(
                    &sandbox,
                    &["--config", config, "complaints", "sweep", "--json"],
                )
            })
            .collect();
        let mut escalated = 0;
        for sweep in sweeps {
            let out = finish(sweep);
            assert!(out.status.success(), "round {round}: {}", text(&out.stderr));
            assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
            escalated += json(&text(&out.stdout))["escalated"]
                .as_i64()
                .expect("a count");
        }
        assert_eq!(escalated, expected, "round {round}");
        total += escalated;
        breached.extend(opened);
    }
    // A later sweep finds nothing more.
    let again = json(&sandbox.ok(&["--config", config, "complaints", "sweep", "--json"]));
    assert_eq!(again["escalated"], 0);
    assert_eq!(total, 5 * (3 + 3 + 2 + 2));

    for (id, clocks) in breached {
        let detail = show(&sandbox, &id);
        let auto: Vec<(String, String, String)> = events(&detail)
            .into_iter()
            .filter(|(kind, _, _)| kind == "auto_escalate")
            .collect();
        assert_eq!(auto.len() as i64, clocks, "complaint {id}: {auto:?}");
        assert!(auto.iter().all(|(_, _, by)| by == "system"), "{auto:?}");
        assert_eq!(detail["escalation_level"], clocks, "complaint {id}");
    }
}

#[test]
fn any_complaint_command_escalates_what_breached_first() {
    let (sandbox, customer) = desk();
    let config = auto_escalate(&sandbox);
    let config = config.to_str().expect("a UTF-8 path");
    let id = id_of(&open(
        &sandbox,
        &customer,
        &[
            "--channel",
            "phone_in",
            "--at",
            &rfc3339(Utc::now() - Duration::days(10)),
        ],
    ));
    let out = sandbox.run(&["--config", config, "complaint", "list", "--open", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("2 breached clock(s) escalated"), "{stderr}");
    let queue = json(&text(&out.stdout));
    assert_eq!(queue[0]["escalation_level"], 2);
    assert_eq!(queue[0]["status"], "escalated");
    // Without auto_escalate the sweep says so and does nothing.
    let said = sandbox.ok(&["complaints", "sweep"]);
    assert!(said.contains("automatic escalation is off"), "{said}");
    assert_eq!(show(&sandbox, &id)["escalation_level"], 2);
}

#[test]
fn supervisors_export_complaints_as_csv_or_json() {
    let (sandbox, customer) = desk();
    let a = id_of(&open(&sandbox, &customer, &["--channel", "email"]));
    let b = id_of(&open(&sandbox, &customer, &["--channel", "phone-in"]));
    sandbox.ok(&["complaint", "propose", &b, "--text", "=HYPERLINK(\"x\")"]);

    let stderr = sandbox.fails(&["--as", "li.na", "export", "complaints"]);
    one_line_error(&stderr);
    assert!(stderr.contains("export complaints"), "{stderr}");

    let csv = sandbox.ok(&["export", "complaints", "--format", "csv"]);
    let mut lines = csv.lines();
    let header = lines.next().expect("a header");
    assert!(
        header.starts_with("id,customer,customer_name,tier,category,severity,status,title"),
        "{header}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[0].starts_with(&format!("{a},{customer},王芳,")),
        "{csv}"
    );
    assert!(rows[1].contains(",solution_proposed,"), "{csv}");

    let all = json(&sandbox.ok(&["export", "complaints", "--format", "json"]));
    let all = all.as_array().expect("an array");
    assert_eq!(all.len(), 2);
    assert_eq!(all[1]["status"], "solution_proposed");
    assert_eq!(all[1]["acknowledge_clock"], "met");
    assert_eq!(all[0]["acknowledge_clock"], "running");
    assert_eq!(all[0]["calendar"], "24×7");
}

#[test]
fn a_wait_pauses_the_resolution_clock_and_resume_moves_it_on() {
    let (sandbox, customer) = desk();
    let id = id_of(&open(&sandbox, &customer, &["--channel", "phone_in"]));
    let waited = json(&sandbox.ok(&[
        "complaint",
        "wait",
        &id,
        "--reason",
        "waiting for the courier",
        "--json",
    ]));
    let k = &waited["complaint"];
    assert_eq!(k["status"], "waiting");
    assert_eq!(k["waiting_reason"], "waiting for the courier");
    assert_eq!(clock(k, "resolve")["paused"], true);
    let text = sandbox.ok(&["complaint", "show", &id]);
    assert!(text.contains("paused while waiting"), "{text}");
    // The export says so too: neither running nor breached while it waits.
    let exported = json(&sandbox.ok(&["export", "complaints", "--format", "json"]));
    let row = exported
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|r| r["id"].as_i64().map(|n| n.to_string()).as_deref() == Some(id.as_str()))
        })
        .cloned()
        .expect("the complaint exported");
    assert_eq!(row["resolve_clock"], "paused", "{row}");
    // (Waiting acknowledged it; proposing still runs.)
    assert_eq!(row["acknowledge_clock"], "met", "{row}");
    assert_eq!(row["propose_clock"], "running", "{row}");
    let resumed = json(&sandbox.ok(&["complaint", "resume", &id, "--json"]));
    assert_eq!(resumed["complaint"]["status"], "acknowledged");
    assert_eq!(clock(&resumed["complaint"], "resolve")["paused"], false);
    let detail = show(&sandbox, &id);
    let kinds: Vec<String> = events(&detail).into_iter().map(|e| e.0).collect();
    assert_eq!(kinds, ["opened", "wait", "resume"]);
    // An internal note never counts as contact; one sent to the customer does.
    sandbox.ok(&["complaint", "note", &id, "--text", "called the courier"]);
    sandbox.ok(&[
        "complaint",
        "note",
        &id,
        "--text",
        "told her",
        "--to-customer",
    ]);
    let detail = show(&sandbox, &id);
    let contact: Vec<bool> = detail["events"]
        .as_array()
        .expect("events")
        .iter()
        .skip(3)
        .map(|e| e["customer_contact"].as_bool().unwrap_or_default())
        .collect();
    assert_eq!(contact, [false, true]);
}
