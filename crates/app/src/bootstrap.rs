//! What happens before the server listens: connect, migrate, load regions, first admin.

use crate::Config;
use domain::Role;
use domain::access::Scope;
use domain::user::NewUser;
use std::time::Instant;
use store::Db;
use store::audit::Actor;

#[derive(Debug)]
pub struct Startup {
    pub db: Db,
    pub migrations_applied: usize,
    pub regions_loaded: usize,
    /// Set when this start created the first admin: (username, password if generated).
    pub admin_created: Option<(String, Option<String>)>,
    /// `DESMIGRATIF_ADMIN_USER`/`_PASSWORD` were set but not used: the database already had
    /// accounts (they only make the first admin of a new database).
    pub admin_env_ignored: bool,
    pub elapsed_ms: u128,
    /// The report of the update of an older embedded region release (issue 19), if one ran.
    pub regions_update: Option<crate::region_update::UpdateReport>,
    /// The stored name keys are older than this build's rules: the server re-keys them in
    /// the background (`crate::name_keys`), or `desmigratif persons rekey` does.
    pub name_keys_outdated: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("DESMIGRATIF_ADMIN_USER / DESMIGRATIF_ADMIN_PASSWORD: {0}")]
    Admin(domain::ValidationErrors),
    #[error(transparent)]
    AuditTrail(#[from] crate::audit_trail::TrailError),
}

pub async fn prepare(cfg: &Config) -> Result<Startup, StartupError> {
    let started = Instant::now();
    let db = Db::connect(&cfg.database_url).await?;
    let migrations_applied = store::migrate::run(&db).await?;
    let regions_loaded = store::regions::load_if_needed(&db).await?;
    // A new database's keys are this build's from the first row; an older one's are re-keyed
    // by the server in the background (crate::name_keys), never before it listens.
    store::name_keys::stamp_if_new(&db).await?;
    let name_keys_outdated = store::name_keys::outdated(&db).await?;
    // Before anything is audited: every entry from here on is keyed (issue 14).
    crate::audit_trail::key_the_chain(&db, cfg).await?;
    // An older embedded release is updated like `regions update` (audited, so after the key).
    let regions_update = crate::region_update::upgrade_embedded(&db).await.map_err(|e| match e {
        crate::error::Error::Store(s) => StartupError::Store(s),
        other => StartupError::Store(store::StoreError::RegionData(other.to_string())),
    })?;
    let admin_created = ensure_admin(&db, cfg).await?;
    let admin_env_ignored = admin_created.is_none() && (cfg.admin_user.is_some() || cfg.admin_password.is_some());
    // Job orders verified before public codes existed get theirs (issue 8).
    store::portal::backfill_codes(&db).await?;
    Ok(Startup {
        db,
        migrations_applied,
        regions_loaded,
        regions_update,
        name_keys_outdated,
        admin_created,
        admin_env_ignored,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// Creates the first national admin when the database has no account at all.
async fn ensure_admin(db: &Db, cfg: &Config) -> Result<Option<(String, Option<String>)>, StartupError> {
    if store::users::count(db).await? > 0 {
        return Ok(None);
    }
    let mut errs = domain::ValidationErrors::new();
    let username =
        domain::user::check_username(&mut errs, "DESMIGRATIF_ADMIN_USER", cfg.admin_user.as_deref().unwrap_or("admin"));
    let (password, generated) = match &cfg.admin_password {
        Some(p) => {
            domain::password::check_policy(&mut errs, "DESMIGRATIF_ADMIN_PASSWORD", p);
            (p.clone(), false)
        }
        None => (domain::password::generate(), true),
    };
    if !errs.is_empty() {
        return Err(StartupError::Admin(errs));
    }
    let new = NewUser {
        username: username.clone(),
        password: password.clone(),
        full_name: "Administrator Nasional".into(),
        role: Role::NationalAdmin,
        scope: Scope::National,
    };
    let hash = crate::accounts::hash_password(&password).await;
    // A generated password was printed to the console: its owner must replace it.
    store::users::create(db, &Actor::system("bootstrap"), &new, &hash, generated).await?;
    Ok(Some((username, generated.then_some(password))))
}
