//! Issue 16, track conflicts: person edits carry the version they started from and are merged
//! per field; a field two officers changed to different values goes to the supervisor's review
//! list instead of being overwritten (docs/OFFLINE.md "Conflicts").

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OUT: &str = "35.12.01.2001";

/// A person registered by one officer, two officers and a supervisor (the village head) of the
/// same village: (person id, officer A's token, officer B's token).
async fn setup(app: &TestApp) -> (i64, String, String) {
    app.create_user("ani", "village_officer", Some(HOME)).await;
    app.create_user("budi", "village_officer", Some(HOME)).await;
    app.create_user("kades", "village_head", Some(HOME)).await;
    let a = app.token("ani", "a-long-password").await;
    let b = app.token("budi", "a-long-password").await;
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&a),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P",
                    "birth_date": "1990-05-12", "village_code": HOME, "phone": "0811 000 000", "address": "RT 1"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["version"], 1, "a new record is version 1");
    (p["id"].as_i64().expect("id"), a, b)
}

async fn patch(app: &TestApp, token: &str, id: i64, body: Value) -> (u16, Value) {
    app.patch_json(&format!("/api/v1/persons/{id}"), token, &body).await
}

#[tokio::test]
async fn two_officers_changing_different_fields_from_one_version_both_keep_theirs() {
    let app = TestApp::spawn().await;
    let (id, a, b) = setup(&app).await;
    let (s, r) = patch(&app, &a, id, json!({"base_version": 1, "phone": "0812 111 111"})).await;
    assert_eq!((s, &r["applied"]), (200, &json!(["phone"])), "{r}");
    assert_eq!(r["person"]["version"], 2);
    // B started from version 1 too, offline, and changed the address only.
    let (s, r) = patch(&app, &b, id, json!({"base_version": 1, "address": "RT 3 / RW 2"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["applied"], json!(["address"]));
    assert_eq!(r["review"], json!([]));
    let (_, p) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&a)).await;
    assert_eq!((p["phone"].as_str(), p["address"].as_str()), (Some("0812 111 111"), Some("RT 3 / RW 2")));
    assert_eq!(p["version"], 3);
}

#[tokio::test]
async fn the_same_field_to_another_value_goes_to_review_and_the_supervisor_decides() {
    let app = TestApp::spawn().await;
    let (id, a, _) = setup(&app).await;
    // Officer B's page was filled from version 1; A changes the phone meanwhile.
    let bb = Browser::new(&app);
    bb.login("budi", "a-long-password").await;
    let (s, form) = bb.get(&format!("/persons/{id}/edit")).await;
    assert_eq!(s, 200);
    assert!(form.contains(r#"name="base_version" value="1""#), "the edit form carries its version");
    let (s, r) =
        patch(&app, &a, id, json!({"base_version": 1, "phone": "0812 111 111", "full_name": "Maria Goretti"})).await;
    assert_eq!(s, 200, "{r}");
    // B sends the whole form: a new phone (conflict), a new address (applied), and the old
    // name A corrected meanwhile (untouched by B: A's correction stays).
    let csrf = csrf_of(&form);
    let fields = [
        ("_csrf", csrf.as_str()),
        ("base_version", "1"),
        ("nik", "5307015205900001"),
        ("full_name", "Maria Goreti"),
        ("sex", "P"),
        ("birth_date", "1990-05-12"),
        ("village_code", HOME),
        ("category", "prospective"),
        ("phone", "0813 222 222"),
        ("address", "RT 4"),
    ];
    let r = bb.post_form(&format!("/persons/{id}/edit"), &fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers()["location"].to_str().unwrap_or("").to_string();
    assert_eq!(to, format!("/persons/conflicts?person={id}"), "the officer is shown what went to review");
    let (_, p) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&a)).await;
    assert_eq!(p["phone"], "0812 111 111", "A's phone is not overwritten");
    assert_eq!(p["full_name"], "Maria Goretti", "A's correction is not undone by B's whole form");
    assert_eq!(p["address"], "RT 4", "B's other change is applied");

    // The supervisor's list shows the three values; taking the proposal applies it.
    let sup = Browser::new(&app);
    sup.login("kades", "a-long-password").await;
    let (s, list) = sup.get("/persons/conflicts").await;
    assert_eq!(s, 200);
    assert!(list.contains("0811 000 000") && list.contains("0812 111 111") && list.contains("0813 222 222"), "{list}");
    assert!(list.contains("Maria Goretti"), "the supervisor sees whose record it is, not only an id");
    let marker = "data-conflict=\"";
    let start = list.find(marker).expect("a conflict row") + marker.len();
    let cid: String = list[start..].chars().take_while(|c| c.is_ascii_digit()).collect();
    let csrf = csrf_of(&list);
    let r = sup.post_form(&format!("/persons/conflicts/{cid}"), &[("_csrf", &csrf), ("decision", "take")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, p) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&a)).await;
    assert_eq!(p["phone"], "0813 222 222", "the proposal taken");
    let (_, list) = sup.get("/persons/conflicts").await;
    assert!(list.contains("id=\"no-conflicts\""), "nothing left to review");
    // Deciding twice is refused; both the view and the decision are audited.
    let r = sup.post_form(&format!("/persons/conflicts/{cid}"), &[("_csrf", &csrf), ("decision", "keep")]).await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let (_, log) = app.get_json("/api/v1/audit?action=person.conflicts_view", Some(&app.admin_token)).await;
    assert!(!log["items"].as_array().is_some_and(|a| a.is_empty()), "the review list's view is audited");
    let (_, log) = app.get_json("/api/v1/audit?action=person.update", Some(&app.admin_token)).await;
    let details: Vec<&str> =
        log["items"].as_array().into_iter().flatten().filter_map(|e| e["details"].as_str()).collect();
    assert!(details.iter().any(|d| d.contains("to review: phone")), "{details:?}");
    assert!(details.iter().any(|d| d.contains(&format!("conflict #{cid} taken"))), "{details:?}");
}

