//! Surveys (issue 16): CSAT on a centre's own scale (1–5, or 1–10), read by the reports on
//! the scale set now whatever scale an answer was given on, and answers imported from a
//! survey tool's CSV file — every rejected row named, nothing imported twice.

mod common;

use common::{count, Sandbox};
use serde_json::Value;

fn setup() -> (Sandbox, std::path::PathBuf, std::path::PathBuf) {
    let sb = Sandbox::new();
    sb.init();
    sb.ok(&[
        "customer",
        "add",
        "--name",
        "王秀英",
        "--code",
        "C1",
        "--phone",
        "13812345678",
    ]);
    sb.ok(&["customer", "add", "--name", "Anna Li", "--code", "C2"]);
    sb.ok(&["operator", "add", "li.na", "--name", "李娜"]);
    let five = sb.write_file("five.toml", b"");
    let ten = sb.write_file("ten.toml", b"[surveys]\ncsat_scale = 10\n");
    (sb, five, ten)
}

fn report(sb: &Sandbox, config: &std::path::Path) -> Value {
    let out = sb.ok(&[
        "--config",
        config.to_str().expect("path"),
        "report",
        "--period",
        "this_month",
        "--format",
        "json",
    ]);
    serde_json::from_str(&out).expect("report JSON")
}

fn distribution(r: &Value) -> Vec<(String, i64)> {
    r["csat_distribution"]
        .as_object()
        .expect("distribution")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_i64().expect("count")))
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[test]
fn csat_keeps_the_scale_it_was_given_on_and_the_report_reads_it_on_the_centres() {
    let (sb, five, ten) = setup();
    let five_s = five.to_str().expect("path");
    let ten_s = ten.to_str().expect("path");
    // Given on 1–5: a 4. The centre then moves to 1–10: an 8.
    sb.ok(&[
        "--config",
        five_s,
        "survey",
        "add",
        "--customer",
        "C1",
        "--csat",
        "4",
    ]);
    sb.ok(&[
        "--config",
        ten_s,
        "survey",
        "add",
        "--customer",
        "C2",
        "--csat",
        "8",
    ]);
    let err = sb.fails(&[
        "--config",
        ten_s,
        "survey",
        "add",
        "--customer",
        "C2",
        "--csat",
        "11",
    ]);
    assert!(
        err.contains("csat: 11 is not on the scale 1 to 10"),
        "{err}"
    );
    let err = sb.fails(&[
        "--config",
        five_s,
        "survey",
        "add",
        "--customer",
        "C2",
        "--csat",
        "8",
    ]);
    assert!(err.contains("csat: 8 is not on the scale 1 to 5"), "{err}");
    let scales: Vec<(i64, i64)> = {
        let conn = sb.raw();
        let mut stmt = conn
            .prepare("SELECT score, scale FROM surveys ORDER BY id")
            .expect("query");
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<Result<Vec<_>, _>>()
            .expect("read");
        rows
    };
    assert_eq!(scales, vec![(4, 5), (8, 10)]);

    // On 1–10: 4 of 5 is 1 + 3 × 9/4 = 7.75; with the 8, (7.75 + 8) / 2 = 7.875. Both count
    // as an 8 (7.75 rounds to 8). The target unset is 8 of 10: not met.
    let r = report(&sb, &ten);
    assert_eq!(r["csat_scale"], 10);
    assert_eq!(r["csat_avg"].as_f64(), Some(7.875));
    assert_eq!(distribution(&r), vec![("8".to_string(), 2)]);
    assert_eq!(
        r["csat_distribution"].as_object().map(|d| d.len()),
        Some(10)
    );
    assert_eq!(r["targets"]["csat_avg"]["target"].as_f64(), Some(8.0));
    assert_eq!(r["targets"]["csat_avg"]["met"], false);

    // On 1–5: 8 of 10 is 1 + 7 × 4/9 = 4.111…; with the 4, the mean is 4.0555…, both a 4.
    // The target unset is 4 of 5: met.
    let r = report(&sb, &five);
    assert_eq!(r["csat_scale"], 5);
    let avg = r["csat_avg"].as_f64().expect("avg");
    assert!(
        (avg - (4.0 + 1.0 + 7.0 * 4.0 / 9.0) / 2.0).abs() < 1e-9,
        "{avg}"
    );
    assert_eq!(distribution(&r), vec![("4".to_string(), 2)]);
    assert_eq!(r["targets"]["csat_avg"]["target"].as_f64(), Some(4.0));
    assert_eq!(r["targets"]["csat_avg"]["met"], true);

    // A scale careline cannot use is said, and 1–5 is used.
    let seven = sb.write_file("seven.toml", b"[surveys]\ncsat_scale = 7\n");
    let out = sb.run(&[
        "--config",
        seven.to_str().expect("path"),
        "survey",
        "add",
        "--customer",
        "C1",
        "--csat",
        "5",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("surveys.csat_scale: 7 is not a CSAT scale: use 5 or 10; using 5"),
        "{stderr}"
    );
    assert!(out.status.success());
}

#[test]
fn a_complaint_follow_up_gives_its_satisfaction_on_the_centres_scale() {
    let (sb, _, ten) = setup();
    let ten_s = ten.to_str().expect("path");
    sb.ok(&[
        "complaint",
        "open",
        "--customer",
        "C1",
        "--category",
        "delivery",
        "--title",
        "迟到",
        "--channel",
        "phone_in",
    ]);
    let id = "1".to_string();
    sb.ok(&["complaint", "propose", &id, "--text", "补发"]);
    sb.ok(&["complaint", "resolve", &id, "--text", "已补发"]);
    let err = sb.fails(&[
        "--config",
        ten_s,
        "complaint",
        "follow-up",
        &id,
        "--csat",
        "11",
        "--satisfied",
    ]);
    assert!(err.contains("csat"), "{err}");
    sb.ok(&[
        "--config",
        ten_s,
        "complaint",
        "follow-up",
        &id,
        "--csat",
        "9",
        "--satisfied",
    ]);
    let conn = sb.raw();
    assert_eq!(
        count(&conn, "SELECT count(*) FROM surveys WHERE score = 9 AND scale = 10 AND complaint_id IS NOT NULL"),
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM complaints WHERE csat = 9 AND csat_scale = 10"
        ),
        1
    );
    let shown = sb.ok(&["complaint", "show", &id]);
    assert!(shown.contains("9/10"), "{shown}");
    assert!(shown.contains("CSAT 9/10, satisfied"), "{shown}");
}

