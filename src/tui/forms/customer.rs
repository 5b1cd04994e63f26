//! The new-customer and edit-customer forms: which fields they show and how those map to and
//! from a customer record. Contacts the form does not show (a third phone, WeChat …) are kept
//! as they were.

use chrono::NaiveDate;

use super::{mark_errors, Duplicated, FormKind, Saved};
use crate::domain::contact::ContactKind;
use crate::domain::customer::{Channel, ContactInput, CustomerFields, FieldError, Level};
use crate::domain::date_input::parse_date;
use crate::domain::operator::Permission;
use crate::domain::search_key::{classify, Query};
use crate::store::{Customer, DuplicateWarning, StoreError};
use crate::tui::component::Msg;
use crate::tui::desk::Desk;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

fn fields() -> Vec<Field> {
    let mut channels = vec![""];
    channels.extend(Channel::ALL.iter().map(|c| c.as_str()));
    vec![
        Field::new("name", "field.name", FieldKind::Text).required(),
        Field::new("phone", "field.phone", FieldKind::Text),
        Field::new("phone2", "field.phone2", FieldKind::Text),
        Field::new("email", "field.email", FieldKind::Text),
        Field::new("company", "field.company", FieldKind::Text),
        Field::new("birthday", "field.birthday", FieldKind::Date),
        Field::new(
            "level",
            "field.level",
            FieldKind::Choice(Choices::of("level", &["normal", "vip"])),
        ),
        // Name and code only for operators without a grant (a supervisor's to set).
        Field::new(
            "confidential",
            "field.confidential",
            FieldKind::Choice(Choices::of("yesno", &["no", "yes"])),
        ),
        Field::new(
            "preferred_channel",
            "field.preferred_channel",
            FieldKind::Choice(Choices::of("channel", &channels)),
        ),
        Field::new("tags", "field.tags", FieldKind::Text),
        Field::new(
            "do_not_contact",
            "field.do_not_contact",
            FieldKind::Choice(Choices::of("yesno", &["no", "yes"])),
        ),
        Field::new(
            "marketing_consent",
            "field.marketing_consent",
            FieldKind::Choice(Choices::of("yesno", &["no", "yes"])),
        ),
        // How consent given or withdrawn came: asked afresh with every change (blank until
        // then; the card shows the one on record).
        Field::new(
            "consent_channel",
            "field.consent_channel",
            FieldKind::Choice(Choices::of(
                "consent_channel",
                &[
                    "",
                    "phone",
                    "sms",
                    "email",
                    "wechat",
                    "in_person",
                    "web",
                    "paper",
                ],
            )),
        ),
        Field::new("address", "field.address", FieldKind::Text),
        Field::new("notes", "field.notes", FieldKind::Notes),
    ]
}

