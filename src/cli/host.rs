//! `careline host setup`, and careline's start on a shared host: where the database and the
//! rules come from when careline runs as the installed setgid-group program (docs/SECURITY.md).

use std::io::Write as _;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Args, Subcommand};

use super::{Cli, Command, Context};
use crate::config::{os_login, Config, Paths};
use crate::host::{self, HostPaths};
use crate::program;
use crate::store::{OpenOptions, Store};

#[derive(Debug, Subcommand)]
pub enum HostCommand {
    /// Set careline up for many SSH operators on this host, or repair it (root only; safe to
    /// run again): the group, the database's folder and files, the host's config, the log,
    /// and careline installed as a setgid-group program. Takes the database from --db.
    Setup(SetupArgs),
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The group that owns the database; created when missing. Operators must NOT be members.
    #[arg(long, value_name = "NAME")]
    pub group: String,
    /// Where to install careline (the config then goes to /etc/careline, or PREFIX/etc/careline
    /// for PREFIX/bin/careline). Default: where setup installed it before (recorded beside
    /// the host's config), else this careline when it is the installed one, else
    /// /usr/local/bin/careline.
    #[arg(long, value_name = "PATH")]
    pub bin: Option<PathBuf>,
    /// The database's first admin (default: the user who ran sudo, else you).
    #[arg(long, value_name = "LOGIN")]
    pub admin: Option<String>,
}

pub fn run(cli: &Cli, command: &HostCommand) -> Result<()> {
    match command {
        HostCommand::Setup(args) => setup(cli, args),
    }
}

/// The environment variables a user could set to move careline's database, its log, or
/// SQLite's temporary files: a privileged careline drops them before reading its command line.
const REDIRECTING: &[&str] = &["CARELINE_DB", "CARELINE_LOG", "SQLITE_TMPDIR", "TMPDIR"];

/// On a shared host, forgets the environment variables that could redirect careline, saying
/// so for careline's own. Call first thing, while the process has one thread.
pub fn ignore_user_environment() {
    let config = HostPaths::of_this_binary()
        .map(|h| h.config.display().to_string())
        .unwrap_or_else(|_| "the host's config".into());
    for name in REDIRECTING {
        if std::env::var_os(name).is_some() {
            if name.starts_with("CARELINE_") {
                let _ = writeln!(
                    std::io::stderr(),
                    "careline: warning: {name} is ignored: on this host careline uses the database and settings the administrator set in {config}"
                );
            }
            std::env::remove_var(name);
        }
    }
    // A time zone named by a file (TZ=/path, or ../ out of the zone folder) would be read with
    // the group's rights; the centre's zone is `[complaints] time_zone` in the host's config.
    if let Some(tz) = std::env::var_os("TZ") {
        let tz = tz.to_string_lossy();
        if tz.contains("..") || tz.trim_start_matches(':').starts_with('/') {
            let _ = writeln!(
                std::io::stderr(),
                "careline: warning: TZ names a file and is ignored on this host; the administrator sets the centre's time zone in {config}"
            );
            std::env::remove_var("TZ");
        }
    }
}

/// The options a shared host refuses (`context`): they name another database or config, or
/// accept a network file system, which only the administrator decides there.
const REFUSED_OPTIONS: &[&str] = &["db", "config", "demo", "allow_network_fs"];

/// The commands a shared host refuses (`refuse_on_host`).
const REFUSED_COMMANDS: &[&str] = &["init", "demo", "bench"];

/// The help of careline on a shared host: the options and commands refused there are hidden
/// (given anyway, they are refused with the reason), and the help says where the database and
/// settings come from. `host setup`, root's, keeps its `--db`.
pub fn shared_host_help(command: clap::Command) -> clap::Command {
    let config = HostPaths::of_this_binary()
        .map(|h| h.config.display().to_string())
        .unwrap_or_else(|_| "the host's config".into());
    // `host setup` takes the database from --db: it gets a shown copy of its own, which the
    // hidden global one is then not copied over (its value still reaches the top, global).
    let db = command
        .get_arguments()
        .find(|arg| arg.get_id() == "db")
        .cloned()
        .map(|arg| {
            arg.hide(false)
                .hide_env(true)
                .help("The database file to set up or repair, e.g. /var/lib/careline/careline.db")
        });
    let mut command = REFUSED_OPTIONS
        .iter()
        .fold(command, |command, option| {
            command.mut_arg(*option, |arg| arg.hide(true))
        })
        .after_help(format!(
            "On this host careline uses the database and settings the administrator set in {config}; your own careline.toml gives only [ui] and [keys]."
        ));
    for name in REFUSED_COMMANDS {
        command = command.mut_subcommand(*name, |c| c.hide(true));
    }
    match db {
        Some(db) => command.mut_subcommand("host", |host| {
            host.mut_subcommand("setup", |setup| setup.arg(db))
        }),
        None => command,
    }
}