/// A stored answer: customer code, kind, score, scale, moment, comment, operator.
type Stored = (
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
);

const FILE: &str = "手机,客户编号,满意度,推荐度,回访时间,留言,坐席\n\
    13812345678,,4,9,2026-11-02 14:30,服务很好,li.na\n\
    ,C2,2,,2026-11-03,太慢了,\n\
    ,C9,5,,2026-11-03,,\n\
    ,C2,,12,2026-11-04,,\n\
    ,C2,,3,2026-11-05,,nobody\n\
    ,C1,,10,2026-11-06,,\n";

#[test]
fn a_survey_file_is_imported_once_with_every_rejected_row_named() {
    let (sb, _, _) = setup();
    let file = sb.write_file("answers.csv", FILE.as_bytes());
    let file_s = file.to_str().expect("path");
    let answers = |sb: &Sandbox| count(&sb.raw(), "SELECT count(*) FROM surveys");

    // Rows 4, 5 and 6 are wrong: nothing is imported until they are fixed or skipped.
    let out = sb.run(&["import", "surveys", file_s]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [
        "line 4: customer: no customer 'C9'",
        "line 5: 推荐度: 12 is not on the scale 0 to 10",
        "line 6: operator: no operator 'nobody'",
        "3 of 6 rows rejected; nothing imported",
    ] {
        assert!(stderr.contains(line), "{line} in:\n{stderr}");
    }
    assert_eq!(answers(&sb), 0);

    // A dry run says what would be done.
    let out = sb.ok(&["import", "surveys", file_s, "--dry-run", "--skip-invalid"]);
    assert!(
        out.contains("4 survey answers would be imported, 3 rejected"),
        "{out}"
    );
    assert_eq!(answers(&sb), 0);

    // An operator may not import answers.
    let err = sb.fails(&[
        "--as",
        "li.na",
        "import",
        "surveys",
        file_s,
        "--skip-invalid",
    ]);
    assert!(err.contains("import survey answers"), "{err}");

    // The good rows: line 2 holds two answers (CSAT and NPS), lines 3 and 7 one each. Two
    // NPS answers of C1 four days apart are both kept: the 90 days say when to ask, and
    // these were given.
    let out = sb.ok(&["import", "surveys", file_s, "--skip-invalid"]);
    assert!(out.contains("Imported 4 survey answers"), "{out}");
    let conn = sb.raw();
    let rows: Vec<Stored> = conn
        .prepare(
            "SELECT c.code, s.kind, s.score, s.scale, s.at, s.comment, o.login
               FROM surveys s JOIN customers c ON c.id = s.customer_id
               LEFT JOIN operators o ON o.id = s.operator_id ORDER BY s.at, s.kind",
        )
        .expect("query")
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read");
    // 2026-11-02 14:30 in the machine's zone; a day alone is noon.
    let local = |d: &str| -> i64 {
        use chrono::TimeZone;
        let t = chrono::NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M").expect("time");
        chrono::Local
            .from_local_datetime(&t)
            .single()
            .expect("one moment")
            .timestamp()
    };
    let comment = |s: &str| Some(s.to_string());
    assert_eq!(
        rows,
        vec![
            (
                "C1".into(),
                "csat".into(),
                4,
                5,
                local("2026-11-02 14:30"),
                comment("服务很好"),
                Some("li.na".into())
            ),
            (
                "C1".into(),
                "nps".into(),
                9,
                10,
                local("2026-11-02 14:30"),
                comment("服务很好"),
                Some("li.na".into())
            ),
            (
                "C2".into(),
                "csat".into(),
                2,
                5,
                local("2026-11-03 12:00"),
                comment("太慢了"),
                None
            ),
            (
                "C1".into(),
                "nps".into(),
                10,
                10,
                local("2026-11-06 12:00"),
                None,
                None
            ),
        ]
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit_log WHERE action = 'import.surveys'"
        ),
        1
    );

    // The same file again adds nothing: each answer is already recorded.
    let out = sb.run(&["import", "surveys", file_s, "--skip-invalid"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2: nps: is already recorded"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 7: nps: is already recorded"),
        "{stderr}"
    );
    assert_eq!(answers(&sb), 4);
    assert!(sb.ok(&["check"]).contains("ok"));
}

