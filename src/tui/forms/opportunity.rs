//! The sales-opportunity forms of the card: `o` adds one (title, product or interest, amount,
//! stage, expected close, owner), `m` moves one of the customer's open opportunities to another
//! stage or closes it won or lost (a reason needed for lost). Both keep drafts as every form
//! does; the stage rules are `domain::opportunity`'s, checked here first so that a refusal is
//! worded in the screen's language, then by the store.

use super::{FormKind, Saved};
use crate::domain::date_input::parse_date;
use crate::domain::operator::Permission;
use crate::domain::opportunity::{check_move, MoveRefused, Stage};
use crate::domain::tier::{format_money, parse_money};
use crate::store::{CardData, Draft, NewOpportunity, StageMove};
use crate::text::sanitize;
use crate::tui::component::Msg;
use crate::tui::desk::Desk;
use crate::tui::i18n::I18n;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

/// Keys of [`Form::extra`] in the move form: each listed opportunity's stage and version.
fn stage_key(id: &str) -> String {
    format!("stage:{id}")
}
fn version_key(id: &str) -> String {
    format!("version:{id}")
}

fn subtitle(card: &CardData) -> String {
    format!("{} {}", card.customer.code, card.customer.fields.name)
}

/// `o` on the card: a new opportunity, at lead, owned by the operator unless changed.
pub fn new_form(card: &CardData, desk: &Desk) -> Form {
    let mut owners = vec![desk.actor.id.to_string()];
    let mut labels = vec![desk.i18n.t("opportunity.owner_me").to_string()];
    if desk.actor.may(Permission::WorkOthersOpportunities) {
        if let Ok(operators) = desk.store.operators() {
            for o in operators
                .iter()
                .filter(|o| o.active && o.id != desk.actor.id)
            {
                owners.push(o.id.to_string());
                labels.push(format!("{} ({})", o.name, o.login));
            }
        }
    }
    let stages: Vec<&str> = Stage::OPEN.iter().map(|s| s.as_str()).collect();
    let mut form = Form::new(
        FormKind::NewOpportunity,
        vec![
            Field::new("title", "field.opportunity_title", FieldKind::Text).required(),
            Field::new("product", "field.opportunity_product", FieldKind::Text),
            Field::new("amount", "field.opportunity_amount", FieldKind::Text),
            Field::new(
                "stage",
                "field.opportunity_stage",
                FieldKind::Choice(Choices::of("opp_stage", &stages)),
            ),
            Field::new("close", "field.opportunity_close", FieldKind::Date),
            Field::new(
                "owner",
                "field.owner",
                FieldKind::Choice(Choices::given(owners, labels)),
            ),
        ],
    );
    form.entity_id = card.customer.id;
    form.subtitle = subtitle(card);
    form.set("close", "+1m");
    form
}

/// `m` on the card: one of the open opportunities to move or close.
pub fn move_form(card: &CardData, i18n: &I18n) -> Form {
    let mut ids = Vec::new();
    let mut labels = Vec::new();
    let mut extra = Vec::new();
    for o in &card.opportunities {
        ids.push(o.id.to_string());
        labels.push(format!(
            "#{} {} · {} · ¥{}",
            o.id,
            sanitize(&o.title),
            i18n.value("opp_stage", o.stage.as_str()),
            format_money(o.amount)
        ));
        extra.push((o.id.to_string(), o.stage, o.version));
    }
    // No stage is chosen for the operator: a bare Ctrl-S must not move a deal on (won and
    // lost are final), so the first choice is "—", refused as required.
    let stages: Vec<&str> = std::iter::once("")
        .chain(Stage::ALL.iter().map(|s| s.as_str()))
        .collect();
    let mut form = Form::new(
        FormKind::MoveOpportunity,
        vec![
            Field::new(
                "opportunity",
                "field.opportunity",
                FieldKind::Choice(Choices::given(ids, labels)),
            ),
            Field::new(
                "stage",
                "field.opportunity_new_stage",
                FieldKind::Choice(Choices::of("opp_stage", &stages)),
            ),
            Field::new("reason", "field.opportunity_reason", FieldKind::Text),
        ],
    );
    form.entity_id = card.customer.id;
    form.subtitle = subtitle(card);
    for (id, stage, version) in extra {
        form.extra.insert(stage_key(&id), stage.as_str().into());
        form.extra.insert(version_key(&id), version.to_string());
    }
    // With one opportunity there is nothing to choose there: the new stage has the keys.
    if card.opportunities.len() == 1 {
        form.focus_on("stage");
    }
    form
}

fn fail(form: &mut Form, field: &str, text: String, desk: &mut Desk) -> Saved {
    form.set_error(field, text);
    desk.error_t("form.fix_fields");
    Saved::Open
}

fn field_of(field: &str) -> Option<&'static str> {
    match field {
        "title" => Some("title"),
        "product" => Some("product"),
        "amount" => Some("amount"),
        "stage" => Some("stage"),
        "expected_close" => Some("close"),
        "owner" => Some("owner"),
        "reason" => Some("reason"),
        _ => None,
    }
}

