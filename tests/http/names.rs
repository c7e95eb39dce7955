//! Issue 18, names: the spelling keys' y/i rule (key version 2) and the re-keying of a database
//! whose stored keys are the older version's: by the command line's function and by a server
//! in the background, with one audit entry per batch and no new version of the records.

use crate::common::TestApp;
use serde_json::{Value, json};
use store::Db;

const HOME: &str = "53.07.01.2001";

fn names(r: &Value) -> Vec<String> {
    r["items"].as_array().unwrap().iter().map(|p| p["full_name"].as_str().unwrap().to_string()).collect()
}

async fn exec(db: &Db, sql: &str, args: &[&str]) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    let r = match db {
        Db::Sqlite(p, _) => {
            let mut q = sqlx::query(sql);
            for a in args {
                q = q.bind(a.to_string());
            }
            q.execute(p).await.map(|_| ())
        }
        Db::Postgres(p) => {
            let mut q = sqlx::query(sql);
            for a in args {
                q = q.bind(a.to_string());
            }
            q.execute(p).await.map(|_| ())
        }
    };
    r.expect("test SQL");
}

async fn scalar(db: &Db, sql: &'static str) -> i64 {
    let (n,): (i64,) = match db {
        Db::Sqlite(p, _) => sqlx::query_as(sql).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await,
    }
    .expect("test SQL");
    n
}

/// Makes the database look like one written before the y/i rule: the keys of the two names
/// with a final y as version 1 computed them, and no recorded version (or version 1).
async fn age_the_keys(db: &Db) {
    exec(db, "UPDATE persons SET name_key = 'sity rahma' WHERE full_name = 'Sity Rahma'", &[]).await;
    exec(db, "UPDATE persons SET name_key = 'hendry wiyaya' WHERE full_name = 'Hendry Wijaya'", &[]).await;
    exec(db, "UPDATE agencies SET name_key = 'pt dewy sentusa' WHERE name = 'PT Dewy Sentosa'", &[]).await;
    exec(db, "DELETE FROM meta WHERE key = 'name_key_version'", &[]).await;
}

