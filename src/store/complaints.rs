//! Complaints as they stand: opening one (its SLA deadlines counted in the working calendar,
//! halved for VIP and high-value customers), reading one with its clocks, events and
//! compensations, and the queue of open ones ordered by the deadline that comes next.
//! Working one (claim, escalate, resolve …) is `complaint_work`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::complaint_events::{event_in, of_complaint, ComplaintEvent, EventRow};
use super::{Actor, Result, Store, StoreError, Writer};
use crate::domain::calendar::{Calendar, CalendarSummary};
use crate::domain::complaint::{
    taken_in_person, vip_targets, Category, NewComplaint, Severity, Status,
};
use crate::domain::complaint_step::Compensation;
use crate::domain::customer::{Channel, FieldError, Level, Tier};
use crate::domain::sla_clock::{next_kept, soon_at, ClockKind, ClockState, KeptClock, Reading};

/// The statuses in which a complaint still needs work, as an SQL list: `('new', …)`.
pub(super) static OPEN_STATUSES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    super::sql_list(
        Status::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str()),
    )
});

/// A title longer than this is cut (it is one line in the queue).
const TITLE_CHARS: usize = 200;

/// Opens a complaint inside a write, received at `received` (now, unless entered later from a
/// letter or an email); returns its id. `contact` is the interaction it was taken in.
pub(crate) fn open_in(
    w: &mut Writer<'_>,
    customer_id: i64,
    new: &NewComplaint,
    received: Option<DateTime<Utc>>,
    contact: Option<i64>,
) -> Result<i64> {
    let title = new.title.trim();
    if title.is_empty() {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "complaint_title",
            "is required",
        )]));
    }
    let now = w.now();
    let opened = received.unwrap_or(now);
    if opened > now + Duration::minutes(5) {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "complaint_at",
            "is in the future; give the time the complaint was received",
        )]));
    }
    let title: String = title.chars().take(TITLE_CHARS).collect();
    let found: Option<(String, String, i64)> = w
        .tx()
        .query_row(
            "SELECT level, tier, merged_into IS NOT NULL FROM customers WHERE id = ?1",
            [customer_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((level, tier, merged)) = found else {
        return Err(StoreError::NotFound(format!("customer {customer_id}")));
    };
    if merged != 0 {
        return Err(StoreError::Conflict(format!(
            "customer {customer_id} was merged into another record; open the complaint there"
        )));
    }
    let vip = vip_targets(
        level.parse().unwrap_or(Level::Normal),
        tier.parse().unwrap_or(Tier::Normal),
    );
    let rules = w.sla_rules().clone();
    let calendar = w.calendar().clone();
    let spans = rules.spans(new.severity, vip);
    let due = |span| calendar.add_working(opened, span);
    let soon = |span| soon_at(&calendar, opened, span, rules.due_soon_share);
    let in_person = taken_in_person(new.channel);
    let status = Status::opened_on(new.channel);
    let actor = w.actor().id;
    w.tx().execute(
        "INSERT INTO complaints (customer_id, opened_by, assignee_id, category, severity, status,
            title, description, channel, opened_at, acknowledged_at, ack_due_at, propose_due_at,
            resolve_due_at, ack_soon_at, propose_soon_at, resolve_soon_at, vip, calendar,
            claimed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20)",
        params![
            customer_id,
            actor,
            in_person.then_some(actor),
            new.category.as_str(),
            new.severity.as_str(),
            status.as_str(),
            title,
            new.description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty()),
            new.channel.as_str(),
            opened.timestamp(),
            in_person.then_some(opened.timestamp()),
            due(spans.acknowledge).timestamp(),
            due(spans.propose).timestamp(),
            due(spans.resolve).timestamp(),
            soon(spans.acknowledge).timestamp(),
            soon(spans.propose).timestamp(),
            soon(spans.resolve).timestamp(),
            vip,
            calendar.summary().to_string(),
            // Taken in person: the operator who took it holds it from then.
            in_person.then_some(opened.timestamp()),
        ],
    )?;
    let id = w.tx().last_insert_rowid();
    event_in(
        w,
        &EventRow {
            complaint: id,
            kind: "opened",
            from: None,
            to: Some(status),
            text: Some(&title),
            fact: None,
            contact: true,
            interaction: contact,
            at: opened,
        },
    )?;
    place_in_queue(w, id)?;
    w.audit(
        "complaint.open",
        "complaint",
        Some(id),
        serde_json::json!({"customer": customer_id, "category": new.category.as_str(),
            "severity": new.severity.as_str(), "vip": vip, "received_at": opened,
            "resolve_due_at": due(spans.resolve), "calendar": calendar.summary().to_string()}),
    );
    Ok(id)
}

