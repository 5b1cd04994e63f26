//! The audit log: every change, view, export, refusal and login, appended in the transaction
//! that did it, and chained by hashes so that `careline check` detects an edited or a deleted
//! entry. The chain's head is also written to a witness file beside the database after each
//! write (`witness.rs`), which is how a deleted tail is seen: the chain of the entries left
//! is whole.
//!
//! Each entry names the customer it concerns, and its detail (which may quote the customer:
//! a name, a number, a note) enters the chain through a salted digest. Erasing a customer
//! removes the detail and the salt of their entries; the digest stays, so the chain still
//! verifies, and without the salt it says nothing of what was removed.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::witness::{self, Frozen, Witness, Witnessed};
use super::{Actor, Result, StoreError};

/// The hash before the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The append-only rules, put back after the re-chain of schema version 14: the only change
/// allowed is an erase removing an entry's detail and salt.
const NO_UPDATE: &str = "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (new.detail IS NULL AND new.salt IS NULL
          AND new.id = old.id AND new.at = old.at AND new.actor_id IS old.actor_id
          AND new.actor_login = old.actor_login AND new.via_login IS old.via_login
          AND new.action = old.action AND new.entity IS old.entity
          AND new.entity_id IS old.entity_id AND new.customer_id IS old.customer_id
          AND new.digest = old.digest AND new.prev_hash = old.prev_hash
          AND new.hash = old.hash)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (erasing a customer may only remove an entry''s detail)'); END";

/// And no entry is deleted.
const NO_DELETE: &str = "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END";

/// The triggers that keep the audit log append-only, by name, each as the migrations make it
/// (SQLite keeps the statement's text in `sqlite_master`), with what goes unrefused without it.
const PROTECTION: [(&str, &str, &str); 2] = [
    ("audit_log_no_update", NO_UPDATE, "entries can be edited"),
    ("audit_log_no_delete", NO_DELETE, "entries can be deleted"),
];

/// One thing an actor did, before it is chained.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub detail: serde_json::Value,
}

/// The last entry of the chain: what the witness file records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub entry: i64,
    pub hash: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex(&h.finalize())
}

/// The digest an entry's detail enters the chain by.
fn detail_digest(salt: &str, detail: Option<&str>) -> String {
    sha256(&[salt, detail.unwrap_or("")])
}

/// The fields an entry's hash covers, in order.
struct Chained<'a> {
    id: i64,
    at: i64,
    actor: &'a str,
    via: Option<&'a str>,
    action: &'a str,
    entity: Option<&'a str>,
    entity_id: Option<i64>,
    customer_id: Option<i64>,
    digest: &'a str,
}

fn entry_hash(prev: &str, e: &Chained<'_>) -> String {
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    sha256(&[
        prev,
        &e.id.to_string(),
        &e.at.to_string(),
        e.actor,
        e.via.unwrap_or(""),
        e.action,
        e.entity.unwrap_or(""),
        &number(e.entity_id),
        &number(e.customer_id),
        e.digest,
    ])
}

/// The hash of schema versions 1–13, which covered the detail itself: read only to check an
/// old log before it is re-chained.
#[allow(clippy::too_many_arguments)]
fn legacy_hash(
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
    sha256(&[
        prev,
        &id.to_string(),
        &at.to_string(),
        actor,
        via.unwrap_or(""),
        action,
        entity.unwrap_or(""),
        &entity_id.map(|e| e.to_string()).unwrap_or_default(),
        detail.unwrap_or(""),
    ])
}

fn new_salt() -> String {
    hex(&rand::random::<[u8; 16]>())
}

/// The customer an entry about `entity` `id` concerns: the customer itself, or the customer
/// of the complaint, reminder, contact, purchase, grant or survey.
fn customer_of(conn: &Connection, entity: &str, id: Option<i64>) -> Result<Option<i64>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let table = match entity {
        "customer" => return Ok(Some(id)),
        "complaint" => "complaints",
        "reminder" => "reminders",
        "interaction" => "interactions",
        "purchase" => "purchases",
        "grant" => "grants",
        "access_request" => "access_requests",
        "survey" => "surveys",
        "opportunity" => "opportunities",
        _ => return Ok(None),
    };
    Ok(conn
        .prepare_cached(&format!("SELECT customer_id FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten())
}

fn last_entry(conn: &Connection) -> Result<Option<Head>> {
    Ok(conn
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                Ok(Head {
                    entry: r.get(0)?,
                    hash: r.get(1)?,
                })
            },
        )
        .optional()?)
}

