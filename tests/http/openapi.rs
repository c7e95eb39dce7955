//! The OpenAPI document is the contract generated clients are built from: it must list exactly
//! the routes the server serves, name each operation once, declare the errors the server
//! answers, and change only on purpose (the committed snapshot shows every change in review).

use crate::common::TestApp;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

async fn document(app: &TestApp) -> Value {
    let (s, doc) = app.get_json("/api/v1/openapi.json", None).await;
    assert_eq!(s, 200);
    doc
}

fn operations(doc: &Value) -> Vec<(String, &'static str, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if item[m].is_object() {
                out.push((path.clone(), m, &item[m]));
            }
        }
    }
    out
}

#[tokio::test]
async fn operation_ids_are_unique_and_every_operation_is_tagged() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (path, m, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        // A bare verb (`get`, `list`) means the operation is missing from contract::OPERATION_IDS.
        assert!(id.contains('_'), "{m} {path}: operationId {id:?} is not in api::contract's table");
        if let Some(other) = seen.insert(id.clone(), format!("{m} {path}")) {
            panic!("operationId {id} used by both {other} and {m} {path}");
        }
        let tags = op["tags"].as_array().map(Vec::len).unwrap_or(0);
        assert!(tags > 0, "{m} {path} has no tag");
    }
    assert!(seen.len() > 130, "only {} operations", seen.len());
}

#[tokio::test]
async fn error_responses_are_declared_once_and_used_by_every_operation() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let shared = doc["components"]["responses"].as_object().expect("components.responses");
    for name in ["BadRequest", "Unauthorized", "Forbidden", "NotFound", "ValidationFailed", "TooManyRequests"] {
        assert!(shared.contains_key(name), "components.responses.{name} missing");
    }
    for (path, m, op) in operations(&doc) {
        let responses = op["responses"].as_object().expect("responses");
        let refers = |status: &str| responses.get(status).and_then(|r| r["$ref"].as_str()).is_some();
        assert!(refers("400"), "{m} {path}: 400 not declared");
        if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
            assert!(refers("401") && refers("403"), "{m} {path}: 401/403 not declared");
        }
        if path.contains('{') {
            assert!(refers("404"), "{m} {path}: 404 not declared");
        }
        if op["requestBody"].is_object() {
            for status in ["413", "415", "422"] {
                assert!(refers(status), "{m} {path}: {status} not declared");
            }
        }
        // Every error status points at a shared response, none is described inline.
        for (status, r) in responses {
            if status.starts_with('4') {
                assert!(r["$ref"].is_string(), "{m} {path}: {status} is inline, not shared");
            }
        }
    }
    let token = &doc["paths"]["/api/v1/auth/token"]["post"]["responses"];
    assert!(token["429"]["$ref"].is_string(), "the login throttle's 429 is not declared");
}

/// The methods the server routes on `path` (a 405 means "path known, method not").
async fn served_methods(app: &TestApp, path: &str) -> BTreeSet<&'static str> {
    // Any value matches a path parameter; what the handler then says does not matter here.
    let concrete: String =
        path.split('/').map(|seg| if seg.starts_with('{') { "1" } else { seg }).collect::<Vec<_>>().join("/");
    let mut served = BTreeSet::new();
    for m in METHODS {
        let method = reqwest::Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
        let r = app.client.request(method, app.url(&concrete)).send().await.unwrap();
        if r.status().as_u16() != 405 {
            served.insert(m);
        }
    }
    served
}

#[tokio::test]
async fn every_api_route_is_documented_with_the_same_methods_and_vice_versa() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut documented: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for (path, m, _) in operations(&doc) {
        documented.entry(path).or_default().insert(m);
    }
    let routed: BTreeSet<String> =
        web::route_paths().into_iter().filter(|p| p.starts_with("/api/v1/") && p != "/api/v1/openapi.json").collect();
    for path in &routed {
        let served = served_methods(&app, path).await;
        let listed = documented.get(path).cloned().unwrap_or_default();
        assert_eq!(served, listed, "{path}: methods served (left) and documented (right) differ");
    }
    for path in documented.keys() {
        assert!(routed.contains(path), "{path} is documented but not routed");
    }
}

