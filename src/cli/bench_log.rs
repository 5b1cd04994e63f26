//! `careline bench log`: the interaction log on the operator's screen, measured in-process
//! from key to drawn frame on the current database: opening a customer with a long history,
//! that history in the Log pane, and the desk log with each of its filters.

use std::time::Duration;

use anyhow::{bail, Result};
use chrono::{Duration as Span, Utc};
use clap::Args;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::bench::{figures, Figures};
use super::bench_screen::{memory_kb, press, BenchScreen};
use super::Context;
use crate::domain::customer::{Channel, CustomerFields};
use crate::store::{Actor, NewInteraction, Store};
use crate::tui::app::Focus;
use crate::tui::panes::log;

/// The tag of the customer the benchmark gives a long history.
const BUSY_TAG: &str = "bench-busy";

#[derive(Debug, Args, Clone)]
pub struct LogArgs {
    /// Rounds: each opens the busy customer and its history, then goes through the desk log
    /// and its filters once.
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// Contacts the busy customer has (logged once, the first time, and kept).
    #[arg(long, default_value_t = 200)]
    pub contacts: usize,
    /// Outbound sales the operator `bench.seller` has (logged once, the first time, when you
    /// are an admin): a busy operator who never used the other codes.
    #[arg(long, default_value_t = 5000)]
    pub seller_contacts: usize,
    /// Seed of the filter values.
    #[arg(long, default_value_t = 13)]
    pub seed: u64,
    /// Terminal width to draw.
    #[arg(long, default_value_t = 80)]
    pub width: u16,
    /// Terminal height to draw.
    #[arg(long, default_value_t = 24)]
    pub height: u16,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct LogReport {
    pub customers: i64,
    pub interactions: i64,
    pub size: String,
    pub busy_customer: String,
    pub busy_contacts: usize,
    /// Contacts the benchmark logged for the busy customer in this run (0 once it has them).
    pub logged_now: usize,
    /// Sales of `bench.seller`, the operator who never used another code.
    pub seller_contacts: usize,
    pub steps: Vec<Figures>,
    pub resident_memory_mb: f64,
    pub peak_resident_memory_mb: f64,
}

/// The customer the benchmark opens, with its contacts.
struct Busy {
    id: i64,
    code: String,
    /// Contacts it has.
    contacts: usize,
    /// Of which logged by this run.
    logged_now: usize,
}

/// The busy customer with at least `contacts` contacts, made the first time: a customer
/// tagged `#bench-busy` whose contacts are logged as an operator would, a day or two apart
/// over the last year and more.
fn busy_customer(store: &mut Store, actor: &Actor, contacts: usize) -> Result<Busy> {
    let found = store.search(actor, &format!("#{BUSY_TAG}"), 1)?;
    let (id, code) = match found.first() {
        Some(r) => (r.customer.id, r.customer.code.clone()),
        None => {
            let fields = CustomerFields {
                name: "压测 常来电客户".into(),
                tags: vec![BUSY_TAG.into()],
                notes: Some("Made by `careline bench log`: a customer with a long history.".into()),
                ..CustomerFields::default()
            };
            let saved = store.create_customer(actor, &fields)?;
            (saved.id, saved.code)
        }
    };
    let have = store.contacts_of_customer(id)?;
    let missing = contacts.saturating_sub(have.max(0) as usize);
    // Wrap-up codes that ask for nothing more (no follow-up, complaint or do-not-contact).
    let codes = store.log_rules().plain_codes();
    if missing > 0 && codes.is_empty() {
        bail!("no wrap-up code in [log] needs nothing more; the benchmark cannot log contacts");
    }
    let now = Utc::now();
    for k in 0..missing {
        let channel = Channel::ALL[k % Channel::ALL.len()];
        let started = now - Span::hours(2 + 47 * (missing - k) as i64);
        store.log_interaction(
            actor,
            &NewInteraction::contact(
                id,
                channel,
                &codes[k % codes.len()],
                started,
                started + Span::minutes(4),
                &format!(
                    "第 {} 次来电：询问订单与保修，已说明。Call {} about an order and its warranty.",
                    k + 1,
                    k + 1
                ),
            ),
        )?;
    }
    Ok(Busy {
        id,
        code,
        contacts: have.max(0) as usize + missing,
        logged_now: missing,
    })
}

/// The operator the benchmark gives a narrow history: only sales made by phone.
const SELLER: &str = "bench.seller";

/// Gives the log the case that took a second before the desk log raced its indexes: a busy
/// operator who never used a code that others use often (the demo's operators all use every
/// code). The first run, when the acting operator is an admin, adds `bench.seller` and logs
/// `contacts` outbound sales for them, a few hours apart over the last years, to as many
/// demo customers; later runs find them. Returns how many the seller has (0 when they could
/// not be added).
fn seller(store: &mut Store, actor: &Actor, contacts: usize) -> Result<usize> {
    let seller = match store.operator_by_login(SELLER)? {
        Some(_) => store.actor(SELLER, None)?,
        None if actor.may(crate::store::Permission::AddOperator) => {
            store.add_operator(actor, SELLER, "压测 只做销售", crate::store::Role::Operator)?;
            store.actor(SELLER, None)?
        }
        None => return Ok(0),
    };
    let have = store.contacts_by_operator(seller.id)?;
    let customers = store.highest_customer_id()?;
    if customers == 0 {
        return Ok(have.max(0) as usize);
    }
    let now = Utc::now();
    let missing = contacts.saturating_sub(have.max(0) as usize);
    // Spread over the customers, skipping those an operator may not log a contact with (the
    // confidential ones; a merged record takes the contact for its survivor as usual).
    let mut logged = 0;
    let mut drawn: i64 = 0;
    while logged < missing && drawn < (missing as i64).saturating_mul(4) + customers {
        let id = 1 + (drawn * 7919) % customers;
        drawn += 1;
        match store.customer(&seller, id) {
            Ok(c) if !c.restricted && c.merged_into.is_none() => {}
            Ok(_) | Err(crate::store::StoreError::NotFound(_)) => continue,
            Err(e) => return Err(e.into()),
        }
        let started = now - Span::hours(3 + 5 * (missing - logged) as i64);
        store.log_interaction(
            &seller,
            &NewInteraction::contact(
                id,
                Channel::PhoneOut,
                "sale",
                started,
                started + Span::minutes(6),
                "回访后下单。Ordered after a follow-up call.",
            ),
        )?;
        logged += 1;
    }
    Ok(have.max(0) as usize + logged)
}

/// The steps measured, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    OpenCard,
    History,
    ScrollHistory,
    Desk,
    ScrollDesk,
    DueReplies,
    Mine,
    FilterForm,
    Channel,
    Code,
    Operator,
    OperatorAndCode,
    DateRange,
    Cleared,
    WorstOperatorAndCode,
    BusiestRarestCode,
    BusiestUnusedCode,
    WorstOperatorAndChannel,
    WorstChannelAndCode,
    WorstAllThree,
    BusiestDueReplies,
}

