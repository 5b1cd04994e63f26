//! The Reports pane (issue 16, DESIGN §3.7) on a real temporary database: a small desk made
//! by hand in November 2026 (the screen's "now" is 23 November, 10:30 in China), its figures
//! read on the screen and checked against `Store::report` and against the rules worked by hand;
//! the period and operator chosen from the keyboard; the worker's "calculating…" and a result
//! that comes too late dropped; `e` writing the very CSV `careline report --format csv`
//! prints; no tab for an operator; snapshots at 80×24 and 132×43 in both languages, mono.
//!
//! The desk's times are at midday UTC (or just after), inside the same local day in any time
//! zone from −11 to +11 hours, so that "this month" is November wherever the tests run.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration as Wait;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use crossterm::event::KeyCode;

use careline::domain::complaint::{Category, NewComplaint, Severity};
use careline::domain::customer::Channel;
use careline::domain::interaction::{FollowUp, FollowUpDue, FollowUpScope};
use careline::domain::report::{Period, PeriodName, ReportTargets};
use careline::domain::survey::{SurveyKind, SurveyRules};
use careline::report_text::{minutes, number, percent, OrDash};
use careline::store::{
    Actor, Clock, NewInteraction, NewPurchase, NewSurvey, Report, ReportQuery, Role, Store, Work,
};
use careline::tui::app::App;
use careline::tui::component::Msg;
use careline::tui::i18n::Lang;
use careline::tui::panes::reports::{self, Reports};
use careline::tui::worker::Worker;
use common::screen::{draw, key, message, open_at_screen_time, screen, settings};

fn at(day: &str, hh: u32, mm: u32) -> DateTime<Utc> {
    let d: NaiveDate = day.parse().expect("day");
    Utc.from_utc_datetime(&d.and_hms_opt(hh, mm, 0).expect("time"))
}

fn contact(
    customer: i64,
    channel: Channel,
    code: &str,
    start: DateTime<Utc>,
    secs: i64,
) -> NewInteraction {
    let mut new = NewInteraction::contact(
        customer,
        channel,
        code,
        start,
        start + Duration::seconds(secs),
        "来电",
    );
    if matches!(code, "callback_needed" | "no_answer") {
        // A callback asks for its follow-up: on 30 November.
        new.follow_up = Some(FollowUp {
            due: FollowUpDue {
                on: "2026-11-30".parse().expect("day"),
                at: at("2026-11-30", 1, 0),
            },
            scope: FollowUpScope::Anyone,
        });
    }
    new
}

