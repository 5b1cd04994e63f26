//! The Complaints pane (DESIGN §2, §3.4): the queue of open complaints, the nearest deadline
//! first, each with the clock it must beat next as working time left or overdue, coloured on
//! time / due soon / breached; filters (mine, unassigned, escalated, breached, due soon,
//! waiting as single keys, category / severity / tier in a filter line); Enter shows the
//! complaint (its clocks, the calendar they count in, its events) with the steps its status
//! allows. `a` claims, `x` escalates; final or hard-to-undo steps ask first.
//!
//! The clocks tick without a read: the rows keep their kept clocks and the calendar, and every
//! frame reads them at the view's `now`.

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use super::cycle;
use crate::domain::calendar::Calendar;
use crate::domain::complaint::{Category, Severity};
use crate::domain::complaint_step::{Step, TOP_LEVEL};
use crate::domain::customer::Tier;
use crate::domain::operator::Permission;
use crate::store::{Complaint, ComplaintDetail, ComplaintFilter, Work};
use crate::text::sanitize;
use crate::tui::action::Action;
use crate::tui::component::{Msg, Pane, PaneId, Tab};
use crate::tui::desk::Desk;
use crate::tui::forms::complaint::{self as forms, has_form, step_form};
use crate::tui::i18n::I18n;
use crate::tui::keymap::{Context, Key, KeyTable, Keymap, PaneAction, PaneKey};
use crate::tui::view::View;

mod draw;

pub const ID: PaneId = PaneId("complaints");

/// Most rows the queue reads (the nearest deadlines; an operator works from the top).
const QUEUE_LIMIT: usize = 500;

pub const CLAIM: PaneAction =
    PaneAction::new("claim", "action.claim").needs(Permission::WorkComplaint);
pub const ESCALATE: PaneAction =
    PaneAction::new("escalate", "action.escalate").needs(Permission::WorkComplaint);
pub const TOGGLE_MINE: PaneAction = PaneAction::new("toggle_mine", "action.toggle_mine");
pub const TOGGLE_UNASSIGNED: PaneAction =
    PaneAction::new("toggle_unassigned", "action.toggle_unassigned");
pub const TOGGLE_ESCALATED: PaneAction =
    PaneAction::new("toggle_escalated", "action.toggle_escalated");
pub const TOGGLE_BREACHED: PaneAction =
    PaneAction::new("toggle_breached", "action.toggle_breached");
pub const TOGGLE_DUE_SOON: PaneAction =
    PaneAction::new("toggle_due_soon", "action.toggle_due_soon");
pub const TOGGLE_WAITING: PaneAction = PaneAction::new("toggle_waiting", "action.toggle_waiting");
/// Resolved complaints whose follow-up call is still to make, instead of the open ones.
pub const TOGGLE_FOLLOW_UPS: PaneAction =
    PaneAction::new("toggle_follow_ups", "action.toggle_follow_ups");
/// The filter line: category, severity, tier.
pub const FILTER: PaneAction = PaneAction::new("filter", "action.filter");
/// Every filter off.
pub const CLEAR_FILTERS: PaneAction = PaneAction::new("clear_filters", "action.clear_filters");
/// In the complaint: the step before or after the chosen one.
pub const PREV_STEP: PaneAction = PaneAction::new("previous_step", "action.previous_step");
pub const NEXT_STEP: PaneAction = PaneAction::new("next_step", "action.next_step");
/// In the filter line: the value before or after.
pub const PREV_VALUE: PaneAction = PaneAction::new("previous_value", "action.previous_value");
pub const NEXT_VALUE: PaneAction = PaneAction::new("next_value", "action.next_value");

