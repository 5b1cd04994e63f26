//! The Reports pane (DESIGN §2 tab 5, §3.7): a supervisor's dashboard of a period — the
//! headline figures against their targets (met ✓, not met ✗, in the theme's ok and breach
//! roles), contacts by channel as a bar chart, the complaints opened per day as a sparkline,
//! the complaint hot spots (category × month) and one row per operator. Every figure is the
//! one `careline report` gives (`Store::report`, defined in `docs/REPORTS.md`).
//!
//! The period (today … this year) and the operator (all, or one) are chosen on the filter line
//! with `←` `→`, `Tab` moving between the two; `c` sets the period before beside each headline
//! figure; `e` writes what is shown as the CSV `careline report --format csv` prints, to a file
//! in the operator's exports folder; `r` calculates again. A report can take a while on a large
//! desk: it is calculated on the reads worker, the pane says "calculating…" meanwhile and keeps
//! taking keys, and a result for a choice since changed is dropped. Only supervisors and admins
//! have the tab (`ReadReports`); the store refuses anyone else anyway.

use std::any::Any;
use std::fs::File;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::Duration;
use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Paragraph, Sparkline, Widget};

use crate::domain::customer::Channel;
use crate::domain::operator::Permission;
use crate::domain::report::{Period, PeriodName};
use crate::report_text::{minutes, number, percent, target_percent, OrDash};
use crate::store::{Report, ReportQuery, Store, StoreError};
use crate::text::{pad, sanitize, truncate, width};
use crate::tui::action::Action;
use crate::tui::component::{Msg, Pane, PaneId, Tab};
use crate::tui::desk::Desk;
use crate::tui::keymap::{Context, Key, KeyTable, PaneAction, PaneKey};
use crate::tui::theme::Theme;
use crate::tui::view::View;

pub const ID: PaneId = PaneId("reports");

/// On the filter line: the period or operator before or after the one chosen.
pub const PREV_VALUE: PaneAction =
    PaneAction::new("report_previous_value", "action.previous_value");
pub const NEXT_VALUE: PaneAction = PaneAction::new("report_next_value", "action.next_value");
/// The period before, beside each headline figure (again: no longer).
pub const COMPARE: PaneAction = PaneAction::new("report_compare", "action.report_compare");
/// What is shown, as the command's CSV, to a file.
pub const EXPORT: PaneAction = PaneAction::new("report_export", "action.report_export");
/// The figures calculated again now.
pub const RECALCULATE: PaneAction =
    PaneAction::new("report_recalculate", "action.report_recalculate");

pub const KEYS: KeyTable = KeyTable {
    name: "reports",
    title: "context.reports",
    text: false,
    keys: &[
        PaneKey::hint(
            Action::Pane(&NEXT_VALUE),
            &[Key::plain(KeyCode::Right), Key::char('l')],
        ),
        PaneKey::new(
            Action::Pane(&PREV_VALUE),
            &[Key::plain(KeyCode::Left), Key::char('h')],
        ),
        PaneKey::hint(Action::NextField, &[Key::plain(KeyCode::Tab)]),
        PaneKey::new(Action::PrevField, &[Key::plain(KeyCode::BackTab)]),
        PaneKey::hint(Action::Pane(&COMPARE), &[Key::char('c')]),
        PaneKey::hint(Action::Pane(&EXPORT), &[Key::char('e')]),
        PaneKey::new(Action::Pane(&RECALCULATE), &[Key::char('r')]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
        PaneKey::new(Action::Up, &[Key::plain(KeyCode::Up), Key::char('k')]),
        PaneKey::new(Action::PageDown, &[Key::plain(KeyCode::PageDown)]),
        PaneKey::new(Action::PageUp, &[Key::plain(KeyCode::PageUp)]),
        PaneKey::new(Action::Top, &[Key::plain(KeyCode::Home), Key::char('g')]),
        PaneKey::new(Action::Bottom, &[Key::plain(KeyCode::End), Key::char('G')]),
        PaneKey::new(Action::Back, &[Key::plain(KeyCode::Esc)]),
        PaneKey::new(Action::FocusSearch, &[Key::char('/')]),
        PaneKey::new(Action::Quit, &[Key::char('q')]),
    ],
};

/// Others' changes calculate the figures again at most this often (a report of a year can
/// take seconds; the line above the figures says as of when they are).
const RECALCULATE_AFTER_SECONDS: i64 = 60;

/// From this inner width the sections sit side by side (a terminal of 120 columns).
const WIDE: u16 = 118;

/// What is asked: a period by its name (as of the day it was asked), one operator or all,
/// and whether the period before is shown beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub name: PeriodName,
    pub period: Period,
    pub operator: Option<String>,
    pub compare: bool,
}

impl Asked {
    /// Whether figures calculated for `self` show what `other` asks (the same period and
    /// operator; with the period before if `other` wants it).
    fn covers(&self, other: &Asked) -> bool {
        self.same_figures(other) && (self.compare || !other.compare)
    }

    fn same_figures(&self, other: &Asked) -> bool {
        self.period == other.period && self.operator == other.operator
    }
}

/// The figures of a period, and of the period before when asked.
#[derive(Debug, Clone)]
pub struct Figures {
    pub now: Report,
    pub before: Option<Report>,
}

/// What a calculation on the worker came to.
#[derive(Debug)]
pub enum Outcome {
    Figures(Box<Figures>),
    Failed(StoreError),
    /// Another choice was made before it began: not calculated.
    Superseded,
}

/// A calculation's answer, sent back to the pane ([`Msg::Report`]).
#[derive(Debug)]
pub struct Calculated {
    pub ticket: u64,
    pub asked: Asked,
    pub outcome: Outcome,
}

/// The figures on screen and what they were asked for.
#[derive(Debug, Clone)]
pub struct Shown {
    pub asked: Asked,
    pub figures: Figures,
}

#[derive(Debug, Default)]
pub struct Reports {
    /// The period chosen (this month until another is).
    pub period: Option<PeriodName>,
    /// The operator chosen (their login), or all.
    pub operator: Option<String>,
    /// The period before shown beside the headline figures.
    pub compare: bool,
    /// The field of the filter line `←` `→` change: 0 the period, 1 the operator.
    pub field: usize,
    /// The logins the operator choice goes through.
    pub operators: Vec<String>,
    /// The choice as last resolved against the day (what the screen should show).
    pub choice: Option<Asked>,
    pub shown: Option<Shown>,
    /// The calculation waited for: its ticket and what it was asked.
    pub pending: Option<(u64, Asked)>,
    /// The last ticket handed out: a job whose ticket is older is not begun.
    latest: Arc<AtomicU64>,
    ticket: u64,
    /// Rows scrolled below the filter line.
    pub scroll: usize,
    /// The tab was asked for: read afresh.
    afresh: bool,
    /// Others wrote since the last reload.
    data_changed: bool,
    /// When this pane last said something of the figures shown (an export, or a wait for
    /// it): taken back once other figures are chosen, as it no longer applies — and a wait
    /// once the figures arrive.
    said_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What was said is a wait for figures still being calculated.
    said_wait: bool,
}

impl Reports {
    /// Takes back what this pane said of the figures then shown, if it is still on the line.
    fn unsay(&mut self, desk: &mut Desk) {
        if let Some(at) = self.said_at.take() {
            if desk.message.as_ref().is_some_and(|m| m.at == at) {
                desk.message = None;
            }
        }
    }

    /// Notes what was just said of the figures shown (see `said_at`); `wait` when it asks to
    /// wait for them.
    fn noted(&mut self, desk: &Desk, wait: bool) {
        self.said_at = desk.message.as_ref().map(|m| m.at);
        self.said_wait = wait;
    }

    fn period_name(&self) -> PeriodName {
        self.period.unwrap_or(PeriodName::ThisMonth)
    }

