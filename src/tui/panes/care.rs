//! The Care pane (DESIGN §2, §3.5): the reminders to work — overdue first, then due today, then
//! upcoming, each part grouped by kind — with why each exists ("birthday 11-28", "purchased
//! 电饭煲 11-20"), the customer's preferred channel and time, and whose it is. Filters: mine,
//! anyone's (single keys), kind / tier / due range / segment (the filter line; `S` opens it at
//! its segment, a saved segment's members only).
//!
//! The outbound shift: Enter opens the customer's card with a contact form ready (the
//! reminder linked, the preferred channel, outbound); saving a contact made marks it done;
//! `N` on the card goes straight to the next reminder. `d` marks one done without a contact
//! (asked first), `z` snoozes it to a date, `s` skips it with a reason.

use std::any::Any;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::cycle;
use crate::domain::care::{CareFact, HolidayRule};
use crate::domain::interaction::FollowUpScope;
use crate::domain::operator::Permission;
use crate::domain::reminder::{may_work, Kind};
use crate::store::{CareFilter, CareRow, DueRange, ReminderWork, KIND_ORDER};
use crate::text::{pad, sanitize, truncate};
use crate::tui::action::Action;
use crate::tui::component::{Msg, Pane, PaneId, Tab};
use crate::tui::desk::Desk;
use crate::tui::forms::reminder as forms;
use crate::tui::i18n::{I18n, Lang};
use crate::tui::keymap::{Context, Key, KeyTable, Keymap, PaneAction, PaneKey};
use crate::tui::view::View;

pub const ID: PaneId = PaneId("care");

/// Most rows the list reads at once (a shift works from the top; the next page is read on
/// reaching the last row).
const LIST_LIMIT: usize = 100;

pub const DONE: PaneAction = PaneAction::new("reminder_done", "action.reminder_done");
pub const SNOOZE: PaneAction = PaneAction::new("reminder_snooze", "action.reminder_snooze");
pub const SKIP: PaneAction = PaneAction::new("reminder_skip", "action.reminder_skip");
pub const TOGGLE_MINE: PaneAction = PaneAction::new("care_mine", "action.toggle_mine");
pub const TOGGLE_ANYONES: PaneAction = PaneAction::new("care_anyones", "action.toggle_anyones");
pub const FILTER: PaneAction = PaneAction::new("care_filter", "action.filter");
pub const CLEAR_FILTERS: PaneAction = PaneAction::new("care_clear", "action.care_clear");
/// The filter line, at its segment (issue 16): only the reminders of a saved segment's members.
pub const SEGMENT: PaneAction = PaneAction::new("care_segment", "action.care_segment");
pub const PREV_VALUE: PaneAction = PaneAction::new("care_previous_value", "action.previous_value");
pub const NEXT_VALUE: PaneAction = PaneAction::new("care_next_value", "action.next_value");

/// The list's keys.
pub const LIST: KeyTable = KeyTable {
    name: "care",
    title: "context.care",
    text: false,
    keys: &[
        PaneKey::hint(Action::Open, &[Key::plain(KeyCode::Enter)]),
        PaneKey::hint(Action::Pane(&DONE), &[Key::char('d')]),
        PaneKey::hint(Action::Pane(&SNOOZE), &[Key::char('z')]),
        PaneKey::hint(Action::Pane(&SKIP), &[Key::char('s')]),
        PaneKey::new(Action::Pane(&TOGGLE_MINE), &[Key::char('m')]),
        PaneKey::new(Action::Pane(&TOGGLE_ANYONES), &[Key::char('a')]),
        PaneKey::hint(Action::Pane(&FILTER), &[Key::char('f')]),
        PaneKey::new(Action::Pane(&SEGMENT), &[Key::char('S')]),
        PaneKey::new(Action::Pane(&CLEAR_FILTERS), &[Key::char('0')]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
        PaneKey::new(Action::Up, &[Key::plain(KeyCode::Up), Key::char('k')]),
        PaneKey::new(Action::PageDown, &[Key::plain(KeyCode::PageDown)]),
        PaneKey::new(Action::PageUp, &[Key::plain(KeyCode::PageUp)]),
        PaneKey::new(Action::Top, &[Key::plain(KeyCode::Home), Key::char('g')]),
        PaneKey::new(Action::Bottom, &[Key::plain(KeyCode::End), Key::char('G')]),
        PaneKey::new(Action::Back, &[Key::plain(KeyCode::Esc)]),
        PaneKey::new(Action::FocusSearch, &[Key::char('/')]),
        PaneKey::new(Action::Quit, &[Key::char('q')]),
    ],
};

/// The keys of the question asked before marking one done without a contact.
pub const QUESTION: KeyTable = KeyTable {
    name: "care_question",
    title: "context.care_question",
    text: false,
    keys: &[
        // Only `y`: Enter is "call" in this pane, and a slip would mark one done uncalled.
        PaneKey::hint(Action::Confirm, &[Key::char('y')]),
        PaneKey::hint(Action::Back, &[Key::char('n'), Key::plain(KeyCode::Esc)]),
    ],
};

/// The keys of the filter line.
pub const FILTER_LINE: KeyTable = KeyTable {
    name: "care_filters",
    title: "context.care_filters",
    text: false,
    keys: &[
        PaneKey::hint(Action::Pane(&NEXT_VALUE), &[Key::plain(KeyCode::Right)]),
        PaneKey::new(Action::Pane(&PREV_VALUE), &[Key::plain(KeyCode::Left)]),
        PaneKey::hint(
            Action::NextField,
            &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::Down)],
        ),
        PaneKey::new(
            Action::PrevField,
            &[Key::plain(KeyCode::BackTab), Key::plain(KeyCode::Up)],
        ),
        PaneKey::hint(Action::Save, &[Key::plain(KeyCode::Enter)]),
        PaneKey::hint(Action::Back, &[Key::plain(KeyCode::Esc)]),
    ],
};

