//! The real `careline` binary in a sandbox: its own data and config folders, a temporary
//! database, exit codes and one-line errors.

mod common;

use careline::domain::contact::{ContactKind, PhoneKind};
use careline::domain::customer::Level;
use careline::store::Customer;
use common::{count, login, one_line_error, Sandbox};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn codes(results: &Value) -> Vec<String> {
    results
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|r| r["code"].as_str().expect("a code").to_string())
        .collect()
}

/// Pinyin initials of common surnames and given names of the demo's generator, written by hand
/// (王 wáng, 秀英 xiùyīng …), so that no expected value comes from the code under test.
const SURNAME_INITIALS: &[(&str, &str)] = &[
    ("王", "w"),
    ("李", "l"),
    ("张", "z"),
    ("刘", "l"),
    ("陈", "c"),
    ("杨", "y"),
    ("黄", "h"),
    ("赵", "z"),
    ("吴", "w"),
    ("周", "z"),
];
const GIVEN_INITIALS: &[(&str, &str)] = &[
    ("秀英", "xy"),
    ("桂英", "gy"),
    ("秀兰", "xl"),
    ("玉兰", "yl"),
    ("建华", "jh"),
    ("建国", "jg"),
    ("建军", "jj"),
    ("志强", "zq"),
    ("志明", "zm"),
    ("晓燕", "xy"),
    ("小红", "xh"),
    ("海燕", "hy"),
    ("欣怡", "xy"),
    ("浩然", "hr"),
    ("宇轩", "yx"),
    ("俊杰", "jj"),
    ("晓东", "xd"),
    ("婷婷", "tt"),
    ("德明", "dm"),
    ("雅琴", "yq"),
];

/// The hand-written initials of `key` in `table`.
fn by_hand(table: &[(&str, &'static str)], key: &str) -> &'static str {
    table
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("{key} is in the table"))
}

/// `('a', 'b', …)` for SQL, from the first column of a hand-written table.
/// A customer's mobile numbers, national (without +86), in the record's order.
fn mobiles(c: &Customer) -> impl Iterator<Item = String> + '_ {
    c.contacts_normalized
        .iter()
        .filter(|k| k.kind == ContactKind::Phone && k.phone_kind == Some(PhoneKind::Mobile))
        .map(|k| k.normalized.trim_start_matches("+86").to_string())
}

/// A sandbox with `careline init` and 300 demo customers, built once per test that needs it.
fn demo_desk() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.init();
    let out = sandbox
        .command()
        .args(["demo", "--customers", "300", "--seed", "3"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Generated 300 customers"),
        "{out:?}"
    );
    sandbox
}

#[test]
fn init_creates_the_database_with_me_as_admin_once() {
    let sandbox = Sandbox::new();
    let stdout = sandbox.ok(&["init", "--name", "Test Admin"]);
    assert!(
        stdout.contains(&format!("with {} as its first admin", login())),
        "{stdout}"
    );
    assert!(sandbox.db.exists());
    let ops = json(&sandbox.ok(&["operator", "list", "--json"]));
    assert_eq!(ops[0]["login"], login().as_str());
    assert_eq!(ops[0]["role"], "admin");
    assert_eq!(ops[0]["name"], "Test Admin");

    let stderr = sandbox.fails(&["init"]);
    one_line_error(&stderr);
    assert!(stderr.contains("already initialised"), "{stderr}");

    // Nothing was written outside the sandbox, and the log went to its data folder. The log
    // can name customers, so only its owner reads it, as only the owner reads the database.
    use std::os::unix::fs::PermissionsExt;
    let log = sandbox.dir.path().join("data/careline/careline.log");
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .expect("metadata")
    };
    assert_eq!(mode(&log), 0o600);
    assert_eq!(mode(&sandbox.db), 0o600);
    // A log left readable by an older careline is narrowed at the next start.
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    sandbox.ok(&["operator", "list"]);
    assert_eq!(mode(&log), 0o600);
}

#[test]
fn a_missing_database_is_not_created_by_other_commands() {
    let sandbox = Sandbox::new();
    let stderr = sandbox.fails(&["search", "王芳"]);
    one_line_error(&stderr);
    assert!(stderr.contains("careline init"), "{stderr}");
    assert!(!sandbox.db.exists());
}

