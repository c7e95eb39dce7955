//! Configuration from environment variables (12-factor). Names are a public contract.

use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct Config {
    /// `DESMIGRATIF_ADDR`, default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// `DATABASE_URL`, default `sqlite://data/desmigratif.db`.
    pub database_url: String,
    /// `DATABASE_READ_URL` (PostgreSQL only): a streaming replica that serves the read-only
    /// traffic (public portal, open statistics, dashboards); unset: everything on the primary.
    pub database_read_url: Option<String>,
    /// `DESMIGRATIF_ADMIN_USER` / `DESMIGRATIF_ADMIN_PASSWORD`: the first admin of a new database.
    pub admin_user: Option<String>,
    pub admin_password: Option<String>,
    /// `DESMIGRATIF_SESSION_HOURS`, default 12.
    pub session_ttl_secs: i64,
    /// `DESMIGRATIF_TOKEN_HOURS`: API token lifetime, default 24.
    pub token_ttl_secs: i64,
    /// `DESMIGRATIF_COOKIE_SECURE`: mark cookies Secure. Default: on unless the server
    /// listens on loopback only (a local install over plain http).
    pub cookie_secure: bool,
    /// `DESMIGRATIF_TRUST_PROXY=1`: take the client address from X-Forwarded-For.
    pub trust_proxy: bool,
    /// `DESMIGRATIF_LOGIN_MAX_FAILURES` per username in `DESMIGRATIF_LOGIN_WINDOW_MINUTES`.
    pub login_max_failures: i64,
    pub login_window_secs: i64,
    /// `DESMIGRATIF_IDEMPOTENCY_DAYS` (default 30): how long the API keeps the first answer to an
    /// `Idempotency-Key`. An offline phone's outbox may wait that long for a signal.
    pub idempotency_secs: i64,
    /// Track offline: `DESMIGRATIF_OFFLINE_MAX_DAYS` (default 7): a phone that has not reached
    /// the server for this many days wipes its offline outbox and caches (docs/OFFLINE.md).
    pub offline_max_days: i64,
    /// `DESMIGRATIF_ATTACHMENTS_DIR`: where case attachments are stored, outside the database,
    /// by content hash. Default: `attachments` next to a SQLite database file, else
    /// `data/attachments`.
    pub attachments_dir: std::path::PathBuf,
    /// `DESMIGRATIF_CLOCK`: start the server's clock at this instant (RFC 3339, e.g.
    /// `2026-03-01T01:00:00Z`) and let it run from there. For tests and training databases;
    /// unset in production (the real time).
    pub clock_start: Option<time::OffsetDateTime>,
    /// `DESMIGRATIF_AUDIT_KEY`: the key of the audit chain (hex or base64, at least 32
    /// bytes). Unset: read from (or created in) `audit_key_file`. `Debug` shows only its id.
    pub audit_key: Option<domain::audit::AuditKey>,
    /// `DESMIGRATIF_AUDIT_KEY_FILE`, default `audit.key` next to a SQLite database file,
    /// else `data/audit.key`. Created (mode 0600) on first start when no key is given.
    pub audit_key_file: std::path::PathBuf,
    /// `DESMIGRATIF_AUDIT_CHECKPOINT_FILE`, default `audit-checkpoints.log` next to the key file.
    pub audit_checkpoint_file: std::path::PathBuf,
    /// `DESMIGRATIF_AUDIT_CHECKPOINT_MINUTES`, default 5: how often the server records the
    /// head in the checkpoint file (only when it moved).
    pub audit_checkpoint_minutes: i64,
    /// The Dukcapil NIK verification adapter, off (`None`) unless `DESMIGRATIF_DUKCAPIL_URL`
    /// is set; `DESMIGRATIF_DUKCAPIL_USER` + `DESMIGRATIF_DUKCAPIL_PASSWORD` (basic) or
    /// `DESMIGRATIF_DUKCAPIL_TOKEN` (bearer), `DESMIGRATIF_DUKCAPIL_TIMEOUT_MS` (default 3000).
    pub dukcapil: Option<crate::dukcapil::Settings>,
    /// `DESMIGRATIF_HTCDS_KEY`: the Ed25519 secret (64 hex digits) that signs HTCDS exports.
    /// Unset: read from (or created in) `htcds_key_file`. `Debug` shows only its key id.
    pub htcds_key: Option<domain::htcds::SigningKey>,
    /// `DESMIGRATIF_HTCDS_KEY_FILE`, default `htcds-signing.key` next to the audit key file.
    pub htcds_key_file: std::path::PathBuf,
    /// `DESMIGRATIF_HTCDS_ORGANISATION`: who signs the exports (`signed_by`), default `Desmigratif`.
    pub htcds_organisation: String,
}

/// The checkpoint file next to the key file.
fn default_checkpoint_file(key_file: &std::path::Path) -> std::path::PathBuf {
    key_file.parent().unwrap_or(std::path::Path::new(".")).join("audit-checkpoints.log")
}

