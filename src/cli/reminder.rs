//! `careline reminders generate`: the care rules over every customer (DESIGN §3.5); and
//! `careline reminder add|show|list|done|snooze|skip`: one reminder at a time, with the Care
//! pane's store calls, permissions and audit.

use anyhow::{anyhow, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{print_json, progress_bar, Context};
use crate::domain::date_input::parse_date;
use crate::domain::interaction::FollowUpScope;
use crate::domain::reminder::Kind;
use crate::store::{CareFilter, CareRow, DueRange, NewCampaign, NewReminder, ReminderWork};
use crate::text::{counted, pad, sanitize};

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
        None => store.care_today(),
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
        "Reminders for {day}: {verb} {} over {} who may be contacted ({} due already existed).",
        generation.total(),
        counted(generation.customers, "customer", "customers"),
        generation.existing
    );
    for (kind, count) in &generation.created {
        println!("  {kind:<22} {count:>8}");
    }
    Ok(())
}

/// `careline reminder …`: one reminder at a time, as the Care pane works them.
#[derive(Debug, Subcommand)]
pub enum ReminderCommand {
    /// Add a reminder by hand for a customer.
    Add(AddArgs),
    /// Show one reminder.
    Show(Target),
    /// List the reminders to work, as the Care pane orders them (overdue, due today,
    /// upcoming; by kind).
    List(ListArgs),
    /// Mark a reminder done without logging a contact (a contact logged with the reminder
    /// linked marks it done by itself).
    Done(DoneArgs),
    /// Snooze a reminder to a later day.
    Snooze(SnoozeArgs),
    /// Skip a reminder, saying why.
    Skip(SkipArgs),
}