#[test]
fn an_os_user_without_an_operator_record_is_told_to_ask_an_admin() {
    let sandbox = Sandbox::new();
    {
        let mut store = sandbox.store();
        store
            .init_admin("somebody-else", "Somebody Else")
            .expect("init as someone else");
    }
    let stderr = sandbox.fails(&["search", "王芳"]);
    one_line_error(&stderr);
    assert!(
        stderr.contains(&format!("operator '{}' is not registered", login())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("careline operator add {}", login())),
        "{stderr}"
    );
}

#[test]
fn demo_fills_once_and_refuses_a_database_with_customers() {
    let sandbox = demo_desk();
    let everyone = sandbox.customers();
    assert_eq!(everyone.len(), 300);
    let store = sandbox.store();
    assert!(everyone
        .iter()
        .any(|c| !store.purchases_of(c.id, 1).expect("purchases").is_empty()));
    // Contacts are never deleted, so the highest id given is how many were logged.
    assert!(store.highest_interaction_id().expect("contacts") > 0);
    // Names whose first character is a CJK ideograph (U+4E00..U+9FFF).
    let chinese = everyone
        .iter()
        .filter(|c| {
            c.fields
                .name
                .chars()
                .next()
                .is_some_and(|f| ('\u{4e00}'..='\u{9fff}').contains(&f))
        })
        .count();
    assert!(
        (150..=250).contains(&chinese),
        "about two thirds Chinese: {chinese}"
    );

    let stderr = sandbox.fails(&["demo", "--customers", "10"]);
    one_line_error(&stderr);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(sandbox.customers().len(), 300);

    sandbox.ok(&["demo", "--customers", "10", "--seed", "4", "--force"]);
    assert_eq!(sandbox.customers().len(), 310);
    let stdout = sandbox.ok(&["check"]);
    assert!(stdout.contains("audit chain   ok"), "{stdout}");
}

#[test]
fn search_finds_demo_customers_by_phone_tail_name_and_initials() {
    let sandbox = demo_desk();
    let everyone = sandbox.customers();
    let (code, national) = everyone
        .iter()
        .filter(|c| !c.fields.confidential)
        .flat_map(|c| mobiles(c).map(|n| (c.code.clone(), n)))
        .nth(17)
        .expect("a demo mobile");
    let tail = &national[national.len() - 4..];
    let found = json(&sandbox.ok(&["search", tail, "--json", "--limit", "100"]));
    assert!(codes(&found).contains(&code), "{tail} → {found}");
    for hit in found.as_array().expect("array") {
        assert_eq!(hit["matched"], "phone", "{hit}");
        assert!(
            hit["masked_phone"]
                .as_str()
                .is_some_and(|m| m.contains('*')),
            "{hit}"
        );
    }
    // The plain listing shows the code and the masked number, never the whole number.
    let listing = sandbox.ok(&["search", tail, "--limit", "100"]);
    assert!(listing.lines().any(|l| l.starts_with(&code)), "{listing}");
    assert!(!listing.contains(&national), "{listing}");

    let full = json(&sandbox.ok(&["search", &format!("+86 {national}"), "--json"]));
    assert_eq!(codes(&full)[0], code);
    assert_eq!(full[0]["rank"], "exact");

    // A three-character name (surname and a two-character given name) whose initials are in
    // the tables above.
    let initial = |table: &[(&str, &str)], text: &str| table.iter().any(|(k, _)| *k == text);
    let (code, name) = everyone
        .iter()
        .find(|c| {
            let name: Vec<char> = c.fields.name.chars().collect();
            name.len() == 3
                && initial(SURNAME_INITIALS, &name[..1].iter().collect::<String>())
                && initial(GIVEN_INITIALS, &name[1..].iter().collect::<String>())
                && !c.fields.confidential
        })
        .map(|c| (c.code.clone(), c.fields.name.clone()))
        .expect("a three-character name in the tables");
    let given: String = name.chars().skip(1).collect();
    let found = json(&sandbox.ok(&["search", &given, "--json", "--limit", "300"]));
    assert!(codes(&found).contains(&code), "{given} → {found}");
    for hit in found.as_array().expect("array") {
        let hit_name = hit["name"].as_str().expect("name");
        let company = hit["company"].as_str().unwrap_or_default();
        assert!(
            hit_name.contains(&given) || company.starts_with(&given),
            "{given} found {hit}"
        );
    }

    let surname: String = name.chars().take(1).collect();
    let initials = format!(
        "{}{}",
        by_hand(SURNAME_INITIALS, &surname),
        by_hand(GIVEN_INITIALS, &given)
    );
    let found = json(&sandbox.ok(&["search", &initials, "--json", "--limit", "300"]));
    assert!(codes(&found).contains(&code), "{initials} → {found}");
    assert_eq!(found[0]["rank"], "exact");
    assert_eq!(found[0]["matched"], "initials");

    let found = json(&sandbox.ok(&["search", &name, "--json"]));
    assert_eq!(found[0]["name"], name.as_str());
    assert_eq!(found[0]["rank"], "exact");
}

