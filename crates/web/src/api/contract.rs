//! The parts of the OpenAPI document that follow from how the server works rather than from
//! one handler: the error responses (declared once under `components.responses` and attached
//! to every operation by the rule that makes the server answer them) and one unique,
//! readable `operationId` per operation (utoipa would use the function name: `get` 11 times).

use crate::error::ErrorBody;
use std::collections::BTreeSet;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, PartialSchema, ToSchema};

/// Error statuses the API answers and the shared response each one references.
const SHARED: &[(&str, &str, &str)] = &[
    ("400", "BadRequest", "Malformed request: a path or query value of the wrong type, or unreadable JSON"),
    ("401", "Unauthorized", "No valid bearer token (POST /api/v1/auth/token)"),
    ("403", "Forbidden", "The account's role, region scope or the client's scopes do not allow this"),
    ("404", "NotFound", "No such record, or none the caller may see"),
    ("409", "Conflict", "The record's state does not allow this"),
    ("413", "PayloadTooLarge", "Request body too large"),
    ("415", "UnsupportedMediaType", "Wrong or missing Content-Type"),
    (
        "422",
        "ValidationFailed",
        "Validation failed: `errors[]` names each field, the rule it broke (`required`, `too_long`, \
`format`, `one_of`, `out_of_range`, ...) and a detail",
    ),
    ("429", "TooManyRequests", "Rate limit or login throttle reached; see the Retry-After header (seconds)"),
];

/// Operations behind a rate limit: partner exchange clients and the login throttle.
fn rate_limited(path: &str) -> bool {
    path.starts_with("/api/v1/exchange/") || path == "/api/v1/auth/token"
}

pub struct SharedResponses;

impl Modify for SharedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.entry(ErrorBody::name().into_owned()).or_insert_with(ErrorBody::schema);
        for (status, name, description) in SHARED {
            let mut response = ResponseBuilder::new().description(*description).content(
                "application/json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name(ErrorBody::name()))).build(),
            );
            if *status == "429" {
                response = response.header(
                    "Retry-After",
                    utoipa::openapi::header::HeaderBuilder::new()
                        .schema(Some(i64::schema()))
                        .description(Some("seconds to wait"))
                        .build(),
                );
            }
            components.responses.insert(name.to_string(), RefOr::T(response.build()));
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, op) in operations_mut(item) {
                attach(path, op);
                if matches!(method, "POST" | "PUT" | "PATCH" | "DELETE") {
                    idempotent(op);
                }
                if let Some(id) = operation_id(method, path) {
                    op.operation_id = Some(id.to_string());
                }
            }
        }
    }
}

fn attach(path: &str, op: &mut Operation) {
    let declared = &mut op.responses.responses;
    // Error statuses the handler's annotation names (409, 404 on a path without an id, ...)
    // keep their status but reference the shared response.
    let mut statuses: BTreeSet<&str> = SHARED.iter().map(|(s, ..)| *s).filter(|s| declared.contains_key(*s)).collect();
    // Any path or query value can be malformed.
    statuses.insert("400");
    let authenticated = op.security.as_ref().is_some_and(|s| !s.is_empty());
    if authenticated {
        statuses.extend(["401", "403"]);
    }
    if path.contains('{') {
        statuses.insert("404");
    }
    let has_query = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter().any(|p| matches!(p, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Query))
    });
    if has_query || path.contains('{') {
        statuses.insert("422");
    }
    if op.request_body.is_some() {
        statuses.extend(["413", "415", "422"]);
    }
    if rate_limited(path) {
        statuses.insert("429");
    }
    for status in statuses {
        let name = SHARED.iter().find(|(s, ..)| *s == status).map(|(_, n, _)| *n).unwrap_or("BadRequest");
        declared.insert(status.to_string(), RefOr::Ref(Ref::from_response_name(name)));
    }
}

/// Every write takes an optional `Idempotency-Key` (crate::idempotency): a replay answers the
/// first answer, a key reused for another request is a 422, one still running a 409.
fn idempotent(op: &mut Operation) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    let key = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "A key the client makes (e.g. a UUID), 1–255 visible ASCII characters, kept per account for 30 days. \
Sending the same request again with it answers the first answer (header `Idempotent-Replayed: true`) and writes \
nothing new; the same key with a different request answers 422; while the first is still running, 409.",
        ))
        .schema(Some(String::schema()))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(RefOr::T(key));
    op.responses.responses.insert("409".to_string(), RefOr::Ref(Ref::from_response_name("Conflict")));
    op.responses
        .responses
        .entry("422".to_string())
        .or_insert_with(|| RefOr::Ref(Ref::from_response_name("ValidationFailed")));
}

