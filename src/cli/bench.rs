//! `careline bench lookup`: lookup latency per query kind on the current database, with the
//! plain indexed exact-phone query measured in the same run as the reference.

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{print_json, Context};
use crate::domain::search_key::{has_cjk, pinyin_full, pinyin_initials};
use crate::store::{Store, DEFAULT_LIMIT};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Lookup latency (p50/p99) for every kind of query an operator types.
    Lookup(LookupArgs),
    /// The operator's screen: keystroke to drawn frame, start to first frame, memory, and
    /// bytes sent to the terminal when the selection moves one row.
    Screen(ScreenArgs),
    /// The interaction log on the screen: a customer with a long history and the desk log
    /// with each filter, key to drawn frame. Adds a customer tagged #bench-busy the first time.
    Log(super::bench_log::LogArgs),
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Callers looked up (each typed key by key, then the selection moved).
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// Seed of the customer sampler.
    #[arg(long, default_value_t = 11)]
    pub seed: u64,
    /// Terminal width and height to draw.
    #[arg(long, default_value_t = 80)]
    pub width: u16,
    #[arg(long, default_value_t = 24)]
    pub height: u16,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Queries per kind, each for a different sampled customer.
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
    /// Seed of the customer sampler.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Results asked for per query (as the lookup pane does).
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The figures of one query kind.
#[derive(Debug, Serialize)]
pub struct KindFigures {
    pub kind: &'static str,
    pub example: String,
    pub queries: usize,
    /// Results per query (lookups only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_results: Option<f64>,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct LookupReport {
    pub customers: i64,
    pub reference: KindFigures,
    pub kinds: Vec<KindFigures>,
}

pub fn run(ctx: &Context, cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Lookup(args) => lookup(ctx, args),
        BenchCommand::Screen(args) => super::bench_screen::screen(ctx, args),
        BenchCommand::Log(args) => super::bench_log::log(ctx, args),
    }
}

/// One sampled customer's lookup material.
pub(super) struct Sample {
    pub code: String,
    pub name: String,
    pub company: Option<String>,
    pub phone: Option<(String, String)>,
    pub email: Option<String>,
    pub tag: Option<String>,
}

pub(super) fn sample_customers(store: &Store, count: usize, seed: u64) -> Result<Vec<Sample>> {
    let conn = store.conn();
    let max_id: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM customers", [], |r| {
        r.get(0)
    })?;
    if max_id == 0 {
        bail!("the database holds no customers; fill it with `careline demo --customers N` first");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut customer = conn.prepare(
        "SELECT code, name, company FROM customers WHERE id = ?1 AND merged_into IS NULL",
    )?;
    let mut phone = conn.prepare(
        "SELECT normalized, value FROM contacts WHERE customer_id = ?1 AND kind = 'phone' \
         AND phone_kind = 'mobile' ORDER BY position LIMIT 1",
    )?;
    let mut email = conn.prepare(
        "SELECT normalized FROM contacts WHERE customer_id = ?1 AND kind = 'email' ORDER BY position LIMIT 1",
    )?;
    let mut tag = conn.prepare("SELECT tag FROM customer_tags WHERE customer_id = ?1 LIMIT 1")?;
    let mut out = Vec::with_capacity(count);
    let mut attempts = 0;
    while out.len() < count && attempts < count * 20 {
        attempts += 1;
        let id = rng.random_range(1..=max_id);
        let row: Option<(String, String, Option<String>)> = customer
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ok();
        let Some((code, name, company)) = row else {
            continue;
        };
        out.push(Sample {
            code,
            name,
            company,
            phone: phone.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).ok(),
            email: email.query_row([id], |r| r.get(0)).ok(),
            tag: tag.query_row([id], |r| r.get(0)).ok(),
        });
    }
    Ok(out)
}

