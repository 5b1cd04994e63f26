//! The supervisors' figures (issue 16, DESIGN §3.7) on a small desk made by hand: every
//! expected value below is worked from the definitions in docs/REPORTS.md, not read from the
//! code. The desk's times are at midday UTC, inside the same local day in any time zone from
//! −11 to +11 hours.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use careline::domain::complaint::{Category, NewComplaint, Severity};
use careline::domain::complaint_step::Compensation;
use careline::domain::customer::Channel;
use careline::domain::interaction::{FollowUp, FollowUpDue, FollowUpScope};
use careline::domain::report::{Period, ReportTargets};
use careline::domain::survey::{SurveyKind, SurveyRules};
use careline::store::{
    Actor, Clock, NewInteraction, NewPurchase, NewReminder, NewSurvey, ReminderWork, Report,
    ReportQuery, Role, Store, Work,
};
use common::Sandbox;

fn at(day: &str, hh: u32, mm: u32) -> DateTime<Utc> {
    let d: NaiveDate = day.parse().expect("day");
    Utc.from_utc_datetime(&d.and_hms_opt(hh, mm, 0).expect("time"))
}

fn d(day: &str) -> NaiveDate {
    day.parse().expect("day")
}

struct Desk {
    sandbox: Sandbox,
    store: Store,
    amy: Actor,
    bob: Actor,
    chen: Actor,
}

impl Desk {
    fn when(&mut self, t: DateTime<Utc>) -> &mut Store {
        self.store.set_clock(Clock::Fixed(t));
        &mut self.store
    }

    fn report(&mut self, from: &str, to: &str, operator: Option<&str>) -> Report {
        self.store.set_clock(Clock::Fixed(at("2026-04-01", 12, 0)));
        let query = ReportQuery {
            period: Period::between(d(from), d(to)).expect("period"),
            operator: operator.map(str::to_string),
            csat_scale: 5,
        };
        self.store
            .report(&self.chen, &query, &ReportTargets::default())
            .expect("report")
    }
}

fn contact(
    customer: i64,
    channel: Channel,
    disposition: &str,
    start: DateTime<Utc>,
    secs: i64,
) -> NewInteraction {
    let mut new = NewInteraction::contact(
        customer,
        channel,
        disposition,
        start,
        start + Duration::seconds(secs),
        "来电",
    );
    if matches!(disposition, "callback_needed" | "no_answer") {
        // A callback asks for its follow-up: on 20 April, after every period reported here.
        new.follow_up = Some(FollowUp {
            due: FollowUpDue {
                on: d("2026-04-20"),
                at: at("2026-04-20", 1, 0),
            },
            scope: FollowUpScope::Anyone,
        });
    }
    new
}

fn complaint(category: Category) -> NewComplaint {
    NewComplaint {
        category,
        severity: Severity::Normal,
        title: "投诉".into(),
        description: None,
        channel: Channel::Email,
    }
}

/// March 2026 on a desk of four customers, operators amy and bob, supervisor chen.jie and an
/// operator dave who did nothing.
fn desk() -> (Desk, [i64; 4]) {
    let sandbox = Sandbox::new();
    sandbox.init();
    let mut store = sandbox.store();
    let admin = store.actor(&common::login(), None).expect("admin");
    for (login, role) in [
        ("amy", Role::Operator),
        ("bob", Role::Operator),
        ("dave", Role::Operator),
        ("chen.jie", Role::Supervisor),
    ] {
        store
            .add_operator(&admin, login, login, role)
            .expect("operator");
    }
    let mut ids = [0; 4];
    for (n, name) in ["王秀英", "张伟", "李娜", "陈静"].iter().enumerate() {
        let phone = format!("1380000000{n}");
        ids[n] = store
            .create_customer(&admin, &common::customer(name, vec![common::phone(&phone)]))
            .expect("customer")
            .id;
    }
    let amy = store.actor("amy", None).expect("amy");
    let bob = store.actor("bob", None).expect("bob");
    let chen = store.actor("chen.jie", None).expect("chen");
    (
        Desk {
            sandbox,
            store,
            amy,
            bob,
            chen,
        },
        ids,
    )
}

