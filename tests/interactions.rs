//! The interaction log on real database files: logging with the wrap-up code's effects,
//! follow-up reminders and their escalation, replies, amendments that keep the original (and a
//! database that refuses to rewrite or delete an entry), the history and desk views, and the
//! `careline log` commands.

mod common;

use chrono::{Duration, Local};
use serde_json::Value;

use careline::domain::customer::Channel;
use careline::domain::interaction::{parse_follow_up, Direction, FollowUpScope};
use careline::store::{
    Actor, Clock, FollowUp, HistoryItem, LogFilter, NewComplaint, NewInteraction, Role, Store,
    StoreError,
};
use common::{count, customer, fixed_now, fresh, phone, Sandbox};

fn contact(customer_id: i64, channel: Channel, disposition: &str) -> NewInteraction {
    NewInteraction::contact(
        customer_id,
        channel,
        disposition,
        fixed_now() - Duration::minutes(5),
        fixed_now(),
        "客户询问保修期限，已说明。",
    )
}

fn tomorrow(store: &Store, scope: FollowUpScope) -> FollowUp {
    FollowUp {
        due: parse_follow_up("tomorrow 10:00", store.now(), &Local, "09:00").expect("a due time"),
        scope,
    }
}

/// Logging `new` is refused, first on `field`, for a reason that says `why`.
fn refused(store: &mut Store, admin: &Actor, new: &NewInteraction, field: &str, why: &str) {
    match store.log_interaction(admin, new) {
        Err(StoreError::Invalid(errors)) => {
            assert_eq!(errors[0].field, field, "{errors:?}");
            assert!(errors[0].reason.contains(why), "{errors:?}");
        }
        other => panic!("not refused on {field}: {other:?}"),
    }
}

fn one(store: &mut Store, admin: &Actor) -> i64 {
    store
        .create_customer(admin, &customer("王秀英", vec![phone("13812345678")]))
        .expect("create")
        .id
}

#[test]
fn a_logged_call_keeps_its_times_and_shows_on_the_card() {
    let (db, mut store, admin) = fresh();
    let id = one(&mut store, &admin);
    let logged = store
        .log_interaction(
            &admin,
            &contact(id, Channel::PhoneIn, "resolved_first_contact"),
        )
        .expect("log");
    let entry = store.interaction(&admin, logged.id).expect("entry");
    let ended = entry.ended_at.expect("ended");
    assert_eq!((ended - entry.started_at).num_seconds(), 300);
    assert_eq!(entry.operator_login, admin.login);
    let card = store.card(&admin, id).expect("card");
    assert_eq!(card.contacts.len(), 1);
    assert_eq!(card.average_handle_seconds, Some(300));
    // No store call reads the audit log back (only `check` walks it): counted behind it.
    assert_eq!(
        count(
            &db.raw(),
            "SELECT count(*) FROM audit_log WHERE action = 'interaction.log'"
        ),
        1
    );
    // the lookup shows the new last contact
    let summary = store.customer_summaries(&admin, &[id]).expect("summary");
    assert_eq!(
        summary[0].last_contact_at,
        Some(fixed_now() - Duration::minutes(5))
    );
}

#[test]
fn bad_contacts_are_refused_field_by_field() {
    let (_db, mut store, admin) = fresh();
    let id = one(&mut store, &admin);
    let mut bad = contact(id, Channel::PhoneIn, "callback_needed");
    bad.ended_at = Some(bad.started_at - Duration::minutes(1));
    bad.summary = Some("长".repeat(5000));
    let Err(StoreError::Invalid(errors)) = store.log_interaction(&admin, &bad) else {
        panic!("refused");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["follow_up", "ended", "summary"], "{errors:?}");
    let Err(StoreError::Invalid(errors)) =
        store.log_interaction(&admin, &contact(id, Channel::PhoneIn, "shrug"))
    else {
        panic!("refused");
    };
    assert!(
        errors[0].reason.contains("resolved_first_contact"),
        "{errors:?}"
    );
    // linking another customer's complaint is refused too
    let other = store
        .create_customer(&admin, &customer("李娜", vec![phone("13900001111")]))
        .expect("create")
        .id;
    let mut with_complaint = contact(other, Channel::PhoneIn, "complaint_opened");
    with_complaint.open_complaint = Some(NewComplaint {
        category: "delivery".parse().expect("category"),
        severity: "high".parse().expect("severity"),
        title: "送货延迟".into(),
        description: None,
        channel: Channel::PhoneIn,
    });
    let logged = store.log_interaction(&admin, &with_complaint).expect("log");
    let complaint = logged.complaint_opened.expect("a complaint was opened");
    let mut wrong = contact(id, Channel::PhoneIn, "information_given");
    wrong.complaint_id = Some(complaint);
    let Err(StoreError::Invalid(errors)) = store.log_interaction(&admin, &wrong) else {
        panic!("refused");
    };
    assert_eq!(errors[0].field, "complaint");
}

