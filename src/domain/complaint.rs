//! Complaint vocabularies and SLA clocks (DESIGN §3.4). The full complaint workflow (claim,
//! escalate, propose, resolve, close) builds on these; opening one is what the interaction log
//! needs when a contact's wrap-up code says a complaint was raised.

use chrono::{DateTime, Duration, FixedOffset, Offset, Utc};
use serde::Deserialize;

use super::calendar::{Calendar, CalendarSetting, SettingError, WeeklyHoursSetting};

use super::customer::{Channel, Level, Tier};
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

/// A complaint to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub category: Category,
    pub severity: Severity,
    pub title: String,
    pub description: Option<String>,
    /// Where it came in; one taken on the phone is acknowledged at once.
    pub channel: Channel,
}

vocabulary!(
    /// Where a complaint stands (DESIGN §3.4): `new → acknowledged → in progress →
    /// (escalated) → solution proposed → resolved → closed`; `waiting` (on the customer or a
    /// third party) from any open status and back, pausing the resolution clock; `reopened`
    /// back to in progress; `merged` into another complaint of the same customer.
    Status {
        New => "new",
        Acknowledged => "acknowledged",
        InProgress => "in_progress",
        Escalated => "escalated",
        Waiting => "waiting",
        SolutionProposed => "solution_proposed",
        Resolved => "resolved",
        Closed => "closed",
        Reopened => "reopened",
        Merged => "merged"
    }
);

impl Status {
    /// The statuses this one may change to (a wait goes back to the status it came from).
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            New => &[Acknowledged, Waiting, Merged],
            Acknowledged => &[InProgress, Escalated, Waiting, SolutionProposed, Merged],
            InProgress => &[Escalated, Waiting, SolutionProposed, Merged],
            Reopened => &[InProgress, Escalated, Waiting, SolutionProposed, Merged],
            Escalated => &[Waiting, SolutionProposed, Merged],
            Waiting => &[
                New,
                Acknowledged,
                InProgress,
                Escalated,
                SolutionProposed,
                Reopened,
                Merged,
            ],
            SolutionProposed => &[Escalated, Waiting, Resolved, Merged],
            // The follow-up closes it, or reopens it when the customer is not satisfied.
            Resolved => &[Closed, Reopened],
            Closed | Merged => &[],
        }
    }

    /// Whether a complaint in this status may change to `next`.
    pub fn may_become(self, next: Status) -> bool {
        self.next().contains(&next)
    }

    /// Whether the complaint still needs work (it is in the queue, on the card and counted for
    /// the desk). A resolved one waits only for its follow-up.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed | Status::Merged)
    }

    /// The status a complaint opens with: one taken on the phone or face to face is
    /// acknowledged at once.
    pub fn opened_on(channel: Channel) -> Status {
        if taken_in_person(channel) {
            Status::Acknowledged
        } else {
            Status::New
        }
    }
}

/// Whether a complaint coming in on `channel` is taken by an operator talking to the customer
/// (acknowledged at once and assigned to them).
pub fn taken_in_person(channel: Channel) -> bool {
    matches!(
        channel,
        Channel::PhoneIn | Channel::PhoneOut | Channel::Visit
    )
}

/// Whether a customer gets the VIP targets (every SLA target times `vip_factor`): VIP level
/// or the high-value tier (DESIGN §3.4).
pub fn vip_targets(level: Level, tier: Tier) -> bool {
    level == Level::Vip || tier == Tier::High
}

