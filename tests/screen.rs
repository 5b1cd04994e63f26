//! The operator's screen drawn into ratatui's `TestBackend`: whole-screen snapshots at 80×24
//! and 132×43 in both languages, and state tests that drive `App` key by key on a real
//! temporary database.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use careline::domain::contact::{ContactKind, PhoneKind};
use careline::store::{Clock, Customer, Store};
use careline::tui::action::Action;
use careline::tui::app::{App, Dialog, Focus};
use careline::tui::i18n::Lang;
use careline::tui::panes::log;
use careline::tui::panes::lookup::Lookup;
use careline::tui::theme::Theme;
use careline::tui::ui;

fn open(path: &std::path::Path) -> Store {
    common::screen::open_at_screen_time(path)
}

/// A small demo database with a fixed clock, so every screen is the same on every run.
fn demo_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    common::screen::demo_desk(dir, 120, 5)
}

fn app(path: &std::path::Path, lang: Lang) -> App {
    let store = open(path);
    let actor = store.actor("li.na", None).expect("actor");
    let settings = common::screen::settings(lang, "/srv/careline/desk.db");
    App::new(store, actor, settings)
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Lets `seconds` pass on the desk's clock and gives the screen the tick the running app gets
/// between keys, so a footer message older than its timeout is gone, as it is for an operator.
fn wait(app: &mut App, seconds: i64) {
    let later = app.desk.now + chrono::Duration::seconds(seconds);
    app.desk.store.set_clock(Clock::Fixed(later));
    app.update(Action::Tick);
}

fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    app.update(Action::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| ui::draw(f, app)).expect("draw");
    terminal
}

/// The screen as text, wide characters taking their two cells once.
fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    common::screen::buffer_text(terminal.backend().buffer())
}

/// A phone suffix that the demo data holds, read from the database itself.
/// A small demo desk with some caller's card open in English, found by a phone suffix.
fn card_of_a_caller() -> (tempfile::TempDir, std::path::PathBuf, App) {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (suffix, _) = some_suffix(&path);
    let mut app = app(&path, Lang::En);
    type_text(&mut app, &suffix);
    key(&mut app, KeyCode::Enter);
    (dir, path, app)
}

/// Every mobile number of the demo desk, customer by customer and in each one's order, with
/// its holder: (customer, number in E.164).
fn mobiles(path: &std::path::Path) -> Vec<(Customer, String)> {
    let store = open(path);
    let admin = store.actor("li.na", None).expect("the desk's admin");
    common::every_customer(&store, &admin)
        .into_iter()
        .flat_map(|c| {
            let numbers: Vec<String> = c
                .contacts_normalized
                .iter()
                .filter(|k| k.kind == ContactKind::Phone && k.phone_kind == Some(PhoneKind::Mobile))
                .map(|k| k.normalized.clone())
                .collect();
            numbers.into_iter().map(move |n| (c.clone(), n))
        })
        .collect()
}

fn some_suffix(path: &std::path::Path) -> (String, String) {
    let (holder, e164) = mobiles(path).swap_remove(7);
    (e164[e164.len() - 4..].to_string(), holder.fields.name)
}

const SIZES: [(u16, u16); 2] = [(80, 24), (132, 43)];
const LANGS: [(Lang, &str); 2] = [(Lang::En, "en"), (Lang::ZhCn, "zh")];

