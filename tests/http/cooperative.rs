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

// ---------------------------------------------------------------------------------------------
// Cooperatives, members, savings, loans and books (issue 5)

const VILLAGE: &str = "53.07.01.2001";

fn field_of(r: &serde_json::Value) -> Vec<String> {
    r["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

async fn expect_422(app: &TestApp, path: &str, t: &str, body: serde_json::Value, field: &str) -> serde_json::Value {
    let (s, r) = app.post_json(path, Some(t), &body).await;
    assert_eq!(s, 422, "{path} {body}: {r}");
    assert!(field_of(&r).iter().any(|f| f == field), "expected field {field}: {r}");
    assert!(r["errors"][0]["rule"].is_string(), "{r}");
    r
}

/// Sum of debits and credits from the trial balance; and a map account → signed balance.
async fn trial_balance(
    app: &TestApp,
    t: &str,
    coop: i64,
    as_of: &str,
) -> (serde_json::Value, std::collections::HashMap<String, i64>) {
    let (s, tb) =
        app.get_json(&format!("/api/v1/cooperatives/{coop}/reports/trial-balance?as_of={as_of}"), Some(t)).await;
    assert_eq!(s, 200, "{tb}");
    let mut m = std::collections::HashMap::new();
    for r in tb["rows"].as_array().unwrap() {
        m.insert(
            r["account"].as_str().unwrap().to_string(),
            r["debit"].as_i64().unwrap() - r["credit"].as_i64().unwrap(),
        );
    }
    (tb, m)
}

async fn setup(app: &TestApp) -> (String, String, i64) {
    let m1 = app.user_token("bendahara", "cooperative_manager", Some(VILLAGE)).await;
    let m2 = app.user_token("ketua", "cooperative_manager", Some(VILLAGE)).await;
    let (s, c) = app
        .post_json(
            "/api/v1/cooperatives",
            Some(&m1),
            &json!({"village_code": VILLAGE, "kind": "koperasi", "name": "Koperasi Desmigratif Masabewa",
                    "legal_number": "AHU-0001234.AH.01.26", "founded_on": "2025-01-02",
                    "bylaws": {"pokok": 100000, "wajib_monthly": 20000, "max_principal": 5000000, "max_months": 12,
                               "min_rate_percent": 1, "max_rate_percent": 2, "shu_reserve": 40, "shu_members_by_savings": 20,
                               "shu_members_by_transactions": 20, "shu_board": 5, "shu_staff": 5, "shu_education": 5,
                               "shu_social": 5}}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    (m1, m2, c["id"].as_i64().unwrap())
}

#[tokio::test]
async fn cooperative_operations_keep_the_books_right() {
    let app = TestApp::spawn().await;
    let (m1, m2, coop) = setup(&app).await;
    let base = format!("/api/v1/cooperatives/{coop}");

    // Members: one by name and NIK, one with the next number.
    let (s, a) = app
        .post_json(
            &format!("{base}/members"),
            Some(&m1),
            &json!({"full_name": "Maria Goreti", "nik": "5307015205900001", "joined_on": "2025-01-05"}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["member_number"], "0001");
    assert_eq!(a["balances"]["pokok"], 100000, "pokok posted on joining");
    let (s, b) = app
        .post_json(
            &format!("{base}/members"),
            Some(&m1),
            &json!({"full_name": "Yohanes Bosco", "joined_on": "2025-01-06"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (ma, mb) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    expect_422(
        &app,
        &format!("{base}/members"),
        &m1,
        json!({"full_name": "Dup", "nik": "5307015205900001"}),
        "member_number",
    )
    .await;
    expect_422(
        &app,
        &format!("{base}/members"),
        &m1,
        json!({"full_name": "Early", "joined_on": "2024-12-01"}),
        "joined_on",
    )
    .await;

    let sav = format!("{base}/savings-transactions");
    for (m, kind, amount, date) in [
        (ma, "wajib", 20000, "2025-01-05"),
        (ma, "sukarela", 3_000_000, "2025-01-10"),
        (mb, "wajib", 40000, "2025-02-06"),
        (mb, "sukarela", 1_000_000, "2025-01-10"),
    ] {
        let (s, r) = app
            .post_json(
                &sav,
                Some(&m1),
                &json!({"member_id": m, "kind": kind, "direction": "deposit", "amount": amount, "date": date}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
    }
    let (s, w) = app.post_json(&sav, Some(&m1), &json!({"member_id": ma, "kind": "sukarela", "direction": "withdrawal", "amount": "500000", "date": "2025-01-12"})).await;
    assert_eq!(s, 201, "{w}");
    // Bad savings input: each refused by field and rule, nothing posted.
    let (_, before) = trial_balance(&app, &m1, coop, "2026-01-01").await;
    expect_422(
        &app,
        &sav,
        &m1,
        json!({"member_id": ma, "kind": "sukarela", "direction": "deposit", "amount": 0}),
        "amount",
    )
    .await;
    expect_422(
        &app,
        &sav,
        &m1,
        json!({"member_id": ma, "kind": "sukarela", "direction": "deposit", "amount": -5}),
        "amount",
    )
    .await;
    let r = expect_422(
        &app,
        &sav,
        &m1,
        json!({"member_id": ma, "kind": "sukarela", "direction": "withdrawal", "amount": 2_500_001}),
        "amount",
    )
    .await;
    assert_eq!(r["errors"][0]["rule"], "out_of_range");
    expect_422(
        &app,
        &sav,
        &m1,
        json!({"member_id": ma, "kind": "wajib", "direction": "withdrawal", "amount": 1000}),
        "kind",
    )
    .await;
    expect_422(
        &app,
        &sav,
        &m1,
        json!({"member_id": ma, "kind": "pokok", "direction": "withdrawal", "amount": 1000}),
        "kind",
    )
    .await;
    expect_422(
        &app,
        &sav,
        &m1,
        json!({"member_id": ma, "kind": "pokok", "direction": "deposit", "amount": 100000}),
        "kind",
    )
    .await;
    expect_422(
        &app,
        &sav,
        &m1,
        json!({"member_id": ma, "kind": "sukarela", "direction": "deposit", "amount": 5, "date": "2999-01-01"}),
        "date",
    )
    .await;
    let (_, after) = trial_balance(&app, &m1, coop, "2026-01-01").await;
    assert_eq!(before, after, "refused operations leave nothing behind");

    // Loans: by-law limits, four-eyes approval, disbursement, late repayment.
    let loans = format!("{base}/loans");
    expect_422(&app, &loans, &m1, json!({"member_id": ma, "principal": 2000000, "months": 3, "monthly_rate_percent": 5, "method": "flat", "date": "2025-01-15"}), "monthly_rate_percent").await;
    expect_422(&app, &loans, &m1, json!({"member_id": ma, "principal": 9000000, "months": 3, "monthly_rate_percent": 1.5, "method": "flat", "date": "2025-01-15"}), "principal").await;
    expect_422(&app, &loans, &m1, json!({"member_id": ma, "principal": 2000000, "months": 36, "monthly_rate_percent": 1.5, "method": "flat", "date": "2025-01-15"}), "months").await;
    let (s, loan) = app.post_json(&loans, Some(&m1), &json!({"member_id": ma, "principal": 3000000, "months": 3, "monthly_rate_percent": 1, "method": "flat", "purpose": "Modal warung", "date": "2025-01-15"})).await;
    assert_eq!(s, 201, "{loan}");
    assert_eq!(loan["state"], "applied");
    assert_eq!(loan["installments"].as_array().unwrap().len(), 3, "schedule shown before approval");
    let lid = loan["id"].as_i64().unwrap();
    let lpath = format!("{loans}/{lid}");
    let r = expect_422(&app, &format!("{lpath}/approve"), &m1, json!({"date": "2025-01-16"}), "approver").await;
    assert_eq!(r["errors"][0]["rule"], "mismatch");
    expect_422(&app, &format!("{lpath}/disburse"), &m1, json!({"date": "2025-01-16"}), "loan_id").await;
    let (s, r) = app.post_json(&format!("{lpath}/approve"), Some(&m2), &json!({"date": "2025-01-16"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "approved");
    assert_eq!(r["decided_by"].as_i64().is_some(), true);
    let (s, r) = app.post_json(&format!("{lpath}/disburse"), Some(&m1), &json!({"date": "2025-01-20"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["installments"][0]["due_date"], "2025-02-20", "schedule from the disbursement date");
    // Leaving with an open loan is refused.
    expect_422(&app, &format!("{base}/members/{ma}/leave"), &m1, json!({"date": "2025-03-01"}), "member_id").await;

    // As of 30 June 2025 nothing was repaid: 130 days past due, doubtful (class 4).
    let (_, st) = app.get_json(&format!("{lpath}?as_of=2025-06-30"), Some(&m1)).await;
    assert_eq!(st["status"]["days_past_due"], 130, "{st}");
    assert_eq!(st["status"]["collectibility"], "doubtful");
    assert_eq!(st["status"]["non_performing"], true);
    let (_, c) = app.get_json(&base, Some(&m1)).await;
    assert_eq!(c["figures"]["par30_bp"], 10000, "{c}");
    // Repay late: 2 installments + a 15,000 penalty; allocation penalty → jasa → principal.
    expect_422(&app, &format!("{lpath}/repayments"), &m1, json!({"amount": 0, "date": "2025-06-30"}), "amount").await;
    expect_422(
        &app,
        &format!("{lpath}/repayments"),
        &m1,
        json!({"amount": 99_000_000, "date": "2025-06-30"}),
        "amount",
    )
    .await;
    let (s, r) = app
        .post_json(
            &format!("{lpath}/repayments"),
            Some(&m1),
            &json!({"amount": 2075000, "penalty": 15000, "date": "2025-06-30"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (_, st) = app.get_json(&format!("{lpath}?as_of=2025-06-30"), Some(&m1)).await;
    assert_eq!(st["status"]["paid_penalty"], 15000);
    assert_eq!(st["status"]["paid_interest"], 90000, "jasa due for three months is paid first: {st}");
    assert_eq!(st["status"]["paid_principal"], 1970000);
    assert_eq!(st["status"]["collectibility"], "substandard", "{st}");
    // Pay off the rest: the loan closes; a further repayment is refused.
    let payoff = st["status"]["payoff"].as_i64().unwrap();
    let (s, r) = app
        .post_json(&format!("{lpath}/repayments"), Some(&m1), &json!({"amount": payoff, "date": "2025-07-01"}))
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["state"], "closed");
    let r =
        expect_422(&app, &format!("{lpath}/repayments"), &m1, json!({"amount": 1000, "date": "2025-07-02"}), "loan_id")
            .await;
    assert!(r["errors"][0]["detail"].as_str().unwrap().contains("closed"), "{r}");

    // Other income and an expense.
    let (s, r) = app
        .post_json(
            &format!("{base}/other-entries"),
            Some(&m1),
            &json!({"account": "operating_expense", "amount": 35000, "memo": "ATK dan buku kas", "date": "2025-03-01"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");

    // The books: balanced; member savings on the ledger equal what was deposited.
    let (tb, acc) = trial_balance(&app, &m1, coop, "2025-12-31").await;
    assert_eq!(tb["balanced"], true);
    assert_eq!(tb["total_debit"], tb["total_credit"]);
    assert_eq!(acc.values().sum::<i64>(), 0, "trial balance nets to zero");
    let (_, va) = app.get_json(&format!("{base}/members/{ma}"), Some(&m1)).await;
    let (_, vb) = app.get_json(&format!("{base}/members/{mb}"), Some(&m1)).await;
    assert_eq!(va["balances"]["sukarela"], 2_500_000);
    assert_eq!(va["balances"]["wajib"], 20000);
    assert_eq!(vb["balances"]["sukarela"], 1_000_000);
    assert_eq!(va["balances"]["loans_outstanding"], 0);
    for (acct, key) in [("simpanan_pokok", "pokok"), ("simpanan_wajib", "wajib"), ("simpanan_sukarela", "sukarela")] {
        let members: i64 = va["balances"][key].as_i64().unwrap() + vb["balances"][key].as_i64().unwrap();
        assert_eq!(-acc[acct], members, "{acct}: the account equals the members' subsidiary balances");
    }
    let jasa = 90000 + st["status"]["owed_interest"].as_i64().unwrap();
    assert_eq!(-acc["jasa_income"], jasa);
    let (_, bs) = app.get_json(&format!("{base}/reports/balance-sheet?as_of=2025-12-31"), Some(&m1)).await;
    assert_eq!(bs["balanced"], true, "{bs}");
    let (_, is) =
        app.get_json(&format!("{base}/reports/income-statement?from=2025-01-01&to=2025-12-31"), Some(&m1)).await;
    assert_eq!(is["result"], jasa + 15000 - 35000, "{is}");

    // Wajib arrears: 20,000 a month since January; A paid one month.
    assert!(va["wajib_arrears"].as_i64().unwrap() >= 20000 * 10, "{va}");

    // Reversal: a deposit reversed once; twice is refused; a loan disbursement is not reversible.
    let (s, dep) = app
        .post_json(
            &sav,
            Some(&m1),
            &json!({"member_id": mb, "kind": "sukarela", "direction": "deposit", "amount": 7777, "date": "2025-08-01"}),
        )
        .await;
    assert_eq!(s, 201);
    let eid = dep["entry_id"].as_i64().unwrap();
    let (s, r) =
        app.post_json(&format!("{base}/journal/{eid}/reversal"), Some(&m1), &json!({"date": "2025-08-02"})).await;
    assert_eq!(s, 201, "{r}");
    expect_422(&app, &format!("{base}/journal/{eid}/reversal"), &m1, json!({"date": "2025-08-02"}), "entry_id").await;
    let (_, vb2) = app.get_json(&format!("{base}/members/{mb}"), Some(&m1)).await;
    assert_eq!(vb2["balances"]["sukarela"], 1_000_000, "the reversal restored the balance");

    // Period close: nothing can be posted on or before it.
    let (s, r) = app.post_json(&format!("{base}/period-closes"), Some(&m1), &json!({"through": "2025-09-30"})).await;
    assert_eq!(s, 201, "{r}");
    let r = expect_422(
        &app,
        &sav,
        &m1,
        json!({"member_id": ma, "kind": "sukarela", "direction": "deposit", "amount": 5, "date": "2025-09-30"}),
        "date",
    )
    .await;
    assert!(r["errors"][0]["detail"].as_str().unwrap().contains("closed"), "{r}");
    expect_422(&app, &format!("{base}/period-closes"), &m1, json!({"through": "2025-08-31"}), "through").await;

    // Year end and RAT: SHU from the income statement, shares add up to the rupiah.
    expect_422(
        &app,
        &format!("{base}/rat"),
        &m1,
        json!({"year": 2025, "held_on": "2026-02-14", "members_present": 2, "decisions": "Laporan diterima"}),
        "year",
    )
    .await;
    let (s, r) = app.post_json(&format!("{base}/year-closes"), Some(&m1), &json!({"year": 2025})).await;
    assert_eq!(s, 201, "{r}");
    let (_, acc_after) = trial_balance(&app, &m1, coop, "2025-12-31").await;
    assert!(!acc_after.contains_key("jasa_income"), "income closed into SHU");
    let shu = jasa + 15000 - 35000;
    assert_eq!(-acc_after["shu_current_year"], shu);
    expect_422(
        &app,
        &format!("{base}/rat"),
        &m1,
        json!({"year": 2025, "held_on": "2026-02-14", "members_present": 9, "decisions": "Laporan diterima"}),
        "members_present",
    )
    .await;
    let (s, rat) = app.post_json(&format!("{base}/rat"), Some(&m1), &json!({"year": 2025, "held_on": "2026-02-14", "members_present": 2, "decisions": "Laporan pengurus diterima; SHU dibagi sesuai AD/ART."})).await;
    assert_eq!(s, 201, "{rat}");
    assert_eq!(rat["shu_amount"], shu);
    let funds: i64 = rat["funds"].as_array().unwrap().iter().map(|f| f[1].as_i64().unwrap()).sum();
    assert_eq!(funds, shu, "the funds add up to the SHU");
    let pool: i64 = rat["funds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f[0].as_str().unwrap().starts_with("members"))
        .map(|f| f[1].as_i64().unwrap())
        .sum();
    let shares: i64 = rat["shares"].as_array().unwrap().iter().map(|s| s["total"].as_i64().unwrap()).sum();
    assert_eq!(shares, pool, "members' shares add up to the members' part to the rupiah");
    let a_share = rat["shares"].as_array().unwrap().iter().find(|s| s["member_id"] == ma).unwrap();
    assert!(a_share["by_transactions"].as_i64().unwrap() > 0, "A paid all the jasa: {rat}");
    let b_share = rat["shares"].as_array().unwrap().iter().find(|s| s["member_id"] == mb).unwrap();
    assert_eq!(b_share["by_transactions"], 0);
    expect_422(
        &app,
        &format!("{base}/rat"),
        &m1,
        json!({"year": 2025, "held_on": "2026-02-15", "members_present": 2, "decisions": "Lagi"}),
        "year",
    )
    .await;
    let (tb, _) = trial_balance(&app, &m1, coop, "2026-02-14").await;
    assert_eq!(tb["balanced"], true);
    assert_eq!(tb["total_debit"], tb["total_credit"]);
    let (_, va) = app.get_json(&format!("{base}/members/{ma}"), Some(&m1)).await;
    assert_eq!(va["balances"]["shu_payable"], a_share["total"]);

    // Leaving: savings and SHU returned in one entry; the member stays on the list as left.
    let (s, r) = app.post_json(&format!("{base}/members/{mb}/leave"), Some(&m1), &json!({"date": "2026-03-01"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["left_on"], "2026-03-01");
    assert_eq!(r["balances"]["sukarela"], 0);
    assert_eq!(r["balances"]["pokok"], 0);
    expect_422(
        &app,
        &sav,
        &m1,
        json!({"member_id": mb, "kind": "sukarela", "direction": "deposit", "amount": 5}),
        "member_id",
    )
    .await;
    let (tb, _) = trial_balance(&app, &m1, coop, "2026-12-31").await;
    assert_eq!(tb["total_debit"], tb["total_credit"]);
    // track multi: the running balances equal the lines after all of the above.
    crate::multi::running_balances_match(&app.db).await;
}

#[tokio::test]
async fn journal_lines_cannot_be_changed_in_the_database() {
    let app = TestApp::spawn().await;
    let (m1, _, coop) = setup(&app).await;
    let (s, _) = app
        .post_json(
            &format!("/api/v1/cooperatives/{coop}/members"),
            Some(&m1),
            &json!({"full_name": "Maria Goreti", "joined_on": "2025-01-05"}),
        )
        .await;
    assert_eq!(s, 201);
    for sql in [
        "UPDATE coop_journal_lines SET credit = credit + 1",
        "DELETE FROM coop_journal_lines",
        "UPDATE coop_journal_entries SET memo = 'edited'",
        "DELETE FROM coop_journal_entries",
    ] {
        let r = match &app.db {
            store::Db::Sqlite(p, _) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
            store::Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        };
        let e = r.expect_err(sql).to_string();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
    let (_, tb) = app.get_json(&format!("/api/v1/cooperatives/{coop}/reports/trial-balance"), Some(&m1)).await;
    assert_eq!(tb["total_debit"], 100000);
}

#[tokio::test]
async fn cooperative_access_by_role_and_region() {
    let app = TestApp::spawn().await;
    let (m1, _, coop) = setup(&app).await;
    let base = format!("/api/v1/cooperatives/{coop}");
    let officer = app.user_token("petugas", "village_officer", Some(VILLAGE)).await;
    let regency = app.user_token("disnaker", "regency_officer", Some("53.07")).await;
    let other = app.user_token("lain", "cooperative_manager", Some("53.07.02.2001")).await;
    let partner = app.user_token("mitra", "partner", Some("53")).await;
    // View in scope; manage only the village's cooperative manager.
    assert_eq!(app.get_json(&base, Some(&officer)).await.0, 200);
    assert_eq!(app.get_json(&base, Some(&regency)).await.0, 200);
    assert_eq!(app.get_json(&base, Some(&other)).await.0, 404);
    assert_eq!(app.get_json(&base, Some(&partner)).await.0, 404);
    let member = json!({"full_name": "Maria Goreti", "joined_on": "2025-01-05"});
    assert_eq!(app.post_json(&format!("{base}/members"), Some(&officer), &member).await.0, 403);
    assert_eq!(app.post_json(&format!("{base}/members"), Some(&regency), &member).await.0, 403);
    let (s, m) = app.post_json(&format!("{base}/members"), Some(&m1), &member).await;
    assert_eq!(s, 201);
    // A member view is personal data: audited.
    let mid = m["id"].as_i64().unwrap();
    assert_eq!(app.get_json(&format!("{base}/members/{mid}"), Some(&officer)).await.0, 200);
    let (_, log) = app.get_json("/api/v1/audit?action=cooperative.member_view", Some(&app.admin_token)).await;
    assert!(log.to_string().contains("cooperative.member_view"), "{log}");
    // Founding in another village is refused.
    let (s, r) = app
        .post_json(
            "/api/v1/cooperatives",
            Some(&m1),
            &json!({"village_code": "53.07.02.2001", "kind": "koperasi", "name": "Lain", "founded_on": "2025-01-01"}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(field_of(&r), ["village_code"]);
    assert_eq!(
        app.post_json(
            "/api/v1/cooperatives",
            Some(&officer),
            &json!({"village_code": VILLAGE, "kind": "koperasi", "name": "X Y Z", "founded_on": "2025-01-01"})
        )
        .await
        .0,
        403
    );
    // The list is scoped.
    let (_, l) = app.get_json("/api/v1/cooperatives", Some(&regency)).await;
    assert_eq!(l.as_array().unwrap().len(), 1);
    let (_, l) = app.get_json("/api/v1/cooperatives", Some(&other)).await;
    assert_eq!(l.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn cooperative_pages_work_without_javascript() {
    use crate::common::Browser;
    let app = TestApp::spawn().await;
    app.create_user("kelola", "cooperative_manager", Some(VILLAGE)).await;
    app.create_user("setuju", "cooperative_manager", Some(VILLAGE)).await;
    let b = Browser::new(&app);
    b.login("kelola", "a-long-password").await;
    let csrf = b.csrf().await;
    let (s, html) = b.get(&format!("/regions/{VILLAGE}")).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("/regions/{VILLAGE}/cooperatives")), "village page links its cooperatives");
    let r = b
        .post_form(
            &format!("/regions/{VILLAGE}/cooperatives"),
            &[
                ("_csrf", &csrf),
                ("name", "Koperasi Sejahtera"),
                ("kind", "koperasi"),
                ("legal_number", ""),
                ("founded_on", "2025-01-02"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let home = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let (s, html) = b.get(&home).await;
    assert_eq!(s, 200);
    assert!(html.contains("Koperasi Sejahtera") && html.contains("PAR30"));
    // Bad input re-shows the form with 422.
    let r = b
        .post_form(&format!("{home}/members"), &[("_csrf", &csrf), ("full_name", ""), ("joined_on", "2025-01-05")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let r = b
        .post_form(
            &format!("{home}/members"),
            &[("_csrf", &csrf), ("full_name", "Maria Goreti"), ("joined_on", "2025-01-05")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let member = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let r = b
        .post_form(
            &format!("{member}/savings"),
            &[
                ("_csrf", &csrf),
                ("direction", "deposit"),
                ("kind", "sukarela"),
                ("amount", "5000000"),
                ("date", "2025-01-10"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = b
        .post_form(
            &format!("{member}/savings"),
            &[
                ("_csrf", &csrf),
                ("direction", "withdrawal"),
                ("kind", "wajib"),
                ("amount", "1000"),
                ("date", "2025-01-10"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("kind"));
    let loan = [
        ("_csrf", csrf.as_str()),
        ("principal", "1200000"),
        ("months", "12"),
        ("monthly_rate_percent", "2"),
        ("method", "flat"),
        ("purpose", "Warung"),
        ("date", "2025-01-15"),
    ];
    let mut preview = loan.to_vec();
    preview.push(("action", "preview"));
    let r = b.post_form(&format!("{member}/loans"), &preview).await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("schedule-preview") && html.contains("Rp 24.000"), "preview shows the schedule");
    let mut apply = loan.to_vec();
    apply.push(("action", "apply"));
    let r = b.post_form(&format!("{member}/loans"), &apply).await;
    assert_eq!(r.status().as_u16(), 303);
    let loan_page = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    // The one who entered the application is not offered "Setujui", only "Tolak" and why.
    let (_, html) = b.get(&loan_page).await;
    assert!(html.contains("id=\"loan-decide\"") && html.contains("id=\"own-application\""), "{html}");
    assert!(!html.contains("/approve\""), "no approve button or form for the applicant: {html}");
    let r = b.post_form(&format!("{loan_page}/approve"), &[("_csrf", &csrf), ("date", "2025-01-16")]).await;
    assert_eq!(r.status().as_u16(), 422, "four-eyes on the page too");
    for path in ["/members", "/loans", "/books", "/journal", "/cash-book?from=2025-01-01", "/rat"] {
        let (s, _) = b.get(&format!("{home}{path}")).await;
        assert_eq!(s, 200, "{path}");
    }
    for (path, ctype) in [
        (format!("{member}/statement?format=pdf"), "application/pdf"),
        (format!("{member}/statement?format=xlsx"), "spreadsheetml"),
        (format!("{home}/reports/trial-balance?format=pdf"), "application/pdf"),
        (format!("{home}/reports/balance-sheet?format=xlsx"), "spreadsheetml"),
        (format!("{home}/reports/income-statement?format=pdf&from=2025-01-01&to=2025-12-31"), "application/pdf"),
        (format!("{home}/reports/transactions?format=csv&from=2025-01-01&to=2025-12-31"), "text/csv"),
    ] {
        let r = b.client.get(format!("{}{path}", b.base)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().contains(ctype), "{path}");
        assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    }
    let csv = b
        .client
        .get(format!("{}{home}/reports/transactions?format=csv&from=2025-01-01&to=2025-12-31", b.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("entry_id,date,operation"), "{csv}");
    assert!(csv.contains("5000000"), "{csv}");
    // Another manager approves on the page.
    let b2 = Browser::new(&app);
    b2.login("setuju", "a-long-password").await;
    let csrf2 = b2.csrf().await;
    let (_, html) = b2.get(&loan_page).await;
    assert!(html.contains("/approve\"") && !html.contains("id=\"own-application\""), "another manager may approve");
    let r = b2.post_form(&format!("{loan_page}/approve"), &[("_csrf", &csrf2), ("date", "2025-01-16")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = b2.get(&loan_page).await;
    assert!(html.contains("Disetujui"), "approved");
    assert!(!html.contains("id=\"own-application\""));
}

#[tokio::test]
async fn openapi_documents_the_cooperative_routes() {
    let app = TestApp::spawn().await;
    let (s, doc) = app.get_json("/api/v1/openapi.json", None).await;
    assert_eq!(s, 200);
    for (path, method) in [
        ("/api/v1/loan-schedules", "post"),
        ("/api/v1/cooperatives", "get"),
        ("/api/v1/cooperatives", "post"),
        ("/api/v1/cooperatives/{id}", "get"),
        ("/api/v1/cooperatives/{id}/bylaws/{year}", "put"),
        ("/api/v1/cooperatives/{id}/members", "post"),
        ("/api/v1/cooperatives/{id}/members/{member_id}", "get"),
        ("/api/v1/cooperatives/{id}/members/{member_id}/leave", "post"),
        ("/api/v1/cooperatives/{id}/savings-transactions", "post"),
        ("/api/v1/cooperatives/{id}/loans", "post"),
        ("/api/v1/cooperatives/{id}/loans/{loan_id}", "get"),
        ("/api/v1/cooperatives/{id}/loans/{loan_id}/approve", "post"),
        ("/api/v1/cooperatives/{id}/loans/{loan_id}/disburse", "post"),
        ("/api/v1/cooperatives/{id}/loans/{loan_id}/repayments", "post"),
        ("/api/v1/cooperatives/{id}/reports/trial-balance", "get"),
        ("/api/v1/cooperatives/{id}/reports/balance-sheet", "get"),
        ("/api/v1/cooperatives/{id}/reports/income-statement", "get"),
        ("/api/v1/cooperatives/{id}/journal/{entry_id}/reversal", "post"),
        ("/api/v1/cooperatives/{id}/period-closes", "post"),
        ("/api/v1/cooperatives/{id}/year-closes", "post"),
        ("/api/v1/cooperatives/{id}/rat", "post"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} missing");
    }
    let (s, _) = app.get_json("/api/docs", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn concurrent_withdrawals_never_overdraw() {
    let app = TestApp::spawn().await;
    let (m1, _, coop) = setup(&app).await;
    let base = format!("/api/v1/cooperatives/{coop}");
    let (_, m) = app
        .post_json(
            &format!("{base}/members"),
            Some(&m1),
            &json!({"full_name": "Maria Goreti", "joined_on": "2025-01-05"}),
        )
        .await;
    let mid = m["id"].as_i64().unwrap();
    let sav = format!("{base}/savings-transactions");
    let (s, _) = app
        .post_json(
            &sav,
            Some(&m1),
            &json!({"member_id": mid, "kind": "sukarela", "direction": "deposit", "amount": 300000}),
        )
        .await;
    assert_eq!(s, 201);
    // Twenty withdrawals of 100,000 at once (more than the pool's connections): three fit.
    let body = json!({"member_id": mid, "kind": "sukarela", "direction": "withdrawal", "amount": 100000});
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (client, url, token, body) = (app.client.clone(), app.url(&sav), m1.clone(), body.clone());
        set.spawn(async move {
            let r = client.post(url).bearer_auth(token).json(&body).send().await.expect("send");
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap_or_default())
        });
    }
    let results: Vec<(u16, serde_json::Value)> = set.join_all().await;
    let ok = results.iter().filter(|(s, _)| *s == 201).count();
    let refused = results.iter().filter(|(s, r)| *s == 422 && r["errors"][0]["field"] == "amount").count();
    assert_eq!((ok, refused), (3, 17), "{results:?}");
    let (_, v) = app.get_json(&format!("{base}/members/{mid}"), Some(&m1)).await;
    assert_eq!(v["balances"]["sukarela"], 0);
}
