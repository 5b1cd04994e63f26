//! The supervisors' figures for a period (DESIGN §3.7, issue 16): what the store counts, read
//! in a few grouped passes, and turned into figures by the formulas of `domain::report`.
//! Every definition is written out in `docs/REPORTS.md`; the JSON this serialises to is the
//! documented `careline report --format json` object.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::interactions::local_midnight;
use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::interaction::DispositionFlag;
use crate::domain::reminder::Kind as ReminderKind;
use crate::domain::report::{mean, meets, nps, per_hundred, rate, Period, ReportTargets};

/// What a report is asked for: a period, and one operator or all.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub period: Period,
    /// One operator's figures only (their login).
    pub operator: Option<String>,
}

/// The period as the report states it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportPeriod {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub days: i64,
    /// The period before it, which retention counts from.
    pub previous_from: chrono::NaiveDate,
    pub previous_to: chrono::NaiveDate,
    /// The operator the figures are narrowed to.
    pub operator: Option<String>,
    pub generated_at: DateTime<Utc>,
}

/// SLA compliance per clock: the share of clocks decided in the period that were met in time.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SlaCompliance {
    pub acknowledge: Option<f64>,
    pub propose: Option<f64>,
    pub resolve: Option<f64>,
}

/// How many clocks were met in time of those decided, per clock.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SlaCounts {
    pub acknowledge: MetOf,
    pub propose: MetOf,
    pub resolve: MetOf,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MetOf {
    pub met: i64,
    pub decided: i64,
}

/// Replies owed to emails and chats whose reply-by fell in the period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Replies {
    pub owed: i64,
    pub answered: i64,
    pub on_time: i64,
    pub on_time_rate: Option<f64>,
    pub avg_seconds: Option<f64>,
}

/// Reminders by kind, and their total.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ByKind {
    pub total: i64,
    pub by_kind: BTreeMap<String, i64>,
}

/// Complaints of one category opened in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HotSpot {
    pub category: String,
    /// `YYYY-MM`, local.
    pub month: String,
    pub count: i64,
}

/// A headline figure against its target.
#[derive(Debug, Clone, Serialize)]
pub struct Against {
    pub target: f64,
    /// Met, not met, or none without a figure.
    pub met: Option<bool>,
}

/// The targets the headline figures are read against (`[reports]`).
#[derive(Debug, Clone, Serialize)]
pub struct Targets {
    pub resolution_rate: Against,
    pub avg_first_response_seconds: Against,
    pub retention_rate: Against,
    pub sla_acknowledge: Against,
    pub sla_propose: Against,
    pub sla_resolve: Against,
    pub csat_avg: Against,
}

/// One operator's row.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OperatorFigures {
    pub login: String,
    pub name: String,
    pub role: String,
    pub contacts: i64,
    pub contacts_made: i64,
    pub avg_handle_seconds: Option<f64>,
    pub fcr_rate: Option<f64>,
    pub complaints_opened: i64,
    pub complaints_resolved: i64,
    pub csat_avg: Option<f64>,
    pub csat_answers: i64,
}

/// The figures of a period (`careline report --format json`; the keys are documented and
/// stable). Rates are fractions from 0 to 1; a figure with nothing to count is `null`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub period: ReportPeriod,
    pub contacts: i64,
    pub contacts_made: i64,
    pub contacts_by_channel: BTreeMap<String, i64>,
    pub contacts_by_disposition: BTreeMap<String, i64>,
    pub avg_handle_seconds: Option<f64>,
    pub fcr_rate: Option<f64>,
    pub complaints_opened: i64,
    /// Complaints opened on each local day of the period, the first day first (one entry per
    /// day: the Reports pane's sparkline).
    pub complaints_per_day: Vec<i64>,
    pub complaints_resolved: i64,
    pub complaints_closed: i64,
    pub resolution_rate: Option<f64>,
    pub sla_compliance: SlaCompliance,
    pub sla_counts: SlaCounts,
    pub avg_first_response_seconds: Option<f64>,
    pub replies: Replies,
    pub csat_avg: Option<f64>,
    pub csat_distribution: BTreeMap<String, i64>,
    pub csat_answers: i64,
    pub nps: Option<f64>,
    pub nps_answers: i64,
    pub retention_rate: Option<f64>,
    pub complaint_rate: Option<f64>,
    pub hot_spots: Vec<HotSpot>,
    pub reminders_done: ByKind,
    pub reminders_due: ByKind,
    pub points_earned: i64,
    pub points_redeemed: i64,
    pub targets: Targets,
    pub per_operator: Vec<OperatorFigures>,
}