impl Step {
    const ALL: [Step; 21] = [
        Step::OpenCard,
        Step::History,
        Step::ScrollHistory,
        Step::Desk,
        Step::ScrollDesk,
        Step::DueReplies,
        Step::Mine,
        Step::FilterForm,
        Step::Channel,
        Step::Code,
        Step::Operator,
        Step::OperatorAndCode,
        Step::DateRange,
        Step::Cleared,
        Step::WorstOperatorAndCode,
        Step::BusiestRarestCode,
        Step::BusiestUnusedCode,
        Step::WorstOperatorAndChannel,
        Step::WorstChannelAndCode,
        Step::WorstAllThree,
        Step::BusiestDueReplies,
    ];

    fn label(self) -> &'static str {
        match self {
            Step::OpenCard => "open the busy customer's card",
            Step::History => "its history in the Log pane",
            Step::ScrollHistory => "scroll the history",
            Step::Desk => "desk log, newest first",
            Step::ScrollDesk => "desk log, scroll and next page",
            Step::DueReplies => "due replies on / off",
            Step::Mine => "mine on / off",
            Step::FilterForm => "open the filter form",
            Step::Channel => "filter: channel",
            Step::Code => "filter: wrap-up code",
            Step::Operator => "filter: operator",
            Step::OperatorAndCode => "filter: operator + wrap-up code",
            Step::DateRange => "filter: date range",
            Step::Cleared => "filter: cleared",
            Step::WorstOperatorAndCode => "worst: operator + wrap-up code",
            Step::BusiestRarestCode => "worst: busiest operator + rarest code",
            Step::BusiestUnusedCode => "worst: busiest operator + unused code",
            Step::WorstOperatorAndChannel => "worst: operator + channel",
            Step::WorstChannelAndCode => "worst: channel + wrap-up code",
            Step::WorstAllThree => "worst: operator + channel + code",
            Step::BusiestDueReplies => "worst: due replies of busiest operator",
        }
    }

    /// The worst cases: filters chosen from the whole log so that the page is slowest to find.
    fn is_worst(self) -> bool {
        (self as usize) >= (Step::WorstOperatorAndCode as usize)
    }
}

