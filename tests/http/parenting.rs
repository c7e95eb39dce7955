//! Community parenting (issue 6): the children contract, bad input refused whole, the
//! restriction matrix (role × in/out of scope → name visible / counts only / 404), audit of
//! every view of a child, activities with attendance, and a concern that opens a restricted case.

use crate::common::{Browser, TestApp};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OTHER: &str = "53.07.02.2001";
const CHILD_NAME: &str = "Agnes Wangge";

fn days_ago(n: i64) -> String {
    (crate::common::today() - time::Duration::days(n)).to_string()
}

fn years_ago(years: i32, extra_days: i64) -> String {
    let today = crate::common::today();
    let d = today
        .replace_year(today.year() - years)
        .unwrap_or(today.replace_day(28).unwrap().replace_year(today.year() - years).unwrap());
    (d + time::Duration::days(extra_days)).to_string()
}

fn fields(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| (e["field"].as_str().unwrap().to_string(), e["rule"].as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Registers Maria (HOME, a returned migrant mother) and Yosef (OTHER); returns their ids.
async fn parents(app: &TestApp) -> (i64, i64) {
    let (s, maria) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P", "birth_date": "1990-05-12", "village_code": HOME}),
        )
        .await;
    assert_eq!(s, 201, "{maria}");
    let (s, yosef) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": "5307010103850002", "full_name": "Yosef Wangge", "sex": "L", "birth_date": "1985-03-01",
                    "village_code": OTHER, "confirm_warnings": true}),
        )
        .await;
    assert_eq!(s, 201, "{yosef}");
    (maria["id"].as_i64().unwrap(), yosef["id"].as_i64().unwrap())
}

fn child(parent: i64) -> Value {
    json!({"full_name": CHILD_NAME, "birth_date": years_ago(10, 0), "sex": "P", "village_code": HOME,
           "parent_person_ids": [parent], "caregiver": "grandparent"})
}

