//! Working care reminders (DESIGN §3.5): the Care pane's list (overdue, then due today, then
//! upcoming, grouped by kind), a reminder done, snoozed to a date, skipped with a reason or
//! deleted, a reminder added by hand, and what a change to a customer does to their open
//! generated reminders. The screen and the CLI call the same functions, under the same
//! permissions, with the same audit entries.

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{params, OptionalExtension as _};
use serde::Serialize;

use super::{Actor, Permission, Result, Store, StoreError, Writer};
use crate::domain::care::CareFact;
use crate::domain::contact::ContactKind;
use crate::domain::customer::FieldError;
use crate::domain::customer_contacts::masked_form;
use crate::domain::interaction::FollowUpScope;
use crate::domain::reminder::{may_work, Kind, Status};

/// Kinds in the order the Care pane groups them: what someone asked for first, then the
/// birthdays and the calls about a purchase or a membership, then the periodic calls, and the
/// holiday greetings last — a campaign to every customer with consent (tens of thousands on a
/// large desk, most often sent as an exported SMS list), which would otherwise bury tomorrow's
/// calls.
pub const KIND_ORDER: [Kind; 9] = [
    Kind::FollowUp,
    Kind::ComplaintFollowUp,
    Kind::Manual,
    Kind::Birthday,
    Kind::PostPurchase,
    Kind::Renewal,
    Kind::ReturnVisit,
    Kind::ProfileVerification,
    Kind::Holiday,
];

/// How far ahead the Care list reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueRange {
    /// Overdue and due today.
    Due,
    /// Through the next 7 days.
    Week,
    /// Through the next 30 days.
    Month,
    /// Every one still to do (generation makes them only so far ahead).
    #[default]
    All,
}

impl DueRange {
    pub const ALL: [DueRange; 4] = [
        DueRange::Due,
        DueRange::Week,
        DueRange::Month,
        DueRange::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DueRange::Due => "due",
            DueRange::Week => "week",
            DueRange::Month => "month",
            DueRange::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<DueRange> {
        DueRange::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The last day shown, from `today`.
    pub fn last_day(self, today: NaiveDate) -> NaiveDate {
        match self {
            DueRange::Due => today,
            DueRange::Week => today + Duration::days(7),
            DueRange::Month => today + Duration::days(30),
            // As stored days compare (text): the last day of year 9999.
            DueRange::All => NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(today),
        }
    }
}

/// What the Care list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CareFilter {
    /// Only reminders kept for this operator.
    pub mine: bool,
    /// Only reminders for anyone.
    pub anyones: bool,
    pub kind: Option<Kind>,
    /// The customer's badge: `vip`, `high`, `potential` or `normal`.
    pub badge: Option<String>,
    pub range: DueRange,
    pub customer: Option<i64>,
    /// Only reminders of the members of this segment (its id): see `Store::care_list`.
    pub segment: Option<i64>,
    /// Done, skipped and deleted ones too (the CLI's `--all`).
    pub every_status: bool,
    pub limit: Option<usize>,
    /// Only those after this one in the list's order (the next page after the row shown last),
    /// by its [`CareRow::place`].
    pub after: Option<CarePlace>,
}

/// A reminder's place in the Care list's order: its part (overdue, today, upcoming), its
/// kind's place in [`KIND_ORDER`], its day, a follow-up's time (`i64::MIN` without one), its
/// number.
pub type CarePlace = (u8, usize, NaiveDate, i64, i64);

/// One reminder as the Care pane and `careline reminder list` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CareRow {
    pub id: i64,
    pub customer_id: i64,
    /// Withheld (None) with the title, note and facts when the customer is confidential to
    /// this operator.
    pub customer_name: Option<String>,
    pub customer_code: String,
    /// `vip`, `high`, `potential` or `normal`.
    pub badge: String,
    pub kind: Kind,
    pub status: Status,
    pub due_on: NaiveDate,
    /// The day it is shown on: snoozed to, else due.
    pub day: NaiveDate,
    pub window_end: Option<NaiveDate>,
    pub snoozed_until: Option<NaiveDate>,
    pub title: Option<String>,
    pub note: Option<String>,
    /// Why a generated one exists.
    pub fact: Option<CareFact>,
    pub scope: FollowUpScope,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub preferred_channel: Option<String>,
    pub preferred_time: Option<String>,
    pub skip_reason: Option<String>,
    pub done_interaction_id: Option<i64>,
    pub complaint_id: Option<i64>,
    /// A follow-up's time of day (seconds since the epoch).
    pub due_at: Option<i64>,
    pub restricted: bool,
}

