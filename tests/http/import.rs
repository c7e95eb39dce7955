//! CSV import of people through the page: BOM and semicolons, rows kept or rejected with
//! line and reason, idempotent re-import, rejected-rows download, scope privacy, CSRF.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::json;

const HOME: &str = "53.07.01.2001";
const OTHER: &str = "53.07.02.2001";
/// Registered in another district's village by its own officer before the import.
const ELSEWHERE_NIK: &str = "5307014708950009";

/// BOM, semicolons, CRLF, a quoted field holding the delimiter; lines 2–4 valid, 5 a bad
/// date, 6 an unknown village, 7 a village outside the officer's, 8 NIK warnings (the NIK
/// says born 31 January, declared 1 February), 9 a NIK registered in another region.
fn village_file() -> Vec<u8> {
    let lines = [
        "NIK;kk_number;full_name;sex;birth_date;birth_place;village_code;phone;catatan",
        "5307015205900001;5307010101100002;Maria Goreti;P;1990-05-12;\"Maumere; Sikka\";53.07.01.2001;081234567890;",
        "5307013101850002;;Budi Santoso;M;31-01-1985;;53.07.01.2001;;kepala keluarga",
        "5307014311920003;;Theresia Ina;F;03-11-1992;Nita;53.07.01.2001;0812 1111 2222;",
        "5307015205900004;;Ana Wutun;P;1990-02-30;;53.07.01.2001;;",
        "5307015205900005;;Yuliana Bunga;P;1990-05-12;;53.07.01.9999;;",
        "5307015205900006;;Fransiska Nona;P;1990-05-12;;53.07.01.2003;;",
        "5307013101850007;;Yosef Lado;L;1985-02-01;;53.07.01.2001;;",
        "5307014708950009;;Ina Sini;P;1995-08-07;;53.07.01.2001;;",
    ];
    let mut data = "\u{FEFF}".as_bytes().to_vec();
    data.extend(lines.join("\r\n").into_bytes());
    data.extend(b"\r\n");
    data
}

async fn upload(b: &Browser, csrf: Option<&str>, data: Vec<u8>, confirm: bool) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(data).file_name("warga desa.csv").mime_str("text/csv").unwrap();
    let mut form = reqwest::multipart::Form::new();
    if let Some(c) = csrf {
        form = form.text("_csrf", c.to_string());
    }
    if confirm {
        form = form.text("confirm_warnings", "1");
    }
    form = form.part("file", part);
    b.client.post(format!("{}/persons/import", b.base)).multipart(form).send().await.expect("upload")
}

