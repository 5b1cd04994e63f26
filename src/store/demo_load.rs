//! Writing a generated demo: many new customers with their purchases, contacts and complaints
//! in one write. `crate::demo` makes the records (pure); this turns them into rows and writes
//! them with a [`BulkLoad`].

use std::sync::mpsc::SyncSender;

use chrono::{DateTime, NaiveDate, Utc};

use super::bulk::{BulkLoad, Column, PreparedCustomer, Preparer, Rows};
use super::purchases::PurchaseFigures;
use super::{Actor, Cell, Result, Store, StoreError, CACHE_KIB};
use crate::domain::contact::PhoneRules;
use crate::domain::customer::CustomerFields;

/// What a demo load writes, besides the records themselves.
#[derive(Debug, Clone, Copy)]
pub struct DemoLoad {
    /// How many customers the generator makes (for the page cache and the last progress).
    pub customers: u64,
    /// The generator's seed, for the audit entry.
    pub seed: u64,
    /// Add to a database that already holds customers.
    pub force: bool,
    /// The few texts some columns take, each written as its place in its list.
    pub texts: DemoTexts,
}

/// The texts of the purchase and interaction columns that take one of a few (see
/// `Column::OneOf`): a generated record holding another text is refused.
#[derive(Debug, Clone, Copy)]
pub struct DemoTexts {
    pub products: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub purchase_channels: &'static [&'static str],
    pub channels: &'static [&'static str],
    pub dispositions: &'static [&'static str],
    pub summaries: &'static [&'static str],
}

