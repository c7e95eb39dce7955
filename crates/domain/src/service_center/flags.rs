//! Risk flags the system raises by itself from an episode's facts: under age, unlicensed or
//! suspended agency, unverified job order, placement ban, missing documents, fees charged
//! against the zero-cost rule, a worker out of contact, no placement agreement.
//!
//! A flag is a signal for an officer to look, not a verdict: every flag has a stable code (the
//! UI translates by it) and an English sentence naming the rule. The rules that change by
//! decree (bans, zero-cost coverage, the contact threshold) are data in `Policy`.

use super::codes::{CountryCode, JobType};
use super::episode::{Category, EpisodeState, Scheme};
use super::money::Rupiah;
use super::requirements::DocumentKind;
use crate::agency::AgencyStatus;
use crate::national_ids::{BpjsStatus, SocialSecurity};
use time::Date;
use time::macros::date;

/// The minimum age for placement (UU 18/2017): placing a minor is a crime.
pub const MINIMUM_AGE: i32 = 18;

code_enum! {
    /// The stable code of a risk flag.
    pub enum RiskCode {
        UnderAgeAtDeparture = "under_age_at_departure",
        AgencyNotLicensed = "agency_not_licensed",
        AgencySuspended = "agency_suspended",
        AgencyRevoked = "agency_revoked",
        AgencyLicenceExpired = "agency_licence_expired",
        JobOrderUnverified = "job_order_unverified",
        JobOrderExpired = "job_order_expired",
        PlacementBan = "placement_ban",
        MissingDocumentsAtDeparture = "missing_documents_at_departure",
        ZeroCostViolation = "zero_cost_violation",
        NoContactAbroad = "no_contact_abroad",
        DepartedWithoutPlacementAgreement = "departed_without_placement_agreement",
        /// No valid BPJS Ketenagakerjaan membership at departure (UU 18/2017 art. 29).
        SocialSecurityNotValid = "social_security_not_valid",
        /// Raised by `episode::transition` when a supervisor overrides, not by `evaluate`.
        DepartedWithMissingDocuments = "departed_with_missing_documents",
        /// The recruiter is a broker reported by the community (issue 17, docs/BROKERS.md).
        RecruiterReportedBroker = "recruiter_reported_broker",
    }
}

code_enum! {
    /// A placement cost a worker may be charged. The first twelve are the items of BP2MI
    /// regulation 9/2020, which employers pay for the covered job types.
    pub enum CostItem {
        Tickets = "tickets",
        Visa = "visa",
        Legalisation = "legalisation",
        Training = "training",
        Certificates = "certificates",
        AgencyFee = "agency_fee",
        Passport = "passport",
        PoliceClearance = "police_clearance",
        SocialSecurity = "social_security",
        Medicals = "medicals",
        LocalTransport = "local_transport",
        Lodging = "lodging",
        /// Anything else; not covered by the zero-cost rule.
        Other = "other",
    }
}

/// One cost the worker was charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostCharge {
    pub item: CostItem,
    pub amount: Rupiah,
}

/// What is known of the recruiting agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyFacts {
    /// The worker named a recruiter that is not in the registry of licensed P3MI: a broker
    /// (calo), or a company without a licence.
    NotInRegistry,
    /// A P3MI in the registry, with its current status and the end of its licence (SIP3MI).
    Registered { status: AgencyStatus, licence_valid_until: Date },
}

/// What is known of the job order (the demand letter behind the SIP2MI recruitment permit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobOrderFacts {
    /// Verified by the labour attaché at the mission abroad.
    pub verified: bool,
    pub valid_until: Option<Date>,
}

/// Everything `evaluate` looks at, gathered by the caller. Unknown facts are `None`: a rule that
/// needs one it does not have stays silent rather than guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeFacts {
    pub state: EpisodeState,
    pub category: Option<Category>,
    pub scheme: Option<Scheme>,
    pub birth_date: Option<Date>,
    /// The actual departure date once departed; the planned one (if any) before.
    pub departure_date: Option<Date>,
    /// `None`: no recruiter recorded.
    pub agency: Option<AgencyFacts>,
    /// `None`: no job order recorded.
    pub job_order: Option<JobOrderFacts>,
    pub destination: Option<CountryCode>,
    pub job_type: Option<JobType>,
    /// Costs the worker paid or owes for the placement (including salary deductions).
    pub costs_charged: Vec<CostCharge>,
    /// The last time the village or the family heard from the worker abroad.
    pub last_contact: Option<Date>,
    pub has_placement_agreement: bool,
    /// Required documents missing or expired on the departure date
    /// (`requirements::missing_documents(required, records, departure_date)`).
    pub missing_documents: Vec<DocumentKind>,
    /// The worker's BPJS Ketenagakerjaan membership; `None` when not looked up.
    pub social_security: Option<SocialSecurity>,
    /// The reported broker the recruiter is linked to or named like; `None`: none known.
    pub reported_broker: Option<crate::brokers::ReportedBroker>,
}

impl EpisodeFacts {
    /// Facts about an episode in `state` with nothing else known.
    pub fn new(state: EpisodeState) -> EpisodeFacts {
        EpisodeFacts {
            state,
            category: None,
            scheme: None,
            birth_date: None,
            departure_date: None,
            agency: None,
            job_order: None,
            destination: None,
            job_type: None,
            costs_charged: Vec::new(),
            last_contact: None,
            has_placement_agreement: false,
            missing_documents: Vec::new(),
            social_security: None,
            reported_broker: None,
        }
    }
}

/// A destination closed to some placements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanEntry {
    pub destination: CountryCode,
    /// `None`: every category.
    pub category: Option<Category>,
    /// `None`: every job type.
    pub job_type: Option<JobType>,
    /// The decree, cited in full so an officer can look it up.
    pub legal_source: String,
    pub since: Date,
    /// The last day of the ban; `None` while it stands.
    pub until: Option<Date>,
    /// Workers already placed may extend their contracts (as Kepmenaker 260/2015 allows).
    pub allows_extension: bool,
}

impl BanEntry {
    fn covers(&self, destination: &CountryCode, category: Option<Category>, job: Option<&JobType>, on: Date) -> bool {
        self.destination == *destination
            && self.category.is_none_or(|c| category == Some(c))
            && self.job_type.as_ref().is_none_or(|j| job == Some(j))
            && self.since <= on
            && self.until.is_none_or(|u| on <= u)
    }
}

/// A destination exempt from the zero-cost rule during a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZeroCostExemption {
    pub destination: CountryCode,
    pub since: Date,
    pub until: Option<Date>,
    pub legal_source: String,
}

/// The zero-cost placement rule (BP2MI regulation 9/2020): for the covered job types the worker
/// may not be charged the covered cost items, except in exempt destinations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZeroCostPolicy {
    pub legal_source: String,
    /// Placements departing before this date are not judged by the rule; `None`: all are.
    pub effective_from: Option<Date>,
    pub job_types: Vec<JobType>,
    pub cost_items: Vec<CostItem>,
    pub exemptions: Vec<ZeroCostExemption>,
}

/// The rules `evaluate` applies that change by decree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub bans: Vec<BanEntry>,
    pub zero_cost: ZeroCostPolicy,
    /// A worker abroad not heard from for more than this many days is flagged.
    pub no_contact_days: i64,
}

