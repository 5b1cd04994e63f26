//! `careline log add|list`: the interaction log for a PBX, a web form or a batch job. The same
//! store calls, checks, permissions and audit as the operator's screen.

use anyhow::{anyhow, bail, Result};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::{Args, Subcommand};

use super::{print_json, Context};
use crate::domain::complaint::{Category, Severity};
use crate::domain::customer::Channel;
use crate::domain::date_input::parse_date;
use crate::domain::interaction::{parse_follow_up, Direction, DispositionFlag, FollowUpScope};
use crate::store::{FollowUp, Interaction, LogFilter, NewComplaint, NewInteraction};
use crate::text::sanitize;

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
pub enum LogCommand {
    /// Log a contact with a customer (prints the new entry's id).
    Add(AddArgs),
    /// List logged contacts, newest first.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Customer code, id, or a phone or email held by one customer.
    #[arg(long)]
    pub customer: String,
    /// phone_in, phone_out, email, chat, sms, social or visit.
    #[arg(long)]
    pub channel: String,
    /// inbound or outbound (default: what the channel usually is).
    #[arg(long)]
    pub direction: Option<String>,
    /// A wrap-up code: resolved_first_contact, information_given, callback_needed,
    /// complaint_opened, sale, follow_up_done, no_answer, voicemail, wrong_number, do_not_call,
    /// points_redeemed (`careline points redeem` logs it),
    /// or one the config adds under `[[log.dispositions]]` (README, "Logging a contact").
    #[arg(long)]
    pub disposition: String,
    /// What was said and done.
    #[arg(long)]
    pub summary: Option<String>,
    /// The customer's own words about the service.
    #[arg(long)]
    pub feedback: Option<String>,
    /// When the contact began: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (the centre's time zone, `[complaints] time_zone`) or Unix seconds
    /// (default: now).
    #[arg(long)]
    pub started: Option<String>,
    /// When it ended (default: the start, i.e. no handle time).
    #[arg(long)]
    pub ended: Option<String>,
    /// Next follow-up: a date (`tomorrow`, `+3d`, `2026-12-01`), a date and time, a time
    /// today (`16:00`) or `+2h`. Creates a care reminder.
    #[arg(long, value_name = "WHEN")]
    pub follow_up: Option<String>,
    /// Who works the follow-up: me (the acting operator) or anyone.
    #[arg(long, default_value = "me")]
    pub follow_up_for: String,
    /// Link to one of the customer's complaints (its id).
    #[arg(long)]
    pub complaint: Option<i64>,
    /// Link to one of the customer's reminders (its id); a contact made completes it.
    #[arg(long)]
    pub reminder: Option<i64>,
    /// This entry corrects interaction ID (the original stays, marked as amended).
    #[arg(long, value_name = "ID")]
    pub amends: Option<i64>,
    /// With a complaint wrap-up code: open a complaint with this title.
    #[arg(long)]
    pub complaint_title: Option<String>,
    /// The opened complaint's category.
    #[arg(long, default_value = "other")]
    pub complaint_category: String,
    /// The opened complaint's severity.
    #[arg(long, default_value = "normal")]
    pub complaint_severity: String,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this customer's contacts (code, id, or a phone or email).
    #[arg(long)]
    pub customer: Option<String>,
    /// From this day (inclusive): YYYY-MM-DD, today, -7d …
    #[arg(long)]
    pub from: Option<String>,
    /// To this day (inclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// Only contacts logged by this operator (login).
    #[arg(long)]
    pub operator: Option<String>,
    /// Only contacts logged by you.
    #[arg(long)]
    pub mine: bool,
    /// Only contacts on this channel: phone_in, phone_out, email, chat, sms, social, visit.
    #[arg(long)]
    pub channel: Option<String>,
    /// Only contacts with this wrap-up code (the codes of the [log] config).
    #[arg(long)]
    pub disposition: Option<String>,
    /// Only inbound email and chat still waiting for a reply, nearest deadline first.
    #[arg(long)]
    pub due_replies: bool,
    /// At most this many entries; when more match, standard error says so.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print as JSON (an array of entries).
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, cmd: LogCommand) -> Result<()> {
    match cmd {
        LogCommand::Add(args) => add(ctx, args),
        LogCommand::List(args) => list(ctx, args),
    }
}

