//! Survey answers from a CSV file (`careline import surveys`): what a survey tool, an SMS
//! poll or an IVR sent back — one row per customer's answer, CSAT and NPS in their own
//! columns or as a kind and a score. Headers in English or Chinese.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::{each_row, header_key, Parsed, RowError};
use crate::domain::date_input::parse_date;
use crate::domain::survey::{check, SurveyKind, CSAT_SCALES};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Customer,
    Phone,
    Email,
    Kind,
    Score,
    Csat,
    Nps,
    Scale,
    At,
    Comment,
    Operator,
    Contact,
}

fn column(header: &str) -> Option<Column> {
    use Column::*;
    Some(match header_key(header).as_str() {
        "customer" | "customercode" | "code" | "customerid" | "客户编号" | "客户" | "客户代码"
        | "编号" => Customer,
        "phone" | "mobile" | "手机" | "手机号" | "电话" | "联系电话" => Phone,
        "email" | "邮箱" => Email,
        "kind" | "type" | "survey" | "类型" | "调查类型" | "问卷类型" => Kind,
        "score" | "rating" | "answer" | "分数" | "评分" | "得分" => Score,
        "csat" | "satisfaction" | "满意度" | "满意度评分" | "满意度得分" => Csat,
        "nps" | "recommend" | "likelytorecommend" | "推荐度" | "推荐意愿" | "净推荐值"
        | "推荐评分" => Nps,
        "scale" | "outof" | "量表" | "满分" => Scale,
        "date" | "at" | "time" | "answeredat" | "datetime" | "日期" | "时间" | "答复时间"
        | "回访时间" | "调查时间" | "提交时间" => At,
        "comment" | "comments" | "feedback" | "remarks" | "评价" | "留言" | "意见" | "备注"
        | "客户意见" => Comment,
        "operator" | "agent" | "login" | "坐席" | "客服" | "工号" | "回访人" => Operator,
        "contact" | "interaction" | "contactid" | "联系记录" | "联系编号" => Contact,
        _ => return None,
    })
}

/// One answer in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub kind: SurveyKind,
    pub score: i64,
    /// The highest score of its scale: 5 or 10 for CSAT, 10 for NPS.
    pub scale: i64,
}

/// A row of a survey file: one customer's answers at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    /// Code, phone or email.
    pub customer: String,
    pub answers: Vec<Answer>,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
    /// The operator who asked (a login).
    pub operator: Option<String>,
    /// The contact the survey followed (its number in the log).
    pub contact: Option<i64>,
}

/// Reads when an answer was given: a date and time (`2026-11-20 14:30`, seconds optional,
/// `/` or `-`), or a day alone (any form `parse_date` reads), taken as noon — in the centre's
/// time zone `tz`.
fn moment(text: &str, today: NaiveDate, tz: &FixedOffset) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let local = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .chain(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"].iter())
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok());
    let local = match local {
        Some(t) => t,
        None => match parse_date(text, today) {
            Ok(day) => day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN)),
            Err(_) => {
                return Err(format!(
                    "'{text}' is not a date or a date and time (2026-11-20 or 2026-11-20 14:30)"
                ))
            }
        },
    };
    tz.from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("'{text}' is not a moment in the centre's time zone"))
}

