//! Checks of sessions and logins: expiry, throttling per login and address,
//! unit passwords and test mode, and the unit and municipality a unit
//! session comes with.

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

pub async fn sessions_expire_and_record_unit_logins(store: &dyn Store) {
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

    store.record_unit_login(unit, now).await.unwrap();
    let row = store.find_unit_by_login("259bs").await.unwrap().unwrap();
    assert_eq!(row.last_login_at, Some(now));
}

pub async fn login_failures_count_per_login_and_address(store: &dyn Store) {
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let minutes = chrono::Duration::minutes;
    let forget = now - chrono::Duration::hours(24);
    let (attacker, colleague) = ("192.0.2.66", "198.51.100.7");
    for (n, at) in [minutes(3), minutes(2), minutes(1)].into_iter().enumerate() {
        let failures = store
            .record_login_failure("259bs", attacker, now - at, forget)
            .await
            .unwrap();
        assert_eq!(failures, n as i64 + 1, "failures in a row of the pair");
    }
    assert_eq!(
        store
            .record_login_failure("259bs", colleague, now, forget)
            .await
            .unwrap(),
        1,
        "another address counts on its own"
    );
    let returning = "203.0.113.9";
    let two_days_ago = now - chrono::Duration::days(2);
    for at in [two_days_ago, two_days_ago, now] {
        store
            .record_login_failure("259bs", returning, at, forget)
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .record_login_failure("259bs", returning, now, forget)
            .await
            .unwrap(),
        2,
        "failures long ago are forgotten"
    );
    for login in ["259sek", "259jc", "x@koege.dk"] {
        store
            .record_login_failure(login, attacker, now - minutes(90), forget)
            .await
            .unwrap();
    }
    store
        .record_login_failure("259sek", attacker, now, forget)
        .await
        .unwrap();
    assert_eq!(
        store
            .count_failing_logins(attacker, now - minutes(60))
            .await
            .unwrap(),
        2,
        "259bs and 259sek failed within the hour; each login once"
    );
    assert_eq!(
        store
            .count_failing_logins(colleague, now - minutes(60))
            .await
            .unwrap(),
        1
    );

    // Waits: the pair's, and the address's as a whole.
    assert_eq!(
        store.login_locked_until("259bs", attacker).await.unwrap(),
        None
    );
    store
        .lock_login(Some("259bs"), attacker, now + minutes(2))
        .await
        .unwrap();
    assert_eq!(
        store.login_locked_until("259bs", attacker).await.unwrap(),
        Some(now + minutes(2))
    );
    assert_eq!(
        store.login_locked_until("259bs", colleague).await.unwrap(),
        None,
        "the same login from another address does not wait"
    );
    assert_eq!(
        store.login_locked_until("259jc", attacker).await.unwrap(),
        None
    );
    store
        .lock_login(None, attacker, now + minutes(1))
        .await
        .unwrap();
    store
        .lock_login(None, attacker, now + minutes(4))
        .await
        .unwrap();
    assert_eq!(
        store.login_locked_until("259jc", attacker).await.unwrap(),
        Some(now + minutes(4)),
        "the address waits as a whole, the latest lock counts"
    );
    assert_eq!(
        store.login_locked_until("259bs", attacker).await.unwrap(),
        Some(now + minutes(4)),
        "the later of the pair's and the address's wait"
    );
    assert_eq!(
        store.login_locked_until("259jc", "unknown").await.unwrap(),
        None
    );

    // A success forgets the pair only.
    store
        .clear_login_failures("259bs", colleague)
        .await
        .unwrap();
    assert_eq!(
        store
            .count_failing_logins(colleague, now - minutes(60))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .record_login_failure("259bs", colleague, now, forget)
            .await
            .unwrap(),
        1
    );

    // Pruning keeps what still counts or waits.
    store.prune_sessions(now, now - minutes(60)).await.unwrap();
    assert_eq!(
        store
            .count_failing_logins(attacker, now - chrono::Duration::days(9))
            .await
            .unwrap(),
        2,
        "259jc and x@ failed 90 minutes ago: pruned; 259bs and 259sek stay"
    );
    assert_eq!(
        store.login_locked_until("259jc", attacker).await.unwrap(),
        Some(now + minutes(4))
    );
    let later = now + minutes(30);
    store.prune_sessions(later, later).await.unwrap();
    assert_eq!(
        store.login_locked_until("259jc", attacker).await.unwrap(),
        None,
        "an ended address lock is removed"
    );
    assert_eq!(
        store
            .count_failing_logins(attacker, now - chrono::Duration::days(9))
            .await
            .unwrap(),
        0
    );
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
