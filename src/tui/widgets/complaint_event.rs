//! A complaint event as the screen words it: what happened to which complaint (opened, a
//! status changed, or a step that left the status as it was), in the screen's language.

use crate::store::ComplaintEvent;
use crate::tui::i18n::I18n;

/// `complaint #12 in progress → escalated:`, `complaint #12 note to customer:`.
pub fn event_words(e: &ComplaintEvent, i18n: &I18n) -> String {
    let id = e.complaint_id.to_string();
    match (&e.from_status, &e.to_status) {
        (_, Some(to)) if e.kind == "opened" => i18n.f(
            "log.complaint_opened",
            &[("id", &id), ("status", &i18n.value("status", to))],
        ),
        (Some(from), Some(to)) if from != to => i18n.f(
            "log.complaint_status",
            &[
                ("id", &id),
                ("from", &i18n.value("status", from)),
                ("to", &i18n.value("status", to)),
            ],
        ),
        _ => {
            // A step that leaves the status as it was: its name says what happened.
            let step = match e.kind.as_str() {
                "note" if e.customer_contact => "note_to_customer",
                kind => kind,
            };
            i18n.f(
                "log.complaint_event",
                &[("id", &id), ("kind", &i18n.value("step", step))],
            )
        }
    }
}
