//! The open form: which kind it is, typing into it, its draft, and saving it. A form covers
//! the body (beside the card or the pane it came from on a wide screen); the router opens it
//! from a pane's message and closes it when it is saved or given up.

pub mod access;
pub mod complaint;
pub mod customer;
pub mod interaction;
pub mod log_filter;
pub mod opportunity;
pub mod points;
pub mod reminder;

use std::time::{Duration, Instant};

use crossterm::event::KeyEvent;

use super::component::{Msg, PaneId};
use super::desk::Desk;
use super::field_errors;
use super::i18n::I18n;
use super::widgets::form::{Choices, Form, FormChange};
use crate::domain::customer::FieldError;
use crate::store::{Draft, DuplicateWarning, StoreError};

/// Debounce of draft saving while typing.
const DRAFT_DELAY: Duration = Duration::from_millis(400);

/// Which form is open. The draft table keeps it by [`FormKind::draft_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    NewCustomer,
    EditCustomer,
    NewInteraction,
    AmendInteraction,
    /// The desk log's filters (never kept as a draft).
    LogFilter,
    /// A complaint opened from the card.
    NewComplaint,
    /// One step of working a complaint (a note, a wait, an escalation …).
    ComplaintStep,
    /// Snoozing or skipping a care reminder.
    ReminderStep,
    /// A reminder added by hand from the card.
    NewReminder,
    /// Asking for access to a confidential customer (the card's `a`).
    AccessAsk,
    /// Granting a request for access (the Access pane's `y`).
    AccessGrant,
    /// Refusing a request for access (the Access pane's `x`).
    AccessRefuse,
    /// Granting an operator access directly (a supervisor's `a` on the card).
    AccessGive,
    /// A sales opportunity added from the card (`o`).
    NewOpportunity,
    /// Moving or closing one of the card's open opportunities (`m`).
    MoveOpportunity,
    /// Redeeming a customer's loyalty points (the card's `p`).
    RedeemPoints,
}

impl FormKind {
    pub fn draft_name(self) -> &'static str {
        match self {
            FormKind::NewCustomer => "customer.new",
            FormKind::EditCustomer => "customer.edit",
            FormKind::NewInteraction => "interaction.new",
            FormKind::AmendInteraction => "interaction.amend",
            FormKind::LogFilter => "log.filter",
            FormKind::NewComplaint => "complaint.new",
            FormKind::ComplaintStep => "complaint.step",
            FormKind::ReminderStep => "reminder.step",
            FormKind::NewReminder => "reminder.new",
            FormKind::AccessAsk => "access.ask",
            FormKind::AccessGrant => "access.grant",
            FormKind::AccessRefuse => "access.refuse",
            FormKind::AccessGive => "access.give",
            FormKind::NewOpportunity => "opportunity.new",
            FormKind::MoveOpportunity => "opportunity.move",
            FormKind::RedeemPoints => "points.redeem",
        }
    }

    pub fn from_draft_name(name: &str) -> Option<FormKind> {
        [
            FormKind::NewCustomer,
            FormKind::EditCustomer,
            FormKind::NewInteraction,
            FormKind::AmendInteraction,
            FormKind::NewComplaint,
            FormKind::ComplaintStep,
            FormKind::ReminderStep,
            FormKind::NewReminder,
            FormKind::AccessAsk,
            FormKind::AccessGrant,
            FormKind::AccessRefuse,
            FormKind::AccessGive,
            FormKind::NewOpportunity,
            FormKind::MoveOpportunity,
            FormKind::RedeemPoints,
        ]
        .into_iter()
        .find(|k| k.draft_name() == name)
    }

    /// Typed text worth keeping if the screen goes away.
    pub fn keeps_draft(self) -> bool {
        self != FormKind::LogFilter
    }

    pub fn is_interaction(self) -> bool {
        matches!(self, FormKind::NewInteraction | FormKind::AmendInteraction)
    }

    /// Catalogue key of its title.
    pub fn title(self) -> &'static str {
        match self {
            FormKind::NewCustomer => "form.new_customer",
            FormKind::EditCustomer => "form.edit_customer",
            FormKind::NewInteraction => "form.new_interaction",
            FormKind::AmendInteraction => "form.amend_interaction",
            FormKind::LogFilter => "form.log_filter",
            FormKind::NewComplaint => "form.new_complaint",
            FormKind::ComplaintStep => "form.complaint_step",
            FormKind::ReminderStep => "form.reminder_step",
            FormKind::NewReminder => "form.new_reminder",
            FormKind::AccessAsk => "form.access_ask",
            FormKind::AccessGrant => "form.access_grant",
            FormKind::AccessRefuse => "form.access_refuse",
            FormKind::AccessGive => "form.access_give",
            FormKind::NewOpportunity => "form.new_opportunity",
            FormKind::MoveOpportunity => "form.move_opportunity",
            FormKind::RedeemPoints => "form.redeem_points",
        }
    }
}

