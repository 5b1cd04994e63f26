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

use super::bench::{figures, KindFigures};
use super::bench_screen::{memory_kb, press, BenchScreen};
use super::{print_json, Context};
use crate::domain::customer::{Channel, CustomerFields};
use crate::domain::interaction::DispositionFlag;
use crate::store::{Actor, NewInteraction, Store};
use crate::tui::app::{Focus, Pane};

/// The tag of the customer the benchmark gives a long history.
const BUSY_TAG: &str = "bench-busy";

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Rounds: each opens the busy customer and its history, then goes through the desk log
    /// and its filters once.
    #[arg(long, default_value_t = 40)]
    pub samples: usize,
    /// Contacts the busy customer has (logged once, the first time, and kept).
    #[arg(long, default_value_t = 200)]
    pub contacts: usize,
    /// Seed of the filter values.
    #[arg(long, default_value_t = 13)]
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

#[derive(Debug, Serialize)]
struct LogReport {
    customers: i64,
    interactions: i64,
    size: String,
    busy_customer: String,
    busy_contacts: usize,
    /// Contacts the benchmark logged for the busy customer in this run (0 once it has them).
    logged_now: usize,
    steps: Vec<KindFigures>,
    resident_memory_mb: f64,
    peak_resident_memory_mb: f64,
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
    let have: i64 = store.conn().query_row(
        "SELECT count(*) FROM interactions WHERE customer_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let missing = contacts.saturating_sub(have.max(0) as usize);
    // Wrap-up codes that ask for nothing more (no follow-up, complaint or do-not-contact).
    let codes: Vec<String> = store
        .log_rules()
        .dispositions
        .iter()
        .filter(|d| {
            !d.has(DispositionFlag::Callback)
                && !d.has(DispositionFlag::Complaint)
                && !d.has(DispositionFlag::DoNotContact)
        })
        .map(|d| d.code.clone())
        .collect();
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

/// The steps measured, in the order they are reported.
#[derive(Debug, Clone, Copy)]
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
}

impl Step {
    const ALL: [Step; 14] = [
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
        }
    }
}

/// The key-to-frame times of each step, in the order of [`Step::ALL`].
struct Steps([Vec<Duration>; Step::ALL.len()]);

