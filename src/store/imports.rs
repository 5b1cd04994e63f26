//! Checking import rows against the database and writing them: customers in one bulk load
//! (one transaction, one audit entry), purchases in short batches, each batch audited.

use std::collections::HashMap;
use std::sync::mpsc::SyncSender;

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::bulk::{BulkLoad, PreparedCustomer, Preparer, Rows};
use super::purchases::{self, NewPurchase, PurchaseFigures};
use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::customer::CustomerFields;
use crate::domain::customer_contacts::{normalize_contacts, NormalContact};
use crate::domain::import_row::{PurchaseRow, RowError};

/// Rows written per transaction.
pub const BATCH: usize = 2_000;

/// An error of the row on `line`: its field errors named by it.
fn on_line(line: u64, e: StoreError) -> StoreError {
    match e {
        StoreError::Invalid(errors) => at_line(line, errors),
        other => other,
    }
}

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

/// The checks of an import's rows read one at a time (see [`Store::begin_row_check`]).
///
/// Asking the database about every row as it is read (is this code or number already on an
/// earlier row?) cost most of an import's time: a million lookups and inserts at random
/// places of a b-tree. So a check only notes each row's code and contacts, in a temporary
/// table on disk (bounded memory whatever the file's size), in the order read, and
/// [`Store::end_row_check`] finds the repeats and the numbers other customers hold with a few
/// statements over all of them at once: one sort instead of millions of searches.
pub struct RowCheck<'s> {
    store: &'s Store,
    /// Owner logins seen: whether an operator has each, and whether they are active.
    owners: HashMap<String, Option<bool>>,
    /// The database held customers when the check began: only then can a row's code be
    /// taken or its numbers held already.
    populated: bool,
    /// Rows checked that bring no code: the import numbers them.
    uncoded: u64,
    /// The keys noted, written many to a statement.
    keys: Rows<'s>,
    /// Whether the check's transaction is still open.
    open: bool,
}

/// What a check found about one line, in the order of the file's lines (see
/// [`Store::end_row_check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The row cannot be imported.
    Rejected(RowError),
    /// The row's phone or email is held already.
    Duplicate(ImportDuplicate),
}

/// What a finished check hands on to the write of its rows (see
/// [`Store::import_customer_rows`]).
#[derive(Debug)]
pub struct CheckedRows {
    /// The codes the rows bring are kept for the write, which numbers the rows without one
    /// around them.
    codes_kept: bool,
}

/// Rows prepared in one go on the thread that reads them.
const PREPARED_BATCH: usize = 1_000;

/// Batches the preparing thread may be ahead of the writing one.
const BATCHES_AHEAD: usize = 4;

/// Turns rows into what a [`BulkLoad`] writes, on the thread that reads them.
struct RowPreparer {
    preparer: Preparer,
    none: PurchaseFigures,
    first_id: i64,
}

/// A row to write: its line, fields and normalised contacts, or why it has none.
pub type ImportRow = Result<(u64, CustomerFields, Vec<NormalContact>)>;

/// Prepared rows with their lines, or why one could not be prepared.
type PreparedBatch = Result<Vec<(u64, PreparedCustomer)>>;

impl RowPreparer {
    /// Sends the rows prepared, in order and numbered from `first_id`, until all are sent, one
    /// failed (its error is sent) or nobody listens any more.
    fn run(self, rows: impl Iterator<Item = ImportRow>, sender: &SyncSender<PreparedBatch>) {
        let mut batch = Vec::with_capacity(PREPARED_BATCH);
        for (id, row) in (self.first_id..).zip(rows) {
            let prepared = row.and_then(|(line, fields, contacts)| {
                self.preparer
                    .customer(id, fields, contacts, &self.none, None, 0)
                    .map(|customer| (line, customer))
                    .map_err(|e| on_line(line, e))
            });
            match prepared {
                Ok(prepared) => batch.push(prepared),
                Err(e) => {
                    // Nobody listening means the writer stopped on an error of its own, which
                    // it reports.
                    if sender.send(Err(e)).is_err() {
                        tracing::debug!("import: the writer stopped before a row's error");
                    }
                    return;
                }
            }
            if batch.len() == PREPARED_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(PREPARED_BATCH));
                if sender.send(Ok(full)).is_err() {
                    return;
                }
            }
        }
        if !batch.is_empty() && sender.send(Ok(batch)).is_err() {
            tracing::debug!("import: the writer stopped before the last rows");
        }
    }
}

