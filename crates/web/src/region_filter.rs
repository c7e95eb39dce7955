//! The "at or inside this region" filter of lists (`?village=`, `?region=`, `?region_code=`,
//! `?within=` on pages and API lists): one parser, so an invalid code is refused the same way
//! everywhere. Ignoring it would silently widen the list to the account's whole scope.
//!
//! Absent or blank means "no filter" (the caller's default, usually the account's scope). A
//! well-formed code is returned as is: whether the account may see that region stays the
//! caller's check (403 on the API, the forbidden page on pages, as before).

use crate::error::{ApiError, PageError, PageErrorKind};
use crate::i18n::{Lang, T};
use domain::RegionCode;

pub use app::region_filter::{DETAIL, collect, parse};

/// For API handlers: an invalid code is a 422 naming the field and the rule.
pub fn for_api(field: &str, raw: Option<&str>) -> Result<Option<RegionCode>, ApiError> {
    parse(field, raw).map_err(ApiError::Validation)
}

/// For pages: an invalid code is a 400 page saying, in the viewer's language, which value was
/// not a region code and what one looks like.
pub fn for_page(lang: Lang, raw: Option<&str>) -> Result<Option<RegionCode>, PageError> {
    parse("region", raw).map_err(|_| {
        let value = raw.unwrap_or_default().trim();
        let value: String = value.chars().take(40).collect();
        PageError::new(PageErrorKind::BadRequest(T::new(lang).fmt("region_filter.invalid", "value", &value)), lang)
    })
}
