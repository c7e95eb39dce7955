//! National ids (issue 19): SIAPkerja / ID PMI on a person and Sisko P2MI / E-KPMI on an
//! episode with their format refusals; the BPJS Ketenagakerjaan import and the departure risk
//! flag it clears; the Dukcapil adapter against the "Dukcapil stand-in", a tiny server these
//! tests start (match, mismatch, timeout, adapter off).

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const HOME: &str = "53.07.01.2001";
const OTHER: &str = "53.07.02.2001";

async fn register(app: &TestApp, token: &str, nik: &str, name: &str) -> (u16, Value) {
    app.post_json(
        "/api/v1/persons",
        Some(token),
        &json!({"nik": nik, "full_name": name, "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
    )
    .await
}

async fn csv(app: &TestApp, token: &str, body: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url("/api/v1/imports/bpjs"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .header("accept-language", "id")
        .body(body.to_string())
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    (status, serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null))
}

#[tokio::test]
async fn external_ids_are_checked_set_shown_and_searchable() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let other = app.user_token("lain", "village_officer", Some(OTHER)).await;
    let (_, p) = register(&app, &officer, "5307015205900001", "Maria Goreti").await;
    let id = p["id"].as_i64().unwrap();
    let (_, q) = register(&app, &officer, "5307015205900002", "Ina Sini").await;
    let second = q["id"].as_i64().unwrap();

    // Format refusals name the field, in Indonesian when asked.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/persons/{id}/external-ids")))
        .bearer_auth(&officer)
        .header("accept-language", "id")
        .json(&json!({"siapkerja_id": "SK 12", "id_pmi": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{body}");
    assert_eq!((errors[0]["field"].as_str(), errors[0]["rule"].as_str()), (Some("siapkerja_id"), Some("format")));
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.starts_with("Nomor registrasi SIAPkerja harus 3 sampai 40 tanda"), "{message}");

    let (s, n) = app
        .put_json(
            &format!("/api/v1/persons/{id}/external-ids"),
            &officer,
            &json!({"siapkerja_id": " sk-2026-0012345 ", "id_pmi": "PMI5307000123"}),
        )
        .await;
    assert_eq!(s, 200, "{n}");
    assert_eq!(n["siapkerja_id"], "SK-2026-0012345", "stored in upper case, trimmed");
    let (_, got) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&officer)).await;
    assert_eq!(got["national"]["id_pmi"], "PMI5307000123");
    // Absent leaves an id; one id cannot be on two people.
    let (s, n) = app
        .put_json(&format!("/api/v1/persons/{second}/external-ids"), &officer, &json!({"id_pmi": "pmi5307000123"}))
        .await;
    assert_eq!(s, 422, "{n}");
    assert_eq!((n["errors"][0]["field"].as_str(), n["errors"][0]["rule"].as_str()), (Some("id_pmi"), Some("taken")));
    // Outside the officer's region: as if absent.
    let (s, _) = app.put_json(&format!("/api/v1/persons/{id}/external-ids"), &other, &json!({"id_pmi": ""})).await;
    assert_eq!(s, 404);

    // Found by the id in search, only by whoever sees that person.
    let (_, list) = app.get_json("/api/v1/persons?external_id=pmi5307000123", Some(&officer)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["items"][0]["id"], id);
    let (_, list) = app.get_json("/api/v1/persons?external_id=PMI5307000123", Some(&other)).await;
    assert!(list["items"].as_array().map_or(true, |i| i.is_empty()), "{list}");

    // The page shows them, and a refused form comes back as typed.
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, page) = b.get(&format!("/persons/{id}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("SK-2026-0012345") && page.contains("id=\"national\""), "{page}");
    let r = b
        .post_form(
            &format!("/persons/{id}/external-ids"),
            &[("_csrf", &csrf_of(&page)), ("siapkerja_id", "SK-2026-0012345"), ("id_pmi", "PMI 99")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"PMI 99\""), "typed value kept");
    assert!(html.contains("ID PMI harus 3 sampai 40 tanda"), "{html}");

    // Episode ids: refused at opening and when set later; the API shows them.
    let body = json!({"category": "household_employer", "scheme": "independent", "destination": "HK",
                      "job_type": "housekeeper", "sisko_id": "<b>"});
    let (s, r) = app.post_json(&format!("/api/v1/persons/{id}/episodes"), Some(&officer), &body).await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(r["errors"][0]["field"], "sisko_id");
    let body = json!({"category": "household_employer", "scheme": "independent", "destination": "HK",
                      "job_type": "housekeeper", "sisko_id": "sisko-2026-0001234"});
    let (s, e) = app.post_json(&format!("/api/v1/persons/{id}/episodes"), Some(&officer), &body).await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["sisko_id"], "SISKO-2026-0001234");
    let episode = e["id"].as_i64().unwrap();
    let (s, e) = app
        .put_json(
            &format!("/api/v1/episodes/{episode}/external-ids"),
            &officer,
            &json!({"ekpmi_id": "EKPMI0012345678"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!((e["sisko_id"].as_str(), e["ekpmi_id"].as_str()), (Some("SISKO-2026-0001234"), Some("EKPMI0012345678")));
    let (s, _) =
        app.put_json(&format!("/api/v1/episodes/{episode}/external-ids"), &officer, &json!({"ekpmi_id": "E"})).await;
    assert_eq!(s, 422);
    let (_, list) = app.get_json("/api/v1/persons?external_id=EKPMI0012345678", Some(&officer)).await;
    assert_eq!(list["items"][0]["id"], id, "found by the episode's id");
    // The episode page's form: a refusal in Indonesian, the values as typed.
    let (_, epage) = b.get(&format!("/episodes/{episode}")).await;
    assert!(epage.contains("value=\"EKPMI0012345678\""), "stored values in the form");
    let r = b
        .post_form(
            &format!("/episodes/{episode}/external-ids"),
            &[("_csrf", &csrf_of(&epage)), ("sisko_id", "SISKO 1"), ("ekpmi_id", "EKPMI0012345678")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"SISKO 1\""), "typed value kept");
    assert!(html.contains("Nomor SISKOP2MI harus 3 sampai 40 tanda"), "{html}");
}

/// Puts the episode in `departed` on `on` directly: the steps and their rules are
/// tests/http/episodes.rs's business; here only the departure date matters.
async fn depart(app: &TestApp, episode: i64, on: &str) {
    let sql = format!(
        "UPDATE episodes SET state = 'departed', state_date = '{on}', departed_on = '{on}' WHERE id = {episode}"
    );
    match &app.db {
        store::Db::Sqlite(p, _) => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()),
        store::Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()),
    }
    .expect("depart");
}

