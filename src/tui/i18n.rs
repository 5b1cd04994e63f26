//! The two languages of the screen. Every string the operator sees comes from a catalogue,
//! `src/tui/i18n/en.toml` or `zh-CN.toml` (flat `key = "text"`, `{name}` placeholders).

use std::collections::HashMap;

pub const EN: &str = include_str!("i18n/en.toml");
pub const ZH_CN: &str = include_str!("i18n/zh-CN.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    /// From the config (`en`, `zh-CN`, `zh`), else from `LANG`/`LC_ALL`/`LC_MESSAGES`.
    pub fn choose(configured: Option<&str>) -> Lang {
        if let Some(lang) = configured.and_then(Lang::parse) {
            return lang;
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var) {
                if !value.is_empty() {
                    return Lang::parse(&value).unwrap_or(Lang::En);
                }
            }
        }
        Lang::En
    }

    pub fn parse(text: &str) -> Option<Lang> {
        let lower = text.to_ascii_lowercase().replace('_', "-");
        if lower.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if lower.starts_with("en")
            || lower == "c"
            || lower == "posix"
            || lower.starts_with("c.")
        {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// One language's strings.
#[derive(Debug, Clone)]
pub struct I18n {
    pub lang: Lang,
    strings: HashMap<String, String>,
}

pub fn parse_catalogue(text: &str) -> Result<HashMap<String, String>, String> {
    toml::from_str::<HashMap<String, String>>(text).map_err(|e| e.to_string())
}

impl I18n {
    pub fn new(lang: Lang) -> I18n {
        let text = match lang {
            Lang::En => EN,
            Lang::ZhCn => ZH_CN,
        };
        // The catalogues are embedded and checked by the tests; a broken one shows keys.
        let strings = parse_catalogue(text).unwrap_or_default();
        I18n { lang, strings }
    }

    /// The text for `key` (the key itself if a catalogue lacks it, which a test prevents).
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.strings.get(key).map(String::as_str).unwrap_or(key)
    }

    /// Text from the database as this language shows it: what an erasure wrote in place of a
    /// name or a quoted detail reads in the screen's words.
    pub fn data<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let marker = crate::store::ERASED_TEXT;
        match self.get("data.erased") {
            Some(words) if words != marker && text.contains(marker) => {
                std::borrow::Cow::Owned(text.replace(marker, words))
            }
            _ => std::borrow::Cow::Borrowed(text),
        }
    }

    /// The text for `key`, if the catalogue has one.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.strings.get(key).map(String::as_str)
    }

    /// The text for `key` with `{name}` placeholders filled.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut out = self.t(key).to_string();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// A person's name (or login) as a sentence of this language sets it: in Chinese a name
    /// that begins or ends with a Latin letter or digit is spaced from the characters around
    /// it (由 root 处理, but 由王芳处理); English sentences have their own spaces.
    pub fn name(&self, name: &str) -> String {
        let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if self.lang == Lang::ZhCn && (latin(name.chars().next()) || latin(name.chars().last())) {
            format!(" {name} ")
        } else {
            name.to_string()
        }
    }

    /// A vocabulary value (`badge.vip`, `channel.phone_in` …), or the value itself.
    pub fn value(&self, group: &str, value: &str) -> String {
        let key = format!("{group}.{value}");
        match self.strings.get(&key) {
            Some(text) => text.clone(),
            None => value.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(text: &str) -> BTreeSet<String> {
        parse_catalogue(text)
            .expect("catalogue parses")
            .into_keys()
            .collect()
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let en = keys(EN);
        let zh = keys(ZH_CN);
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(only_en.is_empty(), "missing from zh-CN.toml: {only_en:?}");
        assert!(only_zh.is_empty(), "missing from en.toml: {only_zh:?}");
        assert!(en.len() > 50);
    }

    /// Every literal key the screen code asks for (`.t("…")`, `.f("…"`, `tr!("…")`) is in
    /// both catalogues.
    #[test]
    fn every_key_used_in_the_code_is_in_the_catalogues() {
        let en = keys(EN);
        let zh = keys(ZH_CN);
        let mut used = BTreeSet::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/tui"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src/tui") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("read source");
                    for pattern in [".t(\"", ".f(\"", "key: \"", "label: \""] {
                        for (i, _) in text.match_indices(pattern) {
                            let rest = &text[i + pattern.len()..];
                            if let Some(end) = rest.find('"') {
                                let key = &rest[..end];
                                if key.contains('.') && !key.contains(' ') && !key.contains('{') {
                                    used.insert(key.to_string());
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(
            used.len() > 30,
            "found only {} keys: the scan is broken",
            used.len()
        );
        let missing: Vec<_> = used
            .iter()
            .filter(|k| !en.contains(*k) || !zh.contains(*k))
            .collect();
        assert!(
            missing.is_empty(),
            "keys used but not in both catalogues: {missing:?}"
        );
    }

    #[test]
    fn language_comes_from_config_then_environment() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("en_GB.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::choose(Some("zh-CN")), Lang::ZhCn);
        let i18n = I18n::new(Lang::ZhCn);
        assert!(i18n.f("lookup.no_match", &[("query", "王")]).contains('王'));
    }
}
