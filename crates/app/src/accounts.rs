//! Account operations shared by the pages, the API and the command line: creating accounts,
//! changing them (with the last-administrator rule), logging in (throttled, bounded password
//! work) and changing one's own password.

use crate::App as AppState;
use crate::Error;
use domain::access::Scope;
use domain::security::{AccountChange, AdminSeat, LoginThrottle, check_admin_change};
use domain::user::{NewUserInput, validate_new_user};
use domain::{Role, Rule, ValidationErrors};
use std::sync::LazyLock;
use std::time::Duration;
use store::audit::Actor;
pub use store::users::User;

/// Shared by the page and the API: validates, checks the region exists, creates.
/// `must_change`: the creator chose the password, so the owner must replace it at the next
/// login (pages and API; the console's `user create` passes false).
pub async fn create_account(
    state: &AppState,
    actor: &Actor,
    input: &NewUserInput<'_>,
    must_change: bool,
) -> Result<User, CreateError> {
    let new = validate_new_user(input).map_err(CreateError::Invalid)?;
    if let Some(code) = new.scope.code() {
        if !store::regions::exists(&state.db, code).await? {
            return Err(CreateError::Invalid(
                ValidationErrors::single("region_code", Rule::UnknownRegion, "no region has this code")
                    .message("msg_key.unknown_region_code"),
            ));
        }
        if let Some(e) = crate::region_update::retired_refusal(state, "region_code", code).await? {
            return Err(CreateError::Invalid(ValidationErrors(vec![e])));
        }
    }
    let hash = hash_password(&new.password).await;
    match store::users::create(&state.db, actor, &new, &hash, must_change).await {
        Ok(u) => Ok(u),
        Err(e) if store::users::username_taken(&e) => Err(CreateError::Invalid(ValidationErrors::single(
            "username",
            Rule::Taken,
            "this username is already in use",
        ))),
        Err(e) => Err(CreateError::Store(e)),
    }
}

pub enum CreateError {
    Invalid(ValidationErrors),
    Store(store::StoreError),
}

impl From<store::StoreError> for CreateError {
    fn from(e: store::StoreError) -> Self {
        CreateError::Store(e)
    }
}

/// Argon2 runs at most this many at a time (each takes ~19 MiB and tens of milliseconds):
/// one per core, so a flood of logins queues instead of exhausting memory and CPU.
static PASSWORD_WORK: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    tokio::sync::Semaphore::new(cores.clamp(2, 16))
});

/// How long an unauthenticated login waits for a turn before it is told to come back.
const LOGIN_WAIT: Duration = Duration::from_secs(3);

/// Hashes off the async threads, behind the password-work semaphore. Only signed-in
/// admins (and the start-up) hash, so this waits for a turn rather than refusing.
pub async fn hash_password(password: &str) -> String {
    let _permit = PASSWORD_WORK.acquire().await;
    let pw = password.to_string();
    match tokio::task::spawn_blocking(move || domain::password::hash(&pw)).await {
        Ok(h) => h,
        Err(_) => domain::password::hash(password),
    }
}

/// Verifies behind the semaphore; None when no turn came within `wait`.
async fn verify_bounded(password: &str, phc: String, wait: Option<Duration>) -> Option<bool> {
    let _permit = match wait {
        Some(w) => tokio::time::timeout(w, PASSWORD_WORK.acquire()).await.ok()?.ok()?,
        None => PASSWORD_WORK.acquire().await.ok()?,
    };
    let pw = password.to_string();
    Some(tokio::task::spawn_blocking(move || domain::password::verify(&pw, &phc)).await.unwrap_or(false))
}

/// Outcome of a password check, shared by the login page and the token endpoint.
pub enum LoginOutcome {
    Ok(User),
    Invalid,
    /// Too many recent failures for this account or address: come back after the wait.
    Throttled {
        retry_after_secs: i64,
    },
    /// Every password-check slot is taken: come back shortly.
    Busy {
        retry_after_secs: i64,
    },
}

