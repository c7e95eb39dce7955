//! National ids, BPJS Ketenagakerjaan membership and Dukcapil verification (issue 19): one
//! operation each, for the pages, the API and the command line alike (docs/NATIONAL_IDS.md).

use crate::App as AppState;
use crate::dukcapil;
use domain::Rule;
use domain::access::{Action, Principal};
use domain::national_ids::{
    self as ni, BpjsFileError, BpjsStatus, ExternalIdKind, IdOwner, SocialSecurity, Verification,
};
use domain::{FieldError, ValidationErrors};
use store::audit::Actor;
pub use store::national_ids::{Check, Membership};
use store::persons::Person;

/// What a person's page and API answer show of national systems. Identity data: empty for a
/// role that does not see NIK numbers.
#[derive(Debug, Clone, Default)]
pub struct PersonNational {
    /// Every person id kind with its value ("" when not recorded).
    pub ids: Vec<(ExternalIdKind, String)>,
    pub membership: Option<Membership>,
    pub check: Option<Check>,
    /// Whether the Dukcapil adapter is configured (the re-check action is offered).
    pub dukcapil_on: bool,
}

impl PersonNational {
    /// The day of the last Dukcapil check on the ministry's clock (WIB), "" when never checked.
    pub fn checked_on(&self) -> String {
        self.check
            .as_ref()
            .and_then(|c| time::OffsetDateTime::from_unix_timestamp(c.checked_at).ok())
            .map(|at| domain::clock::TimeZone::Wib.date_at(at).to_string())
            .unwrap_or_default()
    }

    pub fn id(&self, kind: ExternalIdKind) -> &str {
        self.ids.iter().find(|(k, _)| *k == kind).map_or("", |(_, v)| v.as_str())
    }
}

/// The national records of a person the caller may see (404 otherwise). No audit entry of its
/// own: it is part of the person's view, which the caller audits.
pub async fn of_person(
    state: &AppState,
    principal: &Principal,
    person: &Person,
) -> crate::error::Result<PersonNational> {
    let village = person.village().ok_or(crate::Error::NotFound)?;
    if !principal.can(Action::ViewPerson, Some(&village)) {
        return Err(crate::Error::NotFound);
    }
    if !domain::privacy::fields(principal.role).identity {
        return Ok(PersonNational::default());
    }
    let (stored, membership, check) = store::national_ids::of_person(&state.db, person.id).await?;
    let ids = ExternalIdKind::of(IdOwner::Person)
        .into_iter()
        .map(|k| {
            let v = stored.iter().find(|(kind, _)| kind == k.as_str()).map(|(_, v)| v.clone()).unwrap_or_default();
            (k, v)
        })
        .collect();
    Ok(PersonNational { ids, membership, check, dukcapil_on: state.config.dukcapil.is_some() })
}

/// Sets a person's SIAPkerja registration and ID PMI (a blank value clears it): the caller
/// must edit people in the person's village; a value on another person's record is refused.
pub async fn set_person_ids(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    person_id: i64,
    values: &[(ExternalIdKind, &str)],
) -> crate::error::Result<()> {
    let person = crate::people::editable(state, principal, person_id).await?;
    let ids = ni::validate_external_ids(IdOwner::Person, values)?;
    match store::national_ids::set_person_ids(&state.db, actor, &person, &ids).await? {
        Ok(()) => Ok(()),
        Err(kind) => Err(crate::Error::Invalid(ValidationErrors(vec![
            FieldError::new(kind.as_str(), Rule::Taken, "this id is already recorded on another person")
                .message("msg_key.external_id_taken"),
        ]))),
    }
}

/// Sets an episode's Sisko P2MI and E-KPMI ids with the opening's rules: `None` keeps an id,
/// a blank value clears it.
pub async fn set_episode_ids(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    episode_id: i64,
    sisko_id: Option<&str>,
    ekpmi_id: Option<&str>,
) -> crate::error::Result<()> {
    let (episode, _) = crate::episodes::editable_episode(state, principal, episode_id).await?;
    let ids = ni::validate_external_ids(
        IdOwner::Episode,
        &[
            (ExternalIdKind::SiskoP2mi, sisko_id.unwrap_or(&episode.sisko_id)),
            (ExternalIdKind::EPmi, ekpmi_id.unwrap_or(&episode.ekpmi_id)),
        ],
    )?;
    let value = |k: ExternalIdKind| {
        ids.iter().find(|(kind, _)| *kind == k).and_then(|(_, v)| v.as_ref()).map_or("", |v| v.as_str()).to_string()
    };
    store::national_ids::set_episode_ids(
        &state.db,
        actor,
        &episode,
        &value(ExternalIdKind::SiskoP2mi),
        &value(ExternalIdKind::EPmi),
    )
    .await?;
    Ok(())
}

/// What the risk rules know of a membership row (`None`: no membership recorded).
pub fn social_security(m: Option<&Membership>) -> SocialSecurity {
    let member = m.and_then(|m| {
        Some(SocialSecurity::Member {
            status: BpjsStatus::parse(&m.status)?,
            valid_until: domain::person::parse_date(&m.valid_until)?,
        })
    });
    member.unwrap_or(SocialSecurity::NotRecorded)
}

/// Asks Dukcapil about a record when the adapter is on (`None` when off). Called before any
/// write transaction opens: the wait must not hold the SQLite writer.
pub async fn ask_dukcapil(
    state: &AppState,
    nik: &str,
    full_name: &str,
    birth_date: &str,
    sex: &str,
) -> Option<Verification> {
    let settings = state.config.dukcapil.as_ref()?;
    let request = dukcapil::Request { nik, nama_lgkp: full_name, tgl_lhr: birth_date, jenis_klmin: sex };
    let v = dukcapil::verify(settings, &request).await;
    tracing::info!(outcome = v.status().as_str(), "dukcapil verification");
    Some(v)
}

