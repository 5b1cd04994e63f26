//! Screen pops: incoming calls announced by `careline pop`, kept so that a missed or dropped
//! call can be called back.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{Actor, Result, Store};
use crate::domain::contact::normalize_phone;

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

    /// The actor's most recent announced calls, newest first.
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
            })
        })?;
        let mut pops: Vec<ScreenPop> = rows.collect::<rusqlite::Result<_>>()?;
        // A caller unknown at the time may have become a customer since (often during that
        // very call): the list shows who holds the number now, so Enter opens that card
        // instead of offering to add the customer a second time.
        for pop in pops.iter_mut().filter(|p| p.customer_id.is_none()) {
            let Ok(phone) = normalize_phone(&pop.number, self.phone_rules()) else {
                continue;
            };
            let ids = super::customers::holders(self.conn(), &phone.e164)?;
            let mut named = Vec::with_capacity(ids.len());
            for &id in &ids {
                let (code, name): (String, String) = self
                    .conn()
                    .prepare_cached("SELECT code, name FROM customers WHERE id = ?1")?
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                named.push((id, code, name));
            }
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
        Ok(pops)
    }
}