/// The kept clocks of a complaint row (see [`KeptClock`]).
fn kept_clocks(k: &Complaint) -> [KeptClock; 3] {
    [
        KeptClock {
            kind: ClockKind::Acknowledge,
            due: k.ack_due_at,
            soon: k.ack_soon_at,
            met: k.acknowledged_at,
            paused_since: None,
        },
        KeptClock {
            kind: ClockKind::Propose,
            due: k.propose_due_at,
            soon: k.propose_soon_at,
            met: k.proposed_at,
            paused_since: None,
        },
        KeptClock {
            kind: ClockKind::Resolve,
            due: k.resolve_due_at,
            soon: k.resolve_soon_at,
            met: k.resolved_at,
            paused_since: k.paused_at,
        },
    ]
}

pub(super) fn clock_name(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::Acknowledge => "acknowledge",
        ClockKind::Propose => "propose",
        ClockKind::Resolve => "resolve",
    }
}

/// The bit of a clock in `auto_escalated`.
pub(super) fn clock_bit(kind: ClockKind) -> i64 {
    match kind {
        ClockKind::Acknowledge => 1,
        ClockKind::Propose => 2,
        ClockKind::Resolve => 4,
    }
}

/// Sets what the queue orders and counts by, from the complaint as it now stands: its next
/// clock, that clock's deadline and due-soon moment, and when the sweep must look at it next.
pub(super) fn place_in_queue(w: &mut Writer<'_>, id: i64) -> Result<()> {
    let k = read_one(w.tx(), id)?;
    let (next, sweep) = if k.status.is_open() {
        let clocks = kept_clocks(&k);
        let next = next_kept(&clocks).copied();
        let sweep = clocks
            .iter()
            .filter(|c| c.met.is_none() && c.paused_since.is_none())
            .filter(|c| k.auto_escalated & clock_bit(c.kind) == 0)
            .map(|c| c.due)
            .min();
        (next, sweep)
    } else {
        (None, None)
    };
    w.tx()
        .prepare_cached(
            "UPDATE complaints SET next_clock = ?2, next_due_at = ?3, next_soon_at = ?4,
                sweep_at = ?5 WHERE id = ?1",
        )?
        .execute(params![
            id,
            next.map(|c| clock_name(c.kind)),
            next.map(|c| c.due.timestamp()),
            next.map(|c| c.soon.timestamp()),
            sweep.map(|t| t.timestamp()),
        ])?;
    Ok(())
}

/// One clock of a complaint as of now, as `complaint show --json` and the screen give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockView {
    /// `acknowledge`, `propose` or `resolve`.
    pub clock: &'static str,
    /// `met`, `running`, `due_soon` or `breached`; `stopped` for one not met when the
    /// complaint was closed or merged.
    pub state: &'static str,
    pub due_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
    /// For a met clock: whether it was met by its deadline.
    pub on_time: Option<bool>,
    /// Working seconds left (negative: overdue); for a met clock, as when it was met.
    pub left_seconds: i64,
    /// The resolution clock while the complaint waits.
    pub paused: bool,
    #[serde(skip)]
    pub reading: Reading,
}

impl ClockView {
    fn of(reading: Reading) -> ClockView {
        let (state, met_at, on_time) = match reading.state {
            ClockState::Met { at, on_time } => ("met", Some(at), Some(on_time)),
            ClockState::Running => ("running", None, None),
            ClockState::DueSoon => ("due_soon", None, None),
            ClockState::Breached => ("breached", None, None),
        };
        ClockView {
            clock: clock_name(reading.kind),
            state,
            due_at: reading.due,
            met_at,
            on_time,
            left_seconds: reading.left.num_seconds(),
            paused: reading.paused,
            reading,
        }
    }
}