/// Commands that make or fill a database of their own, refused on a shared host.
fn refuse_on_host(command: &Option<Command>) -> Result<()> {
    let why = match command {
        Some(Command::Init(_)) => {
            bail!(
                "init: on this host the database is created by `{}`, run by root",
                program::setup_command(None, None)
            )
        }
        Some(Command::Demo(_)) => {
            "demo: on this host careline works on the real database only; try the demo on a desk of your own"
        }
        Some(Command::Bench(_)) => {
            "bench: measures careline on a database of your own, not on this host's"
        }
        _ => return Ok(()),
    };
    bail!("{why}")
}

/// The context of a careline running as the installed setgid-group program: the database
/// and every rule from the host's config (trusted only when root's alone), the operator's own
/// config for [ui] and [keys] only, read with the operator's rights, and no option that
/// names another database or config.
pub fn context(cli: &Cli) -> Result<Context> {
    let host = HostPaths::of_this_binary().context("cannot tell where careline is installed")?;
    let config_path = host.config.display().to_string();
    let set_by_admin =
        format!("on this host careline uses the database the administrator set in {config_path}");
    for (option, given) in [
        ("--db", cli.db.is_some()),
        ("--config", cli.config.is_some()),
        ("--demo", cli.demo),
    ] {
        if given {
            bail!("{option}: {set_by_admin}; leave {option} out");
        }
    }
    if cli.allow_network_fs {
        bail!(
            "--allow-network-fs: on this host only the administrator accepts a network file system (allow_network_fs = true under [database] in {config_path}); leave it out"
        );
    }
    refuse_on_host(&cli.command)?;
    let group = host::effective_group_name();
    if let Some(problem) = host::untrusted(&host.config) {
        bail!(
            "{problem}: {set_by_admin}, and trusts it only when root owns it and its folders and no one else may write them; the administrator repairs it with `{}`",
            program::setup_command(None, Some(&group))
        );
    }
    let (mut config, warnings) = Config::load(&host.config);
    let paths = Paths::discover();
    let personal = personal_preferences(&paths.config_file(), &host.config, &mut config);
    for warning in warnings.into_iter().chain(personal) {
        tracing::warn!("{warning}");
        eprintln!("careline: warning: {warning}");
    }
    let db_path = config
        .database
        .path
        .clone()
        .filter(|p| p.is_absolute())
        .ok_or_else(|| {
            anyhow!(
                "{config_path}: [database] path does not name a database by its full path; the administrator sets it with `{}`",
                program::setup_command(None, Some(&group))
            )
        })?;
    database_files_ready(
        &db_path,
        Duration::from_millis(config.database.busy_timeout_ms),
    )?;
    if host::user_in_group() {
        // The real user's own login: the command the administrator can run as it is.
        let login = os_login().unwrap_or_else(|| "LOGIN".to_string());
        let warning = format!(
            "you are a member of the group {group}, so you can open the database without careline and its roles; the administrator removes you with `gpasswd -d {login} {group}`",
            group = host::effective_group_name(),
        );
        tracing::warn!("{warning}");
        eprintln!("careline: warning: {warning}");
    }
    Ok(Context {
        paths,
        allow_network_fs: config.database.allow_network_fs,
        config,
        db_path,
        as_login: cli.as_login.clone(),
        demo: false,
        config_file: None,
    })
}

/// Refuses the database on a shared host unless its folder and files are as `host setup` left
/// them, saying what is wrong: a file missing, or one of the wrong kind, owner, group or mode.
/// A side file (`-wal`, `-shm`, `-writers`) that a program other than careline removed
/// (`sqlite3` removes `-wal` and `-shm` when it closes the database last) is made again when
/// root runs careline, as `host setup` makes it: root's and the group's, 0660. Files a
/// restore is swapping at that moment are not missing: the look waits for the swap, at most
/// `patience`.
fn database_files_ready(db: &Path, patience: Duration) -> Result<()> {
    let _opening = crate::store::Opening::wait(db, patience);
    let group = host::effective_group_name();
    let repair = format!(
        "the administrator repairs it with `{}`",
        program::setup_command(Some(db), Some(&group))
    );
    // SAFETY: getuid and getegid cannot fail.
    let (root, gid) = unsafe { (libc::getuid() == 0, libc::getegid()) };
    match host::unsafe_database_files(db) {
        None => Ok(()),
        Some(problem) if root && problem.missing_side_file(db) => {
            let made = host::make_side_files(db, 0, gid).with_context(|| {
                format!("cannot make the database's side files again; {repair}")
            })?;
            for file in made {
                let warning = format!(
                    "{} was missing (a program other than careline, such as sqlite3, removes it when it closes the database); made again, root:{group} 0660",
                    file.display()
                );
                tracing::warn!("{warning}");
                eprintln!("careline: warning: {warning}");
            }
            match host::unsafe_database_files(db) {
                None => Ok(()),
                Some(problem) => refuse_files(db, &problem, &group, &repair),
            }
        }
        Some(problem) => refuse_files(db, &problem, &group, &repair),
    }
}