/// Ctrl-S on the new-opportunity form. Every field in the wrong is marked at once.
pub fn save_new(form: &mut Form, desk: &mut Desk) -> Saved {
    let today = desk.store.today();
    let mut ok = form.check_basics(&desk.i18n, today);
    let typed = form.value("amount");
    let amount = if typed.trim().is_empty() {
        0
    } else {
        match parse_money(&typed) {
            Some(fen) if fen >= 0 => fen,
            _ => {
                form.set_error("amount", desk.i18n.t("opportunity.bad_amount").to_string());
                ok = false;
                0
            }
        }
    };
    let close = form.value("close");
    let expected_close = match close.trim() {
        "" => None,
        text => match parse_date(text, today) {
            Ok(day) if day >= today => Some(day),
            Ok(_) => {
                form.set_error("close", desk.i18n.t("opportunity.close_past").to_string());
                ok = false;
                None
            }
            Err(_) => {
                form.set_error("close", desk.i18n.t("form.bad_date").to_string());
                ok = false;
                None
            }
        },
    };
    if !ok {
        desk.error_t("form.fix_fields");
        return Saved::Open;
    }
    let stage = form.value("stage").parse::<Stage>().unwrap_or(Stage::Lead);
    let owner_id = form.value("owner").parse::<i64>().ok();
    let product = Some(form.value("product")).filter(|p| !p.trim().is_empty());
    let new = NewOpportunity {
        customer_id: form.entity_id,
        title: form.value("title"),
        product,
        amount,
        stage,
        expected_close,
        owner_id,
    };
    match desk.store.add_opportunity(&desk.actor, &new) {
        Ok(id) => {
            desk.own_write();
            let text = desk.i18n.f(
                "opportunity.added",
                &[
                    ("id", &id.to_string()),
                    ("stage", &desk.i18n.value("opp_stage", stage.as_str())),
                ],
            );
            desk.info(text);
            desk.post(Msg::DataChanged);
            Saved::Closed
        }
        Err(e) => super::refused(form, e, field_of, desk),
    }
}

/// A refused move in the screen's language.
fn refused_text(refused: &MoveRefused, i18n: &I18n) -> String {
    match refused {
        MoveRefused::Same(s) => i18n.f(
            "opportunity.refused_same",
            &[("stage", &i18n.value("opp_stage", s.as_str()))],
        ),
        MoveRefused::TooFarBack { from, back } => i18n.f(
            "opportunity.refused_too_far_back",
            &[
                ("from", &i18n.value("opp_stage", from.as_str())),
                ("back", &i18n.value("opp_stage", back.as_str())),
            ],
        ),
        MoveRefused::WonIsFinal => i18n.t("opportunity.refused_won_final").to_string(),
        MoveRefused::LostIsClosed => i18n.t("opportunity.refused_lost_closed").to_string(),
        MoveRefused::LostNeedsReason => i18n.t("opportunity.lost_needs_reason").to_string(),
        MoveRefused::ReopenNeedsReason => i18n.t("opportunity.reopen_needs_reason").to_string(),
    }
}

/// Ctrl-S on the move form.
pub fn save_move(form: &mut Form, desk: &mut Desk) -> Saved {
    let chosen = form.value("opportunity");
    let Ok(id) = chosen.parse::<i64>() else {
        let text = desk.i18n.t("form.required").to_string();
        return fail(form, "opportunity", text, desk);
    };
    let Ok(to) = form.value("stage").parse::<Stage>() else {
        let text = desk.i18n.t("form.required").to_string();
        return fail(form, "stage", text, desk);
    };
    let reason = Some(form.value("reason")).filter(|r| !r.trim().is_empty());
    let from = form
        .extra
        .get(&stage_key(&chosen))
        .and_then(|s| s.parse::<Stage>().ok());
    if let Some(from) = from {
        if let Err(refused) = check_move(from, to, reason.as_deref()) {
            let field = match refused {
                MoveRefused::LostNeedsReason | MoveRefused::ReopenNeedsReason => "reason",
                _ => "stage",
            };
            let text = refused_text(&refused, &desk.i18n);
            return fail(form, field, text, desk);
        }
    }
    let version = form
        .extra
        .get(&version_key(&chosen))
        .and_then(|v| v.parse::<i64>().ok());
    match desk.store.move_opportunity(
        &desk.actor,
        id,
        &StageMove {
            to,
            reason,
            version,
        },
    ) {
        Ok(moved) => {
            desk.own_write();
            let text = desk.i18n.f(
                "opportunity.moved",
                &[
                    ("id", &id.to_string()),
                    ("stage", &desk.i18n.value("opp_stage", moved.stage.as_str())),
                ],
            );
            desk.info(text);
            desk.post(Msg::DataChanged);
            Saved::Closed
        }
        Err(e) => super::refused(form, e, field_of, desk),
    }
}

/// An opportunity form from a draft of an earlier session: the customer's card read again,
/// the form made afresh from it, and what was typed put back.
pub fn restore(draft: &Draft, kind: FormKind, desk: &mut Desk) -> Option<(Form, Vec<Msg>)> {
    let card = match desk.store.reload_card(&desk.actor, draft.entity_id) {
        Ok(card) if !card.customer.restricted => card,
        Ok(_) => {
            desk.warn_t("card.restricted_opportunity");
            return None;
        }
        Err(e) => {
            desk.store_error(&e);
            return None;
        }
    };
    let mut form = match kind {
        FormKind::MoveOpportunity if card.opportunities.is_empty() => {
            desk.warn_t("card.no_open_opportunities");
            return None;
        }
        FormKind::MoveOpportunity => move_form(&card, &desk.i18n),
        _ => new_form(&card, desk),
    };
    form.restore_draft(&draft.content);
    Some((
        form,
        vec![Msg::OpenCustomer {
            id: draft.entity_id,
            focus: true,
        }],
    ))
}