/// What saving a form came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Done: close the form (keeping no draft).
    Closed,
    /// Something to fix, marked on the form.
    Open,
    /// Someone else saved the record first.
    Conflict(String),
    /// Other customers hold a typed phone or email: nothing is saved until the operator says
    /// what to do.
    Duplicates(Vec<DuplicateWarning>),
}

/// How Ctrl-S treats phones and emails other customers hold already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicated {
    /// Ask first.
    Ask,
    /// Save as a separate customer all the same.
    SaveAnyway,
    /// Save, then merge the new record into this customer (the store's merge).
    MergeInto(i64),
}

/// The open form and where the keyboard goes when it closes.
#[derive(Debug, Clone)]
pub struct Editor {
    pub form: Form,
    pub return_to: PaneId,
    draft_due: Option<Instant>,
}

impl Editor {
    pub fn new(form: Form, return_to: PaneId) -> Editor {
        Editor {
            form,
            return_to,
            draft_due: None,
        }
    }

    pub fn kind(&self) -> FormKind {
        self.form.kind
    }

    /// A key no binding took: text for the field with focus.
    pub fn typed(&mut self, key: &KeyEvent, desk: &mut Desk) {
        if self.form.handle_key(key) == FormChange::Edited {
            self.edited(desk);
        }
    }

    pub fn paste(&mut self, text: &str, desk: &mut Desk) {
        self.form.paste(text);
        self.edited(desk);
    }

    /// ↑ and ↓ move between the lines of a summary, then between fields.
    pub fn move_line(&mut self, up: bool) {
        if !self.form.move_line(up) {
            if up {
                self.form.prev();
            } else {
                self.form.next();
            }
        }
    }

    /// After typing: plan a draft save and refresh what depends on the values.
    pub fn edited(&mut self, desk: &mut Desk) {
        if self.kind().keeps_draft() {
            self.draft_due = Some(Instant::now() + DRAFT_DELAY);
        }
        match self.kind() {
            FormKind::NewInteraction | FormKind::AmendInteraction => {
                interaction::refresh(&mut self.form, desk.store.log_rules());
            }
            FormKind::NewCustomer | FormKind::EditCustomer => {
                customer::warn_duplicates(&mut self.form, desk);
            }
            FormKind::LogFilter
            | FormKind::NewComplaint
            | FormKind::ComplaintStep
            | FormKind::ReminderStep
            | FormKind::NewReminder
            | FormKind::AccessAsk
            | FormKind::AccessGrant
            | FormKind::AccessRefuse
            | FormKind::AccessGive
            | FormKind::NewOpportunity
            | FormKind::MoveOpportunity => {}
            FormKind::RedeemPoints => {}
        }
    }

    /// Whether the planned draft save is due.
    pub fn draft_due(&self) -> bool {
        self.draft_due.is_some_and(|due| Instant::now() >= due)
    }

