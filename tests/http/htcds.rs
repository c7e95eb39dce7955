//! HTCDS referral without a shared server (issue 17; docs/HTCDS.md): export under consent,
//! 404 to whoever may not open the case, Ed25519 signature checked against the registered
//! partner key, tampering refused, import preview and confirm — and the round trip between two
//! servers (two databases, two signing keys) on this machine.

use crate::common::{Browser, TestApp, today};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const NIK: &str = "5307015205900001";

async fn person(app: &TestApp, nik: &str) -> i64 {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": nik, "full_name": "Maria Goreti Bria", "sex": "P", "birth_date": "1990-05-12",
                    "village_code": HOME, "phone": "081234567890"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

/// Records a consent on the person's page, as an officer would.
async fn consent(app: &TestApp, person: i64, scope: &str, granted: bool) {
    let b = Browser::new(app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    let csrf = b.csrf().await;
    let given = today().to_string();
    let r = b
        .post_form(
            &format!("/persons/{person}/consents"),
            &[
                ("_csrf", &csrf),
                ("data_scope", scope),
                ("recipient", "IOM Kupang"),
                ("granted", if granted { "1" } else { "0" }),
                ("given_on", &given),
            ],
        )
        .await;
    assert!(r.status().is_redirection() || r.status().is_success(), "consent: {}", r.status());
}

/// A trafficking case of `person` with an assessment.
async fn trafficking_case(app: &TestApp, officer: &str, person: Option<i64>) -> i64 {
    let id = app.open_case(officer, "trafficking_suspicion", person).await;
    let (s, c) = app
        .put_json(
            &format!("/api/v1/cases/{id}/trafficking"),
            officer,
            &json!({"process": ["recruitment", "transport"], "means": ["deception", "debt_bondage"],
                    "purpose": ["forced_labour"], "form": "online_scam_compound", "victim_age_at_time": "24",
                    "screening_result": "victim_identified"}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    id
}

fn keys_of(doc: &Value) -> Vec<String> {
    doc.as_object().expect("document object").keys().cloned().collect()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

/// Registers `from`'s public key as a partner key on `to`.
async fn register(from: &TestApp, to: &TestApp, name: &str) {
    let (s, k) = from.get_json("/api/v1/htcds/public-key", Some(&from.admin_token)).await;
    assert_eq!(s, 200, "{k}");
    assert_eq!(k["algorithm"], "Ed25519");
    assert!(k.get("secret").is_none() && k.as_object().unwrap().len() == 5, "{k}");
    let (s, r) = to
        .post_json(
            "/api/v1/htcds/partner-keys",
            Some(&to.admin_token),
            &json!({"name": name, "public_key": k["public_key"]}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["key_id"], k["key_id"]);
}

#[tokio::test]
async fn identity_only_under_consent_and_404_for_others() {
    let app = TestApp::spawn().await;
    let maria = person(&app, NIK).await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let case = trafficking_case(&app, &officer, Some(maria)).await;
    let path = format!("/api/v1/cases/{case}/htcds");

    // No consent recorded: vic_ and cas_ fields, no prs_, con_Consent false.
    let (s, env) = app.get_json(&path, Some(&officer)).await;
    assert_eq!(s, 200, "{env}");
    assert_eq!(env["format"], "htcds-2.0+ed25519-v1");
    let doc = &env["document"];
    let keys = keys_of(doc);
    assert!(keys.iter().any(|k| k.starts_with("vic_")) && keys.iter().any(|k| k.starts_with("cas_")), "{keys:?}");
    assert!(!keys.iter().any(|k| k.starts_with("prs_")), "{keys:?}");
    assert_eq!(doc["con_Consent"], json!(false));
    assert_eq!(doc["vic_TraffickingStatus"], "ActualVictimOfTrafficking");
    assert_eq!(doc["vic_TypeOfExploitation"], json!(["ForcedLabour"]));
    assert_eq!(doc["vic_MethodsOfControl"], json!(["FalsePromises", "DebtBondage"]));
    assert_eq!(doc["cas_Status"], "Active");
    assert!(!env.to_string().contains(NIK) && !env.to_string().contains("Maria"), "{env}");

    // Consent to some other scope does not open the identity; consent to the case does.
    consent(&app, maria, "health", true).await;
    let (_, env) = app.get_json(&path, Some(&officer)).await;
    assert!(!keys_of(&env["document"]).iter().any(|k| k.starts_with("prs_")));
    consent(&app, maria, "case", true).await;
    let (s, env) = app.get_json(&format!("{path}?receiver=IOM%20Kupang"), Some(&officer)).await;
    assert_eq!(s, 200, "{env}");
    let doc = &env["document"];
    assert_eq!(doc["con_Consent"], json!(true));
    assert_eq!(doc["prs_IdentityNumber"], NIK);
    assert_eq!(doc["prs_FirstName"], "Maria");
    assert_eq!(doc["prs_Gender"], "Feminine");
    assert_eq!(doc["cas_ReferredOrganisation"], "IOM Kupang");
    // A later refusal withdraws it.
    consent(&app, maria, "case", false).await;
    let (_, env) = app.get_json(&path, Some(&officer)).await;
    assert_eq!(env["document"]["con_Consent"], json!(false));
    assert!(!keys_of(&env["document"]).iter().any(|k| k.starts_with("prs_")));

    // Whoever may not open the case gets the answer of a case that does not exist.
    let other = app.user_token("lain", "village_officer", Some("53.07.02.2001")).await;
    let analyst = app.user_token("analis", "national_analyst", None).await;
    let (_, partner) = app.partner_account("mitra", None).await;
    for (who, token) in [("other village", &other), ("analyst", &analyst), ("partner", &partner)] {
        let (s, body) = app.get_json(&path, Some(token)).await;
        assert_eq!(s, 404, "{who}: {body}");
    }
    let (s, _) = app.get_json("/api/v1/cases/999999/htcds", Some(&officer)).await;
    assert_eq!(s, 404);
    let (s, _) = app.get_json(&path, None).await;
    assert_eq!(s, 401);

    // Every export is audited, saying whether the identity went.
    let (_, audit) = app.get_json("/api/v1/audit?action=case.htcds_export", Some(&app.admin_token)).await;
    let text = audit.to_string();
    assert!(text.contains("identity=true") && text.contains("identity=false"), "{text}");
}

#[tokio::test]
async fn partner_keys_are_for_admins_and_checked() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, _) = app.get_json("/api/v1/htcds/public-key", Some(&officer)).await;
    assert_eq!(s, 200);
    let (s, _) = app.get_json("/api/v1/htcds/partner-keys", Some(&officer)).await;
    assert_eq!(s, 403);
    let (s, _) =
        app.post_json("/api/v1/htcds/partner-keys", Some(&officer), &json!({"name": "X", "public_key": "AAAA"})).await;
    assert_eq!(s, 403);
    let (s, body) = app
        .post_json(
            "/api/v1/htcds/partner-keys",
            Some(&app.admin_token),
            &json!({"name": "I", "public_key": "not a key"}),
        )
        .await;
    assert_eq!((s, fields(&body)), (422, vec!["name".to_string(), "public_key".to_string()]), "{body}");
    // The same key twice is refused.
    let other = TestApp::spawn().await;
    register(&other, &app, "IOM Kupang").await;
    let (_, k) = other.get_json("/api/v1/htcds/public-key", Some(&other.admin_token)).await;
    let (s, body) = app
        .post_json(
            "/api/v1/htcds/partner-keys",
            Some(&app.admin_token),
            &json!({"name": "Again", "public_key": k["public_key"]}),
        )
        .await;
    assert_eq!((s, fields(&body)), (422, vec!["public_key".to_string()]), "{body}");
    let (s, list) = app.get_json("/api/v1/htcds/partner-keys", Some(&app.admin_token)).await;
    assert_eq!((s, list.as_array().map(Vec::len)), (200, Some(1)), "{list}");
}

/// The round trip: two servers on this machine, each with its own database and key.
/// Server A exports (with consent), server B checks the signature against A's registered key,
/// previews field by field, imports; tampering and unknown senders are refused.
#[tokio::test]
async fn round_trip_between_two_servers() {
    let a = TestApp::spawn().await;
    let b = TestApp::spawn().await;
    let (_, ka) = a.get_json("/api/v1/htcds/public-key", Some(&a.admin_token)).await;
    let (_, kb) = b.get_json("/api/v1/htcds/public-key", Some(&b.admin_token)).await;
    assert_ne!(ka["key_id"], kb["key_id"], "two servers, two keys");

    let maria_a = person(&a, NIK).await;
    consent(&a, maria_a, "all", true).await;
    let officer_a = a.user_token("petugas", "village_officer", Some(HOME)).await;
    let case_a = trafficking_case(&a, &officer_a, Some(maria_a)).await;
    let (s, env) = a.get_json(&format!("/api/v1/cases/{case_a}/htcds"), Some(&officer_a)).await;
    assert_eq!(s, 200, "{env}");

    // B knows the same woman by NIK; its officer imports.
    let maria_b = person(&b, NIK).await;
    let officer_b = b.user_token("petugas", "village_officer", Some(HOME)).await;
    let body = json!({"envelope": env, "village_code": HOME});

    // Unknown sender: refused naming key_id.
    let (s, r) = b.post_json("/api/v1/imports/htcds", Some(&officer_b), &body).await;
    assert_eq!((s, fields(&r)), (422, vec!["key_id".to_string()]), "{r}");
    register(&a, &b, "Dinas Kupang (server A)").await;

    // Tampered: one field changed after signing, or the signature of another key.
    let mut tampered = body.clone();
    tampered["envelope"]["document"]["vic_TraffickingStatus"] = json!("NotAVictimOfTrafficking");
    let (s, r) = b.post_json("/api/v1/imports/htcds", Some(&officer_b), &tampered).await;
    assert_eq!((s, fields(&r)), (422, vec!["signature".to_string()]), "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap_or("").to_lowercase().contains("signature"), "{r}");
    let mut forged = body.clone();
    forged["envelope"]["signed_by"] = json!("Someone else");
    let (s, _) = b.post_json("/api/v1/imports/htcds", Some(&officer_b), &forged).await;
    assert_eq!(s, 422);
    let (s, r) = b
        .post_json("/api/v1/imports/htcds", Some(&officer_b), &json!({"envelope": {"a": 1}, "village_code": HOME}))
        .await;
    assert_eq!((s, fields(&r)), (422, vec!["document".to_string()]), "{r}");

    // Preview: field by field, the person matched by NIK, nothing written.
    let (s, p) = b.post_json("/api/v1/imports/htcds", Some(&officer_b), &body).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["imported"], json!(false));
    let pv = &p["preview"];
    assert_eq!(pv["person_id"].as_i64(), Some(maria_b), "{pv}");
    assert_eq!(pv["action"], "new_case");
    assert_eq!(pv["consent"], json!(true));
    assert_eq!(pv["screening_result"], "victim_identified", "{pv}");
    let rows = pv["rows"].as_array().unwrap();
    let row = |f: &str| rows.iter().find(|r| r["field"] == f).cloned().unwrap_or(Value::Null);
    assert_eq!(row("prs_IdentityNumber")["value"], NIK);
    assert_eq!(row("prs_IdentityNumber")["sets"], "nik");
    assert_eq!(row("vic_TypeOfExploitation")["sets"], "purpose");
    assert_eq!(row("cas_OutgoingReferralDetails")["sets"], "description");
    let (_, cases) = b.get_json("/api/v1/cases", Some(&b.admin_token)).await;
    assert!(!cases.to_string().contains("Rujukan HTCDS"), "preview wrote nothing: {cases}");

    // Confirm: a new restricted trafficking case for the matched person, with the assessment.
    let mut confirm = body.clone();
    confirm["confirm"] = json!(true);
    let (s, r) = b.post_json("/api/v1/imports/htcds", Some(&officer_b), &confirm).await;
    assert_eq!(s, 201, "{r}");
    let id = r["case_id"].as_i64().unwrap();
    let (s, c) = b.get_json(&format!("/api/v1/cases/{id}"), Some(&officer_b)).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["type"], "trafficking_suspicion");
    assert_eq!(c["person_id"].as_i64(), Some(maria_b));
    assert!(c["description"].as_str().unwrap().starts_with("Rujukan HTCDS dari Dinas Kupang (server A)"), "{c}");
    assert_eq!(c["trafficking"]["screening_result"], "victim_identified", "{c}");
    // Once only.
    let (s, r) = b.post_json("/api/v1/imports/htcds", Some(&officer_b), &confirm).await;
    assert_eq!((s, fields(&r)), (422, vec!["document".to_string()]), "{r}");
    let (_, audit) = b.get_json("/api/v1/audit?action=case.htcds_import", Some(&b.admin_token)).await;
    assert!(audit.to_string().contains("case.htcds_import"), "{audit}");

    // Linked to an existing case instead: a note on it.
    let (s, env2) = a.get_json(&format!("/api/v1/cases/{case_a}/htcds?receiver=Server%20B"), Some(&officer_a)).await;
    assert_eq!(s, 200);
    let (s, r) = b
        .post_json(
            "/api/v1/imports/htcds",
            Some(&officer_b),
            &json!({"envelope": env2, "link_case_id": id, "confirm": true}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!((r["case_id"].as_i64(), &r["preview"]["action"]), (Some(id), &json!("note")));
    let (_, c) = b.get_json(&format!("/api/v1/cases/{id}"), Some(&officer_b)).await;
    assert!(c["notes"].to_string().contains("vic_TraffickingStatus"), "{c}");

    // Who may not create a case there may not import.
    let (_, partner) = b.partner_account("mitra", None).await;
    let (s, _) = b.post_json("/api/v1/imports/htcds", Some(&partner), &body).await;
    assert_eq!(s, 403);
    let elsewhere = b.user_token("lain", "village_officer", Some("53.07.02.2001")).await;
    let (s, r) = b.post_json("/api/v1/imports/htcds", Some(&elsewhere), &body).await;
    assert_eq!((s, fields(&r)), (422, vec!["village_code".to_string()]), "{r}");
}

/// The same round trip through the pages: download on A's case page, paste on B's import page,
/// preview in Indonesian field by field, confirm.
#[tokio::test]
async fn round_trip_through_the_pages() {
    let a = TestApp::spawn().await;
    let b = TestApp::spawn().await;
    register(&a, &b, "Dinas Kupang").await;
    let officer_a = a.user_token("petugas", "village_officer", Some(HOME)).await;
    let case_a = trafficking_case(&a, &officer_a, None).await;

    let pa = Browser::new(&a);
    pa.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (s, html) = pa.get(&format!("/cases/{case_a}")).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("href=\"/cases/{case_a}/htcds\"")), "export link on the case page");
    let r = pa.client.get(a.url(&format!("/cases/{case_a}/htcds"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let text = r.text().await.unwrap();
    assert!(!text.contains("prs_"), "no consent, no identity: {text}");

    let pb = Browser::new(&b);
    pb.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (s, html) = pb.get("/cases/htcds-import").await;
    assert_eq!(s, 200);
    assert!(html.contains("Impor rujukan HTCDS") && html.contains("name=\"_csrf\""), "{html}");
    let csrf = pb.csrf().await;

    // Tampered: refused on the form, the pasted text kept.
    let bad = text.replace("ActualVictimOfTrafficking", "NotAVictimOfTrafficking");
    let r = pb.post_form("/cases/htcds-import", &[("_csrf", &csrf), ("envelope", &bad), ("village_code", HOME)]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Tanda tangan tidak cocok"), "{html}");
    assert!(html.contains("NotAVictimOfTrafficking"), "typed text kept");

    // Preview, then confirm.
    let r = pb.post_form("/cases/htcds-import", &[("_csrf", &csrf), ("envelope", &text), ("village_code", HOME)]).await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Tanda tangan cocok") && html.contains("vic_TypeOfExploitation"), "{html}");
    assert!(html.contains("class=\"cards\""));
    let r = pb
        .post_form(
            "/cases/htcds-import",
            &[("_csrf", &csrf), ("envelope", &text), ("village_code", HOME), ("link_case_id", ""), ("confirm", "1")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{:?}", r.text().await);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/cases/"), "{to}");
    let (s, html) = pb.get(&to).await;
    assert_eq!(s, 200);
    assert!(html.contains("Rujukan HTCDS dari Dinas Kupang"), "{html}");
}

/// Sealed for the receiver: A seals with B's registered key; only B opens it, the signature
/// inside is still A's, and nothing of the case is readable on the way.
#[tokio::test]
async fn a_document_sealed_for_the_receiver_opens_only_there() {
    let a = TestApp::spawn().await;
    let b = TestApp::spawn().await;
    let c = TestApp::spawn().await;
    let maria_a = person(&a, NIK).await;
    consent(&a, maria_a, "all", true).await;
    let officer_a = a.user_token("petugas", "village_officer", Some(HOME)).await;
    let case_a = trafficking_case(&a, &officer_a, Some(maria_a)).await;
    let path = format!("/api/v1/cases/{case_a}/htcds");

    // B's key is not registered at A yet: refused on seal_for.
    let (_, kb) = b.get_json("/api/v1/htcds/public-key", Some(&b.admin_token)).await;
    let key_b = kb["key_id"].as_str().unwrap().to_string();
    let (s, r) = a.get_json(&format!("{path}?seal_for={key_b}"), Some(&officer_a)).await;
    assert_eq!((s, fields(&r)), (422, vec!["seal_for".to_string()]), "{r}");

    register(&b, &a, "Server B").await;
    register(&a, &b, "Server A").await;
    register(&a, &c, "Server A").await;
    let (s, sealed) = a.get_json(&format!("{path}?seal_for={key_b}"), Some(&officer_a)).await;
    assert_eq!(s, 200, "{sealed}");
    assert_eq!(sealed["recipient_key_id"], json!(key_b));
    assert!(sealed.get("document").is_none() && !sealed.to_string().contains(NIK), "nothing readable: {sealed}");
    let (_, audit) = a.get_json("/api/v1/audit?action=case.htcds_export", Some(&a.admin_token)).await;
    assert!(audit.to_string().contains(&format!("sealed_for={key_b}")), "{audit}");

    // B opens it: the preview carries the identity A shared.
    let officer_b = b.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, p) = b
        .post_json("/api/v1/imports/htcds", Some(&officer_b), &json!({"envelope": sealed, "village_code": HOME}))
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["preview"]["sender"], "Server A");
    assert!(p["preview"]["rows"].to_string().contains(NIK), "{p}");

    // C knows A's key too, but the envelope is not sealed for C.
    let officer_c = c.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, r) = c
        .post_json("/api/v1/imports/htcds", Some(&officer_c), &json!({"envelope": sealed, "village_code": HOME}))
        .await;
    assert_eq!((s, fields(&r)), (422, vec!["envelope".to_string()]), "{r}");
    // Nor can C claim to be B: the key id says B, C's key does not open it.
    let mut claimed = sealed.clone();
    let (_, kc) = c.get_json("/api/v1/htcds/public-key", Some(&c.admin_token)).await;
    claimed["recipient_key_id"] = kc["key_id"].clone();
    let (s, r) = c
        .post_json("/api/v1/imports/htcds", Some(&officer_c), &json!({"envelope": claimed, "village_code": HOME}))
        .await;
    assert_eq!((s, fields(&r)), (422, vec!["envelope".to_string()]), "{r}");
}