/// `name` in the directory of `file`.
fn sibling_of(file: &std::path::Path, name: &str) -> std::path::PathBuf {
    file.parent().unwrap_or(std::path::Path::new(".")).join(name)
}

/// Next to the SQLite file (so a backup of the data directory takes both), else `fallback`.
fn default_attachments_dir(database_url: &str, fallback: std::path::PathBuf) -> std::path::PathBuf {
    sqlite_sibling(database_url, "attachments").unwrap_or(fallback)
}

/// `name` in the directory of a SQLite database file; `None` for other databases.
fn sqlite_sibling(database_url: &str, name: &str) -> Option<std::path::PathBuf> {
    database_url
        .strip_prefix("sqlite://")
        .map(|p| p.split('?').next().unwrap_or(p))
        .filter(|p| !p.is_empty() && !p.contains(":memory:"))
        .and_then(|p| std::path::Path::new(p).parent().map(|d| d.join(name)))
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn num(name: &'static str, default: i64) -> Result<i64, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or(ConfigError { name, problem: format!("expected a positive whole number, got {v:?}") }),
    }
}

fn flag(name: &'static str) -> Result<Option<bool>, ConfigError> {
    match var(name).as_deref() {
        None => Ok(None),
        Some("1" | "true" | "yes" | "on") => Ok(Some(true)),
        Some("0" | "false" | "no" | "off") => Ok(Some(false)),
        Some(v) => Err(ConfigError { name, problem: format!("expected true or false, got {v:?}") }),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/desmigratif.db";

/// Reads `DESMIGRATIF_CONFIG` (a file of `NAME=value` lines, `#` comments) into the
/// environment. Variables already set win over the file, so a deployment can keep
/// defaults in a file and override one value on the command line.
pub fn load_config_file() -> Result<Option<String>, ConfigError> {
    let Some(path) = var("DESMIGRATIF_CONFIG") else { return Ok(None) };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ConfigError { name: "DESMIGRATIF_CONFIG", problem: format!("cannot read {path}: {e}") })?;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(ConfigError {
                name: "DESMIGRATIF_CONFIG",
                problem: format!("{path}:{}: expected NAME=value", n + 1),
            });
        };
        let (k, v) = (k.trim(), v.trim().trim_matches('"'));
        if std::env::var_os(k).is_none() {
            // SAFETY: called once at start-up, before any other thread exists.
            unsafe { std::env::set_var(k, v) };
        }
    }
    Ok(Some(path))
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let addr_s = var("DESMIGRATIF_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr: SocketAddr = addr_s.parse().map_err(|_| ConfigError {
            name: "DESMIGRATIF_ADDR",
            problem: format!("expected HOST:PORT such as 127.0.0.1:8080, got {addr_s:?}"),
        })?;
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let database_read_url = var("DATABASE_READ_URL");
        let is_pg = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
        if let Some(r) = &database_read_url
            && !(is_pg(r) && is_pg(&database_url))
        {
            return Err(ConfigError {
                name: "DATABASE_READ_URL",
                problem: "a read replica needs PostgreSQL: both DATABASE_URL and DATABASE_READ_URL postgres://…".into(),
            });
        }
        let attachments_dir = var("DESMIGRATIF_ATTACHMENTS_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| default_attachments_dir(&database_url, "data/attachments".into()));
        let audit_key = match var("DESMIGRATIF_AUDIT_KEY") {
            None => None,
            // The value is never echoed: it is a secret.
            Some(v) => Some(domain::audit::AuditKey::parse(&v).map_err(|e| ConfigError {
                name: "DESMIGRATIF_AUDIT_KEY",
                problem: format!("{e} (generate one with `openssl rand -hex 32`)"),
            })?),
        };
        let audit_key_file = var("DESMIGRATIF_AUDIT_KEY_FILE")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| sqlite_sibling(&database_url, "audit.key").unwrap_or_else(|| "data/audit.key".into()));
        let audit_checkpoint_file = var("DESMIGRATIF_AUDIT_CHECKPOINT_FILE")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| default_checkpoint_file(&audit_key_file));
        let dukcapil = match var("DESMIGRATIF_DUKCAPIL_URL") {
            None => None,
            Some(url) => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(ConfigError {
                        name: "DESMIGRATIF_DUKCAPIL_URL",
                        problem: format!("expected an https:// address, got {url:?}"),
                    });
                }
                let auth = match (var("DESMIGRATIF_DUKCAPIL_TOKEN"), var("DESMIGRATIF_DUKCAPIL_USER")) {
                    (Some(token), _) => crate::dukcapil::Auth::Bearer(token),
                    (None, Some(user)) => crate::dukcapil::Auth::Basic {
                        user,
                        password: var("DESMIGRATIF_DUKCAPIL_PASSWORD").unwrap_or_default(),
                    },
                    (None, None) => crate::dukcapil::Auth::None,
                };
                let timeout_ms = num("DESMIGRATIF_DUKCAPIL_TIMEOUT_MS", 3000)?;
                Some(crate::dukcapil::Settings {
                    url,
                    auth,
                    timeout: std::time::Duration::from_millis(timeout_ms as u64),
                })
            }
        };
        let htcds_key = match var("DESMIGRATIF_HTCDS_KEY") {
            None => None,
            // The value is never echoed: it is a secret.
            Some(v) => Some(domain::htcds::SigningKey::parse(&v).map_err(|e| ConfigError {
                name: "DESMIGRATIF_HTCDS_KEY",
                problem: format!("{e} (generate one with `openssl rand -hex 32`)"),
            })?),
        };
        let htcds_key_file = var("DESMIGRATIF_HTCDS_KEY_FILE")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| sibling_of(&audit_key_file, "htcds-signing.key"));
        Ok(Config {
            htcds_key,
            htcds_key_file,
            htcds_organisation: var("DESMIGRATIF_HTCDS_ORGANISATION").unwrap_or_else(|| "Desmigratif".into()),
            dukcapil,
            audit_key,
            audit_checkpoint_file,
            audit_key_file,
            audit_checkpoint_minutes: num("DESMIGRATIF_AUDIT_CHECKPOINT_MINUTES", 5)?,
            addr,
            attachments_dir,
            database_url,
            database_read_url,
            admin_user: var("DESMIGRATIF_ADMIN_USER"),
            admin_password: var("DESMIGRATIF_ADMIN_PASSWORD"),
            session_ttl_secs: num("DESMIGRATIF_SESSION_HOURS", 12)? * 3600,
            token_ttl_secs: num("DESMIGRATIF_TOKEN_HOURS", 24)? * 3600,
            cookie_secure: flag("DESMIGRATIF_COOKIE_SECURE")?.unwrap_or(!addr.ip().is_loopback()),
            trust_proxy: flag("DESMIGRATIF_TRUST_PROXY")?.unwrap_or(false),
            login_max_failures: num("DESMIGRATIF_LOGIN_MAX_FAILURES", 5)?,
            login_window_secs: num("DESMIGRATIF_LOGIN_WINDOW_MINUTES", 15)? * 60,
            idempotency_secs: num("DESMIGRATIF_IDEMPOTENCY_DAYS", 30)? * 86_400,
            offline_max_days: num("DESMIGRATIF_OFFLINE_MAX_DAYS", 7)?.max(1),
            clock_start: match var("DESMIGRATIF_CLOCK") {
                None => None,
                Some(v) => {
                    Some(time::OffsetDateTime::parse(&v, &time::format_description::well_known::Rfc3339).map_err(
                        |_| ConfigError {
                            name: "DESMIGRATIF_CLOCK",
                            problem: format!("expected an RFC 3339 instant such as 2026-03-01T01:00:00Z, got {v:?}"),
                        },
                    )?)
                }
            },
        })
    }

    /// A configuration for tests and tools: loopback, given database, defaults elsewhere.
    pub fn for_database(database_url: &str) -> Config {
        // PostgreSQL databases share a key in the temporary directory but each keeps its own
        // checkpoints (their names differ by database).
        let key_file = sqlite_sibling(database_url, "audit.key")
            .unwrap_or_else(|| std::env::temp_dir().join("desmigratif-audit.key"));
        let checkpoint_file = match sqlite_sibling(database_url, "audit.key") {
            Some(k) => default_checkpoint_file(&k),
            None => {
                use sha2::Digest;
                let id = hex::encode(&sha2::Sha256::digest(database_url.as_bytes())[..8]);
                std::env::temp_dir().join(format!("desmigratif-audit-checkpoints-{id}.log"))
            }
        };
        Config {
            addr: "127.0.0.1:0".parse().expect("valid literal address"),
            database_url: database_url.to_string(),
            database_read_url: None,
            admin_user: None,
            admin_password: None,
            session_ttl_secs: 12 * 3600,
            token_ttl_secs: 24 * 3600,
            cookie_secure: false,
            trust_proxy: false,
            login_max_failures: 5,
            login_window_secs: 15 * 60,
            idempotency_secs: 30 * 86_400,
            offline_max_days: 7,
            attachments_dir: default_attachments_dir(
                database_url,
                std::env::temp_dir().join("desmigratif-attachments"),
            ),
            clock_start: None,
            audit_key: None,
            audit_key_file: key_file,
            audit_checkpoint_file: checkpoint_file,
            audit_checkpoint_minutes: 5,
            dukcapil: None,
            htcds_key: None,
            // One signing key per database, so two test servers are two organisations.
            htcds_key_file: sqlite_sibling(database_url, "htcds-signing.key").unwrap_or_else(|| {
                use sha2::Digest;
                let id = hex::encode(&sha2::Sha256::digest(database_url.as_bytes())[..8]);
                std::env::temp_dir().join(format!("desmigratif-htcds-{id}.key"))
            }),
            htcds_organisation: "Desmigratif".into(),
        }
    }
}
