//! Lookup (DESIGN §3.2) on a small database whose answers are known: every kind of query an
//! operator types, its ranking, and the query plans that prove no table is scanned.

mod common;

use careline::domain::customer::{CustomerFields, Level};
use careline::domain::search_key::pinyin_initials;
use careline::store::{Actor, MatchRank, Role, SearchResult, Store};
use common::{customer, email, fresh, phone, TempDb};

/// The customers of the lookup tests, by name.
struct Desk {
    _db: TempDb,
    store: Store,
    admin: Actor,
}

fn with(
    name: &str,
    contacts: Vec<careline::domain::customer::ContactInput>,
    edit: impl FnOnce(&mut CustomerFields),
) -> CustomerFields {
    let mut f = customer(name, contacts);
    edit(&mut f);
    f
}

fn desk() -> Desk {
    let (db, mut store, admin) = fresh();
    let people = [
        with(
            "王秀英",
            vec![phone("138 0013 8000"), email("wxy@example.com")],
            |f| {
                f.tags = vec!["vip".into()];
                f.level = Level::Vip;
            },
        ),
        with("王芳", vec![phone("139 1234 5678")], |_| {}),
        with("张秀英", vec![phone("137 0000 1111")], |f| {
            f.tags = vec!["frequent-buyer".into()];
        }),
        with("李秀英华", vec![phone("136 5555 8000")], |_| {}),
        with(
            "John Smith",
            vec![phone("+44 20 7123 4567"), email("John.Smith@Acme.example")],
            |f| {
                f.company = Some("Acme Trading".into());
                f.tags = vec!["VIP".into(), "vip-gold".into()];
            },
        ),
        with("王芳芳", vec![phone("135 2222 3333")], |_| {}),
        with("李王芳", vec![phone("133 4444 5555")], |_| {}),
        with("赵敏", vec![phone("010-6666 8888 ext 12")], |f| {
            f.company = Some("星辰科技".into());
        }),
        with("Amy Smithers", vec![phone("150 1111 2222")], |f| {
            f.code = Some("VIP-0001".into());
        }),
    ];
    for p in &people {
        store.create_customer(&admin, p).expect("create");
    }
    Desk {
        _db: db,
        store,
        admin,
    }
}

impl Desk {
    fn search(&self, query: &str) -> Vec<SearchResult> {
        self.store
            .search(&self.admin, query, 20)
            .unwrap_or_else(|e| panic!("search {query:?}: {e}"))
    }

    /// (name, rank, matched field) of every result, in order.
    fn found(&self, query: &str) -> Vec<(String, MatchRank, &'static str)> {
        self.search(query)
            .into_iter()
            .map(|r| (r.customer.name, r.rank, r.matched))
            .collect()
    }

    fn names(&self, query: &str) -> Vec<String> {
        self.search(query)
            .into_iter()
            .map(|r| r.customer.name)
            .collect()
    }

    fn sorted_names(&self, query: &str) -> Vec<String> {
        let mut names = self.names(query);
        names.sort();
        names
    }

    fn code_of(&self, name: &str) -> String {
        let hits = self.search(name);
        hits.into_iter()
            .find(|r| r.customer.name == name)
            .map(|r| r.customer.code)
            .unwrap_or_else(|| panic!("{name} is in the desk"))
    }
}

fn row(name: &str, rank: MatchRank, field: &'static str) -> (String, MatchRank, &'static str) {
    (name.to_string(), rank, field)
}

use MatchRank::{Exact, Prefix, Substring};

#[test]
fn the_last_four_digits_find_every_number_ending_so() {
    let d = desk();
    let found = d.found("8000");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found
        .iter()
        .all(|(_, rank, field)| (*rank, *field) == (Prefix, "phone")));
    assert_eq!(d.sorted_names("8000"), ["李秀英华", "王秀英"]);
    assert_eq!(d.names("1111"), ["张秀英"]);
    assert_eq!(d.names("4567"), ["John Smith"], "a foreign number's end");
    assert_eq!(
        d.names("8888"),
        ["赵敏"],
        "a landline's end, extension apart"
    );
    assert_eq!(d.names("5678"), ["王芳"]);
    // Longer trailing parts narrow it down.
    assert_eq!(d.names("0013 8000"), ["王秀英"]);
    assert_eq!(d.names("55558000"), ["李秀英华"]);
    assert!(d.names("9999").is_empty());
}

