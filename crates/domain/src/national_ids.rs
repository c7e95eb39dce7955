//! Identifiers and records kept by national systems (issue 19): SIAPkerja registration and
//! ID PMI on a person, Sisko P2MI and E-PMI ids on a placement episode, BPJS Ketenagakerjaan
//! membership, and the outcome of a Dukcapil NIK verification.
//!
//! Only the KPJ (BPJS Ketenagakerjaan participant number, 11 digits) has a published format.
//! The others have none we could cite, so they are checked conservatively (docs/NATIONAL_IDS.md):
//! trimmed, turned to upper case, letters, digits, `.`, `-` and `/` only, 3 to 40 characters.

use crate::validation::{FieldError, Rule, ValidationErrors};
use time::Date;

code_enum! {
    /// Which system's identifier; the code is also the field name at every door.
    pub enum ExternalIdKind {
        /// Registration number in Kemnaker's SIAPkerja (the job-seeker's account).
        SiapkerjaRegistration = "siapkerja_id",
        /// The worker's ID PMI (the migrant worker's identity number issued by BP2MI / KP2MI).
        IdPmi = "id_pmi",
        /// The placement's id in Sisko P2MI, BP2MI's system of record (stored on the episode).
        SiskoP2mi = "sisko_id",
        /// The placement's E-PMI / E-KPMI (electronic migrant worker card) number.
        EPmi = "ekpmi_id",
    }
}

code_enum! {
    /// What an external id is attached to.
    pub enum IdOwner {
        Person = "person",
        Episode = "episode",
    }
}

impl ExternalIdKind {
    pub fn owner(self) -> IdOwner {
        match self {
            ExternalIdKind::SiapkerjaRegistration | ExternalIdKind::IdPmi => IdOwner::Person,
            ExternalIdKind::SiskoP2mi | ExternalIdKind::EPmi => IdOwner::Episode,
        }
    }

    /// The kinds an owner carries, in display order.
    pub fn of(owner: IdOwner) -> Vec<ExternalIdKind> {
        ExternalIdKind::ALL.into_iter().filter(|k| k.owner() == owner).collect()
    }
}

/// Shortest and longest external id accepted while no format is published.
pub const EXTERNAL_ID_MIN: usize = 3;
pub const EXTERNAL_ID_MAX: usize = 40;

/// An external id in its stored form: upper case, no surrounding spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalId(String);