fn flagged(episode: &Value) -> bool {
    episode["flags"].as_array().unwrap().iter().any(|f| f["code"] == "social_security_not_valid")
}

#[tokio::test]
async fn bpjs_import_reports_rows_and_clears_the_departure_flag() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let other = app.user_token("lain", "village_officer", Some(OTHER)).await;
    let analyst = app.user_token("analis", "national_analyst", None).await;
    let (_, p) = register(&app, &officer, "5307015205900001", "Maria Goreti").await;
    let id = p["id"].as_i64().unwrap();
    register(&app, &officer, "5307015205900002", "Ina Sini").await;
    let body = json!({"category": "household_employer", "scheme": "independent", "destination": "HK", "job_type": "housekeeper"});
    let (_, e) = app.post_json(&format!("/api/v1/persons/{id}/episodes"), Some(&officer), &body).await;
    let episode = e["id"].as_i64().unwrap();
    assert!(!flagged(&e), "not flagged long before departure");
    depart(&app, episode, "2026-03-01").await;
    let (_, e) = app.get_json(&format!("/api/v1/episodes/{episode}"), Some(&officer)).await;
    assert!(flagged(&e), "departed without a membership: {e}");

    // An expired membership (ended before departure) keeps the flag.
    let expired = "nik,bpjs_number,status,valid_until\n5307015205900001,12345678901,aktif,2026-02-28\n";
    let (s, r) = csv(&app, &officer, expired).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["created"].as_u64(), r["errors"].as_array().map(Vec::len)), (Some(1), Some(0)));
    let (_, e) = app.get_json(&format!("/api/v1/episodes/{episode}"), Some(&officer)).await;
    assert!(flagged(&e), "{e}");

    // Semicolons, a byte order mark, any column order, edge rows with their row numbers.
    let file = "\u{feff}status;nik;valid_until;bpjs_number\r\n\
                aktif;5307015205900001;2027-12-31;123 4567 8901\r\n\
                aktif;5307015205900002;2027-12-31;1234567890\r\n\
                \r\n\
                aktif;5307015205900001;2027-12-31;12345678901\r\n\
                kadang;5307015205900003;2027-02-30;12345678903\r\n\
                aktif;5307015205900009;2027-12-31;12345678909\r\n\
                aktif;53070152;2027-12-31;12345678909\r\n";
    let (s, r) = csv(&app, &officer, file).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["created"].as_u64(), r["updated"].as_u64()), (Some(0), Some(1)), "{r}");
    let errors: Vec<(u64, &str, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap(), e["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, "bpjs_number", "format"),
            (5, "nik", "taken"),
            (6, "status", "one_of"),
            (6, "valid_until", "format"),
            (7, "nik", "unknown_region"),
            (8, "nik", "format"),
        ],
        "{r}"
    );
    let kpj = r["errors"][0]["message"].as_str().unwrap();
    assert_eq!(kpj, "Nomor KPJ BPJS Ketenagakerjaan harus tepat 11 angka.");
    // Valid on the departure date: the flag goes away; the person page shows the membership.
    let (_, e) = app.get_json(&format!("/api/v1/episodes/{episode}"), Some(&officer)).await;
    assert!(!flagged(&e), "{e}");
    let (_, got) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&officer)).await;
    assert_eq!(
        got["national"]["bpjs"],
        json!({"number": "12345678901", "status": "aktif", "valid_until": "2027-12-31"})
    );

    // The same file again changes nothing.
    let (_, r) = csv(&app, &officer, file).await;
    assert_eq!((r["created"].as_u64(), r["updated"].as_u64(), r["unchanged"].as_u64()), (Some(0), Some(0), Some(1)));

    // Another village's officer cannot touch this person (reads as an unknown NIK); an analyst
    // may not import; a file without the columns is refused whole.
    let (_, r) =
        csv(&app, &other, "nik,bpjs_number,status,valid_until\n5307015205900001,12345678901,nonaktif,2027-12-31\n")
            .await;
    assert_eq!(r["errors"][0]["rule"], "unknown_region", "{r}");
    assert_eq!(csv(&app, &analyst, expired).await.0, 403);
    let (s, r) = csv(&app, &officer, "nik,status\n1,2\n").await;
    assert_eq!(s, 422);
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("bpjs_number, valid_until"), "{r}");

    // Inactive now: flagged again, on the worklist and the episode page, in Indonesian.
    csv(&app, &officer, "nik,bpjs_number,status,valid_until\n5307015205900001,12345678901,nonaktif,2027-12-31\n").await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, page) = b.get(&format!("/episodes/{episode}")).await;
    assert!(page.contains("Kepesertaan BPJS Ketenagakerjaan pekerja nonaktif."), "{page}");
    let (_, worklist) = b.get("/worklist?flag=social_security_not_valid").await;
    assert!(worklist.contains(&format!("/episodes/{episode}")), "{worklist}");
    let (_, person) = b.get(&format!("/persons/{id}")).await;
    assert!(person.contains("12345678901") && person.contains("Nonaktif"), "{person}");
}

