//! Sales opportunities (issue 16 item 4): a possible sale to a customer, worked through the
//! stages lead → qualified → proposal → negotiation and closed won, or lost with a reason.
//!
//! Which moves a sales desk allows (the rule the store and the screen both ask):
//! - **forward** from an open stage to any later open stage: a deal may skip a stage (a
//!   customer who asks for a quote at once goes from lead to proposal);
//! - **back one stage** (negotiation → proposal when the customer wants a new offer); further
//!   back is refused, one step at a time, so that the history says each retreat;
//! - **won** from any open stage; **lost** from any open stage, with a reason (why it was lost
//!   is what the desk learns from);
//! - a **lost** one may be **reopened** at any open stage, with a reason (the customer came
//!   back);
//! - **won is final**: a further sale to the same customer is a new opportunity, so that the
//!   won figures of a closed period never change.
//!
//! Amounts are in fen (hundredths of a yuan); the expected close date is a local day.

use chrono::NaiveDate;

use super::customer::FieldError;
use super::vocabulary;

vocabulary!(
    /// Where an opportunity stands.
    Stage {
        Lead => "lead",
        Qualified => "qualified",
        Proposal => "proposal",
        Negotiation => "negotiation",
        Won => "won",
        Lost => "lost"
    }
);

impl Stage {
    /// The open stages, in order.
    pub const OPEN: &'static [Stage] = &[
        Stage::Lead,
        Stage::Qualified,
        Stage::Proposal,
        Stage::Negotiation,
    ];

    /// Whether the opportunity is still being worked.
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Won | Stage::Lost)
    }

    /// An open stage's place in the order (lead 0 … negotiation 3).
    fn rank(self) -> Option<usize> {
        Stage::OPEN.iter().position(|s| *s == self)
    }
}

/// Longest title, product and reason, in characters.
pub const TITLE_MAX: usize = 200;
pub const PRODUCT_MAX: usize = 200;
pub const REASON_MAX: usize = 500;
/// The largest amount taken: ¥10,000,000,000.00 (a typing slip beyond it).
pub const AMOUNT_MAX: i64 = 1_000_000_000_000;

/// An opportunity as typed, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpportunityInput {
    pub title: String,
    pub product: Option<String>,
    /// Fen.
    pub amount: i64,
    pub stage: Stage,
    pub expected_close: Option<NaiveDate>,
}

fn text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(field, "contains control characters"));
    }
    Ok(value.to_string())
}

/// Checks a new opportunity: every problem, each naming its field. `today` is the centre's
/// day (an expected close date is not in the past). Returns the input trimmed.
pub fn check_new(
    input: &OpportunityInput,
    today: NaiveDate,
) -> Result<OpportunityInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = match text("title", &input.title, TITLE_MAX) {
        Ok(t) if t.is_empty() => {
            errors.push(FieldError::new("title", "is empty"));
            t
        }
        Ok(t) => t,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    let product = match input
        .product
        .as_deref()
        .map(|p| text("product", p, PRODUCT_MAX))
    {
        Some(Ok(p)) if p.is_empty() => None,
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => None,
    };
    if input.amount < 0 {
        errors.push(FieldError::new("amount", "is below zero"));
    } else if input.amount > AMOUNT_MAX {
        errors.push(FieldError::new(
            "amount",
            "is over ¥10,000,000,000.00; check the figure",
        ));
    }
    if !input.stage.is_open() {
        errors.push(FieldError::new(
            "stage",
            format!(
                "a new opportunity starts at an open stage ({}); add it, then close it won or lost",
                Stage::OPEN
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if let Some(day) = input.expected_close.filter(|d| *d < today) {
        errors.push(FieldError::new(
            "expected_close",
            format!("{day} is before today ({today})"),
        ));
    }
    if errors.is_empty() {
        Ok(OpportunityInput {
            title,
            product,
            amount: input.amount,
            stage: input.stage,
            expected_close: input.expected_close,
        })
    } else {
        Err(errors)
    }
}

/// Why a stage move is refused (the screen words each in its language).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    #[error("it is at {0} already")]
    Same(Stage),
    #[error("it can go back one stage at a time: from {from} to {back}")]
    TooFarBack { from: Stage, back: Stage },
    #[error("it was won, and won is final; a further sale is a new opportunity")]
    WonIsFinal,
    #[error("it was lost; reopen it at an open stage first")]
    LostIsClosed,
    #[error("give the reason it was lost")]
    LostNeedsReason,
    #[error("give the reason it is reopened")]
    ReopenNeedsReason,
}

/// What kind of move a permitted one is (the audit and the history name it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    Forward,
    Back,
    Won,
    Lost,
    Reopen,
}

impl MoveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::Forward => "forward",
            MoveKind::Back => "back",
            MoveKind::Won => "won",
            MoveKind::Lost => "lost",
            MoveKind::Reopen => "reopen",
        }
    }
}