/// An empty new-customer form, prefilled from what was typed in the search box: digits go
/// to the phone, other text to the name.
pub fn new_customer(prefill: &str) -> Form {
    let mut form = Form::new(FormKind::NewCustomer, fields());
    let prefill = prefill.trim();
    match classify(prefill) {
        Query::Empty => {}
        Query::Digits(_) => {
            form.set("phone", prefill);
            form.focus = 0;
        }
        Query::Email(_) => form.set("email", prefill),
        Query::Tag(tag) => form.set("tags", &tag),
        Query::Text(_) => {
            form.set("name", prefill);
            form.focus = 1;
        }
    }
    form
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// An edit form filled from the record as it is now.
pub fn edit_customer(customer: &Customer) -> Form {
    let mut form = Form::new(FormKind::EditCustomer, fields());
    form.entity_id = customer.id;
    form.version = customer.version;
    fill(&mut form, customer);
    form
}

/// Puts a record's values into the form's fields.
pub fn fill(form: &mut Form, customer: &Customer) {
    let f = &customer.fields;
    let phones: Vec<&ContactInput> = f
        .contacts
        .iter()
        .filter(|c| c.kind == ContactKind::Phone)
        .collect();
    let email = f.contacts.iter().find(|c| c.kind == ContactKind::Email);
    form.set("name", &f.name);
    form.set(
        "phone",
        phones.first().map(|c| c.value.as_str()).unwrap_or(""),
    );
    form.set(
        "phone2",
        phones.get(1).map(|c| c.value.as_str()).unwrap_or(""),
    );
    form.set("email", email.map(|c| c.value.as_str()).unwrap_or(""));
    form.set("company", f.company.as_deref().unwrap_or(""));
    form.set(
        "birthday",
        &f.birthday.map(|d| d.to_string()).unwrap_or_default(),
    );
    form.set("level", f.level.as_str());
    form.set("confidential", yes_no(f.confidential));
    form.set(
        "preferred_channel",
        f.preferred_channel.map(|c| c.as_str()).unwrap_or(""),
    );
    form.set("tags", &f.tags.join(" "));
    form.set("do_not_contact", yes_no(f.do_not_contact));
    form.set("marketing_consent", yes_no(f.marketing_consent));
    form.set("address", f.address.as_deref().unwrap_or(""));
    form.set("notes", f.notes.as_deref().unwrap_or(""));
    form.remember_original();
}

fn optional(text: String) -> Option<String> {
    if text.is_empty() {
        None
    } else {
        Some(text)
    }
}

/// The contacts the form holds, in order: phone, phone 2, email.
pub fn typed_contacts(form: &Form) -> Vec<ContactInput> {
    let mut out = Vec::new();
    for (key, kind) in [
        ("phone", ContactKind::Phone),
        ("phone2", ContactKind::Phone),
        ("email", ContactKind::Email),
    ] {
        let value = form.value(key);
        if !value.is_empty() {
            out.push(ContactInput {
                kind,
                value,
                label: None,
            });
        }
    }
    out
}

/// The record the form describes: `base` (the record being edited, or defaults) with the
/// form's fields over it. Returns the field key of a date that does not parse.
pub fn to_fields(
    form: &Form,
    base: Option<&CustomerFields>,
    today: NaiveDate,
) -> Result<CustomerFields, &'static str> {
    let mut fields = base.cloned().unwrap_or_default();
    // Only what the operator changed is written over the record as it is now, so that a
    // colleague's change to another field is never undone.
    let changed = |key: &str| base.is_none() || form.changed(key);
    if changed("name") {
        fields.name = form.value("name");
    }
    if changed("company") {
        fields.company = optional(form.value("company"));
    }
    if changed("birthday") {
        fields.birthday = match form.value("birthday") {
            v if v.is_empty() => None,
            v => Some(parse_date(&v, today).map_err(|_| "birthday")?),
        };
    }
    if changed("level") {
        fields.level = if form.value("level") == "vip" {
            Level::Vip
        } else {
            Level::Normal
        };
    }
    if changed("confidential") {
        fields.confidential = form.value("confidential") == "yes";
    }
    if changed("preferred_channel") {
        fields.preferred_channel = form.value("preferred_channel").parse::<Channel>().ok();
    }
    if changed("tags") {
        fields.tags = form
            .value("tags")
            .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
            .map(|t| t.trim_start_matches('#').trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
    }
    if changed("do_not_contact") {
        fields.do_not_contact = form.value("do_not_contact") == "yes";
    }
    if changed("marketing_consent") {
        let consent = form.value("marketing_consent") == "yes";
        if consent != fields.marketing_consent {
            // How it came: chosen with the change, never the one on record carried over.
            fields.consent_channel = form
                .value("consent_channel")
                .parse::<crate::domain::customer::ConsentChannel>()
                .ok();
        }
        if consent && !fields.marketing_consent {
            fields.consent_date = Some(today);
        }
        // Consent withdrawn: the day it was given goes with it (the audit keeps the change).
        if !consent {
            fields.consent_date = None;
        }
        fields.marketing_consent = consent;
    }
    if changed("address") {
        fields.address = optional(form.value("address"));
    }
    if changed("notes") {
        fields.notes = optional(
            form.field("notes")
                .map(|f| f.value().trim_end().to_string())
                .unwrap_or_default(),
        );
    }
    if changed("phone") || changed("phone2") || changed("email") {
        // The form's phone, phone 2 and email replace the first two phones and the first
        // email; every other contact stays.
        let mut kept_phones = 0;
        let mut kept_emails = 0;
        let others: Vec<ContactInput> = fields
            .contacts
            .iter()
            .filter(|c| match c.kind {
                ContactKind::Phone => {
                    kept_phones += 1;
                    kept_phones > 2
                }
                ContactKind::Email => {
                    kept_emails += 1;
                    kept_emails > 1
                }
                _ => true,
            })
            .cloned()
            .collect();
        let mut contacts = typed_contacts(form);
        contacts.extend(others);
        fields.contacts = contacts;
    }
    Ok(fields)
}

/// The level the record has (a new one: normal), as the form writes it.
fn base_level(base: &Option<CustomerFields>) -> &'static str {
    base.as_ref().map(|b| b.level).unwrap_or_default().as_str()
}

