//! Job orders (demand letters) of placement agencies: the contract, validation naming each
//! field, who may record and verify them, when one can be chosen for a placement, the page.

use crate::common::{ADMIN_PASSWORD, Browser, TestApp, csrf_of};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

fn rule_of<'a>(body: &'a Value, field: &str) -> &'a str {
    body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == field))
        .and_then(|e| e["rule"].as_str())
        .unwrap_or("")
}

/// Registers an agency; returns its id.
async fn agency(app: &TestApp, name: &str, licence: &str, status: &str, until: &str) -> i64 {
    let (s, a) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": name, "licence_number": licence, "status": status,
                    "valid_from": "2020-01-01", "valid_until": until}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_i64().unwrap()
}

fn job_order(agency_id: i64, reference: &str) -> Value {
    json!({"agency_id": agency_id, "reference": reference, "destination": "tw", "employer": "Chen Family",
           "job_type": "Elderly carer", "salary_amount": 27470, "salary_currency": "twd", "quota": 10,
           "valid_from": "2025-01-01", "valid_until": "2099-12-31",
           "costs": [{"item": "medicals", "amount": 1500000}, {"item": "training", "amount": "2000000"}]})
}

async fn create(app: &TestApp, body: &Value) -> Value {
    let (s, jo) = app.post_json("/api/v1/job-orders", Some(&app.admin_token), body).await;
    assert_eq!(s, 201, "{jo}");
    jo
}