/// The queue's keys.
pub const QUEUE: KeyTable = KeyTable {
    name: "complaints",
    title: "context.complaints",
    text: false,
    keys: &[
        PaneKey::hint(Action::Open, &[Key::plain(KeyCode::Enter)]),
        PaneKey::hint(Action::Pane(&CLAIM), &[Key::char('a')]),
        PaneKey::hint(Action::Pane(&ESCALATE), &[Key::char('x')]),
        PaneKey::hint(Action::Pane(&TOGGLE_MINE), &[Key::char('m')]),
        PaneKey::new(Action::Pane(&TOGGLE_UNASSIGNED), &[Key::char('u')]),
        PaneKey::new(Action::Pane(&TOGGLE_ESCALATED), &[Key::char('e')]),
        PaneKey::hint(Action::Pane(&TOGGLE_BREACHED), &[Key::char('b')]),
        PaneKey::new(Action::Pane(&TOGGLE_DUE_SOON), &[Key::char('s')]),
        PaneKey::new(Action::Pane(&TOGGLE_WAITING), &[Key::char('w')]),
        PaneKey::hint(Action::Pane(&FILTER), &[Key::char('f')]),
        PaneKey::hint(Action::Pane(&TOGGLE_FOLLOW_UPS), &[Key::char('r')]),
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

/// The keys of one complaint shown in full.
pub const DETAIL: KeyTable = KeyTable {
    name: "complaint",
    title: "context.complaint",
    text: false,
    keys: &[
        PaneKey::hint(Action::Open, &[Key::plain(KeyCode::Enter)]),
        PaneKey::hint(
            Action::Pane(&NEXT_STEP),
            &[Key::plain(KeyCode::Right), Key::char('l')],
        ),
        PaneKey::new(
            Action::Pane(&PREV_STEP),
            &[Key::plain(KeyCode::Left), Key::char('h')],
        ),
        PaneKey::hint(Action::Pane(&CLAIM), &[Key::char('a')]),
        PaneKey::hint(Action::Pane(&ESCALATE), &[Key::char('x')]),
        PaneKey::hint(Action::Back, &[Key::plain(KeyCode::Esc)]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
        PaneKey::new(Action::Up, &[Key::plain(KeyCode::Up), Key::char('k')]),
        PaneKey::new(Action::PageDown, &[Key::plain(KeyCode::PageDown)]),
        PaneKey::new(Action::PageUp, &[Key::plain(KeyCode::PageUp)]),
        PaneKey::new(Action::Quit, &[Key::char('q')]),
    ],
};

/// The keys of a question asked before a final or hard-to-undo step.
pub const QUESTION: KeyTable = KeyTable {
    name: "complaint_question",
    title: "context.complaint_question",
    text: false,
    keys: &[
        PaneKey::hint(
            Action::Confirm,
            &[Key::char('y'), Key::plain(KeyCode::Enter)],
        ),
        PaneKey::hint(Action::Back, &[Key::char('n'), Key::plain(KeyCode::Esc)]),
    ],
};

/// The keys of the filter line.
pub const FILTER_LINE: KeyTable = KeyTable {
    name: "complaint_filters",
    title: "context.complaint_filters",
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

/// What the queue shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub mine: bool,
    pub unassigned: bool,
    pub escalated: bool,
    pub breached: bool,
    pub due_soon: bool,
    pub waiting: bool,
    /// Resolved ones waiting for their follow-up call, instead of the open ones.
    pub follow_ups: bool,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    /// The badge the queue shows: `vip`, `high`, `potential` or `normal`.
    pub badge: Option<&'static str>,
    /// One customer's complaints in every status, newest first (id and name).
    pub customer: Option<(i64, String)>,
}

impl Filters {
    /// The store's filter, keeping at most `keep` rows.
    fn store_filter(&self, keep: usize) -> ComplaintFilter {
        ComplaintFilter {
            open: self.customer.is_none() && !self.follow_ups,
            follow_ups: self.follow_ups,
            mine: self.mine,
            unassigned: self.unassigned,
            escalated: self.escalated,
            breached: self.breached,
            due_soon: self.due_soon,
            waiting: self.waiting,
            category: self.category,
            severity: self.severity,
            tier: self.badge.and_then(|b| b.parse::<Tier>().ok()),
            vip: self.badge.map(|b| b == "vip"),
            customer: self.customer.as_ref().map(|(id, _)| *id),
            // One more than is kept, to know there are more.
            limit: Some(keep + 1),
        }
    }

    /// The filters in force, in the screen's language.
    fn names(&self, i18n: &I18n) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        if let Some((_, name)) = &self.customer {
            names.push(sanitize(name).into_owned());
        }
        names.extend(
            [
                (self.follow_ups, "filter.follow_ups"),
                (self.mine, "filter.mine"),
                (self.unassigned, "filter.unassigned"),
                (self.escalated, "filter.escalated"),
                (self.breached, "filter.breached"),
                (self.due_soon, "filter.due_soon"),
                (self.waiting, "filter.waiting"),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, key)| i18n.t(key).to_string()),
        );
        if let Some(c) = self.category {
            names.push(i18n.value("category", c.as_str()));
        }
        if let Some(s) = self.severity {
            names.push(i18n.value("severity", s.as_str()));
        }
        if let Some(b) = self.badge {
            names.push(i18n.value("badge", b));
        }
        names
    }
}

/// The filter line being chosen: which of its three fields has the keyboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterLine {
    pub field: usize,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub badge: Option<&'static str>,
}

