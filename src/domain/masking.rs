//! Sensitive fields masked (DESIGN §6, issue 15): a customer's phones, emails, other contact
//! IDs and address are masked in every list and export, and on the card for whoever may not
//! see them in full ([`super::operator::Permission::SeeFullContacts`]). A masked value that
//! an edit sends back unchanged stands for the stored value it masks; a masked value anywhere
//! else (typed, or read from a masked export) is refused, so that a mask is never stored.

use super::contact::ContactKind;
use super::customer::{ContactInput, FieldError};
use super::customer_contacts::{contact_field, Contact};
use super::search_key::has_cjk;

/// What hides the rest of a masked address, whatever its length.
pub const ADDRESS_MASK: &str = "****";

/// Characters of a Chinese address kept: its province, city and district, written first
/// (北京市朝阳区…).
const CHINESE_HEAD: usize = 6;

/// Characters of any other address kept: little more than its house number, written first
/// (1600 Pennsylvania …).
const OTHER_HEAD: usize = 4;

/// An address masked: its leading characters — six of an address in Chinese characters
/// (province, city and district come first), four of any other — never more than half of it,
/// then [`ADDRESS_MASK`] for all the rest, so that its length is not shown either.
pub fn mask_address(address: &str) -> String {
    let address = address.trim();
    if address.is_empty() {
        return String::new();
    }
    let chars = address.chars().count();
    let head = if has_cjk(address) {
        CHINESE_HEAD
    } else {
        OTHER_HEAD
    };
    let kept: String = address.chars().take(head.min(chars / 2)).collect();
    format!("{}{ADDRESS_MASK}", kept.trim_end())
}

/// Whether a contact as typed is a masked value: masks hide with `*`, which no phone number,
/// email address or WeChat ID holds.
pub fn is_masked_contact(value: &str) -> bool {
    value.contains('*')
}

/// Whether an address as typed holds a mask ([`ADDRESS_MASK`]).
pub fn is_masked_address(address: &str) -> bool {
    address.contains(ADDRESS_MASK)
}

