//! The customer record (DESIGN §3.1) and its vocabularies.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::contact::{ContactKind, EmailError, PhoneError, PhoneRules};
use super::customer_contacts::{normalize_contacts, NormalContact};
use super::operator::Permission;
use super::vocabulary;

vocabulary!(
    /// Individual, enterprise or public-sector customer.
    CustomerKind { Individual => "individual", Enterprise => "enterprise", PublicSector => "public_sector" }
);
vocabulary!(
    /// Where the customer came from.
    Source { WalkIn => "walk_in", Website => "website", Referral => "referral", ColdOutreach => "cold_outreach", Partner => "partner", Event => "event" }
);
vocabulary!(
    /// Service level an authorised operator sets.
    Level { Normal => "normal", Vip => "vip" }
);
vocabulary!(
    /// Membership state; a member has an expiry date.
    Membership { None => "none", Member => "member" }
);
vocabulary!(
    /// Whether the relationship is temporary or settled.
    Stability { Temporary => "temporary", Member => "member" }
);
vocabulary!(
    /// Value tier derived from purchases (DESIGN §3.6); VIP is a level, shown as the top badge.
    Tier { High => "high", Potential => "potential", Normal => "normal" }
);
vocabulary!(
    /// Channel a customer prefers to be reached on.
    Channel { PhoneIn => "phone_in", PhoneOut => "phone_out", Email => "email", Chat => "chat", Sms => "sms", Social => "social", Visit => "visit" }
);

vocabulary!(
    /// How a customer gave or withdrew marketing consent (DESIGN §6: consent is recorded with
    /// its date and channel).
    ConsentChannel { Phone => "phone", Sms => "sms", Email => "email", Wechat => "wechat", InPerson => "in_person", Web => "web", Paper => "paper", Import => "import" }
);

impl ConsentChannel {
    /// The channels a person records consent by: all but `import`, which an import sets on
    /// consent its file does not say the channel of.
    pub fn offered() -> impl Iterator<Item = ConsentChannel> {
        ConsentChannel::ALL
            .iter()
            .copied()
            .filter(|c| *c != ConsentChannel::Import)
    }

    /// [`ConsentChannel::offered`], for messages: "phone, sms, … paper".
    pub fn offered_names() -> String {
        ConsentChannel::offered()
            .map(ConsentChannel::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A channel as a file gives it (`import` included, as careline's own exports hold it);
    /// a word that is none is refused naming the offered channels only.
    pub fn from_file(text: &str) -> Result<ConsentChannel, super::UnknownValue> {
        text.parse()
            .map_err(|e: super::UnknownValue| super::UnknownValue {
                expected: ConsentChannel::offered_names(),
                ..e
            })
    }

    /// A channel as a person types it: one of the offered; `import` is an import's to set.
    pub fn typed(text: &str) -> Result<ConsentChannel, super::UnknownValue> {
        match ConsentChannel::from_file(text)? {
            ConsentChannel::Import => Err(super::UnknownValue {
                kind: "ConsentChannel",
                value: text.to_string(),
                expected: ConsentChannel::offered_names(),
            }),
            channel => Ok(channel),
        }
    }
}

#[allow(clippy::derivable_impls)] // the enum comes from `vocabulary!`
impl Default for CustomerKind {
    fn default() -> Self {
        CustomerKind::Individual
    }
}
#[allow(clippy::derivable_impls)] // the enum comes from `vocabulary!`
impl Default for Level {
    fn default() -> Self {
        Level::Normal
    }
}
#[allow(clippy::derivable_impls)] // the enum comes from `vocabulary!`
impl Default for Membership {
    fn default() -> Self {
        Membership::None
    }
}
#[allow(clippy::derivable_impls)] // the enum comes from `vocabulary!`
impl Default for Tier {
    fn default() -> Self {
        Tier::Potential
    }
}

/// The badge shown in lists: VIP level wins over the purchase tier.
pub fn badge(level: Level, tier: Tier) -> &'static str {
    match (level, tier) {
        (Level::Vip, _) => "vip",
        (_, Tier::High) => "high",
        (_, Tier::Potential) => "potential",
        (_, Tier::Normal) => "normal",
    }
}

/// A contact as typed, before normalising.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub kind: ContactKind,
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
}

/// Every editable field of a customer. Used for creating and, as a whole, for editing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerFields {
    pub name: String,
    /// Left empty to have one assigned (`C0000001`).
    pub code: Option<String>,
    pub kind: CustomerKind,
    pub company: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    pub occupation: Option<String>,
    pub income_band: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub region: Option<String>,
    pub address: Option<String>,
    pub source: Option<Source>,
    pub level: Level,
    pub membership: Membership,
    pub membership_expiry: Option<NaiveDate>,
    pub stability: Option<Stability>,
    pub internal: bool,
    pub interests: Option<String>,
    pub preferences: Option<String>,
    pub preferred_channel: Option<Channel>,
    pub preferred_time: Option<String>,
    /// Login of the owning operator (account manager).
    pub owner: Option<String>,
    pub confidential: bool,
    pub do_not_contact: bool,
    pub marketing_consent: bool,
    pub consent_date: Option<NaiveDate>,
    /// How the latest consent given or withdrawn came (none for records from before it was
    /// asked).
    #[serde(default)]
    pub consent_channel: Option<ConsentChannel>,
    pub notes: Option<String>,
    pub last_verified: Option<NaiveDate>,
    pub tags: Vec<String>,
    pub contacts: Vec<ContactInput>,
}

