//! The forms of access to confidential customers (DESIGN §6): an operator asks for access
//! from the card (`a`: a reason); a supervisor grants a request for some minutes with a note,
//! refuses it saying why (the Access pane's `y` and `x`), or grants an operator access
//! directly from the card (`a`: whom, how long, why).

use super::{mark_errors, FormKind, Saved};
use crate::domain::operator::Role;
use crate::store::{AccessRequest, CardData, Draft, StoreError};
use crate::tui::component::Msg;
use crate::tui::desk::Desk;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

/// Key of [`Form::extra`]: the customer's code (asking, giving) or the request's (deciding).
const CODE: &str = "code";

fn minutes_field() -> Field {
    Field::new("minutes", "field.access_minutes", FieldKind::Text).required()
}

/// `a` on a confidential customer's card, for an operator who may not see it.
pub fn ask_form(card: &CardData) -> Form {
    let mut form = Form::new(
        FormKind::AccessAsk,
        vec![Field::new("reason", "field.access_reason", FieldKind::Text).required()],
    );
    form.entity_id = card.customer.id;
    form.subtitle = card.customer.code.clone();
    form.extra.insert(CODE.into(), card.customer.code.clone());
    form
}

/// `a` on a confidential customer's card, for a supervisor: access for an operator who may
/// not see it, for some minutes, with a reason. `None` (said) when no operator needs one.
pub fn give_form(card: &CardData, desk: &mut Desk) -> Option<Form> {
    let operators = match desk.store.operators() {
        Ok(all) => all,
        Err(e) => {
            desk.store_error(&e);
            return None;
        }
    };
    let (values, labels): (Vec<String>, Vec<String>) = operators
        .iter()
        .filter(|o| o.active && o.role == Role::Operator && o.id != desk.actor.id)
        .map(|o| (o.login.clone(), format!("{} ({})", o.name, o.login)))
        .unzip();
    if values.is_empty() {
        desk.warn_t("access.no_operator_needs");
        return None;
    }
    let mut form = Form::new(
        FormKind::AccessGive,
        vec![
            Field::new(
                "to",
                "field.access_to",
                FieldKind::Choice(Choices::given(values, labels)),
            ),
            minutes_field(),
            Field::new("reason", "field.access_reason", FieldKind::Text).required(),
        ],
    );
    form.entity_id = card.customer.id;
    form.subtitle = format!("{} {}", card.customer.code, card.customer.fields.name);
    form.extra.insert(CODE.into(), card.customer.code.clone());
    form.set("minutes", &desk.settings.grants.default_minutes.to_string());
    Some(form)
}

fn request_subtitle(r: &AccessRequest) -> String {
    format!(
        "#{} {} · {} ({}) · {}",
        r.id, r.customer_code, r.operator_name, r.login, r.reason
    )
}

/// `y` in the Access pane: grant a waiting request for some minutes, with a note.
pub fn grant_form(r: &AccessRequest, default_minutes: u32) -> Form {
    let mut form = Form::new(
        FormKind::AccessGrant,
        vec![
            minutes_field(),
            Field::new("note", "field.access_note", FieldKind::Text),
        ],
    );
    form.entity_id = r.id;
    form.subtitle = request_subtitle(r);
    form.extra.insert(CODE.into(), r.customer_code.clone());
    form.set("minutes", &default_minutes.to_string());
    form
}

/// `x` in the Access pane: refuse a waiting request, saying why (the operator reads it).
pub fn refuse_form(r: &AccessRequest) -> Form {
    let mut form = Form::new(
        FormKind::AccessRefuse,
        vec![Field::new("reason", "field.refuse_reason", FieldKind::Text).required()],
    );
    form.entity_id = r.id;
    form.subtitle = request_subtitle(r);
    form.extra.insert(CODE.into(), r.customer_code.clone());
    form
}

fn field_of(field: &str) -> Option<&'static str> {
    match field {
        "reason" => Some("reason"),
        "minutes" => Some("minutes"),
        "note" => Some("note"),
        "to" | "login" => Some("to"),
        _ => None,
    }
}

/// The minutes typed, or the reason they will not do (marked on the form).
fn minutes(form: &mut Form, desk: &mut Desk) -> Option<u32> {
    let rules = &desk.settings.grants;
    let typed = form.value("minutes");
    let problem = match typed.trim().parse::<u32>() {
        Ok(m) => match rules.minutes(Some(m)) {
            Ok(m) => return Some(m),
            Err(e) => crate::tui::field_errors::field(&e, &desk.i18n),
        },
        Err(_) => desk.i18n.f(
            "access.bad_minutes",
            &[("max", &rules.max_minutes.to_string())],
        ),
    };
    form.set_error("minutes", problem);
    None
}

/// What a failed save says: a field's reason beside it, anything else on the message line.
fn refused(form: &mut Form, e: StoreError, desk: &mut Desk) -> Saved {
    match e {
        StoreError::Invalid(errors) => {
            mark_errors(form, &errors, field_of, desk);
            desk.error_t("form.fix_fields");
        }
        e => desk.store_error(&e),
    }
    Saved::Open
}

