//! The trafficking assessment of UU 21/2007 (TPPO): a trafficking case records the three
//! elements of Pasal 1(1) — a *process*, by a *means*, for a *purpose* of exploitation — and
//! for a child victim (under 18 at the time) the means element is not needed (Pasal 1(1) and
//! 1(5), as in the Palermo Protocol art. 3(c)): a child cannot consent to exploitation.
//!
//! The assessment tells the handler which elements the recorded facts show; it is a screening
//! aid for the referral to the police and IOM, not a legal finding.

use crate::validation::{Rule, ValidationErrors, text};
use std::collections::BTreeSet;

code_enum! {
    /// The act (Pasal 1(1)).
    pub enum Process {
        /// Perekrutan.
        Recruitment = "recruitment",
        /// Pengangkutan.
        Transport = "transport",
        /// Penampungan.
        Harbouring = "harbouring",
        /// Pengiriman.
        Sending = "sending",
        /// Pemindahan.
        Transfer = "transfer",
        /// Penerimaan.
        Receipt = "receipt",
    }
}

code_enum! {
    /// The means (Pasal 1(1)). Not needed for a child victim.
    pub enum Means {
        /// Ancaman kekerasan.
        ThreatOfViolence = "threat_of_violence",
        /// Penggunaan kekerasan.
        Force = "force",
        /// Penculikan.
        Abduction = "abduction",
        /// Penyekapan.
        Confinement = "confinement",
        /// Pemalsuan (forged documents, false identity).
        Forgery = "forgery",
        /// Penipuan (false job offers, false wages).
        Deception = "deception",
        /// Penyalahgunaan kekuasaan.
        AbuseOfPower = "abuse_of_power",
        /// Posisi rentan.
        AbuseOfVulnerability = "abuse_of_vulnerability",
        /// Penjeratan utang (fees to be "worked off").
        DebtBondage = "debt_bondage",
        /// Giving payments or benefits to obtain the consent of a person in control of the
        /// victim (often the parents).
        Payment = "payment",
    }
}

code_enum! {
    /// The exploitation aimed at (Pasal 1(7)).
    pub enum Purpose {
        /// Pelacuran.
        Prostitution = "prostitution",
        /// Kerja atau pelayanan paksa.
        ForcedLabour = "forced_labour",
        /// Perbudakan atau praktik serupa perbudakan.
        Slavery = "slavery",
        /// Penindasan, pemerasan.
        OppressionOrExtortion = "oppression_or_extortion",
        /// Pemanfaatan seksual (other than prostitution).
        SexualExploitation = "sexual_exploitation",
        /// Pemanfaatan organ reproduksi.
        ReproductiveExploitation = "reproductive_exploitation",
        /// Removal or transplantation of organs or tissue.
        OrganRemoval = "organ_removal",
        /// Other use of a person's labour or abilities for another's gain.
        OtherExploitation = "other_exploitation",
    }
}

code_enum! {
    /// The common forms seen in Indonesia (brief §5).
    pub enum Form {
        /// Illegal (non-procedural) migrant work, domestic work above all.
        MigrantOrDomesticWork = "migrant_or_domestic_work",
        SexualExploitation = "sexual_exploitation",
        /// Needs a victim under 18 when the age is known.
        ChildExploitation = "child_exploitation",
        /// Fishing-vessel and ship crew.
        ShipCrew = "ship_crew",
        /// Online scam compounds (thousands of Indonesian victims since 2020).
        OnlineScamCompound = "online_scam_compound",
        MailOrderBride = "mail_order_bride",
        OrganTrade = "organ_trade",
        /// Needs a description (`form_detail`).
        Other = "other",
    }
}

code_enum! {
    /// The three elements.
    pub enum Element {
        Process = "process",
        Means = "means",
        Purpose = "purpose",
    }
}

code_enum! {
    /// The result of victim screening (by the handler, IOM or the police).
    pub enum ScreeningResult {
        NotScreened = "not_screened",
        /// Screened: a victim of trafficking. Needs every required element recorded.
        VictimIdentified = "victim_identified",
        /// Indicators present, not conclusive yet.
        PotentialVictim = "potential_victim",
        /// Screened: not trafficking (the case may still be another kind, e.g. fraud).
        NotAVictim = "not_a_victim",
    }
}

