//! The complaint forms: a new complaint opened from the card (`c`: the customer prefilled, the
//! call in progress linked), and one small form for each step of working a complaint that
//! needs something typed (a note and whether it went to the customer, a wait's reason, an
//! escalation's reason and new assignee, a compensation, a follow-up's satisfaction …).
//! Steps that need nothing typed (claim, acknowledge, resume, close) are done by the pane.

use chrono::DateTime;

use super::{mark_errors, FormKind, Saved};
use crate::domain::complaint::{Category, NewComplaint, Severity, Status};
use crate::domain::complaint_step::{level_name, Compensation, Refused, Step, TOP_LEVEL};
use crate::domain::customer::Channel;
use crate::domain::tier::parse_money;
use crate::store::{CardData, Complaint, ComplaintFilter, Draft, StoreError, Work};
use crate::tui::component::Msg;
use crate::tui::desk::Desk;
use crate::tui::field_errors::refused_words;
use crate::tui::i18n::I18n;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

/// Keys of [`Form::extra`]: the complaint a step form works, the step, and when a new
/// complaint was received (the call's start).
pub const COMPLAINT: &str = "complaint";
pub const STEP: &str = "step";
pub const RECEIVED: &str = "received_at";

/// The new-complaint form for the customer on the card. With a call in progress the complaint
/// is the call's: received when the call began, on the phone (so acknowledged at once), and
/// the contact logged for the call links it.
pub fn new_complaint(card: &CardData, call_started: Option<DateTime<chrono::Utc>>) -> Form {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let severities: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    let mut form = Form::new(
        FormKind::NewComplaint,
        vec![
            Field::new(
                "category",
                "field.complaint_category",
                FieldKind::Choice(Choices::of("category", &categories)),
            ),
            Field::new(
                "severity",
                "field.complaint_severity",
                FieldKind::Choice(Choices::of("severity", &severities)),
            ),
            Field::new(
                "channel",
                "field.channel",
                FieldKind::Choice(Choices::of("channel", &channels)),
            ),
            Field::new("title", "field.complaint_title", FieldKind::Text).required(),
            Field::new("description", "field.description", FieldKind::Notes).lines_shown(4),
        ],
    );
    form.entity_id = card.customer.id;
    form.subtitle = format!("{} {}", card.customer.code, card.customer.fields.name);
    form.set("category", Category::Other.as_str());
    form.set("severity", Severity::Normal.as_str());
    form.set("channel", Channel::PhoneIn.as_str());
    if let Some(started) = call_started {
        form.extra
            .insert(RECEIVED.into(), started.timestamp().to_string());
    }
    form.focus_on("category");
    form
}

/// `c` on the card: the new-complaint form for its customer, or `None` (said on the message
/// line) when the customer cannot have one opened here.
pub fn for_customer(card: &CardData, desk: &mut Desk) -> Option<Form> {
    if card.customer.restricted {
        desk.error_t("card.restricted_complaint");
        return None;
    }
    if let Some(survivor) = &card.customer.merged_into {
        let text = desk.i18n.f("card.merged", &[("code", survivor)]);
        desk.error(text);
        return None;
    }
    Some(new_complaint(card, desk.call.as_ref().map(|c| c.started)))
}

/// Whether a step needs a form (something typed or chosen) before it is done.
pub fn has_form(step: Step) -> bool {
    !matches!(
        step,
        Step::Claim | Step::Acknowledge | Step::Resume | Step::Close
    )
}

/// The form for `step` on complaint `k`.
/// The complaints `k` can be merged into: the same customer's others that are still open
/// or resolved (the store refuses any other), newest first.
pub fn merge_candidates(desk: &Desk, k: &Complaint) -> Result<Vec<Complaint>, StoreError> {
    let all = desk.store.complaints(
        &desk.actor,
        &ComplaintFilter {
            customer: Some(k.customer_id),
            ..ComplaintFilter::default()
        },
    )?;
    Ok(all
        .into_iter()
        .filter(|o| o.id != k.id && (o.status.is_open() || o.status == Status::Resolved))
        .collect())
}

