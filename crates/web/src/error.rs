//! Errors as users meet them: JSON for the API, a page for the browser.
//! Store failures are logged with the request id and shown without internals.

use crate::i18n::{Lang, T};
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ValidationErrors;
use serde::Serialize;

/// The body of every API error. `errors` names each field and rule that failed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code: `unauthorized`, `forbidden`, `not_found`, `validation`,
    /// `bad_request`, `unsupported_media_type`, `payload_too_large`, `conflict`,
    /// `too_many_requests`, `password_change_required`, `internal`.
    pub error: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorBody>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    /// `required`, `too_short`, `too_long`, `format`, `one_of`, `unknown_region`,
    /// `scope_level`, `out_of_range`, `taken`, `mismatch`.
    pub rule: String,
    pub detail: String,
    /// A sentence for people that names the field and says what to do, in English, or in
    /// Indonesian when the request's `Accept-Language` prefers `id`.
    pub message: String,
}

impl FieldErrorBody {
    pub fn new(field: String, rule: &str, detail: String) -> FieldErrorBody {
        let message = format!("{field}: {detail}");
        FieldErrorBody { field, rule: rule.to_string(), detail, message }
    }
    /// A refused field with its catalogue sentence in the request's language.
    pub fn from_field_error(e: domain::FieldError) -> FieldErrorBody {
        let message = crate::i18n::field_message(api_lang(), &e);
        FieldErrorBody { rule: e.rule.as_str().to_string(), field: e.field, detail: e.detail, message }
    }
}

tokio::task_local! {
    /// The language an API request asked for (`Accept-Language`), for its error messages.
    static API_LANG: Lang;
}

/// The language of the API request being answered: English unless it prefers Indonesian.
pub fn api_lang() -> Lang {
    API_LANG.try_with(|l| *l).unwrap_or(Lang::En)
}

/// Reads `Accept-Language`: Indonesian (`id`, `id-ID`, the old `in`) when it ranks above
/// English, English otherwise. Weights (`;q=0.8`) count; equal weights keep the header's order.
pub fn accept_language(header: Option<&str>) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.unwrap_or("").split(',') {
        let mut bits = part.split(';');
        let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
        let q =
            bits.filter_map(|b| b.trim().strip_prefix("q=")).find_map(|v| v.trim().parse::<f32>().ok()).unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "id" | "in" => Lang::Id,
            "en" => Lang::En,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l).unwrap_or(Lang::En)
}

/// Runs an API request with its language set, so its error bodies speak it.
pub async fn api_language(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let lang = accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    API_LANG.scope(lang, next.run(req)).await
}

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    /// 401 at the token endpoint: the credentials were refused (not a missing token).
    WrongLogin,
    Forbidden,
    NotFound(&'static str),
    Validation(ValidationErrors),
    BadRequest(String),
    UnsupportedMediaType(String),
    PayloadTooLarge,
    Conflict(String),
    /// NIK warnings the client must confirm (`confirm_warnings: true`).
    Unconfirmed(Vec<domain::nik::NikIssue>),
    TooManyRequests {
        retry_after_secs: i64,
    },
    /// A partner API client over its rate (429 with Retry-After).
    RateLimited {
        retry_after_secs: u64,
    },
    /// Every password-check slot is taken (429 with Retry-After).
    Busy {
        retry_after_secs: i64,
    },
    /// 403: the account's password was set by someone else; only
    /// `POST /api/v1/auth/password` is open until it is changed.
    PasswordChangeRequired,
    Internal,
}

impl From<app::error::StoreError> for ApiError {
    fn from(e: app::error::StoreError) -> Self {
        tracing::error!(error = %e, "store failure");
        ApiError::Internal
    }
}

/// The application layer's refusal, as the API answers it.
impl From<app::Error> for ApiError {
    fn from(e: app::Error) -> Self {
        match e {
            app::Error::Invalid(v) => ApiError::Validation(v),
            app::Error::Forbidden => ApiError::Forbidden,
            app::Error::NotFound => ApiError::NotFound("record"),
            app::Error::Throttled { retry_after_secs } => ApiError::TooManyRequests { retry_after_secs },
            app::Error::Store(s) => s.into(),
        }
    }
}

