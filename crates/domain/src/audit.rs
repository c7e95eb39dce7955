//! The audit chain: each entry's hash covers its fields and the previous entry's hash,
//! so removing, reordering or editing any entry breaks every hash after it.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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

pub fn entry_hash(prev_hash: &str, f: &AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
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
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    Intact { entries: u64 },
    Broken { seq: i64, reason: String },
}

/// Incremental verifier: feed entries in `seq` order.
pub struct ChainVerifier {
    prev_hash: String,
    expected_seq: i64,
    count: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { prev_hash: GENESIS.to_string(), expected_seq: 1, count: 0 }
    }
}

impl ChainVerifier {
    pub fn feed(&mut self, fields: &AuditFields<'_>, stored_prev: &str, stored_hash: &str) -> Result<(), ChainCheck> {
        let broken = |reason: &str| ChainCheck::Broken { seq: fields.seq, reason: reason.to_string() };
        if fields.seq != self.expected_seq {
            return Err(ChainCheck::Broken {
                seq: fields.seq,
                reason: format!("expected entry {} (an entry is missing)", self.expected_seq),
            });
        }
        if stored_prev != self.prev_hash {
            return Err(broken("previous-hash link does not match the entry before"));
        }
        if entry_hash(stored_prev, fields) != stored_hash {
            return Err(broken("content does not match its hash (entry edited)"));
        }
        self.prev_hash = stored_hash.to_string();
        self.expected_seq += 1;
        self.count += 1;
        Ok(())
    }

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

    fn chain(n: i64) -> Vec<(AuditFields<'static>, String, String)> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let f = fields(i, "x");
                let h = entry_hash(&prev, &f);
                let out = (f, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
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
        assert!(matches!(err, ChainCheck::Broken { seq: 3, .. }), "{err:?}");
    }

    #[test]
    fn removed_entry_is_detected() {
        let mut c = chain(4);
        c.remove(1);
        let mut v = ChainVerifier::default();
        let err = c.iter().try_for_each(|(f, p, h)| v.feed(f, p, h)).unwrap_err();
        assert!(matches!(err, ChainCheck::Broken { seq: 3, .. }), "{err:?}");
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
}
