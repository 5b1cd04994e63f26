//! Operators and the acting identity. The actor is the OS login; an admin may act for
//! another operator (`--as`), and the audit log records both.

use rusqlite::{params, OptionalExtension, Row};

use super::{Result, Store, StoreError};
use crate::domain::operator::{valid_login, Actor, Operator, Permission, Role};

fn operator_from_row(r: &Row<'_>) -> rusqlite::Result<Operator> {
    let role: String = r.get(3)?;
    Ok(Operator {
        id: r.get(0)?,
        login: r.get(1)?,
        name: r.get(2)?,
        role: role.parse().unwrap_or(Role::Operator),
        active: r.get(4)?,
        privacy: r.get(5)?,
        pin_set: r.get(6)?,
        locked: r.get(7)?,
    })
}

const OPERATOR_COLUMNS: &str =
    "id, login, name, role, active, privacy, pin_hash IS NOT NULL, locked_at IS NOT NULL";

impl Store {
    pub fn operator_by_login(&self, login: &str) -> Result<Option<Operator>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {OPERATOR_COLUMNS} FROM operators WHERE login = ?1"),
                [login],
                operator_from_row,
            )
            .optional()?)
    }

    pub fn operators(&self) -> Result<Vec<Operator>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {OPERATOR_COLUMNS} FROM operators ORDER BY login"
        ))?;
        let rows = stmt.query_map([], operator_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn locked(&self, id: i64) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT locked_at IS NOT NULL FROM operators WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?)
    }

    fn operator_count(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM operators", [], |r| r.get(0))?)
    }

    /// Resolves the acting operator from the OS login, and `as_login` when an admin acts for
    /// someone else.
    pub fn actor(&self, login: &str, as_login: Option<&str>) -> Result<Actor> {
        if self.operator_count()? == 0 {
            return Err(StoreError::NotInitialised(
                self.path().display().to_string(),
            ));
        }
        let found = self.operator_by_login(login)?;
        let me = Actor::from(self.usable_operator(login, found.clone()).map_err(|e| {
            // Someone not (or no longer) an operator, or one locked out, tried: recorded
            // under their login, and as the operator they are when they are one.
            let refused = match found {
                Some(op) => Actor::from(op),
                None => Actor {
                    id: 0,
                    login: login.to_string(),
                    name: login.to_string(),
                    role: Role::Operator,
                    via: None,
                },
            };
            if matches!(
                e,
                StoreError::UnknownOperator { .. }
                    | StoreError::DisabledOperator(_)
                    | StoreError::Forbidden(_)
            ) {
                // The reason as every refusal records it: without the "not allowed: " that
                // the error's own message puts before it.
                let reason = match &e {
                    StoreError::Forbidden(reason) => reason.clone(),
                    other => other.to_string(),
                };
                let _ = self.refusal(&refused, reason);
            }
            e
        })?);
        let Some(other) = as_login.filter(|o| *o != login) else {
            return Ok(me);
        };
        self.require(&me, Permission::ActAsOperator)?;
        Ok(Actor {
            via: Some(me.login),
            ..Actor::from(self.active_operator(other)?)
        })
    }

    fn active_operator(&self, login: &str) -> Result<Operator> {
        let found = self.operator_by_login(login)?;
        self.usable_operator(login, found)
    }

    /// The operator `found` for `login`, when they may act: active and not locked.
    fn usable_operator(&self, login: &str, found: Option<Operator>) -> Result<Operator> {
        match found {
            Some(op) if op.active && self.locked(op.id)? => Err(StoreError::Forbidden(format!(
                "{login} is locked after {} wrong PINs; an admin unlocks with `{} operator unlock {login}`",
                crate::domain::pin::MAX_WRONG,
                crate::program::name()
            ))),
            Some(op) if op.active => Ok(op),
            Some(op) => Err(StoreError::DisabledOperator(op.login)),
            None => Err(StoreError::UnknownOperator {
                login: login.to_string(),
                db: self.path().display().to_string(),
            }),
        }
    }

    /// `careline init`: the first operator, an admin. Refused once any operator exists.
    pub fn init_admin(&mut self, login: &str, name: &str) -> Result<Actor> {
        if self.operator_count()? > 0 {
            return Err(StoreError::Conflict(format!(
                "{} is already initialised; an admin adds operators with `{} operator add`",
                self.path().display(),
                crate::program::name()
            )));
        }
        if !valid_login(login) {
            return Err(StoreError::Invalid(vec![
                crate::domain::customer::FieldError::new(
                    "login",
                    "use letters, digits, '.', '_', '-' or '@'",
                ),
            ]));
        }
        let bootstrap = Actor {
            id: 0,
            login: login.to_string(),
            name: name.to_string(),
            role: Role::Admin,
            via: None,
        };
        let id = self.write(&bootstrap, |w| {
            w.tx().execute(
                "INSERT INTO operators (login, name, role, privacy, created_at)
                 VALUES (?1, ?2, 'admin', 1, ?3)",
                params![login, name, w.now().timestamp()],
            )?;
            let id = w.tx().last_insert_rowid();
            w.audit(
                "init",
                "operator",
                Some(id),
                serde_json::json!({"login": login, "role": "admin", "privacy": true}),
            );
            Ok(id)
        })?;
        Ok(Actor { id, ..bootstrap })
    }

    /// Adds an operator; admins only.
    pub fn add_operator(
        &mut self,
        actor: &Actor,
        login: &str,
        name: &str,
        role: Role,
    ) -> Result<Operator> {
        self.require(actor, Permission::AddOperator)?;
        if !valid_login(login) {
            return Err(StoreError::Invalid(vec![
                crate::domain::customer::FieldError::new(
                    "login",
                    "use letters, digits, '.', '_', '-' or '@' (the operator's OS login)",
                ),
            ]));
        }
        if name.trim().is_empty() {
            return Err(StoreError::Invalid(vec![
                crate::domain::customer::FieldError::new("name", "is required"),
            ]));
        }
        if self.operator_by_login(login)?.is_some() {
            return Err(StoreError::Conflict(format!(
                "operator '{login}' already exists"
            )));
        }
        let id = self.write(actor, |w| {
            w.tx().execute(
                "INSERT INTO operators (login, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![login, name.trim(), role.as_str(), w.now().timestamp()],
            )?;
            let id = w.tx().last_insert_rowid();
            w.audit(
                "operator.add",
                "operator",
                Some(id),
                serde_json::json!({"login": login, "name": name.trim(), "role": role}),
            );
            Ok(id)
        })?;
        Ok(Operator {
            id,
            login: login.to_string(),
            name: name.trim().to_string(),
            role,
            active: true,
            privacy: false,
            pin_set: false,
            locked: false,
        })
    }

    /// Gives (`true`) or takes the privacy permission (data-subject export and erase);
    /// admins only.
    pub fn set_privacy(&mut self, actor: &Actor, login: &str, privacy: bool) -> Result<Operator> {
        self.require(actor, Permission::GivePrivacy)?;
        let before = self
            .operator_by_login(login)?
            .ok_or_else(|| StoreError::NotFound(format!("operator '{login}'")))?;
        self.write(actor, |w| {
            w.tx().execute(
                "UPDATE operators SET privacy = ?1, version = version + 1 WHERE id = ?2",
                params![privacy, before.id],
            )?;
            w.audit(
                "operator.privacy",
                "operator",
                Some(before.id),
                serde_json::json!({"login": login, "privacy": [before.privacy, privacy]}),
            );
            Ok(())
        })?;
        Ok(Operator { privacy, ..before })
    }

    /// Whether the operator acting holds the privacy permission now (read from their record,
    /// so a permission taken away counts at once).
    pub fn holds_privacy(&self, actor: &Actor) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT privacy FROM operators WHERE id = ?1 AND active",
                [actor.id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// Changes an operator's role or enables/disables them; admins only. An admin cannot
    /// remove their own admin rights, so a desk never locks itself out.
    pub fn update_operator(
        &mut self,
        actor: &Actor,
        login: &str,
        role: Option<Role>,
        active: Option<bool>,
    ) -> Result<Operator> {
        self.require(actor, Permission::ChangeOperator)?;
        let before = self
            .operator_by_login(login)?
            .ok_or_else(|| StoreError::NotFound(format!("operator '{login}'")))?;
        if before.id == actor.id
            && (role.is_some_and(|r| r != Role::Admin) || active == Some(false))
        {
            return Err(self.refusal(
                actor,
                "an admin cannot demote or disable themselves; ask another admin".into(),
            ));
        }
        let after = Operator {
            role: role.unwrap_or(before.role),
            active: active.unwrap_or(before.active),
            ..before.clone()
        };
        self.write(actor, |w| {
            w.tx().execute(
                "UPDATE operators SET role = ?1, active = ?2, version = version + 1 WHERE id = ?3",
                params![after.role.as_str(), after.active, after.id],
            )?;
            w.audit(
                "operator.update",
                "operator",
                Some(after.id),
                serde_json::json!({
                    "login": login,
                    "role": [before.role, after.role],
                    "active": [before.active, after.active],
                }),
            );
            Ok(())
        })?;
        Ok(after)
    }
}