/// Where the generated customers start: the id the first gets (the next ones follow) and the
/// load's clock.
#[derive(Debug, Clone, Copy)]
pub struct LoadStart {
    pub first_id: i64,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// One generated customer with its history.
#[derive(Debug, Clone)]
pub struct DemoCustomer {
    pub fields: CustomerFields,
    pub purchases: Vec<DemoPurchase>,
    pub interactions: Vec<DemoInteraction>,
    pub complaint: Option<DemoComplaint>,
}

/// One generated purchase.
#[derive(Debug, Clone)]
pub struct DemoPurchase {
    pub order_no: String,
    pub day: NaiveDate,
    pub quantity: i64,
    pub amount_cents: i64,
    pub product: &'static str,
    pub category: &'static str,
    pub channel: &'static str,
}

/// One generated contact with the customer, logged when it started. Times are Unix seconds.
#[derive(Debug, Clone)]
pub struct DemoInteraction {
    pub operator: i64,
    pub channel: &'static str,
    pub direction: &'static str,
    pub disposition: &'static str,
    pub started: i64,
    pub ended: i64,
    pub summary: &'static str,
    pub reply_by: Option<i64>,
    pub replied_at: Option<i64>,
}

/// One generated complaint with the events of its life so far. Times are Unix seconds.
#[derive(Debug, Clone)]
pub struct DemoComplaint {
    pub operator: i64,
    pub assignee: Option<i64>,
    pub category: &'static str,
    pub severity: &'static str,
    pub status: &'static str,
    pub title: &'static str,
    pub channel: &'static str,
    pub opened: i64,
    pub acknowledged: Option<i64>,
    pub proposed: Option<i64>,
    pub resolved: Option<i64>,
    pub closed: Option<i64>,
    /// Acknowledge, propose and resolve by.
    pub due: [i64; 3],
    pub csat: Option<i32>,
    pub events: Vec<DemoComplaintEvent>,
}

/// One step of a generated complaint, made by the complaint's operator.
#[derive(Debug, Clone)]
pub struct DemoComplaintEvent {
    pub at: i64,
    pub kind: &'static str,
    pub from: Option<&'static str>,
    pub to: &'static str,
    pub text: &'static str,
    pub customer_contact: bool,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoCounts {
    pub customers: u64,
    pub contacts: u64,
    pub purchases: u64,
    pub interactions: u64,
    pub complaints: u64,
}

/// Batches the preparing thread may be ahead of the writing one.
const BATCHES_AHEAD: usize = 4;

impl Store {
    /// Writes the customers `generate` makes, in its batches, with their history. Refuses a
    /// database that already holds customers unless `load.force`.
    ///
    /// Everything is one transaction, so a failure or a crash leaves nothing half-made. A
    /// second thread runs the generator and prepares each customer's rows while this one
    /// writes them, so its row is written once, complete with its purchase figures and last
    /// contact; the rows are written many to a statement, and into a database without
    /// customers the indexes are built after the rows and the connection is set up for the
    /// load (see [`BulkLoad`] and `Store::begin_fast_load`). `generate` may be called again
    /// when the database was busy; it must make the same customers from the same start.
    pub fn load_demo<G, I>(
        &mut self,
        actor: &Actor,
        load: &DemoLoad,
        progress: &dyn Fn(u64),
        generate: G,
    ) -> Result<DemoCounts>
    where
        G: Fn(LoadStart) -> I + Sync,
        I: Iterator<Item = Vec<DemoCustomer>>,
    {
        let existing: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?;
        if existing > 0 && !load.force {
            return Err(StoreError::Conflict(format!(
                "{} already holds {existing} customers; pass --force to add demo data to it",
                self.path().display()
            )));
        }
        let rules: PhoneRules = self.phone_rules().clone();
        // Into a database with customers, the load inserts into the indexes in random order:
        // a page cache that holds them (about 1 KiB a customer, at most 1 GiB) halves the
        // time, because evicted pages are no longer written out and read back.
        let cache_kib = if existing > 0 {
            (load.customers as i64).clamp(CACHE_KIB, 1_048_576)
        } else {
            CACHE_KIB
        };
        super::engine::set_cache_kib(self.conn(), cache_kib)?;
        let started = std::time::Instant::now();
        let fast = if existing == 0 {
            Some(self.begin_fast_load()?)
        } else {
            None
        };
        let generate = &generate;
        let written = self.write(actor, |w| {
            let mut bulk = BulkLoad::begin(w.tx())?;
            let mut history = History::prepare(w.tx(), &load.texts)?;
            let start = LoadStart {
                first_id: bulk.next_id(),
                now: w.now(),
                today: w.today(),
            };
            let rows = RowMaker {
                start,
                next_complaint: history.next_complaint,
                rules: rules.clone(),
                preparer: Preparer::new(w)?,
            };
            let mut counts = DemoCounts::default();
            std::thread::scope(|scope| -> Result<()> {
                let (sender, batches) = std::sync::mpsc::sync_channel(BATCHES_AHEAD);
                scope.spawn(move || rows.run(generate(start), &sender));
                for batch in batches {
                    for customer in batch? {
                        counts.customers += 1;
                        counts.contacts += customer.contacts;
                        counts.purchases += customer.orders.len() as u64;
                        counts.interactions += customer.interactions.len() as u64;
                        counts.complaints += u64::from(customer.complaint.is_some());
                        bulk.add(customer.customer)?;
                        history.add(customer.orders, customer.interactions, customer.complaint)?;
                        if counts.customers % 1000 == 0 {
                            progress(counts.customers);
                        }
                    }
                    // The customers first: the history refers to them.
                    bulk.write()?;
                    history.write(false)?;
                }
                Ok(())
            })?;
            bulk.write()?;
            history.write(true)?;
            drop(history);
            tracing::info!(
                "demo: rows generated and written in {:?}",
                started.elapsed()
            );
            bulk.finish()?;
            w.audit(
                "demo.generate",
                "database",
                None,
                serde_json::json!({"seed": load.seed, "counts": counts}),
            );
            Ok(counts)
        });
        let committed = std::time::Instant::now();
        let restored = match fast {
            Some(fast) => self.end_fast_load(fast),
            None => Ok(()),
        };
        let cache = super::engine::set_cache_kib(self.conn(), CACHE_KIB);
        let counts = written?;
        restored?;
        cache?;
        tracing::info!(
            "demo: committed at {:?}, journal restored in {:?}",
            committed.duration_since(started),
            committed.elapsed()
        );
        progress(load.customers);
        // Statistics for the query planner over the new data.
        let analysed = std::time::Instant::now();
        super::engine::analyse(self.conn())?;
        tracing::info!(
            "demo: statistics in {:?}; {:?} in all",
            analysed.elapsed(),
            started.elapsed()
        );
        Ok(counts)
    }
}

/// Turns generated customers into rows, on the thread that runs the generator.
struct RowMaker {
    start: LoadStart,
    next_complaint: i64,
    rules: PhoneRules,
    preparer: Preparer,
}

/// One generated customer with every row it adds.
struct Prepared {
    customer: PreparedCustomer,
    contacts: u64,
    orders: Vec<[Cell; 9]>,
    interactions: Vec<[Cell; 11]>,
    complaint: Option<([Cell; 18], Vec<[Cell; 8]>)>,
}

impl RowMaker {
    /// Sends the generator's batches prepared, in order, until all are sent, one failed (its
    /// error is sent) or nobody listens any more.
    fn run(
        mut self,
        batches: impl Iterator<Item = Vec<DemoCustomer>>,
        sender: &SyncSender<Result<Vec<Prepared>>>,
    ) {
        let mut id = self.start.first_id;
        for batch in batches {
            let prepared = batch
                .into_iter()
                .map(|customer| {
                    let prepared = self.prepare(id, customer);
                    id += 1;
                    prepared
                })
                .collect::<Result<Vec<_>>>();
            let failed = prepared.is_err();
            if sender.send(prepared).is_err() || failed {
                return;
            }
        }
    }

