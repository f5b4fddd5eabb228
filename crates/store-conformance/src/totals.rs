//! Checks of total counts, channel prices and the audit log, and of totals as
//! batches: staged, committed without overlap (also when two arrive at once),
//! central deliveries, and the phone-system rules.

use chrono::NaiveDate;
use komhen_domain::*;
use komhen_store::*;

use crate::fixtures::*;

pub async fn total_counts_are_scoped_and_checked(store: &dyn Store) {
    with_reference(store).await;
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let total = NewTotalCount {
        municipality: code(KOEGE),
        measure: TotalMeasure::Inquiries,
        channel: Some(ChannelCode::parse("TLFIND").unwrap()),
        from,
        to,
        count: 180_000,
        source: "upload".into(),
        batch: None,
    };
    let id = store.insert_total_count(&total).await.unwrap();
    let sessions = NewTotalCount {
        measure: TotalMeasure::WebsiteSessions,
        channel: None,
        count: 900_000,
        ..total.clone()
    };
    store.insert_total_count(&sessions).await.unwrap();
    let missing_channel = NewTotalCount {
        channel: None,
        ..total.clone()
    };
    assert!(matches!(
        store.insert_total_count(&missing_channel).await,
        Err(StoreError::Invalid(_))
    ));
    let backwards = NewTotalCount {
        from: to,
        to: from,
        ..total.clone()
    };
    assert!(matches!(
        store.insert_total_count(&backwards).await,
        Err(StoreError::Invalid(_))
    ));

    let rows = store.list_total_counts(code(KOEGE)).await.unwrap();
    assert_eq!(rows.len(), 2);
    let phone = rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!((phone.count, phone.from, phone.to), (180_000, from, to));
    assert_eq!(
        phone.channel.as_ref().map(ChannelCode::as_str),
        Some("TLFIND")
    );
    assert!(store
        .list_total_counts(code(KOEBENHAVN))
        .await
        .unwrap()
        .is_empty());
}

