//! Masking by permission (issue 15, DESIGN §6): phones, emails, other contact IDs and the
//! address are masked in every list and export, and on the card for whoever the site's
//! `[privacy] full_contacts` does not let see them in full; an edit by someone shown masks
//! keeps the stored values. On real database files, through the store and the real binary.

mod common;

use careline::domain::contact::ContactKind;
use careline::domain::customer::{ContactInput, CustomerFields};
use careline::domain::interaction::FollowUpScope;
use careline::domain::operator::PrivacyRules;
use careline::store::{
    Actor, AuditFilter, CareFilter, NewReminder, OpenOptions, Role, Store, StoreError,
};
use common::{count, email, fixed_now, phone, Sandbox, TempDb};

const MOBILE: &str = "13812345678";
const LANDLINE: &str = "010-6666 8888 ext 12";
const EMAIL: &str = "Wang.XY@Example.com";
const WECHAT: &str = "wangxy88";
const ADDRESS: &str = "北京市朝阳区建国路88号";

// Each masked as written in the rule: a phone keeps the first 3 and last 4 digits of its
// national number (the extension never shows), an email the first letter of its name, any
// other ID two characters at each end, a Chinese address its first six characters.
const MOBILE_MASKED: &str = "138****5678";
const LANDLINE_MASKED: &str = "010****8888";
const EMAIL_MASKED: &str = "w***@example.com";
const WECHAT_MASKED: &str = "wa***88";
const ADDRESS_MASKED: &str = "北京市朝阳区****";

/// Opens the database at `path` with `[privacy] full_contacts = full_contacts`.
fn open_with(path: &std::path::Path, full_contacts: &str) -> Store {
    let mut store = Store::open(
        path,
        OpenOptions {
            privacy: PrivacyRules::parse(full_contacts).expect("a role"),
            ..OpenOptions::default()
        },
    )
    .expect("open");
    store.set_clock(careline::store::Clock::Fixed(fixed_now()));
    store
}

/// A desk with its admin (boss), an operator (li.na) and a supervisor (zhang.wei), and
/// Wang Xiaoyu (every kind of contact and an address) and Zhao Lei, who shares no number.
struct Desk {
    db: TempDb,
    admin: Actor,
    wang: i64,
}

fn desk() -> Desk {
    let db = TempDb::new();
    let mut store = db.open();
    let admin = store.init_admin(common::ADMIN, "The Boss").expect("init");
    store
        .add_operator(&admin, "li.na", "李娜", Role::Operator)
        .expect("operator");
    store
        .add_operator(&admin, "zhang.wei", "张伟", Role::Supervisor)
        .expect("supervisor");
    let wang = store
        .create_customer(
            &admin,
            &CustomerFields {
                name: "王小雨".into(),
                address: Some(ADDRESS.into()),
                region: Some("北京".into()),
                contacts: vec![
                    phone(MOBILE),
                    phone(LANDLINE),
                    email(EMAIL),
                    ContactInput {
                        kind: ContactKind::Wechat,
                        value: WECHAT.into(),
                        label: None,
                    },
                ],
                ..CustomerFields::default()
            },
        )
        .expect("create")
        .id;
    store
        .create_customer(
            &admin,
            &common::customer("赵磊", vec![phone("13900001111")]),
        )
        .expect("create");
    Desk { db, admin, wang }
}

fn actor(store: &Store, login: &str) -> Actor {
    store.actor(login, None).expect("registered")
}

/// What a card shows of the contacts: (the displayed form, the form an edit starts from).
fn shown(store: &mut Store, who: &Actor, id: i64) -> (Vec<String>, Vec<String>, Option<String>) {
    let card = store.card(who, id).expect("card");
    let c = card.customer;
    (
        c.contacts_normalized
            .iter()
            .map(|k| k.display.clone())
            .collect(),
        c.fields.contacts.iter().map(|k| k.value.clone()).collect(),
        c.fields.address,
    )
}

