//! `careline import` and `careline export`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use chrono::Local;
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::import_report::ImportReport;
use super::{progress_bar, Context};
use crate::import::{parse_purchases, CustomerRows, RowError};
use crate::store::{Finding, StoreError};
use crate::text::{counted, sanitize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportKind {
    Customers,
    Purchases,
    /// CSAT and NPS answers from a survey tool, an SMS poll or an IVR.
    Surveys,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds.
    pub kind: ImportKind,
    /// The CSV file.
    pub file: PathBuf,
    /// Check every row and report, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the good rows even when others are rejected (and ignore unknown columns).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Leave out rows whose phone or email another customer already holds.
    #[arg(long)]
    pub skip_duplicates: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportKind {
    /// Customer records with their contacts.
    Customers,
    /// Purchases (narrowed by --from/--to).
    Purchases,
    /// The interaction log (narrowed by --from/--to).
    Interactions,
    /// Complaints with their clocks (narrowed by --from/--to).
    Complaints,
    /// The reminders due, as a segment list for an SMS or mail-merge send.
    Reminders,
    /// Every reminder due in the period whatever became of it (done, skipped, withdrawn).
    ReminderHistory,
    /// Survey answers (CSAT and NPS).
    Surveys,
    /// The points ledger: points earned, redeemed, expired and adjusted.
    Points,
    /// Sales opportunities, each with its stage history.
    Opportunities,
}

impl ExportKind {
    /// Whether `--from`/`--to` narrow it, and by what.
    fn period_by(self) -> Option<&'static str> {
        match self {
            ExportKind::Purchases => Some("the day of purchase"),
            ExportKind::Interactions => Some("when the contact started"),
            ExportKind::Complaints => Some("when the complaint was opened"),
            ExportKind::ReminderHistory => Some("the day the reminder is due"),
            ExportKind::Surveys => Some("when the answer was given"),
            ExportKind::Points => Some("when the points moved"),
            ExportKind::Customers | ExportKind::Reminders | ExportKind::Opportunities => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export.
    pub kind: ExportKind,
    /// csv or json.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Write to this file (created readable only by you) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Reminders only: one kind (birthday, holiday, post_purchase, renewal, return_visit,
    /// profile_verification, complaint_follow_up, follow_up, manual); every kind by default.
    #[arg(long = "kind", value_name = "KIND")]
    pub reminder_kind: Option<String>,
    /// Reminders only: due (overdue and today; the default), week, month or all.
    #[arg(long, default_value = "due")]
    pub due: String,
    /// Only rows of this local day or later (YYYY-MM-DD): purchases, interactions,
    /// complaints, reminder-history, surveys and points.
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Only rows of this local day or earlier (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
}

/// Prints rejected rows and unknown columns; true when the import must stop.
fn report(errors: &[RowError], unknown: &[String], skip_invalid: bool) -> bool {
    for column in unknown {
        let verdict = if skip_invalid {
            "ignored"
        } else {
            "rename it to a known header or remove it"
        };
        eprintln!(
            "line 1: column '{}': unknown column; {verdict}",
            sanitize(column)
        );
    }
    for e in errors {
        eprintln!("{}", sanitize(&e.to_string()));
    }
    !skip_invalid && (!errors.is_empty() || !unknown.is_empty())
}

/// How many rows were flagged as possible duplicates, in words.
fn flagged_as(duplicates: u64) -> String {
    if duplicates == 1 {
        "1 flagged as a possible duplicate".to_string()
    } else {
        format!("{duplicates} flagged as possible duplicates")
    }
}

fn rejected_rows(errors: &[RowError]) -> usize {
    let mut lines: Vec<u64> = errors
        .iter()
        .filter(|e| e.line > 1)
        .map(|e| e.line)
        .collect();
    lines.dedup();
    lines.len()
}

/// Line numbers, one bit each: the rows the write pass leaves out.
#[derive(Default)]
struct Lines(Vec<u64>);

impl Lines {
    fn insert(&mut self, line: u64) {
        let (word, bit) = ((line / 64) as usize, line % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    fn contains(&self, line: u64) -> bool {
        self.0
            .get((line / 64) as usize)
            .is_some_and(|w| w & (1 << (line % 64)) != 0)
    }
}

/// Rows read in one go by the thread that reads a file.
const READ_BATCH: usize = 1_000;

/// Batches the reading thread may be ahead of the checking one.
const READ_AHEAD: usize = 4;

/// Imports a customer file of any size in bounded memory: one pass reads and checks every
/// row (the report gets every problem, in the order of the file's lines), a second pass reads
/// it again and writes the good rows in one transaction. Nothing is held per row but one bit
/// for the rows to leave out.
fn import_customers(ctx: &Context, args: &ImportArgs) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    let today = Local::now().date_naive();
    let source = args.file.display().to_string();
    let open = || {
        crate::import::open_text(&args.file)
            .with_context(|| format!("cannot read {}", args.file.display()))
    };
    let size = crate::host::as_user(|| std::fs::metadata(&args.file))
        .map(|m| m.len())
        .unwrap_or(0);
    let rules = store.phone_rules().clone();
    let mut report = ImportReport::new(&ctx.paths.data_dir, "customers");

    let (text, encoding) = open()?;
    let mut rows = CustomerRows::new(text, today, rules.clone());
    for column in rows.unknown_columns() {
        let verdict = if args.skip_invalid {
            "ignored"
        } else {
            "rename it to a known header or remove it"
        };
        report.line(
            "unknown column",
            &format!("line 1: column '{column}': unknown column; {verdict}"),
        )?;
    }
    let unknown_columns = rows.unknown_columns().len();
    let mut check = store.begin_row_check()?;
    let (mut parsed, mut unreadable) = (0u64, 0u64);
    let bar = progress_bar(size, "checking customers");
    // A second thread reads and checks the rows on their own while this one notes them.
    let total_rows = std::thread::scope(|scope| -> Result<u64> {
        let (sender, batches) = std::sync::mpsc::sync_channel(READ_AHEAD);
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(READ_BATCH);
            while let Some(row) = rows.next() {
                batch.push(row);
                if batch.len() == READ_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_BATCH));
                    if sender.send((full, rows.position())).is_err() {
                        break;
                    }
                }
            }
            if !batch.is_empty() && sender.send((batch, rows.position())).is_err() {
                tracing::debug!("import: the check stopped before the last rows");
            }
            rows.total_rows()
        });
        for (batch, position) in batches {
            for row in batch {
                match row {
                    Err(errors) => {
                        unreadable += 1;
                        check.reject(&errors)?;
                    }
                    Ok(row) => {
                        parsed += 1;
                        check.normalized_row(row.line, &row.fields, &row.contacts)?;
                    }
                }
            }
            bar.set_position(position);
        }
        reader
            .join()
            .map_err(|_| anyhow::anyhow!("reading {} failed unexpectedly", args.file.display()))
    })?;

    let mut leave_out = Lines::default();
    let (mut rejected, mut duplicates, mut flagged) = (0u64, 0u64, 0u64);
    let (mut last_rejected, mut last_flagged) = (None, None);
    let mut header_broken = false;
    let mut failed: Option<anyhow::Error> = None;
    let checked = store.end_row_check(check, &mut |finding| {
        let (kind, text) = match finding {
            Finding::Rejected(e) => {
                header_broken |= e.line == 1;
                if last_rejected != Some(e.line) {
                    last_rejected = Some(e.line);
                    rejected += 1;
                    leave_out.insert(e.line);
                }
                (format!("rejected ({})", e.column), e.to_string())
            }
            Finding::Duplicate(d) => {
                duplicates += 1;
                if last_flagged != Some(d.line) {
                    last_flagged = Some(d.line);
                    flagged += 1;
                    if args.skip_duplicates {
                        leave_out.insert(d.line);
                    }
                }
                ("possible duplicate".to_string(), format!("warning: {d}"))
            }
        };
        if failed.is_none() {
            if let Err(e) = report.line(&kind, &text) {
                failed = Some(e);
            }
        }
        Ok(())
    });
    bar.finish_and_clear();
    let checked = checked?;
    if let Some(e) = failed {
        return Err(e);
    }
    // The rows that passed their own checks and were then refused by the database.
    let good = parsed.saturating_sub(rejected.saturating_sub(unreadable));
    let stop = !args.skip_invalid && (rejected > 0 || unknown_columns > 0);
    if header_broken || stop {
        report.finish()?;
        bail!(
            "{rejected} of {} rejected{}; nothing imported (fix them, or pass --skip-invalid to import the {})",
            counted(total_rows, "row", "rows"),
            if unknown_columns == 0 { String::new() } else { format!(" and {}", counted(unknown_columns, "unknown column", "unknown columns")) },
            counted(good, "good row", "good rows"),
        );
    }
    if args.dry_run {
        report.finish()?;
        println!(
            "Dry run ({encoding}): {} would be imported, {rejected} rejected, {}.",
            counted(good, "row", "rows"),
            flagged_as(duplicates)
        );
        return Ok(());
    }

    let wanted = if args.skip_duplicates {
        good.saturating_sub(flagged)
    } else {
        good
    };
    let imported = if wanted == 0 {
        0
    } else {
        let bar = progress_bar(wanted, "importing customers");
        let mut rows = || -> crate::store::Result<_> {
            let (text, _) = crate::import::open_text(&args.file).map_err(StoreError::Io)?;
            // A row that failed its checks fails them again; the rows refused by the
            // database or left out as duplicates are marked.
            Ok(CustomerRows::new(text, today, rules.clone())
                .filter_map(|row| row.ok())
                .filter(|row| !leave_out.contains(row.line))
                .map(|row| Ok((row.line, row.fields, row.contacts))))
        };
        let imported = store.import_customer_rows(&actor, &source, &checked, &mut rows, &|n| {
            bar.set_position(n)
        })?;
        bar.finish_and_clear();
        imported
    };
    report.finish()?;
    println!(
        "Imported {} from {source} ({encoding}); {} rejected, {}{}.",
        counted(imported, "customer", "customers"),
        counted(rejected, "row", "rows"),
        flagged_as(duplicates),
        match (args.skip_duplicates, duplicates) {
            (false, _) => String::new(),
            (true, 1) => " (left out)".to_string(),
            (true, _) => format!(" ({flagged} of them left out)"),
        }
    );
    Ok(())
}

