//! JSON API under `/api/v1`: bearer tokens, the same access rules as the pages,
//! errors as [`crate::error::ErrorBody`]. The OpenAPI document is generated from
//! these handlers' annotations, so it cannot drift from the code.

mod agencies;
mod auth;
mod brokers;
mod cases;
pub mod contract;
mod coop_bank;
mod coop_deposits;
mod coop_health;
mod coop_loans;
mod cooperative;
pub mod dhis2;
mod enterprise;
mod episodes;
mod exchange;
pub mod fields;
mod htcds;
mod imports;
mod job_orders;
mod monitoring;
mod national_ids;
// -- track offline (issue 16)
mod offline;
mod outreach;
mod parenting;
mod partners;
pub mod persons;
mod policy;
mod programs;
mod regions;
mod users;

use crate::error::{ApiError, ErrorBody, FieldErrorBody};
use crate::routing::Routes;
use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::routing::{get, patch, post, put};
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub(crate) use cases::download_response;
use contract::SharedResponses;
use fields::FieldContract;

pub fn routes() -> Routes {
    Routes::new()
        .route("/auth/token", post(auth::token))
        .route("/auth/password", post(auth::change_password))
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
        // -- track offline (issue 16)
        .route("/offline/grant", post(offline::grant))
        .route("/offline/contact", post(offline::contact))
        .route("/offline/revoke", post(offline::revoke))
        .route("/persons/{id}", get(persons::get))
        // track conflicts
        .route("/persons/{id}", patch(persons::edit))
        .route("/imports/opensid", post(imports::opensid).layer(DefaultBodyLimit::max(app::opensid::MAX_WORKBOOK)))
        .route("/persons/{id}/episodes", post(episodes::open))
        // track forms (issue 16): the counselling session's API door
        .route("/persons/{id}/counselling", post(persons::add_counselling))
        .route("/persons/{id}/external-ids", put(national_ids::set_person_ids))
        .route("/persons/{id}/dukcapil-check", post(national_ids::dukcapil_check))
        .route("/episodes/{id}/external-ids", put(national_ids::set_episode_ids))
        .route("/imports/bpjs", post(national_ids::import_bpjs))
        .route("/episodes/{id}", get(episodes::get))
        .route("/episodes/{id}/transitions", post(episodes::transition))
        .route("/episodes/{id}/documents/{kind}", put(episodes::document))
        .route("/episodes/{id}/costs", post(episodes::cost))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/{id}", get(cases::get).patch(cases::assign))
        .route("/cases/{id}/transitions", post(cases::transition))
        .route("/cases/{id}/referrals", post(cases::refer))
        .route("/cases/{id}/notes", post(cases::add_note))
        .route("/cases/{id}/break-glass", post(cases::break_glass))
        .route("/cases/{id}/transfer", post(cases::transfer))
        .route("/break-glass-grants", get(cases::grants))
        .route("/cases/{id}/trafficking", put(cases::trafficking))
        .route("/cases/{id}/htcds", get(htcds::export))
        .route("/htcds/public-key", get(htcds::public_key))
        .route("/htcds/partner-keys", get(htcds::partner_keys).post(htcds::register_key))
        .route("/imports/htcds", post(htcds::import))
        .route(
            "/cases/{id}/attachments",
            post(cases::attach).layer(DefaultBodyLimit::max(crate::cases::ATTACHMENT_BODY_LIMIT)),
        )
        .route("/cases/{id}/attachments/{attachment_id}", get(cases::download))
        .route("/referrals/{id}/accept", post(cases::accept))
        .route("/referrals/{id}/decline", post(cases::decline))
        .route("/referrals/{id}/services", post(cases::services))
        .route("/referrals/{id}/close", post(cases::close))
        .route("/partner/referrals", get(cases::my_referrals))
        .route("/partners", get(partners::list).post(partners::create))
        .route("/partners/{id}", get(partners::get).put(partners::update))
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
        .route("/broker-reports", get(brokers::list).post(brokers::create))
        .route("/broker-reports/hot-spots", get(brokers::hot_spots))
        .route("/broker-reports/{id}", get(brokers::get))
        .route("/broker-reports/{id}/take", post(brokers::take))
        .route("/brokers", get(brokers::brokers))
        .route("/brokers/{id}", get(brokers::broker))
        .route("/brokers/{id}/episodes", post(brokers::link_episode))
        .route("/brokers/{id}/cases", post(brokers::link_case))
        .route("/loan-schedules", post(cooperative::loan_schedule))
        .route("/trainings", get(enterprise::list_trainings).post(enterprise::create_training))
        .route("/trainings/{id}", get(enterprise::get_training))
        .route("/trainings/{id}/participants", post(enterprise::add_participant))
        .route("/trainings/{id}/attendance", post(enterprise::set_attendance))
        .route("/trainings/{id}/completion", post(enterprise::set_completion))
        .route("/mentoring", get(enterprise::list_visits).post(enterprise::create_visit))
        .route("/equipment", get(enterprise::list_equipment).post(enterprise::create_equipment))
        .route("/equipment/{id}", get(enterprise::get_equipment))
        .route("/equipment/{id}/checks", post(enterprise::add_check))
        .route("/businesses", get(enterprise::list_businesses).post(enterprise::create_business))
        .route("/businesses/{id}", get(enterprise::get_business))
        .route("/businesses/{id}/members", post(enterprise::add_member))
        .route("/businesses/{id}/reports", post(enterprise::add_report))
        .route("/businesses/{id}/status", post(enterprise::set_status))
        .route("/remittances", get(enterprise::list_remittances).post(enterprise::create_remittance))
        .route("/remittances/summary", get(enterprise::remittance_summary))
        .route("/enterprise/counts", get(enterprise::counts))
        .route("/children", get(parenting::list_children).post(parenting::create_child))
        .route("/children/{id}", get(parenting::get_child))
        .route("/children/{id}/status", post(parenting::set_child_status))
        .route("/children/{id}/concerns", post(parenting::raise_concern))
        .route("/parenting-activities", get(parenting::list_activities).post(parenting::create_activity))
        .route("/parenting-activities/{id}", get(parenting::get_activity))
        .route("/parenting-activities/{id}/attendance", post(parenting::add_attendance))
        .route("/parenting/counts", get(parenting::counts))
        .route("/open/indicators", get(monitoring::open))
        .route("/indicators", get(monitoring::region))
        .route("/targets", get(monitoring::targets).put(monitoring::save_target))
        .route("/dhis2/data-value-sets", get(dhis2::data_value_sets))
        .route("/dhis2/data-elements", get(dhis2::data_elements).put(dhis2::save_data_elements))
        .route(
            "/dhis2/org-units",
            post(dhis2::import_org_units).layer(DefaultBodyLimit::max(dhis2::ORG_UNITS_BODY_LIMIT)),
        )
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
        // issue 20, health
        .route("/cooperatives/{id}/health/{year}", get(coop_health::get_health))
        .route("/cooperatives/{id}/health/{year}/answers", put(coop_health::put_answers))
        .route("/cooperatives/{id}/health/{year}/record", post(coop_health::record))
        // Issue 20, loans (api/coop_loans.rs).
        .route("/cooperatives/{id}/loan-settings", get(coop_loans::list_settings))
        .route("/cooperatives/{id}/loan-settings/{year}", put(coop_loans::put_settings))
        .route("/cooperatives/{id}/loans/{loan_id}/records", get(coop_loans::records))
        .route("/cooperatives/{id}/loans/{loan_id}/collateral", post(coop_loans::add_collateral))
        .route("/cooperatives/{id}/loans/{loan_id}/guarantors", post(coop_loans::add_guarantor))
        .route("/cooperatives/{id}/loans/{loan_id}/reschedules", post(coop_loans::propose))
        .route("/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/approve", post(coop_loans::approve))
        .route("/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/reject", post(coop_loans::reject))
        .route("/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/cancel", post(coop_loans::cancel))
        .route("/cooperatives/{id}/provision", get(coop_loans::provision))
        .route("/cooperatives/{id}/loan-month-end", post(coop_loans::month_end))
        // Deposits track (issue 20).
        .route("/cooperatives/{id}/deposit-settings", get(coop_deposits::settings))
        .route("/cooperatives/{id}/deposit-settings/{year}", put(coop_deposits::put_settings))
        .route("/cooperatives/{id}/time-deposits", get(coop_deposits::list).post(coop_deposits::open))
        .route("/cooperatives/{id}/time-deposits/{deposit_id}", get(coop_deposits::get))
        .route("/cooperatives/{id}/time-deposits/{deposit_id}/maturity", post(coop_deposits::mature))
        .route("/cooperatives/{id}/time-deposits/{deposit_id}/early-withdrawal", post(coop_deposits::withdraw_early))
        .route("/cooperatives/{id}/month-end", post(coop_deposits::run_month_end))
        .route("/openapi.json", get(openapi_json))
        .merge(coop_bank_routes())
        .merge(exchange_routes())
}

