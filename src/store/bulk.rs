//! Bulk loads (the demo generator): many new customers with their history in one write.
//!
//! Row by row, such a load spends its time on statements and on inserting into secondary
//! indexes in random order. So a load
//! - buffers its rows and writes them many to a statement ([`Rows`]);
//! - writes each customer row once, complete with what its purchases add up to;
//! - stages the lookup keys and searchable text, and writes them at the end in key order and
//!   in id order;
//! - into a database without customers, drops the full secondary indexes of the tables it
//!   fills and builds them again at the end, in the same transaction: one sort each instead of
//!   millions of scattered inserts. Their definitions are read from the schema before they are
//!   dropped, so the migrations stay the one place that defines them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, Statement, Transaction};

use super::customers;
use super::engine::{self, FastLoad};
use super::purchases::{self, PurchaseFigures, RfmFigures};
use super::search::SearchDoc;
use super::{Cell, Result, Store, StoreError, Writer};
use crate::domain::customer::CustomerFields;
use crate::domain::customer_contacts::NormalContact;
use crate::domain::tier::TierRules;

/// The tables a bulk load fills.
const FILLED: &[&str] = &[
    "customers",
    "contacts",
    "customer_tags",
    "search_keys",
    "purchases",
    "interactions",
    "complaints",
    "points_ledger",
    "complaint_events",
    "surveys",
    "reminders",
    "opportunities",
    "opportunity_events",
];

/// The lookup keys (a JSON array a customer) and searchable text of the customers loaded so
/// far, written to `search_keys` in key order and to `customer_text` in id order at the end.
const STAGED: &str = "temp.careline_bulk_index";

/// Rows written by one statement.
const CHUNK: usize = 64;

/// How [`Rows`] binds one column.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Column {
    /// The value as given.
    Value,
    /// One of a few texts (or NULL), bound as its place in the list and turned back into the
    /// text by the statement: SQLite copies every text bound to a statement, which for tens of
    /// millions of repeated words costs more than a `CASE`.
    OneOf(&'static [&'static str]),
}

/// Rows of one table, buffered and written [`CHUNK`] to a statement.
pub(crate) struct Rows<'c> {
    conn: &'c Connection,
    head: String,
    columns: Vec<Column>,
    values: Vec<Cell>,
    chunk: Statement<'c>,
}

impl<'c> Rows<'c> {
    /// Rows for `head` (`INSERT INTO table (columns)`) of plain values, `width` a row.
    pub(crate) fn new(conn: &'c Connection, head: &str, width: usize) -> Result<Rows<'c>> {
        Rows::with_columns(conn, head, &vec![Column::Value; width])
    }

    /// Rows for `head` (`INSERT INTO table (columns)`) bound as `columns` say.
    pub(crate) fn with_columns(
        conn: &'c Connection,
        head: &str,
        columns: &[Column],
    ) -> Result<Rows<'c>> {
        Ok(Rows {
            conn,
            head: head.to_string(),
            columns: columns.to_vec(),
            values: Vec::with_capacity(2 * CHUNK * columns.len()),
            chunk: conn.prepare(&statement(head, columns, CHUNK))?,
        })
    }

    /// Adds one row, a value for each column.
    pub(crate) fn push(&mut self, row: impl IntoIterator<Item = Cell>) -> Result<()> {
        let before = self.values.len();
        for (value, column) in row.into_iter().zip(self.columns.iter().cycle()) {
            let value = match (column, value) {
                (Column::OneOf(texts), ToSqlOutput::Borrowed(ValueRef::Text(text))) => {
                    choice(texts, text)?
                }
                (Column::OneOf(texts), ToSqlOutput::Owned(Value::Text(text))) => {
                    choice(texts, text.as_bytes())?
                }
                (_, value) => value,
            };
            self.values.push(value);
        }
        if self.values.len() - before != self.columns.len() {
            return Err(StoreError::Database(format!(
                "a row of {} values for the {} columns of `{}`",
                self.values.len() - before,
                self.columns.len(),
                self.head
            )));
        }
        Ok(())
    }

    /// Writes every full chunk; the rest stays buffered.
    pub(crate) fn write_chunks(&mut self) -> Result<()> {
        let size = CHUNK * self.columns.len();
        let mut done = 0;
        while self.values.len() - done >= size {
            for (i, value) in self.values[done..done + size].iter().enumerate() {
                self.chunk.raw_bind_parameter(i + 1, value)?;
            }
            self.chunk.raw_execute()?;
            done += size;
        }
        self.values.drain(..done);
        Ok(())
    }

