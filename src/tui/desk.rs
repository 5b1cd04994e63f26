//! The desk state every pane shares: who is signed in, the store, the call in progress, the
//! message line, the open customer, the clock, and the queue panes post messages to. The router
//! (`App`) owns it and lends it to the pane it is talking to.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};

use super::component::Msg;
use super::field_errors;
use super::i18n::{I18n, Lang};
use super::keymap::Keymap;
use super::theme::Theme;
use super::view::View;
use super::worker::{Job, Worker};
use crate::domain::contact::normalize_phone;
use crate::store::{Actor, DeskCounts, Store, StoreError};

/// How the screen was set up.
pub struct Settings {
    pub lang: Lang,
    pub theme: Theme,
    pub keymap: Keymap,
    pub lookup_limit: usize,
    /// Shown in the status bar: "local" or "shared", and the database path.
    pub shared: bool,
    pub db_label: String,
    /// The local time zone the clock and dates are shown in.
    pub tz: FixedOffset,
    /// Problems found while starting (config, theme, keys), shown once.
    pub warnings: Vec<String>,
    /// How long access to a confidential customer lasts (`[grants]`).
    pub grants: crate::domain::grant::GrantRules,
    /// The targets the Reports pane reads figures against (`[reports]`).
    pub report_targets: crate::domain::report::ReportTargets,
    /// The CSAT scale and how often NPS is asked (`[surveys]`).
    pub surveys: crate::domain::survey::SurveyRules,
    /// Where the screen writes the files it exports (the Reports pane's CSV): `exports` in the
    /// operator's own data folder.
    pub exports_dir: std::path::PathBuf,
}

/// A line for the operator in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub kind: MessageKind,
    pub at: DateTime<Utc>,
    /// Where it was said; the router notes it once the key that said it is handled (`None`
    /// until then). The line follows the operator: moved elsewhere, it is cleared.
    pub place: Option<Place>,
    /// Said of the whole screen, not of one place (the settings ignored at start, the
    /// database replaced): it stays wherever the operator goes, until it times out.
    pub sticky: bool,
}

/// Where the operator is: the pane with the keyboard, the form open over it and a dialog
/// open over that. A message is about the place it was said in: moving to another
/// pane, opening or closing a form or a dialog clears it — but for a form's own message (its
/// fields to fix), which stays while that form is open and shows again once a dialog over
/// the form is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub pane: super::component::PaneId,
    /// The form open, by the number of its opening (the same form reopened is another).
    pub form: Option<u64>,
    pub dialog: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Warn,
    Error,
}

/// The call in progress (from a screen pop, or begun with a contact form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The caller's number, or the customer's code when the timer began with a form.
    pub number: String,
    pub started: DateTime<Utc>,
    /// Announced by `careline pop` (it runs on when a form is given up).
    pub from_pop: bool,
    /// The complaint opened during the call (`c` on the card): the contact logged for the
    /// call links it.
    pub complaint: Option<i64>,
}

/// How often the database is asked whether others changed it.
const POLL_EVERY: Duration = Duration::from_millis(500);
/// How long a footer message stays.
const MESSAGE_SECONDS: i64 = 8;
/// How often open "only me" follow-ups are checked for moving to anyone.
const ESCALATE_EVERY: Duration = Duration::from_secs(60);
/// How often the screen lets the store escalate breached complaint clocks (`auto_escalate`)
/// and reads the status bar's counts again: breached and due soon follow the clock.
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// How often the screen refreshes the planner statistics (the first time at its first tick,
/// after the first frame).
const STATISTICS_EVERY: Duration = Duration::from_secs(3600);

pub struct Desk {
    pub store: Store,
    pub actor: Actor,
    pub i18n: I18n,
    pub settings: Settings,
    pub call: Option<Call>,
    pub message: Option<Message>,
    /// The customer whose card is open.
    pub customer: Option<i64>,
    pub counts: DeskCounts,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    /// The database's change counter as of this screen's last look (or own write).
    pub data_version: i64,
    queue: VecDeque<Msg>,
    /// Runs slow reads off the key path (none in state tests: they run at once).
    pub worker: Option<Worker>,
    last_poll: Instant,
    last_escalation: Option<Instant>,
    last_sweep: Option<Instant>,
    /// When the grant that shows the open confidential card ends: every pane reads again then.
    pub access_until: Option<DateTime<Utc>>,
    last_statistics: Option<Instant>,
}

