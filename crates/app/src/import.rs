//! CSV import of people, shared by the import page and the `import persons` command.
//!
//! Every row goes through `people::register`, exactly as the registration form: the same
//! validation, the same scope check, the same duplicate rule and the same care not to reveal
//! what lies outside the importer's region. Each row is its own transaction (valid rows are
//! kept whatever happens to the others). A row whose NIK is already registered, within the
//! importer's sight, with the same data counts as already registered, so importing a file
//! again creates nothing twice.

use crate::App as AppState;
use crate::i18n::T;
use crate::people::{self, RegisterError};
use domain::access::{Action, Principal};
use domain::import::{ImportFile, ImportRow, Record, RowError};
use domain::nik::NikIssue;
use domain::person::{NewPerson, NewPersonInput, validate_new_person};
use domain::{FieldError, Rule};
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

/// Imports every row of the file in order, calling `progress` after each, then records
/// the import (its counts, no personal data) in the audit log. `id` names the import there.
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
    for Record { line, fields, row } in file.records() {
        let outcome = match &row {
            Ok(r) => import_row(state, principal, actor, r, confirm_warnings).await,
            Err(e) => Outcome::Rejected(vec![Problem::Row(e.clone())]),
        };
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