impl CareRow {
    /// Overdue (0), due today (1) or upcoming (2).
    /// Its place in the Care list read on `today` (for [`CareFilter::after`]).
    pub fn place(&self, today: NaiveDate) -> CarePlace {
        care_order(self, today)
    }

    pub fn section(&self, today: NaiveDate) -> u8 {
        match self.day.cmp(&today) {
            std::cmp::Ordering::Less => 0,
            std::cmp::Ordering::Equal => 1,
            std::cmp::Ordering::Greater => 2,
        }
    }
}

/// What is done to a reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReminderWork {
    /// Done without a contact logged (one logged with the reminder linked marks it done by
    /// itself).
    Done {
        note: Option<String>,
    },
    Snooze {
        until: NaiveDate,
    },
    /// A reason from the list (`SkipReason`) or typed.
    Skip {
        reason: String,
    },
    Delete {
        reason: String,
    },
}

impl ReminderWork {
    fn status(&self) -> Status {
        match self {
            ReminderWork::Done { .. } => Status::Done,
            ReminderWork::Snooze { .. } => Status::Snoozed,
            ReminderWork::Skip { .. } => Status::Skipped,
            ReminderWork::Delete { .. } => Status::Deleted,
        }
    }

    fn action(&self) -> &'static str {
        match self {
            ReminderWork::Done { .. } => "reminder.done",
            ReminderWork::Snooze { .. } => "reminder.snooze",
            ReminderWork::Skip { .. } => "reminder.skip",
            ReminderWork::Delete { .. } => "reminder.delete",
        }
    }
}

/// A reminder added by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    pub customer_id: i64,
    pub due_on: NaiveDate,
    pub title: String,
    pub note: Option<String>,
    /// Kept for one operator (`Me` with `assignee`), or anyone's.
    pub scope: FollowUpScope,
    /// The operator it is kept for (this operator when None and `scope` is `Me`).
    pub assignee: Option<i64>,
}

/// Longest title a reminder added by hand may have.
const TITLE_MAX: usize = 200;

const CARE_ROW: &str =
    "SELECT r.id, r.customer_id, c.name, c.code, c.level, c.tier, r.kind, r.status,
        r.due_on, r.window_end, r.snoozed_until, r.title, r.note, r.facts, r.scope, r.assignee_id,
        o.name, c.preferred_channel, c.preferred_time, r.skip_reason, r.done_interaction_id,
        r.complaint_id, c.confidential, c.owner_id, r.due_at
    FROM reminders r JOIN customers c ON c.id = r.customer_id
    LEFT JOIN operators o ON o.id = r.assignee_id";

type Found = (CareRow, bool, Option<i64>);

fn care_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Found> {
    let level: String = r.get(4)?;
    let tier: String = r.get(5)?;
    let due_on: NaiveDate = r.get(8)?;
    let snoozed_until: Option<NaiveDate> = r.get(10)?;
    let facts: Option<String> = r.get(13)?;
    Ok((
        CareRow {
            id: r.get(0)?,
            customer_id: r.get(1)?,
            customer_name: Some(r.get(2)?),
            customer_code: r.get(3)?,
            badge: if level == "vip" { level } else { tier },
            kind: super::stored_name(r, 6)?,
            status: super::stored_name(r, 7)?,
            due_on,
            day: snoozed_until.unwrap_or(due_on),
            window_end: r.get(9)?,
            snoozed_until,
            title: r.get(11)?,
            note: r.get(12)?,
            fact: facts.and_then(|f| serde_json::from_str(&f).ok()),
            scope: super::stored_name(r, 14)?,
            assignee_id: r.get(15)?,
            assignee_name: r.get(16)?,
            preferred_channel: r.get(17)?,
            preferred_time: r.get(18)?,
            skip_reason: r.get(19)?,
            done_interaction_id: r.get(20)?,
            complaint_id: r.get(21)?,
            due_at: r.get(24)?,
            restricted: false,
        },
        r.get(22)?,
        r.get(23)?,
    ))
}

/// A reminder's place in the Care list (see [`CarePlace`]).
fn care_order(r: &CareRow, today: NaiveDate) -> CarePlace {
    let kind = KIND_ORDER
        .iter()
        .position(|k| *k == r.kind)
        .unwrap_or(KIND_ORDER.len());
    (
        r.section(today),
        kind,
        r.day,
        r.due_at.unwrap_or(i64::MIN),
        r.id,
    )
}

impl Store {
    /// Today in the centre's time zone (the day reminders are due on).
    pub fn care_today(&self) -> NaiveDate {
        self.now().with_timezone(&self.calendar().tz()).date_naive()
    }

