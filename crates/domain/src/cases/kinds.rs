//! What a case is about, how urgent it is, and who it can be referred to.
//!
//! The partner table here is a *default*: a partner's registry record starts from
//! [`default_services`] for its type and may be edited (a safe house that also has a clinic).
//! Referral checks always use the record ([`PartnerProfile::services`]), never the type alone.

use crate::region::RegionCode;
use std::collections::BTreeSet;
use std::fmt;

code_enum! {
    /// What went wrong. The codes are the `type` of `POST /api/v1/cases`.
    pub enum CaseType {
        /// Wages withheld, underpaid or not paid at all.
        UnpaidWages = "unpaid_wages",
        /// Job, employer, hours, place or pay differ from the placement agreement.
        ContractViolation = "contract_violation",
        /// Physical or sexual abuse. Restricted.
        Abuse = "abuse",
        Illness = "illness",
        Death = "death",
        /// The family or the village has lost contact with a worker abroad.
        MissingContact = "missing_contact",
        /// Arrest, detention or deportation proceedings abroad.
        Detention = "detention",
        /// Left outside the procedure of UU 18/2017 (no placement agreement, tourist visa…).
        UnproceduralDeparture = "unprocedural_departure",
        /// Suspected trafficking in persons (TPPO, UU 21/2007). Restricted.
        TraffickingSuspicion = "trafficking_suspicion",
        /// Fraud by a broker (calo/sponsor) or a placement agency: fees, false promises.
        Fraud = "fraud",
        Other = "other",
    }
}

impl CaseType {
    /// Restricted cases open only to the handler, their supervisors and the partners the case
    /// was referred to (see [`crate::cases::access`]); others see at most that one exists.
    ///
    /// Abuse and trafficking: their files hold sexual violence, health and often children's
    /// data (specific personal data, UU 27/2022), and a leak in the village endangers the
    /// victim and witnesses (perpetrators are often neighbours, recruiters known to everyone).
    /// The other types are deliberately *not* restricted: unpaid wages, missing contact or a
    /// detention are worked on by the village officers together, and hiding them would hide
    /// them from the people who follow them up. A handler who judges a particular case
    /// sensitive marks it restricted by hand (`CaseFacts::marked_restricted`).
    pub fn is_restricted(self) -> bool {
        matches!(self, CaseType::Abuse | CaseType::TraffickingSuspicion)
    }
}

code_enum! {
    /// How urgent a case is. Ordered: `Low < Medium < High < Critical`.
    pub enum Severity {
        Low = "low",
        Medium = "medium",
        High = "high",
        /// Life or liberty at risk now (a worker held, injured, or a body to repatriate).
        Critical = "critical",
    }
}

impl Severity {
    /// Days from opening to the suggested due date, a default the form pre-fills and the
    /// handler may change: a critical case is due the next day.
    pub fn default_response_days(self) -> i64 {
        match self {
            Severity::Low => 30,
            Severity::Medium => 14,
            Severity::High => 7,
            Severity::Critical => 1,
        }
    }
}

code_enum! {
    /// The kinds of partner organisation in the registry (brief §5).
    pub enum PartnerType {
        /// International Organization for Migration: direct assistance to trafficking victims.
        Iom = "iom",
        /// The police anti-trafficking task force (Gugus Tugas / Satgas TPPO).
        PoliceTaskForce = "police_task_force",
        /// Regional women-and-children protection unit (UPTD PPA).
        UptdPpa = "uptd_ppa",
        /// The social ministry (Kemensos) and its trauma centres and social services.
        SocialMinistry = "social_ministry",
        /// Provincial migrant-protection office of BP2MI (BP3MI).
        Bp3mi = "bp3mi",
        /// Witness and victim protection agency (LPSK).
        Lpsk = "lpsk",
        SafeHouse = "safe_house",
        Hospital = "hospital",
        LegalAid = "legal_aid",
        /// An Indonesian mission abroad: embassy (KBRI), consulate (KJRI) or, for Taiwan, the
        /// Indonesian Economic and Trade Office (KDEI Taipei).
        MissionAbroad = "mission_abroad",
        /// Anything else; its services come from its registry record only.
        Other = "other",
    }
}

