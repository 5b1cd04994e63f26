//! `careline segment add|list|show|export|delete`: saved definitions of a group of customers
//! (issue 16, `docs/SEGMENTS.md`), counted and listed, exported for a campaign.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{anyhow, Context as _, Result};
use clap::{Args, Subcommand};

use super::transfer::{create_export_file, Format, Partial, Sink};
use super::{print_json, Context};
use crate::domain::customer::{Level, Tier};
use crate::domain::segment::{ScoreRange, SegmentDefinition, YesNo};
use crate::store::{ExportedMember, MemberOrder};
use crate::text::{columns, counted, sanitize};

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
pub enum SegmentCommand {
    /// Save a segment: a name and who is in it (every criterion given must hold).
    Add(AddArgs),
    /// The saved segments with how many customers each holds now.
    List(ListArgs),
    /// A segment's definition, its count and its first members (phones masked, as lists are).
    Show(ShowArgs),
    /// A segment's members as a campaign list (CSV or JSON): do-not-contact customers and
    /// confidential ones you may not see are left out and counted; contacts masked unless
    /// your role sees them in full on this site. Supervisors; audited.
    Export(ExportArgs),
    /// Delete a segment (supervisors; its definition stays in the audit trail).
    Delete(DeleteArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The segment's name (unique, without regard to case).
    pub name: String,
    /// Value tier, any of: high, potential, normal (repeat or separate with commas).
    #[arg(long = "tier", value_name = "TIER", value_delimiter = ',')]
    pub tiers: Vec<String>,
    /// Level: normal or vip.
    #[arg(long)]
    pub level: Option<String>,
    /// A tag every member carries (repeat: all of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags_all: Vec<String>,
    /// Tags of which a member carries at least one (repeat or separate with commas).
    #[arg(long = "any-tag", value_name = "TAG", value_delimiter = ',')]
    pub tags_any: Vec<String>,
    /// RFM recency score range, 1–5: 4-5, or 5.
    #[arg(long = "r", value_name = "RANGE")]
    pub rfm_r: Option<String>,
    /// RFM frequency score range, 1–5.
    #[arg(long = "f", value_name = "RANGE")]
    pub rfm_f: Option<String>,
    /// RFM monetary score range, 1–5.
    #[arg(long = "m", value_name = "RANGE")]
    pub rfm_m: Option<String>,
    /// Churn risk: yes or no.
    #[arg(long, value_name = "YES|NO")]
    pub churn_risk: Option<String>,
    /// Region, any of (repeat or separate with commas).
    #[arg(long = "region", value_name = "REGION", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// No contact logged for at least N days (or never).
    #[arg(long, value_name = "N")]
    pub no_contact_days: Option<String>,
    /// A contact logged within the last N days.
    #[arg(long, value_name = "N")]
    pub contacted_within_days: Option<String>,
    /// Marketing consent: given or not_given.
    #[arg(long, value_name = "GIVEN|NOT_GIVEN")]
    pub consent: Option<String>,
    /// Flagged do-not-contact: yes or no.
    #[arg(long, value_name = "YES|NO")]
    pub do_not_contact: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The segment's name.
    pub name: String,
    /// Members in this order: code (default), name, last_contact (longest without first),
    /// spend (highest first).
    #[arg(long, default_value = "code")]
    pub order: String,
    /// How many members to show.
    #[arg(long, default_value_t = 20)]
    pub limit: u64,
    /// Members to pass over first (the next page: --offset 20).
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The segment's name.
    pub name: String,
    /// csv or json.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Write to this file (created readable only by you) instead of standard output.
    #[arg(long, alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The segment's name.
    pub name: String,
}

pub fn run(ctx: &Context, cmd: SegmentCommand) -> Result<()> {
    match cmd {
        SegmentCommand::Add(args) => add(ctx, args),
        SegmentCommand::List(args) => list(ctx, args),
        SegmentCommand::Show(args) => show(ctx, args),
        SegmentCommand::Export(args) => export(ctx, args),
        SegmentCommand::Delete(args) => {
            let (mut store, actor) = ctx.open()?;
            let gone = store.delete_segment(&actor, &args.name)?;
            println!("Segment '{}' deleted.", sanitize(&gone.name));
            Ok(())
        }
    }
}

/// A number of days as typed, named by its option.
fn days(option: &str, text: Option<&str>) -> Result<Option<u32>> {
    text.map(|t| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| anyhow!("{option}: '{t}' is not a number of days; write it as 60"))
    })
    .transpose()
}

