//! The OpenSID bridge (docs/OPENSID.md): a village's "Data Penduduk" workbook imported into
//! one village, and the village's migrant workers exported back with OpenSID's column names
//! and `pekerja_migran` values, with the migrant statistics.
//!
//! The import reuses registration (`people::register`: the same validation, scope check and
//! duplicate-NIK privacy, one audited transaction per created person) and its refusal of a
//! NIK already on record (`people::duplicate_nik`). A known person is only completed: fields
//! empty on our record are filled, nothing is overwritten. A dry run plans the same and
//! writes nothing, so the page can preview before confirming.

use crate::App as AppState;
pub use crate::error::Error;
use crate::error::Result;
use crate::people::{self, RegisterError};
use domain::access::{Action, Principal};
use domain::nik::RegionLookup;
use domain::opensid::{self as os, Cell, Fill, Header, HeaderError, OpenSidRow};
use domain::person::{NewPersonInput, PersonRejection, validate_new_person};
use domain::{FieldError, RegionCode, Rule, ValidationErrors};
use std::collections::HashMap;
use store::audit::Actor;

/// Largest workbook accepted (API and page): about 100 000 residents.
pub const MAX_WORKBOOK: usize = 20 * 1024 * 1024;

/// A refused row (or, on row 1, an unknown column): the spreadsheet row number (the header is
/// row 1) and the refusal, its field named as OpenSID's column.
#[derive(Debug, Clone)]
pub struct RowError {
    pub row: u32,
    pub error: FieldError,
}

/// What happens (or would happen, in a dry run) to one data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// A known person: these fields were empty on our record and are filled.
    Updated(Vec<&'static str>),
    Unchanged,
    Refused,
}

/// One data row as the preview shows it.
#[derive(Debug, Clone)]
pub struct RowPlan {
    pub row: u32,
    pub nik: String,
    pub name: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
    pub rows: Vec<RowPlan>,
    pub unknown_columns: Vec<String>,
}

impl Report {
    pub fn refused(&self) -> usize {
        self.rows.iter().filter(|r| r.outcome == Outcome::Refused).count()
    }
}

fn file_error(rule: Rule, detail: &str, key: &str) -> ValidationErrors {
    ValidationErrors::single("file", rule, detail).message(key)
}

/// The workbook's "Data Penduduk" sheet, row by row with their spreadsheet row numbers.
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<(u32, Vec<Cell>)>> {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|_| Error::Invalid(file_error(Rule::Format, "not an .xlsx workbook", "opensid.not_workbook")))?;
    let names = book.sheet_names();
    if !names.iter().any(|n| n == os::SHEET) {
        let listed = if names.is_empty() { "-".to_string() } else { names.join(", ") };
        return Err(Error::Invalid(
            ValidationErrors::single("file", Rule::Required, format!("no sheet \"{}\"; sheets: {listed}", os::SHEET))
                .with("sheets", listed)
                .message("opensid.no_sheet"),
        ));
    }
    let range = book
        .worksheet_range(os::SHEET)
        .map_err(|_| Error::Invalid(file_error(Rule::Format, "the sheet cannot be read", "opensid.not_workbook")))?;
    let first_row = range.start().map(|(r, _)| r).unwrap_or(0);
    let cell = |d: &Data| match d {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "1" } else { "0" }.into()),
        Data::DateTime(dt) => os::excel_serial(dt.as_f64()).map(Cell::Date).unwrap_or(Cell::Empty),
    };
    Ok(range.rows().enumerate().map(|(i, r)| (first_row + i as u32 + 1, r.iter().map(cell).collect())).collect())
}

/// May this principal import into this village? Asked before the body is read.
pub fn may_import(principal: &Principal, village: &RegionCode) -> Result<()> {
    if principal.can(Action::EditPerson, Some(village)) { Ok(()) } else { Err(Error::Forbidden) }
}

/// A row's refusals, fields renamed to OpenSID's columns.
fn refusals(row: u32, errs: impl IntoIterator<Item = FieldError>, out: &mut Vec<RowError>) {
    for mut e in errs {
        e.field = os::column_for(&e.field).to_string();
        out.push(RowError { row, error: e });
    }
}

