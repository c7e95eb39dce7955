//! Trainings: topic, organiser, dates, place, trainer, in a village. Participants come from
//! people records; attendance is per day, within the training's dates.

use super::codes::{Organiser, TrainingTopic};
use super::common::{date, village};
use crate::region::RegionCode;
use crate::validation::{Rule, ValidationErrors, text};
use time::{Date, Duration};

/// The longest training recorded as one (a per-day attendance grid must stay readable).
pub const MAX_DAYS: i64 = 60;
pub const TEXT_MAX: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct TrainingInput<'a> {
    pub village_code: &'a str,
    pub topic: &'a str,
    pub title: &'a str,
    pub organiser: &'a str,
    pub organiser_name: &'a str,
    pub starts_on: &'a str,
    /// Empty for a one-day training.
    pub ends_on: &'a str,
    pub place: &'a str,
    pub trainer: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTraining {
    pub village_code: RegionCode,
    pub topic: TrainingTopic,
    pub title: String,
    pub organiser: Organiser,
    pub organiser_name: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub place: String,
    pub trainer: String,
}

/// Checks a training. Trainings may be planned up to two years ahead.
pub fn validate_training(input: &TrainingInput<'_>, today: Date) -> Result<NewTraining, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let village_code = village(&mut errs, "village_code", input.village_code);
    let topic = TrainingTopic::parse(input.topic);
    if topic.is_none() {
        errs.add("topic", Rule::OneOf, format!("one of {}", TrainingTopic::codes()));
    }
    let title = text(&mut errs, "title", input.title, 3, TEXT_MAX);
    let organiser = Organiser::parse(input.organiser);
    if organiser.is_none() {
        errs.add("organiser", Rule::OneOf, format!("one of {}", Organiser::codes()));
    }
    let organiser_name = text(&mut errs, "organiser_name", input.organiser_name, 0, TEXT_MAX);
    let latest = today + Duration::days(730);
    let starts_on = date(&mut errs, "starts_on", input.starts_on, Some(latest));
    let ends_on = if input.ends_on.trim().is_empty() {
        starts_on
    } else {
        date(&mut errs, "ends_on", input.ends_on, Some(latest + Duration::days(MAX_DAYS)))
    };
    if let (Some(s), Some(e)) = (starts_on, ends_on) {
        if e < s {
            errs.add("ends_on", Rule::OutOfRange, "not before the start date");
        } else if (e - s).whole_days() + 1 > MAX_DAYS {
            errs.add("ends_on", Rule::OutOfRange, format!("a training lasts at most {MAX_DAYS} days"));
        }
    }
    let place = text(&mut errs, "place", input.place, 0, TEXT_MAX);
    let trainer = text(&mut errs, "trainer", input.trainer, 0, TEXT_MAX);
    match (village_code, topic, organiser, starts_on, ends_on) {
        (Some(village_code), Some(topic), Some(organiser), Some(starts_on), Some(ends_on)) if errs.is_empty() => {
            Ok(NewTraining {
                village_code,
                topic,
                title,
                organiser,
                organiser_name,
                starts_on,
                ends_on,
                place,
                trainer,
            })
        }
        _ => Err(errs),
    }
}

/// Every day of a training, first to last (empty when the dates are reversed).
pub fn training_days(starts: Date, ends: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = starts;
    while d <= ends && out.len() < MAX_DAYS as usize {
        out.push(d);
        match d.next_day() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 20);

    fn input() -> TrainingInput<'static> {
        TrainingInput {
            village_code: "53.07.01.2001",
            topic: "financial_literacy",
            title: " Literasi keuangan keluarga PMI ",
            organiser: "regency_office",
            organiser_name: "Disnaker Sikka",
            starts_on: "2026-03-02",
            ends_on: "2026-03-04",
            place: "Balai desa",
            trainer: "Ibu Rina",
        }
    }

    fn fields(i: &TrainingInput<'_>) -> Vec<(String, Rule)> {
        validate_training(i, TODAY).unwrap_err().0.into_iter().map(|e| (e.field, e.rule)).collect()
    }

    #[test]
    fn a_valid_training() {
        let t = validate_training(&input(), TODAY).unwrap();
        assert_eq!(t.title, "Literasi keuangan keluarga PMI");
        assert_eq!(t.topic, TrainingTopic::FinancialLiteracy);
        assert_eq!(training_days(t.starts_on, t.ends_on).len(), 3);
        let one = validate_training(&TrainingInput { ends_on: "", ..input() }, TODAY).unwrap();
        assert_eq!(one.ends_on, one.starts_on);
    }

    #[test]
    fn dates_must_be_ordered_and_short() {
        assert_eq!(fields(&TrainingInput { ends_on: "2026-03-01", ..input() }), [("ends_on".into(), Rule::OutOfRange)]);
        assert_eq!(fields(&TrainingInput { ends_on: "2026-06-01", ..input() }), [("ends_on".into(), Rule::OutOfRange)]);
        assert_eq!(
            fields(&TrainingInput { starts_on: "2029-01-01", ends_on: "", ..input() }),
            [("starts_on".into(), Rule::OutOfRange)]
        );
    }

    #[test]
    fn codes_and_texts_are_checked() {
        let f =
            fields(&TrainingInput { topic: "knitting", organiser: "", title: "", village_code: "53.07", ..input() });
        assert_eq!(
            f,
            [
                ("village_code".into(), Rule::Format),
                ("topic".into(), Rule::OneOf),
                ("title".into(), Rule::Required),
                ("organiser".into(), Rule::OneOf)
            ]
        );
    }

    #[test]
    fn days_are_listed_inclusively() {
        assert_eq!(
            training_days(date!(2026 - 02 - 27), date!(2026 - 03 - 01)),
            [date!(2026 - 02 - 27), date!(2026 - 02 - 28), date!(2026 - 03 - 01)]
        );
        assert!(training_days(date!(2026 - 03 - 02), date!(2026 - 03 - 01)).is_empty());
    }
}
