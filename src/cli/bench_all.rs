//! `careline bench all`: every benchmark in one run, on one database, with what it ran on
//! (commit, machine, load average), and the headline table of `docs/BENCHMARKS.md` written
//! from those figures, each beside its goal (DESIGN §7) with met or not met.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use chrono::Utc;
use clap::Args;
use serde::Serialize;

use super::bench::{Figures, ScreenArgs};
use super::bench_care::{CareArgs, CareReport};
use super::bench_complaints::{ComplaintsArgs, ComplaintsReport};
use super::bench_log::{LogArgs, LogReport};
use super::bench_lookup::{LookupArgs, LookupReport};
use super::bench_screen::ScreenReport;
use super::bench_writers::{WritersArgs, WritersReport};
use super::{print_json, Context};

#[derive(Debug, Args)]
pub struct AllArgs {
    /// First make the reference database at --db: `init`, then `demo --customers N`, each as
    /// its own process, timed. The file must not exist yet.
    #[arg(long, value_name = "N")]
    pub generate: Option<u64>,
    /// The commit the binary was built from, as it should be named in the table
    /// (scripts/bench passes `git describe`).
    #[arg(long, value_name = "COMMIT")]
    pub commit: Option<String>,
    /// Replace the headline section of this Markdown file (between its `bench all` markers)
    /// with the figures of this run.
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Sampled customers for the warm lookup run.
    #[arg(long, default_value_t = 300)]
    pub lookup_samples: usize,
    /// Sampled customers for the cold lookup run (caches dropped before every query).
    #[arg(long, default_value_t = 100)]
    pub cold_samples: usize,
    /// Callers typed in the screen runs.
    #[arg(long, default_value_t = 100)]
    pub screen_samples: usize,
    /// Rounds of the log run.
    #[arg(long, default_value_t = 100)]
    pub log_samples: usize,
    /// Keys of each kind pressed in the complaint queue run.
    #[arg(long, default_value_t = 200)]
    pub complaint_samples: usize,
    /// Runs of `complaint list --open --json` (and of the sqlite3 shell) in that run.
    #[arg(long, default_value_t = 100)]
    pub complaint_runs: usize,
    /// Warm runs of each period of `careline report` in the report run.
    #[arg(long, default_value_t = 20)]
    pub report_runs: usize,
    /// Cold runs of the month and the year in that run.
    #[arg(long, default_value_t = 5)]
    pub report_cold_runs: usize,
    /// Operator processes writing at once in the writers run.
    #[arg(long, default_value_t = 50)]
    pub writers_processes: usize,
    /// Writes each of them makes.
    #[arg(long, default_value_t = 40)]
    pub writers_writes: usize,
    /// Mean pause between two writes of one process in the writers run that holds the goal
    /// (1 s: fifty operators saving at once, each far faster than any operator types); a
    /// second run writes back to back, where only "no error, no lost write" is asked.
    #[arg(long, default_value_t = 1000)]
    pub writers_pause_ms: u64,
    /// Print every figure as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What the figures were measured on.
#[derive(Debug, Serialize)]
pub struct Machine {
    pub date: String,
    pub commit: String,
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_gib: f64,
    pub kernel: String,
    pub sqlite: String,
    pub load_at_start: String,
    pub load_at_end: String,
}

/// The timed creation of the reference database.
#[derive(Debug, Serialize)]
pub struct Generation {
    pub customers: u64,
    pub seconds: f64,
    pub peak_memory_mb: f64,
}

#[derive(Debug, Serialize)]
pub struct AllReport {
    pub machine: Machine,
    pub generation: Option<Generation>,
    pub lookup_warm: LookupReport,
    pub lookup_cold: LookupReport,
    pub screen: Vec<ScreenReport>,
    pub log: LogReport,
    pub complaints: ComplaintsReport,
    pub care: CareReport,
    pub report: super::bench_report::ReportBench,
    pub writers: WritersReport,
    pub writers_back_to_back: WritersReport,
    pub seconds: f64,
}

fn first_line(path: &str, prefix: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(prefix))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn machine(commit: Option<&str>) -> Machine {
    let memory_kb: f64 = first_line("/proc/meminfo", "MemTotal")
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    Machine {
        date: Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        commit: commit.unwrap_or("not given").to_string(),
        cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model: first_line("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
        memory_gib: memory_kb / 1024.0 / 1024.0,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|k| k.trim().to_string())
            .unwrap_or_else(|_| "unknown".into()),
        sqlite: crate::store::engine_version().to_string(),
        load_at_start: load_average(),
        load_at_end: String::new(),
    }
}

/// Runs this careline binary with `args` on the same database, as its own process.
fn careline(ctx: &Context, args: &[&str]) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the careline binary")?;
    let mut cmd = Process::new(exe);
    cmd.arg("--db").arg(&ctx.db_path);
    if let Some(config) = &ctx.config_file {
        cmd.arg("--config").arg(config);
    }
    let status = cmd
        .args(args)
        .status()
        .with_context(|| format!("cannot run careline {}", args.join(" ")))?;
    if !status.success() {
        bail!("careline {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Peak resident memory of the largest child process waited for so far, in MB.
fn children_peak_mb() -> f64 {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    if rc == 0 {
        usage.ru_maxrss as f64 / 1024.0
    } else {
        0.0
    }
}

fn generate(ctx: &Context, customers: u64) -> Result<Generation> {
    if ctx.db_path.exists() {
        bail!(
            "--generate makes a new database, but {} exists; remove it or leave out --generate",
            ctx.db_path.display()
        );
    }
    careline(ctx, &["init"])?;
    let started = Instant::now();
    careline(ctx, &["demo", "--customers", &customers.to_string()])?;
    Ok(Generation {
        customers,
        seconds: started.elapsed().as_secs_f64(),
        peak_memory_mb: children_peak_mb(),
    })
}

pub fn all(ctx: &Context, args: AllArgs) -> Result<()> {
    let started = Instant::now();
    if let Some(path) = &args.write {
        // Refused before the run, not after minutes of it.
        section_of(path)?;
    }
    let mut machine = machine(args.commit.as_deref());
    let generation = args.generate.map(|n| generate(ctx, n)).transpose()?;
    let lookup = |samples, cold| LookupArgs {
        samples,
        seed: 7,
        limit: crate::store::DEFAULT_LIMIT,
        cold,
        json: false,
    };
    eprintln!("bench all: lookup, warm");
    let lookup_warm = super::bench_lookup::run(ctx, &lookup(args.lookup_samples, false))?;
    let mut screen = Vec::new();
    for (width, height) in [(80, 24), (132, 43)] {
        eprintln!("bench all: screen at {width}x{height}");
        screen.push(super::bench_screen::run(
            ctx,
            &ScreenArgs {
                samples: args.screen_samples,
                starts: 20,
                seed: 11,
                width,
                height,
                json: false,
            },
        )?);
    }
    eprintln!("bench all: log");
    let log = super::bench_log::run(
        ctx,
        &LogArgs {
            samples: args.log_samples,
            contacts: 200,
            seller_contacts: 5000,
            seed: 13,
            width: 80,
            height: 24,
            json: false,
        },
    )?;
    eprintln!("bench all: complaints");
    let complaints = super::bench_complaints::run(
        ctx,
        &ComplaintsArgs {
            samples: args.complaint_samples,
            processes: args.complaint_runs,
            width: 80,
            height: 24,
            json: false,
        },
    )?;
    // Generation on the reference database: the first run today makes everything due.
    eprintln!("bench all: care reminders");
    let care = super::bench_care::run(
        ctx,
        &CareArgs {
            samples: args.complaint_samples,
            width: 80,
            height: 24,
            no_generate: false,
            json: false,
        },
    )?;
    eprintln!("bench all: reports");
    let report = super::bench_report::run(
        ctx,
        &super::bench_report::ReportArgs {
            runs: args.report_runs,
            cold_runs: args.report_cold_runs,
            keys: args.complaint_samples,
            json: false,
        },
    )?;
    let writers_run = |pause_ms: u64| {
        super::bench_writers::run(
            ctx,
            &WritersArgs {
                processes: args.writers_processes,
                writes: args.writers_writes,
                shared_customers: 10,
                contact_customers: 500,
                pause_ms,
                seed: 17,
                json: false,
            },
        )
    };
    eprintln!("bench all: writers");
    let writers = writers_run(args.writers_pause_ms)?;
    eprintln!("bench all: writers, back to back");
    let writers_back_to_back = writers_run(0)?;
    // Last: it drops the database from the page cache, which would make every run after it
    // partly cold.
    eprintln!("bench all: lookup, cold");
    let lookup_cold = super::bench_lookup::run(ctx, &lookup(args.cold_samples, true))?;
    machine.load_at_end = load_average();
    let report = AllReport {
        machine,
        generation,
        lookup_warm,
        lookup_cold,
        screen,
        log,
        complaints,
        care,
        report,
        writers,
        writers_back_to_back,
        seconds: started.elapsed().as_secs_f64(),
    };
    if let Some(path) = &args.write {
        write_section(path, &markdown(&report))?;
        eprintln!(
            "bench all: wrote the headline figures to {}",
            path.display()
        );
    }
    if args.json {
        print_json(&report)
    } else {
        print!("{}", markdown(&report));
        Ok(())
    }
}

const BEGIN: &str = "<!-- bench all: begin (written by `careline bench all`; do not edit) -->";
const END: &str = "<!-- bench all: end -->";

/// The text of `path` and where its section starts and ends.
fn section_of(path: &Path) -> Result<(String, usize, usize)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        bail!(
            "{} has no `bench all` markers; put the lines `{BEGIN}` and `{END}` where the figures go",
            path.display()
        );
    };
    if end < begin {
        bail!(
            "{}: the end marker comes before the begin marker",
            path.display()
        );
    }
    Ok((text, begin, end))
}

/// Replaces the text between the markers of `path` with `section`.
fn write_section(path: &Path, section: &str) -> Result<()> {
    let (text, begin, end) = section_of(path)?;
    let updated = format!("{}{BEGIN}\n{section}{}", &text[..begin], &text[end..]);
    std::fs::write(path, updated).with_context(|| format!("cannot write {}", path.display()))
}

/// Met or not met: by p99 where there are enough samples for one; with fewer, only a median
/// already past the goal says "not met", and only a maximum within it says "met".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Met,
    MetByMaximum,
    NotMet,
    Undecided,
    NotMeasured,
}

