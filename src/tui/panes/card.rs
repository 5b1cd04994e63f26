//! The customer card: the caller's whole situation on one screen (DESIGN §2). It shows the
//! desk's open customer; the router tells it when that changes.

use std::any::Any;

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::domain::contact::ContactKind;
use crate::domain::operator::Permission;
use crate::domain::opportunity::Stage;
use crate::domain::sla_clock::ClockState;
use crate::domain::tier::format_money;
use crate::store::RequestState;
use crate::store::{CardData, ComplaintEvent, ContactLine, OpportunityEvent};
use crate::text::{sanitize, sanitize_multiline, truncate};
use crate::tui::action::Action;
use crate::tui::component::{Msg, Pane, PaneId};
use crate::tui::desk::{clock, Desk};
use crate::tui::forms::complaint;
use crate::tui::i18n::I18n;
use crate::tui::keymap::{Context, Key, KeyTable, PaneAction, PaneKey};
use crate::tui::theme::Theme;
use crate::tui::view::View;
use crate::tui::widgets::complaint_event::{event_heading, event_words, heading_with_gap};
use crate::tui::widgets::sla_clock::{clock_name, complaint_clock};

pub const ID: PaneId = PaneId("card");

/// The customer's complaints in every status, in the Complaints pane (to work a resolved
/// one's follow-up call, or reopen a closed one).
pub const COMPLAINTS: PaneAction =
    PaneAction::new("customer_complaints", "action.customer_complaints");

/// A reminder added by hand for this customer.
pub const NEW_REMINDER: PaneAction = PaneAction::new("new_reminder", "action.new_reminder");
/// During a care shift: the next reminder of the Care list, its card and contact form.
pub const NEXT_REMINDER: PaneAction = PaneAction::new("next_reminder", "action.next_reminder");
/// A sales opportunity for this customer (its form: title, product, amount, stage, expected
/// close, owner).
pub const NEW_OPPORTUNITY: PaneAction =
    PaneAction::new("new_opportunity", "action.new_opportunity")
        .needs(Permission::WorkOpportunities);
/// One of the open opportunities moved to another stage, or closed won or lost.
pub const MOVE_OPPORTUNITY: PaneAction =
    PaneAction::new("move_opportunity", "action.move_opportunity")
        .needs(Permission::WorkOpportunities);
/// Access to a confidential customer: an operator asks for it with a reason; a supervisor
/// gives an operator access directly.
pub const ACCESS: PaneAction = PaneAction::new("access", "action.ask_access");
/// Redeem the customer's loyalty points (issue 16).
pub const REDEEM: PaneAction =
    PaneAction::new("redeem_points", "action.redeem_points").needs(Permission::RedeemPoints);
/// Who looked at this record and what they did (supervisors).
pub const AUDIT: PaneAction =
    PaneAction::new("customer_audit", "action.customer_audit").needs(Permission::ReadAudit);

/// The card's keys: it scrolls, and acts on its customer.
pub const KEYS: KeyTable = KeyTable {
    name: "card",
    title: "context.card",
    text: false,
    keys: &[
        PaneKey::hint(Action::Back, &[Key::plain(KeyCode::Esc)]),
        PaneKey::hint(Action::NewInteraction, &[Key::char('n')]),
        PaneKey::new(Action::NewComplaint, &[Key::char('c')]),
        PaneKey::hint(Action::Pane(&COMPLAINTS), &[Key::char('C')]),
        PaneKey::hint(Action::Pane(&NEXT_REMINDER), &[Key::char('N')]),
        PaneKey::new(Action::Pane(&NEW_REMINDER), &[Key::char('r')]),
        PaneKey::new(Action::Pane(&NEW_OPPORTUNITY), &[Key::char('o')]),
        PaneKey::hint(Action::Pane(&MOVE_OPPORTUNITY), &[Key::char('m')]),
        PaneKey::hint(Action::Pane(&ACCESS), &[Key::char('a')]),
        PaneKey::new(Action::Pane(&AUDIT), &[Key::char('A')]),
        PaneKey::hint(Action::Edit, &[Key::char('e')]),
        PaneKey::hint(Action::FocusSearch, &[Key::char('/')]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
        PaneKey::new(Action::Up, &[Key::plain(KeyCode::Up), Key::char('k')]),
        PaneKey::new(Action::PageDown, &[Key::plain(KeyCode::PageDown)]),
        PaneKey::new(Action::PageUp, &[Key::plain(KeyCode::PageUp)]),
        PaneKey::new(Action::Top, &[Key::plain(KeyCode::Home), Key::char('g')]),
        PaneKey::new(Action::Bottom, &[Key::plain(KeyCode::End), Key::char('G')]),
        PaneKey::hint(Action::Quit, &[Key::char('q')]),
        // Last: at 80 columns the footer keeps `q quit` and leaves this hint out.
        PaneKey::hint(Action::Pane(&REDEEM), &[Key::char('p')]),
    ],
};

/// Lines scrolled at most (the card is never longer).
const MAX_SCROLL: i64 = 2000;

#[derive(Debug, Clone, Default)]
pub struct Card {
    pub card: Option<CardData>,
    pub scroll: u16,
    /// How far the card could scroll when it was last drawn (its wrapped height at that
    /// size): End goes there, and ↑ from past it moves at once.
    last_max: std::cell::Cell<Option<u16>>,
    /// The reminder this card was opened for from the Care pane (a care shift): `N` goes on
    /// to the next one.
    shift: Option<i64>,
    /// What `a` does on this card for this operator, if anything.
    access: Option<AccessOffer>,
}

/// What the card's `a` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AccessOffer {
    /// Ask a supervisor for access (an operator who may not see this confidential customer,
    /// without a request waiting).
    Ask,
    /// Give an operator access directly (a supervisor, on a confidential customer).
    Give,
}