#[test]
fn the_card_masks_contacts_for_roles_below_the_sites_setting() {
    let d = desk();
    let full_display = vec![
        "138 1234 5678".to_string(),
        "010-6666 8888 ext 12".into(),
        "wang.xy@example.com".into(),
        WECHAT.into(),
    ];
    let masked: Vec<String> = [MOBILE_MASKED, LANDLINE_MASKED, EMAIL_MASKED, WECHAT_MASKED]
        .map(String::from)
        .to_vec();

    // The default: operators see contacts in full, as everyone does.
    let mut store = open_with(&d.db.path, "operator");
    let li = actor(&store, "li.na");
    let (display, values, address) = shown(&mut store, &li, d.wang);
    assert_eq!(display, full_display);
    assert_eq!(values, [MOBILE, LANDLINE, EMAIL, WECHAT]);
    assert_eq!(address.as_deref(), Some(ADDRESS));
    assert!(!store.customer(&li, d.wang).expect("read").contacts_masked);
    drop(store);

    // Raised to supervisors: the operator's card is masked in every form it carries.
    let mut store = open_with(&d.db.path, "supervisor");
    let li = actor(&store, "li.na");
    let (display, values, address) = shown(&mut store, &li, d.wang);
    assert_eq!(display, masked);
    assert_eq!(values, masked);
    assert_eq!(address.as_deref(), Some(ADDRESS_MASKED));
    let c = store.customer(&li, d.wang).expect("read");
    assert!(c.contacts_masked);
    for k in &c.contacts_normalized {
        assert_eq!((&k.value, &k.normalized), (&k.masked, &k.masked));
        assert_eq!(k.extension, None, "the extension never shows");
    }
    // Nothing else is held back: the region, the name.
    assert_eq!(c.fields.region.as_deref(), Some("北京"));
    assert_eq!(c.fields.name, "王小雨");
    // Its JSON (what `customer show --json` prints) holds no full value either.
    let json = serde_json::to_string(&c).expect("JSON");
    for full in [
        MOBILE,
        "+8613812345678",
        "66668888",
        "wang.xy",
        WECHAT,
        "建国路",
    ] {
        assert!(!json.contains(full), "{full} in {json}");
    }
    let zhang = actor(&store, "zhang.wei");
    let (display, _, address) = shown(&mut store, &zhang, d.wang);
    assert_eq!(display, full_display);
    assert_eq!(address.as_deref(), Some(ADDRESS));
    drop(store);

    // Raised to admins: the supervisor's is masked too, the admin's is not.
    let mut store = open_with(&d.db.path, "admin");
    let zhang = actor(&store, "zhang.wei");
    assert_eq!(shown(&mut store, &zhang, d.wang).0, masked);
    assert_eq!(shown(&mut store, &d.admin, d.wang).0, full_display);

    // Each view is audited with whether it was masked.
    let views = store
        .audit_entries(
            &d.admin,
            &AuditFilter {
                action: Some("customer.view".into()),
                ..AuditFilter::default()
            },
            20,
        )
        .expect("audit");
    let masked_flags: Vec<(String, bool)> = views
        .iter()
        .rev()
        .map(|v| {
            let detail = v.detail.clone().expect("a detail");
            (v.login.clone(), detail["masked"] == true)
        })
        .collect();
    assert_eq!(
        masked_flags,
        [
            ("li.na".to_string(), false),
            ("li.na".into(), true),
            ("zhang.wei".into(), false),
            ("zhang.wei".into(), true),
            (common::ADMIN.into(), false),
        ]
    );
}

#[test]
fn lists_show_masked_numbers_whoever_looks() {
    let d = desk();
    for setting in ["operator", "admin"] {
        let store = open_with(&d.db.path, setting);
        for who in [d.admin.clone(), actor(&store, "li.na")] {
            let found = store.search(&who, "5678", 10).expect("search");
            assert_eq!(found.len(), 1, "{setting}");
            assert_eq!(
                found[0].customer.masked_phone.as_deref(),
                Some(MOBILE_MASKED)
            );
            assert_eq!(found[0].matched_contact.as_deref(), Some(MOBILE_MASKED));
        }
    }
}

/// Every customer exported by `who`, as JSON values.
fn exported(store: &mut Store, who: &Actor) -> Vec<serde_json::Value> {
    let mut rows = Vec::new();
    store
        .export_customers(who, &mut |c| {
            rows.push(serde_json::to_value(&c).expect("JSON"));
            Ok(())
        })
        .expect("export");
    rows
}

