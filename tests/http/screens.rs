//! Survivor-safe screens (issue 17, docs/SURVIVOR_SAFETY.md): the quick-exit control on every
//! public and case page, NIK and phone masked until "tampilkan" (audited, scope-checked), no
//! personal data in page titles, and a printed case summary that leaves out what the survivor
//! did not agree to share. The pure rules are unit-tested in `domain::screens`.

use crate::common::{ADMIN_PASSWORD, Browser, TestApp};
use serde_json::json;

const HOME: &str = "53.07.01.2001";
const NIK: &str = "5307015205900001";
const PHONE: &str = "081234567890";
const NAME: &str = "Maria Goreti Nogo";

async fn person(app: &TestApp) -> i64 {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": NIK, "kk_number": "5307010101100002", "full_name": NAME, "sex": "P",
                    "birth_date": "1990-05-12", "village_code": HOME, "phone": PHONE,
                    "address": "Jalan Melati 7"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

async fn admin(app: &TestApp) -> Browser {
    let b = Browser::new(app);
    b.login("admin", ADMIN_PASSWORD).await;
    b
}

/// GETs `path`; `Some(html)` when the answer is an HTML page.
async fn html(b: &Browser, path: &str) -> Option<(u16, String)> {
    let r = b.client.get(format!("{}{path}", b.base)).send().await.expect("get");
    let status = r.status().as_u16();
    let html =
        r.headers().get("content-type").and_then(|c| c.to_str().ok()).is_some_and(|c| c.starts_with("text/html"));
    let body = r.text().await.expect("body");
    html.then_some((status, body))
}

fn title_of(html: &str) -> &str {
    let start = html.find("<title>").expect("a title") + "<title>".len();
    let end = html[start..].find("</title>").expect("title closed") + start;
    &html[start..end]
}

async fn audit_count(app: &TestApp, action: &str, entity_id: i64) -> usize {
    let (s, log) =
        app.get_json(&format!("/api/v1/audit?action={action}&entity_id={entity_id}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{log}");
    log["items"].as_array().map_or(0, |a| a.iter().filter(|e| e["action"] == action).count())
}

/// Every page reachable without a login (each route without a parameter, the agency check,
/// an unknown address) and every case page carries `data-quick-exit`; so does every other
/// page an account opens, since the control is in the base templates.
#[tokio::test]
async fn every_public_and_case_page_carries_the_quick_exit_control() {
    let app = TestApp::spawn().await;
    let pid = person(&app).await;
    let case = app.open_case(&app.admin_token, "trafficking_suspicion", Some(pid)).await;
    let plain: Vec<String> = web::route_paths()
        .into_iter()
        .filter(|p| !p.contains('{') && !p.starts_with("/api/v1") && p != "/netral" && p != "/logout")
        .collect();
    let anonymous = Browser::new(&app);
    let mut public_pages = vec![];
    let mut missing = vec![];
    let extra = ["/cek/NO-SUCH-CODE", "/no-such-page", "/portal/agencies?q=maju"];
    for path in plain.iter().map(String::as_str).chain(extra) {
        if let Some((status, body)) = html(&anonymous, path).await {
            if !body.contains("data-quick-exit") {
                missing.push(format!("anonymous {path} ({status})"));
            }
            if status == 200 {
                public_pages.push(path.to_string());
            }
        }
    }
    for must in ["/login", "/portal", "/portal/agencies", "/cek", "/statistik", "/api/docs"] {
        assert!(public_pages.iter().any(|p| p == must), "{must} was walked as a public page: {public_pages:?}");
    }
    let b = admin(&app).await;
    let case_pages = [
        "/cases".to_string(),
        "/cases/new".to_string(),
        format!("/cases/{case}"),
        format!("/cases/{case}/summary"),
        format!("/cases/999999"),
        format!("/persons/{pid}"),
        "/worklist".to_string(),
    ];
    let mut walked = 0;
    for path in plain.iter().cloned().chain(case_pages) {
        if let Some((status, body)) = html(&b, &path).await {
            walked += 1;
            if !body.contains("data-quick-exit") {
                missing.push(format!("admin {path} ({status})"));
            }
        }
    }
    assert!(walked > 30, "only {walked} pages walked");
    assert!(missing.is_empty(), "pages without the quick-exit control:\n{}", missing.join("\n"));
    // The control is a plain link to the neutral page when JavaScript does not run.
    let (_, page) = b.get(&format!("/cases/{case}")).await;
    assert!(page.contains(r#"<a class="quick-exit" href="/netral" data-quick-exit"#), "{page}");
    assert!(page.contains("Keluar cepat"));
    assert!(page.contains("/quick_exit.js"));
}

#[tokio::test]
async fn the_neutral_page_shows_nothing_of_the_application() {
    let app = TestApp::spawn().await;
    let r = app.client.get(app.url("/netral")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("set-cookie").is_none(), "no cookie ties the neutral page to us");
    let body = r.text().await.unwrap();
    assert!(body.contains("<title>Resep"), "{body}");
    for trace in ["Desmigratif", "Kementerian", "data-quick-exit", "favicon", "app.css", "/login", "migran"] {
        assert!(!body.contains(trace), "the neutral page mentions {trace}");
    }
    // The quick-exit script exists and replaces the history entry rather than adding one.
    let js = app.client.get(app.url(&format!("/static/{}/quick_exit.js", web::static_files::VERSION))).send().await;
    let js = js.unwrap().text().await.unwrap();
    assert!(js.contains("location.replace") && js.contains("Escape"), "{js}");
}

#[tokio::test]
async fn nik_and_phone_are_masked_until_shown_and_showing_is_audited_and_scoped() {
    let app = TestApp::spawn().await;
    let pid = person(&app).await;
    let b = admin(&app).await;
    let (s, page) = b.get(&format!("/persons/{pid}")).await;
    assert_eq!(s, 200);
    assert!(!page.contains(NIK), "the NIK is masked on the person's page");
    assert!(!page.contains(PHONE), "the phone is masked");
    assert!(!page.contains("5307010101100002"), "the KK number is masked");
    assert!(page.contains("5307••••••••0001"), "{page}");
    assert!(page.contains("0812••••890"), "{page}");
    assert!(page.contains(r#"data-reveal="nik""#) && page.contains("tampilkan"));
    assert_eq!(audit_count(&app, "person.reveal_nik", pid).await, 0);

    // Without JavaScript: the form's answer is a page with the value, and one audit entry.
    let csrf = b.csrf().await;
    let reveal = format!("/persons/{pid}/reveal");
    let r = b.post_form(&reveal, &[("_csrf", &csrf), ("field", "nik")]).await;
    assert_eq!(r.status(), 200);
    let shown = r.text().await.unwrap();
    assert!(shown.contains(NIK) && shown.contains("data-quick-exit"), "{shown}");
    assert!(!title_of(&shown).contains(NIK) && !title_of(&shown).contains(NAME));
    assert_eq!(audit_count(&app, "person.reveal_nik", pid).await, 1);
    // With htmx: only the value, to replace the mask.
    let r = b
        .client
        .post(app.url(&reveal))
        .header("HX-Request", "true")
        .form(&[("_csrf", csrf.as_str()), ("field", "phone")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), format!(r#"<span class="revealed" data-revealed="phone">{PHONE}</span>"#));
    assert_eq!(audit_count(&app, "person.reveal_phone", pid).await, 1);
    assert_eq!(audit_count(&app, "person.reveal_nik", pid).await, 1, "each field its own action");

    // A field that is not maskable is named; a form without the session's token is refused.
    let r = b.post_form(&reveal, &[("_csrf", &csrf), ("field", "address")]).await;
    assert_eq!(r.status(), 422);
    let refusal = r.text().await.unwrap();
    assert!(refusal.contains("Data yang ditampilkan: pilih salah satu"), "{refusal}");
    let r = b.post_form(&reveal, &[("_csrf", "forged"), ("field", "nik")]).await;
    assert_eq!(r.status(), 403);

    // Scope through the one door: outside the village it does not exist; a facilitator sees
    // phones but never identity numbers; a partner sees no one.
    for (user, role, region) in [
        ("lain", "village_officer", Some("53.07.02.2001")),
        ("fasil", "facilitator", Some(HOME)),
        ("mitra", "partner", None),
    ] {
        if role == "partner" {
            app.partner_account(user, None).await;
        } else {
            app.create_user(user, role, region).await;
        }
        let other = Browser::new(&app);
        other.login(user, "a-long-password").await;
        let csrf = other.csrf().await;
        let nik = other.post_form(&reveal, &[("_csrf", &csrf), ("field", "nik")]).await.status().as_u16();
        let phone = other.post_form(&reveal, &[("_csrf", &csrf), ("field", "phone")]).await.status().as_u16();
        match role {
            "facilitator" => assert_eq!((nik, phone), (403, 200), "{user}"),
            _ => assert!(matches!(nik, 403 | 404) && matches!(phone, 403 | 404), "{user}: {nik} {phone}"),
        }
    }
    assert_eq!(audit_count(&app, "person.reveal_nik", pid).await, 1, "refused reveals leave no reveal entry");

    // The API's contract is unchanged: authorised clients get the full values.
    let (s, p) = app.get_json(&format!("/api/v1/persons/{pid}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    assert_eq!((p["nik"].as_str(), p["phone"].as_str()), (Some(NIK), Some(PHONE)), "{p}");
}

/// The pages of a known person, their placement, case and child never put the name or the NIK
/// in `<title>` (a browser tab, the window list of a shared screen, the history).
#[tokio::test]
async fn page_titles_carry_no_name_or_nik() {
    let app = TestApp::spawn().await;
    let pid = person(&app).await;
    let case = app.open_case(&app.admin_token, "abuse", Some(pid)).await;
    let (s, agency) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT Maju Bersama", "licence_number": "KEP.1/2024",
                    "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{agency}");
    let (s, ep) = app
        .post_json(
            &format!("/api/v1/persons/{pid}/episodes"),
            Some(&app.admin_token),
            &json!({"category": "household_employer", "scheme": "p3mi", "destination": "HK",
                    "job_type": "housekeeper", "agency_id": agency["id"]}),
        )
        .await;
    assert_eq!(s, 201, "{ep}");
    let birth = (crate::common::today() - time::Duration::days(3650)).to_string();
    let (s, child) = app
        .post_json(
            "/api/v1/children",
            Some(&app.admin_token),
            &json!({"full_name": "Yohanes Nogo", "birth_date": birth, "sex": "L", "village_code": HOME,
                    "parent_person_ids": [pid], "caregiver": "grandparent"}),
        )
        .await;
    assert_eq!(s, 201, "{child}");
    let b = admin(&app).await;
    let pages = [
        format!("/persons/{pid}"),
        format!("/persons/{pid}/edit"),
        format!("/persons/{pid}/privacy"),
        format!("/cases/{case}"),
        format!("/cases/{case}/summary"),
        format!("/episodes/{}", ep["id"]),
        format!("/children/{}", child["id"]),
        "/persons?q=Maria".to_string(),
    ];
    for path in &pages {
        let (s, page) = b.get(path).await;
        assert_eq!(s, 200, "{path}");
        let title = title_of(&page);
        for secret in [NAME, "Maria", "Nogo", NIK, "Yohanes"] {
            assert!(!title.contains(secret), "{path}: title `{title}` shows {secret}");
        }
    }
    let (_, page) = b.get(&format!("/persons/{pid}")).await;
    assert!(title_of(&page).contains(&format!("Berkas orang #{pid}")), "{}", title_of(&page));
    let (_, page) = b.get(&format!("/cases/{case}")).await;
    assert!(title_of(&page).contains(&format!("Berkas kasus #{case}")), "{}", title_of(&page));
}

/// The printed summary carries of the person only what a recorded consent lets the survivor's
/// data be shared for, says what was left out, and is audited; the PDF is the same model.
#[tokio::test]
async fn the_printed_case_summary_leaves_out_what_the_survivor_did_not_agree_to_share() {
    let app = TestApp::spawn().await;
    let pid = person(&app).await;
    let case = app.open_case(&app.admin_token, "trafficking_suspicion", Some(pid)).await;
    let b = admin(&app).await;
    let summary = format!("/cases/{case}/summary");
    let narrative = "Recruited by a broker for work in Cambodia";

    // No consent: no name, NIK, phone, address or narrative; the printout says so.
    let (s, page) = b.get(&summary).await;
    assert_eq!(s, 200);
    for secret in [NAME, NIK, PHONE, "Jalan Melati", narrative] {
        assert!(!page.contains(secret), "printed without consent: {secret}");
    }
    assert!(page.contains("Data yang tidak dicetak"), "{page}");
    assert!(page.contains("identitas (nama, NIK"));
    assert!(page.contains("kontak (telepon"));
    assert!(page.contains("Dugaan"), "the case itself is printed: {page}");

    // Consent to share contact only: the phone and address, not the identity.
    let csrf = b.csrf().await;
    let consent = |scope: &'static str, granted: &'static str| {
        let b = &b;
        let csrf = csrf.clone();
        let today = crate::common::today().to_string();
        async move {
            let r = b
                .post_form(
                    &format!("/persons/{pid}/consents"),
                    &[
                        ("_csrf", &csrf),
                        ("data_scope", scope),
                        ("recipient", "IOM Kupang"),
                        ("granted", granted),
                        ("given_on", &today),
                    ],
                )
                .await;
            assert_eq!(r.status(), 303, "consent {scope}");
        }
    };
    consent("contact", "1").await;
    let (_, page) = b.get(&summary).await;
    assert!(page.contains(PHONE) && page.contains("Jalan Melati 7"), "contact is shared: {page}");
    assert!(!page.contains(NAME) && !page.contains(NIK) && !page.contains(narrative));
    assert!(page.contains("identitas (nama, NIK") && !page.contains("kontak (telepon"));
    assert!(page.contains("IOM Kupang"), "the consent relied on is named");

    // Consent to share the case: everything, and nothing is said to be left out.
    consent("case", "1").await;
    let (_, page) = b.get(&summary).await;
    for shown in [NAME, NIK, PHONE, narrative] {
        assert!(page.contains(shown), "shared under consent: {shown}");
    }
    assert!(!page.contains("Data yang tidak dicetak"));

    // A later refusal withdraws it.
    consent("case", "0").await;
    let (_, page) = b.get(&summary).await;
    assert!(!page.contains(NAME) && !page.contains(NIK) && page.contains("identitas (nama, NIK"));

    // The PDF is the same summary; every print is audited.
    let r = b.client.get(app.url(&format!("{summary}?format=pdf"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    assert_eq!(audit_count(&app, "case.print", case).await, 5);

    // Whoever may not open the case gets the same 404 as for a case that does not exist.
    app.create_user("desa", "village_officer", Some(HOME)).await;
    let officer = Browser::new(&app);
    officer.login("desa", "a-long-password").await;
    assert_eq!(officer.get(&summary).await.0, 404);
    assert_eq!(officer.get("/cases/999999/summary").await.0, 404);
}