/// Which form field a store validation message belongs to (`phone 2` → `phone2`); `None`
/// for a field the form does not show.
pub fn field_of(store_field: &str) -> Option<&'static str> {
    Some(match store_field {
        "name" => "name",
        "phone" => "phone",
        "phone 2" => "phone2",
        "email" => "email",
        "company" => "company",
        "birthday" => "birthday",
        "tags" => "tags",
        "address" => "address",
        "notes" => "notes",
        "consent_channel" => "consent_channel",
        _ => return None,
    })
}

/// The typed phones and emails other customers hold already: on an edit only those the
/// operator changed (a number already shared is not asked about at every save).
fn duplicates(form: &Form, desk: &mut Desk) -> Vec<DuplicateWarning> {
    let edit = form.kind == FormKind::EditCustomer;
    let mut contacts = typed_contacts(form);
    if edit {
        let changed: Vec<String> = ["phone", "phone2", "email"]
            .into_iter()
            .filter(|k| form.changed(k))
            .map(|k| form.value(k))
            .collect();
        contacts.retain(|c| changed.contains(&c.value));
    }
    if contacts.is_empty() {
        return Vec::new();
    }
    let except = edit.then_some(form.entity_id);
    match desk.store.find_duplicates(&contacts, except) {
        Ok(found) => found,
        Err(e) => {
            // The save goes on (the store does not refuse duplicates); say why nobody asked.
            desk.store_error(&e);
            Vec::new()
        }
    }
}

