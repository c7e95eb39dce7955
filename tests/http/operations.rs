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
        ("/api/v1/auth/password", "post"),
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
    if !matches!(app.db, store::Db::Sqlite(..)) {
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

/// Issue 9: a backup taken while people are being registered is a consistent snapshot —
/// restored into a fresh instance it serves the same rows (same checksums) that the live
/// database held at that moment, passes its integrity check, and its audit chain verifies.
#[tokio::test]
async fn backup_under_write_load_restores_into_a_fresh_instance() {
    let app = TestApp::spawn().await;
    if !matches!(app.db, store::Db::Sqlite(..)) {
        return; // PostgreSQL deployments back up with pg_dump (docs/OPERATIONS.md).
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4u32 {
        let (base, token, stop) = (app.base.clone(), app.admin_token.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut acked = 0u32;
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 500 {
                // Distinct valid NIKs: the day and the serial vary per writer and write.
                let day = 1 + (n % 28);
                let nik = format!("530701{day:02}0590{:04}", 1 + w * 1000 + n / 28);
                let body = serde_json::json!({
                    "nik": nik, "full_name": format!("Cadangan {w} {n}"), "sex": "M",
                    "birth_date": format!("1990-05-{day:02}"), "village_code": "53.07.01.2001",
                    "confirm_warnings": true
                });
                let r = client.post(format!("{base}/api/v1/persons")).bearer_auth(&token).json(&body).send().await;
                if r.map(|r| r.status().as_u16() == 201).unwrap_or(false) {
                    acked += 1;
                }
                n += 1;
            }
            acked
        }));
    }
    // Back up in the middle of the load: after some writes, and while writers go on.
    let live_count = |db: store::Db| async move {
        let store::Db::Sqlite(p, _) = &db else { unreachable!() };
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM persons").fetch_one(p).await.unwrap().0
    };
    let wait_for = |at_least: i64| {
        let db = app.db.clone();
        async move {
            for _ in 0..600 {
                if live_count(db.clone()).await >= at_least {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("writers did not reach {at_least} people");
        }
    };
    wait_for(20).await;
    let dir = tempfile::tempdir().unwrap();
    let copy_path = dir.path().join("restored.db");
    app.db.backup_to(&copy_path.display().to_string()).await.unwrap();
    let at_backup = live_count(app.db.clone()).await;
    wait_for(at_backup + 20).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut acked = 0;
    for w in writers {
        acked += w.await.unwrap();
    }
    assert!(acked > 0, "the writers wrote");

    // Restore: a fresh instance started on the copy.
    let url = format!("sqlite://{}", copy_path.display());
    let mut cfg = web::Config::for_database(&url);
    cfg.admin_password = Some("unused-admin-password".into());
    // The audit key is restored with the database (docs/OPERATIONS.md): the chain is keyed.
    let key_file = web::Config::for_database(&app.database_url).audit_key_file;
    let err = web::bootstrap::prepare(&cfg).await.expect_err("no start without the chain's key");
    assert!(err.to_string().contains("restore that key file"), "{err}");
    std::fs::copy(key_file, &cfg.audit_key_file).unwrap();
    let restored = web::bootstrap::prepare(&cfg).await.unwrap();
    assert_eq!(restored.migrations_applied, 0);
    let integrity: (String,) = match &restored.db {
        store::Db::Sqlite(p, _) => sqlx::query_as("PRAGMA integrity_check").fetch_one(p).await.unwrap(),
        store::Db::Postgres(_) => unreachable!(),
    };
    assert_eq!(integrity.0, "ok");
    assert!(matches!(store::audit::verify(&restored.db).await.unwrap(), domain::audit::ChainCheck::Intact { .. }));

    // Same rows as the live database up to the snapshot: counts and a checksum of the rows.
    async fn persons(db: &store::Db, max_id: i64) -> (i64, String) {
        let store::Db::Sqlite(p, _) = db else { unreachable!() };
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, nik, full_name, birth_date FROM persons WHERE id <= $1 ORDER BY id")
                .bind(max_id)
                .fetch_all(p)
                .await
                .unwrap();
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for r in &rows {
            h.update(format!("{}|{}|{}|{}\n", r.0, r.1, r.2, r.3));
        }
        (rows.len() as i64, hex::encode(h.finalize()))
    }
    let store::Db::Sqlite(rp, _) = &restored.db else { unreachable!() };
    let (max_id,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM persons").fetch_one(rp).await.unwrap();
    let (live_total,): (i64,) = match &app.db {
        store::Db::Sqlite(p, _) => sqlx::query_as("SELECT COUNT(*) FROM persons").fetch_one(p).await.unwrap(),
        store::Db::Postgres(_) => unreachable!(),
    };
    let in_copy = persons(&restored.db, max_id).await;
    assert!(in_copy.0 > 0, "the backup was taken after some writes");
    assert!(in_copy.0 < live_total, "writes continued after the backup ({} vs {live_total})", in_copy.0);
    assert_eq!(in_copy, persons(&app.db, max_id).await, "the copy holds exactly the live rows up to its snapshot");

    // The restored instance serves them.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(web::serve(listener, web::AppState::new(restored.db.clone(), cfg), std::future::pending()));
    let client = reqwest::Client::new();
    let r = client.get(format!("{base}/api/v1/persons/{max_id}")).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "the same token and the same person, from the copy");
}

/// The embedded SQLite is built for many threads reading at once (.cargo/config.toml): no
/// page cache shared by every connection behind one mutex (SQLITE_ENABLE_MEMORY_MANAGEMENT,
/// which libsqlite3-sys turns on) and no global memory statistics mutex. A build without the
/// setting serves the same pages several times slower under load (docs/BENCHMARKS.md).
#[tokio::test]
async fn embedded_sqlite_has_no_global_page_cache_or_memory_statistics_mutex() {
    let app = crate::common::TestApp::spawn().await;
    let store::Db::Sqlite(pool, _) = &app.db else { return };
    let options: Vec<(String,)> = sqlx::query_as("PRAGMA compile_options").fetch_all(pool).await.unwrap();
    let options: Vec<String> = options.into_iter().map(|o| o.0).collect();
    assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
    assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
    assert!(options.iter().any(|o| o == "ENABLE_FTS5"), "{options:?}");
}
