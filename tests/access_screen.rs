//! Issue 15 in the screen: an operator asks for access to a confidential customer from the
//! card with a reason; a supervisor sees the request counted on the status bar, opens the
//! list (`Ctrl-G`), grants it for some minutes or refuses it saying why; the operator's card
//! shows until when, or why not; a supervisor reads the customer's audit trail from the card
//! (`A`). Real SQLite files, real rendered buffers, both languages.

mod common;

use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;

use careline::store::Role;
use careline::tui::action::Action;
use careline::tui::app::{App, Focus};
use careline::tui::forms::FormKind;
use careline::tui::i18n::Lang;
use careline::tui::panes::{access, audit};
use common::screen::{
    ctrl, draw, key, message, open_at_screen_time, open_card, screen, settings, type_text,
};

struct Desk {
    _dir: tempfile::TempDir,
    path: PathBuf,
    /// The confidential customer, and another one.
    secret: i64,
    other: i64,
}

/// li.na the admin, chen.jie a supervisor, amy an operator; two confidential customers.
fn desk() -> Desk {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    store
        .add_operator(&admin, "chen.jie", "陈杰", Role::Supervisor)
        .expect("chen.jie");
    store
        .add_operator(&admin, "amy", "Amy", Role::Operator)
        .expect("amy");
    let mut add = |name: &str, phone: &str| {
        let mut fields = common::customer(name, vec![common::phone(phone)]);
        fields.confidential = true;
        store.create_customer(&admin, &fields).expect("customer").id
    };
    let secret = add("王秀英", "13800000001");
    let other = add("张伟", "13800000002");
    Desk {
        _dir: dir,
        path,
        secret,
        other,
    }
}

fn app(path: &Path, login: &str, lang: Lang) -> App {
    let store = open_at_screen_time(path);
    let actor = store.actor(login, None).expect("actor");
    App::new(store, actor, settings(lang, "desk.db"))
}

/// Others wrote: the screen reads again (as the loop does when the data version moves).
fn others_wrote(app: &mut App) {
    app.update(Action::DatabaseChanged);
}

/// amy asks for access to the confidential customer from the card with a reason.
fn amy_asks(app: &mut App, id: i64, reason: &str) {
    open_card(app, id);
    key(app, KeyCode::Char('a'));
    assert_eq!(app.form().map(|f| f.kind), Some(FormKind::AccessAsk));
    type_text(app, reason);
    ctrl(app, 's');
    assert!(app.form().is_none(), "saved: {}", message(app));
}