impl Desk {
    pub fn new(store: Store, actor: Actor, settings: Settings) -> Desk {
        let now = store.now();
        let data_version = store.data_version().unwrap_or(0);
        Desk {
            i18n: I18n::new(settings.lang),
            store,
            actor,
            settings,
            call: None,
            message: None,
            customer: None,
            counts: DeskCounts::default(),
            now,
            size: (80, 24),
            data_version,
            queue: VecDeque::new(),
            worker: None,
            last_poll: Instant::now(),
            last_escalation: None,
            last_sweep: None,
            access_until: None,
            last_statistics: None,
        }
    }

    /// Sends a message to the router and the panes (handled after the current one).
    pub fn post(&mut self, msg: Msg) {
        self.queue.push_back(msg);
    }

    /// The next message posted and not yet carried (the router's, and state tests').
    pub fn next_message(&mut self) -> Option<Msg> {
        self.queue.pop_front()
    }

    pub(super) fn has_messages(&self) -> bool {
        !self.queue.is_empty()
    }

    fn say(&mut self, kind: MessageKind, text: String) {
        self.message = Some(Message {
            text,
            kind,
            at: self.now,
            place: None,
            sticky: false,
        });
    }

    /// A warning about the whole screen, not the place it is said in: it stays wherever the
    /// operator goes until it times out (or another message takes its place).
    pub fn warn_everywhere(&mut self, text: String) {
        self.say(MessageKind::Warn, text);
        if let Some(message) = &mut self.message {
            message.sticky = true;
        }
    }

    pub fn info(&mut self, text: String) {
        self.say(MessageKind::Info, text);
    }

    pub fn warn(&mut self, text: String) {
        self.say(MessageKind::Warn, text);
    }

    pub fn error(&mut self, text: String) {
        tracing::warn!("{text}");
        self.say(MessageKind::Error, text);
    }

    /// A store error, in the screen's language, on the message line.
    pub fn store_error(&mut self, e: &StoreError) {
        let text = field_errors::store(e, &self.i18n);
        self.error(text);
    }

    /// A message from the catalogue.
    pub fn info_t(&mut self, key: &str) {
        let text = self.i18n.t(key).to_string();
        self.info(text);
    }

    pub fn warn_t(&mut self, key: &str) {
        let text = self.i18n.t(key).to_string();
        self.warn(text);
    }

    pub fn error_t(&mut self, key: &str) {
        let text = self.i18n.t(key).to_string();
        self.error(text);
    }

    /// After this screen's own write: the change counter moved, but not because of others.
    pub fn own_write(&mut self) {
        self.data_version = self.store.data_version().unwrap_or(self.data_version);
    }

