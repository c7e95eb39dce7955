//! The Dukcapil NIK verification adapter: the one place that knows how Dukcapil is called.
//!
//! Dukcapil's verification service is not public, so its contract here is an ASSUMPTION,
//! written down so it is easy to adapt (docs/NATIONAL_IDS.md):
//!
//! - `POST {DESMIGRATIF_DUKCAPIL_URL}` with `Content-Type: application/json` and
//!   `Authorization: Basic …` (user and password) or `Bearer …` (token);
//! - request: `{"nik": "5307015205900001", "nama_lgkp": "MARIA GORETI", "tgl_lhr": "1990-05-12",
//!   "jenis_klmin": "P"}` (the register's own field names; sex `L` or `P`);
//! - answer 200: `{"found": true, "nik": "Sesuai", "nama_lgkp": "Sesuai", "tgl_lhr": "Tidak Sesuai",
//!   "jenis_klmin": "Sesuai"}` — one verdict per field, "Sesuai" or "Tidak Sesuai"; `"found": false`
//!   (or a 404) when the NIK is not in the register;
//! - 401, 403, 429 and 5xx: refused; no answer within the timeout: timeout; no connection:
//!   unreachable; anything else: an answer this adapter cannot read.
//!
//! Nothing here blocks the database: callers ask before they open a write transaction.

use domain::national_ids::{DukcapilField, NotVerifiedReason, Verification, judge};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How to reach Dukcapil (`Config::dukcapil`; unset means the adapter is off).
#[derive(Clone)]
pub struct Settings {
    pub url: String,
    pub auth: Auth,
    pub timeout: Duration,
}

#[derive(Clone)]
pub enum Auth {
    None,
    Basic { user: String, password: String },
    Bearer(String),
}

impl std::fmt::Debug for Settings {
    // Credentials are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match self.auth {
            Auth::None => "none",
            Auth::Basic { .. } => "basic",
            Auth::Bearer(_) => "bearer",
        };
        f.debug_struct("Settings").field("url", &self.url).field("auth", &auth).field("timeout", &self.timeout).finish()
    }
}

/// What is sent: the record as registered.
#[derive(Debug, Serialize)]
pub struct Request<'a> {
    pub nik: &'a str,
    pub nama_lgkp: &'a str,
    pub tgl_lhr: &'a str,
    pub jenis_klmin: &'a str,
}

/// What is read back.
#[derive(Debug, Deserialize)]
pub struct Answer {
    #[serde(default = "yes")]
    pub found: bool,
    pub nik: Option<String>,
    pub nama_lgkp: Option<String>,
    pub tgl_lhr: Option<String>,
    pub jenis_klmin: Option<String>,
}

fn yes() -> bool {
    true
}

impl Answer {
    pub fn judge(&self) -> Verification {
        judge(
            self.found,
            &[
                (DukcapilField::Nik, self.nik.as_deref()),
                (DukcapilField::FullName, self.nama_lgkp.as_deref()),
                (DukcapilField::BirthDate, self.tgl_lhr.as_deref()),
                (DukcapilField::Sex, self.jenis_klmin.as_deref()),
            ],
        )
    }
}

/// One HTTP client for the process (connection reuse); the timeout is per request.
fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new)
}

/// Asks Dukcapil about one record. Never fails: no answer is `NotVerified` with the reason.
pub async fn verify(settings: &Settings, request: &Request<'_>) -> Verification {
    let mut call = client().post(&settings.url).timeout(settings.timeout).json(request);
    call = match &settings.auth {
        Auth::None => call,
        Auth::Basic { user, password } => call.basic_auth(user, Some(password)),
        Auth::Bearer(token) => call.bearer_auth(token),
    };
    let response = match call.send().await {
        Ok(r) => r,
        Err(e) => return Verification::NotVerified(failure(&e)),
    };
    let status = response.status().as_u16();
    if status == 404 {
        return Verification::Mismatch(vec![DukcapilField::Nik]);
    }
    if matches!(status, 401 | 403 | 429) || status >= 500 {
        tracing::warn!(status, "dukcapil refused a verification");
        return Verification::NotVerified(NotVerifiedReason::Refused);
    }
    if status != 200 {
        return Verification::NotVerified(NotVerifiedReason::BadAnswer);
    }
    match response.json::<Answer>().await {
        Ok(a) => a.judge(),
        Err(e) => Verification::NotVerified(failure(&e)),
    }
}

fn failure(e: &reqwest::Error) -> NotVerifiedReason {
    if e.is_timeout() {
        NotVerifiedReason::Timeout
    } else if e.is_connect() {
        NotVerifiedReason::Unreachable
    } else if e.is_decode() || e.is_body() {
        NotVerifiedReason::BadAnswer
    } else {
        NotVerifiedReason::Unreachable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_per_field() {
        let a: Answer = serde_json::from_str(
            r#"{"nik":"Sesuai","nama_lgkp":"Tidak Sesuai","tgl_lhr":"Sesuai","jenis_klmin":"Sesuai"}"#,
        )
        .unwrap();
        assert_eq!(a.judge(), Verification::Mismatch(vec![DukcapilField::FullName]));
        let a: Answer = serde_json::from_str(r#"{"found":false}"#).unwrap();
        assert_eq!(a.judge(), Verification::Mismatch(vec![DukcapilField::Nik]));
    }

    #[test]
    fn credentials_are_not_printed() {
        let s = Settings {
            url: "https://x".into(),
            auth: Auth::Basic { user: "u".into(), password: "secret".into() },
            timeout: Duration::from_secs(1),
        };
        assert!(!format!("{s:?}").contains("secret"));
    }
}
