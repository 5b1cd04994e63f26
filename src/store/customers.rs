//! Customer records with their contacts and tags: create, read (confidentiality enforced
//! here, not in the UI), optimistic edit and merge.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::Serialize;

use super::purchases::{PurchaseFigures, SUMMARY_COLUMNS};
use super::search::{self, SearchDoc};
use super::{
    date_text, parse_stored_date, Actor, Cell, Permission, Result, Store, StoreError, Writer,
};
use crate::domain::contact::{normalize_email, normalize_phone, ContactKind, PhoneRules};
use crate::domain::customer::{
    self, check, normalize_tag, ContactInput, CustomerFields, FieldError, Level, Tier,
};
pub use crate::domain::customer_contacts::Contact;
use crate::domain::customer_contacts::{masked_form, normalize_contacts, NormalContact};
use crate::domain::loyalty::{birthday_perk, MemberLevel};
use crate::domain::masking::{mask_address, unmask_address, unmask_contacts};
use crate::domain::tier::TierRules;

/// A whole customer record as the actor may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    pub id: i64,
    /// The same as `fields.code`, which the JSON carries (once).
    #[serde(skip)]
    pub code: String,
    /// True when the record is confidential and the actor has no access: only name and code
    /// are filled in.
    pub restricted: bool,
    #[serde(flatten)]
    pub fields: CustomerFields,
    pub contacts_normalized: Vec<Contact>,
    pub tier: Tier,
    pub badge: &'static str,
    pub spend_12m_cents: i64,
    pub orders_12m: i64,
    pub lifetime_spend_cents: i64,
    pub first_purchase: Option<NaiveDate>,
    pub last_purchase: Option<NaiveDate>,
    pub churn_risk: bool,
    /// Estimated lifetime value in cents (docs/REPORTS.md, "Value and loyalty"); none
    /// without a purchase.
    pub clv_cents: Option<i64>,
    /// The loyalty points balance (the sum of the points ledger).
    pub points: i64,
    /// The member level the 12-month spend reaches (`[loyalty] levels`); the JSON gives its
    /// code (`careline points show --json` its names).
    #[serde(serialize_with = "level_code")]
    pub member_level: Option<MemberLevel>,
    /// The birthday is this month and the member level carries the birthday perk.
    pub birthday_perk: bool,
    pub rfm: Option<(u8, u8, u8)>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set on a tombstone left by a merge: the code of the record it was merged into.
    pub merged_into: Option<String>,
    pub version: i64,
    /// True when this actor may not see contacts in full (`[privacy] full_contacts`): every
    /// phone, email and other contact ID and the address are masked (`138****5678`,
    /// `北京市朝阳区****`); an edit that sends them back unchanged keeps the stored values.
    pub contacts_masked: bool,
}

/// A member level as its code, in JSON.
fn level_code<S: serde::Serializer>(
    level: &Option<MemberLevel>,
    out: S,
) -> std::result::Result<S::Ok, S::Error> {
    match level {
        Some(l) => out.serialize_str(&l.code),
        None => out.serialize_none(),
    }
}

/// One row of a list: what an operator needs to pick the right caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub badge: &'static str,
    pub company: Option<String>,
    /// First phone, masked; empty for restricted records.
    pub masked_phone: Option<String>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub restricted: bool,
}

/// Another customer already holds this phone number or email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateWarning {
    pub field: String,
    pub value: String,
    pub customer_id: i64,
    pub code: String,
    pub name: String,
}

impl std::fmt::Display for DuplicateWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} is already held by {} {} (use `{} customer merge` if they are the same person)",
            self.field,
            self.value,
            self.code,
            self.name,
            crate::program::name()
        )
    }
}

/// The outcome of a create or edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Saved {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub warnings: Vec<DuplicateWarning>,
}

const CUSTOMER_COLUMNS: &str = "c.id, c.code, c.name, c.kind, c.company, c.industry, c.company_size,
    c.occupation, c.income_band, c.birthday, c.region, c.address, c.source, c.level, c.membership,
    c.membership_expiry, c.stability, c.internal, c.interests, c.preferences, c.preferred_channel,
    c.preferred_time, o.login, c.confidential, c.do_not_contact, c.marketing_consent, c.consent_date,
    c.notes, c.last_verified, c.tier, c.spend_12m, c.orders_12m, c.lifetime_spend, c.first_purchase,
    c.last_purchase, c.churn_risk, c.points, c.rfm_r, c.rfm_f, c.rfm_m, c.last_contact_at,
    c.created_at, c.updated_at, m.code, c.version, c.owner_id, c.consent_channel, c.clv";

fn parse_opt<T: std::str::FromStr>(v: Option<String>) -> Option<T> {
    v.and_then(|s| s.parse().ok())
}

