//! Segments (issue 16, DESIGN §3.6): saved definitions (`domain::segment`), counted, listed
//! page by page, exported for a campaign and turned into a batch of reminders. Membership is
//! worked out afresh each time, in one parameterised statement over the customer table, so
//! it follows every edit, contact and purchase at once.
//!
//! Who is never a member: an erased customer, a merged record's tombstone. Who is left out of
//! a list and an export, and counted as left out: a confidential customer the operator may
//! not see (`customers::may_see`). Who a campaign never reaches, whatever the definition: a
//! do-not-contact customer (export and reminders), and for a marketing campaign one without
//! marketing consent (DESIGN §3.5).

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension as _};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::customers::may_see;
use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::contact::ContactKind;
use crate::domain::customer::{badge, FieldError, Level, Tier};
use crate::domain::customer_contacts::masked_form;
use crate::domain::masking::mask_address;
use crate::domain::segment::{check_name, no_contact_cutoff, SegmentDefinition, Wording};

/// A saved segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    pub definition: SegmentDefinition,
    /// The definition in words (English).
    pub description: String,
    /// Who defined it (login).
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// The order a segment's members are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemberOrder {
    /// By customer code (the default).
    #[default]
    Code,
    /// By name.
    Name,
    /// Longest without contact first (never contacted first of all), then by code.
    LastContact,
    /// Highest 12-month spend first, then by code.
    Spend,
}

impl MemberOrder {
    pub const NAMES: &'static str = "code, name, last_contact, spend";

    pub fn parse(text: &str) -> Option<MemberOrder> {
        match text.trim().replace('-', "_").as_str() {
            "code" => Some(MemberOrder::Code),
            "name" => Some(MemberOrder::Name),
            "last_contact" => Some(MemberOrder::LastContact),
            "spend" => Some(MemberOrder::Spend),
            _ => None,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            MemberOrder::Code => "c.code",
            MemberOrder::Name => "c.name, c.code",
            MemberOrder::LastContact => "coalesce(c.last_contact_at, 0), c.code",
            MemberOrder::Spend => "c.spend_12m DESC, c.code",
        }
    }
}

/// One member as a list shows it: the first phone and email always masked (DESIGN §6: lists
/// mask; the card and an export show them in full to those who may).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentMember {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub badge: &'static str,
    pub region: Option<String>,
    pub phone: Option<String>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub marketing_consent: bool,
    pub do_not_contact: bool,
}

/// A page of a segment's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberPage {
    pub segment: Segment,
    /// Every member (confidential ones included).
    pub count: u64,
    /// Members this operator may not see (confidential), left out of the list.
    pub withheld: u64,
    pub offset: u64,
    pub members: Vec<SegmentMember>,
}

/// One member as a campaign list carries them (`careline segment export`): phones, emails
/// and the address in full for whoever may see contacts in full on this site, masked for
/// everyone else, and `masked` says so on every row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedMember {
    pub code: String,
    pub name: String,
    pub level: String,
    pub tier: String,
    pub region: Option<String>,
    pub phone: String,
    pub email: String,
    pub address: Option<String>,
    pub preferred_channel: Option<String>,
    pub preferred_time: Option<String>,
    /// The day of the last contact logged (UTC), if any.
    pub last_contact: Option<String>,
    pub marketing_consent: bool,
    pub consent_date: Option<String>,
    pub tags: String,
    pub masked: bool,
}

impl ExportedMember {
    /// Its fields in order: the header of an empty CSV list.
    pub const COLUMNS: [&'static str; 15] = [
        "code",
        "name",
        "level",
        "tier",
        "region",
        "phone",
        "email",
        "address",
        "preferred_channel",
        "preferred_time",
        "last_contact",
        "marketing_consent",
        "consent_date",
        "tags",
        "masked",
    ];
}

/// What an export wrote and what it left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SegmentExport {
    pub rows: u64,
    /// Confidential members this operator may not see.
    pub withheld: u64,
    /// Members flagged do-not-contact: a campaign list never carries them.
    pub do_not_contact: u64,
    pub masked: bool,
}

/// A campaign: one reminder for every member of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    pub title: String,
    pub due_on: NaiveDate,
    pub note: Option<String>,
    /// A marketing campaign (an offer, an event): members without marketing consent are
    /// skipped. A service one (a recall, a notice) reaches them too.
    pub marketing: bool,
}

