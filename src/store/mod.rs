//! Everything that speaks SQL. One `Store` per process holds one connection; every write goes
//! through [`Store::write`], which begins `IMMEDIATE`, retries while another operator holds the
//! write lock, appends its audit entries in the same transaction and commits.

mod audit;
mod audit_trail;
mod backup;
mod bulk;
mod card;
mod care;
mod care_work;
mod complaint_events;
mod complaint_work;
mod complaints;
mod customers;
mod demo_load;
mod drafts;
mod encryption;
mod engine;
mod exports;
mod grants;
mod handover;
mod imports;
mod interactions;
mod location;
mod opened_file;
mod operators;
mod opportunities;
mod pins;
mod points;
mod points_days;
mod pops;
mod privacy;
mod purchases;
mod reminder_days;
mod reminders;
mod report_exports;
mod reports;
mod samples;
pub(crate) mod schema;
mod search;
mod segments;
mod surveys;
mod swap_lock;
mod upkeep;
mod witness;
mod write_turns;

pub use crate::domain::complaint::NewComplaint;
pub use crate::domain::interaction::{FollowUp, NewInteraction};
pub use crate::domain::operator::{Actor, Operator, Permission, Role};
pub use audit::{AuditEntry, ChainReport, LastChange};
pub use audit_trail::{AuditFilter, AuditRow};
pub use backup::{check_backup, restore, Backup, OpenElsewhere, OpenProcess, Restored};
pub use card::{CardData, ContactLine, DeskCounts, HISTORY as CARD_HISTORY};
pub use care::Generation;
pub use care_work::{
    CareFilter, CareRow, DueRange, NewReminder, ReminderWork, SegmentRow, KIND_ORDER,
};
pub use complaint_events::ComplaintEvent;
pub use complaint_work::{Sweep, Work, Worked};
pub use complaints::{ClockView, CompensationRow, Complaint, ComplaintDetail, ComplaintFilter};
pub use customers::{Contact, Customer, CustomerSummary, DuplicateWarning, Saved};
pub use demo_load::{
    DemoCompensation, DemoComplaint, DemoComplaintEvent, DemoCounts, DemoCustomer, DemoFollowUp,
    DemoInteraction, DemoLoad, DemoPurchase, DemoSurvey, DemoTexts, LoadStart,
};
pub use drafts::Draft;
pub use encryption::{
    encrypted as backup_encryption, identity_file, parse_recipient, passphrase_text,
    recipients_file, BackupKey, Encrypted, Encryption,
};
pub use engine::version as engine_version;
pub use exports::ExportedCustomer;
pub use grants::{AccessRequest, Asked, Grant, RequestState, DECIDED_LISTED};
pub use handover::{
    Handed, HandedComplaint, HandedCustomer, HandedOpportunity, HandedReminder, Handover,
};
pub use imports::{CheckedRows, Finding, ImportDuplicate, ImportOutcome, RowCheck, BATCH};
pub use interactions::{HistoryItem, Interaction, LogCursor, LogFilter, Logged};
pub use location::{filesystem_kind, FsKind};
pub use opportunities::{
    NewOpportunity, Opportunity, OpportunityDetail, OpportunityEvent, OpportunityFilter, Pipeline,
    StageFigures, StageMove,
};
pub use pins::PinCheck;
pub use points::{Expired, PointsBalance, PointsEntry, Redeemed, ValuesRefreshed};
pub use pops::ScreenPop;
pub use privacy::{Erased, ERASED_TEXT};
pub use purchases::{NewPurchase, Purchase};
pub use reminders::{DueReminder, Reminder};
pub use report_exports::{
    ExportSpan, ExportedOpportunity, ExportedPoints, ExportedReminder, ExportedStage,
    ExportedSurvey,
};
pub use reports::{
    Against, ByKind, HotSpot, MetOf, OperatorFigures, Replies, Report, ReportPeriod, ReportQuery,
    SlaCompliance, SlaCounts, Targets,
};
pub use samples::{LogFacet, LookupSample, PhoneReference};
pub use schema::SCHEMA_VERSION;
pub use search::{Match, MatchRank, PhoneHit, SearchPage, SearchResult, COUNT_CAP, DEFAULT_LIMIT};
pub use segments::{
    CampaignOutcome, ExportedMember, MemberOrder, MemberPage, NewCampaign, Segment, SegmentExport,
    SegmentMember,
};
pub use surveys::{CheckedSurvey, NewSurvey, Survey};
pub use swap_lock::Opening;
pub use witness::path as witness_path;

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior};

