//! Roles. The names are a public contract (`POST /api/v1/users`).

use crate::region::RegionLevel;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    NationalAdmin,
    NationalAnalyst,
    ProvinceOfficer,
    /// Disnaker person in charge (penanggung jawab) and coordinator.
    RegencyOfficer,
    VillageHead,
    /// One of the two Desmigratif facilitators (petugas) of a village.
    VillageOfficer,
    CooperativeManager,
    /// Enterprise and parenting facilitator.
    Facilitator,
    Partner,
}

/// What region an account of a role may be scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRule {
    /// Whole country; no region code.
    National,
    /// Exactly one region of this level.
    Level(RegionLevel),
    /// National, or any one region.
    Any,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::NationalAdmin,
        Role::NationalAnalyst,
        Role::ProvinceOfficer,
        Role::RegencyOfficer,
        Role::VillageHead,
        Role::VillageOfficer,
        Role::CooperativeManager,
        Role::Facilitator,
        Role::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::NationalAdmin => "national_admin",
            Role::NationalAnalyst => "national_analyst",
            Role::ProvinceOfficer => "province_officer",
            Role::RegencyOfficer => "regency_officer",
            Role::VillageHead => "village_head",
            Role::VillageOfficer => "village_officer",
            Role::CooperativeManager => "cooperative_manager",
            Role::Facilitator => "facilitator",
            Role::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn scope_rule(self) -> ScopeRule {
        match self {
            Role::NationalAdmin | Role::NationalAnalyst => ScopeRule::National,
            Role::ProvinceOfficer => ScopeRule::Level(RegionLevel::Province),
            Role::RegencyOfficer => ScopeRule::Level(RegionLevel::Regency),
            Role::VillageHead | Role::VillageOfficer | Role::CooperativeManager | Role::Facilitator => {
                ScopeRule::Level(RegionLevel::Village)
            }
            Role::Partner => ScopeRule::Any,
        }
    }

    /// Roles listed as a village's own officers on its page.
    pub fn is_village_staff(self) -> bool {
        matches!(self, Role::VillageHead | Role::VillageOfficer | Role::CooperativeManager | Role::Facilitator)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("National_Admin"), None);
    }
}