fn access_offer(card: &CardData, desk: &Desk) -> Option<AccessOffer> {
    let c = &card.customer;
    if desk.actor.may(Permission::GrantAccess) {
        return c.fields.confidential.then_some(AccessOffer::Give);
    }
    let waiting = card
        .my_request
        .as_ref()
        .is_some_and(|r| r.decision.is_none());
    (c.restricted && !waiting).then_some(AccessOffer::Ask)
}

impl Card {
    pub fn customer_id(&self) -> Option<i64> {
        self.card.as_ref().map(|c| c.customer.id)
    }

    fn act(&mut self, action: &Action, desk: &mut Desk) {
        let by = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -(desk.page() as i64),
            Action::PageDown => desk.page() as i64,
            Action::Top => i64::MIN / 2,
            Action::Bottom => i64::MAX / 2,
            Action::Back => {
                // From a care shift's card, back to the Care list it came from.
                let from_shift = self.shift.is_some();
                desk.post(Msg::CloseCustomer);
                if from_shift {
                    desk.post(Msg::Focus(super::care::ID));
                }
                return;
            }
            Action::Edit => {
                if let Some(id) = self.customer_id() {
                    desk.post(Msg::EditCustomer(id));
                }
                return;
            }
            Action::NewComplaint => {
                if let Some(form) = self
                    .card
                    .as_ref()
                    .and_then(|card| complaint::for_customer(card, desk))
                {
                    desk.post(Msg::OpenForm(Box::new(form)));
                }
                return;
            }
            Action::Pane(a) if a.name == NEXT_REMINDER.name => {
                if self.shift.is_some() {
                    desk.post(Msg::NextReminder);
                } else {
                    desk.warn_t("card.next_reminder_outside_shift");
                }
                return;
            }
            Action::Pane(a) if a.name == NEW_REMINDER.name => {
                if let Some(card) = &self.card {
                    if card.customer.restricted {
                        desk.error_t("card.restricted_reminder");
                    } else if card.customer.fields.do_not_contact {
                        desk.warn_t("card.no_reminder_do_not_contact");
                    } else {
                        let form = crate::tui::forms::reminder::new_reminder_form(card, desk);
                        desk.post(Msg::OpenForm(Box::new(form)));
                    }
                }
                return;
            }
            Action::Pane(a) if a.name == NEW_OPPORTUNITY.name => {
                if let Some(card) = &self.card {
                    if card.customer.restricted {
                        desk.error_t("card.restricted_opportunity");
                    } else if card.customer.merged_into.is_some() {
                        let code = card.customer.merged_into.clone().unwrap_or_default();
                        let text = desk.i18n.f("card.merged", &[("code", &code)]);
                        desk.error(text);
                    } else {
                        let form = crate::tui::forms::opportunity::new_form(card, desk);
                        desk.post(Msg::OpenForm(Box::new(form)));
                    }
                }
                return;
            }
            Action::Pane(a) if a.name == MOVE_OPPORTUNITY.name => {
                if let Some(card) = &self.card {
                    if card.customer.restricted {
                        desk.error_t("card.restricted_opportunity");
                    } else if card.opportunities.is_empty() {
                        desk.warn_t("card.no_open_opportunities");
                    } else {
                        let form = crate::tui::forms::opportunity::move_form(card, &desk.i18n);
                        desk.post(Msg::OpenForm(Box::new(form)));
                    }
                }
                return;
            }
            Action::Pane(a) if a.name == REDEEM.name => {
                if let Some(card) = &self.card {
                    if card.customer.restricted {
                        desk.error_t("card.restricted_points");
                    } else if card.customer.points <= 0 {
                        let text = desk
                            .i18n
                            .f("redeem.nothing", &[("code", &card.customer.code)]);
                        desk.warn(text);
                    } else {
                        let form = crate::tui::forms::points::redeem_form(card, desk);
                        desk.post(Msg::OpenForm(Box::new(form)));
                    }
                }
                return;
            }
            Action::Pane(a) if a.name == ACCESS.name => {
                if let Some(card) = &self.card {
                    match access_offer(card, desk) {
                        Some(AccessOffer::Give) => {
                            if let Some(form) = crate::tui::forms::access::give_form(card, desk) {
                                desk.post(Msg::OpenForm(Box::new(form)));
                            }
                        }
                        Some(AccessOffer::Ask) => {
                            let form = crate::tui::forms::access::ask_form(card);
                            desk.post(Msg::OpenForm(Box::new(form)));
                        }
                        None if card.customer.restricted => {
                            desk.warn_t("card.access_waiting_already")
                        }
                        None => desk.warn_t("card.access_not_needed"),
                    }
                }
                return;
            }
            Action::Pane(a) if a.name == AUDIT.name && !desk.actor.may(Permission::ReadAudit) => {
                // Refused by the store, as every refusal is: said, and audited.
                let nothing = crate::store::AuditFilter::default();
                if let Err(e) = desk.store.audit_entries(&desk.actor, &nothing, 1) {
                    desk.store_error(&e);
                }
                return;
            }
            Action::Pane(a) if a.name == AUDIT.name => {
                if let Some(c) = self.card.as_ref().map(|c| &c.customer) {
                    desk.post(Msg::CustomerAudit {
                        id: c.id,
                        code: c.code.clone(),
                        name: c.fields.name.clone(),
                    });
                    desk.post(Msg::Focus(super::audit::ID));
                }
                return;
            }
            Action::Pane(a) if a.name == COMPLAINTS.name => {
                if let Some(c) = self.card.as_ref().map(|c| &c.customer) {
                    desk.post(Msg::Focus(super::complaints::ID));
                    desk.post(Msg::CustomerComplaints {
                        id: c.id,
                        name: c.fields.name.clone(),
                    });
                }
                return;
            }
            Action::NewInteraction => {
                if let Some(id) = self.customer_id() {
                    desk.post(Msg::LogContact {
                        customer: id,
                        reply_on: None,
                        reminder: None,
                    });
                }
                return;
            }
            _ => return,
        };
        // No further than the end as last drawn: ↑ or PgUp after End moves at once.
        let max = self
            .last_max
            .get()
            .map_or(MAX_SCROLL, |m| i64::from(m).min(MAX_SCROLL));
        self.scroll = (i64::from(self.scroll).min(max))
            .saturating_add(by)
            .clamp(0, max) as u16;
    }
}