/// The badges the tier filter offers, as the queue's tier column shows them.
const BADGES: &[&str] = &["vip", "high", "potential", "normal"];

#[derive(Debug, Clone, Default)]
pub struct Complaints {
    pub rows: Vec<Complaint>,
    pub selected: usize,
    pub filters: Filters,
    /// The calendar the clocks count in (read again as time passes, without the database).
    pub calendar: Option<Calendar>,
    /// The complaint shown in full, with the step chosen among those its status allows.
    pub detail: Option<ComplaintDetail>,
    pub step: usize,
    pub detail_scroll: u16,
    /// A step waiting for the operator's yes.
    pub question: Option<(i64, Step)>,
    pub filter_line: Option<FilterLine>,
    /// More complaints match than the queue keeps (the nearest deadlines are kept).
    pub more: bool,
    /// Pages of [`QUEUE_LIMIT`] read beyond the first: moving onto the last row of a queue
    /// with more reads the next page.
    extra_pages: usize,
    /// The filters the rows were read with (other filters start again from one page).
    loaded_for: Option<Filters>,
    /// The operator at this desk (their own complaints are not offered to claim).
    me: Option<i64>,
    /// The pane a complaint shown in full was opened from (the Log): Esc goes back there.
    shown_from: Option<PaneId>,
    /// How far the complaint shown could scroll when it was last drawn.
    detail_max: std::cell::Cell<Option<u16>>,
}

impl Complaints {
    /// The complaint the keys act on: the one shown, or the selected row.
    pub fn current(&self) -> Option<&Complaint> {
        match &self.detail {
            Some(d) => Some(&d.complaint),
            None => self.rows.get(self.selected),
        }
    }

    /// The steps offered on the current complaint, in order: those its status allows, less a
    /// claim of one already this operator's and an escalation past the top level.
    pub fn steps(&self) -> Vec<Step> {
        let Some(k) = self.current() else {
            return Vec::new();
        };
        Step::allowed(k.status)
            .iter()
            .copied()
            .filter(|step| match step {
                Step::Claim => k.assignee_id.is_none() || k.assignee_id != self.me,
                Step::Escalate => k.escalation_level < TOP_LEVEL,
                _ => true,
            })
            .collect()
    }

