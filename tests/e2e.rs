//! End to end: the real `careline` binary in a pseudo-terminal at 80×24, driven by keystrokes,
//! the screen read back through a terminal emulator, and the database checked afterwards.

mod common;

use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use careline::domain::contact::{ContactKind, PhoneKind};
use careline::domain::interaction::FollowUpScope;
use careline::domain::reminder::{Kind, Status};

use common::pty::{Desk, BIN};

/// Customers (not merged away) of this name.
fn named(desk: &Desk, name: &str) -> usize {
    desk.customers()
        .iter()
        .filter(|c| c.fields.name == name && c.merged_into.is_none())
        .count()
}

/// The last four digits of the demo desk's twelfth mobile number (customer by customer, in
/// each one's order) and its holder's name.
fn a_mobile_suffix(desk: &Desk) -> (String, String) {
    let (name, e164) = desk
        .customers()
        .into_iter()
        .flat_map(|c| {
            let name = c.fields.name.clone();
            c.contacts_normalized
                .into_iter()
                .filter(|k| k.kind == ContactKind::Phone && k.phone_kind == Some(PhoneKind::Mobile))
                .map(move |k| (name.clone(), k.normalized))
        })
        .nth(11)
        .expect("a phone");
    (e164[e164.len() - 4..].to_string(), name)
}

/// The first phone number of the desk that ends with `suffix`, in E.164.
fn a_phone_ending(desk: &Desk, suffix: &str) -> String {
    desk.customers()
        .into_iter()
        .flat_map(|c| c.contacts_normalized)
        .find(|k| k.kind == ContactKind::Phone && k.normalized.ends_with(suffix))
        .map(|k| k.normalized)
        .expect("number")
}

#[test]
fn find_a_caller_open_the_card_add_a_customer_and_quit() {
    let desk = Desk::new();
    let (suffix, name) = a_mobile_suffix(&desk);
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    screen.send(&suffix);
    screen.wait_for(&name);
    screen.send("\r"); // Enter opens the first match
    screen.wait_for("History (");
    screen.wait_for(&name);
    screen.send("\x0e"); // Ctrl-N: new customer
    screen.wait_for("New customer");
    screen.send("端到端");
    screen.send("\t");
    screen.send("137 0000 1111");
    screen.send("\x13"); // Ctrl-S
    screen.wait_for("Saved");
    screen.send("q");
    screen.wait_exit();
    let saved = desk
        .customers()
        .into_iter()
        .filter(|c| {
            c.fields.name == "端到端"
                && c.contacts_normalized
                    .iter()
                    .any(|k| k.normalized == "+8613700001111")
        })
        .count();
    assert_eq!(saved, 1);
}

