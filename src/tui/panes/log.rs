//! The Log pane (DESIGN §2, §3.3): with a customer open, that customer's history newest first
//! with complaint events interleaved; with none, the desk's latest contacts under the chosen
//! filters, paged as the selection reaches the end. Enter shows the whole entry.

use std::any::Any;

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::domain::customer::Channel;
use crate::store::{ComplaintEvent, HistoryItem, Interaction, LogFilter};
use crate::text::{pad, sanitize, sanitize_multiline, truncate};
use crate::tui::action::Action;
use crate::tui::component::{Msg, Pane, PaneId, Tab};
use crate::tui::desk::{clock, Desk};
use crate::tui::forms::log_filter;
use crate::tui::keymap::{Context, Key, KeyTable, PaneAction, PaneKey};
use crate::tui::view::View;
use crate::tui::widgets::complaint_event::{event_heading, event_words, heading_with_gap};

pub const ID: PaneId = PaneId("log");

/// The desk log's filters (a form), named `filter` in the config file's `[keys]`.
pub const FILTER: PaneAction = PaneAction::new("filter", "action.filter");
/// Only my contacts in the desk log, or everyone's.
pub const TOGGLE_MINE: PaneAction = PaneAction::new("toggle_mine", "action.toggle_mine");
/// Only contacts waiting for a reply in the desk log, or all.
pub const TOGGLE_DUE_REPLIES: PaneAction =
    PaneAction::new("toggle_due_replies", "action.toggle_due_replies");