    fn load(&mut self, desk: &mut Desk) {
        self.me = Some(desk.actor.id);
        // The same queue read again keeps the complaint selected; other filters start at the
        // top (the complaint selected before may sit anywhere in the new list).
        let same_filters = self.loaded_for.as_ref() == Some(&self.filters);
        let kept = same_filters
            .then(|| self.rows.get(self.selected).map(|k| k.id))
            .flatten();
        if !same_filters {
            self.extra_pages = 0;
            self.selected = 0;
            self.loaded_for = Some(self.filters.clone());
        }
        let keep = QUEUE_LIMIT * (1 + self.extra_pages);
        match desk
            .store
            .complaints(&desk.actor, &self.filters.store_filter(keep))
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
        self.calendar = Some(desk.store.calendar().clone());
        self.selected = kept
            .and_then(|id| self.rows.iter().position(|k| k.id == id))
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
        if let Some(id) = self.detail.as_ref().map(|d| d.complaint.id) {
            let was = self.detail.as_ref().map(|d| d.complaint.status);
            match desk.store.complaint_detail(&desk.actor, id) {
                Ok(d) => self.detail = Some(d),
                Err(e) => {
                    self.detail = None;
                    desk.store_error(&e);
                }
            }
            // Another status offers other steps: the first is chosen again.
            if self.detail.as_ref().map(|d| d.complaint.status) != was {
                self.step = 0;
            }
            self.step = self.step.min(self.steps().len().saturating_sub(1));
        }
    }

    fn move_by(&mut self, by: i64) {
        if self.detail.is_some() {
            // No further than the end as last drawn (↑ from past it moves at once).
            let max = self.detail_max.get().unwrap_or(2000);
            self.detail_scroll = (self.detail_scroll.min(max) as i64)
                .saturating_add(by)
                .clamp(0, max as i64) as u16;
            return;
        }
        if self.rows.is_empty() {
            return;
        }
        self.selected = (self.selected as i64)
            .saturating_add(by)
            .clamp(0, self.rows.len() as i64 - 1) as usize;
    }

    fn open(&mut self, desk: &mut Desk) {
        if self.detail.is_some() {
            if let Some(step) = self.steps().get(self.step).copied() {
                self.begin(step, desk);
            }
            return;
        }
        let Some(id) = self.rows.get(self.selected).map(|k| k.id) else {
            return;
        };
        match desk.store.complaint_detail(&desk.actor, id) {
            Ok(d) => {
                self.shown_from = None;
                self.detail = Some(d);
                self.step = 0;
                self.detail_scroll = 0;
            }
            Err(e) => desk.store_error(&e),
        }
    }

    /// A step on the current complaint: refused here when its status does not allow it (the
    /// message names the status and what it allows), asked first when it is final or hard to
    /// undo, then done or given its form.
    fn begin(&mut self, step: Step, desk: &mut Desk) {
        let Some((id, status)) = self.current().map(|k| (k.id, k.status)) else {
            return;
        };
        if !self.steps().contains(&step) && Step::allowed(status).contains(&step) {
            // Allowed by its status but not here: already this operator's, or at the top.
            let key = if step == Step::Claim {
                "complaints.already_yours"
            } else {
                "complaints.top_level"
            };
            desk.warn(desk.i18n.f(key, &[("id", &id.to_string())]));
            return;
        }
        // A claim goes straight to the store, which says who holds it and since when.
        if let Some(holder) = (step != Step::Claim)
            .then(|| self.held_by_someone_else(step, desk))
            .flatten()
        {
            let text = desk.i18n.f(
                "complaints.not_yours",
                &[
                    ("id", &id.to_string()),
                    ("step", &desk.i18n.value("step", step.as_str())),
                    ("holder", &desk.i18n.name(&holder)),
                ],
            );
            desk.warn(text);
            return;
        }
        if !Step::allowed(status).contains(&step) {
            let allowed: Vec<String> = Step::allowed(status)
                .iter()
                .map(|s| desk.i18n.value("step", s.as_str()))
                .collect();
            if allowed.is_empty() {
                let text = desk.i18n.f(
                    "complaints.refused_final",
                    &[
                        ("id", &id.to_string()),
                        ("status", &desk.i18n.value("status", status.as_str())),
                    ],
                );
                desk.warn(text);
                return;
            }
            let text = desk.i18n.f(
                "complaints.not_now",
                &[
                    ("id", &id.to_string()),
                    ("status", &desk.i18n.value("status", status.as_str())),
                    ("step", &desk.i18n.value("step", step.as_str())),
                    ("allowed", &allowed.join(desk.i18n.t("list.separator"))),
                ],
            );
            desk.warn(text);
            return;
        }
        // A merge with nothing to merge into is said before asking anything.
        if step == Step::Merge {
            let none = match self.current().map(|k| forms::merge_candidates(desk, k)) {
                Some(Ok(others)) => others.is_empty(),
                Some(Err(e)) => return desk.store_error(&e),
                None => true,
            };
            if none {
                let text = desk.i18n.f(
                    "complaints.nothing_to_merge_into",
                    &[("id", &id.to_string())],
                );
                return desk.warn(text);
            }
        }
        // Taking a complaint over from its holder (a supervisor's or an admin's right) is asked
        // first, naming whom it is taken from.
        if step.asks_first() || (step == Step::Claim && self.taking_over(desk).is_some()) {
            self.question = Some((id, step));
            return;
        }
        self.go(id, step, desk);
    }

