//! The documents a placement needs, as a requirement matrix rather than one list: what is
//! required differs by category, destination and job, and the rules change by decree, so the
//! matrix is data the store can keep and an administrator can edit.
//!
//! UU 18/2017 Pasal 13 names eight documents; in practice the village and the regency labour
//! office also ask for the civil and registration documents (ID card, KK, school and birth
//! certificates, AK/I, SKCK, BPJS card).

use super::codes::{CountryCode, JobType};
use super::episode::Category;
use crate::validation::{Rule, ValidationErrors};
use time::Date;

code_enum! {
    /// A document in a worker's file.
    pub enum DocumentKind {
        /// Surat keterangan status perkawinan (Pasal 13a); for a married worker, with a copy of
        /// the marriage book.
        MaritalStatusLetter = "marital_status_letter",
        /// Permission of the spouse, parents or guardian, acknowledged by the village head
        /// (Pasal 13b). Cannot be verified without that acknowledgement.
        FamilyPermission = "family_permission",
        /// Sertifikat kompetensi kerja (Pasal 13c).
        CompetencyCertificate = "competency_certificate",
        /// Health and psychological certificate (Pasal 13d).
        HealthCertificate = "health_certificate",
        /// Passport issued by the immigration office (Pasal 13e).
        Passport = "passport",
        /// Work visa (Pasal 13f).
        WorkVisa = "work_visa",
        /// Perjanjian penempatan (Pasal 13g): between the worker and the placing party.
        PlacementAgreement = "placement_agreement",
        /// Perjanjian kerja (Pasal 13h): between the worker and the employer.
        EmploymentContract = "employment_contract",
        /// KTP-el.
        IdCard = "id_card",
        /// Kartu keluarga (KK).
        FamilyCard = "family_card",
        /// Ijazah: the highest school certificate.
        SchoolCertificate = "school_certificate",
        /// Akta kelahiran.
        BirthCertificate = "birth_certificate",
        /// AK/I (kartu pencari kerja), from the regency labour office.
        JobSeekerCard = "job_seeker_card",
        /// SKCK, from the police.
        PoliceClearance = "police_clearance",
        /// BPJS Ketenagakerjaan membership card (social security).
        BpjsCard = "bpjs_card",
        /// Buku pelaut: seafarer's identity and record book, for ship and fishing crew.
        SeamanBook = "seaman_book",
    }
}

impl DocumentKind {
    /// One of the eight documents of UU 18/2017 Pasal 13.
    pub fn is_statutory(self) -> bool {
        use DocumentKind::*;
        matches!(
            self,
            MaritalStatusLetter
                | FamilyPermission
                | CompetencyCertificate
                | HealthCertificate
                | Passport
                | WorkVisa
                | PlacementAgreement
                | EmploymentContract
        )
    }
}

/// The documents an extension of the contract abroad needs afresh: the family's consent is
/// renewed, social security is renewed, and there is a new contract. Pass the ones missing
/// among records issued for the extension as `TransitionContext::documents_missing`.
pub const EXTENSION_DOCUMENTS: [DocumentKind; 3] =
    [DocumentKind::FamilyPermission, DocumentKind::BpjsCard, DocumentKind::EmploymentContract];

code_enum! {
    /// The step by which a document must be verified.
    ///
    /// The state machine puts `documents_complete` before `placement_agreed`, but the placement
    /// agreement, the contract and the visa only exist once a placement is agreed; so a
    /// requirement says which of the two document checks it belongs to.
    pub enum DueAt {
        /// Checked for `documents_complete`: what the village and the labour office verify
        /// before any placement.
        DocumentsComplete = "documents_complete",
        /// Checked for `departed`.
        Departure = "departure",
    }
}

/// Where a requirement applies. Each list restricts one dimension; an empty list means "any".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applicability {
    pub categories: Vec<Category>,
    pub destinations: Vec<CountryCode>,
    pub job_types: Vec<JobType>,
}

impl Applicability {
    /// Every placement.
    pub fn everywhere() -> Applicability {
        Applicability::default()
    }

    /// Placements of these categories only.
    pub fn categories(categories: &[Category]) -> Applicability {
        Applicability { categories: categories.to_vec(), ..Applicability::default() }
    }

    pub fn matches(&self, category: Category, destination: &CountryCode, job: &JobType) -> bool {
        (self.categories.is_empty() || self.categories.contains(&category))
            && (self.destinations.is_empty() || self.destinations.contains(destination))
            && (self.job_types.is_empty() || self.job_types.contains(job))
    }
}

