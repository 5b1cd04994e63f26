//! The reminder forms: snoozing one to a date (`z`: `+2d`, `tomorrow`, a date), skipping one
//! with a reason from the list or typed (`s`), and a reminder added by hand from the card
//! (`r`: due date, title, note, for me / anyone / a named operator).

use super::{mark_errors, FormKind, Saved};
use crate::domain::date_input::parse_date;
use crate::domain::interaction::FollowUpScope;
use crate::domain::reminder::SkipReason;
use crate::store::{CardData, CareRow, Draft, NewReminder, ReminderWork, StoreError};
use crate::tui::component::Msg;
use crate::tui::desk::Desk;
use crate::tui::i18n::I18n;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

/// Keys of [`Form::extra`]: the reminder a step form works, and the step (`snooze`, `skip`).
pub const REMINDER: &str = "reminder";
pub const STEP: &str = "step";
/// A snooze form's reminder: the day it is due (or snoozed to), and the last day it makes
/// sense (a birthday, a holiday, the end of a purchase's follow-up window), when it has one.
const DAY: &str = "day";
const WINDOW_END: &str = "window_end";

/// The value of the skip-reason choice that means "typed below".
const TYPED: &str = "typed";

/// A reminder's customer and what it is, as a form's subtitle.
fn subtitle(row: &CareRow, i18n: &I18n) -> String {
    format!(
        "#{} {} · {}",
        row.id,
        row.customer_name.as_deref().unwrap_or(&row.customer_code),
        i18n.value("reminder", row.kind.as_str())
    )
}

/// `z`: snooze to a date.
pub fn snooze_form(row: &CareRow, today: chrono::NaiveDate, i18n: &I18n) -> Form {
    let mut form = Form::new(
        FormKind::ReminderStep,
        vec![Field::new("until", "field.snooze_until", FieldKind::Date).required()],
    );
    form.entity_id = row.customer_id;
    form.subtitle = subtitle(row, i18n);
    form.extra.insert(REMINDER.into(), row.id.to_string());
    form.extra.insert(STEP.into(), "snooze".into());
    form.extra.insert(DAY.into(), row.day.to_string());
    if let Some(end) = row.window_end {
        form.extra.insert(WINDOW_END.into(), end.to_string());
    }
    // A day after today, or after the day it is due when that is still to come.
    if row.day > today {
        form.set("until", &(row.day + chrono::Duration::days(1)).to_string());
    } else {
        form.set("until", "+1d");
    }
    form
}

