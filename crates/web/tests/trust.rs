//! Hardening against a hostile-but-fair caller: no address of this site
//! sends a browser to another site, whatever `tilbage` holds, and a report
//! link that names a unit or task outside the reader's municipality is
//! refused rather than answered with nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{demo_app, log_in_demo, App};

/// Backslashes, tabs and line breaks a browser would turn into another host
/// or a header, percent-encoded as they arrive.
const HOSTILE: &[&str] = &[
    "/%5Cevil.example",
    "/%09/evil.example",
    "/%0D%0ASet-Cookie:%20x=1",
    "//evil.example",
    "https://evil.example",
];

#[tokio::test]
async fn the_language_switch_never_leads_to_another_site() {
    let app = App::new().await;
    for back in HOSTILE {
        let reply = app.get(&format!("/sprog?til=en&tilbage={back}"), "").await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{back}: {}",
            reply.body
        );
        assert_eq!(reply.location, "/registrering", "{back}");
    }
    let home = app
        .get("/sprog?til=da&tilbage=/registrering/skema", "")
        .await;
    assert_eq!(
        home.location, "/registrering/skema",
        "a path of this site is kept"
    );
}

#[tokio::test]
async fn the_login_form_never_carries_a_hostile_way_back() {
    let app = App::new().await;
    for back in HOSTILE {
        let page = app.get(&format!("/log-ind?tilbage={back}"), "").await;
        assert_eq!(page.status, StatusCode::OK, "{back}");
        assert!(!page.body.contains("evil.example"), "{back}: {}", page.body);
        assert!(!page.body.contains("Set-Cookie"), "{back}");
    }
}

#[tokio::test]
async fn report_links_naming_another_municipality_s_unit_or_an_unknown_task_are_refused() {
    let app = demo_app().await;
    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    let known = app
        .get("/kommune/259/tal?enhed=259borgerservice", &coordinator)
        .await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.body);
    for (path, says) in [
        ("/kommune/259/tal?enhed=751bs", "Ukendt enhed"),
        ("/kommune/259/tal?opgave=999999999", "Ukendt opgave"),
        ("/kommune/259/tal/pivot?enhed=751bs", "Ukendt enhed"),
    ] {
        let reply = app.get(path, &coordinator).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            reply.body
        );
        assert!(reply.body.contains(says), "{path}: {}", reply.body);
    }
    let api = app
        .get("/api/v1/report?kommune=259&enhed=751bs", &coordinator)
        .await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST, "{}", api.body);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_personal_pages_are_not_cached() {
    let app = demo_app().await;
    let header = |reply: &common::Reply, name: &str| {
        reply
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    let personal = app.get("/kommune/259/tal", &coordinator).await;
    let public = app.get("/", "").await;
    let missing = app.get("/findes-ikke", "").await;
    for reply in [&personal, &public, &missing] {
        let policy = header(reply, "content-security-policy");
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert_eq!(header(reply, "x-frame-options"), "DENY");
        assert_eq!(header(reply, "x-content-type-options"), "nosniff");
        assert_eq!(header(reply, "referrer-policy"), "same-origin");
    }
    assert_eq!(personal.status, StatusCode::OK);
    assert_eq!(header(&personal, "cache-control"), "no-store");
    let script = app.get("/static/charts.js", "").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(
        header(&script, "cache-control").starts_with("public"),
        "the site's own files stay cacheable"
    );
    assert!(
        !public.headers.contains_key("strict-transport-security"),
        "no HSTS unless the operator says komhen is reached only over HTTPS"
    );
}

#[tokio::test]
async fn with_hsts_every_answer_keeps_browsers_on_https() {
    let mut app = App::new().await;
    app.router = komhen_web::router_with(
        app.db.store.clone(),
        komhen_web::Options {
            hsts: true,
            ..komhen_web::Options::default()
        },
    );
    for path in ["/", "/log-ind", "/findes-ikke", "/static/charts.js"] {
        let reply = app.get(path, "").await;
        let hsts = reply
            .headers
            .get("strict-transport-security")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert_eq!(
            hsts,
            format!(
                "max-age={}; includeSubDomains",
                komhen_web::HSTS_MAX_AGE_SECONDS
            ),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_report_api_without_a_session_answers_401_in_json() {
    let app = App::new().await;
    let reply = app.get("/api/v1/report?kommune=259", "").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert!(
        reply.content_type.starts_with("application/json"),
        "{}",
        reply.content_type
    );
    assert_eq!(reply.json()["errors"][0]["code"], "not_signed_in");
    let page = app.get("/kommune/259/tal", "").await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "a page still sends a browser to log in"
    );
}

#[tokio::test]
async fn a_refused_invitation_creates_nobody() {
    let app = App::new().await;
    let other_unit = app.add_unit(101, "101borgerservice", None).await;
    let (cookie, csrf) = app
        .invited(
            "tovholder@koege.dk",
            komhen_core::accounts::account::Grant {
                role: komhen_domain::Role::Coordinator,
                municipality: Some(common::koege()),
                unit: None,
            },
            "/kommune/259/brugere",
        )
        .await;
    let unit = other_unit.0.to_string();
    let refused = app
        .post(
            "/kommune/259/brugere",
            &cookie,
            &[
                ("csrf", &csrf),
                ("email", "ny@koege.dk"),
                ("name", "Ny Person"),
                ("role", "unit_lead"),
                ("unit", &unit),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Enheden findes ikke"),
        "{}",
        refused.body
    );
    assert!(
        app.store()
            .find_user_by_email("ny@koege.dk")
            .await
            .unwrap()
            .is_none(),
        "the refused invitation left a user behind"
    );
}
