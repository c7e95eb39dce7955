//! Any uploaded bytes: the import either refuses the file or reads every row, never panics.
#![no_main]
use domain::import::ImportFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = ImportFile::parse(data.to_vec()) {
        let mut n = 0;
        for _record in file.records() {
            n += 1;
        }
        assert!(n <= file.row_count() + 1);
    }
});
