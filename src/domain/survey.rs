//! Surveys (DESIGN §3.7, issue 16): CSAT (1–5) after a contact or a complaint's follow-up, and
//! NPS (0–10, "how likely are you to recommend us") asked at most once per customer in a
//! configurable number of days.

use serde::{Deserialize, Serialize};

use super::customer::FieldError;
use super::vocabulary;

vocabulary!(
    /// What a survey asked.
    SurveyKind {
        Csat => "csat",
        Nps => "nps"
    }
);

/// `[surveys]` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SurveyRules {
    /// NPS is asked of one customer at most once in this many days.
    pub nps_every_days: u32,
}

impl Default for SurveyRules {
    fn default() -> Self {
        SurveyRules { nps_every_days: 90 }
    }
}

/// Longest comment a survey keeps, in characters.
pub const COMMENT_MAX: usize = 1000;

/// Checks a score on its kind's scale and the comment; the comment trimmed, none if blank.
pub fn check(
    kind: SurveyKind,
    score: i64,
    comment: Option<&str>,
) -> Result<Option<String>, FieldError> {
    let (field, low, high) = match kind {
        SurveyKind::Csat => ("csat", 1, 5),
        SurveyKind::Nps => ("nps", 0, 10),
    };
    if !(low..=high).contains(&score) {
        return Err(FieldError::new(
            field,
            format!("{score} is not on the scale {low} to {high}"),
        ));
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = comment {
        if c.chars().count() > COMMENT_MAX {
            return Err(FieldError::new(
                "comment",
                format!("is longer than {COMMENT_MAX} characters"),
            ));
        }
        if c.chars().any(|ch| ch.is_control() && ch != '\n') {
            return Err(FieldError::new("comment", "contains control characters"));
        }
    }
    Ok(comment.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_held_to_their_scales() {
        assert!(check(SurveyKind::Csat, 1, None).is_ok());
        assert!(check(SurveyKind::Csat, 5, None).is_ok());
        let e = check(SurveyKind::Csat, 6, None).expect_err("6 of 5");
        assert_eq!(
            (e.field.as_str(), e.reason.as_str()),
            ("csat", "6 is not on the scale 1 to 5")
        );
        assert!(check(SurveyKind::Csat, 0, None).is_err());
        assert!(check(SurveyKind::Nps, 0, None).is_ok());
        assert!(check(SurveyKind::Nps, 10, None).is_ok());
        let e = check(SurveyKind::Nps, 11, None).expect_err("11 of 10");
        assert_eq!(e.field, "nps");
        assert_eq!(check(SurveyKind::Nps, 9, Some("  ")), Ok(None));
        assert_eq!(
            check(SurveyKind::Nps, 9, Some(" 服务很好 ")),
            Ok(Some("服务很好".into()))
        );
        assert_eq!(
            check(SurveyKind::Csat, 3, Some("a\u{1b}[2J")).map_err(|e| e.field),
            Err("comment".into())
        );
    }
}
