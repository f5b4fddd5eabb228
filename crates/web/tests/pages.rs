//! The pages through the router, in-process, on the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use axum::body::Body;
use axum::http::{Request, StatusCode};
mod common;

use common::App;

/// A moment in the national period of autumn 2025 (weeks 43–45).
fn in_autumn_2025() -> chrono::DateTime<chrono::Utc> {
    "2025-10-21T09:30:00Z".parse().unwrap()
}

impl App {
    /// Creates the national period of autumn 2025 and publishes it (its
    /// submission deadline has passed).
    async fn publish_autumn_2025(self) -> Self {
        use komhen_core::accounts::access::Actor;
        use komhen_core::setup::catalogue::{self, PeriodInput};
        let store = self.db.store.as_ref();
        let input = PeriodInput::national(2025, komhen_domain::Season::Autumn).unwrap();
        let id = catalogue::create_period(store, &Actor::command_line(), &input)
            .await
            .unwrap();
        catalogue::set_published(store, &Actor::command_line(), id, true, chrono::Utc::now())
            .await
            .unwrap();
        self
    }

    /// Registers `quantity` inquiries for a municipality, test or not.
    async fn with_registration(self, municipality: u16, quantity: i64, is_test: bool) -> Self {
        common::add_inquiries(
            self.store(),
            municipality,
            in_autumn_2025(),
            quantity,
            is_test,
        )
        .await;
        self
    }
}

#[tokio::test]
async fn start_page_is_danish_and_counts_only_published_periods() {
    let app = App::new().await.with_registration(259, 1_234, false).await;
    let before = app.get("/", "").await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.content_type.starts_with("text/html"));
    assert!(before.body.contains(r#"<html lang="da">"#));
    assert!(before.body.contains("Kommunernes henvendelser"));
    assert!(before.body.contains(">98</span>"), "98 municipalities");
    assert!(before
        .body
        .contains("Ingen tælleperiode er offentliggjort endnu"));
    assert!(
        !before.body.contains("1.234"),
        "nothing of an unpublished period"
    );
    assert!(before.body.contains("/static/dkfds/css/dkfds.min.css"));

    let app = app.publish_autumn_2025().await;
    let page = app.get("/", "").await;
    assert!(
        page.body.contains(">1.234</span>"),
        "inquiries in Danish notation once published"
    );
    assert!(page.body.contains("id=\"map\""), "the map");
    assert_eq!(page.body.matches("<tr data-code=").count(), 98, "its table");
}

#[tokio::test]
async fn municipality_list_shows_all_98_with_published_counts_and_never_test_data() {
    let app = App::new()
        .await
        .with_registration(259, 12_500, false)
        .await
        .with_registration(259, 700, true)
        .await
        .with_registration(101, 3, false)
        .await;
    let unpublished = app.get("/kommuner", "").await;
    assert!(
        !unpublished.body.contains("12.500"),
        "not before publication"
    );
    let app = app.publish_autumn_2025().await;
    let page = app.get("/kommuner", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("<th scope=\"row\">").count(),
        98,
        "one row per municipality"
    );
    let koege = page.body.split("Køge</a></th>").nth(1).unwrap();
    assert!(koege.contains("Region Sjælland"));
    assert!(koege.contains("60.979"));
    assert!(
        koege.contains(">12.500</td>"),
        "test registrations are not counted"
    );
    let copenhagen = page.body.split("København</a></th>").nth(1).unwrap();
    let cells: Vec<&str> = copenhagen
        .split("</tr>")
        .next()
        .unwrap()
        .split("<td")
        .collect();
    assert!(
        cells.last().unwrap().contains(">–</td>"),
        "3 inquiries are suppressed"
    );
    assert!(page.body.contains(">12.503</td>"), "the national total");
}

#[tokio::test]
async fn health_answers_with_the_backend() {
    let app = App::new().await;
    let page = app.get("/healthz", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#""status":"ok""#));
    assert!(page.body.contains(app.db.store.backend().name()));
}

#[tokio::test]
async fn design_system_assets_are_embedded() {
    let app = App::new().await;
    let css = app.get("/static/dkfds/css/dkfds.min.css", "").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.content_type, "text/css");
    assert!(css.body.len() > 100_000);
    let js = app.get("/static/dkfds/js/dkfds.min.js", "").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(
        app.get("/static/dkfds/img/all-svg-icons.svg", "")
            .await
            .status
            == StatusCode::OK
    );
    assert!(app.get("/static/app.css", "").await.status == StatusCode::OK);
    assert_eq!(
        app.get("/static/dkfds/scss/dkfds.scss", "").await.status,
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
            assert_eq!(app.get(&path, "").await.status, StatusCode::OK, "{path}");
        }
    }
}