fn timestamp(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Reads a customer row; `owner_id` comes back beside it for the access check.
fn customer_from_row(r: &Row<'_>) -> rusqlite::Result<(Customer, Option<i64>)> {
    let level: Level = parse_opt(r.get(13)?).unwrap_or_default();
    let tier: Tier = parse_opt(r.get(29)?).unwrap_or_default();
    let rfm = match (
        r.get::<_, Option<u8>>(37)?,
        r.get::<_, Option<u8>>(38)?,
        r.get::<_, Option<u8>>(39)?,
    ) {
        (Some(a), Some(b), Some(c)) => Some((a, b, c)),
        _ => None,
    };
    let fields = CustomerFields {
        name: r.get(2)?,
        code: Some(r.get(1)?),
        kind: parse_opt(r.get(3)?).unwrap_or_default(),
        company: r.get(4)?,
        industry: r.get(5)?,
        company_size: r.get(6)?,
        occupation: r.get(7)?,
        income_band: r.get(8)?,
        birthday: parse_stored_date(r.get(9)?),
        region: r.get(10)?,
        address: r.get(11)?,
        source: parse_opt(r.get(12)?),
        level,
        membership: parse_opt(r.get(14)?).unwrap_or_default(),
        membership_expiry: parse_stored_date(r.get(15)?),
        stability: parse_opt(r.get(16)?),
        internal: r.get(17)?,
        interests: r.get(18)?,
        preferences: r.get(19)?,
        preferred_channel: parse_opt(r.get(20)?),
        preferred_time: r.get(21)?,
        owner: r.get(22)?,
        confidential: r.get(23)?,
        do_not_contact: r.get(24)?,
        marketing_consent: r.get(25)?,
        consent_date: parse_stored_date(r.get(26)?),
        consent_channel: parse_opt(r.get(46)?),
        notes: r.get(27)?,
        last_verified: parse_stored_date(r.get(28)?),
        tags: Vec::new(),
        contacts: Vec::new(),
    };
    let customer = Customer {
        id: r.get(0)?,
        code: r.get(1)?,
        restricted: false,
        fields,
        contacts_normalized: Vec::new(),
        tier,
        badge: customer::badge(level, tier),
        spend_12m_cents: r.get(30)?,
        orders_12m: r.get(31)?,
        lifetime_spend_cents: r.get(32)?,
        first_purchase: parse_stored_date(r.get(33)?),
        last_purchase: parse_stored_date(r.get(34)?),
        churn_risk: r.get(35)?,
        clv_cents: r.get(47)?,
        points: r.get(36)?,
        member_level: None,
        birthday_perk: false,
        rfm,
        last_contact_at: r.get::<_, Option<i64>>(40)?.map(timestamp),
        created_at: timestamp(r.get(41)?),
        updated_at: timestamp(r.get(42)?),
        merged_into: r.get(43)?,
        version: r.get(44)?,
        contacts_masked: false,
    };
    Ok((customer, r.get(45)?))
}

/// A record as someone who may not see contacts in full reads it: its contacts (in both
/// forms a record carries them) and its address masked.
fn mask_contacts(mut c: Customer) -> Customer {
    c.contacts_normalized = c
        .contacts_normalized
        .iter()
        .map(Contact::masked_copy)
        .collect();
    c.fields.contacts = c
        .contacts_normalized
        .iter()
        .map(|k| ContactInput {
            kind: k.kind,
            value: k.value.clone(),
            label: k.label.clone(),
        })
        .collect();
    c.fields.address = c.fields.address.as_deref().map(mask_address);
    c.contacts_masked = true;
    c
}

/// Everything but name and code is withheld from a restricted view.
fn restrict(c: Customer) -> Customer {
    Customer {
        restricted: true,
        fields: CustomerFields {
            name: c.fields.name,
            code: c.fields.code,
            confidential: true,
            ..CustomerFields::default()
        },
        contacts_normalized: Vec::new(),
        tier: Tier::default(),
        badge: "",
        spend_12m_cents: 0,
        orders_12m: 0,
        lifetime_spend_cents: 0,
        first_purchase: None,
        last_purchase: None,
        churn_risk: false,
        clv_cents: None,
        points: 0,
        member_level: None,
        birthday_perk: false,
        rfm: None,
        last_contact_at: None,
        ..c
    }
}

impl Store {
    /// Whether `actor` may see the details of a row of `customer` (confidential, owned by
    /// `owner`): what each read of complaints, reminders and contacts asks before it shows
    /// them whole.
    pub(crate) fn may_see_customer(
        &self,
        actor: &Actor,
        customer: i64,
        confidential: bool,
        owner: Option<i64>,
    ) -> Result<bool> {
        may_see(
            self.conn(),
            actor,
            customer,
            confidential,
            owner,
            self.now(),
        )
    }
}

impl Store {
    /// Refuses `doing` (what the refusal says would be done: "logging a contact with them") on
    /// customer `id` when `actor` may not see them — a confidential customer, neither owned by
    /// them nor granted — as the card refuses to show them: one rule for every write on a
    /// customer, from the screen or the command line, each refusal audited. A customer that is
    /// not there is left to the caller to name.
    pub(crate) fn require_sight(&self, actor: &Actor, id: i64, doing: &str) -> Result<()> {
        let row: Option<(String, bool, Option<i64>)> = self
            .conn()
            .prepare_cached("SELECT code, confidential, owner_id FROM customers WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((code, confidential, owner)) = row else {
            return Ok(());
        };
        if self.may_see_customer(actor, id, confidential, owner)? {
            return Ok(());
        }
        Err(self.refusal_about(actor, Some(id), confidential_refusal(&code, doing)))
    }
}

/// What a refused write on a confidential customer says: the customer, and the action.
pub(crate) fn confidential_refusal(code: &str, doing: &str) -> String {
    format!(
        "customer {code} is confidential: ask a supervisor for access (`{} grant`) before {doing}",
        crate::program::name()
    )
}

/// Whether `actor` may see a confidential customer's details: supervisors and admins, the
/// owning operator, or an operator holding an unexpired grant.
pub(crate) fn may_see(
    conn: &rusqlite::Connection,
    actor: &Actor,
    customer_id: i64,
    confidential: bool,
    owner_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    if !confidential || actor.may(Permission::SeeConfidential) || owner_id == Some(actor.id) {
        return Ok(true);
    }
    let granted: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM grants WHERE operator_id = ?1 AND customer_id = ?2
           AND revoked_at IS NULL AND expires_at > ?3)",
        params![actor.id, customer_id, now.timestamp()],
        |r| r.get(0),
    )?;
    Ok(granted)
}