/// One complaint as it stands, with its customer, its assignee and its clocks as of when it
/// was read: a row of the queue, and the head of `complaint show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Complaint {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub tier: Tier,
    pub level: Level,
    pub category: Category,
    pub severity: Severity,
    pub status: Status,
    /// Withheld (empty) when the customer is confidential to this actor.
    pub title: String,
    /// Withheld when the customer is confidential to this actor.
    pub description: Option<String>,
    pub channel: Option<Channel>,
    pub opened_by: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee: Option<String>,
    pub assignee_name: Option<String>,
    pub escalation_level: u8,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub proposed_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reopened_at: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub ack_due_at: DateTime<Utc>,
    pub propose_due_at: DateTime<Utc>,
    pub resolve_due_at: DateTime<Utc>,
    #[serde(skip)]
    pub ack_soon_at: DateTime<Utc>,
    #[serde(skip)]
    pub propose_soon_at: DateTime<Utc>,
    #[serde(skip)]
    pub resolve_soon_at: DateTime<Utc>,
    /// Since when it waits (the resolution clock is paused).
    pub paused_at: Option<DateTime<Utc>>,
    /// Working seconds its resolution clock spent paused, over its life.
    pub paused_seconds: i64,
    pub waiting_reason: Option<String>,
    /// The status a wait goes back to.
    pub waiting_from: Option<Status>,
    pub csat: Option<u8>,
    /// The scale of `csat`: 5 (1 to 5) or 10 (1 to 10).
    pub csat_scale: u8,
    /// A resolved complaint's follow-up call: the day it is due (none once it is made, or
    /// for a complaint in any other status).
    pub follow_up_on: Option<NaiveDate>,
    pub merged_into: Option<i64>,
    /// Opened with the VIP targets.
    pub vip: bool,
    /// The calendar its deadlines were counted in.
    pub calendar: String,
    /// The clock it must beat next, when one runs.
    pub next_clock: Option<String>,
    /// The three clocks as of when it was read.
    pub clocks: Vec<ClockView>,
    /// Whether the title and description were withheld from this actor.
    pub restricted: bool,
    pub version: i64,
    #[serde(skip)]
    pub(super) auto_escalated: i64,
    #[serde(skip)]
    confidential: bool,
    #[serde(skip)]
    owner_id: Option<i64>,
}

impl Complaint {
    /// Its kept clocks (deadlines, due-soon moments, when met or paused since): what a screen
    /// reads again as time passes, with the calendar and without the database.
    pub fn kept_clocks(&self) -> [KeptClock; 3] {
        kept_clocks(self)
    }

    /// The clock that decides its place in the queue (the next one, or the paused one), read
    /// at `now` in `calendar`'s working time.
    pub fn next_reading_at(&self, calendar: &Calendar, now: DateTime<Utc>) -> Option<Reading> {
        let calendar = &*self.calendar_in(calendar);
        let clocks = kept_clocks(self);
        let next = self.next_clock.as_deref();
        clocks
            .iter()
            .find(|c| Some(clock_name(c.kind)) == next)
            .or_else(|| {
                clocks
                    .iter()
                    .find(|c| c.met.is_none() && c.paused_since.is_some())
            })
            .map(|c| c.read(calendar, now))
    }

    /// Who holds it, by name (the login when the name is missing).
    pub fn holder_name(&self) -> Option<&str> {
        self.assignee_name.as_deref().or(self.assignee.as_deref())
    }