impl Verdict {
    fn of(f: &Figures, goal_ms: f64) -> Verdict {
        match f.p99_ms {
            _ if f.samples == 0 => Verdict::NotMeasured,
            Some(p99) if p99 <= goal_ms => Verdict::Met,
            Some(_) => Verdict::NotMet,
            None if f.p50_ms > goal_ms => Verdict::NotMet,
            None if f.max_ms <= goal_ms => Verdict::MetByMaximum,
            None => Verdict::Undecided,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::MetByMaximum => "met (by the maximum)",
            Verdict::NotMet => "**not met**",
            Verdict::Undecided => "undecided (too few samples)",
            Verdict::NotMeasured => "not measured",
        }
    }

    fn is_met(self) -> bool {
        matches!(self, Verdict::Met | Verdict::MetByMaximum)
    }
}

fn verdict(f: &Figures, goal_ms: f64) -> &'static str {
    Verdict::of(f, goal_ms).as_str()
}

/// The verdict over many rows: not met if any is, undecided if any could not be decided.
fn overall(verdicts: &[Verdict]) -> &'static str {
    if verdicts.contains(&Verdict::NotMet) {
        Verdict::NotMet.as_str()
    } else if verdicts.iter().all(|v| v.is_met()) {
        "met"
    } else {
        "undecided (too few samples)"
    }
}

