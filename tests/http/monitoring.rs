//! Monitoring: indicators at every level equal the numbers the operations imply (written from
//! the operations, not from the code), stay right after edits and deletions (and equal a full
//! rebuild), small-cell suppression in open statistics, scope, and bad input.

use crate::common::{Browser, TestApp};
use serde_json::{Value, json};

const A: &str = "53.07.01.2001";
const B: &str = "53.07.01.2003";
const C: &str = "53.07.02.2001";
const D: &str = "35.12.01.2001";

fn today() -> String {
    crate::common::today().to_string()
}

async fn exec(app: &TestApp, sql: &str) {
    store::on_db!(&app.db, p => sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(p).await.map(|_| ()))
        .unwrap();
}

async fn person(app: &TestApp, serial: u32, village: &str) -> i64 {
    let nik = format!("5307015205900{serial:03}");
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": nik, "full_name": format!("Maria Goreti {serial}"), "sex": "P", "birth_date": "1990-05-12",
                    "village_code": village}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

/// Every indicator of a region as key → value (null for undefined), plus breakdowns.
async fn indicators(app: &TestApp, region: &str) -> (serde_json::Map<String, Value>, Value) {
    let (s, body) = app.get_json(&format!("/api/v1/indicators?region_code={region}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{region}: {body}");
    assert_eq!(body["fresh"], true);
    let mut out = serde_json::Map::new();
    for i in body["indicators"].as_array().unwrap() {
        out.insert(i["key"].as_str().unwrap().to_string(), i["value"].clone());
    }
    (out, body["breakdowns"].clone())
}

async fn expect(app: &TestApp, region: &str, expected: &[(&str, i64)]) {
    let (got, _) = indicators(app, region).await;
    for (key, want) in expected {
        assert_eq!(got[*key], json!(want), "{key} at {region:?}");
    }
}

async fn step(app: &TestApp, case: i64, to: &str) {
    let (s, b) =
        app.post_json(&format!("/api/v1/cases/{case}/transitions"), Some(&app.admin_token), &json!({"to": to})).await;
    assert_eq!(s, 200, "{to}: {b}");
}

async fn open_case(app: &TestApp, kind: &str, village: &str) -> i64 {
    let (s, c) = app
        .post_json(
            "/api/v1/cases",
            Some(&app.admin_token),
            &json!({"type": kind, "severity": "high", "description": "Reported at the village office", "village_code": village}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    c["id"].as_i64().unwrap()
}

async fn snapshot(app: &TestApp) -> Vec<(String, String, String, String, i64)> {
    store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT region_code, key, month, dim, value FROM indicator_values ORDER BY region_code, key, month, dim").fetch_all(p).await).unwrap()
}

#[tokio::test]
async fn counts_at_every_level_follow_the_operations_through_edits_and_deletions() {
    let app = TestApp::spawn().await;
    // Designation: A (2017), C (2019), D (2018), all pocket villages.
    for (v, y) in [(A, 2017), (C, 2019), (D, 2018)] {
        assert_eq!(app.designate(v, y).await.0, 200);
    }
    // People: A 3, B 1, C 2, D 5 = 11.
    let mut ids = vec![];
    for (serial, v) in [(1, A), (2, A), (3, A), (4, B), (5, C), (6, C), (7, D), (8, D), (9, D), (10, D), (11, D)] {
        ids.push((person(&app, serial, v).await, v));
    }
    // Outreach: two events in A (42 people each), one in D (10 people).
    let mut events = vec![];
    for (v, headcount) in [(A, 42), (A, 42), (D, 10)] {
        let (s, e) = app
            .post_json(
                "/api/v1/outreach",
                Some(&app.admin_token),
                &json!({"village_code": v, "held_on": today(), "place": "Balai desa", "topic": "Migrasi aman",
                        "organiser": "Desa", "headcount": headcount}),
            )
            .await;
        assert_eq!(s, 201, "{e}");
        events.push(e["id"].as_i64().unwrap());
    }
    // Cases in A: unpaid wages resolved the same day; an unprocedural departure referred.
    let wages = open_case(&app, "unpaid_wages", A).await;
    for to in ["assessed", "in_progress", "resolved"] {
        step(&app, wages, to).await;
    }
    let unproc = open_case(&app, "unprocedural_departure", A).await;
    step(&app, unproc, "assessed").await;
    // Referral to a partner (built in another module): recorded as the workflow stores it.
    let t = today();
    exec(&app, &format!("UPDATE cases SET status = 'referred', status_date = '{t}' WHERE id = {unproc}")).await;
    exec(&app, &format!(
        "INSERT INTO case_events (case_id, from_status, to_status, on_date, at) VALUES ({unproc}, 'assessed', 'referred', '{t}', 1700000000)")).await;
    // An attempt through a broker in A: flagged, then cancelled (prevented).
    let (s, ep) = app
        .post_json(
            &format!("/api/v1/persons/{}/episodes", ids[0].0),
            Some(&app.admin_token),
            &json!({"category": "household_employer", "scheme": "p3mi", "destination": "MY", "job_type": "housekeeper",
                    "recruiter_name": "Pak Calo"}),
        )
        .await;
    assert_eq!(s, 201, "{ep}");
    let ep = ep["id"].as_i64().unwrap();
    expect(&app, A, &[("nonprocedural_flagged", 1), ("risk_open", 1), ("nonprocedural_prevented", 0)]).await;
    let (s, b) = app
        .post_json(
            &format!("/api/v1/episodes/{ep}/transitions"),
            Some(&app.admin_token),
            &json!({"to": "cancelled", "date": today(), "reason": "broker"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    // Departures recorded by an import: C one procedural (G2G) now abroad, one returned;
    // D one through a broker (non-procedural), abroad.
    for (person, v, recruiter, state, returned) in [
        (ids[4].0, C, "", "abroad", None),
        (ids[5].0, C, "", "returned", Some(t.clone())),
        (ids[6].0, D, "Sponsor X", "abroad", None),
    ] {
        let returned = returned.map(|r| format!("'{r}'")).unwrap_or("NULL".into());
        exec(&app, &format!(
            "INSERT INTO episodes (person_id, village_code, category, scheme, destination, job_type, recruiter_name, state, state_date, \
             departed_on, returned_on, created_at, updated_at) VALUES ({person}, '{v}', 'legal_entity_employer', 'g2g', 'KR', 'factory_worker', \
             '{recruiter}', '{state}', '{t}', '{t}', {returned}, 1700000000, 1700000000)")).await;
    }

    // Village A.
    expect(
        &app,
        A,
        &[
            ("desmigratif_villages", 1),
            ("pocket_villages", 1),
            ("pocket_villages_covered", 1),
            ("persons_registered", 3),
            ("outreach_events", 2),
            ("outreach_headcount", 84),
            ("cases_opened", 2),
            ("cases_overdue", 0),
            ("nonprocedural_flagged", 1),
            ("nonprocedural_prevented", 1),
            ("nonprocedural_referred", 1),
            ("risk_open", 0),
            ("departures", 0),
            ("cases_median_days", 0),
        ],
    )
    .await;
    let (_, br) = indicators(&app, A).await;
    assert_eq!(br["desmigratif_villages"], json!({"2017": 1}));
    assert_eq!(br["cases_opened"], json!({"unpaid_wages": 1, "unprocedural_departure": 1}));
    assert_eq!(br["cases_by_status"], json!({"resolved": 1, "referred": 1}));
    // Pillar 1 needs outreach and counselling in the last six months: no counselling yet. Pillars
    // 2, 3 and 4 have indicators (migrations 0016, 0017) but no business group, activity or
    // cooperative member: inactive.
    assert_eq!(br["pillar_status"], json!({"1:inactive": 1, "2:inactive": 1, "3:inactive": 1, "4:inactive": 1}));
    // District 53.07.01 = A + B; regency and province = A + B + C; nation adds D.
    expect(&app, "53.07.01", &[("persons_registered", 4), ("desmigratif_villages", 1), ("departures", 0)]).await;
    expect(
        &app,
        "53.07",
        &[
            ("persons_registered", 6),
            ("desmigratif_villages", 2),
            ("pocket_villages_covered", 2),
            ("departures", 2),
            ("returns", 1),
            ("abroad_now", 1),
            ("procedural_share", 100),
            ("outreach_events", 2),
            ("cases_opened", 2),
        ],
    )
    .await;
    expect(&app, "53", &[("persons_registered", 6), ("desmigratif_villages", 2), ("departures", 2)]).await;
    expect(
        &app,
        "",
        &[
            ("persons_registered", 11),
            ("desmigratif_villages", 3),
            ("pocket_villages", 3),
            ("departures", 3),
            ("returns", 1),
            ("abroad_now", 2),
            ("procedural_share", 67),
            ("outreach_events", 3),
            ("outreach_headcount", 94),
            ("cases_opened", 2),
            ("nonprocedural_referred", 1),
        ],
    )
    .await;
    let (_, br) = indicators(&app, "").await;
    assert_eq!(br["desmigratif_villages"], json!({"2017": 1, "2018": 1, "2019": 1}));
    assert_eq!(br["departures"], json!({"procedural": 2, "non_procedural": 1}));

    // Edits and deletions.
    // Counselling in A (recorded by hand): pillar 1 becomes active there.
    exec(&app, &format!(
        "INSERT INTO counselling_sessions (person_id, village_code, held_on, topics, created_at) VALUES ({}, '{A}', '{t}', 'procedure', 1700000000)",
        ids[1].0)).await;
    let (_, br) = indicators(&app, A).await;
    assert_eq!(br["pillar_status"]["1:active"], 1);
    let (_, br) = indicators(&app, "").await;
    assert_eq!(
        br["pillar_status"],
        json!({"1:active": 1, "1:inactive": 2, "2:inactive": 3, "3:inactive": 3, "4:inactive": 3})
    );
    // A person moves from A to B.
    exec(&app, &format!("UPDATE persons SET village_code = '{B}' WHERE id = {}", ids[2].0)).await;
    // An outreach event in A is deleted.
    exec(&app, &format!("DELETE FROM outreach_events WHERE id = {}", events[1])).await;
    // A person in D is deleted.
    exec(&app, &format!("DELETE FROM persons WHERE id = {}", ids[10].0)).await;
    // C leaves the program and is no longer a pocket village.
    let (s, b) = app
        .put_json(
            &format!("/api/v1/villages/{C}/designation"),
            &app.admin_token,
            &json!({"desmigratif": false, "cohort_year": null, "pocket_village": false}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    expect(
        &app,
        A,
        &[("persons_registered", 2), ("outreach_events", 1), ("outreach_headcount", 42), ("counselling_sessions", 1)],
    )
    .await;
    expect(&app, B, &[("persons_registered", 2)]).await;
    expect(&app, "53.07.01", &[("persons_registered", 4), ("outreach_events", 1)]).await;
    expect(&app, "53.07", &[("persons_registered", 6), ("desmigratif_villages", 1), ("pocket_villages", 1)]).await;
    expect(&app, "35", &[("persons_registered", 4), ("desmigratif_villages", 1)]).await;
    expect(
        &app,
        "",
        &[
            ("persons_registered", 10),
            ("desmigratif_villages", 2),
            ("pocket_villages", 2),
            ("pocket_villages_covered", 2),
            ("outreach_events", 2),
            ("outreach_headcount", 52),
            ("counselling_sessions", 1),
        ],
    )
    .await;

    // The incremental aggregates equal a rebuild from the raw tables.
    let incremental = snapshot(&app).await;
    store::indicators::refresh::mark_everything(&app.db).await.unwrap();
    store::indicators::refresh::refresh_all_pending(&app.db, crate::common::today(), 100).await.unwrap();
    assert_eq!(snapshot(&app).await, incremental);
}

#[tokio::test]
async fn open_statistics_suppress_small_counts_without_a_token() {
    let app = TestApp::spawn().await;
    for serial in 1..=3 {
        person(&app, serial, A).await;
    }
    for serial in 4..=9 {
        person(&app, serial, C).await;
    }
    // Open statistics stop at the regency (docs/ACCESS.md, privacy rules).
    let (s, body) = app.get_json(&format!("/api/v1/open/indicators?region_code={A}"), None).await;
    assert_eq!((s, body["errors"][0]["field"].clone()), (422, json!("region_code")), "{body}");
    let (s, body) = app.get_json("/api/v1/open/indicators?region_code=53.07", None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["region_code"], "53.07");
    assert!(body["period"].is_string());
    let value = |b: &Value, k: &str| {
        b["indicators"].as_array().unwrap().iter().find(|i| i["key"] == k).unwrap()["value"].clone()
    };
    for i in body["indicators"].as_array().unwrap() {
        assert!(i["key"].is_string() && i["label"].is_string(), "{i}");
        assert!(i["value"].is_number() || i["value"] == "suppressed", "{i}");
    }
    assert_eq!(value(&body, "persons_registered"), json!("suppressed"), "9 people, under 11");
    assert_eq!(value(&body, "returns"), json!(0), "zero stays zero");
    // Case details by status are not published.
    assert!(body["indicators"].as_array().unwrap().iter().all(|i| i["key"] != "cases_by_status"));
    // The page and the CSV, without login.
    let web = Browser::new(&app);
    assert_eq!(web.get("/statistik?region_code=53.07.01").await.0, 400);
    let (s, html) = web.get("/statistik?region_code=53.07").await;
    assert_eq!(s, 200);
    assert!(html.contains("suppressed"), "suppressed on the page");
    let r = app.client.get(app.url("/statistik.csv?region_code=53.07")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(csv.contains("53.07,") && csv.contains("persons_registered") && csv.contains("suppressed"), "{csv}");
    assert!(!csv.lines().any(|l| l.contains("persons_registered") && l.ends_with(",9")), "{csv}");
    // Bad input: a clear answer, never a 500.
    let (s, b) = app.get_json("/api/v1/open/indicators?region_code=99.99", None).await;
    assert_eq!((s, b["error"].as_str()), (404, Some("not_found")));
    let (s, b) = app.get_json("/api/v1/open/indicators?region_code=Sikka", None).await;
    assert_eq!(s, 422);
    assert_eq!(b["errors"][0]["field"], "region_code");
    let (s, b) = app.get_json("/api/v1/open/indicators?region_code=53&from=2025-06&to=2025-01", None).await;
    assert_eq!(s, 422);
    assert_eq!(b["errors"][0]["field"], "to");
    let (s, _) = app.get_json("/api/v1/open/indicators?region_code=53&from=June&to=2025-01", None).await;
    assert_eq!(s, 422);
    assert_eq!(web.get("/statistik?region_code=99").await.0, 404);
}

#[tokio::test]
async fn scope_limits_dashboards_reports_and_indicators() {
    let app = TestApp::spawn().await;
    person(&app, 1, A).await;
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let (s, _) = app.get_json("/api/v1/indicators?region_code=53.07.01.2001", Some(&regency)).await;
    assert_eq!(s, 200);
    for other in ["35", "35.12", "53", ""] {
        let (s, b) = app.get_json(&format!("/api/v1/indicators?region_code={other}"), Some(&regency)).await;
        assert_eq!((s, b["error"].as_str()), (403, Some("forbidden")), "{other:?}");
    }
    let (s, _) = app.get_json("/api/v1/indicators?region_code=53.07", None).await;
    assert_eq!(s, 401);
    let web = Browser::new(&app);
    web.login("disnaker", "a-long-password").await;
    let r = web.client.get(format!("{}/monitoring", web.base)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/monitoring/53.07");
    let (s, html) = web.get("/monitoring/53.07").await;
    assert_eq!(s, 200);
    assert!(html.contains("/monitoring/53.07.01?") && html.contains("<svg"), "drill-down links and charts");
    let (s, html) = web.get("/monitoring/35.12").await;
    assert_eq!(s, 403);
    assert!(html.contains("di luar cakupan"), "says why");
    assert_eq!(web.get("/monitoring/35.12/report?format=pdf").await.0, 403);
    let (s, html) = web.get("/monitoring/53.99").await;
    assert_eq!(s, 404);
    assert!(html.contains("Kode wilayah tidak dikenal"));
    assert_eq!(web.get("/monitoring/not-a-code").await.0, 404);
    let (s, html) = web.get("/monitoring/53.07?from=2025-06&to=2025-01").await;
    assert_eq!(s, 400);
    assert!(html.contains("bulan akhir sebelum bulan awal"));
    assert_eq!(web.get("/monitoring/53.07/report?format=doc").await.0, 400);
    // Reports of the regency: PDF with title, XLSX, CSV of the indicators.
    let r = web.client.get(format!("{}/monitoring/53.07/report?format=pdf", web.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&bytes).contains("Monitoring"));
    let r = web.client.get(format!("{}/monitoring/53.07/report?format=xlsx", web.base)).send().await.unwrap();
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    let csv = web
        .client
        .get(format!("{}/monitoring/53.07/report?format=csv", web.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.lines().any(|l| l.starts_with("persons_registered,") && l.ends_with(",1")), "{csv}");
    // A village officer sees their own village only.
    app.create_user("petugas", "village_officer", Some(A)).await;
    let w2 = Browser::new(&app);
    w2.login("petugas", "a-long-password").await;
    let (s, html) = w2.get(&format!("/monitoring/{A}")).await;
    assert_eq!(s, 200);
    assert_eq!(w2.get("/monitoring/53.07.01").await.0, 403);
    // Its breadcrumbs name the district, regency and province but link none of them (each
    // link would end in "Akses ditolak").
    let crumbs = html.split("<nav class=\"crumbs\">").nth(1).and_then(|r| r.split("</nav>").next()).unwrap();
    assert!(!crumbs.contains("href=\"/monitoring/53"), "no breadcrumb into a 403: {crumbs}");
    assert!(crumbs.contains("<span>"), "{crumbs}");
    for (href, _) in crumbs.match_indices("href=\"") {
        let link = crumbs[href + 6..].split('"').next().unwrap().replace("&amp;", "&");
        assert_eq!(w2.get(&link).await.0, 200, "{link}");
    }
}

#[tokio::test]
async fn targets_are_kept_by_national_admins_with_the_historical_rollout() {
    let app = TestApp::spawn().await;
    let (s, body) = app.get_json("/api/v1/targets", Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    let hist: Vec<(i64, i64)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["year"].as_i64().unwrap(), t["historical_actual"].as_i64().unwrap()))
        .collect();
    assert_eq!(hist, [(2016, 2), (2017, 122), (2018, 130), (2019, 150), (2021, 51), (2022, 50)]);
    // The two 2016 pilots are not counted again in the program's total of 503 (brief §2).
    assert_eq!(hist.iter().skip(1).map(|h| h.1).sum::<i64>(), 503);
    let year = crate::common::today().year() + 1;
    let (s, t) = app
        .put_json("/api/v1/targets", &app.admin_token, &json!({"year": year, "target": 40, "note": "rencana"}))
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["target"], 40);
    let (s, b) = app.put_json("/api/v1/targets", &app.admin_token, &json!({"year": 2999, "target": 40})).await;
    assert_eq!(s, 422);
    assert_eq!(
        (b["errors"][0]["field"].as_str(), b["errors"][0]["rule"].as_str()),
        (Some("year"), Some("out_of_range"))
    );
    let (s, b) = app
        .put_json("/api/v1/targets", &app.admin_token, &json!({"year": 2020, "region_code": "99", "target": 1}))
        .await;
    assert_eq!((s, b["errors"][0]["field"].as_str()), (422, Some("region_code")));
    let analyst = app.user_token("analis", "national_analyst", None).await;
    let (s, _) = app.put_json("/api/v1/targets", &analyst, &json!({"year": 2020, "target": 1})).await;
    assert_eq!(s, 403);
    // The national dashboard shows the rollout against targets, and the map of provinces.
    let web = Browser::new(&app);
    web.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (s, html) = web.get("/monitoring").await;
    assert_eq!(s, 200);
    assert!(html.contains("<td>2017</td><td>–</td><td>122</td>"), "historical total shown");
    assert!(html.contains("/monitoring/53?") && html.contains("class=\"chart map\""));
    // The form refuses a far-future year with the field named.
    let csrf = web.csrf().await;
    let r = web.post_form("/monitoring/targets", &[("_csrf", &csrf), ("year", "2999"), ("target", "5")]).await;
    assert_eq!(r.status(), 422);
    // Criteria: adding one marks villages for recomputation; unknown indicators show "no data".
    let r = web
        .post_form(
            "/monitoring/criteria",
            &[
                ("_csrf", &csrf),
                ("subject", "pillar:2"),
                ("indicator", "business_groups"),
                ("min_value", "1"),
                ("window_months", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = web.get("/monitoring/criteria").await;
    assert!(html.contains("business_groups"));
    let r = web
        .post_form(
            "/monitoring/criteria",
            &[
                ("_csrf", &csrf),
                ("subject", "pillar:9"),
                ("indicator", "x"),
                ("min_value", "-1"),
                ("window_months", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
}

/// Issue 15: breadcrumbs and titles name regions (the open statistics showed "53"); no link
/// sits inside a `role="img"` picture (axe: nested-interactive); the phone's ranked list and the
/// scrolling tables' regions are there with their names.
#[tokio::test]
async fn monitoring_pages_name_regions_and_keep_links_out_of_pictures() {
    let app = TestApp::spawn().await;
    let anon = reqwest::Client::new();
    let html = anon.get(app.url("/statistik?region_code=53.07")).send().await.unwrap().text().await.unwrap();
    let crumbs = &html[html.find(r#"<nav class="crumbs">"#).expect("crumbs")..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    assert!(crumbs.contains(">Nusa Tenggara Timur</a>"), "{crumbs}");
    assert!(!crumbs.contains(">53</a>"), "{crumbs}");

    let b = Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (s, html) = b.get("/monitoring").await;
    assert_eq!(s, 200);
    assert!(!html.contains("??"), "no missing message in the national title");
    for svg in html.split("<svg").skip(1) {
        let svg = &svg[..svg.find("</svg>").unwrap()];
        if svg.contains(r#"role="img""#) {
            assert!(!svg.contains("<a "), "a link inside a picture: {}", &svg[..200.min(svg.len())]);
        }
    }
    assert!(html.contains(r#"<ol class="ranked" id="ranked">"#));
    assert!(html.contains(">Nusa Tenggara Timur</a>"));
    assert!(html.contains(r#"<div class="scroll" tabindex="0" role="region" aria-labelledby="subregion-table">"#));
}
