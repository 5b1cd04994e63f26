//! The contacts' daily sums the reports read (issue 16: "keep daily aggregates maintained in
//! the same transactions as the writes — and prove with a test that they always equal a
//! recomputation"). Writers here are `careline` processes logging and correcting at once; the
//! expected figures are counted by the test from the contacts it logged, by the rule in
//! docs/REPORTS.md (a contact belongs to the local day its start falls in, counted once as last
//! corrected), in time zones whose midnight is not UTC's.

mod common;

use std::process::Child;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use common::Sandbox;

/// A contact as logged: start, end, channel, and the entry it corrects.
#[derive(Clone)]
struct Logged {
    started: DateTime<Utc>,
    ended: Option<DateTime<Utc>>,
    channel: &'static str,
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("time")
        .with_timezone(&Utc)
}

fn spawn_log(sandbox: &Sandbox, customer: &str, c: &Logged, amends: Option<i64>) -> Child {
    let mut args = vec![
        "log".to_string(),
        "add".into(),
        "--customer".into(),
        customer.into(),
        "--channel".into(),
        c.channel.into(),
        "--disposition".into(),
        "information_given".into(),
        "--started".into(),
        c.started.to_rfc3339(),
        "--json".into(),
    ];
    if let Some(ended) = c.ended {
        args.extend(["--ended".into(), ended.to_rfc3339()]);
    }
    if let Some(id) = amends {
        args.extend(["--amends".into(), id.to_string()]);
    }
    sandbox
        .command()
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("careline starts")
}

/// Waits for every writer, insisting each succeeded; the id each logged.
fn logged_ids(children: Vec<Child>) -> Vec<i64> {
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().expect("careline ends");
            assert!(
                out.status.success(),
                "a writer failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
            json["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("an id in {json}"))
        })
        .collect()
}

