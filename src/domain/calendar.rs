//! The working calendar the SLA clocks count in (DESIGN §3.4): round the clock (`24x7`, the
//! default) or business hours by weekday, less mainland China's statutory holidays and plus their
//! make-up working days (调休), less the centre's own extra holidays and plus its extra working
//! days. Days and hours are the centre's local ones (a fixed UTC offset); instants in and out are
//! UTC. Pure: no clock reads, no files.
//!
//! The statutory schedule comes from the `tyme4rs` crate (6tail's Tyme calendar), which carries
//! every State Council notice (国务院办公厅关于……年部分节假日安排的通知) since 2001 and is released
//! again when the next year's notice is published; careline reads it once per process.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc, Weekday};
use serde::Deserialize;

/// Minutes in a day; an opening hour may end at `24:00`.
const DAY_MINUTES: u32 = 24 * 60;

/// Longest run of days without a working day the calendar walks before it gives up (a calendar
/// with a working weekday never gets near it; the longest statutory holiday is 9 days).
const MAX_DAYS_WALKED: i64 = 3660;

/// One day's opening hours, in minutes from local midnight: `start < end <= 24:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub start: u32,
    pub end: u32,
}

impl Hours {
    pub const ALL_DAY: Hours = Hours {
        start: 0,
        end: DAY_MINUTES,
    };

    /// Reads `HH:MM-HH:MM` (an en dash is accepted too), e.g. `09:00-18:00`.
    pub fn parse(text: &str) -> Result<Hours, HoursError> {
        let (from, to) = text.split_once(['-', '–']).ok_or(HoursError::Unreadable)?;
        let start = minute_of_day(from.trim()).ok_or(HoursError::Unreadable)?;
        let end = minute_of_day(to.trim()).ok_or(HoursError::Unreadable)?;
        if end <= start {
            return Err(HoursError::EndsBeforeStart);
        }
        Ok(Hours { start, end })
    }

    fn minutes(self) -> i64 {
        i64::from(self.end - self.start)
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}–{}", hm(self.start), hm(self.end))
    }
}

/// `H:MM` or `HH:MM`, `00:00` to `24:00`.
fn minute_of_day(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let minutes = h * 60 + m;
    (m < 60 && minutes <= DAY_MINUTES).then_some(minutes)
}

/// Why an opening-hours text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursError {
    Unreadable,
    EndsBeforeStart,
}

/// `business_hours` as written in the config: one range for Monday to Friday, or a table of
/// weekdays (`mon` … `sun`) to ranges, the days not named being closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeeklyHoursSetting {
    MondayToFriday(String),
    ByWeekday(BTreeMap<String, String>),
}

impl<'de> Deserialize<'de> for WeeklyHoursSetting {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = WeeklyHoursSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "opening hours such as \"09:00-18:00\", or a table of weekdays such as { mon = \"09:00-18:00\", sat = \"10:00-16:00\" }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(WeeklyHoursSetting::MondayToFriday(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut days = BTreeMap::new();
                while let Some((day, hours)) = map.next_entry::<String, String>()? {
                    days.insert(day, hours);
                }
                Ok(WeeklyHoursSetting::ByWeekday(days))
            }
        }
        deserializer.deserialize_any(Shape)
    }
}

impl Default for WeeklyHoursSetting {
    fn default() -> Self {
        WeeklyHoursSetting::MondayToFriday("09:00-18:00".into())
    }
}

/// The calendar part of `[complaints]`, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSetting<'a> {
    pub clock: &'a str,
    pub business_hours: &'a WeeklyHoursSetting,
    pub holidays: &'a str,
    pub extra_holidays: &'a [String],
    pub extra_workdays: &'a [String],
}

/// A setting of the calendar that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("complaints.{setting}: {reason}")]
pub struct SettingError {
    /// The setting's name inside `[complaints]`, e.g. `business_hours.sat`.
    pub setting: String,
    pub reason: String,
}

impl SettingError {
    fn new(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        SettingError {
            setting: setting.into(),
            reason: reason.into(),
        }
    }
}

const WEEKDAY_KEYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// Where the public holidays come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidaySource {
    None,
    /// Mainland China's statutory holidays and make-up working days.
    China,
}

/// The working calendar in use.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    tz: FixedOffset,
    business: Option<Business>,
}

