//! `careline report`: the supervisors' figures for a period (DESIGN §3.7) as a table, CSV
//! (one figure per line, ready to pivot) or the documented JSON object (`docs/REPORTS.md`).

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};

use super::log::day;
use super::{print_json, Context};
use crate::domain::report::{Period, PeriodName};
use crate::report_text::{csv, minutes, number, percent, OrDash};
use crate::store::{Report, ReportQuery};
use crate::text::{pad, sanitize, width};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A named period: today, this_week, this_month (the default), last_month, this_quarter,
    /// this_year.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub period: Option<String>,
    /// From this day (inclusive): YYYY-MM-DD, today, -30d …
    #[arg(long, requires = "to", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// To this day (inclusive), written as --from is.
    #[arg(long, requires = "from", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// One operator's figures (their login).
    #[arg(long)]
    pub operator: Option<String>,
    /// table (for reading), csv or json (the keys are in docs/REPORTS.md).
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

pub fn run(ctx: &Context, args: ReportArgs) -> Result<()> {
    let targets = &ctx.config.reports;
    if let Err(e) = targets.check(ctx.config.surveys.csat_scale) {
        bail!("[{}] in the config: {}", e.field, e.reason);
    }
    let (store, actor) = ctx.open()?;
    let today = store.today();
    let period = match (&args.period, &args.from, &args.to) {
        (Some(name), _, _) => {
            // The screen says "this quarter" and "this year": those names are taken too.
            // (this-month as well as this_month.)
            let written = name.replace('-', "_");
            let canonical = match written.as_str() {
                "this_quarter" => "quarter",
                "this_year" => "year",
                other => other,
            };
            let name: PeriodName = canonical.parse().map_err(|_| {
                anyhow::anyhow!(
                    "--period: '{name}' is not one of today, this_week, this_month, last_month, this_quarter (or quarter), this_year (or year)"
                )
            })?;
            Period::named(name, today)
        }
        (None, Some(_), Some(_)) => {
            let (Some(from), Some(to)) =
                (day("from", &args.from, today)?, day("to", &args.to, today)?)
            else {
                bail!("--from and --to go together");
            };
            Period::between(from, to).map_err(|e| anyhow::anyhow!("--{}: {}", e.field, e.reason))?
        }
        _ => Period::named(PeriodName::ThisMonth, today),
    };
    let query = ReportQuery {
        period,
        operator: args.operator.clone(),
        csat_scale: ctx.config.surveys.csat_scale,
    };
    let report = store.report(&actor, &query, targets)?;
    match args.format {
        ReportFormat::Json => print_json(&report),
        ReportFormat::Csv => {
            print!("{}", csv(&report)?);
            Ok(())
        }
        ReportFormat::Table => {
            print!("{}", table(&report));
            Ok(())
        }
    }
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "NOT MET",
        None => "",
    }
}

