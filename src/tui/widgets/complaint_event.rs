//! One complaint event in words, in the screen's language: the step's name and what careline
//! recorded about it (a compensation's amount in yuan, the CSAT score, the complaint merged,
//! the level and operator of an escalation …) followed by what the operator typed. The log
//! pane, the complaint's detail and the card all word events here, so that they read alike.

use crate::domain::complaint_fact::{clock_text, compensation_amount, EventFact};
use crate::domain::complaint_step::{level_name, Compensation};
use crate::store::ComplaintEvent;
use crate::text::sanitize;
use crate::tui::i18n::I18n;
use crate::tui::view::View;

/// The step's name (`note` sent to the customer reads as such).
pub fn step_name(e: &ComplaintEvent, i18n: &I18n) -> String {
    let step = match e.kind.as_str() {
        "note" if e.customer_contact => "note_to_customer",
        kind => kind,
    };
    i18n.value("step", step)
}

/// The fact in the screen's language.
pub fn fact_words(fact: &EventFact, view: &View) -> String {
    let i18n = view.i18n;
    let level = |level: u8| {
        (
            level.to_string(),
            i18n.value("level_name", level_name(level)),
        )
    };
    match fact {
        EventFact::Compensation { kind, amount } => {
            let name = i18n.value("compensation", kind.as_str());
            if *kind == Compensation::Apology && *amount == 0 {
                name
            } else {
                i18n.f(
                    "fact.compensation",
                    &[
                        ("kind", &name),
                        ("amount", &compensation_amount(*kind, *amount)),
                    ],
                )
            }
        }
        EventFact::FollowUp { csat, satisfied } => i18n.f(
            if *satisfied {
                "fact.follow_up_satisfied"
            } else {
                "fact.follow_up_unsatisfied"
            },
            &[("csat", &csat.to_string())],
        ),
        EventFact::MergedInto { complaint_id } => {
            i18n.f("fact.merged_into", &[("id", &complaint_id.to_string())])
        }
        EventFact::MergedFrom { complaint_id } => {
            i18n.f("fact.merged_from", &[("id", &complaint_id.to_string())])
        }
        EventFact::Escalated {
            level: to,
            reassigned_to,
        } => {
            let (number, name) = level(*to);
            match reassigned_to {
                Some(who) => i18n.f(
                    "fact.escalated_to",
                    &[
                        ("level", &number),
                        ("name", &name),
                        ("who", &sanitize(&who.name)),
                    ],
                ),
                None => i18n.f("fact.escalated", &[("level", &number), ("name", &name)]),
            }
        }
        EventFact::AutoEscalated {
            clock,
            due_at,
            level: to,
        } => {
            let (number, name) = level(*to);
            i18n.f(
                "fact.auto_escalated",
                &[
                    ("clock", &i18n.value("clock", clock_text(*clock))),
                    (
                        "due",
                        &due_at
                            .with_timezone(&view.tz)
                            .format("%m-%d %H:%M")
                            .to_string(),
                    ),
                    ("level", &number),
                    ("name", &name),
                ],
            )
        }
        EventFact::TakenOver { from } => {
            i18n.f("fact.taken_over", &[("who", &sanitize(&from.name))])
        }
        EventFact::Contact {
            interaction_id,
            channel,
        } => i18n.f(
            "fact.contact",
            &[
                ("id", &interaction_id.to_string()),
                ("channel", &i18n.value("channel", channel.as_str())),
            ],
        ),
    }
}

/// What the event says on one line: its fact in words, then what the operator typed (or the
/// text an event written before facts were kept has); `None` when it has neither.
pub fn event_words(e: &ComplaintEvent, view: &View) -> Option<String> {
    let text = e
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| sanitize(t).replace('\n', " "));
    let fact = e.fact.as_ref().map(|f| fact_words(f, view));
    match (fact, text) {
        (Some(fact), Some(text)) => Some(
            view.i18n
                .f("fact.with_text", &[("fact", &fact), ("text", &text)]),
        ),
        (fact, text) => fact.or(text),
    }
}
