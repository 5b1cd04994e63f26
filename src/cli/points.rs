//! `careline points show|history|redeem|expire` (loyalty points) and `careline value refresh`
//! (every customer's purchase figures, tier, lifetime value, churn risk and RFM, for cron).
//! The rules are in docs/REPORTS.md, "Value and loyalty".

use anyhow::{anyhow, Result};
use chrono::{Local, NaiveDate};
use clap::{Args, Subcommand};

use super::{print_json, Context};
use crate::domain::customer::Channel;
use crate::domain::tier::format_money;
use crate::text::sanitize;

#[derive(Debug, Subcommand)]
pub enum PointsCommand {
    /// A customer's balance, member level, birthday perk and next expiry.
    Show(CustomerArgs),
    /// A customer's points ledger, newest first, with the balance after each row.
    History(CustomerArgs),
    /// Redeem points: logged as a contact with the customer and written to the ledger;
    /// refused when it is more than the balance.
    Redeem(RedeemArgs),
    /// Write off the points that have expired (`[loyalty] expiry_months` after they were
    /// earned, oldest first). Safe to run again or twice at once: for cron, daily.
    Expire(DateArgs),
}

#[derive(Debug, Subcommand)]
pub enum ValueCommand {
    /// Recompute every customer's 12-month spend and orders, tier, churn risk and lifetime
    /// value as of a day, and the RFM quintiles over all of them: for cron, nightly.
    Refresh(DateArgs),
}

#[derive(Debug, Args)]
pub struct CustomerArgs {
    /// Customer code, id, or a phone or email held by one customer.
    #[arg(long)]
    pub customer: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RedeemArgs {
    /// Customer code, id, or a phone or email held by one customer.
    #[arg(long)]
    pub customer: String,
    /// How many points.
    #[arg(long)]
    pub points: i64,
    /// What the points pay for (kept in the ledger and the contact's summary).
    #[arg(long)]
    pub reason: String,
    /// The channel the customer asked on: phone_in (default), phone_out, email, chat, sms,
    /// social, visit.
    #[arg(long, default_value = "phone_in")]
    pub channel: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DateArgs {
    /// The day, YYYY-MM-DD (default: today in the centre's time zone).
    #[arg(long)]
    pub date: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn day_of(date: &Option<String>, today: NaiveDate) -> Result<NaiveDate> {
    match date {
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| anyhow!("--date: '{text}' is not a date; write it as 2026-11-26")),
        None => Ok(today),
    }
}

pub fn run(ctx: &Context, cmd: PointsCommand) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    match cmd {
        PointsCommand::Show(args) => {
            let id = store.resolve_customer(&args.customer)?;
            let b = store.points_balance(&actor, id)?;
            if args.json {
                return print_json(&b);
            }
            println!("{} {}", sanitize(&b.code), sanitize(&b.name));
            println!("  balance       {} points", b.balance);
            println!(
                "  member level  {} ({}), 12-month spend ¥{}",
                sanitize(&b.member_level_en),
                sanitize(&b.member_level_zh),
                format_money(b.spend_12m_cents)
            );
            if b.birthday_perk {
                println!("  birthday perk this month");
            }
            match b.next_expiry {
                Some(e) => println!("  next expiry   {} points on {}", e.points, e.on),
                None => println!("  next expiry   none"),
            }
        }
        PointsCommand::History(args) => {
            let id = store.resolve_customer(&args.customer)?;
            let rows = store.points_history(&actor, id)?;
            if args.json {
                return print_json(&rows);
            }
            if rows.is_empty() {
                println!("No points yet for customer {}.", sanitize(&args.customer));
            }
            for e in rows {
                println!(
                    "{}  {:<12} {:>+8} {:>9}  {:<10} {}",
                    e.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
                    e.kind,
                    e.delta,
                    e.balance,
                    sanitize(e.operator.as_deref().unwrap_or("—")),
                    sanitize(&e.reason)
                );
            }
        }
        PointsCommand::Redeem(args) => {
            let channel: Channel = args
                .channel
                .parse()
                .map_err(|e| anyhow!("--channel: {e}"))?;
            let id = store.resolve_customer(&args.customer)?;
            let done = store.redeem_points(&actor, id, args.points, &args.reason, channel)?;
            if args.json {
                return print_json(&done);
            }
            println!(
                "Redeemed {} points for {} (contact {}); balance now {} points.",
                done.points,
                sanitize(&done.code),
                done.interaction_id,
                done.balance
            );
        }
        PointsCommand::Expire(args) => {
            let day = day_of(&args.date, store.care_today())?;
            let done = store.expire_points(&actor, day)?;
            if args.json {
                return print_json(&done);
            }
            println!(
                "Points expired on {day}: {} points from {}.",
                done.points,
                super::counted(done.customers as usize, "customer", "customers")
            );
        }
    }
    Ok(())
}

pub fn run_value(ctx: &Context, cmd: ValueCommand) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    match cmd {
        ValueCommand::Refresh(args) => {
            let day = day_of(&args.date, store.care_today())?;
            let done = store.refresh_values(&actor, day)?;
            if args.json {
                return print_json(&done);
            }
            println!(
                "Customer values as of {day}: {} refreshed, {} given RFM scores.",
                super::counted(done.customers as usize, "customer", "customers"),
                done.rfm_scored
            );
        }
    }
    Ok(())
}