#[test]
fn a_killed_screen_offers_the_draft_again() {
    let desk = Desk::new();
    let mut screen = desk.screen("zh-CN");
    screen.wait_for("搜索");
    screen.send("\x0e");
    screen.wait_for("新建客户");
    screen.send("没保存的客户");
    let deadline = Instant::now() + Duration::from_secs(10);
    let (store, me) = desk.store();
    while store.drafts(&me).expect("drafts").is_empty() {
        assert!(
            Instant::now() < deadline,
            "no draft was written while typing"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    screen.kill_hard();
    assert_eq!(named(&desk, "没保存的客户"), 0);

    let mut screen = desk.screen("zh-CN");
    screen.wait_for("未保存的表单");
    screen.send("\r");
    screen.wait_for("没保存的客户");
    screen.send("\x13");
    screen.wait_for("已保存");
    screen.send("\x03"); // Ctrl-C quits
    screen.wait_exit();
    assert_eq!(named(&desk, "没保存的客户"), 1);
    assert_eq!(store.drafts(&me).expect("drafts").len(), 0);
    let check = desk.cli(&["check"]);
    assert!(String::from_utf8_lossy(&check.stdout).contains("audit chain   ok"));
}

#[test]
fn a_screen_pop_opens_the_caller_and_is_listed() {
    let desk = Desk::new();
    // Without a running screen the pop fails and says so.
    let out = Command::new(BIN)
        .args(["pop", "13700002222"])
        .envs(desk.envs())
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no careline screen is running"));

    let (suffix, name) = a_mobile_suffix(&desk);
    let e164 = a_phone_ending(&desk, &suffix);
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    let national = e164.trim_start_matches("+86").to_string();
    let pop = |number: &str| {
        Command::new(BIN)
            .args(["pop", number])
            .envs(desk.envs())
            .output()
            .expect("pop")
    };
    let out = pop(&national);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    screen.wait_for("Incoming call");
    screen.wait_for(&name);
    screen.wait_for("☎");
    // The contact form opened with the card; nothing typed, so Esc closes it, and Esc
    // again closes the card.
    screen.wait_for("Log contact");
    screen.send("\x1b");
    screen.wait_for("History (");
    screen.send("\x1b");
    // An unknown number opens the prefilled form.
    let out = pop("021-6666 7777");
    assert!(out.status.success());
    screen.wait_for("New customer");
    screen.wait_for("021-6666 7777");
    screen.send("\x1b"); // Esc: the form has only the prefilled number; it closes.
    screen.wait_for("Recent calls");
    screen.wait_for("unknown caller");
    screen.send("\x03");
    screen.wait_exit();
    let (store, me) = desk.store();
    assert_eq!(store.recent_pops(&me, 10).expect("pops").len(), 2);
}

#[test]
fn a_dropped_connection_saves_the_draft_and_restores_the_terminal() {
    let desk = Desk::new();
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    screen.send("\x0e");
    screen.wait_for("New customer");
    screen.send("Hang Up");
    // SIGHUP, as when the SSH connection drops: careline writes the draft and exits cleanly.
    if let Some(pid) = screen.child.process_id() {
        unsafe {
            libc::kill(pid as i32, libc::SIGHUP);
        }
    }
    screen.wait_exit();
    let (store, me) = desk.store();
    let drafts = store.drafts(&me).expect("drafts");
    assert_eq!(
        drafts
            .iter()
            .filter(|d| d.content.contains("Hang Up"))
            .count(),
        1
    );
    // The alternate screen was left: the emulator shows the normal screen again.
    let alternate = screen
        .parser
        .lock()
        .map(|p| p.screen().alternate_screen())
        .unwrap_or(true);
    assert!(!alternate, "the terminal was not restored");
}

#[test]
fn a_call_from_a_screen_pop_is_logged_with_a_follow_up_and_survives_a_kill() {
    let desk = Desk::new();
    let (suffix, name) = a_mobile_suffix(&desk);
    let e164 = a_phone_ending(&desk, &suffix);
    let national = e164.trim_start_matches("+86").to_string();
    let pop = |number: &str| {
        let out = Command::new(BIN)
            .args(["pop", number])
            .envs(desk.envs())
            .output()
            .expect("pop");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // Contacts are never deleted, so the highest id given is how many were logged.
    let (store, me) = desk.store();
    let before = store.highest_interaction_id().expect("contacts");

    // First call: the operator starts the summary and the terminal dies mid-sentence.
    let mut screen = desk.screen("en");
    screen.wait_for("Search");
    pop(&national);
    screen.wait_for("Log contact");
    screen.wait_for(&name);
    screen.send("c"); // wrap-up code by its first letter: callback needed
    screen.wait_for("Callback needed");
    screen.send("\t");
    screen.send("客户说洗衣机有异响");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !store
        .drafts(&me)
        .expect("drafts")
        .iter()
        .any(|d| d.form == "interaction.new")
    {
        assert!(
            Instant::now() < deadline,
            "no draft was written while typing"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    screen.kill_hard();
    assert_eq!(store.highest_interaction_id().expect("contacts"), before);

    // The next start offers the form back, with the card and the timer.
    let mut screen = desk.screen("en");
    screen.wait_for("Unsaved form");
    screen.send("\r");
    screen.wait_for("客户说洗衣机有异响");
    screen.wait_for("☎");
    // Ctrl-P: a standard phrase, found by typing, goes in at the cursor.
    screen.send("\x10");
    screen.wait_for("Standard phrases");
    screen.send("sorry for");
    screen.send("\r");
    screen.wait_for("inconvenience");
    // Saving without the follow-up the code asks for is refused in place, and the cursor
    // goes to that field.
    screen.send("\x13");
    screen.wait_for("asks for a follow-up date");
    screen.send("tomorrow 10:00");
    screen.send("\x13");
    screen.wait_for("Logged for");
    screen.wait_for("follow-up");
    screen.send("\x03");
    screen.wait_exit();

    let out = desk.cli(&["log", "list", "--json", "--limit", "1"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let entry = &list[0];
    assert_eq!(entry["disposition"], "callback_needed", "{entry}");
    assert_eq!(entry["channel"], "phone_in");
    assert_eq!(entry["customer_name"], name.as_str());
    assert!(entry["summary"]
        .as_str()
        .is_some_and(|s| s.starts_with("客户说洗衣机有异响I'm sorry for the inconvenience")));
    assert!(entry["follow_up_on"].is_string(), "{entry}");
    assert!(entry["follow_up_at"].is_string(), "the time too: {entry}");
    assert!(entry["ended_at"].is_string());
    let mine_to_do = desk
        .customers()
        .iter()
        .flat_map(|c| store.reminders_of(&me, c.id).expect("reminders"))
        .filter(|r| {
            r.kind == Kind::FollowUp && r.scope == FollowUpScope::Me && r.status == Status::Open
        })
        .count();
    assert_eq!(mine_to_do, 1);
    assert_eq!(store.drafts(&me).expect("drafts").len(), 0);
}

#[test]
fn a_hung_up_terminal_ends_the_screen_without_a_panic() {
    // The terminal goes away under a screen whose cursor is hidden (the Log pane): every
    // write then fails, and nothing may panic on the way out.
    let desk = Desk::new();
    let (mut child, master) = desk.spawn(&["--lang", "en", "--theme", "mono"]);
    let mut reader = master.try_clone_reader().expect("reader");
    let mut writer = master.take_writer().expect("writer");
    let fd = master.as_raw_fd().expect("the terminal's descriptor");
    // Read here rather than on a thread as `Desk::screen` does: hanging up closes every end of
    // the terminal, and a reader thread would keep one open. poll() keeps each read from
    // blocking past the deadline.
    let mut parser = vt100::Parser::new(24, 80, 0);
    let mut read_until = |parser: &mut vt100::Parser, needle: &str| -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut buf = [0u8; 8192];
        loop {
            let text = parser.screen().contents();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "screen never showed {needle:?}; it shows:\n{text}"
            );
            let mut ready = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd, for the length of the call.
            if unsafe { libc::poll(&mut ready, 1, 100) } > 0 {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => panic!("the terminal closed before {needle:?}:\n{text}"),
                    Ok(n) => parser.process(&buf[..n]),
                }
            }
        }
    };
    // The first frame: the lookup pane, its box and the recent calls.
    let first = read_until(&mut parser, "Recent calls");
    assert!(first.contains("Search"), "{first}");
    // F2 reaches the screen: the Log pane with the desk's latest contacts, a heading only that
    // pane draws, in the lookup pane's place.
    writer.write_all(b"\x1bOQ").expect("F2");
    writer.flush().expect("flush");
    let log_pane = read_until(&mut parser, "the desk's latest contacts");
    assert!(!log_pane.contains("Recent calls"), "{log_pane}");
    // Hang up: every end of the terminal closed, as when the SSH session drops.
    drop(reader);
    drop(writer);
    drop(master);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "careline did not end after the hang-up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(desk.home.join("data/careline/careline.log")).expect("log");
    assert!(log.contains("screen closed"), "{log}");
    assert!(!log.contains("panic"), "{log}");
}

/// An unknown `--theme` starts the screen in the default theme and says so where the operator
/// sees it: on the terminal before the screen opens (left there when it closes), and on the
/// screen's message line — not only in the log, which on a shared host operators cannot read.
#[test]
fn an_unknown_theme_is_said_on_the_terminal_and_the_screen() {
    let desk = Desk::new();
    let (mut child, master) = desk.spawn(&["--lang", "en", "--theme", "nosuch"]);
    let mut reader = master.try_clone_reader().expect("reader");
    let raw = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let feed = std::sync::Arc::clone(&raw);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut r) = feed.lock() {
                r.extend_from_slice(&buf[..n]);
            }
        }
    });
    let said = "no theme named 'nosuch'";
    let deadline = Instant::now() + Duration::from_secs(20);
    let (before_screen, screen) = loop {
        let bytes = raw.lock().map(|r| r.clone()).unwrap_or_default();
        let mut parser = vt100::Parser::new(24, 80, 0);
        parser.process(&bytes);
        let screen = parser.screen().contents();
        if screen.contains("Lookup") {
            // What was written before the screen switched to its own (alternate) buffer.
            let start = bytes
                .windows(8)
                .position(|w| w == b"\x1b[?1049h")
                .unwrap_or(bytes.len());
            break (
                String::from_utf8_lossy(&bytes[..start]).into_owned(),
                screen,
            );
        }
        assert!(
            Instant::now() < deadline,
            "the screen never opened:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        before_screen.contains(&format!("careline: warning: {said}")),
        "{before_screen:?}"
    );
    assert!(screen.contains(said), "{screen}");
    let mut writer = master.take_writer().expect("writer");
    writer.write_all(b"\x03").expect("Ctrl-C");
    writer.flush().expect("flush");
    let status = child.wait().expect("the screen ends");
    assert!(status.success(), "{status:?}");
}