pub(crate) use engine::{Cell, CACHE_KIB};
pub use upkeep::UpkeepTimes;
pub use write_turns::WriteParts;

use crate::domain::calendar::Calendar;
use crate::domain::care::CareRules;
use crate::domain::complaint::SlaRules;
use crate::domain::contact::PhoneRules;
use crate::domain::customer::FieldError;
use crate::domain::interaction::LogRules;
use crate::domain::loyalty::LoyaltyRules;
use crate::domain::operator::PrivacyRules;
use crate::domain::tier::TierRules;

/// What can go wrong in the store. Each message names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// A complaint step its status, escalation level or claim does not allow (the screen
    /// words the reason in its language).
    #[error("complaint {complaint}: {refused}")]
    Refused {
        complaint: i64,
        refused: crate::domain::complaint_step::Refused,
    },
    #[error("{}", join_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("operator '{login}' is not registered in {db}; ask an administrator to run `{program} operator add {login} --name NAME --role operator`", program = crate::program::name())]
    UnknownOperator { login: String, db: String },
    #[error("operator '{0}' is disabled; ask an administrator to enable the account")]
    DisabledOperator(String),
    #[error("{0} has no operators yet; run `{program} init` first", program = crate::program::name())]
    NotInitialised(String),
    #[error("the database {path} has schema version {found}, newer than this careline understands ({supported}); use a newer careline")]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{path} is on a network file system ({fs}); SQLite's locking is unsafe there and the database can be corrupted. Put it on a local disk of the host that operators reach over SSH, or pass --allow-network-fs to accept the risk")]
    NetworkFileSystem { path: String, fs: String },
    #[error(
        "the database stayed busy for {0:?}; another careline is holding a long write, try again"
    )]
    Busy(Duration),
    #[error("cannot open {path}: {reason}")]
    Open { path: String, reason: String },
    /// Another connection held the lock past the connection's busy timeout (a write retries
    /// on this and reports [`StoreError::Busy`] when it gives up).
    #[error("the database is locked by another careline ({0}); try again")]
    Locked(String),
    /// What the database engine reported, in its words.
    #[error("database error: {0}")]
    Database(String),
    /// The database file at the path is no longer the one this store opened: a restore put
    /// another in its place (the one opened was renamed aside). Nothing was written.
    #[error("the database {path} was replaced (restored from a backup) after this careline opened it; nothing was saved: quit careline and start it again")]
    Replaced { path: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<crate::domain::operator::Denied> for StoreError {
    fn from(denied: crate::domain::operator::Denied) -> Self {
        StoreError::Forbidden(denied.to_string())
    }
}

/// A list of names for `IN`, written into the statement so that the planner sees the values
/// (a partial index whose `WHERE` names them stays usable): `('open', 'snoozed')`.
pub(crate) fn sql_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = names.into_iter().map(|n| format!("'{n}'")).collect();
    format!("({})", quoted.join(", "))
}