/// The Middle East countries closed to placement with individual (household) employers since
/// 1 July 2015, as ISO codes: Algeria, Saudi Arabia, Bahrain, Iraq, Iran, Kuwait, Lebanon,
/// Libya, Morocco, Mauritania, Egypt, Oman, Pakistan, Palestine, Qatar, South Sudan, Syria,
/// Tunisia, the United Arab Emirates, Yemen, Jordan.
///
/// Press reports speak of "19" or "21" countries; this is the 21-country list of the ministry's
/// announcement. One summary (KBRI Tripoli) writes "Sudan" where the announcement writes "South
/// Sudan": check the decree's annex before relying on SS/SD. Placements to Saudi Arabia under
/// the one-channel pilot (Sistem Penempatan Satu Kanal, Kepmenaker 291/2018) are an exception
/// an officer confirms by hand; they are not modelled here.
pub const KEPMENAKER_260_2015_COUNTRIES: [&[u8; 2]; 21] = [
    b"DZ", b"SA", b"BH", b"IQ", b"IR", b"KW", b"LB", b"LY", b"MA", b"MR", b"EG", b"OM", b"PK", b"PS", b"QA", b"SS",
    b"SY", b"TN", b"AE", b"YE", b"JO",
];

/// The citation for the 2015 household-placement ban.
pub const KEPMENAKER_260_2015: &str = "Keputusan Menteri Ketenagakerjaan Nomor 260 Tahun 2015 tentang Penghentian dan \
     Pelarangan Penempatan Tenaga Kerja Indonesia pada Pengguna Perseorangan di Negara-Negara Kawasan Timur Tengah";

/// The citation for the zero-cost placement rule.
pub const PERBAN_BP2MI_9_2020: &str = "Peraturan Badan Pelindungan Pekerja Migran Indonesia Nomor 9 Tahun 2020 \
     tentang Pembebasan Biaya Penempatan \
     Pekerja Migran Indonesia";

/// The ten job types BP2MI regulation 9/2020 covers.
pub const ZERO_COST_JOB_TYPES: [&str; 10] = [
    "housekeeper",
    "baby_sitter",
    "elderly_carer",
    "cook",
    "family_driver",
    "gardener",
    "child_minder",
    "cleaner",
    "farm_worker",
    "fishing_crew",
];

/// The seeded ban list: Kepmenaker 260/2015, in force from 1 July 2015, on household employers
/// in 21 Middle East countries; workers already there may extend.
pub fn default_bans() -> Vec<BanEntry> {
    KEPMENAKER_260_2015_COUNTRIES
        .into_iter()
        .map(|code| BanEntry {
            destination: CountryCode::seed(code),
            category: Some(Category::HouseholdEmployer),
            job_type: None,
            legal_source: KEPMENAKER_260_2015.to_string(),
            since: date!(2015 - 07 - 01),
            until: None,
            allows_extension: true,
        })
        .collect()
}

impl Default for ZeroCostPolicy {
    /// The ten job types, the twelve cost items, Taiwan exempt from 1 January 2022.
    ///
    /// The instrument exempting Taiwan is not cited: confirm it with BP2MI and put it in the
    /// row's `legal_source`. `effective_from` is left open because the regulation's start was
    /// postponed during COVID-19; set it to the confirmed date to stop flagging older placements.
    fn default() -> Self {
        ZeroCostPolicy {
            legal_source: PERBAN_BP2MI_9_2020.to_string(),
            effective_from: None,
            job_types: ZERO_COST_JOB_TYPES.into_iter().map(JobType::seed).collect(),
            cost_items: CostItem::ALL.into_iter().filter(|i| *i != CostItem::Other).collect(),
            exemptions: vec![ZeroCostExemption {
                destination: CountryCode::seed(b"TW"),
                since: date!(2022 - 01 - 01),
                until: None,
                legal_source: "Exemption of Taiwan from Peraturan BP2MI 9/2020 from 2022-01-01".to_string(),
            }],
        }
    }
}

/// The default days without contact before a worker abroad is flagged.
pub const NO_CONTACT_DAYS: i64 = 90;

impl Default for Policy {
    fn default() -> Self {
        Policy { bans: default_bans(), zero_cost: ZeroCostPolicy::default(), no_contact_days: NO_CONTACT_DAYS }
    }
}

/// A risk found in an episode, with the facts that explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RiskFlag {
    /// Under `MINIMUM_AGE` on the departure date (or, before departure, the planned date or
    /// today, whichever is later).
    UnderAgeAtDeparture {
        age: i32,
        on: Date,
    },
    /// `agency_recorded`: a recruiter is recorded but is not a licensed P3MI; otherwise a P3MI
    /// placement with no agency recorded.
    AgencyNotLicensed {
        agency_recorded: bool,
    },
    AgencySuspended,
    AgencyRevoked,
    /// The licence ended before `on` (the departure date, or today before departure).
    AgencyLicenceExpired {
        expired_on: Date,
        on: Date,
    },
    /// `recorded`: a job order is recorded but not verified; otherwise a P3MI placement with no
    /// job order.
    JobOrderUnverified {
        recorded: bool,
    },
    JobOrderExpired {
        valid_until: Date,
        on: Date,
    },
    PlacementBan {
        destination: CountryCode,
        legal_source: String,
        since: Date,
    },
    MissingDocumentsAtDeparture {
        missing: Vec<DocumentKind>,
    },
    /// Covered items the worker was charged (each once) and their total.
    ZeroCostViolation {
        items: Vec<CostItem>,
        total: Rupiah,
    },
    /// `since`: the later of the last contact and the departure; `None` when neither is known.
    NoContactAbroad {
        since: Option<Date>,
        days: Option<i64>,
    },
    DepartedWithoutPlacementAgreement,
    /// From the placement agreement until the worker returns: no BPJS Ketenagakerjaan
    /// membership (`valid_until` is `None`), an inactive one, or one ending before `on`, the
    /// departure date (today before departure).
    SocialSecurityNotValid {
        valid_until: Option<Date>,
        active: bool,
        on: Option<Date>,
    },
    /// `missing` are the document codes as given to the transition.
    DepartedWithMissingDocuments {
        missing: Vec<String>,
        override_reason: String,
    },
    /// The recruiter is a broker the community reported `reports` times; `linked`: an officer
    /// tied the broker to this episode, otherwise the recruiter's name is one reported in the
    /// episode's district.
    RecruiterReportedBroker {
        broker_id: i64,
        name: String,
        reports: i64,
        linked: bool,
    },
}

impl RiskFlag {
    pub fn code(&self) -> RiskCode {
        match self {
            RiskFlag::UnderAgeAtDeparture { .. } => RiskCode::UnderAgeAtDeparture,
            RiskFlag::AgencyNotLicensed { .. } => RiskCode::AgencyNotLicensed,
            RiskFlag::AgencySuspended => RiskCode::AgencySuspended,
            RiskFlag::AgencyRevoked => RiskCode::AgencyRevoked,
            RiskFlag::AgencyLicenceExpired { .. } => RiskCode::AgencyLicenceExpired,
            RiskFlag::JobOrderUnverified { .. } => RiskCode::JobOrderUnverified,
            RiskFlag::JobOrderExpired { .. } => RiskCode::JobOrderExpired,
            RiskFlag::PlacementBan { .. } => RiskCode::PlacementBan,
            RiskFlag::MissingDocumentsAtDeparture { .. } => RiskCode::MissingDocumentsAtDeparture,
            RiskFlag::ZeroCostViolation { .. } => RiskCode::ZeroCostViolation,
            RiskFlag::NoContactAbroad { .. } => RiskCode::NoContactAbroad,
            RiskFlag::DepartedWithoutPlacementAgreement => RiskCode::DepartedWithoutPlacementAgreement,
            RiskFlag::SocialSecurityNotValid { .. } => RiskCode::SocialSecurityNotValid,
            RiskFlag::DepartedWithMissingDocuments { .. } => RiskCode::DepartedWithMissingDocuments,
            RiskFlag::RecruiterReportedBroker { .. } => RiskCode::RecruiterReportedBroker,
        }
    }

