//! Health, metrics, request ids, bad requests.

use crate::common::TestApp;

#[tokio::test]
async fn health_metrics_and_request_ids() {
    let app = TestApp::spawn().await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    app.get_json("/api/v1/regions/53.07", Some(&app.admin_token)).await;
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/api/v1/regions/{code}\""), "per-route label");
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
    assert!(metrics.contains("db_pool_connections"));
    assert!(!metrics.contains("53.07"), "no raw paths (or personal data) in labels");
}

#[tokio::test]
async fn bad_requests_get_clear_4xx() {
    let app = TestApp::spawn().await;
    let t = &app.admin_token;
    // Oversized body.
    let big = format!("{{\"username\":\"{}\"}}", "a".repeat(web::BODY_LIMIT + 10));
    let r = app
        .client
        .post(app.url("/api/v1/users"))
        .bearer_auth(t)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    // Wrong content type and malformed JSON.
    let r = app
        .client
        .post(app.url("/api/v1/users"))
        .bearer_auth(t)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    let r = app
        .client
        .post(app.url("/api/v1/users"))
        .bearer_auth(t)
        .header("content-type", "application/json")
        .body("{\"a\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // Unknown API route answers JSON 404; unknown page answers an HTML 404.
    let (s, body) = app.get_json("/api/v1/nothing-here", Some(t)).await;
    assert_eq!(s, 404);
    assert_eq!(body["error"], "not_found");
    let r = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.text().await.unwrap().contains("Tidak ditemukan"));
    // Non-numeric ids and junk query strings are refused, not crashed on.
    assert_eq!(app.get_json("/api/v1/users/abc", Some(t)).await.0, 400);
    assert_eq!(app.get_json("/api/v1/users?limit=lots", Some(t)).await.0, 400);
}

#[tokio::test]
async fn openapi_document_lists_every_contract_route() {
    let app = TestApp::spawn().await;
    let (s, doc) = app.get_json("/api/v1/openapi.json", None).await;
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for (path, method) in [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/users", "post"),
        ("/api/v1/regions/{code}", "get"),
        ("/api/v1/regions/{code}/children", "get"),
        ("/api/v1/villages/{code}", "get"),
        ("/api/v1/villages/{code}/designation", "put"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} missing");
    }
    let (s, _) = app.get_json("/api/docs", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn backup_is_a_consistent_copy() {
    let app = TestApp::spawn().await;
    if !matches!(app.db, store::Db::Sqlite(_)) {
        return; // PostgreSQL deployments back up with pg_dump (docs/OPERATIONS.md).
    }
    app.designate("53.07.01.2001", 2017).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy.db");
    app.db.backup_to(&target.display().to_string()).await.unwrap();
    let copy = store::Db::connect_existing(&format!("sqlite://{}", target.display())).await.unwrap();
    let counts = store::regions::counts(&copy).await.unwrap();
    assert_eq!(counts.villages, crate::common::region_rows("villages.csv").len() as i64);
    let status = store::programs::village_status(&copy, &"53.07.01.2001".parse().unwrap()).await.unwrap();
    assert_eq!(status.cohort_year, Some(2017));
    assert!(matches!(store::audit::verify(&copy).await.unwrap(), domain::audit::ChainCheck::Intact { .. }));
}

#[tokio::test]
async fn a_second_start_reuses_the_data() {
    let (url, _dir) = crate::common::fresh_database().await;
    let mut cfg = web::Config::for_database(&url);
    cfg.admin_password = Some("first-admin-password".into());
    let first = web::bootstrap::prepare(&cfg).await.unwrap();
    assert_eq!(first.regions_loaded, 0, "the template already holds the regions");
    assert_eq!(
        first.admin_created,
        Some(("admin".to_string(), None)),
        "admin from the environment, no password printed"
    );
    first.db.close().await;
    let second = web::bootstrap::prepare(&cfg).await.unwrap();
    assert_eq!(second.migrations_applied, 0);
    assert_eq!(second.regions_loaded, 0);
    assert_eq!(second.admin_created, None, "no second admin, no password printed again");
    assert_eq!(store::users::count(&second.db).await.unwrap(), 1);
}

#[tokio::test]
async fn first_start_loads_every_region_once() {
    // A database with the schema but no regions, as on a fresh machine.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let db = store::Db::connect(&url).await.unwrap();
    assert!(store::migrate::run(&db).await.unwrap() >= 1);
    let loaded = store::regions::load_if_needed(&db).await.unwrap();
    let expected: usize = ["provinces.csv", "regencies.csv", "districts.csv", "villages.csv"]
        .iter()
        .map(|f| crate::common::region_rows(f).len())
        .sum();
    assert_eq!(loaded, expected);
    let counts = store::regions::counts(&db).await.unwrap();
    assert_eq!(counts.provinces as usize, crate::common::region_rows("provinces.csv").len());
    assert_eq!(counts.villages as usize, crate::common::region_rows("villages.csv").len());
    assert_eq!(store::regions::load_if_needed(&db).await.unwrap(), 0, "not loaded twice");
}

#[tokio::test]
async fn a_form_sent_wrong_gets_a_readable_page() {
    let app = TestApp::spawn().await;
    let b = crate::common::Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    let r = b
        .client
        .post(app.url("/programs"))
        .header("content-type", "application/json")
        .body("{\"code\":\"x\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("formulir web"), "Indonesian explanation");
}
