//! The codebook readers (CSV and XLSX) and the template writers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{DateTime, Utc};
use komhen_domain::{danish_local, Completion, InquiryType, TaskCodeKind};
use komhen_ingest::codebook::{
    codebook_xlsx, template_csv, template_xlsx, CodebookCsvWriter, CodebookWorkbook,
    CodebookXlsxRows, COLUMNS,
};
use komhen_ingest::text::TextEncoding;
use komhen_ingest::{
    detect_format, CodebookReader, CodebookRow, CodebookRows, FileFormat, Limits, Problem,
    ProblemKind, ProblemSummary,
};
use std::io::Cursor;

fn read(text: &str) -> (Vec<String>, Vec<Result<CodebookRow, Vec<Problem>>>) {
    let reader = CodebookReader::new(text.as_bytes()).unwrap();
    let extras = reader.extra_headers().to_vec();
    (extras, reader.collect())
}

fn ok_rows(text: &str) -> Vec<CodebookRow> {
    read(text)
        .1
        .into_iter()
        .map(|r| r.unwrap_or_else(|p| panic!("{p:?}")))
        .collect()
}

fn problems(text: &str) -> Vec<Problem> {
    read(text)
        .1
        .into_iter()
        .filter_map(Result::err)
        .flatten()
        .collect()
}

fn local(at: DateTime<Utc>) -> String {
    danish_local(at).format("%Y-%m-%d %H:%M:%S").to_string()
}

const HEADER: &str =
    "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Tidspunkt;Antal;Varighed\n";

#[test]
fn a_full_row_becomes_domain_values() {
    let rows = ok_rows(&format!(
        "{HEADER}259;259sek;27.24.00;tlfind;VEJL;STRAKS;NEJ;21-10-2025;10:15;1.234;12,5\n"
    ));
    let row = &rows[0];
    assert_eq!(row.line, 2);
    assert_eq!(row.municipality.get(), 259);
    assert_eq!(row.unit_login.as_deref(), Some("259sek"));
    assert_eq!(row.task.as_str(), "27.24.00");
    assert_eq!(row.task.level(), TaskCodeKind::Topic);
    assert_eq!(row.channel.as_str(), "TLFIND");
    assert_eq!(row.inquiry_type, Some(InquiryType::Guidance));
    assert_eq!(row.completion, Some(Completion::AtOnce));
    assert_eq!(row.has_form, Some(false));
    assert_eq!(local(row.registered_at), "2025-10-21 10:15:00");
    assert_eq!(row.quantity, 1234);
    assert_eq!(row.duration_ms, Some(12_500));
}

#[test]
fn optional_cells_may_be_empty_or_null() {
    let rows = ok_rows(&format!(
        "{HEADER}259;;15.20;WEB;NULL;null;;21.10.2025;;;\n259;NULL;29.03.99;DOKUD;;;NULL;2025-10-21;;;\n"
    ));
    assert_eq!(rows[0].unit_login, None);
    assert_eq!(rows[0].inquiry_type, None);
    assert_eq!(rows[0].completion, None);
    assert_eq!(rows[0].has_form, None);
    assert_eq!(rows[0].quantity, 1);
    assert_eq!(rows[0].duration_ms, None);
    assert_eq!(rows[0].task.level(), TaskCodeKind::Group);
    assert_eq!(local(rows[0].registered_at), "2025-10-21 00:00:00");
    assert_eq!(rows[1].unit_login, None);
    assert_eq!(rows[1].task.as_str(), "29.03.99");
}

#[test]
fn only_required_columns_are_needed_and_order_is_free() {
    let rows = ok_rows("Dato;kanal; OPGAVE ;Kommune\n21-10-2025 08:30:15;PRSNLG;04.00.00;259\n");
    assert_eq!(local(rows[0].registered_at), "2025-10-21 08:30:15");
    assert_eq!(rows[0].channel.as_str(), "PRSNLG");
}

#[test]
fn old_national_template_headers_are_aliases() {
    let file = std::fs::read_to_string("tests/data/landkort_csv_upload_skabelon.csv").unwrap();
    let (_, rows) = read(&file);
    let row = rows[0].as_ref().unwrap();
    assert_eq!(row.municipality.get(), 259);
    assert_eq!(row.unit_login.as_deref(), Some("Borgerservice"));
    assert_eq!(row.task.as_str(), "01.11.00");
    assert_eq!(row.channel.as_str(), "BRGDK");
    assert_eq!(row.inquiry_type, None);
    assert_eq!(local(row.registered_at), "2013-09-11 13:00:00");
}