/// Fills the desk at `path` (its admin `admin`): operators amy and bob, supervisor chen.jie,
/// four customers; contacts, complaints, surveys and purchases in October and November.
fn fill(store: &mut Store, admin: &Actor) {
    for (login, name, role) in [
        ("amy", "Amy", Role::Operator),
        ("bob", "鲍勃", Role::Operator),
        ("chen.jie", "陈杰", Role::Supervisor),
    ] {
        store
            .add_operator(admin, login, name, role)
            .expect("operator");
    }
    let mut c = [0; 4];
    for (n, name) in ["王秀英", "张伟", "李娜", "陈静"].iter().enumerate() {
        let phone = format!("1390000000{n}");
        c[n] = store
            .create_customer(admin, &common::customer(name, vec![common::phone(&phone)]))
            .expect("customer")
            .id;
    }
    let amy = store.actor("amy", None).expect("amy");
    let bob = store.actor("bob", None).expect("bob");
    let when = |store: &mut Store, t: DateTime<Utc>| store.set_clock(Clock::Fixed(t));

    // Contacts. October: one call of amy's, one email of bob's.
    // November: amy — a call resolved (300 s), a call needing a callback (120 s), a call out
    // not answered (60 s), a chat answered with information (240 s); bob — an email answered
    // with information (600 s), a sale on the phone (420 s), a visit resolved (900 s).
    for (who, customer, channel, code, t, secs) in [
        (
            &amy,
            c[0],
            Channel::PhoneIn,
            "resolved_first_contact",
            at("2026-10-08", 12, 0),
            200,
        ),
        (
            &bob,
            c[1],
            Channel::Email,
            "information_given",
            at("2026-10-15", 12, 0),
            500,
        ),
        (
            &amy,
            c[0],
            Channel::PhoneIn,
            "resolved_first_contact",
            at("2026-11-02", 12, 0),
            300,
        ),
        (
            &amy,
            c[1],
            Channel::PhoneIn,
            "callback_needed",
            at("2026-11-03", 12, 0),
            120,
        ),
        (
            &amy,
            c[2],
            Channel::PhoneOut,
            "no_answer",
            at("2026-11-05", 12, 0),
            60,
        ),
        (
            &amy,
            c[3],
            Channel::Chat,
            "information_given",
            at("2026-11-10", 12, 30),
            240,
        ),
        (
            &bob,
            c[1],
            Channel::Email,
            "information_given",
            at("2026-11-04", 12, 0),
            600,
        ),
        (
            &bob,
            c[2],
            Channel::PhoneIn,
            "sale",
            at("2026-11-12", 12, 0),
            420,
        ),
        (
            &bob,
            c[3],
            Channel::Visit,
            "resolved_first_contact",
            at("2026-11-18", 12, 0),
            900,
        ),
    ] {
        when(store, t);
        store
            .log_interaction(who, &contact(customer, channel, code, t, secs))
            .expect("contact");
    }

    // Complaints (24×7 clocks: acknowledge 30 min, propose 2 h, resolve 72 h).
    let complaint = |category| NewComplaint {
        category,
        severity: Severity::Normal,
        title: "投诉".into(),
        description: None,
        // (By email: one opened on the phone is acknowledged as it is opened.)
        channel: Channel::Email,
    };
    let open = |store: &mut Store, who: &Actor, customer, category, t| {
        when(store, t);
        store
            .open_complaint(who, customer, &complaint(category), None)
            .expect("complaint")
            .id
    };
    let work = |store: &mut Store, who: &Actor, id, t, work: Work| {
        store.set_clock(Clock::Fixed(t));
        store.work_complaint(who, id, &work).expect("work");
    };
    let claim = || Work::Claim { take_over: false };
    let ack = || Work::Acknowledge { text: None };
    let propose = || Work::Propose {
        text: "换货".into(),
    };
    let resolve = || Work::Resolve {
        text: "已换".into(),
    };
    // October: K0 (price), amy, acknowledged in 5 min, proposed in 20, resolved the next day.
    let k0 = open(store, &amy, c[2], Category::Price, at("2026-10-20", 12, 0));
    work(store, &amy, k0, at("2026-10-20", 12, 5), ack());
    work(store, &amy, k0, at("2026-10-20", 12, 20), propose());
    work(store, &amy, k0, at("2026-10-21", 12, 0), resolve());
    // November: each claimed by whoever opened it at once.
    // K1, amy, 3 Nov: acknowledged after 10 min, proposed after 1 h, resolved the next day —
    // every clock met.
    let k1 = open(
        store,
        &amy,
        c[0],
        Category::ProductQuality,
        at("2026-11-03", 12, 0),
    );
    work(store, &amy, k1, at("2026-11-03", 12, 1), claim());
    work(store, &amy, k1, at("2026-11-03", 12, 10), ack());
    work(store, &amy, k1, at("2026-11-03", 13, 0), propose());
    work(store, &amy, k1, at("2026-11-04", 12, 0), resolve());
    // K2, bob, 10 Nov: acknowledged after 1 h (late); the propose (14:00) and resolve (13 Nov
    // 12:00) clocks breach unmet.
    let k2 = open(
        store,
        &bob,
        c[1],
        Category::Delivery,
        at("2026-11-10", 12, 0),
    );
    work(store, &bob, k2, at("2026-11-10", 12, 1), claim());
    work(store, &bob, k2, at("2026-11-10", 13, 0), ack());
    // K3, amy, 10 Nov 13:00: acknowledged after 5 min, proposed after 30, resolved the next
    // day — every clock met.
    let k3 = open(
        store,
        &amy,
        c[2],
        Category::ProductQuality,
        at("2026-11-10", 13, 0),
    );
    work(store, &amy, k3, at("2026-11-10", 13, 1), claim());
    work(store, &amy, k3, at("2026-11-10", 13, 5), ack());
    work(store, &amy, k3, at("2026-11-10", 13, 30), propose());
    work(store, &amy, k3, at("2026-11-11", 12, 0), resolve());
    // K4, bob, 17 Nov: acknowledged after 20 min, proposed after 90, not resolved: the resolve
    // clock breaches on 20 Nov 12:00.
    let k4 = open(
        store,
        &bob,
        c[3],
        Category::ServiceAttitude,
        at("2026-11-17", 12, 0),
    );
    work(store, &bob, k4, at("2026-11-17", 12, 1), claim());
    work(store, &bob, k4, at("2026-11-17", 12, 20), ack());
    work(store, &bob, k4, at("2026-11-17", 13, 30), propose());

    // Surveys on 20 November: CSAT 5 and 4 taken by amy, 3 by bob; NPS 10, 9 (amy), 6, 8
    // (bob).
    when(store, at("2026-11-20", 12, 0));
    for (who, customer, kind, score) in [
        (&amy, c[0], SurveyKind::Csat, 5),
        (&amy, c[1], SurveyKind::Csat, 4),
        (&bob, c[2], SurveyKind::Csat, 3),
        (&amy, c[0], SurveyKind::Nps, 10),
        (&amy, c[1], SurveyKind::Nps, 9),
        (&bob, c[2], SurveyKind::Nps, 6),
        (&bob, c[3], SurveyKind::Nps, 8),
    ] {
        let survey = NewSurvey {
            customer_id: customer,
            kind,
            score,
            comment: None,
            interaction_id: None,
        };
        store
            .add_survey(who, &survey, &SurveyRules::default())
            .expect("survey");
    }
    // Purchases: in October 王秀英 and 张伟; in November 王秀英 again and 李娜.
    for (customer, day) in [
        (c[0], "2026-10-10"),
        (c[1], "2026-10-12"),
        (c[0], "2026-11-06"),
        (c[2], "2026-11-08"),
    ] {
        let purchase = NewPurchase {
            customer_id: customer,
            order_no: None,
            purchased_on: day.parse().expect("day"),
            amount_cents: 10_000,
            product: None,
            category: None,
            quantity: 1,
            channel: None,
        };
        when(store, at(day, 12, 0));
        store.add_purchase(&amy, &purchase).expect("purchase");
    }
}

/// The hand-made desk in a temporary folder, li.na its admin.
struct Desk {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    fill(&mut store, &admin);
    Desk { _dir: dir, path }
}

