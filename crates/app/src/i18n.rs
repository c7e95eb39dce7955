//! Message catalogues (`locales/*.toml`), Indonesian first. Embedded in the binary.
//!
//! A missing key in English falls back to Indonesian; a key missing everywhere shows
//! itself, and a unit test keeps the two catalogues in step.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }
}

const ID_TOML: &str = include_str!("../../../locales/id.toml");
const EN_TOML: &str = include_str!("../../../locales/en.toml");

pub type Catalogue = HashMap<String, String>;

fn flatten(prefix: &str, v: &toml::Value, out: &mut Catalogue) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

pub fn parse_catalogue(text: &str) -> Result<Catalogue, toml::de::Error> {
    let v: toml::Value = toml::from_str(text)?;
    let mut out = Catalogue::new();
    flatten("", &v, &mut out);
    Ok(out)
}

fn catalogues() -> &'static (Catalogue, Catalogue) {
    static C: OnceLock<(Catalogue, Catalogue)> = OnceLock::new();
    C.get_or_init(|| {
        // The catalogues are compiled in and checked by tests; a parse error is a build defect.
        let id = parse_catalogue(ID_TOML).expect("locales/id.toml is valid TOML");
        let en = parse_catalogue(EN_TOML).expect("locales/en.toml is valid TOML");
        (id, en)
    })
}

/// Looks up `key` in `lang`, falling back to Indonesian, then to the key itself.
pub fn t(lang: Lang, key: &str) -> &str {
    let (id, en) = catalogues();
    let primary = if lang == Lang::En { en.get(key) } else { id.get(key) };
    primary.or_else(|| id.get(key)).map(String::as_str).unwrap_or(key)
}

/// The catalogue's text for `key` in `lang` (falling back to Indonesian), None when neither has it.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    let (id, en) = catalogues();
    let primary = if lang == Lang::En { en.get(key) } else { id.get(key) };
    primary.or_else(|| id.get(key)).map(String::as_str)
}

/// Whether the Indonesian catalogue has `key` (the one every other falls back to).
pub fn has_key(key: &str) -> bool {
    catalogues().0.contains_key(key)
}

/// A field's label as the forms show it (`field.<name>`), for messages that name the field.
/// A list field's position (`items[3].amount`, `members.2`) is read past: the label is the
/// last named part's. A field without a label is "this field", never its internal name.
pub fn field_label(lang: Lang, field: &str) -> &'static str {
    let base = field.rsplit(['.', ']']).find(|p| !p.is_empty() && !p.chars().all(|c| c.is_ascii_digit()));
    let base = base.map(|b| b.split('[').next().unwrap_or(b)).unwrap_or(field);
    lookup(lang, &format!("field.{field}"))
        .or_else(|| lookup(lang, &format!("field.{base}")))
        .unwrap_or_else(|| lookup(lang, "msg.this_field").unwrap_or("?"))
}

/// The sentence for a refused field, in `lang`: the refusal's own message when it names one,
/// else the field's sentence for the rule (`msg_field.<field>.<rule>`), else the rule's generic
/// sentence with the values it was given (`msg.too_long_max` when `max` is known, else
/// `msg.too_long`). `{field}` is the field's label; `{max}`, `{got}`… the error's parameters.
pub fn field_message(lang: Lang, e: &domain::FieldError) -> String {
    field_message_labelled(lang, e, field_label(lang, &e.field))
}