#[test]
fn lookup_card_and_form_snapshots() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (suffix, _) = some_suffix(&path);
    for (lang, lang_name) in LANGS {
        for (w, h) in SIZES {
            let mut app = app(&path, lang);
            let empty = draw(&mut app, w, h);
            insta::assert_snapshot!(format!("lookup_empty_{lang_name}_{w}x{h}"), empty.backend());

            type_text(&mut app, &suffix);
            let results = draw(&mut app, w, h);
            insta::assert_snapshot!(
                format!("lookup_results_{lang_name}_{w}x{h}"),
                results.backend()
            );

            key(&mut app, KeyCode::Enter);
            assert_eq!(app.focus(), Focus::Card);
            let card = draw(&mut app, w, h);
            insta::assert_snapshot!(format!("card_{lang_name}_{w}x{h}"), card.backend());

            ctrl(&mut app, 'n');
            type_text(&mut app, "王秀英");
            key(&mut app, KeyCode::Tab);
            type_text(&mut app, "138-0013-8000");
            key(&mut app, KeyCode::Tab);
            key(&mut app, KeyCode::Tab);
            type_text(&mut app, "not-an-email");
            ctrl(&mut app, 's');
            let form = draw(&mut app, w, h);
            insta::assert_snapshot!(format!("form_invalid_{lang_name}_{w}x{h}"), form.backend());
            // Nothing was saved: the form stays open with the reason in place, the cursor on
            // the marked field.
            assert_eq!(app.focus(), Focus::Form);
            // In a text field `?` is a character like any other: it goes into the email field,
            // where the cursor is, and the help does not open.
            key(&mut app, KeyCode::Char('?'));
            assert_eq!(app.dialog(), None, "typed into the field, not help");
            let form = app.form().expect("the form stays open");
            assert_eq!(form.focused().map(|f| f.key), Some("email"));
            assert_eq!(form.value("email"), "not-an-email?");
            let text = screen_text(&draw(&mut app, w, h));
            assert!(text.contains("not-an-email?"), "{text}");
            // Esc asks before discarding; Enter discards (and forgets the draft).
            key(&mut app, KeyCode::Esc);
            assert_eq!(app.dialog(), Some(&Dialog::DiscardForm));
            let asking = draw(&mut app, w, h);
            insta::assert_snapshot!(
                format!("form_discard_{lang_name}_{w}x{h}"),
                asking.backend()
            );
            key(&mut app, KeyCode::Enter);
            assert!(app.form().is_none());
            // The form's "fix the marked fields" went with the form: by the time the operator
            // reads the help it has timed out, and the snapshot shows what they see.
            wait(&mut app, 10);
            assert!(app.desk.message.is_none(), "{:?}", app.desk.message);
            key(&mut app, KeyCode::Char('?'));
            let help = draw(&mut app, w, h);
            insta::assert_snapshot!(format!("help_card_{lang_name}_{w}x{h}"), help.backend());
        }
    }
}

#[test]
fn interaction_form_and_log_snapshots() {
    for (lang, lang_name) in LANGS {
        for (w, h) in SIZES {
            // A fresh desk each time, so each screen shows only its own logged call.
            let dir = tempfile::tempdir().expect("dir");
            let path = demo_db(&dir);
            let (suffix, name) = some_suffix(&path);
            let mut app = app(&path, lang);
            type_text(&mut app, &suffix);
            key(&mut app, KeyCode::Enter);
            assert_eq!(app.focus(), Focus::Card);
            // n: the contact form, the timer running from now
            key(&mut app, KeyCode::Char('n'));
            assert_eq!(app.focus(), Focus::Form);
            assert!(
                app.desk.call.is_some(),
                "the call timer starts with the form"
            );
            key(&mut app, KeyCode::Char('c')); // wrap-up by first letter: callback needed
            key(&mut app, KeyCode::Tab);
            type_text(&mut app, "客户来电询问保修，已解释条款");
            ctrl(&mut app, 's');
            let form = draw(&mut app, w, h);
            insta::assert_snapshot!(
                format!("interaction_form_{lang_name}_{w}x{h}"),
                form.backend()
            );
            // the follow-up the code asks for, then saved
            type_text(&mut app, "+2d");
            ctrl(&mut app, 's');
            assert!(app.form().is_none(), "saved");
            assert!(
                app.desk.call.is_none(),
                "the timer stops when the contact is saved"
            );
            // the customer's history in the Log pane
            key(&mut app, KeyCode::F(2));
            assert_eq!(app.focus(), Focus::Log);
            let history = draw(&mut app, w, h);
            let text = screen_text(&history);
            assert!(text.contains(&name), "{text}");
            assert!(text.contains("客户来电询问保修"), "{text}");
            insta::assert_snapshot!(
                format!("log_customer_{lang_name}_{w}x{h}"),
                history.backend()
            );
            // The footer offers only what works here: no desk filters in a customer's history,
            // and `e` amends.
            for desk_only in [
                Action::Pane(&log::FILTER),
                Action::Pane(&log::TOGGLE_MINE),
                Action::Pane(&log::TOGGLE_DUE_REPLIES),
            ] {
                assert!(!app.offers(&desk_only), "{desk_only:?}");
            }
            let amend = if lang_name == "en" { "amend" } else { "更正" };
            assert_eq!(app.action_label(app.context(), &Action::Edit), amend);
            // The help lists the same: what works here.
            app.update(Action::Help);
            let help = screen_text(&draw(&mut app, w, h));
            let due = if lang_name == "en" {
                "due replies"
            } else {
                "待回复"
            };
            assert!(!help.contains(due), "{help}");
            assert!(help.contains(amend), "{help}");
            key(&mut app, KeyCode::Esc); // any key closes the help
                                         // Enter shows the whole entry
            key(&mut app, KeyCode::Enter);
            // The "logged" notice is for the moment of saving (the history above shows it); a
            // few keys later it has timed out and the footer shows this screen's keys again.
            wait(&mut app, 10);
            assert!(app.desk.message.is_none(), "{:?}", app.desk.message);
            assert!(app.log().detail.is_some());
            assert!(!app.offers(&Action::Open), "the entry is already open");
            let entry = draw(&mut app, w, h);
            insta::assert_snapshot!(format!("log_entry_{lang_name}_{w}x{h}"), entry.backend());
            // Esc closes the entry, Esc again goes back to the caller's card, still open
            key(&mut app, KeyCode::Esc);
            key(&mut app, KeyCode::Esc);
            assert_eq!(app.focus(), Focus::Card);
            assert!(app.card().is_some(), "the caller's card stays open");
            // Esc closes the card; the Log pane then shows the desk's latest contacts
            key(&mut app, KeyCode::Esc);
            key(&mut app, KeyCode::F(2));
            assert!(app.log().customer.is_none());
            assert!(
                app.offers(&Action::Pane(&log::FILTER))
                    && app.offers(&Action::Pane(&log::TOGGLE_DUE_REPLIES))
            );
            let desk = draw(&mut app, w, h);
            insta::assert_snapshot!(format!("log_desk_{lang_name}_{w}x{h}"), desk.backend());
            // Ctrl-P in the summary: the phrase picker in the screen's language first
            key(&mut app, KeyCode::Char('n'));
            key(&mut app, KeyCode::Tab);
            ctrl(&mut app, 'p');
            let picker = draw(&mut app, w, h);
            insta::assert_snapshot!(format!("phrases_{lang_name}_{w}x{h}"), picker.backend());
            key(&mut app, KeyCode::Esc);
            key(&mut app, KeyCode::Esc);
            assert!(app.form().is_none());
        }
    }
}

