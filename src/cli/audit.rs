//! `careline audit list`: the audit trail for supervisors (DESIGN §6): who looked at or
//! changed what, when, and what was refused.

use anyhow::{bail, Result};
use chrono::Local;
use clap::{Args, Subcommand};

use super::log::day;
use super::{print_json, Context};
use crate::store::{AuditFilter, AuditRow};
use crate::text::sanitize;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List audit entries, newest first (supervisors).
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Entries about this customer (code, id, or a phone or email held by one customer),
    /// their complaints, reminders and contacts included.
    #[arg(long)]
    pub customer: Option<String>,
    /// Entries by this operator (login), or by an admin acting for another as them.
    #[arg(long)]
    pub operator: Option<String>,
    /// One action (customer.view, customer.edit, refused, screen.start …) or a family
    /// ending in a dot (customer., complaint., export.).
    #[arg(long)]
    pub action: Option<String>,
    /// From this day (inclusive): YYYY-MM-DD, today, -7d …
    #[arg(long)]
    pub from: Option<String>,
    /// To this day (inclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// At most this many entries.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Print the entries as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, cmd: AuditCommand) -> Result<()> {
    match cmd {
        AuditCommand::List(args) => list(ctx, args),
    }
}

fn list(ctx: &Context, args: ListArgs) -> Result<()> {
    let (store, actor) = ctx.open()?;
    let today = store.today();
    let filter = AuditFilter {
        customer_id: args
            .customer
            .as_deref()
            .map(|c| store.resolve_customer(c))
            .transpose()?,
        login: args.operator.clone(),
        action: args.action.clone(),
        from: day("from", &args.from, today)?,
        to: day("to", &args.to, today)?,
        before: None,
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if from > to {
            bail!("--from {from} is after --to {to}");
        }
    }
    if args.limit == 0 {
        bail!("--limit must be at least 1");
    }
    let mut rows = store.audit_entries(&actor, &filter, args.limit.saturating_add(1))?;
    let more = rows.len() > args.limit;
    rows.truncate(args.limit);
    if args.json {
        print_json(&rows)?;
    } else if rows.is_empty() {
        println!("No audit entries match.");
    } else {
        // Each column as wide as its widest entry: a long login (`tr_op1 (by tr_admin)`) or
        // action keeps the others in line.
        let rows: Vec<Vec<String>> = rows.iter().map(cells).collect();
        for line in crate::text::columns(&rows) {
            println!("{line}");
        }
    }
    if more {
        eprintln!(
            "The newest {} shown; more match (--limit N shows more).",
            args.limit
        );
    }
    Ok(())
}

/// One entry in columns: number, local time, who, action, what, detail.
fn cells(row: &AuditRow) -> Vec<String> {
    let who = match &row.via {
        Some(via) => format!("{} (by {via})", row.login),
        None => row.login.clone(),
    };
    let what = match (&row.entity, row.entity_id) {
        (Some(entity), Some(id)) => format!("{entity} {id}"),
        (Some(entity), None) => entity.clone(),
        _ => String::new(),
    };
    let customer = match (&row.customer_code, row.customer_id) {
        (Some(code), _) if row.entity.as_deref() != Some("customer") => format!(" [{code}]"),
        (Some(code), _) => format!(" {code}"),
        _ => String::new(),
    };
    let detail = match &row.detail {
        Some(detail) => with_local_times(detail).to_string(),
        None if row.erased => "(detail erased)".to_string(),
        None => String::new(),
    };
    [
        format!("#{}", row.id),
        row.at
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        who,
        row.action.clone(),
        format!("{what}{customer}"),
        detail,
    ]
    .iter()
    .map(|cell| sanitize(cell).into_owned())
    .collect()
}

/// A detail with its times (`expires_at` and every other `…_at`, Unix seconds as stored) as
/// local date and time, for reading; `--json` gives them as stored.
fn with_local_times(detail: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    fn local(value: &Value) -> Value {
        match value {
            Value::Number(n) => n
                .as_i64()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|t| {
                    Value::String(
                        t.with_timezone(&Local)
                            .format("%Y-%m-%d %H:%M:%S")
                            .to_string(),
                    )
                })
                .unwrap_or_else(|| value.clone()),
            // A change of a time: `[old, new]`.
            Value::Array(items) => Value::Array(items.iter().map(local).collect()),
            other => other.clone(),
        }
    }
    match detail {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, value)| {
                    let value = if key.ends_with("_at") {
                        local(value)
                    } else {
                        with_local_times(value)
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(with_local_times).collect()),
        other => other.clone(),
    }
}
