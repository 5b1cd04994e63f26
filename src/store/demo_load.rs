//! Writing a generated demo: many new customers with their purchases, contacts and complaints
//! in one write. `crate::demo` makes the records (pure); this turns them into rows and writes
//! them with a [`BulkLoad`].

use std::sync::mpsc::SyncSender;

use chrono::{DateTime, NaiveDate, Utc};

use super::bulk::{BulkLoad, Column, PreparedCustomer, Preparer, Rows};
use super::purchases::PurchaseFigures;
use super::{Actor, Cell, Result, Store, StoreError, CACHE_KIB};
use crate::domain::complaint_fact::EventFact;
use crate::domain::contact::PhoneRules;
use crate::domain::customer::{CustomerFields, CustomerKind};

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
    /// Its complaints; a merged one refers to another by its place here.
    pub complaints: Vec<DemoComplaint>,
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

/// One generated complaint with its life so far, as the store keeps it (see
/// `store::complaints` for what each column means). Times are Unix seconds.
#[derive(Debug, Clone)]
pub struct DemoComplaint {
    /// Who opened it.
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
    pub reopened: Option<i64>,
    pub claimed: Option<i64>,
    /// Acknowledge, propose and resolve by, as kept now (a wait or a reopening moves the last).
    pub due: [i64; 3],
    /// When each clock turns due soon.
    pub soon: [i64; 3],
    pub paused_at: Option<i64>,
    pub paused_seconds: i64,
    pub waiting_reason: Option<&'static str>,
    pub waiting_from: Option<&'static str>,
    pub escalation_level: i64,
    /// Clocks already escalated automatically: 1 acknowledge, 2 propose, 4 resolve.
    pub auto_escalated: i64,
    pub csat: Option<i32>,
    /// Merged into the customer's complaint at this place of its list.
    pub merged_into: Option<usize>,
    /// Opened with the VIP targets.
    pub vip: bool,
    /// Its place in the queue: the next clock, its deadline and its due-soon moment.
    pub next: Option<(&'static str, i64, i64)>,
    /// When the sweep looks at it next.
    pub sweep_at: Option<i64>,
    pub events: Vec<DemoComplaintEvent>,
    pub compensations: Vec<DemoCompensation>,
    pub surveys: Vec<DemoSurvey>,
    pub follow_ups: Vec<DemoFollowUp>,
}

/// One step of a generated complaint.
#[derive(Debug, Clone)]
pub struct DemoComplaintEvent {
    pub at: i64,
    /// `None`: careline itself (an automatic escalation).
    pub operator: Option<i64>,
    pub kind: &'static str,
    pub from: Option<&'static str>,
    pub to: &'static str,
    /// What the operator typed.
    pub text: Option<std::borrow::Cow<'static, str>>,
    /// What careline records about it; a merge's names the customer's complaint at place
    /// `other` (its id is known when the rows are made).
    pub fact: Option<EventFact>,
    pub customer_contact: bool,
    pub other: Option<usize>,
}

/// A compensation given (`amount` in fen, or points, which the points ledger is credited).
#[derive(Debug, Clone)]
pub struct DemoCompensation {
    pub kind: &'static str,
    pub amount: i64,
    pub note: &'static str,
    pub operator: i64,
    pub at: i64,
}

/// A CSAT survey taken in a follow-up call.
#[derive(Debug, Clone)]
pub struct DemoSurvey {
    pub score: i32,
    pub comment: &'static str,
    pub operator: i64,
    pub at: i64,
}

/// The follow-up reminder a resolution created (`round` counts the resolutions).
#[derive(Debug, Clone)]
pub struct DemoFollowUp {
    pub round: u32,
    pub due_on: NaiveDate,
    /// `open`, `done` or `skipped`.
    pub status: &'static str,
    pub skip_reason: Option<&'static str>,
    pub assignee: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
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
        let existing = self.customer_total()?;
        if existing > 0 && !load.force {
            return Err(StoreError::Conflict(format!(
                "{} already holds {}; pass --force to add demo data to it",
                self.path().display(),
                crate::text::counted(existing, "customer", "customers")
            )));
        }
        let rules: PhoneRules = self.phone_rules().clone();
        let care = self.care_rules().clone();
        // The calendar the demo's deadlines were counted in, as `complaint show` names it.
        let calendar = self.calendar().summary().to_string();
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
            let day_count = super::reports::suspend_day_count(w.tx())?;
            let points_days = super::points_days::KEPT.suspend(w.tx())?;
            let reminder_days = super::reminder_days::KEPT.suspend(w.tx())?;
            let mut bulk = BulkLoad::begin(w.tx())?;
            let mut history = History::prepare(w.tx(), &load.texts)?;
            let start = LoadStart {
                first_id: bulk.next_id(),
                now: w.now(),
                today: w.today(),
            };
            let rows = RowMaker {
                start,
                calendar: calendar.clone(),
                next_complaint: history.next_complaint,
                rules: rules.clone(),
                preparer: Preparer::new(w)?,
                care: care.clone(),
                tiers: w.tier_rules().clone(),
                seed: load.seed,
                loyalty: w.loyalty_rules().clone(),
                tz: w.calendar().tz(),
                loader: w.actor().id,
                next_purchase: history.next_purchase,
                next_interaction: history.next_interaction,
                next_opportunity: history.next_opportunity,
                operators: w
                    .tx()
                    .prepare("SELECT id FROM operators ORDER BY id")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?,
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
                        counts.complaints += customer.complaints.len() as u64;
                        bulk.add(customer.customer)?;
                        counts.interactions += customer.redemptions.len() as u64;
                        history.add(
                            customer.orders,
                            customer.interactions,
                            customer.days,
                            customer.complaints,
                        )?;
                        // After the compensations: a customer's ledger in the order it
                        // happened, where times are equal.
                        for row in customer.ledger {
                            history.points.push(row)?;
                        }
                        for row in customer.redemptions {
                            history.redemptions.push(row)?;
                        }
                        // After the contacts they followed.
                        for row in customer.contact_surveys {
                            history.contact_surveys.push(row)?;
                        }
                        for row in customer.visits {
                            history.follow_ups.push(row)?;
                        }
                        for row in customer.opportunities {
                            history.opportunities.push(row)?;
                        }
                        for row in customer.opportunity_events {
                            history.opportunity_events.push(row)?;
                        }
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
            history.write_day_sums(w.tx())?;
            drop(history);
            super::reports::resume_day_count(w.tx(), day_count)?;
            super::points_days::KEPT.resume(w.tx(), points_days)?;
            super::reminder_days::KEPT.resume(w.tx(), reminder_days)?;
            tracing::info!(
                "demo: rows generated and written in {:?}",
                started.elapsed()
            );
            bulk.finish()?;
            super::reminders::fill_badges(w.tx())?;
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
    calendar: String,
    next_complaint: i64,
    rules: PhoneRules,
    preparer: Preparer,
    /// For the care team's past return visits (each customer's last within their interval).
    care: crate::domain::care::CareRules,
    tiers: crate::domain::tier::TierRules,
    seed: u64,
    /// The operators the visits are made by.
    operators: Vec<i64>,
    /// Points earned, redeemed and expired (see [`RowMaker::points`]).
    loyalty: crate::domain::loyalty::LoyaltyRules,
    /// The centre's time zone, whose days the points are earned and expire on.
    tz: chrono::FixedOffset,
    /// Who loads the demo: the points of purchases are credited by them, as an import's.
    loader: i64,
    /// The ids the next purchase, the next contact and the next opportunity get.
    next_purchase: i64,
    next_interaction: i64,
    next_opportunity: i64,
}

/// One generated customer with every row it adds.
struct Prepared {
    customer: PreparedCustomer,
    contacts: u64,
    orders: Vec<[Cell; 10]>,
    interactions: Vec<[Cell; 12]>,
    /// Contacts in which points were redeemed (their summaries say how many).
    redemptions: Vec<[Cell; 12]>,
    /// The customer's points ledger beside the compensations: earned, redeemed, expired.
    ledger: Vec<[Cell; 8]>,
    /// Surveys taken at the end of contacts (CSAT, and NPS now and then).
    contact_surveys: Vec<[Cell; 8]>,
    /// What the interactions add to the contacts' daily sums.
    days: Vec<(DayKey, [i64; 3])>,
    /// The care team's last return visit, done (a reminders row).
    visits: Vec<[Cell; 14]>,
    complaints: Vec<ComplaintRows>,
    /// Sales opportunities, and the stages each took.
    opportunities: Vec<[Cell; 14]>,
    opportunity_events: Vec<[Cell; 6]>,
}

/// The rows of one complaint.
struct ComplaintRows {
    complaint: [Cell; COMPLAINT_COLUMNS],
    events: Vec<[Cell; 9]>,
    compensations: Vec<[Cell; 6]>,
    points: Vec<[Cell; 8]>,
    surveys: Vec<[Cell; 7]>,
    follow_ups: Vec<[Cell; 14]>,
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

