//! Importing customers from spreadsheets and exporting them again: the library calls and the
//! real binary, on real temporary databases.

mod common;

use careline::domain::contact::PhoneRules;
use careline::import::{parse_customers, parse_purchases, RowError};
use chrono::NaiveDate;
use common::{count, customer, fresh, phone, Sandbox};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 20).expect("a date")
}

/// Two good rows around a bad phone, a bad date and a missing name, and an unknown column.
const MIXED: &str = "name,phone,email,birthday,shoe size
Ann Lee,13812345678,ann@example.com,1990-01-01,38
Bob Brown,12345,bob@example.com,1985-06-01,44
Carol King,13912345678,carol@example.com,1990-02-30,39
,13712345678,nobody@example.com,1970-01-01,41
王秀英,+86 136 0000 1111,WXY@Example.com,1980年3月5日,36
";

fn lines_and_columns(errors: &[RowError]) -> Vec<(u64, &str)> {
    errors.iter().map(|e| (e.line, e.column.as_str())).collect()
}

#[test]
fn every_rejected_row_is_reported_with_line_column_and_reason() {
    let parsed = parse_customers(MIXED.as_bytes(), today(), &PhoneRules::default());
    assert_eq!(parsed.encoding, "UTF-8");
    assert_eq!(parsed.total_rows, 5);
    assert_eq!(parsed.unknown_columns, ["shoe size"]);
    assert_eq!(
        lines_and_columns(&parsed.errors),
        [(3, "phone"), (4, "birthday"), (5, "name")]
    );
    assert!(
        parsed.errors[0].reason.contains("too short"),
        "{:?}",
        parsed.errors[0]
    );
    assert!(
        parsed.errors[1].reason.contains("1990-02-30"),
        "{:?}",
        parsed.errors[1]
    );
    assert_eq!(parsed.errors[2].reason, "is required");
    assert_eq!(
        parsed.errors[0].to_string(),
        format!("line 3: phone: {}", parsed.errors[0].reason)
    );
    let good: Vec<(u64, &str)> = parsed
        .rows
        .iter()
        .map(|(line, f)| (*line, f.name.as_str()))
        .collect();
    assert_eq!(good, [(2, "Ann Lee"), (6, "王秀英")]);
    let wang = &parsed.rows[1].1;
    assert_eq!(wang.birthday, NaiveDate::from_ymd_opt(1980, 3, 5));
}

#[test]
fn good_rows_are_imported_with_normalised_contacts_and_audited() {
    let (db, mut store, admin) = fresh();
    let parsed = parse_customers(MIXED.as_bytes(), today(), store.phone_rules());
    let progress = std::cell::Cell::new(0);
    let outcome = store
        .import_customers(&admin, "mixed.csv", &parsed.rows, false, &|n| {
            progress.set(n)
        })
        .expect("import");
    assert_eq!(outcome.imported, 2);
    assert_eq!(progress.get(), 2);
    assert!(outcome.duplicates.is_empty());
    assert_eq!(store.customer_count().expect("count"), 2);

    let hit = store.search(&admin, "wxy@example.com", 5).expect("search");
    assert_eq!(hit.len(), 1);
    let c = store.customer(&admin, hit[0].customer.id).expect("read");
    assert_eq!(c.fields.name, "王秀英");
    let normalized: Vec<&str> = c
        .contacts_normalized
        .iter()
        .map(|ct| ct.normalized.as_str())
        .collect();
    assert_eq!(normalized, ["+8613600001111", "wxy@example.com"]);
    assert_eq!(store.search(&admin, "1111", 5).expect("search").len(), 1);

    let raw = db.raw();
    assert_eq!(
        count(
            &raw,
            "SELECT count(*) FROM audit_log WHERE action = 'import.customers'
             AND detail LIKE '%mixed.csv%' AND detail LIKE '%\"rows\":2%'"
        ),
        1
    );
    assert!(store.check().expect("check").ok());
}

#[test]
fn operators_may_not_import() {
    let (_db, mut store, admin) = fresh();
    store
        .add_operator(&admin, "li.na", "李娜", careline::store::Role::Operator)
        .expect("add");
    let li = store.actor("li.na", None).expect("li.na");
    let parsed = parse_customers(MIXED.as_bytes(), today(), store.phone_rules());
    let err = store
        .import_customers(&li, "mixed.csv", &parsed.rows, false, &|_| {})
        .expect_err("operators do not import");
    assert!(err.to_string().contains("supervisor"), "{err}");
    assert_eq!(store.customer_count().expect("count"), 0);
}

