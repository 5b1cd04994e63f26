//! Data-subject rights (DESIGN §6, issue 15): everything held about one person, as JSON, and
//! erasing them. Both need the privacy permission and are audited.
//!
//! Erasing removes what identifies the person everywhere the database keeps it — the
//! customer row's personal fields, contacts, tags, lookup keys, the name index, drafts, screen
//! pops, the free text of their records where it quotes their name or numbers, the detail of
//! their audit entries, planner samples — and keeps what the figures need: the record itself
//! (code, level, tier, region, spend and points), purchases, and the contacts, complaints and
//! reminders with their dates, codes and amounts, and the sales opportunities with their
//! stages and amounts (the open ones closed lost, "withdrawn: the customer was erased"). It runs with SQLite's secure deletion on
//! (freed bytes are overwritten) and the name index's own secure delete, then empties the
//! write-ahead log into the database, so that the old values are in neither file.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Actor, Permission, Result, Store, StoreError, Writer};

/// What the free text of an erased customer's records says where it quoted them.
/// What an erasure writes in place of a name and of the personal words in free text (the
/// screen shows it in its own language: `I18n::data`).
pub const ERASED_TEXT: &str = "[erased]";

/// What `erase_customer` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Erased {
    pub customer_id: i64,
    pub code: String,
    /// Merged records of the same person, erased with it.
    pub tombstones: Vec<i64>,
    pub contacts_removed: usize,
    /// Text fields (summaries, notes, titles …) in which a name or number was replaced.
    pub texts_rewritten: usize,
    pub drafts_removed: usize,
    pub audit_details_removed: usize,
    pub reminders_withdrawn: usize,
    /// Whether the write-ahead log was emptied into the database at once; when other
    /// careline processes were reading, the old pages leave it at its next checkpoint.
    pub log_emptied: bool,
}

/// Tables holding a person's records, by the column naming the customer. Purchases and the
/// points ledger are history kept by an erase; the rest is exported as held.
const HELD: &[(&str, &str)] = &[
    ("contacts", "customer_id"),
    ("customer_tags", "customer_id"),
    ("purchases", "customer_id"),
    ("points_ledger", "customer_id"),
    ("interactions", "customer_id"),
    ("complaints", "customer_id"),
    ("reminders", "customer_id"),
    ("surveys", "customer_id"),
    ("grants", "customer_id"),
    ("access_requests", "customer_id"),
    ("screen_pops", "customer_id"),
];

/// A whole row as a JSON object, column by column; times (`…_at`, Unix seconds) as RFC 3339.
fn row_object(row: &rusqlite::Row<'_>, names: &[String]) -> rusqlite::Result<Value> {
    let mut object = Map::new();
    for (i, name) in names.iter().enumerate() {
        let value = match row.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) if name.ends_with("_at") || name == "at" => {
                DateTime::<Utc>::from_timestamp(n, 0)
                    .map(|t| Value::String(t.to_rfc3339()))
                    .unwrap_or(Value::from(n))
            }
            ValueRef::Integer(n) => Value::from(n),
            ValueRef::Real(f) => Value::from(f),
            ValueRef::Text(t) => {
                let text = String::from_utf8_lossy(t).to_string();
                // JSON kept in a column (facts, details) is given as JSON.
                match name.as_str() {
                    "facts" | "detail" | "content" => {
                        serde_json::from_str(&text).unwrap_or(Value::String(text))
                    }
                    _ => Value::String(text),
                }
            }
            ValueRef::Blob(b) => Value::String(b.iter().map(|x| format!("{x:02x}")).collect()),
        };
        object.insert(name.clone(), value);
    }
    Ok(Value::Object(object))
}