/// One row of the matrix: this document, where it applies, and by which step it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub document: DocumentKind,
    pub applies: Applicability,
    pub due: DueAt,
}

/// The seeded matrix: the fifteen documents for every placement, plus the seaman book for
/// ship crew.
///
/// Real rules differ from this default, and the differences are left to data because they
/// change by decree and by destination agreement:
/// - Ship and fishing crew need a seaman book (buku pelaut, seeded below), and their competency
///   certificate is the Basic Safety Training certificate rather than a domestic-work one.
/// - The placement agreement is between the worker and a P3MI, or BP2MI for G2G; an independent
///   worker has none, yet the matrix does not vary by scheme (see the service-center report).
/// - Some destinations and employers add their own (e.g. a driving licence for a family driver,
///   a medical examination by a clinic the destination approves).
/// - The split between `documents_complete` and departure follows the usual order: civil and
///   registration papers first, then what the placement produces (agreement, contract, visa,
///   medical, competency test, passport, BPJS enrolment).
pub fn default_matrix() -> Vec<Requirement> {
    use DocumentKind::*;
    let early = [
        IdCard,
        FamilyCard,
        BirthCertificate,
        SchoolCertificate,
        MaritalStatusLetter,
        FamilyPermission,
        JobSeekerCard,
        PoliceClearance,
    ];
    let late = [
        HealthCertificate,
        CompetencyCertificate,
        Passport,
        PlacementAgreement,
        EmploymentContract,
        WorkVisa,
        BpjsCard,
    ];
    let mut matrix: Vec<Requirement> = early
        .into_iter()
        .map(|document| Requirement { document, applies: Applicability::everywhere(), due: DueAt::DocumentsComplete })
        .chain(late.into_iter().map(|document| Requirement {
            document,
            applies: Applicability::everywhere(),
            due: DueAt::Departure,
        }))
        .collect();
    matrix.push(Requirement {
        document: SeamanBook,
        applies: Applicability::categories(&[Category::ShipCrew]),
        due: DueAt::Departure,
    });
    matrix
}

/// Every document the matrix requires for this placement, each once, in matrix order.
pub fn required_documents(
    matrix: &[Requirement],
    category: Category,
    destination: &CountryCode,
    job: &JobType,
) -> Vec<DocumentKind> {
    collect(matrix.iter().filter(|r| r.applies.matches(category, destination, job)))
}

/// The documents due by `at`: for `documents_complete` only those due then; for `departure`
/// all of them (a document due earlier is still needed when the worker leaves).
pub fn documents_due(
    matrix: &[Requirement],
    category: Category,
    destination: &CountryCode,
    job: &JobType,
    at: DueAt,
) -> Vec<DocumentKind> {
    collect(matrix.iter().filter(|r| r.due <= at && r.applies.matches(category, destination, job)))
}

fn collect<'a>(rows: impl Iterator<Item = &'a Requirement>) -> Vec<DocumentKind> {
    let mut out = Vec::new();
    for r in rows {
        if !out.contains(&r.document) {
            out.push(r.document);
        }
    }
    out
}

code_enum! {
    /// Where a document stands in the officer's check.
    pub enum DocumentStatus {
        /// Not handed in.
        Missing = "missing",
        /// Handed in, not yet checked against the original or the issuer.
        Submitted = "submitted",
        /// Checked: only this counts as present.
        Verified = "verified",
    }
}

/// The longest document number accepted, in characters.
pub const MAX_NUMBER_CHARS: usize = 60;
/// The longest issuer name accepted, in characters.
pub const MAX_ISSUER_CHARS: usize = 200;

/// A document as entered, before the rules are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDraft {
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    pub number: String,
    pub issuer: String,
    pub issued_on: Option<Date>,
    pub expires_on: Option<Date>,
    /// For family permission: the village head acknowledged it (Pasal 13b).
    pub village_head_acknowledged: bool,
}

impl DocumentDraft {
    /// A draft of this kind and status with everything else empty.
    pub fn new(kind: DocumentKind, status: DocumentStatus) -> DocumentDraft {
        DocumentDraft {
            kind,
            status,
            number: String::new(),
            issuer: String::new(),
            issued_on: None,
            expires_on: None,
            village_head_acknowledged: false,
        }
    }
}

