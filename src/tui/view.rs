//! What a pane may read while it draws: the theme, the language, the clock and the time zone
//! (and the centre's own wrap-up labels, which are part of its language). Nothing here reaches
//! the database, so drawing can never query, block or change anything.

use chrono::{DateTime, FixedOffset, Utc};

use super::i18n::{I18n, Lang};
use super::theme::Theme;
use crate::domain::interaction::LogRules;

#[derive(Clone, Copy)]
pub struct View<'a> {
    pub theme: &'a Theme,
    pub i18n: &'a I18n,
    /// The wrap-up codes the centre configured, with their labels.
    pub rules: &'a LogRules,
    pub now: DateTime<Utc>,
    pub tz: FixedOffset,
    /// The pane being drawn has the keyboard (no dialog over it).
    pub focused: bool,
}

#[cfg(test)]
impl<'a> View<'a> {
    /// A view for unit tests: focused, at `now`, in Shanghai's time zone (UTC+8).
    pub fn for_test(
        theme: &'a Theme,
        i18n: &'a I18n,
        rules: &'a LogRules,
        now: DateTime<Utc>,
    ) -> Self {
        View {
            theme,
            i18n,
            rules,
            now,
            tz: FixedOffset::east_opt(8 * 3600).expect("UTC+8 is an offset"),
            focused: true,
        }
    }
}

impl View<'_> {
    /// The same view for a pane with or without the keyboard.
    pub fn focus(&self, focused: bool) -> Self {
        View { focused, ..*self }
    }

    /// The wrap-up code's label in the screen's language (the code itself if the config no
    /// longer lists it). The catalogue's short label fits list columns; a code of the
    /// centre's own has only the label its config gives.
    pub fn disposition_label(&self, code: &str) -> String {
        let key = format!("disposition.{code}");
        let short = self.i18n.t(&key);
        if short != key {
            return short.to_string();
        }
        match self.rules.disposition(code) {
            Some(d) => d.label(self.i18n.lang == Lang::ZhCn).to_string(),
            None => code.to_string(),
        }
    }

    /// The day it is where the desk is.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }
}
