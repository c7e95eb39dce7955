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
    if !principal.scope.covers(facts.region) {
        return CaseVisibility::Hidden;
    }
    if !facts.is_restricted() || is_supervisor(principal.role) {
        CaseVisibility::Full
    } else {
        CaseVisibility::ExistenceOnly
    }
}

/// May `principal` open the case (see its details)? Anything short of this answers 404.
pub fn can_open(principal: &Principal, facts: &CaseFacts<'_>) -> bool {
    visibility(principal, facts) == CaseVisibility::Full
}

/// May `principal` work on the case as staff: record steps, referrals, the trafficking
/// assessment? Whoever may open it, except partner users, whose work goes through their
/// referral (accept, decline, services, notes, close).
pub fn can_work(principal: &Principal, facts: &CaseFacts<'_>) -> bool {
    principal.role != Role::Partner && can_open(principal, facts)
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
}
