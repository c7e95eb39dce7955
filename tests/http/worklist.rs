//! The worklist as officers rely on it (issue 18): a server keeps each area's computed
//! worklist, and every kind of change that moves a line — a cost, a document, a broker report
//! anywhere in the district, a rename, a step — shows on the next view, also when it was
//! written through another server. Long worklists come in pages.

use crate::common::{Browser, TestApp};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";

async fn person(app: &TestApp, token: &str, serial: u32, name: &str) -> Value {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(token),
            &json!({"nik": format!("53070152059{serial:05}"), "full_name": name, "sex": "P",
                    "birth_date": "1990-05-12", "village_code": HOME}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p
}

async fn episode(app: &TestApp, token: &str, person: &Value, recruiter: &str) -> i64 {
    let (s, e) = app
        .post_json(
            &format!("/api/v1/persons/{}/episodes", person["id"]),
            Some(token),
            &json!({"category": "household_employer", "scheme": "p3mi", "destination": "HK",
                    "job_type": "housekeeper", "recruiter_name": recruiter}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    e["id"].as_i64().unwrap()
}

async fn officer(app: &TestApp) -> (String, Browser) {
    let token = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let b = Browser::new(app);
    b.login("petugas", "a-long-password").await;
    (token, b)
}

async fn worklist(b: &Browser, query: &str) -> String {
    let (s, html) = b.get(&format!("/worklist{query}")).await;
    assert_eq!(s, 200, "{html}");
    html
}

#[tokio::test]
async fn a_viewed_worklist_follows_every_kind_of_change() {
    let app = TestApp::spawn().await;
    let (token, b) = officer(&app).await;
    let maria = person(&app, &token, 1, "Maria Goreti").await;
    // An unnamed recruiter for a P3MI placement: on the worklist from the start.
    let id = episode(&app, &token, &maria, "Pak Joko").await;
    assert!(worklist(&b, "").await.contains("Maria Goreti"));

    // A prohibited cost (the episode's costs).
    assert!(!worklist(&b, "?flag=zero_cost_violation").await.contains("Maria Goreti"));
    let (s, r) = app
        .post_json(
            &format!("/api/v1/episodes/{id}/costs"),
            Some(&token),
            &json!({"item": "agency_fee", "amount_rupiah": 15_000_000}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert!(worklist(&b, "?flag=zero_cost_violation").await.contains("Maria Goreti"), "a new cost");

    // A verified passport expiring within 30 days (the episode's documents).
    assert!(!worklist(&b, "").await.contains("<span class=\"tag warn\">segera kedaluwarsa</span>"));
    let today = crate::common::today();
    let (s, r) = app
        .put_json(
            &format!("/api/v1/episodes/{id}/documents/passport"),
            &token,
            &json!({"status": "verified", "number": "C123", "issued_on": "2021-01-05",
                    "expires_on": (today + time::Duration::days(10)).to_string()}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert!(
        worklist(&b, "").await.contains("<span class=\"tag warn\">segera kedaluwarsa</span>"),
        "a document about to expire"
    );

    // A broker report in the district naming the recruiter (another table, any village).
    assert!(!worklist(&b, "?flag=recruiter_reported_broker").await.contains("Maria Goreti"));
    let (s, r) = app
        .post_json(
            "/api/v1/public/broker-reports",
            None,
            &json!({"broker_name": "Pak Joko", "broker_phone": "0812 3456 7890", "village_code": "53.07.01.2003",
                    "description": "Menawarkan kerja di Hong Kong tanpa P3MI dan meminta uang"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert!(worklist(&b, "?flag=recruiter_reported_broker").await.contains("Maria Goreti"), "a broker report");

    // A rename (the person, not the episode).
    let (s, r) = app
        .patch_json(
            &format!("/api/v1/persons/{}", maria["id"]),
            &token,
            &json!({"base_version": maria["version"], "full_name": "Maria Goreti Bere"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert!(worklist(&b, "").await.contains("Maria Goreti Bere"), "a rename");

    // Cancelled: off the worklist.
    let (s, r) = app
        .post_json(
            &format!("/api/v1/episodes/{id}/transitions"),
            Some(&token),
            &json!({"to": "cancelled", "date": today.to_string(), "reason": "Tidak jadi berangkat, bekerja di desa"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert!(!worklist(&b, "").await.contains("Maria Goreti"), "a cancelled episode");
}

#[tokio::test]
async fn a_change_through_another_server_shows_on_this_one() {
    let a = TestApp::spawn().await;
    let (token, b) = officer(&a).await;
    let other = a.another_server(|_| {}).await;
    let maria = person(&a, &token, 1, "Maria Goreti").await;
    let id = episode(&a, &token, &maria, "Pak Joko").await;
    assert!(!worklist(&b, "?flag=zero_cost_violation").await.contains("Maria Goreti"));
    let (s, r) = other
        .post_json(
            &format!("/api/v1/episodes/{id}/costs"),
            Some(&other.admin_token),
            &json!({"item": "agency_fee", "amount_rupiah": 15_000_000}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert!(worklist(&b, "?flag=zero_cost_violation").await.contains("Maria Goreti"), "server A kept a stale worklist");
}

#[tokio::test]
async fn a_long_worklist_comes_in_pages() {
    let app = TestApp::spawn().await;
    let (token, b) = officer(&app).await;
    for serial in 0..52 {
        let p = person(&app, &token, serial + 1, &format!("Pekerja Nomor {serial:02}")).await;
        episode(&app, &token, &p, "Pak Joko").await;
    }
    let lines = |html: &str| html.matches("<li><a href=\"/episodes/").count();
    let first = worklist(&b, "").await;
    assert_eq!(lines(&first), 50, "fifty lines a page");
    assert!(first.contains("Jumlah baris: 52"), "the total is shown");
    assert!(first.contains("href=\"/worklist?flag=&amp;page=2\""), "a link to the next page");
    let second = worklist(&b, "?page=2").await;
    assert_eq!(lines(&second), 2);
    assert!(second.contains("page=1\"") && !second.contains("page=3"));
    // Every worker once across the two pages.
    for serial in 0..52 {
        let name = format!("Pekerja Nomor {serial:02}<");
        assert_eq!(first.matches(&name).count() + second.matches(&name).count(), 1, "{name}");
    }
    // A page number that is not one shows the first page.
    assert_eq!(lines(&worklist(&b, "?page=abc").await), 50);
    assert_eq!(lines(&worklist(&b, "?page=9").await), 0);
    // The filter keeps its pages.
    let flagged = worklist(&b, "?flag=agency_not_licensed&page=2").await;
    assert_eq!(lines(&flagged), 2, "{flagged}");
}
