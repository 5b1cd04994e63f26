//! `careline grant …`: access to confidential customers (DESIGN §6). An operator asks with a
//! reason; a supervisor grants it for a limited time, refuses it, grants directly or revokes.

use anyhow::Result;
use chrono::Local;
use clap::Subcommand;

use super::{print_json, Context};
use crate::domain::operator::Permission;
use crate::store::{AccessRequest, Grant, RequestState};
use crate::text::sanitize;

#[derive(Debug, Subcommand)]
pub enum GrantCommand {
    /// Ask a supervisor for access to a confidential customer.
    Request {
        /// Customer code, id, or a phone or email held by one customer.
        customer: String,
        /// Why you need it (kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Requests for access waiting for a supervisor (supervisors); an operator's own
    /// requests and where they stand (operators).
    List {
        /// The newest requests decided and grants given directly too (supervisors).
        #[arg(long)]
        all: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Grant a waiting request (supervisors).
    Approve {
        /// The request's number (from `grant list`).
        id: i64,
        /// How long the access lasts (default: [grants] default_minutes, 60).
        #[arg(long)]
        minutes: Option<u32>,
        /// A note for the operator.
        #[arg(long)]
        note: Option<String>,
    },
    /// Refuse a waiting request, saying why (supervisors).
    Refuse {
        /// The request's number (from `grant list`).
        id: i64,
        /// Why it is refused (the operator is told; kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Grant an operator access directly, with a reason (supervisors).
    Give {
        /// Customer code, id, or a phone or email held by one customer.
        customer: String,
        /// The operator's login.
        #[arg(long = "to")]
        login: String,
        /// Why they may see it (kept in the audit trail).
        #[arg(long)]
        reason: String,
        /// For how many minutes (the [privacy] default when left out).
        #[arg(long)]
        minutes: Option<u32>,
    },
    /// End a grant before it expires (supervisors).
    Revoke {
        /// The grant's number (from `grant list`).
        id: i64,
    },
}

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

/// A request (or a grant given directly, in `--all`) in columns: what, number, when asked,
/// customer, operator, how it stands, why (and who decided, with their note).
fn request_row(r: &AccessRequest, now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    let state = r.state(now);
    let state = match (state, r.expires_at, r.revoked_at) {
        (RequestState::Granted, Some(until), _) => format!("granted until {}", local(until)),
        (RequestState::Expired, Some(until), _) => format!("expired {}", local(until)),
        (RequestState::Revoked, _, Some(at)) => format!("revoked {}", local(at)),
        (state, _, _) => state.as_str().to_string(),
    };
    let mut by = match (&r.decided_by, &r.note) {
        (Some(by), Some(note)) => format!("  ({by}: {note})"),
        (Some(by), None) => format!("  ({by})"),
        _ => String::new(),
    };
    // What `grant revoke` takes, while the access lasts.
    match r.grant_id {
        Some(g) if !r.direct && r.state(now) == RequestState::Granted => {
            by.push_str(&format!("  [grant {g}]"))
        }
        _ => {}
    }
    let what = if r.direct { "grant" } else { "request" };
    [
        format!("{what} {}", r.id),
        local(r.requested_at),
        r.customer_code.clone(),
        r.login.clone(),
        state,
        format!("{}{by}", r.reason),
    ]
    .iter()
    .map(|cell| sanitize(cell).into_owned())
    .collect()
}

/// A grant in columns: number, customer, to whom, by whom, how it stands, why.
fn grant_row(g: &Grant, now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    let state = match g.revoked_at {
        Some(at) => format!("revoked {}", local(at)),
        None if g.expires_at <= now => format!("expired {}", local(g.expires_at)),
        None => format!("until {}", local(g.expires_at)),
    };
    [
        format!("grant {}", g.id),
        g.customer_code.clone(),
        format!("to {}", g.login),
        format!("by {}", g.granted_by),
        state,
        g.reason.clone(),
    ]
    .iter()
    .map(|cell| sanitize(cell).into_owned())
    .collect()
}

/// Rows printed with their columns lined up, each column as wide as its widest cell.
fn print_rows(rows: &[Vec<String>]) {
    for line in crate::text::columns(rows) {
        println!("{line}");
    }
}

pub fn run(ctx: &Context, cmd: GrantCommand) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    let rules = &ctx.config.grants;
    let now = chrono::Utc::now();
    match cmd {
        GrantCommand::Request { customer, reason } => {
            let id = store.resolve_customer(&customer)?;
            let asked = store.request_access(&actor, id, &reason)?;
            if asked.already {
                println!(
                    "You asked for access to customer {} already, at {} (request {}), and it is still waiting; the reason you gave then stands. `{} grant list` shows where your requests stand.",
                    sanitize(&customer),
                    local(asked.requested_at),
                    asked.id,
                    crate::program::name()
                );
            } else {
                println!(
                    "Asked for access to customer {} (request {}); a supervisor grants it with `{program} grant approve {}`. `{program} grant list` shows where your requests stand.",
                    sanitize(&customer),
                    asked.id,
                    asked.id,
                    program = crate::program::name()
                );
            }
        }
        GrantCommand::List { all, json } if !actor.may(Permission::GrantAccess) => {
            if all {
                anyhow::bail!(
                    "--all lists every operator's requests and grants: a supervisor or an admin may; without it you see your own requests"
                );
            }
            let mine = store.my_access_requests(&actor, None, 100)?;
            let given = store.my_grants(&actor)?;
            if json {
                return print_json(&serde_json::json!({"requests": mine, "grants": given}));
            }
            if mine.is_empty() && given.is_empty() {
                println!(
                    "You have asked for access to no confidential customer, and been given none."
                );
            }
            print_rows(&mine.iter().map(|r| request_row(r, now)).collect::<Vec<_>>());
            // Every grant to you: those from your requests, and those a supervisor gave directly.
            print_rows(&given.iter().map(|g| grant_row(g, now)).collect::<Vec<_>>());
        }
        GrantCommand::List { all, json } => {
            // With --all: the requests decided and the grants given directly too, newest
            // first after those waiting.
            let requests = store.access_requests(&actor, all)?;
            if json {
                let grants = if all {
                    store.grants(&actor, None)?
                } else {
                    Vec::new()
                };
                return print_json(&serde_json::json!({"requests": requests, "grants": grants}));
            }
            if requests.is_empty() {
                println!("No requests for access are waiting.");
            }
            print_rows(
                &requests
                    .iter()
                    .map(|r| request_row(r, now))
                    .collect::<Vec<_>>(),
            );
        }
        GrantCommand::Approve { id, minutes, note } => {
            let r = store.decide_access(&actor, id, true, minutes, note.as_deref(), rules)?;
            print_rows(&[request_row(&r, now)]);
        }
        GrantCommand::Refuse { id, reason } => {
            let r = store.decide_access(&actor, id, false, None, Some(&reason), rules)?;
            print_rows(&[request_row(&r, now)]);
        }
        GrantCommand::Give {
            customer,
            login,
            reason,
            minutes,
        } => {
            let id = store.resolve_customer(&customer)?;
            let g = store.grant_access(&actor, id, &login, &reason, minutes, rules)?;
            print_rows(&[grant_row(&g, now)]);
        }
        GrantCommand::Revoke { id } => {
            store.revoke_grant(&actor, id)?;
            println!("Grant {id} revoked.");
        }
    }
    Ok(())
}
