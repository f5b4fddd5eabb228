//! The hotline's calls CSV reader on any bytes: it must end without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(reader) = komhen_ingest::calls::CallsReader::new(data) {
        for row in reader {
            let _ = row;
        }
    }
});
