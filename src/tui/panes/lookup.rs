//! The lookup pane: the search box, the ranked results, and the recent screen pops while the
//! box is empty. A screen pop is looked up here too.

use std::any::Any;

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Widget};
use tui_input::backend::crossterm::to_input_request;
use tui_input::{Input, InputRequest};

use crate::domain::contact::normalize_phone;
use crate::store::{MatchRank, ScreenPop, SearchResult};
use crate::text::{pad, sanitize, skip_cells, truncate, width};
use crate::tui::action::Action;
use crate::tui::component::{Msg, Pane, PaneId, Tab};
use crate::tui::desk::Desk;
use crate::tui::keymap::{Context, Key, KeyTable, PaneKey};
use crate::tui::view::View;

pub const ID: PaneId = PaneId("lookup");

/// The search box: printable keys are the query.
pub const SEARCH: KeyTable = KeyTable {
    name: "search",
    title: "context.search",
    text: true,
    keys: &[
        PaneKey::hint(Action::Open, &[Key::plain(KeyCode::Enter)]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down)]),
        PaneKey::new(Action::Up, &[Key::plain(KeyCode::Up)]),
        PaneKey::new(Action::PageDown, &[Key::plain(KeyCode::PageDown)]),
        PaneKey::new(Action::PageUp, &[Key::plain(KeyCode::PageUp)]),
        PaneKey::hint(Action::Back, &[Key::plain(KeyCode::Esc)]),
    ],
};