#[test]
fn search_by_tag_as_json_gives_the_vip_customers() {
    let sandbox = demo_desk();
    let found = json(&sandbox.ok(&["search", "#vip", "--json", "--limit", "300"]));
    let items = found.as_array().expect("an array");
    let vips = sandbox
        .customers()
        .iter()
        .filter(|c| c.fields.tags.iter().any(|t| t == "vip"))
        .count() as i64;
    assert!(vips > 0, "the demo has VIP customers");
    assert_eq!(items.len() as i64, vips);
    for item in items {
        assert_eq!(item["badge"], "vip", "{item}");
        assert_eq!(item["matched"], "tag", "{item}");
        assert_eq!(item["rank"], "exact", "{item}");
    }
    let limited = json(&sandbox.ok(&["search", "#vip", "--json", "--limit", "2"]));
    assert_eq!(limited.as_array().map(Vec::len), Some(2.min(items.len())));

    // No match: an empty array as JSON, a one-line failure as text.
    assert_eq!(
        sandbox.ok(&["search", "#no-such-tag", "--json"]).trim(),
        "[]"
    );
    let stderr = sandbox.fails(&["search", "#no-such-tag"]);
    one_line_error(&stderr);
    assert!(stderr.contains("no customer matches"), "{stderr}");
}