    /// A draw of its own for customer `id` (splitmix64 of the seed, the id and `salt`), so
    /// that what it decides leaves the generator's draws as they were.
    fn draw(&self, id: i64, salt: u64) -> u64 {
        let mut x = self.seed ^ salt ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    }

    /// The surveys customer `id` answered at the end of their contacts (numbered from `first`
    /// in the order of `contacts`): of the contacts that reached them, about one in four asked
    /// for CSAT (1–5: 5 and 4 most often, 1 seldom), and about one in five for NPS, never
    /// within 90 days of their last (the default `[surveys] nps_every_days`; promoters about
    /// half the answers, detractors about a quarter). Drawn from the seed and the id, leaving
    /// the generator's draws as they were.
    fn contact_surveys(&self, id: i64, first: i64, contacts: &[DemoInteraction]) -> Vec<[Cell; 8]> {
        /// The default wrap-up codes that say the customer was reached.
        const REACHED: [&str; 6] = [
            "resolved_first_contact",
            "information_given",
            "callback_needed",
            "complaint_opened",
            "sale",
            "follow_up_done",
        ];
        const CSAT: [(i64, u64); 5] = [(5, 40), (4, 30), (3, 15), (2, 10), (1, 5)];
        const NPS: [(i64, u64); 11] = [
            (10, 25),
            (9, 25),
            (8, 14),
            (7, 10),
            (6, 8),
            (5, 6),
            (4, 4),
            (3, 3),
            (2, 2),
            (1, 2),
            (0, 1),
        ];
        let pick = |table: &[(i64, u64)], x: u64| {
            let total: u64 = table.iter().map(|(_, w)| w).sum();
            let mut at = x % total;
            for (score, w) in table {
                if at < *w {
                    return *score;
                }
                at -= w;
            }
            table[0].0
        };
        let mut order: Vec<usize> = (0..contacts.len()).collect();
        order.sort_by_key(|&k| contacts[k].started);
        let mut last_nps: Option<i64> = None;
        let mut rows = Vec::new();
        for k in order {
            let c = &contacts[k];
            if !REACHED.contains(&c.disposition) {
                continue;
            }
            let x = self.draw(id, 0x5C0E_5000 ^ k as u64);
            let contact = first + k as i64;
            let mut answer = |kind: &'static str, score: i64, scale: i64| {
                rows.push([
                    Cell::from(id),
                    Cell::from(kind),
                    Cell::from(score),
                    Cell::from(scale),
                    opt(None::<String>),
                    Cell::from(contact),
                    Cell::from(c.operator),
                    Cell::from(c.ended.max(c.started)),
                ]);
            };
            if x.is_multiple_of(4) {
                answer("csat", pick(&CSAT, x >> 8), 5);
            }
            let at = c.ended.max(c.started);
            let nps_due = last_nps.is_none_or(|last| at - last > 90 * 86_400);
            if nps_due && (x >> 4).is_multiple_of(5) {
                answer("nps", pick(&NPS, x >> 24), 10);
                last_nps = Some(at);
            }
        }
        rows
    }

    /// How and when some customers like to be reached, as the desk noted it: a channel for
    /// about two in five, a time of day for about one in four.
    fn preference(&self, id: i64, fields: &mut crate::domain::customer::CustomerFields) {
        use crate::domain::customer::Channel;
        const TIMES: [&str; 5] = ["上午", "下午", "晚上 7 点后", "工作日白天", "周末"];
        let x = self.draw(id, 0x5EED_CA4E);
        fields.preferred_channel = match x % 20 {
            0..=3 => Some(Channel::PhoneOut),
            4..=5 => Some(Channel::Sms),
            6 => Some(Channel::Email),
            7 => Some(Channel::Social),
            _ => fields.preferred_channel,
        };
        if (x >> 8).is_multiple_of(4) {
            fields.preferred_time = Some(TIMES[((x >> 16) % TIMES.len() as u64) as usize].into());
        }
    }

