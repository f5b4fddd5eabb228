//! Reads a codebook file and prints how fast:
//! `cargo run -p komhen-ingest --release --example codebook_parse -- rows.csv`
//!
//! Prints one line `rows=… bad=… seconds=… rows_per_second=…` on stdout
//! (for the benchmark script) and a problem summary on stderr if any.

use komhen_ingest::{CodebookReader, Limits, ProblemSummary};
use std::error::Error;
use std::time::Instant;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: codebook_parse FILE")?;
    let limits = Limits::default();
    let started = Instant::now();
    let file = std::fs::File::open(&path)?;
    let reader = CodebookReader::with_limits(file, limits)?;
    let mut summary = ProblemSummary::new(limits.max_problems_kept);
    let mut rows = 0u64;
    let mut quantity = 0i64;
    for row in reader {
        rows += 1;
        match row {
            Ok(row) => quantity += row.quantity,
            Err(problems) => summary.add_row(problems),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "rows={rows} bad={} inquiries={quantity} seconds={seconds:.3} rows_per_second={:.0}",
        summary.bad_rows(),
        rows as f64 / seconds
    );
    if !summary.is_empty() {
        eprintln!("{summary}");
    }
    Ok(())
}