/// `[complaints]` in the config file: SLA targets, and the working calendar they count in.
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
    /// A running clock is due soon when this share of its span (or less) is left.
    pub due_soon_share: f64,
    /// `24x7` (targets in wall-clock time) or `business` (in working time of the calendar).
    pub clock: String,
    /// With `clock = "business"`: `"09:00-18:00"` for Monday to Friday, or a table by weekday,
    /// e.g. `{ mon = "09:00-18:00", sat = "10:00-16:00" }` (days not named are closed).
    pub business_hours: WeeklyHoursSetting,
    /// `cn`: mainland China's statutory holidays and make-up working days; `none`.
    pub holidays: String,
    /// The centre's own days off, `YYYY-MM-DD`.
    pub extra_holidays: Vec<String>,
    /// The centre's own working days (on a weekend or holiday), `YYYY-MM-DD`.
    pub extra_workdays: Vec<String>,
    /// The centre's time zone as an offset (`"+08:00"`); empty: this machine's.
    pub time_zone: String,
    /// A breached clock escalates the complaint one level, once per clock.
    pub auto_escalate: bool,
    /// Days after the resolution that its follow-up call is due.
    pub follow_up_days: i64,
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
            due_soon_share: 0.25,
            clock: "24x7".into(),
            business_hours: WeeklyHoursSetting::default(),
            holidays: "cn".into(),
            extra_holidays: Vec::new(),
            extra_workdays: Vec::new(),
            time_zone: String::new(),
            auto_escalate: false,
            follow_up_days: 3,
        }
    }
}

/// The three targets of a complaint, as spans of working time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spans {
    pub acknowledge: Duration,
    pub propose: Duration,
    pub resolve: Duration,
}

/// The three deadlines of a complaint opened at `opened`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub acknowledge: DateTime<Utc>,
    pub propose: DateTime<Utc>,
    pub resolve: DateTime<Utc>,
}

impl SlaRules {
    /// The resolution target for `severity`, in hours, before any VIP factor.
    pub fn resolve_hours(&self, severity: Severity) -> i64 {
        match severity {
            Severity::Critical => self.resolve_hours_critical,
            Severity::High => self.resolve_hours_high,
            Severity::Normal => self.resolve_hours_normal,
            Severity::Low => self.resolve_hours_low,
        }
    }

    /// The targets for a complaint of `severity`, times `vip_factor` for a VIP (a factor above
    /// 1 or not above 0 is not applied).
    pub fn spans(&self, severity: Severity, vip: bool) -> Spans {
        let factor = if vip && self.vip_factor > 0.0 {
            self.vip_factor.min(1.0)
        } else {
            1.0
        };
        let scaled =
            |minutes: i64| Duration::seconds(((minutes * 60) as f64 * factor).round() as i64);
        Spans {
            acknowledge: scaled(self.acknowledge_minutes.max(0)),
            propose: scaled(self.propose_minutes.max(0)),
            resolve: scaled(self.resolve_hours(severity).max(0) * 60),
        }
    }

    /// The deadlines on a 24×7 clock (what the store records today).
    pub fn deadlines(&self, opened: DateTime<Utc>, severity: Severity, vip: bool) -> Deadlines {
        self.deadlines_in(&Calendar::all_hours(Utc.fix()), opened, severity, vip)
    }

    /// The deadlines of a complaint opened at `opened`, counted in `calendar`'s working time.
    pub fn deadlines_in(
        &self,
        calendar: &Calendar,
        opened: DateTime<Utc>,
        severity: Severity,
        vip: bool,
    ) -> Deadlines {
        let spans = self.spans(severity, vip);
        Deadlines {
            acknowledge: calendar.add_working(opened, spans.acknowledge),
            propose: calendar.add_working(opened, spans.propose),
            resolve: calendar.add_working(opened, spans.resolve),
        }
    }

    /// The working calendar these settings describe, in the centre's time zone `tz`.
    pub fn calendar(&self, tz: FixedOffset) -> Result<Calendar, Vec<SettingError>> {
        Calendar::from_setting(
            &CalendarSetting {
                clock: &self.clock,
                business_hours: &self.business_hours,
                holidays: &self.holidays,
                extra_holidays: &self.extra_holidays,
                extra_workdays: &self.extra_workdays,
            },
            tz,
        )
    }

    /// Every unusable setting of `[complaints]`, named with its reason (empty when all is well).
    /// The centre's time zone: `time_zone`, or this machine's offset now when it is empty (or
    /// unusable, which [`SlaRules::problems`] reports).
    pub fn tz(&self) -> FixedOffset {
        parse_offset(&self.time_zone).unwrap_or_else(|| chrono::Local::now().offset().fix())
    }

    /// The working calendar the clocks count in, in the centre's time zone; around the clock
    /// when the settings are unusable (the config reports them and falls back to defaults).
    pub fn working_calendar(&self) -> Calendar {
        let tz = self.tz();
        self.calendar(tz)
            .unwrap_or_else(|_| Calendar::all_hours(tz))
    }

