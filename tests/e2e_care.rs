//! End to end, a care shift through the real `careline` binary in a pseudo-terminal at 80×24
//! (issue 14): the screen makes today's reminders as it starts (on a thread of its own), the
//! Care tab lists them, and three are worked from the keyboard — one done by the contact
//! logged for it, one snoozed to tomorrow, one skipped with a reason — then read back with
//! `careline reminder show --json` and `careline reminder list --json`.

mod common;

use std::time::{Duration, Instant};

use serde_json::Value;

use common::pty::{keys, Desk};

/// The reminders to work, in the Care pane's order, as `careline reminder list --json` gives
/// them.
fn to_do(desk: &Desk) -> Vec<Value> {
    match desk.json(&["reminder", "list", "--limit", "500", "--json"]) {
        Value::Array(rows) => rows,
        other => panic!("not a list: {other}"),
    }
}

fn show(desk: &Desk, id: i64) -> Value {
    desk.json(&["reminder", "show", &id.to_string(), "--json"])
}

/// Waits until reminder `id` has `status` (the screen writes on its own connection).
fn wait_status(desk: &Desk, id: i64, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = show(desk, id);
        if r["status"] == status {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "reminder {id} never {status}: {r}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_care_shift_works_three_reminders_from_the_keyboard() {
    let desk = Desk::new();
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    // Today's reminders are made once the screen has started; the pane shows them once made.
    let deadline = Instant::now() + Duration::from_secs(30);
    while to_do(&desk).len() < 3 {
        assert!(Instant::now() < deadline, "the screen made no reminders");
        std::thread::sleep(Duration::from_millis(200));
    }
    screen.send(keys::F4);
    let rows = to_do(&desk);
    screen.wait_for("Care (");
    let id = |n: usize| {
        rows[n]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{}", rows[n]))
    };

    // The first: Enter, the contact form with the reminder linked; "Follow-up done" (f),
    // saved: the reminder is done, linked to the contact.
    screen.wait_for(&format!("#{} ", id(0)));
    screen.send(keys::ENTER);
    screen.wait_for("Log contact");
    screen.send("f");
    screen.send(keys::CTRL_S);
    let done = wait_status(&desk, id(0), "done");
    assert!(done["done_interaction_id"].as_i64().is_some(), "{done}");

    // Back to the list: the next is now first. z, tomorrow (the form's +1d), saved.
    screen.send(keys::F4);
    screen.wait_for(&format!("#{} ", id(1)));
    screen.send("z");
    screen.wait_for("Snooze until");
    screen.send(keys::CTRL_S);
    let snoozed = wait_status(&desk, id(1), "snoozed");
    let tomorrow = chrono::Local::now().date_naive() + chrono::Days::new(1);
    assert_eq!(snoozed["snoozed_until"], tomorrow.to_string(), "{snoozed}");

    // The place stays: the third is selected now. s: nothing is chosen for the operator;
    // → the first reason (customer declined).
    screen.wait_for(&format!("#{} ", id(2)));
    screen.send("s");
    screen.wait_for("Reason");
    screen.send(keys::CTRL_S);
    screen.wait_for("choose a reason or type one");
    screen.send(keys::RIGHT);
    screen.send(keys::CTRL_S);
    let skipped = wait_status(&desk, id(2), "skipped");
    assert_eq!(skipped["skip_reason"], "declined", "{skipped}");

    // Still to do: the snoozed one (on tomorrow), not the done or skipped ones.
    let now: Vec<i64> = to_do(&desk)
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .collect();
    assert!(now.contains(&id(1)));
    assert!(!now.contains(&id(0)) && !now.contains(&id(2)));
    screen.send("q");
    screen.wait_exit();
}
