//! Segments (issue 16, `docs/SEGMENTS.md`) on real database files, through the store, the
//! real binary and the drawn Care pane. One hand-made set of customers; who is a member of
//! each definition is written out below from the rules as documented, never read back from
//! the code:
//!
//! - a member: not erased, not a merged record's tombstone, and every criterion given holds;
//! - "no contact for N days": the last contact logged at or before now − N×86,400 s, or none;
//!   "contacted within N days": after it;
//! - count: every member (confidential ones too); list and export: without the confidential
//!   members the operator may not see (counted as left out); export and campaign reminders:
//!   never a do-not-contact member; a marketing campaign: never one without consent.
//!
//! The set (all with consent and a contact 90 days ago unless said otherwise):
//!
//! | name        | level  | last contact | consent | other                     | region | tags                       | R F M |
//! |-------------|--------|--------------|---------|---------------------------|--------|----------------------------|-------|
//! | hit61       | vip    | 61 days ago  | yes     |                           | 北京   | frequent-buyer, gift-buyer | 5 4 3 |
//! | never       | vip    | never        | yes     | high value, churn risk    | 上海   | frequent-buyer             | 2 2 2 |
//! | exactly60   | vip    | 60 days ago  | yes     |                           |        |                            |       |
//! | near59      | vip    | 59 days ago  | yes     |                           | 北京   | gift-buyer                 | 5 5 5 |
//! | noconsent   | vip    | 90 days ago  | no      |                           |        |                            |       |
//! | plain       | normal | 90 days ago  | yes     | survivor of `merged`      |        |                            |       |
//! | dnc         | vip    | 90 days ago  | yes     | do-not-contact            |        |                            |       |
//! | erased      | vip    | 90 days ago  | yes     | erased                    |        |                            |       |
//! | merged      | vip    | 90 days ago  | yes     | merged into `plain`       |        |                            |       |
//! | secret      | vip    | 90 days ago  | yes     | confidential, no owner    | 北京   |                            |       |

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use crossterm::event::KeyCode;

use careline::domain::customer::{ConsentChannel, Level, Tier};
use careline::domain::interaction::FollowUpScope;
use careline::domain::segment::{ScoreRange, SegmentDefinition, YesNo};
use careline::store::{
    Actor, CareFilter, MemberOrder, NewCampaign, NewReminder, Role, Store, StoreError,
};
use careline::tui::i18n::Lang;

use common::{count, customer, login, phone, raw, Sandbox, TempDb};

/// The hand-made set's ids by name.
type Set = BTreeMap<&'static str, i64>;

