//! Reading the audit trail: `careline audit list` and the card's audit view (who looked at
//! or changed a record). Supervisors only; the entries of an erased customer keep who did
//! what and when, without their detail.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use serde::Serialize;

use super::interactions::local_midnight;
use super::{Actor, Permission, Result, Store};
use crate::domain::contact::{ContactKind, PhoneRules};
use crate::domain::customer_contacts::masked_form;
use crate::domain::masking::mask_address;

/// Which entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries about this customer (and their complaints, reminders, contacts …).
    pub customer_id: Option<i64>,
    /// Entries by this login (acting, or acting for another with `--as`).
    pub login: Option<String>,
    /// An action (`customer.view`), or a family of them (`customer.`, `complaint.`).
    pub action: Option<String>,
    /// From this local day, inclusive.
    pub from: Option<NaiveDate>,
    /// To this local day, inclusive.
    pub to: Option<NaiveDate>,
    /// Only entries older than this one (the next page).
    pub before: Option<i64>,
}

/// One audit entry as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who did it.
    pub login: String,
    /// Their name, when the login is still an operator's.
    pub name: Option<String>,
    /// The admin who acted for them (`--as`).
    pub via: Option<String>,
    pub action: String,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub customer_code: Option<String>,
    /// What was done (old → new values of a change, the reason of a refusal …); none when
    /// an erase removed it.
    pub detail: Option<serde_json::Value>,
    /// Whether an erase removed the detail.
    pub erased: bool,
}

impl Store {
    /// Audit entries matching `filter`, newest first, at most `limit`.
    pub fn audit_entries(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        limit: usize,
    ) -> Result<Vec<AuditRow>> {
        self.require(actor, Permission::ReadAudit)?;
        let mut clauses = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        // Each clause's `?`s are one value.
        let mut bind = |clause: &str, value: Value| {
            values.push(value);
            clauses.push(clause.replace('?', &format!("?{}", values.len())));
        };
        if let Some(c) = filter.customer_id {
            bind("a.customer_id = ?", Value::Integer(c));
        }
        if let Some(login) = &filter.login {
            bind(
                "(a.actor_login = ? OR a.via_login = ?)",
                Value::Text(login.clone()),
            );
        }
        if let Some(action) = &filter.action {
            if action.ends_with('.') {
                // A family: every action it begins (a range, so the index serves it).
                bind(
                    "a.action >= ? AND a.action < ? || char(1114111)",
                    Value::Text(action.clone()),
                );
            } else {
                bind("a.action = ?", Value::Text(action.clone()));
            }
        }
        if let Some(day) = filter.from {
            bind("a.at >= ?", Value::Integer(local_midnight(day)));
        }
        if let Some(day) = filter.to.and_then(|d| d.succ_opt()) {
            bind("a.at < ?", Value::Integer(local_midnight(day)));
        }
        if let Some(id) = filter.before {
            bind("a.id < ?", Value::Integer(id));
        }
        let wanted = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT a.id, a.at, a.actor_login, o.name, a.via_login, a.action, a.entity,
                    a.entity_id, a.customer_id, c.code, a.detail, a.salt IS NULL
             FROM audit_log a
             LEFT JOIN operators o ON o.login = a.actor_login
             LEFT JOIN customers c ON c.id = a.customer_id
             {wanted}
             ORDER BY a.id DESC LIMIT {}",
            limit.max(1)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values), |r| {
                let detail: Option<String> = r.get(10)?;
                Ok(AuditRow {
                    id: r.get(0)?,
                    at: DateTime::from_timestamp(r.get(1)?, 0).unwrap_or_default(),
                    login: r.get(2)?,
                    name: r.get(3)?,
                    via: r.get(4)?,
                    action: r.get(5)?,
                    entity: r.get(6)?,
                    entity_id: r.get(7)?,
                    customer_id: r.get(8)?,
                    customer_code: r.get(9)?,
                    detail: detail
                        .map(|d| serde_json::from_str(&d).unwrap_or(serde_json::Value::String(d))),
                    erased: r.get(11)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if self.may(actor, Permission::SeeFullContacts) {
            return Ok(rows);
        }
        let rules = self.phone_rules();
        Ok(rows
            .into_iter()
            .map(|mut row| {
                if let Some(detail) = &mut row.detail {
                    mask_detail(&row.action, detail, rules);
                }
                row
            })
            .collect())
    }
}

/// The contacts and addresses an entry's detail quotes, masked for a reader who may not see
/// them in full: an edit's changed contacts and address (`[before, after]`), a screen pop's
/// number.
fn mask_detail(action: &str, detail: &mut serde_json::Value, rules: &PhoneRules) {
    use serde_json::Value as Json;
    let Some(map) = detail.as_object_mut() else {
        return;
    };
    match action {
        "customer.edit" => {
            if let Some(Json::Array(sides)) = map.get_mut("contacts") {
                for contact in sides.iter_mut().filter_map(Json::as_array_mut).flatten() {
                    let kind = contact
                        .get("kind")
                        .and_then(Json::as_str)
                        .and_then(|k| k.parse::<ContactKind>().ok())
                        .unwrap_or(ContactKind::Other);
                    if let Some(value) = contact.get_mut("value") {
                        if let Some(text) = value.as_str() {
                            *value = Json::String(masked_form(kind, text, rules));
                        }
                    }
                }
            }
            if let Some(Json::Array(sides)) = map.get_mut("address") {
                for side in sides.iter_mut() {
                    if let Some(text) = side.as_str() {
                        *side = Json::String(mask_address(text));
                    }
                }
            }
        }
        "call.pop" => {
            if let Some(number) = map.get_mut("number") {
                if let Some(text) = number.as_str() {
                    *number = Json::String(masked_form(ContactKind::Phone, text, rules));
                }
            }
        }
        _ => {}
    }
}
