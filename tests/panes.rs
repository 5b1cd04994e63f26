//! Each pane driven through its own surface (`update`, `reload`, `render`) on a real
//! temporary database, the messages it posts read from the desk's queue; and the defects the
//! restructuring mended, each through the whole `App` as an operator meets it.

mod common;

use std::sync::mpsc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use careline::domain::contact::ContactKind;
use careline::domain::customer::{ContactInput, CustomerFields};
use careline::store::Store;
use careline::tui::action::Action;
use careline::tui::app::{App, Dialog, Focus, Settings};
use careline::tui::component::{Msg, Pane};
use careline::tui::desk::Desk;
use careline::tui::i18n::Lang;
use careline::tui::panes::log::{self, Log};
use careline::tui::panes::{card::Card, lookup::Lookup};
use careline::tui::worker::Worker;

fn open(path: &std::path::Path) -> Store {
    common::screen::open_at_screen_time(path)
}

fn demo_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    common::screen::demo_desk(dir, 60, 9)
}

fn settings(lang: Lang) -> Settings {
    common::screen::settings(lang, "desk.db")
}

fn desk(path: &std::path::Path) -> Desk {
    let store = open(path);
    let actor = store.actor("li.na", None).expect("actor");
    Desk::new(store, actor, settings(Lang::En))
}

fn app(path: &std::path::Path, lang: Lang) -> App {
    let store = open(path);
    let actor = store.actor("li.na", None).expect("actor");
    App::new(store, actor, settings(lang))
}

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(press(code));
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn messages(desk: &mut Desk) -> Vec<Msg> {
    std::iter::from_fn(|| desk.next_message()).collect()
}

/// A customer of the demo with a mobile, its id and full number.
fn a_customer(path: &std::path::Path) -> (i64, String, String) {
    let store = open(path);
    let admin = store.actor("li.na", None).expect("actor");
    for id in 1..60 {
        let Ok(c) = store.customer(&admin, id) else {
            continue;
        };
        if let Some(phone) = c
            .fields
            .contacts
            .iter()
            .find(|x| x.value.starts_with('1') && x.value.len() == 11)
        {
            return (id, c.fields.name.clone(), phone.value.clone());
        }
    }
    panic!("the demo has customers with mobiles")
}

fn text_of(buf: &Buffer) -> String {
    common::screen::buffer_text(buf)
}

#[test]
fn the_lookup_pane_searches_as_it_is_typed_and_asks_for_the_card_it_opens() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (id, name, phone) = a_customer(&path);
    let mut desk = desk(&path);
    let mut lookup = Lookup::default();
    lookup.reload(&mut desk);
    for c in phone[phone.len() - 4..].chars() {
        let action = lookup
            .handle_key(&press(KeyCode::Char(c)), &desk.settings.keymap)
            .expect("typed text is the box's");
        lookup.update(&Msg::Action(action), &mut desk);
    }
    assert!(
        lookup.results.iter().any(|r| r.customer.name == name),
        "the last four digits find {name}"
    );
    let row = lookup
        .results
        .iter()
        .position(|r| r.customer.id == id)
        .expect("the customer is listed");
    lookup.update(&Msg::Action(Action::Down), &mut desk);
    for _ in 0..row {
        lookup.update(&Msg::Action(Action::Down), &mut desk);
    }
    assert_eq!(lookup.selected, row);
    lookup.update(&Msg::Action(Action::Open), &mut desk);
    let posted = messages(&mut desk);
    assert!(
        matches!(posted.as_slice(), [Msg::OpenCustomer { id: opened, focus: true }] if *opened == id),
        "{posted:?}"
    );
    // Drawing reads only the pane and the view.
    let mut buf = Buffer::empty(Rect::new(0, 0, 80, 20));
    lookup.render(buf.area, &mut buf, &desk.view(true));
    assert!(text_of(&buf).contains(&name));
}

