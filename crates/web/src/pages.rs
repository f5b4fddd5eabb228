//! Public pages besides the portal's: about, the accessibility statement,
//! the error page, the health check.

use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

type PageResult = Result<Html<String>, WebError>;

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub(crate) title: String,
    pub(crate) message: String,
}

#[derive(Template)]
#[template(path = "about.html")]
pub(crate) struct AboutPage;

#[derive(Template)]
#[template(path = "accessibility.html")]
pub(crate) struct AccessibilityPage;

/// `GET /om`
pub(crate) async fn about_page() -> PageResult {
    Ok(Html(AboutPage.render()?))
}

/// `GET /tilgaengelighed`
pub(crate) async fn accessibility_page() -> PageResult {
    Ok(Html(AccessibilityPage.render()?))
}

/// `GET /healthz`: 200 when the database answers, 503 when not.
pub(crate) async fn health(State(state): State<AppState>) -> Response {
    let backend = state.store.backend().name();
    match state.store.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "database": backend })).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": backend })),
            )
                .into_response()
        }
    }
}

pub(crate) async fn not_found() -> WebError {
    WebError::NotFound
}
