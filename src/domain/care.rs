//! Care reminder rules (DESIGN §3.5) as pure functions: given a customer's facts, the day and
//! the rules of `[care]`, which reminders are due within the rules' look-ahead, each with the
//! unique source key that makes generating twice create nothing (`birthday:<customer>:<year>`
//! and so on). Lunar holidays come from the `tyme4rs` calendar for any year.
//!
//! The store reads the facts and writes what these functions return; nothing here reads the
//! database or the clock.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::SettingError;
use super::customer::{Level, Membership, Tier};
use super::reminder::Kind;

/// `[care]` in the config file: which rules run and their numbers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CareRules {
    /// Reminders due within this many days from today are made now (the Care pane's
    /// "upcoming"); later ones on a later day.
    pub look_ahead_days: i64,
    /// Holiday greetings are made this many days before they are due, so that the team sees
    /// the coming holiday (and can export its SMS list) well ahead.
    pub holiday_look_ahead_days: i64,
    pub birthday: bool,
    /// A birthday call is due this many days before the birthday, until the day itself.
    pub birthday_days_before: i64,
    pub holidays: bool,
    /// The holidays greeted (marketing: only customers with marketing consent).
    pub holiday: Vec<HolidayRule>,
    pub post_purchase: bool,
    /// The follow-up call after a purchase: from this many days after it …
    pub post_purchase_from_days: i64,
    /// … to this many.
    pub post_purchase_to_days: i64,
    pub renewal: bool,
    /// A membership's renewal call is due this many days before it expires.
    pub renewal_days_before: i64,
    pub return_visit: bool,
    /// Days from the last contact made to the next return visit, by badge.
    pub return_visit_days_vip: i64,
    pub return_visit_days_high: i64,
    pub return_visit_days_potential: i64,
    pub return_visit_days_normal: i64,
    pub verification: bool,
    /// A profile is verified again this many days after it last was.
    pub verification_days: i64,
}

/// One holiday greeted: `date` is `"MM-DD"` (solar) or `"lunar MM-DD"`; `key` names it in
/// source keys and never changes; the names are shown in each language.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayRule {
    pub key: String,
    pub date: String,
    pub en: String,
    pub zh: String,
    #[serde(default = "default_holiday_days_before")]
    pub days_before: i64,
}

fn default_holiday_days_before() -> i64 {
    3
}

impl HolidayRule {
    fn new(key: &str, date: &str, en: &str, zh: &str) -> HolidayRule {
        HolidayRule {
            key: key.into(),
            date: date.into(),
            en: en.into(),
            zh: zh.into(),
            days_before: default_holiday_days_before(),
        }
    }
}

impl Default for CareRules {
    fn default() -> Self {
        CareRules {
            look_ahead_days: 7,
            holiday_look_ahead_days: 45,
            birthday: true,
            birthday_days_before: 3,
            holidays: true,
            holiday: vec![
                HolidayRule::new("new_year", "01-01", "New Year", "元旦"),
                HolidayRule::new("spring_festival", "lunar 01-01", "Spring Festival", "春节"),
                HolidayRule::new(
                    "dragon_boat",
                    "lunar 05-05",
                    "Dragon Boat Festival",
                    "端午节",
                ),
                HolidayRule::new("mid_autumn", "lunar 08-15", "Mid-Autumn Festival", "中秋节"),
                HolidayRule::new("national_day", "10-01", "National Day", "国庆节"),
            ],
            post_purchase: true,
            post_purchase_from_days: 3,
            post_purchase_to_days: 7,
            renewal: true,
            renewal_days_before: 30,
            return_visit: true,
            return_visit_days_vip: 30,
            return_visit_days_high: 60,
            return_visit_days_potential: 90,
            return_visit_days_normal: 180,
            verification: true,
            verification_days: 365,
        }
    }
}

/// A day of the year, in the solar or the lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearDay {
    Solar { month: u32, day: u32 },
    Lunar { month: u32, day: u32 },
}

