//! Handing an operator's work to another (`careline operator handover`, issue 15): when
//! someone leaves or changes team, the customers they own, the open complaints they hold and
//! the reminders kept for them go to a colleague, in one write, audited, each complaint with
//! an event in its history. A dry run says what would move. Disabling an operator keeps their
//! history either way.

use rusqlite::params;
use serde::Serialize;

use super::complaint_events::{event_in, EventRow};
use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::complaint_fact::{EventFact, NamedOperator};

/// What a handover moved (or, dry, would move).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub from: String,
    pub to: String,
    pub customers: usize,
    pub complaints: Vec<i64>,
    pub reminders: usize,
    pub dry_run: bool,
}

impl Store {
    /// Moves `from`'s owned customers, open complaints and open reminders kept for them to
    /// `to` (supervisors); with `dry_run`, only counts them.
    pub fn hand_over(
        &mut self,
        actor: &Actor,
        from: &str,
        to: &str,
        dry_run: bool,
    ) -> Result<Handover> {
        self.require(actor, Permission::HandOver)?;
        let giver = self
            .operator_by_login(from)?
            .ok_or_else(|| StoreError::NotFound(format!("operator '{from}'")))?;
        let taker = self
            .operator_by_login(to)?
            .ok_or_else(|| StoreError::NotFound(format!("operator '{to}'")))?;
        if giver.id == taker.id {
            return Err(StoreError::Conflict(format!(
                "{from} and {to} are the same operator"
            )));
        }
        if !taker.active {
            return Err(StoreError::Conflict(format!(
                "{to} is disabled; hand over to an active operator (or enable {to} first)"
            )));
        }
        let open = super::complaints::OPEN_STATUSES.as_str();
        let complaints_sql = format!(
            "SELECT id FROM complaints WHERE assignee_id = ?1 AND status IN {open} ORDER BY id"
        );
        let customers_sql =
            "SELECT count(*) FROM customers WHERE owner_id = ?1 AND merged_into IS NULL AND erased_at IS NULL";
        let reminders_sql =
            "SELECT count(*) FROM reminders WHERE assignee_id = ?1 AND status IN ('open', 'snoozed')";
        if dry_run {
            let conn = self.conn();
            let complaints = conn
                .prepare(&complaints_sql)?
                .query_map([giver.id], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            return Ok(Handover {
                from: from.to_string(),
                to: to.to_string(),
                customers: conn.query_row(customers_sql, [giver.id], |r| r.get::<_, i64>(0))?
                    as usize,
                complaints,
                reminders: conn.query_row(reminders_sql, [giver.id], |r| r.get::<_, i64>(0))?
                    as usize,
                dry_run: true,
            });
        }
        let named = |o: &crate::store::Operator| NamedOperator {
            login: o.login.clone(),
            name: o.name.clone(),
        };
        let fact = EventFact::HandedOver {
            from: named(&giver),
            to: named(&taker),
        };
        self.write(actor, |w| {
            let now = w.now();
            let complaints = w
                .tx()
                .prepare(&complaints_sql)?
                .query_map([giver.id], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            for id in &complaints {
                w.tx().execute(
                    "UPDATE complaints SET assignee_id = ?2, version = version + 1 WHERE id = ?1",
                    params![id, taker.id],
                )?;
                event_in(
                    w,
                    &EventRow {
                        complaint: *id,
                        kind: "handover",
                        from: None,
                        to: None,
                        text: None,
                        fact: Some(&fact),
                        contact: false,
                        interaction: None,
                        at: now,
                    },
                )?;
            }
            let customers = w.tx().execute(
                "UPDATE customers SET owner_id = ?2, updated_at = ?3, version = version + 1
                  WHERE owner_id = ?1 AND merged_into IS NULL AND erased_at IS NULL",
                params![giver.id, taker.id, now.timestamp()],
            )?;
            let reminders = w.tx().execute(
                "UPDATE reminders SET assignee_id = ?2, updated_at = ?3, version = version + 1
                  WHERE assignee_id = ?1 AND status IN ('open', 'snoozed')",
                params![giver.id, taker.id, now.timestamp()],
            )?;
            w.audit(
                "operator.handover",
                "operator",
                Some(giver.id),
                serde_json::json!({"from": from, "to": to, "customers": customers,
                    "complaints": complaints, "reminders": reminders}),
            );
            Ok(Handover {
                from: from.to_string(),
                to: to.to_string(),
                customers,
                complaints,
                reminders,
                dry_run: false,
            })
        })
    }
}
