//! `careline operator …`: admins manage who may use the desk.

use anyhow::Result;
use clap::Subcommand;

use super::{print_json, Context};
use crate::store::Role;

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Register an operator by their OS login.
    Add {
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "operator", value_parser = parse_role)]
        role: Role,
    },
    /// List operators.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Change an operator's role.
    Role {
        login: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Stop an operator from using careline (their history stays).
    Disable { login: String },
    /// Let a disabled operator use careline again.
    Enable { login: String },
    /// Hand FROM's work to TO: the customers FROM owns, the open complaints FROM holds and
    /// the open reminders kept for FROM (supervisors; audited). FROM may be disabled.
    Handover {
        from: String,
        to: String,
        /// Only say what would move.
        #[arg(long)]
        dry_run: bool,
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
    ClearPin { login: String },
    /// Let an operator locked by five wrong PINs in a row in again (admins).
    Unlock { login: String },
    /// Give (on) or take (off) the privacy permission: exporting everything held about a
    /// customer and erasing customers (`careline customer export|erase`).
    Privacy {
        login: String,
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
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
                for op in ops {
                    let state = if op.active { "" } else { "  (disabled)" };
                    let privacy = if op.privacy { "privacy" } else { "" };
                    println!(
                        "{:<16} {:<10} {privacy:<8} {}{state}",
                        op.login,
                        op.role,
                        crate::text::sanitize(&op.name)
                    );
                }
            }
        }
        OperatorCommand::Role { login, role } => {
            let op = store.update_operator(&actor, &login, Some(role), None)?;
            println!("{} is now {}.", op.login, op.role);
        }
        OperatorCommand::Disable { login } => {
            store.update_operator(&actor, &login, None, Some(false))?;
            println!("{login} is disabled.");
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
                std::io::stdin().read_line(&mut line)?;
                line.trim().to_string()
            } else {
                let first = rpassword::prompt_password("New PIN (4-12 digits): ")?;
                let again = rpassword::prompt_password("The same PIN again: ")?;
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
                "{verb} {} customers, {} open complaints and {} open reminders from {from} to {to}.",
                moved.customers,
                moved.complaints.len(),
                moved.reminders
            );
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