/// The contact form asks for the survey taken at the end of a call: CSAT on the centre's
/// scale, and NPS only when the customer has not answered it in `nps_every_days` (90).
#[test]
fn the_contact_form_records_the_survey_taken_at_the_end_of_the_call() {
    use careline::tui::app::App;
    use careline::tui::component::Msg;
    use careline::tui::i18n::Lang;
    use common::screen::{buffer_text, open_at_screen_time, settings};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    let screen = |app: &App| {
        let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
        careline::tui::ui::render(app, buf.area, &mut buf);
        buffer_text(&buf)
    };
    for (lang, csat_label, nps_label, said, recorded_nps) in [
        (
            Lang::En,
            "CSAT 1–5",
            "NPS 0–10",
            "CSAT 4/5 recorded",
            "NPS 9/10 recorded",
        ),
        (
            Lang::ZhCn,
            "满意度 1–5",
            "推荐 0–10",
            "已记录 满意度 4/5",
            "已记录 NPS 9/10",
        ),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("desk.db");
        let mut store = open_at_screen_time(&path);
        let admin = store.init_admin("li.na", "李娜").expect("init");
        let id = store
            .create_customer(
                &admin,
                &common::customer("王秀英", vec![common::phone("13800000001")]),
            )
            .expect("customer")
            .id;
        let actor = store.actor("li.na", None).expect("actor");
        let mut app = App::new(store, actor, settings(lang, "desk.db"));
        app.loaded(Msg::OpenCustomer { id, focus: true });
        app.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
        let text = screen(&app);
        assert!(text.contains(csat_label), "{text}");
        assert!(text.contains(nps_label), "{text}");
        let form = app.form_mut().expect("contact form");
        form.set("disposition", "follow_up_done");
        form.set("feedback", "很满意");
        // CSAT 4: four steps right of "not asked"; NPS 9: ten steps right (0 is the first).
        form.focus_on("csat");
        for _ in 0..4 {
            app.handle_key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
        }
        app.form_mut().expect("form").focus_on("nps");
        for _ in 0..10 {
            app.handle_key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
        }
        assert_eq!(app.form().map(|f| f.value("csat")), Some("4".into()));
        assert_eq!(app.form().map(|f| f.value("nps")), Some("9".into()));
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(app.form().is_none(), "saved: {:?}", app.desk.message);
        let message = app.desk.message.as_ref().map(|m| m.text.clone());
        let message = message.unwrap_or_default();
        assert!(message.contains(said), "{message}");
        assert!(message.contains(recorded_nps), "{message}");

        let conn = common::raw(&path);
        let rows: Vec<(String, i64, i64, Option<String>, bool)> = conn
            .prepare(
                "SELECT s.kind, s.score, s.scale, s.comment, s.interaction_id = i.id
                   FROM surveys s JOIN interactions i ON i.customer_id = s.customer_id
                  ORDER BY s.kind",
            )
            .expect("query")
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(
            rows,
            vec![
                ("csat".into(), 4, 5, Some("很满意".into()), true),
                ("nps".into(), 9, 10, Some("很满意".into()), true),
            ]
        );

        // The next contact offers CSAT again, and not NPS: answered today.
        app.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
        let text = screen(&app);
        assert!(text.contains(csat_label), "{text}");
        assert!(!text.contains(nps_label), "{text}");
        let form = app.form().expect("second form");
        assert!(form.field("nps").is_some_and(|f| f.hidden));
    }
}

