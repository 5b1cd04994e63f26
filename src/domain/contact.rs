//! Phone numbers and email addresses as callers give them, normalised so they can be stored and
//! matched.
//!
//! Caller lookups in real help desks fail on format, not on data: "138-1234-5678",
//! "+86 138 1234 5678", "(+86)138 1234 5678" and "１３８１２３４５６７８" are one line and must be
//! stored as one. Everything here is a pure function of its input and the [`PhoneRules`].

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use super::vocabulary;

vocabulary!(
    /// What a contact entry is.
    ContactKind { Phone => "phone", Email => "email", Wechat => "wechat", Other => "other" }
);
vocabulary!(
    /// What a normalised phone number turned out to be.
    PhoneKind { Mobile => "mobile", Landline => "landline", Service => "service", Foreign => "foreign" }
);

/// Countries whose calling codes are recognised, as (ISO 3166 alpha-2, calling code).
/// Calling codes are prefix-free (ITU E.164), so reading one, two, then three digits of an
/// international number finds at most one of them.
#[rustfmt::skip]
const COUNTRIES: &[(&str, u16)] = &[
    ("US", 1), ("CA", 1), ("RU", 7), ("KZ", 7), ("EG", 20), ("ZA", 27), ("GR", 30), ("NL", 31),
    ("BE", 32), ("FR", 33), ("ES", 34), ("HU", 36), ("IT", 39), ("RO", 40), ("CH", 41),
    ("AT", 43), ("GB", 44), ("DK", 45), ("SE", 46), ("NO", 47), ("PL", 48), ("DE", 49),
    ("PE", 51), ("MX", 52), ("CU", 53), ("AR", 54), ("BR", 55), ("CL", 56), ("CO", 57),
    ("VE", 58), ("MY", 60), ("AU", 61), ("ID", 62), ("PH", 63), ("NZ", 64), ("SG", 65),
    ("TH", 66), ("JP", 81), ("KR", 82), ("VN", 84), ("CN", 86), ("TR", 90), ("IN", 91),
    ("PK", 92), ("AF", 93), ("LK", 94), ("MM", 95), ("IR", 98), ("PT", 351), ("IE", 353),
    ("FI", 358), ("CZ", 420), ("HK", 852), ("MO", 853), ("KH", 855), ("LA", 856), ("BD", 880),
    ("TW", 886), ("SA", 966), ("AE", 971), ("IL", 972), ("QA", 974), ("MN", 976),
];

/// Countries whose numbers are written at home without a trunk "0". Italy is here because its
/// leading 0 is part of the number itself and is kept, even after +39.
const NO_TRUNK_ZERO: &[&str] = &[
    "US", "CA", "IT", "ES", "PT", "GR", "DK", "NO", "HK", "MO", "SG", "QA",
];

/// Suffixes that set off an extension, lower-case. Longer spellings come first so that
/// "extension 12" is not read as "ext" followed by "ension 12".
const EXTENSION_MARKERS: &[&str] = &["extension", "ext", "x", "分机号", "分机", "转", "#", ","];

/// A phone number in stored form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Phone {
    pub kind: PhoneKind,
    /// Country calling code, e.g. 86, 852, 44, 1.
    pub country_code: u16,
    /// E.164 form: "+8613812345678", "+861066668888", "+864008123456", "+442071234567".
    pub e164: String,
    /// Digits only, as dialled inside the default country: "13812345678", "01066668888",
    /// "4008123456". For a number of another country than the default: the international digits
    /// with a leading "00", e.g. "00442071234567".
    pub national: String,
    /// Extension digits kept apart from the number ("ext 12", "x12", "转12", "分机12", "#12").
    pub extension: Option<String>,
}

impl Phone {
    /// Readable form: mobile "138 1234 5678", landline "010-6666 8888" / "0755-8888 6666" /
    /// "0310-888 6666", service "400-812-3456", foreign "+44 2071234567"; " ext 12" appended.
    pub fn display(&self) -> String {
        let n = self.national.as_str();
        let grouped = match self.kind {
            PhoneKind::Foreign => None,
            _ if self.country_code == 1 => cut3(self.significant(), 3, 3)
                .map(|(area, exchange, line)| format!("({area}) {exchange}-{line}")),
            _ if self.country_code != 86 => None,
            PhoneKind::Mobile => cut3(n, 3, 4).map(|(a, b, c)| format!("{a} {b} {c}")),
            PhoneKind::Landline => {
                // "010", "020"–"029" are two-digit area codes; all others have three digits.
                let area = if n.starts_with("01") || n.starts_with("02") {
                    3
                } else {
                    4
                };
                let local = n.len().saturating_sub(area);
                cut3(n, area, local.saturating_sub(4)).map(|(a, b, c)| format!("{a}-{b} {c}"))
            }
            PhoneKind::Service if n.len() == 10 => {
                cut3(n, 3, 3).map(|(a, b, c)| format!("{a}-{b}-{c}"))
            }
            PhoneKind::Service => None,
        };
        let mut out = grouped.unwrap_or_else(|| {
            if self.kind != PhoneKind::Foreign && self.country_code == 86 {
                self.national.clone()
            } else {
                format!("+{} {}", self.country_code, self.significant())
            }
        });
        if let Some(extension) = &self.extension {
            out.push_str(" ext ");
            out.push_str(extension);
        }
        out
    }

    /// Masked for lists (sensitive fields are masked): the first 3 and last 4 digits of
    /// `national` with '*' between ("138****5678"). A number of 7 digits or fewer keeps at most
    /// its first 3 and masks the rest, so something is always hidden. The extension is never shown.
    pub fn masked(&self) -> String {
        let digits: Vec<char> = self.national.chars().collect();
        let len = digits.len();
        let (head, tail) = if len >= 8 {
            (3, 4)
        } else {
            (len.saturating_sub(1).min(3), 0)
        };
        let mut out: String = digits[..head].iter().collect();
        out.push_str(&"*".repeat(len - head - tail));
        out.extend(&digits[len - tail..]);
        out
    }

    /// The national significant number: the E.164 form without "+" and the country code.
    fn significant(&self) -> &str {
        let code = self.country_code.to_string();
        let e164 = self.e164.as_str();
        e164.strip_prefix('+')
            .and_then(|rest| rest.strip_prefix(code.as_str()))
            .unwrap_or(e164)
    }
}

/// How numbers typed without a country code are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneRules {
    /// ISO 3166 alpha-2 default country, "CN" by default.
    pub default_country: String,
    /// Area code (with leading 0, e.g. "010", "0755") assumed for a 7–8 digit local landline
    /// number; None by default.
    pub default_area_code: Option<String>,
}

impl Default for PhoneRules {
    fn default() -> Self {
        PhoneRules {
            default_country: "CN".to_string(),
            default_area_code: None,
        }
    }
}

