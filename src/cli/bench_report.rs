//! `careline bench report`: `careline report` as a whole process, spawn to exit, on the
//! current database (issue 16: one month ≤ 1 s, a year ≤ 3 s on the reference database). Each
//! period a supervisor picks — this month, last month, the quarter, the year, the year
//! narrowed to one operator, and the longest period allowed — warm (the file in the page
//! cache, as on a desk in use) and cold (the file dropped from every cache before each run, as
//! after a reboot).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use clap::Args;
use serde::Serialize;

use super::bench::{figures, Figures};
use super::Context;

#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// Warm runs of each period (p99 is given from 100 up).
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
    /// Cold runs of the month and the year (every cache dropped before each).
    #[arg(long, default_value_t = 5)]
    pub cold_runs: usize,
    /// Keys pressed in the Reports pane while it calculates (key to drawn frame).
    #[arg(long, default_value_t = 200)]
    pub keys: usize,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One period measured.
#[derive(Debug, Serialize)]
pub struct PeriodFigures {
    /// What `careline report` was given.
    pub args: Vec<String>,
    /// The goal for the slowest run, in seconds (issue 16), where there is one.
    pub goal_seconds: Option<f64>,
    pub cold: bool,
    pub figures: Figures,
    /// Contacts the report counted (what it had to read).
    pub contacts: i64,
}

#[derive(Debug, Serialize)]
pub struct ReportBench {
    pub interactions: i64,
    pub complaints: i64,
    pub periods: Vec<PeriodFigures>,
    /// The Reports pane at 80×24, key to drawn frame, while its figures are calculated on the
    /// worker: the period changed with → and ← (each key asks for a new calculation).
    pub pane_keys: Figures,
    /// Of those keys, how many were drawn with "calculating…" on the screen.
    pub keys_while_calculating: usize,
}

impl PeriodFigures {
    /// Met when the slowest run is within the goal.
    pub fn met(&self) -> Option<bool> {
        self.goal_seconds
            .map(|goal| self.figures.max_ms <= goal * 1000.0)
    }
}

/// The periods measured: label, arguments, goal, whether also cold.
fn periods(operator: Option<&str>) -> Vec<(&'static str, Vec<String>, Option<f64>, bool)> {
    let named = |p: &str| vec!["--period".to_string(), p.to_string()];
    let mut all = vec![
        ("this month", named("this_month"), Some(1.0), true),
        ("last month", named("last_month"), Some(1.0), false),
        ("this quarter", named("quarter"), Some(3.0), false),
        ("this year", named("year"), Some(3.0), true),
    ];
    if let Some(login) = operator {
        let mut args = named("year");
        args.extend(["--operator".to_string(), login.to_string()]);
        all.push(("this year, one operator", args, Some(3.0), false));
    }
    // The longest period a report takes: 800 days ending today.
    let today = chrono::Local::now().date_naive();
    let from = today - chrono::Duration::days(799);
    all.push((
        "800 days (the longest)",
        vec![
            "--from".to_string(),
            from.to_string(),
            "--to".to_string(),
            today.to_string(),
        ],
        None,
        false,
    ));
    all
}