/// Reads a moment: RFC 3339, local `YYYY-MM-DD HH:MM[:SS]`, or Unix seconds.
/// A moment typed on the command line; one without an offset is in the centre's time zone
/// (`tz`, `[complaints] time_zone`), as the screen shows times, not this machine's.
pub(super) fn parse_moment(flag: &str, text: &str, tz: FixedOffset) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            if let Some(at) = tz.from_local_datetime(&naive).single() {
                return Ok(at.with_timezone(&Utc));
            }
        }
    }
    if let Ok(seconds) = t.parse::<i64>() {
        if let Some(at) = DateTime::from_timestamp(seconds, 0) {
            return Ok(at);
        }
    }
    bail!("--{flag}: '{text}' is not a time; use 2026-11-23T10:15:00+08:00, '2026-11-23 10:15' or Unix seconds")
}

fn add(ctx: &Context, args: AddArgs) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    // Times typed and shown are the centre's (`[complaints] time_zone`), as on the screen.
    let tz = store.calendar().tz();
    let customer_id = store.resolve_customer(&args.customer)?;
    let channel: Channel = args
        .channel
        .parse()
        .map_err(|e| anyhow!("--channel: {e}"))?;
    let direction: Direction = match &args.direction {
        Some(d) => d.parse().map_err(|e| anyhow!("--direction: {e}"))?,
        None => channel.usual_direction(),
    };
    let now = store.now();
    let started = match &args.started {
        Some(t) => parse_moment("started", t, tz)?,
        None => now,
    };
    let ended = match &args.ended {
        Some(t) => Some(parse_moment("ended", t, tz)?),
        None => Some(started),
    };
    let rules = store.log_rules().clone();
    let follow_up = match &args.follow_up {
        Some(text) => {
            let scope: FollowUpScope = args
                .follow_up_for
                .parse()
                .map_err(|e| anyhow!("--follow-up-for: {e}"))?;
            let due = parse_follow_up(text, now, &tz, &rules.follow_up_time)
                .map_err(|e| anyhow!("--follow-up: {e}"))?;
            Some(FollowUp { due, scope })
        }
        None => None,
    };
    let complaint_code = rules
        .disposition(&args.disposition)
        .is_some_and(|d| d.has(DispositionFlag::Complaint));
    let open_complaint = match (&args.complaint_title, complaint_code) {
        (Some(title), true) => Some(NewComplaint {
            category: args
                .complaint_category
                .parse::<Category>()
                .map_err(|e| anyhow!("--complaint-category: {e}"))?,
            severity: args
                .complaint_severity
                .parse::<Severity>()
                .map_err(|e| anyhow!("--complaint-severity: {e}"))?,
            title: title.clone(),
            description: args.summary.clone(),
            channel,
        }),
        (Some(_), false) => bail!(
            "--complaint-title: the wrap-up code '{}' does not open complaints",
            args.disposition
        ),
        (None, _) => None,
    };
    let new = NewInteraction {
        customer_id,
        channel,
        direction,
        disposition: args.disposition.trim().to_string(),
        started_at: started,
        ended_at: ended,
        summary: args.summary.clone(),
        feedback: args.feedback.clone(),
        complaint_id: args.complaint,
        reminder_id: args.reminder,
        follow_up,
        amends_id: args.amends,
        open_complaint,
    };
    let logged = store
        .log_interaction(&actor, &new)
        .map_err(|e| super::refused_options(e, |field| field))?;
    if args.json {
        return print_json(&logged);
    }
    println!("Logged interaction {}.", logged.id);
    match (logged.follow_up_reminder_id, logged.follow_up_carried) {
        (Some(r), true) => println!("Follow-up reminder {r} carried over to this correction."),
        (Some(r), false) if args.amends.is_some() => println!("Follow-up reminder {r} set."),
        (Some(r), false) => println!("Follow-up reminder {r} created."),
        (None, _) => {}
    }
    if let Some(r) = logged.follow_up_skipped {
        println!("Follow-up reminder {r} skipped: the corrected code asks for no callback.");
    }
    if let Some(at) = logged.reply_by {
        println!(
            "Reply due by {}.",
            at.with_timezone(&tz).format("%Y-%m-%d %H:%M")
        );
    }
    if !logged.answered.is_empty() {
        println!(
            "Answers {} contact(s) waiting for a reply.",
            logged.answered.len()
        );
    }
    if logged.do_not_contact_set {
        println!("The customer is now flagged do-not-contact.");
    }
    if let Some(r) = logged.reminder_done {
        println!("Reminder {r} done.");
    }
    if let Some(c) = logged.complaint_opened {
        println!("Complaint {c} opened.");
    }
    Ok(())
}