/// Why a phone number was refused. Shown to operators as "phone: <message>".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is empty")]
    Empty,
    #[error("contains letters ('{0}')")]
    Letters(String),
    #[error("contains '{0}', which is not part of a phone number")]
    BadChar(char),
    #[error("has '+' in the middle; '+' only goes first, before the country code")]
    MisplacedPlus,
    #[error("has {0} digits; too short to be a phone number")]
    TooShort(usize),
    #[error("has {0} digits; longer than any phone number (15)")]
    TooLong(usize),
    #[error("has {0} digits after '{1}'; an extension has at most 6 (one number per entry)")]
    ExtensionTooLong(usize, String),
    #[error("a mainland mobile has 11 digits, this has {0}")]
    MobileLength(usize),
    #[error("a mainland mobile starts with 13–19, this starts with {0}")]
    MobilePrefix(String),
    #[error("a 400/800 service number has 10 digits, this has {0}")]
    ServiceLength(usize),
    #[error("{0} is not a mainland area code (such as 010, 021, 0755)")]
    AreaCode(String),
    #[error("after area code {area} the local number has {got} digits; it needs {needs}")]
    LocalLength {
        area: String,
        got: usize,
        needs: &'static str,
    },
    #[error("a local number needs an area code (e.g. 010)")]
    NeedsAreaCode,
    #[error("the configured default area code '{0}' is not a mainland area code (e.g. 010, 0755)")]
    BadDefaultAreaCode(String),
    #[error("has {0} digits and is not a mainland number in use: not a mobile of an allocated range (13x–19x), a landline (area code, then a local number in use) or a service number (400/800/95…)")]
    Unrecognised(usize),
    #[error("unknown country code +{0}")]
    UnknownCountry(String),
    #[error("the configured default country '{0}' is unknown; use an ISO code such as CN")]
    UnknownDefaultCountry(String),
    #[error("a +{code} number has {needs} digits after the country code, this has {got}")]
    CountryLength {
        code: u16,
        needs: &'static str,
        got: usize,
    },
    #[error("has {0} digits with the country code; an international number has 8 to 15")]
    InternationalLength(usize),
}

/// Normalises a phone number as typed into its stored form; see the module tests for the formats.
pub fn normalize_phone(input: &str, rules: &PhoneRules) -> Result<Phone, PhoneError> {
    let folded = fold_width(input);
    let (text, uri_extension) = match phone_uri(folded.trim()) {
        Some(uri) => (uri.number, uri.extension),
        None => (folded.trim().to_string(), None),
    };
    let (number, extension) = split_extension(&text)?;
    let extension = extension.or(uri_extension);
    let (plus, digits) = scan_number(number)?;
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    // Bare "86" before a mainland mobile is a country code people copy from contact cards.
    let bare_86 = digits.len() == 13
        && digits.starts_with("86")
        && digits
            .get(2..)
            .is_some_and(|rest| mainland_kind(rest) == Some(PhoneKind::Mobile));
    let international = match digits.strip_prefix("00") {
        _ if plus || bare_86 => Some(digits.as_str()),
        stripped => stripped,
    };
    let home = rules.default_country.trim().to_ascii_uppercase();
    let mut counted = international.unwrap_or(&digits).len();
    if international.is_none() && home == "CN" && after_carrier_code(&digits).is_some() {
        counted -= CARRIER_CODE_LEN; // "17951 138…": the carrier's code is no part of the number
    }
    if counted > 15 {
        return Err(PhoneError::TooLong(counted));
    }
    if counted < 5 {
        return Err(PhoneError::TooShort(counted));
    }

    // (country code, national significant number, kind if it is a domestic mainland number)
    let (code, nsn, cn_kind) = match international {
        Some(digits) => {
            let (code, rest) = split_country(digits)?;
            if code == 86 {
                // "+86 010 …" keeps the trunk 0 that E.164 leaves out.
                let nsn = rest.strip_prefix('0').unwrap_or(rest);
                (86, nsn.to_string(), Some(classify_cn(nsn)?))
            } else {
                // "+44 (0)20 …": the bracketed trunk 0 is not dialled from abroad; Italy's is.
                let nsn = if code == 39 {
                    rest
                } else {
                    rest.strip_prefix('0').unwrap_or(rest)
                };
                check_international_length(code, nsn)?;
                (code, nsn.to_string(), None)
            }
        }
        None if home == "CN" => {
            let (nsn, kind) = cn_national(&digits, rules)?;
            (86, nsn, Some(kind))
        }
        None => {
            let code = calling_code(&home)
                .ok_or_else(|| PhoneError::UnknownDefaultCountry(rules.default_country.clone()))?;
            let mut nsn = digits.as_str();
            if home != "IT" {
                nsn = nsn.strip_prefix('0').unwrap_or(nsn);
            }
            if code == 1 && nsn.len() == 11 {
                nsn = nsn.strip_prefix('1').unwrap_or(nsn); // North American trunk "1"
            }
            check_international_length(code, nsn)?;
            (code, nsn.to_string(), None)
        }
    };

    let kind = if calling_code(&home) != Some(code) {
        PhoneKind::Foreign
    } else {
        cn_kind.unwrap_or_else(|| guess_kind(&home, &nsn))
    };
    let national = match kind {
        PhoneKind::Foreign => format!("00{code}{nsn}"),
        PhoneKind::Landline if code == 86 => format!("0{nsn}"),
        // 10800…, 021-96xxx: service numbers behind an area code are dialled with its 0.
        PhoneKind::Service if code == 86 && behind_area_code(&nsn) => format!("0{nsn}"),
        _ if code != 86 && !NO_TRUNK_ZERO.contains(&home.as_str()) => format!("0{nsn}"),
        _ => nsn.clone(),
    };
    Ok(Phone {
        kind,
        country_code: code,
        e164: format!("+{code}{nsn}"),
        national,
        extension,
    })
}

/// The number a phone system hands over as a URI: `tel:+86-10-6552-9988` (RFC 3966),
/// `tel:6552-9988;phone-context=+86-10`, `sip:+8613800138000@pbx` or `sips:…` (RFC 3261).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneUri {
    /// The number as written in the URI, its context (if global) put in front.
    pub number: String,
    /// The `;ext=` parameter.
    pub extension: Option<String>,
}

