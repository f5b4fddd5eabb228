//! Central deliveries of self-service and Digital Post statistics: the
//! encodings Excel writes, Danish dates, and every problem of a bad file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::NaiveDate;
use komhen_ingest::central::{CentralReader, CentralRow};
use komhen_ingest::text::TextEncoding;
use komhen_ingest::ProblemKind;

fn rows(bytes: &[u8]) -> Vec<Result<CentralRow, Vec<komhen_ingest::Problem>>> {
    CentralReader::new(bytes).unwrap().collect()
}

#[test]
fn a_semicolon_file_with_danish_dates_and_thousands_dots_is_read() {
    let got =
        rows(b"Kommune;Opgave;Dato;Antal\n259;27.24.00;21-10-2025;1.234\n101;15.20;22.10.2025;0\n");
    let first = got[0].as_ref().unwrap();
    assert_eq!(first.line, 2);
    assert_eq!(first.municipality.get(), 259);
    assert_eq!(first.task.as_str(), "27.24.00");
    assert_eq!(first.day, NaiveDate::from_ymd_opt(2025, 10, 21).unwrap());
    assert_eq!(first.quantity, 1234);
    let second = got[1].as_ref().unwrap();
    assert_eq!((second.task.as_str(), second.quantity), ("15.20", 0));
}

#[test]
fn excel_encodings_and_column_order_do_not_matter() {
    let text = "antal;DATO;kommune;Opgave\r\n7;2025-10-21;259;29.03.99\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    text.encode_utf16()
        .for_each(|u| utf16.extend_from_slice(&u.to_le_bytes()));
    let reader = CentralReader::new(&utf16[..]).unwrap();
    assert_eq!(reader.encoding(), TextEncoding::Utf16Le);
    let got: Vec<CentralRow> = reader.map(|r| r.unwrap()).collect();
    assert_eq!((got[0].quantity, got[0].task.as_str()), (7, "29.03.99"));
    let windows = b"Kommune;Opgave;Dato;Antal\r\n259;27.24.00;21-10-2025 00:00;3\r\n";
    assert_eq!(rows(windows)[0].as_ref().unwrap().quantity, 3);
}

#[test]
fn every_problem_of_a_row_is_reported_with_its_column() {
    let got =
        rows(b"Kommune;Opgave;Dato;Antal\n99;kage;31-02-2025;-3\n259;27.24.00;21-10-2025;5;x\n");
    let problems = got[0].as_ref().unwrap_err();
    let columns: Vec<&str> = problems
        .iter()
        .filter_map(|p| p.column.as_deref())
        .collect();
    assert_eq!(columns, vec!["Kommune", "Opgave", "Dato", "Antal"]);
    assert!(problems[2]
        .message
        .contains("datoen «31-02-2025» findes ikke: februar 2025 har 28 dage"));
    let stray = got[1].as_ref().unwrap_err();
    assert_eq!(stray[0].kind, ProblemKind::Layout);
}

#[test]
fn a_missing_and_an_extra_column_are_refused_at_the_header() {
    let missing = CentralReader::new(&b"Kommune;Opgave;Antal\n259;27.24.00;5\n"[..])
        .err()
        .unwrap();
    assert_eq!(missing.problems[0].kind, ProblemKind::MissingColumn);
    assert!(missing.problems[0].message.contains("«Dato»"));
    let extra = CentralReader::new(
        &b"Kommune;Opgave;Dato;Antal;Kanal\n259;27.24.00;21-10-2025;5;WEB\n"[..],
    )
    .err()
    .unwrap();
    assert_eq!(extra.problems[0].kind, ProblemKind::Layout);
    assert!(extra.problems[0].message.contains("«Kanal»"));
}

#[test]
fn utf16_without_a_byte_order_mark_is_refused_with_what_to_do() {
    let mut bytes = Vec::new();
    "Kommune;Opgave;Dato;Antal\n259;27.24.00;21-10-2025;5\n"
        .encode_utf16()
        .for_each(|u| bytes.extend_from_slice(&u.to_le_bytes()));
    let err = CentralReader::new(&bytes[..]).err().unwrap();
    assert_eq!(err.problems[0].kind, ProblemKind::Unreadable);
    assert!(err.problems[0].message.contains("UTF-16 uden"));
}
