//! The report engine on the demo data: its figures equal sums over the
//! registrations themselves, derived dimensions fold correctly, comparisons
//! subtract the right period, medians are medians, and a scope is never
//! left. On the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::NaiveDate;
use komhen_backend::testing::TestStore;
use komhen_core::demo::{self, DemoOptions};
use komhen_core::reports::{self, Dates, Dimension, Order, ReportRequest, Scope, ShareOf};
use komhen_domain::{Direction, MunicipalityCode};
use komhen_store::{Aggregate, RegistrationRow, Store, TestRows};
use std::collections::BTreeMap;

fn code(c: u16) -> MunicipalityCode {
    MunicipalityCode::new(c).unwrap()
}

/// Autumn 2026 and 2025: the demo's two periods (weeks 43–45).
fn autumn(year: i32) -> Dates {
    let (from, to) = if year == 2026 {
        ((2026, 10, 19), (2026, 11, 8))
    } else {
        ((2025, 10, 20), (2025, 11, 9))
    };
    Dates {
        from: NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap(),
        to: NaiveDate::from_ymd_opt(to.0, to.1, to.2).unwrap(),
    }
}

async fn rows_of(store: &dyn Store, municipality: u16, dates: Dates) -> Vec<RegistrationRow> {
    let query = Aggregate {
        municipalities: vec![code(municipality)],
        from: Some(dates.from),
        to: Some(dates.to),
        test: TestRows::Exclude,
        ..Aggregate::default()
    };
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .select_registrations(&query, after, 997)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        all.extend(page);
    }
    all
}

async fn demo_store() -> TestStore {
    let db = TestStore::new().await;
    demo::load(
        db.store.as_ref(),
        &DemoOptions { size: 20_000 },
        &mut |_, _| {},
    )
    .await
    .unwrap();
    db
}

#[tokio::test]
async fn report_figures_are_sums_over_the_registrations_that_count() {
    let db = demo_store().await;
    let store = db.store.as_ref();
    let now = autumn(2026);
    let rows = rows_of(store, 101, now).await;
    assert!(rows.len() > 500, "København has data: {}", rows.len());
    assert!(rows.iter().all(|r| !r.is_test));
    let total: i64 = rows.iter().map(|r| r.quantity).sum();

    // By channel: each row the sum of its channel's quantities.
    let request = ReportRequest::new(vec![code(101)], now).by(&[Dimension::Channel]);
    let by_channel = reports::run(store, &request).await.unwrap();
    assert_eq!(by_channel.total.inquiries, total);
    assert_eq!(by_channel.total.rows, rows.len() as i64);
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        *expected.entry(r.channel.as_str().to_owned()).or_default() += r.quantity;
    }
    let got: BTreeMap<String, i64> = by_channel
        .rows
        .iter()
        .map(|r| (r.keys[0].code.clone(), r.inquiries))
        .collect();
    assert_eq!(got, expected);
    let shares: f64 = by_channel.rows.iter().map(|r| r.share).sum();
    assert!((shares - 1.0).abs() < 1e-9, "shares add up to 1: {shares}");

    // Direction folds channels; each direction's channels share 100 % of it.
    let request = ReportRequest {
        share_of: ShareOf::FirstDimension,
        ..ReportRequest::new(vec![code(101)], now).by(&[Dimension::Direction, Dimension::Channel])
    };
    let nested = reports::run(store, &request).await.unwrap();
    for direction in [Direction::Incoming.code(), Direction::Outgoing.code()] {
        let of: Vec<_> = nested
            .rows
            .iter()
            .filter(|r| r.keys[0].code == direction)
            .collect();
        assert!(!of.is_empty(), "{direction} has channels");
        let sum: f64 = of.iter().map(|r| r.share).sum();
        assert!((sum - 1.0).abs() < 1e-9, "{direction}: {sum}");
    }
    let incoming: i64 = nested
        .rows
        .iter()
        .filter(|r| r.keys[0].code == Direction::Incoming.code())
        .map(|r| r.inquiries)
        .sum();
    let channels = store.list_channels().await.unwrap();
    let expected_incoming: i64 = rows
        .iter()
        .filter(|r| {
            channels
                .iter()
                .any(|c| c.code == r.channel && c.direction == Direction::Incoming)
        })
        .map(|r| r.quantity)
        .sum();
    assert_eq!(incoming, expected_incoming);

    // Read from the registrations (hour) the same totals come out as from the cube.
    let by_hour = reports::run(
        store,
        &ReportRequest::new(vec![code(101)], now).by(&[Dimension::Hour]),
    )
    .await
    .unwrap();
    assert_eq!(by_hour.total.inquiries, total);

    // Most inquiries first when asked.
    let ranked = reports::run(
        store,
        &ReportRequest {
            order: Order::Inquiries,
            ..ReportRequest::new(vec![code(101)], now).by(&[Dimension::Task])
        },
    )
    .await
    .unwrap();
    assert!(ranked
        .rows
        .windows(2)
        .all(|w| w[0].inquiries >= w[1].inquiries));
    assert_eq!(ranked.total.inquiries, total);
}

