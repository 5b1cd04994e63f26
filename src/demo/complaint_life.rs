//! The life of a demo complaint: a plan of steps (acknowledge, claim, escalate, wait, propose,
//! compensate, resolve, follow up …) played as the store plays them. Each step is checked by
//! the domain's [`Step::check`] and moves the kept clocks with the domain's own functions
//! ([`Calendar::add_working`], [`soon_at`], [`after_pause`]), and with `auto_escalate` every
//! clock breached on the way is escalated once by `system`, as the sweep would have done. The
//! queue columns are then what the store's `place_in_queue` computes, from [`next_kept`].

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::domain::calendar::Calendar;
use crate::domain::complaint::{taken_in_person, SlaRules, Spans, Status};
use crate::domain::complaint_fact::{EventFact, NamedOperator};
use crate::domain::complaint_step::{Compensation, Standing, Step, TOP_LEVEL};
use crate::domain::customer::Channel;
use crate::domain::operator::Actor;
use crate::domain::sla_clock::{after_pause, next_kept, soon_at, ClockKind, KeptClock};
use crate::store::{DemoCompensation, DemoComplaint, DemoComplaintEvent, DemoFollowUp, DemoSurvey};

/// A step to play, with what it needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Plan {
    Acknowledge,
    Claim,
    /// An internal note: it never stops a clock.
    Note,
    Wait(&'static str),
    Resume,
    /// One level up, to another operator (by id) or the same.
    Escalate(&'static str, Option<i64>),
    Propose(&'static str),
    Compensate(Compensation, i64, &'static str),
    Resolve,
    FollowUp {
        csat: i32,
        comment: &'static str,
        satisfied: bool,
    },
    Close,
    Reopen(&'static str),
}

/// When a planned step is taken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum When {
    /// When this share of the clock's span (in working time) has passed since it started.
    Clock(ClockKind, f64),
    /// This many seconds of working time after the step before.
    After(i64),
    /// This many seconds of wall-clock time after the step before (the follow-up call).
    Later(i64),
}

const ACK_TEXT: &str = "已致电客户确认问题";
const NOTE_TEXT: &str = "已联系仓库核实库存";
const RESUME_TEXT: &str = "已收到所需资料，继续处理";
const RESOLVE_TEXT: &str = "客户接受方案，问题已解决";
const CLOSE_TEXT: &str = "多次联系客户未果，按规定结案";

/// What the customer was told they would get, by kind, and what it is worth (fen, or points).
pub(super) fn compensation(rng: &mut ChaCha8Rng) -> Plan {
    let kind = Compensation::ALL[rng.random_range(0..Compensation::ALL.len())];
    let (amount, note) = match kind {
        Compensation::Refund => (rng.random_range(50..800i64) * 100, "退还差价"),
        Compensation::Replacement => (rng.random_range(200..3_000i64) * 100, "换新一台"),
        Compensation::FreeRepair => (rng.random_range(80..600i64) * 100, "免费上门维修"),
        Compensation::Voucher => (rng.random_range(2..20i64) * 1_000, "赠送代金券"),
        Compensation::Points => (
            rng.random_range(1..20i64) * 100,
            "Loyalty points for the trouble",
        ),
        Compensation::Apology => (0, "书面致歉"),
    };
    Plan::Compensate(kind, amount, note)
}

/// A complaint being played.
pub(super) struct Life<'a> {
    rules: &'a SlaRules,
    calendar: &'a Calendar,
    actors: &'a [Actor],
    spans: Spans,
    opener: usize,
    status: Status,
    level: u8,
    assignee: Option<i64>,
    claimed: Option<DateTime<Utc>>,
    opened: DateTime<Utc>,
    acknowledged: Option<DateTime<Utc>>,
    proposed: Option<DateTime<Utc>>,
    resolved: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    reopened: Option<DateTime<Utc>>,
    due: [DateTime<Utc>; 3],
    soon: [DateTime<Utc>; 3],
    paused_at: Option<DateTime<Utc>>,
    paused_seconds: i64,
    waiting_reason: Option<&'static str>,
    waiting_from: Option<Status>,
    auto_escalated: i64,
    csat: Option<i32>,
    /// The time of the last step or automatic escalation.
    last: DateTime<Utc>,
    /// The time of the last step taken.
    last_step: DateTime<Utc>,
    /// Whether breached clocks escalate (`auto_escalate`).
    auto: bool,
    events: Vec<DemoComplaintEvent>,
    compensations: Vec<DemoCompensation>,
    surveys: Vec<DemoSurvey>,
    follow_ups: Vec<DemoFollowUp>,
}

/// What a complaint is, besides its life.
#[derive(Debug, Clone, Copy)]
pub(super) struct Opening {
    pub opener: usize,
    pub channel: Channel,
    pub category: &'static str,
    pub severity: crate::domain::complaint::Severity,
    pub title: &'static str,
    pub vip: bool,
}

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn bit(kind: ClockKind) -> i64 {
    match kind {
        ClockKind::Acknowledge => 1,
        ClockKind::Propose => 2,
        ClockKind::Resolve => 4,
    }
}

fn clock_name(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::Acknowledge => "acknowledge",
        ClockKind::Propose => "propose",
        ClockKind::Resolve => "resolve",
    }
}

const CLOCKS: [ClockKind; 3] = [
    ClockKind::Acknowledge,
    ClockKind::Propose,
    ClockKind::Resolve,
];

impl<'a> Life<'a> {
    /// A complaint opened at `opened` by `actors[opening.opener]`.
    pub(super) fn open(
        rules: &'a SlaRules,
        calendar: &'a Calendar,
        actors: &'a [Actor],
        opening: &Opening,
        opened: DateTime<Utc>,
    ) -> Life<'a> {
        let spans = rules.spans(opening.severity, opening.vip);
        let span = |kind| match kind {
            ClockKind::Acknowledge => spans.acknowledge,
            ClockKind::Propose => spans.propose,
            ClockKind::Resolve => spans.resolve,
        };
        let due = CLOCKS.map(|kind| calendar.add_working(opened, span(kind)));
        let soon = CLOCKS.map(|kind| soon_at(calendar, opened, span(kind), rules.due_soon_share));
        let in_person = taken_in_person(opening.channel);
        let status = Status::opened_on(opening.channel);
        let opener = actors[opening.opener].id;
        let mut life = Life {
            rules,
            calendar,
            actors,
            spans,
            opener: opening.opener,
            status,
            level: 0,
            assignee: in_person.then_some(opener),
            claimed: in_person.then_some(opened),
            opened,
            acknowledged: in_person.then_some(opened),
            proposed: None,
            resolved: None,
            closed: None,
            reopened: None,
            due,
            soon,
            paused_at: None,
            paused_seconds: 0,
            waiting_reason: None,
            waiting_from: None,
            auto_escalated: 0,
            csat: None,
            last: opened,
            last_step: opened,
            auto: rules.auto_escalate,
            events: Vec::new(),
            compensations: Vec::new(),
            surveys: Vec::new(),
            follow_ups: Vec::new(),
        };
        life.event(
            opened,
            Some(opener),
            "opened",
            None,
            status,
            Some(Cow::Borrowed(opening.title)),
            None,
            true,
        );
        life
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        at: DateTime<Utc>,
        operator: Option<i64>,
        kind: &'static str,
        from: Option<Status>,
        to: Status,
        text: Option<Cow<'static, str>>,
        fact: Option<EventFact>,
        customer_contact: bool,
    ) {
        self.events.push(DemoComplaintEvent {
            at: ts(at),
            operator,
            kind,
            from: from.map(Status::as_str),
            to: to.as_str(),
            text,
            fact,
            customer_contact,
            other: None,
        });
    }

    fn index(&self, kind: ClockKind) -> usize {
        CLOCKS.iter().position(|k| *k == kind).unwrap_or(0)
    }

    fn met(&self, kind: ClockKind) -> Option<DateTime<Utc>> {
        match kind {
            ClockKind::Acknowledge => self.acknowledged,
            ClockKind::Propose => self.proposed,
            ClockKind::Resolve => self.resolved,
        }
    }

    fn kept(&self) -> [KeptClock; 3] {
        CLOCKS.map(|kind| {
            let i = self.index(kind);
            KeptClock {
                kind,
                due: self.due[i],
                soon: self.soon[i],
                met: self.met(kind),
                paused_since: (kind == ClockKind::Resolve)
                    .then_some(self.paused_at)
                    .flatten(),
            }
        })
    }

    /// With `auto_escalate`: escalates every clock breached by `until` once, at its breach,
    /// as the sweep does (a waiting, closed or top-level complaint only has the clock marked).
    fn sweep(&mut self, until: DateTime<Utc>) {
        if !self.auto {
            return;
        }
        loop {
            let breached = self
                .kept()
                .into_iter()
                .filter(|c| c.met.is_none() && c.paused_since.is_none())
                .filter(|c| self.auto_escalated & bit(c.kind) == 0 && c.due <= until)
                .min_by_key(|c| (c.due, c.kind));
            let Some(clock) = breached else { return };
            self.auto_escalated |= bit(clock.kind);
            if !self.status.is_open() || self.status == Status::Waiting || self.level >= TOP_LEVEL {
                continue;
            }
            let at = clock.due.max(self.last);
            let from = self.status;
            let next = if from == Status::New {
                Status::New
            } else {
                Status::Escalated
            };
            self.level += 1;
            self.status = next;
            let fact = EventFact::AutoEscalated {
                clock: clock.kind,
                due_at: clock.due,
                level: self.level,
            };
            self.event(
                at,
                None,
                "auto_escalate",
                Some(from),
                next,
                None,
                Some(fact),
                false,
            );
            self.last = at;
        }
    }

    /// The operator who works the complaint now: its assignee, or whoever opened it.
    fn worker(&self) -> &'a Actor {
        let actors = self.actors;
        self.assignee
            .and_then(|id| actors.iter().find(|a| a.id == id))
            .unwrap_or(&actors[self.opener])
    }

    fn when(&self, when: When) -> DateTime<Utc> {
        let at = match when {
            When::Clock(kind, share) => {
                let (start, span) = match kind {
                    ClockKind::Acknowledge => (self.opened, self.spans.acknowledge),
                    ClockKind::Propose => (self.opened, self.spans.propose),
                    ClockKind::Resolve => (
                        self.reopened.unwrap_or(self.opened),
                        self.spans.resolve + Duration::seconds(self.paused_seconds),
                    ),
                };
                let part = Duration::seconds((span.num_seconds() as f64 * share) as i64);
                self.calendar.add_working(start, part)
            }
            When::After(seconds) => self
                .calendar
                .add_working(self.last, Duration::seconds(seconds)),
            When::Later(seconds) => self.last + Duration::seconds(seconds),
        };
        at.max(self.last + Duration::minutes(1))
    }

    /// Plays the steps of `plan` taken by `stop`; a step the domain refuses (an automatic
    /// escalation changed the complaint on the way) is left out, as an operator would.
    pub(super) fn play(&mut self, plan: &[(When, Plan)], stop: DateTime<Utc>) {
        for (when, step) in plan {
            let at = self.when(*when);
            if at > stop {
                break;
            }
            self.sweep(at);
            self.take(at, *step);
        }
        if self.status.is_open() {
            self.sweep(stop);
        }
    }

    /// Takes one step at `at`, as `Store::work_complaint` does.
    fn take(&mut self, at: DateTime<Utc>, plan: Plan) -> bool {
        let step = match plan {
            Plan::Acknowledge => Step::Acknowledge,
            Plan::Claim => Step::Claim,
            Plan::Note => Step::Note,
            Plan::Wait(_) => Step::Wait,
            Plan::Resume => Step::Resume,
            Plan::Escalate(..) => Step::Escalate,
            Plan::Propose(_) => Step::Propose,
            Plan::Compensate(..) => Step::Compensate,
            Plan::Resolve => Step::Resolve,
            Plan::FollowUp { .. } => Step::FollowUp,
            Plan::Close => Step::Close,
            Plan::Reopen(_) => Step::Reopen,
        };
        let satisfied = matches!(
            plan,
            Plan::FollowUp {
                satisfied: true,
                ..
            }
        );
        let actor = self.worker();
        let standing = Standing {
            status: self.status,
            waiting_from: self.waiting_from,
            level: self.level,
            assignee: self.assignee,
        };
        let Ok(next) = step.check(&standing, actor, false, satisfied) else {
            return false;
        };
        let contact = step.is_contact(false);
        if contact {
            self.acknowledged = self.acknowledged.or(Some(at));
        }
        // What careline knows of the step, beside what was typed.
        let mut fact = None;
        let text: Cow<'static, str> = match plan {
            Plan::Acknowledge => ACK_TEXT.into(),
            Plan::Claim => "".into(),
            Plan::Note => NOTE_TEXT.into(),
            Plan::Wait(reason) => {
                self.paused_at = Some(at);
                self.waiting_reason = Some(reason);
                self.waiting_from = Some(self.status);
                reason.into()
            }
            Plan::Resume => {
                let paused = self.paused_at.unwrap_or(at);
                self.paused_seconds += self.calendar.working_between(paused, at).num_seconds();
                self.due[2] = after_pause(self.calendar, self.due[2], paused, at);
                self.soon[2] = after_pause(self.calendar, self.soon[2], paused, at);
                self.paused_at = None;
                self.waiting_reason = None;
                self.waiting_from = None;
                RESUME_TEXT.into()
            }
            Plan::Escalate(reason, to) => {
                self.level = (self.level + 1).min(TOP_LEVEL);
                let assignee = to.or(self.assignee);
                let reassigned_to = self
                    .actors
                    .iter()
                    .find(|a| Some(a.id) == to && to != self.assignee)
                    .map(|a| NamedOperator {
                        login: a.login.clone(),
                        name: a.name.clone(),
                    });
                fact = Some(EventFact::Escalated {
                    level: self.level,
                    reassigned_to,
                });
                if assignee != self.assignee {
                    self.claimed = Some(at);
                }
                self.assignee = assignee;
                reason.into()
            }
            Plan::Propose(text) => {
                self.proposed = self.proposed.or(Some(at));
                text.into()
            }
            Plan::Compensate(kind, amount, note) => {
                self.compensations.push(DemoCompensation {
                    kind: kind.as_str(),
                    amount,
                    note,
                    operator: actor.id,
                    at: ts(at),
                });
                fact = Some(EventFact::Compensation { kind, amount });
                note.into()
            }
            Plan::Resolve => {
                self.resolved = Some(at);
                let due_on = at.with_timezone(&chrono::Local).date_naive()
                    + chrono::Days::new(self.rules.follow_up_days.clamp(1, 365) as u64);
                self.follow_ups.push(DemoFollowUp {
                    round: self.follow_ups.len() as u32 + 1,
                    due_on,
                    status: "open",
                    skip_reason: None,
                    assignee: self.assignee.unwrap_or(actor.id),
                    created_by: actor.id,
                    created_at: ts(at),
                    updated_at: ts(at),
                });
                RESOLVE_TEXT.into()
            }
            Plan::FollowUp {
                csat,
                comment,
                satisfied,
            } => {
                self.surveys.push(DemoSurvey {
                    score: csat,
                    comment,
                    operator: actor.id,
                    at: ts(at),
                });
                self.csat = Some(csat);
                self.finish_follow_ups("done", None, at);
                if satisfied {
                    self.closed = Some(at);
                } else {
                    self.reopen(at);
                }
                fact = Some(EventFact::FollowUp {
                    csat: csat.clamp(1, 5) as u8,
                    scale: 5,
                    satisfied,
                });
                comment.into()
            }
            Plan::Close => {
                self.closed = Some(at);
                self.finish_follow_ups("skipped", Some("the complaint was closed"), at);
                CLOSE_TEXT.into()
            }
            Plan::Reopen(reason) => {
                self.finish_follow_ups("skipped", Some("the complaint was reopened"), at);
                self.reopen(at);
                reason.into()
            }
        };
        let from = self.status;
        self.status = next;
        let text = (!text.is_empty()).then_some(text);
        self.event(
            at,
            Some(actor.id),
            step.as_str(),
            Some(from),
            next,
            text,
            fact,
            contact,
        );
        if step == Step::Claim {
            self.assignee = Some(actor.id);
            self.claimed = Some(at);
        }
        self.last = at;
        self.last_step = at;
        true
    }

    fn finish_follow_ups(
        &mut self,
        status: &'static str,
        reason: Option<&'static str>,
        at: DateTime<Utc>,
    ) {
        for f in self.follow_ups.iter_mut().filter(|f| f.status == "open") {
            f.status = status;
            f.skip_reason = reason;
            f.updated_at = ts(at);
        }
    }

    /// Reopening restarts the resolution clock from `at`.
    fn reopen(&mut self, at: DateTime<Utc>) {
        self.reopened = Some(at);
        self.resolved = None;
        self.closed = None;
        self.due[2] = self.calendar.add_working(at, self.spans.resolve);
        self.soon[2] = soon_at(
            self.calendar,
            at,
            self.spans.resolve,
            self.rules.due_soon_share,
        );
        self.auto_escalated &= !bit(ClockKind::Resolve);
    }

    /// Merges this complaint into the customer's complaint at place `into` of its list, at
    /// `at`; false when the domain refuses it.
    pub(super) fn merge(&mut self, into: usize, at: DateTime<Utc>) -> bool {
        let actor = self.worker();
        let standing = Standing {
            status: self.status,
            waiting_from: self.waiting_from,
            level: self.level,
            assignee: self.assignee,
        };
        let Ok(next) = Step::Merge.check(&standing, actor, false, false) else {
            return false;
        };
        let from = self.status;
        self.status = next;
        self.closed = Some(at);
        self.paused_at = None;
        self.event(
            at,
            Some(actor.id),
            Step::Merge.as_str(),
            Some(from),
            next,
            None,
            // The complaint's id is known once it is written (see `other`).
            Some(EventFact::MergedInto { complaint_id: 0 }),
            false,
        );
        if let Some(e) = self.events.last_mut() {
            e.other = Some(into);
        }
        self.last = at;
        true
    }

    /// The status the complaint had at `at` (after its steps up to then).
    pub(super) fn status_at(&self, at: DateTime<Utc>) -> Option<Status> {
        self.events
            .iter()
            .rev()
            .find(|e| e.at <= ts(at))
            .and_then(|e| e.to.parse().ok())
    }

    /// Records on this complaint that the customer's complaint at place `from` of its list was
    /// merged into it at `at` by `operator`.
    pub(super) fn merged_from(&mut self, from: usize, at: DateTime<Utc>, operator: i64) {
        let Some(status) = self.status_at(at) else {
            return;
        };
        let place = self.events.partition_point(|e| e.at <= ts(at));
        self.events.insert(
            place,
            DemoComplaintEvent {
                at: ts(at),
                operator: Some(operator),
                kind: "merge",
                from: Some(status.as_str()),
                to: status.as_str(),
                text: None,
                fact: Some(EventFact::MergedFrom { complaint_id: 0 }),
                customer_contact: false,
                other: Some(from),
            },
        );
    }

    /// The complaint as recorded, with its place in the queue as `place_in_queue` sets it.
    pub(super) fn record(self, opening: &Opening, merged_into: Option<usize>) -> DemoComplaint {
        let kept = self.kept();
        let (next, sweep) = if self.status.is_open() {
            let next = next_kept(&kept).map(|c| (clock_name(c.kind), ts(c.due), ts(c.soon)));
            let sweep = kept
                .iter()
                .filter(|c| c.met.is_none() && c.paused_since.is_none())
                .filter(|c| self.auto_escalated & bit(c.kind) == 0)
                .map(|c| ts(c.due))
                .min();
            (next, sweep)
        } else {
            (None, None)
        };
        DemoComplaint {
            operator: self.actors[self.opener].id,
            assignee: self.assignee,
            category: opening.category,
            severity: opening.severity.as_str(),
            status: self.status.as_str(),
            title: opening.title,
            channel: opening.channel.as_str(),
            opened: ts(self.opened),
            acknowledged: self.acknowledged.map(ts),
            proposed: self.proposed.map(ts),
            resolved: self.resolved.map(ts),
            closed: self.closed.map(ts),
            reopened: self.reopened.map(ts),
            claimed: self.claimed.map(ts),
            due: self.due.map(ts),
            soon: self.soon.map(ts),
            paused_at: self.paused_at.map(ts),
            paused_seconds: self.paused_seconds,
            waiting_reason: self.waiting_reason,
            waiting_from: self.waiting_from.map(Status::as_str),
            escalation_level: i64::from(self.level),
            auto_escalated: self.auto_escalated,
            csat: self.csat,
            merged_into,
            vip: opening.vip,
            next,
            sweep_at: sweep,
            events: self.events,
            compensations: self.compensations,
            surveys: self.surveys,
            follow_ups: self.follow_ups,
        }
    }
}