/// Reads a `tel:`, `sip:` or `sips:` URI (scheme in any case); None for anything else. The
/// host of a SIP URI and parameters other than `ext` and `phone-context` carry no digits of
/// the number and are left out.
pub fn phone_uri(text: &str) -> Option<PhoneUri> {
    let (scheme, rest) = text.split_once(':')?;
    let rest = match scheme.trim().to_ascii_lowercase().as_str() {
        "tel" => rest,
        // The user part of sip:user@host; a SIP URI without a user part names no number.
        "sip" | "sips" => rest.split_once('@').map_or(rest, |(user, _)| user),
        _ => return None,
    };
    let mut parts = rest.split(';');
    let mut number = parts.next().unwrap_or_default().trim().to_string();
    let mut extension = None;
    for parameter in parts {
        let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "ext" => extension = Some(value.trim().to_string()).filter(|e| !e.is_empty()),
            // A local number's context: a global prefix such as +86-10 goes in front of it;
            // a domain name (the other kind RFC 3966 allows) tells nothing of the digits.
            "phone-context" if value.trim().starts_with('+') && !number.starts_with('+') => {
                number = format!("{}{number}", value.trim());
            }
            _ => {}
        }
    }
    Some(PhoneUri { number, extension })
}

/// Why an email address was refused. Shown to operators as "email: <message>".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("is empty")]
    Empty,
    #[error("contains spaces")]
    Spaces,
    #[error("has no '@'")]
    NoAt,
    #[error("has more than one '@'")]
    MoreThanOneAt,
    #[error("has nothing before the '@'")]
    NoLocalPart,
    #[error("has no domain")]
    NoDomain,
    #[error("has {0} characters; an address has at most 254")]
    TooLong(usize),
    #[error("has {0} characters before the '@'; at most 64 are allowed")]
    LocalTooLong(usize),
    #[error(
        "has non-ASCII characters before the '@' ('{0}'); only a–z, 0–9 and . _ + - are accepted"
    )]
    NonAsciiLocal(String),
    #[error("contains '{0}' before the '@'; only a–z, 0–9 and . _ + - are accepted")]
    LocalChar(char),
    #[error("the part before the '@' starts or ends with '.'")]
    LocalDotEdge,
    #[error("has two dots in a row before the '@'")]
    LocalDoubleDot,
    #[error("domain '{0}' has non-ASCII characters; enter its xn-- (punycode) form")]
    NonAsciiDomain(String),
    #[error("domain '{0}' has no dot")]
    DomainNoDot(String),
    #[error("domain '{0}' has an empty part (a dot at the start or end, or two dots in a row)")]
    DomainEmptyLabel(String),
    #[error("domain contains '{0}'; only a–z, 0–9, '-' and '.' are allowed")]
    DomainChar(char),
    #[error("domain part '{0}' starts or ends with '-'")]
    DomainHyphen(String),
    #[error("domain part '{0}' is longer than 63 characters")]
    DomainLabelTooLong(String),
    #[error("domain ending '.{0}' is not a top-level domain (2 or more letters)")]
    BadTopLevel(String),
}

/// Trimmed, full-width characters folded (＠ → @, full-width letters/digits → ASCII), lower-cased,
/// validated.
pub fn normalize_email(input: &str) -> Result<String, EmailError> {
    let email = fold_width(input).trim().to_lowercase();
    if email.is_empty() {
        return Err(EmailError::Empty);
    }
    if email.chars().any(char::is_whitespace) {
        return Err(EmailError::Spaces);
    }
    let (local, domain) = match email.split_once('@') {
        None => return Err(EmailError::NoAt),
        Some((_, domain)) if domain.contains('@') => return Err(EmailError::MoreThanOneAt),
        Some(parts) => parts,
    };
    if local.is_empty() {
        return Err(EmailError::NoLocalPart);
    }
    if domain.is_empty() {
        return Err(EmailError::NoDomain);
    }
    // Local parts could in theory be Unicode (SMTPUTF8), but the mail providers callers use do not
    // accept them, so such an address is almost always a typing slip; say so instead of storing it.
    let non_ascii: String = local.chars().filter(|c| !c.is_ascii()).collect();
    if !non_ascii.is_empty() {
        return Err(EmailError::NonAsciiLocal(non_ascii));
    }
    if let Some(c) = local
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._+-".contains(*c)))
    {
        return Err(EmailError::LocalChar(c));
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Err(EmailError::LocalDotEdge);
    }
    if local.contains("..") {
        return Err(EmailError::LocalDoubleDot);
    }
    if local.len() > 64 {
        return Err(EmailError::LocalTooLong(local.len()));
    }
    check_domain(domain)?;
    if email.len() > 254 {
        return Err(EmailError::TooLong(email.len()));
    }
    Ok(email)
}

/// "wang.xy@example.com" → "w***@example.com" (first char of the local part kept).
pub fn mask_email(email: &str) -> String {
    let (local, domain) = match email.split_once('@') {
        Some((local, domain)) => (local, Some(domain)),
        None => (email, None),
    };
    let mut out: String = local.chars().take(1).collect();
    if !email.is_empty() {
        out.push_str("***");
    }
    if let Some(domain) = domain {
        out.push('@');
        out.push_str(domain);
    }
    out
}

/// Every ASCII digit of `s` in order, full-width digits (０-９) folded to ASCII.
pub fn digits_of(s: &str) -> String {
    fold_width(s).chars().filter(char::is_ascii_digit).collect()
}

/// ISO alpha-2 (any case) → calling code for the countries careline knows; None otherwise.
pub fn calling_code(iso: &str) -> Option<u16> {
    let iso = iso.trim().to_ascii_uppercase();
    COUNTRIES
        .iter()
        .find(|(name, _)| *name == iso)
        .map(|&(_, code)| code)
}

/// Folds what a Chinese IME types in full-width mode to ASCII: U+FF01–U+FF5E (０-９, Ａ-ｚ, ＋,
/// （）, －, ＃, ＠, ．…), the ideographic space and the ideographic full stop "。".
fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{3002}' => '.',
            _ => c,
        })
        .collect()
}

/// Punctuation people put between digit groups; it carries no meaning.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '/' | '(' | ')' | '[' | ']' | '–' | '—')
}

/// Splits a trailing extension ("ext 12", "x12", "转12", "#12", ",12") off the number.
/// A marker only counts when digits come before it and nothing but 1–6 digits after it.
fn split_extension(s: &str) -> Result<(&str, Option<String>), PhoneError> {
    // ASCII lower-casing keeps every byte offset, so positions in `lower` are positions in `s`.
    let lower = s.to_ascii_lowercase();
    let mut after_digit = false;
    for (at, c) in lower.char_indices() {
        let seen_digit = after_digit;
        after_digit |= c.is_ascii_digit();
        if !seen_digit {
            continue;
        }
        for marker in EXTENSION_MARKERS {
            let Some(rest) = lower[at..].strip_prefix(marker) else {
                continue;
            };
            let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '.' || c == ':');
            if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if rest.len() > 6 {
                return Err(PhoneError::ExtensionTooLong(rest.len(), marker.to_string()));
            }
            // "…8888, ext. 12": a comma before a worded marker is punctuation, not a pause.
            let number = s[..at].trim_end_matches(|c: char| is_separator(c) || c == ',');
            return Ok((number, Some(rest.to_string())));
        }
    }
    Ok((s, None))
}

