//! The rows the reports count, exported so that anyone can recompute a figure from them
//! (docs/REPORTS.md): survey answers, the points ledger, sales opportunities with their stage
//! history and every reminder whatever became of it. Whoever may read the reports may export
//! them; each export is audited with its period.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use serde::Serialize;

use super::interactions::local_midnight;
use super::{Actor, Permission, Result, Store};

/// The local days an export is narrowed to, both ends included; an end not given is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSpan {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl ExportSpan {
    /// The instants it covers, as stored (Unix seconds): from the first day's local midnight
    /// up to, not including, the midnight after the last.
    pub(super) fn instants(&self) -> (i64, i64) {
        let start = self.from.map_or(i64::MIN, local_midnight);
        let end = self
            .to
            .map_or(i64::MAX, |d| local_midnight(d.succ_opt().unwrap_or(d)));
        (start, end)
    }

    /// The days it covers as stored (`YYYY-MM-DD`, which sort as the days do).
    pub(super) fn days(&self) -> (String, String) {
        (
            self.from
                .map_or_else(|| "0000-01-01".to_string(), |d| d.to_string()),
            self.to
                .map_or_else(|| "9999-12-31".to_string(), |d| d.to_string()),
        )
    }

    /// Whether it narrows anything.
    pub fn is_whole(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// How the audit entry records it.
    pub(super) fn detail(&self, rows: u64) -> serde_json::Value {
        serde_json::json!({
            "rows": rows,
            "from": self.from.map(|d| d.to_string()),
            "to": self.to.map(|d| d.to_string()),
        })
    }
}

fn time(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .to_rfc3339()
}

/// One survey answer as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedSurvey {
    pub id: i64,
    pub customer: String,
    /// csat or nps.
    pub kind: String,
    pub score: i64,
    /// The highest score of the scale it was given on: 5 or 10 for CSAT (from 1), 10 for NPS
    /// (from 0).
    pub scale: i64,
    pub at: String,
    /// Who recorded it (none for an import without one).
    pub operator: Option<String>,
    /// The contact it was given after, if any.
    pub interaction_id: Option<i64>,
    /// The complaint whose follow-up it answers, if any.
    pub complaint_id: Option<i64>,
    pub comment: Option<String>,
}

/// One row of the points ledger as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedPoints {
    pub id: i64,
    pub customer: String,
    pub at: String,
    /// earn, redeem, expire, compensation or adjust.
    pub kind: String,
    /// Points credited (positive) or taken (negative).
    pub delta: i64,
    pub reason: String,
    /// The order number of the purchase it was earned on.
    pub order_no: Option<String>,
    /// The contact a redemption was logged as.
    pub interaction_id: Option<i64>,
    /// Who wrote the row.
    pub operator: Option<String>,
}

/// One stage an opportunity took, as exported with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedStage {
    pub at: String,
    /// None for its creation.
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
    pub operator: String,
}

/// One sales opportunity as exported, with its whole stage history (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedOpportunity {
    pub id: i64,
    pub customer: String,
    pub title: String,
    pub product: Option<String>,
    /// Yuan, two decimals.
    pub amount: String,
    pub stage: String,
    pub lost_reason: Option<String>,
    pub expected_close: Option<String>,
    pub owner: String,
    pub created_at: String,
    /// When it was last won or lost; none while open.
    pub closed_at: Option<String>,
    /// In a CSV cell, this list written as JSON.
    pub stages: Vec<ExportedStage>,
}

/// One reminder as exported for the record, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedReminder {
    pub id: i64,
    pub customer: String,
    pub kind: String,
    pub due: String,
    pub title: String,
    /// open, snoozed, done, skipped or deleted (withdrawn).
    pub status: String,
    pub snoozed_until: Option<String>,
    /// Who it is kept for (none: anyone on the desk).
    pub assignee: Option<String>,
    /// The contact that did it.
    pub done_interaction_id: Option<i64>,
    pub skip_reason: Option<String>,
    pub complaint_id: Option<i64>,
    pub created_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl ExportedReminder {
    /// Its fields in order: the CSV header, written even when no reminder matched.
    pub const COLUMNS: [&'static str; 14] = [
        "id",
        "customer",
        "kind",
        "due",
        "title",
        "status",
        "snoozed_until",
        "assignee",
        "done_interaction_id",
        "skip_reason",
        "complaint_id",
        "created_by",
        "created_at",
        "updated_at",
    ];
}

fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

impl Store {
    /// Records an export in the audit log.
    pub(super) fn audit_export(
        &mut self,
        actor: &Actor,
        action: &str,
        entity: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        self.write(actor, |w| {
            w.audit(action, entity, None, detail.clone());
            Ok(())
        })
    }

    /// Calls `each` with every survey answer given in `span`, oldest first. Audited.
    pub fn export_surveys(
        &mut self,
        actor: &Actor,
        span: ExportSpan,
        each: &mut dyn FnMut(ExportedSurvey) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.require(actor, Permission::ReadReports)?;
        let (start, end) = span.instants();
        let mut count = 0u64;
        {
            let mut stmt = self.conn().prepare(
                "SELECT s.id, c.code, s.kind, s.score, s.scale, s.at, o.login, s.interaction_id,
                        s.complaint_id, s.comment
                   FROM surveys s JOIN customers c ON c.id = s.customer_id
                   LEFT JOIN operators o ON o.id = s.operator_id
                  WHERE s.at >= ?1 AND s.at < ?2 ORDER BY s.at, s.id",
            )?;
            let mut rows = stmt.query(params![start, end])?;
            while let Some(r) = rows.next()? {
                each(ExportedSurvey {
                    id: r.get(0)?,
                    customer: r.get(1)?,
                    kind: r.get(2)?,
                    score: r.get(3)?,
                    scale: r.get(4)?,
                    at: time(r.get(5)?),
                    operator: r.get(6)?,
                    interaction_id: r.get(7)?,
                    complaint_id: r.get(8)?,
                    comment: r.get(9)?,
                })?;
                count += 1;
            }
        }
        self.audit_export(actor, "export.surveys", "survey", span.detail(count))?;
        Ok(count)
    }

