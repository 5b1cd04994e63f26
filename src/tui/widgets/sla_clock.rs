//! An SLA clock as the screen writes it: the working time left or overdue, coloured by where
//! the clock stands — on time (`ok`), due soon (`warn`), breached (`breach`); in `mono` that
//! is plain, bold, reverse. The queue, the complaint's detail and the card share it.

use chrono::Duration;
use ratatui::style::Style;

use crate::domain::calendar::{Calendar, CalendarSummary};
use crate::domain::sla_clock::{ClockKind, ClockState, Reading};
use crate::store::Complaint;
use crate::tui::i18n::I18n;
use crate::tui::theme::Theme;
use crate::tui::view::View;

/// A span of working time, short, in the screen's units: `45m`, `3h05m`, `2d4h` (`45分`,
/// `3时05分`, `2天4时`); under a minute is `<1m`, never `0m`.
pub fn span_text(d: Duration, i18n: &I18n) -> String {
    let seconds = d.num_seconds().abs();
    let minutes = seconds / 60;
    let (days, hours, mins) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    if days > 0 {
        i18n.f(
            "span.days_hours",
            &[("d", &days.to_string()), ("h", &hours.to_string())],
        )
    } else if hours > 0 {
        i18n.f(
            "span.hours_minutes",
            &[("h", &hours.to_string()), ("m", &format!("{mins:02}"))],
        )
    } else if minutes == 0 && seconds > 0 {
        i18n.t("span.under_minute").to_string()
    } else {
        i18n.f("span.minutes", &[("m", &mins.to_string())])
    }
}

/// `3h05m left`, `15m over`, `paused 2h10m` (left when it resumes), `met`.
pub fn clock_text(r: &Reading, i18n: &I18n) -> String {
    clock_words(r, "sla.paused", i18n)
}

/// As [`clock_text`], a paused clock said in full where there is room (the complaint's
/// detail): `paused, 2h10m left`.
pub fn clock_text_long(r: &Reading, i18n: &I18n) -> String {
    clock_words(r, "sla.paused_long", i18n)
}

fn clock_words(r: &Reading, paused: &str, i18n: &I18n) -> String {
    let time = span_text(r.left, i18n);
    if r.paused && !matches!(r.state, ClockState::Met { .. }) {
        return i18n.f(paused, &[("time", &time)]);
    }
    match r.state {
        ClockState::Met { on_time: true, .. } => i18n.t("sla.met").to_string(),
        ClockState::Met { .. } => i18n.t("sla.met_late").to_string(),
        ClockState::Breached => i18n.f("sla.over", &[("time", &time)]),
        ClockState::Running | ClockState::DueSoon => i18n.f("sla.left", &[("time", &time)]),
    }
}

/// The style of where the clock stands.
pub fn clock_style(r: &Reading, theme: &Theme) -> Style {
    match r.state {
        ClockState::Breached => theme.breach,
        ClockState::DueSoon => theme.warn,
        ClockState::Met { on_time: false, .. } => theme.muted,
        ClockState::Running | ClockState::Met { .. } => theme.ok,
    }
}

/// The working calendar in the screen's language: `24×7`, or the business hours by weekday,
/// the statutory schedule's years and the extra days.
pub fn calendar_words(summary: &CalendarSummary, i18n: &I18n) -> String {
    let CalendarSummary::Business {
        week,
        statutory,
        extra_holidays,
        extra_workdays,
    } = summary
    else {
        return i18n.t("calendar.all_hours").to_string();
    };
    let day = |d: chrono::Weekday| i18n.value("weekday", &d.to_string().to_lowercase());
    let runs: Vec<String> = week
        .iter()
        .map(|(first, last, hours)| {
            let days = if first == last {
                day(*first)
            } else {
                format!("{}–{}", day(*first), day(*last))
            };
            i18n.f(
                "calendar.run",
                &[("days", &days), ("hours", &hours.to_string())],
            )
        })
        .collect();
    let mut text = i18n.f(
        "calendar.business",
        &[("week", &runs.join(i18n.t("list.separator")))],
    );
    if let Some((from, to)) = statutory {
        text.push_str(&i18n.f(
            "calendar.statutory",
            &[("from", &from.to_string()), ("to", &to.to_string())],
        ));
    }
    for (n, key) in [
        (*extra_holidays, "calendar.extra_holidays"),
        (*extra_workdays, "calendar.extra_workdays"),
    ] {
        if n > 0 {
            let key = if n == 1 {
                format!("{key}_one")
            } else {
                key.to_string()
            };
            text.push_str(&i18n.f(&key, &[("count", &n.to_string())]));
        }
    }
    text
}

