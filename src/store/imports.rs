//! Writing checked import rows: in short batches, so that operators sharing the database are
//! never locked out for long, each batch audited.

use std::collections::HashMap;

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::customers::duplicates_of;
use super::purchases::{self, NewPurchase};
use super::{Actor, DuplicateWarning, Permission, Result, Store, StoreError};
use crate::domain::customer::CustomerFields;
use crate::domain::customer_contacts::{normalize_contacts, NormalContact};
use crate::domain::import_row::{PurchaseRow, RowError};

/// Rows written per transaction.
pub const BATCH: usize = 2_000;

/// Field errors of the row on `line`, named by it.
fn at_line(line: u64, errors: Vec<crate::domain::customer::FieldError>) -> StoreError {
    StoreError::Invalid(
        errors
            .into_iter()
            .map(|e| {
                crate::domain::customer::FieldError::new(
                    format!("line {line}: {}", e.field),
                    e.reason,
                )
            })
            .collect(),
    )
}

/// Purchase rows that passed (with their line numbers) and the rejected ones.
pub type CheckedPurchases = (Vec<(u64, NewPurchase)>, Vec<RowError>);

/// Customer rows that passed (with their line numbers) and the rejected ones.
pub type CheckedCustomers = (Vec<(u64, CustomerFields)>, Vec<RowError>);

/// A row flagged because its phone or email is already held by another customer (or by an
/// earlier row of the same file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportDuplicate {
    pub line: u64,
    pub field: String,
    pub value: String,
    /// The customer that already holds it, or `line N` of this file.
    pub held_by: String,
}

impl std::fmt::Display for ImportDuplicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: {} {} is already held by {}",
            self.line, self.field, self.value, self.held_by
        )
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub imported: u64,
    pub skipped_duplicates: u64,
    pub duplicates: Vec<ImportDuplicate>,
}

/// The checks of an import's rows read one at a time (see [`Store::begin_row_check`]): the
/// codes and contacts of the rows seen so far sit in a temporary table on disk, not in
/// memory, so a file of any size is checked in bounded memory.
pub struct RowCheck {
    /// Owner logins seen, and whether an operator has each.
    owners: HashMap<String, bool>,
    /// Keys recorded since the check's transaction began.
    pending: usize,
}

/// The page cache of the temporary table of a check, in KiB: bounded whatever the file's
/// size (pages beyond it go to the temporary file), and large enough that a million rows'
/// keys are not read back from it at every insert.
const CHECK_CACHE_KIB: i64 = 65_536;

/// The page cache while an import writes, in KiB: the rows' index entries land at random
/// places, and pages evicted between batches would be written out and read back.
const WRITE_CACHE_KIB: i64 = 65_536;

/// The temporary table of the codes (`c…`) and normalised contacts (`n…`) of the rows seen.
const SEEN: &str = "temp.careline_import_seen";