#[test]
fn finding_a_caller_opening_the_card_and_adding_a_customer() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (suffix, name) = some_suffix(&path);
    let mut app = app(&path, Lang::En);
    type_text(&mut app, &suffix);
    assert!(
        app.lookup().results.iter().any(|r| r.customer.name == name),
        "{suffix} should find {name}"
    );
    // ↓ from the box goes to the first row; Enter opens it.
    key(&mut app, KeyCode::Down);
    assert_eq!(app.focus(), Focus::Results);
    let chosen = app.lookup().results[app.lookup().selected].customer.id;
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.card().map(|c| c.customer.id), Some(chosen));
    let text = screen_text(&draw(&mut app, 80, 24));
    let card_name = app
        .card()
        .map(|c| c.customer.fields.name.clone())
        .expect("card");
    assert!(text.contains(&card_name), "{text}");

    // A query that matches nobody offers a prefilled new-customer form.
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Esc);
    type_text(&mut app, "13912345678");
    assert!(app.lookup().results.is_empty());
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("No customer matches"), "{text}");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.focus(), Focus::Form);
    let form = app.form().expect("form");
    assert_eq!(form.value("phone"), "13912345678");
    type_text(&mut app, "赵新客");
    ctrl(&mut app, 's');
    assert_eq!(app.focus(), Focus::Card, "saved and opened");
    assert!(app.form().is_none());

    let check = open(&path);
    let admin = check.actor("li.na", None).expect("actor");
    let found = check.search(&admin, "13912345678", 5).expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].customer.name, "赵新客");
    let drafts = check.drafts(&admin).expect("drafts");
    assert_eq!(drafts.len(), 0, "a saved form leaves no draft");
}

