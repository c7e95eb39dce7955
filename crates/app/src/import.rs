//! CSV import of people, shared by the import page and the `import persons` command.
//!
//! Every row is checked exactly as the registration form checks it (`people::register`): the
//! same validation, the same scope check, the same duplicate rule and the same care not to
//! reveal what lies outside the importer's region. Rows are written in batches, each its own
//! transaction with one audit entry (valid rows are kept whatever happens to the others; a
//! bad row is reported and never holds back its batch). A row whose NIK is already registered, within the
//! importer's sight, with the same data counts as already registered, so importing a file
//! again creates nothing twice.

use crate::App as AppState;
use crate::i18n::T;
use crate::people::{self, RegisterError};
use domain::access::{Action, Principal};
use domain::import::{BATCH_ROWS, ImportFile, ImportRow, Record, RowError};
use domain::nik::NikIssue;
use domain::person::{NewPerson, NewPersonInput, PersonRejection, validate_new_person};
use domain::{FieldError, Rule};
use std::collections::HashMap;
use store::audit::Actor;
use store::persons::Person;

/// Why a row was not saved.
#[derive(Debug, Clone)]
pub enum Problem {
    /// The row could not be read as a row of the file.
    Row(RowError),
    /// A field rule of the form (including "NIK already registered" and "outside your region").
    Field(FieldError),
    /// Only NIK warnings, and the importer did not accept rows with warnings.
    Warnings(Vec<NikIssue>),
    /// A storage failure: the row was not saved and may be imported again.
    Internal,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Created(i64),
    AlreadyRegistered(i64),
    Rejected(Vec<Problem>),
}

/// A rejected row: where it is, its fields as written (for the download) and why.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub line: u64,
    pub nik: String,
    pub fields: Vec<String>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Data rows in the file.
    pub total: usize,
    pub processed: usize,
    pub created: usize,
    /// Already registered with the same data: skipped.
    pub skipped: usize,
    pub rejected: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub counts: Counts,
    pub rejected: Vec<Rejected>,
}

fn input(row: &ImportRow, confirm_warnings: bool) -> NewPersonInput<'_> {
    NewPersonInput {
        nik: &row.nik,
        kk_number: &row.kk_number,
        full_name: &row.full_name,
        sex: &row.sex,
        birth_date: &row.birth_date,
        birth_place: &row.birth_place,
        village_code: &row.village_code,
        phone: &row.phone,
        confirm_warnings,
        ..Default::default()
    }
}

/// The fields an import carries, compared with the stored record.
fn same_data(new: &NewPerson, p: &Person) -> bool {
    p.full_name == new.full_name
        && p.sex == new.sex.as_str()
        && p.birth_date == new.birth_date.to_string()
        && p.birth_place == new.birth_place
        && p.village_code == new.village_code.as_str()
        && p.kk_number.as_deref() == new.kk_number.as_ref().map(|k| k.as_str())
        && p.phone == new.phone
}

/// The id of a record this principal may see that holds the row's NIK and the same data.
async fn already_registered(state: &AppState, principal: &Principal, row: &ImportRow) -> Option<i64> {
    let regions = state.region_index().await.ok()?;
    // Warnings were either kept on the record or the row differs: compare the values alone.
    let new = validate_new_person(&input(row, true), regions.as_ref(), state.today()).ok()?;
    let filter = store::persons::Filter { nik: Some(new.nik.as_str().to_string()), ..Default::default() };
    let existing = store::persons::search(&state.db, &filter, 1).await.ok()?.into_iter().next()?;
    let visible = existing.village().is_some_and(|v| principal.can(Action::ViewPerson, Some(&v)));
    (visible && same_data(&new, &existing)).then_some(existing.id)
}

/// Imports one row: registered, already there, or rejected with every reason.
pub async fn import_row(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    row: &ImportRow,
    confirm_warnings: bool,
) -> Outcome {
    match people::register(state, principal, actor, &input(row, confirm_warnings)).await {
        Ok(p) => Outcome::Created(p.id),
        Err(RegisterError::Forbidden) => Outcome::Rejected(vec![Problem::Field(domain::FieldError::new(
            "village_code",
            Rule::Mismatch,
            "your role does not register people",
        ))]),
        Err(RegisterError::Invalid(e)) => {
            let taken = e.0.iter().any(|f| f.field == "nik" && f.rule == Rule::Taken);
            if taken && let Some(id) = already_registered(state, principal, row).await {
                return Outcome::AlreadyRegistered(id);
            }
            Outcome::Rejected(e.0.into_iter().map(Problem::Field).collect())
        }
        Err(RegisterError::Unconfirmed(w)) => match already_registered(state, principal, row).await {
            Some(id) => Outcome::AlreadyRegistered(id),
            None => Outcome::Rejected(vec![Problem::Warnings(w)]),
        },
        Err(RegisterError::Store(e)) => {
            tracing::error!(error = %e, "store failure during import");
            Outcome::Rejected(vec![Problem::Internal])
        }
    }
}

