//! The stable codes of the enterprise pillar.

code_enum! {
    /// What a training teaches.
    pub enum TrainingTopic {
        Entrepreneurship = "entrepreneurship",
        FinancialLiteracy = "financial_literacy",
        Agriculture = "agriculture",
        Livestock = "livestock",
        Fisheries = "fisheries",
        TourismGuiding = "tourism_guiding",
        Crafts = "crafts",
        Culinary = "culinary",
        DigitalMarketing = "digital_marketing",
        Other = "other",
    }
}

code_enum! {
    /// Who organises a training.
    pub enum Organiser {
        Ministry = "ministry",
        ProvinceOffice = "province_office",
        RegencyOffice = "regency_office",
        VillageGovernment = "village_government",
        University = "university",
        Company = "company",
        Ngo = "ngo",
        FinancialInstitution = "financial_institution",
        Other = "other",
    }
}

code_enum! {
    /// A business's line of work.
    pub enum Sector {
        Agriculture = "agriculture",
        Livestock = "livestock",
        Fisheries = "fisheries",
        FoodProcessing = "food_processing",
        Trade = "trade",
        Crafts = "crafts",
        Tourism = "tourism",
        Services = "services",
        Transport = "transport",
        Other = "other",
    }
}

code_enum! {
    /// Where a business's starting capital came from (several may apply).
    pub enum CapitalSource {
        OwnRemittances = "own_remittances",
        CooperativeLoan = "cooperative_loan",
        Grant = "grant",
        BankLoan = "bank_loan",
        /// Kredit Usaha Rakyat, the people's business credit.
        Kur = "kur",
        Family = "family",
        Other = "other",
    }
}

code_enum! {
    /// How a business is organised.
    pub enum LegalForm {
        Individual = "individual",
        Group = "group",
        /// A unit of the village-owned enterprise (BUMDes).
        BumdesUnit = "bumdes_unit",
    }
}

code_enum! {
    /// Where a business stands. Closed is final: a business that starts again is a new record.
    pub enum BusinessStatus {
        Planned = "planned",
        Running = "running",
        Paused = "paused",
        Closed = "closed",
    }
}

impl BusinessStatus {
    /// The statuses a business may move to from this one.
    pub fn next_states(self) -> &'static [BusinessStatus] {
        use BusinessStatus::*;
        match self {
            Planned => &[Running, Closed],
            Running => &[Paused, Closed],
            Paused => &[Running, Closed],
            Closed => &[],
        }
    }
}

code_enum! {
    /// Why a person is a member of a business: the pillar counts returned migrants and their families.
    pub enum MemberKind {
        ReturnedMigrant = "returned_migrant",
        FamilyMember = "family_member",
        Other = "other",
    }
}

code_enum! {
    /// How a remittance reached the family.
    pub enum RemittanceChannel {
        Bank = "bank",
        RemittanceCompany = "remittance_company",
        Post = "post",
        /// Brought home in cash.
        Carried = "carried",
        Other = "other",
    }
}

code_enum! {
    /// What a remittance was spent on.
    pub enum RemittanceUse {
        DailyNeeds = "daily_needs",
        Education = "education",
        Health = "health",
        Housing = "housing",
        Debt = "debt",
        ProductiveInvestment = "productive_investment",
        Savings = "savings",
    }
}

impl RemittanceUse {
    /// The uses counted as productive in the village's productive share: investment in a
    /// business only (savings may later be invested, but are not yet).
    pub fn is_productive(self) -> bool {
        self == RemittanceUse::ProductiveInvestment
    }
}

code_enum! {
    /// Condition of equipment at a check.
    pub enum EquipmentCondition {
        Good = "good",
        NeedsRepair = "needs_repair",
        Broken = "broken",
        Lost = "lost",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snake(code: &str) -> bool {
        code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    }

    #[test]
    fn codes_round_trip_and_are_snake_case() {
        macro_rules! check {
            ($($t:ty),+) => {$(
                for v in <$t>::ALL {
                    assert_eq!(<$t>::parse(v.as_str()), Some(v));
                    assert_eq!(<$t>::parse(&format!(" {} ", v.as_str().to_uppercase())), Some(v));
                    assert!(snake(v.as_str()), "{}", v);
                }
                assert_eq!(<$t>::parse("nonsense"), None);
            )+};
        }
        check!(
            TrainingTopic,
            Organiser,
            Sector,
            CapitalSource,
            LegalForm,
            BusinessStatus,
            MemberKind,
            RemittanceChannel,
            RemittanceUse,
            EquipmentCondition
        );
    }

    #[test]
    fn closed_is_final_and_no_status_loops_to_itself() {
        assert!(BusinessStatus::Closed.next_states().is_empty());
        for s in BusinessStatus::ALL {
            assert!(!s.next_states().contains(&s), "{s}");
            if s != BusinessStatus::Closed {
                assert!(s.next_states().contains(&BusinessStatus::Closed), "{s} can close");
            }
        }
        assert!(!BusinessStatus::Running.next_states().contains(&BusinessStatus::Planned));
    }

    #[test]
    fn only_productive_investment_is_productive() {
        let productive: Vec<_> = RemittanceUse::ALL.into_iter().filter(|u| u.is_productive()).collect();
        assert_eq!(productive, [RemittanceUse::ProductiveInvestment]);
    }
}
