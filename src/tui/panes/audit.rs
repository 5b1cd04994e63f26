//! One customer's audit trail, from the card (`A`, supervisors): who looked at this record,
//! what they changed (old → new), who asked for access and who granted it, exports and
//! erasures — newest first. Reading it is a supervisor's right (`Permission::ReadAudit`); the
//! whole log is `careline audit list`.

use std::any::Any;

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::store::{AuditFilter, AuditRow};
use crate::text::{pad, sanitize, truncate};
use crate::tui::action::Action;
use crate::tui::component::{Msg, Pane, PaneId};
use crate::tui::desk::Desk;
use crate::tui::keymap::{Context, Key, KeyTable, PaneKey};
use crate::tui::view::View;

pub const ID: PaneId = PaneId("audit");

/// Entries read at a time; ↓ past the last reads the next ones.
const PAGE: usize = 200;

pub const KEYS: KeyTable = KeyTable {
    name: "audit",
    title: "context.audit",
    text: false,
    keys: &[
        PaneKey::hint(Action::Back, &[Key::plain(KeyCode::Esc)]),
        PaneKey::hint(Action::Open, &[Key::plain(KeyCode::Enter)]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
        PaneKey::new(Action::Up, &[Key::plain(KeyCode::Up), Key::char('k')]),
        PaneKey::new(Action::PageDown, &[Key::plain(KeyCode::PageDown)]),
        PaneKey::new(Action::PageUp, &[Key::plain(KeyCode::PageUp)]),
        PaneKey::new(Action::Top, &[Key::plain(KeyCode::Home), Key::char('g')]),
        PaneKey::new(Action::Bottom, &[Key::plain(KeyCode::End), Key::char('G')]),
        PaneKey::hint(Action::Quit, &[Key::char('q')]),
    ],
};

/// The trail of the customer the card showed.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    /// The customer: id, code and name.
    pub customer: Option<(i64, String, String)>,
    pub rows: Vec<AuditRow>,
    pub selected: usize,
    /// The selected entry shown in full.
    pub detail: bool,
    /// Older entries exist past the last read.
    more: bool,
}

impl Audit {
    fn read(&mut self, desk: &mut Desk, before: Option<i64>) {
        let Some((id, _, _)) = &self.customer else {
            return;
        };
        let filter = AuditFilter {
            customer_id: Some(*id),
            before,
            ..AuditFilter::default()
        };
        match desk.store.audit_entries(&desk.actor, &filter, PAGE + 1) {
            Ok(mut rows) => {
                self.more = rows.len() > PAGE;
                rows.truncate(PAGE);
                if before.is_some() {
                    self.rows.extend(rows);
                } else {
                    self.rows = rows;
                }
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
            }
            Err(e) => desk.store_error(&e),
        }
    }

    fn act(&mut self, action: &Action, desk: &mut Desk) {
        let last = self.rows.len().saturating_sub(1);
        let page = desk.page();
        match action {
            Action::Back if self.detail => self.detail = false,
            Action::Back => desk.post(Msg::Focus(super::card::ID)),
            Action::Open => self.detail = !self.rows.is_empty(),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down if self.selected == last && self.more => {
                let before = self.rows.last().map(|r| r.id);
                self.read(desk, before);
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1));
            }
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            _ => {}
        }
    }
}

impl Pane for Audit {
    fn id(&self) -> PaneId {
        ID
    }

