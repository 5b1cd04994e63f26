//! The one sanitiser every string from the database or an import goes through before it is
//! drawn or printed (DESIGN §6): control characters, terminal escape sequences and bidi
//! overrides never reach the terminal.

use std::borrow::Cow;

/// Bidirectional embedding, override and isolate controls, which can make text display in an
/// order other than it is stored.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// One line of text: escape sequences removed, line breaks and tabs become spaces, other
/// control and bidi characters removed.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// Like [`sanitize`] but keeps line breaks, for notes and summaries.
pub fn sanitize_multiline(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

fn clean(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // ESC: skip the whole sequence. CSI (ESC [) runs to a final byte @..~; OSC, DCS,
            // SOS, PM and APC (ESC ] P X ^ _) run to BEL or ESC \; others are two characters.
            '\u{1B}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                _ => {}
            },
            '\u{9B}' => skip_csi(&mut chars),
            '\u{9D}' | '\u{90}' | '\u{98}' | '\u{9E}' | '\u{9F}' => skip_string(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\r' if keep_newlines => {}
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7E}').contains(&c) {
            break;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9C}' => break,
            '\u{1B}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// A count with its noun, the singular for one: `counted(1, "contact", "contacts")` is
/// "1 contact", `counted(2, …)` "2 contacts", `counted(0, …)` "0 contacts".
pub fn counted<N>(n: N, one: &str, many: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    if n == N::from(1) {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Width of text on a terminal, in cells (a Chinese character takes two).
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `cells` terminal cells, ending with `…` when something was cut.
pub fn truncate(s: &str, cells: usize) -> Cow<'_, str> {
    if width(s) <= cells {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > cells {
            break;
        }
        out.push(c);
        used += w;
    }
    if cells > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

/// `s` cut into pieces of at most `cells` display cells each, in order: a text wrapped by
/// hand where its continuation lines are indented. A piece ends at a space where it has one
/// (the space is dropped), so English breaks between words; Chinese has no spaces to break
/// at, so its cut falls at any character.
pub fn chunks(s: &str, cells: usize) -> Vec<String> {
    let cells = cells.max(2);
    let mut out = vec![String::new()];
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > cells {
            let last = out.last_mut().map(std::mem::take).unwrap_or_default();
            // The word being written moves to the next piece with its letters.
            let (kept, tail) = match last.rfind(' ') {
                Some(at) if c != ' ' && at > 0 => {
                    (last[..at].to_string(), last[at + 1..].to_string())
                }
                _ => (last, String::new()),
            };
            if let Some(piece) = out.last_mut() {
                *piece = kept;
            }
            used = width(&tail);
            out.push(tail);
            if c == ' ' {
                continue;
            }
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        used += w;
    }
    out
}

/// What is left of `s` after its first `cells` display cells: the visible part of a text
/// field scrolled sideways.
pub fn skip_cells(s: &str, cells: usize) -> &str {
    let mut skipped = 0;
    for (i, c) in s.char_indices() {
        if skipped >= cells {
            return &s[i..];
        }
        skipped += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    ""
}

/// A whole number with its thousands grouped: `12,345,678`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::from(if n < 0 { "-" } else { "" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `s` cut or padded with spaces to exactly `cells` terminal cells.
pub fn pad(s: &str, cells: usize) -> String {
    let cut = truncate(s, cells);
    let fill = cells.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(fill))
}

/// Rows of cells as lines whose columns line up on a terminal: every column but a row's last
/// cell padded to the widest cell of that column, by display cells (a Chinese character takes
/// two), two spaces between columns. A listing printed by the command line.
pub fn columns(rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        // A row's last cell is not padded, so it sizes no column.
        for (n, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            match widths.get_mut(n) {
                Some(w) => *w = (*w).max(width(cell)),
                None => widths.push(width(cell)),
            }
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (n, cell) in row.iter().enumerate() {
                if n + 1 < row.len() {
                    let w = widths.get(n).copied().unwrap_or(0);
                    line.push_str(cell);
                    line.push_str(&" ".repeat(w.saturating_sub(width(cell)) + 2));
                } else {
                    line.push_str(cell);
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_by_three_from_the_right() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(12_345_678), "12,345,678");
        assert_eq!(grouped(-1_234_567), "-1,234,567");
        assert_eq!(grouped(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn columns_line_up_by_display_cells() {
        let rows = vec![
            vec!["#1".to_string(), "王秀英".to_string(), "viewed".to_string()],
            vec!["#12".to_string(), "amy".to_string(), "changed".to_string()],
            vec!["#3".to_string(), "".to_string(), "".to_string()],
        ];
        assert_eq!(
            columns(&rows),
            vec![
                "#1   王秀英  viewed".to_string(),
                "#12  amy     changed".to_string(),
                "#3".to_string(),
            ]
        );
        assert!(columns(&[]).is_empty());
    }

    #[test]
    fn one_is_counted_in_the_singular() {
        assert_eq!(counted(1usize, "contact", "contacts"), "1 contact");
        assert_eq!(counted(0u64, "contact", "contacts"), "0 contacts");
        assert_eq!(counted(2i64, "entry", "entries"), "2 entries");
        assert_eq!(counted(-1i64, "entry", "entries"), "-1 entries");
    }

    #[test]
    fn skipping_cells_counts_wide_characters_as_two() {
        assert_eq!(skip_cells("王秀英abc", 2), "秀英abc");
        assert_eq!(skip_cells("王秀英abc", 6), "abc");
        assert_eq!(skip_cells("ab", 5), "");
        assert_eq!(skip_cells("ab", 0), "ab");
    }

    #[test]
    fn plain_text_is_untouched_and_not_copied() {
        assert!(matches!(
            sanitize("王秀英 Ann"),
            Cow::Borrowed("王秀英 Ann")
        ));
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(sanitize("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(sanitize("a\u{1b}]0;pwned title\u{07}b"), "ab");
        assert_eq!(
            sanitize("a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\b"),
            "alinkb"
        );
        assert_eq!(sanitize("x\u{9b}2Jy"), "xy");
        assert_eq!(sanitize("bell\u{07}\u{08}"), "bell");
    }

    #[test]
    fn bidi_overrides_and_line_breaks() {
        assert_eq!(sanitize("abc\u{202E}fed"), "abcfed");
        assert_eq!(sanitize("one\ntwo\tthree\r"), "one two three ");
        assert_eq!(sanitize_multiline("one\r\ntwo"), "one\ntwo");
    }

    #[test]
    fn widths_are_in_cells() {
        assert_eq!(width("王秀英"), 6);
        assert_eq!(pad("王秀英", 8), "王秀英  ");
        assert_eq!(pad("王秀英张", 7), "王秀英…");
        assert_eq!(width(&pad("王秀英张", 7)), 7);
        assert_eq!(pad("Ann", 5), "Ann  ");
    }

    proptest::proptest! {
        #[test]
        fn nothing_unsafe_survives(s in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}a-z]*") {
            let out = sanitize(&s);
            proptest::prop_assert!(!out.chars().any(is_unsafe));
        }
    }

    #[test]
    fn a_text_is_cut_into_pieces_by_display_cells() {
        assert_eq!(chunks("客户接受方案", 5), vec!["客户", "接受", "方案"]);
        // A word longer than a piece is cut; otherwise words stay whole.
        assert_eq!(chunks("refund ok", 4), vec!["refu", "nd", "ok"]);
        assert_eq!(
            chunks("Customer threatens to return the whole order", 20),
            vec!["Customer threatens", "to return the whole", "order"]
        );
        assert_eq!(chunks("", 4), vec![""]);
    }
}
