//! What the customer card shows besides the record itself: the last contacts, the open
//! complaints with their SLA deadlines, and the care items due. Read-only; nothing here is
//! shown for a customer the actor may not see.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::complaint_events::ComplaintEvent;
use super::complaints::{Complaint, ComplaintFilter};
use super::reminders::DueReminder;
use super::{Actor, Customer, Purchase, Result, Store};
use crate::domain::calendar::Calendar;

/// The entries the card's history shows. It reads one more of each kind (its latest contacts,
/// its latest complaint events), so that the newest of both together are all there and it
/// knows whether older ones exist.
pub const HISTORY: usize = 8;

/// One logged contact, newest first on the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactLine {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub channel: String,
    pub disposition: String,
    pub operator: String,
    pub summary: Option<String>,
}

impl ContactLine {
    /// Handle time in seconds, when the contact was closed.
    pub fn handle_seconds(&self) -> Option<i64> {
        self.ended_at
            .map(|end| (end - self.started_at).num_seconds().max(0))
    }
}

/// Everything the card draws, loaded in one go by `update`, never by `render`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardData {
    pub customer: Customer,
    pub contacts: Vec<ContactLine>,
    pub contact_count: i64,
    pub average_handle_seconds: Option<i64>,
    /// The customer's complaints: the open ones in queue order (the nearest deadline first),
    /// at most ten, with their clocks as of when the card was read; then the latest of the
    /// others (resolved ones waiting for their follow-up call, closed, merged), newest first.
    pub complaints: Vec<Complaint>,
    /// The latest complaint events, newest first: the card's history shows them among the
    /// contacts.
    pub events: Vec<ComplaintEvent>,
    pub reminders: Vec<DueReminder>,
    /// The open sales opportunities, the nearest expected close first.
    pub opportunities: Vec<super::Opportunity>,
    /// The latest stage events of the customer's opportunities, newest first: the card's
    /// history shows them among the contacts.
    pub opportunity_events: Vec<super::OpportunityEvent>,
    pub purchases: Vec<Purchase>,
    /// Until when a grant lets this actor see the confidential customer (the screen closes
    /// the card's details again then); none when no grant is needed or held.
    pub access_until: Option<DateTime<Utc>>,
    /// Who granted that access.
    pub access_granted_by: Option<String>,
    /// The actor's latest request for access to this confidential customer (the card says
    /// it waits, was refused and why, or ran out).
    pub my_request: Option<super::AccessRequest>,
    /// The working calendar the complaints' clocks count in: the screen reads them again
    /// with it as time passes, without the database.
    #[serde(skip)]
    pub calendar: Calendar,
}

/// Complaints no longer open that the card lists (the latest).
const CLOSED_ON_CARD: usize = 3;

impl CardData {
    /// The open complaints (the card lists the latest closed ones after them).
    pub fn open_complaints(&self) -> impl Iterator<Item = &Complaint> {
        self.complaints.iter().filter(|k| k.status.is_open())
    }
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

impl Store {
    /// Opens a customer's card: the record (the view is audited) and its history. A restricted
    /// customer comes back with name and code only and nothing else.
    pub fn card(&mut self, actor: &Actor, customer_id: i64) -> Result<CardData> {
        let customer = self.view_customer(actor, customer_id)?;
        self.card_of(actor, customer)
    }

    /// Reloads a card without recording another view (other operators changed something).
    pub fn reload_card(&self, actor: &Actor, customer_id: i64) -> Result<CardData> {
        let customer = self.customer(actor, customer_id)?;
        self.card_of(actor, customer)
    }

