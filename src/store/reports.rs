//! The supervisors' figures for a period (DESIGN §3.7, issue 16): what the store counts, read
//! in a few grouped passes, and turned into figures by the formulas of `domain::report`.
//! Every definition is written out in `docs/REPORTS.md`; the JSON this serialises to is the
//! documented `careline report --format json` object.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::interactions::local_midnight;
use super::{Actor, Permission, Result, Store, StoreError};
use crate::domain::interaction::DispositionFlag;
use crate::domain::reminder::Kind as ReminderKind;
use crate::domain::report::{mean, meets, nps, per_hundred, rate, Period, ReportTargets};
use crate::domain::survey::{nearest, on_scale};

/// What a report is asked for: a period, and one operator or all.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub period: Period,
    /// One operator's figures only (their login).
    pub operator: Option<String>,
    /// The centre's CSAT scale (`[surveys] csat_scale`, 5 or 10): CSAT is read on it.
    pub csat_scale: i64,
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

/// The operators of one role together (`per_role`): the same figures as an operator's row,
/// over the contacts, complaints and answers of every operator in the role.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoleFigures {
    pub role: String,
    /// Operators of this role in the per-operator rows.
    pub operators: i64,
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
    /// Answers per score of the centre's scale, from 1 (JSON keys are the scores as text).
    pub csat_distribution: BTreeMap<i64, i64>,
    /// The CSAT scale the figures are read on: 5 or 10.
    pub csat_scale: i64,
    pub csat_answers: i64,
    pub nps: Option<f64>,
    pub nps_answers: i64,
    pub retention_rate: Option<f64>,
    pub complaint_rate: Option<f64>,
    pub hot_spots: Vec<HotSpot>,
    pub reminders_done: ByKind,
    pub reminders_due: ByKind,
    /// Points credited: every gain of the ledger (purchases, compensations, corrections).
    pub points_earned: i64,
    /// Points customers spent (the ledger's `redeem` rows).
    pub points_redeemed: i64,
    /// Sales opportunities: open at the period's end by stage, won and lost in it, win rate,
    /// days to close; null when there is none (`opportunities::pipeline`).
    pub pipeline: Option<super::Pipeline>,
    /// Points written off by expiry (the ledger's `expire` rows): neither earned nor redeemed.
    pub points_expired: i64,
    pub targets: Targets,
    pub per_operator: Vec<OperatorFigures>,
    /// The per-operator rows added up by role (operator, supervisor, admin), each role with
    /// any operator in them.
    pub per_role: Vec<RoleFigures>,
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

        let mut lap = Lap::start();
        // Contacts: each counted once, as last corrected; whole days from the daily sums.
        let mut by_channel = BTreeMap::new();
        let mut by_disposition = BTreeMap::new();
        let mut per_op: BTreeMap<i64, ContactSums> = BTreeMap::new();
        for row in contact_rows(conn, start, end, only)? {
            let made = flags(&row.disposition, DispositionFlag::ContactMade);
            let inbound = made && row.direction == "inbound";
            let sums = ContactSums {
                contacts: row.contacts,
                made: if made { row.contacts } else { 0 },
                handled: row.handled,
                handle_seconds: row.handle_seconds,
                inbound_made: if inbound { row.contacts } else { 0 },
                inbound_resolved: if inbound && flags(&row.disposition, DispositionFlag::Resolved) {
                    row.contacts
                } else {
                    0
                },
            };
            per_op.entry(row.operator_id).or_default().add(&sums);
            *by_channel.entry(row.channel).or_insert(0) += row.contacts;
            *by_disposition.entry(row.disposition).or_insert(0) += row.contacts;
        }
        let mut all = ContactSums::default();
        for sums in per_op.values() {
            all.add(sums);
        }

        lap.done("contacts");
        // Complaints, in one pass (merged duplicates are not complaints of their own): those
        // opened in the period, those resolved or closed in it, and the SLA clocks decided in
        // it — met in time when met, breached when they fell due.
        let days = PeriodDays::new(period);
        let mut opened = 0;
        let mut opened_resolved = 0;
        let mut response_sum = 0i64;
        let mut responded = 0i64;
        let mut opened_by: BTreeMap<i64, i64> = BTreeMap::new();
        let mut spots: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut per_day = vec![0i64; days.len()];
        let mut resolved_by: BTreeMap<Option<i64>, i64> = BTreeMap::new();
        let mut closed = 0;
        let mut clocks = [MetOf::default(); 3];
        {
            let within = |t: Option<i64>| t.is_some_and(|t| t >= start && t < end);
            let mut stmt = conn.prepare_cached(
                // Only those with a moment at or after the start (the expression of the
                // index `complaints_last_moment`, migration 0028): nothing of the others can
                // fall in the period.
                "SELECT opened_by, assignee_id, category, status, opened_at, acknowledged_at,
                        proposed_at, resolved_at, closed_at, paused_at, ack_due_at,
                        propose_due_at, resolve_due_at
                   FROM complaints INDEXED BY complaints_last_moment
                  WHERE max(opened_at, coalesce(acknowledged_at, 0), coalesce(proposed_at, 0),
                            coalesce(resolved_at, 0), coalesce(closed_at, 0),
                            coalesce(paused_at, 0), coalesce(ack_due_at, 0),
                            coalesce(propose_due_at, 0), coalesce(resolve_due_at, 0)) >= ?1
                    AND opened_at < ?2 AND status <> 'merged'",
            )?;
            let mut rows = stmt.query(params![start, end])?;
            let now = now.timestamp();
            while let Some(r) = rows.next()? {
                let by: i64 = r.get(0)?;
                let assignee: Option<i64> = r.get(1)?;
                let opened_at: i64 = r.get(4)?;
                let [acknowledged, proposed, resolved_at, closed_at, paused]: [Option<i64>; 5] =
                    [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?];
                let dues: [Option<i64>; 3] = [r.get(10)?, r.get(11)?, r.get(12)?];
                let first_response = acknowledged.or(proposed).or(resolved_at);
                if opened_at >= start && opened_at < end && only.is_none_or(|id| id == by) {
                    opened += 1;
                    let status = r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
                    if matches!(status, "resolved" | "closed") {
                        opened_resolved += 1;
                    }
                    if let Some(t) = first_response {
                        response_sum += t - opened_at;
                        responded += 1;
                    }
                    *opened_by.entry(by).or_insert(0) += 1;
                    // The local day it was opened: its place in the period for the complaints
                    // per day, its month for the hot spots.
                    if let Some(day) = days.of(opened_at) {
                        per_day[day] += 1;
                        *spots
                            .entry((r.get(2)?, days.month(day).to_string()))
                            .or_insert(0) += 1;
                    }
                }
                if only.is_some_and(|id| assignee != Some(id)) {
                    continue;
                }
                if within(resolved_at) {
                    *resolved_by.entry(assignee).or_insert(0) += 1;
                }
                if within(closed_at) {
                    closed += 1;
                }
                // Each clock: the first moment that met it, its deadline, and whether an unmet
                // one is stopped (the resolution clock while the complaint waits).
                let met = [first_response, proposed.or(resolved_at), resolved_at];
                let stopped = [false, false, paused.is_some()];
                for n in 0..3 {
                    let Some(due) = dues[n] else { continue };
                    let decided_at = match met[n] {
                        Some(m) if m <= due => Some((m, true)),
                        Some(_) => Some((due, false)),
                        None if due <= now && !stopped[n] => Some((due, false)),
                        None => None,
                    };
                    if let Some((at, in_time)) = decided_at {
                        if at >= start && at < end {
                            clocks[n].decided += 1;
                            clocks[n].met += i64::from(in_time);
                        }
                    }
                }
            }
        }
        let resolved: i64 = resolved_by.values().sum();
        let compliance = |m: MetOf| rate(m.met, m.decided);

        lap.done("complaints and SLA clocks");
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

        lap.done("replies");
        // Surveys answered in the period; CSAT read on the centre's scale, an answer given on
        // another converted (`survey::on_scale`).
        let scale = if query.csat_scale >= 10 { 10 } else { 5 };
        let mut csat: BTreeMap<i64, i64> = (1..=scale).map(|s| (s, 0)).collect();
        let (mut csat_sum, mut csat_n) = (0f64, 0i64);
        let mut csat_by: BTreeMap<i64, (f64, i64)> = BTreeMap::new();
        let (mut promoters, mut detractors, mut nps_n) = (0i64, 0i64, 0i64);
        {
            // Counted here rather than by GROUP BY: the index is in `at` order, and SQLite
            // would sort a year's answers (about 700,000 on the reference database) to group
            // them — 1.1 s, against 50 ms to read them.
            let mut counted: BTreeMap<(bool, i64, i64, i64), i64> = BTreeMap::new();
            let mut stmt = conn.prepare_cached(
                "SELECT kind = 'csat', score, scale, COALESCE(operator_id, 0)
                   FROM surveys INDEXED BY surveys_at
                  WHERE kind IN ('csat', 'nps') AND at >= ?1 AND at < ?2
                    AND (?3 IS NULL OR operator_id = ?3)",
            )?;
            let mut rows = stmt.query(params![start, end, only])?;
            while let Some(r) = rows.next()? {
                *counted
                    .entry((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    .or_insert(0) += 1;
            }
            for ((is_csat, score, given_on, op), n) in counted {
                if is_csat {
                    let read = on_scale(score, given_on, scale);
                    *csat.entry(nearest(read, scale)).or_insert(0) += n;
                    csat_sum += read * n as f64;
                    csat_n += n;
                    let e = csat_by.entry(op).or_insert((0.0, 0));
                    e.0 += read * n as f64;
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

        lap.done("surveys");
        // The customer base's figures (not an operator's).
        let previous = period.previous();
        let (retention_rate, complaint_rate) = if only.is_some() {
            (None, None)
        } else {
            let active_from = period
                .to
                .checked_sub_months(chrono::Months::new(targets.active_months))
                .and_then(|d| d.succ_opt())
                .unwrap_or(period.from);
            let buyers = Buyers::read(
                conn,
                [previous.from, previous.to],
                [period.from, period.to],
                [active_from, period.to],
            )?;
            let (bought_before, again, active) = buyers.counts();
            (rate(again, bought_before), per_hundred(opened, active))
        };

        lap.done("retention and active customers");
        // Reminders due in the period, and how many of them are done.
        let mut due = ByKind::default();
        let mut done = ByKind::default();
        {
            // From the counts by due day (`reminder_days`): whole days of the centre's.
            let sql = format!(
                "SELECT kind, sum(reminders),
                        COALESCE(sum(CASE WHEN status = 'done' THEN reminders END), 0)
                   FROM reminder_days
                  WHERE status IN ('open', 'snoozed', 'done', 'skipped') AND kind IN ({})
                    AND day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR assignee_id = ?3)
                  GROUP BY kind",
                ReminderKind::ALL
                    .iter()
                    .map(|k| format!("'{}'", k.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            let mut stmt = conn.prepare_cached(&sql)?;
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

        lap.done("reminders");
        // Points moved in the period.
        let (points_earned, points_redeemed, points_expired) =
            super::points_days::points_moved(conn, start, end, only)?;

        lap.done("points");
        let pipeline = super::opportunities::pipeline(conn, start, end, only)?;
        lap.done("pipeline");
        // One row per operator: every active one, and anyone with figures in the period.
        let mut per_operator = Vec::new();
        // By role: (operators, contact sums, opened, resolved, CSAT sum, CSAT answers).
        type RoleSums = (i64, ContactSums, i64, i64, f64, i64);
        let mut by_role: BTreeMap<u8, (String, RoleSums)> = BTreeMap::new();
        for op in self.operators()? {
            if only.is_some_and(|id| id != op.id) {
                continue;
            }
            let sums = per_op.get(&op.id).cloned().unwrap_or_default();
            let opened_n = opened_by.get(&op.id).copied().unwrap_or(0);
            let resolved_n = resolved_by.get(&Some(op.id)).copied().unwrap_or(0);
            let (cs, cn) = csat_by.get(&op.id).copied().unwrap_or((0.0, 0));
            if !op.active && sums.contacts == 0 && opened_n == 0 && resolved_n == 0 && cn == 0 {
                continue;
            }
            let rank = match op.role.as_str() {
                "operator" => 0,
                "supervisor" => 1,
                _ => 2,
            };
            let (_, role) = by_role
                .entry(rank)
                .or_insert_with(|| (op.role.as_str().to_string(), RoleSums::default()));
            role.0 += 1;
            role.1.add(&sums);
            role.2 += opened_n;
            role.3 += resolved_n;
            role.4 += cs;
            role.5 += cn;
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
                csat_avg: mean(cs, cn),
                csat_answers: cn,
            });
        }

        let per_role = by_role
            .into_values()
            .map(
                |(role, (operators, sums, opened, resolved, cs, cn))| RoleFigures {
                    role,
                    operators,
                    contacts: sums.contacts,
                    contacts_made: sums.made,
                    avg_handle_seconds: mean(sums.handle_seconds as f64, sums.handled),
                    fcr_rate: rate(sums.inbound_resolved, sums.inbound_made),
                    complaints_opened: opened,
                    complaints_resolved: resolved,
                    csat_avg: mean(cs, cn),
                    csat_answers: cn,
                },
            )
            .collect();
        lap.done("per operator");
        let resolution_rate = rate(opened_resolved, opened);
        let first_response = mean(response_sum as f64, responded);
        let csat_avg = mean(csat_sum, csat_n);
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
            csat_avg: against(csat_avg, targets.csat_target(scale), false),
        };
        let mut hot_spots: Vec<HotSpot> = spots
            .into_iter()
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
            csat_scale: scale,
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
            pipeline,
            points_expired,
            targets: targets_out,
            per_operator,
            per_role,
        })
    }
}

impl Store {
    /// How many entries the interaction log holds (corrections and corrected alike).
    pub fn interaction_total(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM interactions", [], |r| r.get(0))?)
    }

    /// The login of the operator with the most contacts standing, if anyone has logged any.
    pub fn busiest_operator(&self) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT o.login FROM contact_days d JOIN operators o ON o.id = d.operator_id
                  GROUP BY d.operator_id ORDER BY sum(d.contacts) DESC, o.login LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Makes the contacts' daily sums again from the interaction log, and the points' from
    /// the ledger (admins; audited with how many rows were wrong). For a database whose `check` found them differing.
    pub fn recount_report_sums(&mut self, actor: &Actor) -> Result<usize> {
        self.require(actor, Permission::RepairDatabase)?;
        self.write(actor, |w| {
            let wrong = differing_day_sums(w.tx())?.len()
                + super::points_days::recount(w.tx())?
                + super::reminder_days::recount(w.tx())?;
            w.tx().execute_batch(&format!(
                "DELETE FROM contact_days; INSERT INTO contact_days {RECOUNT};"
            ))?;
            w.audit(
                "report.recount",
                "database",
                None,
                serde_json::json!({"rows_wrong": wrong}),
            );
            Ok(wrong)
        })
    }
}

/// The local days of a period, each with the moment it starts (its local midnight) and its
/// month: which day of the period a moment falls in.
struct PeriodDays {
    starts: Vec<i64>,
    months: Vec<String>,
    end: i64,
}

impl PeriodDays {
    fn new(period: Period) -> PeriodDays {
        let days: Vec<chrono::NaiveDate> = period
            .from
            .iter_days()
            .take_while(|d| *d <= period.to)
            .collect();
        PeriodDays {
            starts: days.iter().map(|d| local_midnight(*d)).collect(),
            months: days.iter().map(|d| d.format("%Y-%m").to_string()).collect(),
            end: local_midnight(period.to.succ_opt().unwrap_or(period.to)),
        }
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    /// The day of the period `t` falls in (0 is the first), if inside it.
    fn of(&self, t: i64) -> Option<usize> {
        if t >= self.end {
            return None;
        }
        self.starts
            .partition_point(|start| *start <= t)
            .checked_sub(1)
    }

    /// The month (`YYYY-MM`) of the period's day `day`.
    fn month(&self, day: usize) -> &str {
        self.months.get(day).map_or("", String::as_str)
    }
}

/// Times each pass of a report, for the log at debug level (`CARELINE_LOG=careline=debug`).
struct Lap(std::time::Instant);

impl Lap {
    fn start() -> Lap {
        Lap(std::time::Instant::now())
    }

    fn done(&mut self, pass: &str) {
        tracing::debug!("report: {pass} in {:?}", self.0.elapsed());
        self.0 = std::time::Instant::now();
    }
}

/// The trigger that keeps the contacts' daily sums as the log is written.
const DAY_COUNT: &str = "contact_days_count";

/// Drops the daily sums' trigger for a bulk load that adds its own sums (inside its
/// transaction, so a failed load leaves it as it was); its statement, to make it again.
pub(crate) fn suspend_day_count(tx: &rusqlite::Connection) -> Result<Option<String>> {
    let sql: Option<String> = tx
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
            [DAY_COUNT],
            |r| r.get(0),
        )
        .optional()?;
    if sql.is_some() {
        tx.execute_batch(&format!("DROP TRIGGER {DAY_COUNT}"))?;
    }
    Ok(sql)
}

/// Makes the trigger [`suspend_day_count`] dropped again.
pub(crate) fn resume_day_count(tx: &rusqlite::Connection, sql: Option<String>) -> Result<()> {
    if let Some(sql) = sql {
        tx.execute_batch(&sql)?;
    }
    Ok(())
}

/// Seconds in a day of the daily sums (UTC days: `started_at / 86400`).
const DAY: i64 = 86_400;

/// Contacts of one operator on one channel, direction and wrap-up code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ContactRow {
    pub operator_id: i64,
    pub channel: String,
    pub direction: String,
    pub disposition: String,
    pub contacts: i64,
    pub handled: i64,
    pub handle_seconds: i64,
}

