//! The pages through the router, in-process, on the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
mod common;

use komhen_backend::testing::TestStore;
use komhen_domain::{
    ChannelCode, Completion, InquiryType, MunicipalityCode, NewRegistration, Source,
};
use tower::ServiceExt;

struct TestApp {
    db: TestStore,
    router: axum::Router,
}

struct Page {
    status: StatusCode,
    content_type: String,
    body: String,
}

impl TestApp {
    async fn new() -> Self {
        let (db, router) = common::app_with_reference_data().await;
        Self { db, router }
    }

    /// Registers `quantity` inquiries for a municipality, test or not.
    async fn with_registration(self, municipality: u16, quantity: i64, is_test: bool) -> Self {
        let code = MunicipalityCode::new(municipality).unwrap();
        let task = self.db.store.list_tasks(code).await.unwrap().remove(0);
        self.db
            .store
            .insert_registration(&NewRegistration {
                municipality: code,
                unit: None,
                task: task.id,
                channel: ChannelCode::parse("TLFIND").unwrap(),
                inquiry_type: Some(InquiryType::Guidance),
                completion: Some(Completion::AtOnce),
                has_form: None,
                registered_at: chrono::Utc::now(),
                duration_ms: None,
                quantity,
                source: Source::Upload,
                is_test,
                idempotency_key: None,
                answers: vec![],
            })
            .await
            .unwrap();
        self
    }

    async fn get(&self, path: &str) -> Page {
        let response = self
            .router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = axum::body::to_bytes(response.into_body(), 50_000_000)
            .await
            .unwrap();
        Page {
            status,
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

#[tokio::test]
async fn start_page_is_danish_and_counts_the_country() {
    let app = TestApp::new()
        .await
        .with_registration(259, 1_234, false)
        .await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.body.contains(r#"<html lang="da">"#));
    assert!(page.body.contains("Kommunernes henvendelser"));
    assert!(page.body.contains(">98</span>"), "98 municipalities");
    assert!(
        page.body.contains(">1.234</span>"),
        "inquiries in Danish notation"
    );
    assert!(page.body.contains("/static/dkfds/css/dkfds.min.css"));
}

#[tokio::test]
async fn municipality_list_shows_all_98_with_counts_and_never_test_data() {
    let app = TestApp::new()
        .await
        .with_registration(259, 12_500, false)
        .await
        .with_registration(259, 700, true)
        .await
        .with_registration(101, 3, false)
        .await;
    let page = app.get("/kommuner").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("<th scope=\"row\">").count(),
        98,
        "one row per municipality"
    );
    let koege = page.body.split("Køge</th>").nth(1).unwrap();
    assert!(koege.contains("Region Sjælland"));
    assert!(koege.contains("60.979"));
    assert!(
        koege.contains(">12.500</td>"),
        "test registrations are not counted"
    );
    assert!(page.body.contains(">12.503</td>"), "the total");
}

#[tokio::test]
async fn health_answers_with_the_backend() {
    let app = TestApp::new().await;
    let page = app.get("/healthz").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#""status":"ok""#));
    assert!(page.body.contains(app.db.store.backend().name()));
}

#[tokio::test]
async fn design_system_assets_are_embedded() {
    let app = TestApp::new().await;
    let css = app.get("/static/dkfds/css/dkfds.min.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.content_type, "text/css");
    assert!(css.body.len() > 100_000);
    let js = app.get("/static/dkfds/js/dkfds.min.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(app.get("/static/dkfds/img/all-svg-icons.svg").await.status == StatusCode::OK);
    assert!(app.get("/static/app.css").await.status == StatusCode::OK);
    assert_eq!(
        app.get("/static/dkfds/scss/dkfds.scss").await.status,
        StatusCode::NOT_FOUND
    );
    // Every font the stylesheet names in woff2 is there.
    for font in css
        .body
        .split("url(")
        .skip(1)
        .filter_map(|u| u.split(')').next())
    {
        let font = font.trim_matches(|c| c == '"' || c == '\'');
        if font.ends_with(".woff2") {
            let path = format!("/static/dkfds/{}", font.trim_start_matches("../"));
            assert_eq!(app.get(&path).await.status, StatusCode::OK, "{path}");
        }
    }
}

#[tokio::test]
async fn unknown_pages_get_a_danish_404() {
    let app = TestApp::new().await;
    let page = app.get("/findes-ikke").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Siden findes ikke"));
}

#[tokio::test]
async fn about_and_accessibility_pages_exist() {
    let app = TestApp::new().await;
    assert!(app.get("/om").await.body.contains("KOMHEN 2.0"));
    assert!(app.get("/tilgaengelighed").await.body.contains("WCAG 2.1"));
}
