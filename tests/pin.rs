//! The optional PIN at screen start (issue 15): set by the operator, asked on the terminal
//! before the screen opens, and five wrong ones in a row lock the operator until an admin
//! unlocks them — the real binary in a pseudo-terminal, and the store for the count.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::pty::{Desk, BIN};

/// `careline operator pin --stdin` with `pin` typed in: its exit status and standard error.
fn set_pin(desk: &Desk, pin: &str) -> (bool, String) {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(&desk.db)
        .args(["operator", "pin", "--stdin"])
        .envs(desk.envs())
        .env_remove("CARELINE_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("careline");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{pin}\n").as_bytes())
        .expect("type the PIN");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn the_screen_asks_for_the_pin_and_opens_when_it_is_right() {
    let desk = Desk::new();
    let (ok, err) = set_pin(&desk, "12");
    assert!(!ok && err.contains("pin: use 4 to 12 digits"), "{err}");
    let (ok, err) = set_pin(&desk, "2580");
    assert!(ok, "{err}");

    let mut screen = desk.screen("en");
    screen.wait_for("PIN for");
    screen.send("1111\r");
    screen.wait_for("Wrong PIN; 4 tries left before the account is locked.");
    // Typed without echo.
    assert!(!screen.text().contains("1111"));
    screen.send("2580\r");
    screen.wait_for("Search");
    screen.send("\x03"); // Ctrl-C quits
    screen.wait_exit();

    // In Chinese too.
    let mut screen = desk.screen("zh-CN");
    screen.wait_for("的 PIN 码：");
    screen.send("2580\r");
    screen.wait_for("查找");
    screen.send("\x03"); // Ctrl-C quits
    screen.wait_exit();

    let trail = desk.cli(&["audit", "list", "--action", "operator.", "--json"]);
    let trail: serde_json::Value = serde_json::from_slice(&trail.stdout).expect("JSON");
    let actions: Vec<&str> = trail
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"operator.pin_set"), "{actions:?}");
    assert!(actions.contains(&"operator.pin_wrong"), "{actions:?}");
}

#[test]
fn five_wrong_pins_lock_the_operator_until_an_admin_unlocks_them() {
    let desk = Desk::new();
    let (ok, err) = set_pin(&desk, "2580");
    assert!(ok, "{err}");
    let (mut store, me) = desk.store();
    let other = store
        .add_operator(
            &me,
            "second.admin",
            "Second Admin",
            careline::store::Role::Admin,
        )
        .expect("another admin");
    let other = store.actor(&other.login, None).expect("the other admin");
    use careline::store::PinCheck;
    for left in [4, 3, 2, 1] {
        assert_eq!(
            store.check_pin(&me, "0001").expect("check"),
            PinCheck::Wrong { left }
        );
    }
    // A right one in between starts the count again.
    assert_eq!(
        store.check_pin(&me, "2580").expect("check"),
        PinCheck::Right
    );
    for left in [4, 3, 2, 1] {
        assert_eq!(
            store.check_pin(&me, "0001").expect("check"),
            PinCheck::Wrong { left }
        );
    }
    assert_eq!(
        store.check_pin(&me, "0001").expect("check"),
        PinCheck::Locked
    );
    // Locked: neither the screen nor any command lets them in.
    let err = store.actor(&me.login, None).expect_err("locked");
    assert!(
        err.to_string().contains("is locked after 5 wrong PINs"),
        "{err}"
    );
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&desk.db)
        .args(["search", "王"])
        .envs(desk.envs())
        .env_remove("CARELINE_DB")
        .output()
        .expect("careline");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("careline operator unlock"));
    store
        .unlock_operator(&other, &me.login)
        .expect("the other admin unlocks");
    assert!(store.actor(&me.login, None).is_ok());
    assert_eq!(
        store.check_pin(&me, "0001").expect("check"),
        PinCheck::Wrong { left: 4 }
    );
}
