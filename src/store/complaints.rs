//! Opening a complaint: category, severity and title, SLA deadlines from the settings (halved
//! for VIP and high-value customers), and the `opened` event that shows in the customer's log.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{Actor, Result, Store, StoreError, Writer};
use crate::domain::complaint::{
    taken_in_person, vip_targets, Category, NewComplaint, Severity, Status,
};
use crate::domain::customer::{FieldError, Level, Tier};

/// The statuses in which a complaint still needs work, as an SQL list: `('new', …)`.
pub(super) static OPEN_STATUSES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    super::sql_list(
        Status::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str()),
    )
});

/// Opens a complaint inside a write; returns its id.
pub(crate) fn open_in(w: &mut Writer<'_>, customer_id: i64, new: &NewComplaint) -> Result<i64> {
    let title = new.title.trim();
    if title.is_empty() {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "complaint_title",
            "is required",
        )]));
    }
    let title: String = title.chars().take(200).collect();
    let (level, tier): (String, String) = w.tx().query_row(
        "SELECT level, tier FROM customers WHERE id = ?1",
        [customer_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let vip = vip_targets(
        level.parse().unwrap_or(Level::Normal),
        tier.parse().unwrap_or(Tier::Normal),
    );
    let now = w.now();
    let deadlines = w.sla_rules().deadlines(now, new.severity, vip);
    let on_phone = taken_in_person(new.channel);
    let status = Status::opened_on(new.channel).as_str();
    let actor = w.actor().id;
    w.tx().execute(
        "INSERT INTO complaints (customer_id, opened_by, assignee_id, category, severity, status,
            title, description, channel, opened_at, acknowledged_at, ack_due_at, propose_due_at,
            resolve_due_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            customer_id,
            actor,
            on_phone.then_some(actor),
            new.category.as_str(),
            new.severity.as_str(),
            status,
            title,
            new.description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty()),
            new.channel.as_str(),
            now.timestamp(),
            on_phone.then_some(now.timestamp()),
            deadlines.acknowledge.timestamp(),
            deadlines.propose.timestamp(),
            deadlines.resolve.timestamp(),
        ],
    )?;
    let id = w.tx().last_insert_rowid();
    w.tx().execute(
        "INSERT INTO complaint_events (complaint_id, operator_id, at, kind, from_status, to_status,
            text, customer_contact)
         VALUES (?1, ?2, ?3, 'opened', NULL, ?4, ?5, 1)",
        params![id, actor, now.timestamp(), status, title],
    )?;
    w.audit(
        "complaint.open",
        "complaint",
        Some(id),
        serde_json::json!({"customer": customer_id, "category": new.category.as_str(),
            "severity": new.severity.as_str(), "vip": vip, "resolve_due_at": deadlines.resolve}),
    );
    Ok(id)
}

/// One complaint as it stands, with its SLA deadlines: what the Complaints pane shows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Complaint {
    pub id: i64,
    pub customer_id: i64,
    pub category: Category,
    pub severity: Severity,
    pub status: Status,
    pub title: String,
    /// Withheld when the customer is confidential to this actor.
    pub description: Option<String>,
    pub assignee_id: Option<i64>,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub ack_due_at: DateTime<Utc>,
    pub propose_due_at: DateTime<Utc>,
    pub resolve_due_at: DateTime<Utc>,
    /// Whether the description was withheld from this actor.
    pub restricted: bool,
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

impl Store {
    /// One complaint by id, in any status.
    pub fn complaint(&self, actor: &Actor, id: i64) -> Result<Complaint> {
        let found = self
            .conn()
            .prepare_cached(
                "SELECT k.id, k.customer_id, k.category, k.severity, k.status, k.title,
                        k.description, k.assignee_id, k.opened_at, k.acknowledged_at,
                        k.ack_due_at, k.propose_due_at, k.resolve_due_at, c.confidential,
                        c.owner_id
                 FROM complaints k JOIN customers c ON c.id = k.customer_id WHERE k.id = ?1",
            )?
            .query_row([id], |r| {
                Ok((
                    Complaint {
                        id: r.get(0)?,
                        customer_id: r.get(1)?,
                        category: super::stored_name(r, 2)?,
                        severity: super::stored_name(r, 3)?,
                        status: super::stored_name(r, 4)?,
                        title: r.get(5)?,
                        description: r.get(6)?,
                        assignee_id: r.get(7)?,
                        opened_at: at(r.get(8)?),
                        acknowledged_at: r.get::<_, Option<i64>>(9)?.map(at),
                        ack_due_at: at(r.get(10)?),
                        propose_due_at: at(r.get(11)?),
                        resolve_due_at: at(r.get(12)?),
                        restricted: false,
                    },
                    r.get::<_, bool>(13)?,
                    r.get::<_, Option<i64>>(14)?,
                ))
            })
            .optional()?;
        let Some((mut complaint, confidential, owner)) = found else {
            return Err(StoreError::NotFound(format!("complaint {id}")));
        };
        if !self.may_see_customer(actor, complaint.customer_id, confidential, owner)? {
            complaint.restricted = true;
            complaint.description = None;
        }
        Ok(complaint)
    }
}
