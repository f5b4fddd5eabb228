//! The demo data: realistic, deterministic, loaded once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_backend::testing::TestStore;
use komhen_core::demo::{self, DemoOptions};
use komhen_domain::hotline::HotlineOutcome;
use komhen_domain::{CountingPeriod, MunicipalityCode, Season, Source};
use komhen_store::{HotlineRegistrationFilter, RegistrationFilter};

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

    // The hotline's registered calls of the last weeks count in the
    // callers' municipalities; those outside the counting periods count in
    // no period.
    let all_calls = store
        .list_hotline_registrations(&HotlineRegistrationFilter {
            hotline: None,
            unit: None,
            from: chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            to: chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap(),
            include_test: true,
            limit: None,
        })
        .await
        .unwrap();
    let in_a_period = |day: chrono::NaiveDate| {
        demo::YEARS.iter().any(|year| {
            let p = CountingPeriod::national(*year, Season::Autumn).unwrap();
            (p.starts_on..=p.ends_on).contains(&day)
        })
    };
    let outside: i64 = all_calls
        .iter()
        .filter(|h| !in_a_period(h.registration.day))
        .map(|h| h.registration.quantity)
        .sum();
    let periods = store.count_by_period().await.unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!(
        periods.iter().map(|p| p.inquiries).sum::<i64>(),
        counts.iter().map(|c| c.inquiries).sum::<i64>() - outside
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

    // Aarhus' hotline unit registered the answered calls of the last weeks:
    // each once, in the caller's municipality (source hotline, no unit),
    // spread over many members, most solved at once.
    let unit = store
        .find_unit_by_login(demo::HOTLINE_UNIT_LOGIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unit.municipality.get(), 751);
    assert_eq!(
        store.hotline_of_unit(unit.id).await.unwrap(),
        Some(line.id())
    );
    assert!(
        (1_000..6_000).contains(&all_calls.len()),
        "{} registered calls",
        all_calls.len()
    );
    assert!(all_calls.iter().all(|h| h.link.hotline == line.id()
        && h.link.unit == unit.id
        && h.registration.source == Source::Hotline
        && h.registration.unit.is_none()
        && !h.registration.is_test
        && line
            .members
            .iter()
            .any(|m| m.member.municipality == h.registration.municipality)));
    let mut callers: Vec<u16> = all_calls
        .iter()
        .map(|h| h.registration.municipality.get())
        .collect();
    callers.sort_unstable();
    callers.dedup();
    assert!(callers.len() >= 10, "callers from {callers:?}");
    let solved = all_calls
        .iter()
        .filter(|h| h.link.outcome == HotlineOutcome::SolvedAtOnce)
        .count() as f64
        / all_calls.len() as f64;
    assert!((0.7..0.8).contains(&solved), "solved at once {solved}");
    // Counted in the caller's own figures: Horsens has hotline rows, no unit.
    let horsens = store
        .list_registrations(MunicipalityCode::new(615).unwrap(), &all)
        .await
        .unwrap();
    let horsens_calls: Vec<_> = horsens
        .iter()
        .filter(|r| r.source == Source::Hotline)
        .collect();
    assert!(!horsens_calls.is_empty());
    assert!(horsens_calls.iter().all(|r| r.unit.is_none()));
    assert!(first
        .sample_logins
        .iter()
        .any(|l| l.starts_with(demo::HOTLINE_UNIT_LOGIN)));

    // Loading again keeps what is there.
    let again = demo::load(store, &options, &mut |_, _| {}).await.unwrap();
    assert!(!again.generated);
    assert_eq!(again.rows, first.rows);
    assert_eq!(store.count_by_municipality().await.unwrap(), counts);
    assert_eq!(store.list_hotlines().await.unwrap().len(), 1);
}