fn ms(f: &Figures) -> String {
    format!(
        "p50 {:.3} · p99 {} · max {:.3}",
        f.p50_ms,
        f.p99_text(),
        f.max_ms
    )
}

fn lookup_table(out: &mut String, report: &LookupReport) {
    let _ = writeln!(
        out,
        "| Kind | Outcome | Queries | Mean results | p50 ms | p99 ms | max ms | Goal p99 ≤ 5 ms | Example | Slowest |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for f in &report.kinds {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.1} | {:.3} | {} | {:.3} | {} | `{}` | `{}` |",
            f.kind,
            f.outcome.map_or("", |o| o.as_str()),
            f.samples,
            f.mean_results.unwrap_or(0.0),
            f.p50_ms,
            f.p99_text(),
            f.max_ms,
            if f.kind.starts_with("reference") {
                "(reference)"
            } else {
                verdict(f, 5.0)
            },
            f.example.replace('|', "\\|"),
            f.slowest.replace('|', "\\|")
        );
    }
}

/// The care rows (issue 14): generation over every customer, the first run of the day
/// ≤ 20 s and a second the same day ≤ 5 s making nothing; the Care pane key to frame p99 ≤ 16 ms.
fn care_rows(out: &mut String, c: &CareReport) {
    for (label, run, goal) in [
        (
            "care reminders generated, first run of the day, ≤ 20 s",
            &c.first_run,
            20.0,
        ),
        (
            "care reminders generated again the same day, ≤ 5 s, making nothing",
            &c.second_run,
            5.0,
        ),
    ] {
        if let Some(g) = run {
            let met = g.seconds <= goal && (goal > 5.0 || g.created == 0);
            let _ = writeln!(
                out,
                "| {label} | {:.1} s over {} customers: {} made, {} there already | {} |",
                g.seconds,
                g.customers,
                g.created,
                g.existing,
                if met { "met" } else { "**not met**" }
            );
        }
    }
    for f in &c.keys {
        key_row(out, &format!("Care pane ({} to do)", c.open), f);
    }
}

