//! The form widget: labelled fields on tui-input — text, choice (←/→), date (ISO, `today`,
//! `+3d` …) and multi-line notes — with Tab/Shift-Tab between fields and the reason for a bad
//! value shown in place.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use tui_input::backend::crossterm::to_input_request;
use tui_input::Input;

use crate::domain::date_input::parse_date;
use crate::text::{pad, sanitize, skip_cells, truncate, width};
use crate::tui::forms::FormKind;
use crate::tui::i18n::I18n;
use crate::tui::theme::Theme;

/// A choice's stored values and where their labels come from: the catalogue group
/// (`group.value`), or labels given with the values (wrap-up codes from the config, a
/// customer's open complaints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub group: &'static str,
    pub values: Vec<String>,
    pub labels: Option<Vec<String>>,
}

impl Choices {
    /// Values whose labels are in the catalogue under `group`.
    pub fn of(group: &'static str, values: &[&str]) -> Choices {
        Choices {
            group,
            values: values.iter().map(|v| v.to_string()).collect(),
            labels: None,
        }
    }

    /// Values with their own labels, already in the screen's language.
    pub fn given(values: Vec<String>, labels: Vec<String>) -> Choices {
        Choices {
            group: "",
            values,
            labels: Some(labels),
        }
    }

    /// The label of the value at `index`.
    pub fn label(&self, index: usize, i18n: &I18n) -> String {
        match &self.labels {
            Some(labels) => labels.get(index).cloned().unwrap_or_default(),
            None => self
                .values
                .get(index)
                .map(|v| i18n.value(self.group, v))
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Choice(Choices),
    Date,
    Notes,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// Stable name, used in drafts and to place validation messages.
    pub key: &'static str,
    /// Catalogue key of the label.
    pub label: &'static str,
    pub kind: FieldKind,
    pub input: Input,
    pub choice: usize,
    pub required: bool,
    pub error: Option<String>,
    /// Not shown and skipped by Tab (e.g. complaint fields until the wrap-up code asks).
    pub hidden: bool,
    /// Lines a notes field shows.
    pub height: u16,
}

impl Field {
    pub fn new(key: &'static str, label: &'static str, kind: FieldKind) -> Field {
        Field {
            key,
            label,
            kind,
            input: Input::default(),
            choice: 0,
            required: false,
            error: None,
            hidden: false,
            height: 3,
        }
    }

    /// A notes field showing `lines` lines.
    pub fn lines_shown(mut self, lines: u16) -> Field {
        self.height = lines.max(1);
        self
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    /// The field's value as text: the typed text, or a choice's value.
    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Choice(c) => c.values.get(self.choice).cloned().unwrap_or_default(),
            _ => self.input.value().to_string(),
        }
    }

    pub fn set(&mut self, value: &str) {
        match &self.kind {
            FieldKind::Choice(c) => {
                self.choice = c.values.iter().position(|v| *v == value).unwrap_or(0);
            }
            _ => self.input = Input::new(value.to_string()),
        }
    }

    fn lines(&self) -> u16 {
        match self.kind {
            FieldKind::Notes => self.height,
            _ => 1,
        }
    }

    /// Moves a choice to the next value whose label or value starts with `c` (type-ahead).
    fn jump_to(&mut self, c: char) -> bool {
        let FieldKind::Choice(choices) = &self.kind else {
            return false;
        };
        let n = choices.values.len();
        let lower: String = c.to_lowercase().collect();
        let starts = |i: usize| {
            let label = match &choices.labels {
                Some(l) => l.get(i).cloned().unwrap_or_default(),
                None => String::new(),
            };
            // The stored code's letter (`i` info given), the label's own (English), or the
            // pinyin initial of a Chinese label (`y` 已告知), so a Chinese screen has keys too.
            choices.values[i].to_lowercase().starts_with(&lower)
                || label.to_lowercase().starts_with(&lower)
                || crate::domain::search_key::pinyin_initials(&label)
                    .is_some_and(|p| p.starts_with(&lower))
        };
        for step in 1..=n {
            let i = (self.choice + step) % n;
            if starts(i) {
                self.choice = i;
                return true;
            }
        }
        false
    }
}

/// A whole form: its fields, which one has focus, and what was changed.
#[derive(Debug, Clone)]
pub struct Form {
    /// Which form this is (its title, its draft's name, what saving it does).
    pub kind: FormKind,
    /// The record it edits (0 for a new one).
    pub entity_id: i64,
    /// The record's version the edit started from.
    pub version: i64,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Something was typed since the form opened (or was restored).
    pub dirty: bool,
    /// Warnings that do not stop saving (possible duplicates), already translated.
    pub notices: Vec<String>,
    /// For an edit: the values the form was filled with, so that only what the operator
    /// changed is written (and re-applied after a conflict).
    pub original: Option<BTreeMap<String, String>>,
    /// Shown after the title (the customer a contact is logged for), already translated.
    pub subtitle: String,
    /// Values the form carries without showing them (the call's start, the entry amended);
    /// kept in the draft.
    pub extra: BTreeMap<String, String>,
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormChange {
    None,
    Moved,
    Edited,
}

impl Form {
    pub fn new(kind: FormKind, fields: Vec<Field>) -> Form {
        Form {
            kind,
            entity_id: 0,
            version: 0,
            fields,
            focus: 0,
            dirty: false,
            notices: Vec::new(),
            original: None,
            subtitle: String::new(),
            extra: BTreeMap::new(),
        }
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    /// The trimmed value of a field ("" when absent).
    pub fn value(&self, key: &str) -> String {
        self.field(key)
            .map(|f| f.value().trim().to_string())
            .unwrap_or_default()
    }

    pub fn set(&mut self, key: &str, value: &str) {
        if let Some(f) = self.field_mut(key) {
            f.set(value);
        }
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// ↑ or ↓ in a notes field with a line above or below the cursor: moves the cursor to
    /// that line (the same column, or its end). False when there is none, so the key moves to
    /// the previous or next field instead.
    pub fn move_line(&mut self, up: bool) -> bool {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if !matches!(field.kind, FieldKind::Notes) {
            return false;
        }
        let chars: Vec<char> = field.input.value().chars().collect();
        let cursor = field.input.cursor().min(chars.len());
        let line_start = |at: usize| {
            chars[..at]
                .iter()
                .rposition(|c| *c == '\n')
                .map_or(0, |i| i + 1)
        };
        let start = line_start(cursor);
        let column = cursor - start;
        let target = if up {
            if start == 0 {
                return false;
            }
            let above = line_start(start - 1);
            above + column.min(start - 1 - above)
        } else {
            let Some(end) = chars[cursor..]
                .iter()
                .position(|c| *c == '\n')
                .map(|i| cursor + i)
            else {
                return false;
            };
            let below_end = chars[end + 1..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(chars.len(), |i| end + 1 + i);
            (end + 1 + column).min(below_end)
        };
        field.input = field.input.clone().with_cursor(target);
        true
    }

    pub fn next(&mut self) {
        self.step(1);
    }

    pub fn prev(&mut self) {
        self.step(-1);
    }

    /// Moves focus to the next (or previous) shown field.
    fn step(&mut self, by: i64) {
        let n = self.fields.len() as i64;
        if n == 0 {
            return;
        }
        let mut i = self.focus as i64;
        for _ in 0..n {
            i = (i + by).rem_euclid(n);
            if !self.fields[i as usize].hidden {
                self.focus = i as usize;
                return;
            }
        }
    }

    /// Shows or hides a field; focus leaves a field that is hidden.
    pub fn show(&mut self, key: &str, shown: bool) {
        if let Some(i) = self.fields.iter().position(|f| f.key == key) {
            self.fields[i].hidden = !shown;
            if !shown {
                self.fields[i].error = None;
                if self.focus == i {
                    self.next();
                }
            }
        }
    }

    /// Puts focus on the named field.
    pub fn focus_on(&mut self, key: &str) {
        if let Some(i) = self.fields.iter().position(|f| f.key == key && !f.hidden) {
            self.focus = i;
        }
    }

    /// Inserts text at the cursor of the focused text or notes field.
    pub fn insert(&mut self, text: &str) -> bool {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if matches!(field.kind, FieldKind::Choice(_)) {
            return false;
        }
        for c in text.chars() {
            if c.is_control() && !(c == '\n' && field.kind == FieldKind::Notes) {
                continue;
            }
            field.input.handle(tui_input::InputRequest::InsertChar(c));
        }
        field.error = None;
        self.dirty = true;
        true
    }

    /// A key that the keymap did not take: typing, ←/→ on a choice, Enter.
    pub fn handle_key(&mut self, key: &KeyEvent) -> FormChange {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormChange::None;
        };
        let change = match (&field.kind, key.code) {
            (FieldKind::Choice(c), KeyCode::Right | KeyCode::Char(' ')) => {
                field.choice = (field.choice + 1) % c.values.len().max(1);
                FormChange::Edited
            }
            (FieldKind::Choice(c), KeyCode::Left) => {
                let n = c.values.len().max(1);
                field.choice = (field.choice + n - 1) % n;
                FormChange::Edited
            }
            (FieldKind::Choice(_), KeyCode::Enter) => {
                self.next();
                return FormChange::Moved;
            }
            (FieldKind::Choice(_), KeyCode::Char(c))
                if !key.modifiers.intersects(
                    crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::ALT,
                ) =>
            {
                if field.jump_to(c) {
                    FormChange::Edited
                } else {
                    FormChange::None
                }
            }
            (FieldKind::Choice(_), _) => FormChange::None,
            (FieldKind::Notes, KeyCode::Enter) => {
                field
                    .input
                    .handle(tui_input::InputRequest::InsertChar('\n'));
                FormChange::Edited
            }
            (_, KeyCode::Enter) => {
                self.next();
                return FormChange::Moved;
            }
            _ => {
                let before = field.input.value().len();
                let before_text = (before, field.input.cursor());
                let request = to_input_request(&TermEvent::Key(*key));
                match request {
                    Some(request) => {
                        let response = field.input.handle(request);
                        match response {
                            Some(state) if state.value => FormChange::Edited,
                            Some(_) => FormChange::Moved,
                            None if (field.input.value().len(), field.input.cursor())
                                != before_text =>
                            {
                                FormChange::Moved
                            }
                            None => FormChange::None,
                        }
                    }
                    None => FormChange::None,
                }
            }
        };
        if change == FormChange::Edited {
            self.dirty = true;
            field.error = None;
        }
        change
    }

    /// Pasted text goes into the focused text field (newlines only into notes).
    pub fn paste(&mut self, text: &str) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            if matches!(field.kind, FieldKind::Choice(_)) {
                return;
            }
            let notes = field.kind == FieldKind::Notes;
            for c in text.chars() {
                let c = if c == '\r' { '\n' } else { c };
                if c == '\n' && !notes {
                    continue;
                }
                if c.is_control() && c != '\n' {
                    continue;
                }
                field.input.handle(tui_input::InputRequest::InsertChar(c));
            }
            field.error = None;
            self.dirty = true;
        }
    }

