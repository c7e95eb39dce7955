//! Paging of lists that used to be answered whole (issue 18, pages track): the per-village
//! children counts come in village code order, `limit` at a time, with `next_after` to continue.
//! Issue 18, lists: the same for the enterprise hub, the children page's counts and the
//! remittance inflow (page and API), and the person page lists a capped number of job orders
//! with a search (`/pick/job-orders`) for the rest.

use crate::common::{ADMIN_PASSWORD, Browser, TestApp};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use store::Db;

const VILLAGES: [&str; 3] = ["53.07.01.2001", "53.07.01.2003", "53.07.01.2004"];

fn codes(page: &Value) -> Vec<String> {
    page["villages"].as_array().unwrap().iter().map(|v| v["village_code"].as_str().unwrap().to_string()).collect()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn children_counts_are_paged_in_village_order() {
    let app = TestApp::spawn().await;
    let ten_years_ago = (crate::common::today() - time::Duration::days(3650)).to_string();
    // One mother and one child in each of three villages.
    for (i, village) in VILLAGES.iter().enumerate() {
        let (s, mother) = app
            .post_json(
                "/api/v1/persons",
                Some(&app.admin_token),
                &json!({"nik": format!("530701520590000{}", i + 1), "full_name": format!("Ibu Desa {i}"), "sex": "P",
                        "birth_date": "1990-05-12", "village_code": village, "confirm_warnings": true}),
            )
            .await;
        assert_eq!(s, 201, "{mother}");
        let (s, c) = app
            .post_json(
                "/api/v1/children",
                Some(&app.admin_token),
                &json!({"full_name": format!("Anak Desa {i}"), "birth_date": ten_years_ago, "sex": "P",
                        "village_code": village, "parent_person_ids": [mother["id"]], "caregiver": "grandparent"}),
            )
            .await;
        assert_eq!(s, 201, "{c}");
    }

    // An activity in the first and in the last village: each page counts its own villages'
    // activities and no other's.
    let day = (crate::common::today() - time::Duration::days(3)).to_string();
    for village in [VILLAGES[0], VILLAGES[2]] {
        let (s, a) = app
            .post_json(
                "/api/v1/parenting-activities",
                Some(&app.admin_token),
                &json!({"village_code": village, "kind": "parenting_class", "title": "Pola asuh", "held_on": day,
                        "ends_on": day, "place": "Posyandu", "facilitator": "Ibu Maria"}),
            )
            .await;
        assert_eq!(s, 201, "{a}");
    }

    let (s, first) = app.get_json("/api/v1/parenting/counts?limit=2", Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(codes(&first), VILLAGES[..2]);
    assert_eq!(first["villages"][0]["children"], 1);
    assert_eq!(first["villages"][0]["activities"], 1);
    assert_eq!(first["villages"][1]["activities"], 0);
    assert_eq!(first["next_after"], VILLAGES[1]);

    let (s, second) =
        app.get_json(&format!("/api/v1/parenting/counts?limit=2&after={}", VILLAGES[1]), Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{second}");
    assert_eq!(codes(&second), VILLAGES[2..]);
    assert_eq!(second["villages"][0]["activities"], 1);
    assert_eq!(second["next_after"], Value::Null, "the last page says so");

    // Without paging arguments the first page holds all three (default 100 villages).
    let (_, all) = app.get_json("/api/v1/parenting/counts", Some(&app.admin_token)).await;
    assert_eq!(codes(&all), VILLAGES);
    assert_eq!(all["next_after"], Value::Null);

    // Out-of-range page size and a cursor that is not a region code are refused by name.
    let (s, bad) = app.get_json("/api/v1/parenting/counts?limit=501&after=drop", Some(&app.admin_token)).await;
    assert_eq!(s, 422, "{bad}");
    assert_eq!(fields(&bad), ["limit", "after"]);

    // The enterprise counts page the same way.
    let (s, e) = app.get_json("/api/v1/enterprise/counts?limit=1", Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["next_after"], Value::Null);
    let (s, bad) = app.get_json("/api/v1/enterprise/counts?limit=0", Some(&app.admin_token)).await;
    assert_eq!(s, 422, "{bad}");
    assert_eq!(fields(&bad), ["limit"]);
}

/// The person page's agency choices come from a copy the server shares between views: an
/// agency registered after a view is offered on the next one, not after the copy expires.
#[tokio::test]
async fn person_page_offers_an_agency_registered_since_the_last_view() {
    let app = TestApp::spawn().await;
    let (s, person) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P",
                    "birth_date": "1990-05-12", "village_code": VILLAGES[0]}),
        )
        .await;
    assert_eq!(s, 201, "{person}");
    let page = format!("/persons/{}", person["id"]);
    app.create_user("petugas", "village_officer", Some(VILLAGES[0])).await;
    let b = crate::common::Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, before) = b.get(&page).await;
    assert_eq!(s, 200);
    assert!(!before.contains("PT Baru Sejahtera"));

    let (s, agency) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT Baru Sejahtera", "licence_number": "KEP.9/2024",
                    "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{agency}");
    let (_, after) = b.get(&page).await;
    assert!(after.contains(&format!("<option value=\"{}\">PT Baru Sejahtera (KEP.9", agency["id"])), "offered at once");
}