/// The badges the tier filter offers.
const BADGES: &[&str] = &["vip", "high", "potential", "normal"];

/// What the list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub mine: bool,
    pub anyones: bool,
    pub kind: Option<Kind>,
    pub badge: Option<&'static str>,
    pub range: DueRange,
    /// A saved segment (its id and name): only its members' reminders.
    pub segment: Option<(i64, String)>,
}

impl Filters {
    fn store_filter(&self, keep: usize) -> CareFilter {
        CareFilter {
            mine: self.mine,
            anyones: self.anyones,
            kind: self.kind,
            badge: self.badge.map(str::to_string),
            range: self.range,
            segment: self.segment.as_ref().map(|(id, _)| *id),
            limit: Some(keep + 1),
            ..CareFilter::default()
        }
    }

    /// The filters in force, in the screen's language (the range only when not the usual).
    fn names(&self, i18n: &I18n) -> Vec<String> {
        let mut names = Vec::new();
        if self.mine {
            names.push(i18n.t("filter.mine").to_string());
        }
        if self.anyones {
            names.push(i18n.t("filter.anyones").to_string());
        }
        if let Some(k) = self.kind {
            names.push(i18n.value("reminder", k.as_str()));
        }
        if let Some(b) = self.badge {
            names.push(i18n.value("badge", b));
        }
        if self.range != DueRange::default() {
            names.push(i18n.value("due_range", self.range.as_str()));
        }
        if let Some((_, name)) = &self.segment {
            names.push(sanitize(name).into_owned());
        }
        names
    }
}

/// The filter line being chosen: kind, tier, due range, segment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterLine {
    pub field: usize,
    pub kind: Option<Kind>,
    pub badge: Option<&'static str>,
    pub range: DueRange,
    /// The saved segments (id, name), read when the line opens, and the one chosen.
    pub segments: Vec<(i64, String)>,
    pub segment: Option<usize>,
}

/// The fields of the filter line.
const FILTER_FIELDS: usize = 4;

/// Its segment field.
const SEGMENT_FIELD: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct Care {
    pub rows: Vec<CareRow>,
    pub selected: usize,
    pub filters: Filters,
    pub filter_line: Option<FilterLine>,
    /// A reminder to mark done without a contact, waiting for the operator's yes.
    pub question: Option<i64>,
    /// More match than the list keeps.
    pub more: bool,
    extra_pages: usize,
    loaded_for: Option<Filters>,
    /// The day the list was read for (overdue / today / upcoming are counted from it).
    pub today: Option<NaiveDate>,
    /// The holidays of the care rules, for their names in the screen's language.
    holidays: Vec<HolidayRule>,
    /// The reminder whose contact form was last opened from here: `N` goes on after it.
    working: Option<i64>,
    /// The reminder just done, snoozed or skipped here: the selection stays in its place
    /// (on the next one) rather than following a snoozed one to its new day.
    leaving: Option<i64>,
    me: i64,
    may_others: bool,
}