    pub fn problems(&self) -> Vec<SettingError> {
        let mut problems = self.calendar(Utc.fix()).err().unwrap_or_default();
        if !self.time_zone.trim().is_empty() && parse_offset(&self.time_zone).is_none() {
            problems.push(SettingError {
                setting: "time_zone".into(),
                reason: format!(
                    "'{}' is not an offset from UTC; write it as \"+08:00\" (Beijing)",
                    self.time_zone
                ),
            });
        }
        if !(1..=365).contains(&self.follow_up_days) {
            problems.push(SettingError {
                setting: "follow_up_days".into(),
                reason: format!(
                    "{} is not a number of days careline waits; use 1 to 365, e.g. 3",
                    self.follow_up_days
                ),
            });
        }
        if !(self.due_soon_share > 0.0 && self.due_soon_share < 1.0) {
            problems.push(SettingError {
                setting: "due_soon_share".into(),
                reason: format!(
                    "{} is not a share of the span; use a number between 0 and 1, e.g. 0.25",
                    self.due_soon_share
                ),
            });
        }
        if !(self.vip_factor > 0.0 && self.vip_factor <= 1.0) {
            problems.push(SettingError {
                setting: "vip_factor".into(),
                reason: format!(
                    "{} is not a factor careline applies; use a number above 0 and at most 1, e.g. 0.5",
                    self.vip_factor
                ),
            });
        }
        for (setting, value) in [
            ("acknowledge_minutes", self.acknowledge_minutes),
            ("propose_minutes", self.propose_minutes),
            ("resolve_hours_critical", self.resolve_hours_critical),
            ("resolve_hours_high", self.resolve_hours_high),
            ("resolve_hours_normal", self.resolve_hours_normal),
            ("resolve_hours_low", self.resolve_hours_low),
        ] {
            if value <= 0 {
                problems.push(SettingError {
                    setting: setting.into(),
                    reason: format!("{value} is not a target; use a whole number above 0"),
                });
            }
        }
        problems
    }
}