#[test]
fn gbk_with_chinese_headers_is_read() {
    let text = "姓名,手机,邮箱,生日,地址,公司,行业,标签\n\
                王秀英,138 1234 5678,WXY@Example.com,1980年3月5日,北京市朝阳区建国路1号,星辰科技,零售,\"vip，老客户\"\n\
                张伟,021-5555 1234 转 8021,,1975/12/01,上海市浦东新区,,,\n";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let parsed = parse_customers(&bytes, today(), &PhoneRules::default());
    assert_eq!(parsed.encoding, "GBK");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert!(
        parsed.unknown_columns.is_empty(),
        "{:?}",
        parsed.unknown_columns
    );
    assert_eq!(parsed.rows.len(), 2);
    let wang = &parsed.rows[0].1;
    assert_eq!(wang.name, "王秀英");
    assert_eq!(wang.address.as_deref(), Some("北京市朝阳区建国路1号"));
    assert_eq!(wang.company.as_deref(), Some("星辰科技"));
    assert_eq!(wang.industry.as_deref(), Some("零售"));
    assert_eq!(wang.tags, ["vip", "老客户"]);
    assert_eq!(wang.birthday, NaiveDate::from_ymd_opt(1980, 3, 5));

    let (_db, mut store, admin) = fresh();
    store
        .import_customers(&admin, "gbk.csv", &parsed.rows, false, &|_| {})
        .expect("import");
    let hit = store.search(&admin, "wxy", 5).expect("search");
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].customer.company.as_deref(), Some("星辰科技"));
    let c = store.customer(&admin, hit[0].customer.id).expect("read");
    assert_eq!(c.fields.tags, ["vip", "老客户"]);
    assert_eq!(c.contacts_normalized[1].normalized, "wxy@example.com");
    let zhang = store.search(&admin, "张伟", 5).expect("search");
    let c = store.customer(&admin, zhang[0].customer.id).expect("read");
    assert_eq!(c.contacts_normalized[0].extension.as_deref(), Some("8021"));
    assert_eq!(c.contacts_normalized[0].normalized, "+862155551234");
}

#[test]
fn a_utf8_byte_order_mark_is_not_part_of_the_first_header() {
    let with_bom = "\u{FEFF}name,phone\nAnn Lee,13812345678\n";
    let parsed = parse_customers(with_bom.as_bytes(), today(), &PhoneRules::default());
    assert_eq!(parsed.encoding, "UTF-8");
    assert!(
        parsed.unknown_columns.is_empty(),
        "{:?}",
        parsed.unknown_columns
    );
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.rows.len(), 1);
    assert_eq!(parsed.rows[0].1.name, "Ann Lee");
}

#[test]
fn a_file_without_a_name_column_is_refused_at_its_header() {
    let parsed = parse_customers(
        b"phone,email\n13812345678,a@example.com\n",
        today(),
        &PhoneRules::default(),
    );
    assert!(parsed.rows.is_empty());
    assert_eq!(lines_and_columns(&parsed.errors), [(1, "header")]);
}

#[test]
fn duplicates_of_stored_customers_and_of_earlier_rows_are_flagged() {
    let (_db, mut store, admin) = fresh();
    let held = store
        .create_customer(&admin, &customer("王秀英", vec![phone("13800138000")]))
        .expect("create");
    let csv = "name,phone,email\n\
               Wang Xiuying,+86 138-0013-8000,\n\
               Ann Lee,13812345678,ann@example.com\n\
               Ann Lee,13912345678,ANN@example.com\n\
               Bob Brown,13712345678,bob@example.com\n";
    let parsed = parse_customers(csv.as_bytes(), today(), store.phone_rules());
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);

    let dups = store.import_duplicates(&parsed.rows).expect("check");
    let flagged: Vec<(u64, &str)> = dups.iter().map(|d| (d.line, d.field.as_str())).collect();
    assert_eq!(flagged, [(2, "phone"), (4, "email")]);
    assert!(dups[0].held_by.contains(&held.code), "{}", dups[0]);
    assert_eq!(dups[1].held_by, "line 3 of this file");

    let outcome = store
        .import_customers(&admin, "dups.csv", &parsed.rows, true, &|_| {})
        .expect("import");
    assert_eq!(outcome.imported, 2);
    assert_eq!(outcome.skipped_duplicates, 2);
    assert_eq!(outcome.duplicates.len(), 2);
    assert_eq!(store.customer_count().expect("count"), 3);

    // Without skipping, flagged rows are imported too.
    let outcome = store
        .import_customers(&admin, "dups.csv", &parsed.rows[..1], false, &|_| {})
        .expect("import");
    assert_eq!((outcome.imported, outcome.skipped_duplicates), (1, 0));
    assert_eq!(outcome.duplicates.len(), 1);
    assert_eq!(store.customer_count().expect("count"), 4);
}