impl ApiError {
    /// The application layer's refusal, with a 404 that names what was not found.
    pub fn or_not_found(what: &'static str) -> impl Fn(app::Error) -> ApiError {
        move |e| match e {
            app::Error::NotFound => ApiError::NotFound(what),
            e => e.into(),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::Validation(e)
    }
}

/// 429 with `Retry-After`: the one shape of every "try again later" answer.
fn too_many_requests(message: String, retry_after_secs: impl std::fmt::Display) -> Response {
    let body = ErrorBody { error: "too_many_requests", message, errors: vec![] };
    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after_secs.to_string())], axum::Json(body))
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message, errors) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid bearer token is required (POST /api/v1/auth/token)".to_string(),
                vec![],
            ),
            ApiError::WrongLogin => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "wrong user name or password, or the account is disabled".to_string(),
                vec![],
            ),
            ApiError::Forbidden => {
                (StatusCode::FORBIDDEN, "forbidden", "your role or region does not allow this".into(), vec![])
            }
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, "not_found", format!("{what} not found"), vec![]),
            ApiError::Validation(v) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                v.to_string(),
                v.0.into_iter().map(FieldErrorBody::from_field_error).collect(),
            ),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m, vec![]),
            ApiError::UnsupportedMediaType(m) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", m, vec![])
            }
            ApiError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "request body too large".into(), vec![])
            }
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m, vec![]),
            ApiError::Unconfirmed(warnings) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "the NIK has warnings; check them and send again with \"confirm_warnings\": true".into(),
                warnings
                    .into_iter()
                    .map(|w| {
                        let mut body = FieldErrorBody::new(
                            "nik".into(),
                            "unconfirmed_warning",
                            format!("{} ({})", w.message, w.code),
                        );
                        body.message = crate::i18n::t(api_lang(), &format!("nik.{}", w.code)).to_string();
                        body
                    })
                    .collect(),
            ),
            ApiError::TooManyRequests { retry_after_secs } => {
                return too_many_requests(
                    format!("too many failed attempts; try again in {retry_after_secs} s"),
                    retry_after_secs,
                );
            }
            ApiError::RateLimited { retry_after_secs } => {
                return too_many_requests(
                    format!("rate limit of this API client reached; try again in {retry_after_secs} s"),
                    retry_after_secs,
                );
            }
            ApiError::Busy { retry_after_secs } => {
                return too_many_requests(
                    format!("the server is busy checking passwords; try again in {retry_after_secs} s"),
                    retry_after_secs,
                );
            }
            ApiError::PasswordChangeRequired => (
                StatusCode::FORBIDDEN,
                "password_change_required",
                "this account's password was set by someone else; change it first (POST /api/v1/auth/password)".into(),
                vec![],
            ),
            ApiError::Internal => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; it has been logged".into(), vec![])
            }
        };
        (status, axum::Json(ErrorBody { error, message, errors })).into_response()
    }
}

#[derive(Debug)]
pub enum PageErrorKind {
    /// Not signed in: go to the login page, then back.
    LoginRequired {
        next: String,
    },
    /// A form posted after the session ended.
    SessionExpired,
    /// Signed in with a password someone else set: the change form first.
    PasswordChangeRequired,
    Forbidden,
    NotFound,
    BadCsrf,
    BadRequest(String),
    /// 422: the values were read but a rule refused them (field, rule and detail as on the API).
    Invalid(String),
    /// 404 with a message saying what was not found (e.g. an unknown region code).
    NotFoundWith(String),
    /// 403 with a message saying why (e.g. a region outside the account's scope).
    ForbiddenWith(String),
    /// 429 with a message saying how long to wait.
    TooManyRequests(String),
    Internal,
}

#[derive(Debug)]
pub struct PageError {
    pub kind: PageErrorKind,
    pub lang: Lang,
}