#[test]
fn a_full_number_is_found_however_it_is_written() {
    let d = desk();
    for query in [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "138.0013.8000",
        "138/0013/8000",
        "(138) 0013 8000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "+8613800138000",
        "(+86) 138 0013 8000",
        "0086 138 0013 8000",
        "008613800138000",
        "86 13800138000",
        "１３８ ００１３ ８０００",
    ] {
        assert_eq!(
            d.found(query),
            [row("王秀英", Exact, "phone")],
            "query {query:?}"
        );
    }
    for query in [
        "010-6666 8888",
        "010 66668888",
        "(010) 6666-8888",
        "01066668888",
        "+86 10 6666 8888",
        "0086 10 66668888",
    ] {
        assert_eq!(
            d.found(query),
            [row("赵敏", Exact, "phone")],
            "query {query:?}"
        );
    }
    for query in [
        "+44 20 7123 4567",
        "0044 20 7123 4567",
        "+44 (0)20 7123 4567",
    ] {
        assert_eq!(
            d.found(query),
            [row("John Smith", Exact, "phone")],
            "query {query:?}"
        );
    }
    // The beginning of a number, as a caller starts to say it.
    assert_eq!(d.found("138 0013"), [row("王秀英", Prefix, "phone")]);
}

#[test]
fn a_number_with_its_extension_finds_the_customer() {
    let d = desk();
    for query in [
        "010-6666 8888 ext 12",
        "010-66668888转12",
        "010 6666 8888 x12",
    ] {
        assert_eq!(d.names(query), ["赵敏"], "query {query:?}");
    }
}

#[test]
fn part_of_a_chinese_name_finds_every_name_holding_it() {
    let d = desk();
    let found = d.found("秀英");
    assert!(
        found
            .iter()
            .all(|(_, rank, field)| (*rank, *field) == (Substring, "name")),
        "{found:?}"
    );
    assert_eq!(d.sorted_names("秀英"), ["张秀英", "李秀英华", "王秀英"]);
    // Three characters go through the trigram index.
    assert_eq!(d.found("秀英华"), [row("李秀英华", Substring, "name")]);
    assert_eq!(d.found("王秀英"), [row("王秀英", Exact, "name")]);
}

#[test]
fn a_two_character_name_ranks_exact_then_prefix_then_substring() {
    let d = desk();
    assert_eq!(
        d.found("王芳"),
        [
            row("王芳", Exact, "name"),
            row("王芳芳", Prefix, "name"),
            row("李王芳", Substring, "name"),
        ]
    );
}

#[test]
fn a_single_surname_finds_the_names_that_start_with_it() {
    let d = desk();
    let found = d.found("王");
    assert!(
        found
            .iter()
            .all(|(_, rank, field)| (*rank, *field) == (Prefix, "name")),
        "{found:?}"
    );
    assert_eq!(d.sorted_names("王"), ["王秀英", "王芳", "王芳芳"]);
    assert_eq!(d.sorted_names("李"), ["李王芳", "李秀英华"]);
    assert_eq!(d.names("赵"), ["赵敏"]);
}

#[test]
fn pinyin_initials_and_full_pinyin_find_chinese_names() {
    let d = desk();
    assert_eq!(d.found("wxy"), [row("王秀英", Exact, "initials")]);
    assert_eq!(d.found("WXY"), [row("王秀英", Exact, "initials")]);
    assert_eq!(d.found("zxy"), [row("张秀英", Exact, "initials")]);
    assert_eq!(d.found("wangxiuying"), [row("王秀英", Exact, "pinyin")]);
    assert_eq!(d.found("Wang Xiuying"), [row("王秀英", Exact, "pinyin")]);
    assert_eq!(d.found("zhaomin"), [row("赵敏", Exact, "pinyin")]);
    // wf is 王芳 exactly, then 王芳芳 by its initials' prefix.
    assert_eq!(
        d.found("wf"),
        [
            row("王芳", Exact, "initials"),
            row("王芳芳", Prefix, "initials")
        ]
    );
    // The beginning of a pinyin name.
    let wang = d.found("wangfang");
    assert_eq!(wang[0], row("王芳", Exact, "pinyin"));
    assert_eq!(wang[1], row("王芳芳", Prefix, "pinyin"));
    assert_eq!(wang.len(), 2, "{wang:?}");
    assert_eq!(pinyin_initials("李秀英华").as_deref(), Some("lxyh"));
    assert_eq!(d.names("lxyh"), ["李秀英华"]);
}

