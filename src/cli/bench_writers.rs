//! `careline bench writers`: many operators writing at once (DESIGN §7: 50 processes, no
//! error shown to any, no lost write, p99 of the write ≤ 50 ms). Each operator is a real
//! `careline` process that opens its store once and keeps it, as a running screen does; they
//! all start writing at the same moment, logging contacts and editing a few customers that
//! all of them share (an edit refused as a conflict is reloaded and saved again, as an
//! operator would). Each process times its own store calls and reports what it saved; the
//! parent merges the times and then looks every reported write up in the database.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, ChildStdin, Command as Process, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _, Result};
use chrono::{Duration as Span, Utc};
use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::bench::{figures, Figures};
use super::Context;
use crate::domain::customer::Channel;
use crate::store::{Actor, NewInteraction, Store, StoreError, WriteParts};

/// The goal of DESIGN §7 for the write itself.
pub const GOAL_P99_MS: f64 = 50.0;

/// Saves of one edit tried before the worker gives up and shows the conflict as an error.
const EDIT_ATTEMPTS: usize = 20;

/// How long the parent waits for every worker to have its store open.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, Args, Clone)]
pub struct WritersArgs {
    /// Operator processes writing at once.
    #[arg(long, default_value_t = 50)]
    pub processes: usize,
    /// Writes each process makes (contacts logged and customer edits saved, alternately).
    #[arg(long, default_value_t = 40)]
    pub writes: usize,
    /// Customers every process edits (few, so that edits of one customer collide).
    #[arg(long, default_value_t = 10)]
    pub shared_customers: usize,
    /// Customers the contacts are logged for.
    #[arg(long, default_value_t = 500)]
    pub contact_customers: usize,
    /// Mean pause between two writes of one process, in milliseconds (drawn between 0 and
    /// twice this): 1 s is fifty operators saving together, each far faster than anyone
    /// types; 0 writes back to back, a stress test.
    #[arg(long, default_value_t = 1000)]
    pub pause_ms: u64,
    /// Seed of the customers chosen and of each process's choices.
    #[arg(long, default_value_t = 17)]
    pub seed: u64,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A table of figures under `title`: samples, p50, p99 (from 100 samples up) and max.
fn print_table<'a>(title: &str, rows: impl Iterator<Item = &'a Figures>) {
    println!(
        "{:<44} {:>6} {:>8} {:>8} {:>8}",
        title, "writes", "p50 ms", "p99 ms", "max ms"
    );
    for f in rows {
        println!(
            "{:<44} {:>6} {:>8.3} {:>8} {:>8.3}",
            f.kind,
            f.samples,
            f.p50_ms,
            f.p99_text(),
            f.max_ms
        );
    }
}

/// One operator process of `bench writers` (started by it; not for people).
#[derive(Debug, Args, Clone)]
pub struct WorkerArgs {
    #[arg(long)]
    pub worker: usize,
    #[arg(long)]
    pub writes: usize,
    #[arg(long, value_delimiter = ',', required = true)]
    pub log_customers: Vec<i64>,
    #[arg(long, value_delimiter = ',', required = true)]
    pub edit_customers: Vec<i64>,
    /// Written into every summary and note, so the run's writes can be told apart.
    #[arg(long)]
    pub tag: String,
    #[arg(long, default_value_t = 0)]
    pub pause_ms: u64,
    #[arg(long, default_value_t = 17)]
    pub seed: u64,
}

/// A contact a worker was told was saved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoggedContact {
    pub id: i64,
    pub customer_id: i64,
    pub summary: String,
}

/// An edit a worker was told was saved, with the version it made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedEdit {
    pub customer_id: i64,
    pub version: i64,
    pub notes: String,
}

/// What one worker reports to the parent, as one JSON line on its standard output.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkerReport {
    pub worker: usize,
    /// Microseconds of every `log_interaction` call.
    pub log_us: Vec<u64>,
    /// Microseconds of every `edit_customer` call, saved or refused as a conflict.
    pub edit_us: Vec<u64>,
    pub logged: Vec<LoggedContact>,
    pub edits: Vec<SavedEdit>,
    /// Every error the operator would have been shown (conflicts that a reload and a second
    /// save resolved are not errors).
    pub errors: Vec<String>,
    pub conflicts: usize,
    pub busy_retries: u64,
    /// Where the time of every timed store call went, in the order the calls were made.
    #[serde(default)]
    pub parts: Vec<PartsUs>,
    /// Checkpoints this process ran off the write path, in microseconds.
    #[serde(default)]
    pub checkpoint_us: Vec<u64>,
    /// How long each merge step of the name index its upkeep thread ran took, in µs.
    #[serde(default)]
    pub merge_step_us: Vec<u64>,
    /// CPU time this process used, user and system, in microseconds.
    #[serde(default)]
    pub cpu_us: u64,
}

