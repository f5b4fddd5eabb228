//! Every reader refuses a file built to exhaust memory, with a Danish
//! sentence naming the limit, before it holds the file's big part: a CSV
//! line of ten million columns, a cell or line larger than a cell or line
//! may be, a workbook with thirty million cells in one row, a shared text
//! of a gigabyte, millions of shared texts, a part packed a thousand times,
//! a cell far to the right.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod bombs;

use komhen_ingest::asterisk::{CdrClock, CdrReader};
use komhen_ingest::central::CentralReader;
use komhen_ingest::codebook::{template_csv, CodebookWorkbook};
use komhen_ingest::landkort::LandkortReader;
use komhen_ingest::limits::MAX_COLUMNS;
use komhen_ingest::matomo::{MatomoPagesReader, MatomoVisitsReader};
use komhen_ingest::totals::{TotalsLayout, TotalsReader};
use komhen_ingest::{CodebookReader, IngestError, Limits, ProblemKind};
use std::io::{Cursor, Write};

/// The one limit problem a refused file has, as its text.
fn refusal(result: Result<(), IngestError>) -> String {
    let error = result.expect_err("the file must be refused");
    let limit = error
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Limit)
        .unwrap_or_else(|| panic!("no limit problem in {error}"));
    limit.message.clone()
}

fn opened<T>(result: Result<T, IngestError>) -> String {
    refusal(result.map(|_| ()))
}

/// Every CSV reader opened on the same bytes; each refusal's message.
fn every_csv_reader(bytes: &[u8]) -> Vec<(&'static str, String)> {
    let channels = TotalsLayout::Channels;
    let clock = CdrClock::DanishLocal;
    vec![
        ("kodebog", opened(CodebookReader::new(bytes))),
        ("landkort", opened(LandkortReader::new(bytes))),
        ("matomo sider", opened(MatomoPagesReader::new(bytes))),
        ("matomo besøg", opened(MatomoVisitsReader::new(bytes))),
        ("central", opened(CentralReader::new(bytes))),
        (
            "totaltal",
            opened(TotalsReader::with_limits(
                bytes,
                channels,
                Limits::default(),
            )),
        ),
        (
            "opkaldslog",
            opened(CdrReader::with_limits(
                bytes,
                Limits::default(),
                None,
                clock,
            )),
        ),
    ]
}

#[test]
fn every_csv_reader_refuses_a_line_of_ten_million_columns_naming_the_column_limit() {
    let mut bytes = Vec::new();
    bombs::csv_wide_line(&mut bytes, 10_000_000).unwrap();
    for (reader, message) in every_csv_reader(&bytes) {
        assert!(
            message.contains("flere end 1.000 kolonner"),
            "{reader}: {message}"
        );
    }
}

#[test]
fn every_csv_reader_refuses_a_cell_larger_than_the_cell_limit() {
    // An unpaired quote makes the rest of the file one cell.
    let mut bytes = b"Kanal;\"Fra".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 300 << 10));
    for (reader, message) in every_csv_reader(&bytes) {
        assert!(
            message.contains("en celle er større end grænsen på 256 KB"),
            "{reader}: {message}"
        );
        assert!(message.contains("citationstegn"), "{reader}: {message}");
    }
}

#[test]
fn every_csv_reader_refuses_a_line_longer_than_the_line_limit() {
    let cell = "x".repeat(200 << 10);
    let line = vec![cell; 10].join(";");
    for (reader, message) in every_csv_reader(line.as_bytes()) {
        assert!(
            message.contains("linjen er længere end grænsen på 1 MB"),
            "{reader}: {message}"
        );
    }
}