    /// The reminders `filter` asks for, in the Care pane's order. Still-to-do ones only
    /// (unless `every_status`), and none of a customer who asked not to be contacted, nor a
    /// marketing greeting to one without consent (generation makes none; one made before the
    /// customer changed is withdrawn, and never shown meanwhile).
    ///
    /// However many are open, it reads only what it shows: each part (overdue, today,
    /// upcoming) kind by kind in due order (`reminders_kind_due`), as far as the limit. One
    /// operator's or one customer's are few, and are read whole and sorted.
    pub fn care_list(&self, actor: &Actor, filter: &CareFilter) -> Result<Vec<CareRow>> {
        let today = self.care_today();
        let last = filter.range.last_day(today);
        let limit = filter.limit.unwrap_or(usize::MAX);
        let mut common = String::from(" AND c.merged_into IS NULL");
        // One customer's in every status are theirs even once they are erased: the reminders
        // an erase withdrew are kept, and listed as such.
        if !(filter.every_status && filter.customer.is_some()) {
            common.push_str(" AND c.erased_at IS NULL");
        }
        if !filter.every_status {
            common.push_str(
                " AND c.do_not_contact = 0 AND (r.kind <> 'holiday' OR c.marketing_consent = 1)",
            );
        }
        if filter.anyones {
            common.push_str(" AND r.scope = 'anyone'");
        }
        match filter.badge.as_deref() {
            Some("vip") => common.push_str(" AND c.level = 'vip'"),
            Some(tier @ ("high" | "potential" | "normal")) => {
                common.push_str(&format!(" AND c.level <> 'vip' AND c.tier = '{tier}'"))
            }
            _ => {}
        }
        if let Some(kind) = filter.kind {
            common.push_str(&format!(" AND r.kind = '{}'", kind.as_str()));
        }
        // A segment's members, in a table of this connection (one read of the customers, a
        // fifth of a second or more on a million, done at most once a minute: see
        // `fill_segment_table`), so that the list's statements stay as they are.
        if let Some(segment) = filter.segment {
            self.fill_segment_table(segment)?;
            common.push_str(" AND r.customer_id IN temp.careline_segment");
        }
        let (today_text, last_text) = (today.to_string(), last.to_string());
        let found: Vec<Found> = if filter.mine || filter.customer.is_some() || filter.every_status {
            // One operator's by the assignee index, one customer's by the customer index:
            // never a walk over everyone's.
            let select = if filter.customer.is_some() {
                CARE_ROW.replace(
                    "FROM reminders r ",
                    "FROM reminders r INDEXED BY reminders_customer ",
                )
            } else if filter.mine {
                CARE_ROW.replace(
                    "FROM reminders r ",
                    "FROM reminders r INDEXED BY reminders_assignee ",
                )
            } else {
                CARE_ROW.to_string()
            };
            let mut sql = format!("{select} WHERE 1 = 1{common}");
            if !filter.every_status {
                // The status as a list first, for the index's second column.
                sql.push_str(
                    " AND r.status IN ('open', 'snoozed')
                      AND ((r.status = 'open' AND r.due_on <= ?2)
                           OR (r.status = 'snoozed' AND r.snoozed_until <= ?2))",
                );
            }
            if filter.mine {
                sql.push_str(" AND r.assignee_id = ?3");
            }
            if filter.customer.is_some() {
                sql.push_str(" AND r.customer_id = ?4");
            }
            sql.push_str(" LIMIT ?5");
            // Few: read whole (within the limit's reach), then put in order below.
            let reach = if filter.every_status { -1 } else { 100_000 };
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let mut rows: Vec<Found> = stmt
                .query_map(
                    params![today_text, last_text, actor.id, filter.customer, reach],
                    care_row,
                )?
                .collect::<rusqlite::Result<_>>()?;
            rows.sort_by_key(|(r, _, _)| care_order(r, today));
            if let Some(after) = filter.after {
                rows.retain(|(r, _, _)| care_order(r, today) > after);
            }
            rows.truncate(limit);
            rows
        } else {
            // The snoozed ones are few: read whole, each merged into its part and kind. By the
            // status in `reminders_kind_due`, named: with a tier filter and the statistics of a
            // large database, SQLite chose to read every customer instead (0.5 s at a million).
            let mut snoozed: Vec<Found> = self
                .conn()
                .prepare_cached(&format!(
                    "{} WHERE r.status = 'snoozed' AND r.snoozed_until <= ?1{common}",
                    CARE_ROW.replace(
                        "FROM reminders r ",
                        "FROM reminders r INDEXED BY reminders_kind_due ",
                    )
                ))?
                .query_map([&last_text], care_row)?
                .collect::<rusqlite::Result<_>>()?;
            snoozed.sort_by_key(|(r, _, _)| care_order(r, today));
            if let Some(after) = filter.after {
                snoozed.retain(|(r, _, _)| care_order(r, today) > after);
            }
            let parts = [
                "r.due_on < ?1",
                "r.due_on = ?1",
                "r.due_on > ?1 AND r.due_on <= ?2",
            ];
            let kinds: Vec<Kind> = match filter.kind {
                Some(k) => vec![k],
                None => KIND_ORDER.to_vec(),
            };
            let mut out: Vec<Found> = Vec::new();
            'parts: for (section, part) in parts.iter().enumerate() {
                for kind in &kinds {
                    let remaining = limit.saturating_sub(out.len());
                    if remaining == 0 {
                        break 'parts;
                    }
                    let place = KIND_ORDER
                        .iter()
                        .position(|k| k == kind)
                        .unwrap_or(KIND_ORDER.len());
                    // A next page: the parts and kinds before the last row shown are passed
                    // over, and its own group starts just after it, in the index's order.
                    let after = match filter.after {
                        Some(a) if (section as u8, place) < (a.0, a.1) => continue,
                        Some(a) if (section as u8, place) == (a.0, a.1) => Some(a),
                        _ => None,
                    };
                    let after_sql = if after.is_some() {
                        " AND r.due_on >= ?4 AND (r.due_on > ?4 OR coalesce(r.due_at, ?7) > ?5
                              OR (coalesce(r.due_at, ?7) = ?5 AND r.id > ?6))"
                    } else {
                        ""
                    };
                    // The rarer badges by their own index (migration 0013), in the same order:
                    // a VIP's reminders are a few in a hundred, too few to find by walking all.
                    let (index, badge) = match filter.badge.as_deref() {
                        Some(b @ ("vip" | "high")) => (
                            if b == "vip" {
                                "reminders_vip_due"
                            } else {
                                "reminders_high_due"
                            },
                            format!("r.badge = '{b}' AND "),
                        ),
                        _ => ("reminders_kind_due", String::new()),
                    };
                    let select = CARE_ROW.replace(
                        "FROM reminders r ",
                        &format!("FROM reminders r INDEXED BY {index} "),
                    );
                    let sql = format!(
                        "{select}
                         WHERE {badge}r.status = 'open' AND r.kind = '{kind}' AND {part}{after_sql}
                           {common}
                         ORDER BY r.due_on, r.due_at, r.id LIMIT ?3",
                        kind = kind.as_str()
                    );
                    let mut stmt = self.conn().prepare_cached(&sql)?;
                    let rows = match after {
                        Some((_, _, day, at, id)) => stmt.query_map(
                            params![
                                today_text,
                                last_text,
                                remaining as i64,
                                day.to_string(),
                                at,
                                id,
                                i64::MIN
                            ],
                            care_row,
                        )?,
                        None => stmt.query_map(
                            params![today_text, last_text, remaining as i64],
                            care_row,
                        )?,
                    };
                    let mut group: Vec<Found> = rows.collect::<rusqlite::Result<_>>()?;
                    group.extend(
                        snoozed
                            .iter()
                            .filter(|(r, _, _)| {
                                r.kind == *kind && usize::from(r.section(today)) == section
                            })
                            .cloned(),
                    );
                    group.sort_by_key(|(r, _, _)| care_order(r, today));
                    group.truncate(remaining);
                    out.extend(group);
                }
            }
            out
        };
        found
            .into_iter()
            .map(|found| self.visible_care_row(actor, found))
            .collect()
    }

    /// One reminder as the Care list shows it.
    pub fn care_row(&self, actor: &Actor, id: i64) -> Result<CareRow> {
        let found = self
            .conn()
            .prepare_cached(&format!("{CARE_ROW} WHERE r.id = ?1"))?
            .query_row([id], care_row)
            .optional()?;
        match found {
            Some(found) => self.visible_care_row(actor, found),
            None => Err(StoreError::NotFound(format!("reminder {id}"))),
        }
    }

    fn visible_care_row(
        &self,
        actor: &Actor,
        (mut row, confidential, owner): Found,
    ) -> Result<CareRow> {
        if !self.may_see_customer(actor, row.customer_id, confidential, owner)? {
            row.restricted = true;
            row.customer_name = None;
            row.title = None;
            row.note = None;
            row.fact = None;
            row.skip_reason = None;
        }
        Ok(row)
    }

    /// Does `work` on reminder `id`: refused when it is no longer to do (one done, skipped or
    /// deleted never changes again), when it is kept for another operator and this one may not
    /// work others' reminders, or when the customer is confidential to this operator. A
    /// profile verification done records the verification date on the customer.
    pub fn work_reminder(
        &mut self,
        actor: &Actor,
        id: i64,
        work: &ReminderWork,
    ) -> Result<CareRow> {
        let today = self.care_today();
        if let ReminderWork::Snooze { until } = work {
            if *until <= today {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "until",
                    format!("must be after today ({today})"),
                )]));
            }
        }
        let reason = match work {
            ReminderWork::Skip { reason } | ReminderWork::Delete { reason } => {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        "reason",
                        "is required",
                    )]));
                }
                Some(reason.to_string())
            }
            _ => None,
        };
        let row = self.care_row(actor, id)?;
        if row.restricted {
            return Err(self.refusal_about(
                actor,
                Some(row.customer_id),
                format!("reminder {id} is of a confidential customer you may not see"),
            ));
        }
        // A snooze puts a reminder off: to a day after the day it is due (or snoozed to), and
        // never past the last day it makes sense (a birthday, a holiday, a purchase's window).
        if let ReminderWork::Snooze { until } = work {
            if *until <= row.day && row.day > today {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "until",
                    format!("must be after the day it is due ({})", row.day),
                )]));
            }
            if let Some(end) = row.window_end.filter(|end| until > end) {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "until",
                    format!(
                        "must be on or before {end}, the last day it makes sense; skip it instead"
                    ),
                )]));
            }
        }
        let may_others = actor.may(Permission::WorkOthersReminders);
        self.write(actor, |w| {
            let (status, scope, assignee, kind, customer): (String, String, Option<i64>, String, i64) =
                w.tx().query_row(
                    "SELECT status, scope, assignee_id, kind, customer_id FROM reminders WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?;
            let status: Status = status
                .parse()
                .map_err(|_| StoreError::Database(format!("reminder {id}: status {status}")))?;
            if !status.is_open() {
                return Err(StoreError::Conflict(format!(
                    "reminder {id} is already {status}; a reminder done, skipped or deleted is not worked again"
                )));
            }
            let scope: FollowUpScope = scope.parse().unwrap_or(FollowUpScope::Anyone);
            if !may_work(scope, assignee, w.actor().id, may_others) {
                let holder = holder_name(w, assignee)?;
                return Err(StoreError::Forbidden(format!(
                    "reminder {id} is kept for {holder}; only they, a supervisor or an admin may work it"
                )));
            }
            let now = w.now().timestamp();
            match work {
                ReminderWork::Done { note } => {
                    w.tx().execute(
                        "UPDATE reminders SET status = 'done', note = coalesce(?2, note),
                             snoozed_until = NULL, updated_at = ?3, version = version + 1
                         WHERE id = ?1",
                        params![id, note, now],
                    )?;
                    if kind == Kind::ProfileVerification.as_str() {
                        note_verified(w, customer, today)?;
                    }
                }
                ReminderWork::Snooze { until } => {
                    w.tx().execute(
                        "UPDATE reminders SET status = 'snoozed', snoozed_until = ?2,
                             updated_at = ?3, version = version + 1
                         WHERE id = ?1",
                        params![id, until.to_string(), now],
                    )?;
                }
                ReminderWork::Skip { .. } | ReminderWork::Delete { .. } => {
                    w.tx().execute(
                        "UPDATE reminders SET status = ?2, skip_reason = ?3, snoozed_until = NULL,
                             updated_at = ?4, version = version + 1
                         WHERE id = ?1",
                        params![id, work.status().as_str(), reason, now],
                    )?;
                }
            }
            let detail = match work {
                ReminderWork::Done { note } => serde_json::json!({ "note": note }),
                ReminderWork::Snooze { until } => {
                    serde_json::json!({ "until": until.to_string() })
                }
                _ => serde_json::json!({ "reason": reason }),
            };
            let mut detail = detail;
            detail["customer"] = serde_json::json!(customer);
            detail["kind"] = serde_json::json!(kind);
            w.audit(work.action(), "reminder", Some(id), detail);
            Ok(())
        })?;
        self.care_row(actor, id)
    }

    /// Adds a reminder by hand (`r` on the card, `careline reminder add`); its id.
    pub fn add_reminder(&mut self, actor: &Actor, new: &NewReminder) -> Result<i64> {
        let today = self.care_today();
        let mut problems = Vec::new();
        let title = new.title.trim();
        if title.is_empty() {
            problems.push(FieldError::new("title", "is required"));
        } else if title.chars().count() > TITLE_MAX {
            problems.push(FieldError::new(
                "title",
                format!("is longer than {TITLE_MAX} characters"),
            ));
        }
        if new.due_on < today {
            problems.push(FieldError::new("due", format!("is before today ({today})")));
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let assignee = match new.scope {
            FollowUpScope::Me => Some(new.assignee.unwrap_or(actor.id)),
            FollowUpScope::Anyone => None,
        };
        // Kept for someone else: a supervisor or an admin hands work out.
        if assignee.is_some_and(|a| a != actor.id) && !actor.may(Permission::WorkOthersReminders) {
            return Err(self.refusal(
                actor,
                "only a supervisor or an admin may hand a reminder to another operator".into(),
            ));
        }
        let card = self.reload_card(actor, new.customer_id)?;
        if card.customer.restricted {
            return Err(self.refusal_about(
                actor,
                Some(new.customer_id),
                super::customers::confidential_refusal(
                    &card.customer.code,
                    "adding a reminder for them",
                ),
            ));
        }
        if let Some(survivor) = &card.customer.merged_into {
            return Err(StoreError::Conflict(format!(
                "customer {} was merged into {survivor}; add the reminder there",
                card.customer.code
            )));
        }
        // Every reminder is a call or message out (and marking a customer so withdraws theirs).
        if card.customer.fields.do_not_contact {
            return Err(StoreError::Conflict(format!(
                "{} asked not to be contacted: no reminder to call or message them is added",
                card.customer.code
            )));
        }
        let note = new.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        self.write(actor, |w| {
            if let Some(a) = assignee {
                let active: Option<bool> = w
                    .tx()
                    .query_row("SELECT active FROM operators WHERE id = ?1", [a], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if active != Some(true) {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        "for",
                        "is not an active operator",
                    )]));
                }
            }
            let now = w.now().timestamp();
            w.tx().execute(
                &format!(
                    "INSERT INTO reminders (customer_id, kind, due_on, title, note, status, scope,
                         assignee_id, created_by, created_at, updated_at, badge)
                     VALUES (?1, 'manual', ?2, ?3, ?4, 'open', ?5, ?6, ?7, ?8, ?8, {})",
                    super::reminders::BADGE_OF_CUSTOMER
                ),
                params![
                    new.customer_id,
                    new.due_on.to_string(),
                    title,
                    note,
                    new.scope.as_str(),
                    assignee,
                    w.actor().id,
                    now
                ],
            )?;
            let id = w.tx().last_insert_rowid();
            // Who it is kept for, by login: the trail is read by people.
            let kept_for: Option<String> = match assignee {
                Some(a) => w
                    .tx()
                    .query_row("SELECT login FROM operators WHERE id = ?1", [a], |r| {
                        r.get(0)
                    })
                    .optional()?,
                None => None,
            };
            w.audit(
                "reminder.add",
                "reminder",
                Some(id),
                serde_json::json!({
                    "customer": new.customer_id,
                    "title": title,
                    "due": new.due_on.to_string(),
                    "scope": new.scope.as_str(),
                    "assignee": kept_for,
                }),
            );
            Ok(id)
        })
    }
}