    /// The choice, as of the store's today (the day `careline report` counts from).
    fn resolve(&self, desk: &Desk) -> Asked {
        let name = self.period_name();
        Asked {
            name,
            period: Period::named(name, desk.store.today()),
            operator: self.operator.clone(),
            compare: self.compare,
        }
    }

    /// The figures to draw for the choice: those shown if they are of its period and operator.
    pub fn displayed(&self) -> Option<&Shown> {
        let choice = self.choice.as_ref()?;
        self.shown.as_ref().filter(|s| s.asked.same_figures(choice))
    }

    /// Whether a calculation is under way.
    pub fn calculating(&self) -> bool {
        self.pending.is_some()
    }

    /// Calculates what the choice asks unless it is shown or being calculated (`force`:
    /// whatever is shown); a calculation no longer wanted is let go.
    fn refresh(&mut self, desk: &mut Desk, force: bool) {
        let asked = self.resolve(desk);
        self.choice = Some(asked.clone());
        let have = self.shown.as_ref().is_some_and(|s| s.asked.covers(&asked));
        let waiting = self.pending.as_ref().is_some_and(|(_, p)| p.covers(&asked));
        if force && !waiting {
            return self.calculate(asked, desk);
        }
        if waiting {
            return;
        }
        if have {
            // A calculation for an earlier choice is no longer wanted: it is not begun, and
            // its answer, if it comes, is dropped.
            if self.pending.take().is_some() {
                self.ticket += 1;
                self.latest.store(self.ticket, Ordering::Relaxed);
            }
            return;
        }
        self.calculate(asked, desk);
    }

    /// Hands the report to the worker (or, without one, calculates it now).
    fn calculate(&mut self, asked: Asked, desk: &mut Desk) {
        if !desk.actor.may(Permission::ReadReports) {
            return;
        }
        self.ticket += 1;
        let ticket = self.ticket;
        self.latest.store(ticket, Ordering::Relaxed);
        self.pending = Some((ticket, asked.clone()));
        let actor = desk.actor.clone();
        let targets = desk.settings.report_targets.clone();
        let csat_scale = desk.settings.surveys.csat_scale;
        let latest = Arc::clone(&self.latest);
        let job = Box::new(move |store: &mut Store| {
            let outcome = figures(store, &actor, &asked, &targets, csat_scale, || {
                latest.load(Ordering::Relaxed) != ticket
            });
            Msg::Report(Box::new(Calculated {
                ticket,
                asked,
                outcome,
            }))
        });
        let job = match &desk.worker {
            Some(worker) => match worker.submit(job) {
                Ok(()) => return,
                Err(job) => {
                    tracing::warn!("the reads worker is gone; calculating on the key path");
                    job
                }
            },
            None => job,
        };
        let msg = job(&mut desk.store);
        desk.post(msg);
    }

    /// A calculation's answer: shown if it is the one waited for, otherwise dropped.
    fn arrived(&mut self, c: &Calculated, desk: &mut Desk) {
        if self.pending.as_ref().map(|(t, _)| *t) != Some(c.ticket) {
            return;
        }
        self.pending = None;
        match &c.outcome {
            Outcome::Figures(f) => {
                // The wait is over; where an export was saved still holds (the same
                // figures recalculated, or others chosen, which took it back already).
                if self.said_wait {
                    self.unsay(desk);
                }
                self.shown = Some(Shown {
                    asked: c.asked.clone(),
                    figures: (**f).clone(),
                });
                // An operator with figures who is no longer active can still be chosen.
                if c.asked.operator.is_none() {
                    for o in &f.now.per_operator {
                        if !self.operators.contains(&o.login) {
                            self.operators.push(o.login.clone());
                        }
                    }
                    self.operators.sort();
                }
                let max = self.max_scroll(desk);
                self.scroll = self.scroll.min(max);
            }
            Outcome::Failed(e) => desk.store_error(e),
            Outcome::Superseded => {}
        }
    }

    /// The operators the choice goes through: the active ones (and whoever the figures of
    /// everyone list).
    fn read_operators(&mut self, desk: &mut Desk) {
        match desk.store.operators() {
            Ok(all) => {
                let mut logins: Vec<String> = all
                    .into_iter()
                    .filter(|o| o.active)
                    .map(|o| o.login)
                    .collect();
                for login in &self.operators {
                    if !logins.contains(login) {
                        logins.push(login.clone());
                    }
                }
                logins.sort();
                self.operators = logins;
            }
            Err(e) => desk.store_error(&e),
        }
    }

    fn change_value(&mut self, forward: bool, desk: &mut Desk) {
        if self.field == 0 {
            let all = PeriodName::ALL;
            let at = all
                .iter()
                .position(|p| *p == self.period_name())
                .unwrap_or(0);
            let n = all.len();
            let next = if forward {
                (at + 1) % n
            } else {
                (at + n - 1) % n
            };
            self.period = Some(all[next]);
        } else {
            let indices: Vec<usize> = (0..self.operators.len()).collect();
            let now = self
                .operator
                .as_ref()
                .and_then(|o| self.operators.iter().position(|x| x == o));
            self.operator = super::cycle(&indices, now, forward).map(|i| self.operators[i].clone());
        }
        self.unsay(desk);
        self.refresh(desk, false);
    }

    fn act(&mut self, action: &Action, desk: &mut Desk) {
        let page = desk.page();
        let max = self.max_scroll(desk);
        match action {
            Action::Pane(a) if a.name == NEXT_VALUE.name => self.change_value(true, desk),
            Action::Pane(a) if a.name == PREV_VALUE.name => self.change_value(false, desk),
            Action::NextField | Action::PrevField => self.field = 1 - self.field.min(1),
            Action::Pane(a) if a.name == COMPARE.name => {
                self.compare = !self.compare;
                self.refresh(desk, false);
            }
            Action::Pane(a) if a.name == EXPORT.name => self.export(desk),
            Action::Pane(a) if a.name == RECALCULATE.name => self.refresh(desk, true),
            Action::Down => self.scroll = (self.scroll + 1).min(max),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll = (self.scroll + page).min(max),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = max,
            Action::Back => desk.post(Msg::Focus(super::lookup::ID)),
            _ => {}
        }
    }

    /// The rows the figures can scroll by on the desk's screen.
    fn max_scroll(&self, desk: &Desk) -> usize {
        let Some(shown) = self.displayed() else {
            return 0;
        };
        let (w, h) = desk.size;
        // The body is the screen less the tab line, the footer and the status bar; the pane's
        // frame and its two lines of choices come off that. A message too long for one line
        // (where `e` saved the CSV) takes a second line of the footer, as `ui::render` draws it.
        let footer = desk.message.as_ref().map_or(1, |m| {
            crate::tui::ui::message_lines(&sanitize(&m.text), usize::from(w)).len()
        });
        let footer = u16::try_from(footer).unwrap_or(u16::MAX);
        let inner = Rect::new(
            0,
            0,
            w.saturating_sub(2),
            h.saturating_sub(footer.saturating_add(6)),
        );
        let compare = self.compare && shown.figures.before.is_some();
        let layout = layout(&shown.figures.now, inner.width, compare);
        usize::from(layout.height).saturating_sub(usize::from(inner.height))
    }