    /// Who holds the current complaint, when it is someone other than this operator.
    fn someone_elses(&self, desk: &Desk) -> Option<String> {
        let k = self.current()?;
        k.assignee_id
            .is_some_and(|a| a != desk.actor.id)
            .then(|| sanitize(k.holder_name().unwrap_or_default()).into_owned())
    }

    /// Who holds the current complaint, when that stands in the way of this operator taking
    /// the step (said before anything is typed, as the store would refuse it after).
    fn held_by_someone_else(&self, step: Step, desk: &Desk) -> Option<String> {
        let may_take_over = desk.actor.may(Permission::TakeOverComplaint);
        self.someone_elses(desk)
            .filter(|_| step.held_back_by_claim() && !may_take_over)
    }

    /// Who holds the current complaint, when this operator's claim would take it from them (a
    /// supervisor or an admin may; anyone else is told who has it).
    fn taking_over(&self, desk: &Desk) -> Option<String> {
        self.someone_elses(desk)
            .filter(|_| desk.actor.may(Permission::TakeOverComplaint))
    }

    /// Does the step (it needs nothing typed) or opens its form.
    fn go(&mut self, id: i64, step: Step, desk: &mut Desk) {
        if has_form(step) {
            let k = match desk.store.complaint(&desk.actor, id) {
                Ok(k) => k,
                Err(e) => return desk.store_error(&e),
            };
            // A merge chooses among the customer's other complaints; without one it is said
            // at once rather than after a form.
            let others = if step == Step::Merge {
                match forms::merge_candidates(desk, &k) {
                    Ok(others) if others.is_empty() => {
                        let text = desk.i18n.f(
                            "complaints.nothing_to_merge_into",
                            &[("id", &id.to_string())],
                        );
                        return desk.warn(text);
                    }
                    Ok(others) => others,
                    Err(e) => return desk.store_error(&e),
                }
            } else {
                Vec::new()
            };
            let form = step_form(
                &k,
                step,
                &others,
                desk.settings.surveys.csat_scale,
                &desk.i18n,
            );
            desk.post(Msg::OpenForm(Box::new(form)));
            return;
        }
        let work = match step {
            Step::Claim => Work::Claim {
                take_over: self.taking_over(desk).is_some(),
            },
            Step::Acknowledge => Work::Acknowledge { text: None },
            Step::Resume => Work::Resume { text: None },
            _ => Work::Close { text: None },
        };
        // Success and refusal (who holds it) are said on the message line; either way the
        // queue reads again, as it stands now.
        let _ = forms::work(id, &work, desk);
        self.load(desk);
    }

    fn answer(&mut self, yes: bool, desk: &mut Desk) {
        if let Some((id, step)) = self.question.take() {
            if yes {
                self.go(id, step, desk);
            }
        }
    }