code_enum! {
    /// What a referral asks a partner for, and what a partner records as given.
    pub enum Service {
        Shelter = "shelter",
        LegalAid = "legal_aid",
        /// Medical care, including psychological care.
        MedicalCare = "medical_care",
        /// Return home, from abroad or from a debarkation port to the home village.
        Repatriation = "repatriation",
        /// Finding a worker or a victim's family.
        FamilyTracing = "family_tracing",
        Reintegration = "reintegration",
        EconomicEmpowerment = "economic_empowerment",
        /// A criminal investigation. Not in the list, added because the police task
        /// force serves nothing else: without it a trafficking tip could not be referred to
        /// the police at all.
        Investigation = "investigation",
        /// Protection of a witness or victim in criminal proceedings (LPSK, UU 31/2014). Added
        /// for the same reason as `investigation`.
        WitnessProtection = "witness_protection",
    }
}

/// The services a partner of this type offers unless its registry record says otherwise.
///
/// A default drawn from the partners' mandates; a referral check uses the partner's own record.
pub fn default_services(partner_type: PartnerType) -> &'static [Service] {
    use Service::*;
    match partner_type {
        // IOM's direct assistance covers the whole path, legal aid included.
        PartnerType::Iom => {
            &[Shelter, LegalAid, MedicalCare, Repatriation, FamilyTracing, Reintegration, EconomicEmpowerment]
        }
        PartnerType::PoliceTaskForce => &[Investigation, FamilyTracing],
        PartnerType::UptdPpa => &[Shelter, LegalAid, MedicalCare, Reintegration],
        PartnerType::SocialMinistry => &[Shelter, Repatriation, FamilyTracing, Reintegration, EconomicEmpowerment],
        PartnerType::Bp3mi => &[Shelter, LegalAid, Repatriation, FamilyTracing, Reintegration, EconomicEmpowerment],
        PartnerType::Lpsk => &[WitnessProtection, LegalAid, MedicalCare],
        PartnerType::SafeHouse => &[Shelter],
        PartnerType::Hospital => &[MedicalCare],
        PartnerType::LegalAid => &[LegalAid],
        PartnerType::MissionAbroad => &[Shelter, LegalAid, Repatriation, FamilyTracing],
        PartnerType::Other => &[],
    }
}

/// A partner organisation's id in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct PartnerId(pub i64);

impl fmt::Display for PartnerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A partner's registry record, as far as referrals go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerProfile {
    pub id: PartnerId,
    pub partner_type: PartnerType,
    /// What this partner offers (starts as [`default_services`]).
    pub services: BTreeSet<Service>,
    /// An inactive partner (closed, or its agreement ended) stays in the registry for old
    /// referrals but receives no new ones.
    pub active: bool,
    /// The region it serves (a province, regency…); `None` for the whole country.
    pub region: Option<RegionCode>,
}

impl PartnerProfile {
    /// An active partner offering its type's default services.
    pub fn with_defaults(id: PartnerId, partner_type: PartnerType) -> PartnerProfile {
        PartnerProfile {
            id,
            partner_type,
            services: default_services(partner_type).iter().copied().collect(),
            active: true,
            region: None,
        }
    }

    pub fn serves(&self, service: Service) -> bool {
        self.services.contains(&service)
    }

    /// A national partner serves every region; a regional one its region and what lies inside.
    pub fn serves_region(&self, case_region: &RegionCode) -> bool {
        self.region.as_ref().is_none_or(|r| r.contains(case_region))
    }
}

/// Why a referral cannot be sent. `code()` is stable; `Display` says it in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralRefused {
    /// A referral must ask for at least one service.
    NothingRequested,
    /// The partner is inactive in the registry.
    PartnerInactive { partner: PartnerId },
    /// The partner does not offer some of the requested services.
    NotServed { partner: PartnerId, not_served: Vec<Service>, offered: Vec<Service> },
    /// The partner works in another region than the case's.
    RegionNotServed { partner: PartnerId, served: RegionCode, case_region: RegionCode },
}

impl ReferralRefused {
    pub fn code(&self) -> &'static str {
        match self {
            ReferralRefused::NothingRequested => "nothing_requested",
            ReferralRefused::PartnerInactive { .. } => "partner_inactive",
            ReferralRefused::NotServed { .. } => "service_not_offered",
            ReferralRefused::RegionNotServed { .. } => "region_not_served",
        }
    }
}