#[test]
fn a_request_from_the_card_is_granted_in_the_list_and_the_card_shows_until_when() {
    let desk = desk();
    let mut amy = app(&desk.path, "amy", Lang::En);
    open_card(&mut amy, desk.secret);
    let text = screen(&mut amy, 80, 24);
    assert!(text.contains("Confidential customer"), "{text}");
    assert!(!text.contains("138 0000 0001"), "{text}");
    assert!(
        text.contains("a ask for access"),
        "the footer offers it:\n{text}"
    );
    // An operator cannot open the supervisors' list: refused, said, and audited.
    ctrl(&mut amy, 'g');
    assert_ne!(amy.focused_pane(), access::ID);
    assert!(message(&amy).contains("supervisor"), "{}", message(&amy));

    // Saving without a reason is refused in place.
    key(&mut amy, KeyCode::Char('a'));
    ctrl(&mut amy, 's');
    assert!(amy.form().is_some(), "a reason is required");
    key(&mut amy, KeyCode::Esc);
    key(&mut amy, KeyCode::Esc);
    amy_asks(&mut amy, desk.secret, "客户来电要求改地址");
    assert!(message(&amy).contains("request #1"), "{}", message(&amy));
    let text = screen(&mut amy, 80, 24);
    assert!(
        text.contains("You asked for access on 11-23 10:30 (request #1)"),
        "{text}"
    );
    assert!(
        !text.contains("ask for access"),
        "asked once is enough:\n{text}"
    );

    // The supervisor sees it counted, opens the list and grants it for the default hour.
    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    let text = screen(&mut chen, 80, 24);
    assert!(text.contains("access 1"), "{text}");
    ctrl(&mut chen, 'g');
    assert_eq!(chen.focused_pane(), access::ID);
    let text = screen(&mut chen, 80, 24);
    for shown in [
        "Access requests · 1 waiting",
        "#1",
        "amy",
        "waiting",
        "客户来电要求改地址",
    ] {
        assert!(text.contains(shown), "{shown:?} in\n{text}");
    }
    key(&mut chen, KeyCode::Char('y'));
    assert_eq!(chen.form().map(|f| f.kind), Some(FormKind::AccessGrant));
    assert_eq!(chen.form().map(|f| f.value("minutes")), Some("60".into()));
    // More than the most a grant may last is marked on the field.
    for _ in 0..2 {
        key(&mut chen, KeyCode::Backspace);
    }
    type_text(&mut chen, "600");
    ctrl(&mut chen, 's');
    let minutes_error = chen
        .form()
        .and_then(|f| f.field("minutes"))
        .and_then(|f| f.error.clone());
    assert!(
        minutes_error.as_deref().is_some_and(|e| e.contains("480")),
        "{minutes_error:?}"
    );
    for _ in 0..3 {
        key(&mut chen, KeyCode::Backspace);
    }
    type_text(&mut chen, "60");
    ctrl(&mut chen, 's');
    assert!(chen.form().is_none(), "granted: {}", message(&chen));
    assert_eq!(message(&chen), "amy may see C0000001 until 11:30.");
    let text = screen(&mut chen, 80, 24);
    assert!(
        text.contains("No requests for access are waiting."),
        "{text}"
    );
    assert!(!text.contains("access 1"), "{text}");
    // With those decided: how it stands.
    key(&mut chen, KeyCode::Char('h'));
    let text = screen(&mut chen, 80, 24);
    assert!(text.contains("until 11:30"), "{text}");

    // amy's card opens, saying until when and by whom.
    others_wrote(&mut amy);
    let text = screen(&mut amy, 80, 24);
    assert!(
        text.contains("Access granted by chen.jie until 11:30"),
        "{text}"
    );
    assert!(text.contains("138 0000 0001"), "{text}");

    // The supervisor reads who looked at the record, from its card.
    key(&mut chen, KeyCode::Esc);
    open_card(&mut chen, desk.secret);
    key(&mut chen, KeyCode::Char('A'));
    assert_eq!(chen.focused_pane(), audit::ID);
    let text = screen(&mut chen, 132, 43);
    for shown in [
        "asked access",
        "granted access",
        "reason: 客户来电要求改地址",
        "amy",
        "chen.jie",
        "viewed",
        // amy's views: before the grant of name and code only, after it of the whole record.
        "name and code only",
        "the whole record",
    ] {
        assert!(text.contains(shown), "{shown:?} in\n{text}");
    }
    // Enter shows one entry whole; Esc back to the list, Esc back to the card.
    key(&mut chen, KeyCode::Enter);
    let text = screen(&mut chen, 80, 24);
    assert!(text.contains("Who"), "{text}");
    key(&mut chen, KeyCode::Esc);
    key(&mut chen, KeyCode::Esc);
    assert_eq!(chen.focus(), Focus::Card);
    // An operator is not offered the trail, and is refused it by the store.
    let text = screen(&mut amy, 132, 43);
    assert!(!text.contains("audit trail"), "{text}");
    key(&mut amy, KeyCode::Char('A'));
    assert_eq!(amy.focus(), Focus::Card, "no empty trail opens");
    assert!(message(&amy).contains("supervisor"), "{}", message(&amy));
}

