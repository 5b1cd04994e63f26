//! Handing an operator's work to another (`careline operator handover`, issue 15): when
//! someone leaves or changes team, the customers they own, the open complaints they hold and
//! the reminders kept for them (and the open sales opportunities they own) go to a colleague, in one write, audited, each complaint with
//! an event in its history. A dry run says what would move, one by one. Disabling an operator
//! keeps their history either way.
//!
//! Besides the one entry that sums the handover up (`operator.handover`), each customer,
//! complaint and reminder moved has an entry of its own, linked to its customer
//! (`customer.handover` with `owner: [from, to]`, `complaint.handover` and
//! `reminder.handover` with `assignee: [from, to]`): a customer's trail and their
//! data-subject export say who holds their records now.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::complaint_events::{event_in, EventRow};
use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::complaint_fact::{EventFact, NamedOperator};

/// What a handover moved (or, dry, would move).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub from: String,
    pub to: String,
    /// How many customers moved.
    pub customers: usize,
    /// The open complaints moved, by number.
    pub complaints: Vec<i64>,
    /// How many reminders moved.
    pub reminders: usize,
    /// How many open sales opportunities changed owner.
    pub opportunities: usize,
    pub dry_run: bool,
    /// What moved, one by one.
    pub items: Handed,
}

/// The customers, complaints and reminders of a handover, one by one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Handed {
    pub customers: Vec<HandedCustomer>,
    pub complaints: Vec<HandedComplaint>,
    pub reminders: Vec<HandedReminder>,
    pub opportunities: Vec<HandedOpportunity>,
}

/// An open sales opportunity the one leaving owned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandedOpportunity {
    pub id: i64,
    /// Its customer's code.
    pub customer: String,
    pub title: String,
    pub stage: String,
}

/// A customer whose owner changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandedCustomer {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// An open complaint whose assignee changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandedComplaint {
    pub id: i64,
    /// Its customer's code.
    pub customer: String,
    pub title: String,
}

/// An open (or snoozed) reminder that was kept for the one leaving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandedReminder {
    pub id: i64,
    /// Its customer's code.
    pub customer: String,
    pub kind: String,
    pub title: String,
    /// The day it is due (or snoozed to).
    pub due_on: String,
}

