//! Value tiers from purchases (DESIGN §3.6). Money is held in cents (fen).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::customer::Tier;

/// The thresholds of the tier rules; every number is a setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TierRules {
    /// 12-month spend (in yuan) that makes a customer high value.
    pub high_value_spend: i64,
    /// Orders in 12 months that make a customer high value.
    pub high_value_orders: i64,
    /// A first purchase less than this many months ago keeps a customer "potential".
    pub potential_months: u32,
    /// Days without a purchase, after being active, that mark churn risk.
    pub churn_days: i64,
}

impl Default for TierRules {
    fn default() -> Self {
        TierRules {
            high_value_spend: 10_000,
            high_value_orders: 5,
            potential_months: 3,
            churn_days: 180,
        }
    }
}

/// What a customer's purchases add up to at a given day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurchaseSummary {
    pub spend_12m_cents: i64,
    pub orders_12m: i64,
    pub first_purchase: Option<NaiveDate>,
    pub last_purchase: Option<NaiveDate>,
}

/// High value by spend or orders; potential when new or not yet buying; normal otherwise.
pub fn tier(summary: &PurchaseSummary, today: NaiveDate, rules: &TierRules) -> Tier {
    if summary.spend_12m_cents >= rules.high_value_spend.saturating_mul(100)
        || summary.orders_12m >= rules.high_value_orders
    {
        return Tier::High;
    }
    match summary.first_purchase {
        None => Tier::Potential,
        Some(first) => {
            let recent = today
                .checked_sub_months(Months::new(rules.potential_months))
                .is_some_and(|cutoff| first > cutoff);
            if recent {
                Tier::Potential
            } else {
                Tier::Normal
            }
        }
    }
}

/// Churn risk: has bought before, but not within `churn_days`.
pub fn churn_risk(summary: &PurchaseSummary, today: NaiveDate, rules: &TierRules) -> bool {
    summary
        .last_purchase
        .is_some_and(|last| (today - last).num_days() > rules.churn_days)
}

/// Formats cents as yuan with two decimals: `1234567` → `12,345.67`.
pub fn format_money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", cents % 100)
}

/// Reads an amount of money as typed or imported: `1234.5`, `¥1,234.50`, `1234元`.
pub fn parse_money(text: &str) -> Option<i64> {
    let cleaned: String = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    let (negative, body) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    let cents = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if negative { -cents } else { cents })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn tiers_follow_the_defaults() {
        let rules = TierRules::default();
        let today = day(2026, 11, 23);
        let mut s = PurchaseSummary::default();
        assert_eq!(tier(&s, today, &rules), Tier::Potential, "no purchase yet");
        s.first_purchase = Some(day(2026, 10, 1));
        s.last_purchase = s.first_purchase;
        s.orders_12m = 1;
        s.spend_12m_cents = 50_000;
        assert_eq!(
            tier(&s, today, &rules),
            Tier::Potential,
            "first purchase under 3 months ago"
        );
        s.first_purchase = Some(day(2025, 1, 1));
        assert_eq!(tier(&s, today, &rules), Tier::Normal);
        s.spend_12m_cents = 1_000_000;
        assert_eq!(tier(&s, today, &rules), Tier::High, "spend 10,000");
        s.spend_12m_cents = 999_999;
        s.orders_12m = 5;
        assert_eq!(tier(&s, today, &rules), Tier::High, "5 orders");
    }

    #[test]
    fn churn() {
        let rules = TierRules::default();
        let today = day(2026, 11, 23);
        let mut s = PurchaseSummary::default();
        assert!(!churn_risk(&s, today, &rules));
        s.last_purchase = Some(day(2026, 5, 1));
        assert!(churn_risk(&s, today, &rules));
        s.last_purchase = Some(day(2026, 10, 1));
        assert!(!churn_risk(&s, today, &rules));
    }

    #[test]
    fn money() {
        assert_eq!(format_money(1_234_567), "12,345.67");
        assert_eq!(format_money(-5), "-0.05");
        assert_eq!(parse_money("¥1,234.5"), Some(123_450));
        assert_eq!(parse_money("88元"), Some(8_800));
        assert_eq!(parse_money("-3.25"), Some(-325));
        assert_eq!(parse_money("12.345"), None);
        assert_eq!(parse_money("abc"), None);
        assert_eq!(parse_money(""), None);
    }
}