fn join_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How to open a database.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Create the file (owner-only permissions) when it does not exist.
    pub create: bool,
    /// Accept a database on NFS/SMB/CIFS despite the locking risk.
    pub allow_network_fs: bool,
    /// How long a write waits for another operator's write before giving up.
    pub busy_timeout: Duration,
    pub phone: PhoneRules,
    pub tiers: TierRules,
    pub log: LogRules,
    pub sla: SlaRules,
    pub care: CareRules,
    /// Who sees contacts in full (`[privacy]`).
    pub privacy: PrivacyRules,
    /// Points and member levels (`[loyalty]`).
    pub loyalty: LoyaltyRules,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            create: true,
            allow_network_fs: false,
            busy_timeout: Duration::from_secs(5),
            phone: PhoneRules::default(),
            tiers: TierRules::default(),
            log: LogRules::default(),
            sla: SlaRules::default(),
            care: CareRules::default(),
            privacy: PrivacyRules::default(),
            loyalty: LoyaltyRules::default(),
        }
    }
}

/// A clock that can be pinned, so tests and the demo generator choose "now".
#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => t,
        }
    }
}

/// One open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    options: OpenOptions,
    clock: Clock,
    /// Writes begun again because SQLite reported the database busy within the busy timeout.
    busy_retries: u64,
    /// Writers of this database take turns (see `write_turns`).
    turns: write_turns::WriteTurns,
    /// Where the time of the last write went.
    last_write: WriteParts,
    /// Checkpoints of the write-ahead log and merges of the name index, run off the write
    /// path (see `upkeep`).
    upkeep: upkeep::Upkeep,
    /// The working calendar the complaint clocks count in (from `options.sla`).
    calendar: Calendar,
    /// The audit log's head, witnessed outside the database (see `witness`).
    witness: witness::Witness,
    /// The database file this store opened, to tell when a restore replaced it.
    opened: opened_file::OpenedFile,
    /// Held from the start of the store's close until its connections have closed (the
    /// fields above, dropped first): a restore swaps the files before or after, never while.
    closing: Option<swap_lock::Opening>,
}

