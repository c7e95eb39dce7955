//! JSON API under `/api/v1`: bearer tokens, the same access rules as the pages,
//! errors as [`crate::error::ErrorBody`]. The OpenAPI document is generated from
//! these handlers' annotations, so it cannot drift from the code.

mod agencies;
mod auth;
mod cases;
mod cooperative;
mod episodes;
mod job_orders;
mod outreach;
mod persons;
mod policy;
mod programs;
mod regions;
mod users;

use crate::AppState;
use crate::error::{ApiError, ErrorBody, FieldErrorBody};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(auth::token))
        .route("/me", get(auth::me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::get).patch(users::update))
        .route("/regions", get(regions::provinces))
        .route("/regions/search", get(regions::search))
        .route("/regions/{code}", get(regions::get))
        .route("/regions/{code}/children", get(regions::children))
        .route("/villages/{code}", get(regions::village))
        .route("/villages/{code}/designation", put(regions::designate))
        .route("/programs", get(programs::list).post(programs::create))
        .route("/audit", get(users::audit))
        .route("/nik/check", post(persons::nik_check))
        .route("/persons", get(persons::list).post(persons::create))
        .route("/persons/{id}", get(persons::get))
        .route("/persons/{id}/episodes", post(episodes::open))
        .route("/episodes/{id}", get(episodes::get))
        .route("/episodes/{id}/transitions", post(episodes::transition))
        .route("/episodes/{id}/documents/{kind}", put(episodes::document))
        .route("/episodes/{id}/costs", post(episodes::cost))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/{id}", get(cases::get))
        .route("/cases/{id}/transitions", post(cases::transition))
        .route("/agencies", get(agencies::list).post(agencies::create))
        .route("/agencies/{id}", get(agencies::get))
        .route("/agencies/{id}/branches", post(agencies::add_branch))
        .route("/job-orders", get(job_orders::list).post(job_orders::create))
        .route("/job-orders/{id}", get(job_orders::get))
        .route("/job-orders/{id}/verification", post(job_orders::verify))
        .route("/outreach", get(outreach::list).post(outreach::create))
        .route("/outreach/{id}", get(outreach::get))
        .route("/outreach/{id}/attendees", post(outreach::add_attendee))
        .route("/policy", get(policy::get))
        .route("/loan-schedules", post(cooperative::loan_schedule))
        .route("/cooperatives", get(cooperative::list).post(cooperative::create))
        .route("/cooperatives/{id}", get(cooperative::get))
        .route("/cooperatives/{id}/bylaws/{year}", put(cooperative::put_bylaws))
        .route("/cooperatives/{id}/members", get(cooperative::members).post(cooperative::enrol))
        .route("/cooperatives/{id}/members/{member_id}", get(cooperative::get_member))
        .route("/cooperatives/{id}/members/{member_id}/leave", post(cooperative::leave))
        .route("/cooperatives/{id}/savings-transactions", post(cooperative::savings))
        .route("/cooperatives/{id}/loans", get(cooperative::loans).post(cooperative::apply))
        .route("/cooperatives/{id}/loans/{loan_id}", get(cooperative::get_loan))
        .route("/cooperatives/{id}/loans/{loan_id}/approve", post(cooperative::approve))
        .route("/cooperatives/{id}/loans/{loan_id}/reject", post(cooperative::reject))
        .route("/cooperatives/{id}/loans/{loan_id}/disburse", post(cooperative::disburse))
        .route("/cooperatives/{id}/loans/{loan_id}/write-off", post(cooperative::write_off))
        .route("/cooperatives/{id}/loans/{loan_id}/repayments", post(cooperative::repay))
        .route("/cooperatives/{id}/reports/trial-balance", get(cooperative::trial_balance))
        .route("/cooperatives/{id}/reports/balance-sheet", get(cooperative::balance_sheet))
        .route("/cooperatives/{id}/reports/income-statement", get(cooperative::income_statement))
        .route("/cooperatives/{id}/other-entries", post(cooperative::other))
        .route("/cooperatives/{id}/journal/{entry_id}/reversal", post(cooperative::reverse))
        .route("/cooperatives/{id}/period-closes", post(cooperative::close_period))
        .route("/cooperatives/{id}/year-closes", post(cooperative::close_year))
        .route("/cooperatives/{id}/rat", post(cooperative::record_rat))
        .route("/cooperatives/{id}/rat/{year}", get(cooperative::get_rat))
        .route("/openapi.json", get(openapi_json))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Desmigratif API",
        version = "1",
        description = "Desa Migran Produktif information system. Authenticate with POST /api/v1/auth/token, \
then send `Authorization: Bearer TOKEN`. Every call applies the account's role and region scope. \
Errors carry `error`, `message` and, for validation (422), `errors[]` naming each field and rule."
    ),
    paths(
        auth::token, auth::me,
        users::create, users::list, users::get, users::update, users::audit,
        regions::provinces, regions::search, regions::get, regions::children, regions::village, regions::designate,
        programs::list, programs::create,
        persons::nik_check, persons::create, persons::list, persons::get,
        episodes::open, episodes::get, episodes::transition, episodes::document, episodes::cost,
        cases::create, cases::list, cases::get, cases::transition,
        agencies::create, agencies::list, agencies::get, agencies::add_branch,
        cooperative::loan_schedule,
        cooperative::list, cooperative::create, cooperative::get, cooperative::put_bylaws,
        cooperative::members, cooperative::enrol, cooperative::get_member, cooperative::leave, cooperative::savings,
        cooperative::apply, cooperative::loans, cooperative::get_loan, cooperative::approve, cooperative::reject,
        cooperative::disburse, cooperative::write_off, cooperative::repay,
        cooperative::trial_balance, cooperative::balance_sheet, cooperative::income_statement,
        cooperative::other, cooperative::reverse, cooperative::close_period, cooperative::close_year,
        cooperative::record_rat, cooperative::get_rat,
        job_orders::create, job_orders::list, job_orders::get, job_orders::verify,
        outreach::list, outreach::create, outreach::get, outreach::add_attendee,
        policy::get,
    ),
    components(schemas(ErrorBody, FieldErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Tokens and the calling account"),
        (name = "users", description = "Accounts, roles and region scopes (national admins)"),
        (name = "regions", description = "Kemendagri region hierarchy and village designation"),
        (name = "programs", description = "Programs villages take part in"),
        (name = "audit", description = "Append-only audit log"),
        (name = "persons", description = "People registered by the village migration service center; NIK checks"),
        (name = "agencies", description = "Licensed placement companies (P3MI)"),
        (name = "cooperative", description = "Village cooperatives: by-laws, members, savings, loans (four-eyes approval), append-only double-entry books, period and year close, RAT and SHU"),
        (name = "episodes", description = "Migration episodes: steps, documents checklist, costs, risk flags"),
        (name = "cases", description = "Protection cases: complaints, abuse, trafficking; restricted cases open only to handler and supervisors"),
        (name = "job-orders", description = "Job orders (demand letters) of placement companies and their verification"),
        (name = "outreach", description = "Outreach events (sosialisasi) held in villages and their registered attendees"),
        (name = "policy", description = "Placement policy: bans, zero-cost rule, no-contact threshold, documents requirement matrix"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

/// `Json<T>` whose rejections speak our error format: 415 for a missing or wrong
/// content type, 400 for malformed JSON, 422 naming the field for wrong types, 413 for size.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(match rej {
                JsonRejection::MissingJsonContentType(_) => {
                    ApiError::UnsupportedMediaType("send Content-Type: application/json".into())
                }
                JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest(format!("malformed JSON: {}", e.body_text())),
                JsonRejection::JsonDataError(e) => {
                    let text = e.body_text();
                    // serde_path_to_error puts the field path before the first ": ".
                    let detail = text.trim_start_matches("Failed to deserialize the JSON body into the target type: ");
                    let field = detail.split(": ").next().filter(|f| !f.contains(' ')).unwrap_or("body");
                    let mut errs = domain::ValidationErrors::new();
                    errs.add(field, domain::Rule::Format, detail.to_string());
                    ApiError::Validation(errs)
                }
                JsonRejection::BytesRejection(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    ApiError::PayloadTooLarge
                }
                other => ApiError::BadRequest(other.body_text()),
            }),
        }
    }
}