pub fn import(ctx: &Context, args: ImportArgs) -> Result<()> {
    match args.kind {
        ImportKind::Customers => import_customers(ctx, &args),
        ImportKind::Purchases => import_purchases(ctx, &args),
        ImportKind::Surveys => import_surveys(ctx, &args),
    }
}

fn import_surveys(ctx: &Context, args: &ImportArgs) -> Result<()> {
    let bytes = crate::host::as_user(|| std::fs::read(&args.file))
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let (mut store, actor) = ctx.open()?;
    let source = args.file.display().to_string();
    let parsed = crate::import::surveys::parse_surveys(
        &bytes,
        ctx.config.surveys.csat_scale,
        store.now(),
        &ctx.config.complaints.tz(),
    );
    let (good, errors) = store.check_survey_rows(&actor, &parsed.rows)?;
    finish_import(
        args,
        &parsed,
        &good,
        errors,
        ("survey answer", "survey answers"),
        |rows, progress| Ok(store.import_surveys(&actor, &source, rows, progress)?),
    )
}

fn import_purchases(ctx: &Context, args: &ImportArgs) -> Result<()> {
    let bytes = crate::host::as_user(|| std::fs::read(&args.file))
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let (mut store, actor) = ctx.open()?;
    let today = Local::now().date_naive();
    let source = args.file.display().to_string();
    let parsed = parse_purchases(&bytes, today);
    let (good, errors) = store.check_purchases(&parsed.rows)?;
    finish_import(
        args,
        &parsed,
        &good,
        errors,
        ("purchase", "purchases"),
        |rows, progress| Ok(store.import_purchases(&actor, &source, rows, progress)?),
    )
}

