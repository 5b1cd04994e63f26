//! A customer's contacts as a list: each normalised (phones to E.164, emails to lower
//! case), repeats folded into one, and every refusal naming its field (`phone`, `email 2` …).

use super::contact::{normalize_email, normalize_phone, ContactKind, Phone, PhoneRules};
use super::customer::{ContactCause, ContactInput, FieldError};

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
        let field = if *nth == 1 {
            input.kind.to_string()
        } else {
            format!("{} {}", input.kind, nth)
        };
        let value = input.value.trim();
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

/// Checks contacts as the store will normalise them (an import's report, a form's errors).
pub fn check_contacts(inputs: &[ContactInput], rules: &PhoneRules) -> Result<(), Vec<FieldError>> {
    normalize_contacts(inputs, rules).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

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