#[tokio::test]
async fn the_document_matches_the_committed_snapshot() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/http/snapshots/openapi.json");
    let current = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &current).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    if committed != current {
        let first = committed.lines().zip(current.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "the API contract changed (first difference at line {}: {:?}). If that is intended, \
             update the snapshot with `UPDATE_SNAPSHOTS=1 cargo test --test http the_document_matches` \
             and commit tests/http/snapshots/openapi.json",
            first + 1,
            current.lines().nth(first).unwrap_or_default()
        );
    }
}

#[tokio::test]
async fn out_of_range_page_sizes_and_cursors_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let t = Some(app.admin_token.as_str());
    for (path, field) in [
        ("/api/v1/users?limit=32225", "limit"),
        ("/api/v1/users?limit=0", "limit"),
        ("/api/v1/users?offset=-1", "offset"),
        ("/api/v1/audit?limit=501", "limit"),
        ("/api/v1/audit?before=-3", "before"),
        ("/api/v1/persons?limit=100000", "limit"),
        ("/api/v1/persons?after=-1", "after"),
        ("/api/v1/cases?limit=-1", "limit"),
        ("/api/v1/outreach?limit=9999", "limit"),
        ("/api/v1/trainings?limit=501", "limit"),
        ("/api/v1/regions/search?q=sikka&limit=-1", "limit"),
        ("/api/v1/regions/search?q=sikka&limit=100000", "limit"),
    ] {
        let (s, body) = app.get_json(path, t).await;
        assert_eq!(s, 422, "{path}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
        assert_eq!(body["errors"][0]["rule"], "out_of_range", "{path}: {body}");
    }
    // The documented maximum itself is served.
    let (s, _) = app.get_json("/api/v1/users?limit=500", t).await;
    assert_eq!(s, 200);
    // A number too big for any integer is malformed (400), not a crash.
    let (s, body) = app.get_json("/api/v1/users?limit=99999999999999999999999", t).await;
    assert_eq!(s, 400, "{body}");
}

/// serde reads a JSON array as a struct's fields in order: `[null, null]` was taken as an
/// empty case assignment (schemathesis found it). A body must be an object.
#[tokio::test]
async fn a_json_body_that_is_not_an_object_is_refused_naming_the_body() {
    let app = TestApp::spawn().await;
    let t = app.admin_token.clone();
    for body in [serde_json::json!([null, null]), serde_json::json!("x"), serde_json::json!(7)] {
        let (s, err) = app.patch_json("/api/v1/users/1", &t, &body).await;
        assert_eq!(s, 422, "{body}: {err}");
        assert_eq!(err["errors"][0]["field"], "body", "{err}");
        let (s, err) = app.post_json("/api/v1/programs", Some(&t), &body).await;
        assert_eq!(s, 422, "{body}: {err}");
    }
}

/// The document declares what the server requires of request fields, with code lists taken
/// from the domain: a client generated from it fills required fields and offers the codes.
#[tokio::test]
async fn request_fields_declare_required_fields_codes_and_formats() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let case = &doc["components"]["schemas"]["CaseInput"];
    let required: BTreeSet<&str> =
        case["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    assert!(required.is_superset(&BTreeSet::from(["type", "severity", "description"])), "{case}");
    let types: Vec<&str> =
        case["properties"]["type"]["enum"].as_array().expect("enum").iter().filter_map(Value::as_str).collect();
    assert!(types.contains(&"trafficking_suspicion") && types.contains(&"unpaid_wages"), "{types:?}");
    // Optional (a case may name the person instead), so empty is allowed too.
    assert_eq!(
        case["properties"]["village_code"]["pattern"],
        r"^((0[1-9]|[1-9][0-9])\.[0-9]{2}\.[0-9]{2}\.[0-9]{4})?$"
    );
    let person = &doc["components"]["schemas"]["CreatePerson"]["properties"];
    assert_eq!(person["birth_date"]["format"], "date");
    assert_eq!(person["nik"]["pattern"], "^[0-9]{16}$");
    // An optional query filter may be sent empty, as forms do.
    let list = doc["paths"]["/api/v1/cases"]["get"]["parameters"].as_array().expect("params");
    let status = list.iter().find(|p| p["name"] == "status").expect("status");
    assert!(status["schema"]["enum"].as_array().expect("enum").contains(&Value::from("")), "{status}");
}
