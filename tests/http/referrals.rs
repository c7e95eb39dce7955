//! Protection cases, second part: handler and due date, the partner registry, referrals worked
//! by partner users (isolation: a partner sees only what was referred to it), notes,
//! attachments kept outside the database, the trafficking assessment, and the restriction
//! matrix of roles × case types.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().map_or(vec![], |a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
}

async fn person(app: &TestApp, nik: &str) -> i64 {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": nik, "full_name": "Maria Goreti", "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

async fn step(app: &TestApp, token: &str, case: i64, to: &str) -> (u16, Value) {
    app.post_json(&format!("/api/v1/cases/{case}/transitions"), Some(token), &json!({"to": to, "reason": "checked"}))
        .await
}

async fn partner_id(app: &TestApp, name: &str) -> i64 {
    let (s, list) = app.get_json("/api/v1/partners", Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    list["items"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name}: {list}"))["id"]
        .as_i64()
        .unwrap()
}

/// A partner user bound to `partner`; returns (user id, token).
async fn partner_user(app: &TestApp, username: &str, partner: i64) -> (i64, String) {
    app.partner_account(username, Some(partner)).await
}

async fn audit_actions(app: &TestApp, case: i64) -> Vec<String> {
    let (_, log) = app.get_json(&format!("/api/v1/audit?entity=case&entity_id={case}"), Some(&app.admin_token)).await;
    log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn handler_and_due_date() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let head_id = app.create_user("kades", "village_head", Some(HOME)).await;
    let head = app.token("kades", "a-long-password").await;
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let elsewhere = app.create_user("jauh", "village_officer", Some("53.07.02.2001")).await;
    let iom = partner_id(&app, "IOM Indonesia").await;
    let (partner, _) = partner_user(&app, "iom.user", iom).await;
    let id = app.open_case(&officer, "unpaid_wages", None).await;
    let path = format!("/api/v1/cases/{id}");

    // A due date in the past is refused, naming the field and the rule; nothing changes.
    let (s, body) = app.patch_json(&path, &officer, &json!({"due_on": "2020-01-01"})).await;
    assert_eq!((s, fields(&body)), (422, vec!["due_on".to_string()]), "{body}");
    assert_eq!(body["errors"][0]["rule"], "out_of_range");
    assert!(body["errors"][0]["detail"].as_str().unwrap().contains("in the past"));
    let (s, body) = app.patch_json(&path, &officer, &json!({"due_on": "next week"})).await;
    assert_eq!((s, fields(&body)), (422, vec!["due_on".to_string()]));
    let (s, c) = app.patch_json(&path, &officer, &json!({"due_on": "2999-12-31"})).await;
    assert_eq!((s, &c["due_on"]), (200, &json!("2999-12-31")), "{c}");

    // A colleague may open the case but not reassign it; the supervisor may.
    let (s, _) = app.patch_json(&path, &head, &json!({"handler_user_id": head_id})).await;
    assert_eq!(s, 403);
    for bad in [partner, elsewhere, 999_999] {
        let (s, body) = app.patch_json(&path, &regency, &json!({"handler_user_id": bad})).await;
        assert_eq!((s, fields(&body)), (422, vec!["handler_user_id".to_string()]), "{bad}: {body}");
    }
    let (s, c) = app.patch_json(&path, &regency, &json!({"handler_user_id": head_id})).await;
    assert_eq!((s, &c["handler_user_id"]), (200, &json!(head_id)));
    // The former handler is now a colleague: may no longer reassign.
    let (s, _) = app.patch_json(&path, &officer, &json!({"due_on": "2999-12-30"})).await;
    assert_eq!(s, 403);
    assert!(audit_actions(&app, id).await.iter().filter(|a| *a == "case.assign").count() == 2);

    // Overdue cases stand out on my list, the worklist and the supervisor's filtered list.
    sqlx_due(&app, id, "2020-01-01").await;
    let on_time = app.open_case(&head, "missing_contact", None).await;
    let (_, mine) = app.get_json("/api/v1/cases?mine=true&overdue=true", Some(&head)).await;
    let ids: Vec<i64> = mine["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [id], "{mine}");
    assert_eq!(mine["items"][0]["overdue"], true);
    let (_, all) = app.get_json("/api/v1/cases?overdue=1", Some(&regency)).await;
    let ids: Vec<i64> = all["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [id]);
    let (_, all) = app.get_json("/api/v1/cases?type=missing_contact", Some(&regency)).await;
    assert_eq!(all["items"][0]["id"], on_time);
    let (s, body) = app.get_json("/api/v1/cases?type=bad_luck", Some(&regency)).await;
    assert_eq!((s, fields(&body)), (422, vec!["type".to_string()]));

    let b = Browser::new(&app);
    b.login("kades", "a-long-password").await;
    let (_, work) = b.get("/worklist").await;
    assert!(work.contains("id=\"overdue-cases\"") && work.contains(&format!("/cases/{id}")), "worklist lists it");
    let (_, list) = b.get("/cases?overdue=1").await;
    assert!(list.contains("class=\"overdue\"") && !list.contains(&format!("/cases/{on_time}\"")));
}

/// Sets a stored due date directly (the API refuses past dates, but time passes).
async fn sqlx_due(app: &TestApp, case: i64, due: &str) {
    let sql = format!("UPDATE cases SET due_on = '{due}' WHERE id = {case}");
    match &app.db {
        store::Db::Sqlite(p, _) => {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await.unwrap();
        }
        store::Db::Postgres(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await.unwrap();
        }
    }
}

#[tokio::test]
async fn the_partner_registry() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, list) = app.get_json("/api/v1/partners", Some(&officer)).await;
    assert_eq!(s, 200, "every account reads the registry");
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    for seeded in ["IOM Indonesia", "BP3MI Nusa Tenggara Timur", "Kementerian Sosial RI"] {
        assert!(names.contains(&seeded), "{seeded} seeded: {names:?}");
    }
    let safe_house = json!({"name": "Rumah Aman Kupang", "partner_type": "safe_house", "region_code": "53",
        "services": [], "contact_name": "Sr. Maria", "phone": "+62 380 000000"});
    let (s, _) = app.post_json("/api/v1/partners", Some(&officer), &safe_house).await;
    assert_eq!(s, 403);
    let (s, p) = app.post_json("/api/v1/partners", Some(&app.admin_token), &safe_house).await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["services"], json!(["shelter"]), "the type's defaults");
    let (s, body) = app.post_json("/api/v1/partners", Some(&app.admin_token), &safe_house).await;
    assert_eq!((s, fields(&body)), (422, vec!["name".to_string()]), "names are unique");
    let bad = json!({"name": "X", "partner_type": "church", "region_code": "99.99", "services": ["prayer"],
        "email": "nope", "website": "ftp://x"});
    let (s, body) = app.post_json("/api/v1/partners", Some(&app.admin_token), &bad).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&body), ["name", "partner_type", "region_code", "services", "email", "website"]);
    let id = p["id"].as_i64().unwrap();
    let mut edit = safe_house.clone();
    edit["services"] = json!(["shelter", "medical_care"]);
    edit["active"] = json!(false);
    let (s, p) = app.put_json(&format!("/api/v1/partners/{id}"), &app.admin_token, &edit).await;
    assert_eq!((s, &p["services"], &p["active"]), (200, &json!(["shelter", "medical_care"]), &json!(false)), "{p}");

    // Only partner accounts belong to an organisation.
    let (s, body) = app
        .post_json(
            "/api/v1/users",
            Some(&app.admin_token),
            &json!({"username": "x.officer", "password": "a-long-password", "full_name": "X", "role": "village_officer",
                    "region_code": HOME, "partner_id": id}),
        )
        .await;
    assert_eq!((s, fields(&body)), (422, vec!["partner_id".to_string()]));
    let (uid, token) = partner_user(&app, "rumah.aman", id).await;
    let (_, me) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(me["partner_id"], id);
    // Rebinding ends the account's tokens: a token acts for one organisation only.
    let iom = partner_id(&app, "IOM Indonesia").await;
    let (s, _) = app.patch_json(&format!("/api/v1/users/{uid}"), &app.admin_token, &json!({"partner_id": iom})).await;
    assert_eq!(s, 200);
    let (s, _) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(s, 401);

    // Admin pages.
    let b = Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (s, page) = b.get("/admin/partners").await;
    assert_eq!(s, 200);
    assert!(page.contains("IOM Indonesia") && page.contains("Rumah Aman Kupang"));
    let csrf = csrf_of(&page);
    let r = b
        .post_form(
            "/admin/partners",
            &[
                ("_csrf", &csrf),
                ("name", "LBH APIK NTT"),
                ("partner_type", "legal_aid"),
                ("region_code", "53"),
                ("services", "legal_aid"),
                ("services", "reintegration"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, list) = app.get_json("/api/v1/partners", Some(&officer)).await;
    let lbh = list["items"].as_array().unwrap().iter().find(|p| p["name"] == "LBH APIK NTT").unwrap().clone();
    assert_eq!(lbh["services"], json!(["legal_aid", "reintegration"]));
    let (s, page) = b.get(&format!("/admin/users/{uid}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("id=\"user-partner\""));
    let officer_browser = Browser::new(&app);
    officer_browser.login("petugas", "a-long-password").await;
    assert_eq!(officer_browser.get("/admin/partners").await.0, 403);
}

#[tokio::test]
async fn referrals_the_partner_does_not_serve_are_refused_whole() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let java = app.user_token("jatim", "village_officer", Some("35.12.01.2001")).await;
    let id = app.open_case(&officer, "trafficking_suspicion", None).await;
    step(&app, &officer, id, "assessed").await;
    let refer = |token: String, case: i64, body: Value| {
        let app = &app;
        async move { app.post_json(&format!("/api/v1/cases/{case}/referrals"), Some(&token), &body).await }
    };
    let lpsk = partner_id(&app, "Lembaga Perlindungan Saksi dan Korban (LPSK)").await;
    let (s, body) = refer(officer.clone(), id, json!({"partner_id": lpsk, "services": ["shelter", "legal_aid"]})).await;
    assert_eq!((s, fields(&body)), (422, vec!["services".to_string()]), "{body}");
    let detail = body["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("LPSK") && detail.contains("does not offer shelter"), "{detail}");
    let (s, body) = refer(officer.clone(), id, json!({"partner_id": 999_999, "services": ["shelter"]})).await;
    assert_eq!((s, fields(&body)), (422, vec!["partner_id".to_string()]));
    let (s, body) = refer(officer.clone(), id, json!({"partner_id": lpsk, "services": []})).await;
    assert_eq!((s, fields(&body)), (422, vec!["services".to_string()]));
    let (s, body) = refer(officer.clone(), id, json!({"partner_id": lpsk, "services": ["teleportation"]})).await;
    assert_eq!((s, fields(&body)), (422, vec!["services".to_string()]));
    // A provincial partner does not serve a case in another province.
    let java_case = {
        let (s, c) = app
            .post_json(
                "/api/v1/cases",
                Some(&java),
                &json!({"type": "unpaid_wages", "severity": "low", "description": "Wages unpaid in Malaysia",
                        "village_code": "35.12.01.2001"}),
            )
            .await;
        assert_eq!(s, 201);
        c["id"].as_i64().unwrap()
    };
    let bp3mi_ntt = partner_id(&app, "BP3MI Nusa Tenggara Timur").await;
    let (s, body) =
        refer(java.clone(), java_case, json!({"partner_id": bp3mi_ntt, "services": ["repatriation"]})).await;
    assert_eq!((s, fields(&body)), (422, vec!["partner_id".to_string()]), "{body}");
    assert!(body["errors"][0]["detail"].as_str().unwrap().contains("serves region 53 only"));
    // Nothing half-done: no referral, no step, no audit entry.
    let (_, c) = app.get_json(&format!("/api/v1/cases/{id}"), Some(&officer)).await;
    assert_eq!((c["referrals"].as_array().unwrap().len(), &c["status"]), (0, &json!("assessed")));
    assert!(!audit_actions(&app, id).await.contains(&"case.refer".to_string()));
    // `referred` still needs an active referral.
    let (s, body) = step(&app, &officer, id, "referred").await;
    assert_eq!((s, fields(&body)), (422, vec!["to".to_string()]));
    // A colleague who may not open the restricted case cannot refer it either.
    let head = app.user_token("kades", "village_head", Some(HOME)).await;
    let iom = partner_id(&app, "IOM Indonesia").await;
    let (s, _) = refer(head, id, json!({"partner_id": iom, "services": ["shelter"]})).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn partners_work_their_referrals_and_see_nothing_else() {
    let app = TestApp::spawn().await;
    let maria = person(&app, "5307015205900001").await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let iom = partner_id(&app, "IOM Indonesia").await;
    let kemensos = partner_id(&app, "Kementerian Sosial RI").await;
    let (_, iom_user) = partner_user(&app, "iom.kupang", iom).await;
    let (_, sos_user) = partner_user(&app, "kemensos", kemensos).await;
    // A partner account not yet bound to any organisation.
    let unbound = app.user_token("mitra.baru", "partner", Some("53")).await;
    let tppo = app.open_case(&officer, "trafficking_suspicion", Some(maria)).await;
    let other = app.open_case(&officer, "unpaid_wages", Some(maria)).await;
    let (s, _) = step(&app, &officer, tppo, "assessed").await;
    assert_eq!(s, 200);

    // Before any referral, no partner opens either case.
    let (_, missing) = app.get_json("/api/v1/cases/999999", Some(&iom_user)).await;
    for token in [&iom_user, &sos_user, &unbound] {
        for case in [tppo, other] {
            let (s, body) = app.get_json(&format!("/api/v1/cases/{case}"), Some(token)).await;
            assert_eq!((s, &body), (404, &missing), "case {case}");
        }
    }

    let (s, c) = app
        .post_json(
            &format!("/api/v1/cases/{tppo}/referrals"),
            Some(&officer),
            &json!({"partner_id": iom, "services": ["shelter", "legal_aid"], "note": "Returned via Kupang port"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["status"], "referred", "an assessed case is referred with its first referral");
    let referral = c["referrals"][0]["id"].as_i64().unwrap();
    assert_eq!(c["referrals"][0]["status"], "sent");

    // IOM sees exactly this case, in the list and by id; the other partner and other cases: 404.
    let (_, list) = app.get_json("/api/v1/cases", Some(&iom_user)).await;
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!((ids, &list["restricted_not_shown"]), (vec![tppo], &json!(0)));
    let (s, c) = app.get_json(&format!("/api/v1/cases/{tppo}"), Some(&iom_user)).await;
    assert_eq!(s, 200);
    assert!(c["earlier_cases"].as_array().unwrap().is_empty() && c["earlier_cases_restricted"] == 0, "{c}");
    let (s, body) = app.get_json(&format!("/api/v1/cases/{other}"), Some(&iom_user)).await;
    assert_eq!((s, &body), (404, &missing), "the same person's other case is not referred");
    let (s, body) = app.get_json(&format!("/api/v1/cases/{tppo}"), Some(&sos_user)).await;
    assert_eq!((s, &body), (404, &missing), "a partner of another organisation");
    let (_, list) = app.get_json("/api/v1/cases", Some(&sos_user)).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let (s, _) = app.get_json(&format!("/api/v1/persons/{maria}"), Some(&iom_user)).await;
    assert_eq!(s, 404, "partners do not browse people");
    let (_, mine) = app.get_json("/api/v1/partner/referrals", Some(&iom_user)).await;
    assert_eq!((mine["partner_id"].as_i64(), mine["items"][0]["case_id"].as_i64()), (Some(iom), Some(tppo)));
    let (s, _) = app.get_json("/api/v1/partner/referrals", Some(&officer)).await;
    assert_eq!(s, 403);

    // Partners work only through their referral; the other organisation cannot touch it.
    let (s, _) = step(&app, &iom_user, tppo, "in_progress").await;
    assert_eq!(s, 403);
    let (s, _) = app.post_json(&format!("/api/v1/referrals/{referral}/accept"), Some(&sos_user), &json!({})).await;
    assert_eq!(s, 404);
    let (s, _) = app.post_json(&format!("/api/v1/referrals/{referral}/accept"), Some(&officer), &json!({})).await;
    assert_eq!(s, 403, "staff do not accept for the partner");
    let (s, body) = app
        .post_json(
            &format!("/api/v1/referrals/{referral}/services"),
            Some(&iom_user),
            &json!({"services": ["shelter"]}),
        )
        .await;
    assert_eq!((s, fields(&body)), (422, vec!["status".to_string()]), "accept first: {body}");

    let (s, c) = app.post_json(&format!("/api/v1/referrals/{referral}/accept"), Some(&iom_user), &json!({})).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!((&c["status"], &c["referrals"][0]["status"]), (&json!("in_progress"), &json!("accepted")));
    let (s, body) = app
        .post_json(
            &format!("/api/v1/referrals/{referral}/services"),
            Some(&iom_user),
            &json!({"services": ["witness_protection"]}),
        )
        .await;
    assert_eq!((s, fields(&body)), (422, vec!["services".to_string()]), "IOM does not offer it");
    let (s, c) = app
        .post_json(
            &format!("/api/v1/referrals/{referral}/services"),
            Some(&iom_user),
            &json!({"services": ["shelter", "legal_aid"], "note": "Shelter in Kupang, lawyer assigned"}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let given: Vec<&str> = c["referrals"][0]["services_given"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["service"].as_str().unwrap())
        .collect();
    assert_eq!(given, ["shelter", "legal_aid"]);
    let (s, c) = app
        .post_json(
            &format!("/api/v1/cases/{tppo}/notes"),
            Some(&iom_user),
            &json!({"body": "Victim stable, statement taken"}),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(c["notes"][0]["partner"], "IOM Indonesia");
    let (s, body) =
        app.post_json(&format!("/api/v1/cases/{tppo}/notes"), Some(&iom_user), &json!({"body": "  "})).await;
    assert_eq!((s, fields(&body)), (422, vec!["body".to_string()]));
    let (s, c) = app
        .post_json(&format!("/api/v1/referrals/{referral}/close"), Some(&iom_user), &json!({"reason": "Returned home"}))
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!((&c["status"], &c["referrals"][0]["status"]), (&json!("resolved"), &json!("closed")));
    let (_, c) = app.get_json(&format!("/api/v1/cases/{tppo}"), Some(&officer)).await;
    assert_eq!(c["status"], "resolved", "the officer sees the case resolved");
    let timeline: Vec<&str> =
        c["events"].as_array().unwrap().iter().map(|e| e["to_status"].as_str().unwrap()).collect();
    assert_eq!(timeline, ["new", "assessed", "referred", "in_progress", "resolved"]);
    // A closed referral still lets the partner read the case it worked on.
    assert_eq!(app.get_json(&format!("/api/v1/cases/{tppo}"), Some(&iom_user)).await.0, 200);

    // A decline ends the partner's access and, with no referral left, takes the case back.
    let (s, _) = step(&app, &officer, other, "assessed").await;
    assert_eq!(s, 200);
    let (_, c) = app
        .post_json(
            &format!("/api/v1/cases/{other}/referrals"),
            Some(&officer),
            &json!({"partner_id": kemensos, "services": ["repatriation"]}),
        )
        .await;
    let declined = c["referrals"][0]["id"].as_i64().unwrap();
    assert_eq!(app.get_json(&format!("/api/v1/cases/{other}"), Some(&sos_user)).await.0, 200);
    let (s, body) = app.post_json(&format!("/api/v1/referrals/{declined}/decline"), Some(&sos_user), &json!({})).await;
    assert_eq!((s, fields(&body)), (422, vec!["reason".to_string()]));
    let (s, body) = app
        .post_json(
            &format!("/api/v1/referrals/{declined}/decline"),
            Some(&sos_user),
            &json!({"reason": "Not in our mandate"}),
        )
        .await;
    assert_eq!((s, &body["status"]), (200, &json!("declined")), "{body}");
    assert_eq!(app.get_json(&format!("/api/v1/cases/{other}"), Some(&sos_user)).await.0, 404);
    let (_, c) = app.get_json(&format!("/api/v1/cases/{other}"), Some(&officer)).await;
    assert_eq!(c["status"], "assessed");

    // Every partner view is audited like any other.
    let views = audit_actions(&app, tppo).await.iter().filter(|a| *a == "case.view").count();
    assert!(views >= 3, "{views}");
}

#[tokio::test]
async fn restriction_matrix_roles_by_case_types() {
    let app = TestApp::spawn().await;
    let handler = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let iom = partner_id(&app, "IOM Indonesia").await;
    let (_, partner) = partner_user(&app, "iom.user", iom).await;
    let viewers = [
        ("colleague", app.user_token("rekan", "village_officer", Some(HOME)).await),
        ("village_head", app.user_token("kades", "village_head", Some(HOME)).await),
        ("facilitator", app.user_token("pendamping", "facilitator", Some(HOME)).await),
        ("regency", app.user_token("disnaker", "regency_officer", Some("53.07")).await),
        ("province", app.user_token("provinsi", "province_officer", Some("53")).await),
        ("other_province", app.user_token("jatim", "province_officer", Some("35")).await),
        ("analyst", app.user_token("analis", "national_analyst", None).await),
        ("admin", app.admin_token.clone()),
        ("partner", partner),
    ];
    for kind in ["unpaid_wages", "missing_contact", "unprocedural_departure", "abuse", "trafficking_suspicion"] {
        let id = app.open_case(&handler, kind, None).await;
        let restricted = matches!(kind, "abuse" | "trafficking_suspicion");
        for (who, token) in &viewers {
            let expected = match *who {
                "partner" | "other_province" => false,
                "regency" | "province" | "admin" => true,
                _ => !restricted,
            };
            let (s, _) = app.get_json(&format!("/api/v1/cases/{id}"), Some(token)).await;
            assert_eq!(s, if expected { 200 } else { 404 }, "{who} on {kind}");
        }
        assert_eq!(app.get_json(&format!("/api/v1/cases/{id}"), Some(&handler)).await.0, 200, "handler on {kind}");
    }
}

fn multipart(name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()))
}

#[tokio::test]
async fn attachments_are_checked_stored_outside_and_downloaded_safely() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().to_path_buf();
    let app = TestApp::spawn_with(|c| c.attachments_dir = files.clone()).await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let colleague = app.user_token("rekan", "village_officer", Some(HOME)).await;
    let id = app.open_case(&officer, "abuse", None).await;
    let url = app.url(&format!("/api/v1/cases/{id}/attachments"));
    let upload = |token: String, form: reqwest::multipart::Form| {
        let (client, url) = (app.client.clone(), url.clone());
        async move {
            let r = client.post(url).bearer_auth(token).multipart(form).send().await.unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF".to_vec();
    let (s, c) = upload(officer.clone(), multipart("visum.pdf", pdf.clone())).await;
    assert_eq!(s, 201, "{c}");
    let a = &c["attachments"][0];
    assert_eq!((&a["file_name"], &a["content_type"]), (&json!("visum.pdf"), &json!("application/pdf")));
    // Stored outside the database, under its content hash.
    let stored: Vec<std::path::PathBuf> = std::fs::read_dir(&files)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .collect();
    assert_eq!(stored.len(), 1, "{stored:?}");
    let name = stored[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()), "named by its SHA-256: {name}");
    assert_eq!(std::fs::read(&stored[0]).unwrap(), pdf);

    // A disguised executable, an HTML page and an oversized file are refused, naming the field.
    let (s, body) = upload(officer.clone(), multipart("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00PE".to_vec())).await;
    assert_eq!((s, fields(&body)), (422, vec!["file".to_string()]), "{body}");
    assert!(body["errors"][0]["detail"].as_str().unwrap().contains("PDF, JPEG and PNG"));
    let (s, _) = upload(officer.clone(), multipart("x.png", b"<html><script>alert(1)</script>".to_vec())).await;
    assert_eq!(s, 422);
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(domain::cases::attachment::MAX_BYTES + 1, b' ');
    let (s, body) = upload(officer.clone(), multipart("big.pdf", big)).await;
    assert_eq!((s, fields(&body)), (422, vec!["file".to_string()]), "{body}");
    assert_eq!(body["errors"][0]["rule"], "too_long");
    let (_, c) = app.get_json(&format!("/api/v1/cases/{id}"), Some(&officer)).await;
    assert_eq!(c["attachments"].as_array().unwrap().len(), 1, "nothing half-done");

    // Download: as an attachment, never sniffed, only to those who may open the case, audited.
    let download = c["attachments"][0]["download"].as_str().unwrap().to_string();
    let r = app.client.get(app.url(&download)).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"visum.pdf\"");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    // The download's own policy survives the site-wide header (issue 14).
    assert_eq!(r.headers()["content-security-policy"], "default-src 'none'; sandbox");
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let r = app.client.get(app.url(&download)).bearer_auth(&colleague).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404, "a colleague may not open the abuse case");
    let (s, _) = upload(colleague.clone(), multipart("a.pdf", pdf.clone())).await;
    assert_eq!(s, 404);
    let log = audit_actions(&app, id).await;
    assert_eq!(log.iter().filter(|a| *a == "case.attachment_download").count(), 1);
    assert_eq!(log.iter().filter(|a| *a == "case.attach").count(), 1);

    // The page form uploads too, and refuses the same disguised file.
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, page) = b.get(&format!("/cases/{id}")).await;
    let csrf = csrf_of(&page);
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(b"MZ\x90\x00".to_vec()).file_name("scan.pdf"));
    let r = b.client.post(format!("{}/cases/{id}/attachments", b.base)).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let form = reqwest::multipart::Form::new().text("_csrf", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]).file_name("foto"),
    );
    let r = b.client.post(format!("{}/cases/{id}/attachments", b.base)).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = b.get(&format!("/cases/{id}")).await;
    assert!(page.contains("foto.png"));
}

