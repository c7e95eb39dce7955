//! Privacy rules in one place (issue 14): what a viewer may learn beyond the access decision of
//! `access::Principal::can` and `cases::visibility`. Every door (pages, API, exports, reports,
//! open statistics) asks these functions; docs/ACCESS.md "Privacy rules" lists them with the
//! tests that prove them.
//!
//! - [`fields`]: role × field group (identity numbers, contact, placement, cases, savings),
//!   after Primero's role × field permissions.
//! - [`sees_referral`]: a partner user sees only its own organisation's referral of a case.
//! - [`case_breakdown`]: case type and status breakdowns below the regency only for those who
//!   may open every case there; others get restricted types folded, partners nothing.
//! - [`sees_restricted_counts`]: counts of cases the viewer may not open only for supervisors.
//! - [`may_handle`]: who may be offered and assigned as a case's handler.
//! - [`open_level_allowed`], [`OpenPeriod`], [`complementary_suppression`]: open statistics
//!   (no login) at regency level and above, fixed periods, cells under [`OPEN_MIN_COUNT`]
//!   suppressed together with complementary cells.

use crate::access::Principal;
use crate::monitoring::Month;
use crate::region::RegionLevel;
use crate::role::Role;

/// Groups of a person's fields shown or hidden together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldGroup {
    /// NIK and family card (KK) number.
    IdentityNumbers,
    /// Phone, address, contact abroad.
    Contact,
    /// Placement episodes (where and for whom a worker went abroad) and their timeline.
    Placement,
    /// Protection cases of the person.
    Cases,
    /// Cooperative savings and loans.
    Savings,
}

impl FieldGroup {
    pub const ALL: [FieldGroup; 5] = [
        FieldGroup::IdentityNumbers,
        FieldGroup::Contact,
        FieldGroup::Placement,
        FieldGroup::Cases,
        FieldGroup::Savings,
    ];
}

/// May a role see a field group of a person it may see at all (`Action::ViewPerson`, or a
/// cooperative member through `Action::ViewCooperative`)?
///
/// | role | identity numbers | contact | placement | cases | savings |
/// |---|---|---|---|---|---|
/// | national admin, province/regency officer, village head, village officer | yes | yes | yes | yes | yes |
/// | national analyst | yes | yes | yes | yes | yes |
/// | facilitator | no | yes | yes | yes | no |
/// | cooperative manager | no | no | no | no | yes |
/// | partner | no | no | no | no | no |
///
/// A cooperative manager keeps a member's name and savings; identity numbers, phone, address,
/// time abroad and cases are not the cooperative's business. Facilitators visit families
/// (contact) and work with returned workers (placement), but never verify identity documents.
pub fn field_visible(role: Role, group: FieldGroup) -> bool {
    use FieldGroup::*;
    match role {
        Role::NationalAdmin
        | Role::NationalAnalyst
        | Role::ProvinceOfficer
        | Role::RegencyOfficer
        | Role::VillageHead
        | Role::VillageOfficer => true,
        Role::Facilitator => matches!(group, Contact | Placement | Cases),
        Role::CooperativeManager => group == Savings,
        Role::Partner => false,
    }
}

/// The field groups a role sees, for templates and views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Fields {
    pub identity: bool,
    pub contact: bool,
    pub placement: bool,
    pub cases: bool,
    pub savings: bool,
}

pub fn fields(role: Role) -> Fields {
    Fields {
        identity: field_visible(role, FieldGroup::IdentityNumbers),
        contact: field_visible(role, FieldGroup::Contact),
        placement: field_visible(role, FieldGroup::Placement),
        cases: field_visible(role, FieldGroup::Cases),
        savings: field_visible(role, FieldGroup::Savings),
    }
}

/// May the viewer see a referral of a case it may open? Staff see every referral; a partner
/// user only its own organisation's (name, note, decline reason and services of another
/// organisation are not theirs to know).
pub fn sees_referral(role: Role, viewer_partner: Option<i64>, referral_partner: i64) -> bool {
    role != Role::Partner || viewer_partner == Some(referral_partner)
}

