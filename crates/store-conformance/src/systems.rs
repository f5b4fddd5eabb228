//! Checks of systems and the JSON API: tokens that open only their
//! municipality, and API batches found by name and stored once.

use chrono::{TimeZone, Utc};
use komhen_domain::*;
use komhen_store::*;

use crate::fixtures::*;

/// A system token of a municipality, issued through [`Store::apply`].
async fn system_token(
    store: &dyn Store,
    municipality: u16,
    name: &str,
    hash: &str,
) -> SystemTokenId {
    let applied = store
        .apply(
            &SetupChange::CreateSystemToken(NewSystemToken {
                municipality: code(municipality),
                name: name.into(),
                token_hash: hash.into(),
                created_by: "bruger:tovholder@koege.dk".into(),
            }),
            &test_audit(Some(code(municipality))),
        )
        .await
        .unwrap();
    SystemTokenId(applied.created().unwrap())
}

pub async fn system_tokens_open_only_their_municipality(store: &dyn Store) {
    with_reference(store).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let koege = system_token(store, KOEGE, "Kø-system Borgerservice", &"a".repeat(64)).await;
    let kbh = system_token(store, KOEBENHAVN, "Telefonsystem", &"b".repeat(64)).await;
    // The same hash twice is refused: a token opens one municipality only.
    assert!(matches!(
        store
            .apply(
                &SetupChange::CreateSystemToken(NewSystemToken {
                    municipality: code(KOEGE),
                    name: "Kopi".into(),
                    token_hash: "b".repeat(64),
                    created_by: "x".into(),
                }),
                &test_audit(Some(code(KOEGE))),
            )
            .await,
        Err(StoreError::Conflict(_))
    ));

    let listed = store.list_system_tokens(code(KOEGE)).await.unwrap();
    assert_eq!(listed.len(), 1);
    let row = &listed[0];
    assert_eq!(
        (
            row.id,
            row.municipality,
            row.name.as_str(),
            row.created_by.as_str()
        ),
        (
            koege,
            code(KOEGE),
            "Kø-system Borgerservice",
            "bruger:tovholder@koege.dk"
        )
    );
    assert_eq!((row.last_used_at, row.revoked_at.is_some()), (None, false));
    assert_eq!(
        store
            .list_system_tokens(code(KOEBENHAVN))
            .await
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        vec![kbh],
        "another municipality's tokens are never listed"
    );

    // Using a token returns its own municipality and marks it used.
    let used = store
        .use_system_token(&"b".repeat(64), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((used.id, used.municipality), (kbh, code(KOEBENHAVN)));
    assert_eq!(used.last_used_at, Some(now));
    assert_eq!(
        store.list_system_tokens(code(KOEGE)).await.unwrap()[0].last_used_at,
        None,
        "using 101's token touches nothing of 259"
    );
    assert!(store
        .use_system_token(&"c".repeat(64), now)
        .await
        .unwrap()
        .is_none());

    // Revoking: only in the token's own municipality, once, and at once.
    assert!(matches!(
        store
            .apply(
                &SetupChange::RevokeSystemToken {
                    municipality: code(KOEGE),
                    token: kbh,
                    revoked_by: "bruger:tovholder@koege.dk".into(),
                },
                &test_audit(Some(code(KOEGE))),
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store
        .use_system_token(&"b".repeat(64), now)
        .await
        .unwrap()
        .is_some());
    let revoke = SetupChange::RevokeSystemToken {
        municipality: code(KOEGE),
        token: koege,
        revoked_by: "bruger:tovholder@koege.dk".into(),
    };
    store
        .apply(&revoke, &test_audit(Some(code(KOEGE))))
        .await
        .unwrap();
    assert!(store
        .use_system_token(&"a".repeat(64), now)
        .await
        .unwrap()
        .is_none());
    let revoked = &store.list_system_tokens(code(KOEGE)).await.unwrap()[0];
    assert!(revoked.is_revoked());
    assert_eq!(
        revoked.revoked_by.as_deref(),
        Some("bruger:tovholder@koege.dk")
    );
    assert!(matches!(
        store.apply(&revoke, &test_audit(Some(code(KOEGE)))).await,
        Err(StoreError::NotFound(_))
    ));
    // The audit log has the changes but never a token's hash.
    let audit = store.list_audit(None, 100).await.unwrap();
    assert!(audit.iter().all(|a| {
        !a.entry
            .after_json
            .clone()
            .unwrap_or_default()
            .contains("aaaa")
            && !a
                .entry
                .before_json
                .clone()
                .unwrap_or_default()
                .contains("aaaa")
    }));
}

pub async fn api_batches_are_found_by_name_and_stored_once(store: &dyn Store) {
    with_reference(store).await;
    let api = |municipality: u16, name: &str, sha: &str| NewBatch {
        municipality: Some(code(municipality)),
        kind: BatchKind::Api,
        file_name: name.into(),
        sha256: sha.into(),
        fingerprint: None,
        created_by: "system:Kø-system".into(),
    };
    let first = store.create_batch(&api(KOEGE, "kø-1", "s1")).await.unwrap();
    let found = store
        .find_batch_named(code(KOEGE), BatchKind::Api, "kø-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, found.sha256.as_str()), (first, "s1"));
    assert!(store
        .find_batch_named(code(KOEBENHAVN), BatchKind::Api, "kø-1")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_batch_named(code(KOEGE), BatchKind::Codebook, "kø-1")
        .await
        .unwrap()
        .is_none());

    // While one copy is loading or committed, no second live API batch with
    // the same identity or the same name can be opened in the municipality.
    assert!(matches!(
        store.create_batch(&api(KOEGE, "kø-2", "s1")).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.create_batch(&api(KOEGE, "kø-1", "s2")).await,
        Err(StoreError::Conflict(_))
    ));
    store
        .create_batch(&api(KOEBENHAVN, "kø-1", "s1"))
        .await
        .unwrap();
    // Unnamed batches differ by identity only; other kinds are not limited.
    store.create_batch(&api(KOEGE, "", "s3")).await.unwrap();
    store.create_batch(&api(KOEGE, "", "s4")).await.unwrap();
    store.create_batch(&batch(Some(KOEGE), "s1")).await.unwrap();
    store.create_batch(&batch(Some(KOEGE), "s1")).await.unwrap();

    store.commit_batch(first, &[]).await.unwrap();
    assert!(store.create_batch(&api(KOEGE, "kø-1", "s1")).await.is_err());
    // A deleted batch frees its identity and its name.
    store.delete_batch(Some(code(KOEGE)), first).await.unwrap();
    assert!(store
        .find_batch_named(code(KOEGE), BatchKind::Api, "kø-1")
        .await
        .unwrap()
        .is_none());
    store.create_batch(&api(KOEGE, "kø-1", "s1")).await.unwrap();
}
