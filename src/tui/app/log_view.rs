//! The Log pane's state and what its keys do: the open customer's history or the desk's
//! latest contacts (paged as the selection reaches the end), filters, and the full entry.

use super::{App, Focus, Pane};
use crate::domain::customer::Channel;
use crate::domain::date_input::parse_date;
use crate::store::{HistoryItem, Interaction, LogFilter};
use crate::tui::field_errors;
use crate::tui::i18n::Lang;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

/// The filter form's name (never kept as a draft).
pub const FILTER_FORM: &str = "log.filter";
/// Rows loaded at a time.
const PAGE: usize = 60;
/// Most history items loaded for one customer.
const HISTORY: usize = 500;

/// What the Log pane shows.
#[derive(Debug, Clone, Default)]
pub struct LogView {
    pub rows: Vec<HistoryItem>,
    pub selected: usize,
    /// The customer whose history is shown (id, "code name"); none for the desk log.
    pub customer: Option<(i64, String)>,
    /// The desk log's filters (the operator set from `mine` or the filter form).
    pub filter: LogFilter,
    pub mine: bool,
    /// The login typed into the filter form.
    pub operator_login: Option<String>,
    pub due_replies: bool,
    /// The desk log has more rows than loaded.
    pub more: bool,
    /// The entry shown in full.
    pub detail: Option<Interaction>,
    pub detail_scroll: u16,
}

impl LogView {
    pub fn selected_interaction(&self) -> Option<&Interaction> {
        match self.rows.get(self.selected) {
            Some(HistoryItem::Interaction(i)) => Some(i),
            _ => None,
        }
    }
}

impl App {
    /// The Log tab: the open card's customer, or the desk.
    pub(super) fn show_log(&mut self) {
        if self.focus == Focus::Form {
            return;
        }
        self.pane = Pane::Log;
        self.focus = Focus::Log;
        self.log.detail = None;
        self.reload_log(false);
    }

    fn desk_filter(&self) -> LogFilter {
        let mut filter = self.log.filter.clone();
        if self.log.mine {
            filter.operator_id = Some(self.actor.id);
        }
        filter.due_replies = self.log.due_replies;
        filter
    }

    /// Loads the rows again; `keep` keeps the selection on the same entry (others' changes).
    pub(super) fn reload_log(&mut self, keep: bool) {
        let kept = self.log.rows.get(self.log.selected).map(row_key);
        let customer = self
            .card
            .as_ref()
            .filter(|c| !c.customer.restricted)
            .map(|c| {
                (
                    c.customer.id,
                    format!("{} {}", c.customer.code, c.customer.fields.name),
                )
            });
        let loaded = match &customer {
            Some((id, _)) => self.store.history(&self.actor, *id, HISTORY),
            None => {
                let wanted = if keep {
                    self.log.rows.len().clamp(PAGE, PAGE * 5)
                } else {
                    PAGE
                };
                self.store
                    .desk_log(&self.actor, &self.desk_filter(), None, wanted)
                    .map(|rows| {
                        self.log.more = rows.len() == wanted;
                        rows.into_iter()
                            .map(|i| HistoryItem::Interaction(Box::new(i)))
                            .collect()
                    })
            }
        };
        self.log.customer = customer;
        match loaded {
            Ok(rows) => self.log.rows = rows,
            Err(e) => {
                self.log.rows.clear();
                self.error(field_errors::store(&e, &self.i18n));
            }
        }
        if self.log.customer.is_some() {
            self.log.more = false;
        }
        self.log.selected = match (keep, kept) {
            (true, Some(key)) => self
                .log
                .rows
                .iter()
                .position(|r| row_key(r) == key)
                .unwrap_or(self.log.selected),
            _ => 0,
        }
        .min(self.log.rows.len().saturating_sub(1));
        if let Some(detail) = &self.log.detail {
            let id = detail.id;
            if let Ok(fresh) = self.store.interaction(&self.actor, id) {
                self.log.detail = Some(fresh);
            }
        }
    }

    /// The next page of the desk log, when the selection reaches the end.
    fn load_more(&mut self) {
        if !self.log.more || self.log.customer.is_some() {
            return;
        }
        let Some(HistoryItem::Interaction(last)) = self.log.rows.last() else {
            return;
        };
        let cursor = if self.log.due_replies {
            (last.reply_by.map(|t| t.timestamp()).unwrap_or(0), last.id)
        } else {
            (last.started_at.timestamp(), last.id)
        };
        match self
            .store
            .desk_log(&self.actor, &self.desk_filter(), Some(cursor), PAGE)
        {
            Ok(rows) => {
                self.log.more = rows.len() == PAGE;
                self.log.rows.extend(
                    rows.into_iter()
                        .map(|i| HistoryItem::Interaction(Box::new(i))),
                );
            }
            Err(e) => self.error(field_errors::store(&e, &self.i18n)),
        }
    }

    pub(super) fn move_log(&mut self, by: i64) {
        if self.log.detail.is_some() {
            let next = (self.log.detail_scroll as i64)
                .saturating_add(by)
                .clamp(0, 500);
            self.log.detail_scroll = next as u16;
            return;
        }
        if by > 0 && self.log.selected as i64 + by >= self.log.rows.len() as i64 {
            self.load_more();
        }
        let rows = self.log.rows.len();
        if rows == 0 {
            return;
        }
        self.log.selected = (self.log.selected as i64)
            .saturating_add(by)
            .clamp(0, rows as i64 - 1) as usize;
    }