fn load_customer(
    conn: &rusqlite::Connection,
    actor: &Actor,
    id: i64,
    rules: &PhoneRules,
    now: DateTime<Utc>,
) -> Result<Customer> {
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers c
         LEFT JOIN operators o ON o.id = c.owner_id
         LEFT JOIN customers m ON m.id = c.merged_into
         WHERE c.id = ?1"
    );
    let (mut customer, owner_id) = conn
        .query_row(&sql, [id], customer_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("customer {id}")))?;
    if !may_see(conn, actor, id, customer.fields.confidential, owner_id, now)? {
        return Ok(restrict(customer));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT kind, value, normalized, extension, label FROM contacts
         WHERE customer_id = ?1 ORDER BY position, id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    for row in rows {
        let (kind, value, normalized, extension, label) = row?;
        let kind: ContactKind = kind.parse().unwrap_or(ContactKind::Other);
        customer.fields.contacts.push(ContactInput {
            kind,
            value: value.clone(),
            label: label.clone(),
        });
        customer.contacts_normalized.push(Contact::from_stored(
            kind, value, normalized, extension, label, rules,
        ));
    }
    let mut stmt =
        conn.prepare_cached("SELECT tag FROM customer_tags WHERE customer_id = ?1 ORDER BY tag")?;
    customer.fields.tags = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(customer)
}

/// Finds the customers other than `except` that hold any of these contacts.
pub(super) fn duplicates_of(
    tx: &rusqlite::Connection,
    contacts: &[NormalContact],
    except: Option<i64>,
) -> Result<Vec<DuplicateWarning>> {
    let mut stmt = tx.prepare_cached(
        "SELECT cu.id, cu.code, cu.name FROM contacts ct
         JOIN customers cu ON cu.id = ct.customer_id
         WHERE ct.normalized = ?1 AND cu.merged_into IS NULL AND cu.id IS NOT ?2
         LIMIT 3",
    )?;
    let mut warnings = Vec::new();
    for c in contacts
        .iter()
        .filter(|c| matches!(c.input.kind, ContactKind::Phone | ContactKind::Email))
    {
        let found = stmt.query_map(params![c.normalized, except], |r| {
            Ok(DuplicateWarning {
                field: c.input.kind.to_string(),
                value: c.input.value.clone(),
                customer_id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
            })
        })?;
        for w in found {
            warnings.push(w?);
        }
    }
    Ok(warnings)
}

/// The operator a record is assigned to by `login`, who must be active — unless they are
/// `kept`, the owner the record has already (a record whose owner was disabled since is still
/// edited, until a supervisor hands it over).
fn owner_id(tx: &Transaction<'_>, login: Option<&str>, kept: Option<&str>) -> Result<Option<i64>> {
    owner_by(login, |login| {
        let found: Option<(i64, bool)> = tx
            .prepare_cached("SELECT id, active FROM operators WHERE login = ?1")?
            .query_row([login], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match found {
            Some((_, false)) if kept.map(str::trim) != Some(login) => {
                Err(StoreError::Invalid(vec![FieldError::new(
                    "owner",
                    format!(
                        "'{login}' is a disabled operator; choose an active one (or enable {login} first)"
                    ),
                )]))
            }
            found => Ok(found.map(|(id, _)| id)),
        }
    })
}

/// The operator a record is assigned to, found by `find`; none for an empty login, and an
/// error naming the login when no operator has it.
pub(super) fn owner_by(
    login: Option<&str>,
    find: impl FnOnce(&str) -> Result<Option<i64>>,
) -> Result<Option<i64>> {
    let Some(login) = login.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    find(login)?.map(Some).ok_or_else(|| {
        StoreError::Invalid(vec![FieldError::new(
            "owner",
            format!("no operator with login '{login}'"),
        )])
    })
}

fn next_code(tx: &Transaction<'_>) -> Result<String> {
    let mut n: i64 = tx
        .prepare_cached("SELECT coalesce(max(id), 0) + 1 FROM customers")?
        .query_row([], |r| r.get(0))?;
    loop {
        let code = code_of(n);
        if !code_taken(tx, &code)? {
            return Ok(code);
        }
        n += 1;
    }
}

/// The live customers holding a normalised phone or email; at most two are read, enough to
/// tell one holder from several.
pub(super) fn holders(conn: &rusqlite::Connection, normalized: &str) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT cu.id FROM contacts ct JOIN customers cu ON cu.id = ct.customer_id
             WHERE ct.normalized = ?1 AND cu.merged_into IS NULL LIMIT 2",
        )?
        .query_map([normalized], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The code of the `n`th customer, when none is given.
pub(super) fn code_of(n: i64) -> String {
    format!("C{n:07}")
}

/// Whether a record holds this code.
pub(super) fn code_taken(tx: &Transaction<'_>, code: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM customers WHERE code = ?1)")?
        .query_row([code], |r| r.get(0))?)
}

