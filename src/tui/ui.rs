//! Drawing the whole screen from the state: a pure function of `App`. It never touches the
//! database and never changes anything.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui::Frame;

use super::action::Action;
use super::app::{clock, App, MessageKind};
use super::component::PaneId;
use super::dialog::{self, Contents, Dialog};
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
    let theme = &app.desk.settings.theme;
    buf.set_style(area, theme.background.patch(theme.text));
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, area, buf);
        return None;
    }
    let tabs = Rect { height: 1, ..area };
    // A message too long for one line takes two (a refusal's second half says who may act).
    let footer_lines = app.shown_message().map_or(1, |m| {
        message_lines(&sanitize(&m.text), area.width as usize).len()
    }) as u16;
    let body = Rect {
        y: area.y + 1,
        height: area.height - 2 - footer_lines,
        ..area
    };
    let footer = Rect {
        y: area.bottom() - 1 - footer_lines,
        height: footer_lines,
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
    if let Some(d) = app.dialog() {
        let contents = dialog_contents(app, d);
        dialog::render(d, &contents, body, buf, &app.desk.view(true));
        cursor = None;
    }
    cursor
}

fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let text = app.desk.i18n.f(
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
        .style(app.desk.settings.theme.warn)
        .alignment(ratatui::layout::Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(rest, buf);
}

fn render_tabs(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.desk.settings.theme;
    buf.set_string(area.x, area.y, " careline ", theme.title);
    let mut x = area.x + 10;
    for (n, (id, tab)) in app.tabs().into_iter().enumerate() {
        let tab = format!(" {} {} ", n + 1, app.desk.i18n.t(tab.label));
        let style = if app.tab() == id {
            theme.selection
        } else {
            theme.muted
        };
        buf.set_string(x, area.y, &tab, style);
        x += width(&tab) as u16 + 1;
    }
    let help = app.desk.i18n.t("tab.help_hint");
    let help_x = area.right().saturating_sub(width(help) as u16 + 1);
    if help_x > x {
        buf.set_string(help_x, area.y, help, theme.muted);
    }
}

/// Draws a registered pane, with the keyboard if it is the focused one and nothing is over it.
fn draw_pane(app: &App, id: PaneId, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let focused =
        app.dialog().is_none() && app.overlay.editor.is_none() && app.focused_pane() == id;
    let view = app.desk.view(focused);
    app.pane_by_id(id)
        .and_then(|pane| pane.render(area, buf, &view))
}

fn split(area: Rect, left_share: u16) -> (Rect, Rect) {
    let left = Rect {
        width: area.width * left_share / 20,
        ..area
    };
    let right = Rect {
        x: area.x + left.width,
        width: area.width - left.width,
        ..area
    };
    (left, right)
}

fn render_body(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let has_card = app.card().is_some();
    if let Some(editor) = &app.overlay.editor {
        let theme = &app.desk.settings.theme;
        let i18n = &app.desk.i18n;
        if area.width >= WIDE {
            let (left, right) = split(area, 10);
            let beside = if has_card && editor.return_to == card::ID {
                card::ID
            } else {
                app.covering().unwrap_or(app.tab())
            };
            draw_pane(app, beside, left, buf);
            return editor.form.render(right, buf, theme, i18n);
        }
        // On a narrow screen the form covers the body; a contact form keeps the caller in
        // sight on one line above it (tier, complaints, care due).
        if let (true, Some(c)) = (editor.kind().is_interaction(), app.card()) {
            if area.height > 8 {
                let line = card::summary_line(c, &app.desk.view(false), area.width as usize);
                Paragraph::new(line).render(Rect { height: 1, ..area }, buf);
                let below = Rect {
                    y: area.y + 1,
                    height: area.height - 1,
                    ..area
                };
                return editor.form.render(below, buf, theme, i18n);
            }
        }
        return editor.form.render(area, buf, theme, i18n);
    }
    // The access requests or an audit trail cover the body while they are open.
    if let Some(covering) = app.covering() {
        return draw_pane(app, covering, area, buf);
    }
    let tab = app.tab();
    if tab == log::ID {
        if has_card && area.width >= WIDE && app.log().detail.is_none() {
            let (left, right) = split(area, 11);
            draw_pane(app, log::ID, left, buf);
            draw_pane(app, card::ID, right, buf);
            return None;
        }
        return draw_pane(app, log::ID, area, buf);
    }
    if tab == lookup::ID && has_card {
        if area.width >= WIDE {
            let (left, right) = split(area, 9);
            let cursor = draw_pane(app, lookup::ID, left, buf);
            draw_pane(app, card::ID, right, buf);
            return cursor;
        }
        if app.focused_pane() == card::ID {
            return draw_pane(app, card::ID, area, buf);
        }
    }
    draw_pane(app, tab, area, buf)
}

fn render_footer(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.desk.settings.theme;
    // A message said here shows instead of the keys (`App::shown_message`).
    if let Some(message) = app.shown_message() {
        let style = match message.kind {
            MessageKind::Info => theme.ok,
            MessageKind::Warn => theme.warn,
            MessageKind::Error => theme.breach,
        };
        let text = sanitize(&message.text);
        for (n, line) in message_lines(&text, area.width as usize)
            .iter()
            .enumerate()
            .take(area.height as usize)
        {
            buf.set_string(
                area.x,
                area.y + n as u16,
                pad(line, area.width as usize),
                style,
            );
        }
        return;
    }
    let mut spans: Vec<Span> = Vec::new();
    let mut used = 0usize;
    let context = app.context();
    for (key, action) in app.desk.settings.keymap.hints(context) {
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

/// A message as the footer shows it, after a space: one line, or two when it is wider than
/// the screen — broken at a space where the first line can end on one, the second cut off
/// with … if even two are too few.
pub(crate) fn message_lines(text: &str, cells: usize) -> Vec<String> {
    let text = format!(" {text}");
    if width(&text) <= cells {
        return vec![text];
    }
    let first = truncate_plain(&text, cells);
    // Break at the last space of the first line, unless that leaves it shorter than half and
    // the rest would not fit the second line whole (a long path is kept in one piece there,
    // to be copied).
    let fits_second = |at: usize| width(text[at..].trim_start()) < cells;
    let cut = match first.rfind(' ') {
        Some(at) if at > 0 && (width(&first[..at]) >= cells / 2 || fits_second(at)) => at,
        _ => first.len(),
    };
    let rest = text[cut..].trim_start();
    vec![
        text[..cut].to_string(),
        format!(" {}", truncate(rest, cells.saturating_sub(1))),
    ]
}

/// The longest start of `text` within `cells` display cells, without an ellipsis.
fn truncate_plain(text: &str, cells: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used > cells {
            return &text[..at];
        }
    }
    text
}

fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let desk = &app.desk;
    let theme = &desk.settings.theme;
    let i18n = &desk.i18n;
    let w = area.width as usize;
    let role = i18n.value("role", desk.actor.role.as_str());
    let mut left = format!(" {} ({role})", sanitize(&desk.actor.login));
    let mut bare = format!(" {}", sanitize(&desk.actor.login));
    if let Some(via) = &desk.actor.via {
        left.push_str(&format!(" ← {}", sanitize(via)));
        bare.push_str(&format!(" ← {}", sanitize(via)));
    }
    let time = desk
        .now
        .with_timezone(&desk.settings.tz)
        .format("%H:%M")
        .to_string();
    let mut right = Vec::new();
    if let Some(call) = &desk.call {
        right.push((
            format!(
                "☎ {} {}",
                sanitize(&call.number),
                clock((desk.now - call.started).num_seconds())
            ),
            theme.warn,
        ));
    }
    let counts = &desk.counts;
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
    // Requests for access wait for whoever may decide them.
    if counts.access_waiting > 0
        && desk
            .actor
            .may(crate::domain::operator::Permission::GrantAccess)
    {
        right.push((
            i18n.f(
                "status.access",
                &[("count", &counts.access_waiting.to_string())],
            ),
            theme.warn,
        ));
    }
    right.push((
        i18n.f(
            "status.care",
            &[("count", &counts.reminders_due.to_string())],
        ),
        theme.muted,
    ));
    right.push((time, theme.text));
    let kind = if desk.settings.shared {
        i18n.t("status.shared")
    } else {
        i18n.t("status.local")
    };
    // On a narrow bar the least needed goes first: the database path (on a shared host it is
    // everyone's, and "shared" alone says so), then the role, then the word before the
    // complaint counts. The clock and the counts stay at 80 columns; narrower still, the clock
    // goes, then the care count.
    let fits = |left: &str, right: &[(String, Style)]| {
        width(left) + 3 + width(kind) + right.iter().map(|(t, _)| width(t) + 4).sum::<usize>() <= w
    };
    let mut whole = true;
    if !fits(&left, &right) {
        left = bare;
        whole = false;
    }
    // (After the call, when there is one.)
    let complaints_at = usize::from(desk.call.is_some());
    if !fits(&left, &right) {
        if let Some((text, _)) = right.get_mut(complaints_at) {
            *text = i18n.f(
                "status.complaints_short",
                &[
                    ("breached", &counts.breached.to_string()),
                    ("due", &counts.due_soon.to_string()),
                ],
            );
        }
    }
    while right.len() > 1 && !fits(&left, &right) {
        right.pop();
    }
    let right_width: usize = right.iter().map(|(t, _)| width(t) + 4).sum();
    let path = desk.settings.db_label.clone();
    let room = w.saturating_sub(width(&left) + right_width + width(kind) + 6);
    let db = if whole && !desk.settings.shared && room >= 8 {
        let path_w = width(&path);
        if path_w <= room {
            format!("{kind} {path}")
        } else {
            // keep the end of the path: the file name matters most (by display cells: a
            // Chinese folder name takes two a character)
            let keep = room.saturating_sub(1);
            let mut used = 0;
            let mut tail: Vec<char> = path
                .chars()
                .rev()
                .take_while(|c| {
                    used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
                    used <= keep
                })
                .collect();
            tail.reverse();
            let tail: String = tail.into_iter().collect();
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

/// What the open dialog lists: the help's keys, the phrases, the call.
fn dialog_contents<'a>(app: &'a App, d: &Dialog) -> Contents<'a> {
    let mut contents = Contents {
        help: Vec::new(),
        phrases: Vec::new(),
        call: None,
    };
    match d {
        Dialog::Help(context) => {
            // (keys, what they do): several keys for one action share a line.
            for b in app
                .desk
                .settings
                .keymap
                .help(*context)
                .into_iter()
                // The help is open, yet it lists the key that opens it.
                .filter(|b| b.action == Action::Help || app.offers(&b.action))
            {
                let label = app.action_label(*context, &b.action).to_string();
                let key = b.key.label();
                match contents.help.iter_mut().find(|(_, l)| *l == label) {
                    Some((keys, _)) => {
                        keys.push(' ');
                        keys.push_str(&key);
                    }
                    None => contents.help.push((key, label)),
                }
            }
        }
        Dialog::Phrases { input, .. } => contents.phrases = app.desk.phrases(input.value()),
        Dialog::QuitDuringCall => {
            contents.call = app.desk.call.as_ref().map(|c| {
                (
                    c.number.clone(),
                    clock((app.desk.now - c.started).num_seconds()),
                )
            });
        }
        _ => {}
    }
    contents
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal the trial saw cut off at 80 columns ("… may propo…") reads whole on two
    /// lines, broken at a space; Chinese, without spaces, breaks at the edge; a short one stays
    /// on one line.
    #[test]
    fn a_long_message_takes_two_lines() {
        let refusal = "Complaint #4031 is held by root: only they, a supervisor or an admin may \
                       propose a solution. Notes and compensation anyone may add.";
        let lines = message_lines(refusal, 80);
        assert_eq!(
            lines,
            vec![
                " Complaint #4031 is held by root: only they, a supervisor or an admin may"
                    .to_string(),
                " propose a solution. Notes and compensation anyone may add.".to_string(),
            ]
        );
        let zh = "投诉 #4035 由 root 处理：只有本人、主管或管理员可以提出方案。备注和补偿任何人都可以添加。";
        let lines = message_lines(zh, 60);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| width(l) <= 60), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), zh.replace(' ', ""));
        assert_eq!(message_lines("Saved.", 80), vec![" Saved.".to_string()]);
        // A path too long for the first line goes whole on the second, to be copied (it was
        // broken mid-name).
        let path = "/root/.local/share/careline/exports/report-2026-10-01-2026-10-31-amy.lee.csv";
        let lines = message_lines(&format!("Report saved as CSV: {path}"), 80);
        assert_eq!(
            lines,
            vec![" Report saved as CSV:".to_string(), format!(" {path}")]
        );
    }

    /// What a screen left open says once a restore replaced its database reads whole at 80
    /// columns, in both languages: it is the last thing its operator reads before restarting.
    #[test]
    fn the_database_replaced_reads_whole_at_eighty_columns() {
        use crate::tui::i18n::{I18n, Lang};
        let e = crate::store::StoreError::Replaced {
            path: "/var/lib/careline/careline.db".into(),
        };
        for lang in [Lang::En, Lang::ZhCn] {
            let text = crate::tui::field_errors::store_words(&e, &I18n::new(lang));
            let lines = message_lines(&text, 80);
            assert!(lines.len() <= 2, "{lines:?}");
            assert!(!lines.concat().contains('…'), "cut off: {lines:?}");
            assert!(lines.iter().all(|l| width(l) <= 80), "{lines:?}");
        }
    }
}
