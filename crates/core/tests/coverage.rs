//! Coverage ("dækningsgrad"): registered ÷ the total a municipality's own
//! systems counted, per channel, for a hand-made case on the test backend
//! (SQLite, or PostgreSQL with `KOMHEN_TEST_DATABASE_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::NaiveDate;
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::intake::totals::{self, TotalInput};
use komhen_core::reports::coverage::{coverage, coverage_table};
use komhen_domain::Source;
use komhen_store::Store;

mod common;
use common::code;

/// `quantity` inquiries on the channel on the day.
async fn registered(
    store: &dyn Store,
    municipality: u16,
    channel: &str,
    on: NaiveDate,
    quantity: i64,
    is_test: bool,
) {
    common::register(
        store,
        municipality,
        channel,
        on,
        quantity,
        Source::Upload,
        is_test,
    )
    .await;
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn total(store: &dyn Store, municipality: u16, channel: &str, from: &str, to: &str, n: i64) {
    totals::enter(
        store,
        &Actor::command_line(),
        code(municipality),
        &TotalInput {
            channel: channel.into(),
            from: from.into(),
            to: to.into(),
            count: n.to_string(),
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn coverage_is_registered_over_the_systems_total_on_the_same_days() {
    let db = TestStore::new().await;
    komhen_core::reference::migrate_and_load(db.store.as_ref())
        .await
        .unwrap();
    let store = db.store.as_ref();
    // Køge's phone system counted 200 calls in the week of 2 March, its
    // queue system 10 visits on 2 March; its mail server's count runs from
    // February into the period, so it is left out.
    total(store, 259, "TLFIND", "2026-03-02", "2026-03-06", 200).await;
    total(store, 259, "PRSNLG", "2026-03-02", "2026-03-02", 10).await;
    total(store, 259, "EMLIND", "2026-02-23", "2026-03-03", 80).await;
    // Registered: 30 + 20 calls in the week, 99 the week after (no total
    // then), 50 test calls (never counted), 12 visits (more than the queue
    // system saw), and København's calls (not Køge's).
    registered(store, 259, "TLFIND", day(2026, 3, 2), 30, false).await;
    registered(store, 259, "TLFIND", day(2026, 3, 5), 20, false).await;
    registered(store, 259, "TLFIND", day(2026, 3, 9), 99, false).await;
    registered(store, 259, "TLFIND", day(2026, 3, 3), 50, true).await;
    registered(store, 259, "PRSNLG", day(2026, 3, 2), 12, false).await;
    registered(store, 259, "EMLIND", day(2026, 3, 2), 7, false).await;
    registered(store, 101, "TLFIND", day(2026, 3, 2), 1000, false).await;

    let c = coverage(store, code(259), day(2026, 3, 1), day(2026, 3, 31))
        .await
        .unwrap();
    let mut found: Vec<(&str, usize, i64, i64, i64)> = c
        .channels
        .iter()
        .map(|c| (c.channel.as_str(), c.totals, c.days, c.registered, c.total))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [("PRSNLG", 1, 1, 12, 10), ("TLFIND", 1, 5, 50, 200)],
        "per channel: totals, days, registered on those days, the systems' total"
    );
    let share = |ch: &str| {
        c.channels
            .iter()
            .find(|x| x.channel.as_str() == ch)
            .and_then(|x| x.share())
            .unwrap()
    };
    assert!((share("TLFIND") - 0.25).abs() < 1e-12);
    assert!(
        (share("PRSNLG") - 1.2).abs() < 1e-12,
        "more registered than counted is shown"
    );
    assert!((c.share().unwrap() - 62.0 / 210.0).abs() < 1e-12);
    assert_eq!(
        c.partly_outside, 1,
        "the mail count that begins in February"
    );

    let table = coverage_table(&c);
    let total_row = table.rows.last().unwrap();
    assert_eq!(total_row[0].display_da(), "I alt");
    assert_eq!(total_row[3].display_da(), "62");
    assert_eq!(total_row[4].display_da(), "210");

    // A period that holds no whole total: nothing to compare.
    let none = coverage(store, code(259), day(2026, 3, 3), day(2026, 3, 31))
        .await
        .unwrap();
    assert_eq!(none.channels.len(), 0);
    assert_eq!(
        none.partly_outside, 2,
        "the phone week and the mail count; the queue day lies outside"
    );
    // Another municipality's totals are not Køge's.
    assert!(
        coverage(store, code(101), day(2026, 3, 1), day(2026, 3, 31))
            .await
            .unwrap()
            .channels
            .is_empty()
    );
}

#[tokio::test]
async fn the_annual_estimate_uses_the_whole_weeks_counted() {
    let db = TestStore::new().await;
    komhen_core::reference::migrate_and_load(db.store.as_ref())
        .await
        .unwrap();
    let store = db.store.as_ref();
    // Weeks 43, 44 and 45 of 2026 with 100, 120 and 110 inquiries; the
    // Wednesday before (outside a whole week), test rows and another
    // municipality do not count.
    registered(store, 259, "TLFIND", day(2026, 10, 20), 60, false).await;
    registered(store, 259, "PRSNLG", day(2026, 10, 25), 40, false).await;
    registered(store, 259, "TLFIND", day(2026, 10, 28), 120, false).await;
    registered(store, 259, "TLFIND", day(2026, 11, 2), 110, false).await;
    registered(store, 259, "TLFIND", day(2026, 10, 14), 999, false).await;
    registered(store, 259, "TLFIND", day(2026, 11, 3), 500, true).await;
    registered(store, 101, "TLFIND", day(2026, 11, 3), 700, false).await;
    let e = komhen_core::reports::annual::annual_estimate(
        store,
        code(259),
        day(2026, 10, 14),
        day(2026, 11, 8),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        e.weeks,
        vec![(2026, 43, 100), (2026, 44, 120), (2026, 45, 110)]
    );
    assert!((e.estimate - 5_720.0).abs() < 1e-9);
    assert!(e.low < e.estimate && e.estimate < e.high);
}

#[tokio::test]
async fn the_portal_publishes_coverage_per_municipality_and_keeps_it() {
    use komhen_core::portal::{self, Metric};
    use komhen_core::setup::catalogue::{self, PeriodInput};
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    komhen_core::reference::migrate_and_load(store)
        .await
        .unwrap();
    let id = catalogue::create_period(
        store,
        &Actor::command_line(),
        &PeriodInput {
            name: "Forår 2026".into(),
            starts_on: day(2026, 3, 2),
            ends_on: day(2026, 3, 22),
            mandatory: false,
            submission_deadline: None,
            task_package: None,
        },
    )
    .await
    .unwrap();
    // Køge: 150 of the 200 calls its phone system counted on 3 March, and
    // 30 of 40 front-desk visits on 4–5 March; Roskilde entered no totals.
    registered(store, 259, "TLFIND", day(2026, 3, 3), 150, false).await;
    registered(store, 259, "PRSNLG", day(2026, 3, 4), 30, false).await;
    registered(store, 265, "TLFIND", day(2026, 3, 3), 80, false).await;
    total(store, 259, "TLFIND", "03-03-2026", "03-03-2026", 200).await;
    total(store, 259, "PRSNLG", "04-03-2026", "05-03-2026", 40).await;
    registered(store, 461, "TLFIND", day(2026, 3, 3), 160, false).await;
    total(store, 461, "TLFIND", "03-03-2026", "03-03-2026", 100).await;
    catalogue::set_published(store, &Actor::command_line(), id, true, chrono::Utc::now())
        .await
        .unwrap();

    let figures_of = || async {
        let period = portal::published_period(store, id.0).await.unwrap();
        portal::period_figures(store, &period).await.unwrap()
    };
    let figures = figures_of().await;
    let koege = figures.of(code(259)).unwrap().figure(Metric::Coverage);
    assert_eq!((koege.numerator, koege.denominator), (180, 240));
    assert_eq!(koege.value, Some(0.75));
    let roskilde = figures.of(code(265)).unwrap();
    assert_eq!(roskilde.figure(Metric::Coverage).value, None);
    assert_eq!(
        figures
            .not_ranked_because(roskilde, Metric::Coverage)
            .as_deref(),
        Some("Ingen totaltal fra egne systemer for perioden")
    );
    assert_eq!(Metric::Coverage.format(0.75), "75,0 %");
    // Odense registered more than its system counted: shown, not ranked.
    let odense = figures.of(code(461)).unwrap();
    assert_eq!(odense.figure(Metric::Coverage).value, Some(1.6));
    assert!(figures
        .not_ranked_because(odense, Metric::Coverage)
        .is_some_and(|why| why.starts_with("Over 100 %")));

    // A total entered after publication does not move the published figure.
    total(store, 259, "TLFIND", "10-03-2026", "10-03-2026", 500).await;
    let again = figures_of().await;
    assert_eq!(
        again.of(code(259)).unwrap().figure(Metric::Coverage).value,
        Some(0.75)
    );
}
