//! Outreach events (sosialisasi): the API contract and its validation, attendance by NIK and
//! by id within scope, another village's officer seeing nothing, the pages and their escaping.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OTHER: &str = "53.07.02.2001";
/// A woman born 1990-05-12, first registered in 53.07.01, living in HOME.
const MARIA_NIK: &str = "5307015205900001";
/// A man born 1985-03-01, first registered in 53.07.01, now living in OTHER.
const YOSEF_NIK: &str = "5307010103850002";

fn today() -> String {
    crate::common::today().to_string()
}

fn yesterday() -> String {
    (crate::common::today() - time::Duration::days(1)).to_string()
}

/// Registers Maria (HOME) and Yosef (OTHER); returns their ids.
async fn people(app: &TestApp) -> (i64, i64) {
    let (s, maria) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": MARIA_NIK, "full_name": "Maria Goreti",
            "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
        )
        .await;
    assert_eq!(s, 201, "{maria}");
    let (s, yosef) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": YOSEF_NIK, "full_name": "Yosef Wangge",
            "sex": "L", "birth_date": "1985-03-01", "village_code": OTHER, "confirm_warnings": true}),
        )
        .await;
    assert_eq!(s, 201, "{yosef}");
    (maria["id"].as_i64().unwrap(), yosef["id"].as_i64().unwrap())
}

fn event(village: &str) -> Value {
    json!({"village_code": village, "held_on": yesterday(), "place": "Balai desa", "topic": "Prosedur migrasi yang aman",
           "organiser": "Pemerintah desa", "headcount": 42})
}

fn fields(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| (e["field"].as_str().unwrap().to_string(), e["rule"].as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn outreach_contract_and_validation() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let other = app.user_token("lain", "village_officer", Some(OTHER)).await;

    let (s, e) = app.post_json("/api/v1/outreach", Some(&officer), &event(HOME)).await;
    assert_eq!(s, 201, "{e}");
    let id = e["id"].as_i64().unwrap();
    assert_eq!(e["village_code"], HOME);
    assert_eq!(e["held_on"], yesterday());
    assert_eq!(e["topic"], "Prosedur migrasi yang aman");
    assert_eq!(e["headcount"], 42);
    assert_eq!(e["registered"], 0);
    assert_eq!(e["attendees"], json!([]));
    assert!(!e["village_name"].as_str().unwrap().is_empty());

    // Validation names each field and rule.
    let mut future = event(HOME);
    future["held_on"] = json!("2999-01-01");
    let (s, r) = app.post_json("/api/v1/outreach", Some(&officer), &future).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&r), [("held_on".to_string(), "out_of_range".to_string())]);
    let mut negative = event(HOME);
    negative["headcount"] = json!(-5);
    let (s, r) = app.post_json("/api/v1/outreach", Some(&officer), &negative).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&r), [("headcount".to_string(), "out_of_range".to_string())]);
    let (s, r) =
        app.post_json("/api/v1/outreach", Some(&officer), &json!({"village_code": "53.07", "topic": "x"})).await;
    assert_eq!(s, 422);
    let named: Vec<String> = fields(&r).into_iter().map(|(f, _)| f).collect();
    for f in ["village_code", "held_on", "topic", "headcount"] {
        assert!(named.contains(&f.to_string()), "{f} missing in {r}");
    }
    let (s, r) = app.post_json("/api/v1/outreach", Some(&officer), &json!({"headcount": "many"})).await;
    assert_eq!(s, 422, "a headcount that is not a number: {r}");
    assert_eq!(r["errors"][0]["field"], "headcount");
    // A village outside the officer's scope is refused, naming village_code.
    let (s, r) = app.post_json("/api/v1/outreach", Some(&officer), &event(OTHER)).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&r), [("village_code".to_string(), "mismatch".to_string())]);
    // Roles that never record outreach are refused outright.
    let analyst = app.user_token("analis", "national_analyst", None).await;
    assert_eq!(app.post_json("/api/v1/outreach", Some(&analyst), &event(HOME)).await.0, 403);
    assert_eq!(app.post_json("/api/v1/outreach", None, &event(HOME)).await.0, 401);

    // The other village's officer records their own event; neither sees the other's.
    let (s, theirs) = app.post_json("/api/v1/outreach", Some(&other), &event(OTHER)).await;
    assert_eq!(s, 201);
    let theirs = theirs["id"].as_i64().unwrap();
    let (s, list) = app.get_json("/api/v1/outreach", Some(&officer)).await;
    assert_eq!(s, 200);
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [id]);
    let (_, list) = app.get_json("/api/v1/outreach", Some(&other)).await;
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [theirs]);
    assert_eq!(app.get_json(&format!("/api/v1/outreach/{id}"), Some(&other)).await.0, 404);
    assert_eq!(app.get_json(&format!("/api/v1/outreach/{theirs}"), Some(&officer)).await.0, 404);
    assert_eq!(app.get_json("/api/v1/outreach/999999", Some(&officer)).await.0, 404);
    assert_eq!(app.get_json(&format!("/api/v1/outreach?region_code={OTHER}"), Some(&officer)).await.0, 403);
    assert_eq!(app.get_json("/api/v1/outreach?region_code=nowhere", Some(&officer)).await.0, 422);
    let (s, one) = app.get_json(&format!("/api/v1/outreach/{id}"), Some(&officer)).await;
    assert_eq!(s, 200);
    assert_eq!(one["organiser"], "Pemerintah desa");

    // The regency office sees both, newest first, a page at a time.
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let mut older = event(HOME);
    older["held_on"] = json!("2020-01-15");
    let (s, old) = app.post_json("/api/v1/outreach", Some(&regency), &older).await;
    assert_eq!(s, 201);
    let old = old["id"].as_i64().unwrap();
    let (_, page1) = app.get_json("/api/v1/outreach?limit=2", Some(&regency)).await;
    let ids: Vec<i64> = page1["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [theirs, id], "same date: newest id first");
    let after = page1["next_after"].as_i64().expect("a next page");
    let (_, page2) = app.get_json(&format!("/api/v1/outreach?limit=2&after={after}"), Some(&regency)).await;
    let ids: Vec<i64> = page2["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [old]);
    assert!(page2["next_after"].is_null());
    let (_, mine) = app.get_json(&format!("/api/v1/outreach?region_code={HOME}"), Some(&regency)).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);

    // Audited, with the village as the region.
    let (_, log) = app.get_json("/api/v1/audit?action=outreach.create", Some(&app.admin_token)).await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().any(|i| i["region_code"] == OTHER));

    // Documented under its tag.
    let (_, doc) = app.get_json("/api/v1/openapi.json", None).await;
    for (path, method) in [
        ("/api/v1/outreach", "get"),
        ("/api/v1/outreach", "post"),
        ("/api/v1/outreach/{id}", "get"),
        ("/api/v1/outreach/{id}/attendees", "post"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing");
        assert_eq!(op["tags"][0], "outreach", "{method} {path}");
    }
}