/// The parts of one store call, in microseconds (see [`WriteParts`]).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct PartsUs {
    pub total: u64,
    pub turn: u64,
    pub begin: u64,
    pub statements: u64,
    pub commit: u64,
    /// The checkpoint inside the commit, when one ran there (part of `commit`).
    pub checkpoint_in_commit: Option<u64>,
    pub without_turn: u32,
    /// Pages the write put into the write-ahead log.
    #[serde(default)]
    pub pages: u64,
}

impl PartsUs {
    fn of(total: Duration, parts: WriteParts) -> PartsUs {
        let us = |d: Duration| d.as_micros() as u64;
        PartsUs {
            total: us(total),
            turn: us(parts.turn),
            begin: us(parts.begin),
            statements: us(parts.statements),
            commit: us(parts.commit),
            checkpoint_in_commit: parts.checkpoint_in_commit.map(us),
            without_turn: parts.without_turn,
            pages: parts.pages_written,
        }
    }
}

/// Where the time of the writes went.
#[derive(Debug, Default, Serialize)]
pub struct Breakdown {
    /// Each part of every write (turn, begin, statements, commit), and the checkpoints that
    /// ran inside a commit.
    pub parts: Vec<Figures>,
    /// The slowest 1 % of writes (at or above the p99 of the whole): how many, and the mean
    /// of each part among them, in milliseconds, in the order of `parts`' first four.
    pub slowest_writes: usize,
    pub slowest_mean_ms: Vec<(String, f64)>,
    /// Writes whose commit ran a checkpoint.
    pub checkpoints_in_commit: usize,
    /// Writes that went without a turn (patience ran out) at least once.
    pub writes_without_turn: usize,
    /// Pages one write put into the write-ahead log: the most any write did, how long that
    /// write's COMMIT took, and the mean among the slowest 1 %. A few dozen is an edit; thousands
    /// is a write whose full-text index merged its segments (rewriting most of the index).
    pub most_pages_written: u64,
    pub most_pages_commit_ms: f64,
    pub slowest_mean_pages: f64,
    /// Checkpoints run off the write path, by every process.
    pub checkpoints_off_write_path: Option<Figures>,
    /// Merge steps of the name index run off the write path, by every process.
    pub merges_off_write_path: Option<Figures>,
    /// CPU the worker processes used, summed, in seconds.
    pub worker_cpu_seconds: f64,
}

/// What the parent found when it looked every reported write up.
#[derive(Debug, Default, Serialize)]
pub struct LostWriteCheck {
    /// Contacts the workers were told were saved.
    pub contacts_reported: usize,
    /// Of those, found with their customer, operator and summary as written.
    pub contacts_found: usize,
    /// Reported but not in the database.
    pub contacts_missing: usize,
    /// In the database but with another customer, operator or summary.
    pub contacts_altered: usize,
    /// One id reported to two workers.
    pub contacts_duplicate_ids: usize,
    /// Edits the workers were told were saved.
    pub edits_reported: usize,
    /// Versions each shared customer went up by during the run, summed: one per saved edit
    /// when nothing was lost.
    pub edit_versions_made: i64,
    /// One version reported as saved by two edits (one of them overwritten unseen).
    pub edits_duplicate_versions: usize,
    /// Shared customers whose final notes are not those of the edit that saved last.
    pub final_values_wrong: usize,
    /// Writes lost or altered: the sum of the problems above, plus any difference between
    /// the versions made and the edits reported.
    pub lost: usize,
}

#[derive(Debug, Serialize)]
pub struct WritersReport {
    pub customers: i64,
    pub processes: usize,
    pub writes_per_process: usize,
    pub shared_customers: usize,
    pub contact_customers: usize,
    pub pause_ms: u64,
    /// The ids of the customers every process edited.
    pub shared_customer_ids: Vec<i64>,
    /// Writes saved: contacts logged plus edits saved.
    pub writes: usize,
    pub contacts_logged: usize,
    pub edits_saved: usize,
    /// Errors shown to any worker (must be 0), with the first few of them.
    pub errors: usize,
    pub error_examples: Vec<String>,
    /// Writes begun again by the store because the database was busy (SQLite's own waits
    /// within the busy timeout are in the times, not counted here).
    pub busy_retries: u64,
    /// Saves refused because another worker had saved the customer first; each was reloaded
    /// and saved again.
    pub conflicts: usize,
    /// From the start signal to the last worker's last write, in seconds.
    pub seconds: f64,
    pub writes_per_second: f64,
    /// The store call of every write, then contacts and edits apart.
    pub steps: Vec<Figures>,
    /// Where the time of a write went.
    pub breakdown: Breakdown,
    pub lost_write_check: LostWriteCheck,
    pub goal: &'static str,
    pub met: bool,
}