    /// The day it is where the desk is.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now.with_timezone(&self.settings.tz).date_naive()
    }

    /// The standard phrases the picker lists for `filter`, in the screen's language first.
    pub fn phrases(&self, filter: &str) -> Vec<&crate::domain::interaction::Phrase> {
        let lang = match self.i18n.lang {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        };
        self.store.log_rules().phrases_for(lang, filter)
    }

    /// What a pane may read while drawing.
    pub fn view(&self, focused: bool) -> View<'_> {
        View {
            theme: &self.settings.theme,
            i18n: &self.i18n,
            rules: self.store.log_rules(),
            now: self.now,
            tz: self.settings.tz,
            focused,
        }
    }

    /// Reads the desk's counts again: on the worker when there is one (the answer comes back
    /// as [`Msg::Counts`]), otherwise now.
    pub fn refresh_counts(&mut self) {
        if let Some(worker) = &self.worker {
            let job: Job = Box::new(|store: &mut Store| match store.desk_counts() {
                Ok(counts) => Msg::Counts(counts),
                Err(e) => Msg::ReadFailed(e),
            });
            match worker.submit(job) {
                Ok(()) => return,
                Err(_) => tracing::warn!("the reads worker is gone; counting on the key path"),
            }
        }
        match self.store.desk_counts() {
            Ok(counts) => self.counts = counts,
            Err(e) => self.store_error(&e),
        }
    }

    /// The clock moves on: the message line times out, overdue "only me" follow-ups move to
    /// anyone, the planner statistics are refreshed hourly, and others' changes are noticed
    /// (posted as [`Msg::DataChanged`]). Returns whether what the screen shows changed.
    pub fn tick(&mut self) -> bool {
        let before = self.now;
        self.now = self.store.now();
        let now = self.now;
        let minute = |t: DateTime<Utc>| t.timestamp().div_euclid(60);
        let mut changed = minute(before) != minute(now)
            || (self.call.is_some() && before.timestamp() != now.timestamp());
        // A grant ended: the open card shows name and code only again.
        if self.access_until.is_some_and(|until| now >= until) {
            self.access_until = None;
            self.post(Msg::DataChanged);
            changed = true;
        }
        if let Some(message) = &self.message {
            if (now - message.at).num_seconds() >= MESSAGE_SECONDS {
                self.message = None;
                changed = true;
            }
        }
        if self
            .last_escalation
            .is_none_or(|at| at.elapsed() >= ESCALATE_EVERY)
        {
            self.last_escalation = Some(Instant::now());
            match self.store.escalate_follow_ups(&self.actor) {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!("{n} follow-ups moved to anyone");
                    self.own_write();
                    self.post(Msg::DataChanged);
                }
                Err(e) => tracing::warn!("follow-up escalation: {e}"),
            }
        }
        if self.last_sweep.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
            self.last_sweep = Some(Instant::now());
            self.sweep_complaints();
        }
        if self
            .last_statistics
            .is_none_or(|at| at.elapsed() >= STATISTICS_EVERY)
        {
            self.last_statistics = Some(Instant::now());
            // Best effort: another screen may hold the write lock; the next hour will do.
            if let Err(e) = self.store.refresh_planner_statistics() {
                tracing::warn!("could not refresh the planner statistics: {e}");
            }
        }
        if self.last_poll.elapsed() >= POLL_EVERY {
            self.last_poll = Instant::now();
            match self.store.data_version() {
                Ok(v) if v != self.data_version => {
                    self.data_version = v;
                    self.post(Msg::DataChanged);
                }
                Ok(_) => {}
                Err(e @ StoreError::Replaced { .. }) => {
                    self.database_replaced(&e);
                    changed = true;
                }
                Err(e) => self.store_error(&e),
            }
        }
        changed
    }

    /// The database was replaced under this screen (a restore): nothing it saves goes anywhere
    /// but the file renamed aside, and every save is refused. The message line says so for as
    /// long as the screen runs (the log, once), whatever form is open stays open.
    fn database_replaced(&mut self, e: &StoreError) {
        let text = field_errors::store_words(e, &self.i18n);
        match &mut self.message {
            Some(message) if message.text == text => message.at = self.now,
            _ => {
                self.store_error(e);
                if let Some(message) = &mut self.message {
                    message.sticky = true;
                }
            }
        }
    }

    /// With `auto_escalate`, lets the store escalate the complaints whose clocks breached since
    /// it last looked (once per clock, whichever careline looks first). On the reads worker,
    /// off the key path: its write is then another connection's, noticed by the change poll
    /// like anyone's; it answers with the fresh counts. Without a worker (state tests), now.
    fn sweep_complaints(&mut self) {
        if !self.store.sla_rules().auto_escalate {
            // The status bar's counts follow the clock even when nobody writes.
            self.refresh_counts();
            return;
        }
        let actor = self.actor.clone();
        if let Some(worker) = &self.worker {
            let job: Job = Box::new(move |store: &mut Store| {
                if let Err(e) = store.sweep_complaints(&actor) {
                    tracing::warn!("complaint sweep: {e}");
                }
                match store.desk_counts() {
                    Ok(counts) => Msg::Counts(counts),
                    Err(e) => Msg::ReadFailed(e),
                }
            });
            match worker.submit(job) {
                Ok(()) => return,
                Err(_) => tracing::warn!("the reads worker is gone; sweeping on the key path"),
            }
        }
        match self.store.sweep_complaints(&self.actor) {
            Ok(sweep) if sweep.escalated > 0 => {
                tracing::info!("{} complaint clocks escalated", sweep.escalated);
                self.own_write();
                self.post(Msg::DataChanged);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("complaint sweep: {e}"),
        }
    }

    /// A call announced by `careline pop` starts the timer; the number as it will be looked
    /// up (control characters dropped, at most 40 characters), or `None` when nothing is left.
    pub fn start_call(&mut self, number: &str) -> Option<String> {
        let number: String = number
            .chars()
            .filter(|c| !c.is_control())
            .take(40)
            .collect();
        let number = number.trim().to_string();
        if number.is_empty() {
            return None;
        }
        // What a PBX hands over (`sip:+8621…@pbx`, `tel:…`, `0086…`) is shown, searched and
        // prefilled as the number it is; anything no rule reads stays as it came.
        let number = match normalize_phone(&number, self.store.phone_rules()) {
            Ok(phone) => phone.display(),
            Err(_) => number,
        };
        self.call = Some(Call {
            number: number.clone(),
            started: self.now,
            from_pop: true,
            complaint: None,
        });
        Some(number)
    }

    /// Rows a list moves by on Page Up/Down.
    pub fn page(&self) -> usize {
        (self.size.1 as usize).saturating_sub(10).max(1)
    }
}

/// `mm:ss`, or `h:mm:ss` past an hour.
pub fn clock(seconds: i64) -> String {
    let seconds = seconds.max(0);
    if seconds >= 3600 {
        format!(
            "{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    } else {
        format!("{:02}:{:02}", seconds / 60, seconds % 60)
    }
}
