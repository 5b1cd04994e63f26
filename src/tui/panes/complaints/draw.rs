//! Drawing the Complaints pane: the queue with its columns and the line naming the selected
//! complaint, a complaint in full with its clocks and events, and the question or filter line
//! at the bottom.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::domain::calendar::Calendar;
use crate::domain::complaint_step::{level_name, Step};
use crate::domain::customer::badge;
use crate::store::{Complaint, ComplaintDetail};
use crate::text::{chunks, pad, sanitize, sanitize_multiline, truncate, width};
use crate::tui::i18n::I18n;
use crate::tui::view::View;
use crate::tui::widgets::complaint_event::{event_words, step_name};
use crate::tui::widgets::sla_clock::{
    calendar_words, clock_name, clock_style, clock_text_long, complaint_clock,
};

use super::{Complaints, Filters};

/// Column widths of the queue at `total` cells: customer, tier, category, severity, status,
/// assignee, level; the clock takes what is left (and the title on a wide screen).
struct Columns {
    id: usize,
    customer: usize,
    tier: usize,
    category: usize,
    severity: usize,
    status: usize,
    assignee: usize,
    level: usize,
    clock: usize,
    title: usize,
}

/// The narrowest clock column: the clock and its time ("resolve 2d4h"); its colour says
/// whether that is left or over.
const MIN_CLOCK: usize = 13;

impl Columns {
    fn at(total: usize) -> Columns {
        let wide = total >= 110;
        // Narrow: no number or title (the line under the queue shows the selected one's), short
        // tier words.
        let mut c = if wide {
            Columns {
                id: 8,
                customer: 14,
                tier: 9,
                category: 16,
                severity: 9,
                status: 18,
                assignee: 10,
                level: 3,
                clock: 20,
                title: 0,
            }
        } else {
            Columns {
                id: 0,
                customer: 10,
                tier: 5,
                category: 10,
                severity: 8,
                status: 12,
                assignee: 8,
                level: 2,
                clock: 0,
                title: 0,
            }
        };
        // Each shown column is followed by a space (the clock's too; the title's falls off the
        // edge).
        let used = |c: &Columns| {
            [
                c.id, c.customer, c.tier, c.category, c.severity, c.status, c.assignee, c.level,
                c.clock,
            ]
            .iter()
            .filter(|w| **w > 0)
            .map(|w| w + 1)
            .sum::<usize>()
        };
        if wide {
            c.title = total.saturating_sub(used(&c));
            return c;
        }
        // Narrower than 80 columns the clock keeps its room, the columns an operator needs
        // least giving theirs up first: the level (shown by the status "escalated"), the tier,
        // the assignee, the category; then the customer's name is cut shorter.
        let drops: [fn(&mut Columns); 5] = [
            |c| c.level = 0,
            |c| c.tier = 0,
            |c| c.assignee = 0,
            |c| c.category = 0,
            |c| c.customer = 6,
        ];
        for drop in drops {
            if total.saturating_sub(used(&c) + 1) >= MIN_CLOCK {
                break;
            }
            drop(&mut c);
        }
        c.clock = total.saturating_sub(used(&c) + 1);
        c
    }
}

fn cell(text: &str, cells: usize) -> String {
    format!("{} ", pad(&truncate(text, cells), cells))
}

