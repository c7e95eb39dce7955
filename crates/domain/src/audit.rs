//! The audit chain: each entry's hash covers its fields and the previous entry's hash,
//! so removing, reordering or editing any entry breaks every hash after it.
//!
//! Since issue 14 the chain is keyed: entries from the switch-over sequence number on are
//! HMAC-SHA256 under a secret kept outside the database ([`AuditKey`]), so whoever can only
//! write the database cannot recompute them. Entries written before the switch-over keep
//! their plain SHA-256 hash; the first keyed entry links to the last of them, which pins
//! the whole unkeyed part. Removing the newest entries (and moving the head back) leaves a
//! valid chain behind, so the head is also recorded outside the database in keyed
//! [`Checkpoint`]s, and [`ChainVerifier`] compares the log with them.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

type HmacSha256 = Hmac<Sha256>;

/// What an audit entry records. Field order here is the hashing order: never change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub region_code: &'a str,
    pub ip: &'a str,
    pub request_id: &'a str,
    pub details: &'a str,
}

/// Feeds the hashed message (previous hash, then every field length-prefixed) to `sink`.
fn entry_message(prev_hash: &str, f: &AuditFields<'_>, mut sink: impl FnMut(&[u8])) {
    sink(prev_hash.as_bytes());
    let actor_id = f.actor_user_id.map(|i| i.to_string()).unwrap_or_default();
    for part in [
        f.seq.to_string().as_str(),
        f.at.to_string().as_str(),
        actor_id.as_str(),
        f.actor,
        f.action,
        f.entity,
        f.entity_id,
        f.region_code,
        f.ip,
        f.request_id,
        f.details,
    ] {
        // Length-prefixed so that moving text between fields changes the hash.
        sink(&(part.len() as u64).to_le_bytes());
        sink(part.as_bytes());
    }
}

/// The unkeyed hash of entries written before the chain was keyed.
pub fn entry_hash(prev_hash: &str, f: &AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    entry_message(prev_hash, f, |b| h.update(b));
    hex::encode(h.finalize())
}

/// The keyed hash: HMAC-SHA256 under the audit key over the same message.
pub fn keyed_entry_hash(key: &AuditKey, prev_hash: &str, f: &AuditFields<'_>) -> String {
    let mut m = key.mac();
    entry_message(prev_hash, f, |b| m.update(b));
    hex::encode(m.finalize().into_bytes())
}

/// The secret that keys the chain. Never stored in the database nor printed: `Debug` shows
/// only its id, a fingerprint that names the key without revealing it.
#[derive(Clone)]
pub struct AuditKey {
    bytes: Vec<u8>,
    id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("expected hex or base64 text")]
    NotHexOrBase64,
    #[error("the key has {0} bytes; at least {min} are needed", min = AuditKey::MIN_LEN)]
    TooShort(usize),
}

impl AuditKey {
    pub const MIN_LEN: usize = 32;

    pub fn from_bytes(bytes: Vec<u8>) -> Result<AuditKey, KeyError> {
        if bytes.len() < Self::MIN_LEN {
            return Err(KeyError::TooShort(bytes.len()));
        }
        let mut m = HmacSha256::new_from_slice(&bytes).expect("HMAC accepts keys of any length");
        m.update(b"desmigratif audit key id");
        let id = hex::encode(&m.finalize().into_bytes()[..8]);
        Ok(AuditKey { bytes, id })
    }