    fn toggle(&mut self, which: &PaneAction, desk: &mut Desk) {
        let f = &mut self.filters;
        let flag = match which.name {
            "toggle_mine" => &mut f.mine,
            "toggle_unassigned" => &mut f.unassigned,
            "toggle_escalated" => &mut f.escalated,
            "toggle_breached" => &mut f.breached,
            "toggle_due_soon" => &mut f.due_soon,
            "toggle_follow_ups" => &mut f.follow_ups,
            _ => &mut f.waiting,
        };
        *flag = !*flag;
        // Mine and unassigned cannot both hold; nor breached and due soon; a resolved
        // complaint has no clock running and does not wait.
        match which.name {
            "toggle_mine" if f.mine => f.unassigned = false,
            "toggle_unassigned" if f.unassigned => f.mine = false,
            "toggle_breached" if f.breached => f.due_soon = false,
            "toggle_due_soon" if f.due_soon => f.breached = false,
            "toggle_follow_ups" if f.follow_ups => {
                (f.breached, f.due_soon, f.waiting) = (false, false, false);
            }
            _ => {}
        }
        if matches!(
            which.name,
            "toggle_breached" | "toggle_due_soon" | "toggle_waiting"
        ) && (f.breached || f.due_soon || f.waiting)
        {
            f.follow_ups = false;
        }
        self.selected = 0;
        self.load(desk);
    }

    fn filter_key(&mut self, action: &Action, desk: &mut Desk) {
        let Some(line) = &mut self.filter_line else {
            return;
        };
        match action {
            Action::NextField => line.field = (line.field + 1) % 3,
            Action::PrevField => line.field = (line.field + 2) % 3,
            Action::Pane(a) if a.name == NEXT_VALUE.name || a.name == PREV_VALUE.name => {
                let forward = a.name == NEXT_VALUE.name;
                match line.field {
                    0 => line.category = cycle(Category::ALL, line.category, forward),
                    1 => line.severity = cycle(Severity::ALL, line.severity, forward),
                    _ => line.badge = cycle(BADGES, line.badge, forward),
                }
            }
            Action::Save => {
                self.filters.category = line.category;
                self.filters.severity = line.severity;
                self.filters.badge = line.badge;
                self.filter_line = None;
                self.selected = 0;
                self.load(desk);
            }
            Action::Back => self.filter_line = None,
            _ => {}
        }
    }

    fn act(&mut self, action: &Action, desk: &mut Desk) {
        if self.question.is_some() {
            match action {
                Action::Confirm => self.answer(true, desk),
                Action::Back => self.answer(false, desk),
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
                // On the last row of a queue with more: the next page is read.
                if self.detail.is_none() && self.more && self.selected + 1 >= self.rows.len() {
                    self.extra_pages += 1;
                    self.load(desk);
                }
            }
            Action::PageUp => self.move_by(-(desk.page() as i64)),
            Action::Top => self.move_by(i64::MIN / 2),
            Action::Open => self.open(desk),
            Action::Back if self.detail.is_some() => {
                self.detail = None;
                if let Some(from) = self.shown_from.take() {
                    desk.post(Msg::Focus(from));
                }
            }
            // From a customer's complaints, back to their card (and the whole queue next time).
            Action::Back if self.filters.customer.is_some() => {
                self.filters.customer = None;
                self.selected = 0;
                desk.post(Msg::Focus(super::card::ID));
            }
            Action::Back => desk.post(Msg::Focus(super::lookup::ID)),
            Action::Pane(a) => match a.name {
                "claim" => self.begin(Step::Claim, desk),
                "escalate" => self.begin(Step::Escalate, desk),
                "next_step" | "previous_step" => {
                    let n = self.steps().len().max(1);
                    self.step = if a.name == "next_step" {
                        (self.step + 1) % n
                    } else {
                        (self.step + n - 1) % n
                    };
                }
                "filter" => {
                    self.filter_line = Some(FilterLine {
                        field: 0,
                        category: self.filters.category,
                        severity: self.filters.severity,
                        badge: self.filters.badge,
                    })
                }
                "clear_filters" => {
                    self.filters = Filters::default();
                    self.selected = 0;
                    self.load(desk);
                }
                name if name.starts_with("toggle_") => self.toggle(a, desk),
                _ => {}
            },
            _ => {}
        }
    }
}