/// The refusal of a database whose files are not as they must be on a shared host.
fn refuse_files(db: &Path, problem: &host::FileProblem, group: &str, repair: &str) -> Result<()> {
    match problem {
        host::FileProblem::Missing(path) if path == db => bail!(
            "{problem}: the host's config names it as the database; the administrator restores it from a backup (`sudo {} restore BACKUP`) or makes a new one with `{}`",
            program::for_root(),
            program::setup_command(Some(db), Some(group))
        ),
        host::FileProblem::Missing(_) if problem.missing_side_file(db) => bail!(
            "{problem} (a program other than careline, such as sqlite3, removes it when it closes the database), and careline may not make it as yours; {repair}"
        ),
        host::FileProblem::Missing(_) => bail!("{problem}; {repair}"),
        host::FileProblem::Unsafe(_) => bail!(
            "{problem}: on this host the database's folder and files are root's and careline's group's alone (files root:{group} 0660); {repair}"
        ),
    }
}

/// Takes [ui] (theme, language) and [keys] from the operator's own config file at `path`,
/// read with the operator's own rights; every other setting is the administrator's and is
/// ignored, one warning a setting. Returns the warnings.
fn personal_preferences(path: &Path, host_config: &Path, config: &mut Config) -> Vec<String> {
    let own = host::own_config(path, host_config);
    if own.ui.theme.is_some() {
        config.ui.theme = own.ui.theme;
    }
    if own.ui.language.is_some() {
        config.ui.language = own.ui.language;
    }
    config.keys.extend(own.keys);
    own.ignored
        .iter()
        .map(ToString::to_string)
        .chain(own.problem)
        .collect()
}

/// What `host setup` works on, checked before anything is changed.
struct Plan {
    db: PathBuf,
    group: String,
    bin: PathBuf,
    /// How `bin` was chosen when `--bin` was not given: a line to say.
    bin_chosen: Option<String>,
    /// Where setup installed careline before, when that is not `bin` and is still there.
    installed_before: Option<PathBuf>,
    admin: String,
    host: HostPaths,
    /// The host's config as it is, when there is one.
    existing: Option<Config>,
    /// A database on a network file system is accepted (`--allow-network-fs`, or the host's
    /// config).
    allow_network_fs: bool,
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir()
        .context("cannot tell the current folder")?
        .join(path))
}

fn valid_group(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && name.len() <= 32
}

/// Where `host setup` installs careline when `--bin` is not given.
const DEFAULT_BIN: &str = "/usr/local/bin/careline";

/// Where to install careline: `--bin`; else where setup installed it before, as recorded
/// beside the host's config (the config of this careline's own place first, then the
/// default's); else the installed careline running this setup; else [`DEFAULT_BIN`]. With a
/// line saying how, when `--bin` was not given.
fn where_to_install(given: Option<&Path>) -> Result<(PathBuf, Option<String>)> {
    if let Some(bin) = given {
        return Ok((absolute(bin)?, None));
    }
    let running = std::env::current_exe().ok();
    let mut places: Vec<HostPaths> = running.iter().map(|r| HostPaths::for_binary(r)).collect();
    let default = HostPaths::for_binary(Path::new(DEFAULT_BIN));
    if !places.contains(&default) {
        places.push(default);
    }
    for host in &places {
        match host.recorded_bin() {
            Ok(Some(bin)) => {
                let said = format!(
                    "--bin not given: installing at {} again, where setup installed careline before (recorded in {})",
                    bin.display(),
                    host.installed_record().display()
                );
                return Ok((bin, Some(said)));
            }
            Ok(None) => {}
            Err(why) => bail!(
                "--bin: {why}, so setup cannot tell where it installed careline before; name the installed program with --bin PATH"
            ),
        }
    }
    if let Some(installed) = program::installed() {
        let said = format!(
            "--bin not given: installing at {}, the installed careline running this setup",
            installed.display()
        );
        return Ok((installed.to_path_buf(), Some(said)));
    }
    Ok((PathBuf::from(DEFAULT_BIN), None))
}