fn app(path: &Path, login: &str, lang: Lang) -> App {
    let store = open_at_screen_time(path);
    let actor = store.actor(login, None).expect("actor");
    App::new(store, actor, settings(lang, "desk.db"))
}

fn pane(app: &App) -> &Reports {
    app.pane::<Reports>()
        .expect("the Reports pane is registered")
}

/// The Reports tab shown (F5), its figures calculated (no worker: at once).
fn reports_tab(app: &mut App) {
    key(app, KeyCode::F(5));
    assert_eq!(app.tab(), reports::ID);
}

/// `Store::report` for November (everyone, or one operator), as the pane asks it.
fn november(path: &Path, operator: Option<&str>) -> Report {
    let store = open_at_screen_time(path);
    let chen = store.actor("chen.jie", None).expect("chen");
    let query = ReportQuery {
        period: Period::between(
            "2026-11-01".parse().expect("day"),
            "2026-11-30".parse().expect("day"),
        )
        .expect("period"),
        operator: operator.map(str::to_string),
        csat_scale: 5,
    };
    store
        .report(&chen, &query, &ReportTargets::default())
        .expect("report")
}

/// The line of the drawn screen holding `label` (the first), or a failure showing the screen.
fn line_of<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("{label:?} in\n{text}"))
}

/// The headline figures' column of the line at 132 columns holding `label` there (the
/// charts are to its right).
fn headline_line(text: &str, label: &str) -> String {
    text.lines()
        .map(|l| l.chars().take(58).collect::<String>())
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("{label:?} in\n{text}"))
}

/// The lines of the section titled `title` at 132 columns, from its title to the blank line
/// after it: the cells from the column the title starts in, as many as a half of the screen
/// has (the sections beside it left out).
fn section(text: &str, title: &str) -> Vec<String> {
    // The frame's inner 130 columns in halves of 64 with 2 between.
    const HALF: usize = 64;
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(title))
        .unwrap_or_else(|| panic!("{title:?} in\n{text}"));
    let column = lines[at][..lines[at].find(title).expect("title")]
        .chars()
        .count();
    lines[at..]
        .iter()
        .map(|l| {
            l.chars()
                .skip(column)
                .take(HALF)
                .take_while(|c| *c != '│')
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .take_while(|l| !l.is_empty())
        .collect()
}

/// The words after `label` on its line, split at spaces (the mark before it left out).
fn after<'a>(line: &'a str, label: &str) -> Vec<&'a str> {
    let at = line.find(label).expect("label on its line") + label.len();
    line[at..]
        .split([' ', '│'])
        .filter(|w| !w.is_empty())
        .collect()
}

/// Each headline figure as the pane shows it at 132×43 (one column): its mark, its value, its
/// target ("" without one).
fn headline_shown(text: &str, label: &str) -> (String, String, String) {
    let line = headline_line(text, label);
    let line = line.as_str();
    let inner = line.trim_start_matches('│');
    let mark = inner.chars().next().map(String::from).unwrap_or_default();
    let words = after(line, label);
    let value = words.first().map(|w| w.to_string()).unwrap_or_default();
    let target = words
        .get(1)
        .filter(|w| w.starts_with('≥') || w.starts_with('≤'))
        .map(|w| w.to_string())
        .unwrap_or_default();
    (mark.trim().to_string(), value, target)
}