/// The hand-made month: see each step's comment for what it adds to the figures.
fn march() -> (Desk, [i64; 4]) {
    let (mut desk, [c1, c2, c3, c4]) = desk();
    let (amy, bob) = (desk.amy.clone(), desk.bob.clone());

    // Contacts. In February (outside): one call of amy's.
    let feb = at("2026-02-20", 12, 0);
    desk.when(feb)
        .log_interaction(
            &amy,
            &contact(c1, Channel::PhoneIn, "resolved_first_contact", feb, 100),
        )
        .expect("feb");
    // March: amy — an inbound call resolved (300 s), an inbound call needing a callback
    // (120 s), an outbound call not answered (60 s).
    for (t, channel, code, secs) in [
        (
            at("2026-03-10", 12, 0),
            Channel::PhoneIn,
            "resolved_first_contact",
            300,
        ),
        (
            at("2026-03-11", 12, 0),
            Channel::PhoneIn,
            "callback_needed",
            120,
        ),
        (at("2026-03-12", 12, 0), Channel::PhoneOut, "no_answer", 60),
    ] {
        desk.when(t)
            .log_interaction(&amy, &contact(c1, channel, code, t, secs))
            .expect("amy's contact");
    }
    // bob — an inbound email answered with information (600 s), and a call logged as
    // information given (180 s) then corrected to "callback needed": it counts once, as
    // corrected.
    let email_at = at("2026-03-13", 12, 0);
    desk.when(email_at)
        .log_interaction(
            &bob,
            &contact(c2, Channel::Email, "information_given", email_at, 600),
        )
        .expect("email");
    let call_at = at("2026-03-14", 12, 0);
    let logged = desk
        .when(call_at)
        .log_interaction(
            &bob,
            &contact(c2, Channel::PhoneIn, "information_given", call_at, 180),
        )
        .expect("call");
    let mut corrected = contact(c2, Channel::PhoneIn, "callback_needed", call_at, 180);
    corrected.amends_id = Some(logged.id);
    desk.when(call_at + Duration::minutes(10))
        .log_interaction(&bob, &corrected)
        .expect("correction");

    // Complaints (24x7 clocks: acknowledge 30 min, propose 120 min, resolve 72 h).
    // K3, opened by amy on 25 Feb: acknowledged in 5 min, proposed late on 2 Mar, resolved on
    // 2 Mar (late: due 28 Feb). Its clocks were decided in February; it counts as resolved in
    // March.
    let k3 = desk
        .when(at("2026-02-25", 12, 0))
        .open_complaint(&amy, c3, &complaint(Category::Price), None)
        .expect("k3")
        .id;
    for (t, work) in [
        (at("2026-02-25", 12, 5), Work::Acknowledge { text: None }),
        (
            at("2026-03-02", 11, 0),
            Work::Propose {
                text: "退差价".into(),
            },
        ),
        (
            at("2026-03-02", 12, 0),
            Work::Resolve {
                text: "已退".into(),
            },
        ),
    ] {
        desk.when(t)
            .work_complaint(&amy, k3, &work)
            .expect("k3 work");
    }
    // K1, opened by amy on 5 Mar: acknowledged after 10 min, proposed after 60 min, 200
    // points of compensation, resolved the next day — every clock met.
    let k1 = desk
        .when(at("2026-03-05", 12, 0))
        .open_complaint(&amy, c1, &complaint(Category::ProductQuality), None)
        .expect("k1")
        .id;
    for (t, work) in [
        (at("2026-03-05", 12, 10), Work::Acknowledge { text: None }),
        (
            at("2026-03-05", 13, 0),
            Work::Propose {
                text: "换货".into(),
            },
        ),
        (
            at("2026-03-05", 13, 30),
            Work::Compensate {
                kind: Compensation::Points,
                amount: 200,
                note: None,
            },
        ),
        (
            at("2026-03-06", 12, 0),
            Work::Resolve {
                text: "已换".into(),
            },
        ),
    ] {
        desk.when(t)
            .work_complaint(&amy, k1, &work)
            .expect("k1 work");
    }
    // K2, opened by bob on 20 Mar: acknowledged after 60 min (late), then nothing — its
    // propose and resolve clocks breach in March (14:00 on the 20th, 12:00 on the 23rd).
    let k2 = desk
        .when(at("2026-03-20", 12, 0))
        .open_complaint(&bob, c2, &complaint(Category::Delivery), None)
        .expect("k2")
        .id;
    desk.when(at("2026-03-20", 13, 0))
        .work_complaint(&bob, k2, &Work::Acknowledge { text: None })
        .expect("k2 ack");

    // Surveys in March: CSAT 5 and 4 taken by amy, 2 by bob; NPS 10, 9, 7, 3.
    let rules = SurveyRules::default();
    let t = at("2026-03-25", 12, 0);
    for (who, customer, kind, score) in [
        (&amy, c1, SurveyKind::Csat, 5),
        (&amy, c2, SurveyKind::Csat, 4),
        (&bob, c3, SurveyKind::Csat, 2),
        (&amy, c1, SurveyKind::Nps, 10),
        (&amy, c2, SurveyKind::Nps, 9),
        (&bob, c3, SurveyKind::Nps, 7),
        (&bob, c4, SurveyKind::Nps, 3),
    ] {
        let survey = NewSurvey {
            customer_id: customer,
            kind,
            score,
            comment: None,
            interaction_id: None,
        };
        desk.when(t)
            .add_survey(who, &survey, &rules)
            .expect("survey");
    }

    // Purchases: in February c1 once and c2 twice; in March c1 and c3.
    for (customer, day) in [
        (c1, "2026-02-10"),
        (c2, "2026-02-15"),
        (c2, "2026-02-20"),
        (c1, "2026-03-10"),
        (c3, "2026-03-12"),
    ] {
        let purchase = NewPurchase {
            customer_id: customer,
            order_no: None,
            purchased_on: d(day),
            amount_cents: 10_000,
            product: None,
            category: None,
            quantity: 1,
            channel: None,
        };
        desk.when(at(day, 12, 0))
            .add_purchase(&amy, &purchase)
            .expect("purchase");
    }

    // Reminders added by hand: due 15 and 16 March (the second done), and 2 April.
    let mut reminders = Vec::new();
    for day in ["2026-03-15", "2026-03-16", "2026-04-02"] {
        let new = NewReminder {
            customer_id: c4,
            due_on: d(day),
            title: "回访".into(),
            note: None,
            scope: FollowUpScope::Anyone,
            assignee: None,
        };
        reminders.push(
            desk.when(at("2026-03-01", 12, 0))
                .add_reminder(&amy, &new)
                .expect("reminder"),
        );
    }
    desk.when(at("2026-03-16", 12, 0))
        .work_reminder(&amy, reminders[1], &ReminderWork::Done { note: None })
        .expect("done");
    (desk, [c1, c2, c3, c4])
}