/// The form of `step` on complaint `k`; a merge chooses among `merge_into` (see
/// [`merge_candidates`]).
pub fn step_form(
    k: &Complaint,
    step: Step,
    merge_into: &[Complaint],
    csat_scale: i64,
    i18n: &I18n,
) -> Form {
    let yes_no = || FieldKind::Choice(Choices::of("yesno", &["no", "yes"]));
    let fields = match step {
        Step::Note => vec![
            Field::new("text", "field.text", FieldKind::Notes)
                .lines_shown(4)
                .required(),
            Field::new("to_customer", "field.to_customer", yes_no()),
        ],
        Step::Wait => vec![Field::new("reason", "field.wait_reason", FieldKind::Text).required()],
        Step::Escalate => vec![
            Field::new("reason", "field.reason", FieldKind::Notes)
                .lines_shown(3)
                .required(),
            Field::new("to", "field.assign_to", FieldKind::Text),
        ],
        Step::Propose => vec![Field::new("text", "field.solution", FieldKind::Notes)
            .lines_shown(4)
            .required()],
        Step::Resolve => vec![Field::new("text", "field.resolution", FieldKind::Notes)
            .lines_shown(4)
            .required()],
        Step::Reopen => vec![Field::new("reason", "field.reason", FieldKind::Notes)
            .lines_shown(3)
            .required()],
        Step::Compensate => {
            let kinds: Vec<&str> = Compensation::ALL.iter().map(|c| c.as_str()).collect();
            vec![
                Field::new(
                    "kind",
                    "field.compensation",
                    FieldKind::Choice(Choices::of("compensation", &kinds)),
                ),
                Field::new("amount", "field.amount", FieldKind::Text),
                Field::new("note", "field.note", FieldKind::Text),
            ]
        }
        // Nothing is chosen for the customer: the score and the answer are asked for.
        Step::FollowUp => {
            let choose = i18n.t("form.choose").to_string();
            vec![
                Field::new(
                    "csat",
                    super::csat_label(csat_scale, false),
                    FieldKind::Choice(super::csat_choices(csat_scale, "form.choose", i18n)),
                ),
                Field::new("comment", "field.comment", FieldKind::Text),
                Field::new(
                    "satisfied",
                    "field.satisfied",
                    FieldKind::Choice(Choices::given(
                        vec![String::new(), "yes".into(), "no".into()],
                        vec![
                            choose,
                            i18n.value("yesno", "yes"),
                            i18n.value("yesno", "no"),
                        ],
                    )),
                ),
            ]
        }
        // The same customer's other complaints by number, title and status; none chosen.
        Step::Merge => {
            let mut values = vec![String::new()];
            let mut labels = vec![i18n.t("form.choose").to_string()];
            for o in merge_into {
                values.push(o.id.to_string());
                labels.push(format!(
                    "#{} {} · {}",
                    o.id,
                    o.title,
                    i18n.value("status", o.status.as_str())
                ));
            }
            vec![Field::new(
                "into",
                "field.merge_into",
                FieldKind::Choice(Choices::given(values, labels)),
            )
            .required()]
        }
        // Steps without anything to type: the form only says what will be done.
        Step::Claim | Step::Acknowledge | Step::Resume | Step::Close => Vec::new(),
    };
    let mut form = Form::new(FormKind::ComplaintStep, fields);
    form.entity_id = k.id;
    form.version = k.version;
    form.extra.insert(COMPLAINT.into(), k.id.to_string());
    form.extra.insert(STEP.into(), step.as_str().to_string());
    form.subtitle = format!(
        "#{} {} · {}",
        k.id,
        k.customer_name,
        i18n.value("step", step.as_str())
    );
    match step {
        Step::Compensate => form
            .notices
            .push(i18n.t("complaints.amount_hint").to_string()),
        Step::FollowUp => {
            form.extra
                .insert(super::CSAT_SCALE.into(), csat_scale.to_string());
            form.notices
                .push(i18n.t("complaints.satisfied_hint").to_string());
        }
        _ => {}
    }
    if step == Step::Escalate {
        let next = (k.escalation_level + 1).min(TOP_LEVEL);
        form.notices.push(i18n.f(
            "complaints.escalate_to",
            &[
                ("level", &next.to_string()),
                ("name", &i18n.value("level_name", level_name(next))),
            ],
        ));
    }
    form
}