#[derive(Debug, Clone, PartialEq)]
struct Business {
    /// Opening hours by weekday, Monday first; `None` is closed.
    week: [Option<Hours>; 7],
    /// Hours of an extra working day, and of a make-up day falling on a closed weekday: those
    /// of the first open weekday (Monday's, usually).
    extra_day_hours: Hours,
    holidays: HolidaySource,
    extra_holidays: BTreeSet<NaiveDate>,
    extra_workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// Round the clock, every day: working time is wall-clock time.
    pub fn all_hours(tz: FixedOffset) -> Calendar {
        Calendar { tz, business: None }
    }

    /// The calendar a `[complaints]` setting describes, in the centre's time zone `tz`; every
    /// unusable setting is named with its reason.
    pub fn from_setting(
        setting: &CalendarSetting<'_>,
        tz: FixedOffset,
    ) -> Result<Calendar, Vec<SettingError>> {
        let mut errors = Vec::new();
        let holidays = match setting.holidays.trim().to_lowercase().as_str() {
            "cn" => HolidaySource::China,
            "" | "none" => HolidaySource::None,
            other => {
                errors.push(SettingError::new(
                    "holidays",
                    format!("'{other}' is not a holiday calendar careline knows; use \"cn\" (mainland China) or \"none\""),
                ));
                HolidaySource::None
            }
        };
        let week = weekly_hours(setting.business_hours, &mut errors);
        let extra_holidays = dates("extra_holidays", setting.extra_holidays, &mut errors);
        let extra_workdays = dates("extra_workdays", setting.extra_workdays, &mut errors);
        for both in extra_holidays.intersection(&extra_workdays) {
            errors.push(SettingError::new(
                "extra_workdays",
                format!("{both} is also in extra_holidays; a day is one or the other"),
            ));
        }
        let business = match setting.clock.trim().to_lowercase().as_str() {
            "24x7" | "24×7" | "" => None,
            "business" => {
                let extra_day_hours = week.iter().flatten().next().copied();
                if extra_day_hours.is_none() && errors.is_empty() {
                    errors.push(SettingError::new(
                        "business_hours",
                        "no weekday is open; name at least one, e.g. mon = \"09:00-18:00\"",
                    ));
                }
                Some(Business {
                    week,
                    extra_day_hours: extra_day_hours.unwrap_or(Hours::ALL_DAY),
                    holidays,
                    extra_holidays,
                    extra_workdays,
                })
            }
            other => {
                errors.push(SettingError::new(
                    "clock",
                    format!("'{other}' is not a clock; use \"24x7\" or \"business\""),
                ));
                None
            }
        };
        if errors.is_empty() {
            Ok(Calendar { tz, business })
        } else {
            Err(errors)
        }
    }

    /// The centre's time zone.
    pub fn tz(&self) -> FixedOffset {
        self.tz
    }

    /// Whether it counts round the clock (24×7).
    pub fn is_all_hours(&self) -> bool {
        self.business.is_none()
    }

