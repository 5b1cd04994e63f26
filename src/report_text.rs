//! The supervisors' figures (DESIGN §3.7) written out the same way wherever they are read:
//! the CSV of `careline report --format csv` (which the Reports pane's `e` writes to a file, so
//! the two are one and the same), and the words of a figure — a percentage, a duration, "—"
//! for a figure with nothing to count — that the command's table and the pane share.

use crate::store::Report;

/// `v` with `digits` decimals; empty for a figure with nothing to count (see [`OrDash`]).
pub fn number(v: Option<f64>, digits: usize) -> String {
    v.map(|v| format!("{v:.digits$}")).unwrap_or_default()
}

/// A rate (a fraction) as a percentage with one decimal: `0.5` is `50.0%`; "—" for none.
pub fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// A target rate as a percentage, without a decimal when it has none: `0.95` is `95%`,
/// `0.875` is `87.5%`.
pub fn target_percent(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// A duration in seconds as `m:ss` (`4:12`), or `h:mm:ss` from an hour (`1:02:05`), rounded
/// to the second; "—" for none.
pub fn minutes(v: Option<f64>) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return "—".into();
    };
    let s = v.round().max(0.0) as i64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A figure with nothing to count reads "—".
pub trait OrDash {
    fn or_dash(self) -> String;
}

impl OrDash for String {
    fn or_dash(self) -> String {
        if self.is_empty() {
            "—".into()
        } else {
            self
        }
    }
}

