//! `careline.toml`: every setting has a default, so no file is needed. A file is a partial
//! patch over the defaults; a broken one is reported (file and line) and the defaults are used.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::contact::{calling_code, PhoneRules};
use crate::domain::interaction::{self, LogRules};
use crate::domain::operator::PrivacyRules;
use crate::domain::tier::TierRules;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub phone: PhoneConfig,
    pub tiers: TierRules,
    pub lookup: LookupConfig,
    pub ui: UiConfig,
    /// The interaction log: wrap-up codes, response standards, follow-ups, phrases.
    pub log: LogRules,
    /// Complaint SLA targets.
    pub complaints: crate::domain::complaint::SlaRules,
    /// Care reminder rules: which run, their days, the holidays greeted.
    pub care: crate::domain::care::CareRules,
    /// Access to confidential records: how long a grant lasts.
    pub grants: crate::domain::grant::GrantRules,
    /// Who sees customers' phones, emails and addresses in full.
    pub privacy: PrivacyConfig,
    /// The targets the reports read their figures against.
    pub reports: crate::domain::report::ReportTargets,
    /// How often NPS is asked of one customer, and the CSAT scale.
    pub surveys: crate::domain::survey::SurveyRules,
    /// Loyalty points (accrual, expiry, redemption) and member levels.
    pub loyalty: crate::domain::loyalty::LoyaltyRules,
    /// Key bindings: action name → keys, e.g. `save = ["ctrl-s", "f2"]`.
    pub keys: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// A shared database file; `--db` and `CARELINE_DB` take precedence.
    pub path: Option<PathBuf>,
    /// How long a write waits for other operators' writes, in milliseconds.
    pub busy_timeout_ms: u64,
    /// Accept a database on a network file system despite the locking risk (as
    /// `--allow-network-fs` does; on a shared host, only this setting of the host's config).
    pub allow_network_fs: bool,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            path: None,
            busy_timeout_ms: 5_000,
            allow_network_fs: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhoneConfig {
    /// ISO country whose national numbers are typed without a country code.
    pub default_country: String,
    /// Area code assumed for a bare 7–8 digit landline number, e.g. "010".
    pub default_area_code: Option<String>,
}