    /// Checks what the form itself can: required fields and dates. Sets each field's message
    /// and returns whether all passed.
    pub fn check_basics(&mut self, i18n: &I18n, today: NaiveDate) -> bool {
        let mut ok = true;
        for field in &mut self.fields {
            let value = field.value();
            let value = value.trim();
            if field.hidden {
                continue;
            }
            if field.required && value.is_empty() {
                field.error = Some(i18n.t("form.required").to_string());
                ok = false;
            } else if field.kind == FieldKind::Date
                && !value.is_empty()
                && parse_date(value, today).is_err()
            {
                field.error = Some(i18n.t("form.bad_date").to_string());
                ok = false;
            }
        }
        ok
    }

    /// Puts a message on the named field; false when the form has no such field (the caller
    /// then says it elsewhere: a message never lands on another field).
    pub fn set_error(&mut self, key: &str, message: String) -> bool {
        match self.field_mut(key) {
            Some(field) => {
                field.error = Some(message);
                true
            }
            None => false,
        }
    }

    pub fn first_error(&self) -> Option<usize> {
        self.fields.iter().position(|f| f.error.is_some())
    }

    /// The current values (field key → text).
    pub fn values(&self) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .map(|f| (f.key.to_string(), f.value()))
            .collect()
    }

    /// Remembers the current values as what the record held.
    pub fn remember_original(&mut self) {
        self.original = Some(self.values());
    }

