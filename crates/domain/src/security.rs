//! Pure rules of the web's defences: where a `next=` may send the browser, how long a
//! client must wait after failed logins, which account changes would leave the system
//! without an administrator, and secrets drawn from the operating system.

use crate::access::Scope;
use crate::role::Role;
use crate::validation::{Rule, ValidationErrors};

/// The path a `next=` parameter may redirect to: only a path on this site. Anything else
/// (another origin, a scheme, a protocol-relative `//host` or `/\host` that browsers
/// treat as another host, a backslash anywhere, a control character that browsers drop
/// or that would break the `Location` header) becomes `/`.
pub fn safe_next(next: &str) -> &str {
    let bytes = next.as_bytes();
    let ok = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/') | Some(b'\\'))
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 2000;
    if ok { next } else { "/" }
}

/// 32 bytes from the operating system's random source (session ids, CSRF tokens, API
/// tokens, signing keys). A failing OS source is not something to run on without.
pub fn random_bytes() -> [u8; 32] {
    use rand::TryRngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut b).expect("the operating system's random source must work");
    b
}

/// 256 random bits from the OS, hex.
pub fn random_hex() -> String {
    hex::encode(random_bytes())
}

/// Failed logins counted over the window for one key (account, address, or both), and
/// when the latest was (Unix seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recent {
    pub failures: i64,
    pub last_at: i64,
}

/// What the throttle sees before a login attempt.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginHistory {
    /// This account from this address: the owner's own typos, or one attacker.
    pub pair: Recent,
    /// This account from any address.
    pub account: Recent,
    /// Any account from this address: one client trying many accounts.
    pub address: Recent,
}

/// Throttling settings: `max_failures` free failures per account and address within
/// `window_secs` (DESMIGRATIF_LOGIN_MAX_FAILURES / DESMIGRATIF_LOGIN_WINDOW_MINUTES).
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub max_failures: i64,
    pub window_secs: i64,
}

/// Longest wait forced on an account by failures from other addresses: a stranger (or a
/// botnet) can slow the owner down, never lock them out.
pub const ACCOUNT_WAIT_CAP_SECS: i64 = 60;

/// How many times the per-pair allowance one address may fail across all accounts, and
/// one account across all addresses, before those keys slow down too.
pub const WIDE_FACTOR: i64 = 5;

impl LoginThrottle {
    /// None: the attempt may go ahead (and counts as a failure until it succeeds).
    /// Some(secs): refused without checking the password; try again after `secs`.
    ///
    /// Each key has `free` failures; after that every further attempt must wait
    /// 15 s × 2^k after the latest failure (k = failures over the allowance), capped.
    pub fn wait(&self, h: &LoginHistory, now: i64) -> Option<i64> {
        let max = self.max_failures.max(1);
        let cap = self.window_secs.max(1);
        let keys = [
            (h.pair, max, cap),
            (h.address, max.saturating_mul(WIDE_FACTOR), cap),
            (h.account, max.saturating_mul(WIDE_FACTOR), cap.min(ACCOUNT_WAIT_CAP_SECS)),
        ];
        keys.iter()
            .filter_map(|&(r, free, cap)| {
                let wait = required_gap(r.failures, free, cap)?;
                let left = r.last_at.saturating_add(wait).saturating_sub(now);
                (left > 0).then_some(left)
            })
            .max()
    }
}

/// The gap after the latest failure that the next attempt must keep, or None within the
/// allowance.
fn required_gap(failures: i64, free: i64, cap: i64) -> Option<i64> {
    if failures < free {
        return None;
    }
    let k = (failures - free).min(30) as u32;
    Some(FIRST_WAIT_SECS.saturating_mul(2i64.saturating_pow(k)).min(cap))
}

/// The first wait past the allowance; each further failure doubles it (15 s, 30 s, 1 min, …).
pub const FIRST_WAIT_SECS: i64 = 15;

/// One account as the last-administrator rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminSeat {
    pub id: i64,
    pub role: Option<Role>,
    pub national: bool,
    pub disabled: bool,
}

impl AdminSeat {
    pub fn new(id: i64, role: Option<Role>, scope: Option<&Scope>, disabled: bool) -> AdminSeat {
        AdminSeat { id, role, national: matches!(scope, Some(Scope::National)), disabled }
    }
    /// An active national admin: someone who can manage accounts everywhere.
    pub fn is_active_admin(&self) -> bool {
        self.role == Some(Role::NationalAdmin) && self.national && !self.disabled
    }
}

/// A proposed change to one account, in the fields the API and the admin page name.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountChange {
    pub role: Option<(Role, bool)>,
    pub disabled: Option<bool>,
    pub delete: bool,
}

