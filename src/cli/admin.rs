//! `init`, `demo`, `check`, and the demo database behind `--demo`.

use anyhow::{bail, Result};
use clap::Args;

use super::backup_keys::{self, EncryptArgs, KeyArgs};
use super::{print_json, progress_bar, Context};
use crate::demo::DemoSpec;
use crate::store::{Actor, CheckReport, Encrypted, Permission, Role, Store, SCHEMA_VERSION};
use crate::text::counted;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Your display name (default: your login).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many customers to generate.
    #[arg(long, default_value_t = 20_000)]
    pub customers: u64,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Add demo data to a database that already holds customers.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write (never an existing file). Its audit witness is written
    /// beside it as FILE-audit (keep the two together), or inside it when it is encrypted.
    pub file: std::path::PathBuf,
    /// Stamp the file name with the time (careline-20261126-221500.db) and keep only the
    /// newest N such backups beside it: for cron.
    #[arg(long, value_name = "N")]
    pub keep: Option<usize>,
    /// Print what was written as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub encrypt: EncryptArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (with its FILE-audit witness beside it, or an encrypted backup).
    pub file: std::path::PathBuf,
    /// Restore even though other processes have the database open (only when they are
    /// known to be gone: their later writes would be lost).
    #[arg(long)]
    pub force: bool,
    /// Do not ask (for scripts).
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub key: KeyArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Check this backup file instead of the database (an encrypted one with --identity or
    /// its passphrase); the database is not opened.
    #[arg(long, value_name = "FILE")]
    pub backup: Option<std::path::PathBuf>,
    /// First make the contacts' daily sums the reports read again from the interaction log
    /// (admins; audited), when a check found them differing.
    #[arg(long, conflicts_with = "backup")]
    pub recount: bool,
    #[command(flatten)]
    pub key: KeyArgs,
}

pub fn init(ctx: &Context, args: InitArgs) -> Result<()> {
    let login = Context::login()?;
    let mut store = Store::open(&ctx.db_path, ctx.open_options(true))?;
    let name = args.name.unwrap_or_else(|| login.clone());
    store.init_admin(&login, &name)?;
    println!(
        "Created {} with {login} as its first admin.\nAdd operators with `{} operator add LOGIN --name NAME --role operator`.",
        ctx.db_path.display(),
        crate::program::name()
    );
    Ok(())
}

/// Operators the demo data is spread over, besides the person running it.
const DEMO_OPERATORS: &[(&str, &str, Role)] = &[
    ("li.na", "李娜", Role::Operator),
    ("zhang.wei", "张伟", Role::Operator),
    ("wang.fang", "王芳", Role::Operator),
    ("chen.jie", "陈杰", Role::Supervisor),
    ("amy.lee", "Amy Lee", Role::Operator),
];

