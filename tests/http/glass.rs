//! Break the glass and pseudonymisation across jurisdictions (issue 17): the restriction matrix
//! extended with grants (before, during, after expiry on the application's clock; partners,
//! analysts and cooperative managers refused) and with a transferred case seen pseudonymised
//! from the region it left, through the case API, lists, the case page and the worklist.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const NEIGHBOUR: &str = "53.07.02.2001";
const FAR: &str = "35.12.01.2001";
const START: time::OffsetDateTime = time::macros::datetime!(2026-03-10 02:00 UTC);
const REASON: &str = "Penangan cuti dan keluarga melaporkan pekerja hilang sejak Senin";

async fn person(app: &TestApp) -> i64 {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P", "birth_date": "1990-05-12",
                    "village_code": HOME}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

/// Another server on the same database whose clock starts at `start`: the way a test moves
/// time (there is no clock-moving endpoint). Returns its base URL.
async fn server_at(app: &TestApp, start: time::OffsetDateTime) -> String {
    let mut cfg = web::Config::for_database(&app.database_url);
    cfg.clock_start = Some(start);
    let startup = web::bootstrap::prepare(&cfg).await.expect("prepare app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(web::serve(listener, web::AppState::new(startup.db, cfg), std::future::pending()));
    base
}

async fn get_at(app: &TestApp, base: &str, path: &str, token: &str) -> (u16, Value) {
    let r = app.client.get(format!("{base}{path}")).bearer_auth(token).send().await.expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn audit_actions(app: &TestApp, case: i64) -> Vec<String> {
    let (_, log) = app.get_json(&format!("/api/v1/audit?entity=case&entity_id={case}"), Some(&app.admin_token)).await;
    log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_grant_opens_a_restricted_case_for_three_hours_and_the_supervisors_are_told() {
    let app = TestApp::spawn_with(|c| c.clock_start = Some(START)).await;
    let maria = person(&app).await;
    let handler = app.user_token("glass-handler", "village_officer", Some(HOME)).await;
    let second = app.user_token("glass-second", "village_officer", Some(HOME)).await;
    let facilitator = app.user_token("glass-fac", "facilitator", Some(HOME)).await;
    let neighbour = app.user_token("glass-neighbour", "village_officer", Some(NEIGHBOUR)).await;
    let analyst = app.user_token("glass-analyst", "national_analyst", None).await;
    let coop = app.user_token("glass-coop", "cooperative_manager", Some(HOME)).await;
    let regency = app.user_token("glass-regency", "regency_officer", Some("53.07")).await;
    let other_regency = app.user_token("glass-other-regency", "regency_officer", Some("53.10")).await;
    let (s, partners) = app.get_json("/api/v1/partners", Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    let iom =
        partners["items"].as_array().unwrap().iter().find(|p| p["name"] == "IOM Indonesia").unwrap()["id"].as_i64();
    let (_, partner) = app.partner_account("glass-iom", iom).await;
    let case = app.open_case(&handler, "trafficking_suspicion", Some(maria)).await;
    let path = format!("/api/v1/cases/{case}");
    let glass = format!("/api/v1/cases/{case}/break-glass");

    // Before: the second officer knows nothing more than that it exists.
    assert_eq!(app.get_json(&path, Some(&second)).await.0, 404);
    assert!(!ids(&app.get_json("/api/v1/cases", Some(&second)).await.1).contains(&case));

    // Refusals: a short reason names its field; roles that never break the glass.
    let (s, e) = app.post_json(&glass, Some(&second), &json!({"reason": "handler away"})).await;
    assert_eq!(s, 422, "{e}");
    assert!(e.to_string().contains("\"reason\""), "{e}");
    for (who, token, want) in [
        ("partner", &partner, [403, 404]),
        ("analyst", &analyst, [403, 403]),
        ("cooperative manager", &coop, [403, 403]),
        ("supervisor who already opens it", &regency, [403, 403]),
        ("officer of another village", &neighbour, [404, 404]),
        ("supervisor of another regency", &other_regency, [404, 404]),
    ] {
        let (s, e) = app.post_json(&glass, Some(token), &json!({"reason": REASON})).await;
        assert!(want.contains(&s), "{who}: {s} {e}");
    }
    let (s, e) = app.post_json("/api/v1/cases/999999/break-glass", Some(&second), &json!({"reason": REASON})).await;
    assert_eq!(s, 404, "{e}");
    assert_eq!(app.get_json(&path, Some(&second)).await.0, 404, "nothing granted by a refusal");

    // The grant: three hours on the application's clock.
    let (s, g) = app.post_json(&glass, Some(&second), &json!({"reason": REASON})).await;
    assert_eq!(s, 201, "{g}");
    let start = START.unix_timestamp();
    let expires = g["expires_at"].as_i64().unwrap();
    assert!((start + 3 * 3600..start + 3 * 3600 + 120).contains(&expires), "{g}");

    // During: the case file, the list; read only.
    let (s, c) = app.get_json(&path, Some(&second)).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["person_id"], maria);
    assert_eq!(c["glass_until"], expires);
    assert!(ids(&app.get_json("/api/v1/cases", Some(&second)).await.1).contains(&case));
    let (s, _) = app.post_json(&format!("{path}/notes"), Some(&second), &json!({"body": "Called the family"})).await;
    assert_eq!(s, 403, "a grant opens the case to read only");
    // A grant is personal: the facilitator of the same village still sees nothing.
    assert_eq!(app.get_json(&path, Some(&facilitator)).await.0, 404);
    let actions = audit_actions(&app, case).await;
    assert_eq!(actions.iter().filter(|a| a.starts_with("case.break")).count(), 1, "{actions:?}");
    let (_, log) = app.get_json(&format!("/api/v1/audit?entity=case&entity_id={case}"), Some(&app.admin_token)).await;
    assert!(!log.to_string().contains("keluarga melaporkan"), "the reason is for the supervisors, not the log");

    // The supervisors are told: who, which case, the reason, until when.
    let (s, list) = app.get_json("/api/v1/break-glass-grants", Some(&regency)).await;
    assert_eq!(s, 200);
    let notice = &list.as_array().unwrap()[0];
    assert_eq!((notice["case_id"].as_i64(), notice["reason"].as_str()), (Some(case), Some(REASON)));
    assert_eq!((notice["user_name"].as_str(), notice["active"].as_bool()), (Some("User glass-second"), Some(true)));
    assert_eq!(notice["expires_at"], expires);
    for token in [&other_regency, &second, &handler, &analyst] {
        let (s, list) = app.get_json("/api/v1/break-glass-grants", Some(token)).await;
        assert_eq!((s, list.as_array().map(Vec::len)), (200, Some(0)), "{list}");
    }
    let b = Browser::new(&app);
    b.login("glass-regency", "a-long-password").await;
    let (s, html) = b.get("/worklist").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("id=\"glass-grants\"") && html.contains(REASON) && html.contains("User glass-second"),
        "{html}"
    );

    // After: a server whose clock is past the three hours (same database) closes it again.
    let later = server_at(&app, START + time::Duration::minutes(3 * 60 + 5)).await;
    let (s, _) = get_at(&app, &later, &path, &second).await;
    assert_eq!(s, 404, "the grant expired");
    let (_, list) = get_at(&app, &later, "/api/v1/cases", &second).await;
    assert!(!ids(&list).contains(&case));
    let (_, list) = get_at(&app, &later, "/api/v1/break-glass-grants", &regency).await;
    assert_eq!(list[0]["active"], false, "{list}");
    // ...while the first server's clock is still inside the grant.
    assert_eq!(app.get_json(&path, Some(&second)).await.0, 200);
}

#[tokio::test]
async fn the_refusal_page_offers_break_the_glass_and_keeps_the_typed_reason() {
    let app = TestApp::spawn_with(|c| c.clock_start = Some(START)).await;
    let handler = app.user_token("page-handler", "village_officer", Some(HOME)).await;
    app.create_user("page-second", "village_officer", Some(HOME)).await;
    app.create_user("page-analyst", "national_analyst", None).await;
    let case = app.open_case(&handler, "abuse", None).await;
    let b = Browser::new(&app);
    b.login("page-second", "a-long-password").await;
    let (s, html) = b.get(&format!("/cases/{case}")).await;
    assert_eq!(s, 403, "{html}");
    assert!(html.contains("Buka darurat") && html.contains(&format!("action=\"/cases/{case}/break-glass\"")), "{html}");
    assert!(!html.contains("Recruited by a broker"), "nothing of the case before the grant");
    let csrf = csrf_of(&html);
    let r = b.post_form(&format!("/cases/{case}/break-glass"), &[("_csrf", &csrf), ("reason", "penangan cuti")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(">penangan cuti</textarea>"), "the typed reason stays: {html}");
    assert!(html.contains("id=\"form-errors\""), "{html}");
    let r = b.post_form(&format!("/cases/{case}/break-glass"), &[("_csrf", &csrf), ("reason", REASON)]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (s, html) = b.get(&format!("/cases/{case}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"case-glass\"") && html.contains("Recruited by a broker"), "{html}");

    // An analyst is told the case does not exist, with no form.
    let a = Browser::new(&app);
    a.login("page-analyst", "a-long-password").await;
    let (s, html) = a.get(&format!("/cases/{case}")).await;
    assert_eq!(s, 404);
    assert!(!html.contains("break-glass"));
}

#[tokio::test]
async fn a_transferred_case_is_pseudonymised_for_the_region_it_left() {
    let app = TestApp::spawn().await;
    let maria = person(&app).await;
    let officer = app.user_token("move-officer", "village_officer", Some(HOME)).await;
    let regency = app.user_token("move-regency", "regency_officer", Some("53.07")).await;
    let far = app.user_token("move-far", "village_officer", Some(FAR)).await;
    let neighbour = app.user_token("move-neighbour", "village_officer", Some(NEIGHBOUR)).await;
    let case = app.open_case(&officer, "unpaid_wages", Some(maria)).await;
    let path = format!("/api/v1/cases/{case}");
    let (s, _) =
        app.post_json(&format!("{path}/notes"), Some(&officer), &json!({"body": "Maria called from Taipei"})).await;
    assert_eq!(s, 201);
    assert_eq!(app.get_json(&path, Some(&far)).await.0, 404, "not yet in the far village");

    // Validation names the field; only the handler and supervisors move a case.
    let transfer = format!("{path}/transfer");
    for (body, field) in [
        (json!({"village_code": HOME, "reason": "Moved back home"}), "village_code"),
        (json!({"village_code": "53.07", "reason": "Moved back home"}), "village_code"),
        (json!({"village_code": FAR, "reason": ""}), "reason"),
    ] {
        let (s, e) = app.post_json(&transfer, Some(&regency), &body).await;
        assert_eq!(s, 422, "{e}");
        assert!(e.to_string().contains(&format!("\"{field}\"")), "{e}");
    }
    let move_far = json!({"village_code": FAR, "reason": "The worker moved to her husband's village"});
    assert_eq!(app.post_json(&transfer, Some(&neighbour), &move_far).await.0, 404);
    let (s, t) = app.post_json(&transfer, Some(&officer), &move_far).await;
    assert_eq!(s, 200, "{t}");
    assert_eq!((t["village_code"].as_str(), t["from_village"].as_str()), (Some(FAR), Some(HOME)));
    assert_eq!(t["handler_user_id"], Value::Null, "the handler does not cover the new village");
    assert!(audit_actions(&app, case).await.iter().any(|a| a == "case.transfer"));

    // The new village: in full.
    let (s, c) = app.get_json(&path, Some(&far)).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!((c["person_id"].as_i64(), &c["person_pseudonym"]), (Some(maria), &Value::Null));

    // The village it left and the regency above: pseudonymised, the same pseudonym for both.
    let mut seen = vec![];
    for token in [&officer, &regency] {
        let (s, c) = app.get_json(&path, Some(token)).await;
        assert_eq!(s, 200, "{c}");
        assert_eq!(c["person_id"], Value::Null);
        let pseudonym = c["person_pseudonym"].as_str().unwrap().to_string();
        assert!(pseudonym.starts_with("Orang-") && pseudonym.len() == 10, "{pseudonym}");
        assert_eq!(c["notes"].as_array().unwrap().len(), 0, "notes name the person");
        assert!(!c.to_string().contains("Maria") && !c.to_string().contains("5307015205900001"), "{c}");
        let (_, list) = app.get_json("/api/v1/cases", Some(token)).await;
        let row = list["items"].as_array().unwrap().iter().find(|r| r["id"] == case).expect("still listed").clone();
        assert_eq!(row["pseudonymised"], true);
        seen.push(pseudonym);
    }
    assert_eq!(seen[0], seen[1]);
    // Not a door to work the case or to find it under the person.
    assert_eq!(app.post_json(&format!("{path}/notes"), Some(&officer), &json!({"body": "x"})).await.0, 403);
    assert_eq!(app.post_json(&transfer, Some(&regency), &json!({"village_code": HOME, "reason": "Back"})).await.0, 403);
    // Elsewhere: nothing.
    assert_eq!(app.get_json(&path, Some(&neighbour)).await.0, 404);

    // The case page shows the pseudonym and no name, NIK or birth date.
    let b = Browser::new(&app);
    b.login("move-officer", "a-long-password").await;
    let (s, html) = b.get(&format!("/cases/{case}")).await;
    assert_eq!(s, 200);
    assert!(html.contains(&seen[0]) && html.contains("id=\"case-pseudonym\""), "{html}");
    for secret in ["Maria", "5307015205900001", "1990-05-12", &format!("/persons/{maria}")] {
        assert!(!html.contains(secret), "{secret} on the pseudonymised page");
    }
    let (_, html) = b.get("/cases").await;
    assert!(html.contains(&format!("/cases/{case}")));
    // The person's own page (she still lives in the village) does not link her to the case.
    let (s, html) = b.get(&format!("/persons/{maria}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Maria") && !html.contains(&format!("/cases/{case}")), "{html}");
}
