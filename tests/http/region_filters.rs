//! Region filters of lists (issue 9): an invalid `?village=` / `?region=` / `?region_code=` /
//! `?within=` is refused (API 422 naming the field, pages a 400 page in Indonesian) instead of
//! being ignored, which showed the account's whole scope; a well-formed code outside the scope
//! keeps its 403. On PostgreSQL the "within a region" condition can use an index.

use crate::common::{ADMIN_PASSWORD, Browser, TestApp};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OTHER_DISTRICT: &str = "53.07.02.2001";

fn field_rule(body: &Value) -> (String, String) {
    let e = &body["errors"][0];
    (e["field"].as_str().unwrap_or("").to_string(), e["rule"].as_str().unwrap_or("").to_string())
}

async fn training(app: &TestApp, token: &str, title: &str) {
    let today = crate::common::today().to_string();
    let body = json!({"village_code": HOME, "topic": "financial_literacy", "title": title,
        "organiser": "regency_office", "organiser_name": "Disnaker Sikka", "starts_on": today, "ends_on": today,
        "place": "Balai desa", "trainer": "Ibu Rina"});
    let (s, t) = app.post_json("/api/v1/trainings", Some(token), &body).await;
    assert_eq!(s, 201, "{t}");
}

#[tokio::test]
async fn api_lists_refuse_an_invalid_region_naming_the_field() {
    let app = TestApp::spawn().await;
    let fac = app.user_token("fasilitator", "facilitator", Some(HOME)).await;
    training(&app, &fac, "Literasi keuangan keluarga PMI").await;
    let admin = app.admin_token.clone();

    let cases: [(&str, &str, &str); 8] = [
        ("/api/v1/audit?region_code=xyz", "region_code", "admin"),
        ("/api/v1/targets?region_code=53.7", "region_code", "admin"),
        ("/api/v1/users?region_code=nowhere", "region_code", "admin"),
        ("/api/v1/persons?region_code=53.07.", "region_code", "admin"),
        ("/api/v1/cooperatives?region_code=5307", "region_code", "admin"),
        ("/api/v1/regions/search?q=sikka&within=Sikka", "within", "admin"),
        ("/api/v1/trainings?village=xyz", "village", "fac"),
        ("/api/v1/children?village=53.07.01.20011", "village", "fac"),
    ];
    for (path, field, who) in cases {
        let token = if who == "fac" { &fac } else { &admin };
        let (s, b) = app.get_json(path, Some(token)).await;
        assert_eq!(s, 422, "{path}: {b}");
        assert_eq!(field_rule(&b), (field.to_string(), "format".to_string()), "{path}: {b}");
        assert!(b["errors"][0]["detail"].as_str().unwrap_or("").contains("53.07.01.2001"), "{path}: {b}");
    }

    // Blank is no filter; a valid code filters.
    let (s, b) = app.get_json("/api/v1/trainings?village=", Some(&fac)).await;
    assert_eq!((s, b["items"].as_array().map(Vec::len)), (200, Some(1)), "{b}");
    let (s, b) = app.get_json("/api/v1/audit?region_code=53.07", Some(&admin)).await;
    assert_eq!(s, 200, "{b}");
    let regions: Vec<&str> =
        b["items"].as_array().unwrap().iter().map(|e| e["region_code"].as_str().unwrap()).collect();
    assert!(!regions.is_empty() && regions.iter().all(|r| r.starts_with("53.07.")), "{regions:?}");
    // Region search `within`: strictly inside the region (the region itself is not a hit).
    let codes = |b: &Value| -> Vec<String> {
        b["items"].as_array().unwrap().iter().map(|h| h["code"].as_str().unwrap().to_string()).collect()
    };
    let (s, b) = app.get_json("/api/v1/regions/search?q=sikka&within=53", Some(&admin)).await;
    assert_eq!(s, 200, "{b}");
    assert!(codes(&b).contains(&"53.07".to_string()) && codes(&b).iter().all(|c| c.starts_with("53.")), "{b}");
    let (_, b) = app.get_json("/api/v1/regions/search?q=paga&within=53.07", Some(&admin)).await;
    let inside = codes(&b);
    assert!(!inside.is_empty() && inside.iter().all(|c| c.starts_with("53.07.")), "{inside:?}");
    let (_, b) = app.get_json("/api/v1/regions/search?q=sikka&within=53.07", Some(&admin)).await;
    assert!(!codes(&b).contains(&"53.07".to_string()), "{b}");
    // Well-formed but outside the account's scope: still 403, as before.
    assert_eq!(app.get_json(&format!("/api/v1/trainings?village={OTHER_DISTRICT}"), Some(&fac)).await.0, 403);
}

