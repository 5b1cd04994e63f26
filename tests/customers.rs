//! Customer records through the store: normalised contacts, duplicate warnings, field errors,
//! optimistic edits from two connections, merges and confidentiality.

mod common;

use std::sync::{Arc, Barrier};

use careline::domain::contact::ContactKind;
use careline::domain::customer::{Channel, Level};
use careline::domain::interaction::{parse_follow_up, FollowUpScope};
use careline::store::{
    Actor, FollowUp, NewComplaint, NewInteraction, NewPurchase, Role, Saved, Store, StoreError,
};
use chrono::{Duration, Local, NaiveDate};
use common::{count, customer, email, fixed_now, fresh, open_store, phone, Sandbox, ADMIN};

#[test]
fn contacts_are_stored_normalised_and_emails_lower_cased() {
    let (_db, mut store, admin) = fresh();
    let saved = store
        .create_customer(
            &admin,
            &customer(
                "王秀英",
                vec![
                    phone("(+86) 138-0013-8000"),
                    phone("010-6666 8888 转 12"),
                    email("  Wang.XiuYing@Example.COM "),
                ],
            ),
        )
        .expect("create");
    assert!(saved.warnings.is_empty(), "{:?}", saved.warnings);
    assert_eq!(saved.version, 1);
    assert!(saved.code.starts_with('C'), "{}", saved.code);

    let c = store.customer(&admin, saved.id).expect("read");
    assert!(!c.restricted);
    assert_eq!(c.code, saved.code);
    let got: Vec<(ContactKind, &str, Option<&str>)> = c
        .contacts_normalized
        .iter()
        .map(|ct| (ct.kind, ct.normalized.as_str(), ct.extension.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (ContactKind::Phone, "+8613800138000", None),
            (ContactKind::Phone, "+861066668888", Some("12")),
            (ContactKind::Email, "wang.xiuying@example.com", None),
        ]
    );
    assert_eq!(c.contacts_normalized[0].display, "138 0013 8000");
    assert_eq!(c.contacts_normalized[0].masked, "138****8000");
    assert_eq!(c.contacts_normalized[1].display, "010-6666 8888 ext 12");
    assert_eq!(c.contacts_normalized[2].display, "wang.xiuying@example.com");
}

#[test]
fn the_same_phone_or_email_written_differently_is_flagged_as_a_duplicate() {
    let (_db, mut store, admin) = fresh();
    let first = store
        .create_customer(
            &admin,
            &customer(
                "王秀英",
                vec![phone("138 0013 8000"), email("wxy@example.com")],
            ),
        )
        .expect("create");
    assert!(first.warnings.is_empty());

    let second = store
        .create_customer(
            &admin,
            &customer("王秀英", vec![phone("+86 138-0013-8000")]),
        )
        .expect("a duplicate is created, with a warning");
    assert_eq!(second.warnings.len(), 1, "{:?}", second.warnings);
    let w = &second.warnings[0];
    assert_eq!(w.field, "phone");
    assert_eq!(w.customer_id, first.id);
    assert_eq!(w.code, first.code);
    assert!(w.to_string().contains("careline customer merge"), "{w}");

    let third = store
        .create_customer(
            &admin,
            &customer(
                "Wang Xiuying",
                vec![phone("0086 13800138000"), email("WXY@Example.COM")],
            ),
        )
        .expect("create");
    let fields: Vec<&str> = third.warnings.iter().map(|w| w.field.as_str()).collect();
    assert!(
        fields.contains(&"phone") && fields.contains(&"email"),
        "{fields:?}"
    );
    assert!(
        third.warnings.iter().all(|w| w.customer_id != third.id),
        "a record is not its own duplicate"
    );

    let dups = store
        .find_duplicates(&[phone("13800138000")], None)
        .expect("duplicates");
    let mut ids: Vec<i64> = dups.iter().map(|d| d.customer_id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids, vec![first.id, second.id, third.id]);
    assert_eq!(store.customer_count().expect("count"), 3);
}

