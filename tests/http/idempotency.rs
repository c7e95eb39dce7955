//! `Idempotency-Key` on the API's writes (issue 16's contract): a replay answers the first
//! answer and writes nothing new, a reused key with another request is refused, concurrent
//! replays of one key write once, and keys are per account.

use crate::common::TestApp;
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";

async fn send(app: &TestApp, token: &str, path: &str, key: &str, body: &Value) -> (u16, Value, bool) {
    let resp = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let replayed = resp.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    (status, resp.json().await.unwrap_or(Value::Null), replayed)
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    let row: (i64,) = match &app.db {
        store::Db::Sqlite(p, _) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
        store::Db::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
    };
    row.0
}

fn person(nik: &str, name: &str) -> Value {
    json!({"nik": nik, "full_name": name, "sex": "P", "birth_date": "1990-05-12", "village_code": HOME})
}

const PEOPLE: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM persons";

#[tokio::test]
async fn a_replayed_person_is_created_once_and_answered_the_same() {
    let app = TestApp::spawn().await;
    let token = app.admin_token.clone();
    let before = count(&app, PEOPLE).await;
    let body = person("5307015205900001", "Maria Goreti");
    let (s1, first, replayed1) = send(&app, &token, "/api/v1/persons", "outbox-7f3a", &body).await;
    assert_eq!(s1, 201, "{first}");
    assert!(!replayed1);
    let (s2, second, replayed2) = send(&app, &token, "/api/v1/persons", "outbox-7f3a", &body).await;
    assert_eq!((s2, &second), (201, &first), "the replay answers the first answer");
    assert!(replayed2, "and says it is a replay");
    assert_eq!(count(&app, PEOPLE).await, before + 1, "one person, not two");

    // The same key with another body is refused and writes nothing.
    let (s, e, _) = send(&app, &token, "/api/v1/persons", "outbox-7f3a", &person("5307015205900002", "Yuliana")).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(e["errors"][0]["rule"], "mismatch");
    assert_eq!(count(&app, PEOPLE).await, before + 1);

    // A refusal by the rules is an answer too: the replay gets it again.
    let bad = person("12345", "Nik Pendek");
    let (s, e1, _) = send(&app, &token, "/api/v1/persons", "outbox-bad", &bad).await;
    assert_eq!(s, 422);
    let (s, e2, replayed) = send(&app, &token, "/api/v1/persons", "outbox-bad", &bad).await;
    assert_eq!((s, &e2, replayed), (422, &e1, true));

    // A malformed key is refused before anything runs.
    let (s, e, _) = send(&app, &token, "/api/v1/persons", "dua kata", &person("5307015205900003", "Agnes")).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["rule"], "format");
    assert_eq!(count(&app, PEOPLE).await, before + 1);

    // Without the header nothing changes: a second identical request is its own request.
    let (s, e) = app.post_json("/api/v1/persons", Some(&token), &body).await;
    assert_eq!(s, 422, "the NIK is taken: {e}");
}

#[tokio::test]
async fn concurrent_replays_of_one_key_write_once() {
    let app = TestApp::spawn().await;
    let token = app.admin_token.clone();
    let before = count(&app, PEOPLE).await;
    let body = person("5307015205900011", "Theresia Ina");
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (client, url, token, body) = (app.client.clone(), app.url("/api/v1/persons"), token.clone(), body.clone());
        set.spawn(async move {
            let r = client.post(url).bearer_auth(token).header("Idempotency-Key", "outbox-race").json(&body).send();
            let r = r.await.expect("send");
            let replayed = r.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or_default(), replayed)
        });
    }
    let answers: Vec<(u16, Value, bool)> = set.join_all().await;
    let first = &answers[0];
    for (s, b, _) in &answers {
        assert_eq!((*s, b), (first.0, &first.1), "every replay gets the one answer");
    }
    assert_eq!(first.0, 201, "{}", first.1);
    assert_eq!(answers.iter().filter(|a| !a.2).count(), 1, "exactly one ran; the rest were replays");
    assert_eq!(count(&app, PEOPLE).await, before + 1);
}

#[tokio::test]
async fn keys_are_per_account_and_every_write_route_honours_them() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, p) = app.post_json("/api/v1/persons", Some(&app.admin_token), &person("5307015205900021", "Maria")).await;
    assert_eq!(s, 201, "{p}");
    let case = app.open_case(&officer, "unpaid_wages", p["id"].as_i64()).await;

    // A case note, sent three times by a phone that never saw the answer: one note.
    let notes = |id: i64| format!("/api/v1/cases/{id}/notes");
    let note = json!({"body": "Keluarga dihubungi lewat telepon; majikan berjanji membayar bulan depan."});
    for _ in 0..3 {
        let (s, b, _) = send(&app, &officer, &notes(case), "note-1", &note).await;
        assert!(s == 200 || s == 201, "{s} {b}");
    }
    let (_, c) = app.get_json(&format!("/api/v1/cases/{case}"), Some(&officer)).await;
    let noted = c["notes"].as_array().unwrap().iter().filter(|e| e.to_string().contains("majikan berjanji")).count();
    assert_eq!(noted, 1, "{c}");

    // Another account's same key is its own: it runs (and here adds its own note).
    let head = app.user_token("kades", "village_head", Some(HOME)).await;
    let (s, b, replayed) = send(&app, &head, &notes(case), "note-1", &note).await;
    assert!(!replayed, "{s} {b}");

    // A refusal about the caller (403, or 404 for a case out of scope) is not kept: it says
    // nothing about the request, and access may change.
    let outsider = app.user_token("luar", "village_officer", Some("53.07.02.2001")).await;
    let (s, _, _) = send(&app, &outsider, &notes(case), "note-x", &note).await;
    assert!(s == 403 || s == 404, "{s}");
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM idempotency_keys WHERE idem_key = 'note-x'").await, 0);
}

#[tokio::test]
async fn the_document_offers_the_key_on_every_write() {
    let app = TestApp::spawn().await;
    let (s, doc) = app.get_json("/api/v1/openapi.json", None).await;
    assert_eq!(s, 200);
    let mut writes = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let takes_key = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"));
            let write = matches!(method.as_str(), "post" | "put" | "patch" | "delete");
            assert_eq!(takes_key, write, "{method} {path}");
            writes += usize::from(write);
        }
    }
    assert!(writes > 40, "{writes}");
}
