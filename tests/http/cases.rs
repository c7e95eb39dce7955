//! Protection cases over the API: the contract, validation, who may open a case (404 to
//! everyone else, the same answer as for a case that does not exist), the workflow in order,
//! and the audit of every view.

use crate::common::TestApp;
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OTHER: &str = "53.07.02.2001";

async fn person(app: &TestApp, nik: &str, village: &str) -> i64 {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": nik, "full_name": "Maria Goreti", "sex": "P", "birth_date": "1990-05-12",
                    "village_code": village}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

fn case(kind: &str, person: Option<i64>) -> Value {
    json!({"type": kind, "severity": "high", "description": "Salary for three months not paid by the employer",
           "village_code": HOME, "person_id": person})
}

async fn open(app: &TestApp, token: &str, kind: &str, person: Option<i64>) -> i64 {
    let (s, c) = app.post_json("/api/v1/cases", Some(token), &case(kind, person)).await;
    assert_eq!(s, 201, "{kind}: {c}");
    c["id"].as_i64().unwrap()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_contract_and_restricted_types() {
    let app = TestApp::spawn().await;
    let maria = person(&app, "5307015205900001", HOME).await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    for (kind, restricted) in
        [("unpaid_wages", false), ("trafficking_suspicion", true), ("abuse", true), ("missing_contact", false)]
    {
        let (s, c) = app.post_json("/api/v1/cases", Some(&officer), &case(kind, Some(maria))).await;
        assert_eq!(s, 201, "{c}");
        assert_eq!(c["restricted"], restricted, "{kind}");
        assert_eq!(c["type"], kind);
        assert_eq!(c["status"], "new");
        assert_eq!(c["person_id"], maria);
        assert!(c["due_on"].is_string());
        assert_eq!(c["events"].as_array().unwrap().len(), 1);
        let (s, got) = app.get_json(&format!("/api/v1/cases/{}", c["id"]), Some(&officer)).await;
        assert_eq!(s, 200, "the handler opens their {kind} case");
        assert_eq!(got["description"], c["description"]);
    }
    // person_id is optional: a tip without a known person.
    let (s, c) = app.post_json("/api/v1/cases", Some(&officer), &case("unprocedural_departure", None)).await;
    assert_eq!(s, 201, "{c}");
    assert!(c["person_id"].is_null());
}

#[tokio::test]
async fn bad_input_names_the_field() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let elsewhere = person(&app, "5307025205900001", OTHER).await;
    let (s, body) = app
        .post_json(
            "/api/v1/cases",
            Some(&officer),
            &json!({"type": "bad_luck", "severity": "urgent", "description": "abc", "village_code": HOME}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&body), ["type", "severity", "description"]);
    let mut long = case("unpaid_wages", None);
    long["description"] = json!("x".repeat(5001));
    let (s, body) = app.post_json("/api/v1/cases", Some(&officer), &long).await;
    assert_eq!((s, fields(&body)), (422, vec!["description".to_string()]));
    for village in ["53.07.01.2002", "53.07", "nonsense", OTHER] {
        let mut c = case("unpaid_wages", None);
        c["village_code"] = json!(village);
        let (s, body) = app.post_json("/api/v1/cases", Some(&officer), &c).await;
        assert_eq!((s, fields(&body)), (422, vec!["village_code".to_string()]), "{village}: {body}");
    }
    // A person outside the region answers exactly like a person that does not exist.
    let (s, outside) = app.post_json("/api/v1/cases", Some(&officer), &case("unpaid_wages", Some(elsewhere))).await;
    let (_, absent) = app.post_json("/api/v1/cases", Some(&officer), &case("unpaid_wages", Some(999_999))).await;
    assert_eq!(s, 422);
    assert_eq!(outside, absent);
    assert_eq!(fields(&outside), ["person_id"]);
    // A role that may not open cases in its scope is refused.
    let analyst = app.user_token("analis", "national_analyst", None).await;
    let (s, _) = app.post_json("/api/v1/cases", Some(&analyst), &case("unpaid_wages", None)).await;
    assert_eq!(s, 403);
    let (s, _) = app.post_json("/api/v1/cases", None, &case("unpaid_wages", None)).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn only_those_who_may_open_a_case_see_it() {
    let app = TestApp::spawn().await;
    let maria = person(&app, "5307015205900001", HOME).await;
    let handler = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let colleague = app.user_token("rekan", "village_officer", Some(HOME)).await;
    let other_village = app.user_token("lain", "village_officer", Some(OTHER)).await;
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let other_regency = app.user_token("jauh", "regency_officer", Some("53.10")).await;
    let analyst = app.user_token("analis", "national_analyst", None).await;
    let wages = open(&app, &handler, "unpaid_wages", Some(maria)).await;
    let tppo = open(&app, &handler, "trafficking_suspicion", Some(maria)).await;

    let (_, missing) = app.get_json("/api/v1/cases/999999", Some(&handler)).await;
    assert_eq!(missing["error"], "not_found");
    let expect = |who: &str, token: &str, id: i64, ok: bool| {
        let (app, token, who) = (&app, token.to_string(), who.to_string());
        let missing = missing.clone();
        async move {
            let (s, body) = app.get_json(&format!("/api/v1/cases/{id}"), Some(&token)).await;
            if ok {
                assert_eq!(s, 200, "{who} opens case {id}: {body}");
            } else {
                assert_eq!(s, 404, "{who} must not open case {id}");
                assert_eq!(body, missing, "{who}: the same answer as for a case that does not exist");
            }
        }
    };
    expect("handler", &handler, tppo, true).await;
    expect("regency supervisor", &regency, tppo, true).await;
    expect("admin", &app.admin_token, tppo, true).await;
    expect("colleague", &colleague, tppo, false).await;
    expect("analyst", &analyst, tppo, false).await;
    expect("other village", &other_village, tppo, false).await;
    expect("other regency", &other_regency, tppo, false).await;
    expect("colleague", &colleague, wages, true).await;
    expect("analyst", &analyst, wages, true).await;
    expect("regency", &regency, wages, true).await;
    expect("other village", &other_village, wages, false).await;
    expect("other regency", &other_regency, wages, false).await;

    // Nor can they act on it.
    let (s, _) =
        app.post_json(&format!("/api/v1/cases/{tppo}/transitions"), Some(&colleague), &json!({"to": "assessed"})).await;
    assert_eq!(s, 404);

    // The list shows what the viewer may open, and no count of the restricted rest
    // (`restricted_not_shown` is 0: docs/ACCESS.md, privacy rules).
    let (s, list) = app.get_json("/api/v1/cases", Some(&colleague)).await;
    assert_eq!(s, 200);
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [wages]);
    assert_eq!(list["restricted_not_shown"], 0);
    assert!(!list.to_string().contains("Salary"), "no descriptions in lists");
    let (_, list) = app.get_json("/api/v1/cases", Some(&other_village)).await;
    assert_eq!((list["items"].as_array().unwrap().len(), &list["restricted_not_shown"]), (0, &json!(0)));
    let (_, list) = app.get_json("/api/v1/cases", Some(&regency)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    // Every successful view is audited; refused ones leave no case.view entry.
    let (_, log) = app.get_json(&format!("/api/v1/audit?entity=case&entity_id={tppo}"), Some(&app.admin_token)).await;
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "case.view").count(), 3, "{log}");
    assert_eq!(actions.iter().filter(|a| **a == "case.create").count(), 1);
    assert!(!log.to_string().contains("Salary"), "no description of a restricted case in the log");
    assert!(!log.to_string().contains("Maria"), "no person name in the log");
}

