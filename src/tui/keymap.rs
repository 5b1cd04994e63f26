//! Keys to actions, by where the focus is. The bindings of forms, dialogs and of everywhere are
//! here; each pane declares its own places and keys in its file ([`KeyTable`]), and the keymap
//! is built from the registered panes' tables. The help overlay and the footer hints are built
//! from the same table, so they cannot drift from what the keys do. Bindings can be changed in
//! the config file, by the action's name (a pane's own action by the name its file gives it):
//!
//! ```toml
//! [keys]
//! save = ["ctrl-s", "f2"]
//! new_customer = ["ctrl-n"]
//! toggle_mine = ["M"]
//! ```

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, MAX_TABS};
use super::component::Pane;
pub use super::pane_keys::{KeyTable, PaneAction, PaneKey};
use super::panes;

/// Where the keyboard focus is; each has its own bindings, then the global ones apply. A
/// pane's places, and their keys, are declared in the pane's own file ([`KeyTable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// A place inside a pane (the lookup's search box, the card …).
    Pane(&'static KeyTable),
    /// A form (text fields: printable keys are text).
    Form,
    /// A list filtered by what is typed (standard phrases).
    Picker,
    /// A question to answer.
    Dialog,
    /// Anywhere, after the focused context.
    Global,
}

impl Context {
    /// Whether printable keys are typed text here.
    pub fn is_text(self) -> bool {
        match self {
            Context::Pane(table) => table.text,
            Context::Form | Context::Picker => true,
            Context::Dialog | Context::Global => false,
        }
    }

    /// Catalogue key of the context's name (help's title).
    pub fn title(self) -> &'static str {
        match self {
            Context::Pane(table) => table.title,
            Context::Form => "context.form",
            Context::Picker => "context.picker",
            Context::Dialog => "context.dialog",
            Context::Global => "context.global",
        }
    }
}

/// A key with its modifiers, as written in the config file (`ctrl-s`, `alt-1`, `f2`, `j`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub const fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key { code, modifiers }
    }

    /// A key without modifiers: `Key::plain(KeyCode::Enter)`.
    pub const fn plain(code: KeyCode) -> Key {
        Key::new(code, KeyModifiers::NONE)
    }

    /// A character key without modifiers: `Key::char('j')`.
    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    /// A character key with Ctrl: `Key::ctrl('s')`.
    pub const fn ctrl(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    pub fn from_event(event: &KeyEvent) -> Key {
        let mut modifiers = event.modifiers;
        // Terminals report `?` or `J` with SHIFT; the character already says it.
        if let KeyCode::Char(_) = event.code {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        if event.code == KeyCode::BackTab {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        Key {
            code: event.code,
            modifiers,
        }
    }

    /// Parses `ctrl-s`, `alt-1`, `shift-tab`, `f5`, `pagedown`, `?` …
    pub fn parse(text: &str) -> Result<Key, String> {
        let text = text.trim();
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                modifiers |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("m-"))
            {
                modifiers |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                modifiers |= KeyModifiers::SHIFT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                let n: u8 = f[1..]
                    .parse()
                    .map_err(|_| format!("'{text}' is not a key"))?;
                if !(1..=24).contains(&n) {
                    return Err(format!("'{text}': function keys go from f1 to f24"));
                }
                KeyCode::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        if modifiers.contains(KeyModifiers::CONTROL)
                            || modifiers.contains(KeyModifiers::ALT)
                        {
                            KeyCode::Char(c.to_ascii_lowercase())
                        } else {
                            KeyCode::Char(c)
                        }
                    }
                    _ => {
                        return Err(format!(
                            "'{text}' is not a key (try ctrl-s, alt-1, f2, enter, j)"
                        ))
                    }
                }
            }
        };
        if let KeyCode::Char(_) = code {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        Ok(Key { code, modifiers })
    }

    /// How the key is shown in help and hints.
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            out.push_str("Shift-");
        }
        match self.code {
            KeyCode::Char(' ') => out.push_str("Space"),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                out.push(c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => out.push(c),
            KeyCode::Enter => out.push_str("Enter"),
            KeyCode::Esc => out.push_str("Esc"),
            KeyCode::Tab => out.push_str("Tab"),
            KeyCode::BackTab => out.push_str("Shift-Tab"),
            KeyCode::Up => out.push('↑'),
            KeyCode::Down => out.push('↓'),
            KeyCode::Left => out.push('←'),
            KeyCode::Right => out.push('→'),
            KeyCode::PageUp => out.push_str("PgUp"),
            KeyCode::PageDown => out.push_str("PgDn"),
            KeyCode::Home => out.push_str("Home"),
            KeyCode::End => out.push_str("End"),
            KeyCode::F(n) => out.push_str(&format!("F{n}")),
            KeyCode::Backspace => out.push_str("Backspace"),
            KeyCode::Delete => out.push_str("Del"),
            other => out.push_str(&format!("{other:?}")),
        }
        out
    }
}

