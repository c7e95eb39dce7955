//! Privacy rules (issue 14, docs/ACCESS.md "Privacy rules"): one test per leak found against
//! the old code, and reads by role in and out of scope. The pure rules are unit-tested in
//! `domain::privacy`.

use crate::common::{Browser, TestApp};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OTHER_REGENCY: &str = "53.10.01.2001";

async fn person(app: &TestApp, serial: u32, village: &str) -> i64 {
    let nik = format!("5307015205900{serial:03}");
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": nik, "kk_number": "5307010101100002", "full_name": format!("Maria Goreti {serial}"), "sex": "P",
                    "birth_date": "1990-05-12", "village_code": village, "phone": "081234567890"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

/// Two national partners (id, one service each offers), IOM first.
async fn two_partners(app: &TestApp) -> [(i64, String); 2] {
    let (s, list) = app.get_json("/api/v1/partners", Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{list}");
    let national: Vec<(i64, String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["region_code"].is_null() && p["active"] != false)
        .filter_map(|p| {
            let service = p["services"].as_array()?.first()?.as_str()?.to_string();
            Some((p["id"].as_i64()?, p["name"].as_str()?.to_string(), service))
        })
        .collect();
    let iom = national.iter().find(|p| p.1 == "IOM Indonesia").expect("IOM is national").clone();
    let other = national.iter().find(|p| p.0 != iom.0).expect("a second national partner").clone();
    [(iom.0, iom.2), (other.0, other.2)]
}

async fn partner_user(app: &TestApp, username: &str, partner: Option<i64>) -> String {
    app.partner_account(username, partner).await.1
}

#[tokio::test]
async fn a_partner_reads_only_its_own_referral_of_a_case() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let id = app.open_case(&officer, "trafficking_suspicion", None).await;
    let (s, _) =
        app.post_json(&format!("/api/v1/cases/{id}/transitions"), Some(&officer), &json!({"to": "assessed"})).await;
    assert_eq!(s, 200);
    let [(iom, iom_service), (other, other_service)] = two_partners(&app).await;
    for (p, service, note) in [(iom, &iom_service, "for IOM"), (other, &other_service, "secret note for the other")] {
        let (s, b) = app
            .post_json(
                &format!("/api/v1/cases/{id}/referrals"),
                Some(&officer),
                &json!({"partner_id": p, "services": [service], "note": note}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let iom_user = partner_user(&app, "iom.user", Some(iom)).await;
    let (s, case) = app.get_json(&format!("/api/v1/cases/{id}"), Some(&iom_user)).await;
    assert_eq!(s, 200, "{case}");
    let referrals = case["referrals"].as_array().unwrap();
    assert_eq!(referrals.len(), 1, "only IOM's own referral: {case}");
    assert_eq!(referrals[0]["partner_id"], iom);
    assert!(!case.to_string().contains("secret note for the other"));
    // Staff who work the case see both.
    let (_, case) = app.get_json(&format!("/api/v1/cases/{id}"), Some(&officer)).await;
    assert_eq!(case["referrals"].as_array().unwrap().len(), 2);
    // Case notes: the other partner's note and the case worker's internal note are not IOM's
    // to read; IOM's own note is.
    let other_user = partner_user(&app, "other.user", Some(other)).await;
    for (token, body) in [
        (&other_user, "note by the other partner"),
        (&officer, "internal note by the officer"),
        (&iom_user, "note by IOM itself"),
    ] {
        let (s, b) = app.post_json(&format!("/api/v1/cases/{id}/notes"), Some(token), &json!({"body": body})).await;
        assert_eq!(s, 201, "{body}: {b}");
    }
    let (_, case) = app.get_json(&format!("/api/v1/cases/{id}"), Some(&iom_user)).await;
    let text = case.to_string();
    assert!(text.contains("note by IOM itself"), "{case}");
    assert!(!text.contains("note by the other partner") && !text.contains("internal note by the officer"), "{case}");
    let (_, case) = app.get_json(&format!("/api/v1/cases/{id}"), Some(&officer)).await;
    assert_eq!(case["notes"].as_array().map(Vec::len), Some(3), "staff read every note: {case}");
    // The case page says the same.
    let b = Browser::new(&app);
    b.login("iom.user", "a-long-password").await;
    let (s, html) = b.get(&format!("/cases/{id}")).await;
    assert_eq!(s, 200);
    assert!(!html.contains("secret note for the other"));
    assert!(html.contains("note by IOM itself"));
    assert!(!html.contains("note by the other partner") && !html.contains("internal note by the officer"));
}

fn breakdown<'a>(body: &'a Value, key: &str) -> Option<&'a serde_json::Map<String, Value>> {
    body["breakdowns"][key].as_object()
}

fn indicator(body: &Value, key: &str) -> Value {
    body["indicators"].as_array().unwrap().iter().find(|i| i["key"] == key).unwrap()["value"].clone()
}

#[tokio::test]
async fn village_case_indicators_do_not_name_a_trafficking_case() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let manager = app.user_token("koperasi", "cooperative_manager", Some(HOME)).await;
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let partner = partner_user(&app, "mitra", None).await;
    app.open_case(&officer, "trafficking_suspicion", None).await;
    app.open_case(&officer, "unpaid_wages", None).await;
    let village = format!("/api/v1/indicators?region_code={HOME}");
    let district = "/api/v1/indicators?region_code=53.07.01";

    // Supervisors may open every case there: the whole breakdown.
    let (s, body) = app.get_json(&village, Some(&regency)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(breakdown(&body, "cases_opened").unwrap()["trafficking_suspicion"], 1);
    assert!(breakdown(&body, "cases_by_status").is_some());

    // Others: restricted types folded, no breakdown by status, totals kept.
    for token in [&manager, &officer] {
        let (s, body) = app.get_json(&village, Some(token)).await;
        assert_eq!(s, 200, "{body}");
        let by_type = breakdown(&body, "cases_opened").unwrap();
        assert!(!by_type.contains_key("trafficking_suspicion"), "{body}");
        assert_eq!((by_type["restricted"].clone(), by_type["unpaid_wages"].clone()), (json!(1), json!(1)));
        assert!(breakdown(&body, "cases_by_status").is_none(), "{body}");
        assert_eq!(indicator(&body, "cases_opened"), 2);
    }
    let analyst = app.user_token("analis", "national_analyst", None).await;
    let (_, body) = app.get_json(district, Some(&analyst)).await;
    assert!(!breakdown(&body, "cases_opened").unwrap().contains_key("trafficking_suspicion"), "{body}");

    // A partner without a referral: nothing about cases below the regency, figures at the regency.
    for path in [village.as_str(), district] {
        let (s, body) = app.get_json(path, Some(&partner)).await;
        assert_eq!(s, 200, "{body}");
        assert!(indicator(&body, "cases_opened").is_null(), "{path}: {body}");
        assert!(breakdown(&body, "cases_opened").is_none() && breakdown(&body, "cases_by_status").is_none());
    }
    let (_, body) = app.get_json("/api/v1/indicators?region_code=53.07", Some(&partner)).await;
    assert_eq!(indicator(&body, "cases_opened"), 2);

    // The dashboard page follows the same rule.
    let b = Browser::new(&app);
    b.login("koperasi", "a-long-password").await;
    let (s, html) = b.get(&format!("/monitoring/{HOME}")).await;
    assert_eq!(s, 200);
    assert!(!html.contains("Dugaan perdagangan orang"), "type named on the dashboard");
}

#[tokio::test]
async fn a_person_page_tells_a_cooperative_manager_name_and_savings_only() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let manager_id = app.create_user("koperasi", "cooperative_manager", Some(HOME)).await;
    let manager = app.token("koperasi", "a-long-password").await;
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let id = person(&app, 1, HOME).await;
    // A trafficking case opened by the regency officer (so the village officer may not open it).
    let (s, c) = app
        .post_json(
            "/api/v1/cases",
            Some(&regency),
            &json!({"type": "trafficking_suspicion", "severity": "high", "description": "Recruited by a broker",
                    "village_code": HOME, "person_id": id}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let case = c["id"].as_i64().unwrap();

    // The API: no identity numbers or contact for the cooperative manager, all for the officer.
    let (s, p) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&manager)).await;
    assert_eq!(s, 200);
    assert_eq!((p["nik"].clone(), p["kk_number"].clone(), p["phone"].clone()), (json!(""), Value::Null, json!("")));
    assert_eq!(p["full_name"], "Maria Goreti 1");
    let (_, p) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&officer)).await;
    assert_eq!(p["nik"], "5307015205900001");
    // No search by NIK for a role that does not see it.
    let (s, b) = app.get_json("/api/v1/persons?nik=5307015205900001", Some(&manager)).await;
    assert_eq!((s, b["errors"][0]["field"].clone()), (422, json!("nik")), "{b}");

    let b = Browser::new(&app);
    b.login("koperasi", "a-long-password").await;
    let (s, html) = b.get(&format!("/persons/{id}")).await;
    assert_eq!(s, 200);
    for leak in [
        "5307015205900001",
        "5307010101100002",
        "081234567890",
        "id=\"episodes\"",
        "person-cases-restricted",
        "terbatas lain",
    ] {
        assert!(!html.contains(leak), "the cooperative manager's page shows {leak}");
    }
    assert!(html.contains("Maria Goreti 1"));

    // A village officer (not a supervisor) is not told a restricted case exists for this person.
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, html) = b.get(&format!("/persons/{id}")).await;
    assert!(!html.contains("person-cases-restricted"), "count of restricted cases on a named person");
    // Officers see the NIK: masked until "tampilkan" (issue 17, tests/http/screens.rs).
    assert!(html.contains("5307••••••••0001") && html.contains(r#"data-reveal="nik""#), "officers see the NIK");
    // Nor may a one-row page of the case list say whether case N is restricted.
    let (_, list) = app.get_json(&format!("/api/v1/cases?limit=1&before={}", case + 1), Some(&officer)).await;
    assert_eq!(list["restricted_not_shown"], 0, "{list}");
    assert!(list["items"].as_array().unwrap().is_empty());

    // The handler list offers case workers only, and the API refuses a cooperative manager.
    let (s, body) =
        app.patch_json(&format!("/api/v1/cases/{case}"), &regency, &json!({"handler_user_id": manager_id})).await;
    assert_eq!((s, body["errors"][0]["field"].clone()), (422, json!("handler_user_id")), "{body}");
    let b = Browser::new(&app);
    b.login("disnaker", "a-long-password").await;
    let (s, html) = b.get(&format!("/cases/{case}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("User disnaker"), "the supervisor is offered");
    assert!(!html.contains("User koperasi"), "cooperative manager offered as handler");
}

#[tokio::test]
async fn open_statistics_are_regency_and_above_fixed_periods_and_complementary() {
    let app = TestApp::spawn().await;
    // 3 people in one regency, 20 in another of the same province.
    for serial in 1..=3 {
        person(&app, serial, HOME).await;
    }
    for serial in 4..=23 {
        person(&app, serial, OTHER_REGENCY).await;
    }
    let value = |b: &Value, k: &str| indicator(b, k);
    // A village or district is refused, naming the field.
    for code in [HOME, "53.07.01"] {
        let (s, b) = app.get_json(&format!("/api/v1/open/indicators?region_code={code}"), None).await;
        assert_eq!((s, b["errors"][0]["field"].clone()), (422, json!("region_code")), "{code}: {b}");
    }
    // Arbitrary ranges are refused; a month, a quarter and a year are not.
    let (s, b) = app.get_json("/api/v1/open/indicators?region_code=53&from=2016-01&to=2026-05", None).await;
    assert_eq!((s, b["errors"][0]["field"].clone()), (422, json!("to")), "{b}");
    let (s, b) = app.get_json("/api/v1/open/indicators?region_code=53&from=2026-02&to=2026-04", None).await;
    assert_eq!((s, b["errors"][0]["field"].clone()), (422, json!("from")), "{b}");
    for (f, t) in [("2026-03", "2026-03"), ("2026-04", "2026-06"), ("2025-01", "2025-12")] {
        let (s, b) = app.get_json(&format!("/api/v1/open/indicators?region_code=53&from={f}&to={t}"), None).await;
        assert_eq!(s, 200, "{f}/{t}: {b}");
        assert_eq!(b["period"], format!("{f}/{t}"));
    }
    // This year (the default): 3 is suppressed, and so is a complementary cell, so that the
    // province minus the published regencies does not give it.
    let get = |code: &str| {
        let app = &app;
        let code = code.to_string();
        async move { app.get_json(&format!("/api/v1/open/indicators?region_code={code}"), None).await.1 }
    };
    let small = get("53.07").await;
    assert_eq!(value(&small, "persons_registered"), "suppressed", "{small}");
    let large = get("53.10").await;
    let province = get("53").await;
    assert!(
        value(&large, "persons_registered") == "suppressed" || value(&province, "persons_registered") == "suppressed",
        "53.07 = 53 - 53.10 could be recovered: {large} {province}"
    );
    // Zeros stay zero.
    assert_eq!(value(&get("35.12").await, "persons_registered"), 0);
    // The page uses the same rule.
    let web = Browser::new(&app);
    assert_eq!(web.get(&format!("/statistik?region_code={HOME}")).await.0, 400);
    let (s, html) = web.get("/statistik?region_code=53").await;
    assert_eq!(s, 200);
    assert!(html.contains("suppressed"));
    assert_eq!(web.get("/statistik?region_code=53&from=2016-01&to=2026-05").await.0, 400);
}

/// Reads by role: who sees a person's identity numbers, a restricted case, a village's case
/// types, in and out of scope.
#[tokio::test]
async fn reads_by_role_in_and_out_of_scope() {
    let app = TestApp::spawn().await;
    let id = person(&app, 1, HOME).await;
    let (s, c) = app
        .post_json(
            "/api/v1/cases",
            Some(&app.admin_token),
            &json!({"type": "trafficking_suspicion", "severity": "high", "description": "Recruited by a broker",
                    "village_code": HOME, "person_id": id}),
        )
        .await;
    assert_eq!(s, 201);
    let case = c["id"].as_i64().unwrap();
    // (role, scope in, scope out, sees NIK, opens the case, trafficking named in village figures)
    let roles: [(&str, Option<&str>, Option<&str>, bool, bool, bool); 8] = [
        ("national_analyst", None, None, true, false, false),
        ("province_officer", Some("53"), Some("35"), true, true, true),
        ("regency_officer", Some("53.07"), Some("53.10"), true, true, true),
        ("village_head", Some(HOME), Some(OTHER_REGENCY), true, false, false),
        ("village_officer", Some(HOME), Some(OTHER_REGENCY), true, false, false),
        ("cooperative_manager", Some(HOME), Some(OTHER_REGENCY), false, false, false),
        ("facilitator", Some(HOME), Some(OTHER_REGENCY), false, false, false),
        ("partner", None, None, false, false, false),
    ];
    for (n, (role, inside, outside, nik, opens, named)) in roles.into_iter().enumerate() {
        let token = app.user_token(&format!("in{n}"), role, inside).await;
        let (s, p) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&token)).await;
        if role == "partner" {
            assert_eq!(s, 404, "{role}");
        } else {
            assert_eq!(s, 200, "{role}");
            assert_eq!(p["nik"] == "5307015205900001", nik, "{role}: {p}");
        }
        let (s, _) = app.get_json(&format!("/api/v1/cases/{case}"), Some(&token)).await;
        assert_eq!(s == 200, opens, "{role} opens the case: {s}");
        let (s, body) = app.get_json(&format!("/api/v1/indicators?region_code={HOME}"), Some(&token)).await;
        assert_eq!(s, 200, "{role}");
        let shown = breakdown(&body, "cases_opened").is_some_and(|b| b.contains_key("trafficking_suspicion"));
        assert_eq!(shown, named, "{role}: {body}");
        if let Some(out) = outside {
            let token = app.user_token(&format!("out{n}"), role, Some(out)).await;
            assert_eq!(app.get_json(&format!("/api/v1/persons/{id}"), Some(&token)).await.0, 404, "{role} out");
            assert_eq!(app.get_json(&format!("/api/v1/cases/{case}"), Some(&token)).await.0, 404, "{role} out");
            let (s, _) = app.get_json(&format!("/api/v1/indicators?region_code={HOME}"), Some(&token)).await;
            assert_eq!(s, 403, "{role} out");
        }
    }
}
