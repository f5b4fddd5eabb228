//! Login throttling through the real login route: wrong passwords hold back
//! the address they come from, never the unit's login for everyone; waits
//! grow, an address spraying many logins waits as a whole, and every wait
//! is in the audit log. The clock is moved, never slept on.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::{header, StatusCode};
use common::*;
use komhen_core::accounts::auth::{PAIR_FAILURES, SPRAY_LOGINS};

const ATTACKER: &str = "192.0.2.66";
const COLLEAGUE: &str = "198.51.100.7";
const UNIT: &str = "259borgerservice";

async fn app_with_unit() -> App {
    let app = App::new().await;
    app.add_unit(KOEGE, UNIT, None).await;
    app
}

/// The `Retry-After` seconds of a throttled reply.
fn retry_after(reply: &Reply) -> i64 {
    reply
        .headers
        .get(header::RETRY_AFTER)
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Wrong passwords from `from` until the pair is held back.
async fn fail_until_throttled(app: &App, from: &str, login: &str) {
    for n in 1..=PAIR_FAILURES {
        let wrong = app.log_in_from(from, login, "gæt").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "failure {n}");
        assert!(wrong.body.contains("Forkert login eller adgangskode."));
    }
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_the_unit_out_elsewhere() {
    let app = app_with_unit().await;
    fail_until_throttled(&app, ATTACKER, UNIT).await;
    let held = app.log_in_from(ATTACKER, UNIT, PASSWORD).await;
    assert_eq!(
        held.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the attacking address waits, even with the right password"
    );
    assert!(held.cookie.is_none());

    let colleague = app
        .log_in_from(COLLEAGUE, "259BorgerService", PASSWORD)
        .await;
    assert_eq!(
        colleague.status,
        StatusCode::SEE_OTHER,
        "{}",
        colleague.body
    );
    assert_eq!(colleague.location, "/registrering");
    assert!(colleague.cookie.is_some());

    // The colleague's own slip is counted on its own and forgotten by the success.
    for _ in 0..PAIR_FAILURES - 1 {
        app.log_in_from(COLLEAGUE, UNIT, "gæt").await;
    }
    let back_in = app.log_in_from(COLLEAGUE, UNIT, PASSWORD).await;
    assert_eq!(back_in.status, StatusCode::SEE_OTHER);
    let slip = app.log_in_from(COLLEAGUE, UNIT, "gæt").await;
    assert_eq!(
        slip.status,
        StatusCode::UNAUTHORIZED,
        "counting starts again"
    );
}

#[tokio::test]
async fn the_waiting_pair_is_told_how_long_and_each_failure_doubles_the_wait() {
    let app = app_with_unit().await;
    fail_until_throttled(&app, ATTACKER, UNIT).await;
    let first = app.log_in_from(ATTACKER, UNIT, "gæt").await;
    assert_eq!(first.status, StatusCode::TOO_MANY_REQUESTS);
    assert!((59..=60).contains(&retry_after(&first)), "one minute");
    assert!(
        first
            .body
            .contains("For mange forkerte forsøg fra denne adresse. Prøv igen om 1 minut."),
        "{}",
        first.body
    );

    let mut waits = vec![retry_after(&first)];
    for _ in 0..3 {
        app.clock
            .advance(chrono::Duration::seconds(waits[waits.len() - 1] + 1));
        let again = app.log_in_from(ATTACKER, UNIT, "gæt").await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED, "the wait is over");
        let held = app.log_in_from(ATTACKER, UNIT, PASSWORD).await;
        assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
        waits.push(retry_after(&held));
    }
    let minutes: Vec<i64> = waits.iter().map(|s| (s + 59) / 60).collect();
    assert_eq!(minutes, [1, 2, 4, 8], "{waits:?}");
    let last = app.log_in_from(ATTACKER, UNIT, PASSWORD).await;
    assert!(last.body.contains("Prøv igen om 8 minutter."));

    // In English the page says it in English.
    let mut request = login_request(ATTACKER, UNIT, "x");
    let english_pages = header::HeaderValue::from_static("komhen_lang=en");
    request.headers_mut().insert(header::COOKIE, english_pages);
    let english = app.send(request).await;
    assert_eq!(english.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(english
        .body
        .contains("Too many wrong attempts from this address. Try again in 8 minutes."));

    // Once the wait is over, the right password gets in.
    app.clock.advance(chrono::Duration::minutes(9));
    let right = app.log_in_from(ATTACKER, UNIT, PASSWORD).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.body);
}

