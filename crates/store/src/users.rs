//! Accounts.

use crate::audit::{self, Actor, Event};
use crate::query::Select;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use domain::access::{Principal, Scope};
use domain::user::NewUser;
use domain::{RegionCode, Role};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    pub full_name: String,
    pub role: String,
    pub region_code: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// For role partner: the partner organisation the account belongs to (cases, issue 4).
    /// Defaults to none where a query does not select it.
    #[sqlx(default)]
    pub partner_id: Option<i64>,
    /// Someone else set the password (an admin, a generated first password): the account
    /// must choose its own before doing anything else (issue 14).
    #[sqlx(default)]
    pub must_change_password: bool,
}

impl User {
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
    pub fn scope(&self) -> Option<Scope> {
        match &self.region_code {
            None => Some(Scope::National),
            Some(c) => c.parse::<RegionCode>().ok().map(Scope::Region),
        }
    }
    /// None when the stored role or scope is unreadable: such an account gets no access.
    pub fn principal(&self) -> Option<Principal> {
        Some(Principal { user_id: self.id, role: self.role()?, scope: self.scope()? })
    }
}

const COLUMNS: &str = "id, username, password_hash, full_name, role, region_code, disabled, created_at, updated_at, \
     partner_id, must_change_password";

/// Creates an account with an already-hashed password, audited in the same transaction.
/// `must_change`: the password was set by someone else, the account must replace it.
pub async fn create(db: &Db, actor: &Actor, u: &NewUser, password_hash: &str, must_change: bool) -> Result<User> {
    let mut tx = db.begin().await?;
    let user = create_in(&mut tx, actor, u, password_hash, must_change).await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn create_in(
    tx: &mut Tx,
    actor: &Actor,
    u: &NewUser,
    password_hash: &str,
    must_change: bool,
) -> Result<User> {
    let now = crate::now();
    let region = u.scope.code().map(|c| c.to_string());
    let user: User = on_tx!(&mut *tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO users (username, password_hash, full_name, role, region_code, disabled, created_at, updated_at, \
             must_change_password) VALUES ($1, $2, $3, $4, $5, FALSE, $6, $6, $7) RETURNING {COLUMNS}")))
            .bind(&u.username).bind(password_hash).bind(&u.full_name).bind(u.role.as_str()).bind(&region).bind(now)
            .bind(must_change)
            .fetch_one(c).await
    })?;
    let details = format!(
        "role={} region={}{}",
        u.role,
        region.as_deref().unwrap_or("national"),
        if must_change { " must_change_password" } else { "" }
    );
    audit::append(
        tx,
        actor,
        &Event {
            action: "user.create",
            entity: "user",
            entity_id: &user.id.to_string(),
            region_code: region.as_deref().unwrap_or(""),
            details: &details,
        },
    )
    .await?;
    Ok(user)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<User>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE username = $1")))
            .bind(username).fetch_optional(p).await
    })?)
}

pub async fn count(db: &Db) -> Result<i64> {
    let (n,): (i64,) = on_db!(db, p => sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(p).await)?;
    Ok(n)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub text: Option<String>,
    pub role: Option<Role>,
    pub region_prefix: Option<RegionCode>,
}

/// The deepest page a list may ask for (no country has a billion accounts).
pub const MAX_OFFSET: i64 = 1_000_000_000;

/// Accounts ordered by username, `limit` after `offset`.
pub async fn list(db: &Db, f: &Filter, limit: i64, offset: i64) -> Result<Vec<User>> {
    let mut q = Select::new(format!("SELECT {COLUMNS} FROM users WHERE 1=1"));
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", t.to_lowercase());
        q.and("(username LIKE ? OR LOWER(full_name) LIKE ?)", &[&pattern, &pattern]);
    }
    if let Some(r) = f.role {
        q.and("role = ?", &[r.as_str()]);
    }
    if let Some(r) = &f.region_prefix {
        q.and_within("region_code", r.as_str());
    }
    // SQLite reads LIMIT + OFFSET beyond i64 as "no limit": keep the offset far below that.
    q.tail(&format!("ORDER BY username LIMIT {} OFFSET {}", limit.clamp(1, 500), offset.clamp(0, MAX_OFFSET)));
    q.fetch_all(db).await
}

/// Active accounts scoped exactly to a village: its officers, head, managers, facilitators.
pub async fn village_staff(db: &Db, village: &RegionCode) -> Result<Vec<User>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users WHERE region_code = $1 AND disabled = FALSE ORDER BY role, full_name")))
            .bind(village.as_str()).fetch_all(p).await
    })?)
}

/// Changes role and scope; ends the account's sessions so the new rights apply at once.
pub async fn set_role_scope(db: &Db, actor: &Actor, id: i64, role: Role, scope: &Scope) -> Result<bool> {
    let mut tx = db.begin().await?;
    let found = set_role_scope_in(&mut tx, actor, id, role, scope).await?;
    tx.commit().await?;
    Ok(found)
}