    fn card_of(&self, actor: &Actor, customer: Customer) -> Result<CardData> {
        let mut card = CardData {
            customer,
            contacts: Vec::new(),
            contact_count: 0,
            average_handle_seconds: None,
            complaints: Vec::new(),
            events: Vec::new(),
            reminders: Vec::new(),
            opportunities: Vec::new(),
            opportunity_events: Vec::new(),
            purchases: Vec::new(),
            access_until: None,
            access_granted_by: None,
            my_request: None,
            calendar: self.calendar().clone(),
        };
        let needs_grant = card.customer.restricted
            || (card.customer.fields.confidential
                && !actor.may(super::Permission::SeeConfidential));
        if needs_grant {
            card.my_request = self.my_latest_access(actor, card.customer.id)?;
        }
        if card.customer.restricted {
            return Ok(card);
        }
        if needs_grant {
            if let Some((until, by)) = self.access_grant(actor, card.customer.id)? {
                card.access_until = Some(until);
                card.access_granted_by = Some(by);
            }
        }
        let id = card.customer.id;
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT i.id, i.started_at, i.ended_at, i.channel, i.disposition, o.name, i.summary
             FROM interactions i JOIN operators o ON o.id = i.operator_id
             WHERE i.customer_id = ?1
               AND NOT EXISTS (SELECT 1 FROM interactions a WHERE a.amends_id = i.id)
             ORDER BY i.started_at DESC, i.id DESC LIMIT ?2",
        )?;
        card.contacts = stmt
            .query_map(params![id, HISTORY as i64 + 1], |r| {
                Ok(ContactLine {
                    id: r.get(0)?,
                    started_at: at(r.get(1)?),
                    ended_at: r.get::<_, Option<i64>>(2)?.map(at),
                    channel: r.get(3)?,
                    disposition: r.get(4)?,
                    operator: r.get(5)?,
                    summary: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let (count, average): (i64, Option<f64>) = conn.prepare_cached(
            "SELECT COUNT(*), AVG(CASE WHEN ended_at IS NOT NULL THEN ended_at - started_at END)
             FROM interactions i WHERE customer_id = ?1
               AND NOT EXISTS (SELECT 1 FROM interactions a WHERE a.amends_id = i.id)",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        card.contact_count = count;
        card.average_handle_seconds = average.map(|a| a.round() as i64);
        card.complaints = self.complaints(
            actor,
            &ComplaintFilter {
                open: true,
                customer: Some(id),
                limit: Some(10),
                ..ComplaintFilter::default()
            },
        )?;
        let done = self.complaints(
            actor,
            &ComplaintFilter {
                customer: Some(id),
                limit: Some(15),
                ..ComplaintFilter::default()
            },
        )?;
        card.complaints.extend(
            done.into_iter()
                .filter(|k| !k.status.is_open())
                .take(CLOSED_ON_CARD),
        );
        card.events = super::complaint_events::of_customer(conn, id, HISTORY + 1)?;
        let today = self.today();
        card.reminders = super::reminders::due_on_card(conn, id, today)?;
        card.purchases = self.purchases_of(id, 3)?;
        card.opportunities = super::opportunities::open_of_customer(conn, id)?;
        card.opportunity_events = super::opportunities::events_of_customer(conn, id, HISTORY + 1)?;
        Ok(card)
    }
}

/// The desk's figures in the status bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeskCounts {
    /// Open complaints whose next clock is past its deadline.
    pub breached: i64,
    /// Open complaints whose next clock is due soon (the configured share of its span left).
    pub due_soon: i64,
    /// Care reminders due today or overdue.
    pub reminders_due: i64,
    /// Requests for access to confidential customers waiting for a supervisor (the status bar
    /// shows them to those who may decide).
    pub access_waiting: i64,
}

impl Store {
    /// Counts for the status bar; indexed, cheap enough to refresh whenever the data changes.
    pub fn desk_counts(&self) -> Result<DeskCounts> {
        let (breached, due_soon) = self.complaint_counts()?;
        let conn = self.conn();
        // The centre's day, as the Care pane counts overdue and today.
        let reminders_due = super::reminders::due_count(conn, self.care_today())?;
        let access_waiting = conn
            .prepare_cached("SELECT count(*) FROM access_requests WHERE decision IS NULL")?
            .query_row([], |r| r.get(0))?;
        Ok(DeskCounts {
            breached,
            due_soon,
            reminders_due,
            access_waiting,
        })
    }
}
