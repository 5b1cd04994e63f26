//! The supervisors' figures (DESIGN §3.7, issue 16): the period a report covers, the targets
//! a centre sets, and the formulas, each defined once here and written out in
//! `docs/REPORTS.md`. The store counts; these turn counts into figures. A figure with nothing
//! to count is `None` (shown as "—", `null` in JSON), never 0.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::customer::FieldError;
use super::vocabulary;

vocabulary!(
    /// A period named the way supervisors speak of them, counted from today.
    PeriodName {
        Today => "today",
        ThisWeek => "this_week",
        ThisMonth => "this_month",
        LastMonth => "last_month",
        Quarter => "quarter",
        Year => "year"
    }
);

/// Local days from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest period a report covers (a little over two years: a year compared with the
/// one before).
pub const MAX_DAYS: i64 = 800;

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn last_of_month(day: NaiveDate) -> NaiveDate {
    let first = first_of_month(day);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    next.pred_opt().unwrap_or(day)
}

impl Period {
    /// `name` as of `today`: today; this week from Monday to Sunday; this month; last month;
    /// this calendar quarter; this calendar year.
    pub fn named(name: PeriodName, today: NaiveDate) -> Period {
        match name {
            PeriodName::Today => Period {
                from: today,
                to: today,
            },
            PeriodName::ThisWeek => {
                let monday =
                    today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
                Period {
                    from: monday,
                    to: monday + Duration::days(6),
                }
            }
            PeriodName::ThisMonth => Period {
                from: first_of_month(today),
                to: last_of_month(today),
            },
            PeriodName::LastMonth => {
                let last = first_of_month(today).pred_opt().unwrap_or(today);
                Period {
                    from: first_of_month(last),
                    to: last,
                }
            }
            PeriodName::Quarter => {
                let month0 = (today.month0() / 3) * 3;
                let from = NaiveDate::from_ymd_opt(today.year(), month0 + 1, 1).unwrap_or(today);
                let end = from
                    .checked_add_months(chrono::Months::new(2))
                    .unwrap_or(from);
                Period {
                    from,
                    to: last_of_month(end),
                }
            }
            PeriodName::Year => Period {
                from: NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
                to: NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
            },
        }
    }

    /// The days from `from` to `to`; refused (naming the field) when `to` comes first or the
    /// span is longer than [`MAX_DAYS`].
    pub fn between(from: NaiveDate, to: NaiveDate) -> Result<Period, FieldError> {
        if to < from {
            return Err(FieldError::new(
                "to",
                format!("{to} comes before --from {from}"),
            ));
        }
        if (to - from).num_days() + 1 > MAX_DAYS {
            return Err(FieldError::new(
                "to",
                format!("a report covers at most {MAX_DAYS} days"),
            ));
        }
        Ok(Period { from, to })
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period just before, to compare with and to count retention from: the month before
    /// a whole month (and the quarter or year before a whole one), otherwise as many days
    /// ending the day before.
    pub fn previous(&self) -> Period {
        let whole_months = self.from.day() == 1 && self.to == last_of_month(self.to);
        if whole_months {
            let months = (self.to.year() - self.from.year()) * 12 + self.to.month() as i32
                - self.from.month() as i32
                + 1;
            let months = chrono::Months::new(months.max(1) as u32);
            if let Some(from) = self.from.checked_sub_months(months) {
                let to = self.from.pred_opt().unwrap_or(self.from);
                return Period { from, to };
            }
        }
        let to = self.from.pred_opt().unwrap_or(self.from);
        Period {
            from: to - Duration::days(self.days() - 1),
            to,
        }
    }

    /// The months the period touches, as `YYYY-MM`, in order (the hot-spot table's columns).
    pub fn months(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut month = first_of_month(self.from);
        while month <= self.to {
            out.push(month.format("%Y-%m").to_string());
            match month.checked_add_months(chrono::Months::new(1)) {
                Some(next) => month = next,
                None => break,
            }
        }
        out
    }
}

/// `[reports]` in the config: the targets figures are read against.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportTargets {
    /// Complaints opened in the period that are resolved (a fraction).
    pub resolution_rate: f64,
    /// Average first response to a complaint, in seconds.
    pub first_response_seconds: f64,
    /// Buyers of the period before who bought again in this one (a fraction).
    pub retention_rate: f64,
    /// Each SLA clock met in time (a fraction).
    pub sla_compliance: f64,
    /// Average CSAT on the centre's scale (`[surveys] csat_scale`); by default 4 of 5, or 8
    /// of 10 ([`ReportTargets::csat_target`]).
    pub csat_avg: Option<f64>,
    /// Months of purchases that make a customer active (the complaint rate's base).
    pub active_months: u32,
}

