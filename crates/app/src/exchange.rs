//! The partner exchange's server-wide state: rate-limit buckets per API client (in this
//! server's memory) and the cursor signing key.

use domain::exchange::Bucket;
use std::collections::HashMap;
use std::sync::Mutex;
use store::exchange::Client;

/// Server-wide state of the exchange.
#[derive(Default)]
pub struct Runtime {
    buckets: Mutex<HashMap<i64, Bucket>>,
    pub cursor_key: tokio::sync::OnceCell<Vec<u8>>,
    started: std::sync::OnceLock<std::time::Instant>,
}

impl Runtime {
    fn now(&self) -> f64 {
        self.started.get_or_init(std::time::Instant::now).elapsed().as_secs_f64()
    }
    /// One call by `client`: `Err(seconds)` when its bucket is empty.
    pub fn take(&self, client: &Client) -> Result<(), u64> {
        let now = self.now();
        let mut b = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = b.entry(client.id).or_insert_with(|| domain::exchange::full_bucket(client.rate_per_minute, now));
        domain::exchange::take(bucket, client.rate_per_minute, now)
    }
}
