//! Access to confidential records (DESIGN §6, issue 15). An operator who may not see a
//! confidential customer asks for access with a reason; a supervisor grants it for a limited
//! time or refuses it, or grants it directly with a reason; a grant can be revoked. Every
//! step is audited, and `customers::may_see` honours a grant until it expires.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::grant::{check_reason, GrantRules};

/// A request for access, as the supervisors' list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessRequest {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    /// The customer's name (shown with the code to everyone, confidential or not).
    pub customer_name: String,
    pub login: String,
    pub operator_name: String,
    pub reason: String,
    pub requested_at: DateTime<Utc>,
    /// `granted` or `refused`; none while it waits.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
    /// Until when the access granted lasts.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the access granted was ended early.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The grant that the request led to (what `grant revoke` takes).
    pub grant_id: Option<i64>,
    /// A grant a supervisor gave directly, no request before it: `id` is the grant's, the
    /// reason the supervisor's, and `requested_at` when it was given.
    pub direct: bool,
}

/// Where a request for access stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Waiting,
    Refused,
    /// Granted, and the access lasts still.
    Granted,
    /// Granted, and the access ran out.
    Expired,
    /// Granted, and a supervisor ended the access early.
    Revoked,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Waiting => "waiting",
            RequestState::Refused => "refused",
            RequestState::Granted => "granted",
            RequestState::Expired => "expired",
            RequestState::Revoked => "revoked",
        }
    }
}

impl AccessRequest {
    /// Where it stands at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> RequestState {
        match (self.decision.as_deref(), self.revoked_at, self.expires_at) {
            (None, _, _) => RequestState::Waiting,
            (Some("refused"), _, _) => RequestState::Refused,
            (_, Some(_), _) => RequestState::Revoked,
            (_, None, Some(until)) if until <= now => RequestState::Expired,
            _ => RequestState::Granted,
        }
    }
}

/// A request made, or the one of the same operator for the same customer already waiting (its
/// reason stands; a second is not made).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Asked {
    pub id: i64,
    pub requested_at: DateTime<Utc>,
    /// It was waiting already.
    pub already: bool,
}

/// The columns of [`AccessRequest`], in order, for `request_row`; then when it was decided,
/// and the customer's name.
const REQUEST_SELECT: &str = "SELECT r.id, r.customer_id, c.code, o.login, o.name, r.reason,
        r.requested_at, r.decision, d.login, r.note, g.expires_at, g.revoked_at, r.grant_id, 0,
        r.decided_at, c.name
     FROM access_requests r
     JOIN customers c ON c.id = r.customer_id
     JOIN operators o ON o.id = r.operator_id
     LEFT JOIN operators d ON d.id = r.decided_by
     LEFT JOIN grants g ON g.id = r.grant_id";

/// A grant given directly, as a row of [`REQUEST_SELECT`]'s columns (granted when given).
const DIRECT_SELECT: &str = "SELECT g.id, g.customer_id, c.code, o.login, o.name, g.reason,
        g.granted_at, 'granted', b.login, NULL, g.expires_at, g.revoked_at, g.id, 1, g.granted_at,
        c.name
     FROM grants g
     JOIN customers c ON c.id = g.customer_id
     JOIN operators o ON o.id = g.operator_id
     JOIN operators b ON b.id = g.granted_by";

fn request_row(r: &rusqlite::Row) -> rusqlite::Result<AccessRequest> {
    Ok(AccessRequest {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        customer_code: r.get(2)?,
        customer_name: r.get(15)?,
        login: r.get(3)?,
        operator_name: r.get(4)?,
        reason: r.get(5)?,
        requested_at: time(r.get(6)?),
        decision: r.get(7)?,
        decided_by: r.get(8)?,
        note: r.get(9)?,
        expires_at: r.get::<_, Option<i64>>(10)?.map(time),
        revoked_at: r.get::<_, Option<i64>>(11)?.map(time),
        grant_id: r.get(12)?,
        direct: r.get(13)?,
    })
}

/// Decided requests and direct grants listed after those waiting (the newest).
pub const DECIDED_LISTED: usize = 200;

