//! Who is asking: request context, signed-in viewers (session cookie + CSRF) for pages,
//! bearer-token users for the API. Every handler that touches data takes one of these.

use crate::AppState;
use crate::error::{ApiError, PageError, PageErrorKind};
use crate::i18n::{Lang, T};
use app::Actor;
use app::accounts::User;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use domain::RegionCode;
use domain::access::{Action, Principal};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "desmigratif_session";
pub const LANG_COOKIE: &str = "lang";
/// Double-submit token for the login form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "desmigratif_login_csrf";

/// Set by the observe middleware on every request.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// What every handler knows about a request, signed in or not.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub ip: String,
    pub request_id: String,
    pub jar: CookieJar,
}

impl Ctx {
    pub fn t(&self) -> T {
        T::new(self.lang)
    }
    pub fn anonymous_actor(&self, username: &str) -> Actor {
        Actor {
            user_id: None,
            username: username.to_string(),
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// The client's address. Behind a proxy (DESMIGRATIF_TRUST_PROXY) we trust exactly one
/// hop: the proxy appends the address it saw to `X-Forwarded-For`, so the rightmost entry is
/// the only one nobody else could write; anything left of it is the client's own claim. An
/// entry that is not an IP address is ignored (the socket address is used).
fn client_ip(parts: &Parts, trust_proxy: bool) -> String {
    if trust_proxy {
        let rightmost = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .last()
            .and_then(|v| v.parse::<std::net::IpAddr>().ok());
        if let Some(ip) = rightmost {
            return ip.to_string();
        }
    }
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_default()
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = jar.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())).unwrap_or_default();
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
        Ok(Ctx { lang, ip: client_ip(parts, state.config.trust_proxy), request_id, jar })
    }
}

/// A signed-in person using the pages.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    pub principal: Principal,
    pub csrf: String,
    pub ctx: Ctx,
}

impl Viewer {
    pub fn t(&self) -> T {
        self.ctx.t()
    }
    pub fn lang(&self) -> Lang {
        self.ctx.lang
    }
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            username: self.user.username.clone(),
            ip: self.ctx.ip.clone(),
            request_id: self.ctx.request_id.clone(),
        }
    }
    pub fn can(&self, action: Action, region: Option<&RegionCode>) -> bool {
        self.principal.can(action, region)
    }
    pub fn require(&self, action: Action, region: Option<&RegionCode>) -> Result<(), PageError> {
        if self.can(action, region) { Ok(()) } else { Err(PageError::forbidden(self.lang())) }
    }
    /// The role-level check before reading a form that names its own region: 403 unless the
    /// account may do `action` somewhere in its scope ([`Principal::may_ever`]).
    pub fn require_ever(&self, action: Action) -> Result<(), PageError> {
        if self.principal.may_ever(action) { Ok(()) } else { Err(PageError::forbidden(self.lang())) }
    }
    /// Every state-changing form carries the session's token; compared in constant time.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if constant_time_eq(submitted.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::new(PageErrorKind::BadCsrf, self.lang()))
        }
    }
    pub fn is_admin(&self) -> bool {
        self.can(Action::ManageUsers, None)
    }
}

/// Compares secrets without revealing where they differ (`subtle`).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(subtle::ConstantTimeEq::ct_eq(a, b))
}

/// A signed-in viewer whose password may still be one someone else set: only the
/// change-password page and logout take this; every other page takes [`Viewer`].
pub struct PendingViewer(pub Viewer);

impl FromRequestParts<AppState> for PendingViewer {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Ok(ctx) = Ctx::from_request_parts(parts, state).await;
        let lang = ctx.lang;
        let not_signed_in = || {
            if parts.method == Method::GET || parts.method == Method::HEAD {
                let next = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
                PageError::new(PageErrorKind::LoginRequired { next }, lang)
            } else {
                PageError::new(PageErrorKind::SessionExpired, lang)
            }
        };
        let Some(sid) = ctx.jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(not_signed_in());
        };
        let session = app::sessions::session(state, &sid).await.map_err(|e| PageError::from_app(e, lang))?;
        let Some(session) = session else {
            return Err(not_signed_in());
        };
        let Some(principal) = session.user.principal() else {
            return Err(PageError::forbidden(lang));
        };
        Ok(PendingViewer(Viewer { user: session.user, principal, csrf: session.csrf_token, ctx }))
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let PendingViewer(v) = PendingViewer::from_request_parts(parts, state).await?;
        if v.user.must_change_password {
            // Nothing else until the account has chosen its own password.
            return Err(PageError::new(PageErrorKind::PasswordChangeRequired, v.lang()));
        }
        Ok(v)
    }
}