/// `+08:00`, `+0800`, `-05:30`, `UTC`, `Z`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("utc") || text.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_offsets() {
        assert_eq!(parse_offset("+08:00"), FixedOffset::east_opt(8 * 3600));
        assert_eq!(parse_offset("+0800"), FixedOffset::east_opt(8 * 3600));
        assert_eq!(
            parse_offset("-05:30"),
            FixedOffset::east_opt(-(5 * 3600 + 1800))
        );
        assert_eq!(parse_offset("UTC"), FixedOffset::east_opt(0));
        for bad in ["Asia/Shanghai", "8", "+8:00", "+25:00", ""] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
        let rules = SlaRules {
            time_zone: "Beijing".into(),
            follow_up_days: 0,
            ..SlaRules::default()
        };
        let named: Vec<String> = rules.problems().into_iter().map(|p| p.setting).collect();
        assert_eq!(named, ["time_zone", "follow_up_days"]);
    }

    #[test]
    fn statuses_follow_the_designed_path() {
        use Status::*;
        // DESIGN §3.4, as written, step by step.
        for (from, to) in [
            (New, Acknowledged),
            (Acknowledged, InProgress),
            (InProgress, Escalated),
            (InProgress, SolutionProposed),
            (Escalated, SolutionProposed),
            (SolutionProposed, Resolved),
            (Resolved, Closed),
            (Resolved, Reopened),
            (Reopened, InProgress),
            (InProgress, Waiting),
            (Waiting, InProgress),
        ] {
            assert!(from.may_become(to), "{from} → {to} is allowed");
        }
        for (from, to) in [
            (New, Resolved),
            (New, InProgress),
            (Acknowledged, Closed),
            (InProgress, Closed),
            (SolutionProposed, Closed),
            (Closed, InProgress),
            (Closed, New),
            (Reopened, Closed),
            (Waiting, Resolved),
        ] {
            assert!(!from.may_become(to), "{from} → {to} is refused");
        }
        for status in Status::ALL {
            assert!(
                !status.may_become(*status),
                "{status} → {status} is no change"
            );
        }
        assert!(
            Closed.next().is_empty(),
            "closed is final; a reopening needs resolved"
        );
    }

    #[test]
    fn open_statuses_are_those_before_resolved() {
        let open: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(
            open,
            [
                Status::New,
                Status::Acknowledged,
                Status::InProgress,
                Status::Escalated,
                Status::Waiting,
                Status::SolutionProposed,
                Status::Reopened
            ]
        );
    }

    #[test]
    fn a_complaint_taken_in_person_opens_acknowledged() {
        for channel in [Channel::PhoneIn, Channel::PhoneOut, Channel::Visit] {
            assert_eq!(
                Status::opened_on(channel),
                Status::Acknowledged,
                "{channel}"
            );
        }
        for channel in [Channel::Email, Channel::Chat, Channel::Sms, Channel::Social] {
            assert_eq!(Status::opened_on(channel), Status::New, "{channel}");
        }
    }

    #[test]
    fn vip_level_or_high_value_gets_the_vip_targets() {
        assert!(vip_targets(Level::Vip, Tier::Normal));
        assert!(vip_targets(Level::Vip, Tier::Potential));
        assert!(vip_targets(Level::Normal, Tier::High));
        assert!(!vip_targets(Level::Normal, Tier::Normal));
        assert!(!vip_targets(Level::Normal, Tier::Potential));
    }

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

    #[test]
    fn the_complaints_table_reads_a_business_calendar() {
        let rules: SlaRules = toml::from_str(
            r#"
            clock = "business"
            business_hours = { mon = "09:00-18:00", sat = "10:00-16:00" }
            holidays = "cn"
            extra_holidays = ["2026-12-31"]
            extra_workdays = ["2026-12-27"]
            due_soon_share = 0.2
            "#,
        )
        .expect("a [complaints] table");
        assert!(rules.problems().is_empty(), "{:?}", rules.problems());
        let tz = FixedOffset::east_opt(8 * 3600).expect("an offset");
        let calendar = rules.calendar(tz).expect("a calendar");
        let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date");
        // Thursday 12-31 is the centre's holiday, Sunday 12-27 its working day, Tuesday closed.
        assert!(!calendar.is_working_day(day("2026-12-31")));
        assert!(calendar.is_working_day(day("2026-12-27")));
        assert!(calendar.is_working_day(day("2026-12-26")));
        assert!(!calendar.is_working_day(day("2026-12-29")));
        // The one-range form is Monday to Friday.
        let weekdays: SlaRules = toml::from_str(
            r#"clock = "business"
business_hours = "08:30-17:30""#,
        )
        .expect("a table");
        let calendar = weekdays.calendar(tz).expect("a calendar");
        assert!(calendar.is_working_day(day("2026-12-04")));
        assert!(!calendar.is_working_day(day("2026-12-05")));
        // The defaults: round the clock, due soon at a quarter left.
        let defaults = SlaRules::default();
        assert!(defaults.problems().is_empty());
        assert_eq!(defaults.due_soon_share, 0.25);
        assert_eq!(
            defaults
                .calendar(tz)
                .expect("a calendar")
                .summary()
                .to_string(),
            "24×7"
        );
    }

    #[test]
    fn unusable_targets_and_calendars_are_named() {
        let rules: SlaRules = toml::from_str(
            r#"
            clock = "business"
            business_hours = "18:00-09:00"
            holidays = "us"
            due_soon_share = 1.5
            vip_factor = 0
            resolve_hours_low = -1
            "#,
        )
        .expect("a [complaints] table");
        let named: Vec<String> = rules.problems().into_iter().map(|p| p.setting).collect();
        assert_eq!(
            named,
            [
                "holidays",
                "business_hours",
                "due_soon_share",
                "vip_factor",
                "resolve_hours_low"
            ]
        );
        let shape = toml::from_str::<SlaRules>("business_hours = 9");
        assert!(
            shape.is_err_and(|e| e.message().contains("a table of weekdays")),
            "a number is not opening hours"
        );
        let unknown = toml::from_str::<SlaRules>("business_days = \"mon\"");
        assert!(
            unknown.is_err_and(|e| e.message().contains("business_days")),
            "an unknown setting is refused by name"
        );
    }
}