#[test]
fn a_form_survives_as_a_draft_and_is_offered_again() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    {
        let mut app = app(&path, Lang::ZhCn);
        ctrl(&mut app, 'n');
        type_text(&mut app, "草稿客户");
        // Ctrl-C quits safely: the draft is written at once.
        ctrl(&mut app, 'c');
        assert!(app.quit);
    }
    let mut app = app(&path, Lang::ZhCn);
    assert!(matches!(app.dialog(), Some(Dialog::RestoreDraft(_))));
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("未保存的表单"), "{text}");
    // The key hints under the dialog say what its keys do: Esc throws the draft away.
    let footer = |text: &str| text.lines().rev().nth(1).unwrap_or_default().to_string();
    let hints = footer(&text);
    assert!(
        hints.contains("恢复") && hints.contains("Esc 丢弃"),
        "{hints}"
    );
    assert!(!hints.contains("帮助"), "no help over a dialog: {hints}");
    // `?` does not put help in the dialog's place: the draft is still offered.
    key(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.dialog(), Some(Dialog::RestoreDraft(_))));
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.form().map(|f| f.value("name")),
        Some("草稿客户".to_string())
    );
    // Esc asks before throwing typed text away; Esc again keeps editing.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.dialog(), Some(&Dialog::DiscardForm));
    // Here Esc keeps the form: the hints say so, not "back".
    let text = screen_text(&draw(&mut app, 80, 24));
    let hints = footer(&text);
    assert!(hints.contains("Esc 继续编辑"), "{hints}");
    key(&mut app, KeyCode::Esc);
    assert!(app.form().is_some());
    ctrl(&mut app, 's');
    assert!(app.form().is_none());
    let store = open(&path);
    let admin = store.actor("li.na", None).expect("actor");
    assert_eq!(
        store.search(&admin, "草稿客户", 5).expect("search").len(),
        1
    );
    assert!(store.drafts(&admin).expect("drafts").is_empty());
}

#[test]
fn a_stale_edit_shows_the_conflict_and_can_be_reapplied() {
    let (_dir, path, mut app) = card_of_a_caller();
    let id = app.card().map(|c| c.customer.id).expect("card");
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.focus(), Focus::Form);
    // A colleague saves the same customer first, through another connection.
    let mut other = open(&path);
    let admin = other.actor("li.na", None).expect("actor");
    let current = other.customer(&admin, id).expect("customer");
    let mut fields = current.fields.clone();
    fields.notes = Some("colleague's note".into());
    other
        .edit_customer(&admin, id, current.version, &fields)
        .expect("colleague saves");
    // Our edit of the company is now stale.
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "Acme");
    ctrl(&mut app, 's');
    assert!(
        matches!(app.dialog(), Some(Dialog::Conflict(_))),
        "{:?}",
        app.dialog()
    );
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("Someone else saved first"), "{text}");
    key(&mut app, KeyCode::Char('a')); // re-apply mine on top
    assert!(app.form().is_none(), "saved after re-applying");
    let after = other.customer(&admin, id).expect("customer");
    assert!(after
        .fields
        .company
        .as_deref()
        .unwrap_or("")
        .contains("Acme"));
    assert_eq!(
        after.fields.notes.as_deref(),
        Some("colleague's note"),
        "the colleague's change is kept"
    );
}

#[test]
fn every_size_down_to_one_cell_draws_without_panic() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (suffix, _) = some_suffix(&path);
    let mut app = app(&path, Lang::ZhCn);
    type_text(&mut app, &suffix);
    for w in 1..=45u16 {
        for h in 1..=14u16 {
            let text = screen_text(&draw(&mut app, w, h));
            if w < 40 || h < 12 {
                assert!(!text.contains("搜索"), "{w}x{h} shows the pane");
            }
        }
    }
    let small = screen_text(&draw(&mut app, 30, 8));
    assert!(small.contains("终端窗口太小"), "{small}");
    key(&mut app, KeyCode::Enter);
    for (w, h) in [(1, 1), (40, 12), (119, 30), (120, 30), (300, 80)] {
        draw(&mut app, w, h);
    }
}

#[test]
fn database_text_is_sanitised_before_it_is_drawn() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("evil.db");
    let mut store = open(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    let raw = common::raw(&path);
    drop(store);
    // Written behind careline's back, as a hostile import tool might (on purpose round the
    // store: the screen must clean text that never went through careline's checks).
    raw.execute(
        "INSERT INTO customers (code, name, company, created_at, updated_at) VALUES ('C9', 'Eve\u{1b}[2J\u{202e}Mallory', 'Acme\u{7}\u{1b}]0;owned\u{7}', 0, 0)",
        [],
    )
    .expect("insert");
    raw.execute(
        "INSERT INTO search_keys (key, customer_id) VALUES ('neve', last_insert_rowid())",
        [],
    )
    .expect("key");
    let _ = admin;
    let mut app = app(&path, Lang::En);
    type_text(&mut app, "eve");
    assert_eq!(app.lookup().results.len(), 1);
    let text = screen_text(&draw(&mut app, 132, 43));
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    // Each escape sequence goes whole, not only its ESC: the name reads as if it had none, and
    // nothing of the clear-screen or the window-title sequence is left to see.
    let whole_sequences_gone = |text: &str| {
        assert!(text.contains("EveMallory"), "{text}");
        assert!(!text.contains("[2J") && !text.contains("owned"), "{text}");
    };
    whole_sequences_gone(&text);
    key(&mut app, KeyCode::Enter);
    let text = screen_text(&draw(&mut app, 132, 43));
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    whole_sequences_gone(&text);
}

