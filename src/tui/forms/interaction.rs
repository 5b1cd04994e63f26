//! The new-interaction form (DESIGN §3.3): channel, direction, wrap-up code, summary,
//! feedback, follow-up, links to the customer's open complaints and reminders, and — when the
//! wrap-up code says a complaint was raised — the complaint to open. An amendment is the same
//! form filled from the entry it corrects.

use chrono::{DateTime, FixedOffset, Utc};

use super::{FormKind, Saved};
use crate::domain::complaint::{Category, Severity};
use crate::domain::customer::Channel;
use crate::domain::interaction::{
    parse_follow_up, Direction, DispositionFlag, FollowUpError, FollowUpScope, LogRules,
};
use crate::domain::survey::SurveyKind;
use crate::store::{
    CardData, Draft, FollowUp, Interaction, NewComplaint, NewInteraction, NewSurvey,
};
use crate::tui::component::Msg;
use crate::tui::desk::{clock, Call, Desk};
use crate::tui::i18n::{I18n, Lang};
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

/// Keys of [`Form::extra`].
pub const STARTED: &str = "started_at";
pub const ENDED: &str = "ended_at";
pub const AMENDS: &str = "amends";
/// Opened from the Care pane for a reminder (a care shift's call).
pub const CARE_SHIFT: &str = "care_shift";
/// The channel the direction was last set for (the direction follows a changed channel).
const CHANNEL_SEEN: &str = "channel_seen";

fn channel_values() -> Vec<&'static str> {
    Channel::ALL.iter().map(|c| c.as_str()).collect()
}

/// What the contact form offers to record of a survey taken at the end of the contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyOffer {
    /// The centre's CSAT scale (`[surveys] csat_scale`).
    pub csat_scale: i64,
    /// NPS may be asked of this customer now (none in `[surveys] nps_every_days`).
    pub nps_due: bool,
}

impl SurveyOffer {
    /// Nothing asked (a correction: its survey was recorded with the contact, if any).
    const NONE: SurveyOffer = SurveyOffer {
        csat_scale: 5,
        nps_due: false,
    };

    /// What may be asked of `customer` now.
    pub fn for_customer(customer: i64, desk: &mut Desk) -> SurveyOffer {
        let rules = desk.settings.surveys.clone();
        let nps_due = match desk.store.nps_due(&desk.actor, customer, &rules) {
            Ok(due) => due,
            Err(e) => {
                desk.store_error(&e);
                false
            }
        };
        SurveyOffer {
            csat_scale: rules.csat_scale,
            nps_due,
        }
    }
}

/// NPS scores 0 to 10, after "not asked".
fn nps_choices(i18n: &I18n) -> Choices {
    let mut scores = vec![String::new()];
    let mut labels = vec![i18n.t("form.not_asked").to_string()];
    for n in 0..=10 {
        scores.push(n.to_string());
        labels.push(n.to_string());
    }
    Choices::given(scores, labels)
}