#[test]
fn a_tag_finds_the_tagged_customers() {
    let d = desk();
    let found = d.found("#vip");
    assert_eq!(
        found[..2]
            .iter()
            .map(|(_, rank, field)| (*rank, *field))
            .collect::<Vec<_>>(),
        [(Exact, "tag"), (Exact, "tag")]
    );
    let mut exact: Vec<&str> = found[..2].iter().map(|(n, ..)| n.as_str()).collect();
    exact.sort_unstable();
    assert_eq!(exact, ["John Smith", "王秀英"]);
    assert_eq!(
        found.len(),
        2,
        "vip-gold belongs to John Smith already: {found:?}"
    );
    assert_eq!(d.sorted_names("#VIP"), ["John Smith", "王秀英"]);
    assert_eq!(d.sorted_names("＃vip"), ["John Smith", "王秀英"]);
    assert_eq!(d.found("#frequent"), [row("张秀英", Prefix, "tag")]);
    assert_eq!(d.found("#frequent buyer"), [row("张秀英", Exact, "tag")]);
    assert!(d.names("#nothing").is_empty());
    // A tag query is not a name query.
    assert!(
        d.names("vip").iter().all(|n| n != "王秀英"),
        "{:?}",
        d.names("vip")
    );
}

#[test]
fn an_email_is_found_whole_by_its_beginning_or_by_a_piece() {
    let d = desk();
    assert_eq!(d.found("wxy@example.com"), [row("王秀英", Exact, "email")]);
    assert_eq!(d.found("WXY@Example.COM"), [row("王秀英", Exact, "email")]);
    assert_eq!(
        d.found("john.smith@acme.example"),
        [row("John Smith", Exact, "email")]
    );
    assert_eq!(d.found("john.smith@"), [row("John Smith", Prefix, "email")]);
    assert_eq!(
        d.found("@acme.example"),
        [row("John Smith", Substring, "email")]
    );
}

#[test]
fn a_customer_code_is_found_in_any_case() {
    let d = desk();
    let code = d.code_of("王芳芳");
    assert_eq!(d.found(&code), [row("王芳芳", Exact, "code")]);
    assert_eq!(
        d.found(&code.to_lowercase()),
        [row("王芳芳", Exact, "code")]
    );
    assert_eq!(d.found("vip-0001"), [row("Amy Smithers", Exact, "code")]);
    assert_eq!(d.found("VIP-0001"), [row("Amy Smithers", Exact, "code")]);
}

#[test]
fn a_company_is_found_by_name_and_by_its_beginning() {
    let d = desk();
    assert_eq!(
        d.found("Acme Trading"),
        [row("John Smith", Exact, "company")]
    );
    assert_eq!(
        d.found("acme trading"),
        [row("John Smith", Exact, "company")]
    );
    assert_eq!(d.found("星辰科技"), [row("赵敏", Exact, "company")]);
    let acme = d.found("acme");
    assert_eq!(acme[0], row("John Smith", Prefix, "company"));
    assert_eq!(acme.len(), 1, "{acme:?}");
    // Found inside the company name, and said so (it used to say "name" for any text match).
    assert_eq!(
        d.found("Trading"),
        [row("John Smith", Substring, "company")]
    );
}

#[test]
fn three_or_more_letters_of_a_latin_name_find_it_anywhere() {
    let d = desk();
    let found = d.found("mit");
    assert!(
        found.iter().all(|(_, rank, _)| *rank == Substring),
        "{found:?}"
    );
    assert_eq!(d.sorted_names("mit"), ["Amy Smithers", "John Smith"]);
    assert_eq!(d.names("ithers"), ["Amy Smithers"]);
    assert_eq!(d.names("hn smi"), ["John Smith"]);
    assert_eq!(d.found("john smith"), [row("John Smith", Exact, "name")]);
    assert_eq!(d.found("JOHN"), [row("John Smith", Prefix, "name")]);
    assert!(d.names("xyzzy").is_empty());
    assert!(d.names("").is_empty());
    assert!(d.names("   ").is_empty());
}

#[test]
fn the_limit_is_respected_and_best_matches_come_first() {
    let d = desk();
    let two = d.store.search(&d.admin, "王芳", 2).expect("search");
    let names: Vec<&str> = two.iter().map(|r| r.customer.name.as_str()).collect();
    assert_eq!(names, ["王芳", "王芳芳"]);
    let one = d.store.search(&d.admin, "秀英", 1).expect("search");
    assert_eq!(one.len(), 1);
}

#[test]
fn results_carry_the_masked_phone_and_badge() {
    let d = desk();
    let hit = &d.search("wxy")[0];
    assert_eq!(hit.customer.masked_phone.as_deref(), Some("138****8000"));
    assert_eq!(hit.customer.badge, "vip");
    assert!(!hit.customer.restricted);
    let hit = &d.search("赵敏")[0];
    assert_eq!(hit.customer.masked_phone.as_deref(), Some("010****8888"));
    assert_eq!(hit.customer.company.as_deref(), Some("星辰科技"));
}