    /// Saves the draft now, if it changed since the last save.
    pub fn flush_draft(&mut self, desk: &mut Desk) {
        self.draft_due = None;
        if !self.form.dirty || !self.kind().keeps_draft() {
            return;
        }
        let content = self.form.to_draft();
        if let Err(e) = desk.store.save_draft(
            &desk.actor,
            self.kind().draft_name(),
            self.form.entity_id,
            &content,
        ) {
            if matches!(e, StoreError::Replaced { .. }) {
                // Its own words say where the draft is.
                desk.store_error(&e);
            } else {
                let reason = field_errors::store(&e, &desk.i18n);
                let text = desk.i18n.f("draft.not_saved", &[("reason", &reason)]);
                desk.error(text);
            }
        }
        // Our own write changes data_version; do not treat it as someone else's change.
        desk.own_write();
    }

    pub fn discard_draft(&self, desk: &mut Desk) {
        if !self.kind().keeps_draft() {
            return;
        }
        if let Err(e) =
            desk.store
                .discard_draft(&desk.actor, self.kind().draft_name(), self.form.entity_id)
        {
            desk.store_error(&e);
        }
        desk.own_write();
    }

    /// Ctrl-S.
    pub fn save(&mut self, desk: &mut Desk) -> Saved {
        self.save_as(Duplicated::Ask, desk)
    }

    /// Ctrl-S, with what to do about duplicates already decided.
    pub fn save_as(&mut self, duplicated: Duplicated, desk: &mut Desk) -> Saved {
        for field in &mut self.form.fields {
            field.error = None;
        }
        let saved = match self.kind() {
            FormKind::NewCustomer | FormKind::EditCustomer => {
                customer::save(&mut self.form, duplicated, desk)
            }
            FormKind::NewInteraction | FormKind::AmendInteraction => {
                interaction::save(&mut self.form, desk)
            }
            FormKind::LogFilter => log_filter::apply(&mut self.form, desk),
            FormKind::NewComplaint => complaint::save_new(&mut self.form, desk),
            FormKind::ComplaintStep => complaint::save_step(&mut self.form, desk),
            FormKind::ReminderStep => reminder::save_step(&mut self.form, desk),
            FormKind::NewReminder => reminder::save_new(&mut self.form, desk),
            FormKind::AccessAsk
            | FormKind::AccessGrant
            | FormKind::AccessRefuse
            | FormKind::AccessGive => access::save(&mut self.form, desk),
            FormKind::NewOpportunity => opportunity::save_new(&mut self.form, desk),
            FormKind::MoveOpportunity => opportunity::save_move(&mut self.form, desk),
            FormKind::RedeemPoints => points::save(&mut self.form, desk),
        };
        if saved == Saved::Open {
            self.form.focus = self.form.first_error().unwrap_or(self.form.focus);
        }
        saved
    }

    /// After a conflict: the record as saved (`reapply` keeps what was typed and takes only
    /// the new version, so that saving again puts the operator's values on top).
    pub fn reload(&mut self, reapply: bool, desk: &mut Desk) -> Saved {
        match customer::reload(&mut self.form, reapply, desk) {
            true if reapply => self.save(desk),
            _ => Saved::Open,
        }
    }
}

/// The label of a CSAT field on a scale of 1..`scale`; `short` beside the contact form's
/// labels, whose column it must not widen.
pub fn csat_label(scale: i64, short: bool) -> &'static str {
    match (scale >= 10, short) {
        (true, false) => "field.csat10",
        (false, false) => "field.csat",
        (true, true) => "field.csat10_short",
        (false, true) => "field.csat_short",
    }
}

/// [`Form::extra`] key: the CSAT scale a form's score is given on.
pub const CSAT_SCALE: &str = "csat_scale";

/// The scores of CSAT on a scale of 1..`scale` (5 or 10), after the no-score choice worded by
/// `none` (a catalogue key): each with its words on a 1–5 scale, the ends only on a 1–10 one.
pub fn csat_choices(scale: i64, none: &str, i18n: &I18n) -> Choices {
    let mut scores = vec![String::new()];
    let mut labels = vec![i18n.t(none).to_string()];
    for n in 1..=scale {
        scores.push(n.to_string());
        labels.push(match (scale, n) {
            (5, _) | (_, 1) => i18n.value("csat", &n.to_string()),
            (_, n) if n == scale => i18n.value("csat", "10"),
            _ => n.to_string(),
        });
    }
    Choices::given(scores, labels)
}