impl Store {
    /// Opens (and creates, when asked) the database at `path`, refusing network file systems
    /// and databases newer than this binary, and applies pending migrations.
    pub fn open(path: &Path, options: OpenOptions) -> Result<Store> {
        // From the first look at the files until the connection has them open, never in the
        // middle of a restore's swap (see `swap_lock`).
        let _opening = swap_lock::Opening::wait(path, options.busy_timeout);
        let display = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if options.create {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                    path: display.clone(),
                    reason: format!("cannot create its folder: {e}"),
                })?;
            }
            if !options.allow_network_fs {
                if let FsKind::Network(fs) = filesystem_kind(parent) {
                    return Err(StoreError::NetworkFileSystem {
                        path: display,
                        fs: fs.to_string(),
                    });
                }
            }
        }
        let created = !path.exists();
        if created {
            if !options.create {
                return Err(StoreError::Open {
                    path: display,
                    reason: format!(
                        "no such database; run `{} init` to create one",
                        crate::program::name()
                    ),
                });
            }
            // Created owner-only before SQLite opens it; SQLite gives the -wal and -shm
            // files the same permissions.
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| StoreError::Open {
                    path: display.clone(),
                    reason: e.to_string(),
                })?;
        }
        let busy_timeout = options.busy_timeout;
        let conn = engine::connect(path, busy_timeout)?;
        let calendar = options.sla.working_calendar();
        let mut store = Store {
            calendar,
            conn,
            path: path.to_path_buf(),
            options,
            clock: Clock::System,
            busy_retries: 0,
            turns: write_turns::WriteTurns::open(path),
            last_write: WriteParts::default(),
            upkeep: upkeep::Upkeep::new(path, busy_timeout),
            // A new database's witness is made below, once its log has a head.
            witness: match created {
                true => witness::Witness::none(path),
                false => witness::Witness::open(path),
            },
            opened: opened_file::OpenedFile::at(path),
            closing: None,
        };
        let found = schema::migrate(&mut store.conn, &display)?;
        // A new database, and one given its witness by this migration, start one; a missing
        // witness is otherwise left missing, for `check` to report.
        let witness_file = witness::path(path);
        if (created || found < schema::AUDIT_RECHAIN) && !witness_file.exists() {
            witness::create(path, audit::head(&store.conn)?.as_ref()).map_err(|e| {
                StoreError::Open {
                    path: witness_file.display().to_string(),
                    reason: format!("cannot write the audit witness: {e}"),
                }
            })?;
            store.witness = witness::Witness::open(path);
        }
        // The write-ahead log exists now that the database was read.
        store.opened = opened_file::OpenedFile::at(path);
        Ok(store)
    }

    /// Planner statistics for what needs them: an index never analysed (a new migration's), a
    /// table that grew or shrank a lot since (`PRAGMA optimize`, as SQLite advises for a
    /// long-lived connection). The desk log's filters depend on them to pick the right index.
    /// The screen runs it after its first frame and then hourly, never before it draws.
    pub fn refresh_planner_statistics(&self) -> Result<()> {
        engine::refresh_planner_statistics(&self.conn)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A second connection to the same database with the same settings and clock, for work
    /// done on another thread (the screen's slow reads).
    pub fn open_another(&self) -> Result<Store> {
        let options = OpenOptions {
            create: false,
            ..self.options.clone()
        };
        let mut other = Store::open(&self.path, options)?;
        other.clock = self.clock;
        Ok(other)
    }

    /// Forgets every cached page of the database, so that the next statement reads from the
    /// disk as after a reboot: SQLite's own cache (`PRAGMA shrink_memory`) and the operating
    /// system's page cache of the database file and its WAL (`posix_fadvise(DONTNEED)`, after
    /// writing back whatever is dirty, which the kernel would otherwise keep). For `careline
    /// bench lookup --cold`.
    pub fn drop_caches(&self) -> Result<()> {
        engine::drop_caches(&self.conn, &self.path)
    }

    pub fn phone_rules(&self) -> &PhoneRules {
        &self.options.phone
    }

    pub fn tier_rules(&self) -> &TierRules {
        &self.options.tiers
    }

    /// The loyalty rules of this database's settings.
    pub fn loyalty_rules(&self) -> &LoyaltyRules {
        &self.options.loyalty
    }

    /// Wrap-up codes, response standards and follow-up rules of this database's settings.
    pub fn log_rules(&self) -> &LogRules {
        &self.options.log
    }

    /// The complaint SLA targets of this database's settings.
    pub fn sla_rules(&self) -> &SlaRules {
        &self.options.sla
    }

    /// The care reminder rules of this database's settings.
    pub fn care_rules(&self) -> &crate::domain::care::CareRules {
        &self.options.care
    }

    /// The working calendar the complaint clocks count in.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Who sees contacts in full on this site.
    pub fn privacy_rules(&self) -> &PrivacyRules {
        &self.options.privacy
    }

    /// Whether `actor`'s role may do `what` on this site: the permission table, with the
    /// parts the site sets for itself as it set them (`[privacy]`). The privacy permission
    /// some actions also need is [`Store::require`]'s.
    pub fn may(&self, actor: &Actor, what: Permission) -> bool {
        actor.may_with(what, &self.options.privacy)
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&chrono::Local).date_naive()
    }

    /// The connection, for reads. Writes go through [`Store::write`].
    fn conn(&self) -> &Connection {
        &self.conn
    }

    /// `PRAGMA data_version`: changes when another connection commits, so a running TUI can
    /// notice other operators' work without re-reading everything.
    /// Refused with [`StoreError::Replaced`] once the database at the path is another file
    /// than the one this store opened (a restore replaced it): the screen's poll is how a
    /// screen left open learns it.
    pub fn data_version(&self) -> Result<i64> {
        self.opened.still_at(&self.path)?;
        engine::data_version(&self.conn)
    }

    /// The one door for writes: begins `IMMEDIATE` (so two writers never deadlock on an
    /// upgrade), retries while the database is busy, runs `work`, appends the audit entries it
    /// recorded with the hash chain, and commits. `work` may run more than once when the
    /// database was busy, so it must only touch the database through the writer it is given.
    pub fn write<T>(
        &mut self,
        actor: &Actor,
        mut work: impl FnMut(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let started = Instant::now();
        self.last_write = WriteParts::default();
        let deadline = self.options.busy_timeout;
        let mut pause = Duration::from_millis(2);
        loop {
            match self.try_write(actor, &mut work) {
                Err(e) if is_busy(&e) && started.elapsed() < deadline => {
                    tracing::debug!("write busy, retrying after {pause:?}");
                    self.busy_retries += 1;
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(e) if is_busy(&e) => return Err(StoreError::Busy(started.elapsed())),
                // A refusal from inside the work was rolled back with it: recorded here.
                Err(StoreError::Forbidden(reason)) => return Err(self.refusal(actor, reason)),
                other => return other,
            }
        }
    }

    /// How many times [`Store::write`] began a write again, since this store was opened,
    /// because SQLite reported the database busy before the busy timeout ran out. Waits that
    /// SQLite's own busy handler absorbs (it sleeps and tries again within `busy_timeout`) are
    /// not counted: they show only in the time of the write.
    pub fn busy_retries(&self) -> u64 {
        self.busy_retries
    }

    /// How long each checkpoint and each merge step of the name index this store ran off the
    /// write path took (for `bench writers`).
    pub fn upkeep_times(&self) -> UpkeepTimes {
        self.upkeep.times()
    }

    /// Where the time of the last [`Store::write`] went (for `bench writers`).
    pub fn last_write_parts(&self) -> WriteParts {
        self.last_write
    }

    /// Appends audit entries in a transaction of their own, for what is recorded without a
    /// change: a refusal, a screen start. Takes `&self`, so that a read can record too.
    fn record(&self, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
        // In its turn among the writers, as every write is (see `write_turns`).
        let _turn = self.turns.wait(self.options.busy_timeout);
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        self.opened.still_at(&self.path)?;
        let head = audit::append(&tx, actor, self.clock.now(), entries, &self.witness)?;
        tx.commit()?;
        if let Some(head) = head {
            self.witness.advance(&head);
        }
        Ok(())
    }

    /// Records that `actor` was refused, and returns the refusal to give them.
    pub(crate) fn refusal(&self, actor: &Actor, reason: String) -> StoreError {
        self.refusal_about(actor, None, reason)
    }

    /// A refusal of something done to customer `customer`: recorded against the customer, so
    /// that their audit trail (the card's `A`, `audit list --customer`) shows who was refused
    /// what on their record (the operator is the entry's actor either way).
    pub(crate) fn refusal_about(
        &self,
        actor: &Actor,
        customer: Option<i64>,
        reason: String,
    ) -> StoreError {
        let entry = match customer {
            Some(id) => AuditEntry {
                action: "refused".into(),
                entity: "customer".into(),
                entity_id: Some(id),
                detail: serde_json::json!({ "reason": reason }),
            },
            None => AuditEntry {
                action: "refused".into(),
                entity: "operator".into(),
                // None for a login that is no operator's: it has no number.
                entity_id: (actor.id != 0).then_some(actor.id),
                detail: serde_json::json!({ "reason": reason }),
            },
        };
        if let Err(e) = self.record(actor, &[entry]) {
            tracing::warn!("the refusal of {} was not audited: {e}", actor.login);
        }
        StoreError::Forbidden(reason)
    }

    /// Refuses (and records the refusal) unless `actor`'s role may do `what`.
    pub(crate) fn require(&self, actor: &Actor, what: Permission) -> Result<()> {
        self.require_about(actor, what, None)
    }

    /// [`Store::require`] for something done to customer `customer`: a refusal is recorded
    /// against them too ([`Store::refusal_about`]).
    pub(crate) fn require_about(
        &self,
        actor: &Actor,
        what: Permission,
        customer: Option<i64>,
    ) -> Result<()> {
        actor
            .require_with(what, &self.options.privacy)
            .map_err(|denied| self.refusal_about(actor, customer, denied.to_string()))?;
        if what.needs_privacy() && !self.holds_privacy(actor)? {
            return Err(self.refusal_about(
                actor,
                customer,
                format!(
                    "only an operator holding the privacy permission may {}; {} does not (an admin gives it with `{} operator privacy {} on`)",
                    what.what(),
                    actor.login,
                    crate::program::name(),
                    actor.login
                ),
            ));
        }
        Ok(())
    }

    /// Records that `actor` opened the operator's screen (a login, DESIGN §6).
    pub fn record_screen_start(&self, actor: &Actor) -> Result<()> {
        self.record(
            actor,
            &[AuditEntry {
                action: "screen.start".into(),
                entity: "operator".into(),
                entity_id: Some(actor.id),
                detail: serde_json::Value::Null,
            }],
        )
    }

    fn try_write<T>(
        &mut self,
        actor: &Actor,
        work: &mut impl FnMut(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock.now();
        let mut lap = Instant::now();
        let mut elapsed = || {
            let at = Instant::now();
            let part = at - lap;
            lap = at;
            part
        };
        // Starts the count of pages this write puts into the log, and the note of whether it
        // changed the name index.
        engine::pages_written(&self.conn);
        engine::take_names_written();
        let turn = self.turns.wait(self.options.busy_timeout);
        self.last_write.turn += elapsed();
        self.last_write.without_turn += u32::from(turn.is_missing());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate);
        self.last_write.begin += elapsed();
        let tx = tx?;
        // Checked with the write lock held: a restore that replaced the file since this store
        // opened it leaves this write nowhere to go but the file renamed aside.
        self.opened.still_at(&self.path)?;
        let (value, seen, names_written) = {
            let mut writer = Writer {
                tx,
                actor,
                now,
                audit: Vec::new(),
                phone: &self.options.phone,
                tiers: &self.options.tiers,
                loyalty: &self.options.loyalty,
                log: &self.options.log,
                sla: &self.options.sla,
                calendar: &self.calendar,
            };
            let value = work(&mut writer);
            let parts = &mut self.last_write;
            let Writer { tx, audit, .. } = writer;
            let witness = &self.witness;
            let value = value
                .and_then(|value| Ok((value, audit::append(&tx, actor, now, &audit, witness)?)));
            parts.statements += elapsed();
            let (value, head) = value?;
            // A checkpoint the commit makes due waits until the turn has passed.
            let watch = engine::CommitWatch::start(true);
            let committed = tx.commit();
            parts.commit += elapsed();
            let seen = watch.seen();
            parts.checkpoint_in_commit = seen.checkpoint_in_commit;
            drop(watch);
            committed?;
            if let Some(head) = head {
                self.witness.advance(&head);
            }
            (value, seen, engine::take_names_written())
        };
        drop(turn);
        self.last_write.pages_written += engine::pages_written(&self.conn);
        if names_written {
            self.upkeep.merge_names();
        }
        if seen.checkpoint_due && !self.upkeep.checkpoint() {
            if let Err(e) = engine::checkpoint_passive(&self.conn) {
                tracing::debug!("checkpoint: {e}");
            }
        }
        Ok(value)
    }
}

/// A store closes while no restore swaps the files (see `engine::close`): its connections,
/// the upkeep thread's too, close as the fields drop, with `closing` held until after them.
impl Drop for Store {
    fn drop(&mut self) {
        self.closing = Some(swap_lock::Opening::wait(
            &self.path,
            self.options.busy_timeout,
        ));
    }
}

fn is_busy(e: &StoreError) -> bool {
    matches!(e, StoreError::Locked(_))
}

/// An open write transaction with its actor, time and pending audit entries.
pub struct Writer<'a> {
    tx: Transaction<'a>,
    actor: &'a Actor,
    now: DateTime<Utc>,
    audit: Vec<AuditEntry>,
    phone: &'a PhoneRules,
    tiers: &'a TierRules,
    loyalty: &'a LoyaltyRules,
    log: &'a LogRules,
    sla: &'a SlaRules,
    calendar: &'a Calendar,
}