#[test]
fn edits_keep_the_lookup_keys_current() {
    let mut d = desk();
    let id = d.search("wf")[0].customer.id;
    let c = d.store.customer(&d.admin, id).expect("read");
    let mut fields = c.fields.clone();
    fields.name = "王芬".into();
    fields.contacts = vec![phone("139 8765 4321")];
    d.store
        .edit_customer(&d.admin, id, c.version, &fields)
        .expect("edit");
    assert!(d.names("5678").is_empty(), "the old number is gone");
    assert_eq!(d.names("4321"), ["王芬"]);
    assert_eq!(d.found("王芳")[0], row("王芳芳", Prefix, "name"));
    assert_eq!(d.found("wangfen"), [row("王芬", Exact, "pinyin")]);
}

/// Every kind of query an operator types, for the plan test.
const QUERY_KINDS: &[&str] = &[
    "8000",                 // last four digits
    "0013 8000",            // a longer tail
    "138",                  // the first digits
    "138 0013 8000",        // a full mobile
    "+86 138-0013-8000",    // with country code
    "0086 138 0013 8000",   // with 00 country code
    "010-6666 8888",        // a landline
    "+44 20 7123 4567",     // a foreign number
    "王秀英",               // a full Chinese name
    "王芳",                 // a two-character name
    "秀英",                 // two characters inside a name
    "王",                   // a surname
    "wxy",                  // initials
    "wangxiuying",          // full pinyin
    "#vip",                 // a tag
    "wxy@example.com",      // an email
    "john.smith@",          // the beginning of an email
    "C0000001",             // a customer code
    "Acme Trading",         // a company
    "mit",                  // three letters of a Latin name
    "john smith",           // a Latin name
    "010-6666 8888 ext 12", // a number with its extension
];

fn assert_indexed_plans(store: &Store) {
    for query in QUERY_KINDS {
        let plan = store.explain_search(query).expect("explain");
        assert!(!plan.is_empty(), "no plan for {query:?}");
        for line in &plan {
            for scan in ["SCAN customers", "SCAN contacts", "SCAN search_keys"] {
                assert!(
                    !line.contains(scan),
                    "{query:?} scans a table: {line}\nwhole plan: {plan:#?}"
                );
            }
            assert!(
                line.contains("USING") || line.contains("VIRTUAL TABLE INDEX"),
                "{query:?} has a step that uses no index: {line}"
            );
        }
    }
}

#[test]
fn no_lookup_scans_the_customer_or_contact_tables() {
    let d = desk();
    assert_indexed_plans(&d.store);
    // The explanation covers every probe a query runs: a text query has several.
    let plan = d.store.explain_search("wxy").expect("explain");
    assert!(plan.len() >= 5, "{plan:#?}");
    assert!(plan.iter().any(|l| l.contains("search_keys")), "{plan:#?}");
    let plan = d.store.explain_search("mit").expect("explain");
    assert!(
        plan.iter().any(|l| l.contains("customer_text")),
        "{plan:#?}"
    );
}

#[test]
fn no_lookup_scans_after_the_planner_has_statistics() {
    let (_db, mut store, admin) = fresh();
    careline::demo::generate(
        &mut store,
        &admin,
        careline::demo::DemoSpec {
            customers: 300,
            seed: 5,
        },
        false,
        &|_| {},
    )
    .expect("demo data (which runs ANALYZE)");
    assert_indexed_plans(&store);
}

#[test]
fn an_operator_sees_restricted_results_for_confidential_customers() {
    let mut d = desk();
    d.store
        .add_operator(&d.admin, "li.na", "李娜", Role::Operator)
        .expect("add");
    let mut secret = customer("钱多多", vec![phone("188 0000 9999")]);
    secret.confidential = true;
    secret.company = Some("Hidden Ltd".into());
    d.store.create_customer(&d.admin, &secret).expect("create");
    let li = d.store.actor("li.na", None).expect("li.na");
    let found = d.store.search(&li, "9999", 20).expect("search");
    assert_eq!(found.len(), 1);
    let c = &found[0].customer;
    assert_eq!(c.name, "钱多多");
    assert!(c.restricted);
    assert_eq!(
        (c.masked_phone.clone(), c.company.clone(), c.badge),
        (None, None, "")
    );
}

