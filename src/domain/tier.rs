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
    /// Years a customer is expected to keep buying, for the lifetime value ([`clv`]).
    pub clv_years: i64,
    /// The same for a customer at churn risk.
    pub clv_churn_years: i64,
}

impl Default for TierRules {
    fn default() -> Self {
        TierRules {
            high_value_spend: 10_000,
            high_value_orders: 5,
            potential_months: 3,
            churn_days: 180,
            clv_years: 3,
            clv_churn_years: 1,
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

/// Estimated customer lifetime value in cents, as of `today` (docs/REPORTS.md, "Value and
/// loyalty"): the customer's annual value — lifetime spend over the years since their first
/// purchase, counted as at least one year so that a new customer's first order is not
/// multiplied up — times the years they are expected to keep buying (`clv_years`, or
/// `clv_churn_years` when at churn risk). Rounded down; none without a purchase.
pub fn clv(
    lifetime_cents: i64,
    first_purchase: Option<NaiveDate>,
    churn: bool,
    today: NaiveDate,
    rules: &TierRules,
) -> Option<i64> {
    let first = first_purchase?;
    let days = (today - first).num_days().max(365) as i128;
    let years = if churn {
        rules.clv_churn_years
    } else {
        rules.clv_years
    }
    .max(0) as i128;
    let value = lifetime_cents.max(0) as i128 * years * 365 / days;
    Some(value.min(i64::MAX as i128) as i64)
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
    fn lifetime_value() {
        let rules = TierRules::default();
        let today = day(2026, 11, 23);
        assert_eq!(clv(0, None, false, today, &rules), None);
        // A first purchase a month ago counts as a year: ¥1,000 a year × 3 years.
        assert_eq!(
            clv(100_000, Some(day(2026, 10, 23)), false, today, &rules),
            Some(300_000)
        );
        // ¥7,300 over 730 days is ¥3,650 a year; at churn risk, one year of it.
        assert_eq!(
            clv(730_000, Some(day(2024, 11, 23)), true, today, &rules),
            Some(365_000)
        );
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
