//! The three SLA clocks of a complaint (DESIGN §3.4): acknowledge, first solution proposed, and
//! resolution, each counted in the working time of a [`Calendar`]. Waiting on the customer or a
//! third party pauses the resolution clock; a reopening starts it again from the reopening. Pure:
//! the caller passes `now`, the calendar and what happened to the complaint.

use chrono::{DateTime, Duration, Utc};

use super::calendar::Calendar;
use super::complaint::Spans;

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClockKind {
    Acknowledge,
    Propose,
    Resolve,
}

/// A span the complaint spent waiting (status `waiting`); `until` is `None` while it still waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// What happened to a complaint, as far as its clocks go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockFacts {
    pub opened: DateTime<Utc>,
    /// Taken by an operator talking to the customer (phone, visit): acknowledged at once.
    pub taken_in_person: bool,
    /// The first contact with the customer acknowledging it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The first solution proposed to the customer.
    pub proposed_at: Option<DateTime<Utc>>,
    /// The last resolution.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The last reopening, which restarts the resolution clock.
    pub reopened_at: Option<DateTime<Utc>>,
    /// Every waiting period, in any order.
    pub waiting: Vec<Waiting>,
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockState {
    /// Stopped at `at`; `on_time` when that was within its span. The caller keeps `at` (and
    /// `on_time`) so that later reports do not depend on the config of the day they run.
    Met {
        at: DateTime<Utc>,
        on_time: bool,
    },
    Running,
    /// Running with `due_soon_share` of its span or less left.
    DueSoon,
    Breached,
}

/// One clock of a complaint, as of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub kind: ClockKind,
    pub state: ClockState,
    /// The target, in working time.
    pub span: Duration,
    /// When the clock started: the opening, or the last reopening for the resolution clock.
    pub started: DateTime<Utc>,
    /// The deadline; `None` while the complaint waits (the clock is paused).
    pub due: Option<DateTime<Utc>>,
    /// Working time left of the span, negative when overdue; for a met clock, as it was when met.
    pub left: Duration,
    /// Working time the clock spent paused (waiting), counted so far.
    pub paused: Duration,
    /// Whether the clock is paused now.
    pub waiting_now: bool,
}

impl Clock {
    pub fn is_met(&self) -> bool {
        matches!(self.state, ClockState::Met { .. })
    }

    /// Working time overdue (zero when not).
    pub fn overdue(&self) -> Duration {
        (-self.left).max(Duration::zero())
    }
}

/// The three clocks of a complaint with targets `spans`, as of `now`.
pub fn clocks(
    facts: &ClockFacts,
    spans: &Spans,
    calendar: &Calendar,
    due_soon_share: f64,
    now: DateTime<Utc>,
) -> [Clock; 3] {
    let acknowledged = if facts.taken_in_person {
        Some(facts.opened)
    } else {
        facts.acknowledged_at
    };
    let reopened = facts.reopened_at.filter(|r| *r >= facts.opened);
    let resolve_start = reopened.unwrap_or(facts.opened);
    // A resolution before the last reopening no longer stops the clock.
    let resolved = facts.resolved_at.filter(|r| *r >= resolve_start);
    let judge = |kind, start, span, met: Option<DateTime<Utc>>, waiting: &[Waiting]| {
        clock(
            kind,
            start,
            span,
            met,
            waiting,
            calendar,
            due_soon_share,
            now,
        )
    };
    [
        judge(
            ClockKind::Acknowledge,
            facts.opened,
            spans.acknowledge,
            acknowledged,
            &[],
        ),
        judge(
            ClockKind::Propose,
            facts.opened,
            spans.propose,
            facts.proposed_at,
            &[],
        ),
        judge(
            ClockKind::Resolve,
            resolve_start,
            spans.resolve,
            resolved,
            &facts.waiting,
        ),
    ]
}

/// The clock a complaint must beat next: the unmet one with the earliest deadline (a paused
/// one after those running); `None` when all are met. The queue orders by it.
pub fn next_clock(clocks: &[Clock]) -> Option<&Clock> {
    clocks
        .iter()
        .filter(|c| !c.is_met())
        .min_by_key(|c| (c.due.is_none(), c.due, c.kind))
}

/// A clock as the store keeps it on the complaint: its deadline, when it turns due soon, when
/// it was met, and (for the resolution clock) since when it is paused. The store moves these
/// instants as the complaint changes (with [`after_pause`], [`soon_at`]); reading one is then
/// [`KeptClock::read`], without the complaint's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptClock {
    pub kind: ClockKind,
    pub due: DateTime<Utc>,
    pub soon: DateTime<Utc>,
    pub met: Option<DateTime<Utc>>,
    pub paused_since: Option<DateTime<Utc>>,
}

