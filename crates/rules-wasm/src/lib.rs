//! The domain's own field rules for the browser (issue 16: the same rules offline), compiled to
//! WebAssembly by `scripts/build-rules-wasm.sh`. Every check calls the server's functions in
//! `desmigratif-domain` — nothing is re-implemented here — and answers
//! `{"errors":[{field,rule,message_key?,params}],"warnings":[{field,rule}]}` as JSON text, with the
//! server's field and rule codes, so the message catalogue's sentences apply unchanged.
//!
//! Not available offline: the region list. A NIK's province and district and the village code
//! are checked for their form only; the server checks them against the list on sync.

use domain::nik::{self, RegionLookup, Sex};
use domain::person::{NewPersonInput, PersonRejection, parse_date, validate_new_person};
use domain::service_center::money;
use domain::{FieldError, RegionCode, Rule, ValidationErrors};
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};
use wasm_bindgen::prelude::wasm_bindgen;

/// Offline there is no region list: every code is taken to exist (the server checks on sync).
struct OfflineRegions;

impl RegionLookup for OfflineRegions {
    fn exists(&self, _code: &str) -> bool {
        true
    }
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub field: String,
    pub rule: String,
    /// The catalogue key of the refusal's own sentence, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_key: Option<String>,
    /// Values the sentence fills in (`{got}`, `{max}`…), in the order the server gives them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<(String, String)>,
}

impl From<&FieldError> for Finding {
    fn from(e: &FieldError) -> Self {
        Finding {
            field: e.field.clone(),
            rule: e.rule.as_str().to_string(),
            message_key: e.message_key.clone(),
            params: e.params.iter().map(|(n, v)| (n.to_string(), v.clone())).collect(),
        }
    }
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    pub errors: Vec<Finding>,
    /// NIK warnings (`birth_date_mismatch`, `sex_mismatch`): the officer confirms them with
    /// `confirm_warnings`, as on the server's form.
    pub warnings: Vec<Finding>,
}

impl Report {
    fn from_errors(errs: &ValidationErrors) -> Report {
        Report { errors: errs.0.iter().map(Finding::from).collect(), warnings: Vec::new() }
    }
    fn only(mut self, field: &str) -> Report {
        self.errors.retain(|f| f.field == field);
        self.warnings.retain(|f| f.field == field);
        self
    }
    fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| r#"{"errors":[],"warnings":[]}"#.to_string())
    }
}

/// "Today" where the village is (WIB, WITA or WIT), as the server's `clock.today_at`.
fn today(now_unix: f64, village_code: &str) -> Date {
    let now = OffsetDateTime::from_unix_timestamp(now_unix as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    domain::clock::today_in(village_code.trim().parse::<RegionCode>().ok().as_ref(), now)
}

/// The whole registration form (`/persons/new`), by its field names.
pub fn person(form: &BTreeMap<String, String>, now_unix: f64) -> Report {
    // Warnings are reported separately below, whatever the other fields hold: confirmed here.
    let input = NewPersonInput::from_fields(form, true);
    let day = today(now_unix, input.village_code);
    let mut report = match validate_new_person(&input, &OfflineRegions, day) {
        Ok(_) | Err(PersonRejection::UnconfirmedWarnings(_)) => Report::default(),
        Err(PersonRejection::Invalid(errs)) => Report::from_errors(&errs),
    };
    // The same reading of the NIK against the declared birth date and sex as the server's.
    if !input.nik.trim().is_empty() {
        let check = nik::check(input.nik, parse_date(input.birth_date), Sex::parse(input.sex), &OfflineRegions, day);
        report.warnings = check
            .warnings
            .iter()
            .map(|w| Finding { field: "nik".into(), rule: w.code.to_string(), ..Finding::default() })
            .collect();
    }
    report
}

fn form_of(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The whole person form as JSON text (an object of field name → typed value).
#[wasm_bindgen]
pub fn check_person(form_json: &str, now_unix: f64) -> String {
    match serde_json::from_str::<BTreeMap<String, String>>(form_json) {
        Ok(form) => person(&form, now_unix).json(),
        Err(_) => Report {
            errors: vec![Finding { field: "_input".into(), rule: "format".into(), ..Finding::default() }],
            warnings: vec![],
        }
        .json(),
    }
}

/// The NIK alone, read against the declared birth date and sex (either may be empty).
#[wasm_bindgen]
pub fn check_nik(nik: &str, birth_date: &str, sex: &str, village_code: &str, now_unix: f64) -> String {
    let form = form_of(&[("nik", nik), ("birth_date", birth_date), ("sex", sex), ("village_code", village_code)]);
    person(&form, now_unix).only("nik").json()
}

/// A family card (KK) number: empty or 16 digits.
#[wasm_bindgen]
pub fn check_kk(kk_number: &str) -> String {
    person(&form_of(&[("kk_number", kk_number)]), 0.0).only("kk_number").json()
}

/// A phone number as the registration accepts it (empty allowed).
#[wasm_bindgen]
pub fn check_phone(phone: &str) -> String {
    person(&form_of(&[("phone", phone)]), 0.0).only("phone").json()
}

/// A birth date: required, a date, not in the future in the village's time zone, not before 1900.
#[wasm_bindgen]
pub fn check_birth_date(birth_date: &str, village_code: &str, now_unix: f64) -> String {
    let form = form_of(&[("birth_date", birth_date), ("village_code", village_code)]);
    person(&form, now_unix).only("birth_date").json()
}

/// Any other date field (`held_on`, `collected_on`…): a date as the server reads it, not in
/// the future where the village is. Empty is `required` when `required` is true.
#[wasm_bindgen]
pub fn check_date(field: &str, value: &str, required: bool, village_code: &str, now_unix: f64) -> String {
    let mut errs = ValidationErrors::new();
    let raw = value.trim();
    if raw.is_empty() {
        if required {
            errs.add(field, Rule::Required, "must not be empty");
        }
    } else {
        match parse_date(raw) {
            None => errs.push(
                FieldError::new(field, Rule::Format, "a date such as 1990-05-12 or 12-05-1990")
                    .message("msg_key.date_format"),
            ),
            Some(d) if d > today(now_unix, village_code) => errs.push(
                FieldError::new(field, Rule::OutOfRange, "must not be in the future").message("msg_key.not_in_future"),
            ),
            Some(_) => {}
        }
    }
    Report::from_errors(&errs).json()
}

/// Money in whole rupiah as the cooperative forms read it (`money::parse_field`), between
/// `min` and `max`. The answer also carries the amount read, when there is one.
#[wasm_bindgen]
pub fn check_money(field: &str, raw: &str, min: f64, max: f64) -> String {
    let mut errs = ValidationErrors::new();
    let amount = money::parse_field(&mut errs, field, raw, min as i64, max as i64);
    #[derive(Serialize)]
    struct WithAmount {
        #[serde(flatten)]
        report: Report,
        #[serde(skip_serializing_if = "Option::is_none")]
        amount: Option<i64>,
    }
    let out = WithAmount { report: Report::from_errors(&errs), amount: amount.map(|a| a.amount()) };
    serde_json::to_string(&out).unwrap_or_default()
}

#[cfg(test)]
mod tests;