/// The Log's keys, in its list and in an entry shown in full.
pub const KEYS: KeyTable = KeyTable {
    name: "log",
    title: "context.log",
    text: false,
    keys: &[
        PaneKey::hint(Action::Open, &[Key::plain(KeyCode::Enter)]),
        PaneKey::hint(Action::NewInteraction, &[Key::char('n')]),
        PaneKey::hint(Action::Edit, &[Key::char('e')]),
        PaneKey::hint(Action::Pane(&FILTER), &[Key::char('f')]),
        PaneKey::hint(Action::Pane(&TOGGLE_MINE), &[Key::char('m')]),
        PaneKey::hint(Action::Pane(&TOGGLE_DUE_REPLIES), &[Key::char('u')]),
        PaneKey::hint(Action::Back, &[Key::plain(KeyCode::Esc)]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
        PaneKey::new(Action::Up, &[Key::plain(KeyCode::Up), Key::char('k')]),
        PaneKey::new(Action::PageDown, &[Key::plain(KeyCode::PageDown)]),
        PaneKey::new(Action::PageUp, &[Key::plain(KeyCode::PageUp)]),
        PaneKey::new(Action::Top, &[Key::plain(KeyCode::Home), Key::char('g')]),
        PaneKey::new(Action::Bottom, &[Key::plain(KeyCode::End), Key::char('G')]),
        PaneKey::new(Action::FocusSearch, &[Key::char('/')]),
        PaneKey::new(Action::Quit, &[Key::char('q')]),
    ],
};

/// Rows loaded at a time.
const PAGE: usize = 60;
/// Most history items loaded for one customer.
const HISTORY: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct Log {
    pub rows: Vec<HistoryItem>,
    pub selected: usize,
    /// The customer whose history is shown (id, "code name"); none for the desk log.
    pub customer: Option<(i64, String)>,
    /// The desk log's filters (the operator set from `mine` or the filter form).
    pub filter: LogFilter,
    pub mine: bool,
    /// The login typed into the filter form.
    pub operator_login: Option<String>,
    pub due_replies: bool,
    /// The desk log has more rows than loaded.
    pub more: bool,
    /// The entry shown in full.
    pub detail: Option<Interaction>,
    pub detail_scroll: u16,
    /// Shown afresh: the next load starts at the top instead of keeping the selection.
    fresh: bool,
}

impl Log {
    pub fn selected_interaction(&self) -> Option<&Interaction> {
        match self.rows.get(self.selected) {
            Some(HistoryItem::Interaction(i)) => Some(i),
            _ => None,
        }
    }

    fn desk_filter(&self, desk: &Desk) -> LogFilter {
        let mut filter = self.filter.clone();
        if self.mine {
            filter.operator_id = Some(desk.actor.id);
        }
        filter.due_replies = self.due_replies;
        filter
    }

    /// Loads the rows again; `keep` keeps the selection on the same entry (others' changes).
    fn load(&mut self, keep: bool, desk: &mut Desk) {
        let kept = self.rows.get(self.selected).map(row_key);
        let customer = match desk.customer {
            Some(id) => match desk.store.customer(&desk.actor, id) {
                Ok(c) if !c.restricted => Some((id, format!("{} {}", c.code, c.fields.name))),
                Ok(_) => None,
                Err(e) => {
                    desk.store_error(&e);
                    None
                }
            },
            None => None,
        };
        let loaded = match &customer {
            Some((id, _)) => desk.store.history(&desk.actor, *id, HISTORY),
            None => {
                let wanted = if keep {
                    self.rows.len().clamp(PAGE, PAGE * 5)
                } else {
                    PAGE
                };
                desk.store
                    .desk_log(&desk.actor, &self.desk_filter(desk), None, wanted)
                    .map(|rows| {
                        self.more = rows.len() == wanted;
                        rows.into_iter()
                            .map(|i| HistoryItem::Interaction(Box::new(i)))
                            .collect()
                    })
            }
        };
        self.customer = customer;
        match loaded {
            Ok(rows) => self.rows = rows,
            Err(e) => {
                self.rows.clear();
                desk.store_error(&e);
            }
        }
        if self.customer.is_some() {
            self.more = false;
        }
        self.selected = match (keep, kept) {
            (true, Some(key)) => self
                .rows
                .iter()
                .position(|r| row_key(r) == key)
                .unwrap_or(self.selected),
            _ => 0,
        }
        .min(self.rows.len().saturating_sub(1));
        if let Some(detail) = &self.detail {
            let id = detail.id;
            if let Ok(fresh) = desk.store.interaction(&desk.actor, id) {
                self.detail = Some(fresh);
            }
        }
    }

    /// The next page of the desk log, when the selection reaches the end.
    fn load_more(&mut self, desk: &mut Desk) {
        if !self.more || self.customer.is_some() {
            return;
        }
        let Some(HistoryItem::Interaction(last)) = self.rows.last() else {
            return;
        };
        let cursor = if self.due_replies {
            (last.reply_by.map(|t| t.timestamp()).unwrap_or(0), last.id)
        } else {
            (last.started_at.timestamp(), last.id)
        };
        match desk
            .store
            .desk_log(&desk.actor, &self.desk_filter(desk), Some(cursor), PAGE)
        {
            Ok(rows) => {
                self.more = rows.len() == PAGE;
                self.rows.extend(
                    rows.into_iter()
                        .map(|i| HistoryItem::Interaction(Box::new(i))),
                );
            }
            Err(e) => desk.store_error(&e),
        }
    }

    fn move_by(&mut self, by: i64, desk: &mut Desk) {
        if self.detail.is_some() {
            let next = (self.detail_scroll as i64)
                .saturating_add(by)
                .clamp(0, 2000);
            self.detail_scroll = next as u16;
            return;
        }
        if by > 0 && self.selected as i64 + by >= self.rows.len() as i64 {
            self.load_more(desk);
        }
        let rows = self.rows.len();
        if rows == 0 {
            return;
        }
        self.selected = (self.selected as i64)
            .saturating_add(by)
            .clamp(0, rows as i64 - 1) as usize;
    }

    fn open_entry(&mut self, desk: &mut Desk) {
        if self.detail.is_some() {
            return;
        }
        // A complaint event: the complaint itself, in the Complaints pane.
        if let Some(HistoryItem::ComplaintEvent(e)) = self.rows.get(self.selected) {
            desk.post(Msg::Focus(super::complaints::ID));
            desk.post(Msg::ShowComplaint(e.complaint_id));
            return;
        }
        let Some(entry) = self.selected_interaction() else {
            return;
        };
        let id = entry.id;
        match desk.store.interaction(&desk.actor, id) {
            Ok(entry) => {
                self.detail = Some(entry);
                self.detail_scroll = 0;
            }
            Err(e) => desk.store_error(&e),
        }
    }

    /// Esc: close the entry; from a customer's history, back to that customer's card (the
    /// caller stays open); from the desk's log, leave the pane.
    fn back(&mut self, desk: &mut Desk) {
        if self.detail.take().is_some() {
            return;
        }
        if self.customer.is_some() && desk.customer.is_some() {
            desk.post(Msg::Focus(super::card::ID));
            return;
        }
        desk.post(Msg::Focus(super::lookup::ID));
    }

    /// `m` (mine) or `u` (due replies) on the desk log.
    fn toggle(&mut self, mine: bool, desk: &mut Desk) {
        if self.customer.is_some() {
            return;
        }
        if mine {
            // Mine stands in for an operator typed in the filter form while it is on, and gives
            // it back when it is turned off.
            self.mine = !self.mine;
        } else {
            self.due_replies = !self.due_replies;
        }
        self.detail = None;
        self.load(false, desk);
    }

    /// `e`: an amendment of the entry shown or selected.
    fn amend(&mut self, desk: &mut Desk) {
        let entry = match &self.detail {
            Some(d) => Some(d),
            None => self.selected_interaction(),
        };
        let Some(entry) = entry else { return };
        if let Some(later) = entry.amended_by {
            let text = desk
                .i18n
                .f("log.amend_latest", &[("id", &later.to_string())]);
            desk.warn(text);
            return;
        }
        if entry.restricted {
            desk.error_t("log.restricted_amend");
            return;
        }
        desk.post(Msg::Amend(entry.id));
    }

    /// `n`: a contact with the customer whose history this is, or with the selected row's
    /// customer — answering one that waits for a reply goes out on the same channel.
    fn log_contact(&mut self, desk: &mut Desk) {
        let (customer, reply_on) = match (&self.customer, self.selected_interaction()) {
            (Some((id, _)), _) => (*id, None),
            (None, Some(row)) => {
                let reply_on = if row.awaiting_reply() {
                    row.channel.parse::<Channel>().ok()
                } else {
                    None
                };
                (row.customer_id, reply_on)
            }
            _ => return,
        };
        desk.post(Msg::LogContact {
            customer,
            reply_on,
            reminder: None,
        });
    }

    fn act(&mut self, action: &Action, desk: &mut Desk) {
        match action {
            Action::Up => self.move_by(-1, desk),
            Action::Down => self.move_by(1, desk),
            Action::PageUp => self.move_by(-(desk.page() as i64), desk),
            Action::PageDown => self.move_by(desk.page() as i64, desk),
            Action::Top => self.move_by(i64::MIN / 2, desk),
            Action::Bottom => self.move_by(i64::MAX / 2, desk),
            Action::Open => self.open_entry(desk),
            Action::Back => self.back(desk),
            Action::Edit => self.amend(desk),
            Action::NewInteraction => self.log_contact(desk),
            Action::Pane(&TOGGLE_MINE) => self.toggle(true, desk),
            Action::Pane(&TOGGLE_DUE_REPLIES) => self.toggle(false, desk),
            Action::Pane(&FILTER) if self.customer.is_none() => {
                let form = log_filter::form(
                    &self.filter,
                    self.operator_login.as_deref(),
                    desk.store.log_rules(),
                    &desk.i18n,
                );
                desk.post(Msg::OpenForm(Box::new(form)));
            }
            _ => {}
        }
    }
}

impl Pane for Log {
    fn id(&self) -> PaneId {
        ID
    }

    fn tab(&self) -> Option<Tab> {
        Some(Tab { label: "tab.log" })
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
            Msg::Focus(id) if *id == ID => {
                self.detail = None;
                self.fresh = true;
            }
            Msg::LogFiltered { filter, login } => {
                self.filter = filter.clone();
                self.operator_login = login.clone();
                if filter.operator_id.is_some() {
                    self.mine = false;
                }
                self.load(false, desk);
            }
            _ => {}
        }
    }

    fn reload(&mut self, desk: &mut Desk) {
        let keep = !std::mem::take(&mut self.fresh);
        self.load(keep, desk);
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View) -> Option<Position> {
        draw(self, area, buf, view);
        None
    }

    fn offers(&self, action: &Action) -> bool {
        match action {
            // The whole entry is already shown.
            Action::Open => self.detail.is_none(),
            // The desk's filters, not in a customer's history.
            Action::Pane(&FILTER | &TOGGLE_MINE | &TOGGLE_DUE_REPLIES) => self.customer.is_none(),
            _ => true,
        }
    }

    fn action_label(&self, action: &Action) -> Option<&'static str> {
        // Saved contacts are never edited in place: `e` amends.
        (*action == Action::Edit).then_some("action.amend")
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Identifies a row across reloads.
fn row_key(item: &HistoryItem) -> (bool, i64) {
    match item {
        HistoryItem::Interaction(i) => (true, i.id),
        HistoryItem::ComplaintEvent(e) => (false, e.id),
    }
}

/// Draws the pane.
fn draw(log: &Log, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let title = match &log.customer {
        Some((_, label)) => i18n.f(
            "log.title_customer",
            &[
                ("customer", &sanitize(label)),
                ("count", &log.rows.len().to_string()),
            ],
        ),
        None => {
            let filters = filter_text(log, view);
            if filters.is_empty() {
                i18n.t("log.title_desk").to_string()
            } else {
                i18n.f("log.title_filtered", &[("filters", &filters)])
            }
        }
    };
    let block = super::pane_block(view, Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    if let Some(entry) = &log.detail {
        render_detail(log, view, entry, inner, buf);
        return;
    }
    if log.rows.is_empty() {
        let text = if log.customer.is_some() {
            i18n.t("log.empty_customer")
        } else if log.due_replies {
            // With other filters on, say that they narrowed it: replies may be waiting elsewhere.
            let filtered = log.mine || log.filter != crate::store::LogFilter::default();
            i18n.t(if filtered {
                "log.no_due_replies_filtered"
            } else {
                "log.no_due_replies"
            })
        } else {
            i18n.t("log.empty")
        };
        buf.set_string(
            inner.x + 1,
            inner.y,
            truncate(text, inner.width as usize - 1),
            theme.muted,
        );
        return;
    }
    let width = inner.width as usize;
    super::draw_rows(
        log.rows.len(),
        log.selected,
        inner,
        buf,
        theme,
        |n| match &log.rows[n] {
            HistoryItem::Interaction(i) => interaction_line(log, view, i, width),
            HistoryItem::ComplaintEvent(e) => event_line(view, e, width),
        },
    );
}

/// The active desk filters, for the title.
fn filter_text(log: &Log, view: &View) -> String {
    let i18n = view.i18n;
    let mut parts = Vec::new();
    if log.due_replies {
        parts.push(i18n.t("log.filter_due").to_string());
    }
    if log.mine {
        parts.push(i18n.t("log.filter_mine").to_string());
    } else if let Some(login) = &log.operator_login {
        parts.push(sanitize(login).into_owned());
    }
    if let Some(c) = log.filter.channel {
        parts.push(i18n.value("channel", c.as_str()));
    }
    if let Some(d) = &log.filter.disposition {
        parts.push(view.disposition_label(d));
    }
    match (log.filter.from, log.filter.to) {
        (Some(f), Some(t)) => parts.push(format!("{f}…{t}")),
        (Some(f), None) => parts.push(format!("{f}…")),
        (None, Some(t)) => parts.push(format!("…{t}")),
        (None, None) => {}
    }
    parts.join(" · ")
}

/// `MM-DD HH:MM` this year, `YYYY-MM-DD` before, always 11 cells.
fn short_time(view: &View, t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Datelike;
    let local = t.with_timezone(&view.tz);
    let now = view.now.with_timezone(&view.tz);
    if local.year() == now.year() {
        local.format("%m-%d %H:%M").to_string()
    } else {
        local.format("%Y-%m-%d ").to_string()
    }
}

fn interaction_line<'a>(log: &Log, view: &View, i: &Interaction, total: usize) -> Line<'a> {
    let theme = view.theme;
    let i18n = view.i18n;
    let when = short_time(view, i.started_at);
    let (mark, mark_style) = if i.amended_by.is_some() {
        ("✎", theme.muted)
    } else if i.amends_id.is_some() {
        ("↻", theme.accent)
    } else if i.awaiting_reply() {
        let overdue = i.reply_by.is_some_and(|by| by <= view.now);
        ("⏰", if overdue { theme.breach } else { theme.warn })
    } else {
        (" ", theme.muted)
    };
    let text_style = if i.amended_by.is_some() {
        theme.muted
    } else {
        theme.text
    };
    let wide = total >= 100;
    let mut spans = vec![
        Span::styled(format!("{when} "), theme.muted),
        Span::styled(format!("{} ", pad(mark, 2)), mark_style),
        Span::styled(
            format!(
                "{} ",
                pad(&truncate(&i18n.value("channel", &i.channel), 9), 9)
            ),
            text_style,
        ),
    ];
    if log.customer.is_none() {
        let name = if wide { 12 } else { 8 };
        spans.push(Span::styled(
            format!(
                "{} ",
                pad(&truncate(&sanitize(&i.customer_name), name), name)
            ),
            text_style,
        ));
    }
    let disposition = if wide { 16 } else { 10 };
    spans.push(Span::styled(
        format!(
            "{} ",
            pad(
                &truncate(&view.disposition_label(&i.disposition), disposition),
                disposition
            )
        ),
        if i.amended_by.is_some() {
            theme.muted
        } else {
            theme.accent
        },
    ));
    if wide {
        spans.push(Span::styled(
            format!("{} ", pad(&truncate(&sanitize(&i.operator_name), 8), 8)),
            theme.muted,
        ));
        spans.push(Span::styled(
            format!(
                "{} ",
                pad(&i.handle_seconds.map(clock).unwrap_or_default(), 6)
            ),
            theme.muted,
        ));
    }
    let summary = if i.restricted {
        i18n.t("log.restricted").to_string()
    } else {
        i.summary
            .as_deref()
            .map(|s| sanitize(s).replace('\n', " ⏎ "))
            .unwrap_or_default()
    };
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::styled(
        truncate(&summary, total.saturating_sub(used)).into_owned(),
        text_style,
    ));
    Line::from(spans)
}

fn event_line<'a>(view: &View, e: &ComplaintEvent, total: usize) -> Line<'a> {
    let theme = view.theme;
    let i18n = view.i18n;
    let when = short_time(view, e.at);
    let what = event_heading(e, i18n);
    // What it recorded and what was typed; the complaint's title when neither.
    let text = event_words(e, view).unwrap_or_else(|| sanitize(&e.complaint_title).into_owned());
    let mut spans = vec![
        Span::styled(format!("{when} "), theme.muted),
        Span::styled("⚑  ", theme.warn),
    ];
    // Who did it, as contacts show their operator on a wide list (`system` for careline's
    // own automatic escalation).
    if total >= 100 {
        let who = if e.operator_name == "system" {
            i18n.t("log.system").to_string()
        } else {
            sanitize(&e.operator_name).into_owned()
        };
        spans.push(Span::styled(
            format!("{} ", pad(&truncate(&who, 8), 8)),
            theme.muted,
        ));
    }
    spans.push(Span::styled(heading_with_gap(&what), theme.warn));
    // One line: what does not fit is cut with an ellipsis (Enter on the complaint shows all).
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::styled(
        truncate(&text, total.saturating_sub(used)).into_owned(),
        theme.text,
    ));
    Line::from(spans)
}

