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

/// What happened to which complaint: `complaint #12 opened (new):`, `complaint #12 in
/// progress → escalated:`, or a step that left the status as it was by its name.
pub fn event_heading(e: &ComplaintEvent, i18n: &I18n) -> String {
    let id = e.complaint_id.to_string();
    match (&e.from_status, &e.to_status) {
        (_, Some(to)) if e.kind == "opened" => i18n.f(
            "log.complaint_opened",
            &[("id", &id), ("status", &i18n.value("status", to))],
        ),
        (Some(from), Some(to)) if from != to => i18n.f(
            "log.complaint_status",
            &[
                ("id", &id),
                ("from", &i18n.value("status", from)),
                ("to", &i18n.value("status", to)),
            ],
        ),
        _ => i18n.f(
            "log.complaint_event",
            &[("id", &id), ("kind", &step_name(e, i18n))],
        ),
    }
}

/// The heading and the space after it: none after a full-width colon, which has its own
/// (`投诉 #12 补偿：积分 200`, not `补偿： 积分 200`).
pub fn heading_with_gap(heading: &str) -> String {
    if heading.ends_with('：') {
        heading.to_string()
    } else {
        format!("{heading} ")
    }
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
        EventFact::FollowUp {
            csat,
            scale,
            satisfied,
        } => i18n.f(
            if *satisfied {
                "fact.follow_up_satisfied"
            } else {
                "fact.follow_up_unsatisfied"
            },
            &[("csat", &csat.to_string()), ("scale", &scale.to_string())],
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
        EventFact::HandedOver { from, to } => i18n.f(
            "fact.handed_over",
            &[("from", &sanitize(&from.name)), ("to", &sanitize(&to.name))],
        ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::complaint_fact::NamedOperator;
    use crate::domain::customer::Channel;
    use crate::domain::interaction::LogRules;
    use crate::tui::i18n::Lang;
    use crate::tui::theme::Theme;
    use chrono::{TimeZone, Utc};

    fn event(kind: &str, text: Option<&str>, fact: Option<EventFact>) -> ComplaintEvent {
        ComplaintEvent {
            id: 1,
            complaint_id: 7,
            complaint_title: "快递三天没动".into(),
            at: Utc.with_ymd_and_hms(2026, 11, 23, 2, 30, 0).unwrap(),
            kind: kind.into(),
            from_status: None,
            to_status: None,
            text: text.map(str::to_string),
            fact,
            customer_contact: false,
            operator: "li.na".into(),
            operator_name: "李娜".into(),
            interaction_id: None,
        }
    }

    /// Each event's words on the zh-CN screen and on the English one.
    fn words(e: &ComplaintEvent) -> (Option<String>, Option<String>) {
        let theme = Theme::mono();
        let rules = LogRules::default();
        let said = |lang| {
            let i18n = I18n::new(lang);
            let view = View::for_test(&theme, &i18n, &rules, e.at);
            event_words(e, &view)
        };
        (said(Lang::ZhCn), said(Lang::En))
    }

    fn both(zh: &str, en: &str) -> (Option<String>, Option<String>) {
        (Some(zh.to_string()), Some(en.to_string()))
    }

    #[test]
    fn every_fact_reads_in_the_screens_language_money_in_yuan_points_as_points() {
        let compensation = |kind, amount| EventFact::Compensation { kind, amount };
        assert_eq!(
            words(&event(
                "compensate",
                Some("延误补偿"),
                Some(compensation(Compensation::Points, 200))
            )),
            both("积分 200：延误补偿", "points 200: 延误补偿")
        );
        assert_eq!(
            words(&event(
                "compensate",
                None,
                Some(compensation(Compensation::FreeRepair, 120_050))
            )),
            both("免费维修 ¥1,200.50", "free repair ¥1,200.50")
        );
        assert_eq!(
            words(&event(
                "compensate",
                None,
                Some(compensation(Compensation::Apology, 0))
            )),
            both("致歉", "apology")
        );
        let follow_up = EventFact::FollowUp {
            csat: 2,
            scale: 5,
            satisfied: false,
        };
        assert_eq!(
            words(&event("follow_up", None, Some(follow_up))),
            both("满意度 2/5 分，不满意", "CSAT 2/5, not satisfied")
        );
        let escalated = EventFact::Escalated {
            level: 3,
            reassigned_to: None,
        };
        assert_eq!(
            words(&event("escalate", Some("客户要求"), Some(escalated))),
            both(
                "升级至 3 级（经理）：客户要求",
                "to level 3 (manager): 客户要求"
            )
        );
        let to_supervisor = EventFact::Escalated {
            level: 2,
            reassigned_to: Some(NamedOperator {
                login: "wang.fang".into(),
                name: "王芳".into(),
            }),
        };
        assert_eq!(
            words(&event("escalate", None, Some(to_supervisor))),
            both(
                "升级至 2 级（主管），改派给 王芳",
                "to level 2 (supervisor), reassigned to 王芳"
            )
        );
        let contact = EventFact::Contact {
            interaction_id: 42,
            channel: Channel::PhoneIn,
        };
        assert_eq!(
            words(&event("contact", None, Some(contact))),
            both("联系记录 #42（电话呼入）", "contact #42 by phone in")
        );
        // Neither a fact nor a text: nothing to say (the log shows the title instead).
        assert_eq!(words(&event("claim", None, None)), (None, None));
        // A note's text alone, a line however many it had.
        assert_eq!(
            words(&event("note", Some("第一行\n第二行"), None)),
            both("第一行 第二行", "第一行 第二行")
        );
    }
}