fn opt_trim(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The profile columns, bound as `?2`… in this order by [`profile_params`]; `?1` is the id
/// (update) or the code (insert).
const PROFILE_COLUMNS: [&str; 29] = [
    "name",
    "kind",
    "company",
    "industry",
    "company_size",
    "occupation",
    "income_band",
    "birthday",
    "region",
    "address",
    "source",
    "level",
    "membership",
    "membership_expiry",
    "stability",
    "internal",
    "interests",
    "preferences",
    "preferred_channel",
    "preferred_time",
    "owner_id",
    "confidential",
    "do_not_contact",
    "marketing_consent",
    "consent_date",
    "notes",
    "last_verified",
    "consent_channel",
    // Last: a new record's `created_at` is bound to the same value (`INSERT_SQL`).
    "updated_at",
];

static UPDATE_PROFILE_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let assign: Vec<String> = PROFILE_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 2))
        .collect();
    format!(
        "UPDATE customers SET {}, version = version + 1 WHERE id = ?1 AND version = ?{} AND merged_into IS NULL",
        assign.join(", "),
        PROFILE_COLUMNS.len() + 2
    )
});

static INSERT_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let marks: Vec<String> = (2..PROFILE_COLUMNS.len() + 2)
        .map(|i| format!("?{i}"))
        .collect();
    format!(
        "INSERT INTO customers (code, {}, created_at) VALUES (?1, {}, ?{})",
        PROFILE_COLUMNS.join(", "),
        marks.join(", "),
        PROFILE_COLUMNS.len() + 1
    )
});

/// The columns of a whole customer row written by a bulk load, in the order of
/// [`known_values`].
pub(super) static KNOWN_COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "id, code, {}, created_at, {}, last_contact_at, points",
        PROFILE_COLUMNS.join(", "),
        SUMMARY_COLUMNS.join(", ")
    )
});

/// A whole new customer row whose purchases and last contact are already known, so that it
/// is written once: the values of [`KNOWN_COLUMNS`], as of `now` and `today`.
#[allow(clippy::too_many_arguments)]
pub(super) fn known_values(
    id: i64,
    code: String,
    fields: &CustomerFields,
    owner: Option<i64>,
    purchases: &PurchaseFigures,
    last_contact_at: Option<i64>,
    points: i64,
    now: DateTime<Utc>,
    today: NaiveDate,
    tiers: &TierRules,
) -> Vec<Cell> {
    let now = now.timestamp();
    let mut values = Vec::with_capacity(PROFILE_COLUMNS.len() + SUMMARY_COLUMNS.len() + 4);
    values.push(id.into());
    values.extend(
        profile_params(code.into(), fields, owner, now)
            .into_iter()
            .map(owned),
    );
    values.push(now.into());
    values.extend(purchases.columns(today, tiers));
    values.push(ToSqlOutput::Owned(last_contact_at.into()));
    values.push(points.into());
    values
}

/// A value to bind, owning what it borrowed.
fn owned(value: ToSqlOutput<'_>) -> Cell {
    match value {
        ToSqlOutput::Borrowed(v) => ToSqlOutput::Owned(v.into()),
        ToSqlOutput::Owned(v) => ToSqlOutput::Owned(v),
        // profile_params makes neither blobs of zeroes nor arrays
        _ => ToSqlOutput::Owned(Value::Null),
    }
}

fn profile_params<'a>(
    id: ToSqlOutput<'a>,
    f: &'a CustomerFields,
    owner: Option<i64>,
    now: i64,
) -> Vec<ToSqlOutput<'a>> {
    fn text(v: Option<&str>) -> ToSqlOutput<'_> {
        v.map_or(ToSqlOutput::Owned(Value::Null), ToSqlOutput::from)
    }
    fn date(d: Option<NaiveDate>) -> ToSqlOutput<'static> {
        ToSqlOutput::Owned(date_text(d).into())
    }
    vec![
        id,
        f.name.trim().into(),
        f.kind.as_str().into(),
        text(opt_trim(&f.company)),
        text(opt_trim(&f.industry)),
        text(opt_trim(&f.company_size)),
        text(opt_trim(&f.occupation)),
        text(opt_trim(&f.income_band)),
        date(f.birthday),
        text(opt_trim(&f.region)),
        text(opt_trim(&f.address)),
        text(f.source.map(|s| s.as_str())),
        f.level.as_str().into(),
        f.membership.as_str().into(),
        date(f.membership_expiry),
        text(f.stability.map(|s| s.as_str())),
        f.internal.into(),
        text(opt_trim(&f.interests)),
        text(opt_trim(&f.preferences)),
        text(f.preferred_channel.map(|s| s.as_str())),
        text(opt_trim(&f.preferred_time)),
        ToSqlOutput::Owned(owner.into()),
        f.confidential.into(),
        f.do_not_contact.into(),
        f.marketing_consent.into(),
        date(f.consent_date),
        text(opt_trim(&f.notes)),
        date(f.last_verified),
        text(f.consent_channel.map(|c| c.as_str())),
        now.into(),
    ]
}