#[tokio::test]
async fn old_keys_are_rekeyed_so_sity_finds_siti() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token.clone();
    for (nik, name) in
        [("5307015205900001", "Siti Aminah"), ("5307015205900002", "Sity Rahma"), ("5307015205900003", "Hendry Wijaya")]
    {
        let body = json!({"nik": nik, "full_name": name, "sex": "P", "birth_date": "1990-05-12", "village_code": HOME});
        let (s, p) = app.post_json("/api/v1/persons", Some(&admin), &body).await;
        assert_eq!(s, 201, "{p}");
    }
    let body = json!({"name": "PT Dewy Sentosa", "licence_number": "KEP.9/2024", "status": "active",
                      "valid_from": "2024-01-01", "valid_until": "2029-01-01"});
    assert_eq!(app.post_json("/api/v1/agencies", Some(&admin), &body).await.0, 201);
    let search = |q: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let (s, r) = app.get_json(&format!("/api/v1/persons?q={q}"), Some(&admin)).await;
            assert_eq!(s, 200, "{q}: {r}");
            names(&r)
        }
    };
    let agencies = |q: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let (_, r) = app.get_json(&format!("/api/v1/agencies?q={q}"), Some(&admin)).await;
            r["items"].as_array().unwrap().len()
        }
    };
    // Written by this build: the keys are version 2's, and a new database records it.
    assert_eq!(search("sity").await, ["Siti Aminah", "Sity Rahma"]);
    assert!(!web::name_keys::outdated(&app.db).await.unwrap());

    age_the_keys(&app.db).await;
    assert!(web::name_keys::outdated(&app.db).await.unwrap(), "no recorded version with keys: version 1");
    // Before the re-keying the old keys hide the y/i variants (the FTS5 index followed the
    // direct update through its trigger).
    assert_eq!(search("sity").await, ["Siti Aminah"]);
    assert_eq!(search("hendri").await, Vec::<String>::new());
    assert_eq!(agencies("dewi").await, 0);
    let versions = scalar(&app.db, "SELECT CAST(SUM(version) AS BIGINT) FROM persons").await;

    let actor = store::audit::Actor::system("test");
    let mut seen = vec![];
    let outcome = web::name_keys::rekey(&app.db, &actor, false, |p| seen.push(*p)).await.unwrap();
    let web::name_keys::Outcome::Rekeyed(p) = outcome else { panic!("{outcome:?}") };
    assert_eq!((p.read, p.total, p.rewritten), (4, 4, 3), "3 persons + 1 agency read, 3 keys rewritten: {seen:?}");
    assert_eq!(seen.first().map(|p| p.read), Some(0), "progress before the first batch");
    assert_eq!(search("sity").await, ["Siti Aminah", "Sity Rahma"]);
    assert_eq!(search("siti").await, ["Siti Aminah", "Sity Rahma"]);
    assert_eq!(search("hendri%20wijaya").await, ["Hendry Wijaya"]);
    assert_eq!(agencies("dewi").await, 1);
    assert_eq!(
        scalar(&app.db, "SELECT CAST(SUM(version) AS BIGINT) FROM persons").await,
        versions,
        "a key is no new version"
    );
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM person_changes").await, 0);
    // One audit entry per batch that rewrote keys, naming the range: persons, then agencies.
    let (_, log) = app.get_json("/api/v1/audit?action=name_key.rekey", Some(&admin)).await;
    let entries = log["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{log}");
    assert_eq!(entries[1]["entity"], "persons");
    assert!(entries[1]["details"].as_str().unwrap().starts_with("key version 2: 2 of 3 persons keys"), "{log}");
    assert_eq!(entries[0]["entity"], "agencies");
    // Done: recorded, and a second run has nothing to do.
    assert!(!web::name_keys::outdated(&app.db).await.unwrap());
    let again = web::name_keys::rekey(&app.db, &actor, false, |_| {}).await.unwrap();
    assert_eq!(again, web::name_keys::Outcome::Current);

    // A server started on a database with old keys re-keys in the background after it listens.
    age_the_keys(&app.db).await;
    exec(&app.db, "INSERT INTO meta (key, value) VALUES ('name_key_version', '1')", &[]).await;
    assert_eq!(search("sity").await, ["Siti Aminah"]);
    let second = app.another_server(|_| {}).await;
    let mut found = vec![];
    for _ in 0..100 {
        let (_, r) = second.get_json("/api/v1/persons?q=sity", Some(&admin)).await;
        found = names(&r);
        if found.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(found, ["Siti Aminah", "Sity Rahma"], "re-keyed in the background");
    for _ in 0..50 {
        if !web::name_keys::outdated(&app.db).await.unwrap() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!web::name_keys::outdated(&app.db).await.unwrap(), "the version is recorded when done");
    assert_eq!(agencies("dewi").await, 1);
}

#[tokio::test]
async fn a_brokers_aliases_that_now_share_a_key_become_one() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(app.url("/api/v1/public/broker-reports"))
        .json(&json!({"broker_name": "Pak Hendri", "broker_phone": "0812 3456 7890", "village_code": HOME,
                      "description": "Menawarkan kerja di Malaysia tanpa P3MI dan meminta uang"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let broker = scalar(&app.db, "SELECT MAX(id) FROM brokers").await.to_string();
    // Two aliases as version 1 keyed them: Pak Hendry apart from Pak Hendri, Dewy apart from Dewi.
    for (alias, key) in [("Pak Hendry", "pak hendry"), ("Dewy", "dewy")] {
        exec(
            &app.db,
            "INSERT INTO broker_aliases (broker_id, alias, alias_key) VALUES (CAST($1 AS BIGINT), $2, $3)",
            &[&broker, alias, key],
        )
        .await;
    }
    exec(&app.db, "UPDATE meta SET value = '1' WHERE key = 'name_key_version'", &[]).await;
    let outcome = web::name_keys::rekey(&app.db, &store::audit::Actor::system("test"), false, |_| {}).await.unwrap();
    let web::name_keys::Outcome::Rekeyed(p) = outcome else { panic!("{outcome:?}") };
    assert_eq!(p.rewritten, 2, "{p:?}");
    let keys: Vec<(String, String)> = match &app.db {
        Db::Sqlite(c, _) => {
            sqlx::query_as("SELECT alias, alias_key FROM broker_aliases ORDER BY alias_key").fetch_all(c).await
        }
        Db::Postgres(c) => {
            sqlx::query_as("SELECT alias, alias_key FROM broker_aliases ORDER BY alias_key").fetch_all(c).await
        }
    }
    .unwrap();
    let keys: Vec<(&str, &str)> = keys.iter().map(|(a, k)| (a.as_str(), k.as_str())).collect();
    assert_eq!(keys, [("Dewy", "dewi"), ("Pak Hendri", "pak hendri")]);
}