    /// Whether the operator changed this field (always true on a new record's form).
    pub fn changed(&self, key: &str) -> bool {
        match &self.original {
            None => true,
            Some(original) => original.get(key).map(|v| v.trim()) != Some(self.value(key).as_str()),
        }
    }

    /// The fields as a draft (field key → text), with the values the edit started from.
    pub fn to_draft(&self) -> String {
        serde_json::json!({
            "version": self.version,
            "focus": self.focus,
            "fields": self.values(),
            "original": self.original,
            "extra": self.extra,
        })
        .to_string()
    }

    /// Fills the fields from a draft; unknown keys are ignored (the form may have changed).
    pub fn restore_draft(&mut self, content: &str) -> bool {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(content) else {
            return false;
        };
        if let Some(v) = value.get("version").and_then(|v| v.as_i64()) {
            self.version = v;
        }
        if let Some(fields) = value.get("fields").and_then(|f| f.as_object()) {
            for (key, text) in fields {
                if let Some(text) = text.as_str() {
                    self.set(key, text);
                }
            }
        }
        if let Some(original) = value.get("original").and_then(|o| o.as_object()) {
            self.original = Some(
                original
                    .iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect(),
            );
        }
        if let Some(extra) = value.get("extra").and_then(|o| o.as_object()) {
            for (k, v) in extra {
                if let Some(v) = v.as_str() {
                    self.extra.insert(k.clone(), v.to_string());
                }
            }
        }
        if let Some(focus) = value.get("focus").and_then(|f| f.as_u64()) {
            self.focus = (focus as usize).min(self.fields.len().saturating_sub(1));
        }
        self.dirty = true;
        true
    }

