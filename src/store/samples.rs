//! What `careline bench` reads besides the work it measures: customers sampled for their
//! lookup material, counts to find what a benchmark already added, the desk log's facets,
//! and the plain-SQL reference query that lookups are compared with.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{CachedStatement, OptionalExtension as _};

use super::{Result, Store};

/// One sampled customer's lookup material.
#[derive(Debug, Clone)]
pub struct LookupSample {
    pub code: String,
    pub name: String,
    pub company: Option<String>,
    /// The first mobile: normalised (E.164) and as typed.
    pub phone: Option<(String, String)>,
    pub email: Option<String>,
    pub tag: Option<String>,
}

/// How many contacts the desk log holds for one wrap-up code, channel and operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFacet {
    /// Wrap-up code, channel and operator's login.
    pub values: [String; 3],
    pub contacts: i64,
}

/// The plain-SQL lookup of an exact phone number, prepared once: the reference the store's
/// lookup is measured against.
pub struct PhoneReference<'s> {
    stmt: CachedStatement<'s>,
}

impl PhoneReference<'_> {
    /// How many contacts hold `e164` exactly.
    pub fn count(&mut self, e164: &str) -> Result<usize> {
        let ids: Vec<i64> = self
            .stmt
            .query_map([e164], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids.len())
    }
}

impl Store {
    /// Up to `count` customers picked at random (from `seed`) by id, merged records skipped,
    /// with their first mobile, email and tag. Gives up after `20 × count` picks, so a
    /// database of mostly merged records yields fewer.
    pub fn lookup_samples(&self, count: usize, seed: u64) -> Result<Vec<LookupSample>> {
        let conn = self.conn();
        let max_id: i64 =
            conn.query_row("SELECT COALESCE(MAX(id), 0) FROM customers", [], |r| {
                r.get(0)
            })?;
        if max_id == 0 {
            return Ok(Vec::new());
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut customer = conn.prepare(
            "SELECT code, name, company FROM customers WHERE id = ?1 AND merged_into IS NULL",
        )?;
        let mut phone = conn.prepare(
            "SELECT normalized, value FROM contacts WHERE customer_id = ?1 AND kind = 'phone' \
             AND phone_kind = 'mobile' ORDER BY position LIMIT 1",
        )?;
        let mut email = conn.prepare(
            "SELECT normalized FROM contacts WHERE customer_id = ?1 AND kind = 'email' ORDER BY position LIMIT 1",
        )?;
        let mut tag =
            conn.prepare("SELECT tag FROM customer_tags WHERE customer_id = ?1 LIMIT 1")?;
        let mut out = Vec::with_capacity(count);
        let mut attempts = 0;
        while out.len() < count && attempts < count * 20 {
            attempts += 1;
            let id = rng.random_range(1..=max_id);
            let row: Option<(String, String, Option<String>)> = customer
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((code, name, company)) = row else {
                continue;
            };
            out.push(LookupSample {
                code,
                name,
                company,
                phone: phone
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?,
                email: email.query_row([id], |r| r.get(0)).optional()?,
                tag: tag.query_row([id], |r| r.get(0)).optional()?,
            });
        }
        Ok(out)
    }

    /// The reference lookup of an exact phone number in plain SQL.
    pub fn phone_reference(&self) -> Result<PhoneReference<'_>> {
        Ok(PhoneReference {
            stmt: self
                .conn()
                .prepare_cached("SELECT customer_id FROM contacts WHERE normalized = ?1")?,
        })
    }

    /// How many contacts customer `id` has in the log.
    pub fn contacts_of_customer(&self, id: i64) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM interactions WHERE customer_id = ?1",
            [id],
            |r| r.get(0),
        )?)
    }

    /// How many contacts operator `id` logged.
    pub fn contacts_by_operator(&self, id: i64) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM interactions WHERE operator_id = ?1",
            [id],
            |r| r.get(0),
        )?)
    }

    /// The highest customer id given (0 when none was), merged records included.
    pub fn highest_customer_id(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT coalesce(max(id), 0) FROM customers", [], |r| {
                r.get(0)
            })?)
    }

    /// The highest contact id given (0 when none was): contacts are never deleted (the
    /// database refuses it), so this counts them without reading the table.
    pub fn highest_interaction_id(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT coalesce(max(id), 0) FROM interactions", [], |r| {
                r.get(0)
            })?)
    }

    /// How many contacts the log holds for each wrap-up code, channel and operator that has
    /// any: a whole scan of the log, for choosing a benchmark's filters.
    pub fn log_facets(&self) -> Result<Vec<LogFacet>> {
        let mut stmt = self.conn().prepare(
            "SELECT i.disposition, i.channel, o.login, count(*) FROM interactions i
             JOIN operators o ON o.id = i.operator_id
             GROUP BY i.disposition, i.channel, i.operator_id",
        )?;
        let facets = stmt
            .query_map([], |r| {
                Ok(LogFacet {
                    values: [r.get(0)?, r.get(1)?, r.get(2)?],
                    contacts: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(facets)
    }
}