fn rows(conn: &Connection, sql: &str, ids: &[i64]) -> Result<Vec<Value>> {
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let sql = sql.replace("{ids}", &list);
    let mut stmt = conn.prepare(&sql)?;
    let names: Vec<String> = stmt.column_names().iter().map(|n| n.to_string()).collect();
    let rows = stmt
        .query_map([], |r| row_object(r, &names))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The staff, by their internal number, as an export names them: login and name.
fn staff(conn: &Connection) -> Result<HashMap<i64, Value>> {
    let mut stmt = conn.prepare("SELECT id, login, name FROM operators")?;
    let found = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                serde_json::json!({"login": r.get::<_, String>(1)?, "name": r.get::<_, String>(2)?}),
            ))
        })?
        .collect::<rusqlite::Result<HashMap<_, _>>>()?;
    Ok(found)
}

/// The columns of `table` that name a member of staff by number (its references to
/// `operators`).
fn staff_columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT \"from\" FROM pragma_foreign_key_list(?1) WHERE \"table\" = 'operators'",
    )?;
    let found = stmt
        .query_map([table], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(found)
}

/// Rows of `table` as `rows` reads them, each member of staff named by login and name instead
/// of by number: `owner_id: 2` becomes `owner: {"login": "li.na", "name": "李娜"}`,
/// `opened_by: 2` `opened_by: {…}`. The person reading their export knows no internal numbers.
fn rows_naming_staff(
    conn: &Connection,
    table: &str,
    sql: &str,
    ids: &[i64],
    staff: &HashMap<i64, Value>,
) -> Result<Vec<Value>> {
    let columns = staff_columns(conn, table)?;
    let mut found = rows(conn, sql, ids)?;
    for row in &mut found {
        let Some(object) = row.as_object_mut() else {
            continue;
        };
        for column in &columns {
            let Some(value) = object.remove(column) else {
                continue;
            };
            let who = match value.as_i64() {
                Some(id) => staff.get(&id).cloned().unwrap_or(value),
                None => value,
            };
            let key = column.strip_suffix("_id").unwrap_or(column);
            object.insert(key.to_string(), who);
        }
    }
    Ok(found)
}