fn plan(cli: &Cli, args: &SetupArgs) -> Result<Plan> {
    let db = cli.db.as_deref().ok_or_else(|| {
        anyhow!("--db: name the database file, e.g. `--db /var/lib/careline/careline.db`")
    })?;
    let db = absolute(db)?;
    if db.file_name().is_none() || db.is_dir() {
        bail!(
            "--db: {} is a folder; name the database file in it, e.g. {}/careline.db",
            db.display(),
            db.display()
        );
    }
    if db.to_str().is_none() {
        bail!("--db: {} is not UTF-8; choose a plain path", db.display());
    }
    if !valid_group(&args.group) {
        bail!(
            "--group: '{}' is not a group name; use lower-case letters, digits, '_' or '-', e.g. careline",
            args.group
        );
    }
    let (bin, bin_chosen) = where_to_install(args.bin.as_deref())?;
    if bin.is_dir() || bin.file_name().is_none() {
        bail!(
            "--bin: {} is a folder; name the program, e.g. {}/careline",
            bin.display(),
            bin.display()
        );
    }
    let admin = match &args.admin {
        Some(login) => login.clone(),
        None => std::env::var("SUDO_USER")
            .ok()
            .filter(|l| !l.is_empty())
            .or_else(os_login)
            .ok_or_else(|| anyhow!("--admin: name the database's first admin (a login)"))?,
    };
    if host::user_by_login(&admin)?.is_none() {
        bail!("--admin: there is no user '{admin}' on this host; create the account first (useradd {admin}) or name another");
    }
    let host = HostPaths::for_binary(&bin);
    // Installed elsewhere before: that copy is left as it was, and said so.
    let installed_before = host
        .recorded_bin()
        .ok()
        .flatten()
        .filter(|before| !same_file(before, &bin) && before.exists());
    let existing = match std::fs::symlink_metadata(&host.config) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => bail!("{}: {e}", host.config.display()),
        Ok(meta) if !meta.is_file() => bail!(
            "{} is not a regular file; move it away and run `{} host setup` again",
            host.config.display(),
            program::name()
        ),
        Ok(_) => {
            let (config, warnings) = Config::load(&host.config);
            for w in warnings {
                eprintln!("careline: warning: {w}");
            }
            match &config.database.path {
                Some(path) if same_file(path, &db) => {}
                Some(path) => bail!(
                    "{} names the database {}, not {}: run setup with --db {}, or change [database] path there first",
                    host.config.display(),
                    path.display(),
                    db.display(),
                    path.display()
                ),
                None => bail!(
                    "{} names no database: add `path = \"{}\"` under [database] there, or move the file away, and run setup again",
                    host.config.display(),
                    db.display()
                ),
            }
            Some(config)
        }
    };
    let configured = existing
        .as_ref()
        .is_some_and(|c| c.database.allow_network_fs);
    if cli.allow_network_fs && existing.is_some() && !configured {
        bail!(
            "--allow-network-fs: {} does not accept a network file system, so operators' careline would refuse the database; write `allow_network_fs = true` under [database] there first",
            host.config.display()
        );
    }
    Ok(Plan {
        db,
        group: args.group.clone(),
        bin,
        bin_chosen,
        installed_before,
        admin,
        host,
        allow_network_fs: cli.allow_network_fs || configured,
        existing,
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn setup(cli: &Cli, args: &SetupArgs) -> Result<()> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        bail!(
            "host setup: run it as root (sudo {} host setup …): it creates a group, the database's folder and installs careline",
            program::name()
        );
    }
    host::set_setting_up();
    let plan = plan(cli, args)?;
    if plan.existing.is_some() || plan.db.exists() {
        println!("Setting careline up for operators on this host (set up before: what is right is kept, what is off repaired, the data kept):");
    } else {
        println!("Setting careline up for operators on this host:");
    }
    if let Some(said) = &plan.bin_chosen {
        println!("  {said}");
    }
    let gid = group(&plan.group)?;
    database_folder(&plan, gid)?;
    let admins = database(&plan, gid, args.admin.as_deref())?;
    log_folder(&plan, gid)?;
    install(&plan, gid)?;
    host_config(&plan)?;
    record_installed(&plan)?;
    if let Some(problem) = host::untrusted(&plan.host.config) {
        bail!(
            "{problem}: careline will not trust its config so; make the folders above it root's and closed to others, then run setup again"
        );
    }
    let listed = host::group_by_name(&plan.group)?
        .map(|(_, members)| members)
        .unwrap_or_default();
    let primary = host::primary_members(gid);
    if !listed.is_empty() || !primary.is_empty() {
        // Each removal as a command to run: `gpasswd -d` for a member listed in the group,
        // another primary group for an account whose own group it is.
        let remove: Vec<String> = listed
            .iter()
            .map(|login| format!("gpasswd -d {login} {}", plan.group))
            .chain(
                primary
                    .iter()
                    .map(|login| format!("usermod -g OTHER_GROUP {login}")),
            )
            .collect();
        let mut members = listed.clone();
        members.extend(primary.iter().filter(|p| !listed.contains(p)).cloned());
        println!(
            "  WARNING: {} in the group {}: they can open the database without careline and bypass every role; remove them ({})",
            members.join(", "),
            plan.group,
            remove.join("; ")
        );
    }
    let add = format!(
        "{} operator add LOGIN --name NAME --role operator",
        plan.bin.display()
    );
    match admins {
        Admins::Made(first) => println!(
            "\nDone. Operators run {} as themselves over SSH; do NOT add them to the group {}.\n\
             Next: as {first} (the first admin), add each operator's login:\n  {add}\n\
             Run this setup again after installing a newer careline, or to repair owners and modes.",
            plan.bin.display(),
            plan.group,
        ),
        Admins::Found(admins) => println!(
            "\nDone: careline was set up here before; the lines above say what was found, kept and repaired.\n\
             Operators run {} as themselves over SSH; do NOT add them to the group {}.\n\
             {}\n  {add}\n\
             Run this setup again after installing a newer careline, or to repair owners and modes.",
            plan.bin.display(),
            plan.group,
            match admins.as_slice() {
                [] => "The database has no active admin (careline always keeps one: was it changed without careline?); an admin adds operators with:".to_string(),
                [one] => format!("Its admin, {one}, adds operators with:"),
                many => format!("Its admins ({}) add operators with:", many.join(", ")),
            },
        ),
    }
    Ok(())
}