#[test]
fn invalid_fields_are_refused_naming_the_field_and_the_reason() {
    let (db, mut store, admin) = fresh();
    let err = store
        .create_customer(&admin, &customer("王芳", vec![phone("12345")]))
        .expect_err("not a phone number");
    let StoreError::Invalid(errors) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "phone");
    assert!(
        errors[0].reason.contains("too short"),
        "{}",
        errors[0].reason
    );
    assert!(err.to_string().starts_with("phone: "), "{err}");

    let err = store
        .create_customer(
            &admin,
            &customer(
                "  ",
                vec![
                    phone("13800138000"),
                    phone("138abc5678"),
                    email("wang.example.com"),
                ],
            ),
        )
        .expect_err("three problems");
    let StoreError::Invalid(errors) = &err else {
        panic!("{err:?}");
    };
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("name", "is required"),
            ("phone 2", "contains letters ('abc')"),
            ("email", "has no '@'"),
        ]
    );
    assert_eq!(store.customer_count().expect("count"), 0);
    // Behind the store on purpose: no contact row half-written on disk.
    assert_eq!(
        count(&db.raw(), "SELECT count(*) FROM contacts"),
        0,
        "nothing half-written"
    );
}

#[test]
fn only_supervisors_make_vip_or_confidential_customers() {
    let (_db, mut store, admin) = fresh();
    store
        .add_operator(&admin, "li.na", "李娜", Role::Operator)
        .expect("add");
    let li = store.actor("li.na", None).expect("li.na");
    let mut vip = customer("王秀英", vec![phone("13800138000")]);
    vip.level = Level::Vip;
    let err = store.create_customer(&li, &vip).expect_err("operator");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    store.create_customer(&admin, &vip).expect("admin");
}

/// Two stores on one file, as two operators' processes would have.
#[test]
fn a_stale_save_from_a_second_connection_is_a_conflict_not_an_overwrite() {
    let (db, mut first, admin) = fresh();
    let saved = first
        .create_customer(&admin, &customer("王秀英", vec![phone("13800138000")]))
        .expect("create");
    let mut second = open_store(&db.path);
    let admin2 = second.actor(ADMIN, None).expect("actor");

    // Both open the card at version 1.
    let mut mine = first.customer(&admin, saved.id).expect("read");
    let mut theirs = second.customer(&admin2, saved.id).expect("read");
    assert_eq!((mine.version, theirs.version), (1, 1));

    mine.fields.notes = Some("first save".into());
    let ok = first
        .edit_customer(&admin, saved.id, mine.version, &mine.fields)
        .expect("the first save wins");
    assert_eq!(ok.version, 2);

    theirs.fields.notes = Some("second save".into());
    theirs.fields.company = Some("Overwriting Ltd".into());
    let err = second
        .edit_customer(&admin2, saved.id, theirs.version, &theirs.fields)
        .expect_err("the second save is stale");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("your version 1, now 2"), "{message}");
    assert!(message.contains("reload"), "{message}");

    for store in [&first, &second] {
        let now = store.customer(&admin, saved.id).expect("read");
        assert_eq!(now.version, 2);
        assert_eq!(now.fields.notes.as_deref(), Some("first save"));
        assert_eq!(now.fields.company, None, "nothing of the stale save");
    }

    // After reloading, the second operator's save goes through.
    let reloaded = second.customer(&admin2, saved.id).expect("reload");
    let mut fields = reloaded.fields.clone();
    fields.company = Some("Acme Trading".into());
    let ok = second
        .edit_customer(&admin2, saved.id, reloaded.version, &fields)
        .expect("a fresh save");
    assert_eq!(ok.version, 3);
    // The audit log has no reader but `check`: counted behind the store.
    assert_eq!(
        count(
            &db.raw(),
            "SELECT count(*) FROM audit_log WHERE action = 'customer.edit'"
        ),
        2,
        "the refused save left no audit entry"
    );
}

