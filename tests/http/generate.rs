//! The synthetic national data generator (issue 9) at `small` scale: deterministic from the
//! seed, every NIK valid and consistent with the person's village, sex and birth date, counts
//! in the expected ranges, and the server's own pages and API working over the data.

use crate::common::{Browser, TestApp, fresh_database};
use generate::{Options, PERSON_COLUMNS, Scale, checksum};
use store::{Db, on_db};

async fn generated(db: &Db, seed: u64) -> generate::Report {
    generate::run(db, &Options::new(Scale::Small, seed)).await.expect("generate small")
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    let (n,): (i64,) = on_db!(db, p => sqlx::query_as(sql).fetch_one(p).await).expect(sql);
    n
}

#[tokio::test]
async fn same_seed_gives_the_same_rows_and_another_seed_others() {
    let (url_a, _dir_a) = fresh_database().await;
    let (url_b, _dir_b) = fresh_database().await;
    let (url_c, _dir_c) = fresh_database().await;
    let a = Db::connect(&url_a).await.expect("open a");
    let b = Db::connect(&url_b).await.expect("open b");
    let c = Db::connect(&url_c).await.expect("open c");
    generated(&a, 42).await;
    generated(&b, 42).await;
    generated(&c, 43).await;
    let sum = |db: Db| async move { checksum(&db, "persons", PERSON_COLUMNS, "id").await.expect("checksum") };
    let episodes = ["id", "person_id", "destination", "job_type", "agency_id", "state", "state_date", "departed_on"];
    let ep = |db: Db| async move { checksum(&db, "episodes", &episodes, "id").await.expect("checksum") };
    assert_eq!(sum(a.clone()).await, sum(b.clone()).await, "same seed, same people");
    assert_eq!(ep(a.clone()).await, ep(b.clone()).await, "same seed, same episodes");
    let cases = ["id", "case_type", "person_id", "status", "status_date"];
    assert_eq!(
        checksum(&a, "cases", &cases, "id").await.expect("cases a"),
        checksum(&b, "cases", &cases, "id").await.expect("cases b")
    );
    assert_ne!(sum(a.clone()).await, sum(c.clone()).await, "another seed, other people");

    // A second run into the same database is refused rather than mixing two populations.
    let again = generate::run(&a, &Options::new(Scale::Small, 42)).await;
    assert!(matches!(again, Err(generate::GenError::NotEmpty(3000))), "{:?}", again.err());
    for db in [a, b, c] {
        db.close().await;
    }
}

#[tokio::test]
async fn every_nik_is_valid_and_matches_village_sex_and_birth_date() {
    let (url, _dir) = fresh_database().await;
    let db = Db::connect(&url).await.expect("open");
    let report = generated(&db, 7).await;
    assert_eq!(report.people, 3000);
    let regions = store::regions::RegionIndex::load(&db).await.expect("regions");
    let rows: Vec<(String, String, String, String, String)> = on_db!(&db, p => sqlx::query_as(
        "SELECT p.nik, p.sex, p.birth_date, p.village_code, r.level FROM persons p LEFT JOIN regions r ON r.code = p.village_code")
        .fetch_all(p).await)
    .expect("persons");
    assert_eq!(rows.len(), 3000);
    let as_of = generate::DEFAULT_AS_OF;
    let mut niks = std::collections::HashSet::new();
    for (nik, sex, birth, village, level) in &rows {
        assert_eq!(level, "village", "{nik}: {village} is a village");
        let birth = domain::person::parse_date(birth).expect("birth date");
        let sex = domain::Sex::parse(sex).expect("sex");
        let check = domain::nik::check(nik, Some(birth), Some(sex), &regions, as_of);
        assert!(check.valid(), "{nik}: {:?}", check.errors);
        assert!(check.warnings.is_empty(), "{nik}: {:?}", check.warnings);
        assert_eq!(check.birth_date, Some(birth), "{nik}");
        assert_eq!(check.sex, Some(sex), "{nik}");
        let district: String = village[..8].to_string();
        assert_eq!(check.district_code.as_deref(), Some(district.as_str()), "{nik} lives in {village}");
        assert!(niks.insert(nik.clone()), "{nik} twice");
    }

    // Counts in the ranges the scale table promises.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM village_profiles WHERE pocket_village").await, 4000);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM program_villages").await, 1000);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM program_villages WHERE since_year < 2016 OR since_year > 2024").await,
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM program_villages pv LEFT JOIN village_profiles vp ON vp.village_code = pv.village_code \
             WHERE vp.pocket_village IS NULL OR NOT vp.pocket_village"
        )
        .await,
        0,
        "every Desmigratif village is a pocket village"
    );
    let workers = count(&db, "SELECT COUNT(*) FROM persons WHERE category <> 'family'").await;
    assert!((800..=1600).contains(&workers), "{workers} workers");
    let links = count(&db, "SELECT COUNT(*) FROM family_links").await;
    assert_eq!(links, 3000 - workers, "each relative linked to the household's worker");
    let episodes = count(&db, "SELECT COUNT(*) FROM episodes").await;
    assert!(episodes >= workers && episodes <= 3 * workers, "{episodes} episodes for {workers} workers");
    let events = count(&db, "SELECT COUNT(*) FROM episode_events").await;
    assert!(events >= 4 * episodes, "{events} events for {episodes} episodes");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM episodes e WHERE NOT EXISTS (SELECT 1 FROM episode_events v WHERE v.episode_id = e.id AND v.to_state = e.state)")
            .await,
        0,
        "every episode's state is on its timeline"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM episodes WHERE state_date > '2025-06-30'").await, 0);
    // The destinations keep the 2023 shape: Taiwan and Malaysia first, Hong Kong before Korea.
    let by_dest = |d: &'static str| {
        let db = db.clone();
        async move {
            let (n,): (i64,) = on_db!(&db, p => sqlx::query_as("SELECT COUNT(*) FROM episodes WHERE destination = $1")
                .bind(d).fetch_one(p).await)
            .expect("count");
            n
        }
    };
    let (tw, my, hk, kr) = (by_dest("TW").await, by_dest("MY").await, by_dest("HK").await, by_dest("KR").await);
    assert!(tw > hk && my > kr && hk > kr, "TW {tw} MY {my} HK {hk} KR {kr}");
    let women = count(&db, "SELECT COUNT(*) FROM persons WHERE category <> 'family' AND sex = 'P'").await;
    assert!((50..=72).contains(&(women * 100 / workers)), "{women} of {workers} workers are women");
    let abroad = count(&db, "SELECT COUNT(*) FROM persons WHERE category = 'abroad'").await;
    let abroad_eps =
        count(&db, "SELECT COUNT(DISTINCT person_id) FROM episodes WHERE state IN ('departed', 'abroad')").await;
    assert_eq!(abroad, abroad_eps, "a worker is abroad exactly when their last episode is");
    assert!(count(&db, "SELECT COUNT(*) FROM episode_documents WHERE status = 'verified'").await > episodes);
    assert!(count(&db, "SELECT COUNT(*) FROM cases").await >= 5);
    assert!(count(&db, "SELECT COUNT(*) FROM case_referrals").await >= 1);
    assert!(count(&db, "SELECT COUNT(*) FROM agencies").await >= 10);
    // One audit entry for the run, none per row.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'generate.run'").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'person.create'").await, 0);
    db.close().await;
}

