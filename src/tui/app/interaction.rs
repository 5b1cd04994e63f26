//! Logging a contact from the screen: the form beside the card with the call timer running,
//! amendments, standard phrases, restoring a draft after a crash, and the follow-up escalation
//! every open screen runs.

use tui_input::Input;

use super::{App, Call, Dialog, Focus, Pane};
use crate::domain::customer::Channel;
use crate::store::{CardData, Draft, StoreError};
use crate::tui::action::Action;
use crate::tui::field_errors;
use crate::tui::i18n::Lang;
use crate::tui::panes::interaction_form::{self, AMEND_FORM};
use crate::tui::widgets::form::FieldKind;

impl App {
    /// The wrap-up code's label in the screen's language (the code itself if the config no
    /// longer lists it).
    pub fn disposition_label(&self, code: &str) -> String {
        // The catalogue's short label fits list columns; a code of the centre's own has
        // only the label its config gives.
        let key = format!("disposition.{code}");
        let short = self.i18n.t(&key);
        if short != key {
            return short.to_string();
        }
        match self.store.log_rules().disposition(code) {
            Some(d) => d.label(self.i18n.lang == Lang::ZhCn).to_string(),
            None => code.to_string(),
        }
    }

    /// `n`: a new interaction for the customer on the card, the selected result, or the
    /// selected Log row. The call timer starts now unless a call is already running.
    pub(super) fn new_interaction(&mut self) {
        if self.form.is_some() {
            return;
        }
        let mut channel = None;
        let customer = match self.focus {
            Focus::Card => self.card.as_ref().map(|c| c.customer.id),
            Focus::Results if !self.lookup.query.is_empty() => self
                .lookup
                .results
                .get(self.lookup.selected)
                .map(|r| r.customer.id),
            Focus::Log => match (&self.log.customer, self.log.selected_interaction()) {
                (Some((id, _)), _) => Some(*id),
                (None, Some(row)) => {
                    // Answering a contact that waits for a reply: same channel, outbound.
                    if row.awaiting_reply() {
                        channel = row.channel.parse::<Channel>().ok();
                    }
                    Some(row.customer_id)
                }
                _ => None,
            },
            _ => self.card.as_ref().map(|c| c.customer.id),
        };
        let Some(id) = customer else { return };
        if self.card.as_ref().map(|c| c.customer.id) != Some(id) {
            let return_to = self.focus;
            self.open_card(id);
            self.focus = if return_to == Focus::Log {
                Focus::Log
            } else {
                Focus::Card
            };
        }
        let Some(card) = self.card.clone() else {
            return;
        };
        if card.customer.restricted {
            self.error(self.i18n.t("card.restricted_edit").to_string());
            return;
        }
        if let Some(survivor) = &card.customer.merged_into {
            self.error(self.i18n.f("card.merged", &[("code", survivor)]));
            return;
        }
        let started = match &self.call {
            Some(call) => call.started,
            None => {
                self.call = Some(Call {
                    number: card.customer.code.clone(),
                    started: self.now,
                    from_pop: false,
                });
                self.now
            }
        };
        let today = self.now.with_timezone(&self.settings.tz).date_naive();
        let mut form = interaction_form::new_interaction(
            &card,
            self.store.log_rules(),
            &self.i18n,
            started,
            channel.unwrap_or(Channel::PhoneIn),
            today,
        );
        if channel.is_some() {
            form.set("direction", "outbound");
        }
        self.open_form(form);
    }

    /// `e` on a Log row: an amendment of that entry.
    pub(super) fn amend_selected(&mut self) {
        let entry = match &self.log.detail {
            Some(d) => Some(d.clone()),
            None => self.log.selected_interaction().cloned(),
        };
        let Some(entry) = entry else { return };
        if let Some(later) = entry.amended_by {
            self.warn(
                self.i18n
                    .f("log.amend_latest", &[("id", &later.to_string())]),
            );
            return;
        }
        if entry.restricted {
            self.error(self.i18n.t("card.restricted_edit").to_string());
            return;
        }
        let card: CardData = match self.store.reload_card(&self.actor, entry.customer_id) {
            Ok(card) => card,
            Err(e) => {
                self.error(field_errors::store(&e, &self.i18n));
                return;
            }
        };
        let form = interaction_form::amend(&entry, &card, self.store.log_rules(), &self.i18n);
        self.open_form(form);
    }