/// May the viewer read a case note? Staff read every note; a partner user only the notes of
/// its own organisation (another partner's notes and the case workers' internal ones are not
/// part of its referral).
pub fn sees_note(role: Role, viewer_partner: Option<i64>, note_partner: Option<i64>) -> bool {
    role != Role::Partner || (viewer_partner.is_some() && viewer_partner == note_partner)
}

fn is_supervisor(role: Role) -> bool {
    matches!(role, Role::RegencyOfficer | Role::ProvinceOfficer | Role::NationalAdmin)
}

/// May the viewer learn how many cases exist that it may not open (a person's restricted
/// cases, the restricted rows of a list)? Only supervisors, who may open them anyway when in
/// scope; for anyone else a count on a named person says "victim".
pub fn sees_restricted_counts(role: Role) -> bool {
    is_supervisor(role)
}

/// How case indicators of a region are shown to a viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseBreakdown {
    /// Every breakdown (by type, by status).
    Full,
    /// Totals; by type with the restricted types folded into one `restricted` bucket; no
    /// breakdown by status.
    Folded,
    /// No case indicator at all.
    Withheld,
}

/// The bucket restricted case types are folded into.
pub const RESTRICTED_BUCKET: &str = "restricted";

/// Case indicators of a region at `level` (`None`: the nation) for `principal`, who may view the
/// region's monitoring. Above the district, cases are many enough that a breakdown names no one.
/// In a village or district, a breakdown by type says "this village has a trafficking case this
/// month": only supervisors (who may open every case there) get it; partners, whose access comes
/// from referrals only, get nothing below the regency.
pub fn case_breakdown(principal: &Principal, level: Option<RegionLevel>) -> CaseBreakdown {
    match level {
        Some(RegionLevel::Village | RegionLevel::District) => {
            if principal.role == Role::Partner {
                CaseBreakdown::Withheld
            } else if is_supervisor(principal.role) {
                CaseBreakdown::Full
            } else {
                CaseBreakdown::Folded
            }
        }
        _ => CaseBreakdown::Full,
    }
}

/// May an account of `role` be a case's handler? The handler opens the case whatever its type,
/// so only those whose work is cases: the roles that register people and facilitators (who
/// raise parenting concerns). Never analysts, cooperative managers or partners.
pub fn may_handle(role: Role, _restricted: bool) -> bool {
    matches!(
        role,
        Role::NationalAdmin
            | Role::ProvinceOfficer
            | Role::RegencyOfficer
            | Role::VillageHead
            | Role::VillageOfficer
            | Role::Facilitator
    )
}

/// Open statistics publish a count only when it covers at least this many people (the
/// Counter-Trafficking Data Collaborative publishes victim data only where every combination
/// covers at least 11 people). Smaller non-zero counts are suppressed, and so are complementary
/// cells (see [`complementary_suppression`]).
pub const OPEN_MIN_COUNT: i64 = 11;

/// Open statistics are published for the nation, provinces and regencies only: a district or a
/// village is small enough that any count points at a household.
pub fn open_level_allowed(level: Option<RegionLevel>) -> bool {
    matches!(level, None | Some(RegionLevel::Province | RegionLevel::Regency))
}

/// The only periods open statistics are published for: a calendar month, quarter or year. No
/// arbitrary range, so two overlapping ranges cannot be subtracted; months, quarters and the
/// year are suppressed together ([`year_groups`]) so they cannot be subtracted either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenPeriod {
    Month(Month),
    Quarter { year: i32, quarter: u8 },
    Year(i32),
}

/// Why a from/to pair is not an open period: the field to name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenPeriodError {
    pub field: &'static str,
    pub malformed: bool,
}

