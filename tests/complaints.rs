//! Working a complaint through the store (DESIGN §3.4, issue 13): its clocks counted in the
//! working calendar, each step checked and recorded, claims that one operator wins, waiting
//! that pauses the resolution clock, the follow-up that closes or reopens, merges, and the
//! automatic escalation that happens once per breached clock. Expected times are worked by
//! hand from the calendar's rules (09:00–18:00 Monday to Friday, Beijing time).

mod common;

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};

use careline::domain::complaint::{NewComplaint, Severity, SlaRules, Status};
use careline::domain::complaint_step::Compensation;
use careline::domain::customer::{Channel, Level};
use careline::store::{
    Actor, Clock, ComplaintFilter, NewInteraction, OpenOptions, Role, Store, StoreError, Work,
};
use common::{count, customer, phone, TempDb, ADMIN};

/// A Beijing wall-clock time.
fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .expect("an offset")
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a time")
        .with_timezone(&Utc)
}

fn rules(clock: &str, auto_escalate: bool) -> SlaRules {
    SlaRules {
        clock: clock.into(),
        time_zone: "+08:00".into(),
        auto_escalate,
        ..SlaRules::default()
    }
}

fn open_with(db: &TempDb, sla: SlaRules, at: DateTime<Utc>) -> Store {
    let mut store = Store::open(
        &db.path,
        OpenOptions {
            sla,
            ..OpenOptions::default()
        },
    )
    .expect("the database opens");
    store.set_clock(Clock::Fixed(at));
    store
}

struct Desk {
    db: TempDb,
    store: Store,
    admin: Actor,
    ana: Actor,
    bo: Actor,
    boss: Actor,
    customer: i64,
}

fn desk(sla: SlaRules, at: DateTime<Utc>) -> Desk {
    let db = TempDb::new();
    let mut store = open_with(&db, sla, at);
    let admin = store.init_admin(ADMIN, "The Boss").expect("init");
    let mut actor = |login: &str, name: &str, role| -> Actor {
        store
            .add_operator(&admin, login, name, role)
            .expect("operator")
            .into()
    };
    let ana = actor("ana", "安娜", Role::Operator);
    let bo = actor("bo", "薄波", Role::Operator);
    let boss = actor("sup", "主管", Role::Supervisor);
    let customer = store
        .create_customer(&admin, &customer("王秀英", vec![phone("13812345678")]))
        .expect("create")
        .id;
    Desk {
        db,
        store,
        admin,
        ana,
        bo,
        boss,
        customer,
    }
}

fn by_email(title: &str, severity: Severity) -> NewComplaint {
    NewComplaint {
        category: "delivery".parse().expect("category"),
        severity,
        title: title.into(),
        description: Some("快递三天没动".into()),
        channel: Channel::Email,
    }
}

fn at(store: &mut Store, t: DateTime<Utc>) {
    store.set_clock(Clock::Fixed(t));
}

/// The open queue's complaint ids, in queue order; only the breached ones when asked.
fn open_ids(store: &Store, actor: &Actor, breached: bool) -> Vec<i64> {
    store
        .complaints(
            actor,
            &ComplaintFilter {
                open: true,
                breached,
                ..Default::default()
            },
        )
        .expect("queue")
        .iter()
        .map(|k| k.id)
        .collect()
}