#[test]
fn customer_add_show_edit_and_merge() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let out = sandbox
        .command()
        .args([
            "customer",
            "add",
            "--name",
            "王秀英",
            "--phone",
            "138 0013 8000",
            "--email",
            "WXY@Example.com",
            "--tag",
            "vip",
            "--birthday",
            "1980-03-05",
            "--company",
            "星辰科技",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let keep = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .trim()
        .to_string();
    assert!(keep.starts_with('C'), "{keep}");
    assert!(out.stderr.is_empty(), "no warning for a first record");

    let text = sandbox.ok(&["customer", "show", &keep, "--json"]);
    assert_eq!(text.matches("\"code\":").count(), 1, "one code key: {text}");
    let shown = json(&text);
    assert_eq!(shown["code"], keep.as_str());
    assert_eq!(shown["name"], "王秀英");
    assert_eq!(shown["birthday"], "1980-03-05");
    assert_eq!(shown["version"], 1);
    assert_eq!(shown["tags"], serde_json::json!(["vip"]));
    let normalized: Vec<&str> = shown["contacts_normalized"]
        .as_array()
        .expect("contacts")
        .iter()
        .map(|c| c["normalized"].as_str().expect("normalized"))
        .collect();
    assert_eq!(normalized, ["+8613800138000", "wxy@example.com"]);

    // The card is found by phone and by email too, and every view is audited.
    let by_phone = json(&sandbox.ok(&["customer", "show", "+86 138-0013-8000", "--json"]));
    assert_eq!(by_phone["code"], keep.as_str());
    let card = sandbox.ok(&["customer", "show", "wxy@example.com"]);
    assert!(
        card.contains("王秀英") && card.contains("138 0013 8000"),
        "{card}"
    );
    // The audit log has no reader but `check`: counted behind the store.
    assert_eq!(
        count(
            &sandbox.raw(),
            "SELECT count(*) FROM audit_log WHERE action = 'customer.view'"
        ),
        3
    );

    let stdout = sandbox.ok(&[
        "customer",
        "edit",
        &keep,
        "--company",
        "",
        "--add-tag",
        "frequent buyer",
    ]);
    assert_eq!(stdout.trim(), format!("{keep} saved (version 2)."));
    let shown = json(&sandbox.ok(&["customer", "show", &keep, "--json"]));
    assert_eq!(
        shown["company"],
        Value::Null,
        "an empty value clears a field"
    );
    assert_eq!(shown["tags"], serde_json::json!(["frequent-buyer", "vip"]));

    let stderr = sandbox.fails(&[
        "customer",
        "edit",
        &keep,
        "--version",
        "1",
        "--notes",
        "stale",
    ]);
    one_line_error(&stderr);
    assert!(stderr.contains("your version 1, now 2"), "{stderr}");

    let stderr = sandbox.fails(&["customer", "edit", &keep, "--phone", "12345"]);
    one_line_error(&stderr);
    assert!(
        stderr.contains("phone: has 5 digits; too short"),
        "{stderr}"
    );

    let out = sandbox
        .command()
        .args([
            "customer",
            "add",
            "--name",
            "Wang Xiuying",
            "--phone",
            "+86 138-0013-8000",
            "--phone",
            "010-6666 8888 转 12",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let other = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .trim()
        .to_string();
    let warning = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        warning.contains(&format!("is already held by {keep} 王秀英")),
        "{warning}"
    );

    let stderr = sandbox.fails(&["customer", "show", "13800138000"]);
    one_line_error(&stderr);
    assert!(stderr.contains("more than one customer"), "{stderr}");

    let stdout = sandbox.ok(&["customer", "merge", &keep, &other]);
    assert!(
        stdout.starts_with(&format!("Merged {other} into {keep}")),
        "{stdout}"
    );
    let tombstone = json(&sandbox.ok(&["customer", "show", &other, "--json"]));
    assert_eq!(tombstone["merged_into"], keep.as_str());
    let kept = json(&sandbox.ok(&["customer", "show", &keep, "--json"]));
    assert_eq!(
        kept["contacts_normalized"].as_array().map(Vec::len),
        Some(3)
    );
    let found = json(&sandbox.ok(&["search", "8888", "--json"]));
    assert_eq!(codes(&found), [keep.as_str()]);
    let stderr = sandbox.fails(&["customer", "merge", &keep, &other]);
    one_line_error(&stderr);
    assert!(stderr.contains("already merged"), "{stderr}");
    assert!(sandbox.ok(&["check"]).contains("audit chain   ok"));
}

#[test]
fn errors_exit_non_zero_with_one_line_on_stderr() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let out = sandbox.run(&["customer", "show", "NOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    one_line_error(&stderr);
    assert!(stderr.contains("customer 'NOPE'"), "{stderr}");
    assert!(stderr.contains("not found"), "{stderr}");

    for (args, wanted) in [
        (
            vec!["customer", "add", "--phone", "13800138000"],
            "name: is required",
        ),
        (
            vec![
                "customer",
                "add",
                "--name",
                "Ann",
                "--email",
                "ann.example.com",
            ],
            "email: has no '@'",
        ),
        (
            vec![
                "customer",
                "add",
                "--name",
                "Ann",
                "--birthday",
                "1990-02-30",
            ],
            "birthday: '1990-02-30' is not a day of the calendar",
        ),
        (
            vec!["customer", "add", "--name", "Ann", "--level", "gold"],
            "level: 'gold' is not one of normal, vip",
        ),
        (vec!["customer", "merge", "NOPE", "NADA"], "not found"),
        (
            vec!["operator", "role", "nobody", "admin"],
            "operator 'nobody' not found",
        ),
        (
            vec!["import", "customers", "/no/such/file.csv"],
            "cannot read /no/such/file.csv",
        ),
        (
            vec!["bench", "lookup", "--samples", "5"],
            "holds no customers",
        ),
    ] {
        let stderr = sandbox.fails(&args);
        one_line_error(&stderr);
        assert!(stderr.contains(wanted), "{args:?}: {stderr}");
    }
    assert!(
        !sandbox.store().has_customers().expect("read"),
        "nothing written"
    );

    // A usage error is clap's: exit code 2 and a usage hint.
    let out = sandbox.run(&["customer", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn operators_and_acting_as_another_from_the_command_line() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let stdout = sandbox.ok(&[
        "operator", "add", "li.na", "--name", "李娜", "--role", "operator",
    ]);
    assert_eq!(stdout.trim(), "Added li.na (李娜) as operator.");
    let code = sandbox.ok(&[
        "--as",
        "li.na",
        "customer",
        "add",
        "--name",
        "王芳",
        "--phone",
        "13912345678",
    ]);
    // The audit row itself (no store call reads the audit log back).
    let (actor, via): (String, Option<String>) = sandbox
        .raw()
        .query_row(
            "SELECT actor_login, via_login FROM audit_log WHERE action = 'customer.create'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("audited");
    assert_eq!((actor.as_str(), via), ("li.na", Some(login())));
    assert!(code.trim().starts_with('C'));

    // Acting as an operator means having only an operator's rights.
    let stderr = sandbox.fails(&[
        "--as",
        "li.na",
        "operator",
        "add",
        "zhang.wei",
        "--name",
        "张伟",
    ]);
    one_line_error(&stderr);
    assert!(
        stderr.contains("only an admin may add operators; li.na is operator"),
        "{stderr}"
    );
    let stderr = sandbox.fails(&[
        "--as", "li.na", "customer", "add", "--name", "VIP", "--level", "vip",
    ]);
    one_line_error(&stderr);
    assert!(stderr.contains("supervisor"), "{stderr}");

    sandbox.ok(&["operator", "disable", "li.na"]);
    let stderr = sandbox.fails(&["--as", "li.na", "search", "王芳"]);
    one_line_error(&stderr);
    assert!(stderr.contains("disabled"), "{stderr}");
    sandbox.ok(&["operator", "enable", "li.na"]);
    sandbox.ok(&["operator", "role", "li.na", "supervisor"]);
    let ops = json(&sandbox.ok(&["operator", "list", "--json"]));
    let li = ops
        .as_array()
        .expect("array")
        .iter()
        .find(|o| o["login"] == "li.na")
        .expect("li.na listed");
    assert_eq!(
        (li["role"].as_str(), li["active"].as_bool()),
        (Some("supervisor"), Some(true))
    );
}

/// Every command path of the parser's tree (`[]` for careline itself), parents before children.
fn command_paths(command: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(path.clone());
    for sub in command.get_subcommands() {
        let mut deeper = path.clone();
        deeper.push(sub.get_name().to_string());
        command_paths(sub, deeper, out);
    }
}

#[test]
fn every_command_has_help() {
    use clap::CommandFactory;

    let sandbox = Sandbox::new();
    // The commands come from the parser itself, so a new one is covered the day it is added.
    let tree = careline::cli::Cli::command();
    let mut paths = Vec::new();
    command_paths(&tree, Vec::new(), &mut paths);
    for expected in [
        &["customer", "merge"][..],
        &["log"],
        &["log", "add"],
        &["log", "list"],
        &["pop"],
        &["bench", "lookup"],
        &["bench", "screen"],
        &["bench", "log"],
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected:?} is in the tree: {paths:?}"
        );
    }
    let subcommands = |path: &[String]| -> Vec<String> {
        let mut command = &tree;
        for name in path {
            command = command.find_subcommand(name).expect("a path of the tree");
        }
        // Hidden ones (a benchmark's worker process) are for careline itself, not listed.
        command
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name().to_string())
            .collect()
    };
    for path in &paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let stdout = sandbox.ok(&args);
        let usage = format!("Usage: careline {}", path.join(" "));
        assert!(stdout.contains(usage.trim_end()), "{args:?}: {stdout}");
        // A command with subcommands lists each of them.
        for sub in subcommands(path) {
            assert!(
                stdout.lines().any(|l| l.trim_start().starts_with(&sub)),
                "{args:?} lists {sub}: {stdout}"
            );
        }
    }
    assert!(!sandbox.db.exists(), "--help touches no database");
}

#[test]
fn check_passes_on_a_demo_and_finds_a_tampered_audit_log() {
    let sandbox = demo_desk();
    let stdout = sandbox.ok(&["check"]);
    assert!(stdout.contains("integrity     ok"), "{stdout}");
    assert!(stdout.contains("foreign keys  ok"), "{stdout}");
    assert!(stdout.contains("audit chain   ok"), "{stdout}");
    let report = json(&sandbox.ok(&["check", "--json"]));
    assert_eq!(report["schema_version"], careline::store::SCHEMA_VERSION);
    assert_eq!(report["audit"]["broken_at"], Value::Null);
    assert!(report["audit"]["entries"].as_i64().is_some_and(|n| n > 0));

    // A tampered audit log fails the check.
    sandbox
        .raw()
        .execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET detail = '{}' WHERE id = 1;",
        )
        .expect("tamper");
    let out = sandbox.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("audit chain   BROKEN at entry 1"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    one_line_error(&stderr);
    assert!(stderr.contains("failed its check"), "{stderr}");
}

/// Ranks in the order results must come: exact, then prefix, then substring.
fn rank_order(results: &Value) -> Vec<u8> {
    results
        .as_array()
        .expect("array")
        .iter()
        .map(|r| match r["rank"].as_str() {
            Some("exact") => 0,
            Some("prefix") => 1,
            Some("substring") => 2,
            other => panic!("unknown rank {other:?}"),
        })
        .collect()
}

/// The issue's own queries, literally, on a demo database large enough to hold their answers.
#[test]
fn the_done_means_queries_return_the_right_customers_ranked() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["demo", "--customers", "3000", "--seed", "1"]);
    // Beside the demo's names, three that give each rank something to show: 秀英 is the query
    // itself, 秀英华 begins with it, and the initials of 王秀英华 (wxyh) begin with wxy.
    for (name, phone) in [
        ("秀英", "139 0000 0001"),
        ("秀英华", "139 0000 0002"),
        ("王秀英华", "139 0000 0003"),
    ] {
        sandbox.ok(&["customer", "add", "--name", name, "--phone", phone]);
    }
    let everyone = sandbox.customers();
    let names = |found: &Value| -> Vec<String> {
        found
            .as_array()
            .expect("array")
            .iter()
            .map(|h| h["name"].as_str().expect("name").to_string())
            .collect()
    };

    let xiuying = everyone
        .iter()
        .filter(|c| c.fields.name.contains("秀英"))
        .count() as i64;
    assert!(xiuying > 3, "the demo has names with 秀英");
    let found = json(&sandbox.ok(&["search", "秀英", "--json", "--limit", "1000"]));
    assert_eq!(found.as_array().map(Vec::len), Some(xiuying as usize));
    for hit in found.as_array().expect("array") {
        assert!(
            hit["name"].as_str().is_some_and(|n| n.contains("秀英")),
            "{hit}"
        );
    }
    // Exact, then prefix, then substring: 秀英 itself, then 秀英华, then every other name
    // holding it (秀 is none of the demo's surnames, so no demo name begins with 秀英).
    let mut expected = vec![0, 1];
    expected.resize(xiuying as usize, 2);
    assert_eq!(rank_order(&found), expected, "{found}");
    assert_eq!(names(&found)[..2], ["秀英", "秀英华"]);

    // The demo's names with the initials wxy, by hand: a surname read w… (王 汪 吴 魏 韦) and a
    // given name read x… y… (秀英 晓燕 欣怡). They are the exact matches; 王秀英华 comes after
    // them, its initials beginning with wxy.
    let wxy_names: Vec<String> = ["王", "汪", "吴", "魏", "韦"]
        .iter()
        .flat_map(|s| ["秀英", "晓燕", "欣怡"].map(|g| format!("{s}{g}")))
        .collect();
    let exact_wxy = everyone
        .iter()
        .filter(|c| wxy_names.contains(&c.fields.name))
        .count() as i64;
    assert!(exact_wxy > 0, "the demo has a 王秀英 or another wxy");
    let found = json(&sandbox.ok(&["search", "wxy", "--json", "--limit", "1000"]));
    let mut expected = vec![0; exact_wxy as usize];
    expected.push(1);
    assert_eq!(rank_order(&found), expected, "{found}");
    let hits = found.as_array().expect("array");
    for hit in &hits[..exact_wxy as usize] {
        let name = hit["name"].as_str().expect("name");
        assert!(wxy_names.iter().any(|n| n == name), "{hit}");
        assert_eq!(hit["matched"], "initials", "{hit}");
    }
    assert_eq!(hits[exact_wxy as usize]["name"], "王秀英华");
    let wang_xiuying = everyone
        .iter()
        .filter(|c| c.fields.name == "王秀英")
        .count() as i64;
    assert!(wang_xiuying > 0, "the demo has a 王秀英");
    assert_eq!(
        names(&found).iter().filter(|n| *n == "王秀英").count() as i64,
        wang_xiuying,
        "every 王秀英 is an exact match"
    );

    // The last four digits of a number the desk holds find its customer first among equals.
    let (code, national) = everyone
        .iter()
        .rev()
        .find_map(|c| mobiles(c).next().map(|n| (c.code.clone(), n)))
        .expect("a mobile");
    let tail = &national[national.len() - 4..];
    let holders = everyone
        .iter()
        .filter(|c| {
            c.contacts_normalized
                .iter()
                .any(|k| k.kind == ContactKind::Phone && k.normalized.ends_with(tail))
        })
        .count() as i64;
    let found = json(&sandbox.ok(&["search", tail, "--json", "--limit", "1000"]));
    assert!(codes(&found).contains(&code), "{tail} → {found}");
    assert!(
        found.as_array().map(Vec::len).unwrap_or_default() as i64 >= holders,
        "every number ending {tail} is found: {found}"
    );

    let found = json(&sandbox.ok(&["search", "#vip", "--json", "--limit", "1000"]));
    let vips = everyone
        .iter()
        .filter(|c| c.fields.level == Level::Vip)
        .count() as i64;
    assert!(vips > 0);
    assert_eq!(found.as_array().map(Vec::len), Some(vips as usize));
    assert!(found
        .as_array()
        .expect("array")
        .iter()
        .all(|h| h["badge"] == "vip" && h["rank"] == "exact"));
}

