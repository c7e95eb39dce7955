//! The one refusal type of the application layer. Each door translates it: the API to
//! 422/403/404 with the field and rule, pages to the form with messages in the user's language.

use domain::{Rule, ValidationErrors};

/// A storage failure, as operations that have not yet been given their own refusal hand it out.
pub use store::StoreError;

/// Why an operation did not go through.
#[derive(Debug)]
pub enum Error {
    /// 422: fields and rules (each names its field, rule and a message key).
    Invalid(ValidationErrors),
    /// 403: the role may not do this here.
    Forbidden,
    /// 404: absent, or outside what the caller may see (the same answer, so a refusal does not
    /// tell that a record exists).
    NotFound,
    /// 429: too many failed attempts (a password checked against the account); wait this long.
    Throttled {
        retry_after_secs: i64,
    },
    Store(store::StoreError),
}

impl Error {
    pub fn invalid(field: &str, rule: Rule, detail: impl Into<String>) -> Error {
        Error::Invalid(ValidationErrors::single(field, rule, detail))
    }
}

impl From<store::StoreError> for Error {
    fn from(e: store::StoreError) -> Self {
        Error::Store(e)
    }
}

impl From<ValidationErrors> for Error {
    fn from(e: ValidationErrors) -> Self {
        Error::Invalid(e)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Invalid(v) => write!(f, "invalid: {v:?}"),
            Error::Forbidden => f.write_str("forbidden"),
            Error::NotFound => f.write_str("not found"),
            Error::Throttled { retry_after_secs } => write!(f, "too many attempts; retry after {retry_after_secs} s"),
            Error::Store(e) => write!(f, "{e}"),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
