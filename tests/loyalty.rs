//! Value and loyalty (issue 16 item 3) on real database files and the real binary: points
//! accrue on purchases (added and imported), are redeemed as a logged contact (never more than
//! the balance), expire oldest first (twice or at once in two processes, the same); member
//! levels at each threshold, the birthday-month perk; lifetime value and churn risk for
//! purchase histories made by hand; the reports' points; the card at 80×24 in both languages.
//!
//! The rules (docs/REPORTS.md, "Value and loyalty") with the defaults: 1 point per whole yuan;
//! points expire 12 months after the day they were earned, oldest first; levels by 12-month
//! spend — Regular 0, Silver 2,000, Gold 10,000, Diamond 50,000 yuan — with the birthday perk
//! from Silver up; lifetime value = lifetime spend ÷ max(days since the first purchase, 365)
//! × 365 × 3 years (1 year at churn risk); churn risk after more than 180 days without a
//! purchase.

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use careline::domain::customer::{Channel, Tier};
use careline::domain::report::{Period, ReportTargets};
use careline::store::{Actor, Clock, NewPurchase, ReportQuery, Store, StoreError};
use common::{customer, phone, Sandbox, TempDb};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// Noon in China on `day`.
fn noon(day: &str) -> DateTime<Utc> {
    let day = d(day);
    Utc.from_utc_datetime(&day.and_hms_opt(4, 0, 0).expect("time"))
}

struct Desk {
    _db: TempDb,
    store: Store,
    admin: Actor,
}

impl Desk {
    fn new() -> Desk {
        let db = TempDb::new();
        let mut store = db.open();
        let admin = store.init_admin("boss", "The Boss").expect("init");
        Desk {
            _db: db,
            store,
            admin,
        }
    }

    fn when(&mut self, day: &str) -> &mut Store {
        self.store.set_clock(Clock::Fixed(noon(day)));
        &mut self.store
    }

    fn customer(&mut self, name: &str, mobile: &str, birthday: Option<&str>) -> i64 {
        let mut fields = customer(name, vec![phone(mobile)]);
        fields.birthday = birthday.map(d);
        let admin = self.admin.clone();
        self.store
            .create_customer(&admin, &fields)
            .expect("customer")
            .id
    }

    /// A purchase of `cents` on `day`, recorded on `day` at noon.
    fn buy(&mut self, customer: i64, day: &str, cents: i64) {
        let admin = self.admin.clone();
        let purchase = NewPurchase {
            customer_id: customer,
            order_no: None,
            purchased_on: d(day),
            amount_cents: cents,
            product: None,
            category: None,
            quantity: 1,
            channel: None,
        };
        self.when(day)
            .add_purchase(&admin, &purchase)
            .expect("purchase");
    }

    fn balance(&self, customer: i64) -> i64 {
        self.store
            .points_balance(&self.admin, customer)
            .expect("balance")
            .balance
    }

    fn expire(&mut self, run_on: &str, date: &str) -> (u64, i64) {
        let admin = self.admin.clone();
        let done = self
            .when(run_on)
            .expire_points(&admin, d(date))
            .expect("expire");
        (done.customers, done.points)
    }
}

#[test]
fn a_purchase_earns_a_point_a_whole_yuan_in_its_transaction() {
    let mut desk = Desk::new();
    let ann = desk.customer("Ann", "13800138000", None);
    // ¥123.45 → 123 whole yuan → 123 points; ¥0.99 → none.
    desk.buy(ann, "2026-05-01", 12_345);
    desk.buy(ann, "2026-05-02", 99);
    assert_eq!(desk.balance(ann), 123);
    let c = desk.store.customer(&desk.admin, ann).expect("customer");
    assert_eq!(c.points, 123, "the balance the card shows is the ledger's");
    let history = desk
        .store
        .points_history(&desk.admin, ann)
        .expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(
        (
            history[0].kind.as_str(),
            history[0].delta,
            history[0].balance
        ),
        ("earn", 123, 123)
    );
}