fn fields(rules: &LogRules, card: &CardData, survey: SurveyOffer, i18n: &I18n) -> Vec<Field> {
    let chinese = i18n.lang == Lang::ZhCn;
    let mut codes = vec![String::new()];
    let mut labels = vec![i18n.t("form.choose").to_string()];
    for d in &rules.dispositions {
        codes.push(d.code.clone());
        labels.push(d.label(chinese).to_string());
    }
    let mut complaints = vec![String::new()];
    let mut complaint_labels = vec![i18n.t("form.none").to_string()];
    for c in card.open_complaints() {
        complaints.push(c.id.to_string());
        complaint_labels.push(format!("#{} {}", c.id, c.title));
    }
    let mut reminders = vec![String::new()];
    let mut reminder_labels = vec![i18n.t("form.none").to_string()];
    for r in &card.reminders {
        reminders.push(r.id.to_string());
        let words = match &r.fact {
            Some(fact) => {
                crate::tui::panes::care::fact_text(fact, &[], i18n, chrono::NaiveDate::MIN)
            }
            None => r.title.clone(),
        };
        reminder_labels.push(format!("#{} {} {}", r.id, r.due_on.format("%m-%d"), words));
    }
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let severities: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    vec![
        Field::new(
            "channel",
            "field.channel",
            FieldKind::Choice(Choices::of("channel", &channel_values())),
        ),
        Field::new(
            "direction",
            "field.direction",
            FieldKind::Choice(Choices::of("direction", &["inbound", "outbound"])),
        ),
        Field::new(
            "disposition",
            "field.disposition",
            FieldKind::Choice(Choices::given(codes, labels)),
        )
        .required(),
        Field::new("summary", "field.summary", FieldKind::Notes).lines_shown(4),
        Field::new("feedback", "field.feedback", FieldKind::Text),
        Field::new(
            "csat",
            super::csat_label(survey.csat_scale, true),
            FieldKind::Choice(super::csat_choices(
                survey.csat_scale,
                "form.not_asked",
                i18n,
            )),
        ),
        Field::new("nps", "field.nps", FieldKind::Choice(nps_choices(i18n))),
        Field::new("follow_up", "field.follow_up", FieldKind::Text),
        Field::new(
            "follow_up_for",
            "field.follow_up_for",
            FieldKind::Choice(Choices::of("scope", &["me", "anyone"])),
        ),
        Field::new(
            "complaint",
            "field.linked_complaint",
            FieldKind::Choice(Choices::given(complaints, complaint_labels)),
        ),
        Field::new(
            "reminder",
            "field.linked_reminder",
            FieldKind::Choice(Choices::given(reminders, reminder_labels)),
        ),
        Field::new(
            "open_complaint",
            "field.open_complaint",
            FieldKind::Choice(Choices::of("yesno", &["yes", "no"])),
        ),
        Field::new(
            "complaint_category",
            "field.complaint_category",
            FieldKind::Choice(Choices::of("category", &categories)),
        ),
        Field::new(
            "complaint_severity",
            "field.complaint_severity",
            FieldKind::Choice(Choices::of("severity", &severities)),
        ),
        Field::new("complaint_title", "field.complaint_title", FieldKind::Text),
    ]
}

fn subtitle(card: &CardData) -> String {
    format!("{} {}", card.customer.code, card.customer.fields.name)
}

/// A new interaction for the customer on the card; the call started at `started`.
pub fn new_interaction(
    card: &CardData,
    rules: &LogRules,
    survey: SurveyOffer,
    i18n: &I18n,
    started: DateTime<Utc>,
    channel: Channel,
    today: chrono::NaiveDate,
) -> Form {
    let mut form = Form::new(FormKind::NewInteraction, fields(rules, card, survey, i18n));
    form.show("nps", survey.nps_due);
    form.entity_id = card.customer.id;
    form.subtitle = subtitle(card);
    form.extra
        .insert(STARTED.into(), started.timestamp().to_string());
    form.set("channel", channel.as_str());
    form.set("direction", channel.usual_direction().as_str());
    form.set("complaint_severity", "normal");
    form.set("complaint_category", "other");
    // A due reminder on the card is most likely what this contact is about.
    if let [only] = card.reminders.as_slice() {
        if only.due_on <= today {
            form.set("reminder", &only.id.to_string());
        }
    }
    form.focus_on("disposition");
    refresh(&mut form, rules);
    form
}

/// An amendment of `entry`, filled with what it says.
pub fn amend(entry: &Interaction, card: &CardData, rules: &LogRules, i18n: &I18n) -> Form {
    // The entry's own follow-up is not a reminder this contact could complete: the correction
    // takes it over.
    let mut card = card.clone();
    card.reminders
        .retain(|r| Some(r.id) != entry.follow_up_reminder_id);
    let mut form = Form::new(
        FormKind::AmendInteraction,
        fields(rules, &card, SurveyOffer::NONE, i18n),
    );
    form.show("csat", false);
    form.show("nps", false);
    form.entity_id = entry.customer_id;
    form.subtitle = format!("#{} · {}", entry.id, subtitle(&card));
    form.extra.insert(AMENDS.into(), entry.id.to_string());
    form.extra
        .insert(STARTED.into(), entry.started_at.timestamp().to_string());
    if let Some(end) = entry.ended_at {
        form.extra.insert(ENDED.into(), end.timestamp().to_string());
    }
    form.set("channel", &entry.channel);
    form.set("direction", &entry.direction);
    form.set("disposition", &entry.disposition);
    form.set("summary", entry.summary.as_deref().unwrap_or(""));
    form.set("feedback", entry.feedback.as_deref().unwrap_or(""));
    if let Some(c) = entry.complaint_id {
        form.set("complaint", &c.to_string());
    }
    if let Some(r) = entry.reminder_id {
        form.set("reminder", &r.to_string());
    }
    form.set("open_complaint", "no");
    form.focus_on("summary");
    refresh(&mut form, rules);
    form
}

