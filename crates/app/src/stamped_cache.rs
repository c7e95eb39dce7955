//! Results kept while a change stamp read from the database stays the same (the worklist,
//! migration 0037): a hit costs the one small read of the stamp. Unlike
//! [`crate::monitoring::FigureCache`] (one generation for everything), each key has its own
//! stamp, so a write in one village leaves every other village's entry alone.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Loads of different keys run side by side; loads of one key (the requests that miss
/// together after a write) wait for each other and read the first one's result.
const SHARDS: usize = 16;

pub struct StampedCache<S, V> {
    entries: std::sync::Mutex<HashMap<String, (S, Arc<V>)>>,
    cap: usize,
    loading: [tokio::sync::Mutex<()>; SHARDS],
}

impl<S: PartialEq + Clone, V> StampedCache<S, V> {
    pub fn new(cap: usize) -> Self {
        StampedCache {
            entries: std::sync::Mutex::new(HashMap::new()),
            cap,
            loading: std::array::from_fn(|_| tokio::sync::Mutex::new(())),
        }
    }

    fn get(&self, key: &str, stamp: &S) -> Option<Arc<V>> {
        let g = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        g.get(key).filter(|(s, _)| s == stamp).map(|(_, v)| v.clone())
    }

    fn put(&self, key: String, stamp: S, value: Arc<V>) {
        let mut g = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // A bound, not an eviction policy: entries are areas (villages and the regions above
        // them) whose officers are signed in on this server.
        if g.len() >= self.cap && !g.contains_key(&key) {
            g.clear();
        }
        g.insert(key, (stamp, value));
    }

    /// The value kept for `key` if it was loaded at `stamp`, else `load`ed and kept. A value
    /// loaded at another stamp is never answered; read the stamp before loading, so a change
    /// made during the load leaves the entry behind the next request's stamp.
    pub async fn get_or_load<F, Fut, E>(&self, key: String, stamp: S, load: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(v) = self.get(&key, &stamp) {
            return Ok(v);
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        let _loading = self.loading[(h.finish() as usize) % SHARDS].lock().await;
        if let Some(v) = self.get(&key, &stamp) {
            return Ok(v);
        }
        let v = Arc::new(load().await?);
        self.put(key, stamp, v.clone());
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::StampedCache;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Sixteen requests missing the same key together cost one load; another stamp loads
    /// again; another key does not disturb the first.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_load_per_key_and_stamp() {
        let cache = Arc::new(StampedCache::<i64, usize>::new(8));
        let loads = Arc::new(AtomicUsize::new(0));
        let mut tasks = vec![];
        for _ in 0..16 {
            let (cache, loads) = (cache.clone(), loads.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_load("53.07.01.2001".into(), 5, || async {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<_, ()>(loads.fetch_add(1, Ordering::SeqCst) + 100)
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(*t.await.unwrap(), 100);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        let other = cache.get_or_load("53.07.01.2002".into(), 5, || async { Ok::<_, ()>(7) }).await.unwrap();
        assert_eq!(*other, 7);
        let same = cache.get_or_load("53.07.01.2001".into(), 5, || async { Ok::<_, ()>(0) }).await.unwrap();
        assert_eq!(*same, 100, "kept beside the other key");
        let moved = cache.get_or_load("53.07.01.2001".into(), 6, || async { Ok::<_, ()>(1) }).await.unwrap();
        assert_eq!(*moved, 1, "a new stamp is a new load");
        let failed = cache.get_or_load("53.07.01.2003".into(), 6, || async { Err::<usize, _>("down") }).await;
        assert!(failed.is_err());
        let after = cache.get_or_load("53.07.01.2003".into(), 6, || async { Ok::<_, &str>(3) }).await.unwrap();
        assert_eq!(*after, 3, "a failed load is not kept");
    }
}
