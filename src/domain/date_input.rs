//! Dates as people type them into forms, flags and spreadsheets.
//!
//! Accepted: ISO `2024-03-05`; `2024/3/5`, `2024.3.5`, `20240305`; Chinese `2024年3月5日`;
//! and relative forms `today`, `tomorrow`, `yesterday`, `今天`, `明天`, `+3d`, `-2d`, `+2w`, `+1m`.
//! Relative forms need "today", which the caller passes (rules never read the clock).

use chrono::{Days, Months, NaiveDate};

/// Why a date could not be read; shown after the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("is empty")]
    Empty,
    #[error("'{0}' is not a date; use YYYY-MM-DD, today, tomorrow, +3d or +2w")]
    Unreadable(String),
    #[error("'{0}' is not a day of the calendar")]
    NoSuchDay(String),
}

/// Parses a date typed by a person. `today` anchors the relative forms.
pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let text: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' => '-',
            '＋' => '+',
            '／' => '/',
            _ => c,
        })
        .collect::<String>()
        .to_lowercase();
    if text.is_empty() {
        return Err(DateError::Empty);
    }
    match text.as_str() {
        "today" | "今天" | "今日" => return Ok(today),
        "tomorrow" | "明天" => {
            return today
                .checked_add_days(Days::new(1))
                .ok_or(unreadable(input))
        }
        "yesterday" | "昨天" => {
            return today
                .checked_sub_days(Days::new(1))
                .ok_or(unreadable(input))
        }
        _ => {}
    }
    if let Some(date) = relative(&text, today) {
        return date.ok_or_else(|| unreadable(input));
    }
    let parts: Vec<&str> = if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        vec![&text[0..4], &text[4..6], &text[6..8]]
    } else {
        text.trim_end_matches('日')
            .split(['-', '/', '.', '年', '月'])
            .collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(unreadable(input));
    };
    let number = |s: &str| s.trim().parse::<u32>().ok();
    match (number(y), number(m), number(d)) {
        (Some(y), Some(m), Some(d)) if (1000..=9999).contains(&y) => {
            NaiveDate::from_ymd_opt(y as i32, m, d)
                .ok_or_else(|| DateError::NoSuchDay(input.trim().to_string()))
        }
        _ => Err(unreadable(input)),
    }
}

fn unreadable(input: &str) -> DateError {
    DateError::Unreadable(input.trim().to_string())
}

/// `+3d`, `-2w`, `+1m`, `3d`: None when the text is not of that form, Some(None) on overflow.
fn relative(text: &str, today: NaiveDate) -> Option<Option<NaiveDate>> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1i64, &text[1..]),
        b'-' => (-1i64, &text[1..]),
        _ => (1i64, text),
    };
    let unit = rest.chars().last()?;
    let amount: u32 = rest[..rest.len() - unit.len_utf8()].trim().parse().ok()?;
    let date = match (unit, sign) {
        ('d' | '天', 1) => today.checked_add_days(Days::new(amount.into())),
        ('d' | '天', _) => today.checked_sub_days(Days::new(amount.into())),
        ('w' | '周', 1) => today.checked_add_days(Days::new(u64::from(amount) * 7)),
        ('w' | '周', _) => today.checked_sub_days(Days::new(u64::from(amount) * 7)),
        ('m', 1) => today.checked_add_months(Months::new(amount)),
        ('m', _) => today.checked_sub_months(Months::new(amount)),
        _ => return None,
    };
    Some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn absolute_forms() {
        let t = day(2026, 11, 23);
        for text in [
            "2024-03-05",
            "2024/3/5",
            "2024.03.05",
            "20240305",
            "2024年3月5日",
            "２０２４－０３－０５",
        ] {
            assert_eq!(parse_date(text, t), Ok(day(2024, 3, 5)), "{text}");
        }
    }

    #[test]
    fn relative_forms() {
        let t = day(2026, 11, 23);
        assert_eq!(parse_date("today", t), Ok(t));
        assert_eq!(parse_date("Tomorrow", t), Ok(day(2026, 11, 24)));
        assert_eq!(parse_date("明天", t), Ok(day(2026, 11, 24)));
        assert_eq!(parse_date("+3d", t), Ok(day(2026, 11, 26)));
        assert_eq!(parse_date("-2d", t), Ok(day(2026, 11, 21)));
        assert_eq!(parse_date("+2w", t), Ok(day(2026, 12, 7)));
        assert_eq!(parse_date("+1m", t), Ok(day(2026, 12, 23)));
    }

    #[test]
    fn refusals_say_why() {
        let t = day(2026, 11, 23);
        assert_eq!(parse_date(" ", t), Err(DateError::Empty));
        assert_eq!(
            parse_date("2024-02-30", t),
            Err(DateError::NoSuchDay("2024-02-30".into()))
        );
        let err = parse_date("next tuesday", t).unwrap_err().to_string();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
        assert!(parse_date("24-3-5", t).is_err());
        assert!(parse_date("+99999999999d", t).is_err());
    }
}