/// Checks a username and password. Throttling (domain::security::LoginThrottle): the
/// attempt is first reserved as a failure in its own transaction, so N parallel wrong
/// passwords cannot all reach argon2; past the allowance each key (account from this
/// address, any account from this address, this account from anywhere) must wait a
/// doubling delay. A success forgets this address's failures for the account.
pub async fn login(
    state: &AppState,
    actor: &Actor,
    username: &str,
    password: &str,
) -> Result<LoginOutcome, store::StoreError> {
    let username: String = username.trim().to_lowercase().chars().take(64).collect();
    let cfg = &state.config;
    let throttle = LoginThrottle { max_failures: cfg.login_max_failures, window_secs: cfg.login_window_secs };
    let reserved = store::auth::reserve_attempt(&state.db, &username, &actor.ip, cfg.login_window_secs, |h, now| {
        throttle.wait(h, now)
    })
    .await?;
    if let Err(retry_after_secs) = reserved {
        return Ok(LoginOutcome::Throttled { retry_after_secs });
    }
    let user = store::users::by_username(&state.db, &username).await?;
    // An unknown user costs the same time.
    let phc =
        user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| domain::password::dummy_hash().to_string());
    let Some(ok) = verify_bounded(password, phc, Some(LOGIN_WAIT)).await else {
        // Not checked: the reservation stays as a failure, which also slows a flood.
        return Ok(LoginOutcome::Busy { retry_after_secs: 2 });
    };
    match user {
        Some(u) if ok && !u.disabled => {
            store::auth::login_succeeded(&state.db, &username, &actor.ip).await?;
            Ok(LoginOutcome::Ok(u))
        }
        _ => {
            let mut tx = state.db.begin().await?;
            let anon = Actor { username: username.chars().take(40).collect(), user_id: None, ..actor.clone() };
            let ev = store::audit::Event {
                action: "auth.login_failed",
                entity: "user",
                entity_id: "",
                region_code: "",
                details: "",
            };
            store::audit::append(&mut tx, &anon, &ev).await?;
            tx.commit().await?;
            Ok(LoginOutcome::Invalid)
        }
    }
}

/// A change an admin makes to an account, already parsed; every part optional.
#[derive(Debug, Default)]
pub struct AccountUpdate {
    pub role_scope: Option<(Role, Scope)>,
    pub disabled: Option<bool>,
    /// Some(None) unbinds the partner organisation.
    pub partner: Option<Option<i64>>,
    /// A new password chosen by the admin (the owner must change it at the next login).
    pub password: Option<String>,
}