/// The report as a person reads it at a terminal.
pub fn table(r: &Report) -> String {
    let mut out = String::new();
    let who = r
        .period
        .operator
        .as_deref()
        .map(|o| format!(" · operator {}", sanitize(o)))
        .unwrap_or_default();
    out.push_str(&format!(
        "Report {} to {} ({}){who}\n\n",
        r.period.from,
        r.period.to,
        crate::text::counted(r.period.days, "day", "days")
    ));
    let t = &r.targets;
    let line = |out: &mut String, label: &str, value: String, target: String, met: Option<bool>| {
        out.push_str(&format!(
            "  {} {} {} {}\n",
            fill(label, 30),
            fill(&value, 12),
            fill(&target, 12),
            verdict(met)
        ));
    };
    out.push_str(&format!(
        "  {} {} {}\n",
        pad("Figure", 30),
        pad("Value", 12),
        "Target"
    ));
    line(
        &mut out,
        "Contacts",
        r.contacts.to_string(),
        String::new(),
        None,
    );
    line(
        &mut out,
        "Contacts made",
        r.contacts_made.to_string(),
        String::new(),
        None,
    );
    line(
        &mut out,
        "Average handle time",
        minutes(r.avg_handle_seconds),
        String::new(),
        None,
    );
    line(
        &mut out,
        "First-contact resolution",
        percent(r.fcr_rate),
        String::new(),
        None,
    );
    line(
        &mut out,
        "Complaints opened",
        r.complaints_opened.to_string(),
        String::new(),
        None,
    );
    line(
        &mut out,
        "Complaints resolved",
        r.complaints_resolved.to_string(),
        String::new(),
        None,
    );
    line(
        &mut out,
        "Complaints closed",
        r.complaints_closed.to_string(),
        String::new(),
        None,
    );
    line(
        &mut out,
        "Resolution rate",
        percent(r.resolution_rate),
        format!("≥ {}", percent(Some(t.resolution_rate.target))),
        t.resolution_rate.met,
    );
    for (label, value, counts, against) in [
        (
            "SLA acknowledge",
            r.sla_compliance.acknowledge,
            r.sla_counts.acknowledge,
            &t.sla_acknowledge,
        ),
        (
            "SLA propose",
            r.sla_compliance.propose,
            r.sla_counts.propose,
            &t.sla_propose,
        ),
        (
            "SLA resolve",
            r.sla_compliance.resolve,
            r.sla_counts.resolve,
            &t.sla_resolve,
        ),
    ] {
        line(
            &mut out,
            &format!("{label} ({} of {})", counts.met, counts.decided),
            percent(value),
            format!("≥ {}", percent(Some(against.target))),
            against.met,
        );
    }
    line(
        &mut out,
        "First response to complaints",
        minutes(r.avg_first_response_seconds),
        format!("≤ {}", minutes(Some(t.avg_first_response_seconds.target))),
        t.avg_first_response_seconds.met,
    );
    line(
        &mut out,
        &format!("Replies on time ({} owed)", r.replies.owed),
        percent(r.replies.on_time_rate),
        String::new(),
        None,
    );
    line(
        &mut out,
        &format!(
            "CSAT ({})",
            crate::text::counted(r.csat_answers, "answer", "answers")
        ),
        number(r.csat_avg, 2).or_dash(),
        format!("≥ {:.1}", t.csat_avg.target),
        t.csat_avg.met,
    );
    line(
        &mut out,
        &format!(
            "NPS ({})",
            crate::text::counted(r.nps_answers, "answer", "answers")
        ),
        number(r.nps, 1).or_dash(),
        String::new(),
        None,
    );
    line(
        &mut out,
        "Retention rate",
        percent(r.retention_rate),
        format!("≥ {}", percent(Some(t.retention_rate.target))),
        t.retention_rate.met,
    );
    line(
        &mut out,
        "Complaints per 100 active",
        number(r.complaint_rate, 2).or_dash(),
        String::new(),
        None,
    );
    line(
        &mut out,
        "Reminders done of due",
        format!("{} / {}", r.reminders_done.total, r.reminders_due.total),
        String::new(),
        None,
    );
    for (label, points) in [
        ("Points earned", r.points_earned),
        ("Points redeemed", r.points_redeemed),
        ("Points expired", r.points_expired),
    ] {
        line(
            &mut out,
            label,
            crate::text::grouped(points),
            String::new(),
            None,
        );
    }
    out.push_str("\nSales pipeline\n");
    match &r.pipeline {
        None => out.push_str("  no opportunities open at the end or closed in the period\n"),
        Some(p) => {
            let money = |fen: i64| format!("¥{}", crate::domain::tier::format_money(fen));
            for (stage, f) in p.open_in_order() {
                out.push_str(&format!(
                    "  {} {} {}\n",
                    pad(&format!("open: {stage}"), 30),
                    fill(&f.count.to_string(), 6),
                    money(f.amount)
                ));
            }
            for (label, f) in [("open in all", p.open), ("won", p.won), ("lost", p.lost)] {
                out.push_str(&format!(
                    "  {} {} {}\n",
                    pad(label, 30),
                    fill(&f.count.to_string(), 6),
                    money(f.amount)
                ));
            }
            out.push_str(&format!(
                "  {} {}\n",
                pad("win rate", 30),
                percent(p.win_rate)
            ));
            out.push_str(&format!(
                "  {} {}\n",
                pad("average days to close (won)", 30),
                number(p.avg_days_to_close, 1).or_dash()
            ));
        }
    }
    out.push_str("\nContacts by channel\n");
    for (channel, n) in &r.contacts_by_channel {
        out.push_str(&format!("  {} {n}\n", pad(&sanitize(channel), 30)));
    }
    out.push_str("\nContacts by wrap-up code\n");
    for (code, n) in &r.contacts_by_disposition {
        out.push_str(&format!("  {} {n}\n", pad(&sanitize(code), 30)));
    }
    out.push_str("\nCSAT distribution\n");
    for (score, n) in &r.csat_distribution {
        out.push_str(&format!(
            "  {} {n}\n",
            pad(&format!("{score} of {}", r.csat_scale), 30)
        ));
    }
    if !r.hot_spots.is_empty() {
        out.push_str("\nComplaint hot-spots (category × month)\n");
        for h in &r.hot_spots {
            out.push_str(&format!(
                "  {} {} {}\n",
                pad(&h.month, 8),
                pad(&sanitize(&h.category), 21),
                h.count
            ));
        }
    }
    out.push_str("\nReminders due (done) by kind\n");
    for (kind, due) in &r.reminders_due.by_kind {
        let done = r.reminders_done.by_kind.get(kind).copied().unwrap_or(0);
        if *due > 0 || done > 0 {
            out.push_str(&format!("  {} {due} ({done})\n", pad(kind, 30)));
        }
    }
    out.push_str(&format!(
        "\n  {} {} {} {} {} {} {} {}\n",
        pad("Operator", 16),
        pad("Contacts", 9),
        pad("Made", 6),
        pad("Handle", 9),
        pad("FCR", 7),
        pad("Opened", 7),
        pad("Resolved", 9),
        "CSAT"
    ));
    for o in &r.per_operator {
        out.push_str(&format!(
            "  {} {} {} {} {} {} {} {}\n",
            pad(&sanitize(&o.login), 16),
            fill(&o.contacts.to_string(), 9),
            fill(&o.contacts_made.to_string(), 6),
            fill(&minutes(o.avg_handle_seconds), 9),
            fill(&percent(o.fcr_rate), 7),
            fill(&o.complaints_opened.to_string(), 7),
            fill(&o.complaints_resolved.to_string(), 9),
            number(o.csat_avg, 2).or_dash()
        ));
    }
    if !r.per_role.is_empty() {
        out.push_str(&format!(
            "\n  {} {} {} {} {} {} {} {}\n",
            pad("Role (operators)", 16),
            pad("Contacts", 9),
            pad("Made", 6),
            pad("Handle", 9),
            pad("FCR", 7),
            pad("Opened", 7),
            pad("Resolved", 9),
            "CSAT"
        ));
        for g in &r.per_role {
            out.push_str(&format!(
                "  {} {} {} {} {} {} {} {}\n",
                pad(&format!("{} ({})", g.role, g.operators), 16),
                fill(&g.contacts.to_string(), 9),
                fill(&g.contacts_made.to_string(), 6),
                fill(&minutes(g.avg_handle_seconds), 9),
                fill(&percent(g.fcr_rate), 7),
                fill(&g.complaints_opened.to_string(), 7),
                fill(&g.complaints_resolved.to_string(), 9),
                number(g.csat_avg, 2).or_dash()
            ));
        }
    }
    out
}

/// `s` padded with spaces to at least `cells` terminal cells and never cut: a figure wider
/// than its column (points in the millions, SLA counts of a year) is printed whole, the line
/// then running longer, where `pad` would end it with "…".
fn fill(s: &str, cells: usize) -> String {
    format!("{s}{}", " ".repeat(cells.saturating_sub(width(s))))
}