#[tokio::test]
async fn children_contract_and_bad_input() {
    let app = TestApp::spawn().await;
    let (maria, yosef) = parents(&app).await;
    let fac = app.user_token("fasilitator", "facilitator", Some(HOME)).await;

    let (s, c) = app.post_json("/api/v1/children", Some(&fac), &child(maria)).await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_i64().expect("id");
    assert_eq!(c["full_name"], CHILD_NAME);
    assert_eq!(c["parent_person_ids"], json!([maria]));
    assert_eq!(c["caregiver"], "grandparent");
    assert_eq!(c["age"], 10);
    let (s, got) = app.get_json(&format!("/api/v1/children/{id}"), Some(&fac)).await;
    assert_eq!(s, 200);
    assert_eq!(got["parents"][0]["full_name"], "Maria Goreti");

    // A child older than 18 (19 today) is refused on birth_date; exactly 18 is accepted.
    let mut old = child(maria);
    old["birth_date"] = json!(years_ago(19, 0));
    let (s, r) = app.post_json("/api/v1/children", Some(&fac), &old).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&r), [("birth_date".to_string(), "out_of_range".to_string())]);
    let mut eighteen = child(maria);
    eighteen["birth_date"] = json!(years_ago(19, 1));
    assert_eq!(app.post_json("/api/v1/children", Some(&fac), &eighteen).await.0, 201);

    // A parent outside the facilitator's region is refused, naming the field, whether or not
    // the person exists.
    for bad in [yosef, 999_999] {
        let (s, r) = app.post_json("/api/v1/children", Some(&fac), &child(bad)).await;
        assert_eq!(s, 422, "{r}");
        assert_eq!(fields(&r), [("parent_person_ids".to_string(), "mismatch".to_string())]);
    }
    let mut none = child(maria);
    none["parent_person_ids"] = json!([]);
    none["caregiver"] = json!("uncle");
    let (_, r) = app.post_json("/api/v1/children", Some(&fac), &none).await;
    let f: Vec<String> = fields(&r).into_iter().map(|(f, _)| f).collect();
    assert_eq!(f, ["parent_person_ids", "caregiver"]);
    // Another village is outside the facilitator's region.
    let mut other = child(maria);
    other["village_code"] = json!(OTHER);
    let (s, r) = app.post_json("/api/v1/children", Some(&fac), &other).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&r), [("village_code".to_string(), "mismatch".to_string())]);
    // Nothing half-saved: two children, each with one parent.
    let (_, list) = app.get_json("/api/v1/children", Some(&fac)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    assert_eq!(list["counts"][0]["children"], 2);
    // Schooling changes: dropped out shows in the counts; a contradiction is refused by field.
    let status = format!("/api/v1/children/{id}/status");
    let (s, r) = app
        .post_json(
            &status,
            Some(&fac),
            &json!({"school_level": "junior", "school_status": "dropped_out", "birth_certificate": true}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["school_status"].as_str(), r["birth_certificate"].as_bool()), (Some("dropped_out"), Some(true)));
    let (s, r) = app.post_json(&status, Some(&fac), &json!({"school_level": "junior", "school_status": "never"})).await;
    assert_eq!((s, fields(&r)), (422, vec![("school_level".to_string(), "mismatch".to_string())]));
    let (_, list) = app.get_json(&format!("/api/v1/children?village={HOME}"), Some(&fac)).await;
    assert_eq!(
        (list["counts"][0]["dropped_out"].as_i64(), list["counts"][0]["birth_certificate"].as_i64()),
        (Some(1), Some(1))
    );
    // Roles that may not see children's names may not register them, nor change them.
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    assert_eq!(app.post_json(&status, Some(&officer), &json!({"school_status": "enrolled"})).await.0, 404);
    assert_eq!(app.post_json("/api/v1/children", Some(&officer), &child(maria)).await.0, 403);
    assert_eq!(app.post_json("/api/v1/children", None, &child(maria)).await.0, 401);
}

