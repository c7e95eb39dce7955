//! Track multi (issue 18): several app servers on one database share what matters — the
//! login throttle, the rate limits — and elect one indicator refresher; the cooperative's
//! running balances always equal the sum of the journal lines.

use crate::common::{ADMIN_PASSWORD, TestApp};
use serde_json::json;

#[tokio::test]
async fn two_servers_share_the_login_throttle_and_the_rate_limits() {
    let a = TestApp::spawn().await;
    let b = a.another_server(|_| {}).await;

    // Login: five failures through A, then even the right password through B waits.
    for _ in 0..5 {
        let (s, _) =
            a.post_json("/api/v1/auth/token", None, &json!({"username": "admin", "password": "not-it-at-all"})).await;
        assert_eq!(s, 401);
    }
    let r = b
        .client
        .post(b.url("/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429, "server B did not see server A's failures");

    // A partner client of 2 calls a minute: two through A, the third through B is refused.
    let expiry = (crate::common::today() + time::Duration::days(365)).to_string();
    let (s, c) = a
        .post_json(
            "/api/v1/api-clients",
            Some(&a.admin_token),
            &json!({"organisation": "Dinas Sosial", "purpose": "social_assistance", "scopes": ["agencies:read"],
                    "expires_on": expiry, "rate_per_minute": 2}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let token = c["token"].as_str().unwrap();
    assert_eq!(a.get_json("/api/v1/exchange/agencies", Some(token)).await.0, 200);
    assert_eq!(a.get_json("/api/v1/exchange/agencies", Some(token)).await.0, 200);
    let r = b.client.get(b.url("/api/v1/exchange/agencies")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 429, "the client got its rate once per server");
    assert!(r.headers().contains_key("retry-after"));

    // Public broker reports: the burst through A, the next one through B is refused.
    let report = |i: i64| {
        json!({"broker_name": "Calo", "broker_phone": format!("0812000000{i:02}"), "village_code": "53.07.01.2001",
               "description": "Menawarkan kerja di Malaysia tanpa P3MI dan meminta uang"})
    };
    for i in 0..web::brokers::PUBLIC_BURST {
        let (s, body) = a.post_json("/api/v1/public/broker-reports", None, &report(i)).await;
        assert_eq!(s, 201, "{body}");
    }
    let (s, _) = b.post_json("/api/v1/public/broker-reports", None, &report(99)).await;
    assert_eq!(s, 429);
}

#[tokio::test]
async fn one_indicator_refresher_is_elected() {
    // Two servers' pools on a database no server runs on (a running test server would already
    // hold the election).
    let (url, _dir) = crate::common::fresh_database().await;
    let (one, two) = (store::Db::connect(&url).await.unwrap(), store::Db::connect(&url).await.unwrap());
    let (mut first, mut second) = (None, None);
    assert!(web::monitoring::lead(&one, &mut first).await);
    let second_leads = web::monitoring::lead(&two, &mut second).await;
    match one.backend() {
        store::Backend::Postgres => {
            assert!(!second_leads, "two refreshers on one PostgreSQL");
            // The leader keeps its place on the next tick; when it goes, the other takes over.
            assert!(web::monitoring::lead(&one, &mut first).await);
            assert!(!web::monitoring::lead(&two, &mut second).await);
            first.take().unwrap().resign().await;
            assert!(web::monitoring::lead(&two, &mut second).await);
        }
        // One SQLite file is served by one server: it always refreshes.
        store::Backend::Sqlite => assert!(second_leads),
    }
    if let Some(l) = second {
        l.resign().await;
    }
    one.close().await;
    two.close().await;
}

/// The figures a server keeps between requests (`app::monitoring::FigureCache`) follow a
/// write made through another server: the refresh that takes the write in changes the
/// aggregates' generation in the database, which every server reads before it answers. The
/// national figures, the region's own, and the open statistics all move.
#[tokio::test]
async fn cached_figures_follow_a_write_made_through_another_server() {
    let a = TestApp::spawn().await;
    let b = a.another_server(|_| {}).await;
    let village = "53.07.01.2001";
    let registered = |body: &serde_json::Value| {
        body["indicators"].as_array().unwrap().iter().find(|i| i["key"] == "persons_registered").unwrap()["value"]
            .as_i64()
            .unwrap()
    };
    let nation = "/api/v1/indicators".to_string();
    let region = "/api/v1/indicators?region_code=53.07".to_string();
    // Read twice on A: the second answer comes from A's cache.
    let before = registered(&read(&a, nation.clone()).await);
    assert_eq!(registered(&read(&a, nation.clone()).await), before);
    let before_region = registered(&read(&a, region.clone()).await);
    let open = |body: &serde_json::Value| {
        body["indicators"].as_array().unwrap().iter().find(|i| i["key"] == "persons_registered").unwrap()["value"]
            .clone()
    };
    let open_before = open(&read(&a, "/api/v1/open/indicators".to_string()).await);

    // Twelve people through B (enough to pass the open statistics' small-cell threshold).
    for serial in 0..12 {
        let (s, p) = b
            .post_json(
                "/api/v1/persons",
                Some(&b.admin_token),
                &json!({"nik": format!("5307015205900{:03}", 700 + serial), "full_name": format!("Yosefina Bere {serial}"),
                        "sex": "P", "birth_date": "1990-05-12", "village_code": village}),
            )
            .await;
        assert_eq!(s, 201, "{p}");
    }
    // B's refresh (inline, on its next dashboard read) takes the marks in; A follows.
    assert_eq!(registered(&read(&b, nation.clone()).await), before + 12);
    assert_eq!(registered(&read(&a, nation.clone()).await), before + 12, "server A answered from a stale cache");
    assert_eq!(registered(&read(&a, region.clone()).await), before_region + 12);
    let open_after = open(&read(&a, "/api/v1/open/indicators".to_string()).await);
    assert_ne!(open_after, open_before, "open statistics did not follow");
}

async fn read(app: &TestApp, path: String) -> serde_json::Value {
    let (s, body) = app.get_json(&path, Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{path}: {body}");
    body
}

/// Every cooperative's running balances (migration 0035) equal the sum of its journal lines,
/// as of every day that has lines, the day before and the month's end, and overall. Called at
/// the end of the cooperative tests that post, reverse, close periods and years and run the
/// month end.
pub async fn running_balances_match(db: &store::Db) {
    let coops: Vec<(i64,)> =
        store::on_db!(db, p => sqlx::query_as("SELECT id FROM coop_cooperatives").fetch_all(p).await).unwrap();
    let dates: Vec<(String,)> = store::on_db!(db, p => sqlx::query_as(
        "SELECT DISTINCT entry_date FROM coop_journal_lines ORDER BY entry_date").fetch_all(p).await)
    .unwrap();
    assert!(!coops.is_empty() && !dates.is_empty(), "nothing was posted");
    let mut days: Vec<Option<String>> = vec![None];
    for (d,) in &dates {
        let date = time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
        days.push(Some(d.clone()));
        days.push(Some(date.previous_day().unwrap().to_string()));
        days.push(Some(format!("{}-31", &d[..7])));
    }
    for (coop,) in coops {
        for day in &days {
            let mut running = store::cooperative::account_nets(db, coop, day.as_deref()).await.unwrap();
            running.sort();
            let full = store::cooperative::account_nets_full(db, coop, day.as_deref()).await.unwrap();
            assert_eq!(running, full, "cooperative {coop} as of {day:?}");
        }
    }
}
