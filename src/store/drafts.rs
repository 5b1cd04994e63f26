//! Form drafts: what an operator has typed into an open form, kept while the form is open so
//! that a crash or a dropped SSH connection loses nothing. Drafts are the operator's own
//! scratch paper: written through the one write door, but not audited keystroke by keystroke.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{Actor, Result, Store};

/// A saved draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    /// Which form: `customer.new`, `customer.edit`, …
    pub form: String,
    /// The record the form edits (0 for a new one).
    pub entity_id: i64,
    /// The form's fields, as the form serialised them.
    pub content: String,
    pub updated_at: DateTime<Utc>,
}

fn draft_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Draft> {
    Ok(Draft {
        form: r.get(0)?,
        entity_id: r.get(1)?,
        content: r.get(2)?,
        updated_at: DateTime::from_timestamp(r.get(3)?, 0).unwrap_or_default(),
    })
}

impl Store {
    /// Saves (or replaces) the actor's draft of one form.
    pub fn save_draft(
        &mut self,
        actor: &Actor,
        form: &str,
        entity_id: i64,
        content: &str,
    ) -> Result<()> {
        self.write(actor, |w| {
            w.tx().execute(
                "INSERT INTO drafts (operator_id, form, entity_id, content, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (operator_id, form, entity_id)
                 DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at",
                params![w.actor().id, form, entity_id, content, w.now().timestamp()],
            )?;
            Ok(())
        })
    }

    /// Forgets the actor's draft of one form (saved or deliberately discarded).
    pub fn discard_draft(&mut self, actor: &Actor, form: &str, entity_id: i64) -> Result<()> {
        self.write(actor, |w| {
            w.tx().execute(
                "DELETE FROM drafts WHERE operator_id = ?1 AND form = ?2 AND entity_id = ?3",
                params![w.actor().id, form, entity_id],
            )?;
            Ok(())
        })
    }

    /// The actor's drafts, newest first: what the next start offers to restore.
    pub fn drafts(&self, actor: &Actor) -> Result<Vec<Draft>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT form, entity_id, content, updated_at FROM drafts
             WHERE operator_id = ?1 ORDER BY updated_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([actor.id], draft_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