    /// Hex (an even number of hex digits) or base64 (standard or URL-safe, padded or not).
    pub fn parse(text: &str) -> Result<AuditKey, KeyError> {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
        let t = text.trim();
        let bytes = if !t.is_empty() && t.len() % 2 == 0 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(t).map_err(|_| KeyError::NotHexOrBase64)?
        } else {
            [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|e| e.decode(t).ok())
                .ok_or(KeyError::NotHexOrBase64)?
        };
        AuditKey::from_bytes(bytes)
    }

    /// A new random key (32 bytes from the operating system's generator).
    pub fn generate() -> AuditKey {
        let bytes: [u8; 32] = rand::random();
        AuditKey::from_bytes(bytes.to_vec()).expect("32 bytes is long enough")
    }

    /// The key as hex, for writing the key file. Nothing else should call this.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.bytes)
    }

    /// A fingerprint (16 hex digits) naming the key; safe to store and print.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.bytes).expect("HMAC accepts keys of any length")
    }

    fn sign(&self, msg: &str) -> String {
        let mut m = self.mac();
        m.update(msg.as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    /// Constant-time check of a hex MAC over `msg`.
    fn verify(&self, msg: &str, mac_hex: &str) -> bool {
        let Ok(tag) = hex::decode(mac_hex) else { return false };
        let mut m = self.mac();
        m.update(msg.as_bytes());
        m.verify_slice(&tag).is_ok()
    }

    /// The MAC over the switch-over record stored with the head, so that moving the
    /// switch-over (to pass recomputed entries off as unkeyed ones) is detected.
    pub fn keying_mac(&self, keyed_from: i64) -> String {
        self.sign(&keying_message(keyed_from, &self.id))
    }

    pub fn keying_mac_ok(&self, keyed_from: i64, key_id: &str, mac: &str) -> bool {
        self.verify(&keying_message(keyed_from, key_id), mac)
    }
}

fn keying_message(keyed_from: i64, key_id: &str) -> String {
    format!("desmigratif audit keyed_from={keyed_from} key={key_id}")
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditKey(id {})", self.id)
    }
}

/// Where the chain's keyed part begins, as stored with the head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keying {
    pub keyed_from: i64,
    pub key_id: String,
    pub mac: String,
}

/// The head as stored in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    pub keying: Option<Keying>,
}

/// The head recorded outside the database at a moment: sequence number, the keyed hash of
/// that entry, where the keyed part begins, and a MAC over all of it and the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub at: i64,
    pub seq: i64,
    pub head: String,
    pub keyed_from: i64,
    pub key_id: String,
    pub mac: String,
}

/// Marks a checkpoint in a line, so that one can be read back from a syslog file too.
pub const CHECKPOINT_TAG: &str = "desmigratif-audit-checkpoint";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("malformed checkpoint ({0})")]
    Malformed(&'static str),
    #[error("checkpoint made with another key (id {0})")]
    OtherKey(String),
    #[error("checkpoint MAC does not verify (edited or forged)")]
    BadMac,
}

impl Checkpoint {
    pub fn new(key: &AuditKey, at: i64, seq: i64, head: &str, keyed_from: i64) -> Checkpoint {
        let mut c = Checkpoint {
            at,
            seq,
            head: head.to_string(),
            keyed_from,
            key_id: key.id().to_string(),
            mac: String::new(),
        };
        c.mac = key.sign(&c.message());
        c
    }

    fn message(&self) -> String {
        format!("v1|{}|{}|{}|{}|{}", self.at, self.seq, self.head, self.keyed_from, self.key_id)
    }

    /// One line for the checkpoint file (or syslog).
    pub fn to_line(&self) -> String {
        format!(
            "{CHECKPOINT_TAG} v1 at={} seq={} head={} keyed_from={} key={} mac={}",
            self.at, self.seq, self.head, self.keyed_from, self.key_id, self.mac
        )
    }

