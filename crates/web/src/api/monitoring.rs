//! Monitoring over the API: open statistics without a token (small counts suppressed), the
//! indicators of a region in the caller's scope, and program targets.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::{Lang, T};
use crate::monitoring::{self as svc, OpenIndicator, RegionError};
use axum::Json;
use axum::extract::{Query, State};
use domain::monitoring::{Period, PeriodError, TargetInput};
use domain::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams, Default)]
pub struct IndicatorQuery {
    /// A province, regency, district or village code; empty or absent for the nation.
    #[serde(default)]
    pub region_code: Option<String>,
    /// First month, YYYY-MM (default 2016-01, the program's launch).
    #[serde(default)]
    pub from: Option<String>,
    /// Last month, YYYY-MM (default: this month). Not before `from`.
    #[serde(default)]
    pub to: Option<String>,
    /// en for English labels (default Indonesian).
    #[serde(default)]
    pub lang: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"region_code": "53.07", "period": "2016-01/2026-05",
    "indicators": [{"key": "persons_registered", "label": "Orang terdaftar", "value": 1520},
                   {"key": "returns", "label": "Kepulangan", "value": "<5"}]}))]
pub struct OpenIndicators {
    pub region_code: String,
    /// The months covered, as an ISO 8601 interval `YYYY-MM/YYYY-MM`. Flows are summed over it;
    /// stocks (villages, people abroad now) are current.
    pub period: String,
    pub indicators: Vec<OpenIndicator>,
}

fn region_api_error(e: RegionError) -> ApiError {
    match e {
        RegionError::BadCode => ApiError::Validation(ValidationErrors::single(
            "region_code",
            Rule::Format,
            "a region code such as 53, 53.07, 53.07.01 or 53.07.01.2001",
        )),
        RegionError::Unknown => ApiError::NotFound("region"),
        RegionError::OutOfScope => ApiError::Forbidden,
        RegionError::Store(e) => e.into(),
    }
}

fn period_api_error(e: PeriodError) -> ApiError {
    let detail = match e {
        PeriodError::EndBeforeStart => "the end month is before the start month".to_string(),
        PeriodError::BadMonth { .. } => "a month such as 2025-01".to_string(),
    };
    ApiError::Validation(ValidationErrors::single(e.field(), Rule::OutOfRange, detail))
}

fn lang_of(q: &IndicatorQuery) -> T {
    T::new(q.lang.as_deref().and_then(Lang::parse).unwrap_or_default())
}

fn period_of(state: &AppState, q: &IndicatorQuery) -> Result<Period, ApiError> {
    svc::parse_period(state, q.from.as_deref(), q.to.as_deref()).map_err(period_api_error)
}

/// Open statistics of the nation, a province or a regency (a district or village is a 422 on
/// `region_code`), without a token, for a month (`from` = `to`), a quarter or a year (January to
/// December; the default is this year); any other range is a 422 naming `from` or `to`. Counts
/// under 11, and complementary cells that would let them be recovered by subtraction, are
/// published as the string "suppressed"; 0 stays 0.
#[utoipa::path(get, path = "/api/v1/open/indicators", tag = "monitoring", params(IndicatorQuery),
    responses((status = 200, body = OpenIndicators), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    Query(q): Query<IndicatorQuery>,
) -> Result<Json<OpenIndicators>, ApiError> {
    let place = svc::place(&state, q.region_code.as_deref().unwrap_or("")).await.map_err(region_api_error)?;
    if !domain::privacy::open_level_allowed(place.code.as_ref().map(|c| c.level())) {
        return Err(ApiError::Validation(ValidationErrors::single(
            "region_code",
            Rule::ScopeLevel,
            "open statistics are published for the nation, provinces and regencies only",
        )));
    }
    let period = svc::open_period(&state, q.from.as_deref(), q.to.as_deref()).map_err(open_period_api_error)?;
    // Read-only: from the replica when there is one (track multi).
    let (reader, _) = state.reader().await;
    // Refreshed as needed inside (`open_figures`).
    let figures = svc::open_figures(&reader, &period).await?;
    Ok(Json(OpenIndicators {
        region_code: place.code_str().to_string(),
        period: svc::open_period_months(&period).to_string(),
        indicators: figures.indicators(lang_of(&q), place.code_str()),
    }))
}