/// Who administers the database setup worked on.
enum Admins {
    /// It had no operators: setup made this login its first admin.
    Made(String),
    /// It had operators: its active admins, found and kept.
    Found(Vec<String>),
}

/// What setup found a file or folder as.
enum Found {
    /// Not there: setup made it.
    Made,
    /// There, with the owner, group and mode it should have.
    Kept,
    /// There otherwise (how, "li:careline 0666"): setup gave it the right ones.
    Repaired(String),
}

impl Found {
    /// The start of a report line: "created", "found and kept", "found as li:careline 0666,
    /// repaired".
    fn said(&self) -> String {
        match self {
            Found::Made => "created".into(),
            Found::Kept => "found and kept".into(),
            Found::Repaired(was) => format!("found as {was}, repaired"),
        }
    }
}

/// A file's or folder's owner, group and mode as they are: "root:careline 2770".
fn owner_and_mode(meta: &std::fs::Metadata) -> String {
    format!(
        "{}:{} {:04o}",
        host::user_name(meta.uid()),
        host::group_name(meta.gid()),
        meta.mode() & 0o7777
    )
}

/// Gives `path` root's ownership, the group `gid` and `mode`, saying whether it had them
/// (`made`: setup has just made it).
fn settle(path: &Path, gid: u32, mode: u32, made: bool) -> Result<Found> {
    let before = std::fs::symlink_metadata(path).with_context(|| format!("{}", path.display()))?;
    if host::is_set(path, 0, gid, mode) {
        return Ok(if made { Found::Made } else { Found::Kept });
    }
    host::set_owner_and_mode(path, 0, gid, mode)
        .with_context(|| format!("cannot set the owner and mode of {}", path.display()))?;
    Ok(if made {
        Found::Made
    } else {
        Found::Repaired(owner_and_mode(&before))
    })
}

fn group(name: &str) -> Result<u32> {
    if let Some((gid, _)) = host::group_by_name(name)? {
        println!("  group {name}: found ({gid}) and kept");
        return Ok(gid);
    }
    let status = std::process::Command::new("groupadd")
        .args(["--system", name])
        .status()
        .context("cannot run groupadd (is it installed and on PATH?)")?;
    if !status.success() {
        bail!("groupadd --system {name} failed ({status}); create the group yourself and run setup again");
    }
    let (gid, _) = host::group_by_name(name)?
        .ok_or_else(|| anyhow!("groupadd made no group {name}; create it yourself"))?;
    println!("  group {name}: created ({gid})");
    Ok(gid)
}

