//! The audit log: every change, view, export and login, appended in the transaction that did
//! it, and chained by hashes so that `careline check` detects edited or deleted entries.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Actor, Result};

/// The hash before the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One thing an actor did, before it is chained.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub detail: serde_json::Value,
}

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev: &str,
    id: i64,
    at: i64,
    actor: &str,
    via: Option<&str>,
    action: &str,
    entity: Option<&str>,
    entity_id: Option<i64>,
    detail: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &id.to_string(),
        &at.to_string(),
        actor,
        via.unwrap_or(""),
        action,
        entity.unwrap_or(""),
        &entity_id.map(|e| e.to_string()).unwrap_or_default(),
        detail.unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn append(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    entries: &[AuditEntry],
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let (mut last_id, mut prev): (i64, String) = tx
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, GENESIS.to_string()));
    let at = now.timestamp();
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit_log (id, at, actor_id, actor_login, via_login, action, entity, entity_id, detail, prev_hash, hash)
         VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for e in entries {
        let id = last_id + 1;
        let detail = (!e.detail.is_null()).then(|| e.detail.to_string());
        let hash = entry_hash(
            &prev,
            id,
            at,
            &actor.login,
            actor.via.as_deref(),
            &e.action,
            Some(&e.entity),
            e.entity_id,
            detail.as_deref(),
        );
        insert.execute(params![
            id,
            at,
            actor.id,
            actor.login,
            actor.via,
            e.action,
            e.entity,
            e.entity_id,
            detail,
            prev,
            hash
        ])?;
        last_id = id;
        prev = hash;
    }
    Ok(())
}

/// The result of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub entries: i64,
    /// The first entry whose hash or link does not match, with what is wrong.
    pub broken_at: Option<(i64, String)>,
}

/// Recomputes every hash in order; the first mismatch (an edited entry, or a gap from a
/// deleted one) is reported.
pub fn verify(conn: &Connection) -> Result<ChainReport> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor_login, via_login, action, entity, entity_id, detail, prev_hash, hash
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected_id = 1;
    let mut entries = 0;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let stored_prev: String = r.get(8)?;
        let stored_hash: String = r.get(9)?;
        let broken = |why: &str| {
            Ok(ChainReport {
                entries,
                broken_at: Some((id, why.to_string())),
            })
        };
        if id != expected_id {
            return broken(&format!("entry {expected_id} is missing"));
        }
        if stored_prev != prev {
            return broken("does not link to the entry before it");
        }
        let hash = entry_hash(
            &prev,
            id,
            r.get(1)?,
            &r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?.as_deref(),
            &r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?.as_deref(),
            r.get(6)?,
            r.get::<_, Option<String>>(7)?.as_deref(),
        );
        if hash != stored_hash {
            return broken("its content was changed after it was written");
        }
        prev = stored_hash;
        expected_id += 1;
        entries += 1;
    }
    Ok(ChainReport {
        entries,
        broken_at: None,
    })
}

/// Who last changed a record, and when: what a conflict dialog names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastChange {
    pub login: String,
    /// The operator's name, when the login is still an operator's.
    pub name: Option<String>,
    pub at: DateTime<Utc>,
}

impl super::Store {
    /// The latest audited change of `entity` `id` (`customer`, 42), if any.
    pub fn last_change(&self, entity: &str, id: i64) -> Result<Option<LastChange>> {
        let row: Option<(String, Option<String>, i64)> = self
            .conn()
            .query_row(
                "SELECT a.actor_login, o.name, a.at FROM audit_log a
                 LEFT JOIN operators o ON o.login = a.actor_login
                 WHERE a.entity = ?1 AND a.entity_id = ?2 AND a.action NOT LIKE '%.view'
                 ORDER BY a.id DESC LIMIT 1",
                params![entity, id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(row.map(|(login, name, at)| LastChange {
            login,
            name,
            at: DateTime::from_timestamp(at, 0).unwrap_or_default(),
        }))
    }
}