/// One binding: in this context, this key does this action; `hint` puts it in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub key: Key,
    pub action: Action,
    pub hint: bool,
}

/// Every binding, in the order help lists them.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;

/// The bindings of the places outside the panes: forms, the phrase picker, dialogs and
/// everywhere.
fn default_bindings() -> Vec<Binding> {
    use Action as A;
    use Context as C;
    use KeyCode as K;
    let b = |context, code, modifiers, action, hint| Binding {
        context,
        key: Key::new(code, modifiers),
        action,
        hint,
    };
    let mut bindings = vec![
        b(C::Form, K::Tab, NONE, A::NextField, true),
        b(C::Form, K::BackTab, NONE, A::PrevField, false),
        b(C::Form, K::Down, NONE, A::Down, false),
        b(C::Form, K::Up, NONE, A::Up, false),
        b(C::Form, K::Char('s'), CTRL, A::Save, true),
        b(C::Form, K::Esc, NONE, A::Back, true),
        b(C::Form, K::Char('p'), CTRL, A::Phrases, true),
        b(C::Picker, K::Enter, NONE, A::Confirm, true),
        b(C::Picker, K::Esc, NONE, A::Back, true),
        b(C::Picker, K::Down, NONE, A::Down, false),
        b(C::Picker, K::Up, NONE, A::Up, false),
        b(C::Dialog, K::Enter, NONE, A::Confirm, true),
        b(C::Dialog, K::Char('y'), NONE, A::Confirm, false),
        b(C::Dialog, K::Char('a'), NONE, A::Alternate, true),
        b(C::Dialog, K::Char('m'), NONE, A::Merge, true),
        b(C::Dialog, K::Esc, NONE, A::Back, true),
        b(C::Dialog, K::Char('n'), NONE, A::Back, false),
        b(C::Global, K::Char('c'), CTRL, A::ForceQuit, false),
    ];
    // Every tab a key can reach: F1, Alt-1 and 1 show the first registered pane's tab, and
    // so on; a tab added later has its keys without a binding of its own.
    for n in 1..=MAX_TABS {
        let digit = char::from(b'0' + n);
        bindings.push(b(C::Global, K::F(n), NONE, A::Tab(n), false));
        bindings.push(b(C::Global, K::Char(digit), ALT, A::Tab(n), false));
        bindings.push(b(C::Global, K::Char(digit), NONE, A::Tab(n), false));
    }
    bindings.extend([
        b(C::Global, K::Char('['), NONE, A::PrevPane, false),
        b(C::Global, K::Char(']'), NONE, A::NextPane, false),
        b(C::Global, K::Char('n'), CTRL, A::NewCustomer, true),
        b(C::Global, K::Char('e'), CTRL, A::EndCall, false),
        // The status bar's breached / due-soon counts, opened as the queue filtered.
        b(C::Global, K::Char('b'), NONE, A::BreachedComplaints, false),
        b(C::Global, K::Char('B'), NONE, A::DueSoonComplaints, false),
        // The status bar's care count, opened as the Care pane's due reminders.
        b(C::Global, K::Char('R'), NONE, A::CareDue, false),
        // The status bar's access count (supervisors): the requests waiting.
        b(C::Global, K::Char('g'), CTRL, A::AccessRequests, false),
        b(C::Global, K::Char('?'), NONE, A::Help, true),
    ]);
    bindings
}

/// The keys of the registered panes, without changes from a config file.
impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&panes::registered(), &BTreeMap::new()).0
    }
}