impl Care {
    fn load(&mut self, desk: &mut Desk) {
        self.me = desk.actor.id;
        self.may_others = desk.actor.may(Permission::WorkOthersReminders);
        self.holidays = desk.store.care_rules().holiday.clone();
        self.today = Some(desk.store.care_today());
        let same_filters = self.loaded_for.as_ref() == Some(&self.filters);
        let kept = same_filters
            .then(|| self.rows.get(self.selected).map(|r| r.id))
            .flatten();
        if !same_filters {
            self.extra_pages = 0;
            self.selected = 0;
            self.loaded_for = Some(self.filters.clone());
        }
        let keep = LIST_LIMIT * (1 + self.extra_pages);
        match desk
            .store
            .care_list(&desk.actor, &self.filters.store_filter(keep))
        {
            Ok(mut rows) => {
                self.more = rows.len() > keep;
                rows.truncate(keep);
                self.rows = rows;
            }
            Err(e) => {
                self.rows.clear();
                self.more = false;
                desk.store_error(&e);
            }
        }
        // The same reminder stays selected; one worked and gone leaves the next in its place.
        let found = kept.and_then(|id| self.rows.iter().position(|r| r.id == id));
        let kept = match (kept, self.leaving) {
            // Worked here and moved (snoozed to a later day) or gone: the place is kept.
            (Some(id), Some(left)) if id == left && found != Some(self.selected) => {
                self.leaving = None;
                None
            }
            (kept, _) => kept,
        };
        self.selected = kept
            .and(found)
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
    }

    /// The next page, after the last row shown: only it is read, however far down the list
    /// is (a new day reads the list again instead, its parts having moved).
    fn load_more(&mut self, desk: &mut Desk) {
        self.extra_pages += 1;
        let today = desk.store.care_today();
        let last = match self.rows.last() {
            Some(last) if self.today == Some(today) => last.place(today),
            _ => return self.load(desk),
        };
        let mut filter = self.filters.store_filter(LIST_LIMIT);
        filter.after = Some(last);
        match desk.store.care_list(&desk.actor, &filter) {
            Ok(mut rows) => {
                self.more = rows.len() > LIST_LIMIT;
                rows.truncate(LIST_LIMIT);
                self.rows.extend(rows);
            }
            Err(e) => desk.store_error(&e),
        }
    }

    fn current(&self) -> Option<&CareRow> {
        self.rows.get(self.selected)
    }

    /// Whether this operator may work the selected reminder; said on the message line when
    /// not (whose it is).
    fn may_work_current(&self, desk: &mut Desk) -> Option<CareRow> {
        let row = self.current()?.clone();
        if row.restricted {
            let text = desk
                .i18n
                .f("care.restricted_work", &[("id", &row.id.to_string())]);
            desk.warn(text);
            return None;
        }
        if may_work(row.scope, row.assignee_id, self.me, self.may_others) {
            return Some(row);
        }
        let holder = row
            .assignee_name
            .as_deref()
            .map(|n| desk.i18n.name(&sanitize(n)))
            .unwrap_or_default();
        let text = desk.i18n.f(
            "care.not_yours",
            &[("id", &row.id.to_string()), ("holder", &holder)],
        );
        desk.warn(text);
        None
    }

    fn move_by(&mut self, by: i64) {
        if self.rows.is_empty() {
            return;
        }
        self.selected = (self.selected as i64)
            .saturating_add(by)
            .clamp(0, self.rows.len() as i64 - 1) as usize;
    }

    /// Enter: the card with a contact form ready for this reminder.
    fn open(&mut self, desk: &mut Desk) {
        let Some(row) = self.may_work_current(desk) else {
            return;
        };
        self.working = Some(row.id);
        // A complaint's follow-up call: its follow-up step, as from the Complaints pane's
        // follow-up list (the customer's satisfaction, then closed or reopened).
        if let (Kind::ComplaintFollowUp, Some(complaint)) = (row.kind, row.complaint_id) {
            match desk.store.complaint(&desk.actor, complaint) {
                Ok(k) => {
                    let form = crate::tui::forms::complaint::step_form(
                        &k,
                        crate::domain::complaint_step::Step::FollowUp,
                        &[],
                        desk.settings.surveys.csat_scale,
                        &desk.i18n,
                    );
                    desk.post(Msg::OpenForm(Box::new(form)));
                }
                Err(e) => desk.store_error(&e),
            }
            return;
        }
        desk.post(Msg::LogContact {
            customer: row.customer_id,
            reply_on: None,
            reminder: Some(row.id),
        });
    }

