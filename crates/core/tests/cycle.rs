//! The yearly cycle on the test backend (SQLite, or PostgreSQL with
//! `KOMHEN_TEST_DATABASE_URL`): a municipality is late exactly when the last
//! of its data was stored after the deadline, missing when nothing came by
//! it, not yet before it; totals have a deadline of their own; test
//! registrations never count; deadlines are checked and audited.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::cycle::{self, Cycle, DataKind, Status};
use komhen_core::intake::totals::{self, TotalInput};
use komhen_core::setup::catalogue::{self, PeriodInput};
use komhen_domain::Source;
use komhen_store::{DeadlineKind, Store};
use komhen_store_conformance::SetupShortcuts;

mod common;
use common::code;

/// A national period of three weeks ending `ends_on` (deadline two weeks
/// after).
async fn period(store: &dyn Store, name: &str, ends_on: NaiveDate) -> Cycle {
    let id = catalogue::create_period(
        store,
        &Actor::command_line(),
        &PeriodInput {
            name: name.into(),
            starts_on: ends_on - Duration::days(20),
            ends_on,
            mandatory: false,
            submission_deadline: None,
            task_package: None,
        },
    )
    .await
    .unwrap();
    cycle::load(store, id).await.unwrap()
}

async fn register(store: &dyn Store, municipality: u16, on: NaiveDate, source: Source, test: bool) {
    common::register(store, municipality, "TLFIND", on, 3, source, test).await;
}

fn status_of(s: &[cycle::Submission], municipality: u16, kind: DataKind) -> Status {
    s.iter()
        .find(|x| x.municipality == code(municipality))
        .and_then(|x| x.kind(kind))
        .unwrap()
        .status
}

#[test]
fn late_is_a_danish_day_after_the_deadline() {
    let due = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    let at =
        |y, m, d, h, min| -> DateTime<Utc> { Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() };
    // 22 November 22:59 UTC is 23:59 in Copenhagen: on time.
    assert_eq!(
        cycle::status(Some(at(2026, 11, 22, 22, 59)), Some(due), today),
        Status::Submitted
    );
    // 23:00 UTC is already 23 November in Copenhagen: late.
    assert_eq!(
        cycle::status(Some(at(2026, 11, 22, 23, 0)), Some(due), today),
        Status::Late
    );
    assert_eq!(cycle::status(None, Some(due), today), Status::Missing);
    assert_eq!(
        cycle::status(None, Some(due), due),
        Status::NotYet,
        "the deadline day itself"
    );
    assert_eq!(
        cycle::status(None, None, today),
        Status::NotYet,
        "no deadline set"
    );
    assert_eq!(
        cycle::status(Some(at(2027, 1, 1, 0, 0)), None, today),
        Status::Submitted
    );
}

#[tokio::test]
async fn the_overview_marks_late_exactly_when_the_last_data_came_after_the_deadline() {
    let db = TestStore::new().await;
    komhen_core::reference::migrate_and_load(db.store.as_ref())
        .await
        .unwrap();
    let store = db.store.as_ref();
    let now = Utc::now();
    let today = komhen_domain::DateDimensions::of(now).day;
    // A period whose deadline has passed, and one whose deadline is ahead.
    let past = period(store, "Forår (forbi)", today - Duration::days(30)).await;
    let open = period(store, "Nu", today - Duration::days(1)).await;
    let in_past = past.period.period.starts_on + Duration::days(2);
    let in_open = open.period.period.starts_on + Duration::days(2);

    // Køge registered and uploaded for both periods today: late for the
    // past one, on time for the open one. København only registered test
    // rows (they never count) and uploaded nothing.
    for day in [in_past, in_open] {
        register(store, 259, day, Source::Tool, false).await;
        register(store, 259, day, Source::Upload, false).await;
        register(store, 101, day, Source::Tool, true).await;
    }
    let s = cycle::submissions(store, &past, None, now).await.unwrap();
    assert_eq!(status_of(&s, 259, DataKind::Registrations), Status::Late);
    assert_eq!(status_of(&s, 259, DataKind::Extracts), Status::Late);
    assert_eq!(status_of(&s, 101, DataKind::Registrations), Status::Missing);
    assert_eq!(status_of(&s, 101, DataKind::Extracts), Status::Missing);
    let koege = s.iter().find(|x| x.municipality == code(259)).unwrap();
    assert_eq!(koege.kind(DataKind::Registrations).unwrap().count, 3);
    assert_eq!(koege.kind(DataKind::Extracts).unwrap().count, 3);

    let s = cycle::submissions(store, &open, None, now).await.unwrap();
    assert_eq!(
        status_of(&s, 259, DataKind::Registrations),
        Status::Submitted
    );
    assert_eq!(status_of(&s, 101, DataKind::Registrations), Status::NotYet);
    assert_eq!(s.len(), store.list_municipalities().await.unwrap().len());

    // Totals: no deadline until the national administrator sets one.
    assert_eq!(status_of(&s, 259, DataKind::Totals), Status::NotYet);
    let day = |d: NaiveDate| d.format("%d-%m-%Y").to_string();
    totals::enter(
        store,
        &Actor::command_line(),
        code(259),
        &TotalInput {
            channel: "TLFIND".into(),
            from: day(open.period.period.starts_on),
            to: day(open.period.period.ends_on),
            count: "400".into(),
        },
    )
    .await
    .unwrap();
    let refused = cycle::set_deadline(
        store,
        &Actor::command_line(),
        &open,
        DeadlineKind::Totals,
        Some(open.period.period.ends_on),
    )
    .await;
    assert!(
        refused.is_err(),
        "a deadline lies after the last counting day"
    );
    cycle::set_deadline(
        store,
        &Actor::command_line(),
        &open,
        DeadlineKind::Totals,
        Some(open.period.period.ends_on + Duration::days(1)),
    )
    .await
    .unwrap();
    let open = cycle::load(store, open.period.id).await.unwrap();
    assert_eq!(
        open.due_on(DataKind::Totals),
        Some(open.period.period.ends_on + Duration::days(1))
    );
    let s = cycle::submissions(store, &open, Some(code(259)), now)
        .await
        .unwrap();
    assert_eq!(s.len(), 1);
    // Entered today, and the deadline was the last counting day + 1 (today).
    assert_eq!(status_of(&s, 259, DataKind::Totals), Status::Submitted);
    assert_eq!(s[0].kind(DataKind::Totals).unwrap().count, 1);
    let audit = store.list_audit(None, 20).await.unwrap();
    assert!(audit.iter().any(|a| a.entry.entity == "period_deadline"));
}