/// Ctrl-S: every field the form or the store refuses is marked at once; a phone or email other
/// customers hold is asked about before anything is written (`duplicated`); a record saved is
/// opened on its card.
pub fn save(form: &mut Form, duplicated: Duplicated, desk: &mut Desk) -> Saved {
    let today = desk.today();
    let basics = form.check_basics(&desk.i18n, today);
    let base = if form.entity_id != 0 {
        match desk.store.customer(&desk.actor, form.entity_id) {
            Ok(c) => Some(c.fields),
            Err(e) => {
                desk.store_error(&e);
                return Saved::Open;
            }
        }
    } else {
        None
    };
    // A date that does not read is marked, and the rest is still checked without it, so that
    // every bad field shows at the first save.
    let mut probe = form.clone();
    let mut dates_ok = true;
    let fields = loop {
        match to_fields(&probe, base.as_ref(), today) {
            Ok(fields) => break Some(fields),
            Err(key) if probe.value(key).is_empty() => break None,
            Err(key) => {
                form.set_error(key, desk.i18n.t("form.bad_date").to_string());
                probe.set(key, "");
                dates_ok = false;
            }
        }
    };
    let mut ok = basics && dates_ok && fields.is_some();
    // Consent given with a new record says how it came, as an edit's change does.
    if fields.as_ref().is_some_and(|f| {
        form.kind == FormKind::NewCustomer && f.marketing_consent && f.consent_channel.is_none()
    }) {
        form.set_error(
            "consent_channel",
            desk.i18n.t("form.consent_channel_needed").to_string(),
        );
        ok = false;
    }
    // A level or confidentiality the operator may not set is marked on its field, with who
    // may (the store refuses it too, and audits the refusal, if it is saved anyway).
    if let Some(fields) = &fields {
        let needed = match &base {
            Some(before) => crate::domain::customer::edit_permissions(before, fields),
            None => crate::domain::customer::create_permissions(fields),
        };
        for p in needed.into_iter().filter(|p| !desk.actor.may(*p)) {
            let keys: &[&str] = match p {
                Permission::SetLevel => &["level"],
                Permission::SetConfidential => &["confidential"],
                Permission::CreateVipOrConfidential => &["level", "confidential"],
                _ => &[],
            };
            let role = desk.i18n.value("role", p.least_role().as_str());
            for key in keys {
                let marked = match *key {
                    "level" => form.value("level") != base_level(&base),
                    _ => {
                        (form.value("confidential") == "yes")
                            != base.as_ref().is_some_and(|b| b.confidential)
                    }
                };
                if marked {
                    let text = desk
                        .i18n
                        .f(&format!("form.{key}_needs"), &[("role", &role)]);
                    form.set_error(key, text);
                    ok = false;
                }
            }
        }
    }
    if let Some(fields) = &fields {
        let editing = (form.kind == FormKind::EditCustomer).then_some(form.entity_id);
        // The rest is checked as if the level were left as it was: every other bad field
        // shows at the same save.
        let mut rest = fields.clone();
        let marked = |key: &str| form.field(key).is_some_and(|f| f.error.is_some());
        if marked("level") {
            rest.level = base.as_ref().map(|b| b.level).unwrap_or_default();
        }
        if marked("confidential") {
            rest.confidential = base.as_ref().is_some_and(|b| b.confidential);
        }
        match desk.store.check_customer(&desk.actor, editing, &rest) {
            Ok(()) => {}
            Err(StoreError::Invalid(errors)) => {
                let errors = placed(form, errors);
                mark_errors(form, &errors, field_of, desk);
                ok = false;
            }
            Err(e) => {
                desk.store_error(&e);
                return Saved::Open;
            }
        }
    }
    let (true, Some(fields)) = (ok, fields) else {
        desk.error_t("form.fix_fields");
        return Saved::Open;
    };
    if duplicated == Duplicated::Ask {
        let found = duplicates(form, desk);
        if !found.is_empty() {
            return Saved::Duplicates(found);
        }
    }
    let (id, version) = (form.entity_id, form.version);
    let saved = if form.kind == FormKind::EditCustomer {
        desk.store.edit_customer(&desk.actor, id, version, &fields)
    } else {
        desk.store.create_customer(&desk.actor, &fields)
    };
    match saved {
        Ok(mut saved) => {
            desk.own_write();
            let mut text = desk.i18n.f(
                "form.saved",
                &[("code", &saved.code), ("name", &fields.name)],
            );
            if let Duplicated::MergeInto(keep) = duplicated {
                match merge_into(keep, &saved, desk) {
                    Some((id, merged)) => {
                        saved.id = id;
                        saved.warnings.clear();
                        text = merged;
                    }
                    None => return Saved::Closed,
                }
            }
            if let Some(d) = saved.warnings.first() {
                text.push_str(" · ");
                text.push_str(&desk.i18n.f(
                    "form.duplicate",
                    &[("value", &d.value), ("code", &d.code), ("name", &d.name)],
                ));
            }
            desk.post(Msg::OpenCustomer {
                id: saved.id,
                focus: true,
            });
            // The new number may answer a recent call, and the record a search.
            desk.post(Msg::DataChanged);
            if form.kind == FormKind::NewCustomer && desk.call.as_ref().is_some_and(|c| c.from_pop)
            {
                // The caller was new: now log the call itself.
                desk.post(Msg::LogContact {
                    customer: saved.id,
                    reply_on: None,
                    reminder: None,
                });
            }
            if saved.warnings.is_empty() {
                desk.info(text);
            } else {
                desk.warn(text);
            }
            Saved::Closed
        }
        Err(StoreError::Conflict(message)) => {
            tracing::info!("save conflict: {message}");
            Saved::Conflict(conflict_text(form, desk))
        }
        Err(StoreError::Invalid(errors)) => {
            let errors = placed(form, errors);
            super::refused(form, StoreError::Invalid(errors), field_of, desk)
        }
        Err(e) => super::refused(form, e, field_of, desk),
    }
}

