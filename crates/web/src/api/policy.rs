//! The placement policy, read-only: every account may see the rules its flags and checklists
//! come from. National admins edit it on the `/admin/policy` page.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::policy::{self as svc, BanRow, ExemptionRow, RequirementRow};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct BanView {
    pub id: i64,
    /// ISO 3166-1 alpha-2.
    pub destination: String,
    /// Null: every category.
    pub category: Option<String>,
    /// Null: every job type.
    pub job_type: Option<String>,
    pub legal_source: String,
    pub since: String,
    /// The last day of the ban; null while it stands.
    pub until: Option<String>,
    /// Workers already placed may extend their contracts.
    pub allows_extension: bool,
    /// False when a stored code or date does not parse: the rules ignore the row.
    pub valid: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ExemptionView {
    pub id: i64,
    pub destination: String,
    pub since: String,
    pub until: Option<String>,
    pub legal_source: String,
    pub valid: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ZeroCostView {
    pub legal_source: String,
    /// Placements departing earlier are not judged; null: all are.
    pub effective_from: Option<String>,
    pub job_types: Vec<String>,
    pub cost_items: Vec<String>,
    pub exemptions: Vec<ExemptionView>,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementView {
    pub id: i64,
    pub document: String,
    /// Empty: any.
    pub categories: Vec<String>,
    pub destinations: Vec<String>,
    pub job_types: Vec<String>,
    /// documents_complete or departure
    pub due: String,
    pub valid: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyView {
    /// Days without contact before a worker abroad is flagged.
    pub no_contact_days: i64,
    pub bans: Vec<BanView>,
    pub zero_cost: ZeroCostView,
    /// The documents requirement matrix, in checklist order.
    pub requirements: Vec<RequirementView>,
}

fn split(list: &str) -> Vec<String> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

impl From<&BanRow> for BanView {
    fn from(r: &BanRow) -> Self {
        BanView {
            id: r.id,
            destination: r.destination.clone(),
            category: r.category.clone(),
            job_type: r.job_type.clone(),
            legal_source: r.legal_source.clone(),
            since: r.since.clone(),
            until: r.until.clone(),
            allows_extension: r.allows_extension,
            valid: r.to_entry().is_some(),
        }
    }
}

impl From<&ExemptionRow> for ExemptionView {
    fn from(r: &ExemptionRow) -> Self {
        ExemptionView {
            id: r.id,
            destination: r.destination.clone(),
            since: r.since.clone(),
            until: r.until.clone(),
            legal_source: r.legal_source.clone(),
            valid: r.to_exemption().is_some(),
        }
    }
}

impl From<&RequirementRow> for RequirementView {
    fn from(r: &RequirementRow) -> Self {
        RequirementView {
            id: r.id,
            document: r.document.clone(),
            categories: split(&r.categories),
            destinations: split(&r.destinations),
            job_types: split(&r.job_types),
            due: r.due.clone(),
            valid: r.to_requirement().is_some(),
        }
    }
}

/// The placement policy as stored: bans, the zero-cost rule, the no-contact threshold and the
/// documents requirement matrix, with row ids. Any account.
#[utoipa::path(get, path = "/api/v1/policy", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = PolicyView), (status = 401, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, _u: ApiUser) -> Result<Json<PolicyView>, ApiError> {
    let rows = svc::rows(&state).await?;
    // Settings as the rules read them (defaults for missing or unreadable values).
    let loaded = svc::as_rules(&rows);
    let zc = &loaded.policy.zero_cost;
    Ok(Json(PolicyView {
        no_contact_days: loaded.policy.no_contact_days,
        bans: rows.bans.iter().map(BanView::from).collect(),
        zero_cost: ZeroCostView {
            legal_source: zc.legal_source.clone(),
            effective_from: zc.effective_from.map(|d| d.to_string()),
            job_types: rows.job_types.clone(),
            cost_items: rows.cost_items.clone(),
            exemptions: rows.exemptions.iter().map(ExemptionView::from).collect(),
        },
        requirements: rows.requirements.iter().map(RequirementView::from).collect(),
    }))
}
