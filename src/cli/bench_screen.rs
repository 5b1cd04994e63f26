//! `careline bench screen`: the operator's screen measured in-process on the current database,
//! drawing into a byte-counting terminal exactly as it would draw to a real one.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde::Serialize;

use super::bench::{figures, national_digits, sample_customers, KindFigures, ScreenArgs};
use super::{print_json, Context};
use crate::tui::app::App;
use crate::tui::ui;

/// A terminal that counts what would be sent to it.
#[derive(Clone, Default)]
pub(super) struct Counter(Arc<AtomicUsize>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, Serialize)]
struct ScreenReport {
    customers: i64,
    size: String,
    start_to_first_frame_ms: f64,
    keystroke_to_frame: KindFigures,
    mean_results_per_caller: f64,
    selection_move_bytes_mean: f64,
    selection_move_bytes_max: usize,
    resident_memory_mb: f64,
    peak_resident_memory_mb: f64,
}

pub(super) fn memory_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

pub(super) fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// The operator's screen in-process, drawing into a terminal of `width` × `height` that
/// counts the bytes it is sent.
pub(super) struct BenchScreen {
    pub app: App,
    pub terminal: Terminal<CrosstermBackend<Counter>>,
    pub counter: Counter,
}

impl BenchScreen {
    /// Opens the database as the screen does, in English with the default theme.
    pub fn open(ctx: &Context, width: u16, height: u16) -> Result<BenchScreen> {
        let (store, actor) = ctx.open()?;
        let choices = crate::tui::ScreenChoices {
            theme: Some("dark".into()),
            lang: Some("en".into()),
        };
        let settings = crate::tui::settings(&ctx.config, &ctx.paths, &choices, &ctx.db_path);
        let counter = Counter::default();
        let mut app = App::new(store, actor, settings);
        app.dialog = None; // a draft offer would cover the screen being measured
        app.update(crate::tui::action::Action::Resize(width, height));
        let terminal = Terminal::with_options(
            CrosstermBackend::new(counter.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
            },
        )?;
        Ok(BenchScreen {
            app,
            terminal,
            counter,
        })
    }

    pub fn draw(&mut self) -> Result<()> {
        let app = &self.app;
        self.terminal.draw(|f| ui::draw(f, app))?;
        Ok(())
    }

    /// Handles one key and draws the frame; returns how long that took.
    pub fn key(&mut self, key: KeyEvent) -> Result<Duration> {
        let t = Instant::now();
        self.app.handle_key(key);
        self.draw()?;
        Ok(t.elapsed())
    }

    /// Bytes sent to the terminal so far.
    pub fn bytes(&self) -> usize {
        self.counter.0.load(Ordering::Relaxed)
    }
}

pub fn screen(ctx: &Context, args: ScreenArgs) -> Result<()> {
    if args.samples == 0 || args.width == 0 || args.height == 0 {
        bail!("--samples, --width and --height must be at least 1");
    }
    let started = Instant::now();
    let mut screen = BenchScreen::open(ctx, args.width, args.height)?;
    screen.draw()?;
    let first_frame = started.elapsed();
    // Counted after the first frame: the screen itself never counts the whole table.
    let customers = screen.app.store.customer_count()?;

    let samples = sample_customers(&screen.app.store, args.samples, args.seed)?;
    let mut times: Vec<Duration> = Vec::new();
    let mut results = 0;
    let mut move_bytes: Vec<usize> = Vec::new();
    let mut example = String::new();
    for (n, s) in samples.iter().enumerate() {
        // Alternate: the last four digits of a phone, and a name.
        let query = match (&s.phone, n % 2) {
            (Some((normalized, _)), 0) => {
                let d = national_digits(normalized);
                d[d.len().saturating_sub(4)..].to_string()
            }
            _ => s.name.clone(),
        };
        if example.is_empty() {
            example = query.clone();
        }
        for c in query.chars() {
            times.push(screen.key(press(KeyCode::Char(c)))?);
        }
        results += screen.app.lookup.results.len();
        // Move the selection one row down (the first ↓ enters the list) and count the bytes.
        screen.key(press(KeyCode::Down))?;
        for _ in 0..3 {
            let before = screen.bytes();
            times.push(screen.key(press(KeyCode::Down))?);
            if screen.app.lookup.results.len() > 4 {
                move_bytes.push(screen.bytes() - before);
            }
        }
        // Clear the box for the next caller.
        screen.app.handle_key(press(KeyCode::Char('/')));
        screen.key(press(KeyCode::Esc))?;
    }
    let keystroke = figures("keystroke to drawn frame", example, times, None);
    let report = ScreenReport {
        customers,
        size: format!("{}x{}", args.width, args.height),
        start_to_first_frame_ms: first_frame.as_secs_f64() * 1000.0,
        keystroke_to_frame: keystroke,
        mean_results_per_caller: results as f64 / samples.len().max(1) as f64,
        selection_move_bytes_mean: if move_bytes.is_empty() {
            0.0
        } else {
            move_bytes.iter().sum::<usize>() as f64 / move_bytes.len() as f64
        },
        selection_move_bytes_max: move_bytes.iter().copied().max().unwrap_or(0),
        resident_memory_mb: memory_kb("VmRSS:").unwrap_or(0) as f64 / 1024.0,
        peak_resident_memory_mb: memory_kb("VmHWM:").unwrap_or(0) as f64 / 1024.0,
    };
    if args.json {
        return print_json(&report);
    }
    println!(
        "screen on {} customers at {}",
        report.customers, report.size
    );
    println!(
        "start to first frame        {:>9.1} ms (open, load, first draw; in-process)",
        report.start_to_first_frame_ms
    );
    println!(
        "keystroke to drawn frame    p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} keys)",
        report.keystroke_to_frame.p50_ms,
        report.keystroke_to_frame.p99_ms,
        report.keystroke_to_frame.max_ms,
        report.keystroke_to_frame.queries
    );
    println!(
        "selection one row down      mean {:.0} bytes, max {} bytes written to the terminal",
        report.selection_move_bytes_mean, report.selection_move_bytes_max
    );
    println!(
        "resident memory             {:.1} MB now, {:.1} MB peak",
        report.resident_memory_mb, report.peak_resident_memory_mb
    );
    Ok(())
}
