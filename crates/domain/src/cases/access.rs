//! Who may open a case. Restricted cases (abuse, trafficking, or marked by hand) are the
//! confidential core of issue 4: a victim's identity must not travel beyond the people
//! working the case.
//!
//! | viewer                                              | restricted case    | other case         |
//! |-----------------------------------------------------|--------------------|--------------------|
//! | the assigned handler                                | open               | open               |
//! | regency/province officer or national admin, in scope| open (supervisor)  | open               |
//! | national analyst                                    | exists only        | open               |
//! | village head, officers, cooperative, facilitators, in scope | exists only | open              |
//! | anyone of those out of scope                        | nothing            | nothing            |
//! | partner user of a partner the case is referred to   | open               | open               |
//! | any other partner user                              | nothing            | nothing            |
//!
//! National analysts do not count as supervisors: they work on counts and trends, never on a
//! single victim's file, so they get the restricted case's existence (for counts) and no more.
//! A partner's access comes only from a referral, never from a region: a police user scoped to
//! a province does not see that province's cases. A declined referral grants nothing.
//!
//! **Break the glass** (after DHIS2's protected programs): a case worker in scope who sees only
//! that a restricted case exists (a second officer of the village when the handler cannot be
//! reached) may ask, with a reason of at least [`MIN_GLASS_REASON`] characters, for
//! [`GLASS_HOURS`] hours of access ([`may_break_glass`]); while the grant runs the case opens
//! for them as for a supervisor. Analysts, partners and cooperative managers never may.
//!
//! **Pseudonymisation across jurisdictions** (after SORMAS): a case transferred to another
//! village stays visible to whoever would have opened it in a village it came from (the old
//! village's officers, the regency or province above only the old village), but its people are
//! pseudonymised ([`CaseVisibility::Pseudonymised`]): no name, NIK, birth date or link to the
//! person, only a stable pseudonym.

use super::kinds::{CaseType, PartnerId};
use super::workflow::ReferralStatus;
use crate::access::Principal;
use crate::region::RegionCode;
use crate::role::Role;

/// What an access decision needs to know about a case (and, for partner users, about the
/// viewer's organisation, which `Principal` does not carry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts<'a> {
    pub case_type: CaseType,
    /// Restricted by the handler although its type is not (e.g. a death involving violence).
    pub marked_restricted: bool,
    /// The region the case belongs to: its village (for a case abroad, the worker's home
    /// village, or the village that opened it).
    pub region: &'a RegionCode,
    /// The assigned handler's user id.
    pub handler_user_id: Option<i64>,
    /// The case's referrals: partner and status.
    pub referrals: &'a [(PartnerId, ReferralStatus)],
    /// The partner organisation of the viewer, when the viewer is a partner user.
    pub viewer_partner_id: Option<PartnerId>,
    /// The viewer holds an unexpired break-the-glass grant on this case.
    pub viewer_grant: bool,
    /// Villages the case belonged to before it was transferred, oldest first.
    pub former_regions: &'a [RegionCode],
}

impl CaseFacts<'_> {
    pub fn is_restricted(&self) -> bool {
        self.marked_restricted || self.case_type.is_restricted()
    }

    /// The case is referred to this partner, and the partner has not declined.
    pub fn is_referred_to(&self, partner: PartnerId) -> bool {
        self.referrals.iter().any(|(p, status)| *p == partner && *status != ReferralStatus::Declined)
    }
}

/// How much of a case a viewer may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseVisibility {
    /// The whole case.
    Full,
    /// The whole case with its people pseudonymised: the viewer sees it because of a village it
    /// was transferred from, not the one it belongs to now.
    Pseudonymised,
    /// Only that a restricted case exists in the viewer's scope (a row in a count or a list,
    /// with no type detail, person, place or description).
    ExistenceOnly,
    /// Nothing: the API answers 404 as if the case did not exist.
    Hidden,
}

/// Roles that supervise a handler's restricted cases within their scope.
fn is_supervisor(role: Role) -> bool {
    matches!(role, Role::RegencyOfficer | Role::ProvinceOfficer | Role::NationalAdmin)
}

impl CaseVisibility {
    /// The viewer opens the case (its people perhaps pseudonymised).
    pub fn opens(self) -> bool {
        matches!(self, CaseVisibility::Full | CaseVisibility::Pseudonymised)
    }
}