/// The chain's head now (none for an empty log).
pub(super) fn head(conn: &Connection) -> Result<Option<Head>> {
    last_entry(conn)
}

/// The hash the log holds at entry `id`, if it holds it.
fn hash_of(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT hash FROM audit_log WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Appends `entries` to the chain, in the write transaction `tx` (which holds the write
/// lock), after settling with `witness` on the head this transaction sees (see `witness`).
/// The head to move the witness to once `tx` has committed: none when there were no entries,
/// or when the witness may not move (it is frozen).
pub(super) fn append(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    entries: &[AuditEntry],
    witness: &Witness,
) -> Result<Option<Head>> {
    if entries.is_empty() {
        return Ok(None);
    }
    let before = last_entry(tx)?;
    let advance = witness.settle(before.as_ref(), now.timestamp(), |id| hash_of(tx, id))?;
    let head = append_after(tx, before, actor, now, entries)?;
    Ok(Some(head).filter(|_| advance))
}

/// Appends `entries` (at least one) after the head `before`; the new head.
fn append_after(
    tx: &Transaction<'_>,
    before: Option<Head>,
    actor: &Actor,
    now: DateTime<Utc>,
    entries: &[AuditEntry],
) -> Result<Head> {
    let (mut last_id, mut prev) = match before {
        Some(head) => (head.entry, head.hash),
        None => (0, GENESIS.to_string()),
    };
    let at = now.timestamp();
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit_log (id, at, actor_id, actor_login, via_login, action, entity,
             entity_id, customer_id, detail, salt, digest, prev_hash, hash)
         VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    for e in entries {
        let id = last_id + 1;
        let detail = (!e.detail.is_null()).then(|| e.detail.to_string());
        let customer_id = customer_of(tx, &e.entity, e.entity_id)?;
        let salt = new_salt();
        let digest = detail_digest(&salt, detail.as_deref());
        let hash = entry_hash(
            &prev,
            &Chained {
                id,
                at,
                actor: &actor.login,
                via: actor.via.as_deref(),
                action: &e.action,
                entity: Some(&e.entity),
                entity_id: e.entity_id,
                customer_id,
                digest: &digest,
            },
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
            customer_id,
            detail,
            salt,
            digest,
            prev,
            hash
        ])?;
        last_id = id;
        prev = hash;
    }
    Ok(Head {
        entry: last_id,
        hash: prev,
    })
}

/// Schema version 14: checks the log as versions 1–13 chained it, then chains every entry
/// again with its customer and a salted digest of its detail, and puts back the append-only
/// triggers. A log that does not verify is not re-chained (that would hide what was done to
/// it): the migration stops, naming the entry.
pub(super) fn rechain(tx: &Transaction<'_>, path: &str) -> Result<()> {
    type Old = (
        i64,
        i64,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        String,
        String,
    );
    let rows: Vec<Old> = tx
        .prepare(
            "SELECT id, at, actor_login, via_login, action, entity, entity_id, detail,
                    prev_hash, hash FROM audit_log ORDER BY id",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut prev = GENESIS.to_string();
    for (index, row) in rows.iter().enumerate() {
        let (id, at, actor, via, action, entity, entity_id, detail, stored_prev, stored_hash) = row;
        let hash = legacy_hash(
            &prev,
            *id,
            *at,
            actor,
            via.as_deref(),
            action,
            entity.as_deref(),
            *entity_id,
            detail.as_deref(),
        );
        if *id != index as i64 + 1 || *stored_prev != prev || hash != *stored_hash {
            return Err(StoreError::Database(format!(
                "{path}: the audit log does not verify at entry {id}, so careline will not \
                 re-chain it for schema version {}; restore the last backup that passes \
                 `careline check`",
                super::schema::AUDIT_RECHAIN
            )));
        }
        prev = hash;
    }
    let mut update = tx.prepare(
        "UPDATE audit_log SET customer_id = ?2, salt = ?3, digest = ?4, prev_hash = ?5,
             hash = ?6 WHERE id = ?1",
    )?;
    let mut prev = GENESIS.to_string();
    for (id, at, actor, via, action, entity, entity_id, detail, _, _) in &rows {
        let customer_id = match entity {
            Some(entity) => customer_of(tx, entity, *entity_id)?,
            None => None,
        };
        let salt = new_salt();
        let digest = detail_digest(&salt, detail.as_deref());
        let hash = entry_hash(
            &prev,
            &Chained {
                id: *id,
                at: *at,
                actor,
                via: via.as_deref(),
                action,
                entity: entity.as_deref(),
                entity_id: *entity_id,
                customer_id,
                digest: &digest,
            },
        );
        update.execute(params![id, customer_id, salt, digest, prev, hash])?;
        prev = hash;
    }
    for (_, sql, _) in PROTECTION {
        tx.execute_batch(sql)?;
    }
    Ok(())
}

/// Every trigger on the audit log, by name, with its statement.
fn triggers(conn: &Connection) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_master
          WHERE type = 'trigger' AND tbl_name = 'audit_log' COLLATE NOCASE ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What is wrong with the triggers that keep the audit log append-only: each one missing or
/// not as the migrations made it, and each other trigger on the log (a `BEFORE INSERT` one
/// could quietly drop entries). Empty when they are as careline made them.
pub(super) fn protection_problems(conn: &Connection) -> Result<Vec<String>> {
    let found = triggers(conn)?;
    let mut problems = Vec::new();
    for (name, sql, unrefused) in PROTECTION {
        match found.iter().find(|(n, _)| n == name) {
            None => problems.push(format!("the trigger {name} is missing: {unrefused}")),
            Some((_, made)) if made.as_deref() != Some(sql) => problems.push(format!(
                "the trigger {name} is not as careline made it: it may no longer refuse what it did"
            )),
            Some(_) => {}
        }
    }
    for (name, _) in &found {
        if !PROTECTION.iter().any(|(n, _, _)| n == name) {
            problems.push(format!(
                "the trigger {name} on the audit log was not made by careline"
            ));
        }
    }
    Ok(problems)
}

/// Puts the audit log's triggers back as the migrations make them: each one missing made,
/// each one altered made again, each other trigger on the log dropped. What was done, a
/// line each (none when they were as careline made them).
pub(super) fn put_back_protection(tx: &Transaction<'_>) -> Result<Vec<String>> {
    let found = triggers(tx)?;
    let mut done = Vec::new();
    for (name, sql, _) in PROTECTION {
        match found.iter().find(|(n, _)| n == name) {
            None => {
                tx.execute_batch(sql)?;
                done.push(format!("the trigger {name} was missing: made again"));
            }
            Some((_, made)) if made.as_deref() != Some(sql) => {
                tx.execute_batch(&format!("DROP TRIGGER \"{name}\"; {sql}"))?;
                done.push(format!(
                    "the trigger {name} was not as careline made it: made again"
                ));
            }
            Some(_) => {}
        }
    }
    for (name, _) in &found {
        if !PROTECTION.iter().any(|(n, _, _)| n == name) {
            tx.execute_batch(&format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\"")))?;
            done.push(format!(
                "the trigger {name} on the audit log was not made by careline: dropped"
            ));
        }
    }
    Ok(done)
}