/// Refuses a change that would leave no active national admin, and any admin demoting,
/// disabling or deleting their own account (they would lose the rights to undo it).
/// `target` is the account before the change, `other_active_admins` the active national
/// admins besides it, counted inside the same write transaction.
pub fn check_admin_change(
    actor_id: i64,
    target: &AdminSeat,
    change: &AccountChange,
    other_active_admins: i64,
) -> Result<(), ValidationErrors> {
    let after = AdminSeat {
        role: change.role.map(|(r, _)| Some(r)).unwrap_or(target.role),
        national: change.role.map(|(_, n)| n).unwrap_or(target.national),
        disabled: change.disabled.unwrap_or(target.disabled),
        ..*target
    };
    let loses_admin = target.is_active_admin() && (change.delete || !after.is_active_admin());
    if !loses_admin {
        return Ok(());
    }
    // Name the field that takes the rights away: role/scope first, then the status.
    let field = if change.delete {
        "user"
    } else if change.role.is_some() && !(after.role == Some(Role::NationalAdmin) && after.national) {
        "role"
    } else {
        "disabled"
    };
    if target.id == actor_id {
        return Err(ValidationErrors::single(
            field,
            Rule::Mismatch,
            "you cannot remove your own administrator rights; another national admin must do it",
        ));
    }
    if other_active_admins < 1 {
        return Err(ValidationErrors::single(
            field,
            Rule::Mismatch,
            "the system must keep at least one active national admin",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        for ok in ["/", "/persons?q=a", "/cases/1#notes", "/a//b"] {
            assert_eq!(safe_next(ok), ok);
        }
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "/%09/evil.example/x\t",
            "/\t/evil.example/x",
            "/x\r\nSet-Cookie: a=b",
            "/x\u{7f}",
            "/a\\b",
            "javascript:alert(1)",
            "evil.example",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn os_secrets_differ() {
        assert_ne!(random_hex(), random_hex());
        assert_eq!(random_hex().len(), 64);
    }

    fn throttle() -> LoginThrottle {
        LoginThrottle { max_failures: 5, window_secs: 900 }
    }

    #[test]
    fn failures_within_the_allowance_pass() {
        let h = LoginHistory { pair: Recent { failures: 4, last_at: 100 }, ..Default::default() };
        assert_eq!(throttle().wait(&h, 100), None);
    }

    #[test]
    fn each_further_failure_doubles_the_wait_up_to_the_window() {
        let t = throttle();
        let wait =
            |failures| t.wait(&LoginHistory { pair: Recent { failures, last_at: 1000 }, ..Default::default() }, 1000);
        assert_eq!(wait(5), Some(15));
        assert_eq!(wait(6), Some(30));
        assert_eq!(wait(7), Some(60));
        assert_eq!(wait(20), Some(900));
        // After the gap the next attempt goes ahead.
        let h = LoginHistory { pair: Recent { failures: 6, last_at: 1000 }, ..Default::default() };
        assert_eq!(t.wait(&h, 1029), Some(1));
        assert_eq!(t.wait(&h, 1030), None);
    }

    #[test]
    fn strangers_failures_slow_the_account_only_briefly() {
        // Failures from elsewhere count against the account with a short cap: the owner,
        // from their own address, waits at most a minute.
        let h = LoginHistory { account: Recent { failures: 500, last_at: 1000 }, ..Default::default() };
        assert_eq!(throttle().wait(&h, 1000), Some(ACCOUNT_WAIT_CAP_SECS));
        let few = LoginHistory { account: Recent { failures: 5, last_at: 1000 }, ..Default::default() };
        assert_eq!(throttle().wait(&few, 1000), None);
    }

    #[test]
    fn one_address_trying_many_accounts_slows_down() {
        let h = LoginHistory { address: Recent { failures: 30, last_at: 1000 }, ..Default::default() };
        assert!(throttle().wait(&h, 1000).is_some_and(|w| w >= FIRST_WAIT_SECS));
    }

    fn admin(id: i64) -> AdminSeat {
        AdminSeat { id, role: Some(Role::NationalAdmin), national: true, disabled: false }
    }

    #[test]
    fn the_last_admin_cannot_be_demoted_disabled_or_deleted() {
        let demote = AccountChange { role: Some((Role::RegencyOfficer, false)), ..Default::default() };
        let e = check_admin_change(2, &admin(1), &demote, 0).unwrap_err();
        assert_eq!(e.0[0].field, "role");
        let disable = AccountChange { disabled: Some(true), ..Default::default() };
        assert_eq!(check_admin_change(2, &admin(1), &disable, 0).unwrap_err().0[0].field, "disabled");
        let delete = AccountChange { delete: true, ..Default::default() };
        assert!(check_admin_change(2, &admin(1), &delete, 0).is_err());
    }

    #[test]
    fn an_admin_cannot_demote_itself_even_with_others() {
        let demote = AccountChange { role: Some((Role::NationalAnalyst, true)), ..Default::default() };
        assert_eq!(check_admin_change(1, &admin(1), &demote, 3).unwrap_err().0[0].field, "role");
        let disable = AccountChange { disabled: Some(true), ..Default::default() };
        assert!(check_admin_change(1, &admin(1), &disable, 3).is_err());
    }

    #[test]
    fn another_admin_may_demote_when_one_remains() {
        let demote = AccountChange { role: Some((Role::RegencyOfficer, false)), ..Default::default() };
        assert!(check_admin_change(2, &admin(1), &demote, 1).is_ok());
    }

    #[test]
    fn changes_that_keep_the_admin_or_touch_others_pass() {
        let same = AccountChange { role: Some((Role::NationalAdmin, true)), disabled: Some(false), delete: false };
        assert!(check_admin_change(1, &admin(1), &same, 0).is_ok());
        let officer = AdminSeat { id: 5, role: Some(Role::VillageOfficer), national: false, disabled: false };
        let disable = AccountChange { disabled: Some(true), ..Default::default() };
        assert!(check_admin_change(1, &officer, &disable, 0).is_ok());
    }
}
