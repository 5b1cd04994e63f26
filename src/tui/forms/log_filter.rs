//! The desk log's filters as a small form: operator, channel, wrap-up code, dates.

use super::{FormKind, Saved};
use crate::domain::customer::Channel;
use crate::domain::date_input::parse_date;
use crate::domain::interaction::LogRules;
use crate::store::LogFilter;
use crate::tui::component::Msg;
use crate::tui::desk::Desk;
use crate::tui::i18n::{I18n, Lang};
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

/// The form, filled with the filters in force.
pub fn form(filter: &LogFilter, login: Option<&str>, rules: &LogRules, i18n: &I18n) -> Form {
    let chinese = i18n.lang == Lang::ZhCn;
    let mut channels = vec![""];
    channels.extend(Channel::ALL.iter().map(|c| c.as_str()));
    let mut codes = vec![String::new()];
    let mut labels = vec![i18n.t("form.all").to_string()];
    for d in &rules.dispositions {
        codes.push(d.code.clone());
        labels.push(d.label(chinese).to_string());
    }
    let mut form = Form::new(
        FormKind::LogFilter,
        vec![
            Field::new("operator", "field.operator", FieldKind::Text),
            Field::new(
                "channel",
                "field.channel",
                FieldKind::Choice(Choices::of("channel_filter", &channels)),
            ),
            Field::new(
                "disposition",
                "field.disposition",
                FieldKind::Choice(Choices::given(codes, labels)),
            ),
            Field::new("from", "field.from", FieldKind::Date),
            Field::new("to", "field.to", FieldKind::Date),
        ],
    );
    form.set("operator", login.unwrap_or(""));
    if let Some(c) = filter.channel {
        form.set("channel", c.as_str());
    }
    if let Some(d) = &filter.disposition {
        form.set("disposition", d);
    }
    if let Some(d) = filter.from {
        form.set("from", &d.to_string());
    }
    if let Some(d) = filter.to {
        form.set("to", &d.to_string());
    }
    form
}

/// Ctrl-S: the filters go to the Log pane; every field in error is marked at once.
pub fn apply(form: &mut Form, desk: &mut Desk) -> Saved {
    let today = desk.today();
    let mut ok = form.check_basics(&desk.i18n, today);
    let login = form.value("operator");
    let from = parse_date(&form.value("from"), today).ok();
    let to = parse_date(&form.value("to"), today).ok();
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            form.set_error("to", desk.i18n.t("form.to_before_from").to_string());
            ok = false;
        }
    }
    let operator_id = if login.is_empty() {
        None
    } else {
        match desk.store.operator_by_login(&login) {
            Ok(Some(op)) => Some(op.id),
            Ok(None) => {
                let text = desk.i18n.f("form.no_operator", &[("login", &login)]);
                form.set_error("operator", text);
                ok = false;
                None
            }
            Err(e) => {
                desk.store_error(&e);
                return Saved::Open;
            }
        }
    };
    if !ok {
        return Saved::Open;
    }
    let filter = LogFilter {
        operator_id,
        channel: form.value("channel").parse().ok(),
        disposition: Some(form.value("disposition")).filter(|d| !d.is_empty()),
        from,
        to,
        ..LogFilter::default()
    };
    desk.post(Msg::LogFiltered {
        filter,
        login: Some(login).filter(|l| !l.is_empty()),
    });
    Saved::Closed
}