/// Removes the detail (and its salt) of every entry about the customers `ids`: what an erase
/// does to the log. The entries stay, with who did what and when.
pub(super) fn redact(tx: &Transaction<'_>, ids: &[i64]) -> Result<usize> {
    let mut removed = 0;
    let mut stmt = tx.prepare_cached(
        "UPDATE audit_log SET detail = NULL, salt = NULL
          WHERE customer_id = ?1 AND salt IS NOT NULL",
    )?;
    for id in ids {
        removed += stmt.execute([id])?;
    }
    Ok(removed)
}

/// The result of walking the audit chain and comparing its end with the witness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Entries verified (up to the first break).
    pub entries: i64,
    /// The first entry whose hash or link does not match, with what is wrong.
    pub broken_at: Option<(i64, String)>,
    /// Entries whose detail an erase removed.
    pub erased_details: i64,
    /// The entry the witness file beside the database records, when it was read.
    pub witnessed_entry: Option<i64>,
    /// What disagrees between the log and its witness, if anything.
    pub witness_problem: Option<String>,
    /// When a write found the log no longer holding the entry its witness records, and left
    /// the witness there (RFC 3339), if one did.
    pub witness_frozen_at: Option<String>,
    /// What is wrong with the triggers that keep the log append-only (missing, altered, or
    /// not careline's), if anything.
    pub protection: Vec<String>,
}

