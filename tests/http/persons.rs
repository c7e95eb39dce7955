//! Pillar 1 people registry: NIK rules, registration contract, duplicates, scope, search.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OTHER: &str = "53.07.02.2001";
// A woman born 12 May 1990, first registered in district 53.07.01.
const MARIA_NIK: &str = "5307015205900001";

fn maria() -> Value {
    json!({"nik": MARIA_NIK, "kk_number": "5307010101100002", "full_name": "Maria Goreti", "sex": "P",
           "birth_date": "1990-05-12", "birth_place": "Maumere", "village_code": HOME, "phone": "081234567890"})
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn nik_check_contract() {
    let app = TestApp::spawn().await;
    let t = Some(app.admin_token.as_str());
    let (s, r) =
        app.post_json("/api/v1/nik/check", t, &json!({"nik": MARIA_NIK, "birth_date": "1990-05-12", "sex": "P"})).await;
    assert_eq!(s, 200);
    assert_eq!(r["valid"], true);
    assert_eq!(r["errors"], json!([]));
    assert_eq!(r["warnings"], json!([]));
    assert_eq!(r["region_code"], "53.07.01");
    assert_eq!(r["birth_date"], "1990-05-12");
    assert_eq!(r["sex"], "P");

    // Declared as a man born on another day: still valid, two warnings.
    let (_, r) =
        app.post_json("/api/v1/nik/check", t, &json!({"nik": MARIA_NIK, "birth_date": "1990-05-13", "sex": "L"})).await;
    assert_eq!(r["valid"], true);
    let codes: Vec<&str> = r["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"birth_date_mismatch") && codes.contains(&"sex_mismatch"), "{r}");

    for (nik, code) in [
        ("530701520590000", "length"),
        ("99070152059000011", "length"),
        ("9907015205900001", "unknown_province"),
        ("5307013202900001", "impossible_date"),
        ("5307015205900000", "serial_zero"),
        ("53070152059O0001", "digits"),
    ] {
        let (s, r) = app.post_json("/api/v1/nik/check", t, &json!({"nik": nik})).await;
        assert_eq!(s, 200);
        assert_eq!(r["valid"], false, "{nik}");
        assert!(r["errors"].as_array().unwrap().iter().any(|e| e["code"] == code), "{nik}: {r}");
    }
    assert_eq!(app.post_json("/api/v1/nik/check", None, &json!({"nik": MARIA_NIK})).await.0, 401);
}

#[tokio::test]
async fn register_contract_and_bad_input() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, p) = app.post_json("/api/v1/persons", Some(&officer), &maria()).await;
    assert_eq!(s, 201, "{p}");
    assert!(p["id"].as_i64().unwrap() > 0);
    assert_eq!(p["nik"], MARIA_NIK);
    assert_eq!(p["sex"], "P");
    assert_eq!(p["village_code"], HOME);
    assert_eq!(p["category"], "prospective");

    // M/F and DD-MM-YYYY accepted.
    let mut budi = json!({"nik": "5307013101850002", "full_name": "Budi", "sex": "M", "birth_date": "31-01-1985", "village_code": HOME});
    let (s, b) = app.post_json("/api/v1/persons", Some(&officer), &budi).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["sex"], "L");
    assert_eq!(b["birth_date"], "1985-01-31");

    let bad = [
        (
            json!({"nik": "123", "full_name": "X Y", "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
            "nik",
        ),
        (
            json!({"nik": "5307015205900003", "full_name": "X Y", "sex": "Q", "birth_date": "1990-05-12", "village_code": HOME}),
            "sex",
        ),
        (
            json!({"nik": "5307015205900003", "full_name": "X Y", "sex": "P", "birth_date": "1990-02-30", "village_code": HOME}),
            "birth_date",
        ),
        (
            json!({"nik": "5307015205900003", "full_name": "X Y", "sex": "P", "birth_date": "2990-05-12", "village_code": HOME}),
            "birth_date",
        ),
        (
            json!({"nik": "5307015205900003", "full_name": "X Y", "sex": "P", "birth_date": "1990-05-12", "village_code": "53.07.01.9999"}),
            "village_code",
        ),
        (
            json!({"nik": "5307015205900003", "full_name": "X".repeat(121), "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
            "full_name",
        ),
    ];
    for (body, field) in bad {
        let (s, r) = app.post_json("/api/v1/persons", Some(&officer), &body).await;
        assert_eq!(s, 422, "{body}: {r}");
        assert!(fields(&r).contains(&field.to_string()), "{field}: {r}");
        assert!(r["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // Warnings refuse until confirmed; then they are kept on the record.
    budi["nik"] = json!("5307013101850003");
    budi["birth_date"] = json!("1985-02-01");
    let (s, r) = app.post_json("/api/v1/persons", Some(&officer), &budi).await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(r["errors"][0]["field"], "nik");
    assert_eq!(r["errors"][0]["rule"], "unconfirmed_warning");
    budi["confirm_warnings"] = json!(true);
    let (s, r) = app.post_json("/api/v1/persons", Some(&officer), &budi).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["nik_warnings"].as_array().unwrap().len(), 1);
    // Nothing half-written: three people exist.
    let (_, all) = app.get_json("/api/v1/persons", Some(&app.admin_token)).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn duplicates_are_refused_without_revealing_other_regions() {
    let app = TestApp::spawn().await;
    let here = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let there = app.user_token("lain", "village_officer", Some(OTHER)).await;
    let (_, p) = app.post_json("/api/v1/persons", Some(&here), &maria()).await;
    let id = p["id"].as_i64().unwrap();

    let (s, r) = app.post_json("/api/v1/persons", Some(&here), &maria()).await;
    assert_eq!(s, 422);
    assert_eq!(r["errors"][0]["rule"], "taken");
    assert!(r["errors"][0]["detail"].as_str().unwrap().contains(&format!("#{id}")), "own region: points to the record");

    let mut elsewhere = maria();
    elsewhere["village_code"] = json!(OTHER);
    let (s, r) = app.post_json("/api/v1/persons", Some(&there), &elsewhere).await;
    assert_eq!(s, 422);
    let text = r.to_string();
    assert!(text.contains("already registered"), "{text}");
    assert!(!text.contains(&id.to_string()) && !text.contains("Maria") && !text.contains(HOME), "leaks: {text}");
}

#[tokio::test]
async fn people_are_seen_only_within_scope() {
    let app = TestApp::spawn().await;
    let here = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let there = app.user_token("lain", "village_officer", Some(OTHER)).await;
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let partner = app.user_token("mitra", "partner", Some("53.07")).await;
    let analyst = app.user_token("analis", "national_analyst", None).await;
    let (_, p) = app.post_json("/api/v1/persons", Some(&here), &maria()).await;
    let id = p["id"].as_i64().unwrap();
    let path = format!("/api/v1/persons/{id}");

    assert_eq!(app.get_json(&path, Some(&here)).await.0, 200);
    assert_eq!(app.get_json(&path, Some(&regency)).await.0, 200);
    assert_eq!(app.get_json(&path, Some(&analyst)).await.0, 200);
    assert_eq!(app.get_json(&path, Some(&there)).await.0, 404, "out of scope looks like absent");
    assert_eq!(app.get_json(&path, Some(&partner)).await.0, 404);
    assert_eq!(app.get_json("/api/v1/persons/999999", Some(&here)).await.0, 404);

    let by_nik = format!("/api/v1/persons?nik={MARIA_NIK}");
    assert_eq!(app.get_json(&by_nik, Some(&here)).await.1["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get_json(&by_nik, Some(&there)).await.1["items"], json!([]));
    assert_eq!(app.get_json(&format!("/api/v1/persons?region_code={HOME}"), Some(&there)).await.0, 403);
    assert_eq!(app.get_json("/api/v1/persons", Some(&partner)).await.0, 403);
    // Registering into another village is refused, naming the field.
    let mut other = maria();
    other["nik"] = json!("5307015205900002");
    let (s, r) = app.post_json("/api/v1/persons", Some(&there), &other).await;
    assert_eq!(s, 422);
    assert_eq!(r["errors"][0]["field"], "village_code");
    // Analysts read, but do not register.
    other["village_code"] = json!(OTHER);
    assert_eq!(app.post_json("/api/v1/persons", Some(&analyst), &other).await.0, 403);

    // Every view is in the audit log with who and where.
    let (_, log) =
        app.get_json(&format!("/api/v1/audit?entity=person&action=person.view"), Some(&app.admin_token)).await;
    let actors: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["actor"].as_str().unwrap()).collect();
    assert!(actors.contains(&"petugas") && actors.contains(&"disnaker") && actors.contains(&"analis"), "{actors:?}");
    assert!(!actors.contains(&"lain"), "a refused read is not a view");
}

#[tokio::test]
async fn name_search_tolerates_spelling() {
    let app = TestApp::spawn().await;
    let t = app.admin_token.clone();
    let body = json!({"nik": "5307013101850002", "full_name": "Muhammad Nur Hidayat", "sex": "L", "birth_date": "1985-01-31", "village_code": HOME});
    assert_eq!(app.post_json("/api/v1/persons", Some(&t), &body).await.0, 201);
    assert_eq!(app.post_json("/api/v1/persons", Some(&t), &maria()).await.0, 201);
    for q in ["mohamad noor", "MUHAMMAD", "nur hidajat", "hidayat"] {
        let (_, r) = app.get_json(&format!("/api/v1/persons?q={}", q.replace(' ', "+")), Some(&t)).await;
        let names: Vec<&str> =
            r["items"].as_array().unwrap().iter().map(|p| p["full_name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Muhammad Nur Hidayat"], "{q}");
    }
}

#[tokio::test]
async fn agency_registry_contract() {
    let app = TestApp::spawn().await;
    let body = json!({"name": "PT Maju Bersama", "licence_number": "KEP.123/2024", "status": "active",
                      "valid_from": "2024-01-01", "valid_until": "2029-01-01"});
    let (s, a) = app.post_json("/api/v1/agencies", Some(&app.admin_token), &body).await;
    assert_eq!(s, 201, "{a}");
    assert!(a["id"].as_i64().unwrap() > 0);
    assert_eq!(a["status"], "active");
    let (s, r) = app.post_json("/api/v1/agencies", Some(&app.admin_token), &body).await;
    assert_eq!(s, 422);
    assert_eq!(r["errors"][0]["rule"], "taken");
    let (s, r) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT X", "licence_number": "A1", "status": "closed",
            "valid_from": "2025-01-01", "valid_until": "2024-01-01"}),
        )
        .await;
    assert_eq!(s, 422);
    let f = fields(&r);
    assert!(f.contains(&"status".to_string()) && f.contains(&"valid_until".to_string()), "{r}");
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    assert_eq!(app.post_json("/api/v1/agencies", Some(&officer), &body).await.0, 403);
    let (_, found) = app.get_json("/api/v1/agencies?q=maju", Some(&officer)).await;
    assert_eq!(found["items"][0]["licence_number"], "KEP.123/2024");
    let (_, found) = app.get_json("/api/v1/agencies?licence_number=kep.123/2024", Some(&officer)).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn officer_registers_through_the_form_confirming_warnings() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, form) = b.get("/persons/new").await;
    assert_eq!(s, 200);
    assert!(form.contains(&format!("value=\"{HOME}\"")), "own village prefilled");
    let csrf = csrf_of(&form);
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("nik", "5307015205900001"),
        ("full_name", "Maria <script>alert(1)</script>"),
        ("sex", "P"),
        ("birth_date", "1990-05-13"),
        ("village_code", HOME),
        ("category", "prospective"),
    ];
    let r = b.post_form("/persons", &fields).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("nik-warnings") && html.contains("Tanggal lahir pada NIK berbeda"),
        "warning shown in Indonesian"
    );
    assert!(!html.contains("<script>alert(1)"), "text is escaped");
    fields.push(("confirm_warnings", "1"));
    let r = b.post_form("/persons", &fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (s, page) = b.get(&location).await;
    assert_eq!(s, 200);
    assert!(page.contains("kept-warnings"));
    assert!(page.contains("alert(1)") && !page.contains("<script>alert(1)"), "shown, escaped");
    // Another village's officer cannot open it.
    app.create_user("lain", "village_officer", Some(OTHER)).await;
    let other = Browser::new(&app);
    other.login("lain", "a-long-password").await;
    assert_eq!(other.get(location.split('?').next().unwrap()).await.0, 404);
    let (_, list) = other.get("/persons").await;
    assert!(!list.contains("Maria &lt;script"), "the other village's list does not show her");
}

#[tokio::test]
async fn counselling_and_the_person_timeline() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let officer = app.token("petugas", "a-long-password").await;
    let (_, p) = app.post_json("/api/v1/persons", Some(&officer), &maria()).await;
    let id = p["id"].as_i64().unwrap();
    let (s, _) = app
        .post_json(
            &format!("/api/v1/persons/{id}/episodes"),
            Some(&officer),
            &json!({"category": "household_employer", "scheme": "p3mi", "destination": "TW", "job_type": "caregiver"}),
        )
        .await;
    assert_eq!(s, 201);
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, page) = b.get(&format!("/persons/{id}")).await;
    let csrf = csrf_of(&page);
    let r = b
        .post_form(
            &format!("/persons/{id}/counselling"),
            &[("_csrf", &csrf), ("held_on", "2999-01-01"), ("topics", "x")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422, "future date and too-short topics refused");
    let today = crate::common::today().to_string();
    let r = b
        .post_form(
            &format!("/persons/{id}/counselling"),
            &[
                ("_csrf", &csrf),
                ("held_on", &today),
                ("topics", "Prosedur migrasi aman"),
                ("counsellor", "Petugas Desa"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = b.get(&format!("/persons/{id}")).await;
    let timeline = &page[page.find("id=\"timeline\"").unwrap()..];
    assert!(timeline.contains("Konseling: Prosedur migrasi aman"), "counselling on the timeline");
    assert!(
        timeline.contains("Episode migrasi") && timeline.contains(">Terdaftar</a>"),
        "episode step on the timeline"
    );
    assert!(timeline.contains("<li>") && timeline.matches("<li>").count() >= 3);
}

#[tokio::test]
async fn a_record_can_be_corrected_with_the_same_rules() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let officer = app.token("petugas", "a-long-password").await;
    let (_, p) = app.post_json("/api/v1/persons", Some(&officer), &maria()).await;
    let id = p["id"].as_i64().unwrap();
    let other = json!({"nik": "5307013101850002", "full_name": "Budi", "sex": "L", "birth_date": "1985-01-31", "village_code": HOME});
    assert_eq!(app.post_json("/api/v1/persons", Some(&officer), &other).await.0, 201);
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, form) = b.get(&format!("/persons/{id}/edit")).await;
    assert_eq!(s, 200);
    assert!(form.contains("value=\"Maria Goreti\""), "form prefilled");
    let csrf = csrf_of(&form);
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("nik", "5307013101850002"),
        ("full_name", "Maria Goretti"),
        ("sex", "P"),
        ("birth_date", "1990-05-12"),
        ("village_code", HOME),
        ("category", "prospective"),
        // What the browser sends back from the prefilled form.
        ("kk_number", "5307010101100002"),
        ("birth_place", "Maumere"),
        ("phone", "081234567890"),
    ];
    let r = b.post_form(&format!("/persons/{id}/edit"), &fields).await;
    assert_eq!(r.status().as_u16(), 422, "another person's NIK is refused");
    fields[1] = ("nik", MARIA_NIK);
    fields[5] = ("village_code", OTHER);
    let r = b.post_form(&format!("/persons/{id}/edit"), &fields).await;
    assert_eq!(r.status().as_u16(), 422, "moving her out of the officer's region is refused");
    fields[5] = ("village_code", HOME);
    let r = b.post_form(&format!("/persons/{id}/edit"), &fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, p) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&officer)).await;
    assert_eq!(p["full_name"], "Maria Goretti");
    let (_, log) = app.get_json("/api/v1/audit?action=person.update", Some(&app.admin_token)).await;
    assert_eq!(log["items"][0]["details"], "changed: full_name", "names fields, not values");
    app.create_user("lain", "village_officer", Some(OTHER)).await;
    let other_b = Browser::new(&app);
    other_b.login("lain", "a-long-password").await;
    assert_eq!(other_b.get(&format!("/persons/{id}/edit")).await.0, 404);
}