impl Default for ReportTargets {
    fn default() -> Self {
        ReportTargets {
            resolution_rate: 0.95,
            first_response_seconds: 300.0,
            retention_rate: 0.85,
            sla_compliance: 0.90,
            csat_avg: None,
            active_months: 12,
        }
    }
}

impl ReportTargets {
    /// The CSAT average asked on a scale of 1..`scale`: the one set, or 4 of 5 (8 of 10).
    pub fn csat_target(&self, scale: i64) -> f64 {
        self.csat_avg.unwrap_or(if scale >= 10 { 8.0 } else { 4.0 })
    }

    /// Refuses a target out of its range, naming it (`csat_scale`: the highest CSAT score).
    pub fn check(&self, csat_scale: i64) -> Result<(), FieldError> {
        for (name, value) in [
            ("resolution_rate", self.resolution_rate),
            ("retention_rate", self.retention_rate),
            ("sla_compliance", self.sla_compliance),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(FieldError::new(
                    format!("reports.{name}"),
                    format!("{value} is not a fraction from 0 to 1 (0.95 is 95%)"),
                ));
            }
        }
        // (NaN is refused too.)
        if self.first_response_seconds.is_nan() || self.first_response_seconds <= 0.0 {
            return Err(FieldError::new(
                "reports.first_response_seconds",
                "must be more than 0",
            ));
        }
        let csat = self.csat_target(csat_scale);
        if !(1.0..=csat_scale as f64).contains(&csat) {
            return Err(FieldError::new(
                "reports.csat_avg",
                format!("must be from 1 to {csat_scale} (the CSAT scale)"),
            ));
        }
        if self.active_months == 0 {
            return Err(FieldError::new(
                "reports.active_months",
                "must be 1 or more",
            ));
        }
        Ok(())
    }
}

/// `part` of `whole` as a fraction; none of nothing.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The mean of `n` values summing to `sum`; none of nothing.
pub fn mean(sum: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| sum / n as f64)
}

/// Net Promoter Score from 0–10 answers: promoters (9–10) minus detractors (0–6), as a
/// percentage of all answers (−100 to 100); none without answers.
pub fn nps(promoters: i64, detractors: i64, answers: i64) -> Option<f64> {
    (answers > 0).then(|| (promoters - detractors) as f64 * 100.0 / answers as f64)
}

/// Complaints per 100 active customers; none without active customers.
pub fn per_hundred(count: i64, base: i64) -> Option<f64> {
    (base > 0).then(|| count as f64 * 100.0 / base as f64)
}