/// The demo gives the survey figures something to show: CSAT and NPS taken at the end of
/// contacts that reached the customer, each linked to its contact, NPS never twice for one
/// customer within 90 days.
#[test]
fn the_demo_takes_surveys_at_the_end_of_contacts_that_reached_the_customer() {
    let sb = Sandbox::new();
    sb.init();
    sb.ok(&["demo", "--customers", "400"]);
    let conn = sb.raw();
    let after_contacts = count(
        &conn,
        "SELECT count(*) FROM surveys WHERE interaction_id IS NOT NULL",
    );
    assert!(
        after_contacts > 50,
        "{after_contacts} surveys after contacts"
    );
    // Each on its customer's contact, by its operator, when it ended, with a code that
    // reached them.
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM surveys s JOIN interactions i ON i.id = s.interaction_id
              WHERE s.customer_id != i.customer_id OR s.operator_id != i.operator_id
                 OR s.at != max(i.ended_at, i.started_at)
                 OR i.disposition NOT IN ('resolved_first_contact', 'information_given',
                    'callback_needed', 'complaint_opened', 'sale', 'follow_up_done')"
        ),
        0
    );
    assert!(count(&conn, "SELECT count(*) FROM surveys WHERE kind = 'nps'") > 10);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM surveys a JOIN surveys b
               ON a.customer_id = b.customer_id AND a.kind = 'nps' AND b.kind = 'nps'
              AND a.id < b.id AND abs(a.at - b.at) <= 90 * 86400"
        ),
        0,
        "NPS twice within 90 days"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM surveys WHERE (kind = 'csat' AND scale != 5)
                OR (kind = 'nps' AND scale != 10)"
        ),
        0
    );
    assert!(sb.ok(&["check"]).contains("ok"));
}