/// A field-level problem with what was typed or imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: String,
    pub reason: String,
    /// For a refused phone or email: why, as a value, so a screen can word it in its own
    /// language. `reason` is the English wording of the same.
    #[serde(skip)]
    pub cause: Option<ContactCause>,
}

/// Why a phone number or email address was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactCause {
    Phone(PhoneError),
    Email(EmailError),
    /// A masked value (`138****5678`, `北京市朝阳区****`), as lists and masked exports show
    /// it: a phone, email or other contact, or the address.
    Masked,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            reason: reason.into(),
            cause: None,
        }
    }

    /// A refused contact, with its cause.
    pub fn contact(field: impl Into<String>, cause: ContactCause) -> Self {
        let reason = match &cause {
            ContactCause::Phone(e) => e.to_string(),
            ContactCause::Email(e) => e.to_string(),
            ContactCause::Masked => MASKED_CONTACT.to_string(),
        };
        FieldError {
            field: field.into(),
            reason,
            cause: Some(cause),
        }
    }
}

/// Why a masked contact is refused.
pub const MASKED_CONTACT: &str = "is masked ('*' hides part of it, as lists and masked exports show it): give it in full (an edit that leaves a masked value as it was keeps the stored one)";

/// Why a masked address is refused.
pub const MASKED_ADDRESS: &str = "is masked ('****' hides part of it, as lists and masked exports show it): give it in full (an edit that leaves a masked address as it was keeps the stored one)";

/// Longest accepted name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Normalises a tag as stored and searched: trimmed, without a leading `#`, lower case,
/// inner white space folded to one `-`.
pub fn normalize_tag(tag: &str) -> Option<String> {
    let t = tag
        .trim()
        .trim_start_matches(['#', '＃'])
        .trim()
        .to_lowercase();
    let t = t.split_whitespace().collect::<Vec<_>>().join("-");
    (!t.is_empty()).then_some(t)
}