impl PageError {
    pub fn new(kind: PageErrorKind, lang: Lang) -> PageError {
        PageError { kind, lang }
    }
    pub fn forbidden(lang: Lang) -> PageError {
        PageError::new(PageErrorKind::Forbidden, lang)
    }
    pub fn not_found(lang: Lang) -> PageError {
        PageError::new(PageErrorKind::NotFound, lang)
    }
    /// The application layer's refusal as a page; `Invalid` is normally shown on the form
    /// instead, and reaches here only where a page has no form to show it on.
    pub fn from_app(e: app::Error, lang: Lang) -> PageError {
        match e {
            app::Error::Forbidden => PageError::forbidden(lang),
            app::Error::NotFound => PageError::not_found(lang),
            app::Error::Invalid(v) => {
                let text = v.0.iter().map(|f| crate::i18n::field_message(lang, f));
                PageError::new(PageErrorKind::Invalid(text.collect::<Vec<_>>().join(" ")), lang)
            }
            app::Error::Throttled { retry_after_secs } => {
                let text = T::new(lang).fmt("login.throttled", "seconds", &retry_after_secs.max(1).to_string());
                PageError::new(PageErrorKind::TooManyRequests(text), lang)
            }
            app::Error::Store(s) => PageError::internal(lang)(s),
        }
    }
    /// A failure the user cannot act on: logged, and shown without internals.
    pub fn internal<E: std::fmt::Display>(lang: Lang) -> impl FnOnce(E) -> PageError {
        move |e| {
            tracing::error!(error = %e, "store failure");
            PageError::new(PageErrorKind::Internal, lang)
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: T,
    status: u16,
    title: &'a str,
    message: String,
    show_login: bool,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let t = T::new(self.lang);
        let (status, title_key, message, show_login) = match self.kind {
            PageErrorKind::LoginRequired { next } => {
                return Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response();
            }
            PageErrorKind::PasswordChangeRequired => {
                return Redirect::to("/account/password").into_response();
            }
            PageErrorKind::SessionExpired => (
                StatusCode::UNAUTHORIZED,
                "error.session_expired",
                t.get("error.session_expired_body").to_string(),
                true,
            ),
            PageErrorKind::Forbidden => {
                (StatusCode::FORBIDDEN, "error.forbidden", t.get("error.forbidden_body").to_string(), false)
            }
            PageErrorKind::NotFound => {
                (StatusCode::NOT_FOUND, "error.not_found", t.get("error.not_found_body").to_string(), false)
            }
            PageErrorKind::BadCsrf => {
                (StatusCode::FORBIDDEN, "error.bad_csrf", t.get("error.bad_csrf_body").to_string(), false)
            }
            PageErrorKind::BadRequest(m) => (StatusCode::BAD_REQUEST, "error.bad_request", m, false),
            PageErrorKind::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, "error.bad_request", m, false),
            PageErrorKind::NotFoundWith(m) => (StatusCode::NOT_FOUND, "error.not_found", m, false),
            PageErrorKind::ForbiddenWith(m) => (StatusCode::FORBIDDEN, "error.forbidden", m, false),
            PageErrorKind::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, "error.bad_request", m, false),
            PageErrorKind::Internal => {
                (StatusCode::INTERNAL_SERVER_ERROR, "error.internal", t.get("error.internal_body").to_string(), false)
            }
        };
        let page = ErrorPage { t, status: status.as_u16(), title: t.get(title_key), message, show_login };
        match page.render() {
            Ok(html) => (status, axum::response::Html(html)).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|v| v[1..].to_string()).unwrap_or_default()
}

/// `Form<T>` for pages: a body that is not a form, or not UTF-8, gets the error page in
/// the user's language instead of a bare text reply.
pub struct PageForm<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for PageForm<T> {
    type Rejection = PageError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = axum_extra::extract::cookie::CookieJar::from_headers(req.headers())
            .get(crate::auth::LANG_COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .unwrap_or_default();
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(PageForm(v)),
            Err(rej) => {
                let t = crate::i18n::T::new(lang);
                let msg = match rej.status() {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => t.get("error.form_content_type").to_string(),
                    StatusCode::PAYLOAD_TOO_LARGE => t.get("error.form_too_large").to_string(),
                    _ => t.get("error.form_unreadable").to_string(),
                };
                Err(PageError::new(PageErrorKind::BadRequest(msg), lang))
            }
        }
    }
}