    /// One English sentence naming the rule and the facts. The UI translates by `code()`.
    pub fn explanation(&self) -> String {
        fn list<T: std::fmt::Display>(items: &[T]) -> String {
            items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
        }
        match self {
            RiskFlag::UnderAgeAtDeparture { age, on } => format!(
                "The worker is {age} on {on}, the departure date; the minimum age for placement is {MINIMUM_AGE} \
                 and placing a minor is a crime."
            ),
            RiskFlag::AgencyNotLicensed { agency_recorded: true } => {
                "The recruiter is not in the registry of licensed placement companies (P3MI).".to_string()
            }
            RiskFlag::AgencyNotLicensed { agency_recorded: false } => {
                "The placement goes through a placement company, but no licensed P3MI is recorded.".to_string()
            }
            RiskFlag::AgencySuspended => "The placement company's licence is suspended.".to_string(),
            RiskFlag::AgencyRevoked => "The placement company's licence has been revoked.".to_string(),
            RiskFlag::AgencyLicenceExpired { expired_on, on } => {
                format!("The placement company's licence expired on {expired_on}, before {on}.")
            }
            RiskFlag::JobOrderUnverified { recorded: true } => {
                "The job order has not been verified by the labour attaché.".to_string()
            }
            RiskFlag::JobOrderUnverified { recorded: false } => {
                "No job order is recorded for a placement through a placement company.".to_string()
            }
            RiskFlag::JobOrderExpired { valid_until, on } => {
                format!("The job order was valid until {valid_until}, before {on}.")
            }
            RiskFlag::PlacementBan { destination, legal_source, since } => {
                format!("Placement of this kind to {destination} is banned since {since} by {legal_source}.")
            }
            RiskFlag::MissingDocumentsAtDeparture { missing } => {
                format!("The worker departed without these documents verified and current: {}.", list(missing))
            }
            RiskFlag::ZeroCostViolation { items, total } => format!(
                "The worker was charged {total} for {}, which the employer must pay for this job under the \
                 zero-cost placement rule.",
                list(items)
            ),
            RiskFlag::NoContactAbroad { since: Some(since), days: Some(days) } => {
                format!("No contact with the worker abroad for {days} days, since {since}.")
            }
            RiskFlag::NoContactAbroad { .. } => "No contact with the worker abroad has ever been recorded.".to_string(),
            RiskFlag::DepartedWithoutPlacementAgreement => {
                "The worker departed with no placement agreement recorded.".to_string()
            }
            RiskFlag::SocialSecurityNotValid { valid_until: None, .. } => {
                "No BPJS Ketenagakerjaan membership is recorded; a worker must be insured before departure.".to_string()
            }
            RiskFlag::SocialSecurityNotValid { active: false, .. } => {
                "The worker's BPJS Ketenagakerjaan membership is inactive.".to_string()
            }
            RiskFlag::SocialSecurityNotValid { valid_until: Some(until), on, .. } => match on {
                Some(on) => format!("The BPJS Ketenagakerjaan membership was valid until {until}, before {on}."),
                None => format!("The BPJS Ketenagakerjaan membership was valid until {until}."),
            },
            RiskFlag::DepartedWithMissingDocuments { missing, override_reason } => format!(
                "A supervisor let the worker depart with documents missing ({}), giving the reason \
                 \"{override_reason}\".",
                list(missing)
            ),
            RiskFlag::RecruiterReportedBroker { name, reports, linked: true, .. } => format!(
                "An officer linked the recruiter to the broker \"{name}\", reported {reports} time(s) as an illegal \
                 recruiter (calo)."
            ),
            RiskFlag::RecruiterReportedBroker { name, reports, linked: false, .. } => format!(
                "The recruiter's name matches the broker \"{name}\", reported {reports} time(s) as an illegal \
                 recruiter (calo) in this district."
            ),
        }
    }
}

/// Full years between `birth` and `on`. Someone born on 29 February comes of age on 1 March in a
/// common year.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let before_birthday = (on.month() as u8, on.day()) < (birth.month() as u8, birth.day());
    on.year() - birth.year() - i32::from(before_birthday)
}

/// The date the placement is judged on: the actual departure once departed (unknown if not
/// recorded); before that, the planned departure or today, whichever is later, since a past
/// planned date only means the departure slipped.
fn reference_date(facts: &EpisodeFacts, today: Date) -> Option<Date> {
    if facts.state.has_departed() {
        facts.departure_date
    } else {
        Some(facts.departure_date.map_or(today, |d| d.max(today)))
    }
}

/// Every risk flag the facts raise, in `RiskCode::ALL` order.
///
/// A cancelled episode will never depart, so departure-related flags are dropped; the flags
/// about the recruiter and the costs charged remain, because they call for a report or a
/// refund. `DepartedWithMissingDocuments` comes from the departure step, not from here.
pub fn evaluate(facts: &EpisodeFacts, policy: &Policy, today: Date) -> Vec<RiskFlag> {
    let mut flags = Vec::new();
    let cancelled = facts.state == EpisodeState::Cancelled;
    let on = reference_date(facts, today);

    if !cancelled
        && let (Some(birth), Some(on)) = (facts.birth_date, on)
        && birth <= on
    {
        let age = age_on(birth, on);
        if age < MINIMUM_AGE {
            flags.push(RiskFlag::UnderAgeAtDeparture { age, on });
        }
    }

    match facts.agency {
        Some(AgencyFacts::NotInRegistry) => flags.push(RiskFlag::AgencyNotLicensed { agency_recorded: true }),
        None if facts.scheme == Some(Scheme::P3mi) && !cancelled => {
            flags.push(RiskFlag::AgencyNotLicensed { agency_recorded: false })
        }
        None => {}
        Some(AgencyFacts::Registered { status, licence_valid_until }) => {
            match status {
                AgencyStatus::Active => {}
                AgencyStatus::Suspended => flags.push(RiskFlag::AgencySuspended),
                AgencyStatus::Revoked => flags.push(RiskFlag::AgencyRevoked),
            }
            if !cancelled
                && let Some(on) = on
                && licence_valid_until < on
            {
                flags.push(RiskFlag::AgencyLicenceExpired { expired_on: licence_valid_until, on });
            }
        }
    }

    if !cancelled {
        match facts.job_order {
            Some(JobOrderFacts { verified, valid_until }) => {
                if !verified {
                    flags.push(RiskFlag::JobOrderUnverified { recorded: true });
                }
                if let (Some(valid_until), Some(on)) = (valid_until, on)
                    && valid_until < on
                {
                    flags.push(RiskFlag::JobOrderExpired { valid_until, on });
                }
            }
            None if facts.scheme == Some(Scheme::P3mi) => flags.push(RiskFlag::JobOrderUnverified { recorded: false }),
            None => {}
        }
    }

    if !cancelled && let (Some(destination), Some(on)) = (facts.destination.as_ref(), on) {
        let extension = facts.scheme == Some(Scheme::Extension);
        if let Some(ban) = policy.bans.iter().find(|b| {
            b.covers(destination, facts.category, facts.job_type.as_ref(), on) && !(extension && b.allows_extension)
        }) {
            flags.push(RiskFlag::PlacementBan {
                destination: ban.destination,
                legal_source: ban.legal_source.clone(),
                since: ban.since,
            });
        }
    }

    if facts.state.has_departed() && !facts.missing_documents.is_empty() {
        let mut missing = Vec::new();
        for k in &facts.missing_documents {
            if !missing.contains(k) {
                missing.push(*k);
            }
        }
        flags.push(RiskFlag::MissingDocumentsAtDeparture { missing });
    }

    if let Some(flag) = zero_cost(facts, &policy.zero_cost, on) {
        flags.push(flag);
    }

    if matches!(facts.state, EpisodeState::Departed | EpisodeState::Abroad) {
        let since = match (facts.last_contact, facts.departure_date) {
            (Some(c), Some(d)) => Some(c.max(d)),
            (c, d) => c.or(d),
        };
        match since {
            None => flags.push(RiskFlag::NoContactAbroad { since: None, days: None }),
            Some(since) => {
                let days = (today - since).whole_days();
                if days > policy.no_contact_days {
                    flags.push(RiskFlag::NoContactAbroad { since: Some(since), days: Some(days) });
                }
            }
        }
    }

    if facts.state.has_departed() && !facts.has_placement_agreement {
        flags.push(RiskFlag::DepartedWithoutPlacementAgreement);
    }

    if let Some(flag) = social_security(facts, on) {
        flags.push(flag);
    }

    // Like the recruiter flags above, it stays after a cancellation: the broker is still at work.
    if let Some(b) = &facts.reported_broker {
        flags.push(RiskFlag::RecruiterReportedBroker {
            broker_id: b.broker_id,
            name: b.name.clone(),
            reports: b.reports,
            linked: b.linked,
        });
    }

    flags
}

