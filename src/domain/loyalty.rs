//! Loyalty points and member levels (DESIGN §3.6, issue 16 item 3): how many points a purchase
//! earns, when points expire (oldest first), which member level a 12-month spend reaches and
//! whether a customer has their birthday-month perk. Every number is a setting (`[loyalty]`).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// One member level: its stable code, its name in each language, the 12-month spend (in yuan)
/// that reaches it, and whether it carries the birthday-month perk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberLevel {
    pub code: String,
    pub en: String,
    pub zh: String,
    /// 12-month spend in yuan from which a customer holds this level.
    pub min_spend_12m: i64,
    #[serde(default)]
    pub birthday_perk: bool,
}

impl MemberLevel {
    /// The level's name in a language (`zh…` gives the Chinese name, anything else English).
    pub fn name(&self, lang: &str) -> &str {
        if lang.starts_with("zh") {
            &self.zh
        } else {
            &self.en
        }
    }
}

/// `[loyalty]` in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoyaltyRules {
    /// Points earned per whole yuan of a purchase (rounded down; 0 turns accrual off).
    pub points_per_yuan: i64,
    /// Points expire this many months after the day they were earned (0: never).
    pub expiry_months: u32,
    /// The wrap-up code a redemption is logged with (one of `[log] dispositions`).
    pub redeem_disposition: String,
    /// Member levels from the lowest up; the first starts at 0.
    pub levels: Vec<MemberLevel>,
}

impl Default for LoyaltyRules {
    fn default() -> Self {
        let level = |code: &str, en: &str, zh: &str, min: i64, perk: bool| MemberLevel {
            code: code.into(),
            en: en.into(),
            zh: zh.into(),
            min_spend_12m: min,
            birthday_perk: perk,
        };
        LoyaltyRules {
            points_per_yuan: 1,
            expiry_months: 12,
            redeem_disposition: "points_redeemed".into(),
            levels: vec![
                level("regular", "Regular", "普通会员", 0, false),
                level("silver", "Silver", "银卡", 2_000, true),
                level("gold", "Gold", "金卡", 10_000, true),
                level("diamond", "Diamond", "钻石", 50_000, true),
            ],
        }
    }
}

impl LoyaltyRules {
    /// What is wrong with these settings, each named by its setting.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.points_per_yuan < 0 {
            out.push(format!(
                "loyalty.points_per_yuan: {} is negative",
                self.points_per_yuan
            ));
        }
        if self.levels.is_empty() {
            out.push("loyalty.levels: none given".into());
        }
        if let Some(first) = self.levels.first() {
            if first.min_spend_12m != 0 {
                out.push(format!(
                    "loyalty.levels: the first level '{}' must start at min_spend_12m = 0",
                    first.code
                ));
            }
        }
        for pair in self.levels.windows(2) {
            if pair[1].min_spend_12m <= pair[0].min_spend_12m {
                out.push(format!(
                    "loyalty.levels: '{}' must need more 12-month spend than '{}' before it",
                    pair[1].code, pair[0].code
                ));
            }
        }
        let mut codes: Vec<&str> = self.levels.iter().map(|l| l.code.as_str()).collect();
        codes.sort_unstable();
        for pair in codes.windows(2) {
            if pair[0] == pair[1] {
                out.push(format!("loyalty.levels: '{}' is listed twice", pair[0]));
            }
        }
        for l in &self.levels {
            if l.code.trim().is_empty() || l.code.contains(char::is_whitespace) {
                out.push(format!(
                    "loyalty.levels: '{}' is not a usable code (one word, no spaces)",
                    l.code
                ));
            }
        }
        out
    }

    /// Points a purchase of `amount_cents` earns: whole yuan × `points_per_yuan`; none for a
    /// refund or a zero amount.
    pub fn points_for(&self, amount_cents: i64) -> i64 {
        if amount_cents <= 0 {
            return 0;
        }
        (amount_cents / 100).saturating_mul(self.points_per_yuan.max(0))
    }

    /// The member level a 12-month spend reaches: the highest whose threshold it meets.
    pub fn level_for(&self, spend_12m_cents: i64) -> Option<&MemberLevel> {
        self.levels
            .iter()
            .rev()
            .find(|l| spend_12m_cents >= l.min_spend_12m.saturating_mul(100))
            .or(self.levels.first())
    }

    /// The day points earned on `earned` expire (they are gone on that day); none when points
    /// never expire.
    pub fn expires_on(&self, earned: NaiveDate) -> Option<NaiveDate> {
        if self.expiry_months == 0 {
            return None;
        }
        earned.checked_add_months(Months::new(self.expiry_months))
    }
}