impl Default for PhoneConfig {
    fn default() -> Self {
        PhoneConfig {
            default_country: "CN".into(),
            default_area_code: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LookupConfig {
    /// Results shown for a lookup.
    pub limit: usize,
}

impl Default for LookupConfig {
    fn default() -> Self {
        LookupConfig { limit: 20 }
    }
}

/// `[privacy]` as written; [`Config::privacy_rules`] reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// The least role that sees contacts and addresses in full: operator, supervisor or admin.
    pub full_contacts: String,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            full_contacts: PrivacyRules::default().full_contacts.to_string(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiConfig {
    /// dark, light, high-contrast, mono, or a theme in the config directory.
    pub theme: Option<String>,
    /// en or zh-CN; by default from LANG.
    pub language: Option<String>,
}

impl Config {
    /// Who sees contacts in full. `parse` has already replaced a setting it could not read
    /// by the strictest, and said so; this reads it the same way.
    pub fn privacy_rules(&self) -> PrivacyRules {
        PrivacyRules::parse(&self.privacy.full_contacts)
            .unwrap_or_else(|_| PrivacyRules::strictest())
    }

    pub fn phone_rules(&self) -> PhoneRules {
        PhoneRules {
            default_country: self.phone.default_country.to_uppercase(),
            default_area_code: self.phone.default_area_code.clone(),
        }
    }

    /// Reads the config file at `path`, if there is one. Problems come back as messages
    /// alongside the defaults, never as a failure to start.
    pub fn load(path: &Path) -> (Config, Vec<String>) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Config::default(), vec![])
            }
            Err(e) => {
                return (
                    Config::default(),
                    vec![format!(
                        "{}: cannot read ({e}); using the defaults",
                        path.display()
                    )],
                )
            }
        };
        Config::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> (Config, Vec<String>) {
        match toml::from_str::<Config>(text) {
            Ok(mut config) => {
                let mut warnings: Vec<String> = interaction::check_rules(&config.log)
                    .into_iter()
                    .map(|p| format!("{origin}: {p}"))
                    .collect();
                config.log = interaction::usable(config.log);
                // Clocks or reminders on settings half read would be wrong without a word:
                // every problem is named, and the whole section falls back.
                let complaints = config.complaints.problems();
                if fall_back(
                    &complaints,
                    "complaints",
                    " (24x7 clocks)",
                    origin,
                    &mut warnings,
                ) {
                    config.complaints = Default::default();
                }
                if fall_back(&config.care.problems(), "care", "", origin, &mut warnings) {
                    config.care = Default::default();
                }
                let loyalty = config.loyalty.problems();
                if !loyalty.is_empty() {
                    warnings.extend(loyalty.iter().map(|p| format!("{origin}: {p}")));
                    warnings.push(format!(
                        "{origin}: [loyalty] has unusable settings; using the defaults"
                    ));
                    config.loyalty = Default::default();
                }
                warnings.extend(
                    holidays_unknown(&config.complaints, chrono::Local::now().date_naive())
                        .map(|w| format!("{origin}: {w}")),
                );
                if let Err(e) = config.surveys.check() {
                    warnings.push(format!("{origin}: {}: {}; using 5", e.field, e.reason));
                    config.surveys.csat_scale = 5;
                }
                if let Some(warning) = unreadable_privacy(&config.privacy.full_contacts) {
                    warnings.push(format!("{origin}: {warning}"));
                    config.privacy = strictest_privacy();
                }
                if calling_code(&config.phone.default_country).is_none() {
                    warnings.push(format!(
                        "{origin}: phone.default_country '{}' is not a known country; using CN",
                        config.phone.default_country
                    ));
                    let mut config = config;
                    config.phone.default_country = "CN".into();
                    return (config, warnings);
                }
                (config, warnings)
            }
            Err(e) => {
                let line = e.span().map(|span| {
                    text.as_bytes()[..span.start.min(text.len())]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count()
                        + 1
                });
                let at = line.map(|l| format!(" line {l}")).unwrap_or_default();
                let mut warnings =
                    vec![format!("{origin}{at}: {}; using the defaults", e.message())];
                // Who sees contacts in full is read on its own: the rest of a broken file
                // falling back must not show a site's contacts to everyone.
                let (privacy, warning) = privacy_of_broken(text);
                warnings.extend(warning.map(|w| format!("{origin}: {w}")));
                (
                    Config {
                        privacy,
                        ..Config::default()
                    },
                    warnings,
                )
            }
        }
    }
}

/// Where careline keeps its files: data (databases, logs), config, and the runtime socket.
#[derive(Debug, Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub config_dir: PathBuf,
    pub runtime_dir: PathBuf,
}

impl Paths {
    pub fn discover() -> Paths {
        match directories::ProjectDirs::from("", "", "careline") {
            Some(dirs) => Paths {
                data_dir: dirs.data_dir().to_path_buf(),
                config_dir: dirs.config_dir().to_path_buf(),
                runtime_dir: dirs
                    .runtime_dir()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dirs.data_dir().join("run")),
            },
            None => {
                let here = PathBuf::from(".careline");
                Paths {
                    data_dir: here.clone(),
                    config_dir: here.clone(),
                    runtime_dir: here.join("run"),
                }
            }
        }
    }

    pub fn default_db(&self) -> PathBuf {
        self.data_dir.join("careline.db")
    }

    pub fn demo_db(&self) -> PathBuf {
        self.data_dir.join("demo.db")
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("careline.toml")
    }
}

/// The OS login of this process: the operator's identity (DESIGN §5). Taken from the password
/// database for the real user id, not from the environment, so it cannot be claimed by
/// setting a variable (and a setgid careline names the user who ran it).
pub fn os_login() -> Option<String> {
    // SAFETY: getuid never fails; getpwuid_r writes only into the buffers we pass, and the
    // name pointer it returns points into `buf`, which outlives its use here.
    unsafe {
        let uid = libc::getuid();
        let mut pwd = std::mem::MaybeUninit::<libc::passwd>::uninit();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            uid,
            pwd.as_mut_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || (*result).pw_name.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr((*result).pw_name)
            .to_str()
            .ok()
            .map(str::to_string)
    }
}