    /// Whether `date` (a local date) is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.hours_on(date).is_some()
    }

    /// The opening hours of `date` (a local date), `None` when it is not a working day.
    pub fn hours_on(&self, date: NaiveDate) -> Option<Hours> {
        let Some(b) = &self.business else {
            return Some(Hours::ALL_DAY);
        };
        if b.extra_workdays.contains(&date) {
            return Some(b.extra_day_hours);
        }
        if b.extra_holidays.contains(&date) {
            return None;
        }
        if b.holidays == HolidaySource::China {
            match china_day(date) {
                Some(DayOff::Holiday) => return None,
                Some(DayOff::MakeUpWorkday) => {
                    return Some(b.week[weekday_index(date)].unwrap_or(b.extra_day_hours))
                }
                None => {}
            }
        }
        b.week[weekday_index(date)]
    }

    /// The instant `span` of working time after `start`: a deadline. A span of zero is `start`
    /// itself; a positive span starting out of hours starts counting at the next opening.
    pub fn add_working(&self, start: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
        if self.business.is_none() || span <= Duration::zero() {
            return start + span.max(Duration::zero());
        }
        let mut left = span;
        let mut day = self.local_date(start);
        for _ in 0..MAX_DAYS_WALKED {
            if let Some((open, close)) = self.window(day) {
                let from = open.max(start);
                if from < close {
                    let here = close - from;
                    if left <= here {
                        return from + left;
                    }
                    left -= here;
                }
            }
            day = day.succ_opt().unwrap_or(day);
        }
        // Only a calendar closed for ten years running gets here: count the rest round the clock.
        self.at(day, 0) + left
    }

    /// Working time between `a` and `b` (zero when `b` is not after `a`). Whole days between
    /// are counted by the week, corrected by the holidays and extra days among them, so a span
    /// of years costs no more than one of days.
    pub fn working_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        if b <= a {
            return Duration::zero();
        }
        let Some(business) = &self.business else {
            return b - a;
        };
        let overlap = |day: NaiveDate| match self.window(day) {
            Some((open, close)) => (close.min(b) - open.max(a)).max(Duration::zero()),
            None => Duration::zero(),
        };
        let (first, last) = (self.local_date(a), self.local_date(b));
        if first == last {
            return overlap(first);
        }
        let mut total = overlap(first) + overlap(last);
        if let (Some(from), Some(to)) = (first.succ_opt(), last.pred_opt()) {
            if from <= to {
                total += Duration::minutes(self.whole_days_minutes(business, from, to));
            }
        }
        total
    }

    /// Working minutes of the whole local days `from..=to`.
    fn whole_days_minutes(&self, b: &Business, from: NaiveDate, to: NaiveDate) -> i64 {
        let weekly = |day: NaiveDate| b.week[weekday_index(day)].map_or(0, Hours::minutes);
        let days = (to - from).num_days() + 1;
        let week_minutes: i64 = b.week.iter().flatten().map(|h| h.minutes()).sum();
        let mut minutes = days / 7 * week_minutes;
        let mut day = from + Duration::days(days / 7 * 7);
        while day <= to {
            minutes += weekly(day);
            day = day.succ_opt().unwrap_or(to + Duration::days(1));
        }
        let correction =
            |day: &NaiveDate| self.hours_on(*day).map_or(0, Hours::minutes) - weekly(*day);
        let extra = b
            .extra_holidays
            .range(from..=to)
            .chain(b.extra_workdays.range(from..=to));
        minutes += extra.map(correction).sum::<i64>();
        if b.holidays == HolidaySource::China {
            minutes += china_schedule()
                .range(from..=to)
                .map(|(day, _)| day)
                .filter(|day| !b.extra_holidays.contains(day) && !b.extra_workdays.contains(day))
                .map(correction)
                .sum::<i64>();
        }
        minutes
    }

    /// What the calendar is, for `careline complaint show` (the caller words it per language;
    /// `Display` gives the English).
    pub fn summary(&self) -> CalendarSummary {
        let Some(b) = &self.business else {
            return CalendarSummary::AllHours;
        };
        let mut week: Vec<(Weekday, Weekday, Hours)> = Vec::new();
        for (i, hours) in b.week.iter().enumerate() {
            let Some(hours) = hours else { continue };
            let day = WEEKDAY_KEYS[i].1;
            match week.last_mut() {
                Some((_, last, h)) if h == hours && last.succ() == day => *last = day,
                _ => week.push((day, day, *hours)),
            }
        }
        CalendarSummary::Business {
            week,
            statutory: (b.holidays == HolidaySource::China).then(china_years),
            extra_holidays: b.extra_holidays.len(),
            extra_workdays: b.extra_workdays.len(),
        }
    }

    /// Whether the statutory holidays in use are known for `date`'s year (false past the last
    /// published notice: the days then count as ordinary weekdays and weekends).
    pub fn knows_holidays_of(&self, date: NaiveDate) -> bool {
        match &self.business {
            Some(b) if b.holidays == HolidaySource::China => {
                let (first, last) = china_years();
                (first..=last).contains(&date.year())
            }
            _ => true,
        }
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The UTC instant of local `date` at `minute` past midnight.
    fn at(&self, date: NaiveDate, minute: u32) -> DateTime<Utc> {
        let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc();
        midnight + Duration::minutes(i64::from(minute))
            - Duration::seconds(i64::from(self.tz.local_minus_utc()))
    }

    /// The opening and closing instants of `date`, if it is a working day.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let hours = self.hours_on(date)?;
        let open = self.at(date, hours.start);
        Some((open, open + Duration::minutes(hours.minutes())))
    }
}