/// The contacts, as last corrected, that started in `[start, end)` (Unix seconds), by
/// operator, channel, direction and wrap-up code: the whole UTC days inside from the daily
/// sums (`contact_days`), the part-days at either edge counted from the log.
pub(crate) fn contact_rows(
    conn: &rusqlite::Connection,
    start: i64,
    end: i64,
    only: Option<i64>,
) -> Result<Vec<ContactRow>> {
    let first_day = start.div_euclid(DAY) + i64::from(start.rem_euclid(DAY) != 0);
    let last_day = end.div_euclid(DAY);
    let mut rows = Vec::new();
    if first_day < last_day {
        logged_rows(conn, start, first_day * DAY, only, &mut rows)?;
        let mut stmt = conn.prepare_cached(
            "SELECT operator_id, channel, direction, disposition, sum(contacts), sum(handled),
                    sum(handle_seconds)
               FROM contact_days
              WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR operator_id = ?3)
              GROUP BY 1, 2, 3, 4",
        )?;
        read_rows(stmt.query(params![first_day, last_day, only])?, &mut rows)?;
        logged_rows(conn, last_day * DAY, end, only, &mut rows)?;
    } else {
        logged_rows(conn, start, end, only, &mut rows)?;
    }
    Ok(rows)
}

/// The contacts of `[start, end)` counted from the log itself.
fn logged_rows(
    conn: &rusqlite::Connection,
    start: i64,
    end: i64,
    only: Option<i64>,
    rows: &mut Vec<ContactRow>,
) -> Result<()> {
    if start >= end {
        return Ok(());
    }
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
    let found = stmt.query(params![start, end, only])?;
    read_rows(found, rows)
}