/// Cash and bank of a cooperative (issue 20, track bank).
fn coop_bank_routes() -> Routes {
    use axum::routing::delete;
    const B: &str = "/cooperatives/{id}/bank-accounts/{bank_id}";
    Routes::new()
        .route("/cooperatives/{id}/bank-accounts", get(coop_bank::list).post(coop_bank::open))
        .route("/cooperatives/{id}/bank-transfers", post(coop_bank::transfer))
        .route(&format!("{B}/entries"), post(coop_bank::entry))
        .route(&format!("{B}/book"), get(coop_bank::book))
        .route(&format!("{B}/statements"), post(coop_bank::import))
        .route(&format!("{B}/statement-lines"), get(coop_bank::statement_lines))
        .route(&format!("{B}/statement-lines/{{line_id}}/entry"), post(coop_bank::statement_entry))
        .route(&format!("{B}/match-suggestions"), get(coop_bank::suggestions))
        .route(&format!("{B}/match-suggestions/accept"), post(coop_bank::accept))
        .route(&format!("{B}/matches"), post(coop_bank::match_lines))
        .route(&format!("{B}/matches/{{statement_line_id}}"), delete(coop_bank::unmatch))
        .route(&format!("{B}/reconciliation"), get(coop_bank::reconciliation))
        .route(&format!("{B}/reconciliations"), post(coop_bank::finalise))
}

