//! Region updates (issue 19): a release written from the embedded data with one village
//! renamed, one moved (removed, and its name appearing under a new code in the same regency)
//! and one removed. The report names each, lists the records on the codes that go; applying
//! retires (never deletes) them; the same release again changes nothing; a retired code is
//! refused for a new person with its successor named; reassignment moves the records, audited.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::json;

const RENAMED: &str = "53.07.01.2013"; // Wolorega → Wolorega Baru
const MOVED: &str = "53.07.01.2015"; // Wolowona, gone from district Paga …
const MOVED_TO: &str = "53.07.02.2099"; // … and new in district Mego, same regency (Sikka)
const REMOVED: &str = "53.07.01.2017"; // Begu: gone, no successor
const KEPT: &str = "53.07.01.2001";

fn embedded(file: &str) -> String {
    std::fs::read_to_string(format!("{}/data/regions/{file}", env!("CARGO_MANIFEST_DIR"))).expect("region file")
}

/// The embedded release with the three edits, as the four files of a release.
fn edited_release() -> [String; 4] {
    let villages = embedded("villages.csv");
    let mut out = String::new();
    for line in villages.lines() {
        if line.starts_with(MOVED) || line.starts_with(REMOVED) {
            continue;
        }
        if line.starts_with(RENAMED) {
            assert_eq!(line, format!("{RENAMED},53.07.01,Wolorega"), "the fixture expects the embedded name");
            out.push_str(&format!("{RENAMED},53.07.01,Wolorega Baru\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!("{MOVED_TO},53.07.02,Wolowona\n"));
    [embedded("provinces.csv"), embedded("regencies.csv"), embedded("districts.csv"), out]
}

fn state(app: &TestApp) -> web::AppState {
    web::AppState::new(app.db.clone(), web::Config::for_database(&app.database_url))
}

async fn update(app: &TestApp, dry_run: bool) -> web::region_update::UpdateReport {
    let files = edited_release();
    let texts: [&str; 4] = [&files[0], &files[1], &files[2], &files[3]];
    let actor = store::audit::Actor::system("test");
    web::region_update::update(&state(app), &web::region_update::operator(), &actor, texts, dry_run)
        .await
        .expect("update")
}

async fn person(app: &TestApp, nik: &str, village: &str) -> (u16, serde_json::Value) {
    app.post_json(
        "/api/v1/persons",
        Some(&app.admin_token),
        &json!({"nik": nik, "full_name": "Maria Goreti", "sex": "P", "birth_date": "1990-05-12",
                "village_code": village}),
    )
    .await
}

#[tokio::test]
async fn a_release_with_a_renamed_a_moved_and_a_removed_village() {
    let app = TestApp::spawn().await;
    let (s, on_moved) = person(&app, "5307015205900011", MOVED).await;
    assert_eq!(s, 201, "{on_moved}");
    let (s, on_removed) = person(&app, "5307015205900012", REMOVED).await;
    assert_eq!(s, 201, "{on_removed}");
    app.designate(REMOVED, 2018).await;
    app.create_user("petugas_begu", "village_officer", Some(REMOVED)).await;

    // The dry run reports and writes nothing.
    let dry = update(&app, true).await;
    assert!(dry.dry_run && !dry.applied);
    assert_eq!((dry.counts.new, dry.counts.renamed, dry.counts.moved, dry.counts.removed), (0, 1, 1, 1), "{dry:?}");
    assert_eq!(dry.plan.renamed[0].code, RENAMED);
    assert_eq!(dry.plan.renamed[0].new_name, "Wolorega Baru");
    assert_eq!((dry.plan.moved[0].old_code.as_str(), dry.plan.moved[0].new_code.as_str()), (MOVED, MOVED_TO));
    assert_eq!(dry.plan.removed[0].code, REMOVED);
    let begu = dry.affected.iter().find(|a| a.code == REMOVED).expect("records on the removed village listed");
    let count = |a: &web::region_update::Affected, kind: &str| {
        a.records.iter().find(|r| r.records == kind).map_or(0, |r| r.count)
    };
    assert_eq!((count(begu, "persons"), count(begu, "designations"), count(begu, "user_scopes")), (1, 1, 1));
    let wolowona = dry.affected.iter().find(|a| a.code == MOVED).expect("records on the moved village listed");
    assert_eq!((count(wolowona, "persons"), wolowona.successor.as_deref()), (1, Some(MOVED_TO)));
    let text = dry.render_text();
    assert!(text.contains("Moved (candidates") && text.contains("Dry run: nothing written."), "{text}");
    let (s, r) = app.get_json(&format!("/api/v1/regions/{MOVED_TO}"), Some(&app.admin_token)).await;
    assert_eq!(s, 404, "not written by the dry run: {r}");

    // Applied: one audit entry with the counts and the input's hash; nothing deleted.
    let done = update(&app, false).await;
    assert!(done.applied);
    let (_, log) = app.get_json("/api/v1/audit?action=regions.update", Some(&app.admin_token)).await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{log}");
    let details = items[0]["details"].as_str().unwrap();
    assert!(details.contains(&done.input_sha256) && details.contains("\"removed\":1"), "{details}");
    let (s, r) = app.get_json(&format!("/api/v1/regions/{RENAMED}"), Some(&app.admin_token)).await;
    assert_eq!((s, r["name"].as_str()), (200, Some("Wolorega Baru")), "{r}");
    let (s, r) = app.get_json(&format!("/api/v1/regions/{MOVED_TO}"), Some(&app.admin_token)).await;
    assert_eq!((s, r["name"].as_str()), (200, Some("Wolowona")), "{r}");
    let (s, r) = app.get_json(&format!("/api/v1/regions/{REMOVED}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200, "a retired code is kept: {r}");
    let (s, p) = app.get_json(&format!("/api/v1/persons/{}", on_removed["id"]), Some(&app.admin_token)).await;
    assert_eq!((s, p["village_code"].as_str()), (200, Some(REMOVED)), "{p}");

    // The same release again changes nothing (and writes no second entry).
    let again = update(&app, false).await;
    assert!(!again.applied && again.plan.is_empty(), "{again:?}");
    // Now also the renamed village and the new code are as in the release.
    assert_eq!(again.counts.unchanged, done.counts.unchanged + 2);
    let (_, log) = app.get_json("/api/v1/audit?action=regions.update", Some(&app.admin_token)).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1);

    // Retired codes are refused for new people, the successor named; the new code works
    // at once on the running server (its code index follows the update).
    let (s, e) = person(&app, "5307015205900013", MOVED).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["field"], "village_code");
    assert!(e["errors"][0]["message"].as_str().unwrap().contains(MOVED_TO), "{e}");
    let (s, e) = person(&app, "5307015205900014", REMOVED).await;
    assert_eq!((s, e["errors"][0]["field"].as_str()), (422, Some("village_code")), "{e}");
    let (s, p) = person(&app, "5307025205900015", MOVED_TO).await;
    assert_eq!(s, 201, "{p}");
    let (s, p) = person(&app, "5307015205900016", KEPT).await;
    assert_eq!(s, 201, "{p}");

    // The picker does not offer retired codes; a retired code kept in a field is marked.
    let b = Browser::new(&app);
    b.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (s, found) = b.get("/pick/regions?q=Begu&level=village").await;
    assert_eq!(s, 200);
    assert!(!found.contains(REMOVED), "{found}");
    let (_, found) = b.get(&format!("/pick/regions?q={MOVED}")).await;
    assert!(found.contains("kode lama") && found.contains(MOVED_TO), "{found}");

    let (s, html) = b.get(&format!("/regions/{MOVED}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("kode lama") && html.contains(&format!("/regions/{MOVED_TO}")), "the village page marks it");

    // The admin page lists the retired codes with their records; its form moves them to the
    // proposed successor (blank field), audited, monitoring marked.
    let (s, html) = b.get("/admin/regions").await;
    assert_eq!(s, 200);
    assert!(html.contains(MOVED) && html.contains(REMOVED) && html.contains("kode lama"), "{html}");
    let csrf = csrf_of(&html);
    let r = b.post_form("/admin/regions", &[("_csrf", &csrf), ("old_code", MOVED), ("new_code", "")]).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let (_, p) = app.get_json(&format!("/api/v1/persons/{}", on_moved["id"]), Some(&app.admin_token)).await;
    assert_eq!(p["village_code"], MOVED_TO, "{p}");
    let (_, log) = app.get_json("/api/v1/audit?action=regions.reassign", Some(&app.admin_token)).await;
    let e = &log["items"][0];
    assert_eq!((e["entity_id"].as_str(), e["region_code"].as_str()), (Some(MOVED), Some(MOVED_TO)), "{log}");
    assert_eq!(e["actor"], "admin");
    let dirty: Vec<(String,)> = match &app.db {
        store::Db::Sqlite(p, ..) => {
            sqlx::query_as("SELECT DISTINCT village_code FROM indicator_dirty").fetch_all(p).await.unwrap()
        }
        store::Db::Postgres(p) => {
            sqlx::query_as("SELECT DISTINCT village_code FROM indicator_dirty").fetch_all(p).await.unwrap()
        }
    };
    assert!(dirty.iter().any(|(v,)| v == MOVED_TO), "monitoring follows: {dirty:?}");

    // A removed code has no successor: the form says so, keeping what was typed; a current
    // code is not "reassigned"; then a chosen code moves every kind of record.
    let r = b.post_form("/admin/regions", &[("_csrf", &csrf), ("old_code", REMOVED), ("new_code", "")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("belum punya pengganti") && html.contains(REMOVED), "{html}");
    let r = b.post_form("/admin/regions", &[("_csrf", &csrf), ("old_code", KEPT), ("new_code", REMOVED)]).await;
    assert_eq!(r.status().as_u16(), 422);
    let st = state(&app);
    let moved = web::region_update::reassign(
        &st,
        &web::region_update::operator(),
        &store::audit::Actor::system("test"),
        REMOVED,
        KEPT,
    )
    .await
    .expect("reassign");
    let kinds: Vec<&str> = moved.moved.iter().map(|m| m.records).collect();
    assert!(
        kinds.contains(&"persons") && kinds.contains(&"designations") && kinds.contains(&"user_scopes"),
        "{kinds:?}"
    );
    let (_, p) = app.get_json(&format!("/api/v1/persons/{}", on_removed["id"]), Some(&app.admin_token)).await;
    assert_eq!(p["village_code"], KEPT);
    let list = web::region_update::retired(&st, &web::region_update::operator()).await.unwrap();
    assert!(list.iter().all(|r| r.total() == 0), "nothing left on retired codes");

    // Only national admins.
    let officer = store::users::by_username(&app.db, "petugas_begu").await.unwrap().unwrap();
    let p = officer.principal().unwrap();
    assert!(matches!(
        web::region_update::reassign(&st, &p, &store::audit::Actor::system("test"), MOVED, MOVED_TO).await,
        Err(web::region_update::Error::Forbidden)
    ));
}

/// Runs one statement on whichever backend the test uses.
async fn exec(db: &store::Db, sql: &str) {
    match db {
        store::Db::Sqlite(p, ..) => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()),
        store::Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()),
    }
    .expect(sql);
}

#[tokio::test]
async fn an_older_embedded_release_is_updated_at_start_by_the_same_update() {
    let app = TestApp::spawn().await;
    // As if loaded by an older build: a village the new release no longer has (with a person
    // on it), a name since corrected, and the older data version.
    exec(
        &app.db,
        "INSERT INTO regions (code, parent_code, level, name, search_name) \
         VALUES ('53.07.01.2999', '53.07.01', 'village', 'Desa Lama', 'desa lama')",
    )
    .await;
    exec(&app.db, "UPDATE regions SET name = 'WOLOREGA', search_name = 'wolorega' WHERE code = '53.07.01.2013'").await;
    // The older build's data was there before this server started; the server read the region
    // codes at its start, so the rows written behind its back are announced as a region update
    // would announce them (the stamp servers compare before using their copy).
    exec(
        &app.db,
        &format!(
            "INSERT INTO meta (key, value) VALUES ('{}', 'older-build') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            store::regions::CHANGED_KEY
        ),
    )
    .await;
    let (s, p) = person(&app, "5307015205900021", "53.07.01.2999").await;
    assert_eq!(s, 201, "{p}");
    exec(&app.db, "UPDATE meta SET value = 'idn-area-data/2024+names-2' WHERE key = 'regions_version'").await;

    let report = web::region_update::upgrade_embedded(&app.db).await.unwrap().expect("an update ran");
    assert!(report.applied);
    assert_eq!((report.counts.removed, report.counts.renamed, report.counts.new), (1, 1, 0), "{report:?}");
    assert_eq!(report.affected[0].code, "53.07.01.2999");
    let (s, r) = app.get_json("/api/v1/regions/53.07.01.2999", Some(&app.admin_token)).await;
    assert_eq!(s, 200, "retired, not deleted: {r}");
    let (_, r) = app.get_json("/api/v1/regions/53.07.01.2013", Some(&app.admin_token)).await;
    assert_eq!(r["name"], "Wolorega");
    let (_, log) = app.get_json("/api/v1/audit?action=regions.update", Some(&app.admin_token)).await;
    assert_eq!(log["items"][0]["actor"], "system:regions-upgrade", "{log}");
    // Current now: the next start does nothing.
    assert!(web::region_update::upgrade_embedded(&app.db).await.unwrap().is_none());
}

fn cli(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_desmigratif"))
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DESMIGRATIF_LOG", "warn")
        .env("DESMIGRATIF_ADMIN_PASSWORD", "a-long-enough-password-3")
        .output()
        .expect("the binary runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn the_command_line_reports_applies_and_reassigns() {
    let dir = tempfile::tempdir().unwrap();
    let release = dir.path().join("release");
    std::fs::create_dir(&release).unwrap();
    for ((file, _), text) in domain::region_update::FILES.into_iter().zip(edited_release()) {
        std::fs::write(release.join(file), text).unwrap();
    }
    let (ok, out, err) = cli(dir.path(), &["regions", "update", "release", "--dry-run", "--json"]);
    assert!(ok, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out[out.find('{').unwrap()..]).expect("JSON report");
    assert_eq!((json["counts"]["renamed"].as_i64(), json["counts"]["moved"].as_i64()), (Some(1), Some(1)), "{json}");
    assert_eq!((json["dry_run"].as_bool(), json["applied"].as_bool()), (Some(true), Some(false)));

    let (ok, out, err) = cli(dir.path(), &["regions", "update", "release"]);
    assert!(
        ok && out.contains("Applied (audited).") && out.contains(&format!("{MOVED}  Wolowona -> {MOVED_TO}")),
        "{out}{err}"
    );
    let (_, out, _) = cli(dir.path(), &["regions", "update", "release"]);
    assert!(
        out.contains("0 new, 0 renamed, 0 moved (candidates), 0 removed") && out.contains("Nothing to change."),
        "{out}"
    );
    let (_, out, _) = cli(dir.path(), &["regions", "retired"]);
    assert!(out.contains("2 retired code(s).") && out.contains(REMOVED), "{out}");
    let (ok, out, err) = cli(dir.path(), &["regions", "reassign", REMOVED]);
    assert!(!ok && err.contains("new_code"), "no successor to default to: {out}{err}");
    let (ok, out, err) = cli(dir.path(), &["regions", "reassign", MOVED]);
    assert!(ok && out.contains(&format!("Moved 0 record(s) from {MOVED} to {MOVED_TO}")), "{out}{err}");
    // A broken release is refused with its file and line, nothing written.
    std::fs::write(release.join("villages.csv"), "code,district_code,name\n53.07.01,53.07,X\n").unwrap();
    let (ok, _, err) = cli(dir.path(), &["regions", "update", "release"]);
    assert!(!ok && err.contains("villages.csv line 2"), "{err}");
}