/// Two threads, each with its own connection, save the same version at once: exactly one wins.
#[test]
fn simultaneous_saves_from_two_connections_give_one_save_and_one_conflict() {
    let (db, mut store, admin) = fresh();
    let saved = store
        .create_customer(&admin, &customer("王芳", vec![phone("13912345678")]))
        .expect("create");
    drop(store);
    let start = Arc::new(Barrier::new(2));
    let handles: Vec<_> = ["first", "second"]
        .into_iter()
        .map(|note| {
            let path = db.path.clone();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let mut store = open_store(&path);
                let actor = store.actor(ADMIN, None).expect("actor");
                let mut c = store.customer(&actor, saved.id).expect("read");
                c.fields.notes = Some(note.to_string());
                start.wait();
                store
                    .edit_customer(&actor, saved.id, c.version, &c.fields)
                    .map(|s: Saved| (note, s.version))
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .collect();
    let wins: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict(_))))
        .count();
    assert_eq!(wins.len(), 1, "{results:?}");
    assert_eq!(conflicts, 1, "{results:?}");
    let (winner, version) = wins[0];
    assert_eq!(*version, 2);

    let store = open_store(&db.path);
    let c = store.customer(&admin, saved.id).expect("read");
    assert_eq!(c.version, 2);
    assert_eq!(c.fields.notes.as_deref(), Some(*winner));
}

/// The same through the real binary: two processes, the second with a stale `--version`.
#[test]
fn a_stale_version_from_a_second_process_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let code = sandbox
        .ok(&[
            "customer",
            "add",
            "--name",
            "王秀英",
            "--phone",
            "13800138000",
        ])
        .trim()
        .to_string();
    let first = sandbox
        .command()
        .args([
            "customer",
            "edit",
            &code,
            "--version",
            "1",
            "--notes",
            "first",
        ])
        .output()
        .expect("run");
    let second = sandbox
        .command()
        .args([
            "customer",
            "edit",
            &code,
            "--version",
            "1",
            "--notes",
            "second",
        ])
        .output()
        .expect("run");
    assert!(first.status.success(), "{first:?}");
    assert!(!second.status.success(), "{second:?}");
    let stderr = String::from_utf8_lossy(&second.stderr);
    common::one_line_error(&stderr);
    assert!(stderr.contains("your version 1, now 2"), "{stderr}");

    let store = sandbox.store();
    let actor = store.actor(&common::login(), None).expect("actor");
    let id = store.resolve_customer(&code).expect("resolve");
    let c = store.customer(&actor, id).expect("read");
    assert_eq!(c.version, 2);
    assert_eq!(c.fields.notes.as_deref(), Some("first"));
}

/// `n` logged contacts of one customer, the last of them opening a complaint and asking for a
/// follow-up (a care reminder): what a merge has to move.
fn seed_history(store: &mut Store, admin: &Actor, customer_id: i64, n: i64) {
    for i in 0..n {
        let started = fixed_now() - Duration::days(1) + Duration::minutes(10 * i);
        let last = i == n - 1;
        let code = if last {
            "complaint_opened"
        } else {
            "resolved_first_contact"
        };
        let mut contact = NewInteraction::contact(
            customer_id,
            Channel::PhoneIn,
            code,
            started,
            started + Duration::minutes(5),
            "call",
        );
        if last {
            contact.open_complaint = Some(NewComplaint {
                category: "delivery".parse().expect("category"),
                severity: "normal".parse().expect("severity"),
                title: "late parcel".into(),
                description: None,
                channel: Channel::PhoneIn,
            });
            contact.follow_up = Some(FollowUp {
                due: parse_follow_up("2026-06-01 10:00", store.now(), &Local, "09:00")
                    .expect("a due time"),
                scope: FollowUpScope::Anyone,
            });
        }
        store.log_interaction(admin, &contact).expect("a contact");
    }
}

