//! `careline reminders generate`: the care rules over every customer (DESIGN §3.5).

use anyhow::{anyhow, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{print_json, progress_bar, Context};

#[derive(Debug, Subcommand)]
pub enum RemindersCommand {
    /// Make the care reminders the rules of [care] say are due (birthdays, holidays,
    /// post-purchase follow-ups, renewals, return visits, profile checks). Running it again
    /// makes nothing twice, and a reminder done, skipped or deleted never comes back; for cron,
    /// or to see what a day would bring with --dry-run.
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The day to generate for, YYYY-MM-DD (default: today in the centre's time zone).
    #[arg(long)]
    pub date: Option<String>,
    /// Count what would be made, and make nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run_all(ctx: &Context, cmd: RemindersCommand) -> Result<()> {
    match cmd {
        RemindersCommand::Generate(args) => generate(ctx, args),
    }
}

fn generate(ctx: &Context, args: GenerateArgs) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    let day = match &args.date {
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| anyhow!("--date: '{text}' is not a date; write it as 2026-11-26"))?,
        None => store
            .now()
            .with_timezone(&store.calendar().tz())
            .date_naive(),
    };
    let bar = progress_bar(0, "customers");
    let generation = store.generate_reminders(&actor, day, args.dry_run, &mut |done, all| {
        bar.set_length(all.max(0) as u64);
        bar.set_position(done.max(0) as u64);
    })?;
    bar.finish_and_clear();
    store.note_run(&actor, &generation)?;
    if args.json {
        return print_json(&generation);
    }
    let verb = if args.dry_run { "would make" } else { "made" };
    println!(
        "Reminders for {day}: {verb} {} over {} customers who may be contacted ({} due already existed).",
        generation.total(),
        generation.customers,
        generation.existing
    );
    for (kind, count) in &generation.created {
        println!("  {kind:<22} {count:>8}");
    }
    Ok(())
}
