//! The audit trail's parts outside the database: the key that keys the chain and the
//! checkpoint file that records the head (issue 14; docs/OPERATIONS.md "Audit trail").

use crate::Config;
use domain::audit::{AuditKey, Checkpoint, CheckpointError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use store::Db;

#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    #[error("audit key file {path}: {problem}")]
    KeyFile { path: PathBuf, problem: String },
    #[error("audit checkpoint file {path}: {problem}")]
    CheckpointFile { path: PathBuf, problem: String },
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

fn key_file_error(path: &Path, problem: impl ToString) -> TrailError {
    TrailError::KeyFile { path: path.to_path_buf(), problem: problem.to_string() }
}

/// The configured key: `DESMIGRATIF_AUDIT_KEY`, else the key file if it exists.
pub fn load_key(cfg: &Config) -> Result<Option<AuditKey>, TrailError> {
    if let Some(k) = &cfg.audit_key {
        return Ok(Some(k.clone()));
    }
    let path = &cfg.audit_key_file;
    match std::fs::read_to_string(path) {
        Ok(text) => AuditKey::parse(&text).map(Some).map_err(|e| key_file_error(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(key_file_error(path, e)),
    }
}

/// The configured key, creating the key file (32 random bytes, hex, mode 0600) on first start.
pub fn load_or_create_key(cfg: &Config) -> Result<AuditKey, TrailError> {
    if let Some(k) = load_key(cfg)? {
        return Ok(k);
    }
    let path = &cfg.audit_key_file;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| key_file_error(path, e))?;
    }
    let key = AuditKey::generate();
    // Written whole to a private temporary file, then linked into place: the link fails if
    // another process created the key meanwhile, and nobody ever reads half a key.
    let tmp = path.with_extension(format!("tmp{}-{:016x}", std::process::id(), rand::random::<u64>()));
    let written = (|| {
        let mut f = private_file(&tmp)?;
        f.write_all(format!("{}\n", key.to_hex()).as_bytes())?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(key_file_error(path, e));
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            tracing::warn!(path = %path.display(), key_id = key.id(), "created a new audit key: back it up apart from the database");
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            load_key(cfg)?.ok_or_else(|| key_file_error(path, "vanished while being created"))
        }
        Err(e) => Err(key_file_error(path, e)),
    }
}

#[cfg(unix)]
pub(crate) fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
pub(crate) fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

/// Loads (or creates) the key, makes it available to audit appends and keys the chain if
/// it is not yet. Run by every start that writes (`bootstrap::prepare`).
pub async fn key_the_chain(db: &Db, cfg: &Config) -> Result<AuditKey, TrailError> {
    let key = match load_key(cfg)? {
        Some(k) => k,
        None => match store::audit::head(db).await?.keying {
            // A new key could never verify this chain: say what is missing instead.
            Some(k) => {
                return Err(key_file_error(
                    &cfg.audit_key_file,
                    format!(
                        "not found, and this database's audit chain is keyed with key {}: restore that key file (or set DESMIGRATIF_AUDIT_KEY)",
                        k.key_id
                    ),
                ));
            }
            None => load_or_create_key(cfg)?,
        },
    };
    match store::audit::ensure_keyed(db, &key).await? {
        store::audit::Keyed::Already { .. } => {}
        store::audit::Keyed::Now { keyed_from, marker } => {
            tracing::info!(keyed_from, ?marker, key_id = key.id(), "audit chain keyed from this entry on");
        }
    }
    Ok(key)
}

/// The checkpoints in a file, each checked against `key`; lines without a checkpoint
/// (syslog chatter) are skipped, bad ones reported with their line number.
#[derive(Debug, Default)]
pub struct CheckpointFile {
    pub checkpoints: Vec<Checkpoint>,
    pub problems: Vec<(usize, CheckpointError)>,
}

/// Reads `path`; a missing file has no checkpoints.
pub fn read_checkpoints(path: &Path, key: &AuditKey) -> Result<CheckpointFile, TrailError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(CheckpointFile::default()),
        Err(e) => return Err(TrailError::CheckpointFile { path: path.to_path_buf(), problem: e.to_string() }),
    };
    let mut out = CheckpointFile::default();
    for (i, line) in text.lines().enumerate() {
        match Checkpoint::parse_line(line).and_then(|c| c.map(|c| c.verify(key).map(|()| c)).transpose()) {
            Ok(Some(c)) => out.checkpoints.push(c),
            Ok(None) => {}
            Err(e) => out.problems.push((i + 1, e)),
        }
    }
    Ok(out)
}

/// Appends one line and flushes it to disk.
pub fn append_checkpoint(path: &Path, c: &Checkpoint) -> Result<(), TrailError> {
    let err = |e: std::io::Error| TrailError::CheckpointFile { path: path.to_path_buf(), problem: e.to_string() };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(err)?;
    f.write_all(format!("{}\n", c.to_line()).as_bytes()).map_err(err)?;
    f.sync_data().map_err(err)
}

/// What [`checkpoint`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkpointed {
    Written(Checkpoint),
    /// The head has not moved since `last`.
    Unchanged,
    /// The chain is not keyed (nothing to pin yet).
    NotKeyed,
    /// The log no longer extends the last checkpoint: writing a new one would hide that.
    Refused(String),
}

