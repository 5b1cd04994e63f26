//! Working a complaint: every [`Work`] is checked by the domain's [`Step`] table against the
//! complaint as it stands inside the write (so two operators claiming at once cannot both win:
//! writes take turns, and the second sees the first's claim), recorded as a complaint event,
//! moves the clocks it stops or pauses, and re-places the complaint in the queue. The
//! automatic escalation of breached clocks ([`Store::sweep_complaints`]) is here too.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::complaint_events::{event_in, EventRow};
use super::complaints::{clock_bit, clock_name, place_in_queue, read_in, Complaint};
use super::{Actor, Result, Store, StoreError, Writer};
use crate::domain::complaint::Status;
use crate::domain::complaint_fact::{EventFact, NamedOperator};
use crate::domain::complaint_step::{Compensation, Standing, Step, TOP_LEVEL};
use crate::domain::customer::{Channel, FieldError};
use crate::domain::operator::Permission;
use crate::domain::reminder::{Kind as ReminderKind, Status as ReminderStatus};
use crate::domain::sla_clock::{after_pause, soon_at, ClockKind};

/// Something to do to a complaint, with what it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    /// Contact with the customer saying the complaint is being handled.
    Acknowledge {
        text: Option<String>,
    },
    /// Assign it to me. Someone else's claim stands unless `take_over` (supervisors).
    Claim {
        take_over: bool,
    },
    /// A note: internal, or sent to the customer (which counts as contact).
    Note {
        text: String,
        to_customer: bool,
    },
    /// Waiting on the customer or a third party: the resolution clock pauses.
    Wait {
        reason: String,
    },
    Resume {
        text: Option<String>,
    },
    /// One level up (1 specialist → 2 supervisor → 3 manager), optionally to someone.
    Escalate {
        reason: String,
        to: Option<String>,
    },
    Propose {
        text: String,
    },
    /// `amount` in fen, or points for `points` (credited to the customer's points too).
    Compensate {
        kind: Compensation,
        amount: i64,
        note: Option<String>,
    },
    Resolve {
        text: String,
    },
    /// The follow-up call: the customer's satisfaction closes it, or reopens it.
    FollowUp {
        csat: u8,
        /// The highest score of the scale `csat` was given on (`[surveys] csat_scale`).
        scale: u8,
        comment: Option<String>,
        satisfied: bool,
    },
    Close {
        text: Option<String>,
    },
    Reopen {
        reason: String,
    },
    /// Merge this complaint into `into` (the same customer's): this one is closed as merged.
    Merge {
        into: i64,
    },
}

impl Work {
    pub fn step(&self) -> Step {
        match self {
            Work::Acknowledge { .. } => Step::Acknowledge,
            Work::Claim { .. } => Step::Claim,
            Work::Note { .. } => Step::Note,
            Work::Wait { .. } => Step::Wait,
            Work::Resume { .. } => Step::Resume,
            Work::Escalate { .. } => Step::Escalate,
            Work::Propose { .. } => Step::Propose,
            Work::Compensate { .. } => Step::Compensate,
            Work::Resolve { .. } => Step::Resolve,
            Work::FollowUp { .. } => Step::FollowUp,
            Work::Close { .. } => Step::Close,
            Work::Reopen { .. } => Step::Reopen,
            Work::Merge { .. } => Step::Merge,
        }
    }

    /// The event's text: what the operator typed, and nothing careline made up (that is the
    /// event's [`EventFact`]).
    fn text(&self) -> Option<String> {
        fn given(t: &Option<String>) -> Option<String> {
            t.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        }
        match self {
            Work::Acknowledge { text } | Work::Resume { text } | Work::Close { text } => {
                given(text)
            }
            Work::Claim { .. } | Work::Merge { .. } => None,
            Work::Note { text, .. } | Work::Propose { text } | Work::Resolve { text } => {
                Some(text.trim().to_string())
            }
            Work::Wait { reason } | Work::Reopen { reason } => Some(reason.trim().to_string()),
            Work::Escalate { reason, .. } => Some(reason.trim().to_string()),
            Work::Compensate { note, .. } => given(note),
            Work::FollowUp { comment, .. } => given(comment),
        }
    }

