//! Account operations shared by the pages, the API and the command line.

use crate::App as AppState;
use domain::user::{NewUserInput, validate_new_user};
use domain::{Rule, ValidationErrors};
use store::users::User;

/// Shared by the page and the API: validates, checks the region exists, creates.
pub async fn create_account(
    state: &AppState,
    actor: &store::audit::Actor,
    input: &NewUserInput<'_>,
) -> Result<User, CreateError> {
    let new = validate_new_user(input).map_err(CreateError::Invalid)?;
    if let Some(code) = new.scope.code() {
        if !store::regions::exists(&state.db, code).await? {
            return Err(CreateError::Invalid(ValidationErrors::single(
                "region_code",
                Rule::UnknownRegion,
                "no region has this code",
            )));
        }
    }
    let hash = hash_password(&new.password).await;
    match store::users::create(&state.db, actor, &new, &hash).await {
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

/// Hashes off the async threads (argon2 takes tens of milliseconds by design).
pub async fn hash_password(password: &str) -> String {
    let pw = password.to_string();
    match tokio::task::spawn_blocking(move || domain::password::hash(&pw)).await {
        Ok(h) => h,
        Err(_) => domain::password::hash(password),
    }
}
