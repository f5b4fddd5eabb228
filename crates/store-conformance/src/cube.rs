//! Checks of the cube and aggregates: `registration_cube` equals the
//! registrations that count after every kind of write, and aggregates filter,
//! group and stay in their municipalities.

use chrono::NaiveDate;
use komhen_domain::*;
use komhen_store::*;

use crate::fixtures::*;

/// Every column a registration is grouped by.
const EVERY_COLUMN: [Column; 11] = [
    Column::Municipality,
    Column::Day,
    Column::Week,
    Column::Unit,
    Column::Task,
    Column::Channel,
    Column::InquiryType,
    Column::Completion,
    Column::Form,
    Column::Source,
    Column::Test,
];

/// Every registration that counts, grouped by every column, from the cube
/// and from the registrations, and by channel from the channel cube and
/// from the registrations: they must be the same.
pub(crate) async fn assert_cube_matches(store: &dyn Store, after: &str) {
    let by_all = |table| Aggregate {
        group_by: EVERY_COLUMN.to_vec(),
        test: TestRows::Include,
        table,
        ..Aggregate::default()
    };
    let sorted = |mut rows: Vec<AggregateRow>| {
        rows.sort_by(|a, b| a.keys.cmp(&b.keys));
        rows
    };
    let cube = sorted(store.aggregate(&by_all(Table::Cube)).await.unwrap());
    let raw = sorted(
        store
            .aggregate(&by_all(Table::Registrations))
            .await
            .unwrap(),
    );
    assert_eq!(cube, raw, "cube and registrations differ after {after}");

    // By the channel cube's own columns the store answers from the channel
    // cube: it must be the same too.
    let by_channel = |table| Aggregate {
        group_by: vec![
            Column::Municipality,
            Column::Day,
            Column::Week,
            Column::Channel,
            Column::Test,
        ],
        test: TestRows::Include,
        table,
        ..Aggregate::default()
    };
    let channel_cube = sorted(store.aggregate(&by_channel(Table::Cube)).await.unwrap());
    let raw = sorted(
        store
            .aggregate(&by_channel(Table::Registrations))
            .await
            .unwrap(),
    );
    assert_eq!(
        channel_cube, raw,
        "channel cube and registrations differ after {after}"
    );
    // National, by the week cube's own columns, over all time and over whole
    // ISO weeks: the store answers from the week cube.
    let by_week = |table, from, to| Aggregate {
        from,
        to,
        group_by: vec![
            Column::Week,
            Column::Task,
            Column::Channel,
            Column::InquiryType,
            Column::Completion,
            Column::Form,
            Column::Test,
        ],
        test: TestRows::Include,
        table,
        ..Aggregate::default()
    };
    let monday = NaiveDate::from_ymd_opt(2025, 10, 20);
    let sunday = NaiveDate::from_ymd_opt(2025, 10, 26);
    for (from, to) in [
        (None, None),
        (monday, sunday),
        (monday, None),
        (None, sunday),
    ] {
        let week_cube = sorted(
            store
                .aggregate(&by_week(Table::Cube, from, to))
                .await
                .unwrap(),
        );
        let raw = sorted(
            store
                .aggregate(&by_week(Table::Registrations, from, to))
                .await
                .unwrap(),
        );
        assert_eq!(
            week_cube, raw,
            "week cube and registrations differ after {after} ({from:?}–{to:?})"
        );
    }
}

