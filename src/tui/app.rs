//! The operator's screen state and `update`, the only place it changes. Everything a frame
//! shows is loaded here; drawing (`ui.rs`) only reads it.

mod interaction;
mod log_view;

pub use log_view::LogView;

use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use crossterm::event::{Event as TermEvent, KeyEvent};
use tui_input::backend::crossterm::to_input_request;
use tui_input::Input;

use super::action::Action;
use super::field_errors;
use super::i18n::{I18n, Lang};
use super::keymap::{Context, Keymap};
use super::panes::customer_form::{self, EDIT_FORM, NEW_FORM};
use super::panes::interaction_form;
use super::theme::Theme;
use super::widgets::form::{Form, FormChange};
use crate::domain::contact::normalize_phone;
use crate::domain::customer::FieldError;
use crate::store::{
    Actor, CardData, DeskCounts, Draft, MatchRank, ScreenPop, SearchResult, Store, StoreError,
};

/// Where the keyboard goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Search,
    Results,
    Card,
    Form,
    /// The Log pane's list (or the entry shown in full).
    Log,
}

/// The top-level panes (tabs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Lookup,
    Log,
}

/// A question or notice over the screen.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// The bindings of the context that had focus.
    Help(Context),
    /// Esc in a form with typed text.
    DiscardForm,
    /// A draft from an earlier session.
    RestoreDraft(Draft),
    /// Someone else saved the record first.
    Conflict(String),
    /// Standard phrases, filtered by what is typed; Enter inserts the marked one.
    Phrases { input: Input, selected: usize },
}

impl PartialEq for Dialog {
    fn eq(&self, other: &Dialog) -> bool {
        match (self, other) {
            (Dialog::Help(a), Dialog::Help(b)) => a == b,
            (Dialog::DiscardForm, Dialog::DiscardForm) => true,
            (Dialog::RestoreDraft(a), Dialog::RestoreDraft(b)) => a == b,
            (Dialog::Conflict(a), Dialog::Conflict(b)) => a == b,
            (
                Dialog::Phrases { input, selected },
                Dialog::Phrases {
                    input: other_input,
                    selected: other_selected,
                },
            ) => input.value() == other_input.value() && selected == other_selected,
            _ => false,
        }
    }
}

/// A line for the operator in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub kind: MessageKind,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Warn,
    Error,
}

/// The call in progress (from a screen pop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The caller's number, or the customer's code when the timer began with a form.
    pub number: String,
    pub started: DateTime<Utc>,
    /// Announced by `careline pop` (it runs on when a form is given up).
    pub from_pop: bool,
}

/// The lookup pane.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    pub input: Input,
    /// The query the results are for.
    pub query: String,
    pub results: Vec<SearchResult>,
    pub selected: usize,
    /// Recent screen pops, shown while the box is empty.
    pub pops: Vec<ScreenPop>,
}

impl Lookup {
    /// How many rows the list has in its current mode.
    pub fn rows(&self) -> usize {
        if self.query.is_empty() {
            self.pops.len()
        } else {
            self.results.len()
        }
    }
}

/// How the screen was set up.
pub struct Settings {
    pub lang: Lang,
    pub theme: Theme,
    pub keymap: Keymap,
    pub lookup_limit: usize,
    /// Shown in the status bar: "local" or "shared", and the database path.
    pub shared: bool,
    pub db_label: String,
    /// The local time zone the clock and dates are shown in.
    pub tz: FixedOffset,
    /// Problems found while starting (config, theme, keys), shown once.
    pub warnings: Vec<String>,
}

pub struct App {
    pub store: Store,
    pub actor: Actor,
    pub i18n: I18n,
    pub settings: Settings,
    pub focus: Focus,
    pub pane: Pane,
    pub lookup: Lookup,
    pub log: LogView,
    pub card: Option<CardData>,
    pub card_scroll: u16,
    pub form: Option<Form>,
    /// Where focus returns when the form closes.
    pub form_return: Focus,
    pub dialog: Option<Dialog>,
    pub call: Option<Call>,
    pub counts: DeskCounts,
    pub message: Option<Message>,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub quit: bool,
    data_version: i64,
    draft_due: Option<Instant>,
    last_poll: Instant,
    last_escalation: Option<Instant>,
    last_statistics: Option<Instant>,
    /// Something visible changed during a tick.
    changed: bool,
}