#[tokio::test]
async fn comparisons_medians_and_scopes() {
    let db = demo_store().await;
    let store = db.store.as_ref();
    let now = autumn(2026);
    let then = autumn(2025);
    assert_eq!(now.a_year_before(), then, "the same weeks a year before");

    let request = ReportRequest::new(vec![code(101)], now)
        .by(&[Dimension::Channel])
        .compared_with(Some(then));
    let report = reports::run(store, &request).await.unwrap();
    let before: i64 = rows_of(store, 101, then)
        .await
        .iter()
        .map(|r| r.quantity)
        .sum();
    let comparison = report.total.comparison.unwrap();
    assert_eq!(comparison.inquiries, before);
    assert_eq!(comparison.change, report.total.inquiries - before);
    for row in &report.rows {
        let c = row.comparison.unwrap();
        assert_eq!(c.change, row.inquiries - c.inquiries);
        assert!((c.share_change_pp - (row.share - c.share) * 100.0).abs() < 1e-9);
    }
    // The demo moves inquiries from the phone to digital channels.
    let phone = report
        .rows
        .iter()
        .find(|r| r.keys[0].code == "TLFIND")
        .unwrap();
    assert!(phone.comparison.unwrap().share_change_pp < 0.0);
    assert_eq!(report.empty_comparison, None);

    // A comparison period with nothing registered is no baseline: the
    // report leaves the comparison out and names the empty period,
    // rather than showing every row "grown" by all it has.
    let nothing_then = Dates {
        from: NaiveDate::from_ymd_opt(2019, 10, 21).unwrap(),
        to: NaiveDate::from_ymd_opt(2019, 11, 10).unwrap(),
    };
    let request = ReportRequest::new(vec![code(101)], now)
        .by(&[Dimension::Channel])
        .compared_with(Some(nothing_then));
    let report = reports::run(store, &request).await.unwrap();
    assert!(!report.rows.is_empty());
    assert_eq!(report.empty_comparison, Some(nothing_then));
    assert_eq!(report.request.comparison, None);
    assert!(report.total.comparison.is_none());
    assert!(report.rows.iter().all(|r| r.comparison.is_none()));

    // Median and mean durations per unit, against the rows themselves.
    let rows = rows_of(store, 101, now).await;
    let request = ReportRequest {
        median: true,
        ..ReportRequest::new(vec![code(101)], now).by(&[Dimension::Unit])
    };
    let report = reports::run(store, &request).await.unwrap();
    let unit_row = report
        .rows
        .iter()
        .find(|r| r.keys[0].code != "ingen")
        .unwrap();
    let unit = store
        .list_units(code(101))
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.login == unit_row.keys[0].code)
        .unwrap();
    let mut seconds: Vec<i64> = rows
        .iter()
        .filter(|r| r.unit == Some(unit.id))
        .filter_map(|r| r.duration_ms.map(|d| d / 1000))
        .collect();
    seconds.sort_unstable();
    assert!(!seconds.is_empty());
    let median = seconds[(seconds.len() - 1) / 2];
    assert_eq!(unit_row.median_duration_s, Some(median as f64));
    let mean_ms: f64 = rows
        .iter()
        .filter(|r| r.unit == Some(unit.id))
        .filter_map(|r| r.duration_ms)
        .map(|d| d as f64)
        .sum::<f64>()
        / seconds.len() as f64;
    assert!((unit_row.mean_duration_s.unwrap() - mean_ms / 1000.0).abs() < 1e-6);
    assert!(report.total.median_duration_s.is_some());

    // A unit lead's scope: only their unit, whatever the request names.
    let scope = Scope {
        municipalities: vec![code(101)],
        units: Some(vec![unit.id]),
    };
    let scoped = reports::run(
        store,
        &ReportRequest::new(vec![], now)
            .by(&[Dimension::Unit])
            .within(&scope),
    )
    .await
    .unwrap();
    assert_eq!(scoped.rows.len(), 1);
    assert_eq!(scoped.rows[0].keys[0].code, unit.login);
    assert_eq!(scoped.total.inquiries, unit_row.inquiries);

    // Another municipality asked for within København's scope: nothing.
    let outside = reports::run(
        store,
        &ReportRequest::new(vec![code(259)], now).within(&Scope {
            municipalities: vec![code(101)],
            units: None,
        }),
    )
    .await
    .unwrap();
    assert_eq!(outside.total.inquiries, 0);

    // National: every municipality, the sum of each.
    let national = reports::run(
        store,
        &ReportRequest::new(vec![], now).by(&[Dimension::Municipality]),
    )
    .await
    .unwrap();
    assert_eq!(national.rows.len(), 98);
    let kbh = national
        .rows
        .iter()
        .find(|r| r.keys[0].code == "101")
        .unwrap();
    assert_eq!(kbh.inquiries, rows.iter().map(|r| r.quantity).sum::<i64>());
    assert_eq!(kbh.keys[0].label, "København");
}

