//! A customer's contacts as a list: each normalised (phones to E.164, emails to lower
//! case), repeats folded into one, and every refusal naming its field (`phone`, `email 2` …);
//! and a stored contact with the forms it is shown in (readable, masked for lists).

use serde::Serialize;

use super::contact::{
    mask_email, normalize_email, normalize_phone, ContactKind, Phone, PhoneKind, PhoneRules,
};
use super::customer::{ContactCause, ContactInput, FieldError};
use super::masking::is_masked_contact;

/// A contact after normalising, ready to store and index.
#[derive(Debug, Clone)]
pub struct NormalContact {
    pub input: ContactInput,
    pub normalized: String,
    pub phone: Option<Phone>,
}

impl NormalContact {
    pub fn national_digits(&self) -> Option<&str> {
        self.phone.as_ref().map(|p| p.national.as_str())
    }
}

/// Normalises every contact; errors name the field (`phone`, `email`, `phone 2` …).
pub fn normalize_contacts(
    inputs: &[ContactInput],
    rules: &PhoneRules,
) -> Result<Vec<NormalContact>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::<ContactKind, usize>::new();
    for input in inputs {
        let nth = seen.entry(input.kind).or_default();
        *nth += 1;
        let field = contact_field(input.kind, *nth);
        let value = input.value.trim();
        if is_masked_contact(value) {
            // A mask as lists and masked exports show it: never stored in place of the value.
            errors.push(FieldError::contact(&field, ContactCause::Masked));
            continue;
        }
        let result = match input.kind {
            ContactKind::Phone => normalize_phone(value, rules)
                .map(|p| (p.e164.clone(), Some(p)))
                .map_err(|e| FieldError::contact(&field, ContactCause::Phone(e))),
            ContactKind::Email => normalize_email(value)
                .map(|e| (e, None))
                .map_err(|e| FieldError::contact(&field, ContactCause::Email(e))),
            ContactKind::Wechat | ContactKind::Other => {
                if value.is_empty() {
                    Err(FieldError::new(&field, "is empty"))
                } else {
                    Ok((value.to_lowercase(), None))
                }
            }
        };
        match result {
            Ok((normalized, phone)) => {
                if out
                    .iter()
                    .any(|c: &NormalContact| c.normalized == normalized)
                {
                    continue; // the same number typed twice is one contact
                }
                out.push(NormalContact {
                    input: ContactInput {
                        kind: input.kind,
                        value: value.to_string(),
                        label: input.label.clone(),
                    },
                    normalized,
                    phone,
                })
            }
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The field a contact is named by in a refusal: the first of its kind by the kind (`phone`),
/// the others with their place among that kind (`phone 2`, `email 3`).
pub fn contact_field(kind: ContactKind, nth: usize) -> String {
    if nth == 1 {
        kind.to_string()
    } else {
        format!("{kind} {nth}")
    }
}

/// Checks contacts as the store will normalise them (an import's report, a form's errors).
pub fn check_contacts(inputs: &[ContactInput], rules: &PhoneRules) -> Result<(), Vec<FieldError>> {
    normalize_contacts(inputs, rules).map(|_| ())
}

/// A stored contact with its normalised and display forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub kind: ContactKind,
    pub phone_kind: Option<PhoneKind>,
    /// As typed.
    pub value: String,
    /// E.164 for phones, lower case for emails.
    pub normalized: String,
    pub extension: Option<String>,
    pub label: Option<String>,
    /// Readable form: `138 1234 5678`, `010-6666 8888 ext 12`.
    pub display: String,
    /// Masked for lists: `138****5678`, `w***@example.com`.
    pub masked: String,
}

impl Contact {
    /// A contact as stored (`value` as typed, `normalized` as checked when it was saved) with
    /// its readable and masked forms: a phone by its kind, an email with its name hidden,
    /// anything else (a phone no rule reads any more) by [`mask_unparsed`].
    pub fn from_stored(
        kind: ContactKind,
        value: String,
        normalized: String,
        extension: Option<String>,
        label: Option<String>,
        rules: &PhoneRules,
    ) -> Contact {
        let phone = (kind == ContactKind::Phone)
            .then(|| normalize_phone(&value, rules).ok())
            .flatten();
        let (display, masked) = match (&phone, kind) {
            (Some(p), _) => (p.display(), p.masked()),
            (None, ContactKind::Email) => (normalized.clone(), mask_email(&normalized)),
            (None, _) => (value.clone(), mask_unparsed(&value)),
        };
        Contact {
            kind,
            phone_kind: phone.as_ref().map(|p| p.kind),
            value,
            normalized,
            extension,
            label,
            display,
            masked,
        }
    }
}

impl Contact {
    /// This contact as someone who may not see it in full is given it: every form of it the
    /// masked one, the extension left out (the card, `customer show`, an edit form).
    pub fn masked_copy(&self) -> Contact {
        Contact {
            kind: self.kind,
            phone_kind: self.phone_kind,
            value: self.masked.clone(),
            normalized: self.masked.clone(),
            extension: None,
            label: self.label.clone(),
            display: self.masked.clone(),
            masked: self.masked.clone(),
        }
    }
}

/// A contact as lists and masked exports show it, from its value as stored: a phone by its
/// kind (`138****5678`), an email with its name hidden (`w***@example.com`), anything else
/// (a WeChat ID, a phone no rule reads any more) by [`mask_unparsed`].
pub fn masked_form(kind: ContactKind, value: &str, rules: &PhoneRules) -> String {
    match kind {
        ContactKind::Phone => match normalize_phone(value, rules) {
            Ok(phone) => phone.masked(),
            Err(_) => mask_unparsed(value),
        },
        ContactKind::Email => mask_email(&value.trim().to_lowercase()),
        ContactKind::Wechat | ContactKind::Other => mask_unparsed(value),
    }
}

/// Masks an identifier no rule reads: the first two and last two characters stay.
pub fn mask_unparsed(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}***{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identifier_no_rule_reads_keeps_two_characters_at_each_end() {
        assert_eq!(mask_unparsed("PBX-0042-7"), "PB***-7");
        assert_eq!(mask_unparsed("客服热线一号"), "客服***一号");
        assert_eq!(
            mask_unparsed("1234"),
            "****",
            "four or fewer are hidden whole"
        );
        assert_eq!(mask_unparsed(""), "");
    }

    fn input(kind: ContactKind, value: &str) -> ContactInput {
        ContactInput {
            kind,
            value: value.into(),
            label: None,
        }
    }

    #[test]
    fn the_same_number_typed_twice_is_one_contact() {
        let contacts = normalize_contacts(
            &[
                input(ContactKind::Phone, "13800138000"),
                input(ContactKind::Phone, "+86 138 0013 8000"),
                input(ContactKind::Email, " Wang@Example.COM "),
            ],
            &PhoneRules::default(),
        )
        .expect("all good");
        let normalized: Vec<&str> = contacts.iter().map(|c| c.normalized.as_str()).collect();
        assert_eq!(normalized, ["+8613800138000", "wang@example.com"]);
        assert_eq!(contacts[0].national_digits(), Some("13800138000"));
        assert_eq!(contacts[1].national_digits(), None);
        assert_eq!(
            contacts[1].input.value, "Wang@Example.COM",
            "kept as typed, trimmed"
        );
    }

    #[test]
    fn each_refusal_names_its_field_counting_each_kind() {
        let errors = check_contacts(
            &[
                input(ContactKind::Phone, "13800138000"),
                input(ContactKind::Phone, "12"),
                input(ContactKind::Wechat, "  "),
                input(ContactKind::Email, "a@b.cn"),
                input(ContactKind::Email, "nobody"),
            ],
            &PhoneRules::default(),
        )
        .expect_err("three refused");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["phone 2", "wechat", "email 2"]);
        assert_eq!(errors[1].reason, "is empty");
        assert!(errors[0].cause.is_some() && errors[2].cause.is_some());
    }

    #[test]
    fn each_kind_is_masked_as_lists_show_it() {
        let rules = PhoneRules::default();
        assert_eq!(
            masked_form(ContactKind::Phone, "138 1234 5678", &rules),
            "138****5678"
        );
        assert_eq!(
            masked_form(ContactKind::Phone, "010-6666 8888 ext 12", &rules),
            "010****8888"
        );
        // A number no rule reads keeps two characters at each end.
        assert_eq!(
            masked_form(ContactKind::Phone, "PBX-0042-7", &rules),
            "PB***-7"
        );
        assert_eq!(
            masked_form(ContactKind::Email, " Wang.XY@Example.com", &rules),
            "w***@example.com"
        );
        assert_eq!(
            masked_form(ContactKind::Wechat, "wangxy88", &rules),
            "wa***88"
        );
    }

    #[test]
    fn a_masked_value_is_refused_whatever_its_kind() {
        let errors = check_contacts(
            &[
                input(ContactKind::Phone, "138****5678"),
                input(ContactKind::Email, "w***@example.com"),
                input(ContactKind::Wechat, "wa***88"),
                input(ContactKind::Phone, "13812345678"),
            ],
            &PhoneRules::default(),
        )
        .expect_err("three masks");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["phone", "email", "wechat"]);
        assert!(errors
            .iter()
            .all(|e| e.cause == Some(ContactCause::Masked) && e.reason.contains("masked")));
    }

    #[test]
    fn wechat_and_other_ids_fold_to_lower_case() {
        let contacts = normalize_contacts(
            &[input(ContactKind::Wechat, " WangFang88 ")],
            &PhoneRules::default(),
        )
        .expect("an id");
        assert_eq!(contacts[0].normalized, "wangfang88");
        assert!(contacts[0].phone.is_none());
    }
}