impl Writer<'_> {
    fn tx(&self) -> &Transaction<'_> {
        &self.tx
    }

    pub fn actor(&self) -> &Actor {
        self.actor
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&chrono::Local).date_naive()
    }

    /// The phone rules of this database's settings.
    pub fn phone_rules(&self) -> &PhoneRules {
        self.phone
    }

    /// The tier rules of this database's settings.
    pub fn tier_rules(&self) -> &TierRules {
        self.tiers
    }

    /// The interaction-log rules of this database's settings.
    pub fn log_rules(&self) -> &LogRules {
        self.log
    }

    /// The loyalty rules of this database's settings.
    pub fn loyalty_rules(&self) -> &LoyaltyRules {
        self.loyalty
    }

    /// The complaint SLA targets of this database's settings.
    pub fn sla_rules(&self) -> &SlaRules {
        self.sla
    }

    /// The working calendar the complaint clocks count in.
    pub fn calendar(&self) -> &Calendar {
        self.calendar
    }

    /// Records what this write did; written with the commit.
    pub fn audit(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        detail: serde_json::Value,
    ) {
        self.audit.push(AuditEntry {
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id,
            detail,
        });
    }
}

/// Moved to the domain (rules, no SQL); kept here for callers not yet changed.
pub use crate::domain::customer_contacts::check_contacts;

