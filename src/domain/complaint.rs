//! Complaint vocabularies and SLA clocks (DESIGN §3.4). The full complaint workflow (claim,
//! escalate, propose, resolve, close) builds on these; opening one is what the interaction log
//! needs when a contact's wrap-up code says a complaint was raised.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::vocabulary;

vocabulary!(
    /// What the complaint is about.
    Category {
        ProductQuality => "product_quality",
        ServiceAttitude => "service_attitude",
        AfterSales => "after_sales",
        Price => "price",
        Delivery => "delivery",
        Other => "other"
    }
);

vocabulary!(
    /// How bad it is; sets the resolution target.
    Severity { Low => "low", Normal => "normal", High => "high", Critical => "critical" }
);

/// `[complaints]` in the config file: SLA targets on a 24×7 clock.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaRules {
    pub acknowledge_minutes: i64,
    pub propose_minutes: i64,
    pub resolve_hours_critical: i64,
    pub resolve_hours_high: i64,
    pub resolve_hours_normal: i64,
    pub resolve_hours_low: i64,
    /// Every target is multiplied by this for VIP and high-value customers.
    pub vip_factor: f64,
}

impl Default for SlaRules {
    fn default() -> Self {
        SlaRules {
            acknowledge_minutes: 30,
            propose_minutes: 120,
            resolve_hours_critical: 24,
            resolve_hours_high: 48,
            resolve_hours_normal: 72,
            resolve_hours_low: 120,
            vip_factor: 0.5,
        }
    }
}

/// The three deadlines of a complaint opened at `opened`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub acknowledge: DateTime<Utc>,
    pub propose: DateTime<Utc>,
    pub resolve: DateTime<Utc>,
}

impl SlaRules {
    pub fn deadlines(&self, opened: DateTime<Utc>, severity: Severity, vip: bool) -> Deadlines {
        let factor = if vip && self.vip_factor > 0.0 {
            self.vip_factor.min(1.0)
        } else {
            1.0
        };
        let scaled =
            |minutes: i64| Duration::seconds(((minutes * 60) as f64 * factor).round() as i64);
        let resolve_hours = match severity {
            Severity::Critical => self.resolve_hours_critical,
            Severity::High => self.resolve_hours_high,
            Severity::Normal => self.resolve_hours_normal,
            Severity::Low => self.resolve_hours_low,
        };
        Deadlines {
            acknowledge: opened + scaled(self.acknowledge_minutes.max(0)),
            propose: opened + scaled(self.propose_minutes.max(0)),
            resolve: opened + scaled(resolve_hours.max(0) * 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_follow_severity_and_halve_for_vips() {
        let rules = SlaRules::default();
        let t = DateTime::from_timestamp(1_800_000_000, 0).expect("a time");
        let d = rules.deadlines(t, Severity::Normal, false);
        assert_eq!(d.acknowledge - t, Duration::minutes(30));
        assert_eq!(d.propose - t, Duration::hours(2));
        assert_eq!(d.resolve - t, Duration::hours(72));
        let v = rules.deadlines(t, Severity::Critical, true);
        assert_eq!(v.acknowledge - t, Duration::minutes(15));
        assert_eq!(v.resolve - t, Duration::hours(12));
    }
}