/// Why `until` is no day to snooze the form's reminder to, in the screen's language: not after
/// today or the day it is due, or past the last day it makes sense. None when it will do.
fn snooze_refusal(
    form: &Form,
    until: chrono::NaiveDate,
    today: chrono::NaiveDate,
    i18n: &I18n,
) -> Option<String> {
    let day = |key: &str| {
        form.extra
            .get(key)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    if until <= today {
        return Some(i18n.t("care.snooze_after_today").to_string());
    }
    if let Some(due) = day(DAY).filter(|d| until <= *d) {
        return Some(i18n.f("care.snooze_after_due", &[("day", &due.to_string())]));
    }
    day(WINDOW_END)
        .filter(|end| until > *end)
        .map(|end| i18n.f("care.snooze_past_window", &[("day", &end.to_string())]))
}

/// `s`: skip, with a reason from the list or typed.
pub fn skip_form(row: &CareRow, i18n: &I18n) -> Form {
    // Nothing chosen for the operator: a reason is theirs to give.
    let mut values: Vec<&str> = vec![""];
    values.extend(SkipReason::ALL.iter().map(|r| r.as_str()));
    values.push(TYPED);
    let mut form = Form::new(
        FormKind::ReminderStep,
        vec![
            Field::new(
                "reason",
                "field.skip_reason",
                FieldKind::Choice(Choices::of("skip_reason", &values)),
            ),
            Field::new("reason_text", "field.skip_reason_text", FieldKind::Text),
        ],
    );
    form.entity_id = row.customer_id;
    form.subtitle = subtitle(row, i18n);
    form.extra.insert(REMINDER.into(), row.id.to_string());
    form.extra.insert(STEP.into(), "skip".into());
    form
}

/// `r` on the card: a reminder added by hand, due tomorrow for anyone unless changed.
pub fn new_reminder_form(card: &CardData, desk: &Desk) -> Form {
    // Anyone, me, or a named operator (a supervisor hands work out).
    let mut values = vec!["anyone".to_string(), "me".to_string()];
    let mut labels = vec![
        desk.i18n.value("scope", "anyone"),
        desk.i18n.value("scope", "me"),
    ];
    if desk
        .actor
        .may(crate::domain::operator::Permission::WorkOthersReminders)
    {
        if let Ok(operators) = desk.store.operators() {
            for o in operators
                .iter()
                .filter(|o| o.active && o.id != desk.actor.id)
            {
                values.push(format!("op:{}", o.id));
                labels.push(format!("{} ({})", o.name, o.login));
            }
        }
    }
    let mut form = Form::new(
        FormKind::NewReminder,
        vec![
            Field::new("due", "field.reminder_due", FieldKind::Date).required(),
            Field::new("title", "field.reminder_title", FieldKind::Text).required(),
            Field::new("note", "field.note", FieldKind::Notes).lines_shown(3),
            Field::new(
                "for",
                "field.reminder_for",
                FieldKind::Choice(Choices::given(values, labels)),
            ),
        ],
    );
    form.entity_id = card.customer.id;
    form.subtitle = format!("{} {}", card.customer.code, card.customer.fields.name);
    form.set("due", "+1d");
    form.focus_on("title");
    form
}

/// Ctrl-S on a snooze or skip form.
pub fn save_step(form: &mut Form, desk: &mut Desk) -> Saved {
    let Some(id) = form.extra.get(REMINDER).and_then(|i| i.parse::<i64>().ok()) else {
        desk.error_t("form.fix_fields");
        return Saved::Open;
    };
    let today = desk.store.care_today();
    if !form.check_basics(&desk.i18n, today) {
        desk.error_t("form.fix_fields");
        return Saved::Open;
    }
    let work = match form.extra.get(STEP).map(String::as_str) {
        Some("snooze") => match parse_date(&form.value("until"), today) {
            Ok(until) => match snooze_refusal(form, until, today, &desk.i18n) {
                None => ReminderWork::Snooze { until },
                Some(text) => {
                    form.set_error("until", text);
                    desk.error_t("form.fix_fields");
                    return Saved::Open;
                }
            },
            Err(_) => {
                let text = desk.i18n.t("form.bad_date").to_string();
                form.set_error("until", text);
                desk.error_t("form.fix_fields");
                return Saved::Open;
            }
        },
        _ => {
            let chosen = form.value("reason");
            let typed = form.value("reason_text").trim().to_string();
            let reason = if chosen.is_empty() || chosen == TYPED {
                typed
            } else if typed.is_empty() {
                chosen
            } else {
                // A reason from the list with words of the operator's own.
                format!("{chosen}: {typed}")
            };
            if reason.is_empty() {
                let text = desk.i18n.t("care.reason_required").to_string();
                form.set_error("reason", text);
                desk.error_t("form.fix_fields");
                return Saved::Open;
            }
            ReminderWork::Skip { reason }
        }
    };
    match work_reminder(id, &work, desk) {
        Ok(()) => Saved::Closed,
        Err(StoreError::Invalid(errors)) => {
            mark_errors(form, &errors, field_of, desk);
            desk.error_t("form.fix_fields");
            Saved::Open
        }
        Err(_) => Saved::Open,
    }
}

fn field_of(field: &str) -> Option<&'static str> {
    match field {
        "until" => Some("until"),
        "reason" => Some("reason_text"),
        "title" => Some("title"),
        "due" => Some("due"),
        "note" => Some("note"),
        "for" => Some("for"),
        _ => None,
    }
}