#[test]
fn a_refused_request_says_why_on_the_card() {
    let desk = desk();
    let mut amy = app(&desk.path, "amy", Lang::ZhCn);
    amy_asks(&mut amy, desk.other, "核对地址");
    let mut chen = app(&desk.path, "chen.jie", Lang::ZhCn);
    ctrl(&mut chen, 'g');
    key(&mut chen, KeyCode::Char('x'));
    assert_eq!(chen.form().map(|f| f.kind), Some(FormKind::AccessRefuse));
    // Refusing needs a reason the operator can read.
    ctrl(&mut chen, 's');
    assert!(chen.form().is_some());
    type_text(&mut chen, "请转主管处理");
    ctrl(&mut chen, 's');
    assert!(chen.form().is_none(), "refused: {}", message(&chen));
    others_wrote(&mut amy);
    let text = screen(&mut amy, 80, 24);
    assert!(
        text.contains("您的申请 #1 被 chen.jie 拒绝：请转主管处理"),
        "{text}"
    );
    // Refused, amy may ask again.
    assert!(text.contains("申请访问"), "{text}");
    assert!(!text.contains("138 0000 0002"), "{text}");
}

/// A supervisor gives an operator access directly from the card, with a reason; the grant
/// shows in the list with those decided, and `x` there ends it early.
#[test]
fn a_supervisor_gives_access_from_the_card_and_revokes_it_in_the_list() {
    let desk = desk();
    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    open_card(&mut chen, desk.secret);
    let text = screen(&mut chen, 80, 24);
    assert!(text.contains("a give access"), "{text}");
    key(&mut chen, KeyCode::Char('a'));
    assert_eq!(chen.form().map(|f| f.kind), Some(FormKind::AccessGive));
    assert_eq!(chen.form().map(|f| f.value("to")), Some("amy".into()));
    key(&mut chen, KeyCode::Tab);
    key(&mut chen, KeyCode::Tab);
    type_text(&mut chen, "回访投诉");
    ctrl(&mut chen, 's');
    assert!(chen.form().is_none(), "given: {}", message(&chen));
    assert_eq!(message(&chen), "amy may see C0000001 until 11:30.");
    let mut amy = app(&desk.path, "amy", Lang::En);
    open_card(&mut amy, desk.secret);
    let text = screen(&mut amy, 80, 24);
    assert!(
        text.contains("Access granted by chen.jie until 11:30"),
        "{text}"
    );
    // Editing the record while the grant lasts; the grant ends under the open form.
    key(&mut amy, KeyCode::Char('e'));
    assert_eq!(amy.form().map(|f| f.kind), Some(FormKind::EditCustomer));
    type_text(&mut amy, "x");

    // A grant given directly has no request: the list shows it with those decided (`h`),
    // numbered as `grant revoke` takes it, and `x` ends it there; the card closes again.
    ctrl(&mut chen, 'g');
    let text = screen(&mut chen, 80, 24);
    assert!(text.contains("No requests"), "nothing waits: {text}");
    key(&mut chen, KeyCode::Char('h'));
    let text = screen(&mut chen, 80, 24);
    let row = text
        .lines()
        .find(|l| l.contains("g1 ") && l.contains("C0000001"))
        .unwrap_or_else(|| panic!("the direct grant is listed: {text}"));
    assert!(
        row.contains("amy")
            && row.contains("until 11:30")
            && row.contains("given directly · 回访投诉"),
        "{row}"
    );
    let revoke = Action::Pane(&access::REFUSE);
    assert!(chen.offers(&revoke));
    assert!(!chen.offers(&Action::Pane(&access::GRANT)), "given already");
    key(&mut chen, KeyCode::Char('x'));
    assert_eq!(message(&chen), "Access of amy to C0000001 ended.");
    let text = screen(&mut chen, 80, 24);
    assert!(text.contains("revoked"), "{text}");
    assert!(!chen.offers(&revoke), "ended already");
    // The customer's trail says whose access was given and ended, and until when it was to
    // last (given at 10:30 for the default hour), where the desk is.
    key(&mut chen, KeyCode::Enter);
    key(&mut chen, KeyCode::Char('A'));
    let text = screen(&mut chen, 132, 43);
    let line = |action: &str| {
        text.lines()
            .find(|l| l.contains(action))
            .unwrap_or_else(|| panic!("{action} in {text}"))
            .to_string()
    };
    let given = line("granted access");
    assert!(
        given.contains("operator: amy")
            && given.contains("until: 2026-11-23 11:30")
            && given.contains("reason: 回访投诉"),
        "{given}"
    );
    let ended = line("revoked access");
    assert!(
        ended.contains("operator: amy")
            && ended.contains("granted by: chen.jie")
            && ended.contains("until: 2026-11-23 11:30"),
        "{ended}"
    );
    assert!(
        !text.contains("customer: C0000001"),
        "said in the title: {text}"
    );
    let store = open_at_screen_time(&desk.path);
    others_wrote(&mut amy);
    // The form about them closed with the access, its draft kept; the card is name and code.
    assert!(amy.form().is_none(), "the edit form closed");
    assert!(
        message(&amy).contains("access to this customer ended"),
        "{}",
        message(&amy)
    );
    let amy_actor = store.actor("amy", None).expect("amy");
    assert_eq!(
        store.drafts(&amy_actor).expect("drafts").len(),
        1,
        "the draft is kept"
    );
    // Offered at the next start, it is not reopened over name and code only.
    let mut again = app(&desk.path, "amy", Lang::En);
    assert!(again.dialog().is_some(), "the draft is offered");
    key(&mut again, KeyCode::Enter);
    assert!(again.form().is_none(), "not reopened without access");
    assert!(
        message(&again).contains("confidential"),
        "{}",
        message(&again)
    );
    let text = screen(&mut amy, 80, 24);
    assert!(text.contains("Confidential customer"), "{text}");
    assert!(!text.contains("138 0000 0001"), "{text}");
    // The card says the access given directly ended, as it says of a request's.
    assert!(
        text.contains("The access chen.jie gave you (grant g1) ended on 11-23 10:30."),
        "{text}"
    );
}

