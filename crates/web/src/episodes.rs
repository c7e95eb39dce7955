//! Migration episodes as pages and API see them: facts gathered from the store, the
//! documents checklist from the requirement matrix, risk flags from the domain rules.

use crate::AppState;
use domain::agency::AgencyStatus;
use domain::person::parse_date;
use domain::service_center::{
    self as sc, AgencyFacts, Category, CostCharge, CostItem, CountryCode, DocumentDraft, DocumentKind, DocumentRecord,
    DocumentStatus, DueAt, EpisodeFacts, EpisodeState, JobType, RiskFlag, Rupiah,
};
use store::episodes::{CostRow, DocumentRow, Episode};

/// One line of the documents checklist.
pub struct ChecklistItem {
    pub kind: DocumentKind,
    pub row: Option<DocumentRow>,
    /// Verified and not expired today.
    pub present: bool,
    pub expired: bool,
    /// Expires within 30 days.
    pub expiring_soon: bool,
}

/// An episode with everything its page, the API and worklists show.
pub struct EpisodeView {
    pub episode: Episode,
    pub state: EpisodeState,
    pub checklist: Vec<ChecklistItem>,
    pub flags: Vec<RiskFlag>,
    pub costs: Vec<CostRow>,
}

pub fn record_of(row: &DocumentRow) -> Option<DocumentRecord> {
    let kind = DocumentKind::parse(&row.kind)?;
    let status = DocumentStatus::parse(&row.status)?;
    let mut d = DocumentDraft::new(kind, status);
    d.number = row.number.clone();
    d.issuer = row.issuer.clone();
    d.issued_on = row.issued_on.as_deref().and_then(parse_date);
    d.expires_on = row.expires_on.as_deref().and_then(parse_date);
    d.village_head_acknowledged = row.village_head_ack;
    DocumentRecord::from_stored(d)
}

fn placement(e: &Episode) -> Option<(Category, CountryCode, JobType)> {
    Some((Category::parse(&e.category)?, CountryCode::parse(&e.destination)?, JobType::parse(&e.job_type)?))
}

/// The documents due for a step (documents_complete, departure, or an extension).
pub fn missing_for(e: &Episode, records: &[DocumentRecord], at: DueAt, today: time::Date) -> Vec<DocumentKind> {
    let Some((cat, dest, job)) = placement(e) else { return vec![] };
    let due = sc::documents_due(&sc::default_matrix(), cat, &dest, &job, at);
    sc::missing_documents(&due, records, today)
}

pub fn has_placement_agreement(records: &[DocumentRecord], today: time::Date) -> bool {
    records.iter().any(|r| r.kind() == DocumentKind::PlacementAgreement && r.status() == DocumentStatus::Verified && r.is_current(today))
}

pub async fn agency_facts(state: &AppState, e: &Episode) -> Result<Option<AgencyFacts>, store::StoreError> {
    Ok(match e.agency_id {
        Some(id) => store::agencies::get(&state.db, id).await?.and_then(|a| {
            Some(AgencyFacts::Registered {
                status: AgencyStatus::parse(&a.status)?,
                licence_valid_until: parse_date(&a.valid_until)?,
            })
        }),
        None if !e.recruiter_name.trim().is_empty() => Some(AgencyFacts::NotInRegistry),
        None => None,
    })
}

/// Assembles the view from rows already loaded (so worklists can batch their queries).
pub fn view(
    episode: Episode,
    birth_date: Option<time::Date>,
    docs: Vec<DocumentRow>,
    costs: Vec<CostRow>,
    agency: Option<AgencyFacts>,
    today: time::Date,
) -> EpisodeView {
    let state = EpisodeState::parse(&episode.state).unwrap_or(EpisodeState::Registered);
    let records: Vec<DocumentRecord> = docs.iter().filter_map(record_of).collect();
    let required = placement(&episode)
        .map(|(c, d, j)| sc::required_documents(&sc::default_matrix(), c, &d, &j))
        .unwrap_or_default();
    let soon = today + time::Duration::days(30);
    let checklist = required
        .iter()
        .map(|kind| {
            let row = docs.iter().find(|d| d.kind == kind.as_str()).cloned();
            let rec = records.iter().find(|r| r.kind() == *kind);
            let present = rec.is_some_and(|r| r.status() == DocumentStatus::Verified && r.is_current(today));
            let expired = rec.is_some_and(|r| r.is_expired(today));
            let expiring_soon = rec.and_then(|r| r.expires_on()).is_some_and(|x| x >= today && x <= soon);
            ChecklistItem { kind: *kind, row, present, expired, expiring_soon }
        })
        .collect();
    let departure = episode.departed_on.as_deref().or(episode.planned_departure.as_deref()).and_then(parse_date);
    let mut facts = EpisodeFacts::new(state);
    facts.category = Category::parse(&episode.category);
    facts.scheme = sc::Scheme::parse(&episode.scheme);
    facts.birth_date = birth_date;
    facts.departure_date = departure;
    facts.agency = agency;
    facts.destination = CountryCode::parse(&episode.destination);
    facts.job_type = JobType::parse(&episode.job_type);
    facts.costs_charged = costs
        .iter()
        .filter_map(|c| Some(CostCharge { item: CostItem::parse(&c.item)?, amount: Rupiah::new(c.amount_rupiah)? }))
        .collect();
    facts.last_contact = episode.last_contact_on.as_deref().and_then(parse_date);
    let on = departure.unwrap_or(today);
    facts.has_placement_agreement = has_placement_agreement(&records, on);
    facts.missing_documents = missing_for(&episode, &records, DueAt::Departure, on);
    let flags = sc::evaluate(&facts, &sc::Policy::default(), today);
    EpisodeView { episode, state, checklist, flags, costs }
}

/// Loads one episode's view.
pub async fn load_view(state: &AppState, episode: Episode, today: time::Date) -> Result<EpisodeView, store::StoreError> {
    let person = store::persons::get(&state.db, episode.person_id).await?;
    let birth = person.as_ref().and_then(|p| parse_date(&p.birth_date));
    let docs = store::episodes::documents(&state.db, &[episode.id]).await?;
    let costs = store::episodes::costs(&state.db, &[episode.id]).await?;
    let agency = agency_facts(state, &episode).await?;
    Ok(view(episode, birth, docs, costs, agency, today))
}
