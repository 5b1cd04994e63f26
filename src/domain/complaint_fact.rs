//! What careline itself knows about a complaint event, kept apart from what a person typed.
//!
//! An event's `text` is the operator's own words (a reason, a note, the customer's comment);
//! the amount of a compensation, the CSAT score, the complaint merged, the level and the
//! operator an escalation went to, the clock that breached, the contact that was logged are
//! an [`EventFact`], stored as JSON beside the text. Each screen words the fact in its own
//! language; [`EventFact::english`] is the command line's wording. Events written before the
//! facts were kept (schema version 6 and older) have none: their text reads as it was.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::complaint_step::{level_name, Compensation};
use super::customer::Channel;
use super::sla_clock::ClockKind;
use super::tier::format_money;

/// An operator named in a fact: the login and the name as they were when it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedOperator {
    pub login: String,
    pub name: String,
}

/// What careline recorded about an event (in JSON: `type` and the fields of that type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventFact {
    /// A compensation given: `amount` in fen, or points for `points`.
    Compensation { kind: Compensation, amount: i64 },
    /// The follow-up call: the customer's CSAT (1 to `scale`, 5 when not written) and whether
    /// they were satisfied.
    FollowUp {
        csat: u8,
        #[serde(default = "five")]
        scale: u8,
        satisfied: bool,
    },
    /// This complaint was merged into `complaint_id`.
    MergedInto { complaint_id: i64 },
    /// Complaint `complaint_id` was merged into this one.
    MergedFrom { complaint_id: i64 },
    /// Escalated by an operator to `level` (1 specialist, 2 supervisor, 3 manager), and
    /// handed to another operator when `reassigned_to` is set.
    Escalated {
        level: u8,
        reassigned_to: Option<NamedOperator>,
    },
    /// Escalated by careline: the `clock` breached at `due_at`.
    AutoEscalated {
        #[serde(with = "clock_name")]
        clock: ClockKind,
        due_at: DateTime<Utc>,
        level: u8,
    },
    /// A claim that took the complaint over from the operator who held it.
    TakenOver { from: NamedOperator },
    /// Handed from one operator to another with the rest of their work (`careline operator
    /// handover`), by a supervisor.
    HandedOver {
        from: NamedOperator,
        to: NamedOperator,
    },
    /// A logged interaction with the customer about the complaint.
    Contact {
        interaction_id: i64,
        channel: Channel,
    },
}

/// A compensation's amount as people say it: money in yuan (`¥1,200.50`, stored in fen),
/// points as a number.
pub fn compensation_amount(kind: Compensation, amount: i64) -> String {
    match kind {
        Compensation::Points => amount.to_string(),
        _ => format!("¥{}", format_money(amount)),
    }
}

/// The clock's stable name, as `complaint show` and the config name it.
pub fn clock_text(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::Acknowledge => "acknowledge",
        ClockKind::Propose => "propose",
        ClockKind::Resolve => "resolve",
    }
}

impl EventFact {
    /// The fact in English, for the command line; times in `tz` (the centre's time zone).
    pub fn english<Tz>(&self, tz: &Tz) -> String
    where
        Tz: TimeZone,
        Tz::Offset: std::fmt::Display,
    {
        match self {
            EventFact::Compensation { kind, amount } => {
                if *kind == Compensation::Apology && *amount == 0 {
                    kind.to_string()
                } else {
                    format!("{kind} {}", compensation_amount(*kind, *amount))
                }
            }
            EventFact::FollowUp {
                csat,
                scale,
                satisfied,
            } => {
                let verdict = if *satisfied {
                    "satisfied"
                } else {
                    "not satisfied"
                };
                format!("CSAT {csat}/{scale}, {verdict}")
            }
            EventFact::MergedInto { complaint_id } => {
                format!("merged into complaint {complaint_id}")
            }
            EventFact::MergedFrom { complaint_id } => {
                format!("complaint {complaint_id} merged into this one")
            }
            EventFact::Escalated {
                level,
                reassigned_to,
            } => {
                let to = format!("escalated to level {level} ({})", level_name(*level));
                match reassigned_to {
                    Some(who) => format!("{to}, reassigned to {} ({})", who.name, who.login),
                    None => to,
                }
            }
            EventFact::AutoEscalated {
                clock,
                due_at,
                level,
            } => format!(
                "the {} clock breached (due {}); escalated to level {level} ({})",
                clock_text(*clock),
                due_at.with_timezone(tz).format("%Y-%m-%d %H:%M"),
                level_name(*level)
            ),
            EventFact::TakenOver { from } => {
                format!("taken over from {} ({})", from.name, from.login)
            }
            EventFact::HandedOver { from, to } => format!(
                "handed over from {} ({}) to {} ({})",
                from.name, from.login, to.name, to.login
            ),
            EventFact::Contact {
                interaction_id,
                channel,
            } => format!("interaction {interaction_id} ({channel})"),
        }
    }
}