    /// The care team's last return visit to customer `id`, done some days ago within the
    /// interval their badge asks for (so that about one in ten is due within the week, as on a
    /// desk that keeps up): none for one who asked not to be contacted. The day is drawn from
    /// the seed and the id, leaving the generator's own draws as they were.
    fn last_return_visit(
        &self,
        id: i64,
        fields: &crate::domain::customer::CustomerFields,
        figures: &PurchaseFigures,
    ) -> Option<[Cell; 14]> {
        if fields.do_not_contact || self.operators.is_empty() {
            return None;
        }
        let today = self.start.today;
        let tier = figures.tier(today, &self.tiers);
        let every = self.care.return_visit_days(fields.level, tier).max(1);
        let x = self.draw(id, 0);
        let days_ago = 1 + (x % (every as u64 * 21 / 20).max(1)) as i64;
        let day = today - chrono::Duration::days(days_ago);
        let at = self.start.now.timestamp() - days_ago * 86_400;
        let operator = self.operators[(x >> 40) as usize % self.operators.len()];
        Some([
            Cell::from(id),
            Cell::from("return_visit"),
            Cell::from(format!("return_visit:{id}:{day}")),
            Cell::from(day.to_string()),
            Cell::from("return visit"),
            Cell::from("done"),
            opt(None::<i64>),
            Cell::from(operator),
            Cell::from("anyone"),
            opt(None::<i64>),
            Cell::from(operator),
            Cell::from(at),
            Cell::from(at),
            // Worked already: no badge (the demo gives those still to do theirs when loaded).
            opt(None::<String>),
        ])
    }

    /// The sales opportunities of customer `id`: about one customer in 30 (an enterprise or
    /// public body one in 8) has one, made by one operator within the last year, which went
    /// from lead a stage at a time, 2 to 20 days apart, until now: lost along the way now and
    /// then (with a reason), won or lost after negotiation (4 in 10 lost), and open at the
    /// stage reached when today came first.
    /// Drawn from the seed and the id, leaving the generator's draws as they were.
    fn opportunities(&mut self, id: i64, kind: CustomerKind) -> (Vec<[Cell; 14]>, Vec<[Cell; 6]>) {
        const PRODUCTS: [(&str, &str, i64); 8] = [
            ("净水器", "全屋净水方案", 6_800),
            ("空气净化器", "卧室空气净化", 3_200),
            ("扫地机器人", "以旧换新", 2_600),
            ("智能门锁", "新房智能门锁", 1_900),
            ("家电延保", "三年延保", 600),
            ("会员年卡", "金卡会员续费", 1_200),
            ("中央空调", "别墅中央空调", 48_000),
            ("厨电套装", "厨房焕新", 15_800),
        ];
        const LOST: [&str; 5] = ["价格太高", "选了竞品", "预算取消", "联系不上", "暂不需要"];
        const STAGES: [&str; 4] = ["lead", "qualified", "proposal", "negotiation"];
        let (mut rows, mut events) = (Vec::new(), Vec::new());
        let x = self.draw(id, 0x0990_5A1E);
        let company = kind != CustomerKind::Individual;
        let has = if company {
            x.is_multiple_of(8)
        } else {
            x.is_multiple_of(30)
        };
        if !has || self.operators.is_empty() {
            return (rows, events);
        }
        let now = self.start.now.timestamp();
        let owner = self.operators[((x >> 8) as usize) % self.operators.len()];
        let (product, title, yuan) = PRODUCTS[((x >> 16) % PRODUCTS.len() as u64) as usize];
        // 50% to 200% of the product's usual price, in whole yuan; companies buy by the five.
        let units = if company { 5 } else { 1 };
        let amount = yuan * units * (50 + ((x >> 24) % 151) as i64) / 100;
        let amount = (amount / 100).max(1) * 100;
        // Created any time in the last year, in working hours of the centre's day.
        let created = now - (((x >> 32) % 365) as i64) * 86_400 - (((x >> 40) % 8) as i64) * 3_600;
        let mut at = created;
        let mut stage = 0usize;
        let mut step = 0u64;
        events.push([
            Cell::from(self.next_opportunity),
            Cell::from(owner),
            Cell::from(at),
            opt(None::<String>),
            Cell::from(STAGES[0]),
            opt(None::<String>),
        ]);
        let (last, closed, reason) = loop {
            step += 1;
            let y = self.draw(id, 0x0990_5A1E ^ step);
            let next = at + (2 + (y % 19) as i64) * 86_400 + ((y >> 8) % 7_200) as i64;
            if next > now {
                break (STAGES[stage], None, None);
            }
            at = next;
            let lost = if stage + 1 < STAGES.len() {
                (y >> 16).is_multiple_of(6)
            } else {
                (y >> 20) % 10 < 4
            };
            let (from, to, why) = if lost {
                let why = LOST[((y >> 24) % LOST.len() as u64) as usize];
                (STAGES[stage], "lost", Some(why))
            } else if stage + 1 < STAGES.len() {
                stage += 1;
                (STAGES[stage - 1], STAGES[stage], None)
            } else {
                (STAGES[stage], "won", None)
            };
            events.push([
                Cell::from(self.next_opportunity),
                Cell::from(owner),
                Cell::from(at),
                Cell::from(from),
                Cell::from(to),
                opt(why.map(str::to_string)),
            ]);
            if to == "won" || to == "lost" {
                break (to, Some(at), why);
            }
        };
        let close = chrono::DateTime::<Utc>::from_timestamp(created, 0).map(|t| {
            (t.date_naive() + chrono::Duration::days(30 + (x >> 48) as i64 % 60)).to_string()
        });
        rows.push([
            Cell::from(self.next_opportunity),
            Cell::from(id),
            Cell::from(title),
            Cell::from(product),
            Cell::from(amount * 100),
            Cell::from(last),
            opt(close),
            Cell::from(owner),
            Cell::from(owner),
            Cell::from(created),
            opt(closed),
            opt(reason.map(str::to_string)),
            Cell::from(at),
            Cell::from(events.len() as i64),
        ]);
        self.next_opportunity += 1;
        (rows, events)
    }

