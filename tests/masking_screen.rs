//! The card and the edit form of an operator whose site shows contacts in full only to
//! supervisors (`[privacy] full_contacts = "supervisor"`): whole-screen snapshots of the
//! masked card in both languages, and the edit form driven key by key on a real database,
//! which must never write a mask over a stored number.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use careline::domain::contact::ContactKind;
use careline::domain::customer::{ContactInput, CustomerFields};
use careline::domain::operator::PrivacyRules;
use careline::store::{Clock, OpenOptions, Role, Store};
use careline::tui::action::Action;
use careline::tui::app::{App, Focus};
use careline::tui::i18n::Lang;
use careline::tui::ui;

const ADDRESS: &str = "北京市朝阳区建国路88号";

/// The desk at the screen tests' moment, with `[privacy] full_contacts = full_contacts`.
fn open(path: &std::path::Path, full_contacts: &str) -> Store {
    let mut store = Store::open(
        path,
        OpenOptions {
            privacy: PrivacyRules::parse(full_contacts).expect("a role"),
            ..OpenOptions::default()
        },
    )
    .expect("open");
    store.set_clock(Clock::Fixed(common::screen::screen_now()));
    store
}

/// A desk with its admin, the operator wang.fang, and 王小雨 with two phones, an email, a
/// WeChat ID and an address; the customer's id.
fn desk(dir: &tempfile::TempDir) -> (std::path::PathBuf, i64) {
    let path = dir.path().join("desk.db");
    let mut store = open(&path, "supervisor");
    let admin = store.init_admin("boss", "The Boss").expect("init");
    store
        .add_operator(&admin, "wang.fang", "王芳", Role::Operator)
        .expect("operator");
    let id = store
        .create_customer(
            &admin,
            &CustomerFields {
                name: "王小雨".into(),
                address: Some(ADDRESS.into()),
                contacts: vec![
                    common::phone("13812345678"),
                    common::phone("010-6666 8888 ext 12"),
                    common::email("wang.xy@example.com"),
                    ContactInput {
                        kind: ContactKind::Wechat,
                        value: "wangxy88".into(),
                        label: None,
                    },
                ],
                ..CustomerFields::default()
            },
        )
        .expect("create")
        .id;
    (path, id)
}

/// The operator's screen with 王小雨's card open (found by her mobile's last digits).
fn card(path: &std::path::Path, lang: Lang) -> App {
    let store = open(path, "supervisor");
    let actor = store.actor("wang.fang", None).expect("operator");
    let settings = common::screen::settings(lang, "/srv/careline/desk.db");
    let mut app = App::new(store, actor, settings);
    for c in "5678".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.focus(), Focus::Card);
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    app.update(Action::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| ui::draw(f, app)).expect("draw");
    terminal
}

fn text(terminal: &Terminal<TestBackend>) -> String {
    common::screen::buffer_text(terminal.backend().buffer())
}

#[test]
fn the_masked_card_at_80_by_24() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, _) = desk(&dir);
    for (lang, name, heading) in [
        (Lang::En, "en", "Contacts (masked"),
        (Lang::ZhCn, "zh", "联系方式（已脱敏"),
    ] {
        let mut app = card(&path, lang);
        let screen = draw(&mut app, 80, 24);
        let shown = text(&screen);
        for masked in [
            heading,
            "138****5678",
            "010****8888",
            "w***@example.com",
            "wa***88",
            "北京市朝阳区****",
        ] {
            assert!(shown.contains(masked), "{masked} in\n{shown}");
        }
        for whole in [
            "138 1234 5678",
            "6666 8888",
            "wang.xy",
            "wangxy88",
            "建国路",
        ] {
            assert!(!shown.contains(whole), "{whole} in\n{shown}");
        }
        insta::assert_snapshot!(format!("card_masked_{name}_80x24"), screen.backend());
    }
}

/// The contacts and address as stored, read by the admin.
fn stored(path: &std::path::Path, id: i64) -> (Vec<String>, Option<String>, Option<String>) {
    let store = open(path, "supervisor");
    let admin = store.actor("boss", None).expect("admin");
    let c = store.customer(&admin, id).expect("read");
    (
        c.fields.contacts.iter().map(|k| k.value.clone()).collect(),
        c.fields.address,
        c.fields.notes,
    )
}