/// What one operator's contacts add up to (and everyone's).
#[derive(Debug, Clone, Default)]
struct ContactSums {
    contacts: i64,
    made: i64,
    handled: i64,
    handle_seconds: i64,
    inbound_made: i64,
    inbound_resolved: i64,
}

impl ContactSums {
    fn add(&mut self, other: &ContactSums) {
        self.contacts += other.contacts;
        self.made += other.made;
        self.handled += other.handled;
        self.handle_seconds += other.handle_seconds;
        self.inbound_made += other.inbound_made;
        self.inbound_resolved += other.inbound_resolved;
    }
}

/// Clock columns: when it was met (the first moment that met it), when it was due, and when
/// an unmet one is stopped (the resolution clock while the complaint waits).
const CLOCKS: [(&str, &str, &str); 3] = [
    (
        "COALESCE(acknowledged_at, proposed_at, resolved_at)",
        "ack_due_at",
        "0",
    ),
    ("COALESCE(proposed_at, resolved_at)", "propose_due_at", "0"),
    ("resolved_at", "resolve_due_at", "paused_at IS NOT NULL"),
];

impl Store {
    /// The figures of `query`'s period (supervisors).
    pub fn report(
        &self,
        actor: &Actor,
        query: &ReportQuery,
        targets: &ReportTargets,
    ) -> Result<Report> {
        self.require(actor, Permission::ReadReports)?;
        let conn = self.conn();
        let now = self.now();
        let period = query.period;
        let start = local_midnight(period.from);
        let end = local_midnight(period.to.succ_opt().unwrap_or(period.to));
        let only = match &query.operator {
            Some(login) => Some(
                self.operator_by_login(login)?
                    .ok_or_else(|| StoreError::NotFound(format!("operator '{login}'")))?
                    .id,
            ),
            None => None,
        };
        let rules = self.log_rules();
        let flags = |code: &str, flag: DispositionFlag| {
            rules
                .dispositions
                .iter()
                .find(|d| d.code == code)
                .is_some_and(|d| d.has(flag))
        };

        // Contacts: each counted once, as last corrected.
        let mut by_channel = BTreeMap::new();
        let mut by_disposition = BTreeMap::new();
        let mut per_op: BTreeMap<i64, ContactSums> = BTreeMap::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT i.operator_id, i.channel, i.direction, i.disposition, count(*),
                        count(CASE WHEN i.ended_at >= i.started_at THEN 1 END),
                        COALESCE(sum(CASE WHEN i.ended_at >= i.started_at
                                     THEN i.ended_at - i.started_at END), 0)
                   FROM interactions i
                  WHERE i.started_at >= ?1 AND i.started_at < ?2
                    AND (?3 IS NULL OR i.operator_id = ?3)
                    AND NOT EXISTS (SELECT 1 FROM interactions a WHERE a.amends_id = i.id)
                  GROUP BY 1, 2, 3, 4",
            )?;
            let mut rows = stmt.query(params![start, end, only])?;
            while let Some(r) = rows.next()? {
                let op: i64 = r.get(0)?;
                let channel: String = r.get(1)?;
                let direction: String = r.get(2)?;
                let disposition: String = r.get(3)?;
                let n: i64 = r.get(4)?;
                let made = flags(&disposition, DispositionFlag::ContactMade);
                let sums = ContactSums {
                    contacts: n,
                    made: if made { n } else { 0 },
                    handled: r.get(5)?,
                    handle_seconds: r.get(6)?,
                    inbound_made: if made && direction == "inbound" { n } else { 0 },
                    inbound_resolved: if made
                        && direction == "inbound"
                        && flags(&disposition, DispositionFlag::Resolved)
                    {
                        n
                    } else {
                        0
                    },
                };
                per_op.entry(op).or_default().add(&sums);
                *by_channel.entry(channel).or_insert(0) += n;
                *by_disposition.entry(disposition).or_insert(0) += n;
            }
        }
        let mut all = ContactSums::default();
        for sums in per_op.values() {
            all.add(sums);
        }

        // Complaints opened in the period (merged duplicates are not complaints of their own).
        let mut opened = 0;
        let mut opened_resolved = 0;
        let mut response_sum = 0i64;
        let mut responded = 0i64;
        let mut opened_by: BTreeMap<i64, i64> = BTreeMap::new();
        let mut spots: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut per_day = vec![0i64; usize::try_from(period.days()).unwrap_or(0)];
        {
            let mut stmt = conn.prepare_cached(
                "SELECT opened_by, category,
                        strftime('%Y-%m-%d', opened_at, 'unixepoch', 'localtime'), count(*),
                        count(CASE WHEN status IN ('resolved', 'closed') THEN 1 END),
                        COALESCE(sum(COALESCE(acknowledged_at, proposed_at, resolved_at) - opened_at), 0),
                        count(COALESCE(acknowledged_at, proposed_at, resolved_at))
                   FROM complaints
                  WHERE opened_at >= ?1 AND opened_at < ?2 AND status <> 'merged'
                    AND (?3 IS NULL OR opened_by = ?3)
                  GROUP BY 1, 2, 3",
            )?;
            let mut rows = stmt.query(params![start, end, only])?;
            while let Some(r) = rows.next()? {
                let by: i64 = r.get(0)?;
                let n: i64 = r.get(3)?;
                opened += n;
                opened_resolved += r.get::<_, i64>(4)?;
                response_sum += r.get::<_, i64>(5)?;
                responded += r.get::<_, i64>(6)?;
                *opened_by.entry(by).or_insert(0) += n;
                // The local day it was opened (`YYYY-MM-DD`): its month for the hot spots, its
                // place in the period for the complaints per day.
                let day: String = r.get(2)?;
                let month = day.get(..7).unwrap_or(&day).to_string();
                *spots.entry((r.get(1)?, month)).or_insert(0) += n;
                if let Ok(date) = day.parse::<chrono::NaiveDate>() {
                    let at = (date - period.from).num_days();
                    if let Some(slot) = usize::try_from(at).ok().and_then(|i| per_day.get_mut(i)) {
                        *slot += n;
                    }
                }
            }
        }
        // Resolved and closed in the period, by whom they were with.
        let mut resolved_by: BTreeMap<Option<i64>, i64> = BTreeMap::new();
        let mut closed = 0;
        {
            let mut stmt = conn.prepare_cached(
                "SELECT assignee_id,
                        count(CASE WHEN resolved_at >= ?1 AND resolved_at < ?2 THEN 1 END),
                        count(CASE WHEN closed_at >= ?1 AND closed_at < ?2 THEN 1 END)
                   FROM complaints
                  WHERE ((resolved_at >= ?1 AND resolved_at < ?2)
                         OR (closed_at >= ?1 AND closed_at < ?2))
                    AND status <> 'merged' AND (?3 IS NULL OR assignee_id = ?3)
                  GROUP BY 1",
            )?;
            let mut rows = stmt.query(params![start, end, only])?;
            while let Some(r) = rows.next()? {
                resolved_by.insert(r.get(0)?, r.get(1)?);
                closed += r.get::<_, i64>(2)?;
            }
        }
        let resolved: i64 = resolved_by.values().sum();

        // SLA clocks decided in the period: met in time when met, breached when they fell due.
        let mut clocks = [MetOf::default(); 3];
        for (n, (met, due, stopped)) in CLOCKS.iter().enumerate() {
            let sql = format!(
                "SELECT count(CASE WHEN {met} <= {due} THEN 1 END), count(*)
                   FROM complaints
                  WHERE status <> 'merged' AND (?3 IS NULL OR assignee_id = ?3)
                    AND ({met} IS NOT NULL OR ({due} <= ?4 AND NOT ({stopped})))
                    AND CASE WHEN {met} <= {due} THEN {met} ELSE {due} END >= ?1
                    AND CASE WHEN {met} <= {due} THEN {met} ELSE {due} END < ?2"
            );
            clocks[n] = conn.prepare_cached(&sql)?.query_row(
                params![start, end, only, now.timestamp()],
                |r| {
                    Ok(MetOf {
                        met: r.get(0)?,
                        decided: r.get(1)?,
                    })
                },
            )?;
        }
        let compliance = |m: MetOf| rate(m.met, m.decided);

        // Replies owed to emails and chats whose reply-by fell in the period.
        let replies = conn
            .prepare_cached(
                "SELECT count(*), count(i.replied_at),
                        count(CASE WHEN i.replied_at <= i.reply_by THEN 1 END),
                        COALESCE(sum(i.replied_at - i.started_at), 0)
                   FROM interactions i
                  WHERE i.reply_by >= ?1 AND i.reply_by < ?2
                    AND (?3 IS NULL OR i.operator_id = ?3)
                    AND NOT EXISTS (SELECT 1 FROM interactions a WHERE a.amends_id = i.id)",
            )?
            .query_row(params![start, end, only], |r| {
                let owed: i64 = r.get(0)?;
                let answered: i64 = r.get(1)?;
                let on_time: i64 = r.get(2)?;
                let seconds: i64 = r.get(3)?;
                Ok(Replies {
                    owed,
                    answered,
                    on_time,
                    on_time_rate: rate(on_time, owed),
                    avg_seconds: mean(seconds as f64, answered),
                })
            })?;

        // Surveys answered in the period.
        let mut csat: BTreeMap<String, i64> = (1..=5).map(|s| (s.to_string(), 0)).collect();
        let (mut csat_sum, mut csat_n) = (0i64, 0i64);
        let mut csat_by: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        let (mut promoters, mut detractors, mut nps_n) = (0i64, 0i64, 0i64);
        {
            let mut stmt = conn.prepare_cached(
                "SELECT kind, score, COALESCE(operator_id, 0), count(*)
                   FROM surveys
                  WHERE at >= ?1 AND at < ?2 AND (?3 IS NULL OR operator_id = ?3)
                  GROUP BY 1, 2, 3",
            )?;
            let mut rows = stmt.query(params![start, end, only])?;
            while let Some(r) = rows.next()? {
                let kind: String = r.get(0)?;
                let score: i64 = r.get(1)?;
                let op: i64 = r.get(2)?;
                let n: i64 = r.get(3)?;
                if kind == "csat" {
                    *csat.entry(score.to_string()).or_insert(0) += n;
                    csat_sum += score * n;
                    csat_n += n;
                    let e = csat_by.entry(op).or_insert((0, 0));
                    e.0 += score * n;
                    e.1 += n;
                } else {
                    nps_n += n;
                    if score >= 9 {
                        promoters += n;
                    } else if score <= 6 {
                        detractors += n;
                    }
                }
            }
        }

        // The customer base's figures (not an operator's).
        let previous = period.previous();
        let (retention_rate, complaint_rate) = if only.is_some() {
            (None, None)
        } else {
            let (bought_before, again): (i64, i64) = conn
                .prepare_cached(
                    "SELECT count(*), count(CASE WHEN EXISTS (
                                SELECT 1 FROM purchases q WHERE q.customer_id = b.customer_id
                                   AND q.purchased_on BETWEEN ?3 AND ?4) THEN 1 END)
                       FROM (SELECT DISTINCT customer_id FROM purchases
                              WHERE purchased_on BETWEEN ?1 AND ?2) b",
                )?
                .query_row(
                    params![
                        previous.from.to_string(),
                        previous.to.to_string(),
                        period.from.to_string(),
                        period.to.to_string()
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
            let active_from = period
                .to
                .checked_sub_months(chrono::Months::new(targets.active_months))
                .and_then(|d| d.succ_opt())
                .unwrap_or(period.from);
            let active: i64 = conn
                .prepare_cached(
                    "SELECT count(DISTINCT customer_id) FROM purchases
                      WHERE purchased_on BETWEEN ?1 AND ?2",
                )?
                .query_row(
                    params![active_from.to_string(), period.to.to_string()],
                    |r| r.get(0),
                )?;
            (rate(again, bought_before), per_hundred(opened, active))
        };

        // Reminders due in the period, and how many of them are done.
        let mut due = ByKind::default();
        let mut done = ByKind::default();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT kind, count(*), count(CASE WHEN status = 'done' THEN 1 END)
                   FROM reminders
                  WHERE due_on BETWEEN ?1 AND ?2 AND status <> 'deleted'
                    AND (?3 IS NULL OR assignee_id = ?3)
                  GROUP BY 1",
            )?;
            let mut rows = stmt.query(params![
                period.from.to_string(),
                period.to.to_string(),
                only
            ])?;
            for kind in ReminderKind::ALL {
                due.by_kind.insert(kind.as_str().to_string(), 0);
                done.by_kind.insert(kind.as_str().to_string(), 0);
            }
            while let Some(r) = rows.next()? {
                let kind: String = r.get(0)?;
                let n: i64 = r.get(1)?;
                let d: i64 = r.get(2)?;
                due.total += n;
                done.total += d;
                *due.by_kind.entry(kind.clone()).or_insert(0) += n;
                *done.by_kind.entry(kind).or_insert(0) += d;
            }
        }

        // Points moved in the period.
        let (points_earned, points_redeemed): (i64, i64) = conn
            .prepare_cached(
                "SELECT COALESCE(sum(CASE WHEN delta > 0 THEN delta END), 0),
                        COALESCE(sum(CASE WHEN delta < 0 THEN -delta END), 0)
                   FROM points_ledger
                  WHERE at >= ?1 AND at < ?2 AND (?3 IS NULL OR operator_id = ?3)",
            )?
            .query_row(params![start, end, only], |r| Ok((r.get(0)?, r.get(1)?)))?;

        // One row per operator: every active one, and anyone with figures in the period.
        let mut per_operator = Vec::new();
        for op in self.operators()? {
            if only.is_some_and(|id| id != op.id) {
                continue;
            }
            let sums = per_op.get(&op.id).cloned().unwrap_or_default();
            let opened_n = opened_by.get(&op.id).copied().unwrap_or(0);
            let resolved_n = resolved_by.get(&Some(op.id)).copied().unwrap_or(0);
            let (cs, cn) = csat_by.get(&op.id).copied().unwrap_or((0, 0));
            if !op.active && sums.contacts == 0 && opened_n == 0 && resolved_n == 0 && cn == 0 {
                continue;
            }
            per_operator.push(OperatorFigures {
                login: op.login.clone(),
                name: op.name.clone(),
                role: op.role.as_str().to_string(),
                contacts: sums.contacts,
                contacts_made: sums.made,
                avg_handle_seconds: mean(sums.handle_seconds as f64, sums.handled),
                fcr_rate: rate(sums.inbound_resolved, sums.inbound_made),
                complaints_opened: opened_n,
                complaints_resolved: resolved_n,
                csat_avg: mean(cs as f64, cn),
                csat_answers: cn,
            });
        }

        let resolution_rate = rate(opened_resolved, opened);
        let first_response = mean(response_sum as f64, responded);
        let csat_avg = mean(csat_sum as f64, csat_n);
        let sla_compliance = SlaCompliance {
            acknowledge: compliance(clocks[0]),
            propose: compliance(clocks[1]),
            resolve: compliance(clocks[2]),
        };
        let against = |value: Option<f64>, target: f64, at_most: bool| Against {
            target,
            met: meets(value, target, at_most),
        };
        let targets_out = Targets {
            resolution_rate: against(resolution_rate, targets.resolution_rate, false),
            avg_first_response_seconds: against(
                first_response,
                targets.first_response_seconds,
                true,
            ),
            retention_rate: against(retention_rate, targets.retention_rate, false),
            sla_acknowledge: against(sla_compliance.acknowledge, targets.sla_compliance, false),
            sla_propose: against(sla_compliance.propose, targets.sla_compliance, false),
            sla_resolve: against(sla_compliance.resolve, targets.sla_compliance, false),
            csat_avg: against(csat_avg, targets.csat_avg, false),
        };
        let months = period.months();
        let mut hot_spots: Vec<HotSpot> = spots
            .into_iter()
            .filter(|((_, month), _)| months.contains(month))
            .map(|((category, month), count)| HotSpot {
                category,
                month,
                count,
            })
            .collect();
        hot_spots.sort_by(|a, b| {
            (&a.month, std::cmp::Reverse(a.count), &a.category).cmp(&(
                &b.month,
                std::cmp::Reverse(b.count),
                &b.category,
            ))
        });
        Ok(Report {
            period: ReportPeriod {
                from: period.from,
                to: period.to,
                days: period.days(),
                previous_from: previous.from,
                previous_to: previous.to,
                operator: query.operator.clone(),
                generated_at: now,
            },
            contacts: all.contacts,
            contacts_made: all.made,
            contacts_by_channel: by_channel,
            contacts_by_disposition: by_disposition,
            avg_handle_seconds: mean(all.handle_seconds as f64, all.handled),
            fcr_rate: rate(all.inbound_resolved, all.inbound_made),
            complaints_opened: opened,
            complaints_per_day: per_day,
            complaints_resolved: resolved,
            complaints_closed: closed,
            resolution_rate,
            sla_compliance,
            sla_counts: SlaCounts {
                acknowledge: clocks[0],
                propose: clocks[1],
                resolve: clocks[2],
            },
            avg_first_response_seconds: first_response,
            replies,
            csat_avg,
            csat_distribution: csat,
            csat_answers: csat_n,
            nps: nps(promoters, detractors, nps_n),
            nps_answers: nps_n,
            retention_rate,
            complaint_rate,
            hot_spots,
            reminders_done: done,
            reminders_due: due,
            points_earned,
            points_redeemed,
            targets: targets_out,
            per_operator,
        })
    }
}