    /// The calendar its clocks count in, given the one configured now: that one if the
    /// complaint was opened in it, round the clock if it was opened in 24×7 (a later change
    /// to business hours does not recount its time); otherwise the configured one, the
    /// nearest there is to the business hours it was opened in.
    pub fn calendar_in<'a>(&self, current: &'a Calendar) -> std::borrow::Cow<'a, Calendar> {
        use std::borrow::Cow;
        if !current.is_all_hours() && self.calendar == CalendarSummary::AllHours.to_string() {
            Cow::Owned(Calendar::all_hours(current.tz()))
        } else {
            Cow::Borrowed(current)
        }
    }

    /// The clock that decides its place in the queue: the next one, or the paused one.
    pub fn next_reading(&self) -> Option<&ClockView> {
        let next = self.next_clock.as_deref();
        self.clocks
            .iter()
            .find(|c| Some(c.clock) == next)
            .or_else(|| self.clocks.iter().find(|c| c.paused))
    }
}

pub(super) const SELECT: &str =
    "SELECT k.id, k.customer_id, c.code, c.name, c.tier, c.level, c.confidential,
        c.owner_id, k.category, k.severity, k.status, k.title, k.description, k.channel,
        ob.login, k.assignee_id, a.login, a.name, k.escalation_level, k.opened_at,
        k.acknowledged_at, k.proposed_at, k.resolved_at, k.closed_at, k.reopened_at,
        k.claimed_at, k.ack_due_at, k.propose_due_at, k.resolve_due_at, k.ack_soon_at,
        k.propose_soon_at, k.resolve_soon_at, k.paused_at, k.paused_seconds, k.waiting_reason,
        k.waiting_from, k.csat, k.merged_into, k.vip, k.calendar, k.next_clock, k.version,
        k.auto_escalated,
        CASE WHEN k.status = 'resolved' THEN
            (SELECT max(f.due_on) FROM reminders f INDEXED BY reminders_follow_up_of
             WHERE f.complaint_id = k.id AND f.kind = 'complaint_follow_up'
               AND f.status IN ('open', 'snoozed'))
        END,
        k.csat_scale
     FROM complaints k JOIN customers c ON c.id = k.customer_id
     LEFT JOIN operators ob ON ob.id = k.opened_by
     LEFT JOIN operators a ON a.id = k.assignee_id";

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

fn maybe_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    Ok(r.get::<_, Option<i64>>(i)?.map(at))
}

pub(super) fn complaint_row(r: &Row<'_>) -> rusqlite::Result<Complaint> {
    let due = |i: usize| -> rusqlite::Result<DateTime<Utc>> { Ok(at(r.get(i)?)) };
    let ack_due_at = due(26)?;
    let propose_due_at = due(27)?;
    let resolve_due_at = due(28)?;
    Ok(Complaint {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        customer_code: r.get(2)?,
        customer_name: r.get(3)?,
        tier: super::stored_name(r, 4)?,
        level: super::stored_name(r, 5)?,
        confidential: r.get(6)?,
        owner_id: r.get(7)?,
        category: super::stored_name(r, 8)?,
        severity: super::stored_name(r, 9)?,
        status: super::stored_name(r, 10)?,
        title: r.get(11)?,
        description: r.get(12)?,
        channel: r.get::<_, Option<String>>(13)?.and_then(|c| c.parse().ok()),
        opened_by: r.get(14)?,
        assignee_id: r.get(15)?,
        assignee: r.get(16)?,
        assignee_name: r.get(17)?,
        escalation_level: r.get::<_, i64>(18)?.clamp(0, 3) as u8,
        opened_at: at(r.get(19)?),
        acknowledged_at: maybe_at(r, 20)?,
        proposed_at: maybe_at(r, 21)?,
        resolved_at: maybe_at(r, 22)?,
        closed_at: maybe_at(r, 23)?,
        reopened_at: maybe_at(r, 24)?,
        claimed_at: maybe_at(r, 25)?,
        ack_due_at,
        propose_due_at,
        resolve_due_at,
        ack_soon_at: maybe_at(r, 29)?.unwrap_or(ack_due_at),
        propose_soon_at: maybe_at(r, 30)?.unwrap_or(propose_due_at),
        resolve_soon_at: maybe_at(r, 31)?.unwrap_or(resolve_due_at),
        paused_at: maybe_at(r, 32)?,
        paused_seconds: r.get(33)?,
        waiting_reason: r.get(34)?,
        waiting_from: r.get::<_, Option<String>>(35)?.and_then(|s| s.parse().ok()),
        csat: r.get::<_, Option<i64>>(36)?.map(|c| c.clamp(1, 10) as u8),
        csat_scale: r.get::<_, i64>(44)?.clamp(5, 10) as u8,
        merged_into: r.get(37)?,
        vip: r.get(38)?,
        calendar: r.get(39)?,
        next_clock: r.get(40)?,
        version: r.get(41)?,
        auto_escalated: r.get(42)?,
        follow_up_on: r.get::<_, Option<String>>(43)?.and_then(|d| d.parse().ok()),
        clocks: Vec::new(),
        restricted: false,
    })
}