/// Whether a customer has the birthday-month perk on `today`: their birthday falls in this
/// month and their level carries the perk.
pub fn birthday_perk(birthday: Option<NaiveDate>, level: &MemberLevel, today: NaiveDate) -> bool {
    level.birthday_perk && birthday.is_some_and(|b| b.month() == today.month())
}

/// One row of a customer's points ledger, as expiry reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerMove {
    /// The day (in the centre's time zone) the row was written for.
    pub day: NaiveDate,
    pub delta: i64,
}

/// The points still unspent of each lot earned, oldest first: every gain is a lot, and every
/// loss (a redemption, an expiry, a correction) takes from the oldest lots first. `moves` must
/// be in the order they happened.
pub fn open_lots(moves: &[LedgerMove]) -> Vec<(NaiveDate, i64)> {
    let mut lots: std::collections::VecDeque<(NaiveDate, i64)> = Default::default();
    for m in moves {
        if m.delta > 0 {
            lots.push_back((m.day, m.delta));
            continue;
        }
        let mut owed = -m.delta;
        while owed > 0 {
            let Some(front) = lots.front_mut() else {
                break;
            };
            let taken = owed.min(front.1);
            front.1 -= taken;
            owed -= taken;
            if front.1 == 0 {
                lots.pop_front();
            }
        }
    }
    lots.into_iter().collect()
}

/// The points that expire on `date` under `rules`: what is left of every lot whose expiry day
/// is `date` or earlier. Run again after those are written off, it finds none.
pub fn expiring(moves: &[LedgerMove], rules: &LoyaltyRules, date: NaiveDate) -> i64 {
    open_lots(moves)
        .into_iter()
        .filter(|(earned, _)| rules.expires_on(*earned).is_some_and(|d| d <= date))
        .map(|(_, left)| left)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn the_defaults_are_sound() {
        assert!(LoyaltyRules::default().problems().is_empty());
    }

    #[test]
    fn accrual_counts_whole_yuan() {
        let rules = LoyaltyRules {
            points_per_yuan: 2,
            ..LoyaltyRules::default()
        };
        // ¥123.99 → 123 whole yuan → 246 points.
        assert_eq!(rules.points_for(12_399), 246);
        assert_eq!(rules.points_for(99), 0);
        assert_eq!(rules.points_for(-5_000), 0);
    }

    #[test]
    fn levels_at_their_edges() {
        let rules = LoyaltyRules::default();
        let code = |cents| rules.level_for(cents).map(|l| l.code.as_str());
        assert_eq!(code(0), Some("regular"));
        assert_eq!(code(199_999), Some("regular"));
        assert_eq!(code(200_000), Some("silver"));
        assert_eq!(code(999_999), Some("silver"));
        assert_eq!(code(1_000_000), Some("gold"));
        assert_eq!(code(5_000_000), Some("diamond"));
    }

    #[test]
    fn losses_take_the_oldest_lots_first() {
        let m = |d: NaiveDate, delta| LedgerMove { day: d, delta };
        let moves = [
            m(day(2024, 1, 10), 100),
            m(day(2024, 6, 1), 50),
            m(day(2024, 7, 1), -120),
        ];
        // 120 redeemed: the January lot gone, 30 of June's.
        assert_eq!(open_lots(&moves), [(day(2024, 6, 1), 30)]);
        let rules = LoyaltyRules {
            expiry_months: 12,
            ..LoyaltyRules::default()
        };
        assert_eq!(expiring(&moves, &rules, day(2025, 5, 31)), 0);
        assert_eq!(expiring(&moves, &rules, day(2025, 6, 1)), 30);
    }

    #[test]
    fn bad_levels_are_named() {
        let mut rules = LoyaltyRules::default();
        rules.levels.swap(1, 2);
        let problems = rules.problems();
        assert!(
            problems.iter().any(|p| p.contains("'gold'")),
            "{problems:?}"
        );
    }
}
