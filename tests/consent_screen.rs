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