/// A kept clock as of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub kind: ClockKind,
    pub state: ClockState,
    pub due: DateTime<Utc>,
    /// Working time left, negative when overdue; for a met clock, as it was when met; for a
    /// paused one, as it was when the pause began.
    pub left: Duration,
    pub paused: bool,
}

impl KeptClock {
    /// Where the clock stands at `now`, in the calendar's working time.
    pub fn read(&self, calendar: &Calendar, now: DateTime<Utc>) -> Reading {
        let at = self.met.or(self.paused_since).unwrap_or(now);
        let left = if at <= self.due {
            calendar.working_between(at, self.due)
        } else {
            -calendar.working_between(self.due, at)
        };
        let state = match self.met {
            Some(met) => ClockState::Met {
                at: met,
                on_time: met <= self.due,
            },
            None if at >= self.due => ClockState::Breached,
            None if at >= self.soon => ClockState::DueSoon,
            None => ClockState::Running,
        };
        Reading {
            kind: self.kind,
            state,
            due: self.due,
            left,
            paused: self.met.is_none() && self.paused_since.is_some(),
        }
    }
}

/// The clock a complaint must beat next, of those kept: the unmet, running one with the
/// earliest deadline. `None` when every clock is met or only a paused one is left.
pub fn next_kept(clocks: &[KeptClock]) -> Option<&KeptClock> {
    clocks
        .iter()
        .filter(|c| c.met.is_none() && c.paused_since.is_none())
        .min_by_key(|c| (c.due, c.kind))
}

/// When a clock started at `start` with `span` turns due soon: `share` of the span left.
pub fn soon_at(
    calendar: &Calendar,
    start: DateTime<Utc>,
    span: Duration,
    share: f64,
) -> DateTime<Utc> {
    let before = Duration::seconds((span.num_seconds() as f64 * (1.0 - share)).round() as i64);
    calendar.add_working(start, before.clamp(Duration::zero(), span))
}

/// An instant of a clock (its deadline, its due-soon moment) after a pause from `paused` to
/// `resumed`: moved on by the working time paused, when it had not passed before the pause.
pub fn after_pause(
    calendar: &Calendar,
    instant: DateTime<Utc>,
    paused: DateTime<Utc>,
    resumed: DateTime<Utc>,
) -> DateTime<Utc> {
    if instant <= paused {
        return instant;
    }
    calendar.add_working(instant, calendar.working_between(paused, resumed))
}

#[allow(clippy::too_many_arguments)]
fn clock(
    kind: ClockKind,
    started: DateTime<Utc>,
    span: Duration,
    met: Option<DateTime<Utc>>,
    waiting: &[Waiting],
    calendar: &Calendar,
    due_soon_share: f64,
    now: DateTime<Utc>,
) -> Clock {
    let end = met.unwrap_or(now).max(started);
    let pauses = pauses(waiting, started, end);
    let waiting_now = met.is_none() && pauses.last().is_some_and(|(_, until)| *until >= now);
    let paused: Duration = pauses
        .iter()
        .map(|(from, until)| calendar.working_between(*from, *until))
        .sum();
    let counted = calendar.working_between(started, end) - paused;
    let left = span - counted;
    let due = if waiting_now {
        None
    } else {
        Some(deadline(calendar, started, span, &pauses))
    };
    let state = match met {
        Some(at) => ClockState::Met {
            at,
            on_time: left >= Duration::zero(),
        },
        None if left <= Duration::zero() => ClockState::Breached,
        None if (left.num_seconds() as f64) <= span.num_seconds() as f64 * due_soon_share => {
            ClockState::DueSoon
        }
        None => ClockState::Running,
    };
    Clock {
        kind,
        state,
        span,
        started,
        due,
        left,
        paused,
        waiting_now,
    }
}

/// The waiting periods within `[start, end]`, sorted and merged; an open one ends at `end`.
fn pauses(
    waiting: &[Waiting],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = waiting
        .iter()
        .map(|w| (w.from.max(start), w.until.unwrap_or(end).min(end)))
        .filter(|(from, until)| from < until)
        .collect();
    spans.sort();
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(spans.len());
    for (from, until) in spans {
        match merged.last_mut() {
            Some((_, last)) if from <= *last => *last = (*last).max(until),
            _ => merged.push((from, until)),
        }
    }
    merged
}

