//! Surveys recorded by hand (`careline survey add`, after a contact in the screen): CSAT and
//! NPS answers, audited; NPS at most once per customer in `[surveys] nps_every_days`. A
//! complaint's follow-up records its CSAT itself (`complaint_work`).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::survey::{check, SurveyKind, SurveyRules};

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
        let comment = check(new.kind, new.score, new.comment.as_deref())
            .map_err(|e| StoreError::Invalid(vec![e]))?;
        let customer = self.customer(actor, new.customer_id)?;
        if customer.restricted {
            return Err(self.refusal(
                actor,
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
            let last: Option<i64> = self.conn().query_row(
                "SELECT max(at) FROM surveys WHERE customer_id = ?1 AND kind = 'nps'",
                [new.customer_id],
                |r| r.get(0),
            )?;
            let since = self.now() - Duration::days(i64::from(rules.nps_every_days));
            if let Some(at) = last.filter(|at| *at > since.timestamp()) {
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
                "INSERT INTO surveys (customer_id, kind, score, comment, interaction_id, operator_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.customer_id,
                    new.kind.as_str(),
                    new.score,
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
                serde_json::json!({"survey": id, "kind": new.kind.as_str(), "score": new.score}),
            );
            Ok(id)
        })
    }

    /// A customer's survey answers, newest first.
    pub fn surveys_of(&self, actor: &Actor, customer_id: i64) -> Result<Vec<Survey>> {
        let customer = self.customer(actor, customer_id)?;
        if customer.restricted {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.id, s.customer_id, s.kind, s.score, s.comment, s.complaint_id,
                    s.interaction_id, o.login, s.at
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
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
