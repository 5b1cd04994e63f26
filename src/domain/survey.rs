//! Surveys (DESIGN §3.7, issue 16): CSAT (1–5, or 1–10 where a centre's standard uses it)
//! after a contact or a complaint's follow-up, and NPS (0–10, "how likely are you to recommend
//! us") asked at most once per customer in a configurable number of days.

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
    /// The highest CSAT score: 5 (1 to 5) or 10 (1 to 10). Answers keep the scale they were
    /// given on; the reports read them all on this one ([`on_scale`]).
    pub csat_scale: i64,
}

impl Default for SurveyRules {
    fn default() -> Self {
        SurveyRules {
            nps_every_days: 90,
            csat_scale: 5,
        }
    }
}

/// The CSAT scales a centre may use.
pub const CSAT_SCALES: [i64; 2] = [5, 10];

impl SurveyRules {
    /// Refuses a setting careline cannot use, naming it.
    pub fn check(&self) -> Result<(), FieldError> {
        if !CSAT_SCALES.contains(&self.csat_scale) {
            return Err(FieldError::new(
                "surveys.csat_scale",
                format!("{} is not a CSAT scale: use 5 or 10", self.csat_scale),
            ));
        }
        Ok(())
    }

    /// The scale an answer of `kind` is given on now.
    pub fn scale(&self, kind: SurveyKind) -> i64 {
        match kind {
            SurveyKind::Csat => self.csat_scale,
            SurveyKind::Nps => 10,
        }
    }
}

/// A CSAT score given on the scale 1..`from` read on the scale 1..`to`: the same place
/// between the lowest and the highest score, `1 + (score − 1) × (to − 1) / (from − 1)` —
/// 4 of 5 is 7.75 of 10, and 8 of 10 is 4.11 of 5.
pub fn on_scale(score: i64, from: i64, to: i64) -> f64 {
    if from == to || from <= 1 {
        return score as f64;
    }
    1.0 + (score - 1) as f64 * (to - 1) as f64 / (from - 1) as f64
}

/// The whole score of scale 1..`to` nearest to a converted one (halves up), for the CSAT
/// distribution: 3 of 5 (5.5 of 10) counts as a 6.
pub fn nearest(converted: f64, to: i64) -> i64 {
    ((converted + 0.5).floor() as i64).clamp(1, to)
}

/// Longest comment a survey keeps, in characters.
pub const COMMENT_MAX: usize = 1000;

/// Checks a score on its kind's scale (`scale`, the highest CSAT score) and the comment; the
/// comment trimmed, none if blank.
pub fn check(
    kind: SurveyKind,
    score: i64,
    scale: i64,
    comment: Option<&str>,
) -> Result<Option<String>, FieldError> {
    let (field, low, high) = match kind {
        SurveyKind::Csat => ("csat", 1, scale),
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
        assert!(check(SurveyKind::Csat, 1, 5, None).is_ok());
        assert!(check(SurveyKind::Csat, 5, 5, None).is_ok());
        let e = check(SurveyKind::Csat, 6, 5, None).expect_err("6 of 5");
        assert_eq!(
            (e.field.as_str(), e.reason.as_str()),
            ("csat", "6 is not on the scale 1 to 5")
        );
        assert!(check(SurveyKind::Csat, 0, 5, None).is_err());
        assert!(check(SurveyKind::Nps, 0, 10, None).is_ok());
        assert!(check(SurveyKind::Nps, 10, 10, None).is_ok());
        let e = check(SurveyKind::Nps, 11, 10, None).expect_err("11 of 10");
        assert_eq!(e.field, "nps");
        assert_eq!(check(SurveyKind::Nps, 9, 10, Some("  ")), Ok(None));
        assert_eq!(
            check(SurveyKind::Nps, 9, 10, Some(" 服务很好 ")),
            Ok(Some("服务很好".into()))
        );
        assert_eq!(
            check(SurveyKind::Csat, 3, 5, Some("a\u{1b}[2J")).map_err(|e| e.field),
            Err("comment".into())
        );
        // On a 1–10 scale a 10 is a score and a 0 is not.
        assert!(check(SurveyKind::Csat, 10, 10, None).is_ok());
        let e = check(SurveyKind::Csat, 0, 10, None).expect_err("0 of 1-10");
        assert_eq!(e.reason, "0 is not on the scale 1 to 10");
    }

    #[test]
    fn a_score_keeps_its_place_between_the_ends_of_another_scale() {
        // 1 + (s − 1) × 9 / 4 from 1–5 to 1–10, and 1 + (s − 1) × 4 / 9 back.
        assert_eq!(on_scale(1, 5, 10), 1.0);
        assert_eq!(on_scale(2, 5, 10), 3.25);
        assert_eq!(on_scale(3, 5, 10), 5.5);
        assert_eq!(on_scale(4, 5, 10), 7.75);
        assert_eq!(on_scale(5, 5, 10), 10.0);
        assert_eq!(on_scale(10, 10, 5), 5.0);
        assert_eq!(on_scale(7, 10, 5), 1.0 + 6.0 * 4.0 / 9.0);
        assert_eq!(on_scale(4, 5, 5), 4.0);
        // Rounded halves up: 3.25 → 3, 5.5 → 6, 7.75 → 8; 8 of 10 (4.11 of 5) → 4.
        assert_eq!(nearest(on_scale(2, 5, 10), 10), 3);
        assert_eq!(nearest(on_scale(3, 5, 10), 10), 6);
        assert_eq!(nearest(on_scale(4, 5, 10), 10), 8);
        assert_eq!(nearest(on_scale(8, 10, 5), 5), 4);
        assert_eq!(nearest(on_scale(6, 10, 5), 5), 3);
    }

    #[test]
    fn only_the_scales_a_centre_uses_are_settings() {
        assert!(SurveyRules::default().check().is_ok());
        let ten = SurveyRules {
            csat_scale: 10,
            ..SurveyRules::default()
        };
        assert!(ten.check().is_ok());
        let seven = SurveyRules {
            csat_scale: 7,
            ..SurveyRules::default()
        };
        let e = seven.check().expect_err("7");
        assert_eq!(e.field, "surveys.csat_scale");
        assert_eq!(e.reason, "7 is not a CSAT scale: use 5 or 10");
    }
}