#[test]
fn an_unknown_screen_language_is_refused_by_name() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let stderr = sandbox.fails(&["--lang", "fr"]);
    assert!(
        stderr.contains("--lang: careline does not speak 'fr'; use en or zh-CN"),
        "{stderr}"
    );
}

#[test]
fn codes_are_accepted_with_hyphens_as_with_underscores() {
    let sandbox = demo_desk();
    let list = |channel: &str, code: &str| {
        json(&sandbox.ok(&[
            "log",
            "list",
            "--channel",
            channel,
            "--disposition",
            code,
            "--limit",
            "500",
            "--json",
        ]))
    };
    let underscores = list("phone_in", "callback_needed");
    let entries = underscores.as_array().expect("entries");
    assert!(
        !entries.is_empty(),
        "the demo has inbound calls needing a callback"
    );
    assert!(entries
        .iter()
        .all(|e| e["channel"] == "phone_in" && e["disposition"] == "callback_needed"));
    assert_eq!(list("phone-in", "callback-needed"), underscores);
    assert_eq!(list("Phone In", "Callback Needed"), underscores);
    let stderr = sandbox.fails(&["log", "list", "--disposition", "callback"]);
    one_line_error(&stderr);
    assert!(
        stderr.contains("'callback' is not a wrap-up code"),
        "{stderr}"
    );
}