    /// The rows of customer `id`.
    fn prepare(&mut self, id: i64, customer: DemoCustomer) -> Result<Prepared> {
        let DemoCustomer {
            fields,
            purchases,
            interactions,
            complaints,
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
        let now = self.start.now.timestamp();
        let orders: Vec<(i64, DemoPurchase)> = purchases
            .into_iter()
            .map(|p| {
                let pid = self.next_purchase;
                self.next_purchase += 1;
                (pid, p)
            })
            .collect();
        let points = self.points(id, &orders, &complaints);
        let first_interaction = self.next_interaction;
        let interaction_rows: Vec<[Cell; 12]> = interactions
            .iter()
            .map(|h| {
                let row = h.row(self.next_interaction, id);
                self.next_interaction += 1;
                row
            })
            .collect();
        let contact_surveys = self.contact_surveys(id, first_interaction, &interactions);
        let mut days: Vec<(DayKey, [i64; 3])> =
            interactions.iter().map(DemoInteraction::day_sums).collect();
        let mut redemptions = Vec::new();
        let mut redeemed_at = Vec::new();
        let mut ledger = points.ledger;
        for (contact, summary, row) in points.redemptions {
            redeemed_at.push(contact.started);
            let contact_id = self.next_interaction;
            self.next_interaction += 1;
            days.push(contact.day_sums());
            let mut cells = contact.row(contact_id, id);
            cells[8] = Cell::from(summary);
            redemptions.push(cells);
            // The ledger row points at its contact.
            ledger[row][4] = Cell::from(contact_id);
        }
        let last_contact = interactions
            .iter()
            .map(|h| h.started)
            .chain(redeemed_at)
            .max();
        let contact_count = contacts.len() as u64;
        let visit = self.last_return_visit(id, &fields, &figures);
        let (opportunities, opportunity_events) = self.opportunities(id, fields.kind);
        let do_not_contact = fields.do_not_contact;
        let mut fields = fields;
        self.preference(id, &mut fields);
        Ok(Prepared {
            customer: self.preparer.customer(
                id,
                fields,
                contacts,
                &figures,
                last_contact,
                points.balance,
            )?,
            contacts: contact_count,
            orders: orders
                .into_iter()
                .map(|(pid, p)| p.row(pid, id, now))
                .collect(),
            interactions: interaction_rows,
            redemptions,
            ledger,
            contact_surveys,
            days,
            visits: visit.into_iter().collect(),
            opportunities,
            opportunity_events,
            complaints: {
                let first = self.next_complaint;
                self.next_complaint += complaints.len() as i64;
                complaints
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        c.rows(first, first + k as i64, id, do_not_contact, &self.calendar)
                    })
                    .collect()
            },
        })
    }

    /// The start of `day` in the centre's time zone.
    fn day_start(&self, day: NaiveDate) -> i64 {
        use chrono::TimeZone as _;
        self.tz
            .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map_or_else(
                || day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
                |t| t.timestamp(),
            )
    }

    /// Customer `id`'s points, as a desk that credits every purchase, runs `points expire`
    /// every day and redeems now and then would have them: the points each purchase earned
    /// (`[loyalty] points_per_yuan`, on the day of the purchase), the complaints'
    /// compensations (written with the complaints), one redemption for about one customer in
    /// three with 200 points or more (a part of the balance, between their last gain and now,
    /// logged as a contact), and every lot's remainder written off on the day it expired,
    /// oldest first. So the balance is the sum of the ledger, and `points expire` run on the
    /// new demo finds nothing to expire.
    fn points(
        &self,
        id: i64,
        orders: &[(i64, DemoPurchase)],
        complaints: &[DemoComplaint],
    ) -> DemoPoints {
        use crate::domain::loyalty::{expiring, LedgerMove};
        let now = self.start.now.timestamp();
        let today = self.start.today;
        let day_of = |at: i64| {
            DateTime::from_timestamp(at, 0)
                .unwrap_or_default()
                .with_timezone(&self.tz)
                .date_naive()
        };
        let mut ledger: Vec<[Cell; 8]> = Vec::new();
        // Every gain: (at, points), earned on a purchase (its ledger row) or as compensation.
        let mut gains: Vec<(i64, i64)> = Vec::new();
        for (pid, p) in orders {
            let points = self.loyalty.points_for(p.amount_cents);
            if points == 0 {
                continue;
            }
            let at = self.day_start(p.day).min(now);
            gains.push((at, points));
            ledger.push([
                Cell::from(id),
                Cell::from(points),
                Cell::from(format!("purchase {}", p.order_no)),
                Cell::from(*pid),
                opt(None::<i64>),
                Cell::from(self.loader),
                Cell::from(at),
                Cell::from("earn"),
            ]);
        }
        for c in complaints {
            for comp in c.compensations.iter().filter(|c| c.kind == "points") {
                gains.push((comp.at, comp.amount));
            }
        }
        gains.sort_unstable();
        let earned: i64 = gains.iter().map(|g| g.1).sum();
        // One redemption, for about one in three with enough points: after any gain that
        // brought what they had earned to 200 or more, before the next gain (or now), so
        // that redemptions spread over the customers' years as their purchases do.
        let x = self.draw(id, 0x9017_5EED);
        let mut so_far = 0;
        let enough = gains.iter().position(|(_, n)| {
            so_far += n;
            so_far >= 200
        });
        let redeem_at = match enough {
            Some(first) if earned >= 200 && x.is_multiple_of(3) && !self.operators.is_empty() => {
                let g = first + ((x >> 40) as usize) % (gains.len() - first);
                let from = gains[g].0;
                let until = gains.get(g + 1).map_or(now, |next| next.0).min(now);
                let span = (until - from - 600).max(1) as u64;
                Some(from + 1 + ((x >> 8) % span) as i64)
            }
            _ => None,
        };
        // The days a lot expires on, up to today: each a run of `points expire`.
        let mut expiries: Vec<i64> = gains
            .iter()
            .filter_map(|(at, _)| self.loyalty.expires_on(day_of(*at)))
            .filter(|d| *d <= today)
            .map(|d| self.day_start(d))
            .collect();
        expiries.sort_unstable();
        expiries.dedup();
        // Everything in the order it happened: gains (0), expiry runs (1), the redemption (2).
        let mut timeline: Vec<(i64, u8, i64)> = gains.iter().map(|(at, n)| (*at, 0, *n)).collect();
        timeline.extend(expiries.iter().map(|at| (*at, 1, 0)));
        timeline.extend(redeem_at.map(|at| (at, 2, 0)));
        // An expiry run at the start of a day comes before a gain of that moment.
        timeline.sort_unstable_by_key(|(at, kind, _)| (*at, u8::from(*kind == 0)));
        let mut moves: Vec<LedgerMove> = Vec::new();
        let mut redemptions = Vec::new();
        for (at, kind, points) in timeline {
            match kind {
                0 => moves.push(LedgerMove {
                    day: day_of(at),
                    delta: points,
                }),
                1 => {
                    let day = day_of(at);
                    let gone = expiring(&moves, &self.loyalty, day);
                    if gone > 0 {
                        moves.push(LedgerMove { day, delta: -gone });
                        ledger.push([
                            Cell::from(id),
                            Cell::from(-gone),
                            Cell::from(format!("expired on {day}")),
                            opt(None::<i64>),
                            opt(None::<i64>),
                            Cell::from(self.loader),
                            Cell::from(at),
                            Cell::from("expire"),
                        ]);
                    }
                }
                _ => {
                    let balance: i64 = moves.iter().map(|m| m.delta).sum();
                    // Between a third and two thirds of it, in tens.
                    let share = 33 + (x >> 20) % 34;
                    let points = (balance * share as i64 / 100) / 10 * 10;
                    if points < 10 {
                        continue;
                    }
                    const REASONS: [&str; 4] = [
                        "兑换滤芯套装",
                        "抵扣订单金额",
                        "兑换延保服务",
                        "兑换电饭煲优惠券",
                    ];
                    let reason = REASONS[((x >> 40) % REASONS.len() as u64) as usize];
                    let operator = self.operators[((x >> 48) as usize) % self.operators.len()];
                    moves.push(LedgerMove {
                        day: day_of(at),
                        delta: -points,
                    });
                    let contact = DemoInteraction {
                        operator,
                        channel: "phone_in",
                        direction: "inbound",
                        disposition: "points_redeemed",
                        started: at,
                        ended: at + 60 + ((x >> 32) % 240) as i64,
                        summary: "",
                        reply_by: None,
                        replied_at: None,
                    };
                    redemptions.push((contact, format!("{points}: {reason}"), ledger.len()));
                    ledger.push([
                        Cell::from(id),
                        Cell::from(-points),
                        Cell::from(reason),
                        opt(None::<i64>),
                        opt(None::<i64>),
                        Cell::from(operator),
                        Cell::from(at),
                        Cell::from("redeem"),
                    ]);
                }
            }
        }
        DemoPoints {
            balance: moves.iter().map(|m| m.delta).sum(),
            ledger,
            redemptions,
        }
    }
}

