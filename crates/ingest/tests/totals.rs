//! Total counts files as Excel saves them: every encoding, both separators,
//! and no panic on any bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::NaiveDate;
use komhen_ingest::text::TextEncoding;
use komhen_ingest::totals::{TotalsLayout, TotalsReader, TotalsRow, TotalsSubject};
use komhen_ingest::{Limits, Problem};
use proptest::prelude::*;

const TEXT: &str = "Kanal;Fra;Til;Antal\r\nTelefon, indgående;01-10-2025;31-10-2025;1.234\r\n\
                    PRSNLG;2025-10-01;2025-10-31;456\r\n";

fn rows(bytes: &[u8]) -> (Vec<TotalsRow>, TextEncoding) {
    let reader =
        TotalsReader::with_limits(bytes, TotalsLayout::Channels, Limits::default()).unwrap();
    let mut rows = Vec::new();
    let mut reader = reader;
    for row in reader.by_ref() {
        rows.push(row.unwrap());
    }
    (rows, reader.encoding())
}

fn expected() -> Vec<TotalsRow> {
    let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    vec![
        TotalsRow {
            line: 2,
            subject: TotalsSubject::Channel("Telefon, indgående".into()),
            from: day(10, 1),
            to: day(10, 31),
            count: 1234,
        },
        TotalsRow {
            line: 3,
            subject: TotalsSubject::Channel("PRSNLG".into()),
            from: day(10, 1),
            to: day(10, 31),
            count: 456,
        },
    ]
}

#[test]
fn every_encoding_excel_saves_csv_in_reads_the_same() {
    let utf8 = TEXT.as_bytes().to_vec();
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend_from_slice(TEXT.as_bytes());
    let (windows_1252, _, _) = encoding_rs::WINDOWS_1252.encode(TEXT);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(TEXT.encode_utf16().flat_map(u16::to_le_bytes));
    for (bytes, encoding) in [
        (utf8, TextEncoding::Utf8),
        (utf8_bom, TextEncoding::Utf8Bom),
        (windows_1252.into_owned(), TextEncoding::Windows1252),
        (utf16, TextEncoding::Utf16Le),
    ] {
        let (got, found) = rows(&bytes);
        assert_eq!(got, expected(), "{encoding:?}");
        assert_eq!(found, encoding);
    }
}

#[test]
fn a_comma_separated_file_with_quoted_names_reads_the_same() {
    let text = "Kanal,Fra,Til,Antal\n\"Telefon, indgående\",01-10-2025,31-10-2025,1.234\n\
                PRSNLG,2025-10-01,2025-10-31,456\n";
    assert_eq!(rows(text.as_bytes()).0, expected());
}

fn drain(reader: impl Iterator<Item = Result<TotalsRow, Vec<Problem>>>) {
    for row in reader {
        if let Err(problems) = row {
            assert!(!problems.is_empty());
            assert!(problems
                .iter()
                .all(|p| p.line >= 1 && !p.message.is_empty()));
        }
    }
}

proptest! {
    #[test]
    fn no_totals_reader_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        for layout in [TotalsLayout::Channels, TotalsLayout::Municipalities] {
            if let Ok(reader) = TotalsReader::with_limits(&bytes[..], layout, Limits::default()) {
                drain(reader)
            }
        }
    }

    #[test]
    fn no_totals_reader_panics_on_arbitrary_rows_under_a_valid_header(
        cells in prop::collection::vec(
            prop::collection::vec("[0-9A-Za-zæø .:;,\"\r\n-]{0,14}", 0..6), 0..20)
    ) {
        let body: String = cells.iter().map(|row| row.join(";") + "\n").collect();
        for (header, layout) in [
            ("Kanal;Fra;Til;Antal\n", TotalsLayout::Channels),
            ("Kommune;Fra;Til;Antal\n", TotalsLayout::Municipalities),
        ] {
            let bytes = format!("{header}{body}");
            drain(TotalsReader::with_limits(bytes.as_bytes(), layout, Limits::default()).unwrap());
        }
    }
}