/// Puts each refused field's reason, in the screen's language, next to its field; a reason
/// for a field the form does not show goes to the message line, named.
pub fn mark_errors(
    form: &mut Form,
    errors: &[FieldError],
    field_of: fn(&str) -> Option<&'static str>,
    desk: &mut Desk,
) {
    for e in errors {
        let text = match &e.cause {
            // A new record has no stored value a mask could stand for.
            Some(crate::domain::customer::ContactCause::Masked)
                if form.kind == FormKind::NewCustomer =>
            {
                desk.i18n.t("form.masked_new").to_string()
            }
            _ => field_errors::field(e, &desk.i18n),
        };
        match field_of(&e.field) {
            Some(key) if form.set_error(key, text.clone()) => {}
            _ => desk.error(format!("{}: {text}", e.field)),
        }
    }
}

/// A save the store refused: each refused field's reason beside it (and "fix the fields"
/// on the message line), anything else said as the store's error; the form stays open.
pub fn refused(
    form: &mut Form,
    error: StoreError,
    field_of: fn(&str) -> Option<&'static str>,
    desk: &mut Desk,
) -> Saved {
    match error {
        StoreError::Invalid(errors) => {
            mark_errors(form, &errors, field_of, desk);
            desk.error_t("form.fix_fields");
        }
        e => desk.store_error(&e),
    }
    Saved::Open
}

/// A form from a draft of an earlier session, with the messages that open it beside its
/// customer; `None` (with a message said) when it cannot be reopened.
pub fn restore(draft: &Draft, desk: &mut Desk) -> Option<(Form, Vec<Msg>)> {
    let restored = match FormKind::from_draft_name(&draft.form) {
        Some(FormKind::NewCustomer) => {
            let mut form = customer::new_customer("");
            form.restore_draft(&draft.content);
            Some((form, Vec::new()))
        }
        Some(FormKind::EditCustomer) => match desk.store.customer(&desk.actor, draft.entity_id) {
            // Access to them ended since the draft was typed: it waits for a grant.
            Ok(c) if c.restricted => {
                desk.warn_t("card.restricted_edit");
                None
            }
            Ok(c) => {
                let mut form = customer::edit_customer(&c);
                form.restore_draft(&draft.content);
                Some((form, Vec::new()))
            }
            Err(e) => {
                desk.store_error(&e);
                None
            }
        },
        Some(kind @ (FormKind::NewInteraction | FormKind::AmendInteraction)) => {
            interaction::restore(draft, kind, desk)
        }
        Some(kind @ (FormKind::NewComplaint | FormKind::ComplaintStep)) => {
            complaint::restore(draft, kind, desk)
        }
        Some(kind @ (FormKind::ReminderStep | FormKind::NewReminder)) => {
            reminder::restore(draft, kind, desk)
        }
        Some(
            kind @ (FormKind::AccessAsk
            | FormKind::AccessGrant
            | FormKind::AccessRefuse
            | FormKind::AccessGive),
        ) => access::restore(draft, kind, desk),
        Some(kind @ (FormKind::NewOpportunity | FormKind::MoveOpportunity)) => {
            opportunity::restore(draft, kind, desk)
        }
        Some(FormKind::RedeemPoints) => points::restore(draft, desk),
        Some(FormKind::LogFilter) | None => {
            let text = desk.i18n.f("draft.unknown_form", &[("form", &draft.form)]);
            desk.warn(text);
            None
        }
    };
    let (mut form, msgs) = restored?;
    if form.kind.is_interaction() {
        interaction::refresh(&mut form, desk.store.log_rules());
    }
    desk.info_t("draft.restored");
    Some((form, msgs))
}