    /// The rows of customer `id`.
    fn prepare(&mut self, id: i64, customer: DemoCustomer) -> Result<Prepared> {
        let DemoCustomer {
            fields,
            purchases,
            interactions,
            complaint,
        } = customer;
        // The generator makes only numbers and addresses the rules take; one they refuse is
        // the generator's error, said as such, never a customer left without contacts.
        let contacts =
            crate::domain::customer_contacts::normalize_contacts(&fields.contacts, &self.rules)
                .map_err(|errors| {
                    let why: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                    StoreError::Conflict(format!(
                        "demo customer {id} ({}): a generated contact is refused: {}",
                        fields.name,
                        why.join("; ")
                    ))
                })?;
        let mut figures = PurchaseFigures::new(self.start.today);
        for purchase in &purchases {
            figures.add(purchase.day, purchase.amount_cents);
        }
        let last_contact = interactions.iter().map(|h| h.started).max();
        let contact_count = contacts.len() as u64;
        let now = self.start.now.timestamp();
        Ok(Prepared {
            customer: self
                .preparer
                .customer(id, fields, contacts, &figures, last_contact)?,
            contacts: contact_count,
            orders: purchases.into_iter().map(|p| p.row(id, now)).collect(),
            interactions: interactions.iter().map(|h| h.row(id)).collect(),
            complaint: complaint.map(|c| {
                let complaint_id = self.next_complaint;
                self.next_complaint += 1;
                c.rows(complaint_id, id)
            }),
        })
    }
}

/// The history of the customers of a load, written after the customers themselves.
struct History<'c> {
    orders: Rows<'c>,
    interactions: Rows<'c>,
    complaints: Rows<'c>,
    events: Rows<'c>,
    /// The id the first complaint gets: as if inserted one by one, the next after the highest.
    next_complaint: i64,
}

/// A value that may be absent.
fn opt<T: Into<rusqlite::types::Value>>(v: Option<T>) -> Cell {
    Cell::Owned(v.map_or(rusqlite::types::Value::Null, Into::into))
}

impl<'c> History<'c> {
    fn prepare(conn: &'c rusqlite::Connection, texts: &DemoTexts) -> Result<History<'c>> {
        use Column::{OneOf, Value};
        Ok(History {
            orders: Rows::with_columns(
                conn,
                "INSERT INTO purchases (customer_id, order_no, purchased_on, amount, product, category, quantity, channel, created_at)",
                &[
                    Value,
                    Value,
                    Value,
                    Value,
                    OneOf(texts.products),
                    OneOf(texts.categories),
                    Value,
                    OneOf(texts.purchase_channels),
                    Value,
                ],
            )?,
            interactions: Rows::with_columns(
                conn,
                "INSERT INTO interactions (customer_id, operator_id, channel, direction, disposition, started_at, ended_at, summary, created_at, reply_by, replied_at)",
                &[
                    Value,
                    Value,
                    OneOf(texts.channels),
                    OneOf(&["inbound", "outbound"]),
                    OneOf(texts.dispositions),
                    Value,
                    Value,
                    OneOf(texts.summaries),
                    Value,
                    Value,
                    Value,
                ],
            )?,
            complaints: Rows::new(
                conn,
                "INSERT INTO complaints (id, customer_id, opened_by, assignee_id, category, severity, status, title, channel,
                    opened_at, acknowledged_at, proposed_at, resolved_at, closed_at, ack_due_at, propose_due_at, resolve_due_at, csat)",
                18,
            )?,
            events: Rows::new(
                conn,
                "INSERT INTO complaint_events (complaint_id, operator_id, at, kind, from_status, to_status, text, customer_contact)",
                8,
            )?,
            next_complaint: conn.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM complaints",
                [],
                |r| r.get(0),
            )?,
        })
    }