/// Applies an admin's change to account `id` in one transaction, refusing (422 naming
/// `role` or `disabled`) a change that leaves no active national admin or takes the
/// acting admin's own rights away. The API's PATCH and the admin page's forms both come here.
pub async fn update_account(state: &AppState, actor: &Actor, id: i64, upd: &AccountUpdate) -> Result<User, Error> {
    // Hash before the transaction: argon2 must not hold the write lock.
    let hash = match &upd.password {
        Some(p) => Some(hash_password(p).await),
        None => None,
    };
    let mut tx = state.db.begin().await?;
    // One account change at a time, so two demotions cannot both see the other admin.
    store::auth::lock_key(&mut tx, "accounts:admins").await?;
    let target = store::users::get_in(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let change = AccountChange {
        role: upd.role_scope.as_ref().map(|(r, s)| (*r, matches!(s, Scope::National))),
        disabled: upd.disabled,
        delete: false,
    };
    let seat = AdminSeat::new(target.id, target.role(), target.scope().as_ref(), target.disabled);
    let others = store::users::other_active_admins(&mut tx, id).await?;
    check_admin_change(actor.user_id.unwrap_or(0), &seat, &change, others)?;
    if let Some((role, scope)) = &upd.role_scope {
        store::users::set_role_scope_in(&mut tx, actor, id, *role, scope).await?;
    }
    if let Some(d) = upd.disabled {
        store::users::set_disabled_in(&mut tx, actor, id, d).await?;
    }
    if let Some(p) = upd.partner {
        store::users::set_partner_in(&mut tx, actor, id, p).await?;
    }
    if let Some(h) = &hash {
        // Someone else now knows the password: the owner must replace it.
        store::users::set_password_in(&mut tx, actor, id, h, true).await?;
    }
    let user = store::users::get_in(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(user)
}

/// A signed-in account replaces its own password: the current one must match, the new one
/// follow the policy, be typed twice alike and differ from the current. Ends every session
/// and token of the account (the caller issues a fresh one) and clears the must-change flag.
pub async fn change_own_password(
    state: &AppState,
    user: &User,
    actor: &Actor,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<(), Error> {
    let mut errs = ValidationErrors::new();
    if current.is_empty() {
        errs.add("current_password", Rule::Required, "must not be empty");
    }
    domain::password::check_policy(&mut errs, "new_password", new);
    if new != confirm {
        errs.push(
            domain::FieldError::new("confirm_password", Rule::Mismatch, "must repeat the new password exactly")
                .message("msg_key.confirm_password"),
        );
    }
    if !current.is_empty() && new == current {
        errs.push(
            domain::FieldError::new("new_password", Rule::Mismatch, "must differ from the current password")
                .message("msg_key.new_password_same"),
        );
    }
    errs.into_result()?;
    // Guessing the current password (from a session left open) is throttled like a login,
    // on the same counters: the attempt is reserved as a failure before argon2 runs.
    let cfg = &state.config;
    let throttle = LoginThrottle { max_failures: cfg.login_max_failures, window_secs: cfg.login_window_secs };
    let reserved =
        store::auth::reserve_attempt(&state.db, &user.username, &actor.ip, cfg.login_window_secs, |h, now| {
            throttle.wait(h, now)
        })
        .await?;
    if let Err(retry_after_secs) = reserved {
        return Err(Error::Throttled { retry_after_secs });
    }
    let ok = verify_bounded(current, user.password_hash.clone(), None).await.unwrap_or(false);
    if !ok {
        return Err(Error::invalid("current_password", Rule::Mismatch, "is not the account's current password"));
    }
    store::auth::login_succeeded(&state.db, &user.username, &actor.ip).await?;
    let hash = hash_password(new).await;
    let mut tx = state.db.begin().await?;
    if !store::users::set_password_in(&mut tx, actor, user.id, &hash, false).await? {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

pub use store::audit::{Entry as AuditEntry, Filter as AuditFilter};
pub use store::users::Filter as UserFilter;

fn require(principal: &domain::access::Principal, action: domain::access::Action) -> Result<(), Error> {
    if principal.can(action, None) { Ok(()) } else { Err(Error::Forbidden) }
}

/// Accounts matching `filter`, `limit` from `offset` (national admins), and the next offset.
pub async fn list(
    state: &AppState,
    principal: &domain::access::Principal,
    filter: &UserFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<User>, Option<i64>), Error> {
    require(principal, domain::access::Action::ManageUsers)?;
    let mut users = store::users::list(&state.db, filter, limit + 1, offset).await?;
    let next_offset = (users.len() as i64 > limit).then_some(offset.saturating_add(limit));
    users.truncate(limit as usize);
    Ok((users, next_offset))
}

/// One account as an admin opens it; the view is audited.
pub async fn view(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &Actor,
    id: i64,
) -> Result<User, Error> {
    let user = get(state, principal, id).await?;
    let ev = store::audit::Event {
        action: "user.view",
        entity: "user",
        entity_id: &id.to_string(),
        region_code: user.region_code.as_deref().unwrap_or(""),
        details: "",
    };
    store::audit::append_now(&state.db, actor, &ev).await?;
    Ok(user)
}

/// One account, for an admin re-shown its page after a change (not audited as a new view).
pub async fn get(state: &AppState, principal: &domain::access::Principal, id: i64) -> Result<User, Error> {
    require(principal, domain::access::Action::ManageUsers)?;
    store::users::get(&state.db, id).await?.ok_or(Error::NotFound)
}

/// An admin creates an account, optionally bound to a partner organisation (role partner only).
pub async fn create(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &Actor,
    input: &NewUserInput<'_>,
    must_change: bool,
    partner_id: Option<i64>,
) -> Result<User, Error> {
    require(principal, domain::access::Action::ManageUsers)?;
    let mut errs = ValidationErrors::new();
    crate::partners::check_binding(state, &mut errs, Role::parse(input.role.trim()), partner_id).await?;
    errs.into_result()?;
    let user = match create_account(state, actor, input, must_change).await {
        Ok(u) => u,
        Err(CreateError::Invalid(e)) => return Err(Error::Invalid(e)),
        Err(CreateError::Store(e)) => return Err(e.into()),
    };
    if partner_id.is_none() {
        return Ok(user);
    }
    store::users::set_partner(&state.db, actor, user.id, partner_id).await?;
    store::users::get(&state.db, user.id).await?.ok_or(Error::NotFound)
}

/// An admin's change to an account as typed (API body or page form): every part optional.
#[derive(Debug, Default)]
pub struct ChangeRequest<'a> {
    pub role: Option<&'a str>,
    pub region_code: Option<&'a str>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
    /// 0 unbinds.
    pub partner_id: Option<i64>,
}

/// Validates everything before changing anything (role with its region, the region known, the
/// password policy, the partner binding), then [`update_account`].
pub async fn change(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &Actor,
    id: i64,
    req: ChangeRequest<'_>,
) -> Result<User, Error> {
    let existing = get(state, principal, id).await?;
    let mut errs = ValidationErrors::new();
    let role_scope = match req.role {
        Some(role) => domain::user::parse_role_scope(&mut errs, role, req.region_code.unwrap_or("")),
        None if req.region_code.is_some() => {
            errs.add("role", Rule::Required, "send role together with region_code");
            None
        }
        None => None,
    };
    if let Some((_, Scope::Region(code))) = &role_scope {
        if !store::regions::exists(&state.db, code).await? {
            errs.push(
                domain::FieldError::new("region_code", Rule::UnknownRegion, "no region has this code")
                    .message("msg_key.unknown_region_code"),
            );
        } else if let Some(e) = crate::region_update::retired_refusal(state, "region_code", code).await? {
            errs.push(e);
        }
    }
    if let Some(p) = &req.password {
        domain::password::check_policy(&mut errs, "password", p);
    }
    if let Some(p) = req.partner_id.filter(|p| *p != 0) {
        let role = role_scope.as_ref().map(|(r, _)| *r).or_else(|| existing.role());
        crate::partners::check_binding(state, &mut errs, role, Some(p)).await?;
    }
    errs.into_result()?;
    let upd = AccountUpdate {
        role_scope,
        disabled: req.disabled,
        partner: req.partner_id.map(|p| (p != 0).then_some(p)),
        password: req.password,
    };
    update_account(state, actor, id, &upd).await
}

/// Audit log entries, newest first (those who may read the audit), and where the next page
/// starts.
pub async fn audit_log(
    state: &AppState,
    principal: &domain::access::Principal,
    filter: &AuditFilter,
    limit: i64,
) -> Result<(Vec<AuditEntry>, Option<i64>), Error> {
    require(principal, domain::access::Action::ViewAudit)?;
    let mut entries = store::audit::list(&state.db, filter, limit + 1).await?;
    let next_before = (entries.len() as i64 > limit).then(|| entries[limit as usize - 1].seq);
    entries.truncate(limit as usize);
    Ok((entries, next_before))
}

pub use store::regions::Region;

/// The start page: the account's region with the regions above it, and how many Desmigratif
/// villages lie within its scope.
pub async fn start_page(state: &AppState, principal: &domain::access::Principal) -> Result<(Vec<Region>, i64), Error> {
    let within = principal.scope.code();
    let scope_path = match within {
        Some(code) => store::regions::lineage(&state.db, code).await?,
        None => vec![],
    };
    let count = store::programs::count_program_villages(&state.db, domain::program::DESMIGRATIF, within).await?;
    Ok((scope_path, count))
}