/// Builds the set at `now` (the time its last contacts are counted back from) on the
/// database at `path`, as `admin`.
fn build(store: &mut Store, admin: &Actor, path: &Path, now: DateTime<Utc>) -> Set {
    // (name, vip, days since the last contact, consent, do-not-contact, confidential,
    //  region, tags, phone)
    type Row = (
        &'static str,
        bool,
        Option<i64>,
        bool,
        bool,
        bool,
        Option<&'static str>,
        &'static [&'static str],
    );
    let rows: [Row; 10] = [
        (
            "hit61",
            true,
            Some(61),
            true,
            false,
            false,
            Some("北京"),
            &["frequent-buyer", "gift-buyer"],
        ),
        (
            "never",
            true,
            None,
            true,
            false,
            false,
            Some("上海"),
            &["frequent-buyer"],
        ),
        ("exactly60", true, Some(60), true, false, false, None, &[]),
        (
            "near59",
            true,
            Some(59),
            true,
            false,
            false,
            Some("北京"),
            &["gift-buyer"],
        ),
        ("noconsent", true, Some(90), false, false, false, None, &[]),
        ("plain", false, Some(90), true, false, false, None, &[]),
        ("dnc", true, Some(90), true, true, false, None, &[]),
        ("erased", true, Some(90), true, false, false, None, &[]),
        ("merged", true, Some(90), true, false, false, None, &[]),
        (
            "secret",
            true,
            Some(90),
            true,
            false,
            true,
            Some("北京"),
            &[],
        ),
    ];
    let mut set = Set::new();
    // The last contact and the RFM scores are figures careline derives (from the contacts
    // logged and the purchases over the whole base); set here directly, as the test's
    // starting state, through the raw connection.
    let conn = raw(path);
    for (n, (name, vip, days, consent, dnc, confidential, region, tags)) in rows.iter().enumerate()
    {
        let mut fields = customer(name, vec![phone(&format!("1380000{:04}", 1001 + n))]);
        fields.level = if *vip { Level::Vip } else { Level::Normal };
        fields.marketing_consent = *consent;
        if *consent {
            fields.consent_date = NaiveDate::from_ymd_opt(2026, 1, 5);
            fields.consent_channel = Some(ConsentChannel::Phone);
        }
        fields.do_not_contact = *dnc;
        fields.confidential = *confidential;
        fields.region = region.map(str::to_string);
        fields.tags = tags.iter().map(|t| t.to_string()).collect();
        let saved = store.create_customer(admin, &fields).expect(name);
        if let Some(days) = days {
            conn.execute(
                "UPDATE customers SET last_contact_at = ?2 WHERE id = ?1",
                (saved.id, (now - Duration::days(*days)).timestamp()),
            )
            .expect("last contact");
        }
        set.insert(*name, saved.id);
    }
    // never: high value and at churn risk (both derived from purchases), set the same way.
    conn.execute(
        "UPDATE customers SET tier = 'high', churn_risk = 1 WHERE id = ?1",
        [set["never"]],
    )
    .expect("tier");
    for (name, scores) in [
        ("hit61", (5, 4, 3)),
        ("never", (2, 2, 2)),
        ("near59", (5, 5, 5)),
    ] {
        conn.execute(
            "UPDATE customers SET rfm_r = ?2, rfm_f = ?3, rfm_m = ?4 WHERE id = ?1",
            (set[name], scores.0, scores.1, scores.2),
        )
        .expect("scores");
    }
    store.erase_customer(admin, set["erased"]).expect("erased");
    store
        .merge_customers(admin, set["plain"], set["merged"])
        .expect("merged");
    set
}

/// The Done-means segment: VIP, no contact for 60 days, consent given.
fn done_means() -> SegmentDefinition {
    SegmentDefinition {
        level: Some(Level::Vip),
        no_contact_days: Some(60),
        consent: Some(YesNo::Yes),
        ..SegmentDefinition::default()
    }
}

/// The names of `def`'s members `actor` may list, by name, with how many were left out.
fn members(store: &mut Store, actor: &Actor, name: &str) -> (Vec<String>, u64, u64) {
    let page = store
        .segment_members(actor, name, MemberOrder::Name, 0, 100)
        .expect("members");
    let names = page.members.iter().map(|m| m.name.clone()).collect();
    (names, page.count, page.withheld)
}

/// A desk with the set at the tests' fixed moment, a supervisor and an operator.
fn desk() -> (TempDb, Store, Actor, Actor, Actor, Set) {
    let db = TempDb::new();
    let mut store = db.open();
    let admin = store.init_admin(common::ADMIN, "The Boss").expect("init");
    store
        .add_operator(&admin, "zhang.wei", "张伟", Role::Supervisor)
        .expect("supervisor");
    store
        .add_operator(&admin, "li.na", "李娜", Role::Operator)
        .expect("operator");
    let supervisor = store.actor("zhang.wei", None).expect("supervisor");
    let operator = store.actor("li.na", None).expect("operator");
    let set = build(&mut store, &admin, &db.path, common::fixed_now());
    (db, store, admin, supervisor, operator, set)
}

fn sorted(mut names: Vec<&str>) -> Vec<String> {
    names.sort_unstable();
    names.into_iter().map(str::to_string).collect()
}

/// The Care list narrowed to segment `name`, as `actor` sees it.
fn care_rows_of(
    store: &careline::store::Store,
    actor: &careline::store::Actor,
    name: &str,
) -> Vec<careline::store::CareRow> {
    let segment = store.segment(actor, name).expect("segment");
    store
        .care_list(
            actor,
            &CareFilter {
                segment: Some(segment.id),
                ..CareFilter::default()
            },
        )
        .expect("care list")
}