/// A customer's points as the demo makes them (see [`RowMaker::points`]).
struct DemoPoints {
    /// The sum of the ledger (the compensations' rows, written with the complaints, too).
    balance: i64,
    ledger: Vec<[Cell; 8]>,
    /// Each redemption's contact, its summary and its ledger row (a place in `ledger`).
    redemptions: Vec<(DemoInteraction, String, usize)>,
}

/// The history of the customers of a load, written after the customers themselves.
struct History<'c> {
    orders: Rows<'c>,
    interactions: Rows<'c>,
    complaints: Rows<'c>,
    events: Rows<'c>,
    compensations: Rows<'c>,
    points: Rows<'c>,
    /// Contacts in which points were redeemed, with their own summaries.
    redemptions: Rows<'c>,
    surveys: Rows<'c>,
    /// Surveys taken at the end of contacts.
    contact_surveys: Rows<'c>,
    follow_ups: Rows<'c>,
    opportunities: Rows<'c>,
    opportunity_events: Rows<'c>,
    /// The id the first complaint gets: as if inserted one by one, the next after the highest.
    next_complaint: i64,
    /// The same for purchases and contacts (written with their ids, which the points ledger
    /// refers to).
    next_purchase: i64,
    next_interaction: i64,
    next_opportunity: i64,
    /// The contacts' daily sums of the interactions written, added to `contact_days` at the
    /// end (its trigger is off for the load: one sum a row instead of one update a contact).
    days: std::collections::HashMap<DayKey, [i64; 3]>,
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
                "INSERT INTO purchases (id, customer_id, order_no, purchased_on, amount, product, category, quantity, channel, created_at)",
                &[
                    Value,
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
                "INSERT INTO interactions (id, customer_id, operator_id, channel, direction, disposition, started_at, ended_at, summary, created_at, reply_by, replied_at)",
                &[
                    Value,
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
                    opened_at, acknowledged_at, proposed_at, resolved_at, closed_at, reopened_at, claimed_at,
                    ack_due_at, propose_due_at, resolve_due_at, ack_soon_at, propose_soon_at, resolve_soon_at,
                    paused_at, paused_seconds, waiting_reason, waiting_from, escalation_level, auto_escalated,
                    csat, merged_into, vip, calendar, next_clock, next_due_at, next_soon_at, sweep_at)",
                COMPLAINT_COLUMNS,
            )?,
            events: Rows::new(
                conn,
                "INSERT INTO complaint_events (complaint_id, operator_id, at, kind, from_status, to_status, text, customer_contact, facts)",
                9,
            )?,
            compensations: Rows::new(
                conn,
                "INSERT INTO compensations (complaint_id, kind, amount, note, operator_id, at)",
                6,
            )?,
            points: Rows::new(
                conn,
                "INSERT INTO points_ledger (customer_id, delta, reason, purchase_id, interaction_id, operator_id, at, kind)",
                8,
            )?,
            redemptions: Rows::new(
                conn,
                "INSERT INTO interactions (id, customer_id, operator_id, channel, direction, disposition, started_at, ended_at, summary, created_at, reply_by, replied_at)",
                12,
            )?,
            surveys: Rows::new(
                conn,
                "INSERT INTO surveys (customer_id, kind, score, comment, complaint_id, operator_id, at)",
                7,
            )?,
            contact_surveys: Rows::new(
                conn,
                "INSERT INTO surveys (customer_id, kind, score, scale, comment, interaction_id, operator_id, at)",
                8,
            )?,
            follow_ups: Rows::new(
                conn,
                "INSERT INTO reminders (customer_id, kind, source_key, due_on, title, status, skip_reason,
                    assignee_id, scope, complaint_id, created_by, created_at, updated_at, badge)",
                14,
            )?,
            opportunities: Rows::new(
                conn,
                "INSERT INTO opportunities (id, customer_id, title, product, amount, stage, expected_close,
                    owner_id, created_by, created_at, closed_at, lost_reason, updated_at, version)",
                14,
            )?,
            opportunity_events: Rows::new(
                conn,
                "INSERT INTO opportunity_events (opportunity_id, operator_id, at, from_stage, to_stage, reason)",
                6,
            )?,
            next_opportunity: conn.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM opportunities",
                [],
                |r| r.get(0),
            )?,
            next_complaint: conn.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM complaints",
                [],
                |r| r.get(0),
            )?,
            next_purchase: conn.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM purchases",
                [],
                |r| r.get(0),
            )?,
            next_interaction: conn.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM interactions",
                [],
                |r| r.get(0),
            )?,
            days: std::collections::HashMap::new(),
        })
    }

    fn add(
        &mut self,
        orders: Vec<[Cell; 10]>,
        interactions: Vec<[Cell; 12]>,
        days: Vec<(DayKey, [i64; 3])>,
        complaints: Vec<ComplaintRows>,
    ) -> Result<()> {
        for (key, add) in days {
            let sums = self.days.entry(key).or_insert([0; 3]);
            for (sum, n) in sums.iter_mut().zip(add) {
                *sum += n;
            }
        }
        for row in orders {
            self.orders.push(row)?;
        }
        for row in interactions {
            self.interactions.push(row)?;
        }
        for c in complaints {
            self.complaints.push(c.complaint)?;
            for row in c.events {
                self.events.push(row)?;
            }
            for row in c.compensations {
                self.compensations.push(row)?;
            }
            for row in c.points {
                self.points.push(row)?;
            }
            for row in c.surveys {
                self.surveys.push(row)?;
            }
            for row in c.follow_ups {
                self.follow_ups.push(row)?;
            }
        }
        Ok(())
    }

    /// Adds the daily sums of the interactions written to `contact_days`, in key order.
    fn write_day_sums(&mut self, tx: &rusqlite::Connection) -> Result<()> {
        let mut sums: Vec<_> = std::mem::take(&mut self.days).into_iter().collect();
        sums.sort_unstable();
        let mut add = tx.prepare(
            "INSERT INTO contact_days VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (day, operator_id, channel, direction, disposition) DO UPDATE
                SET contacts = contacts + excluded.contacts,
                    handled = handled + excluded.handled,
                    handle_seconds = handle_seconds + excluded.handle_seconds",
        )?;
        for ((day, operator, channel, direction, disposition), [n, handled, seconds]) in sums {
            add.execute(rusqlite::params![
                day,
                operator,
                channel,
                direction,
                disposition,
                n,
                handled,
                seconds
            ])?;
        }
        Ok(())
    }

    /// Writes the history added so far: `all` of it, or its full chunks (but every complaint,
    /// purchase, contact and redemption, so that the rows written refer to written rows).
    fn write(&mut self, all: bool) -> Result<()> {
        // Every row the points ledger refers to (a purchase, a redemption's contact) is
        // written before it.
        self.complaints.write_all()?;
        self.orders.write_all()?;
        // Before the stages that refer to them.
        self.opportunities.write_all()?;
        self.redemptions.write_all()?;
        // And every contact a survey follows.
        self.interactions.write_all()?;
        for rows in [
            &mut self.contact_surveys,
            &mut self.events,
            &mut self.compensations,
            &mut self.points,
            &mut self.surveys,
            &mut self.follow_ups,
            &mut self.opportunity_events,
        ] {
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
    fn row(self, id: i64, customer: i64, now: i64) -> [Cell; 10] {
        [
            Cell::from(id),
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

/// A row of the contacts' daily sums: UTC day, operator, channel, direction, wrap-up code.
type DayKey = (i64, i64, &'static str, &'static str, &'static str);

impl DemoInteraction {
    /// What this contact adds to the daily sums the reports read (`contact_days`): one
    /// contact, and its handling time when it ended at or after its start.
    fn day_sums(&self) -> (DayKey, [i64; 3]) {
        let handled = self.ended >= self.started;
        (
            (
                self.started.div_euclid(86_400),
                self.operator,
                self.channel,
                self.direction,
                self.disposition,
            ),
            [
                1,
                i64::from(handled),
                if handled {
                    self.ended - self.started
                } else {
                    0
                },
            ],
        )
    }

    fn row(&self, id: i64, customer: i64) -> [Cell; 12] {
        [
            Cell::from(id),
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

/// The columns of a complaint row.
const COMPLAINT_COLUMNS: usize = 36;

/// An event's text as a cell.
fn text_cell(text: &Option<std::borrow::Cow<'static, str>>) -> Cell {
    match text {
        Some(std::borrow::Cow::Borrowed(text)) => Cell::from(*text),
        Some(std::borrow::Cow::Owned(text)) => Cell::from(text.clone()),
        None => opt(None::<i64>),
    }
}

/// An event's fact as stored (JSON), a merge's naming the customer's complaint `other` (of
/// ids from `first`) by its id.
fn fact_cell(fact: &Option<EventFact>, other: Option<usize>, first: i64) -> Cell {
    let other = other.map(|other| first + other as i64);
    let fact = match (fact, other) {
        (Some(EventFact::MergedInto { .. }), Some(id)) => {
            Some(EventFact::MergedInto { complaint_id: id })
        }
        (Some(EventFact::MergedFrom { .. }), Some(id)) => {
            Some(EventFact::MergedFrom { complaint_id: id })
        }
        (fact, _) => fact.clone(),
    };
    // A fact is plain data: turning it into JSON cannot fail.
    match fact.and_then(|f| serde_json::to_string(&f).ok()) {
        Some(json) => Cell::from(json),
        None => opt(None::<i64>),
    }
}

impl DemoComplaint {
    /// The rows of the complaint as complaint `id` of `customer`, whose complaints have the ids
    /// from `first` on, its deadlines counted in `calendar`.
    /// The rows of complaint `id`. A follow-up call still to make for a customer who asked
    /// not to be contacted is withdrawn, as marking them so does on a desk.
    fn rows(
        &self,
        first: i64,
        id: i64,
        customer: i64,
        do_not_contact: bool,
        calendar: &str,
    ) -> ComplaintRows {
        let complaint = [
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
            opt(self.reopened),
            opt(self.claimed),
            Cell::from(self.due[0]),
            Cell::from(self.due[1]),
            Cell::from(self.due[2]),
            Cell::from(self.soon[0]),
            Cell::from(self.soon[1]),
            Cell::from(self.soon[2]),
            opt(self.paused_at),
            Cell::from(self.paused_seconds),
            self.waiting_reason.map_or(opt(None::<i64>), Cell::from),
            self.waiting_from.map_or(opt(None::<i64>), Cell::from),
            Cell::from(self.escalation_level),
            Cell::from(self.auto_escalated),
            opt(self.csat),
            opt(self.merged_into.map(|k| first + k as i64)),
            Cell::from(i64::from(self.vip)),
            Cell::from(calendar.to_string()),
            self.next
                .map_or(opt(None::<i64>), |(clock, _, _)| Cell::from(clock)),
            opt(self.next.map(|(_, due, _)| due)),
            opt(self.next.map(|(_, _, soon)| soon)),
            opt(self.sweep_at),
        ];
        let events = self
            .events
            .iter()
            .map(|event| {
                [
                    Cell::from(id),
                    opt(event.operator),
                    Cell::from(event.at),
                    Cell::from(event.kind),
                    event.from.map_or(opt(None::<i64>), Cell::from),
                    Cell::from(event.to),
                    text_cell(&event.text),
                    Cell::from(i64::from(event.customer_contact)),
                    fact_cell(&event.fact, event.other, first),
                ]
            })
            .collect();
        let compensations = self
            .compensations
            .iter()
            .map(|c| {
                [
                    Cell::from(id),
                    Cell::from(c.kind),
                    Cell::from(c.amount),
                    Cell::from(c.note),
                    Cell::from(c.operator),
                    Cell::from(c.at),
                ]
            })
            .collect();
        // Points given are credited to the customer's points, as `complaint compensate` does.
        let points = self
            .compensations
            .iter()
            .filter(|c| c.kind == "points")
            .map(|c| {
                [
                    Cell::from(customer),
                    Cell::from(c.amount),
                    Cell::from(format!("compensation for complaint {id}")),
                    opt(None::<i64>),
                    opt(None::<i64>),
                    Cell::from(c.operator),
                    Cell::from(c.at),
                    Cell::from("compensation"),
                ]
            })
            .collect();
        let surveys = self
            .surveys
            .iter()
            .map(|s| {
                [
                    Cell::from(customer),
                    Cell::from("csat"),
                    Cell::from(i64::from(s.score)),
                    Cell::from(s.comment),
                    Cell::from(id),
                    Cell::from(s.operator),
                    Cell::from(s.at),
                ]
            })
            .collect();
        let follow_ups = self
            .follow_ups
            .iter()
            .map(|f| {
                let withdrawn = (do_not_contact && f.status == "open")
                    .then_some(super::care_work::WITHDRAWN_DO_NOT_CONTACT);
                [
                    Cell::from(customer),
                    Cell::from("complaint_follow_up"),
                    Cell::from(format!("complaint_follow_up:{id}:{}", f.round)),
                    Cell::from(f.due_on.format("%Y-%m-%d").to_string()),
                    Cell::from(format!("#{id} {}", self.title)),
                    Cell::from(withdrawn.map_or(f.status, |_| "deleted")),
                    withdrawn
                        .or(f.skip_reason)
                        .map_or(opt(None::<i64>), Cell::from),
                    Cell::from(f.assignee),
                    Cell::from("anyone"),
                    Cell::from(id),
                    Cell::from(f.created_by),
                    Cell::from(f.created_at),
                    Cell::from(f.updated_at),
                    // Given when the demo is loaded (`reminders::fill_badges`).
                    opt(None::<String>),
                ]
            })
            .collect();
        ComplaintRows {
            complaint,
            events,
            compensations,
            points,
            surveys,
            follow_ups,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use rusqlite::types::Value;

    use super::*;
    use crate::demo::DemoSpec;
    use crate::domain::complaint::Status;
    use crate::domain::complaint_step::Compensation;
    use crate::store::complaints::OPEN_STATUSES;
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
        // ... and leaves its merges to the upkeep thread again.
        let automerge: i64 = conn
            .query_row(
                "SELECT v FROM customer_text_config WHERE k = 'automerge'",
                [],
                |r| r.get(0),
            )
            .expect("automerge");
        assert_eq!(automerge, 0);

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

    /// A demo of `customers` under `sla`, its clock fixed at a Monday morning in Beijing (11:30).
    fn demo_at_a_fixed_time(
        sla: crate::domain::complaint::SlaRules,
        customers: u64,
    ) -> (tempfile::TempDir, Store, Actor) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(
            &dir.path().join("demo.db"),
            crate::store::OpenOptions {
                sla,
                ..crate::store::OpenOptions::default()
            },
        )
        .expect("open");
        store.set_clock(crate::store::Clock::Fixed(
            DateTime::from_timestamp(1_795_404_600, 0).expect("a time"),
        ));
        let admin = store.init_admin("admin", "Admin").expect("init");
        let spec = DemoSpec { customers, seed: 4 };
        crate::demo::generate(&mut store, &admin, spec, false, &|_| {}).expect("demo");
        (dir, store, admin)
    }

    fn column<T: rusqlite::types::FromSql>(store: &Store, sql: &str) -> Vec<T> {
        let mut stmt = store.conn().prepare(sql).expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    /// What the queue orders and counts by, of every complaint.
    fn queue_columns(store: &Store) -> Vec<Vec<Value>> {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT id, next_clock, next_due_at, next_soon_at, sweep_at FROM complaints
                 ORDER BY id",
            )
            .expect("prepare");
        stmt.query_map([], |r| (0..5).map(|i| r.get::<_, Value>(i)).collect())
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    #[test]
    fn demo_complaints_live_every_status_as_the_store_works_them() {
        let (_dir, mut store, admin) =
            demo_at_a_fixed_time(crate::domain::complaint::SlaRules::default(), 3000);
        let statuses: Vec<String> =
            column(&store, "SELECT DISTINCT status FROM complaints ORDER BY 1");
        let mut every: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        every.sort();
        assert_eq!(statuses, every);
        let all: Vec<i64> = column(&store, "SELECT id FROM complaints ORDER BY id");
        let open: Vec<i64> = column(
            &store,
            &format!(
                "SELECT id FROM complaints WHERE status IN {}",
                *OPEN_STATUSES
            ),
        );
        assert!(all.len() > 500, "{}", all.len());
        // Few are open: fewer than the one in ten of old, more than none.
        assert!(
            open.len() * 10 < all.len() && open.len() >= 7,
            "{} of {}",
            open.len(),
            all.len()
        );

        // The queue columns are what the store itself sets from the complaint as it stands.
        let loaded = queue_columns(&store);
        store
            .write(&admin, |w| {
                for id in &all {
                    super::super::complaints::place_in_queue(w, *id)?;
                }
                Ok(())
            })
            .expect("place");
        assert_eq!(queue_columns(&store), loaded);

        // The queue is in the order of the domain's next clock, read as of now.
        let filter = crate::store::ComplaintFilter {
            open: true,
            ..Default::default()
        };
        let queue = store.complaints(&admin, &filter).expect("queue");
        assert_eq!(queue.len(), open.len());
        let mut by_clock: Vec<(Option<DateTime<Utc>>, i64)> = queue
            .iter()
            .map(|k| {
                let next = k
                    .clocks
                    .iter()
                    .filter(|c| c.met_at.is_none() && !c.paused)
                    .min_by_key(|c| c.due_at);
                assert_eq!(next.map(|c| c.clock), k.next_clock.as_deref(), "{k:#?}");
                (next.map(|c| c.due_at), k.id)
            })
            .collect();
        by_clock.sort_by_key(|(due, id)| (due.is_none(), *due, *id));
        let queued: Vec<i64> = queue.iter().map(|k| k.id).collect();
        assert_eq!(
            by_clock.iter().map(|(_, id)| *id).collect::<Vec<_>>(),
            queued
        );
        let states: Vec<&str> = queue
            .iter()
            .filter_map(|k| k.next_reading())
            .map(|c| c.state)
            .collect();
        assert!(states.contains(&"breached"), "{states:?}");
        assert!(states.contains(&"running"), "{states:?}");

        // Waiting ones are paused with a reason and the status they go back to.
        let waiting: Vec<&crate::store::Complaint> = queue
            .iter()
            .filter(|k| k.status == Status::Waiting)
            .collect();
        assert!(!waiting.is_empty());
        for k in waiting {
            assert!(
                k.paused_at.is_some() && k.waiting_reason.is_some() && k.waiting_from.is_some()
            );
            assert!(
                k.clocks.iter().any(|c| c.clock == "resolve" && c.paused),
                "{k:#?}"
            );
        }

        // Escalated to every level; compensated in every way, points credited.
        let levels: Vec<i64> = column(
            &store,
            "SELECT DISTINCT escalation_level FROM complaints ORDER BY 1",
        );
        assert_eq!(levels, [0, 1, 2, 3]);
        let kinds: Vec<String> =
            column(&store, "SELECT DISTINCT kind FROM compensations ORDER BY 1");
        let mut every_kind: Vec<&str> = Compensation::ALL.iter().map(|k| k.as_str()).collect();
        every_kind.sort();
        assert_eq!(kinds, every_kind);
        let unpaid: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM compensations p JOIN complaints k ON k.id = p.complaint_id
                 WHERE p.kind = 'points' AND NOT EXISTS (SELECT 1 FROM points_ledger l
                    WHERE l.customer_id = k.customer_id AND l.delta = p.amount AND l.at = p.at
                      AND l.reason = 'compensation for complaint ' || k.id)",
                [],
                |r| r.get(0),
            )
            .expect("points");
        assert_eq!(unpaid, 0);

        // Every complaint's history reads as `complaint show` gives it: each event goes from
        // the status the one before left, the last to the status it has.
        for id in &all {
            let detail = store.complaint_detail(&admin, *id).expect("detail");
            let own: Vec<_> = detail
                .events
                .iter()
                .filter(|e| e.complaint_id == *id)
                .collect();
            assert_eq!(own[0].kind, "opened");
            for pair in own.windows(2) {
                assert_eq!(pair[1].from_status, pair[0].to_status, "{detail:#?}");
            }
            let k = &detail.complaint;
            assert_eq!(
                own.last().and_then(|e| e.to_status.clone()).as_deref(),
                Some(k.status.as_str())
            );
            assert!(
                own.iter().all(|e| e.operator != "system"),
                "no auto_escalate configured"
            );
            match k.status {
                // A resolved one waits for its follow-up call.
                Status::Resolved => {
                    let follow_up = detail.follow_up.as_ref().expect("a follow-up reminder");
                    assert_eq!(follow_up.status, "open");
                }
                // A closed one after a follow-up call has its CSAT survey.
                Status::Closed if own.iter().any(|e| e.kind == "follow_up") => {
                    let csat = k.csat.expect("csat");
                    let score: i64 = store
                        .conn()
                        .query_row(
                            "SELECT score FROM surveys WHERE complaint_id = ?1 AND kind = 'csat'
                             ORDER BY at DESC LIMIT 1",
                            [id],
                            |r| r.get(0),
                        )
                        .expect("survey");
                    assert_eq!(score, i64::from(csat));
                    assert_eq!(detail.follow_up.map(|f| f.status).as_deref(), Some("done"));
                }
                Status::Merged => {
                    let into = k.merged_into.expect("merged into");
                    let target = store.complaint_detail(&admin, into).expect("target");
                    assert_eq!(target.complaint.customer_id, k.customer_id);
                    assert!(target.merged_from.contains(id));
                    let text = format!("complaint {id} merged into this one");
                    assert!(target.events.iter().any(|e| e.complaint_id == into
                        && e.fact.as_ref().map(|f| f.english(&chrono::Utc)).as_deref()
                            == Some(text.as_str())));
                }
                _ => {}
            }
        }
        assert!(store.check().expect("check").ok());
    }

    #[test]
    fn with_auto_escalation_the_demo_leaves_nothing_for_the_first_sweep() {
        let sla = crate::domain::complaint::SlaRules {
            auto_escalate: true,
            clock: "business".into(),
            time_zone: "+08:00".into(),
            ..Default::default()
        };
        let (_dir, mut store, admin) = demo_at_a_fixed_time(sla, 2000);
        let system: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM complaint_events
                 WHERE kind = 'auto_escalate' AND operator_id IS NULL",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert!(system > 0);
        let calendars: Vec<String> = column(&store, "SELECT DISTINCT calendar FROM complaints");
        assert_eq!(calendars, [store.calendar().summary().to_string()]);
        assert!(calendars[0].starts_with("business hours"), "{calendars:?}");
        let loaded = queue_columns(&store);
        // Every breach was escalated once already: the sweep finds nothing to do.
        let sweep = store.sweep_complaints(&admin).expect("sweep");
        assert_eq!(sweep.escalated, 0, "{sweep:?}");
        assert_eq!(queue_columns(&store), loaded);
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

    /// FTS5 merges a level of its index whole once the level holds 16 segments, and each write
    /// that changes a customer's searchable text adds a one-row segment on the lowest level. A
    /// load that left the whole index as one segment on that level had the 16th such write
    /// rewrite the entire index inside its commit — more pages than the index holds, while every
    /// other writer waited for its turn. After a load the first writes put into the log only a
    /// part of it, as in an index that grew row by row.
    #[test]
    fn the_first_writes_after_a_load_do_not_rewrite_the_full_text_index() {
        let (_dir, mut store, admin) = fresh_store();
        let spec = DemoSpec {
            customers: 50_000,
            seed: 5,
        };
        crate::demo::generate(&mut store, &admin, spec, false, &|_| {}).expect("demo");
        let index_rows: u64 = store
            .conn()
            .query_row("SELECT count(*) FROM customer_text_data", [], |r| r.get(0))
            .expect("index size");
        // The index is large enough that rewriting it dwarfs a write (a few dozen pages).
        assert!(index_rows > 500, "{index_rows}");
        let mut most = (0, 0);
        for id in 1..=40 {
            let opened = store.customer(&admin, id).expect("customer");
            let mut fields = opened.fields.clone();
            fields.name = format!("{}甲", fields.name);
            store
                .edit_customer(&admin, id, opened.version, &fields)
                .expect("edited");
            let pages = store.last_write_parts().pages_written;
            assert!(pages > 0, "write {id} put nothing into the log");
            most = most.max((pages, id));
        }
        assert!(
            most.0 * 2 < index_rows,
            "write {} put {} pages into the log; the full-text index holds {index_rows}",
            most.1,
            most.0
        );
    }
}