fn read_one(conn: &rusqlite::Connection, id: i64) -> Result<Complaint> {
    conn.prepare_cached(&format!("{SELECT} WHERE k.id = ?1"))?
        .query_row([id], complaint_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("complaint {id}")))
}

/// A complaint row in a write, for deciding a step.
pub(super) fn read_in(w: &Writer<'_>, id: i64) -> Result<Complaint> {
    read_one(w.tx(), id)
}

/// Fills in the clocks as of `now` (a closed complaint's clocks read as they stopped).
pub(super) fn with_clocks(mut k: Complaint, calendar: &Calendar, now: DateTime<Utc>) -> Complaint {
    let until = if k.status.is_open() {
        now
    } else {
        k.closed_at.or(k.resolved_at).unwrap_or(now)
    };
    let calendar = k.calendar_in(calendar);
    let open = k.status.is_open();
    k.clocks = kept_clocks(&k)
        .iter()
        .map(|c| {
            let mut view = ClockView::of(c.read(&calendar, until));
            // A clock not met when the complaint was closed or merged stopped there: it no
            // longer runs, and was not met.
            if !open && view.met_at.is_none() {
                view.state = "stopped";
            }
            view
        })
        .collect();
    k
}

/// Which complaints the queue or a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintFilter {
    /// Only open ones, in queue order (the next deadline first); otherwise every complaint,
    /// newest first.
    pub open: bool,
    /// Only those assigned to the actor.
    pub mine: bool,
    pub unassigned: bool,
    /// Escalated to any level.
    pub escalated: bool,
    /// Its next clock is past its deadline.
    pub breached: bool,
    /// Its next clock is due soon (not yet breached).
    pub due_soon: bool,
    pub waiting: bool,
    /// Only resolved complaints whose follow-up call is still to make, the one due first
    /// first (instead of the open ones).
    pub follow_ups: bool,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub tier: Option<Tier>,
    /// VIP members only (`true`), or no VIP member (`false`): with `tier`, the badge the
    /// screen shows (a VIP member shows VIP whatever the tier).
    pub vip: Option<bool>,
    pub customer: Option<i64>,
    /// At most this many (none: all).
    pub limit: Option<usize>,
}

/// A compensation given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompensationRow {
    pub id: i64,
    pub complaint_id: i64,
    pub kind: Compensation,
    /// In the currency's smallest unit (fen), or points for `points`.
    pub amount: i64,
    pub note: Option<String>,
    pub operator: String,
    pub at: DateTime<Utc>,
}

/// Everything about one complaint: `complaint show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintDetail {
    #[serde(flatten)]
    pub complaint: Complaint,
    /// Its events and those of complaints merged into it, oldest first.
    pub events: Vec<ComplaintEvent>,
    pub compensations: Vec<CompensationRow>,
    /// Complaints merged into this one.
    pub merged_from: Vec<i64>,
    /// The follow-up reminder its resolution created: id, due day, status.
    pub follow_up: Option<FollowUpView>,
}

/// The follow-up reminder of a resolved complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpView {
    pub reminder_id: i64,
    pub due_on: String,
    pub status: String,
}

impl Store {
    /// Opens a complaint for a customer, received at `received` (now when `None`; earlier for
    /// letters and emails entered later).
    pub fn open_complaint(
        &mut self,
        actor: &Actor,
        customer_id: i64,
        new: &NewComplaint,
        received: Option<DateTime<Utc>>,
    ) -> Result<Complaint> {
        self.require(actor, crate::domain::operator::Permission::OpenComplaint)?;
        let customer = self.customer(actor, customer_id)?;
        if customer.restricted {
            return Err(self.refusal_about(
                actor,
                Some(customer_id),
                super::customers::confidential_refusal(
                    &customer.code,
                    "opening a complaint for them",
                ),
            ));
        }
        let id = self.write(actor, |w| open_in(w, customer_id, new, received, None))?;
        self.complaint(actor, id)
    }