pub(super) fn draw(pane: &Complaints, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let mut title = vec![Span::styled(
        format!(
            " {} ",
            i18n.f(
                "complaints.title",
                &[(
                    "count",
                    &if pane.more {
                        format!("{}+", pane.rows.len())
                    } else {
                        pane.rows.len().to_string()
                    }
                )]
            )
        ),
        theme.title,
    )];
    let names = pane.filters.names(i18n);
    if !names.is_empty() {
        title.push(Span::styled(
            format!("· {} ", names.join(i18n.t("list.separator"))),
            theme.accent,
        ));
    }
    let block = crate::tui::panes::pane_block(view, Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 20 || inner.height < 2 {
        return;
    }
    let mut body = inner;
    // The question or the filter line takes the last line.
    if let Some(line) = bottom_line(pane, view, inner.width as usize) {
        let last = Rect {
            y: inner.bottom() - 1,
            height: 1,
            ..inner
        };
        Paragraph::new(line).render(last, buf);
        body.height -= 1;
    }
    match &pane.detail {
        Some(d) => draw_detail(pane, d, body, buf, view),
        None => draw_queue(pane, body, buf, view),
    }
}

/// The question being asked, or the filter line being chosen.
fn bottom_line<'a>(pane: &Complaints, view: &View, width: usize) -> Option<Line<'a>> {
    let theme = view.theme;
    let i18n = view.i18n;
    if let Some((id, step)) = pane.question {
        let text = match step {
            // A claim is asked about only when it takes the complaint from its holder.
            Step::Claim => i18n.f(
                "complaints.ask_take_over",
                &[
                    ("id", &id.to_string()),
                    (
                        "holder",
                        &pane
                            .current()
                            .and_then(Complaint::holder_name)
                            .map(|n| i18n.name(&sanitize(n)))
                            .unwrap_or_default(),
                    ),
                ],
            ),
            Step::Escalate => {
                let level = pane
                    .current()
                    .map(|k| (k.escalation_level + 1).min(crate::domain::complaint_step::TOP_LEVEL))
                    .unwrap_or(1);
                i18n.f(
                    "complaints.ask_escalate",
                    &[
                        ("id", &id.to_string()),
                        ("level", &level.to_string()),
                        ("name", &i18n.value("level_name", level_name(level))),
                    ],
                )
            }
            _ => i18n.f(
                "complaints.ask",
                &[
                    ("id", &id.to_string()),
                    ("step", &i18n.value("step", step.as_str())),
                ],
            ),
        };
        return Some(Line::from(Span::styled(
            truncate(&text, width).into_owned(),
            theme.warn,
        )));
    }
    let line = pane.filter_line.as_ref()?;
    let all = i18n.t("form.all").to_string();
    let values = [
        (
            "field.complaint_category",
            line.category
                .map(|c| i18n.value("category", c.as_str()))
                .unwrap_or_else(|| all.clone()),
        ),
        (
            "field.complaint_severity",
            line.severity
                .map(|s| i18n.value("severity", s.as_str()))
                .unwrap_or_else(|| all.clone()),
        ),
        (
            "field.tier",
            line.badge
                .map(|b| i18n.value("badge", b))
                .unwrap_or_else(|| all.clone()),
        ),
    ];
    Some(crate::tui::panes::filter_line(&values, line.field, view))
}

fn draw_queue(pane: &Complaints, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let total = area.width as usize;
    let c = Columns::at(total);
    let header = [
        ("#", c.id),
        (i18n.t("complaints.col.customer"), c.customer),
        (i18n.t("complaints.col.tier"), c.tier),
        (i18n.t("complaints.col.category"), c.category),
        (i18n.t("complaints.col.severity"), c.severity),
        (i18n.t("complaints.col.status"), c.status),
        (i18n.t("complaints.col.assignee"), c.assignee),
        (i18n.t("complaints.col.level"), c.level),
        (i18n.t("complaints.col.clock"), c.clock),
        (i18n.t("complaints.col.title"), c.title),
    ];
    let spans: Vec<Span> = header
        .iter()
        .filter(|(_, w)| *w > 0)
        .map(|(text, w)| Span::styled(cell(text, *w), theme.muted))
        .collect();
    Paragraph::new(Line::from(spans)).render(Rect { height: 1, ..area }, buf);
    if pane.rows.is_empty() {
        let key = if pane.filters == Filters::default() {
            "complaints.empty"
        } else if pane.filters.customer.is_some() {
            "complaints.empty_customer"
        } else if pane.filters.follow_ups {
            "complaints.empty_follow_ups"
        } else {
            "complaints.empty_filtered"
        };
        buf.set_string(
            area.x,
            area.y + 1,
            truncate(i18n.t(key), total),
            theme.muted,
        );
        return;
    }
    // Without the number and title columns, the line under the queue names the selected
    // complaint: its number, customer and title (a customer's complaints differ only there).
    let mut area = area;
    if c.title == 0 && area.height >= 4 {
        if let Some(k) = pane.rows.get(pane.selected) {
            let title = if k.restricted {
                i18n.t("complaints.restricted").to_string()
            } else {
                sanitize(&k.title).into_owned()
            };
            let line = Line::from(vec![
                Span::styled(format!("#{} ", k.id), theme.title),
                Span::styled(format!("{} · ", sanitize(&k.customer_name)), theme.muted),
                Span::styled(title, theme.text),
            ]);
            area.height -= 1;
            let under = Rect {
                y: area.bottom(),
                height: 1,
                ..area
            };
            Paragraph::new(line).render(under, buf);
        }
    }
    let rows = (area.height as usize).saturating_sub(1);
    let first = pane.selected.saturating_sub(rows.saturating_sub(1));
    for (n, k) in pane.rows.iter().enumerate().skip(first).take(rows) {
        let y = area.y + 1 + (n - first) as u16;
        let selected = n == pane.selected;
        let assignee = k
            .assignee_name
            .as_deref()
            .map(|a| sanitize(a).into_owned())
            .unwrap_or_else(|| "—".into());
        let (clock, clock_style) = complaint_clock(k, pane.calendar.as_ref(), view);
        // The customer's badge, as the card shows it and the tier filter chooses.
        let tier_key = badge(k.level, k.tier);
        let tier_style = match tier_key {
            "vip" => theme.badge,
            "high" => theme.accent,
            _ => theme.text,
        };
        let tier_group = if c.tier < 9 { "badge_short" } else { "badge" };
        let cells = [
            (format!("#{}", k.id), c.id, theme.muted),
            (
                sanitize(&k.customer_name).into_owned(),
                c.customer,
                theme.text,
            ),
            (i18n.value(tier_group, tier_key), c.tier, tier_style),
            (
                i18n.value("category", k.category.as_str()),
                c.category,
                theme.text,
            ),
            (
                i18n.value("severity", k.severity.as_str()),
                c.severity,
                theme.text,
            ),
            (
                i18n.value("status", k.status.as_str()),
                c.status,
                theme.text,
            ),
            (assignee, c.assignee, theme.text),
            (k.escalation_level.to_string(), c.level, theme.text),
            (clock, c.clock, clock_style),
        ];
        // Columns a narrow window has no room for are left out.
        let mut spans: Vec<Span> = cells
            .into_iter()
            .filter(|(_, width, _)| *width > 0)
            .map(|(text, width, style)| Span::styled(cell(&text, width), style))
            .collect();
        if c.title > 0 {
            let title = if k.restricted {
                i18n.t("complaints.restricted").to_string()
            } else {
                sanitize(&k.title).into_owned()
            };
            spans.push(Span::styled(
                truncate(&title, c.title).into_owned(),
                theme.text,
            ));
        }
        let row = Rect {
            y,
            height: 1,
            ..area
        };
        if selected && view.focused {
            buf.set_style(row, theme.selection);
            spans = spans
                .into_iter()
                .map(|s| {
                    let style = s.style.patch(theme.selection);
                    Span::styled(s.content, style)
                })
                .collect();
        }
        Paragraph::new(Line::from(spans)).render(row, buf);
    }
}

/// The calendar the complaint's clocks count in, in the screen's language when it is the one
/// configured now; as it was written down when it was opened otherwise (kept as it was, so that
/// a later change of the config does not rewrite what an old complaint was measured by).
fn calendar_text(pane: &Complaints, k: &Complaint, i18n: &I18n) -> String {
    match pane.calendar.as_ref().map(Calendar::summary) {
        Some(summary) if summary.to_string() == k.calendar => calendar_words(&summary, i18n),
        _ => sanitize(&k.calendar).into_owned(),
    }
}

/// Where an event's text starts on its own lines.
const EVENT_INDENT: usize = 4;

/// `label` then `text`, wrapped by hand at `room` cells: the continuation lines start under
/// the text (under the label's end, or 2 cells in when the label takes half the room), and
/// Chinese, which has no spaces, breaks between any two characters rather than running on.
fn labelled<'a>(
    label: &str,
    text: &str,
    (label_style, text_style): (ratatui::style::Style, ratatui::style::Style),
    room: usize,
) -> Vec<Line<'a>> {
    let indent = if width(label) * 2 <= room {
        width(label)
    } else {
        2
    };
    let first_room = room.saturating_sub(width(label)).max(1);
    // The first piece is the start of the text; the rest wraps at the indented width.
    let first = chunks(text, first_room)
        .into_iter()
        .next()
        .unwrap_or_default();
    let rest = text.get(first.len()..).unwrap_or_default().trim_start();
    let mut out = vec![Line::from(vec![
        Span::styled(label.to_string(), label_style),
        Span::styled(first, text_style),
    ])];
    if !rest.is_empty() {
        for piece in chunks(rest, room.saturating_sub(indent).max(1)) {
            out.push(Line::from(Span::styled(
                format!("{}{piece}", " ".repeat(indent)),
                text_style,
            )));
        }
    }
    out
}

