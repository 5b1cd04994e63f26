//! What a pane declares about its keys, in its own file: the tables of keys it takes (one per
//! place the keyboard can be inside it — Lookup has the search box and the result list) and
//! the actions of its own. The keymap is built from these tables and the config file's
//! `[keys]`; the help overlay and the footer read the keymap, so a pane's keys, their words
//! and their hints live in one place.
//!
//! ```ignore
//! pub const CLAIM: PaneAction = PaneAction::new("claim", "action.claim")
//!     .needs(Permission::OpenComplaint);
//! pub const QUEUE: KeyTable = KeyTable {
//!     name: "complaints",
//!     title: "context.complaints",
//!     text: false,
//!     keys: &[
//!         PaneKey::hint(Action::Pane(&CLAIM), &[Key::char('a')]),
//!         PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
//!     ],
//! };
//! // and in `impl Pane`: fn keys(&self) -> &'static [KeyTable] { &[QUEUE] }
//! //                    fn context(&self) -> Context { Context::Pane(&QUEUE) }
//! ```

use std::hash::{Hash, Hasher};

use super::action::Action;
use super::keymap::Key;
use crate::domain::operator::Permission;

/// An action of one pane's own: it reaches that pane as `Action::Pane(&THIS)` through its
/// `update`. Its name is also its name in the config file's `[keys]` (snake_case); two panes
/// may each have an action of the same name, and the config then binds both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PaneAction {
    pub name: &'static str,
    /// Catalogue key of its word in help and the footer.
    pub help: &'static str,
    /// What it asks of the operator's role: offered only to those who may.
    pub permission: Option<Permission>,
}

impl PaneAction {
    pub const fn new(name: &'static str, help: &'static str) -> PaneAction {
        PaneAction {
            name,
            help,
            permission: None,
        }
    }

    /// Offered only to operators whose role allows `permission`.
    pub const fn needs(self, permission: Permission) -> PaneAction {
        PaneAction {
            permission: Some(permission),
            ..self
        }
    }
}

/// One line of a pane's key table: an action (one every list shares, such as `Action::Down`,
/// or the pane's own `Action::Pane(&…)`) with its default keys, in the order help lists them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PaneKey {
    pub action: Action,
    pub keys: &'static [Key],
    /// Its first key is hinted in the footer.
    pub hint: bool,
}

impl PaneKey {
    /// Keys listed in help only.
    pub const fn new(action: Action, keys: &'static [Key]) -> PaneKey {
        PaneKey {
            action,
            keys,
            hint: false,
        }
    }

    /// Keys listed in help whose first one the footer hints.
    pub const fn hint(action: Action, keys: &'static [Key]) -> PaneKey {
        PaneKey {
            action,
            keys,
            hint: true,
        }
    }
}

/// A place inside a pane with keys of its own. Tables are told apart by name, which must be
/// unique among the registered panes. (Written as a struct literal in a `const`: a const fn
/// cannot hold the slice of keys.)
#[derive(Debug, Clone, Copy)]
pub struct KeyTable {
    pub name: &'static str,
    /// Catalogue key of the place's name (help's title).
    pub title: &'static str,
    /// Printable keys are typed text here (a search box): only keys with Ctrl or Alt, and
    /// keys such as Enter or ↓, are actions.
    pub text: bool,
    pub keys: &'static [PaneKey],
}

impl PartialEq for KeyTable {
    fn eq(&self, other: &KeyTable) -> bool {
        self.name == other.name
    }
}

impl Eq for KeyTable {}

impl Hash for KeyTable {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}