impl ExternalId {
    /// `Ok(None)` for a blank value (clears the id). Refusals name the kind's field.
    pub fn parse(kind: ExternalIdKind, raw: &str) -> Result<Option<ExternalId>, FieldError> {
        let v = raw.trim().to_uppercase();
        if v.is_empty() {
            return Ok(None);
        }
        let n = v.chars().count();
        let allowed = v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '/'));
        let starts_well = v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if !allowed || !starts_well || !(EXTERNAL_ID_MIN..=EXTERNAL_ID_MAX).contains(&n) {
            return Err(FieldError::new(
                kind.as_str(),
                Rule::Format,
                format!(
                    "{EXTERNAL_ID_MIN} to {EXTERNAL_ID_MAX} letters, digits, '.', '-' or '/', starting with a letter or digit"
                ),
            )
            .min(EXTERNAL_ID_MIN)
            .max(EXTERNAL_ID_MAX)
            .message("msg_key.external_id_format"));
        }
        Ok(Some(ExternalId(v)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The ids of one owner as typed: `(kind, value)`; a blank value clears the id.
/// Every kind must belong to `owner`; all refusals are returned together.
pub fn validate_external_ids(
    owner: IdOwner,
    values: &[(ExternalIdKind, &str)],
) -> Result<Vec<(ExternalIdKind, Option<ExternalId>)>, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let mut out = Vec::new();
    for (kind, raw) in values {
        if kind.owner() != owner {
            errs.add(kind.as_str(), Rule::OneOf, format!("not an id of a {owner}"));
            continue;
        }
        match ExternalId::parse(*kind, raw) {
            Ok(v) => out.push((*kind, v)),
            Err(e) => errs.push(e),
        }
    }
    errs.into_result().map(|()| out)
}

/// The BPJS Ketenagakerjaan participant number (Kartu Peserta Jamsostek, KPJ): 11 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpjNumber(String);

pub const KPJ_DIGITS: usize = 11;

impl KpjNumber {
    /// Spaces, dots and dashes as printed on cards are ignored.
    pub fn parse(field: &str, raw: &str) -> Result<KpjNumber, FieldError> {
        let digits: String = raw.trim().chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
        if digits.is_empty() {
            return Err(FieldError::new(field, Rule::Required, "the 11-digit KPJ number"));
        }
        if digits.len() != KPJ_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(field, Rule::Format, "exactly 11 digits (the KPJ number)")
                .digits(KPJ_DIGITS)
                .message("msg_key.kpj_format"));
        }
        Ok(KpjNumber(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

code_enum! {
    /// A BPJS Ketenagakerjaan membership's status as BPJS reports it.
    pub enum BpjsStatus {
        Aktif = "aktif",
        Nonaktif = "nonaktif",
    }
}

impl BpjsStatus {
    /// The code, or the spellings BPJS exports and people type ("non aktif", "tidak aktif",
    /// "active", "inactive").
    pub fn read(raw: &str) -> Option<BpjsStatus> {
        let s: String = raw.trim().to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
        match s.as_str() {
            "aktif" | "active" => Some(BpjsStatus::Aktif),
            "nonaktif" | "tidakaktif" | "inactive" | "nonactive" => Some(BpjsStatus::Nonaktif),
            _ => None,
        }
    }
}

/// A BPJS Ketenagakerjaan membership as imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BpjsMembership {
    pub number: KpjNumber,
    pub status: BpjsStatus,
    pub valid_until: Date,
}

/// Checks the membership fields of an import row; all refusals at once, by column name.
pub fn validate_membership(number: &str, status: &str, valid_until: &str) -> Result<BpjsMembership, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let number = KpjNumber::parse("bpjs_number", number).map_err(|e| errs.push(e)).ok();
    let status = BpjsStatus::read(status).or_else(|| {
        errs.push(FieldError::new("status", Rule::OneOf, "aktif or nonaktif").message("msg_key.bpjs_status"));
        None
    });
    let valid_until =
        crate::person::parse_date(valid_until).filter(|d| (1977..=2200).contains(&d.year())).or_else(|| {
            errs.push(
                FieldError::new("valid_until", Rule::Format, "a date such as 2027-12-31")
                    .message("msg_key.date_format"),
            );
            None
        });
    match (number, status, valid_until) {
        (Some(number), Some(status), Some(valid_until)) if errs.is_empty() => {
            Ok(BpjsMembership { number, status, valid_until })
        }
        _ => Err(errs),
    }
}

/// The columns of a BPJS Ketenagakerjaan membership file, all required (others are ignored).
pub const BPJS_COLUMNS: [&str; 4] = ["nik", "bpjs_number", "status", "valid_until"];

/// One data row of a membership file, fields trimmed; `row` is the spreadsheet row (header = 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BpjsRow {
    pub row: u64,
    pub nik: String,
    pub bpjs_number: String,
    pub status: String,
    pub valid_until: String,
}

/// Why a membership file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BpjsFileError {
    /// No header (empty file) or not UTF-8 text.
    Unreadable,
    /// Required columns absent from the header.
    MissingColumns(Vec<&'static str>),
}

/// Reads a membership CSV (`,` or `;`, optional byte order mark, columns in any order, named
/// as in [`BPJS_COLUMNS`] in any case). Blank lines are skipped; a row that is not UTF-8 comes
/// back as `Err(row)`.
pub fn read_bpjs_csv(data: &[u8]) -> Result<Vec<Result<BpjsRow, u64>>, BpjsFileError> {
    let text = data.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(data);
    let first_line = text.split(|b| *b == b'\n').find(|l| !l.iter().all(u8::is_ascii_whitespace)).unwrap_or(&[]);
    let semicolons = first_line.iter().filter(|b| **b == b';').count();
    let commas = first_line.iter().filter(|b| **b == b',').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text);
    let mut records = reader.byte_records();
    let blank = |r: &csv::ByteRecord| r.iter().all(|f| f.iter().all(u8::is_ascii_whitespace));
    let header = loop {
        match records.next() {
            Some(Ok(r)) if blank(&r) => continue,
            Some(Ok(r)) => break r,
            _ => return Err(BpjsFileError::Unreadable),
        }
    };
    let names: Vec<String> = header
        .iter()
        .map(|f| std::str::from_utf8(f).map(|s| s.trim().to_lowercase().replace([' ', '-'], "_")))
        .collect::<Result<_, _>>()
        .map_err(|_| BpjsFileError::Unreadable)?;
    let position = |c: &str| names.iter().position(|n| n == c);
    let missing: Vec<&'static str> = BPJS_COLUMNS.into_iter().filter(|c| position(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(BpjsFileError::MissingColumns(missing));
    }
    let at: Vec<usize> = BPJS_COLUMNS.iter().filter_map(|c| position(c)).collect();
    let mut rows = Vec::new();
    // Rows counted here: the reader's own line count leaves out the blank lines it skips.
    let (mut counted_to, mut line) = (0usize, 1u64);
    for record in records {
        let Ok(r) = record else { continue };
        if blank(&r) {
            continue;
        }
        let mut pos = r.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)).min(text.len());
        while pos < text.len() && matches!(text[pos], b'\r' | b'\n') {
            pos += 1;
        }
        if pos > counted_to {
            line += text[counted_to..pos].iter().filter(|b| **b == b'\n').count() as u64;
            counted_to = pos;
        }
        let row = line;
        let field = |i: usize| -> Option<String> {
            std::str::from_utf8(r.get(at[i]).unwrap_or(b"")).ok().map(|s| s.trim().trim_start_matches('\'').to_string())
        };
        match (field(0), field(1), field(2), field(3)) {
            (Some(nik), Some(bpjs_number), Some(status), Some(valid_until)) => {
                rows.push(Ok(BpjsRow { row, nik, bpjs_number, status, valid_until }))
            }
            _ => rows.push(Err(row)),
        }
    }
    Ok(rows)
}