/// The page cache of the temporary tables of a check, in KiB: bounded whatever the file's
/// size (pages beyond it go to the temporary file).
const CHECK_CACHE_KIB: i64 = 65_536;

/// The page cache while an import writes into a database with customers, in KiB: the rows'
/// index entries land at random places, and pages evicted would be written out and read back.
/// SQLite sorts in pieces as large as the page cache (FTS5 gathered 64 MiB of terms as well
/// then): with 64 MiB here an import of 200,000 customers into the million of the reference
/// database peaked at 250 MiB, too close to the 256 MB of DESIGN §7.
const WRITE_CACHE_KIB: i64 = 32_768;

/// The codes (`c…`) and normalised phones and emails (`n…`) of the rows checked, in the order
/// read (`seq`), with the line, field and value as written, for the warnings.
const KEYS: &str = "temp.careline_import_keys";

/// What a check found, to be read back in line order.
const FINDINGS: &str = "temp.careline_import_findings";

/// The codes the rows of a check bring, kept for its write.
const CODES: &str = "temp.careline_import_codes";

/// A row's error as a finding to keep.
fn keep_rejection(conn: &rusqlite::Connection, e: &RowError) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO {FINDINGS} (line, kind, field, reason) VALUES (?1, 0, ?2, ?3)"
    ))?
    .execute(rusqlite::params![e.line as i64, e.column, e.reason])?;
    Ok(())
}

impl RowCheck<'_> {
    /// Keeps the errors of a row that failed its own checks.
    pub fn reject(&mut self, errors: &[RowError]) -> Result<()> {
        for e in errors {
            keep_rejection(self.store.conn(), e)?;
        }
        Ok(())
    }

    /// Checks one row that passed its own checks: what the database refuses at once (an
    /// owner that is no operator, a code another customer holds) is kept as its rejection;
    /// otherwise its code and contacts are noted for [`Store::end_row_check`].
    pub fn row(&mut self, line: u64, fields: &CustomerFields) -> Result<()> {
        let contacts =
            normalize_contacts(&fields.contacts, self.store.phone_rules()).unwrap_or_default();
        self.normalized_row(line, fields, &contacts)
    }

    /// [`RowCheck::row`] for a row whose contacts are already normalised.
    pub fn normalized_row(
        &mut self,
        line: u64,
        fields: &CustomerFields,
        contacts: &[NormalContact],
    ) -> Result<()> {
        let refused = self.refusals(line, fields)?;
        if refused.is_empty() {
            self.note_contacts(line, contacts)
        } else {
            self.reject(&refused)
        }
    }

    /// What only the database can tell about a row at once: an owner must be an operator,
    /// and a code must be free. A code that is free is noted, to find it on other rows.
    fn refusals(&mut self, line: u64, fields: &CustomerFields) -> Result<Vec<RowError>> {
        let mut problems = Vec::new();
        if let Some(owner) = fields
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            let active = match self.owners.get(owner) {
                Some(active) => *active,
                None => {
                    let active = self.store.operator_by_login(owner)?.map(|o| o.active);
                    self.owners.insert(owner.to_string(), active);
                    active
                }
            };
            match active {
                None => problems.push(("owner", format!("no operator with login '{owner}'"))),
                Some(false) => problems.push((
                    "owner",
                    format!("'{owner}' is a disabled operator; choose an active one"),
                )),
                Some(true) => {}
            }
        }
        match fields
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(code) => {
                let taken: Option<String> = if self.populated {
                    self.store
                        .conn()
                        .prepare_cached("SELECT name FROM customers WHERE code = ?1")?
                        .query_row([code], |r| r.get(0))
                        .optional()?
                } else {
                    None
                };
                match taken {
                    Some(name) => {
                        problems.push(("code", format!("{code} is already used by {name}")))
                    }
                    None => self.note(line, format!("c{code}"), "code", code)?,
                }
            }
            None => self.uncoded += 1,
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

    /// Notes the phones and emails of a row.
    fn contacts(&mut self, line: u64, fields: &CustomerFields) -> Result<()> {
        let contacts =
            normalize_contacts(&fields.contacts, self.store.phone_rules()).unwrap_or_default();
        self.note_contacts(line, &contacts)
    }

    fn note_contacts(&mut self, line: u64, contacts: &[NormalContact]) -> Result<()> {
        for c in contacts.iter().filter(|c| {
            c.phone.is_some() || c.input.kind == crate::domain::contact::ContactKind::Email
        }) {
            self.note(
                line,
                format!("n{}", c.normalized),
                &c.input.kind.to_string(),
                &c.input.value,
            )?;
        }
        Ok(())
    }

    fn note(&mut self, line: u64, key: String, field: &str, value: &str) -> Result<()> {
        self.keys.push([
            (line as i64).into(),
            key.into(),
            field.to_string().into(),
            value.to_string().into(),
        ])?;
        self.keys.write_chunks()
    }
}