impl Pane for Complaints {
    fn id(&self) -> PaneId {
        ID
    }

    fn tab(&self) -> Option<Tab> {
        Some(Tab {
            label: "tab.complaints",
        })
    }

    fn keys(&self) -> &'static [KeyTable] {
        &[QUEUE, DETAIL, QUESTION, FILTER_LINE]
    }

    fn context(&self) -> Context {
        if self.question.is_some() {
            Context::Pane(&QUESTION)
        } else if self.filter_line.is_some() {
            Context::Pane(&FILTER_LINE)
        } else if self.detail.is_some() {
            Context::Pane(&DETAIL)
        } else {
            Context::Pane(&QUEUE)
        }
    }

    fn handle_key(&mut self, key: &KeyEvent, keys: &Keymap) -> Option<Action> {
        let action = keys.action(self.context(), key);
        if self.question.is_none() {
            return action;
        }
        // A question waits for its answer: a key meant for after it (another tab, another
        // step) does nothing meanwhile, so nothing happens that was not asked for.
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
            // `b` / `B` from anywhere: the status bar's counts as the queue (it reads when shown).
            Msg::ComplaintsDue { breached } => {
                self.filters = Filters {
                    breached: *breached,
                    due_soon: !*breached,
                    ..Filters::default()
                };
                self.detail = None;
                self.filter_line = None;
                self.question = None;
                self.selected = 0;
            }
            // Another customer's card, or none: one customer's complaints are not shown for
            // another (the whole queue again).
            Msg::OpenCustomer { id, .. }
                if self.filters.customer.as_ref().is_some_and(|(c, _)| c != id) =>
            {
                self.filters.customer = None;
                self.detail = None;
                self.selected = 0;
            }
            Msg::CloseCustomer if self.filters.customer.is_some() => {
                self.filters.customer = None;
                self.detail = None;
                self.selected = 0;
            }
            // Enter on a complaint's event in the Log: the complaint in full.
            Msg::ShowComplaint(id) => {
                self.filter_line = None;
                self.question = None;
                match desk.store.complaint_detail(&desk.actor, *id) {
                    Ok(d) => {
                        self.detail = Some(d);
                        self.step = 0;
                        self.detail_scroll = 0;
                        self.shown_from = Some(super::log::ID);
                    }
                    Err(e) => desk.store_error(&e),
                }
            }
            // `C` on the card: that customer's complaints in every status, newest first.
            Msg::CustomerComplaints { id, name } => {
                self.filters = Filters {
                    customer: Some((*id, name.clone())),
                    ..Filters::default()
                };
                self.detail = None;
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
        draw::draw(self, area, buf, view);
        None
    }

    fn offers(&self, action: &Action) -> bool {
        // A question takes only its answers (and help, and quitting): the footer and the help
        // offer nothing else meanwhile.
        if self.question.is_some() {
            return matches!(
                action,
                Action::Confirm | Action::Back | Action::Help | Action::ForceQuit
            );
        }
        match action {
            // Choosing among the steps needs two to choose from.
            Action::Pane(a) if a.name == "next_step" || a.name == "previous_step" => {
                self.steps().len() > 1
            }
            Action::Pane(a) if a.name == "claim" => self.steps().contains(&Step::Claim),
            Action::Pane(a) if a.name == "escalate" => self.steps().contains(&Step::Escalate),
            Action::Open if self.detail.is_some() => !self.steps().is_empty(),
            Action::Open => !self.rows.is_empty(),
            _ => true,
        }
    }

    fn action_label(&self, action: &Action) -> Option<&'static str> {
        match action {
            // In a complaint, Enter does the chosen step.
            Action::Open if self.detail.is_some() => Some("action.do_step"),
            Action::Save if self.filter_line.is_some() => Some("action.apply"),
            // A question's answers: yes and no.
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