/// Checks a person's record against Dukcapil again (an officer who edits people there); the
/// outcome replaces the previous one. Refused when the adapter is off.
pub async fn recheck(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    person_id: i64,
) -> crate::error::Result<Check> {
    let person = crate::people::editable(state, principal, person_id).await?;
    let Some(v) = ask_dukcapil(state, &person.nik, &person.full_name, &person.birth_date, &person.sex).await else {
        return Err(crate::Error::Invalid(ValidationErrors(vec![
            FieldError::new("dukcapil", Rule::Mismatch, "Dukcapil verification is not configured on this server")
                .message("msg_key.dukcapil_off"),
        ])));
    };
    Ok(store::national_ids::record_check(&state.db, actor, &person, &v).await?)
}

/// One refused row of a membership import: its spreadsheet row and the field error.
#[derive(Debug, Clone)]
pub struct RowError {
    pub row: u64,
    pub error: FieldError,
}

#[derive(Debug, Clone, Default)]
pub struct BpjsReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
}

/// Imports BPJS Ketenagakerjaan memberships (columns `nik`, `bpjs_number`, `status`,
/// `valid_until`) for people the caller may edit. Each row is its own transaction; a row is
/// refused with its reasons (unknown NIK in the caller's region, a NIK twice in the file, bad
/// values); the same file again changes nothing. The import itself is audited with its counts.
pub async fn import_bpjs(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    data: &[u8],
) -> crate::error::Result<BpjsReport> {
    if !principal.may_ever(Action::EditPerson) {
        return Err(crate::Error::Forbidden);
    }
    let rows = ni::read_bpjs_csv(data).map_err(|e| {
        let err = match e {
            BpjsFileError::Unreadable => {
                FieldError::new("file", Rule::Format, "a CSV file with a header line, in UTF-8")
                    .message("msg_key.bpjs_file_unreadable")
            }
            BpjsFileError::MissingColumns(c) => {
                FieldError::new("file", Rule::Required, format!("missing columns: {}", c.join(", ")))
                    .param("columns", c.join(", "))
                    .message("msg_key.bpjs_file_columns")
            }
        };
        crate::Error::Invalid(ValidationErrors(vec![err]))
    })?;
    let mut report = BpjsReport::default();
    let mut seen: Vec<String> = Vec::new();
    for row in rows {
        let row = match row {
            Ok(r) => r,
            Err(line) => {
                report.errors.push(RowError {
                    row: line,
                    error: FieldError::new("file", Rule::Format, "this row is not UTF-8 text")
                        .message("msg_key.bpjs_row_unreadable"),
                });
                continue;
            }
        };
        match import_row(state, principal, actor, &row, &mut seen).await {
            Ok(store::national_ids::Upsert::Created) => report.created += 1,
            Ok(store::national_ids::Upsert::Updated) => report.updated += 1,
            Ok(store::national_ids::Upsert::Unchanged) => report.unchanged += 1,
            Err(errs) => report.errors.extend(errs.into_iter().map(|error| RowError { row: row.row, error })),
        }
    }
    let details = format!(
        "created={} updated={} unchanged={} rejected_rows={}",
        report.created,
        report.updated,
        report.unchanged,
        report.errors.iter().map(|e| e.row).collect::<std::collections::BTreeSet<_>>().len()
    );
    let ev = store::audit::Event {
        action: "bpjs.import",
        entity: "import",
        entity_id: "bpjs",
        region_code: principal.scope.code().map(|r| r.as_str()).unwrap_or(""),
        details: &details,
    };
    store::audit::append_now(&state.db, actor, &ev).await?;
    Ok(report)
}

async fn import_row(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    row: &ni::BpjsRow,
    seen: &mut Vec<String>,
) -> Result<store::national_ids::Upsert, Vec<FieldError>> {
    let internal = |e: store::StoreError| {
        tracing::error!(error = %e, "store failure during a BPJS import");
        vec![
            FieldError::new("file", Rule::Mismatch, "server error; this row was not saved")
                .message("msg_key.bpjs_row_internal"),
        ]
    };
    let mut errs = Vec::new();
    let nik = row.nik.trim().to_string();
    let nik_ok = nik.len() == 16 && nik.bytes().all(|b| b.is_ascii_digit());
    if !nik_ok {
        errs.push(
            FieldError::new("nik", Rule::Format, "16 digits").digits(16).got(nik.len()).message("msg_key.nik_length"),
        );
    } else if seen.contains(&nik) {
        errs.push(
            FieldError::new("nik", Rule::Taken, "this NIK appears on an earlier row of the file")
                .message("msg_key.bpjs_nik_repeated"),
        );
    }
    let membership = ni::validate_membership(&row.bpjs_number, &row.status, &row.valid_until);
    if let Err(e) = &membership {
        errs.extend(e.0.iter().cloned());
    }
    if nik_ok && !seen.contains(&nik) {
        seen.push(nik.clone());
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let filter = store::persons::Filter { nik: Some(nik), ..Default::default() };
    let person = store::persons::search(&state.db, &filter, 1).await.map_err(internal)?.into_iter().next();
    // Outside the importer's region reads as unknown: the file must not tell who is registered where.
    let person = person.filter(|p| p.village().is_some_and(|v| principal.can(Action::EditPerson, Some(&v))));
    let Some(person) = person else {
        return Err(vec![
            FieldError::new("nik", Rule::UnknownRegion, "no person with this NIK in your region; register them first")
                .message("msg_key.bpjs_nik_unknown"),
        ]);
    };
    let Ok(m) = membership else { return Err(vec![]) };
    store::national_ids::save_membership(&state.db, actor, &person, &m).await.map_err(internal)
}
