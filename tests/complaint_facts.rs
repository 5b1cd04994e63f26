//! A complaint event keeps what a person typed in its text and what careline knows (a
//! compensation's amount, the CSAT, the complaint merged, the level and operator of an
//! escalation, the logged contact) as a fact, which each screen words in its own language:
//! on a real temporary database, through the store, the log pane's rendered buffer in both
//! languages, and the real binary's `complaint show`.
//!
//! The expected wording is the catalogue's, worked by hand: money in yuan (5,000 fen is
//! ¥50.00), escalation level 1 is the specialist (专员), a CSAT of 4 with the customer
//! satisfied reads "满意度 4/5 分，满意".

mod common;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

use careline::domain::complaint::{Category, NewComplaint, Severity};
use careline::domain::complaint_fact::{EventFact, NamedOperator};
use careline::domain::complaint_step::Compensation;
use careline::domain::customer::{Channel, Level};
use careline::domain::operator::Role;
use careline::store::{ComplaintEvent, Store, Work};
use careline::tui::component::Pane;
use careline::tui::desk::Desk;
use careline::tui::i18n::Lang;
use careline::tui::panes::log::Log;

use common::screen::{buffer_text, open_at_screen_time};

/// A desk where li.na (李娜) works one of 王秀英's complaints from opening to a satisfied
/// follow-up, escalating it to wang.fang (王芳) and refunding ¥50.00 on the way, and merges a
/// second complaint of hers into it. Returns the database's directory and path, the customer
/// and the two complaints (kept, merged).
struct Worked {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    customer: i64,
    kept: i64,
    merged: i64,
}

fn by_email(title: &str) -> NewComplaint {
    NewComplaint {
        category: Category::Delivery,
        severity: Severity::Normal,
        title: title.into(),
        description: None,
        channel: Channel::Email,
    }
}

fn worked() -> Worked {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    store
        .add_operator(&admin, "wang.fang", "王芳", Role::Operator)
        .expect("operator");
    let mut fields = common::customer("王秀英", vec![common::phone("13800000001")]);
    fields.level = Level::Normal;
    let customer = store.create_customer(&admin, &fields).expect("customer").id;
    let kept = store
        .open_complaint(&admin, customer, &by_email("快递三天没动"), None)
        .expect("open")
        .id;
    let merged = store
        .open_complaint(&admin, customer, &by_email("快递没到（重复）"), None)
        .expect("open")
        .id;
    let steps = [
        Work::Acknowledge { text: None },
        Work::Claim { take_over: false },
        Work::Escalate {
            reason: "需要专员上门".into(),
            to: Some("wang.fang".into()),
        },
        Work::Compensate {
            kind: Compensation::Refund,
            amount: 5000,
            note: Some("半价退还".into()),
        },
        Work::Propose {
            text: "补发并退一半运费".into(),
        },
        Work::Resolve {
            text: "已补发".into(),
        },
        Work::FollowUp {
            csat: 4,
            scale: 5,
            comment: Some("很满意".into()),
            satisfied: true,
        },
    ];
    // The admin may move a complaint someone else holds (wang.fang after the escalation).
    // The duplicate is merged while the complaint is still open (before its follow-up).
    for (n, work) in steps.iter().enumerate() {
        if n == 5 {
            store
                .work_complaint(&admin, merged, &Work::Merge { into: kept })
                .expect("merge");
        }
        store.work_complaint(&admin, kept, work).expect("step");
    }
    Worked {
        _dir: dir,
        path,
        customer,
        kept,
        merged,
    }
}

fn event<'a>(events: &'a [ComplaintEvent], complaint: i64, kind: &str) -> &'a ComplaintEvent {
    events
        .iter()
        .find(|e| e.complaint_id == complaint && e.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} event of complaint {complaint} in {events:#?}"))
}

#[test]
fn an_event_keeps_only_the_typed_text_and_careline_s_own_facts_apart() {
    let w = worked();
    let store = open_at_screen_time(&w.path);
    let admin = store.actor("li.na", None).expect("admin");
    let detail = store.complaint_detail(&admin, w.kept).expect("detail");
    let events = &detail.events;

    let escalate = event(events, w.kept, "escalate");
    assert_eq!(escalate.text.as_deref(), Some("需要专员上门"));
    assert_eq!(
        escalate.fact,
        Some(EventFact::Escalated {
            level: 1,
            reassigned_to: Some(NamedOperator {
                login: "wang.fang".into(),
                name: "王芳".into(),
            }),
        })
    );
    let compensate = event(events, w.kept, "compensate");
    assert_eq!(compensate.text.as_deref(), Some("半价退还"));
    assert_eq!(
        compensate.fact,
        Some(EventFact::Compensation {
            kind: Compensation::Refund,
            amount: 5000,
        })
    );
    let follow_up = event(events, w.kept, "follow_up");
    assert_eq!(follow_up.text.as_deref(), Some("很满意"));
    assert_eq!(
        follow_up.fact,
        Some(EventFact::FollowUp {
            csat: 4,
            scale: 5,
            satisfied: true,
        })
    );
    // The merge, on both complaints: nobody typed anything.
    let merged_into = event(events, w.merged, "merge");
    assert_eq!(merged_into.text, None);
    assert_eq!(
        merged_into.fact,
        Some(EventFact::MergedInto {
            complaint_id: w.kept
        })
    );
    let merged_from = event(events, w.kept, "merge");
    assert_eq!(merged_from.text, None);
    assert_eq!(
        merged_from.fact,
        Some(EventFact::MergedFrom {
            complaint_id: w.merged
        })
    );
    // Steps careline adds nothing to have no fact.
    let propose = event(events, w.kept, "propose");
    assert_eq!(propose.text.as_deref(), Some("补发并退一半运费"));
    assert_eq!(propose.fact, None);
    // The English wording (the command line's) of a fact and its text.
    assert_eq!(
        escalate.english(&chrono::Utc),
        "escalated to level 1 (specialist), reassigned to 王芳 (wang.fang): 需要专员上门"
    );
    assert_eq!(
        follow_up.english(&chrono::Utc),
        "CSAT 4/5, satisfied: 很满意"
    );
}