/// Debounce of draft saving while typing.
const DRAFT_DELAY: Duration = Duration::from_millis(400);
/// How often the database is asked whether others changed it.
const POLL_EVERY: Duration = Duration::from_millis(500);
/// How long a footer message stays.
const MESSAGE_SECONDS: i64 = 8;
/// How often open "only me" follow-ups are checked for moving to anyone.
const ESCALATE_EVERY: Duration = Duration::from_secs(60);
/// How often the screen refreshes the planner statistics (the first time at its first tick,
/// after the first frame).
const STATISTICS_EVERY: Duration = Duration::from_secs(3600);
/// Recent pops listed in the lookup pane.
const RECENT_POPS: usize = 12;

impl App {
    pub fn new(store: Store, actor: Actor, mut settings: Settings) -> App {
        settings.lookup_limit = settings.lookup_limit.max(1);
        let now = store.now();
        let mut app = App {
            store,
            actor,
            i18n: I18n::new(settings.lang),
            settings,
            focus: Focus::Search,
            pane: Pane::Lookup,
            lookup: Lookup::default(),
            log: LogView::default(),
            card: None,
            card_scroll: 0,
            form: None,
            form_return: Focus::Search,
            dialog: None,
            call: None,
            counts: DeskCounts::default(),
            message: None,
            now,
            size: (80, 24),
            quit: false,
            data_version: 0,
            draft_due: None,
            last_poll: Instant::now(),
            last_escalation: None,
            last_statistics: None,
            changed: false,
        };
        app.data_version = app.store.data_version().unwrap_or(0);
        app.refresh_side_data();
        if let Some(first) = app.settings.warnings.first().cloned() {
            app.warn(first);
        }
        match app.store.drafts(&app.actor) {
            Ok(drafts) => {
                if let Some(draft) = drafts.into_iter().next() {
                    app.dialog = Some(Dialog::RestoreDraft(draft));
                }
            }
            Err(e) => {
                let text = field_errors::store(&e, &app.i18n);
                app.error(text);
            }
        }
        app
    }

    /// The keyboard context: an open dialog first, then the focus.
    pub fn context(&self) -> Context {
        match self.dialog {
            Some(Dialog::Phrases { .. }) => return Context::Picker,
            Some(_) => return Context::Dialog,
            None => {}
        }
        match self.focus {
            Focus::Search => Context::Search,
            Focus::Results => Context::Results,
            Focus::Card => Context::Card,
            Focus::Form => Context::Form,
            Focus::Log => Context::Log,
        }
    }

    /// Whether a key's action does something in the present state (the footer hints only
    /// those): the desk log's filters not in a customer's history, phrases only where there
    /// is a summary or note to put them in.
    pub fn offers(&self, action: &Action) -> bool {
        match action {
            // Not over a dialog (help included): a dialog shows its own keys.
            Action::Help => self.dialog.is_none(),
            // The whole entry is already shown.
            Action::Open => !(self.focus == Focus::Log && self.log.detail.is_some()),
            Action::Filter | Action::ToggleMine | Action::ToggleDueReplies => {
                self.focus != Focus::Log || self.log.customer.is_none()
            }
            Action::Phrases => self
                .form
                .as_ref()
                .is_some_and(|f| f.id != log_view::FILTER_FORM),
            _ => true,
        }
    }

    /// The word for an action in a context, in the footer and the help: `e` in the Log amends
    /// (saved contacts are never edited in place).
    /// Under a dialog, the words of the dialog itself: Esc discards an unsaved form's draft
    /// but keeps a form being discarded.
    pub fn action_label(&self, context: Context, action: &Action) -> &str {
        let key = match (context, &self.dialog, action) {
            (Context::Log, _, Action::Edit) => "action.amend",
            (Context::Dialog, Some(Dialog::RestoreDraft(_)), Action::Confirm) => "action.restore",
            (Context::Dialog, Some(Dialog::RestoreDraft(_)), Action::Back) => "action.discard",
            (Context::Dialog, Some(Dialog::DiscardForm), Action::Confirm) => "action.discard",
            (Context::Dialog, Some(Dialog::DiscardForm), Action::Back) => "action.keep_editing",
            (Context::Dialog, Some(Dialog::Conflict(_)), Action::Confirm) => "action.reload_theirs",
            (Context::Dialog, Some(Dialog::Conflict(_)), Action::Alternate) => {
                "action.reapply_mine"
            }
            (Context::Dialog, Some(Dialog::Help(_)), Action::Confirm | Action::Back) => {
                "action.close"
            }
            (Context::Picker, _, Action::Confirm) => "action.insert",
            (Context::Picker, _, Action::Back) => "action.close",
            _ => action.help_key(),
        };
        self.i18n.t(key)
    }

