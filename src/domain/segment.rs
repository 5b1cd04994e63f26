//! Segments (DESIGN §3.6, issue 16): a saved, named definition of a group of customers over
//! their value tier, level, tags, RFM scores, churn risk, region, last contact, marketing
//! consent and do-not-contact flag. Every criterion left out matches everyone; the criteria
//! given must all hold (within one criterion, a list is "any of", except `tags_all`).
//! The store turns a definition into SQL (`store::segments`); here are its rules, its
//! checks and its words. Each criterion is defined in `docs/SEGMENTS.md`.

use serde::{Deserialize, Serialize};

use super::customer::{normalize_tag, FieldError, Level, Tier};
use super::vocabulary;

/// Longest segment name, in characters.
pub const NAME_MAX: usize = 60;

/// Most days a last-contact criterion may reach back (ten years).
pub const DAYS_MAX: u32 = 3650;

vocabulary!(
    /// Whether a yes/no criterion asks for yes or no: `--consent given`, `--churn-risk yes`.
    YesNo { Yes => "yes", No => "no" }
);

impl YesNo {
    /// The flag as it is stored (1 yes, 0 no).
    pub fn flag(self) -> bool {
        self == YesNo::Yes
    }

    /// A yes/no answer as typed: yes/no, given/withdrawn (consent), true/false, y/n, 1/0.
    pub fn typed(text: &str) -> Result<YesNo, super::UnknownValue> {
        match text.trim().to_lowercase().as_str() {
            "yes" | "y" | "true" | "1" | "given" => Ok(YesNo::Yes),
            "no" | "n" | "false" | "0" | "not_given" | "not-given" | "withdrawn" | "none" => {
                Ok(YesNo::No)
            }
            _ => Err(super::UnknownValue {
                kind: "YesNo",
                value: text.to_string(),
                expected: "yes, no".into(),
            }),
        }
    }
}

/// An RFM score range, both ends included: `4-5`, or `5` for one score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRange {
    pub from: u8,
    pub to: u8,
}

impl ScoreRange {
    /// `N` or `N-M` (also `N..M`, `N–M`), each 1–5, the first not above the second; `field`
    /// names the criterion in the refusal.
    pub fn parse(field: &str, text: &str) -> Result<ScoreRange, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                format!("'{text}' is not a score range; write one score 1–5 (4) or two (3-5)"),
            )
        };
        let t = text.trim();
        let (a, b) = match t.split_once(['-', '–']).or_else(|| t.split_once("..")) {
            Some((a, b)) => (a.trim(), b.trim().trim_start_matches('.')),
            None => (t, t),
        };
        let from: u8 = a.parse().map_err(|_| bad())?;
        let to: u8 = b.parse().map_err(|_| bad())?;
        let range = ScoreRange { from, to };
        range.check(field)?;
        Ok(range)
    }

    fn check(self, field: &str) -> Result<(), FieldError> {
        if !(1..=5).contains(&self.from) || !(1..=5).contains(&self.to) {
            return Err(FieldError::new(
                field,
                format!(
                    "{}-{}: RFM scores run from 1 to 5 (quintiles)",
                    self.from, self.to
                ),
            ));
        }
        if self.from > self.to {
            return Err(FieldError::new(
                field,
                format!(
                    "{}-{}: the lower score comes first ({}-{})",
                    self.from, self.to, self.to, self.from
                ),
            ));
        }
        Ok(())
    }

    /// `4-5`, or `5` for one score.
    pub fn text(self) -> String {
        if self.from == self.to {
            self.from.to_string()
        } else {
            format!("{}-{}", self.from, self.to)
        }
    }
}

/// What a segment asks of its members. Stored as JSON (the `segments.definition` column);
/// fields left out match everyone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentDefinition {
    /// Value tiers, any of (high, potential, normal).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    /// Service level (normal or VIP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Tags every member carries, all of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags_all: Vec<String>,
    /// Tags of which a member carries at least one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags_any: Vec<String>,
    /// RFM recency, frequency and monetary score ranges; a customer without scores (no
    /// purchase yet) is in no range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfm_r: Option<ScoreRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfm_f: Option<ScoreRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfm_m: Option<ScoreRange>,
    /// Churn risk (bought before, none within `[tiers] churn_days`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub churn_risk: Option<YesNo>,
    /// Regions, any of, as written on the record (compared without case or outer spaces).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// No contact logged for at least this many days (or never).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_contact_days: Option<u32>,
    /// A contact logged within this many days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacted_within_days: Option<u32>,
    /// Marketing consent given (yes) or not (no).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<YesNo>,
    /// Flagged do-not-contact (yes) or not (no). Whatever is asked here, a campaign (export,
    /// `reminder add --segment`) never reaches a do-not-contact customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub do_not_contact: Option<YesNo>,
    // HOOK(member levels, wt-loy): loyalty member levels (bronze/silver/gold from points) are
    // being added beside this work; a criterion `member_levels: Vec<MemberLevel>` goes here,
    // with its words in `parts` and its SQL in `store::segments::conditions`. Until then a
    // stored definition naming one is refused as unknown (deny_unknown_fields), never ignored.
}