fn read_rows(mut found: rusqlite::Rows<'_>, rows: &mut Vec<ContactRow>) -> Result<()> {
    while let Some(r) = found.next()? {
        rows.push(ContactRow {
            operator_id: r.get(0)?,
            channel: r.get(1)?,
            direction: r.get(2)?,
            disposition: r.get(3)?,
            contacts: r.get(4)?,
            handled: r.get(5)?,
            handle_seconds: r.get(6)?,
        });
    }
    Ok(())
}

/// Daily sums, each row keyed by day, operator, channel, direction and wrap-up code.
type DaySums = BTreeMap<DayKey, [i64; 3]>;

/// A row of the daily sums: UTC day, operator, channel, direction, wrap-up code.
type DayKey = (i64, i64, String, String, String);

/// A row that differs: its key, what is kept, what the log has.
type Differing = (DayKey, [i64; 3], [i64; 3]);

/// The daily sums kept (`contact_days`), rows of nothing left out.
fn kept_day_sums(conn: &rusqlite::Connection) -> Result<DaySums> {
    day_sums(
        conn,
        "SELECT day, operator_id, channel, direction, disposition, contacts, handled,
                handle_seconds
           FROM contact_days WHERE contacts <> 0 OR handled <> 0 OR handle_seconds <> 0",
    )
}