/// The report rows (issue 16): `careline report` as a whole process, a month ≤ 1 s and a
/// year ≤ 3 s, warm and cold.
fn report_rows(out: &mut String, r: &super::bench_report::ReportBench) {
    for p in &r.periods {
        let f = &p.figures;
        let cache = if p.cold { "cold" } else { "warm" };
        let (goal, verdict) = match p.goal_seconds {
            Some(goal) => (format!(" ≤ {goal} s"), verdict(f, goal * 1000.0)),
            None => (String::new(), "no goal"),
        };
        let _ = writeln!(
            out,
            "| `careline report` as a whole process{goal}: {} ({cache}, {} contacts) | {} ms over {} runs | {verdict} |",
            f.kind,
            p.contacts,
            ms(f),
            f.samples
        );
    }
    let f = &r.pane_keys;
    let _ = writeln!(
        out,
        "| Reports pane at 80×24 while it calculates, key to drawn frame p99 ≤ 16 ms: → / ← period | {} ms over {} keys, {} drawn showing \"calculating…\" | {} |",
        ms(f),
        f.samples,
        r.keys_while_calculating,
        verdict(f, 16.0)
    );
}

/// One pane key's row: key to drawn frame against the frame budget (p99 ≤ 16 ms).
fn key_row(out: &mut String, pane: &str, f: &Figures) {
    let example = if f.example.is_empty() {
        String::new()
    } else {
        format!(" ({})", f.example)
    };
    let _ = writeln!(
        out,
        "| {pane}, key to drawn frame p99 ≤ 16 ms: {}{example} | {} ms over {} keys | {} |",
        f.kind,
        ms(f),
        f.samples,
        verdict(f, 16.0)
    );
}

/// The complaint queue's rows: each key to frame (issue 13: p99 ≤ 16 ms), and the queue as a
/// whole process within 3× the sqlite3 shell's one indexed read.
fn complaint_rows(out: &mut String, c: &ComplaintsReport) {
    for f in &c.keys {
        key_row(
            out,
            &format!("complaint queue ({} of {} open)", c.open, c.complaints),
            f,
        );
    }
    let l = &c.list_process;
    let (measured, met) = match (&c.sqlite3_process, c.ratio_p50) {
        (Some(s), Some(ratio)) => (
            format!(
                "{} ms over {} runs ({} bytes of JSON); the sqlite3 shell reading the same queue by the same index, as JSON: {} ms; {ratio:.1}× at the median",
                ms(l),
                l.samples,
                c.bytes_of_list,
                ms(s)
            ),
            if ratio <= 3.0 { "met" } else { "**not met**" },
        ),
        _ => (
            format!("{} ms over {} runs; no sqlite3 shell here to compare", ms(l), l.samples),
            "not measured",
        ),
    };
    let _ = writeln!(
        out,
        "| `complaint list --open --json` as a whole process within 3× the sqlite3 shell doing the indexed read | {measured} | {met} |"
    );
}