#[test]
fn a_follow_up_becomes_a_reminder_and_an_absent_owners_one_goes_to_anyone() {
    let (db, mut store, admin) = fresh();
    let id = one(&mut store, &admin);
    let mut call = contact(id, Channel::PhoneIn, "callback_needed");
    call.follow_up = Some(tomorrow(&store, FollowUpScope::Me));
    let logged = store.log_interaction(&admin, &call).expect("log");
    let reminder = logged.follow_up_reminder_id.expect("a reminder");
    let made = store.reminder(&admin, reminder).expect("reminder");
    assert_eq!(
        (made.kind.as_str(), made.scope.as_str(), made.assignee_id),
        ("follow_up", "me", Some(admin.id))
    );
    assert_eq!(made.source_key, Some(format!("follow_up:{}", logged.id)));
    // the card lists the coming follow-up
    let card = store.card(&admin, id).expect("card");
    assert!(
        card.reminders.iter().any(|r| r.id == reminder),
        "{:?}",
        card.reminders
    );

    // 119 minutes after it was due: still mine
    let due = made.due_at.expect("a follow-up's time");
    store.set_clock(Clock::Fixed(due + Duration::minutes(119)));
    assert_eq!(store.escalate_follow_ups(&admin).expect("escalate"), 0);
    // 2 hours (the default, issue 14): anyone's, audited
    store.set_clock(Clock::Fixed(due + Duration::minutes(120)));
    assert_eq!(store.escalate_follow_ups(&admin).expect("escalate"), 1);
    let scope = store.reminder(&admin, reminder).expect("reminder").scope;
    assert_eq!(scope.as_str(), "anyone");
    // The audit log has no reader but `check`: counted behind the store.
    assert_eq!(
        count(
            &db.raw(),
            "SELECT count(*) FROM audit_log WHERE action = 'reminder.escalate'"
        ),
        1
    );
    assert_eq!(
        store.escalate_follow_ups(&admin).expect("again"),
        0,
        "idempotent"
    );

    // calling back with the reminder linked completes it
    store.set_clock(Clock::Fixed(due + Duration::minutes(70)));
    let mut back = contact(id, Channel::PhoneOut, "follow_up_done");
    back.started_at = store.now() - Duration::minutes(3);
    back.ended_at = Some(store.now());
    back.reminder_id = Some(reminder);
    let done = store.log_interaction(&admin, &back).expect("log");
    assert_eq!(done.reminder_done, Some(reminder));
    let completed = store.reminder(&admin, reminder).expect("reminder");
    assert_eq!(
        (completed.status.as_str(), completed.done_interaction_id),
        ("done", Some(done.id))
    );
}

#[test]
fn inbound_email_waits_for_a_reply_until_one_is_logged() {
    let (_db, mut store, admin) = fresh();
    let id = one(&mut store, &admin);
    let mut email = contact(id, Channel::Email, "callback_needed");
    email.follow_up = Some(tomorrow(&store, FollowUpScope::Anyone));
    let waiting = store.log_interaction(&admin, &email).expect("log");
    assert_eq!(
        waiting.reply_by,
        Some(email.started_at + Duration::hours(24))
    );
    let due = LogFilter {
        due_replies: true,
        ..LogFilter::default()
    };
    let rows = store.desk_log(&admin, &due, None, 10).expect("due");
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), [waiting.id]);
    // a chat the contact itself resolved needs no reply
    let chat = store
        .log_interaction(&admin, &contact(id, Channel::Chat, "information_given"))
        .expect("chat");
    assert_eq!(chat.reply_by, None);
    assert_eq!(
        chat.answered,
        [] as [i64; 0],
        "an inbound contact is no reply"
    );
    // an outbound attempt that reached no one is no reply either
    let mut missed = contact(id, Channel::PhoneOut, "voicemail");
    missed.follow_up = Some(tomorrow(&store, FollowUpScope::Me));
    let missed = store.log_interaction(&admin, &missed).expect("voicemail");
    assert!(missed.answered.is_empty());
    // our email back answers it
    let mut out = contact(id, Channel::Email, "information_given");
    out.direction = Direction::Outbound;
    let reply = store.log_interaction(&admin, &out).expect("email back");
    assert_eq!(reply.answered, [waiting.id]);
    assert!(store
        .desk_log(&admin, &due, None, 10)
        .expect("due")
        .is_empty());
    let original = store.interaction(&admin, waiting.id).expect("entry");
    assert!(!original.awaiting_reply());
    assert_eq!(original.reply_id, Some(reply.id));
}

