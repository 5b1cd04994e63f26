//! Purchases and what they add up to: 12-month spend, orders, first and last purchase, tier,
//! churn risk (DESIGN §3.6).

use chrono::{Months, NaiveDate};
use rusqlite::{params, Connection, Transaction};
use serde::Serialize;

use super::{date_text, parse_stored_date, Actor, Result, Store};
use crate::domain::tier::{churn_risk, clv, tier, PurchaseSummary, TierRules};

/// A purchase to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPurchase {
    pub customer_id: i64,
    pub order_no: Option<String>,
    pub purchased_on: NaiveDate,
    pub amount_cents: i64,
    pub product: Option<String>,
    pub category: Option<String>,
    pub quantity: i64,
    pub channel: Option<String>,
}

/// A stored purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Purchase {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    pub order_no: Option<String>,
    pub purchased_on: NaiveDate,
    pub amount_cents: i64,
    pub product: Option<String>,
    pub category: Option<String>,
    pub quantity: i64,
    pub channel: Option<String>,
}

pub(crate) fn insert(tx: &Transaction<'_>, p: &NewPurchase, now: i64) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO purchases (customer_id, order_no, purchased_on, amount, product, category, quantity, channel, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        p.customer_id,
        p.order_no,
        date_text(Some(p.purchased_on)),
        p.amount_cents,
        p.product,
        p.category,
        p.quantity,
        p.channel,
        now
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Whether an order number is already recorded (re-imports must not count a sale twice).
pub(crate) fn order_exists(conn: &Connection, order_no: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM purchases WHERE order_no = ?1)")?
        .query_row([order_no], |r| r.get(0))?)
}

/// What a customer's purchases add up to, as of one day: the figures the customer row keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PurchaseFigures {
    year_ago: NaiveDate,
    spend_12m: i64,
    orders_12m: i64,
    lifetime: i64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

impl PurchaseFigures {
    /// No purchases yet, as of `today`.
    pub(crate) fn new(today: NaiveDate) -> PurchaseFigures {
        PurchaseFigures {
            year_ago: today.checked_sub_months(Months::new(12)).unwrap_or(today),
            ..PurchaseFigures::default()
        }
    }

    /// Counts one purchase in.
    pub(crate) fn add(&mut self, day: NaiveDate, amount_cents: i64) {
        if day > self.year_ago {
            self.spend_12m += amount_cents;
            self.orders_12m += 1;
        }
        self.lifetime += amount_cents;
        self.first = Some(self.first.map_or(day, |f| f.min(day)));
        self.last = Some(self.last.map_or(day, |l| l.max(day)));
    }

    /// The values of [`SUMMARY_COLUMNS`], in that order, with the tier and churn risk they
    /// give as of `today`.
    pub(crate) fn columns(
        &self,
        today: NaiveDate,
        rules: &TierRules,
    ) -> [super::Cell; SUMMARY_COLUMNS.len()] {
        let summary = PurchaseSummary {
            spend_12m_cents: self.spend_12m,
            orders_12m: self.orders_12m,
            first_purchase: self.first,
            last_purchase: self.last,
        };
        let churn = churn_risk(&summary, today, rules);
        [
            self.spend_12m.into(),
            self.orders_12m.into(),
            self.lifetime.into(),
            rusqlite::types::ToSqlOutput::Owned(date_text(self.first).into()),
            rusqlite::types::ToSqlOutput::Owned(date_text(self.last).into()),
            tier(&summary, today, rules).as_str().into(),
            churn.into(),
            rusqlite::types::ToSqlOutput::Owned(
                clv(self.lifetime, self.first, churn, today, rules).into(),
            ),
        ]
    }
}

impl PurchaseFigures {
    /// The tier these purchases give as of `today`.
    pub(crate) fn tier(
        &self,
        today: NaiveDate,
        rules: &TierRules,
    ) -> crate::domain::customer::Tier {
        tier(
            &PurchaseSummary {
                spend_12m_cents: self.spend_12m,
                orders_12m: self.orders_12m,
                first_purchase: self.first,
                last_purchase: self.last,
            },
            today,
            rules,
        )
    }
}

/// The customer columns derived from purchases, in the order of [`PurchaseFigures::columns`].
pub(crate) const SUMMARY_COLUMNS: [&str; 8] = [
    "spend_12m",
    "orders_12m",
    "lifetime_spend",
    "first_purchase",
    "last_purchase",
    "tier",
    "churn_risk",
    "clv",
];

