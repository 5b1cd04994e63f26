//! The Log pane (DESIGN §2, §3.3): with a customer open, that customer's history newest first
//! with complaint events interleaved; with none, the desk's latest contacts under the chosen
//! filters. Enter shows the whole entry.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::store::{ComplaintEvent, HistoryItem, Interaction};
use crate::text::{pad, sanitize, sanitize_multiline, truncate};
use crate::tui::app::{clock, App, Focus};

/// Draws the pane.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.settings.theme;
    let i18n = &app.i18n;
    let log = &app.log;
    let focused = app.focus == Focus::Log && app.dialog.is_none();
    let title = match &log.customer {
        Some((_, label)) => i18n.f(
            "log.title_customer",
            &[
                ("customer", &sanitize(label)),
                ("count", &log.rows.len().to_string()),
            ],
        ),
        None => {
            let filters = filter_text(app);
            if filters.is_empty() {
                i18n.t("log.title_desk").to_string()
            } else {
                i18n.f("log.title_filtered", &[("filters", &filters)])
            }
        }
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { theme.focus } else { theme.border })
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    if let Some(entry) = &log.detail {
        render_detail(app, entry, inner, buf);
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
    let rows = inner.height as usize;
    let first = log.selected.saturating_sub(rows.saturating_sub(1));
    for (n, item) in log.rows.iter().enumerate().skip(first).take(rows) {
        let y = inner.y + (n - first) as u16;
        let selected = n == log.selected;
        let line = match item {
            HistoryItem::Interaction(i) => interaction_line(app, i, inner.width as usize),
            HistoryItem::ComplaintEvent(e) => event_line(app, e),
        };
        let row_area = Rect {
            y,
            height: 1,
            ..inner
        };
        if selected {
            buf.set_style(row_area, theme.selection);
        }
        let line = if selected {
            Line::from(
                line.spans
                    .into_iter()
                    .map(|s| {
                        // The selection's colours for every part (a part's own colour can be
                        // the selection's background: cyan on cyan); bold and the like stay.
                        let style = theme.selection.patch(Style {
                            fg: None,
                            bg: None,
                            ..s.style
                        });
                        Span::styled(s.content, style)
                    })
                    .collect::<Vec<_>>(),
            )
        } else {
            line
        };
        Paragraph::new(line).render(row_area, buf);
    }
}

/// The active desk filters, for the title.
fn filter_text(app: &App) -> String {
    let i18n = &app.i18n;
    let log = &app.log;
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
        parts.push(app.disposition_label(d));
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
fn short_time(app: &App, t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Datelike;
    let local = t.with_timezone(&app.settings.tz);
    let now = app.now.with_timezone(&app.settings.tz);
    if local.year() == now.year() {
        local.format("%m-%d %H:%M").to_string()
    } else {
        local.format("%Y-%m-%d ").to_string()
    }
}

fn interaction_line<'a>(app: &App, i: &Interaction, total: usize) -> Line<'a> {
    let theme = &app.settings.theme;
    let i18n = &app.i18n;
    let when = short_time(app, i.started_at);
    let (mark, mark_style) = if i.amended_by.is_some() {
        ("✎", theme.muted)
    } else if i.amends_id.is_some() {
        ("↻", theme.accent)
    } else if i.awaiting_reply() {
        let overdue = i.reply_by.is_some_and(|by| by <= app.now);
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
    if app.log.customer.is_none() {
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
                &truncate(&app.disposition_label(&i.disposition), disposition),
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

fn event_line<'a>(app: &App, e: &ComplaintEvent) -> Line<'a> {
    let theme = &app.settings.theme;
    let i18n = &app.i18n;
    let when = short_time(app, e.at);
    let what = match (&e.from_status, &e.to_status) {
        (_, Some(to)) if e.kind == "opened" => i18n.f(
            "log.complaint_opened",
            &[
                ("id", &e.complaint_id.to_string()),
                ("status", &i18n.value("status", to)),
            ],
        ),
        (Some(from), Some(to)) => i18n.f(
            "log.complaint_status",
            &[
                ("id", &e.complaint_id.to_string()),
                ("from", &i18n.value("status", from)),
                ("to", &i18n.value("status", to)),
            ],
        ),
        _ => i18n.f(
            "log.complaint_event",
            &[("id", &e.complaint_id.to_string()), ("kind", &e.kind)],
        ),
    };
    let text = e
        .text
        .as_deref()
        .map(|t| sanitize(t).replace('\n', " "))
        .unwrap_or_else(|| sanitize(&e.complaint_title).into_owned());
    Line::from(vec![
        Span::styled(format!("{when} "), theme.muted),
        Span::styled("⚑  ", theme.warn),
        Span::styled(format!("{what} "), theme.warn),
        Span::styled(text, theme.text),
    ])
}

fn render_detail(app: &App, i: &Interaction, area: Rect, buf: &mut Buffer) {
    let theme = &app.settings.theme;
    let i18n = &app.i18n;
    let tz = &app.settings.tz;
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
            app.disposition_label(&i.disposition),
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
        let style = if i.replied_at.is_none() && by <= app.now {
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
    let max = lines.len().saturating_sub(area.height as usize) as u16;
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((app.log.detail_scroll.min(max), 0))
        .render(area, buf);
}
