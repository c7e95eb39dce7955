//! The NIK check never panics, and what it accepts is 16 digits whose parts it reports.
#![no_main]
use domain::nik::{RegionLookup, check};
use libfuzzer_sys::fuzz_target;

struct Every;
impl RegionLookup for Every {
    fn exists(&self, _code: &str) -> bool {
        true
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let today = time::macros::date!(2026 - 11 - 24);
    let out = check(s, None, None, &Every, today);
    if out.errors.is_empty() {
        let nik = out.nik.expect("no errors means a NIK");
        let text = nik.to_string();
        assert_eq!(text.len(), 16);
        assert!(text.bytes().all(|b| b.is_ascii_digit()));
        assert!(out.birth_date.is_some_and(|d| d <= today));
    }
});
