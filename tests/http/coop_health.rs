//! The cooperative health assessment (issue 20, track health): a small year of books posted
//! through the API, the worksheet read back and checked ratio by ratio against a hand
//! computation and the trial balance; the questionnaire; bad input; the page and downloads.

use crate::common::TestApp;
use serde_json::{Value, json};

const VILLAGE: &str = "53.07.01.2001";

fn ratio<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["ratios"].as_array().unwrap())
        .find(|l| l["code"] == code)
        .unwrap_or_else(|| panic!("no ratio {code}: {r}"))
}

#[tokio::test]
async fn health_worksheet_from_the_books() {
    let app = TestApp::spawn().await;
    let m1 = app.user_token("bendahara", "cooperative_manager", Some(VILLAGE)).await;
    let m2 = app.user_token("ketua", "cooperative_manager", Some(VILLAGE)).await;
    let (s, c) = app
        .post_json(
            "/api/v1/cooperatives",
            Some(&m1),
            &json!({"village_code": VILLAGE, "kind": "koperasi", "name": "Koperasi Sehat Bersama",
                    "founded_on": "2025-01-02",
                    "bylaws": {"pokok": 100000, "wajib_monthly": 20000, "max_principal": 5000000, "max_months": 12,
                               "min_rate_percent": 1, "max_rate_percent": 2, "shu_reserve": 40, "shu_members_by_savings": 20,
                               "shu_members_by_transactions": 20, "shu_board": 5, "shu_staff": 5, "shu_education": 5,
                               "shu_social": 5}}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let coop = c["id"].as_i64().unwrap();
    let base = format!("/api/v1/cooperatives/{coop}");
    let mut ids = vec![];
    for (name, joined) in [("Maria Goreti", "2025-01-05"), ("Yohanes Bosco", "2025-01-06")] {
        let (s, m) = app
            .post_json(&format!("{base}/members"), Some(&m1), &json!({"full_name": name, "joined_on": joined}))
            .await;
        assert_eq!(s, 201, "{m}");
        ids.push(m["id"].as_i64().unwrap());
    }
    for (m, kind, amount, date) in [
        (ids[0], "wajib", 20000, "2025-01-05"),
        (ids[0], "sukarela", 3_000_000, "2025-01-10"),
        (ids[1], "sukarela", 1_000_000, "2025-01-10"),
    ] {
        let body = json!({"member_id": m, "kind": kind, "direction": "deposit", "amount": amount, "date": date});
        let (s, r) = app.post_json(&format!("{base}/savings-transactions"), Some(&m1), &body).await;
        assert_eq!(s, 201, "{r}");
    }
    for (account, amount, date) in [
        ("other_income", 600_000, "2025-03-01"),
        ("staff_expense", 200_000, "2025-03-02"),
        ("operating_expense", 100_000, "2025-03-03"),
    ] {
        let body = json!({"account": account, "amount": amount, "memo": "uji", "date": date});
        let (s, r) = app.post_json(&format!("{base}/other-entries"), Some(&m1), &body).await;
        assert_eq!(s, 201, "{r}");
    }
    // A loan disbursed on 1 June and never repaid: 183 days past due on 31 December → macet.
    let body = json!({"member_id": ids[0], "principal": 2000000, "months": 12, "monthly_rate_percent": 1, "method": "flat", "purpose": "Warung", "date": "2025-06-01"});
    let (s, loan) = app.post_json(&format!("{base}/loans"), Some(&m1), &body).await;
    assert_eq!(s, 201, "{loan}");
    let lpath = format!("{base}/loans/{}", loan["id"]);
    assert_eq!(app.post_json(&format!("{lpath}/approve"), Some(&m2), &json!({"date": "2025-06-01"})).await.0, 200);
    assert_eq!(app.post_json(&format!("{lpath}/disburse"), Some(&m1), &json!({"date": "2025-06-01"})).await.0, 200);

    // The board's questionnaire: all twelve general-management questions "yes", the rest "no".
    let yes: Vec<String> = (1..=12).map(|n| format!("general_{n}")).collect();
    let (s, r) = app.put_json(&format!("{base}/health/2025/answers"), &m1, &json!({"yes": yes})).await;
    assert_eq!(s, 204, "{r}");

    let (s, r) = app.get_json(&format!("{base}/health/2025"), Some(&m1)).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["as_of"], "2025-12-31");
    assert_eq!(r["questionnaire_recorded"], true);

    // The figures agree with the trial balance of the same day.
    let (_, tb) = app.get_json(&format!("{base}/reports/trial-balance?as_of=2025-12-31"), Some(&m1)).await;
    let bal = |a: &str| {
        tb["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["account"] == a)
            .map_or(0, |x| x["debit"].as_i64().unwrap() - x["credit"].as_i64().unwrap())
    };
    // Kas: 2 × 100 000 pokok + 20 000 + 4 000 000 sukarela − 2 000 000 loan + 600 000 − 300 000.
    assert_eq!(bal("cash"), 2_520_000);
    assert_eq!(bal("loans_receivable"), 2_000_000);
    let assets = bal("cash") + bal("loans_receivable");
    assert_eq!(ratio(&r, "capital_to_assets")["denominator"], assets);
    // Own capital: pokok 200 000 + wajib 20 000 + the year's result 300 000.
    let own = -(bal("simpanan_pokok") + bal("simpanan_wajib")) + 300_000;
    assert_eq!(ratio(&r, "capital_to_assets")["numerator"], own);
    assert_eq!(r["loans_by_class"], json!([0, 0, 0, 0, 2_000_000]));
    assert_eq!(r["problem_loan_risk"], 2_000_000);
    assert_eq!(r["ppap_required"], 2_000_000, "macet at 100 %");
    // ATMR: loans at 100 %, cash at 0 %; modal tertimbang 220 000 + half of 300 000.
    assert_eq!(r["risk_weighted_assets"], 2_000_000);
    assert_eq!(r["weighted_capital"], 370_000);

    // (code, percent in hundredths, nilai, skor in hundredths, category) computed by hand.
    for (code, pct, nilai, score, cat) in [
        ("capital_to_assets", json!(1150), 25, 150, "dalam_pengawasan_khusus"), // 520 000 / 4 520 000
        ("capital_to_risky_loans", json!(2600), 20, 120, "dalam_pengawasan_khusus"),
        ("capital_adequacy", json!(1850), 100, 300, "sehat"),
        ("member_loans", json!(10000), 100, 1000, "sehat"),
        ("problem_loans", json!(10000), 0, 0, "dalam_pengawasan_khusus"),
        ("reserve_cover", json!(0), 0, 0, "dalam_pengawasan_khusus"),
        ("risky_loans", json!(10000), 25, 125, "dalam_pengawasan_khusus"),
        ("general", Value::Null, 100, 300, "sehat"),
        ("institution", Value::Null, 0, 0, "dalam_pengawasan_khusus"),
        ("member_cost", json!(0), 100, 400, "sehat"),
        ("operating_cost", json!(5000), 75, 300, "cukup_sehat"), // 300 000 / 600 000
        ("service_efficiency", json!(1000), 75, 150, "cukup_sehat"), // 200 000 / 2 000 000
        ("cash", json!(6300), 25, 250, "dalam_pengawasan_khusus"), // 2 520 000 / 4 000 000
        ("loans_to_funds", json!(4739), 25, 125, "dalam_pengawasan_khusus"), // 2 000 000 / 4 220 000
        ("return_on_assets", json!(664), 50, 150, "dalam_pengawasan_khusus"), // 300 000 / 4 520 000
        ("return_on_capital", json!(2308), 100, 300, "sehat"),   // 40 % × 300 000 / 520 000
        ("operational_self_reliance", json!(0), 25, 100, "dalam_pengawasan_khusus"),
        ("gross_participation", json!(0), 25, 175, "dalam_pengawasan_khusus"),
        ("member_promotion", json!(5455), 100, 300, "sehat"), // 120 000 / 220 000
    ] {
        let l = ratio(&r, code);
        assert_eq!(l["percent_cp"], pct, "{code}: {l}");
        assert_eq!((l["nilai"].as_i64().unwrap(), l["score_cp"].as_i64().unwrap()), (nilai, score), "{code}: {l}");
        assert_eq!(l["predicate"], cat, "{code}");
    }
    // 5.70 + 11.25 + 3 + 8.50 + 3.75 + 5.50 + 4.75 = 42.45
    assert_eq!(r["total_cp"], 4245);
    assert_eq!(r["predicate"], "dalam_pengawasan_khusus");

    // Bad input: a year before the founding, a year in the future, an unknown question; nothing saved.
    for (path, field) in [("health/2024", "year"), ("health/2999", "year"), ("health/abc", "year")] {
        let (s, e) = app.get_json(&format!("{base}/{path}"), Some(&m1)).await;
        assert_eq!(s, 422, "{path}: {e}");
        assert_eq!(e["errors"][0]["field"], field);
    }
    let (s, e) = app.put_json(&format!("{base}/health/2025/answers"), &m1, &json!({"yes": ["general_13"]})).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["field"], "answers");
    let (_, again) = app.get_json(&format!("{base}/health/2025"), Some(&m1)).await;
    assert_eq!(again["total_cp"], 4245, "the refused answers changed nothing");

    // Recorded for monitoring: counted per predicate in the village and every region above it.
    let (s, rec) = app.post_json(&format!("{base}/health/2025/record"), Some(&m1), &json!({})).await;
    assert_eq!(s, 200, "{rec}");
    assert_eq!(
        (rec["recorded_predicate"].as_str(), rec["recorded_total_cp"].as_i64()),
        (Some("dalam_pengawasan_khusus"), Some(4245))
    );
    for region in [VILLAGE, "53.07.01", "53.07", "53"] {
        let (s, b) = app.get_json(&format!("/api/v1/indicators?region_code={region}"), Some(&app.admin_token)).await;
        assert_eq!(s, 200, "{b}");
        let value = |k: &str| {
            b["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["key"] == k)
                .map(|i| i["value"].clone())
                .unwrap_or(Value::Null)
        };
        assert_eq!(value("coop_health_dalam_pengawasan_khusus"), json!(1), "{region}: {b}");
        assert!(
            matches!(value("coop_health_sehat"), Value::Null) || value("coop_health_sehat") == json!(0),
            "{region}"
        );
    }

    // Scope: another village's manager neither sees nor answers; a viewer in scope may read only.
    let other = app.user_token("lain", "cooperative_manager", Some("53.07.02.2001")).await;
    assert_eq!(app.get_json(&format!("{base}/health/2025"), Some(&other)).await.0, 404);
    assert_eq!(app.put_json(&format!("{base}/health/2025/answers"), &other, &json!({"yes": []})).await.0, 404);
    assert_eq!(app.post_json(&format!("{base}/health/2025/record"), Some(&other), &json!({})).await.0, 404);

    // Ratio 1b: the loan has neither collateral nor a guarantor, so all of it is at risk; with a
    // guarantor (another member) it no longer is (Kepmen 194/1998's "pinjaman berisiko").
    assert_eq!(ratio(&r, "capital_to_risky_loans")["denominator"], 2_000_000);
    let (s, g) = app.post_json(&format!("{lpath}/guarantors"), Some(&m1), &json!({"member_id": ids[1]})).await;
    assert_eq!(s, 201, "{g}");
    let (_, guaranteed) = app.get_json(&format!("{base}/health/2025"), Some(&m1)).await;
    assert_eq!(ratio(&guaranteed, "capital_to_risky_loans")["denominator"], 0, "{guaranteed}");
}

#[tokio::test]
async fn health_page_questionnaire_and_downloads() {
    use crate::common::Browser;
    let app = TestApp::spawn().await;
    app.create_user("kelola", "cooperative_manager", Some(VILLAGE)).await;
    let b = Browser::new(&app);
    b.login("kelola", "a-long-password").await;
    let csrf = b.csrf().await;
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
    let (s, html) = b.get(&format!("{home}/health?year=2025")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Penilaian kesehatan KSP/USP") && html.contains("id=\"health-predicate\""), "{html}");
    assert!(html.contains("id=\"health-no-answers\""), "the missing questionnaire is said");
    // Answer two questions; the page keeps them checked and drops the notice.
    let r = b
        .post_form(
            &format!("{home}/health/answers"),
            &[("_csrf", &csrf), ("year", "2025"), ("general_1", "1"), ("liquidity_5", "1")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = b.get(&format!("{home}/health?year=2025")).await;
    assert!(!html.contains("id=\"health-no-answers\""));
    assert!(
        html.contains("name=\"general_1\" value=\"1\" checked")
            && html.contains("name=\"liquidity_5\" value=\"1\" checked")
    );
    assert!(html.contains("name=\"general_2\" value=\"1\">"), "unanswered stays unchecked");
    let r = b.post_form(&format!("{home}/health/record"), &[("_csrf", &csrf), ("year", "2025")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = b.get(&format!("{home}/health?year=2025")).await;
    assert!(html.contains("id=\"health-recorded\""), "the recorded result is shown");
    // A bad year is refused on the page in Indonesian, not a 500.
    let r = b.post_form(&format!("{home}/health/answers"), &[("_csrf", &csrf), ("year", "1999")]).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("Tahun"));
    for (format, ctype) in [("pdf", "application/pdf"), ("xlsx", "spreadsheetml")] {
        let r = b.client.get(format!("{}{home}/health?year=2025&format={format}", b.base)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{format}");
        assert!(r.headers()["content-type"].to_str().unwrap().contains(ctype));
        assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    }
}