fn draw_detail(pane: &Complaints, d: &ComplaintDetail, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let k = &d.complaint;
    let time = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&view.tz).format("%m-%d %H:%M").to_string()
    };
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::from(vec![
        Span::styled(format!("#{} ", k.id), theme.title),
        Span::styled(format!("{} ", sanitize(&k.customer_name)), theme.title),
        Span::styled(format!("{} ", sanitize(&k.customer_code)), theme.muted),
        Span::styled(
            format!(" {} ", i18n.value("badge", badge(k.level, k.tier))),
            theme.badge,
        ),
        Span::styled(
            format!(
                " {} · {} · {}",
                i18n.value("category", k.category.as_str()),
                i18n.value("severity", k.severity.as_str()),
                i18n.value("status", k.status.as_str())
            ),
            theme.text,
        ),
    ]));
    if k.restricted {
        lines.push(Line::from(Span::styled(
            i18n.t("complaints.restricted").to_string(),
            theme.text,
        )));
    } else {
        lines.push(Line::from(Span::styled(
            sanitize(&k.title).into_owned(),
            theme.text,
        )));
        // Each line of the description indented, its continuations under it.
        for line in k
            .description
            .as_deref()
            .map(sanitize_multiline)
            .unwrap_or_default()
            .lines()
        {
            for piece in chunks(line, (area.width as usize).saturating_sub(2).max(1)) {
                lines.push(Line::from(Span::styled(format!("  {piece}"), theme.muted)));
            }
        }
    }
    let assignee = match (&k.assignee_name, &k.assignee) {
        (Some(name), Some(login)) => format!(
            "{} ({}){}",
            sanitize(name),
            sanitize(login),
            k.claimed_at
                .map(|t| format!(" · {}", time(t)))
                .unwrap_or_default()
        ),
        _ => i18n.t("complaints.unassigned").to_string(),
    };
    lines.push(Line::from(vec![
        Span::styled(
            format!("{}: ", i18n.t("complaints.col.assignee")),
            theme.muted,
        ),
        Span::styled(assignee, theme.text),
        Span::styled(
            format!(
                "  {}: {} ({})",
                i18n.t("complaints.col.level"),
                k.escalation_level,
                i18n.value("level_name", level_name(k.escalation_level))
            ),
            theme.muted,
        ),
    ]));
    let room = area.width as usize;
    lines.extend(labelled(
        &format!("{}: ", i18n.t("complaints.calendar")),
        &calendar_text(pane, k, i18n),
        (theme.muted, theme.text),
        room,
    ));
    if let Some(reason) = &k.waiting_reason {
        lines.extend(labelled(
            &format!("{}: ", i18n.t("field.wait_reason")),
            &sanitize(reason),
            (theme.muted, theme.warn),
            room,
        ));
    }
    // The three clocks, read at this moment.
    if let Some(calendar) = &pane.calendar {
        let now = if k.status.is_open() {
            view.now
        } else {
            k.closed_at.or(k.resolved_at).unwrap_or(view.now)
        };
        for kept in k.kept_clocks() {
            let r = kept.read(&k.calendar_in(calendar), now);
            // One not met when the complaint was closed or merged has stopped.
            let (text, style) = if !k.status.is_open() && kept.met.is_none() {
                (i18n.t("sla.stopped").to_string(), theme.muted)
            } else {
                (clock_text_long(&r, i18n), clock_style(&r, theme))
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {} ", pad(clock_name(r.kind, i18n), 10)),
                    theme.muted,
                ),
                Span::styled(pad(&text, 20), style),
                Span::styled(
                    format!(" {} {}", i18n.t("card.due"), time(r.due)),
                    theme.muted,
                ),
            ]));
        }
    }
    lines.push(Line::from(Span::styled(
        i18n.t("complaints.events").to_string(),
        theme.title,
    )));
    for e in d.events.iter().rev() {
        // By name, as the Log shows who did it.
        let who = if e.operator == "system" {
            i18n.t("log.system").to_string()
        } else {
            sanitize(&e.operator_name).into_owned()
        };
        let mut spans = vec![
            Span::styled(format!("  {} ", time(e.at)), theme.muted),
            Span::styled(format!("{} ", pad(&truncate(&who, 8), 8)), theme.muted),
        ];
        // An event of a complaint merged into this one names the complaint it was written on.
        if e.complaint_id != k.id {
            spans.push(Span::styled(format!("#{} ", e.complaint_id), theme.accent));
        }
        spans.push(Span::styled(format!("{} ", step_name(e, i18n)), theme.warn));
        let room = area.width as usize;
        // The move it made follows on the heading when it fits, else on a line of its own,
        // indented under the event (not from the edge, as a wrapped line would be).
        if let (Some(from), Some(to)) = (&e.from_status, &e.to_status) {
            if from != to {
                let moved = format!(
                    "{} → {} ",
                    i18n.value("status", from),
                    i18n.value("status", to)
                );
                let head: usize = spans.iter().map(|s| s.width()).sum();
                if head + width(&moved) <= room {
                    spans.push(Span::styled(moved, theme.muted));
                } else {
                    lines.push(Line::from(std::mem::take(&mut spans)));
                    spans.push(Span::styled(
                        format!("{}{moved}", " ".repeat(EVENT_INDENT)),
                        theme.muted,
                    ));
                }
            }
        }
        // What it says likewise.
        let Some(words) = event_words(e, view) else {
            lines.push(Line::from(spans));
            continue;
        };
        let head: usize = spans.iter().map(|s| s.width()).sum();
        if head + width(&words) <= room {
            spans.push(Span::styled(words, theme.text));
            lines.push(Line::from(spans));
            continue;
        }
        lines.push(Line::from(spans));
        for piece in chunks(&words, room.saturating_sub(EVENT_INDENT)) {
            lines.push(Line::from(Span::styled(
                format!("{}{piece}", " ".repeat(EVENT_INDENT)),
                theme.text,
            )));
        }
    }
    // The steps its status allows, the chosen one marked, on the last line.
    let steps = pane.steps();
    let body = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    // Long texts wrap (nothing is cut); it scrolls no further than its end.
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let max = (paragraph.line_count(body.width) as u16).saturating_sub(body.height);
    pane.detail_max.set(Some(max));
    paragraph
        .scroll((pane.detail_scroll.min(max), 0))
        .render(body, buf);
    let label = format!("{} ", i18n.t("complaints.steps"));
    let mut spans = vec![Span::styled(label.clone(), theme.muted)];
    if steps.is_empty() {
        spans.push(Span::styled(
            i18n.t("complaints.no_steps").to_string(),
            theme.muted,
        ));
    }
    let items: Vec<Span> = steps
        .iter()
        .enumerate()
        .map(|(n, step)| {
            let style = if n == pane.step && view.focused {
                theme.selection
            } else {
                theme.text
            };
            Span::styled(format!(" {} ", i18n.value("step", step.as_str())), style)
        })
        .collect();
    // The steps that fit, always with the chosen one: ‹ and › say more lie to either side.
    let widths: Vec<usize> = items.iter().map(|s| width(&s.content)).collect();
    let whole = (area.width as usize).saturating_sub(width(&label));
    let room = if widths.iter().sum::<usize>() <= whole {
        whole
    } else {
        whole.saturating_sub(2)
    };
    let chosen = pane.step.min(items.len().saturating_sub(1));
    let mut first = 0;
    while first < chosen && widths[first..=chosen].iter().sum::<usize>() > room {
        first += 1;
    }
    let mut last = first;
    let mut used = 0;
    while last < items.len() && used + widths[last] <= room {
        used += widths[last];
        last += 1;
    }
    if first > 0 {
        spans.push(Span::styled("‹", theme.muted));
    }
    spans.extend(items[first..last.max(first)].iter().cloned());
    if last < items.len() {
        spans.push(Span::styled("›", theme.muted));
    }
    if area.height > 0 {
        let last = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        // Cut at the right by display cells (a terminal narrower than one step).
        let mut used = 0;
        spans.retain(|s| {
            used += width(&s.content);
            used <= area.width as usize
        });
        Paragraph::new(Line::from(spans)).render(last, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each shown column and its space fill the width (a title, shown last, has none);
    /// narrower than 80 columns the clock keeps at least its narrowest width, by giving up the
    /// level, tier, assignee and category in that order.
    #[test]
    fn the_columns_fill_the_width_and_keep_the_clock() {
        for total in [48usize, 50, 58, 66, 78, 130] {
            let c = Columns::at(total);
            let widths: Vec<usize> = [
                c.id, c.customer, c.tier, c.category, c.severity, c.status, c.assignee, c.level,
                c.clock, c.title,
            ]
            .into_iter()
            .filter(|w| *w > 0)
            .collect();
            let spaces = widths.len() - usize::from(c.title > 0);
            assert_eq!(widths.iter().sum::<usize>() + spaces, total, "{total}");
            assert!(c.clock >= MIN_CLOCK, "{total}: clock {}", c.clock);
            assert!(c.customer > 0 && c.severity > 0 && c.status > 0, "{total}");
        }
        // 80 columns (78 inside the border): everything but the number and title.
        let c = Columns::at(78);
        assert_eq!(
            (c.level, c.tier, c.assignee, c.category, c.clock),
            (2, 5, 8, 10, 15)
        );
        // 60 columns (58 inside): customer 10, category 10, severity 8, status 12, each with
        // its space, leave 14 for the clock and its space once level, tier and assignee are gone.
        let c = Columns::at(58);
        assert_eq!((c.level, c.tier, c.assignee, c.category), (0, 0, 0, 10));
        assert_eq!(c.clock, 13);
    }
}