/// Imports every row of the file in order, calling `progress` after each batch, then records
/// the import (its counts, no personal data) in the audit log. `id` names the import there.
///
/// Rows are validated one by one with the registration form's rules and written
/// [`BATCH_ROWS`] at a time: one transaction per batch, one duplicate query per batch, and one
/// audit entry per batch naming its rows' lines and ids and the SHA-256 of those rows. When
/// Dukcapil is configured each row is registered on its own instead (it is asked about each
/// person before their transaction), as is every row of a role that never registers people.
pub async fn run(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    file: &ImportFile,
    confirm_warnings: bool,
    id: &str,
    mut progress: impl FnMut(&Counts) + Send,
) -> Report {
    let mut report = Report { counts: Counts { total: file.row_count(), ..Counts::default() }, rejected: vec![] };
    let batched = state.config.dukcapil.is_none() && principal.may_ever(Action::EditPerson);
    let mut retired = RetiredCache::default();
    let mut records = file.records();
    loop {
        let batch: Vec<Record> = records.by_ref().take(if batched { BATCH_ROWS } else { 1 }).collect();
        if batch.is_empty() {
            break;
        }
        let outcomes = if batched {
            import_batch(state, principal, actor, &batch, confirm_warnings, id, &mut retired).await
        } else {
            let mut v = Vec::with_capacity(batch.len());
            for r in &batch {
                v.push(match &r.row {
                    Ok(row) => import_row(state, principal, actor, row, confirm_warnings).await,
                    Err(e) => Outcome::Rejected(vec![Problem::Row(e.clone())]),
                });
            }
            v
        };
        for (Record { line, fields, .. }, outcome) in batch.into_iter().zip(outcomes) {
            let c = &mut report.counts;
            c.processed += 1;
            match outcome {
                Outcome::Created(_) => c.created += 1,
                Outcome::AlreadyRegistered(_) => c.skipped += 1,
                Outcome::Rejected(problems) => {
                    c.rejected += 1;
                    let nik = file.value(&fields, "nik").to_string();
                    report.rejected.push(Rejected { line, nik, fields, problems });
                }
            }
        }
        progress(&report.counts);
    }
    let c = report.counts;
    let details = format!(
        "rows={} created={} already_registered={} rejected={}{}",
        c.total,
        c.created,
        c.skipped,
        c.rejected,
        if confirm_warnings { " warnings_accepted" } else { "" }
    );
    let ev = store::audit::Event {
        action: "person.import",
        entity: "import",
        entity_id: id,
        region_code: principal.scope.code().map(|r| r.as_str()).unwrap_or(""),
        details: &details,
    };
    if let Err(e) = store::audit::append_now(&state.db, actor, &ev).await {
        tracing::error!(error = %e, "could not audit an import");
    }
    tracing::info!(
        rows = c.total,
        created = c.created,
        skipped = c.skipped,
        rejected = c.rejected,
        "person import done"
    );
    report
}

/// Whether a village code is retired, asked of the database once per code per import.
#[derive(Default)]
struct RetiredCache(HashMap<String, Option<FieldError>>);

impl RetiredCache {
    async fn refusal(&mut self, state: &AppState, code: &domain::RegionCode) -> Result<Option<FieldError>, ()> {
        if let Some(r) = self.0.get(code.as_str()) {
            return Ok(r.clone());
        }
        let r = crate::region_update::retired_refusal(state, "village_code", code).await.map_err(|_| ())?;
        self.0.insert(code.as_str().to_string(), r.clone());
        Ok(r)
    }
}

/// A row of a batch after validation: refused already, to be written, or refused only for
/// NIK warnings (then "already registered" if the same data is on record).
enum Checked {
    Done(Outcome),
    Write(NewPerson),
    WarningsOnly(Vec<NikIssue>, NewPerson),
}

/// The outcomes of a batch without the store's answer: a row refused by validation keeps its
/// refusal, every row that needed the store (to be written, or looked up for its NIK warnings)
/// becomes an internal problem. Used when the store failed, and when no row needed it.
fn decided_only(checked: Vec<Checked>) -> Vec<Outcome> {
    checked
        .into_iter()
        .map(|c| match c {
            Checked::Done(o) => o,
            Checked::Write(_) | Checked::WarningsOnly(..) => Outcome::Rejected(vec![Problem::Internal]),
        })
        .collect()
}