#[tokio::test]
async fn the_workflow_in_order() {
    let app = TestApp::spawn().await;
    let handler = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let id = open(&app, &handler, "abuse", None).await;
    let path = format!("/api/v1/cases/{id}/transitions");
    let step = |body: Value| {
        let (app, path, handler) = (&app, path.clone(), handler.clone());
        async move { app.post_json(&path, Some(&handler), &body).await }
    };
    // Out of order: refused, naming the rule, nothing stored.
    let (s, body) = step(json!({"to": "resolved"})).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(fields(&body), ["to"]);
    assert!(body["errors"][0]["detail"].as_str().unwrap().contains("assessed"));
    let (s, body) = step(json!({"to": "flying"})).await;
    assert_eq!((s, fields(&body)), (422, vec!["to".to_string()]));
    let (s, body) = step(json!({"to": "assessed", "date": "2999-01-01"})).await;
    assert_eq!((s, fields(&body)), (422, vec!["date".to_string()]));
    // Referred needs a referral, which does not exist yet.
    let (s, c) = step(json!({"to": "assessed", "reason": "Visited the family"})).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["status"], "assessed");
    let (s, _) = step(json!({"to": "referred"})).await;
    assert_eq!(s, 422);
    let (s, c) = step(json!({"to": "in_progress"})).await;
    assert_eq!((s, &c["status"]), (200, &json!("in_progress")));
    let (s, c) = step(json!({"to": "resolved"})).await;
    assert_eq!((s, &c["status"]), (200, &json!("resolved")));
    let (s, body) = step(json!({"to": "closed"})).await;
    assert_eq!((s, fields(&body)), (422, vec!["outcome".to_string()]));
    let (s, c) = step(json!({"to": "closed", "outcome": "settled"})).await;
    assert_eq!((s, &c["outcome"]), (200, &json!("settled")));
    let (s, body) = step(json!({"to": "reopened"})).await;
    assert_eq!((s, fields(&body)), (422, vec!["reason".to_string()]));
    let (s, c) = step(json!({"to": "reopened", "reason": "The settlement was not paid"})).await;
    assert_eq!(s, 200);
    assert!(c["outcome"].is_null());
    let timeline: Vec<&str> =
        c["events"].as_array().unwrap().iter().map(|e| e["to_status"].as_str().unwrap()).collect();
    assert_eq!(timeline, ["new", "assessed", "in_progress", "resolved", "closed", "reopened"]);
    assert_eq!(c["events"][1]["reason"], "Visited the family");
    assert_eq!(c["events"][1]["by"], "User petugas");

    // A regency supervisor may move the case too.
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let (s, c) = app.post_json(&path, Some(&regency), &json!({"to": "assessed"})).await;
    assert_eq!((s, &c["status"]), (200, &json!("assessed")));

    let (_, log) = app.get_json("/api/v1/audit?action=case.transition", Some(&app.admin_token)).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 6, "{log}");
    assert_eq!(log["items"][0]["region_code"], HOME);
}