    fn covers_body(&self) -> bool {
        true
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
            Msg::CustomerAudit { id, code, name } => {
                self.customer = Some((*id, code.clone(), name.clone()));
                self.rows.clear();
                self.selected = 0;
                self.detail = false;
            }
            _ => {}
        }
    }

    fn reload(&mut self, desk: &mut Desk) {
        // Read again from the top, keeping the entry selected where it still is.
        let keep = self.rows.get(self.selected).map(|r| r.id);
        self.read(desk, None);
        if let Some(at) = keep.and_then(|id| self.rows.iter().position(|r| r.id == id)) {
            self.selected = at;
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View) -> Option<Position> {
        draw(self, area, buf, view);
        None
    }

    fn offers(&self, action: &Action) -> bool {
        match action {
            Action::Open => !self.detail && !self.rows.is_empty(),
            _ => true,
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// An action's words in the screen's language (the action's own name when the catalogue has
/// none: an action added later still shows). A step on a complaint reads as the step.
pub fn action_words(action: &str, view: &View) -> String {
    let worded = view.i18n.value("audit_action", action);
    if worded != action {
        return worded;
    }
    match action.strip_prefix("complaint.") {
        Some(step) if view.i18n.value("step", step) != step => view.i18n.f(
            "audit.complaint_step",
            &[("step", &view.i18n.value("step", step))],
        ),
        _ => action.to_string(),
    }
}

/// What an entry recorded, in one line: a change as `field: old → new`, anything else as
/// `field: value`, the fields and values in the screen's language where it has words for
/// them, and times where the desk is.
pub fn detail_text(row: &AuditRow, view: &View) -> String {
    let i18n = view.i18n;
    if row.erased {
        return i18n.t("audit.erased").to_string();
    }
    let Some(detail) = &row.detail else {
        return String::new();
    };
    // A view: of the whole record (its contacts masked or not), or of name and code only.
    if row.action == "customer.view" {
        let flag = |k: &str| detail.get(k).and_then(|r| r.as_bool()) == Some(true);
        return i18n
            .t(if flag("restricted") {
                "audit.view_restricted"
            } else if flag("masked") {
                "audit.view_masked"
            } else {
                "audit.view_whole"
            })
            .to_string();
    }
    match detail {
        serde_json::Value::Object(fields) => fields
            .iter()
            .filter(|(_, v)| !v.is_null())
            // The trail is of one customer: their code (or number) is said already.
            .filter(|(k, v)| {
                !(k.as_str() == "customer"
                    && (v.as_str() == row.customer_code.as_deref()
                        || (v.as_i64().is_some() && v.as_i64() == row.customer_id)))
            })
            .map(|(k, v)| {
                let label = field_label(&row.action, k, view);
                match v {
                    // A change (an edit's, an update's) is recorded as `[old, new]`.
                    serde_json::Value::Array(pair)
                        if pair.len() == 2 && records_changes(&row.action) =>
                    {
                        format!(
                            "{label}: {} → {}",
                            value_text(&row.action, k, &pair[0], view),
                            value_text(&row.action, k, &pair[1], view)
                        )
                    }
                    other => format!("{label}: {}", value_text(&row.action, k, other, view)),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => value_text(&row.action, "", other, view),
    }
}

/// Whether an action records what it changed as `[old, new]` pairs: an edit, an update, the
/// owner or assignee a handover changed.
fn records_changes(action: &str) -> bool {
    action.ends_with(".edit")
        || action.ends_with(".update")
        || matches!(
            action,
            "customer.handover" | "complaint.handover" | "reminder.handover"
        )
}

/// A detail's field in the screen's language: the audit's own word for it, the form's label
/// for a customer's field, or the key itself.
fn field_label(action: &str, key: &str, view: &View) -> String {
    // A word of one family of actions first (a grant's `to` is an operator, a complaint's a
    // status).
    let family = action.split('.').next().unwrap_or(action);
    let own = [
        format!("audit_key.{family}.{key}"),
        format!("audit_key.{key}"),
    ]
    .iter()
    .find_map(|k| view.i18n.get(k))
    .map(str::to_string);
    // A form's label is a heading (`Marketing consent`); in a line of the trail it is a word.
    own.or_else(|| {
        view.i18n
            .get(&format!("field.{key}"))
            .map(str::to_lowercase)
    })
    .unwrap_or_else(|| key.to_string())
}

/// Detail keys whose values are words of a vocabulary the catalogue has under the same name
/// (`channel.phone_in`, `severity.high` …).
const VOCABULARIES: &[&str] = &[
    "category",
    "severity",
    "channel",
    "direction",
    "scope",
    "level",
    "role",
    "consent_channel",
    "preferred_channel",
];

/// A detail's value as a person reads it: times where the desk is, yes or no, lists joined,
/// contacts as their values, a complaint's statuses in words.
fn value_text(action: &str, key: &str, value: &serde_json::Value, view: &View) -> String {
    use serde_json::Value as Json;
    let i18n = view.i18n;
    match value {
        Json::Null => "—".to_string(),
        Json::Bool(b) => i18n
            .t(if *b { "yesno.yes" } else { "yesno.no" })
            .to_string(),
        Json::Number(n) if key.ends_with("_at") || key == "until" => n
            .as_i64()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|t| {
                t.with_timezone(&view.tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|| n.to_string()),
        Json::String(s) if action.starts_with("complaint.") && (key == "from" || key == "to") => {
            i18n.value("status", s)
        }
        // An opportunity's stages, and which way it moved.
        Json::String(s)
            if action.starts_with("opportunity.") && matches!(key, "from" | "to" | "stage") =>
        {
            i18n.value("opp_stage", s)
        }
        Json::String(s) if action.starts_with("opportunity.") && key == "move" => {
            i18n.value("opp_move", s)
        }
        // A word of a vocabulary: in the screen's language.
        Json::String(s) if key == "disposition" => view.disposition_label(s),
        Json::String(s) if key == "kind" && action.starts_with("reminder") => {
            i18n.value("reminder", s)
        }
        Json::String(s) if VOCABULARIES.contains(&key) => i18n.value(key, s),
        // A moment written as text (RFC 3339): where the desk is.
        Json::String(s) if key.ends_with("_at") => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| {
                t.with_timezone(&view.tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|_| s.clone()),
        Json::String(s) => s.clone(),
        Json::Array(items) if items.is_empty() => "—".to_string(),
        Json::Array(items) => items
            .iter()
            .map(|item| match item.get("value") {
                // A contact: its value (masked already for a reader who may not see it).
                Some(v) => value_text(action, "", v, view),
                None => value_text(action, key, item, view),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn when(row: &AuditRow, view: &View) -> String {
    row.at
        .with_timezone(&view.tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn who(row: &AuditRow) -> String {
    match &row.via {
        Some(via) => format!("{} ← {}", row.login, via),
        None => row.login.clone(),
    }
}

fn draw(audit: &Audit, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let title = match &audit.customer {
        Some((_, code, name)) => i18n.f(
            "audit.title",
            &[
                (
                    "customer",
                    &format!("{} {}", sanitize(code), sanitize(name)),
                ),
                ("count", &audit.rows.len().to_string()),
            ],
        ),
        None => i18n.t("audit.title_none").to_string(),
    };
    let title = if audit.more {
        format!("{title}+")
    } else {
        title
    };
    let block = super::pane_block(
        view,
        Span::styled(
            format!(
                " {} ",
                truncate(&title, area.width.saturating_sub(4) as usize)
            ),
            theme.title,
        ),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    if audit.rows.is_empty() {
        buf.set_string(
            inner.x + 1,
            inner.y,
            truncate(i18n.t("audit.empty"), inner.width as usize - 1),
            theme.muted,
        );
        return;
    }
    if audit.detail {
        if let Some(row) = audit.rows.get(audit.selected) {
            draw_detail(row, inner, buf, view);
            return;
        }
    }
    let total = inner.width as usize;
    super::draw_rows(audit.rows.len(), audit.selected, inner, buf, theme, |n| {
        let row = &audit.rows[n];
        {
            let mut spans = vec![
                Span::styled(format!("{} ", when(row, view)), theme.muted),
                Span::styled(
                    format!("{} ", pad(&truncate(&sanitize(&who(row)), 12), 12)),
                    theme.text,
                ),
                Span::styled(
                    format!(
                        "{} ",
                        pad(&truncate(&action_words(&row.action, view), 14), 14)
                    ),
                    if row.action.starts_with("refused") {
                        theme.breach
                    } else {
                        theme.accent
                    },
                ),
            ];
            super::fit_spans(&mut spans, total);
            let used: usize = spans.iter().map(|s| s.width()).sum();
            let detail = sanitize(&detail_text(row, view)).into_owned();
            spans.push(Span::styled(
                truncate(&detail, total.saturating_sub(used)).into_owned(),
                theme.text,
            ));
            Line::from(spans)
        }
    });
}

fn draw_detail(row: &AuditRow, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let label_w = 10;
    let pair = |label: &str, value: String| -> Line<'static> {
        Line::from(vec![
            Span::styled(pad(&truncate(label, label_w), label_w + 1), theme.muted),
            Span::styled(value, theme.text),
        ])
    };
    let name = row
        .name
        .as_ref()
        .map(|n| format!(" ({})", sanitize(n)))
        .unwrap_or_default();
    let mut lines = vec![
        pair(i18n.t("audit.entry"), format!("#{}", row.id)),
        pair(i18n.t("audit.when"), when(row, view)),
        pair(
            i18n.t("audit.who"),
            format!("{}{name}", sanitize(&who(row))),
        ),
        pair(
            i18n.t("audit.action"),
            format!("{} ({})", action_words(&row.action, view), row.action),
        ),
    ];
    if let (Some(entity), Some(id)) = (&row.entity, row.entity_id) {
        let entity = i18n.value("audit_entity", entity);
        lines.push(pair(i18n.t("audit.about"), format!("{entity} #{id}")));
    }
    let detail = detail_text(row, view);
    if !detail.is_empty() {
        lines.push(Line::from(""));
        for part in detail.split("; ") {
            lines.push(Line::from(Span::styled(
                sanitize(part).into_owned(),
                theme.text,
            )));
        }
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::interaction::LogRules;
    use crate::tui::i18n::{I18n, Lang};
    use crate::tui::theme::Theme;
    use chrono::{TimeZone, Utc};

    /// An opportunity's stage change reads in the screen's language: its action, its stages
    /// and which way it moved (the zh trail said "从: lead; 到: qualified; move: forward").
    #[test]
    fn an_opportunity_move_reads_in_the_screens_language() {
        let row = AuditRow {
            id: 1,
            at: Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap(),
            login: "li.na".into(),
            name: Some("李娜".into()),
            via: None,
            action: "opportunity.move".into(),
            entity: Some("opportunity".into()),
            entity_id: Some(19),
            customer_id: Some(1),
            customer_code: Some("C0000001".into()),
            detail: Some(serde_json::json!({
                "from": "lead", "to": "qualified", "move": "forward", "reason": null
            })),
            erased: false,
        };
        let theme = Theme::mono();
        let rules = LogRules::default();
        for (lang, action, words) in [
            (Lang::ZhCn, "销售机会换阶段", ["线索", "已确认", "推进"]),
            (
                Lang::En,
                "opportunity stage changed",
                ["lead", "qualified", "forward"],
            ),
        ] {
            let i18n = I18n::new(lang);
            let view = View::for_test(&theme, &i18n, &rules, row.at);
            assert_eq!(action_words(&row.action, &view), action);
            let detail = detail_text(&row, &view);
            for word in words {
                assert!(detail.contains(word), "{word} in {detail}");
            }
            if lang == Lang::ZhCn {
                assert!(
                    !detail.contains("lead") && !detail.contains("move"),
                    "{detail}"
                );
            }
        }
    }
}