    fn add(
        &mut self,
        orders: Vec<[Cell; 9]>,
        interactions: Vec<[Cell; 11]>,
        complaint: Option<([Cell; 18], Vec<[Cell; 8]>)>,
    ) -> Result<()> {
        for row in orders {
            self.orders.push(row)?;
        }
        for row in interactions {
            self.interactions.push(row)?;
        }
        if let Some((row, events)) = complaint {
            self.complaints.push(row)?;
            for event in events {
                self.events.push(event)?;
            }
        }
        Ok(())
    }

    /// Writes the history added so far: `all` of it, or its full chunks (but every complaint,
    /// so that the events written refer to written complaints).
    fn write(&mut self, all: bool) -> Result<()> {
        self.complaints.write_all()?;
        for rows in [&mut self.orders, &mut self.interactions, &mut self.events] {
            if all {
                rows.write_all()?;
            } else {
                rows.write_chunks()?;
            }
        }
        Ok(())
    }
}

impl DemoPurchase {
    /// The purchase row of `customer`, created `now`.
    fn row(self, customer: i64, now: i64) -> [Cell; 9] {
        [
            Cell::from(customer),
            Cell::from(self.order_no),
            self.day.to_string().into(),
            Cell::from(self.amount_cents),
            Cell::from(self.product),
            Cell::from(self.category),
            Cell::from(self.quantity),
            Cell::from(self.channel),
            Cell::from(now),
        ]
    }
}

impl DemoInteraction {
    fn row(&self, customer: i64) -> [Cell; 11] {
        [
            Cell::from(customer),
            Cell::from(self.operator),
            Cell::from(self.channel),
            Cell::from(self.direction),
            Cell::from(self.disposition),
            Cell::from(self.started),
            Cell::from(self.ended),
            Cell::from(self.summary),
            // created when it started
            Cell::from(self.started),
            opt(self.reply_by),
            opt(self.replied_at),
        ]
    }
}

impl DemoComplaint {
    /// The complaint row, as complaint `id`, and its event rows.
    fn rows(&self, id: i64, customer: i64) -> ([Cell; 18], Vec<[Cell; 8]>) {
        let row = [
            Cell::from(id),
            Cell::from(customer),
            Cell::from(self.operator),
            opt(self.assignee),
            Cell::from(self.category),
            Cell::from(self.severity),
            Cell::from(self.status),
            Cell::from(self.title),
            Cell::from(self.channel),
            Cell::from(self.opened),
            opt(self.acknowledged),
            opt(self.proposed),
            opt(self.resolved),
            opt(self.closed),
            Cell::from(self.due[0]),
            Cell::from(self.due[1]),
            Cell::from(self.due[2]),
            opt(self.csat),
        ];
        let events = self
            .events
            .iter()
            .map(|event| {
                [
                    Cell::from(id),
                    Cell::from(self.operator),
                    Cell::from(event.at),
                    Cell::from(event.kind),
                    event.from.map_or(opt(None::<i64>), Cell::from),
                    Cell::from(event.to),
                    Cell::from(event.text),
                    Cell::from(i64::from(event.customer_contact)),
                ]
            })
            .collect();
        (row, events)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use rusqlite::types::Value;

    use super::*;
    use crate::demo::DemoSpec;
    /// The indexes the migrations leave, in order (`DROP INDEX` removes one), with their
    /// `CREATE INDEX` statements as SQLite keeps them.
    fn migration_indexes() -> Vec<(String, String)> {
        let mut indexes: Vec<(String, String)> = Vec::new();
        let statements = crate::store::schema::MIGRATIONS
            .iter()
            .flat_map(|sql| sql.split(';'))
            .map(|chunk| {
                chunk
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("--"))
                    .collect::<Vec<_>>()
                    .join("\n")
                    .trim()
                    .to_string()
            });
        for statement in statements {
            if let Some(name) = statement.strip_prefix("DROP INDEX ") {
                indexes.retain(|(n, _)| n != name.trim());
                continue;
            }
            // A table dropped (to be built again) takes its indexes with it.
            if let Some(table) = statement.strip_prefix("DROP TABLE ") {
                let on = format!(" ON {}(", table.trim());
                indexes.retain(|(_, sql)| !sql.contains(&on));
                continue;
            }
            let Some(rest) = statement
                .strip_prefix("CREATE INDEX ")
                .or_else(|| statement.strip_prefix("CREATE UNIQUE INDEX "))
            else {
                continue;
            };
            if let Some(name) = rest.split_whitespace().next() {
                indexes.push((name.to_string(), statement.clone()));
            }
        }
        indexes
    }

