//! The Care pane on the operator's screen (issue 14), on a real temporary database at the
//! screens' fixed moment (Monday 23 November 2026, 10:30 in China): reminders made by the rules
//! of `[care]` as written — a birthday call 3 days before, a post-purchase call from the 3rd day
//! after, a renewal call 30 days before the membership ends, holiday greetings 45 days ahead
//! for customers with marketing consent — listed overdue, due today, upcoming; worked from the
//! keyboard (Enter: the card with a contact form; `d` done, `z` snooze, `s` skip; `N` on the card
//! goes on to the next).

mod common;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use crossterm::event::KeyCode;

use careline::domain::customer::{Channel, Level, Membership};
use careline::domain::reminder::{Kind, Status};
use careline::store::{Actor, CareFilter, NewPurchase, NewReminder, Store};
use careline::tui::action::Action;
use careline::tui::app::App;
use careline::tui::forms::FormKind;
use careline::tui::i18n::Lang;
use careline::tui::panes::care::Care;

use common::screen::{ctrl, draw, key, message, open_at_screen_time, screen};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

struct Desk {
    _dir: tempfile::TempDir,
    path: PathBuf,
    /// 王秀英, VIP, born 25 November: the birthday call was due on the 22nd (overdue), with
    /// the birthday-month offer. Prefers SMS in the evening.
    birthday: i64,
    /// 张伟, a member until 20 December: the renewal call was due on 20 November (overdue).
    member: i64,
    /// Chen Jing bought a rice cooker on 20 November: the follow-up call is due today.
    buyer: i64,
    /// 赵敏 agreed to marketing: the New Year greeting is due 29 December (upcoming).
    consenting: i64,
    /// 刘洋 asked not to be contacted (born 24 November): nothing at all.
    do_not_contact: i64,
    /// A reminder added by hand, kept for wang.fang, due tomorrow (upcoming).
    kept: i64,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    store
        .add_operator(&admin, "wang.fang", "王芳", careline::store::Role::Operator)
        .expect("wang.fang");
    store
        .add_operator(&admin, "zhao.lei", "赵磊", careline::store::Role::Operator)
        .expect("zhao.lei");
    let wang = store.actor("wang.fang", None).expect("wang.fang");
    let add = |store: &mut Store,
               name: &str,
               phone: &str,
               change: &dyn Fn(&mut careline::domain::customer::CustomerFields)| {
        let mut fields = common::customer(name, vec![common::phone(phone)]);
        change(&mut fields);
        store.create_customer(&admin, &fields).expect("customer").id
    };
    let birthday = add(&mut store, "王秀英", "13800000001", &|f| {
        f.level = Level::Vip;
        f.birthday = Some(d("1980-11-25"));
        f.preferred_channel = Some(Channel::Sms);
        f.preferred_time = Some("晚上".into());
    });
    let member = add(&mut store, "张伟", "13800000002", &|f| {
        f.membership = Membership::Member;
        f.membership_expiry = Some(d("2026-12-20"));
    });
    let buyer = add(&mut store, "Chen Jing", "13800000003", &|_| {});
    let consenting = add(&mut store, "赵敏", "13800000004", &|f| {
        f.marketing_consent = true;
    });
    let do_not_contact = add(&mut store, "刘洋", "13800000005", &|f| {
        f.do_not_contact = true;
        f.marketing_consent = true;
        f.birthday = Some(d("1985-11-24"));
    });
    store
        .add_purchase(
            &admin,
            &NewPurchase {
                customer_id: buyer,
                order_no: Some("SO-1".into()),
                purchased_on: d("2026-11-20"),
                amount_cents: 39_900,
                product: Some("电饭煲".into()),
                category: None,
                quantity: 1,
                channel: None,
            },
        )
        .expect("purchase");
    store
        .generate_reminders(&admin, d("2026-11-23"), false, &mut |_, _| {})
        .expect("generated");
    let kept = store
        .add_reminder(
            &wang,
            &NewReminder {
                customer_id: buyer,
                due_on: d("2026-11-24"),
                title: "Bring the warranty card".into(),
                note: None,
                scope: careline::domain::interaction::FollowUpScope::Me,
                assignee: None,
            },
        )
        .expect("kept for wang.fang");
    Desk {
        _dir: dir,
        path,
        birthday,
        member,
        buyer,
        consenting,
        do_not_contact,
        kept,
    }
}