/// The figures shown are the store's: every headline figure, its target and verdict, the
/// contacts by channel, the complaints per day and the operators' rows, for everyone and for
/// one operator — and the store's own figures are those worked by hand from the desk.
#[test]
fn the_figures_shown_are_the_stores_and_worked_by_hand() {
    let desk = desk();
    let r = november(&desk.path, None);
    // By hand (docs/REPORTS.md): 7 contacts in November, one not answered; (300 + 120 + 60 +
    // 240 + 600 + 420 + 900) / 7 s handled; of the 6 inbound contacts made, 5 resolved.
    assert_eq!((r.contacts, r.contacts_made), (7, 6));
    assert!((r.avg_handle_seconds.expect("handle") - 2640.0 / 7.0).abs() < 1e-9);
    assert!((r.fcr_rate.expect("fcr") - 5.0 / 6.0).abs() < 1e-9);
    // Four complaints opened, K1 and K3 resolved; first responses 600, 3600, 300, 1200 s.
    assert_eq!(r.complaints_opened, 4);
    assert_eq!(r.resolution_rate, Some(0.5));
    assert_eq!(r.avg_first_response_seconds, Some(1425.0));
    // Acknowledge: K2 late; propose: K2 breached; resolve: K2 and K4 breached.
    assert_eq!(r.sla_compliance.acknowledge, Some(0.75));
    assert_eq!(r.sla_compliance.propose, Some(0.75));
    assert_eq!(r.sla_compliance.resolve, Some(0.5));
    // CSAT (5 + 4 + 3) / 3, exactly the target: met. NPS (2 promoters − 1 detractor) / 4.
    assert_eq!(r.csat_avg, Some(4.0));
    assert_eq!(r.targets.csat_avg.met, Some(true));
    assert_eq!(r.nps, Some(25.0));
    // October's buyers 王秀英 and 张伟; 王秀英 bought again. Active: three customers.
    assert_eq!(r.retention_rate, Some(0.5));
    assert!((r.complaint_rate.expect("rate") - 400.0 / 3.0).abs() < 1e-9);
    // Opened on 3 November, twice on the 10th, on the 17th.
    let mut per_day = vec![0; 30];
    per_day[2] = 1;
    per_day[9] = 2;
    per_day[16] = 1;
    assert_eq!(r.complaints_per_day, per_day);

    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    reports_tab(&mut chen);
    // Tall enough for every section at once.
    let text = screen(&mut chen, 132, 90);
    let t = &r.targets;
    let rows = [
        (
            "Resolution rate",
            percent(r.resolution_rate),
            t.resolution_rate.met,
        ),
        (
            "First response",
            minutes(r.avg_first_response_seconds),
            t.avg_first_response_seconds.met,
        ),
        (
            "SLA acknowledge",
            percent(r.sla_compliance.acknowledge),
            t.sla_acknowledge.met,
        ),
        (
            "SLA propose",
            percent(r.sla_compliance.propose),
            t.sla_propose.met,
        ),
        (
            "SLA resolve",
            percent(r.sla_compliance.resolve),
            t.sla_resolve.met,
        ),
        ("CSAT", number(r.csat_avg, 2).or_dash(), t.csat_avg.met),
        ("NPS", number(r.nps, 0).or_dash(), None),
        ("Retention", percent(r.retention_rate), t.retention_rate.met),
        (
            "Complaints per 100",
            number(r.complaint_rate, 2).or_dash(),
            None,
        ),
        ("FCR", percent(r.fcr_rate), None),
        ("Avg handle time", minutes(r.avg_handle_seconds), None),
        ("Contacts", r.contacts.to_string(), None),
    ];
    for (label, value, met) in &rows {
        let (mark, shown, _) = headline_shown(&text, label);
        assert_eq!(&shown, value, "{label}");
        let want = match met {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "",
        };
        assert_eq!(mark, want, "{label}");
    }
    // The same, read as a supervisor reads them.
    for (label, value, target, mark) in [
        ("Resolution rate", "50.0%", "≥95%", "✗"),
        ("First response", "23:45", "≤5:00", "✗"),
        ("SLA acknowledge", "75.0%", "≥90%", "✗"),
        ("SLA propose", "75.0%", "≥90%", "✗"),
        ("SLA resolve", "50.0%", "≥90%", "✗"),
        ("CSAT", "4.00", "≥4.0", "✓"),
        ("NPS", "25", "", ""),
        ("Retention", "50.0%", "≥85%", "✗"),
        ("Complaints per 100", "133.33", "", ""),
        ("FCR", "83.3%", "", ""),
        ("Avg handle time", "6:17", "", ""),
        ("Contacts", "7", "", ""),
    ] {
        assert_eq!(
            headline_shown(&text, label),
            (mark.to_string(), value.to_string(), target.to_string()),
            "{label}"
        );
    }
    // Contacts by channel: the bar chart's labels and values, every channel listed.
    for (channel, n) in [
        ("phone in", 3),
        ("phone out", 1),
        ("email", 1),
        ("chat", 1),
        ("SMS", 0),
        ("social", 0),
        ("visit", 1),
    ] {
        let line = line_of(&text, &format!("{channel} "));
        let key = match channel {
            "phone in" => "phone_in",
            "phone out" => "phone_out",
            "SMS" => "sms",
            other => other,
        };
        assert_eq!(r.contacts_by_channel.get(key).copied().unwrap_or(0), n);
        let bar = &line[line.find(channel).expect("label") + channel.len()..];
        assert!(
            bar.trim_start().starts_with(&n.to_string()),
            "{channel}: {line}"
        );
    }
    assert!(line_of(&text, "Contacts by channel").contains("7 in all"));
    // Complaints per day: four in all, the sparkline from the 1st to the 30th.
    assert!(line_of(&text, "New complaints per day").contains("4 in all"));
    assert!(line_of(&text, "11-01").contains("11-30"), "{text}");
    // The hot spots: product quality twice, delivery and service attitude once, in November.
    assert_eq!(
        after(line_of(&text, "product quality"), "product quality"),
        ["2", "2"]
    );
    assert_eq!(after(line_of(&text, "delivery"), "delivery"), ["1", "1"]);
    // The operators' rows: contacts, made, handle, FCR, opened, resolved, CSAT, answers.
    for o in &r.per_operator {
        let line = text
            .lines()
            .find(|l| l.trim_start_matches('│').split_whitespace().next() == Some(&o.login))
            .unwrap_or_else(|| panic!("{} in\n{text}", o.login));
        let words: Vec<&str> = line.split(['│', ' ']).filter(|w| !w.is_empty()).collect();
        let want = [
            o.contacts.to_string(),
            o.contacts_made.to_string(),
            minutes(o.avg_handle_seconds),
            percent(o.fcr_rate),
            o.complaints_opened.to_string(),
            o.complaints_resolved.to_string(),
            number(o.csat_avg, 2).or_dash(),
            o.csat_answers.to_string(),
        ];
        assert_eq!(words[2..10], want, "{line}");
    }
    let amy = line_of(&text, "│amy ");
    assert_eq!(
        after(amy, "Amy")[..8],
        ["4", "3", "3:00", "66.7%", "2", "2", "4.50", "2"],
        "{amy}"
    );

    // The sections beneath the charts, read from the store's figures and by hand.
    // CSAT by score: one answer each of 3, 4 and 5.
    let scores = section(&text, "CSAT by score");
    assert!(scores[0].contains("3 answers"), "{scores:?}");
    for (n, score) in ["1 0", "2 0", "3 1", "4 1", "5 1"].iter().enumerate() {
        assert!(scores[n + 1].starts_with(score), "{score}: {scores:?}");
    }
    for n in 1..=5 {
        let count = r.csat_distribution.get(&n).copied().unwrap_or(0);
        assert!(scores[n as usize].starts_with(&format!("{n} {count}")));
    }
    // Complaints: K1 to K4 opened, K1 and K3 resolved, none closed (no follow-up made).
    let totals = section(&text, "Complaints and replies");
    let value = |lines: &[String], label: &str| -> String {
        let line = lines
            .iter()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("{label} in {lines:?}"));
        line[line.find(label).expect("label") + label.len()..]
            .trim()
            .to_string()
    };
    assert_eq!(value(&totals, "Complaints opened"), "4");
    assert_eq!(value(&totals, "Complaints resolved"), "2");
    assert_eq!(value(&totals, "Complaints closed"), "0");
    assert_eq!(
        value(&totals, "Email/chat replies owed"),
        r.replies.owed.to_string()
    );
    assert_eq!(
        value(&totals, "Answered on time"),
        format!(
            "{} ({})",
            r.replies.on_time,
            percent(r.replies.on_time_rate)
        )
    );
    assert_eq!(
        value(&totals, "Average time to reply"),
        minutes(r.replies.avg_seconds)
    );
    // Points: 1 a yuan of the two November purchases of ¥100; none redeemed or expired.
    let points = section(&text, "Loyalty points");
    assert_eq!(value(&points, "Earned"), "200");
    assert_eq!(value(&points, "Redeemed"), "0");
    assert_eq!(value(&points, "Expired"), "0");
    // Reminders: the follow-up calls of K1 (resolved 4 Nov, due 3 days later) and K3
    // (11 Nov), and the callbacks asked on 3 and 5 November for the 30th; none made yet. Two
    // of each kind: by kind's code (complaint_follow_up before follow_up).
    let reminders = section(&text, "Care reminders");
    assert!(reminders[0].contains("0 done of 4"), "{reminders:?}");
    let rows: Vec<Vec<&str>> = reminders[1..]
        .iter()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["complaint", "0", "/", "2", "0.0%"],
            ["follow-up", "0", "/", "2", "0.0%"]
        ]
    );
    // Wrap-up codes: resolved twice (amy's call, bob's visit), information given twice (amy's
    // chat, bob's email), a callback, a call not answered, a sale; the most used first.
    let codes = section(&text, "Contacts by wrap-up code");
    assert!(codes[0].contains("7 in all"), "{codes:?}");
    let shown: Vec<(String, String)> = codes[1..]
        .iter()
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().filter(|w| !w.contains('█')).collect();
            let (count, label) = words.split_last().expect("a bar's words");
            (label.join(" "), count.to_string())
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("info given", "2"),
        ("resolved", "2"),
        ("callback", "1"),
        ("no answer", "1"),
        ("sale", "1"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(shown, want);
    // Per role: amy and bob are operators — 4 + 3 contacts, 3 + 3 made, 2640 s over 7, 5 of 6
    // resolved at first contact, K1–K4 opened, K1 and K3 resolved, CSAT (5 + 4 + 3) / 3.
    let operator = text
        .lines()
        .skip_while(|l| !l.contains("Per role"))
        .find(|l| l.starts_with("│operator "))
        .unwrap_or_else(|| panic!("Per role in\n{text}"))
        .trim_matches('│');
    let words: Vec<&str> = operator.split_whitespace().collect();
    assert_eq!(
        words,
        ["operator", "2", "7", "6", "6:17", "83.3%", "4", "2", "4.00", "3"],
        "{operator}"
    );

    // One operator: Tab, →. Her figures, and the customer base's left out.
    key(&mut chen, KeyCode::Tab);
    key(&mut chen, KeyCode::Right);
    assert_eq!(pane(&chen).operator.as_deref(), Some("amy"));
    let r = november(&desk.path, Some("amy"));
    let text = screen(&mut chen, 132, 43);
    assert!(line_of(&text, "Operator:").contains("◀ amy ▶"), "{text}");
    for (label, value) in [
        ("Resolution rate", percent(r.resolution_rate)),
        ("First response", minutes(r.avg_first_response_seconds)),
        ("CSAT", number(r.csat_avg, 2).or_dash()),
        ("Retention", "—".to_string()),
        ("Complaints per 100", "—".to_string()),
        ("Contacts", "4".to_string()),
    ] {
        assert_eq!(headline_shown(&text, label).1, value, "{label}");
    }
    assert_eq!(headline_shown(&text, "Resolution rate").1, "100.0%");
    assert_eq!(headline_shown(&text, "First response").1, "7:30");
    // The mark of a figure with a target and nothing to count: neither met nor not.
    assert_eq!(headline_shown(&text, "Retention").0, "·");
}