/// Reads the number part: whether it starts with '+', and its digits. Letters are reported
/// before other stray characters because they are the commonest slip (a name in the wrong box).
fn scan_number(number: &str) -> Result<(bool, String), PhoneError> {
    let (mut plus, mut digits, mut letters) = (false, String::new(), String::new());
    let mut stray = None;
    for c in number.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c == '+' && !plus && digits.is_empty() {
            plus = true;
        } else if c == '+' {
            stray.get_or_insert(PhoneError::MisplacedPlus);
        } else if c.is_alphabetic() {
            letters.push(c);
        } else if !is_separator(c) {
            stray.get_or_insert(PhoneError::BadChar(c));
        }
    }
    if !letters.is_empty() {
        return Err(PhoneError::Letters(letters));
    }
    stray.map_or(Ok((plus, digits)), Err)
}

/// Splits an international number (without "+" / "00") into its country code and the rest.
fn split_country(digits: &str) -> Result<(u16, &str), PhoneError> {
    if !digits.starts_with('0') {
        for len in 1..=3 {
            let (Some(head), Some(rest)) = (digits.get(..len), digits.get(len..)) else {
                break;
            };
            let known = head
                .parse::<u16>()
                .ok()
                .filter(|&c| COUNTRIES.iter().any(|e| e.1 == c));
            if let Some(code) = known {
                return Ok((code, rest));
            }
        }
    }
    Err(PhoneError::UnknownCountry(digits.chars().take(3).collect()))
}

/// Length rules for numbers outside the mainland: exact ones where they are fixed, E.164's
/// 8–15 digits (country code included) otherwise.
fn check_international_length(code: u16, nsn: &str) -> Result<(), PhoneError> {
    let got = nsn.len();
    let needs = match code {
        1 if got != 10 => "10",
        852 | 853 if got != 8 => "8",
        886 if !(8..=9).contains(&got) => "8 or 9",
        _ => {
            let total = code.to_string().len() + got;
            return match total {
                8..=15 => Ok(()),
                _ => Err(PhoneError::InternationalLength(total)),
            };
        }
    };
    Err(PhoneError::CountryLength { code, needs, got })
}

/// Mobile or landline for a domestic number outside the mainland, where the prefix tells;
/// Landline when it does not (e.g. in North America).
fn guess_kind(home: &str, nsn: &str) -> PhoneKind {
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| nsn.starts_with(p));
    let mobile = match home {
        "GB" => starts(&["7"]),
        "FR" => starts(&["6", "7"]),
        "DE" => starts(&["15", "16", "17"]),
        "HK" => starts(&["5", "6", "9"]),
        "MO" => starts(&["6"]),
        "TW" => starts(&["9"]) && nsn.len() == 9,
        "AU" => starts(&["4"]) && nsn.len() == 9,
        "SG" => starts(&["8", "9"]),
        "JP" => starts(&["70", "80", "90"]),
        _ => false,
    };
    if mobile {
        PhoneKind::Mobile
    } else {
        PhoneKind::Landline
    }
}

/// libphonenumber's numbering plan for the mainland (region CN): the national significant
/// number (after +86, without the trunk 0) of each kind of number it calls valid. `build.rs`
/// reads the patterns out of the metadata the `phonenumber` crate carries (libphonenumber's
/// PhoneNumberMetadata.xml), so they are its own, and a newer crate brings newer ones;
/// tests/phone.rs sweeps every mainland form through both.
pub mod mainland_plan {
    include!(concat!(env!("OUT_DIR"), "/mainland_plan.rs"));
}

/// [`mainland_plan`] compiled, each pattern matched against the whole number as libphonenumber
/// does.
struct MainlandPlan {
    general: Regex,
    fixed_line: Regex,
    mobile: Regex,
    /// Premium rate, toll free and shared cost, which careline calls service numbers.
    service: [Regex; 3],
}

/// How many digits an ordinary local number has after an area code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocalLengths {
    Seven,
    Eight,
    SevenOrEight,
}

impl LocalLengths {
    /// The lengths libphonenumber's landline pattern takes for an ordinary local number (one
    /// starting 2) after `code` (without its trunk 0: "10", "21", "755"); None when `code` is
    /// not an area code of its plan.
    fn after(code: &str) -> Option<LocalLengths> {
        let takes = |len: usize| {
            let number = format!("{code}{}", "23456789".get(..len).unwrap_or_default());
            MAINLAND.fixed_line.is_match(&number)
        };
        match (takes(7), takes(8)) {
            (true, true) => Some(LocalLengths::SevenOrEight),
            (true, false) => Some(LocalLengths::Seven),
            (false, true) => Some(LocalLengths::Eight),
            (false, false) => None,
        }
    }

    fn fits(self, len: usize) -> bool {
        match self {
            LocalLengths::Seven => len == 7,
            LocalLengths::Eight => len == 8,
            LocalLengths::SevenOrEight => (7..=8).contains(&len),
        }
    }

    fn needs(self) -> &'static str {
        match self {
            LocalLengths::Seven => "7",
            LocalLengths::Eight => "8",
            LocalLengths::SevenOrEight => "7 or 8",
        }
    }
}

/// An area code is two digits for 10 and 20–29, three for all others (without the trunk 0).
fn area_code_len(nsn: &str) -> usize {
    if nsn.starts_with("10") || nsn.starts_with('2') {
        2
    } else {
        3
    }
}

fn whole(pattern: &str) -> Regex {
    // The numbers are ASCII digits, so \d need not be Unicode's (a far smaller automaton).
    // The patterns are constants of this file that tests/phone.rs compiles; they cannot fail.
    RegexBuilder::new(&format!("^(?:{pattern})$"))
        .unicode(false)
        .build()
        .expect("libphonenumber's CN pattern compiles")
}

static MAINLAND: LazyLock<MainlandPlan> = LazyLock::new(|| {
    use mainland_plan::*;
    MainlandPlan {
        general: whole(GENERAL),
        fixed_line: whole(FIXED_LINE),
        mobile: whole(MOBILE),
        service: [whole(PREMIUM_RATE), whole(TOLL_FREE), whole(SHARED_COST)],
    }
});

/// The kind of a mainland national significant number libphonenumber calls valid for CN
/// (in its order: premium rate, toll free, shared cost, then landline and mobile); None for
/// any other.
fn mainland_kind(nsn: &str) -> Option<PhoneKind> {
    let plan = &*MAINLAND;
    if !plan.general.is_match(nsn) {
        None
    } else if plan.service.iter().any(|p| p.is_match(nsn)) {
        Some(PhoneKind::Service)
    } else if plan.fixed_line.is_match(nsn) {
        Some(PhoneKind::Landline)
    } else if plan.mobile.is_match(nsn) {
        Some(PhoneKind::Mobile)
    } else {
        None
    }
}