    /// Checks what was typed: every problem, each on its field.
    fn problems(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        let mut required = |field: &'static str, text: &str| {
            if text.trim().is_empty() {
                problems.push(FieldError::new(field, "is required"));
            }
        };
        match self {
            Work::Note { text, .. } => required("text", text),
            Work::Propose { text } | Work::Resolve { text } => required("text", text),
            Work::Wait { reason } | Work::Reopen { reason } => required("reason", reason),
            Work::Escalate { reason, .. } => required("reason", reason),
            Work::Compensate { kind, amount, .. } => {
                if *amount < 0 {
                    problems.push(FieldError::new("amount", "cannot be negative"));
                }
                if *amount == 0 && *kind != Compensation::Apology {
                    problems.push(FieldError::new(
                        "amount",
                        "is required for this kind (only an apology has none)",
                    ));
                }
            }
            Work::FollowUp { csat, scale, .. } if !(1..=*scale).contains(csat) => {
                problems.push(FieldError::new("csat", format!("must be 1 to {scale}")));
            }
            Work::FollowUp { scale, .. } if *scale != 5 && *scale != 10 => {
                problems.push(FieldError::new(
                    "csat",
                    format!("{scale} is not a CSAT scale: use 5 or 10"),
                ));
            }
            _ => {}
        }
        problems
    }
}

/// What a piece of work did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Worked {
    pub complaint: Complaint,
    pub event_id: i64,
    pub from_status: Status,
    /// The follow-up reminder a resolution created.
    pub follow_up_reminder: Option<i64>,
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sweep {
    /// Complaints looked at (a clock of theirs breached since the last look).
    pub looked_at: usize,
    /// Escalations made (one per breached clock).
    pub escalated: usize,
}

fn standing(k: &Complaint) -> Standing {
    Standing {
        status: k.status,
        waiting_from: k.waiting_from,
        level: k.escalation_level,
        assignee: k.assignee_id,
    }
}