/// The customer's log, drawn 160 × 30 in `lang`.
fn log_screen(path: &std::path::Path, customer: i64, lang: Lang) -> String {
    let store: Store = open_at_screen_time(path);
    let actor = store.actor("li.na", None).expect("actor");
    let settings = common::screen::settings(lang, "desk.db");
    let mut desk = Desk::new(store, actor, settings);
    desk.customer = Some(customer);
    let mut log = Log::default();
    log.reload(&mut desk);
    let mut buf = Buffer::empty(Rect::new(0, 0, 160, 30));
    log.render(buf.area, &mut buf, &desk.view(true));
    buffer_text(&buf)
}

#[test]
fn the_log_pane_words_each_fact_in_the_screens_language() {
    let w = worked();
    let zh = log_screen(&w.path, w.customer, Lang::ZhCn);
    for wanted in [
        "升级至 1 级（专员），改派给 王芳：需要专员上门".to_string(),
        "退款 ¥50.00：半价退还".to_string(),
        "满意度 4/5 分，满意：很满意".to_string(),
        format!("并入投诉 #{}", w.kept),
        format!("投诉 #{} 已并入本投诉", w.merged),
    ] {
        assert!(zh.contains(&wanted), "{wanted} in:\n{zh}");
    }
    // No sentence careline used to write in English is left on the Chinese screen.
    for english in [
        "refund",
        "CSAT",
        "satisfied",
        "merged",
        "escalated to",
        "level",
    ] {
        assert!(!zh.contains(english), "{english} in:\n{zh}");
    }

    let en = log_screen(&w.path, w.customer, Lang::En);
    for wanted in [
        "to level 1 (specialist), reassigned to 王芳: 需要专员上门".to_string(),
        "refund ¥50.00: 半价退还".to_string(),
        "CSAT 4/5, satisfied: 很满意".to_string(),
        format!("merged into complaint #{}", w.kept),
        format!("complaint #{} merged into this one", w.merged),
    ] {
        assert!(en.contains(&wanted), "{wanted} in:\n{en}");
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn complaint_show_gives_each_events_fact_and_names_a_logged_contact() {
    let sandbox = common::Sandbox::new();
    sandbox.init();
    let code = sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王芳",
        "--phone",
        "13800138000",
    ]);
    let code = code.trim();
    let k = json(&sandbox.ok(&[
        "complaint",
        "open",
        "--customer",
        code,
        "--channel",
        "email",
        "--title",
        "The kettle leaks",
        "--json",
    ]));
    let id = k["id"].as_i64().expect("id").to_string();
    // A call about it, logged: contact with the customer acknowledges the new complaint.
    let logged = json(&sandbox.ok(&[
        "log",
        "add",
        "--customer",
        code,
        "--channel",
        "phone-in",
        "--disposition",
        "information_given",
        "--complaint",
        &id,
        "--summary",
        "Told her a new kettle is on its way",
        "--json",
    ]));
    let contact = logged["id"].as_i64().expect("the entry's id");
    sandbox.ok(&[
        "complaint",
        "compensate",
        &id,
        "--kind",
        "points",
        "--amount",
        "200",
        "--note",
        "for the wait",
    ]);
    let shown = json(&sandbox.ok(&["complaint", "show", &id, "--json"]));
    let events = shown["events"].as_array().expect("events");
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["opened", "contact", "compensate"], "{shown}");
    assert_eq!(events[0]["fact"], Value::Null, "opening has no fact");
    assert_eq!(events[1]["text"], Value::Null);
    assert_eq!(events[1]["interaction_id"], contact);
    assert_eq!(
        events[1]["fact"],
        serde_json::json!({"type": "contact", "interaction_id": contact, "channel": "phone_in"})
    );
    assert_eq!(events[2]["text"], "for the wait");
    assert_eq!(
        events[2]["fact"],
        serde_json::json!({"type": "compensation", "kind": "points", "amount": 200})
    );

    // The human history says which interaction the contact was, and the points as points.
    let text = sandbox.ok(&["complaint", "show", &id]);
    let line = |kind: &str| {
        text.lines()
            .find(|l| l.split_whitespace().nth(2) == Some(kind))
            .unwrap_or_else(|| panic!("no {kind} line in:\n{text}"))
            .to_string()
    };
    let contact_line = line("contact");
    assert!(
        contact_line.contains(&format!("interaction {contact} (phone_in)")),
        "{contact_line}"
    );
    assert!(
        contact_line.contains("new → acknowledged"),
        "{contact_line}"
    );
    assert!(contact_line.contains("[customer]"), "{contact_line}");
    assert!(
        line("compensate").contains("points 200: for the wait"),
        "{text}"
    );
}