    /// Draws the form; returns where the terminal cursor goes.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        i18n: &I18n,
    ) -> Option<Position> {
        let mut title = vec![
            Span::styled(format!(" {} ", i18n.t(self.kind.title())), theme.title),
            Span::styled(
                if self.subtitle.is_empty() {
                    String::new()
                } else {
                    format!("{} ", sanitize(&self.subtitle))
                },
                theme.accent,
            ),
        ];
        // A title wider than the frame is cut with …, one cell of the frame left before its
        // corner (a request's reason can be long).
        crate::tui::panes::fit_spans(&mut title, usize::from(area.width.saturating_sub(3)));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.focus)
            .title(Line::from(title));
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.width < 10 || inner.height < 1 {
            return None;
        }
        let label_width = self
            .fields
            .iter()
            .filter(|f| !f.hidden)
            .map(|f| width(i18n.t(f.label)) + usize::from(f.required) * 2)
            .max()
            .unwrap_or(8)
            .min(18)
            .min(inner.width as usize / 3);
        let value_x = inner.x + label_width as u16 + 2;
        let value_width = inner.right().saturating_sub(value_x);
        // Which lines each field takes, to scroll the focused one into view.
        let mut rows: Vec<(usize, u16)> = Vec::new();
        let mut y = 0u16;
        for (i, field) in self.fields.iter().enumerate() {
            rows.push((i, y));
            if !field.hidden {
                y += field.lines() + u16::from(field.error.is_some());
            }
        }
        let notice_lines = self.notices.len() as u16;
        let available = inner
            .height
            .saturating_sub(notice_lines.min(inner.height / 2));
        let focus_bottom = rows
            .get(self.focus)
            .map(|(i, y)| y + self.fields[*i].lines() + u16::from(self.fields[*i].error.is_some()))
            .unwrap_or(0);
        let scroll = focus_bottom.saturating_sub(available);
        let mut cursor = None;
        for (i, field) in self.fields.iter().enumerate() {
            let top = rows[i].1;
            if field.hidden || top < scroll {
                continue;
            }
            let row = inner.y + top - scroll;
            if row + field.lines() > inner.y + available {
                // A field that does not fit whole is not drawn: said where it would begin,
                // so that no field is out of sight unannounced.
                if row < inner.y + available {
                    buf.set_string(
                        inner.x,
                        row,
                        truncate(i18n.t("form.more_below"), inner.width as usize),
                        theme.muted,
                    );
                }
                break;
            }
            let focused = i == self.focus;
            let mut label = i18n.t(field.label).to_string();
            if field.required {
                label.push_str(" *");
            }
            let label_style = if focused { theme.focus } else { theme.muted };
            buf.set_string(
                inner.x,
                row,
                pad(&truncate(&label, label_width), label_width),
                label_style,
            );
            let value_area = Rect {
                x: value_x,
                y: row,
                width: value_width,
                height: field.lines(),
            };
            let value_style = if focused {
                theme
                    .text
                    .patch(theme.accent)
                    .remove_modifier(ratatui::style::Modifier::BOLD)
            } else {
                theme.text
            };
            match &field.kind {
                FieldKind::Choice(c) => {
                    let labels: Vec<String> =
                        (0..c.values.len()).map(|n| c.label(n, i18n)).collect();
                    let all_width: usize = labels.iter().map(|l| width(l) + 3).sum();
                    let selected_style = if focused {
                        theme.selection
                    } else {
                        theme.text.add_modifier(ratatui::style::Modifier::BOLD)
                    };
                    let spans: Vec<Span> = if all_width <= value_width as usize {
                        labels
                            .iter()
                            .enumerate()
                            .flat_map(|(n, text)| {
                                let style = if n == field.choice {
                                    selected_style
                                } else {
                                    theme.muted
                                };
                                [Span::styled(format!(" {text} "), style), Span::raw(" ")]
                            })
                            .collect()
                    } else {
                        // Too many to show side by side: the chosen one between arrows.
                        let text = labels.get(field.choice).cloned().unwrap_or_default();
                        vec![
                            Span::styled("◀ ", theme.muted),
                            Span::styled(format!(" {text} "), selected_style),
                            Span::styled(" ▶", theme.muted),
                        ]
                    };
                    Paragraph::new(Line::from(spans)).render(value_area, buf);
                }
                FieldKind::Notes => {
                    let text = field.input.value();
                    let cursor_at = byte_index(text, field.input.cursor());
                    // Long lines wrap: each row is a piece of a line at most as wide as the
                    // field, so everything typed stays in view.
                    let rows = wrap_rows(text, value_width.saturating_sub(1).max(1) as usize);
                    let cursor_row = rows
                        .iter()
                        .rposition(|&(start, _)| start <= cursor_at)
                        .unwrap_or(0);
                    let first = cursor_row.saturating_sub(field.lines() as usize - 1);
                    let mut used = Vec::new();
                    for (n, &(start, end)) in rows
                        .iter()
                        .skip(first)
                        .take(field.lines() as usize)
                        .enumerate()
                    {
                        let shown = sanitize(&text[start..end]).into_owned();
                        used.push(width(&shown));
                        buf.set_string(value_area.x, value_area.y + n as u16, &shown, value_style);
                    }
                    underline(buf, value_area, &used, focused, theme);
                    if focused {
                        let (row_start, _) = rows.get(cursor_row).copied().unwrap_or((0, 0));
                        let col = width(&sanitize(&text[row_start..cursor_at]));
                        cursor = Some(Position::new(
                            value_area.x + (col as u16).min(value_width.saturating_sub(1)),
                            value_area.y + (cursor_row - first) as u16,
                        ));
                    }
                }
                FieldKind::Text | FieldKind::Date => {
                    let text = sanitize(field.input.value());
                    let scroll_x = field
                        .input
                        .visual_scroll(value_width.saturating_sub(1) as usize);
                    let visible: String = skip_cells(&text, scroll_x).to_string();
                    let shown = truncate(&visible, value_width as usize).into_owned();
                    buf.set_string(value_area.x, value_area.y, &shown, value_style);
                    underline(buf, value_area, &[width(&shown)], focused, theme);
                    if focused {
                        let col = field.input.visual_cursor().saturating_sub(scroll_x) as u16;
                        cursor = Some(Position::new(
                            value_area.x + col.min(value_width.saturating_sub(1)),
                            value_area.y,
                        ));
                    }
                }
            }
            if let Some(error) = &field.error {
                let y = row + field.lines();
                if y < inner.bottom() {
                    buf.set_string(
                        value_x,
                        y,
                        truncate(&format!("↑ {error}"), value_width as usize),
                        theme.breach,
                    );
                }
            }
        }
        for (n, notice) in self.notices.iter().enumerate() {
            let y = inner.bottom().saturating_sub(notice_lines) + n as u16;
            if y >= inner.y && y < inner.bottom() {
                buf.set_string(
                    inner.x,
                    y,
                    truncate(&sanitize(notice), inner.width as usize),
                    theme.warn,
                );
            }
        }
        cursor
    }
}