    /// One complaint by id, in any status, with its clocks as of now.
    pub fn complaint(&self, actor: &Actor, id: i64) -> Result<Complaint> {
        let k = read_one(self.conn(), id)?;
        self.visible_complaint(actor, k)
    }

    fn visible_complaint(&self, actor: &Actor, mut k: Complaint) -> Result<Complaint> {
        if k.confidential
            && !self.may_see_customer(actor, k.customer_id, k.confidential, k.owner_id)?
        {
            k.restricted = true;
            k.title = String::new();
            k.description = None;
            k.waiting_reason = None;
        }
        Ok(with_clocks(k, &self.calendar, self.now()))
    }

    /// Complaints as `filter` asks, in queue order for open ones.
    pub fn complaints(&self, actor: &Actor, filter: &ComplaintFilter) -> Result<Vec<Complaint>> {
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        let mut bind = |v: rusqlite::types::Value| {
            values.push(v);
            format!("?{}", values.len())
        };
        let now = self.now().timestamp();
        if filter.open {
            conditions.push(format!("k.status IN {}", *OPEN_STATUSES));
        }
        if filter.mine {
            conditions.push(format!("k.assignee_id = {}", bind(actor.id.into())));
        }
        if filter.unassigned {
            conditions.push("k.assignee_id IS NULL".into());
        }
        if filter.escalated {
            conditions.push("k.escalation_level > 0".into());
        }
        if filter.breached {
            conditions.push(format!("k.next_due_at <= {}", bind(now.into())));
        }
        if filter.due_soon {
            let now = bind(now.into());
            conditions.push(format!("k.next_due_at > {now} AND k.next_soon_at <= {now}"));
        }
        if filter.waiting {
            conditions.push(format!("k.status = '{}'", Status::Waiting.as_str()));
        }
        if let Some(category) = filter.category {
            conditions.push(format!(
                "k.category = {}",
                bind(category.as_str().to_string().into())
            ));
        }
        if let Some(severity) = filter.severity {
            conditions.push(format!(
                "k.severity = {}",
                bind(severity.as_str().to_string().into())
            ));
        }
        if let Some(tier) = filter.tier {
            conditions.push(format!(
                "c.tier = {}",
                bind(tier.as_str().to_string().into())
            ));
        }
        if let Some(vip) = filter.vip {
            conditions.push(format!(
                "c.level {} '{}'",
                if vip { "=" } else { "!=" },
                Level::Vip.as_str()
            ));
        }
        if let Some(customer) = filter.customer {
            conditions.push(format!("k.customer_id = {}", bind(customer.into())));
        }
        let sql = if filter.follow_ups {
            // The follow-ups still to make, from their own small index in the order they
            // fall due; the complaints and customers are read for those kept only.
            conditions.push(format!("k.status = '{}'", Status::Resolved.as_str()));
            let limit = filter
                .limit
                .map(|n| format!(" LIMIT {n}"))
                .unwrap_or_default();
            format!(
                "{SELECT}
                 JOIN reminders f INDEXED BY reminders_complaint_follow_ups
                   ON f.complaint_id = k.id AND f.kind = 'complaint_follow_up'
                  AND f.status IN ('open', 'snoozed')
                 WHERE {}
                 ORDER BY f.due_on, k.id{limit}",
                conditions.join(" AND ")
            )
        } else if filter.open && filter.customer.is_none() {
            // The open queue: its order and every filter but the tier are read from the index
            // of open complaints alone (a few thousand entries of hundreds of thousands of
            // complaints), and only the rows kept are read with their customers. Joining every
            // open complaint's customer first read as many scattered pages as there are open
            // complaints, more than the page cache holds, on every reload.
            let (tier, inner): (Vec<String>, Vec<String>) =
                conditions.into_iter().partition(|c| c.starts_with("c."));
            let limit = filter
                .limit
                .map(|n| format!(" LIMIT {n}"))
                .unwrap_or_default();
            let (inner_limit, outer_limit) = if tier.is_empty() {
                (limit, String::new())
            } else {
                (String::new(), limit)
            };
            format!(
                "{} JOIN (SELECT k.id AS id FROM complaints k INDEXED BY complaints_open
                          WHERE {} ORDER BY k.next_due_at IS NULL, k.next_due_at, k.id{inner_limit}) q
                     ON q.id = k.id
                 {} ORDER BY k.next_due_at IS NULL, k.next_due_at, k.id{outer_limit}",
                SELECT,
                inner.join(" AND "),
                if tier.is_empty() {
                    String::new()
                } else {
                    format!("WHERE {}", tier.join(" AND "))
                },
            )
        } else {
            let mut sql = SELECT.to_string();
            if !conditions.is_empty() {
                sql.push_str(" WHERE ");
                sql.push_str(&conditions.join(" AND "));
            }
            sql.push_str(if filter.open {
                " ORDER BY k.next_due_at IS NULL, k.next_due_at, k.id"
            } else {
                " ORDER BY k.opened_at DESC, k.id DESC"
            });
            if let Some(limit) = filter.limit {
                sql.push_str(&format!(" LIMIT {limit}"));
            }
            sql
        };
        let rows: Vec<Complaint> = self
            .conn()
            .prepare_cached(&sql)?
            .query_map(rusqlite::params_from_iter(values), complaint_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|k| self.visible_complaint(actor, k))
            .collect()
    }

    /// How many complaints the database holds, in any status.
    pub fn complaint_total(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM complaints", [], |r| r.get(0))?)
    }

    /// Open complaints whose next clock is breached, and those due soon: the status bar.
    pub fn complaint_counts(&self) -> Result<(i64, i64)> {
        let now = self.now().timestamp();
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT COALESCE(SUM(next_due_at <= ?1), 0),
                        COALESCE(SUM(next_due_at > ?1 AND next_soon_at <= ?1), 0)
                 FROM complaints INDEXED BY complaints_next_due
                 WHERE next_due_at IS NOT NULL",
            )?
            .query_row([now], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// One complaint with its events (and those of complaints merged into it), compensations
    /// and follow-up.
    pub fn complaint_detail(&self, actor: &Actor, id: i64) -> Result<ComplaintDetail> {
        let complaint = self.complaint(actor, id)?;
        let conn = self.conn();
        let merged_from: Vec<i64> = conn
            .prepare_cached("SELECT id FROM complaints WHERE merged_into = ?1 ORDER BY id")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let restricted = complaint.restricted;
        let events = of_complaint(conn, id, restricted)?;
        let compensations: Vec<CompensationRow> = conn
            .prepare_cached(
                "SELECT p.id, p.complaint_id, p.kind, p.amount, p.note, o.login, p.at
                 FROM compensations p JOIN operators o ON o.id = p.operator_id
                 WHERE p.complaint_id = ?1
                    OR p.complaint_id IN (SELECT id FROM complaints WHERE merged_into = ?1)
                 ORDER BY p.at, p.id",
            )?
            .query_map([id], |r| {
                Ok(CompensationRow {
                    id: r.get(0)?,
                    complaint_id: r.get(1)?,
                    kind: super::stored_name(r, 2)?,
                    amount: r.get(3)?,
                    note: if restricted { None } else { r.get(4)? },
                    operator: r.get(5)?,
                    at: at(r.get(6)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let follow_up = conn
            .prepare_cached(
                "SELECT id, due_on, status FROM reminders
                 WHERE complaint_id = ?1 AND kind = 'complaint_follow_up'
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row([id], |r| {
                Ok(FollowUpView {
                    reminder_id: r.get(0)?,
                    due_on: r.get(1)?,
                    status: r.get(2)?,
                })
            })
            .optional()?;
        Ok(ComplaintDetail {
            complaint,
            events,
            compensations,
            merged_from,
            follow_up,
        })
    }
}