fn app_as(path: &Path, login: &str, lang: Lang) -> App {
    let store = open_at_screen_time(path);
    let actor = store.actor(login, None).expect("actor");
    let settings = common::screen::settings(lang, "/srv/careline/desk.db");
    App::new(store, actor, settings)
}

/// The Care tab (F4) shown.
fn care(path: &Path, login: &str, lang: Lang) -> App {
    let mut app = app_as(path, login, lang);
    app.update(Action::Resize(80, 24));
    key(&mut app, KeyCode::F(4));
    app
}

fn pane(app: &App) -> &Care {
    app.pane::<Care>().expect("the Care pane is registered")
}

fn reader(path: &Path) -> (Store, Actor) {
    let store = open_at_screen_time(path);
    let actor = store.actor("li.na", None).expect("actor");
    (store, actor)
}

/// The reminder of `customer` of `kind`, as stored now.
fn reminder(path: &Path, customer: i64, kind: Kind) -> careline::store::CareRow {
    let (store, actor) = reader(path);
    store
        .care_list(
            &actor,
            &CareFilter {
                customer: Some(customer),
                every_status: true,
                ..CareFilter::default()
            },
        )
        .expect("list")
        .into_iter()
        .find(|r| r.kind == kind)
        .unwrap_or_else(|| panic!("customer {customer} has a {kind}"))
}

/// Selects the row of `customer`'s reminder of `kind`.
fn select(app: &mut App, customer: i64, kind: Kind) {
    key(app, KeyCode::Home);
    for _ in 0..pane(app).rows.len() {
        let at = &pane(app).rows[pane(app).selected];
        if at.customer_id == customer && at.kind == kind {
            return;
        }
        key(app, KeyCode::Down);
    }
    panic!("no row of customer {customer} of kind {kind}");
}

#[test]
fn the_pane_lists_overdue_then_today_then_upcoming_and_says_why() {
    let desk = desk();
    let mut app = care(&desk.path, "li.na", Lang::En);
    let rows: Vec<(i64, Kind, NaiveDate)> = pane(&app)
        .rows
        .iter()
        .map(|r| (r.customer_id, r.kind, r.day))
        .collect();
    assert_eq!(
        rows,
        vec![
            // Overdue: the birthday call (due 22 Nov) before the renewal call (due 20 Nov):
            // grouped by kind.
            (desk.birthday, Kind::Birthday, d("2026-11-22")),
            (desk.member, Kind::Renewal, d("2026-11-20")),
            // Due today.
            (desk.buyer, Kind::PostPurchase, d("2026-11-23")),
            // Upcoming: the one added by hand, then the New Year greeting.
            (desk.buyer, Kind::Manual, d("2026-11-24")),
            (desk.consenting, Kind::Holiday, d("2026-12-29")),
        ]
    );
    assert!(pane(&app)
        .rows
        .iter()
        .all(|r| r.customer_id != desk.do_not_contact));
    let text = screen(&mut app, 132, 43);
    for shown in [
        "Care (5)",
        "Overdue (2)",
        "Due today (1)",
        "Upcoming (2)",
        "purchased 电饭煲 11-20",
        "New Year 01-01",
        "membership expires 2026-12-20",
        "SMS 晚上",
        "王芳",
    ] {
        assert!(text.contains(shown), "{shown:?} in\n{text}");
    }
    // At 80 columns the selected reminder is in full on the last line: its number,
    // customer, why and owner.
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("birthday 11-25, birthday-month offer · SMS 晚上 · anyone"),
        "{text}"
    );
    // The status bar's count: due by today (overdue and today).
    assert!(text.contains("care 3"), "{text}");
}

#[test]
fn care_snapshots() {
    let desk = desk();
    for (lang, name) in [(Lang::En, "en"), (Lang::ZhCn, "zh")] {
        for (w, h) in [(80, 24), (132, 43)] {
            let mut app = care(&desk.path, "li.na", lang);
            let terminal = draw(&mut app, w, h);
            insta::assert_snapshot!(format!("care_{name}_{w}x{h}"), terminal.backend());
        }
    }
}