/// The end of an import whose rows the store has checked (`errors`, beside the file's own):
/// every rejected row reported; nothing written while any is, unless `--skip-invalid`; a dry
/// run's count; or the `good` rows written by `write` with a progress bar. `noun` names one
/// row written and many.
fn finish_import<T, G>(
    args: &ImportArgs,
    parsed: &crate::import::Parsed<T>,
    good: &[G],
    mut errors: Vec<RowError>,
    (one, many): (&str, &str),
    write: impl FnOnce(&[G], &dyn Fn(u64)) -> Result<u64>,
) -> Result<()> {
    errors.extend(parsed.errors.iter().cloned());
    errors.sort_by_key(|e| e.line);
    let header_broken = errors.iter().any(|e| e.line == 1);
    let stop = report(&errors, &parsed.unknown_columns, args.skip_invalid);
    let rejected = rejected_rows(&errors);
    if header_broken || stop {
        bail!(
            "{rejected} of {} rejected; nothing imported (fix them, or pass --skip-invalid to import the {})",
            counted(parsed.total_rows, "row", "rows"),
            counted(good.len(), &format!("good {one}"), &format!("good {many}"))
        );
    }
    if args.dry_run {
        println!(
            "Dry run ({}): {} would be imported, {rejected} rejected.",
            parsed.encoding,
            counted(good.len(), one, many)
        );
        return Ok(());
    }
    let bar = progress_bar(good.len() as u64, &format!("importing {many}"));
    let imported = write(good, &|n| bar.set_position(n))?;
    bar.finish_and_clear();
    println!(
        "Imported {} from {} ({}); {} rejected.",
        counted(imported, one, many),
        args.file.display(),
        parsed.encoding,
        counted(rejected, "row", "rows")
    );
    Ok(())
}

