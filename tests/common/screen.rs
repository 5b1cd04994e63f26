//! What the screen tests share: the desk's fixed moment, a store opened at it, a small demo
//! desk, and a drawn buffer read back as text.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use ratatui::buffer::Buffer;

use careline::demo::DemoSpec;
use careline::store::{Clock, OpenOptions, Store};
use careline::tui::app::Settings;
use careline::tui::i18n::Lang;
use careline::tui::keymap::Keymap;
use careline::tui::theme::Theme;

/// The desk's "now" in every screen test (10:30 in China).
pub fn screen_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 30, 0)
        .single()
        .expect("time")
}

/// The database at `path` (created if new), its clock fixed at [`screen_now`].
pub fn open_at_screen_time(path: &Path) -> Store {
    let mut store = Store::open(
        path,
        OpenOptions {
            create: true,
            ..OpenOptions::default()
        },
    )
    .expect("open");
    store.set_clock(Clock::Fixed(screen_now()));
    store
}

/// A demo desk of `customers` with the administrator li.na, the same on every run.
pub fn demo_desk(dir: &tempfile::TempDir, customers: u64, seed: u64) -> PathBuf {
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    careline::demo::generate(
        &mut store,
        &admin,
        DemoSpec { customers, seed },
        false,
        &|_| {},
    )
    .expect("demo");
    path
}

/// A drawn buffer as text, wide characters taking their two cells once.
pub fn buffer_text(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut skip = 0;
        for x in 0..buffer.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            out.push_str(symbol);
        }
        out.push('\n');
    }
    out
}

/// The screen's settings in the tests: `lang`, the mono theme, the default keys, 20 results,
/// a local database labelled `db_label`, the desk in China (+08:00).
pub fn settings(lang: Lang, db_label: &str) -> Settings {
    Settings {
        lang,
        theme: Theme::mono(),
        keymap: Keymap::default(),
        lookup_limit: 20,
        shared: false,
        db_label: db_label.into(),
        tz: chrono::FixedOffset::east_opt(8 * 3600).expect("offset"),
        warnings: Vec::new(),
        grants: careline::domain::grant::GrantRules::default(),
        report_targets: careline::domain::report::ReportTargets::default(),
        surveys: careline::domain::survey::SurveyRules::default(),
        // A test that exports sets a folder of its own.
        exports_dir: std::env::temp_dir().join("careline-screen-test-exports"),
    }
}

/// A key pressed, without modifiers.
pub fn key(app: &mut careline::tui::app::App, code: crossterm::event::KeyCode) {
    use crossterm::event::{KeyEvent, KeyModifiers};
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Ctrl and a letter.
pub fn ctrl(app: &mut careline::tui::app::App, c: char) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// Text typed key by key.
pub fn type_text(app: &mut careline::tui::app::App, text: &str) {
    for c in text.chars() {
        key(app, crossterm::event::KeyCode::Char(c));
    }
}

/// The whole screen drawn at `width`×`height`, as the terminal would show it.
pub fn draw(
    app: &mut careline::tui::app::App,
    width: u16,
    height: u16,
) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    app.update(careline::tui::action::Action::Resize(width, height));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("terminal");
    terminal
        .draw(|f| careline::tui::ui::draw(f, app))
        .expect("draw");
    terminal
}

/// The whole screen drawn at `width`×`height`, as text.
pub fn screen(app: &mut careline::tui::app::App, width: u16, height: u16) -> String {
    buffer_text(draw(app, width, height).backend().buffer())
}

/// The message line's text (empty when there is none).
pub fn message(app: &careline::tui::app::App) -> String {
    app.desk
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// A customer's card opened, with the keyboard.
pub fn open_card(app: &mut careline::tui::app::App, customer: i64) {
    app.loaded(careline::tui::component::Msg::OpenCustomer {
        id: customer,
        focus: true,
    });
    assert_eq!(app.focus(), careline::tui::app::Focus::Card);
}
