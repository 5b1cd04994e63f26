//! Consent recorded with its channel in the screen (issue 15, DESIGN §6): the edit form asks
//! how consent given or withdrawn came, refuses the change without it, and the card shows it.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use careline::tui::app::App;
use careline::tui::component::Msg;
use careline::tui::i18n::Lang;
use common::screen::{buffer_text, open_at_screen_time, settings};

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn screen(app: &App) -> String {
    let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
    careline::tui::ui::render(app, buf.area, &mut buf);
    buffer_text(&buf)
}

fn error_on(app: &App, field: &str) -> Option<String> {
    app.form()
        .and_then(|f| f.field(field))
        .and_then(|f| f.error.clone())
}

/// A five-minute inbound call to customer `id`, ended at the screen tests' moment.
fn call(id: i64, disposition: &str, summary: &str) -> careline::store::NewInteraction {
    let now = common::screen::screen_now();
    careline::store::NewInteraction::contact(
        id,
        careline::domain::customer::Channel::PhoneIn,
        disposition,
        now - chrono::Duration::minutes(5),
        now,
        summary,
    )
}

#[test]
fn consent_given_in_the_form_says_how_and_the_card_shows_it() {
    for (lang, needed, shown) in [
        (
            Lang::En,
            "say how the customer gave or withdrew consent",
            "marketing consent since 2026-11-23 (WeChat)",
        ),
        (
            Lang::ZhCn,
            "请说明客户通过何种渠道同意或撤回同意",
            "自 2026-11-23 同意营销 (微信)",
        ),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("desk.db");
        let mut store = open_at_screen_time(&path);
        let admin = store.init_admin("li.na", "李娜").expect("init");
        let id = store
            .create_customer(
                &admin,
                &common::customer("王秀英", vec![common::phone("13800000001")]),
            )
            .expect("customer")
            .id;
        let actor = store.actor("li.na", None).expect("actor");
        let mut app = App::new(store, actor, settings(lang, "desk.db"));
        app.loaded(Msg::OpenCustomer { id, focus: true });
        key(&mut app, KeyCode::Char('e'));
        let form = app.form_mut().expect("edit form");
        form.focus_on("marketing_consent");
        key(&mut app, KeyCode::Right);
        assert_eq!(
            app.form().map(|f| f.value("marketing_consent")),
            Some("yes".into())
        );
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert_eq!(error_on(&app, "consent_channel").as_deref(), Some(needed));
        // WeChat: the fourth way after none, phone, SMS and email.
        app.form_mut().expect("form").focus_on("consent_channel");
        for _ in 0..4 {
            key(&mut app, KeyCode::Right);
        }
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(app.form().is_none(), "saved: {:?}", app.desk.message);
        let text = screen(&app);
        assert!(text.contains(shown), "{text}");
        let check = open_at_screen_time(&path);
        let li = check.actor("li.na", None).expect("li.na");
        let saved = check.customer(&li, id).expect("customer");
        assert_eq!(
            saved.fields.consent_channel,
            Some(careline::domain::customer::ConsentChannel::Wechat)
        );
    }
}

/// An operator who marks a new customer VIP is told on the level field that a supervisor sets
/// it — with any other bad field marked at the same save, nothing written and no refusal
/// audited — and the record saves once the level is left as it was.
#[test]
fn a_level_an_operator_may_not_set_is_marked_on_its_field() {
    for (lang, said) in [
        (
            Lang::En,
            "only a supervisor or above sets a customer's level; leave it as it is",
        ),
        (Lang::ZhCn, "客户级别只能由主管或更高角色设置，请保持原样"),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("desk.db");
        let mut store = open_at_screen_time(&path);
        let admin = store.init_admin("li.na", "李娜").expect("init");
        store
            .add_operator(&admin, "amy", "Amy", careline::store::Role::Operator)
            .expect("amy");
        let actor = store.actor("amy", None).expect("actor");
        let mut app = App::new(store, actor, settings(lang, "desk.db"));
        app.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL));
        let form = app.form_mut().expect("new customer form");
        form.focus_on("name");
        for c in "赵敏".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        app.form_mut().expect("form").focus_on("phone");
        for c in "12345".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        app.form_mut().expect("form").focus_on("level");
        key(&mut app, KeyCode::Right);
        assert_eq!(app.form().map(|f| f.value("level")), Some("vip".into()));
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert_eq!(error_on(&app, "level").as_deref(), Some(said));
        assert!(
            error_on(&app, "phone").is_some(),
            "a 5-digit phone is bad too"
        );
        let check = open_at_screen_time(&path);
        let li = check.actor("li.na", None).expect("li.na");
        let refusals = check
            .audit_entries(
                &li,
                &careline::store::AuditFilter {
                    action: Some("refused".into()),
                    ..Default::default()
                },
                10,
            )
            .expect("trail");
        assert!(refusals.is_empty(), "{refusals:?}");
        // Level back to normal, a real number: saved.
        app.form_mut().expect("form").focus_on("level");
        key(&mut app, KeyCode::Left);
        app.form_mut().expect("form").focus_on("phone");
        for _ in 0..5 {
            key(&mut app, KeyCode::Backspace);
        }
        for c in "13800000009".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(app.form().is_none(), "saved: {:?}", app.desk.message);
    }
}