#[test]
fn the_card_pane_reads_the_open_customer_scrolls_and_hands_back() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (id, name, _) = a_customer(&path);
    let mut desk = desk(&path);
    let mut card = Card::default();
    card.reload(&mut desk);
    assert!(card.card.is_none(), "no customer open, no card");
    desk.customer = Some(id);
    card.reload(&mut desk);
    assert_eq!(card.customer_id(), Some(id));
    card.update(&Msg::Action(Action::Down), &mut desk);
    card.update(&Msg::Action(Action::Down), &mut desk);
    assert_eq!(card.scroll, 2);
    for (action, wanted) in [
        (Action::Edit, "edit"),
        (Action::NewInteraction, "log"),
        (Action::Back, "close"),
    ] {
        card.update(&Msg::Action(action), &mut desk);
        let posted = messages(&mut desk);
        let ok = match (wanted, posted.as_slice()) {
            ("edit", [Msg::EditCustomer(c)]) => *c == id,
            (
                "log",
                [Msg::LogContact {
                    customer,
                    reply_on: None,
                    reminder: None,
                }],
            ) => *customer == id,
            ("close", [Msg::CloseCustomer]) => true,
            _ => false,
        };
        assert!(ok, "{wanted}: {posted:?}");
    }
    card.update(&Msg::CloseCustomer, &mut desk);
    assert!(card.card.is_none());
    let mut buf = Buffer::empty(Rect::new(0, 0, 60, 20));
    desk.customer = Some(id);
    card.reload(&mut desk);
    card.render(buf.area, &mut buf, &desk.view(false));
    assert!(text_of(&buf).contains(&name));
}

#[test]
fn the_log_pane_lists_the_desk_filters_and_offers_only_what_works() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let mut desk = desk(&path);
    let mut log = Log::default();
    log.reload(&mut desk);
    assert!(log.customer.is_none(), "no customer open: the desk's log");
    assert!(!log.rows.is_empty());
    assert!(log.offers(&Action::Pane(&log::FILTER)));
    log.update(&Msg::Action(Action::Pane(&log::FILTER)), &mut desk);
    assert!(
        matches!(messages(&mut desk).as_slice(), [Msg::OpenForm(_)]),
        "f asks for the filter form"
    );
    log.update(&Msg::Action(Action::Pane(&log::TOGGLE_MINE)), &mut desk);
    assert!(log.mine);
    log.update(&Msg::Action(Action::Open), &mut desk);
    assert!(log.detail.is_some(), "Enter shows the entry");
    assert!(!log.offers(&Action::Open), "the entry is already shown");
    // With a customer open the pane is that customer's history: no desk filters.
    let (id, _, _) = a_customer(&path);
    desk.customer = Some(id);
    log.reload(&mut desk);
    assert_eq!(log.customer.as_ref().map(|c| c.0), Some(id));
    assert!(
        !log.offers(&Action::Pane(&log::FILTER))
            && !log.offers(&Action::Pane(&log::TOGGLE_DUE_REPLIES))
    );
    assert_eq!(log.action_label(&Action::Edit), Some("action.amend"));
}

#[test]
fn the_tab_line_lists_the_registered_panes_with_a_tab() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let app = app(&path, Lang::En);
    let tabs: Vec<&str> = app.tabs().iter().map(|(_, t)| t.label).collect();
    assert_eq!(
        tabs,
        [
            "tab.lookup",
            "tab.log",
            "tab.complaints",
            "tab.care",
            "tab.reports"
        ],
        "the card has no tab; li.na, an admin, has the Reports"
    );
}