#[test]
fn missing_and_duplicated_columns_are_reported_at_once_from_the_header() {
    let err =
        CodebookReader::new("Kommune;KommuneID;Enhed;Opgave\n259;259;x;27.24.00\n".as_bytes())
            .err()
            .unwrap();
    let text: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
    assert_eq!(err.problems.len(), 3, "{text:?}");
    assert_eq!(err.problems[0].kind, ProblemKind::DuplicateColumn);
    assert!(
        text[1].starts_with("linje 1, kolonne «Kanal»: kolonnen «Kanal»"),
        "{text:?}"
    );
    assert!(text[2].contains("«Dato» mangler"), "{text:?}");
}

#[test]
fn every_problem_of_a_row_is_reported_with_line_and_column() {
    let found = problems(&format!(
        "{HEADER}259;;27.24.00;TLFIND;;;;21-10-2025;;;\n\
         42;;27.24.000;TLF1;VEJLEDNING;NU;MÅSKE;31-02-2025;25:00;2,5;-1\n"
    ));
    let text: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 10, "{text:#?}");
    assert!(found.iter().all(|p| p.line == 3));
    assert_eq!(
        text[2],
        "linje 3, kolonne «Kanal»: ugyldig kanalkode «TLF1». Forventede 2–12 bogstaver, fx TLFIND, PRSNLG, EMLIND"
    );
    assert!(text[0].contains("kommunekode «42»"));
    assert!(text[3].contains("OPRET, INFO, STATUS, VEJL, SLVBTJN, FEJL"));
    assert!(text[8].contains("«2,5»") && text[8].contains("uden decimaler"));
}

#[test]
fn empty_required_cells_are_named() {
    let found = problems(&format!("{HEADER};;;;;;;;;;\n259;;;;;;;;;5;\n"));
    let columns: Vec<&str> = found.iter().filter_map(|p| p.column.as_deref()).collect();
    assert_eq!(
        columns,
        vec!["Opgave", "Kanal", "Dato"],
        "the blank row is skipped"
    );
    assert!(found
        .iter()
        .all(|p| p.kind == ProblemKind::Empty && p.line == 3));
}

#[test]
fn date_time_and_tidspunkt_must_agree_unless_date_time_is_midnight() {
    let rows = ok_rows(&format!(
        "{HEADER}259;;27.24.00;TLFIND;;;;21-10-2025 00:00;10:15;;\n259;;27.24.00;TLFIND;;;;21-10-2025 10:15;10:15:00;;\n"
    ));
    assert_eq!(local(rows[0].registered_at), "2025-10-21 10:15:00");
    assert_eq!(local(rows[1].registered_at), "2025-10-21 10:15:00");
    let found = problems(&format!(
        "{HEADER}259;;27.24.00;TLFIND;;;;21-10-2025 09:00;10:15;;\n"
    ));
    assert_eq!(found[0].kind, ProblemKind::Conflict);
    assert_eq!(found[0].column.as_deref(), Some("Tidspunkt"));
    assert!(found[0].message.contains("09:00:00") && found[0].message.contains("10:15:00"));
}

#[test]
fn a_time_in_the_spring_gap_is_a_problem_not_a_panic() {
    let found = problems(&format!(
        "{HEADER}259;;27.24.00;TLFIND;;;;29-03-2026;02:30;;\n"
    ));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, ProblemKind::NonexistentTime);
    assert!(found[0]
        .message
        .contains("02:30:00 den 29-03-2026 findes ikke"));
    // The autumn hour that occurs twice is read as the first (summer time, UTC+2).
    let rows = ok_rows(&format!(
        "{HEADER}259;;27.24.00;TLFIND;;;;25-10-2026;02:30;;\n"
    ));
    assert_eq!(
        rows[0].registered_at.to_rfc3339(),
        "2026-10-25T00:30:00+00:00"
    );
}

#[test]
fn extra_columns_come_back_by_header_and_values_without_header_are_problems() {
    let (extras, rows) = read(
        "Kommune;Opgave;Kanal;Dato;Alder;Køn;\n259;27.24.00;TLFIND;21-10-2025;over 65;K;\n259;27.24.00;TLFIND;21-10-2025;;;x\n",
    );
    assert_eq!(extras, vec!["Alder", "Køn"]);
    assert_eq!(rows[0].as_ref().unwrap().extra, vec!["over 65", "K"]);
    let problems = rows[1].as_ref().unwrap_err();
    assert_eq!(problems[0].kind, ProblemKind::Layout);
    assert!(problems[0].message.contains("kolonne 7"));
}