/// Fields that depend on the wrap-up code: a callback asks for a follow-up date; a complaint
/// code offers to open one (unless a complaint is linked).
pub fn refresh(form: &mut Form, rules: &LogRules) {
    // A changed channel brings its usual direction (a call out is outbound); a direction the
    // operator chose for the channel stays.
    let channel = form.value("channel");
    if form.extra.get(CHANNEL_SEEN) != Some(&channel) {
        if form.extra.contains_key(CHANNEL_SEEN) {
            if let Ok(c) = channel.parse::<Channel>() {
                form.set("direction", c.usual_direction().as_str());
            }
        }
        form.extra.insert(CHANNEL_SEEN.into(), channel);
    }
    let code = form.value("disposition");
    let disposition = rules.disposition(&code);
    let amending = form.extra.contains_key(AMENDS);
    let callback = disposition.is_some_and(|d| d.has(DispositionFlag::Callback)) && !amending;
    if let Some(f) = form.field_mut("follow_up") {
        f.required = callback;
    }
    let has_follow_up = !form.value("follow_up").is_empty();
    form.show("follow_up_for", has_follow_up || callback);
    let complaint_code = disposition.is_some_and(|d| d.has(DispositionFlag::Complaint));
    let linked = !form.value("complaint").is_empty();
    form.show("open_complaint", complaint_code && !linked && !amending);
    let opening = complaint_code && !linked && !amending && form.value("open_complaint") == "yes";
    for key in [
        "complaint_category",
        "complaint_severity",
        "complaint_title",
    ] {
        form.show(key, opening);
    }
    if let Some(f) = form.field_mut("complaint_title") {
        f.required = opening;
    }
    form.show(
        "complaint",
        !form.fields.iter().any(|f| {
            f.key == "complaint" && matches!(&f.kind, FieldKind::Choice(c) if c.values.len() <= 1)
        }),
    );
    form.show(
        "reminder",
        !form.fields.iter().any(|f| {
            f.key == "reminder" && matches!(&f.kind, FieldKind::Choice(c) if c.values.len() <= 1)
        }),
    );
}

/// When the contact began, from the form's hidden values.
pub fn started(form: &Form) -> Option<DateTime<Utc>> {
    form.extra
        .get(STARTED)
        .and_then(|t| t.parse::<i64>().ok())
        .and_then(|t| DateTime::from_timestamp(t, 0))
}

/// The contact the form describes; the problems as (field key, catalogue key).
pub fn to_interaction(
    form: &Form,
    rules: &LogRules,
    now: DateTime<Utc>,
    tz: &FixedOffset,
) -> Result<NewInteraction, Vec<(&'static str, &'static str)>> {
    let mut problems = Vec::new();
    let channel: Channel = form.value("channel").parse().unwrap_or(Channel::PhoneIn);
    let direction: Direction = form
        .value("direction")
        .parse()
        .unwrap_or(channel.usual_direction());
    let code = form.value("disposition");
    let disposition = rules.disposition(&code);
    if disposition.is_none() {
        problems.push(("disposition", "form.required"));
    }
    let follow_up_text = form.value("follow_up");
    let follow_up = if follow_up_text.is_empty() {
        if disposition.is_some_and(|d| d.has(DispositionFlag::Callback))
            && !form.extra.contains_key(AMENDS)
        {
            problems.push(("follow_up", "form.follow_up_needed"));
        }
        None
    } else {
        match parse_follow_up(&follow_up_text, now, tz, &rules.follow_up_time) {
            Ok(due) => Some(FollowUp {
                due,
                scope: form
                    .value("follow_up_for")
                    .parse()
                    .unwrap_or(FollowUpScope::Me),
            }),
            Err(FollowUpError::Past(_)) => {
                problems.push(("follow_up", "form.follow_up_past"));
                None
            }
            Err(FollowUpError::Unreadable(_)) => {
                problems.push(("follow_up", "form.bad_follow_up"));
                None
            }
        }
    };
    let amends_id = form.extra.get(AMENDS).and_then(|a| a.parse().ok());
    let started_at = started(form).unwrap_or(now);
    let ended_at = if amends_id.is_some() {
        form.extra
            .get(ENDED)
            .and_then(|t| t.parse::<i64>().ok())
            .and_then(|t| DateTime::from_timestamp(t, 0))
    } else {
        Some(now.max(started_at))
    };
    let complaint_id = form.value("complaint").parse().ok();
    let shown = |key: &str| form.field(key).is_some_and(|f| !f.hidden);
    let open_complaint = if shown("complaint_title") {
        let title = form.value("complaint_title");
        if title.is_empty() {
            problems.push(("complaint_title", "form.required"));
        }
        Some(NewComplaint {
            category: form
                .value("complaint_category")
                .parse()
                .unwrap_or(Category::Other),
            severity: form
                .value("complaint_severity")
                .parse()
                .unwrap_or(Severity::Normal),
            title,
            description: Some(form.value("summary")).filter(|s| !s.is_empty()),
            channel,
        })
    } else {
        None
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let text = |key: &str| Some(form.value(key)).filter(|s| !s.is_empty());
    Ok(NewInteraction {
        customer_id: form.entity_id,
        channel,
        direction,
        disposition: code,
        started_at,
        ended_at,
        summary: text("summary"),
        feedback: text("feedback"),
        complaint_id,
        reminder_id: form.value("reminder").parse().ok(),
        follow_up,
        amends_id,
        open_complaint,
    })
}

/// Maps a store field name to the form's field key; `None` for one the form does not show.
pub fn field_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "disposition" => "disposition",
        "summary" => "summary",
        "feedback" => "feedback",
        "follow_up" => "follow_up",
        "complaint" => "complaint",
        "reminder" => "reminder",
        "complaint_title" => "complaint_title",
        "channel" => "channel",
        "direction" => "direction",
        _ => return None,
    })
}

