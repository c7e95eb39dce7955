//! Data subject rights (UU 27/2022): everything the system holds about a person, gathered for
//! the right of access as JSON and as a PDF report. Producing it is itself audited.

use crate::App as AppState;
use crate::clock::rfc3339;
use crate::i18n::T;
use serde::Serialize;
use store::audit::Actor;
use store::persons::Person;

#[derive(Serialize)]
pub struct AccessEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub details: String,
}

#[derive(Serialize)]
pub struct EpisodeWithEvents {
    pub episode: store::episodes::Episode,
    pub events: Vec<store::episodes::EpisodeEvent>,
}

#[derive(Serialize)]
pub struct CaseSummary {
    pub id: i64,
    pub case_type: String,
    pub status: String,
    pub opened: String,
}

/// The subject-access report.
#[derive(Serialize)]
pub struct SubjectReport {
    pub generated_at: String,
    pub person: Person,
    pub processing_restricted: bool,
    pub restriction_note: String,
    pub relatives: Vec<store::persons::Relative>,
    pub consents: Vec<store::persons::Consent>,
    pub purpose_consents: Vec<store::exchange::PurposeConsent>,
    pub episodes: Vec<EpisodeWithEvents>,
    pub counselling: Vec<store::persons::CounsellingSession>,
    pub cases: Vec<CaseSummary>,
    /// Restricted cases (abuse, trafficking) are counted here; their handler gives details.
    pub restricted_cases: usize,
    pub corrections: Vec<store::exchange::Correction>,
    /// Who viewed, listed, changed or received the record (audit log, newest first).
    pub accesses: Vec<AccessEntry>,
    /// Bulk exports to partners that covered the person's region.
    pub exports: Vec<AccessEntry>,
}

fn entry(e: store::audit::Entry) -> AccessEntry {
    AccessEntry { at: rfc3339(e.at), actor: e.actor, action: e.action, details: e.details }
}

pub async fn gather(state: &AppState, actor: &Actor, p: &Person) -> Result<SubjectReport, store::StoreError> {
    let db = &state.db;
    // Recorded first, so the report lists its own production.
    let ev = store::audit::Event {
        action: "person.subject_access",
        entity: "person",
        entity_id: &p.id.to_string(),
        region_code: &p.village_code,
        details: "",
    };
    store::audit::append_now(db, actor, &ev).await?;
    let (restricted, note) = store::exchange::restriction(db, p.id).await?;
    let mut episodes = vec![];
    for e in store::episodes::for_person(db, p.id).await? {
        let events = store::episodes::events(db, e.id).await?;
        episodes.push(EpisodeWithEvents { episode: e, events });
    }
    let all_cases = store::cases::for_person(db, p.id).await?;
    let restricted_cases = all_cases.iter().filter(|c| c.restricted).count();
    let cases = all_cases
        .into_iter()
        .filter(|c| !c.restricted)
        .map(|c| CaseSummary { id: c.id, case_type: c.case_type, status: c.status, opened: rfc3339(c.created_at) })
        .collect();
    let exports = match p.village() {
        Some(v) => store::exchange::exports_covering(db, &v, 500).await?.into_iter().map(entry).collect(),
        None => vec![],
    };
    Ok(SubjectReport {
        generated_at: rfc3339(store::now()),
        person: p.clone(),
        processing_restricted: restricted,
        restriction_note: note,
        relatives: store::persons::relatives(db, p.id).await?,
        consents: store::persons::consents(db, p.id).await?,
        purpose_consents: store::exchange::purpose_consents(db, p.id).await?,
        episodes,
        counselling: store::persons::counselling(db, p.id).await?,
        cases,
        restricted_cases,
        corrections: store::exchange::corrections(db, p.id).await?,
        accesses: store::exchange::accesses(db, p.id, 2000).await?.into_iter().map(entry).collect(),
        exports,
    })
}