#[test]
fn purchases_resolve_their_customers_and_refresh_the_figures() {
    let (_db, mut store, admin) = fresh();
    let saved = store
        .create_customer(&admin, &customer("王秀英", vec![phone("13800138000")]))
        .expect("create");
    let csv = format!(
        "客户编号,订单号,购买日期,金额,商品\n\
         {code},SO1,2026/05/01,\"¥1,299.00\",净水器\n\
         138 0013 8000,SO2,2026-04-01,100,滤芯\n\
         C9999999,SO3,2026-04-01,100,滤芯\n\
         {code},SO1,2026-04-02,5,x\n",
        code = saved.code
    );
    let parsed = parse_purchases(csv.as_bytes(), today());
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let (good, errors) = store.check_purchases(&parsed.rows).expect("check");
    assert_eq!(good.len(), 2);
    assert_eq!(
        lines_and_columns(&errors),
        [(4, "customer"), (5, "order_no")]
    );
    let imported = store
        .import_purchases(&admin, "p.csv", &good, &|_| {})
        .expect("import");
    assert_eq!(imported, 2);
    let c = store.customer(&admin, saved.id).expect("read");
    assert_eq!(c.orders_12m, 2);
    assert_eq!(c.spend_12m_cents, 139_900);
    assert_eq!(c.last_purchase, NaiveDate::from_ymd_opt(2026, 5, 1));
}

// ---- through the binary ----

fn customers_in(sandbox: &Sandbox) -> i64 {
    count(
        &sandbox.raw(),
        "SELECT count(*) FROM customers WHERE merged_into IS NULL",
    )
}

#[test]
fn the_cli_imports_nothing_while_any_row_is_rejected() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let file = sandbox.write_file("mixed.csv", MIXED.as_bytes());
    let file = file.to_str().expect("a UTF-8 path");
    let audit_before = count(&sandbox.raw(), "SELECT count(*) FROM audit_log");

    let stderr = sandbox.fails(&["import", "customers", file]);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.contains(
            &"line 1: column 'shoe size': unknown column; rename it to a known header or remove it"
        ),
        "{stderr}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("line 3: phone: ")),
        "{stderr}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("line 4: birthday: ")),
        "{stderr}"
    );
    assert!(lines.contains(&"line 5: name: is required"), "{stderr}");
    let last = lines.last().expect("a reason");
    assert!(last.starts_with("careline: 3 of 5 rows rejected"), "{last}");
    assert!(last.contains("nothing imported"), "{last}");
    assert!(last.contains("--skip-invalid"), "{last}");
    assert_eq!(customers_in(&sandbox), 0);
    assert_eq!(
        count(&sandbox.raw(), "SELECT count(*) FROM audit_log"),
        audit_before
    );

    // A dry run of the same file refuses it the same way.
    sandbox.fails(&["import", "customers", file, "--dry-run"]);
    assert_eq!(customers_in(&sandbox), 0);

    let stdout = sandbox.ok(&["import", "customers", file, "--skip-invalid"]);
    assert!(stdout.contains("Imported 2 customers"), "{stdout}");
    assert!(stdout.contains("3 rows rejected"), "{stdout}");
    assert_eq!(customers_in(&sandbox), 2);
    let found = sandbox.ok(&["search", "Ann Lee", "--json"]);
    let found: serde_json::Value = serde_json::from_str(&found).expect("JSON");
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert!(
        sandbox.ok(&["search", "Bob", "--json"]).trim() == "[]",
        "a rejected row was imported"
    );
}

