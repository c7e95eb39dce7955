//! Pillar 4 contract: loan schedules computed without saving.

use crate::common::TestApp;
use serde_json::json;

#[tokio::test]
async fn loan_schedule_contract() {
    let app = TestApp::spawn().await;
    let t = Some(app.admin_token.as_str());
    let body = json!({"principal": 5000000, "months": 12, "monthly_rate_percent": 1.5, "method": "annuity", "start_date": "2026-01-31"});
    let (s, r) = app.post_json("/api/v1/loan-schedules", t, &body).await;
    assert_eq!(s, 200, "{r}");
    let inst = r["installments"].as_array().unwrap();
    assert_eq!(inst.len(), 12);
    assert_eq!(inst[0]["number"], 1);
    assert_eq!(inst[0]["due_date"], "2026-02-28", "one month after start, clamped to the month's end");
    assert_eq!(inst[11]["balance_after"], 0);
    let principal: i64 = inst.iter().map(|i| i["principal"].as_i64().unwrap()).sum();
    let interest: i64 = inst.iter().map(|i| i["interest"].as_i64().unwrap()).sum();
    let total: i64 = inst.iter().map(|i| i["total"].as_i64().unwrap()).sum();
    assert_eq!(principal, 5_000_000, "principal parts add up to the rupiah");
    assert_eq!(interest, r["total_interest"].as_i64().unwrap());
    assert_eq!(total, r["total_paid"].as_i64().unwrap());
    assert!(inst.iter().all(|i| i["principal"].as_i64().unwrap() + i["interest"].as_i64().unwrap() == i["total"].as_i64().unwrap()));

    // Flat: interest on the original principal every month.
    let flat = json!({"principal": "1200000", "months": 12, "monthly_rate_percent": "2", "method": "flat", "start_date": "2026-03-01"});
    let (_, f) = app.post_json("/api/v1/loan-schedules", t, &flat).await;
    assert!(f["installments"].as_array().unwrap().iter().all(|i| i["interest"] == 24000), "{f}");
    assert_eq!(f["total_interest"], 288000);

    for (bad, field) in [
        (
            json!({"principal": -5, "months": 12, "monthly_rate_percent": 1, "method": "flat", "start_date": "2026-01-01"}),
            "principal",
        ),
        (
            json!({"principal": 1000, "months": 0, "monthly_rate_percent": 1, "method": "flat", "start_date": "2026-01-01"}),
            "months",
        ),
        (
            json!({"principal": 1000, "months": 3, "monthly_rate_percent": 50, "method": "flat", "start_date": "2026-01-01"}),
            "monthly_rate_percent",
        ),
        (
            json!({"principal": 1000, "months": 3, "monthly_rate_percent": 1, "method": "balloon", "start_date": "2026-01-01"}),
            "method",
        ),
        (
            json!({"principal": 1000, "months": 3, "monthly_rate_percent": 1, "method": "flat", "start_date": "31-02-2026"}),
            "start_date",
        ),
    ] {
        let (s, r) = app.post_json("/api/v1/loan-schedules", t, &bad).await;
        assert_eq!(s, 422, "{bad}");
        assert!(r["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field}: {r}");
    }
    assert_eq!(app.post_json("/api/v1/loan-schedules", None, &body).await.0, 401);
}