/// `n`: a contact with `customer`, beside the card. The call timer starts now unless a call
/// is already running. A channel given means a reply on it (outbound).
pub fn for_customer(
    customer: i64,
    reply_on: Option<Channel>,
    reminder: Option<i64>,
    desk: &mut Desk,
) -> Option<Form> {
    let mut card = match desk.store.reload_card(&desk.actor, customer) {
        Ok(card) => card,
        Err(e) => {
            desk.store_error(&e);
            return None;
        }
    };
    if card.customer.restricted {
        desk.error_t("card.restricted_log");
        return None;
    }
    if let Some(survivor) = &card.customer.merged_into {
        let text = desk.i18n.f("card.merged", &[("code", survivor)]);
        desk.error(text);
        return None;
    }
    let started = match &desk.call {
        Some(call) => call.started,
        None => {
            desk.call = Some(Call {
                number: card.customer.code.clone(),
                started: desk.now,
                from_pop: false,
                complaint: None,
            });
            desk.now
        }
    };
    let today = desk.today();
    // A care call: the reminder it is for is among those it may complete (one not due yet
    // is not on the card), and it goes out on the customer's preferred channel.
    let care = match reminder.map(|id| desk.store.care_row(&desk.actor, id)) {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            desk.store_error(&e);
            None
        }
        None => None,
    };
    // A complaint's follow-up call is worked by the complaint's follow-up step (satisfaction,
    // then closed or reopened): a contact does not complete it, so it is not offered.
    card.reminders
        .retain(|r| r.kind != crate::domain::reminder::Kind::ComplaintFollowUp.as_str());
    // Another operator's "only me" reminder is theirs to complete: not offered.
    let me = desk.actor.id;
    if !desk
        .actor
        .may(crate::domain::operator::Permission::WorkOthersReminders)
    {
        card.reminders
            .retain(|r| r.scope != "me" || r.assignee_id.is_none_or(|a| a == me));
    }
    if let Some(r) = &care {
        if !card.reminders.iter().any(|d| d.id == r.id) {
            card.reminders.push(crate::store::DueReminder {
                id: r.id,
                kind: r.kind.as_str().to_string(),
                title: r.title.clone().unwrap_or_default(),
                due_on: r.due_on,
                due_at: r
                    .due_at
                    .and_then(|t| chrono::DateTime::from_timestamp(t, 0)),
                scope: r.scope.as_str().to_string(),
                assignee: r.assignee_name.clone(),
                assignee_id: r.assignee_id,
                fact: r.fact.clone(),
            });
        }
    }
    let channel = match (reply_on, &care) {
        (Some(channel), _) => channel,
        (None, Some(_)) => match card.customer.fields.preferred_channel {
            Some(Channel::PhoneIn | Channel::PhoneOut | Channel::Visit) | None => Channel::PhoneOut,
            Some(other) => other,
        },
        (None, None) => Channel::PhoneIn,
    };
    let survey = SurveyOffer::for_customer(customer, desk);
    let mut form = new_interaction(
        &card,
        desk.store.log_rules(),
        survey,
        &desk.i18n,
        started,
        channel,
        today,
    );
    if reply_on.is_some() || care.is_some() {
        form.set("direction", "outbound");
    }
    if let Some(r) = &care {
        form.set("reminder", &r.id.to_string());
        form.extra.insert(CARE_SHIFT.into(), r.id.to_string());
        form.focus_on("disposition");
    }
    // A complaint opened during this call is what the contact is about.
    if let Some(complaint) = desk.call.as_ref().and_then(|c| c.complaint) {
        form.set("complaint", &complaint.to_string());
        refresh(&mut form, desk.store.log_rules());
    }
    Some(form)
}