/// What the report of `[from, to]` must say in a zone `offset` seconds east of UTC, counted
/// from the contacts that stand: (contacts, phone_in contacts, mean handle seconds).
fn expected(
    standing: &[Logged],
    offset: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> (i64, i64, Option<f64>) {
    let zone = FixedOffset::east_opt(offset).expect("offset");
    let inside: Vec<&Logged> = standing
        .iter()
        .filter(|c| {
            let day = c.started.with_timezone(&zone).date_naive();
            from <= day && day <= to
        })
        .collect();
    let phone = inside.iter().filter(|c| c.channel == "phone_in").count() as i64;
    let handled: Vec<i64> = inside
        .iter()
        // Logged without an end, a contact ends as it starts (`log add --ended`'s default):
        // no time spent, but an end at its start.
        .map(|c| (c.ended.unwrap_or(c.started) - c.started).num_seconds())
        .collect();
    let mean =
        (!handled.is_empty()).then(|| handled.iter().sum::<i64>() as f64 / handled.len() as f64);
    (inside.len() as i64, phone, mean)
}

fn report(sandbox: &Sandbox, tz: &str, from: &str, to: &str) -> serde_json::Value {
    let out = sandbox
        .command()
        .env("TZ", tz)
        .args(["report", "--from", from, "--to", to, "--format", "json"])
        .output()
        .expect("careline runs");
    assert!(
        out.status.success(),
        "report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn the_daily_sums_equal_a_recount_after_writers_and_corrections_at_once() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "王秀英"]);
    sandbox.ok(&["customer", "add", "--name", "李娜"]);

    // Starts on both sides of UTC's midnight, Shanghai's (16:00 UTC) and Kolkata's (18:30
    // UTC), over three days; some have no end (no handle time), one ends as it starts.
    let times = [
        ("2026-03-09T15:59:59Z", Some(120), "phone_in"),
        ("2026-03-09T16:00:00Z", Some(60), "email"),
        ("2026-03-09T18:29:59Z", None, "phone_in"),
        ("2026-03-09T18:30:00Z", Some(300), "chat"),
        ("2026-03-09T23:59:59Z", Some(45), "phone_in"),
        ("2026-03-10T00:00:00Z", Some(0), "phone_in"),
        ("2026-03-10T12:00:00Z", Some(600), "sms"),
        ("2026-03-10T15:59:59Z", Some(90), "phone_in"),
        ("2026-03-10T16:00:00Z", None, "visit"),
        ("2026-03-10T18:30:00Z", Some(30), "phone_in"),
        ("2026-03-11T00:00:00Z", Some(240), "email"),
        ("2026-03-11T23:59:59Z", Some(15), "phone_in"),
    ];
    let contacts: Vec<Logged> = times
        .iter()
        .map(|(start, secs, channel)| {
            let started = utc(start);
            Logged {
                started,
                ended: secs.map(|s| started + chrono::Duration::seconds(s)),
                channel,
            }
        })
        .collect();

    // Every contact logged by a process of its own, all at once.
    let children: Vec<Child> = contacts
        .iter()
        .enumerate()
        .map(|(n, c)| spawn_log(&sandbox, if n % 2 == 0 { "1" } else { "2" }, c, None))
        .collect();
    let ids = logged_ids(children);

    // Corrections, at once: four contacts moved to another day, channel or length; one of
    // them corrected twice in a row (the second correction replaces the first).
    let mut standing = contacts.clone();
    let corrections = [
        (0usize, "2026-03-10T16:30:00Z", Some(200), "chat"),
        (3, "2026-03-09T10:00:00Z", Some(100), "phone_in"),
        (5, "2026-03-11T18:00:00Z", None, "email"),
        (9, "2026-03-10T18:30:00Z", Some(31), "phone_in"),
    ];
    let children: Vec<Child> = corrections
        .iter()
        .map(|(n, start, secs, channel)| {
            let started = utc(start);
            let c = Logged {
                started,
                ended: secs.map(|s| started + chrono::Duration::seconds(s)),
                channel,
            };
            standing[*n] = c.clone();
            let customer = if n % 2 == 0 { "1" } else { "2" };
            spawn_log(&sandbox, customer, &c, Some(ids[*n]))
        })
        .collect();
    let corrected = logged_ids(children);
    let again = Logged {
        started: utc("2026-03-11T08:00:00Z"),
        ended: Some(utc("2026-03-11T08:01:00Z")),
        channel: "phone_in",
    };
    logged_ids(vec![spawn_log(&sandbox, "1", &again, Some(corrected[0]))]);
    standing[0] = again;

    // The sums equal a recount of the log.
    let out = sandbox.ok(&["check"]);
    assert!(out.contains("report sums   ok"), "{out}");

    // And every report reads the contacts that stand, by the local day they started.
    for (tz, offset) in [
        ("UTC", 0),
        ("Asia/Shanghai", 8 * 3600),
        ("Asia/Kolkata", 19_800),
    ] {
        for (from, to) in [
            ("2026-03-09", "2026-03-09"),
            ("2026-03-10", "2026-03-10"),
            ("2026-03-10", "2026-03-11"),
            ("2026-03-09", "2026-03-12"),
            ("2026-03-01", "2026-03-31"),
        ] {
            let json = report(&sandbox, tz, from, to);
            let (n, phone, mean) = expected(
                &standing,
                offset,
                from.parse().expect("day"),
                to.parse().expect("day"),
            );
            assert_eq!(json["contacts"], n, "{tz} {from}..{to}: contacts");
            let phone_in = json["contacts_by_channel"]["phone_in"]
                .as_i64()
                .unwrap_or(0);
            assert_eq!(phone_in, phone, "{tz} {from}..{to}: phone_in");
            match mean {
                None => assert!(json["avg_handle_seconds"].is_null(), "{tz} {from}..{to}"),
                Some(m) => {
                    let got = json["avg_handle_seconds"].as_f64().expect("a mean");
                    assert!((got - m).abs() < 1e-9, "{tz} {from}..{to}: {got} ≠ {m}");
                }
            }
        }
    }
}

#[test]
fn check_names_sums_that_differ_and_recount_mends_them() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "赵敏"]);
    sandbox.ok(&[
        "log",
        "add",
        "--customer",
        "1",
        "--channel",
        "phone_in",
        "--disposition",
        "information_given",
        "--started",
        "2026-03-10T09:00:00Z",
        "--ended",
        "2026-03-10T09:02:00Z",
    ]);
    // Changed behind careline's back: one contact more than the log holds.
    sandbox
        .raw()
        .execute("UPDATE contact_days SET contacts = contacts + 1", [])
        .expect("tampered");
    let out = sandbox.run(&["check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "report sums   FAILED: 2026-03-10 (UTC) operator 1 phone_in inbound information_given: \
             kept 2/1/120s, the log has 1/1/120s"
        ),
        "{stdout}"
    );

    recount_mends_one_row(&sandbox);
    let audit = sandbox.ok(&["audit", "list", "--action", "report.recount", "--json"]);
    assert!(
        audit.contains("\"rows_wrong\":1") || audit.contains("\"rows_wrong\": 1"),
        "{audit}"
    );
}