pub(crate) fn refresh_purchase_summary(w: &Writer<'_>, customer_id: i64) -> Result<()> {
    purchases::refresh_summary(w.tx(), customer_id, w.today(), w.tiers)
}

pub(crate) fn refresh_rfm_in(w: &Writer<'_>) -> Result<usize> {
    purchases::refresh_rfm(w.tx())
}

/// A stored name (a status, kind, scope…) read back as its vocabulary's type; a name the
/// type does not know is the database's error, saying which column held it.
pub(crate) fn stored_name<T>(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    r.get::<_, String>(column)?.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Reads a calendar date stored as text.
pub(crate) fn parse_stored_date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
}

/// A calendar date as stored: `YYYY-MM-DD` (chrono's `Display`, the same text as the format
/// `%Y-%m-%d` but many times faster, which a bulk load of millions of dates notices).
pub(crate) fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

/// What `careline check` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckReport {
    pub schema_version: i64,
    pub integrity: Vec<String>,
    pub foreign_key_problems: usize,
    pub audit: ChainReport,
    /// Where the contacts' daily sums the reports read differ from a recount of the log
    /// (empty when they agree, or the file is older than the sums).
    pub report_sums: Vec<String>,
    /// Customers whose points differ from the sum of their points ledger (at most 20).
    pub points: Vec<String>,
}