impl Store {
    /// Starts checking an import's rows one at a time, forgetting any earlier check.
    /// The keys are recorded [`BATCH`] to a transaction (one transaction per row cost a
    /// journal file's making and removal each); [`Store::end_row_check`] commits the last.
    pub fn begin_row_check(&self) -> Result<RowCheck> {
        if !self.conn().is_autocommit() {
            // An earlier check that stopped on an error: its keys are of no further use.
            self.conn().execute_batch("ROLLBACK")?;
        }
        // On disk, so that its pages beyond the bounded cache leave memory.
        self.conn().pragma_update(None, "temp_store", "FILE")?;
        self.conn()
            .pragma_update(Some("temp"), "cache_size", -CHECK_CACHE_KIB)?;
        self.conn().execute_batch(&format!(
            "DROP TABLE IF EXISTS {SEEN};
             CREATE TABLE {SEEN} (key TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;"
        ))?;
        Ok(RowCheck {
            owners: HashMap::new(),
            pending: 0,
        })
    }

    /// Ends a check begun by [`Store::begin_row_check`]: commits its last keys and drops
    /// its temporary table (and the cache it held).
    pub fn end_row_check(&self, check: RowCheck) -> Result<()> {
        drop(check);
        if !self.conn().is_autocommit() {
            self.conn().execute_batch("COMMIT")?;
        }
        self.conn()
            .execute_batch(&format!("DROP TABLE IF EXISTS {SEEN};"))?;
        Ok(())
    }

    /// Records `key` as seen on `line`; the line it was first seen on if it was already.
    fn seen_before(&self, check: &mut RowCheck, key: &str, line: u64) -> Result<Option<u64>> {
        if check.pending == 0 && self.conn().is_autocommit() {
            self.conn().execute_batch("BEGIN")?;
        }
        check.pending += 1;
        if check.pending >= BATCH {
            check.pending = 0;
            self.conn().execute_batch("COMMIT")?;
            self.conn().execute_batch("BEGIN")?;
        }
        let inserted = self
            .conn()
            .prepare_cached(&format!(
                "INSERT OR IGNORE INTO {SEEN} (key, line) VALUES (?1, ?2)"
            ))?
            .execute(rusqlite::params![key, line as i64])?;
        if inserted == 1 {
            return Ok(None);
        }
        let first: i64 = self
            .conn()
            .prepare_cached(&format!("SELECT line FROM {SEEN} WHERE key = ?1"))?
            .query_row([key], |r| r.get(0))?;
        Ok(Some(first as u64))
    }

    /// What only the database can tell about one customer row, without writing: an owner
    /// must be an operator, and a code must be free and not on an earlier row.
    pub fn refused_row(
        &self,
        check: &mut RowCheck,
        line: u64,
        fields: &CustomerFields,
    ) -> Result<Vec<RowError>> {
        let mut problems = Vec::new();
        if let Some(owner) = fields
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            let known = match check.owners.get(owner) {
                Some(known) => *known,
                None => {
                    let known = self.operator_by_login(owner)?.is_some();
                    check.owners.insert(owner.to_string(), known);
                    known
                }
            };
            if !known {
                problems.push(("owner", format!("no operator with login '{owner}'")));
            }
        }
        if let Some(code) = fields
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let taken: Option<String> = self
                .conn()
                .prepare_cached("SELECT name FROM customers WHERE code = ?1")?
                .query_row([code], |r| r.get(0))
                .optional()?;
            if let Some(name) = taken {
                problems.push(("code", format!("{code} is already used by {name}")));
            } else if let Some(first) = self.seen_before(check, &format!("c{code}"), line)? {
                problems.push(("code", format!("{code} is also on line {first}")));
            }
        }
        Ok(problems
            .into_iter()
            .map(|(column, reason)| RowError {
                line,
                column: column.into(),
                reason,
            })
            .collect())
    }

    /// The contacts of one row that another customer, or an earlier row, holds already.
    pub fn row_duplicates(
        &self,
        check: &mut RowCheck,
        line: u64,
        fields: &CustomerFields,
    ) -> Result<Vec<ImportDuplicate>> {
        let contacts = normalize_contacts(&fields.contacts, self.phone_rules()).unwrap_or_default();
        let mut out: Vec<ImportDuplicate> = duplicates_of(self.conn(), &contacts, None)?
            .into_iter()
            .map(
                |DuplicateWarning {
                     field,
                     value,
                     code,
                     name,
                     ..
                 }| ImportDuplicate {
                    line,
                    field,
                    value,
                    held_by: format!("{code} {name}"),
                },
            )
            .collect();
        for c in contacts.iter().filter(|c| {
            c.phone.is_some() || c.input.kind == crate::domain::contact::ContactKind::Email
        }) {
            if let Some(first) = self.seen_before(check, &format!("n{}", c.normalized), line)? {
                out.push(ImportDuplicate {
                    line,
                    field: c.input.kind.to_string(),
                    value: c.input.value.clone(),
                    held_by: format!("line {first} of this file"),
                });
            }
        }
        Ok(out)
    }

    /// Finds, without writing, the rows whose contacts another customer or an earlier row holds.
    pub fn import_duplicates(
        &self,
        rows: &[(u64, CustomerFields)],
    ) -> Result<Vec<ImportDuplicate>> {
        let mut check = self.begin_row_check()?;
        let mut out = Vec::new();
        let found = rows.iter().try_for_each(|(line, fields)| {
            out.extend(self.row_duplicates(&mut check, *line, fields)?);
            Ok(())
        });
        let ended = self.end_row_check(check);
        found.and(ended)?;
        Ok(out)
    }

    /// Checks what only the database can tell about customer rows, without writing (see
    /// [`Store::refused_row`]). Returns the rows that pass and the rejected ones.
    pub fn check_customer_rows(&self, rows: &[(u64, CustomerFields)]) -> Result<CheckedCustomers> {
        let mut check = self.begin_row_check()?;
        let mut good = Vec::new();
        let mut errors = Vec::new();
        let checked = rows.iter().try_for_each(|(line, fields)| {
            let problems = self.refused_row(&mut check, *line, fields)?;
            if problems.is_empty() {
                good.push((*line, fields.clone()));
            } else {
                errors.extend(problems);
            }
            Ok(())
        });
        let ended = self.end_row_check(check);
        checked.and(ended)?;
        Ok((good, errors))
    }

    /// Sets the page cache up for an import's writes (bounded, see [`WRITE_CACHE_KIB`]);
    /// [`Store::end_import_writes`] puts it back.
    pub fn begin_import_writes(&self) -> Result<()> {
        super::engine::set_cache_kib(self.conn(), WRITE_CACHE_KIB)
    }

    /// Puts the page cache back to its usual size after an import's writes.
    pub fn end_import_writes(&self) -> Result<()> {
        super::engine::set_cache_kib(self.conn(), super::engine::CACHE_KIB)
    }

    /// Writes one batch of checked customer rows in one transaction, audited as one entry.
    /// Returns how many it wrote.
    pub fn import_customer_batch(
        &mut self,
        actor: &Actor,
        source: &str,
        batch: &[(u64, CustomerFields)],
    ) -> Result<u64> {
        actor.require(Permission::ImportCustomers)?;
        let rules = self.phone_rules().clone();
        let prepared: Vec<(u64, &CustomerFields, Vec<NormalContact>)> = batch
            .iter()
            .map(|(line, f)| {
                normalize_contacts(&f.contacts, &rules)
                    .map(|c| (*line, f, c))
                    .map_err(|errors| at_line(*line, errors))
            })
            .collect::<Result<_>>()?;
        // A new customer has no purchases: its figures keep the schema's defaults (tier
        // potential, no churn risk), which is what refreshing them would write.
        self.write(actor, |w| {
            let mut first = None;
            let mut last = 0;
            for (line, fields, contacts) in &prepared {
                let id = super::insert_customer_quiet(w, fields, contacts).map_err(|e| match e {
                    StoreError::Invalid(errs) => at_line(*line, errs),
                    other => other,
                })?;
                first.get_or_insert(id);
                last = id;
            }
            w.audit(
                "import.customers",
                "customer",
                first,
                serde_json::json!({"source": source, "rows": prepared.len(), "first_id": first, "last_id": last}),
            );
            Ok(())
        })?;
        Ok(prepared.len() as u64)
    }

    /// Writes checked customer rows. With `skip_duplicates`, flagged rows are left out.
    /// Rows the database would refuse (see [`Store::check_customer_rows`]) refuse the whole
    /// import before anything is written.
    pub fn import_customers(
        &mut self,
        actor: &Actor,
        source: &str,
        rows: &[(u64, CustomerFields)],
        skip_duplicates: bool,
        progress: &dyn Fn(u64),
    ) -> Result<ImportOutcome> {
        actor.require(Permission::ImportCustomers)?;
        let (_, refused) = self.check_customer_rows(rows)?;
        if !refused.is_empty() {
            return Err(StoreError::Invalid(
                refused
                    .into_iter()
                    .map(|e| {
                        crate::domain::customer::FieldError::new(
                            format!("line {}: {}", e.line, e.column),
                            e.reason,
                        )
                    })
                    .collect(),
            ));
        }
        let duplicates = self.import_duplicates(rows)?;
        let flagged: std::collections::HashSet<u64> = duplicates.iter().map(|d| d.line).collect();
        let wanted: Vec<(u64, CustomerFields)> = rows
            .iter()
            .filter(|(line, _)| !(skip_duplicates && flagged.contains(line)))
            .cloned()
            .collect();
        let mut imported = 0u64;
        for batch in wanted.chunks(BATCH) {
            imported += self.import_customer_batch(actor, source, batch)?;
            progress(imported);
        }
        Ok(ImportOutcome {
            imported,
            skipped_duplicates: (rows.len() - wanted.len()) as u64,
            duplicates,
        })
    }

    /// Resolves each purchase row's customer and checks its order number, without writing.
    pub fn check_purchases(&self, rows: &[(u64, PurchaseRow)]) -> Result<CheckedPurchases> {
        let mut good = Vec::new();
        let mut errors = Vec::new();
        let mut orders: HashMap<&str, u64> = HashMap::new();
        for (line, row) in rows {
            let customer_id = match self.resolve_customer(&row.customer) {
                Ok(id) => id,
                Err(StoreError::NotFound(_)) => {
                    errors.push(RowError {
                        line: *line,
                        column: "customer".into(),
                        reason: format!("no customer '{}'", row.customer),
                    });
                    continue;
                }
                Err(StoreError::Conflict(reason)) => {
                    errors.push(RowError {
                        line: *line,
                        column: "customer".into(),
                        reason,
                    });
                    continue;
                }
                Err(e) => return Err(e),
            };
            if let Some(order) = row.order_no.as_deref() {
                if purchases::order_exists(self.conn(), order)? {
                    errors.push(RowError {
                        line: *line,
                        column: "order_no".into(),
                        reason: format!("order {order} is already recorded"),
                    });
                    continue;
                }
                if let Some(first) = orders.insert(order, *line) {
                    errors.push(RowError {
                        line: *line,
                        column: "order_no".into(),
                        reason: format!("order {order} is also on line {first}"),
                    });
                    continue;
                }
            }
            good.push((
                *line,
                NewPurchase {
                    customer_id,
                    order_no: row.order_no.clone(),
                    purchased_on: row.purchased_on,
                    amount_cents: row.amount_cents,
                    product: row.product.clone(),
                    category: row.category.clone(),
                    quantity: row.quantity,
                    channel: row.channel.clone(),
                },
            ));
        }
        Ok((good, errors))
    }

    /// Writes checked purchases and refreshes the figures and tiers of the customers they touch.
    pub fn import_purchases(
        &mut self,
        actor: &Actor,
        source: &str,
        rows: &[(u64, NewPurchase)],
        progress: &dyn Fn(u64),
    ) -> Result<u64> {
        actor.require(Permission::ImportPurchases)?;
        let mut imported = 0u64;
        for batch in rows.chunks(BATCH) {
            self.write(actor, |w| {
                let mut touched: Vec<i64> = Vec::new();
                for (_, p) in batch {
                    purchases::insert(w.tx(), p, w.now().timestamp())?;
                    touched.push(p.customer_id);
                }
                touched.sort_unstable();
                touched.dedup();
                for id in &touched {
                    super::refresh_purchase_summary(w, *id)?;
                }
                w.audit(
                    "import.purchases",
                    "purchase",
                    None,
                    serde_json::json!({"source": source, "rows": batch.len(), "customers": touched.len()}),
                );
                Ok(())
            })?;
            imported += batch.len() as u64;
            progress(imported);
        }
        self.write(actor, |w| {
            super::refresh_rfm_in(w)?;
            w.audit("rfm.refresh", "customer", None, serde_json::Value::Null);
            Ok(())
        })?;
        Ok(imported)
    }
}