/// The years lunar dates are computed for (the calendar's tables are sound far beyond).
const LUNAR_YEARS: std::ops::RangeInclusive<i32> = 1901..=2199;

impl YearDay {
    /// `"MM-DD"` or `"lunar MM-DD"` (also `农历 MM-DD`).
    pub fn parse(text: &str) -> Option<YearDay> {
        let text = text.trim();
        let (lunar, rest) = match text
            .strip_prefix("lunar")
            .or_else(|| text.strip_prefix("农历"))
        {
            Some(rest) => (true, rest.trim()),
            None => (false, text),
        };
        let (m, d) = rest.split_once('-')?;
        let (month, day): (u32, u32) = (m.trim().parse().ok()?, d.trim().parse().ok()?);
        if lunar {
            ((1..=12).contains(&month) && (1..=30).contains(&day))
                .then_some(YearDay::Lunar { month, day })
        } else {
            // 2000 is a leap year: 02-29 is a day of the year, met only in leap years.
            NaiveDate::from_ymd_opt(2000, month, day).map(|_| YearDay::Solar { month, day })
        }
    }

    /// Where it falls in (solar) `year`'s reckoning: a solar day in that year (none for
    /// 29 February in other years); a lunar day of lunar year `year` (whose new year is in
    /// that solar year; the 30th of a month of 29 days is its last day, as for New Year's Eve).
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        match self {
            YearDay::Solar { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            YearDay::Lunar { month, day } => {
                if !LUNAR_YEARS.contains(&year) {
                    return None;
                }
                let lunar_month =
                    tyme4rs::tyme::lunar::LunarMonth::new(year as isize, month as isize).ok()?;
                let day = (day as usize).min(lunar_month.get_day_count());
                let solar = tyme4rs::tyme::lunar::LunarDay::new(year as isize, month as isize, day)
                    .ok()?
                    .get_solar_day();
                NaiveDate::from_ymd_opt(
                    solar.get_year() as i32,
                    solar.get_month() as u32,
                    solar.get_day() as u32,
                )
            }
        }
    }

    /// The first time it falls on or after `day`.
    pub fn next_on_or_after(self, day: NaiveDate) -> Option<NaiveDate> {
        (day.year() - 1..=day.year() + 1)
            .filter_map(|year| self.in_year(year))
            .filter(|d| *d >= day)
            .min()
    }
}

/// A customer's birthday in `year`: 29 February is celebrated on 28 February in other years.
pub fn birthday_in(birthday: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, birthday.month(), birthday.day()).or_else(|| {
        (birthday.month() == 2 && birthday.day() == 29)
            .then(|| NaiveDate::from_ymd_opt(year, 2, 28))
            .flatten()
    })
}

