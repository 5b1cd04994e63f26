//! Working a complaint (DESIGN §3.4): each thing an operator can do to one is a [`Step`], and
//! this file is the one place that says which steps a status allows, what status each leads
//! to, and who may take them. The store applies a step only after [`Step::check`] said yes;
//! the screen offers only the steps [`Step::allowed`] lists.

use super::complaint::Status;
use super::operator::{Actor, Permission};
use super::vocabulary;

vocabulary!(
    /// Something done to a complaint; each is recorded as a complaint event of that kind.
    Step {
        Acknowledge => "acknowledge",
        Claim => "claim",
        Note => "note",
        Wait => "wait",
        Resume => "resume",
        Escalate => "escalate",
        Propose => "propose",
        Compensate => "compensate",
        Resolve => "resolve",
        FollowUp => "follow_up",
        Close => "close",
        Reopen => "reopen",
        Merge => "merge"
    }
);

vocabulary!(
    /// What the customer was given to make up for it.
    Compensation {
        Refund => "refund",
        Replacement => "replacement",
        FreeRepair => "free_repair",
        Voucher => "voucher",
        Points => "points",
        Apology => "apology"
    }
);

/// The highest escalation level: 1 specialist, 2 supervisor, 3 manager.
pub const TOP_LEVEL: u8 = 3;

/// Who handles a complaint at an escalation level.
pub fn level_name(level: u8) -> &'static str {
    match level {
        0 => "first line",
        1 => "specialist",
        2 => "supervisor",
        _ => "manager",
    }
}

/// Where a complaint is, as far as deciding a step goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    /// The status a wait goes back to.
    pub waiting_from: Option<Status>,
    pub level: u8,
    pub assignee: Option<i64>,
}

/// Why a step was refused, said to the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the complaint is {status}; {}", allowed_text(*.status))]
    NotNow { status: Status },
    #[error(
        "the complaint is already at level {TOP_LEVEL} ({}); it cannot be escalated further",
        level_name(TOP_LEVEL)
    )]
    TopLevel,
    #[error("only its assignee, a supervisor or an admin may {step} a complaint claimed by someone else")]
    NotYours { step: Step },
    #[error("the complaint is already yours")]
    AlreadyYours,
}

fn allowed_text(status: Status) -> String {
    let steps = Step::allowed(status);
    if steps.is_empty() {
        "nothing more can be done to it".into()
    } else {
        let names: Vec<&str> = steps.iter().map(|s| s.as_str()).collect();
        format!("what it allows now: {}", names.join(", "))
    }
}