    /// `e`: the figures shown, as `careline report --format csv` prints them, to a new file
    /// in the operator's exports folder (readable by the operator only); the message line
    /// says where.
    fn export(&mut self, desk: &mut Desk) {
        // (While other figures are being calculated, those shown are not what was chosen.)
        let Some(shown) = self.displayed().filter(|s| {
            self.pending
                .as_ref()
                .is_none_or(|(_, p)| p.same_figures(&s.asked))
        }) else {
            desk.warn_t("reports.export_wait");
            self.noted(desk, true);
            return;
        };
        let text = match crate::report_text::csv(&shown.figures.now) {
            Ok(text) => text,
            Err(e) => {
                let said = desk
                    .i18n
                    .f("reports.export_failed", &[("reason", &e.to_string())]);
                desk.error(said);
                return;
            }
        };
        let asked = &shown.asked;
        let who = asked
            .operator
            .as_deref()
            .map(|o| format!("-{}", file_safe(o)))
            .unwrap_or_default();
        let stamp = desk
            .now
            .with_timezone(&desk.settings.tz)
            .format("%Y%m%d-%H%M%S");
        let base = format!(
            "report-{}-{}{who}-{stamp}",
            asked.period.from, asked.period.to
        );
        match write_export(&desk.settings.exports_dir, &base, &text) {
            Ok(path) => {
                let said = desk.i18n.f(
                    "reports.exported",
                    &[("path", &sanitize(&path.display().to_string()))],
                );
                desk.info(said);
                self.noted(desk, false);
            }
            Err(e) => {
                let said = desk
                    .i18n
                    .f("reports.export_failed", &[("reason", &e.to_string())]);
                desk.error(said);
            }
        }
    }
}

/// The figures `asked` asks for, read on the worker's connection; not begun (nor the period
/// before) once `superseded` says another choice was made.
fn figures(
    store: &mut Store,
    actor: &crate::store::Actor,
    asked: &Asked,
    targets: &crate::domain::report::ReportTargets,
    csat_scale: i64,
    superseded: impl Fn() -> bool,
) -> Outcome {
    if superseded() {
        return Outcome::Superseded;
    }
    let query = ReportQuery {
        period: asked.period,
        operator: asked.operator.clone(),
        csat_scale,
    };
    let now = match store.report(actor, &query, targets) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(e),
    };
    let before = if asked.compare {
        if superseded() {
            return Outcome::Superseded;
        }
        let query = ReportQuery {
            period: asked.period.previous(),
            ..query
        };
        match store.report(actor, &query, targets) {
            Ok(r) => Some(r),
            Err(e) => return Outcome::Failed(e),
        }
    } else {
        None
    };
    Outcome::Figures(Box::new(Figures { now, before }))
}