/// Replaces a customer's contacts and tags and re-indexes it for lookup.
fn write_contacts_tags_keys(
    tx: &Transaction<'_>,
    id: i64,
    code: &str,
    fields: &CustomerFields,
    contacts: &[NormalContact],
    now: i64,
) -> Result<()> {
    tx.execute("DELETE FROM contacts WHERE customer_id = ?1", [id])?;
    tx.execute("DELETE FROM customer_tags WHERE customer_id = ?1", [id])?;
    insert_contacts_tags(tx, id, fields, contacts, now)?;
    search::unindex(tx, id)?;
    search::index(
        tx,
        id,
        &SearchDoc::new(
            &fields.name,
            code,
            fields.company.as_deref(),
            contacts,
            &fields.tags,
        ),
    )
}

pub(crate) fn insert_contacts_tags(
    tx: &Transaction<'_>,
    id: i64,
    fields: &CustomerFields,
    contacts: &[NormalContact],
    now: i64,
) -> Result<()> {
    static INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "INSERT INTO contacts ({CONTACT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        )
    });
    let mut insert = tx.prepare_cached(&INSERT)?;
    for (position, c) in contacts.iter().enumerate() {
        insert.execute(rusqlite::params_from_iter(contact_values(
            id, position, c, now,
        )))?;
    }
    let mut insert_tag = tx
        .prepare_cached("INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?1, ?2)")?;
    for tag in tags_of(fields) {
        insert_tag.execute(params![id, tag])?;
    }
    Ok(())
}

/// The columns of a contact row, in the order of [`contact_values`].
pub(super) const CONTACT_COLUMNS: &str =
    "customer_id, kind, phone_kind, value, normalized, extension, label, position, created_at";

/// The values of a customer's contact at `position`.
pub(super) fn contact_values(
    customer_id: i64,
    position: usize,
    c: &NormalContact,
    now: i64,
) -> [Cell; 9] {
    [
        customer_id.into(),
        c.input.kind.as_str().into(),
        ToSqlOutput::Owned(
            c.phone
                .as_ref()
                .map(|p| p.kind.as_str())
                .map(String::from)
                .into(),
        ),
        c.input.value.clone().into(),
        c.normalized.clone().into(),
        ToSqlOutput::Owned(c.phone.as_ref().and_then(|p| p.extension.clone()).into()),
        ToSqlOutput::Owned(c.input.label.clone().into()),
        (position as i64).into(),
        now.into(),
    ]
}

/// A customer's tags as stored (normalised; repeats are ignored on insert).
pub(super) fn tags_of(fields: &CustomerFields) -> impl Iterator<Item = String> + '_ {
    fields.tags.iter().filter_map(|t| normalize_tag(t))
}

/// Inserts a new customer inside a write; shared by the form, the CLI and the importer.
pub(crate) fn insert_customer(
    w: &mut Writer<'_>,
    fields: &CustomerFields,
    contacts: &[NormalContact],
) -> Result<Saved> {
    let warnings = duplicates_of(w.tx(), contacts, None)?;
    let (id, code) = insert_record(w, fields, contacts)?;
    let today = w.today();
    super::purchases::refresh_summary(w.tx(), id, today, w.tiers)?;
    w.audit(
        "customer.create",
        "customer",
        Some(id),
        if fields.marketing_consent {
            // Consent given with the record: when and how, for its history.
            serde_json::json!({"code": code, "name": fields.name.trim(), "duplicates": warnings.len(),
                "marketing_consent": true, "consent_date": fields.consent_date,
                "consent_channel": fields.consent_channel})
        } else {
            serde_json::json!({"code": code, "name": fields.name.trim(), "duplicates": warnings.len()})
        },
    );
    Ok(Saved {
        id,
        code,
        version: 1,
        warnings,
    })
}

/// Writes the customer row, its contacts, tags and lookup keys; no audit (the caller records
/// one entry for a single create, or one for a whole import).
pub(crate) fn insert_record(
    w: &Writer<'_>,
    fields: &CustomerFields,
    contacts: &[NormalContact],
) -> Result<(i64, String)> {
    let tx = w.tx();
    let now = w.now().timestamp();
    let owner = owner_id(tx, fields.owner.as_deref(), None)?;
    let code = new_code(tx, fields)?;
    let values = profile_params(code.as_str().into(), fields, owner, now);
    tx.prepare_cached(&INSERT_SQL)?
        .execute(rusqlite::params_from_iter(values.iter()))?;
    let id = tx.last_insert_rowid();
    insert_contacts_tags(tx, id, fields, contacts, now)?;
    search::index(
        tx,
        id,
        &SearchDoc::new(
            &fields.name,
            &code,
            fields.company.as_deref(),
            contacts,
            &fields.tags,
        ),
    )?;
    Ok((id, code))
}

/// The code a new record gets: the one given, unless another record holds it, or the next free.
fn new_code(tx: &Transaction<'_>, fields: &CustomerFields) -> Result<String> {
    match opt_trim(&fields.code) {
        Some(code) => {
            let taken: Option<String> = tx
                .prepare_cached("SELECT name FROM customers WHERE code = ?1")?
                .query_row([code], |r| r.get(0))
                .optional()?;
            if let Some(name) = taken {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "code",
                    format!("{code} is already used by {name}"),
                )]));
            }
            Ok(code.to_string())
        }
        None => next_code(tx),
    }
}