#[tokio::test]
async fn unknown_pages_get_a_danish_404() {
    let app = App::new().await;
    let page = app.get("/findes-ikke", "").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Siden findes ikke"));
}

#[tokio::test]
async fn about_and_accessibility_pages_exist() {
    let app = App::new().await;
    assert!(app.get("/om", "").await.body.contains("KOMHEN 2.0"));
    assert!(app
        .get("/tilgaengelighed", "")
        .await
        .body
        .contains("WCAG 2.1"));
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_callers_own_is_kept() {
    let app = App::new().await;
    let page = app.get("/healthz", "").await;
    let id = page.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_ne!(
        id,
        app.get("/healthz", "").await.headers["x-request-id"],
        "one id per request"
    );
    let missing = app.get("/findes-ikke", "").await;
    assert!(missing.headers.contains_key("x-request-id"));
    let own = app
        .send(
            Request::get("/healthz")
                .header("x-request-id", "opkald-42")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(own.headers["x-request-id"], "opkald-42");
}

/// English is chosen with the header's switch and kept in a cookie: the
/// header, the side menu, notices and error pages follow it, the switch
/// leads back to the same page, and Danish stays the default.
#[tokio::test]
async fn a_page_in_english_has_an_english_header_menu_and_error_page() {
    let app = common::demo_app().await;
    let danish = app.get("/", "").await;
    assert!(danish.body.contains("<html lang=\"da\">"));
    assert!(danish.body.contains("<span>Kommuner</span>"));
    assert!(danish
        .body
        .contains("href=\"/sprog?til=en&#38;tilbage=%2F\" lang=\"en\">English</a>"));

    let switch = app.get("/sprog?til=en&tilbage=%2Fkommune%2F259", "").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location, "/kommune/259");
    assert_eq!(switch.cookie.as_deref(), Some("komhen_lang=en"));

    let english = app.get("/", "komhen_lang=en").await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("<span>Municipalities</span>"));
    assert!(!english.body.contains("<span>Kommuner</span>"));
    assert!(english
        .body
        .contains("href=\"/sprog?til=da&#38;tilbage=%2F\" lang=\"da\">Dansk</a>"));

    let missing = app.get("/findes-ikke", "komhen_lang=en").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("The page does not exist"),
        "{}",
        missing.body
    );

    let session = common::log_in_demo(&app, "tovholder@koege.example").await;
    let cookie = format!("{session}; komhen_lang=en");
    let overview = app.get("/kommune/259", &cookie).await;
    assert_eq!(overview.status, StatusCode::OK);
    for text in [
        "Figures and reports",
        "Counting periods",
        "My komhen",
        "Log out",
    ] {
        assert!(overview.body.contains(text), "{text}");
    }
    let saved = app
        .get("/kommune/259/priser?besked=pris-gemt", &cookie)
        .await;
    assert!(saved.body.contains("The price is saved."), "{}", saved.body);
}

/// A personal user's choice of language is kept on the user: a login in
/// another browser (no language cookie) brings it back; a unit's choice
/// stays in its browser.
#[tokio::test]
async fn a_personal_users_language_comes_back_at_the_next_login() {
    let app = common::demo_app().await;
    let email = "tovholder@koege.example";
    let set_cookies = |reply: &common::Reply| -> Vec<String> {
        reply
            .headers
            .get_all(axum::http::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect()
    };
    let first = app
        .log_in(email, komhen_core::demo::DEMO_USER_PASSWORD)
        .await;
    assert!(
        !set_cookies(&first)
            .iter()
            .any(|c| c.starts_with("komhen_lang")),
        "no language chosen yet: none sent"
    );
    let session = first.cookie.unwrap();
    let switch = app.get("/sprog?til=en&tilbage=%2Fmit", &session).await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);

    let again = app
        .log_in(email, komhen_core::demo::DEMO_USER_PASSWORD)
        .await;
    assert!(
        set_cookies(&again).contains(&"komhen_lang=en".to_owned()),
        "{:?}",
        set_cookies(&again)
    );
    let back = app.get("/sprog?til=da", &again.cookie.unwrap()).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let third = app
        .log_in(email, komhen_core::demo::DEMO_USER_PASSWORD)
        .await;
    assert!(set_cookies(&third).contains(&"komhen_lang=da".to_owned()));

    let unknown = app.get("/sprog?til=fr", "").await;
    assert_eq!(
        unknown.status,
        StatusCode::SEE_OTHER,
        "anything else is Danish"
    );
    assert_eq!(unknown.cookie.as_deref(), Some("komhen_lang=da"));
}