impl Pane for Card {
    fn id(&self) -> PaneId {
        ID
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
            Msg::CloseCustomer => {
                self.card = None;
                self.shift = None;
                self.access = None;
                desk.access_until = None;
            }
            // A card opened for a reminder of the Care list is a care shift's; any other card
            // is not.
            Msg::LogContact { reminder, .. } => self.shift = *reminder,
            Msg::OpenCustomer { .. } => self.shift = None,
            _ => {}
        }
    }

    /// The open customer's card: opened afresh (the view is audited) when it is another
    /// customer, read again when it is the same one.
    fn reload(&mut self, desk: &mut Desk) {
        let Some(id) = desk.customer else {
            self.card = None;
            return;
        };
        let loaded = if self.customer_id() == Some(id) {
            let was_restricted = self.card.as_ref().is_some_and(|c| c.customer.restricted);
            match desk.store.reload_card(&desk.actor, id) {
                // A grant opened the record while it was on screen: that is a view to audit.
                Ok(card) if was_restricted && !card.customer.restricted => {
                    let card = desk.store.card(&desk.actor, id);
                    desk.own_write();
                    card
                }
                other => other,
            }
        } else {
            self.scroll = 0;
            let card = desk.store.card(&desk.actor, id);
            desk.own_write();
            card
        };
        match loaded {
            Ok(card) => {
                let was_open = self
                    .card
                    .as_ref()
                    .is_some_and(|c| c.customer.id == card.customer.id && !c.customer.restricted);
                if was_open && card.customer.restricted {
                    desk.post(Msg::AccessEnded(card.customer.id));
                }
                desk.access_until = card.access_until;
                self.access = access_offer(&card, desk);
                self.card = Some(card);
            }
            Err(e) => {
                desk.store_error(&e);
                if self.customer_id() != Some(id) {
                    self.card = None;
                    desk.customer = None;
                }
            }
        }
    }

    fn offers(&self, action: &Action) -> bool {
        // A restricted card (a confidential customer this operator has no grant for) shows
        // name and code only: what would write about them is refused, so it is not offered.
        let restricted = self.card.as_ref().is_some_and(|c| c.customer.restricted);
        match action {
            Action::Pane(a) if a.name == NEXT_REMINDER.name => self.shift.is_some(),
            Action::Pane(a) if a.name == ACCESS.name => self.access.is_some(),
            Action::Pane(a) if a.name == NEW_REMINDER.name => !restricted,
            Action::Pane(a) if a.name == NEW_OPPORTUNITY.name => !restricted,
            // Offered while the card lists an open opportunity to move.
            Action::Pane(a) if a.name == MOVE_OPPORTUNITY.name => self
                .card
                .as_ref()
                .is_some_and(|c| !c.customer.restricted && !c.opportunities.is_empty()),
            Action::Pane(a) if a.name == REDEEM.name => !restricted,
            Action::NewInteraction | Action::NewComplaint | Action::Edit => !restricted,
            _ => true,
        }
    }

    fn action_label(&self, action: &Action) -> Option<&'static str> {
        match action {
            Action::Pane(a) if a.name == ACCESS.name && self.access == Some(AccessOffer::Give) => {
                Some("action.give_access")
            }
            _ => None,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View) -> Option<Position> {
        let Some(card) = &self.card else {
            return None;
        };
        let theme = view.theme;
        let block = super::pane_block(
            view,
            Span::styled(format!(" {} ", view.i18n.t("card.title")), theme.title),
        );
        let inner_width = area.width.saturating_sub(2);
        let paragraph = Paragraph::new(lines(card, view, inner_width as usize))
            .block(block)
            .wrap(Wrap { trim: false });
        // Wrapped lines count: a long line above must not hide the last ones.
        let height = paragraph.line_count(inner_width) as u16;
        let max_scroll = height.saturating_sub(area.height);
        self.last_max.set(Some(max_scroll));
        paragraph
            .scroll((self.scroll.min(max_scroll), 0))
            .render(area, buf);
        None
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The caller in one line, for when a form covers the card: name, code, tier, open and
/// breached complaints, care due.
pub fn summary_line<'a>(card: &CardData, view: &View, width: usize) -> Line<'a> {
    let theme = view.theme;
    let i18n = view.i18n;
    let c = &card.customer;
    let badge_style = match c.badge {
        "vip" => theme.badge,
        "high" => theme.accent,
        _ => theme.muted,
    };
    let open = card.open_complaints().count();
    let breached = card
        .open_complaints()
        .filter_map(|k| k.next_reading_at(&card.calendar, view.now))
        .filter(|r| r.state == ClockState::Breached)
        .count();
    let mut spans = vec![
        Span::styled(
            truncate(&sanitize(&view.i18n.data(&c.fields.name)), 16).into_owned(),
            theme.title,
        ),
        Span::styled(format!(" {} ", sanitize(&c.code)), theme.muted),
        Span::styled(format!(" {} ", i18n.value("badge", c.badge)), badge_style),
        Span::raw(" "),
        Span::styled(
            i18n.f(
                "card.summary_complaints",
                &[
                    ("open", &open.to_string()),
                    ("breached", &breached.to_string()),
                ],
            ),
            if breached > 0 {
                theme.breach
            } else {
                theme.text
            },
        ),
        Span::raw(" · "),
        Span::styled(
            i18n.f(
                "card.summary_care",
                &[("count", &card.reminders.len().to_string())],
            ),
            theme.text,
        ),
    ];
    // Whatever is cut is cut at the right, by display cells.
    let mut used = 0;
    spans.retain(|s| {
        used += s.width();
        used <= width
    });
    Line::from(spans)
}

/// Lines of history the card shows (the Log pane has the rest).
const HISTORY_LINES: usize = crate::store::CARD_HISTORY;

fn when(at: chrono::DateTime<chrono::Utc>, view: &View) -> String {
    at.with_timezone(&view.tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A contact in one line: the summary gets what is left of the width.
fn contact_line<'a>(contact: &ContactLine, view: &View, width: usize) -> Line<'a> {
    let (theme, i18n) = (view.theme, view.i18n);
    let summary = contact
        .summary
        .as_deref()
        .map(|s| sanitize(&i18n.data(s)).into_owned())
        .unwrap_or_default();
    let mut spans = vec![
        Span::styled(
            format!("  {} ", when(contact.started_at, view)),
            theme.muted,
        ),
        Span::styled(
            format!("{} ", i18n.value("channel", &contact.channel)),
            theme.text,
        ),
        Span::styled(
            format!("{} ", view.disposition_label(&contact.disposition)),
            theme.accent,
        ),
    ];
    // Who took it only when there is room for it (a narrow terminal keeps the line whole).
    let operator = format!("{} ", sanitize(&contact.operator));
    let head: usize = spans.iter().map(|s| s.width()).sum();
    if head + crate::text::width(&operator) < width {
        spans.push(Span::styled(operator, theme.muted));
    }
    super::fit_spans(&mut spans, width);
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::styled(
        truncate(&summary, width.saturating_sub(used)).into_owned(),
        theme.text,
    ));
    Line::from(spans)
}

/// A complaint event in one line, worded as the Log pane words it.
fn event_line<'a>(e: &ComplaintEvent, view: &View, width: usize) -> Line<'a> {
    let theme = view.theme;
    let head = format!("  {} ", when(e.at, view));
    let room = width.saturating_sub(crate::text::width(&head) + 2);
    let words = truncate(&event_heading(e, view.i18n), room.saturating_sub(1)).into_owned();
    let mut spans = vec![
        Span::styled(head, theme.muted),
        Span::styled("⚑ ", theme.warn),
        Span::styled(heading_with_gap(&words), theme.warn),
    ];
    super::fit_spans(&mut spans, width);
    // What it recorded and what was typed; the complaint's title when neither.
    let text = event_words(e, view).unwrap_or_else(|| sanitize(&e.complaint_title).into_owned());
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::styled(
        truncate(&text, width.saturating_sub(used)).into_owned(),
        theme.text,
    ));
    Line::from(spans)
}

/// A stage move of an opportunity in one line: when, the stages, the title and the reason.
fn stage_line<'a>(e: &OpportunityEvent, view: &View, width: usize) -> Line<'a> {
    let (theme, i18n) = (view.theme, view.i18n);
    let stage = |s: Stage| i18n.value("opp_stage", s.as_str());
    let moved = match e.from {
        Some(from) => format!("{} → {}", stage(from), stage(e.to)),
        None => i18n.f("card.opportunity_added", &[("stage", &stage(e.to))]),
    };
    let mut spans = vec![
        Span::styled(format!("  {} ", when(e.at, view)), theme.muted),
        Span::styled("◆ ", theme.accent),
        Span::styled(format!("{moved} "), theme.accent),
    ];
    super::fit_spans(&mut spans, width);
    let mut text = sanitize(&i18n.data(&e.title)).into_owned();
    if let Some(reason) = &e.reason {
        text.push_str(&format!(": {}", sanitize(&i18n.data(reason))));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::styled(
        truncate(&text, width.saturating_sub(used)).into_owned(),
        theme.text,
    ));
    Line::from(spans)
}

/// The open opportunities: a heading with their count and total, then one line each (stage,
/// amount, expected close, number and title); nothing when there is none.
fn opportunity_lines<'a>(card: &CardData, view: &View, width: usize) -> Vec<Line<'a>> {
    let (theme, i18n) = (view.theme, view.i18n);
    if card.opportunities.is_empty() {
        return Vec::new();
    }
    let total: i64 = card.opportunities.iter().map(|o| o.amount).sum();
    let mut out = vec![section(
        i18n.f(
            "card.opportunities",
            &[
                ("count", &card.opportunities.len().to_string()),
                ("amount", &format_money(total)),
            ],
        ),
        theme,
    )];
    let stage_cells = Stage::OPEN
        .iter()
        .map(|s| crate::text::width(&i18n.value("opp_stage", s.as_str())))
        .max()
        .unwrap_or(0);
    // The amounts right-aligned in one column, as wide as the widest.
    let amount = |o: &crate::store::Opportunity| format!("¥{}", format_money(o.amount));
    let amount_cells = card
        .opportunities
        .iter()
        .map(|o| crate::text::width(&amount(o)))
        .max()
        .unwrap_or(0);
    let today = view.today();
    for o in &card.opportunities {
        let close = o
            .expected_close
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into());
        let late = o.expected_close.is_some_and(|d| d < today);
        let mut spans = vec![
            Span::raw("  "),
            Span::styled(
                format!(
                    "{} ",
                    crate::text::pad(&i18n.value("opp_stage", o.stage.as_str()), stage_cells)
                ),
                theme.accent,
            ),
            Span::styled(format!("{:>amount_cells$} ", amount(o)), theme.text),
            Span::styled(
                format!("{close} "),
                if late { theme.warn } else { theme.muted },
            ),
            Span::styled(format!("#{} ", o.id), theme.muted),
        ];
        super::fit_spans(&mut spans, width);
        let used: usize = spans.iter().map(|s| s.width()).sum();
        spans.push(Span::styled(
            truncate(&sanitize(&i18n.data(&o.title)), width.saturating_sub(used)).into_owned(),
            theme.text,
        ));
        out.push(Line::from(spans));
    }
    out
}