// ---------------------------------------------------------------- issue 18, lists

/// The region every test below fills, and one beside it that its filter must leave out.
const REGENCY: &str = "53.07";
const BESIDE: &str = "53.08";
/// More villages than a page holds (the pages show 100 villages at a time).
const MANY: usize = 105;

async fn exec(db: &Db, sql: String) {
    let r = match db {
        Db::Sqlite(p, _) => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(p).await.map(|_| ()),
    };
    r.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The first `n` village codes inside `region`, in code order.
async fn villages_in(db: &Db, region: &str, n: usize) -> Vec<String> {
    let sql =
        format!("SELECT code FROM regions WHERE level = 'village' AND code LIKE '{region}.%' ORDER BY code LIMIT {n}");
    let rows: Vec<(String,)> = match db {
        Db::Sqlite(p, _) => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await.unwrap(),
    };
    let codes: Vec<String> = rows.into_iter().map(|r| r.0).collect();
    assert_eq!(codes.len(), n, "{region} has {n} villages");
    codes
}

/// One row per village, written straight into `table` (the generator's way: a national
/// number of villages through the API would take minutes); `row(code)` gives the values.
async fn fill(db: &Db, table: &str, columns: &str, codes: &[String], row: impl Fn(&str) -> String) {
    let values: Vec<String> = codes.iter().map(|c| format!("({})", row(c))).collect();
    exec(db, format!("INSERT INTO {table} ({columns}) VALUES {}", values.join(", "))).await;
}

/// The href of the page's "next page" link (`village_next.html`), unescaped.
fn next_link(html: &str) -> Option<String> {
    let at = html.find("id=\"next-villages\"")?;
    let start = html[at..].find("href=\"")? + at + 6;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

/// The village codes of the rows of the table `table_id`, in page order.
fn table_codes(html: &str, table_id: &str, marker: &str) -> Vec<String> {
    let Some(start) = html.find(table_id).map(|at| at + table_id.len()) else { return vec![] };
    let end = html[start..].find("</table>").unwrap() + start;
    html[start..end].split(marker).skip(1).map(|s| s[..13].to_string()).collect()
}

/// Follows the page's next links from `first`: every page holds at most 100 villages, every
/// next link keeps `keep` (the filter), and the village codes of all pages in order.
async fn follow_pages(b: &Browser, first: &str, table_id: &str, marker: &str, keep: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut path = Some(first.to_string());
    let mut pages = 0;
    while let Some(p) = path {
        let (s, html) = b.get(&p).await;
        assert_eq!(s, 200, "{p}");
        let codes = table_codes(&html, table_id, marker);
        assert!(!codes.is_empty() && codes.len() <= 100, "{p}: {} villages", codes.len());
        path = next_link(&html);
        if let Some(n) = &path {
            assert_eq!(codes.len(), 100, "a page with a next link is full");
            assert!(n.contains(keep), "the filter survives into {n}");
            assert!(n.ends_with(&format!("after={}", codes.last().unwrap())), "{n}");
        }
        seen.extend(codes);
        pages += 1;
        assert!(pages < 10, "the pages end");
    }
    assert_eq!(pages, 2, "{MANY} villages are two pages of 100");
    seen
}

/// Follows an API list's `next_after` with `limit`: the `villages` of every page.
async fn follow_api(app: &TestApp, path: &str, limit: usize, also: impl Fn(&Value)) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..20 {
        let url = match &after {
            Some(a) => format!("{path}&limit={limit}&after={a}"),
            None => format!("{path}&limit={limit}"),
        };
        let (s, page) = app.get_json(&url, Some(&app.admin_token)).await;
        assert_eq!(s, 200, "{url}: {page}");
        also(&page);
        let page_codes = codes(&page);
        assert!(page_codes.len() <= limit, "{url}");
        seen.extend(page_codes);
        match page["next_after"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => return seen,
        }
    }
    panic!("{path}: the cursor never ends");
}

fn once_each(seen: &[String], expected: &[String]) {
    assert_eq!(seen, expected, "every village once, in code order");
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), seen.len());
}