fn input<'a>(r: &'a OpenSidRow, village: &'a str) -> NewPersonInput<'a> {
    NewPersonInput {
        nik: &r.nik,
        kk_number: &r.kk_number,
        full_name: &r.full_name,
        sex: &r.sex,
        birth_date: &r.birth_date,
        birth_place: &r.birth_place,
        village_code: village,
        address: &r.address,
        phone: &r.phone,
        contact_abroad: "",
        category: r.migrant.category().as_str(),
        // Village records come from Dukcapil's register: a NIK whose date or region part
        // disagrees is kept with its warnings for later verification, as an officer would.
        confirm_warnings: true,
    }
}

/// Imports (or, with `dry_run`, plans) a workbook into `village`: one door for the API, the
/// page and the command line. Rows are handled in order; each write is its own audited
/// transaction, and one summary entry records the import (counts, no personal data).
pub async fn import_opensid(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    village: &RegionCode,
    bytes: &[u8],
    dry_run: bool,
) -> Result<Report> {
    may_import(principal, village)?;
    let regions = state.region_index().await?;
    if !regions.exists(village.as_str()) {
        return Err(Error::Invalid(ValidationErrors::single("village_code", Rule::UnknownRegion, "no such village")));
    }
    let rows = read_workbook(bytes)?;
    let mut rows = rows.into_iter();
    let Some((header_row, header_cells)) = rows.next() else {
        return Err(Error::Invalid(file_error(Rule::Required, "the sheet is empty", "opensid.empty")));
    };
    let header = Header::parse(&header_cells).map_err(|e| {
        Error::Invalid(match e {
            HeaderError::MissingColumns(c) => ValidationErrors::single(
                "file",
                Rule::Required,
                format!("columns missing from row 1: {}", c.join(", ")),
            )
            .with("columns", c.join(", "))
            .message("opensid.missing_columns"),
            HeaderError::DuplicateColumn(c) => {
                ValidationErrors::single("file", Rule::Taken, format!("the column {c} appears twice in row 1"))
                    .with("columns", c)
                    .message("opensid.duplicate_column")
            }
        })
    })?;
    let mut report = Report { dry_run, unknown_columns: header.unknown.clone(), ..Report::default() };
    for c in &header.unknown {
        report.errors.push(RowError {
            row: header_row,
            error: FieldError::new(c, Rule::OneOf, "not an OpenSID column: ignored")
                .message("opensid.unknown_column")
                .param("column", c),
        });
    }
    let today = state.clock.today_in(village);
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (row, cells) in rows {
        if os::is_end_marker(&cells) {
            break;
        }
        if os::is_blank_row(&cells) {
            continue;
        }
        let mapped = os::map_row(&header, &cells);
        let (nik, name) = match &mapped {
            Ok(r) => (r.nik.clone(), r.full_name.clone()),
            Err(_) => (String::new(), String::new()),
        };
        let mut plan = RowPlan { row, nik, name, outcome: Outcome::Refused };
        let outcome = match mapped {
            Err(errs) => {
                refusals(row, errs, &mut report.errors);
                Outcome::Refused
            }
            Ok(r) => {
                if let Some(first) = seen.get(&r.nik) {
                    let e = FieldError::new("nik", Rule::Taken, format!("this NIK is already on row {first}"))
                        .message("opensid.nik_twice")
                        .param("first", first);
                    refusals(row, [e], &mut report.errors);
                    Outcome::Refused
                } else {
                    seen.insert(r.nik.clone(), row);
                    one_row(state, principal, actor, village, &r, row, today, dry_run, &mut report.errors).await?
                }
            }
        };
        match &outcome {
            Outcome::Created => report.created += 1,
            Outcome::Updated(_) => report.updated += 1,
            Outcome::Unchanged => report.unchanged += 1,
            Outcome::Refused => {}
        }
        plan.outcome = outcome;
        report.rows.push(plan);
    }
    if !dry_run {
        let details = format!(
            "source=opensid rows={} created={} updated={} unchanged={} refused={}",
            report.rows.len(),
            report.created,
            report.updated,
            report.unchanged,
            report.refused()
        );
        let ev = store::audit::Event {
            action: "person.import",
            entity: "import",
            entity_id: "opensid",
            region_code: village.as_str(),
            details: &details,
        };
        store::audit::append_now(&state.db, actor, &ev).await?;
    }
    Ok(report)
}