/// A CSV cell that a spreadsheet would run as a formula gets a leading `'`; a plain number
/// such as a refund's `-12.50` stays a number.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let plain_number = cell.strip_prefix(['-', '+']).is_some_and(|rest| {
        rest.chars().all(|c| c.is_ascii_digit() || c == '.')
            && rest.chars().any(|c| c.is_ascii_digit())
    });
    if !plain_number && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Writes records as CSV (every cell neutralised) or as a JSON array, one record at a time.
pub(super) enum Sink {
    Json {
        out: Box<dyn Write>,
        first: bool,
    },
    Csv {
        writer: Box<csv::Writer<Box<dyn Write>>>,
        first: bool,
    },
}

impl Sink {
    pub(super) fn new(out: Box<dyn Write>, format: Format) -> Sink {
        match format {
            Format::Json => Sink::Json { out, first: true },
            Format::Csv => Sink::Csv {
                writer: Box::new(csv::Writer::from_writer(out)),
                first: true,
            },
        }
    }

    pub(super) fn record<T: Serialize>(&mut self, value: &T) -> std::io::Result<()> {
        match self {
            Sink::Json { out, first } => {
                out.write_all(if *first { b"[\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut *out, value)?;
                *first = false;
            }
            Sink::Csv { writer, first } => {
                let serde_json::Value::Object(map) = serde_json::to_value(value)? else {
                    return Err(std::io::Error::other("a record that is not a table row"));
                };
                if *first {
                    writer.write_record(map.keys())?;
                    *first = false;
                }
                writer.write_record(map.values().map(|v| match v {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => neutralise(s).into_owned(),
                    other => other.to_string(),
                }))?;
            }
        }
        Ok(())
    }

    /// A CSV file with no record yet gets its header: an empty list still names its columns.
    pub(super) fn header_if_empty(&mut self, columns: &[&str]) -> std::io::Result<()> {
        if let Sink::Csv { writer, first } = self {
            if *first {
                writer.write_record(columns)?;
                *first = false;
            }
        }
        Ok(())
    }

    pub(super) fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Json { mut out, first } => {
                out.write_all(if first { b"[]\n" } else { b"\n]\n" })?;
                out.flush()
            }
            Sink::Csv { mut writer, .. } => writer.flush(),
        }
    }
}