/// The key-to-frame times of each step, in the order of [`Step::ALL`].
struct Steps([Vec<Duration>; Step::ALL.len()]);

impl Steps {
    fn add(&mut self, step: Step, time: Duration) {
        self.0[step as usize].push(time);
    }
}

/// Which column a desk-log filter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dim {
    Code,
    Channel,
    Operator,
}

impl Dim {
    fn form_key(self) -> &'static str {
        match self {
            Dim::Code => "disposition",
            Dim::Channel => "channel",
            Dim::Operator => "operator",
        }
    }
}

/// Rows of a desk-log page (`tui/app/log_view.rs`).
const PAGE: i64 = 60;

/// The log's contacts counted by operator, channel and wrap-up code, from one pass over them
/// (not timed), to find the filters that are slowest to answer.
struct Facets {
    counts: Vec<([String; 3], i64)>,
    codes: Vec<String>,
    logins: Vec<String>,
}

type Filter = Vec<(Dim, String)>;

impl Facets {
    fn load(store: &Store, codes: &[String], logins: &[String]) -> Result<Facets> {
        let counts = store
            .log_facets()?
            .into_iter()
            .map(|facet| (facet.values, facet.contacts))
            .collect();
        Ok(Facets {
            counts,
            codes: codes.to_vec(),
            logins: logins.to_vec(),
        })
    }

    fn values(&self, dim: Dim) -> Vec<String> {
        match dim {
            Dim::Code => self.codes.clone(),
            Dim::Channel => Channel::ALL
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
            Dim::Operator => self.logins.clone(),
        }
    }

    /// Contacts matching every equality of `filter`.
    fn count(&self, filter: &[(Dim, String)]) -> i64 {
        self.counts
            .iter()
            .filter(|(key, _)| filter.iter().all(|(dim, v)| key[*dim as usize] == *v))
            .map(|(_, n)| n)
            .sum()
    }

    /// Index entries read to fill the first page, at most. The desk log reads the named
    /// values' indexes a chunk at a time, each next chunk from the one finding matches fastest,
    /// until one fills the page or runs out (`Store::desk_log_race`): at most about as many
    /// entries from each as the quickest needs, which is all of its entries when fewer than a
    /// page match together.
    fn cost(&self, filter: &[(Dim, String)]) -> f64 {
        let together = self.count(filter);
        let quickest = filter
            .iter()
            .map(|eq| {
                let n = self.count(std::slice::from_ref(eq)) as f64;
                if together < PAGE {
                    n
                } else {
                    n * PAGE as f64 / together as f64
                }
            })
            .fold(f64::INFINITY, f64::min);
        if filter.is_empty() {
            0.0
        } else {
            quickest * filter.len() as f64
        }
    }