/// Bank and carrier hotlines (95588, 95533, 955xx(x)): libphonenumber keeps these apart as short
/// numbers (its ShortNumberInfo), not as numbers of the region, but callers give them and
/// careline stores them as service numbers.
fn is_short_service(nsn: &str) -> bool {
    nsn.starts_with("95") && (5..=6).contains(&nsn.len())
}

/// A mainland service number that starts with an area code (toll-free 10800… and 21800…,
/// 96xxx after an area code, Beijing's 1010xxxx), unlike 400, 800, 950, 160/168 and 95xxx.
fn behind_area_code(nsn: &str) -> bool {
    let national_wide = ["400", "800", "950", "16"];
    !(is_short_service(nsn) || national_wide.iter().any(|p| nsn.starts_with(p)))
}

/// A mainland number typed without a country code, read as dialled inside the mainland and as
/// libphonenumber reads it for region CN. Returns the national significant number (no trunk 0)
/// and its kind.
fn cn_national(d: &str, rules: &PhoneRules) -> Result<(String, PhoneKind), PhoneError> {
    if let Some(rest) = d.strip_prefix('0') {
        // "010 …", or "0138…": a mobile dialled with the long-distance 0.
        return match classify_cn(rest) {
            // "0123…" is not an 11-digit mobile after a 0, so it was meant as an area code.
            Err(PhoneError::MobileLength(_)) | Err(PhoneError::MobilePrefix(_)) => Err(
                PhoneError::AreaCode(format!("0{}", rest.get(..3).unwrap_or(rest))),
            ),
            kind => Ok((rest.to_string(), kind?)),
        };
    }
    if is_short_service(d) {
        return Ok((d.to_string(), PhoneKind::Service));
    }
    if d.len() <= 6 {
        return Err(PhoneError::TooShort(d.len())); // no mainland number is this short
    }
    // A whole national number, including a landline whose trunk 0 a spreadsheet dropped
    // ("2165294356" is Shanghai's 021-6529 4356).
    if let Some(kind) = mainland_kind(d) {
        return Ok((d.to_string(), kind));
    }
    // The country code 86 without '+' or 00 ("862165294356"), when what follows it is a number.
    if let Some(rest) = d.strip_prefix("86") {
        let rest = rest.strip_prefix('0').unwrap_or(rest);
        if let Some(kind) = mainland_kind(rest) {
            return Ok((rest.to_string(), kind));
        }
    }
    // A carrier-selection code before the number, as a PBX dials it for cheaper long-distance
    // or IP calls ("17951 138 1234 5678", "12593 010 6666 8888"): libphonenumber's
    // nationalPrefixForParsing for CN strips it, and the trunk 0 after it.
    if let Some(reading) = after_carrier_code(d) {
        return Ok(reading);
    }
    if d.starts_with('1') || d.starts_with("400") || d.starts_with("800") || d.len() > 8 {
        return Err(explain_cn(d));
    }
    // A bare 5–8 digit local number: only the configured area code can place it.
    if d.len() < 7 {
        return Err(PhoneError::TooShort(d.len()));
    }
    let area = rules
        .default_area_code
        .as_deref()
        .ok_or(PhoneError::NeedsAreaCode)?;
    let area_digits = digits_of(area);
    let area_nsn = area_digits.strip_prefix('0').unwrap_or(&area_digits);
    if area_nsn.len() != area_code_len(area_nsn) || LocalLengths::after(area_nsn).is_none() {
        return Err(PhoneError::BadDefaultAreaCode(area.to_string()));
    }
    let nsn = format!("{area_nsn}{d}");
    match mainland_kind(&nsn) {
        Some(kind) => Ok((nsn, kind)),
        None => Err(explain_cn(&nsn)),
    }
}

/// Digits of a mainland carrier-selection code: 11xxx, 12xxx or 179xx (libphonenumber's
/// `1(?:[12]\d|79)\d\d`).
const CARRIER_CODE_LEN: usize = 5;

/// The mainland number after a carrier-selection code at the start of `d` (and the trunk 0
/// after the code), with its kind; None when `d` does not start with a code and a valid number.
fn after_carrier_code(d: &str) -> Option<(String, PhoneKind)> {
    let coded = d.starts_with("11") || d.starts_with("12") || d.starts_with("179");
    let rest = d.get(CARRIER_CODE_LEN..).filter(|_| coded)?;
    let rest = rest.strip_prefix('0').unwrap_or(rest);
    mainland_kind(rest).map(|kind| (rest.to_string(), kind))
}

/// Kind of a mainland national significant number (after +86, without the trunk 0).
fn classify_cn(nsn: &str) -> Result<PhoneKind, PhoneError> {
    if is_short_service(nsn) {
        return Ok(PhoneKind::Service);
    }
    mainland_kind(nsn).ok_or_else(|| explain_cn(nsn))
}

/// Why a mainland national significant number is not one libphonenumber calls valid, said
/// as the kind of number it looks like.
fn explain_cn(nsn: &str) -> PhoneError {
    let len = nsn.len();
    if nsn.starts_with('1') && !nsn.starts_with("10") {
        return match nsn.as_bytes() {
            _ if len != 11 => PhoneError::MobileLength(len),
            // 13x–19x, but not a range libphonenumber knows as allocated (140, 154, 160…).
            [b'1', b'3'..=b'9', ..] => PhoneError::Unrecognised(len),
            _ => PhoneError::MobilePrefix(nsn[..2].to_string()),
        };
    }
    if (nsn.starts_with("400") || nsn.starts_with("800")) && len != 10 {
        return PhoneError::ServiceLength(len);
    }
    let area_len = area_code_len(nsn);
    let (Some(code), Some(local)) = (nsn.get(..area_len), nsn.get(area_len..)) else {
        return PhoneError::Unrecognised(len);
    };
    let area = format!("0{code}");
    match LocalLengths::after(code) {
        None => PhoneError::AreaCode(area),
        Some(lengths) if !lengths.fits(local.len()) => PhoneError::LocalLength {
            area,
            got: local.len(),
            needs: lengths.needs(),
        },
        // A known area code and a local number of its length that is not in use.
        Some(_) => PhoneError::Unrecognised(len),
    }
}

/// Splits `s` after `a` and then `b` more characters; None when `s` is too short.
fn cut3(s: &str, a: usize, b: usize) -> Option<(&str, &str, &str)> {
    Some((s.get(..a)?, s.get(a..a + b)?, s.get(a + b..)?))
}

