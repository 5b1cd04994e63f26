//! Screen pops: incoming calls announced by `careline pop`, kept so that a missed or dropped
//! call can be called back — and marked while nobody has logged a contact for it.

use chrono::{DateTime, Utc};
use rusqlite::params;
use rusqlite::types::Value;
use serde::Serialize;

use super::{Actor, Result, Store};
use crate::domain::contact::normalize_phone;

/// How long before a call a contact logged after it may have begun and still be its record:
/// the call timer starts at the screen's last tick, a moment before the pop is written, and a
/// phone system handing its own start (`log add --started`) counts from the ring. An entry
/// begun earlier than this is about an earlier conversation, even when it was saved later.
pub const CALL_START_SLACK_SECONDS: i64 = 5 * 60;

/// The customers of one shared number read for a recent call; a number on more desks than this
/// is a switchboard, not a caller.
const HOLDERS_CAP: usize = 50;

/// One announced call and who it matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreenPop {
    pub number: String,
    pub at: DateTime<Utc>,
    pub customer_id: Option<i64>,
    pub customer_code: Option<String>,
    pub customer_name: Option<String>,
    /// The names of the customers who share the number now, when more than one does (the
    /// call matched nobody alone): the operator picks among them.
    pub holders: Vec<String>,
    /// Someone — this operator or a colleague — logged a contact with the caller (any customer
    /// who holds the number now, when the call matched nobody) at or after the call. A call
    /// not logged is shown marked, so that nobody's call goes unrecorded.
    pub logged: bool,
}

impl Store {
    /// Records an announced call for the actor; `customer_id` is the customer it matched.
    pub fn record_pop(
        &mut self,
        actor: &Actor,
        number: &str,
        customer_id: Option<i64>,
    ) -> Result<()> {
        let number = number.to_string();
        self.write(actor, |w| {
            w.tx().execute(
                "INSERT INTO screen_pops (operator_id, number, customer_id, at) VALUES (?1, ?2, ?3, ?4)",
                params![w.actor().id, number, customer_id, w.now().timestamp()],
            )?;
            w.audit("call.pop", "customer", customer_id, serde_json::json!({ "number": number }));
            Ok(())
        })
    }

    /// The actor's most recent announced calls, newest first, each marked whether a contact
    /// with its caller has been logged since.
    pub fn recent_pops(&self, actor: &Actor, limit: usize) -> Result<Vec<ScreenPop>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT p.number, p.at, p.customer_id, c.code, c.name
             FROM screen_pops p LEFT JOIN customers c ON c.id = p.customer_id
             WHERE p.operator_id = ?1 ORDER BY p.at DESC, p.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![actor.id, limit as i64], |r| {
            Ok(ScreenPop {
                number: r.get(0)?,
                at: DateTime::from_timestamp(r.get(1)?, 0).unwrap_or_default(),
                customer_id: r.get(2)?,
                customer_code: r.get(3)?,
                customer_name: r.get(4)?,
                holders: Vec::new(),
                logged: false,
            })
        })?;
        let mut pops: Vec<ScreenPop> = rows.collect::<rusqlite::Result<_>>()?;
        // Whose contacts log each call: its customer, or whoever holds its number now.
        let mut callers: Vec<Vec<i64>> = Vec::with_capacity(pops.len());
        // A caller unknown at the time may have become a customer since (often during that
        // very call): the list shows who holds the number now, so Enter opens that card
        // instead of offering to add the customer a second time.
        for pop in pops.iter_mut() {
            if let Some(id) = pop.customer_id {
                callers.push(vec![id]);
                continue;
            }
            let mut named = match normalize_phone(&pop.number, self.phone_rules()) {
                Ok(phone) => self.holders(&phone.e164)?,
                Err(_) => Vec::new(),
            };
            callers.push(named.iter().map(|(id, ..)| *id).collect());
            match named.len() {
                0 => {}
                1 => {
                    let (id, code, name) = named.remove(0);
                    pop.customer_id = Some(id);
                    pop.customer_code = Some(code);
                    pop.customer_name = Some(name);
                }
                _ => pop.holders = named.into_iter().map(|(_, _, name)| name).collect(),
            }
        }
        for n in self.logged_calls(&pops, &callers)? {
            pops[n].logged = true;
        }
        Ok(pops)
    }

    /// The customers who hold a number now (id, code, name), in the order they were added.
    fn holders(&self, e164: &str) -> Result<Vec<(i64, String, String)>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT DISTINCT cu.id, cu.code, cu.name
                 FROM contacts ct JOIN customers cu ON cu.id = ct.customer_id
                 WHERE ct.normalized = ?1 AND cu.merged_into IS NULL ORDER BY cu.id LIMIT ?2",
            )?
            .query_map(params![e164, HOLDERS_CAP as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Which of `pops` (by position) have a contact logged for one of their `callers` at or
    /// after the call, by any operator: one statement for the whole list, each call an index
    /// range on `interactions(customer_id, started_at)` from a moment before the call. An
    /// amendment corrects an entry; it is not a contact of its own.
    fn logged_calls(&self, pops: &[ScreenPop], callers: &[Vec<i64>]) -> Result<Vec<usize>> {
        let (sql, args) = logged_calls_query(pops, callers);
        if args.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, i64>(0))?;
        Ok(rows
            .collect::<rusqlite::Result<Vec<i64>>>()?
            .into_iter()
            .filter_map(|n| usize::try_from(n).ok())
            .collect())
    }
}