#[tokio::test]
async fn keeping_the_current_value_and_the_same_value_twice() {
    let app = TestApp::spawn().await;
    let (id, a, b) = setup(&app).await;
    assert_eq!(patch(&app, &a, id, json!({"base_version": 1, "phone": "0812 111 111"})).await.0, 200);
    // The same new value from the same base: no conflict.
    let (s, r) = patch(&app, &b, id, json!({"base_version": 1, "phone": "0812 111 111"})).await;
    assert_eq!(s, 200);
    assert_eq!((&r["unchanged"], &r["review"]), (&json!(["phone"]), &json!([])));
    // Another value: review; the supervisor keeps the current one.
    let (_, r) = patch(&app, &b, id, json!({"base_version": 1, "phone": "0899"})).await;
    assert_eq!(r["review"], json!(["phone"]));
    let sup = Browser::new(&app);
    sup.login("kades", "a-long-password").await;
    let (_, list) = sup.get("/persons/conflicts").await;
    let marker = "data-conflict=\"";
    let start = list.find(marker).expect("a conflict row") + marker.len();
    let cid: String = list[start..].chars().take_while(|c| c.is_ascii_digit()).collect();
    let r =
        sup.post_form(&format!("/persons/conflicts/{cid}"), &[("_csrf", &csrf_of(&list)), ("decision", "keep")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, p) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&a)).await;
    assert_eq!((p["phone"].as_str(), p["version"].as_i64()), (Some("0812 111 111"), Some(2)));
}

#[tokio::test]
async fn a_version_from_the_future_and_strangers_are_refused() {
    let app = TestApp::spawn().await;
    let (id, a, _) = setup(&app).await;
    let (s, r) = patch(&app, &a, id, json!({"base_version": 7, "phone": "0812"})).await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(
        (r["errors"][0]["field"].as_str(), r["errors"][0]["rule"].as_str()),
        (Some("base_version"), Some("out_of_range"))
    );
    let (s, _) = patch(&app, &a, id, json!({"base_version": 1, "birth_date": "2999-01-01"})).await;
    assert_eq!(s, 422, "the merged record passes the registration rules");
    // Outside the region: as if the person did not exist; a role that never edits: 403.
    let stranger = app.user_token("jauh", "village_officer", Some(OUT)).await;
    assert_eq!(patch(&app, &stranger, id, json!({"base_version": 1, "phone": "0812"})).await.0, 404);
    let coop = app.user_token("koperasi", "cooperative_manager", Some(HOME)).await;
    assert_eq!(patch(&app, &coop, id, json!({"base_version": 1, "phone": "0812"})).await.0, 403);
    let (_, p) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&a)).await;
    assert_eq!((p["phone"].as_str(), p["version"].as_i64()), (Some("0811 000 000"), Some(1)), "nothing changed");
}