/// One criterion of a definition, for words in either language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Tiers(Vec<Tier>),
    Level(Level),
    TagsAll(Vec<String>),
    TagsAny(Vec<String>),
    Rfm(char, ScoreRange),
    ChurnRisk(bool),
    Regions(Vec<String>),
    NoContact(u32),
    ContactedWithin(u32),
    Consent(bool),
    DoNotContact(bool),
}

/// The language a definition is described in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    En,
    ZhCn,
}

impl SegmentDefinition {
    /// Whether no criterion is given (a definition of everyone, which is refused).
    pub fn is_empty(&self) -> bool {
        self.parts().is_empty()
    }

    /// The definition with its tags folded as stored (`#Frequent Buyer` → `frequent-buyer`)
    /// and its regions trimmed, lists without repeats; every problem named by its field.
    pub fn checked(mut self) -> Result<SegmentDefinition, Vec<FieldError>> {
        let mut errors = Vec::new();
        for (field, tags) in [
            ("tags_all", &mut self.tags_all),
            ("tags_any", &mut self.tags_any),
        ] {
            let mut folded = Vec::new();
            for tag in tags.iter() {
                match normalize_tag(tag) {
                    Some(t) if !folded.contains(&t) => folded.push(t),
                    Some(_) => {}
                    None => errors.push(FieldError::new(field, "an empty tag")),
                }
            }
            *tags = folded;
        }
        let mut regions = Vec::new();
        for region in &self.regions {
            let r = region.trim().to_string();
            if r.is_empty() {
                errors.push(FieldError::new("region", "an empty region"));
            } else if r.chars().any(char::is_control) {
                errors.push(FieldError::new("region", "contains control characters"));
            } else if !regions.contains(&r) {
                regions.push(r);
            }
        }
        self.regions = regions;
        let mut tiers: Vec<Tier> = Vec::new();
        for t in &self.tiers {
            if !tiers.contains(t) {
                tiers.push(*t);
            }
        }
        self.tiers = tiers;
        for (field, range) in [
            ("rfm_r", self.rfm_r),
            ("rfm_f", self.rfm_f),
            ("rfm_m", self.rfm_m),
        ] {
            if let Some(Err(e)) = range.map(|r| r.check(field)) {
                errors.push(e);
            }
        }
        for (field, days) in [
            ("no_contact_days", self.no_contact_days),
            ("contacted_within_days", self.contacted_within_days),
        ] {
            if let Some(d) = days.filter(|d| *d == 0 || *d > DAYS_MAX) {
                errors.push(FieldError::new(
                    field,
                    format!("{d}: give a number of days from 1 to {DAYS_MAX}"),
                ));
            }
        }
        if let (Some(none_for), Some(within)) = (self.no_contact_days, self.contacted_within_days) {
            if within <= none_for {
                errors.push(FieldError::new(
                    "contacted_within_days",
                    format!(
                        "{within}: with no contact for {none_for} days, a contact within {within} days matches no one; give more than {none_for}"
                    ),
                ));
            }
        }
        if self.is_empty() && errors.is_empty() {
            errors.push(FieldError::new(
                "definition",
                "no criterion given: a segment says who is in it (--tier, --level, --tag, --r/--f/--m, --churn-risk, --region, --no-contact-days, --contacted-within-days, --consent, --do-not-contact)",
            ));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The criteria given, in the order they are described.
    pub fn parts(&self) -> Vec<Part> {
        let mut parts = Vec::new();
        if let Some(level) = self.level {
            parts.push(Part::Level(level));
        }
        if !self.tiers.is_empty() {
            parts.push(Part::Tiers(self.tiers.clone()));
        }
        if !self.tags_all.is_empty() {
            parts.push(Part::TagsAll(self.tags_all.clone()));
        }
        if !self.tags_any.is_empty() {
            parts.push(Part::TagsAny(self.tags_any.clone()));
        }
        for (letter, range) in [('R', self.rfm_r), ('F', self.rfm_f), ('M', self.rfm_m)] {
            if let Some(r) = range {
                parts.push(Part::Rfm(letter, r));
            }
        }
        if let Some(c) = self.churn_risk {
            parts.push(Part::ChurnRisk(c.flag()));
        }
        if !self.regions.is_empty() {
            parts.push(Part::Regions(self.regions.clone()));
        }
        if let Some(d) = self.no_contact_days {
            parts.push(Part::NoContact(d));
        }
        if let Some(d) = self.contacted_within_days {
            parts.push(Part::ContactedWithin(d));
        }
        if let Some(c) = self.consent {
            parts.push(Part::Consent(c.flag()));
        }
        if let Some(d) = self.do_not_contact {
            parts.push(Part::DoNotContact(d.flag()));
        }
        parts
    }

    /// The definition in one line: "VIP · no contact for 60 days · consent given",
    /// "VIP · 60天未联系 · 已同意营销".
    pub fn describe(&self, wording: Wording) -> String {
        let parts: Vec<String> = self
            .parts()
            .iter()
            .map(|p| part_words(p, wording))
            .collect();
        parts.join(" · ")
    }
}

fn tier_words(tier: Tier, wording: Wording) -> &'static str {
    match (tier, wording) {
        (Tier::High, Wording::En) => "high value",
        (Tier::Potential, Wording::En) => "potential",
        (Tier::Normal, Wording::En) => "normal tier",
        (Tier::High, Wording::ZhCn) => "高价值",
        (Tier::Potential, Wording::ZhCn) => "潜力",
        (Tier::Normal, Wording::ZhCn) => "普通价值",
    }
}

fn part_words(part: &Part, wording: Wording) -> String {
    let zh = wording == Wording::ZhCn;
    let or = if zh { "或" } else { " or " };
    let list = |items: &[String], sep: &str| items.join(sep);
    match part {
        Part::Level(Level::Vip) => "VIP".into(),
        Part::Level(Level::Normal) if zh => "普通级别".into(),
        Part::Level(Level::Normal) => "normal level".into(),
        Part::Tiers(tiers) => {
            let names: Vec<String> = tiers
                .iter()
                .map(|t| tier_words(*t, wording).to_string())
                .collect();
            list(&names, or)
        }
        Part::TagsAll(tags) => {
            let tags: Vec<String> = tags.iter().map(|t| format!("#{t}")).collect();
            if zh {
                format!("标签 {}", list(&tags, "、"))
            } else {
                format!("tagged {}", list(&tags, " and "))
            }
        }
        Part::TagsAny(tags) => {
            let tags: Vec<String> = tags.iter().map(|t| format!("#{t}")).collect();
            if zh {
                format!("标签 {} 之一", list(&tags, "、"))
            } else {
                format!("tagged {}", list(&tags, " or "))
            }
        }
        Part::Rfm(letter, range) => format!("{letter} {}", range.text()),
        Part::ChurnRisk(true) if zh => "有流失风险".into(),
        Part::ChurnRisk(true) => "churn risk".into(),
        Part::ChurnRisk(false) if zh => "无流失风险".into(),
        Part::ChurnRisk(false) => "no churn risk".into(),
        Part::Regions(regions) => {
            if zh {
                format!("地区 {}", list(regions, "、"))
            } else {
                format!("in {}", list(regions, or))
            }
        }
        Part::NoContact(days) if zh => format!("{days}天未联系"),
        Part::NoContact(days) => format!("no contact for {days} days"),
        Part::ContactedWithin(days) if zh => format!("{days}天内联系过"),
        Part::ContactedWithin(days) => format!("contacted within {days} days"),
        Part::Consent(true) if zh => "已同意营销".into(),
        Part::Consent(true) => "consent given".into(),
        Part::Consent(false) if zh => "未同意营销".into(),
        Part::Consent(false) => "no consent".into(),
        Part::DoNotContact(true) if zh => "勿扰".into(),
        Part::DoNotContact(true) => "do-not-contact".into(),
        Part::DoNotContact(false) if zh => "非勿扰".into(),
        Part::DoNotContact(false) => "not do-not-contact".into(),
    }
}

/// A segment's name: 1–60 characters, no control characters, trimmed.
pub fn check_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "is required"));
    }
    if name.chars().count() > NAME_MAX {
        return Err(FieldError::new(
            "name",
            format!("is longer than {NAME_MAX} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new("name", "contains control characters"));
    }
    Ok(name.to_string())
}

/// The last contact (seconds since the epoch) that still counts as "no contact for `days`
/// days" at `now`: a contact at or before it. A customer contacted after it was contacted
/// within the days.
pub fn no_contact_cutoff(now: i64, days: u32) -> i64 {
    now - i64::from(days) * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done_means() -> SegmentDefinition {
        SegmentDefinition {
            level: Some(Level::Vip),
            no_contact_days: Some(60),
            consent: Some(YesNo::Yes),
            ..SegmentDefinition::default()
        }
    }

    #[test]
    fn the_done_means_segment_reads_in_both_languages() {
        let d = done_means().checked().expect("valid");
        assert_eq!(
            d.describe(Wording::En),
            "VIP · no contact for 60 days · consent given"
        );
        assert_eq!(d.describe(Wording::ZhCn), "VIP · 60天未联系 · 已同意营销");
    }

    #[test]
    fn every_criterion_has_words() {
        let d = SegmentDefinition {
            tiers: vec![Tier::High, Tier::Potential],
            level: Some(Level::Normal),
            tags_all: vec!["#Frequent Buyer".into(), "gift-buyer".into()],
            tags_any: vec!["a".into(), "b".into()],
            rfm_r: Some(ScoreRange { from: 4, to: 5 }),
            rfm_f: Some(ScoreRange { from: 3, to: 3 }),
            rfm_m: None,
            churn_risk: Some(YesNo::No),
            regions: vec![" 北京 ".into(), "上海".into()],
            no_contact_days: Some(30),
            contacted_within_days: Some(90),
            consent: Some(YesNo::No),
            do_not_contact: Some(YesNo::No),
        }
        .checked()
        .expect("valid");
        assert_eq!(d.tags_all, ["frequent-buyer", "gift-buyer"]);
        assert_eq!(d.regions, ["北京", "上海"]);
        assert_eq!(
            d.describe(Wording::En),
            "normal level · high value or potential · tagged #frequent-buyer and #gift-buyer · tagged #a or #b · R 4-5 · F 3 · no churn risk · in 北京 or 上海 · no contact for 30 days · contacted within 90 days · no consent · not do-not-contact"
        );
        assert_eq!(
            d.describe(Wording::ZhCn),
            "普通级别 · 高价值或潜力 · 标签 #frequent-buyer、#gift-buyer · 标签 #a、#b 之一 · R 4-5 · F 3 · 无流失风险 · 地区 北京、上海 · 30天未联系 · 90天内联系过 · 未同意营销 · 非勿扰"
        );
    }

    #[test]
    fn refusals_name_the_field() {
        let empty = SegmentDefinition::default().checked().expect_err("empty");
        assert_eq!(empty[0].field, "definition");
        let bad = SegmentDefinition {
            rfm_r: Some(ScoreRange { from: 5, to: 3 }),
            rfm_m: Some(ScoreRange { from: 0, to: 6 }),
            no_contact_days: Some(60),
            contacted_within_days: Some(30),
            tags_any: vec!["  #  ".into()],
            regions: vec![" ".into()],
            ..SegmentDefinition::default()
        }
        .checked()
        .expect_err("bad");
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "tags_any",
                "region",
                "rfm_r",
                "rfm_m",
                "contacted_within_days"
            ]
        );
        assert_eq!(
            bad[2].to_string(),
            "rfm_r: 5-3: the lower score comes first (3-5)"
        );
        let days = SegmentDefinition {
            no_contact_days: Some(0),
            ..SegmentDefinition::default()
        }
        .checked()
        .expect_err("zero days");
        assert_eq!(
            days[0].to_string(),
            "no_contact_days: 0: give a number of days from 1 to 3650"
        );
    }

    #[test]
    fn score_ranges_as_typed() {
        assert_eq!(
            ScoreRange::parse("r", "4-5"),
            Ok(ScoreRange { from: 4, to: 5 })
        );
        assert_eq!(
            ScoreRange::parse("r", "3"),
            Ok(ScoreRange { from: 3, to: 3 })
        );
        assert_eq!(
            ScoreRange::parse("r", "2..4"),
            Ok(ScoreRange { from: 2, to: 4 })
        );
        assert_eq!(
            ScoreRange::parse("--r", "x").map_err(|e| e.to_string()),
            Err("--r: 'x' is not a score range; write one score 1–5 (4) or two (3-5)".into())
        );
        assert!(ScoreRange::parse("--f", "6").is_err());
    }

    #[test]
    fn a_definition_round_trips_as_json_and_refuses_unknown_criteria() {
        let d = done_means();
        let json = serde_json::to_string(&d).expect("json");
        assert_eq!(
            json,
            r#"{"level":"vip","no_contact_days":60,"consent":"yes"}"#
        );
        assert_eq!(
            serde_json::from_str::<SegmentDefinition>(&json).expect("back"),
            d
        );
        assert!(
            serde_json::from_str::<SegmentDefinition>(r#"{"member_levels":["gold"]}"#).is_err()
        );
    }

    #[test]
    fn yes_and_no_as_typed() {
        assert_eq!(YesNo::typed("given"), Ok(YesNo::Yes));
        assert_eq!(YesNo::typed("No"), Ok(YesNo::No));
        assert_eq!(
            YesNo::typed("maybe").map_err(|e| e.to_string()),
            Err("'maybe' is not one of yes, no".into())
        );
    }

    #[test]
    fn the_cutoff_is_whole_days_back() {
        // 60 days of 86,400 seconds before the moment.
        assert_eq!(no_contact_cutoff(10_000_000, 60), 10_000_000 - 5_184_000);
    }
}
