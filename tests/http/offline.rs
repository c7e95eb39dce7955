//! Track offline (issue 16; docs/OFFLINE.md, docs/ACCESS.md): the app's own pages call the API
//! with their session and `X-CSRF-Token` (never the cookie alone), and a phone's device grant
//! answers `keep` while the account lives and `wipe` once it is disabled or its password reset
//! — the same `wipe` a stranger's made-up grant gets.

use crate::common::{Browser, TestApp};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";

fn person(nik: &str) -> Value {
    json!({"nik": nik, "full_name": "Maria Goreti", "sex": "P", "birth_date": "1990-05-12", "village_code": HOME})
}

async fn post(b: &Browser, path: &str, csrf: Option<&str>, body: &Value, key: Option<&str>) -> (u16, Value) {
    let mut req = b.client.post(format!("{}{path}", b.base)).json(body);
    if let Some(c) = csrf {
        req = req.header("X-CSRF-Token", c);
    }
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_session_calls_the_api_only_with_its_csrf_token() {
    let app = TestApp::spawn().await;
    app.create_user("desa.petugas", "village_officer", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("desa.petugas", "a-long-password").await;
    let csrf = b.csrf().await;

    // The cookie alone (what another site's form could send) is not an API credential.
    let (s, e) = post(&b, "/api/v1/persons", None, &person("5307015205900001"), None).await;
    assert_eq!(s, 401, "{e}");
    let (s, e) = post(&b, "/api/v1/persons", Some(&"0".repeat(64)), &person("5307015205900001"), None).await;
    assert_eq!(s, 403, "a wrong token is refused: {e}");

    // With the session's token: the same operation, the same checks as a bearer token.
    let (s, p) = post(&b, "/api/v1/persons", Some(&csrf), &person("5307015205900001"), Some("outbox-1")).await;
    assert_eq!(s, 201, "{p}");
    let (s, again) = post(&b, "/api/v1/persons", Some(&csrf), &person("5307015205900001"), Some("outbox-1")).await;
    assert_eq!((s, &again["id"]), (201, &p["id"]), "the outbox's replay gets the first answer");
    let (s, out) = post(
        &b,
        "/api/v1/persons",
        Some(&csrf),
        &json!({"nik": "3512015205900002", "full_name": "Yuliana", "sex": "P", "birth_date": "1990-05-12",
                "village_code": "35.12.01.2001"}),
        None,
    )
    .await;
    assert_eq!(
        (s, out["errors"][0]["field"].as_str()),
        (422, Some("village_code")),
        "the officer's region scope holds on this door too: {out}"
    );
    let (_, list) = app.get_json(&format!("/api/v1/persons?nik={}", "5307015205900001"), Some(&app.admin_token)).await;
    assert_eq!(list["items"].as_array().map_or(0, Vec::len), 1, "one person: {list}");
}

#[tokio::test]
async fn a_device_grant_says_keep_until_the_account_is_disabled() {
    let app = TestApp::spawn().await;
    let id = app.create_user("desa.hp", "village_officer", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("desa.hp", "a-long-password").await;
    let csrf = b.csrf().await;

    let (s, e) = post(&b, "/api/v1/offline/grant", None, &json!({}), None).await;
    assert_eq!(s, 401, "no grant without the CSRF header: {e}");
    let (s, g) = post(&b, "/api/v1/offline/grant", Some(&csrf), &json!({}), None).await;
    assert_eq!(s, 201, "{g}");
    assert_eq!(g["max_days"], 7);
    let grant = g["grant"].as_str().unwrap().to_string();

    let (s, c) = post(&b, "/api/v1/offline/contact", None, &json!({"grant": grant}), None).await;
    assert_eq!((s, c["verdict"].as_str()), (200, Some("keep")), "{c}");
    assert_eq!(c["csrf"].as_str(), Some(csrf.as_str()), "a cached page learns the session's token");
    // A stranger (no cookie) with the grant learns keep, but no token.
    let (_, c) = app.post_json("/api/v1/offline/contact", None, &json!({"grant": grant})).await;
    assert_eq!(c["verdict"], "keep");
    assert!(c.get("csrf").is_none(), "{c}");
    // A made-up grant: wipe, exactly as for a disabled account.
    let (s, c) = app.post_json("/api/v1/offline/contact", None, &json!({"grant": "ab".repeat(32)})).await;
    assert_eq!((s, c["verdict"].as_str()), (200, Some("wipe")));

    let (s, e) = app.patch_json(&format!("/api/v1/users/{id}"), &app.admin_token, &json!({"disabled": true})).await;
    assert_eq!(s, 200, "{e}");
    let (_, c) = app.post_json("/api/v1/offline/contact", None, &json!({"grant": grant})).await;
    assert_eq!(c, json!({"verdict": "wipe", "max_days": 7}), "the disabled account's phone wipes");
    // Enabled again, the old grant stays dead: the phone signs in afresh.
    app.patch_json(&format!("/api/v1/users/{id}"), &app.admin_token, &json!({"disabled": false})).await;
    let (_, c) = app.post_json("/api/v1/offline/contact", None, &json!({"grant": grant})).await;
    assert_eq!(c["verdict"], "wipe");
}

#[tokio::test]
async fn a_password_reset_or_sign_out_ends_the_grant() {
    let app = TestApp::spawn_with(|c| c.offline_max_days = 3).await;
    let id = app.create_user("desa.reset", "village_officer", Some(HOME)).await;
    let token = app.token("desa.reset", "a-long-password").await;
    let grant_of = |v: Value| v["grant"].as_str().unwrap().to_string();
    let (s, g) = app.post_json("/api/v1/offline/grant", Some(&token), &json!({})).await;
    assert_eq!((s, g["max_days"].as_i64()), (201, Some(3)), "{g}");
    let first = grant_of(g);
    let (_, g) = app.post_json("/api/v1/offline/grant", Some(&token), &json!({})).await;
    let second = grant_of(g);

    // Sign-out forgets that phone's grant only.
    let (s, _) = app.post_json("/api/v1/offline/revoke", None, &json!({"grant": first})).await;
    assert_eq!(s, 204);
    let (_, c) = app.post_json("/api/v1/offline/contact", None, &json!({"grant": first})).await;
    assert_eq!(c["verdict"], "wipe");
    let (_, c) = app.post_json("/api/v1/offline/contact", None, &json!({"grant": second})).await;
    assert_eq!(c["verdict"], "keep");

    let (s, e) = app
        .patch_json(&format!("/api/v1/users/{id}"), &app.admin_token, &json!({"password": "another-long-password"}))
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, c) = app.post_json("/api/v1/offline/contact", None, &json!({"grant": second})).await;
    assert_eq!(c["verdict"], "wipe", "a reset password wipes the phone");
}

#[tokio::test]
async fn the_app_is_installable() {
    let app = TestApp::spawn().await;
    let r = app.client.get(app.url("/sw.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache", "browsers check the worker on every load");
    let sw = r.text().await.unwrap();
    assert!(
        sw.contains(&format!("const VERSION = \"{}\";", web::static_files::VERSION)),
        "the worker knows the assets' version"
    );
    let (s, m) = app.get_json("/manifest.webmanifest", None).await;
    assert_eq!(s, 200);
    assert_eq!((m["name"].as_str(), m["lang"].as_str()), (Some("Desmigratif"), Some("id")));
    assert_eq!(m["icons"].as_array().map(Vec::len), Some(2));
    let b = Browser::new(&app);
    let (_, html) = b.get("/login").await;
    assert!(html.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#));
}