/// What changed between two versions of a record, field by field, for the audit log.
fn changes(before: &CustomerFields, after: &CustomerFields) -> serde_json::Value {
    let (Ok(serde_json::Value::Object(b)), Ok(serde_json::Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return serde_json::Value::Null;
    };
    let mut out = serde_json::Map::new();
    for (key, new) in a {
        let old = b.get(&key).cloned().unwrap_or(serde_json::Value::Null);
        if old != new {
            out.insert(key, serde_json::json!([old, new]));
        }
    }
    serde_json::Value::Object(out)
}

impl Store {
    /// Reads a customer as `actor` may see it, without recording a view: a confidential one
    /// restricted to name and code unless they may see it, and its contacts and address
    /// masked unless they may see those in full.
    pub fn customer(&self, actor: &Actor, id: i64) -> Result<Customer> {
        let customer = self.customer_unmasked(actor, id)?;
        if self.may(actor, Permission::SeeFullContacts) || customer.restricted {
            Ok(customer)
        } else {
            Ok(mask_contacts(customer))
        }
    }

    /// A customer with its contacts as stored, confidentiality applied: for the store's own
    /// checks and edits, never handed out.
    fn customer_unmasked(&self, actor: &Actor, id: i64) -> Result<Customer> {
        self.require(actor, Permission::ViewCustomer)?;
        let mut c = load_customer(self.conn(), actor, id, self.phone_rules(), self.now())?;
        if !c.restricted {
            let today = self.today();
            c.member_level = self.loyalty_rules().level_for(c.spend_12m_cents).cloned();
            c.birthday_perk = c
                .member_level
                .as_ref()
                .is_some_and(|l| birthday_perk(c.fields.birthday, l, today));
        }
        Ok(c)
    }

    /// Opens a customer card: reads it and records the view in the audit log (with whether
    /// its contacts were masked).
    pub fn view_customer(&mut self, actor: &Actor, id: i64) -> Result<Customer> {
        let customer = self.customer(actor, id)?;
        self.write(actor, |w| {
            w.audit(
                "customer.view",
                "customer",
                Some(id),
                serde_json::json!({
                    "restricted": customer.restricted,
                    "masked": customer.contacts_masked,
                }),
            );
            Ok(())
        })?;
        Ok(customer)
    }

    /// Finds a customer by id, code, or a phone/email that belongs to exactly one customer.
    pub fn resolve_customer(&self, reference: &str) -> Result<i64> {
        let reference = reference.trim();
        let conn = self.conn();
        if let Some(id) = conn
            .query_row(
                "SELECT id FROM customers WHERE code = ?1 COLLATE NOCASE",
                [reference],
                |r| r.get(0),
            )
            .optional()?
        {
            return Ok(id);
        }
        if let Ok(id) = reference.parse::<i64>() {
            let exists: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            if exists {
                return Ok(id);
            }
        }
        let normalized = normalize_phone(reference, self.phone_rules())
            .map(|p| p.e164)
            .or_else(|_| normalize_email(reference));
        if let Ok(normalized) = normalized {
            match holders(conn, &normalized)?.as_slice() {
                [id] => return Ok(*id),
                [_, _] => {
                    return Err(StoreError::Conflict(format!(
                        "{reference} belongs to more than one customer; use the customer code"
                    )))
                }
                _ => {}
            }
        }
        Err(StoreError::NotFound(format!(
            "customer '{reference}' (give a code, an id, or a phone or email held by one customer)"
        )))
    }

    /// Checks and normalises what was typed, without saving: the errors a form shows in
    /// place ([`StoreError::Invalid`]). For an edit (`editing` the record's id) the masked
    /// contacts and address `actor` was shown stand for the stored ones, as
    /// [`Store::edit_customer`] reads them.
    pub fn check_customer(
        &self,
        actor: &Actor,
        editing: Option<i64>,
        fields: &CustomerFields,
    ) -> Result<()> {
        let fields = match editing {
            Some(id) => {
                unmask(fields, &self.customer_unmasked(actor, id)?).map_err(StoreError::Invalid)?
            }
            None => fields.clone(),
        };
        check(&fields, self.phone_rules())
            .map(|_| ())
            .map_err(StoreError::Invalid)
    }

    /// Which other customers hold these contacts already (the form's duplicate warning). A
    /// contact that does not read (a masked one, one half typed) is passed over.
    pub fn find_duplicates(
        &self,
        contacts: &[ContactInput],
        except: Option<i64>,
    ) -> Result<Vec<DuplicateWarning>> {
        let normal: Vec<NormalContact> = contacts
            .iter()
            .filter_map(|c| normalize_contacts(std::slice::from_ref(c), self.phone_rules()).ok())
            .flatten()
            .collect();
        duplicates_of(self.conn(), &normal, except)
    }

    /// Creates a customer. Duplicate phones or emails do not stop it; they come back as warnings.
    pub fn create_customer(&mut self, actor: &Actor, fields: &CustomerFields) -> Result<Saved> {
        for needed in customer::create_permissions(fields) {
            self.require(actor, needed)?;
        }
        let contacts = check(fields, self.phone_rules()).map_err(StoreError::Invalid)?;
        self.write(actor, |w| insert_customer(w, fields, &contacts))
    }

    /// Saves an edited customer. `expected_version` is the version the edit started from; if
    /// someone saved in between, nothing is written and a conflict is reported.
    pub fn edit_customer(
        &mut self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        fields: &CustomerFields,
    ) -> Result<Saved> {
        self.require(actor, Permission::EditCustomer)?;
        let before = self.customer_unmasked(actor, id)?;
        if before.restricted {
            return Err(self.refusal_about(
                actor,
                Some(before.id),
                confidential_refusal(&before.code, "editing them"),
            ));
        }
        if let Some(survivor) = &before.merged_into {
            return Err(StoreError::Conflict(format!(
                "{} was merged into {survivor}; edit that record",
                before.code
            )));
        }
        for needed in customer::edit_permissions(&before.fields, fields) {
            self.require(actor, needed)?;
        }
        customer::check_code_kept(&before.code, fields)
            .map_err(|e| StoreError::Invalid(vec![e]))?;
        customer::check_consent_channel(&before.fields, fields)
            .map_err(|e| StoreError::Invalid(vec![e]))?;
        // Masked values sent back unchanged stand for the stored ones: an edit by someone
        // shown masks never overwrites a number with its mask.
        let mut fields = unmask(fields, &before).map_err(StoreError::Invalid)?;
        fields.code = Some(before.code.clone());
        let contacts = check(&fields, self.phone_rules()).map_err(StoreError::Invalid)?;
        let masked = !self.may(actor, Permission::SeeFullContacts);
        let mut diff = changes(&before.fields, &fields);
        // A change of consent names its channel in the trail, the same one as before too.
        if before.fields.marketing_consent != fields.marketing_consent {
            if let (Some(map), Some(via)) = (diff.as_object_mut(), fields.consent_channel) {
                map.entry("consent_channel")
                    .or_insert_with(|| serde_json::json!([before.fields.consent_channel, via]));
            }
        }
        let birthday_days_before = self.options.care.birthday_days_before;
        self.write(actor, |w| {
            let tx = w.tx();
            let now = w.now().timestamp();
            let owner = owner_id(tx, fields.owner.as_deref(), before.fields.owner.as_deref())?;
            let mut values = profile_params(id.into(), &fields, owner, now);
            values.push(expected_version.into());
            let updated = tx
                .prepare_cached(&UPDATE_PROFILE_SQL)?
                .execute(rusqlite::params_from_iter(values.iter()))?;
            if updated == 0 {
                let (current, by): (i64, Option<String>) = tx.query_row(
                    "SELECT c.version, (SELECT actor_login FROM audit_log a
                        WHERE a.entity = 'customer' AND a.entity_id = c.id
                          AND a.action IN ('customer.edit', 'customer.handover')
                        ORDER BY a.id DESC LIMIT 1)
                     FROM customers c WHERE c.id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                return Err(StoreError::Conflict(format!(
                    "{} was changed by {} since you opened it (your version {expected_version}, now {current}); reload to see their changes, then apply yours again",
                    before.code,
                    by.unwrap_or_else(|| "another operator".into())
                )));
            }
            write_contacts_tags_keys(tx, id, &before.code, &fields, &contacts, now)?;
            let mut warnings = duplicates_of(w.tx(), &contacts, Some(id))?;
            if masked {
                // A number kept from the record is named as it was shown: masked.
                for warning in &mut warnings {
                    if let Some(kept) = before
                        .contacts_normalized
                        .iter()
                        .find(|k| k.value == warning.value)
                    {
                        warning.value = kept.masked.clone();
                    }
                }
            }
            w.audit("customer.edit", "customer", Some(id), diff.clone());
            // Their open generated reminders follow the change (withdrawn with a reason, or a
            // birthday moved).
            super::care_work::follow_customer_change(
                w,
                &super::care_work::CustomerChange {
                    customer: id,
                    do_not_contact: fields.do_not_contact,
                    marketing_consent: fields.marketing_consent,
                    birthday: fields.birthday,
                    birthday_changed: fields.birthday != before.fields.birthday,
                    birthday_days_before,
                },
            )?;
            Ok(Saved {
                id,
                code: before.code.clone(),
                version: expected_version + 1,
                warnings,
            })
        })
    }

    /// Merges `other` into `keep`: contacts, tags, purchases, interactions, complaints,
    /// reminders, surveys and grants move to `keep`; `other` stays as a tombstone pointing to it.
    pub fn merge_customers(
        &mut self,
        actor: &Actor,
        keep: i64,
        other: i64,
    ) -> Result<serde_json::Value> {
        self.require(actor, Permission::MergeCustomers)?;
        customer::check_merge(keep, other).map_err(|e| StoreError::Invalid(vec![e]))?;
        for id in [keep, other] {
            let c = self.customer(actor, id)?;
            if c.restricted {
                return Err(self.refusal_about(
                    actor,
                    Some(c.id),
                    confidential_refusal(&c.code, "merging them"),
                ));
            }
            if let Some(into) = c.merged_into {
                return Err(StoreError::Conflict(format!(
                    "{} was already merged into {into}",
                    c.code
                )));
            }
        }
        let rules = self.phone_rules().clone();
        self.write(actor, |w| {
            let tx = w.tx();
            let now = w.now().timestamp();
            let mut moved = serde_json::Map::new();
            // Contacts the survivor already has are dropped, the rest move.
            let dropped = tx.execute(
                "DELETE FROM contacts WHERE customer_id = ?2
                 AND normalized IN (SELECT normalized FROM contacts WHERE customer_id = ?1)",
                params![keep, other],
            )?;
            moved.insert("contacts_already_held".into(), dropped.into());
            tx.execute(
                "INSERT OR IGNORE INTO customer_tags (customer_id, tag)
                 SELECT ?1, tag FROM customer_tags WHERE customer_id = ?2",
                params![keep, other],
            )?;
            tx.execute("DELETE FROM customer_tags WHERE customer_id = ?1", [other])?;
            // An open periodic reminder of the other record would pile up on the survivor.
            super::reminders::drop_periodic_held_by(tx, keep, other, now)?;
            for table in [
                "contacts",
                "purchases",
                "interactions",
                "complaints",
                "reminders",
                "surveys",
                "grants",
                "access_requests",
                "points_ledger",
                "screen_pops",
                "opportunities",
            ] {
                let n = tx.execute(
                    &format!("UPDATE {table} SET customer_id = ?1 WHERE customer_id = ?2"),
                    params![keep, other],
                )?;
                moved.insert(table.into(), n.into());
            }
            tx.execute(
                "UPDATE customers SET merged_into = ?1, updated_at = ?3, version = version + 1 WHERE id = ?2",
                params![keep, other, now],
            )?;
            tx.execute(
                "UPDATE customers SET points = points + (SELECT points FROM customers WHERE id = ?2),
                        -- The later of the two; NULL (never contacted) only when both are.
                        last_contact_at = max(
                            coalesce(last_contact_at, (SELECT last_contact_at FROM customers WHERE id = ?2)),
                            coalesce((SELECT last_contact_at FROM customers WHERE id = ?2), last_contact_at)),
                        updated_at = ?3, version = version + 1
                 WHERE id = ?1",
                params![keep, other, now],
            )?;
            tx.execute("UPDATE customers SET points = 0 WHERE id = ?1", [other])?;
            search::unindex(tx, other)?;
            reindex(tx, keep, &rules)?;
            let today = w.today();
            super::purchases::refresh_summary(w.tx(), keep, today, w.tiers)?;
            let detail = serde_json::Value::Object(moved);
            w.audit(
                "customer.merge",
                "customer",
                Some(keep),
                serde_json::json!({"merged": other, "moved": detail}),
            );
            w.audit("customer.merged_into", "customer", Some(other), serde_json::json!({"into": keep}));
            Ok(detail)
        })
    }

    /// Summaries of the given customers in the given order, as `actor` may see them.
    pub fn customer_summaries(&self, actor: &Actor, ids: &[i64]) -> Result<Vec<CustomerSummary>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT c.id, c.code, c.name, c.level, c.tier, c.company, c.last_contact_at,
                    c.confidential, c.owner_id,
                    (SELECT value FROM contacts ct WHERE ct.customer_id = c.id AND ct.kind = 'phone'
                     ORDER BY position, id LIMIT 1)
             FROM customers c WHERE c.id = ?1",
        )?;
        let now = self.now();
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let row = stmt
                .query_row([id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        parse_opt::<Level>(r.get(3)?).unwrap_or_default(),
                        parse_opt::<Tier>(r.get(4)?).unwrap_or_default(),
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                        r.get::<_, bool>(7)?,
                        r.get::<_, Option<i64>>(8)?,
                        r.get::<_, Option<String>>(9)?,
                    ))
                })
                .optional()?;
            let Some((id, code, name, level, tier, company, last, confidential, owner, phone)) =
                row
            else {
                continue;
            };
            let visible = may_see(self.conn(), actor, id, confidential, owner, now)?;
            out.push(CustomerSummary {
                id,
                code,
                name,
                badge: if visible {
                    customer::badge(level, tier)
                } else {
                    ""
                },
                company: company.filter(|_| visible),
                masked_phone: phone
                    .filter(|_| visible)
                    .map(|p| masked_form(ContactKind::Phone, &p, self.phone_rules())),
                last_contact_at: last.filter(|_| visible).map(timestamp),
                restricted: !visible,
            });
        }
        Ok(out)
    }
}

