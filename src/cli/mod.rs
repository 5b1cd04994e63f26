//! The command line (DESIGN §4). Thin: parse, open the store as the acting operator, call the
//! library, print. Every command exits 0 on success and non-zero with a one-line reason.

mod admin;
mod audit;
mod backup_keys;
mod bench;
mod bench_all;
mod bench_care;
mod bench_complaints;
mod bench_log;
mod bench_lookup;
mod bench_report;
mod bench_screen;
mod bench_writers;
mod complaint;
mod customer;
mod grant;
pub mod host;
mod import_report;
mod log;
mod operator;
mod opportunity;
mod points;
mod reminder;
mod report;
mod segment;
mod survey;
mod transfer;

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Context as _, Result};
use clap::{Parser, Subcommand};

use crate::config::{os_login, Config, Paths};
use crate::store::{Actor, OpenOptions, Store};

#[derive(Debug, Parser)]
#[command(
    name = "careline",
    version,
    about = "Keyboard-driven customer-care desk for call-centre operators",
    long_about = "careline keeps customers, their contacts, purchases, interactions, complaints and care \
                  reminders in one SQLite database: a local file for one desk, or one shared file on a \
                  host that operators reach over SSH. Without a command it opens the operator's screen."
)]
pub struct Cli {
    /// Database file (default: careline.db in the data directory).
    #[arg(long, global = true, env = "CARELINE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Act as another operator (admins only; audited as done by them via you).
    #[arg(long = "as", global = true, value_name = "LOGIN")]
    pub as_login: Option<String>,
    /// Accept a database on a network file system despite the locking risk.
    #[arg(long, global = true)]
    pub allow_network_fs: bool,
    /// Config file (default: careline.toml in the config directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    // The three options below are the screen's: they are not `global`, so a command's help
    // does not list them. `--demo` may still come before a command (`careline --demo search
    // …`); `--theme` and `--lang` before a command are refused, as nothing would read them.
    /// Use the separate demo database in the data directory, filled with generated
    /// customers on first use (before a command, that command uses it too).
    #[arg(long)]
    pub demo: bool,
    /// Colour theme of the screen: dark, light, high-contrast, mono, or one of yours
    /// (NO_COLOR selects mono).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Language of the screen: en or zh-CN (default: the config file, then LANG).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
pub enum Command {
    /// Create the database and register you (your OS login) as its first admin.
    Init(admin::InitArgs),
    /// Fill the database with realistic generated customers and their history (creating it,
    /// with you as its admin, when there is none).
    Demo(admin::DemoArgs),
    /// Look customers up by phone (or its last 4+ digits), name, pinyin, email, code, #tag or company.
    Search(customer::SearchArgs),
    /// Add, show, edit or merge customers.
    #[command(subcommand)]
    Customer(customer::CustomerCommand),
    /// Log contacts with customers, or list the log.
    #[command(subcommand)]
    Log(log::LogCommand),
    /// Open, show, list and work complaints (claim, escalate, compensate, resolve …).
    #[command(subcommand)]
    Complaint(complaint::ComplaintCommand),
    /// Jobs over all complaints: `careline complaints sweep` (for cron).
    #[command(subcommand)]
    Complaints(complaint::ComplaintsCommand),
    /// Add, show, list and work care reminders (done, snooze, skip).
    #[command(subcommand)]
    Reminder(reminder::ReminderCommand),
    /// Jobs over all care reminders: `careline reminders generate` (for cron).
    #[command(subcommand)]
    Reminders(reminder::RemindersCommand),
    /// Import customers or purchases from a CSV file (UTF-8 or GBK; English or Chinese headers).
    Import(transfer::ImportArgs),
    /// Export customers, purchases, interactions, complaints, the reminders due (a segment
    /// list for an SMS or mail-merge send), reminder history, surveys, points or sales
    /// opportunities as CSV or JSON.
    Export(transfer::ExportArgs),
    /// Access to confidential customers: ask (operators), grant, refuse, revoke (supervisors).
    #[command(subcommand)]
    Grant(grant::GrantCommand),
    /// Manage operators (admins only).
    #[command(subcommand)]
    Operator(operator::OperatorCommand),
    /// Check the database (or a backup, `--backup FILE`): integrity, schema version, audit
    /// chain and its witness.
    Check(admin::CheckArgs),
    /// Back up the database while others work: one checked file with its audit witness
    /// beside it, or encrypted with age (`--recipient`, `--passphrase`) with the witness
    /// inside (admins; `--keep N` for cron).
    Backup(admin::BackupArgs),
    /// Restore the database from a backup (an encrypted one with `--identity` or its
    /// passphrase): checked first, refused while careline is open elsewhere; the database
    /// replaced is kept beside it.
    Restore(admin::RestoreArgs),
    /// Read the audit trail: who looked at or changed what, and what was refused (supervisors).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The supervisors' figures for a period against their targets: contacts, complaints and
    /// SLA, CSAT and NPS, retention, reminders, per operator (`docs/REPORTS.md`).
    Report(report::ReportArgs),
    /// Saved groups of customers (VIP, no contact for 60 days, consent given …): add, list,
    /// show with their members, export for a campaign, delete.
    #[command(subcommand)]
    Segment(segment::SegmentCommand),
    /// Record a customer's CSAT or NPS answer, or list their answers.
    #[command(subcommand)]
    Survey(survey::SurveyCommand),
    /// Sales opportunities: add, list, show, move through their stages, close won or lost.
    #[command(subcommand)]
    Opportunity(opportunity::OpportunityCommand),
    /// Loyalty points: a customer's balance and history, redeem, expire (for cron).
    #[command(subcommand)]
    Points(points::PointsCommand),
    /// Customer values: `careline value refresh` recomputes tiers, lifetime value, churn risk
    /// and RFM as of a day (for cron, nightly).
    #[command(subcommand)]
    Value(points::ValueCommand),
    /// Announce an incoming call to your running careline screen (for a softphone or PBX hook).
    Pop(PopArgs),
    /// Measure lookup, the screen and the interaction log on the current database (DESIGN §7).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Deploy careline for many SSH operators on one host (`careline host setup`, as root).
    #[command(subcommand)]
    Host(host::HostCommand),
}

#[derive(Debug, clap::Args)]
pub struct PopArgs {
    /// The caller's number as the phone system gives it.
    pub number: String,
}

/// What every command needs: where things are, the settings, and how to open the store.
pub struct Context {
    pub paths: Paths,
    pub config: Config,
    pub db_path: PathBuf,
    pub as_login: Option<String>,
    pub allow_network_fs: bool,
    pub demo: bool,
    /// The config file named with --config, if one was.
    pub config_file: Option<PathBuf>,
}

impl Context {
    pub fn new(cli: &Cli) -> Context {
        let paths = Paths::discover();
        let config_path = cli.config.clone().unwrap_or_else(|| paths.config_file());
        let (config, warnings) = Config::load(&config_path);
        for warning in warnings {
            tracing::warn!("{warning}");
            eprintln!("careline: warning: {warning}");
        }
        let db_path = if cli.demo {
            paths.demo_db()
        } else {
            cli.db
                .clone()
                .or_else(|| config.database.path.clone())
                .unwrap_or_else(|| paths.default_db())
        };
        let allow_network_fs = cli.allow_network_fs || config.database.allow_network_fs;
        Context {
            paths,
            config,
            db_path,
            as_login: cli.as_login.clone(),
            allow_network_fs,
            demo: cli.demo,
            config_file: cli.config.clone(),
        }
    }

