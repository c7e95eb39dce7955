//! Productive enterprise (issue 6): trainings with attendance per day, businesses with monthly
//! reports (refused when closed, before the start or in the future), remittances and the
//! productive share, equipment not in use, mentoring, scope, exports without hidden names.

use crate::common::{Browser, TestApp};
use serde_json::{Value, json};

const HOME: &str = "53.07.01.2001";
const OTHER: &str = "53.07.02.2001";

fn days_ago(n: i64) -> String {
    (crate::common::today() - time::Duration::days(n)).to_string()
}

fn month_ago(n: i32) -> String {
    let t = crate::common::today();
    let total = t.year() * 12 + (t.month() as i32 - 1) - n;
    format!("{:04}-{:02}", total.div_euclid(12), total.rem_euclid(12) + 1)
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

async fn person(app: &TestApp, nik: &str, name: &str, birth: &str, sex: &str, village: &str) -> i64 {
    let (s, p) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": nik, "full_name": name, "sex": sex, "birth_date": birth, "village_code": village, "confirm_warnings": true}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_i64().unwrap()
}

#[tokio::test]
async fn training_with_attendance_per_day() {
    let app = TestApp::spawn().await;
    let maria = person(&app, "5307015205900001", "Maria Goreti", "1990-05-12", "P", HOME).await;
    let yosef = person(&app, "5307010103850002", "Yosef Wangge", "1985-03-01", "L", OTHER).await;
    let fac = app.user_token("fasilitator", "facilitator", Some(HOME)).await;
    let body = json!({"village_code": HOME, "topic": "financial_literacy", "title": "Literasi keuangan keluarga PMI",
        "organiser": "regency_office", "organiser_name": "Disnaker Sikka", "starts_on": days_ago(4), "ends_on": days_ago(2),
        "place": "Balai desa", "trainer": "Ibu Rina"});
    let (s, t) = app.post_json("/api/v1/trainings", Some(&fac), &body).await;
    assert_eq!(s, 201, "{t}");
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["days"].as_array().unwrap().len(), 3);

    let (s, r) =
        app.post_json(&format!("/api/v1/trainings/{id}/participants"), Some(&fac), &json!({"person_id": maria})).await;
    assert_eq!(s, 200, "{r}");
    // Someone outside the facilitator's region cannot be added (same answer as an unknown id).
    let (s, r) =
        app.post_json(&format!("/api/v1/trainings/{id}/participants"), Some(&fac), &json!({"person_id": yosef})).await;
    assert_eq!((s, fields(&r)), (422, vec![("person_id".to_string(), "one_of".to_string())]));
    let att = format!("/api/v1/trainings/{id}/attendance");
    for d in [days_ago(4), days_ago(2)] {
        let (s, r) = app.post_json(&att, Some(&fac), &json!({"person_id": maria, "date": d})).await;
        assert_eq!(s, 200, "{r}");
    }
    // A day outside the training is refused, naming the field; nothing is saved.
    for d in [days_ago(5), days_ago(1), "2026-13-01".to_string()] {
        let (s, r) = app.post_json(&att, Some(&fac), &json!({"person_id": maria, "date": d})).await;
        assert_eq!(s, 422, "{d}");
        assert_eq!(fields(&r)[0].0, "date");
    }
    let (s, r) = app
        .post_json(
            &format!("/api/v1/trainings/{id}/completion"),
            Some(&fac),
            &json!({"person_id": maria, "completed": true}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(r["participant_list"][0]["days"], json!([days_ago(4), days_ago(2)]));
    assert_eq!(r["participant_list"][0]["completed"], true);
    assert_eq!((r["participants"].as_i64(), r["completed"].as_i64()), (Some(1), Some(1)));

    // Lists filter by village and period; another village's officer sees nothing.
    let (_, l) = app.get_json(&format!("/api/v1/trainings?village={HOME}&from={}", days_ago(3)), Some(&fac)).await;
    assert_eq!(l["items"].as_array().unwrap().len(), 1, "overlapping the period");
    let (_, l) = app.get_json(&format!("/api/v1/trainings?from={}", days_ago(1)), Some(&fac)).await;
    assert!(l["items"].as_array().unwrap().is_empty());
    let (s, _) = app.get_json(&format!("/api/v1/trainings?village={OTHER}"), Some(&fac)).await;
    assert_eq!(s, 403);
    let (s, r) = app.get_json("/api/v1/trainings?from=yesterday", Some(&fac)).await;
    assert_eq!((s, fields(&r)), (422, vec![("from".to_string(), "format".to_string())]));
    let other = app.user_token("lain", "village_officer", Some(OTHER)).await;
    assert_eq!(app.get_json(&format!("/api/v1/trainings/{id}"), Some(&other)).await.0, 404);
    assert_eq!(app.post_json(&att, Some(&other), &json!({"person_id": maria, "date": days_ago(3)})).await.0, 404);
    // Analysts read, never write.
    let analyst = app.user_token("analis", "national_analyst", None).await;
    assert_eq!(app.get_json(&format!("/api/v1/trainings/{id}"), Some(&analyst)).await.0, 200);
    assert_eq!(app.post_json("/api/v1/trainings", Some(&analyst), &body).await.0, 403);
    let mut bad = body.clone();
    bad["ends_on"] = json!(days_ago(10));
    bad["topic"] = json!("knitting");
    let (s, r) = app.post_json("/api/v1/trainings", Some(&fac), &bad).await;
    assert_eq!(s, 422);
    assert_eq!(
        fields(&r),
        [("topic".to_string(), "one_of".to_string()), ("ends_on".to_string(), "out_of_range".to_string())]
    );

    // Counts per village for monitoring.
    let (_, c) = app.get_json("/api/v1/enterprise/counts", Some(&analyst)).await;
    let home = c["villages"].as_array().unwrap().iter().find(|v| v["village_code"] == HOME).cloned().unwrap();
    assert_eq!(
        (home["trainings"].as_i64(), home["participants"].as_i64(), home["completed"].as_i64()),
        (Some(1), Some(1), Some(1))
    );

    // The page shows the grid; the export carries no names.
    let b = Browser::new(&app);
    b.login("fasilitator", "a-long-password").await;
    let (s, html) = b.get(&format!("/trainings/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Maria Goreti") && html.contains(&format!("a_{maria}_{}", days_ago(4))), "grid");
    let r = b.client.get(format!("{}/trainings?format=csv", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.contains("Literasi keuangan keluarga PMI") && !csv.contains("Maria"), "{csv}");
}

#[tokio::test]
async fn business_reports_status_and_equipment() {
    let app = TestApp::spawn().await;
    let maria = person(&app, "5307015205900001", "Maria Goreti", "1990-05-12", "P", HOME).await;
    let fac = app.user_token("fasilitator", "facilitator", Some(HOME)).await;
    let started = format!("{}-01", month_ago(3));
    let (s, b) = app
        .post_json(
            "/api/v1/businesses",
            Some(&fac),
            &json!({"village_code": HOME, "name": "Tenun Ikat Masabewa", "sector": "crafts", "legal_form": "group",
                    "status": "running", "started_on": started, "capital_sources": ["own_remittances", "kur"]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_i64().unwrap();
    assert_eq!(b["capital_sources"], "own_remittances,kur");
    let (s, r) = app
        .post_json(
            &format!("/api/v1/businesses/{id}/members"),
            Some(&fac),
            &json!({"person_id": maria, "kind": "returned_migrant"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["returned_migrants"], 1);
    // Adding her again with a wrong kind is refused naming the kind (it was taken silently).
    let (s, r) = app
        .post_json(&format!("/api/v1/businesses/{id}/members"), Some(&fac), &json!({"person_id": maria, "kind": "AAA"}))
        .await;
    assert_eq!((s, fields(&r)), (422, vec![("kind".to_string(), "one_of".to_string())]), "{r}");
    let rep = format!("/api/v1/businesses/{id}/reports");
    for (m, rev, cost) in [(month_ago(2), 4_500_000, 3_000_000), (month_ago(1), 5_200_000, 3_100_000)] {
        let (s, r) =
            app.post_json(&rep, Some(&fac), &json!({"month": m, "revenue": rev, "costs": cost, "workers": 2})).await;
        assert_eq!(s, 200, "{r}");
    }
    // Months before the start or in the future are refused on `month`.
    for m in [month_ago(4), month_ago(-1)] {
        let (s, r) =
            app.post_json(&rep, Some(&fac), &json!({"month": m, "revenue": 1, "costs": 1, "workers": 0})).await;
        assert_eq!((s, fields(&r)), (422, vec![("month".to_string(), "out_of_range".to_string())]), "{m}");
    }
    let (s, r) = app.post_json(&rep, Some(&fac), &json!({"month": month_ago(1), "revenue": "lots"})).await;
    assert_eq!(s, 422, "{r}");
    // Closed, then a report is refused naming the status; nothing is saved.
    let (s, r) =
        app.post_json(&format!("/api/v1/businesses/{id}/status"), Some(&fac), &json!({"status": "closed"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["next_states"], json!([]));
    let (s, r) = app
        .post_json(&rep, Some(&fac), &json!({"month": month_ago(0), "revenue": 100, "costs": 50, "workers": 1}))
        .await;
    assert_eq!((s, fields(&r)), (422, vec![("status".to_string(), "mismatch".to_string())]));
    let (s, r) =
        app.post_json(&format!("/api/v1/businesses/{id}/status"), Some(&fac), &json!({"status": "running"})).await;
    assert_eq!((s, fields(&r)), (422, vec![("status".to_string(), "mismatch".to_string())]));
    let (_, d) = app.get_json(&format!("/api/v1/businesses/{id}"), Some(&fac)).await;
    assert_eq!(d["reports"].as_array().unwrap().len(), 2);
    assert_eq!(d["status_history"].as_array().unwrap().len(), 2);
    assert_eq!(d["member_list"][0]["full_name"], "Maria Goreti");

    // The business page draws revenue and costs as an SVG chart, without JavaScript.
    let b = Browser::new(&app);
    b.login("fasilitator", "a-long-password").await;
    let (s, html) = b.get(&format!("/businesses/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("<svg") && html.contains("id=\"chart\""), "chart");
    assert_eq!(html.matches("class=\"bar-revenue\"").count(), 2);

    // Equipment given to the group; a check finds it unused; the "not in use" list shows it.
    let (s, e) = app
        .post_json("/api/v1/equipment", Some(&fac),
            &json!({"village_code": HOME, "item": "Alat tenun", "value": 2_750_000, "source_program": "Desmigratif 2018",
                    "given_on": days_ago(400), "business_id": id}))
        .await;
    assert_eq!(s, 201, "{e}");
    let eid = e["id"].as_i64().unwrap();
    let (_, unused) = app.get_json("/api/v1/equipment?unused=true", Some(&fac)).await;
    assert!(unused["items"].as_array().unwrap().is_empty());
    let (s, r) = app
        .post_json(
            &format!("/api/v1/equipment/{eid}/checks"),
            Some(&fac),
            &json!({"checked_on": days_ago(1), "condition": "good", "in_use": false}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (_, unused) = app.get_json("/api/v1/equipment?unused=true", Some(&fac)).await;
    assert_eq!(unused["items"][0]["id"], eid);
    let (s, r) = app
        .post_json(
            &format!("/api/v1/equipment/{eid}/checks"),
            Some(&fac),
            &json!({"checked_on": days_ago(500), "condition": "good", "in_use": true}),
        )
        .await;
    assert_eq!((s, fields(&r)), (422, vec![("checked_on".to_string(), "out_of_range".to_string())]));
    let (s, html) = b.get("/equipment?unused=1").await;
    assert_eq!(s, 200);
    assert!(html.contains("Alat tenun"));

    // A mentoring visit to the business.
    let (s, v) = app
        .post_json("/api/v1/mentoring", Some(&fac),
            &json!({"village_code": HOME, "business_id": id, "visited_on": days_ago(1), "mentor": "Pak Yohanes", "notes": "Stok menumpuk"}))
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["business_name"], "Tenun Ikat Masabewa");
    let (s, r) = app
        .post_json("/api/v1/mentoring", Some(&fac), &json!({"village_code": HOME, "business_id": id, "person_id": maria, "visited_on": days_ago(1), "mentor": "Pak Y", "notes": "x y z"}))
        .await;
    assert_eq!((s, fields(&r)), (422, vec![("business_id".to_string(), "mismatch".to_string())]));
}

#[tokio::test]
async fn remittances_and_the_productive_share() {
    let app = TestApp::spawn().await;
    let maria = person(&app, "5307015205900001", "Maria Goreti", "1990-05-12", "P", HOME).await;
    let fac = app.user_token("fasilitator", "facilitator", Some(HOME)).await;
    let rows = [
        (
            month_ago(2),
            5_000_000,
            json!({"daily_needs": 3_000_000, "education": 500_000, "productive_investment": 1_500_000}),
        ),
        (month_ago(1), 3_000_000, json!({"daily_needs": 2_000_000, "savings": 1_000_000})),
    ];
    for (m, amount, uses) in rows {
        let (s, r) = app
            .post_json(
                "/api/v1/remittances",
                Some(&fac),
                &json!({"person_id": maria, "month": m, "amount": amount, "channel": "bank", "uses": uses}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
    }
    // Uses that do not add up, a future month and an unknown channel are refused by field.
    let (s, r) = app
        .post_json("/api/v1/remittances", Some(&fac),
            &json!({"person_id": maria, "month": month_ago(-1), "amount": 10, "channel": "pigeon", "uses": {"daily_needs": 9}}))
        .await;
    assert_eq!(s, 422);
    let f: Vec<String> = fields(&r).into_iter().map(|(f, _)| f).collect();
    assert_eq!(f, ["month", "channel", "uses"]);
    let (_, sum) = app.get_json(&format!("/api/v1/remittances/summary?village={HOME}"), Some(&fac)).await;
    assert_eq!(sum["total"], 8_000_000);
    assert_eq!(sum["productive"], 1_500_000);
    assert_eq!(sum["productive_share_bp"], 1875, "1.5 of 8 million = 18.75 %");
    assert_eq!(sum["villages"][0]["migrants"], 1);
    // Period by month.
    let (_, sum) = app.get_json(&format!("/api/v1/remittances/summary?from={}-01", month_ago(1)), Some(&fac)).await;
    assert_eq!(sum["total"], 3_000_000);
    // Personal finances: named for those who record them, by id only for analysts.
    let (_, l) = app.get_json(&format!("/api/v1/remittances?person_id={maria}"), Some(&fac)).await;
    assert_eq!(l["items"][0]["person_name"], "Maria Goreti");
    let analyst = app.user_token("analis", "national_analyst", None).await;
    let (_, l) = app.get_json("/api/v1/remittances", Some(&analyst)).await;
    assert_eq!(l["items"].as_array().unwrap().len(), 2);
    assert!(l["items"][0]["person_name"].is_null());
    let b = Browser::new(&app);
    b.login("analis", "a-long-password").await;
    let r = b.client.get(format!("{}/remittances?format=csv", app.base)).send().await.unwrap();
    let csv = r.text().await.unwrap();
    assert!(csv.contains("8000000") || csv.contains("5000000"), "{csv}");
    assert!(!csv.contains("Maria"), "{csv}");
    let (s, html) = b.get("/remittances").await;
    assert_eq!(s, 200);
    assert!(html.contains("18,75") && !html.contains("Maria Goreti"), "share shown, names not");
}
