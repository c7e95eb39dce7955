//! A message key used anywhere but missing from the catalogues shows as "??" (or as the key)
//! to the user; the test here finds them before a user does. It reads the templates and the
//! Rust sources of web and app for literal keys (`t.get("…")`, `t.fmt("…")`, `t(lang, "…")`)
//! and checks every code of the domain's code lists that a template shows with
//! `t.label("prefix", code)`.

#[cfg(test)]
mod tests {
    use regex::Regex;
    use std::path::Path;

    fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable source directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }

    fn sources() -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        files(&root.join("templates"), "html", &mut paths);
        files(&root.join("src"), "rs", &mut paths);
        files(&root.join("../app/src"), "rs", &mut paths);
        paths
            .into_iter()
            // This file's own examples are not keys.
            .filter(|p| !p.ends_with("catalogue_keys.rs"))
            .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).expect("readable source")))
            .collect()
    }

    /// Literal keys: `t.get("a.b")`, `T::new(lang).fmt("a.b", …)`, `t(lang, "a.b")`.
    fn used_keys(text: &str) -> Vec<String> {
        let calls = Regex::new(r#"(?:\bt|\))\.(?:get|fmt)\(\s*"([a-z0-9_]+(?:\.[a-z0-9_]+)+)""#).expect("regex");
        let free = Regex::new(r#"\bt\(\s*[a-zA-Z_.:]+\s*,\s*"([a-z0-9_]+(?:\.[a-z0-9_]+)+)""#).expect("regex");
        calls.captures_iter(text).chain(free.captures_iter(text)).map(|c| c[1].to_string()).collect()
    }

    /// Literal codes given to the helpers that look up `<prefix>.<code>` (`t.level("village")`).
    fn helper_keys(text: &str) -> Vec<String> {
        let re = Regex::new(r#"\bt\.(level|role|category|relation|agency_status|nik_issue)\(\s*"([a-z0-9_]+)"\s*\)"#)
            .expect("regex");
        re.captures_iter(text)
            .map(|c| {
                let prefix = if &c[1] == "nik_issue" { "nik" } else { &c[1] };
                format!("{prefix}.{}", &c[2])
            })
            .collect()
    }

    /// The prefixes `t.label("prefix", …)` is called with.
    fn label_prefixes(text: &str) -> Vec<String> {
        let re = Regex::new(r#"(?:\bt\.label\(|\blabel\(\s*t\s*,)\s*"([a-z0-9_.]+)""#).expect("regex");
        re.captures_iter(text).map(|c| c[1].to_string()).collect()
    }

    fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|v| code(*v)).collect()
    }

    /// Label prefixes whose codes are a closed list in the domain. Countries and job types
    /// are open lists (their pickers own them) and are not here.
    fn code_lists() -> Vec<(&'static str, Vec<&'static str>)> {
        use domain::cases::{kinds, trafficking, workflow};
        use domain::cooperative::{loan, posting, savings, schedule};
        use domain::service_center::{episode, flags, requirements};
        use domain::{enterprise::codes as ent, parenting as par};
        vec![
            ("state", codes(&episode::EpisodeState::ALL, |v| v.as_str())),
            ("category_ep", codes(&episode::Category::ALL, |v| v.as_str())),
            ("scheme", codes(&episode::Scheme::ALL, |v| v.as_str())),
            ("return_reason", codes(&episode::ReturnReason::ALL, |v| v.as_str())),
            ("risk", codes(&flags::RiskCode::ALL, |v| v.as_str())),
            ("cost", codes(&flags::CostItem::ALL, |v| v.as_str())),
            ("doc", codes(&requirements::DocumentKind::ALL, |v| v.as_str())),
            ("doc_status", codes(&requirements::DocumentStatus::ALL, |v| v.as_str())),
            ("case_type", codes(&kinds::CaseType::ALL, |v| v.as_str())),
            ("severity", codes(&kinds::Severity::ALL, |v| v.as_str())),
            ("partner_type", codes(&kinds::PartnerType::ALL, |v| v.as_str())),
            ("service", codes(&kinds::Service::ALL, |v| v.as_str())),
            ("case_status", codes(&workflow::CaseStatus::ALL, |v| v.as_str())),
            ("outcome", codes(&workflow::Outcome::ALL, |v| v.as_str())),
            ("referral_status", codes(&workflow::ReferralStatus::ALL, |v| v.as_str())),
            ("tppo_element", codes(&trafficking::Element::ALL, |v| v.as_str())),
            ("tppo_process", codes(&trafficking::Process::ALL, |v| v.as_str())),
            ("tppo_means", codes(&trafficking::Means::ALL, |v| v.as_str())),
            ("tppo_purpose", codes(&trafficking::Purpose::ALL, |v| v.as_str())),
            ("tppo_form", codes(&trafficking::Form::ALL, |v| v.as_str())),
            ("screening", codes(&trafficking::ScreeningResult::ALL, |v| v.as_str())),
            ("loan_state", codes(&loan::LoanState::ALL, |v| v.as_str())),
            ("loan_action", codes(&loan::LoanAction::ALL, |v| v.as_str())),
            ("collectibility", codes(&loan::Collectibility::ALL, |v| v.as_str())),
            ("savings_kind", codes(&savings::SavingsKind::ALL, |v| v.as_str())),
            ("loan_method", codes(&schedule::ScheduleMethod::ALL, |v| v.as_str())),
            ("operation", codes(&posting::OperationKind::ALL, |v| v.as_str())),
            ("coop_bank_refusal", codes(&domain::cooperative::bank::LineRefusal::ALL, |v| v.as_str())),
            ("coop_bank_kind", codes(&domain::cooperative::bank::TransferKind::ALL, |v| v.as_str())),
            ("enterprise.topics", codes(&ent::TrainingTopic::ALL, |v| v.as_str())),
            ("enterprise.organisers", codes(&ent::Organiser::ALL, |v| v.as_str())),
            ("enterprise.sectors", codes(&ent::Sector::ALL, |v| v.as_str())),
            ("enterprise.capital", codes(&ent::CapitalSource::ALL, |v| v.as_str())),
            ("enterprise.legal_forms", codes(&ent::LegalForm::ALL, |v| v.as_str())),
            ("enterprise.statuses", codes(&ent::BusinessStatus::ALL, |v| v.as_str())),
            ("enterprise.member_kinds", codes(&ent::MemberKind::ALL, |v| v.as_str())),
            ("enterprise.channels", codes(&ent::RemittanceChannel::ALL, |v| v.as_str())),
            ("enterprise.uses", codes(&ent::RemittanceUse::ALL, |v| v.as_str())),
            ("enterprise.conditions", codes(&ent::EquipmentCondition::ALL, |v| v.as_str())),
            ("parenting.caregivers", codes(&par::Caregiver::ALL, |v| v.as_str())),
            ("parenting.levels", codes(&par::SchoolLevel::ALL, |v| v.as_str())),
            ("parenting.statuses", codes(&par::SchoolStatus::ALL, |v| v.as_str())),
            ("parenting.kinds", codes(&par::ActivityKind::ALL, |v| v.as_str())),
            ("parenting.concerns", codes(&par::ConcernKind::ALL, |v| v.as_str())),
            ("role", codes(&domain::Role::ALL, |v| v.as_str())),
            // `t.level(..)` of a region, and of the whole country on /monitoring (`Place::level`).
            ("level", vec!["province", "regency", "district", "village", "nation"]),
            ("category", codes(&domain::PersonCategory::ALL, |v| v.as_str())),
            ("data_scope", codes(&domain::person::DataScope::ALL, |v| v.as_str())),
            ("bpjs_status", codes(&domain::national_ids::BpjsStatus::ALL, |v| v.as_str())),
            ("dukcapil_status", codes(&domain::national_ids::VerificationStatus::ALL, |v| v.as_str())),
            ("dukcapil_reason", codes(&domain::national_ids::NotVerifiedReason::ALL, |v| v.as_str())),
        ]
    }

    #[test]
    fn every_key_used_is_in_the_catalogues() {
        let mut missing = Vec::new();
        let mut prefixes = Vec::new();
        for (path, text) in sources() {
            for key in used_keys(&text).into_iter().chain(helper_keys(&text)) {
                if !app::i18n::has_key(&key) {
                    missing.push(format!("{key} (in {path})"));
                }
            }
            prefixes.extend(label_prefixes(&text));
        }
        let lists = code_lists();
        for (prefix, codes) in &lists {
            if !prefixes.iter().any(|p| p == prefix) && !["role", "category", "level"].contains(prefix) {
                continue;
            }
            for code in codes {
                let key = format!("{prefix}.{code}");
                if !app::i18n::has_key(&key) {
                    missing.push(format!("{key} (a code of the list shown with t.label(\"{prefix}\", …))"));
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "keys used but missing from locales/id.toml:\n{}", missing.join("\n"));
    }

    #[test]
    fn the_scan_finds_keys_in_every_form_of_call() {
        let text = r#"{{ t.get("a.b") }} T::new(lang).fmt("c.d", "x", "y") i18n::t(lang, "e.f") headers.get("host")"#;
        assert_eq!(used_keys(text), ["a.b", "c.d", "e.f"]);
        assert_eq!(helper_keys(r#"{{ t.level("village") }} t.nik_issue("length")"#), ["level.village", "nik.length"]);
        assert_eq!(label_prefixes(r#"t.label("doc", code) label(t, "cost", c)"#), ["doc", "cost"]);
    }
}