    pub fn open_options(&self, create: bool) -> OpenOptions {
        OpenOptions {
            create,
            allow_network_fs: self.allow_network_fs,
            busy_timeout: Duration::from_millis(self.config.database.busy_timeout_ms),
            phone: self.config.phone_rules(),
            tiers: self.config.tiers.clone(),
            log: self.config.log.clone(),
            sla: self.config.complaints.clone(),
            care: self.config.care.clone(),
            privacy: self.config.privacy_rules(),
            loyalty: self.config.loyalty.clone(),
        }
    }

    pub fn login() -> Result<String> {
        os_login().ok_or_else(|| anyhow!("cannot tell who you are: your OS user has no login name"))
    }

    /// Opens an existing database as the acting operator. The demo database is created and
    /// filled on first use.
    pub fn open(&self) -> Result<(Store, Actor)> {
        if self.demo {
            return admin::open_demo(self);
        }
        let store = Store::open(&self.db_path, self.open_options(false))?;
        let actor = store.actor(&Self::login()?, self.as_login.as_deref())?;
        Ok((store, actor))
    }
}

/// A progress bar on standard error when it is a terminal; nothing otherwise.
pub fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// A count with its noun: "1 customer", "2 customers", "0 customers".
pub(crate) fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).context("cannot write JSON")?;
    println!("{text}");
    Ok(())
}

