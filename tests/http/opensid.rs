//! OpenSID bridge (issue 19): the "Data Penduduk" workbook through the API contract and the
//! page's preview and confirmation; edge rows (NIK 0, impossible dates, a NIK twice in the
//! file and one registered elsewhere, unknown columns, codes and labels); re-import changes
//! nothing; another village's officer is refused and learns nothing; the export back with
//! OpenSID's columns and the migrant statistics.

use crate::common::{Browser, TestApp, csrf_of};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OTHER: &str = "53.07.02.2001";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Registered in another district's village by its own officer before the import.
const ELSEWHERE_NIK: &str = "5307014708950009";
/// Registered in the officer's own village, with a birth place and nothing else optional.
const KNOWN_NIK: &str = "5307015205900010";

enum V {
    T(&'static str),
    /// An Excel date cell (year, month, day).
    D(u16, u8, u8),
}
use V::{D, T};

/// A workbook with the sheet `sheet` holding `rows` (row 1 the header).
fn workbook(sheet: &str, rows: &[Vec<V>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v {
                T(s) => {
                    ws.write_string(r as u32, c as u16, *s).unwrap();
                }
                D(y, m, d) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    ws.write_datetime_with_format(r as u32, c as u16, &dt, &date).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn village_workbook() -> Vec<u8> {
    let h = [
        "nik",
        "no_kk",
        "nama",
        "sex",
        "tempatlahir",
        "tanggallahir",
        "alamat",
        "dusun",
        "rt",
        "rw",
        "pekerja_migran",
        "hobi",
    ];
    workbook(
        "Data Penduduk",
        &[
            h.iter().map(|s| T(s)).collect(),
            // 2: new, sex as a code, date as Y-m-d text, a migrant abroad.
            vec![
                T("5307015205900001"),
                T("5307010101100002"),
                T("MARIA GORETI"),
                T("2"),
                T("MAUMERE"),
                T("1990-05-12"),
                T("Jl. Mawar 3"),
                T("KRAJAN"),
                T("001"),
                T("002"),
                T("PEKERJA MIGRAN"),
                T("menari"),
            ],
            // 3: new, sex as a label, an Excel date cell, not a migrant worker.
            vec![
                T("5307013101850002"),
                T(""),
                T("BUDI SANTOSO"),
                T("LAKI-LAKI"),
                T(""),
                D(1985, 1, 31),
                T(""),
                T(""),
                T(""),
                T(""),
                T("BUKAN PEKERJA MIGRAN"),
                T(""),
            ],
            // 4: no NIK yet.
            vec![
                T("0"),
                T(""),
                T("BAYI BARU"),
                T("1"),
                T(""),
                T("2024-01-01"),
                T(""),
                T(""),
                T(""),
                T(""),
                T(""),
                T(""),
            ],
            // 5: a date that does not exist.
            vec![
                T("5307015205900004"),
                T(""),
                T("ANA WUTUN"),
                T("2"),
                T(""),
                T("1990-02-30"),
                T(""),
                T(""),
                T(""),
                T(""),
                T(""),
                T(""),
            ],
            // 6: the NIK of row 2 again.
            vec![
                T("5307015205900001"),
                T(""),
                T("MARIA LAIN"),
                T("2"),
                T(""),
                T("1990-05-12"),
                T(""),
                T(""),
                T(""),
                T(""),
                T(""),
                T(""),
            ],
            // 7: known here: the empty KK and address are filled, the birth place is not overwritten.
            vec![
                T(KNOWN_NIK),
                T("5307010101100009"),
                T("SISILIA"),
                T("2"),
                T("ENDE"),
                T("1990-05-12"),
                T("Jl. Kenanga"),
                T("Dusun_Wolowaru"),
                T("3"),
                T(""),
                T("PEKERJA MIGRAN"),
                T(""),
            ],
            // 8: registered in another village, outside the officer's sight.
            vec![
                T(ELSEWHERE_NIK),
                T(""),
                T("INA SINI"),
                T("P"),
                T(""),
                T("1995-08-07"),
                T(""),
                T(""),
                T(""),
                T(""),
                T(""),
                T(""),
            ],
            // 9: new, sex as PEREMPUAN, d-m-Y date, a returned worker.
            vec![
                T("5307014311920003"),
                T(""),
                T("THERESIA INA"),
                T("PEREMPUAN"),
                T("NITA"),
                T("03-11-1992"),
                T(""),
                T(""),
                T(""),
                T(""),
                T("PURNA PEKERJA MIGRAN"),
                T(""),
            ],
        ],
    )
}

async fn post_workbook(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/opensid?{query}")))
        .bearer_auth(token)
        .header("content-type", XLSX)
        .body(body)
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn errors_of(r: &Value) -> Vec<(u64, String, String)> {
    r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
                e["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn person(app: &TestApp, token: &str, nik: &str) -> Value {
    let (_, r) = app.get_json(&format!("/api/v1/persons?nik={nik}"), Some(token)).await;
    r["items"][0].clone()
}

async fn audit_count(app: &TestApp, action: &str) -> usize {
    let (_, log) = app.get_json(&format!("/api/v1/audit?action={action}&limit=500"), Some(&app.admin_token)).await;
    log["items"].as_array().map_or(0, Vec::len)
}

/// Registers the person outside the officer's sight and the officer's own known person.
async fn setup(app: &TestApp) -> String {
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
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&officer),
            &json!({"nik": KNOWN_NIK, "full_name": "Sisilia Bunga", "sex": "P", "birth_date": "1990-05-12",
                    "birth_place": "Kupang", "village_code": HOME}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    officer
}

#[tokio::test]
async fn api_imports_edge_rows_and_a_second_import_changes_nothing() {
    let app = TestApp::spawn().await;
    let officer = setup(&app).await;

    let (s, r) = post_workbook(&app, &officer, &format!("village_code={HOME}"), village_workbook()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64(), r["unchanged"].as_u64()),
        (Some(3), Some(1), Some(0)),
        "{r}"
    );
    let errors = errors_of(&r);
    let e = |row: u64, field: &str, rule: &str| (row, field.to_string(), rule.to_string());
    assert_eq!(
        errors,
        vec![
            e(1, "hobi", "one_of"),
            e(4, "nik", "required"),
            e(5, "tanggallahir", "format"),
            e(6, "nik", "taken"),
            e(8, "nik", "taken"),
        ],
        "{r}"
    );
    let message = |row: u64| {
        r["errors"].as_array().unwrap().iter().find(|x| x["row"] == row).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message(1).contains("Kolom hobi bukan kolom OpenSID"), "{r}");
    assert!(message(4).starts_with("Belum punya NIK"), "{r}");
    assert!(message(5).contains("tanggallahir"), "{r}");
    assert!(message(6).contains("baris 2"), "{r}");
    // The other village's record: refused the way registration refuses it, nothing more.
    assert_eq!(
        message(8),
        "NIK ini sudah terdaftar di luar wilayah Anda. Minta dinas tenaga kerja kabupaten (Disnaker) memeriksanya."
    );
    let text = r.to_string();
    assert!(!text.contains("Yohana") && !text.contains(OTHER) && !text.contains("53.07.02"), "leak: {text}");

    // Codes and labels, text and date cells, the category from pekerja_migran.
    let maria = person(&app, &officer, "5307015205900001").await;
    assert_eq!(
        (&maria["sex"], &maria["birth_date"], &maria["category"]),
        (&json!("P"), &json!("1990-05-12"), &json!("abroad"))
    );
    assert_eq!(maria["address"], "Jl. Mawar 3, RT 001/RW 002, Dusun KRAJAN", "{maria}");
    assert_eq!(maria["kk_number"], "5307010101100002");
    assert_eq!(maria["village_code"], HOME);
    let budi = person(&app, &officer, "5307013101850002").await;
    assert_eq!(
        (&budi["sex"], &budi["birth_date"], &budi["category"]),
        (&json!("L"), &json!("1985-01-31"), &json!("family"))
    );
    let theresia = person(&app, &officer, "5307014311920003").await;
    assert_eq!((&theresia["birth_date"], &theresia["category"]), (&json!("1992-11-03"), &json!("returned")));
    // The known person: empty fields filled, what we had kept.
    let known = person(&app, &officer, KNOWN_NIK).await;
    assert_eq!(known["full_name"], "Sisilia Bunga");
    assert_eq!(known["birth_place"], "Kupang");
    assert_eq!(known["kk_number"], "5307010101100009");
    assert_eq!(known["address"], "Jl. Kenanga, RT 3, Dusun Wolowaru");
    for nik in ["5307015205900004"] {
        let (_, r) = app.get_json(&format!("/api/v1/persons?nik={nik}"), Some(&app.admin_token)).await;
        assert_eq!(r["items"], json!([]), "{nik} not registered");
    }
    let elsewhere = person(&app, &app.admin_token, ELSEWHERE_NIK).await;
    assert_eq!(elsewhere["full_name"], "Yohana Lewotobi", "untouched");

    // The same workbook again: nothing created, nothing changed, no new change in the log.
    let updates = audit_count(&app, "person.update").await;
    let creates = audit_count(&app, "person.create").await;
    let (s, again) = post_workbook(&app, &officer, &format!("village_code={HOME}"), village_workbook()).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(0), Some(4)),
        "{again}"
    );
    assert_eq!(errors_of(&again), errors);
    assert_eq!(audit_count(&app, "person.update").await, updates);
    assert_eq!(audit_count(&app, "person.create").await, creates);
    let (_, log) = app.get_json("/api/v1/audit?action=person.import", Some(&app.admin_token)).await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["details"] == "source=opensid rows=8 created=0 updated=0 unchanged=4 refused=4"),
        "{log}"
    );
}

#[tokio::test]
async fn another_villages_officer_is_refused_and_file_errors_are_named() {
    let app = TestApp::spawn().await;
    let officer = setup(&app).await;
    let there = app.token("lain", "a-long-password").await;
    // Another village's officer: 403 before the workbook is read, dry run or not.
    for q in [format!("village_code={HOME}"), format!("village_code={HOME}&dry_run=true")] {
        let (s, r) = post_workbook(&app, &there, &q, village_workbook()).await;
        assert_eq!(s, 403, "{r}");
        let text = r.to_string();
        assert!(!text.contains("Sisilia") && !text.contains(KNOWN_NIK) && !text.contains("MARIA"), "{text}");
    }
    // A role that never registers people.
    let analyst = app.user_token("analis", "national_analyst", None).await;
    assert_eq!(post_workbook(&app, &analyst, &format!("village_code={HOME}"), village_workbook()).await.0, 403);
    let (_, all) = app.get_json("/api/v1/persons", Some(&app.admin_token)).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "nothing imported: {all}");