/// What the Dukcapil stand-in was asked.
#[derive(Default)]
struct StandIn {
    calls: AtomicUsize,
}

/// The Dukcapil stand-in: a tiny server with the adapter's assumed contract (crates/app/src/
/// dukcapil.rs). It answers by NIK: `…0001` all fields match; `…0002` the name and birth date
/// differ; `…0003` not in the register; `…0009` answers after two seconds (a timeout).
async fn dukcapil_stand_in() -> (String, Arc<StandIn>) {
    use axum::extract::State;
    use axum::http::HeaderMap;
    let seen = Arc::new(StandIn::default());
    async fn verify(
        State(seen): State<Arc<StandIn>>,
        headers: HeaderMap,
        axum::Json(req): axum::Json<Value>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        seen.calls.fetch_add(1, Ordering::SeqCst);
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer stand-in-token") {
            return axum::http::StatusCode::UNAUTHORIZED.into_response();
        }
        let nik = req["nik"].as_str().unwrap_or("");
        let ok = "Sesuai";
        let body = match &nik[nik.len().saturating_sub(4)..] {
            "0001" => json!({"found": true, "nik": ok, "nama_lgkp": ok, "tgl_lhr": ok, "jenis_klmin": ok}),
            "0002" => {
                json!({"found": true, "nik": ok, "nama_lgkp": "Tidak Sesuai", "tgl_lhr": "Tidak Sesuai", "jenis_klmin": ok})
            }
            "0003" => json!({"found": false}),
            _ => {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                json!({"found": true, "nik": ok, "nama_lgkp": ok, "tgl_lhr": ok, "jenis_klmin": ok})
            }
        };
        axum::Json(body).into_response()
    }
    let router = axum::Router::new().route("/verify", axum::routing::post(verify)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/verify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, seen)
}