#[test]
fn the_customers_export_is_masked_unless_the_exporter_sees_contacts_in_full() {
    let d = desk();
    let mut store = open_with(&d.db.path, "operator");
    let zhang = actor(&store, "zhang.wei");
    let rows = exported(&mut store, &zhang);
    assert_eq!(rows[0]["phone"], format!("{MOBILE}; {LANDLINE}"));
    assert_eq!(rows[0]["email"], EMAIL);
    assert_eq!(rows[0]["wechat"], WECHAT);
    assert_eq!(rows[0]["address"], ADDRESS);
    assert_eq!(rows[0]["masked"], false);
    assert_eq!(rows[1]["phone"], "13900001111");
    drop(store);

    let mut store = open_with(&d.db.path, "admin");
    let rows = exported(&mut store, &zhang);
    assert_eq!(
        rows[0]["phone"],
        format!("{MOBILE_MASKED}; {LANDLINE_MASKED}")
    );
    assert_eq!(rows[0]["email"], EMAIL_MASKED);
    assert_eq!(rows[0]["wechat"], WECHAT_MASKED);
    assert_eq!(rows[0]["address"], ADDRESS_MASKED);
    assert_eq!(rows[1]["phone"], "139****1111");
    assert_eq!(rows[1]["address"], serde_json::Value::Null);
    assert!(rows.iter().all(|r| r["masked"] == true));
    // The admin's is whole.
    let rows = exported(&mut store, &d.admin);
    assert_eq!(rows[0]["phone"], format!("{MOBILE}; {LANDLINE}"));
    assert_eq!(rows[0]["masked"], false);
    // The audit says which was masked.
    let exports = store
        .audit_entries(
            &d.admin,
            &AuditFilter {
                action: Some("export.customers".into()),
                ..AuditFilter::default()
            },
            10,
        )
        .expect("audit");
    let masked: Vec<bool> = exports
        .iter()
        .rev()
        .map(|e| e.detail.clone().expect("detail")["masked"] == true)
        .collect();
    assert_eq!(masked, [false, true, false]);
}

#[test]
fn the_care_call_list_is_whole_only_for_exporters_who_see_contacts_in_full() {
    let d = desk();
    let mut store = open_with(&d.db.path, "operator");
    let due = store.care_today();
    store
        .add_reminder(
            &d.admin,
            &NewReminder {
                customer_id: d.wang,
                due_on: due,
                title: "回访".into(),
                note: None,
                scope: FollowUpScope::Anyone,
                assignee: None,
            },
        )
        .expect("reminder");
    drop(store);
    let list = |setting: &str, login: &str| -> (Option<String>, bool) {
        let mut store = open_with(&d.db.path, setting);
        let who = actor(&store, login);
        let mut rows = Vec::new();
        store
            .export_reminders(&who, &CareFilter::default(), &mut |r| {
                rows.push(r);
                Ok(())
            })
            .expect("segment list");
        assert_eq!(rows.len(), 1);
        (rows[0].contact.clone(), rows[0].masked)
    };
    let whole = (Some(MOBILE.to_string()), false);
    let masked = (Some(MOBILE_MASKED.to_string()), true);
    // An operator exports no customers: a bulk list of numbers is masked for them whatever
    // the setting, as before.
    assert_eq!(list("operator", "li.na"), masked);
    assert_eq!(list("operator", "zhang.wei"), whole);
    assert_eq!(list("operator", common::ADMIN), whole);
    // Raised past supervisors: theirs is masked too.
    assert_eq!(list("admin", "zhang.wei"), masked);
    assert_eq!(list("admin", common::ADMIN), whole);
}

/// Wang's contacts and address as stored, read by the admin on a fresh connection.
fn stored(path: &std::path::Path, admin: &Actor, id: i64) -> (Vec<String>, Option<String>) {
    let store = open_with(path, "operator");
    let c = store.customer(admin, id).expect("read");
    (
        c.fields.contacts.iter().map(|k| k.value.clone()).collect(),
        c.fields.address,
    )
}

