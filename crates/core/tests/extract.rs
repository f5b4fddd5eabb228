//! Extracts on the demo data: the CSV and the XLSX hold exactly the
//! registrations the report counts, every row once, and read back through
//! the upload's own check with no problem and the same figures (so a file
//! can go out to Excel and come back); a formula typed as an answer leaves
//! neutralised and comes back as typed. On the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{NaiveDate, TimeZone, Utc};
use komhen_backend::testing::TestStore;
use komhen_core::demo::{self, DemoOptions};
use komhen_core::intake::files::{self, FileKind, Upload};
use komhen_core::reports::extract::{self, Extract};
use komhen_core::reports::{self, Dates, Dimension, ReportRequest};
use komhen_domain::{
    AnswerKind, ChannelCode, Completion, InquiryType, MunicipalityCode, NewAnswer, NewRegistration,
    Source,
};
use komhen_ingest::Limits;
use komhen_store::{NewAuditEntry, NewQuestion, SetupChange, Store};
use std::collections::BTreeMap;

fn koege() -> MunicipalityCode {
    MunicipalityCode::new(259).unwrap()
}

fn autumn_2026() -> Dates {
    Dates {
        from: NaiveDate::from_ymd_opt(2026, 10, 19).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 11, 8).unwrap(),
    }
}

async fn preview(store: &dyn Store, path: &std::path::Path, name: &str) -> files::Preview {
    files::preview(
        store,
        koege(),
        &Upload {
            kind: FileKind::Codebook,
            path,
            file_name: name,
            limits: Limits::default(),
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn an_extract_holds_the_reported_rows_and_reads_back_unchanged() {
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    demo::load(store, &DemoOptions { size: 20_000 }, &mut |_, _| {})
        .await
        .unwrap();

    // A text answer that a spreadsheet would run as a formula.
    let applied = store
        .apply(
            &SetupChange::CreateQuestion(NewQuestion {
                municipality: Some(koege()),
                code: None,
                task: None,
                label_da: "Bemærkning".into(),
                label_en: "Remark".into(),
                answer_kind: AnswerKind::Text,
                sort_order: 300,
                options: Vec::new(),
            }),
            &NewAuditEntry {
                municipality: Some(koege()),
                actor: "test".into(),
                action: "create".into(),
                entity: "question".into(),
                entity_id: String::new(),
                before_json: None,
                after_json: None,
            },
        )
        .await
        .unwrap();
    let remark = komhen_domain::QuestionId(applied.created().unwrap());
    let unit = store
        .find_unit_by_login("259borgerservice")
        .await
        .unwrap()
        .unwrap();
    let task = store.list_tasks(koege()).await.unwrap()[0].id;
    store
        .insert_registration(&NewRegistration {
            municipality: koege(),
            unit: Some(unit.id),
            task,
            channel: ChannelCode::parse("PRSNLG").unwrap(),
            inquiry_type: Some(InquiryType::Guidance),
            completion: Some(Completion::AtOnce),
            has_form: Some(false),
            registered_at: Utc.with_ymd_and_hms(2026, 10, 20, 9, 30, 15).unwrap(),
            duration_ms: Some(7_250),
            quantity: 3,
            source: Source::Tool,
            is_test: false,
            idempotency_key: None,
            answers: vec![NewAnswer {
                question: remark,
                option: None,
                text: Some("=HYPERLINK(\"x\")".into()),
            }],
        })
        .await
        .unwrap();

    let request = ReportRequest::new(vec![koege()], autumn_2026());
    let by_channel = reports::run(store, &request.clone().by(&[Dimension::Channel]))
        .await
        .unwrap();
    let expected: BTreeMap<String, i64> = by_channel
        .rows
        .iter()
        .map(|r| (r.keys[0].code.clone(), r.inquiries))
        .collect();
    assert!(by_channel.total.rows > 100, "Køge has data in the demo");

    // CSV: every reported row once, in the codebook's format.
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("udtraek.csv");
    let mut file = std::fs::File::create(&csv_path).unwrap();
    let extract = Extract::open(store, koege(), &request).await.unwrap();
    assert!(extract.extra_headers().iter().any(|h| h == "Bemærkning"));
    let written = extract.write_csv(store, &mut file).await.unwrap();
    drop(file);
    assert_eq!(written as i64, by_channel.total.rows);
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(text.starts_with("\u{feff}Kommune;Enhed;Opgave;Kanal;"));
    assert!(
        text.contains("'=HYPERLINK(\"\"x\"\")"),
        "the formula leaves neutralised"
    );
    assert!(
        text.contains("20-10-2026;11:30:15;3;7,25;"),
        "Danish time, seconds"
    );

    // Read back by the upload's check: no problem, the same figures.
    let checked = preview(store, &csv_path, "udtraek.csv").await;
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    assert_eq!(checked.valid_rows as i64, by_channel.total.rows);
    assert_eq!(checked.inquiries, by_channel.total.inquiries);
    let read_back: BTreeMap<String, i64> = checked
        .by_channel
        .iter()
        .map(|(c, _, n)| (c.to_string(), *n))
        .collect();
    assert_eq!(read_back, expected);
    assert!(
        checked.overlap.is_some(),
        "uploading it again in the same municipality warns of double counting"
    );
    let rows: Vec<_> = komhen_ingest::CodebookReader::new(std::fs::File::open(&csv_path).unwrap())
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let column = rows[0].extra.len() - 1;
    let answered: Vec<_> = rows
        .iter()
        .filter(|r| !r.extra[column].is_empty())
        .collect();
    assert_eq!(answered.len(), 1);
    assert_eq!(
        answered[0].extra[column], "=HYPERLINK(\"x\")",
        "read as typed"
    );

    // XLSX: the same rows, and the codebook on its own sheet.
    let xlsx_path = dir.path().join("udtraek.xlsx");
    let extract = Extract::open(store, koege(), &request).await.unwrap();
    let codebook = extract::codebook(store, koege()).await.unwrap();
    assert!(codebook
        .rows
        .iter()
        .any(|r| r[0].display_da() == "Bemærkning"));
    let written = extract
        .write_xlsx(store, &codebook, &xlsx_path)
        .await
        .unwrap();
    assert_eq!(written as i64, by_channel.total.rows);
    // The registration time is a number a spreadsheet can sum, not text.
    {
        use calamine::{Data, Reader};
        let mut book = calamine::open_workbook_auto(&xlsx_path).unwrap();
        let sheet = book.worksheet_range("Henvendelser").unwrap();
        let header: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let column = header
            .iter()
            .position(|h| h.starts_with("Varighed"))
            .unwrap();
        let cells: Vec<&Data> = sheet
            .rows()
            .skip(1)
            .map(|r| &r[column])
            .filter(|c| !matches!(c, Data::Empty))
            .collect();
        assert!(!cells.is_empty(), "the demo times its registrations");
        assert!(
            cells.iter().all(|c| matches!(c, Data::Float(_))),
            "{:?}",
            cells.iter().find(|c| !matches!(c, Data::Float(_)))
        );
    }
    let checked = preview(store, &xlsx_path, "udtraek.xlsx").await;
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    assert_eq!(checked.valid_rows as i64, by_channel.total.rows);
    assert_eq!(checked.inquiries, by_channel.total.inquiries);

    // Another municipality's request is not this municipality's extract.
    let other = ReportRequest::new(vec![MunicipalityCode::new(101).unwrap()], autumn_2026());
    assert!(Extract::open(store, koege(), &other).await.is_err());
}