    /// Reads a line written by [`Checkpoint::to_line`], anywhere in `line` (a syslog prefix
    /// is fine). `Ok(None)` when the line holds no checkpoint.
    pub fn parse_line(line: &str) -> Result<Option<Checkpoint>, CheckpointError> {
        let Some(start) = line.find(CHECKPOINT_TAG) else { return Ok(None) };
        let mut words = line[start + CHECKPOINT_TAG.len()..].split_whitespace();
        if words.next() != Some("v1") {
            return Err(CheckpointError::Malformed("unknown version"));
        }
        let mut get = |name: &'static str| -> Result<&str, CheckpointError> {
            let w = words.next().ok_or(CheckpointError::Malformed(name))?;
            w.strip_prefix(name).and_then(|r| r.strip_prefix('=')).ok_or(CheckpointError::Malformed(name))
        };
        let num = |s: &str, name: &'static str| s.parse::<i64>().map_err(|_| CheckpointError::Malformed(name));
        let at = num(get("at")?, "at")?;
        let seq = num(get("seq")?, "seq")?;
        let head = get("head")?.to_string();
        let keyed_from = num(get("keyed_from")?, "keyed_from")?;
        let key_id = get("key")?.to_string();
        let mac = get("mac")?.to_string();
        Ok(Some(Checkpoint { at, seq, head, keyed_from, key_id, mac }))
    }

    /// Checks the MAC under `key`.
    pub fn verify(&self, key: &AuditKey) -> Result<(), CheckpointError> {
        if self.key_id != key.id() {
            return Err(CheckpointError::OtherKey(self.key_id.clone()));
        }
        if !key.verify(&self.message(), &self.mac) {
            return Err(CheckpointError::BadMac);
        }
        Ok(())
    }
}

/// Result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    Intact { entries: u64 },
    Broken { seq: i64, reason: String },
}

/// What a verification found wrong. Each kind of tampering has its own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A sequence number is missing in the middle of the log.
    Missing { expected: i64, found: i64 },
    /// The entry's previous-hash link points at another entry than the one before it.
    Reordered { seq: i64, follows: i64 },
    /// The entry's previous-hash link points at no entry.
    LinkBroken { seq: i64 },
    /// The entry's content does not match its hash.
    Edited { seq: i64, keyed: bool },
    /// The log ends before a point recorded outside it.
    NewestRemoved { log_end: i64, recorded: i64, evidence: String },
    /// The head's sequence number is not the last entry's.
    HeadMoved { head_seq: i64, log_end: i64 },
    /// The head's hash is not the last entry's.
    HeadHashMoved { seq: i64 },
    /// The entry at a checkpoint's sequence number has another hash than recorded there.
    CheckpointMismatch { seq: i64, checkpoint_at: i64 },
    /// A checkpoint says the chain was keyed, the database says otherwise.
    KeyingChanged { checkpoint_keyed_from: i64, stored: Option<i64> },
    /// The switch-over record's MAC does not verify.
    KeyingAltered,
    /// The chain has no keyed part.
    NotKeyed { entries: i64 },
}

impl Finding {
    /// The entry the finding is about (for [`ChainCheck::Broken`]).
    pub fn seq(&self) -> i64 {
        match self {
            Finding::Missing { expected, .. } => *expected,
            Finding::Reordered { seq, .. }
            | Finding::LinkBroken { seq }
            | Finding::Edited { seq, .. }
            | Finding::HeadHashMoved { seq }
            | Finding::CheckpointMismatch { seq, .. } => *seq,
            Finding::NewestRemoved { log_end, .. } => log_end + 1,
            Finding::HeadMoved { head_seq, .. } => *head_seq,
            Finding::KeyingChanged { checkpoint_keyed_from, .. } => *checkpoint_keyed_from,
            Finding::KeyingAltered | Finding::NotKeyed { .. } => 0,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Missing { expected, found } => {
                write!(f, "entry {expected} is missing: the log jumps to entry {found} (an entry was removed)")
            }
            Finding::Reordered { seq, follows } => {
                write!(f, "entries reordered: entry {seq} links to entry {follows}, not to entry {}", seq - 1)
            }
            Finding::LinkBroken { seq } => write!(
                f,
                "entry {seq} does not link to entry {}: an entry before it was edited, removed or inserted",
                seq - 1
            ),
            Finding::Edited { seq, keyed: true } => write!(
                f,
                "entry {seq} was edited: its content does not match its keyed hash (edited, or its hash recomputed without the audit key)"
            ),
            Finding::Edited { seq, keyed: false } => {
                write!(f, "entry {seq} was edited: its content does not match its hash")
            }
            Finding::NewestRemoved { log_end, recorded, evidence } => write!(
                f,
                "newest entries removed: {evidence} recorded {recorded} entries, the log now ends at entry {log_end}"
            ),
            Finding::HeadMoved { head_seq, log_end } => {
                write!(f, "audit_head was moved: it says {head_seq} entries, the log ends at entry {log_end}")
            }
            Finding::HeadHashMoved { seq } => {
                write!(f, "audit_head was moved: its hash is not the hash of the last entry ({seq})")
            }
            Finding::CheckpointMismatch { seq, checkpoint_at } => write!(
                f,
                "history rewritten: entry {seq} no longer has the keyed hash the checkpoint of {} recorded",
                unix_time_text(*checkpoint_at)
            ),
            Finding::KeyingChanged { checkpoint_keyed_from, stored } => write!(
                f,
                "the switch-over to the keyed chain was changed: checkpoints say keyed from entry {checkpoint_keyed_from}, the database says {}",
                stored.map(|s| format!("from entry {s}")).unwrap_or_else(|| "never keyed".into())
            ),
            Finding::KeyingAltered => {
                write!(f, "the switch-over record in audit_head was altered: its MAC does not verify")
            }
            Finding::NotKeyed { entries } => write!(
                f,
                "the chain is not keyed: its {entries} entries carry plain SHA-256 hashes that anyone who can write the database can recompute (start the server or run `desmigratif migrate` once with the audit key to key it)"
            ),
        }
    }
}

