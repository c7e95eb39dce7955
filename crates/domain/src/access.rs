//! Who may do what, where. Every read and write in `web` asks [`Principal::can`].
//!
//! The decision is a pure function of role, scope, action and the target region,
//! so the whole matrix is tested here without a server.

use crate::region::RegionCode;
use crate::role::{Role, ScopeRule};
use crate::validation::{Rule, ValidationErrors};

/// The region an account works in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    National,
    Region(RegionCode),
}

impl Scope {
    pub fn covers(&self, region: &RegionCode) -> bool {
        match self {
            Scope::National => true,
            Scope::Region(own) => own.contains(region),
        }
    }
    pub fn code(&self) -> Option<&RegionCode> {
        match self {
            Scope::National => None,
            Scope::Region(c) => Some(c),
        }
    }
}

/// Checks that a role may hold a scope (e.g. a village officer needs a village).
pub fn check_scope_for_role(role: Role, scope: &Scope) -> Result<(), ValidationErrors> {
    let ok = match (role.scope_rule(), scope) {
        (ScopeRule::National, Scope::National) => true,
        (ScopeRule::Level(level), Scope::Region(c)) => c.level() == level,
        (ScopeRule::Any, _) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        let detail = match role.scope_rule() {
            ScopeRule::National => "this role is national: leave region_code empty".to_string(),
            ScopeRule::Level(l) => format!("this role needs a region_code of level {l}"),
            ScopeRule::Any => unreachable!("any scope is accepted"),
        };
        Err(ValidationErrors::single("region_code", Rule::ScopeLevel, detail))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Region names and codes: public reference data, open to every account.
    BrowseRegions,
    /// A village's page: designation, programs, officers.
    ViewVillage,
    /// Set Desmigratif designation, pocket flag, program participation.
    DesignateVillage,
    ManagePrograms,
    ManageUsers,
    ViewAudit,
    /// A person's record (pillar 1); the region is the village they live in.
    ViewPerson,
    /// Register or change a person's record.
    EditPerson,
    /// The registry of licensed placement companies: everyone reads it, national admins keep it.
    ManageAgencies,
    /// The placement policy (bans, zero-cost rule, no-contact threshold, requirement matrix):
    /// every account reads it through the rules it drives; national admins edit it.
    ManagePolicy,
    /// The registry of partner organisations (cases, issue 4): every account reads it,
    /// national admins keep it and bind partner users to an organisation.
    ManagePartners,
    /// Partner API clients of the data exchange (register, rotate, revoke): national admins.
    ManageApiClients,
    /// Indonesian missions abroad shown on the public portal: national admins.
    ManageMissions,
    /// Data subject rights for a person (UU 27/2022): the access report, purpose consents,
    /// correction requests, restriction of processing. Those who register people, within scope.
    SubjectRights,
    /// Enterprise records of a village (issue 6): trainings, mentoring, equipment, businesses,
    /// remittances. Every role but partners, within scope.
    ViewEnterprise,
    /// Record and change them: those who work with villages (not analysts, cooperative managers
    /// or partners), within scope.
    EditEnterprise,
    /// A child's name and record (issue 6), and recording children, parenting attendance and
    /// concerns: facilitators of the village and its supervisors (village head, regency and
    /// province officers, national admin), within scope. Never analysts.
    ViewChild,
    /// Counts of children and parenting activities without names: every role but partners,
    /// within scope.
    CountChildren,
    /// Monitoring dashboards and reports of a region (aggregates only, no person): every
    /// account within its scope.
    ViewMonitoring,
    /// Program targets, pillar and program criteria: national admins.
    ManageMonitoring,
    /// A village's cooperatives (pillar 4): figures, members, books. The region is the
    /// cooperative's village.
    ViewCooperative,
    /// Found a cooperative, keep its by-laws, members, savings, loan applications and books.
    ManageCooperative,
    /// Approve or reject a loan application (never one's own: four-eyes, in `loan::transition`).
    ApproveLoan,
    /// Region updates: apply a Kemendagri release, list retired codes, move their records to
    /// a successor (issue 19). National admins.
    ManageRegions,
    /// Send a report of an illegal broker (issue 17): officers, village staff and partners,
    /// for a village in scope. The public sends reports through the portal without an account.
    ReportBroker,
    /// The broker registry and the reports of a region: read them, take a report, link a
    /// broker to an episode or a case. Officers who work with villages (not analysts,
    /// cooperative managers, facilitators or partners), within scope.
    HandleBrokerReports,
    /// Hot spots: reports by district and month, small cells suppressed. Supervisors (national
    /// admins and analysts, province and regency officers), within scope.
    ViewBrokerHotSpots,
}

impl Action {
    pub const ALL: [Action; 27] = [
        Action::BrowseRegions,
        Action::ViewVillage,
        Action::DesignateVillage,
        Action::ManagePrograms,
        Action::ManageUsers,
        Action::ViewAudit,
        Action::ViewPerson,
        Action::EditPerson,
        Action::ManageAgencies,
        Action::ManagePolicy,
        Action::ManagePartners,
        Action::ManageApiClients,
        Action::ManageMissions,
        Action::SubjectRights,
        Action::ViewEnterprise,
        Action::EditEnterprise,
        Action::ViewChild,
        Action::CountChildren,
        Action::ViewMonitoring,
        Action::ManageMonitoring,
        Action::ViewCooperative,
        Action::ManageCooperative,
        Action::ApproveLoan,
        Action::ManageRegions,
        Action::ReportBroker,
        Action::HandleBrokerReports,
        Action::ViewBrokerHotSpots,
    ];
}

/// A signed-in account, as far as access decisions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub role: Role,
    pub scope: Scope,
}

