//! Published periods are frozen: once the national administrator has
//! published a period, what the public sees of it (pages, downloads, the
//! public API) stays byte for byte the same after a system posts rows dated
//! in it, a unit is created and an implausible delivery is refused; the late
//! rows wait as a correction, and only approving it changes the figures,
//! visibly ("rettet den ..."). Through the real routes, on the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{code, csrf_of, demo_app, log_in_demo, App, KOEGE};
use komhen_core::accounts::access::Actor;
use serde_json::json;

/// The public pages and downloads of a period.
fn public_paths(id: i64) -> Vec<String> {
    vec![
        format!("/?periode={id}"),
        format!("/?periode={id}&maal=deltagelse"),
        format!("/rangliste?periode={id}&maal=pr1000"),
        format!("/rangliste?periode={id}&maal=deltagelse"),
        format!("/kommuner/{KOEGE}?periode={id}"),
        "/kommuner".to_owned(),
        "/landstal".to_owned(),
        format!("/api/v1/public/metrics?periode={id}"),
        format!("/api/v1/public/metrics?periode={id}&format=csv"),
    ]
}

/// What a restarted server (no cache) answers on each public path.
async fn public_view(app: &mut App, id: i64) -> Vec<(String, String)> {
    app.router = komhen_web::router(app.db.store.clone());
    let mut out = Vec::new();
    for path in public_paths(id) {
        let reply = app.get(&path, "").await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        out.push((path, reply.body));
    }
    out
}

async fn deliver(app: &App, token: &str, body: &serde_json::Value) -> common::Reply {
    app.send(
        Request::post("/api/v1/registrations")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

fn rows(time: &str, quantity: i64, count: usize) -> serde_json::Value {
    json!({
        "registrations": (0..count).map(|i| json!({
            "task": "23.09.02",
            "channel": "TLFIND",
            "time": time,
            "quantity": quantity + i as i64 % 2,
        })).collect::<Vec<_>>()
    })
}

#[tokio::test]
async fn a_published_period_keeps_its_public_figures_until_a_correction_is_approved() {
    let mut app = demo_app().await;
    let store = app.db.store.clone();
    let store = store.as_ref();
    let period = store
        .list_periods(None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.period.year == 2026 && p.municipality.is_none())
        .unwrap();
    let id = period.id.0;
    let admin = log_in_demo(&app, "admin@komhen.example").await;
    let csrf = csrf_of(&app.get("/admin/perioder", &admin).await.body);
    let published = app
        .post(
            &format!("/admin/perioder/{id}/offentliggoer"),
            &admin,
            &[("csrf", &csrf), ("publish", "ja"), ("confirm", "ja")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let before = public_view(&mut app, id).await;

    // A system posts 1,000 rows dated in the published period.
    let token = komhen_core::setup::systems::issue_token(
        store,
        &Actor::command_line(),
        code(KOEGE),
        "Kø-system",
    )
    .await
    .unwrap()
    .token;
    let late = deliver(
        &app,
        &token,
        &rows("2026-10-21T10:15:00+02:00", 5_000, 1_000),
    )
    .await;
    assert_eq!(late.status, StatusCode::ACCEPTED, "{}", late.body);
    let answer = late.json();
    assert_eq!(answer["held"], true);
    assert!(
        answer["note"]
            .as_str()
            .unwrap()
            .contains("1.000 af rækkerne ligger i Efterår 2026"),
        "{answer}"
    );
    // An implausible delivery is refused whole, with the limit named.
    let absurd = deliver(
        &app,
        &token,
        &rows("2026-11-20T10:15:00+02:00", 99_999_999, 20),
    )
    .await;
    assert_eq!(
        absurd.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        absurd.body
    );
    assert!(absurd.body.contains("1.000.000.000"), "{}", absurd.body);
    // A unit created today does not change the period's participation.
    app.add_unit(KOEGE, "259ny", None).await;
    let after = public_view(&mut app, id).await;
    for ((path, was), (_, is)) in before.iter().zip(&after) {
        if was != is {
            let diff: Vec<(&str, &str)> = was
                .lines()
                .zip(is.lines())
                .filter(|(a, b)| a != b)
                .take(3)
                .collect();
            panic!("{path} changed after late writes: {diff:?}");
        }
    }

    // The national administrator sees the correction and approves it.
    let page = app.get("/admin/rettelser", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Efterår 2026"), "{}", page.body);
    let batch = answer["batch"].as_i64().unwrap();
    assert!(page.body.contains(&format!("data-batch=\"{batch}\"")));
    let csrf = csrf_of(&page.body);
    let approved = app
        .post(
            &format!("/admin/rettelser/{batch}/godkend"),
            &admin,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let corrected = public_view(&mut app, id).await;
    let metrics = &corrected
        .iter()
        .find(|(p, _)| p.starts_with("/api/v1/public/metrics") && !p.contains("csv"))
        .unwrap()
        .1;
    assert_ne!(metrics, &before[7].1, "the approved correction counts");
    let page = &corrected[4].1;
    assert!(
        page.contains("Tallene er rettet efter offentliggørelsen"),
        "{page}"
    );
    assert!(page.contains("Rettelse godkendt"), "{page}");
    let periods = app.get("/api/v1/public/periods", "").await.json();
    let listed = periods["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(
        listed["corrections"].as_array().unwrap().len(),
        1,
        "{listed}"
    );
    // The approval is in the audit log.
    let national = store.list_audit(None, 100).await.unwrap();
    assert!(national
        .iter()
        .any(|e| e.entry.action == "correct" && e.entry.entity == "period"));
    let own = store.list_audit(Some(code(KOEGE)), 100).await.unwrap();
    assert!(own
        .iter()
        .any(|e| e.entry.action == "approve" && e.entry.entity == "correction"));
}