/// The store's refusals with each phone's named by the form field it was typed in: the store
/// counts the phones given (`phone`, `phone 2`), and an empty Phone leaves Phone 2's number
/// the first.
fn placed(form: &Form, mut errors: Vec<FieldError>) -> Vec<FieldError> {
    let typed: Vec<&str> = ["phone", "phone2"]
        .into_iter()
        .filter(|key| !form.value(key).trim().is_empty())
        .collect();
    for e in &mut errors {
        let n = match e.field.as_str() {
            "phone" => 0,
            "phone 2" => 1,
            _ => continue,
        };
        if let Some(key) = typed.get(n) {
            e.field = if *key == "phone" { "phone" } else { "phone 2" }.to_string();
        }
    }
    errors
}

/// The record just created merged into `keep`: the kept record's id and what to say, or `None`
/// (with the reason on the message line and the new record opened) when the store refused.
fn merge_into(keep: i64, saved: &crate::store::Saved, desk: &mut Desk) -> Option<(i64, String)> {
    match desk.store.merge_customers(&desk.actor, keep, saved.id) {
        Ok(_) => {
            desk.own_write();
            let survivor = desk
                .store
                .customer(&desk.actor, keep)
                .map(|c| c.code)
                .unwrap_or_default();
            Some((
                keep,
                desk.i18n
                    .f("form.merged", &[("code", &saved.code), ("into", &survivor)]),
            ))
        }
        Err(e) => {
            desk.post(Msg::OpenCustomer {
                id: saved.id,
                focus: true,
            });
            desk.post(Msg::DataChanged);
            let reason = crate::tui::field_errors::store(&e, &desk.i18n);
            let text = desk.i18n.f(
                "form.not_merged",
                &[("code", &saved.code), ("reason", &reason)],
            );
            desk.error(text);
            None
        }
    }
}

/// What the conflict dialog says, one line each: who saved first and when, then every field
/// whose saved value differs from what this form holds (theirs → mine).
fn conflict_text(form: &Form, desk: &mut Desk) -> String {
    let id = form.entity_id;
    let theirs = match desk.store.customer(&desk.actor, id) {
        Ok(c) => c,
        Err(e) => return crate::tui::field_errors::store(&e, &desk.i18n),
    };
    let i18n = &desk.i18n;
    let who = match desk.store.last_change("customer", id) {
        Ok(Some(change)) => {
            let name = change
                .name
                .map(|n| format!("{n} ({})", change.login))
                .unwrap_or(change.login);
            let when = change
                .at
                .with_timezone(&desk.settings.tz)
                .format("%Y-%m-%d %H:%M")
                .to_string();
            i18n.f(
                "dialog.conflict_by",
                &[("code", &theirs.code), ("who", &name), ("when", &when)],
            )
        }
        _ => i18n.f("dialog.conflict", &[("code", &theirs.code)]),
    };
    let saved = edit_customer(&theirs);
    let mut lines = vec![who];
    let differ: Vec<String> = form
        .fields
        .iter()
        .filter(|f| saved.value(f.key) != form.value(f.key))
        .map(|f| {
            let shown = |v: String| if v.is_empty() { "—".to_string() } else { v };
            i18n.f(
                "dialog.conflict_field",
                &[
                    ("field", i18n.t(f.label)),
                    ("theirs", &shown(saved.value(f.key))),
                    ("mine", &shown(form.value(f.key))),
                ],
            )
        })
        .collect();
    if differ.is_empty() {
        lines.push(i18n.t("dialog.conflict_same").to_string());
    } else {
        lines.push(i18n.t("dialog.conflict_differ").to_string());
        lines.extend(differ);
    }
    lines.join("\n")
}