/// `2026-12-02 12:50:39 UTC`, for messages; the raw number if out of range.
pub fn unix_time_text(t: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    time::OffsetDateTime::from_unix_timestamp(t).ok().and_then(|d| d.format(&fmt).ok()).unwrap_or_else(|| t.to_string())
}

/// Incremental verifier: feed entries in `seq` order, then [`ChainVerifier::finish`] with
/// the head. Memory stays constant apart from the checkpoints.
pub struct ChainVerifier {
    prev_hash: String,
    expected_seq: i64,
    count: u64,
    key: Option<AuditKey>,
    /// First keyed entry (`i64::MAX` when the chain is not keyed).
    keyed_from: i64,
    /// Verified checkpoints, highest `seq` last; each is checked when its entry passes.
    checkpoints: Vec<Checkpoint>,
    next_checkpoint: usize,
}

impl Default for ChainVerifier {
    /// An unkeyed verifier: every entry is checked with the plain hash.
    fn default() -> Self {
        Self {
            prev_hash: GENESIS.to_string(),
            expected_seq: 1,
            count: 0,
            key: None,
            keyed_from: i64::MAX,
            checkpoints: Vec::new(),
            next_checkpoint: 0,
        }
    }
}

impl ChainVerifier {
    /// A verifier for a chain keyed with `key` from entry `keyed_from` on, compared with
    /// `checkpoints` (already checked with [`Checkpoint::verify`]).
    pub fn keyed(key: AuditKey, keyed_from: i64, mut checkpoints: Vec<Checkpoint>) -> Self {
        checkpoints.sort_by_key(|c| c.seq);
        Self { key: Some(key), keyed_from, checkpoints, ..Self::default() }
    }

    /// The entry the verifier expects next.
    pub fn expected_seq(&self) -> i64 {
        self.expected_seq
    }

    /// The hash the next entry must link to.
    pub fn prev_hash(&self) -> &str {
        &self.prev_hash
    }

    pub fn feed(&mut self, fields: &AuditFields<'_>, stored_prev: &str, stored_hash: &str) -> Result<(), Finding> {
        if fields.seq != self.expected_seq {
            return Err(Finding::Missing { expected: self.expected_seq, found: fields.seq });
        }
        if stored_prev != self.prev_hash {
            // The caller may find where the link points and report a reordering instead.
            return Err(Finding::LinkBroken { seq: fields.seq });
        }
        let keyed = fields.seq >= self.keyed_from;
        let expected = match (&self.key, keyed) {
            (Some(key), true) => keyed_entry_hash(key, stored_prev, fields),
            _ => entry_hash(stored_prev, fields),
        };
        if expected != stored_hash {
            return Err(Finding::Edited { seq: fields.seq, keyed });
        }
        while let Some(c) = self.checkpoints.get(self.next_checkpoint).filter(|c| c.seq <= fields.seq) {
            if c.seq == fields.seq && c.head != stored_hash {
                return Err(Finding::CheckpointMismatch { seq: c.seq, checkpoint_at: c.at });
            }
            self.next_checkpoint += 1;
        }
        self.prev_hash = stored_hash.to_string();
        self.expected_seq += 1;
        self.count += 1;
        Ok(())
    }