/// How long a break-the-glass grant lasts.
pub const GLASS_HOURS: i64 = 3;
/// The same in seconds, as the store keeps times.
pub const GLASS_SECONDS: i64 = GLASS_HOURS * 3600;
/// The shortest reason for breaking the glass, in characters (trimmed).
pub const MIN_GLASS_REASON: usize = 20;
/// The longest.
pub const MAX_GLASS_REASON: usize = 2000;

/// Roles that may break the glass: case workers below the supervisors (they may handle cases,
/// `privacy::may_handle`). Never analysts, cooperative managers or partners.
pub fn glass_role(role: Role) -> bool {
    matches!(role, Role::VillageHead | Role::VillageOfficer | Role::Facilitator)
}

/// How much of the case `principal` may see. See the module documentation for the table.
pub fn visibility(principal: &Principal, facts: &CaseFacts<'_>) -> CaseVisibility {
    if principal.role == Role::Partner {
        return match facts.viewer_partner_id {
            Some(partner) if facts.is_referred_to(partner) => CaseVisibility::Full,
            _ => CaseVisibility::Hidden,
        };
    }
    if facts.handler_user_id == Some(principal.user_id) {
        return CaseVisibility::Full;
    }
    if principal.scope.covers(facts.region) {
        return in_scope(principal, facts);
    }
    // Seen from a village the case left: the same rules, as if it were still there (a grant
    // does not travel with the case), with its people pseudonymised.
    let former = facts.former_regions.iter().any(|r| principal.scope.covers(r));
    if former && in_scope(principal, &CaseFacts { viewer_grant: false, ..*facts }) == CaseVisibility::Full {
        CaseVisibility::Pseudonymised
    } else {
        CaseVisibility::Hidden
    }
}

/// A staff viewer whose scope covers the case's region.
fn in_scope(principal: &Principal, facts: &CaseFacts<'_>) -> CaseVisibility {
    if !facts.is_restricted() || is_supervisor(principal.role) {
        CaseVisibility::Full
    } else if facts.viewer_grant && glass_role(principal.role) {
        CaseVisibility::Full
    } else {
        CaseVisibility::ExistenceOnly
    }
}

/// Why someone may not break the glass on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlassRefusal {
    /// The viewer does not see the case at all: answered as if it did not exist (404).
    Hidden,
    /// The viewer's role never breaks the glass (analysts, cooperative managers, partners) (403).
    Role,
    /// The viewer already opens the case: nothing to break.
    AlreadyOpen,
}

/// May `principal` ask for a break-the-glass grant on the case? Only a case worker in scope
/// who sees no more than that the restricted case exists. `facts.viewer_grant` is ignored: a
/// running grant may be renewed with a new reason.
pub fn may_break_glass(principal: &Principal, facts: &CaseFacts<'_>) -> Result<(), GlassRefusal> {
    let without = CaseFacts { viewer_grant: false, ..*facts };
    match visibility(principal, &without) {
        CaseVisibility::Hidden => Err(GlassRefusal::Hidden),
        CaseVisibility::Full | CaseVisibility::Pseudonymised => Err(GlassRefusal::AlreadyOpen),
        CaseVisibility::ExistenceOnly if glass_role(principal.role) => Ok(()),
        CaseVisibility::ExistenceOnly => Err(GlassRefusal::Role),
    }
}

/// When a grant given at `now` (Unix seconds) ends.
pub fn glass_expires(now: i64) -> i64 {
    now + GLASS_SECONDS
}

/// The pseudonym of a person seen from another jurisdiction: `Orang-` and four hex digits of an
/// HMAC of the person's id under the server's secret `key` (stable per person and server; ids
/// cannot be recovered by hashing every number without the key).
pub fn pseudonym(key: &[u8], person_id: i64) -> String {
    use hmac::{Hmac, Mac};
    // A key of any length is accepted by HMAC; the fallback is unreachable.
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key) else { return "Orang-0000".into() };
    mac.update(b"desmigratif-pseudonym:");
    mac.update(person_id.to_string().as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("Orang-{}", hex::encode_upper(&tag[..2]))
}

/// May `principal` open the case with its people (see its details)? Anything short of this
/// answers 404, except a pseudonymised view ([`CaseVisibility::opens`]).
pub fn can_open(principal: &Principal, facts: &CaseFacts<'_>) -> bool {
    visibility(principal, facts) == CaseVisibility::Full
}