#[test]
fn a_slow_read_on_the_worker_does_not_hold_up_the_keys() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let mut app = app(&path, Lang::En);
    let reader = app.desk.store.open_another().expect("second connection");
    let (release, gate) = mpsc::channel::<()>();
    let (done, results) = mpsc::channel::<Msg>();
    let worker = Worker::start(reader, move |msg| done.send(msg).is_ok());
    let job = Box::new(move |store: &mut Store| {
        // Held until the keys below are handled: a read that takes as long as it likes.
        let _ = gate.recv();
        Msg::Counts(store.desk_counts().expect("counts"))
    });
    assert!(worker.submit(job).is_ok());
    // Meanwhile the screen takes keys and answers them.
    type_text(&mut app, "zzzz");
    assert_eq!(app.lookup().input.value(), "zzzz");
    assert!(results.try_recv().is_err(), "the read is still running");
    release.send(()).expect("release");
    let msg = results.recv().expect("the read's answer");
    assert!(matches!(msg, Msg::Counts(_)));
    app.loaded(msg);
    worker.finish();
}

#[test]
fn the_card_scrolls_to_its_last_line_when_lines_above_wrap() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let mut store = open(&path);
    let admin = store.actor("li.na", None).expect("actor");
    let mut fields = CustomerFields {
        name: "卷轴测试".into(),
        ..CustomerFields::default()
    };
    fields.contacts.push(ContactInput {
        kind: ContactKind::Phone,
        value: "13700001111".into(),
        label: None,
    });
    // An address far wider than 80 columns wraps over several lines above the notes.
    fields.address = Some("上海市浦东新区世纪大道".repeat(12));
    let notes: Vec<String> = (1..=12).map(|n| format!("note line {n}")).collect();
    fields.notes = Some(notes.join("\n"));
    let saved = store.create_customer(&admin, &fields).expect("create");
    drop(store);
    let mut app = app(&path, Lang::En);
    type_text(&mut app, "卷轴测试");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.card().map(|c| c.customer.id), Some(saved.id));
    assert_eq!(app.focus(), Focus::Card);
    key(&mut app, KeyCode::End);
    let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
    careline::tui::ui::render(&app, buf.area, &mut buf);
    let text = text_of(&buf);
    assert!(
        text.contains("note line 12"),
        "the last note is reachable:\n{text}"
    );
}

#[test]
fn the_contact_forms_direction_follows_its_channel() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (id, _, _) = a_customer(&path);
    let mut app = app(&path, Lang::En);
    app.loaded(Msg::OpenCustomer { id, focus: true });
    assert_eq!(app.focus(), Focus::Card);
    key(&mut app, KeyCode::Char('n'));
    let form = app.form().expect("the contact form");
    assert_eq!(form.focused().map(|f| f.key), Some("disposition"));
    assert_eq!(form.value("channel"), "phone_in");
    assert_eq!(form.value("direction"), "inbound");
    // Up to the channel, → to "phone out".
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(
        app.form().and_then(|f| f.focused()).map(|f| f.key),
        Some("channel")
    );
    key(&mut app, KeyCode::Right);
    let form = app.form().expect("form");
    assert_eq!(form.value("channel"), "phone_out");
    assert_eq!(
        form.value("direction"),
        "outbound",
        "a call out is outbound"
    );
    // Saved as it shows.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('i'));
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "{:?}", app.desk.message);
    let store = open(&path);
    let admin = store.actor("li.na", None).expect("actor");
    let history = store.history(&admin, id, 5).expect("history");
    let logged = history
        .iter()
        .find_map(|h| match h {
            careline::store::HistoryItem::Interaction(i) => Some(i),
            _ => None,
        })
        .expect("the contact");
    assert_eq!(
        (logged.channel.as_str(), logged.direction.as_str()),
        ("phone_out", "outbound")
    );
}

#[test]
fn a_slash_from_the_card_starts_a_fresh_search() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (_, name, phone) = a_customer(&path);
    let mut app = app(&path, Lang::En);
    type_text(&mut app, &phone);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.focus(), Focus::Card, "{name}");
    key(&mut app, KeyCode::Char('/'));
    assert_eq!(app.focus(), Focus::Search);
    type_text(&mut app, "139");
    assert_eq!(app.lookup().input.value(), "139", "not appended to {phone}");
}