#[tokio::test]
async fn pages_refuse_an_invalid_region_in_indonesian() {
    let app = TestApp::spawn().await;
    let fac = app.user_token("fasilitator", "facilitator", Some(HOME)).await;
    training(&app, &fac, "Literasi keuangan keluarga PMI").await;
    app.create_user("petugas_jatim", "village_officer", Some("35.12.01.2001")).await;

    let b = Browser::new(&app);
    b.login("fasilitator", "a-long-password").await;
    for path in ["/trainings?village=xyz", "/children?village=53.7", "/enterprise?village=53.07.01.2001.9"] {
        let (s, html) = b.get(path).await;
        assert_eq!(s, 400, "{path}");
        assert!(html.contains("Filter wilayah tidak valid") && html.contains("53.07.01.2001"), "{path}: {html}");
        assert!(!html.contains("Literasi keuangan"), "{path}: no list under the error");
    }
    // The value is echoed escaped.
    let (s, html) = b.get("/trainings?village=%3Cb%3Ex").await;
    assert_eq!(s, 400);
    assert!(html.contains("x» bukan kode wilayah") && !html.contains("<b>x"), "{html}");
    // Blank and valid filters list as before; a code outside the scope is still forbidden.
    let (s, html) = b.get("/trainings?village=").await;
    assert!(s == 200 && html.contains("Literasi keuangan"));
    let (s, html) = b.get(&format!("/trainings?village={HOME}")).await;
    assert!(s == 200 && html.contains("Literasi keuangan"));
    assert_eq!(b.get(&format!("/trainings?village={OTHER_DISTRICT}")).await.0, 403);

    let admin = Browser::new(&app);
    admin.login("admin", ADMIN_PASSWORD).await;
    for path in ["/admin/users?region=xyz", "/admin/audit?region=53.07.x"] {
        let (s, html) = admin.get(path).await;
        assert_eq!(s, 400, "{path}");
        assert!(html.contains("Filter wilayah tidak valid"), "{path}: {html}");
    }
    let (s, html) = admin.get("/admin/users?region=53.07").await;
    assert_eq!(s, 200);
    assert!(html.contains("fasilitator") && !html.contains("petugas_jatim"), "only accounts within 53.07");

    // The public service-centre finder too (no account).
    let public = Browser::new(&app);
    let (s, html) = public.get("/portal/service-centers?region=Sikka").await;
    assert_eq!(s, 400);
    assert!(html.contains("Filter wilayah tidak valid"), "{html}");
}

/// PostgreSQL only: the condition `store::query::within` renders (what every region-scoped list
/// uses) can be answered from an index on each table it filters, despite its `COLLATE "C"`.
/// With sequential scans disabled the planner still reads a whole table when no index
/// matches, so the plan must name the table's region index.
#[tokio::test]
async fn postgres_serves_region_filters_from_an_index() {
    let app = TestApp::spawn().await;
    let store::Db::Postgres(pool) = &app.db else {
        return; // SQLite: its default BINARY collation is that of the existing indexes.
    };
    let mut conn = pool.acquire().await.expect("connection");
    sqlx::query("SET enable_seqscan = off").execute(&mut *conn).await.expect("set");
    let tables = [
        ("persons", "village_code", "persons_village_c"),
        ("episodes", "village_code", "episodes_village_c"),
        ("cases", "village_code", "cases_village_c"),
        ("outreach_events", "village_code", "outreach_events_village_c"),
        ("program_villages", "village_code", "program_villages_village_c"),
        ("users", "region_code", "users_region_c"),
        ("coop_cooperatives", "village_code", "coop_cooperatives_village_c"),
        ("trainings", "village_code", "trainings_village_c"),
        ("businesses", "village_code", "businesses_village_c"),
        ("mentoring_visits", "village_code", "mentoring_village_c"),
        ("equipment", "village_code", "equipment_village_c"),
        ("remittances", "village_code", "remittances_village_c"),
        ("children", "village_code", "children_village_c"),
        ("parenting_activities", "village_code", "parenting_activities_village_c"),
    ];
    for (table, column, index) in tables {
        let sql = format!(
            "EXPLAIN SELECT * FROM {table} t WHERE {}",
            store::query::within(&app.db, &format!("t.{column}"), 1)
        );
        let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
        for v in store::query::within_values("53.07") {
            q = q.bind(v);
        }
        let plan: Vec<String> = q.fetch_all(&mut *conn).await.expect("explain").into_iter().map(|r| r.0).collect();
        let plan = plan.join("\n");
        assert!(plan.contains(index) && !plan.contains("Seq Scan"), "{table}:\n{plan}");
    }
    // The officer's worklist as `episodes::open_in` writes it.
    let sql = format!(
        "EXPLAIN SELECT e.id, p.full_name FROM episodes e JOIN persons p ON p.id = e.person_id \
         WHERE e.state NOT IN ('returned', 'cancelled') AND {} ORDER BY e.state_date, e.id LIMIT 2000",
        store::query::within(&app.db, "e.village_code", 1)
    );
    let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
    for v in store::query::within_values(HOME) {
        q = q.bind(v);
    }
    let plan: Vec<String> = q.fetch_all(&mut *conn).await.expect("explain").into_iter().map(|r| r.0).collect();
    let plan = plan.join("\n");
    assert!(plan.contains("episodes_village_c") && !plan.contains("Seq Scan"), "worklist:\n{plan}");
}