impl CareRules {
    /// Every unusable setting, named with its reason (empty when all is well).
    pub fn problems(&self) -> Vec<SettingError> {
        let mut problems = Vec::new();
        let mut days = |setting: &str, value: i64, range: std::ops::RangeInclusive<i64>| {
            if !range.contains(&value) {
                problems.push(SettingError {
                    setting: setting.into(),
                    reason: format!(
                        "{value} is not a number of days careline can use; use {} to {}",
                        range.start(),
                        range.end()
                    ),
                });
            }
        };
        days("look_ahead_days", self.look_ahead_days, 0..=60);
        days(
            "holiday_look_ahead_days",
            self.holiday_look_ahead_days,
            0..=120,
        );
        days("birthday_days_before", self.birthday_days_before, 0..=60);
        days(
            "post_purchase_from_days",
            self.post_purchase_from_days,
            0..=365,
        );
        days(
            "post_purchase_to_days",
            self.post_purchase_to_days,
            self.post_purchase_from_days.max(0)..=365,
        );
        days("renewal_days_before", self.renewal_days_before, 0..=365);
        for (setting, value) in [
            ("return_visit_days_vip", self.return_visit_days_vip),
            ("return_visit_days_high", self.return_visit_days_high),
            (
                "return_visit_days_potential",
                self.return_visit_days_potential,
            ),
            ("return_visit_days_normal", self.return_visit_days_normal),
            ("verification_days", self.verification_days),
        ] {
            days(setting, value, 1..=3650);
        }
        let mut keys = std::collections::HashSet::new();
        for h in &self.holiday {
            let setting = format!("holiday {}", h.key);
            if YearDay::parse(&h.date).is_none() {
                problems.push(SettingError {
                    setting: setting.clone(),
                    reason: format!(
                        "'{}' is not a day of the year; write \"10-01\" or \"lunar 08-15\"",
                        h.date
                    ),
                });
            }
            let key_ok = !h.key.is_empty()
                && h.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !key_ok {
                problems.push(SettingError {
                    setting: setting.clone(),
                    reason: "key must be lower-case letters, digits and _ (it names the \
                             holiday's reminders for good, e.g. mid_autumn)"
                        .into(),
                });
            } else if !keys.insert(h.key.as_str()) {
                problems.push(SettingError {
                    setting: setting.clone(),
                    reason: "the same key is used by two holidays".into(),
                });
            }
            if !(0..=60).contains(&h.days_before) {
                problems.push(SettingError {
                    setting,
                    reason: format!("days_before {} is not 0 to 60", h.days_before),
                });
            }
        }
        problems
    }

    /// Days between a customer's last contact made and their next return visit.
    pub fn return_visit_days(&self, level: Level, tier: Tier) -> i64 {
        match (level, tier) {
            (Level::Vip, _) => self.return_visit_days_vip,
            (_, Tier::High) => self.return_visit_days_high,
            (_, Tier::Potential) => self.return_visit_days_potential,
            (_, Tier::Normal) => self.return_visit_days_normal,
        }
    }
}

/// What the rules read of one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareFacts {
    pub customer: i64,
    pub birthday: Option<NaiveDate>,
    pub level: Level,
    pub tier: Tier,
    pub membership: Membership,
    pub membership_expiry: Option<NaiveDate>,
    pub do_not_contact: bool,
    pub marketing_consent: bool,
    /// The day of the last contact made with them, if any.
    pub last_contact: Option<NaiveDate>,
    /// The day their last return visit was done or skipped, if any.
    pub last_return_visit: Option<NaiveDate>,
    pub last_verified: Option<NaiveDate>,
    /// The day they became a customer of ours.
    pub created: NaiveDate,
    /// Their purchases of the last days (id, product, day).
    pub recent_purchases: Vec<(i64, Option<String>, NaiveDate)>,
}

/// What careline knows about why a generated reminder exists, for each screen to word in its
/// own language (kept as JSON in `reminders.facts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CareFact {
    /// The birthday (this year's), and whether a birthday-month offer goes with the call
    /// (high-value customers, VIPs and members).
    Birthday { on: NaiveDate, offer: bool },
    /// A holiday of `[care]`, by its key, on its day this year.
    Holiday { key: String, on: NaiveDate },
    /// A purchase, its product and day.
    PostPurchase {
        purchase: i64,
        product: Option<String>,
        on: NaiveDate,
    },
    /// The membership's expiry.
    Renewal { expires: NaiveDate },
    /// The day counted from (the last contact, the last visit, or becoming a customer).
    ReturnVisit { since: NaiveDate, days: i64 },
    /// The day the profile was last verified (or became a customer's).
    Verification { since: NaiveDate },
}

/// One reminder a rule says is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    pub customer: i64,
    pub kind: Kind,
    pub source_key: String,
    pub due_on: NaiveDate,
    /// The last day it makes sense (the birthday, the holiday, the purchase's last day).
    pub window_end: Option<NaiveDate>,
    pub fact: CareFact,
}

impl DueReminder {
    /// A short plain title (the CLI's and the export's; the screen words the fact itself).
    pub fn title(&self, rules: &CareRules) -> String {
        fact_words(&self.fact, &rules.holiday)
    }
}