/// While a phone or email is typed: the customers who already have it, as notices.
pub fn warn_duplicates(form: &mut Form, desk: &mut Desk) {
    let key = form.focused().map(|f| f.key).unwrap_or("");
    if !matches!(key, "phone" | "phone2" | "email") {
        return;
    }
    let contacts = typed_contacts(form);
    let except = (form.entity_id != 0).then_some(form.entity_id);
    form.notices = match desk.store.find_duplicates(&contacts, except) {
        Ok(found) => found
            .iter()
            .map(|d| {
                desk.i18n.f(
                    "form.duplicate",
                    &[("value", &d.value), ("code", &d.code), ("name", &d.name)],
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
}

/// After a conflict: takes the record's new version; `reapply` keeps what was typed, otherwise
/// the form shows the record as saved. False when the record cannot be read.
pub fn reload(form: &mut Form, reapply: bool, desk: &mut Desk) -> bool {
    match desk.store.customer(&desk.actor, form.entity_id) {
        Ok(customer) => {
            form.version = customer.version;
            if reapply {
                desk.info_t("conflict.reapplied");
            } else {
                fill(form, &customer);
                form.dirty = false;
                form.notices.clear();
                desk.info_t("conflict.reloaded");
            }
            true
        }
        Err(e) => {
            desk.store_error(&e);
            false
        }
    }
}

/// `e`: the edit form of a customer, unless the record may not be edited here.
pub fn edit_form(id: i64, desk: &mut Desk) -> Option<Form> {
    match desk.store.customer(&desk.actor, id) {
        Ok(customer) if customer.restricted => {
            desk.error_t("card.restricted_edit");
            None
        }
        Ok(customer) if customer.merged_into.is_some() => {
            let survivor = customer.merged_into.clone().unwrap_or_default();
            let text = desk.i18n.f("card.merged", &[("code", &survivor)]);
            desk.error(text);
            None
        }
        Ok(customer) => Some(edit_customer(&customer)),
        Err(e) => {
            desk.store_error(&e);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefill_puts_digits_in_the_phone_and_text_in_the_name() {
        assert_eq!(new_customer("13800138000").value("phone"), "13800138000");
        assert_eq!(new_customer("王秀英").value("name"), "王秀英");
        assert_eq!(new_customer("a@b.cn").value("email"), "a@b.cn");
        assert_eq!(new_customer("").value("name"), "");
    }

    #[test]
    fn edits_keep_contacts_the_form_does_not_show() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        let mut base = CustomerFields {
            name: "王芳".into(),
            ..Default::default()
        };
        for (kind, value) in [
            (ContactKind::Phone, "13800000001"),
            (ContactKind::Phone, "13800000002"),
            (ContactKind::Phone, "13800000003"),
            (ContactKind::Wechat, "wf_1988"),
            (ContactKind::Email, "a@b.cn"),
        ] {
            base.contacts.push(ContactInput {
                kind,
                value: value.into(),
                label: None,
            });
        }
        let mut form = Form::new(FormKind::EditCustomer, fields());
        form.set("name", "王芳芳");
        form.set("phone", "13900000009");
        form.set("email", "new@b.cn");
        form.set("tags", "#vip, 老客户 late");
        form.set("birthday", "1990-02-03");
        let out = to_fields(&form, Some(&base), today).expect("fields");
        let values: Vec<&str> = out.contacts.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(
            values,
            vec!["13900000009", "new@b.cn", "13800000003", "wf_1988"]
        );
        assert_eq!(out.tags, vec!["vip", "老客户", "late"]);
        assert_eq!(out.name, "王芳芳");
        form.set("birthday", "someday");
        assert_eq!(to_fields(&form, Some(&base), today), Err("birthday"));
    }
}