#[test]
fn the_cli_dry_run_checks_everything_and_writes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王秀英",
        "--phone",
        "13800138000",
    ]);
    let file = sandbox.write_file(
        "good.csv",
        "name,phone\nWang Xiuying,+86 138 0013 8000\nAnn Lee,13812345678\n".as_bytes(),
    );
    let file = file.to_str().expect("a UTF-8 path");
    let audit_before = count(&sandbox.raw(), "SELECT count(*) FROM audit_log");
    let out = sandbox
        .command()
        .args(["import", "customers", file, "--dry-run"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("Dry run (UTF-8): 2 rows would be imported, 0 rejected, 1 flagged"),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning: line 2: phone +86 138 0013 8000 is already held by C"),
        "{stderr}"
    );
    assert_eq!(customers_in(&sandbox), 1);
    assert_eq!(
        count(&sandbox.raw(), "SELECT count(*) FROM audit_log"),
        audit_before
    );

    let stdout = sandbox.ok(&["import", "customers", file, "--skip-duplicates"]);
    assert!(stdout.contains("Imported 1 customer"), "{stdout}");
    assert!(
        stdout.contains("1 flagged as a possible duplicate (left out)"),
        "{stdout}"
    );
    assert_eq!(customers_in(&sandbox), 2);
}

#[test]
fn the_cli_reads_gbk_files() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let (bytes, _, _) = encoding_rs::GBK.encode(
        "姓名,手机,邮箱,生日,地址,公司,行业,标签\n\
         王秀英,138 1234 5678,WXY@Example.com,1980-03-05,北京市,星辰科技,零售,vip\n",
    );
    let file = sandbox.write_file("gbk.csv", &bytes);
    let stdout = sandbox.ok(&["import", "customers", file.to_str().expect("path")]);
    assert!(stdout.contains("Imported 1 customer"), "{stdout}");
    assert!(stdout.contains("(GBK)"), "{stdout}");
    let found = sandbox.ok(&["search", "wxy", "--json"]);
    let found: serde_json::Value = serde_json::from_str(&found).expect("JSON");
    assert_eq!(found[0]["name"], "王秀英");
    assert_eq!(found[0]["company"], "星辰科技");
}