    /// An empty database in a temporary directory (kept while the directory lives), with its
    /// first admin.
    fn fresh_store() -> (tempfile::TempDir, Store, Actor) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(
            &dir.path().join("demo.db"),
            crate::store::OpenOptions::default(),
        )
        .expect("open");
        let admin = store.init_admin("admin", "Admin").expect("init");
        (dir, store, admin)
    }

    fn schema_indexes(store: &Store) -> Vec<(String, String)> {
        let mut stmt = store
            .conn()
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    #[test]
    fn a_fresh_demo_keeps_every_index_and_is_found_by_lookup() {
        let (_dir, mut store, admin) = fresh_store();
        let mut expected = migration_indexes();
        expected.sort();
        assert!(expected.len() >= 25, "{expected:#?}");
        assert_eq!(schema_indexes(&store), expected);

        let spec = DemoSpec {
            customers: 400,
            seed: 3,
        };
        let counts = crate::demo::generate(&mut store, &admin, spec, false, &|_| {}).expect("demo");
        assert_eq!(counts.customers, 400);
        // The indexes dropped for the load are all back, defined as in the migration.
        assert_eq!(schema_indexes(&store), expected);
        let report = store.check().expect("check");
        assert_eq!(report.integrity, ["ok"]);
        assert!(report.ok(), "{report:?}");
        let conn = store.conn();
        let audited: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'demo.generate'",
                [],
                |r| r.get(0),
            )
            .expect("audit");
        assert_eq!(audited, 1);
        let staged: i64 = conn
            .query_row(
                "SELECT count(*) FROM temp.sqlite_master WHERE name = 'careline_bulk_index'",
                [],
                |r| r.get(0),
            )
            .expect("temp schema");
        assert_eq!(staged, 0, "the staging table is dropped");
        // The connection is as it was before the load.
        let setting = |pragma: &str| -> String {
            conn.query_row(&format!("PRAGMA {pragma}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| match v {
                Value::Text(t) => t,
                other => format!("{other:?}"),
            })
            .expect("pragma")
        };
        assert_eq!(setting("journal_mode"), "wal");
        assert_eq!(setting("foreign_keys"), "Integer(1)");
        assert_eq!(setting("ignore_check_constraints"), "Integer(0)");
        assert_eq!(setting("threads"), "Integer(0)");
        // The searchable text is whole, and FTS5 buffers as little as before the load.
        conn.execute_batch("INSERT INTO customer_text (customer_text) VALUES ('integrity-check')")
            .expect("FTS5 integrity");
        let hash: i64 = conn
            .query_row(
                "SELECT v FROM customer_text_config WHERE k = 'hashsize'",
                [],
                |r| r.get(0),
            )
            .expect("hashsize");
        assert_eq!(hash, 1 << 20);

        // Each row was written once with what the refreshes one by one would have computed.
        let figures = |store: &Store| -> Vec<Vec<Value>> {
            let mut stmt = store
                .conn()
                .prepare(
                    "SELECT id, spend_12m, orders_12m, lifetime_spend, first_purchase, last_purchase,
                            tier, churn_risk, last_contact_at, rfm_r, rfm_f, rfm_m
                     FROM customers ORDER BY id",
                )
                .expect("prepare");
            stmt.query_map([], |r| (0..12).map(|i| r.get::<_, Value>(i)).collect())
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("rows")
        };
        let written = figures(&store);
        assert!(written.iter().any(|f| f[1] != Value::Integer(0)));
        assert!(written.iter().any(|f| f[9] == Value::Null));
        store
            .write(&admin, |w| {
                for id in 1..=400 {
                    crate::store::refresh_purchase_summary(w, id)?;
                    w.tx().execute(
                        "UPDATE customers SET last_contact_at =
                            (SELECT max(started_at) FROM interactions WHERE customer_id = ?1)
                         WHERE id = ?1",
                        [id],
                    )?;
                }
                crate::store::refresh_rfm_in(w)?;
                Ok(())
            })
            .expect("refresh");
        assert_eq!(figures(&store), written);

        // Lookup finds a generated customer by the last four digits of its mobile and by name.
        let (id, name, mobile): (i64, String, String) = store
            .conn()
            .query_row(
                "SELECT c.id, c.name, ct.normalized FROM customers c
                 JOIN contacts ct ON ct.customer_id = c.id AND ct.position = 0
                 WHERE c.id = 123",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("customer 123");
        let suffix = &mobile[mobile.len() - 4..];
        let found = store.search(&admin, suffix, 20).expect("search");
        assert!(
            found.iter().any(|r| r.customer.id == id),
            "{suffix}: {found:?}"
        );
        let found = store.search(&admin, &name, 400).expect("search");
        assert!(
            found
                .iter()
                .any(|r| r.customer.id == id && r.rank == crate::store::MatchRank::Exact),
            "{name}: {found:?}"
        );

        // A second demo is refused, and with force goes in beside the first with the indexes kept.
        assert!(matches!(
            crate::demo::generate(&mut store, &admin, spec, false, &|_| {}),
            Err(StoreError::Conflict(_))
        ));
        crate::demo::generate(&mut store, &admin, spec, true, &|_| {}).expect("forced demo");
        assert_eq!(store.customer_count().expect("count"), 800);
        assert_eq!(schema_indexes(&store), expected);
        assert!(store.check().expect("check").ok());
        let found = store.search(&admin, suffix, 20).expect("search");
        assert!(found.iter().any(|r| r.customer.id == id), "{found:?}");
    }

    #[test]
    fn demo_email_and_chat_wait_for_replies_as_the_log_rules_say() {
        let (_dir, mut store, admin) = fresh_store();
        let spec = DemoSpec {
            customers: 3000,
            seed: 5,
        };
        crate::demo::generate(&mut store, &admin, spec, false, &|_| {}).expect("demo");
        let now = Utc::now().timestamp();
        let rules = store.log_rules().clone();
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT channel, direction, disposition, started_at, ended_at, reply_by, replied_at
                 FROM interactions",
            )
            .expect("prepare");
        type Row = (String, String, String, i64, i64, Option<i64>, Option<i64>);
        let rows: Vec<Row> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let (mut answered, mut waiting) = (0, 0);
        for (channel, direction, disposition, started, ended, reply_by, replied_at) in &rows {
            let expected = rules
                .reply_by(
                    channel.parse().expect("channel"),
                    direction.parse().expect("direction"),
                    rules.disposition(disposition).expect("disposition"),
                    DateTime::from_timestamp(*started, 0).expect("time"),
                )
                .map(|t| t.timestamp());
            assert_eq!(*reply_by, expected, "{channel} {direction} {disposition}");
            match (reply_by, replied_at) {
                (None, replied) => assert_eq!(*replied, None),
                (Some(_), Some(replied)) => {
                    answered += 1;
                    assert!(
                        *replied > *ended && now - started > crate::demo::AWAITING_REPLY_SECS - 5
                    );
                }
                (Some(_), None) => {
                    waiting += 1;
                    assert!(
                        now - started <= crate::demo::AWAITING_REPLY_SECS + 5,
                        "{started}"
                    );
                }
            }
        }
        assert!(answered > 500, "{answered}");
        assert!(waiting > 0, "{waiting}");
        // The desk's due replies show exactly the waiting ones.
        let filter = crate::store::LogFilter {
            due_replies: true,
            ..Default::default()
        };
        let due = store.desk_log(&admin, &filter, None, 500).expect("due");
        assert_eq!(due.len(), waiting);
        assert!(due.iter().all(|i| i.awaiting_reply()));
    }

    #[test]
    fn a_demo_beside_customers_numbers_as_customers_created_one_by_one() {
        let (_dir, mut store, admin) = fresh_store();
        let taken = CustomerFields {
            name: "王芳".into(),
            code: Some("C0000003".into()),
            ..CustomerFields::default()
        };
        store.create_customer(&admin, &taken).expect("create");
        crate::demo::generate(
            &mut store,
            &admin,
            DemoSpec {
                customers: 5,
                seed: 2,
            },
            true,
            &|_| {},
        )
        .expect("demo");
        let mut stmt = store
            .conn()
            .prepare("SELECT code FROM customers ORDER BY id")
            .expect("prepare");
        let codes: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("codes");
        // As `next_code` numbers: from the id on, the first code no record holds.
        assert_eq!(
            codes,
            ["C0000003", "C0000002", "C0000004", "C0000005", "C0000006", "C0000007"]
        );
        let found = store.search(&admin, "C0000004", 5).expect("search");
        assert_eq!(found.first().map(|r| r.customer.id), Some(3));
        assert!(store.check().expect("check").ok());
    }
}