#[test]
fn an_automatic_escalation_and_a_take_over_are_facts_and_an_older_event_keeps_its_text() {
    use careline::domain::complaint::SlaRules;
    use careline::domain::sla_clock::ClockKind;
    use careline::store::{Clock, OpenOptions};
    use chrono::Duration;

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let now = common::screen::screen_now();
    let open = |at| {
        let mut store = Store::open(
            &path,
            OpenOptions {
                create: true,
                sla: SlaRules {
                    auto_escalate: true,
                    ..SlaRules::default()
                },
                ..OpenOptions::default()
            },
        )
        .expect("open");
        store.set_clock(Clock::Fixed(at));
        store
    };
    // Opened by email 40 minutes ago: the acknowledgement (30 min) was due 10 minutes ago.
    let mut store = open(now - Duration::minutes(40));
    let admin = store.init_admin("li.na", "李娜").expect("init");
    store
        .add_operator(&admin, "wang.fang", "王芳", Role::Operator)
        .expect("operator");
    let wang = store.actor("wang.fang", None).expect("wang.fang");
    let customer = store
        .create_customer(
            &admin,
            &common::customer("王秀英", vec![common::phone("13800000001")]),
        )
        .expect("customer")
        .id;
    let id = store
        .open_complaint(&admin, customer, &by_email("快递三天没动"), None)
        .expect("open")
        .id;
    store
        .work_complaint(&wang, id, &Work::Claim { take_over: false })
        .expect("wang.fang claims it");
    let mut store = open(now);
    let sweep = store.sweep_complaints(&admin).expect("sweep");
    assert_eq!(sweep.escalated, 1);
    store
        .work_complaint(&admin, id, &Work::Claim { take_over: true })
        .expect("the admin takes it over");
    // An event as careline wrote them before it kept facts: its sentence is all there is.
    common::raw(&path)
        .execute(
            "INSERT INTO complaint_events (complaint_id, operator_id, at, kind, from_status,
                to_status, text) VALUES (?1, NULL, ?2, 'auto_escalate', 'in_progress',
                'escalated', 'the propose clock breached (due 2026-11-20 12:00); escalated to level 2 (supervisor)')",
            rusqlite::params![id, (now - Duration::days(3)).timestamp()],
        )
        .expect("an older event");

    let detail = store.complaint_detail(&admin, id).expect("detail");
    let events = &detail.events;
    let auto = events
        .iter()
        .find(|e| e.kind == "auto_escalate" && e.fact.is_some())
        .expect("the sweep's escalation");
    assert_eq!(auto.operator, "system");
    assert_eq!(auto.text, None);
    assert_eq!(
        auto.fact,
        Some(EventFact::AutoEscalated {
            clock: ClockKind::Acknowledge,
            due_at: now - Duration::minutes(10),
            level: 1,
        })
    );
    let take_over = events
        .iter()
        .rfind(|e| e.kind == "claim")
        .expect("the take-over");
    assert_eq!(
        take_over.fact,
        Some(EventFact::TakenOver {
            from: NamedOperator {
                login: "wang.fang".into(),
                name: "王芳".into(),
            },
        })
    );
    let older = events
        .iter()
        .find(|e| e.fact.is_none() && e.kind == "auto_escalate");
    assert_eq!(
        older.and_then(|e| e.text.as_deref()),
        Some(
            "the propose clock breached (due 2026-11-20 12:00); escalated to level 2 (supervisor)"
        )
    );

    // The screen: the deadline in the centre's time (10:30 − 10 min, UTC+8).
    let zh = log_screen(&path, customer, Lang::ZhCn);
    for wanted in [
        "受理时限已超（11-23 10:20 到期），升级至 1 级（专员）",
        "从 王芳 接手",
        // The older event reads as it was written.
        "the propose clock breached (due 2026-11-20 12:00)",
    ] {
        assert!(zh.contains(wanted), "{wanted} in:\n{zh}");
    }
    let en = log_screen(&path, customer, Lang::En);
    for wanted in [
        "ack clock breached (due 11-23 10:20); to level 1 (specialist)",
        "taken over from 王芳",
    ] {
        assert!(en.contains(wanted), "{wanted} in:\n{en}");
    }
}