#[test]
fn an_amendment_keeps_the_original_and_the_database_refuses_rewrites() {
    let (db, mut store, admin) = fresh();
    let id = one(&mut store, &admin);
    let first = store
        .log_interaction(&admin, &contact(id, Channel::PhoneIn, "information_given"))
        .expect("log");
    // a "correction" that says just what the original said is refused, naming the summary
    let mut same = contact(id, Channel::PhoneIn, "information_given");
    same.amends_id = Some(first.id);
    refused(&mut store, &admin, &same, "summary", "nothing differs");
    let mut fix = contact(id, Channel::PhoneIn, "sale");
    fix.summary = Some("客户购买了延保服务。".into());
    fix.amends_id = Some(first.id);
    let second = store.log_interaction(&admin, &fix).expect("amend");
    let original = store.interaction(&admin, first.id).expect("original");
    assert_eq!(original.amended_by, Some(second.id));
    assert_eq!(original.disposition, "information_given");
    assert_eq!(
        original.summary.as_deref(),
        Some("客户询问保修期限，已说明。")
    );
    let amendment = store.interaction(&admin, second.id).expect("amendment");
    assert_eq!(amendment.amends_id, Some(first.id));
    // both are in the history; the card's figures count the correction, not both
    let history = store.history(&admin, id, 50).expect("history");
    assert_eq!(history.len(), 2);
    let card = store.card(&admin, id).expect("card");
    assert_eq!(card.contact_count, 1);
    // amending an entry that was already corrected is a conflict
    let mut again = fix.clone();
    again.amends_id = Some(first.id);
    assert!(matches!(
        store.log_interaction(&admin, &again),
        Err(StoreError::Conflict(_))
    ));
    // nothing can rewrite or delete a logged entry, not even SQL behind careline's back: the
    // triggers are what is tested, so this goes round the store on purpose
    let raw = db.raw();
    let err = raw
        .execute(
            "UPDATE interactions SET summary = 'rewritten' WHERE id = ?1",
            [first.id],
        )
        .expect_err("refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(raw
        .execute("DELETE FROM interactions WHERE id = ?1", [first.id])
        .is_err());
    // the audit log has no reader but `check`
    assert_eq!(
        count(
            &raw,
            "SELECT count(*) FROM audit_log WHERE action = 'interaction.amend'"
        ),
        1
    );
}