#[tokio::test]
async fn the_server_works_over_generated_data() {
    let app = TestApp::spawn().await;
    generated(&app.db, 11).await;

    // A generated person, found by NIK and by name through the API.
    let (id, nik, name, village): (i64, String, String, String) = on_db!(&app.db, p => sqlx::query_as(
        "SELECT p.id, p.nik, p.full_name, p.village_code FROM persons p JOIN program_villages pv ON pv.village_code = p.village_code \
         WHERE p.category <> 'family' ORDER BY p.id LIMIT 1")
        .fetch_one(p).await)
    .expect("a worker in a Desmigratif village");
    let (status, body) = app.get_json(&format!("/api/v1/persons?nik={nik}"), Some(&app.admin_token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(body["items"][0]["full_name"], name.as_str());
    let q = name.split(' ').next().unwrap_or(&name).to_string();
    let (status, body) = app.get_json(&format!("/api/v1/persons?q={q}&limit=200"), Some(&app.admin_token)).await;
    assert_eq!(status, 200, "{body}");
    let found = body["items"].as_array().expect("items");
    assert!(!found.is_empty(), "a name search for {q} finds generated people");
    let (status, body) = app.get_json(&format!("/api/v1/persons/{id}"), Some(&app.admin_token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["village_code"], village.as_str());

    // The village's page shows its designation; its officer's worklist and the person's page
    // render.
    let (cohort,): (i64,) = on_db!(&app.db, p => sqlx::query_as("SELECT CAST(since_year AS BIGINT) FROM program_villages WHERE village_code = $1")
        .bind(&village).fetch_one(p).await)
    .expect("cohort");
    app.create_user("petugas", "village_officer", Some(&village)).await;
    let browser = Browser::new(&app);
    browser.login("petugas", "a-long-password").await;
    let (status, html) = browser.get(&format!("/regions/{village}")).await;
    assert_eq!(status, 200);
    let start = html.find("id=\"desmigratif-status\"").expect("designation on the village page");
    assert!(html[start..].contains(&cohort.to_string()), "cohort {cohort} shown");
    let (status, html) = browser.get(&format!("/persons/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&name), "the person's page names them");
    let (status, _) = browser.get("/worklist").await;
    assert_eq!(status, 200);
    let (episode,): (i64,) =
        on_db!(&app.db, p => sqlx::query_as("SELECT id FROM episodes WHERE person_id = $1 ORDER BY id LIMIT 1")
        .bind(id).fetch_one(p).await)
        .expect("an episode");
    let (status, html) = browser.get(&format!("/episodes/{episode}")).await;
    assert_eq!(status, 200, "{html}");

    // Generated cases open for the national admin.
    let (case,): (i64,) =
        on_db!(&app.db, p => sqlx::query_as("SELECT MIN(id) FROM cases").fetch_one(p).await).expect("a case");
    let (status, body) = app.get_json(&format!("/api/v1/cases/{case}"), Some(&app.admin_token)).await;
    assert_eq!(status, 200, "{body}");

    // The application keeps writing after the generator: ids continue past the generated ones
    // (on PostgreSQL the identity sequence was moved past them).
    let (max,): (i64,) =
        on_db!(&app.db, p => sqlx::query_as("SELECT MAX(id) FROM persons").fetch_one(p).await).expect("max id");
    let (status, body) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &serde_json::json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P",
                "birth_date": "1990-05-12", "village_code": "53.07.01.2001"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(body["id"].as_i64().is_some_and(|new| new > max), "{body}");
}
