//! The audit log: every change recorded, chained, append-only, tamper evident.

use crate::common::{ADMIN_PASSWORD, Browser, TestApp};
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

/// Opening an account is one audited view, the same from the admin page and the API
/// (app::accounts::view): the entry names the account's region, and an id that does not exist
/// leaves no entry. The page used to write its entry with no region, and before the 404.
#[tokio::test]
async fn viewing_an_account_is_audited_alike_from_both_doors() {
    let app = TestApp::spawn().await;
    let id = app.create_user("petugas", "village_officer", Some("53.07.01.2001")).await;
    let b = Browser::new(&app);
    b.login("admin", ADMIN_PASSWORD).await;
    let (s, _) = b.get(&format!("/admin/users/{id}")).await;
    assert_eq!(s, 200);
    let (s, _) = app.get_json(&format!("/api/v1/users/{id}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    let audit = |entity_id: String| {
        let app = &app;
        async move {
            let (s, log) = app
                .get_json(&format!("/api/v1/audit?action=user.view&entity_id={entity_id}"), Some(&app.admin_token))
                .await;
            assert_eq!(s, 200, "{log}");
            log["items"].as_array().cloned().unwrap_or_default()
        }
    };
    let views = audit(id.to_string()).await;
    assert_eq!(views.len(), 2, "one entry per door: {views:?}");
    assert!(views.iter().all(|e| e["region_code"] == "53.07.01.2001"), "{views:?}");
    let (s, _) = b.get("/admin/users/999999").await;
    assert_eq!(s, 404);
    assert!(audit("999999".into()).await.is_empty(), "no view of an account that does not exist");
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

// Issue 14: the chain keyed with a secret outside the database, and checkpoints of the head
// kept outside it, so that whoever can write the database can no longer rewrite history.

use domain::audit::{AuditFields, Finding, entry_hash};
use web::audit_trail::{self, Checkpointed, VerifyOutcome};

/// Runs any statement, as someone with the database owner's rights.
async fn exec_sql(db: &Db, sql: String) {
    let r = match db {
        Db::Sqlite(p, _) => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(p).await.map(|_| ()),
    };
    r.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn drop_guards(db: &Db) {
    match db {
        Db::Sqlite(..) => {
            exec_sql(db, "DROP TRIGGER audit_log_no_update".into()).await;
            exec_sql(db, "DROP TRIGGER audit_log_no_delete".into()).await;
        }
        Db::Postgres(_) => exec_sql(db, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change".into()).await,
    }
}

/// An app with a few audited changes and a checkpoint of its head, plus the configuration
/// (key and checkpoint file) the test app was started with.
async fn checkpointed_app() -> (TestApp, web::Config) {
    let app = TestApp::spawn().await;
    for (i, v) in ["53.07.01.2001", "53.07.01.2003", "53.07.01.2004"].iter().enumerate() {
        app.designate(v, 2017 + i as i64).await;
    }
    let cfg = web::Config::for_database(&app.database_url);
    let key = audit_trail::load_key(&cfg).unwrap().expect("the start created the key");
    let done = audit_trail::checkpoint(&app.db, &key, &cfg.audit_checkpoint_file, None, store::now()).await.unwrap();
    assert!(matches!(done, Checkpointed::Written(_)), "{done:?}");
    (app, cfg)
}

async fn verify(app: &TestApp, cfg: &web::Config) -> VerifyOutcome {
    audit_trail::verify(&app.db, cfg, &cfg.audit_checkpoint_file).await.unwrap()
}

fn finding(o: VerifyOutcome) -> Finding {
    match o {
        VerifyOutcome::Tampered { finding: Some(f), message } => {
            assert!(message.starts_with("AUDIT CHAIN BROKEN"), "{message}");
            f
        }
        other => panic!("tampering not detected: {other:?}"),
    }
}

async fn head_seq(db: &Db) -> i64 {
    store::audit::head(db).await.unwrap().seq
}

#[tokio::test]
async fn untouched_chain_verifies_against_its_checkpoints_and_the_key_stays_outside() {
    let (app, cfg) = checkpointed_app().await;
    app.designate("53.07.01.2005", 2020).await; // the log may grow past a checkpoint
    match verify(&app, &cfg).await {
        VerifyOutcome::Intact { message } => {
            assert!(message.contains("matches 1 checkpoint"), "{message}");
            assert!(message.contains("all keyed"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let key = audit_trail::load_key(&cfg).unwrap().unwrap();
    let secret = key.to_hex();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cfg.audit_key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "key file readable by its owner only");
    }
    // The key is in none of the database's audit rows, the head or the checkpoints.
    let entries = store::audit::list(&app.db, &store::audit::Filter::default(), 500).await.unwrap();
    assert!(entries.iter().all(|e| !e.details.contains(&secret) && e.hash.len() == 64));
    let head = store::audit::head(&app.db).await.unwrap();
    assert!(!format!("{head:?}").contains(&secret));
    assert!(!std::fs::read_to_string(&cfg.audit_checkpoint_file).unwrap().contains(&secret));
}

#[tokio::test]
async fn removing_the_newest_entries_and_moving_the_head_back_is_detected() {
    let (app, cfg) = checkpointed_app().await;
    let n = head_seq(&app.db).await;
    drop_guards(&app.db).await;
    // The attack: delete the newest entries and point the head at the one left.
    exec_sql(&app.db, format!("DELETE FROM audit_log WHERE seq > {}", n - 2)).await;
    let kept = store::audit::hash_at(&app.db, n - 2).await.unwrap().unwrap();
    exec_sql(&app.db, format!("UPDATE audit_head SET seq = {}, hash = '{kept}' WHERE id = 1", n - 2)).await;
    // The chain alone is consistent again: only the checkpoint can tell.
    assert!(matches!(store::audit::verify(&app.db).await.unwrap(), ChainCheck::Intact { .. }));
    match finding(verify(&app, &cfg).await) {
        Finding::NewestRemoved { log_end, recorded, .. } => assert_eq!((log_end, recorded), (n - 2, n)),
        other => panic!("{other:?}"),
    }
    // And the server will not write a checkpoint that would cover it up.
    let key = audit_trail::load_key(&cfg).unwrap().unwrap();
    let last = audit_trail::read_checkpoints(&cfg.audit_checkpoint_file, &key).unwrap().checkpoints.pop();
    let again = audit_trail::checkpoint(&app.db, &key, &cfg.audit_checkpoint_file, last.as_ref(), store::now());
    assert!(matches!(again.await.unwrap(), Checkpointed::Refused(_)));
}

#[tokio::test]
async fn an_edited_entry_is_detected_after_a_checkpoint() {
    let (app, cfg) = checkpointed_app().await;
    drop_guards(&app.db).await;
    exec_sql(&app.db, "UPDATE audit_log SET details = 'cohort_year=2016' WHERE seq = 2".into()).await;
    assert_eq!(finding(verify(&app, &cfg).await), Finding::Edited { seq: 2, keyed: true });
}

#[tokio::test]
async fn reordered_entries_are_detected_after_a_checkpoint() {
    let (app, cfg) = checkpointed_app().await;
    drop_guards(&app.db).await;
    for sql in ["UPDATE audit_log SET seq = -2 WHERE seq = 2", "UPDATE audit_log SET seq = 2 WHERE seq = 3"] {
        exec_sql(&app.db, sql.into()).await;
    }
    exec_sql(&app.db, "UPDATE audit_log SET seq = 3 WHERE seq = -2".into()).await;
    assert_eq!(finding(verify(&app, &cfg).await), Finding::Reordered { seq: 2, follows: 3 });
}

#[tokio::test]
async fn a_moved_head_is_detected_after_a_checkpoint() {
    let (app, cfg) = checkpointed_app().await;
    let n = head_seq(&app.db).await;
    exec_sql(&app.db, "UPDATE audit_head SET seq = seq - 1 WHERE id = 1".into()).await;
    assert_eq!(finding(verify(&app, &cfg).await), Finding::HeadMoved { head_seq: n - 1, log_end: n });
    exec_sql(
        &app.db,
        "UPDATE audit_head SET seq = seq + 1, hash = (SELECT hash FROM audit_log WHERE seq = 1) WHERE id = 1".into(),
    )
    .await;
    assert_eq!(finding(verify(&app, &cfg).await), Finding::HeadHashMoved { seq: n });
}

/// Rewrites every hash from entry `from` on with the plain SHA-256 anyone can compute.
async fn recompute_without_key(db: &Db, from: i64) {
    let mut entries = store::audit::list(db, &store::audit::Filter::default(), 500).await.unwrap();
    entries.reverse();
    let mut prev =
        entries.iter().find(|e| e.seq == from - 1).map(|e| e.hash.clone()).unwrap_or(domain::audit::GENESIS.into());
    for e in entries.iter().filter(|e| e.seq >= from) {
        let f = AuditFields {
            seq: e.seq,
            at: e.at,
            actor_user_id: e.actor_user_id,
            actor: &e.actor,
            action: &e.action,
            entity: &e.entity,
            entity_id: &e.entity_id,
            region_code: &e.region_code,
            ip: &e.ip,
            request_id: &e.request_id,
            details: &e.details,
        };
        let h = entry_hash(&prev, &f);
        exec_sql(db, format!("UPDATE audit_log SET prev_hash = '{prev}', hash = '{h}' WHERE seq = {}", e.seq)).await;
        prev = h;
    }
    exec_sql(db, format!("UPDATE audit_head SET hash = '{prev}' WHERE id = 1")).await;
}

#[tokio::test]
async fn a_chain_recomputed_without_the_key_is_detected() {
    let (app, cfg) = checkpointed_app().await;
    drop_guards(&app.db).await;
    exec_sql(&app.db, "UPDATE audit_log SET details = 'cohort_year=2016' WHERE seq = 2".into()).await;
    recompute_without_key(&app.db, 2).await;
    assert_eq!(finding(verify(&app, &cfg).await), Finding::Edited { seq: 2, keyed: true });
    // Declaring the chain unkeyed as well: the checkpoints remember it was keyed…
    recompute_without_key(&app.db, 1).await;
    exec_sql(&app.db, "UPDATE audit_head SET keyed_from = NULL, key_id = NULL, keying_mac = NULL WHERE id = 1".into())
        .await;
    assert!(matches!(
        finding(verify(&app, &cfg).await),
        Finding::KeyingChanged { checkpoint_keyed_from: 1, stored: None }
    ));
    // …and without checkpoints an unkeyed chain is still not passed as trustworthy.
    std::fs::remove_file(&cfg.audit_checkpoint_file).unwrap();
    match verify(&app, &cfg).await {
        VerifyOutcome::Tampered { finding: Some(Finding::NotKeyed { .. }), message } => {
            assert!(message.starts_with("AUDIT CHAIN NOT KEYED"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // Moving the switch-over instead (past the recomputed entries) needs the key for its MAC.
    let key = audit_trail::load_key(&cfg).unwrap().unwrap();
    let sql =
        format!("UPDATE audit_head SET keyed_from = 1000, key_id = '{}', keying_mac = 'forged' WHERE id = 1", key.id());
    exec_sql(&app.db, sql).await;
    assert_eq!(finding(verify(&app, &cfg).await), Finding::KeyingAltered);
    // Naming another key is at least not passed: verification refuses to run.
    exec_sql(&app.db, "UPDATE audit_head SET key_id = 'another' WHERE id = 1".into()).await;
    assert!(matches!(verify(&app, &cfg).await, VerifyOutcome::CannotVerify { .. }));
}

#[tokio::test]
async fn an_altered_checkpoint_file_is_reported() {
    let (app, cfg) = checkpointed_app().await;
    let text = std::fs::read_to_string(&cfg.audit_checkpoint_file).unwrap();
    let n = head_seq(&app.db).await;
    std::fs::write(&cfg.audit_checkpoint_file, text.replace(&format!("seq={n} "), &format!("seq={} ", n - 1))).unwrap();
    match verify(&app, &cfg).await {
        VerifyOutcome::Tampered { finding: None, message } => {
            assert!(message.contains("AUDIT CHECKPOINTS ALTERED") && message.contains("line 1"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

/// A database from before the key: its unkeyed entries stay, the switch-over is the first
/// keyed entry and pins them.
#[tokio::test]
async fn an_unkeyed_chain_is_keyed_on_the_next_start_and_its_old_part_stays_pinned() {
    let (url, _dir) = crate::common::fresh_database().await;
    let cfg = web::Config::for_database(&url);
    let db = Db::connect(&url).await.unwrap();
    let ev =
        store::audit::Event { action: "old.entry", entity: "x", entity_id: "1", region_code: "", details: "before" };
    for _ in 0..3 {
        store::audit::append_now(&db, &store::audit::Actor::system("old"), &ev).await.unwrap();
    }
    let legacy = store::audit::verify_with(&db, None, vec![]).await.unwrap();
    assert!(matches!(legacy.finding, Some(Finding::NotKeyed { entries: 3 })), "{legacy:?}");
    db.close().await;

    let mut cfg2 = cfg.clone();
    cfg2.admin_password = Some(crate::common::ADMIN_PASSWORD.into());
    let started = web::bootstrap::prepare(&cfg2).await.unwrap();
    let db = started.db;
    let only_marker = store::audit::Filter { action: Some("audit.keyed".into()), ..Default::default() };
    let marker = store::audit::list(&db, &only_marker, 5).await.unwrap();
    assert_eq!(marker.len(), 1);
    assert_eq!(marker[0].seq, 4);
    match audit_trail::verify(&db, &cfg, &cfg.audit_checkpoint_file).await.unwrap() {
        VerifyOutcome::Intact { message } => assert!(message.contains("entries 1–3 predate the key"), "{message}"),
        other => panic!("{other:?}"),
    }
    // Rewriting the unkeyed part (and recomputing it) breaks the first keyed entry.
    drop_guards(&db).await;
    exec_sql(&db, "UPDATE audit_log SET details = 'rewritten' WHERE seq = 2".into()).await;
    recompute_without_key(&db, 2).await; // also rewrites 4+ unkeyed: the first keyed one fails
    let f = finding(audit_trail::verify(&db, &cfg, &cfg.audit_checkpoint_file).await.unwrap());
    assert_eq!(f, Finding::Edited { seq: 4, keyed: true });
}

/// The server records the head at graceful shutdown, so a restart starts from a checkpoint.
#[tokio::test]
async fn the_server_writes_a_checkpoint_at_graceful_shutdown() {
    let (url, _dir) = crate::common::fresh_database().await;
    let mut cfg = web::Config::for_database(&url);
    cfg.admin_password = Some(crate::common::ADMIN_PASSWORD.into());
    let started = web::bootstrap::prepare(&cfg).await.unwrap();
    let db = started.db.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(web::serve(listener, web::AppState::new(started.db, cfg.clone()), async {
        let _ = stopped.await;
    }));
    let ev = store::audit::Event { action: "test.write", entity: "x", entity_id: "1", region_code: "", details: "" };
    store::audit::append_now(&db, &store::audit::Actor::system("test"), &ev).await.unwrap();
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    let key = audit_trail::load_key(&cfg).unwrap().unwrap();
    let file = audit_trail::read_checkpoints(&cfg.audit_checkpoint_file, &key).unwrap();
    let last = file.checkpoints.last().expect("a checkpoint at shutdown");
    assert_eq!(last.seq, head_seq(&db).await);
    assert!(matches!(
        audit_trail::verify(&db, &cfg, &cfg.audit_checkpoint_file).await.unwrap(),
        VerifyOutcome::Intact { .. }
    ));
}

/// Views of personal data arriving together are committed together (store::audit::append_now,
/// group commit on SQLite): every caller gets its own sequence number once its entry is
/// written, none is lost or written twice, and the chain stays intact.
#[tokio::test]
async fn concurrent_view_audits_each_get_their_entry_and_the_chain_holds() {
    let app = TestApp::spawn().await;
    let before = match store::audit::verify(&app.db).await.unwrap() {
        ChainCheck::Intact { entries } => entries,
        other => panic!("{other:?}"),
    };
    let n = 60;
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..n {
        let db = app.db.clone();
        calls.spawn(async move {
            let actor = store::audit::Actor {
                user_id: None,
                username: "officer".into(),
                ip: "127.0.0.1".into(),
                request_id: format!("r{i}"),
            };
            let id = i.to_string();
            let ev = store::audit::Event {
                action: "person.view",
                entity: "person",
                entity_id: &id,
                region_code: "53.07.01.2001",
                details: "",
            };
            (i, store::audit::append_now(&db, &actor, &ev).await.unwrap())
        });
    }
    let mut seqs = vec![];
    while let Some(r) = calls.join_next().await {
        seqs.push(r.unwrap());
    }
    let mut numbers: Vec<i64> = seqs.iter().map(|s| s.1).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), n, "each caller its own entry");
    // Each caller's number is the entry that names its request.
    for (i, seq) in &seqs {
        let (rid,): (String,) =
            store::on_db!(&app.db, p => sqlx::query_as("SELECT request_id FROM audit_log WHERE seq = $1")
            .bind(seq).fetch_one(p).await)
            .unwrap();
        assert_eq!(rid, format!("r{i}"));
    }
    assert!(
        matches!(store::audit::verify(&app.db).await.unwrap(), ChainCheck::Intact { entries } if entries == before + n as u64)
    );
}
