//! Outreach events (sosialisasi): a village's information sessions on safe migration, with
//! the date, place, topic, organiser and how many came. The ministry counts them per village.
//!
//! Topics are free text (officers name what they actually covered); [`SUGGESTED_TOPICS`] are
//! the common ones the form offers, by stable code, so the UI can translate them.

use crate::region::{RegionCode, RegionLevel};
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

/// The largest headcount accepted: more is a typing slip, not a village meeting.
pub const MAX_HEADCOUNT: i64 = 100_000;
/// Topic length in characters.
pub const TOPIC_MIN_CHARS: usize = 3;
pub const TOPIC_MAX_CHARS: usize = 200;
/// Place and organiser length in characters.
pub const PLACE_MAX_CHARS: usize = 200;
pub const ORGANISER_MAX_CHARS: usize = 200;
/// The earliest date accepted: older dates are typing slips (the Desmigratif program began in 2016).
pub const EARLIEST: Date = time::macros::date!(2000 - 01 - 01);

/// Topics the form suggests, by stable code (`outreach.topics.<code>` in the catalogues).
pub const SUGGESTED_TOPICS: [&str; 7] = [
    "safe_migration",
    "licensed_agencies",
    "documents",
    "trafficking_warning_signs",
    "remittance",
    "returnee_enterprise",
    "children_of_migrants",
];

/// An outreach event as typed into a form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct NewOutreachInput<'a> {
    pub village_code: &'a str,
    pub held_on: &'a str,
    pub place: &'a str,
    pub topic: &'a str,
    pub organiser: &'a str,
    pub headcount: &'a str,
}

/// A validated outreach event, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutreach {
    /// A village code; whether it exists and lies in the user's scope is the caller's question.
    pub village_code: RegionCode,
    pub held_on: Date,
    pub place: String,
    pub topic: String,
    pub organiser: String,
    /// How many people came, registered or not.
    pub headcount: i64,
}

fn village(errs: &mut ValidationErrors, raw: &str) -> Option<RegionCode> {
    let raw = raw.trim();
    if raw.is_empty() {
        errs.push(
            crate::FieldError::new("village_code", Rule::Required, "a village code such as 53.07.01.2001")
                .message("msg_key.village_code_format"),
        );
        return None;
    }
    match raw.parse::<RegionCode>() {
        Ok(code) if code.level() == RegionLevel::Village => Some(code),
        _ => {
            errs.push(
                crate::FieldError::new("village_code", Rule::Format, "a village code such as 53.07.01.2001")
                    .message("msg_key.village_code_format"),
            );
            None
        }
    }
}

fn held_on(errs: &mut ValidationErrors, raw: &str, today: Date) -> Option<Date> {
    if raw.trim().is_empty() {
        errs.push(
            crate::FieldError::new("held_on", Rule::Required, "a date such as 2026-03-14")
                .message("msg_key.date_format"),
        );
        return None;
    }
    match crate::person::parse_date(raw) {
        None => {
            errs.push(
                crate::FieldError::new("held_on", Rule::Format, "a date such as 2026-03-14")
                    .message("msg_key.date_format"),
            );
            None
        }
        Some(d) if d > today => {
            errs.add("held_on", Rule::OutOfRange, "not in the future: record an event once it has been held");
            None
        }
        Some(d) if d < EARLIEST => {
            errs.push(
                crate::FieldError::new("held_on", Rule::OutOfRange, "not before 2000")
                    .message("msg_key.not_before_2000"),
            );
            None
        }
        Some(d) => Some(d),
    }
}

fn headcount(errs: &mut ValidationErrors, raw: &str) -> Option<i64> {
    let s = raw.trim();
    if s.is_empty() {
        errs.add("headcount", Rule::Required, "how many people came, 0 or more");
        return None;
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errs.push(
            crate::FieldError::new("headcount", Rule::Format, "a whole number, digits only")
                .message("msg_key.whole_number"),
        );
        return None;
    }
    match s.parse::<i64>() {
        Ok(n) if (0..=MAX_HEADCOUNT).contains(&n) => Some(n),
        _ => {
            errs.add("headcount", Rule::OutOfRange, format!("a whole number from 0 to {MAX_HEADCOUNT}"));
            None
        }
    }
}

