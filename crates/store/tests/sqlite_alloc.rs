//! Its own process, so nothing opens SQLite before the allocator is set.

/// Memory SQLite hands out after `install` is mimalloc's, and a database opened through the
/// store's pool works on it.
#[tokio::test]
async fn sqlite_allocates_from_mimalloc() {
    assert!(desmigratif_store::sqlite_alloc::install());
    unsafe {
        let p = libsqlite3_sys::sqlite3_malloc(100);
        assert!(!p.is_null());
        assert!(libmimalloc_sys::mi_is_in_heap_region(p));
        assert!(libsqlite3_sys::sqlite3_msize(p) >= 100);
        libsqlite3_sys::sqlite3_free(p);
    }
    let dir = std::env::temp_dir().join(format!("desmigratif-alloc-{}", std::process::id()));
    let db = desmigratif_store::Db::connect(&format!("sqlite://{}/a.db", dir.display())).await.unwrap();
    let n: i64 = match &db {
        desmigratif_store::Db::Sqlite(pool, _) => sqlx::query_scalar(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000) \
             SELECT sum(length(printf('%0100d', x))) FROM c",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(n, 200_000);
    let _ = std::fs::remove_dir_all(dir);
}