#[test]
fn a_data_row_of_too_many_columns_is_refused_on_its_own_line() {
    let mut text = String::from_utf8(template_csv()).unwrap();
    text.push_str(&"a;".repeat(MAX_COLUMNS * 3));
    text.push_str("\r\n");
    let reader = CodebookReader::new(text.as_bytes()).unwrap();
    let problems: Vec<_> = reader.filter_map(Result::err).flatten().collect();
    let limit = problems
        .iter()
        .find(|p| p.kind == ProblemKind::Limit)
        .expect("the wide row must be refused");
    assert_eq!(limit.line, 3);
    assert!(
        limit.message.contains("flere end 1.000 kolonner"),
        "{}",
        limit.message
    );
}

fn open_workbook(bytes: Vec<u8>) -> Result<(), IngestError> {
    let mut book = CodebookWorkbook::open(Cursor::new(bytes), Limits::default())?;
    let rows = book.rows()?;
    for row in rows {
        if let Err(problems) = row {
            if let Some(limit) = problems.iter().find(|p| p.kind == ProblemKind::Limit) {
                return Err(IngestError::one("kodebogsfilen", limit.clone()));
            }
        }
    }
    Ok(())
}

#[test]
fn a_workbook_with_thirty_million_cells_in_one_row_is_refused_naming_the_cell_limit() {
    let mut bytes = Vec::new();
    bombs::xlsx_wide_row(&mut bytes, 30_000_000).unwrap();
    assert!(bytes.len() < 4 << 20, "the bomb is small: {}", bytes.len());
    let message = refusal(open_workbook(bytes));
    assert!(
        message.contains("række 1 i projektmappen har flere end 1.000 celler"),
        "{message}"
    );
}

#[test]
fn a_small_workbook_built_the_same_way_is_read_as_an_ordinary_one() {
    // The bombs are well-formed workbooks: only their size is refused.
    let mut bytes = Vec::new();
    bombs::xlsx_wide_row(&mut bytes, 5).unwrap();
    let error = open_workbook(bytes).unwrap_err();
    assert!(
        error.problems.iter().all(|p| p.kind != ProblemKind::Limit),
        "{error}"
    );
    assert!(
        error
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::MissingColumn),
        "{error}"
    );
}

#[test]
fn a_workbook_with_a_shared_text_of_a_gigabyte_is_refused_naming_the_cell_limit() {
    let mut bytes = Vec::new();
    bombs::xlsx_long_string(&mut bytes, 1 << 30).unwrap();
    let message = refusal(open_workbook(bytes));
    assert!(
        message.contains("(delen «xl/sharedStrings.xml») er større end grænsen på 256 KB"),
        "{message}"
    );
}

#[test]
fn a_workbook_declaring_or_holding_too_many_shared_texts_is_refused() {
    let mut declared = Vec::new();
    bombs::xlsx_many_strings(&mut declared, 1, 1 << 60).unwrap();
    let mut held = Vec::new();
    bombs::xlsx_many_strings(&mut held, 1_000_001, 1).unwrap();
    for bytes in [declared, held] {
        let message = refusal(open_workbook(bytes));
        assert!(
            message.contains("flere end 1.000.000 forskellige tekster"),
            "{message}"
        );
    }
}

#[test]
fn a_workbook_part_packed_a_thousand_times_is_refused_naming_the_ratio() {
    let mut bytes = Vec::new();
    bombs::xlsx_wide_row(&mut bytes, 3).unwrap();
    let mut zip = zip::ZipWriter::new_append(Cursor::new(bytes)).unwrap();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    zip.start_file("xl/styles.xml", options).unwrap();
    zip.write_all(&b"<a/>".repeat(1 << 20)).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let message = refusal(open_workbook(bytes));
    assert!(
        message.contains("«xl/styles.xml» i projektmappen er pakket mere end 500 gange sammen"),
        "{message}"
    );
}

#[test]
fn a_workbook_cell_beyond_the_column_limit_is_refused_before_room_is_made_for_it() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Kommune").unwrap();
    sheet.write_string(0, 15_000, "langt ude").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let message = refusal(open_workbook(bytes));
    assert!(
        message.contains("kolonne 15.001, og grænsen er 1.000 kolonner"),
        "{message}"
    );
}
