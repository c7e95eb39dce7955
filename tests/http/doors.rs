//! One door per operation: for each operation that has a page and an API door, the same bad
//! input is refused by the same rule on both — the same status family, the same field (under
//! the door's own name for it) and the same rule, and the page shows the very sentence the API
//! gives when asked in Indonesian.
//! A rule that lives in a handler instead of the application layer shows up here as a row whose
//! two doors disagree.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";

/// The API asked in Indonesian (`Accept-Language: id`), so its messages are the page's sentences.
trait Indonesian {
    async fn post_json_id(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value);
}

impl Indonesian for TestApp {
    async fn post_json_id(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut rb = self.client.post(self.url(path)).header("accept-language", "id").json(body);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        let r = rb.send().await.expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// What the API said: (field, rule, message) of each error.
fn api_errors(body: &Value) -> Vec<(String, String, String)> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
                    (s("field"), s("rule"), s("message"))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// The page shows each of the API's errors: the same Indonesian sentence.
fn assert_page_shows(case: &str, page_status: u16, html: &str, api_status: u16, api: &[(String, String, String)]) {
    assert_eq!(api_status, 422, "{case}: the API refuses with 422");
    assert_eq!(page_status, 422, "{case}: the page refuses with 422 too");
    assert!(!api.is_empty(), "{case}: the API names the field");
    for (field, rule, message) in api {
        assert!(!message.is_empty(), "{case}: the API explains {field}/{rule}");
        let shown = html.contains(&html_escaped(message)) || html.contains(message.as_str());
        assert!(shown, "{case}: the page shows {field}/{rule} as «{message}»");
    }
}

async fn setup(app: &TestApp) -> (Browser, String, i64) {
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let officer = app.token("petugas", "a-long-password").await;
    let (s, person) = app
        .post_json_id(
            "/api/v1/persons",
            Some(&officer),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti",
                    "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
        )
        .await;
    assert_eq!(s, 201, "{person}");
    let person = person["id"].as_i64().expect("id");
    let b = Browser::new(app);
    b.login("petugas", "a-long-password").await;
    (b, officer, person)
}

#[tokio::test]
async fn the_same_bad_input_gets_the_same_rule_on_page_and_api() {
    let app = TestApp::spawn().await;
    let (b, officer, person) = setup(&app).await;
    let (s, episode) = app
        .post_json_id(
            &format!("/api/v1/persons/{person}/episodes"),
            Some(&officer),
            &json!({"category": "household_employer", "scheme": "g2g", "destination": "tw", "job_type": "caregiver"}),
        )
        .await;
    assert_eq!(s, 201, "{episode}");
    let episode = episode["id"].as_i64().expect("id");
    let csrf = csrf_of(&b.get("/").await.1);

    // Episode costs: (form amount, API amount_rupiah, item) → same rule on `amount`/`amount_rupiah`.
    for (amount_text, amount_json, item) in
        [("-5", json!(-5), "agency_fee"), ("5", json!(5), "no_such_item"), ("-1", json!(-1), "visa_fee_x")]
    {
        let (api_status, api) = app
            .post_json_id(
                &format!("/api/v1/episodes/{episode}/costs"),
                Some(&officer),
                &json!({"item": item, "amount_rupiah": amount_json}),
            )
            .await;
        let r = b
            .post_form(
                &format!("/episodes/{episode}/costs"),
                &[("_csrf", &csrf), ("item", item), ("amount", amount_text)],
            )
            .await;
        let page_status = r.status().as_u16();
        let html = r.text().await.expect("page");
        let api = api_errors(&api);
        let fields: Vec<&str> = api.iter().map(|e| e.0.as_str()).collect();
        assert!(fields.iter().all(|f| ["item", "amount_rupiah"].contains(f)), "cost {item} {amount_text}: {fields:?}");
        assert_page_shows(&format!("cost {item} {amount_text}"), page_status, &html, api_status, &api);
    }

    // Typed money means the same on both doors: "Rp 1.250.000" on the form, 1250000 on the API.
    let r = b
        .post_form(
            &format!("/episodes/{episode}/costs"),
            &[("_csrf", &csrf), ("item", "agency_fee"), ("amount", "Rp 1.250.000")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "a typed amount is accepted on the page");

    // Person registration: the same NIK and date rules.
    for (nik, birth) in [("530701520590000", "1990-05-12"), ("5307015205900002", "2990-05-12")] {
        let (api_status, api) = app
            .post_json_id(
                "/api/v1/persons",
                Some(&officer),
                &json!({"nik": nik, "full_name": "Yohana Nona", "sex": "P", "birth_date": birth, "village_code": HOME}),
            )
            .await;
        let r = b
            .post_form(
                "/persons",
                &[
                    ("_csrf", &csrf),
                    ("nik", nik),
                    ("full_name", "Yohana Nona"),
                    ("sex", "P"),
                    ("birth_date", birth),
                    ("village_code", HOME),
                ],
            )
            .await;
        let page_status = r.status().as_u16();
        let html = r.text().await.expect("page");
        assert_page_shows(&format!("person {nik} {birth}"), page_status, &html, api_status, &api_errors(&api));
    }
}

#[tokio::test]
async fn a_role_refused_on_one_door_is_refused_on_the_other() {
    let app = TestApp::spawn().await;
    // A cooperative manager of the village never registers people, on either door.
    app.create_user("bendahara", "cooperative_manager", Some(HOME)).await;
    let token = app.token("bendahara", "a-long-password").await;
    let body = json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P",
                      "birth_date": "1990-05-12", "village_code": HOME});
    assert_eq!(app.post_json_id("/api/v1/persons", Some(&token), &body).await.0, 403);
    let b = Browser::new(&app);
    b.login("bendahara", "a-long-password").await;
    let csrf = csrf_of(&b.get("/").await.1);
    let r = b
        .post_form(
            "/persons",
            &[
                ("_csrf", &csrf),
                ("nik", "5307015205900001"),
                ("full_name", "Maria Goreti"),
                ("sex", "P"),
                ("birth_date", "1990-05-12"),
                ("village_code", HOME),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);

    // Job-order verification: an unknown status is the same 422 and rule on both doors.
    let (s, agency) = app
        .post_json_id(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT Maju Bersama", "licence_number": "KEP.1/2024",
                    "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{agency}");
    let agency = agency["id"].as_i64().expect("id");
    let (s, jo) = app
        .post_json_id(
            "/api/v1/job-orders",
            Some(&app.admin_token),
            &json!({"agency_id": agency, "reference": "DL/1", "destination": "tw", "employer": "Chen Family",
                    "job_type": "caregiver", "salary_amount": 27470, "salary_currency": "twd", "quota": 10,
                    "valid_from": "2025-01-01", "valid_until": "2099-12-31", "costs": []}),
        )
        .await;
    assert_eq!(s, 201, "{jo}");
    let jo = jo["id"].as_i64().expect("id");
    let (api_status, api) = app
        .post_json_id(
            &format!("/api/v1/job-orders/{jo}/verification"),
            Some(&app.admin_token),
            &json!({"status": "maybe"}),
        )
        .await;
    let admin = Browser::new(&app);
    admin.login("admin", crate::common::ADMIN_PASSWORD).await;
    let csrf = csrf_of(&admin.get("/").await.1);
    let r = admin
        .post_form(
            &format!("/agencies/{agency}/job-orders/{jo}/verification"),
            &[("_csrf", &csrf), ("status", "maybe")],
        )
        .await;
    let page_status = r.status().as_u16();
    let html = r.text().await.expect("page");
    assert_page_shows("job-order verification", page_status, &html, api_status, &api_errors(&api));
}