/// The operator `login` names, as an escalation hands the complaint to them.
fn operator_named(w: &Writer<'_>, login: &str) -> Result<(i64, NamedOperator)> {
    let found: Option<(i64, bool, String, String)> = w
        .tx()
        .query_row(
            "SELECT id, active, login, name FROM operators WHERE login = ?1",
            [login.trim()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    match found {
        Some((id, true, login, name)) => Ok((id, NamedOperator { login, name })),
        Some((_, false, _, _)) => Err(StoreError::Invalid(vec![FieldError::new(
            "to",
            "is a disabled operator",
        )])),
        None => Err(StoreError::Invalid(vec![FieldError::new(
            "to",
            "is not a registered operator",
        )])),
    }
}

fn holder(w: &Writer<'_>, k: &Complaint) -> String {
    let who = match (&k.assignee_name, &k.assignee) {
        (Some(name), Some(login)) => format!("{name} ({login})"),
        _ => format!("operator {}", k.assignee_id.unwrap_or_default()),
    };
    let Some(claimed) = k.claimed_at else {
        return who;
    };
    let tz = w.calendar().tz();
    let (when, now) = (claimed.with_timezone(&tz), w.now().with_timezone(&tz));
    // The day too, when it was not today.
    let format = if when.date_naive() == now.date_naive() {
        "%H:%M"
    } else {
        "%Y-%m-%d %H:%M"
    };
    format!("{who} since {}", when.format(format))
}

/// Does `work` to complaint `id` inside a write.
fn work_in(w: &mut Writer<'_>, id: i64, work: &Work) -> Result<(i64, Status, Option<i64>)> {
    let problems = work.problems();
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    let k = read_in(w, id)?;
    let step = work.step();
    let actor = w.actor().clone();
    if let Work::Claim { take_over } = work {
        if let Some(other) = k.assignee_id.filter(|a| *a != actor.id) {
            if !take_over || !actor.may(Permission::TakeOverComplaint) {
                let _ = other;
                return Err(StoreError::Conflict(format!(
                    "complaint {id} is already claimed by {}{}",
                    holder(w, &k),
                    if actor.may(Permission::TakeOverComplaint) {
                        "; take it over with --take-over"
                    } else {
                        ""
                    }
                )));
            }
        }
    }
    let (to_customer, satisfied) = match work {
        Work::Note { to_customer, .. } => (*to_customer, false),
        Work::FollowUp { satisfied, .. } => (false, *satisfied),
        _ => (false, false),
    };
    let next = step
        .check(&standing(&k), &actor, to_customer, satisfied)
        .map_err(|refused| StoreError::Refused {
            complaint: id,
            refused,
        })?;
    let now = w.now();
    let t = now.timestamp();
    let contact = step.is_contact(to_customer);
    let rules = w.sla_rules().clone();
    let calendar = w.calendar().clone();
    let mut follow_up = None;
    // What careline knows about this step, beside what was typed.
    let mut fact = None;
    let tx = w.tx();
    if contact {
        tx.execute(
            "UPDATE complaints SET acknowledged_at = COALESCE(acknowledged_at, ?2) WHERE id = ?1",
            params![id, t],
        )?;
    }
    match work {
        Work::Claim { .. } => {
            if let (Some(other), Some(login), Some(name)) =
                (k.assignee_id, &k.assignee, &k.assignee_name)
            {
                if other != actor.id {
                    fact = Some(EventFact::TakenOver {
                        from: NamedOperator {
                            login: login.clone(),
                            name: name.clone(),
                        },
                    });
                }
            }
            tx.execute(
                "UPDATE complaints SET assignee_id = ?2, claimed_at = ?3 WHERE id = ?1",
                params![id, actor.id, t],
            )?;
        }
        Work::Wait { reason } => {
            tx.execute(
                "UPDATE complaints SET paused_at = ?2, waiting_reason = ?3, waiting_from = ?4
                 WHERE id = ?1",
                params![id, t, reason.trim(), k.status.as_str()],
            )?;
        }
        Work::Resume { .. } => {
            let paused = k.paused_at.unwrap_or(now);
            let worked = calendar.working_between(paused, now).num_seconds();
            tx.execute(
                "UPDATE complaints SET paused_at = NULL, waiting_reason = NULL,
                    waiting_from = NULL, paused_seconds = paused_seconds + ?2,
                    resolve_due_at = ?3, resolve_soon_at = ?4 WHERE id = ?1",
                params![
                    id,
                    worked,
                    after_pause(&calendar, k.resolve_due_at, paused, now).timestamp(),
                    after_pause(&calendar, k.resolve_soon_at, paused, now).timestamp(),
                ],
            )?;
        }
        Work::Escalate { to, .. } => {
            let (assignee, reassigned_to) = match to {
                Some(login) => {
                    let (id, named) = operator_named(w, login)?;
                    (Some(id), (Some(id) != k.assignee_id).then_some(named))
                }
                None => (k.assignee_id, None),
            };
            fact = Some(EventFact::Escalated {
                level: (k.escalation_level + 1).min(TOP_LEVEL),
                reassigned_to,
            });
            w.tx().execute(
                "UPDATE complaints SET escalation_level = min(escalation_level + 1, ?3),
                    assignee_id = ?2,
                    claimed_at = CASE WHEN ?2 IS NOT assignee_id THEN ?4 ELSE claimed_at END
                 WHERE id = ?1",
                params![id, assignee, TOP_LEVEL, t],
            )?;
        }
        Work::Propose { .. } => {
            tx.execute(
                "UPDATE complaints SET proposed_at = COALESCE(proposed_at, ?2) WHERE id = ?1",
                params![id, t],
            )?;
        }
        Work::Compensate { kind, amount, note } => {
            fact = Some(EventFact::Compensation {
                kind: *kind,
                amount: *amount,
            });
            tx.execute(
                "INSERT INTO compensations (complaint_id, kind, amount, note, operator_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    kind.as_str(),
                    amount,
                    note.as_deref().map(str::trim).filter(|n| !n.is_empty()),
                    actor.id,
                    t
                ],
            )?;
            if *kind == Compensation::Points {
                tx.execute(
                    "INSERT INTO points_ledger (customer_id, delta, reason, operator_id, at, kind)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'compensation')",
                    params![
                        k.customer_id,
                        amount,
                        format!("compensation for complaint {id}"),
                        actor.id,
                        t
                    ],
                )?;
                // The customer's balance, as the card shows it, moves with its ledger.
                tx.execute(
                    "UPDATE customers SET points = points + ?2 WHERE id = ?1",
                    params![k.customer_id, amount],
                )?;
            }
        }
        Work::Resolve { .. } => {
            tx.execute(
                "UPDATE complaints SET resolved_at = ?2 WHERE id = ?1",
                params![id, t],
            )?;
            // No follow-up call to a customer who asked not to be contacted (marking them so
            // withdraws one made before, and the Care pane would hide it).
            let do_not_contact: bool = tx.query_row(
                "SELECT do_not_contact FROM customers WHERE id = ?1",
                [k.customer_id],
                |r| r.get(0),
            )?;
            if !do_not_contact {
                // Days in the centre's time zone, as the calendar counts them.
                let today = now.with_timezone(&calendar.tz()).date_naive();
                // On a working day: a call due on a closed day is made on the next one.
                let mut due = today + chrono::Days::new(rules.follow_up_days.clamp(1, 365) as u64);
                for _ in 0..366 {
                    if calendar.is_working_day(due) {
                        break;
                    }
                    due = due.succ_opt().unwrap_or(due);
                }
                let round: i64 = w.tx().query_row(
                    "SELECT count(*) FROM reminders WHERE complaint_id = ?1 AND kind = ?2",
                    params![id, ReminderKind::ComplaintFollowUp.as_str()],
                    |r| r.get(0),
                )?;
                w.tx().execute(
                    &format!(
                    "INSERT INTO reminders (customer_id, kind, source_key, due_on, title, status,
                        assignee_id, scope, complaint_id, created_by, created_at, updated_at,
                        badge)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'anyone', ?8, ?9, ?10, ?10, {})",
                    super::reminders::BADGE_OF_CUSTOMER
                ),
                    params![
                        k.customer_id,
                        ReminderKind::ComplaintFollowUp.as_str(),
                        format!("complaint_follow_up:{id}:{}", round + 1),
                        due.format("%Y-%m-%d").to_string(),
                        format!("#{id} {}", k.title),
                        ReminderStatus::Open.as_str(),
                        k.assignee_id.or(Some(actor.id)),
                        id,
                        actor.id,
                        t
                    ],
                )?;
                follow_up = Some(w.tx().last_insert_rowid());
            }
        }
        Work::FollowUp {
            csat,
            scale,
            comment,
            satisfied,
        } => {
            fact = Some(EventFact::FollowUp {
                csat: *csat,
                scale: *scale,
                satisfied: *satisfied,
            });
            tx.execute(
                "INSERT INTO surveys (customer_id, kind, score, scale, comment, complaint_id,
                    operator_id, at) VALUES (?1, 'csat', ?2, ?7, ?3, ?4, ?5, ?6)",
                params![
                    k.customer_id,
                    csat,
                    comment.as_deref().map(str::trim).filter(|c| !c.is_empty()),
                    id,
                    actor.id,
                    t,
                    scale
                ],
            )?;
            tx.execute(
                "UPDATE complaints SET csat = ?2, csat_scale = ?3 WHERE id = ?1",
                params![id, csat, scale],
            )?;
            finish_follow_ups(w, id, ReminderStatus::Done, None, t)?;
            if *satisfied {
                w.tx().execute(
                    "UPDATE complaints SET closed_at = ?2 WHERE id = ?1",
                    params![id, t],
                )?;
            } else {
                reopen(w, &k, now, &rules, &calendar)?;
            }
        }
        Work::Close { .. } => {
            tx.execute(
                "UPDATE complaints SET closed_at = ?2 WHERE id = ?1",
                params![id, t],
            )?;
            finish_follow_ups(
                w,
                id,
                ReminderStatus::Skipped,
                Some("the complaint was closed"),
                t,
            )?;
        }
        Work::Reopen { .. } => {
            finish_follow_ups(
                w,
                id,
                ReminderStatus::Skipped,
                Some("the complaint was reopened"),
                t,
            )?;
            reopen(w, &k, now, &rules, &calendar)?;
        }
        Work::Merge { into } => {
            if *into == id {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "into",
                    "is this complaint itself",
                )]));
            }
            let other = read_in(w, *into).map_err(|_| {
                StoreError::Invalid(vec![FieldError::new("into", "is not a complaint")])
            })?;
            if other.customer_id != k.customer_id {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "into",
                    "is another customer's complaint; only one customer's complaints merge",
                )]));
            }
            if !other.status.is_open() && other.status != Status::Resolved {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "into",
                    "is closed or merged itself; merge into an open complaint",
                )]));
            }
            w.tx().execute(
                "UPDATE complaints SET merged_into = ?2, closed_at = ?3, paused_at = NULL
                 WHERE id = ?1",
                params![id, into, t],
            )?;
            // Complaints merged into this one follow it.
            w.tx().execute(
                "UPDATE complaints SET merged_into = ?2 WHERE merged_into = ?1",
                params![id, into],
            )?;
            event_in(
                w,
                &EventRow {
                    complaint: *into,
                    kind: "merge",
                    from: Some(other.status),
                    to: Some(other.status),
                    text: None,
                    fact: Some(&EventFact::MergedFrom { complaint_id: id }),
                    contact: false,
                    interaction: None,
                    at: now,
                },
            )?;
            bump(w, *into)?;
            fact = Some(EventFact::MergedInto {
                complaint_id: *into,
            });
        }
        Work::Acknowledge { .. } | Work::Note { .. } => {}
    }
    w.tx().execute(
        "UPDATE complaints SET status = ?2, version = version + 1 WHERE id = ?1",
        params![id, next.as_str()],
    )?;
    let text = work.text();
    let event = event_in(
        w,
        &EventRow {
            complaint: id,
            kind: step.as_str(),
            from: Some(k.status),
            to: Some(next),
            text: text.as_deref(),
            fact: fact.as_ref(),
            contact,
            interaction: None,
            at: now,
        },
    )?;
    place_in_queue(w, id)?;
    w.audit(
        &format!("complaint.{step}"),
        "complaint",
        Some(id),
        serde_json::json!({"from": k.status.as_str(), "to": next.as_str(), "text": text,
            "fact": fact, "customer_contact": contact}),
    );
    Ok((event, k.status, follow_up))
}

