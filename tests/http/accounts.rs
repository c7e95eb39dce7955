//! Tokens, accounts, throttling.

use crate::common::{ADMIN_PASSWORD, TestApp};
use serde_json::json;

#[tokio::test]
async fn token_contract_and_refusals() {
    let app = TestApp::spawn().await;
    let (s, body) =
        app.post_json("/api/v1/auth/token", None, &json!({"username": "admin", "password": ADMIN_PASSWORD})).await;
    assert_eq!(s, 200);
    assert_eq!(body["token"].as_str().unwrap().len(), 64);
    assert!(body["expires_at"].as_str().unwrap().contains('T'), "RFC 3339: {body}");

    let (s, body) =
        app.post_json("/api/v1/auth/token", None, &json!({"username": "admin", "password": "wrong-password"})).await;
    assert_eq!(s, 401);
    assert_eq!(body["error"], "unauthorized");
    // The refusal says what was wrong, not that a bearer token is missing.
    let msg = body["message"].as_str().unwrap();
    assert!(msg.contains("wrong user name or password") && !msg.contains("bearer"), "{msg}");
    let (s, body) =
        app.post_json("/api/v1/auth/token", None, &json!({"username": "nobody", "password": "wrong-password"})).await;
    assert_eq!(s, 401);
    assert!(body["message"].as_str().unwrap().contains("wrong user name or password"), "{body}");

    let (s, body) = app.post_json("/api/v1/auth/token", None, &json!({"username": "admin"})).await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["field"], "password");
    assert_eq!(body["errors"][0]["rule"], "required");

    // Calls without a token, with a made-up one, or a malformed header.
    assert_eq!(app.get_json("/api/v1/me", None).await.0, 401);
    assert_eq!(app.get_json("/api/v1/me", Some(&"ab".repeat(32))).await.0, 401);
    let r = app.client.get(app.url("/api/v1/me")).header("authorization", "Basic abc").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let (s, me) = app.get_json("/api/v1/me", Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    assert_eq!(me["role"], "national_admin");
}