#[test]
fn arrows_move_through_summary_lines_then_fields() {
    let (_dir, _path, mut app) = card_of_a_caller();
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Char('i')); // information given
    key(&mut app, KeyCode::Tab);
    let focused = |app: &App| app.form().and_then(|f| f.focused()).map(|f| f.key);
    assert_eq!(focused(&app), Some("summary"));
    type_text(&mut app, "first line");
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "second");
    // ↑ goes to the line above, still in the summary; typing lands there.
    key(&mut app, KeyCode::Up);
    assert_eq!(focused(&app), Some("summary"));
    type_text(&mut app, "!");
    let summary = app.form().map(|f| f.value("summary"));
    assert_eq!(summary.as_deref(), Some("first !line\nsecond"));
    // From the first line ↑ goes to the field above; ↓ comes back, then down the lines.
    key(&mut app, KeyCode::Up);
    assert_ne!(focused(&app), Some("summary"));
    key(&mut app, KeyCode::Down);
    assert_eq!(focused(&app), Some("summary"));
}

#[test]
fn the_selected_log_row_is_readable_in_every_shipped_theme() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    for name in ["dark", "light", "high-contrast"] {
        let mut app = app(&path, Lang::En);
        app.desk.settings.theme = Theme::shipped(name).expect("shipped theme");
        key(&mut app, KeyCode::F(2));
        assert_eq!(app.focus(), Focus::Log);
        let terminal = draw(&mut app, 80, 24);
        let buffer = terminal.backend().buffer();
        let selection = app.desk.settings.theme.selection;
        // The selected row is the one painted with the selection's background.
        let row = (0..24)
            .find(|&y| (2..20).all(|x| buffer[(x, y)].bg == selection.bg.unwrap_or_default()))
            .expect("a selected row");
        for x in 1..79 {
            let cell = &buffer[(x, row)];
            if !cell.symbol().trim().is_empty() {
                assert_ne!(
                    cell.fg,
                    cell.bg,
                    "{name}: {:?} at column {x} is invisible",
                    cell.symbol()
                );
            }
        }
    }
}

#[test]
fn a_new_call_is_the_one_selected_in_recent_calls() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let mut app = app(&path, Lang::En);
    for number in ["13900000001", "13900000002", "13900000003"] {
        app.update(Action::Pop(number.into()));
        app.overlay.editor = None; // not adding these callers
    }
    app.pane_mut::<Lookup>().expect("lookup").selected = 2;
    app.update(Action::Pop("13900000004".into()));
    assert_eq!(
        app.lookup().pops[0].number,
        "139 0000 0004",
        "listed as read, 3-4-4"
    );
    assert_eq!(
        app.lookup().selected,
        0,
        "↓ Enter calls the newest caller back"
    );
}

#[test]
fn mine_on_and_off_gives_back_the_operator_filter() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let mut app = app(&path, Lang::En);
    key(&mut app, KeyCode::F(2));
    assert_eq!(app.focus(), Focus::Log);
    assert!(app.log().customer.is_none(), "the desk log");
    // `f`, one field of the filter form, Ctrl-S
    let filter = |app: &mut App, field: &str, value: &str| {
        key(app, KeyCode::Char('f'));
        app.form_mut().expect("the filter form").set(field, value);
        ctrl(app, 's');
        assert!(app.form().is_none(), "filter {field} applied");
    };
    filter(&mut app, "operator", "li.na");
    let operator = app.log().filter.operator_id;
    assert!(operator.is_some());
    key(&mut app, KeyCode::Char('m'));
    assert!(app.log().mine);
    key(&mut app, KeyCode::Char('m'));
    assert!(!app.log().mine);
    assert_eq!(
        app.log().filter.operator_id,
        operator,
        "the typed filter is back"
    );
    assert_eq!(app.log().operator_login.as_deref(), Some("li.na"));
    // The pane's heading names the filter again (the status line always names the user).
    let text = screen_text(&draw(&mut app, 80, 24));
    let above_status: Vec<&str> = text.lines().rev().skip(1).collect();
    assert!(above_status.iter().any(|l| l.contains("li.na")), "{text}");

    // Due replies under a phone channel filter: none, and the pane says the filters did it.
    filter(&mut app, "channel", "phone_in");
    key(&mut app, KeyCode::Char('u'));
    assert!(app.log().rows.is_empty());
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("matches these filters"), "{text}");
}

