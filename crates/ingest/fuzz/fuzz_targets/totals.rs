//! The totals reader on any bytes, in both layouts: it must end without panicking.
#![no_main]

use komhen_ingest::totals::{TotalsLayout, TotalsReader};
use komhen_ingest::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for layout in [TotalsLayout::Channels, TotalsLayout::Municipalities] {
        if let Ok(reader) = TotalsReader::with_limits(data, layout, Limits::default()) {
            for row in reader {
                let _ = row;
            }
        }
    }
});