/// Whether `value` meets `target` (at least it, or at most it for a time): none without a
/// figure.
pub fn meets(value: Option<f64>, target: f64, at_most: bool) -> Option<bool> {
    value.map(|v| if at_most { v <= target } else { v >= target })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn named_periods_follow_the_calendar() {
        // 2026-11-25 is a Wednesday.
        let today = d("2026-11-25");
        let p = |name| {
            let p = Period::named(name, today);
            (p.from.to_string(), p.to.to_string())
        };
        assert_eq!(
            p(PeriodName::Today),
            ("2026-11-25".into(), "2026-11-25".into())
        );
        assert_eq!(
            p(PeriodName::ThisWeek),
            ("2026-11-23".into(), "2026-11-29".into())
        );
        assert_eq!(
            p(PeriodName::ThisMonth),
            ("2026-11-01".into(), "2026-11-30".into())
        );
        assert_eq!(
            p(PeriodName::LastMonth),
            ("2026-10-01".into(), "2026-10-31".into())
        );
        assert_eq!(
            p(PeriodName::Quarter),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        assert_eq!(
            p(PeriodName::Year),
            ("2026-01-01".into(), "2026-12-31".into())
        );
        // March 2028: February of a leap year before it; January has 31 days.
        let march = Period::named(PeriodName::LastMonth, d("2028-03-10"));
        assert_eq!((march.from, march.to), (d("2028-02-01"), d("2028-02-29")));
        let jan = Period::named(PeriodName::LastMonth, d("2027-01-05"));
        assert_eq!((jan.from, jan.to), (d("2026-12-01"), d("2026-12-31")));
    }

    #[test]
    fn the_period_before_is_the_same_calendar_span_or_as_many_days() {
        let month = Period::between(d("2026-03-01"), d("2026-03-31")).expect("p");
        let before = month.previous();
        assert_eq!((before.from, before.to), (d("2026-02-01"), d("2026-02-28")));
        let quarter = Period::named(PeriodName::Quarter, d("2026-05-05"));
        let before = quarter.previous();
        assert_eq!((before.from, before.to), (d("2026-01-01"), d("2026-03-31")));
        let ten = Period::between(d("2026-03-11"), d("2026-03-20")).expect("p");
        let before = ten.previous();
        assert_eq!((before.from, before.to), (d("2026-03-01"), d("2026-03-10")));
    }

    #[test]
    fn a_backwards_or_too_long_period_is_refused_on_to() {
        let e = Period::between(d("2026-03-02"), d("2026-03-01")).expect_err("backwards");
        assert_eq!(e.field, "to");
        let e = Period::between(d("2020-01-01"), d("2026-01-01")).expect_err("long");
        assert!(e.reason.contains("800"), "{}", e.reason);
    }

    #[test]
    fn months_touched_are_listed_in_order() {
        let p = Period::between(d("2026-11-20"), d("2027-01-03")).expect("p");
        assert_eq!(p.months(), ["2026-11", "2026-12", "2027-01"]);
    }

    #[test]
    fn formulas_give_nothing_for_nothing() {
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(19, 20), Some(0.95));
        assert_eq!(mean(0.0, 0), None);
        assert_eq!(mean(9.0, 2), Some(4.5));
        // 5 promoters, 3 passives, 2 detractors of 10 answers: (5 − 2) / 10 = 30.
        assert_eq!(nps(5, 2, 10), Some(30.0));
        assert_eq!(nps(0, 0, 0), None);
        assert_eq!(per_hundred(3, 200), Some(1.5));
        assert_eq!(per_hundred(3, 0), None);
        assert_eq!(meets(Some(0.96), 0.95, false), Some(true));
        assert_eq!(meets(Some(301.0), 300.0, true), Some(false));
        assert_eq!(meets(None, 0.95, false), None);
    }

    #[test]
    fn targets_out_of_range_are_named() {
        let bad = ReportTargets {
            resolution_rate: 95.0,
            ..ReportTargets::default()
        };
        let e = bad.check(5).expect_err("95 is not a fraction");
        assert_eq!(e.field, "reports.resolution_rate");
        assert!(ReportTargets::default().check(5).is_ok());
        // Unset, the CSAT target follows the scale: 4 of 5, 8 of 10.
        assert_eq!(ReportTargets::default().csat_target(5), 4.0);
        assert_eq!(ReportTargets::default().csat_target(10), 8.0);
        let eight = ReportTargets {
            csat_avg: Some(8.0),
            ..ReportTargets::default()
        };
        assert!(eight.check(10).is_ok());
        let e = eight.check(5).expect_err("8 of 5");
        assert_eq!(
            (e.field.as_str(), e.reason.as_str()),
            ("reports.csat_avg", "must be from 1 to 5 (the CSAT scale)")
        );
    }
}
