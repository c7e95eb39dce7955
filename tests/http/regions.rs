//! Region hierarchy and village designation over the API.

use crate::common::{TestApp, region_rows};
use serde_json::json;

#[tokio::test]
async fn region_contract_and_children() {
    let app = TestApp::spawn().await;
    let t = Some(app.admin_token.as_str());
    let (s, r) = app.get_json("/api/v1/regions/53.07", t).await;
    assert_eq!(s, 200);
    assert_eq!(r, json!({"code": "53.07", "name": "Kabupaten Sikka", "level": "regency", "parent_code": "53"}));

    let (_, p) = app.get_json("/api/v1/regions/53", t).await;
    assert_eq!(p["level"], "province");
    assert_eq!(p["parent_code"], serde_json::Value::Null);

    // Children: every district of Sikka in the vendored file, and nothing else.
    let mut expected: Vec<String> =
        region_rows("districts.csv").into_iter().filter(|r| r[1] == "53.07").map(|r| r[0].clone()).collect();
    expected.sort();
    let (s, c) = app.get_json("/api/v1/regions/53.07/children", t).await;
    assert_eq!(s, 200);
    let got: Vec<String> =
        c["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, expected);
    assert!(c["items"].as_array().unwrap().iter().all(|i| i["level"] == "district" && i["parent_code"] == "53.07"));

    let (_, provinces) = app.get_json("/api/v1/regions", t).await;
    assert_eq!(provinces["items"].as_array().unwrap().len(), region_rows("provinces.csv").len());

    let village = region_rows("villages.csv").into_iter().find(|r| r[1].starts_with("53.07.")).unwrap();
    let (_, v) = app.get_json(&format!("/api/v1/regions/{}", village[0]), t).await;
    assert_eq!(v["level"], "village");
    assert_eq!(v["name"], village[2].as_str());
    let (_, leaf) = app.get_json(&format!("/api/v1/regions/{}/children", village[0]), t).await;
    assert_eq!(leaf["items"], json!([]));

    for unknown in ["99", "53.99", "53.07.99.9999", "abc", "53.7", "53.07.01.2001.1"] {
        let (s, body) = app.get_json(&format!("/api/v1/regions/{unknown}"), t).await;
        assert_eq!(s, 404, "{unknown}");
        assert_eq!(body["error"], "not_found");
        assert_eq!(app.get_json(&format!("/api/v1/regions/{unknown}/children"), t).await.0, 404);
    }
}

#[tokio::test]
async fn search_tolerates_case_and_partial_words() {
    let app = TestApp::spawn().await;
    let t = Some(app.admin_token.as_str());
    for q in ["sikka", "SIKKA", "Sik", "kab sikka", "sikka  kabupaten"] {
        let (s, r) = app.get_json(&format!("/api/v1/regions/search?q={}", q.replace(' ', "+")), t).await;
        assert_eq!(s, 200);
        let codes: Vec<&str> = r["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"53.07"), "{q}: {codes:?}");
    }
    let (_, r) = app.get_json("/api/v1/regions/search?q=sikka&level=regency", t).await;
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["path"], json!(["Nusa Tenggara Timur"]));
    // Wildcards typed by a user are literal.
    let (_, r) = app.get_json("/api/v1/regions/search?q=%25%25", t).await;
    assert_eq!(r["items"], json!([]));
    let (s, r) = app.get_json("/api/v1/regions/search?q=", t).await;
    assert_eq!(s, 422);
    assert_eq!(r["errors"][0]["field"], "q");
    assert_eq!(app.get_json("/api/v1/regions/search?q=a&level=planet", t).await.0, 422);
}

#[tokio::test]
async fn designation_contract() {
    let app = TestApp::spawn().await;
    let t = app.admin_token.clone();
    let v = "53.07.01.2001";
    let (_, before) = app.get_json(&format!("/api/v1/villages/{v}"), Some(&t)).await;
    assert_eq!(before["desmigratif"], false);
    assert_eq!(before["cohort_year"], serde_json::Value::Null);
    assert_eq!(before["pocket_village"], false);

    let (s, after) = app.designate(v, 2017).await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(after["desmigratif"], true);
    assert_eq!(after["cohort_year"], 2017);
    assert_eq!(after["pocket_village"], true);
    let (_, again) = app.get_json(&format!("/api/v1/villages/{v}"), Some(&t)).await;
    assert_eq!(again["cohort_year"], 2017);
    assert_eq!(again["programs"][0]["program_code"], "desmigratif");

    // Bad input: each names the field; nothing changes.
    let bad = [
        (json!({"desmigratif": true, "pocket_village": false}), "cohort_year", "required"),
        (json!({"desmigratif": true, "cohort_year": 2015}), "cohort_year", "out_of_range"),
        (json!({"desmigratif": "yes", "cohort_year": 2018}), "desmigratif", "format"),
    ];
    for (body, field, rule) in bad {
        let (s, r) = app.put_json(&format!("/api/v1/villages/{v}/designation"), &t, &body).await;
        assert_eq!(s, 422, "{body}: {r}");
        assert_eq!(r["errors"][0]["field"], field, "{r}");
        assert_eq!(r["errors"][0]["rule"], rule, "{r}");
    }
    let (_, unchanged) = app.get_json(&format!("/api/v1/villages/{v}"), Some(&t)).await;
    assert_eq!(unchanged["cohort_year"], 2017);
    assert_eq!(unchanged["pocket_village"], true);

    // Not a village, or unknown: 404.
    assert_eq!(app.put_json("/api/v1/villages/53.07/designation", &t, &json!({"desmigratif": false})).await.0, 404);
    assert_eq!(
        app.put_json("/api/v1/villages/53.07.01.9999/designation", &t, &json!({"desmigratif": false})).await.0,
        404
    );
    assert_eq!(app.get_json("/api/v1/villages/53.07", Some(&t)).await.0, 404);

    // Un-designating keeps the pocket flag as sent.
    let (_, off) = app
        .put_json(
            &format!("/api/v1/villages/{v}/designation"),
            &t,
            &json!({"desmigratif": false, "pocket_village": true}),
        )
        .await;
    assert_eq!(off["desmigratif"], false);
    assert_eq!(off["cohort_year"], serde_json::Value::Null);
    assert_eq!(off["pocket_village"], true);
}

#[tokio::test]
async fn programs_are_records_a_village_can_join() {
    let app = TestApp::spawn().await;
    let t = app.admin_token.clone();
    let (_, list) = app.get_json("/api/v1/programs", Some(&t)).await;
    let codes: Vec<&str> = list["items"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes[0], "desmigratif");
    assert!(codes.contains(&"desa-migran-emas"));
    let body = json!({"code": "desa-wisata", "name": "Desa Wisata", "institution": "Kemenparekraf", "criteria": ""});
    let (s, p) = app.post_json("/api/v1/programs", Some(&t), &body).await;
    assert_eq!(s, 201, "{p}");
    let (s, r) = app.post_json("/api/v1/programs", Some(&t), &body).await;
    assert_eq!(s, 422);
    assert_eq!(r["errors"][0]["rule"], "taken");
}