/// Enter: the card with the contact form ready — the reminder linked, outbound, on the
/// customer's preferred channel; a contact made marks the reminder done, linked to it; `N` on
/// the card goes straight on to the next reminder of the list.
#[test]
fn a_shift_calls_from_the_list_and_goes_on_with_n() {
    let desk = desk();
    let mut app = care(&desk.path, "li.na", Lang::En);
    let birthday = reminder(&desk.path, desk.birthday, Kind::Birthday);
    select(&mut app, desk.birthday, Kind::Birthday);
    key(&mut app, KeyCode::Enter);
    let form = app.form().expect("the contact form");
    assert_eq!(form.kind, FormKind::NewInteraction);
    assert_eq!(form.value("reminder"), birthday.id.to_string());
    assert_eq!(form.value("channel"), "sms");
    assert_eq!(form.value("direction"), "outbound");
    assert_eq!(app.desk.customer, Some(desk.birthday), "the card beside it");
    let form = app.form_mut().expect("form");
    form.set("disposition", "follow_up_done");
    form.set("summary", "Wished a happy birthday; offer sent");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "saved: {}", message(&app));
    let done = reminder(&desk.path, desk.birthday, Kind::Birthday);
    assert_eq!(done.status, Status::Done);
    assert!(done.done_interaction_id.is_some(), "linked to the contact");

    // N: the next one (the renewal), its card and form; said with the saved contact (the
    // footer's keys show again once the message has gone).
    let said = message(&app);
    assert!(
        said.contains(&format!(
            "reminder #{} done · N: next reminder",
            birthday.id
        )),
        "{said}"
    );
    app.desk.message = None;
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("N next reminder"), "offered:\n{text}");
    key(&mut app, KeyCode::Char('N'));
    let renewal = reminder(&desk.path, desk.member, Kind::Renewal);
    let form = app.form().expect("the next contact form");
    assert_eq!(form.value("reminder"), renewal.id.to_string());
    assert_eq!(app.desk.customer, Some(desk.member));
    // Phone is the default when the customer has no preference: a call out.
    assert_eq!(form.value("channel"), "phone_out");
    // A wrong number: no contact made, the reminder stays to do, and N passes on.
    let form = app.form_mut().expect("form");
    form.set("disposition", "wrong_number");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "saved: {}", message(&app));
    assert_eq!(
        reminder(&desk.path, desk.member, Kind::Renewal).status,
        Status::Open
    );
    key(&mut app, KeyCode::Char('N'));
    let follow_up = reminder(&desk.path, desk.buyer, Kind::PostPurchase);
    assert_eq!(
        app.form().map(|f| f.value("reminder")),
        Some(follow_up.id.to_string())
    );
}

/// `d` asks first; `z` snoozes to a typed day; `s` skips with a reason from the list.
#[test]
fn done_snooze_and_skip_from_the_keyboard() {
    let desk = desk();
    let mut app = care(&desk.path, "li.na", Lang::En);
    select(&mut app, desk.member, Kind::Renewal);
    key(&mut app, KeyCode::Char('d'));
    let id = reminder(&desk.path, desk.member, Kind::Renewal).id;
    assert!(
        screen(&mut app, 80, 24).contains(&format!(
            "Reminder #{id}: mark done without logging a contact?"
        )),
        "asked"
    );
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(
        reminder(&desk.path, desk.member, Kind::Renewal).status,
        Status::Open,
        "no is no"
    );
    key(&mut app, KeyCode::Char('d'));
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(
        reminder(&desk.path, desk.member, Kind::Renewal).status,
        Status::Done
    );
    assert!(message(&app).contains(&format!("Reminder #{id}: done.")));

    // z: snoozed two days, to the 25th.
    select(&mut app, desk.buyer, Kind::PostPurchase);
    key(&mut app, KeyCode::Char('z'));
    let form = app.form_mut().expect("the snooze form");
    assert_eq!(form.kind, FormKind::ReminderStep);
    form.set("until", "+2d");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "{}", message(&app));
    let snoozed = reminder(&desk.path, desk.buyer, Kind::PostPurchase);
    assert_eq!(snoozed.status, Status::Snoozed);
    assert_eq!(snoozed.snoozed_until, Some(d("2026-11-25")));

    // s: skipped, the customer declined; without a reason the form stays open and says so.
    key(&mut app, KeyCode::F(4));
    select(&mut app, desk.consenting, Kind::Holiday);
    key(&mut app, KeyCode::Char('s'));
    app.form_mut()
        .expect("the skip form")
        .set("reason", "typed");
    ctrl(&mut app, 's');
    assert!(app.form().is_some(), "a reason is needed");
    app.form_mut().expect("form").set("reason", "declined");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "{}", message(&app));
    let skipped = reminder(&desk.path, desk.consenting, Kind::Holiday);
    assert_eq!(skipped.status, Status::Skipped);
    assert_eq!(skipped.skip_reason.as_deref(), Some("declined"));
}