/// The step a step form does.
pub fn step_of(form: &Form) -> Option<Step> {
    form.extra.get(STEP).and_then(|s| s.parse().ok())
}

/// Reads the typed amount: yuan (`50`, `12.50`, `¥1,200`) in fen, or whole points.
fn amount(kind: Compensation, text: &str) -> Result<i64, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    if kind == Compensation::Points {
        return text.parse::<i64>().map_err(|_| "form.bad_points");
    }
    parse_money(text).ok_or("form.bad_amount")
}

/// The work the step form describes; the problems as (field key, catalogue key).
pub fn to_work(form: &Form) -> Result<Work, Vec<(&'static str, &'static str)>> {
    let text = |key: &str| form.value(key).trim().to_string();
    let optional = |key: &str| Some(text(key)).filter(|t| !t.is_empty());
    let Some(step) = step_of(form) else {
        return Err(vec![("step", "form.required")]);
    };
    let mut problems = Vec::new();
    let mut required = |key: &'static str| {
        let value = text(key);
        if value.is_empty() {
            problems.push((key, "form.required"));
        }
        value
    };
    let work = match step {
        Step::Acknowledge => Work::Acknowledge { text: None },
        Step::Claim => Work::Claim { take_over: false },
        Step::Resume => Work::Resume { text: None },
        Step::Close => Work::Close { text: None },
        Step::Note => Work::Note {
            text: required("text"),
            to_customer: form.value("to_customer") == "yes",
        },
        Step::Wait => Work::Wait {
            reason: required("reason"),
        },
        Step::Escalate => Work::Escalate {
            reason: required("reason"),
            to: optional("to"),
        },
        Step::Propose => Work::Propose {
            text: required("text"),
        },
        Step::Resolve => Work::Resolve {
            text: required("text"),
        },
        Step::Reopen => Work::Reopen {
            reason: required("reason"),
        },
        Step::Compensate => {
            let kind: Compensation = form.value("kind").parse().unwrap_or(Compensation::Apology);
            let amount = match amount(kind, &form.value("amount")) {
                Ok(0) if kind != Compensation::Apology => {
                    problems.push(("amount", "form.amount_needed"));
                    0
                }
                Ok(a) => a,
                Err(key) => {
                    problems.push(("amount", key));
                    0
                }
            };
            Work::Compensate {
                kind,
                amount,
                note: optional("note"),
            }
        }
        Step::FollowUp => {
            let csat = required("csat").parse().unwrap_or(0);
            let satisfied = required("satisfied") == "yes";
            Work::FollowUp {
                csat,
                scale: form
                    .extra
                    .get(super::CSAT_SCALE)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(5),
                comment: optional("comment"),
                satisfied,
            }
        }
        Step::Merge => Work::Merge {
            into: required("into").parse().unwrap_or(0),
        },
    };
    if problems.is_empty() {
        Ok(work)
    } else {
        Err(problems)
    }
}

/// Maps a store field name to the form's field key; `None` for one the form does not show.
fn field_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "complaint_title" | "title" => "title",
        "text" => "text",
        "reason" => "reason",
        "to" => "to",
        "amount" => "amount",
        "csat" => "csat",
        "into" => "into",
        "kind" => "kind",
        _ => return None,
    })
}