/// Ctrl-S on an access form.
pub fn save(form: &mut Form, desk: &mut Desk) -> Saved {
    let today = desk.today();
    if !form.check_basics(&desk.i18n, today) {
        desk.error_t("form.fix_fields");
        return Saved::Open;
    }
    let code = form.extra.get(CODE).cloned().unwrap_or_default();
    let id = form.entity_id;
    let saved = match form.kind {
        FormKind::AccessAsk => desk
            .store
            .request_access(&desk.actor, id, &form.value("reason"))
            .map(|asked| {
                let key = if asked.already {
                    "access.asked_already"
                } else {
                    "access.asked"
                };
                let at = asked
                    .requested_at
                    .with_timezone(&desk.settings.tz)
                    .format("%H:%M")
                    .to_string();
                desk.i18n.f(
                    key,
                    &[("code", &code), ("id", &asked.id.to_string()), ("at", &at)],
                )
            }),
        FormKind::AccessGrant => {
            let Some(minutes) = minutes(form, desk) else {
                desk.error_t("form.fix_fields");
                return Saved::Open;
            };
            let note = form.value("note");
            let rules = desk.settings.grants.clone();
            desk.store
                .decide_access(
                    &desk.actor,
                    id,
                    true,
                    Some(minutes),
                    Some(note.as_str()).filter(|n| !n.trim().is_empty()),
                    &rules,
                )
                .map(|r| until_text("access.granted", &r.login, r.expires_at, &code, desk))
        }
        FormKind::AccessRefuse => {
            let rules = desk.settings.grants.clone();
            desk.store
                .decide_access(
                    &desk.actor,
                    id,
                    false,
                    None,
                    Some(&form.value("reason")),
                    &rules,
                )
                .map(|r| {
                    desk.i18n.f(
                        "access.refused",
                        &[("id", &r.id.to_string()), ("login", &r.login)],
                    )
                })
        }
        FormKind::AccessGive => {
            let Some(minutes) = minutes(form, desk) else {
                desk.error_t("form.fix_fields");
                return Saved::Open;
            };
            let rules = desk.settings.grants.clone();
            desk.store
                .grant_access(
                    &desk.actor,
                    id,
                    &form.value("to"),
                    &form.value("reason"),
                    Some(minutes),
                    &rules,
                )
                .map(|g| until_text("access.granted", &g.login, Some(g.expires_at), &code, desk))
        }
        _ => return Saved::Open,
    };
    match saved {
        Ok(text) => {
            desk.own_write();
            desk.info(text);
            desk.post(Msg::DataChanged);
            Saved::Closed
        }
        Err(e) => refused(form, e, desk),
    }
}

fn until_text(
    key: &str,
    login: &str,
    until: Option<chrono::DateTime<chrono::Utc>>,
    code: &str,
    desk: &Desk,
) -> String {
    let until = until
        .map(|u| {
            u.with_timezone(&desk.settings.tz)
                .format("%H:%M")
                .to_string()
        })
        .unwrap_or_default();
    desk.i18n
        .f(key, &[("login", login), ("code", code), ("until", &until)])
}

/// An access form from a draft of an earlier session: asking and giving beside the
/// customer's card; deciding when the request still waits.
pub fn restore(draft: &Draft, kind: FormKind, desk: &mut Desk) -> Option<(Form, Vec<Msg>)> {
    let mut form = match kind {
        FormKind::AccessAsk | FormKind::AccessGive => {
            let card = match desk.store.reload_card(&desk.actor, draft.entity_id) {
                Ok(card) => card,
                Err(e) => {
                    desk.store_error(&e);
                    return None;
                }
            };
            let form = if kind == FormKind::AccessAsk {
                Some(ask_form(&card))
            } else {
                give_form(&card, desk)
            };
            let mut form = form?;
            form.restore_draft(&draft.content);
            return Some((
                form,
                vec![Msg::OpenCustomer {
                    id: draft.entity_id,
                    focus: true,
                }],
            ));
        }
        _ => {
            let waiting = match desk.store.access_requests(&desk.actor, false) {
                Ok(all) => all.into_iter().find(|r| r.id == draft.entity_id),
                Err(e) => {
                    desk.store_error(&e);
                    return None;
                }
            };
            let Some(r) = waiting else {
                let text = desk.i18n.f(
                    "access.decided_already",
                    &[("id", &draft.entity_id.to_string())],
                );
                desk.warn(text);
                return None;
            };
            if kind == FormKind::AccessGrant {
                grant_form(&r, desk.settings.grants.default_minutes)
            } else {
                refuse_form(&r)
            }
        }
    };
    form.restore_draft(&draft.content);
    Some((form, vec![Msg::Focus(crate::tui::panes::access::ID)]))
}