fn byte_index(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(text.len())
}

/// The free part of each entry line is shown as a faint dotted line so that the operator sees
/// where to type, even in the mono theme. `used` is the width of the text on each line.
fn underline(buf: &mut Buffer, area: Rect, used: &[usize], focused: bool, theme: &Theme) {
    let style: Style = if focused { theme.focus } else { theme.border };
    for (n, y) in (area.top()..area.bottom()).enumerate() {
        let from = area
            .left()
            .saturating_add(used.get(n).copied().unwrap_or(0) as u16);
        for x in from..area.right() {
            if let Some(cell) = buf.cell_mut(Position::new(x, y)) {
                cell.set_symbol("·");
                cell.set_style(style.remove_modifier(ratatui::style::Modifier::BOLD));
            }
        }
    }
}

/// The rows a notes field shows: (start, end) byte ranges of `text`, each a line or a piece of
/// one at most `cells` wide (a wide character that would not fit starts the next row).
fn wrap_rows(text: &str, cells: usize) -> Vec<(usize, usize)> {
    let mut rows = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let mut row_start = line_start;
        let mut used = 0;
        for (i, ch) in line.char_indices() {
            let w = width(&sanitize(ch.encode_utf8(&mut [0; 4])));
            if used + w > cells && used > 0 {
                rows.push((row_start, line_start + i));
                row_start = line_start + i;
                used = 0;
            }
            used += w;
        }
        rows.push((row_start, line_start + line.len()));
        line_start += line.len() + 1;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::i18n::Lang;
    use crossterm::event::KeyModifiers;

    fn form() -> Form {
        Form::new(
            FormKind::NewCustomer,
            vec![
                Field::new("name", "field.name", FieldKind::Text).required(),
                Field::new("birthday", "field.birthday", FieldKind::Date),
                Field::new(
                    "level",
                    "field.level",
                    FieldKind::Choice(Choices::of("level", &["normal", "vip"])),
                ),
                Field::new("notes", "field.notes", FieldKind::Notes),
            ],
        )
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn long_summary_lines_wrap_and_keep_the_cursor_in_view() {
        assert_eq!(wrap_rows("", 5), vec![(0, 0)]);
        assert_eq!(wrap_rows("abcdefgh\nxy", 5), vec![(0, 5), (5, 8), (9, 11)]);
        // Wide characters take two cells; one that would not fit starts the next row.
        assert_eq!(wrap_rows("王秀英", 5), vec![(0, 6), (6, 9)]);

        let i18n = I18n::new(Lang::En);
        let theme = crate::tui::theme::Theme::mono();
        let mut f = Form::new(
            FormKind::NewCustomer,
            vec![Field::new("notes", "field.notes", FieldKind::Notes).lines_shown(3)],
        );
        let typed = "Customer asked about the delivery of order SO123 and wants a callback tomorrow morning END";
        for c in typed.chars() {
            f.handle_key(&key(KeyCode::Char(c)));
        }
        let area = Rect::new(0, 0, 60, 12);
        let mut buf = Buffer::empty(area);
        let cursor = f.render(area, &mut buf, &theme, &i18n).expect("cursor");
        let rows: Vec<String> = (0..area.height)
            .map(|y| {
                (0..area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect()
            })
            .collect();
        let screen = rows.join("\n");
        assert!(
            screen.contains("END"),
            "the end of the line is shown:\n{screen}"
        );
        assert!(screen.contains("Customer asked"), "{screen}");
        let row = &rows[cursor.y as usize];
        let before: String = row.chars().take(cursor.x as usize).collect();
        assert!(
            before.trim_end().ends_with("END"),
            "the cursor follows the text: {row:?} at {cursor:?}"
        );
    }

    #[test]
    fn up_and_down_move_between_summary_lines_then_fields() {
        let mut f = Form::new(
            FormKind::NewCustomer,
            vec![
                Field::new("notes", "field.notes", FieldKind::Notes).lines_shown(3),
                Field::new("name", "field.name", FieldKind::Text),
            ],
        );
        f.set("notes", "first line\nsecond\nthird line");
        // The cursor at the end of "third line": ↑ goes to the end of "second", ↑ again to
        // column 6 of "first line", ↑ once more finds no line.
        assert!(f.move_line(true));
        assert_eq!(
            f.fields[0].input.cursor(),
            "first line\nsecond".chars().count()
        );
        assert!(f.move_line(true));
        assert_eq!(f.fields[0].input.cursor(), 6);
        assert!(!f.move_line(true));
        assert!(f.move_line(false));
        assert_eq!(
            f.fields[0].input.cursor(),
            "first line\n".chars().count() + 6
        );
        assert!(f.move_line(false));
        assert!(!f.move_line(false));
        f.next();
        assert!(!f.move_line(true), "not in a one-line field");
    }

    #[test]
    fn typing_choices_notes_and_checks() {
        let i18n = I18n::new(Lang::En);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        let mut f = form();
        assert!(!f.check_basics(&i18n, today));
        assert!(f.field("name").and_then(|f| f.error.clone()).is_some());
        for c in "王秀英".chars() {
            assert_eq!(f.handle_key(&key(KeyCode::Char(c))), FormChange::Edited);
        }
        assert_eq!(f.handle_key(&key(KeyCode::Enter)), FormChange::Moved);
        for c in "31/2".chars() {
            f.handle_key(&key(KeyCode::Char(c)));
        }
        f.next();
        assert_eq!(f.handle_key(&key(KeyCode::Right)), FormChange::Edited);
        assert_eq!(f.value("level"), "vip");
        f.next();
        for c in "a".chars() {
            f.handle_key(&key(KeyCode::Char(c)));
        }
        f.handle_key(&key(KeyCode::Enter));
        f.handle_key(&key(KeyCode::Char('b')));
        assert_eq!(f.value("notes"), "a\nb");
        assert!(!f.check_basics(&i18n, today), "31/2 is no date");
        assert!(f.field("birthday").and_then(|f| f.error.clone()).is_some());
        assert_eq!(f.value("name"), "王秀英");
        let draft = f.to_draft();
        let mut g = form();
        assert!(g.restore_draft(&draft));
        assert_eq!(g.value("name"), "王秀英");
        assert_eq!(g.value("level"), "vip");
        assert_eq!(g.value("notes"), "a\nb");
    }

    #[test]
    fn an_error_for_a_field_the_form_lacks_lands_on_no_other_field() {
        let mut f = Form::new(
            FormKind::NewCustomer,
            vec![Field::new("name", "field.name", FieldKind::Text)],
        );
        assert!(!f.set_error("no_such_field", "refused".into()));
        assert!(f.field("name").is_some_and(|x| x.error.is_none()));
        assert!(f.set_error("name", "required".into()));
        assert_eq!(f.first_error(), Some(0));
    }

    #[test]
    fn a_chinese_choice_is_reached_by_the_pinyin_initial_of_its_label() {
        let mut f = Form::new(
            FormKind::NewInteraction,
            vec![Field::new(
                "disposition",
                "field.disposition",
                FieldKind::Choice(Choices::given(
                    vec!["".into(), "info_given".into(), "callback".into()],
                    vec!["（请选择）".into(), "已告知".into(), "需回电".into()],
                )),
            )],
        );
        // 需回电 is xū huí diàn: x.
        assert_eq!(f.handle_key(&key(KeyCode::Char('x'))), FormChange::Edited);
        assert_eq!(f.value("disposition"), "callback");
        // 已告知 is yǐ gào zhī: y; the code's own letter still works too.
        f.handle_key(&key(KeyCode::Char('y')));
        assert_eq!(f.value("disposition"), "info_given");
        f.handle_key(&key(KeyCode::Char('c')));
        assert_eq!(f.value("disposition"), "callback");
    }
}