/// The fields of an edit with the masked contacts and address sent back unchanged replaced
/// by the stored ones they stand for (`before` as stored).
fn unmask(
    fields: &CustomerFields,
    before: &Customer,
) -> std::result::Result<CustomerFields, Vec<FieldError>> {
    let mut fields = fields.clone();
    fields.contacts = unmask_contacts(&fields.contacts, &before.contacts_normalized)?;
    fields.address = unmask_address(fields.address.take(), before.fields.address.as_deref());
    Ok(fields)
}

/// Rebuilds one customer's lookup keys from what is stored.
pub(crate) fn reindex(tx: &Transaction<'_>, id: i64, rules: &PhoneRules) -> Result<()> {
    let (name, code, company): (String, String, Option<String>) = tx.query_row(
        "SELECT name, code, company FROM customers WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut stmt = tx.prepare_cached(
        "SELECT kind, value, normalized, label FROM contacts WHERE customer_id = ?1 ORDER BY position, id",
    )?;
    let contacts: Vec<NormalContact> = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(kind, value, normalized, label)| {
            // A kind this careline does not know (a newer one's) is still indexed, as other.
            let kind: ContactKind = kind.parse().unwrap_or(ContactKind::Other);
            NormalContact {
                phone: (kind == ContactKind::Phone)
                    .then(|| normalize_phone(&value, rules).ok())
                    .flatten(),
                input: ContactInput { kind, value, label },
                normalized,
            }
        })
        .collect();
    let mut stmt = tx.prepare_cached("SELECT tag FROM customer_tags WHERE customer_id = ?1")?;
    let tags: Vec<String> = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    search::unindex(tx, id)?;
    search::index(
        tx,
        id,
        &SearchDoc::new(&name, &code, company.as_deref(), &contacts, &tags),
    )
}
