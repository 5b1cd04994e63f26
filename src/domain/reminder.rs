//! Care reminders (DESIGN §3.5): their kinds and where each stands. A reminder is done
//! (linked to the contact that did it), snoozed to a date, skipped with a reason, or deleted;
//! one done, skipped or deleted never comes back.

use super::vocabulary;

vocabulary!(
    /// What a reminder is for.
    Kind {
        Birthday => "birthday",
        Holiday => "holiday",
        PostPurchase => "post_purchase",
        Renewal => "renewal",
        ReturnVisit => "return_visit",
        ProfileVerification => "profile_verification",
        ComplaintFollowUp => "complaint_follow_up",
        FollowUp => "follow_up",
        Manual => "manual"
    }
);

impl Kind {
    /// The source key of the follow-up a logged contact asked for (`follow_up:<contact id>`):
    /// one contact asks for at most one, and its corrections carry that one over.
    pub fn follow_up_source(interaction: i64) -> String {
        format!("{}:{interaction}", Kind::FollowUp.as_str())
    }

    /// Periodic kinds never pile up: at most one open per customer and kind.
    pub fn is_periodic(self) -> bool {
        matches!(
            self,
            Kind::ReturnVisit | Kind::ProfileVerification | Kind::Renewal
        )
    }
}

vocabulary!(
    /// Where a reminder stands.
    Status {
        Open => "open",
        Snoozed => "snoozed",
        Done => "done",
        Skipped => "skipped",
        Deleted => "deleted"
    }
);

impl Status {
    /// Still to do: open, or snoozed to a later date.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Open | Status::Snoozed)
    }

    /// Whether a reminder in this status may be set to `next`. One still to do may be done,
    /// skipped, deleted, snoozed (again) or set open again (a follow-up moved to a new time);
    /// one done, skipped or deleted never changes again.
    pub fn may_become(self, next: Status) -> bool {
        matches!((self, next), (Status::Open | Status::Snoozed, _))
    }

    /// The statuses this one may be set to.
    pub fn next(self) -> Vec<Status> {
        Status::ALL
            .iter()
            .copied()
            .filter(|s| self.may_become(*s))
            .collect()
    }
}

vocabulary!(
    /// Why a reminder was skipped, from the list the screen offers (a reason typed instead is
    /// kept as typed).
    SkipReason {
        Declined => "declined",
        Unreachable => "unreachable",
        AlreadyContacted => "already_contacted",
        NotRelevant => "not_relevant",
        WrongContact => "wrong_contact"
    }
);

/// Whether `operator` may work a reminder kept for `assignee` with `scope`: one for anyone may
/// be worked by anyone; one kept for an operator ("only me") by that operator, or by whoever
/// may work others' reminders (a supervisor or an admin, by the permission table).
pub fn may_work(
    scope: super::interaction::FollowUpScope,
    assignee: Option<i64>,
    operator: i64,
    may_work_others: bool,
) -> bool {
    scope == super::interaction::FollowUpScope::Anyone
        || assignee.is_none()
        || assignee == Some(operator)
        || may_work_others
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owner_or_a_supervisor_works_an_only_me_reminder() {
        use super::super::interaction::FollowUpScope::{Anyone, Me};
        assert!(may_work(Anyone, Some(7), 8, false));
        assert!(may_work(Me, Some(7), 7, false));
        assert!(!may_work(Me, Some(7), 8, false));
        assert!(may_work(Me, Some(7), 8, true));
    }

    #[test]
    fn a_reminder_done_skipped_or_deleted_never_comes_back() {
        use Status::*;
        for from in [Done, Skipped, Deleted] {
            for to in Status::ALL {
                assert!(!from.may_become(*to), "{from} → {to} is refused");
            }
            assert!(!from.is_open());
        }
    }

    #[test]
    fn a_reminder_still_to_do_may_be_done_snoozed_or_skipped() {
        use Status::*;
        for from in [Open, Snoozed] {
            assert!(from.is_open());
            for to in [Done, Skipped, Deleted, Snoozed, Open] {
                assert!(from.may_become(to), "{from} → {to} is allowed");
            }
        }
    }

    #[test]
    fn periodic_kinds_are_return_visits_verification_and_renewal() {
        let periodic: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| k.is_periodic())
            .collect();
        assert_eq!(
            periodic,
            [Kind::Renewal, Kind::ReturnVisit, Kind::ProfileVerification]
        );
    }
}