pub fn run(ctx: &Context, args: &ReportArgs) -> Result<ReportBench> {
    let (store, actor) = ctx.open()?;
    store.require(&actor, crate::store::Permission::ReadReports)?;
    let interactions = store.interaction_total()?;
    let complaints = store.complaint_total()?;
    // The operator with the most contacts: the narrowed report with the most to count.
    let operator = store.busiest_operator()?;
    let exe = std::env::current_exe().context("cannot find the careline binary")?;
    let mut measured = Vec::new();
    for (label, period, goal, also_cold) in periods(operator.as_deref()) {
        let mut cmd = Command::new(&exe);
        cmd.arg("--db").arg(&ctx.db_path);
        if let Some(login) = &ctx.as_login {
            cmd.arg("--as").arg(login);
        }
        if let Some(config) = &ctx.config_file {
            cmd.arg("--config").arg(config);
        }
        cmd.arg("report").args(&period).args(["--format", "json"]);
        let output = cmd.output().context("cannot run careline report")?;
        if !output.status.success() {
            bail!(
                "careline report {} failed: {}",
                period.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let json: serde_json::Value =
            serde_json::from_slice(&output.stdout).context("careline report's JSON")?;
        let contacts = json["contacts"].as_i64().unwrap_or(0);
        let warm = time_runs(&mut cmd, args.runs, None)?;
        measured.push(PeriodFigures {
            args: period.clone(),
            goal_seconds: goal,
            cold: false,
            figures: figures(label, None, String::new(), warm, None),
            contacts,
        });
        if also_cold && args.cold_runs > 0 {
            let cold = time_runs(&mut cmd, args.cold_runs, Some(&store))?;
            measured.push(PeriodFigures {
                args: period,
                goal_seconds: goal,
                cold: true,
                figures: figures(label, None, String::new(), cold, None),
                contacts,
            });
        }
    }
    drop(store);
    let (pane_keys, keys_while_calculating) = pane_while_calculating(ctx, args.keys)?;
    Ok(ReportBench {
        interactions,
        complaints,
        periods: measured,
        pane_keys,
        keys_while_calculating,
    })
}

/// The Reports pane at 80×24 with its worker, as the screen runs it: → and ← pressed in turn
/// every 20 ms (each asks for the figures of another period, a year among them), key to drawn
/// frame, the worker's results taken in between as the screen's loop takes them.
fn pane_while_calculating(ctx: &Context, keys: usize) -> Result<(Figures, usize)> {
    use super::bench_screen::{pane_tab, press, BenchScreen};
    use crossterm::event::KeyCode;
    let (tab, actions) = pane_tab("reports", &["report_next_value", "report_previous_value"])?;
    let key_of = |name: &str| {
        actions
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k)
            .with_context(|| format!("the Reports pane has no {name} key"))
    };
    let (next, previous) = (
        key_of("report_next_value")?,
        key_of("report_previous_value")?,
    );
    let mut screen = BenchScreen::open(ctx, 80, 24)?;
    let reader = screen.app.desk.store.open_another()?;
    let (tx, rx) = std::sync::mpsc::channel();
    screen.app.desk.worker = Some(crate::tui::worker::Worker::start(reader, move |msg| {
        tx.send(msg).is_ok()
    }));
    screen.draw()?;
    screen.key(press(KeyCode::F(tab)))?;
    let calculating = crate::tui::i18n::I18n::new(crate::tui::i18n::Lang::En)
        .t("reports.calculating")
        .to_string();
    // What the screen shows, drawn again off the clock to read it.
    let mut shown = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24))?;
    let mut times = Vec::with_capacity(keys);
    let mut while_calculating = 0;
    for n in 0..keys {
        while let Ok(msg) = rx.try_recv() {
            screen.app.loaded(msg);
            screen.draw()?;
        }
        // Forwards through the periods and back, so that the year comes up again and again.
        let key = if (n / 6) % 2 == 0 { next } else { previous };
        times.push(screen.key(key)?);
        let frame = shown.draw(|f| crate::tui::ui::draw(f, &screen.app))?;
        let text: String = frame.buffer.content().iter().map(|c| c.symbol()).collect();
        if text.contains(&calculating) {
            while_calculating += 1;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if let Some(worker) = screen.app.desk.worker.take() {
        worker.finish();
    }
    Ok((
        figures(
            "Reports pane: → / ← period, key to drawn frame",
            None,
            String::new(),
            times,
            None,
        ),
        while_calculating,
    ))
}

/// Runs `cmd` `runs` times, spawn to exit; with `cold`, every cache of the database dropped
/// before each run.
fn time_runs(
    cmd: &mut Command,
    runs: usize,
    cold: Option<&crate::store::Store>,
) -> Result<Vec<Duration>> {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        if let Some(store) = cold {
            store.drop_caches()?;
        }
        let t = Instant::now();
        let status = cmd.status().context("cannot start careline report")?;
        times.push(t.elapsed());
        if !status.success() {
            bail!("{cmd:?} failed");
        }
    }
    Ok(times)
}

pub fn print(r: &ReportBench) {
    println!(
        "careline report as a whole process: {} interactions, {} complaints",
        r.interactions, r.complaints
    );
    println!(
        "{:<32} {:>5} {:>11} {:>6} {:>9} {:>9} {:>9}  goal",
        "period", "cache", "contacts", "runs", "p50 ms", "p99 ms", "max ms"
    );
    for p in &r.periods {
        let f = &p.figures;
        let goal = match (p.goal_seconds, p.met()) {
            (Some(goal), Some(true)) => format!("≤ {goal} s: met"),
            (Some(goal), _) => format!("≤ {goal} s: NOT MET"),
            (None, _) => "-".to_string(),
        };
        println!(
            "{:<32} {:>5} {:>11} {:>6} {:>9.1} {:>9} {:>9.1}  {goal}",
            f.kind,
            if p.cold { "cold" } else { "warm" },
            p.contacts,
            f.samples,
            f.p50_ms,
            f.p99_text(),
            f.max_ms
        );
    }
    println!("met when the slowest run is within the goal");
    let f = &r.pane_keys;
    println!(
        "{} at 80x24: p50 {:.3} ms, p99 {} ms, max {:.3} ms over {} keys, {} drawn while calculating (goal p99 ≤ 16 ms)",
        f.kind,
        f.p50_ms,
        f.p99_text(),
        f.max_ms,
        f.samples,
        r.keys_while_calculating
    );
    println!("{}", super::bench::P99_NOTE);
}