    /// `N` on the card: the next reminder after the one worked, opened the same way.
    fn next(&mut self, desk: &mut Desk) {
        // The last call's message names its customer: not the next one's.
        desk.message = None;
        let before = self
            .working
            .and_then(|id| self.rows.iter().position(|r| r.id == id));
        let worked = self.working;
        self.load(desk);
        let at = match (before, worked) {
            // Still to do (not reached, say): the one after it; else the one now in its place.
            (Some(at), Some(id)) if self.rows.get(at).is_some_and(|r| r.id == id) => at + 1,
            (Some(at), _) => at,
            (None, _) => 0,
        };
        // Reminders this operator may not work are passed over.
        let next = self.rows.iter().enumerate().skip(at).find(|(_, r)| {
            Some(r.id) != worked && may_work(r.scope, r.assignee_id, self.me, self.may_others)
        });
        match next.map(|(n, _)| n) {
            Some(n) => {
                self.selected = n;
                self.open(desk);
            }
            None => {
                desk.info(desk.i18n.t("care.shift_done").to_string());
                desk.post(Msg::Focus(ID));
            }
        }
    }

    fn snooze(&mut self, desk: &mut Desk) {
        if let Some(row) = self.may_work_current(desk) {
            self.leaving = Some(row.id);
            let form = forms::snooze_form(&row, desk.store.care_today(), &desk.i18n);
            desk.post(Msg::OpenForm(Box::new(form)));
        }
    }

    fn skip(&mut self, desk: &mut Desk) {
        if let Some(row) = self.may_work_current(desk) {
            self.leaving = Some(row.id);
            let form = forms::skip_form(&row, &desk.i18n);
            desk.post(Msg::OpenForm(Box::new(form)));
        }
    }

    fn filter_key(&mut self, action: &Action, desk: &mut Desk) {
        let Some(line) = &mut self.filter_line else {
            return;
        };
        match action {
            Action::NextField => line.field = (line.field + 1) % FILTER_FIELDS,
            Action::PrevField => line.field = (line.field + FILTER_FIELDS - 1) % FILTER_FIELDS,
            Action::Pane(a) if a.name == NEXT_VALUE.name || a.name == PREV_VALUE.name => {
                let forward = a.name == NEXT_VALUE.name;
                match line.field {
                    0 => line.kind = cycle(&KIND_ORDER, line.kind, forward),
                    1 => line.badge = cycle(BADGES, line.badge, forward),
                    SEGMENT_FIELD => {
                        let all: Vec<usize> = (0..line.segments.len()).collect();
                        line.segment = cycle(&all, line.segment, forward);
                    }
                    _ => {
                        let all = DueRange::ALL;
                        let at = all.iter().position(|r| *r == line.range).unwrap_or(0);
                        let n = all.len();
                        line.range = all[if forward {
                            (at + 1) % n
                        } else {
                            (at + n - 1) % n
                        }];
                    }
                }
            }
            Action::Save => {
                self.filters.kind = line.kind;
                self.filters.badge = line.badge;
                self.filters.range = line.range;
                self.filters.segment = line.segment.and_then(|n| line.segments.get(n).cloned());
                self.filter_line = None;
                self.selected = 0;
                self.load(desk);
            }
            Action::Back => self.filter_line = None,
            _ => {}
        }
    }

    /// The filter line, at `field`, with the saved segments read afresh.
    fn open_filter_line(&mut self, field: usize, desk: &mut Desk) {
        let segments: Vec<(i64, String)> = match desk.store.segments(&desk.actor) {
            Ok(found) => found.into_iter().map(|s| (s.id, s.name)).collect(),
            Err(e) => {
                desk.store_error(&e);
                Vec::new()
            }
        };
        let segment = self
            .filters
            .segment
            .as_ref()
            .and_then(|(id, _)| segments.iter().position(|(s, _)| s == id));
        self.filter_line = Some(FilterLine {
            field,
            kind: self.filters.kind,
            badge: self.filters.badge,
            range: self.filters.range,
            segments,
            segment,
        });
    }