async fn add_by_nik(b: &Browser, id: i64, nik: &str) -> (u16, String, String) {
    let (_, page) = b.get(&format!("/outreach/{id}")).await;
    let csrf = csrf_of(&page);
    let r = b.post_form(&format!("/outreach/{id}/attendees"), &[("_csrf", &csrf), ("nik", nik)]).await;
    let status = r.status().as_u16();
    let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

#[tokio::test]
async fn attendance_by_nik_and_by_id_stays_within_scope() {
    let app = TestApp::spawn().await;
    let (maria, yosef) = people(&app).await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (_, e) = app.post_json("/api/v1/outreach", Some(&officer), &event(HOME)).await;
    let id = e["id"].as_i64().unwrap();
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;

    // In scope: added; a second time changes nothing and says so.
    let (s, location, _) = add_by_nik(&b, id, &format!(" {MARIA_NIK} ")).await;
    assert_eq!(s, 303);
    assert!(location.contains("saved=1"), "{location}");
    let (s, location, _) = add_by_nik(&b, id, MARIA_NIK).await;
    assert_eq!(s, 303);
    assert!(location.contains("already=1"), "{location}");
    let (_, page) = b.get(&location).await;
    assert!(page.contains("id=\"already\""));
    assert_eq!(page.matches("Maria Goreti").count(), 1, "listed once");
    assert!(page.contains("id=\"registered\">1<"));

    // Out of scope and unknown get the same answer, and nothing about Yosef.
    let (s, _, outside) = add_by_nik(&b, id, YOSEF_NIK).await;
    assert_eq!(s, 422);
    let (s, _, unknown) = add_by_nik(&b, id, "5307010101010009").await;
    assert_eq!(s, 422);
    for html in [&outside, &unknown] {
        assert!(html.contains("id=\"nik-error\"") && html.contains("Tidak ada orang dengan NIK ini di wilayah Anda"));
        assert!(!html.contains("Yosef"));
    }

    // The API: by id, idempotent, the same refusal for out of scope and unknown ids.
    let path = format!("/api/v1/outreach/{id}/attendees");
    let (s, r) = app.post_json(&path, Some(&officer), &json!({"person_id": maria})).await;
    assert_eq!(s, 200, "already recorded: {r}");
    assert_eq!(r["registered"], 1);
    assert_eq!(r["attendees"][0]["full_name"], "Maria Goreti");
    let (s, outside) = app.post_json(&path, Some(&officer), &json!({"person_id": yosef})).await;
    assert_eq!(s, 422);
    let (s, unknown) = app.post_json(&path, Some(&officer), &json!({"person_id": 999999})).await;
    assert_eq!(s, 422);
    assert_eq!(outside["errors"], unknown["errors"]);
    assert_eq!(outside["errors"][0]["field"], "person_id");
    assert_eq!(app.post_json(&path, Some(&officer), &json!({})).await.0, 422);

    // The regency office may add Yosef (in its scope); the village officer then sees a count,
    // not his name.
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let (s, r) = app.post_json(&path, Some(&regency), &json!({"person_id": yosef})).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["registered"], 2);
    assert_eq!(r["attendees"].as_array().unwrap().len(), 2);
    let (_, r) = app.get_json(&format!("/api/v1/outreach/{id}"), Some(&officer)).await;
    assert_eq!(r["attendees"].as_array().unwrap().len(), 1);
    assert_eq!(r["other_attendees"], 1);
    assert!(!r.to_string().contains("Yosef"));
    let (_, page) = b.get(&format!("/outreach/{id}")).await;
    assert!(page.contains("id=\"hidden-attendees\"") && !page.contains("Yosef"));

    // Another village's officer may neither read nor add; a read-only role may read, not add.
    let other = app.user_token("lain", "village_officer", Some(OTHER)).await;
    assert_eq!(app.post_json(&path, Some(&other), &json!({"person_id": yosef})).await.0, 404);
    let coop = app.user_token("koperasi", "cooperative_manager", Some(HOME)).await;
    assert_eq!(app.get_json(&format!("/api/v1/outreach/{id}"), Some(&coop)).await.0, 200);
    assert_eq!(app.post_json(&path, Some(&coop), &json!({"person_id": maria})).await.0, 403);

    // One audit entry per attendance actually recorded.
    let (_, log) = app.get_json("/api/v1/audit?action=outreach.attend", Some(&app.admin_token)).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn pages_render_escape_and_stay_in_the_village() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    app.create_user("lain", "village_officer", Some(OTHER)).await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;

    let (s, page) = b.get("/outreach").await;
    assert_eq!(s, 200);
    assert!(page.contains("href=\"/outreach\">Sosialisasi</a>"), "nav link");
    assert!(page.contains("id=\"new-outreach\""));
    assert!(page.contains(&format!("name=\"village_code\" value=\"{HOME}\"")), "village prefilled");
    assert!(page.contains("Tanda bahaya perdagangan orang dan calo"), "topic suggestions");
    let csrf = csrf_of(&page);

    // Errors re-show the form with what was typed.
    let r = b
        .post_form(
            "/outreach",
            &[
                ("_csrf", &csrf),
                ("village_code", HOME),
                ("held_on", "2999-01-01"),
                ("topic", "Remitansi"),
                ("headcount", "-1"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"outreach-errors\"") && html.contains("value=\"Remitansi\""));
    // A missing CSRF token is refused.
    let r = b
        .post_form(
            "/outreach",
            &[("village_code", HOME), ("held_on", &today()), ("topic", "Remitansi"), ("headcount", "3")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);

    let topic = "<script>alert('x')</script> Calo & \"agen\"";
    let r = b
        .post_form(
            "/outreach",
            &[
                ("_csrf", &csrf),
                ("village_code", HOME),
                ("held_on", &today()),
                ("topic", topic),
                ("place", "Balai <b>desa</b>"),
                ("organiser", "PKK"),
                ("headcount", "25"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let event = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let (s, page) = b.get(&event).await;
    assert_eq!(s, 200);
    assert!(!page.contains("<script>alert") && !page.contains("<b>desa</b>"), "escaped");
    assert!(page.contains("&#60;script&#62;") && page.contains("id=\"headcount\">25<"));
    let (_, list) = b.get("/outreach").await;
    assert!(list.contains("&#60;script&#62;") && !list.contains("<script>alert"));
    // Counted for the village this year: one event, 25 people, none registered yet.
    let row =
        list.split(&format!("id=\"summary-{HOME}\"")).nth(1).expect("a summary row").split("</tr>").next().unwrap();
    assert!(row.contains("<td>1</td><td>25</td><td>0</td>"), "{row}");

    // In English.
    b.client.get(format!("{}/lang/en?next=/outreach", b.base)).send().await.unwrap();
    let (_, en) = b.get(&event).await;
    assert!(en.contains("Registered attendees") && en.contains("href=\"/outreach\">Outreach</a>"));

    // Another village's officer: not in the list, 404 for the page and for a post.
    let other = Browser::new(&app);
    other.login("lain", "a-long-password").await;
    let (s, list) = other.get("/outreach").await;
    assert_eq!(s, 200);
    assert!(!list.contains("&#60;script&#62;"));
    assert_eq!(other.get(&event).await.0, 404);
    let csrf = other.csrf().await;
    let r = other.post_form(&format!("{event}/attendees"), &[("_csrf", &csrf), ("nik", MARIA_NIK)]).await;
    assert_eq!(r.status().as_u16(), 404);
    // Nor can they record one in our village.
    let r = other
        .post_form(
            "/outreach",
            &[
                ("_csrf", &csrf),
                ("village_code", HOME),
                ("held_on", &today()),
                ("topic", "Remitansi"),
                ("headcount", "3"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("di luar wilayah tugas Anda"));

    // A partner sees no outreach menu and no page.
    app.create_user("mitra", "partner", Some("53")).await;
    let partner = Browser::new(&app);
    partner.login("mitra", "a-long-password").await;
    let (_, home) = partner.get("/").await;
    assert!(!home.contains("href=\"/outreach\""));
    assert_eq!(partner.get("/outreach").await.0, 403);
}