#[test]
fn a_grant_from_the_list_is_revoked_there() {
    let desk = desk();
    let mut amy = app(&desk.path, "amy", Lang::En);
    amy_asks(&mut amy, desk.secret, "customer called about a refund");
    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    ctrl(&mut chen, 'g');
    key(&mut chen, KeyCode::Char('y'));
    ctrl(&mut chen, 's');
    key(&mut chen, KeyCode::Char('h'));
    let revoke = Action::Pane(&access::REFUSE);
    assert!(chen.offers(&revoke));
    assert_eq!(
        chen.action_label(chen.context(), &revoke),
        "revoke",
        "on a grant still lasting, x ends it"
    );
    key(&mut chen, KeyCode::Char('x'));
    assert_eq!(message(&chen), "Access of amy to C0000001 ended.");
    let text = screen(&mut chen, 80, 24);
    assert!(text.contains("revoked"), "{text}");
    others_wrote(&mut amy);
    let text = screen(&mut amy, 80, 24);
    assert!(
        text.contains("Your access (request #1) ended on 11-23 10:30."),
        "{text}"
    );
    // Asked again after it ended: the card offers it.
    assert!(amy.offers(&Action::Pane(&careline::tui::panes::card::ACCESS)));
}

#[test]
fn access_snapshots() {
    let desk = desk();
    {
        let mut amy = app(&desk.path, "amy", Lang::En);
        amy_asks(&mut amy, desk.secret, "客户来电要求改地址");
    }
    for (lang, name) in [(Lang::En, "en"), (Lang::ZhCn, "zh")] {
        for (w, h) in [(80, 24), (132, 43)] {
            let mut amy = app(&desk.path, "amy", lang);
            open_card(&mut amy, desk.secret);
            let terminal = draw(&mut amy, w, h);
            insta::assert_snapshot!(format!("asked_card_{name}_{w}x{h}"), terminal.backend());
            let mut chen = app(&desk.path, "chen.jie", lang);
            ctrl(&mut chen, 'g');
            let terminal = draw(&mut chen, w, h);
            insta::assert_snapshot!(format!("requests_{name}_{w}x{h}"), terminal.backend());
            key(&mut chen, KeyCode::Esc);
            open_card(&mut chen, desk.secret);
            key(&mut chen, KeyCode::Char('A'));
            let terminal = draw(&mut chen, w, h);
            insta::assert_snapshot!(format!("audit_{name}_{w}x{h}"), terminal.backend());
        }
    }
}