    /// Ctrl-S in the interaction form: log it, stop the timer, show what it set in motion.
    pub(super) fn save_interaction(&mut self) {
        let now = self.now;
        let tz = self.settings.tz;
        let today = now.with_timezone(&tz).date_naive();
        let rules = self.store.log_rules().clone();
        let Some(form) = &mut self.form else { return };
        for field in &mut form.fields {
            field.error = None;
        }
        let basics = form.check_basics(&self.i18n, today);
        let new = match interaction_form::to_interaction(form, &rules, now, &tz) {
            Ok(new) if basics => new,
            Ok(_) => {
                form.focus = form.first_error().unwrap_or(form.focus);
                self.error(self.i18n.t("form.fix_fields").to_string());
                return;
            }
            Err(problems) => {
                for (key, message) in problems {
                    form.set_error(key, self.i18n.t(message).to_string());
                }
                form.focus = form.first_error().unwrap_or(form.focus);
                self.error(self.i18n.t("form.fix_fields").to_string());
                return;
            }
        };
        let started = interaction_form::started(form);
        let name = form.subtitle.clone();
        match self.store.log_interaction(&self.actor, &new) {
            Ok(logged) => {
                self.close_form(true);
                let timer = self.call.as_ref().map(|c| c.started.timestamp());
                if timer == started.map(|s| s.timestamp()) && new.amends_id.is_none() {
                    self.call = None; // the timer stops when the contact is saved
                }
                let seconds = new
                    .ended_at
                    .map(|end| (end - new.started_at).num_seconds())
                    .unwrap_or(0);
                let key = if new.amends_id.is_some() {
                    "log.amended_saved"
                } else {
                    "log.saved"
                };
                let mut text = self.i18n.f(
                    key,
                    &[("customer", &name), ("duration", &super::clock(seconds))],
                );
                if let Some(f) = new
                    .follow_up
                    .filter(|_| logged.follow_up_reminder_id.is_some())
                {
                    let when = f
                        .due
                        .at
                        .with_timezone(&tz)
                        .format("%m-%d %H:%M")
                        .to_string();
                    text.push_str(" · ");
                    text.push_str(&self.i18n.f(
                        "log.follow_up_created",
                        &[
                            ("when", &when),
                            ("scope", &self.i18n.value("scope", f.scope.as_str())),
                        ],
                    ));
                }
                if logged.follow_up_carried {
                    text.push_str(" · ");
                    text.push_str(self.i18n.t("log.follow_up_carried"));
                }
                if logged.follow_up_skipped.is_some() {
                    text.push_str(" · ");
                    text.push_str(self.i18n.t("log.follow_up_skipped"));
                }
                if let Some(id) = logged.complaint_opened {
                    text.push_str(" · ");
                    text.push_str(
                        &self
                            .i18n
                            .f("log.complaint_created", &[("id", &id.to_string())]),
                    );
                }
                if !logged.answered.is_empty() {
                    text.push_str(" · ");
                    text.push_str(&self.i18n.f(
                        "log.answered",
                        &[("count", &logged.answered.len().to_string())],
                    ));
                }
                if logged.do_not_contact_set {
                    text.push_str(" · ");
                    text.push_str(self.i18n.t("log.do_not_contact_set"));
                }
                self.refresh_after_change();
                self.data_version = self.store.data_version().unwrap_or(self.data_version);
                self.info(text);
            }
            Err(StoreError::Invalid(errors)) => {
                if let Some(form) = &mut self.form {
                    for e in &errors {
                        form.set_error(
                            interaction_form::field_of(&e.field),
                            field_errors::field(e, &self.i18n),
                        );
                    }
                    form.focus = form.first_error().unwrap_or(form.focus);
                }
                self.error(self.i18n.t("form.fix_fields").to_string());
            }
            Err(e) => self.error(field_errors::store(&e, &self.i18n)),
        }
    }

    /// Ctrl-P in a text field of a form: the standard phrases.
    pub(super) fn open_phrases(&mut self) {
        let Some(form) = &self.form else { return };
        let text_field = form
            .focused()
            .is_some_and(|f| matches!(f.kind, FieldKind::Text | FieldKind::Notes));
        if !text_field || form.id == super::log_view::FILTER_FORM {
            return;
        }
        self.dialog = Some(Dialog::Phrases {
            input: Input::default(),
            selected: 0,
        });
    }

    /// The phrases the picker lists for `filter`, in the screen's language first.
    pub fn phrases(&self, filter: &str) -> Vec<&crate::domain::interaction::Phrase> {
        let lang = match self.i18n.lang {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        };
        self.store.log_rules().phrases_for(lang, filter)
    }

    pub(super) fn answer_phrases(&mut self, input: Input, selected: usize, action: Action) {
        let count = self.phrases(input.value()).len();
        match action {
            Action::Up | Action::Down => {
                let selected = if count == 0 {
                    0
                } else if action == Action::Up {
                    (selected + count - 1) % count
                } else {
                    (selected + 1) % count
                };
                self.dialog = Some(Dialog::Phrases { input, selected });
            }
            Action::Confirm => {
                let text = self
                    .phrases(input.value())
                    .get(selected)
                    .map(|p| p.text.clone());
                if let (Some(text), Some(form)) = (text, &mut self.form) {
                    if form.insert(&text) {
                        self.form_edited();
                    }
                }
            }
            Action::Back => {}
            _ => self.dialog = Some(Dialog::Phrases { input, selected }),
        }
    }

    /// Reopens an interaction form from its draft: the customer's card, the form as it was
    /// typed, and the call timer from when the call began.
    pub(super) fn restore_interaction(&mut self, draft: Draft) {
        self.pane = Pane::Lookup;
        self.open_card(draft.entity_id);
        let Some(card) = self.card.clone() else {
            return;
        };
        if card.customer.id != draft.entity_id {
            return;
        }
        let today = self.now.with_timezone(&self.settings.tz).date_naive();
        let mut form = interaction_form::new_interaction(
            &card,
            self.store.log_rules(),
            &self.i18n,
            self.now,
            Channel::PhoneIn,
            today,
        );
        form.restore_draft(&draft.content);
        if draft.form == AMEND_FORM {
            form.id = AMEND_FORM;
            form.title = "form.amend_interaction";
            if let Some(id) = form.extra.get(interaction_form::AMENDS) {
                form.subtitle = format!("#{id} · {}", form.subtitle);
            }
        } else if let Some(started) = interaction_form::started(&form) {
            self.call = Some(Call {
                number: card.customer.code.clone(),
                started,
                from_pop: false,
            });
        }
        interaction_form::refresh(&mut form, self.store.log_rules());
        self.open_form(form);
        self.info(self.i18n.t("draft.restored").to_string());
    }

    /// Moves overdue "only me" follow-ups to anyone (run once a minute).
    pub(super) fn escalate_follow_ups(&mut self) {
        match self.store.escalate_follow_ups(&self.actor) {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!("{n} follow-ups moved to anyone");
                self.refresh_after_change();
                self.data_version = self.store.data_version().unwrap_or(self.data_version);
            }
            Err(e) => tracing::warn!("follow-up escalation: {e}"),
        }
    }
}