async fn set_status(app: &TestApp, id: i64, status: &str) -> (u16, Value) {
    app.post_json(&format!("/api/v1/job-orders/{id}/verification"), Some(&app.admin_token), &json!({"status": status}))
        .await
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"].as_array().unwrap().iter().map(|j| j["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn job_order_contract() {
    let app = TestApp::spawn().await;
    let a = agency(&app, "PT Maju Bersama", "KEP.1/2024", "active", "2099-12-31").await;
    let jo = create(&app, &job_order(a, " dl/2025/001 ")).await;
    let id = jo["id"].as_i64().unwrap();
    assert!(id > 0);
    assert_eq!(jo["agency_id"], a);
    assert_eq!(jo["agency_name"], "PT Maju Bersama");
    assert_eq!(jo["reference"], "DL/2025/001");
    assert_eq!(jo["destination"], "TW");
    assert_eq!(jo["employer"], "Chen Family");
    assert_eq!(jo["job_type"], "elderly_carer");
    assert_eq!(jo["salary_amount"], 27470);
    assert_eq!(jo["salary_currency"], "TWD");
    assert_eq!(jo["quota"], 10);
    assert_eq!((jo["valid_from"].as_str(), jo["valid_until"].as_str()), (Some("2025-01-01"), Some("2099-12-31")));
    assert_eq!(jo["status"], "unverified");
    assert_eq!(jo["selectable"], false);
    assert_eq!(jo["not_selectable_reason"], "job_order_unverified");
    assert_eq!(jo["verified_by"], Value::Null);
    assert_eq!(jo["total_costs"], 3_500_000);

    // Read back with its costs, in cost-item order.
    let (s, got) = app.get_json(&format!("/api/v1/job-orders/{id}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    assert_eq!(got["costs"], json!([{"item": "training", "amount": 2000000}, {"item": "medicals", "amount": 1500000}]));
    assert_eq!(app.get_json("/api/v1/job-orders/999999", Some(&app.admin_token)).await.0, 404);
    assert_eq!(app.get_json(&format!("/api/v1/job-orders/{id}"), None).await.0, 401);

    // The reference is unique per agency (in any case), not across agencies.
    let (s, r) = app.post_json("/api/v1/job-orders", Some(&app.admin_token), &job_order(a, "DL/2025/001")).await;
    assert_eq!(s, 422);
    assert_eq!(rule_of(&r, "reference"), "taken", "{r}");
    let b = agency(&app, "PT Lain", "KEP.2/2024", "active", "2099-12-31").await;
    let mut zero_cost = job_order(b, "DL/2025/001");
    zero_cost["costs"] = json!([]);
    let other = create(&app, &zero_cost).await;
    assert_eq!(other["costs"], json!([]));

    // Lists: by agency, and only the selectable ones.
    let (s, list) = app.get_json(&format!("/api/v1/job-orders?agency_id={a}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    assert_eq!(ids(&list), [id]);
    assert_eq!(list["items"][0]["costs"].as_array().unwrap().len(), 2);
    let (_, list) = app.get_json("/api/v1/job-orders?selectable=true", Some(&app.admin_token)).await;
    assert!(ids(&list).is_empty(), "{list}");
    let (s, r) = app.get_json("/api/v1/job-orders?agency_id=abc&selectable=maybe", Some(&app.admin_token)).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&r), ["agency_id", "selectable"]);

    // Verification makes it selectable; rejection takes that back.
    let (s, v) = set_status(&app, id, "verified").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "verified");
    assert_eq!(v["selectable"], true);
    assert_eq!(v["not_selectable_reason"], Value::Null);
    assert!(v["verified_by"].as_i64().is_some() && v["verified_at"].as_i64().is_some());
    let (_, list) = app.get_json("/api/v1/job-orders?selectable=true", Some(&app.admin_token)).await;
    assert_eq!(ids(&list), [id]);
    let (_, list) =
        app.get_json(&format!("/api/v1/job-orders?agency_id={b}&selectable=true"), Some(&app.admin_token)).await;
    assert!(ids(&list).is_empty());
    let (s, v) = set_status(&app, id, "rejected").await;
    assert_eq!(s, 200);
    assert_eq!((v["status"].as_str(), v["selectable"].as_bool()), (Some("rejected"), Some(false)));
    assert_eq!(v["not_selectable_reason"], "job_order_rejected");
    let (s, r) = set_status(&app, id, "unverified").await;
    assert_eq!(s, 422);
    assert_eq!(rule_of(&r, "status"), "one_of");
    assert_eq!(set_status(&app, 999999, "verified").await.0, 404);

    // Every change is audited.
    let (_, log) = app.get_json("/api/v1/audit?entity=job_order", Some(&app.admin_token)).await;
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["job_order.reject", "job_order.verify", "job_order.create", "job_order.create"]);
}

#[tokio::test]
async fn validation_names_the_fields() {
    let app = TestApp::spawn().await;
    let a = agency(&app, "PT Maju Bersama", "KEP.1/2024", "active", "2099-12-31").await;
    let post = |body: Value| {
        let app = &app;
        async move {
            let (s, r) = app.post_json("/api/v1/job-orders", Some(&app.admin_token), &body).await;
            assert_eq!(s, 422, "{r}");
            r
        }
    };
    let with = |key: &str, value: Value| {
        let mut b = job_order(a, "DL/1");
        b[key] = value;
        b
    };
    let r = post(with("destination", json!("XX1"))).await;
    assert_eq!((fields(&r), rule_of(&r, "destination")), (vec!["destination".to_string()], "format"));
    let r = post(with("quota", json!(0))).await;
    assert_eq!((fields(&r), rule_of(&r, "quota")), (vec!["quota".to_string()], "out_of_range"));
    let r = post(with("valid_until", json!("2024-12-31"))).await;
    assert_eq!((fields(&r), rule_of(&r, "valid_until")), (vec!["valid_until".to_string()], "out_of_range"));
    let r = post(with("costs", json!([{"item": "visa", "amount": 100}, {"item": "tickets", "amount": -5}]))).await;
    assert_eq!((fields(&r), rule_of(&r, "costs[1].amount")), (vec!["costs[1].amount".to_string()], "out_of_range"));
    let r = post(with("costs", json!([{"item": "bribe", "amount": 100}]))).await;
    assert_eq!((fields(&r), rule_of(&r, "costs[0].item")), (vec!["costs[0].item".to_string()], "one_of"));
    let r = post(with("agency_id", json!(999999))).await;
    assert_eq!((fields(&r), rule_of(&r, "agency_id")), (vec!["agency_id".to_string()], "one_of"));
    // All at once, each named; an unknown agency comes first.
    let mut all = with("agency_id", json!(999999));
    all["destination"] = json!("ID");
    all["salary_amount"] = json!("lots");
    all["salary_currency"] = json!("NT$");
    all["employer"] = json!("");
    let r = post(all).await;
    assert_eq!(fields(&r), ["agency_id", "destination", "employer", "salary_amount", "salary_currency"]);
    // A wrong JSON type is a 422 on the field too.
    let r = post(with("reference", json!(12))).await;
    assert_eq!(fields(&r), ["reference"]);
    // Nothing was stored.
    let (_, list) = app.get_json(&format!("/api/v1/job-orders?agency_id={a}"), Some(&app.admin_token)).await;
    assert!(ids(&list).is_empty());
}

#[tokio::test]
async fn only_national_admins_record_and_verify() {
    let app = TestApp::spawn().await;
    let a = agency(&app, "PT Maju Bersama", "KEP.1/2024", "active", "2099-12-31").await;
    let id = create(&app, &job_order(a, "DL/1")).await["id"].as_i64().unwrap();
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    assert_eq!(app.post_json("/api/v1/job-orders", Some(&officer), &job_order(a, "DL/2")).await.0, 403);
    let (s, _) = app
        .post_json(&format!("/api/v1/job-orders/{id}/verification"), Some(&officer), &json!({"status": "verified"}))
        .await;
    assert_eq!(s, 403);
    // Reading is open to every account.
    let (s, jo) = app.get_json(&format!("/api/v1/job-orders/{id}"), Some(&officer)).await;
    assert_eq!((s, jo["status"].as_str()), (200, Some("unverified")));
    let (s, list) = app.get_json(&format!("/api/v1/job-orders?agency_id={a}"), Some(&officer)).await;
    assert_eq!((s, ids(&list)), (200, vec![id]));
    let partner = app.user_token("mitra", "partner", None).await;
    assert_eq!(app.get_json("/api/v1/job-orders?selectable=true", Some(&partner)).await.0, 200);
}

#[tokio::test]
async fn selectable_needs_an_active_licensed_agency_and_a_valid_order() {
    let app = TestApp::spawn().await;
    let suspended = agency(&app, "PT Dibekukan", "KEP.3/2024", "suspended", "2099-12-31").await;
    let id = create(&app, &job_order(suspended, "DL/S")).await["id"].as_i64().unwrap();
    let (s, v) = set_status(&app, id, "verified").await;
    assert_eq!(s, 200);
    assert_eq!((v["status"].as_str(), v["selectable"].as_bool()), (Some("verified"), Some(false)));
    assert_eq!(v["not_selectable_reason"], "agency_suspended");

    let lapsed = agency(&app, "PT Habis Izin", "KEP.4/2024", "active", "2021-12-31").await;
    let id2 = create(&app, &job_order(lapsed, "DL/L")).await["id"].as_i64().unwrap();
    let (_, v) = set_status(&app, id2, "verified").await;
    assert_eq!(v["not_selectable_reason"], "agency_licence_expired");

    let active = agency(&app, "PT Aktif", "KEP.5/2024", "active", "2099-12-31").await;
    let mut expired = job_order(active, "DL/E");
    expired["valid_from"] = json!("2020-01-01");
    expired["valid_until"] = json!("2020-12-31");
    let id3 = create(&app, &expired).await["id"].as_i64().unwrap();
    let (_, v) = set_status(&app, id3, "verified").await;
    assert_eq!(
        (v["selectable"].as_bool(), v["not_selectable_reason"].as_str()),
        (Some(false), Some("job_order_expired"))
    );
    let (_, got) = app.get_json(&format!("/api/v1/job-orders/{id3}"), Some(&app.admin_token)).await;
    assert_eq!(got["not_selectable_reason"], "job_order_expired");

    let good = create(&app, &job_order(active, "DL/G")).await["id"].as_i64().unwrap();
    set_status(&app, good, "verified").await;
    let (_, list) = app.get_json("/api/v1/job-orders?selectable=true", Some(&app.admin_token)).await;
    assert_eq!(ids(&list), [good]);
    assert!(list["items"].as_array().unwrap().iter().all(|j| j["selectable"] == true));
}

#[tokio::test]
async fn agency_page_shows_job_orders_escaped_and_admins_keep_them() {
    let app = TestApp::spawn().await;
    let a = agency(&app, "PT <b>Maju</b> Bersama", "KEP.1/2024", "active", "2099-12-31").await;
    let mut body = job_order(a, "DL/<i>1</i>");
    body["employer"] = json!("Chen <script>alert(1)</script> Family");
    // Only the job types the rules know are taken: an unknown one is refused, naming the choices.
    body["job_type"] = json!("underwater_welder");
    let (s, r) = app.post_json("/api/v1/job-orders", Some(&app.admin_token), &body).await;
    assert_eq!((s, r["errors"][0]["field"].as_str()), (422, Some("job_type")), "{r}");
    body["job_type"] = json!("welder");
    let jo = create(&app, &body).await["id"].as_i64().unwrap();

    let admin = Browser::new(&app);
    admin.login("admin", ADMIN_PASSWORD).await;
    let (s, list) = admin.get("/agencies").await;
    assert_eq!(s, 200);
    assert!(list.contains(&format!("href=\"/agencies/{a}\"")), "agency names link to their page");
    let (s, page) = admin.get(&format!("/agencies/{a}")).await;
    assert_eq!(s, 200);
    assert!(page.contains(&format!("id=\"job-order-{jo}\"")));
    assert!(page.contains("Taiwan") && page.contains("TWD 27.470"), "Indonesian first");
    assert!(page.contains("Rp 1.500.000") && page.contains("Rp 3.500.000"), "costs and their total");
    assert!(page.contains("Tukang las"), "the job type by its name");
    assert!(page.contains("Belum diverifikasi") && page.contains("Job order belum diverifikasi"));
    assert!(page.contains("alert(1)") && !page.contains("<script>alert(1)"), "text is escaped");
    assert!(!page.contains("<b>Maju</b>") && !page.contains("<i>1</i>"), "names and references are escaped");
    assert!(page.contains("id=\"new-job-order\""));
    assert_eq!(admin.get("/agencies/999999").await.0, 404);

    // Verify through the page's button.
    let csrf = csrf_of(&page);
    let verify = format!("/agencies/{a}/job-orders/{jo}/verification");
    assert_eq!(
        admin.post_form(&verify, &[("_csrf", "x".repeat(64).as_str()), ("status", "verified")]).await.status(),
        403
    );
    let r = admin.post_form(&verify, &[("_csrf", &csrf), ("status", "verified")]).await;
    assert_eq!(r.status().as_u16(), 303);
    // Not through another agency's page.
    let other = agency(&app, "PT Lain", "KEP.2/2024", "active", "2099-12-31").await;
    let wrong = format!("/agencies/{other}/job-orders/{jo}/verification");
    assert_eq!(admin.post_form(&wrong, &[("_csrf", &csrf), ("status", "rejected")]).await.status(), 404);
    let (_, page) = admin.get(&format!("/agencies/{a}?saved=1")).await;
    assert!(page.contains("Terverifikasi"));
    let (_, v) = app.get_json(&format!("/api/v1/job-orders/{jo}"), Some(&app.admin_token)).await;
    assert_eq!(v["status"], "verified");

    // Record one through the form: blank cost rows are skipped, errors name the row shown.
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("reference", "DL/2"),
        ("destination", "hk"),
        ("employer", "Wong Family"),
        ("job_type", "housekeeper"),
        ("salary_amount", "4990"),
        ("salary_currency", "HKD"),
        ("quota", "0"),
        ("valid_from", "2025-01-01"),
        ("valid_until", "2099-01-01"),
        ("cost_item_0", ""),
        ("cost_amount_0", ""),
        ("cost_item_2", "visa"),
        ("cost_amount_2", "-1"),
    ];
    let r = admin.post_form(&format!("/agencies/{a}/job-orders"), &form).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Wong Family"), "the form keeps what was typed");
    assert!(html.contains("di luar rentang"), "errors in Indonesian");
    assert!(html.contains("<option value=\"visa\" selected>"), "the filled row moved to the top");
    form.retain(|(k, _)| !["quota", "cost_amount_2"].contains(k));
    form.extend([("quota", "3"), ("cost_amount_2", "750000")]);
    let r = admin.post_form(&format!("/agencies/{a}/job-orders"), &form).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, list) = app.get_json(&format!("/api/v1/job-orders?agency_id={a}"), Some(&app.admin_token)).await;
    let created = list["items"].as_array().unwrap().iter().find(|j| j["reference"] == "DL/2").cloned().unwrap();
    assert_eq!((created["destination"].as_str(), created["quota"].as_i64()), (Some("HK"), Some(3)));
    assert_eq!(created["costs"], json!([{"item": "visa", "amount": 750000}]));

    // Others see the job orders, without the forms, and cannot post them.
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let officer = Browser::new(&app);
    officer.login("petugas", "a-long-password").await;
    let (s, page) = officer.get(&format!("/agencies/{a}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("Wong Family") && page.contains(&format!("id=\"job-order-{jo}\"")));
    assert!(!page.contains("id=\"new-job-order\"") && !page.contains("/verification"));
    let csrf = officer.csrf().await;
    assert_eq!(officer.post_form(&verify, &[("_csrf", &csrf), ("status", "rejected")]).await.status(), 403);
}

#[tokio::test]
async fn openapi_documents_the_job_order_routes() {
    let app = TestApp::spawn().await;
    let (s, doc) = app.get_json("/api/v1/openapi.json", None).await;
    assert_eq!(s, 200);
    for (path, method) in [
        ("/api/v1/job-orders", "post"),
        ("/api/v1/job-orders", "get"),
        ("/api/v1/job-orders/{id}", "get"),
        ("/api/v1/job-orders/{id}/verification", "post"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing");
        assert_eq!(op["tags"][0], "job-orders", "{method} {path}");
    }
    let (s, page) = app.get_json("/api/docs", None).await;
    assert_eq!(s, 200);
    assert!(page.as_str().unwrap_or("").contains("/api/v1/job-orders/{id}/verification"));
}
