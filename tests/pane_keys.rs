//! A pane declares its own keys and actions in its own file: a pane defined here, registered
//! beside the real ones, gets its keys, its place in help and the footer, and its config
//! names without anything in `keymap.rs` or `action.rs` knowing of it.

mod common;

use std::any::Any;
use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use careline::domain::operator::Permission;
use careline::store::Role;
use careline::tui::action::Action;
use careline::tui::app::{App, Settings};
use careline::tui::component::{Msg, Pane, PaneId, Tab};
use careline::tui::desk::Desk;
use careline::tui::i18n::Lang;
use careline::tui::keymap::{Context, Key, KeyTable, Keymap, PaneAction, PaneKey};
use careline::tui::panes;
use careline::tui::ui;
use careline::tui::view::View;

const QUEUE_ID: PaneId = PaneId("test_queue");

/// An action anyone may take, and one only a supervisor may (the role table's `SetLevel`).
const CLAIM: PaneAction = PaneAction::new("claim_item", "action.test_claim");
const ESCALATE: PaneAction =
    PaneAction::new("escalate_item", "action.test_escalate").needs(Permission::SetLevel);

const QUEUE: KeyTable = KeyTable {
    name: "test_queue",
    title: "context.test_queue",
    text: false,
    keys: &[
        PaneKey::hint(Action::Pane(&CLAIM), &[Key::char('a')]),
        PaneKey::hint(Action::Pane(&ESCALATE), &[Key::char('x')]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
    ],
};

/// A second test pane with an action of the same name as the queue's, in its own place.
const OTHER_CLAIM: PaneAction = PaneAction::new("claim_item", "action.test_other_claim");
const OTHER: KeyTable = KeyTable {
    name: "test_other",
    title: "context.test_other",
    text: false,
    keys: &[PaneKey::hint(Action::Pane(&OTHER_CLAIM), &[Key::char('a')])],
};

/// Remembers what reached it.
#[derive(Default)]
struct Queue {
    heard: Vec<Action>,
}

impl Pane for Queue {
    fn id(&self) -> PaneId {
        QUEUE_ID
    }

    fn tab(&self) -> Option<Tab> {
        Some(Tab {
            label: "tab.test_queue",
        })
    }

    fn keys(&self) -> &'static [KeyTable] {
        &[QUEUE]
    }

    fn context(&self) -> Context {
        Context::Pane(&QUEUE)
    }

    fn update(&mut self, msg: &Msg, _desk: &mut Desk) {
        if let Msg::Action(action) = msg {
            self.heard.push(action.clone());
        }
    }

    fn reload(&mut self, _desk: &mut Desk) {}

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View) -> Option<Position> {
        buf.set_string(area.x, area.y, "the test queue", view.theme.text);
        None
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Only declares keys.
struct Other;

impl Pane for Other {
    fn id(&self) -> PaneId {
        PaneId("test_other")
    }

    fn keys(&self) -> &'static [KeyTable] {
        &[OTHER]
    }

    fn context(&self) -> Context {
        Context::Pane(&OTHER)
    }

    fn update(&mut self, _msg: &Msg, _desk: &mut Desk) {}

    fn reload(&mut self, _desk: &mut Desk) {}

    fn render(&self, _area: Rect, _buf: &mut Buffer, _view: &View) -> Option<Position> {
        None
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The F-key of the test queue's tab: the one after the tabs every operator has (the
/// Reports tab, a supervisor's, comes after it: there are keys for five tabs).
fn queue_tab() -> KeyCode {
    let tabs = panes::registered()
        .iter()
        .filter(|p| p.tab().is_some() && p.needs().is_none())
        .count();
    KeyCode::F(tabs as u8 + 1)
}

/// The registered panes with the test's queue after those every operator has a tab for.
fn with_queue() -> Vec<Box<dyn Pane>> {
    let mut all = panes::registered();
    let at = all
        .iter()
        .position(|p| p.tab().is_some() && p.needs().is_some())
        .unwrap_or(all.len());
    all.insert(at, Box::new(Queue::default()));
    all
}

fn keys_config(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(name, keys)| {
            (
                name.to_string(),
                keys.iter().map(|k| k.to_string()).collect(),
            )
        })
        .collect()
}

/// The screen with the queue registered as the tab after the real ones, for `login`, with
/// `[keys]`.
fn app(
    path: &std::path::Path,
    login: &str,
    config: &BTreeMap<String, Vec<String>>,
) -> (App, Vec<String>) {
    let store = common::screen::open_at_screen_time(path);
    let actor = store.actor(login, None).expect("actor");
    let panes = with_queue();
    let (keymap, problems) = Keymap::new(&panes, config);
    let settings = Settings {
        keymap,
        ..common::screen::settings(Lang::En, "desk.db")
    };
    (App::with_panes(store, actor, settings, panes), problems)
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// The screen at 80×24 as lines of text.
fn screen(app: &App) -> Vec<String> {
    let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
    ui::render(app, buf.area, &mut buf);
    common::screen::buffer_text(&buf)
        .lines()
        .map(str::to_string)
        .collect()
}

fn footer(app: &App) -> String {
    screen(app)[22].clone()
}

/// The keys help lists before `word` (help pads the keys by two spaces or more).
fn keys_of(help: &str, word: &str) -> Option<String> {
    let line = help.lines().find(|l| l.contains(word))?;
    let before = line[..line.find(word)?].trim_end();
    let keys = before.rsplit(['│', '|']).next()?;
    let keys = keys.rsplit("  ").next()?;
    Some(keys.trim().to_string())
}

fn heard(app: &App) -> Vec<Action> {
    app.pane::<Queue>()
        .expect("the queue is registered")
        .heard
        .clone()
}

fn demo(dir: &tempfile::TempDir) -> std::path::PathBuf {
    common::screen::demo_desk(dir, 20, 3)
}

#[test]
fn a_panes_own_keys_reach_it_and_help_and_the_footer_list_them() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo(&dir);
    let (mut app, problems) = app(&path, "li.na", &BTreeMap::new());
    assert!(problems.is_empty(), "{problems:?}");
    // Its tab is the one after the registered ones: its F-key gives it the keyboard.
    press(&mut app, queue_tab());
    assert_eq!(app.focused_pane(), QUEUE_ID);
    assert_eq!(app.context(), Context::Pane(&QUEUE));
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Down);
    assert_eq!(
        heard(&app),
        [Action::Pane(&CLAIM), Action::Down, Action::Down],
        "its own key and the list keys it bound reach it"
    );
    // The footer hints its hinted keys with their words (then the global ones that fit).
    let i18n = &app.desk.i18n;
    let claim = i18n.t(CLAIM.help).to_string();
    let escalate = i18n.t(ESCALATE.help).to_string();
    let footer = footer(&app);
    assert!(
        footer.starts_with(&format!(" a {claim}   x {escalate}")),
        "{footer}"
    );
    assert!(!footer.contains(" j "), "j is not hinted: {footer}");
    // The help lists every key of the place, two keys of one action on one line.
    press(&mut app, KeyCode::Char('?'));
    let help = screen(&app).join("\n");
    let title = app.desk.i18n.t("context.test_queue");
    assert!(help.contains(title), "{help}");
    for (keys, word) in [
        ("a", claim.as_str()),
        ("x", escalate.as_str()),
        ("↓ j", app.desk.i18n.t("action.down")),
    ] {
        assert_eq!(
            keys_of(&help, word).as_deref(),
            Some(keys),
            "{word}:\n{help}"
        );
    }
}