impl OpenPeriod {
    /// `from`/`to` as `YYYY-MM`: equal (a month), the three months of a quarter, or January to
    /// December of one year. Both absent: the year of `current`.
    pub fn parse(from: Option<&str>, to: Option<&str>, current: Month) -> Result<OpenPeriod, OpenPeriodError> {
        let clean = |v: Option<&str>| v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let (from, to) = (clean(from), clean(to));
        let (from, to) = match (from, to) {
            (None, None) => return Ok(OpenPeriod::Year(current.year)),
            (None, Some(_)) => return Err(OpenPeriodError { field: "from", malformed: false }),
            (Some(_), None) => return Err(OpenPeriodError { field: "to", malformed: false }),
            (Some(f), Some(t)) => (f, t),
        };
        let from = Month::parse(&from).ok_or(OpenPeriodError { field: "from", malformed: true })?;
        let to = Month::parse(&to).ok_or(OpenPeriodError { field: "to", malformed: true })?;
        if to < from {
            return Err(OpenPeriodError { field: "to", malformed: false });
        }
        if from == to {
            return Ok(OpenPeriod::Month(from));
        }
        if from.year == to.year && from.month == 1 && to.month == 12 {
            return Ok(OpenPeriod::Year(from.year));
        }
        if from.month % 3 != 1 {
            return Err(OpenPeriodError { field: "from", malformed: false });
        }
        if from.year == to.year && to.month == from.month + 2 {
            return Ok(OpenPeriod::Quarter { year: from.year, quarter: from.month.div_ceil(3) });
        }
        Err(OpenPeriodError { field: "to", malformed: false })
    }

    pub fn year(&self) -> i32 {
        match self {
            OpenPeriod::Month(m) => m.year,
            OpenPeriod::Quarter { year, .. } | OpenPeriod::Year(year) => *year,
        }
    }

    /// First and last month.
    pub fn bounds(&self) -> (Month, Month) {
        let m = |y, mo| Month { year: y, month: mo };
        match *self {
            OpenPeriod::Month(x) => (x, x),
            OpenPeriod::Quarter { year, quarter } => (m(year, quarter * 3 - 2), m(year, quarter * 3)),
            OpenPeriod::Year(year) => (m(year, 1), m(year, 12)),
        }
    }

    /// Its position among the 17 periods of its year: months 0–11, quarters 12–15, year 16.
    pub fn slot(&self) -> usize {
        match *self {
            OpenPeriod::Month(m) => m.month as usize - 1,
            OpenPeriod::Quarter { quarter, .. } => 11 + quarter as usize,
            OpenPeriod::Year(_) => 16,
        }
    }
}

/// Periods of a year as slots (see [`OpenPeriod::slot`]).
pub const YEAR_SLOTS: usize = 17;

/// The additive groups of a year's slots: each quarter with its three months, the year with its
/// four quarters. (The year with its twelve months follows from these.)
pub fn year_groups() -> Vec<Vec<usize>> {
    let mut g: Vec<Vec<usize>> = (0..4).map(|q| vec![q * 3, q * 3 + 1, q * 3 + 2, 12 + q]).collect();
    g.push(vec![12, 13, 14, 15, 16]);
    g
}