/// The key line: the line above the status bar.
fn key_line(text: &str) -> String {
    text.lines().rev().nth(1).unwrap_or_default().to_string()
}

/// The status bar: the last line.
fn status_bar(text: &str) -> String {
    text.lines().last().unwrap_or_default().to_string()
}

/// An operator without a grant sees a confidential customer's name and code only: logging a
/// contact, editing, a complaint or a reminder about them is refused, so the key line and the
/// help offer none of it — asking for access they do offer. With access, all of it again.
#[test]
fn a_restricted_card_offers_only_what_the_operator_may_do() {
    let desk = desk();
    for (lang, log, edit, ask) in [
        (Lang::En, "log contact", "edit", "a ask for access"),
        (Lang::ZhCn, "记录联系", "编辑", "a 申请访问"),
    ] {
        let mut amy = app(&desk.path, "amy", lang);
        open_card(&mut amy, desk.secret);
        for refused in [
            Action::NewInteraction,
            Action::Edit,
            Action::NewComplaint,
            Action::Pane(&careline::tui::panes::card::NEW_REMINDER),
        ] {
            assert!(!amy.offers(&refused), "{refused:?} is not offered");
        }
        let text = screen(&mut amy, 80, 24);
        let keys = key_line(&text);
        assert!(keys.contains(ask), "{keys}");
        assert!(!keys.contains(log) && !keys.contains(edit), "{keys}");
        key(&mut amy, KeyCode::Char('?'));
        let help = screen(&mut amy, 80, 24);
        assert!(help.contains(&ask[2..]), "{help}");
        assert!(!help.contains(log) && !help.contains(edit), "{help}");
        key(&mut amy, KeyCode::Esc);
        // The key still says why, if pressed.
        key(&mut amy, KeyCode::Char('n'));
        assert!(amy.form().is_none());
        assert!(!message(&amy).is_empty());
    }
    // Given access, the card offers what it did not.
    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    open_card(&mut chen, desk.secret);
    key(&mut chen, KeyCode::Char('a'));
    key(&mut chen, KeyCode::Tab);
    key(&mut chen, KeyCode::Tab);
    type_text(&mut chen, "回访投诉");
    ctrl(&mut chen, 's');
    assert!(chen.form().is_none(), "given: {}", message(&chen));
    let mut amy = app(&desk.path, "amy", Lang::En);
    open_card(&mut amy, desk.secret);
    assert!(amy.offers(&Action::NewInteraction) && amy.offers(&Action::Edit));
    let keys = key_line(&screen(&mut amy, 80, 24));
    assert!(
        keys.contains("n log contact") && keys.contains("e edit"),
        "{keys}"
    );
}

/// A message is about where it was said: the card's refusal goes when the operator moves to
/// the Log pane, whose keys show; a message of the list goes when a form opens over it.
#[test]
fn a_message_goes_when_the_operator_moves_on() {
    let desk = desk();
    let mut amy = app(&desk.path, "amy", Lang::ZhCn);
    open_card(&mut amy, desk.secret);
    key(&mut amy, KeyCode::Char('e'));
    let said = message(&amy);
    assert!(said.contains("保密客户"), "{said}");
    assert!(screen(&mut amy, 80, 24).contains(&said), "said on the card");
    key(&mut amy, KeyCode::Char('2'));
    assert_eq!(amy.focused_pane(), careline::tui::panes::log::ID);
    assert_eq!(message(&amy), "", "left with the card");
    let keys = key_line(&screen(&mut amy, 80, 24));
    assert!(keys.contains("Enter 打开"), "the Log's keys: {keys}");

    // A supervisor ends a grant in the list, then refuses another request: the refusal's form
    // shows its own keys, not what was said of the grant.
    amy_asks(&mut amy, desk.secret, "客户来电要求改地址");
    let mut chen = app(&desk.path, "chen.jie", Lang::En);
    ctrl(&mut chen, 'g');
    key(&mut chen, KeyCode::Char('y'));
    ctrl(&mut chen, 's');
    amy_asks(&mut amy, desk.other, "核对地址");
    others_wrote(&mut chen);
    key(&mut chen, KeyCode::Char('h'));
    // Waiting first (#2), then those decided (#1).
    key(&mut chen, KeyCode::Down);
    key(&mut chen, KeyCode::Char('x'));
    assert_eq!(message(&chen), "Access of amy to C0000001 ended.");
    key(&mut chen, KeyCode::Up);
    key(&mut chen, KeyCode::Char('x'));
    assert_eq!(chen.form().map(|f| f.kind), Some(FormKind::AccessRefuse));
    let text = screen(&mut chen, 80, 24);
    assert!(!text.contains("ended"), "{text}");
    assert!(key_line(&text).contains("Ctrl-S save"), "{text}");
}

