//! The interaction log's rules (DESIGN §3.3): wrap-up codes and the flags that drive their
//! effects, response-time standards (reply-by), follow-up due times and their escalation, and
//! the standard service phrases. Every number and list here is a config setting.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

use super::complaint::NewComplaint;
use super::customer::{Channel, FieldError};
use super::date_input::parse_date;
use super::vocabulary;

vocabulary!(
    /// Whether the customer reached us or we reached them.
    Direction { Inbound => "inbound", Outbound => "outbound" }
);

vocabulary!(
    /// What a wrap-up code sets in motion when an interaction is saved.
    DispositionFlag {
        ContactMade => "contact_made",
        Resolved => "resolved",
        Callback => "callback",
        DoNotContact => "do_not_contact",
        Sale => "sale",
        Complaint => "complaint"
    }
);

vocabulary!(
    /// Who works a follow-up: the operator who logged it, or anyone on the desk.
    FollowUpScope { Me => "me", Anyone => "anyone" }
);

impl Channel {
    /// The direction a contact on this channel usually has; the form starts with it.
    pub fn usual_direction(self) -> Direction {
        match self {
            Channel::PhoneOut | Channel::Sms => Direction::Outbound,
            _ => Direction::Inbound,
        }
    }
}

/// One wrap-up code with its labels in both languages and its flags.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disposition {
    /// Stable code stored with each interaction and typed on the command line.
    pub code: String,
    pub en: String,
    pub zh: String,
    #[serde(default)]
    pub flags: Vec<DispositionFlag>,
}

impl Disposition {
    pub fn has(&self, flag: DispositionFlag) -> bool {
        self.flags.contains(&flag)
    }

    /// The label in the screen's language (`zh` for any Chinese locale).
    pub fn label(&self, chinese: bool) -> &str {
        if chinese {
            &self.zh
        } else {
            &self.en
        }
    }
}

/// A standard service phrase (greeting, apology, closing …) in one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrase {
    /// greeting, apology, closing, or anything the centre uses.
    pub kind: String,
    /// `en` or `zh-CN`.
    pub lang: String,
    pub text: String,
}

/// `[log]` in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogRules {
    /// Wrap-up codes, in the order the form offers them.
    pub dispositions: Vec<Disposition>,
    /// An inbound email needing a reply must have one within this many hours.
    pub email_reply_hours: i64,
    /// An inbound chat needing a reply must have one within this many minutes (0: immediately).
    pub chat_reply_minutes: i64,
    /// Phone calls should be answered within this many seconds (shown in reports).
    pub phone_answer_seconds: i64,
    /// An "only me" follow-up still open this many minutes after it was due goes to anyone.
    pub follow_up_escalate_minutes: i64,
    /// When a follow-up given as a date only is due (local time, HH:MM).
    pub follow_up_time: String,
    /// Standard phrases for summaries and notes.
    pub phrases: Vec<Phrase>,
}

