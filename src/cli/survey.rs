//! `careline survey add|list`: CSAT and NPS answers recorded by hand or by a script (DESIGN
//! §3.7); the reports count them.

use anyhow::{bail, Result};
use chrono::Local;
use clap::{Args, Subcommand};

use super::{print_json, Context};
use crate::domain::survey::SurveyKind;
use crate::store::NewSurvey;
use crate::text::sanitize;

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Record a customer's answer: `--csat 1..5` or `--nps 0..10`.
    Add(AddArgs),
    /// A customer's answers, newest first.
    List {
        /// Customer code, id, or a phone or email held by one customer.
        #[arg(long)]
        customer: String,
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
    /// Satisfaction, 1 (very unhappy) to 5 (very happy).
    #[arg(long, conflicts_with = "nps", required_unless_present = "nps")]
    pub csat: Option<i64>,
    /// How likely to recommend us, 0 to 10.
    #[arg(long)]
    pub nps: Option<i64>,
    /// What the customer said.
    #[arg(long)]
    pub comment: Option<String>,
    /// The contact (its number in `careline log list`) the survey followed.
    #[arg(long)]
    pub contact: Option<i64>,
}

pub fn run(ctx: &Context, cmd: SurveyCommand) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    match cmd {
        SurveyCommand::Add(args) => {
            let (kind, score) = match (args.csat, args.nps) {
                (Some(s), None) => (SurveyKind::Csat, s),
                (None, Some(s)) => (SurveyKind::Nps, s),
                _ => bail!("give one of --csat or --nps"),
            };
            let customer_id = store.resolve_customer(&args.customer)?;
            let id = store.add_survey(
                &actor,
                &NewSurvey {
                    customer_id,
                    kind,
                    score,
                    comment: args.comment,
                    interaction_id: args.contact,
                },
                &ctx.config.surveys,
            )?;
            println!(
                "Recorded {} {score} for customer {} (survey {id}).",
                kind.as_str().to_uppercase(),
                sanitize(&args.customer)
            );
        }
        SurveyCommand::List { customer, json } => {
            let id = store.resolve_customer(&customer)?;
            let rows = store.surveys_of(&actor, id)?;
            if json {
                return print_json(&rows);
            }
            if rows.is_empty() {
                println!("No survey answers from customer {}.", sanitize(&customer));
            }
            for s in rows {
                println!(
                    "{}  {:<4} {:>2}  {:<12} {}",
                    s.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
                    s.kind.as_str(),
                    s.score,
                    sanitize(s.operator.as_deref().unwrap_or("—")),
                    sanitize(s.comment.as_deref().unwrap_or(""))
                );
            }
        }
    }
    Ok(())
}
