//! `careline opportunity add|list|show|move|close`: sales opportunities from a script or a
//! shell, through the same store calls, permissions and audit as the card's `o` and `m`.

use anyhow::{anyhow, bail, Result};
use chrono::Local;
use clap::{Args, Subcommand};

use super::{print_json, Context};
use crate::domain::date_input::parse_date;
use crate::domain::opportunity::Stage;
use crate::domain::tier::{format_money, parse_money};
use crate::store::{NewOpportunity, Opportunity, OpportunityFilter, StageMove, Store};
use crate::text::{pad, sanitize, truncate};

#[derive(Debug, Subcommand)]
pub enum OpportunityCommand {
    /// Add an opportunity for a customer.
    Add(AddArgs),
    /// Opportunities, newest first.
    List(ListArgs),
    /// One opportunity with its stage history.
    Show {
        /// The opportunity's number.
        id: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Move an opportunity to another open stage (forward, back one, or reopen a lost one).
    Move {
        /// The opportunity's number.
        id: i64,
        /// lead, qualified, proposal or negotiation.
        #[arg(long)]
        stage: String,
        /// Why (needed to reopen a lost one).
        #[arg(long)]
        reason: Option<String>,
        /// The version read (`show --json`); refused if it changed since.
        #[arg(long)]
        version: Option<i64>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Close an opportunity won, or lost with a reason.
    Close {
        /// The opportunity's number.
        id: i64,
        /// Closed won.
        #[arg(long, conflicts_with = "lost", required_unless_present = "lost")]
        won: bool,
        /// Closed lost (say why with --reason).
        #[arg(long)]
        lost: bool,
        /// Why it was lost (needed with --lost).
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        version: Option<i64>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Customer code, id, or a phone or email held by one customer.
    #[arg(long)]
    pub customer: String,
    /// What is being sold, in a few words.
    #[arg(long)]
    pub title: String,
    /// The product or interest.
    #[arg(long)]
    pub product: Option<String>,
    /// Amount in yuan (`12000`, `¥12,000.50`).
    #[arg(long, default_value = "0")]
    pub amount: String,
    /// lead (default), qualified, proposal or negotiation.
    #[arg(long, default_value = "lead")]
    pub stage: String,
    /// Expected close date: YYYY-MM-DD, today, tomorrow, +3d, +2w, +1m.
    #[arg(long)]
    pub close: Option<String>,
    /// The owning operator's login (yourself unless given; another's needs a supervisor).
    #[arg(long)]
    pub owner: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Customer code, id, or a phone or email held by one customer.
    #[arg(long)]
    pub customer: Option<String>,
    /// The owner's login.
    #[arg(long)]
    pub owner: Option<String>,
    /// Only this stage: lead, qualified, proposal, negotiation, won or lost.
    #[arg(long)]
    pub stage: Option<String>,
    /// Only those still open.
    #[arg(long)]
    pub open: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn stage(option: &str, text: &str) -> Result<Stage> {
    text.parse::<Stage>().map_err(|e| anyhow!("{option}: {e}"))
}

fn operator_id(store: &Store, option: &str, login: &str) -> Result<i64> {
    Ok(store
        .operator_by_login(login.trim())?
        .ok_or_else(|| anyhow!("{option}: no operator has the login '{}'", sanitize(login)))?
        .id)
}

fn amount(o: &Opportunity) -> String {
    format!("¥{}", format_money(o.amount))
}

fn line(o: &Opportunity) -> String {
    format!(
        "{} {} {} {} {} {} {}",
        pad(&format!("#{}", o.id), 6),
        pad(&sanitize(&o.customer_code), 10),
        pad(o.stage.as_str(), 11),
        pad(&amount(o), 16),
        pad(
            &o.expected_close
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            10
        ),
        pad(&sanitize(&o.owner), 12),
        truncate(&sanitize(&o.title), 40)
    )
}

pub fn run(ctx: &Context, cmd: OpportunityCommand) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    match cmd {
        OpportunityCommand::Add(args) => {
            let customer_id = store.resolve_customer(&args.customer)?;
            let amount = parse_money(&args.amount).ok_or_else(|| {
                anyhow!(
                    "--amount: '{}' is not an amount of money (write 12000 or 12000.50)",
                    sanitize(&args.amount)
                )
            })?;
            let stage = stage("--stage", &args.stage)?;
            let expected_close = match &args.close {
                Some(text) => {
                    Some(parse_date(text, store.today()).map_err(|e| anyhow!("--close: {e}"))?)
                }
                None => None,
            };
            let owner_id = match &args.owner {
                Some(login) => Some(operator_id(&store, "--owner", login)?),
                None => None,
            };
            let id = store
                .add_opportunity(
                    &actor,
                    &NewOpportunity {
                        customer_id,
                        title: args.title,
                        product: args.product,
                        amount,
                        stage,
                        expected_close,
                        owner_id,
                    },
                )
                .map_err(|e| {
                    super::refused_options(e, |field| match field {
                        "expected_close" => "close",
                        other => other,
                    })
                })?;
            if args.json {
                return print_json(&store.opportunity(&actor, id)?);
            }
            println!(
                "Added opportunity {id} for customer {} at stage {stage}.",
                sanitize(&args.customer)
            );
        }
        OpportunityCommand::List(args) => {
            let filter = OpportunityFilter {
                customer: match &args.customer {
                    Some(c) => Some(store.resolve_customer(c)?),
                    None => None,
                },
                owner: match &args.owner {
                    Some(login) => Some(operator_id(&store, "--owner", login)?),
                    None => None,
                },
                stage: match &args.stage {
                    Some(s) => Some(stage("--stage", s)?),
                    None => None,
                },
                open: args.open,
                limit: None,
            };
            let rows = store.opportunities(&actor, &filter)?;
            if args.json {
                return print_json(&rows);
            }
            if rows.is_empty() {
                println!("No opportunities match.");
                return Ok(());
            }
            println!(
                "{} {} {} {} {} {} TITLE",
                pad("ID", 6),
                pad("CUSTOMER", 10),
                pad("STAGE", 11),
                pad("AMOUNT", 16),
                pad("CLOSE BY", 10),
                pad("OWNER", 12)
            );
            for o in &rows {
                println!("{}", line(o));
            }
        }
        OpportunityCommand::Show { id, json } => {
            let detail = store.opportunity(&actor, id)?;
            if json {
                return print_json(&detail);
            }
            let o = &detail.opportunity;
            println!("Opportunity {}: {}", o.id, sanitize(&o.title));
            println!("  customer        {}", sanitize(&o.customer_code));
            println!(
                "  product         {}",
                sanitize(o.product.as_deref().unwrap_or("—"))
            );
            println!("  amount          {}", amount(o));
            println!("  stage           {}", o.stage);
            if let Some(reason) = &o.lost_reason {
                println!("  lost because    {}", sanitize(reason));
            }
            println!(
                "  expected close  {}",
                o.expected_close
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into())
            );
            println!(
                "  owner           {} ({})",
                sanitize(&o.owner_name),
                sanitize(&o.owner)
            );
            println!("  version         {}", o.version);
            println!("History");
            for e in &detail.events {
                println!(
                    "  {}  {:<12} {} → {}{}",
                    e.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
                    sanitize(&e.operator),
                    e.from.map(|s| s.as_str()).unwrap_or("—"),
                    e.to,
                    e.reason
                        .as_deref()
                        .map(|r| format!(": {}", sanitize(r)))
                        .unwrap_or_default()
                );
            }
        }
        OpportunityCommand::Move {
            id,
            stage: to,
            reason,
            version,
            json,
        } => {
            let to = stage("--stage", &to)?;
            if !to.is_open() {
                bail!(
                    "--stage: '{to}' closes the opportunity; use `{} opportunity close {id} --won` or `--lost --reason …`",
                    crate::program::name()
                );
            }
            let moved = store.move_opportunity(
                &actor,
                id,
                &StageMove {
                    to,
                    reason,
                    version,
                },
            )?;
            if json {
                return print_json(&moved);
            }
            println!("Opportunity {id} is now at stage {}.", moved.stage);
        }
        OpportunityCommand::Close {
            id,
            won,
            lost: _,
            reason,
            version,
            json,
        } => {
            let to = if won { Stage::Won } else { Stage::Lost };
            let moved = store.move_opportunity(
                &actor,
                id,
                &StageMove {
                    to,
                    reason,
                    version,
                },
            )?;
            if json {
                return print_json(&moved);
            }
            println!("Opportunity {id} is closed {}.", moved.stage);
        }
    }
    Ok(())
}