/// The clock's name: acknowledge, propose a solution, resolve.
pub fn clock_name(kind: ClockKind, i18n: &I18n) -> &str {
    i18n.t(match kind {
        ClockKind::Acknowledge => "clock.acknowledge",
        ClockKind::Propose => "clock.propose",
        ClockKind::Resolve => "clock.resolve",
    })
}

/// The state's word: on time, due soon, breached, met.
pub fn state_word(r: &Reading, i18n: &I18n) -> String {
    i18n.t(match r.state {
        ClockState::Breached => "sla.breached",
        ClockState::DueSoon => "sla.due_soon",
        ClockState::Running => "sla.on_time",
        ClockState::Met { .. } => "sla.met",
    })
    .to_string()
}

/// The clock column: an open complaint's next clock; a resolved one's follow-up call (due,
/// today, or overdue); a closed one's satisfaction when it was asked.
pub fn complaint_clock(k: &Complaint, calendar: Option<&Calendar>, view: &View) -> (String, Style) {
    let (i18n, theme) = (view.i18n, view.theme);
    if let Some(due) = k.follow_up_on {
        let today = view.now.with_timezone(&view.tz).date_naive();
        let day = due.format("%m-%d").to_string();
        return match due.cmp(&today) {
            std::cmp::Ordering::Less => (
                i18n.t("complaints.follow_up_overdue").to_string(),
                theme.breach,
            ),
            std::cmp::Ordering::Equal => (i18n.t("complaints.follow_up_today").into(), theme.warn),
            std::cmp::Ordering::Greater => (
                i18n.f("complaints.follow_up_on", &[("day", &day)]),
                theme.ok,
            ),
        };
    }
    if !k.status.is_open() {
        return match k.csat {
            Some(csat) => (
                i18n.f("complaints.csat", &[("score", &csat.to_string())]),
                theme.muted,
            ),
            None => ("—".to_string(), theme.muted),
        };
    }
    let reading = calendar.and_then(|c| k.next_reading_at(c, view.now));
    match reading {
        Some(r) => (clock_text(&r, i18n), clock_style(&r, theme)),
        None => ("—".to_string(), theme.muted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_written_in_days_hours_and_minutes() {
        let en = I18n::new(crate::tui::i18n::Lang::En);
        let zh = I18n::new(crate::tui::i18n::Lang::ZhCn);
        for (span, english, chinese) in [
            (Duration::minutes(45), "45m", "45分"),
            (Duration::minutes(-15), "15m", "15分"),
            (Duration::minutes(185), "3h05m", "3时05分"),
            (Duration::hours(52), "2d4h", "2天4时"),
            (Duration::seconds(59), "<1m", "<1分"),
            (Duration::zero(), "0m", "0分"),
        ] {
            assert_eq!(span_text(span, &en), english);
            assert_eq!(span_text(span, &zh), chinese);
        }
    }

    #[test]
    fn the_calendar_is_worded_in_the_screens_language() {
        use crate::domain::calendar::WeeklyHoursSetting;
        use crate::domain::complaint::SlaRules;
        let en = I18n::new(crate::tui::i18n::Lang::En);
        let zh = I18n::new(crate::tui::i18n::Lang::ZhCn);
        let all_hours = SlaRules::default().working_calendar().summary();
        assert_eq!(calendar_words(&all_hours, &en), "24×7");
        assert_eq!(calendar_words(&all_hours, &zh), "全天候（24×7）");
        let business = SlaRules {
            clock: "business".into(),
            business_hours: WeeklyHoursSetting::MondayToFriday("09:00-18:00".into()),
            holidays: "cn".into(),
            extra_holidays: vec!["2026-12-24".into()],
            ..SlaRules::default()
        }
        .working_calendar()
        .summary();
        let CalendarSummary::Business {
            statutory: Some((from, to)),
            ..
        } = business
        else {
            panic!("business hours with the CN schedule: {business:?}");
        };
        // The configured calendar's own words in English, worded again in Chinese.
        assert_eq!(calendar_words(&business, &en), business.to_string());
        assert_eq!(
            calendar_words(&business, &zh),
            format!(
                "工作时间 周一–周五 09:00–18:00，含国家法定节假日与调休（{from}–{to}年），另加 1 天休息日"
            )
        );
    }
}
