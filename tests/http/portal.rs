//! The public portal without an account: the agency check (contract API and page) for licensed,
//! suspended, revoked and unknown companies; job codes assigned on verification and checked
//! (real, no longer valid, fake); the pages' weight; search boxes that hold SQL or script.

use crate::common::{Browser, TestApp};
use serde_json::{Value, json};

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

/// A verified job order; returns its public code.
async fn verified_job(app: &TestApp, agency_id: i64, reference: &str, job_type: &str, costs: Value) -> (i64, String) {
    let (s, jo) = app
        .post_json(
            "/api/v1/job-orders",
            Some(&app.admin_token),
            &json!({"agency_id": agency_id, "reference": reference, "destination": "my", "employer": "Ladang Sawit Sdn Bhd",
                    "job_type": job_type, "salary_amount": 1800, "salary_currency": "myr", "quota": 20,
                    "valid_from": "2025-01-01", "valid_until": "2099-12-31", "costs": costs}),
        )
        .await;
    assert_eq!(s, 201, "{jo}");
    let id = jo["id"].as_i64().unwrap();
    assert!(jo["public_code"].is_null(), "no code before verification: {jo}");
    let (s, v) = app
        .post_json(
            &format!("/api/v1/job-orders/{id}/verification"),
            Some(&app.admin_token),
            &json!({"status": "verified"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let code = v["public_code"].as_str().expect("a code on verification").to_string();
    assert_eq!(code.len(), 8);
    (id, code)
}

fn names(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn public_agency_contract_without_token() {
    let app = TestApp::spawn().await;
    agency(&app, "PT Maju Bersama Sejahtera", "KEP.123/2024", "active", "2099-01-01").await;
    agency(&app, "PT Jaya Abadi", "KEP.77/2019", "revoked", "2099-01-01").await;
    agency(&app, "PT Sentosa Makmur", "KEP.88/2021", "suspended", "2099-01-01").await;

    // By a word of the name, any case, no token.
    let (s, body) = app.get_json("/api/v1/public/agencies?q=maju", None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        body,
        json!({"items": [{"name": "PT Maju Bersama Sejahtera", "licence_number": "KEP.123/2024",
        "status": "active", "valid_until": "2099-01-01"}]})
    );
    // By licence number.
    let (_, body) = app.get_json("/api/v1/public/agencies?q=kep.77%2F2019", None).await;
    assert_eq!(names(&body), ["PT Jaya Abadi"]);
    assert_eq!(body["items"][0]["status"], "revoked");
    // Unknown: an empty list, not an error.
    let (s, body) = app.get_json("/api/v1/public/agencies?q=PT%20Calo%20Palsu", None).await;
    assert_eq!((s, body), (200, json!({"items": []})));
    let (s, body) = app.get_json("/api/v1/public/agencies", None).await;
    assert_eq!((s, body), (200, json!({"items": []})));
    // SQL and script fragments are plain text: no error, no leak of other rows.
    for q in [
        "%27%20OR%201%3D1%20--",
        "%25",
        "_",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "maju%27%3B%20DROP%20TABLE%20agencies%3B--",
    ] {
        let (s, body) = app.get_json(&format!("/api/v1/public/agencies?q={q}"), None).await;
        assert_eq!(s, 200, "{q}: {body}");
        assert_eq!(body["items"], json!([]), "{q} matched rows");
    }
    let (_, body) = app.get_json("/api/v1/public/agencies?q=PT", None).await;
    assert_eq!(names(&body).len(), 3, "the table is intact");
}

#[tokio::test]
async fn agency_check_page_says_what_to_do() {
    let app = TestApp::spawn().await;
    agency(&app, "PT Maju Bersama Sejahtera", "KEP.123/2024", "active", "2099-01-01").await;
    agency(&app, "PT Jaya Abadi", "KEP.77/2019", "revoked", "2099-01-01").await;
    agency(&app, "PT Lama Sekali", "KEP.5/2010", "active", "2021-01-01").await;
    let b = Browser::new(&app);
    let (s, html) = b.get("/portal/agencies?q=maju").await;
    assert_eq!(s, 200);
    assert!(html.contains("Berizin dan aktif"), "{html}");
    let (_, html) = b.get("/portal/agencies?q=jaya").await;
    assert!(html.contains("Izin dicabut") && html.contains("Jangan mendaftar"));
    let (_, html) = b.get("/portal/agencies?q=lama").await;
    assert!(html.contains("Izin sudah berakhir"), "an active row past its licence end is expired");
    let (_, html) = b.get("/portal/agencies?q=calo%20palsu").await;
    assert!(html.contains("TIDAK DITEMUKAN") && html.contains("jangan berangkat"), "{html}");
    assert!(html.contains("0800-1000"), "whom to call");
    // Script in the box is shown as text, never as markup.
    let (s, html) = b.get("/portal/agencies?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(s, 200);
    assert!(!html.contains("<script>alert(1)"), "escaped");
    assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"));
    // English on request.
    b.get("/lang/en?next=/portal").await;
    let (_, html) = b.get("/portal/agencies?q=calo").await;
    assert!(html.contains("NOT FOUND — do not go"), "{html}");
}

#[tokio::test]
async fn agency_check_finds_real_agencies_by_part_or_near_spelling() {
    let app = TestApp::spawn().await;
    agency(&app, "PT Sinar Jaya", "KEP.666/PPTKLN/2019", "active", "2099-01-01").await;
    agency(&app, "PT Bintang Timur", "KEP.12/PPTKLN/2020", "revoked", "2099-01-01").await;
    let b = Browser::new(&app);
    // A complete part of the licence number, whatever the punctuation: the agency, not "not found".
    for q in ["KEP.666", "kep%20666", "666%2FPPTKLN", "kep666pptkln2019"] {
        let (s, html) = b.get(&format!("/portal/agencies?q={q}")).await;
        assert_eq!(s, 200);
        assert!(html.contains("PT Sinar Jaya") && html.contains("Berizin dan aktif"), "{q}: {html}");
        assert!(!html.contains("TIDAK DITEMUKAN"), "{q}");
        let (_, body) = app.get_json(&format!("/api/v1/public/agencies?q={q}"), None).await;
        assert_eq!(names(&body), ["PT Sinar Jaya"], "{q}");
    }
    // One letter away ("jaja" is already found by the old-spelling keys): "did you mean" with that agency's status, never "not found" alone.
    let (_, html) = b.get("/portal/agencies?q=sinar%20jana").await;
    assert!(
        html.contains("maksud Anda") && html.contains("PT Sinar Jaya?") && html.contains("Berizin dan aktif"),
        "{html}"
    );
    assert!(!html.contains("TIDAK DITEMUKAN — jangan berangkat"), "{html}");
    let (_, html) = b.get("/portal/agencies?q=bintang%20timir").await;
    assert!(
        html.contains("PT Bintang Timur?") && html.contains("Izin dicabut"),
        "the near agency's own status: {html}"
    );
    let (_, body) = app.get_json("/api/v1/public/agencies?q=sinar%20jana", None).await;
    assert_eq!(body["items"], json!([]));
    assert_eq!(body["suggestions"][0]["name"], "PT Sinar Jaya");
    assert_eq!(body["suggestions"][0]["status"], "active");
    // A licence number one digit off is offered too.
    let (_, body) = app.get_json("/api/v1/public/agencies?q=KEP.667%2FPPTKLN", None).await;
    assert_eq!(body["suggestions"][0]["name"], "PT Sinar Jaya", "{body}");
    // Far from everything: still not found.
    let (_, html) = b.get("/portal/agencies?q=calo%20palsu").await;
    assert!(html.contains("TIDAK DITEMUKAN"), "{html}");
}

#[tokio::test]
async fn job_codes_real_fake_and_expired() {
    let app = TestApp::spawn().await;
    let a = agency(&app, "PT Maju Bersama Sejahtera", "KEP.123/2024", "active", "2099-01-01").await;
    let (id, code) =
        verified_job(&app, a, "DL-1", "plantation_worker", json!([{"item": "medicals", "amount": 0}])).await;
    let shown = format!("{}-{}", &code[..4], &code[4..]);

    // The API: real code, in any typing.
    for typed in [shown.clone(), code.to_lowercase()] {
        let (s, j) = app.get_json(&format!("/api/v1/public/job-orders/{typed}"), None).await;
        assert_eq!(s, 200, "{j}");
        assert_eq!(j["valid"], true);
        assert_eq!(j["agency_licence_number"], "KEP.123/2024");
        assert_eq!(j["destination"], "MY");
        assert!(j.get("employer").is_none(), "no more than the public fields");
    }
    let (s, _) = app.get_json("/api/v1/public/job-orders/ZZZZ-ZZZZ", None).await;
    assert_eq!(s, 404);

    // The page, the form and the QR code.
    let b = Browser::new(&app);
    let (s, html) = b.get(&format!("/cek/{shown}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("terdaftar dan terverifikasi") && html.contains("PT Maju Bersama Sejahtera"));
    assert!(html.contains(&format!("/cek/{shown}/qr.svg")));
    let r = b.client.get(format!("{}/cek/{shown}/qr.svg", b.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(r.text().await.unwrap().contains("<svg"));
    let r = b.client.get(format!("{}/cek?code={}", b.base, code.to_lowercase())).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/cek/{shown}").as_str());
    // A fake code and junk: a clear "do not trust", 404.
    for fake in ["AAAA-BBBB", "12345", "%27%20OR%201%3D1--", "%3Cb%3Ex%3C%2Fb%3E"] {
        let (s, html) = b.get(&format!("/cek?code={fake}")).await;
        let (s, html) = if s == 303 { b.get("/cek/AAAA-BBBB").await } else { (s, html) };
        assert_eq!(s, 404, "{fake}");
        assert!(html.contains("jangan percaya tawaran ini"), "{fake}");
        assert!(!html.contains("<b>x</b>"));
    }
    // Listed publicly while valid, without personal data.
    let (_, html) = b.get("/portal/jobs").await;
    assert!(html.contains(&shown) && html.contains("PT Maju Bersama Sejahtera"));
    // Rejected later: the code still resolves but says the offer is no longer valid.
    let (s, _) = app
        .post_json(
            &format!("/api/v1/job-orders/{id}/verification"),
            Some(&app.admin_token),
            &json!({"status": "rejected"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, html) = b.get(&format!("/cek/{shown}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("tidak berlaku lagi"));
    assert!(!html.contains("qr.svg"), "no QR for an offer that is not valid");
    let (_, j) = app.get_json(&format!("/api/v1/public/job-orders/{shown}"), None).await;
    assert_eq!(j["valid"], false);
    let (_, html) = b.get("/portal/jobs").await;
    assert!(!html.contains(&shown), "off the public list");
}

#[tokio::test]
async fn zero_cost_breach_is_flagged_on_the_job_page() {
    let app = TestApp::spawn().await;
    let a = agency(&app, "PT Maju Bersama Sejahtera", "KEP.123/2024", "active", "2099-01-01").await;
    let (_, code) =
        verified_job(&app, a, "DL-2", "housekeeper", json!([{"item": "agency_fee", "amount": 5000000}])).await;
    let (_, html) = Browser::new(&app).get(&format!("/cek/{code}")).await;
    assert!(html.contains("Rp 5.000.000"), "{html}");
    assert!(html.contains("tidak boleh dibebani biaya penempatan"));
}

#[tokio::test]
async fn portal_pages_are_public_small_and_bilingual() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    for path in [
        "/portal",
        "/portal/agencies?q=maju",
        "/portal/jobs",
        "/cek",
        "/cek/AAAA-BBBB",
        "/portal/safe-migration",
        "/portal/service-centers?q=sikka",
        "/portal/service-centers?region=53.07.01.2001",
        "/portal/missions",
        "/portal/missions?country=TW",
    ] {
        let (s, html) = b.get(path).await;
        assert!(s == 200 || (s == 404 && path.starts_with("/cek/")), "{path}: {s}");
        assert!(html.len() < 50 * 1024, "{path} is {} bytes", html.len());
        assert!(html.contains("lang=\"id\""), "{path}");
        // The one script is the quick exit's (issue 17), which only improves a plain link.
        let scripts = html.matches("<script").count();
        assert!(scripts == 0 || (scripts == 1 && html.contains("/quick_exit.js")), "{path} works without JavaScript");
    }
    let (_, html) = b.get("/portal/safe-migration").await;
    assert!(html.contains("Pekerja rumah tangga") || html.contains("housekeeper") || html.contains("Penata laksana"));
    assert!(html.contains("Pasal 6"));
    let (_, html) = b.get("/portal/missions?country=TW").await;
    assert!(html.contains("KDEI Taipei") && !html.contains("KBRI Riyadh"));
    b.get("/lang/en?next=/portal").await;
    let (_, html) = b.get("/portal").await;
    assert!(html.contains("lang=\"en\"") && html.contains("Check before you leave"));
}

#[tokio::test]
async fn service_centers_by_region_with_nearest_fallback() {
    let app = TestApp::spawn().await;
    let (s, _) = app.designate("53.07.01.2001", 2017).await;
    assert_eq!(s, 200);
    let b = Browser::new(&app);
    let (_, html) = b.get("/portal/service-centers?region=53.07.01.2001").await;
    assert!(html.contains("Masabewa"), "{html}");
    // Another district of the same regency: widened to the regency.
    let (_, html) = b.get("/portal/service-centers?region=53.07.02.2001").await;
    assert!(html.contains("Masabewa") && html.contains("Sikka"), "{html}");
    // Another province: none.
    let (_, html) = b.get("/portal/service-centers?region=35.12.01.2001").await;
    assert!(!html.contains("Masabewa"));
}

#[tokio::test]
async fn missions_are_kept_by_national_admins() {
    let app = TestApp::spawn().await;
    let (_, body) = app.get_json("/api/v1/public/missions", None).await;
    let names: Vec<&str> = body["items"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    for n in ["KBRI Kuala Lumpur", "KDEI Taipei", "KBRI Riyadh", "KJRI Hong Kong", "KBRI Singapura"] {
        assert!(names.contains(&n), "{n} seeded");
    }
    assert!(body["items"].as_array().unwrap().iter().all(|m| m["verified"] == false), "seeds await verification");
    let (s, _) = app.get_json("/api/v1/public/missions?country=Malaysia", None).await;
    assert_eq!(s, 400);

    let admin = Browser::new(&app);
    admin.login("admin", crate::common::ADMIN_PASSWORD).await;
    let csrf = admin.csrf().await;
    let r = admin
        .post_form(
            "/admin/missions",
            &[
                ("_csrf", &csrf),
                ("country", "jp"),
                ("kind", "kbri"),
                ("name", "KBRI Tokyo"),
                ("city", "Tokyo"),
                ("phone", "+81 3-3441-4201"),
                ("website", "https://kemlu.go.id/tokyo"),
                ("verified", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, body) = app.get_json("/api/v1/public/missions?country=JP", None).await;
    assert_eq!(body["items"][0]["name"], "KBRI Tokyo");
    assert_eq!(body["items"][0]["verified"], true);
    // Bad input names the field; nothing saved.
    let r = admin
        .post_form(
            "/admin/missions",
            &[("_csrf", &csrf), ("country", "Japan"), ("kind", "kbri"), ("name", "X"), ("city", "Tokyo")],
        )
        .await;
    assert_eq!(r.status(), 422);
    // Officers may not edit.
    let officer = Browser::new(&app);
    app.create_user("petugas", "village_officer", Some("53.07.01.2001")).await;
    officer.login("petugas", "a-long-password").await;
    let (s, _) = officer.get("/admin/missions").await;
    assert_eq!(s, 403);
}
