//! The codebook XLSX reader on any bytes: it must end without panicking.
//!
//! The reader catches panics inside the workbook parser (calamine) and
//! reports them as an unreadable file; libfuzzer-sys's panic hook would
//! abort on those caught panics too, so the default hook is put back. A
//! panic that escapes the reader still aborts (libfuzzer-sys checks).
#![no_main]

use komhen_ingest::codebook::CodebookWorkbook;
use komhen_ingest::Limits;
use libfuzzer_sys::fuzz_target;
use std::sync::Once;

static DEFAULT_HOOK: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    DEFAULT_HOOK.call_once(|| drop(std::panic::take_hook()));
    if let Ok(mut book) = CodebookWorkbook::open(std::io::Cursor::new(data), Limits::default()) {
        if let Ok(rows) = book.rows() {
            for row in rows.take(100_000) {
                let _ = row;
            }
        }
    }
});