/// `c`: the period before beside each headline figure, with the way it moved; again: gone.
#[test]
fn the_period_before_is_shown_beside_this_one() {
    let desk = desk();
    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    reports_tab(&mut chen);
    key(&mut chen, KeyCode::Char('c'));
    assert!(pane(&chen).compare);
    let text = screen(&mut chen, 132, 43);
    assert!(
        text.contains("▲▼ against 2026-10-01 – 2026-10-31"),
        "{text}"
    );
    // October: K0 resolved, every clock met, its first response in 5 min; two contacts; no
    // CSAT answers.
    for (label, now, before) in [
        ("Resolution rate", "50.0%", "≥95%▼100.0%"),
        ("First response", "23:45", "≤5:00▲5:00"),
        ("SLA resolve", "50.0%", "≥90%▼100.0%"),
        ("Avg handle time", "6:17", "▲5:50"),
        ("Contacts", "7", "▲2"),
        ("CSAT", "4.00", "≥4.0—"),
    ] {
        let line = headline_line(&text, label);
        let words = after(&line, label);
        assert_eq!(words[0], now, "{label}");
        assert_eq!(words[1..].concat(), before, "{label}: {line}");
    }
    key(&mut chen, KeyCode::Char('c'));
    let text = screen(&mut chen, 132, 43);
    assert!(!text.contains("against"), "{text}");
}

