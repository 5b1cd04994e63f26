//! Loyalty points and customer values (issue 16 item 3): accrual on purchases, redemption
//! (a contact in the log and a ledger row in one transaction), expiry oldest first, the
//! balance and history of a customer, and the nightly refresh of every customer's purchase
//! figures, tier, lifetime value, churn risk and RFM scores. `docs/REPORTS.md` ("Value and
//! loyalty") has the rules.
//!
//! The balance is the sum of the customer's ledger; `customers.points` is kept equal to it
//! in the same transaction as every ledger row (`careline check` compares them).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::purchases::{self, NewPurchase};
use super::{Actor, Permission, Result, Store, StoreError, Writer};
use crate::domain::customer::{Channel, FieldError};
use crate::domain::interaction::NewInteraction;
use crate::domain::loyalty::{birthday_perk, expiring, LedgerMove, LoyaltyRules};

/// The longest reason a redemption keeps.
pub const REASON_MAX: usize = 200;

/// One row of a customer's points ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointsEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// earn, redeem, expire, compensation or adjust.
    pub kind: String,
    pub delta: i64,
    /// The balance after this row.
    pub balance: i64,
    pub reason: String,
    /// The purchase's order number, for points earned on one.
    pub order_no: Option<String>,
    /// The contact a redemption was logged as.
    pub interaction_id: Option<i64>,
    /// Who wrote the row.
    pub operator: Option<String>,
}

/// A customer's points and member level as of today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointsBalance {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    /// The sum of the ledger.
    pub balance: i64,
    /// The member level's code (`[loyalty] levels`).
    pub member_level: String,
    pub member_level_en: String,
    pub member_level_zh: String,
    /// The customer's birthday is this month and their level carries the perk.
    pub birthday_perk: bool,
    pub spend_12m_cents: i64,
    /// The next day some points expire and how many (if nothing is redeemed before).
    pub next_expiry: Option<NextExpiry>,
}

/// Points that will expire on a day unless redeemed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NextExpiry {
    pub on: NaiveDate,
    pub points: i64,
}

/// What a redemption wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redeemed {
    pub customer_id: i64,
    pub code: String,
    pub points: i64,
    pub ledger_id: i64,
    pub interaction_id: i64,
    pub balance: i64,
}

/// What an expiry run wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expired {
    pub date: NaiveDate,
    /// Customers who lost points.
    pub customers: u64,
    pub points: i64,
}

/// What a refresh of customer values wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValuesRefreshed {
    pub date: NaiveDate,
    /// Customers whose purchase figures were recomputed.
    pub customers: u64,
    /// Customers given RFM scores.
    pub rfm_scored: u64,
}

/// The start of `day` in the centre's time zone, as Unix seconds.
fn day_start(w: &Writer<'_>, day: NaiveDate) -> i64 {
    let tz = w.calendar().tz();
    tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp())
}

/// Credits the points purchase `purchase_id` earns (the ledger row and the balance), dated the
/// day of the purchase (or now, for one dated later). Returns the points.
pub(crate) fn accrue(w: &Writer<'_>, purchase_id: i64, p: &NewPurchase) -> Result<i64> {
    let points = w.loyalty.points_for(p.amount_cents);
    if points == 0 {
        return Ok(0);
    }
    let at = day_start(w, p.purchased_on).min(w.now().timestamp());
    let reason = match p.order_no.as_deref() {
        Some(order) => format!("purchase {order}"),
        None => "purchase".to_string(),
    };
    w.tx()
        .prepare_cached(
            "INSERT INTO points_ledger (customer_id, delta, reason, purchase_id, operator_id, at, kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'earn')",
        )?
        .execute(params![
            p.customer_id,
            points,
            reason,
            purchase_id,
            w.actor().id,
            at
        ])?;
    w.tx()
        .prepare_cached("UPDATE customers SET points = points + ?2 WHERE id = ?1")?
        .execute(params![p.customer_id, points])?;
    Ok(points)
}

