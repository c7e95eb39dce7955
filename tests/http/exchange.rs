//! The partner data exchange: API clients (scopes, purpose, region, expiry, rotation, revocation,
//! rate limit), the scope × purpose × consent matrix on people, sync with signed cursors across
//! inserts, updates and deletions, streaming exports, bad input, and data subject rights.

use crate::common::TestApp;
use serde_json::{Value, json};
use std::collections::HashSet;

const HOME: &str = "53.07.01.2001";
const OTHER_PROVINCE: &str = "35.12.01.2001";

async fn person(app: &TestApp, serial: u32, village: &str) -> i64 {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": format!("53070152059{serial:05}"), "full_name": format!("Maria Goreti {serial}"), "sex": "P",
                    "birth_date": "1990-05-12", "village_code": village, "phone": "081234567890", "address": "Dusun Satu"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

async fn consent(app: &TestApp, id: i64, purpose: &str, granted: bool) {
    let (s, b) = app
        .post_json(
            &format!("/api/v1/persons/{id}/purpose-consents"),
            Some(&app.admin_token),
            &json!({"purpose": purpose, "granted": granted, "given_on": "2026-01-02"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
}

async fn client(app: &TestApp, purpose: &str, scopes: &[&str], region: Option<&str>) -> (i64, String) {
    let (s, c) = app
        .post_json(
            "/api/v1/api-clients",
            Some(&app.admin_token),
            &json!({"organisation": "IOM Indonesia", "purpose": purpose, "scopes": scopes, "region_code": region,
                    "expires_on": expiry(), "rate_per_minute": 1000}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    (c["id"].as_i64().unwrap(), c["token"].as_str().unwrap().to_string())
}

/// A year from today: client expiries may be at most three years ahead.
fn expiry() -> String {
    (crate::common::today() + time::Duration::days(365)).to_string()
}

/// Rows written in the last second are served a moment later (see `app::exchange::SETTLE_SECS`).
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
}

fn by_id(items: &Value) -> std::collections::HashMap<i64, Value> {
    items.as_array().unwrap().iter().map(|p| (p["id"].as_i64().unwrap(), p.clone())).collect()
}

#[tokio::test]
async fn scope_purpose_consent_matrix() {
    let app = TestApp::spawn().await;
    let covered = person(&app, 1, HOME).await; // consents to trafficking response
    let health_only = person(&app, 2, HOME).await; // consents to health services only
    let never_asked = person(&app, 3, HOME).await;
    let withdrawn = person(&app, 4, HOME).await; // consented, then withdrew
    let elsewhere = person(&app, 5, OTHER_PROVINCE).await; // consents, outside NTT
    let restricted = person(&app, 6, HOME).await; // consents, but processing restricted
    consent(&app, covered, "trafficking_response", true).await;
    consent(&app, health_only, "health_services", true).await;
    consent(&app, withdrawn, "trafficking_response", true).await;
    consent(&app, withdrawn, "trafficking_response", false).await;
    consent(&app, elsewhere, "trafficking_response", true).await;
    consent(&app, restricted, "trafficking_response", true).await;
    let (s, _) = app
        .put_json(
            &format!("/api/v1/persons/{restricted}/restriction"),
            &app.admin_token,
            &json!({"restricted": true, "note": "objects"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, iom_ntt) = client(&app, "trafficking_response", &["persons:read"], Some("53")).await;
    let (_, health_national) = client(&app, "health_services", &["persons:read", "episodes:read"], None).await;
    let (_, jobs_only) = client(&app, "trafficking_response", &["job_orders:read"], None).await;
    settle().await;

    // (client, person, expected: None = not returned, Some(true) = personal fields, Some(false) = redacted)
    let matrix: &[(&str, i64, Option<bool>)] = &[
        (&iom_ntt, covered, Some(true)),
        (&iom_ntt, health_only, Some(false)),
        (&iom_ntt, never_asked, Some(false)),
        (&iom_ntt, withdrawn, Some(false)),
        (&iom_ntt, elsewhere, None),
        (&iom_ntt, restricted, None),
        (&health_national, covered, Some(false)),
        (&health_national, health_only, Some(true)),
        (&health_national, never_asked, Some(false)),
        (&health_national, elsewhere, Some(false)),
        (&health_national, restricted, None),
    ];
    let mut lists = std::collections::HashMap::new();
    for token in [&iom_ntt, &health_national] {
        let (s, body) = app.get_json("/api/v1/exchange/persons", Some(token)).await;
        assert_eq!(s, 200, "{body}");
        lists.insert(token.clone(), by_id(&body["items"]));
    }
    for (token, id, expected) in matrix {
        let list = &lists[*token];
        let (s, one) = app.get_json(&format!("/api/v1/exchange/persons/{id}"), Some(token)).await;
        match expected {
            None => {
                assert!(!list.contains_key(id), "person {id} must not be listed");
                assert_eq!(s, 404, "person {id}: {one}");
            }
            Some(full) => {
                let p = &list[id];
                assert_eq!(s, 200, "{one}");
                assert_eq!(&one, p, "the list and the record agree");
                assert_eq!(p["nik"].is_string(), *full, "person {id}: {p}");
                assert_eq!(p["full_name"].is_string(), *full);
                assert_eq!(p["phone"].is_string(), *full);
                assert_eq!(p["address"].is_string(), *full);
                assert_eq!(p["birth_date"].is_string(), *full);
                assert_eq!(p["consent"], if *full { "covered" } else { "not_covered" });
                let redacted = p["redacted_fields"].as_array().unwrap();
                assert_eq!(redacted.is_empty(), *full);
                if !*full {
                    assert!(redacted.contains(&json!("nik")) && redacted.contains(&json!("full_name")));
                    assert_eq!(p["birth_year"], 1990, "aggregates keep the year");
                }
            }
        }
    }
    // Unknown, outside, restricted: one answer, so ids cannot be probed.
    let (s1, b1) = app.get_json("/api/v1/exchange/persons/999999", Some(&iom_ntt)).await;
    let (s2, b2) = app.get_json(&format!("/api/v1/exchange/persons/{elsewhere}"), Some(&iom_ntt)).await;
    let (s3, b3) = app.get_json(&format!("/api/v1/exchange/persons/{restricted}"), Some(&iom_ntt)).await;
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!((s1, &b1), (s3, &b3));
    // Scope exceeded: 403 whatever the person.
    let (s, b) = app.get_json("/api/v1/exchange/persons", Some(&jobs_only)).await;
    assert_eq!((s, b["error"].as_str()), (403, Some("forbidden")));
    let (s, _) = app.get_json(&format!("/api/v1/exchange/persons/{covered}"), Some(&jobs_only)).await;
    assert_eq!(s, 403);
    let (s, _) = app.get_json("/api/v1/exchange/job-orders", Some(&jobs_only)).await;
    assert_eq!(s, 200);
    let (s, _) = app.get_json("/api/v1/exchange/episodes", Some(&iom_ntt)).await;
    assert_eq!(s, 403, "persons:read does not give episodes");
    let (s, _) = app.get_json("/api/v1/exchange/episodes", Some(&health_national)).await;
    assert_eq!(s, 200);
    // Accounts: an officer sees everything in scope with personal fields, restricted marked;
    // a partner account gets nothing (it must use a client).
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, body) = app.get_json("/api/v1/exchange/persons", Some(&officer)).await;
    assert_eq!(s, 200);
    let seen = by_id(&body["items"]);
    assert!(seen[&restricted]["restricted"] == true && seen[&restricted]["nik"].is_string());
    assert!(!seen.contains_key(&elsewhere));
    assert!(seen[&never_asked].get("consent").is_none());
    let partner = app.user_token("mitra", "partner", Some("53")).await;
    let (s, _) = app.get_json("/api/v1/exchange/persons", Some(&partner)).await;
    assert_eq!(s, 403);
    // Every partner call is audited with the people it named.
    let (_, audit) = app.get_json("/api/v1/audit?action=exchange.persons", Some(&app.admin_token)).await;
    assert!(
        audit["items"].as_array().unwrap().iter().any(|e| e["actor"].as_str().unwrap().starts_with("api_client:")),
        "{audit}"
    );
}

#[tokio::test]
async fn sync_misses_nothing_and_repeats_nothing() {
    let app = TestApp::spawn().await;
    let mut ids = vec![];
    for i in 1..=7 {
        ids.push(person(&app, i, HOME).await);
    }
    let (_, token) = client(&app, "statistics", &["persons:read"], None).await;
    settle().await;
    // Page through everything, 3 at a time.
    let mut seen: Vec<i64> = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/exchange/persons?limit=3&cursor={c}"),
            None => "/api/v1/exchange/persons?limit=3".to_string(),
        };
        let (s, page) = app.get_json(&path, Some(&token)).await;
        assert_eq!(s, 200, "{page}");
        assert!(page["items"].as_array().unwrap().len() <= 3);
        seen.extend(page["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()));
        cursor = Some(page["next_cursor"].as_str().unwrap().to_string());
        if page["has_more"] == false {
            break;
        }
    }
    assert_eq!(seen, ids, "all seven, in change order, none twice");

    // Changes after the last page: an update (consent), a deletion, an insertion, a restriction.
    consent(&app, ids[1], "statistics", true).await;
    let (s, _) = app
        .client
        .delete(app.url(&format!("/api/v1/persons/{}", ids[2])))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 204);
    let added = person(&app, 8, HOME).await;
    app.put_json(&format!("/api/v1/persons/{}/restriction", ids[3]), &app.admin_token, &json!({"restricted": true}))
        .await;
    settle().await;
    let (s, page) =
        app.get_json(&format!("/api/v1/exchange/persons?cursor={}", cursor.clone().unwrap()), Some(&token)).await;
    assert_eq!(s, 200, "{page}");
    let changed: Vec<i64> = page["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(changed, [ids[1], added], "the updated and the new, nothing else");
    assert_eq!(page["items"][0]["consent"], "covered", "the update carries the new consent");
    let deleted: HashSet<(i64, String)> = page["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_i64().unwrap(), d["reason"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(deleted, HashSet::from([(ids[2], "deleted".to_string()), (ids[3], "restricted".to_string())]));
    // Nothing more, and asking again from the new cursor gives nothing twice.
    let next = page["next_cursor"].as_str().unwrap();
    let (_, again) = app.get_json(&format!("/api/v1/exchange/persons?cursor={next}"), Some(&token)).await;
    assert_eq!(again["items"], json!([]));
    assert_eq!(again["deleted"], json!([]));
    // updated_since: only what changed at or after that time.
    let (s, page) = app.get_json("/api/v1/exchange/persons?updated_since=2999-01-01T00:00:00Z", Some(&token)).await;
    assert_eq!((s, page["items"].clone()), (200, json!([])));
    let (_, page) =
        app.get_json("/api/v1/exchange/persons?updated_since=2000-01-01T00:00:00%2B07:00", Some(&token)).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 6, "8 registered, less 1 deleted and 1 restricted");
}

#[tokio::test]
async fn bad_sync_input_is_a_clear_400() {
    let app = TestApp::spawn().await;
    person(&app, 1, HOME).await;
    let (_, token) = client(&app, "statistics", &["persons:read", "agencies:read"], None).await;
    let (_, other) = client(&app, "statistics", &["persons:read"], None).await;
    let (_, first) = app.get_json("/api/v1/exchange/persons", Some(&token)).await;
    let good = first["next_cursor"].as_str().unwrap().to_string();
    let (body_hex, mac) = good.split_once('.').unwrap();
    let forged = format!("{}.{mac}", hex_of("5.1.0.0"));
    let tampered = format!("{body_hex}.{}", "0".repeat(mac.len()));
    for (path, tok, what) in [
        (format!("/api/v1/exchange/persons?cursor={forged}"), &token, "forged cursor"),
        (format!("/api/v1/exchange/persons?cursor={tampered}"), &token, "tampered MAC"),
        ("/api/v1/exchange/persons?cursor=not-a-cursor".to_string(), &token, "junk cursor"),
        ("/api/v1/exchange/persons?cursor=%27%20OR%201%3D1--".to_string(), &token, "SQL cursor"),
        (format!("/api/v1/exchange/persons?cursor={good}"), &other, "another client's cursor"),
        (format!("/api/v1/exchange/agencies?cursor={good}"), &token, "another list's cursor"),
        ("/api/v1/exchange/persons?updated_since=yesterday".to_string(), &token, "malformed updated_since"),
        ("/api/v1/exchange/persons?updated_since=2026-01-31".to_string(), &token, "a date without time"),
        ("/api/v1/exchange/persons?updated_since=%27%3B%20DROP%20TABLE%20persons%3B--".to_string(), &token, "SQL time"),
        ("/api/v1/exchange/persons?limit=1000000".to_string(), &token, "huge page"),
        ("/api/v1/exchange/persons?limit=0".to_string(), &token, "empty page"),
        ("/api/v1/exchange/persons/export?format=xml".to_string(), &token, "unknown format"),
    ] {
        let (s, b) = app.get_json(&path, Some(tok)).await;
        assert_eq!(s, 400, "{what}: {b}");
        assert_eq!(b["error"], "bad_request", "{what}");
    }
    let (s, _) = app.get_json("/api/v1/exchange/persons?limit=abc", Some(&token)).await;
    assert_eq!(s, 400, "non-numeric limit");
    let (s, _) = app.get_json("/api/v1/exchange/persons?limit=1000", Some(&token)).await;
    assert_eq!(s, 200, "the documented maximum");
    let (s, _) = app.get_json(&format!("/api/v1/exchange/persons?cursor={good}"), Some(&token)).await;
    assert_eq!(s, 200);
}

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn revocation_rotation_expiry_and_rate_limit() {
    let app = TestApp::spawn().await;
    let (id, token) = client(&app, "statistics", &["persons:read"], None).await;
    assert!(token.starts_with("dmx_"));
    let (s, _) = app.get_json("/api/v1/exchange/persons", Some(&token)).await;
    assert_eq!(s, 200);
    // The list never shows tokens.
    let (_, list) = app.get_json("/api/v1/api-clients", Some(&app.admin_token)).await;
    assert!(list["items"][0].get("token").is_none());
    assert!(!list.to_string().contains(&token));
    // Rotation: the old token stops at once, the new one works.
    let (s, rotated) =
        app.post_json(&format!("/api/v1/api-clients/{id}/rotate"), Some(&app.admin_token), &json!({})).await;
    assert_eq!(s, 200, "{rotated}");
    let new = rotated["token"].as_str().unwrap().to_string();
    assert_eq!(app.get_json("/api/v1/exchange/persons", Some(&token)).await.0, 401);
    assert_eq!(app.get_json("/api/v1/exchange/persons", Some(&new)).await.0, 200);
    // Revocation: effective on the very next call.
    let (s, r) = app.post_json(&format!("/api/v1/api-clients/{id}/revoke"), Some(&app.admin_token), &json!({})).await;
    assert_eq!((s, r["revoked"].clone()), (200, json!(true)));
    let (s, b) = app.get_json("/api/v1/exchange/persons", Some(&new)).await;
    assert_eq!((s, b["error"].as_str()), (401, Some("unauthorized")));
    let (s, _) = app.post_json(&format!("/api/v1/api-clients/{id}/rotate"), Some(&app.admin_token), &json!({})).await;
    assert_eq!(s, 404, "a revoked client cannot be revived by rotation");
    // Expiry.
    let (id2, token2) = client(&app, "statistics", &["persons:read"], None).await;
    assert_eq!(app.get_json("/api/v1/exchange/persons", Some(&token2)).await.0, 200);
    store::on_db!(&app.db, p => sqlx::query("UPDATE api_clients SET expires_at = 1 WHERE id = $1").bind(id2).execute(p).await.map(|r| r.rows_affected())).unwrap();
    assert_eq!(app.get_json("/api/v1/exchange/persons", Some(&token2)).await.0, 401);
    // Client tokens are not account tokens: the account API refuses them.
    let (_, token3) = client(&app, "statistics", &["persons:read"], None).await;
    assert_eq!(app.get_json("/api/v1/persons", Some(&token3)).await.0, 401);
    // Rate limit: a bucket of 2 per minute.
    let (s, c) = app
        .post_json(
            "/api/v1/api-clients",
            Some(&app.admin_token),
            &json!({"organisation": "Dinas Sosial", "purpose": "social_assistance", "scopes": ["agencies:read"],
                    "expires_on": expiry(), "rate_per_minute": 2}),
        )
        .await;
    assert_eq!(s, 201);
    let slow = c["token"].as_str().unwrap();
    assert_eq!(app.get_json("/api/v1/exchange/agencies", Some(slow)).await.0, 200);
    assert_eq!(app.get_json("/api/v1/exchange/agencies", Some(slow)).await.0, 200);
    let r = app.client.get(app.url("/api/v1/exchange/agencies")).bearer_auth(slow).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // Another client is not slowed by it.
    assert_eq!(app.get_json("/api/v1/exchange/persons", Some(&token3)).await.0, 200);
}

#[tokio::test]
async fn clients_are_registered_by_national_admins_with_checked_fields() {
    let app = TestApp::spawn().await;
    let (s, b) = app
        .post_json(
            "/api/v1/api-clients",
            Some(&app.admin_token),
            &json!({"organisation": "", "purpose": "marketing", "scopes": ["persons:delete"], "region_code": "99.99",
                    "expires_on": "2020-01-01", "rate_per_minute": 0}),
        )
        .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = b["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["organisation", "purpose", "scopes", "expires_on", "rate_per_minute"]);
    let (s, b) = app
        .post_json(
            "/api/v1/api-clients",
            Some(&app.admin_token),
            &json!({"organisation": "X Org", "purpose": "statistics", "scopes": ["persons:read"], "region_code": "99",
                    "expires_on": expiry()}),
        )
        .await;
    assert_eq!((s, b["errors"][0]["rule"].as_str()), (422, Some("unknown_region")));
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, _) = app
        .post_json(
            "/api/v1/api-clients",
            Some(&officer),
            &json!({"organisation": "X Org", "purpose": "statistics", "scopes": ["persons:read"], "expires_on": expiry()}),
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(app.get_json("/api/v1/api-clients", Some(&officer)).await.0, 403);
}

#[tokio::test]
async fn exports_stream_csv_and_ndjson_with_the_same_rules() {
    let app = TestApp::spawn().await;
    let a = person(&app, 1, HOME).await;
    let b = person(&app, 2, HOME).await;
    person(&app, 3, OTHER_PROVINCE).await;
    consent(&app, a, "trafficking_response", true).await;
    app.put_json(&format!("/api/v1/persons/{b}/restriction"), &app.admin_token, &json!({"restricted": true})).await;
    let (_, token) = client(&app, "trafficking_response", &["persons:read"], Some("53.07")).await;
    let r = app
        .client
        .get(app.url("/api/v1/exchange/persons/export?format=ndjson"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let text = r.text().await.unwrap();
    let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 1, "only the unrestricted person in the region: {text}");
    assert_eq!(rows[0]["id"], a);
    assert_eq!(rows[0]["nik"], "5307015205900001");
    let r = app
        .client
        .get(app.url("/api/v1/exchange/persons/export?format=csv"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,nik,kk_number,full_name"));
    assert_eq!(lines.len(), 4, "header and three people for the national admin");
    let (_, audit) = app.get_json("/api/v1/audit?action=exchange.export", Some(&app.admin_token)).await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn subject_rights_access_report_corrections_restriction_deletion() {
    let app = TestApp::spawn().await;
    let maria = person(&app, 1, HOME).await;
    consent(&app, maria, "health_services", true).await;
    let (_, token) = client(&app, "health_services", &["persons:read"], None).await;
    let (s, _) = app.get_json(&format!("/api/v1/exchange/persons/{maria}"), Some(&token)).await;
    assert_eq!(s, 200);
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, c) = app
        .post_json(
            &format!("/api/v1/persons/{maria}/corrections"),
            Some(&officer),
            &json!({"fields": "birth_date", "description": "Birth certificate says 1990-05-21"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let (s, bad) =
        app.post_json(&format!("/api/v1/persons/{maria}/corrections"), Some(&officer), &json!({"fields": ""})).await;
    assert_eq!(s, 422);
    assert_eq!(bad["errors"][0]["field"], "fields");

    let (s, r) = app.get_json(&format!("/api/v1/persons/{maria}/subject-access"), Some(&officer)).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["person"]["nik"], "5307015205900001");
    assert_eq!(r["purpose_consents"][0]["purpose"], "health_services");
    assert_eq!(r["corrections"][0]["fields"], "birth_date");
    let actions: Vec<&str> = r["accesses"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"exchange.person"), "the partner's read is listed: {actions:?}");
    assert!(actions.contains(&"person.create"));
    assert!(actions.contains(&"person.subject_access"), "producing the report is itself recorded");
    let actors: Vec<&str> = r["accesses"].as_array().unwrap().iter().map(|a| a["actor"].as_str().unwrap()).collect();
    assert!(actors.iter().any(|a| a.starts_with("api_client:")));
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/persons/{maria}/subject-access?format=pdf")))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert!(resp.bytes().await.unwrap().starts_with(b"%PDF"));

    // Outside the officer's village: the same 404 as for no one at all.
    let elsewhere = person(&app, 2, "53.07.02.2001").await;
    let (s1, b1) = app.get_json(&format!("/api/v1/persons/{elsewhere}/subject-access"), Some(&officer)).await;
    let (s2, b2) = app.get_json("/api/v1/persons/999999/subject-access", Some(&officer)).await;
    assert_eq!((s1, &b1), (404, &b2));
    assert_eq!(s2, 404);
    // A facilitator sees people but does not exercise their rights.
    let facilitator = app.user_token("fasilitator", "facilitator", Some(HOME)).await;
    assert_eq!(app.get_json(&format!("/api/v1/persons/{maria}/subject-access"), Some(&facilitator)).await.0, 403);

    // Restriction: the partner loses the person at once.
    let (s, _) = app
        .put_json(
            &format!("/api/v1/persons/{maria}/restriction"),
            &officer,
            &json!({"restricted": true, "note": "objects"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(app.get_json(&format!("/api/v1/exchange/persons/{maria}"), Some(&token)).await.0, 404);
    let (_, r) = app.get_json(&format!("/api/v1/persons/{maria}/subject-access"), Some(&officer)).await;
    assert_eq!(r["processing_restricted"], true);

    // Deletion: refused while history exists.
    let (s, agency) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT Maju", "licence_number": "KEP.1/2024", "status": "active", "valid_from": "2020-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, e) = app
        .post_json(
            &format!("/api/v1/persons/{elsewhere}/episodes"),
            Some(&app.admin_token),
            &json!({"category": "household_employer", "scheme": "p3mi", "destination": "HK", "job_type": "housekeeper",
                    "agency_id": agency["id"]}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/persons/{elsewhere}")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/persons/{maria}")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.get_json(&format!("/api/v1/persons/{maria}"), Some(&app.admin_token)).await.0, 404);
}

#[tokio::test]
async fn openapi_documents_every_exchange_endpoint_with_examples() {
    let app = TestApp::spawn().await;
    let (s, doc) = app.get_json("/api/v1/openapi.json", None).await;
    assert_eq!(s, 200);
    for path in [
        "/api/v1/exchange/persons",
        "/api/v1/exchange/persons/{id}",
        "/api/v1/exchange/persons/export",
        "/api/v1/exchange/episodes",
        "/api/v1/exchange/agencies",
        "/api/v1/exchange/job-orders",
        "/api/v1/api-clients",
        "/api/v1/api-clients/{id}/rotate",
        "/api/v1/api-clients/{id}/revoke",
        "/api/v1/persons/{id}/purpose-consents",
        "/api/v1/persons/{id}/restriction",
        "/api/v1/persons/{id}/corrections",
        "/api/v1/persons/{id}/subject-access",
        "/api/v1/public/agencies",
        "/api/v1/public/job-orders/{code}",
        "/api/v1/public/missions",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    assert!(doc["paths"]["/api/v1/persons/{id}"].get("delete").is_some());
    for schema in ["CreateClient", "ExchangePerson", "PublicAgencyList", "ConsentInput"] {
        assert!(doc["components"]["schemas"][schema]["example"].is_object(), "{schema} has an example");
    }
    // The docs page lists them and offers the token form.
    let (s, html) = crate::common::Browser::new(&app).get("/api/docs").await;
    assert_eq!(s, 200);
    assert!(html.contains("/api/v1/exchange/persons") && html.contains("api-token"));
}

#[tokio::test]
async fn privacy_page_records_consent_restriction_and_correction() {
    use crate::common::{ADMIN_PASSWORD, Browser};
    let app = TestApp::spawn().await;
    let maria = person(&app, 1, HOME).await;
    let b = Browser::new(&app);
    b.login("admin", ADMIN_PASSWORD).await;
    let (_, html) = b.get(&format!("/persons/{maria}")).await;
    assert!(html.contains(&format!("/persons/{maria}/privacy")), "linked from the person's page");
    let csrf = b.csrf().await;
    let r = b
        .post_form(
            &format!("/persons/{maria}/purpose-consents"),
            &[("_csrf", &csrf), ("purpose", "health_services"), ("granted", "1"), ("given_on", "2026-01-02")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = b
        .post_form(
            &format!("/persons/{maria}/purpose-consents"),
            &[("_csrf", &csrf), ("purpose", "x"), ("given_on", "soon")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = b
        .post_form(
            &format!("/persons/{maria}/restriction"),
            &[("_csrf", &csrf), ("restricted", "1"), ("note", "objects")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = b
        .post_form(
            &format!("/persons/{maria}/corrections"),
            &[("_csrf", &csrf), ("fields", "phone"), ("description", "New number 0812")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = b.post_form(&format!("/persons/{maria}/restriction"), &[("_csrf", "wrong"), ("restricted", "0")]).await;
    assert_eq!(r.status(), 403, "CSRF checked");
    let (s, html) = b.get(&format!("/persons/{maria}/privacy")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Layanan kesehatan") && html.contains("Dibatasi") && html.contains("New number 0812"),
        "{html}"
    );
    let r = b.client.get(format!("{}/persons/{maria}/subject-access/pdf", b.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    // Admin pages for clients: the token is shown once after registration.
    let r = b
        .post_form(
            "/admin/api-clients",
            &[
                ("_csrf", &csrf),
                ("organisation", "IOM Indonesia"),
                ("purpose", "trafficking_response"),
                ("scope", "persons:read"),
                ("scope", "episodes:read"),
                ("region_code", "53"),
                ("expires_on", &expiry()),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let start = html.find("dmx_").expect("token shown once");
    let token = &html[start..start + 68];
    assert_eq!(app.get_json("/api/v1/exchange/episodes", Some(token)).await.0, 200, "both scopes saved");
    let (_, list) = b.get("/admin/api-clients").await;
    assert!(!list.contains(token), "never shown again");
}

/// One rule per operation on both doors (issue 14): a restriction note over 500 characters is
/// refused by the page as by the API (the page used to cut it and restrict anyway), and revoking
/// a client that is not live is 404 on both (the page used to redirect as if it had worked).
#[tokio::test]
async fn restriction_notes_and_revocations_are_refused_alike_on_page_and_api() {
    use crate::common::{ADMIN_PASSWORD, Browser};
    let app = TestApp::spawn().await;
    let maria = person(&app, 1, HOME).await;
    let long = "x".repeat(501);
    let (s, api) = app
        .put_json(
            &format!("/api/v1/persons/{maria}/restriction"),
            &app.admin_token,
            &json!({"restricted": true, "note": long}),
        )
        .await;
    assert_eq!(s, 422, "{api}");
    assert_eq!(
        (api["errors"][0]["field"].as_str(), api["errors"][0]["rule"].as_str()),
        (Some("note"), Some("too_long"))
    );
    let b = Browser::new(&app);
    b.login("admin", ADMIN_PASSWORD).await;
    let csrf = b.csrf().await;
    let r = b
        .post_form(&format!("/persons/{maria}/restriction"), &[("_csrf", &csrf), ("restricted", "1"), ("note", &long)])
        .await;
    assert_eq!(r.status(), 422, "the page refuses the same note");
    let html = r.text().await.unwrap();
    assert!(html.contains("Catatan paling banyak 500 huruf"), "the limit in Indonesian: {html}");
    assert!(!html.contains("at most 500 characters"), "no English detail");
    let (_, p) = app.get_json(&format!("/api/v1/exchange/persons/{maria}"), Some(&app.admin_token)).await;
    assert_eq!(p["restricted"], json!(false), "nothing was restricted: {p}");
    // Exactly 500 characters (after trimming) still goes through, on the page.
    let r = b
        .post_form(
            &format!("/persons/{maria}/restriction"),
            &[("_csrf", &csrf), ("restricted", "1"), ("note", &format!("  {}  ", "y".repeat(500)))],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, p) = app.get_json(&format!("/api/v1/exchange/persons/{maria}"), Some(&app.admin_token)).await;
    assert_eq!(p["restricted"], json!(true), "{p}");

    let (id, _) = client(&app, "statistics", &["agencies:read"], None).await;
    let r = b.post_form(&format!("/admin/api-clients/{id}/revoke"), &[("_csrf", &csrf)]).await;
    assert_eq!(r.status(), 303, "revoked on the page");
    let (s, _) = app.post_json(&format!("/api/v1/api-clients/{id}/revoke"), Some(&app.admin_token), &json!({})).await;
    assert_eq!(s, 404, "already revoked: the API says so");
    let r = b.post_form(&format!("/admin/api-clients/{id}/revoke"), &[("_csrf", &csrf)]).await;
    assert_eq!(r.status(), 404, "and so does the page");
    let r = b.post_form("/admin/api-clients/999999/revoke", &[("_csrf", &csrf)]).await;
    assert_eq!(r.status(), 404, "no such client");
}

/// A consent's date is checked against the village's own day (issue 14's one clock): at 23:30
/// in Jakarta it is already the next day in Kupang (WITA), and a consent given there today is
/// not "in the future". It used to be refused on both doors.
#[tokio::test]
async fn a_purpose_consent_dated_today_in_the_village_is_accepted() {
    use crate::common::{ADMIN_PASSWORD, Browser};
    let start = time::macros::datetime!(2026-03-10 16:30 UTC);
    let app = TestApp::spawn_with(|c| c.clock_start = Some(start)).await;
    let maria = person(&app, 1, HOME).await;
    let (s, b) = app
        .post_json(
            &format!("/api/v1/persons/{maria}/purpose-consents"),
            Some(&app.admin_token),
            &json!({"purpose": "statistics", "granted": true, "given_on": "2026-03-11"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app
        .post_json(
            &format!("/api/v1/persons/{maria}/purpose-consents"),
            Some(&app.admin_token),
            &json!({"purpose": "statistics", "granted": true, "given_on": "2026-03-12"}),
        )
        .await;
    assert_eq!(s, 422, "the day after is still in the future: {b}");
    let browser = Browser::new(&app);
    browser.login("admin", ADMIN_PASSWORD).await;
    let csrf = browser.csrf().await;
    let r = browser
        .post_form(
            &format!("/persons/{maria}/purpose-consents"),
            &[("_csrf", &csrf), ("purpose", "health_services"), ("granted", "1"), ("given_on", "2026-03-11")],
        )
        .await;
    assert_eq!(r.status(), 303, "the page accepts it too");
}