/// The name of the operator a reminder is kept for.
fn holder_name(w: &Writer<'_>, assignee: Option<i64>) -> Result<String> {
    let Some(a) = assignee else {
        return Ok("another operator".into());
    };
    Ok(w.tx()
        .query_row(
            "SELECT name || ' (' || login || ')' FROM operators WHERE id = ?1",
            [a],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| format!("operator {a}")))
}

/// Records that a customer's profile was verified on `day` (a verification reminder worked).
pub(super) fn note_verified(w: &Writer<'_>, customer: i64, day: NaiveDate) -> Result<()> {
    w.tx().execute(
        "UPDATE customers SET last_verified = ?2 WHERE id = ?1",
        params![customer, day.to_string()],
    )?;
    Ok(())
}

/// What a change to a customer does to their open generated reminders: a customer who asks
/// not to be contacted has every outbound one withdrawn; one who withdraws marketing consent,
/// the holiday greetings; a birthday changed moves the open birthday reminder to the new day
/// (removed: withdrawn); each withdrawal says why. Called inside the write that changes them.
pub(super) struct CustomerChange {
    pub customer: i64,
    pub do_not_contact: bool,
    pub marketing_consent: bool,
    pub birthday: Option<NaiveDate>,
    pub birthday_changed: bool,
    pub birthday_days_before: i64,
}