impl Steps {
    fn add(&mut self, step: Step, time: Duration) {
        self.0[step as usize].push(time);
    }
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Opens the filter form (measured), fills it and applies it with Ctrl-S (measured as `step`).
fn filter(
    screen: &mut BenchScreen,
    steps: &mut Steps,
    step: Step,
    values: &[(&str, &str)],
) -> Result<()> {
    steps.add(Step::FilterForm, screen.key(press(KeyCode::Char('f')))?);
    let Some(form) = screen.app.form.as_mut() else {
        bail!("`f` on the desk log did not open the filter form");
    };
    for key in ["operator", "channel", "disposition", "from", "to"] {
        form.set(key, "");
    }
    for (key, value) in values {
        form.set(key, value);
    }
    steps.add(step, screen.key(ctrl('s'))?);
    if screen.app.form.is_some() {
        bail!("the filter {values:?} was refused");
    }
    Ok(())
}

pub fn log(ctx: &Context, args: LogArgs) -> Result<()> {
    if args.samples == 0 || args.width == 0 || args.height == 0 || args.contacts == 0 {
        bail!("--samples, --contacts, --width and --height must be at least 1");
    }
    let mut screen = BenchScreen::open(ctx, args.width, args.height)?;
    let actor = screen.app.actor.clone();
    let busy = busy_customer(&mut screen.app.store, &actor, args.contacts)?;
    // Contacts are never deleted (the database refuses it), so the highest id counts them
    // without reading the table.
    let interactions: i64 = screen.app.store.conn().query_row(
        "SELECT coalesce(max(id), 0) FROM interactions",
        [],
        |r| r.get(0),
    )?;
    let customers = screen.app.store.customer_count()?;
    let logins: Vec<String> = screen
        .app
        .store
        .operators()?
        .into_iter()
        .map(|o| o.login)
        .collect();
    let codes: Vec<String> = screen
        .app
        .store
        .log_rules()
        .dispositions
        .iter()
        .map(|d| d.code.clone())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut steps = Steps(std::array::from_fn(|_| Vec::new()));
    screen.draw()?;

    for round in 0..args.samples {
        // The caller: typed into the lookup (not measured here; `bench screen` does), opened.
        screen.app.handle_key(press(KeyCode::F(1)));
        if screen.app.focus != Focus::Search {
            screen.app.handle_key(press(KeyCode::Char('/')));
        }
        if !screen.app.lookup.input.value().is_empty() {
            screen.app.handle_key(press(KeyCode::Esc));
        }
        for c in busy.code.chars() {
            screen.app.handle_key(press(KeyCode::Char(c)));
        }
        screen.draw()?;
        steps.add(Step::OpenCard, screen.key(press(KeyCode::Enter))?);
        if screen.app.card.as_ref().map(|c| c.customer.id) != Some(busy.id) {
            bail!(
                "looking up {} did not open its card (the lookup found {} customers)",
                busy.code,
                screen.app.lookup.results.len()
            );
        }
        steps.add(Step::History, screen.key(press(KeyCode::F(2)))?);
        if screen.app.pane != Pane::Log || screen.app.log.rows.len() < busy.contacts {
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
        if screen.app.card.is_some() {
            bail!("Esc, Esc from the history did not close the card");
        }
        steps.add(Step::Desk, screen.key(press(KeyCode::F(2)))?);
        if screen.app.pane != Pane::Log || screen.app.log.customer.is_some() {
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
            Step::Channel,
            &[("channel", channel)],
        )?;
        let code = codes[round % codes.len()].as_str();
        filter(
            &mut screen,
            &mut steps,
            Step::Code,
            &[("disposition", code)],
        )?;
        let login = logins[round % logins.len()].as_str();
        filter(
            &mut screen,
            &mut steps,
            Step::Operator,
            &[("operator", login)],
        )?;
        filter(
            &mut screen,
            &mut steps,
            Step::OperatorAndCode,
            &[("operator", login), ("disposition", code)],
        )?;
        let today = screen.app.now.date_naive();
        let from = today - Span::days(rng.random_range(7..730));
        let to = from + Span::days(rng.random_range(0..14));
        filter(
            &mut screen,
            &mut steps,
            Step::DateRange,
            &[("from", &from.to_string()), ("to", &to.to_string())],
        )?;
        filter(&mut screen, &mut steps, Step::Cleared, &[])?;
    }

    let report = LogReport {
        customers,
        interactions,
        size: format!("{}x{}", args.width, args.height),
        busy_customer: busy.code,
        busy_contacts: busy.contacts,
        logged_now: busy.logged_now,
        steps: Step::ALL
            .iter()
            .zip(steps.0)
            .map(|(step, times)| figures(step.label(), String::new(), times, None))
            .collect(),
        resident_memory_mb: memory_kb("VmRSS:").unwrap_or(0) as f64 / 1024.0,
        peak_resident_memory_mb: memory_kb("VmHWM:").unwrap_or(0) as f64 / 1024.0,
    };
    if args.json {
        return print_json(&report);
    }
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
        "{:<34} {:>6} {:>9} {:>9} {:>9}",
        "key to drawn frame", "keys", "p50 ms", "p99 ms", "max ms"
    );
    for f in &report.steps {
        println!(
            "{:<34} {:>6} {:>9.3} {:>9.3} {:>9.3}",
            f.kind, f.queries, f.p50_ms, f.p99_ms, f.max_ms
        );
    }
    let all: Vec<f64> = report.steps.iter().map(|f| f.p99_ms).collect();
    println!(
        "worst p99 {:.3} ms; resident memory {:.1} MB now, {:.1} MB peak",
        all.iter().copied().fold(0.0, f64::max),
        report.resident_memory_mb,
        report.peak_resident_memory_mb
    );
    Ok(())
}
