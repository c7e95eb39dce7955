//! Issue 15, the "pickers" track: Indonesian numbers read and shown one way, countries and job
//! types from their lists (unknown ones refused), regions found by name whatever the
//! administrative words typed before it, and names shown instead of codes.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::json;

const HOME: &str = "53.07.01.2001";

#[tokio::test]
async fn cooperative_takes_indonesian_numbers_and_shows_rupiah() {
    let app = TestApp::spawn().await;
    app.create_user("kelola", "cooperative_manager", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("kelola", "a-long-password").await;
    let csrf = b.csrf().await;
    let r = b
        .post_form(
            &format!("/regions/{HOME}/cooperatives"),
            &[
                ("_csrf", &csrf),
                ("name", "Koperasi Sejahtera"),
                ("kind", "koperasi"),
                ("legal_number", ""),
                ("founded_on", "2025-01-02"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let home = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let (_, html) = b.get(&home).await;
    // The by-law table shows money and rates the Indonesian way, not "100000".
    assert!(html.contains("Rp 100.000"), "pokok as rupiah");
    assert!(!html.contains("<td>100000</td>"), "no raw amounts in the by-law table");
    let r = b
        .post_form(
            &format!("{home}/members"),
            &[("_csrf", &csrf), ("full_name", "Maria Goreti"), ("joined_on", "2025-01-05")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let member = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let r = b
        .post_form(
            &format!("{member}/savings"),
            &[
                ("_csrf", &csrf),
                ("direction", "deposit"),
                ("kind", "sukarela"),
                ("amount", "Rp 20.000"),
                ("date", "2025-01-10"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "Rp 20.000 is an amount: {}", r.text().await.unwrap_or_default());
    let (_, html) = b.get(&member).await;
    assert!(html.contains("Rp 20.000"), "the deposit shown as Rp 20.000");
    // A rate typed with the Indonesian comma is a rate: the loan preview accepts 1,5 %.
    let loan = [
        ("_csrf", csrf.as_str()),
        ("principal", "1.200.000"),
        ("months", "12"),
        ("monthly_rate_percent", "1,5"),
        ("method", "flat"),
        ("purpose", "Warung"),
        ("date", "2025-01-15"),
        ("action", "preview"),
    ];
    let r = b.post_form(&format!("{member}/loans"), &loan).await;
    let status = r.status().as_u16();
    let html = r.text().await.unwrap();
    assert_eq!(status, 200, "{html}");
    // 1.200.000 at 1,5 % flat: Rp 18.000 interest a month.
    assert!(html.contains("schedule-preview") && html.contains("Rp 18.000"), "1,5 % read as 1.5 %");
    // Garbage is still refused, naming the field.
    let mut bad = loan.to_vec();
    bad[3] = ("monthly_rate_percent", "satu koma lima");
    let r = b.post_form(&format!("{member}/loans"), &bad).await;
    let status = r.status().as_u16();
    let html = r.text().await.unwrap();
    assert_eq!(status, 422, "{html}");
}

async fn person(app: &TestApp) -> i64 {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti",
            "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

#[tokio::test]
async fn destinations_are_iso_countries_shown_by_name() {
    let app = TestApp::spawn().await;
    let person = person(&app).await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let open = |dest: &str, job: &str| json!({"category": "legal_entity_employer", "scheme": "independent", "destination": dest, "job_type": job});
    let path = format!("/api/v1/persons/{person}/episodes");
    // "Taiwan" cut to two letters is no country.
    let (s, r) = app.post_json(&path, Some(&officer), &open("TA", "factory_worker")).await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(r["errors"][0]["field"], "destination", "{r}");
    // A job type outside the rules' list is refused, naming the choices.
    let (s, r) = app.post_json(&path, Some(&officer), &open("MY", "perawat lansia")).await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(r["errors"][0]["field"], "job_type", "{r}");
    assert_eq!(r["errors"][0]["rule"], "one_of", "{r}");
    assert!(r.to_string().contains("elderly_carer"), "the choices are named: {r}");
    let (s, e) = app.post_json(&path, Some(&officer), &open("MY", "factory_worker")).await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["destination"], "MY", "the API keeps the code");

    app.create_user("petugas2", "village_officer", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("petugas2", "a-long-password").await;
    let (_, page) = b.get(&format!("/persons/{person}")).await;
    assert!(page.contains("Malaysia"), "MY shown as Malaysia");
    // The open-episode form offers countries and job types by name, not a code box.
    assert!(
        page.contains(r#"<select id="f-destination" name="destination""#)
            && page.contains(r#"<option value="MY">Malaysia</option>"#)
    );
    assert!(page.contains(r#"<option value="TW">Taiwan</option>"#));
    assert!(!page.contains(r#"<option value="ID">"#), "Indonesia is no destination");
    assert!(page.contains(r#"<select id="f-job_type" name="job_type""#) && page.contains("Perawat lansia"));
    // The page refuses "TA" too, with the form back.
    let csrf = csrf_of(&page);
    let r = b
        .post_form(
            &format!("/persons/{person}/episodes"),
            &[
                ("_csrf", &csrf),
                ("category", "legal_entity_employer"),
                ("scheme", "independent"),
                ("destination", "TA"),
                ("job_type", "factory_worker"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
}

#[tokio::test]
async fn policy_pages_name_countries() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (s, html) = b.get("/admin/policy").await;
    assert_eq!(s, 200);
    assert!(html.contains("Bahrain") && !html.contains("BH (BH)"), "the seeded ban names Bahrain");
    assert!(html.contains("Arab Saudi"));
}

#[tokio::test]
async fn region_search_ignores_administrative_words_and_names_keep_capitals() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, html) = b.get("/regions/search?q=desa+done").await;
    assert_eq!(s, 200);
    assert!(html.contains("/regions/53.07.12.2003"), "desa done finds the village Done");
    let r = b.client.get(format!("{}/pick/regions?q=desa%20done&level=village", b.base)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let hits: serde_json::Value = r.json().await.unwrap();
    assert!(hits.as_array().unwrap().iter().any(|h| h["value"] == "53.07.12.2003" && h["label"] == "Done"), "{hits}");
    // A code kept in the field after a refused form is looked up by the code: its name comes back.
    let by_code = |q: &'static str| {
        let b = &b;
        async move {
            let r = b.client.get(format!("{}/pick/regions?{q}", b.base)).send().await.unwrap();
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let hits = by_code("q=53.07.12.2003&level=village").await;
    assert_eq!(hits, serde_json::json!([{"value": "53.07.12.2003", "label": "Done", "detail": "53.07.12.2003"}]));
    assert_eq!(by_code("q=53.07&level=village").await, serde_json::json!([]), "a regency is no village");
    assert_eq!(by_code("q=53.07.12.2999&level=village").await, serde_json::json!([]), "no such village");
    let (_, html) = b.get("/regions/search?q=kab.+sikka").await;
    assert!(html.contains("/regions/53.07\""), "kab. sikka finds Kabupaten Sikka");
    let (_, html) = b.get("/regions/search?q=jakarta&level=province").await;
    // idn-area-data 4.0.1 names the province in full, in mixed case: kept as written.
    assert!(html.contains("Daerah Khusus Ibukota Jakarta") && !html.contains("Dki Jakarta"), "names as written");
}

#[tokio::test]
async fn pickers_answer_only_what_the_viewer_may_see() {
    let app = TestApp::spawn().await;
    let person = person(&app).await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    app.create_user("jauh", "village_officer", Some("35.12.01.2001")).await;
    app.partner_account("mitra", None).await;
    let pick = |b: &Browser, q: &str| {
        let url = format!("{}/pick/persons?q={q}", b.base);
        let client = b.client.clone();
        async move {
            let r = client.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        }
    };
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, body) = pick(&b, "maria").await;
    assert_eq!(s, 200);
    assert!(body.contains("Maria Goreti") && body.contains(&format!("\"{person}\"")), "{body}");
    let far = Browser::new(&app);
    far.login("jauh", "a-long-password").await;
    let (s, body) = pick(&far, "maria").await;
    assert_eq!(s, 200);
    assert!(!body.contains("Maria"), "outside the scope: {body}");
    let partner = Browser::new(&app);
    partner.login("mitra", "a-long-password").await;
    assert_eq!(pick(&partner, "maria").await.0, 403, "a role that sees no people gets no names");
}

#[tokio::test]
async fn officers_read_names_not_codes() {
    let app = TestApp::spawn().await;
    let person = person(&app).await;
    let (s, agency) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT Maju Bersama", "licence_number": "KEP.1/2024",
            "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{agency}");
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, e) = app
        .post_json(
            &format!("/api/v1/persons/{person}/episodes"),
            Some(&officer),
            &json!({"category": "household_employer", "scheme": "p3mi", "destination": "HK",
                    "job_type": "housekeeper", "agency_id": agency["id"]}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let case = app.open_case(&officer, "unpaid_wages", Some(person)).await;

    app.create_user("kades", "village_head", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("kades", "a-long-password").await;
    let (_, page) = b.get(&format!("/persons/{person}")).await;
    assert!(page.contains("Perempuan") && page.contains("Masabewa"), "sex and village by name");
    let (_, list) = b.get("/persons").await;
    assert!(list.contains("Masabewa"), "the list names the village");
    let (_, page) = b.get(&format!("/episodes/{}", e["id"])).await;
    assert!(page.contains("PT Maju Bersama") && !page.contains("P3MI #"), "the agency by name");
    assert!(page.contains("Hong Kong"));
    let (_, page) = b.get(&format!("/cases/{case}")).await;
    assert!(page.contains("Maria Goreti") && page.contains("Masabewa"), "the case names its person and village");
}
