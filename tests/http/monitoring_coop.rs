//! Monitoring of pillar 4, the village cooperative: indicator values at village, district,
//! regency, province and nation written from operations through the API (members, savings,
//! loans applied, approved by a second user and disbursed), equal to the cooperative's own key
//! figures; pillar 4 turning active when the seeded criterion (20 active members) is met and
//! inactive when a member leaves; PAR30 / NPL moving with repayments and with the calendar.

use crate::common::TestApp;
use serde_json::{Value, json};

const A: &str = "53.07.01.2001";
const D: &str = "35.12.01.2001";

fn days_ago(n: i64) -> String {
    (crate::common::today() - time::Duration::days(n)).to_string()
}

async fn post(app: &TestApp, token: &str, url: &str, body: Value, want: u16) -> Value {
    let (s, b) = app.post_json(url, Some(token), &body).await;
    assert_eq!(s, want, "{url}: {b}");
    b
}

async fn indicators(app: &TestApp, region: &str) -> (serde_json::Map<String, Value>, Value) {
    let (s, body) = app.get_json(&format!("/api/v1/indicators?region_code={region}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{region}: {body}");
    assert_eq!(body["fresh"], true);
    let mut out = serde_json::Map::new();
    for i in body["indicators"].as_array().unwrap() {
        out.insert(i["key"].as_str().unwrap().to_string(), i["value"].clone());
    }
    (out, body["breakdowns"].clone())
}

async fn expect(app: &TestApp, region: &str, expected: &[(&str, i64)]) {
    let (got, _) = indicators(app, region).await;
    for (key, want) in expected {
        assert_eq!(got[*key], json!(want), "{key} at {region:?}");
    }
}

async fn pillar4(app: &TestApp, region: &str) -> (Value, Value) {
    let st = indicators(app, region).await.1["pillar_status"].clone();
    (st["4:active"].clone(), st["4:inactive"].clone())
}

async fn stored(app: &TestApp, region: &str, key: &str) -> i64 {
    let v: Option<(i64,)> = store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT value FROM indicator_values WHERE region_code = $1 AND key = $2 AND month = '' AND dim = ''")
        .bind(region).bind(key).fetch_optional(p).await)
    .unwrap();
    v.map(|v| v.0).unwrap_or(0)
}

async fn snapshot(app: &TestApp) -> Vec<(String, String, String, String, i64)> {
    store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT region_code, key, month, dim, value FROM indicator_values ORDER BY region_code, key, month, dim").fetch_all(p).await).unwrap()
}

async fn cooperative(app: &TestApp, token: &str, village: &str, name: &str) -> i64 {
    let c = post(
        app,
        token,
        "/api/v1/cooperatives",
        json!({"village_code": village, "kind": "koperasi", "name": name, "legal_number": "", "founded_on": "2025-01-02",
               "bylaws": {"pokok": 100000, "wajib_monthly": 20000, "max_principal": 5000000, "max_months": 12,
                          "min_rate_percent": 1, "max_rate_percent": 2, "shu_reserve": 40, "shu_members_by_savings": 20,
                          "shu_members_by_transactions": 20, "shu_board": 5, "shu_staff": 5, "shu_education": 5,
                          "shu_social": 5}}),
        201,
    )
    .await;
    c["id"].as_i64().unwrap()
}

async fn member(app: &TestApp, token: &str, coop: i64, name: &str) -> i64 {
    let m = post(
        app,
        token,
        &format!("/api/v1/cooperatives/{coop}/members"),
        json!({"full_name": name, "joined_on": days_ago(200)}),
        201,
    )
    .await;
    m["id"].as_i64().unwrap()
}

/// Applies (m1), approves (m2) and disburses (m1) a flat 3-month loan at 1 % a month.
async fn loan(app: &TestApp, m1: &str, m2: &str, coop: i64, member: i64, principal: i64, disbursed_ago: i64) -> i64 {
    let loans = format!("/api/v1/cooperatives/{coop}/loans");
    let l = post(
        app,
        m1,
        &loans,
        json!({"member_id": member, "principal": principal, "months": 3, "monthly_rate_percent": 1, "method": "flat",
               "purpose": "Modal warung", "date": days_ago(disbursed_ago + 2)}),
        201,
    )
    .await;
    let id = l["id"].as_i64().unwrap();
    post(app, m2, &format!("{loans}/{id}/approve"), json!({"date": days_ago(disbursed_ago + 1)}), 200).await;
    post(app, m1, &format!("{loans}/{id}/disburse"), json!({"date": days_ago(disbursed_ago)}), 200).await;
    id
}

