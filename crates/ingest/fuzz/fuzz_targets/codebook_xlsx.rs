//! The codebook XLSX reader on any bytes: it must end without panicking.
#![no_main]

use komhen_ingest::codebook::CodebookWorkbook;
use komhen_ingest::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut book) = CodebookWorkbook::open(std::io::Cursor::new(data), Limits::default()) {
        if let Ok(rows) = book.rows() {
            for row in rows.take(100_000) {
                let _ = row;
            }
        }
    }
});