#[test]
fn a_correction_takes_over_the_follow_up_and_never_doubles_it() {
    let (_db, mut store, admin) = fresh();
    let id = one(&mut store, &admin);
    let mut call = contact(id, Channel::PhoneIn, "callback_needed");
    let due = tomorrow(&store, FollowUpScope::Me);
    call.follow_up = Some(due);
    let first = store.log_interaction(&admin, &call).expect("log");
    let reminder = first.follow_up_reminder_id.expect("a reminder");
    let logged = store.interaction(&admin, first.id).expect("entry");
    assert_eq!(
        logged.follow_up_at,
        Some(due.due.at),
        "the time, not only the day"
    );
    // The customer's open follow-ups (the only customer on this database).
    let follow_ups = |store: &Store| {
        store
            .reminders_of(&admin, id)
            .expect("reminders")
            .iter()
            .filter(|r| r.kind.as_str() == "follow_up" && r.status.as_str() == "open")
            .count()
    };

    // The card knows which contact asked for it, so an amendment does not offer it as a
    // reminder to complete; completing it with its own correction is refused.
    let card = store.card(&admin, id).expect("card");
    assert_eq!(card.reminders[0].id, reminder);
    assert_eq!(logged.follow_up_reminder_id, Some(reminder));
    let mut closing = call.clone();
    closing.follow_up = None;
    closing.summary = Some("已回电".into());
    closing.reminder_id = Some(reminder);
    closing.amends_id = Some(first.id);
    refused(&mut store, &admin, &closing, "reminder", "carries it over");

    // A correction of the summary, still a callback: the follow-up stands, now its.
    let mut fix = call.clone();
    fix.follow_up = None;
    fix.summary = Some("客户询问保修期限，约好明天回电。".into());
    fix.amends_id = Some(first.id);
    let second = store.log_interaction(&admin, &fix).expect("amend");
    assert!(second.follow_up_carried);
    assert_eq!(second.follow_up_reminder_id, Some(reminder));
    assert!(second.follow_up_carried);
    assert_eq!(second.follow_up_reminder_id, Some(reminder));
    let amended = store.interaction(&admin, second.id).expect("amendment");
    assert_eq!(amended.follow_up_on, logged.follow_up_on);
    assert_eq!(amended.follow_up_at, Some(due.due.at));
    assert_eq!(follow_ups(&store), 1);
    let source = store
        .reminder(&admin, reminder)
        .expect("reminder")
        .source_key;
    assert_eq!(source, Some(format!("follow_up:{}", second.id)));

    // A correction with another time moves the same reminder instead of adding one.
    let later = FollowUp {
        due: parse_follow_up("+3d 15:00", store.now(), &Local, "09:00").expect("a due time"),
        scope: FollowUpScope::Anyone,
    };
    let mut moved = fix.clone();
    moved.follow_up = Some(later);
    moved.amends_id = Some(second.id);
    let third = store.log_interaction(&admin, &moved).expect("amend again");
    assert_eq!(third.follow_up_reminder_id, Some(reminder));
    assert_eq!(follow_ups(&store), 1);
    let now_due = store.reminder(&admin, reminder).expect("reminder");
    assert_eq!(
        (now_due.due_at, now_due.scope.as_str()),
        (Some(later.due.at), "anyone")
    );

    // Corrected to a code that needs no callback: the follow-up is skipped, saying why.
    let mut resolved = contact(id, Channel::PhoneIn, "resolved_first_contact");
    resolved.amends_id = Some(third.id);
    let fourth = store.log_interaction(&admin, &resolved).expect("corrected");
    assert_eq!(fourth.follow_up_skipped, Some(reminder));
    assert!(!fourth.follow_up_carried);
    assert_eq!(follow_ups(&store), 0);
    let skipped = store.reminder(&admin, reminder).expect("reminder");
    assert_eq!(skipped.status.as_str(), "skipped");
    let reason = skipped.skip_reason.expect("a reason");
    assert!(reason.contains("resolved_first_contact"), "{reason}");
    let last = store.interaction(&admin, fourth.id).expect("last");
    assert_eq!((last.follow_up_on, last.follow_up_at), (None, None));
}

#[test]
fn do_not_call_flags_the_customer_and_a_complaint_code_opens_one() {
    let (db, mut store, admin) = fresh();
    let id = one(&mut store, &admin);
    let logged = store
        .log_interaction(&admin, &contact(id, Channel::PhoneOut, "do_not_call"))
        .expect("log");
    assert!(logged.do_not_contact_set);
    assert!(
        store
            .customer(&admin, id)
            .expect("customer")
            .fields
            .do_not_contact
    );
    // the audit log has no reader but `check`
    assert_eq!(
        count(
            &db.raw(),
            "SELECT count(*) FROM audit_log WHERE action = 'customer.do_not_contact'"
        ),
        1
    );
    let mut call = contact(id, Channel::PhoneIn, "complaint_opened");
    call.open_complaint = Some(NewComplaint {
        category: "product_quality".parse().expect("category"),
        severity: "critical".parse().expect("severity"),
        title: "洗衣机漏水".into(),
        description: Some("第二次报修".into()),
        channel: Channel::PhoneIn,
    });
    let logged = store.log_interaction(&admin, &call).expect("log");
    let complaint = logged.complaint_opened.expect("opened");
    let opened = store.complaint(&admin, complaint).expect("complaint");
    assert_eq!(opened.status.as_str(), "acknowledged", "taken on the phone");
    assert_eq!(
        (opened.resolve_due_at - opened.opened_at).num_seconds(),
        24 * 3600,
        "critical: 24 h"
    );
    let entry = store.interaction(&admin, logged.id).expect("entry");
    assert_eq!(entry.complaint_id, Some(complaint));
    // the history interleaves the complaint's opening
    let history = store.history(&admin, id, 50).expect("history");
    assert!(history
        .iter()
        .any(|h| matches!(h, HistoryItem::ComplaintEvent(e) if e.complaint_id == complaint)));
}