#[test]
fn the_done_means_segment_holds_exactly_who_the_rules_say() {
    let (_db, mut store, _admin, supervisor, operator, _set) = desk();
    store
        .add_segment(&supervisor, "VIP lapsed", done_means())
        .expect("saved");
    // Members: hit61 (61 days), never (no contact at all), exactly60 (at the cutoff), dnc
    // (the definition says nothing of do-not-contact), secret (confidential, still counted).
    // Not: near59 (contacted 59 days ago), noconsent, plain (normal level), erased, merged.
    let (names, count, withheld) = members(&mut store, &supervisor, "VIP lapsed");
    assert_eq!(
        names,
        sorted(vec!["dnc", "exactly60", "hit61", "never", "secret"])
    );
    assert_eq!((count, withheld), (5, 0));
    // An operator counts the same five, and lists four: secret is left out, and said so.
    let (names, count, withheld) = members(&mut store, &operator, "vip LAPSED");
    assert_eq!(names, sorted(vec!["dnc", "exactly60", "hit61", "never"]));
    assert_eq!((count, withheld), (5, 1));
}

#[test]
fn each_criterion_selects_by_its_rule() {
    let (_db, mut store, _admin, supervisor, _operator, _set) = desk();
    let cases: Vec<(&str, SegmentDefinition, Vec<&str>)> = vec![
        // Both tags: only hit61.
        (
            "all tags",
            SegmentDefinition {
                tags_all: vec!["#Frequent Buyer".into(), "gift-buyer".into()],
                ..Default::default()
            },
            vec!["hit61"],
        ),
        // Either tag: hit61 and near59 (gift-buyer); never has neither.
        (
            "any tag",
            SegmentDefinition {
                tags_any: vec!["gift-buyer".into(), "price-sensitive".into()],
                ..Default::default()
            },
            vec!["hit61", "near59"],
        ),
        // 北京: hit61, near59, secret.
        (
            "beijing",
            SegmentDefinition {
                regions: vec!["北京".into()],
                ..Default::default()
            },
            vec!["hit61", "near59", "secret"],
        ),
        // R 4-5 and F 4-5: hit61 (5,4) and near59 (5,5); never (2,2) and the unscored not.
        (
            "rfm",
            SegmentDefinition {
                rfm_r: Some(ScoreRange { from: 4, to: 5 }),
                rfm_f: Some(ScoreRange { from: 4, to: 5 }),
                ..Default::default()
            },
            vec!["hit61", "near59"],
        ),
        // M exactly 3: hit61.
        (
            "m3",
            SegmentDefinition {
                rfm_m: Some(ScoreRange { from: 3, to: 3 }),
                ..Default::default()
            },
            vec!["hit61"],
        ),
        // No contact for 30 days and contacted within 60: near59 only (59 days); hit61 (61)
        // and the 90-day ones were not contacted within 60; never was never contacted.
        (
            "lapsing",
            SegmentDefinition {
                no_contact_days: Some(30),
                contacted_within_days: Some(60),
                ..Default::default()
            },
            vec!["near59"],
        ),
        // Without consent: noconsent only (erased and merged are no members).
        (
            "no consent",
            SegmentDefinition {
                consent: Some(YesNo::No),
                ..Default::default()
            },
            vec!["noconsent"],
        ),
        // Do-not-contact: dnc.
        (
            "dnc",
            SegmentDefinition {
                do_not_contact: Some(YesNo::Yes),
                ..Default::default()
            },
            vec!["dnc"],
        ),
        // High value or churn risk: never (set so); potential or normal: the other seven
        // current ones (no purchase: potential), erased and merged not.
        (
            "high",
            SegmentDefinition {
                tiers: vec![Tier::High],
                ..Default::default()
            },
            vec!["never"],
        ),
        (
            "churn",
            SegmentDefinition {
                churn_risk: Some(YesNo::Yes),
                ..Default::default()
            },
            vec!["never"],
        ),
        (
            "potential or normal",
            SegmentDefinition {
                tiers: vec![Tier::Potential, Tier::Normal],
                ..Default::default()
            },
            vec![
                "hit61",
                "exactly60",
                "near59",
                "noconsent",
                "plain",
                "dnc",
                "secret",
            ],
        ),
        // Normal level: plain (the survivor of the merge) only.
        (
            "normal",
            SegmentDefinition {
                level: Some(Level::Normal),
                ..Default::default()
            },
            vec!["plain"],
        ),
    ];
    for (name, def, expected) in cases {
        store.add_segment(&supervisor, name, def).expect(name);
        let (names, count, _) = members(&mut store, &supervisor, name);
        assert_eq!(names, sorted(expected.clone()), "{name}");
        assert_eq!(count, expected.len() as u64, "{name}");
    }
}

