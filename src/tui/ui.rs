//! Drawing the whole screen from the state: a pure function of `App`. It never touches the
//! database and never changes anything.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use ratatui::Frame;

use super::action::Action;
use super::app::{clock, App, Dialog, Focus, MessageKind, Pane};
use super::keymap::Context;
use super::panes::{card, log, lookup};
use crate::text::{pad, sanitize, truncate, width};

/// Smallest usable terminal.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;
/// From this width the card sits beside the results.
pub const WIDE: u16 = 120;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if let Some(cursor) = render(app, area, frame.buffer_mut()) {
        frame.set_cursor_position(cursor);
    }
}

/// Draws everything into `buf`; returns where the cursor goes, if a text field has focus.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    buf.set_style(
        area,
        app.settings.theme.background.patch(app.settings.theme.text),
    );
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, area, buf);
        return None;
    }
    let tabs = Rect { height: 1, ..area };
    let body = Rect {
        y: area.y + 1,
        height: area.height - 3,
        ..area
    };
    let footer = Rect {
        y: area.bottom() - 2,
        height: 1,
        ..area
    };
    let status = Rect {
        y: area.bottom() - 1,
        height: 1,
        ..area
    };
    render_tabs(app, tabs, buf);
    let mut cursor = render_body(app, body, buf);
    render_footer(app, footer, buf);
    render_status(app, status, buf);
    if let Some(dialog) = &app.dialog {
        render_dialog(app, dialog, body, buf);
        cursor = None;
    }
    cursor
}

fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let text = app.i18n.f(
        "screen.too_small",
        &[("min", &format!("{MIN_WIDTH}×{MIN_HEIGHT}"))],
    );
    // Vertically centred as far as the wrapped text allows; Paragraph wraps by display cells.
    let top = area.height.saturating_sub(2) / 2;
    let rest = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    Paragraph::new(text)
        .style(app.settings.theme.warn)
        .alignment(ratatui::layout::Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(rest, buf);
}

fn render_tabs(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.settings.theme;
    buf.set_string(area.x, area.y, " careline ", theme.title);
    let mut x = area.x + 10;
    for (n, pane, key) in [(1, Pane::Lookup, "tab.lookup"), (2, Pane::Log, "tab.log")] {
        let tab = format!(" {n} {} ", app.i18n.t(key));
        let style = if app.pane == pane {
            theme.selection
        } else {
            theme.muted
        };
        buf.set_string(x, area.y, &tab, style);
        x += width(&tab) as u16 + 1;
    }
    let help = app.i18n.t("tab.help_hint");
    let help_x = area.right().saturating_sub(width(help) as u16 + 1);
    if help_x > x {
        buf.set_string(help_x, area.y, help, theme.muted);
    }
}

fn render_body(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    if let Some(form) = &app.form {
        if area.width >= WIDE {
            let left = Rect {
                width: area.width / 2,
                ..area
            };
            let right = Rect {
                x: area.x + left.width,
                width: area.width - left.width,
                ..area
            };
            match &app.card {
                Some(c) if app.form_return == Focus::Card => card::render(app, c, left, buf),
                _ if app.pane == Pane::Log => log::render(app, left, buf),
                _ => {
                    lookup::render(app, left, buf);
                }
            }
            return form.render(right, buf, &app.settings.theme, &app.i18n);
        }
        return form.render(area, buf, &app.settings.theme, &app.i18n);
    }
    if app.pane == Pane::Log {
        match &app.card {
            Some(c) if area.width >= WIDE && app.log.detail.is_none() => {
                let left = Rect {
                    width: area.width * 11 / 20,
                    ..area
                };
                let right = Rect {
                    x: area.x + left.width,
                    width: area.width - left.width,
                    ..area
                };
                log::render(app, left, buf);
                card::render(app, c, right, buf);
            }
            _ => log::render(app, area, buf),
        }
        return None;
    }
    match &app.card {
        Some(c) if area.width >= WIDE => {
            let left = Rect {
                width: area.width * 9 / 20,
                ..area
            };
            let right = Rect {
                x: area.x + left.width,
                width: area.width - left.width,
                ..area
            };
            let cursor = lookup::render(app, left, buf);
            card::render(app, c, right, buf);
            cursor
        }
        Some(c) if app.focus == Focus::Card => {
            card::render(app, c, area, buf);
            None
        }
        _ => lookup::render(app, area, buf),
    }
}

