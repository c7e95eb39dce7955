//! Migration episodes through the pages: opening, steps in order, documents, a refused
//! departure, a supervisor's override, risk flags, the worklist, scope.

use crate::common::{Browser, TestApp, csrf_of};
use domain::service_center::DocumentKind;
use serde_json::json;

const HOME: &str = "53.07.01.2001";

async fn setup(app: &TestApp) -> (i64, i64) {
    let (_, agency) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT Maju Bersama", "licence_number": "KEP.1/2024",
            "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    let (_, person) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti",
            "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
        )
        .await;
    (agency["id"].as_i64().unwrap(), person["id"].as_i64().unwrap())
}

async fn step(b: &Browser, episode: &str, to: &str, extra: &[(&str, &str)]) -> (u16, String) {
    let (_, page) = b.get(episode).await;
    let csrf = csrf_of(&page);
    let today = crate::common::today().to_string();
    let mut form = vec![("_csrf", csrf.as_str()), ("to", to), ("date", today.as_str())];
    form.extend_from_slice(extra);
    let r = b.post_form(&format!("{episode}/transition"), &form).await;
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

async fn verify_documents(b: &Browser, episode: &str, except: &[DocumentKind]) {
    let (_, page) = b.get(episode).await;
    let csrf = csrf_of(&page);
    for kind in DocumentKind::ALL.iter().filter(|k| !except.contains(k)) {
        let r = b
            .post_form(
                &format!("{episode}/documents"),
                &[
                    ("_csrf", &csrf),
                    ("kind", kind.as_str()),
                    ("status", "verified"),
                    ("number", "A-1"),
                    ("issued_on", "2026-01-01"),
                    ("expires_on", "2099-01-01"),
                    ("village_head_ack", "1"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{kind}");
    }
}

#[tokio::test]
async fn an_episode_from_registration_to_departure() {
    let app = TestApp::spawn().await;
    let (agency, person) = setup(&app).await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, page) = b.get(&format!("/persons/{person}")).await;
    let csrf = csrf_of(&page);
    let agency_id = agency.to_string();
    let open_form = [
        ("_csrf", csrf.as_str()),
        ("category", "household_employer"),
        ("scheme", "p3mi"),
        ("destination", "tw"),
        ("job_type", "caregiver"),
        ("agency_id", agency_id.as_str()),
        ("contract_start", "2027-01-01"),
        ("contract_end", "2029-01-01"),
    ];
    // Bad input first: an unknown country code is named.
    let mut bad = open_form.to_vec();
    bad[3] = ("destination", "Taiwan");
    let r = b.post_form(&format!("/persons/{person}/episodes"), &bad).await;
    assert_eq!(r.status().as_u16(), 422);
    let r = b.post_form(&format!("/persons/{person}/episodes"), &open_form).await;
    assert_eq!(r.status().as_u16(), 303);
    let episode = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let (_, page) = b.get(&episode).await;
    assert!(page.contains("id=\"episode-state\">Terdaftar"));

    // Out of order is refused with the rule named.
    let (s, html) = step(&b, &episode, "departed", &[]).await;
    assert_eq!(s, 422);
    assert!(html.contains("episode-errors"));
    // "Counselled" with no counselling session recorded: refused in Indonesian-facing form,
    // saying what to do; after the session is recorded on the person's page it goes through.
    let (s, html) = step(&b, &episode, "counselled", &[]).await;
    assert_eq!(s, 422);
    assert!(html.contains("episode-errors") && html.contains("Belum ada sesi konseling tercatat"), "{html}");
    let (_, page) = b.get(&format!("/persons/{person}")).await;
    let today = crate::common::today().to_string();
    let r = b
        .post_form(
            &format!("/persons/{person}/counselling"),
            &[("_csrf", &csrf_of(&page)), ("held_on", &today), ("topics", "Prosedur migrasi aman")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    for to in ["counselled", "verified"] {
        assert_eq!(step(&b, &episode, to, &[]).await.0, 303, "{to}");
    }
    // Documents due now are missing: refused, listing them.
    let (s, html) = step(&b, &episode, "documents_complete", &[]).await;
    assert_eq!(s, 422);
    assert!(html.contains("id_card") || html.contains("KTP"), "names the missing documents");

    // A document that expires before it was issued is refused, naming the field.
    let (_, page) = b.get(&episode).await;
    let csrf = csrf_of(&page);
    let r = b
        .post_form(
            &format!("{episode}/documents"),
            &[
                ("_csrf", &csrf),
                ("kind", "passport"),
                ("status", "verified"),
                ("issued_on", "2026-05-01"),
                ("expires_on", "2026-04-01"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);

    verify_documents(&b, &episode, &[DocumentKind::WorkVisa]).await;
    assert_eq!(step(&b, &episode, "documents_complete", &[]).await.0, 303);
    assert_eq!(step(&b, &episode, "placement_agreed", &[]).await.0, 303);
    // Departure with the work visa missing is refused for the village officer…
    let (s, html) = step(&b, &episode, "departed", &[]).await;
    assert_eq!(s, 422, "departure with a document missing");
    assert!(html.contains("work_visa") || html.contains("Visa kerja"));
    // …who cannot override.
    let (s, _) =
        step(&b, &episode, "departed", &[("supervisor_override", "the visa is issued on arrival in Taipei")]).await;
    assert_eq!(s, 422);

    // The regency supervisor lets it through with a reason: audited and flagged.
    app.create_user("disnaker", "regency_officer", Some("53.07")).await;
    let sup = Browser::new(&app);
    sup.login("disnaker", "a-long-password").await;
    let (s, _) = step(&sup, &episode, "departed", &[("supervisor_override", "short")]).await;
    assert_eq!(s, 422, "an override needs a real reason");
    let (s, _) =
        step(&sup, &episode, "departed", &[("supervisor_override", "the visa is issued on arrival in Taipei")]).await;
    assert_eq!(s, 303);
    let (_, page) = b.get(&episode).await;
    assert!(page.contains("id=\"episode-state\">Berangkat"));
    assert!(page.contains("id=\"flags\"") && page.contains("Dokumen kurang saat berangkat"), "flag shown");
    let (_, log) = app.get_json("/api/v1/audit?action=episode.override", Some(&app.admin_token)).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1);
    assert!(log["items"][0]["details"].as_str().unwrap().contains("Taipei"));

    // The worklist lists her with the flag; an officer of another village sees nothing.
    let (_, work) = b.get("/worklist").await;
    assert!(work.contains("Maria Goreti"));
    app.create_user("lain", "village_officer", Some("53.07.02.2001")).await;
    let other = Browser::new(&app);
    other.login("lain", "a-long-password").await;
    assert_eq!(other.get(&episode).await.0, 404);
    assert!(!other.get("/worklist").await.1.contains("Maria"));
}

#[tokio::test]
async fn prohibited_costs_and_an_unlicensed_recruiter_raise_flags() {
    let app = TestApp::spawn().await;
    let (_, person) = setup(&app).await;
    let b = Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (_, page) = b.get(&format!("/persons/{person}")).await;
    let csrf = csrf_of(&page);
    let r = b
        .post_form(
            &format!("/persons/{person}/episodes"),
            &[
                ("_csrf", &csrf),
                ("category", "household_employer"),
                ("scheme", "p3mi"),
                ("destination", "HK"),
                ("job_type", "housekeeper"),
                ("recruiter_name", "Pak Calo"),
            ],
        )
        .await;
    let episode = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let r = b
        .post_form(
            &format!("{episode}/costs"),
            &[("_csrf", &csrf), ("item", "agency_fee"), ("amount", "Rp 15.000.000")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r =
        b.post_form(&format!("{episode}/costs"), &[("_csrf", &csrf), ("item", "agency_fee"), ("amount", "-5")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let (_, page) = b.get(&episode).await;
    assert!(page.contains("Perekrut tidak berizin"), "unlicensed recruiter flagged");
    assert!(page.contains("Pekerja dibebani biaya yang dilarang"), "zero-cost violation flagged");
    assert!(page.contains("Rp 15.000.000"), "the cost shown as Indonesians write money");
}

#[tokio::test]
async fn episodes_over_the_api() {
    let app = TestApp::spawn().await;
    let (agency, person) = setup(&app).await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let other = app.user_token("lain", "village_officer", Some("53.07.02.2001")).await;
    let body = json!({"category": "household_employer", "scheme": "p3mi", "destination": "HK", "job_type": "housekeeper",
                      "agency_id": agency});
    let (s, e) = app.post_json(&format!("/api/v1/persons/{person}/episodes"), Some(&officer), &body).await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["state"], "registered");
    assert_eq!(e["next_states"], json!(["counselled", "cancelled"]));
    assert!(e["documents"].as_array().unwrap().iter().any(|d| d["kind"] == "passport" && d["present"] == false));
    let id = e["id"].as_i64().unwrap();
    assert_eq!(app.post_json(&format!("/api/v1/persons/{person}/episodes"), Some(&other), &body).await.0, 404);
    let (s, r) = app
        .post_json(&format!("/api/v1/persons/{person}/episodes"), Some(&officer), &json!({"destination": "XX9"}))
        .await;
    assert_eq!(s, 422, "{r}");

    let today = crate::common::today().to_string();
    let (s, r) = app
        .post_json(
            &format!("/api/v1/episodes/{id}/transitions"),
            Some(&officer),
            &json!({"to": "departed", "date": today}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(r["errors"][0]["field"], "to");
    let (s, r) = app
        .post_json(
            &format!("/api/v1/episodes/{id}/transitions"),
            Some(&officer),
            &json!({"to": "cancelled", "date": today}),
        )
        .await;
    assert_eq!(s, 422, "cancelling needs a reason");
    assert_eq!(r["errors"][0]["field"], "reason");
    let (s, r) = app
        .post_json(
            &format!("/api/v1/episodes/{id}/transitions"),
            Some(&officer),
            &json!({"to": "counselled", "date": today}),
        )
        .await;
    assert_eq!(s, 422, "no counselling session recorded: {r}");
    assert_eq!(r["errors"][0]["field"], "reason");
    assert_eq!(r["errors"][0]["rule"], "mismatch");
    // With the reason why, it goes through, and the audit log carries it for the supervisor.
    let (s, r) = app
        .post_json(
            &format!("/api/v1/episodes/{id}/transitions"),
            Some(&officer),
            &json!({"to": "counselled", "date": today, "reason": "Konseling di LTSA Kupang, catatan menyusul"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "counselled");
    let (_, log) =
        app.get_json("/api/v1/audit?action=episode.counselled_without_session", Some(&app.admin_token)).await;
    assert!(log.to_string().contains("LTSA Kupang"), "{log}");

    let (s, _) = app
        .post_json(
            &format!("/api/v1/episodes/{id}/costs"),
            Some(&officer),
            &json!({"item": "agency_fee", "amount_rupiah": -1}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, r) = app
        .post_json(
            &format!("/api/v1/episodes/{id}/costs"),
            Some(&officer),
            &json!({"item": "agency_fee", "amount_rupiah": 12000000}),
        )
        .await;
    assert_eq!(s, 200);
    assert!(r["flags"].as_array().unwrap().iter().any(|f| f["code"] == "zero_cost_violation"), "{r}");

    let (s, r) = app
        .put_json(
            &format!("/api/v1/episodes/{id}/documents/passport"),
            &officer,
            &json!({"status": "verified", "number": "C123", "issued_on": "2026-01-05", "expires_on": "2036-01-05"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert!(r["documents"].as_array().unwrap().iter().any(|d| d["kind"] == "passport" && d["present"] == true));
    let (s, r) = app
        .put_json(
            &format!("/api/v1/episodes/{id}/documents/family_permission"),
            &officer,
            &json!({"status": "verified"}),
        )
        .await;
    assert_eq!(s, 422, "family permission needs the village head: {r}");
    assert_eq!(app.get_json(&format!("/api/v1/episodes/{id}"), Some(&other)).await.0, 404);
    let (s, r) = app.get_json(&format!("/api/v1/episodes/{id}"), Some(&officer)).await;
    assert_eq!(s, 200);
    assert_eq!(r["events"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn only_a_selectable_job_order_of_the_same_agency_can_be_chosen() {
    let app = TestApp::spawn().await;
    let (agency, person) = setup(&app).await;
    let t = app.admin_token.clone();
    let (_, other_agency) = app
        .post_json(
            "/api/v1/agencies",
            Some(&t),
            &json!({"name": "PT Lain", "licence_number": "KEP.2/2024",
            "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    let jo = |agency: i64, reference: &str| {
        json!({"agency_id": agency, "reference": reference, "destination": "TW", "employer": "Mr Lin", "job_type": "caregiver",
               "salary_amount": 20000, "salary_currency": "TWD", "quota": 5, "valid_from": "2026-01-01", "valid_until": "2099-01-01"})
    };
    let (s, own) = app.post_json("/api/v1/job-orders", Some(&t), &jo(agency, "DL-1")).await;
    assert_eq!(s, 201, "{own}");
    let own_id = own["id"].as_i64().unwrap();
    let (_, foreign) =
        app.post_json("/api/v1/job-orders", Some(&t), &jo(other_agency["id"].as_i64().unwrap(), "DL-2")).await;
    let open = |job_order: i64| {
        json!({"category": "household_employer", "scheme": "p3mi", "destination": "TW", "job_type": "caregiver",
               "agency_id": agency, "job_order_id": job_order})
    };
    let path = format!("/api/v1/persons/{person}/episodes");
    let (s, r) = app.post_json(&path, Some(&t), &open(own_id)).await;
    assert_eq!(s, 422, "unverified job order: {r}");
    assert_eq!(r["errors"][0]["field"], "job_order_id");
    let (s, r) = app.post_json(&path, Some(&t), &open(foreign["id"].as_i64().unwrap())).await;
    assert_eq!(s, 422);
    assert!(r["errors"][0]["detail"].as_str().unwrap().contains("another agency"), "{r}");
    let (s, _) = app
        .post_json(&format!("/api/v1/job-orders/{own_id}/verification"), Some(&t), &json!({"status": "verified"}))
        .await;
    assert_eq!(s, 200);
    let (s, e) = app.post_json(&path, Some(&t), &open(own_id)).await;
    assert_eq!(s, 201, "{e}");
    assert!(!e["flags"].as_array().unwrap().iter().any(|f| f["code"] == "job_order_unverified"));
}

#[tokio::test]
async fn people_and_worklist_filter_by_step_destination_and_flag() {
    let app = TestApp::spawn().await;
    let (_, maria) = setup(&app).await;
    let t = app.admin_token.clone();
    let (_, budi) = app
        .post_json(
            "/api/v1/persons",
            Some(&t),
            &json!({"nik": "5307013101850002", "full_name": "Budi", "sex": "L",
            "birth_date": "1985-01-31", "village_code": HOME}),
        )
        .await;
    let budi = budi["id"].as_i64().unwrap();
    let open = |dest: &str, scheme: &str, recruiter: &str| {
        json!({"category": "legal_entity_employer", "scheme": scheme, "destination": dest, "job_type": "factory_worker",
               "recruiter_name": recruiter})
    };
    app.post_json(&format!("/api/v1/persons/{maria}/episodes"), Some(&t), &open("HK", "p3mi", "Pak Calo")).await;
    // Government to government: no agency, so no recruiter flag.
    let (_, e) = app.post_json(&format!("/api/v1/persons/{budi}/episodes"), Some(&t), &open("KR", "g2g", "")).await;
    let today = crate::common::today().to_string();
    app.post_json(
        &format!("/api/v1/episodes/{}/transitions", e["id"]),
        Some(&t),
        &json!({"to": "counselled", "date": today, "reason": "Konseling kelompok di kecamatan"}),
    )
    .await;

    let names = |r: &serde_json::Value| -> Vec<String> {
        r["items"].as_array().unwrap().iter().map(|p| p["full_name"].as_str().unwrap().to_string()).collect()
    };
    let (_, r) = app.get_json("/api/v1/persons?destination=hk", Some(&t)).await;
    assert_eq!(names(&r), ["Maria Goreti"]);
    let (_, r) = app.get_json("/api/v1/persons?episode_state=counselled", Some(&t)).await;
    assert_eq!(names(&r), ["Budi"]);
    let (_, r) = app.get_json("/api/v1/persons?episode_state=counselled&destination=HK", Some(&t)).await;
    assert_eq!(names(&r), Vec::<String>::new());
    assert_eq!(app.get_json("/api/v1/persons?episode_state=flying", Some(&t)).await.0, 422);

    let b = Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (_, page) = b.get("/persons?state=counselled").await;
    assert!(page.contains("Budi") && !page.contains("Maria Goreti"));
    let (_, work) = b.get("/worklist?flag=agency_not_licensed").await;
    assert!(work.contains("Maria Goreti") && !work.contains(">Budi<"), "only the unlicensed recruiter's worker");
}
