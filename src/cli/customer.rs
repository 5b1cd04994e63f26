//! `careline search` and `careline customer add|show|edit|merge`.

use anyhow::{bail, Result};
use chrono::{Local, NaiveDate};
use clap::{Args, Subcommand};

use super::{print_json, Context};
use crate::domain::contact::ContactKind;
use crate::domain::customer::{normalize_tag, ContactInput, CustomerFields, FieldError};
use crate::domain::date_input::parse_date;
use crate::domain::tier::format_money;
use crate::store::{Customer, StoreError};
use crate::text::{counted, sanitize, sanitize_multiline};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Phone number or its last 4+ digits, name or part of it, pinyin or initials, email,
    /// customer code, #tag, or company.
    pub query: String,
    /// Print results as JSON.
    #[arg(long)]
    pub json: bool,
    /// At most this many results.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// Add a customer. Duplicate phones or emails are reported, not refused.
    Add(CustomerArgs),
    /// Show everything held about a customer (the view is audited).
    Show {
        /// Customer code, id, or a phone or email held by one customer.
        customer: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change a customer. Only the fields given change; an empty value clears a field.
    Edit {
        /// Customer code, id, or a phone or email held by one customer.
        customer: String,
        /// Refuse the edit when the record is no longer at this version (see `show --json`).
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        fields: CustomerArgs,
    },
    /// Everything held about one person, as JSON (a data-subject request): their record,
    /// contacts, consent, purchases, points, contacts logged, complaints with events,
    /// reminders, surveys, and who viewed or changed it. Needs the privacy permission.
    Export {
        /// Customer code, id, or a phone or email held by one customer.
        customer: String,
        /// Write to this file (created readable by you only; an existing file is not
        /// replaced) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Erase a customer for good: their name, numbers, addresses and every quote of them are
    /// removed from the database and its log; counts, amounts, dates and codes stay for the
    /// figures. Needs the privacy permission; asks to confirm on a terminal.
    Erase {
        /// Customer code, id, or a phone or email held by one customer.
        customer: String,
        /// Do not ask (for scripts).
        #[arg(long)]
        yes: bool,
        /// Print what was erased as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Merge OTHER into KEEP: contacts, purchases, interactions, complaints and reminders move
    /// to KEEP; OTHER stays as a tombstone pointing to it.
    Merge {
        /// The record that stays: code, id, phone or email.
        keep: String,
        /// The record merged into KEEP: code, id, phone or email.
        other: String,
        /// Print what moved as JSON instead of a sentence.
        #[arg(long)]
        json: bool,
    },
}

/// Every customer field as a flag. Dates take YYYY-MM-DD, today, +3d …; yes/no flags may be
/// given bare (`--do-not-contact`) or with a value (`--do-not-contact false`).
#[derive(Debug, Args, Default)]
pub struct CustomerArgs {
    /// The customer's name (required on add; at most 100 characters).
    #[arg(long)]
    pub name: Option<String>,
    /// Customer code (assigned when left out).
    #[arg(long)]
    pub code: Option<String>,
    /// individual, enterprise or public_sector.
    #[arg(long)]
    pub kind: Option<String>,
    /// Company or organisation name.
    #[arg(long)]
    pub company: Option<String>,
    /// The company's industry.
    #[arg(long)]
    pub industry: Option<String>,
    /// The company's size (headcount band, as your centre writes it).
    #[arg(long)]
    pub company_size: Option<String>,
    /// The customer's occupation.
    #[arg(long)]
    pub occupation: Option<String>,
    /// The customer's income band (as your centre writes it).
    #[arg(long)]
    pub income_band: Option<String>,
    /// Date of birth, YYYY-MM-DD.
    #[arg(long)]
    pub birthday: Option<String>,
    /// Region or city.
    #[arg(long)]
    pub region: Option<String>,
    /// Postal address.
    #[arg(long)]
    pub address: Option<String>,
    /// walk_in, website, referral, cold_outreach, partner or event.
    #[arg(long)]
    pub source: Option<String>,
    /// normal or vip (supervisors).
    #[arg(long)]
    pub level: Option<String>,
    /// none or member.
    #[arg(long)]
    pub membership: Option<String>,
    /// When the membership ends, YYYY-MM-DD (a renewal call is due before it).
    #[arg(long)]
    pub membership_expiry: Option<String>,
    /// temporary or member.
    #[arg(long)]
    pub stability: Option<String>,
    /// An internal customer (a colleague or another part of the company), not an external one.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub internal: Option<bool>,
    /// Interests, free text.
    #[arg(long)]
    pub interests: Option<String>,
    /// Preferences, free text (how they like to be served).
    #[arg(long)]
    pub preferences: Option<String>,
    /// phone_in, phone_out, email, chat, sms, social or visit.
    #[arg(long)]
    pub preferred_channel: Option<String>,
    /// When they like to be called, free text (上午, weekdays after 18:00 …).
    #[arg(long)]
    pub preferred_time: Option<String>,
    /// Login of the owning operator.
    #[arg(long)]
    pub owner: Option<String>,
    /// Confidential: only operators given access see the record.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub confidential: Option<bool>,
    /// Do not contact: no outbound reminders or campaigns.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub do_not_contact: Option<bool>,
    /// Marketing consent given (true) or withdrawn (false); needs --consent-channel.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub marketing_consent: Option<bool>,
    /// When consent was given or withdrawn, YYYY-MM-DD (today when left out).
    #[arg(long)]
    pub consent_date: Option<String>,
    /// How consent given or withdrawn came: phone, sms, email, wechat, in_person, web, paper
    /// (needed with every change of --marketing-consent).
    #[arg(long)]
    pub consent_channel: Option<String>,
    /// Notes about the customer, free text.
    #[arg(long)]
    pub notes: Option<String>,
    /// When the profile was last checked with the customer, YYYY-MM-DD.
    #[arg(long)]
    pub last_verified: Option<String>,
    /// Phone numbers (repeatable); on edit they replace the customer's phones.
    #[arg(long)]
    pub phone: Vec<String>,
    /// Email addresses (repeatable); on edit they replace the customer's emails.
    #[arg(long)]
    pub email: Vec<String>,
    /// WeChat IDs (repeatable); on edit they replace the customer's WeChat IDs.
    #[arg(long)]
    pub wechat: Vec<String>,
    /// Tags (repeatable); on edit they replace the customer's tags.
    #[arg(long)]
    pub tag: Vec<String>,
    /// On edit: add a tag, keeping the others.
    #[arg(long)]
    pub add_tag: Vec<String>,
    /// On edit: remove a tag.
    #[arg(long)]
    pub remove_tag: Vec<String>,
    /// On edit: add a phone number, keeping the others.
    #[arg(long)]
    pub add_phone: Vec<String>,
}

fn text(value: &Option<String>, target: &mut Option<String>) {
    if let Some(v) = value {
        *target = Some(v.trim().to_string()).filter(|v| !v.is_empty());
    }
}

fn choice<T: std::str::FromStr<Err = crate::domain::UnknownValue>>(
    field: &str,
    value: &Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<Option<T>> {
    choice_by(field, value, errors, str::parse)
}

/// A vocabulary flag read with `parse`: None when not given, Some(None) when given empty (it
/// clears the field), and an unknown word reported against `field`.
fn choice_by<T>(
    field: &str,
    value: &Option<String>,
    errors: &mut Vec<FieldError>,
    parse: impl Fn(&str) -> Result<T, crate::domain::UnknownValue>,
) -> Option<Option<T>> {
    let v = value.as_deref()?;
    if v.trim().is_empty() {
        return Some(None);
    }
    match parse(v) {
        Ok(parsed) => Some(Some(parsed)),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

fn date(
    field: &str,
    value: &Option<String>,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) -> Option<Option<NaiveDate>> {
    let v = value.as_deref()?;
    if v.trim().is_empty() {
        return Some(None);
    }
    match parse_date(v, today) {
        Ok(d) => Some(Some(d)),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

fn replace_contacts(fields: &mut CustomerFields, kind: ContactKind, values: &[String]) {
    if values.is_empty() {
        return;
    }
    fields.contacts.retain(|c| c.kind != kind);
    fields.contacts.extend(values.iter().map(|v| ContactInput {
        kind,
        value: v.clone(),
        label: None,
    }));
}

impl CustomerArgs {
    /// Applies the given flags over `fields`; every unreadable flag is reported.
    pub fn apply(
        &self,
        fields: &mut CustomerFields,
        today: NaiveDate,
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(name) = &self.name {
            fields.name = name.trim().to_string();
        }
        text(&self.code, &mut fields.code);
        text(&self.company, &mut fields.company);
        text(&self.industry, &mut fields.industry);
        text(&self.company_size, &mut fields.company_size);
        text(&self.occupation, &mut fields.occupation);
        text(&self.income_band, &mut fields.income_band);
        text(&self.region, &mut fields.region);
        text(&self.address, &mut fields.address);
        text(&self.interests, &mut fields.interests);
        text(&self.preferences, &mut fields.preferences);
        text(&self.preferred_time, &mut fields.preferred_time);
        text(&self.owner, &mut fields.owner);
        text(&self.notes, &mut fields.notes);
        if let Some(kind) = choice("kind", &self.kind, &mut errors) {
            fields.kind = kind.unwrap_or_default();
        }
        if let Some(level) = choice("level", &self.level, &mut errors) {
            fields.level = level.unwrap_or_default();
        }
        if let Some(membership) = choice("membership", &self.membership, &mut errors) {
            fields.membership = membership.unwrap_or_default();
        }
        if let Some(source) = choice("source", &self.source, &mut errors) {
            fields.source = source;
        }
        if let Some(stability) = choice("stability", &self.stability, &mut errors) {
            fields.stability = stability;
        }
        if let Some(channel) = choice("preferred_channel", &self.preferred_channel, &mut errors) {
            fields.preferred_channel = channel;
        }
        if let Some(d) = date("birthday", &self.birthday, today, &mut errors) {
            fields.birthday = d;
        }
        if let Some(d) = date(
            "membership_expiry",
            &self.membership_expiry,
            today,
            &mut errors,
        ) {
            fields.membership_expiry = d;
        }
        if let Some(d) = date("consent_date", &self.consent_date, today, &mut errors) {
            fields.consent_date = d;
        }
        if let Some(d) = date("last_verified", &self.last_verified, today, &mut errors) {
            fields.last_verified = d;
        }
        if let Some(b) = self.internal {
            fields.internal = b;
        }
        if let Some(b) = self.confidential {
            fields.confidential = b;
        }
        if let Some(b) = self.do_not_contact {
            fields.do_not_contact = b;
        }
        // Asked afresh with every change: the one on record is never carried over to it.
        let consent_channel = choice_by(
            "consent_channel",
            &self.consent_channel,
            &mut errors,
            crate::domain::customer::ConsentChannel::typed,
        );
        if self
            .marketing_consent
            .is_some_and(|b| b != fields.marketing_consent)
        {
            fields.consent_channel = consent_channel.flatten();
        } else if let Some(channel) = consent_channel {
            fields.consent_channel = channel;
        }
        if let Some(b) = self.marketing_consent {
            fields.marketing_consent = b;
            if b && fields.consent_date.is_none() {
                fields.consent_date = Some(today);
            }
            if !b {
                fields.consent_date = None;
            }
        }
        replace_contacts(fields, ContactKind::Phone, &self.phone);
        replace_contacts(fields, ContactKind::Email, &self.email);
        replace_contacts(fields, ContactKind::Wechat, &self.wechat);
        fields
            .contacts
            .extend(self.add_phone.iter().map(|v| ContactInput {
                kind: ContactKind::Phone,
                value: v.clone(),
                label: None,
            }));
        if !self.tag.is_empty() {
            fields.tags = self.tag.clone();
        }
        fields.tags.extend(self.add_tag.iter().cloned());
        let removed: Vec<String> = self
            .remove_tag
            .iter()
            .filter_map(|t| normalize_tag(t))
            .collect();
        fields
            .tags
            .retain(|t| normalize_tag(t).is_none_or(|t| !removed.contains(&t)));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

pub fn search(ctx: &Context, args: SearchArgs) -> Result<()> {
    let (store, actor) = ctx.open()?;
    let results = store.search(&actor, &args.query, args.limit)?;
    if args.json {
        return print_json(&results);
    }
    if results.is_empty() {
        bail!("no customer matches '{}'", sanitize(&args.query));
    }
    for r in &results {
        let c = &r.customer;
        let last = c
            .last_contact_at
            .map(|t| t.with_timezone(&Local).format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "-".into());
        let name = crate::text::pad(&sanitize(&c.name), 16);
        println!(
            "{:<9} {} {:<9} {:<14} {:<10} {}",
            c.code,
            name,
            if c.restricted { "confid." } else { c.badge },
            c.masked_phone.as_deref().unwrap_or("-"),
            last,
            r.matched,
        );
    }
    Ok(())
}

pub fn run(ctx: &Context, cmd: CustomerCommand) -> Result<()> {
    let (mut store, actor) = ctx.open()?;
    match cmd {
        CustomerCommand::Add(args) => {
            let mut fields = CustomerFields::default();
            args.apply(&mut fields, today())
                .map_err(StoreError::Invalid)?;
            // Consent given with a new record says how it came, as an edit's change does.
            crate::domain::customer::check_consent_channel(&CustomerFields::default(), &fields)
                .map_err(|e| StoreError::Invalid(vec![e]))?;
            let saved = store.create_customer(&actor, &fields)?;
            for w in &saved.warnings {
                eprintln!("careline: warning: {}", sanitize(&w.to_string()));
            }
            println!("{}", saved.code);
        }
        CustomerCommand::Export { customer, output } => {
            let id = store.resolve_customer(&customer)?;
            let data = store.export_personal_data(&actor, id)?;
            let text = serde_json::to_string_pretty(&data)?;
            match output {
                None => println!("{text}"),
                Some(path) => {
                    write_private(&path, &text)?;
                    eprintln!(
                        "Wrote everything held about customer {} to {}.",
                        sanitize(&customer),
                        path.display()
                    );
                    if let Some(erased) = data.get("erased").and_then(|e| e.as_str()) {
                        eprintln!("Note: {}.", sanitize(erased));
                    }
                }
            }
        }
        CustomerCommand::Erase {
            customer,
            yes,
            json,
        } => {
            let id = store.resolve_customer(&customer)?;
            if !yes {
                // Whatever would refuse the erase is said before anyone is asked to confirm.
                store.check_erase(&actor, id)?;
                confirm_erase(&store.customer(&actor, id)?)?;
            }
            let erased = store.erase_customer(&actor, id)?;
            if json {
                print_json(&erased)?;
            } else {
                println!(
                    "Erased customer {}: {} removed, {} in their records replaced, {} removed.",
                    erased.code,
                    counted(erased.contacts_removed, "contact", "contacts"),
                    counted(erased.texts_rewritten, "quote", "quotes"),
                    counted(
                        erased.audit_details_removed,
                        "audit detail",
                        "audit details"
                    )
                );
                if !erased.log_emptied {
                    eprintln!("careline: warning: other careline processes were reading, so the database's write-ahead log still holds the old pages until its next checkpoint");
                }
            }
        }
        CustomerCommand::Show { customer, json } => {
            let id = store.resolve_customer(&customer)?;
            let c = store.view_customer(&actor, id)?;
            if json {
                print_json(&c)?;
            } else {
                print_card(&c);
            }
        }
        CustomerCommand::Edit {
            customer,
            version,
            fields: args,
        } => {
            let id = store.resolve_customer(&customer)?;
            let current = store.customer(&actor, id)?;
            let mut fields = current.fields.clone();
            args.apply(&mut fields, today())
                .map_err(StoreError::Invalid)?;
            let saved =
                store.edit_customer(&actor, id, version.unwrap_or(current.version), &fields)?;
            for w in &saved.warnings {
                eprintln!("careline: warning: {}", sanitize(&w.to_string()));
            }
            println!("{} saved (version {}).", saved.code, saved.version);
        }
        CustomerCommand::Merge { keep, other, json } => {
            let keep_id = store.resolve_customer(&keep)?;
            let other_id = store.resolve_customer(&other)?;
            let moved = store.merge_customers(&actor, keep_id, other_id)?;
            if json {
                print_json(&moved)?;
            } else {
                println!(
                    "Merged {} into {}: {}",
                    sanitize(&other),
                    sanitize(&keep),
                    merge_sentence(&moved)
                );
            }
        }
    }
    Ok(())
}

/// Writes `text` to a new file readable by its owner only.
fn write_private(path: &std::path::Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    // With the asker's own rights (on a shared host, never the database group's).
    let mut file = crate::host::as_user(|| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
    })
    .map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
            "--output {}: a file of that name exists already; name a new file (nothing is overwritten)",
            path.display()
        ),
        _ => anyhow::anyhow!("--output {}: {e}", path.display()),
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .map_err(|e| anyhow::anyhow!("--output {}: {e}", path.display()))?;
    Ok(())
}

/// Asks on the terminal before an erase: the customer's code typed back.
fn confirm_erase(customer: &Customer) -> Result<()> {
    use std::io::IsTerminal as _;
    if !std::io::stdin().is_terminal() {
        bail!("erasing cannot be undone: add --yes to erase without being asked");
    }
    eprint!(
        "Erase {} ({}) for good? Their name, numbers and every quote of them are removed and cannot be brought back.\nType the code {} to confirm: ",
        sanitize(&customer.fields.name),
        customer.code,
        customer.code
    );
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() != customer.code {
        bail!("not erased: the code typed was not {}", customer.code);
    }
    Ok(())
}

/// What a merge moved, as the end of a sentence: "moved 2 contacts and 3 interactions; 1
/// contact was held by both already." Counts of zero are left out.
fn merge_sentence(moved: &serde_json::Value) -> String {
    let count = |key: &str| {
        moved
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    let things = [
        ("contacts", "contact", "contacts"),
        ("purchases", "purchase", "purchases"),
        ("interactions", "interaction", "interactions"),
        ("complaints", "complaint", "complaints"),
        ("reminders", "care reminder", "care reminders"),
        ("surveys", "survey", "surveys"),
        ("grants", "access grant", "access grants"),
        ("points_ledger", "points entry", "points entries"),
        ("screen_pops", "screen pop", "screen pops"),
    ];
    let parts: Vec<String> = things
        .iter()
        .filter_map(|(key, one, many)| match count(key) {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        })
        .collect();
    let mut sentence = match parts.split_last() {
        None => "nothing else to move".to_string(),
        Some((last, [])) => format!("moved {last}"),
        Some((last, rest)) => format!("moved {} and {last}", rest.join(", ")),
    };
    match count("contacts_already_held") {
        0 => {}
        1 => sentence.push_str("; 1 contact was held by both already"),
        n => sentence.push_str(&format!("; {n} contacts were held by both already")),
    }
    sentence.push('.');
    sentence
}

/// The card's purchases line: "none" for a customer who never bought; otherwise the last 12
/// months, the last purchase and the lifetime spend, each part only when it has a value.
fn purchases(c: &Customer) -> String {
    if c.last_purchase.is_none() && c.orders_12m == 0 && c.lifetime_spend_cents == 0 {
        return "none".into();
    }
    let year = match c.orders_12m {
        0 => "none".to_string(),
        1 => format!("{} in 1 order", format_money(c.spend_12m_cents)),
        n => format!("{} in {n} orders", format_money(c.spend_12m_cents)),
    };
    let mut parts = vec![format!("12 months: {year}")];
    if let Some(last) = c.last_purchase {
        parts.push(format!("last {last}"));
    }
    parts.push(format!("lifetime {}", format_money(c.lifetime_spend_cents)));
    parts.join("; ")
}

fn print_card(c: &Customer) {
    let line = |label: &str, value: &str| {
        if !value.is_empty() {
            println!("{:<18}{}", label, sanitize(value));
        }
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    line("name", &c.fields.name);
    line("code", &c.code);
    if let Some(into) = &c.merged_into {
        line("merged into", into);
    }
    if c.restricted {
        println!(
            "(confidential: ask a supervisor for access with `{} grant request {} --reason …`)",
            crate::program::name(),
            c.code
        );
        return;
    }
    line("badge", c.badge);
    line("kind", c.fields.kind.as_str());
    line("company", &opt(&c.fields.company));
    line("industry", &opt(&c.fields.industry));
    line("birthday", &date(c.fields.birthday));
    line("region", &opt(&c.fields.region));
    if c.contacts_masked {
        println!("(phones, emails and the address are masked: your role does not see them in full on this site)");
    }
    line("address", &opt(&c.fields.address));
    for contact in &c.contacts_normalized {
        let label = contact
            .label
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        line(
            contact.kind.as_str(),
            &format!("{}{label}", contact.display),
        );
    }
    line(
        "tags",
        &c.fields
            .tags
            .iter()
            .map(|t| format!("#{t}"))
            .collect::<Vec<_>>()
            .join(" "),
    );
    line("level", c.fields.level.as_str());
    if c.fields.membership_expiry.is_some() {
        line(
            "membership",
            &format!("member until {}", date(c.fields.membership_expiry)),
        );
    }
    line("owner", &opt(&c.fields.owner));
    let mut flags = Vec::new();
    if c.fields.confidential {
        flags.push("confidential".to_string());
    }
    if c.fields.do_not_contact {
        flags.push("DO NOT CONTACT".to_string());
    }
    if c.fields.marketing_consent {
        flags.push(format!("marketing consent {}", date(c.fields.consent_date)));
    }
    match (c.fields.consent_channel, c.fields.marketing_consent) {
        (Some(via), true) => flags.push(format!("consent via {}", via.as_str())),
        (Some(via), false) => flags.push(format!("consent withdrawn via {}", via.as_str())),
        (None, _) => {}
    }
    line("flags", &flags.join(", "));
    line(
        "preferred",
        &[
            c.fields
                .preferred_channel
                .map(|p| p.to_string())
                .unwrap_or_default(),
            opt(&c.fields.preferred_time),
        ]
        .iter()
        .filter(|part| !part.trim().is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" "),
    );
    line("purchases", &purchases(c));
    if c.points != 0 {
        line("points", &c.points.to_string());
    }
    if let Some(level) = &c.member_level {
        let perk = if c.birthday_perk {
            ", birthday perk this month"
        } else {
            ""
        };
        line(
            "member level",
            &format!("{} ({}){perk}", level.en, level.zh),
        );
    }
    if let Some(clv) = c.clv_cents {
        line(
            "lifetime value",
            &format!("¥{} (estimated)", format_money(clv)),
        );
    }
    if let Some((r, f, m)) = c.rfm {
        line("RFM", &format!("{r}{f}{m}"));
    }
    if c.churn_risk {
        line("churn risk", "no purchase in a long time");
    }
    if let Some(notes) = &c.fields.notes {
        println!("{:<18}{}", "notes", sanitize_multiline(notes));
    }
    line("version", &c.version.to_string());
}