/// One mapped row: a known NIK is completed (or left unchanged), a new one registered.
#[allow(clippy::too_many_arguments)]
async fn one_row(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    village: &RegionCode,
    r: &OpenSidRow,
    row: u32,
    today: time::Date,
    dry_run: bool,
    errors: &mut Vec<RowError>,
) -> Result<Outcome> {
    let filter = store::persons::Filter { nik: Some(r.nik.clone()), ..Default::default() };
    if let Some(existing) = store::persons::search(&state.db, &filter, 1).await?.into_iter().next() {
        let editable = existing.village().is_some_and(|v| principal.can(Action::EditPerson, Some(&v)));
        if !editable {
            // The same answer registration gives: nothing about a record outside one's sight.
            refusals(row, people::duplicate_nik(principal, existing.id, &existing.village_code).0, errors);
            return Ok(Outcome::Refused);
        }
        let fill = Fill::between(
            r,
            existing.kk_number.as_deref().unwrap_or(""),
            &existing.birth_place,
            &existing.address,
            &existing.phone,
        );
        if fill.is_empty() {
            return Ok(Outcome::Unchanged);
        }
        if dry_run {
            return Ok(Outcome::Updated(fill.fields()));
        }
        let f = store::opensid::Fill {
            kk_number: fill.kk_number.as_deref(),
            birth_place: fill.birth_place.as_deref(),
            address: fill.address.as_deref(),
            phone: fill.phone.as_deref(),
        };
        return Ok(match store::opensid::fill_empty(&state.db, actor, existing.id, &f).await? {
            Some(_) => Outcome::Updated(fill.fields()),
            None => Outcome::Unchanged,
        });
    }
    let input = input(r, village.as_str());
    if dry_run {
        let regions = state.region_index().await?;
        return Ok(match validate_new_person(&input, regions.as_ref(), today) {
            Ok(_) => Outcome::Created,
            Err(PersonRejection::Invalid(e)) => {
                refusals(row, e.0, errors);
                Outcome::Refused
            }
            // Not with confirm_warnings set; kept for completeness.
            Err(PersonRejection::UnconfirmedWarnings(_)) => Outcome::Created,
        });
    }
    Ok(match people::register(state, principal, actor, &input).await {
        Ok(_) => Outcome::Created,
        Err(RegisterError::Invalid(e)) => {
            refusals(row, e.0, errors);
            Outcome::Refused
        }
        Err(RegisterError::Forbidden) => return Err(Error::Forbidden),
        Err(RegisterError::Unconfirmed(_)) => Outcome::Refused,
        Err(RegisterError::Store(e)) => return Err(e.into()),
    })
}

/// The village's migrant workers as OpenSID's columns (the fields the role may not see left
/// blank) and their statistics.
pub struct Export {
    pub village: RegionCode,
    pub rows: Vec<Vec<String>>,
    pub stats: os::MigrantStats,
}

async fn migrants(
    state: &AppState,
    principal: &Principal,
    village: &RegionCode,
) -> Result<(Vec<store::opensid::Migrant>, os::MigrantStats)> {
    if !principal.can(Action::ViewPerson, Some(village)) {
        return Err(Error::Forbidden);
    }
    let migrants = store::opensid::migrants(&state.db, village.as_str()).await?;
    let stats = os::migrant_stats(migrants.iter().filter_map(|m| {
        Some(os::MigrantFacts {
            category: domain::person::PersonCategory::parse(&m.person.category)?,
            sex: &m.person.sex,
            destination: m.destination.as_deref(),
            departed_on: m.departed_on.as_deref(),
        })
    }));
    Ok((migrants, stats))
}

/// The village's migrant statistics (counts only, no record shown: not a view of personal
/// data), to whoever may view the village's people.
pub async fn migrant_statistics(
    state: &AppState,
    principal: &Principal,
    village: &RegionCode,
) -> Result<os::MigrantStats> {
    Ok(migrants(state, principal, village).await?.1)
}

