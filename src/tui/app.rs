//! The router: it keeps the desk state every pane shares, offers keys to the pane with the
//! keyboard (then to an open form or dialog, then to the global bindings), carries the panes'
//! messages, and tells the visible panes to read again when their data changed. What a pane
//! shows and does lives in its own file under `panes/`.

use std::collections::{BTreeMap, BTreeSet};

use crossterm::event::{KeyEvent, KeyEventKind};

use super::action::Action;
use super::component::{Msg, Pane, PaneId, Tab};
pub use super::desk::{clock, Call, Desk, Message, MessageKind, Place, Settings};
pub use super::dialog::Dialog;
use super::forms::{customer, interaction};
use super::keymap::Context;
pub use super::overlay::Overlay;
use super::panes::{self, access, card, care, complaints, log, lookup};
use super::widgets::form::Form;
use crate::domain::operator::Permission;
use crate::store::{Actor, CardData, Store};

/// Where the keyboard is, as state tests and the bench see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Search,
    Results,
    Card,
    Form,
    /// The Log pane's list (or the entry shown in full).
    Log,
    /// A pane without a place of its own above.
    Other,
}

pub struct App {
    pub desk: Desk,
    panes: Vec<Box<dyn Pane>>,
    /// The form and the dialog over the panes.
    pub overlay: Overlay,
    /// The pane with the keyboard (under any form or dialog).
    focused: PaneId,
    /// The tab shown.
    tab: PaneId,
    /// Panes whose data changed since they last read it.
    stale: BTreeSet<PaneId>,
    /// The pane each tab last had the keyboard in (the card in the first tab): coming back to
    /// a tab by its key comes back there.
    left_in: BTreeMap<PaneId, PaneId>,
    pub quit: bool,
    /// Something visible changed during a tick.
    changed: bool,
}

impl App {
    /// Says on the message line which settings of the operator's own config file the shared
    /// host ignored (the command line prints one line per setting; the screen names them all).
    pub fn say_ignored_settings(&mut self, ignored: &[crate::host::IgnoredSetting]) {
        let Some(first) = ignored.first() else {
            return;
        };
        // (The file is named on the command line; the message line has room for the keys.)
        let keys = ignored
            .iter()
            .map(|i| i.key.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let text = self.desk.i18n.f(
            "host.own_settings_ignored",
            &[
                ("keys", &keys),
                ("host", &first.host_config.display().to_string()),
            ],
        );
        self.desk
            .warn_everywhere(crate::text::sanitize(&text).into_owned());
    }

    pub fn new(store: Store, actor: Actor, settings: Settings) -> App {
        App::with_panes(store, actor, settings, panes::registered())
    }

    /// The screen with these panes, in this order (a test adds one of its own); the keymap in
    /// `settings` is built from the same panes (`Keymap::new`).
    pub fn with_panes(
        store: Store,
        actor: Actor,
        settings: Settings,
        panes: Vec<Box<dyn Pane>>,
    ) -> App {
        let first = panes
            .iter()
            .find(|p| p.tab().is_some())
            .map(|p| p.id())
            .unwrap_or(lookup::ID);
        let mut app = App {
            desk: Desk::new(store, actor, settings),
            stale: panes.iter().map(|p| p.id()).collect(),
            panes,
            overlay: Overlay::default(),
            focused: first,
            tab: first,
            left_in: BTreeMap::new(),
            quit: false,
            changed: false,
        };
        app.desk.refresh_counts();
        if let Some(first) = app.desk.settings.warnings.first().cloned() {
            app.desk.warn_everywhere(first);
        }
        app.overlay.offer_next_draft(&mut app.desk);
        app.settle();
        app.follow_message();
        app
    }

    // ----- what tests, the bench and drawing read -----

    /// A registered pane by its type.
    pub fn pane<T: 'static>(&self) -> Option<&T> {
        self.panes.iter().find_map(|p| p.as_any().downcast_ref())
    }