/// The statement [`Store::logged_calls`] runs and its arguments: a row (position, customer,
/// call time) per caller of each call; no arguments when no call has a caller.
fn logged_calls_query(pops: &[ScreenPop], callers: &[Vec<i64>]) -> (String, Vec<Value>) {
    let mut rows = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    for (n, (pop, ids)) in pops.iter().zip(callers).enumerate() {
        for &id in ids {
            let k = args.len();
            rows.push(format!("(?{}, ?{}, ?{})", k + 1, k + 2, k + 3));
            args.extend([
                Value::Integer(n as i64),
                Value::Integer(id),
                Value::Integer(pop.at.timestamp()),
            ]);
        }
    }
    let sql = format!(
        "WITH calls(n, customer_id, at) AS (VALUES {})
         SELECT DISTINCT calls.n FROM calls
         WHERE EXISTS (
             SELECT 1 FROM interactions i
             WHERE i.customer_id = calls.customer_id
               AND i.started_at >= calls.at - {CALL_START_SLACK_SECONDS}
               AND i.created_at >= calls.at
               AND i.amends_id IS NULL)",
        rows.join(", ")
    );
    (sql, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Marking the recent calls reads each caller's contacts since a moment before the call
    /// through `interactions(customer_id, started_at)`: never a scan of the interactions, and
    /// never a sort, whatever the planner's statistics say of a real desk.
    #[test]
    fn marking_recent_calls_reads_an_index_range_per_caller() {
        let (_dir, store, _admin) = crate::store::demo_store(500, 3);
        store.refresh_planner_statistics().expect("statistics");
        let pop = |customer_id: Option<i64>| ScreenPop {
            number: "13800138000".into(),
            at: DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default(),
            customer_id,
            customer_code: None,
            customer_name: None,
            holders: Vec::new(),
            logged: false,
        };
        let pops = [pop(Some(1)), pop(None), pop(None)];
        let callers = [vec![1], vec![], vec![2, 3]];
        let (sql, args) = logged_calls_query(&pops, &callers);
        assert_eq!(args.len(), 3 * 3, "a row per caller of each call");
        let plan: Vec<String> = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("prepare")
            .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let reads: Vec<&String> = plan.iter().filter(|l| l.contains(" i ")).collect();
        assert!(
            !reads.is_empty()
                && reads.iter().all(|l| l.starts_with(
                    "SEARCH i USING INDEX interactions_customer (customer_id=? AND started_at>?)"
                )),
            "{plan:#?}"
        );
        assert!(
            !plan
                .iter()
                .any(|l| l.contains("SCAN i") || l.contains("TEMP B-TREE FOR ORDER")),
            "{plan:#?}"
        );
        // No call with a caller: nothing to ask.
        let (_, args) = logged_calls_query(&pops[1..2], &callers[1..2]);
        assert!(args.is_empty());
    }
}