fn yes_no(option: &str, text: Option<&str>) -> Result<Option<YesNo>> {
    text.map(|t| YesNo::typed(t).map_err(|e| anyhow!("{option}: {e}")))
        .transpose()
}

fn range(option: &str, text: Option<&str>) -> Result<Option<ScoreRange>> {
    text.map(|t| ScoreRange::parse(option, t).map_err(|e| anyhow!("{e}")))
        .transpose()
}

/// The definition the options give; a word that is none of its option's values is refused
/// naming the option.
pub fn definition(args: &AddArgs) -> Result<SegmentDefinition> {
    let tiers = args
        .tiers
        .iter()
        .map(|t| t.parse::<Tier>().map_err(|e| anyhow!("--tier: {e}")))
        .collect::<Result<Vec<_>>>()?;
    let level = args
        .level
        .as_deref()
        .map(|l| l.parse::<Level>().map_err(|e| anyhow!("--level: {e}")))
        .transpose()?;
    let consent = args
        .consent
        .as_deref()
        .map(|c| {
            YesNo::typed(c).map_err(|_| anyhow!("--consent: '{c}' is not one of given, not_given"))
        })
        .transpose()?;
    Ok(SegmentDefinition {
        tiers,
        level,
        tags_all: args.tags_all.clone(),
        tags_any: args.tags_any.clone(),
        rfm_r: range("--r", args.rfm_r.as_deref())?,
        rfm_f: range("--f", args.rfm_f.as_deref())?,
        rfm_m: range("--m", args.rfm_m.as_deref())?,
        churn_risk: yes_no("--churn-risk", args.churn_risk.as_deref())?,
        regions: args.regions.clone(),
        no_contact_days: days("--no-contact-days", args.no_contact_days.as_deref())?,
        contacted_within_days: days(
            "--contacted-within-days",
            args.contacted_within_days.as_deref(),
        )?,
        consent,
        do_not_contact: yes_no("--do-not-contact", args.do_not_contact.as_deref())?,
    })
}

fn add(ctx: &Context, args: AddArgs) -> Result<()> {
    let definition = definition(&args)?;
    let (mut store, actor) = ctx.open()?;
    let segment = store.add_segment(&actor, &args.name, definition)?;
    let count = store.count_members(&actor, &segment.definition)?;
    if args.json {
        return print_json(&serde_json::json!({ "segment": segment, "count": count }));
    }
    println!(
        "Segment '{}' saved: {}. {} now.",
        sanitize(&segment.name),
        sanitize(&segment.description),
        counted(count, "member", "members")
    );
    Ok(())
}

fn list(ctx: &Context, args: ListArgs) -> Result<()> {
    let (store, actor) = ctx.open()?;
    let segments = store.segments(&actor)?;
    let mut counted_segments = Vec::new();
    for s in segments {
        let count = store.count_members(&actor, &s.definition)?;
        counted_segments.push((s, count));
    }
    if args.json {
        let rows: Vec<serde_json::Value> = counted_segments
            .iter()
            .map(|(s, count)| serde_json::json!({ "segment": s, "count": count }))
            .collect();
        return print_json(&rows);
    }
    if counted_segments.is_empty() {
        println!(
            "No segments yet; a supervisor saves one with `{} segment add NAME --level vip …`.",
            crate::program::name()
        );
        return Ok(());
    }
    let mut rows = vec![vec!["NAME".into(), "MEMBERS".into(), "WHO".into()]];
    for (s, count) in &counted_segments {
        rows.push(vec![
            sanitize(&s.name).into_owned(),
            count.to_string(),
            sanitize(&s.description).into_owned(),
        ]);
    }
    for line in columns(&rows) {
        println!("{line}");
    }
    Ok(())
}