#[test]
fn a_panes_action_needing_a_permission_is_offered_only_to_those_who_may() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo(&dir);
    {
        let mut store = common::screen::open_at_screen_time(&path);
        let admin = store.actor("li.na", None).expect("admin");
        store
            .add_operator(&admin, "newbie", "New", Role::Operator)
            .expect("operator added");
    }
    let (mut app, _) = app(&path, "newbie", &BTreeMap::new());
    press(&mut app, queue_tab());
    assert!(app.offers(&Action::Pane(&CLAIM)));
    assert!(
        !app.offers(&Action::Pane(&ESCALATE)),
        "an operator may not change a level"
    );
    let escalate = app.desk.i18n.t(ESCALATE.help).to_string();
    assert!(!footer(&app).contains(&escalate), "{}", footer(&app));
    press(&mut app, KeyCode::Char('?'));
    let help = screen(&app).join("\n");
    assert_eq!(keys_of(&help, &escalate), None, "{help}");
    assert_eq!(
        keys_of(&help, app.desk.i18n.t(CLAIM.help)).as_deref(),
        Some("a"),
        "{help}"
    );
}

#[test]
fn a_panes_action_is_rebound_from_the_config_by_its_name() {
    let dir = tempfile::tempdir().expect("dir");
    let path = demo(&dir);
    let config = keys_config(&[
        ("claim_item", &["c", "f9"]),
        ("escalate_item", &["ctrl-x-y"]),
        ("fly", &["f3"]),
    ]);
    let (mut app, problems) = app(&path, "li.na", &config);
    assert_eq!(
        problems,
        [
            "[keys] escalate_item: 'ctrl-x-y' is not a key (try ctrl-s, alt-1, f2, enter, j)",
            "[keys] fly: no such action",
        ]
    );
    press(&mut app, queue_tab());
    press(&mut app, KeyCode::Char('c'));
    press(&mut app, KeyCode::F(9));
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('x'));
    let heard = heard(&app);
    assert_eq!(heard[..2], [Action::Pane(&CLAIM), Action::Pane(&CLAIM)]);
    assert!(
        !heard[2..].contains(&Action::Pane(&CLAIM)),
        "a no longer claims: {heard:?}"
    );
    assert_eq!(
        heard[3],
        Action::Pane(&ESCALATE),
        "a bad key leaves the default"
    );
    let claim = app.desk.i18n.t(CLAIM.help).to_string();
    let footer = footer(&app);
    assert!(
        footer.contains(&format!(" c {claim}")) && !footer.contains("F9"),
        "the first key given is the hint: {footer}"
    );
}