#[tokio::test]
async fn units_that_registered_nothing_on_a_weekday_so_far_are_named() {
    use chrono::Datelike;
    use komhen_store::NewUnit;
    let db = TestStore::new().await;
    komhen_core::reference::migrate_and_load(db.store.as_ref())
        .await
        .unwrap();
    let store = db.store.as_ref();
    // A fixed past period: Monday 2 to Sunday 22 March 2026.
    let ends = NaiveDate::from_ymd_opt(2026, 3, 22).unwrap();
    let p = period(store, "Marts", ends).await;
    let unit = |login: &'static str| async move {
        store
            .create_unit(&NewUnit {
                municipality: code(259),
                department: None,
                name: format!("Enhed {login}"),
                login: login.into(),
                password_hash: None,
            })
            .await
            .unwrap()
    };
    let busy = unit("259travl").await;
    let quiet = unit("259stille").await;
    let weekdays: Vec<NaiveDate> = (0..21)
        .map(|i| p.period.period.starts_on + Duration::days(i))
        .filter(|d| d.weekday().num_days_from_monday() < 5)
        .collect();
    assert_eq!(weekdays.len(), 15);
    let task = store.list_national_tasks().await.unwrap()[0].id;
    // The busy unit registered every weekday but Wednesday 11 March (a
    // test registration on Thursday 12 still shows it was there).
    for (i, d) in weekdays.iter().enumerate() {
        if *d == NaiveDate::from_ymd_opt(2026, 3, 11).unwrap() {
            continue;
        }
        store
            .insert_registration(&komhen_domain::NewRegistration {
                municipality: code(259),
                unit: Some(busy),
                task,
                channel: komhen_domain::ChannelCode::parse("TLFIND").unwrap(),
                inquiry_type: Some(komhen_domain::InquiryType::Guidance),
                completion: Some(komhen_domain::Completion::AtOnce),
                has_form: None,
                registered_at: komhen_domain::danish_instant(*d, 9, 0).unwrap(),
                duration_ms: None,
                quantity: 1,
                source: Source::Tool,
                is_test: i == 8,
                idempotency_key: None,
                answers: Vec::new(),
            })
            .await
            .unwrap();
    }
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    let silent = cycle::silent_units(store, code(259), &p, today)
        .await
        .unwrap();
    let of = |id| silent.iter().find(|s| s.unit == id).map(|s| s.days.clone());
    assert_eq!(of(quiet).unwrap().len(), 15, "nothing on any weekday");
    assert_eq!(
        of(busy).unwrap(),
        vec![NaiveDate::from_ymd_opt(2026, 3, 11).unwrap()]
    );
    assert_eq!(silent[0].unit, quiet, "the quietest first");
    // During the period only the days up to yesterday count.
    let on_tuesday = cycle::silent_units(
        store,
        code(259),
        &p,
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        on_tuesday
            .iter()
            .find(|s| s.unit == quiet)
            .unwrap()
            .days
            .len(),
        1
    );
    assert!(on_tuesday.iter().all(|s| s.unit != busy));
}
