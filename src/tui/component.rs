//! The surface every pane has (ARCHITECTURE habits 2 and 3), and the messages panes send each
//! other through the desk's queue instead of reaching into each other's fields.
//!
//! A pane owns its state. Keys are offered to the focused pane first (`handle_key`); what it
//! gives back, and everything the queue carries, reaches it through `update`; when the router
//! marks it stale (its data changed, or it is shown again), `reload` reads the store; and
//! `render` draws it from its own state and a [`View`] — it cannot reach the store.

use std::any::Any;

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use super::action::Action;
use super::desk::Desk;
use super::keymap::{Context, Keymap};
use super::pane_keys::KeyTable;
use super::view::View;
use super::widgets::form::Form;
use crate::domain::customer::Channel;
use crate::domain::operator::Permission;
use crate::store::{DeskCounts, LogFilter, StoreError};

/// Names a registered pane; each pane's file declares its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PaneId(pub &'static str);

/// A pane's tab in the top line (a pane without one is shown beside or inside others).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tab {
    /// Catalogue key of its name. The tab's number (its place in `panes::registered`) is
    /// its key: `F1`, `Alt-1`, `1` for the first.
    pub label: &'static str,
}

pub trait Pane {
    fn id(&self) -> PaneId;

    /// Its tab, if it has one; the tab line lists the registered panes that do, in order.
    fn tab(&self) -> Option<Tab> {
        None
    }

    /// What the operator's role needs for its tab to be offered (the Reports pane's
    /// `ReadReports`); `None`: every operator has it. The store refuses the reads anyway.
    fn needs(&self) -> Option<Permission> {
        None
    }

    /// Whether, having no tab, it covers the body while it has the keyboard (or a form opened
    /// from it is open) — a list opened from anywhere, such as the access requests.
    fn covers_body(&self) -> bool {
        false
    }

    /// Its key tables, every one (Lookup has two: the search box and the result list): the
    /// keymap is built from them, and help and the footer read the keymap.
    fn keys(&self) -> &'static [KeyTable];

    /// Where the keyboard is inside the pane: `Context::Pane` of one of its tables.
    fn context(&self) -> Context;

    /// A key, offered to the focused pane first: the action it means here, or `None` when the
    /// pane does not take it (the router then tries the global bindings).
    fn handle_key(&mut self, key: &KeyEvent, keys: &Keymap) -> Option<Action> {
        keys.action(self.context(), key)
            .or_else(|| self.context().is_text().then_some(Action::Key(*key)))
    }

    /// An action for the focused pane, or a message every pane hears.
    fn update(&mut self, msg: &Msg, desk: &mut Desk);

    /// Reads its data again; called when the router marks it stale and it is visible.
    fn reload(&mut self, desk: &mut Desk);

    /// Draws it; returns the cursor when a text field of the pane has the keyboard.
    fn render(&self, area: Rect, buf: &mut Buffer, view: &View) -> Option<Position>;

    /// Whether an action does something here now (the footer and the help offer only those).
    fn offers(&self, _action: &Action) -> bool {
        true
    }

    /// The word for an action here, when it is not the action's usual one.
    fn action_label(&self, _action: &Action) -> Option<&'static str> {
        None
    }

    /// For state tests: the concrete pane.
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// What panes and forms ask of the router and of each other.
#[derive(Debug)]
pub enum Msg {
    /// An action for the pane with the keyboard.
    Action(Action),
    /// Text pasted into the pane with the keyboard.
    Paste(String),
    /// Open a customer's card; `focus` moves the keyboard to it.
    OpenCustomer { id: i64, focus: bool },
    /// No customer open any more.
    CloseCustomer,
    /// A fresh search: the box emptied, the keyboard in it (`/` from another pane).
    NewSearch,
    /// Move the keyboard to a pane (its tab, if it has one, is shown).
    Focus(PaneId),
    /// The screen ends (a question about it was answered yes).
    Quit,
    /// Something this screen wrote, or others did: every pane reads again when shown.
    DataChanged,
    /// The new-customer form, prefilled from what was typed (digits to the phone).
    NewCustomer(String),
    /// The edit form of a customer.
    EditCustomer(i64),
    /// Log a contact with a customer; a channel given means a reply on that channel; a
    /// reminder given is what the contact is for (the Care pane's Enter: it is linked, and the
    /// channel is the customer's preferred one, outbound).
    LogContact {
        customer: i64,
        reply_on: Option<Channel>,
        reminder: Option<i64>,
    },
    /// The next reminder of the Care list after the one being worked (`N` on the card during
    /// a care shift).
    NextReminder,
    /// Show the Care pane with the reminders due (the status bar's count).
    CareDue,
    /// Amend a logged contact.
    Amend(i64),
    /// A form a pane built (the Log's filters).
    OpenForm(Box<Form>),
    /// The Log's filters, chosen in their form.
    LogFiltered {
        filter: LogFilter,
        login: Option<String>,
    },
    /// Show the Complaints queue with only the breached ones (`true`) or those due soon.
    ComplaintsDue { breached: bool },
    /// Show one complaint in full in the Complaints pane (from its event in the Log).
    ShowComplaint(i64),
    /// Show one customer's complaints, in every status (from the card).
    CustomerComplaints { id: i64, name: String },
    /// Show one customer's audit trail (from the card, supervisors).
    CustomerAudit { id: i64, code: String, name: String },
    /// The access a grant gave to this confidential customer ended (it ran out, or was
    /// revoked): a form about them closes, its draft kept.
    AccessEnded(i64),
    /// Show the requests for access to confidential customers (supervisors), opened from
    /// this pane.
    AccessRequests { from: PaneId },
    /// The desk's counts, read by the worker.
    Counts(DeskCounts),
    /// A report calculated on the worker for the Reports pane (which drops one it no longer
    /// waits for).
    Report(Box<super::panes::reports::Calculated>),
    /// A read on the worker failed (said on the message line; nothing is retried by itself).
    ReadFailed(StoreError),
    /// A call announced by `careline pop` (`form_open`: a form is being typed, which a pop
    /// never takes away).
    Pop { number: String, form_open: bool },
}