/// An operator has no Reports tab: the tab line does not list it, its key does nothing and is
/// not offered; a supervisor and an admin have it as the fifth.
#[test]
fn an_operator_has_no_reports_tab() {
    let desk = desk();
    let mut amy = app(&desk.path, "amy", Lang::En);
    assert!(!amy.tabs().iter().any(|(id, _)| *id == reports::ID));
    assert_eq!(amy.tabs().len(), 4);
    let text = screen(&mut amy, 80, 24);
    assert!(
        !text.lines().next().unwrap_or("").contains("Reports"),
        "{text}"
    );
    assert!(!amy.offers(&careline::tui::action::Action::Tab(5)));
    let before = amy.tab();
    key(&mut amy, KeyCode::F(5));
    key(&mut amy, KeyCode::Char(']'));
    key(&mut amy, KeyCode::Char(']'));
    key(&mut amy, KeyCode::Char(']'));
    key(&mut amy, KeyCode::Char(']'));
    assert_eq!(amy.tab(), before, "four tabs round, none of them Reports");
    assert!(
        pane(&amy).shown.is_none() && !pane(&amy).calculating(),
        "nothing read"
    );
    let mut zh = app(&desk.path, "amy", Lang::ZhCn);
    let text = screen(&mut zh, 80, 24);
    assert!(!text.contains("报表"), "{text}");
    for login in ["chen.jie", "li.na"] {
        let mut app = app(&desk.path, login, Lang::En);
        assert_eq!(
            app.tabs().get(4).map(|(id, _)| *id),
            Some(reports::ID),
            "{login}"
        );
        let text = screen(&mut app, 80, 24);
        assert!(
            text.lines().next().unwrap_or("").contains("5 Reports"),
            "{text}"
        );
    }
}

/// Keys are never kept waiting for a report: while the worker calculates, the pane says so
/// and takes the next choice; the answer for a choice since changed is dropped (or, not yet
/// begun, never calculated), and the one asked last is shown.
#[test]
fn keys_are_taken_while_calculating_and_a_late_result_is_dropped() {
    let desk = desk();
    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    let reader = chen.desk.store.open_another().expect("second connection");
    let (done, answers) = mpsc::channel::<Msg>();
    chen.desk.worker = Some(Worker::start(reader, move |msg| done.send(msg).is_ok()));
    let next_report = |answers: &mpsc::Receiver<Msg>| loop {
        match answers
            .recv_timeout(Wait::from_secs(30))
            .expect("the worker answers")
        {
            Msg::Report(c) => return Msg::Report(c),
            _ => continue, // the desk's counts
        }
    };

    // This month asked; its answer is calculated but not yet delivered when → asks for last
    // month.
    reports_tab(&mut chen);
    assert!(pane(&chen).calculating());
    let text = screen(&mut chen, 80, 24);
    assert!(text.contains("calculating…"), "{text}");
    let this_month = next_report(&answers);
    key(&mut chen, KeyCode::Right);
    assert_eq!(pane(&chen).period, Some(PeriodName::LastMonth));
    assert!(line_of(&screen(&mut chen, 80, 24), "Period:").contains("◀ last month ▶"));
    chen.loaded(this_month);
    assert!(pane(&chen).calculating(), "still waiting for last month");
    assert!(
        pane(&chen).shown.is_none(),
        "this month's figures were dropped"
    );
    assert!(screen(&mut chen, 80, 24).contains("calculating…"));
    let last_month = next_report(&answers);
    chen.loaded(last_month);
    assert!(!pane(&chen).calculating());
    let shown = pane(&chen).displayed().expect("last month shown");
    assert_eq!(shown.figures.now.period.from.to_string(), "2026-10-01");
    assert_eq!(shown.figures.now.contacts, 2);
    let text = screen(&mut chen, 80, 24);
    assert!(
        text.contains("as of 10:30") && !text.contains("calculating"),
        "{text}"
    );

    // The worker held up (a slow read before ours): three choices made meanwhile; the first
    // two are never calculated, the last is shown. `e` meanwhile is told to wait.
    let (release, gate) = mpsc::channel::<()>();
    let held = Box::new(move |store: &mut Store| {
        let _ = gate.recv();
        Msg::Counts(store.desk_counts().expect("counts"))
    });
    assert!(chen
        .desk
        .worker
        .as_ref()
        .expect("worker")
        .submit(held)
        .is_ok());
    key(&mut chen, KeyCode::Right); // quarter
    key(&mut chen, KeyCode::Right); // year
    key(&mut chen, KeyCode::Tab);
    key(&mut chen, KeyCode::Right); // amy, this year
    assert!(pane(&chen).calculating());
    assert_eq!(pane(&chen).operator.as_deref(), Some("amy"));
    key(&mut chen, KeyCode::Char('e'));
    assert!(
        message(&chen).contains("being calculated"),
        "{}",
        message(&chen)
    );
    release.send(()).expect("release");
    let mut superseded = 0;
    loop {
        let msg = next_report(&answers);
        if let Msg::Report(c) = &msg {
            match c.outcome {
                reports::Outcome::Superseded => superseded += 1,
                _ => {
                    chen.loaded(msg);
                    break;
                }
            }
        }
        chen.loaded(msg);
    }
    assert_eq!(
        superseded, 2,
        "quarter and year of everyone were not calculated"
    );
    let shown = pane(&chen).displayed().expect("amy's year shown");
    assert_eq!(shown.asked.name, PeriodName::Year);
    assert_eq!(shown.figures.now.period.operator.as_deref(), Some("amy"));
    assert_eq!(
        shown.figures.now.contacts, 5,
        "one in October, four in November"
    );
    if let Some(worker) = chen.desk.worker.take() {
        worker.finish();
    }
}

