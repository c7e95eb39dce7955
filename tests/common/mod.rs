//! Test harness: starts the real application on a random port with a fresh database,
//! SQLite by default or PostgreSQL when DESMIGRATIF_TEST_DATABASE_URL names a server
//! (`postgres://user@host:port/postgres`). Helpers read like a user's steps.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::PathBuf;
use tokio::sync::OnceCell;

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub admin_token: String,
    pub db: store::Db,
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("DESMIGRATIF_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

/// Migrated database with regions loaded and no accounts: built once per test process.
static SQLITE_TEMPLATE: OnceCell<(tempfile::TempDir, PathBuf)> = OnceCell::const_new();
static PG_TEMPLATE: OnceCell<String> = OnceCell::const_new();

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), store::now(), N.fetch_add(1, Ordering::SeqCst))
}

async fn sqlite_template() -> PathBuf {
    let (_, path) = SQLITE_TEMPLATE
        .get_or_init(|| async {
            let dir = tempfile::tempdir().expect("temp dir");
            let build = dir.path().join("build.db");
            let db = store::Db::connect(&format!("sqlite://{}", build.display())).await.expect("open template");
            store::migrate::run(&db).await.expect("migrate template");
            store::regions::load_if_needed(&db).await.expect("load regions");
            let path = dir.path().join("template.db");
            db.backup_to(&path.display().to_string()).await.expect("vacuum into template");
            db.close().await;
            (dir, path)
        })
        .await;
    path.clone()
}