    /// Calls `each` with every row of the points ledger written in `span`, oldest first.
    /// Audited.
    pub fn export_points(
        &mut self,
        actor: &Actor,
        span: ExportSpan,
        each: &mut dyn FnMut(ExportedPoints) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.require(actor, Permission::ReadReports)?;
        let (start, end) = span.instants();
        let mut count = 0u64;
        {
            let mut stmt = self.conn().prepare(
                "SELECT l.id, c.code, l.at, l.kind, l.delta, l.reason, p.order_no,
                        l.interaction_id, o.login
                   FROM points_ledger l JOIN customers c ON c.id = l.customer_id
                   LEFT JOIN purchases p ON p.id = l.purchase_id
                   LEFT JOIN operators o ON o.id = l.operator_id
                  WHERE l.at >= ?1 AND l.at < ?2 ORDER BY l.at, l.id",
            )?;
            let mut rows = stmt.query(params![start, end])?;
            while let Some(r) = rows.next()? {
                each(ExportedPoints {
                    id: r.get(0)?,
                    customer: r.get(1)?,
                    at: time(r.get(2)?),
                    kind: r.get(3)?,
                    delta: r.get(4)?,
                    reason: r.get(5)?,
                    order_no: r.get(6)?,
                    interaction_id: r.get(7)?,
                    operator: r.get(8)?,
                })?;
                count += 1;
            }
        }
        self.audit_export(actor, "export.points", "points", span.detail(count))?;
        Ok(count)
    }

    /// Calls `each` with every sales opportunity, oldest first, each with its whole stage
    /// history (a pipeline as it stood on any day is read from it). Audited.
    pub fn export_opportunities(
        &mut self,
        actor: &Actor,
        each: &mut dyn FnMut(ExportedOpportunity) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.require(actor, Permission::ReadReports)?;
        let mut count = 0u64;
        {
            let conn = self.conn();
            let mut stmt = conn.prepare(
                "SELECT p.id, c.code, p.title, p.product, p.amount, p.stage, p.lost_reason,
                        p.expected_close, o.login, p.created_at, p.closed_at
                   FROM opportunities p JOIN customers c ON c.id = p.customer_id
                   JOIN operators o ON o.id = p.owner_id ORDER BY p.id",
            )?;
            let mut stages = conn.prepare(
                "SELECT e.at, e.from_stage, e.to_stage, e.reason, o.login
                   FROM opportunity_events e JOIN operators o ON o.id = e.operator_id
                  WHERE e.opportunity_id = ?1 ORDER BY e.at, e.id",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let history = stages
                    .query_map([id], |e| {
                        Ok(ExportedStage {
                            at: time(e.get(0)?),
                            from: e.get(1)?,
                            to: e.get(2)?,
                            reason: e.get(3)?,
                            operator: e.get(4)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                each(ExportedOpportunity {
                    id,
                    customer: r.get(1)?,
                    title: r.get(2)?,
                    product: r.get(3)?,
                    amount: yuan(r.get(4)?),
                    stage: r.get(5)?,
                    lost_reason: r.get(6)?,
                    expected_close: r.get(7)?,
                    owner: r.get(8)?,
                    created_at: time(r.get(9)?),
                    closed_at: r.get::<_, Option<i64>>(10)?.map(time),
                    stages: history,
                })?;
                count += 1;
            }
        }
        self.audit_export(
            actor,
            "export.opportunities",
            "opportunity",
            serde_json::json!({"rows": count}),
        )?;
        Ok(count)
    }

    /// Calls `each` with every reminder due in `span` whatever its status (open, snoozed,
    /// done, skipped or withdrawn), by due day. Audited.
    pub fn export_reminder_history(
        &mut self,
        actor: &Actor,
        span: ExportSpan,
        each: &mut dyn FnMut(ExportedReminder) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.require(actor, Permission::ReadReports)?;
        let (first, last) = span.days();
        let mut count = 0u64;
        {
            let mut stmt = self.conn().prepare(
                "SELECT r.id, c.code, r.kind, r.due_on, r.title, r.status, r.snoozed_until,
                        a.login, r.done_interaction_id, r.skip_reason, r.complaint_id, b.login,
                        r.created_at, r.updated_at
                   FROM reminders r JOIN customers c ON c.id = r.customer_id
                   LEFT JOIN operators a ON a.id = r.assignee_id
                   LEFT JOIN operators b ON b.id = r.created_by
                  WHERE r.due_on BETWEEN ?1 AND ?2 ORDER BY r.due_on, r.id",
            )?;
            let mut rows = stmt.query(params![first, last])?;
            while let Some(r) = rows.next()? {
                each(ExportedReminder {
                    id: r.get(0)?,
                    customer: r.get(1)?,
                    kind: r.get(2)?,
                    due: r.get(3)?,
                    title: r.get(4)?,
                    status: r.get(5)?,
                    snoozed_until: r.get(6)?,
                    assignee: r.get(7)?,
                    done_interaction_id: r.get(8)?,
                    skip_reason: r.get(9)?,
                    complaint_id: r.get(10)?,
                    created_by: r.get(11)?,
                    created_at: time(r.get(12)?),
                    updated_at: time(r.get(13)?),
                })?;
                count += 1;
            }
        }
        self.audit_export(
            actor,
            "export.reminder_history",
            "reminder",
            span.detail(count),
        )?;
        Ok(count)
    }
}