pub async fn set_role_scope_in(tx: &mut Tx, actor: &Actor, id: i64, role: Role, scope: &Scope) -> Result<bool> {
    let region = scope.code().map(|c| c.to_string());
    let n = on_tx!(&mut *tx, c => {
        sqlx::query("UPDATE users SET role = $1, region_code = $2, updated_at = $3 WHERE id = $4")
            .bind(role.as_str()).bind(&region).bind(crate::now()).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    crate::auth::end_all_sessions(tx, id).await?;
    let details = format!("role={role} region={}", region.as_deref().unwrap_or("national"));
    audit::append(
        tx,
        actor,
        &Event {
            action: "user.set_role",
            entity: "user",
            entity_id: &id.to_string(),
            region_code: region.as_deref().unwrap_or(""),
            details: &details,
        },
    )
    .await?;
    Ok(true)
}

pub async fn set_disabled(db: &Db, actor: &Actor, id: i64, disabled: bool) -> Result<bool> {
    let mut tx = db.begin().await?;
    let found = set_disabled_in(&mut tx, actor, id, disabled).await?;
    tx.commit().await?;
    Ok(found)
}

pub async fn set_disabled_in(tx: &mut Tx, actor: &Actor, id: i64, disabled: bool) -> Result<bool> {
    let n = on_tx!(&mut *tx, c => {
        sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
            .bind(disabled).bind(crate::now()).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    if disabled {
        crate::auth::end_all_sessions(tx, id).await?;
    }
    audit::append(
        tx,
        actor,
        &Event {
            action: if disabled { "user.disable" } else { "user.enable" },
            entity: "user",
            entity_id: &id.to_string(),
            region_code: "",
            details: "",
        },
    )
    .await?;
    Ok(true)
}

/// Sets a new password hash set by someone else (an admin's reset) and ends the account's
/// sessions and tokens; `must_change` makes the owner replace it at the next login.
pub async fn set_password(db: &Db, actor: &Actor, id: i64, password_hash: &str) -> Result<bool> {
    let mut tx = db.begin().await?;
    let found = set_password_in(&mut tx, actor, id, password_hash, true).await?;
    tx.commit().await?;
    Ok(found)
}

pub async fn set_password_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    password_hash: &str,
    must_change: bool,
) -> Result<bool> {
    let n = on_tx!(&mut *tx, c => {
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4")
            .bind(password_hash).bind(must_change).bind(crate::now()).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    crate::auth::end_all_sessions(tx, id).await?;
    audit::append(
        tx,
        actor,
        &Event {
            action: if must_change { "user.reset_password" } else { "user.change_password" },
            entity: "user",
            entity_id: &id.to_string(),
            region_code: "",
            details: "",
        },
    )
    .await?;
    Ok(true)
}

/// Clears the change-password flag without touching the password: for the test harness and
/// operators who set an account's password at the console (not reachable over HTTP).
pub async fn clear_must_change(db: &Db, id: i64) -> Result<()> {
    on_db!(db, p => sqlx::query("UPDATE users SET must_change_password = FALSE WHERE id = $1")
        .bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The account, read inside a write transaction.
pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<User>> {
    Ok(on_tx!(&mut *tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE id = $1"))).bind(id).fetch_optional(c).await
    })?)
}

/// Active national admins other than `except`, counted inside the write transaction (the
/// caller holds the accounts lock, `auth::lock_key`, so concurrent changes are decided one
/// after the other).
pub async fn other_active_admins(tx: &mut Tx, except: i64) -> Result<i64> {
    let (n,): (i64,) = on_tx!(&mut *tx, c => {
        sqlx::query_as(
            "SELECT COUNT(*) FROM users WHERE role = 'national_admin' AND region_code IS NULL AND disabled = FALSE AND id <> $1")
            .bind(except).fetch_one(c).await
    })?;
    Ok(n)
}

/// Maps a unique violation on username to a friendlier error for callers.
pub fn username_taken(e: &StoreError) -> bool {
    crate::is_unique_violation(e)
}

/// Binds an account to a partner organisation (or unbinds it) and ends its sessions and
/// tokens: a token is bound to the organisation it was issued under.
pub async fn set_partner(db: &Db, actor: &Actor, id: i64, partner_id: Option<i64>) -> Result<bool> {
    let mut tx = db.begin().await?;
    let found = set_partner_in(&mut tx, actor, id, partner_id).await?;
    tx.commit().await?;
    Ok(found)
}

pub async fn set_partner_in(tx: &mut Tx, actor: &Actor, id: i64, partner_id: Option<i64>) -> Result<bool> {
    let n = on_tx!(&mut *tx, c => {
        sqlx::query("UPDATE users SET partner_id = $1, updated_at = $2 WHERE id = $3")
            .bind(partner_id).bind(crate::now()).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    crate::auth::end_all_sessions(tx, id).await?;
    let details = match partner_id {
        Some(p) => format!("partner={p}"),
        None => "partner=none".to_string(),
    };
    audit::append(
        tx,
        actor,
        &Event {
            action: "user.set_partner",
            entity: "user",
            entity_id: &id.to_string(),
            region_code: "",
            details: &details,
        },
    )
    .await?;
    Ok(true)
}

/// Active staff accounts (not partners) whose scope covers `region`: who may be assigned a
/// case there.
pub async fn staff_covering(db: &Db, region: &RegionCode) -> Result<Vec<User>> {
    // A scope covers the region when it is national or a prefix of it, at a part boundary.
    let mut prefixes: Vec<String> = Vec::new();
    let code = region.as_str();
    for (i, ch) in code.char_indices() {
        if ch == '.' {
            prefixes.push(code[..i].to_string());
        }
    }
    prefixes.push(code.to_string());
    let mut q = Select::new(format!("SELECT {COLUMNS} FROM users WHERE disabled = FALSE AND role <> 'partner'"));
    let mut alts = vec!["region_code IS NULL".to_string()];
    for p in &prefixes {
        alts.push(format!("region_code = {}", q.bind(p.clone())));
    }
    q.tail(&format!("AND ({}) ORDER BY full_name LIMIT 500", alts.join(" OR ")));
    q.fetch_all(db).await
}
