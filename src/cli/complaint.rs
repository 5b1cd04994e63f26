//! `careline complaint …` and `careline complaints sweep`: complaints worked from a script, a
//! PBX hook or cron. The same store calls, step table, permissions and audit as the screen;
//! every `complaint` command first runs the (cheap) automatic-escalation sweep, so that
//! whichever careline process looks first escalates a breached clock.

use anyhow::{anyhow, bail, Result};
use chrono::{DateTime, FixedOffset, Utc};
use clap::{Args, Subcommand};

use super::log::parse_moment;
use super::{print_json, Context};
use crate::domain::complaint::{Category, NewComplaint, Severity};
use crate::domain::complaint_step::{level_name, Compensation};
use crate::domain::customer::{Channel, Tier};
use crate::domain::sla_clock::ClockState;
use crate::store::{
    Actor, ClockView, Complaint, ComplaintDetail, ComplaintFilter, Store, StoreError, Work, Worked,
};
use crate::text::{pad, sanitize, sanitize_multiline};

#[derive(Debug, Subcommand)]
pub enum ComplaintCommand {
    /// Open a complaint for a customer (prints its id).
    Open(OpenArgs),
    /// One complaint: its clocks, the calendar they count in, and its history.
    Show(Target),
    /// List complaints; with --open, the queue (the nearest deadline first).
    List(ListArgs),
    /// Make a complaint yours. Refused, naming the holder, when someone else has it.
    Claim(ClaimArgs),
    /// Tell the customer the complaint is being handled (stops the acknowledge clock).
    Ack(OptionalText),
    /// Add a note: internal (never stops a clock), or sent to the customer.
    Note(NoteArgs),
    /// Wait on the customer or a third party: the resolution clock pauses.
    Wait(ReasonArgs),
    /// End the wait: the resolution clock runs again, its deadline moved by the pause.
    Resume(OptionalText),
    /// Escalate one level (1 specialist, 2 supervisor, 3 manager).
    Escalate(EscalateArgs),
    /// Propose a solution to the customer (stops the propose clock).
    Propose(RequiredText),
    /// Record compensation given to the customer.
    Compensate(CompensateArgs),
    /// Resolve the complaint (stops the resolution clock; creates its follow-up reminder).
    Resolve(RequiredText),
    /// Record the follow-up call: satisfied closes the complaint, not satisfied reopens it.
    FollowUp(FollowUpArgs),
    /// Close the complaint without a follow-up.
    Close(OptionalText),
    /// Reopen a resolved complaint (the resolution clock restarts from now).
    Reopen(ReasonArgs),
    /// Merge a complaint into another of the same customer's (it is closed as merged).
    Merge(MergeArgs),
}

#[derive(Debug, Subcommand)]
pub enum ComplaintsCommand {
    /// Escalate every clock breached since the last look, once each (with
    /// `complaints.auto_escalate = true`); for cron.
    Sweep(SweepArgs),
}

