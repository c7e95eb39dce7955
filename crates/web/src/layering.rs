//! The layers keep their direction (ARCHITECTURE.md): the domain knows no storage or HTTP, the
//! application layer no HTTP, and the web layer reaches the store only through the application
//! layer — it does not depend on the store crate or on sqlx at all, so the compiler refuses a
//! handler that tries. Add an operation to `crates/app` instead.

fn dependencies(manifest: &str) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_deps = l == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = l.split_once(['=', '.']) {
            out.push(name.trim().to_string());
        }
    }
    out
}

#[test]
fn the_domain_and_the_application_layer_know_no_http_or_sql() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let domain = dependencies(&format!("{root}/domain/Cargo.toml"));
    for banned in ["store", "web", "app", "sqlx", "axum", "askama", "tokio"] {
        assert!(!domain.iter().any(|d| d == banned), "crates/domain must not depend on {banned}");
    }
    let app = dependencies(&format!("{root}/app/Cargo.toml"));
    for banned in ["web", "axum", "axum-extra", "askama", "tower", "tower-http"] {
        assert!(!app.iter().any(|d| d == banned), "crates/app must not depend on {banned}");
    }
}

#[test]
fn web_handlers_reach_the_store_only_through_the_application_layer() {
    let web = dependencies(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"));
    for banned in ["store", "sqlx"] {
        assert!(
            !web.iter().any(|d| d == banned),
            "crates/web must not depend on {banned}: add an operation to crates/app"
        );
    }
}