/// The customer and the merged records that point to it (the same person).
fn person(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut ids = vec![id];
    let mut stmt = conn.prepare_cached("SELECT id FROM customers WHERE merged_into = ?1")?;
    let mut next = 0;
    while next < ids.len() {
        let found = stmt
            .query_map([ids[next]], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        ids.extend(
            found
                .into_iter()
                .filter(|f| !ids.contains(f))
                .collect::<Vec<_>>(),
        );
        next += 1;
    }
    Ok(ids)
}

impl Store {
    /// Everything held about one person (`careline customer export`): their record and the
    /// records merged into it, contacts, tags, consent, purchases, points, contacts logged,
    /// complaints with their events and compensations, reminders, surveys, access grants,
    /// screen pops, and the audit trail of who viewed or changed any of it. Staff are named by
    /// login and name, never by internal number. Audited.
    pub fn export_personal_data(&mut self, actor: &Actor, id: i64) -> Result<Value> {
        self.require_about(actor, Permission::ExportPersonalData, Some(id))?;
        let exists: Option<i64> = self
            .conn()
            .query_row("SELECT id FROM customers WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("customer {id}")));
        }
        let ids = person(self.conn(), id)?;
        let conn = self.conn();
        let staff = staff(conn)?;
        let mut out = Map::new();
        // An erased person's export is the evidence of the erasure: it says so first.
        if let Some(erased) = erasure_notice(conn, id)? {
            out.insert("erased".into(), Value::String(erased));
        }
        out.insert("exported_at".into(), Value::String(self.now().to_rfc3339()));
        out.insert("exported_by".into(), Value::String(actor.login.clone()));
        let mut customers = rows_naming_staff(
            conn,
            "customers",
            "SELECT * FROM customers WHERE id IN ({ids}) ORDER BY id",
            &ids,
            &staff,
        )?;
        let main = customers.remove(0);
        out.insert(
            "consent".into(),
            serde_json::json!({
                "marketing_consent": main["marketing_consent"],
                "consent_date": main["consent_date"],
                "consent_channel": main["consent_channel"],
                "do_not_contact": main["do_not_contact"],
                "history": consent_history(conn, &ids)?,
            }),
        );
        out.insert("customer".into(), main);
        out.insert("merged_records".into(), Value::Array(customers));
        for (table, column) in HELD {
            let sql = format!("SELECT * FROM {table} WHERE {column} IN ({{ids}}) ORDER BY 1");
            out.insert(
                (*table).into(),
                Value::Array(rows_naming_staff(conn, table, &sql, &ids, &staff)?),
            );
        }
        let complaints = "SELECT id FROM complaints WHERE customer_id IN ({ids})";
        out.insert(
            "complaint_events".into(),
            Value::Array(rows_naming_staff(
                conn,
                "complaint_events",
                &format!("SELECT * FROM complaint_events WHERE complaint_id IN ({complaints}) ORDER BY id"),
                &ids,
                &staff,
            )?),
        );
        out.insert(
            "compensations".into(),
            Value::Array(rows_naming_staff(
                conn,
                "compensations",
                &format!(
                    "SELECT * FROM compensations WHERE complaint_id IN ({complaints}) ORDER BY id"
                ),
                &ids,
                &staff,
            )?),
        );
        let opportunities = "SELECT id FROM opportunities WHERE customer_id IN ({ids})";
        out.insert(
            "opportunities".into(),
            Value::Array(rows_naming_staff(
                conn,
                "opportunities",
                "SELECT * FROM opportunities WHERE customer_id IN ({ids}) ORDER BY id",
                &ids,
                &staff,
            )?),
        );
        out.insert(
            "opportunity_events".into(),
            Value::Array(rows_naming_staff(
                conn,
                "opportunity_events",
                &format!(
                    "SELECT * FROM opportunity_events WHERE opportunity_id IN ({opportunities}) ORDER BY id"
                ),
                &ids,
                &staff,
            )?),
        );
        out.insert(
            "audit".into(),
            Value::Array(rows(
                conn,
                "SELECT id, at, actor_login AS operator, via_login AS via, action, entity,
                        entity_id, detail FROM audit_log WHERE customer_id IN ({ids}) ORDER BY id",
                &ids,
            )?),
        );
        let counts: Map<String, Value> = out
            .iter()
            .filter_map(|(k, v)| v.as_array().map(|a| (k.clone(), Value::from(a.len()))))
            .collect();
        self.write(actor, |w| {
            w.audit(
                "customer.export",
                "customer",
                Some(id),
                serde_json::json!({ "records": counts }),
            );
            Ok(())
        })?;
        Ok(Value::Object(out))
    }

    /// Erases a customer (`careline customer erase`): see the module's comment.
    /// Refused while they have an open complaint, and for a customer erased already.
    pub fn erase_customer(&mut self, actor: &Actor, id: i64) -> Result<Erased> {
        let (code, ids) = self.erasable(actor, id)?;
        let needles = needles(self.conn(), &ids)?;
        // Every connection overwrites freed bytes (`engine::connect`), this one included.
        let mut erased = self.write(actor, |w| erase_in(w, id, &code, &ids, &needles))?;
        erased.log_emptied = super::engine::empty_log(self.conn())?;
        Ok(erased)
    }

    /// Whether `actor` may erase customer `id` now, checked before anyone is asked to confirm
    /// it (`careline customer erase` without `--yes`): the privacy permission, the customer,
    /// not erased or merged already, no open complaint. Each refusal is audited as the
    /// erase's own would be; nothing is written when it may.
    pub fn check_erase(&self, actor: &Actor, id: i64) -> Result<()> {
        self.erasable(actor, id).map(|_| ())
    }

    /// The checks of an erase: the customer's code and the records of the same person.
    fn erasable(&self, actor: &Actor, id: i64) -> Result<(String, Vec<i64>)> {
        self.require_about(actor, Permission::EraseCustomer, Some(id))?;
        let row: Option<(String, Option<i64>, Option<i64>)> = self
            .conn()
            .query_row(
                "SELECT code, erased_at, merged_into FROM customers WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((code, erased_at, merged_into)) = row else {
            return Err(StoreError::NotFound(format!("customer {id}")));
        };
        if let Some(at) = erased_at {
            let day = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
            return Err(StoreError::Conflict(format!(
                "customer {code} was erased already, on {}",
                day.format("%Y-%m-%d")
            )));
        }
        if let Some(into) = merged_into {
            return Err(StoreError::Conflict(format!(
                "customer {code} was merged into customer {into}; erase that one (its merged records go with it)"
            )));
        }
        let ids = person(self.conn(), id)?;
        let open: Option<i64> =
            self.conn()
                .query_row(
                    &format!(
                    "SELECT id FROM complaints WHERE customer_id IN ({}) AND status IN {} LIMIT 1",
                    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "),
                    *super::complaints::OPEN_STATUSES
                ),
                    [],
                    |r| r.get(0),
                )
                .optional()?;
        if let Some(complaint) = open {
            let reason = format!(
                "customer {code} has open complaint {complaint}; resolve and close it before erasing the customer"
            );
            // A data subject's request turned down is in the trail, with why.
            let entry = super::audit::AuditEntry {
                action: "customer.erase_refused".into(),
                entity: "customer".into(),
                entity_id: Some(id),
                detail: serde_json::json!({ "reason": reason }),
            };
            if let Err(e) = self.record(actor, &[entry]) {
                tracing::warn!("the refused erase of {code} was not audited: {e}");
            }
            return Err(StoreError::Conflict(reason));
        }
        Ok((code, ids))
    }
}

/// What the export of an erased customer says at its top: when the record was erased (and
/// by whom, when the log says so), and that what follows is what the erasure kept. None for a
/// customer not erased.
fn erasure_notice(conn: &Connection, id: i64) -> Result<Option<String>> {
    let row: Option<(String, Option<i64>)> = conn
        .query_row(
            "SELECT code, erased_at FROM customers WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((code, Some(at))) = row else {
        return Ok(None);
    };
    let by: Option<String> = conn
        .query_row(
            "SELECT actor_login FROM audit_log
              WHERE action = 'customer.erase' AND entity = 'customer' AND entity_id = ?1
              ORDER BY id DESC LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let day = DateTime::<Utc>::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| at.to_string());
    let by = by.map(|login| format!(" by {login}")).unwrap_or_default();
    Ok(Some(format!(
        "customer {code} was erased on {day} (UTC){by}: their name, numbers, addresses and every \
         other personal field were removed, and {ERASED_TEXT} stands where their records quoted \
         them; what follows is only what careline keeps after an erasure (the record's code and \
         figures, the history of contacts, complaints and reminders, the audit trail with the \
         erasure itself)"
    )))
}

/// Consent as it changed: the audited edits that set marketing consent or do-not-contact.
fn consent_history(conn: &Connection, ids: &[i64]) -> Result<Vec<Value>> {
    let found = rows(
        conn,
        "SELECT at, actor_login AS operator, action, detail FROM audit_log
          WHERE customer_id IN ({ids}) AND detail IS NOT NULL
            AND (action = 'customer.do_not_contact'
                 OR (action IN ('customer.edit', 'customer.create')
                     AND (detail LIKE '%marketing_consent%' OR detail LIKE '%do_not_contact%'
                          OR detail LIKE '%consent_date%' OR detail LIKE '%consent_channel%')))
          ORDER BY id",
        ids,
    )?;
    Ok(found)
}

/// What identifies the person in free text: their name and every contact value, as written,
/// normalised, and a phone's national digits.
fn needles(conn: &Connection, ids: &[i64]) -> Result<Vec<String>> {
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut found: Vec<String> = Vec::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT name FROM customers WHERE id IN ({list})
         UNION SELECT value FROM contacts WHERE customer_id IN ({list})
         UNION SELECT normalized FROM contacts WHERE customer_id IN ({list})"
    ))?;
    let values = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for value in values {
        let value = value.trim().to_string();
        // A phone's digits alone, and without the country code, as they are often typed.
        let digits: String = value.chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() >= 7 {
            if let Some(national) = digits.strip_prefix("86").filter(|n| n.len() >= 7) {
                found.push(national.to_string());
            }
            found.push(digits);
        }
        found.push(value);
    }
    // Too short to replace without rewriting unrelated text (a one-character name).
    found.retain(|n| n.chars().count() >= 2);
    // Longest first, so that a number is replaced whole before its national digits are
    // looked for; sorted whole so that `dedup` sees every copy side by side.
    found.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    found.dedup();
    Ok(found)
}