#[derive(Debug, Args)]
pub struct Target {
    /// The reminder's number.
    pub id: i64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The customer: code, phone or id (or --segment NAME for every member of a segment).
    #[arg(required_unless_present = "segment")]
    pub customer: Option<String>,
    /// A campaign: one reminder (for anyone) for every member of this segment, except those
    /// flagged do-not-contact, confidential ones you may not see and, unless --service, those
    /// without marketing consent. Run again with the same segment, title and day, it makes
    /// nothing twice (supervisors; audited).
    #[arg(long, conflicts_with = "customer", value_name = "NAME")]
    pub segment: Option<String>,
    /// With --segment: a service call (a recall, a notice), which reaches members without
    /// marketing consent too; a campaign is marketing by default.
    #[arg(long, requires = "segment")]
    pub service: bool,
    /// What to do.
    #[arg(long)]
    pub title: String,
    /// When: YYYY-MM-DD, today, tomorrow, +3d (default: tomorrow).
    #[arg(long, default_value = "tomorrow")]
    pub due: String,
    /// A note for whoever makes the call.
    #[arg(long)]
    pub note: Option<String>,
    /// Who works it: anyone (default), me, or an operator's login.
    #[arg(long = "for", default_value = "anyone")]
    pub for_whom: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only those kept for me.
    #[arg(long)]
    pub mine: bool,
    /// Only those for anyone.
    #[arg(long)]
    pub anyones: bool,
    /// One kind: birthday, holiday, post_purchase, renewal, return_visit,
    /// profile_verification, complaint_follow_up, follow_up, manual.
    #[arg(long)]
    pub kind: Option<String>,
    /// The customer's badge: vip, high, potential or normal.
    #[arg(long)]
    pub tier: Option<String>,
    /// How far ahead: due (overdue and today), week, month or all (default).
    #[arg(long, default_value = "all")]
    pub due: String,
    /// One customer's (code, phone or id), in every status.
    #[arg(long)]
    pub customer: Option<String>,
    /// Only those of the members of this segment.
    #[arg(long, value_name = "NAME")]
    pub segment: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoneArgs {
    /// The reminder's number.
    pub id: i64,
    /// What came of it (kept with the reminder).
    #[arg(long)]
    pub note: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SnoozeArgs {
    /// The reminder's number.
    pub id: i64,
    /// Until: YYYY-MM-DD, tomorrow, +2d, +1w.
    #[arg(long)]
    pub until: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SkipArgs {
    /// The reminder's number.
    pub id: i64,
    /// Why: declined, unreachable, already_contacted, not_relevant, wrong_contact, or your
    /// own words.
    #[arg(long)]
    pub reason: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, cmd: ReminderCommand) -> Result<()> {
    match cmd {
        ReminderCommand::Add(args) => add(ctx, args),
        ReminderCommand::Show(t) => {
            let (store, actor) = ctx.open()?;
            let row = store.care_row(&actor, t.id)?;
            if t.json {
                return print_json(&row);
            }
            print_detail(&row, &store);
            Ok(())
        }
        ReminderCommand::List(args) => list(ctx, args),
        ReminderCommand::Done(args) => work(
            ctx,
            args.id,
            ReminderWork::Done { note: args.note },
            args.json,
        ),
        ReminderCommand::Snooze(args) => {
            let (store, _) = ctx.open()?;
            let today = store.care_today();
            let until = parse_date(&args.until, today).map_err(|e| anyhow!("--until: {e}"))?;
            drop(store);
            work(ctx, args.id, ReminderWork::Snooze { until }, args.json)
        }
        ReminderCommand::Skip(args) => work(
            ctx,
            args.id,
            ReminderWork::Skip {
                reason: args.reason,
            },
            args.json,
        ),
    }
}

fn add(ctx: &Context, args: AddArgs) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    let today = store.care_today();
    let due_on = parse_date(&args.due, today).map_err(|e| anyhow!("--due: {e}"))?;
    if let Some(segment) = &args.segment {
        if args.for_whom.trim() != "anyone" {
            return Err(anyhow!(
                "--for: a campaign's reminders are for anyone; leave --for out with --segment"
            ));
        }
        let outcome = store.campaign_reminders(
            &actor,
            segment,
            &NewCampaign {
                title: args.title,
                due_on,
                note: args.note,
                marketing: !args.service,
            },
        )?;
        if args.json {
            return print_json(&outcome);
        }
        println!(
            "Segment '{}': {} made, due {due_on}, over {}.",
            sanitize(segment),
            counted(outcome.made, "reminder", "reminders"),
            counted(outcome.members, "member", "members")
        );
        for (n, why) in [
            (outcome.already, "already had this campaign's reminder"),
            (outcome.skipped_do_not_contact, "skipped: do-not-contact"),
            (outcome.skipped_no_consent, "skipped: no marketing consent (a marketing campaign; --service for a service call)"),
            (outcome.skipped_confidential, "skipped: confidential, you may not see them"),
        ] {
            if n > 0 {
                println!("  {n:>7} {why}");
            }
        }
        return Ok(());
    }
    let Some(customer) = args.customer.as_deref() else {
        return Err(anyhow!(
            "give a customer (code, phone or id) or --segment NAME"
        ));
    };
    let customer_id = store.resolve_customer(customer)?;
    let (scope, assignee) = match args.for_whom.trim() {
        "anyone" => (FollowUpScope::Anyone, None),
        "me" => (FollowUpScope::Me, Some(actor.id)),
        login => {
            let op = store
                .operators()?
                .into_iter()
                .find(|o| o.login == login)
                .ok_or_else(|| {
                    anyhow!("--for: '{login}' is not an operator; use anyone, me or a login")
                })?;
            (FollowUpScope::Me, Some(op.id))
        }
    };
    let id = store.add_reminder(
        &actor,
        &NewReminder {
            customer_id,
            due_on,
            title: args.title,
            note: args.note,
            scope,
            assignee,
        },
    )?;
    let row = store.care_row(&actor, id)?;
    if args.json {
        return print_json(&row);
    }
    println!(
        "Reminder #{id} added for {}, due {due_on}.",
        row.customer_code
    );
    Ok(())
}

fn list(ctx: &Context, args: ListArgs) -> Result<()> {
    let (store, actor) = ctx.open()?;
    let kind = args
        .kind
        .as_deref()
        .map(|k| k.parse::<Kind>().map_err(|e| anyhow!("--kind: {e}")))
        .transpose()?;
    let tier = args.tier.as_deref().map(str::to_lowercase);
    if let Some(t) = tier.as_deref() {
        if !["vip", "high", "potential", "normal"].contains(&t) {
            return Err(anyhow!(
                "--tier: '{t}' is not a tier; use vip, high, potential or normal"
            ));
        }
    }
    let range = DueRange::parse(&args.due).ok_or_else(|| {
        anyhow!(
            "--due: '{}' is not a range; use due, week, month or all",
            args.due
        )
    })?;
    let customer = args
        .customer
        .as_deref()
        .map(|c| store.resolve_customer(c))
        .transpose()?;
    let segment = args
        .segment
        .as_deref()
        .map(|name| store.segment(&actor, name).map(|s| s.id))
        .transpose()?;
    let mut rows = store.care_list(
        &actor,
        &CareFilter {
            mine: args.mine,
            anyones: args.anyones,
            kind,
            badge: tier.clone(),
            range,
            customer,
            segment,
            every_status: customer.is_some(),
            // One more than shown, to say whether more match.
            limit: Some(args.limit.saturating_add(1)),
            after: None,
        },
    )?;
    let more = rows.len() > args.limit;
    rows.truncate(args.limit);
    print_rows(&rows, args.json, &store)?;
    if more {
        eprintln!(
            "The first {} shown; more match (--limit N shows more).",
            args.limit
        );
    }
    Ok(())
}

fn work(ctx: &Context, id: i64, work: ReminderWork, json: bool) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    let row = store.work_reminder(&actor, id, &work)?;
    if json {
        return print_json(&row);
    }
    match work {
        ReminderWork::Snooze { until } => println!("Reminder #{id} snoozed to {until}."),
        _ => println!("Reminder #{id}: {}.", row.status),
    }
    Ok(())
}

fn print_rows(rows: &[CareRow], json: bool, store: &crate::store::Store) -> Result<()> {
    if json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        println!("No reminders.");
        return Ok(());
    }
    let holidays = &store.care_rules().holiday;
    for r in rows {
        let why = match &r.fact {
            Some(fact) => crate::domain::care::fact_words(fact, holidays),
            None => r.title.clone().unwrap_or_else(|| "(confidential)".into()),
        };
        let owner = match (r.scope, &r.assignee_name) {
            (FollowUpScope::Me, Some(name)) => name.clone(),
            _ => "anyone".into(),
        };
        // Why one was skipped, deleted or withdrawn.
        let reason = r
            .skip_reason
            .as_deref()
            .map(|reason| format!(" · {}", sanitize(reason)))
            .unwrap_or_default();
        println!(
            "#{:<8} {} {:<9} {:<10} {} {:<21} {} · for {} · prefers {}{reason}",
            r.id,
            r.day,
            r.status.as_str(),
            r.customer_code,
            pad(
                &sanitize(r.customer_name.as_deref().unwrap_or("(confidential)")),
                20
            ),
            r.kind.as_str(),
            why,
            owner,
            r.preferred_channel.as_deref().unwrap_or("—")
        );
    }
    Ok(())
}

