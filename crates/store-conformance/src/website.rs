//! Checks of the website and central loads: pages mapped to a municipality's
//! own tasks, own statistics per channel, and counts per channel and task.

use komhen_domain::*;
use komhen_store::*;

use crate::fixtures::*;

pub async fn web_pages_map_paths_to_the_municipality_own_tasks(store: &dyn Store) {
    with_reference(store).await;
    let national = national_task(store, "23.09.02").await;
    let local = |m: u16| async move {
        store
            .create_local_task(&NewLocalTask {
                municipality: code(m),
                kle: KleNumber::parse("27.24.00").unwrap(),
                kind: TaskCodeKind::Topic,
                name: "Egen opgave".into(),
            })
            .await
            .unwrap()
    };
    let koege_task = local(KOEGE).await;
    let kbh_task = local(KOEBENHAVN).await;
    let page = |m: u16, path: &str, task: TaskId| {
        SetupChange::CreateWebPage(NewWebPage {
            municipality: code(m),
            path: PagePath::parse(path).unwrap(),
            task,
        })
    };
    let version = store
        .get_municipality(code(KOEGE))
        .await
        .unwrap()
        .unwrap()
        .setup_version;
    let pas = WebPageId(
        store
            .change(page(KOEGE, "/borger/pas", national.id))
            .await
            .unwrap()
            .created()
            .unwrap(),
    );
    store
        .change(page(KOEGE, "/borger/tillaeg", koege_task))
        .await
        .unwrap();
    assert!(
        matches!(
            store.change(page(KOEGE, "/borger/pas", koege_task)).await,
            Err(StoreError::Conflict(_))
        ),
        "one task per path"
    );
    assert!(
        matches!(
            store.change(page(KOEGE, "/borger/andet", kbh_task)).await,
            Err(StoreError::NotFound(_))
        ),
        "another municipality's own task"
    );
    store
        .change(page(KOEBENHAVN, "/borger/pas", kbh_task))
        .await
        .unwrap();

    let koege = store.list_web_pages(code(KOEGE)).await.unwrap();
    let listed: Vec<(&str, TaskId)> = koege.iter().map(|p| (p.path.as_str(), p.task)).collect();
    assert_eq!(
        listed,
        vec![
            ("/borger/pas", national.id),
            ("/borger/tillaeg", koege_task)
        ]
    );
    assert!(koege.iter().all(|p| p.municipality == code(KOEGE)));
    let kbh = store.list_web_pages(code(KOEBENHAVN)).await.unwrap();
    assert_eq!(kbh.len(), 1);
    assert_eq!(kbh[0].task, kbh_task);
    assert!(store.list_web_pages(code(AARHUS)).await.unwrap().is_empty());
    assert_eq!(
        store
            .get_municipality(code(KOEGE))
            .await
            .unwrap()
            .unwrap()
            .setup_version,
        version,
        "a mapping changes nothing units register"
    );

    assert!(matches!(
        store
            .change(SetupChange::DeleteWebPage {
                municipality: code(KOEBENHAVN),
                page: pas,
            })
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .change(SetupChange::DeleteWebPage {
            municipality: code(KOEGE),
            page: pas,
        })
        .await
        .unwrap();
    assert_eq!(store.list_web_pages(code(KOEGE)).await.unwrap().len(), 1);
    assert_eq!(
        store.list_web_pages(code(KOEBENHAVN)).await.unwrap().len(),
        1
    );
}

pub async fn own_statistics_are_set_per_municipality_and_channel(store: &dyn Store) {
    with_reference(store).await;
    let set = |m: u16, channel: &str, own: bool| SetupChange::SetOwnStatistics {
        municipality: code(m),
        channel: ChannelCode::parse(channel).unwrap(),
        own,
    };
    store.change(set(KOEGE, "WEB", true)).await.unwrap();
    store.change(set(KOEGE, "WEB", true)).await.unwrap();
    store.change(set(KOEGE, "EMLUD", true)).await.unwrap();
    store.change(set(AARHUS, "WEB", true)).await.unwrap();
    assert!(matches!(
        store.change(set(KOEGE, "UKENDT", true)).await,
        Err(StoreError::NotFound(_))
    ));
    let channels = |rows: Vec<OwnStatisticsRow>| -> Vec<(u16, String)> {
        rows.into_iter()
            .map(|r| (r.municipality.get(), r.channel.to_string()))
            .collect()
    };
    assert_eq!(
        channels(store.list_own_statistics(Some(code(KOEGE))).await.unwrap()),
        vec![(KOEGE, "EMLUD".into()), (KOEGE, "WEB".into())]
    );
    assert!(store
        .list_own_statistics(Some(code(KOEBENHAVN)))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        channels(store.list_own_statistics(None).await.unwrap()),
        vec![
            (KOEGE, "EMLUD".into()),
            (KOEGE, "WEB".into()),
            (AARHUS, "WEB".into())
        ]
    );
    store.change(set(KOEGE, "WEB", false)).await.unwrap();
    store.change(set(KOEGE, "WEB", false)).await.unwrap();
    assert_eq!(
        channels(store.list_own_statistics(Some(code(KOEGE))).await.unwrap()),
        vec![(KOEGE, "EMLUD".into())]
    );
    assert_eq!(
        channels(store.list_own_statistics(Some(code(AARHUS))).await.unwrap()),
        vec![(AARHUS, "WEB".into())]
    );
}

pub async fn channel_counts_by_task_sum_visible_quantity_of_one_municipality(store: &dyn Store) {
    with_reference(store).await;
    let pas = national_task(store, "23.09.02").await;
    let card = national_task(store, "29.03.04").await;
    let web = |m: u16, task: TaskId, quantity: i64| NewRegistration {
        quantity,
        unit: None,
        source: Source::Upload,
        ..registration(m, None, task, "WEB")
    };
    let committed = store
        .create_batch(&batch(Some(KOEGE), "web-1"))
        .await
        .unwrap();
    store
        .append_to_batch(
            committed,
            &[web(KOEGE, pas.id, 120), web(KOEGE, card.id, 7)],
        )
        .await
        .unwrap();
    store.commit_batch(committed, &[]).await.unwrap();
    let loading = store
        .create_batch(&batch(Some(KOEGE), "web-2"))
        .await
        .unwrap();
    store
        .append_to_batch(loading, &[web(KOEGE, pas.id, 1_000)])
        .await
        .unwrap();
    store
        .insert_registration(&web(KOEGE, pas.id, 3))
        .await
        .unwrap();
    store
        .insert_registration(&NewRegistration {
            is_test: true,
            ..web(KOEGE, pas.id, 50)
        })
        .await
        .unwrap();
    store
        .insert_registration(&registration(KOEGE, None, pas.id, "TLFIND"))
        .await
        .unwrap();
    store
        .insert_registration(&web(KOEBENHAVN, pas.id, 9_999))
        .await
        .unwrap();

    let web_code = ChannelCode::parse("WEB").unwrap();
    let counts = store
        .count_channel_by_task(code(KOEGE), &web_code)
        .await
        .unwrap();
    assert_eq!(
        counts,
        vec![
            TaskCount {
                task: pas.id,
                rows: 2,
                inquiries: 123
            },
            TaskCount {
                task: card.id,
                rows: 1,
                inquiries: 7
            },
        ],
        "committed and typed rows, not the loading batch, the test row or the phone"
    );
    let kbh = store
        .count_channel_by_task(code(KOEBENHAVN), &web_code)
        .await
        .unwrap();
    assert_eq!(kbh.len(), 1);
    assert_eq!(kbh[0].inquiries, 9_999);
    assert!(store
        .count_channel_by_task(code(AARHUS), &web_code)
        .await
        .unwrap()
        .is_empty());
}
