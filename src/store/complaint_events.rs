//! A complaint's events: writing one (the typed text and careline's own [`EventFact`] apart)
//! and reading them back, for one complaint (`complaint show`, the queue's detail) or for a
//! customer's history (the log and the card), as one [`ComplaintEvent`].

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Row};
use serde::Serialize;

use super::{Result, Writer};
use crate::domain::complaint::Status;
use crate::domain::complaint_fact::EventFact;

/// A complaint event to write.
pub(super) struct EventRow<'a> {
    pub complaint: i64,
    /// The step, `opened`, `contact` (a logged interaction) or `auto_escalate`.
    pub kind: &'a str,
    pub from: Option<Status>,
    pub to: Option<Status>,
    /// What a person typed, and nothing else.
    pub text: Option<&'a str>,
    /// What careline knows about it.
    pub fact: Option<&'a EventFact>,
    /// Contact with the customer (an acknowledgement or an update).
    pub contact: bool,
    pub interaction: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Writes an event by the writer's actor (`system` when `kind` is `auto_escalate`).
pub(super) fn event_in(w: &mut Writer<'_>, e: &EventRow<'_>) -> Result<i64> {
    let operator = (e.kind != "auto_escalate").then_some(w.actor().id);
    let fact = e
        .fact
        .map(serde_json::to_string)
        .transpose()
        .map_err(|err| super::StoreError::Database(format!("a complaint event's fact: {err}")))?;
    w.tx()
        .prepare_cached(
            "INSERT INTO complaint_events (complaint_id, operator_id, at, kind, from_status,
                to_status, text, customer_contact, interaction_id, facts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            e.complaint,
            operator,
            e.at.timestamp(),
            e.kind,
            e.from.map(Status::as_str),
            e.to.map(Status::as_str),
            e.text,
            e.contact,
            e.interaction,
            fact,
        ])?;
    Ok(w.tx().last_insert_rowid())
}

/// One event of a complaint's life, as `complaint show`, the queue's detail, the log and the
/// card show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintEvent {
    pub id: i64,
    /// The complaint it was written on (another one merged into this one, for some).
    pub complaint_id: i64,
    /// That complaint's title (empty when the reader may not see it).
    pub complaint_title: String,
    pub at: DateTime<Utc>,
    /// The step (`claim`, `escalate` …), `opened`, `contact` or `auto_escalate`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    /// What the operator typed (a reason, a note, the customer's comment); for events written
    /// before facts were kept, careline's own sentence.
    pub text: Option<String>,
    /// What careline recorded about it (none for most steps and for older events).
    pub fact: Option<EventFact>,
    /// Contact with the customer (an acknowledgement, a note sent to them, a logged contact).
    pub customer_contact: bool,
    /// The operator's login; `system` for careline itself (automatic escalation).
    pub operator: String,
    /// The operator's name; `system` for careline itself.
    pub operator_name: String,
    pub interaction_id: Option<i64>,
}

impl ComplaintEvent {
    /// What it says, in English (the command line's language): what careline recorded (a
    /// compensation's amount, the CSAT, the complaint merged, the interaction logged …), then
    /// what the operator typed; times in `tz`.
    pub fn english<Tz>(&self, tz: &Tz) -> String
    where
        Tz: chrono::TimeZone,
        Tz::Offset: std::fmt::Display,
    {
        let text = self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        match (self.fact.as_ref().map(|f| f.english(tz)), text) {
            (Some(fact), Some(text)) => format!("{fact}: {text}"),
            (Some(fact), None) => fact,
            (None, text) => text.unwrap_or_default().to_string(),
        }
    }
}

const SELECT: &str = "SELECT e.id, e.complaint_id, k.title, e.at, e.kind, e.from_status,
        e.to_status, e.text, e.facts, e.customer_contact, COALESCE(o.login, 'system'),
        COALESCE(o.name, 'system'), e.interaction_id
    FROM complaint_events e
    JOIN complaints k ON k.id = e.complaint_id
    LEFT JOIN operators o ON o.id = e.operator_id";

fn event_row(r: &Row<'_>) -> rusqlite::Result<ComplaintEvent> {
    let fact: Option<String> = r.get(8)?;
    let fact = fact
        .map(|json| serde_json::from_str(&json))
        .transpose()
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(e))
        })?;
    Ok(ComplaintEvent {
        id: r.get(0)?,
        complaint_id: r.get(1)?,
        complaint_title: r.get(2)?,
        at: DateTime::from_timestamp(r.get(3)?, 0).unwrap_or_default(),
        kind: r.get(4)?,
        from_status: r.get(5)?,
        to_status: r.get(6)?,
        text: r.get(7)?,
        fact,
        customer_contact: r.get(9)?,
        operator: r.get(10)?,
        operator_name: r.get(11)?,
        interaction_id: r.get(12)?,
    })
}

/// The events of complaint `id` and of those merged into it, oldest first; `restricted`: the
/// reader may not see the customer, so typed texts and titles are withheld.
pub(super) fn of_complaint(
    conn: &Connection,
    id: i64,
    restricted: bool,
) -> Result<Vec<ComplaintEvent>> {
    let sql = format!(
        "{SELECT}
         WHERE e.complaint_id = ?1
            OR e.complaint_id IN (SELECT id FROM complaints WHERE merged_into = ?1)
         ORDER BY e.at, e.id"
    );
    let events = conn
        .prepare_cached(&sql)?
        .query_map([id], event_row)?
        .map(|e| {
            e.map(|mut e| {
                if restricted {
                    e.text = None;
                    e.complaint_title = String::new();
                }
                e
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    Ok(events)
}

/// A customer's complaint events, newest first, at most `limit`.
pub(super) fn of_customer(
    conn: &Connection,
    customer_id: i64,
    limit: usize,
) -> Result<Vec<ComplaintEvent>> {
    let sql = format!("{SELECT} WHERE k.customer_id = ?1 ORDER BY e.at DESC, e.id DESC LIMIT ?2");
    let events = conn
        .prepare_cached(&sql)?
        .query_map(params![customer_id, limit as i64], event_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(events)
}