/// Primary and complementary suppression. `cells` are counts; each group lists cells whose
/// parts add up to one of them (a total and its parts: regencies and their province, months and
/// their quarter). A cell from 1 to `OPEN_MIN_COUNT - 1` is suppressed; then, while a group has
/// exactly one suppressed cell (which subtraction from the others would recover), the smallest
/// published non-zero cell of that group is suppressed too (a zero only if nothing else is
/// left). Returns which cells are suppressed. Deterministic: the same data always gives the
/// same pattern, so repeated queries reveal nothing more.
pub fn complementary_suppression(cells: &[i64], groups: &[Vec<usize>]) -> Vec<bool> {
    let mut hidden: Vec<bool> = cells.iter().map(|&c| c > 0 && c < OPEN_MIN_COUNT).collect();
    loop {
        let mut changed = false;
        for g in groups {
            if g.iter().filter(|&&i| hidden[i]).count() != 1 {
                continue;
            }
            let pick = g
                .iter()
                .copied()
                .filter(|&i| !hidden[i] && cells[i] > 0)
                .min_by_key(|&i| (cells[i], i))
                .or_else(|| g.iter().copied().filter(|&i| !hidden[i]).min());
            if let Some(i) = pick {
                hidden[i] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Scope;

    fn p(role: Role) -> Principal {
        Principal { user_id: 1, role, scope: Scope::National }
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn a_cooperative_manager_sees_name_and_savings_only() {
        let f = fields(Role::CooperativeManager);
        assert!(!f.identity && !f.contact && !f.placement && !f.cases && f.savings);
        assert_eq!(
            fields(Role::Partner),
            Fields { identity: false, contact: false, placement: false, cases: false, savings: false }
        );
        for r in [Role::NationalAdmin, Role::RegencyOfficer, Role::VillageOfficer, Role::VillageHead] {
            assert!(FieldGroup::ALL.iter().all(|g| field_visible(r, *g)), "{r:?}");
        }
        assert!(!field_visible(Role::Facilitator, FieldGroup::IdentityNumbers));
    }

    #[test]
    fn a_partner_sees_only_its_own_referral() {
        assert!(sees_referral(Role::Partner, Some(1), 1));
        assert!(!sees_referral(Role::Partner, Some(1), 2));
        assert!(!sees_referral(Role::Partner, None, 2));
        assert!(sees_referral(Role::VillageOfficer, None, 2));
    }

    #[test]
    fn restricted_counts_only_for_supervisors() {
        for r in Role::ALL {
            let expect = matches!(r, Role::RegencyOfficer | Role::ProvinceOfficer | Role::NationalAdmin);
            assert_eq!(sees_restricted_counts(r), expect, "{r:?}");
        }
    }

    #[test]
    fn case_breakdowns_below_the_regency_only_for_supervisors() {
        use CaseBreakdown::*;
        for level in [RegionLevel::Village, RegionLevel::District] {
            assert_eq!(case_breakdown(&p(Role::RegencyOfficer), Some(level)), Full);
            assert_eq!(case_breakdown(&p(Role::CooperativeManager), Some(level)), Folded);
            assert_eq!(case_breakdown(&p(Role::VillageOfficer), Some(level)), Folded);
            assert_eq!(case_breakdown(&p(Role::NationalAnalyst), Some(level)), Folded);
            assert_eq!(case_breakdown(&p(Role::Partner), Some(level)), Withheld);
        }
        for level in [None, Some(RegionLevel::Regency), Some(RegionLevel::Province)] {
            assert_eq!(case_breakdown(&p(Role::Partner), level), Full);
            assert_eq!(case_breakdown(&p(Role::NationalAnalyst), level), Full);
        }
    }

    #[test]
    fn handlers_are_case_workers() {
        assert!(!may_handle(Role::CooperativeManager, true) && !may_handle(Role::CooperativeManager, false));
        assert!(!may_handle(Role::NationalAnalyst, false) && !may_handle(Role::Partner, false));
        assert!(may_handle(Role::VillageOfficer, true) && may_handle(Role::Facilitator, true));
    }

    #[test]
    fn open_statistics_stop_at_the_regency() {
        assert!(open_level_allowed(None));
        assert!(open_level_allowed(Some(RegionLevel::Province)));
        assert!(open_level_allowed(Some(RegionLevel::Regency)));
        assert!(!open_level_allowed(Some(RegionLevel::District)));
        assert!(!open_level_allowed(Some(RegionLevel::Village)));
    }

    #[test]
    fn open_periods_are_months_quarters_or_years() {
        let now = m("2026-05");
        let parse = |f: &str, t: &str| OpenPeriod::parse(Some(f), Some(t), now);
        assert_eq!(OpenPeriod::parse(None, None, now), Ok(OpenPeriod::Year(2026)));
        assert_eq!(parse("2026-03", "2026-03"), Ok(OpenPeriod::Month(m("2026-03"))));
        assert_eq!(parse("2026-04", "2026-06"), Ok(OpenPeriod::Quarter { year: 2026, quarter: 2 }));
        assert_eq!(parse("2025-01", "2025-12"), Ok(OpenPeriod::Year(2025)));
        assert_eq!(parse("2026-02", "2026-04").unwrap_err().field, "from");
        assert_eq!(parse("2026-01", "2026-02").unwrap_err().field, "to");
        assert_eq!(parse("2016-01", "2026-05").unwrap_err().field, "to");
        assert_eq!(parse("2025-10", "2026-03").unwrap_err().field, "to");
        assert_eq!(parse("March", "2026-03").unwrap_err(), OpenPeriodError { field: "from", malformed: true });
        assert_eq!(OpenPeriod::parse(Some("2026-01"), None, now).unwrap_err().field, "to");
        let q = OpenPeriod::Quarter { year: 2026, quarter: 2 };
        assert_eq!(q.bounds(), (m("2026-04"), m("2026-06")));
        assert_eq!((OpenPeriod::Month(m("2026-12")).slot(), q.slot(), OpenPeriod::Year(2026).slot()), (11, 13, 16));
    }

    /// No suppressed cell can be recovered from a group's published cells by subtraction.
    fn assert_protected(cells: &[i64], groups: &[Vec<usize>], hidden: &[bool]) {
        for (i, &c) in cells.iter().enumerate() {
            if c > 0 && c < OPEN_MIN_COUNT {
                assert!(hidden[i], "cell {i} ({c}) is small and published");
            }
        }
        for g in groups {
            assert_ne!(g.iter().filter(|&&i| hidden[i]).count(), 1, "group {g:?} has one suppressed cell");
        }
    }

    #[test]
    fn one_small_cell_takes_a_complementary_one_with_it() {
        // Three regencies and their province (the last cell).
        let cells = [3, 40, 25, 68];
        let groups = vec![vec![0, 1, 2, 3]];
        let hidden = complementary_suppression(&cells, &groups);
        assert_eq!(hidden, [true, false, true, false]);
        assert_protected(&cells, &groups, &hidden);
        // Zeros stay published: nobody to single out.
        assert_eq!(complementary_suppression(&[0, 40, 40], &groups[..0]), [false, false, false]);
    }

    #[test]
    fn suppression_spreads_across_months_quarters_and_the_year() {
        // One regency's year: a small March, everything else large.
        let mut cells = vec![20; YEAR_SLOTS];
        cells[2] = 4;
        cells[12] = 44;
        for q in 1..4 {
            cells[12 + q] = 60;
        }
        cells[16] = 224;
        let groups = year_groups();
        let hidden = complementary_suppression(&cells, &groups);
        assert_protected(&cells, &groups, &hidden);
        assert!(hidden[2] && hidden.iter().filter(|h| **h).count() >= 2);
    }

    #[test]
    fn a_chain_of_groups_is_closed() {
        // Two regencies' months of one quarter, their quarters, and the province (sum) likewise.
        // cells: r1 m1..m3 q (0..4), r2 (4..8), province (8..12).
        let cells = [5, 30, 30, 65, 30, 30, 30, 90, 35, 60, 60, 155];
        let mut groups = vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9, 10, 11]];
        for k in 0..4 {
            groups.push(vec![k, 4 + k, 8 + k]);
        }
        let hidden = complementary_suppression(&cells, &groups);
        assert_protected(&cells, &groups, &hidden);
    }

    #[test]
    fn a_partner_reads_only_its_own_organisations_notes() {
        assert!(sees_note(Role::VillageOfficer, None, Some(3)));
        assert!(sees_note(Role::RegencyOfficer, None, None));
        assert!(sees_note(Role::Partner, Some(3), Some(3)));
        assert!(!sees_note(Role::Partner, Some(3), Some(4)));
        assert!(!sees_note(Role::Partner, Some(3), None), "a case worker's internal note");
        assert!(!sees_note(Role::Partner, None, None), "a partner account bound to no organisation");
    }
}