fn check_domain(domain: &str) -> Result<(), EmailError> {
    if !domain.is_ascii() {
        return Err(EmailError::NonAsciiDomain(domain.to_string()));
    }
    if !domain.contains('.') {
        return Err(EmailError::DomainNoDot(domain.to_string()));
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err(EmailError::DomainEmptyLabel(domain.to_string()));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(EmailError::DomainChar(c));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(EmailError::DomainHyphen(label.to_string()));
        }
        if label.len() > 63 {
            return Err(EmailError::DomainLabelTooLong(label.to_string()));
        }
    }
    // Top-level domains are letters only, except internationalised ones in punycode ("xn--fiqs8s").
    let tld = domain.rsplit('.').next().unwrap_or(domain);
    if tld.len() < 2 || !(tld.starts_with("xn--") || tld.chars().all(|c| c.is_ascii_alphabetic())) {
        return Err(EmailError::BadTopLevel(tld.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use PhoneKind::{Foreign, Landline, Mobile, Service};

    fn rules(country: &str, area: Option<&str>) -> PhoneRules {
        PhoneRules {
            default_country: country.into(),
            default_area_code: area.map(String::from),
        }
    }

    fn read(input: &str, rules: &PhoneRules) -> Phone {
        normalize_phone(input, rules).unwrap_or_else(|e| panic!("{input:?} refused: {e}"))
    }

    fn refused(input: &str, rules: &PhoneRules) -> String {
        match normalize_phone(input, rules) {
            Ok(p) => panic!("{input:?} accepted as {p:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// (input, kind, e164, national, extension) under the default (mainland) rules.
    #[rustfmt::skip]
    const ACCEPTED: &[(&str, PhoneKind, &str, &str, Option<&str>)] = &[
        ("13812345678", Mobile, "+8613812345678", "13812345678", None),
        ("138 1234 5678", Mobile, "+8613812345678", "13812345678", None),
        ("138-1234-5678", Mobile, "+8613812345678", "13812345678", None),
        ("138.1234.5678", Mobile, "+8613812345678", "13812345678", None),
        ("+86 138 1234 5678", Mobile, "+8613812345678", "13812345678", None),
        ("+8613812345678", Mobile, "+8613812345678", "13812345678", None),
        ("0086 13812345678", Mobile, "+8613812345678", "13812345678", None),
        ("8613812345678", Mobile, "+8613812345678", "13812345678", None),
        ("(+86)138-1234-5678", Mobile, "+8613812345678", "13812345678", None),
        ("１３８１２３４５６７８", Mobile, "+8613812345678", "13812345678", None),
        ("＋８６　１３８－１２３４－５６７８", Mobile, "+8613812345678", "13812345678", None),
        ("013812345678", Mobile, "+8613812345678", "13812345678", None),
        (" 138 1234 5678\t", Mobile, "+8613812345678", "13812345678", None),
        ("010-66668888", Landline, "+861066668888", "01066668888", None),
        ("(010) 6666 8888", Landline, "+861066668888", "01066668888", None),
        ("010/6666 8888", Landline, "+861066668888", "01066668888", None),
        ("+86 10 6666 8888", Landline, "+861066668888", "01066668888", None),
        ("+86 (0)10 6666 8888", Landline, "+861066668888", "01066668888", None),
        ("0755-8888 6666", Landline, "+8675588886666", "075588886666", None),
        ("+86-755-8888-6666", Landline, "+8675588886666", "075588886666", None),
        // Handan's local numbers have 7 digits; Hangzhou's (0571) have had 8 since 2003.
        ("0310-888 6666", Landline, "+863108886666", "03108886666", None),
        ("0571-8888 6666", Landline, "+8657188886666", "057188886666", None),
        ("[020] 3888 1234", Landline, "+862038881234", "02038881234", None),
        ("021-5555 1234 转 8021", Landline, "+862155551234", "02155551234", Some("8021")),
        ("010-66668888 ext 12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010 6666 8888 x12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888#12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888 EXT.12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888 extension 12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888 X 12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888转12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888分机12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888 分机号 12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888,12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888, ext. 12", Landline, "+861066668888", "01066668888", Some("12")),
        ("010-66668888＃１２", Landline, "+861066668888", "01066668888", Some("12")),
        ("400-812-3456", Service, "+864008123456", "4008123456", None),
        ("800 812 3456", Service, "+868008123456", "8008123456", None),
        ("95588", Service, "+8695588", "95588", None),
        ("+86 95588", Service, "+8695588", "95588", None),
        ("+852 9123 4567", Foreign, "+85291234567", "0085291234567", None),
        ("00852 9123 4567", Foreign, "+85291234567", "0085291234567", None),
        ("+853 6612 3456", Foreign, "+85366123456", "0085366123456", None),
        ("+886 912 345 678", Foreign, "+886912345678", "00886912345678", None),
        ("+44 20 7123 4567", Foreign, "+442071234567", "00442071234567", None),
        ("+44 (0)20 7123 4567", Foreign, "+442071234567", "00442071234567", None),
        ("+1 (415) 555-2671", Foreign, "+14155552671", "0014155552671", None),
        ("+39 06 1234 5678", Foreign, "+390612345678", "00390612345678", None),
        // What a PBX hands over (RFC 3966 tel: and RFC 3261 sip: URIs): the number inside.
        ("tel:+86-10-6552-9988", Landline, "+861065529988", "01065529988", None),
        ("TEL:+86-21-6529-4356;ext=12", Landline, "+862165294356", "02165294356", Some("12")),
        ("tel:6552-9988;phone-context=+86-10", Landline, "+861065529988", "01065529988", None),
        ("sip:+8613800138000@pbx", Mobile, "+8613800138000", "13800138000", None),
        ("sips:013800138000@pbx.example.com;transport=tls", Mobile, "+8613800138000", "13800138000", None),
        ("sip:+86-755-8888-6666;user=phone@pbx", Landline, "+8675588886666", "075588886666", None),
        // Landlines without their trunk 0, as libphonenumber reads them for region CN: the
        // national number is the area code without its 0 (Beijing 010, Shanghai 021,
        // Chongqing 023, Hangzhou 0571, Shenzhen 0755) and the local number. tests/phone.rs
        // checks every area code against libphonenumber.
        ("2165294356", Landline, "+862165294356", "02165294356", None),
        ("21 6529 4356", Landline, "+862165294356", "02165294356", None),
        ("1065529988", Landline, "+861065529988", "01065529988", None),
        ("75588886666", Landline, "+8675588886666", "075588886666", None),
        ("57188886666", Landline, "+8657188886666", "057188886666", None),
        // libphonenumber takes local numbers starting 0 or 1 after many area codes.
        ("2301234567", Landline, "+862301234567", "02301234567", None),
        ("010-16668888", Landline, "+861016668888", "01016668888", None),
        // 400 and 800 numbers dialled with a trunk 0 (as libphonenumber reads them), the 800
        // numbers behind Beijing's area code, premium-rate 168.
        ("0400-812-3456", Service, "+864008123456", "4008123456", None),
        ("010-800 812 3456", Service, "+86108008123456", "0108008123456", None),
        ("168 12345", Service, "+8616812345", "16812345", None),
        // A carrier-selection code before the number (libphonenumber strips it for CN).
        ("17951 138 1234 5678", Mobile, "+8613812345678", "13812345678", None),
        ("12593 010 6666 8888", Landline, "+861066668888", "01066668888", None),
        ("17911-02165294356", Landline, "+862165294356", "02165294356", None),
        // Mobile ranges opened since 2016 (libphonenumber's CN plan): 16x, 17x, 19x.
        ("166 1234 5678", Mobile, "+8616612345678", "16612345678", None),
        ("17400123456", Mobile, "+8617400123456", "17400123456", None),
        ("199 1234 5678", Mobile, "+8619912345678", "19912345678", None),
        ("2345678901", Landline, "+862345678901", "02345678901", None),
        // ... and with the country code before them, with or without '+' / 00.
        ("862165294356", Landline, "+862165294356", "02165294356", None),
        ("+86 21 6529 4356", Landline, "+862165294356", "02165294356", None),
        ("0086 21 6529 4356", Landline, "+862165294356", "02165294356", None),
        ("+86 2165294356", Landline, "+862165294356", "02165294356", None),
    ];

    #[test]
    fn accepted_formats() {
        for &(input, kind, e164, national, extension) in ACCEPTED {
            let p = read(input, &PhoneRules::default());
            let got = (
                p.kind,
                p.e164.as_str(),
                p.national.as_str(),
                p.extension.as_deref(),
            );
            assert_eq!(got, (kind, e164, national, extension), "input {input:?}");
            assert_eq!(
                p.country_code.to_string(),
                e164[1..e164.len() - p.significant().len()]
            );
        }
    }

    /// (input, part of the message) under the default (mainland) rules.
    #[rustfmt::skip]
    const REFUSED: &[(&str, &str)] = &[
        ("", "is empty"),
        ("   ", "is empty"),
        ("( ) - +", "is empty"),
        ("abc", "contains letters ('abc')"),
        ("138abc5678", "contains letters ('abc')"),
        ("138123456", "a mainland mobile has 11 digits, this has 9"),
        ("13812345678 9", "a mainland mobile has 11 digits, this has 12"),
        ("1381234567890", "a mainland mobile has 11 digits, this has 13"),
        ("12812345678", "a mainland mobile starts with 13–19, this starts with 12"),
        ("+999 1234567", "unknown country code +999"),
        ("12345", "has 5 digits; too short to be a phone number"),
        ("+8612", "has 4 digits; too short"),
        ("1234567890123456", "has 16 digits; longer than any phone number (15)"),
        ("0123456", "0123 is not a mainland area code"),
        ("66668888", "a local number needs an area code (e.g. 010)"),
        // Local numbers libphonenumber does not know after their area code.
        ("010-10000000", "has 10 digits and is not a mainland number in use"),
        ("010-80001234", "has 10 digits and is not a mainland number in use"),
        ("0571-888 6666", "after area code 0571 the local number has 7 digits; it needs 8"),
        ("5718886666", "after area code 0571 the local number has 7 digits; it needs 8"),
        ("0300-1234567", "0300 is not a mainland area code"),
        ("026-12345678", "026 is not a mainland area code"),
        // Mobile ranges libphonenumber does not know as allocated (140, 154, 160, 174x, 194).
        ("14012345678", "has 11 digits and is not a mainland number in use"),
        ("154 1234 5678", "has 11 digits and is not a mainland number in use"),
        ("+86 160 1234 5678", "has 11 digits and is not a mainland number in use"),
        ("17412345678", "has 11 digits and is not a mainland number in use"),
        ("19412345678", "has 11 digits and is not a mainland number in use"),
        ("010-6666888", "after area code 010 the local number has 7 digits; it needs 8"),
        // Shenzhen's local numbers have 8 digits (libphonenumber), Shantou's 7 or 8.
        ("0755-888 666", "after area code 0755 the local number has 6 digits; it needs 8"),
        ("0754-888 666", "after area code 0754 the local number has 6 digits; it needs 7 or 8"),
        ("2601234567", "026 is not a mainland area code"),
        ("sip:alice@pbx", "contains letters ('alice')"),
        ("tel:", "is empty"),
        ("400-812-345", "a 400/800 service number has 10 digits, this has 9"),
        ("+852 9123 456", "a +852 number has 8 digits after the country code, this has 7"),
        ("+1 415 555 267", "a +1 number has 10 digits after the country code, this has 9"),
        ("+44 12345", "has 7 digits with the country code; an international number has 8 to 15"),
        ("138*1234*5678", "contains '*', which is not part of a phone number"),
        ("138+1234", "'+' only goes first"),
        ("010-66668888 ext 1234567", "has 7 digits after 'ext'; an extension has at most 6"),
    ];

    #[test]
    fn refusals_say_why() {
        for &(input, reason) in REFUSED {
            let message = refused(input, &PhoneRules::default());
            assert!(
                message.contains(reason),
                "{input:?} gave {message:?}, wanted {reason:?}"
            );
        }
    }

    #[test]
    fn default_area_code_places_local_numbers() {
        let beijing = rules("CN", Some("010"));
        let p = read("66668888", &beijing);
        assert_eq!(
            (p.kind, p.e164.as_str(), p.national.as_str()),
            (Landline, "+861066668888", "01066668888")
        );
        assert_eq!(
            read("888 6666", &rules("CN", Some("0310"))).e164,
            "+863108886666"
        );
        // Numbers with their own area code, and mobiles, ignore the default.
        assert_eq!(read("0755-8888 6666", &beijing).e164, "+8675588886666");
        assert_eq!(read("13812345678", &beijing).e164, "+8613812345678");
        assert!(refused("6668888", &beijing).contains("it needs 8"));
        assert!(refused("66668888", &rules("CN", Some("12"))).contains("default area code '12'"));
    }

    #[test]
    fn other_default_countries() {
        let us = rules("US", None);
        let p = read("(415) 555-2671", &us);
        assert_eq!(
            (p.kind, p.e164.as_str(), p.national.as_str()),
            (Landline, "+14155552671", "4155552671")
        );
        assert_eq!(read("1 415 555 2671", &us), p);
        assert_eq!(read("+1 415 555 2671", &us), p);
        assert_eq!(p.display(), "(415) 555-2671");
        let gb = rules("GB", None);
        let p = read("020 7123 4567", &gb);
        assert_eq!(
            (p.kind, p.e164.as_str(), p.national.as_str()),
            (Landline, "+442071234567", "02071234567")
        );
        assert_eq!(read("+44 20 7123 4567", &gb), p);
        assert_eq!(p.display(), "+44 2071234567");
        assert_eq!(read("07700 900123", &gb).kind, Mobile);
        let p = read("06 1234 5678", &rules("it", None));
        assert_eq!(
            (p.e164.as_str(), p.national.as_str()),
            ("+390612345678", "0612345678")
        );
        let p = read("+86 138 1234 5678", &gb);
        assert_eq!((p.kind, p.national.as_str()), (Foreign, "008613812345678"));
        assert!(refused("+86 138 1234 567", &gb).contains("a mainland mobile has 11 digits"));
        assert!(refused("020 7123 4567", &rules("ZZ", None)).contains("default country 'ZZ'"));
    }

    #[test]
    fn display_and_masked() {
        let cn = PhoneRules::default();
        #[rustfmt::skip]
        let cases = [
            ("13812345678", "138 1234 5678", "138****5678"),
            ("01066668888", "010-6666 8888", "010****8888"),
            ("075588886666", "0755-8888 6666", "075*****6666"),
            ("03108886666", "0310-888 6666", "031****6666"),
            ("4008123456", "400-812-3456", "400***3456"),
            ("95588", "95588", "955**"),
            ("+44 20 7123 4567", "+44 2071234567", "004*******4567"),
            ("010-66668888 ext 12", "010-6666 8888 ext 12", "010****8888"),
        ];
        for (input, shown, masked) in cases {
            let p = read(input, &cn);
            assert_eq!(
                (p.display().as_str(), p.masked().as_str()),
                (shown, masked),
                "{input:?}"
            );
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(digits_of("+86 (１３８) 1234-5678"), "8613812345678");
        assert_eq!(digits_of("no digits"), "");
        assert_eq!(
            (calling_code("CN"), calling_code("hk"), calling_code("US")),
            (Some(86), Some(852), Some(1))
        );
        assert_eq!(calling_code("XX"), None);
        assert_eq!(PhoneRules::default(), rules("CN", None));
        assert_eq!(mask_email("wang.xy@example.com"), "w***@example.com");
        assert_eq!(mask_email("王小明@example.com"), "王***@example.com");
        assert_eq!(mask_email(""), "");
        assert_eq!("landline".parse::<PhoneKind>(), Ok(Landline));
        assert_eq!(ContactKind::Wechat.as_str(), "wechat");
    }

    #[test]
    fn emails() {
        #[rustfmt::skip]
        let cases: [(&str, Result<&str, &str>); 27] = [
            ("Wang.XY@Example.COM", Ok("wang.xy@example.com")),
            ("  li_na+crm@mail.example.cn ", Ok("li_na+crm@mail.example.cn")),
            ("ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ", Ok("abc@example.com")),
            ("abc@example。com", Ok("abc@example.com")),
            ("user@example.xn--fiqs8s", Ok("user@example.xn--fiqs8s")),
            ("", Err("is empty")),
            ("王@example.com", Err("has non-ASCII characters before the '@' ('王')")),
            ("a@例子.中国", Err("enter its xn-- (punycode) form")),
            ("a@b", Err("domain 'b' has no dot")),
            ("a b@c.com", Err("contains spaces")),
            ("a@@b.com", Err("has more than one '@'")),
            ("abc.example.com", Err("has no '@'")),
            ("@x.com", Err("has nothing before the '@'")),
            ("x@", Err("has no domain")),
            ("x@.com", Err("domain '.com' has an empty part")),
            ("x@a..com", Err("has an empty part")),
            ("x@a.com.", Err("has an empty part")),
            ("x@-a.com", Err("domain part '-a' starts or ends with '-'")),
            ("x@a.c", Err("domain ending '.c' is not a top-level domain")),
            ("x@a.c0m", Err("is not a top-level domain")),
            ("x@a_b.com", Err("domain contains '_'")),
            (".x@a.com", Err("starts or ends with '.'")),
            ("x.@a.com", Err("starts or ends with '.'")),
            ("x..y@a.com", Err("has two dots in a row")),
            ("x!y@a.com", Err("contains '!' before the '@'")),
            (&"x@a.com".replacen('x', &"x".repeat(65), 1), Err("has 65 characters before the '@'")),
            (&format!("x@{}.com", vec!["a".repeat(63); 4].join(".")), Err("at most 254")),
        ];
        for (input, want) in cases {
            match (normalize_email(input), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{input:?}"),
                (Err(e), Err(reason)) => assert!(e.to_string().contains(reason), "{input:?}: {e}"),
                (got, _) => panic!("{input:?} gave {got:?}, wanted {want:?}"),
            }
        }
    }

    fn full_width(d: char) -> char {
        char::from_u32(d as u32 + 0xFEE0).unwrap_or(d)
    }

    proptest! {
        #[test]
        fn any_mobile_format_gives_one_e164(
            // The ranges libphonenumber knows as allocated (tests/phone.rs checks them all).
            mobile in "1740[0-5][0-9]{6}|1([38][0-9]|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])[0-9]{8}",
            seps in prop::collection::vec(
                prop::sample::select(vec!["", "", " ", "-", ".", "/", "　", "－", "(", ")"]), 11),
            prefix in prop::sample::select(
                vec!["", "+86", "+86 ", "0086 ", "(+86)", "86", "86-", "＋８６ ", "0"]),
            wide in any::<bool>(),
        ) {
            let mut text = prefix.to_string();
            for (sep, d) in seps.iter().zip(mobile.chars()) {
                text.push_str(sep);
                text.push(if wide { full_width(d) } else { d });
            }
            let cn = PhoneRules::default();
            let phone = normalize_phone(&text, &cn);
            prop_assert!(phone.is_ok(), "{:?} refused: {:?}", text, phone);
            let phone = phone.unwrap();
            prop_assert_eq!(&phone.e164, &format!("+86{mobile}"));
            prop_assert_eq!((phone.kind, &phone.national), (Mobile, &mobile));
            // The stored and displayed forms read back to the same phone.
            prop_assert_eq!(normalize_phone(&phone.e164, &cn), Ok(phone.clone()));
            prop_assert_eq!(normalize_phone(&phone.display(), &cn), Ok(phone));
        }

        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,40}") {
            if let Ok(p) = normalize_phone(&s, &PhoneRules::default()) {
                let _ = (p.display(), p.masked());
            }
            let _ = (normalize_email(&s), mask_email(&s), digits_of(&s));
        }

        #[test]
        fn never_panics_on_phone_like_text(
            s in "[0-9０-９+＋()（）#＃ x转分机号ext,.-]{0,24}",
            country in prop::sample::select(vec!["CN", "US", "GB", "IT", "HK", "ZZ"]),
            area in prop::option::of(prop::sample::select(vec!["010", "0755", "12", ""])),
        ) {
            let rules = rules(country, area);
            if let Ok(p) = normalize_phone(&s, &rules) {
                let _ = (p.display(), p.masked());
                // Whatever is accepted reads back from its E.164 form to the same number.
                let again = normalize_phone(&p.e164, &rules).map(|q| q.e164);
                prop_assert_eq!(again, Ok(p.e164));
            }
        }
    }
}