#[test]
fn the_desk_log_filters_and_pages() {
    let (_db, mut store, admin) = fresh();
    store
        .add_operator(&admin, "li.na", "李娜", Role::Operator)
        .expect("operator");
    let li = store.actor("li.na", None).expect("actor");
    let id = one(&mut store, &admin);
    for n in 0..30 {
        let mut c = contact(
            id,
            if n % 3 == 0 {
                Channel::Chat
            } else {
                Channel::PhoneIn
            },
            "information_given",
        );
        c.started_at = fixed_now() - Duration::minutes(100 - n);
        c.ended_at = Some(c.started_at + Duration::minutes(1));
        let who = if n % 2 == 0 { &admin } else { &li };
        store.log_interaction(who, &c).expect("log");
    }
    let all = LogFilter::default();
    let page = store.desk_log(&admin, &all, None, 12).expect("page");
    assert_eq!(page.len(), 12);
    assert!(page.windows(2).all(|w| w[0].started_at >= w[1].started_at));
    let last = page.last().expect("a row");
    let next = store
        .desk_log(
            &admin,
            &all,
            Some((last.started_at.timestamp(), last.id)),
            100,
        )
        .expect("next");
    assert_eq!(page.len() + next.len(), 30);
    assert!(next
        .iter()
        .all(|r| r.started_at <= last.started_at && r.id != last.id));
    let mine = LogFilter {
        operator_id: Some(li.id),
        channel: Some(Channel::Chat),
        ..LogFilter::default()
    };
    let rows = store.desk_log(&admin, &mine, None, 100).expect("mine");
    assert_eq!(rows.len(), 5);
    assert!(rows
        .iter()
        .all(|r| r.operator_login == "li.na" && r.channel == "chat"));
}

#[test]
fn log_add_and_list_from_the_command_line() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王秀英",
        "--phone",
        "13812345678",
    ]);
    let out = sandbox.ok(&[
        "log",
        "add",
        "--customer",
        "13812345678",
        "--channel",
        "phone_in",
        "--disposition",
        "callback_needed",
        "--summary",
        "客户要求明天回电",
        "--started",
        "2026-01-05 10:00",
        "--ended",
        "2026-01-05 10:04:30",
        "--follow-up",
        "+2d",
        "--json",
    ]);
    let logged: Value = serde_json::from_str(&out).expect("JSON");
    assert!(
        logged["follow_up_reminder_id"].as_i64().is_some(),
        "{logged}"
    );
    let list: Value = serde_json::from_str(&sandbox.ok(&[
        "log",
        "list",
        "--customer",
        "13812345678",
        "--from",
        "2026-01-05",
        "--to",
        "2026-01-05",
        "--json",
    ]))
    .expect("JSON list");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let entry = &list[0];
    assert_eq!(entry["disposition"], "callback_needed");
    assert_eq!(entry["handle_seconds"], 270);
    assert_eq!(entry["summary"], "客户要求明天回电");
    assert_eq!(entry["customer_name"], "王秀英");
    // bad input names the flag
    let err = sandbox.fails(&[
        "log",
        "add",
        "--customer",
        "13812345678",
        "--channel",
        "fax",
        "--disposition",
        "sale",
    ]);
    common::one_line_error(&err);
    assert!(err.contains("--channel"), "{err}");
    let err = sandbox.fails(&[
        "log",
        "add",
        "--customer",
        "13812345678",
        "--channel",
        "phone_in",
        "--disposition",
        "no_answer",
    ]);
    assert!(err.contains("--follow-up"), "{err}");
    let err = sandbox.fails(&["log", "list", "--from", "2026-02-01", "--to", "2026-01-01"]);
    assert!(err.contains("--from"), "{err}");
    // the export has the entry, CSV with a header
    let csv = sandbox.ok(&["export", "interactions", "--format", "csv"]);
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .expect("header")
        .starts_with("id,customer,operator,channel"));
    assert!(lines.next().expect("row").contains("callback_needed"));
}

