//! `careline bench care`: care reminders on the current database. Generation over every
//! customer for today, run twice — the first run makes what is due (on a fresh reference
//! database, everything), the second must make nothing (issue 14: ≤ 20 s and ≤ 5 s on a million
//! customers). Then the Care pane on the screen, in-process, key to drawn frame: opening the tab
//! (the list read), moving the selection, each filter the pane has switched on and off, and the
//! worst filters — a kind and a tier that keep few rows, so that the list reads far to fill a
//! page — as the filter line applies them.

use std::time::Instant;

use anyhow::Result;
use clap::Args;
use crossterm::event::KeyCode;
use serde::Serialize;

use super::bench::{figures, Figures};
use super::bench_screen::{pane_keys, pane_tab, press, BenchScreen, PaneKeys};
use super::Context;

#[derive(Debug, Args, Clone)]
pub struct CareArgs {
    /// Key presses measured for each kind of key.
    #[arg(long, default_value_t = 200)]
    pub samples: usize,
    /// Terminal width to draw.
    #[arg(long, default_value_t = 80)]
    pub width: u16,
    /// Terminal height to draw.
    #[arg(long, default_value_t = 24)]
    pub height: u16,
    /// Do not generate (measure the pane on the reminders there are).
    #[arg(long)]
    pub no_generate: bool,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The badges the filter line offers, in its order.
const BADGES: [&str; 4] = ["vip", "high", "potential", "normal"];

/// One generation run.
#[derive(Debug, Serialize)]
pub struct GenerationRun {
    pub seconds: f64,
    pub customers: usize,
    pub created: usize,
    pub existing: usize,
}

#[derive(Debug, Serialize)]
pub struct CareReport {
    pub customers: i64,
    /// None with `--no-generate`.
    pub first_run: Option<GenerationRun>,
    pub second_run: Option<GenerationRun>,
    /// Reminders still to do when the pane was measured.
    pub open: i64,
    pub size: String,
    pub keys: Vec<Figures>,
}

fn run_generation(ctx: &Context) -> Result<GenerationRun> {
    let (mut store, actor) = ctx.open()?;
    let day = store.care_today();
    let started = Instant::now();
    let made = store.generate_reminders(&actor, day, false, &mut |_, _| {})?;
    let seconds = started.elapsed().as_secs_f64();
    store.note_run(&actor, &made)?;
    Ok(GenerationRun {
        seconds,
        customers: made.customers,
        created: made.total(),
        existing: made.existing,
    })
}

pub fn run(ctx: &Context, args: &CareArgs) -> Result<CareReport> {
    let (first_run, second_run) = if args.no_generate {
        (None, None)
    } else {
        (Some(run_generation(ctx)?), Some(run_generation(ctx)?))
    };
    let (store, _) = ctx.open()?;
    let customers = store.customer_total()?;
    let open = store.open_reminder_total()?;
    // The rarest kind and tier among those still to do: the filters that read furthest.
    let (rare_kind, rare_badge) = store.rarest_care_filters()?;
    drop(store);

    let (tab, filters) = pane_tab("care", &["care_mine", "care_anyones"])?;
    let mut screen = BenchScreen::open(ctx, args.width, args.height)?;
    screen.draw()?;
    let mut keys = pane_keys(
        &mut screen,
        PaneKeys {
            pane: "care",
            tab,
            open: "open the Care tab (list read)",
            open_detail: format!("{open} to do"),
            down: "↓ in the list",
            page_down: "PgDn in the list",
            filters,
        },
        args.samples,
    )?;
    // The filter line's rarest kind and tier, applied and cleared as the pane reads them.
    for (label, kind, badge) in [
        ("the rarest kind", rare_kind, None),
        ("the rarest tier", None, rare_badge),
    ] {
        let example = match (kind, badge) {
            (Some(k), _) => k.as_str().to_string(),
            (_, Some(b)) => b.to_string(),
            _ => continue,
        };
        // The filter line: `f`, → to the value (Tab to the tier), then Enter applies it
        // (timed); `0` clears it again (timed too, the whole list read back).
        let kind_steps = kind.and_then(|k| crate::store::KIND_ORDER.iter().position(|x| *x == k));
        let badge_steps = badge.and_then(|b| BADGES.iter().position(|x| *x == b));
        let mut times = Vec::with_capacity(args.samples);
        for i in 0..args.samples {
            if i % 2 == 1 {
                times.push(screen.key(press(KeyCode::Char('0')))?);
                continue;
            }
            screen.key(press(KeyCode::Char('f')))?;
            for _ in 0..=kind_steps.unwrap_or(usize::MAX).min(64) {
                if kind_steps.is_none() {
                    break;
                }
                screen.key(press(KeyCode::Right))?;
            }
            if let Some(steps) = badge_steps {
                screen.key(press(KeyCode::Tab))?;
                for _ in 0..=steps {
                    screen.key(press(KeyCode::Right))?;
                }
            }
            times.push(screen.key(press(KeyCode::Enter))?);
        }
        keys.push(figures(
            "filter line applied or cleared",
            None,
            format!("{label}: {example}"),
            times,
            None,
        ));
    }
    Ok(CareReport {
        customers,
        first_run,
        second_run,
        open,
        size: format!("{}x{}", args.width, args.height),
        keys,
    })
}

pub fn print(r: &CareReport) {
    println!("care reminders: {} customers", r.customers);
    for (label, run, goal) in [
        ("first generation today", &r.first_run, 20.0),
        ("second generation, same day", &r.second_run, 5.0),
    ] {
        if let Some(g) = run {
            println!(
                "{label:<30} {:>8.1} s  made {:>8}, {:>8} there already, over {} customers (goal ≤ {goal} s: {})",
                g.seconds,
                g.created,
                g.existing,
                g.customers,
                if g.seconds <= goal { "met" } else { "not met" }
            );
        }
    }
    println!("Care pane: {} to do, screen {}", r.open, r.size);
    println!(
        "{:<52} {:>8} {:>9} {:>9} {:>9}",
        "key to drawn frame", "samples", "p50 ms", "p99 ms", "max ms"
    );
    for f in &r.keys {
        let label = if f.example.is_empty() {
            f.kind.to_string()
        } else {
            format!("{} ({})", f.kind, f.example)
        };
        println!(
            "{:<52} {:>8} {:>9.3} {:>9} {:>9.3}",
            label,
            f.samples,
            f.p50_ms,
            f.p99_text(),
            f.max_ms
        );
    }
    println!("{}", super::bench::P99_NOTE);
}