/// A writers' row: nothing shown to anyone and nothing lost, and at an operator's pace (a
/// pause between writes) the p99 of the write; back to back only the first two are asked.
fn writers_row(out: &mut String, w: &WritersReport) {
    let Some(f) = w.all_writes() else {
        return;
    };
    let check = &w.lost_write_check;
    let clean = w.errors == 0 && check.lost == 0;
    let goal = if w.pause_ms > 0 {
        format!(
            "{} operator processes writing at once, each about every {} ms: no error shown, no lost write, p99 write ≤ 50 ms",
            w.processes,
            w.pause_ms
        )
    } else {
        format!(
            "{} operator processes writing back to back (stress): no error shown, no lost write",
            w.processes
        )
    };
    let verdict = match Verdict::of(f, super::bench_writers::GOAL_P99_MS) {
        _ if !clean => Verdict::NotMet.as_str(),
        _ if w.pause_ms == 0 => Verdict::Met.as_str(),
        v => v.as_str(),
    };
    let _ = writeln!(
        out,
        "| {goal} | \
         {} ms over {} store calls ({} contacts, {} edits of {} shared customers, {} conflicts reloaded and saved again, {} busy retries); \
         {} errors shown; lost writes {} ({} of {} contacts found as written, {} versions made by {} edits) | {} |",
        ms(f),
        f.samples,
        w.contacts_logged,
        w.edits_saved,
        w.shared_customers,
        w.conflicts,
        w.busy_retries,
        w.errors,
        check.lost,
        check.contacts_found,
        check.contacts_reported,
        check.edit_versions_made,
        check.edits_reported,
        verdict
    );
}

/// The p99 and the maximum of `f`, in ms ("-" for a p99 from fewer than 100 samples).
fn p99_and_max(f: &Figures) -> String {
    format!("p99 {}, max {:.3}", f.p99_text(), f.max_ms)
}

/// Where the time of the writers rows' writes went, one column per run, as `bench writers`
/// prints it: each part of a write at p99 and max, the checkpoints run off the write path, and
/// the mean of each part among the slowest 1 % — so that a slow write shows whether it waited
/// for its turn (behind another writer's commit) or was slow itself.
fn writers_breakdown(out: &mut String, runs: &[&WritersReport]) {
    let Some(first) = runs.first() else {
        return;
    };
    let title = |w: &WritersReport| {
        if w.pause_ms > 0 {
            format!("{} processes, pause {} ms", w.processes, w.pause_ms)
        } else {
            format!("{} processes, back to back", w.processes)
        }
    };
    let row = |out: &mut String, name: &str, cell: &dyn Fn(&WritersReport) -> String| {
        let cells: Vec<String> = runs.iter().map(|w| cell(w)).collect();
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    };
    let _ = writeln!(
        out,
        "\nWhere the time of a write went in the writers rows, in ms:\n"
    );
    let titles: Vec<String> = runs.iter().map(|w| title(w)).collect();
    let _ = writeln!(out, "| part of a write | {} |", titles.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(runs.len()));
    for (i, part) in first.breakdown.parts.iter().enumerate() {
        row(out, part.kind, &|w| {
            let writes = w.all_writes().map_or(0, |f| f.samples);
            match w.breakdown.parts.get(i) {
                Some(f) if f.samples == writes => p99_and_max(f),
                Some(f) if f.samples == 0 => "none".into(),
                Some(f) => format!("{} of {writes} writes: {}", f.samples, p99_and_max(f)),
                None => "-".into(),
            }
        });
    }
    row(
        out,
        "checkpoints off the write path",
        &|w| match &w.breakdown.checkpoints_off_write_path {
            Some(f) => format!("{}: {}", f.samples, p99_and_max(f)),
            None => "none".into(),
        },
    );
    row(
        out,
        "name index merge steps off the write path",
        &|w| match &w.breakdown.merges_off_write_path {
            Some(f) => format!("{}: {}", f.samples, p99_and_max(f)),
            None => "none".into(),
        },
    );
    row(out, "the slowest 1 %, mean of each part", &|w| {
        let b = &w.breakdown;
        if b.slowest_writes == 0 {
            return "- (fewer than 100 writes)".into();
        }
        let means: Vec<String> = b
            .slowest_mean_ms
            .iter()
            .map(|(part, ms)| format!("{part} {ms:.1}"))
            .collect();
        format!("{} writes: {}", b.slowest_writes, means.join("; "))
    });
    row(out, "pages one write put into the log", &|w| {
        let b = &w.breakdown;
        format!(
            "at most {} (its COMMIT {:.1} ms); the slowest 1 %: {:.0} on average",
            b.most_pages_written, b.most_pages_commit_ms, b.slowest_mean_pages
        )
    });
    row(out, "writes that went without a turn", &|w| {
        w.breakdown.writes_without_turn.to_string()
    });
}

