//! An operator's own `careline.toml` on a shared host: it gives only the operator's personal
//! preferences, `[ui]` (theme, language) and `[keys]`; every other setting is the
//! administrator's, in the host's config, and the operator's is ignored, each one said by its
//! file and key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::UiConfig;

/// A setting in an operator's own config that a shared host ignores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredSetting {
    /// The operator's config file.
    pub file: PathBuf,
    /// The setting as written: `section.key` (`lookup.limit`), a section with nothing in it
    /// (`[lookup]`), or a key outside any section.
    pub key: String,
    /// The host's config, where the administrator sets it.
    pub host_config: PathBuf,
}

impl std::fmt::Display for IgnoredSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} is ignored: on this host the administrator sets it, in {} (only [ui] and [keys] are yours)",
            self.file.display(),
            self.key,
            self.host_config.display()
        )
    }
}

/// What an operator's own config gives on a shared host.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnConfig {
    /// Theme and language.
    pub ui: UiConfig,
    /// Key bindings.
    pub keys: BTreeMap<String, Vec<String>>,
    /// Every other setting the file has, one by one.
    pub ignored: Vec<IgnoredSetting>,
    /// Why the file could not be read, if it could not (then neither `ui` nor `keys` is used).
    pub problem: Option<String>,
}

/// The file as TOML: the two personal sections, and whatever else it holds.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Personal {
    ui: UiConfig,
    keys: BTreeMap<String, Vec<String>>,
    #[serde(flatten)]
    other: toml::Table,
}

/// Reads the operator's own config at `path` with the operator's own rights (never the
/// group's, so that it cannot be pointed at the database's files). No file gives nothing and
/// says nothing.
pub fn own_config(path: &Path, host_config: &Path) -> OwnConfig {
    let origin = path.display();
    let text = match super::as_user(|| std::fs::read_to_string(path)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return OwnConfig::default(),
        Err(e) => {
            return OwnConfig {
                problem: Some(format!(
                    "{origin}: cannot read ({e}); your [ui] and [keys] are not used"
                )),
                ..OwnConfig::default()
            }
        }
    };
    match toml::from_str::<Personal>(&text) {
        Ok(personal) => OwnConfig {
            ui: personal.ui,
            keys: personal.keys,
            ignored: ignored_keys(&personal.other)
                .into_iter()
                .map(|key| IgnoredSetting {
                    file: path.to_path_buf(),
                    key,
                    host_config: host_config.to_path_buf(),
                })
                .collect(),
            problem: None,
        },
        Err(e) => {
            let line = e.span().map(|span| {
                text.as_bytes()[..span.start.min(text.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1
            });
            let at = line.map(|l| format!(" line {l}")).unwrap_or_default();
            OwnConfig {
                problem: Some(format!(
                    "{origin}{at}: {}; your [ui] and [keys] are not used",
                    e.message()
                )),
                ..OwnConfig::default()
            }
        }
    }
}

/// The settings of the operator's own config that this shared host ignores, each naming its
/// file and key; none when careline does not run as a shared host's program. The command line
/// prints them as warnings at start; the screen can show them from here.
pub fn ignored_own_settings() -> Vec<IgnoredSetting> {
    if !super::privileged() {
        return Vec::new();
    }
    let Ok(host) = super::HostPaths::of_this_binary() else {
        return Vec::new();
    };
    own_config(
        &crate::config::Paths::discover().config_file(),
        &host.config,
    )
    .ignored
}

/// The keys of the sections other than `[ui]` and `[keys]`, in the file's sections' order of
/// names: `section.key` for each key of a section (an array of tables, such as
/// `[[log.dispositions]]`, is one key of its section), the section alone when it is empty,
/// a key outside any section by its name.
fn ignored_keys(other: &toml::Table) -> Vec<String> {
    let mut keys = Vec::new();
    for (name, value) in other {
        match value {
            toml::Value::Table(section) if section.is_empty() => keys.push(format!("[{name}]")),
            toml::Value::Table(section) => {
                keys.extend(section.keys().map(|key| format!("{name}.{key}")));
            }
            _ => keys.push(name.clone()),
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_but_the_look_and_keys_is_named_by_its_key() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("careline.toml");
        std::fs::write(
            &path,
            "answer = 42\n[database]\npath = \"/tmp/mine.db\"\nbusy_timeout_ms = 1\n[ui]\ntheme = \"mono\"\n[keys]\nsave = [\"f2\"]\n[lookup]\nlimit = 3\n[privacy]\n[[log.dispositions]]\ncode = \"x\"\n",
        )
        .expect("config");
        let own = own_config(&path, Path::new("/etc/careline/careline.toml"));
        assert_eq!(own.problem, None);
        assert_eq!(own.ui.theme.as_deref(), Some("mono"));
        assert_eq!(own.keys.get("save"), Some(&vec!["f2".to_string()]));
        let keys: Vec<&str> = own.ignored.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "answer",
                "database.busy_timeout_ms",
                "database.path",
                "log.dispositions",
                "lookup.limit",
                "[privacy]"
            ]
        );
        assert_eq!(
            own.ignored[4].to_string(),
            format!(
                "{}: lookup.limit is ignored: on this host the administrator sets it, in /etc/careline/careline.toml (only [ui] and [keys] are yours)",
                path.display()
            )
        );
    }

    #[test]
    fn a_file_that_is_not_toml_gives_nothing_and_says_where() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("careline.toml");
        std::fs::write(&path, "[ui]\ntheme = 3\n").expect("config");
        let own = own_config(&path, Path::new("/etc/x"));
        assert_eq!(own.ui, UiConfig::default());
        assert!(own.ignored.is_empty());
        let problem = own.problem.expect("a problem");
        assert!(problem.contains("line 2"), "{problem}");
        assert_eq!(
            own_config(&dir.path().join("none.toml"), Path::new("/etc/x")),
            OwnConfig::default()
        );
    }

    #[test]
    fn off_a_shared_host_nothing_is_ignored() {
        // The tests run as an ordinary program, not the installed setgid one.
        assert!(!crate::host::privileged());
        assert!(ignored_own_settings().is_empty());
    }
}