/// May `principal` work on the case as staff: record steps, referrals, the trafficking
/// assessment? Whoever may open it, except partner users, whose work goes through their
/// referral (accept, decline, services, notes, close), and except a break-the-glass grant,
/// which opens the case to read only.
pub fn can_work(principal: &Principal, facts: &CaseFacts<'_>) -> bool {
    principal.role != Role::Partner && can_open(principal, &CaseFacts { viewer_grant: false, ..*facts })
}

/// May `principal` assign the handler and set the due date? The handler and the supervisors
/// (regency/province officers, national admins) whose scope covers the case.
pub fn can_manage(principal: &Principal, facts: &CaseFacts<'_>) -> bool {
    if principal.role == Role::Partner {
        return false;
    }
    facts.handler_user_id == Some(principal.user_id)
        || (is_supervisor(principal.role) && principal.scope.covers(facts.region))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Scope;
    use crate::role::ScopeRule;
    use CaseVisibility::*;

    const VILLAGE: &str = "53.10.01.2001";
    const HANDLER: i64 = 7;
    const VIEWER: i64 = 99;
    const IOM: PartnerId = PartnerId(1);
    const POLICE: PartnerId = PartnerId(2);

    fn rc(s: &str) -> RegionCode {
        s.parse().unwrap()
    }

    fn principal(role: Role, scope: Option<&str>) -> Principal {
        Principal { user_id: VIEWER, role, scope: scope.map_or(Scope::National, |s| Scope::Region(rc(s))) }
    }

    /// A scope of the role's level that covers `VILLAGE`, and one that does not.
    fn scopes(role: Role) -> (Option<&'static str>, Option<Option<&'static str>>) {
        match role.scope_rule() {
            ScopeRule::National => (None, None),
            ScopeRule::Any => (Some("53"), Some(Some("35"))),
            ScopeRule::Level(crate::RegionLevel::Province) => (Some("53"), Some(Some("35"))),
            ScopeRule::Level(crate::RegionLevel::Regency) => (Some("53.10"), Some(Some("53.07"))),
            ScopeRule::Level(_) => (Some(VILLAGE), Some(Some("53.10.01.2002"))),
        }
    }

    fn facts<'a>(
        case_type: CaseType,
        region: &'a RegionCode,
        referrals: &'a [(PartnerId, ReferralStatus)],
    ) -> CaseFacts<'a> {
        CaseFacts {
            case_type,
            marked_restricted: false,
            region,
            handler_user_id: Some(HANDLER),
            referrals,
            viewer_partner_id: None,
            viewer_grant: false,
            former_regions: &[],
        }
    }

    /// What a non-partner, non-handler viewer in scope gets on a restricted case.
    fn expected_in_scope_restricted(role: Role) -> CaseVisibility {
        match role {
            Role::NationalAdmin | Role::ProvinceOfficer | Role::RegencyOfficer => Full,
            Role::NationalAnalyst
            | Role::VillageHead
            | Role::VillageOfficer
            | Role::CooperativeManager
            | Role::Facilitator => ExistenceOnly,
            Role::Partner => Hidden,
        }
    }

    /// Roles × case types × in and out of scope, for a viewer who is neither the handler nor a
    /// referred partner.
    #[test]
    fn matrix_roles_case_types_scope() {
        let region = rc(VILLAGE);
        let referrals = [(IOM, ReferralStatus::Accepted)];
        for role in Role::ALL {
            let (inside, outside) = scopes(role);
            for case_type in CaseType::ALL {
                let f = CaseFacts {
                    viewer_partner_id: (role == Role::Partner).then_some(POLICE),
                    ..facts(case_type, &region, &referrals)
                };
                let p = principal(role, inside);
                let expected = match (role, case_type.is_restricted()) {
                    (Role::Partner, _) => Hidden,
                    (_, false) => Full,
                    (_, true) => expected_in_scope_restricted(role),
                };
                assert_eq!(visibility(&p, &f), expected, "{role} in scope, {case_type}");
                assert_eq!(can_open(&p, &f), expected == Full, "{role} in scope, {case_type}");
                if let Some(outside) = outside {
                    let p = principal(role, outside);
                    assert_eq!(visibility(&p, &f), Hidden, "{role} out of scope, {case_type}");
                }
            }
        }
    }

    #[test]
    fn the_handler_always_opens_their_case() {
        let region = rc(VILLAGE);
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Partner) {
            for case_type in CaseType::ALL {
                // Even out of scope: a case handed to a regency officer from another regency.
                let (_, outside) = scopes(role);
                let p = Principal { user_id: HANDLER, ..principal(role, outside.flatten()) };
                assert!(can_open(&p, &facts(case_type, &region, &[])), "{role} {case_type}");
            }
        }
    }

    #[test]
    fn partner_users_open_only_cases_referred_to_them() {
        let region = rc(VILLAGE);
        for case_type in CaseType::ALL {
            for scope in [None, Some("53"), Some("35")] {
                let p = principal(Role::Partner, scope);
                for status in ReferralStatus::ALL {
                    let referrals = [(IOM, status), (POLICE, ReferralStatus::Declined)];
                    let f = facts(case_type, &region, &referrals);
                    let iom = CaseFacts { viewer_partner_id: Some(IOM), ..f };
                    assert_eq!(can_open(&p, &iom), status != ReferralStatus::Declined, "{case_type} {status}");
                    let police = CaseFacts { viewer_partner_id: Some(POLICE), ..f };
                    assert_eq!(visibility(&p, &police), Hidden, "declined police, {case_type}");
                    let unknown = CaseFacts { viewer_partner_id: None, ..f };
                    assert_eq!(visibility(&p, &unknown), Hidden);
                    let other = CaseFacts { viewer_partner_id: Some(PartnerId(3)), ..f };
                    assert_eq!(visibility(&p, &other), Hidden);
                }
            }
        }
        // A partner user who happens to be recorded as handler gets nothing from that.
        let p = Principal { user_id: HANDLER, ..principal(Role::Partner, None) };
        assert!(!can_open(&p, &facts(CaseType::UnpaidWages, &region, &[])));
    }

    #[test]
    fn who_works_and_who_manages() {
        let region = rc(VILLAGE);
        let referrals = [(IOM, ReferralStatus::Accepted)];
        for role in Role::ALL {
            let (inside, _) = scopes(role);
            for case_type in CaseType::ALL {
                let f = CaseFacts {
                    viewer_partner_id: (role == Role::Partner).then_some(IOM),
                    ..facts(case_type, &region, &referrals)
                };
                let p = principal(role, inside);
                // A partner opens the referred case but neither works nor manages it as staff.
                assert_eq!(can_work(&p, &f), role != Role::Partner && can_open(&p, &f), "{role} {case_type}");
                let supervisor = matches!(role, Role::RegencyOfficer | Role::ProvinceOfficer | Role::NationalAdmin);
                assert_eq!(can_manage(&p, &f), supervisor, "{role} {case_type}");
                let handler = Principal { user_id: HANDLER, ..p.clone() };
                assert_eq!(can_manage(&handler, &f), role != Role::Partner, "handler {role} {case_type}");
            }
        }
        let f = facts(CaseType::Abuse, &region, &[]);
        assert!(!can_manage(&principal(Role::RegencyOfficer, Some("53.07")), &f), "out of scope");
    }

    #[test]
    fn a_referral_does_not_widen_staff_access() {
        let region = rc(VILLAGE);
        let referrals = [(IOM, ReferralStatus::Accepted)];
        let f = CaseFacts { viewer_partner_id: Some(IOM), ..facts(CaseType::Abuse, &region, &referrals) };
        assert_eq!(visibility(&principal(Role::VillageOfficer, Some(VILLAGE)), &f), ExistenceOnly);
    }

    #[test]
    fn marking_restricts_any_type() {
        let region = rc(VILLAGE);
        let p = principal(Role::VillageOfficer, Some(VILLAGE));
        let f = facts(CaseType::Death, &region, &[]);
        assert_eq!(visibility(&p, &f), Full);
        let f = CaseFacts { marked_restricted: true, ..f };
        assert!(f.is_restricted());
        assert_eq!(visibility(&p, &f), ExistenceOnly);
        assert_eq!(visibility(&principal(Role::RegencyOfficer, Some("53.10")), &f), Full);
    }

    #[test]
    fn regency_supervisors_see_only_their_regency() {
        let region = rc(VILLAGE);
        let f = facts(CaseType::TraffickingSuspicion, &region, &[]);
        assert!(can_open(&principal(Role::RegencyOfficer, Some("53.10")), &f));
        assert!(!can_open(&principal(Role::RegencyOfficer, Some("53.07")), &f));
        assert!(can_open(&principal(Role::ProvinceOfficer, Some("53")), &f));
        assert!(!can_open(&principal(Role::ProvinceOfficer, Some("35")), &f));
        assert!(can_open(&principal(Role::NationalAdmin, None), &f));
        assert!(!can_open(&principal(Role::NationalAnalyst, None), &f));
    }

    #[test]
    fn break_the_glass_opens_for_case_workers_in_scope_only() {
        let region = rc(VILLAGE);
        for role in Role::ALL {
            let (inside, outside) = scopes(role);
            let p = principal(role, inside);
            let f = facts(CaseType::TraffickingSuspicion, &region, &[]);
            let granted = CaseFacts { viewer_grant: true, ..f };
            let expected = match role {
                Role::VillageHead | Role::VillageOfficer | Role::Facilitator => Ok(()),
                Role::NationalAdmin | Role::ProvinceOfficer | Role::RegencyOfficer => Err(GlassRefusal::AlreadyOpen),
                Role::Partner => Err(GlassRefusal::Hidden),
                Role::NationalAnalyst | Role::CooperativeManager => Err(GlassRefusal::Role),
            };
            assert_eq!(may_break_glass(&p, &f), expected, "{role}");
            assert_eq!(may_break_glass(&p, &granted), expected, "{role}, renewal");
            // A grant opens the case exactly for those who may ask for one.
            let opens = expected == Ok(()) || expected == Err(GlassRefusal::AlreadyOpen);
            assert_eq!(can_open(&p, &granted), opens, "{role} with a grant");
            // Read only: a grant lets no one work the case who could not before.
            assert_eq!(can_work(&p, &granted), can_work(&p, &f), "{role}");
            if let Some(outside) = outside {
                let p = principal(role, outside);
                assert_eq!(visibility(&p, &granted), Hidden, "{role} out of scope keeps nothing");
                assert_eq!(may_break_glass(&p, &f), Err(GlassRefusal::Hidden));
            }
        }
        // An unrestricted case needs no glass.
        let f = facts(CaseType::UnpaidWages, &region, &[]);
        assert_eq!(
            may_break_glass(&principal(Role::VillageOfficer, Some(VILLAGE)), &f),
            Err(GlassRefusal::AlreadyOpen)
        );
        assert_eq!(glass_expires(1000), 1000 + 3 * 3600);
    }

    #[test]
    fn a_transferred_case_is_pseudonymised_for_its_former_region() {
        let new_region = rc("35.07.01.2001");
        let former = [rc(VILLAGE)];
        let f = CaseFacts { former_regions: &former, ..facts(CaseType::UnpaidWages, &new_region, &[]) };
        // The old village's officer and the regency above it: pseudonymised.
        assert_eq!(visibility(&principal(Role::VillageOfficer, Some(VILLAGE)), &f), Pseudonymised);
        assert_eq!(visibility(&principal(Role::RegencyOfficer, Some("53.10")), &f), Pseudonymised);
        assert!(!can_open(&principal(Role::RegencyOfficer, Some("53.10")), &f));
        assert!(!can_work(&principal(Role::RegencyOfficer, Some("53.10")), &f));
        assert!(Pseudonymised.opens() && Full.opens() && !ExistenceOnly.opens());
        // The new region and the nation: in full.
        assert_eq!(visibility(&principal(Role::VillageOfficer, Some("35.07.01.2001")), &f), Full);
        assert_eq!(visibility(&principal(Role::NationalAdmin, None), &f), Full);
        // Elsewhere: nothing.
        assert_eq!(visibility(&principal(Role::RegencyOfficer, Some("53.07")), &f), Hidden);
        // A restricted case: its former village's officers had only its existence, so nothing
        // now; the former regency's supervisor keeps a pseudonymised view. A grant stays behind.
        let r = CaseFacts { viewer_grant: true, ..CaseFacts { case_type: CaseType::Abuse, ..f } };
        assert_eq!(visibility(&principal(Role::VillageOfficer, Some(VILLAGE)), &r), Hidden);
        assert_eq!(visibility(&principal(Role::RegencyOfficer, Some("53.10")), &r), Pseudonymised);
    }

    #[test]
    fn pseudonyms_are_stable_and_keyed() {
        let a = pseudonym(b"key one", 7);
        assert_eq!(a, pseudonym(b"key one", 7));
        assert!(a.starts_with("Orang-") && a.len() == 10, "{a}");
        assert_ne!(a, pseudonym(b"key two", 7));
        let distinct: std::collections::BTreeSet<_> = (1..50).map(|i| pseudonym(b"key one", i)).collect();
        assert!(distinct.len() > 45);
    }
}