async fn admin_browser(app: &TestApp) -> Browser {
    let b = Browser::new(app);
    b.login("admin", ADMIN_PASSWORD).await;
    b
}

#[tokio::test]
async fn enterprise_hub_pages_its_villages_and_keeps_the_filter() {
    let app = TestApp::spawn().await;
    let inside = villages_in(&app.db, REGENCY, MANY).await;
    let beside = villages_in(&app.db, BESIDE, 3).await;
    let business = |c: &str| format!("'{c}', 'Usaha {c}', 'trade', 'individual', 'running', '2024-01-01', 0, 0");
    let columns = "village_code, name, sector, legal_form, status, started_on, created_at, updated_at";
    fill(&app.db, "businesses", columns, &inside, business).await;
    fill(&app.db, "businesses", columns, &beside, business).await;

    let b = admin_browser(&app).await;
    let seen = follow_pages(
        &b,
        &format!("/enterprise?village={REGENCY}"),
        "id=\"enterprise-counts\"",
        "href=\"/regions/",
        "village=53.07",
    )
    .await;
    once_each(&seen, &inside);

    // The API the same way (already paged): the cursor reaches every village once.
    let seen = follow_api(&app, &format!("/api/v1/enterprise/counts?village={REGENCY}"), 40, |_| {}).await;
    once_each(&seen, &inside);
}

#[tokio::test]
async fn children_page_pages_its_village_counts_and_keeps_the_filter() {
    let app = TestApp::spawn().await;
    let inside = villages_in(&app.db, REGENCY, MANY).await;
    let beside = villages_in(&app.db, BESIDE, 3).await;
    let child = |c: &str| format!("'Anak {c}', '2016-01-01', 'P', '{c}', 'grandparent', 0, 0");
    let columns = "full_name, birth_date, sex, village_code, caregiver, created_at, updated_at";
    fill(&app.db, "children", columns, &inside, child).await;
    fill(&app.db, "children", columns, &beside, child).await;

    let b = admin_browser(&app).await;
    let first = format!("/children?village={REGENCY}&from=2024-01-01");
    let seen = follow_pages(&b, &first, "id=\"child-counts\"", "id=\"count-", "from=2024-01-01").await;
    once_each(&seen, &inside);

    // The children list of the API carries only the first page of counts, and says where the rest is.
    let (s, list) = app.get_json(&format!("/api/v1/children?village={REGENCY}"), Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["counts"].as_array().unwrap().len(), 100);
    assert_eq!(list["counts_next_after"], inside[99].as_str());
    let seen = follow_api(&app, &format!("/api/v1/parenting/counts?village={REGENCY}"), 50, |_| {}).await;
    once_each(&seen, &inside);
}

#[tokio::test]
async fn remittance_inflow_is_paged_in_both_doors_with_the_totals_of_the_whole_region() {
    let app = TestApp::spawn().await;
    let inside = villages_in(&app.db, REGENCY, MANY).await;
    let beside = villages_in(&app.db, BESIDE, 3).await;
    let (s, migrant) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P",
                    "birth_date": "1990-05-12", "village_code": inside[0], "confirm_warnings": true}),
        )
        .await;
    assert_eq!(s, 201, "{migrant}");
    let id = migrant["id"].as_i64().unwrap();
    // 1 000 000 a village, a quarter of it invested.
    let remittance = |c: &str| format!("{id}, '{c}', '2025-03', 1000000, 'bank', 750000, 250000, 0");
    let columns =
        "person_id, village_code, month, amount, channel, use_daily_needs, use_productive_investment, created_at";
    fill(&app.db, "remittances", columns, &inside, remittance).await;
    fill(&app.db, "remittances", columns, &beside, remittance).await;

    let path = format!("/api/v1/remittances/summary?village={REGENCY}&from=2025-01-01");
    let (s, first) = app.get_json(&path, Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["villages"].as_array().unwrap().len(), 100, "100 villages by default");
    assert_eq!(first["next_after"], inside[99].as_str());
    let whole = MANY as i64 * 1_000_000;
    let seen = follow_api(&app, &path, 30, |page| {
        // Every page carries the totals of the whole region and period, not of its villages.
        assert_eq!(page["total"], whole, "{page}");
        assert_eq!(page["productive"], whole / 4);
        assert_eq!(page["productive_share_bp"], 2500);
    })
    .await;
    once_each(&seen, &inside);
    let (s, bad) = app.get_json(&format!("{path}&limit=501&after=x"), Some(&app.admin_token)).await;
    assert_eq!(s, 422, "{bad}");
    assert_eq!(fields(&bad), ["limit", "after"]);

    let b = admin_browser(&app).await;
    let first = format!("/remittances?village={REGENCY}&from=2025-01-01");
    let seen = follow_pages(&b, &first, "id=\"inflow-villages\"", "id=\"inflow-", "village=53.07").await;
    once_each(&seen, &inside);
    let (_, html) = b.get(&first).await;
    assert!(html.contains("<strong id=\"inflow-total\">Rp 105.000.000</strong>"), "the whole region's total");
}