    // No village, a workbook without the sheet, not a workbook, a missing column.
    let (s, r) = post_workbook(&app, &officer, "", village_workbook()).await;
    assert_eq!((s, r["errors"][0]["field"].as_str()), (422, Some("village_code")), "{r}");
    let wrong = workbook("Sheet1", &[vec![T("nik"), T("nama")]]);
    let (s, r) = post_workbook(&app, &officer, &format!("village_code={HOME}"), wrong).await;
    assert_eq!(s, 422, "{r}");
    assert!(r.to_string().contains("Sheet1"), "names the sheets there are: {r}");
    let (s, r) = post_workbook(&app, &officer, &format!("village_code={HOME}"), b"nik;nama\n".to_vec()).await;
    assert_eq!((s, r["errors"][0]["field"].as_str()), (422, Some("file")), "{r}");
    let no_name = workbook("Data Penduduk", &[vec![T("nik"), T("sex")], vec![T("5307015205900001"), T("1")]]);
    let (s, r) = post_workbook(&app, &officer, &format!("village_code={HOME}"), no_name).await;
    assert_eq!(s, 422, "{r}");
    assert!(r.to_string().contains("nama"), "{r}");
}

async fn upload(b: &Browser, csrf: &str, village: &str, data: Vec<u8>) -> (u16, String) {
    let part = reqwest::multipart::Part::bytes(data).file_name("penduduk.xlsx").mime_str(XLSX).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .text("village_code", village.to_string())
        .part("file", part);
    let r = b.client.post(format!("{}/persons/import/opensid", b.base)).multipart(form).send().await.expect("upload");
    (r.status().as_u16(), r.text().await.unwrap())
}