    pub(super) fn open_log_entry(&mut self) {
        if self.log.detail.is_some() {
            return;
        }
        let Some(entry) = self.log.selected_interaction() else {
            return;
        };
        let id = entry.id;
        match self.store.interaction(&self.actor, id) {
            Ok(entry) => {
                self.log.detail = Some(entry);
                self.log.detail_scroll = 0;
            }
            Err(e) => self.error(field_errors::store(&e, &self.i18n)),
        }
    }

    /// Esc: close the entry; from a customer's history, back to that customer's card (the
    /// caller stays open); from the desk's log, leave the pane.
    pub(super) fn log_back(&mut self) {
        if self.log.detail.take().is_some() {
            return;
        }
        if self.log.customer.is_some() && self.card.is_some() {
            self.pane = Pane::Lookup;
            self.focus = Focus::Card;
            return;
        }
        self.pane = Pane::Lookup;
        self.focus = Focus::Search;
    }

    /// `m` (mine) or `u` (due replies) on the desk log.
    pub(super) fn toggle_log(&mut self, mine: bool) {
        if self.focus != Focus::Log || self.log.customer.is_some() {
            return;
        }
        if mine {
            // Mine stands in for an operator typed in the filter form while it is on, and gives
            // it back when it is turned off.
            self.log.mine = !self.log.mine;
        } else {
            self.log.due_replies = !self.log.due_replies;
        }
        self.log.detail = None;
        self.reload_log(false);
    }

    /// `f`: the desk log's filters as a small form.
    pub(super) fn open_log_filter(&mut self) {
        if self.focus != Focus::Log || self.log.customer.is_some() {
            return;
        }
        let chinese = self.i18n.lang == Lang::ZhCn;
        let mut channels = vec![""];
        channels.extend(Channel::ALL.iter().map(|c| c.as_str()));
        let rules = self.store.log_rules();
        let mut codes = vec![String::new()];
        let mut labels = vec![self.i18n.t("form.all").to_string()];
        for d in &rules.dispositions {
            codes.push(d.code.clone());
            labels.push(d.label(chinese).to_string());
        }
        let mut form = Form::new(
            FILTER_FORM,
            "form.log_filter",
            vec![
                Field::new("operator", "field.operator", FieldKind::Text),
                Field::new(
                    "channel",
                    "field.channel",
                    FieldKind::Choice(Choices::of("channel_filter", &channels)),
                ),
                Field::new(
                    "disposition",
                    "field.disposition",
                    FieldKind::Choice(Choices::given(codes, labels)),
                ),
                Field::new("from", "field.from", FieldKind::Date),
                Field::new("to", "field.to", FieldKind::Date),
            ],
        );
        form.set("operator", self.log.operator_login.as_deref().unwrap_or(""));
        if let Some(c) = self.log.filter.channel {
            form.set("channel", c.as_str());
        }
        if let Some(d) = &self.log.filter.disposition {
            form.set("disposition", d);
        }
        if let Some(d) = self.log.filter.from {
            form.set("from", &d.to_string());
        }
        if let Some(d) = self.log.filter.to {
            form.set("to", &d.to_string());
        }
        self.open_form(form);
    }

    /// Ctrl-S in the filter form.
    pub(super) fn apply_log_filter(&mut self) {
        let today = self.now.with_timezone(&self.settings.tz).date_naive();
        let Some(form) = &mut self.form else { return };
        for field in &mut form.fields {
            field.error = None;
        }
        if !form.check_basics(&self.i18n, today) {
            form.focus = form.first_error().unwrap_or(form.focus);
            return;
        }
        let login = form.value("operator");
        let from = parse_date(&form.value("from"), today).ok();
        let to = parse_date(&form.value("to"), today).ok();
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                form.set_error("to", self.i18n.t("form.to_before_from").to_string());
                return;
            }
        }
        let operator_id = if login.is_empty() {
            None
        } else {
            match self.store.operator_by_login(&login) {
                Ok(Some(op)) => Some(op.id),
                Ok(None) => {
                    let text = self.i18n.f("form.no_operator", &[("login", &login)]);
                    if let Some(form) = &mut self.form {
                        form.set_error("operator", text);
                    }
                    return;
                }
                Err(e) => {
                    self.error(field_errors::store(&e, &self.i18n));
                    return;
                }
            }
        };
        let Some(form) = &self.form else { return };
        self.log.filter = LogFilter {
            operator_id,
            channel: form.value("channel").parse().ok(),
            disposition: Some(form.value("disposition")).filter(|d| !d.is_empty()),
            from,
            to,
            ..LogFilter::default()
        };
        self.log.operator_login = Some(login).filter(|l| !l.is_empty());
        if operator_id.is_some() {
            self.log.mine = false;
        }
        self.close_form(false);
        self.reload_log(false);
    }
}

/// Identifies a row across reloads.
fn row_key(item: &HistoryItem) -> (bool, i64) {
    match item {
        HistoryItem::Interaction(i) => (true, i.id),
        HistoryItem::ComplaintEvent(e) => (false, e.id),
    }
}