/// Does `work` to complaint `id` and says what came of it on the message line; a refusal
/// (someone else holds it, the status moved on) is said with who holds it or why.
pub fn work(id: i64, work: &Work, desk: &mut Desk) -> Result<(), StoreError> {
    match desk.store.work_complaint(&desk.actor, id, work) {
        Ok(worked) => {
            desk.own_write();
            let i18n = &desk.i18n;
            let k = &worked.complaint;
            let number = id.to_string();
            // What changed: the level of an escalation, the new status, or the step itself.
            let mut text = if work.step() == Step::Escalate {
                i18n.f(
                    "complaints.worked_escalated",
                    &[
                        ("id", &number),
                        ("level", &k.escalation_level.to_string()),
                        (
                            "name",
                            &i18n.value("level_name", level_name(k.escalation_level)),
                        ),
                    ],
                )
            } else if worked.from_status != k.status {
                i18n.f(
                    "complaints.worked_status",
                    &[
                        ("id", &number),
                        ("status", &i18n.value("status", k.status.as_str())),
                    ],
                )
            } else {
                i18n.f(
                    "complaints.worked",
                    &[
                        ("id", &number),
                        ("step", &i18n.value("step", work.step().as_str())),
                    ],
                )
            };
            if worked.follow_up_reminder.is_some() {
                // One sentence with its note: "… now resolved · a follow-up reminder …".
                while text.ends_with(['.', '。']) {
                    text.pop();
                }
                text.push_str(" · ");
                text.push_str(desk.i18n.t("complaints.follow_up_created"));
            }
            desk.info(text);
            desk.post(Msg::DataChanged);
            Ok(())
        }
        Err(StoreError::Conflict(reason)) => {
            refused(id, work, &reason, desk);
            Err(StoreError::Conflict(reason))
        }
        Err(StoreError::Refused { complaint, refused }) => {
            // Whose claim stands in the way, read again now.
            let holder = match refused {
                Refused::NotYours { .. } => desk
                    .store
                    .complaint(&desk.actor, complaint)
                    .ok()
                    .and_then(|k| k.holder_name().map(str::to_string)),
                _ => None,
            };
            let text = refused_words(complaint, &refused, holder.as_deref(), &desk.i18n);
            desk.error(text);
            Err(StoreError::Refused { complaint, refused })
        }
        Err(StoreError::Invalid(errors)) => Err(StoreError::Invalid(errors)),
        Err(e) => {
            desk.store_error(&e);
            Err(e)
        }
    }
}

/// A refused step on the message line. A lost claim names who holds the complaint, read
/// again now (in the screen's language); other refusals give the store's reason.
fn refused(id: i64, work: &Work, reason: &str, desk: &mut Desk) {
    let holder = match work {
        Work::Claim { .. } => desk.store.complaint(&desk.actor, id).ok(),
        _ => None,
    };
    let text = match holder {
        Some(k) if k.assignee_id.is_some_and(|a| a != desk.actor.id) => {
            // The day too, when it was not today (as the store says it).
            let today = desk.today();
            let since = k
                .claimed_at
                .map(|t| {
                    let when = t.with_timezone(&desk.settings.tz);
                    let format = if when.date_naive() == today {
                        "%H:%M"
                    } else {
                        "%Y-%m-%d %H:%M"
                    };
                    when.format(format).to_string()
                })
                .unwrap_or_else(|| "—".into());
            desk.i18n.f(
                "complaints.claimed_by",
                &[
                    ("id", &id.to_string()),
                    ("name", k.assignee_name.as_deref().unwrap_or("")),
                    ("login", k.assignee.as_deref().unwrap_or("")),
                    ("since", &since),
                ],
            )
        }
        _ => desk.i18n.f("complaints.refused", &[("reason", reason)]),
    };
    desk.error(text);
}

/// Ctrl-S on a step form: the step is done, or the problems are marked.
pub fn save_step(form: &mut Form, desk: &mut Desk) -> Saved {
    let Some(id) = form
        .extra
        .get(COMPLAINT)
        .and_then(|i| i.parse::<i64>().ok())
    else {
        desk.error_t("form.fix_fields");
        return Saved::Open;
    };
    let basics = form.check_basics(&desk.i18n, desk.today());
    let work_to_do = match to_work(form) {
        Ok(w) if basics => w,
        Ok(_) => {
            desk.error_t("form.fix_fields");
            return Saved::Open;
        }
        Err(problems) => {
            mark_problems(form, problems, desk);
            return Saved::Open;
        }
    };
    match work(id, &work_to_do, desk) {
        Ok(()) => Saved::Closed,
        Err(StoreError::Invalid(errors)) => {
            mark_errors(form, &errors, field_of, desk);
            desk.error_t("form.fix_fields");
            Saved::Open
        }
        Err(_) => Saved::Open,
    }
}

