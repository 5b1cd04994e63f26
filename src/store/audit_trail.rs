//! Reading the audit trail: `careline audit list` and the card's audit view (who looked at
//! or changed a record). Supervisors only; the entries of an erased customer keep who did
//! what and when, without their detail.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use serde::Serialize;

use std::collections::BTreeSet;

use super::interactions::local_midnight;
use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::complaint_step::Step;
use crate::domain::contact::{ContactKind, PhoneRules};
use crate::domain::customer::FieldError;
use crate::domain::customer_contacts::masked_form;
use crate::domain::masking::mask_address;

/// Which entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries about this customer (and their complaints, reminders, contacts …).
    pub customer_id: Option<i64>,
    /// Entries by this login (acting, or acting for another with `--as`).
    pub login: Option<String>,
    /// An action (`customer.view`), or a family of them (`customer.`, `complaint.`).
    pub action: Option<String>,
    /// From this local day, inclusive.
    pub from: Option<NaiveDate>,
    /// To this local day, inclusive.
    pub to: Option<NaiveDate>,
    /// Only entries older than this one (the next page).
    pub before: Option<i64>,
}

/// One audit entry as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who did it.
    pub login: String,
    /// Their name, when the login is still an operator's.
    pub name: Option<String>,
    /// The admin who acted for them (`--as`).
    pub via: Option<String>,
    pub action: String,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub customer_code: Option<String>,
    /// What was done (old → new values of a change, the reason of a refusal …); none when
    /// an erase removed it.
    pub detail: Option<serde_json::Value>,
    /// Whether an erase removed the detail.
    pub erased: bool,
}

impl Store {
    /// Audit entries matching `filter`, newest first, at most `limit`.
    pub fn audit_entries(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        limit: usize,
    ) -> Result<Vec<AuditRow>> {
        self.require(actor, Permission::ReadAudit)?;
        let mut clauses = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        // Each clause's `?`s are one value.
        let mut bind = |clause: &str, value: Value| {
            values.push(value);
            clauses.push(clause.replace('?', &format!("?{}", values.len())));
        };
        if let Some(c) = filter.customer_id {
            bind("a.customer_id = ?", Value::Integer(c));
        }
        if let Some(login) = &filter.login {
            bind(
                "(a.actor_login = ? OR a.via_login = ?)",
                Value::Text(login.clone()),
            );
        }
        if let Some(action) = &filter.action {
            if action.ends_with('.') {
                // A family: every action it begins (a range, so the index serves it).
                bind(
                    "a.action >= ? AND a.action < ? || char(1114111)",
                    Value::Text(action.clone()),
                );
            } else {
                bind("a.action = ?", Value::Text(action.clone()));
            }
        }
        if let Some(day) = filter.from {
            bind("a.at >= ?", Value::Integer(local_midnight(day)));
        }
        if let Some(day) = filter.to.and_then(|d| d.succ_opt()) {
            bind("a.at < ?", Value::Integer(local_midnight(day)));
        }
        if let Some(id) = filter.before {
            bind("a.id < ?", Value::Integer(id));
        }
        let wanted = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT a.id, a.at, a.actor_login, o.name, a.via_login, a.action, a.entity,
                    a.entity_id, a.customer_id, c.code, a.detail, a.salt IS NULL
             FROM audit_log a
             LEFT JOIN operators o ON o.login = a.actor_login
             LEFT JOIN customers c ON c.id = a.customer_id
             {wanted}
             ORDER BY a.id DESC LIMIT {}",
            limit.max(1)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values), |r| {
                let detail: Option<String> = r.get(10)?;
                Ok(AuditRow {
                    id: r.get(0)?,
                    at: DateTime::from_timestamp(r.get(1)?, 0).unwrap_or_default(),
                    login: r.get(2)?,
                    name: r.get(3)?,
                    via: r.get(4)?,
                    action: r.get(5)?,
                    entity: r.get(6)?,
                    entity_id: r.get(7)?,
                    customer_id: r.get(8)?,
                    customer_code: r.get(9)?,
                    detail: detail
                        .map(|d| serde_json::from_str(&d).unwrap_or(serde_json::Value::String(d))),
                    erased: r.get(11)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if rows.is_empty() {
            // Nothing matched: a login or an action nothing could ever match is said, so a
            // typo is not taken for a quiet trail.
            self.check_filter(filter)?;
        }
        if self.may(actor, Permission::SeeFullContacts) {
            return Ok(rows);
        }
        let rules = self.phone_rules();
        Ok(rows
            .into_iter()
            .map(|mut row| {
                if let Some(detail) = &mut row.detail {
                    mask_detail(&row.action, detail, rules);
                }
                row
            })
            .collect())
    }

    /// Refuses a filter that no entry could match, on any day: a login that is no operator's
    /// and has no entry, an action (or a family of them) careline does not write and the log
    /// does not hold, saying which actions there are.
    fn check_filter(&self, filter: &AuditFilter) -> Result<()> {
        if let Some(login) = &filter.login {
            let known: bool = self.conn().query_row(
                "SELECT EXISTS (SELECT 1 FROM operators WHERE login = ?1)
                     OR EXISTS (SELECT 1 FROM audit_log WHERE actor_login = ?1)",
                [login],
                |r| r.get(0),
            )?;
            if !known {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "operator",
                    format!("no operator '{login}' (and no audit entry by that login)"),
                )]));
            }
        }
        if let Some(action) = &filter.action {
            let mut known: BTreeSet<String> = written_actions().into_iter().collect();
            // What the log holds, an older careline's actions too: one step of the action
            // index per distinct action.
            let logged = self
                .conn()
                .prepare(
                    "WITH RECURSIVE seen(action) AS (
                         SELECT min(action) FROM audit_log
                         UNION ALL
                         SELECT (SELECT min(action) FROM audit_log WHERE action > seen.action)
                           FROM seen WHERE seen.action IS NOT NULL)
                     SELECT action FROM seen WHERE action IS NOT NULL",
                )?
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            known.extend(logged);
            let matches = if action.ends_with('.') {
                known.iter().any(|k| k.starts_with(action.as_str()))
            } else {
                known.contains(action)
            };
            if !matches {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "action",
                    unknown_action(action, &known),
                )]));
            }
        }
        Ok(())
    }
}

