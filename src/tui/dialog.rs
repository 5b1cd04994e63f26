//! Questions and notices over the screen, and how each is drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use tui_input::backend::crossterm::to_input_request;
use tui_input::Input;

use super::action::Action;
use super::keymap::Context;
use super::view::View;
use crate::domain::interaction::Phrase;
use crate::store::{Draft, DuplicateWarning};
use crate::text::{pad, sanitize, truncate, width};

/// A question or notice over the screen.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// The bindings of the context that had focus.
    Help(Context),
    /// Esc in a form with typed text.
    DiscardForm,
    /// A draft from an earlier session.
    RestoreDraft(Draft),
    /// Someone else saved the record first.
    Conflict(String),
    /// Standard phrases, filtered by what is typed; Enter inserts the marked one.
    Phrases { input: Input, selected: usize },
    /// `q` while a call's timer runs (the contact is not logged yet).
    QuitDuringCall,
    /// Ctrl-S on a customer form whose phone or email other customers hold already.
    Duplicates(Duplicates),
}

/// Who holds the phones or emails a customer form is about to save, and what may be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicates {
    pub found: Vec<DuplicateWarning>,
    /// Merging is offered only for a new customer, when one customer holds them all and the
    /// operator's role may merge.
    pub can_merge: bool,
}

impl Duplicates {
    /// The customer Enter opens and `m` merges into: the first one named.
    pub fn holder(&self) -> Option<&DuplicateWarning> {
        self.found.first()
    }
}

impl PartialEq for Dialog {
    fn eq(&self, other: &Dialog) -> bool {
        match (self, other) {
            (Dialog::Help(a), Dialog::Help(b)) => a == b,
            (Dialog::DiscardForm, Dialog::DiscardForm) => true,
            (Dialog::RestoreDraft(a), Dialog::RestoreDraft(b)) => a == b,
            (Dialog::Conflict(a), Dialog::Conflict(b)) => a == b,
            (
                Dialog::Phrases { input, selected },
                Dialog::Phrases {
                    input: other_input,
                    selected: other_selected,
                },
            ) => input.value() == other_input.value() && selected == other_selected,
            (Dialog::QuitDuringCall, Dialog::QuitDuringCall) => true,
            (Dialog::Duplicates(a), Dialog::Duplicates(b)) => a == b,
            _ => false,
        }
    }
}

impl Dialog {
    /// The word for an action under this dialog, when it is not the action's usual one: Esc
    /// discards an unsaved form's draft but keeps a form being discarded.
    pub fn label(&self, action: &Action) -> Option<&'static str> {
        Some(match (self, action) {
            (Dialog::RestoreDraft(_), Action::Confirm) => "action.restore",
            (Dialog::RestoreDraft(_), Action::Back) => "action.discard",
            (Dialog::DiscardForm, Action::Confirm) => "action.discard",
            (Dialog::DiscardForm, Action::Back) => "action.keep_editing",
            (Dialog::QuitDuringCall, Action::Confirm) => "action.quit",
            (Dialog::QuitDuringCall, Action::Back) => "action.stay",
            (Dialog::Conflict(_), Action::Confirm) => "action.reload_theirs",
            (Dialog::Conflict(_), Action::Alternate) => "action.reapply_mine",
            (Dialog::Conflict(_), Action::Back) => "action.back_to_form",
            (Dialog::Duplicates(_), Action::Confirm) => "action.open_existing",
            (Dialog::Duplicates(_), Action::Alternate) => "action.save_as_new",
            (Dialog::Duplicates(d), Action::Merge) if d.can_merge => "action.merge_into",
            (Dialog::Duplicates(_), Action::Back) => "action.back_to_form",
            (Dialog::Help(_), Action::Confirm | Action::Back) => "action.close",
            (Dialog::Phrases { .. }, Action::Confirm) => "action.insert",
            (Dialog::Phrases { .. }, Action::Back) => "action.close",
            _ => return None,
        })
    }
}

/// What a key did in the phrase picker.
pub enum Picked {
    /// Still open (filtered or moved).
    Open(Dialog),
    /// This phrase goes into the field.
    Insert(String),
    Closed,
}

/// A key in the phrase picker over `phrases` (those matching what is typed).
pub fn pick(mut input: Input, selected: usize, action: &Action, phrases: &[&Phrase]) -> Picked {
    let count = phrases.len();
    match action {
        Action::Key(key) => {
            let mut selected = selected;
            if let Some(request) = to_input_request(&crossterm::event::Event::Key(*key)) {
                if input.handle(request).is_some_and(|s| s.value) {
                    selected = 0;
                }
            }
            Picked::Open(Dialog::Phrases { input, selected })
        }
        Action::Paste(text) => {
            for c in text.chars().filter(|c| !c.is_control()) {
                input.handle(tui_input::InputRequest::InsertChar(c));
            }
            Picked::Open(Dialog::Phrases { input, selected: 0 })
        }
        Action::Up | Action::Down => {
            let selected = match count {
                0 => 0,
                _ if *action == Action::Up => (selected + count - 1) % count,
                _ => (selected + 1) % count,
            };
            Picked::Open(Dialog::Phrases { input, selected })
        }
        Action::Confirm => match phrases.get(selected) {
            Some(p) => Picked::Insert(p.text.clone()),
            None => Picked::Closed,
        },
        Action::Back => Picked::Closed,
        _ => Picked::Open(Dialog::Phrases { input, selected }),
    }
}

