//! Redeeming a customer's loyalty points from the card (`p`): how many, and what for. Saved,
//! it is a contact in the log and a row of the points ledger (`Store::redeem_points`); more
//! than the balance is refused beside the field.

use super::{FormKind, Saved};
use crate::domain::customer::Channel;
use crate::store::{CardData, Draft, StoreError};
use crate::tui::component::Msg;
use crate::tui::desk::Desk;
use crate::tui::widgets::form::{Field, FieldKind, Form};

/// Key of [`Form::extra`]: the customer's code.
const CODE: &str = "code";

/// `p` on a customer's card.
pub fn redeem_form(card: &CardData, desk: &Desk) -> Form {
    let mut form = Form::new(
        FormKind::RedeemPoints,
        vec![
            Field::new("points", "field.redeem_points", FieldKind::Text).required(),
            Field::new("reason", "field.redeem_reason", FieldKind::Text).required(),
        ],
    );
    let c = &card.customer;
    form.entity_id = c.id;
    form.subtitle = desk.i18n.f(
        "redeem.subtitle",
        &[
            ("code", &c.code),
            ("name", &c.fields.name),
            ("balance", &c.points.to_string()),
        ],
    );
    form.extra.insert(CODE.into(), c.code.clone());
    form
}

/// Ctrl-S on the redeem form.
pub fn save(form: &mut Form, desk: &mut Desk) -> Saved {
    let today = desk.today();
    // Every field in the wrong is marked at once.
    let basics = form.check_basics(&desk.i18n, today);
    let points = match form.value("points").trim().parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        // An empty one is already marked as required.
        _ if form.value("points").trim().is_empty() => None,
        _ => {
            let text = desk.i18n.t("redeem.bad_points").to_string();
            form.set_error("points", text);
            None
        }
    };
    // More than the balance is marked with the rest (the store checks it again on saving).
    let id = form.entity_id;
    let points = match (points, desk.store.points_balance(&desk.actor, id)) {
        (Some(n), Ok(b)) if n > b.balance => {
            let text = desk.i18n.f(
                "redeem.over_balance",
                &[("balance", &b.balance.to_string())],
            );
            form.set_error("points", text);
            None
        }
        (points, _) => points,
    };
    let (true, Some(points)) = (basics, points) else {
        desk.error_t("form.fix_fields");
        return Saved::Open;
    };
    let code = form.extra.get(CODE).cloned().unwrap_or_default();
    let reason = form.value("reason");
    match desk
        .store
        .redeem_points(&desk.actor, id, points, &reason, Channel::PhoneIn)
    {
        Ok(done) => {
            desk.own_write();
            let text = desk.i18n.f(
                "redeem.done",
                &[
                    ("points", &done.points.to_string()),
                    ("code", &code),
                    ("balance", &done.balance.to_string()),
                ],
            );
            desk.info(text);
            desk.post(Msg::DataChanged);
            Saved::Closed
        }
        Err(StoreError::Invalid(errors)) if errors.iter().any(|e| e.field == "points") => {
            // More than the balance, as read when saving.
            let balance = desk
                .store
                .points_balance(&desk.actor, id)
                .map(|b| b.balance)
                .unwrap_or_default();
            let text = desk
                .i18n
                .f("redeem.over_balance", &[("balance", &balance.to_string())]);
            form.set_error("points", text);
            desk.error_t("form.fix_fields");
            Saved::Open
        }
        Err(e) => {
            desk.store_error(&e);
            Saved::Open
        }
    }
}

/// The redeem form from a draft of an earlier session, beside the customer's card.
pub fn restore(draft: &Draft, desk: &mut Desk) -> Option<(Form, Vec<Msg>)> {
    let card = match desk.store.reload_card(&desk.actor, draft.entity_id) {
        Ok(card) => card,
        Err(e) => {
            desk.store_error(&e);
            return None;
        }
    };
    let mut form = redeem_form(&card, desk);
    form.restore_draft(&draft.content);
    Some((
        form,
        vec![Msg::OpenCustomer {
            id: draft.entity_id,
            focus: true,
        }],
    ))
}