/// Why the reminders of a customer who asked not to be contacted were withdrawn.
pub(super) const WITHDRAWN_DO_NOT_CONTACT: &str =
    "withdrawn: the customer asked not to be contacted";

pub(super) fn follow_customer_change(w: &mut Writer<'_>, change: &CustomerChange) -> Result<usize> {
    let now = w.now().timestamp();
    let mut withdrawn = 0;
    let withdraw = |w: &Writer<'_>, kinds: &str, reason: &str| -> Result<usize> {
        Ok(w.tx().execute(
            &format!(
                "UPDATE reminders SET status = 'deleted', skip_reason = ?2, snoozed_until = NULL,
                     updated_at = ?3, version = version + 1
                 WHERE customer_id = ?1 AND status IN ('open', 'snoozed') AND kind IN {kinds}"
            ),
            params![change.customer, reason, now],
        )?)
    };
    if change.do_not_contact {
        // Every reminder is a call or message out: callbacks and complaint follow-ups too.
        let every = super::sql_list(Kind::ALL.iter().map(|k| k.as_str()));
        withdrawn += withdraw(w, &every, WITHDRAWN_DO_NOT_CONTACT)?;
    } else if !change.marketing_consent {
        withdrawn += withdraw(
            w,
            "('holiday')",
            "withdrawn: the customer withdrew marketing consent",
        )?;
    }
    if change.birthday_changed && !change.do_not_contact {
        match change.birthday {
            None => {
                withdrawn += withdraw(w, "('birthday')", "withdrawn: the birthday was removed")?;
            }
            Some(birthday) => {
                let open: Vec<(i64, Option<String>)> = w
                    .tx()
                    .prepare(
                        "SELECT id, facts FROM reminders WHERE customer_id = ?1
                           AND status IN ('open', 'snoozed') AND kind = 'birthday'",
                    )?
                    .query_map([change.customer], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                for (id, facts) in open {
                    let fact: Option<CareFact> = facts.and_then(|f| serde_json::from_str(&f).ok());
                    let Some(CareFact::Birthday { on, offer }) = fact else {
                        continue;
                    };
                    // The same year's birthday, on its new day.
                    let Some(new_on) = crate::domain::care::birthday_in(birthday, on.year()) else {
                        continue;
                    };
                    let due = new_on - Duration::days(change.birthday_days_before.max(0));
                    let fact = CareFact::Birthday { on: new_on, offer };
                    let facts = serde_json::to_string(&fact)
                        .map_err(|e| StoreError::Database(format!("reminder facts: {e}")))?;
                    w.tx().execute(
                        "UPDATE reminders SET due_on = ?2, window_end = ?3, facts = ?4,
                             title = ?5, updated_at = ?6, version = version + 1
                         WHERE id = ?1",
                        params![
                            id,
                            due.to_string(),
                            new_on.to_string(),
                            facts,
                            crate::domain::care::fact_words(&fact, &[]),
                            now
                        ],
                    )?;
                }
            }
        }
    }
    if withdrawn > 0 {
        w.audit(
            "reminders.withdraw",
            "customer",
            Some(change.customer),
            serde_json::json!({ "withdrawn": withdrawn }),
        );
    }
    Ok(withdrawn)
}