#[test]
fn quitting_during_a_call_asks_first() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let mut app = app(&path, Lang::ZhCn);
    app.update(Action::Pop("13900000009".into()));
    key(&mut app, KeyCode::Esc); // not adding this caller now
    assert!(app.form().is_none());
    assert!(app.desk.call.is_some(), "the call's timer runs");
    key(&mut app, KeyCode::Down); // into Recent calls, where q quits
    assert_eq!(app.focus(), Focus::Results);
    key(&mut app, KeyCode::Char('q'));
    assert!(!app.quit, "q asks while a call runs");
    assert_eq!(app.dialog(), Some(&Dialog::QuitDuringCall));
    let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
    careline::tui::ui::render(&app, buf.area, &mut buf);
    let text = text_of(&buf);
    assert!(
        // The number as it is read (3-4-4), the way the call is shown everywhere.
        text.contains("139 0000 0009") && text.contains("尚未记录"),
        "{text}"
    );
    key(&mut app, KeyCode::Esc);
    assert!(!app.quit && app.dialog().is_none(), "Esc stays");
    key(&mut app, KeyCode::Char('q'));
    key(&mut app, KeyCode::Enter);
    assert!(app.quit, "Enter quits");
}

#[test]
fn the_customer_form_marks_every_bad_field_at_the_first_save() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let mut app = app(&path, Lang::En);
    ctrl(&mut app, 'n');
    let form = app.form_mut().expect("the new-customer form");
    form.set("name", "错三处");
    form.set("phone", "12");
    form.set("email", "not-an-email");
    form.set("birthday", "2026-13-45");
    ctrl(&mut app, 's');
    let form = app.form().expect("still open");
    for field in ["phone", "email", "birthday"] {
        assert!(
            form.field(field).is_some_and(|f| f.error.is_some()),
            "{field} is marked at the first save"
        );
    }
    assert!(form.field("name").is_some_and(|f| f.error.is_none()));
}

#[test]
fn the_too_small_notice_breaks_between_phrases_not_inside_words() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    for (lang, phrases) in [
        (Lang::ZhCn, vec!["终端窗口太小", "至少需要 40×12"]),
        (
            Lang::En,
            vec!["Terminal too small:", "careline needs at", "least 40×12."],
        ),
    ] {
        let app = app(&path, lang);
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 8));
        careline::tui::ui::render(&app, buf.area, &mut buf);
        let text = text_of(&buf);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines, phrases, "at 20×8:\n{text}");
    }
}

#[test]
fn a_failed_read_on_the_worker_is_said_once_and_not_retried_by_itself() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let mut app = app(&path, Lang::En);
    let busy = careline::store::StoreError::Busy(std::time::Duration::from_secs(5));
    app.loaded(Msg::ReadFailed(busy));
    let said = app
        .desk
        .message
        .as_ref()
        .expect("the failure is on the message line");
    assert_eq!(said.kind, careline::tui::desk::MessageKind::Error);
    assert!(
        app.desk.next_message().is_none(),
        "nothing asks for the read again"
    );
}