impl Step {
    /// The steps a complaint in `status` allows, in the order the screen offers them.
    pub fn allowed(status: Status) -> &'static [Step] {
        use Status as S;
        use Step::*;
        match status {
            S::New => &[Acknowledge, Claim, Note, Wait, Escalate, Compensate, Merge],
            S::Acknowledged | S::InProgress | S::Reopened => {
                &[Claim, Note, Wait, Escalate, Propose, Compensate, Merge]
            }
            S::Escalated => &[Claim, Note, Wait, Escalate, Propose, Compensate, Merge],
            S::Waiting => &[Resume, Claim, Note, Compensate, Merge],
            // The solution proposed, resolving it is what comes next.
            S::SolutionProposed => &[
                Resolve, Claim, Note, Wait, Escalate, Propose, Compensate, Merge,
            ],
            S::Resolved => &[FollowUp, Close, Reopen, Note, Compensate],
            S::Closed | S::Merged => &[],
        }
    }

    /// Whether someone else's claim stands in the way of the step: it changes who works the
    /// complaint or what it is, or pays out (a compensation is the holder's to grant). A note
    /// does not move it, and the follow-up call after it is resolved is care work anyone on
    /// the desk may do (its reminder is anyone's). A supervisor or an admin may take it over
    /// all the same.
    pub fn held_back_by_claim(self) -> bool {
        !matches!(self, Step::Note | Step::FollowUp)
    }

    /// Checks the step against the complaint and the actor, and gives the status it leads to.
    /// `to_customer` says a note was sent to the customer (contact acknowledges a new
    /// complaint); `satisfied` is the follow-up's answer.
    pub fn check(
        self,
        at: &Standing,
        actor: &Actor,
        to_customer: bool,
        satisfied: bool,
    ) -> Result<Status, Refused> {
        use Status as S;
        if !Step::allowed(at.status).contains(&self) {
            return Err(Refused::NotNow { status: at.status });
        }
        let someone_elses = at.assignee.is_some_and(|a| a != actor.id);
        let may_take_over = actor.may(Permission::TakeOverComplaint);
        if someone_elses && !may_take_over && self.held_back_by_claim() {
            return Err(Refused::NotYours { step: self });
        }
        let status = at.status;
        let next = match self {
            Step::Acknowledge => S::Acknowledged,
            Step::Claim => {
                if at.assignee == Some(actor.id) {
                    return Err(Refused::AlreadyYours);
                }
                match status {
                    S::Acknowledged | S::Reopened => S::InProgress,
                    other => other,
                }
            }
            Step::Note if to_customer && status == S::New => S::Acknowledged,
            Step::Note | Step::Compensate => status,
            Step::Wait => S::Waiting,
            Step::Resume => at.waiting_from.unwrap_or(S::InProgress),
            Step::Escalate => {
                if at.level >= TOP_LEVEL {
                    return Err(Refused::TopLevel);
                }
                // A new complaint still waits for its acknowledgement; its level rises.
                if status == S::New {
                    S::New
                } else {
                    S::Escalated
                }
            }
            Step::Propose => S::SolutionProposed,
            Step::Resolve => S::Resolved,
            Step::FollowUp if satisfied => S::Closed,
            Step::FollowUp | Step::Reopen => S::Reopened,
            Step::Close => S::Closed,
            Step::Merge => S::Merged,
        };
        debug_assert!(
            next == status || status.may_become(next),
            "{self}: {status} → {next} is not in Status::next"
        );
        Ok(next)
    }

    /// Whether the step is contact with the customer (it acknowledges a new complaint and
    /// counts as an update); internal notes never stop a clock.
    pub fn is_contact(self, to_customer: bool) -> bool {
        match self {
            Step::Acknowledge | Step::Propose | Step::FollowUp => true,
            Step::Note => to_customer,
            _ => false,
        }
    }

    /// Whether the operator should be asked before the step (it is final, or hard to undo).
    pub fn asks_first(self) -> bool {
        matches!(
            self,
            Step::Resolve | Step::Close | Step::Merge | Step::Escalate | Step::Reopen
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::operator::Role;

    fn actor(id: i64, role: Role) -> Actor {
        Actor {
            id,
            login: format!("op{id}"),
            name: format!("Op {id}"),
            role,
            via: None,
        }
    }

    fn at(status: Status, assignee: Option<i64>) -> Standing {
        Standing {
            status,
            waiting_from: None,
            level: 0,
            assignee,
        }
    }

    #[test]
    fn the_designed_path_is_walked_by_steps() {
        let me = actor(1, Role::Operator);
        let mut status = Status::New;
        for (step, expected) in [
            (Step::Acknowledge, Status::Acknowledged),
            (Step::Claim, Status::InProgress),
            (Step::Escalate, Status::Escalated),
            (Step::Propose, Status::SolutionProposed),
            (Step::Resolve, Status::Resolved),
            (Step::Close, Status::Closed),
        ] {
            let assignee =
                (step != Step::Claim && status != Status::New && status != Status::Acknowledged)
                    .then_some(1);
            status = step
                .check(&at(status, assignee), &me, false, false)
                .unwrap_or_else(|e| panic!("{step} refused: {e}"));
            assert_eq!(status, expected, "after {step}");
        }
    }

    #[test]
    fn a_step_the_status_does_not_allow_names_the_status_and_what_it_allows() {
        let me = actor(1, Role::Operator);
        let refused = Step::Resolve
            .check(&at(Status::InProgress, Some(1)), &me, false, false)
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "the complaint is in_progress; what it allows now: claim, note, wait, escalate, \
             propose, compensate, merge"
        );
        let closed = Step::Reopen
            .check(&at(Status::Closed, None), &me, false, false)
            .unwrap_err();
        assert_eq!(
            closed.to_string(),
            "the complaint is closed; nothing more can be done to it"
        );
    }

    #[test]
    fn waiting_goes_back_where_it_came_from() {
        let me = actor(1, Role::Operator);
        for from in [
            Status::New,
            Status::Acknowledged,
            Status::InProgress,
            Status::Escalated,
            Status::SolutionProposed,
            Status::Reopened,
        ] {
            let waiting = Step::Wait
                .check(&at(from, Some(1)), &me, false, false)
                .unwrap_or_else(|e| panic!("wait from {from}: {e}"));
            assert_eq!(waiting, Status::Waiting);
            let back = Step::Resume
                .check(
                    &Standing {
                        waiting_from: Some(from),
                        ..at(Status::Waiting, Some(1))
                    },
                    &me,
                    false,
                    false,
                )
                .unwrap_or_else(|e| panic!("resume to {from}: {e}"));
            assert_eq!(back, from);
        }
    }

    #[test]
    fn only_the_assignee_or_a_supervisor_moves_a_claimed_complaint() {
        let other = actor(2, Role::Operator);
        let boss = actor(3, Role::Supervisor);
        let claimed = at(Status::InProgress, Some(1));
        for step in [
            Step::Claim,
            Step::Escalate,
            Step::Propose,
            Step::Wait,
            Step::Merge,
            Step::Compensate,
        ] {
            assert_eq!(
                step.check(&claimed, &other, false, false),
                Err(Refused::NotYours { step }),
                "{step}"
            );
            assert!(step.check(&claimed, &boss, false, false).is_ok(), "{step}");
        }
        // Anyone may add a note to it.
        assert!(Step::Note.check(&claimed, &other, false, false).is_ok());
        // An unclaimed one is anyone's.
        assert_eq!(
            Step::Claim.check(&at(Status::New, None), &other, false, false),
            Ok(Status::New)
        );
    }

    #[test]
    fn escalation_stops_at_the_manager() {
        let me = actor(1, Role::Operator);
        let mut standing = at(Status::InProgress, Some(1));
        for level in 1..=TOP_LEVEL {
            assert_eq!(
                Step::Escalate.check(&standing, &me, false, false),
                Ok(Status::Escalated),
                "to level {level}"
            );
            standing.status = Status::Escalated;
            standing.level = level;
        }
        assert_eq!(
            Step::Escalate.check(&standing, &me, false, false),
            Err(Refused::TopLevel)
        );
        // A new complaint keeps waiting for its acknowledgement while its level rises.
        assert_eq!(
            Step::Escalate.check(&at(Status::New, None), &me, false, false),
            Ok(Status::New)
        );
    }

    #[test]
    fn the_follow_up_closes_or_reopens() {
        let me = actor(1, Role::Operator);
        let resolved = at(Status::Resolved, Some(2));
        assert_eq!(
            Step::FollowUp.check(&resolved, &me, false, true),
            Ok(Status::Closed)
        );
        assert_eq!(
            Step::FollowUp.check(&resolved, &me, false, false),
            Ok(Status::Reopened)
        );
    }

    #[test]
    fn only_contact_with_the_customer_acknowledges() {
        let me = actor(1, Role::Operator);
        let new = at(Status::New, None);
        assert_eq!(
            Step::Note.check(&new, &me, true, false),
            Ok(Status::Acknowledged)
        );
        assert_eq!(Step::Note.check(&new, &me, false, false), Ok(Status::New));
        assert!(Step::Note.is_contact(true));
        assert!(!Step::Note.is_contact(false));
        assert!(!Step::Escalate.is_contact(false));
    }

    #[test]
    fn every_step_allowed_leads_where_the_status_graph_allows() {
        let boss = actor(9, Role::Admin);
        for status in Status::ALL {
            for step in Step::allowed(*status) {
                for (to_customer, satisfied) in [(false, false), (true, true)] {
                    let standing = Standing {
                        status: *status,
                        waiting_from: (*status == Status::Waiting).then_some(Status::InProgress),
                        level: 0,
                        assignee: Some(1),
                    };
                    if let Ok(next) = step.check(&standing, &boss, to_customer, satisfied) {
                        assert!(
                            next == *status || status.may_become(next),
                            "{step}: {status} → {next}"
                        );
                    }
                }
            }
        }
    }
}