    /// Writes every buffered row.
    pub(crate) fn write_all(&mut self) -> Result<()> {
        self.write_chunks()?;
        if !self.values.is_empty() {
            let rows = self.values.len() / self.columns.len();
            let mut stmt = self
                .conn
                .prepare_cached(&statement(&self.head, &self.columns, rows))?;
            for (i, value) in self.values.iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, value)?;
            }
            stmt.raw_execute()?;
            self.values.clear();
        }
        Ok(())
    }
}

/// The place of `text` in `texts`, to bind for a [`Column::OneOf`].
fn choice(texts: &[&str], text: &[u8]) -> Result<Cell> {
    texts
        .iter()
        .position(|t| t.as_bytes() == text)
        .map(|i| Cell::from(i as i64))
        .ok_or_else(|| {
            StoreError::Conflict(format!(
                "'{}' is not one of the texts of its column",
                String::from_utf8_lossy(text)
            ))
        })
}

/// `{head} VALUES (…), …`: `rows` rows of a parameter a column, a `CASE` around those of the
/// [`Column::OneOf`] columns.
fn statement(head: &str, columns: &[Column], rows: usize) -> String {
    let values: Vec<String> = columns
        .iter()
        .map(|column| match column {
            Column::Value => "?".to_string(),
            Column::OneOf(texts) => {
                let whens: Vec<String> = texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("WHEN {i} THEN '{}'", t.replace('\'', "''")))
                    .collect();
                format!("CASE ? {} END", whens.join(" "))
            }
        })
        .collect();
    let row = format!("({})", values.join(", "));
    format!("{head} VALUES {}", vec![row; rows].join(", "))
}

/// What preparing a customer's rows needs; it can be sent to a thread that prepares
/// customers while another writes them.
#[derive(Debug, Clone)]
pub(crate) struct Preparer {
    now: DateTime<Utc>,
    today: NaiveDate,
    tiers: TierRules,
    /// Operators by login, for owners.
    operators: HashMap<String, i64>,
}

/// A customer ready to be added to a load: every row it adds, prepared off the writing thread.
#[derive(Debug)]
pub(crate) struct PreparedCustomer {
    id: i64,
    /// The number in the code it was prepared with; none for a code its fields give, which it
    /// keeps.
    code: Option<i64>,
    fields: CustomerFields,
    contacts: Vec<NormalContact>,
    row: Vec<Cell>,
    contact_rows: Vec<[Cell; 9]>,
    tag_rows: Vec<[Cell; 2]>,
    staged: [Cell; 5],
    rfm: Option<RfmFigures>,
}

impl Preparer {
    pub(crate) fn new(w: &Writer<'_>) -> Result<Preparer> {
        let mut stmt = w.tx().prepare("SELECT login, id FROM operators")?;
        let operators = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Preparer {
            now: w.now(),
            today: w.today(),
            tiers: w.tier_rules().clone(),
            operators,
        })
    }

    /// Prepares the rows of new customer `id` whose purchases and last contact are already
    /// known, numbered as a customer created on its own would be: id and code come next, and
    /// the code is the one its fields give, or else the id's unless an earlier record holds it
    /// ([`BulkLoad::add`] checks). A given code must be free: a code the database holds
    /// already fails the load (its unique index stays while the load runs).
    pub(crate) fn customer(
        &self,
        id: i64,
        fields: CustomerFields,
        contacts: Vec<NormalContact>,
        purchases: &PurchaseFigures,
        last_contact_at: Option<i64>,
        points: i64,
    ) -> Result<PreparedCustomer> {
        let given = fields
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        let owner = customers::owner_by(fields.owner.as_deref(), |login| {
            Ok(self.operators.get(login).copied())
        })?;
        let number = given.is_none().then_some(id);
        let code = given.unwrap_or_else(|| customers::code_of(id));
        let now = self.now.timestamp();
        let contact_rows = contacts
            .iter()
            .enumerate()
            .map(|(position, c)| customers::contact_values(id, position, c, now))
            .collect();
        let tag_rows = customers::tags_of(&fields)
            .map(|tag| [id.into(), tag.into()])
            .collect();
        let staged = staged_values(id, &code, &fields, &contacts)?;
        let row = customers::known_values(
            id,
            code,
            &fields,
            owner,
            purchases,
            last_contact_at,
            points,
            self.now,
            self.today,
            &self.tiers,
        );
        Ok(PreparedCustomer {
            id,
            code: number,
            fields,
            contacts,
            row,
            contact_rows,
            tag_rows,
            staged,
            rfm: purchases.rfm(id),
        })
    }
}

