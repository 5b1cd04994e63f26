//! `careline bench screen`: the operator's screen measured in-process on the current database,
//! drawing into a byte-counting terminal exactly as it would draw to a real one.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde::Serialize;

use super::bench::{figures, national_digits, sample_customers, Figures, Sample, ScreenArgs};
use super::Context;
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
pub struct ScreenReport {
    pub customers: i64,
    pub size: String,
    /// Opening the database, loading and drawing the first frame, inside this process.
    pub start_in_process_ms: f64,
    /// A real `careline` process in a pseudo-terminal, from spawn to the first complete frame
    /// on the terminal (top bar and status bar both drawn).
    pub start_process: Figures,
    /// Peak resident memory of those processes at their first frame.
    pub start_process_peak_memory_mb: f64,
    /// Typed keys, each a lookup and a drawn frame, by what was typed.
    pub typed: Vec<Figures>,
    /// ↓ in the results: no database work, only drawing.
    pub selection_move: Figures,
    pub mean_results_per_caller: f64,
    pub selection_move_bytes_mean: f64,
    pub selection_move_bytes_max: usize,
    pub resident_memory_mb: f64,
    pub peak_resident_memory_mb: f64,
}

pub(super) fn memory_kb(field: &str) -> Option<u64> {
    memory_kb_of("/proc/self/status", field)
}

/// A memory figure (kB) from a `/proc/<pid>/status` file.
fn memory_kb_of(path: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
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
        app.overlay.dialog = None; // a draft offer would cover the screen being measured
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

/// What a caller is looked up by in `bench screen`.
#[derive(Clone, Copy)]
enum Typed {
    Digits,
    Name,
    UnknownName,
}

impl Typed {
    const ALL: [Typed; 3] = [Typed::Digits, Typed::Name, Typed::UnknownName];

    fn label(self) -> &'static str {
        match self {
            Typed::Digits => "typed key: last 4 digits of a phone",
            Typed::Name => "typed key: a name",
            Typed::UnknownName => "typed key: a name nobody has",
        }
    }

    /// The text typed for customer `s`: an unknown name is the name read backwards (with
    /// "x" after a Latin one), which the lookup has to search every index for.
    fn query(self, s: &Sample) -> Option<String> {
        match self {
            Typed::Digits => s.phone.as_ref().map(|(normalized, _)| {
                let d = national_digits(normalized);
                d[d.len().saturating_sub(4)..].to_string()
            }),
            Typed::Name => Some(s.name.clone()),
            Typed::UnknownName => {
                let mut backwards: String = s.name.chars().rev().collect();
                if !crate::domain::search_key::has_cjk(&backwards) {
                    backwards.push('x');
                }
                Some(backwards)
            }
        }
    }
}

/// Starts `careline` on this database as a real process in a pseudo-terminal of `width` ×
/// `height` and waits for its first complete frame: the time from spawn to that frame, and
/// the process's peak resident memory then.
fn start_process(ctx: &Context, width: u16, height: u16) -> Result<(Duration, f64)> {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    use std::io::Read as _;
    use std::sync::mpsc;

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: height,
            cols: width,
            pixel_width: 0,
            pixel_height: 0,
        })
        .map_err(|e| anyhow::anyhow!("cannot open a pseudo-terminal: {e}"))?;
    let exe = std::env::current_exe().context("cannot find the careline binary")?;
    let mut cmd = CommandBuilder::new(exe);
    if ctx.demo {
        cmd.arg("--demo");
    } else {
        cmd.arg("--db");
        cmd.arg(&ctx.db_path);
    }
    if let Some(login) = &ctx.as_login {
        cmd.arg("--as");
        cmd.arg(login);
    }
    if ctx.allow_network_fs {
        cmd.arg("--allow-network-fs");
    }
    if let Some(config) = &ctx.config_file {
        cmd.arg("--config");
        cmd.arg(config);
    }
    cmd.args(["--lang", "en", "--theme", "dark"]);
    cmd.env("TERM", "xterm-256color");
    // A relative --db or --config names a file in this directory, not in the child's home.
    if let Ok(dir) = std::env::current_dir() {
        cmd.cwd(dir);
    }
    let mut reader = pty
        .master
        .try_clone_reader()
        .map_err(|e| anyhow::anyhow!("cannot read the pseudo-terminal: {e}"))?;
    let (chunks, received) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || chunks.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let mut child = pty
        .slave
        .spawn_command(cmd)
        .map_err(|e| anyhow::anyhow!("cannot start careline: {e}"))?;
    let pid = child.process_id();
    let mut parser = vt100::Parser::new(height, width, 0);
    let deadline = started + Duration::from_secs(30);
    let outcome = loop {
        if Instant::now() >= deadline {
            break Err(anyhow::anyhow!(
                "careline drew no complete frame within 30 s; the terminal showed:\n{}",
                parser.screen().contents()
            ));
        }
        match received.recv_timeout(Duration::from_millis(50)) {
            Ok(chunk) => {
                parser.process(&chunk);
                let screen = parser.screen();
                let row = |r: u16| screen.contents_between(r, 0, r, width);
                if !row(0).trim().is_empty() && !row(height - 1).trim().is_empty() {
                    break Ok(started.elapsed());
                }
            }
            Err(_) => {
                if let Ok(Some(status)) = child.try_wait() {
                    break Err(anyhow::anyhow!(
                        "careline ended ({status:?}) before drawing a frame: {}",
                        parser.screen().contents().trim()
                    ));
                }
            }
        }
    };
    let peak = pid
        .and_then(|pid| memory_kb_of(&format!("/proc/{pid}/status"), "VmHWM:"))
        .unwrap_or(0) as f64
        / 1024.0;
    let _ = child.kill();
    let _ = child.wait();
    outcome.map(|elapsed| (elapsed, peak))
}