fn markdown(r: &AllReport) -> String {
    let m = &r.machine;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Measured by `careline bench all` at commit `{}` on {}: {} CPUs ({}), {:.1} GiB, kernel {}, \
         SQLite {}. Load average (1, 5, 15 min) {} at the start and {} at the end; the whole run took {:.0} s.\n",
        m.commit,
        m.date,
        m.cpus,
        m.cpu_model,
        m.memory_gib,
        m.kernel,
        m.sqlite,
        m.load_at_start,
        m.load_at_end,
        r.seconds
    );
    let first = r.screen.first();
    let _ = writeln!(out, "| Goal (DESIGN §7) | Measured | |");
    let _ = writeln!(out, "|---|---|---|");
    if let Some(g) = &r.generation {
        let _ = writeln!(
            out,
            "| demo generation of {} customers ≤ 60 s | {:.1} s, peak memory {:.0} MB | {} |",
            g.customers,
            g.seconds,
            g.peak_memory_mb,
            if g.seconds <= 60.0 {
                "met"
            } else {
                "**not met**"
            }
        );
    }
    for (name, report) in [
        ("warm", &r.lookup_warm),
        ("cold: caches dropped before every query", &r.lookup_cold),
    ] {
        let worst = report
            .kinds
            .iter()
            .filter(|f| !f.kind.starts_with("reference"))
            .max_by(|a, b| {
                a.p99_ms
                    .unwrap_or(a.max_ms)
                    .total_cmp(&b.p99_ms.unwrap_or(b.max_ms))
            });
        let verdicts: Vec<Verdict> = report
            .kinds
            .iter()
            .filter(|f| !f.kind.starts_with("reference"))
            .map(|f| Verdict::of(f, 5.0))
            .collect();
        let count = |v: Verdict| verdicts.iter().filter(|&&x| x == v).count();
        if let Some(w) = worst {
            let _ = writeln!(
                out,
                "| every lookup kind, hit and miss, p99 ≤ 5 ms ({name}; {} customers) | worst: {} {} ({}); of {} rows {} not met, {} undecided | {} |",
                report.customers,
                w.kind,
                w.outcome.map_or("", |o| o.as_str()),
                ms(w),
                verdicts.len(),
                count(Verdict::NotMet),
                count(Verdict::Undecided) + count(Verdict::NotMeasured),
                overall(&verdicts)
            );
        }
    }
    for s in &r.screen {
        for f in s.typed.iter().chain(std::iter::once(&s.selection_move)) {
            let _ = writeln!(
                out,
                "| keystroke to drawn frame p99 ≤ 16 ms, {} ({}) | {} ms over {} keys | {} |",
                f.kind,
                s.size,
                ms(f),
                f.samples,
                verdict(f, 16.0)
            );
        }
        let f = &s.start_process;
        let _ = writeln!(
            out,
            "| start to first frame ≤ 150 ms ({}) | real process in a pseudo-terminal: p50 {:.1} ms, max {:.1} ms over {} starts; in-process {:.1} ms | {} |",
            s.size,
            f.p50_ms,
            f.max_ms,
            f.samples,
            s.start_in_process_ms,
            if f.samples > 0 && f.max_ms <= 150.0 { "met" } else { "**not met**" }
        );
        let peak = s
            .start_process_peak_memory_mb
            .max(s.peak_resident_memory_mb);
        let _ = writeln!(
            out,
            "| resident memory ≤ 64 MB ({}) | {:.1} MB peak of the started process at its first frame; {:.1} MB peak after {} callers | {} |",
            s.size,
            s.start_process_peak_memory_mb,
            s.peak_resident_memory_mb,
            s.typed.iter().map(|f| f.samples).sum::<usize>(),
            if peak <= 64.0 { "met" } else { "**not met**" }
        );
    }
    if let Some(s) = first {
        let _ = writeln!(
            out,
            "| bytes for a one-row selection move at 80×24 ≤ 1 KB | mean {:.0}, max {} | {} |",
            s.selection_move_bytes_mean,
            s.selection_move_bytes_max,
            if s.selection_move_bytes_max <= 1024 {
                "met"
            } else {
                "**not met**"
            }
        );
    }
    for f in &r.log.steps {
        let _ = writeln!(
            out,
            "| log, key to drawn frame p99 ≤ 16 ms: {} | {} ms over {} keys{}{} | {} |",
            f.kind,
            ms(f),
            f.samples,
            if f.example.is_empty() {
                String::new()
            } else {
                format!("; {}", f.example)
            },
            if f.stopped_early {
                " (stopped after 5: median past 250 ms)"
            } else {
                ""
            },
            verdict(f, 16.0)
        );
    }
    complaint_rows(&mut out, &r.complaints);
    care_rows(&mut out, &r.care);
    report_rows(&mut out, &r.report);
    writers_row(&mut out, &r.writers);
    writers_row(&mut out, &r.writers_back_to_back);
    writers_breakdown(&mut out, &[&r.writers, &r.writers_back_to_back]);
    let _ = writeln!(
        out,
        "\nEvery lookup row, warm ({} customers sampled):\n",
        r.lookup_warm.sampled
    );
    lookup_table(&mut out, &r.lookup_warm);
    let _ = writeln!(
        out,
        "\nEvery lookup row, cold: SQLite's cache and the page cache of the database file dropped before every query ({} customers sampled):\n",
        r.lookup_cold.sampled
    );
    lookup_table(&mut out, &r.lookup_cold);
    out
}

