//! The placement policy as data: a fresh database behaves as the compiled defaults; national
//! admins edit bans, the zero-cost rule, the no-contact threshold and the requirement matrix on
//! `/admin/policy`, and episodes' flags and checklists follow at once; everyone else is refused;
//! bad input names the field; every change is audited.

use crate::common::{ADMIN_PASSWORD, Browser, TestApp};
use domain::service_center::flags::Policy;
use domain::service_center::requirements::default_matrix;
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";

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

/// Opens an independent placement (no agency, so no agency flags) and returns its id.
async fn open(app: &TestApp, person: i64, category: &str, destination: &str, job: &str) -> i64 {
    let body = json!({"category": category, "scheme": "independent", "destination": destination, "job_type": job});
    let (s, e) = app.post_json(&format!("/api/v1/persons/{person}/episodes"), Some(&app.admin_token), &body).await;
    assert_eq!(s, 201, "{e}");
    e["id"].as_i64().unwrap()
}

async fn episode(app: &TestApp, id: i64) -> Value {
    let (s, e) = app.get_json(&format!("/api/v1/episodes/{id}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{e}");
    e
}

async fn flags(app: &TestApp, id: i64) -> Vec<String> {
    let e = episode(app, id).await;
    e["flags"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

async fn documents(app: &TestApp, id: i64) -> Vec<String> {
    let e = episode(app, id).await;
    e["documents"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap().to_string()).collect()
}

async fn policy(app: &TestApp) -> Value {
    let (s, p) = app.get_json("/api/v1/policy", Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{p}");
    p
}

async fn admin(app: &TestApp) -> (Browser, String) {
    let b = Browser::new(app);
    b.login("admin", ADMIN_PASSWORD).await;
    let csrf = b.csrf().await;
    (b, csrf)
}

/// Posts a form with the CSRF token; returns the status and the body.
async fn post(b: &Browser, csrf: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![("_csrf", csrf)];
    all.extend_from_slice(form);
    let r = b.post_form(path, &all).await;
    let status = r.status().as_u16();
    if status == 303 {
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/admin/policy?saved=1"));
    }
    (status, r.text().await.unwrap())
}

fn names_field(html: &str, field: &str) -> bool {
    html.contains(&format!("data-field=\"{field}\""))
}

#[tokio::test]
async fn a_fresh_database_reproduces_the_compiled_defaults() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, p) = app.get_json("/api/v1/policy", Some(&officer)).await;
    assert_eq!(s, 200, "any account reads the policy: {p}");
    let d = Policy::default();
    assert_eq!(p["no_contact_days"], d.no_contact_days);
    assert_eq!(p["bans"].as_array().unwrap().len(), d.bans.len());
    assert!(p["bans"].as_array().unwrap().iter().all(|b| b["valid"] == true));
    assert_eq!(p["zero_cost"]["job_types"].as_array().unwrap().len(), d.zero_cost.job_types.len());
    assert_eq!(p["zero_cost"]["cost_items"].as_array().unwrap().len(), d.zero_cost.cost_items.len());
    assert_eq!(p["zero_cost"]["exemptions"][0]["destination"], "TW");
    assert_eq!(p["zero_cost"]["legal_source"], d.zero_cost.legal_source);
    assert_eq!(p["zero_cost"]["effective_from"], Value::Null);
    let matrix = default_matrix();
    let reqs = p["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), matrix.len());
    for (r, m) in reqs.iter().zip(&matrix) {
        assert_eq!(r["document"], m.document.as_str());
        assert_eq!(r["due"], m.due.as_str());
    }
    assert_eq!(app.get_json("/api/v1/policy", None).await.0, 401);

    // The flags and checklists are as before the policy became data.
    let person = person(&app).await;
    let sa = open(&app, person, "household_employer", "SA", "housekeeper").await;
    let f = flags(&app, sa).await;
    assert!(f.contains(&"placement_ban".to_string()), "{f:?}");
    let e = episode(&app, sa).await;
    let ban = e["flags"].as_array().unwrap().iter().find(|f| f["code"] == "placement_ban").unwrap();
    assert!(ban["explanation"].as_str().unwrap().contains("260 Tahun 2015"), "{ban}");
    let company = open(&app, person, "legal_entity_employer", "SA", "welder").await;
    assert!(!flags(&app, company).await.contains(&"placement_ban".to_string()));
    let docs = documents(&app, company).await;
    assert_eq!(docs.len(), 15, "{docs:?}");
    assert!(!docs.contains(&"seaman_book".to_string()));
    let ship = open(&app, person, "ship_crew", "KR", "fishing_crew").await;
    assert!(documents(&app, ship).await.contains(&"seaman_book".to_string()));
}

#[tokio::test]
async fn admins_edit_bans_and_flags_follow() {
    let app = TestApp::spawn().await;
    let person = person(&app).await;
    let sa = open(&app, person, "household_employer", "SA", "housekeeper").await;
    assert!(flags(&app, sa).await.contains(&"placement_ban".to_string()));
    let (b, csrf) = admin(&app).await;
    let (s, html) = b.get("/admin/policy").await;
    assert_eq!(s, 200);
    assert!(html.contains("Larangan penempatan") && html.contains("Arab Saudi"));

    // Remove the Saudi household ban: the flag disappears.
    let p = policy(&app).await;
    let sa_ban = p["bans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["destination"] == "SA" && b["category"] == "household_employer")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(post(&b, &csrf, &format!("/admin/policy/bans/{sa_ban}/delete"), &[]).await.0, 303);
    assert!(!flags(&app, sa).await.contains(&"placement_ban".to_string()));
    assert_eq!(policy(&app).await["bans"].as_array().unwrap().len(), Policy::default().bans.len() - 1);
    assert_eq!(post(&b, &csrf, &format!("/admin/policy/bans/{sa_ban}/delete"), &[]).await.0, 404);

    // Add a ban on plantation work in Malaysia, with its legal source.
    let my = open(&app, person, "legal_entity_employer", "MY", "plantation_worker").await;
    let other_job = open(&app, person, "legal_entity_employer", "MY", "factory_worker").await;
    assert!(!flags(&app, my).await.contains(&"placement_ban".to_string()));
    let ban = [
        ("destination", "my"),
        ("category", ""),
        ("job_type", "Plantation worker"),
        ("since", "2020-01-01"),
        ("until", ""),
        ("legal_source", "Keputusan Menteri Ketenagakerjaan Nomor 99 Tahun 2026 (uji)"),
    ];
    assert_eq!(post(&b, &csrf, "/admin/policy/bans", &ban).await.0, 303);
    let e = episode(&app, my).await;
    let flag = e["flags"].as_array().unwrap().iter().find(|f| f["code"] == "placement_ban").expect("ban raised");
    assert!(flag["explanation"].as_str().unwrap().contains("Nomor 99 Tahun 2026"), "{flag}");
    assert!(!flags(&app, other_job).await.contains(&"placement_ban".to_string()), "another job is not banned");
    let (_, html) = b.get("/admin/policy").await;
    assert!(html.contains("Nomor 99 Tahun 2026"));

    // Edit its dates: until before since is refused, naming the field; an ended ban is silent.
    let my_ban =
        policy(&app).await["bans"].as_array().unwrap().iter().find(|b| b["destination"] == "MY").unwrap().clone();
    assert_eq!(my_ban["job_type"], "plantation_worker");
    let id = my_ban["id"].as_i64().unwrap();
    let source = my_ban["legal_source"].as_str().unwrap();
    let edit = |until: &'static str| [("since", "2020-01-01"), ("until", until), ("legal_source", source)];
    let (s, html) = post(&b, &csrf, &format!("/admin/policy/bans/{id}"), &edit("2019-12-31")).await;
    assert_eq!(s, 422);
    assert!(names_field(&html, "ban_edit.until"), "names the field");
    assert!(html.contains("Tanggal akhir tidak boleh sebelum tanggal mulai"), "in Indonesian");
    assert!(flags(&app, my).await.contains(&"placement_ban".to_string()), "unchanged");
    assert_eq!(post(&b, &csrf, &format!("/admin/policy/bans/{id}"), &edit("2021-12-31")).await.0, 303);
    assert!(!flags(&app, my).await.contains(&"placement_ban".to_string()), "the ban ended in 2021");
    assert_eq!(
        policy(&app).await["bans"].as_array().unwrap().iter().find(|b| b["id"] == id).unwrap()["until"],
        "2021-12-31"
    );

    // Every change is in the audit log, by the admin.
    let (_, log) = app.get_json("/api/v1/audit?action=policy.ban", Some(&app.admin_token)).await;
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["policy.ban.update", "policy.ban.add", "policy.ban.remove"]);
    assert!(log["items"].as_array().unwrap().iter().all(|e| e["actor"] == "admin" && e["entity"] == "policy"));
    assert!(log["items"][2]["details"].as_str().unwrap().starts_with("SA category=household_employer"));
}

#[tokio::test]
async fn zero_cost_rule_and_settings_are_data() {
    let app = TestApp::spawn().await;
    let person = person(&app).await;
    let hk = open(&app, person, "household_employer", "HK", "housekeeper").await;
    let (s, _) = app
        .post_json(
            &format!("/api/v1/episodes/{hk}/costs"),
            Some(&app.admin_token),
            &json!({"item": "agency_fee", "amount_rupiah": 12000000}),
        )
        .await;
    assert_eq!(s, 200);
    assert!(flags(&app, hk).await.contains(&"zero_cost_violation".to_string()));
    let (b, csrf) = admin(&app).await;

    // An exemption for Hong Kong: the flag disappears.
    let bad = [("destination", "Hong Kong"), ("since", "2020-01-01"), ("legal_source", "Keputusan Kepala BP2MI (uji)")];
    let (s, html) = post(&b, &csrf, "/admin/policy/zero-cost/exemptions", &bad).await;
    assert_eq!(s, 422);
    assert!(names_field(&html, "exemption.destination"));
    let ok = [("destination", "HK"), ("since", "2020-01-01"), ("legal_source", "Keputusan Kepala BP2MI (uji)")];
    assert_eq!(post(&b, &csrf, "/admin/policy/zero-cost/exemptions", &ok).await.0, 303);
    assert!(!flags(&app, hk).await.contains(&"zero_cost_violation".to_string()));
    let exemption = policy(&app).await["zero_cost"]["exemptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["destination"] == "HK")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(post(&b, &csrf, &format!("/admin/policy/zero-cost/exemptions/{exemption}/delete"), &[]).await.0, 303);
    assert!(flags(&app, hk).await.contains(&"zero_cost_violation".to_string()));

    // The agency fee no longer covered, then covered again; a second add is refused.
    assert_eq!(post(&b, &csrf, "/admin/policy/zero-cost/cost-items/agency_fee/delete", &[]).await.0, 303);
    assert!(!flags(&app, hk).await.contains(&"zero_cost_violation".to_string()));
    let (s, html) = post(&b, &csrf, "/admin/policy/zero-cost/cost-items", &[("item", "bribe")]).await;
    assert_eq!(s, 422);
    assert!(names_field(&html, "cost_item.item"));
    assert_eq!(post(&b, &csrf, "/admin/policy/zero-cost/cost-items", &[("item", "agency_fee")]).await.0, 303);
    assert!(flags(&app, hk).await.contains(&"zero_cost_violation".to_string()));
    assert_eq!(post(&b, &csrf, "/admin/policy/zero-cost/cost-items", &[("item", "agency_fee")]).await.0, 422);

    // Job types: housekeeping out of the rule, then back in.
    assert_eq!(post(&b, &csrf, "/admin/policy/zero-cost/job-types/housekeeper/delete", &[]).await.0, 303);
    assert!(!flags(&app, hk).await.contains(&"zero_cost_violation".to_string()));
    let (s, html) = post(&b, &csrf, "/admin/policy/zero-cost/job-types", &[("job_type", "juru masak/cook")]).await;
    assert_eq!(s, 422);
    assert!(names_field(&html, "job_type.job_type"));
    assert_eq!(post(&b, &csrf, "/admin/policy/zero-cost/job-types", &[("job_type", "Housekeeper")]).await.0, 303);
    assert!(flags(&app, hk).await.contains(&"zero_cost_violation".to_string()));

    // Settings: bad values name their fields; good ones apply.
    let (s, html) = post(
        &b,
        &csrf,
        "/admin/policy/settings",
        &[("no_contact_days", "0"), ("zero_cost_legal_source", ""), ("zero_cost_effective_from", "kemarin")],
    )
    .await;
    assert_eq!(s, 422);
    for f in ["settings.no_contact_days", "settings.zero_cost_legal_source", "settings.zero_cost_effective_from"] {
        assert!(names_field(&html, f), "{f}");
    }
    let source = Policy::default().zero_cost.legal_source;
    let far = [
        ("no_contact_days", "30"),
        ("zero_cost_legal_source", source.as_str()),
        ("zero_cost_effective_from", "2999-01-01"),
    ];
    assert_eq!(post(&b, &csrf, "/admin/policy/settings", &far).await.0, 303);
    let p = policy(&app).await;
    assert_eq!(p["no_contact_days"], 30);
    assert_eq!(p["zero_cost"]["effective_from"], "2999-01-01");
    assert!(!flags(&app, hk).await.contains(&"zero_cost_violation".to_string()), "the rule has not started");

    let (_, log) = app.get_json("/api/v1/audit?action=policy.", Some(&app.admin_token)).await;
    let mut actions: Vec<&str> =
        log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    actions.reverse();
    assert_eq!(
        actions,
        [
            "policy.exemption.add",
            "policy.exemption.remove",
            "policy.cost_item.remove",
            "policy.cost_item.add",
            "policy.job_type.remove",
            "policy.job_type.add",
            // Two settings changed (the legal source did not): one entry each.
            "policy.setting.set",
            "policy.setting.set",
        ]
    );
}

#[tokio::test]
async fn admins_edit_the_requirement_matrix() {
    let app = TestApp::spawn().await;
    let person = person(&app).await;
    let company = open(&app, person, "legal_entity_employer", "KR", "welder").await;
    let household = open(&app, person, "household_employer", "KR", "housekeeper").await;
    assert!(!documents(&app, company).await.contains(&"seaman_book".to_string()));
    let (b, csrf) = admin(&app).await;

    let bad = [("document", "driving_licence"), ("category", "firm"), ("destinations", "KR, Korea"), ("due", "")];
    let (s, html) = post(&b, &csrf, "/admin/policy/requirements", &bad).await;
    assert_eq!(s, 422);
    for f in ["requirement.document", "requirement.category", "requirement.destinations", "requirement.due"] {
        assert!(names_field(&html, f), "{f}");
    }
    let add = [
        ("document", "seaman_book"),
        ("category", "legal_entity_employer"),
        ("destinations", ""),
        ("job_types", ""),
        ("due", "departure"),
    ];
    assert_eq!(post(&b, &csrf, "/admin/policy/requirements", &add).await.0, 303);
    assert!(documents(&app, company).await.contains(&"seaman_book".to_string()), "the checklist shows it");
    assert!(!documents(&app, household).await.contains(&"seaman_book".to_string()), "only for that category");

    // Remove the police clearance for everyone.
    let reqs = policy(&app).await["requirements"].as_array().unwrap().clone();
    assert_eq!(reqs.len(), default_matrix().len() + 1);
    let added = reqs.last().unwrap();
    assert_eq!(added["categories"], json!(["legal_entity_employer"]));
    let skck = reqs.iter().find(|r| r["document"] == "police_clearance").unwrap()["id"].as_i64().unwrap();
    assert_eq!(post(&b, &csrf, &format!("/admin/policy/requirements/{skck}/delete"), &[]).await.0, 303);
    assert!(!documents(&app, household).await.contains(&"police_clearance".to_string()));

    let (_, log) = app.get_json("/api/v1/audit?action=policy.requirement", Some(&app.admin_token)).await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "policy.requirement.remove");
    assert!(items[1]["details"].as_str().unwrap().contains("seaman_book categories=legal_entity_employer"));
}

#[tokio::test]
async fn only_national_admins_edit_the_policy() {
    let app = TestApp::spawn().await;
    app.create_user("disnaker", "regency_officer", Some("53.07")).await;
    app.create_user("analis", "national_analyst", None).await;
    let ban_id = policy(&app).await["bans"][0]["id"].as_i64().unwrap();
    let req_id = policy(&app).await["requirements"][0]["id"].as_i64().unwrap();
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/admin/policy/settings".into(), vec![("no_contact_days", "30")]),
        (
            "/admin/policy/bans".into(),
            vec![("destination", "MY"), ("since", "2020-01-01"), ("legal_source", "Keputusan uji")],
        ),
        (format!("/admin/policy/bans/{ban_id}"), vec![("since", "2020-01-01"), ("legal_source", "Keputusan uji")]),
        (format!("/admin/policy/bans/{ban_id}/delete"), vec![]),
        ("/admin/policy/zero-cost/job-types".into(), vec![("job_type", "welder")]),
        ("/admin/policy/zero-cost/job-types/housekeeper/delete".into(), vec![]),
        ("/admin/policy/zero-cost/cost-items".into(), vec![("item", "visa")]),
        ("/admin/policy/zero-cost/cost-items/visa/delete".into(), vec![]),
        (
            "/admin/policy/zero-cost/exemptions".into(),
            vec![("destination", "HK"), ("since", "2020-01-01"), ("legal_source", "Keputusan uji")],
        ),
        ("/admin/policy/zero-cost/exemptions/1/delete".into(), vec![]),
        ("/admin/policy/requirements".into(), vec![("document", "seaman_book"), ("due", "departure")]),
        (format!("/admin/policy/requirements/{req_id}/delete"), vec![]),
    ];
    for user in ["disnaker", "analis"] {
        let b = Browser::new(&app);
        b.login(user, "a-long-password").await;
        let csrf = b.csrf().await;
        assert_eq!(b.get("/admin/policy").await.0, 403, "{user}");
        assert!(!b.get("/").await.1.contains("/admin/policy"), "no link for {user}");
        for (path, form) in &writes {
            let (s, _) = post(&b, &csrf, path, form).await;
            assert_eq!(s, 403, "{user} {path}");
        }
    }
    // The admin sees the link; a forged form (wrong token) is refused too.
    let (b, _) = admin(&app).await;
    assert!(b.get("/").await.1.contains("href=\"/admin/policy\""));
    for (path, form) in &writes {
        assert_eq!(post(&b, &"0".repeat(64), path, form).await.0, 403, "{path}");
    }
    // Nothing changed, nothing audited.
    let p = policy(&app).await;
    assert_eq!(p["bans"].as_array().unwrap().len(), Policy::default().bans.len());
    assert_eq!(p["no_contact_days"], 90);
    let (_, log) = app.get_json("/api/v1/audit?action=policy.", Some(&app.admin_token)).await;
    assert!(log["items"].as_array().unwrap().is_empty(), "{log}");
}

#[tokio::test]
async fn invalid_stored_rows_are_skipped_not_fatal() {
    let app = TestApp::spawn().await;
    // Written behind the application's back before the policy is first read (and seeded).
    let db = &app.db;
    store::on_db!(db, p => sqlx::query(
        "INSERT INTO policy_bans (destination, category, job_type, legal_source, since, until, allows_extension, created_at, updated_at) \
         VALUES ('Malaysia', NULL, NULL, 'rusak', '2020-01-01', NULL, FALSE, 0, 0), \
                ('KR', 'nobody', NULL, 'rusak', '2020-01-01', NULL, FALSE, 0, 0)"
    ).execute(p).await.map(|r| r.rows_affected()))
    .unwrap();
    store::on_db!(db, p => sqlx::query(
        "INSERT INTO policy_requirements (document, categories, destinations, job_types, due, created_at) \
         VALUES ('driving_licence', '', '', '', 'departure', 0)"
    ).execute(p).await.map(|r| r.rows_affected()))
    .unwrap();
    let person = person(&app).await;
    let kr = open(&app, person, "household_employer", "KR", "housekeeper").await;
    assert!(!flags(&app, kr).await.contains(&"placement_ban".to_string()), "a ban of unknown category is ignored");
    assert_eq!(documents(&app, kr).await.len(), 15);
    let p = policy(&app).await;
    let invalid: Vec<&Value> = p["bans"].as_array().unwrap().iter().filter(|b| b["valid"] == false).collect();
    assert_eq!(invalid.len(), 2);
    assert_eq!(p["bans"].as_array().unwrap().len(), Policy::default().bans.len() + 2, "and the defaults were seeded");
    // The admin sees them marked and can remove them.
    let (b, csrf) = admin(&app).await;
    let (_, html) = b.get("/admin/policy").await;
    assert!(html.contains("tidak sah, diabaikan"));
    let id = invalid[0]["id"].as_i64().unwrap();
    assert_eq!(post(&b, &csrf, &format!("/admin/policy/bans/{id}/delete"), &[]).await.0, 303);
}
