//! Decoding on any bytes: it must not panic, and always yields UTF-8 for
//! text that was UTF-16 or Windows-1252.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = komhen_ingest::text::decode_all(data);
    let _ = komhen_ingest::text::detect_delimiter(data);
});