/// Partner data exchange, API clients, data subject rights and the public portal API (issue 8).
fn exchange_routes() -> Routes {
    use axum::routing::delete;
    Routes::new()
        .route("/exchange/persons", get(exchange::sync_persons))
        .route("/exchange/persons/export", get(exchange::export_persons))
        .route("/exchange/persons/{id}", get(exchange::get_person))
        .route("/exchange/episodes", get(exchange::sync_episodes))
        .route("/exchange/agencies", get(exchange::sync_agencies))
        .route("/exchange/job-orders", get(exchange::sync_job_orders))
        .route("/api-clients", get(exchange::list_clients).post(exchange::create_client))
        .route("/api-clients/{id}/rotate", post(exchange::rotate_client))
        .route("/api-clients/{id}/revoke", post(exchange::revoke_client))
        .route("/persons/{id}", delete(exchange::delete_person))
        .route("/persons/{id}/purpose-consents", get(exchange::list_consents).post(exchange::add_consent))
        .route("/persons/{id}/restriction", put(exchange::set_restriction))
        .route("/persons/{id}/corrections", get(exchange::list_corrections).post(exchange::add_correction))
        .route("/persons/{id}/subject-access", get(exchange::subject_access))
        .route("/public/agencies", get(exchange::public_agencies))
        .route("/public/job-orders/{code}", get(exchange::public_job))
        .route("/public/missions", get(exchange::public_missions))
        .route("/public/broker-reports", post(brokers::public_create))
        .route("/public/broker-reports/{receipt}", get(brokers::public_status))
        .route("/public/broker-reports/{receipt}/additions", post(brokers::public_add))
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
        auth::token, auth::change_password, auth::me,
        users::create, users::list, users::get, users::update, users::audit,
        regions::provinces, regions::search, regions::get, regions::children, regions::village, regions::designate,
        programs::list, programs::create,
        persons::nik_check, persons::create, persons::list, persons::get,
        persons::add_counselling, // track forms (issue 16)
        // track conflicts
        persons::edit,
        imports::opensid,
        episodes::open, episodes::get, episodes::transition, episodes::document, episodes::cost,
        national_ids::set_person_ids, national_ids::dukcapil_check, national_ids::set_episode_ids, national_ids::import_bpjs,
        cases::create, cases::list, cases::get, cases::transition,
        cases::assign, cases::refer, cases::add_note, cases::trafficking, cases::attach, cases::download,
        cases::accept, cases::decline, cases::services, cases::close, cases::my_referrals,
        cases::break_glass, cases::grants, cases::transfer,
        partners::list, partners::get, partners::create, partners::update,
        agencies::create, agencies::list, agencies::get, agencies::add_branch,
        cooperative::loan_schedule,
        cooperative::list, cooperative::create, cooperative::get, cooperative::put_bylaws,
        cooperative::members, cooperative::enrol, cooperative::get_member, cooperative::leave, cooperative::savings,
        cooperative::apply, cooperative::loans, cooperative::get_loan, cooperative::approve, cooperative::reject,
        cooperative::disburse, cooperative::write_off, cooperative::repay,
        cooperative::trial_balance, cooperative::balance_sheet, cooperative::income_statement,
        cooperative::other, cooperative::reverse, cooperative::close_period, cooperative::close_year,
        cooperative::record_rat, cooperative::get_rat,
        coop_health::get_health, coop_health::put_answers, coop_health::record,
        coop_bank::list, coop_bank::open, coop_bank::transfer, coop_bank::entry, coop_bank::book, coop_bank::import,
        coop_bank::statement_lines, coop_bank::statement_entry, coop_bank::suggestions, coop_bank::accept,
        coop_bank::match_lines, coop_bank::unmatch, coop_bank::reconciliation, coop_bank::finalise,
        coop_loans::list_settings, coop_loans::put_settings, coop_loans::records, coop_loans::add_collateral,
        coop_loans::add_guarantor, coop_loans::propose, coop_loans::approve, coop_loans::reject, coop_loans::cancel,
        coop_loans::provision, coop_loans::month_end,
        coop_deposits::settings, coop_deposits::put_settings, coop_deposits::list, coop_deposits::open,
        coop_deposits::get, coop_deposits::mature, coop_deposits::withdraw_early, coop_deposits::run_month_end,
        job_orders::create, job_orders::list, job_orders::get, job_orders::verify,
        outreach::list, outreach::create, outreach::get, outreach::add_attendee,
        policy::get,
        exchange::sync_persons, exchange::get_person, exchange::export_persons, exchange::sync_episodes,
        exchange::sync_agencies, exchange::sync_job_orders,
        exchange::create_client, exchange::list_clients, exchange::rotate_client, exchange::revoke_client,
        exchange::add_consent, exchange::list_consents, exchange::set_restriction, exchange::add_correction,
        exchange::list_corrections, exchange::delete_person, exchange::subject_access,
        exchange::public_agencies, exchange::public_job, exchange::public_missions,
        brokers::public_create, brokers::public_status, brokers::public_add,
        brokers::list, brokers::create, brokers::get, brokers::take, brokers::hot_spots,
        brokers::brokers, brokers::broker, brokers::link_episode, brokers::link_case,
        enterprise::create_training, enterprise::list_trainings, enterprise::get_training, enterprise::add_participant,
        enterprise::set_attendance, enterprise::set_completion, enterprise::create_visit, enterprise::list_visits,
        enterprise::create_equipment, enterprise::list_equipment, enterprise::get_equipment, enterprise::add_check,
        enterprise::create_business, enterprise::list_businesses, enterprise::get_business, enterprise::add_member,
        enterprise::add_report, enterprise::set_status, enterprise::create_remittance, enterprise::list_remittances,
        enterprise::remittance_summary, enterprise::counts,
        parenting::create_child, parenting::get_child, parenting::list_children, parenting::set_child_status,
        parenting::raise_concern, parenting::create_activity, parenting::list_activities, parenting::get_activity,
        parenting::add_attendance, parenting::counts,
        monitoring::open, monitoring::region, monitoring::targets, monitoring::save_target,
        dhis2::data_value_sets, dhis2::data_elements, dhis2::save_data_elements, dhis2::import_org_units,
        htcds::export, htcds::public_key, htcds::partner_keys, htcds::register_key, htcds::import,
        // -- track offline (issue 16)
        offline::grant, offline::contact, offline::revoke,
    ),
    components(schemas(ErrorBody, FieldErrorBody)),
    modifiers(&BearerAuth, &SharedResponses, &FieldContract),
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
        (name = "partners", description = "Partner organisations (IOM, BP3MI, LPSK, safe houses…) and the partner API: referrals to my organisation, accept, decline, services, close"),
        (name = "job-orders", description = "Job orders (demand letters) of placement companies and their verification"),
        (name = "outreach", description = "Outreach events (sosialisasi) held in villages and their registered attendees"),
        (name = "policy", description = "Placement policy: bans, zero-cost rule, no-contact threshold, documents requirement matrix"),
        (name = "exchange", description = "Partner data exchange: sync lists with signed cursors and updated_since, deletions, streaming exports; API clients (scopes, purpose, region, expiry, rate limit). Partner clients send their dmx_ token as a bearer token"),
        (name = "privacy", description = "Data subject rights (UU 27/2022): purpose consents, restriction of processing, correction requests, deletion, the subject-access report"),
        (name = "public", description = "Public portal, no token: is this agency licensed, is this job offer real, missions abroad, report an illegal broker"),
        (name = "brokers", description = "Reports of illegal brokers (calo) and the broker registry: reports in your region (partners: their own), links to episodes and cases, hot spots"),
        (name = "enterprise", description = "Productive enterprise: trainings and attendance, mentoring, equipment, businesses and monthly reports, remittances"),
        (name = "parenting", description = "Community parenting: migrants' children (names restricted), activities and attendance, welfare concerns"),
        (name = "monitoring", description = "Indicators from village to nation (kept up to date as data changes), open statistics without a token, program targets"),
        (name = "htcds", description = "Referral without a shared server: a case as a signed HTCDS 2.0 document (Ed25519), this server's public key, partners' keys, import with a field-by-field preview"),
        (name = "offline", description = "The offline outbox of the app's pages: a device grant at sign-in, keep-or-wipe at each contact (docs/OFFLINE.md)"),
        (name = "dhis2", description = "DHIS2 interoperability: the monthly indicators as DHIS2 data value sets (JSON, ADX), the data element mapping, the import of a DHIS2 org-unit hierarchy"),
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
/// content type, 400 for malformed JSON, 422 naming the field for wrong types (and for a body
/// that is not a JSON object: serde would read `[null, null]` as a struct's fields in order),
/// 413 for size.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::UnsupportedMediaType("send Content-Type: application/json".into()));
        }
        let bytes = match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => return Err(ApiError::PayloadTooLarge),
            Err(e) => return Err(ApiError::BadRequest(e.body_text())),
        };
        match Json::<T>::from_bytes(&bytes) {
            Ok(Json(v)) if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => Ok(ApiJson(v)),
            Ok(_) => {
                let mut errs = domain::ValidationErrors::new();
                errs.add("body", domain::Rule::Format, "a JSON object".to_string());
                Err(ApiError::Validation(errs))
            }
            Err(rej) => Err(match rej {
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
                other => ApiError::BadRequest(other.body_text()),
            }),
        }
    }
}

/// `application/json` or a `+json` type, as axum's own `Json` accepts.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}