fn join(services: &[Service]) -> String {
    services.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for ReferralRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferralRefused::NothingRequested => f.write_str("a referral must request at least one service"),
            ReferralRefused::PartnerInactive { partner } => {
                write!(f, "partner {partner} is inactive and receives no new referrals")
            }
            ReferralRefused::NotServed { partner, not_served, offered } if offered.is_empty() => {
                write!(f, "partner {partner} does not offer {}; it has no services in the registry", join(not_served))
            }
            ReferralRefused::NotServed { partner, not_served, offered } => {
                write!(f, "partner {partner} does not offer {}; it offers {}", join(not_served), join(offered))
            }
            ReferralRefused::RegionNotServed { partner, served, case_region } => {
                write!(f, "partner {partner} serves region {served} only; the case is in {case_region}")
            }
        }
    }
}

impl std::error::Error for ReferralRefused {}

/// Checks that `partner` may receive a referral asking for `requested`, and returns the
/// request as a set (repeats dropped). Refused as a whole: a referral is never sent with only
/// the part of the request the partner happens to serve.
pub fn check_referral(partner: &PartnerProfile, requested: &[Service]) -> Result<BTreeSet<Service>, ReferralRefused> {
    let requested: BTreeSet<Service> = requested.iter().copied().collect();
    if requested.is_empty() {
        return Err(ReferralRefused::NothingRequested);
    }
    if !partner.active {
        return Err(ReferralRefused::PartnerInactive { partner: partner.id });
    }
    let not_served: Vec<Service> = requested.iter().copied().filter(|s| !partner.serves(*s)).collect();
    if !not_served.is_empty() {
        return Err(ReferralRefused::NotServed {
            partner: partner.id,
            not_served,
            offered: partner.services.iter().copied().collect(),
        });
    }
    Ok(requested)
}