/// The operations of a path item with their HTTP method, upper case.
pub fn operations_mut(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("GET", item.get.as_mut()),
        ("PUT", item.put.as_mut()),
        ("POST", item.post.as_mut()),
        ("DELETE", item.delete.as_mut()),
        ("PATCH", item.patch.as_mut()),
        ("HEAD", item.head.as_mut()),
        ("OPTIONS", item.options.as_mut()),
        ("TRACE", item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
}

/// The operations of a path item with their HTTP method, upper case.
pub fn operations(item: &utoipa::openapi::PathItem) -> impl Iterator<Item = (&'static str, &Operation)> {
    [
        ("GET", item.get.as_ref()),
        ("PUT", item.put.as_ref()),
        ("POST", item.post.as_ref()),
        ("DELETE", item.delete.as_ref()),
        ("PATCH", item.patch.as_ref()),
        ("HEAD", item.head.as_ref()),
        ("OPTIONS", item.options.as_ref()),
        ("TRACE", item.trace.as_ref()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
}

/// `(method, path, operationId)`: one readable, unique id per operation, for generated
/// clients (`client.list_cases()`); `contract::tests` checks every operation is here.
const OPERATION_IDS: &[(&str, &str, &str)] = &[
    // -- track offline (issue 16)
    ("POST", "/api/v1/offline/grant", "create_offline_grant"),
    ("POST", "/api/v1/offline/contact", "offline_contact"),
    ("POST", "/api/v1/offline/revoke", "revoke_offline_grant"),
    ("POST", "/api/v1/auth/token", "create_token"),
    ("GET", "/api/v1/me", "get_me"),
    ("GET", "/api/v1/users", "list_users"),
    ("POST", "/api/v1/users", "create_user"),
    ("GET", "/api/v1/users/{id}", "get_user"),
    ("PATCH", "/api/v1/users/{id}", "update_user"),
    ("GET", "/api/v1/audit", "list_audit_entries"),
    ("GET", "/api/v1/regions", "list_provinces"),
    ("GET", "/api/v1/regions/search", "search_regions"),
    ("GET", "/api/v1/regions/{code}", "get_region"),
    ("GET", "/api/v1/regions/{code}/children", "list_region_children"),
    ("GET", "/api/v1/villages/{code}", "get_village"),
    ("PUT", "/api/v1/villages/{code}/designation", "set_village_designation"),
    ("GET", "/api/v1/programs", "list_programs"),
    ("POST", "/api/v1/programs", "create_program"),
    ("POST", "/api/v1/nik/check", "check_nik"),
    ("GET", "/api/v1/persons", "list_persons"),
    ("POST", "/api/v1/persons", "create_person"),
    ("GET", "/api/v1/persons/{id}", "get_person"),
    // track conflicts
    ("PATCH", "/api/v1/persons/{id}", "edit_person"),
    ("DELETE", "/api/v1/persons/{id}", "delete_person"),
    ("POST", "/api/v1/imports/opensid", "import_opensid_workbook"),
    ("POST", "/api/v1/persons/{id}/episodes", "open_episode"),
    ("GET", "/api/v1/episodes/{id}", "get_episode"),
    ("POST", "/api/v1/episodes/{id}/transitions", "transition_episode"),
    ("PUT", "/api/v1/episodes/{id}/documents/{kind}", "set_episode_document"),
    ("POST", "/api/v1/episodes/{id}/costs", "add_episode_cost"),
    ("GET", "/api/v1/cases", "list_cases"),
    ("POST", "/api/v1/cases", "create_case"),
    ("GET", "/api/v1/cases/{id}", "get_case"),
    ("PATCH", "/api/v1/cases/{id}", "assign_case"),
    ("POST", "/api/v1/cases/{id}/transitions", "transition_case"),
    ("POST", "/api/v1/cases/{id}/referrals", "refer_case"),
    ("POST", "/api/v1/cases/{id}/notes", "add_case_note"),
    ("POST", "/api/v1/cases/{id}/break-glass", "break_glass_on_case"),
    ("POST", "/api/v1/cases/{id}/transfer", "transfer_case"),
    ("GET", "/api/v1/break-glass-grants", "list_break_glass_grants"),
    ("PUT", "/api/v1/cases/{id}/trafficking", "set_case_trafficking_assessment"),
    ("POST", "/api/v1/cases/{id}/attachments", "add_case_attachment"),
    ("GET", "/api/v1/cases/{id}/attachments/{attachment_id}", "download_case_attachment"),
    ("POST", "/api/v1/referrals/{id}/accept", "accept_referral"),
    ("POST", "/api/v1/referrals/{id}/decline", "decline_referral"),
    ("POST", "/api/v1/referrals/{id}/services", "add_referral_services"),
    ("POST", "/api/v1/referrals/{id}/close", "close_referral"),
    ("GET", "/api/v1/partner/referrals", "list_my_referrals"),
    ("GET", "/api/v1/partners", "list_partners"),
    ("POST", "/api/v1/partners", "create_partner"),
    ("GET", "/api/v1/partners/{id}", "get_partner"),
    ("PUT", "/api/v1/partners/{id}", "update_partner"),
    ("GET", "/api/v1/agencies", "list_agencies"),
    ("POST", "/api/v1/agencies", "create_agency"),
    ("GET", "/api/v1/agencies/{id}", "get_agency"),
    ("POST", "/api/v1/agencies/{id}/branches", "add_agency_branch"),
    ("GET", "/api/v1/job-orders", "list_job_orders"),
    ("POST", "/api/v1/job-orders", "create_job_order"),
    ("GET", "/api/v1/job-orders/{id}", "get_job_order"),
    ("POST", "/api/v1/job-orders/{id}/verification", "verify_job_order"),
    // track forms (issue 16)
    ("POST", "/api/v1/persons/{id}/counselling", "add_counselling_session"),
    ("GET", "/api/v1/outreach", "list_outreach_events"),
    ("POST", "/api/v1/outreach", "create_outreach_event"),
    ("GET", "/api/v1/outreach/{id}", "get_outreach_event"),
    ("POST", "/api/v1/outreach/{id}/attendees", "add_outreach_attendee"),
    ("GET", "/api/v1/policy", "get_policy"),
    ("POST", "/api/v1/loan-schedules", "compute_loan_schedule"),
    ("GET", "/api/v1/trainings", "list_trainings"),
    ("POST", "/api/v1/trainings", "create_training"),
    ("GET", "/api/v1/trainings/{id}", "get_training"),
    ("POST", "/api/v1/trainings/{id}/participants", "add_training_participant"),
    ("POST", "/api/v1/trainings/{id}/attendance", "set_training_attendance"),
    ("POST", "/api/v1/trainings/{id}/completion", "set_training_completion"),
    ("GET", "/api/v1/mentoring", "list_mentoring_visits"),
    ("POST", "/api/v1/mentoring", "create_mentoring_visit"),
    ("GET", "/api/v1/equipment", "list_equipment"),
    ("POST", "/api/v1/equipment", "create_equipment"),
    ("GET", "/api/v1/equipment/{id}", "get_equipment"),
    ("POST", "/api/v1/equipment/{id}/checks", "add_equipment_check"),
    ("GET", "/api/v1/businesses", "list_businesses"),
    ("POST", "/api/v1/businesses", "create_business"),
    ("GET", "/api/v1/businesses/{id}", "get_business"),
    ("POST", "/api/v1/businesses/{id}/members", "add_business_member"),
    ("POST", "/api/v1/businesses/{id}/reports", "add_business_report"),
    ("POST", "/api/v1/businesses/{id}/status", "set_business_status"),
    ("GET", "/api/v1/remittances", "list_remittances"),
    ("POST", "/api/v1/remittances", "create_remittance"),
    ("GET", "/api/v1/remittances/summary", "get_remittance_summary"),
    ("GET", "/api/v1/enterprise/counts", "get_enterprise_counts"),
    ("GET", "/api/v1/children", "list_children"),
    ("POST", "/api/v1/children", "create_child"),
    ("GET", "/api/v1/children/{id}", "get_child"),
    ("POST", "/api/v1/children/{id}/status", "set_child_status"),
    ("POST", "/api/v1/children/{id}/concerns", "raise_child_concern"),
    ("GET", "/api/v1/parenting-activities", "list_parenting_activities"),
    ("POST", "/api/v1/parenting-activities", "create_parenting_activity"),
    ("GET", "/api/v1/parenting-activities/{id}", "get_parenting_activity"),
    ("POST", "/api/v1/parenting-activities/{id}/attendance", "add_parenting_attendance"),
    ("GET", "/api/v1/parenting/counts", "get_parenting_counts"),
    ("GET", "/api/v1/open/indicators", "get_open_indicators"),
    ("GET", "/api/v1/indicators", "get_region_indicators"),
    ("GET", "/api/v1/targets", "list_targets"),
    ("PUT", "/api/v1/targets", "save_target"),
    ("GET", "/api/v1/dhis2/data-value-sets", "get_dhis2_data_value_set"),
    ("GET", "/api/v1/dhis2/data-elements", "list_dhis2_data_elements"),
    ("PUT", "/api/v1/dhis2/data-elements", "save_dhis2_data_elements"),
    ("POST", "/api/v1/dhis2/org-units", "import_dhis2_org_units"),
    ("GET", "/api/v1/cooperatives", "list_cooperatives"),
    ("POST", "/api/v1/cooperatives", "create_cooperative"),
    ("GET", "/api/v1/cooperatives/{id}", "get_cooperative"),
    ("PUT", "/api/v1/cooperatives/{id}/bylaws/{year}", "set_cooperative_bylaws"),
    ("GET", "/api/v1/cooperatives/{id}/members", "list_cooperative_members"),
    ("POST", "/api/v1/cooperatives/{id}/members", "enrol_cooperative_member"),
    ("GET", "/api/v1/cooperatives/{id}/members/{member_id}", "get_cooperative_member"),
    ("POST", "/api/v1/cooperatives/{id}/members/{member_id}/leave", "leave_cooperative"),
    ("POST", "/api/v1/cooperatives/{id}/savings-transactions", "record_savings_transaction"),
    ("GET", "/api/v1/cooperatives/{id}/loans", "list_loans"),
    ("POST", "/api/v1/cooperatives/{id}/loans", "apply_for_loan"),
    ("GET", "/api/v1/cooperatives/{id}/loans/{loan_id}", "get_loan"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/approve", "approve_loan"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/reject", "reject_loan"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/disburse", "disburse_loan"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/write-off", "write_off_loan"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/repayments", "repay_loan"),
    ("GET", "/api/v1/cooperatives/{id}/reports/trial-balance", "get_trial_balance"),
    ("GET", "/api/v1/cooperatives/{id}/reports/balance-sheet", "get_balance_sheet"),
    ("GET", "/api/v1/cooperatives/{id}/reports/income-statement", "get_income_statement"),
    ("POST", "/api/v1/cooperatives/{id}/other-entries", "post_other_entry"),
    ("POST", "/api/v1/cooperatives/{id}/journal/{entry_id}/reversal", "reverse_journal_entry"),
    ("POST", "/api/v1/cooperatives/{id}/period-closes", "close_period"),
    ("POST", "/api/v1/cooperatives/{id}/year-closes", "close_year"),
    ("POST", "/api/v1/cooperatives/{id}/rat", "record_rat"),
    ("GET", "/api/v1/cooperatives/{id}/rat/{year}", "get_rat"),
    ("GET", "/api/v1/cooperatives/{id}/health/{year}", "get_cooperative_health"),
    ("PUT", "/api/v1/cooperatives/{id}/health/{year}/answers", "set_cooperative_health_answers"),
    ("POST", "/api/v1/cooperatives/{id}/health/{year}/record", "record_cooperative_health"),
    // Cash and bank (issue 20, track bank).
    ("GET", "/api/v1/cooperatives/{id}/bank-accounts", "list_bank_accounts"),
    ("POST", "/api/v1/cooperatives/{id}/bank-accounts", "open_bank_account"),
    ("POST", "/api/v1/cooperatives/{id}/bank-transfers", "post_bank_transfer"),
    ("POST", "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/entries", "post_bank_entry"),
    ("GET", "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/book", "get_bank_book"),
    ("POST", "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/statements", "import_bank_statement"),
    ("GET", "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/statement-lines", "list_bank_statement_lines"),
    (
        "POST",
        "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/statement-lines/{line_id}/entry",
        "post_entry_from_statement_line",
    ),
    ("GET", "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/match-suggestions", "list_bank_match_suggestions"),
    (
        "POST",
        "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/match-suggestions/accept",
        "accept_bank_match_suggestions",
    ),
    ("POST", "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/matches", "match_bank_lines"),
    ("DELETE", "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/matches/{statement_line_id}", "unmatch_bank_line"),
    ("GET", "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/reconciliation", "get_bank_reconciliation"),
    ("POST", "/api/v1/cooperatives/{id}/bank-accounts/{bank_id}/reconciliations", "finalise_bank_reconciliation"),
    // Issue 20, loans.
    ("GET", "/api/v1/cooperatives/{id}/loan-settings", "list_loan_settings"),
    ("PUT", "/api/v1/cooperatives/{id}/loan-settings/{year}", "set_loan_settings"),
    ("GET", "/api/v1/cooperatives/{id}/loans/{loan_id}/records", "get_loan_records"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/collateral", "add_loan_collateral"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/guarantors", "add_loan_guarantor"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/reschedules", "propose_loan_reschedule"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/approve", "approve_loan_reschedule"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/reject", "reject_loan_reschedule"),
    ("POST", "/api/v1/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/cancel", "cancel_loan_reschedule"),
    ("GET", "/api/v1/cooperatives/{id}/provision", "get_loan_provision"),
    ("POST", "/api/v1/cooperatives/{id}/loan-month-end", "run_loan_month_end"),
    // Deposits track (issue 20).
    ("GET", "/api/v1/cooperatives/{id}/deposit-settings", "list_deposit_settings"),
    ("PUT", "/api/v1/cooperatives/{id}/deposit-settings/{year}", "set_deposit_settings"),
    ("GET", "/api/v1/cooperatives/{id}/time-deposits", "list_time_deposits"),
    ("POST", "/api/v1/cooperatives/{id}/time-deposits", "open_time_deposit"),
    ("GET", "/api/v1/cooperatives/{id}/time-deposits/{deposit_id}", "get_time_deposit"),
    ("POST", "/api/v1/cooperatives/{id}/time-deposits/{deposit_id}/maturity", "mature_time_deposit"),
    ("POST", "/api/v1/cooperatives/{id}/time-deposits/{deposit_id}/early-withdrawal", "withdraw_time_deposit_early"),
    ("POST", "/api/v1/cooperatives/{id}/month-end", "run_cooperative_month_end"),
    ("GET", "/api/v1/exchange/persons", "sync_persons"),
    ("GET", "/api/v1/exchange/persons/export", "export_persons"),
    ("GET", "/api/v1/exchange/persons/{id}", "get_exchange_person"),
    ("GET", "/api/v1/exchange/episodes", "sync_episodes"),
    ("GET", "/api/v1/exchange/agencies", "sync_agencies"),
    ("GET", "/api/v1/exchange/job-orders", "sync_job_orders"),
    ("GET", "/api/v1/api-clients", "list_api_clients"),
    ("POST", "/api/v1/api-clients", "create_api_client"),
    ("POST", "/api/v1/api-clients/{id}/rotate", "rotate_api_client"),
    ("POST", "/api/v1/api-clients/{id}/revoke", "revoke_api_client"),
    ("GET", "/api/v1/persons/{id}/purpose-consents", "list_purpose_consents"),
    ("POST", "/api/v1/persons/{id}/purpose-consents", "add_purpose_consent"),
    ("PUT", "/api/v1/persons/{id}/restriction", "set_processing_restriction"),
    ("GET", "/api/v1/persons/{id}/corrections", "list_corrections"),
    ("POST", "/api/v1/persons/{id}/corrections", "request_correction"),
    ("GET", "/api/v1/persons/{id}/subject-access", "get_subject_access_report"),
    ("GET", "/api/v1/public/agencies", "search_public_agencies"),
    ("GET", "/api/v1/public/job-orders/{code}", "check_public_job_order"),
    ("GET", "/api/v1/public/missions", "list_public_missions"),
    ("GET", "/api/v1/cases/{id}/htcds", "export_case_htcds"),
    ("GET", "/api/v1/htcds/public-key", "get_htcds_public_key"),
    ("GET", "/api/v1/htcds/partner-keys", "list_htcds_partner_keys"),
    ("POST", "/api/v1/htcds/partner-keys", "register_htcds_partner_key"),
    ("POST", "/api/v1/imports/htcds", "import_htcds"),
    ("POST", "/api/v1/public/broker-reports", "create_public_broker_report"),
    ("GET", "/api/v1/public/broker-reports/{receipt}", "get_public_broker_report_status"),
    ("POST", "/api/v1/public/broker-reports/{receipt}/additions", "add_public_broker_report_information"),
    ("GET", "/api/v1/broker-reports", "list_broker_reports"),
    ("POST", "/api/v1/broker-reports", "create_broker_report"),
    ("GET", "/api/v1/broker-reports/hot-spots", "list_broker_hot_spots"),
    ("GET", "/api/v1/broker-reports/{id}", "get_broker_report"),
    ("POST", "/api/v1/broker-reports/{id}/take", "take_broker_report"),
    ("GET", "/api/v1/brokers", "list_brokers"),
    ("GET", "/api/v1/brokers/{id}", "get_broker"),
    ("POST", "/api/v1/brokers/{id}/episodes", "link_broker_episode"),
    ("POST", "/api/v1/brokers/{id}/cases", "link_broker_case"),
];

/// The operationId for `method` (upper case) on `path`, if the table names one.
pub fn operation_id(method: &str, path: &str) -> Option<&'static str> {
    OPERATION_IDS.iter().find(|(m, p, _)| *m == method && *p == path).map(|(.., id)| *id)
}