/// A machine client (or person) calling the JSON API with `Authorization: Bearer TOKEN`.
#[derive(Debug, Clone)]
pub struct ApiUser {
    pub user: User,
    pub principal: Principal,
    pub actor: Actor,
}

impl ApiUser {
    pub fn require(&self, action: Action, region: Option<&RegionCode>) -> Result<(), ApiError> {
        if self.principal.can(action, region) { Ok(()) } else { Err(ApiError::Forbidden) }
    }
    /// The role-level check before reading a body that names its own region: 403 unless the
    /// account may do `action` somewhere in its scope ([`Principal::may_ever`]).
    pub fn require_ever(&self, action: Action) -> Result<(), ApiError> {
        if self.principal.may_ever(action) { Ok(()) } else { Err(ApiError::Forbidden) }
    }
}

/// The token of `Authorization: Bearer TOKEN`, if the header has that shape.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
}

/// An API caller whose password may still be one someone else set: only
/// `POST /api/v1/auth/password` takes this; every other endpoint takes [`ApiUser`].
pub struct PendingApiUser(pub ApiUser);

/// The header that lets the browser's own pages call the API with their session (issue 16,
/// track offline: the outbox replays through the same operations as any API client).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The account behind an API request: a bearer token, or — for the app's own pages — the
/// session cookie together with that session's CSRF token in `X-CSRF-Token`. A cookie alone
/// is not enough (another site's form could send it): without the header 401, with a wrong
/// one 403. `Ok(None)`: no credential at all.
pub async fn api_account(headers: &axum::http::HeaderMap, state: &AppState) -> Result<Option<User>, ApiError> {
    if let Some(token) = bearer_token(headers) {
        return Ok(Some(app::sessions::token_user(state, token).await?.ok_or(ApiError::Unauthorized)?));
    }
    let jar = CookieJar::from_headers(headers);
    let Some(sid) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    let Some(sent) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) else {
        return Err(ApiError::Unauthorized);
    };
    let session = app::sessions::session(state, &sid).await?.ok_or(ApiError::Unauthorized)?;
    if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
        return Err(ApiError::Forbidden);
    }
    Ok(Some(session.user))
}

impl FromRequestParts<AppState> for PendingApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = api_account(&parts.headers, state).await?.ok_or(ApiError::Unauthorized)?;
        let principal = user.principal().ok_or(ApiError::Forbidden)?;
        let Ok(ctx) = Ctx::from_request_parts(parts, state).await;
        let actor =
            Actor { user_id: Some(user.id), username: user.username.clone(), ip: ctx.ip, request_id: ctx.request_id };
        Ok(PendingApiUser(ApiUser { user, principal, actor }))
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let PendingApiUser(u) = PendingApiUser::from_request_parts(parts, state).await?;
        if u.user.must_change_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(u)
    }
}

/// The request body, left unread until the handler has made its access decision. The order
/// of every write is: authenticate (`Viewer`/`ApiUser`) → role → record and region → body, so an
/// account that may not use a route is refused (403, or 404 for a record it may not see)
/// whatever it sends. Take the body as the last argument, `body: Unread<ApiJson<T>>` (or
/// `Unread<PageForm<T>>`, `Unread<Multipart>`), and call
/// `body.read().await` after `require`/loading the record: reading runs the very extractor
/// named, so its answers (400/413/415/422 bodies, the error page) are unchanged. Pages check
/// the CSRF token, which travels in the body, right after reading it.
pub struct Unread<E> {
    req: axum::extract::Request,
    body: std::marker::PhantomData<fn() -> E>,
}

impl<E, S: Send + Sync> axum::extract::FromRequest<S> for Unread<E> {
    type Rejection = std::convert::Infallible;
    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Unread { req, body: std::marker::PhantomData })
    }
}

impl<E: axum::extract::FromRequest<()>> Unread<E> {
    /// Reads the body now, with `E`'s own rejection.
    pub async fn read(self) -> Result<E, E::Rejection> {
        E::from_request(self.req, &()).await
    }
}

pub fn session_cookie(value: String, secure: bool, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::seconds(max_age_secs))
        .build()
}

pub fn removal_cookie(name: &'static str) -> Cookie<'static> {
    Cookie::build((name, "")).path("/").max_age(time::Duration::ZERO).build()
}

pub fn login_csrf_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((LOGIN_CSRF_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/login")
        .max_age(time::Duration::hours(2))
        .build()
}

pub fn lang_cookie(lang: Lang, secure: bool) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, lang.code()))
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::days(365))
        .build()
}

pub use app::accounts::{LoginOutcome, hash_password};

/// Checks a username and password with throttling and bounded password work
/// ([`app::accounts::login`]).
pub async fn check_login(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    password: &str,
) -> Result<LoginOutcome, app::Error> {
    Ok(app::accounts::login(state, &ctx.anonymous_actor(username), username, password).await?)
}
