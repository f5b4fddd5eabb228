//! The demo data: realistic, deterministic, loaded once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_backend::testing::TestStore;
use komhen_core::demo::{self, DemoOptions};
use komhen_domain::{MunicipalityCode, Source};
use komhen_store::RegistrationFilter;

#[tokio::test]
async fn demo_loads_every_municipality_once_and_keeps_test_rows_out_of_counts() {
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    let options = DemoOptions { size: 20_000 };
    let mut last = (0, 0);
    let first = demo::load(store, &options, &mut |done, total| last = (done, total))
        .await
        .unwrap();
    assert!(first.generated);
    assert_eq!(last.1, 20_000);
    assert!(
        first.units >= 98 * 5,
        "every municipality has units: {}",
        first.units
    );
    assert!(
        first.sample_logins.iter().any(|l| l.starts_with("259")),
        "Køge's real logins"
    );

    let counts = store.count_by_municipality().await.unwrap();
    assert_eq!(counts.len(), 98, "all 98 municipalities have data");
    let by = |code: u16| {
        counts
            .iter()
            .find(|c| c.municipality.get() == code)
            .unwrap()
            .inquiries
    };
    assert!(
        by(101) > by(825) * 20,
        "København counts far more than Læsø"
    );

    // Tool rows per the size, plus central rows with a quantity, plus Køge's trial rows.
    let koege = MunicipalityCode::new(259).unwrap();
    let all = RegistrationFilter {
        include_test: true,
        limit: 1_000_000,
        ..RegistrationFilter::default()
    };
    let rows = store.list_registrations(koege, &all).await.unwrap();
    let tests = rows.iter().filter(|r| r.is_test).count();
    assert_eq!(tests, 40);
    let counted: i64 = rows.iter().filter(|r| !r.is_test).map(|r| r.quantity).sum();
    assert_eq!(counted, by(259), "test rows are never counted");
    assert!(rows
        .iter()
        .any(|r| r.source == Source::Central && r.quantity > 1 && r.unit.is_none()));
    let tool: Vec<_> = rows
        .iter()
        .filter(|r| r.source == Source::Tool && !r.is_test)
        .collect();
    assert!(tool
        .iter()
        .all(|r| r.unit.is_some() && r.duration_ms.is_some()));
    assert!(
        tool.iter().all(|r| (8..=15).contains(&r.hour)),
        "working hours, Danish time"
    );
    let per_year = |year| {
        tool.iter()
            .filter(|r| r.iso_year == year && r.iso_week >= 43 && r.iso_week <= 45)
            .count()
    };
    assert_eq!(
        per_year(2025) + per_year(2026),
        tool.len(),
        "every tool row lies in weeks 43-45"
    );

    // The second year shifts from phone and personal attendance toward digital channels.
    let share = |year: i32, codes: &[&str]| {
        let year_rows: Vec<_> = tool.iter().filter(|r| r.iso_year == year).collect();
        year_rows
            .iter()
            .filter(|r| codes.contains(&r.channel.as_str()))
            .count() as f64
            / year_rows.len() as f64
    };
    assert!(share(2026, &["TLFIND", "PRSNLG"]) < share(2025, &["TLFIND", "PRSNLG"]));

    let periods = store.count_by_period().await.unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!(
        periods.iter().map(|p| p.inquiries).sum::<i64>(),
        counts.iter().map(|c| c.inquiries).sum::<i64>()
    );

    // The joint hotline: 19 members of about 1,3 million citizens, a year
    // of calls, 60 opening hours × 2 agents split by population, and one
    // issued statement per member.
    let lines = store.list_hotlines().await.unwrap();
    assert_eq!(lines.len(), 1);
    let line = komhen_core::hotline::admin::load(store, lines[0].id)
        .await
        .unwrap();
    assert_eq!(line.members.len(), 19);
    let today = komhen_domain::danish_local(chrono::Utc::now()).date();
    let (split, _) = komhen_core::hotline::report::staffing_split(store, &line, today)
        .await
        .unwrap();
    assert!((split.weekly_agent_hours - 120.0).abs() < 1e-9);
    assert!((1_200_000..1_450_000).contains(&split.total_population));
    let year = komhen_core::hotline::report::calls(
        store,
        &line,
        today - chrono::Duration::days(365),
        today,
    )
    .await
    .unwrap();
    assert!(year.len() > 20_000, "{} calls", year.len());
    let statements = store.list_statements(line.id(), None).await.unwrap();
    assert_eq!(statements.len(), 19);
    let shifts = komhen_core::hotline::report::roster(
        store,
        &line,
        today - chrono::Duration::days(60),
        today - chrono::Duration::days(30),
    )
    .await
    .unwrap();
    assert!(shifts.iter().all(|s| s.agents == 2));
    assert!(!shifts.is_empty());

    // Loading again keeps what is there.
    let again = demo::load(store, &options, &mut |_, _| {}).await.unwrap();
    assert!(!again.generated);
    assert_eq!(again.rows, first.rows);
    assert_eq!(store.count_by_municipality().await.unwrap(), counts);
    assert_eq!(store.list_hotlines().await.unwrap().len(), 1);
}