#[tokio::test]
async fn trafficking_assessment_and_earlier_cases() {
    let app = TestApp::spawn().await;
    let maria = person(&app, "5307015205900001").await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let first = app.open_case(&officer, "trafficking_suspicion", Some(maria)).await;
    let wages = app.open_case(&officer, "unpaid_wages", Some(maria)).await;
    let again = app.open_case(&officer, "trafficking_suspicion", Some(maria)).await;
    let path = format!("/api/v1/cases/{again}/trafficking");
    let adult = json!({"process": ["recruitment", "transport"], "means": [], "purpose": ["forced_labour"],
        "form": "online_scam_compound", "victim_age_at_time": "24", "screening_result": "potential_victim",
        "services_needed": ["shelter", "legal_aid"], "reintegration_plan": "Back to the family in Paga"});
    let (s, c) = app.put_json(&path, &officer, &adult).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(
        (&c["trafficking"]["missing_elements"], &c["trafficking"]["elements_met"]),
        (&json!(["means"]), &json!(false))
    );
    // victim_identified needs every element; a child victim needs no means.
    let mut identified = adult.clone();
    identified["screening_result"] = json!("victim_identified");
    let (s, body) = app.put_json(&path, &officer, &identified).await;
    assert_eq!((s, fields(&body)), (422, vec!["screening_result".to_string()]));
    identified["victim_age_at_time"] = json!("16");
    let (s, c) = app.put_json(&path, &officer, &identified).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!((&c["trafficking"]["child_victim"], &c["trafficking"]["elements_met"]), (&json!(true), &json!(true)));
    let (s, body) = app
        .put_json(
            &path,
            &officer,
            &json!({"process": ["teleport"], "form": "", "victim_age_at_time": "200", "services_needed": ["x"]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&body), ["process", "form", "victim_age_at_time", "services_needed"]);
    let (s, body) = app.put_json(&format!("/api/v1/cases/{wages}/trafficking"), &officer, &adult).await;
    assert_eq!((s, fields(&body)), (422, vec!["type".to_string()]));

    // Re-victimisation: the earlier cases of the same person; restricted ones counted for
    // supervisors only (who open them anyway), never for a village head.
    let (_, c) = app.get_json(&format!("/api/v1/cases/{again}"), Some(&officer)).await;
    let earlier: Vec<i64> = c["earlier_cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(earlier, [wages, first]);
    let head = app.user_token("kades", "village_head", Some(HOME)).await;
    let (_, c) = app.get_json(&format!("/api/v1/cases/{wages}"), Some(&head)).await;
    let earlier: Vec<i64> = c["earlier_cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!((earlier, &c["earlier_cases_restricted"]), (vec![], &json!(0)));

    // The person's page lists the cases the viewer may open, and does not count the rest.
    let b = Browser::new(&app);
    b.login("kades", "a-long-password").await;
    let (s, page) = b.get(&format!("/persons/{maria}")).await;
    assert_eq!(s, 200);
    assert!(page.contains(&format!("href=\"/cases/{wages}\"")) && !page.contains(&format!("href=\"/cases/{again}\"")));
    assert!(!page.contains("id=\"person-cases-restricted\""));
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, page) = b.get(&format!("/cases/{again}")).await;
    assert!(page.contains("id=\"earlier-cases\"") && page.contains("id=\"trafficking\""));
    let csrf = csrf_of(&page);
    // A refused assessment (an age no victim has) comes back with every tick as it was typed.
    let r = b
        .post_form(
            &format!("/cases/{again}/trafficking"),
            &[
                ("_csrf", &csrf),
                ("process", "transfer"),
                ("means", "debt_bondage"),
                ("victim_age_at_time", "300"),
                ("screening_result", "victim_identified"),
                ("reintegration_plan", "Pelatihan menjahit di desa"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let again_page = r.text().await.unwrap();
    assert!(again_page.contains(r#"name="process" value="transfer" checked"#), "process kept");
    assert!(again_page.contains(r#"name="means" value="debt_bondage" checked"#), "means kept");
    assert!(!again_page.contains(r#"name="means" value="deception" checked"#));
    assert!(again_page.contains("Pelatihan menjahit di desa"), "plan kept");
    let r = b
        .post_form(
            &format!("/cases/{again}/trafficking"),
            &[
                ("_csrf", &csrf),
                ("process", "recruitment"),
                ("means", "deception"),
                ("means", "debt_bondage"),
                ("purpose", "forced_labour"),
                ("form", "migrant_or_domestic_work"),
                ("victim_age_at_time", "30"),
                ("screening_result", "victim_identified"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, c) = app.get_json(&format!("/api/v1/cases/{again}"), Some(&officer)).await;
    assert_eq!(c["trafficking"]["means"], json!(["deception", "debt_bondage"]));
}

#[tokio::test]
async fn a_partner_user_works_a_referral_in_the_pages() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let iom = partner_id(&app, "IOM Indonesia").await;
    partner_user(&app, "iom.user", iom).await;
    let hidden = app.open_case(&officer, "abuse", None).await;
    let id = app.open_case(&officer, "trafficking_suspicion", None).await;
    step(&app, &officer, id, "assessed").await;
    // The officer refers through the page form.
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, page) = b.get(&format!("/cases/{id}")).await;
    assert!(page.contains("id=\"new-referral\""));
    let csrf = csrf_of(&page);
    let iom_s = iom.to_string();
    let r = b
        .post_form(
            &format!("/cases/{id}/referrals"),
            &[
                ("_csrf", &csrf),
                ("partner_id", &iom_s),
                ("services", "witness_protection"),
                ("note", "Korban perlu pendampingan segera"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422, "IOM does not offer witness protection");
    // The refused form comes back as typed: the partner, the ticked service, the note.
    let again = r.text().await.unwrap();
    assert!(again.contains(&format!(r#"<option value="{iom}" selected>"#)), "partner kept");
    assert!(again.contains(r#"name="services" value="witness_protection" checked"#), "service kept");
    assert!(again.contains(r#"value="Korban perlu pendampingan segera""#), "note kept");
    let r = b
        .post_form(
            &format!("/cases/{id}/referrals"),
            &[("_csrf", &csrf), ("partner_id", &iom_s), ("services", "shelter"), ("services", "legal_aid")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);

    let p = Browser::new(&app);
    p.login("iom.user", "a-long-password").await;
    let (s, list) = p.get("/cases").await;
    assert_eq!(s, 200);
    assert!(list.contains(&format!("href=\"/cases/{id}\"")) && !list.contains(&format!("href=\"/cases/{hidden}\"")));
    assert_eq!(p.get(&format!("/cases/{hidden}")).await.0, 404);
    let (s, page) = p.get(&format!("/cases/{id}")).await;
    assert_eq!(s, 200);
    assert!(!page.contains("id=\"case-step\"") && !page.contains("id=\"new-referral\""), "no staff forms for partners");
    let referral = {
        let (_, c) = app.get_json(&format!("/api/v1/cases/{id}"), Some(&officer)).await;
        c["referrals"][0]["id"].as_i64().unwrap()
    };
    let csrf = csrf_of(&page);
    let base = format!("/cases/{id}/referrals/{referral}");
    assert_eq!(p.post_form(&format!("{base}/accept"), &[("_csrf", &csrf)]).await.status().as_u16(), 303);
    let r = p
        .post_form(&format!("{base}/services"), &[("_csrf", &csrf), ("services", "shelter"), ("services", "legal_aid")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(p.post_form(&format!("{base}/close"), &[("_csrf", &csrf)]).await.status().as_u16(), 303);
    let (_, page) = b.get(&format!("/cases/{id}")).await;
    assert!(page.contains("id=\"case-status\">Selesai"), "the officer sees the case resolved");
}