#[tokio::test]
async fn restriction_matrix_and_audit_of_child_views() {
    let app = TestApp::spawn().await;
    let (maria, _) = parents(&app).await;
    let (s, c) = app.post_json("/api/v1/children", Some(&app.admin_token), &child(maria)).await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_i64().unwrap();

    // (username, role, scope, sees the name, sees counts of HOME)
    let matrix: &[(&str, &str, Option<&str>, bool, bool)] = &[
        ("analis", "national_analyst", None, false, true),
        ("prov_ntt", "province_officer", Some("53"), true, true),
        ("prov_jatim", "province_officer", Some("35"), false, false),
        ("kab_sikka", "regency_officer", Some("53.07"), true, true),
        ("kab_lain", "regency_officer", Some("53.10"), false, false),
        ("kades", "village_head", Some(HOME), true, true),
        ("kades_lain", "village_head", Some(OTHER), false, false),
        ("petugas", "village_officer", Some(HOME), false, true),
        ("koperasi", "cooperative_manager", Some(HOME), false, true),
        ("fasilitator", "facilitator", Some(HOME), true, true),
        ("fasilitator_lain", "facilitator", Some(OTHER), false, false),
        ("mitra", "partner", Some("53"), false, false),
    ];
    for (user, role, scope, names, counts) in matrix {
        let token = app.user_token(user, role, *scope).await;
        let (s, body) = app.get_json(&format!("/api/v1/children/{id}"), Some(&token)).await;
        assert_eq!(s, if *names { 200 } else { 404 }, "{user} GET child: {body}");
        if *names {
            assert_eq!(body["full_name"], CHILD_NAME, "{user}");
        } else {
            assert!(!body.to_string().contains(CHILD_NAME), "{user} learns nothing");
        }
        let (s, list) = app.get_json("/api/v1/children", Some(&token)).await;
        if *role == "partner" {
            assert_eq!(s, 403, "partners see no children at all");
            continue;
        }
        assert_eq!(s, 200, "{user}: {list}");
        let text = list.to_string();
        // Names are a matter of role; out of scope there are simply none to show.
        let role_names = matches!(*role, "province_officer" | "regency_officer" | "village_head" | "facilitator");
        assert_eq!(list["names_visible"], json!(role_names), "{user}");
        assert_eq!(text.contains(CHILD_NAME), *names, "{user} list names");
        let home_count = list["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["village_code"] == HOME)
            .map(|v| v["children"].clone());
        assert_eq!(home_count, counts.then(|| json!(1)), "{user} counts");
        // The children page agrees: names or a count, never both for the wrong role.
        let b = Browser::new(&app);
        b.login(user, "a-long-password").await;
        let (s, html) = b.get("/children").await;
        assert_eq!(s, 200, "{user} /children");
        assert_eq!(html.contains(CHILD_NAME), *names, "{user} page names");
        if *counts {
            // The village by its name, not only "53.07.01.2001".
            assert!(html.contains("Masabewa"), "{user} village named");
        }
        let (s, _) = b.get(&format!("/children/{id}")).await;
        assert_eq!(s, if *names { 200 } else { 404 }, "{user} child page");
    }

    // Every view of the child's record is audited (API and page alike); refused reads are not views.
    let (_, log) =
        app.get_json(&format!("/api/v1/audit?action=child.view&entity_id={id}"), Some(&app.admin_token)).await;
    let actors: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["actor"].as_str().unwrap()).collect();
    for who in ["prov_ntt", "kab_sikka", "kades", "fasilitator"] {
        assert_eq!(actors.iter().filter(|a| **a == who).count(), 2, "{who} viewed twice: {actors:?}");
    }
    for who in ["analis", "petugas", "koperasi", "fasilitator_lain", "mitra"] {
        assert!(!actors.contains(&who), "{who} saw nothing");
    }
    let (_, log) = app.get_json("/api/v1/audit?action=child.list", Some(&app.admin_token)).await;
    let actors: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["actor"].as_str().unwrap()).collect();
    assert!(actors.contains(&"fasilitator") && !actors.contains(&"petugas"), "{actors:?}");
    // The audit log never carries the child's name.
    let (_, all) = app.get_json("/api/v1/audit?limit=500", Some(&app.admin_token)).await;
    assert!(!all.to_string().contains(CHILD_NAME));
}