#[test]
fn a_redemption_is_a_logged_contact_and_a_ledger_row_never_more_than_the_balance() {
    let mut desk = Desk::new();
    let ann = desk.customer("Ann", "13800138000", None);
    desk.buy(ann, "2026-05-01", 20_000); // 200 points
    let admin = desk.admin.clone();
    let done = desk
        .when("2026-05-20")
        .redeem_points(&admin, ann, 150, "兑换滤芯套装", Channel::PhoneIn)
        .expect("redeem");
    // 200 − 150 = 50.
    assert_eq!(done.balance, 50);
    assert_eq!(desk.balance(ann), 50);
    let contact = desk
        .store
        .interaction(&admin, done.interaction_id)
        .expect("the contact");
    assert_eq!(contact.disposition, "points_redeemed");
    assert_eq!(contact.summary.as_deref(), Some("150: 兑换滤芯套装"));
    let history = desk.store.points_history(&admin, ann).expect("history");
    assert_eq!(
        (
            history[0].kind.as_str(),
            history[0].delta,
            history[0].interaction_id
        ),
        ("redeem", -150, Some(done.interaction_id))
    );

    // 51 is more than the 50 left: refused, naming the field, and nothing written.
    let refused = desk
        .store
        .redeem_points(&admin, ann, 51, "more", Channel::PhoneIn)
        .expect_err("over the balance");
    assert!(matches!(refused, StoreError::Invalid(_)), "{refused:?}");
    assert!(
        refused
            .to_string()
            .contains("points: 51 is more than C0000001's balance of 50 points"),
        "{refused}"
    );
    assert_eq!(desk.balance(ann), 50);
    assert_eq!(
        desk.store.points_history(&admin, ann).expect("h").len(),
        2,
        "no ledger row for the refusal"
    );
    // No points and no reason are refused too.
    let bad = desk
        .store
        .redeem_points(&admin, ann, 0, " ", Channel::PhoneIn)
        .expect_err("bad input");
    let text = bad.to_string();
    assert!(
        text.contains("points:") && text.contains("reason:"),
        "{text}"
    );
}

/// Lots: A 100 points earned 2025-01-10, B 50 earned 2025-03-05; 120 redeemed 2025-04-01
/// take A's 100 and 20 of B (oldest first), leaving B 30; C 40 earned 2025-06-01. With 12
/// months: A would expire 2026-01-10 (nothing left), B on 2026-03-05 (30), C on 2026-06-01
/// (40).
#[test]
fn points_expire_oldest_first_on_the_day_worked_by_hand_and_twice_changes_nothing() {
    let mut desk = Desk::new();
    let ann = desk.customer("Ann", "13800138000", None);
    desk.buy(ann, "2025-01-10", 10_000);
    desk.buy(ann, "2025-03-05", 5_000);
    let admin = desk.admin.clone();
    desk.when("2025-04-01")
        .redeem_points(&admin, ann, 120, "gift", Channel::PhoneIn)
        .expect("redeem");
    desk.buy(ann, "2025-06-01", 4_000);
    // 100 + 50 − 120 + 40 = 70.
    assert_eq!(desk.balance(ann), 70);
    let next = desk
        .store
        .points_balance(&admin, ann)
        .expect("balance")
        .next_expiry
        .expect("some expire");
    assert_eq!((next.on, next.points), (d("2026-03-05"), 30));

    // The day before B's: A's lot is spent, nothing expires.
    assert_eq!(desk.expire("2026-03-04", "2026-03-04"), (0, 0));
    assert_eq!(desk.expire("2026-03-05", "2026-03-05"), (1, 30));
    assert_eq!(desk.balance(ann), 40);
    // Run again on the same day, or the day after: nothing more.
    assert_eq!(desk.expire("2026-03-05", "2026-03-05"), (0, 0));
    assert_eq!(desk.expire("2026-03-06", "2026-03-06"), (0, 0));
    assert_eq!(desk.expire("2026-06-01", "2026-06-01"), (1, 40));
    assert_eq!(desk.balance(ann), 0);
    let c = desk.store.customer(&admin, ann).expect("customer");
    assert_eq!(c.points, 0);

    // The reports: in 2025, 190 earned and 120 redeemed; in 2026, 70 expired (neither).
    let report = |desk: &mut Desk, from: &str, to: &str| {
        let query = ReportQuery {
            period: Period::between(d(from), d(to)).expect("period"),
            operator: None,
            csat_scale: 5,
        };
        desk.when("2026-06-02")
            .report(&admin, &query, &ReportTargets::default())
            .expect("report")
    };
    let r2025 = report(&mut desk, "2025-01-01", "2025-12-31");
    assert_eq!(
        (
            r2025.points_earned,
            r2025.points_redeemed,
            r2025.points_expired
        ),
        (190, 120, 0)
    );
    let r2026 = report(&mut desk, "2026-01-01", "2026-06-30");
    assert_eq!(
        (
            r2026.points_earned,
            r2026.points_redeemed,
            r2026.points_expired
        ),
        (0, 0, 70)
    );
}