/// The tabs are the registered panes, in order: `F1`… shows the n-th, help names each by
/// its tab's label, and a key for a tab nobody registered is neither offered nor acted on.
#[test]
fn tab_keys_follow_the_registered_panes() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let mut app = app(&path, Lang::En);
    let tabs = app.tabs();
    assert_eq!(
        tabs.len(),
        5,
        "Lookup, Log, Complaints, Care and (for an admin) Reports are registered"
    );
    app.handle_key(press(KeyCode::F(2)));
    assert_eq!(app.tab(), tabs[1].0);
    assert_eq!(app.focus(), Focus::Log);
    app.handle_key(press(KeyCode::F(1)));
    assert_eq!(app.tab(), tabs[0].0);
    assert!(app.offers(&Action::Tab(4)));
    assert!(app.offers(&Action::Tab(5)), "an admin has the Reports");
    // An operator has four tabs: the fifth key is neither offered nor acted on.
    {
        let mut store = open(&path);
        let admin = store.actor("li.na", None).expect("admin");
        store
            .add_operator(&admin, "newbie", "New", careline::store::Role::Operator)
            .expect("operator added");
    }
    let store = open(&path);
    let actor = store.actor("newbie", None).expect("actor");
    let mut newbie = App::new(store, actor, settings(Lang::En));
    assert_eq!(newbie.tabs().len(), 4);
    assert!(
        !newbie.offers(&Action::Tab(5)),
        "no fifth tab for an operator"
    );
    newbie.handle_key(press(KeyCode::F(2))); // the Log's list, where 5 is a key, not text
    assert!(!newbie.context().is_text());
    let before = (newbie.tab(), newbie.focus());
    newbie.handle_key(press(KeyCode::F(5)));
    newbie.handle_key(press(KeyCode::Char('5')));
    assert_eq!((newbie.tab(), newbie.focus()), before, "nothing happens");
    app.handle_key(press(KeyCode::F(2)));
    let context = app.context();
    assert_eq!(
        app.action_label(context, &Action::Tab(5)),
        "Reports pane",
        "the fifth tab's own label"
    );
    assert_eq!(
        app.action_label(context, &Action::Tab(2)),
        "Log pane",
        "the tab's own label"
    );
    let mut zh = self::app(&path, Lang::ZhCn);
    assert_eq!(zh.action_label(zh.context(), &Action::Tab(1)), "查找面板");
    zh.update(Action::Tab(2));
    assert_eq!(zh.focus(), Focus::Log);
    assert_eq!(zh.action_label(zh.context(), &Action::Tab(3)), "投诉面板");
    zh.handle_key(press(KeyCode::F(3)));
    assert_eq!(zh.tab(), tabs[2].0, "F3 shows the Complaints pane");
}

/// A moment `minutes` after (or before) the desk's fixed "now".
fn at_minutes(minutes: i64) -> chrono::DateTime<chrono::Utc> {
    common::screen::screen_now() + chrono::Duration::minutes(minutes)
}

/// Logs a phone contact with `customer` as `login`, begun at `started`, saved at `saved`.
fn log_contact_as(
    path: &std::path::Path,
    login: &str,
    customer: i64,
    started: chrono::DateTime<chrono::Utc>,
    saved: chrono::DateTime<chrono::Utc>,
) -> i64 {
    let mut store = open(path);
    store.set_clock(careline::store::Clock::Fixed(saved));
    let actor = store.actor(login, None).expect("actor");
    store
        .log_interaction(
            &actor,
            &careline::store::NewInteraction::contact(
                customer,
                careline::domain::customer::Channel::PhoneIn,
                "resolved_first_contact",
                started,
                started + chrono::Duration::minutes(2),
                "来电已处理",
            ),
        )
        .expect("log")
        .id
}

/// A call from `number` announced to li.na at `when`, matched to `customer`.
fn pop_at(
    path: &std::path::Path,
    number: &str,
    customer: Option<i64>,
    when: chrono::DateTime<chrono::Utc>,
) {
    let mut store = open(path);
    store.set_clock(careline::store::Clock::Fixed(when));
    let admin = store.actor("li.na", None).expect("actor");
    store.record_pop(&admin, number, customer).expect("pop");
}

/// The Lookup pane read afresh, and its Recent calls drawn 80 columns wide.
fn recent_calls(path: &std::path::Path, lang: Lang) -> (Lookup, String) {
    let store = open(path);
    let actor = store.actor("li.na", None).expect("actor");
    let mut desk = Desk::new(store, actor, settings(lang));
    let mut lookup = Lookup::default();
    lookup.reload(&mut desk);
    let mut buf = Buffer::empty(Rect::new(0, 0, 80, 20));
    lookup.render(buf.area, &mut buf, &desk.view(false));
    (lookup, text_of(&buf))
}

