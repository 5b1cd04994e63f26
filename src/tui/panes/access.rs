//! The supervisors' list of requests for access to confidential customers (DESIGN §6,
//! `Ctrl-G`): those waiting, oldest first — who asks, for which customer, why, since when —
//! to grant (`y`, for some minutes, with a note) or refuse (`x`, saying why); `h` shows those
//! decided and the grants given directly too, with how they stand (granted until, expired,
//! refused, revoked), and `x` on a grant still lasting ends it.

use std::any::Any;

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::domain::operator::Permission;
use crate::store::{AccessRequest, RequestState};
use crate::text::{pad, sanitize, truncate};
use crate::tui::action::Action;
use crate::tui::component::{Msg, Pane, PaneId};
use crate::tui::desk::Desk;
use crate::tui::forms::access;
use crate::tui::keymap::{Context, Key, KeyTable, PaneAction, PaneKey};
use crate::tui::view::View;

pub const ID: PaneId = PaneId("access");

pub const GRANT: PaneAction =
    PaneAction::new("grant_access", "action.grant_access").needs(Permission::GrantAccess);
pub const REFUSE: PaneAction =
    PaneAction::new("refuse_access", "action.refuse_access").needs(Permission::GrantAccess);
pub const HISTORY: PaneAction = PaneAction::new("access_history", "action.access_history");

pub const KEYS: KeyTable = KeyTable {
    name: "access",
    title: "context.access",
    text: false,
    keys: &[
        PaneKey::hint(Action::Back, &[Key::plain(KeyCode::Esc)]),
        PaneKey::hint(Action::Pane(&GRANT), &[Key::char('y')]),
        PaneKey::hint(Action::Pane(&REFUSE), &[Key::char('x')]),
        PaneKey::hint(Action::Open, &[Key::plain(KeyCode::Enter)]),
        PaneKey::hint(Action::Pane(&HISTORY), &[Key::char('h')]),
        PaneKey::new(Action::Down, &[Key::plain(KeyCode::Down), Key::char('j')]),
        PaneKey::new(Action::Up, &[Key::plain(KeyCode::Up), Key::char('k')]),
        PaneKey::new(Action::Top, &[Key::plain(KeyCode::Home), Key::char('g')]),
        PaneKey::new(Action::Bottom, &[Key::plain(KeyCode::End), Key::char('G')]),
        PaneKey::hint(Action::Quit, &[Key::char('q')]),
    ],
};

#[derive(Debug, Clone, Default)]
pub struct Access {
    pub rows: Vec<AccessRequest>,
    pub selected: usize,
    /// Decided requests and direct grants shown too (newest first, after those waiting).
    pub history: bool,
    /// The pane the list was opened from (Esc goes back there).
    back_to: Option<PaneId>,
    /// When it was read: a grant lasting then can be ended.
    read_at: chrono::DateTime<chrono::Utc>,
}

impl Access {
    fn chosen(&self) -> Option<&AccessRequest> {
        self.rows.get(self.selected)
    }

    fn act(&mut self, action: &Action, desk: &mut Desk) {
        let last = self.rows.len().saturating_sub(1);
        match action {
            Action::Back => {
                let back = self.back_to.unwrap_or(super::lookup::ID);
                desk.post(Msg::Focus(back));
            }
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::Open => {
                if let Some(r) = self.chosen() {
                    desk.post(Msg::OpenCustomer {
                        id: r.customer_id,
                        focus: true,
                    });
                }
            }
            Action::Pane(a) if a.name == HISTORY.name => {
                self.history = !self.history;
                self.reload(desk);
            }
            Action::Pane(a) if a.name == GRANT.name => match self.chosen() {
                Some(r) if r.decision.is_none() => {
                    let form = access::grant_form(r, desk.settings.grants.default_minutes);
                    desk.post(Msg::OpenForm(Box::new(form)));
                }
                Some(r) => self.decided_already(r.id, desk),
                None => {}
            },
            Action::Pane(a) if a.name == REFUSE.name => match self.chosen() {
                Some(r) if r.decision.is_none() => {
                    let form = access::refuse_form(r);
                    desk.post(Msg::OpenForm(Box::new(form)));
                }
                Some(r) if r.state(desk.now) == RequestState::Granted => {
                    self.revoke(r.clone(), desk);
                }
                Some(r) => self.decided_already(r.id, desk),
                None => {}
            },
            _ => {}
        }
    }

