//! Inputs the fuzz campaign of `fuzz/` found a reader failing on, each
//! kept as it was minimised, so the fix stays: every reader must refuse a
//! bad file with a Danish problem, within bounded memory and time, and
//! never panic. See `fuzz/README.md` for the campaign.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_ingest::asterisk::CdrReader;
use komhen_ingest::calls::CallsReader;
use komhen_ingest::codebook::CodebookWorkbook;
use komhen_ingest::landkort::LandkortReader;
use komhen_ingest::matomo::{MatomoPagesReader, MatomoVisitsReader};
use komhen_ingest::queue_log::QueueLogReader;
use komhen_ingest::totals::{TotalsLayout, TotalsReader};
use komhen_ingest::{CodebookReader, IngestError, Limits, Problem};
use std::io::Cursor;

/// Every problem a reader gave, from its constructor or its rows.
fn all_problems<R: Iterator<Item = Result<T, Vec<Problem>>>, T>(
    opened: Result<R, IngestError>,
) -> Vec<Problem> {
    match opened {
        Err(error) => error.problems,
        Ok(rows) => rows.filter_map(Result::err).flatten().collect(),
    }
}

/// What each fuzz target does with its bytes: every reader drained.
fn every_text_reader(bytes: &[u8]) -> Vec<(&'static str, Vec<Problem>)> {
    let limits = Limits::default();
    vec![
        ("kodebog", all_problems(CodebookReader::new(bytes))),
        ("landkort", all_problems(LandkortReader::new(bytes))),
        ("matomo sider", all_problems(MatomoPagesReader::new(bytes))),
        ("matomo besøg", all_problems(MatomoVisitsReader::new(bytes))),
        ("opkaldslog", all_problems(CdrReader::new(bytes))),
        ("kø-log", all_problems(QueueLogReader::new(bytes))),
        ("opkaldsfil", all_problems(CallsReader::new(bytes))),
        (
            "totaltal kanaler",
            all_problems(TotalsReader::with_limits(
                bytes,
                TotalsLayout::Channels,
                limits,
            )),
        ),
        (
            "totaltal kommuner",
            all_problems(TotalsReader::with_limits(
                bytes,
                TotalsLayout::Municipalities,
                limits,
            )),
        ),
    ]
}

/// The codebook workbook reader drained, as the `codebook_xlsx` target does.
fn workbook_problems(bytes: &[u8]) -> Vec<Problem> {
    match CodebookWorkbook::open(Cursor::new(bytes), Limits::default()) {
        Err(error) => error.problems,
        Ok(mut book) => match book.rows() {
            Err(error) => error.problems,
            Ok(rows) => rows.filter_map(Result::err).flatten().collect(),
        },
    }
}

#[test]
fn millions_of_blank_lines_before_a_row_keep_its_line_number() {
    // Found reading the line counter during the campaign (no fuzz input is
    // large enough to show it): the CSV parser skips blank lines without a
    // record, and every line end was remembered until the next record, so
    // a file of blank lines cost 16 bytes of memory per byte of file.
    // Now a run of line ends is one entry (checked in `src/records.rs`);
    // the line numbers are unchanged.
    let header = "Kommune;Opgave;Kanal;Dato\r\n";
    let blank = "\r\n".repeat(2_000_000);
    let text = format!("{header}{blank}abc;27.24.00;TLFIND;21-10-2025\r\n");
    let problems = all_problems(CodebookReader::new(text.as_bytes()));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, 2_000_002, "{problems:?}");
    assert_eq!(problems[0].column.as_deref(), Some("Kommune"));
}

#[test]
fn every_reader_ends_on_an_empty_file() {
    // The smallest input every target starts from: no panic, and the
    // readers that need a header say that the file is empty (the Asterisk
    // logs have none: an empty log is no calls).
    for (reader, problems) in every_text_reader(b"") {
        if reader == "opkaldslog" || reader == "kø-log" {
            assert!(problems.is_empty(), "{reader}: {problems:?}");
        } else {
            assert!(
                problems[0].message.contains("tom"),
                "{reader}: {problems:?}"
            );
        }
    }
    assert!(!workbook_problems(b"").is_empty());
}