pub async fn channel_prices_are_national_or_local(store: &dyn Store) {
    with_reference(store).await;
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
        .unwrap()
        .to_utc();
    let national = NewChannelPrice {
        municipality: None,
        channel: ChannelCode::parse("PRSNLG").unwrap(),
        task: None,
        valid_from: day,
        price_ore: 12_000,
        basis: PriceBasis::Amount,
        source: "national".into(),
        source_year: 2025,
        example: false,
        set_by: "test".into(),
        set_at: at,
    };
    store
        .change(SetupChange::SetChannelPrice(national.clone()))
        .await
        .unwrap();
    // The same scope, channel, task and date: replaced, not added.
    let replaced = store
        .change(SetupChange::SetChannelPrice(NewChannelPrice {
            price_ore: 13_500,
            ..national.clone()
        }))
        .await
        .unwrap();
    assert_eq!(replaced.count, 1, "one price replaced");
    let pas = national_task(store, "23.09.02").await;
    let by_time = NewChannelPrice {
        municipality: Some(code(KOEGE)),
        task: Some(pas.id),
        price_ore: 9_900,
        basis: PriceBasis::Time {
            minutes_hundredths: 450,
            hourly_cost_ore: 132_000,
        },
        source: "Køge".into(),
        example: true,
        ..national.clone()
    };
    let own = store
        .change(SetupChange::SetChannelPrice(by_time.clone()))
        .await
        .unwrap()
        .created()
        .unwrap();
    let own_task = store
        .create_local_task(&NewLocalTask {
            municipality: code(KOEGE),
            kle: KleNumber::parse("29.03.99").unwrap(),
            kind: TaskCodeKind::Pseudo,
            name: "Køges egen".into(),
        })
        .await
        .unwrap();
    // A national price cannot name a municipality's own task, nor another
    // municipality's price it.
    for (municipality, task) in [(None, own_task), (Some(code(KOEBENHAVN)), own_task)] {
        let refused = store
            .change(SetupChange::SetChannelPrice(NewChannelPrice {
                municipality,
                task: Some(task),
                ..national.clone()
            }))
            .await;
        assert!(
            matches!(refused, Err(StoreError::NotFound(_))),
            "{refused:?}"
        );
    }

    let koege = store.list_channel_prices(Some(code(KOEGE))).await.unwrap();
    assert_eq!(koege.len(), 2);
    let kept = koege.iter().find(|p| p.id.0 == own).unwrap();
    assert_eq!(
        (
            kept.task,
            kept.basis,
            kept.example,
            kept.set_at,
            kept.valid_from
        ),
        (by_time.task, by_time.basis, true, at, day)
    );
    assert!(
        koege
            .iter()
            .any(|p| p.municipality.is_none() && p.price_ore == 13_500),
        "the replacing price"
    );
    let kbh = store
        .list_channel_prices(Some(code(KOEBENHAVN)))
        .await
        .unwrap();
    assert_eq!(kbh.len(), 1);
    assert!(kbh.iter().all(|p| p.municipality.is_none()));
    assert_eq!(store.list_channel_prices(None).await.unwrap().len(), 1);

    // A price is removed only within its scope.
    let national_id = kbh[0].id;
    for (municipality, price) in [
        (Some(code(KOEGE)), national_id),
        (None, ChannelPriceId(own)),
        (Some(code(KOEBENHAVN)), ChannelPriceId(own)),
    ] {
        let refused = store
            .change(SetupChange::RemoveChannelPrice {
                municipality,
                price,
            })
            .await;
        assert!(
            matches!(refused, Err(StoreError::NotFound(_))),
            "{refused:?}"
        );
    }
    store
        .change(SetupChange::RemoveChannelPrice {
            municipality: Some(code(KOEGE)),
            price: ChannelPriceId(own),
        })
        .await
        .unwrap();
    assert_eq!(
        store
            .list_channel_prices(Some(code(KOEGE)))
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn audit_log_is_scoped_and_newest_first(store: &dyn Store) {
    with_reference(store).await;
    let entry = |m: Option<u16>, action: &str| NewAuditEntry {
        municipality: m.map(code),
        actor: "tov@koege.dk".into(),
        action: action.into(),
        entity: "unit".into(),
        entity_id: "1".into(),
        before_json: None,
        after_json: Some(r#"{"name":"Borgerservice"}"#.into()),
    };
    store
        .append_audit(&entry(Some(KOEGE), "create"))
        .await
        .unwrap();
    store
        .append_audit(&entry(Some(KOEGE), "rename"))
        .await
        .unwrap();
    store
        .append_audit(&entry(Some(KOEBENHAVN), "create"))
        .await
        .unwrap();
    store.append_audit(&entry(None, "publish")).await.unwrap();

    let koege = store.list_audit(Some(code(KOEGE)), 100).await.unwrap();
    assert_eq!(
        koege
            .iter()
            .map(|a| a.entry.action.as_str())
            .collect::<Vec<_>>(),
        vec!["rename", "create"]
    );
    assert!(koege
        .iter()
        .all(|a| a.entry.municipality == Some(code(KOEGE))));
    assert_eq!(koege[0].entry, entry(Some(KOEGE), "rename"));
    assert_eq!(store.list_audit(None, 100).await.unwrap().len(), 4);
    assert_eq!(store.list_audit(None, 2).await.unwrap().len(), 2);
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn phone_total(municipality: u16, channel: &str, from: NaiveDate, to: NaiveDate) -> NewTotalCount {
    NewTotalCount {
        municipality: code(municipality),
        measure: TotalMeasure::Inquiries,
        channel: Some(ChannelCode::parse(channel).unwrap()),
        from,
        to,
        count: 1_234,
        source: "form".into(),
        batch: None,
    }
}

fn totals_batch(municipality: Option<u16>, kind: BatchKind, sha: &str) -> NewBatch {
    NewBatch {
        municipality: municipality.map(code),
        kind,
        file_name: String::new(),
        sha256: sha.into(),
        fingerprint: None,
        created_by: "bruger:tovholder@koege.dk".into(),
    }
}

/// Polls two futures until both are done, so neither waits for the other
/// to start: what two coordinators pressing "Gem" at once look like.
async fn both<A, B>(a: A, b: B) -> (A::Output, B::Output)
where
    A: std::future::Future,
    B: std::future::Future,
{
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

pub async fn totals_stage_invisibly_and_commit_only_without_overlap(store: &dyn Store) {
    with_reference(store).await;
    let october = phone_total(KOEGE, "TLFIND", day(2025, 10, 1), day(2025, 10, 31));
    let first = store
        .stage_totals(
            &totals_batch(Some(KOEGE), BatchKind::TotalsForm, "a"),
            std::slice::from_ref(&october),
        )
        .await
        .unwrap();
    assert!(
        store
            .list_totals(Some(code(KOEGE)))
            .await
            .unwrap()
            .is_empty(),
        "a staged batch is invisible"
    );
    assert!(store
        .list_total_counts(code(KOEGE))
        .await
        .unwrap()
        .is_empty());
    assert!(
        store
            .find_total_overlaps(std::slice::from_ref(&october))
            .await
            .unwrap()
            .is_empty(),
        "a staged batch blocks nothing"
    );
    assert!(matches!(
        store.commit_totals(Some(code(KOEBENHAVN)), first).await,
        Err(StoreError::NotFound(_))
    ));
    let committed = match store.commit_totals(Some(code(KOEGE)), first).await.unwrap() {
        TotalsCommit::Committed(batch) => batch,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (committed.status, committed.row_count),
        (BatchStatus::Committed, 1)
    );
    assert!(matches!(
        store.commit_totals(Some(code(KOEGE)), first).await,
        Err(StoreError::NotFound(_))
    ));
    let listed = store.list_totals(Some(code(KOEGE))).await.unwrap();
    assert_eq!(listed.len(), 1);
    let entry = &listed[0];
    assert_eq!(
        (entry.total.count, entry.total.from, entry.total.to),
        (1_234, october.from, october.to)
    );
    assert_eq!(entry.total.batch, Some(first));
    assert_eq!(entry.batch_kind.map(BatchKind::code), Some("totals_form"));
    assert_eq!(
        entry.entered_by.as_deref(),
        Some("bruger:tovholder@koege.dk")
    );
    assert!(store
        .list_totals(Some(code(KOEBENHAVN)))
        .await
        .unwrap()
        .is_empty());
    assert!(
        store.list_totals(None).await.unwrap().is_empty(),
        "not central"
    );

    // Overlaps: same municipality, measure and channel, a day in common.
    let last_day = phone_total(KOEGE, "TLFIND", day(2025, 10, 31), day(2025, 11, 2));
    let outgoing = phone_total(KOEGE, "TLFUD", day(2025, 10, 1), day(2025, 10, 31));
    let november = phone_total(KOEGE, "TLFIND", day(2025, 11, 1), day(2025, 11, 30));
    let elsewhere = phone_total(KOEBENHAVN, "TLFIND", day(2025, 10, 1), day(2025, 10, 31));
    let found = store
        .find_total_overlaps(&[
            outgoing.clone(),
            last_day.clone(),
            november.clone(),
            elsewhere.clone(),
        ])
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].index, 1);
    assert_eq!(found[0].existing.total.batch, Some(first));

    let second = store
        .stage_totals(
            &totals_batch(Some(KOEGE), BatchKind::TotalsCsv, "b"),
            &[november.clone(), last_day.clone()],
        )
        .await
        .unwrap();
    match store
        .commit_totals(Some(code(KOEGE)), second)
        .await
        .unwrap()
    {
        TotalsCommit::Overlaps(overlaps) => {
            assert_eq!(overlaps.len(), 1);
            assert_eq!(overlaps[0].index, 1, "the second total of the batch");
            assert_eq!(overlaps[0].existing.total.from, day(2025, 10, 1));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store.list_totals(Some(code(KOEGE))).await.unwrap().len(),
        1,
        "a refused batch stays invisible"
    );

    // The same file (kind and SHA-256) again is refused as such.
    let again = store
        .stage_totals(
            &totals_batch(Some(KOEGE), BatchKind::TotalsForm, "a"),
            std::slice::from_ref(&november),
        )
        .await
        .unwrap();
    match store.commit_totals(Some(code(KOEGE)), again).await.unwrap() {
        TotalsCommit::Duplicate(batch) => assert_eq!(batch.id, first),
        other => panic!("{other:?}"),
    }

    // A total of another municipality does not go in a Køge batch.
    assert!(matches!(
        store
            .stage_totals(
                &totals_batch(Some(KOEGE), BatchKind::TotalsForm, "c"),
                &[elsewhere]
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    // Every total or none.
    let backwards = phone_total(KOEGE, "TLFUD", day(2025, 12, 31), day(2025, 12, 1));
    let batches_before = store.list_batches(Some(code(KOEGE))).await.unwrap().len();
    assert!(matches!(
        store
            .stage_totals(
                &totals_batch(Some(KOEGE), BatchKind::TotalsCsv, "d"),
                &[outgoing.clone(), backwards]
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        store.list_batches(Some(code(KOEGE))).await.unwrap().len(),
        batches_before,
        "no batch is left of a refused stage"
    );

    // Deleting the first entry frees its days.
    store.delete_batch(Some(code(KOEGE)), first).await.unwrap();
    assert!(store
        .list_totals(Some(code(KOEGE)))
        .await
        .unwrap()
        .is_empty());
    store.delete_batch(Some(code(KOEGE)), second).await.unwrap();
    let third = store
        .stage_totals(
            &totals_batch(Some(KOEGE), BatchKind::TotalsCsv, "b"),
            &[last_day],
        )
        .await
        .unwrap();
    assert!(matches!(
        store.commit_totals(Some(code(KOEGE)), third).await.unwrap(),
        TotalsCommit::Committed(_)
    ));
}

pub async fn totals_entered_at_the_same_moment_commit_only_once(store: &dyn Store) {
    with_reference(store).await;
    for round in 0..5 {
        let from = day(2025, 1 + round, 1);
        let a = store
            .stage_totals(
                &totals_batch(Some(KOEGE), BatchKind::TotalsForm, &format!("a{round}")),
                &[phone_total(
                    KOEGE,
                    "TLFIND",
                    from,
                    from + chrono::Duration::days(20),
                )],
            )
            .await
            .unwrap();
        let b = store
            .stage_totals(
                &totals_batch(Some(KOEGE), BatchKind::TotalsForm, &format!("b{round}")),
                &[phone_total(
                    KOEGE,
                    "TLFIND",
                    from + chrono::Duration::days(10),
                    from + chrono::Duration::days(25),
                )],
            )
            .await
            .unwrap();
        let (ra, rb) = both(
            store.commit_totals(Some(code(KOEGE)), a),
            store.commit_totals(Some(code(KOEGE)), b),
        )
        .await;
        let committed = [ra.unwrap(), rb.unwrap()]
            .iter()
            .filter(|r| matches!(r, TotalsCommit::Committed(_)))
            .count();
        assert_eq!(
            committed, 1,
            "round {round}: exactly one of two overlapping entries"
        );
    }
    assert_eq!(store.list_totals(Some(code(KOEGE))).await.unwrap().len(), 5);
}

pub async fn central_totals_are_listed_per_municipality_and_deleted_whole(store: &dyn Store) {
    with_reference(store).await;
    let logins = |municipality: u16, count: i64| NewTotalCount {
        municipality: code(municipality),
        measure: TotalMeasure::BorgerdkLogins,
        channel: None,
        from: day(2025, 1, 1),
        to: day(2025, 12, 31),
        count,
        source: "national".into(),
        batch: None,
    };
    let central = store
        .stage_totals(
            &totals_batch(
                None,
                BatchKind::TotalsNational(TotalMeasure::BorgerdkLogins),
                "n",
            ),
            &[logins(KOEGE, 61_000), logins(KOEBENHAVN, 512_000)],
        )
        .await
        .unwrap();
    assert!(matches!(
        store.commit_totals(Some(code(KOEGE)), central).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.commit_totals(None, central).await.unwrap(),
        TotalsCommit::Committed(_)
    ));
    let all = store.list_totals(None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|e| e.total.batch == Some(central)));
    let koege = store.list_totals(Some(code(KOEGE))).await.unwrap();
    assert_eq!(koege.len(), 1, "a municipality sees its own central figure");
    assert_eq!(koege[0].total.count, 61_000);
    assert!(store
        .list_totals(Some(code(AARHUS)))
        .await
        .unwrap()
        .is_empty());

    // NemID issued is another measure: no overlap with the logins.
    let nemid = NewTotalCount {
        measure: TotalMeasure::NemidIssued,
        ..logins(KOEGE, 3_000)
    };
    assert!(store
        .find_total_overlaps(&[nemid])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .find_total_overlaps(&[logins(KOEGE, 1)])
            .await
            .unwrap()
            .len(),
        1
    );

    assert!(matches!(
        store.delete_batch(Some(code(KOEGE)), central).await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_batch(None, central).await.unwrap();
    assert!(store.list_totals(None).await.unwrap().is_empty());
    assert!(store
        .list_totals(Some(code(KOEGE)))
        .await
        .unwrap()
        .is_empty());
}

pub async fn phone_rules_are_set_up_per_municipality_in_order(store: &dyn Store) {
    with_reference(store).await;
    let rule = |municipality: u16, field, matching, pattern: &str, direction| NewCdrRule {
        municipality: code(municipality),
        field,
        matching,
        pattern: pattern.into(),
        direction,
    };
    let trunk_in = rule(
        KOEGE,
        CdrRuleField::Channel,
        CdrMatch::Prefix,
        "SIP/trunk-",
        Direction::Incoming,
    );
    let trunk_out = rule(
        KOEGE,
        CdrRuleField::DstChannel,
        CdrMatch::Prefix,
        "SIP/trunk-",
        Direction::Outgoing,
    );
    let audit = test_audit(Some(code(KOEGE)));
    let first = store
        .apply(&SetupChange::CreateCdrRule(trunk_in.clone()), &audit)
        .await
        .unwrap()
        .created()
        .unwrap();
    store
        .apply(&SetupChange::CreateCdrRule(trunk_out.clone()), &audit)
        .await
        .unwrap();
    let rules = store.list_cdr_rules(code(KOEGE)).await.unwrap();
    assert_eq!(
        rules.iter().map(|r| r.rule.clone()).collect::<Vec<_>>(),
        vec![trunk_in.clone(), trunk_out.clone()],
        "in the order added"
    );
    assert_eq!(rules[0].id, CdrRuleId(first));
    assert!(store
        .list_cdr_rules(code(KOEBENHAVN))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.list_audit(Some(code(KOEGE)), 10).await.unwrap().len(),
        2
    );
    assert!(matches!(
        store
            .apply(
                &SetupChange::CreateCdrRule(NewCdrRule {
                    pattern: String::new(),
                    ..trunk_in.clone()
                }),
                &audit
            )
            .await,
        Err(StoreError::Invalid(_))
    ));

    assert!(matches!(
        store
            .change(SetupChange::DeleteCdrRule {
                municipality: code(KOEBENHAVN),
                rule: CdrRuleId(first),
            })
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .change(SetupChange::DeleteCdrRule {
            municipality: code(KOEGE),
            rule: CdrRuleId(first),
        })
        .await
        .unwrap();
    let rules = store.list_cdr_rules(code(KOEGE)).await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].rule, trunk_out);
}
