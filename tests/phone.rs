//! careline's phone normaliser checked against libphonenumber for region CN (DESIGN §3.2, issue
//! 12): a large, systematic set of mainland numbers, valid and not, each written in every form
//! a caller, a spreadsheet or a PBX hands over, goes through both `normalize_phone` and the
//! `phonenumber` crate (libphonenumber's Rust port, its metadata 9.0.33). careline must accept
//! exactly the numbers libphonenumber calls valid and give the same E.164. The expected values
//! are libphonenumber's: nothing here is worked out by careline's own code.
//!
//! Where careline knowingly differs, [`known_difference`] says so and why.

mod common;

use std::collections::BTreeMap;

use careline::domain::contact::{normalize_phone, PhoneKind, PhoneRules};
use phonenumber::metadata::{Metadata, DATABASE};
use phonenumber::{country::Id, Mode, Type};
use regex::Regex;
use serde_json::Value;

use common::Sandbox;

fn cn() -> &'static Metadata {
    DATABASE
        .by_id("CN")
        .expect("libphonenumber has metadata for CN")
}

/// A libphonenumber pattern as it matches: the whole national number (its XML patterns are
/// written with insignificant white space).
fn whole(pattern: &str) -> Regex {
    Regex::new(&format!("^(?x:{pattern})$")).expect("libphonenumber's pattern compiles")
}

/// The region's patterns compiled once: (type, whole-number pattern), in the order
/// libphonenumber's `getNumberType` tries them.
struct Reference {
    general: Regex,
    types: Vec<(Type, Regex)>,
}

impl Reference {
    fn new() -> Reference {
        let d = cn().descriptors();
        let types = [
            (Type::PremiumRate, d.premium_rate()),
            (Type::TollFree, d.toll_free()),
            (Type::SharedCost, d.shared_cost()),
            (Type::Voip, d.voip()),
            (Type::PersonalNumber, d.personal_number()),
            (Type::Pager, d.pager()),
            (Type::Uan, d.uan()),
            (Type::Voicemail, d.voicemail()),
            (Type::FixedLine, d.fixed_line()),
            (Type::Mobile, d.mobile()),
        ];
        Reference {
            general: whole(d.general().national_number().as_str()),
            types: types
                .into_iter()
                .filter_map(|(kind, desc)| Some((kind, whole(desc?.national_number().as_str()))))
                .collect(),
        }
    }

    /// libphonenumber's type of a national significant number of CN, None when it is not a
    /// valid one. Its rule (PhoneNumberUtil.getNumberType) matches each pattern against the
    /// whole number. The crate's own `is_valid` matches only from the start, so it also takes a
    /// valid number with a digit appended ("010 6666 88889"); [`Reference::verdict`] checks
    /// that this is the only way the two differ.
    fn kind(&self, nsn: &str) -> Option<Type> {
        if !self.general.is_match(nsn) {
            return None;
        }
        self.types
            .iter()
            .find(|(_, pattern)| pattern.is_match(nsn))
            .map(|(kind, _)| *kind)
    }

    /// libphonenumber's reading of `input` for region CN: Some((E.164, type)) when it calls
    /// the number valid.
    fn verdict(&self, input: &str) -> Option<(String, Type)> {
        let number = phonenumber::parse(Some(Id::CN), input).ok()?;
        let nsn = number.national().to_string();
        let crate_valid = phonenumber::is_valid(&number);
        let kind = if number.code().value() == 86 {
            self.kind(&nsn)
        } else {
            None
        };
        if crate_valid && kind.is_none() {
            // Only the crate's start-only match: a shorter head of the number is valid.
            assert!(
                (1..nsn.len()).any(|cut| self.kind(&nsn[..cut]).is_some()),
                "the crate calls {input:?} valid for another reason than its start-only match"
            );
        }
        assert!(
            crate_valid || kind.is_none(),
            "{input:?}: valid by the whole pattern, refused by the crate"
        );
        let e164 = number.format().mode(Mode::E164).to_string();
        kind.map(|kind| (e164, kind))
    }
}

/// How careline's kinds name libphonenumber's types.
fn careline_kind(kind: Type) -> PhoneKind {
    match kind {
        Type::Mobile => PhoneKind::Mobile,
        Type::FixedLine | Type::FixedLineOrMobile => PhoneKind::Landline,
        _ => PhoneKind::Service,
    }
}

/// Where careline knowingly differs from libphonenumber, the reason; None elsewhere.
fn known_difference(nsn: &str) -> Option<&'static str> {
    // 95588, 95533…: the hotlines of banks and carriers. libphonenumber keeps them apart as
    // short numbers (ShortNumberInfo, its short-number metadata), not as numbers of the region,
    // so `parse` + `is_valid` refuses them; callers give them and careline stores them.
    (nsn.starts_with("95") && (5..=6).contains(&nsn.len()))
        .then_some("95xxx(x) short service numbers: libphonenumber's ShortNumberInfo, not is_valid")
}

