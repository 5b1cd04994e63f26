//! Sales opportunities (issue 16 item 4): adding one for a customer, listing, reading one
//! with its stage history, moving it through its stages and closing it won or lost. The stage
//! rules are `domain::opportunity`'s; here are who may (the owner, or a supervisor for
//! another's; a confidential customer as the card allows), the optimistic `version`, the
//! events and the audit. The pipeline figures of a report are counted here too
//! ([`pipeline`]), from the stage events, so that a past period reads as it stood then.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::customer::FieldError;
use crate::domain::opportunity::{
    check_move, check_new, check_reason, MoveKind, OpportunityInput, Stage,
};

/// An opportunity to add.
#[derive(Debug, Clone)]
pub struct NewOpportunity {
    pub customer_id: i64,
    pub title: String,
    pub product: Option<String>,
    /// Fen.
    pub amount: i64,
    pub stage: Stage,
    pub expected_close: Option<NaiveDate>,
    /// The owning operator; the actor when none.
    pub owner_id: Option<i64>,
}

/// An opportunity as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opportunity {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    pub title: String,
    pub product: Option<String>,
    /// Fen.
    pub amount: i64,
    pub stage: Stage,
    pub expected_close: Option<NaiveDate>,
    pub owner: String,
    pub owner_name: String,
    pub created_at: DateTime<Utc>,
    /// When it was won or lost; none while open.
    pub closed_at: Option<DateTime<Utc>>,
    pub lost_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// One stage an opportunity took: its creation (`from` none) or a move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpportunityEvent {
    pub id: i64,
    pub opportunity_id: i64,
    pub title: String,
    pub operator: String,
    pub at: DateTime<Utc>,
    pub from: Option<Stage>,
    pub to: Stage,
    pub reason: Option<String>,
}

/// An opportunity with its history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpportunityDetail {
    #[serde(flatten)]
    pub opportunity: Opportunity,
    pub events: Vec<OpportunityEvent>,
}

/// Which opportunities to list (newest first).
#[derive(Debug, Clone, Default)]
pub struct OpportunityFilter {
    pub customer: Option<i64>,
    pub owner: Option<i64>,
    pub stage: Option<Stage>,
    /// Only those still open.
    pub open: bool,
    pub limit: Option<usize>,
}