/// Checks the rules every customer record must satisfy, whatever its source.
/// Contacts are checked separately, where the phone rules are known.
pub fn validate(fields: &CustomerFields) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = fields.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "is required"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::new(
            "name",
            format!("is longer than {MAX_NAME_CHARS} characters"),
        ));
    } else if name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "contains control characters"));
    }
    if let Some(code) = fields.code.as_deref() {
        let code = code.trim();
        if code.is_empty()
            || code.len() > 32
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errors.push(FieldError::new(
                "code",
                "must be 1–32 letters, digits, '-' or '_'",
            ));
        }
    }
    if fields.membership == Membership::Member && fields.membership_expiry.is_none() {
        errors.push(FieldError::new(
            "membership_expiry",
            "a member needs an expiry date",
        ));
    }
    if fields.membership == Membership::None && fields.membership_expiry.is_some() {
        errors.push(FieldError::new(
            "membership_expiry",
            "only members have an expiry date",
        ));
    }
    if fields.consent_date.is_some() && !fields.marketing_consent {
        errors.push(FieldError::new(
            "consent_date",
            "given without marketing consent",
        ));
    }
    for tag in &fields.tags {
        if normalize_tag(tag).is_none() {
            errors.push(FieldError::new("tags", "an empty tag"));
        }
    }
    if fields
        .address
        .as_deref()
        .is_some_and(super::masking::is_masked_address)
    {
        errors.push(FieldError {
            cause: Some(ContactCause::Masked),
            ..FieldError::new("address", MASKED_ADDRESS)
        });
    }
    errors
}

/// Validates fields and contacts together, so a form or an import row gets every problem at once.
pub fn check(
    fields: &CustomerFields,
    rules: &PhoneRules,
) -> Result<Vec<NormalContact>, Vec<FieldError>> {
    let mut errors = validate(fields);
    match normalize_contacts(&fields.contacts, rules) {
        Ok(contacts) if errors.is_empty() => Ok(contacts),
        Ok(_) => Err(errors),
        Err(mut more) => {
            errors.append(&mut more);
            Err(errors)
        }
    }
}

/// The permissions a new record asks for beyond creating one: a VIP or confidential record
/// only by those who may make one.
pub fn create_permissions(fields: &CustomerFields) -> Vec<Permission> {
    let mut needed = vec![Permission::CreateCustomer];
    if fields.level == Level::Vip || fields.confidential {
        needed.push(Permission::CreateVipOrConfidential);
    }
    needed
}

/// The permissions an edit from `before` to `after` asks for beyond editing, in the order
/// they are checked: the level, the confidential flag and the owner are a supervisor's.
pub fn edit_permissions(before: &CustomerFields, after: &CustomerFields) -> Vec<Permission> {
    let mut needed = Vec::new();
    if before.level != after.level {
        needed.push(Permission::SetLevel);
    }
    if before.confidential != after.confidential {
        needed.push(Permission::SetConfidential);
    }
    if before.owner != after.owner {
        needed.push(Permission::HandOver);
    }
    needed
}

/// A customer's code stays what it was: an edit may leave it empty or repeat it.
pub fn check_code_kept(code: &str, after: &CustomerFields) -> Result<(), FieldError> {
    match after.code.as_deref().map(str::trim) {
        Some(typed) if !typed.is_empty() && typed != code => Err(FieldError::new(
            "code",
            "a customer's code cannot be changed",
        )),
        _ => Ok(()),
    }
}

/// Consent given or withdrawn by an edit says how it came (DESIGN §6), or the edit is
/// refused naming the field. (The screen and the command line ask for the channel afresh
/// with every change: they never send the previous one along with it.)
pub fn check_consent_channel(
    before: &CustomerFields,
    after: &CustomerFields,
) -> Result<(), FieldError> {
    let changed = before.marketing_consent != after.marketing_consent;
    if changed && after.consent_channel.is_none() {
        return Err(FieldError::new(
            "consent_channel",
            format!(
                "say how the customer gave or withdrew consent ({})",
                ConsentChannel::offered_names()
            ),
        ));
    }
    // How a past change came is history: it is not rewritten without a change.
    if !changed && after.consent_channel != before.consent_channel {
        return Err(FieldError::new(
            "consent_channel",
            "the channel goes with a change of marketing consent (given or withdrawn); consent is not changing",
        ));
    }
    Ok(())
}

