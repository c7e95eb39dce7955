//! Parenting activities: classes for caregivers, scouting, sports, tutoring, play groups — a
//! date (or a few days), a facilitator, and who attended.

use super::ActivityKind;
use crate::enterprise::common::{date, village};
use crate::region::RegionCode;
use crate::validation::{Rule, ValidationErrors, text};
use time::Date;

/// The longest activity recorded as one (a scouting camp, a holiday programme).
pub const MAX_DAYS: i64 = 31;

#[derive(Debug, Clone, Default)]
pub struct ActivityInput<'a> {
    pub village_code: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub held_on: &'a str,
    /// Empty for a one-day activity.
    pub ends_on: &'a str,
    pub place: &'a str,
    pub facilitator: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub village_code: RegionCode,
    pub kind: ActivityKind,
    pub title: String,
    pub held_on: Date,
    pub ends_on: Date,
    pub place: String,
    pub facilitator: String,
}

/// Activities are recorded when held or planned, up to a year ahead.
pub fn validate_activity(input: &ActivityInput<'_>, today: Date) -> Result<NewActivity, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let village_code = village(&mut errs, "village_code", input.village_code);
    let kind = ActivityKind::parse(input.kind);
    if kind.is_none() {
        errs.add("kind", Rule::OneOf, format!("one of {}", ActivityKind::codes()));
    }
    let title = text(&mut errs, "title", input.title, 0, 200);
    let latest = today + time::Duration::days(366);
    let held_on = date(&mut errs, "held_on", input.held_on, Some(latest));
    let ends_on =
        if input.ends_on.trim().is_empty() { held_on } else { date(&mut errs, "ends_on", input.ends_on, None) };
    if let (Some(s), Some(e)) = (held_on, ends_on) {
        if e < s {
            errs.add("ends_on", Rule::OutOfRange, "not before the first day");
        } else if (e - s).whole_days() + 1 > MAX_DAYS {
            errs.add("ends_on", Rule::OutOfRange, format!("an activity lasts at most {MAX_DAYS} days"));
        }
    }
    let place = text(&mut errs, "place", input.place, 0, 200);
    let facilitator = text(&mut errs, "facilitator", input.facilitator, 2, 200);
    match (village_code, kind, held_on, ends_on) {
        (Some(village_code), Some(kind), Some(held_on), Some(ends_on)) if errs.is_empty() => {
            Ok(NewActivity { village_code, kind, title, held_on, ends_on, place, facilitator })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn activities_are_checked() {
        let today = date!(2026 - 03 - 20);
        let i = ActivityInput {
            village_code: "53.07.01.2001",
            kind: "parenting_class",
            title: "Pola asuh anak usia sekolah",
            held_on: "2026-03-14",
            ends_on: "",
            place: "Posyandu",
            facilitator: "Ibu Maria",
        };
        let a = validate_activity(&i, today).unwrap();
        assert_eq!(a.ends_on, a.held_on);
        let e = validate_activity(
            &ActivityInput { kind: "party", ends_on: "2026-03-13", facilitator: "", ..i.clone() },
            today,
        )
        .unwrap_err();
        let f: Vec<(&str, Rule)> = e.0.iter().map(|x| (x.field.as_str(), x.rule)).collect();
        assert_eq!(f, [("kind", Rule::OneOf), ("ends_on", Rule::OutOfRange), ("facilitator", Rule::Required)]);
        let e = validate_activity(&ActivityInput { ends_on: "2026-05-14", ..i }, today).unwrap_err();
        assert_eq!(e.0[0].field, "ends_on");
    }
}
