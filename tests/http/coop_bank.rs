//! Cash and bank of a cooperative (issue 20, track bank): bank accounts as the subsidiary ledger
//! of account 1102, transfers, statement import, matching and a reconciliation checked against a
//! hand computation, on SQLite and PostgreSQL.

use crate::common::TestApp;
use serde_json::{Value, json};

const VILLAGE: &str = "53.07.01.2001";

fn fields(r: &Value) -> Vec<String> {
    r["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

async fn refused(app: &TestApp, path: &str, t: &str, body: Value, field: &str) {
    let (s, r) = app.post_json(path, Some(t), &body).await;
    assert_eq!(s, 422, "{path} {body}: {r}");
    assert!(fields(&r).iter().any(|f| f == field), "expected field {field}: {r}");
}

/// account code → debit minus credit, from the trial balance as of a day.
async fn trial_balance(app: &TestApp, t: &str, coop: i64, as_of: &str) -> std::collections::HashMap<String, i64> {
    let (s, tb) =
        app.get_json(&format!("/api/v1/cooperatives/{coop}/reports/trial-balance?as_of={as_of}"), Some(t)).await;
    assert_eq!(s, 200, "{tb}");
    assert_eq!(tb["balanced"], true, "{tb}");
    tb["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["account"].as_str().unwrap().to_string(), r["debit"].as_i64().unwrap() - r["credit"].as_i64().unwrap())
        })
        .collect()
}

const BRI_MARCH: &str = "Nomor Rekening;012301000456509\n\
Periode;01/03/2026 - 31/03/2026\n\
Tanggal;Keterangan;Debet;Kredit;Saldo\n\
01/03/2026;SALDO AWAL;;;0,00\n\
02/03/2026;SETORAN TUNAI;;5.000.000,00;5.000.000,00\n\
03/03/2026;PINDAH BUKU KE MANDIRI;1.250.000,00;;3.750.000,00\n\
05/03/2026;BIAYA ADMINISTRASI;6.500,00;;3.743.500,00\n\
28/03/2026;BIAYA SMS BANKING;2.000,00;;3.741.500,00\n\
31/03/2026;BUNGA;;1.234,00;3.742.734,00\n";

#[tokio::test]
async fn bank_accounts_transfers_statement_and_reconciliation() {
    let app = TestApp::spawn().await;
    let m = app.user_token("bendahara-bank", "cooperative_manager", Some(VILLAGE)).await;
    let (s, c) = app
        .post_json(
            "/api/v1/cooperatives",
            Some(&m),
            &json!({"village_code": VILLAGE, "kind": "koperasi", "name": "Koperasi Desmigratif Bank",
                    "founded_on": "2025-01-02"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let coop = c["id"].as_i64().unwrap();
    let base = format!("/api/v1/cooperatives/{coop}");

    // Bank accounts, and refusals naming the field.
    let open = |bank: &str, number: &str| {
        json!({"bank_name": bank, "branch": "Unit Masabewa", "account_number": number,
               "account_name": "Koperasi Desmigratif Bank", "opened_on": "2026-03-01"})
    };
    let (s, bri) = app.post_json(&format!("{base}/bank-accounts"), Some(&m), &open("BRI", "0123-01-000456-50-9")).await;
    assert_eq!(s, 201, "{bri}");
    assert_eq!(bri["account_number"], "012301000456509");
    let (s, mandiri) =
        app.post_json(&format!("{base}/bank-accounts"), Some(&m), &open("Mandiri", "1610001234567")).await;
    assert_eq!(s, 201, "{mandiri}");
    let (bri, mandiri) = (bri["id"].as_i64().unwrap(), mandiri["id"].as_i64().unwrap());
    refused(&app, &format!("{base}/bank-accounts"), &m, open("BRI", "0123 01 000456 50 9"), "account_number").await;
    refused(&app, &format!("{base}/bank-accounts"), &m, open("BNI", "12a"), "account_number").await;
    let mut future = open("BNI", "9988776655");
    future["opened_on"] = json!("2999-01-01");
    refused(&app, &format!("{base}/bank-accounts"), &m, future, "opened_on").await;

    // Transfers and entries through a bank.
    let transfer = |kind: &str, from: Option<i64>, to: Option<i64>, amount: i64, date: &str| {
        json!({"kind": kind, "from_bank_account_id": from, "to_bank_account_id": to, "amount": amount,
               "memo": format!("{kind} {date}"), "date": date})
    };
    let tr = format!("{base}/bank-transfers");
    for body in [
        transfer("cash_to_bank", None, Some(bri), 5_000_000, "2026-03-02"),
        transfer("bank_to_bank", Some(bri), Some(mandiri), 1_250_000, "2026-03-03"),
        transfer("bank_to_cash", Some(mandiri), None, 250_000, "2026-03-06"),
        transfer("cash_to_bank", None, Some(bri), 200_000, "2026-03-31"),
    ] {
        let (s, r) = app.post_json(&tr, Some(&m), &body).await;
        assert_eq!(s, 201, "{body}: {r}");
    }
    let entry = format!("{base}/bank-accounts/{bri}/entries");
    for body in [
        json!({"account": "operating_expense", "amount": "6.500", "memo": "Biaya administrasi bank", "date": "2026-03-05"}),
        json!({"account": "staff_expense", "amount": 300000, "memo": "Honor pengelola (cek)", "date": "2026-03-30"}),
    ] {
        let (s, r) = app.post_json(&entry, Some(&m), &body).await;
        assert_eq!(s, 201, "{body}: {r}");
    }
    // Bad input posts nothing.
    let before = trial_balance(&app, &m, coop, "2026-03-31").await;
    refused(&app, &tr, &m, transfer("bank_to_bank", Some(bri), Some(bri), 1, "2026-03-10"), "to_bank_account_id").await;
    refused(&app, &tr, &m, transfer("cash_to_bank", None, Some(bri), 0, "2026-03-10"), "amount").await;
    refused(&app, &tr, &m, transfer("cash_to_bank", None, Some(bri), 10, "2026-02-27"), "date").await;
    refused(&app, &tr, &m, transfer("cash_to_bank", None, None, 10, "2026-03-10"), "to_bank_account_id").await;
    refused(&app, &tr, &m, transfer("teleport", None, Some(bri), 10, "2026-03-10"), "kind").await;
    refused(&app, &entry, &m, json!({"account": "cash", "amount": 5, "memo": "xyz", "date": "2026-03-10"}), "account")
        .await;
    assert_eq!(trial_balance(&app, &m, coop, "2026-03-31").await, before);

    // Hand-computed: BRI 5,000,000 − 1,250,000 − 6,500 − 300,000 + 200,000 = 3,643,500;
    // Mandiri 1,250,000 − 250,000 = 1,000,000; account 1102 is their sum, 4,643,500.
    let tb = before;
    assert_eq!(tb["bank"], 4_643_500);
    assert_eq!(tb["cash"], -5_000_000 + 250_000 - 200_000);
    let (_, list) = app.get_json(&format!("{base}/bank-accounts"), Some(&m)).await;
    let balances: Vec<i64> = list.as_array().unwrap().iter().map(|a| a["balance"].as_i64().unwrap()).collect();
    assert_eq!(balances, [3_643_500, 1_000_000]);
    assert_eq!(balances.iter().sum::<i64>(), tb["bank"], "the bank accounts add up to account 1102");

    // Statement import: a preview writes nothing; the same file twice imports nothing new.
    let stmt = format!("{base}/bank-accounts/{bri}/statements");
    let (s, p) = app.post_json(&stmt, Some(&m), &json!({"csv": BRI_MARCH, "file_name": "bri-maret.csv"})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!((p["imported"].as_bool(), p["new_lines"].as_i64()), (Some(false), Some(5)), "{p}");
    assert_eq!(p["mapping"]["debit"], "Debet");
    assert_eq!(p["mapping"]["balance"], "Saldo");
    assert_eq!(p["refused"], json!([{"row": 4, "reason": "no_amount", "detail": "no amount"}]));
    let lines_url = format!("{base}/bank-accounts/{bri}/statement-lines?from=2026-03-01&to=2026-03-31");
    assert_eq!(app.get_json(&lines_url, Some(&m)).await.1, json!([]));
    let confirm = json!({"csv": BRI_MARCH, "file_name": "bri-maret.csv", "confirm": true});
    let (s, p) = app.post_json(&stmt, Some(&m), &confirm).await;
    assert_eq!((s, p["imported"].as_bool(), p["new_lines"].as_i64()), (200, Some(true), Some(5)), "{p}");
    let (_, p) = app.post_json(&stmt, Some(&m), &confirm).await;
    assert_eq!((p["new_lines"].as_i64(), p["known_lines"].as_i64()), (Some(0), Some(5)), "{p}");
    refused(&app, &stmt, &m, json!({"csv": "just,some\ntext,here\n"}), "file").await;

    // Suggested matches: the deposit, the transfer out and the charge (same amount, direction,
    // dates close); the cheque, the late deposit, the SMS fee and the interest stay open.
    let (_, sug) = app.get_json(&format!("{base}/bank-accounts/{bri}/match-suggestions"), Some(&m)).await;
    let amounts: Vec<i64> = sug.as_array().unwrap().iter().map(|x| x["amount"].as_i64().unwrap()).collect();
    assert_eq!(amounts, [5_000_000, 1_250_000, 6_500], "{sug}");
    let (s, r) =
        app.post_json(&format!("{base}/bank-accounts/{bri}/match-suggestions/accept"), Some(&m), &json!({})).await;
    assert_eq!((s, r["matched"].as_i64()), (200, Some(3)), "{r}");

    // The reconciliation as of 31 March (statement balance from the last Saldo), hand-computed:
    // adjusted statement 3,742,734 + 200,000 − 300,000 = 3,642,734;
    // adjusted books 3,643,500 + 1,234 − 2,000 = 3,642,734.
    let rec = format!("{base}/bank-accounts/{bri}/reconciliation?date=2026-03-31");
    let (s, r) = app.get_json(&rec, Some(&m)).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["statement_balance"].as_i64(), r["book_balance"].as_i64()),
        (Some(3_742_734), Some(3_643_500)),
        "{r}"
    );
    let total = |k: &str| r[k].as_array().unwrap().iter().map(|x| x["amount"].as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!(
        (total("uncredited"), total("unpresented"), total("unbooked_in"), total("unbooked_out")),
        (vec![200_000], vec![300_000], vec![1_234], vec![2_000])
    );
    assert_eq!((r["adjusted_statement"].as_i64(), r["difference"].as_i64()), (Some(3_642_734), Some(0)), "{r}");
    let finals = format!("{base}/bank-accounts/{bri}/reconciliations");
    refused(&app, &finals, &m, json!({"date": "2026-03-31", "statement_balance": "3.742.000"}), "statement_balance")
        .await;

    // Entries for the statement lines not in the books: the treasurer picks the account.
    let (_, lines) = app.get_json(&lines_url, Some(&m)).await;
    let line_of = |amount: i64| {
        lines.as_array().unwrap().iter().find(|l| l["amount"] == amount).map(|l| l["id"].as_i64().unwrap()).unwrap()
    };
    let (interest, sms) = (line_of(1_234), line_of(2_000));
    let from_line = |id: i64| format!("{base}/bank-accounts/{bri}/statement-lines/{id}/entry");
    refused(&app, &from_line(interest), &m, json!({"account": "operating_expense"}), "account").await;
    let (s, r) =
        app.post_json(&from_line(interest), Some(&m), &json!({"account": "other_income", "memo": "Bunga Maret"})).await;
    assert_eq!(s, 201, "{r}");
    let (s, r) = app.post_json(&from_line(sms), Some(&m), &json!({"account": "operating_expense"})).await;
    assert_eq!(s, 201, "{r}");
    let (_, r) = app.get_json(&rec, Some(&m)).await;
    assert_eq!((r["book_balance"].as_i64(), r["adjusted_book"].as_i64()), (Some(3_642_734), Some(3_642_734)), "{r}");
    assert_eq!((&r["unbooked_in"], &r["unbooked_out"]), (&json!([]), &json!([])));
    let (s, r) = app.post_json(&finals, Some(&m), &json!({"date": "2026-03-31"})).await;
    assert_eq!((s, r["difference"].as_i64()), (201, Some(0)), "{r}");
    assert!(r["reconciliation_id"].as_i64().is_some(), "{r}");

    // Finalised: its matches are locked, nothing is posted on or before its date.
    let (s, r) = app
        .client
        .delete(app.url(&format!("{base}/bank-accounts/{bri}/matches/{interest}")))
        .bearer_auth(&m)
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .unwrap();
    assert_eq!(s, 422, "{:?}", r.text().await);
    refused(
        &app,
        &entry,
        &m,
        json!({"account": "operating_expense", "amount": 1, "memo": "Late", "date": "2026-03-31"}),
        "date",
    )
    .await;
    refused(&app, &finals, &m, json!({"date": "2026-03-31"}), "date").await;

    // The books: bank 3,642,734 + 1,000,000; income and expenses as posted.
    let tb = trial_balance(&app, &m, coop, "2026-03-31").await;
    assert_eq!(tb["bank"], 4_642_734);
    assert_eq!((tb["other_income"], tb["operating_expense"], tb["staff_expense"]), (-1_234, 8_500, 300_000));
    let (_, book) =
        app.get_json(&format!("{base}/bank-accounts/{bri}/book?from=2026-03-01&to=2026-03-31"), Some(&m)).await;
    assert_eq!((book["opening"].as_i64(), book["closing"].as_i64()), (Some(0), Some(3_642_734)), "{book}");
    assert_eq!(book["lines"].as_array().unwrap().len(), 7);

    // Manual matching on Mandiri (a Mutasi column with CR/DB, no year in the dates).
    let csv = "Tanggal,Keterangan,Mutasi,Saldo\n03/03,PINDAH BUKU DARI BRI,\"1,250,000.00 CR\",\"1,250,000.00\"\n\
               07/03,TARIK TUNAI,\"250,000.00 DB\",\"1,000,000.00\"\n";
    let (s, p) = app
        .post_json(
            &format!("{base}/bank-accounts/{mandiri}/statements"),
            Some(&m),
            &json!({"csv": csv, "year": 2026, "confirm": true}),
        )
        .await;
    assert_eq!((s, p["new_lines"].as_i64()), (200, Some(2)), "{p}");
    let (_, mbook) =
        app.get_json(&format!("{base}/bank-accounts/{mandiri}/book?from=2026-03-01&to=2026-03-31"), Some(&m)).await;
    let book_line = |amount: i64| {
        mbook["lines"].as_array().unwrap().iter().find(|l| l["money_in"] == amount || l["money_out"] == amount).unwrap()
            ["journal_line_id"]
            .as_i64()
            .unwrap()
    };
    let (_, mlines) = app
        .get_json(&format!("{base}/bank-accounts/{mandiri}/statement-lines?from=2026-03-01&to=2026-03-31"), Some(&m))
        .await;
    let withdrawal = mlines[1]["id"].as_i64().unwrap();
    let matches = format!("{base}/bank-accounts/{mandiri}/matches");
    refused(
        &app,
        &matches,
        &m,
        json!({"statement_line_id": withdrawal, "journal_line_id": book_line(1_250_000)}),
        "journal_line_id",
    )
    .await;
    let (s, r) = app
        .post_json(&matches, Some(&m), &json!({"statement_line_id": withdrawal, "journal_line_id": book_line(250_000)}))
        .await;
    assert_eq!(s, 201, "{r}");
    let del = app.url(&format!("{matches}/{withdrawal}"));
    assert_eq!(app.client.delete(&del).bearer_auth(&m).send().await.unwrap().status().as_u16(), 204);
    assert_eq!(app.client.delete(&del).bearer_auth(&m).send().await.unwrap().status().as_u16(), 422);

    // Another village's manager sees nothing.
    let other = app.user_token("bendahara-lain", "cooperative_manager", Some("53.07.02.2001")).await;
    assert_eq!(app.get_json(&format!("{base}/bank-accounts"), Some(&other)).await.0, 404);
}