#[test]
fn a_month_of_figures_worked_by_hand() {
    let (mut desk, _) = march();
    let r = desk.report("2026-03-01", "2026-03-31", None);
    // Five contacts (the corrected call once): 3 inbound calls, 1 outbound, 1 email.
    assert_eq!(r.contacts, 5);
    assert_eq!(r.contacts_by_channel.get("phone_in"), Some(&3));
    assert_eq!(r.contacts_by_channel.get("phone_out"), Some(&1));
    assert_eq!(r.contacts_by_channel.get("email"), Some(&1));
    assert_eq!(r.contacts_by_disposition.get("callback_needed"), Some(&2));
    assert_eq!(r.contacts_by_disposition.get("information_given"), Some(&1));
    assert_eq!(
        r.contacts_by_disposition.get("resolved_first_contact"),
        Some(&1)
    );
    assert_eq!(r.contacts_by_disposition.get("no_answer"), Some(&1));
    // "No answer" makes no contact.
    assert_eq!(r.contacts_made, 4);
    // (300 + 120 + 60 + 600 + 180) / 5.
    assert_eq!(r.avg_handle_seconds, Some(252.0));
    // Inbound contacts made: the two calls of amy's, bob's email and corrected call; resolved
    // among them: amy's first call and bob's email.
    assert_eq!(r.fcr_rate, Some(0.5));
    // Opened in March: K1 and K2; K1 is resolved. Resolved in March: K1 and K3.
    assert_eq!(r.complaints_opened, 2);
    assert_eq!(r.complaints_resolved, 2);
    assert_eq!(r.complaints_closed, 0);
    assert_eq!(r.resolution_rate, Some(0.5));
    // Clocks decided in March: K1's three (met), K2's three (acknowledged late, the other two
    // breached unmet). K3's were decided in February.
    for (clock, counts) in [
        ("acknowledge", r.sla_counts.acknowledge),
        ("propose", r.sla_counts.propose),
        ("resolve", r.sla_counts.resolve),
    ] {
        assert_eq!((counts.met, counts.decided), (1, 2), "{clock}");
    }
    assert_eq!(r.sla_compliance.acknowledge, Some(0.5));
    // First response: K1 after 600 s, K2 after 3600 s.
    assert_eq!(r.avg_first_response_seconds, Some(2100.0));
    assert_eq!(r.targets.avg_first_response_seconds.met, Some(false));
    assert_eq!(r.targets.resolution_rate.met, Some(false));
    // CSAT (5 + 4 + 2) / 3; NPS (2 promoters − 1 detractor) / 4 answers.
    assert_eq!(r.csat_answers, 3);
    assert!((r.csat_avg.expect("csat") - 11.0 / 3.0).abs() < 1e-9);
    let dist: Vec<i64> = r.csat_distribution.values().copied().collect();
    assert_eq!(dist, [0, 1, 0, 1, 1]);
    assert_eq!(r.nps, Some(25.0));
    assert_eq!(r.nps_answers, 4);
    // Buyers in February: c1, c2; of them c1 bought again in March.
    assert_eq!(r.period.previous_from, d("2026-02-01"));
    assert_eq!(r.retention_rate, Some(0.5));
    assert_eq!(r.targets.retention_rate.met, Some(false));
    // Active customers (a purchase in the 12 months to 31 March): c1, c2, c3; 2 complaints.
    assert!((r.complaint_rate.expect("rate") - 200.0 / 3.0).abs() < 1e-9);
    // Hot spots: one complaint of each category in March, by name.
    let spots: Vec<(&str, &str, i64)> = r
        .hot_spots
        .iter()
        .map(|h| (h.category.as_str(), h.month.as_str(), h.count))
        .collect();
    assert_eq!(
        spots,
        [
            ("delivery", "2026-03", 1),
            ("product_quality", "2026-03", 1)
        ]
    );
    // Reminders due in March: the two added by hand (one done), and the follow-up calls of
    // the complaints resolved, three days after (K3 on 5 March, K1 on 9 March).
    assert_eq!((r.reminders_due.total, r.reminders_done.total), (4, 1));
    assert_eq!(r.reminders_due.by_kind.get("manual"), Some(&2));
    assert_eq!(r.reminders_due.by_kind.get("complaint_follow_up"), Some(&2));
    // Points: K1's 200 of compensation, and 100 points (1 a yuan) for each of the ¥100.00
    // purchases in March (c1 on the 10th, c3 on the 12th); none redeemed or expired.
    assert_eq!(
        (r.points_earned, r.points_redeemed, r.points_expired),
        (400, 0, 0)
    );
    // bob's email was logged as answered (not marked as needing a reply): none owed, so no
    // rate.
    assert_eq!(r.replies.owed, 0);
    assert_eq!(r.replies.on_time_rate, None);

    // Per operator: dave did nothing and still has a row, with no rates.
    let row = |login: &str| {
        r.per_operator
            .iter()
            .find(|o| o.login == login)
            .unwrap_or_else(|| panic!("{login} in {:?}", r.per_operator))
            .clone()
    };
    let amy = row("amy");
    assert_eq!((amy.contacts, amy.contacts_made), (3, 2));
    assert_eq!(amy.avg_handle_seconds, Some(160.0));
    assert_eq!(amy.fcr_rate, Some(0.5));
    assert_eq!(amy.complaints_opened, 1);
    assert_eq!(amy.csat_avg, Some(4.5));
    let bob = row("bob");
    assert_eq!((bob.contacts, bob.contacts_made), (2, 2));
    assert_eq!(bob.avg_handle_seconds, Some(390.0));
    assert_eq!(bob.csat_avg, Some(2.0));
    let dave = row("dave");
    assert_eq!((dave.contacts, dave.complaints_opened), (0, 0));
    assert_eq!(
        (dave.avg_handle_seconds, dave.fcr_rate, dave.csat_avg),
        (None, None, None)
    );

    // Per role: the operators amy, bob and dave together — 5 contacts, 4 made; handle time
    // (300 + 120 + 60 + 600 + 180) / 5 = 252 s; inbound contacts made 4 (amy's two calls, bob's
    // email and corrected call), resolved 2 (amy's first call, bob's email); CSAT (5 + 4 +
    // 2) / 3. Then the supervisor chen.jie.
    let roles: Vec<(&str, i64)> = r
        .per_role
        .iter()
        .map(|g| (g.role.as_str(), g.operators))
        .collect();
    assert_eq!(&roles[..2], &[("operator", 3), ("supervisor", 1)]);
    let ops = &r.per_role[0];
    assert_eq!((ops.contacts, ops.contacts_made), (5, 4));
    assert_eq!(ops.avg_handle_seconds, Some(252.0));
    assert_eq!(ops.fcr_rate, Some(0.5));
    assert_eq!(ops.csat_answers, 3);
    assert_eq!(ops.csat_avg, Some(11.0 / 3.0));
}