impl Drop for RowCheck<'_> {
    /// A check dropped before its end (an error stopped it) leaves no transaction open.
    fn drop(&mut self) {
        if self.open && !self.store.conn().is_autocommit() {
            if let Err(e) = self.store.conn().execute_batch("ROLLBACK") {
                tracing::warn!("an import check could not roll its notes back: {e}");
            }
        }
    }
}

impl Store {
    /// Starts checking an import's rows one at a time, forgetting any earlier check; its notes
    /// are written in one transaction of the temporary database, which
    /// [`Store::end_row_check`] ends.
    pub fn begin_row_check(&self) -> Result<RowCheck<'_>> {
        if !self.conn().is_autocommit() {
            // An earlier check that stopped on an error: its notes are of no further use.
            self.conn().execute_batch("ROLLBACK")?;
        }
        // On disk, so that its pages beyond the bounded cache leave memory.
        self.conn().pragma_update(None, "temp_store", "FILE")?;
        self.conn()
            .pragma_update(Some("temp"), "cache_size", -CHECK_CACHE_KIB)?;
        self.conn().execute_batch(&format!(
            "DROP TABLE IF EXISTS {KEYS};
             DROP TABLE IF EXISTS {FINDINGS};
             DROP TABLE IF EXISTS {CODES};
             CREATE TABLE {KEYS} (seq INTEGER PRIMARY KEY, line INTEGER NOT NULL,
                                  key TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL);
             CREATE TABLE {FINDINGS} (id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
                                      kind INTEGER NOT NULL, seq INTEGER, field TEXT,
                                      reason TEXT, value TEXT, held_by TEXT);"
        ))?;
        let populated =
            self.conn()
                .query_row("SELECT EXISTS (SELECT 1 FROM customers)", [], |r| r.get(0))?;
        let keys = Rows::new(
            self.conn(),
            &format!("INSERT INTO {KEYS} (line, key, field, value)"),
            4,
        )?;
        self.conn().execute_batch("BEGIN")?;
        Ok(RowCheck {
            store: self,
            owners: HashMap::new(),
            populated,
            uncoded: 0,
            keys,
            open: true,
        })
    }

    /// Ends a check begun by [`Store::begin_row_check`]: finds the codes repeated on a later
    /// row (a rejection of that row), then, leaving the rejected rows out, the phones and
    /// emails another customer or an earlier row holds (a warning each), and gives `each`
    /// every rejection and warning in the order of the file's lines (in a line: rejections,
    /// then what other customers hold, then what earlier rows hold). The rows' codes are kept
    /// for their write when some rows bring none.
    pub fn end_row_check(
        &self,
        mut check: RowCheck<'_>,
        each: &mut dyn FnMut(Finding) -> Result<()>,
    ) -> Result<CheckedRows> {
        check.keys.write_all()?;
        let started = std::time::Instant::now();
        let conn = self.conn();
        // The keys of one kind (`c` codes, `n` numbers) noted more than once, each with its
        // first note.
        let repeated = |kind: char| {
            let next = (kind as u8 + 1) as char;
            format!(
                "SELECT key, min(seq) AS seq FROM {KEYS} WHERE key >= '{kind}' AND key < '{next}'
                 GROUP BY key HAVING count(*) > 1"
            )
        };
        let (repeated_codes, repeated_contacts) = (repeated('c'), repeated('n'));
        conn.execute_batch(&format!(
            "CREATE INDEX temp.careline_import_keys_key ON careline_import_keys (key, seq);
             INSERT INTO {FINDINGS} (line, kind, field, reason)
                 SELECT k.line, 0, 'code', k.value || ' is also on line ' || f.line
                 FROM ({repeated_codes}) d
                 JOIN {KEYS} k ON k.key = d.key AND k.seq > d.seq
                 JOIN {KEYS} f ON f.seq = d.seq
                 ORDER BY k.seq;"
        ))?;
        let refused: bool = conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {FINDINGS} WHERE kind = 0)"),
            [],
            |r| r.get(0),
        )?;
        if refused {
            // A rejected row holds no number for later rows (it will not be imported). Read
            // in the table's order: the keys' index does not hold the line.
            conn.execute_batch(&format!(
                "DELETE FROM {KEYS} NOT INDEXED WHERE key >= 'n' AND key < 'o'
                     AND line IN (SELECT line FROM {FINDINGS} WHERE kind = 0);"
            ))?;
        }
        if check.populated {
            // Each number against the customers holding it, at most three, in key order.
            conn.execute_batch(&format!(
                "INSERT INTO {FINDINGS} (line, kind, seq, field, value, held_by)
                 SELECT line, 1, seq, field, value, code || ' ' || name FROM (
                     SELECT k.line, k.seq, k.field, k.value, cu.code, cu.name,
                            row_number() OVER (PARTITION BY k.seq ORDER BY ct.id) AS nth
                     FROM {KEYS} k CROSS JOIN contacts ct CROSS JOIN customers cu
                     WHERE k.key >= 'n' AND k.key < 'o' AND ct.normalized = substr(k.key, 2)
                       AND cu.id = ct.customer_id AND cu.merged_into IS NULL)
                 WHERE nth <= 3
                 ORDER BY seq;"
            ))?;
        }
        conn.execute_batch(&format!(
            "INSERT INTO {FINDINGS} (line, kind, seq, field, value, held_by)
                 SELECT k.line, 2, k.seq, k.field, k.value, 'line ' || f.line || ' of this file'
                 FROM ({repeated_contacts}) d
                 JOIN {KEYS} k ON k.key = d.key AND k.seq > d.seq
                 JOIN {KEYS} f ON f.seq = d.seq
                 ORDER BY k.seq;"
        ))?;
        let codes_kept = check.uncoded > 0;
        if codes_kept {
            conn.execute_batch(&format!(
                "CREATE TABLE {CODES} (code TEXT PRIMARY KEY) WITHOUT ROWID;
                 INSERT OR IGNORE INTO {CODES} (code)
                     SELECT value FROM {KEYS} WHERE key >= 'c' AND key < 'd' ORDER BY key;"
            ))?;
        }
        tracing::info!(
            "import check: repeats and holders found in {:?}",
            started.elapsed()
        );
        {
            let mut stmt = conn.prepare(&format!(
                "SELECT line, kind, field, reason, value, held_by FROM {FINDINGS}
                 ORDER BY line, kind, id"
            ))?;
            let mut found = stmt.query([])?;
            while let Some(r) = found.next()? {
                let line = r.get::<_, i64>(0)? as u64;
                let finding = if r.get::<_, i64>(1)? == 0 {
                    Finding::Rejected(RowError {
                        line,
                        column: r.get(2)?,
                        reason: r.get(3)?,
                    })
                } else {
                    Finding::Duplicate(ImportDuplicate {
                        line,
                        field: r.get(2)?,
                        value: r.get(4)?,
                        held_by: r.get(5)?,
                    })
                };
                each(finding)?;
            }
        }
        check.open = false;
        drop(check);
        conn.execute_batch(&format!(
            "COMMIT; DROP TABLE IF EXISTS {KEYS}; DROP TABLE IF EXISTS {FINDINGS};"
        ))?;
        // The cache the check filled is given back before the rows are written.
        conn.pragma_update(Some("temp"), "cache_size", -super::engine::SORT_CACHE_KIB)?;
        conn.execute_batch("PRAGMA shrink_memory")?;
        Ok(CheckedRows { codes_kept })
    }

    /// Checks `rows` through a [`RowCheck`]: whether to note only contacts (`refusals`
    /// false) or everything.
    fn check_rows(
        &self,
        rows: &[(u64, CustomerFields)],
        refusals: bool,
        each: &mut dyn FnMut(Finding) -> Result<()>,
    ) -> Result<CheckedRows> {
        let mut check = self.begin_row_check()?;
        for (line, fields) in rows {
            if refusals {
                check.row(*line, fields)?;
            } else {
                check.contacts(*line, fields)?;
            }
        }
        self.end_row_check(check, each)
    }

    /// Finds, without writing, the rows whose contacts another customer or an earlier row holds.
    pub fn import_duplicates(
        &self,
        rows: &[(u64, CustomerFields)],
    ) -> Result<Vec<ImportDuplicate>> {
        let mut out = Vec::new();
        self.check_rows(rows, false, &mut |finding| {
            if let Finding::Duplicate(d) = finding {
                out.push(d);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Checks what only the database can tell about customer rows, without writing: an owner
    /// must be an operator, and a code must be free and not on an earlier row. Returns the
    /// rows that pass and the rejected ones.
    pub fn check_customer_rows(&self, rows: &[(u64, CustomerFields)]) -> Result<CheckedCustomers> {
        let mut errors = Vec::new();
        self.check_rows(rows, true, &mut |finding| {
            if let Finding::Rejected(e) = finding {
                errors.push(e);
            }
            Ok(())
        })?;
        let refused: std::collections::HashSet<u64> = errors.iter().map(|e| e.line).collect();
        let good = rows
            .iter()
            .filter(|(line, _)| !refused.contains(line))
            .cloned()
            .collect();
        Ok((good, errors))
    }

    /// Writes checked customer rows, as [`Store::end_row_check`] handed them on, in ONE
    /// transaction (a failure leaves nothing of them), audited as one entry. `rows` gives the
    /// rows to write; it is called again if the database was busy and the write begins again.
    ///
    /// The rows go through a [`BulkLoad`]: many to a statement, the lookup keys and
    /// searchable text written at the end in order and, into a database without customers,
    /// its indexes built after the rows with the connection set up for the load (see
    /// `Store::begin_fast_load`). Returns how many rows it wrote.
    pub fn import_customer_rows<I>(
        &mut self,
        actor: &Actor,
        source: &str,
        checked: &CheckedRows,
        rows: &mut dyn FnMut() -> Result<I>,
        progress: &dyn Fn(u64),
    ) -> Result<u64>
    where
        I: Iterator<Item = ImportRow> + Send,
    {
        self.require(actor, Permission::ImportCustomers)?;
        let started = std::time::Instant::now();
        let populated: bool =
            self.conn()
                .query_row("SELECT EXISTS (SELECT 1 FROM customers)", [], |r| r.get(0))?;
        // Into a database without customers the load appends and builds its indexes at the
        // end: the usual cache does. Into one with customers, index entries land at random.
        if populated {
            super::engine::set_cache_kib(self.conn(), WRITE_CACHE_KIB)?;
        }
        let fast = if populated {
            None
        } else {
            Some(self.begin_fast_load()?)
        };
        let written = self.write(actor, |w| {
            let mut bulk = BulkLoad::begin(w.tx())?;
            if checked.codes_kept {
                bulk.reserve_codes_in(CODES);
            }
            let prepare = RowPreparer {
                preparer: Preparer::new(w)?,
                // A new customer has no purchases: the figures of none (tier potential, no
                // churn risk), as a customer created on its own gets.
                none: PurchaseFigures::new(w.today()),
                first_id: bulk.next_id(),
            };
            let rows = rows()?;
            let (mut first, mut last, mut count) = (None, 0, 0u64);
            // A second thread reads and prepares the rows while this one writes them.
            std::thread::scope(|scope| -> Result<()> {
                let (sender, batches) = std::sync::mpsc::sync_channel(BATCHES_AHEAD);
                scope.spawn(move || prepare.run(rows, &sender));
                for batch in batches {
                    for (line, customer) in batch? {
                        let id = bulk.next_id();
                        bulk.add(customer).map_err(|e| on_line(line, e))?;
                        first.get_or_insert(id);
                        last = id;
                        count += 1;
                    }
                    bulk.write()?;
                    progress(count);
                }
                Ok(())
            })?;
            tracing::info!(
                "import: {count} customers written in {:?}",
                started.elapsed()
            );
            bulk.finish()?;
            if count > 0 {
                w.audit(
                    "import.customers",
                    "customer",
                    first,
                    serde_json::json!({"source": source, "rows": count, "first_id": first, "last_id": last}),
                );
            }
            Ok(count)
        });
        let committed = started.elapsed();
        let restored = match fast {
            Some(fast) => self.end_fast_load(fast),
            None => Ok(()),
        };
        let cache = super::engine::set_cache_kib(self.conn(), super::engine::CACHE_KIB);
        let dropped = self
            .conn()
            .execute_batch(&format!("DROP TABLE IF EXISTS {CODES}"));
        let count = written?;
        restored?;
        cache?;
        dropped?;
        progress(count);
        tracing::info!(
            "import: committed at {committed:?}, {:?} in all",
            started.elapsed()
        );
        Ok(count)
    }

    /// Checks and writes customer rows held in memory. With `skip_duplicates`, flagged rows
    /// are left out. Rows the database would refuse (see [`Store::check_customer_rows`])
    /// refuse the whole import before anything is written.
    pub fn import_customers(
        &mut self,
        actor: &Actor,
        source: &str,
        rows: &[(u64, CustomerFields)],
        skip_duplicates: bool,
        progress: &dyn Fn(u64),
    ) -> Result<ImportOutcome> {
        self.require(actor, Permission::ImportCustomers)?;
        let (mut refused, mut duplicates) = (Vec::new(), Vec::new());
        let checked = self.check_rows(rows, true, &mut |finding| {
            match finding {
                Finding::Rejected(e) => refused.push(e),
                Finding::Duplicate(d) => duplicates.push(d),
            }
            Ok(())
        })?;
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
        let flagged: std::collections::HashSet<u64> = duplicates.iter().map(|d| d.line).collect();
        let rules = self.phone_rules().clone();
        let wanted: Vec<&(u64, CustomerFields)> = rows
            .iter()
            .filter(|(line, _)| !(skip_duplicates && flagged.contains(line)))
            .collect();
        let imported = if wanted.is_empty() {
            0
        } else {
            self.import_customer_rows(
                actor,
                source,
                &checked,
                &mut || {
                    Ok(wanted.iter().map(|(line, fields)| {
                        normalize_contacts(&fields.contacts, &rules)
                            .map(|contacts| (*line, fields.clone(), contacts))
                            .map_err(|e| at_line(*line, e))
                    }))
                },
                progress,
            )?
        };
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

    /// Writes checked purchases, credits the points each earns in the same transaction, and
    /// refreshes the figures and tiers of the customers they touch; then the RFM scores of
    /// everyone (quintiles over the whole base).
    pub fn import_purchases(
        &mut self,
        actor: &Actor,
        source: &str,
        rows: &[(u64, NewPurchase)],
        progress: &dyn Fn(u64),
    ) -> Result<u64> {
        self.require(actor, Permission::ImportPurchases)?;
        let mut imported = 0u64;
        for batch in rows.chunks(BATCH) {
            self.write(actor, |w| {
                let mut touched: Vec<i64> = Vec::new();
                let mut points = 0;
                for (_, p) in batch {
                    let id = purchases::insert(w.tx(), p, w.now().timestamp())?;
                    points += super::points::accrue(w, id, p)?;
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
                    serde_json::json!({"source": source, "rows": batch.len(), "customers": touched.len(), "points": points}),
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