    /// Of every combination of values of `dims`, the slowest.
    fn worst(&self, dims: &[Dim]) -> Option<Filter> {
        let mut filters: Vec<Filter> = vec![Vec::new()];
        for &dim in dims {
            filters = filters
                .into_iter()
                .flat_map(|f| {
                    self.values(dim).into_iter().map(move |v| {
                        let mut f = f.clone();
                        f.push((dim, v));
                        f
                    })
                })
                .collect();
        }
        filters
            .into_iter()
            .max_by(|a, b| self.cost(a).total_cmp(&self.cost(b)))
    }

    fn busiest(&self) -> Option<String> {
        self.logins
            .iter()
            .max_by_key(|l| self.count(&[(Dim::Operator, (*l).clone())]))
            .cloned()
    }

    /// How a filter reads in the report: each value with its own count, and the count of
    /// contacts matching them all.
    fn describe(&self, filter: &[(Dim, String)]) -> String {
        let parts: Vec<String> = filter
            .iter()
            .map(|eq| format!("{} ({})", eq.1, self.count(std::slice::from_ref(eq))))
            .collect();
        match filter {
            [_] => format!("{} contacts", parts.join("")),
            _ => format!("{} -> {} together", parts.join(" + "), self.count(filter)),
        }
    }
}

/// The filters of the worst-case steps, each with its description; None where the log has
/// no such case (every code used by the busiest operator, say).
fn worst_filters(facets: &Facets) -> Vec<(Step, Option<Filter>)> {
    let busiest = facets.busiest();
    let by_busiest = |pick: &dyn Fn(i64) -> bool, rarest: bool| -> Option<Filter> {
        let login = busiest.clone()?;
        facets
            .codes
            .iter()
            .map(|c| {
                let f = vec![(Dim::Operator, login.clone()), (Dim::Code, c.clone())];
                (facets.count(&f), facets.count(&[(Dim::Code, c.clone())]), f)
            })
            .filter(|(together, _, _)| pick(*together))
            .max_by_key(|(together, overall, _)| {
                if rarest {
                    (-together, *overall)
                } else {
                    (0, *overall)
                }
            })
            .map(|(_, _, f)| f)
    };
    vec![
        (
            Step::WorstOperatorAndCode,
            facets.worst(&[Dim::Operator, Dim::Code]),
        ),
        (Step::BusiestRarestCode, by_busiest(&|n| n > 0, true)),
        (Step::BusiestUnusedCode, by_busiest(&|n| n == 0, false)),
        (
            Step::WorstOperatorAndChannel,
            facets.worst(&[Dim::Operator, Dim::Channel]),
        ),
        (
            Step::WorstChannelAndCode,
            facets.worst(&[Dim::Channel, Dim::Code]),
        ),
        (
            Step::WorstAllThree,
            facets.worst(&[Dim::Operator, Dim::Channel, Dim::Code]),
        ),
        (
            Step::BusiestDueReplies,
            busiest.map(|l| vec![(Dim::Operator, l)]),
        ),
    ]
}

/// A worst case is no longer measured once five runs put its median past this: it is not
/// met, and more rounds would only make the benchmark take minutes.
const HOPELESS: Duration = Duration::from_millis(250);

fn hopeless(times: &[Duration]) -> bool {
    if times.len() < 5 {
        return false;
    }
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2] > HOPELESS
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Opens the filter form (measured), fills it and applies it with Ctrl-S (measured as `step`).
fn filter(
    screen: &mut BenchScreen,
    steps: &mut Steps,
    step: Option<Step>,
    values: &[(&str, &str)],
) -> Result<()> {
    steps.add(Step::FilterForm, screen.key(press(KeyCode::Char('f')))?);
    let Some(form) = screen.app.form_mut() else {
        bail!("`f` on the desk log did not open the filter form");
    };
    for key in ["operator", "channel", "disposition", "from", "to"] {
        form.set(key, "");
    }
    for (key, value) in values {
        form.set(key, value);
    }
    let time = screen.key(ctrl('s'))?;
    if let Some(step) = step {
        steps.add(step, time);
    }
    if screen.app.form().is_some() {
        bail!("the filter {values:?} was refused");
    }
    Ok(())
}

