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
    // Three more wrong ones: the last try left is one try.
    for left in ["3 tries", "2 tries", "1 try"] {
        screen.send("1111\r");
        screen.wait_for(&format!(
            "Wrong PIN; {left} left before the account is locked."
        ));
    }
    assert!(!screen.text().contains("1 tries"), "{}", screen.text());
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
    // The refusal is in the trail with its reason alone, as every refusal's is (the
    // "not allowed: " the message begins with is the command line's, not the reason's).
    let refused = store
        .audit_entries(
            &other,
            &careline::store::AuditFilter {
                action: Some("refused".into()),
                login: Some(me.login.clone()),
                ..Default::default()
            },
            1,
        )
        .expect("the trail");
    let reason = refused[0].detail.as_ref().expect("a detail")["reason"]
        .as_str()
        .expect("a reason")
        .to_string();
    assert!(
        reason.starts_with(&format!("{} is locked after 5 wrong PINs", me.login)),
        "{reason}"
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

/// `careline ARGS` on `desk` in a session of its own with no controlling terminal, as `su -c`
/// starts one, while its standard input and output are still a terminal (a pseudo-terminal):
/// its exit status and standard error.
fn without_controlling_terminal(desk: &Desk, args: &[&str]) -> (bool, String) {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes the two descriptors it opens into the ints given.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "a pseudo-terminal");
    // SAFETY: both descriptors were just opened by openpty and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut command = Command::new(BIN);
    command
        .arg("--db")
        .arg(&desk.db)
        .args(args)
        .envs(desk.envs())
        .env_remove("CARELINE_DB")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::from(slave.try_clone().expect("the terminal")))
        .stdout(Stdio::from(slave))
        .stderr(Stdio::piped());
    // SAFETY: setsid is async-signal-safe; the child leaves the test's session, and so its
    // controlling terminal, before careline starts.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = command.output().expect("careline");
    drop(master);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn without_a_terminal_the_pin_is_not_asked_and_one_sentence_says_why() {
    let desk = Desk::new();
    let me = common::login();
    // No PIN yet: setting one needs a terminal, or --stdin.
    let (ok, err) = without_controlling_terminal(&desk, &["operator", "pin"]);
    assert!(!ok);
    assert_eq!(
        err,
        "careline: operator pin: a new PIN is typed at a terminal, unseen, and this session has none; in a script give it on standard input with --stdin (`careline operator pin --stdin < FILE`)\n"
    );
    let (ok, err) = set_pin(&desk, "2580");
    assert!(ok, "{err}");

    // The screen: one line, saying the PIN is needed and where it can be typed.
    let (ok, err) = without_controlling_terminal(&desk, &["--lang", "en"]);
    assert!(!ok);
    assert_eq!(
        err,
        format!(
            "careline: {me} has a PIN, which careline reads only from a terminal, and this session has none (as under `su -c`, or `sudo` or `ssh` without one); open the screen from a terminal (`su - {me}`, `ssh -t`): commands need no PIN\n"
        )
    );
    let (ok, err) = without_controlling_terminal(&desk, &["--lang", "zh-CN"]);
    assert!(!ok);
    assert!(
        err.starts_with(&format!("careline: {me} 设有 PIN 码")) && err.lines().count() == 1,
        "{err}"
    );
    // Nothing was counted as a wrong try, and commands go on without a PIN.
    let (store, me) = desk.store();
    assert!(store.needs_pin(&me).expect("read"));
    let trail = desk.cli(&["audit", "list", "--action", "operator.pin_wrong", "--json"]);
    let trail: serde_json::Value = serde_json::from_slice(&trail.stdout).expect("JSON");
    assert_eq!(trail.as_array().map(Vec::len), Some(0), "{trail}");
    let (ok, err) = without_controlling_terminal(&desk, &["search", "王", "--json"]);
    assert!(ok, "{err}");
}
