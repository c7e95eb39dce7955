//! Monitoring of pillars 2 (productive enterprise) and 3 (community parenting) and of referrals
//! to partners: indicator values at village, district, regency, province and nation written
//! from known operations through the API, pillar status turning active when the seeded
//! criteria are met, counts staying right after edits and deletions (and equal to a rebuild),
//! and running businesses crossing 6 / 12 months when the calendar moves.

use crate::common::TestApp;
use serde_json::{Value, json};

const A: &str = "53.07.01.2001";
const B: &str = "53.07.01.2003";
const C: &str = "53.07.02.2001";
const D: &str = "35.12.01.2001";

fn days_ago(n: i64) -> String {
    (crate::common::today() - time::Duration::days(n)).to_string()
}

fn month_ago(n: i32) -> String {
    let t = crate::common::today();
    let total = t.year() * 12 + (t.month() as i32 - 1) - n;
    format!("{:04}-{:02}", total.div_euclid(12), total.rem_euclid(12) + 1)
}

async fn exec(app: &TestApp, sql: &str) {
    store::on_db!(&app.db, p => sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(p).await.map(|_| ()))
        .unwrap();
}

async fn post(app: &TestApp, token: &str, url: &str, body: Value, want: u16) -> Value {
    let (s, b) = app.post_json(url, Some(token), &body).await;
    assert_eq!(s, want, "{url}: {b}");
    b
}