fn erase_in(
    w: &mut Writer<'_>,
    id: i64,
    code: &str,
    ids: &[i64],
    needles: &[String],
) -> Result<Erased> {
    let now = w.now().timestamp();
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let tx = w.tx();
    // Marked erased first: the contact log lets an erased customer's text be rewritten.
    tx.execute(
        &format!(
            "UPDATE customers SET name = ?1, company = NULL, industry = NULL,
                 company_size = NULL, occupation = NULL, income_band = NULL, birthday = NULL,
                 address = NULL, source = NULL, stability = NULL, interests = NULL,
                 preferences = NULL, preferred_channel = NULL, preferred_time = NULL,
                 notes = NULL, marketing_consent = 0, consent_date = NULL, consent_channel = NULL,
                 do_not_contact = 1, last_verified = NULL, erased_at = ?2, updated_at = ?2,
                 version = version + 1
             WHERE id IN ({list})"
        ),
        params![ERASED_TEXT, now],
    )?;
    let contacts_removed = tx.execute(
        &format!("DELETE FROM contacts WHERE customer_id IN ({list})"),
        [],
    )?;
    tx.execute(
        &format!("DELETE FROM customer_tags WHERE customer_id IN ({list})"),
        [],
    )?;
    tx.execute(
        &format!("DELETE FROM search_keys WHERE customer_id IN ({list})"),
        [],
    )?;
    super::engine::delete_from_name_index_securely(tx, &list)?;
    // Free text of their records: every quote of a name or number replaced.
    let complaints = format!("SELECT id FROM complaints WHERE customer_id IN ({list})");
    let opportunities = format!("SELECT id FROM opportunities WHERE customer_id IN ({list})");
    let texts: [(&str, &[&str], String); 11] = [
        (
            "interactions",
            &["summary", "feedback"],
            format!("customer_id IN ({list})"),
        ),
        (
            "complaints",
            &["title", "description", "waiting_reason"],
            format!("customer_id IN ({list})"),
        ),
        (
            "complaint_events",
            &["text", "facts"],
            format!("complaint_id IN ({complaints})"),
        ),
        (
            "compensations",
            &["note"],
            format!("complaint_id IN ({complaints})"),
        ),
        (
            "reminders",
            &["title", "note", "skip_reason"],
            format!("customer_id IN ({list})"),
        ),
        ("surveys", &["comment"], format!("customer_id IN ({list})")),
        ("grants", &["reason"], format!("customer_id IN ({list})")),
        (
            "access_requests",
            &["reason", "note"],
            format!("customer_id IN ({list})"),
        ),
        (
            "points_ledger",
            &["reason"],
            format!("customer_id IN ({list})"),
        ),
        (
            "opportunities",
            &["title", "product", "lost_reason"],
            format!("customer_id IN ({list})"),
        ),
        (
            "opportunity_events",
            &["reason"],
            format!("opportunity_id IN ({opportunities})"),
        ),
    ];
    let mut texts_rewritten = 0;
    for (table, columns, which) in &texts {
        for column in *columns {
            for needle in needles {
                texts_rewritten += tx.execute(
                    &format!(
                        "UPDATE {table} SET {column} = replace({column}, ?1, ?2)
                         WHERE {which} AND instr({column}, ?1) > 0"
                    ),
                    params![needle, ERASED_TEXT],
                )?;
            }
        }
    }
    let reminders_withdrawn = tx.execute(
        &format!(
            "UPDATE reminders SET status = 'deleted', skip_reason = 'withdrawn: the customer was erased',
                 snoozed_until = NULL, updated_at = ?1, version = version + 1
             WHERE customer_id IN ({list}) AND status IN ('open', 'snoozed')"
        ),
        [now],
    )?;
    // Their open sales opportunities end: lost, saying why, each move an event as any other.
    let withdrawn = "withdrawn: the customer was erased";
    let open_opportunities = format!(
        "customer_id IN ({list}) AND stage IN ('lead', 'qualified', 'proposal', 'negotiation')"
    );
    tx.execute(
        &format!(
            "INSERT INTO opportunity_events (opportunity_id, operator_id, at, from_stage,
                 to_stage, reason)
             SELECT id, ?1, ?2, stage, 'lost', ?3 FROM opportunities WHERE {open_opportunities}"
        ),
        params![w.actor().id, now, withdrawn],
    )?;
    let opportunities_withdrawn = tx.execute(
        &format!(
            "UPDATE opportunities SET stage = 'lost', closed_at = ?1, lost_reason = ?2,
                 updated_at = ?1, version = version + 1
             WHERE {open_opportunities}"
        ),
        params![now, withdrawn],
    )?;
    // Pops of their numbers, matched or not.
    tx.execute(
        &format!("DELETE FROM screen_pops WHERE customer_id IN ({list})"),
        [],
    )?;
    for needle in needles {
        tx.execute("DELETE FROM screen_pops WHERE number = ?1", [needle])?;
    }
    // Drafts of forms on their records, and any draft quoting them.
    let mut drafts_removed = tx.execute(
        &format!(
            "DELETE FROM drafts WHERE
                (form IN ('customer.edit', 'interaction.new', 'complaint.new', 'reminder.new',
                          'opportunity.new', 'opportunity.move')
                    AND entity_id IN ({list}))
             OR (form = 'interaction.amend' AND entity_id IN
                    (SELECT id FROM interactions WHERE customer_id IN ({list})))
             OR (form = 'complaint.step' AND entity_id IN ({complaints}))
             OR (form = 'reminder.step' AND entity_id IN
                    (SELECT id FROM reminders WHERE customer_id IN ({list})))"
        ),
        [],
    )?;
    for needle in needles {
        drafts_removed +=
            tx.execute("DELETE FROM drafts WHERE instr(content, ?1) > 0", [needle])?;
    }
    // The planner's samples of index keys may hold a name or number.
    super::engine::forget_samples(tx, needles)?;
    let audit_details_removed = super::audit::redact(tx, ids)?;
    let erased = Erased {
        customer_id: id,
        code: code.to_string(),
        tombstones: ids[1..].to_vec(),
        contacts_removed,
        texts_rewritten,
        drafts_removed,
        audit_details_removed,
        reminders_withdrawn,
        log_emptied: false,
    };
    w.audit(
        "customer.erase",
        "customer",
        Some(id),
        serde_json::json!({
            "code": code,
            "tombstones": erased.tombstones,
            "contacts_removed": contacts_removed,
            "texts_rewritten": texts_rewritten,
            "drafts_removed": drafts_removed,
            "audit_details_removed": audit_details_removed,
            "reminders_withdrawn": reminders_withdrawn,
            "opportunities_withdrawn": opportunities_withdrawn,
        }),
    );
    Ok(erased)
}
