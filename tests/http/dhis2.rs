//! DHIS2 interoperability (issue 19, docs/DHIS2.md): the monthly indicators exported as DHIS2
//! data value sets (JSON and ADX) with the figures the indicators API gives, withheld cells
//! left out, scope refused, pages bounded; ADX validated against the ADX schema DHIS2 published
//! (tests/fixtures/dhis2, with `xmllint`); the org-unit import (matched, unmatched, conflicting,
//! idempotent, audited) and exports by uid; the data element mapping.

use crate::common::{Browser, TestApp};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const A: &str = "53.07.01.2001";
const B: &str = "53.07.01.2003";
const DISTRICT: &str = "53.07.01";

fn month() -> String {
    crate::common::today().to_string()[..7].to_string()
}

fn period() -> String {
    month().replace('-', "")
}

async fn person(app: &TestApp, serial: u32, village: &str) {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": format!("5307015205900{serial:03}"), "full_name": format!("Yohana Dhiu {serial}"), "sex": "P",
                    "birth_date": "1990-05-12", "village_code": village}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
}

/// Three people in A, two in B, a case in A.
async fn fixture(app: &TestApp) {
    for (serial, v) in [(1, A), (2, A), (3, A), (4, B), (5, B)] {
        person(app, serial, v).await;
    }
    let (s, c) = app
        .post_json(
            "/api/v1/cases",
            Some(&app.admin_token),
            &json!({"type": "unpaid_wages", "severity": "high", "description": "Gaji tidak dibayar", "village_code": A}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
}

/// GET with a token; status, headers, body text.
async fn get(app: &TestApp, path: &str, token: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let r = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

/// (orgUnit, dataElement) → value of a JSON data value set.
fn values(set: &Value) -> BTreeMap<(String, String), String> {
    set["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                (v["orgUnit"].as_str().unwrap().to_string(), v["dataElement"].as_str().unwrap().to_string()),
                v["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The structure DHIS2 documents for `/api/dataValueSets` JSON, as its classes
/// `org.hisp.dhis.dxf2.datavalueset.DataValueSet` and `…datavalue.DataValue` (dhis2-core) name
/// their properties: no other field, the monthly period `YYYYMM`, a numeric value as a string.
/// (DHIS2 publishes no JSON schema; this checks names, the period format and the values.)
fn assert_dhis2_json(set: &Value) {
    const SET: &[&str] = &[
        "idScheme",
        "dataElementIdScheme",
        "orgUnitIdScheme",
        "categoryOptionComboIdScheme",
        "dataSetIdScheme",
        "dryRun",
        "strategy",
        "dataSet",
        "completeDate",
        "period",
        "orgUnit",
        "attributeOptionCombo",
        "dataValues",
        "attributeCategoryOptions",
    ];
    const VALUE: &[&str] = &[
        "dataElement",
        "period",
        "orgUnit",
        "categoryOptionCombo",
        "attributeOptionCombo",
        "value",
        "storedBy",
        "created",
        "lastUpdated",
        "comment",
        "followup",
        "deleted",
    ];
    let top = set.as_object().expect("an object");
    for k in top.keys() {
        assert!(SET.contains(&k.as_str()), "unknown field {k}");
    }
    let p = top["period"].as_str().unwrap();
    assert!(p.len() == 6 && p.bytes().all(|b| b.is_ascii_digit()), "{p}");
    for v in top["dataValues"].as_array().unwrap() {
        for k in v.as_object().unwrap().keys() {
            assert!(VALUE.contains(&k.as_str()), "unknown data value field {k}");
        }
        for k in ["dataElement", "period", "orgUnit", "value"] {
            assert!(v[k].is_string(), "{k} in {v}");
        }
        assert_eq!(v["period"], p);
        assert!(v["value"].as_str().unwrap().parse::<i64>().is_ok(), "{v}");
    }
}

/// Validates an ADX document against the ADX schema (`adx_loose.xsd` of dhis2/adx, with the
/// SDMX common types it imports), offline.
fn assert_valid_adx(xml: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.adx.xml");
    std::fs::write(&file, xml).unwrap();
    let schema = format!("{}/tests/fixtures/dhis2/adx_loose.xsd", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", &schema])
        .arg(&file)
        .output()
        .expect("xmllint (Debian package libxml2-utils; scripts/test.sh installs it)");
    assert!(out.status.success(), "ADX not valid:\n{}\n{xml}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn export_sends_the_indicators_the_api_gives_in_json_and_valid_adx() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let m = month();

    let path = format!("/api/v1/dhis2/data-value-sets?within={DISTRICT}&level=village&period={m}");
    let (s, h, body) = get(&app, &path, &app.admin_token).await;
    assert_eq!(s, 200, "{body}");
    assert!(h["content-type"].to_str().unwrap().starts_with("application/json"));
    assert!(h.get("x-next-after").is_none(), "14 villages fit one page");
    let set: Value = serde_json::from_str(&body).unwrap();
    assert_dhis2_json(&set);
    assert_eq!(set["period"], period());
    assert_eq!(set["orgUnitIdScheme"], "CODE");
    let v = values(&set);
    let reg = |unit: &str| v.get(&(unit.to_string(), "DMP_PERSONS_REGISTERED".to_string())).cloned();
    assert_eq!(reg(A).as_deref(), Some("3"));
    assert_eq!(reg(B).as_deref(), Some("2"));
    assert_eq!(reg("53.07.01.2004").as_deref(), Some("0"), "a village without registrations sends a real 0");
    assert_eq!(v.get(&(A.to_string(), "DMP_CASES_OPENED".to_string())).map(String::as_str), Some("1"));
    // The same figures the indicators API gives the same account, for every value sent.
    let (s, ind) =
        app.get_json(&format!("/api/v1/indicators?region_code={A}&from={m}&to={m}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{ind}");
    let mut compared = 0;
    for i in ind["indicators"].as_array().unwrap() {
        let de = format!("DMP_{}", i["key"].as_str().unwrap().to_uppercase());
        match (&i["value"], v.get(&(A.to_string(), de.clone()))) {
            // Undefined (a share without departures): left out, never 0.
            (Value::Null, sent) => assert!(sent.is_none(), "{de} undefined but sent {sent:?}"),
            (n, Some(sent)) => {
                assert_eq!(sent, &n.to_string(), "{de}");
                compared += 1;
            }
            (n, None) => panic!("{de} = {n} in the API but not exported"),
        }
    }
    assert!(compared > 10, "{compared}");

    // ADX: the same values, valid against the schema.
    let (s, h, xml) = get(&app, &format!("{path}&format=adx&data_set=DMP_MONTHLY"), &app.admin_token).await;
    assert_eq!(s, 200, "{xml}");
    assert_eq!(h["content-type"], "application/adx+xml");
    assert!(h["content-disposition"].to_str().unwrap().contains(&format!("dhis2-{}.adx.xml", period())));
    assert!(xml.contains(&format!("<group orgUnit=\"{A}\" period=\"{m}-01/P1M\" dataSet=\"DMP_MONTHLY\">")), "{xml}");
    assert!(xml.contains("<dataValue dataElement=\"DMP_PERSONS_REGISTERED\" value=\"3\"/>"), "{xml}");
    assert_valid_adx(&xml);

    // Bounded: one village a page, the next page named in the headers, pages that join up.
    let (s, h, body) = get(&app, &format!("{path}&limit=1"), &app.admin_token).await;
    assert_eq!(s, 200, "{body}");
    let first: Value = serde_json::from_str(&body).unwrap();
    assert!(first["dataValues"].as_array().unwrap().iter().all(|d| d["orgUnit"] == A));
    assert_eq!(h["x-next-after"], A);
    let link = h["link"].to_str().unwrap().to_string();
    assert!(link.contains("after=53.07.01.2001") && link.ends_with("rel=\"next\""), "{link}");
    let next = link.trim_start_matches('<').split('>').next().unwrap().to_string();
    let (s, _, body) = get(&app, &next, &app.admin_token).await;
    assert_eq!(s, 200, "{body}");
    let second: Value = serde_json::from_str(&body).unwrap();
    assert!(second["dataValues"].as_array().unwrap().iter().all(|d| d["orgUnit"] == B), "{second}");

    // A past month: flows of that month only (nothing registered then), no stock.
    let (s, _, body) =
        get(&app, &format!("/api/v1/dhis2/data-value-sets?within={A}&period=2024-01"), &app.admin_token).await;
    assert_eq!(s, 200, "{body}");
    let old = values(&serde_json::from_str(&body).unwrap());
    assert_eq!(old.get(&(A.to_string(), "DMP_PERSONS_REGISTERED".into())).map(String::as_str), Some("0"));
    assert!(!old.keys().any(|(_, de)| de == "DMP_DESMIGRATIF_VILLAGES"), "stocks only for the current month");

    // Bad input names the field.
    for (q, field) in [
        ("period=2026-13", "period"),
        ("period=2015-12", "period"),
        ("within=53.7", "within"),
        ("within=53.07&level=province", "level"),
        ("format=csv", "format"),
        ("limit=5000", "limit"),
        ("id_scheme=name", "id_scheme"),
    ] {
        let (s, b) = app.get_json(&format!("/api/v1/dhis2/data-value-sets?{q}"), Some(&app.admin_token)).await;
        assert_eq!(s, 422, "{q}: {b}");
        assert_eq!(b["errors"][0]["field"], field, "{q}: {b}");
    }

    // The dashboard's download button: the same export behind the session.
    let browser = Browser::new(&app);
    browser.login("admin", crate::common::ADMIN_PASSWORD).await;
    let (s, html) = browser.get(&format!("/monitoring/{DISTRICT}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("/monitoring/{DISTRICT}/dhis2?period={m}&amp;level=village&amp;format=adx")),
        "{html}"
    );
    let r = browser
        .client
        .get(app.url(&format!("/monitoring/{DISTRICT}/dhis2?period={m}&level=village&format=adx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_valid_adx(&r.text().await.unwrap());
}

#[tokio::test]
async fn withheld_cells_are_left_out_and_scope_is_refused() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let path = format!("/api/v1/dhis2/data-value-sets?within={DISTRICT}&level=village&period={}", month());
    // A partner sees no case figure of a village: the cell is absent, not 0; the rest is sent.
    let (_, partner) = app.partner_account("mitra", None).await;
    let (s, _, body) = get(&app, &path, &partner).await;
    assert_eq!(s, 200, "{body}");
    let v = values(&serde_json::from_str(&body).unwrap());
    assert_eq!(v.get(&(A.to_string(), "DMP_PERSONS_REGISTERED".into())).map(String::as_str), Some("3"));
    assert!(!v.keys().any(|(_, de)| de.starts_with("DMP_CASES")), "{v:?}");
    let (_, _, adx) = get(&app, &format!("{path}&format=adx"), &partner).await;
    assert!(!adx.contains("DMP_CASES"), "{adx}");
    assert_valid_adx(&adx);

    // An officer of another regency, and a village officer asking for its whole district.
    let other = app.user_token("officer35", "regency_officer", Some("35.12")).await;
    let (s, _, body) = get(&app, &path, &other).await;
    assert_eq!(s, 403, "{body}");
    let village = app.user_token("desa", "village_officer", Some(A)).await;
    let (s, _, _) = get(&app, &path, &village).await;
    assert_eq!(s, 403);
    let (s, _, _) = get(&app, "/api/v1/dhis2/data-value-sets", &village).await;
    assert_eq!(s, 403, "the nation needs a national scope");
    let (s, _, body) = get(&app, &format!("/api/v1/dhis2/data-value-sets?within={A}"), &village).await;
    assert_eq!(s, 200, "its own village: {body}");
    let own = values(&serde_json::from_str(&body).unwrap());
    assert!(own.keys().all(|(u, _)| u == A));
    let (s, _) = app.get_json(&path, None).await;
    assert_eq!(s, 401);
}

fn org_units_file() -> Value {
    json!({"system": {"version": "2.41"}, "organisationUnits": [
        {"id": "IdnCountry1", "name": "Indonesia", "level": 1},
        {"id": "NttProvince", "code": "53", "name": "Nusa Tenggara Timur", "level": 2, "parent": {"id": "IdnCountry1"}},
        {"id": "SikkaRegncy", "code": "5307", "name": "Sikka", "level": 3, "parent": {"id": "NttProvince"}},
        {"id": "EndeRegency", "code": "53.08", "name": "Ende", "level": 3, "parent": {"id": "NttProvince"}},
        {"id": "AlokDistrct", "code": "530701", "name": "Alok", "level": 4, "parent": {"id": "SikkaRegncy"}},
        {"id": "MasabewaVil", "code": "5307012001", "name": "Masabewa", "level": 5, "parent": {"id": "AlokDistrct"}},
        // Wolowiro under Ende in this DHIS2: not our parent.
        {"id": "WolowiroVil", "code": "5307012003", "name": "Wolowiro", "level": 5, "parent": {"id": "EndeRegency"}},
        {"id": "Puskesmas01", "code": "PKM-ALOK", "name": "Puskesmas Alok", "level": 5, "parent": {"id": "AlokDistrct"}},
        {"id": "UnknownVil1", "code": "5307019999", "name": "Desa Baru", "level": 5, "parent": {"id": "AlokDistrct"}}
    ]})
}

async fn import(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    app.post_json("/api/v1/dhis2/org-units", Some(token), body).await
}

#[tokio::test]
async fn org_unit_import_matches_reports_and_is_idempotent_then_exports_by_uid() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let (s, r) = import(&app, &app.admin_token, &org_units_file()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["units"], 9);
    assert_eq!(r["matched"], 5, "53, 53.07, 53.08, 53.07.01, A: {r}");
    assert_eq!(r["written"], 5);
    assert_eq!(r["unmatched"], 3, "the country, a health centre, a code we do not have: {r}");
    let unmatched: Vec<&str> =
        r["unmatched_units"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(unmatched, ["IdnCountry1", "Puskesmas01", "UnknownVil1"]);
    assert_eq!(r["conflicting"], 1);
    assert_eq!(
        r["conflicts"][0],
        json!({"id": "WolowiroVil", "code": "5307012003", "name": "Wolowiro", "their_parent": "53.08",
               "our_parent": "53.07.01", "reason": "parent_differs"})
    );

    // Again: nothing changes.
    let (s, again) = import(&app, &app.admin_token, &org_units_file()).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(
        (again["matched"].as_i64(), again["written"].as_i64(), again["unchanged"].as_i64()),
        (Some(5), Some(0), Some(5))
    );
    let audited: Vec<(String,)> = store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT details FROM audit_log WHERE action = 'dhis2.import_org_units' ORDER BY seq").fetch_all(p).await)
    .unwrap();
    assert_eq!(audited.len(), 2);
    assert!(audited[0].0.contains("matched=5") && audited[0].0.contains("conflicting=1"), "{audited:?}");

    // By uid: the matched village by its uid; the conflicting one has none and is counted.
    let path = format!("/api/v1/dhis2/data-value-sets?within={DISTRICT}&level=village&period={}", month());
    let (s, h, body) = get(&app, &format!("{path}&id_scheme=uid"), &app.admin_token).await;
    assert_eq!(s, 200, "{body}");
    let set: Value = serde_json::from_str(&body).unwrap();
    assert_dhis2_json(&set);
    assert_eq!(set["orgUnitIdScheme"], "UID");
    let v = values(&set);
    assert_eq!(v.get(&("MasabewaVil".into(), "DMP_PERSONS_REGISTERED".into())).map(String::as_str), Some("3"));
    assert!(v.keys().all(|(u, _)| u == "MasabewaVil"), "{v:?}");
    assert_eq!(h["x-dhis2-without-uid"], "13");
    let (_, _, adx) = get(&app, &format!("{path}&id_scheme=uid&format=adx"), &app.admin_token).await;
    assert!(adx.contains("<group orgUnit=\"MasabewaVil\""), "{adx}");
    assert_valid_adx(&adx);
    // By code: DHIS2's own spelling where imported, ours elsewhere.
    let (_, _, body) = get(&app, &path, &app.admin_token).await;
    let v = values(&serde_json::from_str(&body).unwrap());
    assert!(v.contains_key(&("5307012001".into(), "DMP_PERSONS_REGISTERED".into())), "{v:?}");
    assert!(v.contains_key(&(B.into(), "DMP_PERSONS_REGISTERED".into())), "{v:?}");

    // Only national admins import; bad files name the field.
    let officer = app.user_token("prov", "province_officer", Some("53")).await;
    let (s, _) = import(&app, &officer, &org_units_file()).await;
    assert_eq!(s, 403);
    let (s, b) = import(&app, &app.admin_token, &json!({"organisationUnits": [{"id": "short", "code": "53"}]})).await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "organisationUnits[0].id");
    let (s, b) = import(&app, &app.admin_token, &json!({"dataValues": []})).await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "organisationUnits");
}

#[tokio::test]
async fn data_element_mapping_is_kept_by_national_admins_and_used_by_the_export() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let (s, list) = app.get_json("/api/v1/dhis2/data-elements", Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    let reg = items.iter().find(|i| i["indicator"] == "persons_registered").unwrap();
    assert_eq!((reg["data_element"].as_str(), reg["default"].as_bool()), (Some("DMP_PERSONS_REGISTERED"), Some(true)));

    let body = json!({"items": [{"indicator": "persons_registered", "data_element": "PMI_REG", "category_option_combo": "HllvX50cXC0"}]});
    let (s, saved) = app.put_json("/api/v1/dhis2/data-elements", &app.admin_token, &body).await;
    assert_eq!(s, 200, "{saved}");
    let reg =
        saved["items"].as_array().unwrap().iter().find(|i| i["indicator"] == "persons_registered").unwrap().clone();
    assert_eq!((reg["data_element"].as_str(), reg["default"].as_bool()), (Some("PMI_REG"), Some(false)));
    let (_, _, body) =
        get(&app, &format!("/api/v1/dhis2/data-value-sets?within={A}&period={}", month()), &app.admin_token).await;
    let set: Value = serde_json::from_str(&body).unwrap();
    let sent = set["dataValues"].as_array().unwrap().iter().find(|d| d["dataElement"] == "PMI_REG").unwrap();
    assert_eq!((sent["value"].as_str(), sent["categoryOptionCombo"].as_str()), (Some("3"), Some("HllvX50cXC0")));

    // Two indicators on one data element, an unknown indicator, a code with a space: refused.
    let bad = json!({"items": [
        {"indicator": "returns", "data_element": "DMP_DEPARTURES"},
        {"indicator": "no_such_thing", "data_element": "X"},
        {"indicator": "departures", "data_element": "HAS SPACE"}]});
    let (s, b) = app.put_json("/api/v1/dhis2/data-elements", &app.admin_token, &bad).await;
    assert_eq!(s, 422, "{b}");
    let fields: Vec<&str> = b["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"items[1].indicator") && fields.contains(&"items[2].data_element"), "{fields:?}");
    let dup = json!({"items": [{"indicator": "returns", "data_element": "DMP_DEPARTURES"}]});
    let (s, b) = app.put_json("/api/v1/dhis2/data-elements", &app.admin_token, &dup).await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["rule"], "taken", "{b}");

    let analyst = app.user_token("analis", "national_analyst", None).await;
    let (s, _) = app.put_json("/api/v1/dhis2/data-elements", &analyst, &json!({"items": []})).await;
    assert_eq!(s, 403);
    // Back to the defaults; audited each time.
    let (s, _) = app.put_json("/api/v1/dhis2/data-elements", &app.admin_token, &json!({"items": []})).await;
    assert_eq!(s, 200);
    let n: (i64,) = store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'dhis2.data_elements'").fetch_one(p).await)
    .unwrap();
    assert_eq!(n.0, 2);
}