/// Name of a template database holding this build's schema and regions.
async fn pg_template(admin_url: &str) -> String {
    PG_TEMPLATE
        .get_or_init(|| async {
            use sqlx::Connection;
            // The schema version is part of the name, so an old template is never reused.
            let name = format!("desmig_tpl_{}", store::migrate::fingerprint());
            let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to PostgreSQL");
            // Several test binaries may start at once: one builds, the others wait.
            sqlx::query("SELECT pg_advisory_lock(424242)").execute(&mut conn).await.expect("lock");
            let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_optional(&mut conn)
                .await
                .expect("query pg_database");
            if exists.is_none() {
                let building = format!("{name}_build");
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {building}")))
                    .execute(&mut conn)
                    .await
                    .expect("drop");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
                    .execute(&mut conn)
                    .await
                    .expect("create");
                let db = store::Db::connect(&swap_db(admin_url, &building)).await.expect("open template");
                store::migrate::run(&db).await.expect("migrate template");
                store::regions::load_if_needed(&db).await.expect("load regions");
                db.close().await;
                sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {building} RENAME TO {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("rename template");
            }
            sqlx::query("SELECT pg_advisory_unlock(424242)").execute(&mut conn).await.expect("unlock");
            name
        })
        .await
        .clone()
}

/// Replaces the database name at the end of a PostgreSQL URL.
pub fn swap_db(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((url, String::new()));
    let cut = base.rfind('/').expect("URL has a path");
    format!("{}/{db}{query}", &base[..cut])
}

/// A fresh database URL for one test.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match postgres_admin_url() {
        Some(admin) => {
            use sqlx::Connection;
            let template = pg_template(&admin).await;
            let name = unique("desmig_t");
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {template}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            (swap_db(&admin, &name), None)
        }
        None => {
            let template = sqlite_template().await;
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("test.db");
            std::fs::copy(template, &path).expect("copy template");
            (format!("sqlite://{}", path.display()), Some(dir))
        }
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut web::Config)) -> TestApp {
        let (database_url, dir) = fresh_database().await;
        Self::start_on(database_url, dir, adjust).await
    }

    /// Track multi: another server on this test's database, with its own pool, caches and
    /// in-process state (what a second process would have).
    pub async fn another_server(&self, adjust: impl FnOnce(&mut web::Config)) -> TestApp {
        Self::start_on(self.database_url.clone(), None, adjust).await
    }

    async fn start_on(
        database_url: String,
        dir: Option<tempfile::TempDir>,
        adjust: impl FnOnce(&mut web::Config),
    ) -> TestApp {
        let mut cfg = web::Config::for_database(&database_url);
        cfg.admin_user = Some("admin".into());
        cfg.admin_password = Some(ADMIN_PASSWORD.into());
        adjust(&mut cfg);
        let startup = web::bootstrap::prepare(&cfg).await.expect("prepare app");
        let db = startup.db.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let state = web::AppState::new(startup.db, cfg);
        tokio::spawn(web::serve(listener, state, std::future::pending()));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let mut app = TestApp { base, client, admin_token: String::new(), db, database_url, _dir: dir };
        app.admin_token = app.token("admin", ADMIN_PASSWORD).await;
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut rb = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        Self::json_of(rb.send().await.expect("send")).await
    }

    pub async fn put_json(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        Self::json_of(self.client.put(self.url(path)).bearer_auth(token).json(body).send().await.expect("send")).await
    }

    pub async fn patch_json(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        Self::json_of(self.client.patch(self.url(path)).bearer_auth(token).json(body).send().await.expect("send")).await
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut rb = self.client.get(self.url(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        Self::json_of(rb.send().await.expect("send")).await
    }

    async fn json_of(resp: reqwest::Response) -> (u16, Value) {
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let (status, body) =
            self.post_json("/api/v1/auth/token", None, &json!({"username": username, "password": password})).await;
        assert_eq!(status, 200, "login as {username}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// Creates an account as the admin; returns its id.
    pub async fn create_user(&self, username: &str, role: &str, region: Option<&str>) -> i64 {
        let (status, body) = self
            .post_json(
                "/api/v1/users",
                Some(&self.admin_token),
                // The harness knows the password it set: no forced change (tests/http/hardening.rs covers that flow).
                &json!({"username": username, "password": "a-long-password", "full_name": format!("User {username}"),
                        "role": role, "region_code": region, "must_change_password": false}),
            )
            .await;
        assert_eq!(status, 201, "create {username}: {body}");
        body["id"].as_i64().expect("id")
    }

    /// Creates a partner organisation's account (no password change pending); returns its id
    /// and token.
    pub async fn partner_account(&self, username: &str, partner: Option<i64>) -> (i64, String) {
        let (status, u) = self
            .post_json(
                "/api/v1/users",
                Some(&self.admin_token),
                &json!({"username": username, "password": "a-long-password", "full_name": format!("User {username}"),
                        "role": "partner", "region_code": null, "partner_id": partner, "must_change_password": false}),
            )
            .await;
        assert_eq!(status, 201, "create {username}: {u}");
        assert_eq!(u["partner_id"].as_i64(), partner, "{u}");
        (u["id"].as_i64().expect("id"), self.token(username, "a-long-password").await)
    }

    /// Opens a high-severity case of `kind` in the test village 53.07.01.2001 (for `person`,
    /// if given) and returns its id.
    pub async fn open_case(&self, token: &str, kind: &str, person: Option<i64>) -> i64 {
        let (s, c) = self
            .post_json(
                "/api/v1/cases",
                Some(token),
                &json!({"type": kind, "severity": "high", "description": "Recruited by a broker for work in Cambodia",
                        "village_code": "53.07.01.2001", "person_id": person}),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        c["id"].as_i64().expect("id")
    }

    /// Creates an account and returns its token.
    pub async fn user_token(&self, username: &str, role: &str, region: Option<&str>) -> String {
        self.create_user(username, role, region).await;
        self.token(username, "a-long-password").await
    }

    pub async fn designate(&self, village: &str, cohort: i64) -> (u16, Value) {
        self.put_json(
            &format!("/api/v1/villages/{village}/designation"),
            &self.admin_token,
            &json!({"desmigratif": true, "cohort_year": cohort, "pocket_village": true}),
        )
        .await
    }
}

/// Reads a vendored region file, for expectations computed from the data itself.
pub fn region_rows(file: &str) -> Vec<Vec<String>> {
    let path = format!("{}/data/regions/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .expect("region file")
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

/// A browser-like session for the HTML pages: cookies, CSRF token from the page.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Browser { client, base: app.base.clone() }
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.expect("get");
        (r.status().as_u16(), r.text().await.expect("text"))
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(format!("{}{path}", self.base)).form(form).send().await.expect("post")
    }

    /// Logs in through the form; panics unless redirected.
    pub async fn login(&self, username: &str, password: &str) {
        let (_, html) = self.get("/login").await;
        let csrf = csrf_of(&html);
        let r = self
            .post_form("/login", &[("username", username), ("password", password), ("_csrf", &csrf), ("next", "/")])
            .await;
        assert_eq!(r.status().as_u16(), 303, "login as {username}");
    }

    /// The CSRF token of the signed-in session, read from any page's logout form.
    pub async fn csrf(&self) -> String {
        let (_, html) = self.get("/").await;
        csrf_of(&html)
    }
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..start + 64].to_string()
}

/// Today as the server counts it (WIB, the ministry's clock). A test that sends "today" must
/// not use the UTC date: between 17:00 and 24:00 UTC it is a day behind, and the server
/// refuses a step dated before the one it recorded "today".
pub fn today() -> time::Date {
    domain::clock::TimeZone::Wib.date_at(time::OffsetDateTime::now_utc())
}