/// The drawn row of the call from `number`.
fn row_of(text: &str, number: &str) -> String {
    text.lines()
        .find(|l| l.contains(number))
        .unwrap_or_else(|| panic!("no row for {number}:\n{text}"))
        .to_string()
}

fn empty_desk(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("desk.db");
    let mut store = open(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    store
        .add_operator(&admin, "wang.fang", "王芳", careline::store::Role::Operator)
        .expect("a colleague");
    path
}

fn add_customer(path: &std::path::Path, name: &str, phones: &[&str]) -> i64 {
    let mut store = open(path);
    let admin = store.actor("li.na", None).expect("actor");
    let contacts = phones.iter().map(|p| common::phone(p)).collect();
    store
        .create_customer(&admin, &common::customer(name, contacts))
        .expect("create")
        .id
}

#[test]
fn a_call_nobody_logged_is_marked_until_a_contact_is_logged_after_it() {
    let dir = tempfile::tempdir().expect("dir");
    let path = empty_desk(&dir);
    let caller = add_customer(&path, "周敏", &["13700002468"]);
    let other = add_customer(&path, "Other Caller", &["13700001357"]);
    // A contact logged an hour before the call is about something earlier.
    let before = log_contact_as(&path, "li.na", caller, at_minutes(-65), at_minutes(-60));
    pop_at(&path, "13700002468", Some(caller), at_minutes(0));
    let (lookup, text) = recent_calls(&path, Lang::En);
    assert!(!lookup.pops[0].logged, "only a contact before the call");
    assert!(
        row_of(&text, "13700002468").contains("not logged"),
        "{text}"
    );
    // Amending that earlier entry after the call corrects it; it logs no new contact.
    {
        let mut store = open(&path);
        store.set_clock(careline::store::Clock::Fixed(at_minutes(3)));
        let admin = store.actor("li.na", None).expect("actor");
        let mut amendment = careline::store::NewInteraction::contact(
            caller,
            careline::domain::customer::Channel::PhoneIn,
            "resolved_first_contact",
            at_minutes(-65),
            at_minutes(-63),
            "更正：来电已处理",
        );
        amendment.amends_id = Some(before);
        store.log_interaction(&admin, &amendment).expect("amend");
    }
    assert!(!recent_calls(&path, Lang::En).0.pops[0].logged);
    // A contact begun well before the call (another conversation) saved after it: not it.
    log_contact_as(&path, "li.na", caller, at_minutes(-6), at_minutes(1));
    assert!(!recent_calls(&path, Lang::En).0.pops[0].logged);
    // Another customer's contact logs nothing of this call.
    log_contact_as(&path, "li.na", other, at_minutes(0), at_minutes(4));
    assert!(!recent_calls(&path, Lang::En).0.pops[0].logged);
    // The call's own contact, its timer started at the tick a moment before the pop was
    // written, saved ten minutes later: the call is logged and the mark is gone.
    log_contact_as(
        &path,
        "li.na",
        caller,
        at_minutes(0) - chrono::Duration::seconds(1),
        at_minutes(10),
    );
    let (lookup, text) = recent_calls(&path, Lang::En);
    assert!(lookup.pops[0].logged);
    let row = row_of(&text, "13700002468");
    assert!(
        !row.contains("not logged") && row.contains("周敏"),
        "{text}"
    );
}

#[test]
fn a_colleagues_contact_logs_the_call_and_the_rows_stay_in_line() {
    let dir = tempfile::tempdir().expect("dir");
    let path = empty_desk(&dir);
    let first = add_customer(&path, "周敏", &["13700002468"]);
    let second = add_customer(&path, "Ann Lee", &["13700001357"]);
    pop_at(&path, "13700002468", Some(first), at_minutes(-30));
    pop_at(&path, "13700001357", Some(second), at_minutes(-20));
    // The caller rang back and a colleague on the shared desk logged it: dealt with.
    log_contact_as(&path, "wang.fang", first, at_minutes(-10), at_minutes(-8));
    for (lang, mark) in [(Lang::En, "not logged"), (Lang::ZhCn, "未记录")] {
        let (lookup, text) = recent_calls(&path, lang);
        let logged: Vec<bool> = lookup.pops.iter().map(|p| p.logged).collect();
        assert_eq!(logged, [false, true], "newest first");
        let marked = row_of(&text, "13700001357");
        let clear = row_of(&text, "13700002468");
        assert!(
            marked.contains(mark) && marked.contains("Ann Lee"),
            "{text}"
        );
        assert!(!clear.contains(mark) && clear.contains("周敏"), "{text}");
        // The numbers start in the same column with the mark and without it.
        let column = |row: &str, number: &str| {
            let before = &row[..row.find(number).expect("number")];
            unicode_width::UnicodeWidthStr::width(before)
        };
        assert_eq!(
            column(&marked, "13700001357"),
            column(&clear, "13700002468"),
            "{text}"
        );
    }
}

#[test]
fn a_call_from_an_unknown_number_is_logged_by_a_contact_with_whoever_holds_it_now() {
    let dir = tempfile::tempdir().expect("dir");
    let path = empty_desk(&dir);
    pop_at(&path, "138 0013 8000", None, at_minutes(0));
    let (lookup, text) = recent_calls(&path, Lang::En);
    assert!(!lookup.pops[0].logged);
    let row = row_of(&text, "138 0013 8000");
    assert!(
        row.contains("not logged") && row.contains("unknown caller"),
        "{text}"
    );
    // Added during the call, written another way: the row names the customer, still unlogged.
    let added = add_customer(&path, "新客户", &["+86 138-0013-8000"]);
    let (lookup, text) = recent_calls(&path, Lang::En);
    assert_eq!(lookup.pops[0].customer_id, Some(added));
    assert!(!lookup.pops[0].logged);
    assert!(
        row_of(&text, "138 0013 8000").contains("not logged"),
        "{text}"
    );
    log_contact_as(&path, "li.na", added, at_minutes(1), at_minutes(6));
    let (lookup, text) = recent_calls(&path, Lang::En);
    assert!(lookup.pops[0].logged);
    assert!(
        !row_of(&text, "138 0013 8000").contains("not logged"),
        "{text}"
    );
}

#[test]
fn a_call_from_a_shared_number_is_logged_by_a_contact_with_any_of_its_holders() {
    let dir = tempfile::tempdir().expect("dir");
    let path = empty_desk(&dir);
    add_customer(&path, "张三", &["13800138000"]);
    add_customer(&path, "李四", &["13800138000"]);
    let third = add_customer(&path, "王五", &["138 0013 8000"]);
    pop_at(&path, "13800138000", None, at_minutes(0));
    let (lookup, text) = recent_calls(&path, Lang::ZhCn);
    assert_eq!(
        lookup.pops[0].holders,
        ["张三", "李四", "王五"],
        "every holder"
    );
    let row = row_of(&text, "13800138000");
    assert!(row.contains("未记录") && row.contains("3 位客户"), "{text}");
    // The third holder's contact, logged after the call, logs it.
    log_contact_as(&path, "wang.fang", third, at_minutes(2), at_minutes(5));
    let (lookup, text) = recent_calls(&path, Lang::ZhCn);
    assert!(lookup.pops[0].logged);
    assert!(!row_of(&text, "13800138000").contains("未记录"), "{text}");
}

#[test]
fn logging_the_call_clears_its_mark_when_the_operator_comes_back_at_80x24() {
    for (lang, mark, code_key) in [(Lang::En, "not logged", 'i'), (Lang::ZhCn, "未记录", 'y')] {
        let dir = tempfile::tempdir().expect("dir");
        let path = empty_desk(&dir);
        add_customer(&path, "周敏", &["13700002468"]);
        let mut app = app(&path, lang);
        app.update(Action::Pop("13700002468".into()));
        assert!(app.form().is_some(), "the contact form beside the card");
        // Not now: the form (nothing typed) and the card close; the call is listed, marked.
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
        let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
        careline::tui::ui::render(&app, buf.area, &mut buf);
        let text = text_of(&buf);
        let row = row_of(&text, "137 0000 2468"); // listed as read, 3-4-4
        assert!(row.contains(mark) && row.contains("周敏"), "{text}");
        // Back to the call: open it from Recent calls, log the contact, come back.
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.focus(), Focus::Card);
        key(&mut app, KeyCode::Char('n'));
        key(&mut app, KeyCode::Char(code_key));
        ctrl(&mut app, 's');
        assert!(app.form().is_none(), "saved: {:?}", app.desk.message);
        key(&mut app, KeyCode::Esc);
        assert_ne!(app.focus(), Focus::Card, "the card closed");
        let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
        careline::tui::ui::render(&app, buf.area, &mut buf);
        let text = text_of(&buf);
        let row = row_of(&text, "137 0000 2468"); // listed as read, 3-4-4
        assert!(!row.contains(mark) && row.contains("周敏"), "{text}");
    }
}