/// What a campaign made and why it left members out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CampaignOutcome {
    pub members: u64,
    /// Reminders made now.
    pub made: u64,
    /// Members who already had this campaign's reminder (the same segment, title and day):
    /// running it again makes nothing twice.
    pub already: u64,
    pub skipped_do_not_contact: u64,
    pub skipped_no_consent: u64,
    /// Confidential members this operator may not see.
    pub skipped_confidential: u64,
}

/// A definition as a WHERE clause over `customers c` with its values, in order.
struct Conditions {
    sql: String,
    values: Vec<Value>,
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The members of `def` at `now` (seconds): every criterion given, and never an erased or
/// merged record.
fn conditions(def: &SegmentDefinition, now: i64) -> Conditions {
    let mut sql = vec![
        "c.merged_into IS NULL".to_string(),
        "c.erased_at IS NULL".into(),
    ];
    let mut values: Vec<Value> = Vec::new();
    if !def.tiers.is_empty() {
        sql.push(format!("c.tier IN ({})", placeholders(def.tiers.len())));
        values.extend(def.tiers.iter().map(|t| Value::Text(t.as_str().into())));
    }
    if let Some(level) = def.level {
        sql.push("c.level = ?".into());
        values.push(Value::Text(level.as_str().into()));
    }
    // Each tag's holders read once from the tag table (a few hundred thousand rows), then
    // looked up per customer.
    for tag in &def.tags_all {
        sql.push("c.id IN (SELECT customer_id FROM customer_tags WHERE tag = ?)".into());
        values.push(Value::Text(tag.clone()));
    }
    if !def.tags_any.is_empty() {
        sql.push(format!(
            "c.id IN (SELECT customer_id FROM customer_tags WHERE tag IN ({}))",
            placeholders(def.tags_any.len())
        ));
        values.extend(def.tags_any.iter().map(|t| Value::Text(t.clone())));
    }
    for (column, range) in [
        ("c.rfm_r", def.rfm_r),
        ("c.rfm_f", def.rfm_f),
        ("c.rfm_m", def.rfm_m),
    ] {
        if let Some(r) = range {
            sql.push(format!("{column} BETWEEN ? AND ?"));
            values.push(Value::Integer(r.from.into()));
            values.push(Value::Integer(r.to.into()));
        }
    }
    if let Some(c) = def.churn_risk {
        sql.push("c.churn_risk = ?".into());
        values.push(Value::Integer(c.flag().into()));
    }
    if !def.regions.is_empty() {
        // As written, without regard to (ASCII) case: a function on the column would cost
        // every row of a million a call (1.8 s against 3 s measured under load).
        sql.push(format!(
            "c.region COLLATE NOCASE IN ({})",
            placeholders(def.regions.len())
        ));
        values.extend(def.regions.iter().map(|r| Value::Text(r.clone())));
    }
    if let Some(days) = def.no_contact_days {
        sql.push("(c.last_contact_at IS NULL OR c.last_contact_at <= ?)".into());
        values.push(Value::Integer(no_contact_cutoff(now, days)));
    }
    if let Some(days) = def.contacted_within_days {
        sql.push("c.last_contact_at > ?".into());
        values.push(Value::Integer(no_contact_cutoff(now, days)));
    }
    if let Some(c) = def.consent {
        sql.push("c.marketing_consent = ?".into());
        values.push(Value::Integer(c.flag().into()));
    }
    if let Some(d) = def.do_not_contact {
        sql.push("c.do_not_contact = ?".into());
        values.push(Value::Integer(d.flag().into()));
    }
    // HOOK(member levels, wt-loy): a member-level criterion adds its condition here.
    Conditions {
        sql: sql.join(" AND "),
        values,
    }
}

fn timestamp(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

const SEGMENT_SELECT: &str = "SELECT s.id, s.name, s.definition, o.login, s.created_at, s.version
     FROM segments s LEFT JOIN operators o ON o.id = s.created_by";

fn segment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Segment> {
    let text: String = r.get(2)?;
    let definition: SegmentDefinition = serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Segment {
        id: r.get(0)?,
        name: r.get(1)?,
        description: definition.describe(Wording::En),
        definition,
        created_by: r.get(3)?,
        created_at: timestamp(r.get(4)?),
        version: r.get(5)?,
    })
}

/// The source key of one member's campaign reminder: the segment, the day, the title (its
/// hash, so that a long title keeps the key short) and the customer. Two runs of one campaign
/// (at once or one after the other) meet on it: the unique key lets one reminder in.
fn campaign_key(segment: i64, due: NaiveDate, title: &str, customer: i64) -> String {
    let digest = Sha256::digest(title.as_bytes());
    let short: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("segment:{segment}:{due}:{short}:{customer}")
}

/// Longest campaign title.
const TITLE_MAX: usize = 200;

impl Store {
    /// Saves a new segment (supervisors). Refused naming the field when the name or the
    /// definition is wrong, and when the name is taken (without regard to case).
    pub fn add_segment(
        &mut self,
        actor: &Actor,
        name: &str,
        definition: SegmentDefinition,
    ) -> Result<Segment> {
        self.require(actor, Permission::DefineSegments)?;
        let mut errors = Vec::new();
        let name = check_name(name).map_err(|e| errors.push(e)).ok();
        let definition = definition
            .checked()
            .map_err(|mut e| errors.append(&mut e))
            .ok();
        let (Some(name), Some(definition)) = (name, definition) else {
            return Err(StoreError::Invalid(errors));
        };
        let json = serde_json::to_string(&definition)
            .map_err(|e| StoreError::Database(format!("segment definition: {e}")))?;
        let id = self.write(actor, |w| {
            let taken: Option<String> = w
                .tx()
                .query_row(
                    "SELECT name FROM segments WHERE name = ?1",
                    [&name],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(taken) = taken {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "name",
                    format!("a segment named '{taken}' already exists; choose another name or delete it first"),
                )]));
            }
            let now = w.now().timestamp();
            w.tx().execute(
                "INSERT INTO segments (name, definition, created_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
                params![name, json, w.actor().id, now],
            )?;
            let id = w.tx().last_insert_rowid();
            w.audit(
                "segment.add",
                "segment",
                Some(id),
                serde_json::json!({ "name": name, "definition": definition }),
            );
            Ok(id)
        })?;
        self.segment_by_id(id)
    }

    fn segment_by_id(&self, id: i64) -> Result<Segment> {
        self.conn()
            .query_row(
                &format!("{SEGMENT_SELECT} WHERE s.id = ?1"),
                [id],
                segment_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("segment {id}")))
    }

    /// Every saved segment, by name.
    pub fn segments(&self, actor: &Actor) -> Result<Vec<Segment>> {
        self.require(actor, Permission::ReadSegments)?;
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("{SEGMENT_SELECT} ORDER BY s.name COLLATE NOCASE"))?;
        let rows = stmt
            .query_map([], segment_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The segment of this name (without regard to case).
    pub fn segment(&self, actor: &Actor, name: &str) -> Result<Segment> {
        self.require(actor, Permission::ReadSegments)?;
        self.conn()
            .query_row(
                &format!("{SEGMENT_SELECT} WHERE s.name = ?1"),
                [name.trim()],
                segment_row,
            )
            .optional()?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "segment '{}' (`{} segment list` shows the segments there are)",
                    name.trim(),
                    crate::program::name()
                ))
            })
    }

    /// Deletes a segment (supervisors); its definition stays in the audit trail.
    pub fn delete_segment(&mut self, actor: &Actor, name: &str) -> Result<Segment> {
        self.require(actor, Permission::DefineSegments)?;
        let segment = self.segment(actor, name)?;
        self.write(actor, |w| {
            let gone = w.tx().execute(
                "DELETE FROM segments WHERE id = ?1 AND version = ?2",
                params![segment.id, segment.version],
            )?;
            if gone == 0 {
                return Err(StoreError::Conflict(format!(
                    "segment '{}' was changed or deleted meanwhile; look again",
                    segment.name
                )));
            }
            w.audit(
                "segment.delete",
                "segment",
                Some(segment.id),
                serde_json::json!({ "name": segment.name, "definition": segment.definition }),
            );
            Ok(())
        })?;
        Ok(segment)
    }

    /// How many customers are members of `def` now (confidential ones included).
    pub fn count_members(&self, actor: &Actor, def: &SegmentDefinition) -> Result<u64> {
        self.require(actor, Permission::ReadSegments)?;
        let c = conditions(def, self.now().timestamp());
        let n: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM customers c WHERE {}", c.sql),
            params_from_iter(c.values),
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// How many members `def` has, and which of them this operator may not see
    /// (confidential, neither owned nor granted: few, and checked one by one by the card's
    /// rule), in one read of the customers.
    fn census(&self, actor: &Actor, def: &SegmentDefinition) -> Result<(u64, Vec<i64>)> {
        let c = conditions(def, self.now().timestamp());
        let (count, confidential): (i64, String) = self.conn().query_row(
            &format!(
                "SELECT count(*),
                        json_group_array(json_array(c.id, c.owner_id)) FILTER (WHERE c.confidential = 1)
                 FROM customers c WHERE {}",
                c.sql
            ),
            params_from_iter(c.values),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let confidential: Vec<(i64, Option<i64>)> = serde_json::from_str(&confidential)
            .map_err(|e| StoreError::Database(format!("segment census: {e}")))?;
        let now = self.now();
        let mut hidden = Vec::new();
        if !actor.may(Permission::SeeConfidential) {
            for (id, owner) in confidential {
                if !may_see(self.conn(), actor, id, true, owner, now)? {
                    hidden.push(id);
                }
            }
        }
        hidden.sort_unstable();
        Ok((count.max(0) as u64, hidden))
    }

    /// A page of the members of segment `name` in `order`: `limit` members after the first
    /// `offset` this operator may see, with the count of every member and of those left out.
    pub fn segment_members(
        &self,
        actor: &Actor,
        name: &str,
        order: MemberOrder,
        offset: u64,
        limit: u64,
    ) -> Result<MemberPage> {
        let segment = self.segment(actor, name)?;
        let (count, hidden) = self.census(actor, &segment.definition)?;
        let c = conditions(&segment.definition, self.now().timestamp());
        let mut members = Vec::new();
        {
            let mut stmt = self.conn().prepare(&format!(
                "SELECT c.id, c.code, c.name, c.level, c.tier, c.region, c.last_contact_at,
                        c.marketing_consent, c.do_not_contact,
                        (SELECT value FROM contacts ct WHERE ct.customer_id = c.id
                          AND ct.kind = 'phone' ORDER BY position, id LIMIT 1)
                 FROM customers c WHERE {} ORDER BY {}",
                c.sql,
                order.sql()
            ))?;
            let mut rows = stmt.query(params_from_iter(c.values))?;
            let mut skipped = 0u64;
            while let Some(r) = rows.next()? {
                if members.len() as u64 >= limit {
                    break;
                }
                let id: i64 = r.get(0)?;
                if hidden.binary_search(&id).is_ok() {
                    continue;
                }
                if skipped < offset {
                    skipped += 1;
                    continue;
                }
                let level: Level = r.get::<_, String>(3)?.parse().unwrap_or_default();
                let tier: Tier = r.get::<_, String>(4)?.parse().unwrap_or_default();
                members.push(SegmentMember {
                    id,
                    code: r.get(1)?,
                    name: r.get(2)?,
                    badge: badge(level, tier),
                    region: r.get(5)?,
                    phone: r
                        .get::<_, Option<String>>(9)?
                        .map(|p| masked_form(ContactKind::Phone, &p, self.phone_rules())),
                    last_contact_at: r.get::<_, Option<i64>>(6)?.map(timestamp),
                    marketing_consent: r.get(7)?,
                    do_not_contact: r.get(8)?,
                });
            }
        }
        Ok(MemberPage {
            segment,
            count,
            withheld: hidden.len() as u64,
            offset,
            members,
        })
    }

    /// Calls `each` with every member of segment `name` a campaign may reach, by code:
    /// confidential members this operator may not see and do-not-contact members are left
    /// out and counted; contacts and addresses masked unless the operator may see them in
    /// full on this site. Supervisors; audited with the counts and whether masked.
    pub fn export_segment(
        &mut self,
        actor: &Actor,
        name: &str,
        each: &mut dyn FnMut(ExportedMember) -> std::io::Result<()>,
    ) -> Result<SegmentExport> {
        self.require(actor, Permission::ExportSegments)?;
        let segment = self.segment(actor, name)?;
        let masked = !self.may(actor, Permission::SeeFullContacts);
        let (_, hidden) = self.census(actor, &segment.definition)?;
        let rules = self.phone_rules().clone();
        let c = conditions(&segment.definition, self.now().timestamp());
        let contacts = |kind: &str| {
            format!(
                "(SELECT group_concat(value, char(31)) FROM (SELECT value FROM contacts
                  WHERE customer_id = c.id AND kind = '{kind}' ORDER BY position, id))"
            )
        };
        let mut out = SegmentExport {
            rows: 0,
            withheld: hidden.len() as u64,
            do_not_contact: 0,
            masked,
        };
        {
            let mut stmt = self.conn().prepare(&format!(
                "SELECT c.id, c.code, c.name, c.level, c.tier, c.region, {}, {}, c.address,
                        c.preferred_channel, c.preferred_time, c.last_contact_at,
                        c.marketing_consent, c.consent_date,
                        (SELECT group_concat(tag, ', ') FROM customer_tags WHERE customer_id = c.id),
                        c.do_not_contact
                 FROM customers c WHERE {} ORDER BY c.code",
                contacts("phone"),
                contacts("email"),
                c.sql
            ))?;
            let mut rows = stmt.query(params_from_iter(c.values))?;
            let cell = |gathered: Option<String>, kind: ContactKind| -> String {
                gathered
                    .map(|g| {
                        g.split('\u{1f}')
                            .map(|v| {
                                if masked {
                                    masked_form(kind, v, &rules)
                                } else {
                                    v.to_string()
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                    .unwrap_or_default()
            };
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                if hidden.binary_search(&id).is_ok() {
                    continue;
                }
                if r.get::<_, bool>(15)? {
                    out.do_not_contact += 1;
                    continue;
                }
                each(ExportedMember {
                    code: r.get(1)?,
                    name: r.get(2)?,
                    level: r.get(3)?,
                    tier: r.get(4)?,
                    region: r.get(5)?,
                    phone: cell(r.get(6)?, ContactKind::Phone),
                    email: cell(r.get(7)?, ContactKind::Email),
                    address: r.get::<_, Option<String>>(8)?.map(|a| {
                        if masked {
                            mask_address(&a)
                        } else {
                            a
                        }
                    }),
                    preferred_channel: r.get(9)?,
                    preferred_time: r.get(10)?,
                    last_contact: r
                        .get::<_, Option<i64>>(11)?
                        .map(|t| timestamp(t).date_naive().to_string()),
                    marketing_consent: r.get(12)?,
                    consent_date: r.get(13)?,
                    tags: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
                    masked,
                })?;
                out.rows += 1;
            }
        }
        self.write(actor, |w| {
            w.audit(
                "export.segment",
                "segment",
                Some(segment.id),
                serde_json::json!({
                    "name": segment.name,
                    "rows": out.rows,
                    "withheld": out.withheld,
                    "do_not_contact": out.do_not_contact,
                    "masked": masked,
                }),
            );
            Ok(())
        })?;
        Ok(out)
    }

    /// One reminder (kind manual, for anyone) for every member of segment `name` the campaign
    /// may reach, in one write: members are read inside it, so two runs at once meet on the
    /// reminders' unique source key ([`campaign_key`]) and one reminder per member is made.
    /// Run again (the same segment, title and day), it makes nothing twice. Supervisors;
    /// audited once with the counts.
    pub fn campaign_reminders(
        &mut self,
        actor: &Actor,
        name: &str,
        campaign: &NewCampaign,
    ) -> Result<CampaignOutcome> {
        self.require(actor, Permission::CampaignReminders)?;
        let segment = self.segment(actor, name)?;
        let today = self.care_today();
        let mut problems = Vec::new();
        let title = campaign.title.trim().to_string();
        if title.is_empty() {
            problems.push(FieldError::new("title", "is required"));
        } else if title.chars().count() > TITLE_MAX {
            problems.push(FieldError::new(
                "title",
                format!("is longer than {TITLE_MAX} characters"),
            ));
        }
        if campaign.due_on < today {
            problems.push(FieldError::new("due", format!("is before today ({today})")));
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let note = campaign
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let sees_all = actor.may(Permission::SeeConfidential);
        self.write(actor, |w| {
            let now = w.now();
            let c = conditions(&segment.definition, now.timestamp());
            let members: Vec<(i64, bool, Option<i64>, bool, bool)> = w
                .tx()
                .prepare(&format!(
                    "SELECT c.id, c.confidential, c.owner_id, c.do_not_contact, c.marketing_consent
                     FROM customers c WHERE {} ORDER BY c.id",
                    c.sql
                ))?
                .query_map(params_from_iter(c.values), |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut outcome = CampaignOutcome {
                members: members.len() as u64,
                ..CampaignOutcome::default()
            };
            let mut insert = w.tx().prepare_cached(&format!(
                "INSERT INTO reminders (customer_id, kind, source_key, due_on, title, note, status,
                     scope, created_by, created_at, updated_at, badge)
                 VALUES (?1, 'manual', ?2, ?3, ?4, ?5, 'open', 'anyone', ?6, ?7, ?7, {})
                 ON CONFLICT (source_key) DO NOTHING",
                super::reminders::BADGE_OF_CUSTOMER
            ))?;
            for (id, confidential, owner, do_not_contact, consent) in members {
                if confidential && !sees_all && !may_see(w.tx(), w.actor(), id, true, owner, now)? {
                    outcome.skipped_confidential += 1;
                } else if do_not_contact {
                    outcome.skipped_do_not_contact += 1;
                } else if campaign.marketing && !consent {
                    outcome.skipped_no_consent += 1;
                } else {
                    let key = campaign_key(segment.id, campaign.due_on, &title, id);
                    let made = insert.execute(params![
                        id,
                        key,
                        campaign.due_on.to_string(),
                        title,
                        note,
                        w.actor().id,
                        now.timestamp()
                    ])?;
                    if made == 1 {
                        outcome.made += 1;
                    } else {
                        outcome.already += 1;
                    }
                }
            }
            drop(insert);
            w.audit(
                "segment.campaign",
                "segment",
                Some(segment.id),
                serde_json::json!({
                    "name": segment.name,
                    "title": title,
                    "due": campaign.due_on.to_string(),
                    "marketing": campaign.marketing,
                    "outcome": outcome,
                }),
            );
            Ok(outcome)
        })
    }

    /// The members of segment `id` as a temporary table of this connection
    /// (`temp.careline_segment`), for the Care list's segment filter. Read again when another
    /// segment (or another version of it) is asked for, or when the members were read over a
    /// minute ago: on a million customers a reading takes a fifth of a second or more, and
    /// the Care list is read again at every change others make.
    pub(crate) fn fill_segment_table(&self, id: i64) -> Result<()> {
        let segment = self.segment_by_id(id)?;
        let now = self.now().timestamp();
        self.conn().execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS careline_segment (id INTEGER PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS careline_segment_read
                 (segment INTEGER, version INTEGER, at INTEGER);",
        )?;
        let fresh: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM temp.careline_segment_read
                             WHERE segment = ?1 AND version = ?2 AND at > ?3 - 60 AND at <= ?3)",
            params![segment.id, segment.version, now],
            |r| r.get(0),
        )?;
        if fresh {
            return Ok(());
        }
        let c = conditions(&segment.definition, now);
        self.conn().execute_batch(
            "DELETE FROM temp.careline_segment; DELETE FROM temp.careline_segment_read;",
        )?;
        self.conn().execute(
            &format!(
                "INSERT INTO temp.careline_segment SELECT c.id FROM customers c WHERE {}",
                c.sql
            ),
            params_from_iter(c.values),
        )?;
        self.conn().execute(
            "INSERT INTO temp.careline_segment_read VALUES (?1, ?2, ?3)",
            params![segment.id, segment.version, now],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::segment::{ScoreRange, YesNo};

    #[test]
    fn every_criterion_becomes_a_condition_with_its_values_in_order() {
        let def = SegmentDefinition {
            tiers: vec![Tier::High],
            level: Some(Level::Vip),
            tags_all: vec!["a".into()],
            tags_any: vec!["b".into(), "c".into()],
            rfm_r: Some(ScoreRange { from: 4, to: 5 }),
            regions: vec!["北京".into()],
            no_contact_days: Some(60),
            consent: Some(YesNo::Yes),
            do_not_contact: Some(YesNo::No),
            ..SegmentDefinition::default()
        };
        let c = conditions(&def, 10_000_000);
        assert_eq!(c.sql.matches('?').count(), c.values.len());
        // 60 days of 86,400 s before 10,000,000.
        assert!(c.values.contains(&Value::Integer(4_816_000)));
        assert!(c
            .sql
            .starts_with("c.merged_into IS NULL AND c.erased_at IS NULL"));
    }

    #[test]
    fn a_campaign_key_names_segment_day_title_and_customer() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
        let a = campaign_key(3, day, "Winter offer", 42);
        assert!(a.starts_with("segment:3:2026-12-01:"), "{a}");
        assert!(a.ends_with(":42"), "{a}");
        assert_ne!(a, campaign_key(3, day, "Spring offer", 42));
        assert_eq!(a, campaign_key(3, day, "Winter offer", 42));
    }
}