fn staged_values(
    id: i64,
    code: &str,
    fields: &CustomerFields,
    contacts: &[NormalContact],
) -> Result<[Cell; 5]> {
    SearchDoc::new(
        &fields.name,
        code,
        fields.company.as_deref(),
        contacts,
        &fields.tags,
    )
    .staged_values(id)
}

/// A bulk load under way, inside one write.
pub(crate) struct BulkLoad<'c> {
    tx: &'c Transaction<'c>,
    /// The indexes dropped, to build again at the end: name and definition.
    dropped: Vec<(String, String)>,
    /// The database held no customers when the load began, so no code is taken but the
    /// load's own.
    fresh: bool,
    next_id: i64,
    /// The number in the last code given.
    last_code: i64,
    /// A table of codes (column `code`, its key) that the load's own numbering must leave
    /// free: those that customers later in the load bring with them.
    reserved: Option<String>,
    customers: Rows<'c>,
    contacts: Rows<'c>,
    tags: Rows<'c>,
    staged: Rows<'c>,
    /// What the RFM scores of the customers added come from.
    rfm: Vec<RfmFigures>,
}

impl<'c> BulkLoad<'c> {
    /// Starts a load inside `tx`. When the database holds no customers, the full (not partial)
    /// secondary indexes of the tables the load fills are dropped; partial indexes stay, as
    /// they cover columns a load leaves empty or fills in order and cost little to keep.
    pub(crate) fn begin(tx: &'c Transaction<'c>) -> Result<BulkLoad<'c>> {
        let fresh = tx
            .query_row("SELECT 1 FROM customers LIMIT 1", [], |_| Ok(()))
            .optional()?
            .is_none();
        let mut dropped: Vec<(String, String)> = Vec::new();
        if fresh {
            for table in FILLED {
                dropped.extend(engine::full_indexes(tx, table)?);
            }
            for (name, _) in &dropped {
                engine::drop_index(tx, name)?;
            }
        }
        tx.execute_batch(&format!(
            "DROP TABLE IF EXISTS {STAGED};
             CREATE TABLE {STAGED} (customer_id INTEGER PRIMARY KEY, keys TEXT NOT NULL,
                                    name TEXT, company TEXT, email TEXT);"
        ))?;
        let last_id: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM customers", [], |r| {
            r.get(0)
        })?;
        Ok(BulkLoad {
            tx,
            dropped,
            fresh,
            next_id: last_id + 1,
            last_code: 0,
            reserved: None,
            customers: Rows::new(
                tx,
                &format!("INSERT INTO customers ({})", *customers::KNOWN_COLUMNS),
                customers::KNOWN_COLUMNS.split(',').count(),
            )?,
            contacts: Rows::new(
                tx,
                &format!("INSERT INTO contacts ({})", customers::CONTACT_COLUMNS),
                customers::CONTACT_COLUMNS.split(',').count(),
            )?,
            tags: Rows::new(
                tx,
                "INSERT OR IGNORE INTO customer_tags (customer_id, tag)",
                2,
            )?,
            staged: Rows::new(
                tx,
                &format!("INSERT INTO {STAGED} (customer_id, keys, name, company, email)"),
                5,
            )?,
            rfm: Vec::new(),
        })
    }

    /// Leaves the codes in `table` (column `code`, its key) free when the load numbers a
    /// customer: customers that bring their own code may come later in the load.
    pub(crate) fn reserve_codes_in(&mut self, table: &str) {
        self.reserved = Some(table.to_string());
    }

    /// Whether the load's own numbering must pass over `code`.
    fn code_unavailable(&self, code: &str) -> Result<bool> {
        if !self.fresh && customers::code_taken(self.tx, code)? {
            return Ok(true);
        }
        match &self.reserved {
            Some(table) => Ok(self
                .tx
                .prepare_cached(&format!(
                    "SELECT EXISTS (SELECT 1 FROM {table} WHERE code = ?1)"
                ))?
                .query_row([code], |r| r.get(0))?),
            None => Ok(false),
        }
    }

    /// The id the next customer added gets.
    pub(crate) fn next_id(&self) -> i64 {
        self.next_id
    }

    /// Adds a prepared customer, which must be the next: its id is [`BulkLoad::next_id`].
    /// Nothing is written until [`BulkLoad::write`].
    pub(crate) fn add(&mut self, mut customer: PreparedCustomer) -> Result<()> {
        if customer.id != self.next_id {
            return Err(StoreError::Conflict(format!(
                "customer {} prepared for a bulk load whose next is {}",
                customer.id, self.next_id
            )));
        }
        // As a customer created on its own: the code it brings, or else the next code from
        // the id on that no record holds. The codes this load numbered are at most
        // `last_code`; others only a record that was there before, or one the load brings,
        // can hold.
        if let Some(prepared) = customer.code {
            let mut n = customer.id.max(self.last_code + 1);
            while self.code_unavailable(&customers::code_of(n))? {
                n += 1;
            }
            if n != prepared {
                let code = customers::code_of(n);
                customer.staged =
                    staged_values(customer.id, &code, &customer.fields, &customer.contacts)?;
                customer.row[1] = code.into();
            }
            self.last_code = n;
        }
        self.customers.push(customer.row)?;
        for row in customer.contact_rows {
            self.contacts.push(row)?;
        }
        for row in customer.tag_rows {
            self.tags.push(row)?;
        }
        self.staged.push(customer.staged)?;
        self.rfm.extend(customer.rfm);
        self.next_id += 1;
        Ok(())
    }

    /// Writes the customers added so far, and their contacts and tags in full chunks; rows
    /// that refer to these customers can be written after this.
    pub(crate) fn write(&mut self) -> Result<()> {
        self.customers.write_all()?;
        self.contacts.write_chunks()?;
        self.tags.write_chunks()?;
        self.staged.write_chunks()
    }

    /// Writes everything left, the lookup keys in key order and the searchable text in id
    /// order, builds the dropped indexes again and refreshes the RFM scores of all customers.
    /// Rows that refer to the customers must have been written before.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.customers.write_all()?;
        self.contacts.write_all()?;
        self.tags.write_all()?;
        self.staged.write_all()?;
        let tx = self.tx;
        let cache = engine::cache_setting(tx)?;
        if self.fresh {
            // Only sorting and appending from here on, no index filled at random.
            engine::set_cache_kib(tx, engine::SORT_CACHE_KIB)?;
        }
        let started = std::time::Instant::now();
        engine::fill_full_text(
            tx,
            "customer_text",
            "name, company, email",
            &format!("SELECT customer_id, name, company, email FROM {STAGED} ORDER BY customer_id"),
        )?;
        tracing::info!("bulk load: searchable text in {:?}", started.elapsed());
        let started = std::time::Instant::now();
        tx.execute_batch(&format!(
            "INSERT OR IGNORE INTO search_keys (key, customer_id)
                 SELECT k.value, s.customer_id FROM {STAGED} s, json_each(s.keys) k
                 ORDER BY 1, 2;
             DROP TABLE {STAGED};"
        ))?;
        tracing::info!("bulk load: lookup keys in {:?}", started.elapsed());
        for (name, sql) in &self.dropped {
            let started = std::time::Instant::now();
            tx.execute_batch(sql)?;
            tracing::info!("bulk load: index {name} built in {:?}", started.elapsed());
        }
        engine::restore_cache_setting(tx, cache)?;
        let started = std::time::Instant::now();
        if self.fresh {
            // The load's customers are all the customers: their scores need no window query
            // over the table, only an update each.
            let mut update = tx
                .prepare("UPDATE customers SET rfm_r = ?2, rfm_f = ?3, rfm_m = ?4 WHERE id = ?1")?;
            for (id, [r, f, m]) in purchases::rfm_scores(std::mem::take(&mut self.rfm)) {
                update.execute([id, r, f, m])?;
            }
        } else if !self.rfm.is_empty() {
            // Scores are quintiles over the customers with purchases: customers added
            // without any change nobody's.
            purchases::refresh_rfm(tx)?;
        }
        tracing::info!("bulk load: RFM scores in {:?}", started.elapsed());
        Ok(())
    }
}

impl Store {
    /// Sets the connection up for a bulk load into a database without customers (see
    /// [`engine::begin_fast_load`]); [`Store::end_fast_load`] puts everything back.
    pub(crate) fn begin_fast_load(&mut self) -> Result<FastLoad> {
        self.opened.still_at(&self.path)?;
        let fast = engine::begin_fast_load(self.conn(), self.path());
        // The rollback journal removed the write-ahead log this store opened.
        self.opened.log_made_again(&self.path);
        fast
    }

    /// Puts back what [`Store::begin_fast_load`] changed.
    pub(crate) fn end_fast_load(&mut self, fast: FastLoad) -> Result<()> {
        let ended = engine::end_fast_load(self.conn(), self.path(), fast);
        // The write-ahead log is made again, by this store.
        self.opened.log_made_again(&self.path);
        ended
    }
}