#[test]
fn the_edit_form_shows_masks_and_saving_it_keeps_the_stored_numbers() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, id) = desk(&dir);
    let (contacts, address, _) = stored(&path, id);
    let mut app = card(&path, Lang::En);
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.focus(), Focus::Form);
    let form = app.form().expect("the edit form");
    assert_eq!(form.value("phone"), "138****5678");
    assert_eq!(form.value("phone2"), "010****8888");
    assert_eq!(form.value("email"), "w***@example.com");
    assert_eq!(form.value("address"), "北京市朝阳区****");

    // Half of a mask changed (a digit typed after the shown phone): refused on the field,
    // nothing written.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('9'));
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(app.form().is_some(), "the form stays open");
    let shown = text(&draw(&mut app, 80, 24));
    assert!(
        shown.contains("masked: type it in full"),
        "the phone's reason:\n{shown}"
    );
    assert_eq!(stored(&path, id).0, contacts);
    key(&mut app, KeyCode::Backspace);

    // The notes written, everything else left as shown: saved, and the numbers, email,
    // WeChat ID and address are the stored ones still.
    app.form_mut().expect("the edit form").focus_on("notes");
    for c in "evening calls".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(app.form().is_none(), "saved");
    let (after, after_address, notes) = stored(&path, id);
    assert_eq!(after, contacts);
    assert_eq!(after_address, address);
    assert_eq!(notes.as_deref(), Some("evening calls"));
    // The card it returns to is masked still.
    let shown = text(&draw(&mut app, 80, 24));
    assert!(shown.contains("138****5678"), "{shown}");
    assert!(!shown.contains("138 1234 5678"), "{shown}");
}

/// The customer's audit trail says the operator saw the record with its contacts masked, and
/// the admin who reads it saw it whole.
#[test]
fn the_trail_says_a_view_was_masked() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, id) = desk(&dir);
    for (lang, masked, whole) in [
        (
            Lang::En,
            "the whole record, contacts masked",
            "the whole record",
        ),
        (Lang::ZhCn, "完整记录（联系方式已脱敏）", "完整记录"),
    ] {
        drop(card(&path, lang));
        let store = open(&path, "supervisor");
        let actor = store.actor("boss", None).expect("admin");
        let settings = common::screen::settings(lang, "/srv/careline/desk.db");
        let mut app = App::new(store, actor, settings);
        common::screen::open_card(&mut app, id);
        key(&mut app, KeyCode::Char('A'));
        let shown = text(&draw(&mut app, 80, 24));
        let line = |who: &str| {
            shown
                .lines()
                .find(|l| l.contains(who))
                .unwrap_or_else(|| panic!("{who} in\n{shown}"))
                .to_string()
        };
        assert!(line("wang.fang").contains(masked), "{shown}");
        let boss = line("boss ");
        assert!(boss.contains(whole) && !boss.contains(masked), "{shown}");
    }
}

/// A masked number copied from a list into a new customer's form is refused on its field, in
/// words for a new record (there is no stored value it could stand for).
#[test]
fn a_masked_value_in_a_new_customer_is_refused_on_its_field() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, _) = desk(&dir);
    for (lang, said) in [
        (
            Lang::En,
            "masked ('*' hides part of it): type it in full; a value copied from a list cannot be saved",
        ),
        (
            Lang::ZhCn,
            "已脱敏（* 隐去了部分内容）：请输入完整内容，从列表复制的脱敏值不能保存",
        ),
    ] {
        let store = open(&path, "supervisor");
        let actor = store.actor("wang.fang", None).expect("operator");
        let settings = common::screen::settings(lang, "/srv/careline/desk.db");
        let mut app = App::new(store, actor, settings);
        app.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL));
        app.form_mut().expect("new customer form").focus_on("name");
        for c in "赵敏".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        app.form_mut().expect("form").focus_on("phone");
        for c in "138****5678".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let error = app
            .form()
            .and_then(|f| f.field("phone"))
            .and_then(|f| f.error.clone());
        assert_eq!(error.as_deref(), Some(said));
    }
}