/// Every status, in the order the first complaints of a demo take them.
pub(super) const EVERY_STATUS: [Status; 10] = [
    Status::New,
    Status::Acknowledged,
    Status::InProgress,
    Status::Escalated,
    Status::Waiting,
    Status::SolutionProposed,
    Status::Resolved,
    Status::Closed,
    Status::Reopened,
    Status::Merged,
];

/// One complaint in this many is still open (the rest are done).
pub(super) const OPEN_ONE_IN: u32 = 50;
/// One complaint in this many is resolved and waits for its follow-up call.
pub(super) const RESOLVED_ONE_IN: u32 = 100;
/// One complaint in this many has a second one of the customer's merged into it.
pub(super) const DUPLICATE_ONE_IN: u32 = 100;

/// Where the demo's complaint number `k` (from 0) ends, and whether a duplicate of it is merged
/// into it: the first ten take each status once (the tenth is the duplicate merged into a
/// closed one), so that even a small demo shows every status; then one in [`OPEN_ONE_IN`] is
/// open, one in [`RESOLVED_ONE_IN`] resolved, the rest closed.
pub(super) fn destination(k: u64, rng: &mut ChaCha8Rng) -> (Status, bool) {
    if let Some(status) = EVERY_STATUS.get(k as usize) {
        return match status {
            Status::Merged => (Status::Closed, true),
            other => (*other, false),
        };
    }
    let status = if rng.random_ratio(1, OPEN_ONE_IN) {
        *super::weighted(
            rng,
            &[
                (Status::New, 1),
                (Status::Acknowledged, 2),
                (Status::InProgress, 4),
                (Status::Escalated, 2),
                (Status::Waiting, 2),
                (Status::SolutionProposed, 2),
                (Status::Reopened, 1),
            ],
        )
    } else if rng.random_ratio(1, RESOLVED_ONE_IN) {
        Status::Resolved
    } else {
        Status::Closed
    };
    (status, rng.random_ratio(1, DUPLICATE_ONE_IN))
}

