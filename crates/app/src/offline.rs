//! The offline outbox's server half beyond `Idempotency-Key` (issue 16, docs/OFFLINE.md):
//! device grants, and the answer a phone gets at each contact.
//!
//! A phone gets a random grant when its officer signs in and presents it whenever it reaches
//! the server. The answer is `keep` for a live grant and `wipe` for anything else — unknown,
//! revoked with the account's sessions (disabled, password set or reset) or signed out — so a
//! stranger learns nothing about any account from it.

use crate::App as AppState;
use crate::accounts::User;
use crate::error::Result;
use store::audit::Actor;

/// What a phone is told at a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The grant is live: keep the outbox.
    Keep,
    /// Erase the outbox, the cached forms and the key.
    Wipe,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Keep => "keep",
            Verdict::Wipe => "wipe",
        }
    }
}

/// A grant is 64 hex digits (`store::auth::new_secret`); anything else is not worth a query.
fn well_formed(grant: &str) -> bool {
    grant.len() == 64 && grant.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A new device grant for the signed-in account (audited). Any signed-in account may hold
/// one: the grant only lets its phone learn whether to keep its own encrypted outbox.
pub async fn issue_grant(state: &AppState, user: &User, actor: &Actor) -> Result<String> {
    let now = state.clock.now().unix_timestamp();
    Ok(store::offline::issue(&state.db, actor, user.id, now).await?)
}

/// The verdict for a grant a phone presents, and the account it belongs to when live.
pub async fn contact(state: &AppState, grant: &str) -> Result<(Verdict, Option<i64>)> {
    if !well_formed(grant) {
        return Ok((Verdict::Wipe, None));
    }
    let now = state.clock.now().unix_timestamp();
    Ok(match store::offline::contact(&state.db, grant, now).await? {
        Some(user_id) => (Verdict::Keep, Some(user_id)),
        None => (Verdict::Wipe, None),
    })
}

/// The phone signed out: its grant is forgotten (nothing to tell a caller either way).
pub async fn revoke(state: &AppState, grant: &str) -> Result<()> {
    if well_formed(grant) {
        store::offline::revoke(&state.db, grant).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_64_hex_digits_are_grants() {
        assert!(well_formed(&"a".repeat(64)));
        assert!(!well_formed(&"a".repeat(63)));
        assert!(!well_formed(&"g".repeat(64)));
        assert!(!well_formed(""));
    }
}