/// Parses a survey file. `csat_scale` is the scale of a CSAT answer whose row names none;
/// `now` refuses answers from the future; times are read in `tz`.
pub fn parse_surveys(
    bytes: &[u8],
    csat_scale: i64,
    now: DateTime<Utc>,
    tz: &FixedOffset,
) -> Parsed<SurveyRow> {
    let today = now.with_timezone(tz).date_naive();
    let missing = |has: &dyn Fn(Column) -> bool| {
        let mut missing = Vec::new();
        if !(has(Column::Customer) || has(Column::Phone) || has(Column::Email)) {
            missing.push("a customer column (客户编号 / 手机 / 邮箱)".to_string());
        }
        if !(has(Column::Csat) || has(Column::Nps) || (has(Column::Kind) && has(Column::Score))) {
            missing.push(
                "a score: a csat (满意度) or nps (推荐度) column, or kind (类型) and score (分数)"
                    .to_string(),
            );
        }
        if !has(Column::At) {
            missing.push("a date column (date / 日期)".to_string());
        }
        missing
    };
    each_row(bytes, column, missing, |line, values, out| {
        let mut problems = Vec::new();
        let mut problem = |column: &str, reason: String| {
            problems.push(RowError {
                line,
                column: column.trim().to_string(),
                reason,
            })
        };
        let customer = [Column::Customer, Column::Phone, Column::Email]
            .iter()
            .find_map(|c| values.get(c).map(|(_, v)| v.to_string()));
        if customer.is_none() {
            problem(
                "customer",
                "is empty; give the customer's code, phone or email".into(),
            );
        }
        let at = match values.get(&Column::At) {
            Some((h, v)) => match moment(v, today, tz) {
                Ok(t) if t > now => {
                    problem(h, format!("'{v}' is in the future"));
                    None
                }
                Ok(t) => Some(t),
                Err(reason) => {
                    problem(h, reason);
                    None
                }
            },
            None => {
                problem("date", "is empty".into());
                None
            }
        };
        let scale = match values.get(&Column::Scale) {
            Some((h, v)) => match v.parse::<i64>() {
                Ok(s) if CSAT_SCALES.contains(&s) => s,
                _ => {
                    problem(h, format!("'{v}' is not a CSAT scale: use 5 or 10"));
                    csat_scale
                }
            },
            None => csat_scale,
        };
        let comment = values.get(&Column::Comment).map(|(_, v)| v.to_string());
        // Each answer: (the column it came from, kind, score as written).
        let mut given: Vec<(&str, SurveyKind, &str)> = Vec::new();
        if let Some((h, v)) = values.get(&Column::Csat) {
            given.push((h, SurveyKind::Csat, v));
        }
        if let Some((h, v)) = values.get(&Column::Nps) {
            given.push((h, SurveyKind::Nps, v));
        }
        match (values.get(&Column::Kind), values.get(&Column::Score)) {
            (Some((h, kind)), Some((sh, score))) => match survey_kind(kind) {
                Some(kind) => given.push((sh, kind, score)),
                None => problem(h, format!("'{kind}' is not csat (满意度) or nps (推荐度)")),
            },
            (Some((h, _)), None) => problem(h, "has no score beside it".into()),
            (None, Some((h, _))) => problem(h, "needs a kind: csat or nps".into()),
            (None, None) => {}
        }
        if given.is_empty() {
            problem("score", "is empty; give a csat or an nps score".into());
        }
        let mut answers = Vec::new();
        for (h, kind, text) in given {
            let scale = match kind {
                SurveyKind::Csat => scale,
                SurveyKind::Nps => 10,
            };
            match text.parse::<i64>() {
                Ok(score) => match check(kind, score, scale, comment.as_deref()) {
                    Ok(_) => answers.push(Answer { kind, score, scale }),
                    Err(e) if e.field == "comment" => problem("comment", e.reason),
                    Err(e) => problem(h, e.reason),
                },
                Err(_) => problem(h, format!("'{text}' is not a whole number")),
            }
        }
        let operator = values.get(&Column::Operator).map(|(_, v)| v.to_string());
        let contact = match values.get(&Column::Contact) {
            Some((h, v)) => match v.trim_start_matches('#').parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    problem(h, format!("'{v}' is not a contact number"));
                    None
                }
            },
            None => None,
        };
        match (customer, at, problems.is_empty()) {
            (Some(customer), Some(at), true) => out.rows.push((
                line,
                SurveyRow {
                    customer,
                    answers,
                    at,
                    comment: comment.map(|c| c.trim().to_string()),
                    operator,
                    contact,
                },
            )),
            _ => {
                // A comment problem found for each answer is said once.
                problems.dedup();
                out.errors.extend(problems)
            }
        }
    })
}