#[test]
fn an_edit_by_someone_shown_masks_keeps_the_stored_contacts() {
    let d = desk();
    let before = stored(&d.db.path, &d.admin, d.wang);
    let mut store = open_with(&d.db.path, "supervisor");
    let li = actor(&store, "li.na");

    // The record as the edit form gets it: masked. Saving it with only the notes changed
    // writes no mask over a number or the address.
    let shown = store.customer(&li, d.wang).expect("read");
    let mut fields = shown.fields.clone();
    fields.notes = Some("prefers evenings".into());
    store
        .check_customer(&li, Some(d.wang), &fields)
        .expect("the masks stand for the stored values");
    let saved = store
        .edit_customer(&li, d.wang, shown.version, &fields)
        .expect("saved");
    assert_eq!(stored(&d.db.path, &d.admin, d.wang), before);
    let audit_of_edit = store
        .audit_entries(
            &d.admin,
            &AuditFilter {
                action: Some("customer.edit".into()),
                ..AuditFilter::default()
            },
            1,
        )
        .expect("audit");
    let diff = audit_of_edit[0].detail.clone().expect("detail");
    assert!(diff.get("notes").is_some(), "{diff}");
    assert!(
        diff.get("contacts").is_none(),
        "nothing else changed: {diff}"
    );
    assert!(diff.get("address").is_none(), "{diff}");

    // A second number typed in place of the landline, the rest left masked: the mobile, the
    // email and WeChat stay whole, the new number is stored, the old landline is gone.
    let shown = store.customer(&li, d.wang).expect("read");
    let mut fields = shown.fields.clone();
    fields.contacts[1].value = "13700002222".into();
    store
        .edit_customer(&li, d.wang, saved.version, &fields)
        .expect("saved");
    let (contacts, address) = stored(&d.db.path, &d.admin, d.wang);
    assert_eq!(contacts, [MOBILE, "13700002222", EMAIL, WECHAT]);
    assert_eq!(address.as_deref(), Some(ADDRESS));

    // A new address typed over the masked one is stored.
    let shown = store.customer(&li, d.wang).expect("read");
    let mut fields = shown.fields.clone();
    fields.address = Some("北京市海淀区中关村大街1号".into());
    store
        .edit_customer(&li, d.wang, shown.version, &fields)
        .expect("saved");
    assert_eq!(
        stored(&d.db.path, &d.admin, d.wang).1.as_deref(),
        Some("北京市海淀区中关村大街1号")
    );
}

#[test]
fn a_mask_changed_or_typed_is_refused_naming_the_field() {
    let d = desk();
    let before = stored(&d.db.path, &d.admin, d.wang);
    let mut store = open_with(&d.db.path, "supervisor");
    let li = actor(&store, "li.na");
    let shown = store.customer(&li, d.wang).expect("read");

    // Half of a mask edited: it masks nothing stored, and is never stored.
    let mut fields = shown.fields.clone();
    fields.contacts[0].value = "139****5678".into();
    fields.address = Some("北京市朝阳区****5号".into());
    let fields_of = |e: StoreError| match e {
        StoreError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect::<Vec<_>>(),
        other => panic!("expected the fields refused, got {other:?}"),
    };
    let refused = store
        .check_customer(&li, Some(d.wang), &fields)
        .expect_err("a mask");
    assert_eq!(fields_of(refused), ["address", "phone"]);
    let refused = store
        .edit_customer(&li, d.wang, shown.version, &fields)
        .expect_err("a mask");
    assert_eq!(fields_of(refused), ["address", "phone"]);
    assert_eq!(stored(&d.db.path, &d.admin, d.wang), before);

    // A mask typed into a new record is refused the same way.
    let refused = store
        .create_customer(&li, &common::customer("孙丽", vec![phone(MOBILE_MASKED)]))
        .expect_err("a mask");
    assert_eq!(fields_of(refused), ["phone"]);
}