/// A document in a worker's file that passed the rules: it expires no earlier than it was
/// issued, a verified family permission carries the village head's acknowledgement, and text
/// is trimmed and within length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    kind: DocumentKind,
    status: DocumentStatus,
    number: String,
    issuer: String,
    issued_on: Option<Date>,
    expires_on: Option<Date>,
    village_head_acknowledged: bool,
}

impl DocumentRecord {
    /// Checks a draft as entered. Every broken rule is reported, by field name
    /// (`number`, `issuer`, `issued_on`, `expires_on`, `village_head_acknowledged`).
    pub fn new(draft: DocumentDraft, today: Date) -> Result<DocumentRecord, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if let Some(issued) = draft.issued_on
            && issued > today
        {
            errs.push(
                crate::FieldError::new("issued_on", Rule::OutOfRange, "must not be in the future")
                    .message("msg_key.not_in_future"),
            );
        }
        let record = DocumentRecord::check(draft, &mut errs);
        errs.into_result()?;
        Ok(record)
    }

    /// Rebuilds a record read back from storage, where it was fully checked on entry. The
    /// rules that do not depend on `today` are checked again; `None` if one fails.
    pub fn from_stored(draft: DocumentDraft) -> Option<DocumentRecord> {
        let mut errs = ValidationErrors::new();
        let record = DocumentRecord::check(draft, &mut errs);
        errs.is_empty().then_some(record)
    }

    fn check(draft: DocumentDraft, errs: &mut ValidationErrors) -> DocumentRecord {
        let number = crate::validation::text(errs, "number", &draft.number, 0, MAX_NUMBER_CHARS);
        let issuer = crate::validation::text(errs, "issuer", &draft.issuer, 0, MAX_ISSUER_CHARS);
        if let (Some(issued), Some(expires)) = (draft.issued_on, draft.expires_on)
            && expires < issued
        {
            errs.add("expires_on", Rule::OutOfRange, "must not be before issued_on");
        }
        if draft.kind == DocumentKind::FamilyPermission
            && draft.status == DocumentStatus::Verified
            && !draft.village_head_acknowledged
        {
            errs.add(
                "village_head_acknowledged",
                Rule::Required,
                "family permission can only be verified once the village head has acknowledged it",
            );
        }
        DocumentRecord {
            kind: draft.kind,
            status: draft.status,
            number,
            issuer,
            issued_on: draft.issued_on,
            expires_on: draft.expires_on,
            village_head_acknowledged: draft.village_head_acknowledged,
        }
    }

    pub fn kind(&self) -> DocumentKind {
        self.kind
    }
    pub fn status(&self) -> DocumentStatus {
        self.status
    }
    pub fn number(&self) -> &str {
        &self.number
    }
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    pub fn issued_on(&self) -> Option<Date> {
        self.issued_on
    }
    pub fn expires_on(&self) -> Option<Date> {
        self.expires_on
    }
    pub fn village_head_acknowledged(&self) -> bool {
        self.village_head_acknowledged
    }

    /// Expired on `on`: the expiry date is before it (a document is valid on its expiry day).
    pub fn is_expired(&self, on: Date) -> bool {
        self.expires_on.is_some_and(|e| e < on)
    }

    /// Counts as present on `on`: verified and not expired.
    pub fn is_current(&self, on: Date) -> bool {
        self.status == DocumentStatus::Verified && !self.is_expired(on)
    }
}