pub(super) fn national_digits(e164: &str) -> String {
    e164.strip_prefix("+86")
        .unwrap_or(e164)
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

/// The query an operator would type for each kind, from one sampled customer.
fn queries(kind: &str, s: &Sample) -> Option<String> {
    let cjk = has_cjk(&s.name);
    let chars: Vec<char> = s.name.chars().collect();
    match kind {
        "phone suffix (4 digits)" => s.phone.as_ref().map(|(n, _)| {
            let d = national_digits(n);
            d[d.len().saturating_sub(4)..].to_string()
        }),
        "full phone (as written)" => s.phone.as_ref().map(|(_, v)| v.clone()),
        "two-character name" => {
            (cjk && chars.len() >= 2).then(|| chars[chars.len() - 2..].iter().collect())
        }
        "surname" => (cjk && !chars.is_empty()).then(|| chars[0].to_string()),
        "full pinyin" => pinyin_full(&s.name),
        "pinyin initials" => pinyin_initials(&s.name),
        "email" => s.email.clone(),
        "customer code" => Some(s.code.clone()),
        "#tag" => s.tag.as_ref().map(|t| format!("#{t}")),
        "company" => s.company.clone(),
        "substring (3+ chars)" => {
            let source = if cjk {
                s.email.clone()?
            } else {
                s.name.clone()
            };
            let chars: Vec<char> = source.chars().collect();
            (chars.len() >= 5).then(|| chars[1..5].iter().collect())
        }
        _ => None,
    }
}

const KINDS: &[&str] = &[
    "phone suffix (4 digits)",
    "full phone (as written)",
    "two-character name",
    "surname",
    "full pinyin",
    "pinyin initials",
    "email",
    "customer code",
    "#tag",
    "company",
    "substring (3+ chars)",
];

pub(super) fn figures(
    kind: &'static str,
    example: String,
    mut times: Vec<Duration>,
    results: Option<usize>,
) -> KindFigures {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| {
        if times.is_empty() {
            0.0
        } else {
            let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
            ms(times[i])
        }
    };
    KindFigures {
        kind,
        example,
        queries: times.len(),
        mean_results: results.map(|r| r as f64 / times.len().max(1) as f64),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: times.last().map(|d| ms(*d)).unwrap_or(0.0),
    }
}

fn lookup(ctx: &Context, args: LookupArgs) -> Result<()> {
    if args.samples == 0 {
        bail!("--samples must be at least 1");
    }
    let (store, actor) = ctx.open()?;
    let customers = store.customer_count()?;
    let samples = sample_customers(&store, args.samples, args.seed)?;

    // Reference: the plain indexed lookup of one exact normalised phone number.
    let mut reference_times = Vec::new();
    let mut reference_results = 0;
    let mut example = String::new();
    {
        let mut stmt = store
            .conn()
            .prepare_cached("SELECT customer_id FROM contacts WHERE normalized = ?1")
            .context("cannot prepare the reference query")?;
        for s in &samples {
            let Some((normalized, _)) = &s.phone else {
                continue;
            };
            if example.is_empty() {
                example = normalized.clone();
            }
            let started = Instant::now();
            let ids: Vec<i64> = stmt
                .query_map([normalized], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            reference_times.push(started.elapsed());
            reference_results += ids.len();
        }
    }
    let reference = figures(
        "reference: exact phone, plain SQL",
        example,
        reference_times,
        Some(reference_results),
    );

    let mut kinds = Vec::new();
    for kind in KINDS {
        let mut times = Vec::new();
        let mut results = 0;
        let mut example = String::new();
        for s in &samples {
            let Some(q) = queries(kind, s) else { continue };
            if example.is_empty() {
                example = q.clone();
            }
            let started = Instant::now();
            let found = store.search(&actor, &q, args.limit)?;
            times.push(started.elapsed());
            results += found.len();
        }
        kinds.push(figures(kind, example, times, Some(results)));
    }
    let report = LookupReport {
        customers,
        reference,
        kinds,
    };
    if args.json {
        return print_json(&report);
    }
    println!(
        "lookup on {} customers, {} sampled, limit {}",
        customers,
        samples.len(),
        args.limit
    );
    println!(
        "{:<36} {:>7} {:>8} {:>9} {:>9} {:>9}  example",
        "kind", "queries", "results", "p50 ms", "p99 ms", "max ms"
    );
    for f in std::iter::once(&report.reference).chain(report.kinds.iter()) {
        println!(
            "{:<36} {:>7} {:>8.1} {:>9.3} {:>9.3} {:>9.3}  {}",
            f.kind,
            f.queries,
            f.mean_results.unwrap_or(0.0),
            f.p50_ms,
            f.p99_ms,
            f.max_ms,
            f.example
        );
    }
    Ok(())
}