/// A grant: who may see which confidential customer until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    pub login: String,
    pub granted_by: String,
    pub reason: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn time(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// A moment as the desk reads it: local date and time to the minute.
fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Until when, as the desk reads it: the time alone when it is today, the day too otherwise.
fn local_until(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (until, now) = (
        until.with_timezone(&chrono::Local),
        now.with_timezone(&chrono::Local),
    );
    if until.date_naive() == now.date_naive() {
        until.format("%H:%M").to_string()
    } else {
        until.format("%Y-%m-%d %H:%M").to_string()
    }
}

fn invalid(e: crate::domain::customer::FieldError) -> StoreError {
    StoreError::Invalid(vec![e])
}

impl Store {
    /// Whether the customer is confidential and `actor` may not see it now.
    fn hidden_from(&self, actor: &Actor, customer_id: i64) -> Result<(String, bool)> {
        let row: Option<(String, bool, Option<i64>)> = self
            .conn()
            .query_row(
                "SELECT code, confidential, owner_id FROM customers
                  WHERE id = ?1 AND erased_at IS NULL",
                [customer_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (code, confidential, owner) =
            row.ok_or_else(|| StoreError::NotFound(format!("customer {customer_id}")))?;
        let sees = super::customers::may_see(
            self.conn(),
            actor,
            customer_id,
            confidential,
            owner,
            self.now(),
        )?;
        Ok((code, confidential && !sees))
    }

    /// Asks for access to a confidential customer (`careline grant request`, the card's
    /// request). A request already waiting is returned, not made twice.
    pub fn request_access(
        &mut self,
        actor: &Actor,
        customer_id: i64,
        reason: &str,
    ) -> Result<Asked> {
        self.require(actor, Permission::ViewCustomer)?;
        let reason = check_reason(reason).map_err(invalid)?;
        let (code, hidden) = self.hidden_from(actor, customer_id)?;
        if !hidden {
            return Err(StoreError::Conflict(format!(
                "you can see customer {code} already; no access to ask for"
            )));
        }
        let waiting: Option<(i64, i64)> = self
            .conn()
            .query_row(
                "SELECT id, requested_at FROM access_requests
                  WHERE customer_id = ?1 AND operator_id = ?2 AND decision IS NULL",
                params![customer_id, actor.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((id, at)) = waiting {
            return Ok(Asked {
                id,
                requested_at: time(at),
                already: true,
            });
        }
        self.write(actor, |w| {
            let now = w.now();
            w.tx().execute(
                "INSERT INTO access_requests (customer_id, operator_id, reason, requested_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![customer_id, w.actor().id, reason, now.timestamp()],
            )?;
            let id = w.tx().last_insert_rowid();
            w.audit(
                "access.request",
                "access_request",
                Some(id),
                serde_json::json!({"customer": code, "reason": reason}),
            );
            Ok(Asked {
                id,
                requested_at: time(now.timestamp()),
                already: false,
            })
        })
    }

    /// The actor's own requests for access, newest first: of one customer, or all of them
    /// (the card's "waiting since", `careline grant list` for an operator).
    pub fn my_access_requests(
        &self,
        actor: &Actor,
        customer_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AccessRequest>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REQUEST_SELECT}
             WHERE r.operator_id = ?1 AND (?2 IS NULL OR r.customer_id = ?2)
             ORDER BY r.requested_at DESC, r.id DESC LIMIT ?3"
        ))?;
        let rows = stmt
            .query_map(params![actor.id, customer_id, limit as i64], request_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The actor's latest request for access to one customer, or the latest grant given to
    /// them directly if that came later (what the card says of their access).
    pub fn my_latest_access(
        &self,
        actor: &Actor,
        customer_id: i64,
    ) -> Result<Option<AccessRequest>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT * FROM (
               {REQUEST_SELECT} WHERE r.operator_id = ?1 AND r.customer_id = ?2
               UNION ALL
               {DIRECT_SELECT} WHERE g.operator_id = ?1 AND g.customer_id = ?2
                 AND NOT EXISTS (SELECT 1 FROM access_requests q WHERE q.grant_id = g.id))
             ORDER BY 7 DESC, 1 DESC LIMIT 1"
        ))?;
        Ok(stmt
            .query_row(params![actor.id, customer_id], request_row)
            .optional()?)
    }

    /// Requests for access (supervisors): those waiting, oldest first; with `decided`, then the
    /// requests decided and the grants given directly, newest first, at most
    /// [`DECIDED_LISTED`] of them.
    pub fn access_requests(&self, actor: &Actor, decided: bool) -> Result<Vec<AccessRequest>> {
        self.require(actor, Permission::GrantAccess)?;
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REQUEST_SELECT} WHERE r.decision IS NULL ORDER BY r.requested_at, r.id"
        ))?;
        let mut rows = stmt
            .query_map([], request_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if decided {
            let mut stmt = self.conn().prepare_cached(&format!(
                "SELECT * FROM (
                   {REQUEST_SELECT} WHERE r.decision IS NOT NULL
                   UNION ALL
                   {DIRECT_SELECT}
                    WHERE NOT EXISTS (SELECT 1 FROM access_requests q WHERE q.grant_id = g.id))
                 ORDER BY 15 DESC, 1 DESC LIMIT ?1"
            ))?;
            let decided = stmt
                .query_map([DECIDED_LISTED as i64], request_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.extend(decided);
        }
        Ok(rows)
    }

    /// Grants (`approve`) or refuses a waiting request; a grant lasts `minutes` (the
    /// config's default when none). Supervisors.
    pub fn decide_access(
        &mut self,
        actor: &Actor,
        request: i64,
        approve: bool,
        minutes: Option<u32>,
        note: Option<&str>,
        rules: &GrantRules,
    ) -> Result<AccessRequest> {
        self.require(actor, Permission::GrantAccess)?;
        let minutes = rules.minutes(minutes).map_err(invalid)?;
        let row: Option<(i64, i64, String, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT customer_id, operator_id, reason, decision FROM access_requests WHERE id = ?1",
                [request],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (customer_id, operator_id, reason, decision) =
            row.ok_or_else(|| StoreError::NotFound(format!("access request {request}")))?;
        let (code, login): (String, String) = self.conn().query_row(
            "SELECT c.code, o.login FROM customers c, operators o WHERE c.id = ?1 AND o.id = ?2",
            params![customer_id, operator_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if let Some(decision) = decision {
            return Err(StoreError::Conflict(format!(
                "access request {request} was {decision} already"
            )));
        }
        if !approve && note.is_none_or(|n| n.trim().is_empty()) {
            return Err(invalid(crate::domain::customer::FieldError::new(
                "reason",
                "say why access is refused; the operator reads it",
            )));
        }
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if approve {
            self.refuse_overlap(operator_id, customer_id, &login, &code)?;
        }
        self.write(actor, |w| {
            let now = w.now();
            let grant = if approve {
                let expires = now + Duration::minutes(i64::from(minutes));
                w.tx().execute(
                    "INSERT INTO grants (customer_id, operator_id, granted_by, reason, granted_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![customer_id, operator_id, w.actor().id, reason, now.timestamp(), expires.timestamp()],
                )?;
                Some((w.tx().last_insert_rowid(), expires))
            } else {
                None
            };
            w.tx().execute(
                "UPDATE access_requests SET decision = ?2, decided_by = ?3, decided_at = ?4,
                     note = ?5, grant_id = ?6 WHERE id = ?1",
                params![
                    request,
                    if approve { "granted" } else { "refused" },
                    w.actor().id,
                    now.timestamp(),
                    note,
                    grant.map(|g| g.0)
                ],
            )?;
            w.audit(
                if approve { "access.grant" } else { "access.refuse" },
                "access_request",
                Some(request),
                serde_json::json!({
                    "customer": code,
                    "to": login,
                    "grant": grant.map(|g| g.0),
                    "expires_at": grant.map(|g| g.1.timestamp()),
                    "minutes": approve.then_some(minutes),
                    "note": note,
                }),
            );
            Ok(())
        })?;
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("{REQUEST_SELECT} WHERE r.id = ?1"))?;
        Ok(stmt.query_row([request], request_row)?)
    }

    /// Grants `login` access to a confidential customer directly, with a reason
    /// (supervisors).
    pub fn grant_access(
        &mut self,
        actor: &Actor,
        customer_id: i64,
        login: &str,
        reason: &str,
        minutes: Option<u32>,
        rules: &GrantRules,
    ) -> Result<Grant> {
        self.require(actor, Permission::GrantAccess)?;
        let reason = check_reason(reason).map_err(invalid)?;
        let minutes = rules.minutes(minutes).map_err(invalid)?;
        let operator = self
            .operator_by_login(login)?
            .filter(|o| o.active)
            .ok_or_else(|| StoreError::NotFound(format!("active operator '{login}'")))?;
        let row: Option<(String, bool, Option<i64>)> = self
            .conn()
            .query_row(
                "SELECT code, confidential, owner_id FROM customers
                  WHERE id = ?1 AND erased_at IS NULL",
                [customer_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (code, confidential, owner) =
            row.ok_or_else(|| StoreError::NotFound(format!("customer {customer_id}")))?;
        // A grant opens a confidential record to someone who may not see it otherwise.
        if !confidential {
            return Err(StoreError::Conflict(format!(
                "customer {code} is not confidential: every operator sees it already; no grant is needed"
            )));
        }
        if operator.role.may(Permission::SeeConfidential) {
            let role = match operator.role {
                crate::domain::operator::Role::Admin => "an admin",
                _ => "a supervisor",
            };
            return Err(StoreError::Conflict(format!(
                "{login} is {role} and sees confidential customers already; no grant is needed"
            )));
        }
        if owner == Some(operator.id) {
            return Err(StoreError::Conflict(format!(
                "{login} owns customer {code} and sees it already; no grant is needed"
            )));
        }
        self.refuse_overlap(operator.id, customer_id, login, &code)?;
        let id = self.write(actor, |w| {
            let now = w.now();
            let expires = now + Duration::minutes(i64::from(minutes));
            w.tx().execute(
                "INSERT INTO grants (customer_id, operator_id, granted_by, reason, granted_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![customer_id, operator.id, w.actor().id, reason, now.timestamp(), expires.timestamp()],
            )?;
            let id = w.tx().last_insert_rowid();
            w.audit(
                "access.grant",
                "grant",
                Some(id),
                serde_json::json!({"customer": code, "to": login, "reason": reason,
                    "minutes": minutes, "expires_at": expires.timestamp()}),
            );
            Ok(id)
        })?;
        self.grants(actor, Some(customer_id))?
            .into_iter()
            .find(|g| g.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("grant {id}")))
    }

    /// Refuses a new grant while `operator` holds one to the customer still lasting: grants
    /// do not pile up, each is one decision with its own reason and end.
    fn refuse_overlap(
        &self,
        operator: i64,
        customer_id: i64,
        login: &str,
        code: &str,
    ) -> Result<()> {
        let lasting: Option<(i64, i64)> = self
            .conn()
            .query_row(
                "SELECT id, expires_at FROM grants
                  WHERE operator_id = ?1 AND customer_id = ?2
                    AND revoked_at IS NULL AND expires_at > ?3
                  ORDER BY expires_at DESC LIMIT 1",
                params![operator, customer_id, self.now().timestamp()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match lasting {
            Some((grant, until)) => Err(StoreError::Conflict(format!(
                "{login} holds access to {code} until {} already (grant {grant}); revoke it first to give a new one",
                local_until(time(until), self.now())
            ))),
            None => Ok(()),
        }
    }

    /// Ends a grant before it expires (supervisors).
    pub fn revoke_grant(&mut self, actor: &Actor, grant: i64) -> Result<()> {
        self.require(actor, Permission::GrantAccess)?;
        let row: Option<(Option<i64>, String, String, String, i64)> = self
            .conn()
            .query_row(
                "SELECT g.revoked_at, c.code, o.login, b.login, g.expires_at
                   FROM grants g
                   JOIN customers c ON c.id = g.customer_id
                   JOIN operators o ON o.id = g.operator_id
                   JOIN operators b ON b.id = g.granted_by
                  WHERE g.id = ?1",
                [grant],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((revoked, code, to, by, expires)) = row else {
            return Err(StoreError::NotFound(format!("grant {grant}")));
        };
        if revoked.is_some() {
            return Err(StoreError::Conflict(format!(
                "grant {grant} was revoked already"
            )));
        }
        // History stays as it was: a grant that ran out reads "expired", never "revoked".
        if expires <= self.now().timestamp() {
            return Err(StoreError::Conflict(format!(
                "grant {grant} ran out already at {}; nothing to revoke",
                local(time(expires))
            )));
        }
        self.write(actor, |w| {
            let now = w.now().timestamp();
            let ended = w.tx().execute(
                "UPDATE grants SET revoked_at = ?2
                  WHERE id = ?1 AND revoked_at IS NULL AND expires_at > ?2",
                params![grant, now],
            )?;
            if ended == 0 {
                return Err(StoreError::Conflict(format!(
                    "grant {grant} ended meanwhile (revoked by someone else, or ran out); nothing to revoke"
                )));
            }
            // Whose access ended, to what, and until when it would have lasted.
            w.audit(
                "access.revoke",
                "grant",
                Some(grant),
                serde_json::json!({"customer": code, "to": to, "granted_by": by,
                    "expires_at": expires}),
            );
            Ok(())
        })
    }

    /// Grants, newest first: of one customer, or all (supervisors).
    pub fn grants(&self, actor: &Actor, customer_id: Option<i64>) -> Result<Vec<Grant>> {
        self.require(actor, Permission::GrantAccess)?;
        self.grants_where(customer_id, None)
    }

    /// The grants given to the actor, newest first: asked for or given directly (`careline
    /// grant list` for an operator).
    pub fn my_grants(&self, actor: &Actor) -> Result<Vec<Grant>> {
        self.grants_where(None, Some(actor.id))
    }

    fn grants_where(&self, customer_id: Option<i64>, to: Option<i64>) -> Result<Vec<Grant>> {
        let mut stmt = self.conn().prepare(
            "SELECT g.id, g.customer_id, c.code, o.login, b.login, g.reason, g.granted_at,
                    g.expires_at, g.revoked_at
             FROM grants g
             JOIN customers c ON c.id = g.customer_id
             JOIN operators o ON o.id = g.operator_id
             JOIN operators b ON b.id = g.granted_by
             WHERE (?1 IS NULL OR g.customer_id = ?1) AND (?2 IS NULL OR g.operator_id = ?2)
             ORDER BY g.id DESC LIMIT 500",
        )?;
        let rows = stmt
            .query_map(rusqlite::params![customer_id, to], |r| {
                Ok(Grant {
                    id: r.get(0)?,
                    customer_id: r.get(1)?,
                    customer_code: r.get(2)?,
                    login: r.get(3)?,
                    granted_by: r.get(4)?,
                    reason: r.get(5)?,
                    granted_at: time(r.get(6)?),
                    expires_at: time(r.get(7)?),
                    revoked_at: r.get::<_, Option<i64>>(8)?.map(time),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Until when `actor` holds access to confidential customer `customer_id` by a grant:
    /// what the card shows.
    pub fn access_until(&self, actor: &Actor, customer_id: i64) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .access_grant(actor, customer_id)?
            .map(|(until, _)| until))
    }

    /// Until when `actor` holds access to confidential customer `customer_id`, and who granted
    /// it (the grant that lasts longest).
    pub fn access_grant(
        &self,
        actor: &Actor,
        customer_id: i64,
    ) -> Result<Option<(DateTime<Utc>, String)>> {
        let row: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT g.expires_at, b.login FROM grants g JOIN operators b ON b.id = g.granted_by
                  WHERE g.operator_id = ?1 AND g.customer_id = ?2
                    AND g.revoked_at IS NULL AND g.expires_at > ?3
                  ORDER BY g.expires_at DESC LIMIT 1",
                params![actor.id, customer_id, self.now().timestamp()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.map(|(until, by)| (time(until), by)))
    }
}