#[test]
fn definitions_and_names_are_refused_naming_the_field_and_rights_are_by_role() {
    let (db, mut store, admin, supervisor, operator, _set) = desk();
    let refused = store
        .add_segment(&supervisor, "  ", SegmentDefinition::default())
        .expect_err("no name, no criterion");
    let StoreError::Invalid(fields) = refused else {
        panic!("invalid: {refused:?}");
    };
    let fields: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["name", "definition"]);
    store
        .add_segment(&supervisor, "VIP lapsed", done_means())
        .expect("saved");
    let taken = store
        .add_segment(&admin, "vip lapsed", done_means())
        .expect_err("taken");
    assert_eq!(
        taken.to_string(),
        "name: a segment named 'VIP lapsed' already exists; choose another name or delete it first"
    );
    // An operator reads segments but neither defines, deletes nor exports them, nor makes a
    // campaign's reminders; each refusal is audited.
    let refusals = |db: &TempDb| {
        count(
            &db.raw(),
            "SELECT count(*) FROM audit_log WHERE action = 'refused'",
        )
    };
    let before = refusals(&db);
    let no = store
        .add_segment(&operator, "mine", done_means())
        .expect_err("operator");
    assert_eq!(
        no.to_string(),
        "not allowed: only a supervisor may define or delete segments; li.na is operator"
    );
    assert!(store.delete_segment(&operator, "VIP lapsed").is_err());
    assert!(store
        .export_segment(&operator, "VIP lapsed", &mut |_| Ok(()))
        .is_err());
    let campaign = NewCampaign {
        title: "Winter offer".into(),
        due_on: NaiveDate::from_ymd_opt(2026, 5, 21).expect("day"),
        note: None,
        marketing: true,
    };
    assert!(store
        .campaign_reminders(&operator, "VIP lapsed", &campaign)
        .is_err());
    assert_eq!(refusals(&db) - before, 4);
    assert_eq!(store.segments(&operator).expect("list").len(), 1);
    // Deleted by a supervisor, audited with its definition.
    store
        .delete_segment(&supervisor, "VIP lapsed")
        .expect("deleted");
    assert!(matches!(
        store.segment(&operator, "VIP lapsed"),
        Err(StoreError::NotFound(_))
    ));
    let detail: String = db
        .raw()
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'segment.delete'",
            [],
            |r| r.get(0),
        )
        .expect("audited");
    assert!(detail.contains(r#""no_contact_days":60"#), "{detail}");
}

#[test]
fn a_campaign_makes_one_reminder_per_member_it_may_reach_once() {
    let (db, mut store, _admin, supervisor, _operator, set) = desk();
    store
        .add_segment(&supervisor, "VIP lapsed", done_means())
        .expect("saved");
    let campaign = NewCampaign {
        title: "Winter VIP offer".into(),
        due_on: NaiveDate::from_ymd_opt(2026, 5, 22).expect("day"),
        note: Some("20% off".into()),
        marketing: true,
    };
    // Five members; dnc is skipped; the other four get one each (the supervisor sees secret).
    let first = store
        .campaign_reminders(&supervisor, "VIP lapsed", &campaign)
        .expect("made");
    assert_eq!(
        (
            first.members,
            first.made,
            first.already,
            first.skipped_do_not_contact
        ),
        (5, 4, 0, 1)
    );
    assert_eq!(
        (first.skipped_no_consent, first.skipped_confidential),
        (0, 0)
    );
    // Again: nothing twice.
    let again = store
        .campaign_reminders(&supervisor, "VIP lapsed", &campaign)
        .expect("again");
    assert_eq!((again.made, again.already), (0, 4));
    // Another title is another campaign.
    let other = store
        .campaign_reminders(
            &supervisor,
            "VIP lapsed",
            &NewCampaign {
                title: "Spring visit".into(),
                marketing: false,
                ..campaign.clone()
            },
        )
        .expect("other");
    assert_eq!(other.made, 4);
    // A service campaign on the no-consent segment reaches noconsent; a marketing one not.
    store
        .add_segment(
            &supervisor,
            "no consent",
            SegmentDefinition {
                consent: Some(YesNo::No),
                ..Default::default()
            },
        )
        .expect("saved");
    let marketing = store
        .campaign_reminders(&supervisor, "no consent", &campaign)
        .expect("marketing");
    assert_eq!((marketing.made, marketing.skipped_no_consent), (0, 1));
    let service = store
        .campaign_reminders(
            &supervisor,
            "no consent",
            &NewCampaign {
                marketing: false,
                ..campaign.clone()
            },
        )
        .expect("service");
    assert_eq!(service.made, 1);
    // The reminders are in the Care list under the segment filter: four of "Winter VIP
    // offer" and four of "Spring visit", and none of dnc.
    let rows = care_rows_of(&store, &supervisor, "VIP lapsed");
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r.customer_id != set["dnc"]));
    assert_eq!(
        count(
            &db.raw(),
            "SELECT count(*) FROM audit_log WHERE action = 'segment.campaign'"
        ),
        5
    );
}