fn weekday_index(date: NaiveDate) -> usize {
    date.weekday().num_days_from_monday() as usize
}

fn hours_error(setting: &str, text: &str, e: HoursError) -> SettingError {
    let reason = match e {
        HoursError::Unreadable => {
            format!("'{text}' is not opening hours; write HH:MM-HH:MM, e.g. \"09:00-18:00\"")
        }
        HoursError::EndsBeforeStart => format!(
            "'{text}' ends before it starts; hours past midnight are not supported, end by 24:00"
        ),
    };
    SettingError::new(setting, reason)
}

fn weekly_hours(
    setting: &WeeklyHoursSetting,
    errors: &mut Vec<SettingError>,
) -> [Option<Hours>; 7] {
    let mut week = [None; 7];
    match setting {
        WeeklyHoursSetting::MondayToFriday(text) => match Hours::parse(text) {
            Ok(hours) => week[..5].fill(Some(hours)),
            Err(e) => errors.push(hours_error("business_hours", text, e)),
        },
        WeeklyHoursSetting::ByWeekday(days) => {
            for (key, text) in days {
                let wanted = key.trim().to_lowercase();
                let Some(i) = WEEKDAY_KEYS.iter().position(|(k, _)| *k == wanted) else {
                    errors.push(SettingError::new(
                        format!("business_hours.{key}"),
                        "is not a weekday; use mon, tue, wed, thu, fri, sat or sun",
                    ));
                    continue;
                };
                match Hours::parse(text) {
                    Ok(hours) => week[i] = Some(hours),
                    Err(e) => errors.push(hours_error(&format!("business_hours.{key}"), text, e)),
                }
            }
        }
    }
    week
}

fn dates(setting: &str, texts: &[String], errors: &mut Vec<SettingError>) -> BTreeSet<NaiveDate> {
    let mut out = BTreeSet::new();
    for text in texts {
        match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            Ok(date) => {
                out.insert(date);
            }
            Err(_) => errors.push(SettingError::new(
                setting,
                format!("'{text}' is not a date; write YYYY-MM-DD, e.g. \"2026-12-31\""),
            )),
        }
    }
    out
}

/// What a day is in the statutory schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOff {
    /// A day off (放假).
    Holiday,
    /// A weekend day worked instead (调休上班).
    MakeUpWorkday,
}

/// The statutory schedule, read once from `tyme4rs`'s data: 13-character records
/// `YYYYMMDD` + `0` (work) or `1` (off) + holiday index + signed days to the festival.
fn china_schedule() -> &'static BTreeMap<NaiveDate, DayOff> {
    static SCHEDULE: OnceLock<BTreeMap<NaiveDate, DayOff>> = OnceLock::new();
    SCHEDULE.get_or_init(|| {
        let data = tyme4rs::tyme::holiday::LEGAL_HOLIDAY_DATA.as_bytes();
        data.chunks(13)
            .filter_map(|record| {
                let text = std::str::from_utf8(record.get(..9)?).ok()?;
                let date = NaiveDate::parse_from_str(&text[..8], "%Y%m%d").ok()?;
                let kind = match &text[8..9] {
                    "0" => DayOff::MakeUpWorkday,
                    "1" => DayOff::Holiday,
                    _ => return None,
                };
                Some((date, kind))
            })
            .collect()
    })
}

/// Whether `date` is a statutory holiday or a make-up working day in mainland China.
pub fn china_day(date: NaiveDate) -> Option<DayOff> {
    china_schedule().get(&date).copied()
}

/// The first and last years of the statutory schedule careline knows.
fn china_years() -> (i32, i32) {
    let schedule = china_schedule();
    // The data opens on 2001-12-29, a make-up day for New Year 2002.
    let first = schedule
        .keys()
        .find(|d| d.month() == 1 && d.day() == 1)
        .map_or(0, |d| d.year());
    let last = schedule.keys().next_back().map_or(0, |d| d.year());
    (first, last)
}

/// The calendar in use, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarSummary {
    AllHours,
    Business {
        /// Runs of weekdays with the same hours: first day, last day, hours.
        week: Vec<(Weekday, Weekday, Hours)>,
        /// The years of the statutory schedule, when mainland China's holidays are used.
        statutory: Option<(i32, i32)>,
        extra_holidays: usize,
        extra_workdays: usize,
    },
}