    fn act(&mut self, action: &Action, desk: &mut Desk) {
        if let Some(id) = self.question {
            match action {
                Action::Confirm => {
                    self.question = None;
                    self.leaving = Some(id);
                    let _ = forms::work_reminder(id, &ReminderWork::Done { note: None }, desk);
                    self.load(desk);
                }
                Action::Back => self.question = None,
                _ => {}
            }
            return;
        }
        if self.filter_line.is_some() {
            return self.filter_key(action, desk);
        }
        match action {
            Action::Up => self.move_by(-1),
            Action::Down | Action::PageDown | Action::Bottom => {
                let by = match action {
                    Action::Down => 1,
                    Action::PageDown => desk.page() as i64,
                    _ => i64::MAX / 2,
                };
                self.move_by(by);
                if self.more && self.selected + 1 >= self.rows.len() {
                    self.load_more(desk);
                }
            }
            Action::PageUp => self.move_by(-(desk.page() as i64)),
            Action::Top => self.move_by(i64::MIN / 2),
            Action::Open => self.open(desk),
            Action::Back => desk.post(Msg::Focus(super::lookup::ID)),
            Action::Pane(a) => match a.name {
                "reminder_done" => {
                    if let Some(row) = self.may_work_current(desk) {
                        self.question = Some(row.id);
                    }
                }
                "reminder_snooze" => self.snooze(desk),
                "reminder_skip" => self.skip(desk),
                "care_mine" => {
                    self.filters.mine = !self.filters.mine;
                    if self.filters.mine {
                        self.filters.anyones = false;
                    }
                    self.load(desk);
                }
                "care_anyones" => {
                    self.filters.anyones = !self.filters.anyones;
                    if self.filters.anyones {
                        self.filters.mine = false;
                    }
                    self.load(desk);
                }
                "care_filter" => self.open_filter_line(0, desk),
                "care_segment" => self.open_filter_line(SEGMENT_FIELD, desk),
                "care_clear" => {
                    self.filters = Filters::default();
                    self.load(desk);
                }
                _ => {}
            },
            _ => {}
        }
    }
}

impl Pane for Care {
    fn id(&self) -> PaneId {
        ID
    }

    fn tab(&self) -> Option<Tab> {
        Some(Tab { label: "tab.care" })
    }

