//! Writes an N-row codebook CSV for benchmarks:
//! `cargo run -p komhen-ingest --release --example codebook_generate -- 1000000 rows.csv`
//! Optional third and fourth arguments name the unit logins and task codes
//! to use, comma-separated (so the file fits a database's set-up), e.g.
//! `... rows.csv 259borgerservice,259jc 23.09.02,23.05.10`. An optional
//! fifth names the first of the 19 days the rows fall on (default
//! 2025-10-20), e.g. one outside every published period.
//!
//! Rows are varied the way a real upload is (a few units, tasks and
//! channels, times through the counting weeks) and always valid, from a
//! fixed seed, so every run writes the same file.

use chrono::NaiveDate;
use komhen_domain::{
    danish_instant, ChannelCode, Completion, InquiryType, KleNumber, MunicipalityCode,
};
use komhen_ingest::codebook::{CodebookCsvWriter, CodebookRow};
use std::error::Error;
use std::io::{BufWriter, Write};

/// A small xorshift generator: enough variety, no dependency.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args
        .next()
        .ok_or("usage: codebook_generate ROWS FILE")?
        .parse()?;
    let path = args.next().ok_or("usage: codebook_generate ROWS FILE")?;
    let municipality = MunicipalityCode::parse("259")?;
    let units: Vec<String> = match args.next() {
        Some(list) => list.split(',').map(str::to_owned).collect(),
        None => ["259sek", "259bs", "259ydelse", "259byg", "259jc"]
            .map(str::to_owned)
            .to_vec(),
    };
    let tasks: Vec<String> = match args.next() {
        Some(list) => list.split(',').map(str::to_owned).collect(),
        None => [
            "27.24.00", "15.20.00", "15.20", "29.03.99", "05.04.04", "32.18.04", "02.00.00",
            "24.03.44", "27.12.00", "01.11.00",
        ]
        .map(str::to_owned)
        .to_vec(),
    };
    let tasks = tasks
        .iter()
        .map(|t| KleNumber::parse(t))
        .collect::<Result<Vec<_>, _>>()?;
    let channels = [
        "TLFIND", "TLFUD", "PRSNLG", "EMLIND", "EMLUD", "DOKUD", "WEB", "PPRIND",
    ]
    .map(ChannelCode::parse)
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    let first_day = match args.next() {
        Some(day) => NaiveDate::parse_from_str(&day, "%Y-%m-%d")?,
        None => NaiveDate::from_ymd_opt(2025, 10, 20).ok_or("date")?,
    };
    let mut random = Seeded(0x2545_F491_4F6C_DD1D);
    let file = std::fs::File::create(&path)?;
    let mut writer = CodebookCsvWriter::new(BufWriter::with_capacity(1 << 20, file), &[])?;
    for _ in 0..rows {
        let day = first_day + chrono::Duration::days(random.next(19) as i64);
        let at = danish_instant(day, 8 + random.next(8) as u32, random.next(60) as u32)
            .ok_or("no such time")?;
        let row = CodebookRow {
            line: 0,
            municipality,
            unit_login: Some(units[random.next(units.len())].clone()),
            task: tasks[random.next(tasks.len())].clone(),
            channel: channels[random.next(channels.len())].clone(),
            channel_written: None,
            inquiry_type: Some(InquiryType::ALL[random.next(6)]),
            completion: Some(Completion::ALL[random.next(2)]),
            has_form: Some(random.next(4) == 0),
            registered_at: at,
            quantity: if random.next(20) == 0 {
                1 + random.next(50) as i64
            } else {
                1
            },
            duration_ms: Some(1_000 + random.next(60_000) as i64),
            extra: vec![],
        };
        writer.write_row(&row)?;
    }
    writer.finish()?.flush()?;
    eprintln!("wrote {rows} rows to {path}");
    Ok(())
}