/// What the risk rules know of a worker's BPJS Ketenagakerjaan membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocialSecurity {
    /// No membership recorded for the worker.
    NotRecorded,
    Member {
        status: BpjsStatus,
        valid_until: Date,
    },
}

code_enum! {
    /// A field Dukcapil compares with the population register.
    pub enum DukcapilField {
        Nik = "nik",
        FullName = "full_name",
        BirthDate = "birth_date",
        Sex = "sex",
    }
}

code_enum! {
    /// The stored outcome of a Dukcapil check.
    pub enum VerificationStatus {
        Verified = "verified",
        Mismatch = "mismatch",
        NotVerified = "not_verified",
    }
}

code_enum! {
    /// Why a check gave no answer; the registration went ahead regardless.
    pub enum NotVerifiedReason {
        /// No connection to the configured endpoint.
        Unreachable = "unreachable",
        /// No answer within the configured timeout.
        Timeout = "timeout",
        /// The service refused the request (credentials, quota, its own failure).
        Refused = "refused",
        /// An answer this adapter cannot read.
        BadAnswer = "bad_answer",
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Verified,
    /// The fields that differ from the register (the NIK alone when it is not in the register).
    Mismatch(Vec<DukcapilField>),
    NotVerified(NotVerifiedReason),
}

impl Verification {
    pub fn status(&self) -> VerificationStatus {
        match self {
            Verification::Verified => VerificationStatus::Verified,
            Verification::Mismatch(_) => VerificationStatus::Mismatch,
            Verification::NotVerified(_) => VerificationStatus::NotVerified,
        }
    }
}

/// One field's verdict as Dukcapil words it: "Sesuai" (matches) or "Tidak Sesuai" (differs),
/// any case, spaces or underscores. `None` for anything else.
pub fn read_verdict(raw: &str) -> Option<bool> {
    let s: String = raw.trim().to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    match s.as_str() {
        "sesuai" => Some(true),
        "tidaksesuai" => Some(false),
        _ => None,
    }
}

/// Judges an answer: whether the NIK was found and each field's verdict as given. A field
/// without a readable verdict makes the answer unreadable rather than guessing.
pub fn judge(found: bool, verdicts: &[(DukcapilField, Option<&str>)]) -> Verification {
    if !found {
        return Verification::Mismatch(vec![DukcapilField::Nik]);
    }
    let mut differing = Vec::new();
    for field in DukcapilField::ALL {
        let verdict = verdicts.iter().find(|(f, _)| *f == field).and_then(|(_, v)| *v).and_then(read_verdict);
        match verdict {
            Some(true) => {}
            Some(false) => differing.push(field),
            None => return Verification::NotVerified(NotVerifiedReason::BadAnswer),
        }
    }
    if differing.is_empty() { Verification::Verified } else { Verification::Mismatch(differing) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn external_ids_are_trimmed_upper_cased_and_bounded() {
        let ok = ExternalId::parse(ExternalIdKind::IdPmi, "  pmi-2026/000123 ").unwrap();
        assert_eq!(ok.unwrap().as_str(), "PMI-2026/000123");
        assert_eq!(ExternalId::parse(ExternalIdKind::IdPmi, "   ").unwrap(), None);
        for bad in ["AB", "ID PMI 1", "-123", "ÄBC123", &"9".repeat(41), "12<script>"] {
            let e = ExternalId::parse(ExternalIdKind::SiskoP2mi, bad).unwrap_err();
            assert_eq!((e.field.as_str(), e.rule), ("sisko_id", Rule::Format), "{bad}");
        }
    }

    #[test]
    fn ids_belong_to_their_owner() {
        assert_eq!(ExternalIdKind::of(IdOwner::Person), [ExternalIdKind::SiapkerjaRegistration, ExternalIdKind::IdPmi]);
        assert_eq!(ExternalIdKind::of(IdOwner::Episode), [ExternalIdKind::SiskoP2mi, ExternalIdKind::EPmi]);
        let e =
            validate_external_ids(IdOwner::Person, &[(ExternalIdKind::EPmi, "ABC123"), (ExternalIdKind::IdPmi, "x")])
                .unwrap_err();
        assert_eq!(e.0.len(), 2);
        let ok =
            validate_external_ids(IdOwner::Episode, &[(ExternalIdKind::EPmi, "e123"), (ExternalIdKind::SiskoP2mi, "")])
                .unwrap();
        assert_eq!(ok[0].1.as_ref().map(|v| v.as_str()), Some("E123"));
        assert_eq!(ok[1].1, None);
    }

    #[test]
    fn kpj_is_eleven_digits() {
        assert_eq!(KpjNumber::parse("n", "123 4567 8901").unwrap().as_str(), "12345678901");
        assert_eq!(KpjNumber::parse("n", "").unwrap_err().rule, Rule::Required);
        for bad in ["1234567890", "123456789012", "1234567890A"] {
            let e = KpjNumber::parse("bpjs_number", bad).unwrap_err();
            assert_eq!(e.rule, Rule::Format, "{bad}");
            assert_eq!(e.param_value("digits"), Some("11"));
        }
    }

    #[test]
    fn memberships_report_every_field() {
        let m = validate_membership("12345678901", "Non Aktif", "2027-01-31").unwrap();
        assert_eq!((m.status, m.valid_until), (BpjsStatus::Nonaktif, date!(2027 - 01 - 31)));
        assert_eq!(validate_membership("1", "maybe", "31-02-2027").unwrap_err().0.len(), 3);
        assert_eq!(BpjsStatus::read("AKTIF"), Some(BpjsStatus::Aktif));
        assert_eq!(BpjsStatus::read("tidak aktif"), Some(BpjsStatus::Nonaktif));
    }

    #[test]
    fn membership_files_are_read_by_column_name_with_row_numbers() {
        let file = "\u{feff}Status;NIK;valid_until;bpjs_number;catatan\n\
                    aktif;'5307015205900001;2027-12-31;12345678901;x\n\
                    \n\
                    nonaktif;5307015205900002;2026-01-01\n";
        let rows = read_bpjs_csv(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let first = rows[0].clone().unwrap();
        assert_eq!((first.row, first.nik.as_str(), first.status.as_str()), (2, "5307015205900001", "aktif"));
        let second = rows[1].clone().unwrap();
        assert_eq!((second.row, second.bpjs_number.as_str()), (4, ""));
        assert_eq!(
            read_bpjs_csv(b"nik,status\n1,2\n"),
            Err(BpjsFileError::MissingColumns(vec!["bpjs_number", "valid_until"]))
        );
        assert_eq!(read_bpjs_csv(b""), Err(BpjsFileError::Unreadable));
    }

    #[test]
    fn dukcapil_answers_are_judged_per_field() {
        use DukcapilField::*;
        let all = |v: &'static str| vec![(Nik, Some(v)), (FullName, Some(v)), (BirthDate, Some(v)), (Sex, Some(v))];
        assert_eq!(judge(true, &all("Sesuai")), Verification::Verified);
        let mut some = all("SESUAI");
        some[1].1 = Some("Tidak Sesuai");
        some[2].1 = Some("tidak_sesuai");
        assert_eq!(judge(true, &some), Verification::Mismatch(vec![FullName, BirthDate]));
        assert_eq!(judge(false, &[]), Verification::Mismatch(vec![Nik]));
        let mut odd = all("sesuai");
        odd[3].1 = Some("mungkin");
        assert_eq!(judge(true, &odd), Verification::NotVerified(NotVerifiedReason::BadAnswer));
        assert_eq!(judge(true, &all("sesuai")[..3]), Verification::NotVerified(NotVerifiedReason::BadAnswer));
    }
}