#[tokio::test]
async fn person_page_lists_a_capped_number_of_job_orders_and_the_picker_finds_the_rest() {
    let app = TestApp::spawn().await;
    let agency = active_agency(&app).await;
    // 60 verified job orders, JO-01 ending first; one unverified that is never offered.
    let rows: Vec<String> = (1..=60)
        .map(|i| {
            format!(
                "({agency}, 'JO-{i:02}', 'MY', 'Majikan {i:02}', 'caregiver', 1500, 'MYR', 5, '2024-01-01', '{}-06-30', 'verified', 0, 0)",
                2040 + i
            )
        })
        .chain(std::iter::once(format!(
            "({agency}, 'JO-DRAFT', 'MY', 'Majikan X', 'caregiver', 1500, 'MYR', 5, '2024-01-01', '2200-06-30', 'unverified', 0, 0)"
        )))
        .collect();
    exec(
        &app.db,
        format!(
            "INSERT INTO job_orders (agency_id, reference, destination, employer, job_type, salary_amount, salary_currency, \
             quota, valid_from, valid_until, status, created_at, updated_at) VALUES {}",
            rows.join(", ")
        ),
    )
    .await;
    let (s, person) = app
        .post_json(
            "/api/v1/persons",
            Some(&app.admin_token),
            &json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P",
                    "birth_date": "1990-05-12", "village_code": VILLAGES[0]}),
        )
        .await;
    assert_eq!(s, 201, "{person}");
    app.create_user("petugas", "village_officer", Some(VILLAGES[0])).await;
    let b = Browser::new(&app);
    b.login("petugas", "a-long-password").await;
    let (s, html) = b.get(&format!("/persons/{}", person["id"])).await;
    assert_eq!(s, 200);
    let start = html.find("id=\"f-job_order_id\"").expect("the episode form's job order field");
    let select = &html[start..start + html[start..].find("</select>").unwrap()];
    let options = select.matches("<option value=\"").count() - 1; // less the blank "—"
    assert_eq!(options, 50, "at most the cap of job orders listed");
    assert!(
        select.contains("JO-60") && !select.contains("JO-10 ") && !select.contains("JO-DRAFT"),
        "the latest valid first"
    );
    assert!(select.contains("data-pick=\"/pick/job-orders\""), "a search for the others");
    assert!(html.contains("id=\"job-orders-more\""), "the page says more can be found");

    // The picker finds one beyond the cap, by reference or employer, never an unverified one.
    let (s, found) = b.get("/pick/job-orders?q=jo-01").await;
    assert_eq!(s, 200);
    let found: Value = serde_json::from_str(&found).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert!(found[0]["label"].as_str().unwrap().contains("JO-01"), "{found}");
    let (_, found) = b.get("/pick/job-orders?q=majikan").await;
    let found: Value = serde_json::from_str(&found).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 12, "a picker's handful");
    let (_, found) = b.get("/pick/job-orders?q=draft").await;
    assert_eq!(found, "[]");
    let (_, found) = b.get("/pick/job-orders?q=100%25").await;
    assert_eq!(found, "[]", "a % is matched as typed, not as a wildcard");
}