fn dd(html: &str, id: &str) -> u64 {
    let marker = format!("<dd id=\"{id}\">");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {id} in {html}")) + marker.len();
    html[start..].split('<').next().unwrap().parse().expect("a number")
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn page_previews_without_writing_then_confirms_and_exports_back() {
    let app = TestApp::spawn().await;
    let officer = setup(&app).await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, form) = b.get("/persons/import").await;
    assert_eq!(s, 200);
    assert!(form.contains("action=\"/persons/import/opensid\""), "the OpenSID form under Orang → Impor");
    assert!(form.contains(&format!("value=\"{HOME}\"")), "the officer's village filled in");
    let csrf = csrf_of(&form);

    // A refused upload keeps the typed village and says why.
    let (s, html) = upload(&b, &csrf, HOME, workbook("Lembar1", &[vec![T("nik")]])).await;
    assert_eq!(s, 422);
    assert!(html.contains("Data Penduduk&#34; tidak ada di berkas. Lembar yang ada: Lembar1."), "{html}");
    assert!(html.contains(&format!("value=\"{HOME}\"")));

    let creates = audit_count(&app, "person.create").await;
    let (s, preview) = upload(&b, &csrf, HOME, village_workbook()).await;
    assert_eq!(s, 200, "{preview}");
    assert!(preview.contains("id=\"preview-note\""));
    assert_eq!(
        [dd(&preview, "created"), dd(&preview, "updated"), dd(&preview, "unchanged"), dd(&preview, "refused")],
        [3, 1, 0, 4]
    );
    assert!(preview.contains("Belum punya NIK"), "reasons in Indonesian");
    assert!(preview.contains("<td>8</td><td>nik</td><td>NIK ini sudah terdaftar di luar wilayah Anda."), "{preview}");
    // Nothing written by the preview.
    let (_, all) = app.get_json("/api/v1/persons", Some(&app.admin_token)).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "{all}");
    assert_eq!(person(&app, &officer, KNOWN_NIK).await["address"], "");
    assert_eq!(audit_count(&app, "person.create").await, creates);
    assert_eq!(audit_count(&app, "person.import").await, 0);

    // Another account cannot confirm this upload.
    let sha = hidden(&preview, "sha256");
    assert_eq!(sha.len(), 64);
    app.create_user("petugas2", "village_officer", Some(HOME)).await;
    let other = Browser::new(&app);
    other.login("petugas2", "a-long-password").await;
    let other_csrf = other.csrf().await;
    let r = other
        .post_form(
            "/persons/import/opensid/confirm",
            &[("_csrf", &other_csrf), ("sha256", &sha), ("village_code", HOME)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);

    let r = b
        .post_form("/persons/import/opensid/confirm", &[("_csrf", &csrf), ("sha256", &sha), ("village_code", HOME)])
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let done = r.text().await.unwrap();
    assert!(done.contains("id=\"done\""), "{done}");
    assert_eq!(
        [dd(&done, "created"), dd(&done, "updated"), dd(&done, "unchanged"), dd(&done, "refused")],
        [3, 1, 0, 4]
    );
    let (_, all) = app.get_json("/api/v1/persons", Some(&app.admin_token)).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 5, "{all}");
    // The upload is gone once used.
    let r = b
        .post_form("/persons/import/opensid/confirm", &[("_csrf", &csrf), ("sha256", &sha), ("village_code", HOME)])
        .await;
    assert_eq!(r.status().as_u16(), 422);

    // The export: statistics on the page, the workbook with OpenSID's columns.
    let (s, page) = b.get(&format!("/persons/opensid?village={HOME}")).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("id=\"stat-status\"") && page.contains("id=\"stat-destination\""), "{page}");
    assert!(page.contains("PEKERJA MIGRAN") && page.contains("PURNA PEKERJA MIGRAN"), "{page}");
    // Maria abroad, Theresia returned, Sisilia prospective (registered here); Budi is not a migrant.
    assert!(page.contains("<strong>3</strong>"), "{page}");
    let r = b.client.get(format!("{}/persons/opensid/export?village={HOME}", b.base)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], XLSX);
    let exported = r.bytes().await.unwrap().to_vec();
    assert_eq!(&exported[..2], b"PK");
    let (_, log) = app.get_json("/api/v1/audit?action=person.export", Some(&app.admin_token)).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1, "the export names its records: {log}");
    // OpenSID's columns and values read back by the importer: nothing new, nothing changed.
    let (s, back) = post_workbook(&app, &officer, &format!("village_code={HOME}&dry_run=true"), exported).await;
    assert_eq!(s, 200, "{back}");
    assert_eq!(
        (back["created"].as_u64(), back["updated"].as_u64(), back["unchanged"].as_u64()),
        (Some(0), Some(0), Some(3)),
        "{back}"
    );
    assert_eq!(back["errors"], json!([]), "{back}");

    // Another village's officer sees neither the statistics nor the workbook.
    let there = Browser::new(&app);
    there.login("lain", "a-long-password").await;
    assert_eq!(there.get(&format!("/persons/opensid?village={HOME}")).await.0, 403);
    let (s, body) = there.get(&format!("/persons/opensid/export?village={HOME}")).await;
    assert_eq!(s, 403);
    assert!(!body.contains("MARIA"));
}