/// `e` on a Log entry: its amendment.
pub fn amend_entry(id: i64, desk: &mut Desk) -> Option<Form> {
    let loaded = desk.store.interaction(&desk.actor, id).and_then(|entry| {
        let card = desk.store.reload_card(&desk.actor, entry.customer_id)?;
        Ok((entry, card))
    });
    match loaded {
        Ok((entry, card)) => Some(amend(&entry, &card, desk.store.log_rules(), &desk.i18n)),
        Err(e) => {
            desk.store_error(&e);
            None
        }
    }
}

/// Reopens a contact form from its draft: the customer's card, the form as it was typed, and
/// the call timer from when the call began.
pub fn restore(draft: &Draft, kind: FormKind, desk: &mut Desk) -> Option<(Form, Vec<Msg>)> {
    let card = match desk.store.reload_card(&desk.actor, draft.entity_id) {
        Ok(card) => card,
        Err(e) => {
            desk.store_error(&e);
            return None;
        }
    };
    let today = desk.today();
    let survey = if kind == FormKind::AmendInteraction {
        SurveyOffer::NONE
    } else {
        SurveyOffer::for_customer(draft.entity_id, desk)
    };
    let mut form = new_interaction(
        &card,
        desk.store.log_rules(),
        survey,
        &desk.i18n,
        desk.now,
        Channel::PhoneIn,
        today,
    );
    if kind == FormKind::AmendInteraction {
        form.show("csat", false);
    }
    form.restore_draft(&draft.content);
    if kind == FormKind::AmendInteraction {
        form.kind = FormKind::AmendInteraction;
        if let Some(id) = form.extra.get(AMENDS) {
            form.subtitle = format!("#{id} · {}", form.subtitle);
        }
    } else if let Some(started) = started(&form) {
        desk.call = Some(Call {
            number: card.customer.code.clone(),
            started,
            from_pop: false,
            complaint: None,
        });
    }
    let msgs = vec![
        Msg::Focus(crate::tui::panes::lookup::ID),
        Msg::OpenCustomer {
            id: draft.entity_id,
            focus: true,
        },
    ];
    Some((form, msgs))
}