#[test]
fn member_levels_at_each_threshold_edge_and_the_tier_agrees() {
    let mut desk = Desk::new();
    // One purchase each on 2026-05-01, within the 12 months of 2026-05-20.
    let cases = [
        ("13800000001", 199_999, "regular"),
        ("13800000002", 200_000, "silver"),
        ("13800000003", 999_999, "silver"),
        ("13800000004", 1_000_000, "gold"),
        ("13800000005", 4_999_999, "gold"),
        ("13800000006", 5_000_000, "diamond"),
    ];
    for (mobile, cents, level) in cases {
        let id = desk.customer("Level", mobile, None);
        desk.buy(id, "2026-05-01", cents);
        let admin = desk.admin.clone();
        let c = desk.when("2026-05-20").customer(&admin, id).expect("c");
        assert_eq!(
            c.member_level.as_ref().map(|l| l.code.as_str()),
            Some(level),
            "{cents} cents"
        );
        // High value from 10,000 yuan of 12-month spend, as Gold.
        let high = cents >= 1_000_000;
        assert_eq!(c.tier == Tier::High, high, "{cents} cents: {:?}", c.tier);
    }
    let none = desk.customer("New", "13800000007", None);
    let c = desk.store.customer(&desk.admin, none).expect("c");
    assert_eq!(
        c.member_level.map(|l| (l.en, l.zh)),
        Some(("Regular".to_string(), "普通会员".to_string()))
    );
}

#[test]
fn the_birthday_perk_is_this_month_for_a_level_that_has_it() {
    let mut desk = Desk::new();
    // Today is 2026-05-20.
    let may_silver = desk.customer("May", "13800000001", Some("1990-05-03"));
    desk.buy(may_silver, "2026-05-01", 200_000);
    let may_regular = desk.customer("Mai", "13800000002", Some("1990-05-31"));
    desk.buy(may_regular, "2026-05-01", 100_000);
    let june_silver = desk.customer("June", "13800000003", Some("1990-06-03"));
    desk.buy(june_silver, "2026-05-01", 200_000);
    let none = desk.customer("Nobody", "13800000004", None);
    desk.buy(none, "2026-05-01", 200_000);
    let perk = |desk: &mut Desk, id| {
        let admin = desk.admin.clone();
        let c = desk.when("2026-05-20").customer(&admin, id).expect("c");
        let b = desk.store.points_balance(&admin, id).expect("b");
        assert_eq!(c.birthday_perk, b.birthday_perk);
        c.birthday_perk
    };
    assert!(perk(&mut desk, may_silver), "May birthday, Silver");
    assert!(!perk(&mut desk, may_regular), "Regular has no perk");
    assert!(!perk(&mut desk, june_silver), "birthday next month");
    assert!(!perk(&mut desk, none), "no birthday known");
}

