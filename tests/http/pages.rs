//! The HTML pages as a browser meets them: login, CSRF, scope, forms, page weight.

use crate::common::{ADMIN_PASSWORD, Browser, TestApp, csrf_of};

#[tokio::test]
async fn login_sets_a_safe_session_cookie_and_logout_ends_it() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    // Not signed in: pages send you to the login form and back.
    let r = b.client.get(app.url("/regions/53.07")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/login?next=%2Fregions%2F53.07");

    let (_, html) = b.get("/login").await;
    let csrf = csrf_of(&html);
    // A login post without the form's token is refused.
    let r = b.post_form("/login", &[("username", "admin"), ("password", ADMIN_PASSWORD), ("_csrf", "x")]).await;
    assert_eq!(r.status().as_u16(), 403);
    let r = b.post_form("/login", &[("username", "admin"), ("password", "wrong-password"), ("_csrf", &csrf)]).await;
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.text().await.unwrap().contains("Nama pengguna atau kata sandi salah"));

    let r = b
        .post_form(
            "/login",
            &[("username", "admin"), ("password", ADMIN_PASSWORD), ("_csrf", &csrf), ("next", "//evil.example")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/", "open redirects are not followed");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("desmigratif_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");

    let (s, home) = b.get("/").await;
    assert_eq!(s, 200);
    assert!(home.contains("Administrator Nasional"));
    let session_csrf = csrf_of(&home);

    // Logout needs the session's token too.
    assert_eq!(b.post_form("/logout", &[("_csrf", "nope")]).await.status().as_u16(), 403);
    assert_eq!(b.post_form("/logout", &[("_csrf", &session_csrf)]).await.status().as_u16(), 303);
    // The old session is gone: a form posted now gets a clear 401 page.
    let r = b
        .post_form(
            "/regions/53.07.01.2001/designation",
            &[("_csrf", &session_csrf), ("desmigratif", "1"), ("cohort_year", "2019")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.text().await.unwrap().contains("Sesi"));
}

#[tokio::test]
async fn designation_form_validates_and_requires_csrf() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    b.login("admin", ADMIN_PASSWORD).await;
    let csrf = b.csrf().await;
    let path = "/regions/53.07.01.2001/designation";

    let r = b.post_form(path, &[("desmigratif", "1"), ("cohort_year", "2019")]).await;
    assert_eq!(r.status().as_u16(), 403, "missing CSRF token");

    let r = b.post_form(path, &[("_csrf", &csrf), ("desmigratif", "1"), ("cohort_year", "dua ribu")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Tahun angkatan harus berupa tahun, misalnya 2025."), "field error in Indonesian");
    assert!(html.contains("value=\"dua ribu\""), "input kept for correction");
    assert!(html.contains("name=\"desmigratif\" value=\"1\" checked"), "the ticked designation kept");
    assert!(!html.contains("name=\"pocket_village\" value=\"1\" checked"), "the unticked box stays unticked");

    let r = b
        .post_form(path, &[("_csrf", &csrf), ("desmigratif", "1"), ("cohort_year", "2019"), ("pocket_village", "1")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = b.get("/regions/53.07.01.2001?saved=1").await;
    assert!(page.contains("Perubahan tersimpan"));
    assert!(page.contains("sejak 2019"));
    // Listed on the regency page and the program page.
    let (_, regency) = b.get("/regions/53.07").await;
    assert!(regency.contains("href=\"/regions/53.07.01.2001\">Masabewa"));
    let (_, program) = b.get("/programs/desmigratif").await;
    assert!(program.contains("Masabewa"));
}

#[tokio::test]
async fn officers_see_their_village_only() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some("53.07.01.2001")).await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, page) = b.get("/regions/53.07.01.2001").await;
    assert_eq!(s, 200);
    assert!(page.contains("User petugas"), "officer listed on own village page");
    assert!(!page.contains("/designation"), "no designation form for officers");
    let (s, page) = b.get("/regions/53.07.01.2003").await;
    assert_eq!(s, 403);
    assert!(page.contains("Akses ditolak"));
    let csrf = b.csrf().await;
    let r = b
        .post_form(
            "/regions/53.07.01.2001/designation",
            &[("_csrf", &csrf), ("desmigratif", "1"), ("cohort_year", "2019")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(b.get("/admin/users").await.0, 403);
    assert_eq!(b.get("/admin/audit").await.0, 403);
}

#[tokio::test]
async fn admin_manages_accounts_through_pages() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    b.login("admin", ADMIN_PASSWORD).await;
    let csrf = b.csrf().await;
    let form = |role: &'static str, region: &'static str| {
        vec![
            ("username", "rina"),
            ("password", "a-long-password"),
            ("full_name", "Rina"),
            ("role", role),
            ("region_code", region),
        ]
    };
    // The new-account form starts with no role chosen; sending it so is refused on the field.
    let (_, html) = b.get("/admin/users").await;
    assert!(html.contains("<option value=\"\" selected>— Pilih peran —</option>"), "{html}");
    assert!(!html.contains("value=\"national_admin\" selected"), "no role preselected");
    let mut none = form("", "53.07.01.2001");
    none.push(("_csrf", &csrf));
    let r = b.post_form("/admin/users", &none).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("field-error"), "role refused: {html}");
    assert!(html.contains("<option value=\"\" selected>"), "still no role chosen");

    let mut bad = form("village_officer", "53.07");
    bad.push(("_csrf", &csrf));
    let r = b.post_form("/admin/users", &bad).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("tingkat wilayah tidak sesuai"), "scope error shown");
    assert!(!html.contains("a-long-password"), "password never echoed");

    let mut good = form("village_officer", "53.07.01.2001");
    good.push(("_csrf", &csrf));
    let r = b.post_form("/admin/users", &good).await;
    assert_eq!(r.status().as_u16(), 303);
    let user_path = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();

    // Reset the password: a generated one is shown once and works.
    let r = b.post_form(&format!("{user_path}/password"), &[("_csrf", &csrf), ("password", "")]).await;
    let html = r.text().await.unwrap();
    let start = html.find("id=\"new-password\">").unwrap() + "id=\"new-password\">".len();
    let new_password = &html[start..start + 16];
    app.token("rina", new_password).await;

    // Disable: she can no longer log in.
    let r = b.post_form(&format!("{user_path}/status"), &[("_csrf", &csrf), ("disabled", "1")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (s, _) = app
        .post_json("/api/v1/auth/token", None, &serde_json::json!({"username": "rina", "password": new_password}))
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn english_is_switchable() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    b.login("admin", ADMIN_PASSWORD).await;
    let (_, id) = b.get("/regions").await;
    assert!(id.contains("Wilayah Indonesia"));
    let r = b.client.get(app.url("/lang/en?next=/regions")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/regions");
    let (_, en) = b.get("/regions").await;
    assert!(en.contains("Regions of Indonesia"));
    assert!(en.contains("lang=\"en\""));
}

#[tokio::test]
async fn pages_stay_small_on_the_wire() {
    let app = TestApp::spawn().await;
    app.designate("53.07.01.2001", 2017).await;
    let b = Browser::new(&app);
    b.login("admin", ADMIN_PASSWORD).await;
    let mut total_assets = 0usize;
    for asset in ["app.css", "htmx.min.js"] {
        let r = b
            .client
            .get(app.url(&format!("/static/{}/{asset}", web::static_files::VERSION)))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        total_assets += r.bytes().await.unwrap().len();
    }
    for path in [
        "/",
        "/regions",
        "/regions/53",
        "/regions/53.07",
        "/regions/53.07.01",
        "/regions/53.07.01.2001",
        "/regions/search?q=sikka",
        "/programs",
        "/programs/desmigratif",
        "/admin/users",
        "/admin/audit",
        "/login",
        "/api/docs",
        "/persons",
        "/persons/new",
        "/persons/import",
        "/agencies",
        "/worklist",
        "/outreach",
        "/cases",
        "/cases/new",
        "/admin/policy",
    ] {
        let r = b.client.get(app.url(path)).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let page = r.bytes().await.unwrap().len();
        // The page plus its (first-visit, then cached) assets.
        assert!(page + total_assets < 50 * 1024, "{path}: {page} B + {total_assets} B assets");
    }
}

/// A path that names no record (`/persons/abc`) gets the site's own not-found page in the
/// reader's language, not axum's English plain text; the API gets its JSON error body.
#[tokio::test]
async fn unparseable_paths_get_our_own_answers() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    for path in ["/persons/abc", "/cases/abc", "/cooperatives/abc", "/children/abc"] {
        let (s, html) = b.get(path).await;
        assert_eq!(s, 404, "{path}");
        assert!(html.contains("Tidak ditemukan") && !html.contains("Cannot parse"), "{path}: {html}");
    }
    let (s, v) = app.get_json("/api/v1/persons/abc", Some(&app.admin_token)).await;
    assert_eq!(s, 400);
    assert!(v["message"].as_str().is_some_and(|m| m.contains("abc")), "{v}");
}