#[tokio::test]
async fn cooperative_indicators_at_every_level_through_operations() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token.clone();
    assert_eq!(app.designate(A, 2017).await.0, 200);
    let m1 = app.user_token("bendahara", "cooperative_manager", Some(A)).await;
    let m2 = app.user_token("ketua", "cooperative_manager", Some(A)).await;
    let md = app.user_token("bendahara_d", "cooperative_manager", Some(D)).await;
    // Before any cooperative, pillar 4's key exists: inactive, not "no data".
    assert_eq!(pillar4(&app, A).await, (Value::Null, json!(1)));

    // A cooperative in A with two members and their savings.
    let coop = cooperative(&app, &m1, A, "Koperasi Desmigratif Masabewa").await;
    let ma = member(&app, &m1, coop, "Maria Goreti").await;
    let mb = member(&app, &m1, coop, "Yohanes Bosco").await;
    let sav = format!("/api/v1/cooperatives/{coop}/savings-transactions");
    for (m, kind, amount) in [(ma, "wajib", 20000), (ma, "sukarela", 3_000_000), (mb, "sukarela", 2_000_000)] {
        post(
            &app,
            &m1,
            &sav,
            json!({"member_id": m, "kind": kind, "direction": "deposit", "amount": amount, "date": days_ago(190)}),
            201,
        )
        .await;
    }
    post(
        &app,
        &m1,
        &sav,
        json!({"member_id": mb, "kind": "sukarela", "direction": "withdrawal", "amount": 500_000, "date": days_ago(185)}),
        201,
    )
    .await;
    // Savings: 2 × pokok 100,000 + wajib 20,000 + sukarela 3,000,000 + 1,500,000.
    let savings = 4_720_000;
    // A loan disbursed 178 days ago, nothing repaid: its first installment is ~148 days past due
    // (PAR30 and doubtful, non-performing); a loan disbursed 20 days ago is not yet due.
    let late = loan(&app, &m1, &m2, coop, ma, 3_000_000, 178).await;
    let _current = loan(&app, &m1, &m2, coop, mb, 1_000_000, 20).await;

    // A cooperative in D (another province) with one member.
    let coop_d = cooperative(&app, &md, D, "Koperasi Lamongan").await;
    let md1 = member(&app, &md, coop_d, "Siti Aminah").await;
    post(
        &app,
        &md,
        &format!("/api/v1/cooperatives/{coop_d}/savings-transactions"),
        json!({"member_id": md1, "kind": "sukarela", "direction": "deposit", "amount": 50_000, "date": days_ago(5)}),
        201,
    )
    .await;

    let village = [
        ("cooperatives", 1),
        ("coop_members", 2),
        ("coop_savings_balance", savings),
        ("coop_loans_outstanding", 4_000_000),
        ("coop_loans_disbursed", 2),
        ("coop_loans_at_risk", 3_000_000),
        ("coop_loans_nonperforming", 3_000_000),
        ("coop_portfolio_at_risk", 75),
        ("coop_npl_ratio", 75),
        ("coop_rat_held", 0),
    ];
    for region in [A, "53.07.01", "53.07", "53"] {
        expect(&app, region, &village).await;
    }
    expect(&app, D, &[("cooperatives", 1), ("coop_members", 1), ("coop_savings_balance", 150_000)]).await;
    expect(
        &app,
        "",
        &[
            ("cooperatives", 2),
            ("coop_members", 3),
            ("coop_savings_balance", savings + 150_000),
            ("coop_loans_outstanding", 4_000_000),
            ("coop_loans_disbursed", 2),
            ("coop_portfolio_at_risk", 75),
        ],
    )
    .await;
    // The same figures as the cooperative's own page (PAR30 and NPL there in basis points).
    let (_, c) = app.get_json(&format!("/api/v1/cooperatives/{coop}"), Some(&m1)).await;
    let f = &c["figures"];
    assert_eq!(
        (&f["members"], &f["savings"], &f["loans_outstanding"], &f["par30_bp"], &f["npl_bp"]),
        (&json!(2), &json!(savings), &json!(4_000_000), &json!(7500), &json!(7500)),
        "{c}"
    );
    // Two members: the seeded criterion (20 active members) is not met.
    assert_eq!(pillar4(&app, A).await, (Value::Null, json!(1)));

    // 18 more members: 20, pillar 4 is active in A (and counted at the nation).
    let mut others = vec![];
    for i in 0..18 {
        others.push(member(&app, &m1, coop, &format!("Anggota {i}")).await);
    }
    expect(&app, A, &[("coop_members", 20), ("coop_savings_balance", savings + 1_800_000)]).await;
    assert_eq!(pillar4(&app, A).await, (json!(1), Value::Null));
    assert_eq!(pillar4(&app, "").await, (json!(1), Value::Null));

    // A member leaves (savings returned): 19 members, pillar 4 inactive again.
    post(&app, &m1, &format!("/api/v1/cooperatives/{coop}/members/{}/leave", others[0]), json!({}), 200).await;
    expect(&app, A, &[("coop_members", 19), ("coop_savings_balance", savings + 1_700_000)]).await;
    expect(&app, "", &[("coop_members", 20), ("coop_savings_balance", savings + 1_700_000 + 150_000)]).await;
    assert_eq!(pillar4(&app, A).await, (Value::Null, json!(1)));

    // The late loan is paid off: nothing at risk; outstanding is the current loan only.
    let lpath = format!("/api/v1/cooperatives/{coop}/loans/{late}");
    let (_, st) = app.get_json(&lpath, Some(&m1)).await;
    let payoff = st["status"]["payoff"].as_i64().unwrap();
    post(&app, &m1, &format!("{lpath}/repayments"), json!({"amount": payoff}), 201).await;
    expect(
        &app,
        "53.07",
        &[
            ("coop_loans_outstanding", 1_000_000),
            ("coop_loans_at_risk", 0),
            ("coop_loans_nonperforming", 0),
            ("coop_portfolio_at_risk", 0),
            ("coop_npl_ratio", 0),
            ("coop_loans_disbursed", 2),
        ],
    )
    .await;

    // The books of 2025 (no operations) are closed and its RAT held three days ago.
    let base = format!("/api/v1/cooperatives/{coop}");
    post(&app, &m1, &format!("{base}/year-closes"), json!({"year": 2025}), 201).await;
    expect(&app, A, &[("coop_rat_held", 0)]).await;
    post(
        &app,
        &m1,
        &format!("{base}/rat"),
        json!({"year": 2025, "held_on": days_ago(3), "members_present": 12, "decisions": "Laporan pengurus diterima."}),
        201,
    )
    .await;
    for region in [A, "53", ""] {
        expect(&app, region, &[("coop_rat_held", 1), ("cooperatives", if region.is_empty() { 2 } else { 1 })]).await;
    }

    // A loan in D (not a program village, so only the daily re-mark recomputes it), current.
    let md2 = app.user_token("ketua_d", "cooperative_manager", Some(D)).await;
    loan(&app, &md, &md2, coop_d, md1, 100_000, 20).await;
    expect(&app, D, &[("coop_loans_outstanding", 100_000), ("coop_loans_at_risk", 0)]).await;

    // The incremental aggregates equal a rebuild from the raw tables.
    let today = crate::common::today();
    let incremental = snapshot(&app).await;
    store::indicators::refresh::mark_everything(&app.db).await.unwrap();
    store::indicators::refresh::refresh_all_pending(&app.db, today, 100).await.unwrap();
    assert_eq!(snapshot(&app).await, incremental);

    // Two months on without any write: the current loans' first installments (due ~10 days from
    // now) are ~50 days past due — at risk, not yet non-performing. The refresher re-marks the
    // villages with disbursed loans when the day changes.
    assert_eq!(stored(&app, D, "coop_loans_at_risk").await, 0);
    store::indicators::refresh::refresh_all_pending(&app.db, today + time::Duration::days(60), 100).await.unwrap();
    assert_eq!(stored(&app, A, "coop_loans_at_risk").await, 1_000_000);
    assert_eq!(stored(&app, D, "coop_loans_at_risk").await, 100_000);
    assert_eq!(stored(&app, "35", "coop_loans_at_risk").await, 100_000);
    assert_eq!(stored(&app, "", "coop_loans_at_risk").await, 1_100_000);
    assert_eq!(stored(&app, "", "coop_loans_nonperforming").await, 0);
    // Four months on, D's loan is ~110 days past due: non-performing (class 3 from 91 days).
    store::indicators::refresh::refresh_all_pending(&app.db, today + time::Duration::days(120), 100).await.unwrap();
    assert_eq!(stored(&app, D, "coop_loans_nonperforming").await, 100_000);
    let _ = admin;
}