impl fmt::Display for CalendarSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let CalendarSummary::Business {
            week,
            statutory,
            extra_holidays,
            extra_workdays,
        } = self
        else {
            return f.write_str("24×7");
        };
        f.write_str("business hours")?;
        for (i, (first, last, hours)) in week.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            if first == last {
                write!(f, "{sep}{hours} {first}")?;
            } else {
                write!(f, "{sep}{hours} {first}–{last}")?;
            }
        }
        if let Some((from, to)) = statutory {
            write!(f, ", CN statutory holidays {from}–{to}")?;
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if *extra_holidays > 0 {
            write!(
                f,
                " + {extra_holidays} extra holiday{}",
                plural(*extra_holidays)
            )?;
        }
        if *extra_workdays > 0 {
            write!(
                f,
                " + {extra_workdays} extra working day{}",
                plural(*extra_workdays)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn beijing() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).expect("an offset")
    }

    /// A Beijing wall-clock time.
    pub(crate) fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        beijing()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("a time")
            .with_timezone(&Utc)
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    fn calendar(
        hours: WeeklyHoursSetting,
        holidays: &str,
        extra_holidays: &[&str],
        extra_workdays: &[&str],
    ) -> Result<Calendar, Vec<SettingError>> {
        let own = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Calendar::from_setting(
            &CalendarSetting {
                clock: "business",
                business_hours: &hours,
                holidays,
                extra_holidays: &own(extra_holidays),
                extra_workdays: &own(extra_workdays),
            },
            beijing(),
        )
    }

    /// 09:00–18:00 Monday to Friday with mainland China's holidays.
    fn office() -> Calendar {
        calendar(WeeklyHoursSetting::default(), "cn", &[], &[]).expect("a calendar")
    }

    /// Every day of `from..=to`.
    fn days(from: &str, to: &str) -> Vec<NaiveDate> {
        let (mut day, last) = (date(from), date(to));
        let mut out = vec![];
        while day <= last {
            out.push(day);
            day = day.succ_opt().expect("a next day");
        }
        out
    }

    /// Days off and make-up working days (调休上班) of a year, as the State Council's notice
    /// gives them.
    struct Notice {
        year: i32,
        off: &'static [(&'static str, &'static str)],
        work: &'static [&'static str],
    }

    const NOTICES: [Notice; 2] = [
        // 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号):
        // 元旦 1月1日放假1天; 春节 1月28日至2月4日放假调休, 1月26日(周日)、2月8日(周六)上班;
        // 清明节 4月4日至6日; 劳动节 5月1日至5日放假调休, 4月27日(周日)上班;
        // 端午节 5月31日至6月2日; 国庆节、中秋节 10月1日至8日放假调休, 9月28日(周日)、
        // 10月11日(周六)上班.
        Notice {
            year: 2025,
            off: &[
                ("2025-01-01", "2025-01-01"),
                ("2025-01-28", "2025-02-04"),
                ("2025-04-04", "2025-04-06"),
                ("2025-05-01", "2025-05-05"),
                ("2025-05-31", "2025-06-02"),
                ("2025-10-01", "2025-10-08"),
            ],
            work: &[
                "2025-01-26",
                "2025-02-08",
                "2025-04-27",
                "2025-09-28",
                "2025-10-11",
            ],
        },
        // 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号):
        // 元旦 1月1日至3日放假调休, 1月4日(周日)上班; 春节 2月15日至23日放假调休,
        // 2月14日(周六)、2月28日(周六)上班; 清明节 4月4日至6日; 劳动节 5月1日至5日放假调休,
        // 5月9日(周六)上班; 端午节 6月19日至21日; 中秋节 9月25日至27日;
        // 国庆节 10月1日至7日放假调休, 9月20日(周日)、10月10日(周六)上班.
        Notice {
            year: 2026,
            off: &[
                ("2026-01-01", "2026-01-03"),
                ("2026-02-15", "2026-02-23"),
                ("2026-04-04", "2026-04-06"),
                ("2026-05-01", "2026-05-05"),
                ("2026-06-19", "2026-06-21"),
                ("2026-09-25", "2026-09-27"),
                ("2026-10-01", "2026-10-07"),
            ],
            work: &[
                "2026-01-04",
                "2026-02-14",
                "2026-02-28",
                "2026-05-09",
                "2026-09-20",
                "2026-10-10",
            ],
        },
    ];

    #[test]
    fn the_statutory_schedule_is_the_published_one_for_2025_and_2026() {
        let office = office();
        for notice in &NOTICES {
            let off: BTreeSet<NaiveDate> = notice
                .off
                .iter()
                .flat_map(|(from, to)| days(from, to))
                .collect();
            let work: BTreeSet<NaiveDate> = notice.work.iter().map(|d| date(d)).collect();
            let year = days(
                &format!("{}-01-01", notice.year),
                &format!("{}-12-31", notice.year),
            );
            for day in year {
                let expected = if off.contains(&day) {
                    Some(DayOff::Holiday)
                } else if work.contains(&day) {
                    Some(DayOff::MakeUpWorkday)
                } else {
                    None
                };
                assert_eq!(china_day(day), expected, "{day}");
                let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                let working = work.contains(&day) || (!weekend && !off.contains(&day));
                assert_eq!(office.is_working_day(day), working, "{day}");
            }
            assert!(office.knows_holidays_of(date(&format!("{}-06-01", notice.year))));
        }
    }

    #[test]
    fn the_schedule_is_read_as_tyme_itself_reads_it() {
        // Every day careline takes from the crate's data since 2020 is one the crate's own
        // lookup knows, worked or off alike.
        let recent: Vec<_> = china_schedule()
            .iter()
            .filter(|(day, _)| day.year() >= 2020)
            .collect();
        assert!(recent.len() > 200, "{} days", recent.len());
        for (day, kind) in recent {
            let tyme = tyme4rs::tyme::holiday::LegalHoliday::from_ymd(
                day.year() as isize,
                day.month() as usize,
                day.day() as usize,
            );
            let tyme = tyme.map(|h| h.is_work());
            assert_eq!(tyme, Some(*kind == DayOff::MakeUpWorkday), "{day}");
        }
    }

    #[test]
    fn a_deadline_skips_the_weekend() {
        // Friday 2026-11-20 17:00 + 2 h: one hour on Friday, one from Monday 09:00.
        assert_eq!(
            office().add_working(local(2026, 11, 20, 17, 0), Duration::hours(2)),
            local(2026, 11, 23, 10, 0)
        );
        assert_eq!(
            office().working_between(local(2026, 11, 20, 17, 0), local(2026, 11, 23, 10, 0)),
            Duration::hours(2)
        );
    }

    #[test]
    fn half_an_hour_from_ten_to_six_is_twenty_past_nine_next_morning() {
        // Wednesday 2026-11-25 17:50: ten minutes that day, twenty on Thursday.
        assert_eq!(
            office().add_working(local(2026, 11, 25, 17, 50), Duration::minutes(30)),
            local(2026, 11, 26, 9, 20)
        );
        // Exactly to closing time stays that day.
        assert_eq!(
            office().add_working(local(2026, 11, 25, 17, 50), Duration::minutes(10)),
            local(2026, 11, 25, 18, 0)
        );
        // Before opening, counting starts at 09:00.
        assert_eq!(
            office().add_working(local(2026, 11, 25, 7, 0), Duration::minutes(30)),
            local(2026, 11, 25, 9, 30)
        );
    }

    #[test]
    fn national_day_2025_is_skipped_and_its_make_up_days_are_worked() {
        let office = office();
        // Tuesday 2025-09-30 17:00 + 2 h: 17–18 that day; 10-01..10-08 off; Thursday 10-09 09–10.
        assert_eq!(
            office.add_working(local(2025, 9, 30, 17, 0), Duration::hours(2)),
            local(2025, 10, 9, 10, 0)
        );
        assert_eq!(
            office.working_between(local(2025, 9, 30, 17, 0), local(2025, 10, 9, 10, 0)),
            Duration::hours(2)
        );
        // Friday 2025-09-26 17:00 + 3 h: 1 h Friday, Saturday off, Sunday 09-28 is worked.
        assert_eq!(
            office.add_working(local(2025, 9, 26, 17, 0), Duration::hours(3)),
            local(2025, 9, 28, 11, 0)
        );
        // Friday 2025-10-10 17:30 + 1 h: half an hour, then Saturday 10-11 is worked.
        assert_eq!(
            office.add_working(local(2025, 10, 10, 17, 30), Duration::hours(1)),
            local(2025, 10, 11, 9, 30)
        );
    }

    #[test]
    fn spring_festival_2026_is_skipped_and_its_make_up_days_are_worked() {
        let office = office();
        // Friday 2026-02-13 17:00 + 2 h: Saturday 02-14 is a make-up working day.
        assert_eq!(
            office.add_working(local(2026, 2, 13, 17, 0), Duration::hours(2)),
            local(2026, 2, 14, 10, 0)
        );
        // Saturday 02-14 17:30 + 1 h: 02-15..02-23 off, Tuesday 02-24 from 09:00.
        assert_eq!(
            office.add_working(local(2026, 2, 14, 17, 30), Duration::hours(1)),
            local(2026, 2, 24, 9, 30)
        );
    }

    #[test]
    fn round_the_clock_counts_wall_time_through_holidays() {
        let always = Calendar::all_hours(beijing());
        let start = local(2025, 9, 30, 17, 0);
        assert_eq!(
            always.add_working(start, Duration::hours(24)),
            local(2025, 10, 1, 17, 0)
        );
        assert_eq!(
            always.working_between(start, local(2025, 10, 2, 17, 0)),
            Duration::hours(48)
        );
        assert!(always.is_working_day(date("2025-10-01")));
        assert_eq!(always.summary().to_string(), "24×7");
    }

    #[test]
    fn hours_by_weekday_and_the_centres_own_days() {
        let table: BTreeMap<String, String> = [
            ("mon", "09:00-18:00"),
            ("tue", "09:00-18:00"),
            ("wed", "09:00-18:00"),
            ("thu", "09:00-18:00"),
            ("fri", "09:00-18:00"),
            ("sat", "10:00-16:00"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let centre = calendar(
            WeeklyHoursSetting::ByWeekday(table.clone()),
            "none",
            &["2026-11-27"],
            &["2026-11-29"],
        )
        .expect("a calendar");
        // Saturday 2026-11-21 15:30 + 1 h: half an hour Saturday, Sunday closed, Monday 09:30.
        assert_eq!(
            centre.add_working(local(2026, 11, 21, 15, 30), Duration::hours(1)),
            local(2026, 11, 23, 9, 30)
        );
        // Friday 11-27 is the centre's holiday; Sunday 11-29 its extra working day, on Monday's hours.
        assert!(!centre.is_working_day(date("2026-11-27")));
        assert_eq!(
            centre.hours_on(date("2026-11-29")),
            Some(Hours {
                start: 9 * 60,
                end: 18 * 60
            })
        );
        assert_eq!(
            centre.add_working(local(2026, 11, 26, 17, 0), Duration::hours(8)),
            // Thursday 17–18, Friday off, Saturday 10–16, Sunday 09:00 + 1 h.
            local(2026, 11, 29, 10, 0)
        );
        assert_eq!(
            centre.summary().to_string(),
            "business hours 09:00–18:00 Mon–Fri, 10:00–16:00 Sat + 1 extra holiday + 1 extra working day"
        );
        let cn = calendar(
            WeeklyHoursSetting::default(),
            "cn",
            &["2026-12-31", "2027-01-04"],
            &[],
        )
        .expect("a calendar");
        let CalendarSummary::Business {
            statutory: Some((first, last)),
            ..
        } = cn.summary()
        else {
            panic!("a business calendar with statutory holidays");
        };
        assert!(first <= 2025 && last >= 2026, "{first}–{last}");
        assert_eq!(
            cn.summary().to_string(),
            format!(
                "business hours 09:00–18:00 Mon–Fri, CN statutory holidays {first}–{last} + 2 extra holidays"
            )
        );
    }

    #[test]
    fn working_time_over_years_is_the_sum_of_each_days_hours() {
        // A reference: walk every local day and add the part of its opening hours in range.
        let table: BTreeMap<String, String> = [("mon", "08:30-17:00"), ("sat", "10:00-12:15")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let centre = calendar(
            WeeklyHoursSetting::ByWeekday(table),
            "cn",
            &["2025-03-03", "2026-07-04"],
            &["2025-03-05", "2026-01-01"],
        )
        .expect("a calendar");
        let walk = |cal: &Calendar, a: DateTime<Utc>, b: DateTime<Utc>| {
            let mut total = Duration::zero();
            for day in days("2024-12-30", "2027-01-02") {
                if let Some(h) = cal.hours_on(day) {
                    let open = local(day.year(), day.month(), day.day(), 0, 0)
                        + Duration::minutes(i64::from(h.start));
                    let close = open + Duration::minutes(i64::from(h.end - h.start));
                    total += (close.min(b) - open.max(a)).max(Duration::zero());
                }
            }
            total
        };
        let instants = [
            local(2025, 1, 1, 0, 0),
            local(2025, 1, 27, 9, 0),
            local(2025, 3, 3, 11, 0),
            local(2025, 9, 28, 12, 40),
            local(2025, 10, 11, 23, 0),
            local(2026, 2, 14, 10, 30),
            local(2026, 6, 20, 7, 0),
            local(2026, 12, 31, 17, 59),
        ];
        for cal in [&office(), &centre] {
            for a in instants {
                for b in instants {
                    let expected = if b > a {
                        walk(cal, a, b)
                    } else {
                        Duration::zero()
                    };
                    assert_eq!(cal.working_between(a, b), expected, "{a} → {b}");
                }
            }
        }
    }

    #[test]
    fn a_bad_setting_is_named_with_its_reason() {
        let one = |hours: WeeklyHoursSetting, holidays: &str, extra: &[&str]| {
            let errors = calendar(hours, holidays, extra, &[]).expect_err("refused");
            assert_eq!(errors.len(), 1, "{errors:?}");
            errors[0].to_string()
        };
        let every = |text: &str| WeeklyHoursSetting::MondayToFriday(text.into());
        assert_eq!(
            one(every("18:00-09:00"), "cn", &[]),
            "complaints.business_hours: '18:00-09:00' ends before it starts; hours past midnight are not supported, end by 24:00"
        );
        assert_eq!(
            one(every("9-18"), "cn", &[]),
            "complaints.business_hours: '9-18' is not opening hours; write HH:MM-HH:MM, e.g. \"09:00-18:00\""
        );
        let table = [("mon", "09:00-18:00"), ("funday", "10:00-12:00")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            one(WeeklyHoursSetting::ByWeekday(table), "cn", &[]),
            "complaints.business_hours.funday: is not a weekday; use mon, tue, wed, thu, fri, sat or sun"
        );
        assert_eq!(
            one(every("09:00-18:00"), "cn", &["2026-02-30"]),
            "complaints.extra_holidays: '2026-02-30' is not a date; write YYYY-MM-DD, e.g. \"2026-12-31\""
        );
        assert_eq!(
            one(every("09:00-18:00"), "us", &[]),
            "complaints.holidays: 'us' is not a holiday calendar careline knows; use \"cn\" (mainland China) or \"none\""
        );
        let errors = Calendar::from_setting(
            &CalendarSetting {
                clock: "sometimes",
                business_hours: &WeeklyHoursSetting::default(),
                holidays: "cn",
                extra_holidays: &[],
                extra_workdays: &[],
            },
            beijing(),
        )
        .expect_err("refused");
        assert_eq!(
            errors[0].to_string(),
            "complaints.clock: 'sometimes' is not a clock; use \"24x7\" or \"business\""
        );
        let errors = calendar(
            WeeklyHoursSetting::default(),
            "cn",
            &["2026-12-31"],
            &["2026-12-31"],
        )
        .expect_err("refused");
        assert_eq!(errors[0].setting, "extra_workdays");
        let errors = calendar(
            WeeklyHoursSetting::ByWeekday(BTreeMap::new()),
            "cn",
            &[],
            &[],
        )
        .expect_err("refused");
        assert_eq!(errors[0].setting, "business_hours");
        // Opening hours read as written, up to 24:00.
        assert_eq!(
            Hours::parse("9:30 – 24:00"),
            Ok(Hours {
                start: 9 * 60 + 30,
                end: 24 * 60
            })
        );
        assert_eq!(Hours::parse("09:00-24:01"), Err(HoursError::Unreadable));
        assert_eq!(Hours::parse("09:60-18:00"), Err(HoursError::Unreadable));
    }
}
