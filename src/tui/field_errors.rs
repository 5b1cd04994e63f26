//! Why something typed or saved was refused, in the screen's language. The domain and the
//! store report typed causes; this turns each into catalogue text, so that a zh-CN screen never
//! shows an English reason for the mistakes made mid-call.

use crate::domain::complaint_step::{Refused, Step};
use crate::domain::contact::{EmailError, PhoneError};
use crate::domain::customer::{ContactCause, FieldError};
use crate::store::StoreError;
use crate::tui::i18n::I18n;

/// A refused field's reason: phones and emails from their cause, the name from the
/// catalogue; other fields (which this screen's forms do not show) keep the store's words.
pub fn field(e: &FieldError, i18n: &I18n) -> String {
    match &e.cause {
        Some(ContactCause::Phone(p)) => phone(p, i18n),
        Some(ContactCause::Email(m)) => email(m, i18n),
        Some(ContactCause::Masked) => i18n.t("form.masked").to_string(),
        // An empty name is missing, not too long.
        None if e.field == "name" && e.reason == "is required" => {
            i18n.t("form.required").to_string()
        }
        None if e.field == "name" => i18n.t("form.bad_name").to_string(),
        None if e.field == "consent_channel" => i18n.t("form.consent_channel_needed").to_string(),
        None => e.reason.clone(),
    }
}

pub fn phone(e: &PhoneError, i18n: &I18n) -> String {
    use PhoneError as P;
    match e {
        P::Empty => i18n.t("phone_error.empty").to_string(),
        P::Letters(s) => i18n.f("phone_error.letters", &[("text", s)]),
        P::BadChar(c) => i18n.f("phone_error.bad_char", &[("char", &c.to_string())]),
        P::MisplacedPlus => i18n.t("phone_error.misplaced_plus").to_string(),
        P::TooShort(n) => i18n.f("phone_error.too_short", &[("digits", &n.to_string())]),
        P::TooLong(n) | P::InternationalLength(n) => {
            i18n.f("phone_error.too_long", &[("digits", &n.to_string())])
        }
        P::ExtensionTooLong(n, _) => i18n.f("phone_error.extension", &[("digits", &n.to_string())]),
        P::MobileLength(n) => i18n.f("phone_error.mobile_length", &[("digits", &n.to_string())]),
        P::MobilePrefix(p) => i18n.f("phone_error.mobile_prefix", &[("prefix", p)]),
        P::ServiceLength(n) => i18n.f("phone_error.service_length", &[("digits", &n.to_string())]),
        P::AreaCode(a) | P::BadDefaultAreaCode(a) => {
            i18n.f("phone_error.area_code", &[("area", a)])
        }
        P::LocalLength { area, got, needs } => i18n.f(
            "phone_error.local_length",
            &[
                ("area", area),
                ("digits", &got.to_string()),
                ("needs", needs),
            ],
        ),
        P::NeedsAreaCode => i18n.t("phone_error.needs_area_code").to_string(),
        P::Unrecognised(n) => i18n.f("phone_error.unrecognised", &[("digits", &n.to_string())]),
        P::UnknownCountry(c) | P::UnknownDefaultCountry(c) => {
            i18n.f("phone_error.country", &[("code", c)])
        }
        P::CountryLength { code, needs, got } => i18n.f(
            "phone_error.country_length",
            &[
                ("code", &code.to_string()),
                ("needs", needs),
                ("digits", &got.to_string()),
            ],
        ),
    }
}

pub fn email(e: &EmailError, i18n: &I18n) -> String {
    use EmailError as E;
    match e {
        E::Empty => i18n.t("email_error.empty").to_string(),
        E::Spaces => i18n.t("email_error.spaces").to_string(),
        E::NoAt => i18n.t("email_error.no_at").to_string(),
        E::MoreThanOneAt => i18n.t("email_error.more_than_one_at").to_string(),
        E::NoLocalPart => i18n.t("email_error.no_local").to_string(),
        E::NoDomain | E::DomainNoDot(_) | E::BadTopLevel(_) | E::DomainEmptyLabel(_) => {
            i18n.t("email_error.domain").to_string()
        }
        E::TooLong(_) | E::LocalTooLong(_) | E::DomainLabelTooLong(_) => {
            i18n.t("email_error.too_long").to_string()
        }
        E::NonAsciiLocal(_) | E::LocalChar(_) | E::LocalDotEdge | E::LocalDoubleDot => {
            i18n.t("email_error.local_chars").to_string()
        }
        E::NonAsciiDomain(_) | E::DomainChar(_) | E::DomainHyphen(_) => {
            i18n.t("email_error.domain_chars").to_string()
        }
    }
}

/// A store error in the screen's language: what happened and what to do. Technical detail
/// (a disk error, say) is kept after the translated sentence and written to the log.
pub fn store(e: &StoreError, i18n: &I18n) -> String {
    tracing::warn!("{e}");
    store_words(e, i18n)
}

