//! Merging an edit of a person's record that started from an older version (an officer's
//! phone offline, two officers on one record): a three-way merge per field, as ODK Entities
//! and CommCare do. Nothing is silently lost: a field someone else changed since the editor's
//! version, to a value other than the editor's, is not overwritten but put up for review.

use crate::validation::{FieldError, Rule};
use std::collections::BTreeMap;

/// The fields of a person's record an edit may change, in form order. Stable names: the API,
/// the form, the change log (`person_changes.field`) and the review list use them.
pub const EDITABLE_FIELDS: [&str; 11] = [
    "nik",
    "kk_number",
    "full_name",
    "sex",
    "birth_date",
    "birth_place",
    "village_code",
    "address",
    "phone",
    "contact_abroad",
    "category",
];

/// A record's version: 1 when registered, one more on every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub i64);

/// What happens to one proposed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldOutcome {
    /// Nobody else changed it since the base version: the proposed value is applied.
    Apply,
    /// The record already holds the proposed value (or the editor left the field as it was).
    Unchanged,
    /// Someone else changed it since the base version to another value: kept as it is, the
    /// proposal goes to the review list.
    Conflict { base: String, current: String },
}

/// The decision for a whole edit, per field (only the fields proposed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergePlan {
    pub outcomes: BTreeMap<String, FieldOutcome>,
}

impl MergePlan {
    pub fn applied(&self) -> Vec<&str> {
        self.with(|o| matches!(o, FieldOutcome::Apply))
    }
    pub fn conflicts(&self) -> Vec<&str> {
        self.with(|o| matches!(o, FieldOutcome::Conflict { .. }))
    }
    pub fn unchanged(&self) -> Vec<&str> {
        self.with(|o| matches!(o, FieldOutcome::Unchanged))
    }
    fn with(&self, keep: impl Fn(&FieldOutcome) -> bool) -> Vec<&str> {
        self.outcomes.iter().filter(|(_, o)| keep(o)).map(|(f, _)| f.as_str()).collect()
    }
}

/// Decides each proposed field of an edit made from `base_version` of a record now at `current_version`.
///
/// `current` holds the record's values now; `base_values` the value each field had at the base
/// version, for the fields changed since (the old value of the first change after it: a field
/// absent was not changed since). A proposal equal to the base value is a field the editor did
/// not touch (a whole form sent back), so it never overrides someone else's change.
///
/// Refuses a base version from the future (larger than the current one) and unknown fields.
pub fn plan(
    base_version: Version,
    current_version: Version,
    current: &BTreeMap<String, String>,
    base_values: &BTreeMap<String, String>,
    proposed: &BTreeMap<String, String>,
) -> Result<MergePlan, FieldError> {
    if base_version.0 < 1 || base_version > current_version {
        return Err(FieldError::new(
            "base_version",
            Rule::OutOfRange,
            format!("the record is at version {}; an edit cannot start from a later one", current_version.0),
        )
        .min(1)
        .max(current_version.0)
        .message("conflicts.base_version_range"));
    }
    let mut outcomes = BTreeMap::new();
    for (field, mine) in proposed {
        if !EDITABLE_FIELDS.contains(&field.as_str()) {
            return Err(FieldError::new(
                field,
                Rule::OneOf,
                format!("editable fields: {}", EDITABLE_FIELDS.join(", ")),
            ));
        }
        let now = current.get(field).cloned().unwrap_or_default();
        let outcome = match base_values.get(field) {
            // Untouched by others since the base: the editor's value wins (or is already there).
            None if *mine == now => FieldOutcome::Unchanged,
            None => FieldOutcome::Apply,
            // Changed by others, and the editor kept the old value or chose the same new one.
            Some(base) if mine == base || *mine == now => FieldOutcome::Unchanged,
            Some(base) => FieldOutcome::Conflict { base: base.clone(), current: now },
        };
        outcomes.insert(field.clone(), outcome);
    }
    Ok(MergePlan { outcomes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn current() -> BTreeMap<String, String> {
        map(&[("full_name", "Siti Aminah"), ("phone", "0812000"), ("address", "RT 2")])
    }

    #[test]
    fn a_field_nobody_else_changed_is_applied() {
        let p = plan(Version(3), Version(3), &current(), &map(&[]), &map(&[("phone", "0813111")])).unwrap();
        assert_eq!(p.applied(), vec!["phone"]);
        assert!(p.conflicts().is_empty());
    }

    #[test]
    fn different_fields_from_one_base_are_both_kept() {
        // Someone changed the address since version 2; this edit changes the phone.
        let base = map(&[("address", "RT 1")]);
        let p = plan(Version(2), Version(3), &current(), &base, &map(&[("phone", "0813111")])).unwrap();
        assert_eq!(p.applied(), vec!["phone"]);
    }

    #[test]
    fn the_same_field_to_another_value_goes_to_review() {
        let base = map(&[("phone", "0811")]);
        let p = plan(Version(2), Version(3), &current(), &base, &map(&[("phone", "0819")])).unwrap();
        assert_eq!(p.outcomes["phone"], FieldOutcome::Conflict { base: "0811".into(), current: "0812000".into() });
        assert!(p.applied().is_empty());
    }

    #[test]
    fn the_same_field_to_the_same_value_is_no_conflict() {
        let base = map(&[("phone", "0811")]);
        let p = plan(Version(2), Version(3), &current(), &base, &map(&[("phone", "0812000")])).unwrap();
        assert_eq!(p.unchanged(), vec!["phone"]);
    }

    #[test]
    fn a_whole_form_sent_back_does_not_undo_others_changes() {
        // The editor's form still holds the base value of the address someone else changed.
        let base = map(&[("address", "RT 1")]);
        let proposed = map(&[("address", "RT 1"), ("full_name", "Siti Aminah"), ("phone", "0819")]);
        let p = plan(Version(2), Version(3), &current(), &base, &proposed).unwrap();
        assert_eq!(p.applied(), vec!["phone"]);
        assert_eq!(p.unchanged(), vec!["address", "full_name"]);
    }

    #[test]
    fn a_base_version_from_the_future_or_below_one_is_refused() {
        for v in [0, 4] {
            let e = plan(Version(v), Version(3), &current(), &map(&[]), &map(&[])).unwrap_err();
            assert_eq!((e.field.as_str(), e.rule), ("base_version", Rule::OutOfRange));
        }
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let e = plan(Version(1), Version(1), &current(), &map(&[]), &map(&[("salary", "1")])).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("salary", Rule::OneOf));
    }
}
