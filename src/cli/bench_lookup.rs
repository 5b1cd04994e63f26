//! `careline bench lookup`: lookup latency per query kind on the current database, hits and
//! misses apart. Hits are built from sampled customers' own values, as a caller reads them
//! out; misses are what an operator also types: a typo'd email or pinyin, an unknown caller's
//! number, a name nobody has, a fragment that forces the full-text search. A miss is the
//! slow case: every probe of the query runs, the trigram search last, and none stops early.

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use clap::Args;
use rand::seq::IndexedRandom as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::bench::{figures, national_digits, sample_customers, Figures, Outcome, Sample};
use super::Context;
use crate::domain::search_key::{has_cjk, is_cjk, pinyin_full, pinyin_initials};
use crate::store::{Actor, Store, DEFAULT_LIMIT};

#[derive(Debug, Args, Clone)]
pub struct LookupArgs {
    /// Queries per kind and outcome, each from a different sampled customer that has what
    /// the kind needs (a company, an email …).
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
    /// Seed of the customer sampler and of the misses made from them.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Results asked for per query (as the lookup pane does).
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
    /// Evict the database from SQLite's cache and the operating system's page cache before
    /// every query, so that each one reads from the disk (the first caller after a restart).
    #[arg(long)]
    pub cold: bool,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct LookupReport {
    pub customers: i64,
    pub sampled: usize,
    pub limit: usize,
    pub cold: bool,
    /// One row per kind and outcome, the plain-SQL reference first.
    pub kinds: Vec<Figures>,
}

/// Material for misses: characters and letters seen in the sampled customers.
struct Mutator {
    rng: ChaCha8Rng,
    cjk: Vec<char>,
}

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

impl Mutator {
    fn letter(&mut self) -> char {
        LETTERS[self.rng.random_range(0..LETTERS.len())] as char
    }

    fn digit(&mut self) -> char {
        char::from(b'0' + self.rng.random_range(0..10u8))
    }

    fn cjk_char(&mut self) -> char {
        self.cjk.choose(&mut self.rng).copied().unwrap_or('龘')
    }

    /// `text` with the character at a random position in `from..` replaced by another of the
    /// same sort (a letter by a letter, a digit by a digit, a Chinese character by another).
    fn replace_one(&mut self, text: &str, from: usize) -> Option<String> {
        let mut chars: Vec<char> = text.chars().collect();
        let positions: Vec<usize> = (from..chars.len())
            .filter(|&i| chars[i].is_ascii_alphanumeric() || is_cjk(chars[i]))
            .collect();
        let &at = positions.choose(&mut self.rng)?;
        let old = chars[at];
        for _ in 0..8 {
            let new = if old.is_ascii_digit() {
                self.digit()
            } else if old.is_ascii_alphabetic() {
                self.letter()
            } else {
                self.cjk_char()
            };
            if new != old {
                chars[at] = new;
                return Some(chars.into_iter().collect());
            }
        }
        None
    }

    /// `text` with two neighbouring characters swapped (the commonest typing slip).
    fn transpose(&mut self, text: &str) -> Option<String> {
        let mut chars: Vec<char> = text.chars().collect();
        if chars.len() < 3 {
            return None;
        }
        let at = self.rng.random_range(1..chars.len() - 1);
        if chars[at] == chars[at + 1] {
            return self.replace_one(text, 1);
        }
        chars.swap(at, at + 1);
        Some(chars.into_iter().collect())
    }

