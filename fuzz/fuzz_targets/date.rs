//! Dates as typed (2026-11-24, 24/11/2026, 24-11-2026…): never a panic; what is read, once
//! written in ISO form, reads back to the same date.
#![no_main]
use domain::person::parse_date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Some(d) = parse_date(s) {
        let iso = format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day());
        assert_eq!(parse_date(&iso), Some(d));
    }
});