/// The daily sums recounted from the interaction log: what `contact_days` holds when right.
const RECOUNT: &str = "SELECT started_at / 86400, operator_id, channel, direction, disposition,
        count(*), count(CASE WHEN ended_at >= started_at THEN 1 END),
        COALESCE(sum(CASE WHEN ended_at >= started_at THEN ended_at - started_at END), 0)
   FROM interactions i
  WHERE NOT EXISTS (SELECT 1 FROM interactions a WHERE a.amends_id = i.id)
  GROUP BY 1, 2, 3, 4, 5";

/// Each row where the sums kept and a recount of the log differ: its key, what is kept, what
/// the log has (a row missing on either side counts as nothing).
fn differing_day_sums(conn: &rusqlite::Connection) -> Result<Vec<Differing>> {
    Ok(super::points_days::differences(
        kept_day_sums(conn)?,
        day_sums(conn, RECOUNT)?,
    ))
}

/// Where the daily sums differ from a recount of the log, in words (the first few, and how
/// many in all); nothing for a file older than the sums.
pub(crate) fn check_day_sums(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let kept: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contact_days')",
        [],
        |r| r.get(0),
    )?;
    if !kept {
        return Ok(Vec::new());
    }
    let wrong: Vec<String> = differing_day_sums(conn)?
        .into_iter()
        .map(|((day, operator, channel, direction, disposition), a, b)| {
            let date = chrono::DateTime::from_timestamp(day * DAY, 0)
                .map(|t| t.date_naive().to_string())
                .unwrap_or_else(|| format!("day {day}"));
            format!(
                "{date} (UTC) operator {operator} {channel} {direction} {disposition}: \
                 kept {}/{}/{}s, the log has {}/{}/{}s (contacts/handled/seconds)",
                a[0], a[1], a[2], b[0], b[1], b[2]
            )
        })
        .collect();
    Ok(super::points_days::first_few(wrong, "rows"))
}

