//! The public portal as a service shared by its pages and its API: agency checks and job code
//! checks. Nothing here needs an account and nothing returns personal data.

use crate::App as AppState;
use domain::portal::{JobCode, clean_query};
use store::job_orders::JobOrder;
use store::portal::PublicAgency;

/// Agencies matching a name (every word, spelling-tolerant) or a licence number; at most 20.
pub async fn find_agencies(state: &AppState, raw: &str) -> Result<Vec<PublicAgency>, store::StoreError> {
    let q = clean_query(raw);
    if q.chars().count() < 2 {
        return Ok(vec![]);
    }
    let keys: Vec<String> = crate::people::name_keys(&q).into_iter().take(6).collect();
    store::portal::search_agencies(&state.db, &q, &keys, 20).await
}

/// The job order with this public code, with its agency's licence number; `None` for a code
/// that does not parse or is unknown.
pub async fn job_by_code(
    state: &AppState,
    raw: &str,
) -> Result<Option<(JobCode, JobOrder, String)>, store::StoreError> {
    let Some(code) = JobCode::parse(raw) else { return Ok(None) };
    let Some(jo) = store::portal::job_by_code(&state.db, &code).await? else { return Ok(None) };
    let licence = store::agencies::get(&state.db, jo.agency_id).await?.map(|a| a.licence_number).unwrap_or_default();
    Ok(Some((code, jo, licence)))
}

/// The QR code of a job order's portal address, as SVG.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}