/// [`check_referral`] for a case in `case_region`: the partner must also serve that region.
/// The region is checked after the services, so a partner that serves neither is refused for
/// its services first.
pub fn check_referral_for_case(
    partner: &PartnerProfile,
    requested: &[Service],
    case_region: &RegionCode,
) -> Result<BTreeSet<Service>, ReferralRefused> {
    let requested = check_referral(partner, requested)?;
    if !partner.serves_region(case_region)
        && let Some(served) = &partner.region
    {
        return Err(ReferralRefused::RegionNotServed {
            partner: partner.id,
            served: served.clone(),
            case_region: case_region.clone(),
        });
    }
    Ok(requested)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regional_partner_serves_only_its_region() {
        let mut bp3mi = PartnerProfile::with_defaults(PartnerId(2), PartnerType::Bp3mi);
        let ntt_village: RegionCode = "53.07.01.2001".parse().unwrap();
        let java_village: RegionCode = "35.12.01.2001".parse().unwrap();
        assert!(check_referral_for_case(&bp3mi, &[Service::Shelter], &java_village).is_ok(), "national by default");
        bp3mi.region = Some("53".parse().unwrap());
        assert!(check_referral_for_case(&bp3mi, &[Service::Shelter], &ntt_village).is_ok());
        let e = check_referral_for_case(&bp3mi, &[Service::Shelter], &java_village).unwrap_err();
        assert_eq!(e.code(), "region_not_served");
        assert_eq!(e.to_string(), "partner 2 serves region 53 only; the case is in 35.12.01.2001");
        // Services are checked first.
        let e = check_referral_for_case(&bp3mi, &[Service::MedicalCare], &java_village).unwrap_err();
        assert_eq!(e.code(), "service_not_offered");
    }

    #[test]
    fn codes_round_trip() {
        for t in CaseType::ALL {
            assert_eq!(CaseType::parse(&format!(" {} ", t.as_str().to_uppercase())), Some(t));
        }
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        for p in PartnerType::ALL {
            assert_eq!(PartnerType::parse(p.as_str()), Some(p));
        }
        for s in Service::ALL {
            assert_eq!(Service::parse(s.as_str()), Some(s));
        }
        assert_eq!(CaseType::ALL.len(), 11);
        assert_eq!(PartnerType::ALL.len(), 11);
        // The contract's codes.
        for code in ["unpaid_wages", "abuse", "missing_contact", "trafficking_suspicion", "unprocedural_departure"] {
            assert!(CaseType::parse(code).is_some(), "{code}");
        }
        for code in ["low", "medium", "high", "critical"] {
            assert!(Severity::parse(code).is_some(), "{code}");
        }
        assert_eq!(CaseType::parse("tppo"), None);
        assert_eq!(Severity::Critical.to_string(), "critical");
    }

    #[test]
    fn severity_is_ordered() {
        assert!(Severity::Low < Severity::Medium && Severity::Medium < Severity::High);
        assert!(Severity::High < Severity::Critical);
        let days: Vec<i64> = Severity::ALL.iter().map(|s| s.default_response_days()).collect();
        assert!(days.windows(2).all(|w| w[0] > w[1]), "{days:?}");
    }

    #[test]
    fn only_abuse_and_trafficking_are_restricted() {
        let restricted: Vec<CaseType> = CaseType::ALL.into_iter().filter(|t| t.is_restricted()).collect();
        assert_eq!(restricted, [CaseType::Abuse, CaseType::TraffickingSuspicion]);
    }

    #[test]
    fn every_service_has_a_default_partner_and_every_type_but_other_serves_something() {
        for s in Service::ALL {
            assert!(PartnerType::ALL.iter().any(|p| default_services(*p).contains(&s)), "{s}");
        }
        for p in PartnerType::ALL {
            assert_eq!(default_services(p).is_empty(), p == PartnerType::Other, "{p}");
        }
        // The end-to-end scenario: IOM gives shelter and legal aid.
        assert!(default_services(PartnerType::Iom).contains(&Service::Shelter));
        assert!(default_services(PartnerType::Iom).contains(&Service::LegalAid));
    }

    #[test]
    fn a_referral_for_a_service_the_partner_offers_is_accepted() {
        let iom = PartnerProfile::with_defaults(PartnerId(7), PartnerType::Iom);
        let r = check_referral(&iom, &[Service::Shelter, Service::LegalAid, Service::Shelter]);
        assert_eq!(r, Ok([Service::Shelter, Service::LegalAid].into_iter().collect()));
    }

    #[test]
    fn a_referral_the_partner_does_not_serve_is_refused_whole() {
        let hospital = PartnerProfile::with_defaults(PartnerId(3), PartnerType::Hospital);
        let e = check_referral(&hospital, &[Service::MedicalCare, Service::Shelter]).unwrap_err();
        assert_eq!(
            e,
            ReferralRefused::NotServed {
                partner: PartnerId(3),
                not_served: vec![Service::Shelter],
                offered: vec![Service::MedicalCare]
            }
        );
        assert_eq!(e.code(), "service_not_offered");
        assert_eq!(e.to_string(), "partner 3 does not offer shelter; it offers medical_care");
        let police = PartnerProfile::with_defaults(PartnerId(4), PartnerType::PoliceTaskForce);
        assert!(check_referral(&police, &[Service::Shelter]).is_err());
        assert!(check_referral(&police, &[Service::Investigation]).is_ok());
    }

    #[test]
    fn the_record_not_the_type_decides() {
        let mut safe_house = PartnerProfile::with_defaults(PartnerId(5), PartnerType::SafeHouse);
        assert!(check_referral(&safe_house, &[Service::MedicalCare]).is_err());
        safe_house.services.insert(Service::MedicalCare);
        assert!(check_referral(&safe_house, &[Service::MedicalCare]).is_ok());
        let other = PartnerProfile::with_defaults(PartnerId(6), PartnerType::Other);
        let e = check_referral(&other, &[Service::Shelter]).unwrap_err();
        assert_eq!(e.to_string(), "partner 6 does not offer shelter; it has no services in the registry");
    }

    #[test]
    fn empty_requests_and_inactive_partners_are_refused() {
        let mut iom = PartnerProfile::with_defaults(PartnerId(7), PartnerType::Iom);
        assert_eq!(check_referral(&iom, &[]), Err(ReferralRefused::NothingRequested));
        iom.active = false;
        let e = check_referral(&iom, &[Service::Shelter]).unwrap_err();
        assert_eq!(e, ReferralRefused::PartnerInactive { partner: PartnerId(7) });
        assert_eq!(e.code(), "partner_inactive");
    }

    #[test]
    fn matrix_of_partner_types_and_services() {
        for p in PartnerType::ALL {
            let partner = PartnerProfile::with_defaults(PartnerId(1), p);
            for s in Service::ALL {
                let expected = default_services(p).contains(&s);
                assert_eq!(check_referral(&partner, &[s]).is_ok(), expected, "{p} {s}");
            }
        }
    }
}