#[test]
fn csv_export_neutralises_formulas_and_json_export_holds_every_customer() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "=HYPERLINK(\"http://evil\",\"x\")",
        "--phone",
        "+86 138 0013 8000",
        "--notes",
        "@SUM(1+1)",
        "--company=-2+3+cmd",
    ]);
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王芳",
        "--phone",
        "13912345678",
    ]);
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "Ann Lee",
        "--email",
        "ann@example.com",
    ]);

    let csv_path = sandbox.dir.path().join("out.csv");
    let csv_out = csv_path.to_str().expect("path");
    let out = sandbox
        .command()
        .args(["export", "customers", "--format", "csv", "--out", csv_out])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Exported 3 rows"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&csv_path)
        .expect("file")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "an export is readable by its owner only"
    );

    let mut reader = csv::Reader::from_path(&csv_path).expect("CSV");
    let headers = reader.headers().expect("headers").clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} in {headers:?}"))
    };
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 3);
    let evil = &rows[0];
    assert_eq!(&evil[column("name")], "'=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(&evil[column("notes")], "'@SUM(1+1)");
    assert_eq!(&evil[column("company")], "'-2+3+cmd");
    assert_eq!(&evil[column("phone")], "'+86 138 0013 8000");
    assert_eq!(&rows[1][column("name")], "王芳");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "a formula cell: {cell:?} in {row:?}"
            );
        }
    }

    let json = sandbox.ok(&["export", "customers", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let items = json.as_array().expect("an array");
    assert_eq!(items.len() as i64, customers_in(&sandbox));
    assert_eq!(
        items[0]["name"], "=HYPERLINK(\"http://evil\",\"x\")",
        "JSON is not neutralised"
    );
    assert_eq!(items[2]["email"], "ann@example.com");
    assert_eq!(
        count(
            &sandbox.raw(),
            "SELECT count(*) FROM audit_log WHERE action = 'export.customers'"
        ),
        2,
        "every export is audited"
    );
}

#[test]
fn exported_customers_import_into_a_fresh_database_unchanged() {
    let from = Sandbox::new();
    from.init();
    from.ok(&["demo", "--customers", "40", "--seed", "11"]);
    from.ok(&[
        "customer",
        "add",
        "--name",
        "=Formula Lee",
        "--phone",
        "+86 138 0013 8000",
        "--phone",
        "010-6666 8888 ext 12",
        "--email",
        "Lee@Example.com",
        "--owner",
        "li.na",
        "--tag",
        "frequent buyer",
        "--tag",
        "老客户",
        "--notes=-5 off, \"quoted\"\nsecond line",
        "--marketing-consent",
        "--consent-channel",
        "phone",
        "--membership",
        "member",
        "--membership-expiry",
        "2027-01-31",
    ]);
    let file = from.dir.path().join("customers.csv");
    let file = file.to_str().expect("path");
    from.ok(&["export", "customers", "--format", "csv", "--out", file]);
    let original = from.ok(&["export", "customers", "--format", "json"]);

    let to = Sandbox::new();
    to.init();
    for (login, name) in [
        ("li.na", "李娜"),
        ("zhang.wei", "张伟"),
        ("wang.fang", "王芳"),
        ("chen.jie", "陈杰"),
        ("amy.lee", "Amy Lee"),
    ] {
        // The demo's account managers, so that owners map back.
        to.ok(&["operator", "add", login, "--name", name]);
    }
    let stdout = to.ok(&["import", "customers", file]);
    assert!(stdout.contains("Imported 41 customers"), "{stdout}");
    let copy = to.ok(&["export", "customers", "--format", "json"]);

    let profile = |text: &str| -> Vec<serde_json::Value> {
        let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
        value
            .as_array()
            .expect("array")
            .iter()
            .map(|c| {
                let mut c = c.clone();
                let map = c.as_object_mut().expect("object");
                // Purchase figures come from purchases, which a customer file does not carry.
                for derived in ["tier", "spend_12m", "orders_12m", "last_purchase"] {
                    map.remove(derived);
                }
                c
            })
            .collect()
    };
    let (original, copy) = (profile(&original), profile(&copy));
    assert_eq!(original.len(), 41);
    assert_eq!(original[40]["owner"], "li.na");
    assert_eq!(original[40]["name"], "=Formula Lee");
    assert_eq!(original, copy);
}

#[test]
fn rows_the_database_refuses_are_reported_before_anything_is_written() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "Held", "--code", "TAKEN-1"]);
    // More rows than one write batch, so a late refusal would leave earlier batches behind.
    let mut csv = String::from("name,phone,owner,code\n");
    for i in 0..2_500u32 {
        let owner = if i == 2_300 { "nobody" } else { "" };
        let code = match i {
            2_400 => "TAKEN-1".to_string(),
            2_401 | 2_402 => "TWICE-1".to_string(),
            _ => String::new(),
        };
        csv.push_str(&format!("Customer {i},139{i:08},{owner},{code}\n"));
    }
    let file = sandbox.write_file("big.csv", csv.as_bytes());
    let file = file.to_str().expect("path");

    let stderr = sandbox.fails(&["import", "customers", file]);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.contains(&"line 2302: owner: no operator with login 'nobody'"),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("line 2402: code: TAKEN-1 is already used")),
        "{stderr}"
    );
    assert!(
        lines.contains(&"line 2404: code: TWICE-1 is also on line 2403"),
        "{stderr}"
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("careline: 3 of 2500 rows rejected")),
        "{stderr}"
    );
    assert_eq!(customers_in(&sandbox), 1, "nothing imported");

    let stdout = sandbox.ok(&["import", "customers", file, "--skip-invalid"]);
    assert!(stdout.contains("Imported 2497 customers"), "{stdout}");
    assert_eq!(customers_in(&sandbox), 2_498);
}

#[test]
fn the_library_refuses_rows_the_database_cannot_take_before_writing() {
    let (_db, mut store, admin) = fresh();
    let mut rows = Vec::new();
    for i in 0..2_100u32 {
        let mut f = customer(&format!("Customer {i}"), vec![]);
        if i == 2_050 {
            f.owner = Some("nobody".into());
        }
        rows.push((u64::from(i) + 2, f));
    }
    let err = store
        .import_customers(&admin, "rows", &rows, false, &|_| {})
        .expect_err("an unknown owner");
    assert!(
        err.to_string()
            .contains("line 2052: owner: no operator with login 'nobody'"),
        "{err}"
    );
    assert_eq!(store.customer_count().expect("count"), 0, "nothing written");
}

