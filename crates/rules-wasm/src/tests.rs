//! The drift guards that run without wasm-bindgen: the committed WebAssembly was built from
//! these sources (hash), and the case table the node test (`e2e/rules-wasm.test.js`) runs
//! against the committed .wasm is what these functions, and so the domain, answer.

use super::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The same hash as scripts/build-rules-wasm.sh: each listed file's path, a newline, its bytes.
fn source_hash() -> String {
    let list = std::fs::read_to_string(root().join("crates/rules-wasm/sources.txt")).expect("sources.txt");
    let mut h = Sha256::new();
    for f in list.lines().filter(|l| !l.trim().is_empty()) {
        h.update(format!("{f}\n"));
        h.update(std::fs::read(root().join(f)).unwrap_or_else(|e| panic!("{f}: {e}")));
    }
    format!("{:x}", h.finalize())
}

#[test]
fn the_committed_wasm_is_built_from_the_current_rules() {
    let recorded = std::fs::read_to_string(root().join("static/rules/SOURCE_HASH")).expect("static/rules/SOURCE_HASH");
    assert_eq!(
        recorded.trim(),
        source_hash(),
        "the browser's rules (static/rules/rules_bg.wasm) were built from other sources than these: \
         run scripts/build-rules-wasm.sh and commit static/rules/"
    );
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// One call of an exported function, by name, with JSON arguments (as the node test calls it).
fn call(name: &str, a: &[Value]) -> String {
    match name {
        "check_person" => check_person(&a[0].to_string(), f(&a[1])),
        "check_nik" => check_nik(s(&a[0]), s(&a[1]), s(&a[2]), s(&a[3]), f(&a[4])),
        "check_kk" => check_kk(s(&a[0])),
        "check_phone" => check_phone(s(&a[0])),
        "check_birth_date" => check_birth_date(s(&a[0]), s(&a[1]), f(&a[2])),
        "check_date" => check_date(s(&a[0]), s(&a[1]), a[2].as_bool().unwrap_or(false), s(&a[3]), f(&a[4])),
        "check_money" => check_money(s(&a[0]), s(&a[1]), f(&a[2]), f(&a[3])),
        other => panic!("no function {other}"),
    }
}

#[test]
fn the_case_table_is_what_the_domain_answers() {
    let path = root().join("crates/rules-wasm/cases.json");
    let mut cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("cases.json")).expect("json");
    let update = std::env::var("UPDATE_RULES_CASES").is_ok();
    for case in cases.iter_mut() {
        let name = case["fn"].as_str().expect("fn").to_string();
        let args = case["args"].as_array().expect("args").clone();
        let got: Value = serde_json::from_str(&call(&name, &args)).expect("answer is JSON");
        if update {
            case["expect"] = got;
        } else {
            assert_eq!(got, case["expect"], "{}: {name}{args:?}", case["name"]);
        }
    }
    if update {
        std::fs::write(&path, serde_json::to_string_pretty(&cases).expect("json") + "\n").expect("write");
    }
}

#[test]
fn a_nik_warning_is_reported_even_when_other_fields_are_wrong() {
    let form = form_of(&[("nik", "5307015205900001"), ("birth_date", "1990-05-12"), ("sex", "L")]);
    let r = person(&form, 1_764_720_000.0);
    assert!(r.warnings.iter().any(|w| w.rule == "sex_mismatch"), "{r:?}");
    assert!(r.errors.iter().any(|e| e.field == "full_name" && e.rule == "required"), "{r:?}");
}