    fn decided_already(&self, id: i64, desk: &mut Desk) {
        let text = desk
            .i18n
            .f("access.decided_already", &[("id", &id.to_string())]);
        desk.warn(text);
    }

    /// Ends the access a request was granted (or a grant given directly), before it runs out.
    fn revoke(&mut self, r: AccessRequest, desk: &mut Desk) {
        let Some(grant) = r.grant_id else {
            return self.decided_already(r.id, desk);
        };
        match desk.store.revoke_grant(&desk.actor, grant) {
            Ok(()) => {
                desk.own_write();
                let text = desk.i18n.f(
                    "access.revoked",
                    &[("login", &r.login), ("code", &r.customer_code)],
                );
                desk.info(text);
                desk.post(Msg::DataChanged);
            }
            Err(e) => desk.store_error(&e),
        }
    }
}

impl Pane for Access {
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
            Msg::AccessRequests { from } => {
                if *from != ID {
                    self.back_to = Some(*from);
                }
                self.selected = 0;
            }
            _ => {}
        }
    }

    fn reload(&mut self, desk: &mut Desk) {
        if !desk.actor.may(Permission::GrantAccess) {
            self.rows.clear();
            return;
        }
        let keep = self.chosen().map(|r| (r.direct, r.id));
        self.read_at = desk.now;
        match desk.store.access_requests(&desk.actor, self.history) {
            Ok(rows) => self.rows = rows,
            Err(e) => desk.store_error(&e),
        }
        self.selected = keep
            .and_then(|key| self.rows.iter().position(|r| (r.direct, r.id) == key))
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View) -> Option<Position> {
        draw(self, area, buf, view);
        None
    }

    fn offers(&self, action: &Action) -> bool {
        let chosen = self.chosen();
        match action {
            Action::Pane(a) if a.name == GRANT.name => chosen.is_some_and(|r| r.decision.is_none()),
            Action::Pane(a) if a.name == REFUSE.name => chosen.is_some_and(|r| {
                r.decision.is_none() || r.state(self.read_at) == RequestState::Granted
            }),
            Action::Open => chosen.is_some(),
            _ => true,
        }
    }

    fn action_label(&self, action: &Action) -> Option<&'static str> {
        match (action, self.chosen()) {
            (Action::Pane(a), Some(r)) if a.name == REFUSE.name && r.decision.is_some() => {
                Some("action.revoke_access")
            }
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

/// `MM-DD HH:MM`, where the desk is.
fn short(t: chrono::DateTime<chrono::Utc>, view: &View) -> String {
    t.with_timezone(&view.tz).format("%m-%d %H:%M").to_string()
}

/// A request's number (`#7`), or a direct grant's (`g7`, as `grant revoke` takes it).
fn number(r: &AccessRequest) -> String {
    if r.direct {
        format!("g{}", r.id)
    } else {
        format!("#{}", r.id)
    }
}

/// How a request stands, in a few words: a grant lasting says until when, whether it was
/// asked for or given directly (which [`reason_words`] says).
pub fn state_words(r: &AccessRequest, view: &View) -> String {
    let i18n = view.i18n;
    let state = r.state(view.now);
    match (state, r.expires_at) {
        (RequestState::Granted, Some(until)) => i18n.f(
            "access.state_until",
            &[(
                "until",
                &until.with_timezone(&view.tz).format("%H:%M").to_string(),
            )],
        ),
        (state, _) => i18n.value("access_state", state.as_str()),
    }
}

/// Why: the operator's reason for a request, the supervisor's for a grant given directly
/// (marked so: nobody asked for it).
fn reason_words(r: &AccessRequest, view: &View) -> String {
    let reason = sanitize(&r.reason);
    if r.direct {
        format!("{} · {reason}", view.i18n.t("access.direct"))
    } else {
        reason.into_owned()
    }
}

fn draw(access: &Access, area: Rect, buf: &mut Buffer, view: &View) {
    let theme = view.theme;
    let i18n = view.i18n;
    let waiting = access.rows.iter().filter(|r| r.decision.is_none()).count();
    let title = if access.history {
        i18n.f("access.title_all", &[("count", &waiting.to_string())])
    } else {
        i18n.f("access.title", &[("count", &waiting.to_string())])
    };
    let block = super::pane_block(view, Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    if access.rows.is_empty() {
        buf.set_string(
            inner.x + 1,
            inner.y,
            truncate(i18n.t("access.none_waiting"), inner.width as usize - 1),
            theme.muted,
        );
        return;
    }
    // The selected request whole at the foot, its reason wrapped: what a supervisor decides on.
    let mut list = inner;
    if let Some(r) = access.chosen().filter(|_| inner.height >= 8) {
        let foot = 4;
        list.height -= foot;
        let area = Rect {
            y: inner.bottom() - foot,
            height: foot,
            ..inner
        };
        let mut text = vec![Line::from(Span::styled(
            "─".repeat(inner.width as usize),
            theme.border,
        ))];
        let mut who = format!(
            "{} · {} {} {} · {} ({}) · {}",
            number(r),
            sanitize(&r.customer_code),
            sanitize(&r.customer_name),
            short(r.requested_at, view),
            sanitize(&r.operator_name),
            sanitize(&r.login),
            state_words(r, view)
        );
        if let Some(by) = &r.decided_by {
            who.push_str(&format!(" · {}", sanitize(by)));
        }
        text.push(Line::from(Span::styled(who, theme.muted)));
        let mut why = reason_words(r, view);
        if let Some(note) = &r.note {
            why = format!("{why} — {}", sanitize(note));
        }
        text.push(Line::from(Span::styled(why, theme.text)));
        ratatui::widgets::Paragraph::new(text)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .render(area, buf);
    }
    let inner = list;
    let total = inner.width as usize;
    super::draw_rows(access.rows.len(), access.selected, inner, buf, theme, |n| {
        let r = &access.rows[n];
        {
            let state = r.state(view.now);
            let state_style = match state {
                RequestState::Waiting => theme.warn,
                RequestState::Granted => theme.ok,
                RequestState::Refused | RequestState::Revoked => theme.breach,
                RequestState::Expired => theme.muted,
            };
            let mut spans = vec![
                Span::styled(format!("{:<5} ", number(r)), theme.muted),
                Span::styled(format!("{} ", short(r.requested_at, view)), theme.muted),
                Span::styled(
                    format!("{} ", pad(&truncate(&sanitize(&r.customer_code), 9), 9)),
                    theme.accent,
                ),
                Span::styled(
                    format!("{} ", pad(&truncate(&sanitize(&r.login), 10), 10)),
                    theme.text,
                ),
                Span::styled(
                    format!("{} ", pad(&truncate(&state_words(r, view), 12), 12)),
                    state_style,
                ),
            ];
            super::fit_spans(&mut spans, total);
            let used: usize = spans.iter().map(|s| s.width()).sum();
            let mut why = reason_words(r, view);
            if let (Some(by), Some(note)) = (&r.decided_by, &r.note) {
                why = format!("{why} — {}: {}", sanitize(by), sanitize(note));
            }
            spans.push(Span::styled(
                truncate(&why, total.saturating_sub(used)).into_owned(),
                theme.text,
            ));
            Line::from(spans)
        }
    });
}