/// Whether an opportunity at `from` may move to `to` with `reason` (see the module's rules);
/// what kind of move it is.
pub fn check_move(from: Stage, to: Stage, reason: Option<&str>) -> Result<MoveKind, MoveRefused> {
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    if from == to {
        return Err(MoveRefused::Same(from));
    }
    match (from, to) {
        (Stage::Won, _) => Err(MoveRefused::WonIsFinal),
        (Stage::Lost, Stage::Won) => Err(MoveRefused::LostIsClosed),
        (Stage::Lost, _) if !has_reason => Err(MoveRefused::ReopenNeedsReason),
        (Stage::Lost, _) => Ok(MoveKind::Reopen),
        (_, Stage::Won) => Ok(MoveKind::Won),
        (_, Stage::Lost) if !has_reason => Err(MoveRefused::LostNeedsReason),
        (_, Stage::Lost) => Ok(MoveKind::Lost),
        _ => {
            let (a, b) = (from.rank().unwrap_or(0), to.rank().unwrap_or(0));
            if b > a {
                Ok(MoveKind::Forward)
            } else if a - b == 1 {
                Ok(MoveKind::Back)
            } else {
                Err(MoveRefused::TooFarBack {
                    from,
                    back: Stage::OPEN[a - 1],
                })
            }
        }
    }
}

/// Checks a move's reason text (length, control characters); trimmed, none when blank.
pub fn check_reason(reason: Option<&str>) -> Result<Option<String>, FieldError> {
    match reason {
        None => Ok(None),
        Some(r) => {
            let r = text("reason", r, REASON_MAX)?;
            Ok(Some(r).filter(|r| !r.is_empty()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn moves_follow_the_desk_rules() {
        use Stage::*;
        assert_eq!(check_move(Lead, Qualified, None), Ok(MoveKind::Forward));
        assert_eq!(check_move(Lead, Proposal, None), Ok(MoveKind::Forward));
        assert_eq!(check_move(Negotiation, Proposal, None), Ok(MoveKind::Back));
        assert_eq!(
            check_move(Negotiation, Qualified, None),
            Err(MoveRefused::TooFarBack {
                from: Negotiation,
                back: Proposal
            })
        );
        assert_eq!(check_move(Lead, Won, None), Ok(MoveKind::Won));
        assert_eq!(
            check_move(Proposal, Lost, Some("  ")),
            Err(MoveRefused::LostNeedsReason)
        );
        assert_eq!(
            check_move(Proposal, Lost, Some("price")),
            Ok(MoveKind::Lost)
        );
        assert_eq!(
            check_move(Won, Lead, Some("x")),
            Err(MoveRefused::WonIsFinal)
        );
        assert_eq!(
            check_move(Lost, Won, Some("x")),
            Err(MoveRefused::LostIsClosed)
        );
        assert_eq!(
            check_move(Lost, Proposal, None),
            Err(MoveRefused::ReopenNeedsReason)
        );
        assert_eq!(
            check_move(Lost, Proposal, Some("came back")),
            Ok(MoveKind::Reopen)
        );
        assert_eq!(check_move(Lead, Lead, None), Err(MoveRefused::Same(Lead)));
    }

    #[test]
    fn a_new_opportunity_names_each_bad_field() {
        let input = OpportunityInput {
            title: "  ".into(),
            product: Some("x".repeat(201)),
            amount: -1,
            stage: Stage::Won,
            expected_close: Some(day("2026-01-01")),
        };
        let errors = check_new(&input, day("2026-02-01")).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["title", "product", "amount", "stage", "expected_close"]
        );
        let ok = check_new(
            &OpportunityInput {
                title: " Fridge upgrade ".into(),
                product: Some(" ".into()),
                amount: 1_250_000,
                stage: Stage::Lead,
                expected_close: Some(day("2026-02-01")),
            },
            day("2026-02-01"),
        )
        .unwrap();
        assert_eq!(ok.title, "Fridge upgrade");
        assert_eq!(ok.product, None);
    }
}