#[tokio::test]
async fn login_is_throttled_after_repeated_failures() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let (s, _) =
            app.post_json("/api/v1/auth/token", None, &json!({"username": "admin", "password": "not-it-at-all"})).await;
        assert_eq!(s, 401);
    }
    // Even the right password is refused while locked, with a Retry-After.
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn create_user_contract_and_validation() {
    let app = TestApp::spawn().await;
    let (s, body) = app
        .post_json(
            "/api/v1/users",
            Some(&app.admin_token),
            &json!({"username": "Siti.Petugas", "password": "a-long-password", "full_name": "Siti Aminah",
                    "role": "village_officer", "region_code": "53.07.01.2001"}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    assert!(body["id"].as_i64().unwrap() > 0);
    assert_eq!(body["username"], "siti.petugas");
    assert_eq!(body["region_code"], "53.07.01.2001");
    assert!(body.get("password_hash").is_none(), "hash must never leave the server");

    let cases = [
        (
            json!({"username": "siti.petugas", "password": "a-long-password", "full_name": "X", "role": "facilitator", "region_code": "53.07.01.2001"}),
            "username",
            "taken",
        ),
        (
            json!({"username": "budi", "password": "short", "full_name": "Budi", "role": "facilitator", "region_code": "53.07.01.2001"}),
            "password",
            "too_short",
        ),
        (
            json!({"username": "budi", "password": "a-long-password", "full_name": "Budi", "role": "boss", "region_code": "53.07"}),
            "role",
            "one_of",
        ),
        (
            json!({"username": "budi", "password": "a-long-password", "full_name": "Budi", "role": "regency_officer", "region_code": "53.07.01.2001"}),
            "region_code",
            "scope_level",
        ),
        (
            json!({"username": "budi", "password": "a-long-password", "full_name": "Budi", "role": "regency_officer", "region_code": "53.99"}),
            "region_code",
            "unknown_region",
        ),
        (
            json!({"username": "budi", "password": "a-long-password", "full_name": "Budi", "role": "regency_officer", "region_code": "53-07"}),
            "region_code",
            "format",
        ),
        (
            json!({"username": "b u", "password": "a-long-password", "full_name": "Budi", "role": "national_analyst"}),
            "username",
            "format",
        ),
        (
            json!({"username": "budi", "password": "a-long-password", "full_name": "", "role": "national_analyst"}),
            "full_name",
            "required",
        ),
        (json!({"username": 7}), "username", "format"),
    ];
    for (body, field, rule) in cases {
        let (s, resp) = app.post_json("/api/v1/users", Some(&app.admin_token), &body).await;
        assert_eq!(s, 422, "{body} -> {resp}");
        let errors = resp["errors"].as_array().unwrap();
        assert!(
            errors.iter().any(|e| e["field"] == field && e["rule"] == rule),
            "{body}: expected {field}/{rule}, got {resp}"
        );
    }
    // Nothing half-written: only admin and siti exist.
    let (_, list) = app.get_json("/api/v1/users", Some(&app.admin_token)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn only_admins_manage_accounts() {
    let app = TestApp::spawn().await;
    let analyst = app.user_token("ana", "national_analyst", None).await;
    let body = json!({"username": "x1", "password": "a-long-password", "full_name": "X", "role": "national_analyst"});
    assert_eq!(app.post_json("/api/v1/users", Some(&analyst), &body).await.0, 403);
    assert_eq!(app.get_json("/api/v1/users", Some(&analyst)).await.0, 403);
}

#[tokio::test]
async fn role_change_disable_and_password_reset_end_access() {
    let app = TestApp::spawn().await;
    let id = app.create_user("budi", "village_officer", Some("53.07.01.2001")).await;
    let token = app.token("budi", "a-long-password").await;
    assert_eq!(app.get_json("/api/v1/villages/53.07.01.2001", Some(&token)).await.0, 200);

    // Moving the account to another village: old token ends, new scope applies.
    let (s, u) = app
        .patch_json(
            &format!("/api/v1/users/{id}"),
            &app.admin_token,
            &json!({"role": "village_officer", "region_code": "53.07.01.2003"}),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["region_code"], "53.07.01.2003");
    assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.0, 401);
    let token = app.token("budi", "a-long-password").await;
    assert_eq!(app.get_json("/api/v1/villages/53.07.01.2001", Some(&token)).await.0, 403);

    // An invalid change changes nothing.
    let (s, _) = app
        .patch_json(
            &format!("/api/v1/users/{id}"),
            &app.admin_token,
            &json!({"role": "regency_officer", "region_code": "53.07.01.2003", "disabled": true}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.0, 200, "422 must not disable");

    let (s, _) = app.patch_json(&format!("/api/v1/users/{id}"), &app.admin_token, &json!({"disabled": true})).await;
    assert_eq!(s, 200);
    assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.0, 401);
    let (s, _) =
        app.post_json("/api/v1/auth/token", None, &json!({"username": "budi", "password": "a-long-password"})).await;
    assert_eq!(s, 401, "a disabled account cannot log in");

    let (s, _) = app
        .patch_json(
            &format!("/api/v1/users/{id}"),
            &app.admin_token,
            &json!({"disabled": false, "password": "another-long-password"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) =
        app.post_json("/api/v1/auth/token", None, &json!({"username": "budi", "password": "a-long-password"})).await;
    assert_eq!(s, 401, "the old password no longer works");
    app.token("budi", "another-long-password").await;

    // The admin cannot lock themselves out.
    let (_, me) = app.get_json("/api/v1/me", Some(&app.admin_token)).await;
    let (s, body) =
        app.patch_json(&format!("/api/v1/users/{}", me["id"]), &app.admin_token, &json!({"disabled": true})).await;
    assert_eq!(s, 422, "{body}");
}

/// schemathesis found it: an offset at the edge of i64 overflowed `offset + limit` and the
/// panic dropped the connection. Any offset answers; past the end there is no next page.
#[tokio::test]
async fn huge_list_offsets_answer_without_a_next_page() {
    let app = TestApp::spawn().await;
    for offset in ["9223372036854775807", "1000000000"] {
        let (s, v) = app.get_json(&format!("/api/v1/users?offset={offset}&limit=5"), Some(&app.admin_token)).await;
        assert_eq!(s, 200, "offset {offset}: {v}");
        assert!(v["next_offset"].is_null() && v["items"].as_array().unwrap().is_empty(), "offset {offset}: {v}");
    }
    // A negative offset is refused as the document declares it (minimum 0), naming the field.
    let (s, v) = app.get_json("/api/v1/users?offset=-5&limit=5", Some(&app.admin_token)).await;
    assert_eq!((s, v["errors"][0]["field"].as_str()), (422, Some("offset")), "{v}");
}