/// One reminder in full, for `careline reminder show`.
fn print_detail(r: &CareRow, store: &crate::store::Store) {
    let holidays = &store.care_rules().holiday;
    let why = match &r.fact {
        Some(fact) => crate::domain::care::fact_words(fact, holidays),
        None => r.title.clone().unwrap_or_else(|| "(confidential)".into()),
    };
    let name = r.customer_name.as_deref().unwrap_or("(confidential)");
    println!(
        "reminder #{} · {} · {}",
        r.id,
        r.kind.as_str(),
        r.status.as_str()
    );
    println!("customer     {} {}", r.customer_code, sanitize(name));
    println!("why          {}", sanitize(&why));
    println!("due          {}", r.due_on);
    if let Some(end) = r.window_end {
        println!("until        {end} (its window)");
    }
    if let Some(until) = r.snoozed_until {
        println!("snoozed to   {until}");
    }
    let owner = match (r.scope, &r.assignee_name) {
        (FollowUpScope::Me, Some(name)) => format!("{} only", sanitize(name)),
        _ => "anyone".into(),
    };
    println!("for          {owner}");
    let prefers = [r.preferred_channel.as_deref(), r.preferred_time.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    if !prefers.is_empty() {
        println!("prefers      {}", sanitize(&prefers));
    }
    if let Some(note) = &r.note {
        println!("note         {}", sanitize(note));
    }
    if let Some(reason) = &r.skip_reason {
        println!("reason       {}", sanitize(reason));
    }
    if let Some(contact) = r.done_interaction_id {
        println!("done by      contact #{contact}");
    }
    if let Some(complaint) = r.complaint_id {
        println!("complaint    #{complaint}");
    }
}