#[test]
fn line_numbers_are_spreadsheet_rows_despite_multi_line_cells_and_blank_lines() {
    let found = problems(
        "Kommune;Opgave;Kanal;Dato;Note\n\
         259;27.24.00;TLFIND;21-10-2025;\"two\nlines\"\n\
         \n\
         259;27.24.00;X;21-10-2025;\n",
    );
    // Row 2 spans two text lines; the blank line is row 3; the bad row is row 4.
    assert_eq!(found[0].line, 4, "{found:?}");
}

#[test]
fn windows_1252_with_crlf_and_comma_separator_is_read() {
    let text = "Kommune,Enhed,Opgave,Kanal,Dato,Spørgsmål\r\n259,Økonomi,27.24.00,TLFIND,21-10-2025,Ærø\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let mut reader = CodebookReader::new(&bytes[..]).unwrap();
    assert_eq!(reader.delimiter(), b',');
    assert_eq!(reader.extra_headers(), ["Spørgsmål"]);
    let row = reader.next().unwrap().unwrap();
    assert_eq!(reader.encoding(), TextEncoding::Windows1252);
    assert_eq!(row.unit_login.as_deref(), Some("Økonomi"));
    assert_eq!(row.extra, vec!["Ærø"]);
}

#[test]
fn tab_separated_utf16_is_read() {
    let text = "Kommune\tOpgave\tKanal\tDato\n259\t27.24.00\tEMLIND\t2025-10-21 13:00\n";
    let mut bytes = vec![0xFF, 0xFE];
    text.encode_utf16()
        .for_each(|u| bytes.extend_from_slice(&u.to_le_bytes()));
    let mut reader = CodebookReader::new(&bytes[..]).unwrap();
    assert_eq!(reader.delimiter(), b'\t');
    assert_eq!(reader.encoding(), TextEncoding::Utf16Le);
    assert_eq!(reader.next().unwrap().unwrap().channel.as_str(), "EMLIND");
}

#[test]
fn row_limit_ends_the_file_with_a_danish_message() {
    let limits = Limits {
        max_rows: 2,
        ..Limits::default()
    };
    let text = format!(
        "{HEADER}{}",
        "259;;27.24.00;TLFIND;;;;21-10-2025;;;\n".repeat(5)
    );
    let results: Vec<_> = CodebookReader::with_limits(text.as_bytes(), limits)
        .unwrap()
        .collect();
    assert_eq!(results.len(), 3);
    let last = results[2].as_ref().unwrap_err();
    assert_eq!(last[0].kind, ProblemKind::Limit);
    assert!(last[0].message.contains("flere end 2 rækker"));
}

#[test]
fn size_limit_ends_the_file_while_streaming() {
    let limits = Limits {
        max_bytes: 200_000,
        ..Limits::default()
    };
    let text = format!(
        "{HEADER}{}",
        "259;;27.24.00;TLFIND;;;;21-10-2025;;;\n".repeat(10_000)
    );
    let results: Vec<_> = CodebookReader::with_limits(text.as_bytes(), limits)
        .unwrap()
        .collect();
    let last = results.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last[0].kind, ProblemKind::Limit);
    assert!(last[0].message.contains("større end grænsen"), "{last:?}");
    assert!(results.len() < 10_000);
}

#[test]
fn a_hundred_thousand_equal_problems_summarise_to_one_group() {
    let text = format!(
        "{HEADER}{}",
        "259;;27.24.00;TLF-IND;;;;21-10-2025;;;\n".repeat(100_000)
    );
    let mut summary = ProblemSummary::new(Limits::default().max_problems_kept);
    for row in CodebookReader::new(text.as_bytes()).unwrap() {
        if let Err(problems) = row {
            summary.add_row(problems);
        }
    }
    assert_eq!(summary.bad_rows(), 100_000);
    assert_eq!(summary.kept().len(), 1_000);
    assert_eq!(summary.groups().len(), 1);
    assert_eq!(summary.groups()[0].first_lines, vec![2, 3, 4, 5, 6]);
    assert!(summary
        .to_string()
        .starts_with("100.000 fejl på 100.000 linjer"));
}