/// One reminder of a segment list (`careline export reminders`): who to reach, how, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentRow {
    pub reminder: i64,
    pub kind: Kind,
    pub due: NaiveDate,
    pub customer: String,
    pub name: String,
    pub preferred_channel: Option<String>,
    pub preferred_time: Option<String>,
    /// The contact for the preferred channel (email for email, else the first phone): in
    /// full for whoever may export customers and see contacts in full, masked for everyone
    /// else.
    pub contact: Option<String>,
    pub masked: bool,
    /// Why, in plain words ("birthday 11-25", "New Year 01-01").
    pub why: String,
}

impl SegmentRow {
    /// Its fields in order: the header of a CSV segment list, written even when no reminder
    /// matched (so that a mail merge set up on it still reads the file).
    pub const COLUMNS: [&'static str; 10] = [
        "reminder",
        "kind",
        "due",
        "customer",
        "name",
        "preferred_channel",
        "preferred_time",
        "contact",
        "masked",
        "why",
    ];
}

impl Store {
    /// The reminders `filter` lists, as a segment list for an SMS or mail-merge send, each
    /// given to `each`; recorded in the audit log (how many, which kind, whether masked). A
    /// confidential customer this operator may not see is left out, and counted.
    pub fn export_reminders(
        &mut self,
        actor: &Actor,
        filter: &CareFilter,
        each: &mut dyn FnMut(SegmentRow) -> std::io::Result<()>,
    ) -> Result<(u64, u64)> {
        // Bulk numbers go to those who may export customers, and only where the site lets
        // them see contacts in full ([privacy] full_contacts).
        let full =
            actor.may(Permission::ExportCustomers) && self.may(actor, Permission::SeeFullContacts);
        let rows = self.care_list(actor, filter)?;
        let holidays = self.options.care.holiday.clone();
        let (mut count, mut withheld) = (0u64, 0u64);
        {
            let mut contacts = self.conn().prepare_cached(
                "SELECT kind, value FROM contacts WHERE customer_id = ?1 AND kind IN ('phone', 'email')
                 ORDER BY position, id",
            )?;
            for r in rows {
                let Some(name) = r.customer_name.clone().filter(|_| !r.restricted) else {
                    withheld += 1;
                    continue;
                };
                let found: Vec<(String, String)> = contacts
                    .query_map([r.customer_id], |c| Ok((c.get(0)?, c.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                let wanted = if r.preferred_channel.as_deref() == Some("email") {
                    "email"
                } else {
                    "phone"
                };
                let contact = found
                    .iter()
                    .find(|(kind, _)| kind == wanted)
                    .or_else(|| found.first())
                    .map(|(kind, value)| {
                        if full {
                            value.clone()
                        } else {
                            let kind = kind.parse().unwrap_or(ContactKind::Other);
                            masked_form(kind, value, &self.options.phone)
                        }
                    });
                let why = match &r.fact {
                    Some(fact) => crate::domain::care::fact_words(fact, &holidays),
                    None => r.title.clone().unwrap_or_default(),
                };
                each(SegmentRow {
                    reminder: r.id,
                    kind: r.kind,
                    due: r.day,
                    customer: r.customer_code,
                    name,
                    preferred_channel: r.preferred_channel,
                    preferred_time: r.preferred_time,
                    contact,
                    masked: !full,
                    why,
                })?;
                count += 1;
            }
        }
        self.write(actor, |w| {
            w.audit(
                "export.reminders",
                "reminder",
                None,
                serde_json::json!({
                    "rows": count,
                    "withheld": withheld,
                    "kind": filter.kind.map(|k| k.as_str()),
                    "range": filter.range.as_str(),
                    "masked": !full,
                }),
            );
            Ok(())
        })?;
        Ok((count, withheld))
    }
}

impl Store {
    /// Reminders still to do, across the desk (for `bench care`).
    pub fn open_reminder_total(&self) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT (SELECT count(*) FROM reminders WHERE status = 'open')
                  + (SELECT count(*) FROM reminders WHERE status = 'snoozed')",
            [],
            |r| r.get(0),
        )?)
    }