impl WritersReport {
    /// The figures of every write together.
    pub fn all_writes(&self) -> Option<&Figures> {
        self.steps.first()
    }
}

/// Customers the run writes to: `shared` to edit (each must pass the form's checks as it is,
/// as a record an operator opens and saves does) and `contacts` others to log contacts for,
/// drawn at random from the ids of open, visible records.
fn choose_customers(
    store: &Store,
    actor: &Actor,
    shared: usize,
    contacts: usize,
    seed: u64,
) -> Result<(Vec<i64>, Vec<i64>, i64)> {
    let count = store.customer_count()?;
    if count == 0 {
        bail!("the database holds no customers; fill it with `careline demo --customers N` first");
    }
    let wanted = shared + contacts;
    if (count as usize) < wanted {
        bail!(
            "--shared-customers {shared} and --contact-customers {contacts} need {wanted} customers; the database holds {count}"
        );
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut seen = HashSet::new();
    let (mut edit, mut log) = (Vec::new(), Vec::new());
    let mut attempts = 0;
    while (edit.len() < shared || log.len() < contacts) && attempts < wanted * 20 {
        attempts += 1;
        let id = rng.random_range(1..=count);
        if !seen.insert(id) {
            continue;
        }
        let customer = match store.customer(actor, id) {
            Ok(c) => c,
            Err(StoreError::NotFound(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        if customer.restricted || customer.merged_into.is_some() {
            continue;
        }
        if edit.len() < shared {
            if store
                .check_customer(actor, Some(id), &customer.fields)
                .is_ok()
            {
                edit.push(id);
            }
        } else {
            log.push(id);
        }
    }
    if edit.len() < shared || log.len() < contacts {
        bail!(
            "found only {} customers to edit and {} to log contacts for among {attempts} drawn; the database has too few open records you may see",
            edit.len(),
            log.len()
        );
    }
    Ok((edit, log, count))
}

/// A worker process, started and not yet waited for.
struct Running {
    worker: usize,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
}

impl Running {
    /// Waits for the process; its report line, or why there is none.
    fn finish(mut self) -> Result<WorkerReport> {
        drop(self.stdin.take());
        let status = self.child.wait();
        let stdout = self.stdout.join().unwrap_or_default();
        let stderr = self.stderr.join().unwrap_or_default();
        let status = status.with_context(|| format!("cannot wait for worker {}", self.worker))?;
        if !status.success() {
            bail!(
                "worker {} failed ({status}): {}",
                self.worker,
                stderr.trim()
            );
        }
        let line = stdout
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .ok_or_else(|| anyhow!("worker {} reported nothing: {}", self.worker, stderr.trim()))?;
        serde_json::from_str(line).with_context(|| {
            format!(
                "worker {} reported something unreadable: {line}",
                self.worker
            )
        })
    }
}

/// Starts one worker: stdout is read by a thread that signals its first line ("ready") on
/// `ready` and keeps the rest; stderr is kept by another.
fn spawn(
    ctx: &Context,
    exe: &std::path::Path,
    worker: usize,
    worker_args: &[String],
    ready: mpsc::Sender<(usize, bool)>,
) -> Result<Running> {
    let mut cmd = Process::new(exe);
    cmd.arg("--db").arg(&ctx.db_path);
    if let Some(config) = &ctx.config_file {
        cmd.arg("--config").arg(config);
    }
    if let Some(login) = &ctx.as_login {
        cmd.arg("--as").arg(login);
    }
    if ctx.allow_network_fs {
        cmd.arg("--allow-network-fs");
    }
    cmd.args(["bench", "writer-worker", "--worker", &worker.to_string()])
        .args(worker_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start worker {worker}"))?;
    let (Some(stdin), Some(stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        bail!("worker {worker} was started without its pipes");
    };
    let stdout = std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        let ok = reader.read_line(&mut first).is_ok() && first.trim() == "ready";
        let _ = ready.send((worker, ok));
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
        rest
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    Ok(Running {
        worker,
        child,
        stdin: Some(stdin),
        stdout,
        stderr,
    })
}

/// Ends every worker started so far (closing its stdin makes it stop before writing) and
/// returns the first one's complaint, if any, to explain `why`.
fn abandon(running: Vec<Running>, why: anyhow::Error) -> anyhow::Error {
    let mut reasons = Vec::new();
    for r in running {
        if let Err(e) = r.finish() {
            reasons.push(e.to_string());
        }
    }
    match reasons.first() {
        Some(reason) => why.context(reason.clone()),
        None => why,
    }
}

pub fn run(ctx: &Context, args: &WritersArgs) -> Result<WritersReport> {
    if args.processes == 0 || args.writes == 0 {
        bail!("--processes and --writes must be at least 1");
    }
    if args.shared_customers == 0 || args.contact_customers == 0 {
        bail!("--shared-customers and --contact-customers must be at least 1");
    }
    let (store, actor) = ctx.open()?;
    if store.log_rules().plain_codes().is_empty() {
        bail!("no wrap-up code in [log] needs nothing more; the benchmark cannot log contacts");
    }
    let (edit_pool, log_pool, customers) = choose_customers(
        &store,
        &actor,
        args.shared_customers,
        args.contact_customers,
        args.seed,
    )?;
    let mut start_versions = BTreeMap::new();
    for &id in &edit_pool {
        start_versions.insert(id, store.customer(&actor, id)?.version);
    }
    let tag = format!(
        "bench-writers {} pid {}",
        Utc::now().format("%Y%m%dT%H%M%S"),
        std::process::id()
    );
    let ids = |pool: &[i64]| {
        pool.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let worker_args = vec![
        "--writes".to_string(),
        args.writes.to_string(),
        "--log-customers".into(),
        ids(&log_pool),
        "--edit-customers".into(),
        ids(&edit_pool),
        "--tag".into(),
        tag.clone(),
        "--pause-ms".into(),
        args.pause_ms.to_string(),
        "--seed".into(),
        args.seed.to_string(),
    ];
    let exe = std::env::current_exe().context("cannot find the careline binary")?;
    let (ready_tx, ready_rx) = mpsc::channel();
    let mut running = Vec::with_capacity(args.processes);
    for worker in 0..args.processes {
        match spawn(ctx, &exe, worker, &worker_args, ready_tx.clone()) {
            Ok(r) => running.push(r),
            Err(e) => return Err(abandon(running, e)),
        }
    }
    drop(ready_tx);
    // Every worker has opened its store before any writes.
    for _ in 0..args.processes {
        match ready_rx.recv_timeout(READY_TIMEOUT) {
            Ok((_, true)) => {}
            Ok((worker, false)) => {
                return Err(abandon(
                    running,
                    anyhow!("worker {worker} could not open its store"),
                ))
            }
            Err(_) => {
                return Err(abandon(
                    running,
                    anyhow!("the workers did not all open their stores within {READY_TIMEOUT:?}"),
                ))
            }
        }
    }
    let started = Instant::now();
    for r in &mut running {
        if let Some(mut stdin) = r.stdin.take() {
            // A worker that cannot be told to start reports that itself.
            let _ = stdin.write_all(b"go\n");
        }
    }
    let mut reports = Vec::with_capacity(args.processes);
    let mut failures = Vec::new();
    for r in running {
        match r.finish() {
            Ok(report) => reports.push(report),
            Err(e) => failures.push(e.to_string()),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if !failures.is_empty() {
        bail!(
            "{} of {} workers failed; the first: {}",
            failures.len(),
            args.processes,
            failures[0]
        );
    }
    let check = check_lost_writes(&store, &actor, &reports, &start_versions)?;
    Ok(report(args, customers, edit_pool, seconds, reports, check))
}

/// Looks every write the workers reported up in the database.
fn check_lost_writes(
    store: &Store,
    actor: &Actor,
    reports: &[WorkerReport],
    start_versions: &BTreeMap<i64, i64>,
) -> Result<LostWriteCheck> {
    let mut check = LostWriteCheck::default();
    let mut ids = HashSet::new();
    for logged in reports.iter().flat_map(|r| &r.logged) {
        check.contacts_reported += 1;
        if !ids.insert(logged.id) {
            check.contacts_duplicate_ids += 1;
        }
        match store.interaction(actor, logged.id) {
            Ok(found) => {
                if found.customer_id == logged.customer_id
                    && found.operator_login == actor.login
                    && found.summary.as_deref() == Some(logged.summary.as_str())
                {
                    check.contacts_found += 1;
                } else {
                    check.contacts_altered += 1;
                }
            }
            Err(StoreError::NotFound(_)) => check.contacts_missing += 1,
            Err(e) => return Err(e.into()),
        }
    }
    let mut edits: BTreeMap<i64, Vec<&SavedEdit>> = BTreeMap::new();
    for edit in reports.iter().flat_map(|r| &r.edits) {
        check.edits_reported += 1;
        edits.entry(edit.customer_id).or_default().push(edit);
    }
    let mut unaccounted = 0;
    for (&id, &before) in start_versions {
        let now = store.customer(actor, id)?;
        let made = now.version - before;
        check.edit_versions_made += made;
        let saved = edits.remove(&id).unwrap_or_default();
        let versions: HashSet<i64> = saved.iter().map(|e| e.version).collect();
        check.edits_duplicate_versions += saved.len() - versions.len();
        unaccounted += (made - saved.len() as i64).unsigned_abs() as usize;
        let last = saved.iter().max_by_key(|e| e.version);
        let right = match last {
            Some(last) => {
                last.version == now.version && now.fields.notes.as_ref() == Some(&last.notes)
            }
            None => made == 0,
        };
        if !right {
            check.final_values_wrong += 1;
        }
    }
    // Edits reported for a customer nobody was given to edit.
    unaccounted += edits.values().map(Vec::len).sum::<usize>();
    check.lost = check.contacts_missing
        + check.contacts_altered
        + check.contacts_duplicate_ids
        + check.edits_duplicate_versions
        + check.final_values_wrong
        + unaccounted;
    Ok(check)
}

pub(super) fn report(
    args: &WritersArgs,
    customers: i64,
    shared_customer_ids: Vec<i64>,
    seconds: f64,
    reports: Vec<WorkerReport>,
    check: LostWriteCheck,
) -> WritersReport {
    let micros = |us: &u64| Duration::from_micros(*us);
    let log: Vec<Duration> = reports
        .iter()
        .flat_map(|r| r.log_us.iter().map(micros))
        .collect();
    let edit: Vec<Duration> = reports
        .iter()
        .flat_map(|r| r.edit_us.iter().map(micros))
        .collect();
    let all: Vec<Duration> = log.iter().chain(&edit).copied().collect();
    let contacts_logged = reports.iter().map(|r| r.logged.len()).sum();
    let edits_saved = reports.iter().map(|r| r.edits.len()).sum();
    let errors: Vec<String> = reports
        .iter()
        .flat_map(|r| r.errors.iter().map(|e| format!("worker {}: {e}", r.worker)))
        .collect();
    let steps = vec![
        figures("every write (store call)", None, String::new(), all, None),
        figures("log a contact", None, String::new(), log, None),
        figures(
            "edit a shared customer (saved or conflict)",
            None,
            String::new(),
            edit,
            None,
        ),
    ];
    let writes = contacts_logged + edits_saved;
    let p99_met = steps[0].p99_ms.is_some_and(|p| p <= GOAL_P99_MS);
    let breakdown = breakdown(&reports, steps[0].p99_ms);
    WritersReport {
        customers,
        processes: args.processes,
        writes_per_process: args.writes,
        shared_customers: args.shared_customers,
        contact_customers: args.contact_customers,
        pause_ms: args.pause_ms,
        shared_customer_ids,
        writes,
        contacts_logged,
        edits_saved,
        errors: errors.len(),
        error_examples: errors.into_iter().take(5).collect(),
        busy_retries: reports.iter().map(|r| r.busy_retries).sum(),
        conflicts: reports.iter().map(|r| r.conflicts).sum(),
        seconds,
        writes_per_second: if seconds > 0.0 {
            writes as f64 / seconds
        } else {
            0.0
        },
        met: p99_met && check.lost == 0 && reports.iter().all(|r| r.errors.is_empty()),
        steps,
        breakdown,
        lost_write_check: check,
        goal: "no error shown, no lost write, p99 of the write ≤ 50 ms",
    }
}

/// One part of a write, read from its [`PartsUs`].
type Part = fn(&PartsUs) -> u64;

/// Where the time of the writes went: each part's figures, and the parts of the slowest 1 %.
fn breakdown(reports: &[WorkerReport], p99_ms: Option<f64>) -> Breakdown {
    let parts: Vec<&PartsUs> = reports.iter().flat_map(|r| &r.parts).collect();
    let micros = Duration::from_micros;
    let of = |kind: &'static str, part: Part| {
        let times = parts.iter().map(|p| micros(part(p))).collect();
        figures(kind, None, String::new(), times, None)
    };
    let named: [(&'static str, Part); 4] = [
        ("waiting for the turn", |p| p.turn),
        ("BEGIN IMMEDIATE (SQLite's lock)", |p| p.begin),
        ("statements and audit entries", |p| p.statements),
        ("COMMIT (fsync, checkpoint if due)", |p| p.commit),
    ];
    let mut figures_of: Vec<Figures> = named.iter().map(|(k, f)| of(k, *f)).collect();
    let in_commit: Vec<Duration> = parts
        .iter()
        .filter_map(|p| p.checkpoint_in_commit.map(micros))
        .collect();
    let checkpoints_in_commit = in_commit.len();
    figures_of.push(figures(
        "of which a checkpoint inside the commit",
        None,
        String::new(),
        in_commit,
        None,
    ));
    let threshold = p99_ms.map(|ms| (ms * 1000.0) as u64);
    let slowest: Vec<&&PartsUs> = parts
        .iter()
        .filter(|p| threshold.is_some_and(|t| p.total >= t))
        .collect();
    let mean = |part: Part| {
        if slowest.is_empty() {
            0.0
        } else {
            slowest.iter().map(|p| part(p) as f64).sum::<f64>() / slowest.len() as f64 / 1000.0
        }
    };
    let mut slowest_mean_ms: Vec<(String, f64)> = named
        .iter()
        .map(|(k, f)| (k.to_string(), mean(*f)))
        .collect();
    slowest_mean_ms.push((
        "of which a checkpoint inside the commit".into(),
        mean(|p| p.checkpoint_in_commit.unwrap_or(0)),
    ));
    let most_pages = parts.iter().max_by_key(|p| p.pages);
    let off_path = |kind: &'static str, of: fn(&WorkerReport) -> &Vec<u64>| {
        let took: Vec<Duration> = reports
            .iter()
            .flat_map(|r| of(r).iter().copied().map(micros))
            .collect();
        (!took.is_empty()).then(|| figures(kind, None, String::new(), took, None))
    };
    Breakdown {
        parts: figures_of,
        slowest_writes: slowest.len(),
        slowest_mean_ms,
        checkpoints_in_commit,
        writes_without_turn: parts.iter().filter(|p| p.without_turn > 0).count(),
        most_pages_written: most_pages.map_or(0, |p| p.pages),
        most_pages_commit_ms: most_pages.map_or(0.0, |p| p.commit as f64 / 1000.0),
        slowest_mean_pages: mean(|p| p.pages) * 1000.0,
        checkpoints_off_write_path: off_path("checkpoints off the write path", |r| {
            &r.checkpoint_us
        }),
        merges_off_write_path: off_path("name index merge steps off the write path", |r| {
            &r.merge_step_us
        }),
        worker_cpu_seconds: reports.iter().map(|r| r.cpu_us).sum::<u64>() as f64 / 1e6,
    }
}

pub fn print(r: &WritersReport) {
    println!(
        "writers on {} customers: {} processes x {} writes, {} shared customers edited, contacts for {}, pause {} ms",
        r.customers, r.processes, r.writes_per_process, r.shared_customers, r.contact_customers, r.pause_ms
    );
    println!(
        "saved {} writes ({} contacts, {} edits) in {:.1} s ({:.0} a second); {} conflicts reloaded and saved again; {} busy retries",
        r.writes, r.contacts_logged, r.edits_saved, r.seconds, r.writes_per_second, r.conflicts, r.busy_retries
    );
    println!("errors shown to a worker: {}", r.errors);
    for e in &r.error_examples {
        println!("  {e}");
    }
    let c = &r.lost_write_check;
    println!(
        "lost writes: {} (contacts {} reported, {} found as written, {} missing, {} altered, {} ids twice; edits {} reported, {} versions made, {} versions twice, {} final values wrong)",
        c.lost,
        c.contacts_reported,
        c.contacts_found,
        c.contacts_missing,
        c.contacts_altered,
        c.contacts_duplicate_ids,
        c.edits_reported,
        c.edit_versions_made,
        c.edits_duplicate_versions,
        c.final_values_wrong
    );
    print_table("write, store call", r.steps.iter());
    let b = &r.breakdown;
    print_table(
        "where the time of a write went",
        b.parts
            .iter()
            .chain(&b.checkpoints_off_write_path)
            .chain(&b.merges_off_write_path),
    );
    if b.slowest_writes > 0 {
        let means: Vec<String> = b
            .slowest_mean_ms
            .iter()
            .map(|(part, ms)| format!("{part} {ms:.1}"))
            .collect();
        println!(
            "the slowest 1 % ({} writes), mean ms: {}",
            b.slowest_writes,
            means.join("; ")
        );
    }
    println!(
        "pages one write put into the log: at most {} (that write's COMMIT took {:.1} ms); the slowest 1 %: {:.0} on average",
        b.most_pages_written, b.most_pages_commit_ms, b.slowest_mean_pages
    );
    println!(
        "writes that went without a turn: {}; checkpoints inside a commit: {}; CPU of the workers: {:.1} s",
        b.writes_without_turn, b.checkpoints_in_commit, b.worker_cpu_seconds
    );
    println!(
        "goal: {}: {}",
        r.goal,
        if r.met { "met" } else { "NOT MET" }
    );
    println!("{}", super::bench::P99_NOTE);
}

/// One operator process: opens its store, says "ready", waits for "go" on its standard input,
/// makes its writes and prints its report as one JSON line.
pub fn worker(ctx: &Context, args: &WorkerArgs) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    let codes = store.log_rules().plain_codes();
    if codes.is_empty() {
        bail!("no wrap-up code in [log] needs nothing more; the benchmark cannot log contacts");
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    let mut go = String::new();
    std::io::stdin()
        .read_line(&mut go)
        .context("cannot read the start signal")?;
    if go.trim() != "go" {
        bail!(
            "worker {}: no start signal; stopped before writing",
            args.worker
        );
    }
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed.wrapping_add(args.worker as u64 + 1));
    let mut report = WorkerReport {
        worker: args.worker,
        ..WorkerReport::default()
    };
    for k in 0..args.writes {
        if args.pause_ms > 0 {
            let pause = rng.random_range(0..=2 * args.pause_ms);
            std::thread::sleep(Duration::from_millis(pause));
        }
        if k % 2 == 0 {
            let customer = args.log_customers[rng.random_range(0..args.log_customers.len())];
            log_contact(&mut store, &actor, args, k, customer, &codes, &mut report);
        } else {
            let customer = args.edit_customers[rng.random_range(0..args.edit_customers.len())];
            edit_customer(&mut store, &actor, args, k, customer, &mut report);
        }
    }
    report.busy_retries = store.busy_retries();
    report.cpu_us = cpu_used().as_micros() as u64;
    let upkeep = store.upkeep_times();
    let micros_of = |times: Vec<Duration>| times.iter().map(|d| d.as_micros() as u64).collect();
    report.checkpoint_us = micros_of(upkeep.checkpoints);
    report.merge_step_us = micros_of(upkeep.merge_steps);
    writeln!(out, "{}", serde_json::to_string(&report)?)?;
    out.flush()?;
    Ok(())
}

/// CPU time this process has used, user and system.
fn cpu_used() -> Duration {
    // SAFETY: getrusage fills the struct it is given; on failure it is left zeroed.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let of = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    of(usage.ru_utime) + of(usage.ru_stime)
}

fn log_contact(
    store: &mut Store,
    actor: &Actor,
    args: &WorkerArgs,
    k: usize,
    customer: i64,
    codes: &[String],
    report: &mut WorkerReport,
) {
    let now = Utc::now();
    let channel = Channel::ALL[k / 2 % Channel::ALL.len()];
    let summary = format!(
        "{} · worker {} · write {k}: 询问订单进度，已答复。Asked about an order; answered.",
        args.tag, args.worker
    );
    let new = NewInteraction::contact(
        customer,
        channel,
        &codes[k / 2 % codes.len()],
        now - Span::minutes(6),
        now - Span::minutes(1),
        &summary,
    );
    let started = Instant::now();
    let result = store.log_interaction(actor, &new);
    let took = started.elapsed();
    report.log_us.push(took.as_micros() as u64);
    report
        .parts
        .push(PartsUs::of(took, store.last_write_parts()));
    match result {
        Ok(logged) => report.logged.push(LoggedContact {
            id: logged.id,
            customer_id: customer,
            summary,
        }),
        Err(e) => report.errors.push(format!("logging a contact: {e}")),
    }
}

/// Opens the customer, changes its notes and saves; a conflict is reloaded and saved again.
fn edit_customer(
    store: &mut Store,
    actor: &Actor,
    args: &WorkerArgs,
    k: usize,
    customer: i64,
    report: &mut WorkerReport,
) {
    let notes = format!(
        "{} · worker {} · write {k}: 客户要求改为晚上联系。Prefers evening calls.",
        args.tag, args.worker
    );
    for _ in 0..EDIT_ATTEMPTS {
        let opened = match store.customer(actor, customer) {
            Ok(c) => c,
            Err(e) => {
                report
                    .errors
                    .push(format!("opening customer {customer}: {e}"));
                return;
            }
        };
        let mut fields = opened.fields.clone();
        fields.notes = Some(notes.clone());
        let started = Instant::now();
        let result = store.edit_customer(actor, customer, opened.version, &fields);
        let took = started.elapsed();
        report.edit_us.push(took.as_micros() as u64);
        report
            .parts
            .push(PartsUs::of(took, store.last_write_parts()));
        match result {
            Ok(saved) => {
                report.edits.push(SavedEdit {
                    customer_id: customer,
                    version: saved.version,
                    notes,
                });
                return;
            }
            Err(StoreError::Conflict(_)) => report.conflicts += 1,
            Err(e) => {
                report
                    .errors
                    .push(format!("saving customer {customer}: {e}"));
                return;
            }
        }
    }
    report.errors.push(format!(
        "saving customer {customer}: still a conflict after {EDIT_ATTEMPTS} reloads"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer::CustomerFields;
    use crate::store::OpenOptions;

    fn customer(store: &mut Store, boss: &Actor, name: &str) -> i64 {
        let fields = CustomerFields {
            name: name.into(),
            ..CustomerFields::default()
        };
        store.create_customer(boss, &fields).expect("created").id
    }

    fn edit(store: &mut Store, boss: &Actor, id: i64, notes: &str) -> SavedEdit {
        let opened = store.customer(boss, id).expect("opened");
        let mut fields = opened.fields;
        fields.notes = Some(notes.into());
        let saved = store
            .edit_customer(boss, id, opened.version, &fields)
            .expect("saved");
        SavedEdit {
            customer_id: id,
            version: saved.version,
            notes: notes.into(),
        }
    }

    fn reported(logged: Vec<LoggedContact>, edits: Vec<SavedEdit>) -> WorkerReport {
        WorkerReport {
            logged,
            edits,
            ..WorkerReport::default()
        }
    }

    /// The check finds a write that is not in the database, one saved otherwise than reported,
    /// an edit overwritten unseen (two saves told they made the same version) and a final value
    /// that is not the last one saved; and nothing when every reported write is there.
    #[test]
    fn the_lost_write_check_finds_every_kind_of_loss() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut store =
            Store::open(&dir.path().join("careline.db"), OpenOptions::default()).expect("opens");
        let boss = store.init_admin("boss", "The Boss").expect("init");
        let shared = customer(&mut store, &boss, "张三");
        let caller = customer(&mut store, &boss, "李四");
        let code = store
            .log_rules()
            .plain_codes()
            .into_iter()
            .next()
            .expect("a plain code");
        let now = Utc::now();
        let summary = "run 1 · worker 0 · write 0";
        let id = store
            .log_interaction(
                &boss,
                &NewInteraction::contact(
                    caller,
                    Channel::PhoneIn,
                    &code,
                    now - Span::minutes(6),
                    now - Span::minutes(1),
                    summary,
                ),
            )
            .expect("logged")
            .id;
        let start = store.customer(&boss, shared).expect("opened").version;
        let first = edit(&mut store, &boss, shared, "first");
        let second = edit(&mut store, &boss, shared, "second");
        assert_eq!((first.version, second.version), (start + 1, start + 2));
        let starts = BTreeMap::from([(shared, start)]);
        let contact = |id: i64, summary: &str| LoggedContact {
            id,
            customer_id: caller,
            summary: summary.into(),
        };
        let check = |reports: &[WorkerReport]| {
            check_lost_writes(&store, &boss, reports, &starts).expect("checked")
        };

        // Everything reported is there: one contact as written, two versions by two edits.
        let honest = check(&[
            reported(vec![contact(id, summary)], vec![first.clone()]),
            reported(vec![], vec![second.clone()]),
        ]);
        assert_eq!(honest.lost, 0, "{honest:?}");
        assert_eq!(
            (honest.contacts_reported, honest.contacts_found),
            (1, 1),
            "{honest:?}"
        );
        assert_eq!(
            (honest.edits_reported, honest.edit_versions_made),
            (2, 2),
            "{honest:?}"
        );

        // A contact reported as saved that is not there, and one saved with another summary.
        let contacts = check(&[
            reported(
                vec![contact(id + 1000, summary)],
                vec![first.clone(), second.clone()],
            ),
            reported(vec![contact(id, "another summary")], vec![]),
        ]);
        assert_eq!(
            (contacts.contacts_missing, contacts.contacts_altered),
            (1, 1),
            "{contacts:?}"
        );
        assert_eq!(contacts.lost, 2, "{contacts:?}");

        // Three edits told they were saved, two of them as the same version: the database went
        // up by two versions only, so one of them was overwritten without a conflict.
        let overwritten = SavedEdit {
            notes: "overwritten".into(),
            ..first.clone()
        };
        let edits = check(&[
            reported(vec![], vec![first.clone(), second.clone()]),
            reported(vec![], vec![overwritten]),
        ]);
        assert_eq!(edits.edits_duplicate_versions, 1, "{edits:?}");
        assert_eq!(edits.final_values_wrong, 0, "{edits:?}");
        // The duplicate, and one edit more than versions made.
        assert_eq!(edits.lost, 2, "{edits:?}");

        // The customer does not hold what the edit that saved last wrote.
        let wrong_last = SavedEdit {
            notes: "first".into(),
            ..second.clone()
        };
        let last = check(&[reported(vec![], vec![first, wrong_last])]);
        assert_eq!(last.final_values_wrong, 1, "{last:?}");
        assert_eq!(last.lost, 1, "{last:?}");
    }
}