impl CheckReport {
    /// Whether everything passed (the audit log's triggers too: see [`ChainReport::ok`]).
    pub fn ok(&self) -> bool {
        self.integrity == ["ok"]
            && self.foreign_key_problems == 0
            && self.audit.ok()
            && self.report_sums.is_empty()
            && self.points.is_empty()
    }
}

impl Store {
    /// Integrity check, foreign keys, schema version and the audit chain.
    pub fn check(&self) -> Result<CheckReport> {
        // On a connection of its own: FTS5's part of the integrity check trusts the segment
        // list this connection read last, and the upkeep thread's merges (on another
        // connection) may have replaced it since, which it then reports as a malformed index.
        // The connection and the witness of one database, the old or the new, when a restore
        // swaps the files meanwhile (see `swap_lock`). The witness is read before the check's
        // reads begin: an entry witnessed is already committed.
        let (conn, witnessed) = {
            let _opening = swap_lock::Opening::wait(&self.path, self.options.busy_timeout);
            let conn = engine::connect(&self.path, self.options.busy_timeout)?;
            (conn, witness::read(&witness::path(&self.path)))
        };
        let report = backup::check_with(&conn, witnessed);
        engine::close(conn, &self.path, self.options.busy_timeout);
        report
    }

    pub fn customer_count(&self) -> Result<i64> {
        // Counted through the code index and the partial index of merged records: a whole
        // table scan takes a quarter of a second on a million customers.
        Ok(self.conn().query_row(
            "SELECT (SELECT count(*) FROM customers)
                  - (SELECT count(*) FROM customers WHERE merged_into IS NOT NULL)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Whether the database holds any customer record at all.
    pub fn has_customers(&self) -> Result<bool> {
        Ok(self
            .conn()
            .query_row("SELECT EXISTS (SELECT 1 FROM customers)", [], |r| r.get(0))?)
    }
}

/// A database of `customers` demo customers in a temporary folder, with its admin: for the
/// store's own tests of query plans on realistic data.
#[cfg(test)]
pub(crate) fn demo_store(customers: u64, seed: u64) -> (tempfile::TempDir, Store, Actor) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("demo.db"), OpenOptions::default()).expect("open");
    let admin = store.init_admin("admin", "Admin").expect("init");
    crate::demo::generate(
        &mut store,
        &admin,
        crate::demo::DemoSpec { customers, seed },
        false,
        &|_| {},
    )
    .expect("demo");
    (dir, store, admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_behind_another_writer_retries_then_says_how_long_it_waited() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("busy.db");
        let options = OpenOptions {
            busy_timeout: Duration::from_millis(300),
            ..OpenOptions::default()
        };
        let mut store = Store::open(&path, options).expect("open");
        let admin = store.init_admin("admin", "Admin").expect("init");
        let other = Connection::open(&path).expect("second connection");
        other
            .execute_batch("BEGIN IMMEDIATE")
            .expect("hold the write lock");
        let mut runs = 0;
        let outcome = store.write(&admin, |_| {
            runs += 1;
            Ok(())
        });
        match outcome {
            Err(StoreError::Busy(waited)) => assert!(waited >= Duration::from_millis(300)),
            other => panic!("expected Busy, got {other:?}"),
        }
        // Each attempt failed at BEGIN IMMEDIATE, before the work.
        assert_eq!(runs, 0);
        other.execute_batch("COMMIT").expect("release");
        store.write(&admin, |_| Ok(())).expect("free again");
    }

    #[test]
    fn engine_errors_become_the_stores_own() {
        let locked = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        assert!(matches!(StoreError::from(locked), StoreError::Locked(m) if m.contains("locked")));
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("e.db"), OpenOptions::default()).expect("open");
        let error = StoreError::from(
            store
                .conn()
                .execute_batch("SELECT * FROM no_such_table")
                .expect_err("no such table"),
        );
        assert!(
            matches!(&error, StoreError::Database(m) if m.contains("no such table: no_such_table")),
            "{error:?}"
        );
    }

    #[test]
    fn statuses_written_into_a_statement_are_quoted_and_listed() {
        assert_eq!(sql_list(["open", "snoozed"]), "('open', 'snoozed')");
        assert_eq!(sql_list(["done"]), "('done')");
        // The complaint statuses the card and desk counts read, as the queries had them.
        assert_eq!(
            *complaints::OPEN_STATUSES,
            "('new', 'acknowledged', 'in_progress', 'escalated', 'waiting', 'solution_proposed', 'reopened')"
        );
    }

    #[test]
    fn dates_are_stored_as_year_month_day() {
        for (y, m, d) in [
            (2026, 11, 23),
            (1, 1, 1),
            (999, 12, 31),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 6, 15),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            assert_eq!(
                date_text(Some(date)),
                Some(date.format("%Y-%m-%d").to_string())
            );
        }
        assert_eq!(date_text(None), None);
    }
}