#[cfg(test)]
mod tests {
    use super::super::bench_writers::{PartsUs, WorkerReport};
    use super::*;
    use std::time::Duration;

    /// A writers run made of one worker's writes.
    fn writers_run(
        pause_ms: u64,
        parts: Vec<PartsUs>,
        checkpoint_us: Vec<u64>,
        merge_step_us: Vec<u64>,
    ) -> WritersReport {
        let args = WritersArgs {
            processes: 50,
            writes: parts.len(),
            shared_customers: 10,
            contact_customers: 500,
            pause_ms,
            seed: 17,
            json: false,
        };
        let worker = WorkerReport {
            log_us: parts.iter().map(|p| p.total).collect(),
            parts,
            checkpoint_us,
            merge_step_us,
            ..WorkerReport::default()
        };
        super::super::bench_writers::report(
            &args,
            1000,
            vec![],
            1.0,
            vec![worker],
            Default::default(),
        )
    }

    /// The headline run names where a slow write's time went, as `bench writers` does: here
    /// three writes of 200 waited a second for their turn (behind a slow commit elsewhere)
    /// while their own statements and commit stayed fast.
    #[test]
    fn bench_all_shows_where_the_writers_time_went() {
        let write = |turn: u64, commit: u64, checkpoint_in_commit: Option<u64>| PartsUs {
            total: turn + 100 + 500 + commit,
            turn,
            begin: 100,
            statements: 500,
            commit,
            checkpoint_in_commit,
            without_turn: 0,
            pages: 12,
        };
        let mut parts = vec![write(1000, 2000, None); 196];
        // One write merged the full-text index: thousands of pages, and its commit the longest.
        parts.push(PartsUs {
            pages: 7891,
            ..write(1000, 9000, Some(7000))
        });
        parts.extend([write(1_000_000, 2000, None); 3]);
        let paced = writers_run(1000, parts, vec![5000, 80_000], vec![3000, 7000, 4000]);
        let stress = writers_run(0, vec![write(1000, 2000, None); 10], vec![], vec![]);
        let mut out = String::new();
        writers_breakdown(&mut out, &[&paced, &stress]);
        let lines: Vec<&str> = out.lines().collect();
        let expected = [
            "Where the time of a write went in the writers rows, in ms:",
            "",
            "| part of a write | 50 processes, pause 1000 ms | 50 processes, back to back |",
            "|---|---|---|",
            // p99 of 200 is the 198th: the first of the three slow ones.
            "| waiting for the turn | p99 1000.000, max 1000.000 | p99 -, max 1.000 |",
            "| BEGIN IMMEDIATE (SQLite's lock) | p99 0.100, max 0.100 | p99 -, max 0.100 |",
            "| statements and audit entries | p99 0.500, max 0.500 | p99 -, max 0.500 |",
            "| COMMIT (fsync, checkpoint if due) | p99 2.000, max 9.000 | p99 -, max 2.000 |",
            "| of which a checkpoint inside the commit | 1 of 200 writes: p99 -, max 7.000 | none |",
            "| checkpoints off the write path | 2: p99 -, max 80.000 | none |",
            "| name index merge steps off the write path | 3: p99 -, max 7.000 | none |",
            "| the slowest 1 %, mean of each part | 3 writes: waiting for the turn 1000.0; \
             BEGIN IMMEDIATE (SQLite's lock) 0.1; statements and audit entries 0.5; \
             COMMIT (fsync, checkpoint if due) 2.0; of which a checkpoint inside the commit 0.0 \
             | - (fewer than 100 writes) |",
            "| pages one write put into the log | at most 7891 (its COMMIT 9.0 ms); the slowest 1 %: \
             12 on average | at most 12 (its COMMIT 2.0 ms); the slowest 1 %: 0 on average |",
            "| writes that went without a turn | 0 | 0 |",
        ];
        assert_eq!(lines[1..], expected, "{out}");
    }