impl Default for LogRules {
    fn default() -> Self {
        use DispositionFlag as F;
        let d = |code: &str, en: &str, zh: &str, flags: &[DispositionFlag]| Disposition {
            code: code.into(),
            en: en.into(),
            zh: zh.into(),
            flags: flags.to_vec(),
        };
        let p = |kind: &str, lang: &str, text: &str| Phrase {
            kind: kind.into(),
            lang: lang.into(),
            text: text.into(),
        };
        LogRules {
            dispositions: vec![
                d(
                    "resolved_first_contact",
                    "Resolved on first contact",
                    "首次解决",
                    &[F::ContactMade, F::Resolved],
                ),
                d(
                    "information_given",
                    "Information given",
                    "已告知",
                    &[F::ContactMade, F::Resolved],
                ),
                d(
                    "callback_needed",
                    "Callback needed",
                    "需回电",
                    &[F::ContactMade, F::Callback],
                ),
                d(
                    "complaint_opened",
                    "Complaint opened",
                    "已立投诉",
                    &[F::ContactMade, F::Complaint],
                ),
                d(
                    "sale",
                    "Sale",
                    "成交",
                    &[F::ContactMade, F::Sale, F::Resolved],
                ),
                d(
                    "follow_up_done",
                    "Follow-up done",
                    "已回访",
                    &[F::ContactMade, F::Resolved],
                ),
                d("no_answer", "No answer", "无人接听", &[F::Callback]),
                d("voicemail", "Voicemail left", "已留言", &[F::Callback]),
                d("wrong_number", "Wrong number", "号码错误", &[]),
                d(
                    "do_not_call",
                    "Do not call",
                    "拒绝联系",
                    &[F::ContactMade, F::DoNotContact],
                ),
                d(
                    "points_redeemed",
                    "Points redeemed",
                    "积分兑换",
                    &[F::ContactMade, F::Resolved],
                ),
            ],
            email_reply_hours: 24,
            chat_reply_minutes: 0,
            phone_answer_seconds: 30,
            follow_up_escalate_minutes: 120,
            follow_up_time: "09:00".into(),
            phrases: vec![
                p(
                    "greeting",
                    "zh-CN",
                    "您好，这里是客服中心，很高兴为您服务。",
                ),
                p("greeting", "zh-CN", "您好，请问有什么可以帮您？"),
                p("apology", "zh-CN", "非常抱歉给您带来不便。"),
                p("apology", "zh-CN", "对不起，让您久等了。"),
                p("hold", "zh-CN", "请您稍等，我马上为您查询。"),
                p("closing", "zh-CN", "感谢您的来电，祝您生活愉快！"),
                p("closing", "zh-CN", "请问还有其他可以帮您的吗？"),
                p(
                    "greeting",
                    "en",
                    "Hello, thank you for calling. How may I help you?",
                ),
                p(
                    "apology",
                    "en",
                    "I'm sorry for the inconvenience this has caused.",
                ),
                p("apology", "en", "Sorry to keep you waiting."),
                p(
                    "hold",
                    "en",
                    "Please hold for a moment while I check that for you.",
                ),
                p("closing", "en", "Thank you for calling. Have a nice day!"),
                p(
                    "closing",
                    "en",
                    "Is there anything else I can help you with?",
                ),
            ],
        }
    }
}

/// A mistake in `[log]`, reported at start; the defaults stand in for the broken part.
pub fn check_rules(rules: &LogRules) -> Vec<String> {
    let mut problems = Vec::new();
    if rules.dispositions.is_empty() {
        problems.push("log.dispositions is empty; using the default wrap-up codes".into());
    }
    let mut seen = std::collections::BTreeSet::new();
    for d in &rules.dispositions {
        let code = d.code.trim();
        if code.is_empty() || code.contains(char::is_whitespace) {
            problems.push(format!(
                "log.dispositions: '{}' is not a usable code (one word, no spaces)",
                d.code
            ));
        } else if !seen.insert(code.to_string()) {
            problems.push(format!("log.dispositions: '{code}' is listed twice"));
        }
    }
    if follow_up_time(&rules.follow_up_time).is_none() {
        problems.push(format!(
            "log.follow_up_time '{}' is not a time of day (HH:MM); using 09:00",
            rules.follow_up_time
        ));
    }
    for (name, value) in [
        ("email_reply_hours", rules.email_reply_hours),
        ("chat_reply_minutes", rules.chat_reply_minutes),
        ("phone_answer_seconds", rules.phone_answer_seconds),
        (
            "follow_up_escalate_minutes",
            rules.follow_up_escalate_minutes,
        ),
    ] {
        if value < 0 {
            problems.push(format!("log.{name} must not be negative"));
        }
    }
    problems
}

/// The rules with broken parts replaced by their defaults (see [`check_rules`]).
pub fn usable(mut rules: LogRules) -> LogRules {
    let defaults = LogRules::default();
    let mut seen = std::collections::BTreeSet::new();
    rules.dispositions.retain(|d| {
        let code = d.code.trim();
        !code.is_empty() && !code.contains(char::is_whitespace) && seen.insert(code.to_string())
    });
    if rules.dispositions.is_empty() {
        rules.dispositions = defaults.dispositions;
    }
    if follow_up_time(&rules.follow_up_time).is_none() {
        rules.follow_up_time = defaults.follow_up_time;
    }
    rules.email_reply_hours = rules.email_reply_hours.max(0);
    rules.chat_reply_minutes = rules.chat_reply_minutes.max(0);
    rules.phone_answer_seconds = rules.phone_answer_seconds.max(0);
    rules.follow_up_escalate_minutes = rules.follow_up_escalate_minutes.max(0);
    rules
}

fn follow_up_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

impl LogRules {
    /// The wrap-up codes that ask for nothing more: no follow-up, no complaint, no
    /// do-not-contact; a contact logged with one changes nothing but the log.
    pub fn plain_codes(&self) -> Vec<String> {
        self.dispositions
            .iter()
            .filter(|d| {
                !d.has(DispositionFlag::Callback)
                    && !d.has(DispositionFlag::Complaint)
                    && !d.has(DispositionFlag::DoNotContact)
            })
            .map(|d| d.code.clone())
            .collect()
    }

