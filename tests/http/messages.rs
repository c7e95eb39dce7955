//! Refusals in plain words: pages name the field by its label in Indonesian and keep what was
//! typed; the API keeps its field, rule and detail and adds a sentence in the asked language.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::json;

const HOME: &str = "53.07.01.2001";

#[tokio::test]
async fn a_refused_registration_says_what_to_fix_in_indonesian_and_keeps_the_input() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, form) = b.get("/persons/new").await;
    // The limit is stated and the browser does not cut a longer name without a word.
    assert!(form.contains("Paling banyak 120 huruf"), "limit stated");
    assert!(!form.contains("name=\"full_name\" value=\"\" maxlength"), "no silent cut");
    let csrf = csrf_of(&form);
    let long_name = "Siti ".repeat(40); // 200 characters
    let r = b
        .post_form(
            "/persons",
            &[
                ("_csrf", csrf.as_str()),
                ("nik", "530701520590000"),
                ("full_name", long_name.as_str()),
                ("sex", "P"),
                ("birth_date", "1990-05-12"),
                ("birth_place", "Maumere"),
                ("village_code", HOME),
                ("phone", "0812 3456 7890"),
                ("address", "Jl. Melati 3"),
                ("category", "abroad"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("NIK harus 16 angka (yang diisi 15 angka)."), "NIK sentence: {html}");
    assert!(html.contains("Nama lengkap paling banyak 120 huruf"), "name sentence");
    for english in ["must be 16 digits", "at most 120 characters", "format tidak sesuai", "terlalu panjang ("] {
        assert!(!html.contains(english), "no rule text or English detail: {english}");
    }
    // The summary at the top links to each refused field's input.
    assert!(html.contains("href=\"#f-nik\"") && html.contains("id=\"f-nik\""), "NIK linked");
    assert!(html.contains("href=\"#f-full_name\"") && html.contains("id=\"f-full_name\""), "name linked");
    // Everything typed is still there, the long name whole.
    assert!(html.contains("value=\"530701520590000\""), "NIK kept");
    assert!(
        html.contains(&format!("value=\"{}\"", long_name.trim_end()))
            || html.contains(&format!("value=\"{long_name}\"")),
        "name kept whole"
    );
    for kept in ["value=\"Maumere\"", "value=\"0812 3456 7890\"", "value=\"Jl. Melati 3\""] {
        assert!(html.contains(kept), "{kept} kept");
    }
    assert!(html.contains("value=\"P\" checked"), "sex kept");
    assert!(html.contains("value=\"abroad\" selected"), "category kept");
}

#[tokio::test]
async fn an_api_refusal_keeps_field_rule_and_detail_and_adds_a_sentence() {
    let app = TestApp::spawn().await;
    let body = json!({"nik": "530701520590000", "full_name": "Siti Aminah", "sex": "P",
                      "birth_date": "1990-05-12", "village_code": HOME});
    let send = |lang: Option<&'static str>| {
        let mut rb = app.client.post(app.url("/api/v1/persons")).bearer_auth(&app.admin_token).json(&body);
        if let Some(l) = lang {
            rb = rb.header("accept-language", l);
        }
        rb.send()
    };
    let r = send(None).await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    let e = &v["errors"][0];
    assert_eq!(e["field"], "nik", "{v}");
    assert_eq!(e["rule"], "format", "{v}");
    assert!(e["detail"].as_str().is_some_and(|d| d.contains("16 digits")), "detail unchanged: {v}");
    assert_eq!(e["message"], "The NIK must be 16 digits (15 given).", "English by default");
    let v: serde_json::Value = send(Some("id-ID,id;q=0.9,en;q=0.8")).await.unwrap().json().await.unwrap();
    assert_eq!(v["errors"][0]["message"], "NIK harus 16 angka (yang diisi 15 angka).");
    assert_eq!(v["errors"][0]["rule"], "format");
    let v: serde_json::Value = send(Some("en;q=0.9, id;q=0.5")).await.unwrap().json().await.unwrap();
    assert_eq!(v["errors"][0]["message"], "The NIK must be 16 digits (15 given).");
}

#[tokio::test]
async fn a_refused_episode_step_keeps_the_form_and_says_what_is_missing() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let officer = app.token("petugas", "a-long-password").await;
    let (_, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&officer),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P",
                    "birth_date": "1990-05-12", "village_code": HOME}),
        )
        .await;
    let (s, e) = app
        .post_json(
            &format!("/api/v1/persons/{}/episodes", p["id"]),
            Some(&officer),
            &json!({"category": "household_employer", "scheme": "p3mi", "destination": "TW", "job_type": "caregiver"}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let path = format!("/episodes/{}", e["id"]);
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, page) = b.get(&path).await;
    let csrf = csrf_of(&page);
    let today = crate::common::today().to_string();
    // Cancelling needs a reason; the witness typed meanwhile stays in the form.
    let r = b
        .post_form(
            &format!("{path}/transition"),
            &[
                ("_csrf", csrf.as_str()),
                ("to", "cancelled"),
                ("date", today.as_str()),
                ("reason", ""),
                ("handover_witness", "Pak Kades Yosef"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    let summary = html.split("error-msg").nth(1).unwrap_or("").split("</ul>").next().unwrap_or("");
    assert!(html.contains("Isi alasannya: wajib untuk membatalkan"), "the sentence says what to do: {summary}");
    assert!(!html.contains("a reason is required"), "no English detail");
    assert!(html.contains("value=\"Pak Kades Yosef\""), "witness kept");
    assert!(html.contains("value=\"cancelled\" selected"), "chosen step kept");
}