    /// Figures of `n` samples: all `low` ms but the slowest two, which take `high` ms.
    fn figures_of(n: usize, low: u64, high: u64) -> Figures {
        let mut times = vec![Duration::from_millis(low); n.saturating_sub(2)];
        times.extend([Duration::from_millis(high); 2].iter().take(n.min(2)));
        super::super::bench::figures("kind", None, String::new(), times, None)
    }

    #[test]
    fn verdicts_go_by_p99_and_never_claim_one_from_few_samples() {
        // 200 samples, the slowest two at 9 ms: p99 is the 198th, 4 ms.
        assert_eq!(Verdict::of(&figures_of(200, 4, 9), 5.0), Verdict::Met);
        // 100 samples: p99 is the 99th, one of the slow two.
        assert_eq!(Verdict::of(&figures_of(100, 4, 9), 5.0), Verdict::NotMet);
        // 20 samples: no p99. A median past the goal is not met; a maximum within it is met;
        // anything between cannot be told.
        assert_eq!(Verdict::of(&figures_of(20, 6, 7), 5.0), Verdict::NotMet);
        assert_eq!(
            Verdict::of(&figures_of(20, 1, 4), 5.0),
            Verdict::MetByMaximum
        );
        assert_eq!(Verdict::of(&figures_of(20, 1, 9), 5.0), Verdict::Undecided);
        assert_eq!(Verdict::of(&figures_of(0, 1, 1), 5.0), Verdict::NotMeasured);

        assert_eq!(overall(&[Verdict::Met, Verdict::MetByMaximum]), "met");
        assert_eq!(
            overall(&[Verdict::Met, Verdict::Undecided]),
            "undecided (too few samples)"
        );
        assert_eq!(
            overall(&[Verdict::Undecided, Verdict::NotMet]),
            "**not met**"
        );
    }
}