async fn person(app: &TestApp, serial: u32, village: &str, category: &str) -> i64 {
    let nik = format!("5307015205900{serial:03}");
    let p = post(
        app,
        &app.admin_token,
        "/api/v1/persons",
        json!({"nik": nik, "full_name": format!("Maria Goreti {serial}"), "sex": "P", "birth_date": "1990-05-12",
               "village_code": village, "category": category, "confirm_warnings": true}),
        201,
    )
    .await;
    p["id"].as_i64().unwrap()
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

async fn pillar_status(app: &TestApp, region: &str) -> Value {
    indicators(app, region).await.1["pillar_status"].clone()
}

async fn partner_id(app: &TestApp, name: &str) -> i64 {
    let (s, list) = app.get_json("/api/v1/partners", Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    list["items"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].as_i64().unwrap()
}

async fn partner_user(app: &TestApp, username: &str, partner: i64) -> String {
    app.partner_account(username, Some(partner)).await.1
}

/// An assessed case in `village`, referred to each partner; returns the referral ids in order.
async fn referred_case(app: &TestApp, village: &str, partners: &[i64]) -> Vec<i64> {
    let token = &app.admin_token;
    let c = post(
        app,
        token,
        "/api/v1/cases",
        json!({"type": "unpaid_wages", "severity": "high", "description": "Wages unpaid for five months",
               "village_code": village}),
        201,
    )
    .await;
    let id = c["id"].as_i64().unwrap();
    post(app, token, &format!("/api/v1/cases/{id}/transitions"), json!({"to": "assessed", "reason": "checked"}), 200)
        .await;
    let mut out = vec![];
    for p in partners {
        let c = post(
            app,
            token,
            &format!("/api/v1/cases/{id}/referrals"),
            json!({"partner_id": p, "services": ["shelter"]}),
            201,
        )
        .await;
        let r = c["referrals"].as_array().unwrap().iter().find(|r| r["partner_id"] == *p).unwrap();
        out.push(r["id"].as_i64().unwrap());
    }
    out
}

async fn snapshot(app: &TestApp) -> Vec<(String, String, String, String, i64)> {
    store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT region_code, key, month, dim, value FROM indicator_values ORDER BY region_code, key, month, dim").fetch_all(p).await).unwrap()
}

async fn stored(app: &TestApp, region: &str, key: &str) -> i64 {
    let v: Option<(i64,)> = store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT value FROM indicator_values WHERE region_code = $1 AND key = $2 AND month = '' AND dim = ''")
        .bind(region).bind(key).fetch_optional(p).await)
    .unwrap();
    v.map(|v| v.0).unwrap_or(0)
}

#[tokio::test]
async fn enterprise_parenting_and_referrals_at_every_level_through_edits() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token.clone();
    let admin = admin.as_str();
    for (v, y) in [(A, 2017), (D, 2018)] {
        assert_eq!(app.designate(v, y).await.0, 200);
    }
    // Before any enterprise or parenting data, pillars 2 and 3 are inactive (their keys exist now).
    let st = pillar_status(&app, A).await;
    assert_eq!((&st["2:inactive"], &st["3:inactive"]), (&json!(1), &json!(1)), "{st}");

    // People: a returned migrant and a prospective one in A, a returned migrant in D.
    let returnee = person(&app, 1, A, "returned").await;
    let prospective = person(&app, 2, A, "prospective").await;
    let returnee_d = person(&app, 3, D, "returned").await;

    // Trainings: in A with both (the returnee completes), in D with its returnee.
    let mut trainings = vec![];
    for (v, people) in [(A, vec![returnee, prospective]), (D, vec![returnee_d])] {
        let t = post(
            &app,
            admin,
            "/api/v1/trainings",
            json!({"village_code": v, "topic": "financial_literacy", "title": "Literasi keuangan",
                   "organiser": "regency_office", "organiser_name": "Disnaker", "starts_on": days_ago(4),
                   "ends_on": days_ago(2), "place": "Balai desa", "trainer": "Ibu Rina"}),
            201,
        )
        .await;
        let id = t["id"].as_i64().unwrap();
        for p in people {
            post(&app, admin, &format!("/api/v1/trainings/{id}/participants"), json!({"person_id": p}), 200).await;
        }
        trainings.push(id);
    }
    post(
        &app,
        admin,
        &format!("/api/v1/trainings/{}/completion", trainings[0]),
        json!({"person_id": returnee, "completed": true}),
        200,
    )
    .await;
    // A mentoring visit to the returnee in A.
    post(
        &app,
        admin,
        "/api/v1/mentoring",
        json!({"village_code": A, "person_id": returnee, "visited_on": days_ago(1), "mentor": "Pak Yohanes",
               "notes": "Rencana usaha tenun"}),
        201,
    )
    .await;
    // Businesses in A: a group running for 13 months (two reports), an individual one running
    // for 7 months; in C a group still planned.
    let mut businesses = vec![];
    for (v, name, form, status, started) in [
        (A, "Tenun Ikat Masabewa", "group", "running", Some(format!("{}-01", month_ago(13)))),
        (A, "Kios Maria", "individual", "running", Some(format!("{}-01", month_ago(7)))),
        (C, "Kelompok Ternak", "group", "planned", None),
    ] {
        let mut body = json!({"village_code": v, "name": name, "sector": "crafts", "legal_form": form, "status": status,
                              "capital_sources": ["own_remittances"]});
        if let Some(d) = started {
            body["started_on"] = json!(d);
        }
        let b = post(&app, admin, "/api/v1/businesses", body, 201).await;
        businesses.push(b["id"].as_i64().unwrap());
    }
    let group = businesses[0];
    post(
        &app,
        admin,
        &format!("/api/v1/businesses/{group}/members"),
        json!({"person_id": returnee, "kind": "returned_migrant"}),
        200,
    )
    .await;
    for m in [month_ago(2), month_ago(1)] {
        post(
            &app,
            admin,
            &format!("/api/v1/businesses/{group}/reports"),
            json!({"month": m, "revenue": 4_500_000, "costs": 3_000_000, "workers": 2}),
            200,
        )
        .await;
    }
    // Equipment to the group; a check finds it unused.
    let e = post(
        &app,
        admin,
        "/api/v1/equipment",
        json!({"village_code": A, "item": "Alat tenun", "value": 2_750_000, "source_program": "Desmigratif 2018",
               "given_on": days_ago(30), "business_id": group}),
        201,
    )
    .await;
    post(
        &app,
        admin,
        &format!("/api/v1/equipment/{}/checks", e["id"]),
        json!({"checked_on": days_ago(1), "condition": "good", "in_use": false}),
        200,
    )
    .await;
    // Remittances: to A Rp 5,000,000 (1,000,000 productive) and Rp 3,000,000; to D Rp 2,000,000
    // (all productive).
    for (p, m, amount, uses) in [
        (returnee, month_ago(2), 5_000_000, json!({"daily_needs": 4_000_000, "productive_investment": 1_000_000})),
        (returnee, month_ago(1), 3_000_000, json!({"daily_needs": 3_000_000})),
        (returnee_d, month_ago(1), 2_000_000, json!({"productive_investment": 2_000_000})),
    ] {
        post(
            &app,
            admin,
            "/api/v1/remittances",
            json!({"person_id": p, "month": m, "amount": amount, "channel": "bank", "uses": uses}),
            201,
        )
        .await;
    }

    // Parenting: three children in A (one enrolled, one dropped out, one unknown), one in D.
    let mut children = vec![];
    for v in [A, A, A, D] {
        let c = post(
            &app,
            admin,
            "/api/v1/children",
            json!({"full_name": "Anak Rahasia", "birth_date": "2015-03-01", "sex": "P", "village_code": v,
                   "parent_person_ids": [if v == A { returnee } else { returnee_d }], "caregiver": "grandparent"}),
            201,
        )
        .await;
        children.push(c["id"].as_i64().unwrap());
    }
    for (child, status) in [(children[0], "enrolled"), (children[1], "dropped_out"), (children[3], "enrolled")] {
        post(
            &app,
            admin,
            &format!("/api/v1/children/{child}/status"),
            json!({"school_level": "junior", "school_status": status}),
            200,
        )
        .await;
    }
    // One activity in A (one day): two children and a caregiver attend.
    let a = post(
        &app,
        admin,
        "/api/v1/parenting-activities",
        json!({"village_code": A, "kind": "parenting_class", "title": "Pola asuh", "held_on": days_ago(2),
               "ends_on": days_ago(2), "place": "Posyandu", "facilitator": "Ibu Maria"}),
        201,
    )
    .await;
    let activity = a["id"].as_i64().unwrap();
    let att = format!("/api/v1/parenting-activities/{activity}/attendance");
    for body in [
        json!({"child_id": children[0], "date": days_ago(2)}),
        json!({"child_id": children[1], "date": days_ago(2)}),
        json!({"person_id": returnee, "date": days_ago(2)}),
    ] {
        post(&app, admin, &att, body, 200).await;
    }
    // A concern about the child who dropped out (it opens a protection case in A).
    post(
        &app,
        admin,
        &format!("/api/v1/children/{}/concerns", children[1]),
        json!({"kind": "dropping_out", "description": "Tidak bersekolah sejak tiga bulan"}),
        201,
    )
    .await;

    // Referrals: a case in A to IOM (accepted) and to the social ministry (declined); a case in
    // D to IOM (no answer yet).
    let iom = partner_id(&app, "IOM Indonesia").await;
    let kemensos = partner_id(&app, "Kementerian Sosial RI").await;
    let iom_user = partner_user(&app, "mitra.iom", iom).await;
    let sos_user = partner_user(&app, "mitra.sos", kemensos).await;
    let in_a = referred_case(&app, A, &[iom, kemensos]).await;
    referred_case(&app, D, &[iom]).await;
    post(&app, &iom_user, &format!("/api/v1/referrals/{}/accept", in_a[0]), json!({}), 200).await;
    post(&app, &sos_user, &format!("/api/v1/referrals/{}/decline", in_a[1]), json!({"reason": "Di luar mandat"}), 200)
        .await;

    // Village A.
    expect(
        &app,
        A,
        &[
            ("trainings_held", 1),
            ("training_participants", 2),
            ("returnees_trained", 1),
            ("training_completed", 1),
            ("mentoring_visits", 1),
            ("equipment_given", 1),
            ("equipment_unused", 1),
            ("businesses_started", 2),
            ("businesses_running", 2),
            ("businesses_active_six_months", 2),
            ("businesses_active_twelve_months", 1),
            ("enterprise_groups_active", 1),
            ("businesses_reporting", 2),
            ("remittance_inflow", 8_000_000),
            ("remittance_productive", 1_000_000),
            ("remittance_productive_share", 13),
            ("children_registered", 3),
            ("children_enrolled", 1),
            ("children_dropped_out", 1),
            ("parenting_sessions", 1),
            ("child_attendances", 2),
            ("children_reached", 2),
            ("child_concerns", 1),
            ("referrals_made", 2),
            ("referrals_accepted", 1),
            ("referrals_declined", 1),
        ],
    )
    .await;
    let (_, br) = indicators(&app, A).await;
    assert_eq!(br["parenting_sessions"], json!({"parenting_class": 1}));
    assert_eq!(br["child_concerns"], json!({"dropping_out": 1}));
    // Pillar 2 (an active business group) and pillar 3 (an activity in 6 months) are active.
    let st = &br["pillar_status"];
    assert_eq!((&st["2:active"], &st["3:active"]), (&json!(1), &json!(1)), "{st}");
    // No child's name in any indicator answer.
    let (_, body) = app.get_json(&format!("/api/v1/indicators?region_code={A}"), Some(admin)).await;
    assert!(!body.to_string().contains("Anak Rahasia"));

    // District 53.07.01 = A (+ B, empty); regency and province add C (the planned group).
    expect(&app, "53.07.01", &[("trainings_held", 1), ("businesses_running", 2), ("children_registered", 3)]).await;
    expect(
        &app,
        "53.07",
        &[
            ("training_participants", 2),
            ("businesses_started", 2),
            ("businesses_running", 2),
            ("enterprise_groups_active", 1),
            ("remittance_inflow", 8_000_000),
            ("referrals_made", 2),
        ],
    )
    .await;
    expect(&app, "53", &[("returnees_trained", 1), ("children_enrolled", 1), ("parenting_sessions", 1)]).await;
    expect(&app, "35", &[("trainings_held", 1), ("children_registered", 1), ("referrals_made", 1)]).await;
    expect(
        &app,
        "",
        &[
            ("trainings_held", 2),
            ("training_participants", 3),
            ("returnees_trained", 2),
            ("training_completed", 1),
            ("businesses_running", 2),
            ("remittance_inflow", 10_000_000),
            ("remittance_productive", 3_000_000),
            ("remittance_productive_share", 30),
            ("children_registered", 4),
            ("children_enrolled", 2),
            ("children_dropped_out", 1),
            ("child_attendances", 2),
            ("referrals_made", 3),
            ("referrals_accepted", 1),
            ("referrals_declined", 1),
        ],
    )
    .await;
    let st = pillar_status(&app, "").await;
    assert_eq!(
        (&st["2:active"], &st["2:inactive"], &st["3:active"], &st["3:inactive"]),
        (&json!(1), &json!(1), &json!(1), &json!(1)),
        "{st}"
    );

    // Edits and deletions.
    // The prospective participant returns: now two returnees trained in A.
    exec(&app, &format!("UPDATE persons SET category = 'returned' WHERE id = {prospective}")).await;
    // The individual business is deleted (recorded by mistake).
    exec(&app, &format!("DELETE FROM business_status_changes WHERE business_id = {}", businesses[1])).await;
    exec(&app, &format!("DELETE FROM businesses WHERE id = {}", businesses[1])).await;
    // An attendance is removed; an enrolled child moves from A to B.
    exec(&app, &format!("DELETE FROM activity_children WHERE child_id = {}", children[1])).await;
    exec(&app, &format!("UPDATE children SET village_code = '{B}' WHERE id = {}", children[0])).await;
    // The planned group in C starts running this month.
    post(&app, admin, &format!("/api/v1/businesses/{}/status", businesses[2]), json!({"status": "running"}), 200).await;
    expect(
        &app,
        A,
        &[
            ("returnees_trained", 2),
            ("businesses_running", 1),
            ("businesses_active_six_months", 1),
            ("businesses_active_twelve_months", 1),
            ("child_attendances", 1),
            ("children_reached", 1),
            ("children_registered", 2),
            ("children_enrolled", 0),
        ],
    )
    .await;
    expect(&app, B, &[("children_registered", 1), ("children_enrolled", 1)]).await;
    expect(&app, "53.07.01", &[("children_registered", 3), ("businesses_running", 1)]).await;
    expect(&app, "53.07", &[("businesses_running", 2), ("enterprise_groups_active", 2), ("businesses_started", 2)])
        .await;
    expect(&app, "", &[("returnees_trained", 3), ("businesses_running", 2), ("child_attendances", 1)]).await;
    // The group in A closes: pillar 2 is no longer active there.
    post(&app, admin, &format!("/api/v1/businesses/{group}/status"), json!({"status": "closed"}), 200).await;
    expect(&app, A, &[("enterprise_groups_active", 0), ("businesses_running", 0), ("businesses_started", 1)]).await;
    let st = pillar_status(&app, A).await;
    assert_eq!(st["2:inactive"], json!(1), "{st}");

    // The incremental aggregates equal a rebuild from the raw tables.
    let today = crate::common::today();
    let incremental = snapshot(&app).await;
    store::indicators::refresh::mark_everything(&app.db).await.unwrap();
    store::indicators::refresh::refresh_all_pending(&app.db, today, 100).await.unwrap();
    assert_eq!(snapshot(&app).await, incremental);

    // The calendar moves on: the group in C (started this month) is still running 13 months on,
    // without any write — the refresher marks its village when it crosses 6 and 12 months.
    assert_eq!(stored(&app, C, "businesses_active_twelve_months").await, 0);
    store::indicators::refresh::refresh_all_pending(&app.db, today + time::Duration::days(400), 100).await.unwrap();
    assert_eq!(stored(&app, C, "businesses_active_six_months").await, 1);
    assert_eq!(stored(&app, C, "businesses_active_twelve_months").await, 1);
    assert_eq!(stored(&app, "", "businesses_active_twelve_months").await, 1);
}