/// A stage move asked for.
#[derive(Debug, Clone)]
pub struct StageMove {
    pub to: Stage,
    pub reason: Option<String>,
    /// The version the mover read; a move on a version changed since is a conflict.
    pub version: Option<i64>,
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

fn stage_of(text: &str) -> rusqlite::Result<Stage> {
    text.parse::<Stage>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

const COLUMNS: &str = "p.id, p.customer_id, c.code, p.title, p.product, p.amount, p.stage,
    p.expected_close, o.login, o.name, p.created_at, p.closed_at, p.lost_reason, p.updated_at,
    p.version, c.confidential, c.owner_id";

const FROM: &str = "FROM opportunities p JOIN customers c ON c.id = p.customer_id
    JOIN operators o ON o.id = p.owner_id";

/// A row of [`COLUMNS`]: the opportunity, and its customer's confidential flag and owner.
fn opportunity_row(r: &Row<'_>) -> rusqlite::Result<(Opportunity, bool, Option<i64>)> {
    let stage: String = r.get(6)?;
    let close: Option<String> = r.get(7)?;
    Ok((
        Opportunity {
            id: r.get(0)?,
            customer_id: r.get(1)?,
            customer_code: r.get(2)?,
            title: r.get(3)?,
            product: r.get(4)?,
            amount: r.get(5)?,
            stage: stage_of(&stage)?,
            expected_close: close.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
            owner: r.get(8)?,
            owner_name: r.get(9)?,
            created_at: at(r.get(10)?),
            closed_at: r.get::<_, Option<i64>>(11)?.map(at),
            lost_reason: r.get(12)?,
            updated_at: at(r.get(13)?),
            version: r.get(14)?,
        },
        r.get(15)?,
        r.get(16)?,
    ))
}

const EVENT_SELECT: &str = "SELECT e.id, e.opportunity_id, p.title, o.login, e.at, e.from_stage,
    e.to_stage, e.reason
    FROM opportunity_events e JOIN opportunities p ON p.id = e.opportunity_id
    JOIN operators o ON o.id = e.operator_id";

fn event_row(r: &Row<'_>) -> rusqlite::Result<OpportunityEvent> {
    let from: Option<String> = r.get(5)?;
    let to: String = r.get(6)?;
    Ok(OpportunityEvent {
        id: r.get(0)?,
        opportunity_id: r.get(1)?,
        title: r.get(2)?,
        operator: r.get(3)?,
        at: at(r.get(4)?),
        from: from.as_deref().map(stage_of).transpose()?,
        to: stage_of(&to)?,
        reason: r.get(7)?,
    })
}

/// The latest stage events of a customer's opportunities, newest first (the card's history).
pub(super) fn events_of_customer(
    conn: &Connection,
    customer_id: i64,
    limit: usize,
) -> Result<Vec<OpportunityEvent>> {
    let sql =
        format!("{EVENT_SELECT} WHERE p.customer_id = ?1 ORDER BY e.at DESC, e.id DESC LIMIT ?2");
    let events = conn
        .prepare_cached(&sql)?
        .query_map(params![customer_id, limit as i64], event_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(events)
}

/// A customer's open opportunities, the nearest expected close first (none last) (the card).
pub(super) fn open_of_customer(conn: &Connection, customer_id: i64) -> Result<Vec<Opportunity>> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE p.customer_id = ?1
           AND p.stage IN ('lead', 'qualified', 'proposal', 'negotiation')
         ORDER BY p.expected_close IS NULL, p.expected_close, p.id"
    );
    let found = conn
        .prepare_cached(&sql)?
        .query_map([customer_id], opportunity_row)?
        .map(|r| r.map(|(o, _, _)| o))
        .collect::<rusqlite::Result<_>>()?;
    Ok(found)
}

impl Store {
    /// Adds an opportunity for a customer (operators; owned by another operator: supervisors).
    /// Refused for a customer the actor may not see, an erased one, and a disabled owner.
    pub fn add_opportunity(&mut self, actor: &Actor, new: &NewOpportunity) -> Result<i64> {
        self.require(actor, Permission::WorkOpportunities)?;
        let customer: Option<(String, Option<i64>)> = self
            .conn()
            .query_row(
                "SELECT code, erased_at FROM customers WHERE id = ?1",
                [new.customer_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((code, erased)) = customer else {
            return Err(StoreError::NotFound(format!(
                "customer {}",
                new.customer_id
            )));
        };
        self.require_sight(actor, new.customer_id, "adding an opportunity for them")?;
        if erased.is_some() {
            return Err(StoreError::Conflict(format!(
                "customer {code} was erased; no opportunity can be added for them"
            )));
        }
        let owner = new.owner_id.unwrap_or(actor.id);
        if owner != actor.id {
            self.require(actor, Permission::WorkOthersOpportunities)?;
        }
        self.check_owner(owner)?;
        let input = check_new(
            &OpportunityInput {
                title: new.title.clone(),
                product: new.product.clone(),
                amount: new.amount,
                stage: new.stage,
                expected_close: new.expected_close,
            },
            self.today(),
        )
        .map_err(StoreError::Invalid)?;
        self.write(actor, |w| {
            let now = w.now().timestamp();
            w.tx().execute(
                "INSERT INTO opportunities (customer_id, title, product, amount, stage,
                     expected_close, owner_id, created_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                params![
                    new.customer_id,
                    input.title,
                    input.product,
                    input.amount,
                    input.stage.as_str(),
                    input.expected_close.map(|d| d.to_string()),
                    owner,
                    w.actor().id,
                    now
                ],
            )?;
            let id = w.tx().last_insert_rowid();
            w.tx().execute(
                "INSERT INTO opportunity_events (opportunity_id, operator_id, at, from_stage,
                     to_stage) VALUES (?1, ?2, ?3, NULL, ?4)",
                params![id, w.actor().id, now, input.stage.as_str()],
            )?;
            w.audit(
                "opportunity.add",
                "opportunity",
                Some(id),
                serde_json::json!({
                    "customer": new.customer_id,
                    "title": input.title,
                    "amount": input.amount,
                    "stage": input.stage.as_str(),
                    "expected_close": input.expected_close.map(|d| d.to_string()),
                    "owner": owner,
                }),
            );
            Ok(id)
        })
    }

    /// An owner must be an operator whose account is enabled.
    fn check_owner(&self, owner: i64) -> Result<()> {
        let found: Option<(String, bool)> = self
            .conn()
            .query_row(
                "SELECT login, active FROM operators WHERE id = ?1",
                [owner],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match found {
            None => Err(StoreError::Invalid(vec![FieldError::new(
                "owner",
                format!("operator {owner} does not exist"),
            )])),
            Some((login, false)) => Err(StoreError::Invalid(vec![FieldError::new(
                "owner",
                format!("operator '{login}' is disabled and cannot own an opportunity"),
            )])),
            Some(_) => Ok(()),
        }
    }

    /// Opportunities matching `filter`, newest first. Those of confidential customers the
    /// actor may not see are left out.
    pub fn opportunities(
        &self,
        actor: &Actor,
        filter: &OpportunityFilter,
    ) -> Result<Vec<Opportunity>> {
        self.require(actor, Permission::ViewCustomer)?;
        let mut sql = format!(
            "SELECT {COLUMNS} {FROM} WHERE (?1 IS NULL OR p.customer_id = ?1)
               AND (?2 IS NULL OR p.owner_id = ?2) AND (?3 IS NULL OR p.stage = ?3)"
        );
        if filter.open {
            sql.push_str(" AND p.stage IN ('lead', 'qualified', 'proposal', 'negotiation')");
        }
        sql.push_str(" ORDER BY p.created_at DESC, p.id DESC");
        let rows = self
            .conn()
            .prepare(&sql)?
            .query_map(
                params![
                    filter.customer,
                    filter.owner,
                    filter.stage.map(|s| s.as_str())
                ],
                opportunity_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for (o, confidential, owner) in rows {
            if self.may_see_customer(actor, o.customer_id, confidential, owner)? {
                out.push(o);
                if filter.limit.is_some_and(|l| out.len() >= l) {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// One opportunity with its stage history; refused (audited) for a confidential customer
    /// the actor may not see.
    pub fn opportunity(&self, actor: &Actor, id: i64) -> Result<OpportunityDetail> {
        self.require(actor, Permission::ViewCustomer)?;
        let opportunity = self.opportunity_row(id)?;
        self.require_sight(
            actor,
            opportunity.customer_id,
            "reading their opportunities",
        )?;
        let sql = format!("{EVENT_SELECT} WHERE e.opportunity_id = ?1 ORDER BY e.at, e.id");
        let events = self
            .conn()
            .prepare_cached(&sql)?
            .query_map([id], event_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(OpportunityDetail {
            opportunity,
            events,
        })
    }

    fn opportunity_row(&self, id: i64) -> Result<Opportunity> {
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE p.id = ?1");
        self.conn()
            .query_row(&sql, [id], opportunity_row)
            .optional()?
            .map(|(o, _, _)| o)
            .ok_or_else(|| StoreError::NotFound(format!("opportunity {id}")))
    }

    /// Moves an opportunity to another stage, or closes it won or lost (a reason needed for
    /// lost and for reopening a lost one): the owner, or a supervisor for another's. The move
    /// is an event of the opportunity and audited.
    pub fn move_opportunity(
        &mut self,
        actor: &Actor,
        id: i64,
        wanted: &StageMove,
    ) -> Result<Opportunity> {
        self.require(actor, Permission::WorkOpportunities)?;
        let current = self.opportunity_row(id)?;
        self.require_sight(actor, current.customer_id, "moving their opportunity")?;
        let owner_id: i64 = self.conn().query_row(
            "SELECT owner_id FROM opportunities WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        if owner_id != actor.id {
            self.require(actor, Permission::WorkOthersOpportunities)?;
        }
        let reason =
            check_reason(wanted.reason.as_deref()).map_err(|e| StoreError::Invalid(vec![e]))?;
        if let Some(v) = wanted.version.filter(|v| *v != current.version) {
            return Err(StoreError::Conflict(format!(
                "opportunity {id} was changed by someone else since it was read (version {v}, now {}); read it again",
                current.version
            )));
        }
        let kind = check_move(current.stage, wanted.to, reason.as_deref()).map_err(|refused| {
            let field = match refused {
                crate::domain::opportunity::MoveRefused::LostNeedsReason
                | crate::domain::opportunity::MoveRefused::ReopenNeedsReason => "reason",
                _ => "stage",
            };
            StoreError::Invalid(vec![FieldError::new(
                field,
                format!(
                    "opportunity {id} cannot move from {} to {}: {refused}",
                    current.stage, wanted.to
                ),
            )])
        })?;
        let version = current.version;
        self.write(actor, |w| {
            let now = w.now().timestamp();
            let (closed_at, lost_reason) = match kind {
                MoveKind::Won => (Some(now), None),
                MoveKind::Lost => (Some(now), reason.clone()),
                _ => (None, None),
            };
            let changed = w.tx().execute(
                "UPDATE opportunities SET stage = ?1, closed_at = ?2, lost_reason = ?3,
                     updated_at = ?4, version = version + 1
                 WHERE id = ?5 AND version = ?6",
                params![wanted.to.as_str(), closed_at, lost_reason, now, id, version],
            )?;
            if changed == 0 {
                return Err(StoreError::Conflict(format!(
                    "opportunity {id} was changed by someone else at the same moment; read it again"
                )));
            }
            w.tx().execute(
                "INSERT INTO opportunity_events (opportunity_id, operator_id, at, from_stage,
                     to_stage, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    w.actor().id,
                    now,
                    current.stage.as_str(),
                    wanted.to.as_str(),
                    reason
                ],
            )?;
            let action = match kind {
                MoveKind::Won | MoveKind::Lost => "opportunity.close",
                MoveKind::Reopen => "opportunity.reopen",
                MoveKind::Forward | MoveKind::Back => "opportunity.move",
            };
            w.audit(
                action,
                "opportunity",
                Some(id),
                serde_json::json!({
                    "from": current.stage.as_str(),
                    "to": wanted.to.as_str(),
                    "move": kind.as_str(),
                    "reason": reason,
                }),
            );
            Ok(())
        })?;
        self.opportunity_row(id)
    }
}

/// Count and amount (fen) of opportunities at one stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StageFigures {
    pub count: i64,
    pub amount: i64,
}

/// The pipeline of a period (`pipeline` of `careline report --format json`; the definitions
/// are in docs/REPORTS.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    /// Opportunities open at the period's end, by the stage they stood at then (every open
    /// stage, 0 included).
    pub open_by_stage: BTreeMap<String, StageFigures>,
    pub open: StageFigures,
    /// Won (lost) in the period: standing won (lost) at its end, having become so in it.
    pub won: StageFigures,
    pub lost: StageFigures,
    /// won / (won + lost); null when neither.
    pub win_rate: Option<f64>,
    /// Mean days from creation to being won, over those won in the period; null when none.
    pub avg_days_to_close: Option<f64>,
}

impl Pipeline {
    /// The open stages' figures in the stages' order (lead first), for tables and CSV.
    pub fn open_in_order(&self) -> Vec<(Stage, StageFigures)> {
        Stage::OPEN
            .iter()
            .map(|s| {
                (
                    *s,
                    self.open_by_stage
                        .get(s.as_str())
                        .copied()
                        .unwrap_or_default(),
                )
            })
            .collect()
    }
}

/// The pipeline for local-day bounds `[start, end)` (Unix seconds), narrowed to an owner;
/// `None` when no opportunity was open at the period's end nor closed in it.
pub(super) fn pipeline(
    conn: &Connection,
    start: i64,
    end: i64,
    owner: Option<i64>,
) -> Result<Option<Pipeline>> {
    // Each opportunity created before the end: its last event before the end says where it
    // stood then, and since when. Both are read from covering indexes, once (a cold file
    // reads their contiguous pages instead of seeking once per opportunity).
    let mut standing: std::collections::HashMap<i64, (String, i64, i64)> =
        std::collections::HashMap::new();
    {
        let mut events = conn.prepare_cached(
            "SELECT opportunity_id, to_stage, at, id
               FROM opportunity_events INDEXED BY opportunity_events_stage WHERE at < ?1",
        )?;
        let mut rows = events.query(params![end])?;
        while let Some(r) = rows.next()? {
            let (at, id): (i64, i64) = (r.get(2)?, r.get(3)?);
            let later = |(_, a, i): &(String, i64, i64)| (at, id) > (*a, *i);
            let opportunity: i64 = r.get(0)?;
            if standing.get(&opportunity).is_none_or(later) {
                standing.insert(opportunity, (r.get(1)?, at, id));
            }
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, amount, created_at FROM opportunities INDEXED BY opportunities_created
          WHERE created_at < ?1 AND (?2 IS NULL OR owner_id = ?2)",
    )?;
    let mut rows = stmt.query(params![end, owner])?;
    let mut open_by_stage: BTreeMap<String, StageFigures> = Stage::OPEN
        .iter()
        .map(|s| (s.as_str().to_string(), StageFigures::default()))
        .collect();
    let (mut open, mut won, mut lost) = (
        StageFigures::default(),
        StageFigures::default(),
        StageFigures::default(),
    );
    let (mut days_sum, mut won_n) = (0f64, 0i64);
    while let Some(r) = rows.next()? {
        let Some((stage, since, _)) = standing.get(&r.get::<_, i64>(0)?) else {
            continue;
        };
        let amount: i64 = r.get(1)?;
        let created: i64 = r.get(2)?;
        let stage = stage_of(stage)?;
        let since = *since;
        let add = |f: &mut StageFigures| {
            f.count += 1;
            f.amount += amount;
        };
        match stage {
            Stage::Won if since >= start => {
                add(&mut won);
                days_sum += (since - created) as f64 / 86_400.0;
                won_n += 1;
            }
            Stage::Lost if since >= start => add(&mut lost),
            Stage::Won | Stage::Lost => {}
            open_stage => {
                add(&mut open);
                if let Some(f) = open_by_stage.get_mut(open_stage.as_str()) {
                    add(f);
                }
            }
        }
    }
    if open.count == 0 && won.count == 0 && lost.count == 0 {
        return Ok(None);
    }
    Ok(Some(Pipeline {
        open_by_stage,
        open,
        won,
        lost,
        win_rate: crate::domain::report::rate(won.count, won.count + lost.count),
        avg_days_to_close: crate::domain::report::mean(days_sum, won_n),
    }))
}
