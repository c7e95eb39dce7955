//! The layers keep their direction (ARCHITECTURE.md): the domain knows no storage or HTTP, the
//! application layer no HTTP, and the web layer reaches the store only through the application
//! layer. Direct `store::` uses left in handlers are counted per file and may only go down: a
//! new file, or a new direct use in an old one, fails here — add an operation to `crates/app`
//! instead. When a file's count drops, lower its line below (the test says so).

/// Direct `store::` uses per web file still to move into the application layer.
const REMAINING: &[(&str, usize)] = &[
    ("api/cooperative.rs", 3),
    ("api/enterprise.rs", 18),
    ("api/exchange.rs", 30),
    ("api/monitoring.rs", 8),
    ("api/outreach.rs", 5),
    ("api/parenting.rs", 14),
    ("api/policy.rs", 3),
    ("api/programs.rs", 5),
    ("api/regions.rs", 8),
    ("exchange.rs", 8),
    ("pages/cooperative.rs", 4),
    ("pages/enterprise.rs", 24),
    ("pages/exchange.rs", 19),
    ("pages/monitoring.rs", 10),
    ("pages/outreach.rs", 7),
    ("pages/parenting.rs", 18),
    ("pages/policy.rs", 19),
    ("pages/portal.rs", 9),
    ("pages/programs.rs", 6),
    ("pages/regions.rs", 18),
];

fn count_in(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).map(|s| s.matches("store::").count()).unwrap_or(0)
}

fn web_files(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<(String, usize)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            web_files(&p, base, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p.strip_prefix(base).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            if rel != "layering.rs" {
                out.push((rel, count_in(&p)));
            }
        }
    }
}

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
    let base = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut files = Vec::new();
    web_files(base, base, &mut files);
    files.sort();
    let mut grew = Vec::new();
    let mut shrank = Vec::new();
    for (file, n) in &files {
        let allowed = REMAINING.iter().find(|(f, _)| f == file).map(|(_, n)| *n).unwrap_or(0);
        if *n > allowed {
            grew.push(format!("{file}: {n} direct store uses (allowed {allowed})"));
        } else if *n < allowed {
            shrank.push(format!("    (\"{file}\", {n}),"));
        }
    }
    assert!(
        grew.is_empty(),
        "web code reaches the store directly; add an operation to crates/app:\n{}",
        grew.join("\n")
    );
    assert!(shrank.is_empty(), "fewer direct store uses now — lower these lines in REMAINING:\n{}", shrank.join("\n"));
    let total: usize = files.iter().map(|(_, n)| n).sum();
    println!("web → store direct uses left: {total}");
}