fn section<'a>(title: String, theme: &Theme) -> Line<'a> {
    Line::from(Span::styled(title, theme.title))
}

fn pair<'a>(label: &str, value: String, theme: &Theme, style: Style) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label}: "), theme.muted),
        Span::styled(value, style),
    ])
}

/// Where the operator's latest request for access to this restricted customer stands.
fn request_line<'a>(card: &CardData, view: &View) -> Option<Line<'a>> {
    let r = card.my_request.as_ref()?;
    let i18n = view.i18n;
    let theme = view.theme;
    let hm = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&view.tz).format("%m-%d %H:%M").to_string()
    };
    let id = r.id.to_string();
    let (text, style) = match r.state(view.now) {
        RequestState::Waiting => (
            i18n.f(
                "card.access_waiting",
                &[("id", &id), ("at", &hm(r.requested_at))],
            ),
            theme.warn,
        ),
        RequestState::Refused => (
            i18n.f(
                "card.access_refused",
                &[
                    ("id", &id),
                    ("by", &sanitize(r.decided_by.as_deref().unwrap_or("—"))),
                    ("note", &sanitize(r.note.as_deref().unwrap_or("—"))),
                ],
            ),
            theme.breach,
        ),
        RequestState::Expired | RequestState::Revoked | RequestState::Granted => (
            i18n.f(
                if r.direct {
                    "card.access_given_ended"
                } else {
                    "card.access_ended"
                },
                &[
                    ("id", &id),
                    ("by", &sanitize(r.decided_by.as_deref().unwrap_or("—"))),
                    (
                        "at",
                        &r.revoked_at.or(r.expires_at).map(hm).unwrap_or_default(),
                    ),
                ],
            ),
            theme.muted,
        ),
    };
    Some(Line::from(Span::styled(text, style)))
}

