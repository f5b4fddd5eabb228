//! The batch pipeline's clean-up of loads an interruption left behind (a
//! server killed during an import): invisible while loading, removed whole
//! when the server starts again after the stale-load time, and deletable by
//! the coordinator from then on. On the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{Duration, Utc};
use komhen_backend::testing::TestStore;
use komhen_core::intake::batch::{self, STALE_LOAD_HOURS};
use komhen_domain::{ChannelCode, MunicipalityCode, NewRegistration, Source, TaskId};
use komhen_store::{BatchKind, BatchStatus, NewBatch, RegistrationFilter, Store};

fn koege() -> MunicipalityCode {
    MunicipalityCode::new(259).unwrap()
}

async fn a_national_task(store: &dyn Store) -> TaskId {
    store.list_national_tasks().await.unwrap()[0].id
}

fn row(task: TaskId) -> NewRegistration {
    NewRegistration {
        municipality: koege(),
        unit: None,
        task,
        channel: ChannelCode::parse("TLFIND").unwrap(),
        inquiry_type: None,
        completion: None,
        has_form: None,
        registered_at: Utc::now(),
        duration_ms: None,
        quantity: 1,
        source: Source::Upload,
        is_test: false,
        idempotency_key: None,
        answers: vec![],
    }
}

async fn listed(store: &dyn Store, id: komhen_domain::BatchId) -> komhen_store::BatchRow {
    let batches = store.list_batches(Some(koege())).await.unwrap();
    batches.into_iter().find(|b| b.id == id).unwrap()
}

async fn counted(store: &dyn Store) -> usize {
    let filter = RegistrationFilter {
        limit: 100,
        ..RegistrationFilter::default()
    };
    store
        .list_registrations(koege(), &filter)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_load_left_behind_is_removed_at_start_once_stale_and_deletable_until_then_never() {
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    komhen_core::reference::migrate_and_load(store)
        .await
        .unwrap();
    let task = a_national_task(store).await;
    // What a server killed in the middle of an import leaves: a batch still
    // loading with some of its rows.
    let id = store
        .create_batch(&NewBatch {
            municipality: Some(koege()),
            kind: BatchKind::Codebook,
            file_name: "afbrudt.csv".into(),
            sha256: "a".repeat(64),
            fingerprint: None,
            created_by: "bruger:kim@koege.dk".into(),
        })
        .await
        .unwrap();
    store
        .append_to_batch(id, &[row(task), row(task)])
        .await
        .unwrap();
    assert_eq!(counted(store).await, 0, "a loading batch counts nowhere");

    let now = Utc::now();
    let loading = listed(store, id).await;
    assert_eq!(loading.status, BatchStatus::Loading);
    assert!(
        !batch::deletable(&loading, now),
        "an import may still be running"
    );
    assert_eq!(batch::remove_stale_everywhere(store, now).await.unwrap(), 0);
    assert_eq!(listed(store, id).await.status, BatchStatus::Loading);

    let later = now + Duration::hours(STALE_LOAD_HOURS) + Duration::minutes(1);
    assert!(
        batch::deletable(&listed(store, id).await, later),
        "the page offers to delete it"
    );
    assert_eq!(
        batch::remove_stale_everywhere(store, later).await.unwrap(),
        1
    );
    assert_eq!(listed(store, id).await.status, BatchStatus::Deleted);
    assert_eq!(counted(store).await, 0);
}