    /// Checks the end of the log against the head and the checkpoints.
    pub fn finish_with_head(self, head: &Head) -> Result<u64, Finding> {
        let log_end = self.expected_seq - 1;
        // A checkpoint beyond the end proves entries were removed, whatever the head says.
        if let Some(c) = self.checkpoints.last().filter(|c| c.seq > log_end) {
            return Err(Finding::NewestRemoved {
                log_end,
                recorded: c.seq,
                evidence: format!("the checkpoint of {}", unix_time_text(c.at)),
            });
        }
        // The switch-over entry and those after it were written keyed: the log must reach it.
        if self.key.is_some() && self.keyed_from > 1 && self.keyed_from != i64::MAX && log_end < self.keyed_from {
            return Err(Finding::NewestRemoved {
                log_end,
                recorded: self.keyed_from,
                evidence: "the switch-over to the keyed chain".into(),
            });
        }
        if head.seq != log_end {
            return Err(Finding::HeadMoved { head_seq: head.seq, log_end });
        }
        if head.hash != self.prev_hash {
            return Err(Finding::HeadHashMoved { seq: log_end });
        }
        Ok(self.count)
    }

    /// The old, unkeyed result without a head check (kept for callers that only walk).
    pub fn finish(self) -> ChainCheck {
        ChainCheck::Intact { entries: self.count }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(seq: i64, details: &str) -> AuditFields<'_> {
        AuditFields {
            seq,
            at: 1_700_000_000 + seq,
            actor_user_id: Some(1),
            actor: "admin",
            action: "village.designate",
            entity: "village",
            entity_id: "53.10.01.2001",
            region_code: "53.10.01.2001",
            ip: "127.0.0.1",
            request_id: "r",
            details,
        }
    }

    fn key() -> AuditKey {
        AuditKey::from_bytes(vec![7u8; 32]).unwrap()
    }