/// A customer's ledger, oldest first, as expiry reads it: each row's day in the centre's
/// time zone `tz`.
fn ledger_moves(
    conn: &rusqlite::Connection,
    tz: chrono::FixedOffset,
    customer: i64,
) -> Result<Vec<LedgerMove>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, delta FROM points_ledger WHERE customer_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([customer], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (at, delta) = row?;
        let day = DateTime::from_timestamp(at, 0)
            .unwrap_or_default()
            .with_timezone(&tz)
            .date_naive();
        out.push(LedgerMove { day, delta });
    }
    Ok(out)
}

/// The ledger's sum for one customer.
fn ledger_sum(conn: &rusqlite::Connection, customer: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE customer_id = ?1")?
        .query_row([customer], |r| r.get(0))?)
}

/// The next expiry of a ledger read as of `today`: the earliest day after it on which a lot
/// still open expires, with all that expires that day.
fn next_expiry(moves: &[LedgerMove], rules: &LoyaltyRules, today: NaiveDate) -> Option<NextExpiry> {
    let mut by_day: std::collections::BTreeMap<NaiveDate, i64> = Default::default();
    for (earned, left) in crate::domain::loyalty::open_lots(moves) {
        if let Some(on) = rules.expires_on(earned) {
            *by_day.entry(on.max(today)).or_insert(0) += left;
        }
    }
    by_day
        .into_iter()
        .next()
        .map(|(on, points)| NextExpiry { on, points })
}