    /// The wrap-up code typed as `code`, spelt as the vocabularies are accepted: any case,
    /// `-` or a space for `_` (`Callback-Needed` is `callback_needed`).
    pub fn disposition(&self, code: &str) -> Option<&Disposition> {
        let spelling = |c: &str| c.trim().to_lowercase().replace(['-', ' '], "_");
        let wanted = spelling(code);
        self.dispositions
            .iter()
            .find(|d| spelling(&d.code) == wanted)
    }

    /// The codes, for error messages.
    pub fn codes(&self) -> String {
        self.dispositions
            .iter()
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// When a reply is due for a contact, if it needs one: inbound email and chat that the
    /// contact itself did not resolve.
    pub fn reply_by(
        &self,
        channel: Channel,
        direction: Direction,
        disposition: &Disposition,
        started: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if direction != Direction::Inbound || disposition.has(DispositionFlag::Resolved) {
            return None;
        }
        match channel {
            Channel::Email => Some(started + Duration::hours(self.email_reply_hours)),
            Channel::Chat => Some(started + Duration::minutes(self.chat_reply_minutes)),
            _ => None,
        }
    }

    /// How long an "only me" follow-up may stay overdue before it goes to anyone.
    pub fn escalate_after(&self) -> Duration {
        Duration::minutes(self.follow_up_escalate_minutes)
    }

    /// The phrases, those in `lang` first, filtered by `filter` (every word must occur in the
    /// text or the kind, case-insensitively).
    pub fn phrases_for(&self, lang: &str, filter: &str) -> Vec<&Phrase> {
        let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
        let mut out: Vec<&Phrase> = self
            .phrases
            .iter()
            .filter(|p| {
                let hay = format!("{} {}", p.kind, p.text).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect();
        out.sort_by_key(|p| !p.lang.eq_ignore_ascii_case(lang));
        out
    }
}

/// A follow-up as typed: a date (`tomorrow`, `+3d`, `2026-12-01`) with an optional time of
/// day (`tomorrow 14:30`, `2026-12-01 9:00`), or a time alone for today (`16:00`), or a
/// number of hours from now (`+2h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpDue {
    pub on: NaiveDate,
    pub at: DateTime<Utc>,
}

/// Why a follow-up could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowUpError {
    #[error("'{0}' is not a date and time; use tomorrow, +3d, 2026-12-01 14:30, 16:00 or +2h")]
    Unreadable(String),
    #[error("{0} is in the past")]
    Past(String),
}

/// Reads a follow-up due time typed by a person, in the time zone `tz`.
pub fn parse_follow_up<Tz: TimeZone>(
    input: &str,
    now: DateTime<Utc>,
    tz: &Tz,
    default_time: &str,
) -> Result<FollowUpDue, FollowUpError> {
    let text = input.trim();
    let unreadable = || FollowUpError::Unreadable(text.to_string());
    let local_now = now.with_timezone(tz);
    let today = local_now.date_naive();
    if let Some(hours) = text
        .strip_prefix('+')
        .and_then(|t| t.strip_suffix(['h', 'H']))
    {
        let hours: i64 = hours.trim().parse().map_err(|_| unreadable())?;
        if !(1..=24 * 365).contains(&hours) {
            return Err(unreadable());
        }
        let at = now + Duration::hours(hours);
        return Ok(FollowUpDue {
            on: at.with_timezone(tz).date_naive(),
            at,
        });
    }
    let (date_part, time_part) = match text.rsplit_once(char::is_whitespace) {
        Some((d, t)) if follow_up_time(t).is_some() => (d.trim(), Some(t)),
        _ if follow_up_time(text).is_some() => ("", Some(text)),
        _ => (text, None),
    };
    let on = if date_part.is_empty() {
        today
    } else {
        parse_date(date_part, today).map_err(|_| unreadable())?
    };
    let time = time_part
        .and_then(follow_up_time)
        .or_else(|| follow_up_time(default_time))
        .unwrap_or(NaiveTime::MIN);
    let at = tz
        .from_local_datetime(&on.and_time(time))
        .earliest()
        .ok_or_else(unreadable)?
        .with_timezone(&Utc);
    if on < today || (time_part.is_some() && at < now) {
        return Err(FollowUpError::Past(text.to_string()));
    }
    Ok(FollowUpDue { on, at })
}

/// Longest summary kept, in characters.
pub const SUMMARY_MAX: usize = 4000;
/// Longest customer feedback kept, in characters.
pub const FEEDBACK_MAX: usize = 1000;

/// A contact to log.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInteraction {
    pub customer_id: i64,
    pub channel: Channel,
    pub direction: Direction,
    /// A wrap-up code of the configured list.
    pub disposition: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    pub feedback: Option<String>,
    pub complaint_id: Option<i64>,
    pub reminder_id: Option<i64>,
    pub follow_up: Option<FollowUp>,
    /// The entry this one corrects.
    pub amends_id: Option<i64>,
    /// A complaint to open with this contact (its wrap-up code carries `complaint`).
    pub open_complaint: Option<NewComplaint>,
}

