//! End to end, a complaint's whole life through the real `careline` binary in a pseudo-terminal
//! at 80×24 (issue 13): opened from the customer's card, found in the Complaints tab, claimed,
//! escalated, compensated, proposed, resolved and followed up until it closes, then read back
//! with `careline complaint show --json`; the same screens in Chinese; and a complaint opened
//! by another process appearing on a running screen without a key press.

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, Days, Local, Utc};
use serde_json::Value;

use careline::domain::complaint::Status;
use careline::domain::complaint_step::Step;
use careline::domain::contact::{ContactKind, PhoneKind};

use common::pty::{keys, Desk, Screen};

/// A customer of the demo desk to work with, as (code, name, the last four digits of a mobile
/// number): the first, customer by customer, whose four digits end no other number of the desk
/// (so that typing them finds only this customer), whose name fits the queue's customer column
/// (ten cells) and who has no open complaint yet.
fn a_caller(desk: &Desk) -> (String, String, String) {
    let customers = desk.customers();
    let open = queue(desk);
    let phones: Vec<String> = customers
        .iter()
        .flat_map(|c| c.contacts_normalized.iter())
        .filter(|k| k.kind == ContactKind::Phone)
        .map(|k| k.normalized.clone())
        .collect();
    customers
        .iter()
        .filter(|c| c.merged_into.is_none() && !c.restricted)
        .filter(|c| unicode_width::UnicodeWidthStr::width(c.fields.name.as_str()) <= 10)
        .filter(|c| !open.iter().any(|k| k["customer_code"] == c.code.as_str()))
        .find_map(|c| {
            c.contacts_normalized
                .iter()
                .filter(|k| k.kind == ContactKind::Phone && k.phone_kind == Some(PhoneKind::Mobile))
                .map(|k| k.normalized[k.normalized.len() - 4..].to_string())
                .find(|digits| {
                    phones
                        .iter()
                        .filter(|p| p.ends_with(digits.as_str()))
                        .count()
                        == 1
                })
                .map(|digits| (c.code.clone(), c.fields.name.clone(), digits))
        })
        .expect("a customer to work with")
}

/// The open complaints in queue order, as `careline complaint list --open --json` gives them.
fn queue(desk: &Desk) -> Vec<Value> {
    match desk.json(&["complaint", "list", "--open", "--json"]) {
        Value::Array(rows) => rows,
        other => panic!("the queue is not a list: {other}"),
    }
}

/// The customer's newest complaint of this title, by the command line.
fn complaint_titled(desk: &Desk, code: &str, title: &str) -> Value {
    let list = desk.json(&["complaint", "list", "--customer", code, "--json"]);
    list.as_array()
        .into_iter()
        .flatten()
        .find(|k| k["title"] == title)
        .cloned()
        .unwrap_or_else(|| panic!("no complaint titled {title:?} for {code}: {list}"))
}

fn id_of(k: &Value) -> i64 {
    k["id"].as_i64().unwrap_or_else(|| panic!("no id: {k}"))
}

/// Opens the card of the customer whose number ends in `digits`: typed in the search box, the
/// first match opened with Enter.
fn open_card(screen: &mut Screen, digits: &str, name: &str, search: &str, card: &str) {
    screen.wait_for(search);
    screen.send(digits);
    screen.wait_for(name);
    screen.send(keys::ENTER);
    screen.wait_for(card);
}

/// In the Complaints tab, moves the selection down to complaint `id` (where the command line's
/// queue has it) and opens it with Enter; the complaint shown in full starts `#ID NAME`.
fn open_in_queue(desk: &Desk, screen: &mut Screen, id: i64, name: &str) {
    let at = queue(desk)
        .iter()
        .position(|k| id_of(k) == id)
        .unwrap_or_else(|| panic!("complaint {id} is not in the open queue"));
    for _ in 0..at {
        screen.send(keys::DOWN);
    }
    screen.send(keys::ENTER);
    screen.wait_for(&format!("#{id} {name}"));
}

