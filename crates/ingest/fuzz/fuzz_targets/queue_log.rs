//! The Asterisk queue_log reader on any bytes: it must end without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut reader) = komhen_ingest::queue_log::QueueLogReader::new(data) {
        for call in reader.by_ref() {
            let _ = call;
        }
        let _ = reader.summary();
    }
});