impl ChainReport {
    pub fn ok(&self) -> bool {
        self.broken_at.is_none() && self.witness_problem.is_none() && self.protection.is_empty()
    }
}

/// `n` things, singular or plural: "1 entry", "3 entries".
fn entries_count(n: i64) -> String {
    if n == 1 {
        "1 entry".to_string()
    } else {
        format!("{n} entries")
    }
}

/// What a frozen witness tells: what the write that froze it found, against what the witness
/// records, with the log as it ends now (`last`); `held` is whether the log holds the
/// recorded entry as witnessed (none: not known, the chain broke before it).
fn frozen_problem(recorded: &Head, frozen: &Frozen, last: i64, held: Option<bool>) -> String {
    let when = DateTime::from_timestamp(frozen.at, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| frozen.at.to_string());
    let witnessed = format!(
        "its witness records entry {} (hash {})",
        recorded.entry,
        witness::short(&recorded.hash)
    );
    let found = frozen.found.as_ref();
    if held != Some(false) {
        let found = match found {
            Some(f) => format!(
                "ending at entry {} (hash {})",
                f.entry,
                witness::short(&f.hash)
            ),
            None => "empty".to_string(),
        };
        let now = match held {
            Some(_) => {
                "the log holds that entry again, but it was changed behind careline in between"
            }
            None => "the chain breaks before that entry",
        };
        return format!(
            "{witnessed}, but a write at {when} found the log {found} and left the witness frozen there; {now}"
        );
    }
    let (what, from) = match found {
        None => ("every entry was deleted".to_string(), 0),
        Some(f) if f.entry < recorded.entry => (
            format!(
                "the log was cut back to entry {} (the last {} deleted)",
                f.entry,
                match recorded.entry - f.entry {
                    1 => "entry was".to_string(),
                    n => format!("{n} entries were"),
                }
            ),
            f.entry,
        ),
        Some(f) => (format!("entry {} was rewritten", recorded.entry), f.entry),
    };
    let since = match last - from {
        n if n > 0 => format!(" and written on since ({})", entries_count(n)),
        _ => String::new(),
    };
    format!(
        "{what}{since}: {witnessed}, which the log no longer holds; a write at {when} found it so and left the witness frozen there"
    )
}