/// Opens the operator's screen on the database.
fn screen(ctx: &Context, theme: &Option<String>, lang: &Option<String>) -> Result<()> {
    if let Some(wanted) = lang {
        if crate::tui::i18n::Lang::parse(wanted).is_none() {
            return Err(anyhow!(
                "--lang: careline does not speak '{wanted}'; use en or zh-CN"
            ));
        }
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(anyhow!(
            "the operator's screen needs a terminal; for scripts use the commands listed by `{} --help`",
            crate::program::name()
        ));
    }
    let (store, actor) = ctx.open()?;
    let choices = crate::tui::ScreenChoices {
        theme: theme.clone(),
        lang: lang.clone(),
    };
    let settings = crate::tui::settings(&ctx.config, &ctx.paths, &choices, &ctx.db_path);
    // Said on the terminal too, before the screen covers it (and there when it closes): the
    // screen's message line shows only the first, for seconds, and the log may be one the
    // operator cannot read (a shared host's).
    for warning in &settings.warnings {
        let _ = writeln!(
            std::io::stderr(),
            "careline: warning: {}",
            crate::text::sanitize(warning)
        );
    }
    let mut store = store;
    ask_pin(&mut store, &actor, settings.lang)?;
    crate::tui::run(store, actor, settings, &ctx.paths.runtime_dir)
}

/// The operator's PIN, when they have one, before the screen opens (DESIGN §5): asked on the
/// terminal without echo until it is right, or until the wrong ones lock the operator.
fn ask_pin(store: &mut Store, actor: &Actor, lang: crate::tui::i18n::Lang) -> Result<()> {
    if !store.needs_pin(actor)? {
        return Ok(());
    }
    let i18n = crate::tui::i18n::I18n::new(lang);
    if !secret_terminal() {
        return Err(anyhow!(
            "{}",
            i18n.f("pin.no_terminal", &[("login", &actor.login)])
        ));
    }
    loop {
        let prompt = i18n.f("pin.prompt", &[("login", &actor.login)]);
        let pin = rpassword::prompt_password(prompt)
            .map_err(|e| anyhow!("{}: {e}", i18n.t("pin.not_read")))?;
        match store.check_pin(actor, pin.trim())? {
            crate::store::PinCheck::Right => return Ok(()),
            crate::store::PinCheck::Wrong { left: 1 } => {
                eprintln!("{}", i18n.t("pin.wrong_one"));
            }
            crate::store::PinCheck::Wrong { left } => {
                eprintln!("{}", i18n.f("pin.wrong", &[("left", &left.to_string())]));
            }
            crate::store::PinCheck::Locked => {
                return Err(anyhow!(
                    "{}",
                    i18n.f("pin.locked", &[("login", &actor.login)])
                ))
            }
        }
    }
}

/// Whether a PIN can be typed unseen here: it is read from the controlling terminal
/// (`/dev/tty`), which a session started without one lacks even when its standard input and
/// output are terminals (`su -c`, which starts a session of its own; `sudo` or `ssh` without
/// a terminal; cron).
pub(crate) fn secret_terminal() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// `--theme` and `--lang` only mean something to the screen: given with a command they are
/// refused by name rather than silently ignored.
fn refuse_screen_options(cli: &Cli) -> Result<()> {
    let Some(command) = &cli.command else {
        return Ok(());
    };
    let given = [
        ("--theme", cli.theme.is_some()),
        ("--lang", cli.lang.is_some()),
    ];
    if let Some((option, _)) = given.iter().find(|(_, given)| *given) {
        let name = command.name();
        return Err(anyhow!(
            "{option}: sets the operator's screen only; `careline {name}` does not use it (leave it out, or drop `{name}` to open the screen)"
        ));
    }
    Ok(())
}

