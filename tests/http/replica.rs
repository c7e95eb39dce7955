//! Track multi (issue 18): read-only pages served from a PostgreSQL streaming replica
//! (`DATABASE_READ_URL`), with the replica's lag shown, and the primary used when the replica
//! is unreachable. Needs `DESMIGRATIF_TEST_REPLICA_URL` (a replica of the cluster named by
//! `DESMIGRATIF_TEST_DATABASE_URL`; scripts/test.sh starts one); skipped with a note without it.

use crate::common::{TestApp, swap_db};
use serde_json::json;

#[tokio::test]
async fn portal_reads_from_the_replica_and_falls_back_to_the_primary() {
    let Some(replica) = std::env::var("DESMIGRATIF_TEST_REPLICA_URL").ok().filter(|u| u.starts_with("postgres")) else {
        eprintln!("note: DESMIGRATIF_TEST_REPLICA_URL unset: the read replica test is skipped");
        return;
    };
    let primary = TestApp::spawn().await;
    let db_name = primary.database_url.rsplit('/').next().unwrap().to_string();
    let app = primary.another_server(|c| c.database_read_url = Some(swap_db(&replica, &db_name))).await;

    // Written on the primary, read through the replica once it has replayed the write.
    let (s, a) = app
        .post_json(
            "/api/v1/agencies",
            Some(&app.admin_token),
            &json!({"name": "PT Replika Sejahtera", "licence_number": "KEP.77/2024",
                    "status": "active", "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let mut page = String::new();
    for _ in 0..100 {
        let r = app.client.get(app.url("/portal/agencies?q=Replika")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        page = r.text().await.unwrap();
        if page.contains("PT Replika Sejahtera") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains("PT Replika Sejahtera"), "the replica never showed the agency");
    assert!(page.contains("Data dibaca dari salinan basis data"), "no replica note: {page}");

    // A replica that does not answer: the primary serves the page, which says so.
    let down = primary
        .another_server(|c| c.database_read_url = Some(swap_db("postgres://postgres@127.0.0.1:9/x", &db_name)))
        .await;
    let r = down.client.get(down.url("/portal/agencies?q=Replika")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("PT Replika Sejahtera"), "{page}");
    assert!(page.contains("Salinan basis data tidak terjangkau"), "{page}");
    // Open statistics too.
    let (s, _) = down.get_json("/api/v1/open/indicators", None).await;
    assert_eq!(s, 200);
}