/// A clock as its stable name in JSON.
mod clock_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{clock_text, ClockKind};

    pub fn serialize<S: Serializer>(kind: &ClockKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(clock_text(*kind))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ClockKind, D::Error> {
        let name = String::deserialize(d)?;
        [
            ClockKind::Acknowledge,
            ClockKind::Propose,
            ClockKind::Resolve,
        ]
        .into_iter()
        .find(|k| clock_text(*k) == name)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{name}' is not a clock; use one of: acknowledge, propose, resolve"
            ))
        })
    }
}

/// The CSAT scale of a follow-up written before scales were kept.
fn five() -> u8 {
    5
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn beijing() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).expect("offset")
    }

    #[test]
    fn money_reads_in_yuan_and_points_as_points() {
        let refund = EventFact::Compensation {
            kind: Compensation::Refund,
            amount: 5000,
        };
        assert_eq!(refund.english(&beijing()), "refund ¥50.00");
        let voucher = EventFact::Compensation {
            kind: Compensation::Voucher,
            amount: 120_050,
        };
        assert_eq!(voucher.english(&beijing()), "voucher ¥1,200.50");
        let points = EventFact::Compensation {
            kind: Compensation::Points,
            amount: 200,
        };
        assert_eq!(points.english(&beijing()), "points 200");
        let apology = EventFact::Compensation {
            kind: Compensation::Apology,
            amount: 0,
        };
        assert_eq!(apology.english(&beijing()), "apology");
    }

    #[test]
    fn an_automatic_escalation_names_its_clock_and_deadline_in_the_centres_time() {
        let fact = EventFact::AutoEscalated {
            clock: ClockKind::Acknowledge,
            // 02:30 UTC is 10:30 in Beijing.
            due_at: Utc.with_ymd_and_hms(2026, 5, 6, 2, 30, 0).unwrap(),
            level: 1,
        };
        assert_eq!(
            fact.english(&beijing()),
            "the acknowledge clock breached (due 2026-05-06 10:30); escalated to level 1 \
             (specialist)"
        );
    }

    #[test]
    fn facts_are_stored_as_tagged_json_and_read_back() {
        let fact = EventFact::Escalated {
            level: 2,
            reassigned_to: Some(NamedOperator {
                login: "wang".into(),
                name: "王芳".into(),
            }),
        };
        let json = serde_json::to_string(&fact).expect("json");
        assert_eq!(
            json,
            r#"{"type":"escalated","level":2,"reassigned_to":{"login":"wang","name":"王芳"}}"#
        );
        assert_eq!(
            serde_json::from_str::<EventFact>(&json).expect("read"),
            fact
        );
        let auto: EventFact = serde_json::from_str(
            r#"{"type":"auto_escalated","clock":"resolve","due_at":"2026-05-06T02:30:00Z","level":3}"#,
        )
        .expect("read");
        assert_eq!(
            auto.english(&Utc),
            "the resolve clock breached (due 2026-05-06 02:30); escalated to level 3 (manager)"
        );
        let wrong = serde_json::from_str::<EventFact>(
            r#"{"type":"auto_escalated","clock":"lunch","due_at":"2026-05-06T02:30:00Z","level":3}"#,
        )
        .expect_err("not a clock");
        assert!(
            wrong.to_string().contains("'lunch' is not a clock"),
            "{wrong}"
        );
    }
}
