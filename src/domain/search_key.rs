//! Search keys: how names, codes, companies and queries are folded so that lookup
//! can answer from indexes (DESIGN §3.2).
//!
//! Each customer gets a handful of keys — folded name, full pinyin and initials of a
//! Chinese name, code, company, emails, tags, phone digits forwards and reversed, and the
//! two-character pieces of a Chinese name — and a query is classified into the kinds of key
//! it can match. Exact and prefix matches come from one ordered index; substrings of three
//! or more characters from an FTS5 trigram index; two-character Chinese pieces from the
//! bigram keys.

use pinyin::ToPinyin;

/// Folds text for matching: full-width ASCII to ASCII, lower case, white space collapsed to
/// single spaces and trimmed.
pub fn fold(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True for the CJK ideographs that Chinese names are written in.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF)
}

pub fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

/// Surnames whose reading differs from the character's most common reading.
const SURNAME_READINGS: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('朴', "piao"),
    ('查', "zha"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('种', "chong"),
    ('翟', "zhai"),
    ('缪', "miao"),
    ('尉', "yu"),
    ('覃', "qin"),
    ('长', "chang"),
    ('重', "chong"),
    ('任', "ren"),
    ('沈', "shen"),
    ('华', "hua"),
    ('秘', "bi"),
    ('薄', "bo"),
];

/// The toneless pinyin syllables of a name: one per Chinese character; runs of other
/// letters and digits are kept as lower-case words.
fn syllables(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, c) in name.chars().enumerate() {
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            let surname = (i == 0)
                .then(|| SURNAME_READINGS.iter().find(|(ch, _)| *ch == c))
                .flatten();
            let reading = match surname {
                Some((_, r)) => Some((*r).to_string()),
                None => c.to_pinyin().map(|p| p.plain().replace('ü', "v")),
            };
            if let Some(r) = reading {
                out.push(r);
            }
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Full pinyin of a Chinese name without spaces (`王秀英` → `wangxiuying`); None for names
/// without Chinese characters.
pub fn pinyin_full(name: &str) -> Option<String> {
    has_cjk(name).then(|| syllables(name).concat())
}

/// Pinyin initials of a Chinese name (`王秀英` → `wxy`); None for names without Chinese characters.
pub fn pinyin_initials(name: &str) -> Option<String> {
    has_cjk(name).then(|| {
        syllables(name)
            .iter()
            .filter_map(|s| s.chars().next())
            .collect()
    })
}

/// The two-character pieces of the Chinese runs of a name (`王秀英` → `王秀`, `秀英`), so that
/// a two-character query matches anywhere inside a name without a table scan.
pub fn cjk_bigrams(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut grams: Vec<String> = chars
        .windows(2)
        .filter(|w| is_cjk(w[0]) && is_cjk(w[1]))
        .map(|w| w.iter().collect())
        .collect();
    grams.sort();
    grams.dedup();
    grams
}

/// Reverses a string of digits, so that a phone suffix becomes an index prefix.
pub fn reversed(digits: &str) -> String {
    digits.chars().rev().collect()
}

/// The smallest string greater than every string starting with `prefix`: the upper bound of an
/// index range scan `key >= prefix AND key < upper`.
pub fn prefix_upper_bound(prefix: &str) -> String {
    let mut upper = prefix.to_string();
    upper.push(char::MAX);
    upper
}

/// What a lookup query is, decided from its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Nothing to look for.
    Empty,
    /// `#vip`: a tag, folded.
    Tag(String),
    /// Something with an `@`: an email or its beginning, folded.
    Email(String),
    /// Digits (with the usual separators): a phone number, its beginning or its end.
    Digits(String),
    /// Anything else: name, pinyin, code, company; folded.
    Text(String),
}

/// Least digits that make a phone-suffix search (DESIGN §3.2).
pub const MIN_PHONE_SUFFIX: usize = 4;

pub fn classify(query: &str) -> Query {
    let folded = fold(query);
    if folded.is_empty() {
        return Query::Empty;
    }
    if let Some(tag) = folded.strip_prefix('#') {
        let tag = tag.trim().replace(' ', "-");
        return if tag.is_empty() {
            Query::Empty
        } else {
            Query::Tag(tag)
        };
    }
    if folded.contains('@') {
        return Query::Email(folded.replace(' ', ""));
    }
    let digitish = folded
        .chars()
        .all(|c| c.is_ascii_digit() || " -+()./".contains(c));
    let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
    if digitish && !digits.is_empty() {
        return Query::Digits(digits);
    }
    Query::Text(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("  Ｗａｎｇ\u{3000}XiuYing "), "wang xiuying");
        assert_eq!(fold("王  秀英"), "王 秀英");
    }

    #[test]
    fn pinyin_of_names() {
        assert_eq!(pinyin_full("王秀英").as_deref(), Some("wangxiuying"));
        assert_eq!(pinyin_initials("王秀英").as_deref(), Some("wxy"));
        assert_eq!(pinyin_full("王芳").as_deref(), Some("wangfang"));
        assert_eq!(pinyin_full("曾小贤").as_deref(), Some("zengxiaoxian"));
        assert_eq!(pinyin_full("单田芳").as_deref(), Some("shantianfang"));
        assert_eq!(pinyin_full("吕布").as_deref(), Some("lvbu"));
        assert_eq!(pinyin_full("John Smith"), None);
        assert_eq!(pinyin_initials("李Anna").as_deref(), Some("la"));
    }

    #[test]
    fn bigrams() {
        assert_eq!(cjk_bigrams("王秀英"), vec!["王秀", "秀英"]);
        assert_eq!(cjk_bigrams("王芳"), vec!["王芳"]);
        assert!(cjk_bigrams("王").is_empty());
        assert!(cjk_bigrams("Ann Lee").is_empty());
    }

    #[test]
    fn queries_are_classified_by_shape() {
        assert_eq!(classify("  "), Query::Empty);
        assert_eq!(classify("#VIP"), Query::Tag("vip".into()));
        assert_eq!(classify("＃vip"), Query::Tag("vip".into()));
        assert_eq!(
            classify("Wang@Example"),
            Query::Email("wang@example".into())
        );
        assert_eq!(
            classify("138-1234 5678"),
            Query::Digits("13812345678".into())
        );
        assert_eq!(classify("+86 138"), Query::Digits("86138".into()));
        assert_eq!(classify("５６７８"), Query::Digits("5678".into()));
        assert_eq!(classify("C0000123"), Query::Text("c0000123".into()));
        assert_eq!(classify("王秀英"), Query::Text("王秀英".into()));
    }

    #[test]
    fn ranges() {
        assert_eq!(reversed("12345"), "54321");
        let upper = prefix_upper_bound("wxy");
        assert!("wxy" < upper.as_str() && "wxyz" < upper.as_str() && "wxz" > upper.as_str());
    }
}