/// Checks an outreach event; every error names its field. `today` bounds the date: events
/// are recorded after they are held.
pub fn validate_outreach(input: &NewOutreachInput<'_>, today: Date) -> Result<NewOutreach, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let village_code = village(&mut errs, input.village_code);
    let held_on = held_on(&mut errs, input.held_on, today);
    let place = text(&mut errs, "place", input.place, 0, PLACE_MAX_CHARS);
    let topic = text(&mut errs, "topic", input.topic, TOPIC_MIN_CHARS, TOPIC_MAX_CHARS);
    let organiser = text(&mut errs, "organiser", input.organiser, 0, ORGANISER_MAX_CHARS);
    let headcount = headcount(&mut errs, input.headcount);
    match (village_code, held_on, headcount) {
        (Some(village_code), Some(held_on), Some(headcount)) if errs.is_empty() => {
            Ok(NewOutreach { village_code, held_on, place, topic, organiser, headcount })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 20);

    fn input() -> NewOutreachInput<'static> {
        NewOutreachInput {
            village_code: " 53.07.01.2001 ",
            held_on: "2026-03-14",
            place: "Balai desa",
            topic: "  Migrasi aman dan prosedural ",
            organiser: "Pemerintah desa dan Disnaker Sikka",
            headcount: " 42 ",
        }
    }

    fn rules(input: &NewOutreachInput<'_>) -> Vec<(String, Rule)> {
        validate_outreach(input, TODAY).unwrap_err().0.into_iter().map(|e| (e.field, e.rule)).collect()
    }

    fn has(input: &NewOutreachInput<'_>, field: &str, rule: Rule) {
        let r = rules(input);
        assert!(r.contains(&(field.to_string(), rule)), "{field} {rule} missing in {r:?}");
    }

    #[test]
    fn a_valid_event_is_trimmed() {
        let e = validate_outreach(&input(), TODAY).unwrap();
        assert_eq!(e.village_code.as_str(), "53.07.01.2001");
        assert_eq!(e.held_on, date!(2026 - 03 - 14));
        assert_eq!(e.topic, "Migrasi aman dan prosedural");
        assert_eq!(e.headcount, 42);
    }

    #[test]
    fn place_organiser_may_be_empty_and_today_and_zero_are_accepted() {
        let e = validate_outreach(
            &NewOutreachInput { place: "", organiser: "", held_on: "20/03/2026", headcount: "0", ..input() },
            TODAY,
        )
        .unwrap();
        assert_eq!(e.held_on, TODAY);
        assert_eq!(e.headcount, 0);
        assert_eq!(e.place, "");
    }

    #[test]
    fn the_village_must_be_a_village_code() {
        for bad in ["53.07.01", "53", "x", "53.07.01.20011"] {
            has(&NewOutreachInput { village_code: bad, ..input() }, "village_code", Rule::Format);
        }
        has(&NewOutreachInput { village_code: " ", ..input() }, "village_code", Rule::Required);
    }

    #[test]
    fn the_date_is_past_and_real() {
        has(&NewOutreachInput { held_on: "2026-03-21", ..input() }, "held_on", Rule::OutOfRange);
        has(&NewOutreachInput { held_on: "1999-12-31", ..input() }, "held_on", Rule::OutOfRange);
        has(&NewOutreachInput { held_on: "2026-02-30", ..input() }, "held_on", Rule::Format);
        has(&NewOutreachInput { held_on: "last week", ..input() }, "held_on", Rule::Format);
        has(&NewOutreachInput { held_on: "", ..input() }, "held_on", Rule::Required);
    }

    #[test]
    fn topic_place_and_organiser_lengths() {
        has(&NewOutreachInput { topic: "ab", ..input() }, "topic", Rule::TooShort);
        has(&NewOutreachInput { topic: "", ..input() }, "topic", Rule::Required);
        let long = "a".repeat(201);
        has(&NewOutreachInput { topic: &long, ..input() }, "topic", Rule::TooLong);
        has(&NewOutreachInput { place: &long, ..input() }, "place", Rule::TooLong);
        has(&NewOutreachInput { organiser: &long, ..input() }, "organiser", Rule::TooLong);
        // Characters, not bytes: 200 letters with diacritics are fine.
        let accented = "é".repeat(200);
        assert!(validate_outreach(&NewOutreachInput { topic: &accented, ..input() }, TODAY).is_ok());
    }

    #[test]
    fn headcount_is_a_whole_number_in_range() {
        has(&NewOutreachInput { headcount: "-1", ..input() }, "headcount", Rule::OutOfRange);
        has(&NewOutreachInput { headcount: "100001", ..input() }, "headcount", Rule::OutOfRange);
        has(&NewOutreachInput { headcount: "99999999999999999999", ..input() }, "headcount", Rule::OutOfRange);
        has(&NewOutreachInput { headcount: "12.5", ..input() }, "headcount", Rule::Format);
        has(&NewOutreachInput { headcount: "lots", ..input() }, "headcount", Rule::Format);
        has(&NewOutreachInput { headcount: "-", ..input() }, "headcount", Rule::Format);
        has(&NewOutreachInput { headcount: "", ..input() }, "headcount", Rule::Required);
        assert_eq!(
            validate_outreach(&NewOutreachInput { headcount: "100000", ..input() }, TODAY).unwrap().headcount,
            100_000
        );
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let bad = NewOutreachInput {
            village_code: "53.07",
            held_on: "2099-01-01",
            place: "",
            topic: "x",
            organiser: "",
            headcount: "-3",
        };
        let fields: Vec<String> = rules(&bad).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["village_code", "held_on", "topic", "headcount"]);
    }

    #[test]
    fn suggested_topic_codes_are_distinct_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for t in SUGGESTED_TOPICS {
            assert!(t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{t}");
            assert!(seen.insert(t), "{t} twice");
        }
    }
}