fn open_period_api_error(e: domain::privacy::OpenPeriodError) -> ApiError {
    let (rule, detail) = if e.malformed {
        (Rule::Format, "a month such as 2025-01")
    } else {
        (Rule::OutOfRange, "a month (from = to), a quarter (2026-04 to 2026-06) or a year (2026-01 to 2026-12)")
    };
    ApiError::Validation(ValidationErrors::single(e.field, rule, detail))
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorValue {
    pub key: String,
    pub label: String,
    /// null when undefined (a share without departures, a median without resolved cases).
    pub value: Option<i64>,
    /// count, percent or days.
    pub unit: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct RegionIndicators {
    pub region_code: String,
    pub period: String,
    pub indicators: Vec<IndicatorValue>,
    /// Breakdowns: indicator key → breakdown → value (cohort years, case types, statuses…).
    #[schema(value_type = Object)]
    pub breakdowns: std::collections::BTreeMap<String, std::collections::BTreeMap<String, i64>>,
    /// False when many changes are still being aggregated (figures may lag a few seconds).
    pub fresh: bool,
}

/// Every indicator of a region in the caller's scope, unsuppressed, with breakdowns.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "monitoring", params(IndicatorQuery), security(("bearer" = [])),
    responses((status = 200, body = RegionIndicators), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn region(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<IndicatorQuery>,
) -> Result<Json<RegionIndicators>, ApiError> {
    let place = svc::place_in_scope(&state, &u.principal, q.region_code.as_deref().unwrap_or(""))
        .await
        .map_err(region_api_error)?;
    let period = period_of(&state, &q)?;
    let svc::RegionFigures { indicators, breakdowns, fresh } =
        svc::region_figures(&state, lang_of(&q), &u.principal, &place, &period).await?;
    let indicators: Vec<IndicatorValue> = indicators
        .into_iter()
        .map(|r| IndicatorValue {
            key: r.key.to_string(),
            unit: match r.unit {
                svc::Unit::Count => "count",
                svc::Unit::Percent => "percent",
                svc::Unit::Days => "days",
            },
            label: r.label,
            value: r.value,
        })
        .collect();
    Ok(Json(RegionIndicators {
        region_code: place.code_str().to_string(),
        period: period.to_string(),
        indicators,
        breakdowns,
        fresh,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct TargetView {
    pub id: i64,
    pub year: i64,
    /// Empty for a national target.
    pub region_code: String,
    pub indicator: String,
    pub target: Option<i64>,
    pub historical_actual: Option<i64>,
    pub note: String,
}

impl From<svc::Target> for TargetView {
    fn from(t: svc::Target) -> Self {
        TargetView {
            id: t.id,
            year: t.year,
            region_code: t.region_code,
            indicator: t.indicator,
            target: t.target,
            historical_actual: t.historical_actual,
            note: t.note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TargetList {
    pub items: Vec<TargetView>,
}

/// National program targets and historical totals (every signed-in account may read them).
#[utoipa::path(get, path = "/api/v1/targets", tag = "monitoring", params(IndicatorQuery), security(("bearer" = [])),
    responses((status = 200, body = TargetList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn targets(
    State(state): State<AppState>,
    _u: ApiUser,
    Query(q): Query<IndicatorQuery>,
) -> Result<Json<TargetList>, ApiError> {
    // Blank: the national targets; otherwise the region's own (an invalid code is a 422).
    let region = crate::region_filter::for_api("region_code", q.region_code.as_deref())?.map(|r| r.to_string());
    let items = svc::targets(&state, region.as_deref().unwrap_or("")).await?.into_iter().map(Into::into).collect();
    Ok(Json(TargetList { items }))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"year": 2027, "region_code": "", "indicator": "desmigratif_villages", "target": 100, "note": ""}))]
pub struct TargetBody {
    pub year: Option<i64>,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub indicator: String,
    pub target: Option<i64>,
    pub historical_actual: Option<i64>,
    #[serde(default)]
    pub note: String,
}

/// Sets the target (and/or historical total) of a year and level (national admins). A year
/// before 2016 or more than five years ahead is refused.
#[utoipa::path(put, path = "/api/v1/targets", tag = "monitoring", request_body = TargetBody, security(("bearer" = [])),
    responses((status = 200, body = TargetView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_target(
    State(state): State<AppState>,
    u: ApiUser,
    ApiJson(b): ApiJson<TargetBody>,
) -> Result<Json<TargetView>, ApiError> {
    let input = TargetInput {
        year: b.year,
        region_code: b.region_code,
        indicator: b.indicator,
        target: b.target,
        historical_actual: b.historical_actual,
        note: b.note,
    };
    Ok(Json(svc::save_target(&state, &u.principal, &u.actor, &input).await?.into()))
}