impl Principal {
    /// May this account do `action` on `region` (None for actions that concern no region)?
    pub fn can(&self, action: Action, region: Option<&RegionCode>) -> bool {
        let in_scope = region.is_none_or(|r| self.scope.covers(r));
        match action {
            Action::BrowseRegions => true,
            Action::ViewVillage => in_scope,
            Action::DesignateVillage
            | Action::ManagePrograms
            | Action::ManageUsers
            | Action::ViewAudit
            | Action::ManageAgencies
            | Action::ManagePolicy
            | Action::ManagePartners
            | Action::ManageApiClients
            | Action::ManageMissions
            | Action::ManageMonitoring
            | Action::ManageRegions => self.role == Role::NationalAdmin,
            Action::ViewMonitoring => in_scope,
            // Partners receive people's data only through the exchange, by consent and purpose.
            Action::ViewPerson => in_scope && self.role != Role::Partner,
            // Those who register and verify residents: village officers and head, Disnaker, admins.
            Action::EditPerson | Action::SubjectRights => {
                in_scope
                    && matches!(
                        self.role,
                        Role::NationalAdmin
                            | Role::ProvinceOfficer
                            | Role::RegencyOfficer
                            | Role::VillageHead
                            | Role::VillageOfficer
                    )
            }
            Action::ViewEnterprise | Action::CountChildren => in_scope && self.role != Role::Partner,
            Action::EditEnterprise => {
                in_scope
                    && matches!(
                        self.role,
                        Role::NationalAdmin
                            | Role::ProvinceOfficer
                            | Role::RegencyOfficer
                            | Role::VillageHead
                            | Role::VillageOfficer
                            | Role::Facilitator
                    )
            }
            Action::ViewChild => {
                in_scope
                    && matches!(
                        self.role,
                        Role::NationalAdmin
                            | Role::ProvinceOfficer
                            | Role::RegencyOfficer
                            | Role::VillageHead
                            | Role::Facilitator
                    )
            }
            // Members' finances are personal data: partners never see them.
            Action::ViewCooperative => in_scope && self.role != Role::Partner,
            // The village's cooperative manager keeps the books; national admins may step in.
            Action::ManageCooperative | Action::ApproveLoan => {
                in_scope && matches!(self.role, Role::NationalAdmin | Role::CooperativeManager)
            }
            Action::ReportBroker => in_scope && !matches!(self.role, Role::NationalAnalyst | Role::CooperativeManager),
            Action::HandleBrokerReports => {
                in_scope
                    && matches!(
                        self.role,
                        Role::NationalAdmin
                            | Role::ProvinceOfficer
                            | Role::RegencyOfficer
                            | Role::VillageHead
                            | Role::VillageOfficer
                    )
            }
            Action::ViewBrokerHotSpots => {
                in_scope
                    && matches!(
                        self.role,
                        Role::NationalAdmin | Role::NationalAnalyst | Role::ProvinceOfficer | Role::RegencyOfficer
                    )
            }
        }
    }