#[test]
fn two_panes_may_name_an_action_alike_and_the_config_binds_each_in_its_place() {
    let panes: Vec<Box<dyn Pane>> = vec![Box::new(Queue::default()), Box::new(Other)];
    let a = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
    let k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::NONE);
    let (keymap, problems) = Keymap::new(&panes, &BTreeMap::new());
    assert!(problems.is_empty());
    assert_eq!(
        keymap.action(Context::Pane(&QUEUE), &a),
        Some(Action::Pane(&CLAIM))
    );
    assert_eq!(
        keymap.action(Context::Pane(&OTHER), &a),
        Some(Action::Pane(&OTHER_CLAIM))
    );
    let (keymap, problems) = Keymap::new(&panes, &keys_config(&[("claim_item", &["k"])]));
    assert!(problems.is_empty());
    assert_eq!(
        keymap.action(Context::Pane(&QUEUE), &k),
        Some(Action::Pane(&CLAIM))
    );
    assert_eq!(
        keymap.action(Context::Pane(&OTHER), &k),
        Some(Action::Pane(&OTHER_CLAIM))
    );
    assert_eq!(keymap.action(Context::Pane(&QUEUE), &a), None);
    assert_eq!(keymap.action(Context::Pane(&OTHER), &a), None);
}

#[test]
fn the_test_panes_are_unknown_to_the_registered_keymap() {
    // Without the queue registered its action names are no action at all: what a pane
    // declares comes only from the pane.
    let (_, problems) = Keymap::with_overrides(&keys_config(&[("claim_item", &["c"])]));
    assert_eq!(problems, ["[keys] claim_item: no such action"]);
}