#[test]
fn an_empty_period_has_nothing_to_show_and_says_so_with_null() {
    let (mut desk, _) = march();
    let r = desk.report("2025-06-01", "2025-06-30", None);
    assert_eq!((r.contacts, r.complaints_opened, r.csat_answers), (0, 0, 0));
    assert_eq!(r.avg_handle_seconds, None);
    assert_eq!(r.fcr_rate, None);
    assert_eq!(r.resolution_rate, None);
    assert_eq!(r.sla_compliance.resolve, None);
    assert_eq!(r.csat_avg, None);
    assert_eq!(r.nps, None);
    assert_eq!(r.retention_rate, None);
    assert_eq!(r.complaint_rate, None);
    assert_eq!(r.targets.resolution_rate.met, None);
    // February: K3 opened and acknowledged in 5 min; its propose and resolve clocks breached;
    // no surveys (null, not 0).
    let feb = desk.report("2026-02-01", "2026-02-28", None);
    assert_eq!(feb.complaints_opened, 1);
    assert_eq!(feb.complaints_resolved, 0, "resolved in March");
    assert_eq!(feb.resolution_rate, Some(1.0), "resolved since");
    assert_eq!(feb.sla_compliance.acknowledge, Some(1.0));
    assert_eq!(feb.sla_compliance.propose, Some(0.0));
    assert_eq!(feb.sla_compliance.resolve, Some(0.0));
    assert_eq!(feb.avg_first_response_seconds, Some(300.0));
    assert_eq!(feb.csat_avg, None);
    assert_eq!(feb.nps, None);
}

/// The sparkline's figures: complaints opened on each local day of the period, one entry a
/// day. March has K1 (opened 5 March) and K2 (20 March); K3 was opened on 25 February.
#[test]
fn complaints_opened_are_counted_per_day_of_the_period() {
    let (mut desk, _) = march();
    let r = desk.report("2026-03-01", "2026-03-31", None);
    let mut want = vec![0; 31];
    want[4] = 1; // 5 March
    want[19] = 1; // 20 March
    assert_eq!(r.complaints_per_day, want);
    assert_eq!(
        r.complaints_per_day.iter().sum::<i64>(),
        r.complaints_opened
    );
    // 20 February to 10 March: 9 days of February, then 10 of March. K3 on the sixth day,
    // K1 on the fourteenth.
    let r = desk.report("2026-02-20", "2026-03-10", None);
    let mut want = vec![0; 19];
    want[5] = 1;
    want[13] = 1;
    assert_eq!(r.complaints_per_day, want);
    // Narrowed to bob: the one he opened, K2.
    let r = desk.report("2026-03-01", "2026-03-31", Some("bob"));
    let mut want = vec![0; 31];
    want[19] = 1;
    assert_eq!(r.complaints_per_day, want);
    // A day with nothing is a 0, not left out.
    let r = desk.report("2026-03-06", "2026-03-06", None);
    assert_eq!(r.complaints_per_day, [0]);
}