#[test]
fn lifetime_value_and_churn_risk_of_histories_made_by_hand() {
    let mut desk = Desk::new();
    // Today 2026-05-20 (each purchase is recorded on its day, the last on 2026-04-20; the
    // figures read below are refreshed as of 2026-05-20).
    // X: ¥3,650 on 2024-05-20 and on 2025-05-20. Lifetime ¥7,300 over 730 days; last
    // purchase 365 days ago (> 180): churn risk, one year: 7,300 × 365/730 × 1 = ¥3,650.
    // The 2025-05-20 purchase is not after 2025-05-20: no 12-month spend; normal tier.
    let x = desk.customer("X", "13800000001", None);
    desk.buy(x, "2024-05-20", 365_000);
    desk.buy(x, "2025-05-20", 365_000);
    // Y: ¥1,000 on 2026-04-20: a new customer's year counts as 365 days: 1,000 × 3 = ¥3,000;
    // potential (first purchase under 3 months ago).
    let y = desk.customer("Y", "13800000002", None);
    desk.buy(y, "2026-04-20", 100_000);
    // Z: ¥500 on 2025-11-20, 181 days ago: churn risk: 500 × 1 = ¥500.
    let z = desk.customer("Z", "13800000003", None);
    desk.buy(z, "2025-11-20", 50_000);
    // W: ¥500 on 2025-11-21, 180 days ago: not yet: 500 × 3 = ¥1,500.
    let w = desk.customer("W", "13800000004", None);
    desk.buy(w, "2025-11-21", 50_000);
    let admin = desk.admin.clone();
    let done = desk
        .when("2026-05-20")
        .refresh_values(&admin, d("2026-05-20"))
        .expect("refresh");
    assert_eq!((done.customers, done.rfm_scored), (4, 4));
    let figures = |desk: &Desk, id| {
        let c = desk.store.customer(&desk.admin, id).expect("c");
        (c.clv_cents, c.churn_risk, c.tier)
    };
    assert_eq!(figures(&desk, x), (Some(365_000), true, Tier::Normal));
    assert_eq!(figures(&desk, y), (Some(300_000), false, Tier::Potential));
    assert_eq!(figures(&desk, z), (Some(50_000), true, Tier::Normal));
    assert_eq!(figures(&desk, w), (Some(150_000), false, Tier::Normal));

    // Six months on, refreshed as of 2026-11-20: Y's last purchase is 214 days old (> 180):
    // churn risk, one year of ¥1,000 = ¥1,000; normal (first purchase 7 months ago).
    desk.when("2026-11-20")
        .refresh_values(&admin, d("2026-11-20"))
        .expect("refresh");
    assert_eq!(figures(&desk, y), (Some(100_000), true, Tier::Normal));
}