impl Keymap {
    /// The registered panes' keys with the config file's `[keys]` applied.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> (Keymap, Vec<String>) {
        Keymap::new(&panes::registered(), overrides)
    }

    /// The default bindings and every pane's declared keys, with the config file's `[keys]`
    /// applied: each listed action gets exactly the keys given, in every place it was bound.
    /// Problems are returned as messages and the default binding stays.
    pub fn new(
        panes: &[Box<dyn Pane>],
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> (Keymap, Vec<String>) {
        let mut bindings = Vec::new();
        for table in panes.iter().flat_map(|p| p.keys()) {
            for line in table.keys {
                for (i, key) in line.keys.iter().enumerate() {
                    bindings.push(Binding {
                        context: Context::Pane(table),
                        key: *key,
                        action: line.action.clone(),
                        hint: line.hint && i == 0,
                    });
                }
            }
        }
        bindings.extend(default_bindings());
        let mut keymap = Keymap { bindings };
        let mut problems = Vec::new();
        for (name, keys) in overrides {
            let actions = keymap.named(name);
            if actions.is_empty() {
                problems.push(format!("[keys] {name}: no such action"));
                continue;
            }
            let parsed: Result<Vec<Key>, String> = keys.iter().map(|k| Key::parse(k)).collect();
            let parsed = match parsed {
                Ok(p) if !p.is_empty() => p,
                Ok(_) => {
                    problems.push(format!("[keys] {name}: give at least one key"));
                    continue;
                }
                Err(e) => {
                    problems.push(format!("[keys] {name}: {e}"));
                    continue;
                }
            };
            for action in actions {
                keymap.rebind(&action, &parsed);
            }
        }
        (keymap, problems)
    }

    /// The actions a config name binds: one that every place shares (`save`, `tab_1` …), or
    /// each pane's own action of that name.
    fn named(&self, name: &str) -> Vec<Action> {
        let mut found: Vec<Action> = Action::from_config_name(name).into_iter().collect();
        for b in &self.bindings {
            if matches!(&b.action, Action::Pane(own) if own.name == name)
                && !found.contains(&b.action)
            {
                found.push(b.action.clone());
            }
        }
        found
    }

    /// Gives an action exactly these keys, in every place it was bound (anywhere, when it
    /// was bound nowhere).
    fn rebind(&mut self, action: &Action, keys: &[Key]) {
        let mut contexts: Vec<(Context, bool)> = Vec::new();
        for b in self.bindings.iter().filter(|b| b.action == *action) {
            if !contexts.iter().any(|(c, _)| *c == b.context) {
                contexts.push((b.context, b.hint));
            }
        }
        if contexts.is_empty() {
            contexts.push((Context::Global, false));
        }
        self.bindings.retain(|b| b.action != *action);
        for (context, hint) in contexts {
            for (i, key) in keys.iter().enumerate() {
                if context.is_text() && key.modifiers.difference(KeyModifiers::SHIFT).is_empty() {
                    if let KeyCode::Char(_) = key.code {
                        continue; // in a text field a printable key is text
                    }
                }
                self.bindings.push(Binding {
                    context,
                    key: *key,
                    action: action.clone(),
                    hint: hint && i == 0,
                });
            }
        }
    }

    /// The action for a key in a context: the context's own binding first, then the global
    /// one. In a text field a printable key without Ctrl/Alt is always text.
    pub fn action(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        let printable = matches!(key.code, KeyCode::Char(_))
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        self.bindings
            .iter()
            .find(|b| b.context == context && b.key == key)
            .or_else(|| {
                if context.is_text() && printable {
                    None
                } else {
                    self.bindings
                        .iter()
                        .find(|b| b.context == Context::Global && b.key == key)
                }
            })
            .map(|b| b.action.clone())
    }

    /// Bindings of one context followed by the global ones: what help shows.
    pub fn help(&self, context: Context) -> Vec<&Binding> {
        let own = |key: &Key| {
            self.bindings
                .iter()
                .any(|b| b.context == context && b.key == *key)
        };
        self.bindings
            .iter()
            .filter(|b| b.context == context)
            .chain(self.bindings.iter().filter(|b| {
                b.context == Context::Global
                    // A key the context binds itself is its own (the queue's `b`), not the
                    // global one.
                    && !own(&b.key)
                    && !(matches!(context, Context::Form | Context::Dialog | Context::Picker)
                        && b.action == Action::NewCustomer)
                    && !(context.is_text()
                        && matches!(b.key.code, KeyCode::Char(_))
                        && !b.key.modifiers.intersects(CTRL | ALT))
            }))
            .collect()
    }

    /// The footer's hints for a context: (key label, action).
    pub fn hints(&self, context: Context) -> Vec<(String, Action)> {
        let mut out: Vec<(String, Action)> = Vec::new();
        for b in self.help(context).into_iter().filter(|b| b.hint) {
            if !out.iter().any(|(_, a)| *a == b.action) {
                out.push((b.key.label(), b.action.clone()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::panes::{self, card, log, lookup};

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn every_tab_of_design_2_has_its_keys_without_a_binding_of_its_own() {
        // DESIGN §2: tabs are switched with F1–F5 or Alt-1–Alt-5 from anywhere, and with
        // 1–5 when no text field has focus.
        let keymap = Keymap::default();
        for n in 1..=5u8 {
            let digit = char::from(b'0' + n);
            let tab = Some(Action::Tab(n));
            assert_eq!(
                keymap.action(Context::Pane(&lookup::SEARCH), &press(KeyCode::F(n), NONE)),
                tab
            );
            assert_eq!(
                keymap.action(Context::Form, &press(KeyCode::Char(digit), ALT)),
                tab
            );
            assert_eq!(
                keymap.action(
                    Context::Pane(&card::KEYS),
                    &press(KeyCode::Char(digit), NONE)
                ),
                tab
            );
            assert_eq!(
                keymap.action(
                    Context::Pane(&lookup::SEARCH),
                    &press(KeyCode::Char(digit), NONE)
                ),
                None,
                "a digit typed in the search box is text"
            );
        }
        assert_eq!(
            keymap.action(Context::Pane(&card::KEYS), &press(KeyCode::F(6), NONE)),
            None
        );
    }

    #[test]
    fn tabs_are_named_by_number_in_the_config_and_the_older_names_still_work() {
        let overrides = BTreeMap::from([
            ("tab_3".to_string(), vec!["ctrl-t".to_string()]),
            ("pane_log".to_string(), vec!["f9".to_string()]),
            ("tab_6".to_string(), vec!["f6".to_string()]),
        ]);
        let (keymap, problems) = Keymap::with_overrides(&overrides);
        assert_eq!(problems, vec!["[keys] tab_6: no such action".to_string()]);
        assert_eq!(
            keymap.action(Context::Pane(&card::KEYS), &press(KeyCode::Char('t'), CTRL)),
            Some(Action::Tab(3))
        );
        assert_eq!(
            keymap.action(Context::Pane(&card::KEYS), &press(KeyCode::F(3), NONE)),
            None
        );
        assert_eq!(
            keymap.action(Context::Pane(&card::KEYS), &press(KeyCode::F(9), NONE)),
            Some(Action::Tab(2))
        );
        assert_eq!(
            keymap.action(Context::Pane(&card::KEYS), &press(KeyCode::F(2), NONE)),
            None
        );
    }

    #[test]
    fn printable_keys_are_text_in_a_text_field() {
        let keymap = Keymap::default();
        assert_eq!(
            keymap.action(
                Context::Pane(&lookup::SEARCH),
                &press(KeyCode::Char('q'), NONE)
            ),
            None
        );
        assert_eq!(
            keymap.action(
                Context::Pane(&lookup::SEARCH),
                &press(KeyCode::Char('?'), NONE)
            ),
            None
        );
        assert_eq!(
            keymap.action(
                Context::Pane(&lookup::RESULTS),
                &press(KeyCode::Char('q'), NONE)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            keymap.action(
                Context::Pane(&lookup::RESULTS),
                &press(KeyCode::Char('?'), KeyModifiers::SHIFT)
            ),
            Some(Action::Help)
        );
        assert_eq!(
            keymap.action(Context::Form, &press(KeyCode::Char('s'), CTRL)),
            Some(Action::Save)
        );
        assert_eq!(
            keymap.action(
                Context::Pane(&lookup::SEARCH),
                &press(KeyCode::Char('c'), CTRL)
            ),
            Some(Action::ForceQuit)
        );
    }

    #[test]
    fn keys_parse_and_label() {
        assert_eq!(Key::parse("ctrl-s"), Ok(Key::new(KeyCode::Char('s'), CTRL)));
        assert_eq!(Key::parse("Alt-1"), Ok(Key::new(KeyCode::Char('1'), ALT)));
        assert_eq!(
            Key::parse("shift-tab"),
            Ok(Key::new(KeyCode::BackTab, NONE))
        );
        assert_eq!(Key::parse("f12"), Ok(Key::new(KeyCode::F(12), NONE)));
        assert!(Key::parse("f99").is_err());
        assert!(Key::parse("banana").is_err());
        assert_eq!(Key::new(KeyCode::Char('s'), CTRL).label(), "Ctrl-S");
    }

    #[test]
    fn overrides_replace_an_actions_keys_and_report_mistakes() {
        let mut overrides = BTreeMap::new();
        overrides.insert("save".to_string(), vec!["f2".to_string()]);
        overrides.insert("fly".to_string(), vec!["f3".to_string()]);
        overrides.insert("quit".to_string(), vec!["ctrl-x-y".to_string()]);
        let (keymap, problems) = Keymap::with_overrides(&overrides);
        assert_eq!(
            keymap.action(Context::Form, &press(KeyCode::F(2), NONE)),
            Some(Action::Save)
        );
        assert_eq!(
            keymap.action(Context::Form, &press(KeyCode::Char('s'), CTRL)),
            None
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("fly")));
        // quit kept its default key
        assert_eq!(
            keymap.action(
                Context::Pane(&lookup::RESULTS),
                &press(KeyCode::Char('q'), NONE)
            ),
            Some(Action::Quit)
        );
    }

    #[test]
    fn the_logs_actions_keep_their_config_names() {
        let overrides = BTreeMap::from([
            ("filter".to_string(), vec!["ctrl-f".to_string()]),
            ("toggle_mine".to_string(), vec!["M".to_string()]),
            ("toggle_due_replies".to_string(), vec!["f7".to_string()]),
        ]);
        let (keymap, problems) = Keymap::with_overrides(&overrides);
        assert!(problems.is_empty(), "{problems:?}");
        let log = Context::Pane(&log::KEYS);
        let cases = [
            (press(KeyCode::Char('f'), CTRL), Some(&log::FILTER)),
            (press(KeyCode::Char('f'), NONE), None),
            (
                press(KeyCode::Char('M'), KeyModifiers::SHIFT),
                Some(&log::TOGGLE_MINE),
            ),
            (press(KeyCode::Char('m'), NONE), None),
            (press(KeyCode::F(7), NONE), Some(&log::TOGGLE_DUE_REPLIES)),
            (press(KeyCode::Char('u'), NONE), None),
        ];
        for (key, wanted) in cases {
            assert_eq!(
                keymap.action(log, &key),
                wanted.map(Action::Pane),
                "{key:?}"
            );
        }
        // The footer hints the key given in place of the default.
        let hints = keymap.hints(log);
        assert!(hints.contains(&("M".to_string(), Action::Pane(&log::TOGGLE_MINE))));
    }

    #[test]
    fn the_registered_panes_places_and_own_actions_have_names_of_their_own() {
        let panes = panes::registered();
        let tables: Vec<&KeyTable> = panes.iter().flat_map(|p| p.keys()).collect();
        for (i, table) in tables.iter().enumerate() {
            assert!(
                tables[..i].iter().all(|t| t.name != table.name),
                "two places are named {}",
                table.name
            );
            for line in table.keys {
                if let Action::Pane(own) = &line.action {
                    assert_eq!(
                        Action::from_config_name(own.name),
                        None,
                        "{}'s {} is also an action every place shares",
                        table.name,
                        own.name
                    );
                }
            }
        }
    }

    #[test]
    fn every_bound_action_and_place_has_its_words_in_both_catalogues() {
        use crate::tui::i18n::{I18n, Lang};
        let keymap = Keymap::default();
        let mut missing = Vec::new();
        for lang in [Lang::En, Lang::ZhCn] {
            let i18n = I18n::new(lang);
            for b in &keymap.bindings {
                for key in [b.action.help_key(), b.context.title()] {
                    if i18n.t(key) == key {
                        missing.push(format!("{lang:?} {key}"));
                    }
                }
            }
        }
        missing.dedup();
        assert!(missing.is_empty(), "not in the catalogue: {missing:?}");
    }
}
