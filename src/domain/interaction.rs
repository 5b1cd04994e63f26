//! The interaction log's rules (DESIGN §3.3): wrap-up codes and the flags that drive their
//! effects, response-time standards (reply-by), follow-up due times and their escalation, and
//! the standard service phrases. Every number and list here is a config setting.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

use super::customer::Channel;
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
                    "已提供信息",
                    &[F::ContactMade, F::Resolved],
                ),
                d(
                    "callback_needed",
                    "Callback needed",
                    "需要回电",
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
            ],
            email_reply_hours: 24,
            chat_reply_minutes: 0,
            phone_answer_seconds: 30,
            follow_up_escalate_minutes: 60,
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