/// An empty desk with an administrator, for screens whose customers a test writes itself.
fn empty_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("desk.db");
    let mut store = open(&path);
    store.init_admin("li.na", "李娜").expect("init");
    path
}

/// Writes customers straight through the store, as another screen would.
fn add_customers(path: &std::path::Path, people: &[(&str, &[&str])]) -> Vec<i64> {
    let mut store = open(path);
    let admin = store.actor("li.na", None).expect("actor");
    people
        .iter()
        .map(|(name, phones)| {
            let contacts = phones.iter().map(|p| common::phone(p)).collect();
            store
                .create_customer(&admin, &common::customer(name, contacts))
                .expect("create")
                .id
        })
        .collect()
}

#[test]
fn a_result_row_shows_the_number_that_matched() {
    let dir = tempfile::tempdir().expect("dir");
    let path = empty_db(&dir);
    add_customers(&path, &[("孙丽", &["138 0013 8000", "021-6529 4356"])]);
    let mut app = app(&path, Lang::En);
    type_text(&mut app, "4356");
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(
        text.contains("021****4356"),
        "the landline that matched:\n{text}"
    );
    assert!(
        !text.contains("138****8000"),
        "not the first mobile:\n{text}"
    );
}

#[test]
fn the_results_title_counts_every_match_and_the_end_of_the_list_loads_more() {
    let dir = tempfile::tempdir().expect("dir");
    let path = empty_db(&dir);
    let people: Vec<(String, String)> = (0..45)
        .map(|n| (format!("欧阳{n:02}"), format!("139 0000 {n:04}")))
        .collect();
    let people: Vec<(&str, [&str; 1])> = people
        .iter()
        .map(|(name, number)| (name.as_str(), [number.as_str()]))
        .collect();
    let people: Vec<(&str, &[&str])> = people.iter().map(|(n, p)| (*n, &p[..])).collect();
    add_customers(&path, &people);
    let mut app = app(&path, Lang::En);
    type_text(&mut app, "欧阳");
    assert_eq!(app.lookup().results.len(), 20, "the lookup limit");
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("20 of 45 found"), "{text}");
    // ↓ into the list, then down to the last row loaded: nothing more yet.
    key(&mut app, KeyCode::Down);
    for _ in 0..19 {
        key(&mut app, KeyCode::Down);
    }
    assert_eq!(
        (app.lookup().selected, app.lookup().results.len()),
        (19, 20)
    );
    // One more ↓ reaches past the end: the next 20 come, and the selection moves on to them.
    key(&mut app, KeyCode::Down);
    assert_eq!(
        (app.lookup().selected, app.lookup().results.len()),
        (20, 40)
    );
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("40 of 45 found"), "{text}");
    // PageDown past the end brings the rest; then the title is the whole count.
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.lookup().results.len(), 45);
    assert_eq!(app.lookup().selected, 44);
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("45 found"), "{text}");
    assert!(!text.contains(" of 45"), "{text}");
}

#[test]
fn a_shared_number_in_recent_calls_names_its_holders_and_enter_lists_them() {
    let dir = tempfile::tempdir().expect("dir");
    let path = empty_db(&dir);
    let ids = add_customers(
        &path,
        &[("张三", &["138 0013 8000"]), ("李四", &["138 0013 8000"])],
    );
    let mut app = app(&path, Lang::En);
    app.update(Action::Pop("13800138000".into()));
    // The pop lists both; back in the empty box, Recent calls names them.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert!(app.lookup().query.is_empty());
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("2 customers: 张三, 李四"), "{text}");
    assert!(!text.contains("unknown caller"), "{text}");
    // Enter on it lists the holders to pick from; no new-customer form.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert!(app.form().is_none(), "no form inviting a third record");
    let mut listed: Vec<i64> = app.lookup().results.iter().map(|r| r.customer.id).collect();
    listed.sort();
    assert_eq!(listed, ids);
    assert_eq!(app.focus(), Focus::Results);
}