    /// May this account do `action` anywhere at all (somewhere in its scope)? The role-level
    /// check a handler makes before reading a request body that names the region itself
    /// (creating a case, a cooperative, a remittance): an account that never may is refused
    /// whatever it sends; one that may is then checked on the region the body names.
    pub fn may_ever(&self, action: Action) -> bool {
        self.can(action, self.scope.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(s: &str) -> RegionCode {
        s.parse().unwrap()
    }

    fn principal(role: Role, scope: Option<&str>) -> Principal {
        Principal { user_id: 1, role, scope: scope.map_or(Scope::National, |s| Scope::Region(rc(s))) }
    }

    /// The scope matrix: for each role, a village in scope and one outside.
    #[test]
    fn village_view_matrix() {
        let home = "53.10.01.2001"; // a village in Manggarai, NTT
        let same_regency = "53.10.02.2003";
        let other_province = "35.12.01.2001";
        let cases: &[(Role, Option<&str>, &[(&str, bool)])] = &[
            (Role::NationalAdmin, None, &[(home, true), (other_province, true)]),
            (Role::NationalAnalyst, None, &[(home, true), (other_province, true)]),
            (Role::ProvinceOfficer, Some("53"), &[(home, true), (same_regency, true), (other_province, false)]),
            (Role::RegencyOfficer, Some("53.10"), &[(home, true), (same_regency, true), (other_province, false)]),
            (Role::VillageHead, Some(home), &[(home, true), (same_regency, false)]),
            (Role::VillageOfficer, Some(home), &[(home, true), (same_regency, false), (other_province, false)]),
            (Role::CooperativeManager, Some(home), &[(home, true), (same_regency, false)]),
            (Role::Facilitator, Some(home), &[(home, true), (same_regency, false)]),
            (Role::Partner, Some("53"), &[(home, true), (other_province, false)]),
        ];
        for (role, scope, targets) in cases {
            let p = principal(*role, *scope);
            for (target, expected) in *targets {
                assert_eq!(p.can(Action::ViewVillage, Some(&rc(target))), *expected, "{role} {scope:?} -> {target}");
            }
        }
    }

    #[test]
    fn only_national_admin_administers() {
        for role in Role::ALL {
            let scope = match role.scope_rule() {
                ScopeRule::National | ScopeRule::Any => None,
                ScopeRule::Level(crate::RegionLevel::Province) => Some("53"),
                ScopeRule::Level(crate::RegionLevel::Regency) => Some("53.10"),
                ScopeRule::Level(_) => Some("53.10.01.2001"),
            };
            let p = principal(role, scope);
            for action in [
                Action::DesignateVillage,
                Action::ManagePrograms,
                Action::ManageUsers,
                Action::ViewAudit,
                Action::ManageAgencies,
                Action::ManagePolicy,
                Action::ManagePartners,
                Action::ManageApiClients,
                Action::ManageMissions,
                Action::ManageMonitoring,
                Action::ManageRegions,
            ] {
                assert_eq!(p.can(action, Some(&rc("53.10.01.2001"))), role == Role::NationalAdmin, "{role} {action:?}");
            }
            assert!(p.can(Action::BrowseRegions, None));
        }
    }

    #[test]
    fn person_matrix() {
        let home = rc("53.07.01.2001");
        let other = rc("53.07.02.2001");
        // (role, scope, view home, edit home)
        let cases: &[(Role, Option<&str>, bool, bool)] = &[
            (Role::NationalAdmin, None, true, true),
            (Role::NationalAnalyst, None, true, false),
            (Role::ProvinceOfficer, Some("53"), true, true),
            (Role::RegencyOfficer, Some("53.07"), true, true),
            (Role::VillageHead, Some("53.07.01.2001"), true, true),
            (Role::VillageOfficer, Some("53.07.01.2001"), true, true),
            (Role::CooperativeManager, Some("53.07.01.2001"), true, false),
            (Role::Facilitator, Some("53.07.01.2001"), true, false),
            (Role::Partner, Some("53"), false, false),
        ];
        for (role, scope, view, edit) in cases {
            let p = principal(*role, *scope);
            assert_eq!(p.can(Action::ViewPerson, Some(&home)), *view, "{role} view");
            assert_eq!(p.can(Action::EditPerson, Some(&home)), *edit, "{role} edit");
            assert_eq!(p.can(Action::SubjectRights, Some(&home)), *edit, "{role} subject rights");
            let village_scoped = matches!(scope, Some(s) if s.len() == 13);
            if village_scoped {
                assert!(!p.can(Action::ViewPerson, Some(&other)), "{role} sees another village");
                assert!(!p.can(Action::EditPerson, Some(&other)), "{role} edits another village");
                assert!(!p.can(Action::SubjectRights, Some(&other)), "{role} subject rights elsewhere");
            }
        }
    }

    /// Issue 6: enterprise records and children. (role, scope, view enterprise, edit enterprise,
    /// child names, child counts) for the home village; village-scoped roles see nothing of another.
    #[test]
    fn enterprise_and_children_matrix() {
        let home = rc("53.07.01.2001");
        let other = rc("53.07.02.2001");
        let other_province = rc("35.12.01.2001");
        let cases: &[(Role, Option<&str>, bool, bool, bool, bool)] = &[
            (Role::NationalAdmin, None, true, true, true, true),
            (Role::NationalAnalyst, None, true, false, false, true),
            (Role::ProvinceOfficer, Some("53"), true, true, true, true),
            (Role::RegencyOfficer, Some("53.07"), true, true, true, true),
            (Role::VillageHead, Some("53.07.01.2001"), true, true, true, true),
            (Role::VillageOfficer, Some("53.07.01.2001"), true, true, false, true),
            (Role::CooperativeManager, Some("53.07.01.2001"), true, false, false, true),
            (Role::Facilitator, Some("53.07.01.2001"), true, true, true, true),
            (Role::Partner, Some("53"), false, false, false, false),
            (Role::Partner, None, false, false, false, false),
        ];
        for (role, scope, view, edit, names, counts) in cases {
            let p = principal(*role, *scope);
            assert_eq!(p.can(Action::ViewEnterprise, Some(&home)), *view, "{role} view enterprise");
            assert_eq!(p.can(Action::EditEnterprise, Some(&home)), *edit, "{role} edit enterprise");
            assert_eq!(p.can(Action::ViewChild, Some(&home)), *names, "{role} child names");
            assert_eq!(p.can(Action::CountChildren, Some(&home)), *counts, "{role} child counts");
            let actions = [Action::ViewEnterprise, Action::EditEnterprise, Action::ViewChild, Action::CountChildren];
            if matches!(scope, Some(s) if s.len() == 13) {
                for a in actions {
                    assert!(!p.can(a, Some(&other)), "{role} {a:?} in another village");
                }
            }
            if scope.is_some() {
                for a in actions {
                    assert!(!p.can(a, Some(&other_province)), "{role} {a:?} in another province");
                }
            }
        }
    }

    #[test]
    fn cooperative_matrix() {
        let home = rc("53.07.01.2001");
        let other = rc("53.07.02.2001");
        // (role, scope, view home, manage and approve home)
        let cases: &[(Role, Option<&str>, bool, bool)] = &[
            (Role::NationalAdmin, None, true, true),
            (Role::NationalAnalyst, None, true, false),
            (Role::ProvinceOfficer, Some("53"), true, false),
            (Role::RegencyOfficer, Some("53.07"), true, false),
            (Role::VillageHead, Some("53.07.01.2001"), true, false),
            (Role::VillageOfficer, Some("53.07.01.2001"), true, false),
            (Role::CooperativeManager, Some("53.07.01.2001"), true, true),
            (Role::Facilitator, Some("53.07.01.2001"), true, false),
            (Role::Partner, Some("53"), false, false),
        ];
        for (role, scope, view, manage) in cases {
            let p = principal(*role, *scope);
            assert_eq!(p.can(Action::ViewCooperative, Some(&home)), *view, "{role} view");
            assert_eq!(p.can(Action::ManageCooperative, Some(&home)), *manage, "{role} manage");
            assert_eq!(p.can(Action::ApproveLoan, Some(&home)), *manage, "{role} approve");
            if matches!(scope, Some(s) if s.len() == 13) {
                assert!(!p.can(Action::ViewCooperative, Some(&other)), "{role} sees another village");
                assert!(!p.can(Action::ManageCooperative, Some(&other)), "{role} manages another village");
            }
        }
        let outside = principal(Role::CooperativeManager, Some("53.07.02.2001"));
        assert!(!outside.can(Action::ApproveLoan, Some(&home)));
    }

    /// `may_ever` is "`can` somewhere": true exactly when the role may do the action on some
    /// region of its scope, and false means `can` is false everywhere (and for no region).
    #[test]
    fn may_ever_matrix() {
        let villages = ["53.07.01.2001", "53.07.02.2001", "53.10.01.2001", "35.12.01.2001"];
        let scopes: &[(Role, Option<&str>)] = &[
            (Role::NationalAdmin, None),
            (Role::NationalAnalyst, None),
            (Role::ProvinceOfficer, Some("53")),
            (Role::RegencyOfficer, Some("53.07")),
            (Role::VillageHead, Some("53.07.01.2001")),
            (Role::VillageOfficer, Some("53.07.01.2001")),
            (Role::CooperativeManager, Some("53.07.01.2001")),
            (Role::Facilitator, Some("53.07.01.2001")),
            (Role::Partner, None),
            (Role::Partner, Some("53")),
        ];
        for (role, scope) in scopes {
            let p = principal(*role, *scope);
            for action in Action::ALL {
                let somewhere = villages.iter().any(|v| p.can(action, Some(&rc(v)))) || p.can(action, None);
                assert_eq!(p.may_ever(action), somewhere, "{role} {scope:?} {action:?}");
            }
        }
        // The rows the body-reading handlers rely on (cases, remittances, cooperatives).
        let expect: &[(Role, bool, bool, bool)] = &[
            // (role, EditPerson, EditEnterprise, ManageCooperative)
            (Role::NationalAdmin, true, true, true),
            (Role::NationalAnalyst, false, false, false),
            (Role::ProvinceOfficer, true, true, false),
            (Role::RegencyOfficer, true, true, false),
            (Role::VillageHead, true, true, false),
            (Role::VillageOfficer, true, true, false),
            (Role::CooperativeManager, false, false, true),
            (Role::Facilitator, false, true, false),
            (Role::Partner, false, false, false),
        ];
        for (role, person, enterprise, coop) in expect {
            let scope = scopes.iter().find(|(r, _)| r == role).map(|(_, s)| *s).unwrap_or(None);
            let p = principal(*role, scope);
            assert_eq!(p.may_ever(Action::EditPerson), *person, "{role} EditPerson");
            assert_eq!(p.may_ever(Action::EditEnterprise), *enterprise, "{role} EditEnterprise");
            assert_eq!(p.may_ever(Action::ManageCooperative), *coop, "{role} ManageCooperative");
        }
    }

    #[test]
    fn role_scope_levels() {
        assert!(check_scope_for_role(Role::NationalAdmin, &Scope::National).is_ok());
        assert!(check_scope_for_role(Role::NationalAdmin, &Scope::Region(rc("53"))).is_err());
        assert!(check_scope_for_role(Role::VillageOfficer, &Scope::Region(rc("53.10.01.2001"))).is_ok());
        assert!(check_scope_for_role(Role::VillageOfficer, &Scope::Region(rc("53.10"))).is_err());
        assert!(check_scope_for_role(Role::VillageOfficer, &Scope::National).is_err());
        assert!(check_scope_for_role(Role::RegencyOfficer, &Scope::Region(rc("53.10"))).is_ok());
        assert!(check_scope_for_role(Role::Partner, &Scope::National).is_ok());
        assert!(check_scope_for_role(Role::Partner, &Scope::Region(rc("53.10.01"))).is_ok());
    }

    #[test]
    fn monitoring_matrix() {
        let regency = rc("53.07");
        let village = rc("53.07.01.2001");
        let elsewhere = rc("35.12");
        // (role, scope, sees its regency, sees another province's regency, sees the nation)
        let cases: &[(Role, Option<&str>, bool, bool, bool)] = &[
            (Role::NationalAdmin, None, true, true, true),
            (Role::NationalAnalyst, None, true, true, true),
            (Role::ProvinceOfficer, Some("53"), true, false, false),
            (Role::RegencyOfficer, Some("53.07"), true, false, false),
            (Role::VillageOfficer, Some("53.07.01.2001"), false, false, false),
            (Role::Partner, Some("53"), true, false, false),
        ];
        for (role, scope, own, other, nation) in cases {
            let p = principal(*role, *scope);
            assert_eq!(p.can(Action::ViewMonitoring, Some(&regency)), *own, "{role} own");
            assert_eq!(p.can(Action::ViewMonitoring, Some(&elsewhere)), *other, "{role} other");
            assert_eq!(p.scope == Scope::National, *nation, "{role} nation");
        }
        assert!(principal(Role::VillageOfficer, Some("53.07.01.2001")).can(Action::ViewMonitoring, Some(&village)));
    }

    #[test]
    fn broker_reports_matrix() {
        let home = "53.10.01.2001";
        let outside = "35.12.01.2001";
        // (role, scope, report, handle, hot spots) at home.
        let rows: &[(Role, Option<&str>, bool, bool, bool)] = &[
            (Role::NationalAdmin, None, true, true, true),
            (Role::NationalAnalyst, None, false, false, true),
            (Role::ProvinceOfficer, Some("53"), true, true, true),
            (Role::RegencyOfficer, Some("53.10"), true, true, true),
            (Role::VillageHead, Some(home), true, true, false),
            (Role::VillageOfficer, Some(home), true, true, false),
            (Role::CooperativeManager, Some(home), false, false, false),
            (Role::Facilitator, Some(home), true, false, false),
            (Role::Partner, Some("53"), true, false, false),
        ];
        for (role, scope, report, handle, hot) in rows {
            let p = principal(*role, *scope);
            assert_eq!(p.can(Action::ReportBroker, Some(&rc(home))), *report, "{role} report");
            assert_eq!(p.can(Action::HandleBrokerReports, Some(&rc(home))), *handle, "{role} handle");
            assert_eq!(p.can(Action::ViewBrokerHotSpots, Some(&rc(home))), *hot, "{role} hot spots");
            if scope.is_some() {
                for a in [Action::ReportBroker, Action::HandleBrokerReports, Action::ViewBrokerHotSpots] {
                    assert!(!p.can(a, Some(&rc(outside))), "{role} {a:?} outside");
                }
            }
        }
    }
}
