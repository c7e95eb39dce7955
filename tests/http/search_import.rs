//! Issue 18, search track: name search through the trigram index (FTS5 on SQLite, pg_trgm on
//! PostgreSQL) with the same answers as the scan it replaced, and the batched CSV import
//! (bad rows reported, duplicates within the file and against the database, one audit entry
//! per batch naming its rows and their SHA-256).

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OTHER: &str = "53.07.02.2001";
const FAR: &str = "35.12.01.2001";

fn person(nik: &str, name: &str, village: &str) -> Value {
    json!({"nik": nik, "full_name": name, "sex": "P", "birth_date": "1990-05-12", "village_code": village})
}

fn names(r: &Value) -> Vec<String> {
    r["items"].as_array().unwrap().iter().map(|p| p["full_name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn name_search_finds_spellings_words_and_corrections_in_scope() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token.clone();
    // The far one first: the lowest id, outside the regency searched below.
    for (nik, name, village) in [
        ("3512015205900001", "Siti Far", FAR),
        ("5307015205900001", "Siti Aminah", HOME),
        ("5307015205900002", "Sitti Rahmawati", HOME),
        ("5307015205900003", "Budi Santoso", HOME),
        ("5307025205900004", "Siti Nurhaliza", OTHER),
    ] {
        let (s, p) = app.post_json("/api/v1/persons", Some(&admin), &person(nik, name, village)).await;
        assert_eq!(s, 201, "{p}");
    }
    let search = |q: &str| {
        let app = &app;
        let admin = admin.clone();
        let q = q.to_string();
        async move {
            let (s, r) = app.get_json(&format!("/api/v1/persons?{q}"), Some(&admin)).await;
            assert_eq!(s, 200, "{q}: {r}");
            r
        }
    };
    // Spelling keys on both sides: Sitti meets Siti; ordered by id.
    assert_eq!(names(&search("q=SITI").await), ["Siti Far", "Siti Aminah", "Sitti Rahmawati", "Siti Nurhaliza"]);
    // Any part of a word, as before.
    assert_eq!(names(&search("q=amin").await), ["Siti Aminah"]);
    // Words shorter than a trigram, alone and with a long one.
    assert_eq!(names(&search("q=bu").await), ["Budi Santoso"]);
    assert_eq!(names(&search("q=siti%20ha").await), ["Siti Nurhaliza"]);
    assert_eq!(names(&search("q=qwx").await), Vec::<String>::new());
    // A regency: the out-of-scope match with the lowest id never takes a place on a page.
    let mut seen = vec![];
    let mut after = String::new();
    loop {
        let r = search(&format!("q=siti&region_code=53.07&limit=1{after}")).await;
        seen.extend(names(&r));
        match r["next_after"].as_i64() {
            Some(n) => after = format!("&after={n}"),
            None => break,
        }
    }
    assert_eq!(seen, ["Siti Aminah", "Sitti Rahmawati", "Siti Nurhaliza"]);
    // A village (read from its own index) and a village officer's scope.
    assert_eq!(names(&search(&format!("q=siti&region_code={HOME}")).await), ["Siti Aminah", "Sitti Rahmawati"]);
    let officer = app.user_token("petugas", "village_officer", Some(OTHER)).await;
    let (_, r) = app.get_json("/api/v1/persons?q=siti", Some(&officer)).await;
    assert_eq!(names(&r), ["Siti Nurhaliza"]);

    // A correction moves the name in the index: the old name is no longer found.
    app.create_user("koreksi", "village_officer", Some(HOME)).await;
    let (_, r) = app.get_json("/api/v1/persons?q=budi", Some(&admin)).await;
    let id = r["items"][0]["id"].as_i64().unwrap();
    let b = Browser::new(&app);
    b.login("koreksi", "a-long-password").await;
    let (_, form) = b.get(&format!("/persons/{id}/edit")).await;
    let csrf = csrf_of(&form);
    let fields = [
        ("_csrf", csrf.as_str()),
        ("nik", "5307015205900003"),
        ("full_name", "Bambang Santoso"),
        ("sex", "P"),
        ("birth_date", "1990-05-12"),
        ("village_code", HOME),
        ("category", "prospective"),
    ];
    let r = b.post_form(&format!("/persons/{id}/edit"), &fields).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(names(&search("q=budi").await), Vec::<String>::new());
    assert_eq!(names(&search("q=bambang").await), ["Bambang Santoso"]);
    assert_eq!(names(&search("q=santoso").await), ["Bambang Santoso"]);
}

async fn upload(b: &Browser, data: Vec<u8>) -> String {
    let (s, form) = b.get("/persons/import").await;
    assert_eq!(s, 200);
    let part = reqwest::multipart::Part::bytes(data).file_name("warga.csv").mime_str("text/csv").unwrap();
    let form = reqwest::multipart::Form::new().text("_csrf", csrf_of(&form)).part("file", part);
    let r = b.client.post(format!("{}/persons/import", b.base)).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    for _ in 0..200 {
        let (_, html) = b.get(&location).await;
        if !html.contains("id=\"running\"") {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("import did not finish");
}

fn count(html: &str, id: &str) -> u64 {
    let marker = format!("<dd id=\"{id}\">");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {id} in page")) + marker.len();
    html[start..].split('<').next().unwrap().parse().expect("a number")
}

/// A batch and two rows (`BATCH_ROWS` + 3 lines with the header) in two batches: a bad date, a
/// NIK twice in the file (same data: skipped; other data: refused), a NIK already registered
/// (same data: skipped; other data: refused), and the last line repeating the first row from
/// the batch before.
#[tokio::test]
async fn batched_import_reports_bad_rows_and_duplicates_and_audits_each_batch() {
    const B: usize = domain::import::BATCH_ROWS;
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let officer = app.token("petugas", "a-long-password").await;
    let (s, p) = app.post_json("/api/v1/persons", Some(&officer), &person("5307015205900009", "Maria Ada", HOME)).await;
    assert_eq!(s, 201, "{p}");
    let row = |nik: &str, name: &str, date: &str| format!("{nik},{name},P,{date},{HOME}");
    let mut lines = vec![
        "nik,full_name,sex,birth_date,village_code".to_string(),
        row("5307015205900001", "Ana Baru", "1990-05-12"), // 2 created
        row("5307015205900002", "Salah Tanggal", "1990-02-30"), // 3 bad date
        row("5307015205900003", "Yuli Baru", "1990-05-12"), // 4 created
        row("5307015205900001", "Ana Baru", "1990-05-12"), // 5 same NIK, same data: skipped
        row("5307015205900001", "Ana Lain", "1990-05-12"), // 6 same NIK, other data: refused
        row("5307015205900009", "Maria Ada", "1990-05-12"), // 7 on record, same data: skipped
        row("5307015205900009", "Maria Lain", "1990-05-12"), // 8 on record, other data: refused
    ];
    // Lines 9 to B + 1: the first batch is lines 2 to B + 1.
    for n in 0..B - 7 {
        lines.push(row(&format!("530701520590{:04}", 1000 + n), &format!("Warga Ke{n}"), "1990-05-12"));
    }
    lines.push(row("5307015205900010", "Warga Akhir", "1990-05-12")); // B + 2 created (batch 2)
    lines.push(row("5307015205900001", "Ana Baru", "1990-05-12")); // B + 3 skipped, from batch 1
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let html = upload(&b, lines.join("\n").into_bytes()).await;
    let got: Vec<u64> = ["total", "created", "skipped", "rejected"].iter().map(|c| count(&html, c)).collect();
    let b64 = B as u64;
    assert_eq!(got, [b64 + 2, b64 - 4, 3, 3], "rows, created, already registered, rejected");
    for line in [3, 6, 8] {
        assert!(html.contains(&format!("<tr><td>{line}</td>")), "line {line} reported: {html}");
    }
    assert!(html.contains("Tanggal lahir"), "the field is named");
    let (_, r) = app.get_json("/api/v1/persons?nik=5307015205900001", Some(&officer)).await;
    assert_eq!(names(&r), ["Ana Baru"], "written once");

    let (_, log) = app.get_json("/api/v1/audit?action=person.create_batch", Some(&app.admin_token)).await;
    let entries = log["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "one entry per batch: {log}");
    // Newest first: the second batch wrote line B + 2 only.
    let (_, r) = app.get_json("/api/v1/persons?nik=5307015205900010", Some(&officer)).await;
    let last_id = r["items"][0]["id"].as_i64().unwrap();
    let fields: Vec<String> = lines[B + 1].split(',').map(String::from).collect();
    let digest = domain::import::rows_digest([(b64 + 2, fields.as_slice())]);
    assert_eq!(entries[0]["details"], format!("rows=1 lines={} ids={last_id} sha256={digest}", B + 2));
    let first = entries[1]["details"].as_str().unwrap();
    assert!(first.starts_with(&format!("rows={} lines=2,4,9-{} ids=", B - 5, B + 1)), "{first}");
    let written: Vec<Vec<String>> =
        [1usize, 3].into_iter().chain(8..B + 1).map(|i| lines[i].split(',').map(String::from).collect()).collect();
    let numbers = [2u64, 4].into_iter().chain(9..b64 + 2);
    let digest = domain::import::rows_digest(numbers.zip(written.iter().map(|f| f.as_slice())));
    assert!(first.ends_with(&format!("sha256={digest}")), "{first}");
    assert_eq!(entries[0]["entity"], "import");
    let (_, log) = app.get_json("/api/v1/audit?action=person.import&entity=import", Some(&app.admin_token)).await;
    assert!(
        log["items"][0]["details"].as_str().unwrap().starts_with(&format!("rows={} created={}", B + 2, B - 4)),
        "{log}"
    );
}