/// A warning when the clocks count in business hours with mainland China's holidays and this
/// careline does not know `today`'s year's schedule (the State Council publishes it each
/// autumn): its holidays would count as working days without a word.
fn holidays_unknown(
    rules: &crate::domain::complaint::SlaRules,
    today: chrono::NaiveDate,
) -> Option<String> {
    let calendar = rules.working_calendar();
    if calendar.knows_holidays_of(today) {
        return None;
    }
    use chrono::Datelike;
    Some(format!(
        "complaints.holidays: mainland China's statutory holidays for {} are not in this careline \
         ({}); until careline is updated, that year's holidays count as working days: list them \
         in extra_holidays and extra_workdays, or update careline",
        today.year(),
        calendar.summary()
    ))
}

/// The strictest `[privacy]`: contacts in full for admins only.
fn strictest_privacy() -> PrivacyConfig {
    PrivacyConfig {
        full_contacts: PrivacyRules::strictest().full_contacts.to_string(),
    }
}

/// What is wrong with `privacy.full_contacts`, and what careline does instead, if it is not
/// a role.
fn unreadable_privacy(full_contacts: &str) -> Option<String> {
    PrivacyRules::parse(full_contacts).err().map(|_| {
        format!(
            "privacy.full_contacts: '{full_contacts}' is not a role; use operator, supervisor or admin. Until it is fixed only admins see phones, emails and addresses in full"
        )
    })
}

/// `[privacy]` of a file that does not read as a whole: the section alone, when the file is
/// TOML and the section is whole and right; none at all is the default; anything else, or a
/// file that is not TOML, is the strictest (with why).
fn privacy_of_broken(text: &str) -> (PrivacyConfig, Option<String>) {
    let strictest = |why: String| (strictest_privacy(), Some(why));
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return strictest(
            "[privacy] cannot be read from a file that is not TOML; until it is fixed only admins see phones, emails and addresses in full".into(),
        );
    };
    let Some(section) = table.get("privacy") else {
        return (PrivacyConfig::default(), None);
    };
    match section.clone().try_into::<PrivacyConfig>() {
        Ok(privacy) => match unreadable_privacy(&privacy.full_contacts) {
            None => (privacy, None),
            Some(why) => strictest(why),
        },
        Err(e) => strictest(format!(
            "[privacy]: {}; until it is fixed only admins see phones, emails and addresses in full",
            e.message()
        )),
    }
}