/// One batch: each row validated as [`people::register`] validates it (rules, retired code,
/// region), then the valid ones written by [`store::persons::create_batch`], then each row's
/// outcome, a NIK already on record answered as registration answers it.
async fn import_batch(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    batch: &[Record],
    confirm_warnings: bool,
    id: &str,
    retired: &mut RetiredCache,
) -> Vec<Outcome> {
    let internal = || batch.iter().map(|_| Outcome::Rejected(vec![Problem::Internal])).collect();
    let Ok(regions) = state.region_index().await else {
        return internal();
    };
    let mut checked: Vec<Checked> = Vec::with_capacity(batch.len());
    for record in batch {
        let row = match &record.row {
            Ok(row) => row,
            Err(e) => {
                checked.push(Checked::Done(Outcome::Rejected(vec![Problem::Row(e.clone())])));
                continue;
            }
        };
        let today = state.clock.today_at(row.village_code.trim().parse::<domain::RegionCode>().ok().as_ref());
        let (new, warnings) = match validate_new_person(&input(row, confirm_warnings), regions.as_ref(), today) {
            Ok(p) => (p, None),
            Err(PersonRejection::Invalid(e)) => {
                checked.push(Checked::Done(Outcome::Rejected(e.0.into_iter().map(Problem::Field).collect())));
                continue;
            }
            Err(PersonRejection::UnconfirmedWarnings(w)) => {
                // Compared with the record on file by value alone, as `already_registered` does.
                match validate_new_person(&input(row, true), regions.as_ref(), today) {
                    Ok(p) => (p, Some(w)),
                    Err(_) => {
                        checked.push(Checked::Done(Outcome::Rejected(vec![Problem::Warnings(w)])));
                        continue;
                    }
                }
            }
        };
        if let Some(w) = warnings {
            checked.push(Checked::WarningsOnly(w, new));
            continue;
        }
        match retired.refusal(state, &new.village_code).await {
            Ok(Some(e)) => {
                checked.push(Checked::Done(Outcome::Rejected(vec![Problem::Field(e)])));
                continue;
            }
            Ok(None) => {}
            Err(()) => {
                checked.push(Checked::Done(Outcome::Rejected(vec![Problem::Internal])));
                continue;
            }
        }
        if !principal.can(Action::EditPerson, Some(&new.village_code)) {
            let e = FieldError::new("village_code", Rule::Mismatch, "this village is outside your region")
                .message("msg_key.outside_region");
            checked.push(Checked::Done(Outcome::Rejected(vec![Problem::Field(e)])));
            continue;
        }
        checked.push(Checked::Write(new));
    }
    let (positions, to_write): (Vec<usize>, Vec<NewPerson>) = checked
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Checked::Write(p) => Some((i, p.clone())),
            _ => None,
        })
        .unzip();
    let look_up: Vec<&str> = checked
        .iter()
        .filter_map(|c| match c {
            Checked::WarningsOnly(_, p) => Some(p.nik.as_str()),
            _ => None,
        })
        .collect();
    if to_write.is_empty() && look_up.is_empty() {
        // Every row decided already (no row is left for the store).
        return decided_only(checked);
    }
    let region = principal.scope.code().map(|r| r.as_str().to_string()).unwrap_or_default();
    let audit = |created: &[(usize, i64)]| {
        let rows: Vec<&Record> = created.iter().map(|(i, _)| &batch[positions[*i]]).collect();
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        let ids: Vec<u64> = created.iter().map(|(_, id)| *id as u64).collect();
        let digest = domain::import::rows_digest(rows.iter().map(|r| (r.line, r.fields.as_slice())));
        let details = format!(
            "rows={} lines={} ids={} sha256={digest}",
            created.len(),
            domain::import::number_ranges(&lines),
            domain::import::number_ranges(&ids)
        );
        Some((id.to_string(), region.clone(), details))
    };
    let written = match store::persons::create_batch(&state.db, actor, &to_write, &look_up, audit).await {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(error = %e, "store failure during import");
            return decided_only(checked);
        }
    };
    // Each written person by batch position, and every NIK now on record (before or by this batch).
    let mut created_at: HashMap<usize, i64> = HashMap::new();
    let mut on_record: HashMap<&str, (i64, &str, Option<&Person>, Option<&NewPerson>)> = HashMap::new();
    for p in &written.existing {
        on_record.insert(p.nik.as_str(), (p.id, p.village_code.as_str(), Some(p), None));
    }
    for (w, person_id) in &written.created {
        let p = &to_write[*w];
        created_at.insert(positions[*w], *person_id);
        on_record.insert(p.nik.as_str(), (*person_id, p.village_code.as_str(), None, Some(p)));
    }
    let same = |new: &NewPerson, stored: Option<&Person>, written: Option<&NewPerson>| match (stored, written) {
        (Some(s), _) => same_data(new, s),
        (None, Some(w)) => same_new(new, w),
        (None, None) => false,
    };
    checked
        .into_iter()
        .enumerate()
        .map(|(i, c)| match c {
            Checked::Done(o) => o,
            Checked::Write(new) => {
                if let Some(person_id) = created_at.get(&i) {
                    return Outcome::Created(*person_id);
                }
                match on_record.get(new.nik.as_str()) {
                    Some((existing, village, stored, written)) => {
                        let visible = village
                            .parse::<domain::RegionCode>()
                            .is_ok_and(|v| principal.can(Action::ViewPerson, Some(&v)));
                        if visible && same(&new, *stored, *written) {
                            Outcome::AlreadyRegistered(*existing)
                        } else {
                            let e = people::duplicate_nik(principal, *existing, village);
                            Outcome::Rejected(e.0.into_iter().map(Problem::Field).collect())
                        }
                    }
                    None => Outcome::Rejected(vec![Problem::Internal]),
                }
            }
            Checked::WarningsOnly(w, new) => match on_record.get(new.nik.as_str()) {
                Some((existing, village, stored, written))
                    if village
                        .parse::<domain::RegionCode>()
                        .is_ok_and(|v| principal.can(Action::ViewPerson, Some(&v)))
                        && same(&new, *stored, *written) =>
                {
                    Outcome::AlreadyRegistered(*existing)
                }
                _ => Outcome::Rejected(vec![Problem::Warnings(w)]),
            },
        })
        .collect()
}