/// Why a generated reminder exists, in plain English (the CLI's, the export's and the stored
/// title; the screen words the fact in its own language).
pub fn fact_words(fact: &CareFact, holidays: &[HolidayRule]) -> String {
    let day = |d: &NaiveDate| d.format("%m-%d").to_string();
    match fact {
        CareFact::Birthday { on, offer } => format!(
            "birthday {}{}",
            day(on),
            if *offer {
                " (birthday-month offer)"
            } else {
                ""
            }
        ),
        CareFact::Holiday { key, on } => {
            let name = holidays
                .iter()
                .find(|h| &h.key == key)
                .map_or(key.as_str(), |h| h.en.as_str());
            format!("{name} {}", day(on))
        }
        CareFact::PostPurchase { product, on, .. } => match product {
            Some(p) => format!("purchased {p} {}", day(on)),
            None => format!("purchase of {}", day(on)),
        },
        CareFact::Renewal { expires } => format!("membership expires {expires}"),
        CareFact::ReturnVisit { since, .. } => format!("last contact or visit {since}"),
        CareFact::Verification { since } => format!("profile verified {since}"),
    }
}

/// What the rules need to know about a day, worked out once for every customer: the day, how
/// far ahead reminders are made, and each holiday's next day (the lunar calendar is slow
/// enough that a million customers must not each compute it).
#[derive(Debug, Clone)]
pub struct CareDay {
    pub today: NaiveDate,
    pub horizon: NaiveDate,
    /// How far ahead holiday greetings are made.
    pub holiday_horizon: NaiveDate,
    /// Each holiday of the rules by key, with its next day on or after today and the day its
    /// greeting is due.
    pub holidays: Vec<(String, NaiveDate, NaiveDate)>,
}

impl CareDay {
    pub fn new(today: NaiveDate, rules: &CareRules) -> CareDay {
        let holidays = rules
            .holiday
            .iter()
            .filter_map(|h| {
                let on = YearDay::parse(&h.date)?.next_on_or_after(today)?;
                Some((h.key.clone(), on, on - Duration::days(h.days_before.max(0))))
            })
            .collect();
        CareDay {
            today,
            horizon: today + Duration::days(rules.look_ahead_days.max(0)),
            holiday_horizon: today
                + Duration::days(rules.look_ahead_days.max(rules.holiday_look_ahead_days)),
            holidays,
        }
    }
}

