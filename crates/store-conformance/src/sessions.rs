//! Checks of sessions and logins: expiry, throttling, unit passwords and test
//! mode, and the unit and municipality a unit session comes with.

use chrono::{TimeZone, Utc};
use komhen_domain::*;
use komhen_store::*;

use crate::fixtures::*;

/// A Køge unit's session of twelve hours from `now`.
fn unit_session(unit: UnitId, now: chrono::DateTime<Utc>) -> NewSession {
    NewSession {
        token_hash: "a".repeat(64),
        municipality: Some(code(KOEGE)),
        unit: Some(unit),
        user: None,
        csrf_token: "csrf".into(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(12),
    }
}

pub async fn sessions_expire_and_logins_are_throttled(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let session = unit_session(unit, now);
    store.create_session(&session).await.unwrap();
    assert_eq!(
        store.find_session(&session.token_hash, now).await.unwrap(),
        Some(session.clone())
    );
    assert!(
        store
            .find_session(&session.token_hash, session.expires_at)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(store
        .find_session(&"b".repeat(64), now)
        .await
        .unwrap()
        .is_none());
    let neither = NewSession {
        token_hash: "c".repeat(64),
        unit: None,
        ..session.clone()
    };
    assert!(matches!(
        store.create_session(&neither).await,
        Err(StoreError::Invalid(_))
    ));
    store.prune_sessions(now, now).await.unwrap();
    assert!(
        store
            .find_session(&session.token_hash, now)
            .await
            .unwrap()
            .is_some(),
        "not yet expired"
    );
    store.delete_session(&session.token_hash).await.unwrap();
    assert!(store
        .find_session(&session.token_hash, now)
        .await
        .unwrap()
        .is_none());

    for minutes in [1, 2, 3] {
        store
            .record_login_failure("259bs", now - chrono::Duration::minutes(minutes))
            .await
            .unwrap();
    }
    store
        .record_login_failure("259bs", now - chrono::Duration::hours(2))
        .await
        .unwrap();
    store.record_login_failure("259sek", now).await.unwrap();
    assert_eq!(
        store
            .count_login_failures("259bs", now - chrono::Duration::minutes(15))
            .await
            .unwrap(),
        3
    );
    store
        .prune_sessions(now, now - chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .count_login_failures("259bs", now - chrono::Duration::days(1))
            .await
            .unwrap(),
        3
    );
    store.clear_login_failures("259bs").await.unwrap();
    assert_eq!(
        store
            .count_login_failures("259bs", now - chrono::Duration::days(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_login_failures("259sek", now - chrono::Duration::days(1))
            .await
            .unwrap(),
        1
    );

    store.record_unit_login(unit, now).await.unwrap();
    let row = store.find_unit_by_login("259bs").await.unwrap().unwrap();
    assert_eq!(row.last_login_at, Some(now));
}

pub async fn unit_passwords_and_test_mode_are_set_per_municipality(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    assert!(matches!(
        store
            .set_unit_password(code(KOEBENHAVN), unit, Some("x"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .set_unit_password(code(KOEGE), unit, Some("$argon2id$hash"))
        .await
        .unwrap();
    let row = store.find_unit_by_login("259bs").await.unwrap().unwrap();
    assert_eq!(row.password_hash.as_deref(), Some("$argon2id$hash"));

    let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let until = now + chrono::Duration::hours(2);
    store
        .set_test_mode(code(KOEGE), true, Some(until))
        .await
        .unwrap();
    let koege = store.get_municipality(code(KOEGE)).await.unwrap().unwrap();
    assert_eq!(
        (koege.test_mode, koege.test_mode_until),
        (true, Some(until))
    );
    assert!(koege.in_test_mode(now));
    assert!(!koege.in_test_mode(until), "switches off by itself");
    assert!(
        !store
            .get_municipality(code(KOEBENHAVN))
            .await
            .unwrap()
            .unwrap()
            .test_mode
    );
    store
        .set_test_mode(code(KOEGE), false, Some(until))
        .await
        .unwrap();
    let off = store.get_municipality(code(KOEGE)).await.unwrap().unwrap();
    assert_eq!((off.test_mode, off.test_mode_until), (false, None));
}

pub async fn unit_sessions_come_with_their_unit_and_municipality(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let session = unit_session(unit, now);
    store.create_session(&session).await.unwrap();
    let found = store
        .find_unit_session(&session.token_hash, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.session, session);
    assert_eq!(found.unit.id, unit);
    assert_eq!(found.unit.login, "259bs");
    assert_eq!(
        Some(found.municipality.clone()),
        store.get_municipality(code(KOEGE)).await.unwrap()
    );
    assert!(store
        .find_unit_session(&session.token_hash, session.expires_at)
        .await
        .unwrap()
        .is_none());

    // A personal user's session is not a unit session.
    let user = store
        .create_user(&NewUser {
            email: "tovholder@koege.dk".into(),
            name: "Tovholder".into(),
            password_hash: None,
        })
        .await
        .unwrap();
    let personal = NewSession {
        token_hash: "d".repeat(64),
        unit: None,
        user: Some(user),
        ..session.clone()
    };
    store.create_session(&personal).await.unwrap();
    assert!(store
        .find_unit_session(&personal.token_hash, now)
        .await
        .unwrap()
        .is_none());
}
