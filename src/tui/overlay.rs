//! What lies over the panes: the open form and the open dialog. While either is open it has
//! the keyboard; it answers the operator's keys itself and tells the router what follows
//! (a form closed, the screen to quit, a customer to open) through the desk's messages.

use tui_input::Input;

use super::action::Action;
use super::component::{Msg, PaneId};
use super::desk::Desk;
use super::dialog::{self, Dialog, Duplicates, Picked};
use super::forms::{self, Duplicated, Editor, FormKind, Saved};
use super::keymap::Context;
use super::widgets::form::{FieldKind, Form};
use crate::store::{DuplicateWarning, Permission};

#[derive(Default)]
pub struct Overlay {
    pub editor: Option<Editor>,
    pub dialog: Option<Dialog>,
    /// The pane a form just closed was opened from: the router gives it the keyboard back
    /// before anything the form posted (a customer saved and opened) is carried.
    closed: Option<PaneId>,
    /// Forms opened so far: the open one is known by its number (a message said in it
    /// belongs to it, not to the next form).
    opened: u64,
}

impl Overlay {
    /// The keyboard context of what is open: a dialog first, then a form.
    pub fn context(&self) -> Option<Context> {
        match (&self.dialog, &self.editor) {
            (Some(Dialog::Phrases { .. }), _) => Some(Context::Picker),
            (Some(_), _) => Some(Context::Dialog),
            (None, Some(_)) => Some(Context::Form),
            (None, None) => None,
        }
    }

    /// Whether an action does something over the panes, when something is open (`None`:
    /// nothing is, the pane with the keyboard decides).
    pub fn offers(&self, action: &Action) -> Option<bool> {
        let named = || {
            self.dialog
                .as_ref()
                .is_some_and(|d| d.label(action).is_some())
        };
        Some(match action {
            // Not over a dialog (help included): a dialog shows its own keys.
            Action::Help => self.dialog.is_none(),
            // A dialog's answers are offered where a dialog names them; with neither dialog nor
            // form open, a pane's own question decides.
            Action::Confirm | Action::Alternate | Action::Merge
                if self.dialog.is_some() || self.editor.is_some() =>
            {
                named()
            }
            // A question offers the choices it names, every one of them (help lists the keys
            // of what is under it, the picker its own).
            _ if self.asking() => named(),
            // Phrases go into the text field being typed in (a summary or a note), so they
            // are offered only there.
            Action::Phrases => self.editor.as_ref().is_some_and(|e| {
                e.kind() != FormKind::LogFilter
                    && e.form
                        .focused()
                        .is_some_and(|f| matches!(f.kind, FieldKind::Text | FieldKind::Notes))
            }),
            _ if self.editor.is_some() => true,
            _ => return None,
        })
    }

    /// Whether a question is open whose answers are its own keys.
    fn asking(&self) -> bool {
        self.dialog
            .as_ref()
            .is_some_and(|d| !matches!(d, Dialog::Help(_) | Dialog::Phrases { .. }))
    }