/// [`field_message`] with the field called `label` (the import names CSV columns its own way).
pub fn field_message_labelled(lang: Lang, e: &domain::FieldError, label: &str) -> String {
    let rule = e.rule.as_str();
    let with_params = if e.params.is_empty() {
        None
    } else {
        let names: Vec<&str> = e.params.iter().map(|(n, _)| *n).collect();
        // The longest list of names the catalogue has a sentence for ("max_got", then "max").
        (1..=names.len()).rev().find_map(|n| lookup(lang, &format!("msg.{rule}_{}", names[..n].join("_"))))
    };
    let text = e
        .message_key
        .as_deref()
        .and_then(|k| lookup(lang, k))
        .or_else(|| lookup(lang, &format!("msg_field.{}.{rule}", e.field)))
        .or(with_params)
        .or_else(|| lookup(lang, &format!("msg.{rule}")))
        .unwrap_or(rule);
    let mut out = text.replace("{field}", label);
    for (name, value) in &e.params {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    for (name, prefix, codes) in &e.code_params {
        let labels: Vec<String> = codes
            .iter()
            .map(|c| lookup(lang, &format!("{prefix}.{c}")).map(str::to_string).unwrap_or_else(|| c.replace('_', " ")))
            .collect();
        out = out.replace(&format!("{{{name}}}"), &labels.join(", "));
    }
    upper_first(&out)
}

/// A risk flag's explanation in `lang` (`risk_text.*`): the rule and the facts, with documents,
/// cost items and countries by their labels. The API keeps the domain's English `explanation()`.
pub fn risk_text(lang: Lang, flag: &domain::service_center::RiskFlag) -> String {
    use domain::service_center::RiskFlag as F;
    let get = |key: &str| lookup(lang, &format!("risk_text.{key}")).unwrap_or("");
    let label = |prefix: &str, code: &str| {
        lookup(lang, &format!("{prefix}.{code}")).map(str::to_string).unwrap_or_else(|| code.replace('_', " "))
    };
    let labels = |prefix: &str, codes: Vec<&str>| codes.iter().map(|c| label(prefix, c)).collect::<Vec<_>>().join(", ");
    let fill = |text: &str, values: &[(&str, String)]| {
        values.iter().fold(text.to_string(), |acc, (name, value)| acc.replace(&format!("{{{name}}}"), value))
    };
    match flag {
        F::UnderAgeAtDeparture { age, on } => fill(
            get("under_age"),
            &[
                ("age", age.to_string()),
                ("on", on.to_string()),
                ("min", domain::service_center::flags::MINIMUM_AGE.to_string()),
            ],
        ),
        F::AgencyNotLicensed { agency_recorded: true } => get("agency_not_licensed").to_string(),
        F::AgencyNotLicensed { agency_recorded: false } => get("agency_not_recorded").to_string(),
        F::AgencySuspended => get("agency_suspended").to_string(),
        F::AgencyRevoked => get("agency_revoked").to_string(),
        F::AgencyLicenceExpired { expired_on, on } => {
            fill(get("agency_licence_expired"), &[("expired_on", expired_on.to_string()), ("on", on.to_string())])
        }
        F::JobOrderUnverified { recorded: true } => get("job_order_unverified").to_string(),
        F::JobOrderUnverified { recorded: false } => get("job_order_missing").to_string(),
        F::JobOrderExpired { valid_until, on } => {
            fill(get("job_order_expired"), &[("valid_until", valid_until.to_string()), ("on", on.to_string())])
        }
        F::PlacementBan { destination, legal_source, since } => fill(
            get("placement_ban"),
            &[
                ("destination", label("country", destination.as_str())),
                ("since", since.to_string()),
                ("legal_source", legal_source.clone()),
            ],
        ),
        F::MissingDocumentsAtDeparture { missing } => {
            fill(get("missing_documents"), &[("docs", labels("doc", missing.iter().map(|d| d.as_str()).collect()))])
        }
        F::ZeroCostViolation { items, total } => fill(
            get("zero_cost"),
            &[("items", labels("cost", items.iter().map(|i| i.as_str()).collect())), ("total", format!("Rp {total}"))],
        ),
        F::NoContactAbroad { since: Some(since), days: Some(days) } => {
            fill(get("no_contact"), &[("days", days.to_string()), ("since", since.to_string())])
        }
        F::NoContactAbroad { .. } => get("no_contact_ever").to_string(),
        F::DepartedWithoutPlacementAgreement => get("departed_without_agreement").to_string(),
        F::SocialSecurityNotValid { valid_until: None, .. } => get("social_security_missing").to_string(),
        F::SocialSecurityNotValid { active: false, .. } => get("social_security_inactive").to_string(),
        F::SocialSecurityNotValid { valid_until: Some(until), on, .. } => fill(
            get("social_security_expired"),
            &[("valid_until", until.to_string()), ("on", on.map(|d| d.to_string()).unwrap_or_default())],
        ),
        F::DepartedWithMissingDocuments { missing, override_reason } => fill(
            get("departed_with_missing_documents"),
            &[
                ("docs", labels("doc", missing.iter().map(|d| d.as_str()).collect())),
                ("reason", override_reason.clone()),
            ],
        ),
        F::RecruiterReportedBroker { name, reports, linked, .. } => fill(
            get(if *linked { "reported_broker_linked" } else { "reported_broker_named" }),
            &[("name", name.clone()), ("reports", reports.to_string())],
        ),
    }
}

/// Sentences start with a capital even when the label inside them does not ("nama lengkap").
fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A translator bound to a language, handed to templates as `t`.
#[derive(Debug, Clone, Copy)]
pub struct T {
    pub lang: Lang,
}

impl T {
    pub fn new(lang: Lang) -> T {
        T { lang }
    }
    pub fn get(&self, key: &str) -> &'static str {
        // Catalogues live for the program's life, so the lookup borrows 'static.
        let (id, en) = catalogues();
        let primary = if self.lang == Lang::En { en.get(key) } else { id.get(key) };
        primary.or_else(|| id.get(key)).map(String::as_str).unwrap_or("??")
    }
    /// Replaces `{name}` in a message with `value`.
    pub fn fmt(&self, key: &str, name: &str, value: &str) -> String {
        self.get(key).replace(&format!("{{{name}}}"), value)
    }
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
    /// A validation rule's message (`rule.<name>`).
    pub fn rule(&self, rule: domain::Rule) -> &'static str {
        self.get(&format!("rule.{}", rule.as_str()))
    }
    pub fn role(&self, role: &str) -> &'static str {
        self.get(&format!("role.{role}"))
    }
    pub fn level(&self, level: &str) -> &'static str {
        self.get(&format!("level.{level}"))
    }
    pub fn category(&self, category: &str) -> &'static str {
        self.get(&format!("category.{category}"))
    }
    pub fn relation(&self, relation: &str) -> &'static str {
        self.get(&format!("relation.{relation}"))
    }
    pub fn agency_status(&self, status: &str) -> &'static str {
        self.get(&format!("agency_status.{status}"))
    }
    /// The label of a stable domain code (`state.departed`, `doc.passport`…), or the code
    /// itself where the catalogue has none (job types are open-ended).
    pub fn label(&self, prefix: &str, code: &str) -> String {
        if prefix == "country" {
            return self.country(code).to_string();
        }
        let (id, en) = catalogues();
        let key = format!("{prefix}.{code}");
        let primary = if self.lang == Lang::En { en.get(&key) } else { id.get(&key) };
        primary.or_else(|| id.get(&key)).cloned().unwrap_or_else(|| code.replace('_', " "))
    }
    /// A country's name from its ISO 3166-1 alpha-2 code ("BH" → "Bahrain", "SA" → "Arab Saudi"),
    /// from the vendored ISO list (`data/countries`), not the catalogues; an unknown code is shown
    /// as it is.
    pub fn country<'a>(&self, code: &'a str) -> &'a str {
        domain::service_center::CountryCode::parse(code).map_or(code, |c| c.name(self.lang.code()))
    }
    /// The sentence for a refused field (see [`field_message`]).
    pub fn field_error(&self, e: &domain::FieldError) -> String {
        field_message(self.lang, e)
    }
    /// A risk flag's explanation (see [`risk_text`]).
    pub fn risk_text(&self, flag: &domain::service_center::RiskFlag) -> String {
        risk_text(self.lang, flag)
    }
    /// A field's label (see [`field_label`]).
    pub fn field(&self, name: &str) -> &'static str {
        field_label(self.lang, name)
    }
    /// A NIK error or warning, by its stable code.
    pub fn nik_issue(&self, code: &str) -> &'static str {
        self.get(&format!("nik.{code}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_named_in_the_users_language() {
        assert_eq!(T::new(Lang::Id).label("country", "BH"), "Bahrain");
        assert_eq!(T::new(Lang::Id).country("SA"), "Arab Saudi");
        assert_eq!(T::new(Lang::En).country("SA"), "Saudi Arabia");
        assert_eq!(T::new(Lang::Id).country("TA"), "TA");
    }

    #[test]
    fn catalogues_have_the_same_keys() {
        let (id, en) = catalogues();
        let mut missing_en: Vec<&String> = id.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut missing_id: Vec<&String> = en.keys().filter(|k| !id.contains_key(*k)).collect();
        missing_en.sort();
        missing_id.sort();
        assert!(missing_en.is_empty(), "missing in en.toml: {missing_en:?}");
        assert!(missing_id.is_empty(), "missing in id.toml: {missing_id:?}");
    }

    #[test]
    fn every_rule_and_role_has_a_message() {
        let t = T::new(Lang::Id);
        for r in domain::Role::ALL {
            assert_ne!(t.role(r.as_str()), "??", "{r}");
        }
        for rule in [
            domain::Rule::Required,
            domain::Rule::TooShort,
            domain::Rule::TooLong,
            domain::Rule::Format,
            domain::Rule::OneOf,
            domain::Rule::UnknownRegion,
            domain::Rule::ScopeLevel,
            domain::Rule::OutOfRange,
            domain::Rule::Taken,
            domain::Rule::Mismatch,
        ] {
            assert_ne!(t.rule(rule), "??", "{rule}");
        }
    }

    #[test]
    fn english_differs_from_indonesian() {
        assert_eq!(T::new(Lang::Id).get("nav.logout"), "Keluar");
        assert_eq!(T::new(Lang::En).get("nav.logout"), "Log out");
    }

    fn refused(field: &str, rule: domain::Rule) -> domain::FieldError {
        domain::FieldError::new(field, rule, "English detail for API clients")
    }

    #[test]
    fn a_refused_field_reads_as_a_sentence_with_its_label_and_limits() {
        let long = refused("full_name", domain::Rule::TooLong).max(120).got(200);
        assert_eq!(
            field_message(Lang::Id, &long),
            "Nama lengkap paling banyak 120 huruf (yang diisi 200 huruf). Persingkat isinya."
        );
        assert_eq!(
            field_message(Lang::En, &long),
            "Full name may have at most 120 characters (200 given). Shorten it."
        );
        // Only the limit known: the sentence without the count.
        let long = refused("full_name", domain::Rule::TooLong).max(120);
        assert_eq!(field_message(Lang::Id, &long), "Nama lengkap paling banyak 120 huruf.");
        // No parameters: the rule's generic sentence, never the English detail.
        let missing = refused("birth_date", domain::Rule::Required);
        assert_eq!(field_message(Lang::Id, &missing), "Tanggal lahir wajib diisi.");
        assert_eq!(field_message(Lang::En, &missing), "Date of birth is required.");
        assert!(!field_message(Lang::Id, &missing).contains("English"));
    }

    #[test]
    fn a_specific_message_wins_and_fills_its_values() {
        let nik = refused("nik", domain::Rule::Format).got(15).message("msg_key.nik_length");
        assert_eq!(field_message(Lang::Id, &nik), "NIK harus 16 angka (yang diisi 15 angka).");
        assert_eq!(field_message(Lang::En, &nik), "The NIK must be 16 digits (15 given).");
        // A key the catalogue lacks falls back to the generic sentence, not to the key.
        let odd = refused("nik", domain::Rule::Format).message("msg_key.no_such_key");
        assert_eq!(field_message(Lang::Id, &odd), "NIK tidak sesuai bentuknya. Periksa lagi isiannya.");
    }

    #[test]
    fn unlabelled_and_listed_fields_are_named_without_internal_names() {
        let e = refused("items[3].amount", domain::Rule::Required);
        assert_eq!(field_message(Lang::Id, &e), "Jumlah wajib diisi.");
        let e = refused("zz_internal_name", domain::Rule::Required);
        assert_eq!(field_message(Lang::Id, &e), "Isian ini wajib diisi.");
        assert_eq!(field_message(Lang::En, &e), "This field is required.");
    }

    #[test]
    fn every_step_refusal_has_its_sentence() {
        let codes = [
            "out_of_order",
            "referral_out_of_order",
            "date_in_future",
            "date_before_previous",
            "reason_required",
            "outcome_required",
            "referral_required",
            "services_required",
            "service_not_offered",
            "due_date_in_past",
            "inconsistent_state",
        ];
        for code in codes {
            assert!(has_key(&format!("msg_key.case_{code}")), "case {code}");
        }
        for code in ["nothing_requested", "partner_inactive", "service_not_offered", "region_not_served"] {
            assert!(has_key(&format!("msg_key.referral_{code}")), "referral {code}");
        }
        for code in [
            "out_of_order",
            "date_in_future",
            "date_before_previous",
            "reason_required",
            "return_reason_required",
            "handover_witness_required",
            "override_reason_too_short",
            "override_not_allowed",
            "placement_agreement_required",
        ] {
            assert!(has_key(&format!("msg_key.step_{code}")), "episode {code}");
        }
        let e = domain::FieldError::new("to", domain::Rule::Mismatch, "x")
            .codes("docs", "doc", &["passport", "no_such_doc"])
            .message("msg_key.docs_missing");
        let text = field_message(Lang::Id, &e);
        assert!(text.contains("Paspor") && text.contains("no such doc"), "{text}");
    }
}
