//! Checks of registrations and batches: what a registration stores, who may
//! list, correct and remove it, batches loaded and deleted whole, counts, and
//! a unit's own usage.

use chrono::{NaiveDate, TimeZone, Utc};
use komhen_domain::*;
use komhen_store::*;

use crate::fixtures::*;

pub async fn registrations_store_dimensions_answers_and_idempotency(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let task = national_task(store, "23.09.02").await;
    let gender = store.list_questions(code(KOEGE)).await.unwrap().remove(0);
    let mut r = registration(KOEGE, Some(unit), task.id, "PRSNLG");
    r.has_form = Some(true);
    r.idempotency_key = Some("form-123".into());
    r.answers = vec![NewAnswer {
        question: gender.id,
        option: Some(gender.options[0].id),
        text: None,
    }];
    let first = store.insert_registration(&r).await.unwrap();
    assert!(matches!(first, Inserted::Created(_)));
    let resent = store.insert_registration(&r).await.unwrap();
    assert_eq!(
        resent,
        Inserted::Duplicate(first.id()),
        "a resent form must not store a second row"
    );

    let mut zero = registration(KOEGE, Some(unit), task.id, "PRSNLG");
    zero.quantity = 0;
    assert!(matches!(
        store.insert_registration(&zero).await,
        Err(StoreError::Invalid(_))
    ));
    let unknown_channel = registration(KOEGE, Some(unit), task.id, "FAX");
    assert!(store.insert_registration(&unknown_channel).await.is_err());

    let rows = store
        .list_registrations(code(KOEGE), &RegistrationFilter::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.id, first.id());
    assert_eq!(row.day, NaiveDate::from_ymd_opt(2025, 10, 21).unwrap());
    assert_eq!(
        (row.iso_year, row.iso_week, row.hour),
        (2025, 43, 9),
        "Danish local time"
    );
    assert_eq!(row.registered_at, r.registered_at);
    assert_eq!(row.channel.as_str(), "PRSNLG");
    assert_eq!(row.inquiry_type, Some(InquiryType::Guidance));
    assert_eq!(row.completion, Some(Completion::AtOnce));
    assert_eq!(row.has_form, Some(true));
    assert_eq!(
        (row.duration_ms, row.quantity, row.source),
        (Some(4_200), 1, Source::Tool)
    );
    assert_eq!(
        (row.unit, row.batch, row.is_test),
        (Some(unit), None, false)
    );

    let answers = store.list_answers(code(KOEGE), first.id()).await.unwrap();
    assert_eq!(
        answers,
        vec![AnswerRow {
            question: gender.id,
            option: Some(gender.options[0].id),
            text: None
        }]
    );
    assert!(store
        .list_answers(code(KOEBENHAVN), first.id())
        .await
        .unwrap()
        .is_empty());
    // By id range, as an extract's page reads them; never another municipality's.
    assert_eq!(
        store
            .list_answers_between(code(KOEGE), first.id(), first.id())
            .await
            .unwrap(),
        vec![(first.id(), answers[0].clone())]
    );
    assert!(store
        .list_answers_between(code(KOEBENHAVN), first.id(), first.id())
        .await
        .unwrap()
        .is_empty());

    // The same key in another municipality is another registration.
    let mut other = registration(KOEBENHAVN, None, task.id, "TLFIND");
    other.idempotency_key = Some("form-123".into());
    assert!(matches!(
        store.insert_registration(&other).await.unwrap(),
        Inserted::Created(_)
    ));
}