/// A day given to `--{flag}` (YYYY-MM-DD, today, -7d …), or why it is not one.
pub(super) fn day(
    flag: &str,
    text: &Option<String>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>> {
    text.as_deref()
        .map(|t| parse_date(t, today).map_err(|e| anyhow!("--{flag}: {e}")))
        .transpose()
}

fn list(ctx: &Context, args: ListArgs) -> Result<()> {
    let (store, actor) = ctx.open()?;
    let today = store.today();
    let mut filter = LogFilter {
        customer_id: args
            .customer
            .as_deref()
            .map(|c| store.resolve_customer(c))
            .transpose()?,
        from: day("from", &args.from, today)?,
        to: day("to", &args.to, today)?,
        due_replies: args.due_replies,
        ..LogFilter::default()
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if from > to {
            bail!("--from {from} is after --to {to}");
        }
    }
    if args.mine {
        filter.operator_id = Some(actor.id);
    }
    if let Some(login) = &args.operator {
        let op = store
            .operator_by_login(login)?
            .ok_or_else(|| anyhow!("--operator: no operator with login '{login}'"))?;
        filter.operator_id = Some(op.id);
    }
    if let Some(c) = &args.channel {
        filter.channel = Some(c.parse().map_err(|e| anyhow!("--channel: {e}"))?);
    }
    if let Some(d) = &args.disposition {
        let code = store
            .log_rules()
            .disposition(d)
            .map(|d| d.code.clone())
            .ok_or_else(|| {
                anyhow!(
                    "--disposition: '{d}' is not a wrap-up code; use one of: {}",
                    store.log_rules().codes()
                )
            })?;
        filter.disposition = Some(code);
    }
    let limit = args.limit.max(1);
    // One more than shown: whether the list was cut is said, never left to be guessed.
    let mut rows = store.desk_log(&actor, &filter, None, limit.saturating_add(1))?;
    let cut = rows.len() > limit;
    rows.truncate(limit);
    if args.json {
        print_json(&rows)?;
    } else if rows.is_empty() {
        println!("No contacts logged that match.");
    } else {
        for i in &rows {
            println!("{}", line(i, store.calendar().tz()));
        }
    }
    if cut {
        // On standard error, so that a script reading the lines or the JSON reads only them.
        eprintln!("{}", more_than_shown(limit, filter.due_replies));
    }
    Ok(())
}

/// What `log list` says when more entries match than `--limit` let it show.
fn more_than_shown(limit: usize, due_replies: bool) -> String {
    let shown = match (limit, due_replies) {
        (1, false) => "the newest entry".to_string(),
        (1, true) => "the entry with the nearest reply deadline".to_string(),
        (n, false) => format!("the {n} newest entries"),
        (n, true) => format!("the {n} entries with the nearest reply deadlines"),
    };
    format!(
        "careline: showing only {shown}; more match (--limit N shows up to N; --from, --to, --customer and --operator narrow the list)"
    )
}

/// One entry as a line of text.
fn line(i: &Interaction, tz: FixedOffset) -> String {
    let when = i.started_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
    let handle = i
        .handle_seconds
        .map(|s| format!("{}:{:02}", s / 60, s % 60))
        .unwrap_or_else(|| "-".into());
    let mut marks = Vec::new();
    if let Some(by) = i.amended_by {
        marks.push(format!("[amended by {by}]"));
    }
    if let Some(of) = i.amends_id {
        marks.push(format!("[amends {of}]"));
    }
    if i.awaiting_reply() {
        if let Some(by) = i.reply_by {
            marks.push(format!(
                "[reply by {}]",
                by.with_timezone(&tz).format("%m-%d %H:%M")
            ));
        }
    }
    let summary = i
        .summary
        .as_deref()
        .and_then(|s| s.lines().next())
        .map(|s| sanitize(s).into_owned())
        .unwrap_or_default();
    format!(
        "{:>7}  {when}  {} {}  {:<9} {:<22} {:<10} {:>6}  {}{}",
        i.id,
        i.customer_code,
        sanitize(&i.customer_name),
        i.channel,
        i.disposition,
        sanitize(&i.operator_login),
        handle,
        summary,
        if marks.is_empty() {
            String::new()
        } else {
            format!("  {}", marks.join(" "))
        }
    )
}