#[tokio::test]
async fn agencies_list_their_branch_offices() {
    let app = TestApp::spawn().await;
    let t = app.admin_token.clone();
    let (_, a) = app
        .post_json(
            "/api/v1/agencies",
            Some(&t),
            &json!({"name": "PT Maju Bersama", "licence_number": "KEP.9/2024",
            "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    let id = a["id"].as_i64().unwrap();
    let path = format!("/api/v1/agencies/{id}/branches");
    let (s, r) =
        app.post_json(&path, Some(&t), &json!({"region_code": "53.07", "address": "Jl. Ahmad Yani 1, Maumere"})).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["branches"][0]["region_name"], "Kabupaten Sikka");
    let (s, r) = app.post_json(&path, Some(&t), &json!({"region_code": "53.99", "address": "Jl. X 1"})).await;
    assert_eq!(s, 422);
    assert_eq!(r["errors"][0]["rule"], "unknown_region");
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    assert_eq!(
        app.post_json(&path, Some(&officer), &json!({"region_code": "53.07", "address": "Jl. Y 2"})).await.0,
        403
    );
    let (s, r) = app.get_json(&format!("/api/v1/agencies/{id}"), Some(&officer)).await;
    assert_eq!(s, 200);
    assert_eq!(r["branches"].as_array().unwrap().len(), 1);
    assert_eq!(r["licence_number"], "KEP.9/2024");
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, page) = b.get(&format!("/agencies/{id}")).await;
    assert!(page.contains("Jl. Ahmad Yani 1, Maumere"));
}
