//! A read replica (`komhen serve --read-database-url`) with a real
//! PostgreSQL streaming replica of the test server: the portal, its API
//! and reports on published periods are read from the replica, while every
//! write and every unpublished figure stays on the primary; when the
//! replica stops, the same pages answer from the primary and the log says
//! so; when it answers again, it is used again.
//!
//! PostgreSQL only: SQLite has no replicas. On SQLite the test says so and
//! ends.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{demo_app, demo_period, log_in_demo};
use komhen_backend::replica_server::ReplicaServer;
use komhen_backend::testing::TEST_DATABASE_ENV;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// What the log said, line by line.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn get(router: &axum::Router, path: &str, cookie: &str) -> (StatusCode, String) {
    let mut request = Request::get(path);
    if !cookie.is_empty() {
        request = request.header(header::COOKIE, cookie);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 50_000_000)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Køge's inquiries in a report of the API.
async fn inquiries(router: &axum::Router, cookie: &str, from: &str, to: &str) -> i64 {
    let (status, body) = get(
        router,
        &format!("/api/v1/report?kommune=259&fra={from}&til={to}"),
        cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["total"]["inquiries"].as_i64().unwrap()
}

/// 1 000 inquiries for Køge on the day.
async fn add_inquiries(store: &dyn komhen_store::Store, day: chrono::NaiveDate) {
    let at = day.and_hms_opt(9, 30, 0).unwrap().and_utc();
    common::add_inquiries(store, 259, at, 1_000, false).await;
}

#[tokio::test]
async fn published_figures_are_read_from_the_replica_and_from_the_primary_when_it_stops() {
    let Some(primary_url) = std::env::var(TEST_DATABASE_ENV)
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("a read replica is PostgreSQL's: nothing to test on SQLite");
        return;
    };
    let log = Log::default();
    let writer = log.clone();
    let _logging = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish(),
    );
    let mut server = ReplicaServer::start(&primary_url);
    let app = demo_app().await;
    let database = app.db.url.rsplit('/').next().unwrap().to_owned();
    let replica = Arc::new(komhen_web::Replica::new(
        komhen_backend::open_replica(&server.url_of(&database)).unwrap(),
        "the test's replica",
    ));
    let routed = komhen_web::router_with(
        app.db.store.clone(),
        komhen_web::Options {
            replica: Some(replica.clone()),
            ..komhen_web::Options::default()
        },
    );
    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    let published = demo_period(&app, 2025).await;
    let open = demo_period(&app, 2026).await;
    let (p_from, p_to) = (
        published.starts_on.to_string(),
        published.ends_on.to_string(),
    );
    let (o_from, o_to) = (open.starts_on.to_string(), open.ends_on.to_string());
    server.catch_up();
    assert!(replica.check().await, "the replica answers");

    // Hold the replica where it is, and change the primary behind it.
    let published_before = inquiries(&routed, &coordinator, &p_from, &p_to).await;
    let open_before = inquiries(&routed, &coordinator, &o_from, &o_to).await;
    server.pause();
    add_inquiries(app.store(), published.starts_on).await;
    add_inquiries(app.store(), open.starts_on).await;
    let period_2026 = app
        .store()
        .list_periods(None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.period.year == 2026)
        .unwrap();
    komhen_core::setup::catalogue::set_published(
        app.store(),
        &komhen_core::accounts::access::Actor::command_line(),
        period_2026.id,
        true,
        chrono::Utc::now(),
    )
    .await
    .unwrap();

    // The portal and its API read the replica: 2026 is not published there.
    let (status, periods) = get(&routed, "/api/v1/public/periods", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(periods.contains("Efterår 2025"), "{periods}");
    assert!(
        !periods.contains("Efterår 2026"),
        "read from the replica: {periods}"
    );
    let (_, on_primary) = get(&app.router, "/api/v1/public/periods", "").await;
    assert!(
        on_primary.contains("Efterår 2026"),
        "the primary has it: {on_primary}"
    );
    let choice = format!("value=\"{}\"", period_2026.id.0);
    let (status, start) = get(&routed, "/", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!start.contains(&choice), "the start page reads the replica");
    let (_, start) = get(&app.router, "/", "").await;
    assert!(
        start.contains(&choice),
        "2026 is a choice on the primary's start page"
    );

    // A report on the published period reads the replica too; the 2026
    // report was asked while 2026 was unpublished, so the primary answered
    // it with the new inquiries at once.
    assert_eq!(
        inquiries(&routed, &coordinator, &p_from, &p_to).await,
        published_before,
        "the published period's report is the replica's"
    );
    assert_eq!(
        inquiries(&app.router, &coordinator, &p_from, &p_to).await,
        published_before + 1_000,
        "the primary has the new inquiries"
    );

    // An unpublished figure stays on the primary: unpublish 2026 again
    // (the replica still has it unpublished, and is paused).
    komhen_core::setup::catalogue::set_published(
        app.store(),
        &komhen_core::accounts::access::Actor::command_line(),
        period_2026.id,
        false,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(
        inquiries(&routed, &coordinator, &o_from, &o_to).await,
        open_before + 1_000,
        "an unpublished period's report is the primary's"
    );

    // A write through the routed server lands on the primary: a login.
    let login = app.log_in(
        "tovholder@koege.example",
        komhen_core::demo::DEMO_USER_PASSWORD,
    );
    assert_eq!(login.await.status, StatusCode::SEE_OTHER);

    // The replica stops: the same pages answer, from the primary, and the
    // log says so.
    server.resume();
    server.stop();
    let (status, periods) = get(&routed, "/api/v1/public/periods", "").await;
    assert_eq!(status, StatusCode::OK, "{periods}");
    assert!(
        log.text().contains(
            "the read replica does not answer: published figures are read from the primary"
        ),
        "{}",
        log.text()
    );
    assert!(!replica.is_up());
    assert_eq!(
        inquiries(&routed, &coordinator, &p_from, &p_to).await,
        published_before + 1_000,
        "the primary answers the published period's report"
    );
    let (status, _) = get(&routed, "/rangliste", "").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(&routed, "/kommuner/259", "").await;
    assert_eq!(status, StatusCode::OK);

    // It starts again: the watch takes it back.
    server.restart();
    server.catch_up();
    assert!(replica.check().await, "the replica answers again");
    assert!(log.text().contains("the read replica answers again"));
    assert_eq!(
        inquiries(&routed, &coordinator, &p_from, &p_to).await,
        published_before + 1_000,
        "the replica has caught up"
    );
}