/// Ctrl-S: log it, stop the timer, say what it set in motion.
pub fn save(form: &mut Form, desk: &mut Desk) -> Saved {
    let now = desk.now;
    let tz = desk.settings.tz;
    let today = desk.today();
    let rules = desk.store.log_rules().clone();
    let basics = form.check_basics(&desk.i18n, today);
    let new = match to_interaction(form, &rules, now, &tz) {
        Ok(new) if basics => new,
        Ok(_) => {
            desk.error_t("form.fix_fields");
            return Saved::Open;
        }
        Err(problems) => {
            for (key, message) in problems {
                let text = desk.i18n.t(message).to_string();
                if !form.set_error(key, text.clone()) {
                    desk.error(format!("{key}: {text}"));
                }
            }
            desk.error_t("form.fix_fields");
            return Saved::Open;
        }
    };
    let started_at = started(form);
    let name = form.subtitle.clone();
    match desk.store.log_interaction(&desk.actor, &new) {
        Ok(logged) => {
            desk.own_write();
            let timer = desk.call.as_ref().map(|c| c.started.timestamp());
            if timer == started_at.map(|s| s.timestamp()) && new.amends_id.is_none() {
                desk.call = None; // the timer stops when the contact is saved
            }
            let seconds = new
                .ended_at
                .map(|end| (end - new.started_at).num_seconds())
                .unwrap_or(0);
            let key = if new.amends_id.is_some() {
                "log.amended_saved"
            } else {
                "log.saved"
            };
            let i18n = &desk.i18n;
            let mut text = i18n.f(key, &[("customer", &name), ("duration", &clock(seconds))]);
            if let Some(f) = new
                .follow_up
                .filter(|_| logged.follow_up_reminder_id.is_some())
            {
                let when = f
                    .due
                    .at
                    .with_timezone(&tz)
                    .format("%m-%d %H:%M")
                    .to_string();
                text.push_str(" · ");
                text.push_str(&i18n.f(
                    "log.follow_up_created",
                    &[
                        ("when", &when),
                        ("scope", &i18n.value("scope", f.scope.as_str())),
                    ],
                ));
            }
            if logged.follow_up_carried {
                text.push_str(" · ");
                text.push_str(i18n.t("log.follow_up_carried"));
            }
            if logged.follow_up_skipped.is_some() {
                text.push_str(" · ");
                text.push_str(i18n.t("log.follow_up_skipped"));
            }
            if let Some(id) = logged.complaint_opened {
                text.push_str(" · ");
                text.push_str(&i18n.f("log.complaint_created", &[("id", &id.to_string())]));
            }
            if !logged.answered.is_empty() {
                text.push_str(" · ");
                text.push_str(&i18n.f(
                    "log.answered",
                    &[("count", &logged.answered.len().to_string())],
                ));
            }
            if logged.do_not_contact_set {
                text.push_str(" · ");
                text.push_str(i18n.t("log.do_not_contact_set"));
            }
            if let Some(id) = logged.reminder_done {
                text.push_str(" · ");
                text.push_str(&i18n.f("log.reminder_done", &[("id", &id.to_string())]));
            }
            if let Some((id, by)) = &logged.reminder_done_before {
                text.push_str(" · ");
                text.push_str(&i18n.f(
                    "log.reminder_done_before",
                    &[
                        ("id", &id.to_string()),
                        ("by", &i18n.name(&crate::text::sanitize(by))),
                    ],
                ));
            }
            let (said, refused) = record_surveys(form, &new, logged.id, desk);
            let i18n = &desk.i18n;
            for s in said.iter().chain(&refused) {
                text.push_str(" · ");
                text.push_str(s);
            }
            // A care shift's call: the key to the next one, said while the footer is taken.
            if form.extra.contains_key(CARE_SHIFT) {
                text.push_str(" · ");
                text.push_str(i18n.t("log.next_reminder_hint"));
            }
            desk.post(Msg::DataChanged);
            if refused.is_empty() {
                desk.info(text);
            } else {
                desk.warn(text);
            }
            Saved::Closed
        }
        Err(e) => super::refused(form, e, field_of, desk),
    }
}

/// Records the CSAT and NPS chosen on the form as the survey of contact `contact` (the
/// customer's feedback its comment): what was recorded, and what was not with the reason —
/// the contact is saved either way.
fn record_surveys(
    form: &Form,
    new: &NewInteraction,
    contact: i64,
    desk: &mut Desk,
) -> (Vec<String>, Vec<String>) {
    let (mut said, mut refused) = (Vec::new(), Vec::new());
    let rules = desk.settings.surveys.clone();
    for (key, kind) in [("csat", SurveyKind::Csat), ("nps", SurveyKind::Nps)] {
        let shown = form.field(key).is_some_and(|f| !f.hidden);
        let Some(score) = form.value(key).parse::<i64>().ok().filter(|_| shown) else {
            continue;
        };
        let survey = NewSurvey {
            customer_id: new.customer_id,
            kind,
            score,
            comment: new.feedback.clone(),
            interaction_id: Some(contact),
        };
        let scale = rules.scale(kind);
        match desk.store.add_survey(&desk.actor, &survey, &rules) {
            Ok(_) => said.push(desk.i18n.f(
                "log.survey_recorded",
                &[
                    ("kind", &desk.i18n.value("survey_kind", kind.as_str())),
                    ("score", &score.to_string()),
                    ("scale", &scale.to_string()),
                ],
            )),
            Err(e) => {
                let reason = crate::tui::field_errors::store(&e, &desk.i18n);
                refused.push(desk.i18n.f(
                    "log.survey_not_recorded",
                    &[
                        ("kind", &desk.i18n.value("survey_kind", kind.as_str())),
                        ("reason", &reason),
                    ],
                ))
            }
        }
        desk.own_write();
    }
    (said, refused)
}