/// The binary: purchases imported earn their points in the same transaction; `points
/// show|history|redeem` and `customer show`; the card's balance in `check`.
#[test]
fn the_binary_imports_redeems_and_shows_points() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "Ann", "--phone", "13800138000"]);
    let file = sandbox.write_file(
        "p.csv",
        "customer,order_no,date,amount\nC0000001,SO1,2026-01-05,1234.56\nC0000001,SO2,2026-02-05,65.44\n"
            .as_bytes(),
    );
    sandbox.ok(&["import", "purchases", file.to_str().expect("path")]);
    // 1,234 + 65 = 1,299 points.
    let show = sandbox.ok(&["points", "show", "--customer", "C0000001", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&show).expect("json");
    assert_eq!(v["balance"], 1299);
    let history = sandbox.ok(&["points", "history", "--customer", "C0000001", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&history).expect("json");
    let orders: Vec<&str> = v
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["order_no"].as_str())
        .collect();
    assert_eq!(orders, ["SO2", "SO1"], "newest first");

    let out = sandbox.ok(&[
        "points",
        "redeem",
        "--customer",
        "C0000001",
        "--points",
        "299",
        "--reason",
        "voucher",
    ]);
    assert!(out.contains("balance now 1000 points"), "{out}");
    let err = sandbox.fails(&[
        "points",
        "redeem",
        "--customer",
        "C0000001",
        "--points",
        "1001",
        "--reason",
        "too much",
    ]);
    common::one_line_error(&err);
    assert!(
        err.contains("points: 1001 is more than C0000001's balance of 1000 points"),
        "{err}"
    );
    let card = sandbox.ok(&["customer", "show", "C0000001"]);
    assert!(
        card.lines().any(|l| l == "points            1000"),
        "{card}"
    );
    let json = sandbox.ok(&["customer", "show", "C0000001", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["points"], 1000);
    // 12-month spend ¥1,300.00 (less ¥2,000): Regular, no perk.
    assert_eq!(v["member_level"], "regular");
    assert_eq!(v["birthday_perk"], false);
    assert!(v.get("clv_cents").is_some());
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("points        ok"), "{check}");

    // A balance out of step with its ledger is found.
    sandbox
        .raw()
        .execute(
            "UPDATE customers SET points = 5 WHERE code = 'C0000001'",
            [],
        )
        .expect("break it on purpose");
    let out = sandbox.run(&["check"]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("points        FAILED: C0000001 holds 5 points but its ledger sums to 1000"),
        "{text}"
    );
}

