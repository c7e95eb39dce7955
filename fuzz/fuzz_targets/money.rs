//! Typed rupiah and rates: never a panic; an accepted amount displays and reads back the same;
//! a split always adds up to the rupiah.
#![no_main]
use domain::cooperative::money::split_largest_remainder;
use domain::service_center::Rupiah;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some(r) = Rupiah::parse_typed(s) {
            assert!(r.amount() >= 0);
            assert_eq!(Rupiah::parse_typed(&r.to_string()), Some(r));
        }
        let _ = domain::cooperative::schedule::MonthlyRate::parse_percent(s);
    }
    if data.len() >= 8 {
        let total = i64::from_le_bytes(data[..8].try_into().unwrap()).rem_euclid(1 << 50);
        let weights: Vec<u64> = data[8..].chunks(4).map(|c| c.iter().fold(0u64, |a, b| a * 256 + *b as u64)).collect();
        if let Some(total) = Rupiah::new(total) {
            if let Some(parts) = split_largest_remainder(total, &weights) {
                let sum: i64 = parts.iter().map(|p| p.amount()).sum();
                assert_eq!(sum, total.amount());
            }
        }
    }
});
