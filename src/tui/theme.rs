//! Themes: styles by role, never colours in widgets. The shipped themes are embedded; a file
//! `themes/NAME.toml` in the config directory overrides a shipped theme of that name role by
//! role (or adds a new one over `dark`). A broken file is reported with its line and the shipped
//! theme is used.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub const SHIPPED: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

pub const DEFAULT_THEME: &str = "dark";

/// One role's style as written in a theme file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    pub fg: Option<String>,
    pub bg: Option<String>,
    pub bold: Option<bool>,
    pub reverse: Option<bool>,
    pub underline: Option<bool>,
    pub dim: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct ThemeFile {
    #[allow(dead_code)]
    name: Option<String>,
    #[serde(flatten)]
    roles: BTreeMap<String, RoleSpec>,
}

/// The roles a theme gives styles to.
pub const ROLES: &[&str] = &[
    "background",
    "text",
    "muted",
    "accent",
    "title",
    "ok",
    "warn",
    "breach",
    "selection",
    "border",
    "focus",
    "badge",
];

/// Styles by role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub background: Style,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub title: Style,
    pub ok: Style,
    pub warn: Style,
    pub breach: Style,
    pub selection: Style,
    pub border: Style,
    pub focus: Style,
    pub badge: Style,
}

fn color(text: &str) -> Result<Color, String> {
    let cleaned = text.replace(['_', '-'], "");
    Color::from_str(&cleaned).map_err(|_| format!("'{text}' is not a colour"))
}

fn style(spec: &RoleSpec) -> Result<Style, String> {
    let mut style = Style::default();
    if let Some(fg) = &spec.fg {
        style = style.fg(color(fg)?);
    }
    if let Some(bg) = &spec.bg {
        style = style.bg(color(bg)?);
    }
    for (on, modifier) in [
        (spec.bold, Modifier::BOLD),
        (spec.reverse, Modifier::REVERSED),
        (spec.underline, Modifier::UNDERLINED),
        (spec.dim, Modifier::DIM),
    ] {
        if on == Some(true) {
            style = style.add_modifier(modifier);
        }
    }
    Ok(style)
}

fn parse_roles(text: &str, origin: &str) -> Result<BTreeMap<String, RoleSpec>, String> {
    let file: ThemeFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| {
            text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        });
        match line {
            Some(l) => format!("{origin} line {l}: {}", e.message()),
            None => format!("{origin}: {}", e.message()),
        }
    })?;
    for (role, spec) in &file.roles {
        if !ROLES.contains(&role.as_str()) {
            return Err(format!(
                "{origin}: unknown role '{role}' (roles: {})",
                ROLES.join(", ")
            ));
        }
        style(spec).map_err(|e| format!("{origin}: {role}: {e}"))?;
    }
    Ok(file.roles)
}

impl Theme {
    fn from_roles(name: &str, roles: &BTreeMap<String, RoleSpec>) -> Theme {
        let get = |role: &str| {
            roles
                .get(role)
                .and_then(|s| style(s).ok())
                .unwrap_or_default()
        };
        Theme {
            name: name.to_string(),
            background: get("background"),
            text: get("text"),
            muted: get("muted"),
            accent: get("accent"),
            title: get("title"),
            ok: get("ok"),
            warn: get("warn"),
            breach: get("breach"),
            selection: get("selection"),
            border: get("border"),
            focus: get("focus"),
            badge: get("badge"),
        }
    }

    /// A shipped theme by name.
    pub fn shipped(name: &str) -> Option<Theme> {
        let (_, text) = SHIPPED.iter().find(|(n, _)| *n == name)?;
        parse_roles(text, name)
            .ok()
            .map(|roles| Theme::from_roles(name, &roles))
    }

    /// The no-colour theme.
    pub fn mono() -> Theme {
        Theme::shipped("mono").unwrap_or_else(|| Theme::from_roles("mono", &BTreeMap::new()))
    }

    /// Loads the theme `name` (`NO_COLOR` forces `mono`): the shipped one, patched by a user
    /// file of the same name in `user_dir`. Returns the theme and any problem to show.
    pub fn load(name: Option<&str>, no_color: bool, user_dir: &Path) -> (Theme, Vec<String>) {
        let mut problems = Vec::new();
        let wanted = if no_color {
            "mono"
        } else {
            name.unwrap_or(DEFAULT_THEME)
        };
        let base_name = if SHIPPED.iter().any(|(n, _)| *n == wanted) {
            wanted
        } else {
            DEFAULT_THEME
        };
        let mut roles = SHIPPED
            .iter()
            .find(|(n, _)| *n == base_name)
            .and_then(|(n, text)| parse_roles(text, n).ok())
            .unwrap_or_default();
        let user_file = user_dir.join(format!("{wanted}.toml"));
        // The operator's own file, read with their own rights on a shared host.
        match crate::host::as_user(|| std::fs::read_to_string(&user_file)) {
            Ok(text) => match parse_roles(&text, &user_file.display().to_string()) {
                Ok(patch) => roles.extend(patch),
                Err(e) => {
                    problems.push(format!("{e}; using the {base_name} theme"));
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if base_name != wanted {
                    problems.push(format!(
                        "no theme named '{wanted}' (shipped: dark, light, high-contrast, mono; or put {} in place); using {base_name}",
                        user_file.display()
                    ));
                }
            }
            Err(e) => problems.push(format!(
                "{}: {e}; using the {base_name} theme",
                user_file.display()
            )),
        }
        (Theme::from_roles(wanted, &roles), problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_theme_parses_and_sets_every_role() {
        for (name, text) in SHIPPED {
            let roles = parse_roles(text, name).unwrap_or_else(|e| panic!("{e}"));
            for role in ROLES {
                assert!(roles.contains_key(*role), "{name} lacks {role}");
            }
        }
        let mono = Theme::mono();
        for s in [mono.text, mono.accent, mono.breach, mono.selection] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert!(mono.selection.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn no_color_means_mono_and_user_files_patch_by_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (theme, problems) = Theme::load(Some("dark"), true, dir.path());
        assert_eq!(theme.name, "mono");
        assert!(problems.is_empty());
        std::fs::write(
            dir.path().join("dark.toml"),
            "accent = { fg = \"magenta\" }\n",
        )
        .expect("write");
        let (theme, problems) = Theme::load(Some("dark"), false, dir.path());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(theme.accent.fg, Some(Color::Magenta));
        assert_eq!(
            theme.ok.fg,
            Some(Color::Green),
            "other roles stay as shipped"
        );
    }

    #[test]
    fn a_broken_theme_names_file_and_line_and_falls_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("light.toml"),
            "text = { fg = \"black\" }\nok = { fg = \n",
        )
        .expect("write");
        let (theme, problems) = Theme::load(Some("light"), false, dir.path());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("light.toml line 2"), "{}", problems[0]);
        assert_eq!(theme, Theme::shipped("light").expect("shipped"));
        std::fs::write(
            dir.path().join("light.toml"),
            "ok = { fg = \"greenish\" }\n",
        )
        .expect("write");
        let (_, problems) = Theme::load(Some("light"), false, dir.path());
        assert!(problems[0].contains("greenish"), "{}", problems[0]);
        let (theme, problems) = Theme::load(Some("sunset"), false, dir.path());
        assert_eq!(theme.accent, Theme::shipped("dark").expect("dark").accent);
        assert!(problems[0].contains("sunset"));
    }
}