#[test]
fn a_shared_number_kept_by_an_edit_is_named_masked() {
    let d = desk();
    let mut store = open_with(&d.db.path, "supervisor");
    // Zhao Lei holds Wang's mobile too.
    let zhao = store.resolve_customer("13900001111").expect("zhao");
    let current = store.customer(&d.admin, zhao).expect("read");
    let mut fields = current.fields.clone();
    fields.contacts.push(phone(MOBILE));
    store
        .edit_customer(&d.admin, zhao, current.version, &fields)
        .expect("saved");
    // Li Na edits Wang's notes: the number both hold is warned about as she was shown it.
    let li = actor(&store, "li.na");
    let shown = store.customer(&li, d.wang).expect("read");
    let mut fields = shown.fields.clone();
    fields.notes = Some("x".into());
    let saved = store
        .edit_customer(&li, d.wang, shown.version, &fields)
        .expect("saved");
    let warned: Vec<&str> = saved.warnings.iter().map(|w| w.value.as_str()).collect();
    assert_eq!(warned, [MOBILE_MASKED]);
    // The admin is told the number.
    let shown = store.customer(&d.admin, d.wang).expect("read");
    let saved = store
        .edit_customer(&d.admin, d.wang, shown.version, &shown.fields)
        .expect("saved");
    let warned: Vec<&str> = saved.warnings.iter().map(|w| w.value.as_str()).collect();
    assert_eq!(warned, [MOBILE]);
}

// ---- the real binary ----

fn config(sandbox: &Sandbox, text: &str) -> String {
    let path = sandbox.write_file("site.toml", text.as_bytes());
    path.to_str().expect("UTF-8 path").to_string()
}

/// A sandbox desk: the admin (this login), li.na an operator, zhang.wei a supervisor, and
/// Wang Xiaoyu (C0000001).
fn cli_desk() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    sandbox.ok(&[
        "operator",
        "add",
        "zhang.wei",
        "--name",
        "张伟",
        "--role",
        "supervisor",
    ]);
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王小雨",
        "--phone",
        MOBILE,
        "--email",
        EMAIL,
        "--address",
        ADDRESS,
    ]);
    sandbox
}

