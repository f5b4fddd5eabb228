//! komhen's web front: routes, page handlers, templates and the embedded
//! static assets. Pages are server-rendered HTML in Danish, usable without
//! JavaScript, in the look of Det Fælles Designsystem.
//!
//! Must not know SQL: every figure comes from `komhen_core`, so the pages,
//! the CLI and the API compute it the same way.

mod assets;
mod error;
mod format;
mod pages;

use axum::routing::get;
use axum::Router;
use komhen_store::Store;
use std::sync::Arc;

pub use error::WebError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
}

/// The whole application as one router, for `komhen serve` and for tests.
pub fn router(store: Arc<dyn Store>) -> Router {
    Router::new()
        .route("/", get(pages::start_page))
        .route("/kommuner", get(pages::list_municipalities))
        .route("/om", get(pages::about_page))
        .route("/tilgaengelighed", get(pages::accessibility_page))
        .route("/healthz", get(pages::health))
        .route("/static/{*path}", get(assets::static_file))
        .fallback(pages::not_found)
        .with_state(AppState { store })
}