#[test]
fn an_empty_file_is_an_error_naming_the_expected_header() {
    let err = CodebookReader::new(&b""[..]).err().unwrap();
    assert!(err.problems[0]
        .message
        .contains("Kommune;Enhed;Opgave;Kanal"));
}

#[test]
fn format_is_told_by_content_not_name() {
    assert_eq!(detect_format(b"PK\x03\x04rest"), FileFormat::Xlsx);
    assert_eq!(detect_format(&[0xD0, 0xCF, 0x11, 0xE0]), FileFormat::Xls);
    assert_eq!(detect_format(b"Kommune;"), FileFormat::Csv);
    assert_eq!(detect_format(&template_xlsx().unwrap()), FileFormat::Xlsx);
    assert_eq!(detect_format(&template_csv()), FileFormat::Csv);
}

#[test]
fn csv_template_is_bom_semicolon_header_and_an_example_that_reads_back() {
    let template = template_csv();
    assert!(template.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8(template[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.header).collect();
    assert_eq!(lines.next().unwrap(), header.join(";"));
    assert_eq!(lines.count(), 1);
    let rows = ok_rows(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(local(rows[0].registered_at), "2025-10-21 10:15:00");
}

fn xlsx_rows(bytes: Vec<u8>) -> (Vec<String>, Vec<Result<CodebookRow, Vec<Problem>>>) {
    let mut book = CodebookWorkbook::open(Cursor::new(bytes), Limits::default()).unwrap();
    let rows: CodebookXlsxRows<'_, _> = book.rows().unwrap();
    let extras = rows.extra_headers().to_vec();
    (extras, rows.collect())
}

#[test]
fn xlsx_template_reads_back_as_the_csv_template() {
    let from_csv = ok_rows(std::str::from_utf8(&template_csv()[3..]).unwrap());
    let (_, from_xlsx) = xlsx_rows(template_xlsx().unwrap());
    let from_xlsx: Vec<CodebookRow> = from_xlsx.into_iter().map(Result::unwrap).collect();
    assert_eq!(from_xlsx, from_csv);
}

#[test]
fn rows_written_to_csv_and_xlsx_read_back_equal_with_extras() {
    let text =
        "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Tidspunkt;Antal;Varighed;Alder\n\
         259;259sek;27.24.00;TLFIND;OPRET;HOLD;JA;21-10-2025;10:15:07;3;0,001;ung\n\
         101;;15.20;WEB;;;;01-01-2026;;250000;;\n";
    let (extras, rows) = read(text);
    let rows: Vec<CodebookRow> = rows.into_iter().map(Result::unwrap).collect();
    let mut writer = CodebookCsvWriter::new(Vec::new(), &extras).unwrap();
    for row in &rows {
        writer.write_row(row).unwrap();
    }
    let written = writer.finish().unwrap();
    let again: Vec<CodebookRow> = CodebookReader::new(&written[..])
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(again, rows);
    let (xlsx_extras, from_xlsx) = xlsx_rows(codebook_xlsx(&rows, &extras).unwrap());
    assert_eq!(xlsx_extras, extras);
    let from_xlsx: Vec<CodebookRow> = from_xlsx.into_iter().map(Result::unwrap).collect();
    assert_eq!(from_xlsx, rows);
}

#[test]
fn a_broken_workbook_is_one_danish_problem() {
    let err = CodebookWorkbook::open(
        Cursor::new(b"PK\x03\x04garbage".to_vec()),
        Limits::default(),
    )
    .err()
    .unwrap();
    assert_eq!(err.problems[0].kind, ProblemKind::Unreadable);
    assert!(err.problems[0].message.contains("Excel-projektmappe"));
}

#[test]
fn excels_sep_line_names_the_separator_and_is_not_a_row() {
    let text = "sep=,\r\nKommune,Opgave,Kanal,Dato\r\n259,27.24.00,X1,21-10-2025\r\n";
    let mut reader = CodebookReader::new(text.as_bytes()).unwrap();
    assert_eq!(reader.delimiter(), b',');
    let problems = reader.next().unwrap().unwrap_err();
    assert_eq!(problems[0].line, 2, "the header is row 1 as Excel shows it");
}

#[test]
fn xlsx_cells_of_any_type_read_as_the_csv_text_would() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "Kommune",
        "Opgave",
        "Kanal",
        "Dato",
        "Tidspunkt",
        "Antal",
        "Varighed",
        "Blanket",
    ];
    for (col, name) in header.iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    let time = Format::new().set_num_format("hh:mm");
    // Row 2: numbers where a person types them, a text date, a real time cell.
    sheet.write_number(1, 0, 259.0).unwrap();
    sheet.write_number(1, 1, 15.2).unwrap();
    sheet.write_string(1, 2, "PRSNLG").unwrap();
    sheet.write_string(1, 3, "21.10.2025").unwrap();
    sheet
        .write_datetime_with_format(1, 4, ExcelDateTime::from_hms(10, 15, 0).unwrap(), &time)
        .unwrap();
    sheet.write_number(1, 5, 3.0).unwrap();
    sheet.write_number(1, 6, 12.5).unwrap();
    sheet.write_boolean(1, 7, true).unwrap();
    // Row 4 (row 3 left empty): a real date-time cell, a decimal quantity.
    let stamp = Format::new().set_num_format("dd-mm-yyyy hh:mm");
    sheet.write_number(3, 0, 259.0).unwrap();
    sheet.write_string(3, 1, "27.24.00").unwrap();
    sheet.write_string(3, 2, "TLFIND").unwrap();
    sheet
        .write_datetime_with_format(
            3,
            3,
            ExcelDateTime::from_ymd(2025, 10, 22)
                .unwrap()
                .and_hms(9, 30, 0)
                .unwrap(),
            &stamp,
        )
        .unwrap();
    sheet.write_number(3, 5, 2.5).unwrap();
    let (_, rows) = xlsx_rows(book.save_to_buffer().unwrap());
    let first = rows[0].as_ref().unwrap();
    assert_eq!(first.line, 2);
    assert_eq!(
        first.task.as_str(),
        "15.20",
        "a group code typed as a number"
    );
    assert_eq!(local(first.registered_at), "2025-10-21 10:15:00");
    assert_eq!((first.quantity, first.duration_ms), (3, Some(12_500)));
    assert_eq!(first.has_form, Some(true));
    let problems = rows[1].as_ref().unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, 4, "the empty row 3 still counts");
    assert_eq!(problems[0].column.as_deref(), Some("Antal"));
}