/// Age below which a victim is a child (UU 21/2007 Pasal 1(5); UU 35/2014).
pub const CHILD_AGE_LIMIT: u8 = 18;
/// The highest age accepted, in years.
pub const MAX_AGE: u8 = 120;
/// The longest reintegration plan or form description accepted, in characters.
pub const MAX_PLAN_CHARS: usize = 4000;
pub const MAX_FORM_DETAIL_CHARS: usize = 200;

/// A victim's age in whole years at the time of the facts, 0 to [`MAX_AGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct VictimAge(u8);

impl VictimAge {
    pub fn new(years: i64) -> Option<VictimAge> {
        u8::try_from(years).ok().filter(|y| *y <= MAX_AGE).map(VictimAge)
    }

    pub fn years(self) -> u8 {
        self.0
    }

    pub fn is_child(self) -> bool {
        self.0 < CHILD_AGE_LIMIT
    }
}

/// Which of the required elements the recorded facts show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assessment {
    /// The victim was under 18 at the time: the means element is not required.
    pub child_victim: bool,
    /// No age recorded: assessed as an adult (means required) — the handler should establish
    /// the age, since a child would need no means.
    pub age_unknown: bool,
    /// Required elements with nothing recorded, in the order process, means, purpose.
    pub missing: Vec<Element>,
}

impl Assessment {
    /// Every required element is recorded: the facts show trafficking as UU 21/2007 defines it.
    pub fn elements_met(&self) -> bool {
        self.missing.is_empty()
    }

    pub fn means_required(&self) -> bool {
        !self.child_victim
    }
}

/// Assesses the three elements. A child victim needs no means; an unknown age counts as adult.
pub fn assess(
    process: &BTreeSet<Process>,
    means: &BTreeSet<Means>,
    purpose: &BTreeSet<Purpose>,
    victim_age_at_time: Option<VictimAge>,
) -> Assessment {
    let child_victim = victim_age_at_time.is_some_and(VictimAge::is_child);
    let mut missing = Vec::new();
    if process.is_empty() {
        missing.push(Element::Process);
    }
    if !child_victim && means.is_empty() {
        missing.push(Element::Means);
    }
    if purpose.is_empty() {
        missing.push(Element::Purpose);
    }
    Assessment { child_victim, age_unknown: victim_age_at_time.is_none(), missing }
}

/// A trafficking form as typed or sent: codes as text.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraffickingInput<'a> {
    pub process: &'a [&'a str],
    pub means: &'a [&'a str],
    pub purpose: &'a [&'a str],
    pub form: &'a str,
    /// Describes an `other` form.
    pub form_detail: &'a str,
    /// Whole years; blank when unknown.
    pub victim_age_at_time: &'a str,
    /// Blank means `not_screened`.
    pub screening_result: &'a str,
    pub reintegration_plan: &'a str,
}

/// A valid trafficking record, with its assessment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TraffickingRecord {
    pub process: BTreeSet<Process>,
    pub means: BTreeSet<Means>,
    pub purpose: BTreeSet<Purpose>,
    pub form: Form,
    pub form_detail: Option<String>,
    pub victim_age_at_time: Option<VictimAge>,
    pub screening_result: ScreeningResult,
    pub reintegration_plan: Option<String>,
    pub assessment: Assessment,
}

/// Parses a list of codes; blanks are skipped, repeats merged, every unknown code reported.
fn code_set<T: Ord>(
    errs: &mut ValidationErrors,
    field: &str,
    values: &[&str],
    parse: fn(&str) -> Option<T>,
    codes: fn() -> String,
) -> BTreeSet<T> {
    let mut out = BTreeSet::new();
    let mut unknown = Vec::new();
    for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match parse(v) {
            Some(c) => {
                out.insert(c);
            }
            None => unknown.push(v),
        }
    }
    if !unknown.is_empty() {
        errs.add(field, Rule::OneOf, format!("unknown {}; one of {}", unknown.join(", "), codes()));
    }
    out
}