/// Others' changes do not recalculate figures a minute old or less (a year can take a while);
/// `r` does at once, and so do others' changes once the figures are older.
#[test]
fn figures_are_calculated_again_on_r_and_after_a_minute_of_others_changes() {
    let desk = desk();
    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    reports_tab(&mut chen);
    assert_eq!(
        headline_shown(&screen(&mut chen, 132, 43), "Contacts").1,
        "7"
    );
    let log_one = |minute: u32| {
        let mut store = open_at_screen_time(&desk.path);
        let bob = store.actor("bob", None).expect("bob");
        let t = at("2026-11-22", 12, minute);
        store.set_clock(Clock::Fixed(t));
        store
            .log_interaction(&bob, &contact(1, Channel::Sms, "information_given", t, 30))
            .expect("contact");
    };
    log_one(0);
    chen.update(careline::tui::action::Action::DatabaseChanged);
    assert_eq!(
        headline_shown(&screen(&mut chen, 132, 43), "Contacts").1,
        "7",
        "calculated at 10:30, it is 10:30"
    );
    key(&mut chen, KeyCode::Char('r'));
    let text = screen(&mut chen, 132, 43);
    assert_eq!(headline_shown(&text, "Contacts").1, "8");
    assert!(line_of(&text, "SMS ").contains("SMS       1"), "{text}");
    // Two minutes on, others write again: calculated again by itself, as of 10:32.
    log_one(1);
    let later = common::screen::screen_now() + Duration::minutes(2);
    chen.desk.store.set_clock(Clock::Fixed(later));
    chen.update(careline::tui::action::Action::Tick);
    chen.update(careline::tui::action::Action::DatabaseChanged);
    let text = screen(&mut chen, 132, 43);
    assert_eq!(headline_shown(&text, "Contacts").1, "9");
    assert!(text.contains("as of 10:32"), "{text}");
}