/// The audit trail opened from the card shows its own keys at once, not what the card said
/// last (the access just given).
#[test]
fn the_audit_trail_shows_its_keys() {
    let desk = desk();
    for (lang, customer, back, open) in [
        (Lang::En, desk.secret, "Esc back", "Enter open"),
        (Lang::ZhCn, desk.other, "Esc 返回", "Enter 打开"),
    ] {
        let mut chen = app(&desk.path, "chen.jie", lang);
        open_card(&mut chen, customer);
        key(&mut chen, KeyCode::Char('a'));
        key(&mut chen, KeyCode::Tab);
        key(&mut chen, KeyCode::Tab);
        type_text(&mut chen, "回访投诉");
        ctrl(&mut chen, 's');
        assert!(chen.form().is_none(), "given: {}", message(&chen));
        assert!(!message(&chen).is_empty(), "the grant is said");
        key(&mut chen, KeyCode::Char('A'));
        assert_eq!(chen.focused_pane(), audit::ID);
        let keys = key_line(&screen(&mut chen, 80, 24));
        assert!(keys.contains(back) && keys.contains(open), "{keys}");
        // The entry in full: Esc back to the list.
        key(&mut chen, KeyCode::Enter);
        let keys = key_line(&screen(&mut chen, 80, 24));
        assert!(keys.contains(back), "{keys}");
    }
}

/// A long reason in the title of the form that grants it is cut with an ellipsis, one cell of
/// the frame left before its corner.
#[test]
fn a_long_form_title_is_cut_with_an_ellipsis() {
    let desk = desk();
    let reason = "客户来电要求核实地址和电话号码，请尽快处理并回电告知客户结果";
    {
        let mut amy = app(&desk.path, "amy", Lang::ZhCn);
        amy_asks(&mut amy, desk.secret, reason);
    }
    for lang in [Lang::ZhCn, Lang::En] {
        let mut chen = app(&desk.path, "chen.jie", lang);
        ctrl(&mut chen, 'g');
        key(&mut chen, KeyCode::Char('y'));
        assert_eq!(chen.form().map(|f| f.kind), Some(FormKind::AccessGrant));
        let text = screen(&mut chen, 80, 24);
        let title = text.lines().nth(1).unwrap_or_default();
        assert!(title.contains("#1 C0000001"), "{title}");
        assert!(title.contains("…"), "cut with …: {title}");
        assert!(title.ends_with("─┐"), "{title}");
        assert!(!title.contains(reason), "{title}");
        key(&mut chen, KeyCode::Esc);
    }
}