/// Two rows of one file with the same NIK: the later counts as already registered when it
/// carries the same data as the one written.
fn same_new(a: &NewPerson, b: &NewPerson) -> bool {
    a.full_name == b.full_name
        && a.sex == b.sex
        && a.birth_date == b.birth_date
        && a.birth_place == b.birth_place
        && a.village_code == b.village_code
        && a.kk_number.as_ref().map(|k| k.as_str()) == b.kk_number.as_ref().map(|k| k.as_str())
        && a.phone == b.phone
}

/// A field's label in the user's language.
fn field_label(t: T, field: &str) -> &'static str {
    match field {
        "nik" => "NIK",
        _ => match t.get(&format!("persons.{field}")) {
            "??" => t.get("import.field_unknown"),
            label => label,
        },
    }
}

/// One sentence per problem, in the user's language (details from the rules stay English,
/// in brackets, as on the form).
pub fn reason(t: T, problems: &[Problem]) -> String {
    let parts: Vec<String> = problems
        .iter()
        .map(|p| match p {
            Problem::Row(e) => {
                let (expected, found) = match e {
                    RowError::TooFewFields { expected, found } | RowError::TooManyFields { expected, found } => {
                        (*expected, *found)
                    }
                    _ => (0, 0),
                };
                let text = t
                    .get(&format!("import.row_{}", e.code()))
                    .replace("{expected}", &expected.to_string())
                    .replace("{found}", &found.to_string());
                match e {
                    RowError::Unreadable(why) => format!("{text} ({why})"),
                    _ => text,
                }
            }
            Problem::Field(f) => crate::i18n::field_message_labelled(t.lang, f, field_label(t, &f.field)),
            Problem::Warnings(ws) => {
                let issues: Vec<String> = ws.iter().map(|w| t.nik_issue(w.code).to_string()).collect();
                format!(
                    "NIK: {} {}; {}",
                    t.get("import.unconfirmed_warnings"),
                    issues.join(" "),
                    t.get("import.warnings_hint")
                )
            }
            Problem::Internal => t.get("import.internal").to_string(),
        })
        .collect();
    parts.join("; ")
}

/// The rejected rows as CSV (original columns, then `line` and `reason`), reasons in `t`'s language.
pub fn rejected_csv(t: T, header: &[String], delimiter: u8, rejected: &[Rejected]) -> Vec<u8> {
    let reasons: Vec<String> = rejected.iter().map(|r| reason(t, &r.problems)).collect();
    domain::import::rejected_csv(
        header,
        delimiter,
        rejected.iter().zip(&reasons).map(|(r, why)| (r.line, r.fields.as_slice(), why.as_str())),
    )
}

/// A file-level error in the user's language.
pub fn file_error(t: T, e: &domain::import::FileError) -> String {
    t.fmt(&format!("import.file_{}", e.code()), "columns", &e.columns())
}