    fn say(&mut self, kind: MessageKind, text: String) {
        self.message = Some(Message {
            text,
            kind,
            at: self.now,
        });
    }

    pub fn info(&mut self, text: String) {
        self.say(MessageKind::Info, text);
    }

    pub fn warn(&mut self, text: String) {
        self.say(MessageKind::Warn, text);
    }

    pub fn error(&mut self, text: String) {
        tracing::warn!("{text}");
        self.say(MessageKind::Error, text);
    }

    /// A key press: offered to the focused context's bindings, then to the field with focus.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        let context = self.context();
        if let Some(Dialog::Help(_)) = self.dialog {
            self.dialog = None; // any key closes help
            return;
        }
        match self.settings.keymap.action(context, &key) {
            Some(action) => self.update(action),
            None => self.update(Action::Key(key)),
        }
    }

    /// The one place state changes.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Tick => self.tick(),
            Action::Resize(w, h) => self.size = (w, h),
            Action::DatabaseChanged => self.refresh_after_change(),
            Action::Pop(number) => self.pop(&number),
            Action::Key(key) => self.typed(key),
            Action::Paste(text) => self.paste(&text),
            Action::ForceQuit => {
                self.flush_draft();
                self.quit = true;
            }
            // A dialog shows its own keys; help over it would take its place, and an unsaved
            // form's draft would no longer be offered.
            Action::Help if self.dialog.is_some() => {}
            Action::Help => self.dialog = Some(Dialog::Help(self.context())),
            _ if self.dialog.is_some() => self.answer(action),
            Action::Quit => self.quit = true,
            Action::Back => self.back(),
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-(self.page() as i64)),
            Action::PageDown => self.move_selection(self.page() as i64),
            Action::Top => self.move_selection(i64::MIN / 2),
            Action::Bottom => self.move_selection(i64::MAX / 2),
            Action::Open if self.focus == Focus::Log => self.open_log_entry(),
            Action::Open => self.open_selected(),
            Action::FocusSearch | Action::PaneLookup => {
                if self.focus != Focus::Form {
                    self.pane = Pane::Lookup;
                    self.focus = Focus::Search;
                }
            }
            Action::PaneLog => self.show_log(),
            Action::NextPane | Action::PrevPane => match self.pane {
                Pane::Lookup => self.show_log(),
                Pane::Log => self.update(Action::PaneLookup),
            },
            Action::NewInteraction => self.new_interaction(),
            Action::Phrases => self.open_phrases(),
            Action::Filter => self.open_log_filter(),
            Action::ToggleMine => self.toggle_log(true),
            Action::ToggleDueReplies => self.toggle_log(false),
            Action::NewCustomer => {
                if self.form.is_none() {
                    // What was typed becomes the new record's phone or name when it matched
                    // nobody; otherwise the form starts empty.
                    let prefill = if self.lookup.results.is_empty() {
                        self.lookup.input.value().to_string()
                    } else {
                        String::new()
                    };
                    self.open_form(customer_form::new_customer(&prefill));
                }
            }
            Action::Edit if self.focus == Focus::Log => self.amend_selected(),
            Action::Edit => self.edit_current(),
            Action::Save => self.save_form(),
            Action::NextField => {
                if let Some(form) = &mut self.form {
                    form.next();
                }
            }
            Action::PrevField => {
                if let Some(form) = &mut self.form {
                    form.prev();
                }
            }
            Action::EndCall => {
                if let Some(call) = self.call.take() {
                    let seconds = (self.now - call.started).num_seconds().max(0);
                    let text = self.i18n.f(
                        "call.ended",
                        &[("number", &call.number), ("duration", &clock(seconds))],
                    );
                    self.info(text);
                }
            }
            Action::Confirm | Action::Alternate => {}
        }
    }

    fn page(&self) -> usize {
        (self.size.1 as usize).saturating_sub(10).max(1)
    }

    /// Whether a tick changed what the screen shows (and forget it).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    fn tick(&mut self) {
        let before = self.now;
        self.now = self.store.now();
        let minute = |t: DateTime<Utc>| t.timestamp().div_euclid(60);
        if minute(before) != minute(self.now)
            || (self.call.is_some() && before.timestamp() != self.now.timestamp())
        {
            self.changed = true;
        }
        if let Some(message) = &self.message {
            if (self.now - message.at).num_seconds() >= MESSAGE_SECONDS {
                self.message = None;
                self.changed = true;
            }
        }
        if self.draft_due.is_some_and(|due| Instant::now() >= due) {
            self.flush_draft();
        }
        if self
            .last_escalation
            .is_none_or(|at| at.elapsed() >= ESCALATE_EVERY)
        {
            self.last_escalation = Some(Instant::now());
            self.escalate_follow_ups();
        }
        if self
            .last_statistics
            .is_none_or(|at| at.elapsed() >= STATISTICS_EVERY)
        {
            self.last_statistics = Some(Instant::now());
            // Best effort: another screen may hold the write lock; the next hour will do.
            if let Err(e) = self.store.refresh_planner_statistics() {
                tracing::warn!("could not refresh the planner statistics: {e}");
            }
        }
        if self.last_poll.elapsed() >= POLL_EVERY {
            self.last_poll = Instant::now();
            match self.store.data_version() {
                Ok(v) if v != self.data_version => {
                    self.data_version = v;
                    self.refresh_after_change();
                }
                Ok(_) => {}
                Err(e) => self.error(field_errors::store(&e, &self.i18n)),
            }
        }
    }

    /// Saves the open form's draft now, if it changed since the last save.
    pub fn flush_draft(&mut self) {
        self.draft_due = None;
        let Some(form) = &self.form else { return };
        if !form.dirty || form.id == log_view::FILTER_FORM {
            return;
        }
        let (id, entity, content) = (form.id, form.entity_id, form.to_draft());
        if let Err(e) = self.store.save_draft(&self.actor, id, entity, &content) {
            let reason = field_errors::store(&e, &self.i18n);
            self.error(self.i18n.f("draft.not_saved", &[("reason", &reason)]));
        }
        // Our own write changes data_version; do not treat it as someone else's change.
        self.data_version = self.store.data_version().unwrap_or(self.data_version);
    }

    /// Others (or we) changed the database: reload what is on screen.
    fn refresh_after_change(&mut self) {
        self.changed = true;
        if !self.lookup.query.is_empty() {
            let query = self.lookup.query.clone();
            self.run_search(&query);
        }
        if let Some(card) = &self.card {
            let id = card.customer.id;
            match self.store.reload_card(&self.actor, id) {
                Ok(card) => self.card = Some(card),
                Err(e) => self.error(field_errors::store(&e, &self.i18n)),
            }
        }
        if self.pane == Pane::Log {
            self.reload_log(true);
        }
        self.refresh_side_data();
    }

    fn refresh_side_data(&mut self) {
        match self.store.recent_pops(&self.actor, RECENT_POPS) {
            Ok(pops) => self.lookup.pops = pops,
            Err(e) => self.error(field_errors::store(&e, &self.i18n)),
        }
        match self.store.desk_counts() {
            Ok(counts) => self.counts = counts,
            Err(e) => self.error(field_errors::store(&e, &self.i18n)),
        }
        if self.lookup.query.is_empty() {
            self.lookup.selected = self
                .lookup
                .selected
                .min(self.lookup.pops.len().saturating_sub(1));
        }
    }

    fn run_search(&mut self, query: &str) {
        self.lookup.query = query.trim().to_string();
        if self.lookup.query.is_empty() {
            self.lookup.results.clear();
            self.lookup.selected = 0;
            return;
        }
        match self
            .store
            .search(&self.actor, &self.lookup.query, self.settings.lookup_limit)
        {
            Ok(results) => {
                self.lookup.selected = self.lookup.selected.min(results.len().saturating_sub(1));
                self.lookup.results = results;
            }
            Err(e) => {
                self.lookup.results.clear();
                self.error(field_errors::store(&e, &self.i18n));
            }
        }
    }

    /// A key no binding took: text for the focused field.
    fn typed(&mut self, key: KeyEvent) {
        if let Some(Dialog::Phrases { input, selected }) = &mut self.dialog {
            if let Some(request) = to_input_request(&TermEvent::Key(key)) {
                if input.handle(request).is_some_and(|s| s.value) {
                    *selected = 0;
                }
            }
            return;
        }
        match self.focus {
            Focus::Search => {
                if let Some(request) = to_input_request(&TermEvent::Key(key)) {
                    let before = self.lookup.input.value().to_string();
                    self.lookup.input.handle(request);
                    if self.lookup.input.value() != before {
                        self.lookup.selected = 0;
                        let query = self.lookup.input.value().to_string();
                        self.run_search(&query);
                    }
                }
            }
            Focus::Form => {
                let Some(form) = &mut self.form else { return };
                if form.handle_key(&key) == FormChange::Edited {
                    self.form_edited();
                }
            }
            Focus::Results | Focus::Card | Focus::Log => {}
        }
    }

    fn paste(&mut self, text: &str) {
        if let Some(Dialog::Phrases { input, selected }) = &mut self.dialog {
            for c in text.chars().filter(|c| !c.is_control()) {
                input.handle(tui_input::InputRequest::InsertChar(c));
            }
            *selected = 0;
            return;
        }
        match self.focus {
            Focus::Search => {
                let line: String = text.chars().filter(|c| !c.is_control()).collect();
                for c in line.chars() {
                    self.lookup
                        .input
                        .handle(tui_input::InputRequest::InsertChar(c));
                }
                let query = self.lookup.input.value().to_string();
                self.run_search(&query);
            }
            Focus::Form => {
                if let Some(form) = &mut self.form {
                    form.paste(text);
                    self.form_edited();
                }
            }
            _ => {}
        }
    }

    /// After typing in a form: plan a draft save and refresh the duplicate warning.
    fn form_edited(&mut self) {
        if self
            .form
            .as_ref()
            .is_some_and(|f| f.id != log_view::FILTER_FORM)
        {
            self.draft_due = Some(Instant::now() + DRAFT_DELAY);
        }
        let Some(form) = &mut self.form else { return };
        if form.id == interaction_form::NEW_FORM || form.id == interaction_form::AMEND_FORM {
            interaction_form::refresh(form, self.store.log_rules());
            return;
        }
        let key = form.focused().map(|f| f.key).unwrap_or("");
        if !matches!(key, "phone" | "phone2" | "email") {
            return;
        }
        let contacts = customer_form::typed_contacts(form);
        let except = (form.entity_id != 0).then_some(form.entity_id);
        form.notices = match self.store.find_duplicates(&contacts, except) {
            Ok(found) => found
                .iter()
                .map(|d| {
                    self.i18n.f(
                        "form.duplicate",
                        &[("value", &d.value), ("code", &d.code), ("name", &d.name)],
                    )
                })
                .collect(),
            Err(_) => Vec::new(),
        };
    }

    fn move_selection(&mut self, by: i64) {
        match self.focus {
            Focus::Search | Focus::Results => {
                let rows = self.lookup.rows();
                if rows == 0 {
                    return;
                }
                match (self.focus, by) {
                    // ↓ from the box enters the list at the row already marked.
                    (Focus::Search, 1) => {
                        self.focus = Focus::Results;
                        return;
                    }
                    // ↑ from the first row goes back to the box.
                    (Focus::Results, -1) if self.lookup.selected == 0 => {
                        self.focus = Focus::Search;
                        return;
                    }
                    (Focus::Search, by) if by > 0 => self.focus = Focus::Results,
                    _ => {}
                }
                let next = (self.lookup.selected as i64)
                    .saturating_add(by)
                    .clamp(0, rows as i64 - 1);
                self.lookup.selected = next as usize;
            }
            Focus::Card => {
                let next = (self.card_scroll as i64).saturating_add(by).clamp(0, 500);
                self.card_scroll = next as u16;
            }
            Focus::Log => self.move_log(by),
            // ↑ and ↓ move between the lines of a summary, then between fields.
            Focus::Form => {
                if let Some(form) = &mut self.form {
                    if !form.move_line(by < 0) {
                        if by < 0 {
                            form.prev();
                        } else {
                            form.next();
                        }
                    }
                }
            }
        }
    }

    fn back(&mut self) {
        match self.focus {
            Focus::Form => {
                if self
                    .form
                    .as_ref()
                    .is_some_and(|f| f.id == log_view::FILTER_FORM)
                {
                    self.close_form(false);
                } else if self.form.as_ref().is_some_and(|f| f.dirty) {
                    self.dialog = Some(Dialog::DiscardForm);
                } else {
                    self.close_form(true);
                }
            }
            Focus::Card => {
                self.card = None;
                self.focus = if self.lookup.rows() > 0 {
                    Focus::Results
                } else {
                    Focus::Search
                };
            }
            Focus::Log => self.log_back(),
            Focus::Results => self.focus = Focus::Search,
            Focus::Search => {
                if self.lookup.input.value().is_empty() {
                    self.card = None;
                } else {
                    self.lookup.input.reset();
                    self.run_search("");
                }
            }
        }
    }

    fn open_selected(&mut self) {
        if self.lookup.query.is_empty() {
            let Some(pop) = self.lookup.pops.get(self.lookup.selected).cloned() else {
                return;
            };
            match pop.customer_id {
                Some(id) => self.open_card(id),
                None => self.open_form(customer_form::new_customer(&pop.number)),
            }
            return;
        }
        match self.lookup.results.get(self.lookup.selected) {
            Some(result) => {
                let id = result.customer.id;
                self.open_card(id);
            }
            None => {
                let prefill = self.lookup.query.clone();
                self.open_form(customer_form::new_customer(&prefill));
            }
        }
    }

    pub fn open_card(&mut self, id: i64) {
        match self.store.card(&self.actor, id) {
            Ok(card) => {
                self.card = Some(card);
                self.card_scroll = 0;
                self.focus = Focus::Card;
                self.data_version = self.store.data_version().unwrap_or(self.data_version);
            }
            Err(e) => self.error(field_errors::store(&e, &self.i18n)),
        }
    }

    fn open_form(&mut self, form: Form) {
        if self.form.is_some() {
            return;
        }
        self.form_return = if self.focus == Focus::Form {
            Focus::Search
        } else {
            self.focus
        };
        self.form = Some(form);
        self.focus = Focus::Form;
    }

    fn close_form(&mut self, discard_draft: bool) {
        if let Some(form) = self.form.take() {
            if form.id == interaction_form::NEW_FORM
                && self.call.as_ref().is_some_and(|c| !c.from_pop)
            {
                self.call = None; // the timer began with this form and ends with it
            }
            if discard_draft {
                if let Err(e) = self
                    .store
                    .discard_draft(&self.actor, form.id, form.entity_id)
                {
                    self.error(field_errors::store(&e, &self.i18n));
                }
            }
        }
        self.draft_due = None;
        self.focus = match self.form_return {
            Focus::Card if self.card.is_some() => Focus::Card,
            Focus::Log if self.pane == Pane::Log => Focus::Log,
            Focus::Form | Focus::Card | Focus::Log => Focus::Search,
            other => other,
        };
    }

    fn edit_current(&mut self) {
        let id = match self.focus {
            Focus::Card => self.card.as_ref().map(|c| c.customer.id),
            Focus::Results if !self.lookup.query.is_empty() => self
                .lookup
                .results
                .get(self.lookup.selected)
                .map(|r| r.customer.id),
            _ => None,
        };
        let Some(id) = id else { return };
        match self.store.customer(&self.actor, id) {
            Ok(customer) if customer.restricted => {
                self.error(self.i18n.t("card.restricted_edit").to_string());
            }
            Ok(customer) if customer.merged_into.is_some() => {
                let survivor = customer.merged_into.clone().unwrap_or_default();
                self.error(self.i18n.f("card.merged", &[("code", &survivor)]));
            }
            Ok(customer) => self.open_form(customer_form::edit_customer(&customer)),
            Err(e) => self.error(field_errors::store(&e, &self.i18n)),
        }
    }

    fn save_form(&mut self) {
        match self.form.as_ref().map(|f| f.id) {
            Some(interaction_form::NEW_FORM | interaction_form::AMEND_FORM) => {
                return self.save_interaction()
            }
            Some(log_view::FILTER_FORM) => return self.apply_log_filter(),
            _ => {}
        }
        let today = self.now.with_timezone(&self.settings.tz).date_naive();
        let Some(form) = &mut self.form else { return };
        for field in &mut form.fields {
            field.error = None;
        }
        if !form.check_basics(&self.i18n, today) {
            form.focus = form.first_error().unwrap_or(form.focus);
            self.error(self.i18n.t("form.fix_fields").to_string());
            return;
        }
        let base = if form.entity_id != 0 {
            match self.store.customer(&self.actor, form.entity_id) {
                Ok(c) => Some(c.fields),
                Err(e) => {
                    self.error(field_errors::store(&e, &self.i18n));
                    return;
                }
            }
        } else {
            None
        };
        let Some(form) = &mut self.form else { return };
        let fields = match customer_form::to_fields(form, base.as_ref(), today) {
            Ok(fields) => fields,
            Err(key) => {
                form.set_error(key, self.i18n.t("form.bad_date").to_string());
                return;
            }
        };
        if let Err(errors) = self.store.check_customer(&fields) {
            mark_errors(form, &errors, &self.i18n);
            form.focus = form.first_error().unwrap_or(form.focus);
            self.error(self.i18n.t("form.fix_fields").to_string());
            return;
        }
        let (id, version, form_id) = (form.entity_id, form.version, form.id);
        let saved = if form_id == EDIT_FORM {
            self.store.edit_customer(&self.actor, id, version, &fields)
        } else {
            self.store.create_customer(&self.actor, &fields)
        };
        match saved {
            Ok(saved) => {
                self.close_form(true);
                let mut text = self.i18n.f(
                    "form.saved",
                    &[("code", &saved.code), ("name", &fields.name)],
                );
                if let Some(d) = saved.warnings.first() {
                    text.push_str(" · ");
                    text.push_str(&self.i18n.f(
                        "form.duplicate",
                        &[("value", &d.value), ("code", &d.code), ("name", &d.name)],
                    ));
                }
                self.open_card(saved.id);
                // The new number may answer a recent call.
                self.refresh_side_data();
                if form_id == NEW_FORM && self.call.as_ref().is_some_and(|c| c.from_pop) {
                    // The caller was new: now log the call itself.
                    self.new_interaction();
                }
                if saved.warnings.is_empty() {
                    self.info(text);
                } else {
                    self.warn(text);
                }
                if !self.lookup.query.is_empty() {
                    let query = self.lookup.query.clone();
                    self.run_search(&query);
                }
            }
            Err(StoreError::Conflict(message)) => {
                tracing::info!("save conflict: {message}");
                let code = self
                    .store
                    .customer(&self.actor, id)
                    .map(|c| c.code)
                    .unwrap_or_default();
                self.dialog = Some(Dialog::Conflict(
                    self.i18n.f("dialog.conflict", &[("code", &code)]),
                ));
            }
            Err(StoreError::Invalid(errors)) => {
                if let Some(form) = &mut self.form {
                    mark_errors(form, &errors, &self.i18n);
                }
                self.error(self.i18n.t("form.fix_fields").to_string());
            }
            Err(e) => self.error(field_errors::store(&e, &self.i18n)),
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
            (Dialog::RestoreDraft(draft), Action::Confirm) => self.restore(draft),
            (Dialog::RestoreDraft(draft), Action::Back) => {
                if let Err(e) = self
                    .store
                    .discard_draft(&self.actor, &draft.form, draft.entity_id)
                {
                    self.error(field_errors::store(&e, &self.i18n));
                }
                self.offer_next_draft();
            }
            (dialog @ Dialog::RestoreDraft(_), _) => self.dialog = Some(dialog),
            (Dialog::Conflict(_), Action::Confirm) => self.reload_form(false),
            (Dialog::Conflict(_), Action::Alternate) => self.reload_form(true),
            (Dialog::Conflict(_), _) => {}
            (Dialog::Help(_), _) => {}
            (Dialog::Phrases { input, selected }, action) => {
                self.answer_phrases(input, selected, action)
            }
        }
    }

    fn offer_next_draft(&mut self) {
        if let Ok(drafts) = self.store.drafts(&self.actor) {
            self.dialog = drafts.into_iter().next().map(Dialog::RestoreDraft);
        }
    }

    fn restore(&mut self, draft: Draft) {
        let mut form = if draft.form == EDIT_FORM && draft.entity_id != 0 {
            match self.store.customer(&self.actor, draft.entity_id) {
                Ok(customer) => customer_form::edit_customer(&customer),
                Err(e) => {
                    self.error(field_errors::store(&e, &self.i18n));
                    return;
                }
            }
        } else if draft.form == NEW_FORM {
            customer_form::new_customer("")
        } else if draft.form == interaction_form::NEW_FORM
            || draft.form == interaction_form::AMEND_FORM
        {
            return self.restore_interaction(draft);
        } else {
            self.warn(self.i18n.f("draft.unknown_form", &[("form", &draft.form)]));
            return;
        };
        form.restore_draft(&draft.content);
        self.focus = Focus::Search;
        self.open_form(form);
        self.info(self.i18n.t("draft.restored").to_string());
    }

    /// After a conflict: reload the record into the form (`reapply` keeps what was typed and
    /// only takes the new version, so saving again puts the operator's values on top).
    fn reload_form(&mut self, reapply: bool) {
        let Some(form) = &self.form else { return };
        let id = form.entity_id;
        match self.store.customer(&self.actor, id) {
            Ok(customer) => {
                let Some(form) = &mut self.form else { return };
                form.version = customer.version;
                if reapply {
                    self.info(self.i18n.t("conflict.reapplied").to_string());
                    self.save_form();
                } else {
                    customer_form::fill(form, &customer);
                    form.dirty = false;
                    form.notices.clear();
                    self.info(self.i18n.t("conflict.reloaded").to_string());
                }
            }
            Err(e) => self.error(field_errors::store(&e, &self.i18n)),
        }
    }

    /// An incoming call announced by `careline pop`: open the caller, or a prefilled form.
    fn pop(&mut self, number: &str) {
        let number: String = number
            .chars()
            .filter(|c| !c.is_control())
            .take(40)
            .collect();
        let number = number.trim().to_string();
        if number.is_empty() {
            return;
        }
        self.call = Some(Call {
            number: number.clone(),
            started: self.now,
            from_pop: true,
        });
        let matches: Vec<SearchResult> = match normalize_phone(&number, self.store.phone_rules()) {
            Ok(_) => match self
                .store
                .search(&self.actor, &number, self.settings.lookup_limit)
            {
                Ok(results) => results
                    .into_iter()
                    .filter(|r| r.rank == MatchRank::Exact && r.matched == "phone")
                    .collect(),
                Err(e) => {
                    self.error(field_errors::store(&e, &self.i18n));
                    Vec::new()
                }
            },
            Err(_) => Vec::new(),
        };
        let matched = (matches.len() == 1).then(|| matches[0].customer.id);
        if let Err(e) = self.store.record_pop(&self.actor, &number, matched) {
            self.error(field_errors::store(&e, &self.i18n));
        }
        self.refresh_side_data();
        if self.lookup.query.is_empty() {
            // The newest call is the one to call back: ↓ Enter from the box reaches it.
            self.lookup.selected = 0;
        }
        if self.form.is_some() {
            // Never throw away a form being typed; the pop is listed for later.
            self.flush_draft();
            self.warn(self.i18n.f("pop.while_form", &[("number", &number)]));
            return;
        }
        self.dialog = None;
        match matches.len() {
            0 => {
                self.open_form(customer_form::new_customer(&number));
                self.info(self.i18n.f("pop.unknown", &[("number", &number)]));
            }
            1 => {
                self.pane = Pane::Lookup;
                self.open_card(matches[0].customer.id);
                // The contact is logged while the caller talks, beside the card.
                self.new_interaction();
                self.info(self.i18n.f("pop.matched", &[("number", &number)]));
            }
            _ => {
                self.lookup.input = Input::new(number.clone());
                self.run_search(&number);
                self.lookup.results = matches;
                self.lookup.selected = 0;
                self.card = None;
                self.focus = Focus::Results;
                self.info(self.i18n.f("pop.several", &[("number", &number)]));
            }
        }
    }
}

/// Puts each refused field's reason, in the screen's language, next to the field.
fn mark_errors(form: &mut Form, errors: &[FieldError], i18n: &I18n) {
    for e in errors {
        form.set_error(
            customer_form::field_of(&e.field),
            field_errors::field(e, i18n),
        );
    }
}

/// `mm:ss`, or `h:mm:ss` past an hour.
pub fn clock(seconds: i64) -> String {
    let seconds = seconds.max(0);
    if seconds >= 3600 {
        format!(
            "{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    } else {
        format!("{:02}:{:02}", seconds / 60, seconds % 60)
    }
}