pub fn run(ctx: &Context, args: &LogArgs) -> Result<LogReport> {
    if args.samples == 0 || args.width == 0 || args.height == 0 || args.contacts == 0 {
        bail!("--samples, --contacts, --width and --height must be at least 1");
    }
    let mut screen = BenchScreen::open(ctx, args.width, args.height)?;
    let actor = screen.app.desk.actor.clone();
    let busy = busy_customer(&mut screen.app.desk.store, &actor, args.contacts)?;
    let seller_contacts = seller(&mut screen.app.desk.store, &actor, args.seller_contacts)?;
    // Contacts are never deleted (the database refuses it), so the highest id counts them
    // without reading the table.
    let interactions = screen.app.desk.store.highest_interaction_id()?;
    let customers = screen.app.desk.store.customer_count()?;
    let logins: Vec<String> = screen
        .app
        .desk
        .store
        .operators()?
        .into_iter()
        .map(|o| o.login)
        .collect();
    let codes: Vec<String> = screen
        .app
        .desk
        .store
        .log_rules()
        .dispositions
        .iter()
        .map(|d| d.code.clone())
        .collect();
    let facets = Facets::load(&screen.app.desk.store, &codes, &logins)?;
    let worst = worst_filters(&facets);
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut steps = Steps(std::array::from_fn(|_| Vec::new()));
    screen.draw()?;

    for round in 0..args.samples {
        // The caller: typed into the lookup (not measured here; `bench screen` does), opened.
        screen.app.handle_key(press(KeyCode::F(1)));
        if screen.app.focus() != Focus::Search {
            screen.app.handle_key(press(KeyCode::Char('/')));
        }
        if !screen.app.lookup().input.value().is_empty() {
            screen.app.handle_key(press(KeyCode::Esc));
        }
        for c in busy.code.chars() {
            screen.app.handle_key(press(KeyCode::Char(c)));
        }
        screen.draw()?;
        steps.add(Step::OpenCard, screen.key(press(KeyCode::Enter))?);
        if screen.app.card().map(|c| c.customer.id) != Some(busy.id) {
            bail!(
                "looking up {} did not open its card (the lookup found {} customers)",
                busy.code,
                screen.app.lookup().results.len()
            );
        }
        steps.add(Step::History, screen.key(press(KeyCode::F(2)))?);
        if screen.app.tab() != log::ID || screen.app.log().rows.len() < busy.contacts {
            bail!(
                "the Log pane did not show the {} contacts of {}",
                busy.contacts,
                busy.code
            );
        }
        for key in [
            KeyCode::PageDown,
            KeyCode::PageDown,
            KeyCode::Down,
            KeyCode::End,
            KeyCode::Home,
        ] {
            steps.add(Step::ScrollHistory, screen.key(press(key))?);
        }
        // Esc goes back to the card and Esc closes it (not measured); F2 shows the desk's log.
        screen.key(press(KeyCode::Esc))?;
        screen.key(press(KeyCode::Esc))?;
        if screen.app.card().is_some() {
            bail!("Esc, Esc from the history did not close the card");
        }
        steps.add(Step::Desk, screen.key(press(KeyCode::F(2)))?);
        if screen.app.tab() != log::ID || screen.app.log().customer.is_some() {
            bail!("F2 without a card did not show the desk log");
        }
        for key in [
            KeyCode::PageDown,
            KeyCode::End,
            KeyCode::Down,
            KeyCode::End,
            KeyCode::Down,
        ] {
            steps.add(Step::ScrollDesk, screen.key(press(key))?);
        }
        screen.key(press(KeyCode::Home))?;
        for _ in 0..2 {
            steps.add(Step::DueReplies, screen.key(press(KeyCode::Char('u')))?);
            steps.add(Step::Mine, screen.key(press(KeyCode::Char('m')))?);
        }
        let channel = Channel::ALL[round % Channel::ALL.len()].as_str();
        filter(
            &mut screen,
            &mut steps,
            Some(Step::Channel),
            &[("channel", channel)],
        )?;
        let code = codes[round % codes.len()].as_str();
        filter(
            &mut screen,
            &mut steps,
            Some(Step::Code),
            &[("disposition", code)],
        )?;
        let login = logins[round % logins.len()].as_str();
        filter(
            &mut screen,
            &mut steps,
            Some(Step::Operator),
            &[("operator", login)],
        )?;
        filter(
            &mut screen,
            &mut steps,
            Some(Step::OperatorAndCode),
            &[("operator", login), ("disposition", code)],
        )?;
        let today = screen.app.desk.now.date_naive();
        let from = today - Span::days(rng.random_range(7..730));
        let to = from + Span::days(rng.random_range(0..14));
        filter(
            &mut screen,
            &mut steps,
            Some(Step::DateRange),
            &[("from", &from.to_string()), ("to", &to.to_string())],
        )?;
        filter(&mut screen, &mut steps, Some(Step::Cleared), &[])?;
        for (step, worst) in &worst {
            let Some(worst) = worst else { continue };
            if hopeless(&steps.0[*step as usize]) {
                continue;
            }
            let values: Vec<(&str, &str)> = worst
                .iter()
                .map(|(dim, value)| (dim.form_key(), value.as_str()))
                .collect();
            if *step == Step::BusiestDueReplies {
                filter(&mut screen, &mut steps, None, &values)?;
                steps.add(*step, screen.key(press(KeyCode::Char('u')))?);
                screen.key(press(KeyCode::Char('u')))?;
            } else {
                filter(&mut screen, &mut steps, Some(*step), &values)?;
            }
        }
        filter(&mut screen, &mut steps, None, &[])?;
    }

    let examples: Vec<String> = Step::ALL
        .iter()
        .map(|step| match worst.iter().find(|(s, _)| s == step) {
            Some((_, Some(f))) => facets.describe(f),
            Some((_, None)) => "no such case in this log".into(),
            None => String::new(),
        })
        .collect();
    Ok(LogReport {
        customers,
        interactions,
        size: format!("{}x{}", args.width, args.height),
        busy_customer: busy.code,
        busy_contacts: busy.contacts,
        logged_now: busy.logged_now,
        seller_contacts,
        steps: Step::ALL
            .iter()
            .zip(steps.0)
            .zip(examples)
            .map(|((step, times), example)| {
                let mut f = figures(step.label(), None, example, times, None);
                f.stopped_early = step.is_worst() && f.samples > 0 && f.samples < args.samples;
                f
            })
            .collect(),
        resident_memory_mb: memory_kb("VmRSS:").unwrap_or(0) as f64 / 1024.0,
        peak_resident_memory_mb: memory_kb("VmHWM:").unwrap_or(0) as f64 / 1024.0,
    })
}

pub fn print(report: &LogReport) {
    println!(
        "log on {} customers, {} contacts, at {}; {} has {} contacts{}",
        report.customers,
        report.interactions,
        report.size,
        report.busy_customer,
        report.busy_contacts,
        if report.logged_now > 0 {
            format!(" ({} logged now for this benchmark)", report.logged_now)
        } else {
            String::new()
        }
    );
    println!(
        "{:<40} {:>5} {:>9} {:>9} {:>9}  filter",
        "key to drawn frame", "keys", "p50 ms", "p99 ms", "max ms"
    );
    for f in &report.steps {
        println!(
            "{:<40} {:>5} {:>9.3} {:>9} {:>9.3}  {}{}",
            f.kind,
            f.samples,
            f.p50_ms,
            f.p99_text(),
            f.max_ms,
            f.example,
            if f.stopped_early {
                " (stopped: median past 250 ms)"
            } else {
                ""
            }
        );
    }
    println!(
        "resident memory {:.1} MB now, {:.1} MB peak",
        report.resident_memory_mb, report.peak_resident_memory_mb
    );
    println!("{}", super::bench::P99_NOTE);
}