/// `desmigratif import opensid`: the same door from the command line, as a named account.
#[test]
fn cli_imports_a_workbook_as_a_named_account() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("penduduk.xlsx"), village_workbook()).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_desmigratif"))
            .current_dir(dir.path())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DESMIGRATIF_LOG", "warn")
            .env("DESMIGRATIF_ADMIN_USER", "boss")
            .env("DESMIGRATIF_ADMIN_PASSWORD", "a-long-enough-password-1")
            .output()
            .expect("the binary runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{args:?}: {text}\n{}", String::from_utf8_lossy(&out.stderr));
        text
    };
    run(&["migrate"]);
    let import = ["import", "opensid", "penduduk.xlsx", "--village", HOME, "--as-user", "boss"];
    let out = run(&[&import[..], &["--dry-run"]].concat());
    assert!(out.contains("Dry run: 5 created, 0 updated, 0 unchanged, 3 refused."), "{out}");
    assert!(out.contains("row 4\tnik\tBelum punya NIK"), "{out}");
    let out = run(&import);
    assert!(out.contains("\n5 created, 0 updated, 0 unchanged, 3 refused.") || out.starts_with("5 created"), "{out}");
    let out = run(&import);
    assert!(out.contains("0 created, 0 updated, 5 unchanged, 3 refused."), "{out}");
}
