//! The router: it keeps the desk state every pane shares, offers keys to the pane with the
//! keyboard (then to an open form or dialog, then to the global bindings), carries the panes'
//! messages, and tells the visible panes to read again when their data changed. What a pane
//! shows and does lives in its own file under `panes/`.

use std::collections::BTreeSet;

use crossterm::event::{KeyEvent, KeyEventKind};
use tui_input::Input;

use super::action::Action;
use super::component::{Msg, Pane, PaneId, Tab};
pub use super::desk::{clock, Call, Desk, Message, MessageKind, Settings};
pub use super::dialog::Dialog;
use super::dialog::Duplicates;
use super::dialog::{self, Picked};
use super::forms::{self, customer, interaction, Duplicated, Editor, FormKind, Saved};
use super::keymap::Context;
use super::panes::{self, card, log, lookup};
use super::widgets::form::{FieldKind, Form};
use crate::store::{Actor, CardData, DuplicateWarning, Permission, Store};

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
    pub editor: Option<Editor>,
    pub dialog: Option<Dialog>,
    /// The pane with the keyboard (under any form or dialog).
    focused: PaneId,
    /// The tab shown.
    tab: PaneId,
    /// Panes whose data changed since they last read it.
    stale: BTreeSet<PaneId>,
    pub quit: bool,
    /// Something visible changed during a tick.
    changed: bool,
}

impl App {
    pub fn new(store: Store, actor: Actor, settings: Settings) -> App {
        let panes = panes::registered();
        let first = panes
            .iter()
            .find(|p| p.tab().is_some())
            .map(|p| p.id())
            .unwrap_or(lookup::ID);
        let mut app = App {
            desk: Desk::new(store, actor, settings),
            stale: panes.iter().map(|p| p.id()).collect(),
            panes,
            editor: None,
            dialog: None,
            focused: first,
            tab: first,
            quit: false,
            changed: false,
        };
        app.desk.refresh_counts();
        if let Some(first) = app.desk.settings.warnings.first().cloned() {
            app.desk.warn(first);
        }
        app.offer_next_draft();
        app.settle();
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
        self.editor.as_ref().map(|e| &e.form)
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        self.editor.as_mut().map(|e| &mut e.form)
    }

    /// The tabs, in the order the panes were registered.
    pub fn tabs(&self) -> Vec<(PaneId, Tab)> {
        self.panes
            .iter()
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
        if self.editor.is_some() {
            return Focus::Form;
        }
        match self.pane_by_id(self.focused).map(|p| p.context()) {
            Some(Context::Search) => Focus::Search,
            Some(Context::Results) => Focus::Results,
            Some(Context::Card) => Focus::Card,
            Some(Context::Log) => Focus::Log,
            _ => Focus::Other,
        }
    }

    /// The keyboard context: an open dialog first, then a form, then the focused pane.
    pub fn context(&self) -> Context {
        match self.dialog {
            Some(Dialog::Phrases { .. }) => return Context::Picker,
            Some(_) => return Context::Dialog,
            None => {}
        }
        if self.editor.is_some() {
            return Context::Form;
        }
        self.pane_by_id(self.focused)
            .map(|p| p.context())
            .unwrap_or(Context::Global)
    }

    /// Whether a key's action does something in the present state (the footer hints only
    /// those).
    pub fn offers(&self, action: &Action) -> bool {
        if action.permission().is_some_and(|p| !self.desk.actor.may(p)) {
            return false;
        }
        match action {
            // Not over a dialog (help included): a dialog shows its own keys.
            Action::Help => self.dialog.is_none(),
            // A dialog's answers are offered where a dialog names them.
            Action::Confirm | Action::Alternate | Action::Merge => self
                .dialog
                .as_ref()
                .is_some_and(|d| d.label(action).is_some()),
            // A question offers the choices it names, every one of them (help lists the keys
            // of what is under it, the picker its own).
            _ if self.asking() => self
                .dialog
                .as_ref()
                .is_some_and(|d| d.label(action).is_some()),
            // Phrases go into a summary or a note.
            Action::Phrases => self
                .editor
                .as_ref()
                .is_some_and(|e| e.kind() != FormKind::LogFilter),
            _ if self.editor.is_some() => true,
            _ => self
                .pane_by_id(self.focused)
                .is_none_or(|p| p.offers(action)),
        }
    }