/// Two `points expire` processes at once write each expiry once: 20 customers with 200
/// points earned 2024-01-15 (expired 2025-01-15) lose 4,000 points in all, whoever ran.
#[test]
fn two_processes_expiring_at_once_expire_each_point_once() {
    let sandbox = Sandbox::new();
    sandbox.init();
    let mut csv = String::from("customer,date,amount\n");
    for n in 1..=20 {
        sandbox.ok(&[
            "customer",
            "add",
            "--name",
            &format!("C{n}"),
            "--phone",
            &format!("1380013{n:04}"),
        ]);
        csv.push_str(&format!("C{n:07},2024-01-15,200\n"));
    }
    let file = sandbox.write_file("p.csv", csv.as_bytes());
    sandbox.ok(&["import", "purchases", file.to_str().expect("path")]);
    let spawn = || {
        sandbox
            .command()
            .args(["points", "expire", "--date", "2025-06-01", "--json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (a, b) = (spawn(), spawn());
    let mut total = (0, 0);
    for child in [a, b] {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        total.0 += v["customers"].as_i64().expect("customers");
        total.1 += v["points"].as_i64().expect("points");
    }
    assert_eq!(total, (20, 4_000));
    let conn = sandbox.raw();
    // Looked at behind the store on purpose: one expiry row a customer, every balance 0.
    assert_eq!(
        common::count(
            &conn,
            "SELECT count(*) FROM points_ledger WHERE kind = 'expire'"
        ),
        20
    );
    assert_eq!(
        common::count(&conn, "SELECT count(*) FROM customers WHERE points <> 0"),
        0
    );
    let again = sandbox.ok(&["points", "expire", "--date", "2025-06-01"]);
    assert!(
        again.contains("0 points from 0 customers"),
        "a third run: {again}"
    );
}

/// A small demo: its ledger is what a desk running `points expire` daily would hold (a run
/// now expires nothing), redemptions are logged contacts, and every balance is its ledger's.
#[test]
fn the_demo_has_redemptions_and_expiries_that_agree_with_the_rules() {
    let sandbox = Sandbox::new();
    sandbox.ok(&["demo", "--customers", "600"]);
    let conn = sandbox.raw();
    // Behind the store on purpose: the demo's rows, by kind.
    for kind in ["earn", "redeem", "expire"] {
        assert!(
            common::count(
                &conn,
                &format!("SELECT count(*) FROM points_ledger WHERE kind = '{kind}'")
            ) > 0,
            "{kind}"
        );
    }
    assert_eq!(
        common::count(
            &conn,
            "SELECT count(*) FROM points_ledger l LEFT JOIN interactions i ON i.id = l.interaction_id
             WHERE l.kind = 'redeem' AND (i.disposition IS NOT 'points_redeemed' OR i.customer_id <> l.customer_id)"
        ),
        0,
        "every redemption is its customer's logged contact"
    );
    // Repeat buyers: customers with purchases in each of the last two 30-day spans.
    assert!(
        common::count(
            &conn,
            "SELECT count(*) FROM customers c WHERE
               EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id
                        AND p.purchased_on > date('now', '-30 days'))
               AND EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id
                        AND p.purchased_on <= date('now', '-30 days')
                        AND p.purchased_on > date('now', '-60 days'))"
        ) > 0
    );
    let out = sandbox.ok(&["points", "expire"]);
    assert!(out.contains(": 0 points from 0 customers"), "{out}");
    let check = sandbox.ok(&["check"]);
    assert!(check.contains("points        ok"), "{check}");
}

mod card {
    use super::*;
    use careline::tui::app::App;
    use careline::tui::i18n::Lang;

    /// Ann, born in November, bought ¥2,500.00 on 2026-11-01 (2,500 points, Silver, with the
    /// birthday perk in November) and redeemed 500: 2,000 points.
    fn desk(dir: &tempfile::TempDir) -> (std::path::PathBuf, i64) {
        let path = dir.path().join("desk.db");
        let mut store = common::screen::open_at_screen_time(&path);
        let admin = store.init_admin("li.na", "李娜").expect("init");
        let mut fields = customer("王小雨", vec![phone("13800138000")]);
        fields.birthday = Some(d("1990-11-08"));
        let ann = store.create_customer(&admin, &fields).expect("c").id;
        store
            .add_purchase(
                &admin,
                &NewPurchase {
                    customer_id: ann,
                    order_no: Some("SO1".into()),
                    purchased_on: d("2026-11-01"),
                    amount_cents: 250_000,
                    product: Some("净水器".into()),
                    category: None,
                    quantity: 1,
                    channel: None,
                },
            )
            .expect("purchase");
        store
            .redeem_points(&admin, ann, 500, "兑换滤芯套装", Channel::PhoneIn)
            .expect("redeem");
        (path, ann)
    }

    #[test]
    fn the_card_shows_balance_level_and_perk_at_80x24_in_both_languages() {
        let dir = tempfile::tempdir().expect("dir");
        let (path, ann) = desk(&dir);
        for (lang, name, expected) in [
            (
                Lang::En,
                "en",
                ["points: 2000", "member level: Silver", "★ birthday perk"],
            ),
            (
                Lang::ZhCn,
                "zh",
                ["积分: 2000", "会员等级: 银卡", "★ 生日礼遇"],
            ),
        ] {
            let store = common::screen::open_at_screen_time(&path);
            let actor = store.actor("li.na", None).expect("actor");
            let settings = common::screen::settings(lang, "/srv/careline/desk.db");
            let mut app = App::new(store, actor, settings);
            common::screen::open_card(&mut app, ann);
            let terminal = common::screen::draw(&mut app, 80, 24);
            let text = common::screen::buffer_text(terminal.backend().buffer());
            for part in expected {
                assert!(text.contains(part), "{part} in\n{text}");
            }
            insta::assert_snapshot!(format!("loyalty_card_{name}_80x24"), terminal.backend());
        }
    }

    /// `p` on the card opens the redeem form; more than the balance is marked beside the
    /// points, in the screen's language, with any other field in the wrong at the same save;
    /// 300 for a filter set saves: 2,000 − 300 = 1,700.
    #[test]
    fn p_on_the_card_redeems_points_and_refuses_more_than_the_balance() {
        use crossterm::event::KeyCode;
        for (lang, name, over, done) in [
            (
                Lang::En,
                "en",
                "more than the balance of 2000 points",
                "Redeemed 300 points for C0000001; balance now 1700.",
            ),
            (
                Lang::ZhCn,
                "zh",
                "超过积分余额 2000",
                "已为 C0000001 兑换 300 积分，余额 1700。",
            ),
        ] {
            let dir = tempfile::tempdir().expect("dir");
            let (path, ann) = desk(&dir);
            let app = |path: &std::path::Path| {
                let store = common::screen::open_at_screen_time(path);
                let actor = store.actor("li.na", None).expect("actor");
                let settings = common::screen::settings(lang, "/srv/careline/desk.db");
                App::new(store, actor, settings)
            };
            let redeem = |app: &mut App, points: &str| {
                common::screen::open_card(app, ann);
                common::screen::key(app, KeyCode::Char('p'));
                common::screen::type_text(app, points);
                common::screen::key(app, KeyCode::Tab);
                common::screen::type_text(app, "兑换滤芯套装");
                common::screen::ctrl(app, 's');
            };
            let mut refused = app(&path);
            redeem(&mut refused, "2001");
            let terminal = common::screen::draw(&mut refused, 80, 24);
            let text = common::screen::buffer_text(terminal.backend().buffer());
            assert!(text.contains(over), "{over} in\n{text}");
            insta::assert_snapshot!(format!("loyalty_redeem_{name}_80x24"), terminal.backend());

            // More than the balance and no reason: both marked at the same save.
            let mut both = app(&path);
            common::screen::open_card(&mut both, ann);
            common::screen::key(&mut both, KeyCode::Char('p'));
            common::screen::type_text(&mut both, "2001");
            common::screen::ctrl(&mut both, 's');
            let error = |field: &str| {
                both.form()
                    .and_then(|f| f.field(field))
                    .and_then(|f| f.error.clone())
            };
            assert_eq!(error("points").as_deref(), Some(over));
            assert!(error("reason").is_some(), "the reason is required too");

            let mut saved = app(&path);
            redeem(&mut saved, "300");
            assert_eq!(common::screen::message(&saved), done);
            let admin = saved.desk.actor.clone();
            let balance = saved
                .desk
                .store
                .points_balance(&admin, ann)
                .expect("balance")
                .balance;
            assert_eq!(balance, 1700);
        }
    }
}

/// `careline report` as a table prints every figure whole, however wide: this month
/// 12,345,678 points earned (a purchase of ¥12,345,678.00 today, 1 point a whole yuan) and
/// 1,234,567 redeemed. The value column is 12 cells; "12345678 / 1234567" is 18, and was cut
/// to "12345678 / …".
#[test]
fn the_report_table_prints_points_in_the_millions_whole() {
    let sandbox = Sandbox::new();
    sandbox.init();
    sandbox.ok(&["customer", "add", "--name", "Ann", "--phone", "13800138000"]);
    let today = chrono::Local::now().date_naive();
    let file = sandbox.write_file(
        "p.csv",
        format!("customer,order_no,date,amount\nC0000001,SO1,{today},12345678.00\n").as_bytes(),
    );
    sandbox.ok(&["import", "purchases", file.to_str().expect("path")]);
    sandbox.ok(&[
        "points",
        "redeem",
        "--customer",
        "C0000001",
        "--points",
        "1234567",
        "--reason",
        "a car",
    ]);
    let table = sandbox.ok(&["report", "--from", "today", "--to", "today"]);
    let line = |label: &str| {
        table
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line in {table}"))
            .split_whitespace()
            .last()
            .map(str::to_string)
    };
    assert_eq!(line("Points earned").as_deref(), Some("12,345,678"));
    assert_eq!(line("Points redeemed").as_deref(), Some("1,234,567"));
}