#[test]
fn a_vip_tag_or_level_makes_an_imported_customer_a_vip() {
    let sandbox = Sandbox::new();
    sandbox.init();
    // DESIGN §3.6: VIP is a level; a spreadsheet says so with a tag or with its level column.
    let file = sandbox.write_file(
        "vip.csv",
        "code,name,phone,level,tags,preferred channel\n\
         V1,Ann Lee,13800138000,,\"VIP, frequent buyer\",phone-out\n\
         V2,王秀英,13900139000,VIP客户,,\n\
         V3,Bob Brown,13700137000,normal,#vip,\n\
         V4,Carol King,13600136000,,老客户,\n"
            .as_bytes(),
    );
    let stdout = sandbox.ok(&["import", "customers", file.to_str().expect("path")]);
    assert!(stdout.contains("Imported 4 customers"), "{stdout}");
    let shown = |code: &str| {
        let text = sandbox.ok(&["customer", "show", code, "--json"]);
        serde_json::from_str::<serde_json::Value>(&text).expect("JSON")
    };
    for code in ["V1", "V2", "V3"] {
        let c = shown(code);
        assert_eq!(
            (&c["level"], &c["badge"]),
            (&"vip".into(), &"vip".into()),
            "{code}: {c}"
        );
    }
    let plain = shown("V4");
    assert_eq!(plain["level"], "normal", "{plain}");
    assert_eq!(plain["badge"], "potential", "no purchase yet: {plain}");
    assert_eq!(shown("V1")["preferred_channel"], "phone_out");
    let found = sandbox.ok(&["search", "#vip", "--json"]);
    let found: serde_json::Value = serde_json::from_str(&found).expect("JSON");
    assert_eq!(
        found.as_array().map(Vec::len),
        Some(2),
        "the two tagged: {found}"
    );
}

#[test]
fn numbers_as_a_phone_system_or_a_spreadsheet_writes_them_import_as_one() {
    let csv = "name,phone\n\
               Ann Lee,sip:+8613800138000@pbx\n\
               Bob Brown,tel:+86-21-6529-4356;ext=12; 2165294357\n\
               Carol King,+86 10 6552 9988\n\
               Dan Wu,0086 755 8888 6666\n";
    let parsed = parse_customers(csv.as_bytes(), today(), &PhoneRules::default());
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let (db, mut store, admin) = fresh();
    store
        .import_customers(&admin, "pbx.csv", &parsed.rows, false, &|_| {})
        .expect("import");
    // E.164 by hand: +86, then the area code without its trunk 0 (021 Shanghai, 010 Beijing,
    // 0755 Shenzhen) or the mobile, then the local number.
    let stored: Vec<(String, String)> = {
        let raw = db.raw();
        let mut stmt = raw
            .prepare(
                "SELECT c.name, k.normalized FROM contacts k JOIN customers c ON c.id = k.customer_id
                 ORDER BY c.id, k.position, k.id",
            )
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        rows
    };
    let want: Vec<(String, String)> = [
        ("Ann Lee", "+8613800138000"),
        ("Bob Brown", "+862165294356"),
        ("Bob Brown", "+862165294357"),
        ("Carol King", "+861065529988"),
        ("Dan Wu", "+8675588886666"),
    ]
    .iter()
    .map(|(n, p)| (n.to_string(), p.to_string()))
    .collect();
    assert_eq!(stored, want);
    // The same lines written the usual way are the same customers.
    let again = parse_customers(
        "name,phone\nA,138 0013 8000\nB,021-6529 4356\n".as_bytes(),
        today(),
        &PhoneRules::default(),
    );
    let dups = store.import_duplicates(&again.rows).expect("check");
    assert_eq!(dups.len(), 2, "{dups:?}");
}