fn render_detail(log: &Log, view: &View, i: &Interaction, area: Rect, buf: &mut Buffer) {
    let theme = view.theme;
    let i18n = view.i18n;
    let tz = &view.tz;
    let time = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(tz).format("%Y-%m-%d %H:%M:%S").to_string()
    };
    let label_w = 12;
    let pair = |label: &str, value: String, style: Style| -> Line<'static> {
        Line::from(vec![
            Span::styled(pad(&truncate(label, label_w), label_w + 1), theme.muted),
            Span::styled(value, style),
        ])
    };
    let mut lines = vec![
        pair(
            i18n.t("log.entry"),
            format!(
                "#{} · {} {}",
                i.id,
                i.customer_code,
                sanitize(&i.customer_name)
            ),
            theme.title,
        ),
        pair(
            i18n.t("field.channel"),
            format!(
                "{} · {}",
                i18n.value("channel", &i.channel),
                i18n.value("direction", &i.direction)
            ),
            theme.text,
        ),
        pair(
            i18n.t("field.disposition"),
            view.disposition_label(&i.disposition),
            theme.accent,
        ),
        pair(
            i18n.t("log.when"),
            match (i.ended_at, i.handle_seconds) {
                (Some(end), Some(h)) => format!(
                    "{} – {} ({})",
                    time(i.started_at),
                    end.with_timezone(tz).format("%H:%M:%S"),
                    clock(h)
                ),
                _ => time(i.started_at),
            },
            theme.text,
        ),
        pair(
            i18n.t("log.operator"),
            format!(
                "{} ({})",
                sanitize(&i.operator_name),
                sanitize(&i.operator_login)
            ),
            theme.text,
        ),
    ];
    if let Some(by) = i.amended_by {
        lines.push(pair(
            i18n.t("log.amended"),
            i18n.f("log.amended_by", &[("id", &by.to_string())]),
            theme.warn,
        ));
    }
    if let Some(of) = i.amends_id {
        lines.push(pair(i18n.t("log.amends"), format!("#{of}"), theme.accent));
    }
    if let Some(by) = i.reply_by {
        let value = match i.replied_at {
            Some(at) => i18n.f("log.replied", &[("by", &time(by)), ("at", &time(at))]),
            None => i18n.f("log.reply_due", &[("by", &time(by))]),
        };
        let style = if i.replied_at.is_none() && by <= view.now {
            theme.breach
        } else {
            theme.text
        };
        lines.push(pair(i18n.t("log.reply"), value, style));
    }
    if let Some(on) = i.follow_up_on {
        let due = i.follow_up_at.map_or(on.to_string(), |t| {
            t.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string()
        });
        lines.push(pair(i18n.t("field.follow_up"), due, theme.text));
    }
    if let Some(c) = i.complaint_id {
        lines.push(pair(
            i18n.t("field.linked_complaint"),
            format!("#{c}"),
            theme.text,
        ));
    }
    if let Some(r) = i.reminder_id {
        lines.push(pair(
            i18n.t("field.linked_reminder"),
            format!("#{r}"),
            theme.text,
        ));
    }
    if i.restricted {
        lines.push(Line::from(Span::styled(
            i18n.t("log.restricted").to_string(),
            theme.warn,
        )));
    } else {
        if let Some(feedback) = &i.feedback {
            lines.push(pair(
                i18n.t("field.feedback"),
                sanitize(feedback).into_owned(),
                theme.text,
            ));
        }
        lines.push(Line::from(Span::styled(
            i18n.t("field.summary").to_string(),
            theme.muted,
        )));
        for l in sanitize_multiline(i.summary.as_deref().unwrap_or("—")).lines() {
            lines.push(Line::from(Span::styled(format!("  {l}"), theme.text)));
        }
    }
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    // Wrapped lines count: a long summary must not hide the lines below it.
    let max = (paragraph.line_count(area.width) as u16).saturating_sub(area.height);
    paragraph
        .scroll((log.detail_scroll.min(max), 0))
        .render(area, buf);
}
