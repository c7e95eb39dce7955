//! The scope matrix over HTTP: for each role, a route in scope and out of scope.

use crate::common::TestApp;
use serde_json::json;

const HOME: &str = "53.07.01.2001"; // Masabewa, Paga, Kabupaten Sikka, NTT
const SAME_REGENCY: &str = "53.07.02.2001"; // Bhera, another district of Sikka
const OTHER_PROVINCE: &str = "35.12.01.2001"; // a village in East Java

struct Case {
    role: &'static str,
    region: Option<&'static str>,
    /// Expected status of GET /villages/{HOME}, {SAME_REGENCY}, {OTHER_PROVINCE}.
    view: [u16; 3],
    admin: bool,
}

#[tokio::test]
async fn every_role_in_and_out_of_scope() {
    let app = TestApp::spawn().await;
    let cases = [
        Case { role: "national_admin", region: None, view: [200, 200, 200], admin: true },
        Case { role: "national_analyst", region: None, view: [200, 200, 200], admin: false },
        Case { role: "province_officer", region: Some("53"), view: [200, 200, 403], admin: false },
        Case { role: "regency_officer", region: Some("53.07"), view: [200, 200, 403], admin: false },
        Case { role: "village_head", region: Some(HOME), view: [200, 403, 403], admin: false },
        Case { role: "village_officer", region: Some(HOME), view: [200, 403, 403], admin: false },
        Case { role: "cooperative_manager", region: Some(HOME), view: [200, 403, 403], admin: false },
        Case { role: "facilitator", region: Some(HOME), view: [200, 403, 403], admin: false },
        Case { role: "partner", region: Some("53.07"), view: [200, 200, 403], admin: false },
        Case { role: "partner", region: None, view: [200, 200, 200], admin: false },
    ];
    for (i, c) in cases.iter().enumerate() {
        let token = app.user_token(&format!("u{i}.{}", c.role), c.role, c.region).await;
        let who = format!("{} {:?}", c.role, c.region);
        for (target, expected) in [HOME, SAME_REGENCY, OTHER_PROVINCE].iter().zip(c.view) {
            let (s, _) = app.get_json(&format!("/api/v1/villages/{target}"), Some(&token)).await;
            assert_eq!(s, expected, "{who} GET village {target}");
        }
        // Reference data is open to every account.
        assert_eq!(app.get_json(&format!("/api/v1/regions/{OTHER_PROVINCE}"), Some(&token)).await.0, 200, "{who}");
        // Writes and administration: national admins only, in scope or not.
        let admin_status = if c.admin { 200 } else { 403 };
        let (s, _) = app
            .put_json(
                &format!("/api/v1/villages/{HOME}/designation"),
                &token,
                &json!({"desmigratif": true, "cohort_year": 2018}),
            )
            .await;
        assert_eq!(s, admin_status, "{who} designate");
        assert_eq!(app.get_json("/api/v1/audit", Some(&token)).await.0, admin_status, "{who} audit");
        assert_eq!(app.get_json("/api/v1/users", Some(&token)).await.0, admin_status, "{who} users");
        let (s, _) = app
            .post_json(
                "/api/v1/programs",
                Some(&token),
                &json!({"code": format!("p{i}"), "name": "P", "institution": "I"}),
            )
            .await;
        assert_eq!(s, if c.admin { 201 } else { 403 }, "{who} programs");
    }
}

#[tokio::test]
async fn refusals_do_not_change_anything() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, _) = app
        .put_json(
            &format!("/api/v1/villages/{HOME}/designation"),
            &officer,
            &json!({"desmigratif": true, "cohort_year": 2018}),
        )
        .await;
    assert_eq!(s, 403);
    let (_, v) = app.get_json(&format!("/api/v1/villages/{HOME}"), Some(&officer)).await;
    assert_eq!(v["desmigratif"], false);
    // The officer is listed on their own village's page.
    assert_eq!(v["officers"][0]["role"], "village_officer");
}

/// The same matrix for the pages a browser opens.
#[tokio::test]
async fn pages_follow_the_same_matrix() {
    use crate::common::Browser;
    let app = TestApp::spawn().await;
    let cases = [
        ("national_analyst", None, [200, 200, 200]),
        ("province_officer", Some("53"), [200, 200, 403]),
        ("regency_officer", Some("53.07"), [200, 200, 403]),
        ("village_head", Some(HOME), [200, 403, 403]),
        ("village_officer", Some(HOME), [200, 403, 403]),
        ("cooperative_manager", Some(HOME), [200, 403, 403]),
        ("facilitator", Some(HOME), [200, 403, 403]),
        ("partner", Some("53.07"), [200, 200, 403]),
    ];
    for (i, (role, region, view)) in cases.into_iter().enumerate() {
        let username = format!("p{i}.{role}");
        app.create_user(&username, role, region).await;
        let b = Browser::new(&app);
        b.login(&username, "a-long-password").await;
        for (target, expected) in [HOME, SAME_REGENCY, OTHER_PROVINCE].iter().zip(view) {
            assert_eq!(b.get(&format!("/regions/{target}")).await.0, expected, "{role} page {target}");
        }
        for page in ["/", "/regions", "/regions/35", "/programs", "/programs/desmigratif", "/agencies"] {
            assert_eq!(b.get(page).await.0, 200, "{role} {page}");
        }
        assert_eq!(b.get("/persons").await.0, if role == "partner" { 403 } else { 200 }, "{role} people");
        let registers = matches!(role, "province_officer" | "regency_officer" | "village_head" | "village_officer");
        assert_eq!(b.get("/persons/new").await.0, if registers { 200 } else { 403 }, "{role} register form");
        for admin_page in ["/admin/users", "/admin/audit", "/admin/users/1"] {
            assert_eq!(b.get(admin_page).await.0, 403, "{role} {admin_page}");
        }
        let csrf = b.csrf().await;
        let r = b
            .post_form(
                &format!("/regions/{HOME}/designation"),
                &[("_csrf", &csrf), ("desmigratif", "1"), ("cohort_year", "2019")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 403, "{role} designate");
        let r = b.post_form("/programs", &[("_csrf", &csrf), ("code", "x"), ("name", "X"), ("institution", "Y")]).await;
        assert_eq!(r.status().as_u16(), 403, "{role} create program");
        let r = b
            .post_form(
                "/admin/users",
                &[("_csrf", &csrf), ("username", "zz"), ("password", "a-long-password"), ("role", "national_admin")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 403, "{role} create user");
    }
}
