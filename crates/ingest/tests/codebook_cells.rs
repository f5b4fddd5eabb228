//! Rows given cell by cell (the JSON API) follow exactly the rules of a
//! codebook file's row.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_domain::{danish_local, Completion, InquiryType};
use komhen_ingest::codebook::{CodebookCells, CodebookColumn};
use komhen_ingest::{CodebookReader, ProblemKind};

fn cells<'a>(values: &'a [(CodebookColumn, &'a str)]) -> impl Fn(CodebookColumn) -> String + 'a {
    move |column| {
        values
            .iter()
            .find(|(c, _)| *c == column)
            .map_or_else(String::new, |(_, v)| (*v).to_owned())
    }
}

#[test]
fn a_row_of_cells_reads_like_the_same_row_in_a_file() {
    use CodebookColumn as C;
    let mut checker = CodebookCells::new(&["Køn".to_owned()]).unwrap();
    let row = checker
        .parse(
            4,
            cells(&[
                (C::Municipality, "259"),
                (C::Unit, "259sek"),
                (C::Task, "27.24.00"),
                (C::Channel, "tlfind"),
                (C::InquiryType, "VEJL"),
                (C::Completion, "STRAKS"),
                (C::Form, "NEJ"),
                (C::Date, "2025-10-21 10:15"),
                (C::Quantity, "3"),
                (C::Duration, "12.5"),
            ]),
            &["Kvinde".to_owned()],
        )
        .unwrap();
    let csv = "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Antal;Varighed;Køn\n\
               259;259sek;27.24.00;tlfind;VEJL;STRAKS;NEJ;2025-10-21 10:15;3;12,5;Kvinde\n";
    let mut from_file = CodebookReader::new(csv.as_bytes())
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    from_file.line = 4;
    assert_eq!(row, from_file);
    assert_eq!(row.channel.as_str(), "TLFIND");
    assert_eq!(row.inquiry_type, Some(InquiryType::Guidance));
    assert_eq!(row.completion, Some(Completion::AtOnce));
    assert_eq!(
        danish_local(row.registered_at).to_string(),
        "2025-10-21 10:15:00"
    );
    assert_eq!((row.quantity, row.duration_ms), (3, Some(12_500)));
}

#[test]
fn every_problem_of_a_row_names_its_column_header() {
    use CodebookColumn as C;
    let mut checker = CodebookCells::new(&[]).unwrap();
    let problems = checker
        .parse(
            2,
            cells(&[
                (C::Municipality, "259"),
                (C::Channel, "T"),
                (C::Date, "2026-03-29 02:30"),
                (C::Quantity, "0"),
            ]),
            &[],
        )
        .unwrap_err();
    let found: Vec<(&str, ProblemKind)> = problems
        .iter()
        .map(|p| (p.column.as_deref().unwrap(), p.kind))
        .collect();
    assert_eq!(
        found,
        vec![
            (CodebookCells::header(C::Task), ProblemKind::Empty),
            (CodebookCells::header(C::Channel), ProblemKind::Invalid),
            (CodebookCells::header(C::Date), ProblemKind::NonexistentTime),
            (CodebookCells::header(C::Quantity), ProblemKind::Invalid),
        ]
    );
    assert!(problems.iter().all(|p| p.line == 2));
}

#[test]
fn an_extra_column_named_like_a_codebook_column_is_refused() {
    let problems = CodebookCells::new(&["kanal".to_owned()]).err().unwrap();
    assert_eq!(problems[0].kind, ProblemKind::DuplicateColumn);
}
