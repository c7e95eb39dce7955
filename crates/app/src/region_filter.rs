//! The "at or inside this region" filter of lists (`?village=`, `?region=`, `?region_code=`,
//! `?within=`): one parser, so an invalid code is refused the same way by every door.
//! Absent or blank means "no filter"; whether the caller may see the region is the
//! operation's check.

use domain::{RegionCode, Rule, ValidationErrors};

/// The `detail` of the field error, for API clients.
pub const DETAIL: &str = "a region code such as 53, 53.07, 53.07.01 or 53.07.01.2001";

/// The code in `raw`; `None` when absent or blank; an error naming `field` and the rule otherwise.
pub fn parse(field: &str, raw: Option<&str>) -> Result<Option<RegionCode>, ValidationErrors> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => r.parse::<RegionCode>().map(Some).map_err(|_| ValidationErrors::single(field, Rule::Format, DETAIL)),
    }
}

/// As [`parse`], adding the error to a handler's other field errors (reported together).
pub fn collect(errs: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<RegionCode> {
    parse(field, raw).unwrap_or_else(|e| {
        errs.0.extend(e.0);
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_no_filter_and_a_bad_code_names_the_field() {
        assert_eq!(parse("village", None), Ok(None));
        assert_eq!(parse("village", Some("  ")), Ok(None));
        assert_eq!(parse("village", Some(" 53.07 ")).unwrap().unwrap().as_str(), "53.07");
        for bad in ["xyz", "53.7", "53.07.", "53.07.01.2001.1", "53%"] {
            let e = parse("region_code", Some(bad)).unwrap_err();
            assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("region_code", Rule::Format), "{bad}");
        }
        let mut errs = ValidationErrors::new();
        assert_eq!(collect(&mut errs, "within", Some("nowhere")), None);
        assert_eq!(errs.0.len(), 1);
    }
}
