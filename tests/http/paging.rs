//! Paging of lists that used to be answered whole (issue 18, pages track): the per-village
//! children counts come in village code order, `limit` at a time, with `next_after` to continue.

use crate::common::TestApp;
use serde_json::{Value, json};

const VILLAGES: [&str; 3] = ["53.07.01.2001", "53.07.01.2003", "53.07.01.2004"];

fn codes(page: &Value) -> Vec<String> {
    page["villages"].as_array().unwrap().iter().map(|v| v["village_code"].as_str().unwrap().to_string()).collect()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn children_counts_are_paged_in_village_order() {
    let app = TestApp::spawn().await;
    let ten_years_ago = (crate::common::today() - time::Duration::days(3650)).to_string();
    // One mother and one child in each of three villages.
    for (i, village) in VILLAGES.iter().enumerate() {
        let (s, mother) = app
            .post_json(
                "/api/v1/persons",
                Some(&app.admin_token),
                &json!({"nik": format!("530701520590000{}", i + 1), "full_name": format!("Ibu Desa {i}"), "sex": "P",
                        "birth_date": "1990-05-12", "village_code": village, "confirm_warnings": true}),
            )
            .await;
        assert_eq!(s, 201, "{mother}");
        let (s, c) = app
            .post_json(
                "/api/v1/children",
                Some(&app.admin_token),
                &json!({"full_name": format!("Anak Desa {i}"), "birth_date": ten_years_ago, "sex": "P",
                        "village_code": village, "parent_person_ids": [mother["id"]], "caregiver": "grandparent"}),
            )
            .await;
        assert_eq!(s, 201, "{c}");
    }

    let (s, first) = app.get_json("/api/v1/parenting/counts?limit=2", Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(codes(&first), VILLAGES[..2]);
    assert_eq!(first["villages"][0]["children"], 1);
    assert_eq!(first["next_after"], VILLAGES[1]);

    let (s, second) =
        app.get_json(&format!("/api/v1/parenting/counts?limit=2&after={}", VILLAGES[1]), Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{second}");
    assert_eq!(codes(&second), VILLAGES[2..]);
    assert_eq!(second["next_after"], Value::Null, "the last page says so");

    // Without paging arguments the first page holds all three (default 100 villages).
    let (_, all) = app.get_json("/api/v1/parenting/counts", Some(&app.admin_token)).await;
    assert_eq!(codes(&all), VILLAGES);
    assert_eq!(all["next_after"], Value::Null);

    // Out-of-range page size and a cursor that is not a region code are refused by name.
    let (s, bad) = app.get_json("/api/v1/parenting/counts?limit=501&after=drop", Some(&app.admin_token)).await;
    assert_eq!(s, 422, "{bad}");
    assert_eq!(fields(&bad), ["limit", "after"]);

    // The enterprise counts page the same way.
    let (s, e) = app.get_json("/api/v1/enterprise/counts?limit=1", Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["next_after"], Value::Null);
    let (s, bad) = app.get_json("/api/v1/enterprise/counts?limit=0", Some(&app.admin_token)).await;
    assert_eq!(s, 422, "{bad}");
    assert_eq!(fields(&bad), ["limit"]);
}

/// The person page's agency choices come from a copy the server shares between views: an
/// agency registered after a view is offered on the next one, not after the copy expires.
#[tokio::test]
async fn person_page_offers_an_agency_registered_since_the_last_view() {
    let app = TestApp::spawn().await;
    let (s, person) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P",
                    "birth_date": "1990-05-12", "village_code": VILLAGES[0]}),
        )
        .await;
    assert_eq!(s, 201, "{person}");
    let page = format!("/persons/{}", person["id"]);
    app.create_user("petugas", "village_officer", Some(VILLAGES[0])).await;
    let b = crate::common::Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, before) = b.get(&page).await;
    assert_eq!(s, 200);
    assert!(!before.contains("PT Baru Sejahtera"));

    let (s, agency) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT Baru Sejahtera", "licence_number": "KEP.9/2024",
                    "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{agency}");
    let (_, after) = b.get(&page).await;
    assert!(after.contains(&format!("<option value=\"{}\">PT Baru Sejahtera (KEP.9", agency["id"])), "offered at once");
}