    /// A mainland mobile number nobody was given, written as callers say it.
    fn mobile(&mut self) -> String {
        let second = b"3456789"[self.rng.random_range(0..7)] as char;
        let rest: String = (0..9).map(|_| self.digit()).collect();
        format!("1{second}{} {} {}", &rest[..1], &rest[1..5], &rest[5..])
    }
}

/// A kind of query: how a hit is read from a customer, and how a miss is made.
pub(super) struct LookupKind {
    pub label: &'static str,
    pub hit: fn(&Sample) -> Option<String>,
    miss: fn(&Sample, &mut Mutator) -> Option<String>,
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn cjk_name(s: &Sample) -> Option<&str> {
    has_cjk(&s.name).then_some(s.name.as_str())
}

/// The middle of a company name: past a two-character city ("长沙天成贸易…" → "天成贸易"), so
/// that neither the whole name nor its beginning matches and only the full-text search can.
fn company_fragment(s: &Sample) -> Option<String> {
    let c = chars(s.company.as_deref()?);
    let skip = if c.iter().take(2).all(|&ch| is_cjk(ch)) {
        2
    } else {
        1
    };
    (c.len() >= skip + 4).then(|| c[skip..skip + 4].iter().collect())
}

/// Four characters from inside a Latin name, or from inside the email of a Chinese one.
fn substring(s: &Sample) -> Option<String> {
    let source = if has_cjk(&s.name) {
        s.email.clone()?
    } else {
        s.name.clone()
    };
    let c = chars(&source);
    (c.len() >= 5).then(|| c[1..5].iter().collect())
}

pub(super) const KINDS: &[LookupKind] = &[
    LookupKind {
        label: "full phone (as written)",
        hit: |s| s.phone.as_ref().map(|(_, v)| v.clone()),
        miss: |_, m| Some(m.mobile()),
    },
    LookupKind {
        label: "phone suffix (hit 4 digits, miss 7)",
        hit: |s| {
            let d = national_digits(&s.phone.as_ref()?.0);
            Some(d[d.len().saturating_sub(4)..].to_string())
        },
        // Every four digits end some number among a million customers; an unknown caller's
        // longer ending is the miss an operator meets.
        miss: |s, m| {
            let d = national_digits(&s.phone.as_ref()?.0);
            let tail = &d[d.len().saturating_sub(7)..];
            m.replace_one(tail, 0)
        },
    },
    LookupKind {
        label: "full name",
        hit: |s| Some(s.name.clone()),
        miss: |s, m| match cjk_name(s) {
            Some(name) => {
                let mut c = chars(name);
                let last = c.len() - 1;
                c[last] = m.cjk_char();
                c.insert(1, m.cjk_char());
                Some(c.into_iter().collect())
            }
            None => m.transpose(&s.name),
        },
    },
    LookupKind {
        label: "two-character name",
        hit: |s| {
            let c = chars(cjk_name(s)?);
            (c.len() >= 2).then(|| c[c.len() - 2..].iter().collect())
        },
        miss: |s, m| {
            let c = chars(cjk_name(s)?);
            let first = *c.last()?;
            Some([first, m.cjk_char()].iter().collect())
        },
    },
    LookupKind {
        label: "surname",
        hit: |s| chars(cjk_name(s)?).first().map(char::to_string),
        miss: |s, m| {
            cjk_name(s)?;
            Some(m.cjk_char().to_string())
        },
    },
    LookupKind {
        label: "full pinyin",
        hit: |s| pinyin_full(&s.name),
        miss: |s, m| m.transpose(&pinyin_full(&s.name)?),
    },
    LookupKind {
        label: "pinyin initials",
        hit: |s| pinyin_initials(&s.name),
        // Three letters are nearly all someone's initials; a slip adds a fourth.
        miss: |s, m| {
            let initials = pinyin_initials(&s.name)?;
            let mut typo = m.replace_one(&initials, 0)?;
            typo.push(m.letter());
            Some(typo)
        },
    },
    LookupKind {
        label: "email",
        hit: |s| s.email.clone(),
        miss: |s, m| {
            let email = s.email.as_deref()?;
            let at = email.find('@')?;
            let local = m.replace_one(&email[..at], 0)?;
            Some(format!("{local}{}", &email[at..]))
        },
    },
    LookupKind {
        label: "customer code",
        hit: |s| Some(s.code.clone()),
        // Codes are dense (every C0000001 … C1000000 exists): a slip of the letter misses.
        miss: |s, m| {
            let mut c = chars(&s.code);
            let letter = m.letter().to_ascii_uppercase();
            *c.first_mut()? = letter;
            Some(c.into_iter().collect())
        },
    },
    LookupKind {
        label: "#tag",
        hit: |s| s.tag.as_ref().map(|t| format!("#{t}")),
        miss: |s, m| Some(format!("#{}", m.replace_one(s.tag.as_deref()?, 1)?)),
    },
    LookupKind {
        label: "company (whole name)",
        hit: |s| s.company.clone(),
        miss: |s, m| m.replace_one(s.company.as_deref()?, 2),
    },
    LookupKind {
        label: "company fragment (full text)",
        hit: company_fragment,
        miss: |s, m| m.replace_one(&company_fragment(s)?, 1),
    },
    LookupKind {
        label: "substring (3+ chars)",
        hit: substring,
        miss: |s, m| m.replace_one(&substring(s)?, 1),
    },
];

/// Tries of a miss per customer: a made-up value that some customer does have is dropped.
const MISS_TRIES: usize = 12;

/// The misses of `kind`, at most one per sampled customer. Each candidate is looked up
/// first on `oracle`, a connection of its own, so that the measured connection's cache is
/// not warmed by it; one that finds anybody is not a miss and another is made.
fn misses(
    kind: &LookupKind,
    wanted: usize,
    samples: &[Sample],
    mutator: &mut Mutator,
    oracle: &Store,
    actor: &Actor,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for s in samples {
        if out.len() >= wanted {
            break;
        }
        for _ in 0..MISS_TRIES {
            let Some(q) = (kind.miss)(s, mutator) else {
                break;
            };
            if oracle.search(actor, &q, 1)?.is_empty() {
                out.push(q);
                break;
            }
        }
    }
    Ok(out)
}

/// Times `queries` with `run`, which returns the number of results; with `cold`, caches are
/// dropped before each (not timed).
fn measure(
    store: &Store,
    cold: bool,
    queries: &[String],
    mut run: impl FnMut(&str) -> Result<usize>,
) -> Result<(Vec<Duration>, usize, String)> {
    let mut times = Vec::with_capacity(queries.len());
    let mut results = 0;
    let mut slowest = (Duration::ZERO, String::new());
    for q in queries {
        if cold {
            store.drop_caches()?;
        }
        let started = Instant::now();
        let n = run(q)?;
        let took = started.elapsed();
        times.push(took);
        results += n;
        if took > slowest.0 {
            slowest = (took, q.clone());
        }
    }
    Ok((times, results, slowest.1))
}

pub fn run(ctx: &Context, args: &LookupArgs) -> Result<LookupReport> {
    if args.samples == 0 || args.limit == 0 {
        bail!("--samples and --limit must be at least 1");
    }
    let (store, actor) = ctx.open()?;
    let (oracle, _) = ctx.open()?;
    let customers = store.customer_count()?;
    // Enough customers that even the rarer material (a company: one customer in nine) gives
    // every kind its queries.
    let samples = sample_customers(&store, args.samples.saturating_mul(12), args.seed)?;
    let mut mutator = Mutator {
        rng: ChaCha8Rng::seed_from_u64(args.seed ^ 0x6d69_7373),
        cjk: samples
            .iter()
            .flat_map(|s| {
                s.name
                    .chars()
                    .chain(s.company.iter().flat_map(|c| c.chars()))
            })
            .filter(|&c| is_cjk(c))
            .collect(),
    };
    mutator.cjk.sort_unstable();
    mutator.cjk.dedup();

    let mut kinds = Vec::new();
    // Reference: the plain indexed lookup of one exact normalised phone number.
    {
        let hits: Vec<String> = samples
            .iter()
            .filter_map(|s| s.phone.as_ref().map(|(n, _)| n.clone()))
            .take(args.samples)
            .collect();
        let misses: Vec<String> = (0..hits.len())
            .map(|_| format!("+86{}", national_digits(&mutator.mobile())))
            .collect();
        let mut reference = store
            .phone_reference()
            .context("cannot prepare the reference query")?;
        for (outcome, queries) in [(Outcome::Hit, hits), (Outcome::Miss, misses)] {
            let (times, results, slowest) =
                measure(&store, args.cold, &queries, |q| Ok(reference.count(q)?))?;
            kinds.push(
                figures(
                    "reference: exact phone, plain SQL",
                    Some(outcome),
                    queries.first().cloned().unwrap_or_default(),
                    times,
                    Some(results),
                )
                .slowest(slowest),
            );
        }
    }

    for kind in KINDS {
        let hits: Vec<String> = samples
            .iter()
            .filter_map(kind.hit)
            .take(args.samples)
            .collect();
        let misses = misses(kind, args.samples, &samples, &mut mutator, &oracle, &actor)?;
        for (outcome, queries) in [(Outcome::Hit, hits), (Outcome::Miss, misses)] {
            let (times, results, slowest) = measure(&store, args.cold, &queries, |q| {
                Ok(store.search(&actor, q, args.limit)?.len())
            })?;
            kinds.push(
                figures(
                    kind.label,
                    Some(outcome),
                    queries.first().cloned().unwrap_or_default(),
                    times,
                    Some(results),
                )
                .slowest(slowest),
            );
        }
    }
    Ok(LookupReport {
        customers,
        sampled: samples.len(),
        limit: args.limit,
        cold: args.cold,
        kinds,
    })
}

pub fn print(report: &LookupReport) {
    println!(
        "lookup on {} customers, {} sampled, limit {}, {}",
        report.customers,
        report.sampled,
        report.limit,
        if report.cold {
            "cold (caches dropped before every query)"
        } else {
            "warm"
        }
    );
    println!(
        "{:<38} {:<4} {:>7} {:>7} {:>8} {:>8} {:>8}  example / slowest",
        "kind", "", "queries", "results", "p50 ms", "p99 ms", "max ms"
    );
    for f in &report.kinds {
        println!(
            "{:<38} {:<4} {:>7} {:>7.1} {:>8.3} {:>8} {:>8.3}  {} / {}",
            f.kind,
            f.outcome.map(Outcome::as_str).unwrap_or(""),
            f.samples,
            f.mean_results.unwrap_or(0.0),
            f.p50_ms,
            f.p99_text(),
            f.max_ms,
            f.example,
            f.slowest
        );
    }
    println!("{}", super::bench::P99_NOTE);
}