fn survey_kind(text: &str) -> Option<SurveyKind> {
    match header_key(text).as_str() {
        "csat" | "satisfaction" | "满意度" => Some(SurveyKind::Csat),
        "nps" | "recommend" | "推荐度" | "推荐" | "净推荐值" => Some(SurveyKind::Nps),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        // 2026-11-25 10:00 in Beijing.
        Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap()
    }

    fn beijing() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    #[test]
    fn chinese_columns_give_both_answers_of_a_row() {
        let csv = "手机,满意度,推荐度,回访时间,留言,坐席\n13812345678,4,9,2026-11-20 14:30,服务很好,li.na\n";
        let p = parse_surveys(csv.as_bytes(), 5, now(), &beijing());
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let (line, row) = &p.rows[0];
        assert_eq!(*line, 2);
        assert_eq!(row.customer, "13812345678");
        assert_eq!(
            row.answers,
            vec![
                Answer {
                    kind: SurveyKind::Csat,
                    score: 4,
                    scale: 5
                },
                Answer {
                    kind: SurveyKind::Nps,
                    score: 9,
                    scale: 10
                },
            ]
        );
        // 14:30 in Beijing is 06:30 UTC.
        assert_eq!(
            row.at,
            Utc.with_ymd_and_hms(2026, 11, 20, 6, 30, 0).unwrap()
        );
        assert_eq!(row.comment.as_deref(), Some("服务很好"));
        assert_eq!(row.operator.as_deref(), Some("li.na"));
    }

    #[test]
    fn a_day_alone_is_noon_and_the_scale_column_is_read() {
        let csv = "customer,kind,score,scale,date\nC0000001,csat,9,10,2026-11-20\nC0000002,nps,0,,2026/11/21\n";
        let p = parse_surveys(csv.as_bytes(), 5, now(), &beijing());
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.rows[0].1.answers[0].scale, 10);
        assert_eq!(
            p.rows[0].1.at,
            Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap()
        );
        assert_eq!(
            p.rows[1].1.answers,
            vec![Answer {
                kind: SurveyKind::Nps,
                score: 0,
                scale: 10
            }]
        );
    }

    #[test]
    fn every_bad_cell_is_named_with_its_line() {
        let csv = "customer,csat,nps,date,scale\n\
                   C1,6,5,2026-11-20,\n\
                   C2,4,11,2026-11-20,\n\
                   C3,4,,2026-12-01,\n\
                   ,4,,2026-11-20,\n\
                   C5,x,,2026-11-20,\n\
                   C6,4,,yesterday-ish,\n\
                   C7,4,,2026-11-20,7\n\
                   C8,,,2026-11-20,\n";
        let p = parse_surveys(csv.as_bytes(), 5, now(), &beijing());
        assert!(p.rows.is_empty(), "{:?}", p.rows);
        let said: Vec<String> = p.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            vec![
                "line 2: csat: 6 is not on the scale 1 to 5",
                "line 3: nps: 11 is not on the scale 0 to 10",
                "line 4: date: '2026-12-01' is in the future",
                "line 5: customer: is empty; give the customer's code, phone or email",
                "line 6: csat: 'x' is not a whole number",
                "line 7: date: 'yesterday-ish' is not a date or a date and time (2026-11-20 or 2026-11-20 14:30)",
                "line 8: scale: '7' is not a CSAT scale: use 5 or 10",
                "line 9: score: is empty; give a csat or an nps score",
            ]
        );
        assert_eq!(p.total_rows, 8);
    }

    #[test]
    fn a_file_without_the_needed_columns_is_refused_at_its_header() {
        let p = parse_surveys(b"name,comment\nx,y\n", 5, now(), &beijing());
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 1);
        assert!(p.errors[0].reason.contains("a customer column"));
        assert!(p.errors[0].reason.contains("a score"));
        assert!(p.errors[0].reason.contains("a date column"));
    }
}