#[test]
fn a_workbook_that_makes_the_xlsx_parser_overflow_is_a_problem_not_a_panic() {
    // Found by the codebook_xlsx fuzz target: a cell reference so long that
    // calamine's row arithmetic overflows.
    let bytes = std::fs::read("tests/data/fuzz/calamine_row_overflow.xlsx").unwrap();
    let result = CodebookWorkbook::open(Cursor::new(bytes), Limits::default()).map(|mut book| {
        book.rows()
            .map(|rows| rows.collect::<Vec<_>>())
            .map_err(|e| e.problems)
    });
    let problems: Vec<Problem> = match result {
        Err(e) => e.problems,
        Ok(Err(problems)) => problems,
        Ok(Ok(rows)) => rows.into_iter().filter_map(Result::err).flatten().collect(),
    };
    assert!(
        problems.iter().any(|p| p.kind == ProblemKind::Unreadable),
        "{problems:?}"
    );
}

/// A header or a row far wider than any real file is refused at once with
/// the limit named, while it is read: its full width is never counted or
/// held (a header of 100,000 columns used to take a minute, quadratic in
/// its width).
#[test]
fn a_line_with_more_columns_than_the_limit_is_refused_naming_the_limit() {
    let wide_header = format!(
        "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Antal{}\n",
        ";x".repeat(100_000)
    );
    let error = komhen_ingest::CodebookReader::new(wide_header.as_bytes())
        .err()
        .expect("refused");
    let text = error.to_string();
    assert!(text.contains("flere end 1.000 kolonner"), "{text}");

    let wide_row = format!(
        "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Antal\n\
         259;259sek;23.09.02;TLFIND;VEJL;STRAKS;;21-10-2025 09:15;1{}\n",
        ";1".repeat(200_000)
    );
    let mut reader = komhen_ingest::CodebookReader::new(wide_row.as_bytes()).unwrap();
    let problems = match reader.next() {
        Some(Err(problems)) => problems,
        other => panic!("expected the row refused, got {other:?}"),
    };
    assert_eq!(
        problems.len(),
        1,
        "one problem for the row, not one per cell"
    );
    assert!(
        problems[0].message.contains("flere end 1.000 kolonner"),
        "{}",
        problems[0].message
    );
}