/// The result list (and the recent pops while the box is empty).
pub const RESULTS: KeyTable = KeyTable {
    name: "results",
    title: "context.results",
    text: false,
    keys: &[
        PaneKey::hint(Action::Open, &[Key::plain(KeyCode::Enter)]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
        PaneKey::new(Action::Up, &[Key::plain(KeyCode::Up), Key::char('k')]),
        PaneKey::new(Action::PageDown, &[Key::plain(KeyCode::PageDown)]),
        PaneKey::new(Action::PageUp, &[Key::plain(KeyCode::PageUp)]),
        PaneKey::new(Action::Top, &[Key::plain(KeyCode::Home), Key::char('g')]),
        PaneKey::new(Action::Bottom, &[Key::plain(KeyCode::End), Key::char('G')]),
        PaneKey::hint(Action::FocusSearch, &[Key::char('/')]),
        PaneKey::new(Action::Edit, &[Key::char('e')]),
        PaneKey::hint(Action::NewInteraction, &[Key::char('n')]),
        PaneKey::new(Action::Back, &[Key::plain(KeyCode::Esc)]),
        PaneKey::hint(Action::Quit, &[Key::char('q')]),
    ],
};

/// Recent pops listed while the box is empty.
const RECENT_POPS: usize = 12;

#[derive(Debug, Clone, Default)]
pub struct Lookup {
    pub input: Input,
    /// The query the results are for.
    pub query: String,
    pub results: Vec<SearchResult>,
    /// How many customers match the query (counted up to a cap; see `more`).
    pub total: usize,
    /// More match than `total` (the count stopped at its cap): shown "200+".
    pub more: bool,
    /// Result rows asked of the store: a page more each time the operator reaches the end.
    want: usize,
    pub selected: usize,
    /// Recent screen pops, shown while the box is empty.
    pub pops: Vec<ScreenPop>,
    /// The keyboard is in the list rather than the box.
    pub in_results: bool,
}

impl Lookup {
    /// How many rows the list has in its current mode.
    pub fn rows(&self) -> usize {
        if self.query.is_empty() {
            self.pops.len()
        } else {
            self.results.len()
        }
    }

    /// The customer of the selected result (not of a recent call).
    pub fn selected_customer(&self) -> Option<i64> {
        if self.query.is_empty() {
            return None;
        }
        self.results.get(self.selected).map(|r| r.customer.id)
    }

    /// Whether more results match than the list holds (the next page can be loaded).
    pub fn has_more(&self) -> bool {
        !self.query.is_empty() && (self.results.len() < self.total || self.more)
    }

    fn search(&mut self, query: &str, desk: &mut Desk) {
        let query = query.trim().to_string();
        let limit = desk.settings.lookup_limit.max(1);
        if query != self.query || self.want == 0 {
            // A new query starts from its first page.
            self.want = limit;
        }
        self.query = query;
        if self.query.is_empty() {
            self.results.clear();
            self.total = 0;
            self.more = false;
            self.selected = 0;
            return;
        }
        match desk.store.search_page(&desk.actor, &self.query, self.want) {
            Ok(page) => {
                self.selected = self.selected.min(page.results.len().saturating_sub(1));
                self.results = page.results;
                self.total = page.total;
                self.more = page.more;
            }
            Err(e) => {
                self.results.clear();
                self.total = 0;
                self.more = false;
                desk.store_error(&e);
            }
        }
    }

    /// The next page of results, below those shown.
    fn load_more(&mut self, desk: &mut Desk) {
        self.want = self.results.len() + desk.settings.lookup_limit.max(1);
        let query = self.query.clone();
        self.search(&query, desk);
    }

    fn load_pops(&mut self, desk: &mut Desk) {
        match desk.store.recent_pops(&desk.actor, RECENT_POPS) {
            Ok(pops) => self.pops = pops,
            Err(e) => desk.store_error(&e),
        }
        if self.query.is_empty() {
            self.selected = self.selected.min(self.pops.len().saturating_sub(1));
        }
    }

    fn typed(&mut self, request: InputRequest, desk: &mut Desk) {
        let before = self.input.value().to_string();
        self.input.handle(request);
        if self.input.value() != before {
            self.selected = 0;
            let query = self.input.value().to_string();
            self.search(&query, desk);
        }
    }

    fn move_selection(&mut self, by: i64, desk: &mut Desk) {
        // Reaching past the last row loaded brings the next rows (PageDown, ↓ at the end).
        if by > 0
            && (self.in_results || by > 1)
            && self.has_more()
            && self.selected as i64 + by >= self.results.len() as i64
        {
            self.load_more(desk);
        }
        let rows = self.rows();
        if rows == 0 {
            return;
        }
        match (self.in_results, by) {
            // ↓ from the box enters the list at the row already marked.
            (false, 1) => {
                self.in_results = true;
                return;
            }
            // ↑ from the first row goes back to the box.
            (true, -1) if self.selected == 0 => {
                self.in_results = false;
                return;
            }
            (false, by) if by > 0 => self.in_results = true,
            _ => {}
        }
        self.selected = (self.selected as i64)
            .saturating_add(by)
            .clamp(0, rows as i64 - 1) as usize;
    }

    fn open_selected(&mut self, desk: &mut Desk) {
        if self.query.is_empty() {
            let Some(pop) = self.pops.get(self.selected).cloned() else {
                return;
            };
            match pop.customer_id {
                Some(id) => desk.post(Msg::OpenCustomer { id, focus: true }),
                // A shared number: its holders to pick from, never a third record.
                None if !pop.holders.is_empty() => {
                    let matches = self.holders_of(&pop.number, desk);
                    self.list_holders(&pop.number, matches, desk);
                }
                None => desk.post(Msg::NewCustomer(pop.number)),
            }
            return;
        }
        match self.results.get(self.selected) {
            Some(result) => desk.post(Msg::OpenCustomer {
                id: result.customer.id,
                focus: true,
            }),
            None => desk.post(Msg::NewCustomer(self.query.clone())),
        }
    }

    fn back(&mut self, desk: &mut Desk) {
        if self.in_results {
            self.in_results = false;
        } else if self.input.value().is_empty() {
            desk.post(Msg::CloseCustomer);
        } else {
            self.input.reset();
            self.search("", desk);
        }
    }

    /// The customers who hold a number, whole.
    fn holders_of(&mut self, number: &str, desk: &mut Desk) -> Vec<SearchResult> {
        let limit = desk.settings.lookup_limit.max(1);
        match normalize_phone(number, desk.store.phone_rules()) {
            Ok(_) => match desk.store.search(&desk.actor, number, limit) {
                Ok(results) => results
                    .into_iter()
                    .filter(|r| r.rank == MatchRank::Exact && r.matched == "phone")
                    .collect(),
                Err(e) => {
                    desk.store_error(&e);
                    Vec::new()
                }
            },
            Err(_) => Vec::new(),
        }
    }

    /// The holders of a shared number as the results, the keyboard on the first.
    fn list_holders(&mut self, number: &str, matches: Vec<SearchResult>, desk: &mut Desk) {
        self.input = Input::new(number.to_string());
        self.search(number, desk);
        self.total = matches.len();
        self.more = false;
        self.results = matches;
        self.selected = 0;
        self.in_results = true;
        desk.post(Msg::CloseCustomer);
        desk.post(Msg::Focus(ID));
    }

    /// An incoming call announced by `careline pop`: the caller's card with a contact form
    /// beside it, a prefilled new-customer form, or the holders of a shared number.
    fn pop(&mut self, number: &str, form_open: bool, desk: &mut Desk) {
        let matches = self.holders_of(number, desk);
        let matched = (matches.len() == 1).then(|| matches[0].customer.id);
        if let Err(e) = desk.store.record_pop(&desk.actor, number, matched) {
            desk.store_error(&e);
        }
        desk.own_write();
        self.load_pops(desk);
        if self.query.is_empty() {
            // The newest call is the one to call back: ↓ Enter from the box reaches it.
            self.selected = 0;
        }
        if form_open {
            // Never throw away a form being typed; the pop is listed for later.
            let text = desk.i18n.f("pop.while_form", &[("number", number)]);
            desk.warn(text);
            return;
        }
        match matches.len() {
            0 => {
                desk.post(Msg::NewCustomer(number.to_string()));
                let text = desk.i18n.f("pop.unknown", &[("number", number)]);
                desk.info(text);
            }
            1 => {
                let id = matches[0].customer.id;
                desk.post(Msg::Focus(ID));
                desk.post(Msg::OpenCustomer { id, focus: true });
                // The contact is logged while the caller talks, beside the card.
                desk.post(Msg::LogContact {
                    customer: id,
                    reply_on: None,
                    reminder: None,
                });
                let text = desk.i18n.f("pop.matched", &[("number", number)]);
                desk.info(text);
            }
            _ => {
                self.list_holders(number, matches, desk);
                let text = desk.i18n.f("pop.several", &[("number", number)]);
                desk.info(text);
            }
        }
    }

    fn act(&mut self, action: &Action, desk: &mut Desk) {
        match action {
            Action::Key(key) if !self.in_results => {
                if let Some(request) = to_input_request(&crossterm::event::Event::Key(*key)) {
                    self.typed(request, desk);
                }
            }
            Action::Up => self.move_selection(-1, desk),
            Action::Down => self.move_selection(1, desk),
            Action::PageUp => self.move_selection(-(desk.page() as i64), desk),
            Action::PageDown => {
                let page = desk.page() as i64;
                self.move_selection(page, desk)
            }
            Action::Top => self.move_selection(i64::MIN / 2, desk),
            Action::Bottom => {
                // The end of what is loaded; the whole list may be far longer.
                let to_end = self.rows() as i64 - self.selected as i64 - 1;
                self.move_selection(to_end.max(1), desk)
            }
            Action::Open => self.open_selected(desk),
            Action::Back => self.back(desk),
            Action::FocusSearch => self.in_results = false,
            Action::Edit => {
                if let Some(id) = self.selected_customer().filter(|_| self.in_results) {
                    desk.post(Msg::EditCustomer(id));
                }
            }
            Action::NewInteraction => {
                if let Some(id) = self.selected_customer().filter(|_| self.in_results) {
                    desk.post(Msg::LogContact {
                        customer: id,
                        reply_on: None,
                        reminder: None,
                    });
                }
            }
            Action::NewCustomer => {
                // What was typed becomes the new record's phone or name when it matched
                // nobody; otherwise the form starts empty.
                let prefill = if self.results.is_empty() {
                    self.input.value().to_string()
                } else {
                    String::new()
                };
                desk.post(Msg::NewCustomer(prefill));
            }
            _ => {}
        }
    }
}

impl Pane for Lookup {
    fn id(&self) -> PaneId {
        ID
    }

    fn tab(&self) -> Option<Tab> {
        Some(Tab {
            label: "tab.lookup",
        })
    }

    fn keys(&self) -> &'static [KeyTable] {
        &[SEARCH, RESULTS]
    }

    fn context(&self) -> Context {
        if self.in_results {
            Context::Pane(&RESULTS)
        } else {
            Context::Pane(&SEARCH)
        }
    }

    fn update(&mut self, msg: &Msg, desk: &mut Desk) {
        match msg {
            Msg::Action(action) => self.act(action, desk),
            Msg::Paste(text) if !self.in_results => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    self.input.handle(InputRequest::InsertChar(c));
                }
                let query = self.input.value().to_string();
                self.search(&query, desk);
            }
            Msg::Pop { number, form_open } => self.pop(number, *form_open, desk),
            Msg::NewSearch => {
                self.input.reset();
                self.in_results = false;
                self.search("", desk);
            }
            _ => {}
        }
    }

    fn reload(&mut self, desk: &mut Desk) {
        if !self.query.is_empty() {
            let query = self.query.clone();
            self.search(&query, desk);
        }
        self.load_pops(desk);
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View) -> Option<Position> {
        let theme = view.theme;
        let i18n = view.i18n;
        if area.height < 4 || area.width < 10 {
            return None;
        }
        let box_area = Rect { height: 3, ..area };
        let search_focused = !self.in_results && view.focused;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if search_focused {
                theme.focus
            } else {
                theme.border
            })
            .title(Span::styled(
                format!(" {} ", i18n.t("lookup.search")),
                theme.title,
            ));
        let inner = block.inner(box_area);
        block.render(box_area, buf);
        let mut cursor = None;
        if self.input.value().is_empty() {
            buf.set_string(
                inner.x,
                inner.y,
                truncate(i18n.t("lookup.placeholder"), inner.width as usize),
                theme.muted,
            );
            if search_focused {
                cursor = Some(Position::new(inner.x, inner.y));
            }
        } else {
            let value = sanitize(self.input.value());
            let scroll = self
                .input
                .visual_scroll(inner.width.saturating_sub(1) as usize);
            let shown = skip_cells(&value, scroll);
            buf.set_string(
                inner.x,
                inner.y,
                truncate(shown, inner.width as usize),
                theme.text,
            );
            if search_focused {
                let col = (self.input.visual_cursor().saturating_sub(scroll) as u16)
                    .min(inner.width.saturating_sub(1));
                cursor = Some(Position::new(inner.x + col, inner.y));
            }
        }
        let list_area = Rect {
            y: area.y + 3,
            height: area.height - 3,
            ..area
        };
        if self.query.is_empty() {
            render_pops(self, list_area, buf, view);
        } else {
            render_results(self, list_area, buf, view);
        }
        cursor
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Column widths for a row of `total` cells: name, code, badge, phone, last contact, rest.
fn columns(total: usize) -> [usize; 6] {
    let name = if total >= 70 { 16 } else { 12 };
    let code = 8;
    let badge = if total >= 70 { 9 } else { 6 };
    let phone = 11;
    let last = if total >= 60 { 10 } else { 0 };
    let fixed = 2 + name + 1 + code + 1 + badge + 1 + phone + 1 + last + 1;
    let rest = total.saturating_sub(fixed);
    [name, code, badge, phone, last, rest]
}