fn database_folder(plan: &Plan, gid: u32) -> Result<()> {
    let dir = plan.db.parent().unwrap_or(Path::new("/"));
    if dir == Path::new("/") {
        bail!("--db: give the database a folder of its own, e.g. /var/lib/careline/careline.db");
    }
    let name = plan.db.file_name().unwrap_or_default().as_encoded_bytes();
    let mut made = false;
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if !meta.is_dir() => bail!("{} is not a folder", dir.display()),
        Ok(meta) if meta.gid() != gid => {
            // Its mode is about to close it to everyone but the group: not a folder others use.
            let foreign = std::fs::read_dir(dir)
                .with_context(|| format!("cannot list {}", dir.display()))?
                .filter_map(|e| e.ok())
                .find(|e| !e.file_name().as_encoded_bytes().starts_with(name));
            if let Some(entry) = foreign {
                bail!(
                    "{} holds other files ({}); give the database a folder of its own, e.g. /var/lib/careline/careline.db",
                    dir.display(),
                    entry.file_name().to_string_lossy()
                );
            }
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            made = true;
        }
        Err(e) => bail!("{}: {e}", dir.display()),
    }
    let found = settle(dir, gid, 0o2770, made)?;
    println!(
        "  {}: {}; root:{} 2770 (only the group enters)",
        dir.display(),
        found.said(),
        plan.group
    );
    Ok(())
}

/// Every file of the database: a regular file (not a link), root's and the group's, 0660.
/// Returns those that were not, each with how it was.
fn database_files_closed(db: &Path, gid: u32) -> Result<Vec<(PathBuf, String)>> {
    let mut repaired = Vec::new();
    for file in host::database_files(db)? {
        let meta = match std::fs::symlink_metadata(&file) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => bail!("{}: {e}", file.display()),
        };
        if !meta.is_file() {
            bail!(
                "{} is not a regular file; move it away and run setup again",
                file.display()
            );
        }
        if let Found::Repaired(was) = settle(&file, gid, 0o660, false)? {
            repaired.push((file, was));
        }
    }
    Ok(repaired)
}

