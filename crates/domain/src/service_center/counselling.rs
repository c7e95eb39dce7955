//! Pre-departure counselling: information on safe migration given to a person, dated.

use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

#[derive(Debug, Clone, Default)]
pub struct CounsellingInput<'a> {
    pub held_on: &'a str,
    pub topics: &'a str,
    pub counsellor: &'a str,
    pub notes: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counselling {
    pub held_on: Date,
    pub topics: String,
    pub counsellor: String,
    pub notes: String,
}

pub fn validate_counselling(input: &CounsellingInput<'_>, today: Date) -> Result<Counselling, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let held_on = match crate::person::parse_date(input.held_on) {
        Some(d) if d > today => {
            errs.push(
                crate::FieldError::new("held_on", Rule::OutOfRange, "not in the future")
                    .message("msg_key.not_in_future"),
            );
            None
        }
        Some(d) => Some(d),
        None => {
            errs.add(
                "held_on",
                if input.held_on.trim().is_empty() { Rule::Required } else { Rule::Format },
                "a date such as 2026-11-24",
            );
            None
        }
    };
    let topics = text(&mut errs, "topics", input.topics, 3, 500);
    let counsellor = text(&mut errs, "counsellor", input.counsellor, 0, 120);
    let notes = text(&mut errs, "notes", input.notes, 0, 2000);
    match held_on {
        Some(held_on) if errs.is_empty() => Ok(Counselling { held_on, topics, counsellor, notes }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_session_needs_a_past_date_and_topics() {
        let today = date!(2026 - 11 - 24);
        let ok = validate_counselling(
            &CounsellingInput { held_on: "2026-11-20", topics: "prosedur aman", ..Default::default() },
            today,
        );
        assert_eq!(ok.unwrap().held_on, date!(2026 - 11 - 20));
        let e =
            validate_counselling(&CounsellingInput { held_on: "2026-12-01", topics: "x", ..Default::default() }, today)
                .unwrap_err();
        let fields: Vec<(&str, Rule)> = e.0.iter().map(|e| (e.field.as_str(), e.rule)).collect();
        assert!(fields.contains(&("held_on", Rule::OutOfRange)));
        assert!(fields.contains(&("topics", Rule::TooShort)));
    }
}