fn render_footer(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.settings.theme;
    // A dialog waits for an answer: its keys show instead of a notice, which waits until it is
    // answered. A warning or an error still shows.
    if let Some(message) = app
        .message
        .as_ref()
        .filter(|m| app.dialog.is_none() || m.kind != MessageKind::Info)
    {
        let style = match message.kind {
            MessageKind::Info => theme.ok,
            MessageKind::Warn => theme.warn,
            MessageKind::Error => theme.breach,
        };
        let text = sanitize(&message.text);
        buf.set_string(
            area.x,
            area.y,
            pad(
                &truncate(&format!(" {text}"), area.width as usize),
                area.width as usize,
            ),
            style,
        );
        return;
    }
    let mut spans: Vec<Span> = Vec::new();
    let mut used = 0usize;
    let context = app.context();
    for (key, action) in app.settings.keymap.hints(context) {
        if !app.offers(&action) {
            continue;
        }
        let label = app.action_label(context, &action);
        let piece = format!(" {key} {label} ");
        let w = width(&piece) + 1;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {key}"), theme.accent));
        spans.push(Span::styled(format!(" {label}  "), theme.muted));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.settings.theme;
    let i18n = &app.i18n;
    let w = area.width as usize;
    let role = i18n.value("role", app.actor.role.as_str());
    let mut left = format!(" {} ({role})", sanitize(&app.actor.login));
    if let Some(via) = &app.actor.via {
        left.push_str(&format!(" ← {}", sanitize(via)));
    }
    let time = app
        .now
        .with_timezone(&app.settings.tz)
        .format("%H:%M")
        .to_string();
    let mut right = Vec::new();
    if let Some(call) = &app.call {
        right.push((
            format!(
                "☎ {} {}",
                sanitize(&call.number),
                clock((app.now - call.started).num_seconds())
            ),
            theme.warn,
        ));
    }
    let counts = &app.counts;
    let complaints = i18n.f(
        "status.complaints",
        &[
            ("breached", &counts.breached.to_string()),
            ("due", &counts.due_soon.to_string()),
        ],
    );
    right.push((
        complaints,
        if counts.breached > 0 {
            theme.breach
        } else {
            theme.muted
        },
    ));
    right.push((
        i18n.f(
            "status.care",
            &[("count", &counts.reminders_due.to_string())],
        ),
        theme.muted,
    ));
    right.push((time, theme.text));
    let kind = if app.settings.shared {
        i18n.t("status.shared")
    } else {
        i18n.t("status.local")
    };
    // On a narrow bar the least needed figures go first: the clock, then the care count.
    let fits = |right: &[(String, Style)]| {
        width(&left) + 3 + width(kind) + right.iter().map(|(t, _)| width(t) + 4).sum::<usize>() <= w
    };
    while right.len() > 1 && !fits(&right) {
        right.pop();
    }
    let right_width: usize = right.iter().map(|(t, _)| width(t) + 4).sum();
    let path = app.settings.db_label.clone();
    let room = w.saturating_sub(width(&left) + right_width + width(kind) + 6);
    let db = if room >= 8 {
        let path_w = width(&path);
        if path_w <= room {
            format!("{kind} {path}")
        } else {
            // keep the end of the path: the file name matters most
            let chars: Vec<char> = path.chars().collect();
            let keep = room.saturating_sub(1);
            let tail: String = chars[chars.len().saturating_sub(keep)..].iter().collect();
            format!("{kind} …{tail}")
        }
    } else {
        kind.to_string()
    };
    // Everything on the bar keeps the bar's background; a role only adds its colour or weight.
    let on_bar = |style: Style| theme.selection.patch(Style { bg: None, ..style });
    let left = format!("{left} │ {db}");
    let gap = w.saturating_sub(width(&left) + right_width);
    let mut spans = vec![Span::raw(left), Span::raw(" ".repeat(gap))];
    for (text, style) in right {
        spans.push(Span::raw(" │ "));
        spans.push(Span::styled(text, on_bar(style)));
        spans.push(Span::raw(" "));
    }
    Paragraph::new(Line::from(spans))
        .style(theme.selection)
        .render(area, buf);
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn render_dialog(app: &App, dialog: &Dialog, area: Rect, buf: &mut Buffer) {
    let theme = &app.settings.theme;
    let i18n = &app.i18n;
    let (title, lines): (String, Vec<Line>) = match dialog {
        Dialog::Help(context) => {
            // (keys, what they do): several keys for one action share a line.
            let mut entries: Vec<(String, String)> = Vec::new();
            for b in app
                .settings
                .keymap
                .help(*context)
                .into_iter()
                // The help is open, yet it lists the key that opens it.
                .filter(|b| b.action == Action::Help || app.offers(&b.action))
            {
                let label = app.action_label(*context, &b.action).to_string();
                let key = b.key.label();
                match entries.iter_mut().find(|(_, l)| *l == label) {
                    Some((keys, _)) => {
                        keys.push(' ');
                        keys.push_str(&key);
                    }
                    None => entries.push((key, label)),
                }
            }
            let key_width = entries.iter().map(|(k, _)| width(k)).max().unwrap_or(0) + 2;
            let entry = |(keys, label): &(String, String)| -> Vec<Span<'static>> {
                vec![
                    Span::styled(pad(keys, key_width), theme.accent),
                    Span::styled(label.clone(), theme.text),
                ]
            };
            // Too many for the screen's height: two columns, so that nothing is cut off.
            let rows_available = (area.height as usize).saturating_sub(4 + 2);
            let mut lines: Vec<Line> = if entries.len() > rows_available {
                let half = entries.len().div_ceil(2);
                let left_width = entries[..half]
                    .iter()
                    .map(|(k, l)| key_width.max(width(k)) + width(l))
                    .max()
                    .unwrap_or(0)
                    + 2;
                (0..half)
                    .map(|row| {
                        let mut spans = entry(&entries[row]);
                        if let Some(right) = entries.get(row + half) {
                            let used: usize = spans.iter().map(|s| s.width()).sum();
                            spans.push(Span::raw(" ".repeat(left_width.saturating_sub(used))));
                            spans.extend(entry(right));
                        }
                        Line::from(spans)
                    })
                    .collect()
            } else {
                entries.iter().map(|e| Line::from(entry(e))).collect()
            };
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                i18n.t("help.close").to_string(),
                theme.muted,
            )));
            let title = i18n.f("help.title", &[("context", i18n.t(context_key(*context)))]);
            (title, lines)
        }
        Dialog::DiscardForm => (
            i18n.t("dialog.discard_title").to_string(),
            vec![
                Line::from(Span::styled(
                    i18n.t("dialog.discard").to_string(),
                    theme.text,
                )),
                Line::from(""),
                Line::from(Span::styled(
                    i18n.t("dialog.discard_keys").to_string(),
                    theme.accent,
                )),
            ],
        ),
        Dialog::RestoreDraft(draft) => {
            let when = draft
                .updated_at
                .with_timezone(&app.settings.tz)
                .format("%Y-%m-%d %H:%M")
                .to_string();
            let form = i18n.t(match draft.form.as_str() {
                "customer.edit" => "form.edit_customer",
                "interaction.new" => "form.new_interaction",
                "interaction.amend" => "form.amend_interaction",
                _ => "form.new_customer",
            });
            let field = if draft.form.starts_with("interaction.") {
                "summary"
            } else {
                "name"
            };
            let preview = serde_json::from_str::<serde_json::Value>(&draft.content)
                .ok()
                .and_then(|v| {
                    v.get("fields")
                        .and_then(|f| f.get(field))
                        .and_then(|n| n.as_str())
                        .map(|s| {
                            let first = s.lines().next().unwrap_or("");
                            truncate(&sanitize(first), 60).into_owned()
                        })
                })
                .unwrap_or_default();
            (
                i18n.t("dialog.restore_title").to_string(),
                vec![
                    Line::from(Span::styled(
                        i18n.f("dialog.restore", &[("form", form), ("when", &when)]),
                        theme.text,
                    )),
                    Line::from(Span::styled(preview, theme.accent)),
                    Line::from(""),
                    Line::from(Span::styled(
                        i18n.t("dialog.restore_keys").to_string(),
                        theme.accent,
                    )),
                ],
            )
        }
        Dialog::Phrases { input, selected } => {
            let phrases = app.phrases(input.value());
            let mut lines = vec![Line::from(vec![
                Span::styled(format!("{} ", i18n.t("phrases.filter")), theme.muted),
                Span::styled(sanitize(input.value()).into_owned(), theme.accent),
                Span::styled("▏", theme.accent),
            ])];
            let room = (area.height as usize).saturating_sub(5).max(1);
            let first = selected.saturating_sub(room.saturating_sub(1));
            if phrases.is_empty() {
                lines.push(Line::from(Span::styled(
                    i18n.t("phrases.none").to_string(),
                    theme.muted,
                )));
            }
            let text_width = (area.width as usize).saturating_sub(16).max(10);
            for (n, p) in phrases.iter().enumerate().skip(first).take(room) {
                let style = if n == *selected {
                    theme.selection
                } else {
                    theme.text
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} ", pad(&truncate(&i18n.value("phrase", &p.kind), 6), 6)),
                        theme.muted,
                    ),
                    Span::styled(truncate(&sanitize(&p.text), text_width).into_owned(), style),
                ]));
            }
            lines.push(Line::from(Span::styled(
                i18n.t("phrases.keys").to_string(),
                theme.accent,
            )));
            (i18n.t("phrases.title").to_string(), lines)
        }
        Dialog::Conflict(message) => (
            i18n.t("dialog.conflict_title").to_string(),
            vec![
                Line::from(Span::styled(sanitize(message).into_owned(), theme.warn)),
                Line::from(""),
                Line::from(Span::styled(
                    i18n.t("dialog.conflict_keys").to_string(),
                    theme.accent,
                )),
            ],
        ),
    };
    let width = (lines
        .iter()
        .map(|l| l.width())
        .max()
        .unwrap_or(20)
        .max(width(&title) + 4)
        + 4)
    .min(area.width as usize) as u16;
    let wrapped_extra = lines
        .iter()
        .filter(|l| l.width() + 4 > width as usize)
        .count() as u16;
    let height = lines.len() as u16 + 2 + wrapped_extra;
    let rect = centered(area, width, height);
    clear_popup(rect, buf);
    buf.set_style(rect, theme.background.patch(theme.text));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.focus)
                .title(Span::styled(format!(" {title} "), theme.title)),
        )
        .render(rect, buf);
}