/// `e` writes the figures shown as the CSV `careline report --format csv` prints for the same
/// period and operator, to a new file in the operator's exports folder that only they can
/// read; the message line says where.
#[test]
fn e_writes_the_csv_the_command_prints() {
    let sandbox = common::Sandbox::new();
    sandbox.init();
    {
        let mut store = open_at_screen_time(&sandbox.db);
        let admin = store.actor(&common::login(), None).expect("admin");
        fill(&mut store, &admin);
    }
    let exports = sandbox.dir.path().join("exports");
    let store = open_at_screen_time(&sandbox.db);
    let actor = store.actor("chen.jie", None).expect("chen");
    let mut s = settings(Lang::En, "desk.db");
    s.exports_dir = exports.clone();
    let mut chen = App::new(store, actor, s);
    reports_tab(&mut chen);
    key(&mut chen, KeyCode::Char('e'));
    let said = message(&chen);
    let path = said
        .strip_prefix("Report saved as CSV: ")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{said}"));
    assert_eq!(path.parent(), Some(exports.as_path()));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    assert!(name.starts_with("report-2026-11-01-2026-11-30-"), "{name}");
    let written = std::fs::read_to_string(&path).expect("the file");
    let printed = sandbox.ok(&[
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "csv",
    ]);
    assert_eq!(written, printed);
    assert!(
        written.contains("\ncomplaints_per_day,2026-11-10,2,,\n"),
        "{written}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600, "the operator's only");
    assert_eq!(mode(&exports), 0o700);
    // Again in the same second: a file of its own.
    key(&mut chen, KeyCode::Char('e'));
    let again = message(&chen);
    assert!(again.ends_with("-2.csv"), "{again}");

    // One operator's figures: the command's `--operator`.
    key(&mut chen, KeyCode::Tab);
    key(&mut chen, KeyCode::Right);
    key(&mut chen, KeyCode::Char('e'));
    let said = message(&chen);
    let path = PathBuf::from(said.trim_start_matches("Report saved as CSV: "));
    assert!(path.to_string_lossy().contains("-amy-"), "{said}");
    let printed = sandbox.ok(&[
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--operator",
        "amy",
        "--format",
        "csv",
    ]);
    assert_eq!(std::fs::read_to_string(&path).expect("the file"), printed);
}

/// Met and not met read without colour: in `mono` a figure not met is reversed and marked ✗,
/// one met plain and marked ✓.
#[test]
fn met_and_not_met_read_in_mono() {
    use ratatui::style::Modifier;
    let desk = desk();
    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    assert_eq!(chen.desk.settings.theme.name, "mono");
    reports_tab(&mut chen);
    let terminal = draw(&mut chen, 132, 43);
    let buf = terminal.backend().buffer();
    let text = common::screen::buffer_text(buf);
    let cell = |label: &str| {
        let y = text
            .lines()
            .position(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label}"));
        let x = (0..buf.area.width)
            .find(|x| matches!(buf[(*x, y as u16)].symbol(), "✓" | "✗"))
            .unwrap_or_else(|| panic!("a mark on {label}'s line"));
        (
            buf[(x, y as u16)].symbol().to_string(),
            buf[(x, y as u16)].modifier,
        )
    };
    let (mark, style) = cell("Resolution rate");
    assert_eq!(mark, "✗");
    assert!(style.contains(Modifier::REVERSED), "{style:?}");
    let (mark, style) = cell("CSAT");
    assert_eq!(mark, "✓");
    assert!(!style.contains(Modifier::REVERSED), "{style:?}");
}

#[test]
fn reports_snapshots() {
    let desk = desk();
    for (lang, name) in [(Lang::En, "en"), (Lang::ZhCn, "zh")] {
        for (w, h) in [(80, 24), (132, 43)] {
            let mut chen = app(&desk.path, "chen.jie", lang);
            reports_tab(&mut chen);
            let terminal = draw(&mut chen, w, h);
            insta::assert_snapshot!(format!("reports_mono_{name}_{w}x{h}"), terminal.backend());
            // Compared with October.
            key(&mut chen, KeyCode::Char('c'));
            let terminal = draw(&mut chen, w, h);
            insta::assert_snapshot!(format!("compare_mono_{name}_{w}x{h}"), terminal.backend());
        }
        // At 80×24 the sections beneath the charts a page down (CSAT by score, complaints,
        // replies and points, reminders, wrap-up codes); the operators and roles at the end.
        let mut chen = app(&desk.path, "chen.jie", lang);
        reports_tab(&mut chen);
        draw(&mut chen, 80, 24);
        key(&mut chen, KeyCode::PageDown);
        let terminal = draw(&mut chen, 80, 24);
        insta::assert_snapshot!(format!("page_down_mono_{name}_80x24"), terminal.backend());
        key(&mut chen, KeyCode::End);
        let terminal = draw(&mut chen, 80, 24);
        insta::assert_snapshot!(format!("scrolled_mono_{name}_80x24"), terminal.backend());
        // A year: the months by number, the sparkline several days a column.
        for _ in 0..3 {
            key(&mut chen, KeyCode::Right);
        }
        assert_eq!(pane(&chen).period, Some(PeriodName::Year));
        key(&mut chen, KeyCode::Home);
        let terminal = draw(&mut chen, 80, 24);
        insta::assert_snapshot!(format!("year_mono_{name}_80x24"), terminal.backend());
        key(&mut chen, KeyCode::End);
        let terminal = draw(&mut chen, 80, 24);
        insta::assert_snapshot!(
            format!("year_scrolled_mono_{name}_80x24"),
            terminal.backend()
        );
        // Its keys, in help.
        key(&mut chen, KeyCode::Char('?'));
        let terminal = draw(&mut chen, 80, 24);
        insta::assert_snapshot!(format!("help_mono_{name}_80x24"), terminal.backend());
    }
}

/// At 80×24, after `e` the message line saying where the CSV went takes two lines (the path
/// is longer than the screen is wide), the figures one line less: `End` still reaches the last
/// operator's row (it stopped a line short, the row hidden under "more below").
#[test]
fn end_reaches_the_last_row_while_the_export_message_takes_two_lines() {
    let sandbox = common::Sandbox::new();
    sandbox.init();
    {
        let mut store = open_at_screen_time(&sandbox.db);
        let admin = store.actor(&common::login(), None).expect("admin");
        fill(&mut store, &admin);
    }
    let exports = sandbox.dir.path().join("exports");
    let store = open_at_screen_time(&sandbox.db);
    let actor = store.actor("chen.jie", None).expect("chen");
    let mut s = settings(Lang::En, "desk.db");
    s.exports_dir = exports;
    let mut chen = App::new(store, actor, s);
    reports_tab(&mut chen);
    draw(&mut chen, 80, 24);
    key(&mut chen, KeyCode::Char('e'));
    let said = message(&chen);
    assert!(said.chars().count() > 80, "a message of two lines: {said}");
    key(&mut chen, KeyCode::End);
    let terminal = draw(&mut chen, 80, 24);
    let text = common::screen::buffer_text(terminal.backend().buffer());
    let last = november(&sandbox.db, None)
        .per_operator
        .last()
        .map(|o| o.login.clone())
        .expect("operators");
    let rows: Vec<&str> = text.lines().collect();
    assert!(
        rows[..rows.len() - 3]
            .iter()
            .any(|l| l.starts_with(&format!("│{last} "))),
        "{last}'s row at the end:\n{text}"
    );
    assert!(!text.contains("more below"), "{text}");
}