/// An erased customer's card (reached from history kept for counts) shows the erasure's mark
/// in the screen's language: the name and the words it replaced in a contact's summary.
#[test]
fn an_erased_customer_reads_as_erased_in_the_screen_language() {
    for (lang, mark) in [(Lang::En, "[erased]"), (Lang::ZhCn, "[已删除]")] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("desk.db");
        let mut store = open_at_screen_time(&path);
        let admin = store.init_admin("li.na", "李娜").expect("init");
        store
            .set_privacy(&admin, "li.na", true)
            .expect("privacy permission");
        let admin = store.actor("li.na", None).expect("li.na");
        let id = store
            .create_customer(
                &admin,
                &common::customer("王秀英", vec![common::phone("13800000001")]),
            )
            .expect("customer")
            .id;
        store
            .log_interaction(
                &admin,
                &call(id, "information_given", "王秀英 asked about her order"),
            )
            .expect("logged");
        store.erase_customer(&admin, id).expect("erased");
        let mut app = App::new(store, admin, settings(lang, "desk.db"));
        app.loaded(Msg::OpenCustomer { id, focus: true });
        let text = screen(&app);
        assert!(!text.contains("王秀英"), "{text}");
        assert!(
            text.contains(&format!("{mark} asked about her order")),
            "{text}"
        );
        if lang == Lang::ZhCn {
            assert!(!text.contains("[erased]"), "{text}");
        }
    }
}

/// A supervisor makes a customer confidential in the edit form; an operator who tries is told
/// on the field that a supervisor does it, and nothing changes.
#[test]
fn confidentiality_is_set_in_the_edit_form_by_a_supervisor_only() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    store
        .add_operator(&admin, "amy", "Amy", careline::store::Role::Operator)
        .expect("amy");
    store
        .add_operator(
            &admin,
            "chen.jie",
            "陈杰",
            careline::store::Role::Supervisor,
        )
        .expect("chen.jie");
    let id = store
        .create_customer(
            &admin,
            &common::customer("王秀英", vec![common::phone("13800000001")]),
        )
        .expect("customer")
        .id;
    drop(store);
    let edit_confidential = |login: &str| {
        let store = open_at_screen_time(&path);
        let actor = store.actor(login, None).expect("actor");
        let mut app = App::new(store, actor, settings(Lang::En, "desk.db"));
        app.loaded(Msg::OpenCustomer { id, focus: true });
        key(&mut app, KeyCode::Char('e'));
        app.form_mut().expect("edit form").focus_on("confidential");
        key(&mut app, KeyCode::Right);
        assert_eq!(
            app.form().map(|f| f.value("confidential")),
            Some("yes".into())
        );
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        app
    };
    let amy = edit_confidential("amy");
    assert_eq!(
        error_on(&amy, "confidential").as_deref(),
        Some("only a supervisor or above makes a customer confidential or not; leave it as it is")
    );
    let check = open_at_screen_time(&path);
    let li = check.actor("li.na", None).expect("li.na");
    assert!(!check.customer(&li, id).expect("read").fields.confidential);
    let chen = edit_confidential("chen.jie");
    assert!(chen.form().is_none(), "saved: {:?}", chen.desk.message);
    assert!(check.customer(&li, id).expect("read").fields.confidential);
    let amy_actor = check.actor("amy", None).expect("amy");
    assert!(check.customer(&amy_actor, id).expect("read").restricted);
}