/// Issue 15: a confidential card opened by an operator shows name and code only; a grant
/// given while it is open shows the record (a view, audited); when the grant ends the card
/// closes its details again by itself.
#[test]
fn a_confidential_card_opens_with_a_grant_audited_and_closes_when_it_expires() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (id, _, phone) = a_customer(&path);
    let mut admin_store = open(&path);
    let admin = admin_store.actor("li.na", None).expect("admin");
    admin_store
        .add_operator(&admin, "amy", "Amy", careline::store::Role::Operator)
        .expect("amy");
    let before = admin_store.customer(&admin, id).expect("customer");
    let mut fields = before.fields.clone();
    fields.confidential = true;
    admin_store
        .edit_customer(&admin, id, before.version, &fields)
        .expect("confidential");

    let store = open(&path);
    let amy = store.actor("amy", None).expect("amy");
    let mut desk = Desk::new(store, amy, settings(Lang::En));
    let mut card = Card::default();
    desk.customer = Some(id);
    card.reload(&mut desk);
    assert!(card.card.as_ref().is_some_and(|c| c.customer.restricted));

    admin_store
        .grant_access(
            &admin,
            id,
            "amy",
            "客户来电要求改地址",
            Some(30),
            &careline::domain::grant::GrantRules::default(),
        )
        .expect("grant");
    card.reload(&mut desk);
    let shown = card.card.as_ref().expect("card");
    assert!(!shown.customer.restricted);
    assert!(shown
        .customer
        .fields
        .contacts
        .iter()
        .any(|c| c.value == phone));
    let until = common::screen::screen_now() + chrono::Duration::minutes(30);
    assert_eq!(desk.access_until, Some(until));
    let views = common::count(
        &common::raw(&path),
        "SELECT count(*) FROM audit_log WHERE actor_login = 'amy' AND action = 'customer.view'
            AND detail LIKE '%\"restricted\":false%'",
    );
    assert_eq!(
        views, 1,
        "the record seen through the grant is a view in the trail"
    );

    // A minute after the grant ends, the desk's clock tick reads the card again.
    desk.store.set_clock(careline::store::Clock::Fixed(
        until + chrono::Duration::minutes(1),
    ));
    desk.tick();
    assert!(messages(&mut desk)
        .iter()
        .any(|m| matches!(m, Msg::DataChanged)));
    card.reload(&mut desk);
    assert!(card.card.as_ref().is_some_and(|c| c.customer.restricted));
    assert_eq!(desk.access_until, None);
}