/// A customer of the demo desk with a mobile no one else holds: (id, code, name, national
/// number).
fn a_mobile_holder(path: &std::path::Path) -> (i64, String, String, String) {
    let store = open(path);
    let admin = store.actor("li.na", None).expect("the desk's admin");
    let everyone = common::every_customer(&store, &admin);
    let holders = |number: &str| {
        everyone
            .iter()
            .flat_map(|c| &c.contacts_normalized)
            .filter(|k| k.normalized == number)
            .count()
    };
    let (holder, e164) = mobiles(path)
        .into_iter()
        .filter(|(c, n)| c.merged_into.is_none() && holders(n) == 1)
        .nth(3)
        .expect("a mobile");
    let national = e164.trim_start_matches("+86").to_string();
    (holder.id, holder.code, holder.fields.name, national)
}

/// Customers (not merged away) of this name.
fn customers_named(path: &std::path::Path, name: &str) -> i64 {
    let store = open(path);
    let admin = store.actor("li.na", None).expect("the desk's admin");
    common::every_customer(&store, &admin)
        .iter()
        .filter(|c| c.fields.name == name && c.merged_into.is_none())
        .count() as i64
}

/// The new-customer form with `name` and a phone another customer holds, typed key by key,
/// and Ctrl-S: (dir, path, app, holder id, holder code, the number typed).
fn duplicate_on_save(
    lang: Lang,
    name: &str,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    App,
    i64,
    String,
    String,
) {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (holder, code, _, national) = a_mobile_holder(&path);
    let mut app = app(&path, lang);
    ctrl(&mut app, 'n');
    type_text(&mut app, name);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, &national);
    ctrl(&mut app, 's');
    (dir, path, app, holder, code, national)
}

#[test]
fn a_duplicate_phone_on_save_asks_before_anything_is_written() {
    for (lang, _) in LANGS {
        let (_dir, path, mut app, holder, code, national) = duplicate_on_save(lang, "钱重复");
        let Some(Dialog::Duplicates(d)) = app.dialog() else {
            panic!("a dialog should ask first: {:?}", app.dialog());
        };
        assert_eq!(d.found.len(), 1, "{d:?}");
        assert_eq!(d.found[0].customer_id, holder);
        assert!(d.can_merge, "a new customer may be merged by an admin");
        assert_eq!(customers_named(&path, "钱重复"), 0, "nothing saved yet");
        let text = screen_text(&draw(&mut app, 80, 24));
        assert!(text.contains(&code), "the holder is named: {text}");
        assert!(text.contains(&national), "the value is named: {text}");
        let hints = text.lines().rev().nth(1).unwrap_or_default().to_string();
        let words: [&str; 4] = match lang {
            Lang::En => [
                "Enter open theirs",
                "a save as new",
                "m merge into theirs",
                "Esc back to form",
            ],
            Lang::ZhCn => [
                "Enter 打开已有",
                "a 另存新客户",
                "m 合并到已有",
                "Esc 返回表单",
            ],
        };
        for w in words {
            assert!(hints.contains(w), "{w:?} in the footer: {hints}");
        }
        // Esc goes back to the form, typed text intact.
        key(&mut app, KeyCode::Esc);
        assert!(app.dialog().is_none());
        assert_eq!(app.form().map(|f| f.value("name")), Some("钱重复".into()));
        assert_eq!(customers_named(&path, "钱重复"), 0);
    }
}

#[test]
fn a_duplicate_can_be_merged_saved_apart_or_opened_instead() {
    // m: saved, then merged into the holder, whose card opens.
    let (_dir, path, mut app, holder, holder_code, _) = duplicate_on_save(Lang::En, "Merge Me");
    assert!(matches!(app.dialog(), Some(Dialog::Duplicates(_))));
    key(&mut app, KeyCode::Char('m'));
    assert!(app.form().is_none() && app.dialog().is_none());
    assert_eq!(app.card().map(|c| c.customer.id), Some(holder));
    let store = open(&path);
    let admin = store.actor("li.na", None).expect("the desk's admin");
    let tombstones = common::every_customer(&store, &admin)
        .iter()
        .filter(|c| c.fields.name == "Merge Me" && c.merged_into.as_ref() == Some(&holder_code))
        .count();
    assert_eq!(tombstones, 1, "the new record was merged into the holder");

    // a: a separate customer holding the same number.
    let (_dir, path, mut app, holder, _, _) = duplicate_on_save(Lang::En, "Apart Person");
    key(&mut app, KeyCode::Char('a'));
    assert!(app.form().is_none());
    assert_eq!(customers_named(&path, "Apart Person"), 1);
    assert_ne!(app.card().map(|c| c.customer.id), Some(holder));

    // Enter: the holder opens, the form and its draft are gone, nothing is saved.
    let (_dir, path, mut app, holder, _, _) = duplicate_on_save(Lang::En, "Never Saved");
    key(&mut app, KeyCode::Enter);
    assert!(app.form().is_none());
    assert_eq!(app.card().map(|c| c.customer.id), Some(holder));
    assert_eq!(customers_named(&path, "Never Saved"), 0);
    let store = open(&path);
    let admin = store.actor("li.na", None).expect("the desk's admin");
    let drafts = store.drafts(&admin).expect("drafts");
    assert_eq!(drafts.len(), 0, "the discarded form leaves no draft");
}