/// What a dialog shows that the router looks up for it (it cannot reach the store or keys).
pub struct Contents<'a> {
    /// The help's lines: (keys, what they do).
    pub help: Vec<(String, String)>,
    /// The phrases matching the picker's filter.
    pub phrases: Vec<&'a Phrase>,
    /// The call in progress, for the quit question: (number, duration).
    pub call: Option<(String, String)>,
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

fn help_lines<'a>(entries: &[(String, String)], area: Rect, view: &View) -> Vec<Line<'a>> {
    let theme = view.theme;
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
        view.i18n.t("help.close").to_string(),
        theme.muted,
    )));
    lines
}

fn text_lines<'a>(view: &View, body: String, keys: &str) -> Vec<Line<'a>> {
    vec![
        Line::from(Span::styled(body, view.theme.text)),
        Line::from(""),
        Line::from(Span::styled(
            view.i18n.t(keys).to_string(),
            view.theme.accent,
        )),
    ]
}

/// Each holder with the value they hold, then every choice with its key.
fn duplicate_lines<'a>(d: &Duplicates, view: &View) -> Vec<Line<'a>> {
    let (theme, i18n) = (view.theme, view.i18n);
    let mut lines = vec![Line::from(Span::styled(
        i18n.t("dialog.duplicates").to_string(),
        theme.text,
    ))];
    for w in &d.found {
        let field = i18n.t(&format!("field.{}", w.field)).to_string();
        lines.push(Line::from(Span::styled(
            i18n.f(
                "dialog.duplicate_holder",
                &[
                    ("code", &sanitize(&w.code)),
                    ("name", &sanitize(&w.name)),
                    ("field", &field),
                    ("value", &sanitize(&w.value)),
                ],
            ),
            theme.warn,
        )));
    }
    lines.push(Line::from(""));
    let code = d
        .holder()
        .map(|h| sanitize(&h.code).into_owned())
        .unwrap_or_default();
    let mut keys = vec!["dialog.duplicates_open", "dialog.duplicates_save"];
    if d.can_merge {
        keys.push("dialog.duplicates_merge");
    }
    keys.push("dialog.duplicates_back");
    for key in keys {
        lines.push(Line::from(Span::styled(
            i18n.f(key, &[("code", &code)]),
            theme.accent,
        )));
    }
    lines
}

pub fn render(dialog: &Dialog, contents: &Contents, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let (title, lines): (String, Vec<Line>) = match dialog {
        Dialog::Help(context) => (
            i18n.f("help.title", &[("context", i18n.t(context.title()))]),
            help_lines(&contents.help, area, view),
        ),
        Dialog::DiscardForm => (
            i18n.t("dialog.discard_title").to_string(),
            text_lines(
                view,
                i18n.t("dialog.discard").to_string(),
                "dialog.discard_keys",
            ),
        ),
        Dialog::QuitDuringCall => {
            let (number, duration) = contents.call.clone().unwrap_or_default();
            (
                i18n.t("dialog.quit_call_title").to_string(),
                text_lines(
                    view,
                    i18n.f(
                        "dialog.quit_call",
                        &[("number", &sanitize(&number)), ("duration", &duration)],
                    ),
                    "dialog.quit_call_keys",
                ),
            )
        }
        Dialog::RestoreDraft(draft) => {
            let when = draft
                .updated_at
                .with_timezone(&view.tz)
                .format("%Y-%m-%d %H:%M")
                .to_string();
            // The form's own title (a complaint's, a reminder's, an opportunity's …).
            let form = i18n.t(crate::tui::forms::FormKind::from_draft_name(&draft.form)
                .map(|k| k.title())
                .unwrap_or("form.new_customer"));
            let field = if draft.form.starts_with("interaction.") {
                "summary"
            } else if draft.form == "opportunity.new" {
                "title"
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
            let phrases = &contents.phrases;
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
        Dialog::Duplicates(d) => (
            i18n.t("dialog.duplicates_title").to_string(),
            duplicate_lines(d, view),
        ),
        Dialog::Conflict(message) => (
            i18n.t("dialog.conflict_title").to_string(),
            message
                .lines()
                .map(|l| Line::from(Span::styled(sanitize(l).into_owned(), theme.warn)))
                .chain([
                    Line::from(""),
                    Line::from(Span::styled(
                        i18n.t("dialog.conflict_keys").to_string(),
                        theme.accent,
                    )),
                ])
                .collect(),
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
    use ratatui::style::Style;

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
