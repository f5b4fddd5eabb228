//! Matomo exports: pages report and visits summary, in the encodings and
//! languages Matomo writes them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::NaiveDate;
use komhen_ingest::matomo::{MatomoPagesReader, MatomoVisitsReader, PageVisits, SiteVisits};
use komhen_ingest::text::TextEncoding;
use komhen_ingest::ProblemKind;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/data/{name}")).unwrap()
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    text.encode_utf16()
        .for_each(|u| bytes.extend_from_slice(&u.to_le_bytes()));
    bytes
}

fn pages(bytes: &[u8]) -> Vec<PageVisits> {
    MatomoPagesReader::new(bytes)
        .unwrap()
        .map(|r| r.unwrap_or_else(|p| panic!("{p:?}")))
        .collect()
}

fn visits(bytes: &[u8]) -> Vec<SiteVisits> {
    MatomoVisitsReader::new(bytes)
        .unwrap()
        .map(|r| r.unwrap_or_else(|p| panic!("{p:?}")))
        .collect()
}

#[test]
fn visits_summary_exported_as_utf16_gives_the_sites_visits() {
    let bytes = fixture("matomo_VisitsSummary.get_day.utf16.csv");
    let mut reader = MatomoVisitsReader::new(&bytes[..]).unwrap();
    let row = reader.next().unwrap().unwrap();
    assert_eq!(reader.encoding(), TextEncoding::Utf16Le);
    assert_eq!((row.line, row.date, row.visits), (2, None, 2));
    assert!(reader.next().is_none());
}

#[test]
fn visits_summary_with_german_labels_is_read_by_the_label() {
    let rows = visits(&fixture("matomo_VisitsSummary.get_day.trans-de.utf16.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].visits, 2, "«Besuche», not «Eindeutige Besucher»");
}

#[test]
fn visits_summary_per_day_carries_the_date() {
    let rows = visits(&utf16le(
        "date,Unikke besøgende,Besøg,Handlinger\n2025-10-20,10,12,40\n2025-10-21,7,9,11\n",
    ));
    let got: Vec<(Option<NaiveDate>, i64)> = rows.iter().map(|r| (r.date, r.visits)).collect();
    assert_eq!(
        got,
        vec![
            (NaiveDate::from_ymd_opt(2025, 10, 20), 12),
            (NaiveDate::from_ymd_opt(2025, 10, 21), 9)
        ]
    );
    let single = visits(b"date,value\n2025-10-20,1234\n");
    assert_eq!(single[0].visits, 1234);
}

#[test]
fn flat_pages_report_gives_label_url_visits_and_hits() {
    let rows = pages(&fixture("matomo_Actions.getPageUrls_week_flat.csv"));
    assert_eq!(rows.len(), 11);
    assert_eq!(rows[0].label, "/dir1/sub/dir/page0.html");
    assert_eq!(
        rows[0].url.as_deref(),
        Some("http://example.org/dir1/sub/dir/page0.html")
    );
    assert_eq!((rows[0].visits, rows[0].hits), (2, Some(2)));
    assert!(rows.iter().all(|r| r.url.is_some() && r.date.is_none()));
}

#[test]
fn pages_section_of_an_emailed_report_is_found() {
    let rows = pages(&fixture("matomo_ScheduledReports_month.csv"));
    let got: Vec<(&str, i64, Option<i64>)> = rows
        .iter()
        .map(|r| (r.label.as_str(), r.visits, r.hits))
        .collect();
    assert_eq!(
        got,
        vec![
            ("/index.htm", 9, Some(9)),
            ("Page URL not defined", 9, Some(17)),
            ("/thankyou", 8, Some(16)),
            ("/products", 1, Some(1)),
        ]
    );
    assert_eq!(rows[0].line, 182, "lines count from the file's start");
    let summary = visits(&fixture("matomo_ScheduledReports_month.csv"));
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].visits, 11);
}

#[test]
fn danish_labels_of_the_pages_report_map_to_visits_and_hits() {
    let text = "date,Side-URL,Unikke sidevisninger,Sidevisninger,Afvisnings %,Metadata: url\n\
                2025-10-20,/borger/pas,120,150,10%,https://www.koege.dk/borger/pas\n\
                2025-10-20,borger,300,400,5%,\n";
    let bytes = utf16le(text);
    let rows = pages(&bytes);
    assert_eq!(rows[0].visits, 120);
    assert_eq!(rows[0].hits, Some(150));
    assert_eq!(rows[0].date, NaiveDate::from_ymd_opt(2025, 10, 20));
    assert_eq!(
        rows[0].url.as_deref(),
        Some("https://www.koege.dk/borger/pas")
    );
    assert_eq!(rows[1].url, None, "a folder row has no URL");
}

#[test]
fn an_english_translated_label_visits_report_is_read() {
    let rows = pages(&fixture(
        "matomo_Contents.getContentNames_day.trans-en.utf16.csv",
    ));
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0].label, "Text Ad - Click to download Piwik now");
    assert_eq!((rows[0].visits, rows[0].hits), (4, None));
}

#[test]
fn no_data_available_is_an_empty_report() {
    assert!(pages(b"No data available").is_empty());
}

#[test]
fn a_bad_count_is_a_problem_of_its_row_and_column() {
    let problems = MatomoPagesReader::new(&b"label,nb_visits\n/a,12.5\n/b,3\n"[..])
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert_eq!(problems[0].to_string(), "linje 2, kolonne «nb_visits»: «12.5» er ikke et antal. Forventede et helt tal uden tusindtalsskilletegn");
}

#[test]
fn a_file_without_a_visits_column_is_refused_with_what_was_found() {
    let err = MatomoPagesReader::new(&b"label,nb_hits\n/a,1\n"[..])
        .err()
        .unwrap();
    assert_eq!(err.problems[0].kind, ProblemKind::MissingColumn);
    assert!(err.problems[0].message.contains("fandt label, nb_hits"));
}

#[test]
fn a_rows_period_is_read_as_its_first_and_last_day() {
    let rows = visits(
        b"date,nb_visits\n2025-10-21,5\n\"2025-10-20,2025-10-26\",40\n2025-10,300\n2025,4000\n",
    );
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let got: Vec<_> = rows.iter().map(|r| (r.date, r.date_to)).collect();
    assert_eq!(
        got,
        vec![
            (day(2025, 10, 21), day(2025, 10, 21)),
            (day(2025, 10, 20), day(2025, 10, 26)),
            (day(2025, 10, 1), day(2025, 10, 31)),
            (day(2025, 1, 1), day(2025, 12, 31)),
        ]
    );
    let problems = MatomoVisitsReader::new(&b"date,nb_visits\nsidste uge,5\n"[..])
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(problems[0].message.contains("ugyldig dato «sidste uge»"));
}

#[test]
fn a_pages_report_says_whether_it_has_urls() {
    let bytes = fixture("matomo_Actions.getPageUrls_week_flat.csv");
    let with = MatomoPagesReader::new(&bytes[..]).unwrap();
    assert!(with.has_urls());
    let without = MatomoPagesReader::new(&b"label,nb_visits\n/borger/pas,3\n"[..]).unwrap();
    assert!(!without.has_urls());
}
