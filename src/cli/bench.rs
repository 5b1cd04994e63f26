//! `careline bench`: the figures of DESIGN §7 measured on the current database, each kind of
//! work apart, with p99 printed only where there are enough samples for it to mean something.

use std::time::Duration;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::Context;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Lookup latency (p50/p99) for every kind of query an operator types, hits and misses
    /// apart; --cold reads every query from the disk.
    Lookup(super::bench_lookup::LookupArgs),
    /// The operator's screen: typed keys and selection moves to drawn frame, start to first
    /// frame (in-process and as a real process in a pseudo-terminal), memory, and bytes sent
    /// to the terminal when the selection moves one row.
    Screen(ScreenArgs),
    /// The interaction log on the screen: a customer with a long history and the desk log
    /// with each filter, at typical and worst selectivity, key to drawn frame. Adds a
    /// customer tagged #bench-busy the first time.
    Log(super::bench_log::LogArgs),
    /// Many operators writing at once: each a careline process holding its store open, all
    /// logging contacts and editing a few shared customers together; the write's time, errors,
    /// conflicts, and a check that every saved write is in the database. Adds contacts and
    /// changes the shared customers' notes.
    Writers(super::bench_writers::WritersArgs),
    /// The complaint queue: on the screen, key to drawn frame (the tab's queue read, moves,
    /// each filter), and `complaint list --open --json` as a whole process against the
    /// sqlite3 shell's one indexed read.
    Complaints(super::bench_complaints::ComplaintsArgs),
    /// Care reminders: generation run twice (the second must make nothing), then the Care
    /// pane, key to drawn frame (tab, moves, filters, the worst filters).
    Care(super::bench_care::CareArgs),
    /// `careline report` as a whole process, spawn to exit: this month, last month, the
    /// quarter, the year (also narrowed to the busiest operator) and the longest period, warm
    /// and (month and year) cold, against the goals of ≤ 1 s for a month and ≤ 3 s for a year.
    Report(super::bench_report::ReportArgs),
    /// One operator process of `bench writers`.
    #[command(hide = true)]
    WriterWorker(super::bench_writers::WorkerArgs),
    /// Every benchmark above in one run (lookup warm and cold, screen at 80x24 and 132x43,
    /// log), with the machine, load average and commit; optionally generates the reference
    /// database first and writes the headline table of docs/BENCHMARKS.md.
    All(super::bench_all::AllArgs),
}

#[derive(Debug, Args, Clone)]
pub struct ScreenArgs {
    /// Callers looked up (each typed key by key, then the selection moved).
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// Times the screen is started as a real process in a pseudo-terminal.
    #[arg(long, default_value_t = 20)]
    pub starts: usize,
    /// Seed of the customer sampler.
    #[arg(long, default_value_t = 11)]
    pub seed: u64,
    /// Terminal width to draw.
    #[arg(long, default_value_t = 80)]
    pub width: u16,
    /// Terminal height to draw.
    #[arg(long, default_value_t = 24)]
    pub height: u16,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Fewer samples than this and a p99 is only the maximum, so none is given.
pub const P99_MIN_SAMPLES: usize = 100;

/// Said under every table of figures.
pub const P99_NOTE: &str = "p99 is given from 100 samples up; \"-\" where there are fewer";

/// Whether a lookup was expected to find somebody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Hit,
    Miss,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Hit => "hit",
            Outcome::Miss => "miss",
        }
    }
}

/// The figures of one kind of work.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub example: String,
    pub samples: usize,
    /// Results per query (lookups only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_results: Option<f64>,
    pub p50_ms: f64,
    /// None below [`P99_MIN_SAMPLES`] samples.
    pub p99_ms: Option<f64>,
    pub max_ms: f64,
    /// The query that took `max_ms` (lookups only).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub slowest: String,
    /// A worst case measured fewer times than asked: its median was already far past any goal.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stopped_early: bool,
}

impl Figures {
    pub fn slowest(mut self, query: String) -> Figures {
        self.slowest = query;
        self
    }

    /// The p99 for a table: "-" where there are too few samples.
    pub fn p99_text(&self) -> String {
        self.p99_ms
            .map(|p| format!("{p:.3}"))
            .unwrap_or_else(|| "-".into())
    }
}

pub(super) fn figures(
    kind: &'static str,
    outcome: Option<Outcome>,
    example: String,
    mut times: Vec<Duration>,
    results: Option<usize>,
) -> Figures {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| {
        if times.is_empty() {
            0.0
        } else {
            let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
            ms(times[i])
        }
    };
    Figures {
        kind,
        outcome,
        example,
        samples: times.len(),
        mean_results: results.map(|r| r as f64 / times.len().max(1) as f64),
        p50_ms: at(0.50),
        p99_ms: (times.len() >= P99_MIN_SAMPLES).then(|| at(0.99)),
        max_ms: times.last().map(|d| ms(*d)).unwrap_or(0.0),
        slowest: String::new(),
        stopped_early: false,
    }
}

pub fn run(ctx: &Context, cmd: BenchCommand) -> Result<()> {
    use super::{bench_log, bench_lookup, bench_screen, bench_writers};
    match cmd {
        BenchCommand::Lookup(args) => show(
            &bench_lookup::run(ctx, &args)?,
            args.json,
            bench_lookup::print,
        ),
        BenchCommand::Screen(args) => show(
            &bench_screen::run(ctx, &args)?,
            args.json,
            bench_screen::print,
        ),
        BenchCommand::Log(args) => show(&bench_log::run(ctx, &args)?, args.json, bench_log::print),
        BenchCommand::Writers(args) => show(
            &bench_writers::run(ctx, &args)?,
            args.json,
            bench_writers::print,
        ),
        BenchCommand::Complaints(args) => show(
            &super::bench_complaints::run(ctx, &args)?,
            args.json,
            super::bench_complaints::print,
        ),
        BenchCommand::Care(args) => show(
            &super::bench_care::run(ctx, &args)?,
            args.json,
            super::bench_care::print,
        ),
        BenchCommand::Report(args) => show(
            &super::bench_report::run(ctx, &args)?,
            args.json,
            super::bench_report::print,
        ),
        BenchCommand::WriterWorker(args) => bench_writers::worker(ctx, &args),
        BenchCommand::All(args) => super::bench_all::all(ctx, args),
    }
}

/// A benchmark's report as JSON, or as its table.
fn show<R: Serialize>(report: &R, json: bool, table: fn(&R)) -> Result<()> {
    if json {
        return super::print_json(report);
    }
    table(report);
    Ok(())
}

/// One sampled customer's lookup material.
pub(super) type Sample = crate::store::LookupSample;

/// Up to `count` customers sampled at random (from `seed`), with their lookup material.
pub(super) fn sample_customers(store: &Store, count: usize, seed: u64) -> Result<Vec<Sample>> {
    if !store.has_customers()? {
        bail!("the database holds no customers; fill it with `careline demo --customers N` first");
    }
    Ok(store.lookup_samples(count, seed)?)
}

pub(super) fn national_digits(e164: &str) -> String {
    e164.strip_prefix("+86")
        .unwrap_or(e164)
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}
