//! Everything that can change the operator's screen. Keys become actions through the keymap;
//! the loop's own events (tick, resize, pops, other operators' changes) are actions too, and
//! `App::update` is the only place that acts on them.

use serde::Deserialize;

use super::pane_keys::PaneAction;

/// One thing to do. The user-facing variants can be bound to keys in the config file
/// (`[keys]`, snake_case names); the internal ones cannot. The variants are what the router,
/// forms, dialogs and every list share; what only one pane does is that pane's own
/// [`Action::Pane`], declared in the pane's file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    ForceQuit,
    Help,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    FocusSearch,
    NewCustomer,
    /// Log a contact with the customer on the card (or the selected one).
    NewInteraction,
    /// Open a complaint for the customer on the card (the call in progress linked).
    NewComplaint,
    /// Insert a standard phrase into the field being typed.
    Phrases,
    Edit,
    Save,
    NextField,
    PrevField,
    EndCall,
    /// The Complaints queue showing the breached ones (the status bar's first count).
    BreachedComplaints,
    /// The Complaints queue showing those due soon (the status bar's second count).
    DueSoonComplaints,
    /// The Care pane showing the reminders due (the status bar's care count).
    CareDue,
    /// The requests for access to confidential customers waiting for a supervisor (the
    /// status bar's access count).
    AccessRequests,
    /// Show the n-th tab (from 1, in the order the panes are registered): `F1`–`F5`,
    /// `Alt-1`–`Alt-5`, `1`–`5` outside text fields. Named `tab_1` … in the config file.
    #[serde(skip)]
    Tab(u8),
    NextPane,
    PrevPane,
    /// A dialog's answer: yes / restore / reload.
    Confirm,
    /// A dialog's other answer: re-apply my changes, save as a separate customer.
    Alternate,
    /// A dialog's answer: merge into the customer already on file.
    Merge,
    /// An action of one pane's own, declared in its file with its name in the config file,
    /// its word and the permission it needs (see [`PaneAction`]).
    #[serde(skip)]
    Pane(&'static PaneAction),
    #[serde(skip)]
    Tick,
    #[serde(skip)]
    Resize(u16, u16),
    #[serde(skip)]
    DatabaseChanged,
    #[serde(skip)]
    Pop(String),
    #[serde(skip)]
    Key(crossterm::event::KeyEvent),
    #[serde(skip)]
    Paste(String),
}

/// The tabs a key can reach directly (`F1` … `F5`, DESIGN §2).
pub const MAX_TABS: u8 = 5;

impl Action {
    /// What the action asks of the operator's role, from the one permission table the store
    /// checks too: the footer and the help offer it only to those who may.
    pub fn permission(&self) -> Option<crate::domain::operator::Permission> {
        use crate::domain::operator::Permission;
        match self {
            Action::NewCustomer => Some(Permission::CreateCustomer),
            Action::NewInteraction => Some(Permission::LogContact),
            Action::NewComplaint => Some(Permission::OpenComplaint),
            Action::AccessRequests => Some(Permission::GrantAccess),
            Action::Pane(own) => own.permission,
            _ => None,
        }
    }

    /// The action a config file's `[keys]` names: an action's snake_case name, `tab_1` …
    /// `tab_5`, or the older `pane_lookup` / `pane_log` (the first and second tabs).
    pub fn from_config_name(name: &str) -> Option<Action> {
        let tab = match name {
            "pane_lookup" => Some(1),
            "pane_log" => Some(2),
            _ => name
                .strip_prefix("tab_")
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (1..=MAX_TABS).contains(n)),
        };
        if let Some(n) = tab {
            return Some(Action::Tab(n));
        }
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// The catalogue key of the action's help text.
    pub fn help_key(&self) -> &'static str {
        match self {
            Action::Quit => "action.quit",
            Action::ForceQuit => "action.force_quit",
            Action::Help => "action.help",
            Action::Back => "action.back",
            Action::Up => "action.up",
            Action::Down => "action.down",
            Action::PageUp => "action.page_up",
            Action::PageDown => "action.page_down",
            Action::Top => "action.top",
            Action::Bottom => "action.bottom",
            Action::Open => "action.open",
            Action::FocusSearch => "action.focus_search",
            Action::NewCustomer => "action.new_customer",
            Action::NewInteraction => "action.new_interaction",
            Action::NewComplaint => "action.new_complaint",
            Action::Phrases => "action.phrases",
            Action::Edit => "action.edit",
            Action::Save => "action.save",
            Action::NextField => "action.next_field",
            Action::PrevField => "action.prev_field",
            Action::EndCall => "action.end_call",
            Action::BreachedComplaints => "action.breached_complaints",
            Action::DueSoonComplaints => "action.due_soon_complaints",
            Action::CareDue => "action.care_due",
            Action::AccessRequests => "action.access_requests",
            Action::Tab(_) => "action.tab",
            Action::NextPane => "action.next_pane",
            Action::PrevPane => "action.prev_pane",
            Action::Confirm => "action.confirm",
            Action::Alternate => "action.alternate",
            Action::Merge => "action.merge",
            Action::Pane(own) => own.help,
            _ => "action.other",
        }
    }
}
