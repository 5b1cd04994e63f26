//! `careline operator …`: admins manage who may use the desk.

use anyhow::Result;
use clap::Subcommand;

use super::{counted, print_json, Context};
use crate::store::Role;

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Register an operator by their OS login.
    Add {
        /// Their OS login (the name `whoami` prints).
        login: String,
        /// Their name as colleagues know it.
        #[arg(long)]
        name: String,
        /// operator, supervisor or admin.
        #[arg(long, default_value = "operator", value_parser = parse_role)]
        role: Role,
    },
    /// List operators.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change an operator's role.
    Role {
        /// The operator's login.
        login: String,
        /// The new role: operator, supervisor or admin.
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Stop an operator from using careline (their history stays).
    Disable {
        /// The operator's login.
        login: String,
    },
    /// Let a disabled operator use careline again.
    Enable {
        /// The operator's login.
        login: String,
    },
    /// Hand FROM's work to TO: the customers FROM owns, the open complaints FROM holds and
    /// the open reminders kept for FROM (supervisors; audited). FROM may be disabled.
    Handover {
        /// Login of the operator whose work moves.
        from: String,
        /// Login of the operator who takes it.
        to: String,
        /// Only say what would move.
        #[arg(long)]
        dry_run: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Set your own PIN, asked when your screen starts (4–12 digits; typed twice, not shown).
    Pin {
        /// Remove your PIN instead.
        #[arg(long)]
        clear: bool,
        /// Read the PIN from standard input (one line) instead of the terminal, for scripts.
        #[arg(long)]
        stdin: bool,
    },
    /// Remove another operator's PIN, one they forgot (admins).
    ClearPin {
        /// The operator's login.
        login: String,
    },
    /// Let an operator locked by five wrong PINs in a row in again (admins).
    Unlock {
        /// The operator's login.
        login: String,
    },
    /// Give (on) or take (off) the privacy permission: exporting everything held about a
    /// customer and erasing customers (`careline customer export|erase`).
    Privacy {
        /// The operator's login.
        login: String,
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

/// The operators as a table, one a line, its columns lined up by display width (a Chinese
/// name takes two cells a character): login, role, name, and what holds for them — disabled,
/// locked by wrong PINs, a PIN set, the privacy permission. Locked ones are followed by how
/// an admin lets them in.
fn operator_table(ops: &[crate::store::Operator]) -> String {
    use crate::text::{pad, sanitize, width};
    /// A name wider than this is cut (with `…`), so that one long name does not push every
    /// state off the line.
    const NAME_CELLS: usize = 24;
    let names: Vec<String> = ops.iter().map(|o| sanitize(&o.name).into_owned()).collect();
    let logins: Vec<String> = ops
        .iter()
        .map(|o| sanitize(&o.login).into_owned())
        .collect();
    let login_cells = logins
        .iter()
        .map(|l| width(l))
        .chain([5])
        .max()
        .unwrap_or(5);
    let name_cells = names
        .iter()
        .map(|n| width(n))
        .chain([4])
        .max()
        .unwrap_or(4)
        .min(NAME_CELLS);
    let mut out = format!(
        "{}  {}  {}  state\n",
        pad("login", login_cells),
        pad("role", 10),
        pad("name", name_cells)
    );
    for ((op, login), name) in ops.iter().zip(&logins).zip(&names) {
        let mut state = Vec::new();
        if !op.active {
            state.push("disabled");
        }
        if op.locked {
            state.push("locked (wrong PINs)");
        }
        if op.pin_set {
            state.push("PIN set");
        }
        if op.privacy {
            state.push("privacy");
        }
        let line = format!(
            "{}  {}  {}  {}",
            pad(login, login_cells),
            pad(op.role.as_str(), 10),
            pad(name, name_cells),
            state.join(", ")
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if ops.iter().any(|o| o.locked) {
        out.push_str(&format!(
            "An admin lets a locked operator in again with `{} operator unlock LOGIN`.\n",
            crate::program::name()
        ));
    }
    out
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: crate::domain::UnknownValue| e.to_string())
}

pub fn run(ctx: &Context, cmd: OperatorCommand) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    match cmd {
        OperatorCommand::Add { login, name, role } => {
            let op = store.add_operator(&actor, &login, &name, role)?;
            println!("Added {} ({}) as {}.", op.login, op.name, op.role);
        }
        OperatorCommand::List { json } => {
            let ops = store.operators()?;
            if json {
                print_json(&ops)?;
            } else {
                print!("{}", operator_table(&ops));
            }
        }
        OperatorCommand::Role { login, role } => {
            let op = store.update_operator(&actor, &login, Some(role), None)?;
            println!("{} is now {}.", op.login, op.role);
        }
        OperatorCommand::Disable { login } => {
            store.update_operator(&actor, &login, None, Some(false))?;
            println!("{login} is disabled.");
            // Disabled, they work nothing: what they held waits for a handover.
            match store.work_held(&actor, &login) {
                Ok(held) => {
                    if let Some(warning) = still_held(&login, &held) {
                        eprintln!("careline: warning: {warning}");
                    }
                }
                Err(e) => tracing::warn!("what {login} still holds was not read: {e}"),
            }
        }
        OperatorCommand::Enable { login } => {
            store.update_operator(&actor, &login, None, Some(true))?;
            println!("{login} is enabled.");
        }
        OperatorCommand::Pin { clear, stdin } => {
            if clear {
                store.set_own_pin(&actor, None)?;
                println!("Your PIN is removed; your screen starts without one.");
                return Ok(());
            }
            let pin = if stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).map_err(|e| {
                    anyhow::anyhow!("operator pin --stdin: cannot read standard input: {e}")
                })?;
                line.trim().to_string()
            } else {
                if !super::secret_terminal() {
                    anyhow::bail!(
                        "operator pin: a new PIN is typed at a terminal, unseen, and this session has none; in a script give it on standard input with --stdin (`{} operator pin --stdin < FILE`)",
                        crate::program::name()
                    );
                }
                let read = |prompt: &str| {
                    rpassword::prompt_password(prompt).map_err(|e| {
                        anyhow::anyhow!(
                            "operator pin: the PIN could not be read from the terminal: {e}"
                        )
                    })
                };
                let first = read("New PIN (4-12 digits): ")?;
                let again = read("The same PIN again: ")?;
                if first != again {
                    anyhow::bail!("the two PINs differ; nothing was changed");
                }
                first.trim().to_string()
            };
            store.set_own_pin(&actor, Some(&pin))?;
            println!("Your PIN is set; your screen asks for it when it starts.");
        }
        OperatorCommand::ClearPin { login } => {
            store.clear_pin(&actor, &login)?;
            println!("{login}'s PIN is removed.");
        }
        OperatorCommand::Unlock { login } => {
            store.unlock_operator(&actor, &login)?;
            println!("{login} is unlocked.");
        }
        OperatorCommand::Handover {
            from,
            to,
            dry_run,
            json,
        } => {
            let moved = store.hand_over(&actor, &from, &to, dry_run)?;
            if json {
                return print_json(&moved);
            }
            let verb = if dry_run { "Would hand" } else { "Handed" };
            println!(
                "{verb} {}, {} and {} from {from} to {to}.",
                counted(moved.customers, "customer", "customers"),
                counted(moved.complaints.len(), "open complaint", "open complaints"),
                counted(moved.reminders, "open reminder", "open reminders")
            );
            if moved.opportunities > 0 {
                println!(
                    "{verb} {} to {to} as well.",
                    counted(
                        moved.opportunities,
                        "open sales opportunity",
                        "open sales opportunities"
                    )
                );
            }
            if dry_run {
                print_handed(&moved.items);
            }
        }
        OperatorCommand::Privacy { login, state } => {
            let op = store.set_privacy(&actor, &login, state == "on")?;
            if op.privacy {
                println!("{login} holds the privacy permission (customer export and erase).");
            } else {
                println!("{login} no longer holds the privacy permission.");
            }
        }
    }
    Ok(())
}

/// What a handover would move, one line each: the customers by code and name, the complaints
/// and reminders by number, customer and title.
fn print_handed(items: &crate::store::Handed) {
    for c in &items.customers {
        println!(
            "  customer   {:<10} {}",
            c.code,
            crate::text::sanitize(&c.name)
        );
    }
    for c in &items.complaints {
        println!(
            "  complaint  #{:<9} {:<10} {}",
            c.id,
            c.customer,
            crate::text::sanitize(&c.title)
        );
    }
    for o in &items.opportunities {
        println!(
            "  opportunity #{:<8} {:<10} {} ({})",
            o.id,
            o.customer,
            crate::text::sanitize(&o.title),
            o.stage
        );
    }
    for r in &items.reminders {
        println!(
            "  reminder   #{:<9} {:<10} {} due {} ({})",
            r.id,
            r.customer,
            crate::text::sanitize(&r.title),
            r.due_on,
            r.kind
        );
    }
}

/// What a disabled operator still holds, and how to hand it on; none when they hold nothing.
fn still_held(login: &str, held: &crate::store::Handed) -> Option<String> {
    let mut parts = Vec::new();
    if !held.customers.is_empty() {
        parts.push(format!(
            "owns {}",
            super::counted(held.customers.len(), "customer", "customers")
        ));
    }
    if !held.complaints.is_empty() {
        parts.push(format!(
            "holds {} they claimed",
            super::counted(held.complaints.len(), "open complaint", "open complaints")
        ));
    }
    if !held.reminders.is_empty() {
        parts.push(format!(
            "has {} kept for them alone (\"only me\")",
            super::counted(held.reminders.len(), "open reminder", "open reminders")
        ));
    }
    if !held.opportunities.is_empty() {
        parts.push(format!(
            "owns {}",
            super::counted(
                held.opportunities.len(),
                "open sales opportunity",
                "open sales opportunities"
            )
        ));
    }
    let listed = match parts.as_slice() {
        [] => return None,
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    Some(format!(
        "{login} still {listed}, which no one else works while they stay with {login}; hand them to a colleague with `{} operator handover {login} OTHER` (--dry-run lists them)",
        crate::program::name()
    ))
}