/// Records the current head, unless it has not moved since `last` or the log no longer
/// extends `last` (then the refusal says why; `audit verify` reports it in full).
pub async fn checkpoint(
    db: &Db,
    key: &AuditKey,
    path: &Path,
    last: Option<&Checkpoint>,
    now: i64,
) -> Result<Checkpointed, TrailError> {
    let head = store::audit::head(db).await?;
    let Some(keying) = head.keying else { return Ok(Checkpointed::NotKeyed) };
    if let Some(last) = last {
        if last.seq == head.seq && last.head == head.hash {
            return Ok(Checkpointed::Unchanged);
        }
        if head.seq < last.seq {
            return Ok(Checkpointed::Refused(format!(
                "the log has {} entries, the last checkpoint recorded {}",
                head.seq, last.seq
            )));
        }
        if store::audit::hash_at(db, last.seq).await?.as_deref() != Some(last.head.as_str()) {
            return Ok(Checkpointed::Refused(format!("entry {} no longer matches the last checkpoint", last.seq)));
        }
    }
    let c = Checkpoint::new(key, now, head.seq, &head.hash, keying.keyed_from);
    append_checkpoint(path, &c)?;
    Ok(Checkpointed::Written(c))
}

/// The server's checkpoint writer: every `cfg.audit_checkpoint_minutes` when the head
/// moved. Returns the last checkpoint for the one written at shutdown.
pub struct Checkpointer {
    db: Db,
    key: Option<AuditKey>,
    path: PathBuf,
    last: Option<Checkpoint>,
}

impl Checkpointer {
    /// Reads the last checkpoint of the file. Without a key (a process that never keyed
    /// the chain) it does nothing.
    pub fn new(db: Db, cfg: &Config) -> Checkpointer {
        let key = match load_key(cfg) {
            Ok(k) => k,
            Err(e) => {
                tracing::error!(error = %e, "audit checkpoints disabled");
                None
            }
        };
        let last = key.as_ref().and_then(|k| match read_checkpoints(&cfg.audit_checkpoint_file, k) {
            Ok(f) => f.checkpoints.into_iter().max_by_key(|c| c.seq),
            Err(e) => {
                tracing::error!(error = %e, "reading audit checkpoints");
                None
            }
        });
        Checkpointer { db, key, path: cfg.audit_checkpoint_file.clone(), last }
    }

    /// Writes a checkpoint if the head moved; errors are logged, never fatal to serving.
    pub async fn tick(&mut self) {
        let Some(key) = &self.key else { return };
        match checkpoint(&self.db, key, &self.path, self.last.as_ref(), store::now()).await {
            Ok(Checkpointed::Written(c)) => {
                tracing::info!(seq = c.seq, path = %self.path.display(), "audit checkpoint written");
                self.last = Some(c);
            }
            Ok(Checkpointed::Unchanged | Checkpointed::NotKeyed) => {}
            Ok(Checkpointed::Refused(why)) => {
                tracing::error!(why, "AUDIT LOG TAMPERED? no checkpoint written; run `desmigratif audit verify`")
            }
            Err(e) => tracing::error!(error = %e, "writing the audit checkpoint failed"),
        }
    }

    /// Ticks every `minutes` until aborted.
    pub async fn run_every(mut self, minutes: i64) {
        let period = Duration::from_secs(60 * minutes.max(1) as u64);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            self.tick().await;
        }
    }
}

/// What `desmigratif audit verify` found, with the message it prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    Intact {
        message: String,
    },
    /// Tampering: `finding` is `None` when only the checkpoint file itself was altered.
    Tampered {
        message: String,
        finding: Option<domain::audit::Finding>,
    },
    /// Verification could not run (no key, another key): a setup problem.
    CannotVerify {
        message: String,
    },
}

/// The whole check: the chain with the configured key, against the checkpoints in
/// `checkpoint_file` (the configured one, or a copy shipped off the machine).
pub async fn verify(db: &Db, cfg: &Config, checkpoint_file: &Path) -> Result<VerifyOutcome, TrailError> {
    let key = load_key(cfg)?;
    let file = match &key {
        Some(k) => read_checkpoints(checkpoint_file, k)?,
        None => CheckpointFile::default(),
    };
    let last = file.checkpoints.iter().max_by_key(|c| c.seq).cloned();
    let count = file.checkpoints.len();
    let v = match store::audit::verify_with(db, key.as_ref(), file.checkpoints).await {
        Ok(v) => v,
        Err(store::StoreError::AuditKey(message)) => return Ok(VerifyOutcome::CannotVerify { message }),
        Err(e) => return Err(e.into()),
    };
    if let Some(f) = v.finding {
        let message = match &f {
            domain::audit::Finding::NotKeyed { .. } => format!("AUDIT CHAIN NOT KEYED: {f}"),
            domain::audit::Finding::KeyingAltered | domain::audit::Finding::KeyingChanged { .. } => {
                format!("AUDIT CHAIN BROKEN: {f}")
            }
            _ => format!("AUDIT CHAIN BROKEN at entry {}: {f}", f.seq()),
        };
        return Ok(VerifyOutcome::Tampered { message, finding: Some(f) });
    }
    if let Some((line, problem)) = file.problems.first() {
        return Ok(VerifyOutcome::Tampered {
            message: format!(
                "AUDIT CHECKPOINTS ALTERED: {} line {line}: {problem} ({} bad line(s) in all)",
                checkpoint_file.display(),
                file.problems.len()
            ),
            finding: None,
        });
    }
    let keyed = match v.unkeyed {
        0 => "all keyed".to_string(),
        n => format!("entries 1–{n} predate the key and are pinned by the first keyed entry"),
    };
    let against = match last {
        Some(c) => format!(
            "matches {count} checkpoint(s), the last of {} at entry {}",
            domain::audit::unix_time_text(c.at),
            c.seq
        ),
        None => format!(
            "no checkpoint in {}: removal of the newest entries cannot be detected without one",
            checkpoint_file.display()
        ),
    };
    Ok(VerifyOutcome::Intact {
        message: format!("Audit chain intact: {} entries verified ({keyed}); {against}.", v.entries),
    })
}