/// The instant `span` of working time after `start`, not counting the (sorted, disjoint) pauses.
fn deadline(
    calendar: &Calendar,
    start: DateTime<Utc>,
    span: Duration,
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
) -> DateTime<Utc> {
    let mut cursor = start;
    let mut left = span;
    for (from, until) in pauses {
        let before = calendar.working_between(cursor, *from);
        if left <= before {
            return calendar.add_working(cursor, left);
        }
        left -= before;
        cursor = cursor.max(*until);
    }
    calendar.add_working(cursor, left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::tests::{beijing, local};
    use crate::domain::calendar::{CalendarSetting, WeeklyHoursSetting};
    use crate::domain::complaint::{Severity, SlaRules};
    use chrono::TimeZone;

    /// 09:00–18:00 Monday to Friday with mainland China's holidays.
    fn office() -> Calendar {
        Calendar::from_setting(
            &CalendarSetting {
                clock: "business",
                business_hours: &WeeklyHoursSetting::default(),
                holidays: "cn",
                extra_holidays: &[],
                extra_workdays: &[],
            },
            beijing(),
        )
        .expect("a calendar")
    }

    fn opened(at: DateTime<Utc>) -> ClockFacts {
        ClockFacts {
            opened: at,
            taken_in_person: false,
            acknowledged_at: None,
            proposed_at: None,
            resolved_at: None,
            reopened_at: None,
            waiting: vec![],
        }
    }

    fn spans(severity: Severity, vip: bool) -> Spans {
        SlaRules::default().spans(severity, vip)
    }

    #[test]
    fn acknowledging_at_ten_to_six_is_due_twenty_past_nine_next_morning() {
        // Wednesday 2026-11-25 17:50, 30 min to acknowledge, 25% share: due soon at 7.5 min left.
        let facts = opened(local(2026, 11, 25, 17, 50));
        let targets = spans(Severity::Normal, false);
        let at = |h, m| clocks(&facts, &targets, &office(), 0.25, local(2026, 11, 26, h, m))[0];
        let ack = at(9, 10);
        assert_eq!(ack.kind, ClockKind::Acknowledge);
        assert_eq!(ack.due, Some(local(2026, 11, 26, 9, 20)));
        assert_eq!(ack.left, Duration::minutes(10));
        assert_eq!(ack.state, ClockState::Running);
        assert_eq!(at(9, 15).state, ClockState::DueSoon);
        let late = at(9, 30);
        assert_eq!(late.state, ClockState::Breached);
        assert_eq!(late.overdue(), Duration::minutes(10));
        // Overnight counts nothing: at 08:00 Thursday the ten minutes of Wednesday are gone.
        assert_eq!(at(8, 0).left, Duration::minutes(20));
    }

    #[test]
    fn a_complaint_taken_on_the_phone_is_acknowledged_at_once() {
        let start = local(2026, 11, 25, 10, 0);
        let facts = ClockFacts {
            taken_in_person: true,
            ..opened(start)
        };
        let [ack, propose, _] = clocks(
            &facts,
            &spans(Severity::Normal, false),
            &office(),
            0.25,
            local(2026, 11, 25, 11, 0),
        );
        assert_eq!(
            ack.state,
            ClockState::Met {
                at: start,
                on_time: true
            }
        );
        assert_eq!(propose.state, ClockState::Running);
        assert_eq!(propose.due, Some(local(2026, 11, 25, 12, 0)));
    }

    #[test]
    fn vip_targets_are_halved_in_working_time() {
        // Monday 2026-11-23 09:00, normal severity: 72 h = 8 days of 9 h; a VIP 36 h = 4 days.
        let facts = opened(local(2026, 11, 23, 9, 0));
        let now = local(2026, 11, 23, 9, 0);
        let plain = clocks(
            &facts,
            &spans(Severity::Normal, false),
            &office(),
            0.25,
            now,
        );
        let vip = clocks(&facts, &spans(Severity::Normal, true), &office(), 0.25, now);
        assert_eq!(plain[2].due, Some(local(2026, 12, 2, 18, 0)));
        assert_eq!(vip[2].due, Some(local(2026, 11, 26, 18, 0)));
        assert_eq!(vip[0].due, Some(local(2026, 11, 23, 9, 15)));
        assert_eq!(vip[1].due, Some(local(2026, 11, 23, 10, 0)));
        // The same through SlaRules::deadlines_in.
        let d = SlaRules::default().deadlines_in(&office(), facts.opened, Severity::Normal, true);
        assert_eq!(d.resolve, local(2026, 11, 26, 18, 0));
    }

    #[test]
    fn waiting_pauses_the_resolution_clock_and_is_counted() {
        // Round the clock: critical, 24 h from T; waiting T+2h..T+12h; now T+30h.
        let t = Utc
            .with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
            .single()
            .expect("a time");
        let always = Calendar::all_hours(beijing());
        let mut facts = opened(t);
        facts.waiting = vec![Waiting {
            from: t + Duration::hours(2),
            until: Some(t + Duration::hours(12)),
        }];
        let targets = spans(Severity::Critical, false);
        let resolve = clocks(&facts, &targets, &always, 0.25, t + Duration::hours(30))[2];
        assert_eq!(resolve.paused, Duration::hours(10));
        assert_eq!(resolve.left, Duration::hours(4));
        assert_eq!(resolve.due, Some(t + Duration::hours(34)));
        assert_eq!(resolve.state, ClockState::DueSoon);
        // The acknowledge clock does not pause: it breached at T+30min.
        let ack = clocks(&facts, &targets, &always, 0.25, t + Duration::hours(30))[0];
        assert_eq!(ack.state, ClockState::Breached);
        assert_eq!(ack.paused, Duration::zero());
        // Still waiting at T+5h: no deadline while paused, three hours paused so far.
        facts.waiting[0].until = None;
        let paused = clocks(&facts, &targets, &always, 0.25, t + Duration::hours(5))[2];
        assert!(paused.waiting_now);
        assert_eq!(paused.due, None);
        assert_eq!(paused.paused, Duration::hours(3));
        assert_eq!(paused.left, Duration::hours(22));
    }

    #[test]
    fn waiting_in_business_hours_moves_the_deadline_by_working_time() {
        // Monday 2026-11-23 09:00, normal (8 working days, due Wednesday 12-02 18:00 unpaused);
        // waiting Tuesday 09:00 to Wednesday 09:00 = one working day paused: due Thursday 12-03.
        let mut facts = opened(local(2026, 11, 23, 9, 0));
        facts.waiting = vec![Waiting {
            from: local(2026, 11, 24, 9, 0),
            until: Some(local(2026, 11, 25, 9, 0)),
        }];
        let resolve = clocks(
            &facts,
            &spans(Severity::Normal, false),
            &office(),
            0.25,
            local(2026, 11, 25, 12, 0),
        )[2];
        assert_eq!(resolve.paused, Duration::hours(9));
        // Counted: Monday 9 h + Tuesday 9 h + Wednesday 3 h, less 9 h paused = 12 h of 72.
        assert_eq!(resolve.left, Duration::hours(60));
        assert_eq!(resolve.due, Some(local(2026, 12, 3, 18, 0)));
        assert_eq!(resolve.state, ClockState::Running);
    }

    #[test]
    fn a_kept_clock_moved_past_a_pause_reads_as_the_clocks_of_the_events() {
        // The same complaint as above, kept as the store keeps it: due Wednesday 12-02 18:00
        // unpaused, turning due soon with 18 of 72 working hours left (Monday 11-30 09:00);
        // waiting Tuesday 09:00 to Wednesday 09:00 moves both by one working day.
        let cal = office();
        let opened_at = local(2026, 11, 23, 9, 0);
        let span = spans(Severity::Normal, false).resolve;
        let due = cal.add_working(opened_at, span);
        assert_eq!(due, local(2026, 12, 2, 18, 0));
        let soon = soon_at(&cal, opened_at, span, 0.25);
        assert_eq!(soon, local(2026, 11, 30, 18, 0));
        let (from, until) = (local(2026, 11, 24, 9, 0), local(2026, 11, 25, 9, 0));
        let kept = KeptClock {
            kind: ClockKind::Resolve,
            due: after_pause(&cal, due, from, until),
            soon: after_pause(&cal, soon, from, until),
            met: None,
            paused_since: None,
        };
        assert_eq!(kept.due, local(2026, 12, 3, 18, 0));
        assert_eq!(kept.soon, local(2026, 12, 1, 18, 0));
        let now = local(2026, 11, 25, 12, 0);
        let mut facts = opened(opened_at);
        facts.waiting = vec![Waiting {
            from,
            until: Some(until),
        }];
        let from_events = clocks(&facts, &spans(Severity::Normal, false), &cal, 0.25, now)[2];
        let read = kept.read(&cal, now);
        assert_eq!(Some(read.due), from_events.due);
        assert_eq!(read.left, from_events.left);
        assert_eq!(read.state, from_events.state);
        // Wednesday 12-02 at noon: 15 working hours left of 72, under a quarter: due soon.
        assert_eq!(
            kept.read(&cal, local(2026, 12, 2, 12, 0)).state,
            ClockState::DueSoon
        );
        // Friday 12-04 10:00: one working hour overdue.
        let late = kept.read(&cal, local(2026, 12, 4, 10, 0));
        assert_eq!(late.state, ClockState::Breached);
        assert_eq!(late.left, -Duration::hours(1));
    }

    #[test]
    fn a_paused_kept_clock_holds_its_time_left_and_is_not_next() {
        let cal = Calendar::all_hours(beijing());
        let t = local(2026, 11, 2, 10, 0);
        let resolve = KeptClock {
            kind: ClockKind::Resolve,
            due: t + Duration::hours(72),
            soon: t + Duration::hours(54),
            met: None,
            paused_since: Some(t + Duration::hours(10)),
        };
        let read = resolve.read(&cal, t + Duration::hours(100));
        assert!(read.paused);
        assert_eq!(read.left, Duration::hours(62));
        assert_eq!(read.state, ClockState::Running);
        let propose = KeptClock {
            kind: ClockKind::Propose,
            due: t + Duration::hours(2),
            soon: t + Duration::minutes(90),
            met: Some(t + Duration::hours(3)),
            paused_since: None,
        };
        assert_eq!(
            propose.read(&cal, t + Duration::hours(100)).state,
            ClockState::Met {
                at: t + Duration::hours(3),
                on_time: false
            }
        );
        assert_eq!(next_kept(&[propose, resolve]), None);
    }

    #[test]
    fn reopening_restarts_the_resolution_clock() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
            .single()
            .expect("a time");
        let always = Calendar::all_hours(beijing());
        let facts = ClockFacts {
            acknowledged_at: Some(t + Duration::minutes(10)),
            proposed_at: Some(t + Duration::hours(3)),
            resolved_at: Some(t + Duration::hours(20)),
            reopened_at: Some(t + Duration::hours(100)),
            ..opened(t)
        };
        let [ack, propose, resolve] = clocks(
            &facts,
            &spans(Severity::Critical, false),
            &always,
            0.25,
            t + Duration::hours(110),
        );
        assert_eq!(
            ack.state,
            ClockState::Met {
                at: t + Duration::minutes(10),
                on_time: true
            }
        );
        // Proposed after 3 h of 2: met, late.
        assert_eq!(
            propose.state,
            ClockState::Met {
                at: t + Duration::hours(3),
                on_time: false
            }
        );
        assert_eq!(propose.overdue(), Duration::hours(1));
        assert_eq!(resolve.started, t + Duration::hours(100));
        assert_eq!(resolve.state, ClockState::Running);
        assert_eq!(resolve.left, Duration::hours(14));
        assert_eq!(resolve.due, Some(t + Duration::hours(124)));
        // Resolved again after the reopening: met from then.
        let again = ClockFacts {
            resolved_at: Some(t + Duration::hours(112)),
            ..facts
        };
        let resolve = clocks(
            &again,
            &spans(Severity::Critical, false),
            &always,
            0.25,
            t + Duration::hours(200),
        )[2];
        assert_eq!(
            resolve.state,
            ClockState::Met {
                at: t + Duration::hours(112),
                on_time: true
            }
        );
    }

    #[test]
    fn the_next_clock_is_the_earliest_unmet_deadline() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
            .single()
            .expect("a time");
        let always = Calendar::all_hours(beijing());
        let targets = spans(Severity::Normal, false);
        let mut facts = opened(t);
        let now = t + Duration::minutes(5);
        let all = clocks(&facts, &targets, &always, 0.25, now);
        assert_eq!(
            next_clock(&all).map(|c| c.kind),
            Some(ClockKind::Acknowledge)
        );
        facts.acknowledged_at = Some(t + Duration::minutes(1));
        let all = clocks(&facts, &targets, &always, 0.25, now);
        let next = next_clock(&all).expect("a clock");
        assert_eq!(next.kind, ClockKind::Propose);
        assert_eq!(next.due, Some(t + Duration::hours(2)));
        // Proposed, and waiting: the paused resolution clock is next, with no deadline.
        facts.proposed_at = Some(t + Duration::minutes(2));
        facts.waiting = vec![Waiting {
            from: t + Duration::minutes(3),
            until: None,
        }];
        let all = clocks(&facts, &targets, &always, 0.25, now);
        let next = next_clock(&all).expect("a clock");
        assert_eq!((next.kind, next.due), (ClockKind::Resolve, None));
        facts.resolved_at = Some(t + Duration::minutes(4));
        facts.waiting[0].until = Some(t + Duration::minutes(4));
        let all = clocks(&facts, &targets, &always, 0.25, now);
        assert_eq!(next_clock(&all), None);
    }
}