impl NewInteraction {
    /// A plain contact on `channel` in its usual direction, from `started_at` to `ended_at`,
    /// with nothing linked and no follow-up.
    pub fn contact(
        customer_id: i64,
        channel: Channel,
        disposition: &str,
        started_at: DateTime<Utc>,
        ended_at: DateTime<Utc>,
        summary: &str,
    ) -> NewInteraction {
        NewInteraction {
            customer_id,
            channel,
            direction: channel.usual_direction(),
            disposition: disposition.to_string(),
            started_at,
            ended_at: Some(ended_at),
            summary: Some(summary.to_string()),
            feedback: None,
            complaint_id: None,
            reminder_id: None,
            follow_up: None,
            amends_id: None,
            open_complaint: None,
        }
    }
}

/// The next follow-up a contact asks for: a care reminder for this customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUp {
    pub due: FollowUpDue,
    pub scope: FollowUpScope,
}

/// Text as kept: trailing white space and leading blank lines dropped; nothing when blank.
pub fn clean(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(|t| t.trim_end().trim_start_matches(['\n', '\r']).to_string())
        .filter(|t| !t.trim().is_empty())
}

/// Checks a contact before logging it: every problem, each naming its field.
pub fn check(
    new: &NewInteraction,
    rules: &LogRules,
    now: DateTime<Utc>,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let disposition = rules.disposition(&new.disposition);
    match disposition {
        None if new.disposition.trim().is_empty() => {
            errors.push(FieldError::new("disposition", "is required"));
        }
        None => errors.push(FieldError::new(
            "disposition",
            format!(
                "'{}' is not a wrap-up code; use one of: {}",
                new.disposition,
                rules.codes()
            ),
        )),
        Some(d) => {
            // An amendment corrects what was logged; the original's follow-up stands.
            if d.has(DispositionFlag::Callback)
                && new.follow_up.is_none()
                && new.amends_id.is_none()
            {
                errors.push(FieldError::new(
                    "follow_up",
                    format!("'{}' asks for a follow-up date", d.code),
                ));
            }
        }
    }
    if new.started_at > now + chrono::Duration::minutes(5) {
        errors.push(FieldError::new("started", "is in the future"));
    }
    if let Some(end) = new.ended_at {
        if end < new.started_at {
            errors.push(FieldError::new("ended", "is before the start"));
        } else if end - new.started_at > chrono::Duration::hours(24) {
            errors.push(FieldError::new(
                "ended",
                "is more than 24 hours after the start",
            ));
        }
    }
    for (field, text, max) in [
        ("summary", &new.summary, SUMMARY_MAX),
        ("feedback", &new.feedback, FEEDBACK_MAX),
    ] {
        let n = text.as_deref().map(|t| t.chars().count()).unwrap_or(0);
        if n > max {
            errors.push(FieldError::new(
                field,
                format!("is {n} characters long; at most {max} are kept"),
            ));
        }
    }
    if let Some(f) = &new.follow_up {
        if f.due.at < now - chrono::Duration::days(1) {
            errors.push(FieldError::new("follow_up", "is in the past"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A reminder's title from the summary's first line, or the wrap-up code's label.
pub fn follow_up_title(summary: Option<&str>, fallback: &str) -> String {
    let first = summary
        .and_then(|s| s.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or(fallback);
    let mut title: String = first.chars().take(60).collect();
    if first.chars().count() > 60 {
        title.push('…');
    }
    title
}

/// What the store read for one contact to log, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFacts {
    /// The customer, when one has the id.
    pub customer: Option<CustomerFacts>,
    /// Whose the linked complaint is (read when one is linked; none when it does not exist).
    pub complaint_owner: Option<i64>,
    /// The follow-up the corrected entry asked for and still to do: reminder id and day.
    pub carried: Option<(i64, String)>,
    /// The linked reminder's customer and status (read when one is linked).
    pub reminder: Option<(i64, super::reminder::Status)>,
    /// Who the linked reminder is kept for, when it is another operator's "only me" one and
    /// the operator logging may not work others' reminders.
    pub reminder_held_by: Option<String>,
    /// The corrected entry (read when the contact amends one).
    pub amended: Option<AmendedFacts>,
}

/// The customer a contact is logged for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFacts {
    pub code: String,
    /// The code of the record it was merged into, if it was.
    pub merged_into: Option<String>,
    pub do_not_contact: bool,
}

/// The entry a correction amends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmendedFacts {
    pub customer_id: i64,
    /// The latest correction already made to it.
    pub corrected_by: Option<i64>,
    /// The correction says just what the entry said.
    pub unchanged: bool,
}

/// Why a contact cannot be logged, found against what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogRefusal {
    NotFound(String),
    Conflict(String),
    Invalid(Vec<FieldError>),
}

/// What logging a contact will write, decided from the contact, the rules and the facts.
#[derive(Debug, Clone, PartialEq)]
pub struct LogPlan {
    pub disposition: Disposition,
    pub code: String,
    pub already_do_not_contact: bool,
    /// The corrected entry's follow-up still to do.
    pub carried: Option<(i64, String)>,
    /// The correction is still a callback without a new time: the carried follow-up stands.
    pub keeps_carried: bool,
    pub follow_up_on: Option<String>,
    pub reply_by: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    pub feedback: Option<String>,
}

/// The wrap-up code of a contact, from the configured list.
pub fn wrap_up<'r>(
    new: &NewInteraction,
    rules: &'r LogRules,
) -> Result<&'r Disposition, LogRefusal> {
    rules.disposition(&new.disposition).ok_or_else(|| {
        LogRefusal::Invalid(vec![FieldError::new(
            "disposition",
            format!("'{}' is not a wrap-up code", new.disposition),
        )])
    })
}