#[test]
fn demo_creates_the_database_it_fills_when_there_is_none() {
    let sandbox = Sandbox::new();
    assert!(!sandbox.db.exists());
    let out = sandbox.run(&["demo", "--customers", "25", "--seed", "2"]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("with {} as its first admin", login()))
            && stderr.contains("Generated 25 customers"),
        "{stderr}"
    );
    let ops = json(&sandbox.ok(&["operator", "list", "--json"]));
    let me = ops
        .as_array()
        .and_then(|ops| ops.iter().find(|o| o["login"] == login().as_str()))
        .unwrap_or_else(|| panic!("{ops}"));
    assert_eq!(me["role"], "admin");
    assert_eq!(sandbox.customers().len(), 25);
    // A second demo finds the database made and refuses to fill it twice, as always.
    let stderr = sandbox.fails(&["demo", "--customers", "5"]);
    one_line_error(&stderr);
    assert!(!stderr.contains("first admin"), "{stderr}");
}

#[test]
fn screen_options_are_offered_where_they_mean_something() {
    let sandbox = Sandbox::new();
    // A command's help lists the options that act on it, not the screen's.
    let help = sandbox.ok(&["log", "add", "--help"]);
    for screen_only in ["--theme", "--lang", "--demo"] {
        assert!(!help.contains(screen_only), "{screen_only}: {help}");
    }
    for everywhere in ["--db", "--config", "--as", "--allow-network-fs"] {
        assert!(help.contains(everywhere), "{everywhere}: {help}");
    }
    // careline's own help is the screen's: it lists them all.
    let help = sandbox.ok(&["--help"]);
    for option in ["--theme", "--lang", "--demo", "--db", "--config"] {
        assert!(help.contains(option), "{option}: {help}");
    }
    // Given with a command, a screen option is refused by name instead of being ignored.
    let stderr = sandbox.fails(&["--theme", "light", "search", "wang"]);
    one_line_error(&stderr);
    assert!(
        stderr.contains(
            "--theme: sets the operator's screen only; `careline search` does not use it"
        ),
        "{stderr}"
    );
    let stderr = sandbox.fails(&["--lang", "zh-CN", "check"]);
    one_line_error(&stderr);
    assert!(
        stderr.contains("--lang: sets the operator's screen only"),
        "{stderr}"
    );
    // Behind a command they are not options at all.
    let out = sandbox.run(&["log", "add", "--theme", "light"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("unexpected argument '--theme'"), "{stderr}");
    assert!(!sandbox.db.exists(), "nothing touched the database");
}

#[test]
fn merge_says_what_moved_in_a_sentence_and_never_invents_a_last_contact() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let add = |name: &str, phones: &[&str]| {
        let mut args = vec!["customer", "add", "--name", name];
        for p in phones {
            args.extend(["--phone", p]);
        }
        sandbox.ok(&args).trim().to_string()
    };
    let keep = add("Ann Lee", &["13800138000"]);
    let other = add("Ann Lee", &["13900139000"]);
    // Neither was ever contacted: one phone moves, nothing else.
    let stdout = sandbox.ok(&["customer", "merge", &keep, &other]);
    assert_eq!(
        stdout.trim(),
        format!("Merged {other} into {keep}: moved 1 contact.")
    );
    let kept = json(&sandbox.ok(&["customer", "show", &keep, "--json"]));
    assert_eq!(kept["last_contact_at"], Value::Null, "{kept}");
    let found = json(&sandbox.ok(&["search", &keep, "--json"]));
    assert_eq!(found[0]["last_contact_at"], Value::Null, "{found}");
    let line = sandbox.ok(&["search", &keep]);
    assert!(!line.contains("1970"), "{line}");

    // The same number on both is held already; one more moves. --json gives the counts.
    let third = add("Ann Lee", &["13800138000", "13700137000"]);
    let moved = json(&sandbox.ok(&["customer", "merge", &keep, &third, "--json"]));
    assert_eq!(moved["contacts"], 1, "{moved}");
    assert_eq!(moved["contacts_already_held"], 1, "{moved}");
    assert_eq!(moved["interactions"], 0, "{moved}");

    // A contact logged on the kept record survives a merge as its last contact.
    sandbox.ok(&[
        "log",
        "add",
        "--customer",
        &keep,
        "--channel",
        "phone_in",
        "--disposition",
        "information_given",
        "--started",
        "2026-03-04 10:00",
    ]);
    let before =
        json(&sandbox.ok(&["customer", "show", &keep, "--json"]))["last_contact_at"].clone();
    assert!(before.is_string(), "{before}");
    let fourth = add("Ann Lee", &["13600136000"]);
    let stdout = sandbox.ok(&["customer", "merge", &keep, &fourth]);
    assert_eq!(
        stdout.trim(),
        format!("Merged {fourth} into {keep}: moved 1 contact.")
    );
    let after = json(&sandbox.ok(&["customer", "show", &keep, "--json"]));
    assert_eq!(after["last_contact_at"], before, "{after}");
}