#[test]
fn customer_show_prints_what_the_role_may_see() {
    let sandbox = cli_desk();
    let raised = config(&sandbox, "[privacy]\nfull_contacts = \"supervisor\"\n");
    let show = |args: &[&str]| {
        let mut all = vec!["--config", &raised];
        all.extend_from_slice(args);
        sandbox.ok(&all)
    };
    let masked = show(&["--as", "li.na", "customer", "show", "C0000001"]);
    for part in [MOBILE_MASKED, EMAIL_MASKED, ADDRESS_MASKED, "masked"] {
        assert!(masked.contains(part), "{part} in {masked}");
    }
    for full in ["138 1234 5678", MOBILE, "wang.xy", "建国路"] {
        assert!(!masked.contains(full), "{full} in {masked}");
    }
    let json = show(&["--as", "li.na", "customer", "show", "C0000001", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["contacts_masked"], true);
    assert_eq!(json["address"], ADDRESS_MASKED);
    assert!(!json.to_string().contains(MOBILE));
    let whole = show(&["--as", "zhang.wei", "customer", "show", "C0000001"]);
    assert!(whole.contains("138 1234 5678"), "{whole}");
    assert!(whole.contains(ADDRESS), "{whole}");
    assert!(!whole.contains("masked"), "{whole}");
    // Without the setting an operator sees them in full.
    let default = sandbox.ok(&["--as", "li.na", "customer", "show", "C0000001"]);
    assert!(default.contains("138 1234 5678"), "{default}");

    // An operator's edit through the CLI keeps the numbers it was shown masked.
    show(&[
        "--as",
        "li.na",
        "customer",
        "edit",
        "C0000001",
        "--notes",
        "回访时间：晚上",
    ]);
    let after = sandbox.ok(&["customer", "show", "C0000001", "--json"]);
    let after: serde_json::Value = serde_json::from_str(&after).expect("JSON");
    let values: Vec<&str> = after["contacts_normalized"]
        .as_array()
        .expect("contacts")
        .iter()
        .filter_map(|c| c["value"].as_str())
        .collect();
    assert_eq!(values, [MOBILE, EMAIL]);
    assert_eq!(after["address"], ADDRESS);
    assert_eq!(after["notes"], "回访时间：晚上");
    // The data-subject export (the privacy permission) is whole: it is given to the person.
    sandbox.ok(&["operator", "privacy", "li.na", "on"]);
    let theirs = show(&["--as", "li.na", "customer", "export", "C0000001"]);
    assert!(
        theirs.contains(MOBILE) && theirs.contains(ADDRESS),
        "{theirs}"
    );
}

#[test]
fn a_masked_customers_export_says_so_and_does_not_import_back() {
    let sandbox = cli_desk();
    let strict = config(&sandbox, "[privacy]\nfull_contacts = \"admin\"\n");
    let file = sandbox.dir.path().join("masked.csv");
    let file = file.to_str().expect("path");
    let out = sandbox.run(&[
        "--config",
        &strict,
        "--as",
        "zhang.wei",
        "export",
        "customers",
        "--out",
        file,
    ]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("masked") && stderr.contains("cannot be imported back"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(file).expect("export");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let at = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let row = reader.records().next().expect("a row").expect("readable");
    assert_eq!(&row[at("phone")], MOBILE_MASKED);
    assert_eq!(&row[at("email")], EMAIL_MASKED);
    assert_eq!(&row[at("address")], ADDRESS_MASKED);
    assert_eq!(&row[at("masked")], "true");

    // Into a fresh desk: refused row by row, naming the masked cells and the export.
    let other = Sandbox::new();
    other.init();
    let out = other.run(&["import", "customers", file]);
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "line 2: phone: is masked",
        "line 2: email: is masked",
        "line 2: address: is masked",
        "line 2: masked: this row comes from a masked export",
    ] {
        assert!(stderr.contains(expected), "{expected} in {stderr}");
    }
    assert_eq!(
        count(&other.raw(), "SELECT count(*) FROM customers"),
        0,
        "nothing imported"
    );

    // The whole export (by the admin) reads back, its masked column saying false.
    let whole = sandbox.dir.path().join("whole.csv");
    let whole = whole.to_str().expect("path");
    sandbox.ok(&["--config", &strict, "export", "customers", "--out", whole]);
    let stdout = other.ok(&["import", "customers", whole]);
    assert!(stdout.contains("Imported 1 customer"), "{stdout}");
}

#[test]
fn a_mistyped_setting_is_named_and_masks_for_all_but_admins() {
    let sandbox = cli_desk();
    let typo = config(&sandbox, "[privacy]\nfull_contacts = \"superviser\"\n");
    let out = sandbox.run(&[
        "--config",
        &typo,
        "--as",
        "zhang.wei",
        "customer",
        "show",
        "C0000001",
    ]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("privacy.full_contacts: 'superviser' is not a role")
            && stderr.contains("only admins see"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(MOBILE_MASKED), "{stdout}");
}

#[test]
fn the_audit_trail_quotes_contacts_as_its_reader_may_see_them() {
    let d = desk();
    let mut store = open_with(&d.db.path, "admin");
    // The admin changes Wang's mobile and address, and a call from her is announced.
    let current = store.customer(&d.admin, d.wang).expect("read");
    let mut fields = current.fields.clone();
    fields.contacts[0].value = "13700002222".into();
    fields.address = Some("北京市海淀区中关村大街1号".into());
    store
        .edit_customer(&d.admin, d.wang, current.version, &fields)
        .expect("saved");
    store
        .record_pop(&d.admin, "13700002222", Some(d.wang))
        .expect("pop");
    let trail = |store: &Store, who: &Actor| -> String {
        let rows = store
            .audit_entries(
                who,
                &AuditFilter {
                    customer_id: Some(d.wang),
                    ..AuditFilter::default()
                },
                20,
            )
            .expect("audit");
        serde_json::to_string(&rows).expect("JSON")
    };
    // A supervisor, below the site's setting: masked, before and after.
    let zhang = actor(&store, "zhang.wei");
    let seen = trail(&store, &zhang);
    for masked in [
        MOBILE_MASKED,
        "137****2222",
        ADDRESS_MASKED,
        "北京市海淀区****",
    ] {
        assert!(seen.contains(masked), "{masked} in {seen}");
    }
    for whole in [MOBILE, "13700002222", "建国路", "中关村"] {
        assert!(!seen.contains(whole), "{whole} in {seen}");
    }
    // The admin reads them whole.
    let seen = trail(&store, &d.admin);
    for whole in [MOBILE, "13700002222", ADDRESS, "北京市海淀区中关村大街1号"] {
        assert!(seen.contains(whole), "{whole} in {seen}");
    }
}
