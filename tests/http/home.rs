//! The start page per role: each account sees its daily tasks, only those it may do, and
//! every task link opens (no dead end into "Akses ditolak"). The cooperative list says where a
//! cooperative is founded and by whom.

use crate::common::{Browser, TestApp};

const VILLAGE: &str = "53.07.01.2001";

/// The task links of the start page, in order.
fn task_links(html: &str) -> Vec<String> {
    let Some(section) = html.split("id=\"tasks\"").nth(1).and_then(|s| s.split("</section>").next()) else {
        return vec![];
    };
    section
        .match_indices("href=\"")
        .map(|(i, _)| section[i + 6..].split('"').next().unwrap().replace("&amp;", "&"))
        .collect()
}

async fn start_page_of(app: &TestApp, user: &str) -> (Browser, Vec<String>, String) {
    let b = Browser::new(app);
    b.login(user, "a-long-password").await;
    let (s, html) = b.get("/").await;
    assert_eq!(s, 200);
    let links = task_links(&html);
    for link in &links {
        assert_eq!(b.get(link).await.0, 200, "{user}: {link} is a dead end");
    }
    (b, links, html)
}

#[tokio::test]
async fn each_role_starts_on_its_own_daily_tasks() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(VILLAGE)).await;
    app.create_user("kelola", "cooperative_manager", Some(VILLAGE)).await;
    app.create_user("analis", "national_analyst", None).await;

    // The manager founds the village's cooperative; then its cash book and loans are on the start page.
    let m = Browser::new(&app);
    m.login("kelola", "a-long-password").await;
    let csrf = m.csrf().await;
    let r = m
        .post_form(
            &format!("/regions/{VILLAGE}/cooperatives"),
            &[("_csrf", &csrf), ("name", "Koperasi Sejahtera"), ("kind", "koperasi"), ("founded_on", "2025-01-02")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);

    let (_, links, html) = start_page_of(&app, "petugas").await;
    assert_eq!(links, ["/persons/new", "/worklist", "/cases?overdue=1", "/enterprise"], "{html}");
    assert!(html.contains("Daftarkan orang") && html.contains("Kasus lewat tenggat"));

    let (_, links, html) = start_page_of(&app, "kelola").await;
    assert!(links.iter().any(|l| l.contains("/cash-book?from=")), "{links:?}");
    assert!(links.iter().any(|l| l.ends_with("/loans")), "{links:?}");
    assert!(!links.iter().any(|l| l == "/persons/new" || l == "/admin/users"), "{links:?}");
    assert!(html.contains("Buku kas hari ini") && html.contains("Koperasi Sejahtera"), "{html}");

    let (_, links, _) = start_page_of(&app, "analis").await;
    assert_eq!(links, ["/monitoring"], "an analyst starts on the dashboards only");

    let admin = Browser::new(&app);
    admin.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (_, html) = admin.get("/").await;
    assert!(task_links(&html).contains(&"/admin/users".to_string()), "{html}");
}

#[tokio::test]
async fn the_cooperative_list_says_where_and_by_whom_one_is_founded() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(VILLAGE)).await;
    app.create_user("kelola", "cooperative_manager", Some(VILLAGE)).await;
    let officer = Browser::new(&app);
    officer.login("petugas", "a-long-password").await;
    let (s, html) = officer.get("/cooperatives").await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"coop-found-hint\"") && html.contains("pengelola koperasi desa"), "{html}");
    assert!(!html.contains("id=\"coop-new\""));
    let manager = Browser::new(&app);
    manager.login("kelola", "a-long-password").await;
    // A village's manager lands on the village's list, with the founding form itself.
    let (_, html) = manager.get("/cooperatives").await;
    assert!(html.contains("id=\"coop-new\"") && !html.contains("id=\"coop-found-hint\""), "{html}");
}