/// A login as part of a file name: letters, digits, `.`, `_` and `-` kept, anything else `_`.
fn file_safe(login: &str) -> String {
    login
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `text` to a new file `base.csv` in `dir` (`base-2.csv` … when one of that name is
/// there), created for the operator only (0600, the folder 0700) with the user's own rights
/// on a shared host, as the command line's exports are.
fn write_export(dir: &Path, base: &str, text: &str) -> std::io::Result<PathBuf> {
    crate::host::as_user(|| {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    })?;
    for n in 1..100 {
        let name = if n == 1 {
            format!("{base}.csv")
        } else {
            format!("{base}-{n}.csv")
        };
        let path = dir.join(name);
        let opened = crate::host::as_user(|| {
            File::options()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
        });
        match opened {
            Ok(mut file) => {
                let written = file
                    .write_all(text.as_bytes())
                    .and_then(|()| file.sync_all());
                if let Err(e) = written {
                    let _ = std::fs::remove_file(&path);
                    return Err(e);
                }
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "{} holds too many exports named {base}",
        dir.display()
    )))
}

impl Pane for Reports {
    fn id(&self) -> PaneId {
        ID
    }

    fn tab(&self) -> Option<Tab> {
        Some(Tab {
            label: "tab.reports",
        })
    }

    fn needs(&self) -> Option<Permission> {
        Some(Permission::ReadReports)
    }

    fn keys(&self) -> &'static [KeyTable] {
        &[KEYS]
    }

    fn context(&self) -> Context {
        Context::Pane(&KEYS)
    }

    fn update(&mut self, msg: &Msg, desk: &mut Desk) {
        match msg {
            Msg::Action(action) => self.act(action, desk),
            Msg::Report(c) => self.arrived(c, desk),
            Msg::Focus(id) if *id == ID => self.afresh = true,
            Msg::DataChanged => self.data_changed = true,
            _ => {}
        }
    }

    fn reload(&mut self, desk: &mut Desk) {
        if !desk.actor.may(Permission::ReadReports) {
            return;
        }
        self.read_operators(desk);
        let afresh = std::mem::take(&mut self.afresh);
        let changed = std::mem::take(&mut self.data_changed);
        // Others' changes: again when the figures shown are a while old and none are coming.
        let old = self.shown.as_ref().is_some_and(|s| {
            desk.now - s.figures.now.period.generated_at
                >= Duration::seconds(RECALCULATE_AFTER_SECONDS)
        });
        let force = afresh || (changed && old && self.pending.is_none());
        self.refresh(desk, force);
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View) -> Option<Position> {
        draw(self, area, buf, view);
        None
    }

    fn offers(&self, action: &Action) -> bool {
        match action {
            Action::Pane(a) if a.name == EXPORT.name => self.displayed().is_some(),
            _ => true,
        }
    }

    fn action_label(&self, action: &Action) -> Option<&'static str> {
        match action {
            Action::Pane(a) if a.name == NEXT_VALUE.name => Some(if self.field == 0 {
                "action.report_next_period"
            } else {
                "action.report_next_operator"
            }),
            Action::Pane(a) if a.name == PREV_VALUE.name => Some(if self.field == 0 {
                "action.report_previous_period"
            } else {
                "action.report_previous_operator"
            }),
            Action::NextField | Action::PrevField => Some(if self.field == 0 {
                "action.report_to_operator"
            } else {
                "action.report_to_period"
            }),
            Action::Pane(a) if a.name == COMPARE.name && self.compare => {
                Some("action.report_compare_off")
            }
            _ => None,
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

// ----- drawing -----

/// Where each section goes in the figures' own rows (scrolled under the filter line).
#[derive(Debug, Clone, Copy)]
struct Layout {
    headline: Rect,
    /// The headline figures in two columns side by side.
    two_columns: bool,
    /// A line naming the columns above the headline figures.
    header: bool,
    channels: Rect,
    per_day: Rect,
    /// CSAT answers by score beside the complaints, replies and points.
    scores: Rect,
    totals: Rect,
    /// Care reminders done of due beside the contacts by wrap-up code.
    reminders: Rect,
    dispositions: Rect,
    hot_spots: Rect,
    operators: Rect,
    /// The per-operator rows added up by role, beneath the operators'.
    roles: Rect,
    /// Every column of the operators' rows (a wide screen).
    all_columns: bool,
    /// The sales pipeline, below the rest (no rows when there is none).
    pipeline: Rect,
    height: u16,
}

/// The rows of the pipeline: a title, the four open stages, won and lost; none without one.
fn pipeline_rows(r: &Report) -> u16 {
    if r.pipeline.is_some() {
        7
    } else {
        0
    }
}

/// The pipeline placed under the sections that end at `bottom`, and the height with it.
fn pipeline_below(r: &Report, bottom: u16, width: u16) -> (Rect, u16) {
    let rows = pipeline_rows(r);
    if rows == 0 {
        return (Rect::new(0, bottom, width, 0), bottom);
    }
    let area = Rect::new(0, bottom + 1, width.min(64), rows);
    (area, area.bottom())
}

/// The rows of the hot-spot table: a title, a line of months, one line a category (or a line
/// saying there were none).
fn hot_spot_rows(r: &Report) -> u16 {
    let categories = categories(r).len().max(1);
    let head = if r.hot_spots.is_empty() { 1 } else { 2 };
    head + categories as u16
}

fn operator_rows(r: &Report) -> u16 {
    2 + r.per_operator.len().max(1) as u16
}

/// The rows of the roles' table: a title, the columns' names, a line a role; none without.
fn role_rows(r: &Report) -> u16 {
    if r.per_role.is_empty() {
        0
    } else {
        2 + r.per_role.len() as u16
    }
}

/// The scores of the centre's CSAT scale, from 1.
fn scale(r: &Report) -> i64 {
    r.csat_scale.clamp(1, 10)
}

/// The rows of the CSAT section: a title and a bar a score.
fn score_rows(r: &Report) -> u16 {
    1 + scale(r) as u16
}

/// The rows of the complaints, replies and points: two titles, six lines and three, a blank
/// line between.
const TOTAL_ROWS: u16 = 1 + 6 + 1 + 1 + 3;

/// The kinds of reminder due in the period (done ones are among them), the most due first.
fn reminder_kinds(r: &Report) -> Vec<(String, i64, i64)> {
    let mut kinds: Vec<(String, i64, i64)> = r
        .reminders_due
        .by_kind
        .iter()
        .map(|(k, due)| {
            let done = r.reminders_done.by_kind.get(k).copied().unwrap_or(0);
            (k.clone(), done, *due)
        })
        .collect();
    for (k, done) in &r.reminders_done.by_kind {
        if !r.reminders_due.by_kind.contains_key(k) {
            kinds.push((k.clone(), *done, 0));
        }
    }
    kinds.retain(|(_, done, due)| *done > 0 || *due > 0);
    kinds.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    kinds
}

fn reminder_rows(r: &Report) -> u16 {
    1 + reminder_kinds(r).len().max(1) as u16
}

/// At most this many wrap-up codes have a bar of their own; the rest share the last.
const DISPOSITION_BARS: usize = 8;

fn disposition_rows(r: &Report) -> u16 {
    1 + r.contacts_by_disposition.len().clamp(1, DISPOSITION_BARS) as u16
}

/// Two sections of `left` and `right` rows from row `y`: side by side when `width` allows,
/// else one beneath the other. Returns them and the row below both.
fn pair(y: u16, width: u16, left: u16, right: u16) -> (Rect, Rect, u16) {
    if width >= 60 {
        let half = width / 2;
        (
            Rect::new(0, y, half - 1, left),
            Rect::new(half + 1, y, width - half - 1, right),
            y + left.max(right),
        )
    } else {
        (
            Rect::new(0, y, width, left),
            Rect::new(0, y + left + 1, width, right),
            y + left + 1 + right,
        )
    }
}

/// The sections beneath the charts, from row `y`: CSAT by score beside complaints, replies
/// and points, then reminders beside wrap-up codes. Returns them and the row below.
fn middle(r: &Report, y: u16, width: u16) -> (Rect, Rect, Rect, Rect, u16) {
    let (scores, totals, below) = pair(y, width, score_rows(r), TOTAL_ROWS);
    let (reminders, dispositions, below) =
        pair(below + 1, width, reminder_rows(r), disposition_rows(r));
    (scores, totals, reminders, dispositions, below)
}

/// The widths of the operators' number columns (header key, cells), the wide screen's extra
/// ones with them; the login's column (and on a wide screen the name's) comes first.
fn operator_columns(all_columns: bool) -> Vec<(&'static str, usize, OperatorCell)> {
    let mut columns: Vec<(&'static str, usize, OperatorCell)> =
        vec![("reports.col_contacts", 9, |o| o.contacts.to_string())];
    if all_columns {
        columns.push(("reports.col_made", 6, |o| o.contacts_made.to_string()));
    }
    columns.extend([
        (
            "reports.col_handle",
            9,
            (|o| minutes(o.avg_handle_seconds)) as OperatorCell,
        ),
        ("reports.col_fcr", 8, |o| percent(o.fcr_rate)),
        ("reports.col_opened", 8, |o| o.complaints_opened.to_string()),
        ("reports.col_resolved", 9, |o| {
            o.complaints_resolved.to_string()
        }),
        ("reports.col_csat", 7, |o| number(o.csat_avg, 2).or_dash()),
    ]);
    if all_columns {
        columns.push(("reports.col_answers", 8, |o| o.csat_answers.to_string()));
    }
    columns
}

type OperatorCell = fn(&crate::store::OperatorFigures) -> String;

/// The login's and the name's columns of the operators' rows.
const LOGIN_W: usize = 16;
const NAME_W: usize = 10;

/// The hot-spot table's columns: a month's cells (a year's twelve by their number, a few by
/// year and month) and the total's.
fn month_column(months: usize) -> usize {
    if months > 4 {
        4
    } else {
        8
    }
}
const TOTAL_W: usize = 6;

/// The width the hot-spot table needs with a category column of 16 cells.
fn hot_spot_width(r: &Report) -> u16 {
    let months = Period {
        from: r.period.from,
        to: r.period.to,
    }
    .months()
    .len();
    (16 + months * month_column(months) + TOTAL_W) as u16
}

/// The sections placed for a width: on a wide screen the headline figures beside the two
/// charts, then the operators with every column beside the hot spots (beneath them when both
/// do not fit); at 80 columns the headline figures in two columns and the two charts side by
/// side beneath them (all on the first screen), then the hot spots and the operators to
/// scroll to.
fn layout(r: &Report, width: u16, compare: bool) -> Layout {
    let hot = hot_spot_rows(r);
    let ops = operator_rows(r);
    let chart = 8;
    if width >= WIDE {
        let left = width * 9 / 20;
        let rx = left + 2;
        let right = width - rx;
        let headline = Rect::new(0, 0, left, 13);
        let channels = Rect::new(rx, 0, right, chart);
        let per_day = Rect::new(rx, chart + 1, right, chart);
        let (scores, totals, reminders, dispositions, below) =
            middle(r, headline.bottom().max(per_day.bottom()) + 1, width);
        let top = below + 1;
        let numbers: usize = operator_columns(true).iter().map(|(_, w, _)| w).sum();
        let ops_w = (LOGIN_W + NAME_W + numbers) as u16;
        let roles_h = role_rows(r);
        let gap = u16::from(roles_h > 0);
        let (operators, roles, hot_spots, height) = if ops_w + 2 + hot_spot_width(r) <= width {
            (
                Rect::new(0, top, ops_w, ops),
                Rect::new(0, top + ops + gap, ops_w, roles_h),
                Rect::new(ops_w + 2, top, width - ops_w - 2, hot),
                top + hot.max(ops + gap + roles_h),
            )
        } else {
            (
                Rect::new(0, top, width, ops),
                Rect::new(0, top + ops + gap, width, roles_h),
                Rect::new(0, top + ops + gap + roles_h + 1, width, hot),
                top + ops + gap + roles_h + 1 + hot,
            )
        };
        let (pipeline, height) = pipeline_below(r, height, width);
        return Layout {
            headline,
            two_columns: false,
            header: true,
            channels,
            per_day,
            scores,
            totals,
            reminders,
            dispositions,
            hot_spots,
            operators,
            roles,
            all_columns: true,
            pipeline,
            height,
        };
    }
    let two_columns = width >= 76 || (!compare && width >= 66);
    let headline = Rect::new(0, 0, width, if two_columns { 6 } else { 12 });
    let y = headline.bottom() + 1;
    let (channels, per_day, below) = if width >= 60 {
        let half = width / 2;
        (
            Rect::new(0, y, half - 1, chart),
            Rect::new(half + 1, y, width - half - 1, chart),
            y + chart,
        )
    } else {
        (
            Rect::new(0, y, width, chart),
            Rect::new(0, y + chart + 1, width, chart),
            y + 2 * chart + 1,
        )
    };
    let (scores, totals, reminders, dispositions, below) = middle(r, below + 1, width);
    let hot_spots = Rect::new(0, below + 1, width, hot);
    let operators = Rect::new(0, hot_spots.bottom() + 1, width, ops);
    let roles_h = role_rows(r);
    let roles = Rect::new(
        0,
        operators.bottom() + u16::from(roles_h > 0),
        width,
        roles_h,
    );
    let (pipeline, height) = pipeline_below(r, roles.bottom(), width);
    Layout {
        headline,
        two_columns,
        header: false,
        channels,
        per_day,
        scores,
        totals,
        reminders,
        dispositions,
        hot_spots,
        operators,
        roles,
        all_columns: false,
        pipeline,
        height,
    }
}

fn draw(pane: &Reports, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let title = match &pane.choice {
        Some(a) => i18n.f(
            "reports.title_period",
            &[
                ("from", &a.period.from.to_string()),
                ("to", &a.period.to.to_string()),
            ],
        ),
        None => i18n.t("tab.reports").to_string(),
    };
    let block = super::pane_block(view, Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    let w = inner.width as usize;
    // The choices.
    let all = i18n.t("form.all").to_string();
    let values = [
        (
            "reports.period",
            i18n.value("report_period", pane.period_name().as_str()),
        ),
        (
            "reports.operator",
            pane.operator
                .as_deref()
                .map(|o| sanitize(o).into_owned())
                .unwrap_or(all),
        ),
    ];
    let mut line = super::filter_line(&values, pane.field, view);
    super::fit_spans(&mut line.spans, w);
    Paragraph::new(line).render(Rect { height: 1, ..inner }, buf);

    // As of when, or calculating; the period before; more to scroll to.
    let shown = pane.displayed();
    let compare = pane.compare && shown.is_some_and(|s| s.figures.before.is_some());
    let mut spans = Vec::new();
    if pane.calculating() {
        spans.push(Span::styled(
            i18n.t("reports.calculating").to_string(),
            theme.warn,
        ));
    } else if let Some(s) = shown {
        let at = s
            .figures
            .now
            .period
            .generated_at
            .with_timezone(&view.tz)
            .format("%H:%M")
            .to_string();
        spans.push(Span::styled(
            i18n.f("reports.as_of", &[("time", &at)]),
            theme.muted,
        ));
    }
    if let (true, Some(s), Some(before)) = (
        compare,
        shown,
        shown.and_then(|s| s.figures.before.as_ref()),
    ) {
        // A period not yet over is compared with a whole one: said so.
        let now = &s.figures.now.period;
        let so_far = now.to >= now.generated_at.with_timezone(&view.tz).date_naive();
        spans.push(Span::styled(
            format!(
                "  {}",
                i18n.f(
                    if so_far {
                        "reports.before_so_far"
                    } else {
                        "reports.before"
                    },
                    &[
                        ("from", &before.period.from.to_string()),
                        ("to", &before.period.to.to_string()),
                    ],
                )
            ),
            theme.muted,
        ));
    }
    let rows = Rect {
        y: inner.y + 2,
        height: inner.height - 2,
        ..inner
    };
    let Some(shown) = shown else {
        super::fit_spans(&mut spans, w);
        Paragraph::new(Line::from(spans)).render(
            Rect {
                y: inner.y + 1,
                height: 1,
                ..inner
            },
            buf,
        );
        if !pane.calculating() {
            buf.set_string(
                rows.x + 1,
                rows.y,
                truncate(i18n.t("reports.none_yet"), w - 1),
                theme.muted,
            );
        }
        return;
    };
    let r = &shown.figures.now;
    let layout = layout(r, rows.width, compare);
    let max = layout.height.saturating_sub(rows.height);
    let scroll = (pane.scroll as u16).min(max);
    // Where there is more above or below.
    let more = match (scroll > 0, scroll < max) {
        (true, true) => Some("reports.more_both"),
        (false, true) => Some("reports.more_below"),
        (true, false) => Some("reports.more_above"),
        (false, false) => None,
    };
    let more = more.map(|k| i18n.t(k).to_string()).unwrap_or_default();
    let room = w.saturating_sub(width(&more) + 1);
    super::fit_spans(&mut spans, room);
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::raw(" ".repeat(w.saturating_sub(used + width(&more)))));
    spans.push(Span::styled(more, theme.accent));
    Paragraph::new(Line::from(spans)).render(
        Rect {
            y: inner.y + 1,
            height: 1,
            ..inner
        },
        buf,
    );

    // The figures, drawn whole off screen and the rows scrolled to copied in.
    let mut sheet = Buffer::empty(Rect::new(0, 0, rows.width, layout.height));
    sheet.set_style(sheet.area, theme.background.patch(theme.text));
    let before = shown.figures.before.as_ref().filter(|_| compare);
    draw_headline(r, before, &layout, &mut sheet, view);
    draw_channels(r, layout.channels, &mut sheet, view);
    draw_per_day(r, layout.per_day, &mut sheet, view);
    draw_hot_spots(r, layout.hot_spots, &mut sheet, view);
    draw_scores(r, layout.scores, &mut sheet, view);
    draw_totals(r, layout.totals, &mut sheet, view);
    draw_reminders(r, layout.reminders, &mut sheet, view);
    draw_dispositions(r, layout.dispositions, &mut sheet, view);
    draw_operators(r, layout.operators, layout.all_columns, &mut sheet, view);
    draw_roles(r, layout.roles, layout.all_columns, &mut sheet, view);
    draw_pipeline(r, layout.pipeline, &mut sheet, view);
    for y in 0..rows.height.min(layout.height - scroll) {
        for x in 0..rows.width {
            buf[(rows.x + x, rows.y + y)] = sheet[(x, scroll + y)].clone();
        }
    }
}

/// One headline figure: its words, its value, its target and whether it meets it.
struct Figure {
    label: &'static str,
    value: String,
    /// The number compared with the period before (`None`: nothing to count).
    raw: Option<f64>,
    target: Option<String>,
    met: Option<bool>,
}

fn headline(r: &Report) -> Vec<Figure> {
    let t = &r.targets;
    let at_least = |v: f64| format!("≥{}", target_percent(v));
    vec![
        Figure {
            label: "reports.resolution_rate",
            value: percent(r.resolution_rate),
            raw: r.resolution_rate,
            target: Some(at_least(t.resolution_rate.target)),
            met: t.resolution_rate.met,
        },
        Figure {
            label: "reports.first_response",
            value: minutes(r.avg_first_response_seconds),
            raw: r.avg_first_response_seconds,
            target: Some(format!(
                "≤{}",
                minutes(Some(t.avg_first_response_seconds.target))
            )),
            met: t.avg_first_response_seconds.met,
        },
        Figure {
            label: "reports.sla_acknowledge",
            value: percent(r.sla_compliance.acknowledge),
            raw: r.sla_compliance.acknowledge,
            target: Some(at_least(t.sla_acknowledge.target)),
            met: t.sla_acknowledge.met,
        },
        Figure {
            label: "reports.sla_propose",
            value: percent(r.sla_compliance.propose),
            raw: r.sla_compliance.propose,
            target: Some(at_least(t.sla_propose.target)),
            met: t.sla_propose.met,
        },
        Figure {
            label: "reports.sla_resolve",
            value: percent(r.sla_compliance.resolve),
            raw: r.sla_compliance.resolve,
            target: Some(at_least(t.sla_resolve.target)),
            met: t.sla_resolve.met,
        },
        Figure {
            label: "reports.csat",
            value: number(r.csat_avg, 2).or_dash(),
            raw: r.csat_avg,
            target: Some(format!("≥{:.1}", t.csat_avg.target)),
            met: t.csat_avg.met,
        },
        Figure {
            label: "reports.nps",
            value: number(r.nps, 0).or_dash(),
            raw: r.nps,
            target: None,
            met: None,
        },
        Figure {
            label: "reports.retention",
            value: percent(r.retention_rate),
            raw: r.retention_rate,
            target: Some(at_least(t.retention_rate.target)),
            met: t.retention_rate.met,
        },
        Figure {
            label: "reports.complaint_rate",
            value: number(r.complaint_rate, 2).or_dash(),
            raw: r.complaint_rate,
            target: None,
            met: None,
        },
        Figure {
            label: "reports.fcr",
            value: percent(r.fcr_rate),
            raw: r.fcr_rate,
            target: None,
            met: None,
        },
        Figure {
            label: "reports.handle_time",
            value: minutes(r.avg_handle_seconds),
            raw: r.avg_handle_seconds,
            target: None,
            met: None,
        },
        Figure {
            label: "reports.contacts",
            value: r.contacts.to_string(),
            raw: Some(r.contacts as f64),
            target: None,
            met: None,
        },
    ]
}

/// Met, not met, or nothing to read against its target: a mark that reads without colour, and
/// the theme's role.
fn verdict(f: &Figure, theme: &Theme) -> (&'static str, Style) {
    match (f.target.is_some(), f.met) {
        (_, Some(true)) => ("✓", theme.ok),
        (_, Some(false)) => ("✗", theme.breach),
        (true, None) => ("·", theme.muted),
        (false, None) => (" ", theme.text),
    }
}

/// `text` right-aligned in `cells` display cells (cut when longer).
fn right(text: &str, cells: usize) -> String {
    let cut = truncate(text, cells);
    format!("{}{cut}", " ".repeat(cells.saturating_sub(width(&cut))))
}

fn draw_headline(
    r: &Report,
    before: Option<&Report>,
    layout: &Layout,
    buf: &mut Buffer,
    view: &View,
) {
    let theme = view.theme;
    let i18n = view.i18n;
    let area = layout.headline;
    let figures = headline(r);
    let previous = before.map(headline);
    let (columns, col_width) = if layout.two_columns {
        (2, (area.width - 1) / 2)
    } else {
        (1, area.width)
    };
    // The numbers' columns as wide as their widest; the label takes what they leave (at
    // most 22 cells).
    let widest = |texts: &mut dyn Iterator<Item = &str>| texts.map(width).max().unwrap_or(0);
    // (On a wide screen the columns are named above them: as wide as their names too.)
    let named = |key: &str| if layout.header { width(i18n.t(key)) } else { 0 };
    let value_w = widest(&mut figures.iter().map(|f| f.value.as_str()))
        .max(4)
        .max(named("reports.col_now"));
    let target_w = widest(&mut figures.iter().filter_map(|f| f.target.as_deref()))
        .max(named("reports.col_target"));
    let before_w = previous.as_ref().map_or(0, |p| {
        2 + widest(&mut p.iter().map(|f| f.value.as_str()))
            .max(4)
            .max(named("reports.col_before"))
    });
    let label_w = usize::from(col_width)
        .saturating_sub(2 + 1 + value_w + 1 + target_w + before_w)
        .min(22);
    let mut y = area.y;
    if layout.header {
        let mut text = format!(
            "  {} {} {}",
            pad("", label_w),
            right(i18n.t("reports.col_now"), value_w),
            pad(i18n.t("reports.col_target"), target_w)
        );
        if previous.is_some() {
            text.push_str(&right(i18n.t("reports.col_before"), before_w));
        }
        buf.set_string(
            area.x,
            y,
            truncate(&text, usize::from(area.width)),
            theme.muted,
        );
        y += 1;
    }
    let rows_per_column = figures.len().div_ceil(columns);
    for (n, f) in figures.iter().enumerate() {
        let column = (n / rows_per_column) as u16;
        let x = area.x + column * (col_width + 1);
        let row = y + (n % rows_per_column) as u16;
        let (mark, style) = verdict(f, theme);
        let mut spans = vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(pad(i18n.t(f.label), label_w), theme.text),
            Span::raw(" "),
            Span::styled(
                right(&f.value, value_w),
                if f.met.is_some() { style } else { theme.accent },
            ),
            Span::raw(" "),
            Span::styled(
                pad(f.target.as_deref().unwrap_or(""), target_w),
                theme.muted,
            ),
        ];
        if let Some(previous) = &previous {
            let p = &previous[n];
            let arrow = match (f.raw, p.raw) {
                // The same as shown, though not to the last decimal.
                (Some(_), Some(_)) if f.value == p.value => "=",
                (Some(a), Some(b)) if a > b => "▲",
                (Some(a), Some(b)) if a < b => "▼",
                (Some(_), Some(_)) => "=",
                _ => " ",
            };
            spans.push(Span::styled(
                format!(" {arrow}{}", right(&p.value, before_w - 2)),
                theme.muted,
            ));
        }
        super::fit_spans(&mut spans, usize::from(col_width));
        Paragraph::new(Line::from(spans)).render(Rect::new(x, row, col_width, 1), buf);
    }
}

/// A section's title in its first row, `extra` at its right end.
fn section_title(area: Rect, title: &str, extra: &str, buf: &mut Buffer, theme: &Theme) {
    let w = usize::from(area.width);
    let extra_w = width(extra);
    let title = truncate(title, w.saturating_sub(extra_w + 1));
    buf.set_string(area.x, area.y, &title, theme.title);
    if extra_w + width(&title) < w {
        buf.set_string(area.x + (w - extra_w) as u16, area.y, extra, theme.muted);
    }
}

/// Contacts by channel: a bar for each channel (the seven, and any other the log holds).
fn draw_channels(r: &Report, area: Rect, buf: &mut Buffer, view: &View) {
    let i18n = view.i18n;
    let mut channels: Vec<(String, i64)> = Channel::ALL
        .iter()
        .map(|c| {
            let n = r.contacts_by_channel.get(c.as_str()).copied().unwrap_or(0);
            (i18n.value("channel", c.as_str()), n)
        })
        .collect();
    for (c, n) in &r.contacts_by_channel {
        if !Channel::ALL.iter().any(|k| k.as_str() == c) {
            channels.push((sanitize(c).into_owned(), *n));
        }
    }
    let total = i18n.f("reports.in_all", &[("count", &r.contacts.to_string())]);
    draw_bars(
        i18n.t("reports.by_channel"),
        &total,
        &channels,
        area,
        buf,
        view,
    );
}

/// A titled bar chart, a bar a row: each bar's label is its name and its count, the counts
/// right-aligned in one column, so every bar starts in the same column and is only as long
/// as its share (a count written on the bar would hide a short one).
fn draw_bars(
    title: &str,
    extra: &str,
    rows: &[(String, i64)],
    area: Rect,
    buf: &mut Buffer,
    view: &View,
) {
    let theme = view.theme;
    section_title(area, title, extra, buf, theme);
    let most = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let names = rows.iter().map(|(c, _)| width(c)).max().unwrap_or(0);
    let digits = rows
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(label, n)| {
            let text = format!("{} {}", pad(label, names), right(&n.to_string(), digits));
            Bar::with_label(Line::styled(text, theme.text), (*n).max(0) as u64)
                .text_value(String::new())
        })
        .collect();
    let chart = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    BarChart::horizontal(bars)
        .bar_width(1)
        .bar_gap(0)
        .max(most as u64)
        .bar_style(theme.accent)
        .value_style(theme.selection)
        .render(chart, buf);
}

/// A muted line in a section that has nothing to show.
fn say_none(area: Rect, key: &str, buf: &mut Buffer, view: &View) {
    if area.height < 2 {
        return;
    }
    buf.set_string(
        area.x + 2,
        area.y + 1,
        truncate(view.i18n.t(key), usize::from(area.width).saturating_sub(2)),
        view.theme.muted,
    );
}

/// CSAT answers by score: a bar a score of the centre's scale, 1 first.
fn draw_scores(r: &Report, area: Rect, buf: &mut Buffer, view: &View) {
    let i18n = view.i18n;
    let title = i18n.t("reports.scores").to_string();
    let extra = i18n.f("reports.answers", &[("count", &r.csat_answers.to_string())]);
    if r.csat_answers == 0 {
        section_title(area, &title, &extra, buf, view.theme);
        say_none(area, "reports.no_answers", buf, view);
        return;
    }
    let rows: Vec<(String, i64)> = (1..=scale(r))
        .map(|score| {
            let n = r.csat_distribution.get(&score).copied().unwrap_or(0);
            (score.to_string(), n)
        })
        .collect();
    draw_bars(&title, &extra, &rows, area, buf, view);
}

/// Label and value lines under a title, the values right-aligned in one column.
fn draw_lines(title: &str, lines: &[(String, String)], area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    section_title(area, title, "", buf, theme);
    let w = usize::from(area.width);
    let value_w = lines.iter().map(|(_, v)| width(v)).max().unwrap_or(0);
    let label_w = w.saturating_sub(2 + 1 + value_w);
    for (n, (label, value)) in lines.iter().enumerate() {
        let y = area.y + 1 + n as u16;
        if y >= area.bottom() {
            break;
        }
        let mut spans = vec![
            Span::styled(format!("  {}", pad(label, label_w)), theme.text),
            Span::raw(" "),
            Span::styled(right(value, value_w), theme.accent),
        ];
        super::fit_spans(&mut spans, w);
        Paragraph::new(Line::from(spans)).render(Rect::new(area.x, y, area.width, 1), buf);
    }
}

/// Complaints opened, resolved and closed, the email and chat replies owed, and the points
/// earned, redeemed and expired.
fn draw_totals(r: &Report, area: Rect, buf: &mut Buffer, view: &View) {
    let i18n = view.i18n;
    let count = |n: i64| crate::text::grouped(n);
    let line = |key: &str, value: String| (i18n.t(key).to_string(), value);
    let replies = &r.replies;
    let complaints = [
        line("reports.opened", count(r.complaints_opened)),
        line("reports.resolved", count(r.complaints_resolved)),
        line("reports.closed", count(r.complaints_closed)),
        line("reports.replies_owed", count(replies.owed)),
        line(
            "reports.replies_on_time",
            format!(
                "{} ({})",
                count(replies.on_time),
                percent(replies.on_time_rate)
            ),
        ),
        line("reports.reply_time", minutes(replies.avg_seconds)),
    ];
    let top = Rect {
        height: area.height.min(7),
        ..area
    };
    draw_lines(
        i18n.t("reports.complaints_replies"),
        &complaints,
        top,
        buf,
        view,
    );
    if area.height <= 8 {
        return;
    }
    let points = [
        line("reports.points_earned", count(r.points_earned)),
        line("reports.points_redeemed", count(r.points_redeemed)),
        line("reports.points_expired", count(r.points_expired)),
    ];
    let below = Rect {
        y: area.y + 8,
        height: area.height - 8,
        ..area
    };
    draw_lines(i18n.t("reports.points"), &points, below, buf, view);
}

/// Care reminders due in the period and how many of them were done, kind by kind.
fn draw_reminders(r: &Report, area: Rect, buf: &mut Buffer, view: &View) {
    let (theme, i18n) = (view.theme, view.i18n);
    let extra = i18n.f(
        "reports.reminders_extra",
        &[
            ("done", &crate::text::grouped(r.reminders_done.total)),
            ("due", &crate::text::grouped(r.reminders_due.total)),
        ],
    );
    section_title(area, i18n.t("reports.reminders"), &extra, buf, theme);
    let kinds = reminder_kinds(r);
    if kinds.is_empty() {
        say_none(area, "reports.no_reminders", buf, view);
        return;
    }
    let w = usize::from(area.width);
    let names: Vec<String> = kinds
        .iter()
        .map(|(k, _, _)| i18n.value("reminder_short", k))
        .collect();
    let label_w = names.iter().map(|n| width(n)).max().unwrap_or(0);
    let digits = kinds
        .iter()
        .map(|(_, done, due)| done.max(due).to_string().len())
        .max()
        .unwrap_or(1);
    for (n, ((_, done, due), name)) in kinds.iter().zip(&names).enumerate() {
        let y = area.y + 1 + n as u16;
        if y >= area.bottom() {
            break;
        }
        let rate = (*due > 0).then(|| *done as f64 / *due as f64);
        let mut spans = vec![
            Span::styled(format!("  {}", pad(name, label_w)), theme.text),
            Span::styled(
                format!(
                    " {} / {}",
                    right(&done.to_string(), digits),
                    right(&due.to_string(), digits)
                ),
                theme.accent,
            ),
            Span::styled(format!(" {}", right(&percent(rate), 6)), theme.muted),
        ];
        super::fit_spans(&mut spans, w);
        Paragraph::new(Line::from(spans)).render(Rect::new(area.x, y, area.width, 1), buf);
    }
}

/// Contacts by wrap-up code, the most used first; past the bars there is room for, one bar
/// for the rest.
fn draw_dispositions(r: &Report, area: Rect, buf: &mut Buffer, view: &View) {
    let i18n = view.i18n;
    let title = i18n.t("reports.by_disposition");
    if r.contacts_by_disposition.is_empty() {
        section_title(area, title, "", buf, view.theme);
        say_none(area, "reports.no_contacts", buf, view);
        return;
    }
    let mut codes: Vec<(&String, i64)> = r
        .contacts_by_disposition
        .iter()
        .map(|(c, n)| (c, *n))
        .collect();
    codes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut rows: Vec<(String, i64)> = Vec::new();
    let own = if codes.len() > DISPOSITION_BARS {
        DISPOSITION_BARS - 1
    } else {
        codes.len()
    };
    for (code, n) in &codes[..own] {
        rows.push((
            truncate(&view.disposition_label(&sanitize(code)), 18).into_owned(),
            *n,
        ));
    }
    if codes.len() > own {
        let rest = codes[own..].iter().map(|(_, n)| n).sum();
        let label = i18n.f(
            "reports.other_codes",
            &[("count", &(codes.len() - own).to_string())],
        );
        rows.push((label, rest));
    }
    let sum: i64 = codes.iter().map(|(_, n)| n).sum();
    let total = i18n.f("reports.in_all", &[("count", &sum.to_string())]);
    draw_bars(title, &total, &rows, area, buf, view);
}

/// Complaints opened per day as a sparkline (several days a column when the period has more
/// days than the section columns), the first and last day beneath it.
fn draw_per_day(r: &Report, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let days = r.complaints_per_day.len();
    let columns = usize::from(area.width).max(1);
    let per = days.div_ceil(columns).max(1);
    let title = if per == 1 {
        i18n.t("reports.per_day").to_string()
    } else {
        i18n.f("reports.per_days", &[("days", &per.to_string())])
    };
    let total: i64 = r.complaints_per_day.iter().sum();
    section_title(
        area,
        &title,
        &i18n.f("reports.in_all", &[("count", &total.to_string())]),
        buf,
        theme,
    );
    let data: Vec<u64> = r
        .complaints_per_day
        .chunks(per)
        .map(|c| c.iter().sum::<i64>().max(0) as u64)
        .collect();
    let chart = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(2),
        ..area
    };
    if total == 0 {
        buf.set_string(
            chart.x,
            chart.y + chart.height / 2,
            truncate(i18n.t("reports.none_opened"), usize::from(chart.width)),
            theme.muted,
        );
    } else {
        Sparkline::default()
            .data(&data)
            .style(theme.accent)
            .render(chart, buf);
    }
    // The days it runs from and to, under its first and last column.
    let axis_y = area.bottom().saturating_sub(1);
    let from = r.period.from.format("%m-%d").to_string();
    let to = r.period.to.format("%m-%d").to_string();
    let used = data.len().min(columns) as u16;
    buf.set_string(area.x, axis_y, &from, theme.muted);
    if used > 12 {
        let x = area.x + used - width(&to) as u16;
        buf.set_string(x, axis_y, &to, theme.muted);
    }
}

/// The categories of the hot spots, the most complaints first, with their counts by month.
fn categories(r: &Report) -> Vec<(String, i64)> {
    let mut totals: Vec<(String, i64)> = Vec::new();
    for h in &r.hot_spots {
        match totals.iter_mut().find(|(c, _)| *c == h.category) {
            Some((_, n)) => *n += h.count,
            None => totals.push((h.category.clone(), h.count)),
        }
    }
    totals.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    totals
}

/// Complaints opened by category and month: a row a category, a column a month of the period.
fn draw_hot_spots(r: &Report, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    section_title(area, i18n.t("reports.hot_spots"), "", buf, theme);
    let w = usize::from(area.width);
    let cats = categories(r);
    if cats.is_empty() {
        buf.set_string(
            area.x + 2,
            area.y + 1,
            truncate(i18n.t("reports.none_opened"), w.saturating_sub(2)),
            theme.muted,
        );
        return;
    }
    let months = Period {
        from: r.period.from,
        to: r.period.to,
    }
    .months();
    let col = month_column(months.len());
    let short = col < 8;
    let total_w = TOTAL_W;
    let label_w = w.saturating_sub(months.len() * col + total_w).clamp(6, 18);
    let mut head = pad("", label_w);
    for m in &months {
        let name = if short { m.get(5..).unwrap_or(m) } else { m };
        head.push_str(&right(name, col));
    }
    head.push_str(&right(i18n.t("reports.col_total"), total_w));
    buf.set_string(area.x, area.y + 1, truncate(&head, w), theme.muted);
    for (n, (category, total)) in cats.iter().enumerate() {
        let y = area.y + 2 + n as u16;
        let mut spans = vec![Span::styled(
            pad(&i18n.value("category", &sanitize(category)), label_w),
            theme.text,
        )];
        for m in &months {
            let count = r
                .hot_spots
                .iter()
                .find(|h| h.category == *category && h.month == *m)
                .map(|h| h.count)
                .unwrap_or(0);
            let (text, style) = if count == 0 {
                ("·".to_string(), theme.muted)
            } else {
                (count.to_string(), theme.warn)
            };
            spans.push(Span::styled(right(&text, col), style));
        }
        spans.push(Span::styled(
            right(&total.to_string(), total_w),
            theme.accent,
        ));
        super::fit_spans(&mut spans, w);
        Paragraph::new(Line::from(spans)).render(Rect::new(area.x, y, area.width, 1), buf);
    }
}

/// One row per operator; a wide screen adds the name, the contacts made and the CSAT answers.
fn draw_operators(r: &Report, area: Rect, all_columns: bool, buf: &mut Buffer, view: &View) {
    let rows: Vec<(String, String, &crate::store::OperatorFigures)> = r
        .per_operator
        .iter()
        .map(|o| {
            (
                sanitize(&o.login).into_owned(),
                view.i18n.data(&sanitize(&o.name)).into_owned(),
                o,
            )
        })
        .collect();
    let title = view.i18n.t("reports.per_operator");
    let heads = ("reports.col_operator", "reports.col_name");
    draw_people(title, heads, &rows, area, all_columns, buf, view);
}

/// The operators' rows added up by role, in the operators' columns.
fn draw_roles(r: &Report, area: Rect, all_columns: bool, buf: &mut Buffer, view: &View) {
    if area.height == 0 {
        return;
    }
    let i18n = view.i18n;
    let figures: Vec<crate::store::OperatorFigures> = r
        .per_role
        .iter()
        .map(|f| crate::store::OperatorFigures {
            login: f.role.clone(),
            name: String::new(),
            role: f.role.clone(),
            contacts: f.contacts,
            contacts_made: f.contacts_made,
            avg_handle_seconds: f.avg_handle_seconds,
            fcr_rate: f.fcr_rate,
            complaints_opened: f.complaints_opened,
            complaints_resolved: f.complaints_resolved,
            csat_avg: f.csat_avg,
            csat_answers: f.csat_answers,
        })
        .collect();
    let rows: Vec<(String, String, &crate::store::OperatorFigures)> = r
        .per_role
        .iter()
        .zip(&figures)
        .map(|(f, o)| {
            (
                i18n.value("role", &sanitize(&f.role)),
                f.operators.to_string(),
                o,
            )
        })
        .collect();
    draw_people(
        i18n.t("reports.per_role"),
        ("reports.col_role", "reports.col_staff"),
        &rows,
        area,
        all_columns,
        buf,
        view,
    );
}

/// A table of operators or roles: the label's column (on a wide screen a name's, or a role's
/// head count, beside it), then the figures' columns.
fn draw_people(
    title: &str,
    (label_key, name_key): (&str, &str),
    rows: &[(String, String, &crate::store::OperatorFigures)],
    area: Rect,
    all_columns: bool,
    buf: &mut Buffer,
    view: &View,
) {
    let theme = view.theme;
    let i18n = view.i18n;
    section_title(area, title, "", buf, theme);
    let w = usize::from(area.width);
    if rows.is_empty() {
        say_none(area, "reports.no_operators", buf, view);
        return;
    }
    let columns = operator_columns(all_columns);
    let numbers: usize = columns.iter().map(|(_, cw, _)| cw).sum();
    let name_w = if all_columns { NAME_W } else { 0 };
    let login_w = w.saturating_sub(numbers + name_w).clamp(6, LOGIN_W);
    // Each number's column keeps a space before it.
    let cell = |text: &str, cw: usize| format!(" {}", right(text, cw - 1));
    let mut head = pad(i18n.t(label_key), login_w);
    if all_columns {
        head.push_str(&pad(i18n.t(name_key), name_w));
    }
    for (key, cw, _) in &columns {
        head.push_str(&cell(i18n.t(key), *cw));
    }
    buf.set_string(area.x, area.y + 1, truncate(&head, w), theme.muted);
    for (n, (label, name, o)) in rows.iter().enumerate() {
        let mut spans = vec![Span::styled(pad(label, login_w), theme.accent)];
        if all_columns {
            spans.push(Span::styled(pad(name, name_w), theme.text));
        }
        for (_, cw, value) in &columns {
            spans.push(Span::styled(cell(&value(o), *cw), theme.text));
        }
        super::fit_spans(&mut spans, w);
        let y = area.y + 2 + n as u16;
        Paragraph::new(Line::from(spans)).render(Rect::new(area.x, y, area.width, 1), buf);
    }
}

/// The sales pipeline: count and amount at each open stage at the period's end, won and lost
/// in it, with the win rate and the days to close in the title.
fn draw_pipeline(r: &Report, area: Rect, buf: &mut Buffer, view: &View) {
    let Some(p) = &r.pipeline else { return };
    if area.height == 0 {
        return;
    }
    let (theme, i18n) = (view.theme, view.i18n);
    let extra = i18n.f(
        "reports.pipeline_extra",
        &[
            ("rate", &percent(p.win_rate)),
            ("days", &number(p.avg_days_to_close, 1).or_dash()),
        ],
    );
    section_title(area, i18n.t("reports.pipeline"), &extra, buf, theme);
    let w = usize::from(area.width);
    let mut rows: Vec<(String, crate::store::StageFigures)> = p
        .open_in_order()
        .into_iter()
        .map(|(stage, f)| (stage.as_str().to_string(), f))
        .collect();
    rows.push(("won".into(), p.won));
    rows.push(("lost".into(), p.lost));
    let label_w = rows
        .iter()
        .map(|(s, _)| width(&i18n.value("opp_stage", s)))
        .max()
        .unwrap_or(0)
        + 2;
    for (n, (stage, f)) in rows.iter().enumerate() {
        let style = match stage.as_str() {
            "won" => theme.ok,
            "lost" => theme.breach,
            _ => theme.text,
        };
        let spans = vec![
            Span::styled(
                format!("  {}", pad(&i18n.value("opp_stage", stage), label_w)),
                style,
            ),
            Span::styled(right(&f.count.to_string(), 5), theme.text),
            Span::styled(
                right(
                    &format!("¥{}", crate::domain::tier::format_money(f.amount)),
                    20,
                ),
                theme.text,
            ),
        ];
        let mut spans = spans;
        super::fit_spans(&mut spans, w);
        let y = area.y + 1 + n as u16;
        Paragraph::new(Line::from(spans)).render(Rect::new(area.x, y, area.width, 1), buf);
    }
}