static UPDATE_SUMMARY_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let assign: Vec<String> = SUMMARY_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 2))
        .collect();
    format!("UPDATE customers SET {} WHERE id = ?1", assign.join(", "))
});

/// Recomputes a customer's purchase figures and tier as of `today`.
pub(crate) fn refresh_summary(
    conn: &Connection,
    customer_id: i64,
    today: NaiveDate,
    rules: &TierRules,
) -> Result<()> {
    let year_ago = PurchaseFigures::new(today).year_ago;
    let (spend, orders, lifetime, first, last): (i64, i64, i64, Option<String>, Option<String>) =
        conn.prepare_cached(
            "SELECT coalesce(sum(CASE WHEN purchased_on > ?2 THEN amount END), 0),
                    count(CASE WHEN purchased_on > ?2 THEN 1 END),
                    coalesce(sum(amount), 0), min(purchased_on), max(purchased_on)
             FROM purchases WHERE customer_id = ?1",
        )?
        .query_row(params![customer_id, date_text(Some(year_ago))], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
    let figures = PurchaseFigures {
        year_ago,
        spend_12m: spend,
        orders_12m: orders,
        lifetime,
        first: parse_stored_date(first),
        last: parse_stored_date(last),
    };
    conn.prepare_cached(&UPDATE_SUMMARY_SQL)?
        .execute(rusqlite::params_from_iter(
            std::iter::once(customer_id.into()).chain(figures.columns(today, rules)),
        ))?;
    Ok(())
}

/// RFM scores 1–5 over the whole customer base by quintile (DESIGN §3.6): recency of the last
/// purchase, 12-month order count and 12-month spend. Customers with no purchase get none.
///
/// Ties are broken by the figures that follow (recency by frequency and spend, frequency by
/// spend) and then by id: the order SQLite gave ties anyway, reading customers in id order,
/// made explicit so that the scores do not depend on it ([`rfm_scores`] computes the same
/// without SQL). The scores go to a temporary table keyed by customer, so the customers are
/// then updated in id order: in scoring order, a million updates land on pages at random.
pub(crate) fn refresh_rfm(conn: &Connection) -> Result<usize> {
    conn.execute(
        "UPDATE customers SET rfm_r = NULL, rfm_f = NULL, rfm_m = NULL WHERE rfm_r IS NOT NULL AND last_purchase IS NULL",
        [],
    )?;
    conn.execute_batch(
        "DROP TABLE IF EXISTS temp.careline_rfm;
         CREATE TABLE temp.careline_rfm (id INTEGER PRIMARY KEY, r INTEGER, f INTEGER, m INTEGER);
         INSERT INTO temp.careline_rfm (id, r, f, m)
            SELECT id,
                   ntile(5) OVER (ORDER BY last_purchase, orders_12m, spend_12m, id) AS r,
                   ntile(5) OVER (ORDER BY orders_12m, spend_12m, id) AS f,
                   ntile(5) OVER (ORDER BY spend_12m, id) AS m
            FROM customers WHERE last_purchase IS NOT NULL AND merged_into IS NULL;",
    )?;
    let scored = conn.execute(
        "UPDATE customers SET rfm_r = s.r, rfm_f = s.f, rfm_m = s.m
         FROM temp.careline_rfm s WHERE customers.id = s.id",
        [],
    )?;
    conn.execute_batch("DROP TABLE temp.careline_rfm")?;
    Ok(scored)
}

/// What a customer's RFM scores come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RfmFigures {
    pub id: i64,
    pub last_purchase: NaiveDate,
    pub orders_12m: i64,
    pub spend_12m: i64,
}

impl PurchaseFigures {
    /// What the RFM scores of customer `id` come from; none without a purchase.
    pub(crate) fn rfm(&self, id: i64) -> Option<RfmFigures> {
        self.last.map(|last_purchase| RfmFigures {
            id,
            last_purchase,
            orders_12m: self.orders_12m,
            spend_12m: self.spend_12m,
        })
    }
}