/// The erasures the chain records: for each customer an erase covered (the one erased, and
/// the merged records erased with it, its tombstones), the last `customer.erase` entry that
/// covered them. An erase removes the detail of every entry about them in the transaction
/// that writes this entry, so a removed detail is only ever followed by one.
fn erasures_in_chain(conn: &Connection) -> Result<std::collections::HashMap<i64, i64>> {
    let mut stmt = conn.prepare(
        "SELECT id, entity_id, detail FROM audit_log
          WHERE action = 'customer.erase' AND entity = 'customer' AND entity_id IS NOT NULL",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut erased = std::collections::HashMap::new();
    for (entry, customer, detail) in rows {
        // The tombstones are read from the detail; an entry whose detail was changed breaks
        // the chain at that entry, so what is read here is trusted no further than the chain.
        let tombstones: Vec<i64> = detail
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
            .and_then(|d| {
                d.get("tombstones")
                    .and_then(|t| t.as_array())
                    .map(|t| t.iter().filter_map(|x| x.as_i64()).collect())
            })
            .unwrap_or_default();
        for covered in std::iter::once(customer).chain(tombstones) {
            let last = erased.entry(covered).or_insert(entry);
            *last = (*last).max(entry);
        }
    }
    Ok(erased)
}

/// Recomputes every hash in order; the first mismatch (an edited entry, a removed detail of a
/// customer not erased — the customer's record marked erased and a `customer.erase` entry
/// later in the chain — or a gap from a deleted one) is reported. Then compares the end of
/// the log with `witness` (what the witness file says, or why it could not be read).
pub fn verify(
    conn: &Connection,
    witness: std::result::Result<Option<Witnessed>, String>,
) -> Result<ChainReport> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.at, a.actor_login, a.via_login, a.action, a.entity, a.entity_id,
                a.customer_id, a.detail, a.salt, a.digest, a.prev_hash, a.hash,
                c.erased_at IS NOT NULL
         FROM audit_log a LEFT JOIN customers c ON c.id = a.customer_id
         ORDER BY a.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected_id = 1;
    let mut report = ChainReport {
        entries: 0,
        broken_at: None,
        erased_details: 0,
        witnessed_entry: None,
        witness_problem: None,
        witness_frozen_at: None,
        protection: protection_problems(conn)?,
    };
    let mut hashes = std::collections::HashMap::new();
    let erasures = erasures_in_chain(conn)?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let detail: Option<String> = r.get(8)?;
        let salt: Option<String> = r.get(9)?;
        let digest: Option<String> = r.get(10)?;
        let stored_prev: String = r.get(11)?;
        let stored_hash: String = r.get(12)?;
        let customer_id: Option<i64> = r.get(7)?;
        let erased: bool = r.get(13)?;
        let (actor, via): (String, Option<String>) = (r.get(2)?, r.get(3)?);
        let (action, entity): (String, Option<String>) = (r.get(4)?, r.get(5)?);
        let chained = Chained {
            id,
            at: r.get(1)?,
            actor: &actor,
            via: via.as_deref(),
            action: &action,
            entity: entity.as_deref(),
            entity_id: r.get(6)?,
            customer_id,
            digest: digest.as_deref().unwrap_or(""),
        };
        let why = if id != expected_id {
            Some(format!("entry {expected_id} is missing"))
        } else if stored_prev != prev {
            Some("does not link to the entry before it".to_string())
        } else {
            match (&salt, &digest) {
                (_, None) => Some("has no digest of its detail".to_string()),
                (Some(salt), Some(digest)) if detail_digest(salt, detail.as_deref()) != *digest => {
                    Some("its detail was changed after it was written".to_string())
                }
                (None, Some(_)) if detail.is_some() => {
                    Some("its detail was changed after it was written".to_string())
                }
                (None, Some(_)) => match customer_id {
                    None => Some("its detail was removed, but it concerns no customer".to_string()),
                    Some(c) => match erasures.get(&c) {
                        None => Some(format!(
                            "its detail was removed, but customer {c} was never erased (the log \
                             holds no customer.erase of them)"
                        )),
                        Some(&erase) if erase <= id => Some(format!(
                            "its detail was removed, but no erasure of customer {c} follows it \
                             (their last is entry {erase}, and an erase removes only what came \
                             before it)"
                        )),
                        Some(_) if !erased => Some(format!(
                            "its detail was removed, but customer {c}'s record is no longer \
                             marked erased"
                        )),
                        Some(_) if entry_hash(&prev, &chained) != stored_hash => {
                            Some("its content was changed after it was written".to_string())
                        }
                        Some(_) => None,
                    },
                },
                _ if entry_hash(&prev, &chained) != stored_hash => {
                    Some("its content was changed after it was written".to_string())
                }
                _ => None,
            }
        };
        if let Some(why) = why {
            report.broken_at = Some((id, why));
            break;
        }
        if salt.is_none() {
            report.erased_details += 1;
        }
        hashes.insert(id, stored_hash.clone());
        prev = stored_hash;
        expected_id += 1;
        report.entries += 1;
    }
    let last = expected_id - 1;
    match witness {
        Err(why) => report.witness_problem = Some(why),
        Ok(None) if report.broken_at.is_none() && last > 0 => {
            report.witness_problem = Some(
                "the witness file beside the database is missing: it was deleted, or the \
                 database was copied without it"
                    .into(),
            )
        }
        Ok(None) => {}
        Ok(Some(w)) => {
            report.witness_frozen_at = w
                .frozen
                .as_ref()
                .and_then(|f| DateTime::from_timestamp(f.at, 0).map(|t| t.to_rfc3339()));
            let Some(recorded) = w.head else {
                // An empty witness names nothing to lose; frozen, it was by an emptied log.
                if let Some(frozen) = &w.frozen {
                    report.witness_problem = Some(format!(
                        "its witness records no entry, but was frozen by a write that found the log {}",
                        frozen.found.as_ref().map_or("empty".to_string(), |f| format!("ending at entry {}", f.entry))
                    ));
                }
                return Ok(report);
            };
            report.witnessed_entry = Some(recorded.entry);
            // Whether the log holds the entry witnessed, as witnessed (not known past a break).
            let held = match hashes.get(&recorded.entry) {
                Some(hash) => Some(*hash == recorded.hash),
                None if report.broken_at.is_none() => Some(false),
                None => None,
            };
            if let Some(frozen) = &w.frozen {
                report.witness_problem = Some(frozen_problem(&recorded, frozen, last, held));
            } else if held == Some(false) && recorded.entry > last {
                report.witness_problem = Some(if last == 0 {
                    format!(
                        "the log is empty, but its witness records entry {}: every entry was deleted",
                        recorded.entry
                    )
                } else {
                    format!(
                        "the log ends at entry {last}, but its witness records entry {}: {}",
                        recorded.entry,
                        match recorded.entry - last {
                            1 => "the last entry was deleted".to_string(),
                            n => format!("the last {n} entries were deleted"),
                        }
                    )
                });
            } else if held == Some(false) {
                report.witness_problem = Some(format!(
                    "entry {} differs from what its witness recorded: the log was rewritten",
                    recorded.entry
                ));
            }
        }
    }
    Ok(report)
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
    /// Puts back the triggers that keep the audit log append-only, as the migrations make
    /// them (`careline host setup`, run again as root, is the repair): what was wrong and is
    /// now put right, a line each, recorded in an audit entry of its own. Nothing when they
    /// were as careline made them.
    pub fn put_back_audit_protection(&mut self, actor: &Actor) -> Result<Vec<String>> {
        self.require(actor, super::Permission::Restore)?;
        self.write(actor, |w| {
            let done = put_back_protection(w.tx())?;
            if !done.is_empty() {
                w.audit(
                    "audit.protection",
                    "database",
                    None,
                    serde_json::json!({ "put_back": done }),
                );
            }
            Ok(done)
        })
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    /// A database as schema version 13 left it, with three entries chained the old way (the
    /// hash over the detail itself).
    fn version_13(tamper: bool) -> (tempfile::TempDir, Connection) {
        let (dir, conn) = super::super::schema::tests::as_version(13);
        conn.execute_batch(
            "INSERT INTO operators (id, login, name, role, created_at)
                 VALUES (1, 'boss', 'Boss', 'admin', 0);
             INSERT INTO customers (id, code, name, created_at, updated_at)
                 VALUES (7, 'C7', '王秀英', 0, 0);",
        )
        .expect("rows");
        let entries = [
            ("init", "operator", Some(1), Some(r#"{"login":"boss"}"#)),
            (
                "customer.create",
                "customer",
                Some(7),
                Some(r#"{"name":"王秀英"}"#),
            ),
            ("customer.view", "customer", Some(7), None),
        ];
        let mut prev = GENESIS.to_string();
        for (i, (action, entity, entity_id, detail)) in entries.iter().enumerate() {
            let id = i as i64 + 1;
            let hash = legacy_hash(
                &prev,
                id,
                1_000 + id,
                "boss",
                None,
                action,
                Some(entity),
                *entity_id,
                *detail,
            );
            conn.execute(
                "INSERT INTO audit_log (id, at, actor_id, actor_login, action, entity, entity_id,
                     detail, prev_hash, hash) VALUES (?1, ?2, 1, 'boss', ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id,
                    1_000 + id,
                    action,
                    entity,
                    entity_id,
                    detail,
                    prev,
                    hash
                ],
            )
            .expect("entry");
            prev = hash;
        }
        if tamper {
            conn.execute_batch(
                "DROP TRIGGER audit_log_no_update;
                 UPDATE audit_log SET detail = '{\"name\":\"someone\"}' WHERE id = 2;",
            )
            .expect("tamper");
        }
        (dir, conn)
    }

    #[test]
    fn an_old_log_is_checked_then_chained_again_with_its_customers() {
        let (_dir, mut conn) = version_13(false);
        super::super::schema::migrate(&mut conn, "v13.db").expect("migrates");
        let report = verify(&conn, Ok(None)).expect("verify");
        assert_eq!(report.broken_at, None);
        assert_eq!(report.entries, 3);
        // An empty witness with three entries in the log is a problem of the witness only.
        assert!(report.witness_problem.is_some());
        let customers: Vec<Option<i64>> = conn
            .prepare("SELECT customer_id FROM audit_log ORDER BY id")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(customers, [None, Some(7), Some(7)]);
        // The detail is kept as it was written.
        let detail: String = conn
            .query_row("SELECT detail FROM audit_log WHERE id = 2", [], |r| {
                r.get(0)
            })
            .expect("detail");
        assert_eq!(detail, r#"{"name":"王秀英"}"#);
        // And the log is append-only again.
        let err = conn
            .execute("DELETE FROM audit_log WHERE id = 3", [])
            .expect_err("append-only");
        assert!(err.to_string().contains("append-only"), "{err}");
    }

    #[test]
    fn an_old_log_that_does_not_verify_is_not_chained_again() {
        let (_dir, mut conn) = version_13(true);
        let err = super::super::schema::migrate(&mut conn, "v13.db").expect_err("refused");
        assert!(
            err.to_string()
                .contains("the audit log does not verify at entry 2"),
            "{err}"
        );
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, 13, "nothing was changed");
    }

    #[test]
    fn only_an_erased_customers_entries_may_lose_their_detail() {
        let (_dir, mut conn) = version_13(false);
        super::super::schema::migrate(&mut conn, "v13.db").expect("migrates");
        // Any other change is refused by the trigger.
        let err = conn
            .execute("UPDATE audit_log SET detail = NULL WHERE id = 2", [])
            .expect_err("the salt must go too");
        assert!(err.to_string().contains("append-only"), "{err}");
        let tx = conn.transaction().expect("tx");
        assert_eq!(redact(&tx, &[7]).expect("redact"), 2);
        tx.commit().expect("commit");
        let never_erased = Some((
            2,
            "its detail was removed, but customer 7 was never erased (the log holds no \
             customer.erase of them)"
                .to_string(),
        ));
        let report = verify(&conn, Ok(None)).expect("verify");
        assert_eq!(report.broken_at, never_erased);
        // The record marked erased by hand is not an erasure: the chain holds none.
        conn.execute("UPDATE customers SET erased_at = 5000 WHERE id = 7", [])
            .expect("erase");
        let report = verify(&conn, Ok(None)).expect("verify");
        assert_eq!(report.broken_at, never_erased);
        // The erase's own entry, after the entries it redacted, is.
        let boss = Actor {
            id: 1,
            login: "boss".into(),
            name: "Boss".into(),
            role: crate::domain::operator::Role::Admin,
            via: None,
        };
        let tx = conn.transaction().expect("tx");
        let before = last_entry(&tx).expect("head");
        let erase = AuditEntry {
            action: "customer.erase".into(),
            entity: "customer".into(),
            entity_id: Some(7),
            detail: serde_json::json!({ "code": "C7", "tombstones": [] }),
        };
        let at = DateTime::from_timestamp(5000, 0).expect("a time");
        append_after(&tx, before, &boss, at, &[erase]).expect("append");
        tx.commit().expect("commit");
        let report = verify(&conn, Ok(None)).expect("verify");
        assert_eq!(report.broken_at, None);
        assert_eq!(report.erased_details, 2);
        // A record un-marked after its erasure is named too.
        conn.execute("UPDATE customers SET erased_at = NULL WHERE id = 7", [])
            .expect("un-erase");
        let report = verify(&conn, Ok(None)).expect("verify");
        assert_eq!(
            report.broken_at,
            Some((
                2,
                "its detail was removed, but customer 7's record is no longer marked erased"
                    .to_string()
            ))
        );
    }
}