/// Full-width digits and signs (what a Chinese IME types): libphonenumber reads them as digits
/// (PhoneNumberUtil.normalizeDigits); the Rust port does not, so it is handed the ASCII form.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | '+' | '-' | '(' | ')' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            ' ' => '\u{3000}',
            _ => c,
        })
        .collect()
}

/// One national significant number written in every form careline is handed: (the text
/// careline reads, the text libphonenumber reads). They differ only for what the crate cannot
/// read although libphonenumber can (full-width digits) or does not take at all (a `sip:` URI,
/// whose user part RFC 3261 makes the number; a `tel:` URI's global number is handed as written).
fn forms(nsn: &str) -> Vec<(String, String)> {
    let same = |s: String| (s.clone(), s);
    // Grouped as people write it: area code or prefix, then the rest in two parts.
    let head = if nsn.starts_with('1') && !nsn.starts_with("10") {
        3
    } else if nsn.starts_with("10") || nsn.starts_with('2') {
        2
    } else {
        3
    }
    .min(nsn.len());
    let (a, rest) = nsn.split_at(head);
    let (b, c) = rest.split_at(rest.len() / 2);
    let mut out = vec![
        same(nsn.to_string()),
        same(format!("0{nsn}")),
        same(format!("+86{nsn}")),
        same(format!("0086{nsn}")),
        same(format!("86{nsn}")),
        same(format!("0{a} {b} {c}")),
        same(format!("0{a}-{b}-{c}")),
        same(format!("(0{a}) {b}{c}")),
        same(format!("+86 {a} {b} {c}")),
        same(format!("+86 (0){a} {b}{c}")),
        same(format!("0086-{a}-{b}{c}")),
        same(format!("tel:+86-{a}-{b}-{c}")),
        // A carrier-selection code first, as a PBX dials cheaper long-distance or IP calls.
        same(format!("17951{nsn}")),
        same(format!("12593 0{a} {b} {c}")),
        (format!("sip:+86{nsn}@pbx"), format!("+86{nsn}")),
        (
            format!("sips:0{nsn}@pbx.example.com;transport=tls"),
            format!("0{nsn}"),
        ),
    ];
    let wide = format!("0{a} {b}-{c}");
    out.push((full_width(&wide), wide));
    out
}

/// Every mainland number to try, as national significant numbers (no trunk 0): each area code
/// 10, 20–29 and 300–999 with local numbers of 6–9 digits; mobiles of every 13x–19x prefix
/// (and the 10x–12x that are none) with 10–12 digits; the 400/800/950 and 10800/21800 service
/// ranges; premium 160/168; 95xxx hotlines; and a deterministic sweep of other digit strings.
fn numbers() -> Vec<String> {
    let mut out = Vec::new();
    let locals = |len: usize| {
        [
            "2345678901",
            "6102938475",
            "0123456789",
            "1000000000",
            "9512345678",
            "9612345678",
        ]
        .map(|l| l[..len].to_string())
    };
    let areas = std::iter::once(10).chain(20..30).chain(300..1000);
    for area in areas {
        for len in 5..=9 {
            for local in locals(len) {
                out.push(format!("{area}{local}"));
            }
        }
    }
    for prefix in 100..200 {
        for len in 10..=12 {
            for fill in ["12345678901", "00000000000", "98765432109"] {
                out.push(format!("{prefix}{}", &fill[..len - 3]));
            }
        }
    }
    for prefix in 17400..17410 {
        out.push(format!("{prefix}123456"));
    }
    for service in [
        "400", "800", "950", "10800", "21800", "160", "168", "1010", "1096",
    ] {
        for len in service.len() + 4..=12 {
            out.push(format!(
                "{service}{}",
                &"81234567890"[..len - service.len()]
            ));
        }
    }
    for short in ["95588", "95533", "955888", "95", "9558"] {
        out.push(short.to_string());
    }
    // A linear congruential sweep (Knuth's MMIX constants): 3,000 digit strings of 5–13 digits.
    let mut state: u64 = 12;
    for _ in 0..3000 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let len = 5 + (state >> 60) as usize % 9;
        let digits = format!("{:020}", state >> 1);
        out.push(digits[20 - len..].trim_start_matches('0').to_string());
    }
    out.retain(|n| !n.is_empty());
    out.sort();
    out.dedup();
    out
}