fn fill(store: &mut Store, actor: &Actor, spec: DemoSpec, force: bool) -> Result<()> {
    if actor.may(Permission::AddOperator) {
        for (login, name, role) in DEMO_OPERATORS {
            if store.operator_by_login(login)?.is_none() {
                store.add_operator(actor, login, name, *role)?;
            }
        }
    }
    let bar = progress_bar(spec.customers, "generating customers");
    let started = std::time::Instant::now();
    let counts = crate::demo::generate(store, actor, spec, force, &|n| bar.set_position(n))?;
    bar.finish_and_clear();
    eprintln!(
        "Generated {}, {}, {}, {}, {} in {:.1} s.",
        counted(counts.customers, "customer", "customers"),
        counted(counts.contacts, "contact", "contacts"),
        counted(counts.purchases, "purchase", "purchases"),
        counted(counts.interactions, "interaction", "interactions"),
        counted(counts.complaints, "complaint", "complaints"),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn demo(ctx: &Context, args: DemoArgs) -> Result<()> {
    if args.customers == 0 {
        bail!("--customers must be at least 1");
    }
    let (mut store, actor) = if ctx.demo {
        ctx.open()?
    } else {
        open_or_create(ctx)?
    };
    store.require(&actor, Permission::GenerateDemo)?;
    fill(
        &mut store,
        &actor,
        DemoSpec {
            customers: args.customers,
            seed: args.seed,
        },
        args.force,
    )
}

/// Opens the database for `demo`, creating it first when there is none, with you as its
/// first admin as `init` would: filling a new file should not need a command before it.
fn open_or_create(ctx: &Context) -> Result<(Store, Actor)> {
    let login = Context::login()?;
    let mut store = Store::open(&ctx.db_path, ctx.open_options(true))?;
    if store.operators()?.is_empty() {
        store.init_admin(&login, &login)?;
        eprintln!(
            "Created {} with {login} as its first admin.",
            ctx.db_path.display()
        );
    }
    let actor = store.actor(&login, ctx.as_login.as_deref())?;
    Ok((store, actor))
}

/// Customers in the demo database made on first use of `--demo`.
const FIRST_DEMO_CUSTOMERS: u64 = 20_000;

/// Opens the demo database, creating it (you as its admin) and filling it on first use.
pub fn open_demo(ctx: &Context) -> Result<(Store, Actor)> {
    let login = Context::login()?;
    let mut store = Store::open(&ctx.db_path, ctx.open_options(true))?;
    if store.operator_by_login(&login)?.is_none() && store.operators()?.is_empty() {
        store.init_admin(&login, &login)?;
    }
    let actor = store.actor(&login, ctx.as_login.as_deref())?;
    let empty = !store.has_customers()?;
    if empty {
        eprintln!("Creating the demo database {} …", ctx.db_path.display());
        fill(
            &mut store,
            &actor,
            DemoSpec {
                customers: FIRST_DEMO_CUSTOMERS,
                seed: 1,
            },
            false,
        )?;
    }
    Ok((store, actor))
}

pub fn check(ctx: &Context, args: CheckArgs) -> Result<()> {
    if let Some(backup) = &args.backup {
        return check_backup(backup, &args);
    }
    if !args.key.identities.is_empty() || args.key.passphrase_file.is_some() {
        bail!(
            "--identity and --passphrase-file open an encrypted backup: give it with --backup FILE"
        );
    }
    let (mut store, actor) = ctx.open()?;
    store.require(&actor, Permission::CheckDatabase)?;
    if args.recount {
        let wrong = store.recount_report_sums(&actor)?;
        eprintln!(
            "Recounted the sums the reports read (contacts, points, reminders due) from the log, the ledger and the reminders: {} wrong before.",
            counted(wrong as u64, "row was", "rows were")
        );
    }
    let report = store.check()?;
    if args.json {
        print_json(&report)?;
    } else {
        println!("database      {}", ctx.db_path.display());
        print_report(&report);
    }
    if !report.ok() {
        bail!("the database failed its check");
    }
    Ok(())
}

/// `careline check --backup FILE`: the backup alone, decrypted first when it is encrypted.
fn check_backup(backup: &std::path::Path, args: &CheckArgs) -> Result<()> {
    let key = backup_keys::key_for(backup, &args.key)?;
    let (report, encrypted) = crate::store::check_backup(backup, key.as_ref())?;
    if args.json {
        print_json(
            &serde_json::json!({ "backup": backup, "encrypted": encrypted, "report": report }),
        )?;
    } else {
        println!("backup        {}", backup.display());
        println!(
            "encrypted     {}",
            match encrypted {
                None => "no",
                Some(Encrypted::Recipients) => "yes, to age recipients (opened)",
                Some(Encrypted::Passphrase) => "yes, with a passphrase (opened)",
            }
        );
        print_report(&report);
    }
    if !report.ok() {
        bail!("the backup {} failed its check", backup.display());
    }
    Ok(())
}

/// The lines of a check's report after the file's.
fn print_report(report: &CheckReport) {
    {
        println!(
            "schema        version {} (this careline writes {SCHEMA_VERSION})",
            report.schema_version
        );
        println!("integrity     {}", report.integrity.join("; "));
        println!(
            "foreign keys  {}",
            if report.foreign_key_problems == 0 {
                "ok".to_string()
            } else {
                counted(report.foreign_key_problems, "problem", "problems")
            }
        );
        let audit = &report.audit;
        match &audit.broken_at {
            None if audit.erased_details > 0 => println!(
                "audit chain   ok ({}; the detail of {} removed by erasures)",
                counted(audit.entries, "entry", "entries"),
                audit.erased_details
            ),
            None => println!(
                "audit chain   ok ({})",
                counted(audit.entries, "entry", "entries")
            ),
            Some((id, why)) => println!("audit chain   BROKEN at entry {id}: {why}"),
        }
        match (&audit.witness_problem, audit.witnessed_entry) {
            (Some(problem), _) => println!("audit witness FAILED: {problem}"),
            (None, Some(entry)) => println!("audit witness ok (entry {entry})"),
            (None, None) => println!("audit witness ok (no entries yet)"),
        }
        if audit.protection.is_empty() {
            println!("append-only   ok (the audit log's triggers are as careline made them)");
        } else {
            println!("append-only   FAILED: {}", audit.protection.join("; "));
        }
        if report.report_sums.is_empty() {
            println!("report sums   ok (the sums of contacts, points and reminders the reports read equal a recount)");
        } else {
            println!("report sums   FAILED: {}", report.report_sums.join("; "));
        }
        if report.points.is_empty() {
            println!("points        ok (every customer's points equal the sum of their ledger)");
        } else {
            println!("points        FAILED: {}", report.points.join("; "));
        }
    }
}

pub fn backup(ctx: &Context, args: BackupArgs) -> Result<()> {
    if args.keep == Some(0) {
        bail!("--keep must be at least 1");
    }
    let (mut store, actor) = ctx.open()?;
    // Refused before anything is asked or read when the asker may not back up.
    store.require(&actor, Permission::BackUp)?;
    let encryption = backup_keys::encryption(&args.encrypt)?;
    let started = std::time::Instant::now();
    let made = store.backup(&actor, &args.file, args.keep, encryption.as_ref())?;
    if args.json {
        return print_json(&made);
    }
    let kept = match (&made.witness, made.encrypted) {
        (Some(witness), _) => format!("with its witness {}", witness.display()),
        (None, Some(Encrypted::Passphrase)) => {
            "encrypted with the passphrase, its audit witness inside".to_string()
        }
        (None, _) => format!(
            "encrypted to {} age recipient{}, its audit witness inside",
            made.recipients,
            if made.recipients == 1 { "" } else { "s" }
        ),
    };
    println!(
        "Backed up {} to {} ({:.1} MB, {}, {}) in {:.1} s; checked, {kept}.",
        ctx.db_path.display(),
        made.file.display(),
        made.bytes as f64 / 1_048_576.0,
        counted(made.customers, "customer", "customers"),
        counted(made.audit_entries, "audit entry", "audit entries"),
        started.elapsed().as_secs_f64(),
    );
    for old in &made.removed {
        println!("Removed the older backup {}.", old.display());
    }
    Ok(())
}

pub fn restore(ctx: &Context, args: RestoreArgs) -> Result<()> {
    if ctx.as_login.is_some() {
        bail!("--as: a restore is done by an admin of the backup as themselves");
    }
    if ctx.demo {
        bail!("--demo: restore a backup over a database of your own (--db PATH)");
    }
    let login = Context::login()?;
    let key = backup_keys::key_for(&args.file, &args.key)?;
    if !args.yes {
        use std::io::IsTerminal as _;
        if !std::io::stdin().is_terminal() {
            bail!(
                "a restore replaces the whole database: add --yes to restore without being asked"
            );
        }
        eprint!(
            "Replace {} with the backup {}? The database replaced is kept beside it. Type yes to restore: ",
            ctx.db_path.display(),
            args.file.display()
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            bail!("not restored");
        }
    }
    let done = crate::store::restore(
        &args.file,
        &ctx.db_path,
        &login,
        args.force,
        key.as_ref(),
        ctx.open_options(false),
    )?;
    println!(
        "Restored {} from {} ({}{}, checked).",
        done.database.display(),
        done.from.display(),
        if done.encrypted.is_some() {
            "decrypted, "
        } else {
            ""
        },
        counted(done.audit_entries, "audit entry", "audit entries")
    );
    if let Some(kept) = &done.replaced_kept_as {
        println!("The database it replaced is kept as {}.", kept.display());
    }
    if let Some(overrode) = done.overrode.as_ref().filter(|o| !o.processes.is_empty()) {
        let which: Vec<String> = overrode
            .processes
            .iter()
            .map(|p| format!("{} (pid {})", p.command, p.pid))
            .collect();
        println!(
            "--force: {} had the database open; a careline among them refuses to save from now on (quit it and start careline again).",
            which.join(", ")
        );
    }
    Ok(())
}