/// Channels complaints come in on; the first three are taken in person.
const CHANNELS: &[(Channel, u32)] = &[
    (Channel::PhoneIn, 50),
    (Channel::Visit, 6),
    (Channel::PhoneOut, 4),
    (Channel::Email, 12),
    (Channel::Chat, 18),
    (Channel::Social, 6),
];

/// The channel of a complaint that ends in `status`: one still new, or claimed from
/// "acknowledged", came in writing (one taken in person is acknowledged and assigned at once).
pub(super) fn channel(status: Status, rng: &mut ChaCha8Rng) -> Channel {
    if matches!(status, Status::New | Status::InProgress) {
        *super::weighted(rng, &CHANNELS[3..])
    } else {
        *super::weighted(rng, CHANNELS)
    }
}

const WAIT_REASONS: &[&str] = &[
    "等待客户提供购买凭证",
    "等待厂家检测报告",
    "Waiting for the courier's investigation",
    "等待客户确认上门时间",
];
const ESCALATE_REASONS: &[&str] = &[
    "客户要求主管处理",
    "超出一线处理权限",
    "Repeated fault; needs a specialist",
    "涉及金额较大，需经理审批",
];
const PROPOSALS: &[&str] = &[
    "提出维修/补偿方案",
    "Offered a replacement unit",
    "提出退款方案",
    "安排技术人员上门检测",
];
const REOPEN_REASONS: &[&str] = &["客户反馈问题再次出现", "The fix did not hold"];
const SATISFIED: &[&str] = &["处理及时，满意", "Quick and polite", "还可以"];
const NOT_SATISFIED: &[&str] = &["问题仍未解决", "Still broken"];