    /// The kind and the customer badge with the fewest reminders still to do (but some): the
    /// Care list's filters that read furthest to fill a page (for `bench care`).
    pub fn rarest_care_filters(&self) -> Result<(Option<Kind>, Option<&'static str>)> {
        let kinds: Vec<(String, i64)> = self
            .conn()
            .prepare(
                "SELECT kind, count(*) FROM reminders WHERE status IN ('open', 'snoozed')
                 GROUP BY kind ORDER BY 2, 1",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let kind = kinds.first().and_then(|(k, _)| k.parse::<Kind>().ok());
        let badges: Vec<(String, i64)> = self
            .conn()
            .prepare(
                "SELECT CASE WHEN c.level = 'vip' THEN 'vip' ELSE c.tier END, count(*)
                 FROM reminders r JOIN customers c ON c.id = r.customer_id
                 WHERE r.status IN ('open', 'snoozed') GROUP BY 1 ORDER BY 2, 1",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let badge = badges.first().and_then(|(b, _)| {
            ["vip", "high", "potential", "normal"]
                .into_iter()
                .find(|x| x == b)
        });
        Ok((kind, badge))
    }

    /// Customers on the desk (for the benchmarks' headings).
    pub fn customer_total(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CSV header written for an empty segment list is the fields a row has, in order.
    #[test]
    fn segment_columns_are_a_rows_fields() {
        let row = SegmentRow {
            reminder: 1,
            kind: Kind::Birthday,
            due: NaiveDate::from_ymd_opt(2026, 11, 26).expect("a day"),
            customer: "C0000001".into(),
            name: "王秀英".into(),
            preferred_channel: None,
            preferred_time: None,
            contact: None,
            masked: true,
            why: "birthday 11-29".into(),
        };
        let serde_json::Value::Object(map) = serde_json::to_value(&row).expect("json") else {
            panic!("a row is an object");
        };
        assert_eq!(map.keys().collect::<Vec<_>>(), SegmentRow::COLUMNS);
    }
}