/// The contacts of an edit made by someone shown masked values (`stored` are the contacts as
/// stored, each with its masked form): each masked value sent back is replaced by the stored
/// contact of its kind it masks, in order, so that an edit that leaves a contact alone keeps
/// it whole. Where one mask stands for several different stored contacts and fewer of them
/// come back, which was removed cannot be told: refused, naming the field. A masked value
/// that masks nothing stored is left as sent (normalising refuses it).
pub fn unmask_contacts(
    submitted: &[ContactInput],
    stored: &[Contact],
) -> Result<Vec<ContactInput>, Vec<FieldError>> {
    let mut used = vec![false; stored.len()];
    let mut out = Vec::with_capacity(submitted.len());
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::<ContactKind, usize>::new();
    for input in submitted {
        let nth = seen.entry(input.kind).or_default();
        *nth += 1;
        let value = input.value.trim();
        if !is_masked_contact(value) {
            out.push(input.clone());
            continue;
        }
        let masks = |c: &Contact| c.kind == input.kind && c.masked == value;
        let sent_back = submitted
            .iter()
            .filter(|s| s.kind == input.kind && s.value.trim() == value)
            .count();
        let held: Vec<&Contact> = stored.iter().filter(|c| masks(c)).collect();
        let all_same = held.windows(2).all(|w| w[0].normalized == w[1].normalized);
        if sent_back < held.len() && !all_same {
            errors.push(FieldError::new(
                contact_field(input.kind, *nth),
                format!(
                    "{value} stands for {} different stored values and fewer come back: which to remove cannot be told from the masked ones; ask someone who sees contacts in full",
                    held.len()
                ),
            ));
            continue;
        }
        match stored
            .iter()
            .enumerate()
            .find(|(i, c)| !used[*i] && masks(c))
        {
            Some((i, c)) => {
                used[i] = true;
                out.push(ContactInput {
                    kind: input.kind,
                    value: c.value.clone(),
                    label: input.label.clone(),
                });
            }
            None => out.push(input.clone()),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The address of an edit made by someone shown the stored one masked: the masked form sent
/// back unchanged stands for the stored address; anything else is what was typed.
pub fn unmask_address(submitted: Option<String>, stored: Option<&str>) -> Option<String> {
    match (submitted, stored) {
        (Some(typed), Some(stored))
            if !stored.trim().is_empty() && typed.trim() == mask_address(stored) =>
        {
            Some(stored.to_string())
        }
        (typed, _) => typed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::PhoneRules;

    #[test]
    fn a_chinese_address_keeps_its_region_and_hides_the_rest() {
        // 12 characters: the first 6 (province-level city and district) stay.
        assert_eq!(mask_address("北京市朝阳区建国路88号"), "北京市朝阳区****");
        // 15 characters: 6 stay, cutting the district's name, as a count does.
        assert_eq!(
            mask_address("上海市浦东新区世纪大道100号"),
            "上海市浦东新****"
        );
        // 7 characters: at most half, 3.
        assert_eq!(mask_address("深圳南山科技园"), "深圳南****");
        // Latin letters inside a Chinese address: Chinese all the same.
        assert_eq!(
            mask_address("  广州市天河区珠江新城IFC 2座 "),
            "广州市天河区****"
        );
    }

    #[test]
    fn a_latin_address_keeps_at_most_its_house_number() {
        assert_eq!(
            mask_address("1600 Pennsylvania Avenue NW, Washington, DC 20500"),
            "1600****"
        );
        assert_eq!(mask_address("221B Baker Street"), "221B****");
        // "Flat 3" has 6 characters: half is 3.
        assert_eq!(mask_address("Flat 3"), "Fla****");
        assert_eq!(mask_address("12 High Street"), "12 H****");
        // A space where the head ends is not kept before the mask.
        assert_eq!(mask_address("123 Main St"), "123****");
        assert_eq!(mask_address("Ab Cd"), "Ab****");
    }

    #[test]
    fn something_is_always_hidden_and_nothing_shows_the_length() {
        assert_eq!(mask_address("A"), "****");
        assert_eq!(mask_address("北"), "****");
        assert_eq!(mask_address("北京"), "北****");
        assert_eq!(mask_address("   "), "");
        assert_eq!(mask_address(""), "");
        assert_eq!(
            mask_address("北京市朝阳区建国路88号院3号楼2单元1201室"),
            mask_address("北京市朝阳区建国路88号")
        );
        for address in ["北京市朝阳区建国路88号", "221B Baker Street", "A"] {
            assert!(is_masked_address(&mask_address(address)), "{address}");
        }
        assert!(!is_masked_address("3*4 Elm Rd"));
    }

    fn stored(kind: ContactKind, value: &str) -> Contact {
        let normalized = match kind {
            ContactKind::Phone => {
                crate::domain::contact::normalize_phone(value, &PhoneRules::default())
                    .expect("a phone")
                    .e164
            }
            _ => value.to_lowercase(),
        };
        Contact::from_stored(
            kind,
            value.into(),
            normalized,
            None,
            None,
            &PhoneRules::default(),
        )
    }

    fn typed(kind: ContactKind, value: &str) -> ContactInput {
        ContactInput {
            kind,
            value: value.into(),
            label: None,
        }
    }

    fn values(contacts: &[ContactInput]) -> Vec<&str> {
        contacts.iter().map(|c| c.value.as_str()).collect()
    }

    #[test]
    fn masked_contacts_sent_back_are_the_stored_ones() {
        use ContactKind::*;
        let held = [
            stored(Phone, "13812345678"),
            stored(Phone, "010-66668888"),
            stored(Email, "wang.xy@example.com"),
            stored(Wechat, "wangxy88"),
        ];
        // As shown: 138****5678, 010****8888, w***@example.com, wa***88.
        let sent = [
            typed(Phone, "138****5678"),
            typed(Phone, "13900001111"),
            typed(Email, "w***@example.com"),
            typed(Wechat, "wa***88"),
        ];
        let out = unmask_contacts(&sent, &held).expect("all stand for stored ones");
        assert_eq!(
            values(&out),
            [
                "13812345678",
                "13900001111",
                "wang.xy@example.com",
                "wangxy88"
            ]
        );
        // A mask of something else's kind, or of nothing stored, stays as sent.
        let sent = [typed(Email, "138****5678"), typed(Phone, "137****5678")];
        let out = unmask_contacts(&sent, &held).expect("left for normalising");
        assert_eq!(values(&out), ["138****5678", "137****5678"]);
    }

    #[test]
    fn one_mask_of_two_numbers_is_told_apart_only_when_both_come_back() {
        use ContactKind::*;
        // Two numbers, one mask: 138****5678.
        let held = [stored(Phone, "13812345678"), stored(Phone, "13899995678")];
        let both = [typed(Phone, "138****5678"), typed(Phone, "138****5678")];
        let out = unmask_contacts(&both, &held).expect("both kept");
        assert_eq!(values(&out), ["13812345678", "13899995678"]);
        let one = [typed(Phone, "138****5678")];
        let errors = unmask_contacts(&one, &held).expect_err("which one went?");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "phone");
        assert!(errors[0].reason.contains("2 different"), "{}", errors[0]);
        // The same number twice is one value: one back keeps it.
        let twice = [
            stored(Phone, "13812345678"),
            stored(Phone, "+86 138 1234 5678"),
        ];
        let out = unmask_contacts(&one, &twice).expect("the same number");
        assert_eq!(values(&out), ["13812345678"]);
    }

    #[test]
    fn a_masked_address_sent_back_is_the_stored_one() {
        let stored = Some("北京市朝阳区建国路88号");
        assert_eq!(
            unmask_address(Some("北京市朝阳区****".into()), stored).as_deref(),
            stored
        );
        assert_eq!(
            unmask_address(Some("北京市海淀区中关村1号".into()), stored).as_deref(),
            Some("北京市海淀区中关村1号")
        );
        assert_eq!(unmask_address(None, stored), None, "cleared");
        assert_eq!(
            unmask_address(Some("北京市朝阳区****".into()), None).as_deref(),
            Some("北京市朝阳区****"),
            "nothing stored to stand for: as typed (and refused as masked)"
        );
    }
}
