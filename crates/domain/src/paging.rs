//! Page sizes and cursors of list endpoints. Out-of-range values are refused naming the
//! field, never clamped: a client asking for 32 225 rows must learn it gets at most 500.

use crate::{Rule, ValidationErrors};

/// The largest page any list serves (`limit`); the OpenAPI document declares the same.
pub const MAX_LIMIT: i64 = 500;

/// `limit`: absent is `default`, otherwise 1..=[`MAX_LIMIT`].
pub fn limit(errs: &mut ValidationErrors, raw: Option<i64>, default: i64) -> i64 {
    match raw {
        None => default,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            errs.add("limit", Rule::OutOfRange, format!("between 1 and {MAX_LIMIT}"));
            default
        }
    }
}

/// A cursor or offset (`before`, `after`, `offset`): absent, or zero or more.
pub fn cursor(errs: &mut ValidationErrors, field: &str, raw: Option<i64>) {
    if raw.is_some_and(|n| n < 0) {
        errs.add(field, Rule::OutOfRange, "zero or more");
    }
}

/// [`limit`] and the list's cursors (`("before", q.before)`) checked together, so one answer
/// names every bad field; the page size on success.
pub fn check(raw_limit: Option<i64>, default: i64, cursors: &[(&str, Option<i64>)]) -> Result<i64, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let limit = limit(&mut errs, raw_limit, default);
    for (field, raw) in cursors {
        cursor(&mut errs, field, *raw);
    }
    errs.into_result().map(|()| limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_outside_one_to_max_is_refused_naming_limit() {
        for bad in [0, -1, MAX_LIMIT + 1, 32_225, i64::MAX] {
            let e = check(Some(bad), 100, &[("before", None)]).unwrap_err();
            assert_eq!(e.0[0].field, "limit", "{bad}");
            assert_eq!(e.0[0].rule, Rule::OutOfRange);
        }
        assert_eq!(check(None, 100, &[("before", None)]).unwrap(), 100);
        assert_eq!(check(Some(MAX_LIMIT), 100, &[("before", Some(0))]).unwrap(), MAX_LIMIT);
    }

    #[test]
    fn negative_cursor_is_refused_naming_it() {
        let e = check(Some(-5), 100, &[("offset", Some(-1))]).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["limit", "offset"]);
    }
}