#[tokio::test]
async fn one_address_spraying_many_logins_waits_as_a_whole() {
    let app = app_with_unit().await;
    let mut statuses = Vec::new();
    for n in 0..30 {
        let reply = app
            .log_in_from(ATTACKER, &format!("259gaet{n}"), "sommer2026")
            .await;
        statuses.push(reply.status);
    }
    let refused = usize::try_from(SPRAY_LOGINS).unwrap();
    assert!(statuses[..refused]
        .iter()
        .all(|s| *s == StatusCode::UNAUTHORIZED));
    assert!(
        statuses[refused..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let held = app.log_in_from(ATTACKER, UNIT, PASSWORD).await;
    assert_eq!(
        held.status,
        StatusCode::TOO_MANY_REQUESTS,
        "every login from that address waits"
    );
    assert!(retry_after(&held) > 0);
    let colleague = app.log_in_from(COLLEAGUE, UNIT, PASSWORD).await;
    assert_eq!(colleague.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_wait_begun_is_in_the_audit_log() {
    let app = app_with_unit().await;
    fail_until_throttled(&app, ATTACKER, UNIT).await;
    let entries = app.store().list_audit(Some(koege()), 50).await.unwrap();
    let lock = entries
        .iter()
        .find(|e| e.entry.action == "lock")
        .expect("the unit's municipality sees the wait");
    assert_eq!(lock.entry.entity, "login");
    assert_eq!(lock.entry.entity_id, UNIT);
    assert_eq!(lock.entry.actor, format!("adresse:{ATTACKER}"));
    let after: serde_json::Value =
        serde_json::from_str(lock.entry.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["address"], ATTACKER);
    assert_eq!(after["failures"], PAIR_FAILURES);
    assert_eq!(after["minutes"], 1);
    assert!(after["locked_until"].is_string());

    for n in 0..SPRAY_LOGINS {
        app.log_in_from(COLLEAGUE, &format!("spray{n}@example.dk"), "x")
            .await;
    }
    let everywhere = app.store().list_audit(None, 50).await.unwrap();
    let whole = everywhere
        .iter()
        .find(|e| e.entry.entity == "address")
        .expect("the address's wait");
    assert_eq!(whole.entry.action, "lock");
    assert_eq!(whole.entry.entity_id, COLLEAGUE);
    assert_eq!(whole.entry.municipality, None);
}

/// A login posted through a reverse proxy at 127.0.0.1 that says the
/// client is `forwarded`.
async fn log_in_via_proxy(app: &App, forwarded: &str, password: &str) -> Reply {
    let mut request = login_request("127.0.0.1", UNIT, password);
    let forwarded = header::HeaderValue::from_str(forwarded).unwrap();
    request.headers_mut().insert("x-forwarded-for", forwarded);
    app.send(request).await
}

#[tokio::test]
async fn behind_a_proxy_the_right_most_forwarded_address_counts() {
    let mut app = app_with_unit().await;
    app.router = komhen_web::router_with(
        app.db.store.clone(),
        komhen_web::Options {
            behind_proxy: true,
            clock: app.clock.clone(),
            ..komhen_web::Options::default()
        },
    );
    for n in 0..PAIR_FAILURES {
        // What the client claims (left) does not decide; the proxy's entry does.
        let claimed = format!("203.0.113.{n}, {ATTACKER}");
        let wrong = log_in_via_proxy(&app, &claimed, "gæt").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let held = log_in_via_proxy(&app, ATTACKER, PASSWORD).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    let colleague = log_in_via_proxy(&app, &format!("{ATTACKER}, {COLLEAGUE}"), PASSWORD).await;
    assert_eq!(
        colleague.status,
        StatusCode::SEE_OTHER,
        "all behind one proxy, yet only the attacker waits"
    );
}

#[tokio::test]
async fn a_program_asking_for_json_is_refused_in_json() {
    let app = app_with_unit().await;
    let post = |password: &str| {
        let mut request = login_request(ATTACKER, UNIT, password);
        let json = header::HeaderValue::from_static("application/json");
        request.headers_mut().insert(header::ACCEPT, json);
        request
    };
    for _ in 0..PAIR_FAILURES {
        let wrong = app.send(post("gæt")).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.json()["errors"][0]["code"], "wrong_login");
    }
    let held = app.send(post(PASSWORD)).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(held.content_type.starts_with("application/json"));
    assert!(retry_after(&held) > 0);
    let error = &held.json()["errors"][0];
    assert_eq!(error["code"], "too_many_attempts");
    assert_eq!(
        error["message"],
        "For mange forkerte forsøg fra denne adresse. Prøv igen om 1 minut."
    );
}