#[tokio::test]
async fn dukcapil_adapter_against_its_stand_in() {
    let (url, seen) = dukcapil_stand_in().await;
    let app = TestApp::spawn_with(|cfg| {
        cfg.dukcapil = Some(web::dukcapil::Settings {
            url,
            auth: web::dukcapil::Auth::Bearer("stand-in-token".into()),
            timeout: std::time::Duration::from_millis(500),
        })
    })
    .await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;

    // Match.
    let (s, p) = register(&app, &officer, "5307015205900001", "Maria Goreti").await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["national"]["dukcapil"]["status"], "verified", "{p}");
    // Mismatch, naming the fields.
    let (_, p) = register(&app, &officer, "5307015205900002", "Maria Salah").await;
    assert_eq!(p["national"]["dukcapil"]["status"], "mismatch");
    assert_eq!(p["national"]["dukcapil"]["mismatched"], json!(["full_name", "birth_date"]));
    let (_, p) = register(&app, &officer, "5307015205900003", "Tidak Ada").await;
    assert_eq!(p["national"]["dukcapil"]["mismatched"], json!(["nik"]));
    // Timeout: the registration goes through, marked not verified, and says so on the page.
    let started = std::time::Instant::now();
    let (s, p) = register(&app, &officer, "5307015205900009", "Lambat Sekali").await;
    assert_eq!(s, 201, "{p}");
    assert!(started.elapsed() < std::time::Duration::from_millis(1800), "the timeout bounds the wait");
    assert_eq!(p["national"]["dukcapil"]["status"], "not_verified");
    assert_eq!(p["national"]["dukcapil"]["reason"], "timeout");
    let slow = p["id"].as_i64().unwrap();
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, page) = b.get(&format!("/persons/{slow}")).await;
    assert!(page.contains("Belum terverifikasi") && page.contains("Dukcapil tidak menjawab tepat waktu"), "{page}");
    // The officer's re-check asks again (audited) and stores the new answer.
    let before = seen.calls.load(Ordering::SeqCst);
    let (s, c) = app.post_json(&format!("/api/v1/persons/{slow}/dukcapil-check"), Some(&officer), &json!({})).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(seen.calls.load(Ordering::SeqCst), before + 1);
    assert_eq!(c["reason"], "timeout");
    let (_, audit) = app.get_json("/api/v1/audit?action=person.dukcapil_check", Some(&app.admin_token)).await;
    assert!(audit.to_string().contains("person.dukcapil_check"), "{audit}");
}

#[tokio::test]
async fn dukcapil_adapter_off_calls_nothing() {
    let (url, seen) = dukcapil_stand_in().await;
    let _ = url;
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, p) = register(&app, &officer, "5307015205900001", "Maria Goreti").await;
    assert_eq!(s, 201);
    assert!(p["national"]["dukcapil"].is_null(), "{p}");
    let id = p["id"].as_i64().unwrap();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/persons/{id}/dukcapil-check")))
        .bearer_auth(&officer)
        .header("accept-language", "id")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["message"], "Verifikasi Dukcapil belum diaktifkan di server ini.");
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
}