pub fn run(ctx: &Context, args: &ScreenArgs) -> Result<ScreenReport> {
    if args.samples == 0 || args.width < 20 || args.height < 8 {
        bail!("--samples must be at least 1, --width at least 20 and --height at least 8");
    }
    let mut starts = Vec::new();
    let mut start_peak: f64 = 0.0;
    for _ in 0..args.starts {
        let (elapsed, peak) = start_process(ctx, args.width, args.height)?;
        starts.push(elapsed);
        start_peak = start_peak.max(peak);
    }
    let started = Instant::now();
    let mut screen = BenchScreen::open(ctx, args.width, args.height)?;
    screen.draw()?;
    let first_frame = started.elapsed();
    // Counted after the first frame: the screen itself never counts the whole table.
    let customers = screen.app.desk.store.customer_count()?;

    let samples = sample_customers(&screen.app.desk.store, args.samples, args.seed)?;
    let mut typed: Vec<(Vec<Duration>, String)> = Typed::ALL
        .iter()
        .map(|_| (Vec::new(), String::new()))
        .collect();
    let mut moves: Vec<Duration> = Vec::new();
    let mut results = 0;
    let mut move_bytes: Vec<usize> = Vec::new();
    for (n, s) in samples.iter().enumerate() {
        // A caller without a mobile is looked up by name, and counted as a name.
        let wanted = Typed::ALL[n % Typed::ALL.len()];
        let Some((kind, query)) = wanted
            .query(s)
            .map(|q| (wanted, q))
            .or_else(|| Typed::Name.query(s).map(|q| (Typed::Name, q)))
        else {
            continue;
        };
        let (times, example) = &mut typed[kind as usize];
        if example.is_empty() {
            *example = query.clone();
        }
        for c in query.chars() {
            times.push(screen.key(press(KeyCode::Char(c)))?);
        }
        results += screen.app.lookup().results.len();
        // Move the selection one row down (the first ↓ enters the list) and count the bytes.
        screen.key(press(KeyCode::Down))?;
        for _ in 0..3 {
            let before = screen.bytes();
            let time = screen.key(press(KeyCode::Down))?;
            if screen.app.lookup().results.len() > 4 {
                moves.push(time);
                move_bytes.push(screen.bytes() - before);
            }
        }
        // Clear the box for the next caller.
        screen.app.handle_key(press(KeyCode::Char('/')));
        screen.key(press(KeyCode::Esc))?;
    }
    Ok(ScreenReport {
        customers,
        size: format!("{}x{}", args.width, args.height),
        start_in_process_ms: first_frame.as_secs_f64() * 1000.0,
        start_process: figures(
            "start to first frame, real process in a pseudo-terminal",
            None,
            String::new(),
            starts,
            None,
        ),
        start_process_peak_memory_mb: start_peak,
        typed: Typed::ALL
            .iter()
            .zip(typed)
            .map(|(kind, (times, example))| figures(kind.label(), None, example, times, None))
            .collect(),
        selection_move: figures(
            "selection one row down (no lookup)",
            None,
            String::new(),
            moves,
            None,
        ),
        mean_results_per_caller: results as f64 / samples.len().max(1) as f64,
        selection_move_bytes_mean: if move_bytes.is_empty() {
            0.0
        } else {
            move_bytes.iter().sum::<usize>() as f64 / move_bytes.len() as f64
        },
        selection_move_bytes_max: move_bytes.iter().copied().max().unwrap_or(0),
        resident_memory_mb: memory_kb("VmRSS:").unwrap_or(0) as f64 / 1024.0,
        peak_resident_memory_mb: memory_kb("VmHWM:").unwrap_or(0) as f64 / 1024.0,
    })
}