#[test]
fn many_warnings_are_summed_up_on_screen_and_all_kept_in_a_report_file() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王秀英",
        "--phone",
        "13800138000",
    ]);
    // A BOM, then 15 rows that each hold the number 王秀英 holds, and one bad birthday.
    let mut csv = String::from("\u{feff}name,phone,birthday\n");
    for i in 0..15 {
        csv.push_str(&format!("Caller {i},138 0013 8000,\n"));
    }
    csv.push_str("Late Row,13900139000,1990-02-30\n");
    let file = sandbox.write_file("many.csv", csv.as_bytes());
    let out = sandbox.run(&[
        "import",
        "customers",
        file.to_str().expect("path"),
        "--skip-invalid",
    ]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Row i of the file is on line i + 2 (the header is line 1). Each row's number is held by
    // 王秀英, and from line 3 on also by line 2 of the file: 15 + 14 = 29 warnings.
    assert!(
        stdout.contains("Imported 15 customers") && stdout.contains("1 row rejected, 29 flagged"),
        "{stdout}"
    );
    // On screen: the first ten lines, then what the other twenty are, then where all are.
    let shown = stderr
        .lines()
        .filter(|l| l.starts_with("warning: line "))
        .count();
    assert_eq!(shown, 10, "{stderr}");
    assert!(
        stderr.contains(
            "… and 20 more lines; 30 lines in all: 29 possible duplicates, 1 rejected (birthday)"
        ),
        "{stderr}"
    );
    let path = stderr
        .lines()
        .find_map(|l| l.strip_prefix("Every line is in "))
        .unwrap_or_else(|| panic!("no report path: {stderr}"));
    let text = std::fs::read_to_string(path).expect("the report file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 30, "{text}");
    for n in 2..=16 {
        let held = format!("warning: line {n}: phone 138 0013 8000 is already held by C");
        assert!(lines.iter().any(|l| l.starts_with(&held)), "{held}: {text}");
    }
    for n in 3..=16 {
        let held = format!(
            "warning: line {n}: phone 138 0013 8000 is already held by line 2 of this file"
        );
        assert!(lines.contains(&held.as_str()), "{held}: {text}");
    }
    assert!(
        lines[29].starts_with("line 17: birthday: "),
        "{}",
        lines[29]
    );
    assert_eq!(customers_in(&sandbox), 16);
}

#[test]
fn a_code_or_number_repeated_far_down_a_long_file_is_still_found() {
    // 2,500 rows of a code and a number each: 5,000 keys, so the check records them over
    // three transactions and the repeats below sit in another one than their first use.
    let (_db, mut store, admin) = fresh();
    let mut csv = String::from("name,code,phone\n");
    for i in 0..2_500u32 {
        let code = match i {
            2_398 => "K000001".to_string(),
            _ => format!("K{:06}", i + 1),
        };
        let number = match i {
            2_299 => "13900000001".to_string(),
            _ => format!("139{:08}", i),
        };
        csv.push_str(&format!("Caller {i},{code},{number}\n"));
    }
    let parsed = parse_customers(csv.as_bytes(), today(), store.phone_rules());
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.rows.len(), 2_500);

    // Row i is on line i + 2: row 2,398 repeats row 0's code, row 2,299 row 1's number.
    let (good, refused) = store.check_customer_rows(&parsed.rows).expect("check");
    assert_eq!(good.len(), 2_499);
    assert_eq!(lines_and_columns(&refused), [(2_400, "code")]);
    assert_eq!(refused[0].reason, "K000001 is also on line 2");

    let dups = store.import_duplicates(&parsed.rows).expect("check");
    assert_eq!(dups.len(), 1, "{dups:?}");
    assert_eq!(dups[0].line, 2_301);
    assert_eq!(dups[0].held_by, "line 3 of this file");

    // The checks left no transaction open: the good rows write.
    let outcome = store
        .import_customers(&admin, "long.csv", &good, false, &|_| {})
        .expect("import");
    assert_eq!(outcome.imported, 2_499);
    assert_eq!(store.customer_count().expect("count"), 2_499);
}

/// Codes, numbers, emails, tags (one of them VIP), an owner, a landline and repeats: the
/// cases a bulk write must number, index and flag as customers created one at a time are.
const VARIED: &str = "name,code,phone,email,company,tags,owner,level
王秀英,,138 0013 8000,wxy@example.com,星辰科技,\"vip, 老客户\",,
Ann Lee,K-7,13812345678; 021-6529 4356,ann@example.com,,frequent buyer,li.na,
Bob Brown,,13912345678,ANN@example.com,Brown & Co,,,vip
张伟,,+86 138-0013-8000,,星辰科技,,,
Carol King,K-9,,carol@example.com,,#VIP,,
";

/// Everything a customer is as the store shows it: its record as exported (the times it was
/// written at apart), its contacts and the customers each query finds.
fn everything(store: &mut careline::store::Store, admin: &careline::store::Actor) -> String {
    let mut records = Vec::new();
    store
        .export_customers(admin, &mut |c| {
            let mut value = serde_json::to_value(&c).map_err(std::io::Error::other)?;
            if let Some(map) = value.as_object_mut() {
                map.remove("created_at");
                map.remove("updated_at");
            }
            records.push(value);
            Ok(())
        })
        .expect("export");
    let mut out = serde_json::to_string_pretty(&records).expect("JSON");
    for n in 1..=records.len() as i64 {
        let c = store.customer(admin, n).expect("customer");
        out.push_str(&format!(
            "\n{n} {} {:?} {:?} {:?}",
            c.code,
            c.fields.level,
            c.fields.tags,
            c.contacts_normalized
                .iter()
                .map(|ct| ct.normalized.as_str())
                .collect::<Vec<_>>()
        ));
    }
    for query in [
        "wxy",
        "王秀英",
        "6529",
        "8000",
        "ann@example.com",
        "K-7",
        "#vip",
        "星辰",
        "brown",
        "zhang",
    ] {
        let found: Vec<String> = store
            .search(admin, query, 20)
            .expect("search")
            .into_iter()
            .map(|r| r.customer.code)
            .collect();
        out.push_str(&format!("\n{query}: {found:?}"));
    }
    out
}