    /// Entries 1..=n, keyed from `keyed_from` on (unkeyed before).
    fn chain_keyed(n: i64, keyed_from: i64) -> Vec<(AuditFields<'static>, String, String)> {
        let k = key();
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let f = fields(i, "x");
                let h = if i >= keyed_from { keyed_entry_hash(&k, &prev, &f) } else { entry_hash(&prev, &f) };
                let out = (f, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
    }

    fn chain(n: i64) -> Vec<(AuditFields<'static>, String, String)> {
        chain_keyed(n, i64::MAX)
    }

    fn head_of(c: &[(AuditFields<'static>, String, String)]) -> Head {
        let (seq, hash) = c.last().map(|(f, _, h)| (f.seq, h.clone())).unwrap_or((0, GENESIS.into()));
        Head { seq, hash, keying: None }
    }

    fn run(
        c: &[(AuditFields<'static>, String, String)],
        keyed_from: i64,
        cps: Vec<Checkpoint>,
        head: &Head,
    ) -> Result<u64, Finding> {
        let mut v = ChainVerifier::keyed(key(), keyed_from, cps);
        for (f, p, h) in c {
            v.feed(f, p, h)?;
        }
        v.finish_with_head(head)
    }

    #[test]
    fn intact_chain_verifies() {
        let mut v = ChainVerifier::default();
        for (f, p, h) in chain(5) {
            v.feed(&f, &p, &h).unwrap();
        }
        assert_eq!(v.finish(), ChainCheck::Intact { entries: 5 });
    }

    #[test]
    fn edited_entry_is_detected() {
        let mut c = chain(4);
        c[2].0.details = "changed";
        let mut v = ChainVerifier::default();
        let err = c.iter().try_for_each(|(f, p, h)| v.feed(f, p, h)).unwrap_err();
        assert_eq!(err, Finding::Edited { seq: 3, keyed: false });
    }

    #[test]
    fn removed_entry_is_detected() {
        let mut c = chain(4);
        c.remove(1);
        let mut v = ChainVerifier::default();
        let err = c.iter().try_for_each(|(f, p, h)| v.feed(f, p, h)).unwrap_err();
        assert_eq!(err, Finding::Missing { expected: 2, found: 3 });
    }

    #[test]
    fn moving_text_between_fields_changes_hash() {
        let mut a = fields(1, "");
        a.actor = "ab";
        a.action = "c";
        let mut b = fields(1, "");
        b.actor = "a";
        b.action = "bc";
        assert_ne!(entry_hash(GENESIS, &a), entry_hash(GENESIS, &b));
    }

    #[test]
    fn keyed_hash_depends_on_the_key_and_is_not_the_plain_hash() {
        let f = fields(1, "x");
        let other = AuditKey::from_bytes(vec![8u8; 32]).unwrap();
        let h = keyed_entry_hash(&key(), GENESIS, &f);
        assert_eq!(h, keyed_entry_hash(&key(), GENESIS, &f), "deterministic");
        assert_ne!(h, keyed_entry_hash(&other, GENESIS, &f));
        assert_ne!(h, entry_hash(GENESIS, &f));
        assert_eq!(h.len(), 64);
    }

    #[test]
    fn keys_parse_from_hex_and_base64_and_must_be_long_enough() {
        let hex_key = "ab".repeat(32);
        assert_eq!(AuditKey::parse(&hex_key).unwrap().to_hex(), hex_key);
        let b64 = "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="; // 32 × 0xab
        assert_eq!(AuditKey::parse(b64).unwrap().id(), AuditKey::parse(&hex_key).unwrap().id());
        assert_eq!(AuditKey::parse("abcd").unwrap_err(), KeyError::TooShort(2));
        assert_eq!(AuditKey::parse("not a key!").unwrap_err(), KeyError::NotHexOrBase64);
        let g = AuditKey::generate();
        assert_ne!(g.id(), AuditKey::generate().id());
        assert!(!format!("{g:?}").contains(&g.to_hex()), "Debug never shows the key");
    }

    #[test]
    fn keyed_chain_with_unkeyed_prefix_verifies() {
        let c = chain_keyed(6, 4);
        assert_eq!(run(&c, 4, vec![], &head_of(&c)), Ok(6));
    }

    #[test]
    fn chain_recomputed_without_the_key_is_detected() {
        // The attacker edits entry 3 and recomputes every hash after it, unkeyed.
        let mut c = chain_keyed(5, 1);
        c[2].0.details = "changed";
        let mut prev = c[1].2.clone();
        for e in c.iter_mut().skip(2) {
            e.1 = prev.clone();
            e.2 = entry_hash(&prev, &e.0);
            prev = e.2.clone();
        }
        let head = head_of(&c);
        assert_eq!(run(&c, 1, vec![], &head), Err(Finding::Edited { seq: 3, keyed: true }));
        // Recomputed with another key: the same.
        let other = AuditKey::from_bytes(vec![9u8; 32]).unwrap();
        let mut c = chain_keyed(3, 1);
        let mut prev = GENESIS.to_string();
        for e in c.iter_mut() {
            e.1 = prev.clone();
            e.2 = keyed_entry_hash(&other, &prev, &e.0);
            prev = e.2.clone();
        }
        assert_eq!(run(&c, 1, vec![], &head_of(&c)), Err(Finding::Edited { seq: 1, keyed: true }));
    }

    #[test]
    fn editing_the_unkeyed_prefix_breaks_the_first_keyed_entry() {
        let mut c = chain_keyed(5, 4);
        c[1].0.details = "changed";
        let mut prev = c[0].2.clone();
        for e in c.iter_mut().skip(1).take(2) {
            e.1 = prev.clone();
            e.2 = entry_hash(&prev, &e.0);
            prev = e.2.clone();
        }
        let head = head_of(&c);
        assert_eq!(run(&c, 4, vec![], &head), Err(Finding::LinkBroken { seq: 4 }));
        c[3].1 = prev;
        assert_eq!(run(&c, 4, vec![], &head), Err(Finding::Edited { seq: 4, keyed: true }));
    }

    #[test]
    fn removing_the_newest_entries_and_moving_the_head_back_is_caught_by_a_checkpoint() {
        let c = chain_keyed(6, 1);
        let cp = Checkpoint::new(&key(), 1_700_000_100, 6, &c[5].2, 1);
        assert_eq!(run(&c, 1, vec![cp.clone()], &head_of(&c)), Ok(6));
        let cut = &c[..4];
        // Without a checkpoint the shortened chain is consistent: that is why they exist.
        assert_eq!(run(cut, 1, vec![], &head_of(cut)), Ok(4));
        match run(cut, 1, vec![cp], &head_of(cut)) {
            Err(Finding::NewestRemoved { log_end: 4, recorded: 6, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn moved_head_is_detected() {
        let c = chain_keyed(4, 1);
        let mut head = head_of(&c);
        head.seq = 3;
        assert_eq!(run(&c, 1, vec![], &head), Err(Finding::HeadMoved { head_seq: 3, log_end: 4 }));
        let mut head = head_of(&c);
        head.hash = c[2].2.clone();
        assert_eq!(run(&c, 1, vec![], &head), Err(Finding::HeadHashMoved { seq: 4 }));
    }

    #[test]
    fn a_checkpoint_pins_the_hash_at_its_entry() {
        let c = chain_keyed(4, 1);
        let mut cp = Checkpoint::new(&key(), 1_700_000_100, 2, &c[1].2, 1);
        cp.head = c[0].2.clone();
        assert_eq!(
            run(&c, 1, vec![cp], &head_of(&c)),
            Err(Finding::CheckpointMismatch { seq: 2, checkpoint_at: 1_700_000_100 })
        );
    }

    #[test]
    fn removing_the_keyed_part_of_a_switched_chain_is_detected() {
        let c = chain_keyed(6, 4);
        let cut = &c[..3];
        assert!(matches!(run(cut, 4, vec![], &head_of(cut)), Err(Finding::NewestRemoved { recorded: 4, .. })));
    }

    #[test]
    fn checkpoint_lines_round_trip_and_refuse_forgery() {
        let cp = Checkpoint::new(&key(), 1_764_680_000, 42, &"a".repeat(64), 1);
        let line = cp.to_line();
        assert!(!line.contains(&key().to_hex()));
        let back = Checkpoint::parse_line(&format!("Dec  2 12:00:00 host desmigratif: {line}")).unwrap().unwrap();
        assert_eq!(back, cp);
        back.verify(&key()).unwrap();
        let forged = Checkpoint::parse_line(&line.replace("seq=42", "seq=41")).unwrap().unwrap();
        assert_eq!(forged.verify(&key()), Err(CheckpointError::BadMac));
        let other = AuditKey::from_bytes(vec![9u8; 32]).unwrap();
        assert!(matches!(cp.verify(&other), Err(CheckpointError::OtherKey(_))));
        assert_eq!(Checkpoint::parse_line("unrelated line"), Ok(None));
        assert!(Checkpoint::parse_line(&format!("{CHECKPOINT_TAG} v1 at=x")).is_err());
    }

    #[test]
    fn keying_mac_binds_the_switch_over() {
        let k = key();
        let mac = k.keying_mac(5);
        assert!(k.keying_mac_ok(5, k.id(), &mac));
        assert!(!k.keying_mac_ok(6, k.id(), &mac));
        assert!(!k.keying_mac_ok(5, k.id(), "zz"));
    }
}