pub async fn the_cube_always_equals_the_registrations_that_count(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let other = unit_in(store, KOEBENHAVN, "101bs").await;
    let task = national_task(store, "29.03.04").await;
    let pas = national_task(store, "23.09.02").await;
    assert_cube_matches(store, "nothing").await;

    // Typed in the tool: added by the insert trigger.
    let mut ids = Vec::new();
    for (i, channel) in ["TLFIND", "PRSNLG", "TLFIND", "EMLUD"].iter().enumerate() {
        let mut r = registration(KOEGE, Some(unit), task.id, channel);
        r.duration_ms = if i == 2 { None } else { Some(1_000 * i as i64) };
        r.has_form = if *channel == "PRSNLG" {
            Some(true)
        } else {
            None
        };
        r.inquiry_type = if i == 3 { None } else { r.inquiry_type };
        r.is_test = i == 1;
        ids.push(store.insert_registration(&r).await.unwrap().id());
    }
    store
        .insert_registration(&registration(KOEBENHAVN, Some(other), pas.id, "TLFIND"))
        .await
        .unwrap();
    assert_cube_matches(store, "typed registrations").await;

    // Corrected and undone: the update and delete triggers.
    store
        .update_registration(
            code(KOEGE),
            ids[0],
            &RegistrationChange {
                task: pas.id,
                channel: ChannelCode::parse("WEB").unwrap(),
                inquiry_type: Some(InquiryType::NewCase),
                completion: None,
                has_form: None,
            },
        )
        .await
        .unwrap();
    assert_cube_matches(store, "a correction").await;
    store
        .delete_registration(code(KOEGE), ids[2])
        .await
        .unwrap();
    assert_cube_matches(store, "an undo").await;

    // A batch: invisible while loading, counted at commit, replaced, deleted.
    let first = store.create_batch(&batch(Some(KOEGE), "a")).await.unwrap();
    let mut rows: Vec<NewRegistration> = (0..30)
        .map(|i| {
            let mut r = registration(KOEGE, (i % 3 == 0).then_some(unit), task.id, "EMLUD");
            r.quantity = 1 + i % 4;
            r.source = Source::Upload;
            r.is_test = i % 10 == 0;
            r
        })
        .collect();
    store.append_to_batch(first, &rows).await.unwrap();
    assert_cube_matches(store, "a batch still loading").await;
    store.commit_batch(first, &[]).await.unwrap();
    assert_cube_matches(store, "a committed batch").await;
    let second = store.create_batch(&batch(Some(KOEGE), "a")).await.unwrap();
    rows.truncate(12);
    store.append_to_batch(second, &rows).await.unwrap();
    store.commit_batch(second, &[first]).await.unwrap();
    assert_cube_matches(store, "a replaced batch").await;
    store.delete_batch(Some(code(KOEGE)), first).await.unwrap();
    assert_cube_matches(store, "the replaced batch's rows removed").await;

    // Test registrations deleted, typed and from batches alike.
    store
        .apply(
            &SetupChange::DeleteTestRegistrations {
                municipality: code(KOEGE),
            },
            &test_audit(Some(code(KOEGE))),
        )
        .await
        .unwrap();
    assert_cube_matches(store, "deleting test registrations").await;
    store.delete_batch(Some(code(KOEGE)), second).await.unwrap();
    assert_cube_matches(store, "a deleted batch").await;
    let left = store
        .aggregate(&Aggregate {
            test: TestRows::Include,
            ..Aggregate::default()
        })
        .await
        .unwrap();
    assert_eq!(
        left[0].rows, 3,
        "two typed Køge rows and one in København remain"
    );
}

pub async fn aggregates_filter_group_and_stay_in_their_municipalities(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let task = national_task(store, "29.03.04").await;
    for (channel, quantity, test) in [
        ("TLFIND", 2, false),
        ("TLFIND", 3, false),
        ("PRSNLG", 5, true),
    ] {
        let mut r = registration(KOEGE, Some(unit), task.id, channel);
        r.quantity = quantity;
        r.is_test = test;
        store.insert_registration(&r).await.unwrap();
    }
    let mut r = registration(KOEBENHAVN, None, task.id, "TLFIND");
    r.quantity = 7;
    store.insert_registration(&r).await.unwrap();

    for table in [Table::Cube, Table::Registrations] {
        let koege = store
            .aggregate(&Aggregate {
                municipalities: vec![code(KOEGE)],
                group_by: vec![Column::Channel],
                table,
                ..Aggregate::default()
            })
            .await
            .unwrap();
        assert_eq!(koege.len(), 1, "test rows left out: {koege:?}");
        assert_eq!(
            koege[0].keys,
            vec![Key::Channel(ChannelCode::parse("TLFIND").unwrap())]
        );
        assert_eq!(
            (koege[0].inquiries, koege[0].rows),
            (5, 2),
            "sum of quantity"
        );
        assert_eq!(koege[0].duration_sum_ms, 8_400);

        let national = store
            .aggregate(&Aggregate {
                group_by: vec![Column::Municipality],
                table,
                ..Aggregate::default()
            })
            .await
            .unwrap();
        assert_eq!(national.len(), 2);

        let filtered = store
            .aggregate(&Aggregate {
                municipalities: vec![code(KOEBENHAVN)],
                units: vec![None],
                channels: vec![ChannelCode::parse("TLFIND").unwrap()],
                from: NaiveDate::from_ymd_opt(2025, 10, 21),
                to: NaiveDate::from_ymd_opt(2025, 10, 21),
                group_by: vec![Column::Unit, Column::Week],
                table,
                ..Aggregate::default()
            })
            .await
            .unwrap();
        assert_eq!(filtered.len(), 1);
        assert_eq!(filtered[0].keys, vec![Key::Unit(None), Key::Week(2025, 43)]);
        assert_eq!(filtered[0].inquiries, 7, "only København's");

        let only_test = store
            .aggregate(&Aggregate {
                municipalities: vec![code(KOEGE)],
                test: TestRows::Only,
                table,
                ..Aggregate::default()
            })
            .await
            .unwrap();
        assert_eq!(only_test[0].inquiries, 5);
    }
    let hours = store
        .aggregate(&Aggregate {
            municipalities: vec![code(KOEGE)],
            group_by: vec![Column::Hour],
            ..Aggregate::default()
        })
        .await
        .unwrap();
    assert_eq!(
        hours[0].keys,
        vec![Key::Hour(9)],
        "hours come from the registrations"
    );
    assert!(store
        .aggregate(&Aggregate {
            group_by: vec![Column::Hour],
            table: Table::Cube,
            ..Aggregate::default()
        })
        .await
        .is_err());
}