/// Saves that arrive together (the writer may commit them as one group)
/// are answered each for itself: one that fails fails alone, a key sent
/// twice is stored once, and every other is stored exactly once.
pub async fn registrations_saved_together_are_answered_each_and_stored_once(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let task = national_task(store, "23.09.02").await;
    let gender = store.list_questions(code(KOEGE)).await.unwrap().remove(0);
    let mut saves = Vec::new();
    for i in 0..40 {
        let mut r = registration(KOEGE, Some(unit), task.id, "PRSNLG");
        r.idempotency_key = Some(format!("together-{}", i % 38));
        if i == 5 || i == 20 {
            r.task = TaskId(999_999); // no such task: this save fails
        }
        if i == 7 {
            r.answers = vec![NewAnswer {
                question: gender.id,
                option: Some(gender.options[0].id),
                text: None,
            }];
        }
        saves.push(r);
    }
    let answers =
        futures_util::future::join_all(saves.iter().map(|r| store.insert_registration(r))).await;
    for i in [5, 20] {
        assert!(
            answers[i].is_err(),
            "save {i} names no task: {:?}",
            answers[i]
        );
    }
    // Keys 0 and 1 were sent twice (saves 0/38 and 1/39): one row each.
    for (first, again) in [(0, 38), (1, 39)] {
        let (a, b) = (
            answers[first].as_ref().unwrap(),
            answers[again].as_ref().unwrap(),
        );
        assert_eq!(a.id(), b.id(), "key sent twice: one row");
        assert!(
            matches!((a, b), (Inserted::Created(_), Inserted::Duplicate(_))),
            "{a:?} {b:?}"
        );
    }
    let created: Vec<RegistrationId> = answers
        .iter()
        .filter_map(|a| match a {
            Ok(Inserted::Created(id)) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(created.len(), 36, "38 keys, 2 of them failed");
    let stored = store
        .list_registrations(code(KOEGE), &RegistrationFilter::default())
        .await
        .unwrap();
    let mut stored_ids: Vec<RegistrationId> = stored.iter().map(|r| r.id).collect();
    stored_ids.sort();
    let mut expected = created.clone();
    expected.sort();
    assert_eq!(
        stored_ids, expected,
        "every answered save stored once, no other"
    );
    let with_answer = answers[7].as_ref().unwrap().id();
    assert_eq!(
        store
            .list_answers(code(KOEGE), with_answer)
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn registrations_are_listed_only_for_their_municipality(store: &dyn Store) {
    with_reference(store).await;
    let koege_unit = unit_in(store, KOEGE, "259bs").await;
    let kbh_unit = unit_in(store, KOEBENHAVN, "101bs").await;
    let task = national_task(store, "23.09.02").await;
    store
        .insert_registration(&registration(KOEGE, Some(koege_unit), task.id, "TLFIND"))
        .await
        .unwrap();
    let mut test = registration(KOEGE, Some(koege_unit), task.id, "TLFIND");
    test.is_test = true;
    store.insert_registration(&test).await.unwrap();
    let mut late = registration(KOEGE, None, task.id, "WEB");
    late.registered_at = Utc.with_ymd_and_hms(2025, 11, 3, 12, 0, 0).unwrap();
    store.insert_registration(&late).await.unwrap();
    for _ in 0..3 {
        store
            .insert_registration(&registration(KOEBENHAVN, Some(kbh_unit), task.id, "TLFIND"))
            .await
            .unwrap();
    }

    let all = |include_test| RegistrationFilter {
        include_test,
        ..RegistrationFilter::default()
    };
    let koege = store
        .list_registrations(code(KOEGE), &all(false))
        .await
        .unwrap();
    assert_eq!(
        koege.len(),
        2,
        "test registrations are left out unless asked for"
    );
    assert!(koege.iter().all(|r| r.municipality == code(KOEGE)));
    assert_eq!(koege[0].channel.as_str(), "WEB", "newest first");
    assert_eq!(
        store
            .list_registrations(code(KOEGE), &all(true))
            .await
            .unwrap()
            .len(),
        3
    );
    let kbh = store
        .list_registrations(code(KOEBENHAVN), &all(true))
        .await
        .unwrap();
    assert_eq!(kbh.len(), 3);
    assert!(kbh.iter().all(|r| r.municipality == code(KOEBENHAVN)));
    assert!(store
        .list_registrations(code(AARHUS), &all(true))
        .await
        .unwrap()
        .is_empty());

    let by_unit = RegistrationFilter {
        unit: Some(kbh_unit),
        ..all(true)
    };
    assert!(store
        .list_registrations(code(KOEGE), &by_unit)
        .await
        .unwrap()
        .is_empty());
    let october = RegistrationFilter {
        from: NaiveDate::from_ymd_opt(2025, 10, 1),
        to: NaiveDate::from_ymd_opt(2025, 10, 31),
        ..all(false)
    };
    assert_eq!(
        store
            .list_registrations(code(KOEGE), &october)
            .await
            .unwrap()
            .len(),
        1
    );
    let limited = RegistrationFilter {
        limit: 2,
        ..all(true)
    };
    assert_eq!(
        store
            .list_registrations(code(KOEBENHAVN), &limited)
            .await
            .unwrap()
            .len(),
        2
    );
}

pub async fn batches_load_all_rows_once_and_delete_whole(store: &dyn Store) {
    with_reference(store).await;
    let task = national_task(store, "29.03.04").await;
    let gender = store.list_questions(code(KOEGE)).await.unwrap().remove(0);
    let id = store
        .create_batch(&batch(Some(KOEGE), "abc"))
        .await
        .unwrap();
    let mut rows: Vec<NewRegistration> = (0..2500)
        .map(|_| registration(KOEGE, None, task.id, "TLFIND"))
        .collect();
    rows[7].answers = vec![NewAnswer {
        question: gender.id,
        option: None,
        text: Some("fri tekst".into()),
    }];
    assert_eq!(store.append_to_batch(id, &rows).await.unwrap(), 2500);

    // A chunk with one bad row stores nothing of that chunk.
    let mut bad: Vec<NewRegistration> = (0..10)
        .map(|_| registration(KOEGE, None, task.id, "TLFIND"))
        .collect();
    bad[9].channel = ChannelCode::parse("UKENDT").unwrap();
    assert!(store.append_to_batch(id, &bad).await.is_err());
    let foreign = vec![registration(KOEBENHAVN, None, task.id, "TLFIND")];
    assert!(matches!(
        store.append_to_batch(id, &foreign).await,
        Err(StoreError::Invalid(_))
    ));

    let found = store
        .find_batch(Some(code(KOEGE)), BatchKind::Codebook, "abc", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id, found.status, found.row_count),
        (id, BatchStatus::Loading, 2500)
    );
    let committed = store.commit_batch(id, &[]).await.unwrap();
    assert_eq!(
        (committed.status, committed.row_count),
        (BatchStatus::Committed, 2500)
    );
    assert!(matches!(
        store.append_to_batch(id, &rows[..1]).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.commit_batch(id, &[]).await.is_err());

    assert!(store
        .find_batch(Some(code(KOEBENHAVN)), BatchKind::Codebook, "abc", None)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_batch(None, BatchKind::Codebook, "abc", None)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_batch(Some(code(KOEGE)), BatchKind::Landkort, "abc", None)
        .await
        .unwrap()
        .is_none());
    let central = store.create_batch(&batch(None, "central")).await.unwrap();
    assert_eq!(
        store
            .list_batches(Some(code(KOEGE)))
            .await
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect::<Vec<_>>(),
        vec![id]
    );
    assert_eq!(
        store
            .list_batches(None)
            .await
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect::<Vec<_>>(),
        vec![central]
    );
    assert!(store
        .list_batches(Some(code(KOEBENHAVN)))
        .await
        .unwrap()
        .is_empty());

    let in_batch = RegistrationFilter {
        batch: Some(id),
        limit: 10_000,
        ..RegistrationFilter::default()
    };
    let stored = store
        .list_registrations(code(KOEGE), &in_batch)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2500);
    assert!(stored.iter().all(|r| r.batch == Some(id)));
    // The row with an answer is stored after the plain ones: newest id, listed first.
    let answers = store.list_answers(code(KOEGE), stored[0].id).await.unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].text.as_deref(), Some("fri tekst"));

    assert!(matches!(
        store.delete_batch(Some(code(KOEBENHAVN)), id).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store.delete_batch(Some(code(KOEGE)), id).await.unwrap(),
        2500
    );
    assert!(store
        .list_registrations(code(KOEGE), &in_batch)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.list_batches(Some(code(KOEGE))).await.unwrap()[0].status,
        BatchStatus::Deleted
    );
    assert!(store
        .find_batch(Some(code(KOEGE)), BatchKind::Codebook, "abc", None)
        .await
        .unwrap()
        .is_none());
}

pub async fn registrations_refer_only_to_what_exists(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let task = national_task(store, "23.09.02").await;
    let absent_task = TaskId(9_000_000_001);
    let absent_unit = UnitId(9_000_000_002);

    // Saved alone: a task or a unit that does not exist is refused.
    for r in [
        registration(KOEGE, Some(unit), absent_task, "TLFIND"),
        registration(KOEGE, Some(absent_unit), task.id, "TLFIND"),
    ] {
        assert!(matches!(
            store.insert_registration(&r).await,
            Err(StoreError::NotFound(_))
        ));
    }

    // In a batch: a chunk with one such row stores none of its rows, whatever
    // it refers to.
    let id = store
        .create_batch(&batch(Some(KOEGE), "henvisninger"))
        .await
        .unwrap();
    let good = || registration(KOEGE, Some(unit), task.id, "TLFIND");
    let mut answered = good();
    answered.idempotency_key = Some("svar-1".into());
    for bad in [
        registration(KOEGE, Some(unit), absent_task, "TLFIND"),
        registration(KOEGE, Some(absent_unit), task.id, "TLFIND"),
        registration(KOEGE, Some(unit), task.id, "UKENDT"),
    ] {
        let mut with_key = bad.clone();
        with_key.idempotency_key = Some("svar-2".into());
        for rows in [
            vec![good(), bad.clone(), good()],
            vec![good(), answered.clone(), with_key],
        ] {
            assert!(matches!(
                store.append_to_batch(id, &rows).await,
                Err(StoreError::NotFound(_))
            ));
        }
    }
    let loading = store
        .find_batch(Some(code(KOEGE)), BatchKind::Codebook, "henvisninger", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loading.row_count, 0, "no refused chunk left a row");
    assert_eq!(
        store
            .append_to_batch(id, &[good(), answered, good()])
            .await
            .unwrap(),
        3
    );
    store.commit_batch(id, &[]).await.unwrap();
    assert_eq!(counted(store).await, 3);

    // A correction cannot point a row (a batch's included) elsewhere than at
    // what exists.
    let saved = store
        .list_registrations(code(KOEGE), &RegistrationFilter::default())
        .await
        .unwrap();
    for row in &saved {
        let change = RegistrationChange {
            task: absent_task,
            channel: row.channel.clone(),
            inquiry_type: row.inquiry_type,
            completion: row.completion,
            has_form: row.has_form,
        };
        assert!(matches!(
            store
                .update_registration(code(KOEGE), row.id, &change)
                .await,
            Err(StoreError::NotFound(_))
        ));
    }

    // What a registration refers to stays while it does: the unit made for
    // an import that never commits is kept once a clerk has registered on it.
    let failed = store
        .create_batch(&batch(Some(KOEGE), "aldrig"))
        .await
        .unwrap();
    let setup = SetupChange::CreateImportSetup(ImportSetup {
        municipality: code(KOEGE),
        batch: failed,
        tasks: Vec::new(),
        units: vec![NewUnit {
            municipality: code(KOEGE),
            department: None,
            name: "Ny enhed".into(),
            login: "259ny".into(),
            password_hash: None,
        }],
        questions: Vec::new(),
    });
    store
        .apply(&setup, &test_audit(Some(code(KOEGE))))
        .await
        .unwrap();
    let made = store.find_unit_by_login("259ny").await.unwrap().unwrap();
    let used = registration(KOEGE, Some(made.id), task.id, "PRSNLG");
    store.insert_registration(&used).await.unwrap();
    store.delete_batch(Some(code(KOEGE)), failed).await.unwrap();
    assert!(
        store.find_unit_by_login("259ny").await.unwrap().is_some(),
        "a unit registrations refer to is kept"
    );
    assert_eq!(counted(store).await, 4);
}

pub async fn batches_are_found_by_fingerprint_and_counted_per_cell(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let task = national_task(store, "23.09.02").await;
    let other_task = national_task(store, "29.03.04").await;
    let day = NaiveDate::from_ymd_opt(2025, 10, 21).unwrap();
    let october = (
        NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 10, 31).unwrap(),
    );
    let upload = |unit, task, channel, quantity| NewRegistration {
        quantity,
        source: Source::Upload,
        ..registration(KOEGE, unit, task, channel)
    };
    let fingerprinted = |sha: &str, fingerprint: &str| NewBatch {
        fingerprint: Some(fingerprint.into()),
        ..batch(Some(KOEGE), sha)
    };

    // A committed file: two rows on one unit-task-channel-day, one on another.
    let first = store
        .create_batch(&fingerprinted("a", "v1:3:ff"))
        .await
        .unwrap();
    let rows = [
        upload(Some(unit), task.id, "TLFIND", 1),
        upload(Some(unit), task.id, "TLFIND", 4),
        upload(None, other_task.id, "PRSNLG", 2),
    ];
    store.append_to_batch(first, &rows).await.unwrap();
    store.commit_batch(first, &[]).await.unwrap();

    // Found by its fingerprint whatever the file's hash, only in its scope and kind.
    let found = store
        .find_batch(Some(code(KOEGE)), BatchKind::Codebook, "b", Some("v1:3:ff"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id, found.fingerprint.as_deref()),
        (first, Some("v1:3:ff"))
    );
    for (municipality, kind, fingerprint) in [
        (Some(code(KOEGE)), BatchKind::Codebook, None),
        (Some(code(KOEGE)), BatchKind::Codebook, Some("v1:3:00")),
        (Some(code(KOEGE)), BatchKind::Landkort, Some("v1:3:ff")),
        (Some(code(KOEBENHAVN)), BatchKind::Codebook, Some("v1:3:ff")),
        (None, BatchKind::Codebook, Some("v1:3:ff")),
    ] {
        assert!(store
            .find_batch(municipality, kind, "b", fingerprint)
            .await
            .unwrap()
            .is_none());
    }

    // Rows the tool registered, and a batch still loading, are no file's.
    store
        .insert_registration(&registration(KOEGE, Some(unit), task.id, "TLFIND"))
        .await
        .unwrap();
    let loading = store.create_batch(&batch(Some(KOEGE), "c")).await.unwrap();
    store
        .append_to_batch(loading, &[upload(Some(unit), task.id, "TLFIND", 7)])
        .await
        .unwrap();

    let kinds = [BatchKind::Codebook, BatchKind::Landkort];
    let mut cells = store
        .batch_cells(code(KOEGE), &kinds, october.0, october.1)
        .await
        .unwrap();
    cells.sort_by_key(|c| c.channel.to_string());
    assert_eq!(
        cells,
        vec![
            BatchCell {
                batch: first,
                unit: None,
                task: other_task.id,
                channel: ChannelCode::parse("PRSNLG").unwrap(),
                day,
                rows: 1,
                inquiries: 2,
            },
            BatchCell {
                batch: first,
                unit: Some(unit),
                task: task.id,
                channel: ChannelCode::parse("TLFIND").unwrap(),
                day,
                rows: 2,
                inquiries: 5,
            },
        ]
    );
    for cells in [
        store
            .batch_cells(code(KOEGE), &[BatchKind::Landkort], october.0, october.1)
            .await,
        store
            .batch_cells(code(KOEGE), &[], october.0, october.1)
            .await,
        store
            .batch_cells(code(KOEGE), &kinds, day.succ_opt().unwrap(), october.1)
            .await,
        store
            .batch_cells(code(KOEBENHAVN), &kinds, october.0, october.1)
            .await,
    ] {
        assert!(cells.unwrap().is_empty());
    }

    // One commit replaces several batches at once, or none of them.
    let second = store.create_batch(&batch(Some(KOEGE), "d")).await.unwrap();
    store
        .append_to_batch(second, &[upload(None, task.id, "EMLUD", 1)])
        .await
        .unwrap();
    store.commit_batch(second, &[]).await.unwrap();
    store.commit_batch(loading, &[first, second]).await.unwrap();
    let status = |batches: &[BatchRow], id| batches.iter().find(|b| b.id == id).unwrap().status;
    let batches = store.list_batches(Some(code(KOEGE))).await.unwrap();
    assert_eq!(
        (
            status(&batches, first),
            status(&batches, second),
            status(&batches, loading)
        ),
        (
            BatchStatus::Replaced,
            BatchStatus::Replaced,
            BatchStatus::Committed
        )
    );
    let cells = store
        .batch_cells(code(KOEGE), &kinds, october.0, october.1)
        .await
        .unwrap();
    assert_eq!(
        cells
            .iter()
            .map(|c| (c.batch, c.inquiries))
            .collect::<Vec<_>>(),
        vec![(loading, 7)]
    );
    let third = store.create_batch(&batch(Some(KOEGE), "e")).await.unwrap();
    assert!(store.commit_batch(third, &[loading, first]).await.is_err());
    let batches = store.list_batches(Some(code(KOEGE))).await.unwrap();
    assert_eq!(
        (status(&batches, loading), status(&batches, third)),
        (BatchStatus::Committed, BatchStatus::Loading),
        "a failed replacement changes nothing"
    );
}

pub async fn counts_sum_quantity_and_exclude_test(store: &dyn Store) {
    with_reference(store).await;
    let task = national_task(store, "29.03.04").await;
    let period = store
        .upsert_period(&NewPeriod {
            municipality: None,
            period: CountingPeriod::national(2025, Season::Autumn).unwrap(),
            task_package: None,
        })
        .await
        .unwrap();
    let mut web = registration(KOEGE, None, task.id, "WEB");
    web.quantity = 1_000;
    web.source = Source::Central;
    store.insert_registration(&web).await.unwrap();
    store
        .insert_registration(&registration(KOEGE, None, task.id, "TLFIND"))
        .await
        .unwrap();
    let mut test = registration(KOEGE, None, task.id, "TLFIND");
    test.is_test = true;
    test.quantity = 50;
    store.insert_registration(&test).await.unwrap();
    let mut outside = registration(KOEBENHAVN, None, task.id, "TLFIND");
    outside.registered_at = Utc.with_ymd_and_hms(2025, 12, 1, 9, 0, 0).unwrap();
    store.insert_registration(&outside).await.unwrap();

    let counts = store.count_by_municipality().await.unwrap();
    assert_eq!(
        counts,
        vec![
            MunicipalityCount {
                municipality: code(KOEBENHAVN),
                inquiries: 1,
                rows: 1
            },
            MunicipalityCount {
                municipality: code(KOEGE),
                inquiries: 1_001,
                rows: 2
            },
        ]
    );
    assert_eq!(
        store.count_by_period().await.unwrap(),
        vec![PeriodCount {
            period,
            inquiries: 1_001
        }]
    );
}

pub async fn registrations_are_corrected_and_removed_only_in_their_municipality(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let pas = national_task(store, "23.09.02").await;
    let kort = national_task(store, "29.03.04").await;
    let gender = store.list_questions(code(KOEGE)).await.unwrap().remove(0);
    let mut r = registration(KOEGE, Some(unit), pas.id, "TLFIND");
    r.answers = vec![NewAnswer {
        question: gender.id,
        option: Some(gender.options[1].id),
        text: None,
    }];
    let id = store.insert_registration(&r).await.unwrap().id();

    let row = store
        .get_registration(code(KOEGE), id)
        .await
        .unwrap()
        .unwrap();
    assert!(row.created_at >= row.registered_at);
    assert!(store
        .get_registration(code(KOEBENHAVN), id)
        .await
        .unwrap()
        .is_none());

    let change = RegistrationChange {
        task: kort.id,
        channel: ChannelCode::parse("PRSNLG").unwrap(),
        inquiry_type: Some(InquiryType::NewCase),
        completion: Some(Completion::PutAside),
        has_form: Some(true),
    };
    assert!(matches!(
        store
            .update_registration(code(KOEBENHAVN), id, &change)
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .update_registration(code(KOEGE), id, &change)
        .await
        .unwrap();
    let corrected = store
        .get_registration(code(KOEGE), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (corrected.task, corrected.channel.as_str()),
        (kort.id, "PRSNLG")
    );
    assert_eq!(
        (
            corrected.inquiry_type,
            corrected.completion,
            corrected.has_form
        ),
        (
            Some(InquiryType::NewCase),
            Some(Completion::PutAside),
            Some(true)
        )
    );
    assert_eq!(
        (corrected.registered_at, corrected.quantity),
        (row.registered_at, 1),
        "time and quantity kept"
    );

    assert!(!store
        .delete_registration(code(KOEBENHAVN), id)
        .await
        .unwrap());
    assert!(store
        .get_registration(code(KOEGE), id)
        .await
        .unwrap()
        .is_some());
    assert!(store.delete_registration(code(KOEGE), id).await.unwrap());
    assert!(store
        .get_registration(code(KOEGE), id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .list_answers(code(KOEGE), id)
        .await
        .unwrap()
        .is_empty());
    assert!(!store.delete_registration(code(KOEGE), id).await.unwrap());
}

pub async fn unit_usage_and_day_counts_are_the_unit_own(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let other = unit_in(store, KOEGE, "259sek").await;
    let pas = national_task(store, "23.09.02").await;
    let kort = national_task(store, "29.03.04").await;
    for _ in 0..3 {
        store
            .insert_registration(&registration(KOEGE, Some(unit), kort.id, "TLFIND"))
            .await
            .unwrap();
    }
    let mut test = registration(KOEGE, Some(unit), pas.id, "PRSNLG");
    test.is_test = true;
    test.quantity = 2;
    store.insert_registration(&test).await.unwrap();
    store
        .insert_registration(&registration(KOEGE, Some(other), pas.id, "TLFIND"))
        .await
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2025, 10, 21).unwrap();

    let usage = store.unit_task_usage(code(KOEGE), unit, day).await.unwrap();
    assert_eq!(
        usage,
        vec![
            TaskUsage {
                task: kort.id,
                inquiries: 3
            },
            TaskUsage {
                task: pas.id,
                inquiries: 2
            }
        ]
    );
    assert!(store
        .unit_task_usage(code(KOEGE), unit, day.succ_opt().unwrap())
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .unit_task_usage(code(KOEBENHAVN), unit, day)
        .await
        .unwrap()
        .is_empty());

    let counts = store.unit_day_counts(code(KOEGE), unit, day).await.unwrap();
    assert_eq!(counts.len(), 2);
    let phone = counts
        .iter()
        .find(|c| c.channel.as_str() == "TLFIND")
        .unwrap();
    assert_eq!(
        (phone.hour, phone.inquiries, phone.test_inquiries),
        (9, 3, 0)
    );
    let personal = counts
        .iter()
        .find(|c| c.channel.as_str() == "PRSNLG")
        .unwrap();
    assert_eq!((personal.inquiries, personal.test_inquiries), (2, 2));
    assert!(store
        .unit_day_counts(code(KOEBENHAVN), unit, day)
        .await
        .unwrap()
        .is_empty());
}

async fn counted(store: &dyn Store) -> usize {
    let filter = RegistrationFilter {
        limit: 100,
        ..RegistrationFilter::default()
    };
    store
        .list_registrations(code(KOEGE), &filter)
        .await
        .unwrap()
        .len()
}

pub async fn held_batches_stay_invisible_until_committed(store: &dyn Store) {
    with_reference(store).await;
    let task = national_task(store, "29.03.04").await;
    let old = store
        .create_batch(&batch(Some(KOEGE), "old"))
        .await
        .unwrap();
    let rows = vec![registration(KOEGE, None, task.id, "TLFIND"); 3];
    store.append_to_batch(old, &rows).await.unwrap();
    store.commit_batch(old, &[]).await.unwrap();
    let id = store
        .create_batch(&batch(Some(KOEGE), "late"))
        .await
        .unwrap();
    store.append_to_batch(id, &rows[..2]).await.unwrap();
    assert_eq!(
        store.batch_days(id).await.unwrap(),
        Some((
            NaiveDate::from_ymd_opt(2025, 10, 21).unwrap(),
            NaiveDate::from_ymd_opt(2025, 10, 21).unwrap()
        ))
    );
    let at = Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap();
    let held = store
        .hold_batch(id, Some(old), at, "venter på godkendelse")
        .await
        .unwrap();
    assert_eq!(
        (held.status, held.replaces, held.errors.as_str()),
        (BatchStatus::Held, Some(old), "venter på godkendelse")
    );
    // Held: counted nowhere, closed to more rows, not held twice, listed.
    assert_eq!(counted(store).await, 3);
    assert!(store.append_to_batch(id, &rows[..1]).await.is_err());
    assert!(store.hold_batch(id, None, at, "igen").await.is_err());
    let listed: Vec<BatchId> = store
        .list_held_batches()
        .await
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(listed, vec![id]);
    // Approved: committed in place of the batch it replaces.
    let committed = store.commit_batch(id, &[old]).await.unwrap();
    assert_eq!(committed.status, BatchStatus::Committed);
    assert!(store.list_held_batches().await.unwrap().is_empty());
    store.delete_batch(Some(code(KOEGE)), old).await.unwrap();
    assert_eq!(counted(store).await, 2);
    assert_eq!(store.batch_days(old).await.unwrap(), None);
}

pub async fn publications_are_kept_per_period_newest_first(store: &dyn Store) {
    with_reference(store).await;
    let period = store
        .upsert_period(&NewPeriod {
            municipality: None,
            period: CountingPeriod {
                name: "Efterår 2025".into(),
                year: 2025,
                season: Some(Season::Autumn),
                starts_on: NaiveDate::from_ymd_opt(2025, 10, 20).unwrap(),
                ends_on: NaiveDate::from_ymd_opt(2025, 11, 9).unwrap(),
                mandatory: true,
                submission_deadline: NaiveDate::from_ymd_opt(2025, 11, 23).unwrap(),
            },
            task_package: None,
        })
        .await
        .unwrap();
    let first = Utc.with_ymd_and_hms(2025, 12, 1, 9, 0, 0).unwrap();
    let publish = |at, when, note: &str, figures: &str| SetupChange::PublishPeriod {
        period,
        at: Some(at),
        publication: Some(NewPublication {
            published_at: when,
            published_by: "bruger:admin@example".into(),
            note: note.into(),
            figures: figures.into(),
        }),
    };
    store
        .change(publish(first, first, "", "{\"a\":1}"))
        .await
        .unwrap();
    let later = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    store
        .change(publish(first, later, "rettet", "{\"a\":2}"))
        .await
        .unwrap();
    let kept = store.list_publications(period).await.unwrap();
    assert_eq!(
        kept.iter()
            .map(|p| (p.published_at, p.note.as_str(), p.figures.as_str()))
            .collect::<Vec<_>>(),
        vec![(later, "rettet", "{\"a\":2}"), (first, "", "{\"a\":1}")]
    );
    let row = store
        .list_periods(None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id == period)
        .unwrap();
    assert_eq!(row.published_at, Some(first), "a correction keeps the date");
}