/// The actions careline writes to the audit log, besides a complaint's steps
/// (`complaint.<step>`, from [`Step`]): what `audit list --action` knows before the log holds
/// any of them.
const WRITTEN: &[&str] = &[
    "access.grant",
    "access.refuse",
    "access.request",
    "access.revoke",
    "audit.protection",
    "backup",
    "call.pop",
    "complaint.auto_escalate",
    "complaint.handover",
    "complaint.open",
    "customer.create",
    "customer.do_not_contact",
    "customer.edit",
    "customer.erase",
    "customer.erase_refused",
    "customer.export",
    "customer.handover",
    "customer.merge",
    "customer.merged_into",
    "customer.view",
    "demo.generate",
    "export.complaints",
    "export.customers",
    "export.interactions",
    "export.opportunities",
    "export.points",
    "export.purchases",
    "export.reminder_history",
    "export.reminders",
    "export.segment",
    "export.surveys",
    "import.customers",
    "import.purchases",
    "import.surveys",
    "init",
    "interaction.amend",
    "interaction.log",
    "operator.add",
    "operator.handover",
    "operator.locked",
    "operator.pin_clear",
    "operator.pin_set",
    "operator.pin_wrong",
    "operator.privacy",
    "operator.unlock",
    "operator.update",
    "opportunity.add",
    "opportunity.close",
    "opportunity.handover",
    "opportunity.move",
    "opportunity.reopen",
    "points.expire",
    "points.redeem",
    "purchase.add",
    "refused",
    "reminder.add",
    "reminder.create",
    "reminder.delete",
    "reminder.done",
    "reminder.escalate",
    "reminder.handover",
    "reminder.skip",
    "reminder.snooze",
    "reminder.update",
    "reminders.generate",
    "reminders.withdraw",
    "report.recount",
    "restore",
    "rfm.refresh",
    "screen.start",
    "segment.add",
    "segment.campaign",
    "segment.delete",
    "survey.add",
];

/// Every action careline writes.
fn written_actions() -> Vec<String> {
    WRITTEN
        .iter()
        .map(|a| a.to_string())
        .chain(Step::ALL.iter().map(|s| format!("complaint.{s}")))
        .collect()
}

/// Why `wanted` matches no entry, and what the user may have meant: the family it names
/// without its dot, the actions it begins, the actions of its family, or else the families
/// and single actions there are.
fn unknown_action(wanted: &str, known: &BTreeSet<String>) -> String {
    let said = if wanted.ends_with('.') {
        format!("no audit entry has an action in the family '{wanted}'")
    } else {
        format!("no audit entry has the action '{wanted}'")
    };
    let listed = |prefix: &str| -> Vec<&str> {
        known
            .iter()
            .filter(|k| k.starts_with(prefix))
            .map(String::as_str)
            .collect()
    };
    let family = format!("{wanted}.");
    let in_family = listed(&family);
    if !wanted.ends_with('.') && !in_family.is_empty() {
        return format!(
            "{said}; for the whole family add its dot: '{family}' ({})",
            in_family.join(", ")
        );
    }
    let beginning = listed(wanted);
    if !beginning.is_empty() {
        return format!(
            "{said}; the actions that begin with it: {}",
            beginning.join(", ")
        );
    }
    if let Some((head, _)) = wanted.split_once('.') {
        let kin = listed(&format!("{head}."));
        if !kin.is_empty() {
            return format!("{said}; the family '{head}.' holds {}", kin.join(", "));
        }
    }
    let families: BTreeSet<&str> = known
        .iter()
        .filter_map(|k| k.split_once('.').map(|(head, _)| head))
        .collect();
    let single: Vec<&str> = known
        .iter()
        .filter(|k| !k.contains('.'))
        .map(String::as_str)
        .collect();
    format!(
        "{said}; the actions are in the families {} (--action FAMILY. lists one), or one of {}",
        families
            .iter()
            .map(|f| format!("{f}."))
            .collect::<Vec<_>>()
            .join(" "),
        single.join(", ")
    )
}

