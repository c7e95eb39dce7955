//! Issue 20, deposits track: time deposits, interest on sukarela (minimum and average balance),
//! the withholding tax, the month-end run (repeatable without double posting) and bad input
//! that posts nothing. Every amount below is computed by hand in the comments.

use crate::common::TestApp;
use serde_json::{Value, json};
use std::collections::HashMap;

const VILLAGE: &str = "53.07.01.2001";

async fn balances(app: &TestApp, t: &str, coop: i64) -> (Value, HashMap<String, i64>) {
    let (s, tb) =
        app.get_json(&format!("/api/v1/cooperatives/{coop}/reports/trial-balance?as_of=2026-12-31"), Some(t)).await;
    assert_eq!(s, 200, "{tb}");
    let mut m = HashMap::new();
    for r in tb["rows"].as_array().unwrap() {
        m.insert(
            r["account"].as_str().unwrap().to_string(),
            r["debit"].as_i64().unwrap() - r["credit"].as_i64().unwrap(),
        );
    }
    assert_eq!(tb["total_debit"], tb["total_credit"], "the books balance");
    (tb, m)
}

async fn refused(app: &TestApp, path: &str, t: &str, body: Value, field: &str) -> Value {
    let (s, r) = app.post_json(path, Some(t), &body).await;
    assert_eq!(s, 422, "{path} {body}: {r}");
    assert!(r["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "expected {field}: {r}");
    r
}

async fn member_sukarela(app: &TestApp, t: &str, coop: i64, m: i64) -> i64 {
    let (_, r) = app.get_json(&format!("/api/v1/cooperatives/{coop}/members/{m}"), Some(t)).await;
    r["balances"]["sukarela"].as_i64().unwrap()
}

#[tokio::test]
async fn deposits_interest_tax_and_month_end() {
    let app = TestApp::spawn().await;
    let t = app.user_token("bendahara", "cooperative_manager", Some(VILLAGE)).await;
    let officer = app.user_token("petugas", "village_officer", Some(VILLAGE)).await;
    let (s, c) = app
        .post_json(
            "/api/v1/cooperatives",
            Some(&t),
            &json!({"village_code": VILLAGE, "kind": "koperasi", "name": "Koperasi Simpanan", "founded_on": "2025-01-02",
                    "bylaws": {"pokok": 0, "wajib_monthly": 0, "max_principal": 5000000, "max_months": 12,
                               "min_rate_percent": 1, "max_rate_percent": 2, "shu_reserve": 40, "shu_members_by_savings": 20,
                               "shu_members_by_transactions": 20, "shu_board": 5, "shu_staff": 5, "shu_education": 5,
                               "shu_social": 5}}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let coop = c["id"].as_i64().unwrap();
    let base = format!("/api/v1/cooperatives/{coop}");
    let mut ids = vec![];
    for name in ["Maria Goreti", "Yohanes Bosco"] {
        let (s, m) = app
            .post_json(&format!("{base}/members"), Some(&t), &json!({"full_name": name, "joined_on": "2025-01-05"}))
            .await;
        assert_eq!(s, 201, "{m}");
        ids.push(m["id"].as_i64().unwrap());
    }
    let (a, b) = (ids[0], ids[1]);

    // Settings of 2026: bad ones are refused by field, then 3 % on the minimum balance.
    let settings = format!("{base}/deposit-settings/2026");
    let good = json!({"max_deposit_rate_percent": 6, "early_penalty_percent": 1, "sukarela_rate_percent": 3,
                      "basis": "minimum", "min_balance": 0, "withholding_tax": true});
    let mut bad = good.clone();
    bad["max_deposit_rate_percent"] = json!(30);
    bad["withholding_tax"] = json!(false);
    let (s, r) = app.put_json(&settings, &t, &bad).await;
    assert_eq!(s, 422, "{r}");
    let fields: Vec<&str> = r["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"max_deposit_rate_percent") && fields.contains(&"tax_note"), "{r}");
    assert_eq!(app.put_json(&settings, &officer, &good).await.0, 403, "a village officer may not set them");
    let (s, r) = app.put_json(&settings, &t, &good).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r[0]["sukarela_rate_percent"], "3");

    // Sukarela: A 1,000,000 in February, +500,000 on 10 March, −800,000 on 20 March;
    // B 100,000,000 in February.
    let sav = format!("{base}/savings-transactions");
    for (m, dir, amount, date) in [
        (a, "deposit", 1_000_000, "2026-02-15"),
        (b, "deposit", 100_000_000, "2026-02-01"),
        (a, "deposit", 500_000, "2026-03-10"),
        (a, "withdrawal", 800_000, "2026-03-20"),
    ] {
        let (s, r) = app
            .post_json(
                &sav,
                Some(&t),
                &json!({"member_id": m, "kind": "sukarela", "direction": dir, "amount": amount, "date": date}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
    }

    // Time deposits. Bad input first: nothing is posted.
    let td = format!("{base}/time-deposits");
    let (_, before) = balances(&app, &t, coop).await;
    let ok = json!({"member_id": b, "amount": 10_000_000, "months": 2, "annual_rate_percent": "5,5",
                    "at_maturity": "payout_sukarela", "funding": "cash", "date": "2026-01-31"});
    let mut x = ok.clone();
    x["months"] = json!(0);
    refused(&app, &td, &t, x, "months").await;
    let mut x = ok.clone();
    x["annual_rate_percent"] = json!(7);
    let r = refused(&app, &td, &t, x, "annual_rate_percent").await;
    assert!(r["errors"][0]["message"].as_str().unwrap().contains('6'), "names the maximum: {r}");
    let mut x = ok.clone();
    x["funding"] = json!("sukarela");
    x["member_id"] = json!(a);
    x["date"] = json!("2026-02-20");
    refused(&app, &td, &t, x, "amount").await; // A has 1,000,000 in sukarela
    assert_eq!(balances(&app, &t, coop).await.1, before, "refusals post nothing");

    // B: 10,000,000 at 5.5 % for 2 months from 31 January, paid to sukarela on 31 March:
    // 10,000,000 × 5.5 % × 2 ÷ 12 = 91,666.67 → 91,667; 91,667 ÷ 2 months ≤ 240,000: no tax.
    let (s, d1) = app.post_json(&td, Some(&t), &ok).await;
    assert_eq!(s, 201, "{d1}");
    assert_eq!(
        (d1["maturity_date"].as_str(), d1["interest"].as_i64(), d1["tax"].as_i64()),
        (Some("2026-03-31"), Some(91_667), Some(0))
    );
    // A: 5,000,000 at 6 % for 1 month from 28 February, rolled over with interest:
    // 5,000,000 × 6 % ÷ 12 = 25,000 → 5,025,000 from 28 March; then 25,125 → 5,050,125 from 28 April.
    let (s, d2) = app
        .post_json(
            &td,
            Some(&t),
            &json!({"member_id": a, "amount": 5_000_000, "months": 1, "annual_rate_percent": 6,
                                          "at_maturity": "rollover_all", "date": "2026-02-28"}),
        )
        .await;
    assert_eq!(s, 201, "{d2}");
    // A: 2,000,000 for 12 months from 1 April, withdrawn early on 15 April.
    let (s, d3) = app
        .post_json(
            &td,
            Some(&t),
            &json!({"member_id": a, "amount": 2_000_000, "months": 12, "annual_rate_percent": 6,
                                          "at_maturity": "payout_cash", "date": "2026-04-01"}),
        )
        .await;
    assert_eq!(s, 201, "{d3}");
    let early = format!("{td}/{}/early-withdrawal", d3["id"]);
    let (_, before) = balances(&app, &t, coop).await;
    // A member with an open time deposit cannot leave: the exit refund does not pay it out.
    let leave = format!("/api/v1/cooperatives/{coop}/members/{a}/leave");
    let r = refused(&app, &leave, &t, json!({"date": "2026-04-02"}), "member_id").await;
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("time deposit"), "{r}");
    assert_eq!(balances(&app, &t, coop).await.1, before, "a refused exit posts nothing");
    let r = refused(&app, &early, &t, json!({"date": "2026-04-15"}), "accept_penalty").await;
    let msg = r["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("20.000") || msg.contains("20,000"), "names the penalty (1 % of 2,000,000): {msg}");
    assert_eq!(balances(&app, &t, coop).await.1, before, "no penalty accepted, nothing posted");
    let (s, w) = app.post_json(&early, Some(&t), &json!({"date": "2026-04-15", "accept_penalty": true})).await;
    assert_eq!(s, 200, "{w}");
    assert_eq!((w["state"].as_str(), w["penalty"].as_i64()), (Some("withdrawn"), Some(20_000)));
    refused(&app, &early, &t, json!({"date": "2026-04-16", "accept_penalty": true}), "deposit_id").await;

    // Month-end: a month not over and a malformed month are refused.
    let me = format!("{base}/month-end");
    refused(&app, &me, &t, json!({"month": "2999-01"}), "month").await;
    refused(&app, &me, &t, json!({"month": "March"}), "month").await;
    assert_eq!(app.post_json(&me, Some(&officer), &json!({"month": "2026-03"})).await.0, 403);

    // March (31 days), minimum balance, 3 % a year:
    //  A: end-of-day 1,000,000 (9 days), 1,500,000 (10), 700,000 (12) → minimum 700,000;
    //     700,000 × 3 % × 31 ÷ 365 = 1,783.56 → 1,784, no tax.
    //  B: 100,000,000 all month (the deposit's payout lands on the 31st, after the minimum) →
    //     100,000,000 × 3 % × 31 ÷ 365 = 254,794.52 → 254,795 > 240,000: tax 10 % = 25,479 (down).
    let (s, r) = app.post_json(&me, Some(&t), &json!({"month": "2026-03"})).await;
    assert_eq!(s, 200, "{r}");
    let posted: Vec<(String, i64)> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap().to_string(), s["entries"].as_i64().unwrap()))
        .collect();
    // The loans steps run too (no loans here: nothing to charge or provide for).
    let expected = [("deposit_maturities", 2), ("sukarela_interest", 2), ("late_penalties", 0), ("loan_provision", 0)];
    assert_eq!(posted, expected.map(|(s, n)| (s.to_string(), n)).to_vec());
    let (tb1, m1) = balances(&app, &t, coop).await;
    assert_eq!(m1["tax_payable"], -25_479);
    // Interest expense: 91,667 + 25,000 (deposits) + 1,784 + 254,795 (sukarela).
    assert_eq!(m1["savings_interest_expense"], 91_667 + 25_000 + 1_784 + 254_795);
    assert_eq!(member_sukarela(&app, &t, coop, a).await, 700_000 + 1_784);
    assert_eq!(member_sukarela(&app, &t, coop, b).await, 100_000_000 + 10_091_667 + 254_795 - 25_479);

    // The same month again posts nothing.
    let (s, r) = app.post_json(&me, Some(&t), &json!({"month": "2026-03"})).await;
    assert_eq!(s, 200, "{r}");
    assert!(r["steps"].as_array().unwrap().iter().all(|s| s["entries"] == 0), "{r}");
    assert_eq!(balances(&app, &t, coop).await.0, tb1, "a repeated run changes nothing");

    // April on the average balance: A deposits 300,000 on 16 April (30 days):
    // 15 days at 701,784 and 15 at 1,001,784 → average 851,784;
    // 851,784 × 3 % × 30 ÷ 365 = 2,100.29 → 2,100. The rolled deposit matures on 28 April:
    // 5,025,000 × 6 % ÷ 12 = 25,125, rolled into 5,050,125.
    let mut avg = good.clone();
    avg["basis"] = json!("average");
    assert_eq!(app.put_json(&settings, &t, &avg).await.0, 200);
    let (s, r) = app
        .post_json(&sav, Some(&t), &json!({"member_id": a, "kind": "sukarela", "direction": "deposit", "amount": 300_000, "date": "2026-04-16"}))
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, r) = app.post_json(&me, Some(&t), &json!({"month": "2026-04"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(member_sukarela(&app, &t, coop, a).await, 1_001_784 + 2_100);
    let (_, list) = app.get_json(&format!("{td}?member_id={a}"), Some(&t)).await;
    let open: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["state"] == "open")
        .map(|d| d["principal"].as_i64().unwrap())
        .collect();
    assert_eq!(open, vec![5_050_125], "{list}");
    let (_, m2) = balances(&app, &t, coop).await;
    assert_eq!(m2["simpanan_berjangka"], -5_050_125, "only the rolled deposit is left");
    // B's April interest on 110,320,983 (100,000,000 + 10,091,667 + 254,795 − 25,479, constant):
    // 110,320,983 × 3 % × 30 ÷ 365 = 272,024.34 → 272,024; tax 27,202.
    assert_eq!(m2["tax_payable"], -25_479 - 27_202);
    assert_eq!(m2["penalty_income"], -20_000);
    // track multi: the running balances equal the lines after the month-end runs.
    crate::multi::running_balances_match(&app.db).await;
}
