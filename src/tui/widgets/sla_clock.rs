//! An SLA clock as the screen writes it: the working time left or overdue, coloured by where
//! the clock stands — on time (`ok`), due soon (`warn`), breached (`breach`); in `mono` that
//! is plain, bold, reverse. The queue, the complaint's detail and the card share it.

use chrono::Duration;
use ratatui::style::Style;

use crate::domain::sla_clock::{ClockKind, ClockState, Reading};
use crate::tui::i18n::I18n;
use crate::tui::theme::Theme;

/// A span of working time, short: `45m`, `3h05m`, `2d4h`.
pub fn span_text(d: Duration) -> String {
    let minutes = d.num_minutes().abs();
    let (days, hours, mins) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    if days > 0 {
        format!("{days}d{hours}h")
    } else if hours > 0 {
        format!("{hours}h{mins:02}m")
    } else {
        format!("{mins}m")
    }
}

/// `3h05m left`, `15m over`, `paused 2h10m` (left when it resumes), `met`.
pub fn clock_text(r: &Reading, i18n: &I18n) -> String {
    let time = span_text(r.left);
    if r.paused && !matches!(r.state, ClockState::Met { .. }) {
        return i18n.f("sla.paused", &[("time", &time)]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_written_in_days_hours_and_minutes() {
        assert_eq!(span_text(Duration::minutes(45)), "45m");
        assert_eq!(span_text(Duration::minutes(-15)), "15m");
        assert_eq!(span_text(Duration::minutes(185)), "3h05m");
        assert_eq!(span_text(Duration::hours(52)), "2d4h");
        assert_eq!(span_text(Duration::seconds(59)), "0m");
    }
}