/// Does `work` on reminder `id`, saying on the message line what became of it (or why not);
/// the screens read again.
pub fn work_reminder(id: i64, work: &ReminderWork, desk: &mut Desk) -> Result<(), StoreError> {
    match desk.store.work_reminder(&desk.actor, id, work) {
        Ok(row) => {
            desk.own_write();
            let i18n = &desk.i18n;
            let text = match work {
                ReminderWork::Snooze { until } => i18n.f(
                    "care.snoozed",
                    &[("id", &id.to_string()), ("until", &until.to_string())],
                ),
                _ => i18n.f(
                    "care.worked",
                    &[
                        ("id", &id.to_string()),
                        (
                            "status",
                            &i18n.value("reminder_status", row.status.as_str()),
                        ),
                    ],
                ),
            };
            desk.info(text);
            desk.post(Msg::DataChanged);
            Ok(())
        }
        Err(e) => {
            desk.store_error(&e);
            Err(e)
        }
    }
}

/// Ctrl-S on the new-reminder form.
pub fn save_new(form: &mut Form, desk: &mut Desk) -> Saved {
    let today = desk.store.care_today();
    if !form.check_basics(&desk.i18n, today) {
        desk.error_t("form.fix_fields");
        return Saved::Open;
    }
    let due_on = match parse_date(&form.value("due"), today) {
        Ok(day) if day >= today => day,
        Ok(_) => {
            let text = desk.i18n.t("care.due_not_past").to_string();
            form.set_error("due", text);
            desk.error_t("form.fix_fields");
            return Saved::Open;
        }
        Err(_) => {
            let text = desk.i18n.t("form.bad_date").to_string();
            form.set_error("due", text);
            desk.error_t("form.fix_fields");
            return Saved::Open;
        }
    };
    let chosen = form.value("for");
    let (scope, assignee) = match chosen.as_str() {
        "me" => (FollowUpScope::Me, Some(desk.actor.id)),
        other => match other.strip_prefix("op:").and_then(|id| id.parse().ok()) {
            Some(id) => (FollowUpScope::Me, Some(id)),
            None => (FollowUpScope::Anyone, None),
        },
    };
    let new = NewReminder {
        customer_id: form.entity_id,
        due_on,
        title: form.value("title"),
        note: Some(form.value("note")).filter(|n| !n.trim().is_empty()),
        scope,
        assignee,
    };
    match desk.store.add_reminder(&desk.actor, &new) {
        Ok(id) => {
            desk.own_write();
            let text = desk.i18n.f(
                "care.added",
                &[("id", &id.to_string()), ("due", &due_on.to_string())],
            );
            desk.info(text);
            desk.post(Msg::DataChanged);
            Saved::Closed
        }
        Err(e) => super::refused(form, e, field_of, desk),
    }
}

/// A reminder form from a draft of an earlier session.
pub fn restore(draft: &Draft, kind: FormKind, desk: &mut Desk) -> Option<(Form, Vec<Msg>)> {
    let open_card = vec![Msg::OpenCustomer {
        id: draft.entity_id,
        focus: true,
    }];
    match kind {
        FormKind::NewReminder => {
            let card = match desk.store.reload_card(&desk.actor, draft.entity_id) {
                Ok(card) => card,
                Err(e) => {
                    desk.store_error(&e);
                    return None;
                }
            };
            let mut form = new_reminder_form(&card, desk);
            form.restore_draft(&draft.content);
            Some((form, open_card))
        }
        _ => {
            let mut blank = Form::new(FormKind::ReminderStep, Vec::new());
            blank.restore_draft(&draft.content);
            let id = blank
                .extra
                .get(REMINDER)
                .and_then(|i| i.parse::<i64>().ok());
            let row = match id.map(|id| desk.store.care_row(&desk.actor, id)) {
                Some(Ok(row)) if row.status.is_open() => row,
                Some(Err(e)) => {
                    desk.store_error(&e);
                    return None;
                }
                _ => {
                    let text = desk.i18n.f("draft.unknown_form", &[("form", &draft.form)]);
                    desk.warn(text);
                    return None;
                }
            };
            let mut form = match blank.extra.get(STEP).map(String::as_str) {
                Some("snooze") => snooze_form(&row, desk.store.care_today(), &desk.i18n),
                _ => skip_form(&row, &desk.i18n),
            };
            form.restore_draft(&draft.content);
            Some((form, open_card))
        }
    }
}
