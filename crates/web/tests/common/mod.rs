//! What every router test starts from: a fresh database of the test
//! backend with the reference data loaded, and the application's router.
#![allow(clippy::unwrap_used)] // test code: a failure should panic

use komhen_backend::testing::TestStore;

pub async fn app_with_reference_data() -> (TestStore, axum::Router) {
    let db = TestStore::new().await;
    komhen_core::reference::migrate_and_load(db.store.as_ref())
        .await
        .unwrap();
    let router = komhen_web::router(db.store.clone());
    (db, router)
}