fn context_key(context: Context) -> &'static str {
    match context {
        Context::Search => "context.search",
        Context::Results => "context.results",
        Context::Card => "context.card",
        Context::Form => "context.form",
        Context::Log => "context.log",
        Context::Picker => "context.picker",
        Context::Dialog => "context.dialog",
        Context::Global => "context.global",
    }
}

/// Clears `rect` for a popup, and the halves of wide characters (Chinese) cut by its edges:
/// a wide character just left of the popup would otherwise hide the left border on the
/// terminal, and one cut at the right edge would leave half a character.
pub fn clear_popup(rect: Rect, buf: &mut Buffer) {
    Clear.render(rect, buf);
    let area = buf.area;
    for y in rect.top()..rect.bottom() {
        if rect.left() > area.left() {
            let left = &mut buf[(rect.left() - 1, y)];
            if width(left.symbol()) > 1 {
                left.set_symbol(" ");
            }
        }
        if rect.right() < area.right() {
            let right = &mut buf[(rect.right(), y)];
            if right.symbol().is_empty() {
                right.reset();
                right.set_symbol(" ");
            }
        }
    }
}

#[cfg(test)]
mod popup_tests {
    use super::*;

    #[test]
    fn a_popup_over_chinese_text_keeps_its_borders_whole() {
        let area = Rect::new(0, 0, 12, 3);
        let mut buf = Buffer::empty(area);
        for y in 0..3 {
            buf.set_string(0, y, "王芳王芳王芳", Style::default());
        }
        // Columns 3..9: starts on the second half of a character, ends on the first half.
        clear_popup(Rect::new(3, 0, 6, 3), &mut buf);
        for y in 0..3 {
            assert_eq!(
                buf[(2, y)].symbol(),
                " ",
                "the cut character left of it goes"
            );
            assert_eq!(buf[(0, y)].symbol(), "王", "whole characters stay");
            assert_eq!(buf[(9, y)].symbol(), " ", "the half right of it goes");
            assert_eq!(buf[(10, y)].symbol(), "芳");
        }
    }
}