#[test]
fn one_operator_narrows_the_figures_and_the_customer_base_figures_are_left_out() {
    let (mut desk, _) = march();
    let r = desk.report("2026-03-01", "2026-03-31", Some("bob"));
    assert_eq!(r.contacts, 2);
    assert_eq!(r.complaints_opened, 1);
    assert_eq!(r.csat_answers, 1);
    assert_eq!(r.per_operator.len(), 1);
    assert_eq!(r.retention_rate, None);
    assert_eq!(r.complaint_rate, None);
}

#[test]
fn an_operator_may_not_read_the_reports() {
    let (desk, _) = march();
    let query = ReportQuery {
        period: Period::between(d("2026-03-01"), d("2026-03-31")).expect("period"),
        operator: None,
        csat_scale: 5,
    };
    let amy = desk.amy.clone();
    let err = desk
        .store
        .report(&amy, &query, &ReportTargets::default())
        .expect_err("refused");
    assert!(err.to_string().contains("supervisor"), "{err}");
}

#[test]
fn the_command_prints_the_documented_json_and_a_table() {
    let (desk, _) = march();
    let json = desk.sandbox.ok(&[
        "report",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    for key in [
        "period",
        "contacts_by_channel",
        "contacts_by_disposition",
        "avg_handle_seconds",
        "fcr_rate",
        "complaints_opened",
        "complaints_per_day",
        "complaints_resolved",
        "resolution_rate",
        "sla_compliance",
        "avg_first_response_seconds",
        "csat_avg",
        "csat_distribution",
        "nps",
        "retention_rate",
        "complaint_rate",
        "hot_spots",
        "reminders_done",
        "reminders_due",
        "points_earned",
        "points_redeemed",
        "per_operator",
        "per_role",
        "pipeline",
    ] {
        assert!(v.get(key).is_some(), "{key} in {json}");
    }
    assert_eq!(v["nps"], 25.0);
    assert_eq!(v["complaints_per_day"].as_array().map(Vec::len), Some(31));
    assert_eq!(v["complaints_per_day"][4], 1);
    assert_eq!(v["sla_compliance"]["acknowledge"], 0.5);
    let empty = desk.sandbox.ok(&[
        "report",
        "--from",
        "2025-06-01",
        "--to",
        "2025-06-30",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&empty).expect("JSON");
    assert!(
        v["csat_avg"].is_null() && v["fcr_rate"].is_null(),
        "{empty}"
    );
    let table = desk
        .sandbox
        .ok(&["report", "--from", "2026-03-01", "--to", "2026-03-31"]);
    assert!(table.contains("Resolution rate"), "{table}");
    assert!(table.contains("50.0%"), "{table}");
    let csv = desk.sandbox.ok(&[
        "report",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "csv",
    ]);
    assert!(
        csv.starts_with("figure,dimension,value,target,met\n"),
        "{csv}"
    );
    assert!(csv.contains("\nresolution_rate,,0.5,0.95,no\n"), "{csv}");
    // One line a day of the complaints opened, the days with none too.
    assert!(
        csv.contains("\ncomplaints_per_day,2026-03-05,1,,\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\ncomplaints_per_day,2026-03-06,0,,\n"),
        "{csv}"
    );
    assert_eq!(csv.matches("\ncomplaints_per_day,").count(), 31, "{csv}");
    let err = desk
        .sandbox
        .fails(&["report", "--from", "2026-03-31", "--to", "2026-03-01"]);
    assert!(err.contains("--to"), "{err}");
    // The screen's names for the quarter and the year are taken as well.
    for (alias, name) in [
        ("this_quarter", "quarter"),
        ("this_year", "year"),
        ("this-quarter", "quarter"),
        ("this-year", "year"),
        ("this-month", "this_month"),
        ("last-month", "last_month"),
    ] {
        let period = |p: &str| {
            let v: serde_json::Value = serde_json::from_str(
                &desk
                    .sandbox
                    .ok(&["report", "--period", p, "--format", "json"]),
            )
            .expect("JSON");
            (v["period"]["from"].clone(), v["period"]["to"].clone())
        };
        assert_eq!(period(alias), period(name), "{alias}");
    }
    let err = desk.sandbox.fails(&["report", "--period", "fortnight"]);
    assert!(err.contains("this_month"), "{err}");
    assert!(err.contains("this_year"), "{err}");
    // A relative day that begins with a minus is a value, not an option: the 31 days to today.
    let v: serde_json::Value = serde_json::from_str(&desk.sandbox.ok(&[
        "report", "--from", "-30d", "--to", "today", "--format", "json",
    ]))
    .expect("JSON");
    let day = |key: &str| {
        v["period"][key]
            .as_str()
            .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
            .unwrap_or_else(|| panic!("period.{key} in {v}"))
    };
    assert_eq!((day("to") - day("from")).num_days(), 30, "{v}");
}

#[test]
fn nps_is_asked_at_most_once_in_its_days() {
    let (mut desk, [c1, ..]) = march();
    let amy = desk.amy.clone();
    let again = NewSurvey {
        customer_id: c1,
        kind: SurveyKind::Nps,
        score: 8,
        comment: None,
        interaction_id: None,
    };
    let err = desk
        .when(at("2026-04-10", 12, 0))
        .add_survey(&amy, &again, &SurveyRules::default())
        .expect_err("within 90 days");
    assert!(err.to_string().contains("at most once in 90 days"), "{err}");
    // 90 days after 25 March: 23 June.
    desk.when(at("2026-06-24", 12, 0))
        .add_survey(&amy, &again, &SurveyRules::default())
        .expect("asked again");
    let bad = NewSurvey {
        kind: SurveyKind::Csat,
        score: 6,
        ..again
    };
    let err = desk
        .when(at("2026-06-24", 12, 0))
        .add_survey(&amy, &bad, &SurveyRules::default())
        .expect_err("6 of 5");
    assert!(err.to_string().contains("csat"), "{err}");
}

/// A local day's first instant, as the report reads a period.
fn local_day(rfc3339: &str) -> NaiveDate {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("time")
        .with_timezone(&chrono::Local)
        .date_naive()
}

fn exported(desk: &Desk, kind: &str, period: bool) -> Vec<serde_json::Value> {
    let mut args = vec!["--as", "chen.jie", "export", kind, "--format", "json"];
    if period {
        args.extend(["--from", "2026-03-01", "--to", "2026-03-31"]);
    }
    let json = desk.sandbox.ok(&args);
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    rows.as_array().cloned().expect("an array of rows")
}

/// The Done-means check of issue 16 made a test: every figure of the supervisor's month is
/// recomputed here from `careline export … --format json`, by the definitions of
/// docs/REPORTS.md, and agrees with `careline report` (and with the hand-worked values).
#[test]
fn every_figure_agrees_with_a_recomputation_from_the_exports() {
    use careline::domain::opportunity::Stage;
    use careline::store::{NewOpportunity, StageMove};
    let (mut desk, [c1, c2, ..]) = march();
    let amy = desk.amy.clone();
    // Added to March: a redemption of 50 points, and three opportunities of amy's — one won
    // after 10 days, one lost, one still at proposal; and one won in April (after March).
    desk.when(at("2026-03-26", 12, 0))
        .redeem_points(&amy, c1, 50, "保温杯", Channel::PhoneIn)
        .expect("redeemed");
    let mut opportunity = |day: &str, title: &str, amount: i64| {
        desk.when(at(day, 12, 0))
            .add_opportunity(
                &amy,
                &NewOpportunity {
                    customer_id: c2,
                    title: title.into(),
                    product: None,
                    amount,
                    stage: Stage::Lead,
                    expected_close: None,
                    owner_id: None,
                },
            )
            .expect("opportunity")
    };
    let won = opportunity("2026-03-03", "净水器", 300_000);
    let lost = opportunity("2026-03-04", "空调", 500_000);
    let open = opportunity("2026-03-05", "冰箱", 200_000);
    let later = opportunity("2026-03-06", "烤箱", 100_000);
    for (day, id, to, reason) in [
        ("2026-03-13", won, Stage::Won, None),
        ("2026-03-20", lost, Stage::Lost, Some("价格")),
        ("2026-03-21", open, Stage::Proposal, None),
        ("2026-04-02", later, Stage::Won, None),
    ] {
        desk.when(at(day, 12, 0))
            .move_opportunity(
                &amy,
                id,
                &StageMove {
                    to,
                    reason: reason.map(str::to_string),
                    version: None,
                },
            )
            .expect("moved");
    }
    let report: serde_json::Value = serde_json::from_str(&desk.sandbox.ok(&[
        "--as",
        "chen.jie",
        "report",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "json",
    ]))
    .expect("report JSON");
    let (first, last) = (d("2026-03-01"), d("2026-03-31"));
    let in_march = |t: &serde_json::Value| {
        t.as_str()
            .map(local_day)
            .is_some_and(|day| day >= first && day <= last)
    };

    // Contacts: the log's entries started in March, each counted once as last corrected.
    let interactions = exported(&desk, "interactions", true);
    let contacts: Vec<_> = interactions
        .iter()
        .filter(|i| i["amended_by"].is_null())
        .collect();
    assert_eq!(
        contacts.len(),
        6,
        "3 of amy's and the redemption she logged, 2 of bob's (one corrected)"
    );
    let mut by_channel = std::collections::BTreeMap::<String, i64>::new();
    for c in &contacts {
        *by_channel
            .entry(c["channel"].as_str().expect("channel").to_string())
            .or_default() += 1;
    }
    assert_eq!(report["contacts"], contacts.len() as i64);
    assert_eq!(
        report["contacts_by_channel"],
        serde_json::to_value(&by_channel).expect("json")
    );

    // Complaints: opened in March (K1, K2); resolved in March whenever opened (K3, K1).
    let complaints = exported(&desk, "complaints", false);
    let opened = complaints
        .iter()
        .filter(|k| in_march(&k["opened_at"]) && k["status"] != "merged")
        .count();
    let resolved = complaints
        .iter()
        .filter(|k| in_march(&k["resolved_at"]))
        .count();
    assert_eq!((opened, resolved), (2, 2));
    assert_eq!(report["complaints_opened"], opened as i64);
    assert_eq!(report["complaints_resolved"], resolved as i64);
    assert_eq!(
        exported(&desk, "complaints", true).len(),
        opened,
        "--from/--to narrow complaints by the day they were opened"
    );

    // CSAT on the 5-point scale, and NPS: (promoters − detractors) × 100 / answers.
    let surveys = exported(&desk, "surveys", true);
    let csat: Vec<f64> = surveys
        .iter()
        .filter(|s| s["kind"] == "csat")
        .map(|s| {
            let (score, scale) = (
                s["score"].as_f64().expect("score"),
                s["scale"].as_f64().expect("scale"),
            );
            1.0 + (score - 1.0) * 4.0 / (scale - 1.0)
        })
        .collect();
    let mean = csat.iter().sum::<f64>() / csat.len() as f64;
    assert!((mean - 11.0 / 3.0).abs() < 1e-9, "5, 4 and 2: {mean}");
    let reported = report["csat_avg"].as_f64().expect("csat_avg");
    assert!((reported - mean).abs() < 1e-9, "{reported} against {mean}");
    let mut distribution = std::collections::BTreeMap::<String, i64>::new();
    for n in 1..=5 {
        distribution.insert(n.to_string(), 0);
    }
    for c in &csat {
        *distribution
            .entry(format!("{}", (c + 0.5).floor() as i64))
            .or_default() += 1;
    }
    assert_eq!(
        report["csat_distribution"],
        serde_json::to_value(&distribution).expect("json")
    );
    let nps: Vec<i64> = surveys
        .iter()
        .filter(|s| s["kind"] == "nps")
        .map(|s| s["score"].as_i64().expect("score"))
        .collect();
    let promoters = nps.iter().filter(|&&s| s >= 9).count() as f64;
    let detractors = nps.iter().filter(|&&s| s <= 6).count() as f64;
    let score = (promoters - detractors) * 100.0 / nps.len() as f64;
    assert_eq!(score, 25.0, "10, 9, 7, 3: (2 − 1) × 100 / 4");
    assert_eq!(report["nps"].as_f64(), Some(score));
    assert_eq!(report["nps_answers"], nps.len() as i64);

    // Reminders due in March, withdrawn ones left out, and those of them done, by kind.
    let reminders = exported(&desk, "reminder-history", true);
    let mut due = std::collections::BTreeMap::<String, i64>::new();
    let mut done = std::collections::BTreeMap::<String, i64>::new();
    for r in reminders.iter().filter(|r| r["status"] != "deleted") {
        let kind = r["kind"].as_str().expect("kind").to_string();
        *due.entry(kind.clone()).or_default() += 1;
        if r["status"] == "done" {
            *done.entry(kind).or_default() += 1;
        }
    }
    assert_eq!(due.get("manual"), Some(&2), "15 and 16 March");
    assert_eq!(done.get("manual"), Some(&1));
    for (key, counted) in [("reminders_due", &due), ("reminders_done", &done)] {
        assert_eq!(report[key]["total"], counted.values().sum::<i64>(), "{key}");
        for (kind, n) in report[key]["by_kind"].as_object().expect("by_kind") {
            assert_eq!(
                n.as_i64(),
                Some(counted.get(kind).copied().unwrap_or(0)),
                "{key} {kind}"
            );
        }
    }

    // Points: every gain credited in March; redeem rows; expire rows.
    let points = exported(&desk, "points", true);
    let sum = |keep: &dyn Fn(&serde_json::Value) -> bool| -> i64 {
        points
            .iter()
            .filter(|p| keep(p))
            .map(|p| p["delta"].as_i64().expect("delta"))
            .sum()
    };
    let earned = sum(&|p| p["delta"].as_i64() > Some(0));
    let redeemed = -sum(&|p| p["kind"] == "redeem");
    let expired = -sum(&|p| p["kind"] == "expire");
    assert_eq!(
        (earned, redeemed, expired),
        (100 + 100 + 200, 50, 0),
        "two purchases of ¥100 and 200 points of compensation; 50 redeemed"
    );
    assert_eq!(report["points_earned"], earned);
    assert_eq!(report["points_redeemed"], redeemed);
    assert_eq!(report["points_expired"], expired);

    // The pipeline as it stood at March's end: each opportunity at the `to` of its last
    // stage before then.
    let end = chrono::Local
        .from_local_datetime(&d("2026-04-01").and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .expect("local midnight")
        .with_timezone(&Utc);
    let before_end = |s: &serde_json::Value| {
        DateTime::parse_from_rfc3339(s["at"].as_str().expect("at")).expect("at") < end
    };
    let (mut open_count, mut open_amount) = (0i64, 0i64);
    let mut by_stage = std::collections::BTreeMap::<String, (i64, i64)>::new();
    let (mut won_count, mut won_amount, mut lost_count, mut days) = (0i64, 0i64, 0i64, vec![]);
    for o in exported(&desk, "opportunities", false) {
        let stages: Vec<_> = o["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .filter(|s| before_end(s))
            .cloned()
            .collect();
        let Some(standing) = stages.last() else {
            continue;
        };
        let fen = (o["amount"]
            .as_str()
            .expect("amount")
            .parse::<f64>()
            .expect("yuan")
            * 100.0)
            .round() as i64;
        match standing["to"].as_str().expect("to") {
            "won" if in_march(&standing["at"]) => {
                won_count += 1;
                won_amount += fen;
                let created = DateTime::parse_from_rfc3339(o["created_at"].as_str().expect("t"))
                    .expect("created");
                let at = DateTime::parse_from_rfc3339(standing["at"].as_str().expect("t"))
                    .expect("won at");
                days.push((at - created).num_seconds() as f64 / 86_400.0);
            }
            "lost" if in_march(&standing["at"]) => lost_count += 1,
            "won" | "lost" => {}
            stage => {
                open_count += 1;
                open_amount += fen;
                let entry = by_stage.entry(stage.to_string()).or_default();
                entry.0 += 1;
                entry.1 += fen;
            }
        }
    }
    assert_eq!(
        (open_count, won_count, lost_count),
        (2, 1, 1),
        "冰箱 at proposal and 烤箱 a lead at March's end; 净水器 won, 空调 lost"
    );
    let pipeline = &report["pipeline"];
    assert_eq!(pipeline["open"]["count"], open_count);
    assert_eq!(pipeline["open"]["amount"], open_amount);
    for (stage, (count, amount)) in &by_stage {
        assert_eq!(pipeline["open_by_stage"][stage]["count"], *count, "{stage}");
        assert_eq!(
            pipeline["open_by_stage"][stage]["amount"], *amount,
            "{stage}"
        );
    }
    assert_eq!(pipeline["won"]["count"], won_count);
    assert_eq!(pipeline["won"]["amount"], won_amount);
    assert_eq!(pipeline["lost"]["count"], lost_count);
    assert_eq!(pipeline["win_rate"].as_f64(), Some(0.5));
    assert_eq!(days, vec![10.0], "3 March to 13 March");
    assert_eq!(pipeline["avg_days_to_close"].as_f64(), Some(10.0));
}

#[test]
fn the_report_exports_say_what_they_cannot_narrow_and_are_audited() {
    let (desk, _) = march();
    // An operator does not read the reports, nor export the rows they count.
    let err = desk
        .sandbox
        .fails(&["--as", "amy", "export", "surveys", "--format", "json"]);
    assert!(err.contains("read the reports"), "{err}");
    let err = desk.sandbox.fails(&[
        "export",
        "surveys",
        "--from",
        "2026-03-31",
        "--to",
        "2026-03-01",
    ]);
    assert!(
        err.contains("--from 2026-03-31 is after --to 2026-03-01"),
        "{err}"
    );
    let err = desk
        .sandbox
        .fails(&["export", "customers", "--from", "2026-03-01"]);
    assert!(err.contains("customers are exported whole"), "{err}");
    let err = desk
        .sandbox
        .fails(&["export", "opportunities", "--to", "2026-03-01"]);
    assert!(err.contains("stage history"), "{err}");
    // K3 was acknowledged in 5 minutes (its 30 in time) and proposed late (due within 120
    // minutes of 25 February, proposed on 2 March): the export tells the two apart.
    let complaints: serde_json::Value = serde_json::from_str(&desk.sandbox.ok(&[
        "export",
        "complaints",
        "--from",
        "2026-02-25",
        "--to",
        "2026-02-25",
        "--format",
        "json",
    ]))
    .expect("JSON");
    assert_eq!(complaints[0]["acknowledge_clock"], "met", "{complaints}");
    assert_eq!(complaints[0]["propose_clock"], "met_late", "{complaints}");
    assert_eq!(complaints[0]["resolve_clock"], "met_late", "{complaints}");
    // An empty period still names its columns.
    let csv = desk.sandbox.ok(&[
        "export",
        "reminder-history",
        "--from",
        "2025-01-01",
        "--to",
        "2025-01-31",
    ]);
    assert_eq!(
        csv,
        "id,customer,kind,due,title,status,snoozed_until,assignee,done_interaction_id,skip_reason,complaint_id,created_by,created_at,updated_at\n"
    );
    // The answers of one day, in CSV.
    let csv = desk.sandbox.ok(&[
        "export",
        "surveys",
        "--from",
        "2026-03-25",
        "--to",
        "2026-03-25",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,customer,kind,score,scale,at,operator,interaction_id,complaint_id,comment"
    );
    assert_eq!(lines.len(), 1 + 7, "{csv}");
    let audit = desk
        .sandbox
        .ok(&["audit", "list", "--action", "export.surveys", "--json"]);
    let entries: serde_json::Value = serde_json::from_str(&audit).expect("audit JSON");
    let entries = entries.as_array().expect("entries");
    assert!(
        entries
            .iter()
            .any(|e| e["detail"]["rows"] == 7 && e["detail"]["from"] == "2026-03-25"),
        "{audit}"
    );
}