/// The reminders the rules make for `c` on `today`: those due by `today` plus the look-ahead
/// and not yet past their window. Nothing for a customer who asked not to be contacted (every
/// generated reminder is a call or message out); holiday greetings only with marketing
/// consent. Generating again on a later day yields the same source keys for the same
/// occasions, so nothing is made twice.
pub fn due_reminders(c: &CareFacts, day: &CareDay, rules: &CareRules) -> Vec<DueReminder> {
    let mut due = Vec::new();
    if c.do_not_contact {
        return due;
    }
    let (today, horizon) = (day.today, day.horizon);
    let id = c.customer;
    if let (true, Some(birthday)) = (rules.birthday, c.birthday) {
        // This year's birthday if it is still to come (or today), else next year's.
        let next = birthday_in(birthday, today.year())
            .filter(|d| *d >= today)
            .or_else(|| birthday_in(birthday, today.year() + 1));
        if let Some(on) = next {
            let due_on = on - Duration::days(rules.birthday_days_before.max(0));
            if due_on <= horizon {
                due.push(DueReminder {
                    customer: id,
                    kind: Kind::Birthday,
                    source_key: format!("birthday:{id}:{}", on.year()),
                    due_on,
                    window_end: Some(on),
                    fact: CareFact::Birthday {
                        on,
                        offer: c.level == Level::Vip
                            || c.tier == Tier::High
                            || c.membership == Membership::Member,
                    },
                });
            }
        }
    }
    if rules.holidays && c.marketing_consent {
        for (key, on, due_on) in &day.holidays {
            if *due_on <= day.holiday_horizon {
                due.push(DueReminder {
                    customer: id,
                    kind: Kind::Holiday,
                    source_key: format!("holiday:{key}:{id}:{}", on.year()),
                    due_on: *due_on,
                    window_end: Some(*on),
                    fact: CareFact::Holiday {
                        key: key.clone(),
                        on: *on,
                    },
                });
            }
        }
    }
    if rules.post_purchase {
        for (purchase, product, on) in &c.recent_purchases {
            let due_on = *on + Duration::days(rules.post_purchase_from_days);
            let last = *on + Duration::days(rules.post_purchase_to_days);
            if due_on <= horizon && last >= today {
                due.push(DueReminder {
                    customer: id,
                    kind: Kind::PostPurchase,
                    source_key: format!("post_purchase:{purchase}"),
                    due_on,
                    window_end: Some(last),
                    fact: CareFact::PostPurchase {
                        purchase: *purchase,
                        product: product.clone(),
                        on: *on,
                    },
                });
            }
        }
    }
    if let (true, Membership::Member, Some(expires)) =
        (rules.renewal, c.membership, c.membership_expiry)
    {
        let due_on = expires - Duration::days(rules.renewal_days_before);
        if due_on <= horizon && expires >= today {
            due.push(DueReminder {
                customer: id,
                kind: Kind::Renewal,
                source_key: format!("renewal:{id}:{expires}"),
                due_on,
                window_end: Some(expires),
                fact: CareFact::Renewal { expires },
            });
        }
    }
    if rules.return_visit {
        let since = [c.last_contact, c.last_return_visit]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(c.created);
        let days = rules.return_visit_days(c.level, c.tier);
        let due_on = since + Duration::days(days);
        if due_on <= horizon {
            due.push(DueReminder {
                customer: id,
                kind: Kind::ReturnVisit,
                source_key: format!("return_visit:{id}:{due_on}"),
                due_on,
                window_end: None,
                fact: CareFact::ReturnVisit { since, days },
            });
        }
    }
    if rules.verification {
        let since = c.last_verified.unwrap_or(c.created);
        let due_on = since + Duration::days(rules.verification_days);
        if due_on <= horizon {
            due.push(DueReminder {
                customer: id,
                kind: Kind::ProfileVerification,
                source_key: format!("profile_verification:{id}:{due_on}"),
                due_on,
                window_end: None,
                fact: CareFact::Verification { since },
            });
        }
    }
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    /// The lunar festivals 2024–2035 as published (the Hong Kong Observatory's Gregorian–lunar
    /// conversion tables, the same in the State Council's holiday notices for the years out).
    #[test]
    fn lunar_festivals_fall_on_their_published_days() {
        let spring = [
            "2024-02-10",
            "2025-01-29",
            "2026-02-17",
            "2027-02-06",
            "2028-01-26",
            "2029-02-13",
            "2030-02-03",
            "2031-01-23",
            "2032-02-11",
            "2033-01-31",
            "2034-02-19",
            "2035-02-08",
        ];
        let dragon_boat = [
            "2024-06-10",
            "2025-05-31",
            "2026-06-19",
            "2027-06-09",
            "2028-05-28",
            "2029-06-16",
            "2030-06-05",
            "2031-06-24",
            "2032-06-12",
            "2033-06-01",
            "2034-06-20",
            "2035-06-10",
        ];
        let mid_autumn = [
            "2024-09-17",
            "2025-10-06",
            "2026-09-25",
            "2027-09-15",
            "2028-10-03",
            "2029-09-22",
            "2030-09-12",
            "2031-10-01",
            "2032-09-19",
            "2033-09-08",
            "2034-09-27",
            "2035-09-16",
        ];
        for (date, published) in [
            ("lunar 01-01", spring),
            ("lunar 05-05", dragon_boat),
            ("lunar 08-15", mid_autumn),
        ] {
            let day = YearDay::parse(date).expect("a lunar day");
            for (year, want) in (2024..).zip(published) {
                assert_eq!(day.in_year(year), Some(d(want)), "{date} in {year}");
            }
        }
    }

    /// New Year's Eve (lunar 12-30) is the last day of the twelfth month, the 29th in years
    /// whose twelfth month is short: 2025's (lunar year 2024) was 28 January 2025, the 29th.
    #[test]
    fn a_lunar_30th_in_a_short_month_is_its_last_day() {
        let eve = YearDay::parse("lunar 12-30").expect("a lunar day");
        assert_eq!(eve.in_year(2024), Some(d("2025-01-28")));
        // Lunar year 2025's twelfth month has 30 days: the eve is 16 February 2026.
        assert_eq!(eve.in_year(2025), Some(d("2026-02-16")));
    }

    #[test]
    fn days_of_the_year_parse_or_say_no() {
        assert_eq!(
            YearDay::parse("10-01"),
            Some(YearDay::Solar { month: 10, day: 1 })
        );
        assert_eq!(
            YearDay::parse("农历 08-15"),
            Some(YearDay::Lunar { month: 8, day: 15 })
        );
        assert_eq!(
            YearDay::parse("02-29"),
            Some(YearDay::Solar { month: 2, day: 29 })
        );
        for bad in ["13-01", "02-30", "lunar 13-01", "lunar 01-31", "Oct 1", ""] {
            assert_eq!(YearDay::parse(bad), None, "{bad}");
        }
    }

    fn facts(customer: i64) -> CareFacts {
        CareFacts {
            customer,
            birthday: None,
            level: Level::Normal,
            tier: Tier::Normal,
            membership: Membership::None,
            membership_expiry: None,
            do_not_contact: false,
            marketing_consent: false,
            last_contact: Some(d("2026-11-01")),
            last_return_visit: None,
            last_verified: Some(d("2026-06-01")),
            created: d("2020-01-01"),
            recent_purchases: Vec::new(),
        }
    }

    fn rules_only(kind: Kind) -> CareRules {
        CareRules {
            birthday: kind == Kind::Birthday,
            holidays: kind == Kind::Holiday,
            post_purchase: kind == Kind::PostPurchase,
            renewal: kind == Kind::Renewal,
            return_visit: kind == Kind::ReturnVisit,
            verification: kind == Kind::ProfileVerification,
            ..CareRules::default()
        }
    }

    /// Due 3 days before, until the day; made within the week's look-ahead, keyed by the
    /// birthday's year.
    #[test]
    fn a_birthday_is_due_three_days_before_until_the_day() {
        let rules = rules_only(Kind::Birthday);
        let mut c = facts(7);
        c.birthday = Some(d("1985-12-05"));
        // 2026-11-25: due 12-02, within 7 days → made.
        let due = due_reminders(&c, &CareDay::new(d("2026-11-25"), &rules), &rules);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].source_key, "birthday:7:2026");
        assert_eq!(due[0].due_on, d("2026-12-02"));
        assert_eq!(due[0].window_end, Some(d("2026-12-05")));
        assert_eq!(
            due[0].fact,
            CareFact::Birthday {
                on: d("2026-12-05"),
                offer: false
            }
        );
        // A day before the week reaches 12-02: not yet.
        assert!(due_reminders(&c, &CareDay::new(d("2026-11-24"), &rules), &rules).is_empty());
        // On the birthday still; the day after, next year's is far off.
        assert_eq!(
            due_reminders(&c, &CareDay::new(d("2026-12-05"), &rules), &rules).len(),
            1
        );
        assert!(due_reminders(&c, &CareDay::new(d("2026-12-06"), &rules), &rules).is_empty());
        // A member's call carries the birthday-month offer.
        c.membership = Membership::Member;
        assert!(matches!(
            due_reminders(&c, &CareDay::new(d("2026-11-25"), &rules), &rules)[0].fact,
            CareFact::Birthday { offer: true, .. }
        ));
    }

    /// 29 February is celebrated on 28 February in other years; a birthday in early January
    /// seen in late December is next year's.
    #[test]
    fn a_leap_day_birthday_and_one_across_the_new_year() {
        let rules = rules_only(Kind::Birthday);
        let mut c = facts(1);
        c.birthday = Some(d("2000-02-29"));
        let due = due_reminders(&c, &CareDay::new(d("2027-02-24"), &rules), &rules);
        assert_eq!(due[0].window_end, Some(d("2027-02-28")));
        assert_eq!(due[0].due_on, d("2027-02-25"));
        let due = due_reminders(&c, &CareDay::new(d("2028-02-24"), &rules), &rules);
        assert_eq!(due[0].window_end, Some(d("2028-02-29")));
        c.birthday = Some(d("1990-01-02"));
        let due = due_reminders(&c, &CareDay::new(d("2026-12-28"), &rules), &rules);
        assert_eq!(due[0].source_key, "birthday:1:2027");
        assert_eq!(due[0].due_on, d("2026-12-30"));
    }

    /// Greetings only with marketing consent; nothing at all for do-not-contact.
    #[test]
    fn holidays_need_consent_and_do_not_contact_stops_everything() {
        let rules = CareRules::default();
        let mut c = facts(3);
        c.birthday = Some(d("1970-09-26"));
        // 2026-09-20: Mid-Autumn 09-25 (due 09-22), the birthday 09-26 (due 09-23); National
        // Day 10-01 (due 09-28) is greeted too, holidays being made 45 days ahead.
        let kinds = |c: &CareFacts| -> Vec<Kind> {
            due_reminders(c, &CareDay::new(d("2026-09-20"), &rules), &rules)
                .iter()
                .map(|r| r.kind)
                .collect()
        };
        assert_eq!(kinds(&c), vec![Kind::Birthday]);
        c.marketing_consent = true;
        assert_eq!(
            kinds(&c),
            vec![Kind::Birthday, Kind::Holiday, Kind::Holiday]
        );
        let holiday = due_reminders(&c, &CareDay::new(d("2026-09-20"), &rules), &rules)
            .into_iter()
            .find(|r| r.source_key.starts_with("holiday:mid_autumn"))
            .expect("the greeting");
        assert_eq!(holiday.source_key, "holiday:mid_autumn:3:2026");
        assert_eq!(holiday.due_on, d("2026-09-22"));
        c.do_not_contact = true;
        assert!(kinds(&c).is_empty());
    }

    /// From 3 to 7 days after the purchase: made once the third day is within the look-ahead,
    /// not after the seventh.
    #[test]
    fn a_purchase_is_followed_up_from_the_third_to_the_seventh_day() {
        let rules = CareRules {
            look_ahead_days: 0,
            holiday_look_ahead_days: 0,
            ..rules_only(Kind::PostPurchase)
        };
        let mut c = facts(5);
        c.recent_purchases = vec![(41, Some("电饭煲".into()), d("2026-11-20"))];
        let on = |day: &str| due_reminders(&c, &CareDay::new(d(day), &rules), &rules);
        assert!(on("2026-11-22").is_empty());
        let due = on("2026-11-23");
        assert_eq!(due[0].source_key, "post_purchase:41");
        assert_eq!(due[0].due_on, d("2026-11-23"));
        assert_eq!(due[0].window_end, Some(d("2026-11-27")));
        assert_eq!(on("2026-11-27").len(), 1);
        assert!(on("2026-11-28").is_empty());
    }

    /// 30 days before a membership expires; none for a non-member or after the expiry.
    #[test]
    fn a_renewal_is_due_thirty_days_before_the_expiry() {
        let rules = CareRules {
            look_ahead_days: 0,
            holiday_look_ahead_days: 0,
            ..rules_only(Kind::Renewal)
        };
        let mut c = facts(9);
        c.membership = Membership::Member;
        c.membership_expiry = Some(d("2026-12-25"));
        assert!(due_reminders(&c, &CareDay::new(d("2026-11-24"), &rules), &rules).is_empty());
        let due = due_reminders(&c, &CareDay::new(d("2026-11-25"), &rules), &rules);
        assert_eq!(due[0].source_key, "renewal:9:2026-12-25");
        assert!(due_reminders(&c, &CareDay::new(d("2026-12-26"), &rules), &rules).is_empty());
        c.membership = Membership::None;
        assert!(due_reminders(&c, &CareDay::new(d("2026-11-25"), &rules), &rules).is_empty());
    }

    /// Counted from the last contact made (or the last visit done), by badge: VIP 30, high
    /// value 60, potential 90, normal 180 days.
    #[test]
    fn a_return_visit_is_counted_from_the_last_contact_by_badge() {
        let rules = CareRules {
            look_ahead_days: 0,
            holiday_look_ahead_days: 0,
            ..rules_only(Kind::ReturnVisit)
        };
        let mut c = facts(2);
        c.last_contact = Some(d("2026-06-01"));
        for (level, tier, due_on) in [
            (Level::Vip, Tier::Normal, "2026-07-01"),
            (Level::Normal, Tier::High, "2026-07-31"),
            (Level::Normal, Tier::Potential, "2026-08-30"),
            (Level::Normal, Tier::Normal, "2026-11-28"),
        ] {
            c.level = level;
            c.tier = tier;
            let due = due_reminders(&c, &CareDay::new(d(due_on), &rules), &rules);
            assert_eq!(due.len(), 1, "{level} {tier}");
            assert_eq!(due[0].source_key, format!("return_visit:2:{due_on}"));
            let day_before = d(due_on) - Duration::days(1);
            assert!(due_reminders(&c, &CareDay::new(day_before, &rules), &rules).is_empty());
        }
        // A visit done later starts the count again.
        c.last_return_visit = Some(d("2026-11-20"));
        assert!(due_reminders(&c, &CareDay::new(d("2026-11-28"), &rules), &rules).is_empty());
    }

    #[test]
    fn a_profile_is_verified_again_after_a_year() {
        let rules = CareRules {
            look_ahead_days: 0,
            holiday_look_ahead_days: 0,
            ..rules_only(Kind::ProfileVerification)
        };
        let mut c = facts(4);
        c.last_verified = Some(d("2025-11-25"));
        assert!(due_reminders(&c, &CareDay::new(d("2026-11-24"), &rules), &rules).is_empty());
        let due = due_reminders(&c, &CareDay::new(d("2026-11-25"), &rules), &rules);
        assert_eq!(due[0].source_key, "profile_verification:4:2026-11-25");
        // Never verified: 365 days after they became a customer (2020 is a leap year, so
        // 2020-01-01 + 365 days is 2020-12-31).
        c.last_verified = None;
        let due = due_reminders(&c, &CareDay::new(d("2026-11-25"), &rules), &rules);
        assert_eq!(due[0].due_on, d("2020-12-31"));
    }

    #[test]
    fn unusable_settings_are_named() {
        assert!(CareRules::default().problems().is_empty());
        let rules = CareRules {
            post_purchase_from_days: 7,
            post_purchase_to_days: 3,
            holiday: vec![
                HolidayRule::new("Mid Autumn", "lunar 8/15", "Mid-Autumn", "中秋"),
                HolidayRule::new("x", "10-01", "A", "甲"),
                HolidayRule::new("x", "10-02", "B", "乙"),
            ],
            ..CareRules::default()
        };
        let named: Vec<String> = rules.problems().into_iter().map(|p| p.setting).collect();
        assert_eq!(
            named,
            [
                "post_purchase_to_days",
                "holiday Mid Autumn",
                "holiday Mid Autumn",
                "holiday x"
            ]
        );
    }
}