/// The status bar of a supervisor on a shared host at 80 columns: who, the complaint counts,
/// the requests waiting, the care count and the clock, in both languages; the database path,
/// the same for everyone on the host, gives way ("shared" says it).
#[test]
fn the_status_bar_keeps_the_clock_and_counts_at_eighty_columns() {
    let desk = desk();
    {
        let mut amy = app(&desk.path, "amy", Lang::En);
        amy_asks(&mut amy, desk.secret, "客户来电要求改地址");
    }
    let mut store = open_at_screen_time(&desk.path);
    let admin = store.actor("li.na", None).expect("admin");
    store
        .add_operator(&admin, "tr_sup", "Sup", Role::Supervisor)
        .expect("tr_sup");
    for (lang, shown) in [
        (
            Lang::En,
            ["tr_sup", "shared", "late", "access 1", "care 0", "10:30"],
        ),
        (
            Lang::ZhCn,
            ["tr_sup", "共享", "超时0", "申请1", "关怀0", "10:30"],
        ),
    ] {
        let store = open_at_screen_time(&desk.path);
        let actor = store.actor("tr_sup", None).expect("actor");
        let mut settings = settings(lang, "/var/lib/careline/careline.db");
        settings.shared = true;
        let mut sup = App::new(store, actor, settings);
        let bar = status_bar(&screen(&mut sup, 80, 24));
        for part in shown {
            assert!(bar.contains(part), "{part:?} in {bar:?}");
        }
        assert!(!bar.contains("careline.db"), "{bar:?}");
    }
}

/// In the list with those decided, a grant still lasting says until when in the same words
/// whether it was asked for or given directly; the one given directly is marked so.
#[test]
fn the_decided_list_says_until_when_of_both_kinds_of_grant() {
    let desk = desk();
    let mut amy = app(&desk.path, "amy", Lang::En);
    amy_asks(&mut amy, desk.secret, "客户来电要求改地址");
    for (lang, until, direct) in [
        (Lang::En, "until 11:30", "given directly"),
        (Lang::ZhCn, "至 11:30", "直接授权"),
    ] {
        let mut chen = app(&desk.path, "chen.jie", lang);
        if lang == Lang::En {
            ctrl(&mut chen, 'g');
            key(&mut chen, KeyCode::Char('y'));
            ctrl(&mut chen, 's');
            key(&mut chen, KeyCode::Esc);
            open_card(&mut chen, desk.other);
            key(&mut chen, KeyCode::Char('a'));
            key(&mut chen, KeyCode::Tab);
            key(&mut chen, KeyCode::Tab);
            type_text(&mut chen, "回访投诉");
            ctrl(&mut chen, 's');
            assert!(chen.form().is_none(), "given: {}", message(&chen));
        }
        ctrl(&mut chen, 'g');
        key(&mut chen, KeyCode::Char('h'));
        let text = screen(&mut chen, 80, 24);
        let row = |number: &str, code: &str| {
            text.lines()
                .find(|l| l.contains(number) && l.contains(code))
                .unwrap_or_else(|| panic!("{number} {code} in {text}"))
                .to_string()
        };
        let asked = row("#1 ", "C0000001");
        let given = row("g", "C0000002");
        assert!(
            asked.contains(until) && given.contains(until),
            "{asked}\n{given}"
        );
        assert!(given.contains(direct), "{given}");
        assert!(!asked.contains(direct), "{asked}");
    }
}

/// On the restricted card each write key is refused saying which action waits for access
/// (the store refuses the same writes from the command line: tests/grants.rs), in both
/// languages; no form opens.
#[test]
fn each_write_refused_on_a_restricted_card_names_its_action() {
    let desk = desk();
    for (lang, said) in [
        (
            Lang::En,
            [
                ('n', "before logging a contact"),
                ('c', "before opening a complaint"),
                ('r', "before adding a reminder"),
                ('e', "before editing"),
            ],
        ),
        (
            Lang::ZhCn,
            [
                ('n', "记录联系前"),
                ('c', "登记投诉前"),
                ('r', "添加提醒前"),
                ('e', "编辑前"),
            ],
        ),
    ] {
        let mut amy = app(&desk.path, "amy", lang);
        open_card(&mut amy, desk.secret);
        for (pressed, words) in said {
            key(&mut amy, KeyCode::Char(pressed));
            assert!(amy.form().is_none(), "{pressed}: no form opens");
            assert!(
                message(&amy).contains(words),
                "{pressed}: {words:?} in {:?}",
                message(&amy)
            );
        }
    }
}