/// The customer's trail reads in the screen's language: a contact's channel, direction and
/// wrap-up code as words, and what an entry is about named in words.
#[test]
fn the_trail_words_a_logged_contact_in_chinese() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    let id = store
        .create_customer(
            &admin,
            &common::customer("王秀英", vec![common::phone("13800000001")]),
        )
        .expect("customer")
        .id;
    store
        .log_interaction(&admin, &call(id, "resolved_first_contact", "问地址"))
        .expect("logged");
    let mut app = App::new(store, admin, settings(Lang::ZhCn, "desk.db"));
    app.loaded(Msg::OpenCustomer { id, focus: true });
    key(&mut app, KeyCode::Char('A'));
    let text = screen(&app);
    assert!(
        text.lines().nth(3).is_some_and(|l| l.contains("记录联系")),
        "after the card's view, newest first: {text}"
    );
    key(&mut app, KeyCode::Down);
    // The entry whole: every word in the screen's language, what it is about in words.
    key(&mut app, KeyCode::Enter);
    let text = screen(&app);
    for word in ["电话呼入", "方向: 呼入", "首次解决"] {
        assert!(text.contains(word), "{word} in {text}");
    }
    for raw in ["phone_in", "inbound", "resolved_first_contact", "customer"] {
        assert!(!text.contains(raw), "{raw} in {text}");
    }
    let text = screen(&app);
    assert!(text.contains("联系记录 #1"), "{text}");
}

/// On a shared host the screen says which settings of the operator's own config it ignored,
/// in the screen's language.
#[test]
fn ignored_own_settings_are_said_on_the_screen() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    let ignored = ["lookup.limit", "[complaints]"].map(|key| careline::host::IgnoredSetting {
        file: "/home/amy/.config/careline/careline.toml".into(),
        key: key.into(),
        host_config: "/etc/careline/careline.toml".into(),
    });
    let mut app = App::new(store, admin, settings(Lang::ZhCn, "desk.db"));
    app.say_ignored_settings(&ignored);
    let text = screen(&app);
    assert!(
        text.contains("您的设置 lookup.limit, [complaints] 在此主机不生效"),
        "{text}"
    );
}

/// A new customer's form open on a fresh desk of li.na, the admin, in `lang` (the folder
/// kept with it).
fn new_customer_form(lang: Lang) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    drop(store);
    let store = open_at_screen_time(&path);
    let mut app = App::new(store, admin, settings(lang, "desk.db"));
    app.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL));
    (dir, app)
}

/// Types `text` into the form's field `field`.
fn type_in(app: &mut App, field: &str, text: &str) {
    app.form_mut().expect("form").focus_on(field);
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// A bad number typed in Phone 2 with Phone left empty is marked on Phone 2, where it was
/// typed (the store counts the numbers given, and Phone 2's is then the first); with both
/// typed, each is marked on its own field.
#[test]
fn a_bad_second_phone_is_marked_where_it_was_typed() {
    let (_dir, mut app) = new_customer_form(Lang::En);
    type_in(&mut app, "name", "赵敏");
    // 14 digits: a mainland mobile has 11.
    type_in(&mut app, "phone2", "12345678901234");
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(app.form().is_some(), "refused");
    assert_eq!(error_on(&app, "phone"), None, "{}", screen(&app));
    let said = error_on(&app, "phone2").unwrap_or_else(|| panic!("{}", screen(&app)));
    assert!(said.contains("14"), "{said}");
    // A good first number and the same bad second one: still on Phone 2.
    type_in(&mut app, "phone", "13800138000");
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert_eq!(error_on(&app, "phone"), None, "{}", screen(&app));
    assert!(error_on(&app, "phone2").is_some(), "{}", screen(&app));
}

/// Refusals beside three fields push the last field (Notes) past the bottom at 80×24: the
/// form says there is more below where it would begin, in both languages.
#[test]
fn a_field_pushed_out_of_sight_is_announced() {
    for (lang, said) in [(Lang::En, "↓ more below"), (Lang::ZhCn, "↓ 下方还有字段")] {
        let (_dir, mut app) = new_customer_form(lang);
        for (field, text) in [
            ("name", "赵敏"),
            ("phone", "12345"),
            ("email", "nobody"),
            ("birthday", "someday"),
        ] {
            type_in(&mut app, field, text);
        }
        app.form_mut().expect("form").focus_on("name");
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        for field in ["phone", "email", "birthday"] {
            assert!(error_on(&app, field).is_some(), "{field}: {}", screen(&app));
        }
        let text = screen(&app);
        assert!(text.contains(said), "{said} in\n{text}");
    }
}
