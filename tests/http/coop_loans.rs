//! Issue 20, loans: loan settings, fees at disbursement, the loan limit, automatic late
//! penalties and the provision as month-end steps (repeat posts nothing), collateral feeding
//! the provision, rescheduling with four eyes, the write-off against the allowance; every
//! amount hand-computed and checked against the trial balance.

use crate::common::{Browser, TestApp, csrf_of};
use serde_json::{Value, json};
use std::collections::HashMap;

const VILLAGE: &str = "53.07.01.2001";

fn fields(r: &Value) -> Vec<String> {
    r["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

async fn balances(app: &TestApp, t: &str, coop: i64, as_of: &str) -> HashMap<String, i64> {
    let (s, tb) =
        app.get_json(&format!("/api/v1/cooperatives/{coop}/reports/trial-balance?as_of={as_of}"), Some(t)).await;
    assert_eq!(s, 200, "{tb}");
    let rows = tb["rows"].as_array().unwrap();
    let debits: i64 = rows.iter().map(|r| r["debit"].as_i64().unwrap()).sum();
    let credits: i64 = rows.iter().map(|r| r["credit"].as_i64().unwrap()).sum();
    assert_eq!(debits, credits, "the books balance: {tb}");
    rows.iter()
        .map(|r| {
            (r["account"].as_str().unwrap().to_string(), r["debit"].as_i64().unwrap() - r["credit"].as_i64().unwrap())
        })
        .collect()
}

fn bal(m: &HashMap<String, i64>, a: &str) -> i64 {
    m.get(a).copied().unwrap_or(0)
}

#[tokio::test]
async fn loan_products_fees_penalties_provision_rescheduling_and_write_off() {
    let app = TestApp::spawn().await;
    let m1 = app.user_token("bendahara", "cooperative_manager", Some(VILLAGE)).await;
    let m2 = app.user_token("ketua", "cooperative_manager", Some(VILLAGE)).await;
    let (s, c) = app
        .post_json(
            "/api/v1/cooperatives",
            Some(&m1),
            &json!({"village_code": VILLAGE, "kind": "koperasi", "name": "Koperasi Desmigratif Masabewa", "founded_on": "2025-01-02",
                    "bylaws": {"pokok": 100000, "wajib_monthly": 20000, "max_principal": 5000000, "max_months": 12,
                               "min_rate_percent": 1, "max_rate_percent": 2, "shu_reserve": 40, "shu_members_by_savings": 20,
                               "shu_members_by_transactions": 20, "shu_board": 5, "shu_staff": 5, "shu_education": 5, "shu_social": 5}}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let coop = c["id"].as_i64().unwrap();
    let base = format!("/api/v1/cooperatives/{coop}");

    // Settings for 2025: bad input names the field (Indonesian message), nothing saved.
    let good = json!({"admin_fee_percent": 1, "admin_fee_fixed": 10000, "provision_fee_percent": "0,5",
        "penalty_percent_per_month": 3, "penalty_grace_days": 5, "limit_multiple": 2.5,
        "ppap_1_percent": 0.5, "ppap_2_percent": 0.5, "ppap_3_percent": 10, "ppap_4_percent": 50, "ppap_5_percent": 100});
    let mut bad = good.clone();
    bad["admin_fee_percent"] = json!(12);
    bad["ppap_4_percent"] = json!(5);
    let (s, r) = app.put_json(&format!("{base}/loan-settings/2025"), &m1, &bad).await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(fields(&r), ["admin_fee_percent", "ppap_5_percent"], "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("10 %"), "{r}");
    assert_eq!(app.get_json(&format!("{base}/loan-settings"), Some(&m1)).await.1, json!([]));
    let (s, r) = app.put_json(&format!("{base}/loan-settings/2025"), &m1, &good).await;
    assert_eq!(s, 204, "{r}");

    // Members: A saves 100,000 pokok + 400,000 sukarela (limit 2.5 × 500,000 = 1,250,000); B brings cash.
    let mut ids = Vec::new();
    for (name, joined, sukarela) in
        [("Maria Goreti", "2025-01-05", 400_000), ("Yohanes Bosco", "2025-01-05", 2_000_000)]
    {
        let (s, m) = app
            .post_json(&format!("{base}/members"), Some(&m1), &json!({"full_name": name, "joined_on": joined}))
            .await;
        assert_eq!(s, 201, "{m}");
        let id = m["id"].as_i64().unwrap();
        let (s, r) = app
            .post_json(&format!("{base}/savings-transactions"), Some(&m1),
                &json!({"member_id": id, "kind": "sukarela", "direction": "deposit", "amount": sukarela, "date": "2025-01-06"}))
            .await;
        assert_eq!(s, 201, "{r}");
        ids.push(id);
    }
    let (a, b) = (ids[0], ids[1]);
    let apply = |p: i64| json!({"member_id": a, "principal": p, "months": 3, "monthly_rate_percent": 1, "method": "flat", "date": "2025-01-10"});
    let (s, r) = app.post_json(&format!("{base}/loans"), Some(&m1), &apply(1_250_001)).await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(fields(&r), ["principal"]);
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("1.250.000"), "{r}");
    let (s, l) = app.post_json(&format!("{base}/loans"), Some(&m1), &apply(1_200_000)).await;
    assert_eq!(s, 201, "{l}");
    let lid = l["id"].as_i64().unwrap();
    let loan = format!("{base}/loans/{lid}");
    // Fee preview before disbursement: 1 % + 10,000 = 22,000 and 0.5 % = 6,000.
    let (_, rec) = app.get_json(&format!("{loan}/records"), Some(&m1)).await;
    assert_eq!(
        (rec["admin_fee"].as_i64(), rec["provision_fee"].as_i64(), rec["fees_taken"].as_bool()),
        (Some(22_000), Some(6_000), Some(false)),
        "{rec}"
    );

    // Collateral and a guarantor.
    let (s, r) = app.post_json(&format!("{loan}/collateral"), Some(&m1),
        &json!({"kind": "bpkb", "description": "BPKB Honda Beat DK 1234 AB", "estimated_value": 800000, "document_held": true})).await;
    assert_eq!(s, 201, "{r}");
    let (s, r) = app
        .post_json(
            &format!("{loan}/collateral"),
            Some(&m1),
            &json!({"kind": "gold", "description": "", "estimated_value": -1}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(fields(&r), ["kind", "description", "estimated_value"]);
    let (s, r) = app.post_json(&format!("{loan}/guarantors"), Some(&m1), &json!({"member_id": b})).await;
    assert_eq!(s, 201, "{r}");
    let (s, r) = app.post_json(&format!("{loan}/guarantors"), Some(&m1), &json!({"member_id": a})).await;
    assert_eq!((s, fields(&r)), (422, vec!["member_id".to_string()]), "the borrower cannot guarantee their own loan");

    // Approve (second user), disburse: the member receives 1,200,000 − 28,000.
    let (s, r) = app.post_json(&format!("{loan}/approve"), Some(&m2), &json!({"date": "2025-01-10"})).await;
    assert_eq!(s, 200, "{r}");
    let before = balances(&app, &m1, coop, "2025-01-10").await;
    let (s, r) = app.post_json(&format!("{loan}/disburse"), Some(&m1), &json!({"date": "2025-01-10"})).await;
    assert_eq!(s, 200, "{r}");
    let after = balances(&app, &m1, coop, "2025-01-10").await;
    assert_eq!(bal(&after, "cash") - bal(&before, "cash"), -1_172_000);
    assert_eq!(bal(&after, "admin_fee_income"), -28_000);
    assert_eq!(bal(&after, "loans_receivable"), 1_200_000);
    let (_, rec) = app.get_json(&format!("{loan}/records"), Some(&m1)).await;
    assert_eq!((rec["net_disbursed"].as_i64(), rec["fees_taken"].as_bool()), (Some(1_172_000), Some(true)), "{rec}");

    // With automatic penalties a penalty typed at repayment is refused, nothing posted.
    let (s, r) = app
        .post_json(
            &format!("{loan}/repayments"),
            Some(&m1),
            &json!({"amount": 10000, "penalty": 5000, "date": "2025-02-20"}),
        )
        .await;
    assert_eq!((s, fields(&r)), (422, vec!["penalty".to_string()]), "{r}");

    // February month end: installment 1 (412,000, due 10 Feb, 5 grace days) late 16–28 Feb = 13 days:
    // 412,000 × 3 % × 13 / 30 = 5,356. Provision: 18 days past due = class 2, 0.5 % × 1,200,000 = 6,000.
    let me = format!("{base}/loan-month-end");
    let (s, r) = app.post_json(&me, Some(&m1), &json!({"month_end": "2025-02-27"})).await;
    assert_eq!((s, fields(&r)), (422, vec!["month_end".to_string()]), "{r}");
    let (s, r) = app.post_json(&me, Some(&m1), &json!({"month_end": "2025-02-28"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r, json!({"penalty_charges": 1, "provision_entries": 1}));
    let (_, r) = app.post_json(&me, Some(&m1), &json!({"month_end": "2025-02-28"})).await;
    assert_eq!(r, json!({"penalty_charges": 0, "provision_entries": 0}), "a repeated run posts nothing");
    let feb = balances(&app, &m1, coop, "2025-02-28").await;
    assert_eq!((bal(&feb, "loan_loss_expense"), bal(&feb, "loan_loss_allowance")), (6_000, -6_000));
    let (_, st) = app.get_json(&format!("{loan}?as_of=2025-02-28"), Some(&m1)).await;
    assert_eq!(st["status"]["owed_penalty"], 5_356, "{st}");

    // May month end (April not run): each installment charged for 31 days, 412,000 × 3 % × 31 / 30
    // = 12,772 each. 110 days past due = substandard: 10 % × (1,200,000 − 800,000 BPKB) = 40,000;
    // the allowance of 6,000 grows by 34,000.
    let (_, r) = app.post_json(&me, Some(&m1), &json!({"month_end": "2025-05-31"})).await;
    assert_eq!(r, json!({"penalty_charges": 3, "provision_entries": 1}));
    let may = balances(&app, &m1, coop, "2025-05-31").await;
    assert_eq!((bal(&may, "loan_loss_expense"), bal(&may, "loan_loss_allowance")), (40_000, -40_000));
    let (_, p) = app.get_json(&format!("{base}/provision?as_of=2025-05-31"), Some(&m1)).await;
    assert_eq!(p, json!({"allowance": 40000, "required": 40000, "ratio_bp": 10000}));
    let (_, st) = app.get_json(&format!("{loan}?as_of=2025-05-31"), Some(&m1)).await;
    assert_eq!(st["status"]["owed_penalty"], 5_356 + 3 * 12_772, "{st}");

    // Rescheduling: four eyes; approval restarts days past due, keeps the old schedule.
    let rs = format!("{loan}/reschedules");
    let (s, r) =
        app.post_json(&rs, Some(&m1), &json!({"months": 0, "monthly_rate_percent": 5, "method": "flat"})).await;
    assert_eq!(s, 422, "{r}");
    assert!(fields(&r).contains(&"months".to_string()), "{r}");
    let (s, p1) = app.post_json(&rs, Some(&m1), &json!({"months": 6, "monthly_rate_percent": 1, "method": "flat", "reason": "Gagal panen", "date": "2025-06-02"})).await;
    assert_eq!(s, 201, "{p1}");
    let pid = p1["id"].as_i64().unwrap();
    let (s, r) = app.post_json(&format!("{rs}/{pid}/approve"), Some(&m1), &json!({"date": "2025-06-02"})).await;
    assert_eq!((s, fields(&r)), (422, vec!["approver".to_string()]), "{r}");
    let (s, r) = app.post_json(&format!("{rs}/{pid}/approve"), Some(&m2), &json!({"date": "2025-06-02"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["reschedules"][0]["state"], "approved");
    assert_eq!(r["schedule_history"][0][1].as_array().unwrap().len(), 3, "the old schedule is kept: {r}");
    let (_, st) = app.get_json(&format!("{loan}?as_of=2025-06-02"), Some(&m1)).await;
    assert_eq!(st["status"]["days_past_due"], 0, "{st}");
    assert_eq!(st["status"]["principal_outstanding"], 1_200_000);
    // The 36,000 jasa due before is carried into the first new installment (12,000 + 36,000).
    let first = st["installments"].as_array().unwrap().iter().find(|i| i["number"] == 1).cloned().unwrap_or_default();
    assert_eq!((first["due_date"].as_str(), first["interest"].as_i64()), (Some("2025-07-02"), Some(48_000)), "{st}");
    let (_, p2) = app
        .post_json(
            &rs,
            Some(&m1),
            &json!({"months": 12, "monthly_rate_percent": 1, "method": "annuity", "date": "2025-06-03"}),
        )
        .await;
    let (s, r) = app.post_json(&format!("{rs}/{}/cancel", p2["id"]), Some(&m1), &json!({})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["reschedules"][0]["state"], "cancelled", "a cancelled proposal is kept: {r}");

    // Write-off against the allowance: 40,000 from the allowance, 1,160,000 as expense.
    let (s, r) = app.post_json(&format!("{loan}/write-off"), Some(&m1), &json!({"date": "2025-06-30"})).await;
    assert_eq!(s, 200, "{r}");
    let jun = balances(&app, &m1, coop, "2025-06-30").await;
    assert_eq!(bal(&jun, "loan_loss_allowance"), 0);
    assert_eq!(bal(&jun, "loan_loss_expense"), 1_200_000);
    assert_eq!(bal(&jun, "loans_receivable"), 0);

    // The pages: loan products with the PPAP ratio, the loan's records, a settings refusal
    // re-shows the typed values.
    let br = Browser::new(&app);
    br.login("bendahara", "a-long-password").await;
    let (s, html) = br.get(&format!("/cooperatives/{coop}/loan-products")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Rasio PPAP") && html.contains("id=\"f-penalty_percent_per_month\""), "{html}");
    let (s, html) = br.get(&format!("/cooperatives/{coop}/loans/{lid}/records")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("BPKB Honda Beat DK 1234 AB") && html.contains("Gagal panen") && html.contains("Rp 12.772"),
        "{html}"
    );
    let csrf = csrf_of(&html);
    let r = br
        .post_form(
            &format!("/cooperatives/{coop}/loan-products"),
            &[("_csrf", &csrf), ("year", "2026"), ("admin_fee_percent", "15"), ("penalty_grace_days", "7")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap_or_default();
    assert!(
        html.contains("value=\"15\"") && html.contains("value=\"7\"") && html.contains("paling tinggi 10"),
        "{html}"
    );
}
