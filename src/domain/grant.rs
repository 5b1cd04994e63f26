//! Access to a confidential record (DESIGN §6): an operator asks with a reason, a supervisor
//! grants or refuses, and a grant lasts a limited time. The numbers are `[grants]` in the
//! config file.

use serde::Deserialize;

use super::customer::FieldError;

/// `[grants]`: how long access lasts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GrantRules {
    /// Minutes a grant lasts when the supervisor does not say.
    pub default_minutes: u32,
    /// The longest a supervisor may grant, in minutes.
    pub max_minutes: u32,
}

impl Default for GrantRules {
    fn default() -> Self {
        GrantRules {
            default_minutes: 60,
            max_minutes: 8 * 60,
        }
    }
}

impl GrantRules {
    /// The minutes a grant lasts: `asked`, or the default; refused past the longest.
    pub fn minutes(&self, asked: Option<u32>) -> Result<u32, FieldError> {
        let minutes = asked.unwrap_or(self.default_minutes);
        if minutes == 0 {
            return Err(FieldError::new("minutes", "must be at least 1"));
        }
        if minutes > self.max_minutes {
            return Err(FieldError::new(
                "minutes",
                format!("may be at most {} ([grants] max_minutes)", self.max_minutes),
            ));
        }
        Ok(minutes)
    }
}

/// A reason for access, as given: required, and worth reading later.
pub fn check_reason(reason: &str) -> Result<String, FieldError> {
    let reason = reason.trim();
    if reason.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return Err(FieldError::new(
            "reason",
            "say why access is needed (two characters at least); it is kept in the audit trail",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(FieldError::new("reason", "is longer than 500 characters"));
    }
    Ok(reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_lasts_an_hour_unless_said_and_never_past_the_longest() {
        let rules = GrantRules::default();
        assert_eq!(rules.minutes(None), Ok(60));
        assert_eq!(rules.minutes(Some(15)), Ok(15));
        assert_eq!(rules.minutes(Some(480)), Ok(480));
        assert!(rules.minutes(Some(481)).is_err());
        assert!(rules.minutes(Some(0)).is_err());
    }

    #[test]
    fn a_reason_is_needed() {
        assert!(check_reason("  ").is_err());
        assert!(check_reason("x.").is_err());
        assert!(check_reason("？？").is_err());
        assert_eq!(check_reason("投诉"), Ok("投诉".to_string()));
        assert_eq!(
            check_reason(" 客户来电投诉，需要核对地址 "),
            Ok("客户来电投诉，需要核对地址".to_string())
        );
    }
}