/// Checks a contact against what is stored and decides what logging it writes.
pub fn plan_log(
    new: &NewInteraction,
    disposition: &Disposition,
    rules: &LogRules,
    facts: LogFacts,
) -> Result<LogPlan, LogRefusal> {
    let Some(customer) = facts.customer else {
        return Err(LogRefusal::NotFound(format!(
            "customer {}",
            new.customer_id
        )));
    };
    let code = customer.code;
    if let Some(survivor) = customer.merged_into {
        return Err(LogRefusal::Conflict(format!(
            "{code} was merged into {survivor}; log the contact on {survivor}"
        )));
    }
    let mut invalid = Vec::new();
    if let Some(complaint) = new.complaint_id {
        if facts.complaint_owner != Some(new.customer_id) {
            invalid.push(FieldError::new(
                "complaint",
                format!("complaint {complaint} is not one of {code}'s"),
            ));
        }
    }
    let carried = facts.carried;
    if let Some(reminder) = new.reminder_id {
        match facts.reminder {
            Some(_) if carried.as_ref().is_some_and(|(own, _)| *own == reminder) => {
                invalid.push(FieldError::new(
                    "reminder",
                    format!(
                        "reminder {reminder} is the follow-up the corrected entry asked for; \
                         the correction carries it over"
                    ),
                ))
            }
            Some((owner, _)) if owner != new.customer_id => invalid.push(FieldError::new(
                "reminder",
                format!("reminder {reminder} is not one of {code}'s"),
            )),
            None => invalid.push(FieldError::new(
                "reminder",
                format!("reminder {reminder} does not exist"),
            )),
            _ => {}
        }
        if let Some(holder) = &facts.reminder_held_by {
            invalid.push(FieldError::new(
                "reminder",
                format!(
                    "reminder {reminder} is kept for {holder}; only they, a supervisor or an admin may complete it"
                ),
            ));
        }
    }
    if let Some(amends) = new.amends_id {
        match facts.amended {
            None => invalid.push(FieldError::new(
                "amends",
                format!("interaction {amends} does not exist"),
            )),
            Some(a) if a.customer_id != new.customer_id => invalid.push(FieldError::new(
                "amends",
                format!("interaction {amends} is not one of {code}'s"),
            )),
            Some(AmendedFacts {
                corrected_by: Some(later),
                ..
            }) => {
                return Err(LogRefusal::Conflict(format!(
                    "interaction {amends} was already corrected by {later}; amend that one"
                )))
            }
            Some(AmendedFacts {
                unchanged: true, ..
            }) if new.follow_up.is_none() && new.open_complaint.is_none() => {
                invalid.push(FieldError::new(
                    "summary",
                    format!("nothing differs from interaction {amends}; change what was wrong"),
                ))
            }
            _ => {}
        }
    }
    if !invalid.is_empty() {
        return Err(LogRefusal::Invalid(invalid));
    }
    let reply_by = rules.reply_by(
        new.channel,
        new.direction,
        disposition,
        DateTime::from_timestamp(new.started_at.timestamp(), 0).unwrap_or_default(),
    );
    let keeps_carried = new.follow_up.is_none() && disposition.has(DispositionFlag::Callback);
    let follow_up_on = match (&new.follow_up, &carried) {
        (Some(f), _) => Some(f.due.on.format("%Y-%m-%d").to_string()),
        (None, Some((_, due_on))) if keeps_carried => Some(due_on.clone()),
        _ => None,
    };
    Ok(LogPlan {
        disposition: disposition.clone(),
        code,
        already_do_not_contact: customer.do_not_contact,
        carried,
        keeps_carried,
        follow_up_on,
        reply_by,
        summary: clean(&new.summary),
        feedback: clean(&new.feedback),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn now() -> DateTime<Utc> {
        // 2026-11-23 10:00 in Beijing
        Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0)
            .single()
            .expect("a time")
    }

    fn contact(disposition: &str) -> NewInteraction {
        NewInteraction {
            amends_id: None,
            ..NewInteraction::contact(
                5,
                Channel::PhoneIn,
                disposition,
                now() - Duration::minutes(10),
                now() - Duration::minutes(4),
                "asked about the invoice",
            )
        }
    }

    fn facts() -> LogFacts {
        LogFacts {
            customer: Some(CustomerFacts {
                code: "C0000005".into(),
                merged_into: None,
                do_not_contact: false,
            }),
            complaint_owner: None,
            carried: None,
            reminder: None,
            reminder_held_by: None,
            amended: None,
        }
    }

    fn plan(new: &NewInteraction, facts: LogFacts) -> Result<LogPlan, LogRefusal> {
        let rules = LogRules::default();
        let disposition = wrap_up(new, &rules)?.clone();
        plan_log(new, &disposition, &rules, facts)
    }

    fn invalid_fields(refusal: Result<LogPlan, LogRefusal>) -> Vec<String> {
        match refusal {
            Err(LogRefusal::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected invalid fields, got {other:?}"),
        }
    }

    #[test]
    fn a_contact_is_checked_field_by_field_before_anything_is_read() {
        let rules = LogRules::default();
        assert_eq!(check(&contact("information_given"), &rules, now()), Ok(()));
        let mut bad = contact("");
        bad.started_at = now() + Duration::minutes(6);
        bad.ended_at = Some(bad.started_at - Duration::seconds(1));
        bad.summary = Some("x".repeat(SUMMARY_MAX + 1));
        let fields: Vec<String> = check(&bad, &rules, now())
            .expect_err("four problems")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["disposition", "started", "ended", "summary"]);
        // A callback code asks for a follow-up time, except on a correction.
        let callback = contact("callback_needed");
        let errors = check(&callback, &rules, now()).expect_err("no follow-up");
        assert_eq!(errors[0].field, "follow_up");
        let correction = NewInteraction {
            amends_id: Some(9),
            ..callback
        };
        assert_eq!(check(&correction, &rules, now()), Ok(()));
        let long = NewInteraction {
            ended_at: Some(now() - Duration::minutes(10) + Duration::hours(25)),
            started_at: now() - Duration::minutes(10),
            ..contact("information_given")
        };
        let errors = check(&long, &rules, now()).expect_err("too long");
        assert_eq!(errors[0].reason, "is more than 24 hours after the start");
    }

    #[test]
    fn an_unknown_wrap_up_code_is_refused_by_name() {
        let rules = LogRules::default();
        let refusal = wrap_up(&contact("nonsense"), &rules).expect_err("not a code");
        assert_eq!(
            refusal,
            LogRefusal::Invalid(vec![FieldError::new(
                "disposition",
                "'nonsense' is not a wrap-up code"
            )])
        );
    }

    #[test]
    fn a_missing_or_merged_customer_stops_the_contact() {
        let new = contact("information_given");
        let missing = LogFacts {
            customer: None,
            ..facts()
        };
        assert_eq!(
            plan(&new, missing),
            Err(LogRefusal::NotFound("customer 5".into()))
        );
        let mut merged = facts();
        if let Some(c) = merged.customer.as_mut() {
            c.merged_into = Some("C0000002".into());
        }
        assert_eq!(
            plan(&new, merged),
            Err(LogRefusal::Conflict(
                "C0000005 was merged into C0000002; log the contact on C0000002".into()
            ))
        );
    }

    #[test]
    fn links_to_another_customers_records_are_all_named_at_once() {
        let new = NewInteraction {
            complaint_id: Some(3),
            reminder_id: Some(4),
            amends_id: Some(8),
            ..contact("information_given")
        };
        let other = LogFacts {
            complaint_owner: Some(6),
            reminder: Some((6, super::super::reminder::Status::Open)),
            amended: Some(AmendedFacts {
                customer_id: 6,
                corrected_by: None,
                unchanged: false,
            }),
            ..facts()
        };
        assert_eq!(
            invalid_fields(plan(&new, other)),
            ["complaint", "reminder", "amends"]
        );
        let missing = LogFacts {
            complaint_owner: None,
            reminder: None,
            amended: None,
            ..facts()
        };
        assert_eq!(
            invalid_fields(plan(&new, missing)),
            ["complaint", "reminder", "amends"]
        );
    }

    #[test]
    fn a_correction_of_a_corrected_entry_is_a_conflict_and_one_that_changes_nothing_is_refused() {
        let new = NewInteraction {
            amends_id: Some(8),
            ..contact("information_given")
        };
        let corrected = LogFacts {
            amended: Some(AmendedFacts {
                customer_id: 5,
                corrected_by: Some(11),
                unchanged: false,
            }),
            ..facts()
        };
        assert_eq!(
            plan(&new, corrected),
            Err(LogRefusal::Conflict(
                "interaction 8 was already corrected by 11; amend that one".into()
            ))
        );
        let same = LogFacts {
            amended: Some(AmendedFacts {
                customer_id: 5,
                corrected_by: None,
                unchanged: true,
            }),
            ..facts()
        };
        assert_eq!(invalid_fields(plan(&new, same)), ["summary"]);
    }

    #[test]
    fn a_correction_still_a_callback_keeps_the_follow_up_it_carries() {
        let new = NewInteraction {
            amends_id: Some(8),
            ..contact("callback_needed")
        };
        let carrying = LogFacts {
            carried: Some((21, "2026-11-25".into())),
            amended: Some(AmendedFacts {
                customer_id: 5,
                corrected_by: None,
                unchanged: false,
            }),
            ..facts()
        };
        let plan_kept = plan(&new, carrying.clone()).expect("a plan");
        assert!(plan_kept.keeps_carried);
        assert_eq!(plan_kept.follow_up_on.as_deref(), Some("2026-11-25"));
        // Linking the carried reminder itself is refused: the correction carries it over.
        let linked = NewInteraction {
            reminder_id: Some(21),
            ..new.clone()
        };
        let with_reminder = LogFacts {
            reminder: Some((5, super::super::reminder::Status::Open)),
            ..carrying.clone()
        };
        assert_eq!(invalid_fields(plan(&linked, with_reminder)), ["reminder"]);
        // Corrected to a code without a callback: nothing is kept.
        let resolved = NewInteraction {
            amends_id: Some(8),
            ..contact("information_given")
        };
        let plan_dropped = plan(&resolved, carrying).expect("a plan");
        assert!(!plan_dropped.keeps_carried);
        assert_eq!(plan_dropped.follow_up_on, None);
    }

    #[test]
    fn text_is_kept_without_trailing_space_or_leading_blank_lines() {
        assert_eq!(
            clean(&Some("\n\n  hello  \n".into())),
            Some("  hello".into())
        );
        assert_eq!(clean(&Some(" \n ".into())), None);
        assert_eq!(clean(&None), None);
        assert_eq!(
            follow_up_title(Some("\n  call back re invoice \nmore"), "Callback"),
            "call back re invoice"
        );
        assert_eq!(follow_up_title(None, "Callback needed"), "Callback needed");
        let long = "长".repeat(61);
        assert_eq!(
            follow_up_title(Some(&long), "x"),
            format!("{}…", "长".repeat(60))
        );
    }

    fn beijing() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).expect("an offset")
    }

    #[test]
    fn follow_ups_read_dates_times_and_hours() {
        let tz = beijing();
        let due = parse_follow_up("tomorrow", now(), &tz, "09:00");
        let due = due.expect("tomorrow reads");
        assert_eq!(due.on.to_string(), "2026-11-24");
        assert_eq!(
            due.at,
            Utc.with_ymd_and_hms(2026, 11, 24, 1, 0, 0)
                .single()
                .expect("a time")
        );
        let due = parse_follow_up("2026-12-01 14:30", now(), &tz, "09:00");
        assert_eq!(
            due.map(|d| d.at),
            Ok(Utc
                .with_ymd_and_hms(2026, 12, 1, 6, 30, 0)
                .single()
                .expect("a time"))
        );
        let due = parse_follow_up("16:00", now(), &tz, "09:00");
        assert_eq!(due.map(|d| d.on.to_string()), Ok("2026-11-23".into()));
        let due = parse_follow_up("+2h", now(), &tz, "09:00");
        assert_eq!(due.map(|d| d.at), Ok(now() + Duration::hours(2)));
        // today without a time is allowed (due now-ish), a past time is not
        assert!(parse_follow_up("today", now(), &tz, "09:00").is_ok());
        assert!(matches!(
            parse_follow_up("08:00", now(), &tz, "09:00"),
            Err(FollowUpError::Past(_))
        ));
        assert!(matches!(
            parse_follow_up("yesterday", now(), &tz, "09:00"),
            Err(FollowUpError::Past(_))
        ));
        assert!(matches!(
            parse_follow_up("soon", now(), &tz, "09:00"),
            Err(FollowUpError::Unreadable(_))
        ));
    }

    #[test]
    fn a_wrap_up_code_reads_in_any_case_with_hyphens_or_spaces() {
        let mut rules = LogRules::default();
        for typed in [
            "callback_needed",
            "callback-needed",
            " Callback Needed ",
            "CALLBACK-NEEDED",
        ] {
            let found = rules.disposition(typed).map(|d| d.code.as_str());
            assert_eq!(found, Some("callback_needed"), "{typed:?}");
        }
        assert!(rules.disposition("callback").is_none());
        assert!(rules.disposition("callbackneeded").is_none());
        // A centre's own code written with a hyphen is found however it is typed.
        rules.dispositions.push(Disposition {
            code: "gift-sent".into(),
            en: "Gift sent".into(),
            zh: "已寄礼品".into(),
            flags: Vec::new(),
        });
        for typed in ["gift-sent", "gift_sent", "Gift Sent"] {
            let found = rules.disposition(typed).map(|d| d.code.as_str());
            assert_eq!(found, Some("gift-sent"), "{typed:?}");
        }
    }

    #[test]
    fn reply_by_follows_the_response_standards() {
        let rules = LogRules::default();
        let open = rules
            .disposition("callback_needed")
            .cloned()
            .expect("a default code");
        let done = rules
            .disposition("information_given")
            .cloned()
            .expect("a default code");
        let t = now();
        assert_eq!(
            rules.reply_by(Channel::Email, Direction::Inbound, &open, t),
            Some(t + Duration::hours(24))
        );
        assert_eq!(
            rules.reply_by(Channel::Chat, Direction::Inbound, &open, t),
            Some(t)
        );
        assert_eq!(
            rules.reply_by(Channel::Email, Direction::Inbound, &done, t),
            None
        );
        assert_eq!(
            rules.reply_by(Channel::Email, Direction::Outbound, &open, t),
            None
        );
        assert_eq!(
            rules.reply_by(Channel::PhoneIn, Direction::Inbound, &open, t),
            None
        );
    }

    #[test]
    fn broken_rules_are_named_and_replaced() {
        let mut rules = LogRules {
            follow_up_time: "nine".into(),
            ..LogRules::default()
        };
        rules.dispositions.push(rules.dispositions[0].clone());
        rules.email_reply_hours = -1;
        let problems = check_rules(&rules);
        assert_eq!(problems.len(), 3, "{problems:?}");
        let fixed = usable(rules);
        assert!(check_rules(&fixed).is_empty());
        assert_eq!(
            fixed.dispositions.len(),
            LogRules::default().dispositions.len()
        );
    }

    #[test]
    fn phrases_in_the_screen_language_come_first_and_filter() {
        let rules = LogRules::default();
        let zh = rules.phrases_for("zh-CN", "");
        assert_eq!(zh[0].lang, "zh-CN");
        assert_eq!(zh.len(), rules.phrases.len());
        let sorry = rules.phrases_for("en", "sorry");
        assert!(
            !sorry.is_empty()
                && sorry
                    .iter()
                    .all(|p| p.text.to_lowercase().contains("sorry"))
        );
        let apology = rules.phrases_for("en", "apology");
        assert!(apology.iter().any(|p| p.lang == "zh-CN"));
    }
}