fn mark_problems(form: &mut Form, problems: Vec<(&'static str, &'static str)>, desk: &mut Desk) {
    for (key, message) in problems {
        let text = desk.i18n.t(message).to_string();
        if !form.set_error(key, text.clone()) {
            desk.error(format!("{key}: {text}"));
        }
    }
    desk.error_t("form.fix_fields");
}

/// Ctrl-S on the new-complaint form: it is opened, and the call in progress remembers it so
/// the contact logged for the call links it.
pub fn save_new(form: &mut Form, desk: &mut Desk) -> Saved {
    let basics = form.check_basics(&desk.i18n, desk.today());
    let title = form.value("title").trim().to_string();
    if !basics || title.is_empty() {
        if title.is_empty() {
            form.set_error("title", desk.i18n.t("form.required").to_string());
        }
        desk.error_t("form.fix_fields");
        return Saved::Open;
    }
    let new = NewComplaint {
        category: form.value("category").parse().unwrap_or(Category::Other),
        severity: form.value("severity").parse().unwrap_or(Severity::Normal),
        title,
        description: Some(form.value("description")).filter(|d| !d.trim().is_empty()),
        channel: form.value("channel").parse().unwrap_or(Channel::PhoneIn),
    };
    let received = form
        .extra
        .get(RECEIVED)
        .and_then(|t| t.parse::<i64>().ok())
        .and_then(|t| DateTime::from_timestamp(t, 0));
    match desk
        .store
        .open_complaint(&desk.actor, form.entity_id, &new, received)
    {
        Ok(k) => {
            desk.own_write();
            if let Some(call) = desk
                .call
                .as_mut()
                .filter(|c| received.map(|r| r.timestamp()) == Some(c.started.timestamp()))
            {
                call.complaint = Some(k.id);
            }
            let text = desk.i18n.f(
                "complaints.opened",
                &[
                    ("id", &k.id.to_string()),
                    ("customer", &form.subtitle),
                    ("status", &desk.i18n.value("status", k.status.as_str())),
                ],
            );
            desk.info(text);
            desk.post(Msg::DataChanged);
            Saved::Closed
        }
        Err(e) => super::refused(form, e, field_of, desk),
    }
}

/// Reopens a complaint form from its draft: the customer's card for a new complaint, the
/// complaint as it now stands for a step.
pub fn restore(draft: &Draft, kind: FormKind, desk: &mut Desk) -> Option<(Form, Vec<Msg>)> {
    let form = match kind {
        FormKind::NewComplaint => {
            let card = match desk.store.reload_card(&desk.actor, draft.entity_id) {
                Ok(card) => card,
                Err(e) => {
                    desk.store_error(&e);
                    return None;
                }
            };
            let mut form = new_complaint(&card, None);
            form.restore_draft(&draft.content);
            form
        }
        _ => {
            // The step is in the draft's hidden values: read them first.
            let mut blank = Form::new(FormKind::ComplaintStep, Vec::new());
            blank.restore_draft(&draft.content);
            let Some(step) = step_of(&blank) else {
                let text = desk.i18n.f("draft.unknown_form", &[("form", &draft.form)]);
                desk.warn(text);
                return None;
            };
            let k = match desk.store.complaint(&desk.actor, draft.entity_id) {
                Ok(k) => k,
                Err(e) => {
                    desk.store_error(&e);
                    return None;
                }
            };
            let others = if step == Step::Merge {
                merge_candidates(desk, &k).unwrap_or_default()
            } else {
                Vec::new()
            };
            let mut form = step_form(
                &k,
                step,
                &others,
                desk.settings.surveys.csat_scale,
                &desk.i18n,
            );
            form.restore_draft(&draft.content);
            form
        }
    };
    let customer = form.entity_id;
    let msgs = match kind {
        FormKind::NewComplaint => vec![Msg::OpenCustomer {
            id: customer,
            focus: true,
        }],
        _ => Vec::new(),
    };
    Some((form, msgs))
}