#[test]
fn channel_and_direction_codes_take_hyphens_when_logging_and_on_a_customer() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let code = sandbox
        .ok(&[
            "customer",
            "add",
            "--name",
            "Ann Lee",
            "--phone",
            "13800138000",
            "--preferred-channel",
            "phone-out",
        ])
        .trim()
        .to_string();
    let shown = json(&sandbox.ok(&["customer", "show", &code, "--json"]));
    assert_eq!(shown["preferred_channel"], "phone_out", "{shown}");
    sandbox.ok(&[
        "log",
        "add",
        "--customer",
        &code,
        "--channel",
        "phone-in",
        "--direction",
        "Inbound",
        "--disposition",
        "information-given",
    ]);
    let logged = json(&sandbox.ok(&["log", "list", "--channel", "Phone-In", "--json"]));
    let entries = logged.as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{logged}");
    assert_eq!(entries[0]["channel"], "phone_in");
    assert_eq!(entries[0]["direction"], "inbound");
    assert_eq!(entries[0]["disposition"], "information_given");
}

/// A refused or failed export leaves a file already at `--out` as it was (the trial found it
/// emptied by a refused one); a finished export replaces it, owner-only.
#[test]
fn an_export_replaces_its_file_only_when_it_is_whole() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&[
        "operator", "add", "li.na", "--name", "李娜", "--role", "operator",
    ]);
    sandbox.ok(&[
        "customer",
        "add",
        "--name",
        "王秀英",
        "--phone",
        "13800138000",
    ]);
    let file = sandbox.dir.path().join("notes.txt");
    std::fs::write(&file, "important\n").expect("write");
    let err = sandbox.fails(&[
        "--as",
        "li.na",
        "export",
        "customers",
        "--format",
        "csv",
        "--out",
        file.to_str().expect("path"),
    ]);
    assert!(
        err.contains("only a supervisor may export customers"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "important\n");
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    sandbox.ok(&[
        "export",
        "customers",
        "--format",
        "csv",
        "--out",
        file.to_str().expect("path"),
    ]);
    let written = std::fs::read_to_string(&file).expect("read");
    assert!(written.contains("王秀英"), "{written}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).expect("file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
