//! The panes of the operator's screen. Each is a [`Pane`](crate::tui::component::Pane) in its
//! own file; the screen has the panes listed in [`registered`], in this order (the tab line
//! follows it).

pub mod access;
pub mod audit;
pub mod card;
pub mod care;
pub mod complaints;
pub mod log;
pub mod lookup;
pub mod reports;

use crate::tui::component::Pane;

/// Every pane of the screen. Adding a pane is its file and one line here.
pub fn registered() -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(lookup::Lookup::default()),
        Box::new(card::Card::default()),
        Box::new(log::Log::default()),
        Box::new(complaints::Complaints::default()),
        Box::new(care::Care::default()),
        Box::new(reports::Reports::default()),
        Box::new(access::Access::default()),
        Box::new(audit::Audit::default()),
    ]
}

/// The next value of an optional choice (`None` is "all"), forwards or back: a filter line's
/// `←` `→`.
pub(crate) fn cycle<T: Copy + PartialEq>(all: &[T], now: Option<T>, forward: bool) -> Option<T> {
    let at = now.and_then(|v| all.iter().position(|x| *x == v));
    let n = all.len();
    match (at, forward) {
        (None, true) => all.first().copied(),
        (None, false) => all.last().copied(),
        (Some(i), true) if i + 1 < n => Some(all[i + 1]),
        (Some(i), false) if i > 0 => Some(all[i - 1]),
        _ => None,
    }
}

/// A filter line: each field's label and value between ◀ ▶, the one being chosen selected.
pub(crate) fn filter_line<'a>(
    values: &[(&str, String)],
    chosen: usize,
    view: &crate::tui::view::View,
) -> ratatui::text::Line<'a> {
    use ratatui::text::Span;
    let theme = view.theme;
    let mut spans = Vec::new();
    for (n, (label, value)) in values.iter().enumerate() {
        spans.push(Span::styled(
            format!("{}: ", view.i18n.t(label)),
            theme.muted,
        ));
        let style = if n == chosen {
            theme.selection
        } else {
            theme.text
        };
        spans.push(Span::styled(format!("◀ {value} ▶"), style));
        spans.push(Span::raw("  "));
    }
    ratatui::text::Line::from(spans)
}

/// Cuts spans at `width` display cells (the last one kept is cut short, with …), so that one
/// line stays one line.
pub(crate) fn fit_spans(spans: &mut Vec<ratatui::text::Span>, width: usize) {
    let mut used = 0;
    let mut keep = 0;
    for span in spans.iter_mut() {
        let w = span.width();
        if used + w <= width {
            used += w;
            keep += 1;
            continue;
        }
        let cut = crate::text::truncate(&span.content, width - used).into_owned();
        if !cut.is_empty() {
            span.content = cut.into();
            keep += 1;
        }
        break;
    }
    spans.truncate(keep);
}

/// A pane's frame: its border in the focus colour while it has the keyboard, and its title.
pub(crate) fn pane_block<'a>(
    view: &crate::tui::view::View,
    title: impl Into<ratatui::text::Line<'a>>,
) -> ratatui::widgets::Block<'a> {
    let theme = view.theme;
    ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(if view.focused {
            theme.focus
        } else {
            theme.border
        })
        .title(title)
}

/// A list of `count` rows in `area`, scrolled so that the selected one shows, drawn in the
/// selection's colours; `line` makes the n-th row's line (only the rows shown are made).
pub(crate) fn draw_rows<'a>(
    count: usize,
    selected: usize,
    area: ratatui::layout::Rect,
    buf: &mut ratatui::buffer::Buffer,
    theme: &crate::tui::theme::Theme,
    mut line: impl FnMut(usize) -> ratatui::text::Line<'a>,
) {
    use ratatui::style::Style;
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Paragraph, Widget};
    let rows = area.height as usize;
    let first = selected.saturating_sub(rows.saturating_sub(1));
    for n in (first..count).take(rows) {
        let row_area = ratatui::layout::Rect {
            y: area.y + (n - first) as u16,
            height: 1,
            ..area
        };
        let line = line(n);
        let line = if n == selected {
            buf.set_style(row_area, theme.selection);
            // The selection's colours for every part (a part's own colour can be the
            // selection's background: cyan on cyan); bold and the like stay.
            Line::from(
                line.spans
                    .into_iter()
                    .map(|s| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_cycles_through_all_and_back() {
        let all = [1, 2, 3];
        assert_eq!(cycle(&all, None, true), Some(1));
        assert_eq!(cycle(&all, Some(3), true), None);
        assert_eq!(cycle(&all, None, false), Some(3));
        assert_eq!(cycle(&all, Some(1), false), None);
        assert_eq!(cycle(&all, Some(2), true), Some(3));
    }
}