#[test]
fn a_demo_database_keeps_its_sums_equal_to_a_recount() {
    let sandbox = Sandbox::new();
    sandbox.ok(&["demo", "--customers", "400", "--seed", "11"]);
    let out = sandbox.ok(&["check"]);
    assert!(out.contains("report sums   ok"), "{out}");
    // The load wrote the sums itself, with the trigger off; the trigger is back for what
    // follows.
    let triggers: i64 = sandbox
        .raw()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'contact_days_count'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(triggers, 1);
    let days: i64 = sandbox
        .raw()
        .query_row("SELECT sum(contacts) FROM contact_days", [], |r| r.get(0))
        .expect("sum");
    let log: i64 = sandbox
        .raw()
        .query_row("SELECT count(*) FROM interactions", [], |r| r.get(0))
        .expect("count");
    assert!(days > 0 && days == log, "{days} summed, {log} logged");
    // The points' sums too: made once from the ledger, their triggers back.
    let points: (i64, i64) = sandbox
        .raw()
        .query_row(
            "SELECT (SELECT sum(moves) FROM points_days), (SELECT count(*) FROM points_ledger)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("sums");
    assert!(points.0 > 0 && points.0 == points.1, "{points:?}");
    let triggers: i64 = sandbox
        .raw()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'points_days_%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(triggers, 3);
}

/// `check --recount` passes, saying it found one row wrong, and the check after it finds the
/// sums equal to a recount.
fn recount_mends_one_row(sandbox: &Sandbox) {
    let out = sandbox.run(&["check", "--recount"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("1 row was wrong before"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("report sums   ok"), "{stdout}");
}

/// Starts `careline ARGS` on the sandbox, its output kept.
fn start(sandbox: &Sandbox, args: &[&str]) -> Child {
    sandbox
        .command()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("careline starts")
}

/// Waits for every process, insisting each succeeded; what each printed.
fn all_succeed(children: Vec<Child>) -> Vec<Vec<u8>> {
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().expect("careline ends");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        })
        .collect()
}

/// The points the report must give for local days `[from, to]` in a zone `offset` seconds
/// east of UTC, summed by the test from the ledger's rows by the rule of docs/REPORTS.md
/// (earned: every gain; redeemed: the `redeem` rows; expired: the `expire` rows).
fn ledger_points(sandbox: &Sandbox, offset: i32, from: NaiveDate, to: NaiveDate) -> [i64; 3] {
    let zone = FixedOffset::east_opt(offset).expect("offset");
    let conn = sandbox.raw();
    let mut stmt = conn
        .prepare("SELECT at, delta, kind FROM points_ledger")
        .expect("ledger");
    let rows: Vec<(i64, i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let mut sums = [0; 3];
    for (at, delta, kind) in rows {
        let day = DateTime::from_timestamp(at, 0)
            .expect("time")
            .with_timezone(&zone)
            .date_naive();
        if day < from || day > to {
            continue;
        }
        if delta > 0 {
            sums[0] += delta;
        } else if kind == "redeem" {
            sums[1] -= delta;
        } else if kind == "expire" {
            sums[2] -= delta;
        }
    }
    sums
}

/// Points earned, redeemed and expired by processes at once, a row changed and one deleted
/// behind careline's back (the triggers follow both), then every period read in three time
/// zones equals the ledger summed by the test; `check` finds the sums equal to a recount, and
/// names and mends a sum tampered with.
#[test]
fn the_points_daily_sums_equal_the_ledger_after_writers_at_once() {
    let sandbox = Sandbox::new();
    sandbox.init();
    for n in 0..4 {
        sandbox.ok(&[
            "customer",
            "add",
            "--name",
            &format!("客户{n}"),
            "--phone",
            &format!("1380013800{n}"),
        ]);
    }
    // Purchases over three months, imported by four processes at once: ¥1,000 (1,000
    // points) a day for each customer on a few days. Their points are credited at the
    // purchase day's start.
    let days = [
        "2026-01-30",
        "2026-02-27",
        "2026-02-28",
        "2026-03-01",
        "2026-03-31",
    ];
    let writers: Vec<Child> = (1..=4)
        .map(|c| {
            let mut csv = String::from("customer,order_no,date,amount\n");
            for (k, day) in days.iter().enumerate() {
                csv.push_str(&format!("C000000{c},SO{c}-{k},{day},1000.00\n"));
            }
            let file = sandbox.write_file(&format!("p{c}.csv"), csv.as_bytes());
            start(
                &sandbox,
                &["import", "purchases", file.to_str().expect("path")],
            )
        })
        .collect();
    all_succeed(writers);
    // Redemptions by four processes at once (now), and an expiry run.
    let redeemers: Vec<Child> = (1..=4)
        .map(|c| {
            start(
                &sandbox,
                &[
                    "points",
                    "redeem",
                    "--customer",
                    &format!("C000000{c}"),
                    "--points",
                    &format!("{}", 100 * c),
                    "--reason",
                    "保温杯",
                ],
            )
        })
        .collect();
    all_succeed(redeemers);
    // 24 months after 30 January 2026 is past; a run dated then writes the lots off.
    sandbox.ok(&["points", "expire", "--date", "2028-02-28"]);
    // Behind careline's back (the balances kept whole): one purchase's points moved 29 days
    // earlier and made an adjustment, and another's row deleted and written again on a
    // later day. The sums follow the ledger.
    let raw = sandbox.raw();
    raw.execute(
        "UPDATE points_ledger SET at = at - 86400 * 29, kind = 'adjust'
          WHERE id = (SELECT min(id) FROM points_ledger WHERE kind = 'earn')",
        [],
    )
    .expect("changed");
    raw.execute_batch(
        "CREATE TEMP TABLE gone AS SELECT * FROM points_ledger
          WHERE id = (SELECT max(id) FROM points_ledger WHERE kind = 'earn');
         DELETE FROM points_ledger WHERE id = (SELECT id FROM gone);
         INSERT INTO points_ledger (customer_id, delta, reason, operator_id, at, kind)
         SELECT customer_id, delta, 'moved', operator_id, at + 86400 * 3 + 3600, kind FROM gone;",
    )
    .expect("deleted and written again");
    drop(raw);
    let out = sandbox.ok(&["check"]);
    assert!(out.contains("report sums   ok"), "{out}");

    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day");
    let today = chrono::Local::now().date_naive().to_string();
    for (tz, offset) in [
        ("UTC", 0),
        ("Asia/Shanghai", 8 * 3600),
        ("Etc/GMT+5", -5 * 3600),
    ] {
        for (from, to) in [
            ("2026-02-01", "2026-02-28"),
            ("2026-03-01", "2026-03-31"),
            ("2026-01-01", "2026-12-31"),
            ("2026-02-28", "2026-03-01"),
            ("2028-02-28", "2028-02-28"),
            (today.as_str(), today.as_str()),
        ] {
            let r = report(&sandbox, tz, from, to);
            let want = ledger_points(&sandbox, offset, d(from), d(to));
            assert_eq!(
                [
                    r["points_earned"].as_i64().expect("earned"),
                    r["points_redeemed"].as_i64().expect("redeemed"),
                    r["points_expired"].as_i64().expect("expired"),
                ],
                want,
                "{from} to {to} in {tz}"
            );
        }
    }
    // Tampered with: check names the row, and the recount mends it.
    sandbox
        .raw()
        .execute(
            "UPDATE points_days SET gained = gained + 7 WHERE kind = 'earn' AND gained > 0
              AND day = (SELECT min(day) FROM points_days WHERE kind = 'earn' AND gained > 0)",
            [],
        )
        .expect("tampered");
    let out = sandbox.run(&["check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("report sums   FAILED: points "), "{stdout}");
    assert!(stdout.contains(" earn: kept "), "{stdout}");
    recount_mends_one_row(&sandbox);
}

/// The reminders due in `[from, to]` and those of them done, counted by the test from the
/// reminders as they stand by the rule of docs/REPORTS.md (withdrawn ones left out), for
/// everyone or for those kept for operator `only`.
fn standing_reminders(sandbox: &Sandbox, from: &str, to: &str, only: Option<i64>) -> (i64, i64) {
    sandbox
        .raw()
        .query_row(
            "SELECT count(*), count(CASE WHEN status = 'done' THEN 1 END) FROM reminders
              WHERE status <> 'deleted' AND due_on BETWEEN ?1 AND ?2
                AND (?3 IS NULL OR assignee_id = ?3)",
            rusqlite::params![from, to, only],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("counted")
}

/// Reminders added, done, skipped and snoozed by processes at once, one moved to another day,
/// given to another operator and deleted behind careline's back: the reports' reminders due
/// and done always equal the reminders counted by the test, for everyone and one operator;
/// `check` finds the counts equal to a recount, and names and mends one tampered with.
#[test]
fn the_reminder_counts_equal_the_reminders_after_writers_at_once() {
    let sandbox = Sandbox::new();
    sandbox.init();
    // Days to come (a reminder is not added in the past): D+10, D+11, D+12, and D+40.
    let today = chrono::Local::now().date_naive();
    let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
    let (d10, d11, d12, d40) = (day(10), day(11), day(12), day(40));
    sandbox.ok(&[
        "operator", "add", "amy", "--name", "Amy", "--role", "operator",
    ]);
    for n in 0..3 {
        sandbox.ok(&[
            "customer",
            "add",
            "--name",
            &format!("客户{n}"),
            "--phone",
            &format!("1390013900{n}"),
        ]);
    }
    let spawn = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        start(&sandbox, &args)
    };
    let wait_all = |children: Vec<Child>| {
        all_succeed(children)
            .into_iter()
            .map(|out| {
                let v: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
                v["id"].as_i64().unwrap_or_else(|| panic!("an id in {v}"))
            })
            .collect::<Vec<i64>>()
    };
    // Nine reminders added at once over three days, some kept for amy.
    let adders = (0..9)
        .map(|k| {
            let mut args: Vec<String> = [
                "reminder",
                "add",
                &format!("C000000{}", 1 + k % 3),
                "--title",
                "回访",
                "--due",
                [d10.as_str(), d11.as_str(), d12.as_str()][k % 3],
                "--json",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            if k % 2 == 0 {
                args.extend(["--for".into(), "amy".into()]);
            }
            spawn(args)
        })
        .collect();
    let ids = wait_all(adders);
    // Worked at once: three done, two skipped, one snoozed.
    let workers: Vec<Child> = ids
        .iter()
        .take(6)
        .enumerate()
        .map(|(k, id)| {
            let id = id.to_string();
            let args: Vec<String> = match k {
                0..=2 => vec!["reminder".into(), "done".into(), id],
                3 | 4 => vec![
                    "reminder".into(),
                    "skip".into(),
                    id,
                    "--reason".into(),
                    "unreachable".into(),
                ],
                _ => vec![
                    "reminder".into(),
                    "snooze".into(),
                    id,
                    "--until".into(),
                    d40.clone(),
                ],
            };
            spawn(args)
        })
        .collect();
    all_succeed(workers);
    // Behind careline's back: one moved a day on and given to amy, one deleted.
    let raw = sandbox.raw();
    raw.execute(
        "UPDATE reminders SET due_on = ?2,
                assignee_id = (SELECT id FROM operators WHERE login = 'amy')
          WHERE id = ?1",
        rusqlite::params![ids[7], d12],
    )
    .expect("changed");
    raw.execute("DELETE FROM reminders WHERE id = ?1", [ids[8]])
        .expect("deleted");
    let amy: i64 = raw
        .query_row("SELECT id FROM operators WHERE login = 'amy'", [], |r| {
            r.get(0)
        })
        .expect("amy");
    drop(raw);
    let out = sandbox.ok(&["check"]);
    assert!(out.contains("report sums   ok"), "{out}");
    let (d0, d9, d13, d60) = (day(0), day(9), day(13), day(60));
    for (from, to) in [
        (d10.as_str(), d10.as_str()),
        (d0.as_str(), d11.as_str()),
        (d11.as_str(), d12.as_str()),
        (d12.as_str(), d60.as_str()),
        (d0.as_str(), d9.as_str()),
        (d13.as_str(), d60.as_str()),
    ] {
        for (who, only) in [(None, None), (Some("amy"), Some(amy))] {
            let mut args = vec!["report", "--from", from, "--to", to, "--format", "json"];
            if let Some(login) = who {
                args.extend(["--operator", login]);
            }
            let r: serde_json::Value = serde_json::from_str(&sandbox.ok(&args)).expect("JSON");
            let (due, done) = standing_reminders(&sandbox, from, to, only);
            assert_eq!(
                (
                    r["reminders_due"]["total"].as_i64(),
                    r["reminders_done"]["total"].as_i64()
                ),
                (Some(due), Some(done)),
                "{from} to {to} for {who:?}"
            );
        }
    }
    // All of them by hand: 9 added, one deleted: 8 due; 3 done.
    assert_eq!(standing_reminders(&sandbox, &d0, &d60, None), (8, 3));
    // Tampered with: check names the row, and the recount mends it.
    sandbox
        .raw()
        .execute(
            "UPDATE reminder_days SET reminders = reminders + 2 WHERE day = ?1
              AND status = 'done'",
            [&d10],
        )
        .expect("tampered");
    let out = sandbox.run(&["check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("reminders due {d10} manual")),
        "{stdout}"
    );
    recount_mends_one_row(&sandbox);
}