fn render_results(lookup: &Lookup, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let results = &lookup.results;
    let title = if results.is_empty() {
        format!(" {} ", i18n.t("lookup.results"))
    } else if lookup.has_more() {
        let total = if lookup.more {
            format!("{}+", lookup.total)
        } else {
            lookup.total.to_string()
        };
        format!(
            " {} ",
            i18n.f(
                "lookup.count_of",
                &[("shown", &results.len().to_string()), ("total", &total)]
            )
        )
    } else {
        format!(
            " {} ",
            i18n.f("lookup.count", &[("count", &results.len().to_string())])
        )
    };
    let focused = lookup.in_results && view.focused;
    let block = super::pane_block(&view.focus(focused), Span::styled(title, theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    let w = inner.width as usize;
    if results.is_empty() {
        let query = sanitize(&lookup.query);
        buf.set_string(
            inner.x + 1,
            inner.y,
            truncate(&i18n.f("lookup.no_match", &[("query", &query)]), w - 1),
            theme.warn,
        );
        if inner.height > 1 {
            buf.set_string(
                inner.x + 1,
                inner.y + 1,
                truncate(i18n.t("lookup.offer_create"), w - 1),
                theme.accent,
            );
        }
        return;
    }
    let [name_w, code_w, badge_w, phone_w, last_w, rest_w] = columns(w);
    // header
    let mut header = String::from("  ");
    for (key, w) in [
        ("col.name", name_w),
        ("col.code", code_w),
        ("col.tier", badge_w),
        ("col.phone", phone_w),
        ("col.last_contact", last_w),
    ] {
        if w > 0 {
            header.push_str(&pad(&truncate(i18n.t(key), w), w + 1));
        }
    }
    header.push_str(&pad(i18n.t("col.company"), rest_w));
    buf.set_string(inner.x, inner.y, truncate(&header, w), theme.muted);
    let rows = inner.height.saturating_sub(1) as usize;
    if rows == 0 {
        return;
    }
    let selected = lookup.selected.min(results.len() - 1);
    let first = selected.saturating_sub(rows - 1);
    for (n, result) in results.iter().enumerate().skip(first).take(rows) {
        let y = inner.y + 1 + (n - first) as u16;
        let c = &result.customer;
        let is_selected = n == selected;
        let style = if is_selected && (focused || (!lookup.in_results && view.focused)) {
            theme.selection
        } else {
            theme.text
        };
        let mut line = String::from(if is_selected { "▶ " } else { "  " });
        line.push_str(&pad(&truncate(&sanitize(&c.name), name_w), name_w + 1));
        line.push_str(&pad(&sanitize(&c.code), code_w + 1));
        let badge = i18n.value("badge", c.badge);
        line.push_str(&pad(&truncate(&badge, badge_w), badge_w + 1));
        // The number that matched, when a number did; otherwise the customer's first.
        let phone = result
            .matched_contact
            .as_deref()
            .or(c.masked_phone.as_deref())
            .unwrap_or("—");
        line.push_str(&pad(&sanitize(phone), phone_w + 1));
        if last_w > 0 {
            let last = c
                .last_contact_at
                .map(|t| t.with_timezone(&view.tz).format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "—".into());
            line.push_str(&pad(&last, last_w + 1));
        }
        let rest = if c.restricted {
            i18n.t("card.confidential").to_string()
        } else {
            let company = c.company.as_deref().map(sanitize).unwrap_or_default();
            let why = i18n.value("matched", result.matched);
            if company.is_empty() {
                format!("[{why}]")
            } else {
                format!("{company} [{why}]")
            }
        };
        line.push_str(&truncate(&rest, rest_w));
        buf.set_string(inner.x, y, pad(&truncate(&line, w), w), style);
        if !(is_selected && (focused || (!lookup.in_results && view.focused))) {
            let badge_x = inner.x + (2 + name_w + 1 + code_w + 1) as u16;
            let badge_style = match c.badge {
                "vip" => theme.badge,
                "high" => theme.accent,
                _ => theme.muted,
            };
            buf.set_string(badge_x, y, truncate(&badge, badge_w), badge_style);
        }
    }
}

fn render_pops(lookup: &Lookup, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let focused = lookup.in_results && view.focused;
    let block = super::pane_block(
        &view.focus(focused),
        Span::styled(format!(" {} ", i18n.t("lookup.recent_calls")), theme.title),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    let w = inner.width as usize;
    let pops = &lookup.pops;
    if pops.is_empty() {
        let lines = [
            i18n.t("lookup.no_calls"),
            i18n.t("lookup.hint1"),
            i18n.t("lookup.hint2"),
        ];
        for (n, text) in lines.iter().enumerate().take(inner.height as usize) {
            let style = if n == 0 { theme.muted } else { theme.text };
            buf.set_string(
                inner.x + 1,
                inner.y + n as u16,
                truncate(text, w - 1),
                style,
            );
        }
        return;
    }
    let selected = lookup.selected.min(pops.len() - 1);
    let rows = inner.height as usize;
    let first = selected.saturating_sub(rows.saturating_sub(1));
    // A call nobody has logged a contact for says so in a column of its own after the time,
    // as wide as the mark in the language shown, so the numbers and names stay in line.
    let unlogged = i18n.t("lookup.unlogged");
    let mark_w = width(unlogged) + 1;
    const MARK_X: usize = 2 + 12;
    for (n, pop) in pops.iter().enumerate().skip(first).take(rows) {
        let y = inner.y + (n - first) as u16;
        let at = pop
            .at
            .with_timezone(&view.tz)
            .format("%m-%d %H:%M")
            .to_string();
        let who = match (&pop.customer_code, &pop.customer_name) {
            (Some(code), Some(name)) => format!("{} {}", sanitize(code), sanitize(name)),
            _ if !pop.holders.is_empty() => {
                let names: Vec<String> = pop
                    .holders
                    .iter()
                    .map(|n| sanitize(n).into_owned())
                    .collect();
                i18n.f(
                    "lookup.holders",
                    &[
                        ("count", &pop.holders.len().to_string()),
                        ("names", &names.join(", ")),
                    ],
                )
            }
            _ => i18n.t("lookup.unknown_caller").to_string(),
        };
        let is_selected = n == selected && focused;
        let mut line = String::from(if is_selected { "▶ " } else { "  " });
        line.push_str(&pad(&at, 12));
        line.push_str(&pad(if pop.logged { "" } else { unlogged }, mark_w));
        line.push_str(&pad(&truncate(&sanitize(&pop.number), 18), 19));
        line.push_str(&who);
        let style = if is_selected {
            theme.selection
        } else if pop.customer_id.is_none() {
            theme.warn
        } else {
            theme.text
        };
        buf.set_string(inner.x, y, pad(&truncate(&line, w), w), style);
        if !pop.logged && !is_selected && w > MARK_X {
            buf.set_string(
                inner.x + MARK_X as u16,
                y,
                truncate(unlogged, w - MARK_X),
                theme.breach,
            );
        }
    }
}