#[test]
fn merge_moves_everything_to_the_kept_record_and_leaves_an_audited_tombstone() {
    let (db, mut store, admin) = fresh();
    let mut keep_fields = customer(
        "王秀英",
        vec![phone("13800138000"), email("wxy@example.com")],
    );
    keep_fields.tags = vec!["vip".into()];
    let keep = store.create_customer(&admin, &keep_fields).expect("keep");
    let mut other_fields = customer(
        "王秀英",
        vec![
            phone("+86 138 0013 8000"),
            phone("010-6666 8888"),
            email("xiuying@work.example"),
        ],
    );
    other_fields.tags = vec!["frequent-buyer".into()];
    let other = store.create_customer(&admin, &other_fields).expect("other");
    assert_eq!(other.warnings.len(), 1, "the shared phone is flagged");

    for (id, order, day) in [
        (keep.id, "SO-1", 1),
        (other.id, "SO-2", 2),
        (other.id, "SO-3", 3),
    ] {
        store
            .add_purchase(
                &admin,
                &NewPurchase {
                    customer_id: id,
                    order_no: Some(order.into()),
                    purchased_on: NaiveDate::from_ymd_opt(2026, 4, day).expect("date"),
                    amount_cents: 10_000,
                    product: Some("净水器".into()),
                    category: None,
                    quantity: 1,
                    channel: None,
                },
            )
            .expect("purchase");
    }
    seed_history(&mut store, &admin, other.id, 3);
    seed_history(&mut store, &admin, keep.id, 1);

    let moved = store
        .merge_customers(&admin, keep.id, other.id)
        .expect("merge");
    assert_eq!(moved["purchases"], 2, "{moved}");
    assert_eq!(moved["interactions"], 3, "{moved}");
    assert_eq!(moved["complaints"], 1, "{moved}");
    assert_eq!(moved["reminders"], 1, "{moved}");
    assert_eq!(moved["contacts_already_held"], 1, "{moved}");

    // Every row of every table a customer owns, counted behind the store: a merge must leave
    // nothing on the tombstone, also where no read would show it.
    let raw = db.raw();
    let of = |table: &str, id: i64| {
        count(
            &raw,
            &format!("SELECT count(*) FROM {table} WHERE customer_id = {id}"),
        )
    };
    for (table, kept) in [
        ("purchases", 3),
        ("interactions", 4),
        ("complaints", 2),
        ("reminders", 2),
        ("contacts", 4),
        ("customer_tags", 2),
    ] {
        assert_eq!(of(table, keep.id), kept, "{table} on the kept record");
        assert_eq!(of(table, other.id), 0, "{table} left on the tombstone");
    }

    let survivor = store.customer(&admin, keep.id).expect("keep");
    assert_eq!(survivor.fields.tags, vec!["frequent-buyer", "vip"]);
    assert_eq!(survivor.orders_12m, 3, "purchase figures refreshed");
    assert_eq!(survivor.merged_into, None);
    let normalized: Vec<&str> = survivor
        .contacts_normalized
        .iter()
        .map(|c| c.normalized.as_str())
        .collect();
    assert!(normalized.contains(&"+861066668888"), "{normalized:?}");
    assert!(
        normalized.contains(&"xiuying@work.example"),
        "{normalized:?}"
    );

    let tombstone = store.customer(&admin, other.id).expect("tombstone");
    assert_eq!(tombstone.merged_into.as_deref(), Some(keep.code.as_str()));
    assert_eq!(store.customer_count().expect("count"), 1);

    // Lookup finds the survivor by the moved contacts and never the tombstone.
    for query in ["010-6666 8888", "xiuying@work.example", "8000", "王秀英"] {
        let found = store.search(&admin, query, 20).expect("search");
        let ids: Vec<i64> = found.iter().map(|r| r.customer.id).collect();
        assert_eq!(ids, vec![keep.id], "{query}");
    }

    // The audit rows' own text (no store call reads the audit log back).
    let (actor_login, detail): (String, String) = raw
        .query_row(
            "SELECT actor_login, detail FROM audit_log WHERE action = 'customer.merge' AND entity_id = ?1",
            [keep.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the merge is audited");
    assert_eq!(actor_login, ADMIN);
    assert!(
        detail.contains(&format!("\"merged\":{}", other.id)),
        "{detail}"
    );
    assert_eq!(
        count(
            &raw,
            &format!(
                "SELECT count(*) FROM audit_log WHERE action = 'customer.merged_into' AND entity_id = {}",
                other.id
            )
        ),
        1
    );

    let again = store
        .merge_customers(&admin, keep.id, other.id)
        .expect_err("merged once");
    assert!(matches!(again, StoreError::Conflict(_)), "{again:?}");
    let err = store
        .edit_customer(&admin, other.id, tombstone.version, &tombstone.fields)
        .expect_err("a tombstone is not edited");
    assert!(err.to_string().contains(&keep.code), "{err}");
    let err = store
        .merge_customers(&admin, keep.id, keep.id)
        .expect_err("not into itself");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    let report = store.check().expect("check");
    assert!(report.ok(), "{report:?}");
}

#[test]
fn confidential_customers_are_restricted_to_their_owner_and_supervisors() {
    let (db, mut store, admin) = fresh();
    for (login, name, role) in [
        ("li.na", "李娜", Role::Operator),
        ("zhang.wei", "张伟", Role::Operator),
        ("chen.jie", "陈杰", Role::Supervisor),
    ] {
        store.add_operator(&admin, login, name, role).expect("add");
    }
    let li = store.actor("li.na", None).expect("li.na");
    let zhang = store.actor("zhang.wei", None).expect("zhang.wei");
    let chen = store.actor("chen.jie", None).expect("chen.jie");

    let mut secret = customer(
        "赵敏",
        vec![phone("13600001111"), email("zhao.min@example.com")],
    );
    secret.confidential = true;
    secret.owner = Some("li.na".into());
    secret.company = Some("星辰科技".into());
    secret.notes = Some("private".into());
    let err = store
        .create_customer(&li, &secret)
        .expect_err("operators cannot mark customers confidential");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    let saved = store.create_customer(&chen, &secret).expect("supervisor");

    for (who, actor) in [("owner", &li), ("supervisor", &chen), ("admin", &admin)] {
        let c = store.customer(actor, saved.id).expect("read");
        assert!(!c.restricted, "{who}");
        assert_eq!(c.fields.notes.as_deref(), Some("private"), "{who}");
        assert_eq!(c.contacts_normalized.len(), 2, "{who}");
    }

    let c = store.view_customer(&zhang, saved.id).expect("read");
    assert!(c.restricted);
    assert_eq!(
        (c.fields.name.as_str(), c.code.as_str()),
        ("赵敏", saved.code.as_str())
    );
    assert!(c.contacts_normalized.is_empty());
    assert!(c.fields.contacts.is_empty());
    assert_eq!(c.fields.notes, None);
    assert_eq!(c.fields.company, None);
    // The audit row's own text (no store call reads the audit log back).
    let detail: String = db
        .raw()
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'customer.view' AND actor_login = 'zhang.wei'",
            [],
            |r| r.get(0),
        )
        .expect("the view is audited");
    assert!(detail.contains("\"restricted\":true"), "{detail}");

    let found = store.search(&zhang, "1111", 10).expect("search");
    assert_eq!(found.len(), 1);
    assert!(found[0].customer.restricted);
    assert_eq!(found[0].customer.masked_phone, None);
    assert_eq!(found[0].customer.company, None);
    let found = store.search(&li, "1111", 10).expect("search");
    assert!(!found[0].customer.restricted);
    assert_eq!(
        found[0].customer.masked_phone.as_deref(),
        Some("136****1111")
    );

    let mut edit = store.customer(&li, saved.id).expect("read").fields;
    edit.notes = Some("changed by someone without access".into());
    let err = store
        .edit_customer(&zhang, saved.id, 1, &edit)
        .expect_err("no access, no edit");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    store
        .edit_customer(&li, saved.id, 1, &edit)
        .expect("the owner edits");

    let other = store
        .create_customer(&li, &customer("王芳", vec![phone("13912345678")]))
        .expect("create");
    let err = store
        .merge_customers(&zhang, other.id, saved.id)
        .expect_err("no merging a record one cannot see");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
}