/// The required documents that have no current record on `today`: none at all, only submitted
/// or missing, or expired. In `required` order, each once.
///
/// For a departure check pass the departure date as `today`, so a passport expiring the week
/// before the flight is missing even if it is valid when the check is made.
pub fn missing_documents(required: &[DocumentKind], records: &[DocumentRecord], today: Date) -> Vec<DocumentKind> {
    let mut out = Vec::new();
    for &kind in required {
        let present = records.iter().any(|r| r.kind == kind && r.is_current(today));
        if !present && !out.contains(&kind) {
            out.push(kind);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 15);

    fn tw() -> CountryCode {
        CountryCode::seed(b"TW")
    }

    fn job(s: &'static str) -> JobType {
        JobType::seed(s)
    }

    fn record(kind: DocumentKind, status: DocumentStatus, expires_on: Option<Date>) -> DocumentRecord {
        let draft = DocumentDraft {
            expires_on,
            village_head_acknowledged: true,
            issued_on: Some(date!(2025 - 01 - 01)),
            ..DocumentDraft::new(kind, status)
        };
        match DocumentRecord::new(draft, TODAY) {
            Ok(r) => r,
            Err(e) => panic!("test record refused: {e}"),
        }
    }

    fn fields(e: &ValidationErrors) -> Vec<(&str, Rule)> {
        e.0.iter().map(|e| (e.field.as_str(), e.rule)).collect()
    }

    #[test]
    fn codes_round_trip() {
        assert_eq!(DocumentKind::ALL.len(), 16);
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.as_str()), Some(k));
        }
        for s in DocumentStatus::ALL {
            assert_eq!(DocumentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(DocumentKind::parse(" Police_Clearance "), Some(DocumentKind::PoliceClearance));
        assert_eq!(DocumentKind::parse("skck"), None);
        assert_eq!(DueAt::parse("departure"), Some(DueAt::Departure));
    }

    #[test]
    fn eight_documents_are_statutory() {
        let statutory: Vec<&str> =
            DocumentKind::ALL.into_iter().filter(|k| k.is_statutory()).map(DocumentKind::as_str).collect();
        assert_eq!(
            statutory,
            [
                "marital_status_letter",
                "family_permission",
                "competency_certificate",
                "health_certificate",
                "passport",
                "work_visa",
                "placement_agreement",
                "employment_contract"
            ]
        );
    }

    #[test]
    fn default_matrix_requires_fifteen_everywhere_and_the_seaman_book_for_crew() {
        let m = default_matrix();
        let household = required_documents(&m, Category::HouseholdEmployer, &tw(), &job("housekeeper"));
        assert_eq!(household.len(), 15);
        assert!(!household.contains(&DocumentKind::SeamanBook));
        for k in DocumentKind::ALL.into_iter().filter(|k| *k != DocumentKind::SeamanBook) {
            assert!(household.contains(&k), "{k}");
        }
        let crew = required_documents(&m, Category::ShipCrew, &tw(), &job("fishing_crew"));
        assert_eq!(crew.len(), 16);
        assert!(crew.contains(&DocumentKind::SeamanBook));
        let factory = required_documents(&m, Category::LegalEntityEmployer, &CountryCode::seed(b"MY"), &job("welder"));
        assert_eq!(factory, household);
    }

    #[test]
    fn documents_due_splits_the_two_checks() {
        let m = default_matrix();
        let early = documents_due(&m, Category::HouseholdEmployer, &tw(), &job("cook"), DueAt::DocumentsComplete);
        let all = documents_due(&m, Category::HouseholdEmployer, &tw(), &job("cook"), DueAt::Departure);
        assert_eq!(all, required_documents(&m, Category::HouseholdEmployer, &tw(), &job("cook")));
        assert!(early.iter().all(|k| all.contains(k)));
        // What only a placement produces is not due before it.
        for k in [DocumentKind::PlacementAgreement, DocumentKind::EmploymentContract, DocumentKind::WorkVisa] {
            assert!(!early.contains(&k) && all.contains(&k), "{k}");
        }
        for k in [DocumentKind::IdCard, DocumentKind::FamilyPermission, DocumentKind::JobSeekerCard] {
            assert!(early.contains(&k), "{k}");
        }
    }

    #[test]
    fn applicability_restricts_each_dimension() {
        let hk = CountryCode::seed(b"HK");
        let m = vec![
            Requirement {
                document: DocumentKind::SeamanBook,
                applies: Applicability { destinations: vec![hk], ..Applicability::default() },
                due: DueAt::Departure,
            },
            Requirement {
                document: DocumentKind::CompetencyCertificate,
                applies: Applicability {
                    categories: vec![Category::HouseholdEmployer],
                    job_types: vec![job("elderly_carer")],
                    ..Applicability::default()
                },
                due: DueAt::Departure,
            },
            // A repeated row does not repeat the document.
            Requirement {
                document: DocumentKind::Passport,
                applies: Applicability::everywhere(),
                due: DueAt::Departure,
            },
            Requirement {
                document: DocumentKind::Passport,
                applies: Applicability::everywhere(),
                due: DueAt::Departure,
            },
        ];
        use DocumentKind::*;
        assert_eq!(
            required_documents(&m, Category::HouseholdEmployer, &hk, &job("elderly_carer")),
            [SeamanBook, CompetencyCertificate, Passport]
        );
        assert_eq!(
            required_documents(&m, Category::HouseholdEmployer, &tw(), &job("elderly_carer")),
            [CompetencyCertificate, Passport]
        );
        assert_eq!(required_documents(&m, Category::LegalEntityEmployer, &tw(), &job("elderly_carer")), [Passport]);
        assert_eq!(required_documents(&m, Category::HouseholdEmployer, &tw(), &job("cook")), [Passport]);
        assert!(required_documents(&[], Category::ShipCrew, &tw(), &job("cook")).is_empty());
    }

    #[test]
    fn a_valid_document() {
        let draft = DocumentDraft {
            number: "  C1234567 ".into(),
            issuer: " Kantor Imigrasi Maumere ".into(),
            issued_on: Some(date!(2025 - 06 - 01)),
            expires_on: Some(date!(2035 - 06 - 01)),
            ..DocumentDraft::new(DocumentKind::Passport, DocumentStatus::Verified)
        };
        let r = DocumentRecord::new(draft, TODAY).map_err(|e| e.to_string());
        let Ok(r) = r else { panic!("{r:?}") };
        assert_eq!((r.kind(), r.status()), (DocumentKind::Passport, DocumentStatus::Verified));
        assert_eq!((r.number(), r.issuer()), ("C1234567", "Kantor Imigrasi Maumere"));
        assert_eq!((r.issued_on(), r.expires_on()), (Some(date!(2025 - 06 - 01)), Some(date!(2035 - 06 - 01))));
        assert!(!r.village_head_acknowledged());
        assert!(r.is_current(TODAY));
    }

    #[test]
    fn expiry_before_issue_names_expires_on() {
        let draft = DocumentDraft {
            issued_on: Some(date!(2025 - 06 - 01)),
            expires_on: Some(date!(2025 - 05 - 31)),
            ..DocumentDraft::new(DocumentKind::Passport, DocumentStatus::Submitted)
        };
        let e = DocumentRecord::new(draft.clone(), TODAY).err().unwrap_or_default();
        assert_eq!(fields(&e), [("expires_on", Rule::OutOfRange)]);
        assert_eq!(e.0[0].detail, "must not be before issued_on");
        assert_eq!(DocumentRecord::from_stored(draft), None);
        // Same day is fine (a one-day permit).
        let same = DocumentDraft {
            expires_on: Some(date!(2025 - 06 - 01)),
            ..DocumentDraft::new(DocumentKind::WorkVisa, DocumentStatus::Submitted)
        };
        assert!(DocumentRecord::new(DocumentDraft { issued_on: Some(date!(2025 - 06 - 01)), ..same }, TODAY).is_ok());
    }

    #[test]
    fn issue_date_in_the_future_is_refused_on_entry_only() {
        let draft = DocumentDraft {
            issued_on: Some(date!(2026 - 03 - 16)),
            ..DocumentDraft::new(DocumentKind::PoliceClearance, DocumentStatus::Submitted)
        };
        let e = DocumentRecord::new(draft.clone(), TODAY).err().unwrap_or_default();
        assert_eq!(fields(&e), [("issued_on", Rule::OutOfRange)]);
        assert!(DocumentRecord::from_stored(draft).is_some());
    }

    #[test]
    fn family_permission_needs_the_village_head_to_be_verified() {
        let draft = DocumentDraft::new(DocumentKind::FamilyPermission, DocumentStatus::Verified);
        let e = DocumentRecord::new(draft.clone(), TODAY).err().unwrap_or_default();
        assert_eq!(fields(&e), [("village_head_acknowledged", Rule::Required)]);
        assert_eq!(DocumentRecord::from_stored(draft.clone()), None);
        // Submitted without it is fine: the acknowledgement may come later.
        let submitted = DocumentDraft { status: DocumentStatus::Submitted, ..draft.clone() };
        assert!(DocumentRecord::new(submitted, TODAY).is_ok());
        let acknowledged = DocumentDraft { village_head_acknowledged: true, ..draft };
        assert!(DocumentRecord::new(acknowledged, TODAY).is_ok());
        // Other documents do not need it.
        assert!(DocumentRecord::new(DocumentDraft::new(DocumentKind::IdCard, DocumentStatus::Verified), TODAY).is_ok());
    }

    #[test]
    fn text_limits_and_every_error_at_once() {
        let draft = DocumentDraft {
            number: "n".repeat(MAX_NUMBER_CHARS + 1),
            issuer: "i".repeat(MAX_ISSUER_CHARS + 1),
            issued_on: Some(date!(2027 - 01 - 01)),
            expires_on: Some(date!(2026 - 01 - 01)),
            ..DocumentDraft::new(DocumentKind::FamilyPermission, DocumentStatus::Verified)
        };
        let e = DocumentRecord::new(draft, TODAY).err().unwrap_or_default();
        assert_eq!(
            fields(&e),
            [
                ("issued_on", Rule::OutOfRange),
                ("number", Rule::TooLong),
                ("issuer", Rule::TooLong),
                ("expires_on", Rule::OutOfRange),
                ("village_head_acknowledged", Rule::Required)
            ]
        );
    }

    #[test]
    fn only_verified_current_documents_count() {
        use DocumentKind::*;
        use DocumentStatus::*;
        let required = [IdCard, Passport, HealthCertificate, BpjsCard, WorkVisa, IdCard];
        let records = [
            record(IdCard, Verified, None),
            record(Passport, Verified, Some(date!(2026 - 03 - 14))), // expired yesterday
            record(HealthCertificate, Submitted, Some(date!(2027 - 01 - 01))),
            record(BpjsCard, Missing, None),
            record(WorkVisa, Verified, Some(TODAY)), // valid through its expiry day
        ];
        assert_eq!(missing_documents(&required, &records, TODAY), [Passport, HealthCertificate, BpjsCard]);
        // A renewed passport next to the expired one is enough.
        let mut renewed = records.to_vec();
        renewed.push(record(Passport, Verified, Some(date!(2031 - 01 - 01))));
        assert_eq!(missing_documents(&required, &renewed, TODAY), [HealthCertificate, BpjsCard]);
        // Checked on a later departure date, the visa has expired too.
        assert_eq!(
            missing_documents(&required, &renewed, date!(2026 - 03 - 16)),
            [HealthCertificate, BpjsCard, WorkVisa]
        );
        assert_eq!(missing_documents(&required, &[], TODAY), [IdCard, Passport, HealthCertificate, BpjsCard, WorkVisa]);
        assert!(missing_documents(&[], &records, TODAY).is_empty());
    }

    #[test]
    fn extension_documents_are_the_renewed_ones() {
        assert_eq!(
            EXTENSION_DOCUMENTS.map(DocumentKind::as_str),
            ["family_permission", "bpjs_card", "employment_contract"]
        );
    }

    fn any_kind() -> impl Strategy<Value = DocumentKind> {
        proptest::sample::select(DocumentKind::ALL.to_vec())
    }

    fn any_status() -> impl Strategy<Value = DocumentStatus> {
        proptest::sample::select(DocumentStatus::ALL.to_vec())
    }

    fn any_date() -> impl Strategy<Value = Option<Date>> {
        proptest::option::of((-800i64..=800).prop_map(|d| TODAY.saturating_add(time::Duration::days(d))))
    }

    prop_compose! {
        fn any_record()(
            kind in any_kind(),
            status in any_status(),
            issued in any_date(),
            expires in any_date(),
            ack in any::<bool>(),
        ) -> Option<DocumentRecord> {
            DocumentRecord::new(DocumentDraft {
                issued_on: issued,
                expires_on: expires,
                village_head_acknowledged: ack,
                ..DocumentDraft::new(kind, status)
            }, TODAY).ok()
        }
    }

    proptest! {
        #[test]
        fn missing_is_exactly_the_required_without_a_current_record(
            required in proptest::collection::vec(any_kind(), 0..20),
            records in proptest::collection::vec(any_record(), 0..20),
            offset in -400i64..=400,
        ) {
            let records: Vec<DocumentRecord> = records.into_iter().flatten().collect();
            let on = TODAY.saturating_add(time::Duration::days(offset));
            let missing = missing_documents(&required, &records, on);
            for k in &required {
                let current = records.iter().any(|r| r.kind() == *k && r.status() == DocumentStatus::Verified
                    && r.expires_on().is_none_or(|e| e >= on));
                prop_assert_eq!(missing.contains(k), !current);
            }
            prop_assert!(missing.iter().all(|k| required.contains(k)));
            let mut unique = missing.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), missing.len());
        }

        #[test]
        fn accepted_records_keep_their_invariants(r in any_record()) {
            if let Some(r) = r {
                if let (Some(i), Some(e)) = (r.issued_on(), r.expires_on()) {
                    prop_assert!(e >= i);
                }
                if r.kind() == DocumentKind::FamilyPermission && r.status() == DocumentStatus::Verified {
                    prop_assert!(r.village_head_acknowledged());
                }
            }
        }
    }
}