fn pick(rng: &mut ChaCha8Rng, items: &[&'static str]) -> &'static str {
    items[rng.random_range(0..items.len())]
}

/// A share of a clock's span, from `lo` to `hi` percent.
fn share(rng: &mut ChaCha8Rng, lo: u32, hi: u32) -> f64 {
    f64::from(rng.random_range(lo..hi)) / 100.0
}

/// The steps that take a complaint opened on `channel` to `status`, with when each is taken.
pub(super) fn plan(
    status: Status,
    in_person: bool,
    rules: &SlaRules,
    actors: &[Actor],
    rng: &mut ChaCha8Rng,
) -> Vec<(When, Plan)> {
    let mut p = Vec::new();
    if status == Status::New {
        if rng.random_ratio(1, 3) {
            p.push((When::After(rng.random_range(300..3_600)), Plan::Note));
        }
        return p;
    }
    if !in_person {
        p.push((
            When::Clock(ClockKind::Acknowledge, share(rng, 10, 150)),
            Plan::Acknowledge,
        ));
    }
    if status == Status::Acknowledged {
        return p;
    }
    if !in_person {
        p.push((When::After(rng.random_range(60..1_800)), Plan::Claim));
    }
    let wait_and_resume = |p: &mut Vec<(When, Plan)>, rng: &mut ChaCha8Rng| {
        p.push((
            When::After(rng.random_range(600..4 * 3_600)),
            Plan::Wait(pick(rng, WAIT_REASONS)),
        ));
        p.push((
            When::After(rng.random_range(3_600..2 * 86_400)),
            Plan::Resume,
        ));
    };
    if status == Status::InProgress {
        if rng.random_ratio(1, 4) {
            wait_and_resume(&mut p, rng);
        }
        return p;
    }
    let levels = if status == Status::Escalated || rng.random_ratio(1, 6) {
        *super::weighted(rng, &[(1u8, 6), (2, 3), (3, 2)])
    } else {
        0
    };
    for level in 1..=levels {
        // Above the first level, sometimes handed to someone else.
        let to = (level > 1 && actors.len() > 1 && rng.random_ratio(1, 2))
            .then(|| actors[rng.random_range(0..actors.len())].id);
        p.push((
            When::After(rng.random_range(600..3 * 3_600)),
            Plan::Escalate(pick(rng, ESCALATE_REASONS), to),
        ));
    }
    if status == Status::Escalated {
        return p;
    }
    if status == Status::Waiting {
        p.push((
            When::After(rng.random_range(600..4 * 3_600)),
            Plan::Wait(pick(rng, WAIT_REASONS)),
        ));
        return p;
    }
    if rng.random_ratio(1, 5) {
        wait_and_resume(&mut p, rng);
    }
    p.push((
        When::Clock(ClockKind::Propose, share(rng, 20, 140)),
        Plan::Propose(pick(rng, PROPOSALS)),
    ));
    if rng.random_ratio(1, 4) {
        p.push((When::After(rng.random_range(300..3_600)), compensation(rng)));
    }
    if status == Status::SolutionProposed {
        return p;
    }
    p.push((
        When::Clock(ClockKind::Resolve, share(rng, 30, 130)),
        Plan::Resolve,
    ));
    if status == Status::Resolved {
        return p;
    }
    let follow_up = |rng: &mut ChaCha8Rng| {
        When::Later(rules.follow_up_days.clamp(1, 365) * 86_400 + rng.random_range(0..8 * 3_600))
    };
    let unsatisfied = |rng: &mut ChaCha8Rng| Plan::FollowUp {
        csat: rng.random_range(1..=2),
        comment: pick(rng, NOT_SATISFIED),
        satisfied: false,
    };
    let satisfied = |rng: &mut ChaCha8Rng| Plan::FollowUp {
        csat: *super::weighted(rng, &[(3, 1), (4, 3), (5, 4)]),
        comment: pick(rng, SATISFIED),
        satisfied: true,
    };
    if status == Status::Reopened {
        if rng.random_ratio(1, 2) {
            p.push((follow_up(rng), unsatisfied(rng)));
        } else {
            p.push((
                When::After(rng.random_range(3_600..86_400)),
                Plan::Reopen(pick(rng, REOPEN_REASONS)),
            ));
        }
        return p;
    }
    // Closed: after the follow-up call, sometimes once more round after an unhappy one, or
    // without a call when the customer could not be reached.
    if rng.random_ratio(1, 10) {
        p.push((
            When::Later((rules.follow_up_days.clamp(1, 365) + 2) * 86_400),
            Plan::Close,
        ));
        return p;
    }
    if rng.random_ratio(1, 12) {
        p.push((follow_up(rng), unsatisfied(rng)));
        p.push((
            When::After(rng.random_range(3_600..8 * 3_600)),
            Plan::Propose(pick(rng, PROPOSALS)),
        ));
        p.push((
            When::Clock(ClockKind::Resolve, share(rng, 20, 100)),
            Plan::Resolve,
        ));
    }
    p.push((follow_up(rng), satisfied(rng)));
    p
}

/// What the demo needs to play a complaint.
#[derive(Clone, Copy)]
pub(super) struct Stage<'a> {
    pub rules: &'a SlaRules,
    pub calendar: &'a Calendar,
    pub actors: &'a [Actor],
    pub now: DateTime<Utc>,
}

/// A random span of wall-clock time up to `share` percent of `span`.
fn up_to(rng: &mut ChaCha8Rng, span: Duration, share: i64) -> Duration {
    Duration::seconds(rng.random_range(0..=(span.num_seconds() * share / 100).max(0)))
}

/// A complaint that ends in `status` (with a duplicate merged into it when `duplicate`), and
/// the deadlines it opened with. A closed one opened any day of the last two years, early
/// enough for its steps to be over; one
/// still in work, or resolved and waiting for its follow-up, opened as long before now as its
/// steps take and a little more (so that some of its clocks run, some are due soon and some
/// are breached).
pub(super) fn complaints(
    stage: Stage<'_>,
    opening: &Opening,
    status: Status,
    duplicate: bool,
    rng: &mut ChaCha8Rng,
) -> (DateTime<Utc>, [DateTime<Utc>; 3], Vec<DemoComplaint>) {
    let Stage {
        rules,
        calendar,
        actors,
        now,
    } = stage;
    let in_person = taken_in_person(opening.channel);
    let plan = plan(status, in_person, rules, actors, rng);
    // When it opened (a first guess), and the moment its last step must come before.
    let (guess, end) = if status == Status::Closed {
        // Any day of the last two years, its steps over an hour before now.
        let end = now - Duration::hours(1);
        (
            now - Duration::seconds(rng.random_range(86_400..730 * 86_400)),
            end,
        )
    } else {
        let spans = rules.spans(opening.severity, opening.vip);
        let follow_up = Duration::days(rules.follow_up_days.clamp(1, 365));
        let slack = match status {
            Status::New => up_to(rng, spans.acknowledge, 150),
            Status::Acknowledged | Status::InProgress | Status::Escalated => {
                up_to(rng, spans.propose, 150)
            }
            Status::Resolved => up_to(rng, follow_up, 100),
            _ => up_to(rng, spans.resolve, 130),
        };
        // It ends `slack` before now.
        let end = now - slack;
        (end, end)
    };
    // The steps take as long as the calendar makes them from when it opened: open it earlier
    // by what the last one overshoots `end`, until it does not.
    let mut opened = guess;
    for _ in 0..8 {
        let mut trial = Life::open(rules, calendar, actors, opening, opened);
        trial.auto = false;
        trial.play(&plan, DateTime::<Utc>::MAX_UTC);
        let over = trial.last_step - end;
        if over <= Duration::zero() {
            break;
        }
        opened -= over;
    }
    let mut life = Life::open(rules, calendar, actors, opening, opened);
    let as_opened = life.due;
    life.play(&plan, now);
    let mut merged = None;
    if duplicate {
        // The customer complained again on another channel before the first was done; the
        // second was merged into the first.
        let again = opened + Duration::seconds(rng.random_range(600..86_400));
        let dup_opening = Opening {
            channel: channel(Status::New, rng),
            ..*opening
        };
        let mut dup = Life::open(rules, calendar, actors, &dup_opening, again);
        let at = calendar.add_working(again, Duration::seconds(rng.random_range(600..7_200)));
        let target = life.status_at(at);
        let open = target.is_some_and(|s| s.is_open() || s == Status::Resolved);
        if at <= now && open && dup.merge(0, at) {
            life.merged_from(1, at, dup.worker().id);
            merged = Some(dup.record(&dup_opening, Some(0)));
        }
    }
    let mut records = vec![life.record(opening, None)];
    records.extend(merged);
    (opened, as_opened, records)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::domain::complaint::Severity;
    use crate::domain::operator::Role;

    fn actors() -> Vec<Actor> {
        [
            (1, Role::Operator),
            (2, Role::Supervisor),
            (3, Role::Operator),
        ]
        .into_iter()
        .map(|(id, role)| Actor {
            id,
            login: format!("op{id}"),
            name: format!("Operator {id}"),
            role,
            via: None,
        })
        .collect()
    }

    /// Business hours in Beijing with the statutory holidays, and SLA targets unlike the
    /// defaults.
    fn business(auto_escalate: bool) -> SlaRules {
        SlaRules {
            clock: "business".into(),
            time_zone: "+08:00".into(),
            acknowledge_minutes: 20,
            propose_minutes: 90,
            auto_escalate,
            ..SlaRules::default()
        }
    }

    /// Plays `n` complaints of the demo (as numbered from 0) under `rules`.
    fn play(rules: &SlaRules, n: u64) -> Vec<(Status, Vec<DemoComplaint>)> {
        let calendar = rules.working_calendar();
        let actors = actors();
        let stage = Stage {
            rules,
            calendar: &calendar,
            actors: &actors,
            // Wednesday 2026-01-28 10:30 in Beijing, shortly before the Spring Festival.
            now: DateTime::from_timestamp(1_769_567_400, 0).expect("a time"),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        (0..n)
            .map(|k| {
                let (status, duplicate) = destination(k, &mut rng);
                let opening = Opening {
                    opener: (k % 3) as usize,
                    channel: channel(status, &mut rng),
                    category: "delivery",
                    severity: Severity::ALL[(k % 4) as usize],
                    title: "送货延迟三天",
                    vip: k % 7 == 0,
                };
                let (_, _, records) = complaints(stage, &opening, status, duplicate, &mut rng);
                (status, records)
            })
            .collect()
    }

    /// Each event goes from the status the one before left, as the step table allows; the
    /// last leaves the complaint's status.
    fn assert_events_chain(c: &DemoComplaint) {
        let first = &c.events[0];
        assert_eq!((first.kind, first.from), ("opened", None), "{c:#?}");
        for pair in c.events.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            assert!(before.at <= after.at, "{c:#?}");
            assert_eq!(after.from, Some(before.to), "{c:#?}");
            let from: Status = before.to.parse().expect("a status");
            let to: Status = after.to.parse().expect("a status");
            assert!(from == to || from.may_become(to), "{from} → {to}: {c:#?}");
        }
        assert_eq!(c.events.last().map(|e| e.to), Some(c.status), "{c:#?}");
    }

    #[test]
    fn every_life_follows_the_step_table_and_ends_where_it_was_meant_to() {
        for rules in [SlaRules::default(), business(false)] {
            let played = play(&rules, 400);
            for (k, (status, records)) in played.iter().enumerate() {
                let main = &records[0];
                assert_events_chain(main);
                for dup in &records[1..] {
                    assert_events_chain(dup);
                    assert_eq!(dup.status, "merged");
                    assert_eq!(dup.merged_into, Some(0));
                    assert!(main
                        .events
                        .iter()
                        .any(|e| e.kind == "merge" && e.other == Some(1) && e.from == Some(e.to)));
                }
                // Without automatic escalation nothing but the plan moves a complaint.
                assert_eq!(main.status, status.as_str(), "complaint {k}: {main:#?}");
            }
            // The first ten show every status, the duplicate merged into the tenth.
            let first: Vec<&str> = played[..10]
                .iter()
                .flat_map(|(_, r)| r.iter().map(|c| c.status))
                .collect();
            for status in Status::ALL {
                assert!(first.contains(&status.as_str()), "{status}: {first:?}");
            }
        }
    }

    #[test]
    fn the_reference_demo_has_a_few_thousand_open_complaints() {
        // 1,000,000 customers, 1 in 5 with a complaint: 200,000 complaints, of which 1 in 50
        // open (4,000) and 1 in 100 of the rest resolved (1,960), by the rule in the module doc.
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (mut open, mut resolved, mut duplicates) = (0, 0, 0);
        for k in 10..200_010 {
            let (status, duplicate) = destination(k, &mut rng);
            open += usize::from(status.is_open());
            resolved += usize::from(status == Status::Resolved);
            duplicates += usize::from(duplicate);
        }
        assert!((3_700..4_300).contains(&open), "{open}");
        assert!((1_760..2_160).contains(&resolved), "{resolved}");
        assert!((1_800..2_200).contains(&duplicates), "{duplicates}");
    }

    #[test]
    fn kept_clocks_are_the_configured_targets_in_the_calendar() {
        for rules in [SlaRules::default(), business(true)] {
            let calendar = rules.working_calendar();
            for (_, records) in play(&rules, 300) {
                for c in records {
                    let severity: Severity = c.severity.parse().expect("a severity");
                    let spans = rules.spans(severity, c.vip);
                    let opened = DateTime::from_timestamp(c.opened, 0).expect("a time");
                    let at = |span| calendar.add_working(opened, span).timestamp();
                    let soon = |span| soon_at(&calendar, opened, span, rules.due_soon_share);
                    assert_eq!(c.due[0], at(spans.acknowledge), "{c:#?}");
                    assert_eq!(c.due[1], at(spans.propose), "{c:#?}");
                    assert_eq!(c.soon[0], soon(spans.acknowledge).timestamp());
                    assert_eq!(c.soon[1], soon(spans.propose).timestamp());
                    // The resolution clock starts again at a reopening and moves by a wait
                    // that began before its deadline.
                    let start = c.reopened.unwrap_or(c.opened);
                    let start = DateTime::from_timestamp(start, 0).expect("a time");
                    if c.paused_seconds == 0 {
                        assert_eq!(
                            c.due[2],
                            calendar.add_working(start, spans.resolve).timestamp(),
                            "{c:#?}"
                        );
                    } else {
                        assert!(c.due[2] >= calendar.add_working(start, spans.resolve).timestamp());
                    }
                    let waits = c.events.iter().filter(|e| e.kind == "wait").count();
                    let resumes = c.events.iter().filter(|e| e.kind == "resume").count();
                    assert_eq!(c.paused_at.is_some(), c.status == "waiting", "{c:#?}");
                    assert_eq!(waits - resumes, usize::from(c.status == "waiting"));
                    assert_eq!(c.waiting_reason.is_some(), c.status == "waiting");
                    assert_eq!(c.waiting_from.is_some(), c.status == "waiting");
                }
            }
        }
    }

    #[test]
    fn breached_clocks_escalate_once_each_by_system_when_configured() {
        let mut system = 0;
        for (_, records) in play(&business(true), 400) {
            for c in records {
                let auto: Vec<&DemoComplaintEvent> = c
                    .events
                    .iter()
                    .filter(|e| e.kind == "auto_escalate")
                    .collect();
                system += auto.len();
                assert!(auto
                    .iter()
                    .all(|e| e.operator.is_none() && !e.customer_contact));
                // At most once per clock (the resolution clock again after a reopening).
                let reopenings = c.reopened.map_or(0, |_| {
                    c.events.iter().filter(|e| e.to == "reopened").count()
                });
                assert!(auto.len() <= 3 + reopenings, "{c:#?}");
                // Escalation levels are the escalations recorded, up to the top.
                let steps = c
                    .events
                    .iter()
                    .filter(|e| matches!(e.kind, "escalate" | "auto_escalate"))
                    .count();
                assert_eq!(c.escalation_level, steps.min(3) as i64, "{c:#?}");
                // An open complaint left with a breached clock not escalated would be escalated
                // by the first sweep: none is.
                if let Some(sweep) = c.sweep_at {
                    assert!(sweep > 1_769_567_400, "{c:#?}");
                }
            }
        }
        assert!(system > 0, "some clocks breached on the way");
        for (_, records) in play(&business(false), 200) {
            for c in records {
                assert!(c.events.iter().all(|e| e.operator.is_some()), "{c:#?}");
                assert_eq!(c.auto_escalated, 0);
            }
        }
    }
}