    /// The open dialog's word for an action, in the dialog's own contexts.
    pub fn label(&self, context: Context, action: &Action) -> Option<&'static str> {
        self.dialog
            .as_ref()
            .filter(|_| matches!(context, Context::Dialog | Context::Picker))
            .and_then(|d| d.label(action))
    }

    pub fn open_form(&mut self, form: Form, return_to: PaneId) {
        if self.editor.is_none() {
            self.editor = Some(Editor::new(form, return_to));
            self.opened += 1;
        }
    }

    /// The open form's number (see `opened`), if one is open.
    pub fn form_number(&self) -> Option<u64> {
        self.editor.as_ref().map(|_| self.opened)
    }

    pub fn flush_draft(&mut self, desk: &mut Desk) {
        if let Some(editor) = &mut self.editor {
            editor.flush_draft(desk);
        }
    }

    /// The clock: a form's draft is written when it is due.
    pub fn tick(&mut self, desk: &mut Desk) {
        if self.editor.as_ref().is_some_and(|e| e.draft_due()) {
            self.flush_draft(desk);
        }
    }

    /// Offers the operator's next unfinished draft, if any.
    pub fn offer_next_draft(&mut self, desk: &mut Desk) {
        match desk.store.drafts(&desk.actor) {
            Ok(drafts) => self.dialog = drafts.into_iter().next().map(Dialog::RestoreDraft),
            Err(e) => desk.store_error(&e),
        }
    }

    /// An action while a form is open (and no dialog).
    pub fn form_action(&mut self, action: Action, desk: &mut Desk) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        match action {
            Action::Key(key) => editor.typed(&key, desk),
            Action::Paste(text) => editor.paste(&text, desk),
            Action::Save => self.save_as(Duplicated::Ask, desk),
            Action::NextField => editor.form.next(),
            Action::PrevField => editor.form.prev(),
            Action::Up => editor.move_line(true),
            Action::Down => editor.move_line(false),
            Action::Back if editor.kind() == FormKind::LogFilter => self.close_form(false, desk),
            Action::Back if editor.form.dirty => self.dialog = Some(Dialog::DiscardForm),
            Action::Back => self.close_form(true, desk),
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

    fn save_as(&mut self, duplicated: Duplicated, desk: &mut Desk) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        let saved = editor.save_as(duplicated, desk);
        self.saved(saved, desk);
    }

    /// What follows a save: the form closes, stays, or a dialog asks.
    fn saved(&mut self, saved: Saved, desk: &mut Desk) {
        let Some(editor) = &self.editor else {
            return;
        };
        match saved {
            Saved::Closed => {
                let keep_draft = editor.kind() == FormKind::LogFilter;
                self.close_form(!keep_draft, desk);
            }
            Saved::Open => {}
            Saved::Conflict(text) => self.dialog = Some(Dialog::Conflict(text)),
            Saved::Duplicates(found) => {
                let can_merge = editor.kind() == FormKind::NewCustomer
                    && desk.actor.may(Permission::MergeCustomers)
                    && one_holder(&found);
                self.dialog = Some(Dialog::Duplicates(Duplicates { found, can_merge }));
            }
        }
    }

    /// Closes the form (its draft kept or discarded); the router gives the keyboard back to
    /// the pane the form was opened from.
    fn close_form(&mut self, discard_draft: bool, desk: &mut Desk) {
        let Some(editor) = self.editor.take() else {
            return;
        };
        if editor.kind() == FormKind::NewInteraction
            && desk.call.as_ref().is_some_and(|c| !c.from_pop)
        {
            desk.call = None; // the timer began with this form and ends with it
        }
        if discard_draft {
            editor.discard_draft(desk);
        }
        self.closed = Some(editor.return_to);
    }

    /// The access to the customer a form is about ended: the form closes with its draft kept
    /// (it opens again with access), and any question over it goes.
    pub fn access_ended(&mut self, customer: i64, desk: &mut Desk) {
        let about = self.editor.as_ref().is_some_and(|e| {
            e.form.entity_id == customer
                && matches!(
                    e.kind(),
                    FormKind::EditCustomer
                        | FormKind::NewInteraction
                        | FormKind::AmendInteraction
                        | FormKind::NewComplaint
                        | FormKind::NewReminder
                )
        });
        if about {
            self.flush_draft(desk);
            self.dialog = None;
            self.close_form(false, desk);
            desk.warn_t("card.access_ended_form");
        }
    }

    /// The pane to give the keyboard back to, once, after a form closed.
    pub fn take_closed(&mut self) -> Option<PaneId> {
        self.closed.take()
    }

    /// The answer to the open dialog.
    pub fn answer(&mut self, action: Action, desk: &mut Desk) {
        let Some(dialog) = self.dialog.take() else {
            return;
        };
        match (dialog, action) {
            (Dialog::DiscardForm, Action::Confirm) => self.close_form(true, desk),
            (Dialog::DiscardForm, _) => {}
            (Dialog::QuitDuringCall, Action::Confirm) => {
                self.flush_draft(desk);
                desk.post(Msg::Quit);
            }
            (dialog @ Dialog::QuitDuringCall, Action::Key(_)) => self.dialog = Some(dialog),
            (Dialog::QuitDuringCall, _) => {}
            (Dialog::RestoreDraft(draft), Action::Confirm) => {
                if let Some((form, msgs)) = forms::restore(&draft, desk) {
                    for msg in msgs {
                        desk.post(msg);
                    }
                    // After the customer it belongs to is open.
                    desk.post(Msg::OpenForm(Box::new(form)));
                }
            }
            (Dialog::RestoreDraft(draft), Action::Back) => {
                if let Err(e) = desk
                    .store
                    .discard_draft(&desk.actor, &draft.form, draft.entity_id)
                {
                    desk.store_error(&e);
                }
                desk.own_write();
                self.offer_next_draft(desk);
            }
            (dialog @ Dialog::RestoreDraft(_), _) => self.dialog = Some(dialog),
            (Dialog::Conflict(_), action @ (Action::Confirm | Action::Alternate)) => {
                let Some(editor) = &mut self.editor else {
                    return;
                };
                let saved = editor.reload(action == Action::Alternate, desk);
                self.saved(saved, desk);
            }
            (Dialog::Conflict(_), _) => {}
            (Dialog::Duplicates(d), action) => self.answer_duplicates(d, action, desk),
            (Dialog::Help(_), _) => {}
            (Dialog::Phrases { input, selected }, action) => {
                self.answer_phrases(input, selected, action, desk)
            }
        }
    }

    /// The answer to "already on file": open theirs (this form is discarded), save as a
    /// separate customer, merge into theirs, or back to the form.
    fn answer_duplicates(&mut self, d: Duplicates, action: Action, desk: &mut Desk) {
        let Some(holder) = d.holder().map(|h| h.customer_id) else {
            return;
        };
        match action {
            Action::Confirm => {
                self.close_form(true, desk);
                let text = desk.i18n.t("form.discarded_opened").to_string();
                desk.info(text);
                desk.post(Msg::OpenCustomer {
                    id: holder,
                    focus: true,
                });
            }
            Action::Alternate => self.save_as(Duplicated::SaveAnyway, desk),
            Action::Merge if d.can_merge => self.save_as(Duplicated::MergeInto(holder), desk),
            Action::Back => {}
            _ => self.dialog = Some(Dialog::Duplicates(d)),
        }
    }

    fn answer_phrases(&mut self, input: Input, selected: usize, action: Action, desk: &mut Desk) {
        let phrases = desk.phrases(input.value());
        match dialog::pick(input.clone(), selected, &action, &phrases) {
            Picked::Open(d) => self.dialog = Some(d),
            Picked::Insert(text) => {
                if let Some(editor) = &mut self.editor {
                    if editor.form.insert(&text) {
                        editor.edited(desk);
                    }
                }
            }
            Picked::Closed => {}
        }
    }
}

/// Whether every duplicate is held by the same customer (the only case a merge can settle).
fn one_holder(found: &[DuplicateWarning]) -> bool {
    found
        .first()
        .is_some_and(|first| found.iter().all(|d| d.customer_id == first.customer_id))
}