    pub fn pane_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.panes
            .iter_mut()
            .find_map(|p| p.as_any_mut().downcast_mut())
    }

    pub fn pane_by_id(&self, id: PaneId) -> Option<&dyn Pane> {
        self.panes.iter().find(|p| p.id() == id).map(|p| p.as_ref())
    }

    pub fn lookup(&self) -> &lookup::Lookup {
        self.pane()
            .unwrap_or_else(|| unreachable!("the lookup pane is registered"))
    }

    pub fn log(&self) -> &log::Log {
        self.pane()
            .unwrap_or_else(|| unreachable!("the log pane is registered"))
    }

    pub fn card(&self) -> Option<&CardData> {
        self.pane::<card::Card>().and_then(|c| c.card.as_ref())
    }

    pub fn form(&self) -> Option<&Form> {
        self.overlay.editor.as_ref().map(|e| &e.form)
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        self.overlay.editor.as_mut().map(|e| &mut e.form)
    }

    pub fn dialog(&self) -> Option<&Dialog> {
        self.overlay.dialog.as_ref()
    }

    /// The tabs, in the order the panes were registered: those the operator's role is
    /// offered (an operator has no Reports tab).
    pub fn tabs(&self) -> Vec<(PaneId, Tab)> {
        let actor = &self.desk.actor;
        self.panes
            .iter()
            .filter(|p| p.needs().is_none_or(|n| actor.may(n)))
            .filter_map(|p| p.tab().map(|t| (p.id(), t)))
            .collect()
    }

    pub fn tab(&self) -> PaneId {
        self.tab
    }

    pub fn focused_pane(&self) -> PaneId {
        self.focused
    }

    pub fn focus(&self) -> Focus {
        if self.overlay.editor.is_some() {
            return Focus::Form;
        }
        match self.pane_by_id(self.focused).map(|p| p.context()) {
            Some(Context::Pane(t)) if *t == lookup::SEARCH => Focus::Search,
            Some(Context::Pane(t)) if *t == lookup::RESULTS => Focus::Results,
            Some(Context::Pane(t)) if *t == card::KEYS => Focus::Card,
            Some(Context::Pane(t)) if *t == log::KEYS => Focus::Log,
            _ => Focus::Other,
        }
    }

    /// Where the operator is: the pane with the keyboard, the form and the dialog over it.
    pub fn place(&self) -> Place {
        Place {
            pane: self.focused,
            form: self.overlay.form_number(),
            dialog: self.overlay.dialog.is_some(),
        }
    }

    /// The message the footer shows here: one said in this place (or of the whole screen).
    /// A dialog waits for an answer, so its keys show instead of a notice; a warning or an
    /// error said with it open still shows.
    pub fn shown_message(&self) -> Option<&Message> {
        let here = self.place();
        self.desk
            .message
            .as_ref()
            .filter(|m| m.sticky || m.place.is_none_or(|p| p == here))
            .filter(|m| self.dialog().is_none() || m.kind != MessageKind::Info)
    }

    /// The keyboard context: an open dialog first, then a form, then the focused pane.
    pub fn context(&self) -> Context {
        self.overlay.context().unwrap_or_else(|| {
            self.pane_by_id(self.focused)
                .map(|p| p.context())
                .unwrap_or(Context::Global)
        })
    }

    /// Whether a key's action does something in the present state (the footer hints only
    /// those): what the operator's role allows, then what is open over the panes, then the
    /// pane with the keyboard.
    pub fn offers(&self, action: &Action) -> bool {
        if action.permission().is_some_and(|p| !self.desk.actor.may(p)) {
            return false;
        }
        if let Some(offered) = self.overlay.offers(action) {
            return offered;
        }
        match action {
            Action::Tab(n) => self.nth_tab(*n).is_some(),
            _ => self
                .pane_by_id(self.focused)
                .is_none_or(|p| p.offers(action)),
        }
    }

    /// The word for an action in a context, in the footer and the help. Under a dialog, the
    /// words of the dialog itself: Esc discards an unsaved form's draft but keeps a form
    /// being discarded.
    pub fn action_label(&self, context: Context, action: &Action) -> String {
        let i18n = &self.desk.i18n;
        if let Some(key) = self.overlay.label(context, action) {
            return i18n.t(key).to_string();
        }
        if let Action::Tab(n) = action {
            if let Some((_, tab)) = self.nth_tab(*n) {
                return i18n.f("action.tab", &[("tab", i18n.t(tab.label))]);
            }
        }
        let key = self
            .pane_by_id(self.focused)
            .filter(|p| p.context() == context)
            .and_then(|p| p.action_label(action))
            .unwrap_or_else(|| action.help_key());
        i18n.t(key).to_string()
    }

    /// The n-th tab, from 1.
    fn nth_tab(&self, n: u8) -> Option<(PaneId, Tab)> {
        self.tabs().into_iter().nth(usize::from(n).checked_sub(1)?)
    }

    pub fn flush_draft(&mut self) {
        self.overlay.flush_draft(&mut self.desk);
    }

    /// A message from the reads worker: routed like any other.
    pub fn loaded(&mut self, msg: Msg) {
        self.desk.post(msg);
        self.settle();
        self.follow_message();
    }

    /// Whether a tick changed what the screen shows (and forget it).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    // ----- keys and actions -----

    /// A key press: a dialog's or form's keys while one is open, otherwise offered to the
    /// focused pane, whose context falls back on the global bindings.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if let Some(Dialog::Help(_)) = self.overlay.dialog {
            self.overlay.dialog = None; // any key closes help
            return;
        }
        let keymap = &self.desk.settings.keymap;
        let action = if let Some(context) = self.overlay.context() {
            keymap.action(context, &key)
        } else {
            let focused = self.focused;
            match self.panes.iter_mut().find(|p| p.id() == focused) {
                Some(pane) => pane.handle_key(&key, keymap),
                None => keymap.action(Context::Global, &key),
            }
        };
        self.update(action.unwrap_or(Action::Key(key)));
    }

    /// The one place state changes: the router's own actions, then the open dialog's, the
    /// open form's, or the focused pane's.
    pub fn update(&mut self, action: Action) {
        let overlay = &mut self.overlay;
        match action {
            Action::Tick => self.tick(),
            Action::Resize(w, h) => self.desk.size = (w, h),
            Action::DatabaseChanged => self.desk.post(Msg::DataChanged),
            Action::Pop(number) => self.pop(&number),
            Action::ForceQuit => {
                overlay.flush_draft(&mut self.desk);
                self.quit = true;
            }
            // A dialog shows its own keys; help over it would take its place, and an unsaved
            // form's draft would no longer be offered.
            Action::Help if overlay.dialog.is_some() => {}
            Action::Help => self.overlay.dialog = Some(Dialog::Help(self.context())),
            _ if overlay.dialog.is_some() => overlay.answer(action, &mut self.desk),
            Action::Quit if self.desk.call.is_some() => {
                overlay.dialog = Some(Dialog::QuitDuringCall)
            }
            Action::Quit => self.quit = true,
            Action::EndCall => self.end_call(),
            _ if overlay.editor.is_some() => overlay.form_action(action, &mut self.desk),
            Action::BreachedComplaints | Action::DueSoonComplaints => {
                self.desk.post(Msg::Focus(complaints::ID));
                let breached = action == Action::BreachedComplaints;
                self.desk.post(Msg::ComplaintsDue { breached });
            }
            Action::CareDue => {
                self.desk.post(Msg::Focus(care::ID));
                self.desk.post(Msg::CareDue);
            }
            Action::AccessRequests if !self.desk.actor.may(Permission::GrantAccess) => {
                // Refused by the store, as every refusal is: said, and audited.
                if let Err(e) = self.desk.store.access_requests(&self.desk.actor, false) {
                    self.desk.store_error(&e);
                }
            }
            Action::AccessRequests => {
                let from = self.focused;
                self.desk.post(Msg::AccessRequests { from });
                self.desk.post(Msg::Focus(access::ID));
            }
            Action::Paste(text) => self.deliver_to_focused(Msg::Paste(text)),
            Action::Tab(n) => {
                if let Some((id, _)) = self.nth_tab(n) {
                    self.go_to_tab(id);
                }
            }
            Action::FocusSearch if self.focused != lookup::ID => {
                self.desk.post(Msg::Focus(lookup::ID));
                self.desk.post(Msg::NewSearch);
            }
            Action::NextPane | Action::PrevPane => self.next_tab(action == Action::NextPane),
            Action::NewCustomer if self.focused != lookup::ID => {
                self.desk.post(Msg::NewCustomer(String::new()))
            }
            action => self.deliver_to_focused(Msg::Action(action)),
        }
        if let Some(back) = self.overlay.take_closed() {
            let back = match back {
                card::ID if self.desk.customer.is_none() => lookup::ID,
                id => id,
            };
            self.focus_pane(back);
        }
        self.settle();
        self.follow_message();
    }

    /// The message line follows the operator (see [`Place`]): a message just said is noted
    /// as said here; one said elsewhere is cleared — a pane left, a form or a dialog opened
    /// or closed — but for the open form's own (its fields to fix), kept while that form is
    /// open, and a message of the whole screen.
    fn follow_message(&mut self) {
        let here = self.place();
        let Some(message) = &mut self.desk.message else {
            return;
        };
        match message.place {
            None => message.place = Some(here),
            Some(there) if there == here || message.sticky => {}
            Some(there) if there.form.is_some() && there.form == here.form => {}
            Some(_) => {
                self.desk.message = None;
                self.changed = true;
            }
        }
    }

    fn deliver_to_focused(&mut self, msg: Msg) {
        let focused = self.focused;
        if let Some(pane) = self.panes.iter_mut().find(|p| p.id() == focused) {
            pane.update(&msg, &mut self.desk);
        }
    }

    fn next_tab(&mut self, forward: bool) {
        let tabs = self.tabs();
        let Some(at) = tabs.iter().position(|(id, _)| *id == self.tab) else {
            return;
        };
        let n = tabs.len();
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        self.go_to_tab(tabs[next].0);
    }

    /// Shows a tab (read afresh) with the keyboard where it was left there: the open card
    /// rather than the results it was opened from.
    fn go_to_tab(&mut self, tab: PaneId) {
        self.desk.post(Msg::Focus(tab));
        match self.left_in.get(&tab).copied() {
            Some(card::ID) if self.desk.customer.is_some() => self.desk.post(Msg::Focus(card::ID)),
            _ => {}
        }
    }

    fn end_call(&mut self) {
        if let Some(call) = self.desk.call.take() {
            let seconds = (self.desk.now - call.started).num_seconds().max(0);
            let text = self.desk.i18n.f(
                "call.ended",
                &[("number", &call.number), ("duration", &clock(seconds))],
            );
            self.desk.info(text);
        }
    }

    // ----- messages and reloads -----

    fn focus_pane(&mut self, id: PaneId) {
        let Some(pane) = self.pane_by_id(id) else {
            return;
        };
        // A pane without a tab of its own is shown in the first tab.
        let tab = match pane.tab() {
            Some(_) => id,
            None => self.tabs().first().map(|(id, _)| *id).unwrap_or(id),
        };
        if tab != self.tab {
            self.left_in.insert(self.tab, self.focused);
        }
        self.tab = tab;
        self.focused = id;
    }

    /// Carries the posted messages to the router and the panes, then lets the visible panes
    /// whose data changed read it again.
    fn settle(&mut self) {
        while let Some(msg) = self.desk.next_message() {
            self.route(&msg);
            if !matches!(msg, Msg::Action(_) | Msg::Paste(_)) {
                for pane in &mut self.panes {
                    pane.update(&msg, &mut self.desk);
                }
            }
        }
        let visible = self.visible();
        let due: Vec<PaneId> = self
            .stale
            .iter()
            .copied()
            .filter(|id| visible.contains(id))
            .collect();
        for id in due {
            self.stale.remove(&id);
            if let Some(pane) = self.panes.iter_mut().find(|p| p.id() == id) {
                pane.reload(&mut self.desk);
            }
            // A pane's reload may post (an unreadable card closes the customer).
            if self.desk.has_messages() {
                return self.settle();
            }
        }
    }

    /// Whether a pane covers the body while it has the keyboard (`Pane::covers_body`).
    fn covers(&self, id: PaneId) -> bool {
        self.pane_by_id(id).is_some_and(|p| p.covers_body())
    }

    /// The pane covering the body, if one is open (with the keyboard, or under a form
    /// opened from it).
    pub fn covering(&self) -> Option<PaneId> {
        let under = self.overlay.editor.as_ref().map(|e| e.return_to);
        [Some(self.focused), under]
            .into_iter()
            .flatten()
            .find(|id| self.covers(*id))
    }

    /// The panes on screen: the tab shown and the open customer's card.
    fn visible(&self) -> Vec<PaneId> {
        let mut visible = vec![self.tab];
        visible.extend(self.covering());
        if self.desk.customer.is_some() {
            visible.push(card::ID);
        }
        visible
    }

    fn route(&mut self, msg: &Msg) {
        match msg {
            Msg::OpenCustomer { id, focus } => {
                self.desk.customer = Some(*id);
                self.stale.extend([card::ID, log::ID]);
                if *focus {
                    self.focus_pane(card::ID);
                }
            }
            Msg::CloseCustomer => {
                self.desk.customer = None;
                self.stale.extend([card::ID, log::ID]);
                if self.focused == card::ID {
                    self.focus_pane(lookup::ID);
                }
            }
            Msg::Focus(id) => {
                // A tab asked for is read afresh; the keyboard coming back to it (a form
                // closed) is not a reason to read it again.
                let shown_afresh = self.pane_by_id(*id).is_some_and(|p| p.tab().is_some())
                    || (self.covers(*id) && self.focused != *id);
                if shown_afresh {
                    self.stale.insert(*id);
                }
                self.focus_pane(*id);
            }
            Msg::ReadFailed(e) => self.desk.store_error(e),
            Msg::Counts(counts) => {
                self.desk.counts = *counts;
                self.changed = true;
            }
            Msg::DataChanged => {
                self.changed = true;
                self.stale.extend(self.panes.iter().map(|p| p.id()));
                self.desk.refresh_counts();
            }
            Msg::Quit => self.quit = true,
            Msg::NewCustomer(prefill) => self.open_form(customer::new_customer(prefill)),
            Msg::EditCustomer(id) => {
                if let Some(form) = customer::edit_form(*id, &mut self.desk) {
                    self.open_form(form);
                }
            }
            Msg::LogContact {
                customer,
                reply_on,
                reminder,
            } => {
                if self.overlay.editor.is_some() {
                    return;
                }
                if self.desk.customer != Some(*customer) {
                    // The card opens beside the form; a list the contact was chosen from
                    // stays as it is until something is saved.
                    self.desk.customer = Some(*customer);
                    self.stale.insert(card::ID);
                }
                if let Some(form) =
                    interaction::for_customer(*customer, *reply_on, *reminder, &mut self.desk)
                {
                    if self.focused != log::ID {
                        self.focus_pane(card::ID);
                    }
                    self.open_form(form);
                }
            }
            Msg::Amend(id) => {
                if let Some(form) = interaction::amend_entry(*id, &mut self.desk) {
                    self.open_form(form);
                }
            }
            Msg::OpenForm(form) => self.open_form((**form).clone()),
            Msg::AccessEnded(customer) => self.overlay.access_ended(*customer, &mut self.desk),
            _ => {}
        }
    }

    // ----- the clock, pops and others' changes -----

    fn tick(&mut self) {
        if self.desk.tick() {
            self.changed = true;
        }
        self.overlay.tick(&mut self.desk);
    }

    fn open_form(&mut self, form: Form) {
        self.overlay.open_form(form, self.focused);
    }

    /// An incoming call announced by `careline pop`: the call timer starts and the lookup
    /// pane finds the caller; a form being typed is never taken away.
    fn pop(&mut self, number: &str) {
        let Some(number) = self.desk.start_call(number) else {
            return;
        };
        let form_open = self.overlay.editor.is_some();
        if form_open {
            self.flush_draft();
        } else {
            self.overlay.dialog = None;
        }
        self.desk.post(Msg::Pop { number, form_open });
    }
}