#[test]
fn careline_accepts_what_libphonenumber_accepts_for_cn() {
    let reference = Reference::new();
    let rules = PhoneRules::default();
    let (mut checked, mut valid, mut differences) = (0, 0, BTreeMap::<&str, usize>::new());
    let mut disagreements = Vec::new();
    for nsn in numbers() {
        for (ours, theirs) in forms(&nsn) {
            checked += 1;
            let expected = reference.verdict(&theirs);
            let got = normalize_phone(&ours, &rules).map(|p| (p.e164, p.kind));
            let agree = match (&expected, &got) {
                (Some((e164, kind)), Ok((got_e164, got_kind))) => {
                    valid += 1;
                    e164 == got_e164 && careline_kind(*kind) == *got_kind
                }
                (None, Err(_)) => true,
                _ => false,
            };
            if agree {
                continue;
            }
            let reading = got.as_ref().map(|(e164, _)| e164.trim_start_matches("+86"));
            if let Some(reason) = reading.ok().and_then(known_difference) {
                *differences.entry(reason).or_default() += 1;
                continue;
            }
            disagreements.push(format!(
                "{ours:?}: libphonenumber {expected:?}, careline {got:?}"
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {checked} disagree, e.g.:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(40)].join("\n")
    );
    // The sweep is large and reaches every kind of number: not a test that passes on nothing.
    assert!(
        checked > 100_000 && valid > 20_000,
        "{checked} forms, {valid} valid"
    );
    println!("{checked} forms checked, {valid} valid, known differences: {differences:?}");
}

#[test]
fn careline_knows_every_kind_of_number_the_mainland_plan_has() {
    // build.rs takes the general, landline, mobile, toll-free, premium-rate and shared-cost
    // patterns; a libphonenumber that gave CN numbers of another kind (VoIP, personal, pager,
    // UAN, voicemail) would need careline to learn that kind first.
    let d = cn().descriptors();
    for (kind, other) in [
        ("voip", d.voip()),
        ("personal number", d.personal_number()),
        ("pager", d.pager()),
        ("uan", d.uan()),
        ("voicemail", d.voicemail()),
    ] {
        assert!(other.is_none(), "CN now has {kind} numbers");
    }
}

#[test]
fn the_forms_issue_12_names() {
    // The numbers issue 12 quotes, with libphonenumber's E.164 for them as the expected value.
    let reference = Reference::new();
    let rules = PhoneRules::default();
    for (ours, theirs) in [
        ("sip:+8613800138000@pbx", "+8613800138000"),
        ("tel:+86-21-6529-4356", "tel:+86-21-6529-4356"),
        ("+86 21 6529 4356", "+86 21 6529 4356"),
        ("0086 21 6529 4356", "0086 21 6529 4356"),
        ("2165294356", "2165294356"),
    ] {
        let (e164, _) = reference
            .verdict(theirs)
            .unwrap_or_else(|| panic!("libphonenumber refuses {theirs:?}"));
        let phone = normalize_phone(ours, &rules).unwrap_or_else(|e| panic!("{ours:?}: {e}"));
        assert_eq!(phone.e164, e164, "{ours:?}");
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn the_binary_adds_and_finds_numbers_as_libphonenumber_reads_them() {
    // Through the real binary: `customer add` stores libphonenumber's E.164 for numbers this
    // check found refused before (a Beijing local number starting 0, a 166 mobile handed over
    // as a SIP URI, a toll-free number behind Beijing's area code), `search` finds each by
    // another form, and numbers libphonenumber refuses are refused with the field and reason.
    let reference = Reference::new();
    let sandbox = Sandbox::new();
    sandbox.init();
    for (name, typed, searched) in [
        ("Beijing desk", "010-0123 4567", "+86 10 0123 4567"),
        ("SIP caller", "sip:+8616612345678@pbx", "166 1234 5678"),
        ("Toll free", "010 800 812 3456", "0086 108008123456"),
    ] {
        let (e164, _) = reference
            .verdict(typed.trim_start_matches("sip:").trim_end_matches("@pbx"))
            .unwrap_or_else(|| panic!("libphonenumber refuses {typed:?}"));
        let code = sandbox.ok(&["customer", "add", "--name", name, "--phone", typed]);
        let shown = json(&sandbox.ok(&["customer", "show", code.trim(), "--json"]));
        assert_eq!(
            shown["contacts_normalized"][0]["normalized"], e164,
            "{typed:?}: {shown}"
        );
        let found = json(&sandbox.ok(&["search", searched, "--json"]));
        assert_eq!(found[0]["code"], code.trim(), "{searched:?} → {found}");
        assert_eq!(found[0]["rank"], "exact", "{searched:?} → {found}");
    }
    for (typed, reason) in [
        // Hangzhou's local numbers have 8 digits.
        (
            "0571-888 6666",
            "after area code 0571 the local number has 7 digits; it needs 8",
        ),
        (
            "140 1234 5678",
            "has 11 digits and is not a mainland number in use",
        ),
        (
            "010-8000 1234",
            "has 10 digits and is not a mainland number in use",
        ),
    ] {
        assert_eq!(
            reference.verdict(typed),
            None,
            "libphonenumber takes {typed:?}"
        );
        let stderr = sandbox.fails(&["customer", "add", "--name", "Nobody", "--phone", typed]);
        assert!(
            stderr.contains("phone") && stderr.contains(reason),
            "{typed:?}: {stderr}"
        );
    }
}