/// The village's migrant workers, for the export workbook: the same
/// scope as viewing those persons, and one audit entry naming every record included.
pub async fn export_opensid(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    village: &RegionCode,
) -> Result<Export> {
    let (migrants, stats) = migrants(state, principal, village).await?;
    if !migrants.is_empty() {
        let ids: Vec<String> = migrants.iter().map(|m| m.person.id.to_string()).collect();
        let ev = store::audit::Event {
            action: "person.export",
            entity: "person",
            entity_id: &ids.join(","),
            region_code: village.as_str(),
            details: &format!("format=opensid results={}", ids.len()),
        };
        store::audit::append_now(&state.db, actor, &ev).await?;
    }
    let rows = migrants
        .into_iter()
        .map(|m| {
            let category = domain::person::PersonCategory::parse(&m.person.category);
            let p = people::redact(principal, m.person);
            let sex = match p.sex.as_str() {
                "L" => "1",
                "P" => "2",
                _ => "",
            };
            vec![
                p.nik,
                p.kk_number.unwrap_or_default(),
                p.full_name,
                sex.to_string(),
                p.birth_place,
                p.birth_date,
                // Our address is one line (alamat, RT/RW, dusun composed): it goes back whole.
                p.address,
                String::new(),
                String::new(),
                String::new(),
                p.phone,
                category.map(os::migrant_value).unwrap_or(os::NOT_MIGRANT).to_string(),
            ]
        })
        .collect();
    Ok(Export { village: village.clone(), rows, stats })
}

/// The export as a workbook: "Data Penduduk" (OpenSID's columns) and the statistics sheet,
/// its headings in `t`'s language.
pub fn export_workbook(t: crate::i18n::T, e: &Export) -> Result<Vec<u8>> {
    use reports::{Cell as C, PlainSheet};
    let data = PlainSheet {
        name: os::SHEET,
        header: os::EXPORT_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: e.rows.iter().map(|r| r.iter().map(|v| C::Text(v.clone())).collect()).collect(),
    };
    let mut stat_rows = Vec::new();
    for (title, list, kind) in stat_sections(&e.stats) {
        for (key, n) in list {
            stat_rows.push(vec![
                C::Text(t.get(title).to_string()),
                C::Text(stat_label(t, kind, key)),
                C::Int(*n as i64),
            ]);
        }
    }
    let stats = PlainSheet {
        name: os::STATS_SHEET,
        header: vec![
            t.get("opensid.stat_by").into(),
            t.get("opensid.stat_value").into(),
            t.get("opensid.stat_count").into(),
        ],
        rows: stat_rows,
    };
    reports::sheets_to_xlsx(&[data, stats])
        .map_err(|e| Error::Store(store::StoreError::Io(std::io::Error::other(e.to_string()))))
}

/// What a statistics list counts: how its keys are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatKind {
    Status,
    Sex,
    Destination,
    Year,
}

/// The statistics' sections: catalogue key of the title, the list, and what it counts.
pub fn stat_sections(s: &os::MigrantStats) -> [(&'static str, &Vec<(String, usize)>, StatKind); 4] {
    [
        ("opensid.stat_status", &s.by_status, StatKind::Status),
        ("opensid.stat_sex", &s.by_sex, StatKind::Sex),
        ("opensid.stat_destination", &s.by_destination, StatKind::Destination),
        ("opensid.stat_year", &s.by_departure_year, StatKind::Year),
    ]
}

/// A statistics key as shown: a sex or country by its name, "not recorded" for an empty key.
pub fn stat_label(t: crate::i18n::T, kind: StatKind, key: &str) -> String {
    if key.is_empty() {
        return t.get("opensid.not_recorded").to_string();
    }
    match kind {
        StatKind::Sex => t.get(&format!("opensid.sex_{key}")).to_string(),
        StatKind::Destination => t.country(key).to_string(),
        StatKind::Status | StatKind::Year => key.to_string(),
    }
}

/// A row refusal's sentence in `lang`, the field named by its OpenSID column.
pub fn message(lang: crate::i18n::Lang, e: &FieldError) -> String {
    crate::i18n::field_message_labelled(lang, e, &e.field)
}