impl Command {
    /// The name the command is typed as.
    fn name(&self) -> &'static str {
        match self {
            Command::Init(_) => "init",
            Command::Demo(_) => "demo",
            Command::Search(_) => "search",
            Command::Customer(_) => "customer",
            Command::Log(_) => "log",
            Command::Complaint(_) => "complaint",
            Command::Complaints(_) => "complaints",
            Command::Reminder(_) => "reminder",
            Command::Reminders(_) => "reminders",
            Command::Import(_) => "import",
            Command::Export(_) => "export",
            Command::Operator(_) => "operator",
            Command::Grant(_) => "grant",
            Command::Check(_) => "check",
            Command::Audit(_) => "audit",
            Command::Report(_) => "report",
            Command::Segment(_) => "segment",
            Command::Survey(_) => "survey",
            Command::Opportunity(_) => "opportunity",
            Command::Points(_) => "points",
            Command::Value(_) => "value",
            Command::Backup(_) => "backup",
            Command::Restore(_) => "restore",
            Command::Pop(_) => "pop",
            Command::Bench(_) => "bench",
            Command::Host(_) => "host",
        }
    }
}

/// A store refusal in the command line's words: each refused field named by the option that
/// gives it (`--reply-by: …; --close: …`). `option` turns a store field into its option's name
/// where they differ (`expected_close` → `close`); underscores become hyphens.
pub(crate) fn refused_options(
    e: crate::store::StoreError,
    option: fn(&str) -> &str,
) -> anyhow::Error {
    match e {
        crate::store::StoreError::Invalid(errors) => anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("--{}: {}", option(&e.field).replace('_', "-"), e.reason))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => other.into(),
    }
}

/// Reads the command line. On a shared host (careline installed as the group's program) the
/// options and commands careline refuses there are left out of the help (see
/// [`host::shared_host_help`]).
pub fn parse() -> Cli {
    use clap::{CommandFactory as _, FromArgMatches as _};
    let mut command = Cli::command();
    if crate::host::privileged() {
        command = host::shared_host_help(command);
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

pub fn run(cli: Cli) -> Result<()> {
    refuse_screen_options(&cli)?;
    if let Some(Command::Host(command)) = &cli.command {
        return host::run(&cli, command);
    }
    // Installed for many operators on one host: the host's database and rules only.
    let ctx = if crate::host::privileged() {
        host::context(&cli)?
    } else {
        Context::new(&cli)
    };
    match cli.command {
        None => screen(&ctx, &cli.theme, &cli.lang),
        Some(Command::Pop(args)) => crate::tui::pop::send(&ctx.paths.runtime_dir, &args.number),
        Some(Command::Init(args)) => admin::init(&ctx, args),
        Some(Command::Demo(args)) => admin::demo(&ctx, args),
        Some(Command::Search(args)) => customer::search(&ctx, args),
        Some(Command::Customer(cmd)) => customer::run(&ctx, cmd),
        Some(Command::Log(cmd)) => log::run(&ctx, cmd),
        Some(Command::Complaint(cmd)) => complaint::run(&ctx, cmd),
        Some(Command::Complaints(cmd)) => complaint::run_all(&ctx, cmd),
        Some(Command::Reminder(cmd)) => reminder::run(&ctx, cmd),
        Some(Command::Reminders(cmd)) => reminder::run_all(&ctx, cmd),
        Some(Command::Import(args)) => transfer::import(&ctx, args),
        Some(Command::Export(args)) => transfer::export(&ctx, args),
        Some(Command::Operator(cmd)) => operator::run(&ctx, cmd),
        Some(Command::Grant(cmd)) => grant::run(&ctx, cmd),
        Some(Command::Check(args)) => admin::check(&ctx, args),
        Some(Command::Audit(cmd)) => audit::run(&ctx, cmd),
        Some(Command::Report(args)) => report::run(&ctx, args),
        Some(Command::Segment(cmd)) => segment::run(&ctx, cmd),
        Some(Command::Survey(cmd)) => survey::run(&ctx, cmd),
        Some(Command::Opportunity(cmd)) => opportunity::run(&ctx, cmd),
        Some(Command::Points(cmd)) => points::run(&ctx, cmd),
        Some(Command::Value(cmd)) => points::run_value(&ctx, cmd),
        Some(Command::Backup(args)) => admin::backup(&ctx, args),
        Some(Command::Restore(args)) => admin::restore(&ctx, args),
        Some(Command::Bench(cmd)) => bench::run(&ctx, cmd),
        Some(Command::Host(_)) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and every option says what it is for in `--help`: a new user reads the
    /// help before the README.
    #[test]
    fn every_command_and_option_has_help() {
        use clap::CommandFactory as _;
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") || arg.is_hide_set() {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            // A hidden command (the benchmarks' own workers) is not for people.
            for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
                let path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(path.clone());
                }
                walk(sub, &path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "careline", &mut missing);
        assert!(missing.is_empty(), "without help: {missing:#?}");
    }
}