/// The complaint a command works on.
#[derive(Debug, Args)]
pub struct Target {
    /// The complaint's id.
    pub id: i64,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// Customer code, id, or a phone or email held by one customer.
    #[arg(long)]
    pub customer: String,
    /// product_quality, service_attitude, after_sales, price, delivery or other.
    #[arg(long, default_value = "other")]
    pub category: String,
    /// low, normal, high or critical (sets the resolution target).
    #[arg(long, default_value = "normal")]
    pub severity: String,
    /// Where it came in: phone_in, phone_out, email, chat, sms, social or visit (one taken on
    /// the phone or face to face is acknowledged at once and assigned to you).
    #[arg(long)]
    pub channel: String,
    /// One line saying what it is about.
    #[arg(long)]
    pub title: String,
    /// What happened, in the customer's words.
    #[arg(long)]
    pub description: Option<String>,
    /// When it was received, for letters and emails entered later: RFC 3339,
    /// `YYYY-MM-DD HH:MM[:SS]` (in the centre's time zone, `[complaints] time_zone`) or Unix seconds (default: now). The clocks count
    /// from it.
    #[arg(long)]
    pub at: Option<String>,
    /// Print the new complaint as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only open complaints, in queue order (the nearest deadline first, waiting ones last);
    /// otherwise every complaint, newest first.
    #[arg(long)]
    pub open: bool,
    /// Only those assigned to you.
    #[arg(long)]
    pub mine: bool,
    /// Only those nobody has claimed.
    #[arg(long)]
    pub unassigned: bool,
    /// Only those escalated to any level.
    #[arg(long)]
    pub escalated: bool,
    /// Only those whose next clock is past its deadline.
    #[arg(long)]
    pub breached: bool,
    /// Only those whose next clock is due soon (not yet breached).
    #[arg(long)]
    pub due_soon: bool,
    /// Only those waiting on the customer or a third party.
    #[arg(long)]
    pub waiting: bool,
    /// Only resolved complaints whose follow-up call is still to make, the one due first
    /// first.
    #[arg(long, conflicts_with = "open")]
    pub follow_ups: bool,
    /// Only this category.
    #[arg(long)]
    pub category: Option<String>,
    /// Only this severity.
    #[arg(long)]
    pub severity: Option<String>,
    /// Only customers of this tier: high, potential or normal.
    #[arg(long)]
    pub tier: Option<String>,
    /// Only VIP members' complaints (the queue's VIP badge, whatever the tier).
    #[arg(long)]
    pub vip: bool,
    /// Only this customer's (code, id, or a phone or email).
    #[arg(long)]
    pub customer: Option<String>,
    /// At most this many (default: all).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Print as JSON (an array of complaints).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClaimArgs {
    #[command(flatten)]
    pub target: Target,
    /// Take it over from the operator who holds it (supervisors and admins).
    #[arg(long)]
    pub take_over: bool,
}

#[derive(Debug, Args)]
pub struct OptionalText {
    #[command(flatten)]
    pub target: Target,
    /// What was said or done.
    #[arg(long)]
    pub text: Option<String>,
}

