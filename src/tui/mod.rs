//! The operator's screen (DESIGN §2): one loop — terminal input, ticks, screen pops and other
//! operators' changes become actions; `App::update` changes the state; `ui::render` draws it.

pub mod action;
pub mod app;
pub mod component;
pub mod desk;
pub mod dialog;
pub mod event;
pub mod field_errors;
pub mod forms;
pub mod i18n;
pub mod keymap;
pub mod overlay;
pub mod pane_keys;
pub mod panes;
pub mod pop;
pub mod theme;
pub mod ui;
pub mod view;
pub mod widgets;
pub mod worker;

use std::io::{Stdout, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::config::{Config, Paths};
use crate::store::{Actor, Store};
use action::Action;
use app::{App, Settings};
use event::Event;
use i18n::Lang;
use keymap::Keymap;
use theme::Theme;

/// How often the loop wakes without input: clock, call timer, drafts, others' changes.
const TICK: Duration = Duration::from_millis(250);

/// What the command line can choose for the screen.
#[derive(Debug, Clone, Default)]
pub struct ScreenChoices {
    pub theme: Option<String>,
    pub lang: Option<String>,
}

/// The settings of the screen from the config file, the command line and the environment.
pub fn settings(
    config: &Config,
    paths: &Paths,
    choices: &ScreenChoices,
    db_path: &Path,
) -> Settings {
    let mut warnings = Vec::new();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme_name = choices.theme.as_deref().or(config.ui.theme.as_deref());
    let (theme, problems) = Theme::load(theme_name, no_color, &paths.config_dir.join("themes"));
    warnings.extend(problems);
    let (keymap, problems) = Keymap::with_overrides(&config.keys);
    warnings.extend(problems);
    let lang = Lang::choose(choices.lang.as_deref().or(config.ui.language.as_deref()));
    let shared = std::fs::metadata(db_path).is_ok_and(|m| m.permissions().mode() & 0o060 != 0);
    // A target out of range is said once; the pane reads the figures against the defaults.
    let report_targets = match config.reports.check(config.surveys.csat_scale) {
        Ok(()) => config.reports.clone(),
        Err(e) => {
            warnings.push(format!(
                "[{}] in the config: {}; the Reports pane uses the default targets",
                e.field, e.reason
            ));
            crate::domain::report::ReportTargets::default()
        }
    };
    for w in &warnings {
        tracing::warn!("{w}");
    }
    Settings {
        lang,
        theme,
        keymap,
        lookup_limit: config.lookup.limit,
        shared,
        db_label: db_path.display().to_string(),
        // The centre's time zone (`[complaints] time_zone`), this machine's when unset.
        tz: config.complaints.tz(),
        warnings,
        grants: config.grants.clone(),
        surveys: config.surveys.clone(),
        report_targets,
        exports_dir: paths.data_dir.join("exports"),
    }
}

/// Puts the terminal back as it was. Safe to call more than once and when the terminal is gone.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let mut out = std::io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = out.flush();
}

struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Runs the screen until the operator quits, a signal arrives, or the terminal goes away.
pub fn run(store: Store, actor: Actor, settings: Settings, runtime_dir: &Path) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("cannot watch for signals")?;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        tracing::error!("panic: {info}");
        previous(info);
    }));

    let mut app = App::new(store, actor, settings);
    // On a shared host, settings of the operator's own config that the host decides.
    app.say_ignored_settings(&crate::host::ignored_own_settings());
    enable_raw_mode().context("cannot put the terminal in raw mode (is this a terminal?)")?;
    let _guard = TerminalGuard;
    let mut stdout = std::io::stdout();
    execute!(stdout, EnterAlternateScreen, EnableBracketedPaste)
        .context("cannot set up the terminal")?;
    let mut terminal =
        Terminal::new(CrosstermBackend::new(stdout)).context("cannot set up the terminal")?;
    let size = terminal.size().context("cannot read the terminal size")?;
    app.update(Action::Resize(size.width, size.height));

    let (tx, rx) = mpsc::channel();
    match app.desk.store.open_another() {
        Ok(reader) => {
            let loaded = tx.clone();
            app.desk.worker = Some(worker::Worker::start(reader, move |msg| {
                loaded.send(Event::Loaded(Box::new(msg))).is_ok()
            }));
        }
        Err(e) => tracing::warn!("no second connection for slow reads: {e}"),
    }
    // Today's care reminders, at most once a day per database, on a thread and connection of
    // their own (a run over a large database must neither delay the first frame nor hold up
    // the reads worker); the screens notice the reminders made as they notice any write.
    match app.desk.store.open_another() {
        Ok(mut generator) => {
            let actor = app.desk.actor.clone();
            let spawned = std::thread::Builder::new()
                .name("careline-care".into())
                .spawn(move || {
                    lowest_priority();
                    match generator.generate_reminders_once_today(&actor) {
                        Ok(Some(made)) => tracing::info!(
                            "care reminders for {}: {} made, {} there already",
                            made.day,
                            made.total(),
                            made.existing
                        ),
                        Ok(None) => tracing::debug!("care reminders already generated today"),
                        Err(e) => tracing::warn!("care reminders were not generated: {e}"),
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!("no thread to generate care reminders: {e}");
            }
        }
        Err(e) => tracing::warn!("no connection to generate care reminders: {e}"),
    }
    event::spawn_terminal_reader(tx.clone());
    let _pop = pop::listen(runtime_dir, tx);
    tracing::info!("screen started for {}", app.desk.actor.login);
    let result = event_loop(&mut app, &mut terminal, &rx, &stop);
    app.flush_draft();
    tracing::info!("screen closed for {}", app.desk.actor.login);
    // ratatui's Terminal shows a hidden cursor again when dropped and reports a failure with
    // eprintln!, which panics when the terminal has hung up (the SSH session dropped) and
    // standard error is gone with it. The guard's restore_terminal shows the cursor instead,
    // ignoring a terminal that is gone; the process ends right after, so nothing is leaked.
    std::mem::forget(terminal);
    result
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    rx: &mpsc::Receiver<Event>,
    stop: &AtomicBool,
) -> Result<()> {
    let mut redraw = true;
    let mut login_recorded = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            tracing::info!("signal received: saving the draft and closing");
            return Ok(());
        }
        if redraw {
            terminal
                .draw(|frame| ui::draw(frame, app))
                .context("cannot draw the screen")?;
            redraw = false;
        }
        if !login_recorded {
            // A login, in the audit log (DESIGN §6): after the first frame, which a write's
            // sync would otherwise hold up; a screen that cannot record it still works.
            login_recorded = true;
            if let Err(e) = app.desk.store.record_screen_start(&app.desk.actor) {
                tracing::warn!("the screen start was not audited: {e}");
            }
            app.desk.own_write();
        }
        let first = match rx.recv_timeout(TICK) {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        let Some(first) = first else {
            app.update(Action::Tick);
            // Only what changed on screen (clock minute, call timer, others' changes) redraws.
            redraw = app.take_changed();
            continue;
        };
        // Take every event already waiting before drawing again.
        let mut pending = vec![first];
        while let Ok(more) = rx.try_recv() {
            pending.push(more);
        }
        for event in pending {
            match event {
                Event::Term(TermEvent::Key(key)) => app.handle_key(key),
                Event::Term(TermEvent::Resize(w, h)) => {
                    app.update(Action::Resize(w, h));
                    terminal.autoresize().context("cannot resize")?;
                }
                Event::Term(TermEvent::Paste(text)) => app.update(Action::Paste(text)),
                Event::Term(_) => {}
                Event::Pop(number) => app.update(Action::Pop(number)),
                Event::Loaded(msg) => app.loaded(*msg),
                Event::InputClosed => return Ok(()),
            }
            redraw = true;
        }
        if app.quit {
            return Ok(());
        }
    }
}

/// Puts the calling thread (and the threads it starts) at the lowest scheduling priority, so
/// that a long background run (the day's care reminders) never takes the processor from the
/// screen's own drawing, nor from other operators' screens on a shared host.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions; setpriority with this thread's id changes only
        // its nice value (per thread on Linux; inherited by the threads it starts).
        let changed = unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, 19)
        };
        if changed != 0 {
            tracing::debug!(
                "care reminders keep the usual priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}
