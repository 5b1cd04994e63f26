//! `careline bench complaints`: the complaint queue on the current database. On the screen,
//! in-process, key to drawn frame: opening the Complaints tab (the queue read), moving the
//! selection, and each of the queue's filters switched on and off (the worst is the one that
//! keeps the most rows). As a whole process: `careline complaint list --open --json` against
//! the `sqlite3` shell reading the same queue from the same file by the same index and printing
//! it as JSON (issue 13: within 3× of "the sqlite3 shell doing one indexed read").

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use clap::Args;
use serde::Serialize;

use super::bench::{figures, Figures};
use super::bench_screen::{pane_keys, pane_tab, BenchScreen, PaneKeys};
use super::Context;

#[derive(Debug, Args, Clone)]
pub struct ComplaintsArgs {
    /// Key presses measured for each kind of key.
    #[arg(long, default_value_t = 200)]
    pub samples: usize,
    /// Runs of each whole process (`careline complaint list`, `sqlite3`).
    #[arg(long, default_value_t = 100)]
    pub processes: usize,
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

#[derive(Debug, Serialize)]
pub struct ComplaintsReport {
    pub complaints: i64,
    pub open: usize,
    pub size: String,
    /// Key to drawn frame on the screen.
    pub keys: Vec<Figures>,
    /// `careline complaint list --open --json`, spawn to exit.
    pub list_process: Figures,
    /// `sqlite3 -readonly -json FILE "<the same queue>"`, spawn to exit; `None` without sqlite3.
    pub sqlite3_process: Option<Figures>,
    /// list_process p50 / sqlite3_process p50.
    pub ratio_p50: Option<f64>,
    pub bytes_of_list: usize,
}

/// The pane's actions that filter the queue in place (no form, no question).
const FILTERS: &[&str] = &[
    "toggle_mine",
    "toggle_unassigned",
    "toggle_escalated",
    "toggle_breached",
    "toggle_waiting",
    "toggle_due_soon",
    "toggle_follow_ups",
];

pub fn run(ctx: &Context, args: &ComplaintsArgs) -> Result<ComplaintsReport> {
    let (tab, filters) = pane_tab("complaints", FILTERS)?;
    let (store, actor) = ctx.open()?;
    let queue = store.complaints(
        &actor,
        &crate::store::ComplaintFilter {
            open: true,
            ..Default::default()
        },
    )?;
    let complaints = store.complaint_total()?;
    drop(store);

    let mut screen = BenchScreen::open(ctx, args.width, args.height)?;
    screen.draw()?;
    // Opening the tab reads the queue: away and back, each time.
    let keys = pane_keys(
        &mut screen,
        PaneKeys {
            pane: "complaints",
            tab,
            open: "open the Complaints tab (queue read)",
            open_detail: format!("{} open", queue.len()),
            down: "↓ in the queue",
            page_down: "PgDn in the queue",
            filters,
        },
        args.samples,
    )?;
    drop(screen);

    let exe = std::env::current_exe().context("cannot find the careline binary")?;
    let mut list = Command::new(&exe);
    list.arg("--db").arg(&ctx.db_path);
    if let Some(login) = &ctx.as_login {
        list.arg("--as").arg(login);
    }
    if let Some(config) = &ctx.config_file {
        list.arg("--config").arg(config);
    }
    list.args(["complaint", "list", "--open", "--json"]);
    let output = list
        .output()
        .context("cannot run careline complaint list")?;
    if !output.status.success() {
        bail!(
            "careline complaint list failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let bytes_of_list = output.stdout.len();
    let list_times = time_process(&mut list, args.processes)?;
    // The same queue read by the sqlite3 shell: the open complaints in queue order with their
    // customers and assignees, printed as JSON by the shell itself. careline adds its process,
    // its checks, the clocks in working time and its own JSON.
    let mut sqlite = Command::new("sqlite3");
    sqlite.arg("-readonly").arg("-json").arg(&ctx.db_path).arg(
        "SELECT k.*, c.code, c.name, c.tier, c.level, a.login, a.name
         FROM complaints k INDEXED BY complaints_open
         JOIN customers c ON c.id = k.customer_id
         LEFT JOIN operators a ON a.id = k.assignee_id
         WHERE k.status IN ('new', 'acknowledged', 'in_progress', 'escalated', 'waiting',
                            'solution_proposed', 'reopened')
         ORDER BY k.next_due_at IS NULL, k.next_due_at, k.id;",
    );
    let sqlite_times = match sqlite.stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(s) if s.success() => Some(time_process(&mut sqlite, args.processes)?),
        _ => None,
    };
    let list_process = figures(
        "careline complaint list --open --json",
        None,
        String::new(),
        list_times,
        None,
    );
    let sqlite3_process = sqlite_times.map(|t| {
        figures(
            "sqlite3 shell: the same queue as JSON",
            None,
            String::new(),
            t,
            None,
        )
    });
    let ratio_p50 = sqlite3_process
        .as_ref()
        .map(|s| list_process.p50_ms / s.p50_ms.max(f64::EPSILON));
    Ok(ComplaintsReport {
        complaints,
        open: queue.len(),
        size: format!("{}x{}", args.width, args.height),
        keys,
        list_process,
        sqlite3_process,
        ratio_p50,
        bytes_of_list,
    })
}

fn time_process(cmd: &mut Command, runs: usize) -> Result<Vec<Duration>> {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let status = cmd.status().context("cannot start the process")?;
        times.push(t.elapsed());
        if !status.success() {
            bail!("{cmd:?} failed");
        }
    }
    Ok(times)
}

pub fn print(r: &ComplaintsReport) {
    println!(
        "complaint queue: {} complaints, {} open, screen {}",
        r.complaints, r.open, r.size
    );
    println!(
        "{:<42} {:>8} {:>9} {:>9} {:>9}",
        "key to drawn frame", "samples", "p50 ms", "p99 ms", "max ms"
    );
    for f in &r.keys {
        let label = if f.example.is_empty() {
            f.kind.to_string()
        } else {
            format!("{} ({})", f.kind, f.example)
        };
        println!(
            "{:<42} {:>8} {:>9.3} {:>9} {:>9.3}",
            label,
            f.samples,
            f.p50_ms,
            f.p99_text(),
            f.max_ms
        );
    }
    println!();
    println!(
        "{:<42} {:>8} {:>9} {:>9} {:>9}",
        "whole process, spawn to exit", "runs", "p50 ms", "p99 ms", "max ms"
    );
    for f in std::iter::once(&r.list_process).chain(r.sqlite3_process.as_ref()) {
        println!(
            "{:<42} {:>8} {:>9.3} {:>9} {:>9.3}",
            f.kind,
            f.samples,
            f.p50_ms,
            f.p99_text(),
            f.max_ms
        );
    }
    match r.ratio_p50 {
        Some(ratio) => println!(
            "complaint list is {ratio:.1}× the sqlite3 shell reading the same queue (goal: within 3×); \
             its JSON is {} bytes",
            r.bytes_of_list
        ),
        None => println!("sqlite3 is not installed here: no comparison"),
    }
    println!("{}", super::bench::P99_NOTE);
}
