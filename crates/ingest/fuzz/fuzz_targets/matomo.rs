//! Both Matomo readers on any bytes: they must end without panicking.
#![no_main]

use komhen_ingest::matomo::{MatomoPagesReader, MatomoVisitsReader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(reader) = MatomoPagesReader::new(data) {
        for row in reader {
            let _ = row;
        }
    }
    if let Ok(reader) = MatomoVisitsReader::new(data) {
        for row in reader {
            let _ = row;
        }
    }
});