#[tokio::test]
async fn activities_attendance_and_a_concern_that_opens_a_restricted_case() {
    let app = TestApp::spawn().await;
    let (maria, yosef) = parents(&app).await;
    let fac = app.user_token("fasilitator", "facilitator", Some(HOME)).await;
    let (_, c) = app.post_json("/api/v1/children", Some(&fac), &child(maria)).await;
    let child_id = c["id"].as_i64().unwrap();

    let activity = json!({"village_code": HOME, "kind": "parenting_class", "title": "Pola asuh", "held_on": days_ago(3),
                          "ends_on": days_ago(2), "place": "Posyandu", "facilitator": "Ibu Maria"});
    let (s, a) = app.post_json("/api/v1/parenting-activities", Some(&fac), &activity).await;
    assert_eq!(s, 201, "{a}");
    let aid = a["id"].as_i64().unwrap();
    let url = format!("/api/v1/parenting-activities/{aid}/attendance");
    let (s, r) = app.post_json(&url, Some(&fac), &json!({"child_id": child_id, "date": days_ago(2)})).await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = app.post_json(&url, Some(&fac), &json!({"person_id": maria, "date": days_ago(3)})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["children"], 1);
    assert_eq!(r["caregivers"], 1);
    assert_eq!(r["child_attendance"][0]["full_name"], CHILD_NAME);
    // A date outside the activity, and a caregiver outside the region, are refused by field.
    for day in [days_ago(4), days_ago(1)] {
        let (s, r) = app.post_json(&url, Some(&fac), &json!({"child_id": child_id, "date": day})).await;
        assert_eq!(s, 422);
        assert_eq!(fields(&r), [("date".to_string(), "out_of_range".to_string())]);
    }
    let (s, r) = app.post_json(&url, Some(&fac), &json!({"person_id": yosef, "date": days_ago(3)})).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&r), [("person_id".to_string(), "one_of".to_string())]);
    let (_, r) = app.get_json(&format!("/api/v1/parenting-activities/{aid}"), Some(&fac)).await;
    assert_eq!(r["child_attendance"].as_array().unwrap().len(), 1, "nothing half-saved");
    // A village officer sees the activity and its counts but no names, and may not take attendance.
    let officer = app.user_token("petugas", "village_officer", Some(HOME)).await;
    let (s, r) = app.get_json(&format!("/api/v1/parenting-activities/{aid}"), Some(&officer)).await;
    assert_eq!(s, 200);
    assert_eq!(r["names_visible"], false);
    assert!(!r.to_string().contains(CHILD_NAME));
    assert_eq!(app.post_json(&url, Some(&officer), &json!({"child_id": child_id, "date": days_ago(2)})).await.0, 403);
    let (_, counts) =
        app.get_json(&format!("/api/v1/parenting/counts?village={HOME}&from={}", days_ago(7)), Some(&officer)).await;
    assert_eq!(counts["villages"][0]["reached"], 1, "{counts}");
    assert_eq!(counts["villages"][0]["activities"], 1);

    // A concern opens a restricted protection case through the cases service.
    let (s, r) = app
        .post_json(
            &format!("/api/v1/children/{child_id}/concerns"),
            Some(&fac),
            &json!({"kind": "child_labour", "description": "Bekerja di kebun setiap hari sekolah"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let case_id = r["case_id"].as_i64().unwrap();
    let (s, case) = app.get_json(&format!("/api/v1/cases/{case_id}"), Some(&fac)).await;
    assert_eq!(s, 200, "{case}");
    assert_eq!(case["restricted"], true);
    assert_eq!(case["severity"], "high");
    assert_eq!(case["village_code"], HOME);
    assert!(!case.to_string().contains(CHILD_NAME), "the case names the child by id only");
    // Supervisors open it; the village officer and head do not, and get no count of it.
    let regency = app.user_token("kab_sikka", "regency_officer", Some("53.07")).await;
    assert_eq!(app.get_json(&format!("/api/v1/cases/{case_id}"), Some(&regency)).await.0, 200);
    assert_eq!(app.get_json(&format!("/api/v1/cases/{case_id}"), Some(&officer)).await.0, 404);
    let (_, list) = app.get_json("/api/v1/cases", Some(&officer)).await;
    assert_eq!(list["restricted_not_shown"], 0, "{list}");
    // Case list pages never carry the child's name.
    let b = Browser::new(&app);
    b.login("kab_sikka", "a-long-password").await;
    let (_, html) = b.get("/cases").await;
    assert!(html.contains(&format!("/cases/{case_id}")), "the supervisor sees the case");
    assert!(!html.contains(CHILD_NAME));
    // The child's record lists the concern with its case.
    let (_, c) = app.get_json(&format!("/api/v1/children/{child_id}"), Some(&fac)).await;
    assert_eq!(c["concerns"][0]["case_id"], case_id);
    assert_eq!(c["concerns"][0]["kind"], "child_labour");
    // A bad concern is refused by field, and opens no case.
    let (s, r) = app
        .post_json(
            &format!("/api/v1/children/{child_id}/concerns"),
            Some(&fac),
            &json!({"kind": "noise", "description": ""}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&r).into_iter().map(|(f, _)| f).collect::<Vec<_>>(), ["kind", "description"]);
    let (_, list) = app.get_json("/api/v1/cases", Some(&regency)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}