/// A sandbox for the binary with the set, counted back from the real clock (the binary's),
/// a supervisor (zhang.wei) and an operator (li.na), and `[privacy] full_contacts = "admin"`
/// in a config file: only an admin sees contacts in full.
fn sandbox() -> (Sandbox, Set, std::path::PathBuf) {
    let sb = Sandbox::new();
    sb.init();
    let mut store = sb.store();
    store.set_clock(careline::store::Clock::System);
    let admin = store.actor(&login(), None).expect("admin");
    store
        .add_operator(&admin, "zhang.wei", "张伟", Role::Supervisor)
        .expect("supervisor");
    store
        .add_operator(&admin, "li.na", "李娜", Role::Operator)
        .expect("operator");
    let set = build(&mut store, &admin, &sb.db, Utc::now());
    drop(store);
    let config = sb.dir.path().join("strict.toml");
    std::fs::write(&config, "[privacy]\nfull_contacts = \"admin\"\n").expect("config");
    (sb, set, config)
}

#[test]
fn the_binary_builds_the_done_means_segment_and_exports_it_masked_by_role() {
    let (sb, _set, config) = sandbox();
    let config = config.to_str().expect("path");
    let said = sb.ok(&[
        "--config",
        config,
        "--as",
        "zhang.wei",
        "segment",
        "add",
        "VIP lapsed",
        "--level",
        "vip",
        "--no-contact-days",
        "60",
        "--consent",
        "given",
    ]);
    assert_eq!(
        said,
        "Segment 'VIP lapsed' saved: VIP · no contact for 60 days · consent given. 5 members now.\n"
    );
    let listed = sb.ok(&["--config", config, "--as", "li.na", "segment", "list"]);
    assert!(
        listed.contains("VIP lapsed  5        VIP · no contact for 60 days · consent given"),
        "{listed}"
    );
    // The operator's show: four listed, secret left out and said so; phones masked.
    let shown = sb.ok(&[
        "--config",
        config,
        "--as",
        "li.na",
        "segment",
        "show",
        "VIP lapsed",
    ]);
    assert!(shown.contains("Members:  5"), "{shown}");
    assert!(
        shown.contains("Left out: 1 confidential you may not see"),
        "{shown}"
    );
    assert!(shown.contains("138****1001"), "{shown}");
    assert!(!shown.contains("secret"), "{shown}");
    // The supervisor's export: hit61, never, exactly60 and secret (dnc left out), masked
    // (only an admin sees contacts in full here), into a file only its owner reads.
    let file = sb.dir.path().join("campaign.csv");
    let out = sb.run(&[
        "--config",
        config,
        "--as",
        "zhang.wei",
        "segment",
        "export",
        "VIP lapsed",
        "--format",
        "csv",
        "--output",
        file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 flagged do-not-contact left out"),
        "{stderr}"
    );
    assert!(stderr.contains("masked"), "{stderr}");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&file).expect("file").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&file).expect("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    let mut sorted_names = names.clone();
    sorted_names.sort_unstable();
    assert_eq!(sorted_names, ["exactly60", "hit61", "never", "secret"]);
    // hit61 was the first created: 13800001001, masked.
    let hit = rows.iter().find(|r| &r[1] == "hit61").expect("hit61");
    assert_eq!((&hit[5], &hit[14]), ("138****1001", "true"));
    // The admin's export: in full.
    let full = sb.ok(&[
        "--config",
        config,
        "segment",
        "export",
        "VIP lapsed",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&full).expect("json");
    let hit = json
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["name"] == "hit61")
        .expect("hit61");
    assert_eq!(hit["phone"], "13800001001");
    assert_eq!(hit["masked"], false);
    // Both exports audited, masked and not.
    let audit = sb.ok(&["audit", "list", "--action", "export.segment"]);
    assert!(audit.contains(r#""masked":true"#), "{audit}");
    assert!(audit.contains(r#""masked":false"#), "{audit}");
    assert!(audit.contains(r#""rows":4"#), "{audit}");
    // An operator may not export, with the reason.
    let refused = sb.fails(&[
        "--config",
        config,
        "--as",
        "li.na",
        "segment",
        "export",
        "VIP lapsed",
    ]);
    assert!(
        refused.contains("only a supervisor may export a segment's members; li.na is operator"),
        "{refused}"
    );
}

#[test]
fn the_binary_refuses_bad_criteria_naming_the_option() {
    let (sb, _set, _config) = sandbox();
    for (args, said) in [
        (
            vec!["segment", "add", "x", "--level", "gold"],
            "--level: 'gold' is not one of normal, vip",
        ),
        (
            vec!["segment", "add", "x", "--r", "5-3"],
            "--r: 5-3: the lower score comes first (3-5)",
        ),
        (
            vec!["segment", "add", "x", "--no-contact-days", "soon"],
            "--no-contact-days: 'soon' is not a number of days; write it as 60",
        ),
        (
            vec!["segment", "add", "x", "--consent", "maybe"],
            "--consent: 'maybe' is not one of given, not_given",
        ),
        (
            vec!["segment", "add", "x"],
            "definition: no criterion given",
        ),
        (
            vec!["segment", "show", "nothing"],
            "segment 'nothing' (`careline segment list` shows the segments there are) not found",
        ),
        (
            vec!["reminder", "add", "--segment", "nothing", "--title", "x"],
            "segment 'nothing'",
        ),
    ] {
        let err = sb.fails(&args);
        assert!(err.contains(said), "{args:?}: {err}");
    }
}

#[test]
fn the_binary_adds_a_campaigns_reminders_and_says_what_it_skipped() {
    let (sb, _set, _config) = sandbox();
    sb.ok(&[
        "--as",
        "zhang.wei",
        "segment",
        "add",
        "VIP lapsed",
        "--level",
        "vip",
        "--no-contact-days",
        "60",
        "--consent",
        "given",
    ]);
    let args = [
        "--as",
        "zhang.wei",
        "reminder",
        "add",
        "--segment",
        "VIP lapsed",
        "--title",
        "Winter VIP offer",
        "--due",
        "tomorrow",
    ];
    let first = sb.ok(&args);
    assert!(first.contains("4 reminders made"), "{first}");
    assert!(first.contains("over 5 members"), "{first}");
    assert!(first.contains("1 skipped: do-not-contact"), "{first}");
    let again = sb.ok(&args);
    assert!(again.contains("0 reminders made"), "{again}");
    assert!(
        again.contains("4 already had this campaign's reminder"),
        "{again}"
    );
    // An operator may not.
    let refused = sb.fails(&[
        "--as",
        "li.na",
        "reminder",
        "add",
        "--segment",
        "VIP lapsed",
        "--title",
        "x",
    ]);
    assert!(
        refused.contains("only a supervisor may add a reminder for every member of a segment"),
        "{refused}"
    );
}

/// The Care pane filtered by a segment from the keyboard: `S` opens the filter line at its
/// segment, → chooses the first saved one, Enter applies it; only its members' reminders stay.
#[test]
fn the_care_pane_filters_by_a_segment() {
    use common::screen::{draw, key, open_at_screen_time, screen, screen_now};
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("desk.db");
    let mut store = open_at_screen_time(&path);
    let admin = store.init_admin("li.na", "李娜").expect("init");
    let set = build(&mut store, &admin, &path, screen_now());
    store
        .add_segment(&admin, "VIP lapsed", done_means())
        .expect("saved");
    // A reminder tomorrow for hit61 (a member) and near59 (not).
    for name in ["hit61", "near59"] {
        store
            .add_reminder(
                &admin,
                &NewReminder {
                    customer_id: set[name],
                    due_on: NaiveDate::from_ymd_opt(2026, 11, 24).expect("day"),
                    title: format!("Call {name}"),
                    note: None,
                    scope: FollowUpScope::Anyone,
                    assignee: None,
                },
            )
            .expect("reminder");
    }
    drop(store);
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhCn, "zh")] {
        let store = open_at_screen_time(&path);
        let actor = store.actor("li.na", None).expect("actor");
        let settings = common::screen::settings(lang, "/srv/careline/desk.db");
        let mut app = careline::tui::app::App::new(store, actor, settings);
        app.update(careline::tui::action::Action::Resize(80, 24));
        key(&mut app, KeyCode::F(4));
        let before = screen(&mut app, 80, 24);
        assert!(before.contains("Call near59"), "{before}");
        // The help overlay names the key, in the screen's language.
        key(&mut app, KeyCode::Char('?'));
        let help = screen(&mut app, 80, 24);
        let by_segment = if lang == Lang::En {
            "by segment"
        } else {
            "按分群"
        };
        assert!(help.contains(by_segment), "{help}");
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('S'));
        key(&mut app, KeyCode::Right);
        let line = screen(&mut app, 80, 24);
        assert!(line.contains("◀ VIP lapsed ▶"), "{line}");
        key(&mut app, KeyCode::Enter);
        let text = screen(&mut app, 80, 24);
        assert!(text.contains("Call hit61"), "{text}");
        assert!(!text.contains("Call near59"), "{text}");
        assert!(text.contains("VIP lapsed"), "{text}");
        let terminal = draw(&mut app, 80, 24);
        insta::assert_snapshot!(format!("care_segment_{tag}_80x24"), terminal.backend());
        // `0` clears it: both again.
        key(&mut app, KeyCode::Char('0'));
        assert!(screen(&mut app, 80, 24).contains("Call near59"));
    }
}

/// Two campaigns run at once on two connections (two supervisors' commands): the members are
/// read and the reminders written in one write each, and the reminders' unique source key
/// lets one per member in: four made between them, four found already made.
#[test]
fn two_runs_of_one_campaign_at_once_make_one_reminder_per_member() {
    let (db, mut store, _admin, supervisor, _operator, _set) = desk();
    store
        .add_segment(&supervisor, "VIP lapsed", done_means())
        .expect("saved");
    drop(store);
    let campaign = NewCampaign {
        title: "Winter VIP offer".into(),
        due_on: NaiveDate::from_ymd_opt(2026, 5, 22).expect("day"),
        note: None,
        marketing: true,
    };
    let barrier = std::sync::Barrier::new(2);
    let outcomes: Vec<careline::store::CampaignOutcome> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                let (path, campaign, barrier) = (&db.path, &campaign, &barrier);
                scope.spawn(move || {
                    let mut store = common::open_store(path);
                    let supervisor = store.actor("zhang.wei", None).expect("supervisor");
                    barrier.wait();
                    store
                        .campaign_reminders(&supervisor, "VIP lapsed", campaign)
                        .expect("campaign")
                })
            })
            .collect();
        runs.into_iter()
            .map(|r| r.join().expect("thread"))
            .collect()
    });
    let made: u64 = outcomes.iter().map(|o| o.made).sum();
    let already: u64 = outcomes.iter().map(|o| o.already).sum();
    assert_eq!((made, already), (4, 4));
    let store = db.open();
    let supervisor = store.actor("zhang.wei", None).expect("supervisor");
    let rows = care_rows_of(&store, &supervisor, "VIP lapsed");
    assert_eq!(rows.len(), 4);
}