/// For `careline check`: each customer (at most 20) whose `points` differ from the sum of
/// their ledger, said as such.
pub(crate) fn check_points(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT c.code, c.points, coalesce(l.total, 0)
         FROM customers c
         LEFT JOIN (SELECT customer_id, sum(delta) AS total FROM points_ledger
                    GROUP BY customer_id) l ON l.customer_id = c.id
         WHERE c.points <> coalesce(l.total, 0)
         ORDER BY c.id LIMIT 20",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(format!(
            "{} holds {} points but its ledger sums to {}",
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// A customer's points balance, member level and birthday perk as of today.
    pub fn points_balance(&self, actor: &Actor, customer: i64) -> Result<PointsBalance> {
        let c = self.customer(actor, customer)?;
        if c.restricted {
            return Err(self.refusal(
                actor,
                super::customers::confidential_refusal(&c.code, "reading their points"),
            ));
        }
        let today = self.today();
        let rules = self.loyalty_rules();
        let level = rules.level_for(c.spend_12m_cents);
        let moves = ledger_moves(self.conn(), self.calendar().tz(), customer)?;
        Ok(PointsBalance {
            customer_id: c.id,
            code: c.code.clone(),
            name: c.fields.name.clone(),
            balance: ledger_sum(self.conn(), customer)?,
            member_level: level.map(|l| l.code.clone()).unwrap_or_default(),
            member_level_en: level.map(|l| l.en.clone()).unwrap_or_default(),
            member_level_zh: level.map(|l| l.zh.clone()).unwrap_or_default(),
            birthday_perk: level.is_some_and(|l| birthday_perk(c.fields.birthday, l, today)),
            spend_12m_cents: c.spend_12m_cents,
            next_expiry: next_expiry(&moves, rules, today),
        })
    }

    /// A customer's points ledger, newest first, each row with the balance after it.
    pub fn points_history(&self, actor: &Actor, customer: i64) -> Result<Vec<PointsEntry>> {
        let c = self.customer(actor, customer)?;
        if c.restricted {
            return Err(self.refusal(
                actor,
                super::customers::confidential_refusal(&c.code, "reading their points"),
            ));
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT l.id, l.at, l.kind, l.delta, l.reason, p.order_no, l.interaction_id, o.login
             FROM points_ledger l
             LEFT JOIN purchases p ON p.id = l.purchase_id
             LEFT JOIN operators o ON o.id = l.operator_id
             WHERE l.customer_id = ?1 ORDER BY l.at, l.id",
        )?;
        let rows = stmt.query_map([customer], |r| {
            Ok(PointsEntry {
                id: r.get(0)?,
                at: DateTime::from_timestamp(r.get(1)?, 0).unwrap_or_default(),
                kind: r.get(2)?,
                delta: r.get(3)?,
                balance: 0,
                reason: r.get(4)?,
                order_no: r.get(5)?,
                interaction_id: r.get(6)?,
                operator: r.get(7)?,
            })
        })?;
        let mut out: Vec<PointsEntry> = rows.collect::<rusqlite::Result<_>>()?;
        let mut balance = 0;
        for e in &mut out {
            balance += e.delta;
            e.balance = balance;
        }
        out.reverse();
        Ok(out)
    }

    /// Redeems `points` of a customer's balance: a contact in the log (the wrap-up code of
    /// `[loyalty] redeem_disposition`, on `channel`, its summary "`points`: `reason`") and a
    /// ledger row pointing at it, in one transaction. Refuses more than the balance, read
    /// inside that transaction.
    pub fn redeem_points(
        &mut self,
        actor: &Actor,
        customer: i64,
        points: i64,
        reason: &str,
        channel: Channel,
    ) -> Result<Redeemed> {
        self.require(actor, Permission::LogContact)?;
        self.require(actor, Permission::RedeemPoints)?;
        let reason = reason.trim();
        let mut errors = Vec::new();
        if points <= 0 {
            errors.push(FieldError::new(
                "points",
                format!("{points} is not a number of points to redeem (more than 0)"),
            ));
        }
        if reason.is_empty() {
            errors.push(FieldError::new(
                "reason",
                "is required (what the points paid for)",
            ));
        } else if reason.chars().count() > REASON_MAX {
            errors.push(FieldError::new(
                "reason",
                format!("is longer than {REASON_MAX} characters"),
            ));
        }
        let code = self.loyalty_rules().redeem_disposition.clone();
        if self.log_rules().disposition(&code).is_none() {
            errors.push(FieldError::new(
                "loyalty.redeem_disposition",
                format!(
                    "'{code}' is not a wrap-up code of [log] dispositions ({}); set one in the config file",
                    self.log_rules().codes()
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let exists: Option<String> = self
            .conn()
            .query_row(
                "SELECT code FROM customers WHERE id = ?1 AND merged_into IS NULL",
                [customer],
                |r| r.get(0),
            )
            .optional()?;
        let Some(customer_code) = exists else {
            return Err(StoreError::NotFound(format!("customer {customer}")));
        };
        self.require_sight(actor, customer, "redeeming their points")?;
        let now = self.now();
        let new = NewInteraction::contact(
            customer,
            channel,
            &code,
            now,
            now,
            &format!("{points}: {reason}"),
        );
        crate::domain::interaction::check(&new, self.log_rules(), now)
            .map_err(StoreError::Invalid)?;
        self.write(actor, |w| {
            let balance = ledger_sum(w.tx(), customer)?;
            if points > balance {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "points",
                    format!(
                        "{points} is more than {customer_code}'s balance of {balance} points"
                    ),
                )]));
            }
            let logged = super::interactions::log_in(w, &new)?;
            w.tx().execute(
                "INSERT INTO points_ledger (customer_id, delta, reason, interaction_id, operator_id, at, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'redeem')",
                params![customer, -points, reason, logged.id, w.actor().id, w.now().timestamp()],
            )?;
            let ledger_id = w.tx().last_insert_rowid();
            w.tx().execute(
                "UPDATE customers SET points = points - ?2 WHERE id = ?1",
                params![customer, points],
            )?;
            w.audit(
                "points.redeem",
                "customer",
                Some(customer),
                serde_json::json!({"points": points, "interaction": logged.id, "ledger": ledger_id}),
            );
            Ok(Redeemed {
                customer_id: customer,
                code: customer_code.clone(),
                points,
                ledger_id,
                interaction_id: logged.id,
                balance: balance - points,
            })
        })
    }

    /// Writes off the points that have expired by `date` (`[loyalty] expiry_months` after the
    /// day they were earned, oldest first): one `expire` row per customer who loses some. All
    /// in one transaction that reads the ledger it writes, so a second run — at the same time
    /// in another process, or later — finds nothing more to expire.
    pub fn expire_points(&mut self, actor: &Actor, date: NaiveDate) -> Result<Expired> {
        self.require(actor, Permission::RunLoyaltyJobs)?;
        let rules = self.loyalty_rules().clone();
        let nothing = Expired {
            date,
            customers: 0,
            points: 0,
        };
        if rules.expiry_months == 0 {
            return Ok(nothing);
        }
        let Some(latest_earned) = date.checked_sub_months(chrono::Months::new(rules.expiry_months))
        else {
            return Ok(nothing);
        };
        self.write(actor, |w| {
            // Only customers with a gain old enough to have expired can lose anything: those
            // earned up to `latest_earned`, and a few days more for months of unequal length
            // (the rule itself, `expiring`, decides).
            let cutoff = day_start(w, latest_earned + chrono::Days::new(4));
            let candidates: Vec<i64> = w
                .tx()
                .prepare(
                    "SELECT DISTINCT customer_id FROM points_ledger WHERE delta > 0 AND at < ?1
                     ORDER BY customer_id",
                )?
                .query_map([cutoff], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            // Dated the day of the run (never later than now).
            let at = day_start(w, date).min(w.now().timestamp());
            let mut out = Expired {
                date,
                customers: 0,
                points: 0,
            };
            for customer in candidates {
                let moves = ledger_moves(w.tx(), w.calendar().tz(), customer)?;
                let gone = expiring(&moves, &rules, date);
                if gone <= 0 {
                    continue;
                }
                let last_at: i64 = w.tx().query_row(
                    "SELECT coalesce(max(at), 0) FROM points_ledger WHERE customer_id = ?1",
                    [customer],
                    |r| r.get(0),
                )?;
                w.tx().execute(
                    "INSERT INTO points_ledger (customer_id, delta, reason, operator_id, at, kind)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'expire')",
                    // After every row it counts, so that it reads after them in the history.
                    params![
                        customer,
                        -gone,
                        format!("expired on {date}"),
                        w.actor().id,
                        at.max(last_at)
                    ],
                )?;
                w.tx().execute(
                    "UPDATE customers SET points = points - ?2 WHERE id = ?1",
                    params![customer, gone],
                )?;
                out.customers += 1;
                out.points += gone;
            }
            w.audit(
                "points.expire",
                "customer",
                None,
                serde_json::json!({"date": date.to_string(), "customers": out.customers, "points": out.points}),
            );
            Ok(out)
        })
    }

    /// Recomputes every customer's purchase figures as of `date` (12-month spend and orders,
    /// tier, churn risk, lifetime value: they move as days pass, without a purchase) and the
    /// RFM quintiles over the whole base, in one transaction. For cron, nightly.
    pub fn refresh_values(&mut self, actor: &Actor, date: NaiveDate) -> Result<ValuesRefreshed> {
        self.require(actor, Permission::RunLoyaltyJobs)?;
        self.write(actor, |w| {
            let ids: Vec<i64> = w
                .tx()
                .prepare(
                    "SELECT id FROM customers WHERE merged_into IS NULL
                       AND (first_purchase IS NOT NULL OR clv IS NOT NULL) ORDER BY id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in &ids {
                purchases::refresh_summary(w.tx(), *id, date, w.tiers)?;
            }
            let scored = purchases::refresh_rfm(w.tx())? as u64;
            w.audit(
                "rfm.refresh",
                "customer",
                None,
                serde_json::json!({"date": date.to_string(), "customers": ids.len(), "scored": scored}),
            );
            Ok(ValuesRefreshed {
                date,
                customers: ids.len() as u64,
                rfm_scored: scored,
            })
        })
    }
}
