//! The audit log: every change recorded, chained, append-only, tamper evident.

use crate::common::TestApp;
use domain::audit::ChainCheck;
use store::Db;

#[tokio::test]
async fn changes_are_recorded_with_who_what_where() {
    let app = TestApp::spawn().await;
    app.designate("53.07.01.2001", 2017).await;
    let id = app.create_user("petugas", "village_officer", Some("53.07.01.2001")).await;
    let (s, log) = app.get_json("/api/v1/audit?action=village.", Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    let e = &log["items"][0];
    assert_eq!(e["action"], "village.designate");
    assert_eq!(e["entity_id"], "53.07.01.2001");
    assert_eq!(e["actor"], "admin");
    assert_eq!(e["ip"], "127.0.0.1");
    assert!(e["request_id"].as_str().unwrap().len() >= 8);
    assert!(e["details"].as_str().unwrap().contains("cohort_year=2017"));
    let (_, log) = app.get_json(&format!("/api/v1/audit?entity=user&entity_id={id}"), Some(&app.admin_token)).await;
    assert_eq!(log["items"][0]["action"], "user.create");
    assert!(!log["items"][0]["details"].as_str().unwrap().contains("password"));
    assert!(matches!(store::audit::verify(&app.db).await.unwrap(), ChainCheck::Intact { entries } if entries >= 4));
}

async fn exec(db: &Db, sql: &'static str) -> Result<(), String> {
    let r = match db {
        Db::Sqlite(p, _) => sqlx::query(sql).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    };
    r.map_err(|e| e.to_string())
}

#[tokio::test]
async fn log_is_append_only_and_tampering_is_detected() {
    let app = TestApp::spawn().await;
    app.designate("53.07.01.2001", 2017).await;
    app.designate("53.07.01.2003", 2018).await;
    let err = exec(&app.db, "UPDATE audit_log SET details = 'x' WHERE seq = 2").await.unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    let err = exec(&app.db, "DELETE FROM audit_log WHERE seq = 2").await.unwrap_err();
    assert!(err.contains("append-only"), "{err}");

    // Someone with the database owner's rights drops the guard and edits an entry:
    // the chain check finds the exact entry.
    match app.db {
        Db::Sqlite(..) => exec(&app.db, "DROP TRIGGER audit_log_no_update").await.unwrap(),
        Db::Postgres(_) => exec(&app.db, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change").await.unwrap(),
    }
    exec(&app.db, "UPDATE audit_log SET details = 'cohort_year=2016' WHERE seq = 2").await.unwrap();
    match store::audit::verify(&app.db).await.unwrap() {
        ChainCheck::Broken { seq, .. } => assert_eq!(seq, 2),
        other => panic!("tampering not detected: {other:?}"),
    }
}