#[test]
fn the_conflict_dialog_names_who_saved_first_and_the_fields_that_differ() {
    let (_dir, path, mut app) = card_of_a_caller();
    let id = app.card().map(|c| c.customer.id).expect("card");
    key(&mut app, KeyCode::Char('e'));
    // A colleague, 王伟, saves a note first, through another connection.
    let mut other = open(&path);
    let admin = other.actor("li.na", None).expect("actor");
    other
        .add_operator(&admin, "wang.wei", "王伟", careline::store::Role::Operator)
        .expect("operator");
    let colleague = other.actor("wang.wei", None).expect("actor");
    let current = other.customer(&colleague, id).expect("customer");
    let mut fields = current.fields.clone();
    fields.notes = Some("colleague's note".into());
    other
        .edit_customer(&colleague, id, current.version, &fields)
        .expect("colleague saves");
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "Acme");
    let company = app.form().map(|f| f.value("company")).expect("form");
    ctrl(&mut app, 's');
    assert!(matches!(app.dialog(), Some(Dialog::Conflict(_))));
    let text = screen_text(&draw(&mut app, 80, 24));
    // Who and when: the clock is 02:30 UTC, shown in the desk's UTC+8.
    assert!(text.contains("王伟 (wang.wei)"), "{text}");
    assert!(text.contains("2026-11-23 10:30"), "{text}");
    // The note they wrote (the form still has the old one) and the company typed here.
    assert!(text.contains("Notes: colleague's note → "), "{text}");
    let theirs_company = current.fields.company.clone().unwrap_or_else(|| "—".into());
    assert!(
        text.contains(&format!("Company: {theirs_company} → {company}")),
        "{text}"
    );
    assert!(
        !text.contains("Name:"),
        "an equal field is not listed: {text}"
    );
    let hints = text.lines().rev().nth(1).unwrap_or_default().to_string();
    for w in ["Enter reload theirs", "a re-apply mine", "Esc back to form"] {
        assert!(hints.contains(w), "{w:?} in the footer: {hints}");
    }
}

#[test]
fn pop_messages_fit_80_columns_in_both_languages() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (_, _, _, national) = a_mobile_holder(&path);
    for (lang, _) in LANGS {
        for (number, form_open) in [
            ("13912345678", false),
            (national.as_str(), false),
            ("13912345678", true),
            ("01065529988", true),
        ] {
            let mut app = app(&path, lang);
            if form_open {
                ctrl(&mut app, 'n');
                type_text(&mut app, "x");
            }
            app.update(Action::Pop(number.to_string()));
            let message = app
                .desk
                .message
                .as_ref()
                .expect("a pop says so")
                .text
                .clone();
            let text = screen_text(&draw(&mut app, 80, 24));
            let cells = unicode_width::UnicodeWidthStr::width(message.as_str());
            assert!(cells < 80, "{cells} cells: {message}");
            assert!(text.contains(&message), "shown whole: {text}");
        }
    }
}

/// A PBX hands the number over as a SIP URI: the caller is found, and the call is shown as the
/// readable number (`138 1234 5678`, DESIGN §2's mobile grouping 3-4-4), not as the URI.
#[test]
fn a_pop_from_a_pbx_uri_finds_the_caller_and_shows_the_number() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo_db(&dir);
    let (holder, _, name, national) = a_mobile_holder(&path);
    let readable = format!("{} {} {}", &national[..3], &national[3..7], &national[7..]);
    for (lang, _) in LANGS {
        let mut app = app(&path, lang);
        app.update(Action::Pop(format!("sip:+86{national}@pbx.example")));
        assert_eq!(app.card().map(|c| c.customer.id), Some(holder));
        assert_eq!(
            app.desk.call.as_ref().map(|c| c.number.as_str()),
            Some(readable.as_str())
        );
        let text = screen_text(&draw(&mut app, 80, 24));
        assert!(text.contains(&readable) && !text.contains("sip:"), "{text}");
        assert!(text.contains(&name), "{text}");
    }
}
