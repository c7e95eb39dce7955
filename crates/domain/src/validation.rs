//! Field-level validation errors shared by forms and the JSON API.
//!
//! A rule is a stable machine name (`required`, `too_long`…); user-facing text
//! comes from the message catalogue under `rule.<name>`.

use serde::Serialize;
use std::fmt;

/// The rule a field broke. Stable names: API clients match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Required,
    TooShort,
    TooLong,
    Format,
    OneOf,
    UnknownRegion,
    ScopeLevel,
    OutOfRange,
    Taken,
    Mismatch,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::TooShort => "too_short",
            Rule::TooLong => "too_long",
            Rule::Format => "format",
            Rule::OneOf => "one_of",
            Rule::UnknownRegion => "unknown_region",
            Rule::ScopeLevel => "scope_level",
            Rule::OutOfRange => "out_of_range",
            Rule::Taken => "taken",
            Rule::Mismatch => "mismatch",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub rule: Rule,
    /// Extra detail in English for API clients (e.g. the allowed values).
    pub detail: String,
    /// Values the catalogue sentence fills in (`{max}`, `{got}`…), by name.
    #[serde(skip)]
    pub params: Vec<(&'static str, String)>,
    /// A catalogue key for a sentence specific to this refusal (`msg_key.docs_missing`), used
    /// instead of the field's or the rule's generic sentence.
    #[serde(skip)]
    pub message_key: Option<String>,
    /// Lists of codes the message names by their labels: `(name, catalogue prefix, codes)`, e.g.
    /// `("docs", "doc", ["passport", "visa"])` shows as "Paspor, Visa kerja".
    #[serde(skip)]
    pub code_params: Vec<(&'static str, &'static str, Vec<String>)>,
}

impl FieldError {
    pub fn new(field: &str, rule: Rule, detail: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            rule,
            detail: detail.into(),
            params: Vec::new(),
            message_key: None,
            code_params: Vec::new(),
        }
    }
    /// Adds a named value for the message (`{name}` in the catalogue sentence).
    pub fn param(mut self, name: &'static str, value: impl ToString) -> FieldError {
        self.params.push((name, value.to_string()));
        self
    }
    /// The most allowed (characters, items, the upper bound).
    pub fn max(self, n: impl ToString) -> FieldError {
        self.param("max", n)
    }
    /// The least allowed.
    pub fn min(self, n: impl ToString) -> FieldError {
        self.param("min", n)
    }
    /// What was given (a count, a length), when it helps to say.
    pub fn got(self, n: impl ToString) -> FieldError {
        self.param("got", n)
    }
    /// How many digits the value must have.
    pub fn digits(self, n: impl ToString) -> FieldError {
        self.param("digits", n)
    }
    /// What was expected, in words the message shows as they are ("YYYY-MM-DD").
    pub fn expected(self, s: impl ToString) -> FieldError {
        self.param("expected", s)
    }
    /// A list of codes the message shows by their labels (`{name}` becomes "Paspor, Visa kerja").
    pub fn codes(mut self, name: &'static str, prefix: &'static str, codes: &[impl ToString]) -> FieldError {
        self.code_params.push((name, prefix, codes.iter().map(ToString::to_string).collect()));
        self
    }
    /// The same refusal under another rule (a shared refusal used where another rule applies).
    pub fn rule(mut self, rule: Rule) -> FieldError {
        self.rule = rule;
        self
    }
    /// A specific catalogue sentence for this refusal.
    pub fn message(mut self, key: impl Into<String>) -> FieldError {
        self.message_key = Some(key.into());
        self
    }
    pub fn param_value(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }
    /// The same errors with `from` called `to`: a door whose field has another name (the
    /// API's `amount_rupiah` for the form's `amount`).
    pub fn renamed(mut self, from: &str, to: &str) -> Self {
        for e in &mut self.0 {
            if e.field == from {
                e.field = to.to_string();
            }
        }
        self
    }
    pub fn add(&mut self, field: &str, rule: Rule, detail: impl Into<String>) {
        self.0.push(FieldError::new(field, rule, detail));
    }
    /// Adds an error built with its message parameters (`FieldError::new(..).max(120)`).
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }
    /// Sets a parameter on the error added last (for `ValidationErrors::single(..).with(..)`).
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        if let Some(e) = self.0.last_mut() {
            e.params.push((name, value.to_string()));
        }
        self
    }
    /// Sets the specific catalogue sentence of the error added last.
    pub fn message(mut self, key: impl Into<String>) -> Self {
        if let Some(e) = self.0.last_mut() {
            e.message_key = Some(key.into());
        }
        self
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn single(field: &str, rule: Rule, detail: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, rule, detail);
        e
    }
    /// `Ok(())` when nothing failed, otherwise the collected errors.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {} ({})", e.field, e.rule, e.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Trims a text field and checks its length in characters.
pub fn text(errs: &mut ValidationErrors, field: &str, value: &str, min: usize, max: usize) -> String {
    let v = value.trim().to_string();
    let n = v.chars().count();
    if n == 0 && min > 0 {
        errs.add(field, Rule::Required, "must not be empty");
    } else if n < min {
        errs.push(FieldError::new(field, Rule::TooShort, format!("at least {min} characters")).min(min).got(n));
    } else if n > max {
        errs.push(FieldError::new(field, Rule::TooLong, format!("at most {max} characters")).max(max).got(n));
    }
    v
}