/// What `giver` holds that a handover moves, read on `conn` (in the handover's own write when
/// it is not a dry run).
fn handed(conn: &Connection, giver: i64) -> Result<Handed> {
    let open = super::complaints::OPEN_STATUSES.as_str();
    let customers = conn
        .prepare_cached(
            "SELECT id, code, name FROM customers
              WHERE owner_id = ?1 AND merged_into IS NULL AND erased_at IS NULL ORDER BY id",
        )?
        .query_map([giver], |r| {
            Ok(HandedCustomer {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let complaints = conn
        .prepare_cached(&format!(
            "SELECT k.id, c.code, k.title FROM complaints k JOIN customers c ON c.id = k.customer_id
              WHERE k.assignee_id = ?1 AND k.status IN {open} ORDER BY k.id"
        ))?
        .query_map([giver], |r| {
            Ok(HandedComplaint {
                id: r.get(0)?,
                customer: r.get(1)?,
                title: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let reminders = conn
        .prepare_cached(
            "SELECT r.id, c.code, r.kind, r.title, coalesce(r.snoozed_until, r.due_on)
               FROM reminders r JOIN customers c ON c.id = r.customer_id
              WHERE r.assignee_id = ?1 AND r.status IN ('open', 'snoozed') ORDER BY r.id",
        )?
        .query_map([giver], |r| {
            Ok(HandedReminder {
                id: r.get(0)?,
                customer: r.get(1)?,
                kind: r.get(2)?,
                title: r.get(3)?,
                due_on: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let opportunities = conn
        .prepare_cached(
            "SELECT p.id, c.code, p.title, p.stage
               FROM opportunities p JOIN customers c ON c.id = p.customer_id
              WHERE p.owner_id = ?1
                AND p.stage IN ('lead', 'qualified', 'proposal', 'negotiation')
              ORDER BY p.id",
        )?
        .query_map([giver], |r| {
            Ok(HandedOpportunity {
                id: r.get(0)?,
                customer: r.get(1)?,
                title: r.get(2)?,
                stage: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Handed {
        customers,
        complaints,
        reminders,
        opportunities,
    })
}

impl Handover {
    fn of(from: &str, to: &str, items: Handed, dry_run: bool) -> Handover {
        Handover {
            from: from.to_string(),
            to: to.to_string(),
            customers: items.customers.len(),
            complaints: items.complaints.iter().map(|c| c.id).collect(),
            reminders: items.reminders.len(),
            opportunities: items.opportunities.len(),
            dry_run,
            items,
        }
    }
}

impl Store {
    /// What `login` holds that nobody else works until it is handed over (supervisors, as the
    /// handover): the customers they own, the open complaints they claimed, the open reminders
    /// kept for them alone. What `careline operator disable` warns of.
    pub fn work_held(&self, actor: &Actor, login: &str) -> Result<Handed> {
        self.require(actor, Permission::HandOver)?;
        let holder = self
            .operator_by_login(login)?
            .ok_or_else(|| StoreError::NotFound(format!("operator '{login}'")))?;
        handed(self.conn(), holder.id)
    }

    /// Moves `from`'s owned customers, open complaints and open reminders kept for them to
    /// `to` (supervisors), with an audit entry for each; with `dry_run`, only lists them.
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
        if dry_run {
            return Ok(Handover::of(from, to, handed(self.conn(), giver.id)?, true));
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
            let items = handed(w.tx(), giver.id)?;
            let pair = serde_json::json!([from, to]);
            for complaint in &items.complaints {
                w.tx().execute(
                    "UPDATE complaints SET assignee_id = ?2, version = version + 1 WHERE id = ?1",
                    params![complaint.id, taker.id],
                )?;
                event_in(
                    w,
                    &EventRow {
                        complaint: complaint.id,
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
                w.audit(
                    "complaint.handover",
                    "complaint",
                    Some(complaint.id),
                    serde_json::json!({ "assignee": pair }),
                );
            }
            for customer in &items.customers {
                w.tx().execute(
                    "UPDATE customers SET owner_id = ?2, updated_at = ?3, version = version + 1
                      WHERE id = ?1",
                    params![customer.id, taker.id, now.timestamp()],
                )?;
                w.audit(
                    "customer.handover",
                    "customer",
                    Some(customer.id),
                    serde_json::json!({ "owner": pair }),
                );
            }
            for reminder in &items.reminders {
                w.tx().execute(
                    "UPDATE reminders SET assignee_id = ?2, updated_at = ?3, version = version + 1
                      WHERE id = ?1",
                    params![reminder.id, taker.id, now.timestamp()],
                )?;
                w.audit(
                    "reminder.handover",
                    "reminder",
                    Some(reminder.id),
                    serde_json::json!({ "assignee": pair }),
                );
            }
            for opportunity in &items.opportunities {
                w.tx().execute(
                    "UPDATE opportunities SET owner_id = ?2, updated_at = ?3, version = version + 1
                      WHERE id = ?1",
                    params![opportunity.id, taker.id, now.timestamp()],
                )?;
                w.audit(
                    "opportunity.handover",
                    "opportunity",
                    Some(opportunity.id),
                    serde_json::json!({ "owner": pair }),
                );
            }
            let moved = Handover::of(from, to, items, false);
            w.audit(
                "operator.handover",
                "operator",
                Some(giver.id),
                serde_json::json!({"from": from, "to": to, "customers": moved.customers,
                    "complaints": moved.complaints, "reminders": moved.reminders,
                    "opportunities": moved.opportunities}),
            );
            Ok(moved)
        })
    }
}