#[tokio::test]
async fn findings_name_their_counts_and_never_rest_on_a_handful() {
    use komhen_core::reports::findings::{self, Topic, MIN_INQUIRIES};
    use komhen_core::reports::tabular::thousands;
    let db = demo_store().await;
    let store = db.store.as_ref();
    let now = autumn(2026);
    let request = ReportRequest::new(vec![code(101)], now).compared_with(Some(now.a_year_before()));
    let total = reports::run(store, &request).await.unwrap().total;
    let found = findings::period_findings(store, &request).await.unwrap();
    assert_eq!(found[0].topic, Topic::Total);
    assert!(
        found[0].text.contains(&thousands(total.inquiries)),
        "{}",
        found[0].text
    );
    assert!(found.len() > 1, "København has findings: {found:?}");

    // Personal attendance in Læsø is a handful: only the volume, and why
    // nothing more.
    let mut small =
        ReportRequest::new(vec![code(825)], now).compared_with(Some(now.a_year_before()));
    small.filters.channels = vec![komhen_domain::ChannelCode::parse("PRSNLG").unwrap()];
    let small_total = reports::run(store, &small).await.unwrap().total.inquiries;
    assert!(
        small_total < MIN_INQUIRIES,
        "a handful in the demo: {small_total}"
    );
    let found = findings::period_findings(store, &small).await.unwrap();
    assert!(found.iter().all(|f| f.topic == Topic::Total), "{found:?}");
    assert!(found.iter().any(|f| f.text.contains("for få")), "{found:?}");
}

/// A table download's numbers are what the page shows: decimals rounded
/// to the column's decimals (and formatted so), and no code column where
/// the codes are only the links' (direction's `in`/`out`).
#[tokio::test]
async fn a_table_download_holds_numbers_as_the_page_shows_them() {
    use calamine::{Data, Reader};
    let db = demo_store().await;
    let store = db.store.as_ref();
    let request = ReportRequest {
        median: true,
        ..ReportRequest::new(vec![code(101)], autumn(2026))
            .by(&[Dimension::Direction, Dimension::Channel])
            .compared_with(Some(autumn(2025)))
    };
    let report = reports::run(store, &request).await.unwrap();
    let table = reports::tabular::report_table(&report);
    assert!(
        !table.header.iter().any(|h| h == "Retning (kode)"),
        "{:?}",
        table.header
    );
    assert!(table.header.iter().any(|h| h == "Kanal (kode)"));
    let bytes = table.xlsx("Tabel").unwrap();
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Tabel").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let decimals_of = |h: &str| match h {
        "Ændring (%)"
        | "Ændring i andel (procentpoint)"
        | "Gennemsnitlig registreringstid (sek.)" => Some(1),
        "Median registreringstid (sek.)" => Some(0),
        _ => None,
    };
    let mut checked = 0;
    for row in sheet.rows().skip(1) {
        for (cell, h) in row.iter().zip(&header) {
            let (Some(d), Data::Float(x)) = (decimals_of(h), cell) else {
                continue;
            };
            let scale = 10f64.powi(d);
            assert_eq!(*x, (x * scale).round() / scale, "{h}: {x}");
            checked += 1;
        }
    }
    assert!(checked > 10, "{checked} decimals checked");
}