#[derive(Debug, Args)]
pub struct RequiredText {
    #[command(flatten)]
    pub target: Target,
    /// What was said or done.
    #[arg(long)]
    pub text: String,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    #[command(flatten)]
    pub target: Target,
    /// The note.
    #[arg(long)]
    pub text: String,
    /// The note was sent to the customer (contact: it acknowledges a new complaint).
    #[arg(long)]
    pub to_customer: bool,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    #[command(flatten)]
    pub target: Target,
    /// Why.
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct EscalateArgs {
    #[command(flatten)]
    pub target: Target,
    /// Why it goes up a level.
    #[arg(long)]
    pub reason: String,
    /// Assign it to this operator (login) at the same time.
    #[arg(long, value_name = "LOGIN")]
    pub to: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompensateArgs {
    #[command(flatten)]
    pub target: Target,
    /// refund, replacement, free_repair, voucher, points (also credited to the customer's
    /// loyalty points) or apology.
    #[arg(long)]
    pub kind: String,
    /// How much, as a whole number: in fen (1/100 yuan; 5000 is ¥50.00), or in points for
    /// `points`. An apology may leave it out.
    #[arg(long, default_value = "0", allow_hyphen_values = true)]
    pub amount: String,
    /// What was given, in words.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct FollowUpArgs {
    #[command(flatten)]
    pub target: Target,
    /// The customer's satisfaction, 1 (very dissatisfied) to 5 (very satisfied), or to 10
    /// where `[surveys] csat_scale = 10`.
    #[arg(long)]
    pub csat: String,
    /// The customer's words.
    #[arg(long)]
    pub comment: Option<String>,
    /// The customer is satisfied: the complaint closes.
    #[arg(long, conflicts_with = "not_satisfied")]
    pub satisfied: bool,
    /// The customer is not satisfied: the complaint reopens.
    #[arg(long)]
    pub not_satisfied: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    #[command(flatten)]
    pub target: Target,
    /// The complaint (of the same customer) it is merged into.
    #[arg(long, value_name = "OTHER")]
    pub into: i64,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Print what it did as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A store refusal in the command line's words: a field's problem names its option.
fn refusal(e: StoreError) -> anyhow::Error {
    super::refused_options(e, |field| field.strip_prefix("complaint_").unwrap_or(field))
}

/// Opens the store as the acting operator and escalates what breached since the last look.
/// A failed sweep is reported and does not stop the command: cron's sweep will look again.
fn open_store(ctx: &Context) -> Result<(Store, Actor)> {
    let (mut store, actor) = ctx.open()?;
    match store.sweep_complaints(&actor) {
        Ok(sweep) if sweep.escalated > 0 => eprintln!(
            "careline: {} breached clock(s) escalated automatically (complaints.auto_escalate)",
            sweep.escalated
        ),
        Ok(_) => {}
        Err(e) => eprintln!(
            "careline: warning: the automatic escalation of breached complaints failed: {e}"
        ),
    }
    Ok((store, actor))
}

pub fn run(ctx: &Context, cmd: ComplaintCommand) -> Result<()> {
    match cmd {
        ComplaintCommand::Open(args) => open(ctx, args),
        ComplaintCommand::Show(target) => show(ctx, target),
        ComplaintCommand::List(args) => list(ctx, args),
        other => {
            let (target, work) = work_of(other, ctx.config.surveys.csat_scale)?;
            let (mut store, actor) = open_store(ctx)?;
            let worked = store
                .work_complaint(&actor, target.id, &work)
                .map_err(refusal)?;
            if target.json {
                return print_json(&worked);
            }
            say_worked(&store, &actor, &work, &worked);
            Ok(())
        }
    }
}

pub fn run_all(ctx: &Context, cmd: ComplaintsCommand) -> Result<()> {
    match cmd {
        ComplaintsCommand::Sweep(args) => {
            let (mut store, actor) = ctx.open()?;
            let sweep = store.sweep_complaints(&actor)?;
            if args.json {
                return print_json(&sweep);
            }
            if !store.sla_rules().auto_escalate {
                println!(
                    "Nothing to do: automatic escalation is off (set auto_escalate = true under [complaints])."
                );
            } else {
                println!(
                    "Looked at {} complaint(s) with a newly breached clock; escalated {} clock(s).",
                    sweep.looked_at, sweep.escalated
                );
            }
            Ok(())
        }
    }
}

/// The complaint and the work a step command asks for.
/// The work a command asks for; a CSAT is given on `csat_scale` (`[surveys] csat_scale`).
fn work_of(cmd: ComplaintCommand, csat_scale: i64) -> Result<(Target, Work)> {
    Ok(match cmd {
        ComplaintCommand::Claim(a) => (
            a.target,
            Work::Claim {
                take_over: a.take_over,
            },
        ),
        ComplaintCommand::Ack(a) => (a.target, Work::Acknowledge { text: a.text }),
        ComplaintCommand::Note(a) => (
            a.target,
            Work::Note {
                text: a.text,
                to_customer: a.to_customer,
            },
        ),
        ComplaintCommand::Wait(a) => (a.target, Work::Wait { reason: a.reason }),
        ComplaintCommand::Resume(a) => (a.target, Work::Resume { text: a.text }),
        ComplaintCommand::Escalate(a) => (
            a.target,
            Work::Escalate {
                reason: a.reason,
                to: a.to,
            },
        ),
        ComplaintCommand::Propose(a) => (a.target, Work::Propose { text: a.text }),
        ComplaintCommand::Compensate(a) => {
            let kind: Compensation = a.kind.parse().map_err(|e| anyhow!("--kind: {e}"))?;
            let amount: i64 = a.amount.trim().parse().map_err(|_| {
                anyhow!(
                    "--amount: '{}' is not a whole number (fen, or points for points)",
                    a.amount
                )
            })?;
            (
                a.target,
                Work::Compensate {
                    kind,
                    amount,
                    note: a.note,
                },
            )
        }
        ComplaintCommand::Resolve(a) => (a.target, Work::Resolve { text: a.text }),
        ComplaintCommand::FollowUp(a) => {
            let csat: u8 = a.csat.trim().parse().map_err(|_| {
                anyhow!(
                    "--csat: '{}' is not a score from 1 to {}",
                    a.csat,
                    csat_scale
                )
            })?;
            if !a.satisfied && !a.not_satisfied {
                bail!("--satisfied or --not-satisfied: say whether the customer is satisfied");
            }
            (
                a.target,
                Work::FollowUp {
                    csat,
                    scale: csat_scale as u8,
                    comment: a.comment,
                    satisfied: a.satisfied,
                },
            )
        }
        ComplaintCommand::Close(a) => (a.target, Work::Close { text: a.text }),
        ComplaintCommand::Reopen(a) => (a.target, Work::Reopen { reason: a.reason }),
        ComplaintCommand::Merge(a) => (a.target, Work::Merge { into: a.into }),
        ComplaintCommand::Open(_) | ComplaintCommand::Show(_) | ComplaintCommand::List(_) => {
            bail!("not a step")
        }
    })
}

fn open(ctx: &Context, args: OpenArgs) -> Result<()> {
    let (mut store, actor) = open_store(ctx)?;
    let customer_id = store.resolve_customer(&args.customer)?;
    let new = NewComplaint {
        category: args
            .category
            .parse::<Category>()
            .map_err(|e| anyhow!("--category: {e}"))?,
        severity: args
            .severity
            .parse::<Severity>()
            .map_err(|e| anyhow!("--severity: {e}"))?,
        title: args.title,
        description: args.description,
        channel: args
            .channel
            .parse::<Channel>()
            .map_err(|e| anyhow!("--channel: {e}"))?,
    };
    let received = args
        .at
        .as_deref()
        .map(|t| parse_moment("at", t, store.calendar().tz()))
        .transpose()?;
    let k = store
        .open_complaint(&actor, customer_id, &new, received)
        .map_err(refusal)?;
    if args.json {
        return print_json(&k);
    }
    println!("Complaint {} opened: {}.", k.id, standing(&k));
    if let Some(next) = k.next_reading() {
        println!("Next: {}.", next_text(next));
    }
    Ok(())
}

fn show(ctx: &Context, target: Target) -> Result<()> {
    let (store, actor) = open_store(ctx)?;
    let detail = store.complaint_detail(&actor, target.id)?;
    if target.json {
        return print_json(&detail);
    }
    print_detail(&detail, store.calendar().tz());
    Ok(())
}

fn list(ctx: &Context, args: ListArgs) -> Result<()> {
    let (store, actor) = open_store(ctx)?;
    let filter = ComplaintFilter {
        open: args.open,
        mine: args.mine,
        unassigned: args.unassigned,
        escalated: args.escalated,
        breached: args.breached,
        due_soon: args.due_soon,
        waiting: args.waiting,
        follow_ups: args.follow_ups,
        vip: args.vip.then_some(true),
        category: args
            .category
            .as_deref()
            .map(|c| {
                c.parse::<Category>()
                    .map_err(|e| anyhow!("--category: {e}"))
            })
            .transpose()?,
        severity: args
            .severity
            .as_deref()
            .map(|s| {
                s.parse::<Severity>()
                    .map_err(|e| anyhow!("--severity: {e}"))
            })
            .transpose()?,
        tier: args
            .tier
            .as_deref()
            .map(|t| t.parse::<Tier>().map_err(|e| anyhow!("--tier: {e}")))
            .transpose()?,
        customer: args
            .customer
            .as_deref()
            .map(|c| store.resolve_customer(c))
            .transpose()?,
        limit: args.limit,
    };
    let rows = store.complaints(&actor, &filter)?;
    if args.json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        println!("No complaints match.");
        return Ok(());
    }
    println!(
        "{:>7}  {}  {}  {}  {}  {}  {}  {:>2}  NEXT CLOCK",
        "ID",
        pad("CUSTOMER", 22),
        pad("TIER", 9),
        pad("CATEGORY", 16),
        pad("SEVERITY", 8),
        pad("STATUS", 17),
        pad("ASSIGNEE", 12),
        "LV",
    );
    for k in &rows {
        println!("{}", row(k));
    }
    Ok(())
}

/// One complaint as a line of the list.
fn row(k: &Complaint) -> String {
    let customer = format!("{} {}", k.customer_code, sanitize(&k.customer_name));
    let next = k
        .next_reading()
        .map(next_text)
        .unwrap_or_else(|| "-".into());
    format!(
        "{:>7}  {}  {}  {}  {}  {}  {}  {:>2}  {next}",
        k.id,
        pad(&customer, 22),
        pad(k.tier.as_str(), 9),
        pad(k.category.as_str(), 16),
        pad(k.severity.as_str(), 8),
        pad(k.status.as_str(), 17),
        pad(&sanitize(k.assignee.as_deref().unwrap_or("-")), 12),
        k.escalation_level,
    )
}

/// Working time as the queue words it: `45m`, `2h 05m`, `1d 3h` (a day is 24 hours of
/// working time), rounded down to the minute.
pub(crate) fn working_span(seconds: i64) -> String {
    let minutes = seconds.unsigned_abs() / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else {
        format!("{minutes}m")
    }
}

/// Time left of a clock, or how long it is overdue.
fn left_text(left_seconds: i64) -> String {
    if left_seconds >= 0 {
        format!("{} left", working_span(left_seconds))
    } else {
        format!("overdue {}", working_span(left_seconds))
    }
}

/// The clock a complaint must beat next, as the list and the step lines say it.
fn next_text(c: &ClockView) -> String {
    if c.paused {
        return format!("{} paused, {}", c.clock, left_text(c.left_seconds));
    }
    format!("{} {}", c.clock, left_text(c.left_seconds))
}

fn moment(t: DateTime<Utc>, tz: FixedOffset) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// One clock as `complaint show` says it.
fn clock_text(c: &ClockView, tz: FixedOffset) -> String {
    let due = moment(c.due_at, tz);
    if c.state == "stopped" {
        return format!("stopped unmet when the complaint ended (due {due})");
    }
    match c.reading.state {
        ClockState::Met { at, on_time } => format!(
            "met {} ({}; due {due})",
            moment(at, tz),
            if on_time { "on time" } else { "late" }
        ),
        _ if c.paused => format!(
            "paused while waiting, {} (due {due} before the pause)",
            left_text(c.left_seconds)
        ),
        ClockState::Running => format!("running, {} (due {due})", left_text(c.left_seconds)),
        ClockState::DueSoon => format!("due soon, {} (due {due})", left_text(c.left_seconds)),
        ClockState::Breached => format!("breached, {} (due {due})", left_text(c.left_seconds)),
    }
}

/// Status, level and assignee in a few words.
fn standing(k: &Complaint) -> String {
    let assignee = match (&k.assignee_name, &k.assignee) {
        (Some(name), Some(login)) => format!("assigned to {} ({login})", sanitize(name)),
        _ => "unassigned".into(),
    };
    format!(
        "{}, level {} ({}), {assignee}",
        k.status,
        k.escalation_level,
        level_name(k.escalation_level)
    )
}

/// What a step did, in a line or two.
fn say_worked(store: &Store, actor: &Actor, work: &Work, w: &Worked) {
    let k = &w.complaint;
    let step = work.step();
    println!(
        "Complaint {}: {step} ({} → {}); now {}.",
        k.id,
        w.from_status,
        k.status,
        standing(k)
    );
    if let Work::Compensate { kind, amount, .. } = work {
        println!(
            "Recorded {kind} of {}.",
            crate::domain::complaint_fact::compensation_amount(*kind, *amount)
        );
    }
    if let Some(r) = w.follow_up_reminder {
        match store.complaint_detail(actor, k.id).map(|d| d.follow_up) {
            Ok(Some(f)) if f.reminder_id == r => {
                println!("Follow-up reminder {r} created, due {}.", f.due_on)
            }
            _ => println!("Follow-up reminder {r} created."),
        }
    }
    if let Some(next) = k.next_reading() {
        println!("Next: {}.", next_text(next));
    }
}

fn print_detail(d: &ComplaintDetail, tz: FixedOffset) {
    let k = &d.complaint;
    let field = |label: &str, value: &str| println!("{}{value}", pad(label, 13));
    println!(
        "Complaint {}  {} · {} · {}",
        k.id, k.status, k.severity, k.category
    );
    field(
        "customer",
        &format!(
            "{} {} (tier {}, level {}{})",
            k.customer_code,
            sanitize(&k.customer_name),
            k.tier,
            k.level,
            if k.vip { "; VIP targets" } else { "" }
        ),
    );
    if k.restricted {
        field(
            "title",
            "(confidential customer: ask a supervisor for access)",
        );
    } else {
        field("title", &sanitize(&k.title));
        if let Some(description) = &k.description {
            field("description", &sanitize_multiline(description));
        }
    }
    field(
        "opened",
        &format!(
            "{} by {} on {}",
            moment(k.opened_at, tz),
            k.opened_by.as_deref().unwrap_or("-"),
            k.channel.map(|c| c.as_str()).unwrap_or("-")
        ),
    );
    field("standing", &standing(k));
    if let Some(since) = k.paused_at {
        field(
            "waiting",
            &format!(
                "since {}: {}",
                moment(since, tz),
                sanitize(k.waiting_reason.as_deref().unwrap_or("-"))
            ),
        );
    }
    if let Some(into) = k.merged_into {
        field("merged into", &format!("complaint {into}"));
    }
    if !d.merged_from.is_empty() {
        let ids: Vec<String> = d.merged_from.iter().map(ToString::to_string).collect();
        field("merged from", &ids.join(", "));
    }
    if let Some(csat) = k.csat {
        field("CSAT", &format!("{csat}/{}", k.csat_scale));
    }
    field("calendar", &k.calendar);
    println!("clocks");
    for c in &k.clocks {
        println!("  {}{}", pad(c.clock, 13), clock_text(c, tz));
    }
    if k.paused_seconds > 0 {
        println!(
            "  (the resolution clock has been paused {} in all)",
            working_span(k.paused_seconds)
        );
    }
    if !d.compensations.is_empty() {
        println!("compensations");
        for p in &d.compensations {
            println!(
                "  {}  {} {} by {}{}",
                moment(p.at, tz),
                p.kind,
                crate::domain::complaint_fact::compensation_amount(p.kind, p.amount),
                sanitize(&p.operator),
                p.note
                    .as_deref()
                    .map(|n| format!(": {}", sanitize(n)))
                    .unwrap_or_default()
            );
        }
    }
    if let Some(f) = &d.follow_up {
        field(
            "follow-up",
            &format!("reminder {} due {} ({})", f.reminder_id, f.due_on, f.status),
        );
    }
    println!("history");
    for e in &d.events {
        let moved = match (&e.from_status, &e.to_status) {
            (Some(from), Some(to)) if from != to => format!("{from} → {to}"),
            (_, Some(to)) => to.clone(),
            _ => String::new(),
        };
        let mut marks = Vec::new();
        if e.customer_contact {
            marks.push("[customer]".to_string());
        }
        if e.complaint_id != k.id {
            marks.push(format!("[complaint {}]", e.complaint_id));
        }
        println!(
            "  {}  {}  {}  {}  {}{}",
            moment(e.at, tz),
            pad(&e.kind, 13),
            pad(&moved, 30),
            pad(&sanitize(&e.operator), 12),
            sanitize(&e.english(&tz)),
            if marks.is_empty() {
                String::new()
            } else {
                format!("  {}", marks.join(" "))
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{left_text, working_span};

    #[test]
    fn working_time_reads_in_minutes_hours_and_days() {
        assert_eq!(working_span(0), "0m");
        assert_eq!(working_span(59), "0m");
        assert_eq!(working_span(45 * 60), "45m");
        assert_eq!(working_span(2 * 3600 + 5 * 60), "2h 05m");
        assert_eq!(working_span(23 * 3600 + 59 * 60 + 59), "23h 59m");
        assert_eq!(working_span(27 * 3600), "1d 3h");
        assert_eq!(working_span(-(27 * 3600 + 30 * 60)), "1d 3h");
    }

    #[test]
    fn a_clock_says_time_left_or_overdue() {
        assert_eq!(left_text(2 * 3600 + 5 * 60), "2h 05m left");
        assert_eq!(left_text(-(24 * 3600 + 3 * 3600)), "overdue 1d 3h");
        assert_eq!(left_text(0), "0m left");
    }
}