/// The card's lines, top to bottom.
pub fn lines<'a>(card: &CardData, view: &View, width: usize) -> Vec<Line<'a>> {
    let theme = view.theme;
    let i18n: &I18n = view.i18n;
    let c = &card.customer;
    let f = &c.fields;
    let mut out: Vec<Line> = Vec::new();
    let badge = i18n.value("badge", c.badge);
    let badge_style = match c.badge {
        "vip" => theme.badge,
        "high" => theme.accent,
        _ => theme.muted,
    };
    out.push(Line::from(vec![
        Span::styled(sanitize(&i18n.data(&f.name)).into_owned(), theme.title),
        Span::raw("  "),
        Span::styled(sanitize(&c.code).into_owned(), theme.muted),
        Span::raw("  "),
        Span::styled(format!(" {badge} "), badge_style),
    ]));
    if c.restricted {
        out.push(Line::from(Span::styled(
            i18n.t("card.restricted").to_string(),
            theme.warn,
        )));
        if let Some(line) = request_line(card, view) {
            out.push(line);
        }
        return out;
    }
    if let Some(until) = card.access_until {
        out.push(Line::from(Span::styled(
            format!(
                "🔓 {}",
                i18n.f(
                    "card.access_until",
                    &[
                        (
                            "until",
                            &until.with_timezone(&view.tz).format("%H:%M").to_string()
                        ),
                        (
                            "by",
                            &sanitize(card.access_granted_by.as_deref().unwrap_or("—"))
                        ),
                    ],
                )
            ),
            theme.warn,
        )));
    }
    if let Some(survivor) = &c.merged_into {
        out.push(Line::from(Span::styled(
            i18n.f("card.merged", &[("code", survivor)]),
            theme.warn,
        )));
    }
    let today = view.today();
    // level, membership, flags
    let mut status = vec![
        Span::styled(format!("{}: ", i18n.t("field.level")), theme.muted),
        Span::styled(i18n.value("level", f.level.as_str()), theme.text),
        Span::raw("  "),
        Span::styled(format!("{}: ", i18n.t("field.membership")), theme.muted),
        Span::styled(i18n.value("membership", f.membership.as_str()), theme.text),
    ];
    if let Some(expiry) = f.membership_expiry {
        let style = if expiry < today {
            theme.breach
        } else {
            theme.text
        };
        status.push(Span::styled(
            format!(
                " ({})",
                i18n.f("card.expires", &[("date", &expiry.to_string())])
            ),
            style,
        ));
    }
    out.push(Line::from(status));
    let mut flags: Vec<Span> = Vec::new();
    if f.do_not_contact {
        flags.push(Span::styled(
            format!("⛔ {}", i18n.t("card.do_not_contact")),
            theme.breach,
        ));
    }
    if f.confidential {
        flags.push(Span::styled(
            format!("🔒 {}", i18n.t("card.confidential")),
            theme.warn,
        ));
    }
    if f.internal {
        flags.push(Span::styled(
            i18n.t("card.internal").to_string(),
            theme.muted,
        ));
    }
    if c.churn_risk {
        flags.push(Span::styled(
            i18n.t("card.churn_risk").to_string(),
            theme.warn,
        ));
    }
    let consent = if f.marketing_consent {
        i18n.f(
            "card.consent_yes",
            &[(
                "date",
                &f.consent_date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
            )],
        )
    } else if f.consent_channel.is_some() {
        // Withdrawn: it was given once, and taken back.
        i18n.t("card.consent_withdrawn").to_string()
    } else {
        i18n.t("card.consent_no").to_string()
    };
    let consent = match f.consent_channel {
        Some(via) => format!(
            "{consent} ({})",
            i18n.value("consent_channel", via.as_str())
        ),
        None => consent,
    };
    flags.push(Span::styled(consent, theme.muted));
    let mut joined: Vec<Span> = Vec::new();
    for (n, span) in flags.into_iter().enumerate() {
        if n > 0 {
            joined.push(Span::raw(" · "));
        }
        joined.push(span);
    }
    out.push(Line::from(joined));

    let contacts = if c.contacts_masked {
        "card.contacts_masked"
    } else {
        "card.contacts"
    };
    out.push(section(i18n.t(contacts).to_string(), theme));
    if c.contacts_normalized.is_empty() {
        out.push(Line::from(Span::styled(
            format!("  {}", i18n.t("card.none")),
            theme.muted,
        )));
    }
    for contact in &c.contacts_normalized {
        let kind = match (contact.kind, contact.phone_kind) {
            (ContactKind::Phone, Some(k)) => i18n.value("phone_kind", k.as_str()),
            (kind, _) => i18n.value("contact", kind.as_str()),
        };
        let mut spans = vec![
            Span::styled(format!("  {kind}: "), theme.muted),
            Span::styled(sanitize(&contact.display).into_owned(), theme.text),
        ];
        if let Some(label) = contact.label.as_ref().filter(|l| {
            Some(l.as_str()) != contact.phone_kind.map(|k| k.as_str())
                && l.as_str() != contact.kind.as_str()
        }) {
            // A label is typed freely; the usual ones are worded in the screen's language.
            let lower = label.to_lowercase();
            let worded = i18n.value("contact_label", &lower);
            let label = if worded == lower { label } else { &worded };
            spans.push(Span::styled(format!(" ({})", sanitize(label)), theme.muted));
        }
        out.push(Line::from(spans));
    }
    if !f.tags.is_empty() {
        let tags: Vec<String> = f.tags.iter().map(|t| format!("#{}", sanitize(t))).collect();
        out.push(pair(
            i18n.t("field.tags"),
            tags.join(" "),
            theme,
            theme.accent,
        ));
    }
    let preferred = match (&f.preferred_channel, &f.preferred_time) {
        (None, None) => None,
        (channel, time) => Some(format!(
            "{}{}",
            channel
                .map(|c| i18n.value("channel", c.as_str()))
                .unwrap_or_default(),
            time.as_deref()
                .map(|t| format!(" {}", sanitize(t)))
                .unwrap_or_default()
        )),
    };
    if let Some(p) = preferred {
        out.push(pair(
            i18n.t("card.preferred_contact"),
            p.trim().to_string(),
            theme,
            theme.text,
        ));
    }
    if let Some(company) = &f.company {
        out.push(pair(
            i18n.t("field.company"),
            sanitize(company).into_owned(),
            theme,
            theme.text,
        ));
    }
    if let Some(birthday) = f.birthday {
        out.push(pair(
            i18n.t("field.birthday"),
            birthday.to_string(),
            theme,
            theme.text,
        ));
    }
    if let Some(address) = &f.address {
        out.push(pair(
            i18n.t("field.address"),
            sanitize(address).into_owned(),
            theme,
            theme.text,
        ));
    }
    if let Some(owner) = &f.owner {
        out.push(pair(
            i18n.t("field.owner"),
            sanitize(owner).into_owned(),
            theme,
            theme.text,
        ));
    }

    out.push(section(i18n.t("card.purchases").to_string(), theme));
    let last = c
        .last_purchase
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".into());
    out.push(Line::from(vec![
        Span::styled(format!("  {}: ", i18n.t("card.last_purchase")), theme.muted),
        Span::styled(last, theme.text),
        Span::styled(format!("  {}: ", i18n.t("card.spend_12m")), theme.muted),
        Span::styled(format!("¥{}", format_money(c.spend_12m_cents)), theme.text),
        Span::styled(
            format!(
                " ({})",
                i18n.f(
                    if c.orders_12m == 1 {
                        "card.orders_one"
                    } else {
                        "card.orders"
                    },
                    &[("count", &c.orders_12m.to_string())]
                )
            ),
            theme.muted,
        ),
    ]));
    let rfm = c
        .rfm
        .map(|(r, f, m)| format!("R{r} F{f} M{m}"))
        .unwrap_or_else(|| "—".into());
    let mut lifetime = vec![
        Span::styled(format!("  {}: ", i18n.t("card.lifetime")), theme.muted),
        Span::styled(
            format!("¥{}", format_money(c.lifetime_spend_cents)),
            theme.text,
        ),
    ];
    if let Some(clv) = c.clv_cents {
        lifetime.push(Span::styled(
            format!("  {}: ", i18n.t("card.clv")),
            theme.muted,
        ));
        lifetime.push(Span::styled(format!("¥{}", format_money(clv)), theme.text));
    }
    lifetime.push(Span::styled("  RFM: ".to_string(), theme.muted));
    lifetime.push(Span::styled(rfm, theme.text));
    out.push(Line::from(lifetime));
    // Loyalty: the balance, the member level and, in the birthday month of a level that has
    // it, the perk (marked in bold too, for mono).
    let mut loyalty = vec![
        Span::styled(format!("  {}: ", i18n.t("card.points")), theme.muted),
        Span::styled(c.points.to_string(), theme.text),
    ];
    if let Some(level) = &c.member_level {
        loyalty.push(Span::styled(
            format!("  {}: ", i18n.t("card.member_level")),
            theme.muted,
        ));
        loyalty.push(Span::styled(
            sanitize(match i18n.lang {
                crate::tui::i18n::Lang::En => &level.en,
                crate::tui::i18n::Lang::ZhCn => &level.zh,
            })
            .into_owned(),
            theme.text,
        ));
    }
    if c.birthday_perk {
        loyalty.push(Span::raw("  "));
        loyalty.push(Span::styled(
            format!("★ {}", i18n.t("card.birthday_perk")),
            theme.ok.add_modifier(ratatui::style::Modifier::BOLD),
        ));
    }
    out.push(Line::from(loyalty));
    for p in &card.purchases {
        out.push(Line::from(Span::styled(
            format!(
                "  {}  ¥{}  {}",
                p.purchased_on,
                format_money(p.amount_cents),
                sanitize(p.product.as_deref().unwrap_or(""))
            ),
            theme.muted,
        )));
    }

    let open = card.open_complaints().count();
    out.push(section(
        i18n.f("card.complaints", &[("open", &open.to_string())]),
        theme,
    ));
    if card.complaints.is_empty() {
        out.push(Line::from(Span::styled(
            format!("  {}", i18n.t("card.none")),
            theme.muted,
        )));
    }
    // Open ones with the clock they must beat next, read at this moment in working time; then
    // the latest others: a resolved one's follow-up call, a closed one's satisfaction.
    for k in &card.complaints {
        let mut spans = vec![Span::raw("  ")];
        let (clock, style) = complaint_clock(k, Some(&card.calendar), view);
        spans.push(Span::styled(clock, style));
        if let Some(r) = k
            .status
            .is_open()
            .then(|| k.next_reading_at(&card.calendar, view.now))
            .flatten()
        {
            spans.push(Span::styled(
                format!(" {}", clock_name(r.kind, i18n)),
                theme.muted,
            ));
        }
        spans.push(Span::styled(
            format!(" {} ", i18n.value("status", k.status.as_str())),
            if k.status.is_open() {
                theme.text
            } else {
                theme.muted
            },
        ));
        spans.push(Span::styled(format!("#{} ", k.id), theme.muted));
        let used: usize = spans.iter().map(|s| s.width()).sum();
        spans.push(Span::styled(
            truncate(&sanitize(&k.title), width.saturating_sub(used)).into_owned(),
            theme.text,
        ));
        out.push(Line::from(spans));
    }

    out.extend(opportunity_lines(card, view, width));

    let average = card
        .average_handle_seconds
        .map(clock)
        .unwrap_or_else(|| "—".into());
    out.push(section(
        i18n.f(
            if card.contact_count == 1 {
                "card.last_contacts_one"
            } else {
                "card.last_contacts"
            },
            &[
                ("count", &card.contact_count.to_string()),
                ("average", &average),
            ],
        ),
        theme,
    ));
    if card.contacts.is_empty() && card.events.is_empty() && card.opportunity_events.is_empty() {
        out.push(Line::from(Span::styled(
            format!("  {}", i18n.t("card.none")),
            theme.muted,
        )));
    }
    // The latest contacts and complaint events, newest first, one line each; a complaint
    // worked in many steps shows its latest step only (the Log has every one), so that its
    // steps do not push the contacts off the card.
    let mut history: Vec<(chrono::DateTime<chrono::Utc>, Line)> = Vec::new();
    for contact in &card.contacts {
        history.push((contact.started_at, contact_line(contact, view, width)));
    }
    let mut seen = std::collections::HashSet::new();
    let mut collapsed = false;
    let mut events: Vec<&ComplaintEvent> = card.events.iter().collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    for e in events {
        if seen.insert(e.complaint_id) {
            history.push((e.at, event_line(e, view, width)));
        } else {
            collapsed = true;
        }
    }
    for e in &card.opportunity_events {
        history.push((e.at, stage_line(e, view, width)));
    }
    history.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let older = history.len() > HISTORY_LINES || collapsed;
    out.extend(
        history
            .into_iter()
            .take(HISTORY_LINES)
            .map(|(_, line)| line),
    );
    if older {
        out.push(Line::from(Span::styled(
            format!("  {}", i18n.t("card.history_older")),
            theme.muted,
        )));
    }

    out.push(section(
        i18n.f(
            "card.due_care",
            &[("count", &card.reminders.len().to_string())],
        ),
        theme,
    ));
    if card.reminders.is_empty() {
        out.push(Line::from(Span::styled(
            format!("  {}", i18n.t("card.none")),
            theme.muted,
        )));
    }
    for r in &card.reminders {
        let style = if r.due_on < today || r.due_at.is_some_and(|at| at <= view.now) {
            theme.breach
        } else if r.due_on == today {
            theme.warn
        } else {
            theme.muted
        };
        let when = match r.due_at {
            Some(at) => at
                .with_timezone(&view.tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            None => r.due_on.to_string(),
        };
        let mut spans = vec![
            Span::styled(format!("  {when} "), style),
            Span::styled(format!("{} ", i18n.value("reminder", &r.kind)), theme.text),
        ];
        if r.kind == "follow_up" {
            let who = match (&r.assignee, r.scope.as_str()) {
                (Some(name), "me") => sanitize(name).into_owned(),
                _ => i18n.value("scope", "anyone"),
            };
            spans.push(Span::styled(format!("({who}) "), theme.muted));
        }
        // A generated one says why in the screen's language; others show their title.
        let words = match &r.fact {
            Some(fact) => super::care::fact_text(
                fact,
                &[],
                i18n,
                view.now.with_timezone(&view.tz).date_naive(),
            ),
            None => sanitize(&r.title).into_owned(),
        };
        spans.push(Span::styled(words, theme.text));
        out.push(Line::from(spans));
    }
    if let Some(notes) = &f.notes {
        out.push(section(i18n.t("field.notes").to_string(), theme));
        for line in sanitize_multiline(notes).lines() {
            out.push(Line::from(Span::styled(format!("  {line}"), theme.text)));
        }
    }
    out
}