    fn keys(&self) -> &'static [KeyTable] {
        &[LIST, QUESTION, FILTER_LINE]
    }

    fn context(&self) -> Context {
        if self.question.is_some() {
            Context::Pane(&QUESTION)
        } else if self.filter_line.is_some() {
            Context::Pane(&FILTER_LINE)
        } else {
            Context::Pane(&LIST)
        }
    }

    fn handle_key(&mut self, key: &KeyEvent, keys: &Keymap) -> Option<Action> {
        let action = keys.action(self.context(), key);
        if self.question.is_none() {
            return action;
        }
        // A question waits for its answer: nothing else happens meanwhile.
        match action {
            Some(a @ (Action::Confirm | Action::Back | Action::Help | Action::ForceQuit)) => {
                Some(a)
            }
            _ => Some(Action::Key(*key)),
        }
    }

    fn update(&mut self, msg: &Msg, desk: &mut Desk) {
        match msg {
            Msg::Action(action) => self.act(action, desk),
            Msg::NextReminder => self.next(desk),
            // The status bar's count: the reminders due, every one's.
            Msg::CareDue => {
                self.filters = Filters {
                    range: DueRange::Due,
                    ..Filters::default()
                };
                self.filter_line = None;
                self.question = None;
                self.selected = 0;
            }
            _ => {}
        }
    }

    fn reload(&mut self, desk: &mut Desk) {
        self.load(desk);
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View) -> Option<Position> {
        draw(self, area, buf, view);
        None
    }

    fn offers(&self, action: &Action) -> bool {
        if self.question.is_some() {
            return matches!(
                action,
                Action::Confirm | Action::Back | Action::Help | Action::ForceQuit
            );
        }
        match action {
            Action::Open => !self.rows.is_empty(),
            Action::Pane(a)
                if matches!(
                    a.name,
                    "reminder_done" | "reminder_snooze" | "reminder_skip"
                ) =>
            {
                self.current().is_some_and(|r| {
                    !r.restricted && may_work(r.scope, r.assignee_id, self.me, self.may_others)
                })
            }
            _ => true,
        }
    }

    fn action_label(&self, action: &Action) -> Option<&'static str> {
        match action {
            Action::Open if self.question.is_none() => Some("action.care_call"),
            Action::Save if self.filter_line.is_some() => Some("action.apply"),
            Action::Back if self.question.is_some() => Some("action.no"),
            _ => None,
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

// ----- drawing -----

/// Why a reminder exists, in the screen's language.
pub fn why(row: &CareRow, holidays: &[HolidayRule], i18n: &I18n, today: NaiveDate) -> String {
    let text = match (&row.fact, &row.title) {
        (Some(fact), _) => fact_text(fact, holidays, i18n, today),
        (None, Some(title)) => sanitize(title).into_owned(),
        (None, None) => i18n.t("care.restricted").to_string(),
    };
    if row.snoozed_until.is_some() {
        return i18n.f("care.why.snoozed", &[("why", &text)]);
    }
    text
}

/// What a generated reminder's fact says, in the screen's language: a holiday by the name
/// `[care]` gives it (or the catalogue's, for the five default ones).
pub fn fact_text(
    fact: &CareFact,
    holidays: &[HolidayRule],
    i18n: &I18n,
    today: NaiveDate,
) -> String {
    let day = |d: &NaiveDate| d.format("%m-%d").to_string();
    match fact {
        CareFact::Birthday { on, offer } => {
            let mut text = if *on == today {
                i18n.t("care.why.birthday_today").to_string()
            } else {
                i18n.f("care.why.birthday", &[("day", &day(on))])
            };
            if *offer {
                text.push_str(i18n.t("list.separator"));
                text.push_str(i18n.t("care.why.offer"));
            }
            text
        }
        CareFact::Holiday { key, on } => {
            let configured = holidays.iter().find(|h| &h.key == key).map(|h| {
                if i18n.lang == Lang::ZhCn {
                    h.zh.clone()
                } else {
                    h.en.clone()
                }
            });
            let catalogue = format!("holiday.{key}");
            let name = configured.unwrap_or_else(|| match i18n.t(&catalogue) {
                found if found != catalogue => found.to_string(),
                _ => key.clone(),
            });
            format!("{} {}", sanitize(&name), day(on))
        }
        CareFact::PostPurchase { product, on, .. } => match product {
            Some(p) => i18n.f(
                "care.why.purchased",
                &[("product", &sanitize(p)), ("day", &day(on))],
            ),
            None => i18n.f("care.why.purchase", &[("day", &day(on))]),
        },
        CareFact::Renewal { expires } => {
            i18n.f("care.why.renewal", &[("day", &expires.to_string())])
        }
        CareFact::ReturnVisit { since, days } => i18n.f(
            "care.why.return_visit",
            &[("day", &since.to_string()), ("days", &days.to_string())],
        ),
        CareFact::Verification { since } => {
            i18n.f("care.why.verification", &[("day", &since.to_string())])
        }
    }
}

/// The customer's preferred channel and time.
fn preferred(row: &CareRow, i18n: &I18n) -> String {
    let channel = row
        .preferred_channel
        .as_deref()
        .map(|c| i18n.value("prefers", c));
    let time = row
        .preferred_time
        .as_deref()
        .map(|t| sanitize(t).into_owned());
    match (channel, time) {
        (Some(c), Some(t)) => format!("{c} {t}"),
        (Some(c), None) => c,
        (None, Some(t)) => t,
        (None, None) => "—".into(),
    }
}

/// Whose it is: anyone's, or the operator it is kept for.
fn owner(row: &CareRow, i18n: &I18n) -> String {
    match (row.scope, &row.assignee_name) {
        (FollowUpScope::Me, Some(name)) => sanitize(name).into_owned(),
        _ => i18n.value("scope", "anyone"),
    }
}

/// Column widths at `total` cells: day, customer, tier, kind, why, channel, owner.
struct Columns {
    day: usize,
    customer: usize,
    tier: usize,
    kind: usize,
    why: usize,
    channel: usize,
    owner: usize,
}

impl Columns {
    fn at(total: usize) -> Columns {
        let wide = total >= 110;
        let mut c = Columns {
            day: 5,
            customer: if wide { 14 } else { 10 },
            tier: if wide { 9 } else { 4 },
            kind: if wide { 14 } else { 9 },
            why: 0,
            channel: if wide { 16 } else { 8 },
            owner: if wide { 12 } else { 8 },
        };
        let used = |c: &Columns| {
            [c.day, c.customer, c.tier, c.kind, c.channel, c.owner]
                .iter()
                .filter(|w| **w > 0)
                .map(|w| w + 1)
                .sum::<usize>()
        };
        // Narrow: the owner, then the channel, then the tier give their room to why.
        let drops: [fn(&mut Columns); 3] = [|c| c.owner = 0, |c| c.channel = 0, |c| c.tier = 0];
        for drop in drops {
            if total.saturating_sub(used(&c)) >= 16 {
                break;
            }
            drop(&mut c);
        }
        c.why = total.saturating_sub(used(&c) + 1);
        c
    }
}

fn cell(text: &str, cells: usize) -> String {
    format!("{} ", pad(&truncate(text, cells), cells))
}

/// One line of the list: a part's heading, or a reminder (by its place in `rows`).
enum Shown {
    Heading(u8, usize, bool),
    Row(usize),
}

fn shown_lines(pane: &Care, today: NaiveDate) -> Vec<Shown> {
    let mut lines = Vec::new();
    let mut part = None;
    for (n, row) in pane.rows.iter().enumerate() {
        let section = row.section(today);
        if part != Some(section) {
            part = Some(section);
            let count = pane.rows[n..]
                .iter()
                .take_while(|r| r.section(today) == section)
                .count();
            // The last part read may go on beyond what was read.
            let open_ended = pane.more && n + count == pane.rows.len();
            lines.push(Shown::Heading(section, count, open_ended));
        }
        lines.push(Shown::Row(n));
    }
    lines
}

fn draw(pane: &Care, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let count = if pane.more {
        format!("{}+", pane.rows.len())
    } else {
        pane.rows.len().to_string()
    };
    let mut title = vec![Span::styled(
        format!(" {} ", i18n.f("care.title", &[("count", &count)])),
        theme.title,
    )];
    let names = pane.filters.names(i18n);
    if !names.is_empty() {
        title.push(Span::styled(
            format!("· {} ", names.join(i18n.t("list.separator"))),
            theme.accent,
        ));
    }
    let block = super::pane_block(view, Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 20 || inner.height < 3 {
        return;
    }
    let total = inner.width as usize;
    let mut body = inner;
    // The question or the filter line takes the last line; else the selected reminder's
    // whole story (why, preferred channel, note) does.
    // The selected reminder takes a second line when it needs one and the list has room.
    let room = if inner.height >= 10 { 2 } else { 1 };
    let bottom = bottom_line(pane, view, total, total * room);
    let height = if bottom.width() > total { room } else { 1 };
    let last = Rect {
        y: inner.bottom() - height as u16,
        height: height as u16,
        ..inner
    };
    body.height -= height as u16;
    Paragraph::new(bottom)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .render(last, buf);
    let c = Columns::at(total);
    let header = [
        (i18n.t("care.col.day"), c.day),
        (i18n.t("care.col.customer"), c.customer),
        (i18n.t("care.col.tier"), c.tier),
        (i18n.t("care.col.kind"), c.kind),
        (i18n.t("care.col.why"), c.why),
        (i18n.t("care.col.channel"), c.channel),
        (i18n.t("care.col.owner"), c.owner),
    ];
    let spans: Vec<Span> = header
        .iter()
        .filter(|(_, w)| *w > 0)
        .map(|(text, w)| Span::styled(cell(text, *w), theme.muted))
        .collect();
    Paragraph::new(Line::from(spans)).render(Rect { height: 1, ..body }, buf);
    let today = pane
        .today
        .unwrap_or(view.now.with_timezone(&view.tz).date_naive());
    if pane.rows.is_empty() {
        let key = if pane.filters == Filters::default() {
            "care.empty"
        } else {
            "care.empty_filtered"
        };
        buf.set_string(
            body.x,
            body.y + 1,
            truncate(i18n.t(key), total),
            theme.muted,
        );
        return;
    }
    let lines = shown_lines(pane, today);
    let rows = (body.height as usize).saturating_sub(1);
    let at = lines
        .iter()
        .position(|l| matches!(l, Shown::Row(n) if *n == pane.selected))
        .unwrap_or(0);
    // The selected line in view, with its part's heading when that fits.
    let first = at.saturating_sub(rows.saturating_sub(1));
    let tier_group = if c.tier < 9 { "badge_short" } else { "badge" };
    for (k, line) in lines.iter().enumerate().skip(first).take(rows) {
        let y = body.y + 1 + (k - first) as u16;
        let rect = Rect {
            y,
            height: 1,
            ..body
        };
        let n = match line {
            Shown::Heading(section, count, open_ended) => {
                let key = ["care.overdue", "care.today", "care.upcoming"][*section as usize];
                let style = match section {
                    0 => theme.breach,
                    1 => theme.warn,
                    _ => theme.title,
                };
                let count = if *open_ended {
                    format!("{count}+")
                } else {
                    count.to_string()
                };
                let text = i18n.f(key, &[("count", &count)]);
                Paragraph::new(Line::from(Span::styled(text, style))).render(rect, buf);
                continue;
            }
            Shown::Row(n) => *n,
        };
        let row = &pane.rows[n];
        let name = row
            .customer_name
            .as_deref()
            .map(|n| sanitize(n).into_owned())
            .unwrap_or_else(|| row.customer_code.clone());
        let badge_style = match row.badge.as_str() {
            "vip" => theme.badge,
            "high" => theme.accent,
            _ => theme.text,
        };
        let day_style = match row.section(today) {
            0 => theme.breach,
            1 => theme.warn,
            _ => theme.text,
        };
        let cells = [
            (row.day.format("%m-%d").to_string(), c.day, day_style),
            (name, c.customer, theme.text),
            (i18n.value(tier_group, &row.badge), c.tier, badge_style),
            (
                // Narrow: the kind's short name ("purchase", "visit"), whole in its column.
                i18n.value(
                    if c.kind < 14 {
                        "reminder_short"
                    } else {
                        "reminder"
                    },
                    row.kind.as_str(),
                ),
                c.kind,
                theme.accent,
            ),
            (why(row, &pane.holidays, i18n, today), c.why, theme.text),
            (preferred(row, i18n), c.channel, theme.muted),
            (owner(row, i18n), c.owner, theme.muted),
        ];
        let mut spans: Vec<Span> = cells
            .into_iter()
            .filter(|(_, w, _)| *w > 0)
            .map(|(text, w, style)| Span::styled(cell(&text, w), style))
            .collect();
        if n == pane.selected && view.focused {
            buf.set_style(rect, theme.selection);
            spans = spans
                .into_iter()
                .map(|s| {
                    let style = s.style.patch(theme.selection);
                    Span::styled(s.content, style)
                })
                .collect();
        }
        Paragraph::new(Line::from(spans)).render(rect, buf);
    }
}

/// The last line: the question, the filter line, or the selected reminder in full.
/// `room`: the display cells the selected reminder may take (two lines' worth where the list
/// has room for a second).
fn bottom_line<'a>(pane: &Care, view: &View, total: usize, room: usize) -> Line<'a> {
    let theme = view.theme;
    let i18n = view.i18n;
    if let Some(id) = pane.question {
        let text = i18n.f("care.ask_done", &[("id", &id.to_string())]);
        return Line::from(Span::styled(
            truncate(&text, total).into_owned(),
            theme.warn,
        ));
    }
    if let Some(line) = &pane.filter_line {
        let all = i18n.t("form.all").to_string();
        let values = [
            (
                "field.reminder_kind",
                line.kind
                    .map(|k| i18n.value("reminder", k.as_str()))
                    .unwrap_or_else(|| all.clone()),
            ),
            (
                "field.tier",
                line.badge
                    .map(|b| i18n.value("badge", b))
                    .unwrap_or_else(|| all.clone()),
            ),
            (
                "field.due_range",
                i18n.value("due_range", line.range.as_str()),
            ),
            (
                "field.segment",
                line.segment
                    .and_then(|n| line.segments.get(n))
                    .map(|(_, name)| sanitize(name).into_owned())
                    .unwrap_or_else(|| all.clone()),
            ),
        ];
        return super::filter_line(&values, line.field, view);
    }
    let Some(row) = pane.current() else {
        return Line::default();
    };
    let name = row
        .customer_name
        .as_deref()
        .map(|n| sanitize(n).into_owned())
        .unwrap_or_else(|| i18n.t("care.restricted").to_string());
    let mut spans = vec![
        Span::styled(format!("#{} ", row.id), theme.title),
        Span::styled(format!("{name} {} · ", row.customer_code), theme.muted),
        Span::styled(
            why(
                row,
                &pane.holidays,
                i18n,
                pane.today
                    .unwrap_or(view.now.with_timezone(&view.tz).date_naive()),
            ),
            theme.text,
        ),
        Span::styled(format!(" · {}", preferred(row, i18n)), theme.muted),
        Span::styled(format!(" · {}", owner(row, i18n)), theme.muted),
    ];
    if row.snoozed_until.is_some() {
        spans.push(Span::styled(
            format!(
                " · {}",
                i18n.f(
                    "care.snoozed_from",
                    &[("day", &row.due_on.format("%m-%d").to_string())]
                )
            ),
            theme.muted,
        ));
    }
    if let Some(note) = row.note.as_deref().filter(|n| !n.trim().is_empty()) {
        spans.push(Span::styled(format!(" · {}", sanitize(note)), theme.text));
    }
    // Cut at the edge by display cells.
    super::fit_spans(&mut spans, room);
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_fill_the_width() {
        for total in [38usize, 58, 78, 118] {
            let c = Columns::at(total);
            let used: usize = [c.day, c.customer, c.tier, c.kind, c.why, c.channel, c.owner]
                .iter()
                .filter(|w| **w > 0)
                .map(|w| w + 1)
                .sum();
            assert!(used <= total + 1, "{total}: {used}");
            assert!(c.why >= 10, "{total}: why has {}", c.why);
        }
    }
}