/// A reminder kept for one operator: shown as theirs, and another operator is told whose it
/// is rather than working it.
#[test]
fn a_reminder_kept_for_someone_else_is_theirs() {
    let desk = desk();
    let mut app = care(&desk.path, "zhao.lei", Lang::En);
    select(&mut app, desk.buyer, Kind::Manual);
    key(&mut app, KeyCode::Char('d'));
    assert!(
        message(&app).contains(&format!(
            "Reminder #{} is kept for 王芳; only they or a supervisor may work it.",
            desk.kept
        )),
        "{}",
        message(&app)
    );
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(
        reminder(&desk.path, desk.buyer, Kind::Manual).status,
        Status::Open
    );
    // Mine: only those kept for me (none for zhao.lei); anyone's: all but the kept one.
    key(&mut app, KeyCode::Char('m'));
    assert!(pane(&app).rows.is_empty());
    key(&mut app, KeyCode::Char('a'));
    assert_eq!(pane(&app).rows.len(), 4);
}

/// The selected reminder is shown in full under the list: one too long for a line takes a
/// second (its note's last words still on screen at 80 columns).
#[test]
fn a_long_reminder_takes_a_second_line_under_the_list() {
    let desk = desk();
    {
        let mut store = open_at_screen_time(&desk.path);
        let admin = store.actor("li.na", None).expect("li.na");
        store
            .add_reminder(
                &admin,
                &NewReminder {
                    customer_id: desk.buyer,
                    due_on: d("2026-11-23"),
                    title: "Offer the filter subscription".into(),
                    note: Some("ask after the second delivery; the spare lid ORDER-77".into()),
                    scope: careline::domain::interaction::FollowUpScope::Anyone,
                    assignee: None,
                },
            )
            .expect("added");
    }
    let mut app = care(&desk.path, "li.na", Lang::En);
    let at = pane(&app)
        .rows
        .iter()
        .position(|r| r.title.as_deref() == Some("Offer the filter subscription"))
        .expect("listed");
    for _ in 0..at {
        key(&mut app, KeyCode::Down);
    }
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("ORDER-77"), "{text}");
    assert!(text.contains("Offer the filter subscription"), "{text}");
}

/// A snooze on a zh-CN screen: the New Year greeting is due on 29 December, so the form offers
/// the 30th; a day before it is due is refused, and so is one past New Year's Day, each said
/// in Chinese on the form.
#[test]
fn a_snooze_is_after_the_day_due_and_within_its_window_said_in_chinese() {
    let desk = desk();
    let mut app = care(&desk.path, "li.na", Lang::ZhCn);
    select(&mut app, desk.consenting, Kind::Holiday);
    key(&mut app, KeyCode::Char('z'));
    assert_eq!(
        app.form().expect("the snooze form").value("until"),
        "2026-12-30"
    );
    for (day, said) in [
        ("2026-12-10", "须晚于到期日（2026-12-29）"),
        ("2027-01-05", "须不晚于 2027-01-01"),
    ] {
        app.form_mut().expect("form").set("until", day);
        ctrl(&mut app, 's');
        assert!(app.form().is_some(), "{day} refused");
        let text = screen(&mut app, 80, 24);
        assert!(text.contains(said), "{day}: {text}");
    }
    app.form_mut().expect("form").set("until", "2026-12-31");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "{}", message(&app));
    let snoozed = reminder(&desk.path, desk.consenting, Kind::Holiday);
    assert_eq!(snoozed.snoozed_until, Some(d("2026-12-31")));
}