pub fn export(ctx: &Context, args: ExportArgs) -> Result<()> {
    let span = crate::store::ExportSpan {
        from: args.from,
        to: args.to,
    };
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if from > to {
            bail!("--from {from} is after --to {to}: give the first day, then the last");
        }
    }
    if !span.is_whole() && args.kind.period_by().is_none() {
        bail!(
            "--from and --to narrow purchases, interactions, complaints, reminder-history, surveys and points; {} are exported whole",
            match args.kind {
                ExportKind::Customers => "customers",
                ExportKind::Reminders => "the reminders due (use --due, or export reminder-history)",
                _ => "opportunities (each row carries its whole stage history)",
            }
        );
    }
    let (mut store, actor) = ctx.open()?;
    // The reminder flags, read before anything is written.
    let reminders = match args.kind {
        ExportKind::Reminders => {
            let kind = args
                .reminder_kind
                .as_deref()
                .map(|k| {
                    k.parse::<crate::domain::reminder::Kind>()
                        .map_err(|e| anyhow::anyhow!("--kind: {e}"))
                })
                .transpose()?;
            let range = crate::store::DueRange::parse(&args.due).ok_or_else(|| {
                anyhow::anyhow!(
                    "--due: '{}' is not a range; use due, week, month or all",
                    args.due
                )
            })?;
            Some(crate::store::CareFilter {
                kind,
                range,
                ..crate::store::CareFilter::default()
            })
        }
        _ if args.reminder_kind.is_some() || args.due != "due" => {
            anyhow::bail!("--kind and --due choose reminders; they go with `export reminders`")
        }
        _ => None,
    };
    // Written beside the file named, which it replaces only once the export is whole: a
    // refused or failed export leaves a file already there as it was.
    let (mut partial, out) = create_export_file(args.out.as_ref())?;
    let mut sink = Sink::new(out, args.format);
    let count = match args.kind {
        ExportKind::Customers => {
            let mut masked = false;
            let count = store.export_customers(&actor, &mut |c| {
                masked |= c.masked;
                sink.record(&c)
            })?;
            if masked {
                eprintln!(
                    "careline: phones, emails, WeChat IDs and addresses in this export are masked (column masked = true): your role does not see contacts in full on this site ([privacy] full_contacts); it cannot be imported back"
                );
            }
            count
        }
        ExportKind::Purchases => store.export_purchases(&actor, span, &mut |p| {
            #[derive(Serialize)]
            struct Row {
                customer: String,
                order_no: Option<String>,
                date: String,
                amount: String,
                product: Option<String>,
                category: Option<String>,
                quantity: i64,
                channel: Option<String>,
            }
            sink.record(&Row {
                customer: p.customer_code,
                order_no: p.order_no,
                date: p.purchased_on.to_string(),
                amount: format!(
                    "{}.{:02}",
                    p.amount_cents / 100,
                    (p.amount_cents % 100).abs()
                ),
                product: p.product,
                category: p.category,
                quantity: p.quantity,
                channel: p.channel,
            })
        })?,
        ExportKind::Interactions => store.export_interactions(&actor, span, &mut |i| {
            #[derive(Serialize)]
            struct Row {
                id: i64,
                customer: String,
                operator: String,
                channel: String,
                direction: String,
                disposition: String,
                started_at: String,
                ended_at: Option<String>,
                handle_seconds: Option<i64>,
                summary: Option<String>,
                feedback: Option<String>,
                complaint_id: Option<i64>,
                reminder_id: Option<i64>,
                follow_up_on: Option<String>,
                follow_up_at: Option<String>,
                reply_by: Option<String>,
                replied_at: Option<String>,
                amends_id: Option<i64>,
                amended_by: Option<i64>,
            }
            let time = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
            sink.record(&Row {
                id: i.id,
                customer: i.customer_code,
                operator: i.operator_login,
                channel: i.channel,
                direction: i.direction,
                disposition: i.disposition,
                started_at: time(i.started_at),
                ended_at: i.ended_at.map(time),
                handle_seconds: i.handle_seconds,
                summary: i.summary,
                feedback: i.feedback,
                complaint_id: i.complaint_id,
                reminder_id: i.reminder_id,
                follow_up_on: i.follow_up_on.map(|d| d.to_string()),
                follow_up_at: i.follow_up_at.map(time),
                reply_by: i.reply_by.map(time),
                replied_at: i.replied_at.map(time),
                amends_id: i.amends_id,
                amended_by: i.amended_by,
            })
        })?,
        ExportKind::Reminders => {
            let filter = reminders.unwrap_or_default();
            let (count, withheld) =
                store.export_reminders(&actor, &filter, &mut |r| sink.record(&r))?;
            sink.header_if_empty(&crate::store::SegmentRow::COLUMNS)?;
            if withheld > 0 {
                eprintln!(
                    "careline: {withheld} reminder(s) of confidential customers you may not see were left out"
                );
            }
            count
        }
        ExportKind::ReminderHistory => {
            let count = store.export_reminder_history(&actor, span, &mut |r| sink.record(&r))?;
            sink.header_if_empty(&crate::store::ExportedReminder::COLUMNS)?;
            count
        }
        ExportKind::Surveys => store.export_surveys(&actor, span, &mut |s| sink.record(&s))?,
        ExportKind::Points => store.export_points(&actor, span, &mut |p| sink.record(&p))?,
        ExportKind::Opportunities => {
            store.export_opportunities(&actor, &mut |o| sink.record(&o))?
        }
        ExportKind::Complaints => store.export_complaints(&actor, span, &mut |k| {
            #[derive(Serialize)]
            struct Row {
                id: i64,
                customer: String,
                customer_name: String,
                tier: String,
                category: String,
                severity: String,
                status: String,
                title: String,
                description: Option<String>,
                channel: Option<String>,
                opened_by: Option<String>,
                assignee: Option<String>,
                escalation_level: u8,
                opened_at: String,
                acknowledged_at: Option<String>,
                proposed_at: Option<String>,
                resolved_at: Option<String>,
                closed_at: Option<String>,
                reopened_at: Option<String>,
                ack_due_at: String,
                propose_due_at: String,
                resolve_due_at: String,
                acknowledge_clock: String,
                propose_clock: String,
                resolve_clock: String,
                paused_seconds: i64,
                waiting_reason: Option<String>,
                csat: Option<u8>,
                merged_into: Option<i64>,
                vip: bool,
                calendar: String,
            }
            let time = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
            let clock = |name: &str| {
                k.clocks
                    .iter()
                    .find(|c| c.clock == name)
                    // The resolution clock of a complaint that waits neither runs nor
                    // breaches: its deadline moves on by the time it waits.
                    .map(|c| {
                        if c.paused {
                            "paused"
                        } else if c.on_time == Some(false) {
                            // Met, but after its deadline: a breach for the SLA figures.
                            "met_late"
                        } else {
                            c.state
                        }
                        .to_string()
                    })
                    .unwrap_or_default()
            };
            sink.record(&Row {
                id: k.id,
                customer: k.customer_code.clone(),
                customer_name: k.customer_name.clone(),
                tier: k.tier.to_string(),
                category: k.category.to_string(),
                severity: k.severity.to_string(),
                status: k.status.to_string(),
                title: k.title.clone(),
                description: k.description.clone(),
                channel: k.channel.map(|c| c.to_string()),
                opened_by: k.opened_by.clone(),
                assignee: k.assignee.clone(),
                escalation_level: k.escalation_level,
                opened_at: time(k.opened_at),
                acknowledged_at: k.acknowledged_at.map(time),
                proposed_at: k.proposed_at.map(time),
                resolved_at: k.resolved_at.map(time),
                closed_at: k.closed_at.map(time),
                reopened_at: k.reopened_at.map(time),
                ack_due_at: time(k.ack_due_at),
                propose_due_at: time(k.propose_due_at),
                resolve_due_at: time(k.resolve_due_at),
                acknowledge_clock: clock("acknowledge"),
                propose_clock: clock("propose"),
                resolve_clock: clock("resolve"),
                paused_seconds: k.paused_seconds,
                waiting_reason: k.waiting_reason.clone(),
                csat: k.csat,
                merged_into: k.merged_into,
                vip: k.vip,
                calendar: k.calendar.clone(),
            })
        })?,
    };
    sink.finish().context("cannot write the export")?;
    if let (Some(path), Some(written)) = (&args.out, partial.0.take()) {
        crate::host::as_user(|| std::fs::rename(&written, path))
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "Exported {} to {}.",
            counted(count, "row", "rows"),
            path.display()
        );
    }
    Ok(())
}

/// An export being written beside its file: removed unless it was finished.
pub(super) struct Partial(pub(super) Option<PathBuf>);

/// Where an export goes, as `export` does it: a file named is written beside itself,
/// created readable only by the user (mode 0600), and replaces it only once whole (the
/// caller renames `Partial`'s path over it); without one, standard output.
pub(super) fn create_export_file(out: Option<&PathBuf>) -> Result<(Partial, Box<dyn Write>)> {
    let partial = Partial(out.map(|path| {
        let mut name = path.clone().into_os_string();
        name.push(format!(".partial-{}", std::process::id()));
        PathBuf::from(name)
    }));
    let writer: Box<dyn Write> = match &partial.0 {
        Some(path) => Box::new(BufWriter::new(
            crate::host::as_user(|| {
                File::options()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
            })
            .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    Ok((partial, writer))
}

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = crate::host::as_user(|| std::fs::remove_file(&path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+86 138"), "'+86 138");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(
            neutralise("-2+3+cmd|' /C calc'!A0"),
            "'-2+3+cmd|' /C calc'!A0"
        );
        assert_eq!(neutralise("-12.50"), "-12.50");
        assert_eq!(neutralise("-"), "'-");
        assert_eq!(neutralise("王秀英"), "王秀英");
    }
}