/// The database: made with `plan.admin` its first admin, or found and kept with its admins;
/// it and its files closed to all but root and the group. `asked_admin` is the `--admin`
/// given, which a database with admins already does not take.
fn database(plan: &Plan, gid: u32, asked_admin: Option<&str>) -> Result<Admins> {
    let repaired = database_files_closed(&plan.db, gid)?;
    let existed = plan.db.exists();
    // Side files a program other than careline removed (sqlite3 does when it closes the
    // database last): made again below, if opening the database does not make them first.
    let missing: Vec<PathBuf> = host::SIDE_FILES
        .iter()
        .map(|suffix| host::side_file(&plan.db, suffix))
        .filter(|file| existed && std::fs::symlink_metadata(file).is_err())
        .collect();
    let options = OpenOptions {
        create: true,
        allow_network_fs: plan.allow_network_fs,
        ..OpenOptions::default()
    };
    let mut store = Store::open(&plan.db, options)?;
    let operators = store.operators()?;
    let (admins, mut what) = if operators.is_empty() {
        store.init_admin(&plan.admin, &plan.admin)?;
        let what = if existed {
            format!(
                "found without operators: {} made its first admin",
                plan.admin
            )
        } else {
            format!("created, {} its first admin", plan.admin)
        };
        (Admins::Made(plan.admin.clone()), what)
    } else {
        let admins: Vec<String> = operators
            .iter()
            .filter(|o| o.active && o.role == crate::store::Role::Admin)
            .map(|o| o.login.clone())
            .collect();
        let what = format!(
            "found and kept, with its {} ({})",
            super::counted(operators.len(), "operator", "operators"),
            match admins.as_slice() {
                [] => "no active admin".to_string(),
                [one] => format!("admin {one}"),
                many => format!("admins {}", many.join(", ")),
            }
        );
        (Admins::Found(admins), what)
    };
    // `--admin` names the first admin of a new database; one that has admins keeps them.
    let refused_admin = match (&admins, asked_admin) {
        (Admins::Found(found), Some(asked)) if !found.iter().any(|a| a == asked) => {
            let how = match operators.iter().find(|o| o.login == asked) {
                Some(_) => format!("{} operator role {asked} admin", plan.bin.display()),
                None => format!(
                    "{} operator add {asked} --name NAME --role admin",
                    plan.bin.display()
                ),
            };
            Some(format!(
                "  --admin {asked}: not made an admin: the database has its admins already; one of them runs `{how}`"
            ))
        }
        _ => None,
    };
    // The triggers that keep the audit log append-only, as careline makes them: work on the
    // file as root with another program may have dropped or changed one.
    let root = os_login().unwrap_or_else(|| "root".to_string());
    let actor = store.operator_or_root(&root)?;
    let put_back = store.put_back_audit_protection(&actor)?;
    drop(store);
    // The files SQLite and careline would otherwise make beside it at an operator's first
    // start, owned by that operator.
    host::make_side_files(&plan.db, 0, gid).context("cannot make the database's side files")?;
    database_files_closed(&plan.db, gid)?;
    let file_name = |path: &Path| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    if !missing.is_empty() {
        what.push_str(&format!(
            "; made again: {}",
            missing
                .iter()
                .map(|p| file_name(p))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !repaired.is_empty() {
        what.push_str(&format!(
            "; repaired: {}",
            repaired
                .iter()
                .map(|(p, was)| format!("{} (was {was})", file_name(p)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    println!(
        "  {}: {what}; it and its files (-wal, -shm, -writers …) root:{} 0660",
        plan.db.display(),
        plan.group
    );
    for line in put_back {
        println!("  audit log: {line}");
    }
    if let Some(line) = refused_admin {
        println!("{line}");
    }
    Ok(admins)
}

fn log_folder(plan: &Plan, gid: u32) -> Result<()> {
    let dir = &plan.host.log_dir;
    let dir_made = !dir.exists();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir_found = settle(dir, gid, 0o2770, dir_made)?;
    let file = plan.host.log_file();
    let meta = std::fs::symlink_metadata(&file);
    if meta.as_ref().is_ok_and(|m| !m.is_file()) {
        bail!(
            "{} is not a regular file; move it away and run setup again",
            file.display()
        );
    }
    let file_made = meta.is_err();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o660)
        .open(&file)
        .with_context(|| format!("cannot create {}", file.display()))?;
    let found = settle(&file, gid, 0o660, file_made)?;
    let folder = match dir_found {
        Found::Repaired(was) => format!(", its folder found as {was}, repaired"),
        Found::Made | Found::Kept => String::new(),
    };
    println!(
        "  {}: {}{folder}; root:{} 0660 (the log quotes customers; operators cannot read it)",
        file.display(),
        found.said(),
        plan.group
    );
    Ok(())
}

/// Copies this careline to `--bin` as root's, the group's, setgid: under a temporary name
/// beside it first, so that the program is never seen half-written or with the wrong mode.
fn install(plan: &Plan, gid: u32) -> Result<()> {
    let running = std::env::current_exe().context("cannot tell which careline is running")?;
    let dir = plan.bin.parent().unwrap_or(Path::new("/"));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let replacing = plan.bin.exists();
    let temporary = dir.join(format!(".careline-install-{}", std::process::id()));
    let placed = std::fs::copy(&running, &temporary)
        .map_err(anyhow::Error::from)
        .and_then(|_| Ok(host::set_owner_and_mode(&temporary, 0, gid, 0o2755)?))
        .and_then(|()| Ok(std::fs::rename(&temporary, &plan.bin)?));
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&temporary);
        return Err(e.context(format!("cannot install careline as {}", plan.bin.display())));
    }
    println!(
        "  {}: {}, root:{} 2755 (setgid {}: careline alone opens the database)",
        plan.bin.display(),
        if replacing {
            "found and replaced by this careline"
        } else {
            "installed"
        },
        plan.group,
        plan.group
    );
    Ok(())
}

/// Records where careline is installed, beside the host's config (root's, 0644): setup run
/// again without `--bin` installs there again, and says so.
fn record_installed(plan: &Plan) -> Result<()> {
    let record = plan.host.installed_record();
    let dir = record.parent().unwrap_or(Path::new("/"));
    let line = format!("{}\n", plan.bin.display());
    let kept = std::fs::read_to_string(&record).is_ok_and(|t| t == line)
        && host::is_set(&record, 0, 0, 0o644);
    if !kept {
        let temporary = dir.join(format!(".installed-bin-{}", std::process::id()));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&temporary)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .and_then(|()| host::set_owner_and_mode(&temporary, 0, 0, 0o644))
            .and_then(|()| std::fs::rename(&temporary, &record));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temporary);
            bail!(
                "cannot record where careline is installed in {}: {e}",
                record.display()
            );
        }
    }
    println!(
        "  {}: {} {} (setup run again without --bin installs there; root:root 0644)",
        record.display(),
        if kept {
            "found and kept, naming"
        } else {
            "records"
        },
        plan.bin.display()
    );
    if let Some(before) = &plan.installed_before {
        println!(
            "  NOTE: careline was installed at {} before; that copy is left as it was (its old version, still setgid): remove it unless operators should go on running it",
            before.display()
        );
    }
    Ok(())
}

fn host_config(plan: &Plan) -> Result<()> {
    let path = &plan.host.config;
    let dir = path.parent().unwrap_or(Path::new("/"));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Root's and writable by root alone; how it was when it was not.
    let closed = |p: &Path| -> Result<Option<String>> {
        let meta = std::fs::symlink_metadata(p)?;
        let wanted = meta.mode() & 0o7777 & !0o022;
        if meta.uid() != 0 || meta.mode() & 0o022 != 0 {
            host::set_owner_and_mode(p, 0, meta.gid(), wanted)
                .with_context(|| format!("cannot set the owner and mode of {}", p.display()))?;
            return Ok(Some(owner_and_mode(&meta)));
        }
        Ok(None)
    };
    let folder = closed(dir)?;
    if plan.existing.is_some() {
        let mut repaired: Vec<String> = Vec::new();
        if let Some(was) = closed(path)? {
            repaired.push(format!("it was {was}"));
        }
        if let Some(was) = folder {
            repaired.push(format!("its folder was {was}"));
        }
        let repaired = if repaired.is_empty() {
            String::new()
        } else {
            format!("; repaired: {}", repaired.join(", "))
        };
        println!(
            "  {}: found and kept (it names this database){repaired}; root's, writable by root alone",
            path.display()
        );
        return Ok(());
    }
    let db = toml::Value::String(plan.db.to_string_lossy().into_owned());
    let mut text = format!(
        "# careline on this host, written by `careline host setup`. The database and every rule\n\
         # of the desk are set here, by root; an operator's own careline.toml supplies only\n\
         # [ui] and [keys]. Settings: README, \"Where things live\".\n\
         [database]\n\
         path = {db}\n\
         # Who sees customers' phones, emails and addresses in full on the card and in exports\n\
         # (operator, supervisor or admin; the roles below see them masked):\n\
         # [privacy]\n\
         # full_contacts = \"operator\"\n"
    );
    if plan.allow_network_fs {
        text.push_str("# SQLite's locking is unsafe on a network file system: accepted anyway.\nallow_network_fs = true\n");
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    host::set_owner_and_mode(path, 0, 0, 0o644)
        .with_context(|| format!("cannot set the owner and mode of {}", path.display()))?;
    println!(
        "  {}: written (the database and every rule; root:root 0644)",
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_checked() {
        assert!(valid_group("careline"));
        assert!(valid_group("_care-line2"));
        assert!(!valid_group("Care"));
        assert!(!valid_group("2care"));
        assert!(!valid_group("care line"));
        assert!(!valid_group(""));
    }

    #[test]
    fn an_operators_config_gives_only_the_look_and_keys() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("careline.toml");
        std::fs::write(
            &path,
            "[database]\npath = \"/tmp/mine.db\"\n[ui]\ntheme = \"mono\"\n[keys]\nsave = [\"f2\"]\n[lookup]\nlimit = 3\n[privacy]\nfull_contacts = \"operator\"\n",
        )
        .expect("config");
        let (mut config, _) =
            Config::parse("[privacy]\nfull_contacts = \"supervisor\"\n", "host.toml");
        let host_config = Path::new("/etc/careline/careline.toml");
        let warnings = personal_preferences(&path, host_config, &mut config);
        assert_eq!(config.ui.theme.as_deref(), Some("mono"));
        assert_eq!(config.keys.get("save"), Some(&vec!["f2".to_string()]));
        assert_eq!(config.database.path, None, "the database stays the host's");
        assert_eq!(config.lookup.limit, 20);
        assert_eq!(
            config.privacy_rules().full_contacts,
            crate::store::Role::Supervisor,
            "who sees contacts in full stays the host's"
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        for (warning, key) in
            warnings
                .iter()
                .zip(["database.path", "lookup.limit", "privacy.full_contacts"])
        {
            assert_eq!(
                *warning,
                format!(
                    "{}: {key} is ignored: on this host the administrator sets it, in /etc/careline/careline.toml (only [ui] and [keys] are yours)",
                    path.display()
                )
            );
        }
        std::fs::write(&path, "[ui]\ntheme = 3\n").expect("config");
        let warnings = personal_preferences(&path, Path::new("/etc/x"), &mut Config::default());
        assert!(warnings[0].contains("line 2"), "{warnings:?}");
    }
}