    /// Whether a question is open whose answers are its own keys.
    fn asking(&self) -> bool {
        self.dialog
            .as_ref()
            .is_some_and(|d| !matches!(d, Dialog::Help(_) | Dialog::Phrases { .. }))
    }

    /// The word for an action in a context, in the footer and the help. Under a dialog, the
    /// words of the dialog itself: Esc discards an unsaved form's draft but keeps a form
    /// being discarded.
    pub fn action_label(&self, context: Context, action: &Action) -> &str {
        let dialog = self
            .dialog
            .as_ref()
            .filter(|_| matches!(context, Context::Dialog | Context::Picker));
        let key = match dialog.and_then(|d| d.label(action)) {
            Some(key) => key,
            None => self
                .pane_by_id(self.focused)
                .filter(|p| p.context() == context)
                .and_then(|p| p.action_label(action))
                .unwrap_or_else(|| action.help_key()),
        };
        self.desk.i18n.t(key)
    }

    /// A message from the reads worker: routed like any other.
    pub fn loaded(&mut self, msg: Msg) {
        self.desk.post(msg);
        self.settle();
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
        if let Some(Dialog::Help(_)) = self.dialog {
            self.dialog = None; // any key closes help
            return;
        }
        let keymap = &self.desk.settings.keymap;
        let action = if self.dialog.is_some() || self.editor.is_some() {
            keymap.action(self.context(), &key)
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
        match action {
            Action::Tick => self.tick(),
            Action::Resize(w, h) => self.desk.size = (w, h),
            Action::DatabaseChanged => self.desk.post(Msg::DataChanged),
            Action::Pop(number) => self.pop(&number),
            Action::ForceQuit => {
                self.flush_draft();
                self.quit = true;
            }
            // A dialog shows its own keys; help over it would take its place, and an unsaved
            // form's draft would no longer be offered.
            Action::Help if self.dialog.is_some() => {}
            Action::Help => self.dialog = Some(Dialog::Help(self.context())),
            _ if self.dialog.is_some() => self.answer(action),
            Action::Quit if self.desk.call.is_some() => self.dialog = Some(Dialog::QuitDuringCall),
            Action::Quit => self.quit = true,
            Action::EndCall => self.end_call(),
            Action::Paste(text) => match &mut self.editor {
                Some(editor) => editor.paste(&text, &mut self.desk),
                None => self.deliver_to_focused(Msg::Paste(text)),
            },
            _ if self.editor.is_some() => self.form_action(action),
            Action::PaneLookup => self.desk.post(Msg::Focus(lookup::ID)),
            Action::PaneLog => self.desk.post(Msg::Focus(log::ID)),
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
        self.settle();
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
        self.desk.post(Msg::Focus(tabs[next].0));
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

    /// An action while a form is open.
    fn form_action(&mut self, action: Action) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        match action {
            Action::Key(key) => editor.typed(&key, &mut self.desk),
            Action::Save => self.save_form(),
            Action::NextField => editor.form.next(),
            Action::PrevField => editor.form.prev(),
            Action::Up => editor.move_line(true),
            Action::Down => editor.move_line(false),
            Action::Back if editor.kind() == FormKind::LogFilter => self.close_form(false),
            Action::Back if editor.form.dirty => self.dialog = Some(Dialog::DiscardForm),
            Action::Back => self.close_form(true),
            Action::Phrases => {
                let text_field = editor
                    .form
                    .focused()
                    .is_some_and(|f| matches!(f.kind, FieldKind::Text | FieldKind::Notes));
                if text_field && editor.kind() != FormKind::LogFilter {
                    self.dialog = Some(Dialog::Phrases {
                        input: Input::default(),
                        selected: 0,
                    });
                }
            }
            _ => {}
        }
    }

    fn save_form(&mut self) {
        self.save_form_as(Duplicated::Ask);
    }

    fn save_form_as(&mut self, duplicated: Duplicated) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        let saved = editor.save_as(duplicated, &mut self.desk);
        self.saved(saved);
    }

    /// What the router does with a save's outcome.
    fn saved(&mut self, saved: Saved) {
        let Some(editor) = &self.editor else {
            return;
        };
        match saved {
            Saved::Closed => {
                let keep_draft = editor.kind() == FormKind::LogFilter;
                self.close_form(!keep_draft);
            }
            Saved::Open => {}
            Saved::Conflict(text) => self.dialog = Some(Dialog::Conflict(text)),
            Saved::Duplicates(found) => {
                let can_merge = editor.kind() == FormKind::NewCustomer
                    && self.desk.actor.may(Permission::MergeCustomers)
                    && one_holder(&found);
                self.dialog = Some(Dialog::Duplicates(Duplicates { found, can_merge }));
            }
        }
    }

    /// The answer to "already on file": open theirs (this form is discarded), save as a
    /// separate customer, merge into theirs, or back to the form.
    fn answer_duplicates(&mut self, d: Duplicates, action: Action) {
        let Some(holder) = d.holder().map(|h| h.customer_id) else {
            return;
        };
        match action {
            Action::Confirm => {
                self.close_form(true);
                let text = self.desk.i18n.t("form.discarded_opened").to_string();
                self.desk.info(text);
                self.desk.post(Msg::OpenCustomer {
                    id: holder,
                    focus: true,
                });
            }
            Action::Alternate => self.save_form_as(Duplicated::SaveAnyway),
            Action::Merge if d.can_merge => self.save_form_as(Duplicated::MergeInto(holder)),
            Action::Back => {}
            _ => self.dialog = Some(Dialog::Duplicates(d)),
        }
    }

    fn open_form(&mut self, form: Form) {
        if self.editor.is_some() {
            return;
        }
        self.editor = Some(Editor::new(form, self.focused));
    }

    fn close_form(&mut self, discard_draft: bool) {
        let Some(editor) = self.editor.take() else {
            return;
        };
        if editor.kind() == FormKind::NewInteraction
            && self.desk.call.as_ref().is_some_and(|c| !c.from_pop)
        {
            self.desk.call = None; // the timer began with this form and ends with it
        }
        if discard_draft {
            editor.discard_draft(&mut self.desk);
        }
        let back = match editor.return_to {
            card::ID if self.desk.customer.is_none() => lookup::ID,
            id => id,
        };
        self.focus_pane(back);
    }

    pub fn flush_draft(&mut self) {
        if let Some(editor) = &mut self.editor {
            editor.flush_draft(&mut self.desk);
        }
    }

    /// The answer to the open dialog.
    fn answer(&mut self, action: Action) {
        let Some(dialog) = self.dialog.take() else {
            return;
        };
        match (dialog, action) {
            (Dialog::DiscardForm, Action::Confirm) => self.close_form(true),
            (Dialog::DiscardForm, _) => {}
            (Dialog::QuitDuringCall, Action::Confirm) => {
                self.flush_draft();
                self.quit = true;
            }
            (dialog @ Dialog::QuitDuringCall, Action::Key(_)) => self.dialog = Some(dialog),
            (Dialog::QuitDuringCall, _) => {}
            (Dialog::RestoreDraft(draft), Action::Confirm) => {
                if let Some((form, msgs)) = forms::restore(&draft, &mut self.desk) {
                    for msg in msgs {
                        self.desk.post(msg);
                    }
                    self.settle();
                    self.open_form(form);
                }
            }
            (Dialog::RestoreDraft(draft), Action::Back) => {
                if let Err(e) =
                    self.desk
                        .store
                        .discard_draft(&self.desk.actor, &draft.form, draft.entity_id)
                {
                    self.desk.store_error(&e);
                }
                self.desk.own_write();
                self.offer_next_draft();
            }
            (dialog @ Dialog::RestoreDraft(_), _) => self.dialog = Some(dialog),
            (Dialog::Conflict(_), action @ (Action::Confirm | Action::Alternate)) => {
                let Some(editor) = &mut self.editor else {
                    return;
                };
                let saved = editor.reload(action == Action::Alternate, &mut self.desk);
                self.saved(saved);
            }
            (Dialog::Duplicates(d), action) => self.answer_duplicates(d, action),
            (Dialog::Conflict(_), _) => {}
            (Dialog::Help(_), _) => {}
            (Dialog::Phrases { input, selected }, action) => {
                self.answer_phrases(input, selected, action)
            }
        }
    }

    fn offer_next_draft(&mut self) {
        match self.desk.store.drafts(&self.desk.actor) {
            Ok(drafts) => self.dialog = drafts.into_iter().next().map(Dialog::RestoreDraft),
            Err(e) => self.desk.store_error(&e),
        }
    }

    /// The phrases the picker lists for `filter`, in the screen's language first.
    pub fn phrases(&self, filter: &str) -> Vec<&crate::domain::interaction::Phrase> {
        let lang = match self.desk.i18n.lang {
            super::i18n::Lang::ZhCn => "zh-CN",
            super::i18n::Lang::En => "en",
        };
        self.desk.store.log_rules().phrases_for(lang, filter)
    }

    fn answer_phrases(&mut self, input: Input, selected: usize, action: Action) {
        let phrases = self.phrases(input.value());
        match dialog::pick(input.clone(), selected, &action, &phrases) {
            Picked::Open(d) => self.dialog = Some(d),
            Picked::Insert(text) => {
                if let Some(editor) = &mut self.editor {
                    if editor.form.insert(&text) {
                        editor.edited(&mut self.desk);
                    }
                }
            }
            Picked::Closed => {}
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

    /// The panes on screen: the tab shown and the open customer's card.
    fn visible(&self) -> Vec<PaneId> {
        let mut visible = vec![self.tab];
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
                if self.pane_by_id(*id).is_some_and(|p| p.tab().is_some()) {
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
            Msg::NewCustomer(prefill) => self.open_form(customer::new_customer(prefill)),
            Msg::EditCustomer(id) => {
                if let Some(form) = customer::edit_form(*id, &mut self.desk) {
                    self.open_form(form);
                }
            }
            Msg::LogContact { customer, reply_on } => {
                if self.editor.is_some() {
                    return;
                }
                if self.desk.customer != Some(*customer) {
                    // The card opens beside the form; a list the contact was chosen from
                    // stays as it is until something is saved.
                    self.desk.customer = Some(*customer);
                    self.stale.insert(card::ID);
                }
                if let Some(form) = interaction::for_customer(*customer, *reply_on, &mut self.desk)
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
            _ => {}
        }
    }

    // ----- the clock, pops and others' changes -----

    fn tick(&mut self) {
        if self.desk.tick() {
            self.changed = true;
        }
        if self.editor.as_ref().is_some_and(|e| e.draft_due()) {
            self.flush_draft();
        }
    }

    /// An incoming call announced by `careline pop`: the call timer starts and the lookup
    /// pane finds the caller; a form being typed is never taken away.
    fn pop(&mut self, number: &str) {
        let Some(number) = self.desk.start_call(number) else {
            return;
        };
        let form_open = self.editor.is_some();
        if form_open {
            self.flush_draft();
        } else {
            self.dialog = None;
        }
        self.desk.post(Msg::Pop { number, form_open });
    }
}

/// Whether every duplicate is held by the same customer (the only case a merge can settle).
fn one_holder(found: &[DuplicateWarning]) -> bool {
    found
        .first()
        .is_some_and(|first| found.iter().all(|d| d.customer_id == first.customer_id))
}
