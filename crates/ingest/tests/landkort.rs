//! The Det Digitale Landkort extract reader, on the real Køge sample.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_domain::{danish_local, InquiryType, TaskCodeKind};
use komhen_ingest::landkort::{LandkortReader, LandkortRow, LandkortSource};
use komhen_ingest::text::TextEncoding;
use komhen_ingest::ProblemKind;
use std::collections::BTreeMap;

const SAMPLE: &str = "tests/data/koege_2013_landkort_raadata_sample.csv";

/// The sample as the portal wrote it: Windows-1252 with CRLF.
fn as_exported() -> Vec<u8> {
    let text = std::fs::read_to_string(SAMPLE)
        .unwrap()
        .replace('\n', "\r\n");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    bytes.into_owned()
}

fn read_rows(bytes: &[u8]) -> (Vec<String>, Vec<LandkortRow>) {
    let reader = LandkortReader::new(bytes).unwrap();
    let extras = reader.extra_headers().to_vec();
    let rows = reader
        .map(|r| r.unwrap_or_else(|p| panic!("{p:?}")))
        .collect();
    (extras, rows)
}

#[test]
fn the_koege_sample_reads_unedited_as_windows_1252_with_crlf() {
    let bytes = as_exported();
    let mut reader = LandkortReader::new(&bytes[..]).unwrap();
    assert_eq!(
        reader.extra_headers(),
        ["Er borgeren over eller under 65 år?"],
        "the trailing empty header is skipped"
    );
    let first = reader.next().unwrap().unwrap();
    assert_eq!(reader.encoding(), TextEncoding::Windows1252);
    assert_eq!(first.line, 2);
    assert_eq!(first.municipality_name, "Køge");
    assert_eq!(first.municipality.get(), 259);
    assert_eq!(first.unit_login.as_deref(), Some("259sek"));
    assert_eq!(first.task.as_str(), "15.20.00");
    assert_eq!(first.inquiry_type, Some(InquiryType::CaseInformation));
    assert_eq!(first.has_form, Some(false));
    assert_eq!(first.data_source, LandkortSource::DetDigitaleLandkort);
    assert_eq!(
        first.duration_ms, None,
        "mass registrations have no duration"
    );
    assert_eq!(
        danish_local(first.registered_at).to_string(),
        "2013-10-21 00:00:00"
    );
    assert_eq!(first.extra, vec![String::new()]);
    let rest: Vec<_> = reader.collect();
    assert_eq!(rest.len(), 43);
    assert_eq!(rest.last().unwrap().as_ref().unwrap().line, 45);
}

#[test]
fn the_koege_sample_counts_per_channel_and_type_match_a_plain_split() {
    // Counted independently from the raw text with a plain split.
    let text = std::fs::read_to_string(SAMPLE).unwrap();
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = line.split(';').collect();
        *expected
            .entry((cells[4].to_owned(), cells[5].to_owned()))
            .or_default() += 1;
    }
    assert_eq!(expected.values().sum::<usize>(), 44);

    let (_, rows) = read_rows(&as_exported());
    let mut counted: BTreeMap<(String, String), usize> = BTreeMap::new();
    for row in &rows {
        let kind = row.inquiry_type.map_or("", |t| t.code());
        *counted
            .entry((row.channel.as_str().to_owned(), kind.to_owned()))
            .or_default() += 1;
    }
    assert_eq!(counted, expected);
    // And the UTF-8 original reads the same.
    let (_, from_utf8) = read_rows(&std::fs::read(SAMPLE).unwrap());
    assert_eq!(from_utf8, rows);
}

const HEADER: &str = "Kommune;ID;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;StartTidspunkt;SlutTidspunkt;Datakilde;Alder;Postnummer;\r\n";

#[test]
fn tool_rows_get_a_duration_and_codes_stay_distinct() {
    let text = format!(
        "{HEADER}Køge;259;;29.03.99;TLFIND;VEJL;STRAKS;NULL;22-10-2013 09:15:02;22-10-2013 09:14:40;22-10-2013 09:15:02;Tracetool;over 65;4600;\r\n\
         Køge;259;259bs;15.20;PRSNLG;OPRET;HOLD;JA;22-10-2013 23:59:59;22-10-2013 23:59:59;23-10-2013 00:00:09;Tracetool;;;\r\n"
    );
    let (extras, rows) = read_rows(text.as_bytes());
    assert_eq!(extras, vec!["Alder", "Postnummer"]);
    assert_eq!(rows[0].unit_login, None, "Enhed can be empty");
    assert_eq!(rows[0].task.level(), TaskCodeKind::Topic);
    assert_eq!(rows[0].task.as_str(), "29.03.99");
    assert_eq!(rows[1].task.level(), TaskCodeKind::Group);
    assert_eq!(rows[0].duration_ms, Some(22_000));
    assert_eq!(rows[1].duration_ms, Some(10_000), "across midnight");
    assert_eq!(rows[0].has_form, None);
    assert_eq!(rows[0].extra, vec!["over 65", "4600"]);
    assert_eq!(rows[0].data_source, LandkortSource::Tracetool);
}

#[test]
fn bad_rows_report_every_problem_with_line_and_column() {
    let text = format!(
        "{HEADER}Køge;25;;15.20.000;TLF IND;VEJL;STRAKS;NEJ;32-10-2013 09:15:02;22-10-2013 09:15:00;22-10-2013 09:14:00;Excel;;;\r\n"
    );
    let problems = LandkortReader::new(text.as_bytes())
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    let columns: Vec<&str> = problems
        .iter()
        .filter_map(|p| p.column.as_deref())
        .collect();
    assert_eq!(
        columns,
        vec!["ID", "Opgave", "Kanal", "Dato", "Datakilde"],
        "{problems:#?}"
    );
    assert!(problems.iter().all(|p| p.line == 2));
    assert!(problems[4]
        .message
        .contains("Tracetool eller DetDigitaleLandkort"));

    let text = format!(
        "{HEADER}Køge;259;;15.20.00;TLFIND;VEJL;STRAKS;NEJ;22-10-2013 09:15:02;22-10-2013 09:15:00;22-10-2013 09:14:00;Tracetool;;;\r\n"
    );
    let problems = LandkortReader::new(text.as_bytes())
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert_eq!(problems[0].kind, ProblemKind::Conflict);
    assert_eq!(problems[0].column.as_deref(), Some("SlutTidspunkt"));
}

#[test]
fn a_codebook_file_is_not_taken_for_an_extract() {
    let err = LandkortReader::new(
        "Kommune;Opgave;Kanal;Dato\n259;27.24.00;TLFIND;21-10-2025\n".as_bytes(),
    )
    .err()
    .unwrap();
    let missing: Vec<&str> = err
        .problems
        .iter()
        .filter_map(|p| p.column.as_deref())
        .collect();
    assert_eq!(
        missing,
        vec![
            "ID",
            "Enhed",
            "Type",
            "Afslutning",
            "Blanket",
            "StartTidspunkt",
            "SlutTidspunkt",
            "Datakilde"
        ]
    );
}
