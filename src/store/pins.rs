//! PINs at screen start (issue 15): set and cleared by the operator (or cleared by an admin),
//! checked with every wrong try counted, and an operator locked after five in a row until an
//! admin unlocks them. Audited.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::pin::{check_pin, hash_pin, pin_matches, MAX_WRONG};

/// What a PIN typed at start came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PinCheck {
    Right,
    /// Wrong; this many tries are left before the operator is locked.
    Wrong {
        left: u32,
    },
    /// Wrong for the last time: the operator is locked now.
    Locked,
}

impl Store {
    /// Whether `actor` has a PIN to type at screen start.
    pub fn needs_pin(&self, actor: &Actor) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT pin_hash IS NOT NULL FROM operators WHERE id = ?1",
                [actor.id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// Sets (or, with none, clears) the acting operator's own PIN.
    pub fn set_own_pin(&mut self, actor: &Actor, pin: Option<&str>) -> Result<()> {
        let hash = match pin {
            Some(pin) => {
                check_pin(pin).map_err(|e| StoreError::Invalid(vec![e]))?;
                Some(hash_pin(pin).map_err(StoreError::Database)?)
            }
            None => None,
        };
        self.write(actor, |w| {
            w.tx().execute(
                "UPDATE operators SET pin_hash = ?2, pin_failures = 0, version = version + 1
                  WHERE id = ?1",
                params![w.actor().id, hash],
            )?;
            let action = if hash.is_some() {
                "operator.pin_set"
            } else {
                "operator.pin_clear"
            };
            let id = w.actor().id;
            w.audit(action, "operator", Some(id), serde_json::Value::Null);
            Ok(())
        })
    }

    /// Clears another operator's PIN (one they forgot; admins).
    pub fn clear_pin(&mut self, actor: &Actor, login: &str) -> Result<()> {
        self.require(actor, Permission::ChangeOperator)?;
        let op = self
            .operator_by_login(login)?
            .ok_or_else(|| StoreError::NotFound(format!("operator '{login}'")))?;
        self.write(actor, |w| {
            w.tx().execute(
                "UPDATE operators SET pin_hash = NULL, pin_failures = 0, version = version + 1
                  WHERE id = ?1",
                [op.id],
            )?;
            w.audit(
                "operator.pin_clear",
                "operator",
                Some(op.id),
                serde_json::json!({"login": login}),
            );
            Ok(())
        })
    }

    /// Checks the PIN typed at screen start: a right one resets the count of wrong ones; the
    /// fifth wrong one in a row locks the operator. Each wrong try is audited.
    pub fn check_pin(&mut self, actor: &Actor, pin: &str) -> Result<PinCheck> {
        let row: Option<(Option<String>, u32)> = self
            .conn()
            .query_row(
                "SELECT pin_hash, pin_failures FROM operators WHERE id = ?1",
                [actor.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((Some(hash), _)) = row else {
            return Ok(PinCheck::Right);
        };
        let right = pin_matches(pin, &hash);
        self.write(actor, |w| {
            let id = w.actor().id;
            if right {
                w.tx()
                    .execute("UPDATE operators SET pin_failures = 0 WHERE id = ?1", [id])?;
                return Ok(PinCheck::Right);
            }
            // Counted in the write, so that two starts at once cannot both miss a try.
            let failures: u32 = w.tx().query_row(
                "UPDATE operators SET pin_failures = pin_failures + 1 WHERE id = ?1
                 RETURNING pin_failures",
                [id],
                |r| r.get(0),
            )?;
            if failures >= MAX_WRONG {
                w.tx().execute(
                    "UPDATE operators SET locked_at = ?2, version = version + 1 WHERE id = ?1",
                    params![id, w.now().timestamp()],
                )?;
                w.audit(
                    "operator.locked",
                    "operator",
                    Some(id),
                    serde_json::json!({"wrong_pins": failures}),
                );
                return Ok(PinCheck::Locked);
            }
            w.audit(
                "operator.pin_wrong",
                "operator",
                Some(id),
                serde_json::json!({"wrong_pins": failures}),
            );
            Ok(PinCheck::Wrong {
                left: MAX_WRONG - failures,
            })
        })
    }

    /// Unlocks an operator locked by wrong PINs (admins).
    pub fn unlock_operator(&mut self, actor: &Actor, login: &str) -> Result<()> {
        self.require(actor, Permission::ChangeOperator)?;
        let op = self
            .operator_by_login(login)?
            .ok_or_else(|| StoreError::NotFound(format!("operator '{login}'")))?;
        self.write(actor, |w| {
            let changed = w.tx().execute(
                "UPDATE operators SET locked_at = NULL, pin_failures = 0, version = version + 1
                  WHERE id = ?1 AND locked_at IS NOT NULL",
                [op.id],
            )?;
            if changed == 0 {
                return Err(StoreError::Conflict(format!("{login} is not locked")));
            }
            w.audit(
                "operator.unlock",
                "operator",
                Some(op.id),
                serde_json::json!({"login": login}),
            );
            Ok(())
        })
    }
}