/// The contacts and addresses an entry's detail quotes, masked for a reader who may not see
/// them in full: an edit's changed contacts and address (`[before, after]`), a screen pop's
/// number.
fn mask_detail(action: &str, detail: &mut serde_json::Value, rules: &PhoneRules) {
    use serde_json::Value as Json;
    let Some(map) = detail.as_object_mut() else {
        return;
    };
    match action {
        "customer.edit" => {
            if let Some(Json::Array(sides)) = map.get_mut("contacts") {
                for contact in sides.iter_mut().filter_map(Json::as_array_mut).flatten() {
                    let kind = contact
                        .get("kind")
                        .and_then(Json::as_str)
                        .and_then(|k| k.parse::<ContactKind>().ok())
                        .unwrap_or(ContactKind::Other);
                    if let Some(value) = contact.get_mut("value") {
                        if let Some(text) = value.as_str() {
                            *value = Json::String(masked_form(kind, text, rules));
                        }
                    }
                }
            }
            if let Some(Json::Array(sides)) = map.get_mut("address") {
                for side in sides.iter_mut() {
                    if let Some(text) = side.as_str() {
                        *side = Json::String(mask_address(text));
                    }
                }
            }
        }
        "call.pop" => {
            if let Some(number) = map.get_mut("number") {
                if let Some(text) = number.as_str() {
                    *number = Json::String(masked_form(ContactKind::Phone, text, rules));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The audit trail words every action in both languages (a complaint's steps read as the
    /// step): none shows as its code, cut to the column ("opportunity.c…").
    #[test]
    fn every_action_written_has_words_in_both_languages() {
        use crate::tui::i18n::{I18n, Lang};
        for lang in [Lang::En, Lang::ZhCn] {
            let i18n = I18n::new(lang);
            let missing: Vec<&str> = WRITTEN
                .iter()
                .copied()
                .filter(|a| i18n.get(&format!("audit_action.{a}")).is_none())
                .collect();
            assert!(missing.is_empty(), "{lang:?}: {missing:?}");
        }
    }

    /// Every action the store's code writes is in [`WRITTEN`] (or is a complaint's step):
    /// the first argument of each `.audit(` call, each `action: "…"` of an entry recorded
    /// without a write, and every literal of a family of actions.
    #[test]
    fn the_list_of_actions_written_is_whole() {
        let known: BTreeSet<String> = written_actions().into_iter().collect();
        let families: BTreeSet<&str> = WRITTEN
            .iter()
            .filter_map(|a| a.split_once('.').map(|(head, _)| head))
            .collect();
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/src/store");
        let mut missing = Vec::new();
        for file in std::fs::read_dir(folder).expect("src/store") {
            let path = file.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            // The code before its tests.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let literal = |at: &str| -> Option<String> {
                let at = at.trim_start();
                let rest = at.strip_prefix('"')?;
                Some(rest[..rest.find('"')?].to_string())
            };
            let mut found: Vec<String> = Vec::new();
            for (i, _) in code.match_indices(".audit(") {
                found.extend(literal(&code[i + ".audit(".len()..]));
            }
            for (i, _) in code.match_indices("action: ") {
                found.extend(literal(&code[i + "action: ".len()..]));
            }
            for (i, _) in code.match_indices('"') {
                if let Some(word) = literal(&code[i..]) {
                    if let Some((head, tail)) = word.split_once('.') {
                        if families.contains(head)
                            && !tail.is_empty()
                            && tail.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        {
                            found.push(word);
                        }
                    }
                }
            }
            for action in found {
                // A table's column named in SQL is no action.
                if action == "reminders.customer_id" || action.contains(' ') {
                    continue;
                }
                if !known.contains(&action) {
                    missing.push(format!("{action} ({})", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "not in WRITTEN: {missing:?}");
    }

    #[test]
    fn an_unknown_action_is_told_what_there_is() {
        let known: BTreeSet<String> = written_actions().into_iter().collect();
        assert_eq!(
            unknown_action("access", &known),
            "no audit entry has the action 'access'; for the whole family add its dot: \
             'access.' (access.grant, access.refuse, access.request, access.revoke)"
        );
        assert_eq!(
            unknown_action("operator.pin", &known),
            "no audit entry has the action 'operator.pin'; the actions that begin with it: \
             operator.pin_clear, operator.pin_set, operator.pin_wrong"
        );
        assert_eq!(
            unknown_action("access.give", &known),
            "no audit entry has the action 'access.give'; the family 'access.' holds \
             access.grant, access.refuse, access.request, access.revoke"
        );
        let bogus = unknown_action("bogus", &known);
        assert!(
            bogus.starts_with("no audit entry has the action 'bogus'; the actions are in the families access. audit. call. complaint. customer."),
            "{bogus}"
        );
        assert!(
            bogus.ends_with("or one of backup, init, refused, restore"),
            "{bogus}"
        );
        assert!(unknown_action("bogus.", &known).starts_with(
            "no audit entry has an action in the family 'bogus.'; the actions are in"
        ));
    }
}
