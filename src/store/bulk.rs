//! Bulk loads (the demo generator): many new customers with their history in one write.
//!
//! Row by row, such a load spends much of its time on statements. So a load
//! - buffers its rows and writes them many to a statement ([`Rows`]);
//! - writes each customer row once, complete with what its purchases add up to;
//! - stages the lookup keys and searchable text, and writes them at the end in key order and
//!   in id order.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Statement, Transaction};

use super::customers::{self, NormalContact};
use super::purchases::{self, PurchaseFigures};
use super::search::SearchDoc;
use super::{Cell, Result, StoreError, Writer};
use crate::domain::customer::{CustomerFields, FieldError};
use crate::domain::tier::TierRules;

/// The lookup keys (a JSON array a customer) and searchable text of the customers loaded so
/// far, written to `search_keys` in key order and to `customer_text` in id order at the end.
const STAGED: &str = "temp.careline_bulk_index";

/// Rows written by one statement.
const CHUNK: usize = 64;

/// Rows of one table, buffered and written [`CHUNK`] to a statement.
pub(crate) struct Rows<'c> {
    conn: &'c Connection,
    head: String,
    width: usize,
    values: Vec<Cell>,
    chunk: Statement<'c>,
}

impl<'c> Rows<'c> {
    /// Rows for `head` (`INSERT INTO table (columns)`) of `width` values each.
    pub(crate) fn new(conn: &'c Connection, head: &str, width: usize) -> Result<Rows<'c>> {
        Ok(Rows {
            conn,
            head: head.to_string(),
            width,
            values: Vec::with_capacity(2 * CHUNK * width),
            chunk: conn.prepare(&statement(head, width, CHUNK))?,
        })
    }

    /// Adds one row of `width` values.
    pub(crate) fn push(&mut self, row: impl IntoIterator<Item = Cell>) -> Result<()> {
        let before = self.values.len();
        self.values.extend(row);
        if self.values.len() - before != self.width {
            return Err(StoreError::Sqlite(rusqlite::Error::InvalidParameterCount(
                self.values.len() - before,
                self.width,
            )));
        }
        Ok(())
    }

    /// Writes every full chunk; the rest stays buffered.
    pub(crate) fn write_chunks(&mut self) -> Result<()> {
        let size = CHUNK * self.width;
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
            let rows = self.values.len() / self.width;
            let mut stmt = self
                .conn
                .prepare_cached(&statement(&self.head, self.width, rows))?;
            for (i, value) in self.values.iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, value)?;
            }
            stmt.raw_execute()?;
            self.values.clear();
        }
        Ok(())
    }
}

/// `{head} VALUES (?, …), …`: `rows` rows of `width` parameters.
fn statement(head: &str, width: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; width].join(", "));
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
    /// The number in the code it was prepared with.
    code: i64,
    fields: CustomerFields,
    contacts: Vec<NormalContact>,
    row: Vec<Cell>,
    contact_rows: Vec<[Cell; 9]>,
    tag_rows: Vec<[Cell; 2]>,
    staged: [Cell; 5],
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
    /// the code is the id's unless an earlier record holds it ([`BulkLoad::add`] checks).
    pub(crate) fn customer(
        &self,
        id: i64,
        fields: CustomerFields,
        contacts: Vec<NormalContact>,
        purchases: &PurchaseFigures,
        last_contact_at: Option<i64>,
    ) -> Result<PreparedCustomer> {
        if fields.code.is_some() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "code",
                "a bulk load numbers its customers itself",
            )]));
        }
        let owner = customers::owner_by(fields.owner.as_deref(), |login| {
            Ok(self.operators.get(login).copied())
        })?;
        let code = customers::code_of(id);
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
            self.now,
            self.today,
            &self.tiers,
        );
        Ok(PreparedCustomer {
            id,
            code: id,
            fields,
            contacts,
            row,
            contact_rows,
            tag_rows,
            staged,
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
    /// The database held no customers when the load began, so no code is taken but the
    /// load's own.
    fresh: bool,
    next_id: i64,
    /// The number in the last code given.
    last_code: i64,
    customers: Rows<'c>,
    contacts: Rows<'c>,
    tags: Rows<'c>,
    staged: Rows<'c>,
}

impl<'c> BulkLoad<'c> {
    /// Starts a load inside `tx`.
    pub(crate) fn begin(tx: &'c Transaction<'c>) -> Result<BulkLoad<'c>> {
        let fresh = tx
            .query_row("SELECT 1 FROM customers LIMIT 1", [], |_| Ok(()))
            .optional()?
            .is_none();
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
            fresh,
            next_id: last_id + 1,
            last_code: 0,
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
        })
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
        // As a customer created on its own: the next code from the id on that no record
        // holds. The codes this load gave are at most `last_code`; others only a record that
        // was there before can hold.
        let mut n = customer.id.max(self.last_code + 1);
        while !self.fresh && customers::code_taken(self.tx, &customers::code_of(n))? {
            n += 1;
        }
        if n != customer.code {
            let code = customers::code_of(n);
            customer.staged =
                staged_values(customer.id, &code, &customer.fields, &customer.contacts)?;
            customer.row[1] = code.into();
            customer.code = n;
        }
        self.customers.push(customer.row)?;
        for row in customer.contact_rows {
            self.contacts.push(row)?;
        }
        for row in customer.tag_rows {
            self.tags.push(row)?;
        }
        self.staged.push(customer.staged)?;
        self.next_id += 1;
        self.last_code = n;
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
    /// order, and refreshes the RFM scores of all customers.
    /// Rows that refer to the customers must have been written before.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.customers.write_all()?;
        self.contacts.write_all()?;
        self.tags.write_all()?;
        self.staged.write_all()?;
        let tx = self.tx;
        tx.execute_batch(&format!(
            "INSERT INTO customer_text (rowid, name, company, email)
                 SELECT customer_id, name, company, email FROM {STAGED} ORDER BY customer_id;
             INSERT OR IGNORE INTO search_keys (key, customer_id)
                 SELECT k.value, s.customer_id FROM {STAGED} s, json_each(s.keys) k
                 ORDER BY 1, 2;
             DROP TABLE {STAGED};"
        ))?;
        purchases::refresh_rfm(tx)?;
        Ok(())
    }
}