pub fn print(report: &ScreenReport) {
    println!(
        "screen on {} customers at {}",
        report.customers, report.size
    );
    println!(
        "start to first frame, in-process           {:>8.1} ms (open, load, first draw)",
        report.start_in_process_ms
    );
    let f = &report.start_process;
    println!(
        "start to first frame, process in a pty     p50 {:.1} ms  max {:.1} ms  ({} starts); peak memory {:.1} MB",
        f.p50_ms, f.max_ms, f.samples, report.start_process_peak_memory_mb
    );
    println!(
        "{:<44} {:>6} {:>8} {:>8} {:>8}  example",
        "key to drawn frame", "keys", "p50 ms", "p99 ms", "max ms"
    );
    for f in report
        .typed
        .iter()
        .chain(std::iter::once(&report.selection_move))
    {
        println!(
            "{:<44} {:>6} {:>8.3} {:>8} {:>8.3}  {}",
            f.kind,
            f.samples,
            f.p50_ms,
            f.p99_text(),
            f.max_ms,
            f.example
        );
    }
    println!(
        "selection one row down: mean {:.0} bytes, max {} bytes written to the terminal",
        report.selection_move_bytes_mean, report.selection_move_bytes_max
    );
    println!(
        "resident memory {:.1} MB now, {:.1} MB peak",
        report.resident_memory_mb, report.peak_resident_memory_mb
    );
    println!("{}", super::bench::P99_NOTE);
}

/// A pane's tab number (its F key) and the first key of each of its own actions named in
/// `actions` (the filters a pane bench switches on and off).
pub(super) fn pane_tab(id: &str, actions: &[&str]) -> Result<(u8, Vec<(&'static str, KeyEvent)>)> {
    let mut tab = 0u8;
    for pane in crate::tui::panes::registered() {
        if pane.tab().is_some() {
            tab += 1;
        }
        if pane.id().0 != id {
            continue;
        }
        let mut keys = Vec::new();
        for table in pane.keys() {
            for key in table.keys {
                if let crate::tui::action::Action::Pane(action) = key.action {
                    if let (true, Some(first)) = (actions.contains(&action.name), key.keys.first())
                    {
                        keys.push((action.name, KeyEvent::new(first.code, first.modifiers)));
                    }
                }
            }
        }
        return Ok((tab, keys));
    }
    bail!("this careline has no {id} pane")
}

/// A list pane to measure, and what its keys are called in the figures.
pub(super) struct PaneKeys<'a> {
    pub pane: &'a str,
    pub tab: u8,
    /// Opening its tab, and what it then holds ("4020 open").
    pub open: &'static str,
    pub open_detail: String,
    /// ↓ and PgDn in its list.
    pub down: &'static str,
    pub page_down: &'static str,
    pub filters: Vec<(&'static str, KeyEvent)>,
}

/// A list pane's keys, key to drawn frame, `samples` each: its tab opened (from the first
/// tab, so that the list is read each time), ↓ and PgDn (from the top every fiftieth), and each
/// filter switched on or off.
pub(super) fn pane_keys(
    screen: &mut BenchScreen,
    keys: PaneKeys<'_>,
    samples: usize,
) -> Result<Vec<Figures>> {
    let tab_key = press(KeyCode::F(keys.tab));
    let other_tab = press(KeyCode::F(1));
    let mut out = Vec::new();
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        screen.key(other_tab)?;
        times.push(screen.key(tab_key)?);
    }
    out.push(figures(keys.open, None, keys.open_detail, times, None));
    if !matches!(screen.app.context(), crate::tui::keymap::Context::Pane(t) if t.name == keys.pane)
    {
        bail!(
            "F{} did not bring the {} pane to the keyboard",
            keys.tab,
            keys.pane
        );
    }
    for (label, code) in [
        (keys.down, KeyCode::Down),
        (keys.page_down, KeyCode::PageDown),
    ] {
        let mut times = Vec::with_capacity(samples);
        for i in 0..samples {
            if i % 50 == 0 {
                screen.key(press(KeyCode::Home))?;
            }
            times.push(screen.key(press(code))?);
        }
        out.push(figures(label, None, String::new(), times, None));
    }
    for (name, key) in keys.filters {
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            times.push(screen.key(key)?);
        }
        out.push(figures(
            "filter switched on or off",
            None,
            name.to_string(),
            times,
            None,
        ));
    }
    Ok(out)
}
