//! Writes the files `bench/upload_bombs.sh` uploads, built to exhaust a
//! reader's memory: `cargo run -p komhen-ingest --example bombs -- DIR`
//! writes `DIR/wide-row.xlsx` (30 million cells in one row, 3.3 MB),
//! `DIR/long-string.xlsx` (a shared text of 1 GB, 6.3 MB) and
//! `DIR/wide-line.csv` (one line of 10 million columns, 20 MB).

#[path = "../tests/bombs/mod.rs"]
mod bombs;

use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: bombs DIR")?);
    let create = |name: &str| File::create(dir.join(name)).map(BufWriter::new);
    bombs::xlsx_wide_row(create("wide-row.xlsx")?, 30_000_000)?;
    bombs::xlsx_long_string(create("long-string.xlsx")?, 1 << 30)?;
    bombs::csv_wide_line(create("wide-line.csv")?, 10_000_000)?;
    Ok(())
}
