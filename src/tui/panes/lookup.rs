//! The lookup pane: the search box, the ranked results, and the recent screen pops while the
//! box is empty.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Widget};

use crate::text::{pad, sanitize, skip_cells, truncate};
use crate::tui::app::{App, Focus};

/// Draws the pane; returns the cursor position when the search box has focus.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let theme = &app.settings.theme;
    let i18n = &app.i18n;
    if area.height < 4 || area.width < 10 {
        return None;
    }
    let box_area = Rect { height: 3, ..area };
    let search_focused = app.focus == Focus::Search && app.dialog.is_none();
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
    if app.lookup.input.value().is_empty() {
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
        let value = sanitize(app.lookup.input.value());
        let scroll = app
            .lookup
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
            let col = (app.lookup.input.visual_cursor().saturating_sub(scroll) as u16)
                .min(inner.width.saturating_sub(1));
            cursor = Some(Position::new(inner.x + col, inner.y));
        }
    }
    let list_area = Rect {
        y: area.y + 3,
        height: area.height - 3,
        ..area
    };
    if app.lookup.query.is_empty() {
        render_pops(app, list_area, buf);
    } else {
        render_results(app, list_area, buf);
    }
    cursor
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

fn render_results(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.settings.theme;
    let i18n = &app.i18n;
    let results = &app.lookup.results;
    let title = if results.is_empty() {
        format!(" {} ", i18n.t("lookup.results"))
    } else {
        format!(
            " {} ",
            i18n.f("lookup.count", &[("count", &results.len().to_string())])
        )
    };
    let focused = app.focus == Focus::Results && app.dialog.is_none();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { theme.focus } else { theme.border })
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    let w = inner.width as usize;
    if results.is_empty() {
        let query = sanitize(&app.lookup.query);
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
    let selected = app.lookup.selected.min(results.len() - 1);
    let first = selected.saturating_sub(rows - 1);
    for (n, result) in results.iter().enumerate().skip(first).take(rows) {
        let y = inner.y + 1 + (n - first) as u16;
        let c = &result.customer;
        let is_selected = n == selected;
        let style = if is_selected && (focused || app.focus == Focus::Search) {
            theme.selection
        } else {
            theme.text
        };
        let mut line = String::from(if is_selected { "▶ " } else { "  " });
        line.push_str(&pad(&truncate(&sanitize(&c.name), name_w), name_w + 1));
        line.push_str(&pad(&sanitize(&c.code), code_w + 1));
        let badge = i18n.value("badge", c.badge);
        line.push_str(&pad(&truncate(&badge, badge_w), badge_w + 1));
        line.push_str(&pad(
            &sanitize(c.masked_phone.as_deref().unwrap_or("—")),
            phone_w + 1,
        ));
        if last_w > 0 {
            let last = c
                .last_contact_at
                .map(|t| {
                    t.with_timezone(&app.settings.tz)
                        .format("%Y-%m-%d")
                        .to_string()
                })
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
        if !(is_selected && (focused || app.focus == Focus::Search)) {
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

fn render_pops(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.settings.theme;
    let i18n = &app.i18n;
    let focused = app.focus == Focus::Results && app.dialog.is_none();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { theme.focus } else { theme.border })
        .title(Span::styled(
            format!(" {} ", i18n.t("lookup.recent_calls")),
            theme.title,
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    let w = inner.width as usize;
    let pops = &app.lookup.pops;
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
    let selected = app.lookup.selected.min(pops.len() - 1);
    let rows = inner.height as usize;
    let first = selected.saturating_sub(rows.saturating_sub(1));
    for (n, pop) in pops.iter().enumerate().skip(first).take(rows) {
        let y = inner.y + (n - first) as u16;
        let at = pop
            .at
            .with_timezone(&app.settings.tz)
            .format("%m-%d %H:%M")
            .to_string();
        let who = match (&pop.customer_code, &pop.customer_name) {
            (Some(code), Some(name)) => format!("{} {}", sanitize(code), sanitize(name)),
            _ => i18n.t("lookup.unknown_caller").to_string(),
        };
        let is_selected = n == selected && focused;
        let mut line = String::from(if is_selected { "▶ " } else { "  " });
        line.push_str(&pad(&at, 12));
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
    }
}