/// Checks a trafficking form. Every field's errors are collected, named by field: `process`,
/// `means`, `purpose`, `form`, `form_detail`, `victim_age_at_time`, `screening_result`,
/// `reintegration_plan`.
///
/// Missing elements are not an error (a suspicion starts with partial facts); they are the
/// assessment's `missing`. Two combinations are refused as contradictions: a screening result
/// `victim_identified` with elements missing, and the form `child_exploitation` for a victim
/// known to be 18 or older.
pub fn validate_trafficking(input: &TraffickingInput<'_>) -> Result<TraffickingRecord, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let process = code_set(&mut errs, "process", input.process, Process::parse, Process::codes);
    let means = code_set(&mut errs, "means", input.means, Means::parse, Means::codes);
    let purpose = code_set(&mut errs, "purpose", input.purpose, Purpose::parse, Purpose::codes);

    let form = match input.form.trim() {
        "" => {
            errs.add("form", Rule::Required, format!("one of {}", Form::codes()));
            None
        }
        f => {
            let parsed = Form::parse(f);
            if parsed.is_none() {
                errs.add("form", Rule::OneOf, format!("one of {}", Form::codes()));
            }
            parsed
        }
    };
    let detail = text(&mut errs, "form_detail", input.form_detail, 0, MAX_FORM_DETAIL_CHARS);
    let form_detail = (!detail.is_empty()).then_some(detail);
    if form == Some(Form::Other) && form_detail.is_none() {
        errs.add("form_detail", Rule::Required, "describe the form when it is \"other\"");
    }

    let victim_age_at_time = match input.victim_age_at_time.trim() {
        "" => None,
        a => match a.parse::<i64>() {
            Err(_) => {
                errs.add("victim_age_at_time", Rule::Format, "whole years, e.g. 17");
                None
            }
            Ok(years) => {
                let age = VictimAge::new(years);
                if age.is_none() {
                    errs.add("victim_age_at_time", Rule::OutOfRange, format!("0 to {MAX_AGE} years"));
                }
                age
            }
        },
    };

    let screening_result = match input.screening_result.trim() {
        "" => Some(ScreeningResult::NotScreened),
        s => {
            let parsed = ScreeningResult::parse(s);
            if parsed.is_none() {
                errs.add("screening_result", Rule::OneOf, format!("one of {}", ScreeningResult::codes()));
            }
            parsed
        }
    };

    let plan = text(&mut errs, "reintegration_plan", input.reintegration_plan, 0, MAX_PLAN_CHARS);
    let reintegration_plan = (!plan.is_empty()).then_some(plan);

    let assessment = assess(&process, &means, &purpose, victim_age_at_time);
    if screening_result == Some(ScreeningResult::VictimIdentified) && !assessment.elements_met() {
        let missing: Vec<&str> = assessment.missing.iter().map(|e| e.as_str()).collect();
        errs.add(
            "screening_result",
            Rule::Mismatch,
            format!("victim_identified needs every required element; missing {}", missing.join(", ")),
        );
    }
    if form == Some(Form::ChildExploitation) && victim_age_at_time.is_some_and(|a| !a.is_child()) {
        errs.add("form", Rule::Mismatch, "child_exploitation needs a victim under 18 at the time");
    }

    errs.into_result()?;
    match (form, screening_result) {
        (Some(form), Some(screening_result)) => Ok(TraffickingRecord {
            process,
            means,
            purpose,
            form,
            form_detail,
            victim_age_at_time,
            screening_result,
            reintegration_plan,
            assessment,
        }),
        // Unreachable in practice: a missing form or screening result added an error above.
        _ => Err(ValidationErrors::single("form", Rule::Required, "the form is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set<T: Ord + Copy>(items: &[T]) -> BTreeSet<T> {
        items.iter().copied().collect()
    }

    fn age(y: i64) -> Option<VictimAge> {
        VictimAge::new(y)
    }

    #[test]
    fn codes_round_trip() {
        for p in Process::ALL {
            assert_eq!(Process::parse(p.as_str()), Some(p));
        }
        for m in Means::ALL {
            assert_eq!(Means::parse(m.as_str()), Some(m));
        }
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.as_str()), Some(p));
        }
        for f in Form::ALL {
            assert_eq!(Form::parse(f.as_str()), Some(f));
        }
        for s in ScreeningResult::ALL {
            assert_eq!(ScreeningResult::parse(s.as_str()), Some(s));
        }
        assert_eq!(Form::ALL.len(), 8);
    }

    #[test]
    fn an_adult_needs_all_three_elements() {
        let p = set(&[Process::Recruitment, Process::Transport]);
        let m = set(&[Means::Deception, Means::DebtBondage]);
        let u = set(&[Purpose::ForcedLabour]);
        let a = assess(&p, &m, &u, age(24));
        assert!(a.elements_met() && !a.child_victim && !a.age_unknown && a.means_required());
        let a = assess(&p, &BTreeSet::new(), &u, age(18));
        assert_eq!(a.missing, [Element::Means]);
        let a = assess(&BTreeSet::new(), &BTreeSet::new(), &BTreeSet::new(), age(30));
        assert_eq!(a.missing, [Element::Process, Element::Means, Element::Purpose]);
    }

    #[test]
    fn a_child_needs_no_means() {
        let p = set(&[Process::Recruitment]);
        let u = set(&[Purpose::SexualExploitation]);
        let a = assess(&p, &BTreeSet::new(), &u, age(17));
        assert!(a.elements_met() && a.child_victim && !a.means_required());
        let a = assess(&p, &BTreeSet::new(), &BTreeSet::new(), age(0));
        assert_eq!(a.missing, [Element::Purpose]);
    }

    #[test]
    fn an_unknown_age_counts_as_adult_and_says_so() {
        let a = assess(&set(&[Process::Receipt]), &BTreeSet::new(), &set(&[Purpose::Slavery]), None);
        assert!(a.age_unknown && !a.child_victim);
        assert_eq!(a.missing, [Element::Means]);
    }

    #[test]
    fn ages() {
        assert_eq!(VictimAge::new(-1), None);
        assert_eq!(VictimAge::new(121), None);
        assert_eq!(VictimAge::new(120).map(VictimAge::years), Some(120));
        assert!(VictimAge::new(17).is_some_and(VictimAge::is_child));
        assert!(!VictimAge::new(18).is_some_and(VictimAge::is_child));
    }

    fn input() -> TraffickingInput<'static> {
        TraffickingInput {
            process: &["recruitment", " TRANSPORT ", "recruitment", ""],
            means: &["deception"],
            purpose: &["forced_labour"],
            form: "online_scam_compound",
            form_detail: "",
            victim_age_at_time: "23",
            screening_result: "victim_identified",
            reintegration_plan: "  Skills training with the village cooperative  ",
        }
    }

    #[test]
    fn a_valid_form() {
        let r = validate_trafficking(&input()).unwrap();
        assert_eq!(r.process, set(&[Process::Recruitment, Process::Transport]));
        assert_eq!(r.form, Form::OnlineScamCompound);
        assert_eq!(r.victim_age_at_time, age(23));
        assert_eq!(r.screening_result, ScreeningResult::VictimIdentified);
        assert_eq!(r.reintegration_plan.as_deref(), Some("Skills training with the village cooperative"));
        assert!(r.assessment.elements_met());
        let blank = TraffickingInput {
            process: &[],
            means: &[],
            purpose: &[],
            form: "ship_crew",
            ..TraffickingInput::default()
        };
        let r = validate_trafficking(&blank).unwrap();
        assert_eq!(r.screening_result, ScreeningResult::NotScreened);
        assert_eq!(r.victim_age_at_time, None);
        assert_eq!(r.assessment.missing.len(), 3);
    }

    #[test]
    fn errors_are_named_by_field() {
        let bad = TraffickingInput {
            process: &["recruitment", "kidnap"],
            means: &["bribery"],
            purpose: &["begging"],
            form: "smuggling",
            victim_age_at_time: "seventeen",
            screening_result: "maybe",
            reintegration_plan: "x",
            ..input()
        };
        let e = validate_trafficking(&bad).unwrap_err();
        let fields: Vec<(&str, Rule)> = e.0.iter().map(|f| (f.field.as_str(), f.rule)).collect();
        assert_eq!(
            fields,
            [
                ("process", Rule::OneOf),
                ("means", Rule::OneOf),
                ("purpose", Rule::OneOf),
                ("form", Rule::OneOf),
                ("victim_age_at_time", Rule::Format),
                ("screening_result", Rule::OneOf),
            ]
        );
        assert!(e.for_field("process").is_some_and(|f| f.detail.starts_with("unknown kidnap; one of recruitment")));
        let e =
            validate_trafficking(&TraffickingInput { victim_age_at_time: "130", form: " ", ..input() }).unwrap_err();
        assert_eq!(e.for_field("victim_age_at_time").map(|f| f.rule), Some(Rule::OutOfRange));
        assert_eq!(e.for_field("form").map(|f| f.rule), Some(Rule::Required));
    }

    #[test]
    fn other_form_needs_a_description() {
        let e = validate_trafficking(&TraffickingInput { form: "other", ..input() }).unwrap_err();
        assert_eq!(e.for_field("form_detail").map(|f| f.rule), Some(Rule::Required));
        let r = validate_trafficking(&TraffickingInput { form: "other", form_detail: " Forced begging ", ..input() });
        assert_eq!(r.unwrap().form_detail.as_deref(), Some("Forced begging"));
        let long = "x".repeat(MAX_PLAN_CHARS + 1);
        let e = validate_trafficking(&TraffickingInput { reintegration_plan: &long, ..input() }).unwrap_err();
        assert_eq!(e.for_field("reintegration_plan").map(|f| f.rule), Some(Rule::TooLong));
    }

    #[test]
    fn contradictions_are_refused() {
        let e = validate_trafficking(&TraffickingInput { means: &[], ..input() }).unwrap_err();
        let f = e.for_field("screening_result").unwrap();
        assert_eq!(
            (f.rule, f.detail.as_str()),
            (Rule::Mismatch, "victim_identified needs every required element; missing means")
        );
        // A child needs no means: the same facts for a 16-year-old are an identified victim.
        let r = validate_trafficking(&TraffickingInput { means: &[], victim_age_at_time: "16", ..input() }).unwrap();
        assert!(r.assessment.child_victim);
        let e = validate_trafficking(&TraffickingInput { form: "child_exploitation", ..input() }).unwrap_err();
        assert_eq!(e.for_field("form").map(|f| f.rule), Some(Rule::Mismatch));
        validate_trafficking(&TraffickingInput { form: "child_exploitation", victim_age_at_time: "", ..input() })
            .unwrap();
    }

    proptest! {
        #[test]
        fn assessment_matches_the_law(
            p in proptest::collection::btree_set(proptest::sample::select(Process::ALL.to_vec()), 0..3),
            m in proptest::collection::btree_set(proptest::sample::select(Means::ALL.to_vec()), 0..3),
            u in proptest::collection::btree_set(proptest::sample::select(Purpose::ALL.to_vec()), 0..3),
            years in proptest::option::of(0i64..=MAX_AGE as i64),
        ) {
            let a = assess(&p, &m, &u, years.and_then(VictimAge::new));
            let child = years.is_some_and(|y| y < 18);
            prop_assert_eq!(a.elements_met(), !p.is_empty() && !u.is_empty() && (child || !m.is_empty()));
            prop_assert_eq!(a.child_victim, child);
        }

        #[test]
        fn validation_never_panics(s in ".{0,20}", age in ".{0,5}") {
            let codes = [s.as_str()];
            let i = TraffickingInput {
                process: &codes,
                means: &codes,
                purpose: &codes,
                form: &s,
                form_detail: &s,
                victim_age_at_time: &age,
                screening_result: &s,
                reintegration_plan: &s,
            };
            let _ = validate_trafficking(&i);
        }
    }
}