/// Names each unusable setting of `[section]` and says the section falls back to its defaults
/// (`defaults` says what they are); true when it must.
fn fall_back(
    problems: &[crate::domain::calendar::SettingError],
    section: &str,
    defaults: &str,
    origin: &str,
    warnings: &mut Vec<String>,
) -> bool {
    for p in problems {
        warnings.push(format!("{origin}: {section}.{}: {}", p.setting, p.reason));
    }
    if !problems.is_empty() {
        warnings.push(format!(
            "{origin}: [{section}] has unusable settings; using the defaults{defaults}"
        ));
    }
    !problems.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_file_patches_the_defaults() {
        let (config, warnings) = Config::parse("[phone]\ndefault_area_code = \"010\"\n", "t.toml");
        assert!(warnings.is_empty());
        assert_eq!(config.phone.default_area_code.as_deref(), Some("010"));
        assert_eq!(config.phone.default_country, "CN");
        assert_eq!(config.tiers, TierRules::default());
    }

    #[test]
    fn a_broken_file_names_the_line_and_falls_back() {
        let (config, warnings) = Config::parse(
            "[lookup]\nlimit = 5\n[tiers]\nhigh_value_spend = \"lots\"\n",
            "c.toml",
        );
        assert_eq!(config, Config::default());
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("c.toml line 4:"), "{}", warnings[0]);
        let (config, warnings) = Config::parse(
            "[complaints]\nclock = \"business\"\nbusiness_hours = \"18:00-09:00\"\n",
            "c.toml",
        );
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("c.toml: complaints.business_hours: '18:00-09:00'"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[1].contains("using the defaults"),
            "{}",
            warnings[1]
        );
        assert_eq!(config.complaints, Default::default());
        let (_, warnings) = Config::parse("[phone]\ncountry = \"CN\"\n", "c.toml");
        assert!(
            warnings[0].contains("line 2") && warnings[0].contains("country"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn who_sees_contacts_in_full_is_operators_unless_the_site_says() {
        use crate::domain::operator::Role;
        let (config, warnings) = Config::parse("", "c.toml");
        assert!(warnings.is_empty());
        assert_eq!(config.privacy_rules().full_contacts, Role::Operator);
        let (config, warnings) =
            Config::parse("[privacy]\nfull_contacts = \"supervisor\"\n", "c.toml");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.privacy_rules().full_contacts, Role::Supervisor);
        let (config, _) = Config::parse("[privacy]\nfull_contacts = \"Admin\"\n", "c.toml");
        assert_eq!(config.privacy_rules().full_contacts, Role::Admin);
    }

    #[test]
    fn an_unreadable_privacy_setting_masks_for_all_but_admins_and_says_so() {
        use crate::domain::operator::Role;
        // A role mistyped: named, and the strictest meanwhile; the rest of the file stands.
        let (config, warnings) = Config::parse(
            "[lookup]\nlimit = 7\n[privacy]\nfull_contacts = \"superviser\"\n",
            "c.toml",
        );
        assert_eq!(config.privacy_rules().full_contacts, Role::Admin);
        assert_eq!(config.lookup.limit, 7);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("c.toml: privacy.full_contacts: 'superviser' is not a role")
                && warnings[0].contains("only admins see"),
            "{}",
            warnings[0]
        );
        // Another section broken: the file falls back, but the site's [privacy] is kept.
        let (config, warnings) = Config::parse(
            "[privacy]\nfull_contacts = \"supervisor\"\n[tiers]\nhigh_value_spend = \"lots\"\n",
            "c.toml",
        );
        assert_eq!(config.privacy_rules().full_contacts, Role::Supervisor);
        assert_eq!(config.tiers, TierRules::default());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        // ... and without one, the default stands.
        let (config, _) = Config::parse("[tiers]\nhigh_value_spend = \"lots\"\n", "c.toml");
        assert_eq!(config.privacy_rules().full_contacts, Role::Operator);
        // The key itself mistyped, a value of the wrong type, or a file that is not TOML:
        // the strictest, each said.
        for text in [
            "[privacy]\nfull_contact = \"supervisor\"\n",
            "[privacy]\nfull_contacts = 1\n",
            "[privacy\nfull_contacts = \"operator\"\n",
        ] {
            let (config, warnings) = Config::parse(text, "c.toml");
            assert_eq!(config.privacy_rules().full_contacts, Role::Admin, "{text}");
            assert_eq!(warnings.len(), 2, "{text}: {warnings:?}");
            assert!(warnings[1].contains("only admins see"), "{}", warnings[1]);
        }
    }

    #[test]
    fn the_login_comes_from_the_password_database() {
        assert!(os_login().is_some_and(|l| !l.is_empty()));
    }

    #[test]
    fn a_year_whose_statutory_holidays_careline_lacks_is_said() {
        let business = crate::domain::complaint::SlaRules {
            clock: "business".into(),
            ..Default::default()
        };
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        // 2026's schedule was published by the State Council in November 2025.
        assert_eq!(holidays_unknown(&business, day(2026, 6, 1)), None);
        let far = holidays_unknown(&business, day(2099, 1, 1)).expect("a warning");
        assert!(far.contains("for 2099 are not in this careline"), "{far}");
        // Around the clock, or without the statutory holidays, nothing is missing.
        let around = crate::domain::complaint::SlaRules::default();
        assert_eq!(holidays_unknown(&around, day(2099, 1, 1)), None);
        let none = crate::domain::complaint::SlaRules {
            holidays: "none".into(),
            ..business
        };
        assert_eq!(holidays_unknown(&none, day(2099, 1, 1)), None);
    }
}