/// [`store`]'s words, without writing the error to the log (for one said again and again).
pub fn store_words(e: &StoreError, i18n: &I18n) -> String {
    match e {
        StoreError::NotFound(_) => i18n.t("error.not_found").to_string(),
        StoreError::Conflict(_) => i18n.t("error.conflict").to_string(),
        StoreError::Forbidden(_) => i18n.t("error.forbidden").to_string(),
        StoreError::Refused { complaint, refused } => {
            refused_words(*complaint, refused, None, i18n)
        }
        StoreError::Invalid(_) => i18n.t("form.fix_fields").to_string(),
        StoreError::Busy(_) => i18n.t("error.busy").to_string(),
        StoreError::UnknownOperator { .. } | StoreError::DisabledOperator(_) => {
            i18n.t("error.operator").to_string()
        }
        StoreError::Replaced { .. } => i18n.t("error.replaced").to_string(),
        other => i18n.f("error.other", &[("detail", &other.to_string())]),
    }
}

/// Why a complaint step was refused, in the screen's language: what the status allows, the
/// top level reached, whose claim stands in the way (`holder`, when it was read again).
pub fn refused_words(
    complaint: i64,
    refused: &Refused,
    holder: Option<&str>,
    i18n: &I18n,
) -> String {
    let id = complaint.to_string();
    match refused {
        Refused::NotNow { status } => {
            let allowed: Vec<String> = Step::allowed(*status)
                .iter()
                .map(|s| i18n.value("step", s.as_str()))
                .collect();
            let status = i18n.value("status", status.as_str());
            if allowed.is_empty() {
                i18n.f(
                    "complaints.refused_final",
                    &[("id", &id), ("status", &status)],
                )
            } else {
                i18n.f(
                    "complaints.refused_status",
                    &[
                        ("id", &id),
                        ("status", &status),
                        ("allowed", &allowed.join(i18n.t("list.separator"))),
                    ],
                )
            }
        }
        Refused::TopLevel => i18n.f("complaints.top_level", &[("id", &id)]),
        Refused::AlreadyYours => i18n.f("complaints.already_yours", &[("id", &id)]),
        Refused::NotYours { step } => i18n.f(
            "complaints.not_yours",
            &[
                ("id", &id),
                ("step", &i18n.value("step", step.as_str())),
                (
                    "holder",
                    &i18n.name(holder.unwrap_or(i18n.t("complaints.someone_else"))),
                ),
            ],
        ),
    }
}

#[cfg(test)]
mod refusal_tests {
    use super::*;
    use crate::domain::complaint::Status;
    use crate::tui::i18n::Lang;

    #[test]
    fn a_refused_step_is_said_in_the_screens_language() {
        let zh = I18n::new(Lang::ZhCn);
        let en = I18n::new(Lang::En);
        let waiting = Refused::NotNow {
            status: Status::Waiting,
        };
        // What a waiting complaint allows: resume, claim, note, compensate, merge.
        assert_eq!(
            refused_words(7, &waiting, None, &zh),
            "投诉 #7 为等待中；现在可以：恢复处理、认领、内部备注、补偿、合并。"
        );
        assert_eq!(
            refused_words(7, &waiting, None, &en),
            "Complaint #7 is waiting; it allows resume, claim, internal note, compensate, merge."
        );
        assert_eq!(
            refused_words(
                7,
                &Refused::NotNow {
                    status: Status::Closed
                },
                None,
                &zh
            ),
            "投诉 #7 为已关闭，不能再做任何步骤。"
        );
        assert_eq!(
            refused_words(7, &Refused::TopLevel, None, &zh),
            "投诉 #7 已在最高级别（经理），不能再升级。"
        );
        assert_eq!(
            refused_words(
                7,
                &Refused::NotYours {
                    step: Step::Resolve
                },
                Some("王芳"),
                &zh
            ),
            "投诉 #7 由王芳处理：只有本人、主管或管理员可以解决。备注和补偿任何人都可以记录。"
        );
        // A Latin login is spaced from the characters around it.
        assert!(refused_words(
            7,
            &Refused::NotYours {
                step: Step::Resolve
            },
            Some("root"),
            &zh
        )
        .starts_with("投诉 #7 由 root 处理："));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::i18n::Lang;

    /// An empty name is said to be required; one too long or with control characters is told
    /// the name's rule, in the screen's language.
    #[test]
    fn a_missing_name_is_required_not_too_long() {
        let en = I18n::new(Lang::En);
        let zh = I18n::new(Lang::ZhCn);
        let missing = crate::domain::customer::validate(&Default::default());
        let missing = missing
            .iter()
            .find(|e| e.field == "name")
            .expect("an empty name is refused");
        assert_eq!(field(missing, &en), "required");
        assert_eq!(field(missing, &zh), "必填");
        let long = crate::domain::customer::CustomerFields {
            name: "名".repeat(101),
            ..Default::default()
        };
        let long = crate::domain::customer::validate(&long);
        let long = long.iter().find(|e| e.field == "name").expect("too long");
        assert_eq!(
            field(long, &en),
            "a name has at most 100 characters and no control characters"
        );
    }
}