#[test]
fn a_caller_unknown_at_the_pop_shows_as_the_customer_added_since() {
    let (_db, mut store, admin) = fresh();
    store
        .record_pop(&admin, "138 0013 8000", None)
        .expect("pop");
    let pops = store.recent_pops(&admin, 10).expect("pops");
    assert_eq!(pops.len(), 1);
    assert_eq!(pops[0].customer_id, None, "nobody holds the number yet");

    let saved = store
        .create_customer(
            &admin,
            &customer("测试客户", vec![phone("+86 138-0013-8000")]),
        )
        .expect("create");
    let pops = store.recent_pops(&admin, 10).expect("pops");
    assert_eq!(pops[0].customer_id, Some(saved.id));
    assert_eq!(pops[0].customer_code.as_deref(), Some(saved.code.as_str()));
    assert_eq!(pops[0].customer_name.as_deref(), Some("测试客户"));
    assert_eq!(
        pops[0].number, "138 0013 8000",
        "the number as the phone system gave it"
    );

    // Held by two customers: still nobody in particular.
    store
        .create_customer(
            &admin,
            &customer("Second Holder", vec![phone("13800138000")]),
        )
        .expect("create");
    let pops = store.recent_pops(&admin, 10).expect("pops");
    assert_eq!(pops[0].customer_id, None);
}

#[test]
fn a_confidential_customers_follow_up_and_complaint_are_withheld_from_operators_without_access() {
    let (_db, mut store, admin) = fresh();
    for (login, name) in [("li.na", "李娜"), ("zhang.wei", "张伟")] {
        store
            .add_operator(&admin, login, name, Role::Operator)
            .expect("add");
    }
    let li = store.actor("li.na", None).expect("li.na");
    let zhang = store.actor("zhang.wei", None).expect("zhang.wei");
    let mut secret = customer("赵敏", vec![phone("13600001111")]);
    secret.confidential = true;
    secret.owner = Some("li.na".into());
    let id = store.create_customer(&admin, &secret).expect("create").id;

    let mut call = contact(id, Channel::PhoneIn, "complaint_opened");
    call.summary = Some("客户说离婚诉讼期间勿寄账单\n详情见备注".into());
    call.follow_up = Some(tomorrow(&store, FollowUpScope::Anyone));
    call.open_complaint = Some(NewComplaint {
        category: "after_sales".parse().expect("category"),
        severity: "high".parse().expect("severity"),
        title: "账单寄错地址".into(),
        description: Some("寄到了前夫的住址".into()),
        channel: Channel::PhoneIn,
    });
    let logged = store.log_interaction(&admin, &call).expect("log");
    let reminder = logged.follow_up_reminder_id.expect("a reminder");
    let complaint = logged.complaint_opened.expect("a complaint");

    // The owner sees the follow-up whole: its title is the summary's first line.
    let seen = store.reminder(&li, reminder).expect("reminder");
    assert!(!seen.restricted);
    assert_eq!(seen.title.as_deref(), Some("客户说离婚诉讼期间勿寄账单"));
    assert_eq!(
        seen.note.as_deref(),
        Some("客户说离婚诉讼期间勿寄账单\n详情见备注")
    );
    let due = seen.due_at;
    assert!(due.is_some(), "a follow-up has its time");
    let seen = store.complaint(&li, complaint).expect("complaint");
    assert_eq!(seen.description.as_deref(), Some("寄到了前夫的住址"));

    // Another operator learns that it exists and when it is due, not what it says.
    let withheld = store.reminder(&zhang, reminder).expect("reminder");
    assert!(withheld.restricted);
    assert_eq!((withheld.title, withheld.note), (None, None));
    assert_eq!(withheld.due_at, due);
    let all = store.reminders_of(&zhang, id).expect("reminders");
    assert!(
        all.iter().all(|r| r.restricted && r.title.is_none()),
        "{all:?}"
    );
    let withheld = store.complaint(&zhang, complaint).expect("complaint");
    assert!(withheld.restricted);
    assert_eq!(withheld.description, None);

    // Ids that do not exist are named.
    let err = store.reminder(&admin, reminder + 100).expect_err("none");
    assert!(
        matches!(&err, StoreError::NotFound(what) if what == &format!("reminder {}", reminder + 100)),
        "{err:?}"
    );
    let err = store.complaint(&admin, complaint + 100).expect_err("none");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}