/// One figure per line: `figure,dimension,value,target,met` (rates as fractions, empty for a
/// figure with nothing to count). `careline report --format csv` prints it; the Reports pane's
/// `e` writes it to a file.
pub fn csv(r: &Report) -> std::io::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["figure", "dimension", "value", "target", "met"])?;
    let met = |m: Option<bool>| match m {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut row = |figure: &str, dimension: &str, value: String, target: String, m: &str| {
        w.write_record([figure, dimension, &value, &target, m])
    };
    row(
        "period_from",
        "",
        r.period.from.to_string(),
        String::new(),
        "",
    )?;
    row("period_to", "", r.period.to.to_string(), String::new(), "")?;
    row("contacts", "", r.contacts.to_string(), String::new(), "")?;
    row(
        "contacts_made",
        "",
        r.contacts_made.to_string(),
        String::new(),
        "",
    )?;
    for (k, v) in &r.contacts_by_channel {
        row("contacts_by_channel", k, v.to_string(), String::new(), "")?;
    }
    for (k, v) in &r.contacts_by_disposition {
        row(
            "contacts_by_disposition",
            k,
            v.to_string(),
            String::new(),
            "",
        )?;
    }
    row(
        "avg_handle_seconds",
        "",
        opt(r.avg_handle_seconds),
        String::new(),
        "",
    )?;
    row("fcr_rate", "", opt(r.fcr_rate), String::new(), "")?;
    row(
        "complaints_opened",
        "",
        r.complaints_opened.to_string(),
        String::new(),
        "",
    )?;
    for (n, count) in r.complaints_per_day.iter().enumerate() {
        let day = r.period.from + chrono::Duration::days(n as i64);
        row(
            "complaints_per_day",
            &day.to_string(),
            count.to_string(),
            String::new(),
            "",
        )?;
    }
    row(
        "complaints_resolved",
        "",
        r.complaints_resolved.to_string(),
        String::new(),
        "",
    )?;
    row(
        "complaints_closed",
        "",
        r.complaints_closed.to_string(),
        String::new(),
        "",
    )?;
    let t = &r.targets;
    row(
        "resolution_rate",
        "",
        opt(r.resolution_rate),
        t.resolution_rate.target.to_string(),
        met(t.resolution_rate.met),
    )?;
    for (clock, value, against) in [
        (
            "acknowledge",
            r.sla_compliance.acknowledge,
            &t.sla_acknowledge,
        ),
        ("propose", r.sla_compliance.propose, &t.sla_propose),
        ("resolve", r.sla_compliance.resolve, &t.sla_resolve),
    ] {
        row(
            "sla_compliance",
            clock,
            opt(value),
            against.target.to_string(),
            met(against.met),
        )?;
    }
    for (clock, counted) in [
        ("acknowledge", r.sla_counts.acknowledge),
        ("propose", r.sla_counts.propose),
        ("resolve", r.sla_counts.resolve),
    ] {
        row("sla_met", clock, counted.met.to_string(), String::new(), "")?;
        row(
            "sla_decided",
            clock,
            counted.decided.to_string(),
            String::new(),
            "",
        )?;
    }
    row(
        "avg_first_response_seconds",
        "",
        opt(r.avg_first_response_seconds),
        t.avg_first_response_seconds.target.to_string(),
        met(t.avg_first_response_seconds.met),
    )?;
    row(
        "reply_on_time_rate",
        "",
        opt(r.replies.on_time_rate),
        String::new(),
        "",
    )?;
    for (figure, value) in [
        ("replies_owed", r.replies.owed.to_string()),
        ("replies_answered", r.replies.answered.to_string()),
        ("replies_on_time", r.replies.on_time.to_string()),
        ("replies_avg_seconds", opt(r.replies.avg_seconds)),
        ("csat_scale", r.csat_scale.to_string()),
        ("csat_answers", r.csat_answers.to_string()),
        ("nps_answers", r.nps_answers.to_string()),
    ] {
        row(figure, "", value, String::new(), "")?;
    }
    row(
        "csat_avg",
        "",
        opt(r.csat_avg),
        t.csat_avg.target.to_string(),
        met(t.csat_avg.met),
    )?;
    for (k, v) in &r.csat_distribution {
        row(
            "csat_distribution",
            &k.to_string(),
            v.to_string(),
            String::new(),
            "",
        )?;
    }
    row("nps", "", opt(r.nps), String::new(), "")?;
    row(
        "retention_rate",
        "",
        opt(r.retention_rate),
        t.retention_rate.target.to_string(),
        met(t.retention_rate.met),
    )?;
    row(
        "complaint_rate",
        "",
        opt(r.complaint_rate),
        String::new(),
        "",
    )?;
    for h in &r.hot_spots {
        row(
            "hot_spots",
            &format!("{} {}", h.category, h.month),
            h.count.to_string(),
            String::new(),
            "",
        )?;
    }
    for (k, v) in &r.reminders_due.by_kind {
        row("reminders_due", k, v.to_string(), String::new(), "")?;
    }
    for (k, v) in &r.reminders_done.by_kind {
        row("reminders_done", k, v.to_string(), String::new(), "")?;
    }
    row(
        "points_earned",
        "",
        r.points_earned.to_string(),
        String::new(),
        "",
    )?;
    row(
        "points_redeemed",
        "",
        r.points_redeemed.to_string(),
        String::new(),
        "",
    )?;
    // The pipeline: count and amount (fen) per open stage, won and lost; nothing when there
    // is no pipeline (its figures empty).
    let p = r.pipeline.as_ref();
    for (stage, f) in p.map(|p| p.open_in_order()).unwrap_or_default() {
        let stage = stage.as_str();
        row(
            "pipeline_open_count",
            stage,
            f.count.to_string(),
            String::new(),
            "",
        )?;
        row(
            "pipeline_open_amount",
            stage,
            f.amount.to_string(),
            String::new(),
            "",
        )?;
    }
    let counts = |f: Option<crate::store::StageFigures>| {
        (
            f.map(|f| f.count.to_string()).unwrap_or_default(),
            f.map(|f| f.amount.to_string()).unwrap_or_default(),
        )
    };
    for (name, figures) in [
        ("open", p.map(|p| p.open)),
        ("won", p.map(|p| p.won)),
        ("lost", p.map(|p| p.lost)),
    ] {
        let (count, amount) = counts(figures);
        row(
            &format!("pipeline_{name}_count"),
            "",
            count,
            String::new(),
            "",
        )?;
        row(
            &format!("pipeline_{name}_amount"),
            "",
            amount,
            String::new(),
            "",
        )?;
    }
    row(
        "pipeline_win_rate",
        "",
        opt(p.and_then(|p| p.win_rate)),
        String::new(),
        "",
    )?;
    row(
        "pipeline_avg_days_to_close",
        "",
        opt(p.and_then(|p| p.avg_days_to_close)),
        String::new(),
        "",
    )?;
    row(
        "points_expired",
        "",
        r.points_expired.to_string(),
        String::new(),
        "",
    )?;
    for o in &r.per_operator {
        row(
            "operator_contacts",
            &o.login,
            o.contacts.to_string(),
            String::new(),
            "",
        )?;
        row(
            "operator_contacts_made",
            &o.login,
            o.contacts_made.to_string(),
            String::new(),
            "",
        )?;
        row(
            "operator_avg_handle_seconds",
            &o.login,
            opt(o.avg_handle_seconds),
            String::new(),
            "",
        )?;
        row(
            "operator_fcr_rate",
            &o.login,
            opt(o.fcr_rate),
            String::new(),
            "",
        )?;
        row(
            "operator_complaints_opened",
            &o.login,
            o.complaints_opened.to_string(),
            String::new(),
            "",
        )?;
        row(
            "operator_complaints_resolved",
            &o.login,
            o.complaints_resolved.to_string(),
            String::new(),
            "",
        )?;
        row(
            "operator_csat_avg",
            &o.login,
            opt(o.csat_avg),
            String::new(),
            "",
        )?;
        row(
            "operator_csat_answers",
            &o.login,
            o.csat_answers.to_string(),
            String::new(),
            "",
        )?;
    }
    for g in &r.per_role {
        for (figure, value) in [
            ("role_operators", g.operators.to_string()),
            ("role_contacts", g.contacts.to_string()),
            ("role_contacts_made", g.contacts_made.to_string()),
            ("role_avg_handle_seconds", opt(g.avg_handle_seconds)),
            ("role_fcr_rate", opt(g.fcr_rate)),
            ("role_complaints_opened", g.complaints_opened.to_string()),
            (
                "role_complaints_resolved",
                g.complaints_resolved.to_string(),
            ),
            ("role_csat_avg", opt(g.csat_avg)),
            ("role_csat_answers", g.csat_answers.to_string()),
        ] {
            row(figure, &g.role, value, String::new(), "")?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(format!("cannot write CSV: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_written_and_nothing_is_a_dash() {
        assert_eq!(percent(Some(0.5)), "50.0%");
        assert_eq!(percent(None), "—");
        assert_eq!(target_percent(0.95), "95%");
        assert_eq!(target_percent(0.875), "87.5%");
        assert_eq!(minutes(Some(252.0)), "4:12");
        assert_eq!(minutes(Some(2100.0)), "35:00");
        assert_eq!(minutes(Some(59.6)), "1:00");
        assert_eq!(minutes(Some(3725.0)), "1:02:05");
        assert_eq!(minutes(None), "—");
        assert_eq!(number(Some(11.0 / 3.0), 2), "3.67");
        assert_eq!(number(None, 2).or_dash(), "—");
    }
}