/// The report as a document for the PDF.
pub fn to_report(r: &SubjectReport, t: T) -> reports::Report {
    use reports::{Block, Cell, Table};
    let p = &r.person;
    let mut blocks = vec![
        Block::Text(t.get("privacy.report_intro").to_string()),
        Block::Heading(t.get("privacy.record").to_string()),
        Block::Facts(vec![
            ("NIK".into(), p.nik.clone()),
            (t.get("persons.full_name").into(), p.full_name.clone()),
            (t.get("persons.sex").into(), p.sex.clone()),
            (t.get("persons.birth_date").into(), p.birth_date.clone()),
            (t.get("persons.birth_place").into(), p.birth_place.clone()),
            (t.get("persons.village").into(), p.village_code.clone()),
            (t.get("persons.address").into(), p.address.clone()),
            (t.get("persons.phone").into(), p.phone.clone()),
            (t.get("persons.contact_abroad").into(), p.contact_abroad.clone()),
            (t.get("persons.category").into(), t.category(&p.category).to_string()),
            (
                t.get("privacy.restricted").into(),
                if r.processing_restricted { t.get("common.yes") } else { t.get("common.no") }.into(),
            ),
        ]),
    ];
    let table = |name: &str, columns: &[&str], rows: Vec<Vec<Cell>>| {
        Block::Table(Table {
            name: name.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
            totals: None,
        })
    };
    blocks.push(Block::Heading(t.get("privacy.consents").into()));
    let mut consent_rows: Vec<Vec<Cell>> = r
        .purpose_consents
        .iter()
        .map(|c| vec![c.purpose.clone().into(), c.granted.to_string().into(), c.given_on.clone().into()])
        .collect();
    consent_rows.extend(r.consents.iter().map(|c| {
        vec![
            format!("{} → {}", c.data_scope, c.recipient).into(),
            c.granted.to_string().into(),
            c.given_on.clone().into(),
        ]
    }));
    blocks.push(table(
        "consents",
        &[t.get("privacy.purpose"), t.get("privacy.granted"), t.get("privacy.given_on")],
        consent_rows,
    ));
    blocks.push(Block::Heading(t.get("privacy.episodes").into()));
    let mut ep_rows = vec![];
    for e in &r.episodes {
        for ev in &e.events {
            ep_rows.push(vec![
                Cell::Int(e.episode.id),
                e.episode.destination.clone().into(),
                e.episode.job_type.clone().into(),
                ev.to_state.clone().into(),
                ev.on_date.clone().into(),
            ]);
        }
    }
    blocks.push(table(
        "episodes",
        &["#", t.get("privacy.destination"), t.get("privacy.job"), t.get("privacy.state"), t.get("privacy.date")],
        ep_rows,
    ));
    blocks.push(Block::Heading(t.get("privacy.cases").into()));
    blocks.push(table(
        "cases",
        &["#", t.get("privacy.case_type"), t.get("privacy.state"), t.get("privacy.date")],
        r.cases
            .iter()
            .map(|c| {
                vec![Cell::Int(c.id), c.case_type.clone().into(), c.status.clone().into(), c.opened.clone().into()]
            })
            .collect(),
    ));
    if r.restricted_cases > 0 {
        blocks.push(Block::Text(t.fmt("privacy.restricted_cases", "n", &r.restricted_cases.to_string())));
    }
    blocks.push(Block::Heading(t.get("privacy.corrections").into()));
    blocks.push(table(
        "corrections",
        &[t.get("privacy.fields"), t.get("privacy.description"), t.get("privacy.state")],
        r.corrections
            .iter()
            .map(|c| vec![c.fields.clone().into(), c.description.clone().into(), c.status.clone().into()])
            .collect(),
    ));
    blocks.push(Block::Heading(t.get("privacy.accesses").into()));
    blocks.push(table(
        "accesses",
        &[t.get("privacy.date"), t.get("privacy.actor"), t.get("privacy.action")],
        r.accesses
            .iter()
            .chain(&r.exports)
            .map(|a| vec![a.at.clone().into(), a.actor.clone().into(), a.action.clone().into()])
            .collect(),
    ));
    reports::Report {
        title: t.get("privacy.report_title").into(),
        meta: vec![(t.get("privacy.generated").into(), r.generated_at.clone())],
        blocks,
    }
}
