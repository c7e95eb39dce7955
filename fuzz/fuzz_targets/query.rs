//! Query strings of the person list (the busiest search): parsing and the checks that follow
//! never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(q) = serde_urlencoded::from_bytes::<web::api::persons::ListQuery>(data) else { return };
    if let Some(code) = &q.region_code {
        let _ = code.parse::<domain::region::RegionCode>();
    }
    if let Some(words) = &q.q {
        let _ = domain::name::name_key(words);
    }
    if let Some(c) = &q.category {
        let _ = domain::person::PersonCategory::parse(c);
    }
});