#[tokio::test]
async fn outreach_page_pages_its_village_summary_and_keeps_the_events_cursor() {
    let app = TestApp::spawn().await;
    let inside = villages_in(&app.db, REGENCY, MANY).await;
    let beside = villages_in(&app.db, BESIDE, 3).await;
    let held_on = format!("{}-01-01", crate::common::today().year());
    let event = |c: &str| format!("'{c}', '{held_on}', 'Sosialisasi migrasi aman', 40, 0, 0");
    let columns = "village_code, held_on, topic, headcount, created_at, updated_at";
    fill(&app.db, "outreach_events", columns, &inside, event).await;
    fill(&app.db, "outreach_events", columns, &beside, event).await;

    let b = admin_browser(&app).await;
    // On the second page of events (after=3), the villages' next link keeps that cursor.
    let seen = follow_pages(&b, "/outreach?after=3", "id=\"outreach-villages\"", "id=\"summary-", "after=3&").await;
    let everyone: Vec<String> = inside.iter().chain(&beside).cloned().collect();
    once_each(&seen, &everyone);
    let (s, _) = b.get("/outreach?villages_after=drop").await;
    assert_eq!(
        s, 422,
        "a cursor that is not a village code (a_cursor_that_is_not_a_village_code_is_named_on_every_page)"
    );
}

#[tokio::test]
async fn job_orders_api_pages_with_a_cursor_through_equal_validity_ends() {
    let app = TestApp::spawn().await;
    let agency = active_agency(&app).await;
    // Seven job orders, three of them ending on the same day (the cursor must split the tie).
    let ends = ["2031-01-01", "2032-01-01", "2032-01-01", "2032-01-01", "2033-01-01", "2034-01-01", "2035-01-01"];
    let rows: Vec<String> = ends
        .iter()
        .enumerate()
        .map(|(i, end)| {
            format!("({agency}, 'JO-{i}', 'MY', 'Majikan', 'caregiver', 1500, 'MYR', 5, '2024-01-01', '{end}', 'verified', 0, 0)")
        })
        .collect();
    exec(
        &app.db,
        format!(
            "INSERT INTO job_orders (agency_id, reference, destination, employer, job_type, salary_amount, salary_currency, \
             quota, valid_from, valid_until, status, created_at, updated_at) VALUES {}",
            rows.join(", ")
        ),
    )
    .await;
    let refs = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|j| j["reference"].as_str().unwrap().to_string()).collect()
    };
    let (s, all) = app.get_json("/api/v1/job-orders", Some(&app.admin_token)).await;
    assert_eq!(s, 200, "{all}");
    let expected = refs(&all);
    assert_eq!(expected, ["JO-6", "JO-5", "JO-4", "JO-3", "JO-2", "JO-1", "JO-0"], "latest validity, then newest id");
    assert_eq!(all["next_after"], Value::Null);

    let mut seen = Vec::new();
    let mut url = "/api/v1/job-orders?limit=2".to_string();
    for _ in 0..10 {
        let (s, page) = app.get_json(&url, Some(&app.admin_token)).await;
        assert_eq!(s, 200, "{url}: {page}");
        assert!(page["items"].as_array().unwrap().len() <= 2);
        seen.extend(refs(&page));
        match page["next_after"].as_str() {
            Some(a) => url = format!("/api/v1/job-orders?limit=2&after={a}"),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every job order once, in order");

    let (s, bad) = app.get_json("/api/v1/job-orders?limit=0&after=yesterday", Some(&app.admin_token)).await;
    assert_eq!(s, 422, "{bad}");
    assert_eq!(fields(&bad), ["limit", "after"]);
}

/// An active, licensed agency (the job orders' owner): its id.
async fn active_agency(app: &TestApp) -> i64 {
    let (s, agency) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT Jasa Tenaga", "licence_number": "KEP.7/2024",
                    "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{agency}");
    agency["id"].as_i64().unwrap()
}

/// A "next page" link edited by hand: every per-village list answers 422 naming the cursor in
/// Indonesian, never "not found" (the API answers 422 naming `after` too).
#[tokio::test]
async fn a_cursor_that_is_not_a_village_code_is_named_on_every_page() {
    let app = TestApp::spawn().await;
    let b = admin_browser(&app).await;
    for path in ["/enterprise?after=xx", "/children?after=xx", "/remittances?after=xx", "/outreach?villages_after=xx"] {
        let (s, html) = b.get(path).await;
        assert_eq!(s, 422, "{path}: {html}");
        assert!(html.contains("Lanjut setelah tidak sesuai bentuknya"), "{path}: the field and the rule: {html}");
        assert!(!html.contains("Tidak ditemukan"), "{path}");
    }
    let (s, _) = b.get("/enterprise?after=53.07.01.2001").await;
    assert_eq!(s, 200, "a village code continues the list");
}