/// Uploads, follows the redirect and waits for the import to finish; returns the page's path and HTML.
async fn import(b: &Browser, data: Vec<u8>, confirm: bool) -> (String, String) {
    let (s, form) = b.get("/persons/import").await;
    assert_eq!(s, 200);
    let r = upload(b, Some(&csrf_of(&form)), data, confirm).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/persons/import/"), "{location}");
    for _ in 0..100 {
        let (s, html) = b.get(&location).await;
        assert_eq!(s, 200);
        if !html.contains("id=\"running\"") {
            assert!(html.contains("id=\"done\""), "{html}");
            return (location, html);
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

fn counts(html: &str) -> [u64; 4] {
    [count(html, "total"), count(html, "created"), count(html, "skipped"), count(html, "rejected")]
}

#[tokio::test]
async fn officer_imports_a_village_spreadsheet() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let officer = app.token("petugas", "a-long-password").await;
    let there = app.user_token("lain", "village_officer", Some(OTHER)).await;
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&there),
            &json!({"nik": ELSEWHERE_NIK, "full_name": "Yohana Lewotobi", "sex": "P", "birth_date": "1995-08-07",
                    "village_code": OTHER}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let elsewhere_id = p["id"].as_i64().unwrap();

    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, list) = b.get("/persons").await;
    assert!(list.contains("href=\"/persons/import\""), "link from the people list");

    let (page, html) = import(&b, village_file(), false).await;
    assert_eq!(counts(&html), [8, 3, 0, 5], "rows, created, already registered, rejected");
    assert!(html.contains("catatan"), "the ignored column is named");
    for nik in ["5307015205900001", "5307013101850002", "5307014311920003"] {
        let (_, r) = app.get_json(&format!("/api/v1/persons?nik={nik}"), Some(&officer)).await;
        assert_eq!(r["items"].as_array().unwrap().len(), 1, "{nik} registered: {r}");
    }
    let (_, r) = app.get_json("/api/v1/persons?nik=5307015205900001", Some(&officer)).await;
    assert_eq!(r["items"][0]["birth_place"], "Maumere; Sikka");
    let (_, r) = app.get_json("/api/v1/persons?nik=5307013101850002", Some(&officer)).await;
    assert_eq!((&r["items"][0]["sex"], &r["items"][0]["birth_date"]), (&json!("L"), &json!("1985-01-31")));
    for nik in ["5307015205900004", "5307015205900005", "5307015205900006", "5307013101850007"] {
        let (_, r) = app.get_json(&format!("/api/v1/persons?nik={nik}"), Some(&app.admin_token)).await;
        assert_eq!(r["items"], json!([]), "{nik} not registered");
    }
    // Reasons in Indonesian, with the line numbers.
    assert!(
        html.contains(
            "<td>5</td><td>5307015205900004</td><td>Tanggal lahir harus berupa tanggal, misalnya 12-05-1990."
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<td>6</td><td>5307015205900005</td><td>Kode desa tempat tinggal tidak ada dalam daftar wilayah."
        )
    );
    assert!(html.contains(
        "<td>7</td><td>5307015205900006</td><td>Kode desa tempat tinggal berada di luar wilayah tugas Anda."
    ));
    assert!(html.contains("Tanggal lahir pada NIK berbeda"));

    // The other region's record is refused without saying whose or where.
    assert!(html.contains("<td>9</td><td>5307014708950009</td><td>NIK ini sudah terdaftar di luar wilayah Anda."));
    let (_, csv) = b.get(&format!("{page}/rejected.csv")).await;
    for text in [&html, &csv] {
        assert!(!text.contains("Yohana") && !text.contains("Lewotobi"), "name leaked");
        assert!(!text.contains(OTHER) && !text.contains("53.07.02"), "village leaked");
        assert!(!text.contains(&format!("#{elsewhere_id}")), "record id leaked");
    }

    // The download: original columns, line, reason; the same delimiter; a BOM.
    assert!(csv.starts_with('\u{FEFF}'), "BOM for spreadsheets");
    let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').lines().collect();
    assert_eq!(lines[0], "NIK;kk_number;full_name;sex;birth_date;birth_place;village_code;phone;catatan;line;reason");
    assert_eq!(lines.len(), 6, "{csv}");
    let fields: Vec<Vec<&str>> = lines[1..].iter().map(|l| l.split(';').collect()).collect();
    let line_numbers: Vec<&str> = fields.iter().map(|f| f[9]).collect();
    assert_eq!(line_numbers, ["5", "6", "7", "8", "9"]);
    assert_eq!(fields[0][..4], ["5307015205900004", "", "Ana Wutun", "P"]);
    assert!(fields[0][10].starts_with("Tanggal lahir harus berupa tanggal"), "{}", lines[1]);
    assert!(fields[1][10].contains("tidak ada dalam daftar wilayah"));
    assert!(fields[2][10].contains("di luar wilayah tugas Anda"));
    assert!(lines[4].contains("Tanggal lahir pada NIK berbeda"));
    assert!(lines[5].contains("NIK ini sudah terdaftar di luar wilayah Anda."));
    // Nobody else can open the result or the download.
    let other = Browser::new(&app);
    app.create_user("petugas2", "village_officer", Some(HOME)).await;
    other.login("petugas2", "a-long-password").await;
    assert_eq!(other.get(&page).await.0, 404);
    assert_eq!(other.get(&format!("{page}/rejected.csv")).await.0, 404);

    // The same file again: nothing new, the valid rows count as already registered.
    let (_, html) = import(&b, village_file(), false).await;
    assert_eq!(counts(&html), [8, 0, 3, 5]);
    // Accepting NIK warnings saves line 8 with its warning kept; the rest stays as it was.
    let (_, html) = import(&b, village_file(), true).await;
    assert_eq!(counts(&html), [8, 1, 3, 4]);
    let (_, r) = app.get_json("/api/v1/persons?nik=5307013101850007", Some(&officer)).await;
    assert_eq!(r["items"][0]["nik_warnings"].as_array().unwrap().len(), 1, "{r}");
    let (_, html) = import(&b, village_file(), true).await;
    assert_eq!(counts(&html), [8, 0, 4, 4]);
    let (_, all) = app.get_json("/api/v1/persons", Some(&officer)).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 4, "no duplicates: {all}");

    // Same NIK, different data: rejected, pointing to the officer's own record.
    let changed = "nik;full_name;sex;birth_date;village_code\n5307015205900001;Maria G.;P;1990-05-12;53.07.01.2001\n";
    let (_, html) = import(&b, changed.as_bytes().to_vec(), false).await;
    assert_eq!(counts(&html), [1, 0, 0, 1]);
    assert!(html.contains("NIK ini sudah terdaftar (orang #"), "{html}");

    // Every import is in the audit log with its counts.
    let (_, log) = app.get_json("/api/v1/audit?action=person.import", Some(&app.admin_token)).await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "{log}");
    assert!(items.iter().any(|e| e["details"] == "rows=8 created=3 already_registered=0 rejected=5"), "{log}");
}

