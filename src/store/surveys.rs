//! Surveys recorded by hand (`careline survey add`, after a contact in the screen) or imported
//! from a survey tool's file (`careline import surveys`): CSAT and NPS answers, audited; NPS
//! asked at most once per customer in `[surveys] nps_every_days`. A complaint's follow-up
//! records its CSAT itself (`complaint_work`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::import_row::RowError;
use crate::domain::survey::{check, SurveyKind, SurveyRules};
use crate::import::surveys::SurveyRow;

/// A survey answer to record.
#[derive(Debug, Clone)]
pub struct NewSurvey {
    pub customer_id: i64,
    pub kind: SurveyKind,
    pub score: i64,
    pub comment: Option<String>,
    /// The contact it followed.
    pub interaction_id: Option<i64>,
}

/// A survey answer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Survey {
    pub id: i64,
    pub customer_id: i64,
    pub kind: SurveyKind,
    pub score: i64,
    /// The highest score of the scale it was given on (5 or 10 for CSAT, 10 for NPS).
    pub scale: i64,
    pub comment: Option<String>,
    pub complaint_id: Option<i64>,
    pub interaction_id: Option<i64>,
    pub operator: Option<String>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Records a survey answer (operators). An NPS answer within `rules.nps_every_days` of the
    /// customer's last one is refused, saying when that was.
    pub fn add_survey(
        &mut self,
        actor: &Actor,
        new: &NewSurvey,
        rules: &SurveyRules,
    ) -> Result<i64> {
        self.require(actor, Permission::LogContact)?;
        let scale = rules.scale(new.kind);
        let comment = check(new.kind, new.score, scale, new.comment.as_deref())
            .map_err(|e| StoreError::Invalid(vec![e]))?;
        let customer = self.customer(actor, new.customer_id)?;
        if customer.restricted {
            return Err(self.refusal_about(
                actor,
                Some(new.customer_id),
                super::customers::confidential_refusal(&customer.code, "recording their survey"),
            ));
        }
        if let Some(contact) = new.interaction_id {
            let of: Option<i64> = self
                .conn()
                .query_row(
                    "SELECT customer_id FROM interactions WHERE id = ?1",
                    [contact],
                    |r| r.get(0),
                )
                .optional()?;
            if of != Some(new.customer_id) {
                return Err(StoreError::Invalid(vec![
                    crate::domain::customer::FieldError::new(
                        "contact",
                        format!("contact {contact} is not one of customer {}", customer.code),
                    ),
                ]));
            }
        }
        if new.kind == SurveyKind::Nps {
            if let Some(at) = self.nps_asked_within(new.customer_id, rules)? {
                let when = DateTime::from_timestamp(at, 0)
                    .map(|t| {
                        t.with_timezone(&chrono::Local)
                            .format("%Y-%m-%d")
                            .to_string()
                    })
                    .unwrap_or_default();
                return Err(StoreError::Conflict(format!(
                    "customer {} answered NPS on {when}; it is asked at most once in {} days ([surveys] nps_every_days)",
                    customer.code, rules.nps_every_days
                )));
            }
        }
        self.write(actor, |w| {
            let now = w.now().timestamp();
            w.tx().execute(
                "INSERT INTO surveys (customer_id, kind, score, scale, comment, interaction_id,
                    operator_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    new.customer_id,
                    new.kind.as_str(),
                    new.score,
                    scale,
                    comment,
                    new.interaction_id,
                    w.actor().id,
                    now
                ],
            )?;
            let id = w.tx().last_insert_rowid();
            w.audit(
                "survey.add",
                "customer",
                Some(new.customer_id),
                serde_json::json!({"survey": id, "kind": new.kind.as_str(), "score": new.score, "scale": scale}),
            );
            Ok(id)
        })
    }

    /// When customer `customer_id` last answered NPS, if that is within
    /// `[surveys] nps_every_days` (so it is not asked again yet), in Unix seconds.
    fn nps_asked_within(&self, customer_id: i64, rules: &SurveyRules) -> Result<Option<i64>> {
        let last: Option<i64> = self.conn().query_row(
            "SELECT max(at) FROM surveys WHERE customer_id = ?1 AND kind = 'nps'",
            [customer_id],
            |r| r.get(0),
        )?;
        let since = self.now() - Duration::days(i64::from(rules.nps_every_days));
        Ok(last.filter(|at| *at > since.timestamp()))
    }

    /// Whether NPS may be asked of this customer now: none answered in
    /// `[surveys] nps_every_days`, and the operator may work the record.
    pub fn nps_due(&self, actor: &Actor, customer_id: i64, rules: &SurveyRules) -> Result<bool> {
        if self.customer(actor, customer_id)?.restricted {
            return Ok(false);
        }
        Ok(self.nps_asked_within(customer_id, rules)?.is_none())
    }

    /// A customer's survey answers, newest first.
    pub fn surveys_of(&self, actor: &Actor, customer_id: i64) -> Result<Vec<Survey>> {
        let customer = self.customer(actor, customer_id)?;
        if customer.restricted {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.id, s.customer_id, s.kind, s.score, s.comment, s.complaint_id,
                    s.interaction_id, o.login, s.at, s.scale
               FROM surveys s LEFT JOIN operators o ON o.id = s.operator_id
              WHERE s.customer_id = ?1 ORDER BY s.at DESC, s.id DESC",
        )?;
        let rows = stmt
            .query_map([customer_id], |r| {
                let kind: String = r.get(2)?;
                Ok(Survey {
                    id: r.get(0)?,
                    customer_id: r.get(1)?,
                    kind: kind.parse().unwrap_or(SurveyKind::Csat),
                    score: r.get(3)?,
                    comment: r.get(4)?,
                    complaint_id: r.get(5)?,
                    interaction_id: r.get(6)?,
                    operator: r.get(7)?,
                    at: DateTime::from_timestamp(r.get(8)?, 0).unwrap_or_default(),
                    scale: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// A row of a survey file checked for import: its customer, operator and contact found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSurvey {
    pub line: u64,
    pub customer_id: i64,
    pub kind: SurveyKind,
    pub score: i64,
    pub scale: i64,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
    pub operator_id: Option<i64>,
    pub interaction_id: Option<i64>,
}

impl Store {
    /// Finds each survey row's customer (a merged one's answers go to the record it was
    /// merged into), operator and contact, and refuses an answer already recorded (the same
    /// customer, kind, moment and score — so a file imported twice adds nothing), without
    /// writing. Supervisors and admins.
    pub fn check_survey_rows(
        &self,
        actor: &Actor,
        rows: &[(u64, SurveyRow)],
    ) -> Result<(Vec<CheckedSurvey>, Vec<RowError>)> {
        self.require(actor, Permission::ImportSurveys)?;
        let conn = self.conn();
        let mut good = Vec::new();
        let mut errors = Vec::new();
        let mut seen: HashMap<(i64, SurveyKind, i64, i64), u64> = HashMap::new();
        let mut operators: HashMap<String, Option<i64>> = HashMap::new();
        for (line, row) in rows {
            let mut refuse = |column: &str, reason: String| {
                errors.push(RowError {
                    line: *line,
                    column: column.into(),
                    reason,
                })
            };
            let mut customer_id = match self.resolve_customer(&row.customer) {
                Ok(id) => id,
                Err(StoreError::NotFound(_)) => {
                    refuse("customer", format!("no customer '{}'", row.customer));
                    continue;
                }
                Err(StoreError::Conflict(reason)) => {
                    refuse("customer", reason);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut erased = false;
            for _ in 0..16 {
                let (into, erased_at): (Option<i64>, Option<i64>) = conn.query_row(
                    "SELECT merged_into, erased_at FROM customers WHERE id = ?1",
                    [customer_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                erased = erased_at.is_some();
                match into {
                    Some(survivor) if !erased => customer_id = survivor,
                    _ => break,
                }
            }
            if erased {
                refuse(
                    "customer",
                    format!("'{}' was erased at their request", row.customer),
                );
                continue;
            }
            let operator_id = match &row.operator {
                Some(login) => {
                    let id = match operators.get(login) {
                        Some(id) => *id,
                        None => {
                            let id = conn
                                .query_row(
                                    "SELECT id FROM operators WHERE login = ?1",
                                    [login],
                                    |r| r.get::<_, i64>(0),
                                )
                                .optional()?;
                            operators.insert(login.clone(), id);
                            id
                        }
                    };
                    if id.is_none() {
                        refuse("operator", format!("no operator '{login}'"));
                        continue;
                    }
                    id
                }
                None => None,
            };
            if let Some(contact) = row.contact {
                let of: Option<i64> = conn
                    .query_row(
                        "SELECT customer_id FROM interactions WHERE id = ?1",
                        [contact],
                        |r| r.get(0),
                    )
                    .optional()?;
                if of != Some(customer_id) {
                    refuse(
                        "contact",
                        format!("contact {contact} is not one of '{}'", row.customer),
                    );
                    continue;
                }
            }
            let at = row.at.timestamp();
            let mut fine = Vec::new();
            let mut problem = None;
            for a in &row.answers {
                let key = (customer_id, a.kind, at, a.score);
                let stored: Option<i64> = conn
                    .query_row(
                        "SELECT id FROM surveys
                          WHERE customer_id = ?1 AND kind = ?2 AND at = ?3 AND score = ?4",
                        params![customer_id, a.kind.as_str(), at, a.score],
                        |r| r.get(0),
                    )
                    .optional()?;
                let column = a.kind.as_str();
                if let Some(id) = stored {
                    problem = Some((column, format!("is already recorded (survey {id})")));
                } else if let Some(first) = seen.get(&key) {
                    problem = Some((column, format!("is the same answer as line {first}")));
                } else {
                    seen.insert(key, *line);
                    fine.push(CheckedSurvey {
                        line: *line,
                        customer_id,
                        kind: a.kind,
                        score: a.score,
                        scale: a.scale,
                        at: row.at,
                        comment: row.comment.clone().filter(|c| !c.is_empty()),
                        operator_id,
                        interaction_id: row.contact,
                    });
                }
            }
            match problem {
                Some((column, reason)) => refuse(column, reason),
                None => good.extend(fine),
            }
        }
        Ok((good, errors))
    }

    /// Writes checked survey answers (from [`Store::check_survey_rows`]) in batches, each
    /// audited with the file it came from. The NPS frequency rule is not applied: it says
    /// when to ask, and these answers were given.
    pub fn import_surveys(
        &mut self,
        actor: &Actor,
        source: &str,
        rows: &[CheckedSurvey],
        progress: &dyn Fn(u64),
    ) -> Result<u64> {
        self.require(actor, Permission::ImportSurveys)?;
        let mut imported = 0u64;
        for batch in rows.chunks(super::imports::BATCH) {
            self.write(actor, |w| {
                let mut stmt = w.tx().prepare_cached(
                    "INSERT INTO surveys (customer_id, kind, score, scale, comment,
                        interaction_id, operator_id, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                for s in batch {
                    stmt.execute(params![
                        s.customer_id,
                        s.kind.as_str(),
                        s.score,
                        s.scale,
                        s.comment,
                        s.interaction_id,
                        s.operator_id,
                        s.at.timestamp()
                    ])?;
                }
                drop(stmt);
                w.audit(
                    "import.surveys",
                    "survey",
                    None,
                    serde_json::json!({"source": source, "rows": batch.len()}),
                );
                Ok(())
            })?;
            imported += batch.len() as u64;
            progress(imported);
        }
        Ok(imported)
    }
}
