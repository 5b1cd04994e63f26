//! Opening a complaint: category, severity and title, SLA deadlines from the settings (halved
//! for VIP and high-value customers), and the `opened` event that shows in the customer's log.

use rusqlite::params;

use super::{Result, StoreError, Writer};
use crate::domain::complaint::{taken_in_person, vip_targets, NewComplaint, Status};
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
