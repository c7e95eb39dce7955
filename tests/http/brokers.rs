//! Broker reports (issue 17): the public contract without a token (receipt, additions, no
//! address stored, rate limit), the restriction matrix through every door (list, detail,
//! registry, hot spots), merging by phone, and the episode flag by name and by link.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
/// Another district of the same regency.
const OTHER: &str = "53.07.02.2001";

fn report(name: &str, phone: &str, village: &str) -> Value {
    json!({"broker_name": name, "broker_phone": phone, "village_code": village,
           "description": "Menawarkan kerja di Malaysia tanpa P3MI dan meminta uang"})
}

async fn partner_ids(app: &TestApp) -> (i64, i64) {
    let (_, list) = app.get_json("/api/v1/partners", Some(&app.admin_token)).await;
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().filter_map(|p| p["id"].as_i64()).collect();
    (ids[0], ids[1])
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_public_report_gets_a_receipt_stores_no_address_and_takes_additions() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(app.url("/api/v1/public/broker-reports"))
        .header("x-forwarded-for", "203.0.113.77")
        .header("user-agent", "SpyPhone/9.9")
        .json(&json!({"broker_name": "Pak Joko", "broker_phone": "+62 812-3456-7890", "village_code": HOME,
                      "description": "Meminta Rp 5.000.000 dan menahan KTP", "money_asked": "Rp 5.000.000",
                      "documents_taken": ["ktp"], "reporter_contact": "0813 1111 2222"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let body: Value = r.json().await.unwrap();
    let receipt = body["receipt"].as_str().unwrap().to_string();
    assert_eq!(receipt.len(), 11, "short enough to write down: {receipt}");
    assert!(body.get("id").is_none(), "the public learns no internal id: {body}");

    // The stored row holds what was typed, nothing about the sender's connection.
    let rows = store::brokers::list(&app.db, &Default::default(), 10, None).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = serde_json::to_string(&rows[0]).unwrap();
    assert!(!row.contains("203.0.113") && !row.contains("127.0.0.1") && !row.contains("SpyPhone"), "{row}");
    assert_eq!(rows[0].money_asked, Some(5_000_000));
    assert_eq!(rows[0].broker_phones, "081234567890");
    assert_eq!(rows[0].reporter_user_id, None);
    let (_, log) = app.get_json("/api/v1/audit?action=broker_report.", Some(&app.admin_token)).await;
    let entries = items(&log);
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["actor"], "public");
    assert_eq!(entries[0]["ip"], "", "{log}");
    assert_eq!(entries[0]["request_id"], "", "{log}");
    assert!(!log.to_string().contains("SpyPhone") && !log.to_string().contains("203.0.113"));

    // The receipt, typed in lower case with a space, adds information without a login.
    let typed = receipt.to_lowercase().replace('-', " ");
    let (s, status) = app.get_json(&format!("/api/v1/public/broker-reports/{typed}"), None).await;
    assert_eq!(s, 200, "{status}");
    assert_eq!(status["handled"], false);
    let (s, added) = app
        .post_json(
            &format!("/api/v1/public/broker-reports/{receipt}/additions"),
            None,
            &json!({"text": "Dia datang lagi hari Senin dengan mobil putih."}),
        )
        .await;
    assert_eq!(s, 201, "{added}");
    assert_eq!(added["additions"], 1);
    let (s, e) =
        app.post_json(&format!("/api/v1/public/broker-reports/{receipt}/additions"), None, &json!({"text": " "})).await;
    assert_eq!((s, e["errors"][0]["field"].as_str()), (422, Some("text")), "{e}");
    let (s, _) = app.get_json("/api/v1/public/broker-reports/ABCDE-FGH23", None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn public_reports_are_rate_limited_with_retry_after() {
    let app = TestApp::spawn().await;
    // Refusals name the field; never a 500. A refused report counts against the limit too.
    let (s, e) = app
        .post_json(
            "/api/v1/public/broker-reports",
            None,
            &json!({"broker_name": "", "broker_phone": "", "village_code": "99.99.99.9999", "description": ""}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().filter_map(|f| f["field"].as_str()).collect();
    assert!(fields.contains(&"broker_name") && fields.contains(&"description"), "{e}");
    for i in 1..web::brokers::PUBLIC_BURST {
        let (s, b) = app
            .post_json("/api/v1/public/broker-reports", None, &report("Calo", &format!("0812000000{i:02}"), HOME))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let r =
        app.client.post(app.url("/api/v1/public/broker-reports")).json(&report("Calo", "", HOME)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait >= 1, "{wait}");
}

#[tokio::test]
async fn broker_reports_restriction_matrix() {
    let app = TestApp::spawn().await;
    let (partner_a, partner_b) = partner_ids(&app).await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let other = app.user_token("lain", "village_officer", Some(OTHER)).await;
    let regency = app.user_token("kabupaten", "regency_officer", Some("53.07")).await;
    let analyst = app.user_token("analis", "national_analyst", None).await;
    let coop = app.user_token("koperasi", "cooperative_manager", Some(HOME)).await;
    let (_, partner) = app.partner_account("mitra", Some(partner_a)).await;
    let (_, partner_other) = app.partner_account("mitra2", Some(partner_b)).await;

    // No account: 401.
    let (s, _) = app.get_json("/api/v1/broker-reports", None).await;
    assert_eq!(s, 401);

    // A public report with a contact, the same broker by phone under another name, and a partner's report.
    let mut public = report("Pak Joko", "0812-3456-7890", HOME);
    public["reporter_contact"] = json!("Ibu Sari 0813 9999 0000");
    let (s, _) = app.post_json("/api/v1/public/broker-reports", None, &public).await;
    assert_eq!(s, 201);
    let (s, mine) =
        app.post_json("/api/v1/broker-reports", Some(&officer), &report("Joko Kumis", "62 812 3456 7890", HOME)).await;
    assert_eq!(s, 201, "{mine}");
    let (s, by_partner) =
        app.post_json("/api/v1/broker-reports", Some(&partner), &report("Bu Tini", "0877 1234 5678", HOME)).await;
    assert_eq!(s, 201, "{by_partner}");
    let (s, _) = app.post_json("/api/v1/broker-reports", Some(&coop), &report("X", "", HOME)).await;
    assert_eq!(s, 403, "cooperative managers do not report brokers");
    let (s, _) = app.post_json("/api/v1/broker-reports", Some(&other), &report("X", "", HOME)).await;
    assert_eq!(s, 403, "a village outside the officer's scope");

    // List: the home officer and the regency see all three; the other village none.
    let (_, l) = app.get_json("/api/v1/broker-reports", Some(&officer)).await;
    assert_eq!(items(&l).len(), 3, "{l}");
    assert!(items(&l).iter().all(|r| r.get("reporter_contact").is_none()), "lists never carry the contact: {l}");
    let (_, l) = app.get_json("/api/v1/broker-reports", Some(&regency)).await;
    assert_eq!(items(&l).len(), 3);
    let (s, l) = app.get_json("/api/v1/broker-reports", Some(&other)).await;
    assert_eq!((s, items(&l).len()), (200, 0), "{l}");
    let (s, _) = app.get_json(&format!("/api/v1/broker-reports?region_code={HOME}"), Some(&other)).await;
    assert_eq!(s, 403);
    // Partners: only what their organisation sent.
    let (_, l) = app.get_json("/api/v1/broker-reports", Some(&partner)).await;
    assert_eq!(items(&l).len(), 1, "{l}");
    assert_eq!(items(&l)[0]["broker_name"], "Bu Tini");
    let (_, l) = app.get_json("/api/v1/broker-reports", Some(&partner_other)).await;
    assert_eq!(items(&l).len(), 0, "{l}");
    let (s, _) = app.get_json("/api/v1/broker-reports", Some(&coop)).await;
    assert_eq!(s, 403);
    let (s, l) = app.get_json("/api/v1/broker-reports?limit=0", Some(&officer)).await;
    assert_eq!((s, l["errors"][0]["field"].as_str()), (422, Some("limit")));
    // Paged.
    let (_, page1) = app.get_json("/api/v1/broker-reports?limit=2", Some(&officer)).await;
    assert_eq!(items(&page1).len(), 2);
    let next = page1["next_before"].as_i64().expect("a next page");
    let (_, page2) = app.get_json(&format!("/api/v1/broker-reports?limit=2&before={next}"), Some(&officer)).await;
    assert_eq!(items(&page2).len(), 1);

    // Detail: the public report has no handler yet, so no one sees the contact.
    let public_id = items(&page2)[0]["id"].as_i64().unwrap();
    let (s, d) = app.get_json(&format!("/api/v1/broker-reports/{public_id}"), Some(&officer)).await;
    assert_eq!(s, 200, "{d}");
    assert!(d.get("reporter_contact").is_none(), "{d}");
    for t in [&other, &partner, &coop] {
        let (s, _) = app.get_json(&format!("/api/v1/broker-reports/{public_id}"), Some(t)).await;
        assert_eq!(s, 404);
    }
    let (s, _) = app.post_json(&format!("/api/v1/broker-reports/{public_id}/take"), Some(&other), &json!({})).await;
    assert_eq!(s, 404);
    // The officer takes it: now they, and only they, see the contact, and the view is audited.
    let (s, d) = app.post_json(&format!("/api/v1/broker-reports/{public_id}/take"), Some(&officer), &json!({})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["reporter_contact"], "Ibu Sari 0813 9999 0000");
    let (_, d) = app.get_json(&format!("/api/v1/broker-reports/{public_id}"), Some(&regency)).await;
    assert!(d.get("reporter_contact").is_none(), "not the handler: {d}");
    let (_, log) = app
        .get_json(
            &format!("/api/v1/audit?action=broker_report.view_contact&entity_id={public_id}"),
            Some(&app.admin_token),
        )
        .await;
    assert_eq!(items(&log).len(), 1, "{log}");
    // The partner's own report: visible to it, never its contact-free handling.
    let partner_report = by_partner["id"].as_i64().unwrap();
    let (s, _) = app.get_json(&format!("/api/v1/broker-reports/{partner_report}"), Some(&partner)).await;
    assert_eq!(s, 200);
    let (s, _) = app.get_json(&format!("/api/v1/broker-reports/{partner_report}"), Some(&partner_other)).await;
    assert_eq!(s, 404);

    // The registry: the two Joko reports are one broker with both names.
    assert_eq!(mine["broker_id"], d["broker_id"], "same phone, same broker");
    let broker = mine["broker_id"].as_i64().unwrap();
    let (s, b) = app.get_json(&format!("/api/v1/brokers/{broker}"), Some(&officer)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["name"], "Pak Joko");
    assert_eq!(b["aliases"], json!(["Joko Kumis"]));
    assert_eq!(b["reports"], 2);
    let (_, l) = app.get_json("/api/v1/brokers", Some(&officer)).await;
    assert_eq!(items(&l).len(), 2, "{l}");
    let (_, l) = app.get_json("/api/v1/brokers", Some(&other)).await;
    assert_eq!(items(&l).len(), 0, "{l}");
    for t in [&other, &analyst] {
        let (s, _) = app.get_json(&format!("/api/v1/brokers/{broker}"), Some(t)).await;
        assert_eq!(s, 404);
    }
    let (s, _) = app.get_json("/api/v1/brokers", Some(&partner)).await;
    assert_eq!(s, 403);

    // Hot spots: supervisors only, small counts as "<5".
    let (s, h) = app.get_json("/api/v1/broker-reports/hot-spots", Some(&analyst)).await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(items(&h).len(), 1);
    assert_eq!(items(&h)[0]["district_code"], "53.07.01");
    assert_eq!(items(&h)[0]["reports"], "<5");
    let (s, _) = app.get_json("/api/v1/broker-reports/hot-spots", Some(&regency)).await;
    assert_eq!(s, 200);
    for t in [&officer, &partner, &coop] {
        let (s, _) = app.get_json("/api/v1/broker-reports/hot-spots", Some(t)).await;
        assert_eq!(s, 403);
    }
}

#[tokio::test]
async fn an_episode_whose_recruiter_is_a_reported_broker_is_flagged() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (_, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&officer),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
        )
        .await;
    let person = p["id"].as_i64().unwrap();
    let open = |recruiter: &str| {
        json!({"category": "household_employer", "scheme": "independent", "destination": "MY",
               "job_type": "housekeeper", "recruiter_name": recruiter})
    };
    let (s, named) =
        app.post_json(&format!("/api/v1/persons/{person}/episodes"), Some(&officer), &open("Pak  joko")).await;
    assert_eq!(s, 201, "{named}");
    let (_, unnamed) =
        app.post_json(&format!("/api/v1/persons/{person}/episodes"), Some(&officer), &open("Bang Ucok")).await;
    let flag =
        |e: &Value| e["flags"].as_array().unwrap().iter().find(|f| f["code"] == "recruiter_reported_broker").cloned();
    assert!(flag(&named).is_none(), "nobody reported yet");

    let (s, r) =
        app.post_json("/api/v1/public/broker-reports", None, &report("Pak Joko", "0812 3456 7890", HOME)).await;
    assert_eq!(s, 201, "{r}");
    // The name matches a broker reported in the episode's district.
    let (_, e) = app.get_json(&format!("/api/v1/episodes/{}", named["id"]), Some(&officer)).await;
    let f = flag(&e).expect("flagged by name");
    assert!(f["explanation"].as_str().unwrap().contains("matches the broker \"Pak Joko\""), "{f}");
    let (_, e) = app.get_json(&format!("/api/v1/episodes/{}", unnamed["id"]), Some(&officer)).await;
    assert!(flag(&e).is_none());

    // Linked by the officer: flagged, and the worklist filters by it.
    let (_, l) = app.get_json("/api/v1/brokers", Some(&officer)).await;
    let broker = items(&l)[0]["id"].as_i64().unwrap();
    let other = app.user_token("lain", "village_officer", Some(OTHER)).await;
    let (s, _) = app
        .post_json(&format!("/api/v1/brokers/{broker}/episodes"), Some(&other), &json!({"episode_id": unnamed["id"]}))
        .await;
    assert_eq!(s, 404, "another region's officer does not see the broker");
    let (s, e) = app
        .post_json(&format!("/api/v1/brokers/{broker}/episodes"), Some(&officer), &json!({"episode_id": 999999}))
        .await;
    assert_eq!((s, e["errors"][0]["field"].as_str()), (422, Some("episode_id")), "{e}");
    let (s, b) = app
        .post_json(&format!("/api/v1/brokers/{broker}/episodes"), Some(&officer), &json!({"episode_id": unnamed["id"]}))
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["episode_ids"], json!([unnamed["id"]]));
    let (s, _) = app
        .post_json(&format!("/api/v1/brokers/{broker}/episodes"), Some(&officer), &json!({"episode_id": unnamed["id"]}))
        .await;
    assert_eq!(s, 200, "already linked");
    let (_, e) = app.get_json(&format!("/api/v1/episodes/{}", unnamed["id"]), Some(&officer)).await;
    let f = flag(&e).expect("flagged by link");
    assert!(f["explanation"].as_str().unwrap().starts_with("An officer linked the recruiter"), "{f}");

    // A case too.
    let case = app.open_case(&officer, "trafficking_suspicion", Some(person)).await;
    let (s, b) =
        app.post_json(&format!("/api/v1/brokers/{broker}/cases"), Some(&officer), &json!({"case_id": case})).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["case_ids"], json!([case]));

    // The episode page explains the flag in Indonesian.
    let web = Browser::new(&app);
    web.login("petugas", "a-long-password").await;
    let (_, page) = web.get(&format!("/episodes/{}", unnamed["id"])).await;
    assert!(page.contains("Perekrut dilaporkan sebagai calo"), "{page}");
    assert!(page.contains("Petugas menautkan perekrut ke calo «Pak Joko»"), "{page}");
}

#[tokio::test]
async fn the_portal_form_works_without_script_and_keeps_typed_values() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    let (s, page) = b.get("/portal/lapor-calo").await;
    assert_eq!(s, 200);
    // The one script is the quick exit's (issue 17), which only improves a plain link.
    let scripts = page.matches("<script").count();
    assert!(scripts == 0 || (scripts == 1 && page.contains("/quick_exit.js")), "no script needed");
    let csrf = csrf_of(&page);
    let r = b
        .post_form(
            "/portal/lapor-calo",
            &[
                ("_csrf", &csrf),
                ("broker_name", "Pak Joko"),
                ("village_code", HOME),
                ("money_asked", "lima juta"),
                ("description", "Meminta uang"),
                ("doc_ktp", "on"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"lima juta\"") && html.contains("name=\"doc_ktp\" checked"), "typed values kept");
    assert!(html.contains("Uang yang diminta"), "{html}");
    let r = b
        .post_form(
            "/portal/lapor-calo",
            &[
                ("_csrf", &csrf),
                ("broker_name", "Pak Joko"),
                ("village_code", HOME),
                ("money_asked", "5.000.000"),
                ("description", "Meminta uang"),
                ("doc_ktp", "on"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let start = html.find("id=\"receipt\">").unwrap() + "id=\"receipt\">".len();
    let receipt = html[start..start + 11].to_string();
    let r = b
        .post_form(
            "/portal/lapor-calo/tambah",
            &[("_csrf", &csrf), ("receipt", &receipt), ("information", "Mobil putih")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    assert!(r.text().await.unwrap().contains("Informasi sudah ditambahkan"));
    // Without the form's token: refused.
    let r = b.post_form("/portal/lapor-calo", &[("_csrf", "x"), ("broker_name", "A")]).await;
    assert_eq!(r.status().as_u16(), 403);
    let rows = store::brokers::list(&app.db, &Default::default(), 10, None).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].documents_taken, "ktp");
}
