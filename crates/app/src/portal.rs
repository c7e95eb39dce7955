//! The public portal as a service shared by its pages and its API: agency checks and job code
//! checks. Nothing here needs an account and nothing returns personal data.

use crate::App as AppState;
use domain::portal::{JobCode, clean_query};
pub use store::job_orders::JobOrder;
pub use store::portal::PublicAgency;

/// Agencies matching a name (every word, spelling-tolerant) or a licence number, whole or by
/// complete parts whatever the punctuation; at most 20.
pub async fn find_agencies(state: &AppState, raw: &str) -> Result<Vec<PublicAgency>, store::StoreError> {
    Ok(check_agency(state, raw).await?.hits)
}

/// What the public agency check found: the agencies that match, or, when none does, the
/// registered ones a letter or two away ("did you mean …?"), nearest first.
#[derive(Debug, Default)]
pub struct AgencyCheck {
    pub hits: Vec<PublicAgency>,
    pub suggestions: Vec<PublicAgency>,
}

pub async fn check_agency(state: &AppState, raw: &str) -> Result<AgencyCheck, store::StoreError> {
    let q = clean_query(raw);
    if q.chars().count() < 2 {
        return Ok(AgencyCheck::default());
    }
    let keys: Vec<String> = crate::people::name_keys(&q).into_iter().take(6).collect();
    let mut hits = store::portal::search_agencies(&state.db, &q, &keys, 20).await?;
    let registry = store::portal::all_agencies(&state.db).await?;
    for a in &registry {
        if hits.len() >= 20 {
            break;
        }
        if !hits.iter().any(|h| h.id == a.id) && domain::portal::licence_matches(&q, &a.licence_number) {
            hits.push(a.clone());
        }
    }
    let mut suggestions = Vec::new();
    if hits.is_empty() {
        let mut near: Vec<(usize, &PublicAgency)> = registry
            .iter()
            .filter_map(|a| domain::portal::agency_nearness(&q, &a.name, &a.licence_number).map(|d| (d, a)))
            .collect();
        near.sort_by(|x, y| x.0.cmp(&y.0).then_with(|| x.1.name.cmp(&y.1.name)));
        suggestions = near.into_iter().take(5).map(|(_, a)| a.clone()).collect();
    }
    Ok(AgencyCheck { hits, suggestions })
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

pub use store::portal::Mission;

/// Public job offers open today (optionally to one destination), newest first, a page of
/// `limit` after `before`; with the `before` of the next page when there is one.
pub async fn public_jobs(
    state: &AppState,
    destination: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<JobOrder>, Option<i64>), store::StoreError> {
    let today = state.today().to_string();
    let ids = store::portal::public_jobs(&state.db, &today, destination, before, limit + 1).await?;
    let next = (ids.len() as i64 > limit).then(|| ids[limit as usize - 1]);
    let mut jobs = Vec::new();
    for id in ids.into_iter().take(limit as usize) {
        if let Some(jo) = store::job_orders::get(&state.db, id).await? {
            jobs.push(jo);
        }
    }
    Ok((jobs, next))
}

/// Missions abroad (embassies, consulates), by country.
pub async fn missions(state: &AppState) -> Result<Vec<Mission>, store::StoreError> {
    store::portal::missions(&state.db, None).await
}

/// Regions whose name matches `query`, as (code, "name — ancestors") to choose from.
pub async fn region_choices(state: &AppState, query: &str) -> Result<Vec<(String, String)>, store::StoreError> {
    let mut out = Vec::new();
    for h in store::regions::search(&state.db, query, None, None, 15).await? {
        let mut path = h.path.clone();
        path.reverse();
        let label =
            if path.is_empty() { h.region.name.clone() } else { format!("{} — {}", h.region.name, path.join(", ")) };
        out.push((h.region.code.clone(), label));
    }
    Ok(out)
}

/// A Desmigratif village service center: its village, where it lies, since when.
pub struct Center {
    pub name: String,
    /// The ancestors' names, nearest first.
    pub path: String,
    pub since: Option<i32>,
}

/// The service centers of a region, or of the nearest larger area that has some.
pub struct Centers {
    pub region_name: String,
    /// The larger area's name when the region itself has none.
    pub widened: String,
    pub centers: Vec<Center>,
}

pub async fn service_centers(state: &AppState, code: &domain::RegionCode) -> Result<Centers, store::StoreError> {
    let lineage = store::regions::lineage(&state.db, code).await?;
    let mut out = Centers {
        region_name: lineage.last().map(|r| r.name.clone()).unwrap_or_default(),
        widened: String::new(),
        centers: vec![],
    };
    for area in lineage.iter().rev() {
        let Ok(ac) = area.code.parse::<domain::RegionCode>() else { continue };
        let found = store::programs::program_villages(&state.db, domain::program::DESMIGRATIF, Some(&ac), 50).await?;
        if found.is_empty() {
            continue;
        }
        if area.code != code.as_str() {
            out.widened = area.name.clone();
        }
        let mut anc: Vec<String> = found
            .iter()
            .filter_map(|v| v.code.parse::<domain::RegionCode>().ok())
            .flat_map(|c| c.lineage().into_iter().rev().skip(1).map(|a| a.to_string()))
            .collect();
        anc.sort();
        anc.dedup();
        let names = store::regions::by_codes(&state.db, &anc).await?;
        for v in found {
            let path = v
                .code
                .parse::<domain::RegionCode>()
                .map(|c| {
                    c.lineage()
                        .iter()
                        .rev()
                        .skip(1)
                        .filter_map(|a| names.iter().find(|n| n.code == a.as_str()).map(|n| n.name.clone()))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            out.centers.push(Center { name: v.name, path, since: v.since_year });
        }
        break;
    }
    Ok(out)
}