fn bump(w: &Writer<'_>, id: i64) -> Result<()> {
    w.tx().execute(
        "UPDATE complaints SET version = version + 1 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// Reopening restarts the resolution clock from now; the first solution proposed stays met.
fn reopen(
    w: &Writer<'_>,
    k: &Complaint,
    now: DateTime<Utc>,
    rules: &crate::domain::complaint::SlaRules,
    calendar: &crate::domain::calendar::Calendar,
) -> Result<()> {
    let span = rules.spans(k.severity, k.vip).resolve;
    w.tx().execute(
        "UPDATE complaints SET reopened_at = ?2, resolved_at = NULL, closed_at = NULL,
            resolve_due_at = ?3, resolve_soon_at = ?4,
            auto_escalated = auto_escalated & ~?5 WHERE id = ?1",
        params![
            k.id,
            now.timestamp(),
            calendar.add_working(now, span).timestamp(),
            soon_at(calendar, now, span, rules.due_soon_share).timestamp(),
            clock_bit(ClockKind::Resolve),
        ],
    )?;
    Ok(())
}

/// Marks the complaint's open follow-up reminders done or skipped.
fn finish_follow_ups(
    w: &Writer<'_>,
    id: i64,
    status: ReminderStatus,
    reason: Option<&str>,
    t: i64,
) -> Result<()> {
    w.tx().execute(
        "UPDATE reminders SET status = ?3, skip_reason = ?4, updated_at = ?5,
            version = version + 1
         WHERE complaint_id = ?1 AND kind = ?2 AND status IN ('open', 'snoozed')",
        params![
            id,
            ReminderKind::ComplaintFollowUp.as_str(),
            status.as_str(),
            reason,
            t
        ],
    )?;
    Ok(())
}

/// A logged contact with the customer about complaint `id` acknowledges it, when it was new.
pub(crate) fn contact_logged_in(w: &mut Writer<'_>, id: i64, interaction: i64) -> Result<()> {
    let k = read_in(w, id)?;
    if !k.status.is_open() {
        return Ok(());
    }
    let now = w.now();
    let next = if k.status == Status::New {
        Status::Acknowledged
    } else {
        k.status
    };
    w.tx().execute(
        "UPDATE complaints SET acknowledged_at = COALESCE(acknowledged_at, ?2), status = ?3,
            version = version + 1 WHERE id = ?1",
        params![id, now.timestamp(), next.as_str()],
    )?;
    let channel: Channel = w.tx().query_row(
        "SELECT channel FROM interactions WHERE id = ?1",
        [interaction],
        |r| super::stored_name(r, 0),
    )?;
    event_in(
        w,
        &EventRow {
            complaint: id,
            kind: "contact",
            from: Some(k.status),
            to: Some(next),
            text: None,
            fact: Some(&EventFact::Contact {
                interaction_id: interaction,
                channel,
            }),
            contact: true,
            interaction: Some(interaction),
            at: now,
        },
    )?;
    place_in_queue(w, id)
}

/// Escalates every clock breached since the last look, once each (inside a write, so that
/// of several careline processes sweeping at once each breach is escalated by exactly one).
fn sweep_in(w: &mut Writer<'_>) -> Result<Sweep> {
    let now = w.now();
    let t = now.timestamp();
    let ids: Vec<i64> = w
        .tx()
        .prepare_cached(
            "SELECT id FROM complaints INDEXED BY complaints_sweep
             WHERE sweep_at IS NOT NULL AND sweep_at <= ?1 ORDER BY sweep_at",
        )?
        .query_map([t], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sweep = Sweep::default();
    for id in ids {
        let k = read_in(w, id)?;
        sweep.looked_at += 1;
        let breached: Vec<(ClockKind, DateTime<Utc>)> = k
            .kept_clocks()
            .into_iter()
            .filter(|c| {
                c.met.is_none()
                    && c.paused_since.is_none()
                    && c.due <= now
                    && k.auto_escalated & clock_bit(c.kind) == 0
            })
            .map(|c| (c.kind, c.due))
            .collect();
        let mut level = k.escalation_level;
        let mut status = k.status;
        for (kind, due) in &breached {
            let bits: i64 = clock_bit(*kind);
            w.tx().execute(
                "UPDATE complaints SET auto_escalated = auto_escalated | ?2 WHERE id = ?1",
                params![id, bits],
            )?;
            // A clock that breaches while the complaint waits on the customer (or at the top
            // level) is marked as looked at, not escalated: nobody can act on it sooner.
            if !status.is_open() || status == Status::Waiting || level >= TOP_LEVEL {
                continue;
            }
            let next = if status == Status::New {
                Status::New
            } else {
                Status::Escalated
            };
            level += 1;
            w.tx().execute(
                "UPDATE complaints SET escalation_level = ?2, status = ?3,
                    version = version + 1 WHERE id = ?1",
                params![id, level, next.as_str()],
            )?;
            let clock = clock_name(*kind);
            event_in(
                w,
                &EventRow {
                    complaint: id,
                    kind: "auto_escalate",
                    from: Some(status),
                    to: Some(next),
                    text: None,
                    fact: Some(&EventFact::AutoEscalated {
                        clock: *kind,
                        due_at: *due,
                        level,
                    }),
                    contact: false,
                    interaction: None,
                    at: now,
                },
            )?;
            w.audit(
                "complaint.auto_escalate",
                "complaint",
                Some(id),
                serde_json::json!({"clock": clock, "due_at": due, "level": level}),
            );
            status = next;
            sweep.escalated += 1;
        }
        place_in_queue(w, id)?;
    }
    Ok(sweep)
}

impl Store {
    /// Does `work` to complaint `id`, as `actor`: checked against the step table and the
    /// complaint as it stands when the write begins.
    pub fn work_complaint(&mut self, actor: &Actor, id: i64, work: &Work) -> Result<Worked> {
        self.require(actor, Permission::WorkComplaint)?;
        let seen = self.complaint(actor, id)?;
        if seen.restricted {
            return Err(self.refusal_about(
                actor,
                Some(seen.customer_id),
                format!(
                    "complaint {id} is a confidential customer's: ask a supervisor for access \
                     (`{} grant`) before working it",
                    crate::program::name()
                ),
            ));
        }
        let (event_id, from_status, follow_up_reminder) =
            self.write(actor, |w| work_in(w, id, work))?;
        Ok(Worked {
            complaint: self.complaint(actor, id)?,
            event_id,
            from_status,
            follow_up_reminder,
        })
    }

    /// With `auto_escalate` set: escalates every complaint whose clock breached since the last
    /// look, once per clock, recorded by `system`. Cheap when there is nothing to do (one
    /// indexed read), so every careline process may call it; safe when several do at once.
    pub fn sweep_complaints(&mut self, actor: &Actor) -> Result<Sweep> {
        if !self.sla_rules().auto_escalate {
            return Ok(Sweep::default());
        }
        let now = self.now().timestamp();
        let due: Option<i64> = self
            .conn()
            .prepare_cached(
                "SELECT 1 FROM complaints INDEXED BY complaints_sweep
                 WHERE sweep_at IS NOT NULL AND sweep_at <= ?1 LIMIT 1",
            )?
            .query_row([now], |r| r.get(0))
            .optional()?;
        if due.is_none() {
            return Ok(Sweep::default());
        }
        self.write(actor, sweep_in)
    }
}