#[test]
fn a_bulk_import_writes_the_customers_one_at_a_time_creation_would() {
    for held_before in [false, true] {
        let (_a, mut bulk, admin_a) = fresh();
        let (_b, mut single, admin_b) = fresh();
        for (store, admin) in [(&mut bulk, &admin_a), (&mut single, &admin_b)] {
            store
                .add_operator(admin, "li.na", "李娜", careline::store::Role::Operator)
                .expect("operator");
        }
        let mut warned_singly = Vec::new();
        if held_before {
            // Into a database with customers: one already holds 王秀英's number.
            for (store, admin) in [(&mut bulk, &admin_a), (&mut single, &admin_b)] {
                store
                    .create_customer(admin, &customer("Held", vec![phone("13800138000")]))
                    .expect("create");
            }
        }
        let parsed = parse_customers(VARIED.as_bytes(), today(), bulk.phone_rules());
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        for (line, fields) in &parsed.rows {
            let saved = single.create_customer(&admin_b, fields).expect("create");
            warned_singly.push((*line, saved.warnings.len()));
        }
        let outcome = bulk
            .import_customers(&admin_a, "varied.csv", &parsed.rows, false, &|_| {})
            .expect("import");
        assert_eq!(outcome.imported, 5);

        // A row is flagged as often as creating it alone warns: once for each customer
        // holding one of its numbers, earlier rows of the file included.
        let warned_in_bulk: Vec<(u64, usize)> = parsed
            .rows
            .iter()
            .map(|(line, _)| {
                let n = outcome
                    .duplicates
                    .iter()
                    .filter(|d| d.line == *line)
                    .count();
                (*line, n)
            })
            .collect();
        assert_eq!(warned_in_bulk, warned_singly, "{:?}", outcome.duplicates);
        // 张伟 (line 5) holds 王秀英's number (line 2), Bob's email is Ann's (lines 4, 3).
        let expected_warnings = if held_before {
            [(2, 1), (3, 0), (4, 1), (5, 2), (6, 0)]
        } else {
            [(2, 0), (3, 0), (4, 1), (5, 1), (6, 0)]
        };
        assert_eq!(warned_in_bulk, expected_warnings);

        let (in_bulk, singly) = (
            everything(&mut bulk, &admin_a),
            everything(&mut single, &admin_b),
        );
        assert_eq!(in_bulk, singly);
        // The VIP tags and level made VIPs; codes given are kept, the others numbered.
        assert!(
            in_bulk.contains(" C0000001 Vip") || in_bulk.contains(" C0000002 Vip"),
            "{in_bulk}"
        );
        assert!(
            in_bulk.contains(" K-7 Normal") && in_bulk.contains(" K-9 Vip"),
            "{in_bulk}"
        );
        assert!(bulk.check().expect("check").ok());
    }
}

#[test]
fn a_code_a_later_row_brings_is_left_to_it_when_rows_without_one_are_numbered() {
    // The first customer of a fresh database is numbered C0000001: the third row brings that
    // code, so the first row must get another one, not fail the import half-way.
    let (_db, mut store, admin) = fresh();
    let csv = "name,code\nFirst,\nSecond,C0000003\nThird,C0000001\nFourth,\n";
    let parsed = parse_customers(csv.as_bytes(), today(), store.phone_rules());
    let outcome = store
        .import_customers(&admin, "codes.csv", &parsed.rows, false, &|_| {})
        .expect("import");
    assert_eq!(outcome.imported, 4);
    let codes: Vec<String> = (1..=4)
        .map(|id| store.customer(&admin, id).expect("customer").code)
        .collect();
    // Rows 1 and 4 take the next codes from their ids on that no row brings: C0000002 and
    // C0000004.
    assert_eq!(codes, ["C0000002", "C0000003", "C0000001", "C0000004"]);
    assert!(store.check().expect("check").ok());
}