/// The BPJS Ketenagakerjaan flag: from the placement agreement (departure is near) until the
/// return, when the membership is missing, inactive, or ends before the departure date. Silent
/// when the membership was not looked up, and after the return or a cancellation.
fn social_security(facts: &EpisodeFacts, on: Option<Date>) -> Option<RiskFlag> {
    let near_or_away =
        matches!(facts.state, EpisodeState::PlacementAgreed | EpisodeState::Departed | EpisodeState::Abroad);
    if !near_or_away {
        return None;
    }
    match facts.social_security? {
        SocialSecurity::NotRecorded => Some(RiskFlag::SocialSecurityNotValid { valid_until: None, active: false, on }),
        SocialSecurity::Member { status, valid_until } => {
            let active = status == BpjsStatus::Aktif;
            let ends_before = on.is_some_and(|on| valid_until < on);
            (!active || ends_before).then_some(RiskFlag::SocialSecurityNotValid {
                valid_until: Some(valid_until),
                active,
                on,
            })
        }
    }
}

/// The zero-cost flag, when a covered job in a non-exempt destination was charged a covered
/// item. Silent when the job or destination is unknown, or when the date needed to apply an
/// exemption or the start date is unknown.
fn zero_cost(facts: &EpisodeFacts, rule: &ZeroCostPolicy, on: Option<Date>) -> Option<RiskFlag> {
    let job = facts.job_type.as_ref()?;
    let destination = facts.destination.as_ref()?;
    if !rule.job_types.contains(job) {
        return None;
    }
    if let Some(start) = rule.effective_from
        && on.is_none_or(|on| on < start)
    {
        return None;
    }
    let exemptions: Vec<&ZeroCostExemption> =
        rule.exemptions.iter().filter(|e| e.destination == *destination).collect();
    if !exemptions.is_empty() {
        let on = on?;
        if exemptions.iter().any(|e| e.since <= on && e.until.is_none_or(|u| on <= u)) {
            return None;
        }
    }
    let charged: Vec<&CostCharge> =
        facts.costs_charged.iter().filter(|c| !c.amount.is_zero() && rule.cost_items.contains(&c.item)).collect();
    if charged.is_empty() {
        return None;
    }
    let mut items = Vec::new();
    for c in &charged {
        if !items.contains(&c.item) {
            items.push(c.item);
        }
    }
    // Saturating: a total past 9.2 × 10¹⁸ rupiah is a typing slip, and still a violation.
    let total = Rupiah::sum(charged.iter().map(|c| c.amount)).unwrap_or(Rupiah::MAX);
    Some(RiskFlag::ZeroCostViolation { items, total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TODAY: Date = date!(2026 - 03 - 15);

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap_or_else(|| panic!("bad test country {code}"))
    }

    fn job(code: &str) -> JobType {
        JobType::parse(code).unwrap_or_else(|| panic!("bad test job {code}"))
    }

    fn rp(amount: i64) -> Rupiah {
        Rupiah::new(amount).unwrap_or_else(|| panic!("bad test amount {amount}"))
    }

    /// A worker abroad in Hong Kong through a licensed agency, everything in order.
    fn clean() -> EpisodeFacts {
        EpisodeFacts {
            category: Some(Category::HouseholdEmployer),
            scheme: Some(Scheme::P3mi),
            birth_date: Some(date!(1995 - 06 - 01)),
            departure_date: Some(date!(2025 - 11 - 01)),
            agency: Some(AgencyFacts::Registered {
                status: AgencyStatus::Active,
                licence_valid_until: date!(2029 - 01 - 01),
            }),
            job_order: Some(JobOrderFacts { verified: true, valid_until: Some(date!(2026 - 12 - 31)) }),
            destination: Some(country("HK")),
            job_type: Some(job("housekeeper")),
            last_contact: Some(date!(2026 - 03 - 01)),
            has_placement_agreement: true,
            social_security: Some(SocialSecurity::Member {
                status: BpjsStatus::Aktif,
                valid_until: date!(2027 - 12 - 31),
            }),
            ..EpisodeFacts::new(EpisodeState::Abroad)
        }
    }

    fn run(facts: &EpisodeFacts) -> Vec<RiskFlag> {
        evaluate(facts, &Policy::default(), TODAY)
    }

    fn codes(facts: &EpisodeFacts) -> Vec<RiskCode> {
        run(facts).iter().map(RiskFlag::code).collect()
    }

    #[test]
    fn a_clean_episode_raises_nothing() {
        assert_eq!(run(&clean()), []);
        for state in EpisodeState::ALL {
            let facts = EpisodeFacts { state, ..clean() };
            assert_eq!(run(&facts), [], "{state}");
        }
    }

    #[test]
    fn codes_round_trip_and_every_flag_explains_itself() {
        assert_eq!(RiskCode::ALL.len(), 15);
        for c in RiskCode::ALL {
            assert_eq!(RiskCode::parse(c.as_str()), Some(c));
        }
        for c in CostItem::ALL {
            assert_eq!(CostItem::parse(c.as_str()), Some(c));
        }
        let every = [
            RiskFlag::UnderAgeAtDeparture { age: 17, on: TODAY },
            RiskFlag::AgencyNotLicensed { agency_recorded: true },
            RiskFlag::AgencySuspended,
            RiskFlag::AgencyRevoked,
            RiskFlag::AgencyLicenceExpired { expired_on: TODAY, on: TODAY },
            RiskFlag::JobOrderUnverified { recorded: true },
            RiskFlag::JobOrderExpired { valid_until: TODAY, on: TODAY },
            RiskFlag::PlacementBan { destination: country("SA"), legal_source: "X".into(), since: TODAY },
            RiskFlag::MissingDocumentsAtDeparture { missing: vec![DocumentKind::Passport] },
            RiskFlag::ZeroCostViolation { items: vec![CostItem::Visa], total: rp(1) },
            RiskFlag::NoContactAbroad { since: None, days: None },
            RiskFlag::DepartedWithoutPlacementAgreement,
            RiskFlag::SocialSecurityNotValid { valid_until: Some(TODAY), active: true, on: Some(TODAY) },
            RiskFlag::DepartedWithMissingDocuments { missing: vec!["passport".into()], override_reason: "r".into() },
            RiskFlag::RecruiterReportedBroker { broker_id: 1, name: "Joko".into(), reports: 2, linked: true },
        ];
        let got: Vec<RiskCode> = every.iter().map(RiskFlag::code).collect();
        assert_eq!(got, RiskCode::ALL);
        for f in [
            RiskFlag::SocialSecurityNotValid { valid_until: None, active: false, on: None },
            RiskFlag::SocialSecurityNotValid { valid_until: Some(TODAY), active: false, on: None },
            RiskFlag::SocialSecurityNotValid { valid_until: Some(TODAY), active: true, on: None },
        ] {
            assert!(f.explanation().starts_with("The") || f.explanation().starts_with("No"), "{f:?}");
        }
        for f in &every {
            let text = f.explanation();
            assert!(text.ends_with('.'), "{text}");
            assert!(text.chars().next().is_some_and(char::is_uppercase), "{text}");
        }
    }

    #[test]
    fn a_reported_broker_is_flagged_even_after_a_cancellation_and_says_how_it_was_found() {
        let broker =
            crate::brokers::ReportedBroker { broker_id: 7, name: "Pak Joko".into(), reports: 3, linked: false };
        for state in [EpisodeState::Registered, EpisodeState::Cancelled] {
            let facts = EpisodeFacts { state, reported_broker: Some(broker.clone()), ..clean() };
            let flags = run(&facts);
            assert_eq!(flags.len(), 1, "{state}");
            assert_eq!(flags[0].code(), RiskCode::RecruiterReportedBroker);
            assert!(flags[0].explanation().contains("matches the broker \"Pak Joko\", reported 3"));
        }
    }

    #[test]
    fn seeds_are_valid_codes() {
        let bans = default_bans();
        assert_eq!(bans.len(), 21);
        let mut seen: Vec<CountryCode> = Vec::new();
        for b in &bans {
            assert_eq!(CountryCode::parse(b.destination.as_str()), Some(b.destination));
            assert!(!seen.contains(&b.destination), "{} twice", b.destination);
            seen.push(b.destination);
            assert_eq!(b.category, Some(Category::HouseholdEmployer));
            assert_eq!(b.legal_source, KEPMENAKER_260_2015);
            assert_eq!((b.since, b.until, b.allows_extension), (date!(2015 - 07 - 01), None, true));
        }
        for code in ["SA", "AE", "QA", "KW", "JO", "EG", "SY"] {
            assert!(seen.contains(&country(code)), "{code}");
        }
        let zero = ZeroCostPolicy::default();
        assert_eq!(zero.job_types.len(), 10);
        for j in &zero.job_types {
            assert_eq!(JobType::parse(j.as_str()).as_ref(), Some(j));
        }
        assert_eq!(zero.cost_items.len(), 12);
        assert!(!zero.cost_items.contains(&CostItem::Other));
        assert_eq!(zero.exemptions.len(), 1);
        assert_eq!((zero.exemptions[0].destination, zero.exemptions[0].since), (country("TW"), date!(2022 - 01 - 01)));
        assert_eq!(Policy::default().no_contact_days, 90);
    }

    #[test]
    fn age_counts_full_years() {
        let birth = date!(2008 - 03 - 16);
        assert_eq!(age_on(birth, date!(2026 - 03 - 15)), 17);
        assert_eq!(age_on(birth, date!(2026 - 03 - 16)), 18);
        assert_eq!(age_on(birth, date!(2026 - 12 - 31)), 18);
        assert_eq!(age_on(birth, birth), 0);
        // Born on 29 February: of age on 1 March in a common year, on 29 February in a leap year.
        let leap = date!(2008 - 02 - 29);
        assert_eq!(age_on(leap, date!(2026 - 02 - 28)), 17);
        assert_eq!(age_on(leap, date!(2026 - 03 - 01)), 18);
        assert_eq!(age_on(leap, date!(2028 - 02 - 29)), 20);
    }

    #[test]
    fn under_age_on_the_departure_date() {
        // Turns 18 on 2025-11-02, departed the day before.
        let facts = EpisodeFacts { birth_date: Some(date!(2007 - 11 - 02)), ..clean() };
        let flags = run(&facts);
        assert_eq!(flags, [RiskFlag::UnderAgeAtDeparture { age: 17, on: date!(2025 - 11 - 01) }]);
        assert_eq!(flags[0].code().as_str(), "under_age_at_departure");
        assert_eq!(
            flags[0].explanation(),
            "The worker is 17 on 2025-11-01, the departure date; the minimum age for placement is 18 and placing a \
             minor is a crime."
        );
        // Departing on the 18th birthday is allowed.
        let facts = EpisodeFacts { birth_date: Some(date!(2007 - 11 - 01)), ..clean() };
        assert_eq!(run(&facts), []);
        // Departed, but the departure date was never recorded: nothing to judge on.
        let facts = EpisodeFacts { birth_date: Some(date!(2010 - 01 - 01)), departure_date: None, ..clean() };
        assert!(!codes(&facts).contains(&RiskCode::UnderAgeAtDeparture));
    }

    #[test]
    fn under_age_before_departure_uses_the_later_of_plan_and_today() {
        let pending = |departure_date| EpisodeFacts {
            state: EpisodeState::Verified,
            birth_date: Some(date!(2008 - 06 - 01)),
            departure_date,
            ..clean()
        };
        // No plan: 17 today.
        assert_eq!(run(&pending(None)), [RiskFlag::UnderAgeAtDeparture { age: 17, on: TODAY }]);
        // Planned after the 18th birthday: fine.
        assert_eq!(run(&pending(Some(date!(2026 - 06 - 01)))), []);
        // A plan in the past means the departure slipped: judged on today.
        assert_eq!(run(&pending(Some(date!(2025 - 01 - 01)))), [RiskFlag::UnderAgeAtDeparture { age: 17, on: TODAY }]);
        // Cancelled: will never depart.
        let facts = EpisodeFacts { state: EpisodeState::Cancelled, ..pending(None) };
        assert_eq!(run(&facts), []);
        // A birth date after the reference date is a typing slip, not this rule's business.
        let facts = EpisodeFacts { birth_date: Some(date!(2027 - 01 - 01)), ..pending(None) };
        assert_eq!(run(&facts), []);
    }

    #[test]
    fn unlicensed_recruiters() {
        let broker = EpisodeFacts { agency: Some(AgencyFacts::NotInRegistry), ..clean() };
        let flags = run(&broker);
        assert_eq!(flags, [RiskFlag::AgencyNotLicensed { agency_recorded: true }]);
        assert!(flags[0].explanation().contains("not in the registry"));
        // A broker is reported even when the episode was cancelled.
        let cancelled = EpisodeFacts { state: EpisodeState::Cancelled, ..broker };
        assert_eq!(codes(&cancelled), [RiskCode::AgencyNotLicensed]);

        let no_agency = EpisodeFacts { agency: None, ..clean() };
        assert_eq!(run(&no_agency), [RiskFlag::AgencyNotLicensed { agency_recorded: false }]);
        for scheme in [None, Some(Scheme::Independent), Some(Scheme::G2g), Some(Scheme::OwnCompany)] {
            let facts = EpisodeFacts { scheme, agency: None, job_order: None, ..clean() };
            assert_eq!(run(&facts), [], "{scheme:?}");
        }
        let cancelled = EpisodeFacts { state: EpisodeState::Cancelled, ..no_agency };
        assert_eq!(run(&cancelled), []);
    }

    #[test]
    fn agency_status_and_licence() {
        let agency = |status, until| EpisodeFacts {
            agency: Some(AgencyFacts::Registered { status, licence_valid_until: until }),
            ..clean()
        };
        let far = date!(2030 - 01 - 01);
        assert_eq!(codes(&agency(AgencyStatus::Suspended, far)), [RiskCode::AgencySuspended]);
        assert_eq!(codes(&agency(AgencyStatus::Revoked, far)), [RiskCode::AgencyRevoked]);
        // Expired before the departure.
        let expired = run(&agency(AgencyStatus::Active, date!(2025 - 10 - 31)));
        assert_eq!(
            expired,
            [RiskFlag::AgencyLicenceExpired { expired_on: date!(2025 - 10 - 31), on: date!(2025 - 11 - 01) }]
        );
        assert_eq!(
            expired[0].explanation(),
            "The placement company's licence expired on 2025-10-31, before 2025-11-01."
        );
        // Valid on the departure day, expired since: the placement was lawful.
        assert_eq!(run(&agency(AgencyStatus::Active, date!(2025 - 11 - 01))), []);
        // Before departure, judged on today.
        let pending = EpisodeFacts {
            state: EpisodeState::PlacementAgreed,
            departure_date: None,
            ..agency(AgencyStatus::Active, date!(2026 - 03 - 14))
        };
        assert_eq!(codes(&pending), [RiskCode::AgencyLicenceExpired]);
        // Status and expiry together; a cancelled episode keeps the status but not the expiry.
        let both = agency(AgencyStatus::Revoked, date!(2020 - 01 - 01));
        assert_eq!(codes(&both), [RiskCode::AgencyRevoked, RiskCode::AgencyLicenceExpired]);
        let both = EpisodeFacts { state: EpisodeState::Cancelled, ..both };
        assert_eq!(codes(&both), [RiskCode::AgencyRevoked]);
    }

    #[test]
    fn job_orders() {
        let unverified =
            EpisodeFacts { job_order: Some(JobOrderFacts { verified: false, valid_until: None }), ..clean() };
        assert_eq!(run(&unverified), [RiskFlag::JobOrderUnverified { recorded: true }]);
        // Recorded job orders are checked whatever the scheme.
        let g2g = EpisodeFacts { scheme: Some(Scheme::G2g), agency: None, ..unverified };
        assert_eq!(codes(&g2g), [RiskCode::JobOrderUnverified]);
        // A P3MI placement needs one; other schemes do not.
        let none = EpisodeFacts { job_order: None, ..clean() };
        assert_eq!(run(&none), [RiskFlag::JobOrderUnverified { recorded: false }]);
        let independent = EpisodeFacts { scheme: Some(Scheme::Independent), agency: None, ..none };
        assert_eq!(run(&independent), []);

        let order = |until| EpisodeFacts {
            job_order: Some(JobOrderFacts { verified: true, valid_until: Some(until) }),
            ..clean()
        };
        assert_eq!(
            run(&order(date!(2025 - 10 - 01))),
            [RiskFlag::JobOrderExpired { valid_until: date!(2025 - 10 - 01), on: date!(2025 - 11 - 01) }]
        );
        assert_eq!(run(&order(date!(2025 - 11 - 01))), []);
        let cancelled = EpisodeFacts { state: EpisodeState::Cancelled, ..order(date!(2020 - 01 - 01)) };
        assert_eq!(run(&cancelled), []);
    }

    #[test]
    fn household_placement_to_the_middle_east_is_banned() {
        let saudi = EpisodeFacts { destination: Some(country("SA")), ..clean() };
        let flags = run(&saudi);
        assert_eq!(
            flags,
            [RiskFlag::PlacementBan {
                destination: country("SA"),
                legal_source: KEPMENAKER_260_2015.into(),
                since: date!(2015 - 07 - 01)
            }]
        );
        assert!(
            flags[0].explanation().starts_with("Placement of this kind to SA is banned since 2015-07-01 by Keputusan")
        );
        // A company employer is not under this ban, nor an unknown category.
        for category in [Some(Category::LegalEntityEmployer), Some(Category::ShipCrew), None] {
            assert_eq!(run(&EpisodeFacts { category, ..saudi.clone() }), [], "{category:?}");
        }
        // Departed before the ban.
        assert_eq!(run(&EpisodeFacts { departure_date: Some(date!(2015 - 06 - 30)), ..saudi.clone() }), []);
        assert_eq!(
            codes(&EpisodeFacts { departure_date: Some(date!(2015 - 07 - 01)), ..saudi.clone() }),
            [RiskCode::PlacementBan]
        );
        // Workers already there may extend.
        assert_eq!(run(&EpisodeFacts { scheme: Some(Scheme::Extension), agency: None, ..saudi.clone() }), []);
        // Not yet departed: judged on today.
        let pending = EpisodeFacts { state: EpisodeState::Verified, departure_date: None, ..saudi.clone() };
        assert_eq!(codes(&pending), [RiskCode::PlacementBan]);
        assert_eq!(run(&EpisodeFacts { state: EpisodeState::Cancelled, ..pending }), []);
        // Other destinations are open.
        for code in ["HK", "TW", "MY", "SG"] {
            assert_eq!(run(&EpisodeFacts { destination: Some(country(code)), ..clean() }), [], "{code}");
        }
    }

    #[test]
    fn ban_entries_restrict_by_job_and_end() {
        let policy = Policy {
            bans: vec![BanEntry {
                destination: country("MY"),
                category: None,
                job_type: Some(job("farm_worker")),
                legal_source: "Test decree".into(),
                since: date!(2020 - 01 - 01),
                until: Some(date!(2025 - 12 - 31)),
                allows_extension: false,
            }],
            ..Policy::default()
        };
        let facts = EpisodeFacts {
            destination: Some(country("MY")),
            job_type: Some(job("farm_worker")),
            category: Some(Category::LegalEntityEmployer),
            departure_date: Some(date!(2025 - 12 - 31)),
            ..clean()
        };
        let run_with = |f: &EpisodeFacts| evaluate(f, &policy, TODAY).iter().map(RiskFlag::code).collect::<Vec<_>>();
        assert_eq!(run_with(&facts), [RiskCode::PlacementBan]);
        // The last day is inside; the day after is not.
        assert_eq!(run_with(&EpisodeFacts { departure_date: Some(date!(2026 - 01 - 01)), ..facts.clone() }), []);
        // Another job, or an unknown one, is not under a job-specific ban.
        assert_eq!(run_with(&EpisodeFacts { job_type: Some(job("welder")), ..facts.clone() }), []);
        assert_eq!(run_with(&EpisodeFacts { job_type: None, ..facts.clone() }), []);
        // This ban does not allow extensions.
        assert_eq!(
            run_with(&EpisodeFacts { scheme: Some(Scheme::Extension), agency: None, ..facts }),
            [RiskCode::PlacementBan]
        );
    }

    #[test]
    fn missing_documents_at_departure() {
        use DocumentKind::*;
        let facts = EpisodeFacts { missing_documents: vec![BpjsCard, Passport, BpjsCard], ..clean() };
        let flags = run(&facts);
        assert_eq!(flags, [RiskFlag::MissingDocumentsAtDeparture { missing: vec![BpjsCard, Passport] }]);
        assert_eq!(
            flags[0].explanation(),
            "The worker departed without these documents verified and current: bpjs_card, passport."
        );
        // Before departure missing documents are the state machine's business, not a risk.
        let pending = EpisodeFacts { state: EpisodeState::PlacementAgreed, ..facts };
        assert_eq!(run(&pending), []);
    }

    #[test]
    fn zero_cost_violation_names_the_items() {
        let charge = |item, amount| CostCharge { item, amount: rp(amount) };
        let facts = EpisodeFacts {
            costs_charged: vec![
                charge(CostItem::AgencyFee, 10_000_000),
                charge(CostItem::Tickets, 2_500_000),
                charge(CostItem::AgencyFee, 1_000_000),
                charge(CostItem::Other, 300_000),
                charge(CostItem::Medicals, 0),
            ],
            ..clean()
        };
        let flags = run(&facts);
        assert_eq!(
            flags,
            [RiskFlag::ZeroCostViolation {
                items: vec![CostItem::AgencyFee, CostItem::Tickets],
                total: rp(13_500_000)
            }]
        );
        assert_eq!(
            flags[0].explanation(),
            "The worker was charged Rp 13.500.000 for agency_fee, tickets, which the employer must pay for this job \
             under the zero-cost placement rule."
        );
        // Uncovered items and zero amounts alone raise nothing.
        let harmless = EpisodeFacts {
            costs_charged: vec![charge(CostItem::Other, 500_000), charge(CostItem::Visa, 0)],
            ..clean()
        };
        assert_eq!(run(&harmless), []);
        // Jobs outside the ten are not covered.
        assert_eq!(run(&EpisodeFacts { job_type: Some(job("welder")), ..facts.clone() }), []);
        // Every covered job is.
        for j in ZERO_COST_JOB_TYPES {
            assert_eq!(
                codes(&EpisodeFacts { job_type: Some(job(j)), ..facts.clone() }),
                [RiskCode::ZeroCostViolation],
                "{j}"
            );
        }
        // Unknown job or destination: silent.
        assert_eq!(run(&EpisodeFacts { job_type: None, ..facts.clone() }), []);
        assert_eq!(run(&EpisodeFacts { destination: None, ..facts.clone() }), []);
        // Fees are a refund matter even when the episode was cancelled.
        let cancelled = EpisodeFacts { state: EpisodeState::Cancelled, departure_date: None, ..facts };
        assert_eq!(codes(&cancelled), [RiskCode::ZeroCostViolation]);
    }

    #[test]
    fn taiwan_is_exempt_since_2022() {
        let facts = EpisodeFacts {
            destination: Some(country("TW")),
            costs_charged: vec![CostCharge { item: CostItem::AgencyFee, amount: rp(20_000_000) }],
            ..clean()
        };
        assert_eq!(run(&facts), []);
        assert_eq!(run(&EpisodeFacts { departure_date: Some(date!(2022 - 01 - 01)), ..facts.clone() }), []);
        assert_eq!(
            codes(&EpisodeFacts { departure_date: Some(date!(2021 - 12 - 31)), ..facts.clone() }),
            [RiskCode::ZeroCostViolation]
        );
        // With an exemption on the books but no date to apply it to: silent.
        assert_eq!(run(&EpisodeFacts { departure_date: None, ..facts }), []);
    }

    #[test]
    fn zero_cost_effective_date() {
        let mut policy = Policy::default();
        policy.zero_cost.effective_from = Some(date!(2021 - 07 - 15));
        let facts = EpisodeFacts {
            costs_charged: vec![CostCharge { item: CostItem::Training, amount: rp(5_000_000) }],
            departure_date: Some(date!(2021 - 07 - 14)),
            ..clean()
        };
        assert!(!evaluate(&facts, &policy, TODAY).iter().any(|f| f.code() == RiskCode::ZeroCostViolation));
        let later = EpisodeFacts { departure_date: Some(date!(2021 - 07 - 15)), ..facts.clone() };
        assert!(evaluate(&later, &policy, TODAY).iter().any(|f| f.code() == RiskCode::ZeroCostViolation));
        let unknown = EpisodeFacts { departure_date: None, ..facts };
        assert!(!evaluate(&unknown, &policy, TODAY).iter().any(|f| f.code() == RiskCode::ZeroCostViolation));
    }

    #[test]
    fn no_contact_for_more_than_ninety_days() {
        let facts = |last| EpisodeFacts { last_contact: Some(last), ..clean() };
        assert_eq!(run(&facts(date!(2025 - 12 - 15))), []); // 90 days
        let flags = run(&facts(date!(2025 - 12 - 14)));
        assert_eq!(flags, [RiskFlag::NoContactAbroad { since: Some(date!(2025 - 12 - 14)), days: Some(91) }]);
        assert_eq!(flags[0].explanation(), "No contact with the worker abroad for 91 days, since 2025-12-14.");
        // Contact before leaving does not count: the clock starts at the departure.
        let early = EpisodeFacts {
            last_contact: Some(date!(2025 - 01 - 01)),
            departure_date: Some(date!(2026 - 01 - 01)),
            ..clean()
        };
        assert_eq!(run(&early), []);
        let early = EpisodeFacts { departure_date: Some(date!(2025 - 11 - 01)), ..early };
        assert_eq!(run(&early), [RiskFlag::NoContactAbroad { since: Some(date!(2025 - 11 - 01)), days: Some(134) }]);
        // Never heard from, nothing known.
        let never = EpisodeFacts { last_contact: None, departure_date: None, ..clean() };
        let flags = run(&never);
        assert_eq!(flags, [RiskFlag::NoContactAbroad { since: None, days: None }]);
        assert_eq!(flags[0].explanation(), "No contact with the worker abroad has ever been recorded.");
        // Also while still "departed"; not once returned, nor before departure.
        let departed = EpisodeFacts { state: EpisodeState::Departed, ..facts(date!(2025 - 01 - 01)) };
        assert_eq!(codes(&departed), [RiskCode::NoContactAbroad]);
        for state in [EpisodeState::Returned, EpisodeState::PlacementAgreed, EpisodeState::Cancelled] {
            let f = EpisodeFacts { state, last_contact: None, departure_date: Some(date!(2026 - 04 - 01)), ..clean() };
            assert!(!codes(&f).contains(&RiskCode::NoContactAbroad), "{state}");
        }
        // The threshold is policy.
        let strict = Policy { no_contact_days: 30, ..Policy::default() };
        assert_eq!(evaluate(&facts(date!(2026 - 02 - 01)), &strict, TODAY).len(), 1);
    }

    #[test]
    fn departed_without_placement_agreement() {
        let facts = EpisodeFacts { has_placement_agreement: false, ..clean() };
        assert_eq!(run(&facts), [RiskFlag::DepartedWithoutPlacementAgreement]);
        for state in [EpisodeState::Departed, EpisodeState::Returned] {
            let f = EpisodeFacts { state, ..facts.clone() };
            assert!(codes(&f).contains(&RiskCode::DepartedWithoutPlacementAgreement), "{state}");
        }
        let pending = EpisodeFacts { state: EpisodeState::DocumentsComplete, ..facts };
        assert_eq!(run(&pending), []);
    }

    #[test]
    fn many_flags_come_in_code_order() {
        let facts = EpisodeFacts {
            birth_date: Some(date!(2010 - 01 - 01)),
            agency: Some(AgencyFacts::NotInRegistry),
            job_order: None,
            destination: Some(country("SA")),
            costs_charged: vec![CostCharge { item: CostItem::Passport, amount: rp(1_000_000) }],
            last_contact: None,
            departure_date: Some(date!(2025 - 01 - 01)),
            missing_documents: vec![DocumentKind::Passport],
            has_placement_agreement: false,
            ..clean()
        };
        assert_eq!(
            codes(&facts),
            [
                RiskCode::UnderAgeAtDeparture,
                RiskCode::AgencyNotLicensed,
                RiskCode::JobOrderUnverified,
                RiskCode::PlacementBan,
                RiskCode::MissingDocumentsAtDeparture,
                RiskCode::ZeroCostViolation,
                RiskCode::NoContactAbroad,
                RiskCode::DepartedWithoutPlacementAgreement,
            ]
        );
    }

    #[test]
    fn social_security_must_be_valid_at_departure() {
        let ss = |s| EpisodeFacts { social_security: Some(s), ..clean() };
        let missing = ss(SocialSecurity::NotRecorded);
        assert_eq!(
            run(&missing),
            [RiskFlag::SocialSecurityNotValid { valid_until: None, active: false, on: Some(date!(2025 - 11 - 01)) }]
        );
        let inactive = ss(SocialSecurity::Member { status: BpjsStatus::Nonaktif, valid_until: date!(2027 - 01 - 01) });
        assert_eq!(codes(&inactive), [RiskCode::SocialSecurityNotValid]);
        // Ended before the departure date: flagged; valid on the day: not.
        let ended = ss(SocialSecurity::Member { status: BpjsStatus::Aktif, valid_until: date!(2025 - 10 - 31) });
        assert_eq!(codes(&ended), [RiskCode::SocialSecurityNotValid]);
        let on_the_day = ss(SocialSecurity::Member { status: BpjsStatus::Aktif, valid_until: date!(2025 - 11 - 01) });
        assert_eq!(run(&on_the_day), []);
        // Before departure the planned date (or today) counts; early states and the return are silent.
        let planned = EpisodeFacts {
            state: EpisodeState::PlacementAgreed,
            departure_date: Some(date!(2026 - 04 - 01)),
            ..ss(SocialSecurity::Member { status: BpjsStatus::Aktif, valid_until: date!(2026 - 03 - 31) })
        };
        assert_eq!(codes(&planned), [RiskCode::SocialSecurityNotValid]);
        for state in [EpisodeState::Registered, EpisodeState::Verified, EpisodeState::Returned, EpisodeState::Cancelled]
        {
            assert_eq!(run(&EpisodeFacts { state, ..missing.clone() }), [], "{state}");
        }
        // Not looked up: no guess.
        assert_eq!(run(&EpisodeFacts { social_security: None, ..clean() }), []);
    }

    fn any_date() -> impl Strategy<Value = Option<Date>> {
        proptest::option::of((-12_000i64..=400).prop_map(|d| TODAY.saturating_add(time::Duration::days(d))))
    }

    prop_compose! {
        fn any_facts()(
            state in proptest::sample::select(EpisodeState::ALL.to_vec()),
            category in proptest::option::of(proptest::sample::select(Category::ALL.to_vec())),
            scheme in proptest::option::of(proptest::sample::select(Scheme::ALL.to_vec())),
            birth_date in any_date(),
            departure_date in any_date(),
            agency in proptest::option::of(prop_oneof![
                Just(AgencyFacts::NotInRegistry),
                (proptest::sample::select(AgencyStatus::ALL.to_vec()), any_date())
                    .prop_map(|(status, d)| AgencyFacts::Registered {
                        status,
                        licence_valid_until: d.unwrap_or(TODAY),
                    }),
            ]),
            job_order in proptest::option::of(
                (any::<bool>(), any_date()).prop_map(|(verified, valid_until)| JobOrderFacts { verified, valid_until }),
            ),
            destination in proptest::option::of(
                proptest::sample::select(vec!["SA", "TW", "HK", "MY"]).prop_map(country),
            ),
            job_type in proptest::option::of(
                proptest::sample::select(vec!["housekeeper", "welder", "fishing_crew"]).prop_map(job),
            ),
            costs in proptest::collection::vec(
                (proptest::sample::select(CostItem::ALL.to_vec()), 0i64..=50_000_000),
                0..5,
            ),
            last_contact in any_date(),
            has_placement_agreement in any::<bool>(),
            missing_documents in proptest::collection::vec(proptest::sample::select(DocumentKind::ALL.to_vec()), 0..4),
            social_security in proptest::option::of(prop_oneof![
                Just(SocialSecurity::NotRecorded),
                (proptest::sample::select(BpjsStatus::ALL.to_vec()), any_date())
                    .prop_map(|(status, d)| SocialSecurity::Member { status, valid_until: d.unwrap_or(TODAY) }),
            ]),
        ) -> EpisodeFacts {
            EpisodeFacts {
                state, category, scheme, birth_date, departure_date, agency, job_order, destination, job_type,
                costs_charged: costs.into_iter().map(|(item, a)| CostCharge { item, amount: rp(a) }).collect(),
                last_contact, has_placement_agreement, missing_documents, social_security, reported_broker: None,
            }
        }
    }

    proptest! {
        #[test]
        fn evaluate_is_ordered_unique_and_never_emits_the_override_flag(facts in any_facts()) {
            let flags = evaluate(&facts, &Policy::default(), TODAY);
            let codes: Vec<RiskCode> = flags.iter().map(RiskFlag::code).collect();
            let mut sorted = codes.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(&sorted, &codes);
            prop_assert!(!codes.contains(&RiskCode::DepartedWithMissingDocuments));
            for f in &flags {
                prop_assert!(!f.explanation().is_empty());
            }
        }

        #[test]
        fn departure_flags_need_a_departure(facts in any_facts()) {
            let codes: Vec<RiskCode> = evaluate(&facts, &Policy::default(), TODAY).iter().map(RiskFlag::code).collect();
            if !facts.state.has_departed() {
                prop_assert!(!codes.contains(&RiskCode::MissingDocumentsAtDeparture));
                prop_assert!(!codes.contains(&RiskCode::DepartedWithoutPlacementAgreement));
                prop_assert!(!codes.contains(&RiskCode::NoContactAbroad));
            }
            if facts.state == EpisodeState::Cancelled {
                let allowed = [
                    RiskCode::AgencyNotLicensed,
                    RiskCode::AgencySuspended,
                    RiskCode::AgencyRevoked,
                    RiskCode::ZeroCostViolation,
                ];
                prop_assert!(codes.iter().all(|c| allowed.contains(c)), "{:?}", codes);
            }
        }

        #[test]
        fn no_zero_cost_flag_without_a_covered_charge(facts in any_facts()) {
            let covered = ZeroCostPolicy::default();
            let covers = |c: &&CostCharge| covered.cost_items.contains(&c.item);
            let charged = facts.costs_charged.iter().filter(covers).any(|c| !c.amount.is_zero());
            let flags = evaluate(&facts, &Policy::default(), TODAY);
            let found = flags.iter().find(|f| f.code() == RiskCode::ZeroCostViolation);
            if let Some(RiskFlag::ZeroCostViolation { items, total }) = found {
                prop_assert!(charged);
                prop_assert!(!total.is_zero());
                prop_assert!(items.iter().all(|i| *i != CostItem::Other));
                let expected: i64 = facts.costs_charged.iter().filter(covers).map(|c| c.amount.amount()).sum();
                prop_assert_eq!(total.amount(), expected);
            }
        }
    }
}