/// The scores [`refresh_rfm`] gives these customers when they are all the customers with a
/// purchase: `(id, [r, f, m])` in id order.
pub(crate) fn rfm_scores(mut customers: Vec<RfmFigures>) -> Vec<(i64, [i64; 3])> {
    let total = customers.len();
    let mut scores = vec![[0i64; 3]; total];
    customers.sort_unstable_by_key(|c| c.id);
    let mut order: Vec<usize> = (0..total).collect();
    let mut score = |which: usize, order: &[usize]| {
        for (row, &i) in order.iter().enumerate() {
            scores[i][which] = ntile(5, row, total);
        }
    };
    // Every key ends with the id, so no two are equal. Dates stored as YYYY-MM-DD sort as the
    // dates do.
    order.sort_unstable_by_key(|&i| {
        let c = &customers[i];
        (c.last_purchase, c.orders_12m, c.spend_12m, c.id)
    });
    score(0, &order);
    order.sort_unstable_by_key(|&i| {
        let c = &customers[i];
        (c.orders_12m, c.spend_12m, c.id)
    });
    score(1, &order);
    order.sort_unstable_by_key(|&i| (customers[i].spend_12m, customers[i].id));
    score(2, &order);
    customers.iter().map(|c| c.id).zip(scores).collect()
}

/// SQLite's `ntile(groups)` of the row at `row` (from 0) of `total`: the first
/// `total % groups` groups hold one row more than the others.
fn ntile(groups: usize, row: usize, total: usize) -> i64 {
    let size = total / groups;
    if size == 0 {
        return row as i64 + 1;
    }
    let large = total - groups * size;
    let in_large = large * (size + 1);
    let group = if row < in_large {
        row / (size + 1)
    } else {
        large + (row - in_large) / size
    };
    group as i64 + 1
}

impl Store {
    /// Records a purchase, credits the points it earns (`[loyalty] points_per_yuan`) and
    /// refreshes the customer's figures, in one transaction. The customer's RFM scores wait
    /// for the next whole refresh (`careline value refresh`): they are quintiles over every
    /// customer.
    pub fn add_purchase(&mut self, actor: &Actor, purchase: &NewPurchase) -> Result<i64> {
        self.write(actor, |w| {
            let id = insert(w.tx(), purchase, w.now().timestamp())?;
            let points = super::points::accrue(w, id, purchase)?;
            refresh_summary(w.tx(), purchase.customer_id, w.today(), w.tiers)?;
            w.audit(
                "purchase.add",
                "customer",
                Some(purchase.customer_id),
                serde_json::json!({"purchase": id, "amount": purchase.amount_cents, "order_no": purchase.order_no, "points": points}),
            );
            Ok(id)
        })
    }

    /// A customer's purchases, newest first.
    pub fn purchases_of(&self, customer_id: i64, limit: usize) -> Result<Vec<Purchase>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT p.id, p.customer_id, c.code, p.order_no, p.purchased_on, p.amount, p.product,
                    p.category, p.quantity, p.channel
             FROM purchases p JOIN customers c ON c.id = p.customer_id
             WHERE p.customer_id = ?1 ORDER BY p.purchased_on DESC, p.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![customer_id, limit as i64], purchase_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

pub(crate) fn purchase_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Purchase> {
    Ok(Purchase {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        customer_code: r.get(2)?,
        order_no: r.get(3)?,
        purchased_on: parse_stored_date(r.get(4)?).unwrap_or_default(),
        amount_cents: r.get(5)?,
        product: r.get(6)?,
        category: r.get(7)?,
        quantity: r.get(8)?,
        channel: r.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntile_fills_the_first_groups_first_as_sqlite_does() {
        let groups =
            |total: usize| -> Vec<i64> { (0..total).map(|row| ntile(5, row, total)).collect() };
        assert_eq!(groups(3), [1, 2, 3]);
        assert_eq!(groups(5), [1, 2, 3, 4, 5]);
        assert_eq!(groups(7), [1, 1, 2, 2, 3, 4, 5]);
        assert_eq!(groups(12), [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5]);
    }

    /// The expected scores are what SQLite's `ntile` gives with the ORDER BY of `refresh_rfm`.
    #[test]
    fn rfm_scores_break_ties_by_the_figures_that_follow_then_id() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 1, d).expect("date");
        let figures = |id, last: u32, orders, spend| RfmFigures {
            id,
            last_purchase: day(last),
            orders_12m: orders,
            spend_12m: spend,
        };
        let scores = rfm_scores(vec![
            figures(5, 1, 1, 100),
            figures(4, 1, 1, 100),
            figures(3, 1, 2, 50),
            figures(2, 9, 1, 10),
            figures(1, 1, 1, 300),
        ]);
        assert_eq!(
            scores,
            [
                (1, [3, 4, 5]),
                (2, [5, 1, 1]),
                (3, [4, 5, 2]),
                (4, [1, 2, 3]),
                (5, [2, 3, 4]),
            ]
        );
    }
}