#[tokio::test]
async fn case_pages_keep_restricted_cases_to_handler_and_supervisors() {
    use crate::common::{Browser, csrf_of};
    let app = TestApp::spawn().await;
    app.create_user("petugas.case", "village_officer", Some("53.07.01.2001")).await;
    app.create_user("rekan.case", "village_head", Some("53.07.01.2001")).await;
    app.create_user("disnaker.case", "regency_officer", Some("53.07")).await;
    let b = Browser::new(&app);
    b.login("petugas.case", "a-long-password").await;
    let (s, form) = b.get("/cases/new").await;
    assert_eq!(s, 200);
    let csrf = csrf_of(&form);
    let r = b
        .post_form(
            "/cases",
            &[
                ("_csrf", &csrf),
                ("type", "trafficking_suspicion"),
                ("severity", "high"),
                ("description", "x"),
                ("village_code", "53.07.01.2001"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422, "description too short");
    let r = b
        .post_form(
            "/cases",
            &[
                ("_csrf", &csrf),
                ("type", "trafficking_suspicion"),
                ("severity", "high"),
                ("description", "A recruiter offers jobs in Cambodia with no fee <script>"),
                ("village_code", "53.07.01.2001"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let path = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let (s, page) = b.get(&path).await;
    assert_eq!(s, 200);
    assert!(page.contains("Dugaan perdagangan orang") && !page.contains("fee <script>"), "labelled and escaped");
    let csrf = csrf_of(&page);
    let r = b.post_form(&format!("{path}/transition"), &[("_csrf", &csrf), ("to", "closed")]).await;
    assert_eq!(r.status().as_u16(), 422, "closing needs an outcome");
    let r = b.post_form(&format!("{path}/transition"), &[("_csrf", &csrf), ("to", "assessed")]).await;
    assert_eq!(r.status().as_u16(), 303);

    // The village head of the same village does not see it, nor a count of it.
    let head = Browser::new(&app);
    head.login("rekan.case", "a-long-password").await;
    let (_, list) = head.get("/cases").await;
    assert!(!list.contains("restricted-count") && !list.contains(&format!("href=\"{path}\"")));
    // Only the refusal with the break-the-glass form (tests/http/glass.rs): none of the case.
    let (s, refusal) = head.get(&path).await;
    assert_eq!(s, 403);
    assert!(refusal.contains("Buka darurat") && !refusal.contains("Dugaan perdagangan orang"), "{refusal}");
    // The regency supervisor opens it.
    let sup = Browser::new(&app);
    sup.login("disnaker.case", "a-long-password").await;
    let (s, page) = sup.get(&path).await;
    assert_eq!(s, 200);
    assert!(page.contains("id=\"case-status\">Dinilai"));
}
