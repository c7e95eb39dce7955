//! Log in, log out, language switch.

use super::{Layout, render, safe_next};
use crate::AppState;
use crate::auth::{self, Ctx, LOGIN_CSRF_COOKIE, LoginOutcome, PendingViewer, SESSION_COOKIE};
use crate::error::PageForm;
use crate::error::{PageError, PageErrorKind};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    t: crate::i18n::T,
    csrf: String,
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

fn login_page(ctx: &Ctx, csrf: String, next: &str, username: &str, error: String) -> Result<Response, PageError> {
    let t = ctx.t();
    render(
        &LoginPage {
            layout: Layout::anonymous(ctx, t.get("login.title"), "/login"),
            t,
            csrf,
            next: safe_next(next).to_string(),
            username: username.to_string(),
            error,
        },
        ctx.lang,
    )
}

pub async fn login_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    // Reuse the double-submit token if the browser already holds one (several tabs).
    let csrf = ctx
        .jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64)
        .unwrap_or_else(domain::security::random_hex);
    let jar = ctx.jar.clone().add(auth::login_csrf_cookie(csrf.clone(), state.config.cookie_secure));
    Ok((jar, login_page(&ctx, csrf, &q.next, "", String::new())?).into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    PageForm(f): PageForm<LoginForm>,
) -> Result<Response, PageError> {
    let t = ctx.t();
    let cookie = ctx.jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if cookie.is_empty() || !auth::constant_time_eq(cookie.as_bytes(), f.csrf.as_bytes()) {
        return Err(PageError::new(PageErrorKind::BadCsrf, ctx.lang));
    }
    if f.username.trim().is_empty() || f.password.is_empty() {
        let page = login_page(&ctx, cookie, &f.next, &f.username, t.get("login.missing").into())?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let outcome = auth::check_login(&state, &ctx, &f.username, &f.password)
        .await
        .map_err(|e| PageError::from_app(e, ctx.lang))?;
    let user = match outcome {
        LoginOutcome::Ok(u) => u,
        LoginOutcome::Invalid => {
            let page = login_page(&ctx, cookie, &f.next, &f.username, t.get("login.invalid").into())?;
            return Ok((StatusCode::UNAUTHORIZED, page).into_response());
        }
        LoginOutcome::Throttled { retry_after_secs } => {
            let msg = t.fmt("login.throttled", "seconds", &retry_after_secs.max(1).to_string());
            let page = login_page(&ctx, cookie, &f.next, &f.username, msg)?;
            let retry = [(axum::http::header::RETRY_AFTER, retry_after_secs.max(1).to_string())];
            return Ok((StatusCode::TOO_MANY_REQUESTS, retry, page).into_response());
        }
        LoginOutcome::Busy { retry_after_secs } => {
            let page = login_page(&ctx, cookie, &f.next, &f.username, t.get("login.busy").into())?;
            let retry = [(axum::http::header::RETRY_AFTER, retry_after_secs.max(1).to_string())];
            return Ok((StatusCode::TOO_MANY_REQUESTS, retry, page).into_response());
        }
    };
    let ttl = state.config.session_ttl_secs;
    let actor = app::sessions::actor_of(&user, &ctx.ip, &ctx.request_id);
    let sid = app::sessions::sign_in(&state, &user, &actor).await.map_err(|e| PageError::from_app(e, ctx.lang))?;
    let jar = ctx
        .jar
        .clone()
        .add(auth::session_cookie(sid, state.config.cookie_secure, ttl))
        .remove(auth::removal_cookie(LOGIN_CSRF_COOKIE));
    // A password someone else set is replaced before anything else.
    let to = if user.must_change_password { "/account/password" } else { safe_next(&f.next) };
    Ok((jar, Redirect::to(to)).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    PendingViewer(v): PendingViewer,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let sid = v.ctx.jar.get(SESSION_COOKIE).map(|c| c.value().to_string());
    app::sessions::sign_out(&state, &v.user, &v.actor(), sid.as_deref())
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    let jar = v.ctx.jar.clone().remove(auth::removal_cookie(SESSION_COOKIE));
    Ok((jar, Redirect::to("/login")).into_response())
}

pub async fn set_lang(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = crate::i18n::Lang::parse(&code).unwrap_or_default();
    let jar = ctx.jar.clone().add(auth::lang_cookie(lang, state.config.cookie_secure));
    (jar, Redirect::to(safe_next(&q.next))).into_response()
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    layout: Layout,
    t: crate::i18n::T,
    errors: super::FormErrors,
    /// The password was set by someone else: the page explains why it is shown.
    required: bool,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn password_page(v: &crate::auth::Viewer, errors: super::FormErrors, saved: bool) -> Result<Response, PageError> {
    let t = v.t();
    let failed = errors.any();
    let resp = render(
        &PasswordPage {
            layout: Layout::for_viewer(v, t.get("account.password_title"), "/account/password"),
            t,
            errors,
            required: v.user.must_change_password,
            saved,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

/// `GET /account/password`: every account may change its own password; an account whose
/// password someone else set is sent here until it has.
pub async fn password_form(
    PendingViewer(v): PendingViewer,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    password_page(&v, super::FormErrors::default(), q.saved.is_some())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// `POST /account/password`: on success every session of the account ends and this browser
/// gets a fresh one.
pub async fn change_password(
    State(state): State<AppState>,
    PendingViewer(v): PendingViewer,
    PageForm(f): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let result = crate::accounts::change_own_password(
        &state,
        &v.user,
        &v.actor(),
        &f.current_password,
        &f.new_password,
        &f.confirm_password,
    )
    .await;
    match result {
        Ok(()) => {}
        Err(app::Error::Invalid(errs)) => return password_page(&v, super::FormErrors::new(v.t(), errs), false),
        Err(app::Error::Throttled { retry_after_secs }) => {
            // The form again, saying how long to wait, with the status and header a client reads.
            let wait = v.t().fmt("login.throttled", "seconds", &retry_after_secs.max(1).to_string());
            let page = password_page(&v, super::FormErrors::sentence("current_password", wait), false)?;
            let retry = [(axum::http::header::RETRY_AFTER, retry_after_secs.max(1).to_string())];
            return Ok((StatusCode::TOO_MANY_REQUESTS, retry, page).into_response());
        }
        Err(e) => return Err(PageError::from_app(e, v.lang())),
    }
    let ttl = state.config.session_ttl_secs;
    let sid = app::sessions::renew(&state, &v.user).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let jar = v.ctx.jar.clone().add(auth::session_cookie(sid, state.config.cookie_secure, ttl));
    Ok((jar, Redirect::to("/account/password?saved=1")).into_response())
}