fn show(ctx: &Context, args: ShowArgs) -> Result<()> {
    let order = MemberOrder::parse(&args.order).ok_or_else(|| {
        anyhow!(
            "--order: '{}' is not one of {}",
            args.order,
            MemberOrder::NAMES
        )
    })?;
    let (store, actor) = ctx.open()?;
    let page = store.segment_members(&actor, &args.name, order, args.offset, args.limit)?;
    if args.json {
        return print_json(&page);
    }
    let s = &page.segment;
    println!("Segment:  {}", sanitize(&s.name));
    println!("Who:      {}", sanitize(&s.description));
    println!(
        "Saved:    {} by {}",
        s.created_at.format("%Y-%m-%d %H:%M UTC"),
        s.created_by.as_deref().unwrap_or("-")
    );
    println!("Members:  {}", page.count);
    if page.withheld > 0 {
        println!("Left out: {} confidential you may not see", page.withheld);
    }
    if page.members.is_empty() {
        println!("(no members to list)");
        return Ok(());
    }
    println!();
    let mut rows = vec![vec![
        "CODE".into(),
        "NAME".into(),
        "BADGE".into(),
        "REGION".into(),
        "PHONE".into(),
        "LAST CONTACT".into(),
        "CONSENT".into(),
    ]];
    for m in &page.members {
        let mut consent = if m.marketing_consent { "yes" } else { "no" }.to_string();
        if m.do_not_contact {
            consent.push_str(" (do-not-contact)");
        }
        rows.push(vec![
            m.code.clone(),
            sanitize(&m.name).into_owned(),
            m.badge.to_string(),
            m.region
                .as_deref()
                .map(sanitize)
                .unwrap_or_default()
                .into_owned(),
            m.phone.clone().unwrap_or_default(),
            m.last_contact_at
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "never".into()),
            consent,
        ]);
    }
    for line in columns(&rows) {
        println!("{line}");
    }
    let shown = page.offset + page.members.len() as u64;
    let visible = page.count.saturating_sub(page.withheld);
    if shown < visible {
        eprintln!(
            "Members {}–{shown} of {visible} shown; --offset {shown} shows the next.",
            page.offset + 1
        );
    }
    Ok(())
}

fn export(ctx: &Context, args: ExportArgs) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    let (mut partial, out): (Partial, Box<dyn Write>) = create_export_file(args.output.as_ref())?;
    let mut sink = Sink::new(out, args.format);
    let done =
        store.export_segment(&actor, &args.name, &mut |m: ExportedMember| sink.record(&m))?;
    sink.header_if_empty(&ExportedMember::COLUMNS)?;
    sink.finish().context("cannot write the export")?;
    if let (Some(path), Some(written)) = (&args.output, partial.0.take()) {
        crate::host::as_user(|| std::fs::rename(&written, path))
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "Exported {} of segment '{}' to {}.",
            counted(done.rows, "member", "members"),
            sanitize(&args.name),
            path.display()
        );
    }
    if done.do_not_contact > 0 {
        eprintln!(
            "careline: {} flagged do-not-contact left out (a campaign list never carries them)",
            done.do_not_contact
        );
    }
    if done.withheld > 0 {
        eprintln!(
            "careline: {} confidential you may not see left out",
            done.withheld
        );
    }
    if done.masked {
        eprintln!(
            "careline: phones, emails and addresses in this export are masked (column masked = true): your role does not see contacts in full on this site ([privacy] full_contacts)"
        );
    }
    Ok(())
}