fn refused(result: careline::store::Result<careline::store::Worked>) -> String {
    match result {
        // Someone else's claim (who holds it), or a step the complaint does not allow (what
        // it allows): the same sentence the CLI prints.
        Err(e @ (StoreError::Conflict(_) | StoreError::Refused { .. })) => e.to_string(),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn an_emailed_complaint_counts_working_time_through_its_whole_life() {
    // Friday 2026-11-27 17:50 Beijing, by email, normal severity.
    let mut d = desk(rules("business", false), bj(2026, 11, 27, 17, 50));
    let (ana, bo, boss) = (d.ana.clone(), d.bo.clone(), d.boss.clone());
    let k = d
        .store
        .open_complaint(
            &ana,
            d.customer,
            &by_email("快递延误", Severity::Normal),
            None,
        )
        .expect("open");
    let id = k.id;
    assert_eq!(k.status, Status::New);
    assert_eq!(k.assignee_id, None, "an email is not taken in person");
    // 30 min: 10 on Friday, 20 on Monday → Monday 09:20.
    assert_eq!(k.ack_due_at, bj(2026, 11, 30, 9, 20));
    // 2 h: 10 min on Friday, 110 on Monday → Monday 10:50.
    assert_eq!(k.propose_due_at, bj(2026, 11, 30, 10, 50));
    // 72 h: 10 min on Friday, then seven 9-hour days (Mon 11-30 … Tue 12-08) = 63 h, and
    // 8 h 50 min on Wednesday 12-09 → 17:50.
    assert_eq!(k.resolve_due_at, bj(2026, 12, 9, 17, 50));
    assert!(k.calendar.starts_with("business hours"), "{}", k.calendar);
    assert_eq!(k.next_clock.as_deref(), Some("acknowledge"));

    // Monday 09:10: Ana claims it; Bo, a moment later, is told she has it.
    at(&mut d.store, bj(2026, 11, 30, 9, 10));
    let claimed = d
        .store
        .work_complaint(&ana, id, &Work::Claim { take_over: false })
        .expect("claim");
    assert_eq!(claimed.complaint.assignee.as_deref(), Some("ana"));
    assert_eq!(
        claimed.complaint.status,
        Status::New,
        "claiming does not acknowledge"
    );
    let lost = refused(
        d.store
            .work_complaint(&bo, id, &Work::Claim { take_over: false }),
    );
    assert!(lost.contains("already claimed by 安娜 (ana)"), "{lost}");

    // An internal note stops no clock; a note sent to the customer acknowledges, late.
    at(&mut d.store, bj(2026, 11, 30, 9, 15));
    let noted = d
        .store
        .work_complaint(
            &ana,
            id,
            &Work::Note {
                text: "查了物流单号".into(),
                to_customer: false,
            },
        )
        .expect("note");
    assert_eq!(noted.complaint.status, Status::New);
    assert_eq!(noted.complaint.acknowledged_at, None);
    at(&mut d.store, bj(2026, 11, 30, 9, 25));
    let told = d
        .store
        .work_complaint(
            &ana,
            id,
            &Work::Note {
                text: "已回复客户，正在处理".into(),
                to_customer: true,
            },
        )
        .expect("note to the customer");
    assert_eq!(told.complaint.status, Status::Acknowledged);
    assert_eq!(
        told.complaint.acknowledged_at,
        Some(bj(2026, 11, 30, 9, 25))
    );
    let ack = &told.complaint.clocks[0];
    assert_eq!((ack.state, ack.on_time), ("met", Some(false)));
    assert_eq!(ack.left_seconds, -5 * 60, "five minutes late");

    // Waiting on the courier from Monday 10:00 to Tuesday 10:00: 8 h + 1 h of working time
    // paused, so the resolution deadline moves from Wed 12-09 17:50 by 9 working hours.
    at(&mut d.store, bj(2026, 11, 30, 10, 0));
    let waiting = d
        .store
        .work_complaint(
            &ana,
            id,
            &Work::Wait {
                reason: "等快递公司回复".into(),
            },
        )
        .expect("wait");
    assert_eq!(waiting.complaint.status, Status::Waiting);
    assert!(waiting.complaint.clocks[2].paused);
    at(&mut d.store, bj(2026, 12, 1, 10, 0));
    let resumed = d
        .store
        .work_complaint(&ana, id, &Work::Resume { text: None })
        .expect("resume");
    assert_eq!(
        resumed.complaint.status,
        Status::Acknowledged,
        "back where it was"
    );
    assert_eq!(resumed.complaint.paused_seconds, 9 * 3600);
    assert_eq!(resumed.complaint.resolve_due_at, bj(2026, 12, 10, 17, 50));

    // Bo may not escalate Ana's complaint; the supervisor may, and hands it to Bo.
    at(&mut d.store, bj(2026, 12, 1, 10, 30));
    let not_his = refused(d.store.work_complaint(
        &bo,
        id,
        &Work::Escalate {
            reason: "客户要求主管处理".into(),
            to: None,
        },
    ));
    assert!(not_his.contains("only its assignee"), "{not_his}");
    let escalated = d
        .store
        .work_complaint(
            &boss,
            id,
            &Work::Escalate {
                reason: "客户要求主管处理".into(),
                to: Some("bo".into()),
            },
        )
        .expect("escalate");
    assert_eq!(escalated.complaint.status, Status::Escalated);
    assert_eq!(escalated.complaint.escalation_level, 1);
    assert_eq!(escalated.complaint.assignee.as_deref(), Some("bo"));

    // Bo proposes (the propose clock was due Monday 10:50: met late), compensates with
    // points, and resolves; the resolution asks for a follow-up call three days later.
    at(&mut d.store, bj(2026, 12, 1, 11, 0));
    let proposed = d
        .store
        .work_complaint(
            &bo,
            id,
            &Work::Propose {
                text: "补发并赠送积分".into(),
            },
        )
        .expect("propose");
    assert_eq!(proposed.complaint.clocks[1].on_time, Some(false));
    d.store
        .work_complaint(
            &bo,
            id,
            &Work::Compensate {
                kind: Compensation::Points,
                amount: 200,
                note: Some("延误补偿".into()),
            },
        )
        .expect("compensate");
    // The points ledger has no reader yet (the loyalty issue builds it): look at the row.
    assert_eq!(
        count(
            &d.db.raw(),
            "SELECT COALESCE(SUM(delta), 0) FROM points_ledger WHERE reason LIKE 'compensation for complaint%'"
        ),
        200
    );
    let resolved = d
        .store
        .work_complaint(
            &bo,
            id,
            &Work::Resolve {
                text: "已补发，客户收到".into(),
            },
        )
        .expect("resolve");
    assert_eq!(resolved.complaint.status, Status::Resolved);
    let reminder = resolved.follow_up_reminder.expect("a follow-up reminder");
    let follow_up = d.store.reminder(&bo, reminder).expect("reminder");
    assert_eq!(
        follow_up.due_on,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("a date")
    );
    assert!(
        open_ids(&d.store, &bo, false).is_empty(),
        "a resolved complaint leaves the queue"
    );

    // The customer is not satisfied: it reopens and the resolution clock restarts, 72 working
    // hours from Friday 12-04 10:00 → Wednesday 12-16 10:00 (eight days of 9 h).
    at(&mut d.store, bj(2026, 12, 4, 10, 0));
    let reopened = d
        .store
        .work_complaint(
            &ana,
            id,
            &Work::FollowUp {
                csat: 2,
                scale: 5,
                comment: Some("包装还是坏的".into()),
                satisfied: false,
            },
        )
        .expect("follow-up");
    assert_eq!(reopened.complaint.status, Status::Reopened);
    assert_eq!(reopened.complaint.csat, Some(2));
    assert_eq!(reopened.complaint.resolve_due_at, bj(2026, 12, 16, 10, 0));
    assert_eq!(reopened.complaint.next_clock.as_deref(), Some("resolve"));
    assert_eq!(
        d.store
            .reminder(&bo, reminder)
            .expect("reminder")
            .status
            .as_str(),
        "done"
    );

    let detail = d.store.complaint_detail(&ana, id).expect("detail");
    let kinds: Vec<(&str, &str)> = detail
        .events
        .iter()
        .map(|e| (e.kind.as_str(), e.operator.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("opened", "ana"),
            ("claim", "ana"),
            ("note", "ana"),
            ("note", "ana"),
            ("wait", "ana"),
            ("resume", "ana"),
            ("escalate", "sup"),
            ("propose", "bo"),
            ("compensate", "bo"),
            ("resolve", "bo"),
            ("follow_up", "ana"),
        ]
    );
    let contact: Vec<bool> = detail.events.iter().map(|e| e.customer_contact).collect();
    assert_eq!(
        contact,
        [true, false, false, true, false, false, false, true, false, false, true]
    );
    assert_eq!(detail.compensations.len(), 1);
    assert_eq!(detail.compensations[0].amount, 200);
    let compensated = detail
        .events
        .iter()
        .find(|e| e.kind == "compensate")
        .map(|e| e.english(&Utc));
    assert_eq!(compensated.as_deref(), Some("points 200: 延误补偿"));
    assert_eq!(
        d.store.customer(&bo, d.customer).expect("customer").points,
        200,
        "the points reach the customer's balance"
    );
}

#[test]
fn a_step_its_status_does_not_allow_is_refused_with_what_it_allows() {
    let mut d = desk(rules("24x7", false), common::fixed_now());
    let admin = d.admin.clone();
    let id = d
        .store
        .open_complaint(
            &admin,
            d.customer,
            &by_email("发票开错", Severity::Low),
            None,
        )
        .expect("open")
        .id;
    let message = refused(d.store.work_complaint(
        &admin,
        id,
        &Work::Resolve {
            text: "done".into(),
        },
    ));
    assert_eq!(
        message,
        format!(
            "complaint {id}: the complaint is new; what it allows now: acknowledge, claim, \
             note, wait, escalate, compensate, merge"
        )
    );
    // Every problem of what was typed, each on its field.
    let Err(StoreError::Invalid(errors)) = d.store.work_complaint(
        &admin,
        id,
        &Work::Compensate {
            kind: Compensation::Refund,
            amount: -5,
            note: None,
        },
    ) else {
        panic!("a negative refund is refused");
    };
    assert_eq!(errors[0].field, "amount");
    // Money reads in yuan in the history (5,000 fen is ¥50.00).
    let refund = d
        .store
        .work_complaint(
            &admin,
            id,
            &Work::Compensate {
                kind: Compensation::Refund,
                amount: 5000,
                note: None,
            },
        )
        .expect("refund");
    let detail = d.store.complaint_detail(&admin, id).expect("detail");
    let text = detail
        .events
        .iter()
        .find(|e| e.id == refund.event_id)
        .map(|e| e.english(&Utc));
    assert_eq!(text.as_deref(), Some("refund ¥50.00"));
    // Escalation stops at the manager.
    for _ in 0..3 {
        d.store
            .work_complaint(
                &admin,
                id,
                &Work::Escalate {
                    reason: "升级".into(),
                    to: None,
                },
            )
            .expect("escalate");
    }
    let top = refused(d.store.work_complaint(
        &admin,
        id,
        &Work::Escalate {
            reason: "再升级".into(),
            to: None,
        },
    ));
    assert!(top.contains("already at level 3 (manager)"), "{top}");
}

#[test]
fn a_vip_customers_complaint_taken_on_the_phone_is_acknowledged_and_halved() {
    let mut d = desk(rules("24x7", false), common::fixed_now());
    let admin = d.admin.clone();
    let mut fields = customer("陈总", vec![phone("13900002222")]);
    fields.level = Level::Vip;
    let vip = d.store.create_customer(&admin, &fields).expect("vip").id;
    let mut call = by_email("空调不制冷", Severity::Critical);
    call.channel = Channel::PhoneIn;
    let k = d
        .store
        .open_complaint(&admin, vip, &call, None)
        .expect("open");
    let now = common::fixed_now();
    assert_eq!(k.status, Status::Acknowledged);
    assert_eq!(k.acknowledged_at, Some(now));
    assert_eq!(k.assignee.as_deref(), Some(ADMIN));
    assert!(k.vip);
    // Critical: 24 h, halved for a VIP; proposing: 2 h halved.
    assert_eq!(k.resolve_due_at, now + Duration::hours(12));
    assert_eq!(k.propose_due_at, now + Duration::hours(1));
    assert_eq!(k.next_clock.as_deref(), Some("propose"));
}

#[test]
fn a_logged_contact_about_a_new_complaint_acknowledges_it() {
    let mut d = desk(rules("24x7", false), common::fixed_now());
    let admin = d.admin.clone();
    let id = d
        .store
        .open_complaint(
            &admin,
            d.customer,
            &by_email("退款未到", Severity::High),
            None,
        )
        .expect("open")
        .id;
    let mut call = NewInteraction::contact(
        d.customer,
        Channel::PhoneOut,
        "information_given",
        common::fixed_now(),
        common::fixed_now() + Duration::minutes(3),
        "已告知退款进度",
    );
    call.complaint_id = Some(id);
    let logged = d.store.log_interaction(&admin, &call).expect("log");
    let k = d.store.complaint(&admin, id).expect("complaint");
    assert_eq!(k.status, Status::Acknowledged);
    assert!(k.acknowledged_at.is_some());
    let detail = d.store.complaint_detail(&admin, id).expect("detail");
    let contact = detail.events.last().expect("an event");
    assert_eq!(contact.kind, "contact");
    assert_eq!(contact.interaction_id, Some(logged.id));
    assert!(contact.customer_contact);
}

#[test]
fn merging_keeps_both_histories_under_one_complaint() {
    let mut d = desk(rules("24x7", false), common::fixed_now());
    let admin = d.admin.clone();
    let first = d
        .store
        .open_complaint(
            &admin,
            d.customer,
            &by_email("快递延误", Severity::Normal),
            None,
        )
        .expect("open")
        .id;
    let second = d
        .store
        .open_complaint(
            &admin,
            d.customer,
            &by_email("又问快递", Severity::Normal),
            None,
        )
        .expect("open")
        .id;
    let other_customer = d
        .store
        .create_customer(&admin, &customer("李娜", vec![phone("13900001111")]))
        .expect("create")
        .id;
    let elsewhere = d
        .store
        .open_complaint(
            &admin,
            other_customer,
            &by_email("别的事", Severity::Low),
            None,
        )
        .expect("open")
        .id;
    let Err(StoreError::Invalid(errors)) =
        d.store
            .work_complaint(&admin, second, &Work::Merge { into: elsewhere })
    else {
        panic!("merging into another customer's complaint is refused");
    };
    assert_eq!(errors[0].field, "into");
    let merged = d
        .store
        .work_complaint(&admin, second, &Work::Merge { into: first })
        .expect("merge");
    assert_eq!(merged.complaint.status, Status::Merged);
    assert_eq!(merged.complaint.merged_into, Some(first));
    let detail = d.store.complaint_detail(&admin, first).expect("detail");
    assert_eq!(detail.merged_from, [second]);
    let from: Vec<i64> = detail.events.iter().map(|e| e.complaint_id).collect();
    assert!(from.contains(&second) && from.contains(&first), "{from:?}");
    let queue: Vec<i64> = open_ids(&d.store, &admin, false);
    assert!(!queue.contains(&second), "merged is not open: {queue:?}");
}

#[test]
fn each_breached_clock_escalates_once_whoever_sweeps() {
    let t = common::fixed_now();
    let mut d = desk(rules("24x7", true), t);
    let admin = d.admin.clone();
    let id = d
        .store
        .open_complaint(
            &admin,
            d.customer,
            &by_email("无人理会", Severity::Normal),
            None,
        )
        .expect("open")
        .id;
    let mut other = open_with(&d.db, rules("24x7", true), t);
    // Nothing breached yet.
    assert_eq!(
        d.store.sweep_complaints(&admin).expect("sweep").escalated,
        0
    );
    // 31 minutes: the acknowledge clock breached; two screens sweep, one escalates.
    at(&mut d.store, t + Duration::minutes(31));
    at(&mut other, t + Duration::minutes(31));
    assert_eq!(
        d.store.sweep_complaints(&admin).expect("sweep").escalated,
        1
    );
    assert_eq!(other.sweep_complaints(&admin).expect("sweep").escalated, 0);
    let k = d.store.complaint(&admin, id).expect("complaint");
    assert_eq!((k.status, k.escalation_level), (Status::New, 1));
    // 2 h 1 min: the propose clock too; 72 h 1 min: the resolution clock.
    at(&mut other, t + Duration::minutes(121));
    assert_eq!(other.sweep_complaints(&admin).expect("sweep").escalated, 1);
    at(&mut d.store, t + Duration::hours(72) + Duration::minutes(1));
    assert_eq!(
        d.store.sweep_complaints(&admin).expect("sweep").escalated,
        1
    );
    at(&mut d.store, t + Duration::hours(100));
    assert_eq!(
        d.store.sweep_complaints(&admin).expect("sweep").escalated,
        0
    );
    let detail = d.store.complaint_detail(&admin, id).expect("detail");
    let auto: Vec<&str> = detail
        .events
        .iter()
        .filter(|e| e.kind == "auto_escalate")
        .map(|e| e.operator.as_str())
        .collect();
    assert_eq!(auto, ["system", "system", "system"]);
    assert_eq!(detail.complaint.escalation_level, 3);
    // Without the setting, nothing is escalated.
    let mut off = open_with(&d.db, rules("24x7", false), t + Duration::hours(200));
    let late = off
        .open_complaint(
            &admin,
            d.customer,
            &by_email("另一件", Severity::Low),
            Some(t),
        )
        .expect("back-entered");
    assert_eq!(off.sweep_complaints(&admin).expect("sweep").escalated, 0);
    assert_eq!(
        off.complaint(&admin, late.id).expect("complaint").clocks[0].state,
        "breached"
    );
}

#[test]
fn the_queue_is_ordered_by_the_next_deadline_and_counts_breaches() {
    let t = common::fixed_now();
    let mut d = desk(rules("24x7", false), t);
    let admin = d.admin.clone();
    let low = d
        .store
        .open_complaint(&admin, d.customer, &by_email("低", Severity::Low), None)
        .expect("open")
        .id;
    // Received three hours ago by letter: acknowledge and propose are breached.
    let old = d
        .store
        .open_complaint(
            &admin,
            d.customer,
            &by_email("信件", Severity::Normal),
            Some(t - Duration::hours(3)),
        )
        .expect("open")
        .id;
    // Received 25 minutes ago: 5 of its 30 minutes left, under a quarter: due soon.
    let soon = d
        .store
        .open_complaint(
            &admin,
            d.customer,
            &by_email("邮件", Severity::High),
            Some(t - Duration::minutes(25)),
        )
        .expect("open")
        .id;
    let queue: Vec<i64> = open_ids(&d.store, &admin, false);
    assert_eq!(queue, [old, soon, low]);
    assert_eq!(d.store.complaint_counts().expect("counts"), (1, 1));
    let breached: Vec<i64> = open_ids(&d.store, &admin, true);
    assert_eq!(breached, [old]);
    let future = d.store.open_complaint(
        &admin,
        d.customer,
        &by_email("未来", Severity::Low),
        Some(t + Duration::hours(1)),
    );
    assert!(
        matches!(&future, Err(StoreError::Invalid(e)) if e[0].field == "complaint_at"),
        "{future:?}"
    );
}

#[test]
fn the_follow_up_call_falls_on_a_working_day() {
    // Resolved Thursday 2026-11-26 in business hours: three days on is Sunday 11-29, a closed
    // day, so the call is due Monday 11-30.
    let mut d = desk(rules("business", false), bj(2026, 11, 26, 10, 0));
    let admin = d.admin.clone();
    let (id, _) = resolved_invoice_complaint(&mut d);
    let detail = d.store.complaint_detail(&admin, id).expect("detail");
    assert_eq!(
        detail.follow_up.map(|f| f.due_on).as_deref(),
        Some("2026-11-30")
    );
    assert_eq!(
        detail
            .complaint
            .follow_up_on
            .map(|d| d.to_string())
            .as_deref(),
        Some("2026-11-30")
    );
}

#[test]
fn a_complaint_opened_round_the_clock_keeps_counting_round_the_clock() {
    // Opened Monday 2026-11-23 10:00 by email in 24×7: acknowledge due 10:30.
    let d = desk(rules("24x7", false), bj(2026, 11, 23, 10, 0));
    let mut store = d.store;
    let k = store
        .open_complaint(
            &d.admin,
            d.customer,
            &by_email("丢件", Severity::Normal),
            None,
        )
        .expect("open");
    drop(store);
    // The centre moves to business hours; at 19:00 the 24×7 complaint is 8 h 30 min over,
    // not the 7 h 30 min of working time between 10:30 and 18:00.
    let store = open_with(&d.db, rules("business", false), bj(2026, 11, 23, 19, 0));
    let k = store.complaint(&d.admin, k.id).expect("complaint");
    let ack = k
        .clocks
        .iter()
        .find(|c| c.clock == "acknowledge")
        .expect("clock");
    assert_eq!(ack.left_seconds, -(8 * 3600 + 30 * 60));
    let reading = k
        .next_reading_at(store.calendar(), bj(2026, 11, 23, 19, 0))
        .expect("reading");
    assert_eq!(reading.left, Duration::minutes(-(8 * 60 + 30)));
}

/// A low-severity emailed complaint of the desk's customer, acknowledged, proposed and
/// resolved by the admin: its number and the follow-up call resolving made, if any.
fn resolved_invoice_complaint(d: &mut Desk) -> (i64, Option<i64>) {
    let admin = d.admin.clone();
    let k = d
        .store
        .open_complaint(
            &admin,
            d.customer,
            &by_email("发票错误", Severity::Low),
            None,
        )
        .expect("open");
    let mut follow_up = None;
    for work in [
        Work::Acknowledge { text: None },
        Work::Propose {
            text: "重开发票".into(),
        },
        Work::Resolve {
            text: "已重开".into(),
        },
    ] {
        follow_up = d
            .store
            .work_complaint(&admin, k.id, &work)
            .expect("work")
            .follow_up_reminder;
    }
    (k.id, follow_up)
}

/// A complaint of a customer who asked not to be contacted is resolved without a follow-up
/// call: none is made (marking a customer so withdraws every call still to make, and the Care
/// pane never shows one).
#[test]
fn no_follow_up_call_is_made_to_a_do_not_contact_customer() {
    let mut d = desk(rules("business", false), bj(2026, 11, 26, 10, 0));
    let admin = d.admin.clone();
    let mut c = d.store.customer(&admin, d.customer).expect("the customer");
    c.fields.do_not_contact = true;
    d.store
        .edit_customer(&admin, d.customer, c.version, &c.fields)
        .expect("marked do-not-contact");
    let (id, follow_up) = resolved_invoice_complaint(&mut d);
    assert_eq!(follow_up, None);
    let detail = d.store.complaint_detail(&admin, id).expect("detail");
    assert!(detail.follow_up.is_none());
    assert_eq!(
        common::count(
            &d.db.raw(),
            "SELECT count(*) FROM reminders WHERE kind = 'complaint_follow_up'"
        ),
        0
    );
}

/// A complaint's follow-up call is completed by the complaint's follow-up step, never by a
/// contact linked to it: a call logged with it linked leaves it to make (and the complaint
/// waiting for the customer's satisfaction).
#[test]
fn a_contact_does_not_complete_a_complaints_follow_up_call() {
    let now = bj(2026, 11, 26, 10, 0);
    let mut d = desk(rules("business", false), now);
    let admin = d.admin.clone();
    let (id, follow_up) = resolved_invoice_complaint(&mut d);
    let follow_up = follow_up.expect("a follow-up call");
    let mut call = careline::store::NewInteraction::contact(
        d.customer,
        Channel::PhoneOut,
        "information_given",
        now - Duration::minutes(5),
        now,
        "回访：客户说发票收到了",
    );
    call.reminder_id = Some(follow_up);
    let logged = d.store.log_interaction(&admin, &call).expect("logged");
    assert_eq!(logged.reminder_done, None);
    let detail = d.store.complaint_detail(&admin, id).expect("detail");
    assert_eq!(detail.complaint.status, Status::Resolved);
    assert_eq!(
        detail.follow_up.map(|f| f.status).as_deref(),
        Some("open"),
        "still to make, by the follow-up step"
    );
}