fn day_sums(conn: &rusqlite::Connection, sql: &str) -> Result<DaySums> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut sums = DaySums::new();
    while let Some(r) = rows.next()? {
        sums.insert(
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
            [r.get(5)?, r.get(6)?, r.get(7)?],
        );
    }
    Ok(sums)
}

/// Who bought in three spans of days: the period before, the period, and the months that
/// make a customer active. One pass over the purchases' day index, each customer a bit.
struct Buyers {
    before: Vec<u64>,
    now: Vec<u64>,
    active: Vec<u64>,
}

impl Buyers {
    fn read(
        conn: &rusqlite::Connection,
        before: [chrono::NaiveDate; 2],
        now: [chrono::NaiveDate; 2],
        active: [chrono::NaiveDate; 2],
    ) -> Result<Buyers> {
        let spans = [before, now, active].map(|[a, b]| [a.to_string(), b.to_string()]);
        let first = spans
            .iter()
            .map(|s| &s[0])
            .min()
            .cloned()
            .unwrap_or_default();
        let last = spans
            .iter()
            .map(|s| &s[1])
            .max()
            .cloned()
            .unwrap_or_default();
        let mut sets = [Vec::new(), Vec::new(), Vec::new()];
        let mut stmt = conn.prepare_cached(
            "SELECT purchased_on, customer_id FROM purchases INDEXED BY purchases_day
              WHERE purchased_on BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query(params![first, last])?;
        while let Some(r) = rows.next()? {
            let day = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            let customer: i64 = r.get(1)?;
            let Ok(bit) = usize::try_from(customer) else {
                continue;
            };
            for (set, [from, to]) in sets.iter_mut().zip(&spans) {
                if from.as_str() <= day && day <= to.as_str() {
                    let word = bit / 64;
                    if set.len() <= word {
                        set.resize(word + 1, 0u64);
                    }
                    set[word] |= 1 << (bit % 64);
                }
            }
        }
        let [before, now, active] = sets;
        Ok(Buyers {
            before,
            now,
            active,
        })
    }

    /// Buyers of the period before, those of them who bought again, and active customers.
    fn counts(&self) -> (i64, i64, i64) {
        let ones = |set: &[u64]| set.iter().map(|w| i64::from(w.count_ones())).sum::<i64>();
        let again: i64 = self
            .before
            .iter()
            .zip(&self.now)
            .map(|(a, b)| i64::from((a & b).count_ones()))
            .sum();
        (ones(&self.before), again, ones(&self.active))
    }
}