#[test]
fn a_number_from_a_phone_system_or_a_spreadsheet_finds_its_customer() {
    let (_db, mut store, admin) = fresh();
    // Stored as typed by an operator, with the trunk 0 (Shanghai's area code is 021).
    store
        .create_customer(
            &admin,
            &customer("周杰", vec![phone("021-6529 4356"), phone("138 0013 8000")]),
        )
        .expect("create");
    let names = |query: &str| -> Vec<String> {
        store
            .search(&admin, query, 20)
            .unwrap_or_else(|e| panic!("search {query:?}: {e}"))
            .into_iter()
            .filter(|r| r.rank == Exact && r.matched == "phone")
            .map(|r| r.customer.name)
            .collect()
    };
    for query in [
        "sip:+8613800138000@pbx",
        "tel:+86-138-0013-8000",
        "tel:+86-21-6529-4356",
        "tel:+86-21-6529-4356;ext=12",
        "2165294356",
        "862165294356",
        "+86 21 6529 4356",
        "0086 21 6529 4356",
    ] {
        assert_eq!(names(query), ["周杰"], "query {query:?}");
    }
}

#[test]
fn a_result_shows_the_number_that_matched() {
    let (_db, mut store, admin) = fresh();
    store
        .create_customer(
            &admin,
            &customer(
                "孙丽",
                vec![
                    phone("138 0013 8000"),
                    phone("021-6529 4356"),
                    phone("139 1234 5678"),
                ],
            ),
        )
        .expect("create");
    let shown = |query: &str| -> (Option<String>, Option<String>) {
        let found = store
            .search(&admin, query, 20)
            .unwrap_or_else(|e| panic!("search {query:?}: {e}"));
        assert_eq!(found.len(), 1, "{query}");
        (
            found[0].customer.masked_phone.clone(),
            found[0].matched_contact.clone(),
        )
    };
    // Masked as the list masks: first 3 and last 4 of the national digits.
    let first = Some("138****8000".to_string());
    // The landline whole, by its start and by its end.
    for query in ["021 6529 4356", "02165", "4356"] {
        assert_eq!(
            shown(query),
            (first.clone(), Some("021****4356".into())),
            "{query}"
        );
    }
    // The second mobile by its end; the first mobile is itself.
    assert_eq!(shown("5678"), (first.clone(), Some("139****5678".into())));
    assert_eq!(shown("13800138000"), (first.clone(), first.clone()));
    // A match that was not a number names none.
    assert_eq!(shown("孙丽"), (first.clone(), None));
}

#[test]
fn a_page_of_results_knows_how_many_match_in_all() {
    let (_db, mut store, admin) = fresh();
    // 230 customers named 欧阳 and a number; one other.
    for n in 0..230 {
        let name = format!("欧阳{n:03}");
        let number = format!("139 0000 {n:04}");
        store
            .create_customer(&admin, &customer(&name, vec![phone(&number)]))
            .expect("create");
    }
    store
        .create_customer(&admin, &customer("王芳", vec![phone("138 0013 8000")]))
        .expect("create");
    let page = |query: &str, rows: usize| -> (usize, usize, bool) {
        let p = store
            .search_page(&admin, query, rows)
            .unwrap_or_else(|e| panic!("search {query:?}: {e}"));
        (p.results.len(), p.total, p.more)
    };
    // 欧阳00x: 10 names (000–009); 欧阳1: 100 (100–199); both fewer than the cap.
    assert_eq!(page("欧阳00", 20), (10, 10, false));
    assert_eq!(page("欧阳1", 20), (20, 100, false));
    // All 230 are more than the count's cap of 200: "200+".
    assert_eq!(careline::store::COUNT_CAP, 200);
    assert_eq!(page("欧阳", 20), (20, 200, true));
    // Asking for more rows than the cap counts as far as the rows asked for.
    assert_eq!(page("欧阳", 220), (220, 220, true));
    assert_eq!(page("欧阳", 240), (230, 230, false));
    // A page further down is the same order as the first rows.
    let first: Vec<i64> = store
        .search(&admin, "欧阳", 20)
        .expect("search")
        .into_iter()
        .map(|r| r.customer.id)
        .collect();
    let longer: Vec<i64> = store
        .search_page(&admin, "欧阳", 40)
        .expect("search")
        .results
        .into_iter()
        .map(|r| r.customer.id)
        .collect();
    assert_eq!(&longer[..20], &first[..]);
    // One match, and none.
    assert_eq!(page("王芳", 20), (1, 1, false));
    assert_eq!(page("赵敏", 20), (0, 0, false));
}