/// Two records to merge must be two.
pub fn check_merge(keep: i64, other: i64) -> Result<(), FieldError> {
    if keep == other {
        Err(FieldError::new(
            "other",
            "a customer cannot be merged into itself",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {

    /// DESIGN §6: a change of consent says how it came; no change needs no channel.
    #[test]
    fn a_consent_change_says_how_it_came() {
        let before = CustomerFields::default();
        let mut given = before.clone();
        given.marketing_consent = true;
        let refused = check_consent_channel(&before, &given).expect_err("no channel");
        assert_eq!(refused.field, "consent_channel");
        given.consent_channel = Some(ConsentChannel::Wechat);
        assert_eq!(check_consent_channel(&before, &given), Ok(()));
        // Withdrawn by the channel it was given on is a change like any other.
        let mut withdrawn = given.clone();
        withdrawn.marketing_consent = false;
        assert_eq!(check_consent_channel(&given, &withdrawn), Ok(()));
        withdrawn.consent_channel = None;
        assert!(check_consent_channel(&given, &withdrawn).is_err());
        // Other edits leave consent alone and need nothing.
        let mut renamed = given.clone();
        renamed.name = "王芳".into();
        assert_eq!(check_consent_channel(&given, &renamed), Ok(()));
        assert_eq!(
            "in_person".parse::<ConsentChannel>(),
            Ok(ConsentChannel::InPerson)
        );
        assert!("carrier pigeon".parse::<ConsentChannel>().is_err());
    }

    /// `import` is an import's channel: a file may give it (careline's exports hold it), a
    /// person may not, and neither is offered it when a word is refused.
    #[test]
    fn import_is_not_a_channel_a_person_records_consent_by() {
        assert_eq!(
            ConsentChannel::offered_names(),
            "phone, sms, email, wechat, in_person, web, paper"
        );
        assert_eq!(
            ConsentChannel::typed("In Person"),
            Ok(ConsentChannel::InPerson)
        );
        assert_eq!(
            ConsentChannel::from_file("import"),
            Ok(ConsentChannel::Import)
        );
        let refused = ConsentChannel::typed("import").expect_err("an import's");
        assert_eq!(
            refused.to_string(),
            "'import' is not one of phone, sms, email, wechat, in_person, web, paper"
        );
        let refused = ConsentChannel::from_file("xyz").expect_err("no channel");
        assert_eq!(
            refused.to_string(),
            "'xyz' is not one of phone, sms, email, wechat, in_person, web, paper"
        );
    }
    use super::*;

    fn named(name: &str) -> CustomerFields {
        CustomerFields {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_vip_or_confidential_record_is_a_supervisors_to_create() {
        let plain = named("王芳");
        assert_eq!(create_permissions(&plain), [Permission::CreateCustomer]);
        let vip = CustomerFields {
            level: Level::Vip,
            ..named("王芳")
        };
        let secret = CustomerFields {
            confidential: true,
            ..named("王芳")
        };
        for fields in [vip, secret] {
            assert_eq!(
                create_permissions(&fields),
                [
                    Permission::CreateCustomer,
                    Permission::CreateVipOrConfidential
                ]
            );
        }
    }

    #[test]
    fn level_confidentiality_and_owner_changes_need_their_permissions() {
        let before = named("王芳");
        assert!(edit_permissions(&before, &named("王芳 (Fang)")).is_empty());
        let after = CustomerFields {
            level: Level::Vip,
            confidential: true,
            owner: Some("li.na".into()),
            notes: Some("moved".into()),
            ..named("王芳")
        };
        assert_eq!(
            edit_permissions(&before, &after),
            [
                Permission::SetLevel,
                Permission::SetConfidential,
                Permission::HandOver
            ]
        );
        assert_eq!(
            edit_permissions(&after, &before),
            [
                Permission::SetLevel,
                Permission::SetConfidential,
                Permission::HandOver
            ]
        );
    }

    #[test]
    fn a_code_cannot_change_but_may_be_left_out() {
        let mut after = named("Ann");
        assert_eq!(check_code_kept("C0000007", &after), Ok(()));
        after.code = Some(" C0000007 ".into());
        assert_eq!(check_code_kept("C0000007", &after), Ok(()));
        after.code = Some("  ".into());
        assert_eq!(check_code_kept("C0000007", &after), Ok(()));
        after.code = Some("C0000008".into());
        assert_eq!(
            check_code_kept("C0000007", &after),
            Err(FieldError::new(
                "code",
                "a customer's code cannot be changed"
            ))
        );
    }

    #[test]
    fn a_record_is_not_merged_into_itself() {
        assert_eq!(check_merge(3, 4), Ok(()));
        assert_eq!(check_merge(4, 4).map_err(|e| e.field), Err("other".into()));
    }

    #[test]
    fn check_reports_field_and_contact_problems_together() {
        let mut fields = named("");
        fields.contacts = vec![
            ContactInput {
                kind: ContactKind::Phone,
                value: "12".into(),
                label: None,
            },
            ContactInput {
                kind: ContactKind::Email,
                value: "not an address".into(),
                label: None,
            },
        ];
        let errors = check(&fields, &PhoneRules::default()).expect_err("three problems");
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["name", "phone", "email"]);
        fields.name = "Ann".into();
        fields.contacts.truncate(0);
        assert_eq!(
            check(&fields, &PhoneRules::default()).map(|c| c.len()),
            Ok(0)
        );
    }

    #[test]
    fn a_masked_address_is_never_stored() {
        let mut c = named("王芳");
        c.address = Some("北京市朝阳区****".into());
        let errors = validate(&c);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field.as_str(), errors[0].reason.as_str()),
            ("address", MASKED_ADDRESS)
        );
        assert_eq!(errors[0].cause, Some(ContactCause::Masked));
        // A star or three in an address as written is the customer's own.
        c.address = Some("Unit 3*, 12 High Street".into());
        assert!(validate(&c).is_empty());
    }

    #[test]
    fn a_name_is_required() {
        let errors = validate(&named("   "));
        assert_eq!(errors, vec![FieldError::new("name", "is required")]);
        assert!(validate(&named("王芳")).is_empty());
    }

    #[test]
    fn members_need_an_expiry() {
        let mut c = named("Ann Lee");
        c.membership = Membership::Member;
        assert_eq!(validate(&c)[0].field, "membership_expiry");
        c.membership_expiry = NaiveDate::from_ymd_opt(2027, 1, 1);
        assert!(validate(&c).is_empty());
    }

    #[test]
    fn codes_are_plain() {
        let mut c = named("Ann");
        c.code = Some("C 01".into());
        assert_eq!(validate(&c)[0].field, "code");
        c.code = Some("VIP-0001".into());
        assert!(validate(&c).is_empty());
    }

    #[test]
    fn tags_fold() {
        assert_eq!(normalize_tag(" #VIP "), Some("vip".into()));
        assert_eq!(
            normalize_tag("＃Frequent  Buyer"),
            Some("frequent-buyer".into())
        );
        assert_eq!(normalize_tag("#"), None);
    }

    #[test]
    fn vocabularies_parse_loosely_and_explain() {
        assert_eq!(
            "Public Sector".parse::<CustomerKind>(),
            Ok(CustomerKind::PublicSector)
        );
        let err = "gold".parse::<Level>().unwrap_err();
        assert_eq!(err.to_string(), "'gold' is not one of normal, vip");
        assert_eq!(badge(Level::Vip, Tier::Normal), "vip");
        assert_eq!(badge(Level::Normal, Tier::High), "high");
    }
}