#[tokio::test]
async fn file_errors_csrf_and_rights() {
    let app = TestApp::spawn().await;
    app.create_user("petugas", "village_officer", Some(HOME)).await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (_, form) = b.get("/persons/import").await;
    let csrf = csrf_of(&form);

    // No token, or a wrong one: refused, nothing imported.
    assert_eq!(upload(&b, None, village_file(), false).await.status().as_u16(), 403);
    assert_eq!(upload(&b, Some(&"0".repeat(64)), village_file(), false).await.status().as_u16(), 403);
    let (_, r) = app.get_json("/api/v1/persons", Some(&app.admin_token)).await;
    assert_eq!(r["items"], json!([]));

    // Missing required columns: one clear message, the form again.
    let r = upload(&b, Some(&csrf), b"nik,name,sex\n1,2,3\n".to_vec(), false).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Kolom wajib tidak ada di baris pertama: full_name, birth_date, village_code."), "{html}");
    let r = upload(&b, Some(&csrf), vec![], false).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("Berkas kosong"));

    // Larger than the site's usual 256 KB limit is fine here (too-short rows, quickly rejected).
    let mut big = b"nik;full_name;sex;birth_date;village_code\n".to_vec();
    while big.len() < 400 * 1024 {
        big.extend(b"5307015205900001 Maria Goreti P 1990-05-12\n");
    }
    let (_, html) = import(&b, big, false).await;
    assert_eq!(count(&html, "rejected"), count(&html, "total"));
    assert!(html.contains("jumlah kolom kurang: 1, seharusnya 5"));
    assert!(html.contains("Menampilkan 200 baris pertama dari"), "only the first 200 are shown");

    // A partner may not import; a national analyst neither.
    app.create_user("mitra", "partner", Some("53.07")).await;
    let p = Browser::new(&app);
    p.login("mitra", "a-long-password").await;
    assert_eq!(p.get("/persons/import").await.0, 403);
    let csrf = p.csrf().await;
    assert_eq!(upload(&p, Some(&csrf), village_file(), false).await.status().as_u16(), 403);
}