/// Chooses the step `label` on the complaint's steps line (which starts with `steps`): → until
/// the step drawn in reverse video is that one.
fn choose_step(screen: &mut Screen, steps: &str, label: &str) {
    screen.wait_for(steps);
    let mut chosen = Vec::new();
    for _ in 0..12 {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let row = screen.row_with(steps);
            chosen = row.map(|r| screen.reversed_on_row(r)).unwrap_or_default();
            if !chosen.is_empty() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if chosen.iter().any(|c| c == label) {
            return;
        }
        let before = chosen.clone();
        screen.send(keys::RIGHT);
        // Wait for the frame that moved the choice.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let now = screen
                .row_with(steps)
                .map(|r| screen.reversed_on_row(r))
                .unwrap_or_default();
            if now != before {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!(
        "the step {label:?} was never chosen (last chosen {chosen:?}); the screen shows:\n{}",
        screen.text()
    );
}

fn time(k: &Value, field: &str) -> DateTime<Utc> {
    k[field]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("{field} is not a time: {k}"))
}

#[test]
fn a_complaint_from_the_card_is_claimed_escalated_compensated_resolved_and_closed() {
    let desk = Desk::new();
    let me = common::login();
    let (code, name, digits) = a_caller(&desk);
    let title = "Washer delivered in the wrong model";
    let mut screen = desk.screen("en");

    // From the card, `c`: the new complaint's form with the customer prefilled. Delivery,
    // high, received by email (so it waits unclaimed, not taken in person), a title and a
    // description.
    open_card(&mut screen, &digits, &name, "Search", "History (");
    screen.send("c");
    screen.wait_for("New complaint");
    screen.wait_for(&code);
    screen.send("d"); // category by its first letter: delivery
    screen.send(keys::TAB);
    screen.send("h"); // severity: high
    screen.send(keys::TAB);
    screen.send("e"); // channel: email
    screen.send(keys::TAB);
    screen.send(title);
    screen.send(keys::TAB);
    screen.send("Ordered WM-80, got WM-60");
    screen.send(keys::CTRL_S);
    let opened_text = screen.wait_for("opened for");
    let k = complaint_titled(&desk, &code, title);
    let id = id_of(&k);
    assert!(
        opened_text.contains(&format!("Complaint #{id} opened for {code} {name} (new).")),
        "{opened_text}"
    );
    assert_eq!(k["category"], "delivery", "{k}");
    assert_eq!(k["severity"], "high", "{k}");
    assert_eq!(k["channel"], "email", "{k}");
    assert_eq!(k["status"], "new", "{k}");
    assert!(k["assignee"].is_null(), "{k}");

    // F3: the Complaints tab; the complaint is in the queue; Enter shows it with its steps.
    screen.send(keys::F3);
    let open_count = queue(&desk).len();
    screen.wait_for(&format!("Complaints ({open_count})"));
    open_in_queue(&desk, &mut screen, id, &name);
    screen.wait_for(title);
    screen.wait_for("unassigned");

    // Acknowledged first (contact with the customer: the screen offers it first for a new
    // complaint), then a: claimed, which puts it in progress.
    choose_step(&mut screen, "Steps:", "acknowledge");
    screen.send(keys::ENTER);
    screen.wait_for(&format!("Complaint #{id}: now acknowledged."));
    screen.send("a");
    screen.wait_for(&format!("Complaint #{id}: now in progress."));
    screen.wait_for(&format!("({me})"));

    // x: asked first, then the reason.
    screen.send("x");
    screen.wait_for(&format!(
        "Escalate complaint #{id} to level 1 (specialist)? y yes · n no"
    ));
    screen.send("y");
    screen.wait_for("Escalates to level 1 (specialist).");
    screen.send("Customer threatens to return the whole order");
    screen.send(keys::CTRL_S);
    screen.wait_for(&format!("Complaint #{id}: now at level 1 (specialist)."));

    // A compensation: a ¥50.00 voucher (the amount typed in yuan), with a note.
    choose_step(&mut screen, "Steps:", "compensate");
    screen.send(keys::ENTER);
    screen.wait_for("Compensation");
    screen.send("v"); // kind: voucher
    screen.send(keys::TAB);
    screen.send("50");
    screen.send(keys::TAB);
    screen.send("for the wait");
    screen.send(keys::CTRL_S);
    screen.wait_for(&format!("Complaint #{id}: compensate done."));

    // A solution proposed, then resolved (asked first).
    choose_step(&mut screen, "Steps:", "propose solution");
    screen.send(keys::ENTER);
    screen.send("Exchange for WM-80 on Friday");
    screen.send(keys::CTRL_S);
    screen.wait_for(&format!("Complaint #{id}: now solution proposed."));
    // The solution proposed, resolving it is the first step offered.
    choose_step(&mut screen, "Steps:", "resolve");
    screen.send(keys::ENTER);
    screen.wait_for(&format!("Complaint #{id}: resolve? y yes · n no"));
    screen.send("y");
    screen.send("WM-80 delivered and installed");
    screen.send(keys::CTRL_S);
    // The message line adds the follow-up reminder after the sentence.
    screen.wait_for(&format!(
        "Complaint #{id}: now resolved · a follow-up reminder was created"
    ));
    let reminder = desk.json(&["complaint", "show", &id.to_string(), "--json"]);
    assert_eq!(reminder["follow_up"]["status"], "open", "{reminder}");

    // The follow-up: nothing chosen for the customer; CSAT 4 (four → from "(choose)"), a
    // comment, satisfied (one →): closed.
    choose_step(&mut screen, "Steps:", "follow-up");
    screen.send(keys::ENTER);
    screen.wait_for("Satisfaction 1–5");
    for _ in 0..4 {
        screen.send(keys::RIGHT);
    }
    screen.send(keys::TAB);
    screen.send("happy with the exchange");
    screen.send(keys::TAB);
    screen.send(keys::RIGHT);
    screen.send(keys::CTRL_S);
    screen.wait_for(&format!("Complaint #{id}: now closed."));
    screen.wait_for("none: it is closed");
    screen.send(keys::CTRL_C);
    screen.wait_exit();

    // Its whole history from the command line, oldest first.
    let shown = desk.json(&["complaint", "show", &id.to_string(), "--json"]);
    assert_eq!(shown["status"], "closed", "{shown}");
    assert_eq!(shown["assignee"], me.as_str(), "{shown}");
    assert_eq!(shown["opened_by"], me.as_str(), "{shown}");
    assert_eq!(shown["escalation_level"], 1, "{shown}");
    assert_eq!(shown["csat"], 4, "{shown}");
    let events = shown["events"].as_array().cloned().unwrap_or_default();
    let steps: Vec<(&str, Option<&str>, Option<&str>)> = events
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or("?"),
                e["from_status"].as_str(),
                e["to_status"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("opened", None, Some("new")),
            ("acknowledge", Some("new"), Some("acknowledged")),
            ("claim", Some("acknowledged"), Some("in_progress")),
            ("escalate", Some("in_progress"), Some("escalated")),
            ("compensate", Some("escalated"), Some("escalated")),
            ("propose", Some("escalated"), Some("solution_proposed")),
            ("resolve", Some("solution_proposed"), Some("resolved")),
            ("follow_up", Some("resolved"), Some("closed")),
        ],
        "{shown}"
    );
    for e in &events {
        assert_eq!(e["operator"], me.as_str(), "{e}");
        assert_eq!(e["complaint_id"], id, "{e}");
    }
    let texts: Vec<Option<&str>> = events.iter().map(|e| e["text"].as_str()).collect();
    assert_eq!(texts[0], Some(title));
    assert_eq!(
        texts[3],
        Some("Customer threatens to return the whole order")
    );
    assert_eq!(texts[5], Some("Exchange for WM-80 on Friday"));
    assert_eq!(texts[6], Some("WM-80 delivered and installed"));
    let at: Vec<DateTime<Utc>> = events.iter().map(|e| time(e, "at")).collect();
    assert!(at.windows(2).all(|w| w[0] <= w[1]), "oldest first: {at:?}");

    let compensations = shown["compensations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(compensations.len(), 1, "{shown}");
    assert_eq!(compensations[0]["kind"], "voucher");
    assert_eq!(compensations[0]["amount"], 5000, "¥50.00 in fen");
    assert_eq!(compensations[0]["note"], "for the wait");
    assert_eq!(compensations[0]["operator"], me.as_str());

    // The follow-up reminder the resolution created, due three days later, done.
    let resolved = time(&shown, "resolved_at")
        .with_timezone(&Local)
        .date_naive();
    let due = resolved
        .checked_add_days(Days::new(3))
        .expect("a date")
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(shown["follow_up"]["due_on"], due.as_str(), "{shown}");
    assert_eq!(shown["follow_up"]["status"], "done", "{shown}");
    // The three clocks met, on time (the whole flow took well under the 30 minutes the
    // acknowledgement allows), when the steps that meet them were taken.
    let clocks = shown["clocks"].as_array().cloned().unwrap_or_default();
    for (name, met_by) in [
        ("acknowledge", "acknowledged_at"),
        ("propose", "proposed_at"),
        ("resolve", "resolved_at"),
    ] {
        let clock = clocks
            .iter()
            .find(|c| c["clock"] == name)
            .unwrap_or_else(|| panic!("no {name} clock: {shown}"));
        assert_eq!(clock["state"], "met", "{name}: {shown}");
        assert_eq!(clock["on_time"], true, "{name}: {shown}");
        assert_eq!(clock["met_at"], shown[met_by], "{name}: {shown}");
    }
}

#[test]
fn the_queue_a_claim_and_an_escalation_in_chinese() {
    let desk = Desk::new();
    let me = common::login();
    let (code, name, digits) = a_caller(&desk);
    let title = "洗衣机型号送错";
    let mut screen = desk.screen("zh-CN");

    // The card in Chinese, `c`: 新建投诉; received by email.
    open_card(&mut screen, &digits, &name, "搜索", "最近记录");
    screen.send("c");
    screen.wait_for("新建投诉");
    screen.send(keys::TAB);
    screen.send(keys::TAB);
    screen.send("e"); // channel: email
    screen.send(keys::TAB);
    screen.send(title);
    screen.send(keys::CTRL_S);
    screen.wait_for("立投诉");
    let k = complaint_titled(&desk, &code, title);
    let id = id_of(&k);
    screen.wait_for(&format!("已为 {code} {name} 立投诉 #{id}（新建）。"));

    // The queue with its Chinese title and header.
    screen.send(keys::F3);
    let open_count = queue(&desk).len();
    let shown = screen.wait_for(&format!("投诉（{open_count}）"));
    let header = screen
        .row_with("处理人")
        .map(|r| {
            screen
                .text()
                .lines()
                .nth(r as usize)
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_else(|| panic!("no Chinese header:\n{shown}"));
    for column in [
        "客户",
        "层级",
        "类别",
        "严重",
        "状态",
        "处理人",
        "级",
        "下一时限",
    ] {
        assert!(header.contains(column), "{column} not in {header:?}");
    }

    // Enter shows it; acknowledged, claimed and escalated, each said in Chinese.
    open_in_queue(&desk, &mut screen, id, &name);
    choose_step(&mut screen, "步骤：", "受理");
    screen.send(keys::ENTER);
    screen.wait_for(&format!("投诉 #{id} 现为已受理。"));
    screen.send("a");
    screen.wait_for(&format!("投诉 #{id} 现为处理中。"));
    screen.send("x");
    screen.wait_for(&format!("将投诉 #{id} 升级到第 1 级（专员）？y 是 · n 否"));
    screen.send("y");
    screen.wait_for("升级到第 1 级（专员）。");
    screen.send("客户要求主管回电");
    screen.send(keys::CTRL_S);
    screen.wait_for(&format!("投诉 #{id} 已升级到第 1 级（专员）。"));
    screen.send(keys::CTRL_C);
    screen.wait_exit();

    let shown = desk.json(&["complaint", "show", &id.to_string(), "--json"]);
    assert_eq!(shown["assignee"], me.as_str(), "{shown}");
    let kinds: Vec<&str> = shown["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["opened", "acknowledge", "claim", "escalate"],
        "{shown}"
    );
    assert_eq!(shown["status"], "escalated", "{shown}");
    assert_eq!(shown["escalation_level"], 1, "{shown}");
}

#[test]
fn a_complaint_opened_elsewhere_appears_in_the_open_queue_without_a_key() {
    let desk = Desk::new();
    let (code, name, _) = a_caller(&desk);
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    screen.send(keys::F3);
    let before = queue(&desk).len();
    screen.wait_for(&format!("Complaints ({before})"));
    assert!(
        screen.row_with(&name).is_none(),
        "{name} already in the queue:\n{}",
        screen.text()
    );

    // Another process (a PBX script, another operator's command line) opens one.
    desk.cli(&[
        "complaint",
        "open",
        "--customer",
        &code,
        "--channel",
        "email",
        "--title",
        "Refund not received",
    ]);
    let written = Instant::now();
    screen.wait_for_within(
        &format!("Complaints ({})", before + 1),
        Duration::from_secs(3),
    );
    let seen = written.elapsed();
    let text = screen.wait_for_within(&name, Duration::from_secs(1));
    eprintln!("the new complaint was on the screen {seen:?} after the command ended");
    assert!(
        seen <= Duration::from_secs(3),
        "it took {seen:?} to appear:\n{text}"
    );
    screen.send(keys::CTRL_C);
    screen.wait_exit();
}

/// At 80×24 the steps line may be wider than the screen: the chosen step is always drawn
/// (the line scrolls, with ‹ › saying more lie to either side), so that the operator sees what
/// Enter will do, for every step a complaint with a proposed solution allows.
#[test]
fn every_step_a_complaint_allows_can_be_seen_chosen_at_80_columns() {
    let desk = Desk::new();
    let (code, name, _) = a_caller(&desk);
    let k = desk.json(&[
        "complaint",
        "open",
        "--customer",
        &code,
        "--channel",
        "email",
        "--title",
        "Steps line",
        "--json",
    ]);
    let id = id_of(&k).to_string();
    desk.cli(&["complaint", "ack", &id]);
    desk.cli(&["complaint", "propose", &id, "--text", "A new one"]);
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    screen.send(keys::F3);
    screen.wait_for("Complaints (");
    open_in_queue(&desk, &mut screen, id_of(&k), &name);
    for step in Step::allowed(Status::SolutionProposed) {
        let label = match step {
            Step::Note => "internal note",
            Step::Propose => "propose solution",
            other => other.as_str(),
        };
        choose_step(&mut screen, "Steps:", label);
    }
    screen.send(keys::CTRL_C);
    screen.wait_exit();
}

/// A complaint taken during a call (issue 13, "Working it"): a screen pop for the caller
/// opens the card (with the contact form, left with Esc: a popped call goes on), and `c` opens
/// the complaint with its defaults (on the phone). Gives the screen, the complaint as the
/// command line shows it, and when the pop was sent.
fn a_complaint_during_a_call(
    desk: &Desk,
    code: &str,
    name: &str,
    digits: &str,
    title: &str,
) -> (Screen, Value, DateTime<Utc>) {
    let national = desk
        .customers()
        .into_iter()
        .flat_map(|c| c.contacts_normalized)
        .map(|k| k.normalized)
        .find(|n| n.ends_with(digits))
        .expect("the caller's number")
        .trim_start_matches("+86")
        .to_string();
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    let rang = Utc::now();
    let out = std::process::Command::new(common::pty::BIN)
        .args(["pop", &national])
        .envs(desk.envs())
        .output()
        .expect("pop");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    screen.wait_for("Log contact");
    screen.wait_for(name);
    screen.send(keys::ESC);
    screen.wait_for("History (");
    screen.wait_for("☎");
    screen.send("c");
    screen.wait_for("New complaint");
    for _ in 0..3 {
        screen.send(keys::TAB); // category, severity and channel (on the phone) as they are
    }
    screen.send(title);
    screen.send(keys::CTRL_S);
    screen.wait_for("opened for");
    let k = complaint_titled(desk, code, title);
    screen.wait_for(&format!(
        "Complaint #{} opened for {code} {name} (acknowledged).",
        id_of(&k)
    ));
    (screen, k, rang)
}

#[test]
fn a_complaint_taken_during_a_call_is_acknowledged_and_held_from_the_call_start() {
    let desk = Desk::new();
    let me = common::login();
    let (code, name, digits) = a_caller(&desk);
    let (mut screen, k, rang) =
        a_complaint_during_a_call(&desk, &code, &name, &digits, "Fridge door seal torn");
    let id = id_of(&k);
    assert_eq!(k["channel"], "phone_in", "{k}");
    assert_eq!(k["status"], "acknowledged", "{k}");
    assert_eq!(k["assignee"], me.as_str(), "{k}");
    // Received when the call began (kept to the second), acknowledged then.
    let received = time(&k, "opened_at");
    let since_ring = received - rang;
    assert!(
        since_ring.num_seconds().abs() <= 1,
        "received {received}, the pop sent at {rang}"
    );
    assert_eq!(k["acknowledged_at"], k["opened_at"], "{k}");

    // In the queue, acknowledged, held by the operator who took it.
    screen.send(keys::F3);
    let open_count = queue(&desk).len();
    screen.wait_for(&format!("Complaints ({open_count})"));
    open_in_queue(&desk, &mut screen, id, &name);
    screen.wait_for(&format!("({me})"));
    screen.wait_for("ack        met");
    screen.send(keys::CTRL_C);
    screen.wait_exit();
}

/// A complaint opened during a call is the call's: the contact logged for the call links it
/// (the form's received time is the call's start, to the second), and the complaint gets a
/// `contact` event.
#[test]
fn the_contact_logged_for_the_call_links_the_complaint_taken_during_it() {
    let desk = Desk::new();
    let (code, name, digits) = a_caller(&desk);
    let (mut screen, k, _) =
        a_complaint_during_a_call(&desk, &code, &name, &digits, "Fridge door seal torn");
    let id = id_of(&k);
    screen.send("n");
    screen.wait_for("Log contact");
    screen.send("i"); // wrap-up code by its first letter: info given
    screen.send(keys::CTRL_S);
    screen.wait_for("Logged for");
    screen.send(keys::CTRL_C);
    screen.wait_exit();
    let list = desk.json(&["log", "list", "--json", "--limit", "1"]);
    let entry = &list[0];
    assert_eq!(entry["customer_code"], code.as_str(), "{entry}");
    assert_eq!(entry["complaint_id"], id, "{entry}");
    let shown = desk.json(&["complaint", "show", &id.to_string(), "--json"]);
    let contact = shown["events"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e["kind"] == "contact" && e["interaction_id"] == entry["id"]);
    assert!(contact, "no contact event for the call's entry: {shown}");
}
