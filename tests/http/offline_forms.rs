//! Track forms (issue 16; docs/OFFLINE.md "Field forms"): the counselling session has an API
//! door (the outbox sends every field form through the API), and the blank capture pages the
//! service worker keeps on the phone name no attendee, participant, member or person.

use crate::common::{Browser, TestApp, today};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OUT: &str = "35.12.01.2001";

async fn person(app: &TestApp, nik: &str, name: &str, village: &str) -> i64 {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": nik, "full_name": name, "sex": "P", "birth_date": "1990-05-12", "village_code": village,
                    "confirm_warnings": true}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

async fn post(b: &Browser, path: &str, csrf: &str, body: &Value) -> (u16, Value) {
    let r = b.client.post(format!("{}{path}", b.base)).header("X-CSRF-Token", csrf).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_counselling_session_is_recorded_through_the_api() {
    let app = TestApp::spawn().await;
    let maria = person(&app, "5307015205900001", "Maria Goreti", HOME).await;
    let yuli = person(&app, "3512015205900002", "Yuliana Dewi", OUT).await;
    app.create_user("desa.petugas", "village_officer", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("desa.petugas", "a-long-password").await;
    let csrf = b.csrf().await;
    let url = format!("/api/v1/persons/{maria}/counselling");

    let day = (today() - time::Duration::days(2)).to_string();
    let (s, r) =
        post(&b, &url, &csrf, &json!({"held_on": day, "topics": "Biaya resmi penempatan", "counsellor": "Ibu Rina"}))
            .await;
    assert_eq!((s, &r["person_id"], r["held_on"].as_str()), (201, &json!(maria), Some(day.as_str())), "{r}");

    // The same rules as the person page's form: a future day is refused by field.
    let tomorrow = (today() + time::Duration::days(1)).to_string();
    let (s, r) = post(&b, &url, &csrf, &json!({"held_on": tomorrow, "topics": "x"})).await;
    assert_eq!((s, r["errors"][0]["field"].as_str()), (422, Some("held_on")), "{r}");
    // A person outside the officer's region is as absent as a made-up one.
    let (s, _) = post(&b, &format!("/api/v1/persons/{yuli}/counselling"), &csrf, &json!({"held_on": day})).await;
    assert_eq!(s, 404);

    // One session, shown on the person page the online way.
    let (s, html) = b.get(&format!("/persons/{maria}")).await;
    assert_eq!(s, 200);
    let shown = html.split("id=\"counselling\"").nth(1).unwrap_or("");
    assert_eq!(
        shown.split("</section>").next().unwrap_or("").matches("Biaya resmi penempatan").count(),
        1,
        "one session recorded"
    );
    assert!(html.contains(&format!("/persons/{maria}/counselling/new")), "the person page links its capture page");
}

#[tokio::test]
async fn the_capture_pages_name_no_one() {
    let app = TestApp::spawn().await;
    let maria = person(&app, "5307015205900001", "Maria Goreti", HOME).await;
    let officer = app.user_token("desa.petugas", "village_officer", Some(HOME)).await;
    let fac = app.user_token("fasilitator", "facilitator", Some(HOME)).await;
    let mgr = app.user_token("bendahara", "cooperative_manager", Some(HOME)).await;
    let day = |n: i64| (today() - time::Duration::days(n)).to_string();

    let (s, e) = app
        .post_json(
            "/api/v1/outreach",
            Some(&officer),
            &json!({"village_code": HOME, "held_on": day(1), "place": "Balai desa",
            "topic": "Prosedur migrasi yang aman", "organiser": "Pemerintah desa", "headcount": 12}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let event = e["id"].as_i64().unwrap();
    let (s, _) = app
        .post_json(&format!("/api/v1/outreach/{event}/attendees"), Some(&officer), &json!({"person_id": maria}))
        .await;
    assert_eq!(s, 201);

    let (s, t) = app
        .post_json("/api/v1/trainings", Some(&fac), &json!({"village_code": HOME, "topic": "financial_literacy",
            "title": "Literasi keuangan keluarga PMI", "organiser": "regency_office", "organiser_name": "Disnaker Sikka",
            "starts_on": day(3), "ends_on": day(1), "place": "Balai desa", "trainer": "Ibu Rina"}))
        .await;
    assert_eq!(s, 201, "{t}");
    let training = t["id"].as_i64().unwrap();
    let (s, _) = app
        .post_json(&format!("/api/v1/trainings/{training}/participants"), Some(&fac), &json!({"person_id": maria}))
        .await;
    assert_eq!(s, 200);

    let (s, bz) = app
        .post_json(
            "/api/v1/businesses",
            Some(&fac),
            &json!({"village_code": HOME, "name": "Tenun Ikat Masabewa", "sector": "crafts",
            "legal_form": "group", "status": "running", "started_on": day(90), "capital_sources": ["own_remittances"]}),
        )
        .await;
    assert_eq!(s, 201, "{bz}");
    let business = bz["id"].as_i64().unwrap();
    let (s, _) = app
        .post_json(
            &format!("/api/v1/businesses/{business}/members"),
            Some(&fac),
            &json!({"person_id": maria, "kind": "returned_migrant"}),
        )
        .await;
    assert_eq!(s, 200);

    let (s, c) = app
        .post_json("/api/v1/cooperatives", Some(&mgr), &json!({"village_code": HOME, "kind": "koperasi", "name": "Koperasi Maju Bersama",
            "founded_on": day(400), "bylaws": {"pokok": 0, "wajib_monthly": 0, "max_principal": 5000000, "max_months": 12,
            "min_rate_percent": 1, "max_rate_percent": 2, "shu_reserve": 40, "shu_members_by_savings": 20,
            "shu_members_by_transactions": 20, "shu_board": 5, "shu_staff": 5, "shu_education": 5, "shu_social": 5}}))
        .await;
    assert_eq!(s, 201, "{c}");
    let coop = c["id"].as_i64().unwrap();
    let (s, m) = app
        .post_json(
            &format!("/api/v1/cooperatives/{coop}/members"),
            Some(&mgr),
            &json!({"full_name": "Maria Goreti", "joined_on": day(300)}),
        )
        .await;
    assert_eq!(s, 201, "{m}");

    // (who, the record's page, its capture page, the API operation the form is sent to, the label shown)
    let pages = [
        (
            "desa.petugas",
            format!("/outreach/{event}"),
            format!("/outreach/{event}/attend"),
            format!("POST /api/v1/outreach/{event}/attendees"),
            "Prosedur migrasi yang aman",
        ),
        (
            "fasilitator",
            format!("/trainings/{training}"),
            format!("/trainings/{training}/attendance/new"),
            format!("POST /api/v1/trainings/{training}/attendance"),
            "Literasi keuangan keluarga PMI",
        ),
        (
            "fasilitator",
            format!("/businesses/{business}"),
            format!("/businesses/{business}/reports/new"),
            format!("POST /api/v1/businesses/{business}/reports"),
            "Tenun Ikat Masabewa",
        ),
        (
            "bendahara",
            format!("/cooperatives/{coop}/members"),
            format!("/cooperatives/{coop}/savings/new"),
            format!("POST /api/v1/cooperatives/{coop}/savings-transactions"),
            "Koperasi Maju Bersama",
        ),
        (
            "desa.petugas",
            format!("/persons/{maria}"),
            format!("/persons/{maria}/counselling/new"),
            format!("POST /api/v1/persons/{maria}/counselling"),
            "#",
        ),
    ];
    for (who, record, capture, api, label) in pages {
        let b = Browser::new(&app);
        b.login(who, "a-long-password").await;
        let (s, html) = b.get(&record).await;
        assert_eq!(s, 200, "{record}");
        assert!(html.contains("Maria Goreti"), "{record} names her (online, not kept)");
        assert!(html.contains(&format!("href=\"{capture}\"")), "{record} links {capture}");
        let (s, html) = b.get(&capture).await;
        assert_eq!(s, 200, "{capture}");
        assert!(html.contains(&format!("data-offline=\"{api}\"")), "{capture} is sent to {api}");
        assert!(html.contains(label), "{capture} shows its label");
        assert!(!html.contains("Maria") && !html.contains("5307015205900001"), "{capture} names no one");
    }
    // The value date of a cash deposit is a field of its form.
    let b = Browser::new(&app);
    b.login("bendahara", "a-long-password").await;
    let (_, html) = b.get(&format!("/cooperatives/{coop}/savings/new")).await;
    assert!(html.contains("name=\"date\"") && html.contains("value=\"deposit\""), "{html}");
    // Offline the officer types the member's id: the member list shows it.
    let (_, list) = b.get(&format!("/cooperatives/{coop}/members")).await;
    assert!(list.contains(&format!("(ID {})", m["id"])), "{list}");
}
