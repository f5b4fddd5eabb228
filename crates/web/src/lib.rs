//! komhen's web front: routes, page handlers, templates and the embedded
//! static assets. Pages are server-rendered HTML in Danish, usable without
//! JavaScript, in the look of Det Fælles Designsystem.
//!
//! Must not know SQL: every figure comes from `komhen_core`, so the pages,
//! the CLI and the API compute it the same way.

mod assets;
mod error;
mod format;
mod i18n;
mod login;
mod pages;
mod paper;
mod registration;
mod session;

use axum::routing::{get, post};
use axum::Router;
use komhen_core::registration::Catalogs;
use komhen_store::Store;
use std::sync::Arc;

pub use error::WebError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The units' catalogues, cached per set-up version.
    pub catalogs: Arc<Catalogs>,
}

/// The whole application as one router, for `komhen serve` and for tests.
pub fn router(store: Arc<dyn Store>) -> Router {
    let state = AppState {
        store,
        catalogs: Arc::new(Catalogs::new()),
    };
    Router::new()
        .route("/", get(pages::start_page))
        .route("/kommuner", get(pages::list_municipalities))
        .route("/om", get(pages::about_page))
        .route("/tilgaengelighed", get(pages::accessibility_page))
        .route("/healthz", get(pages::health))
        .route("/log-ind", get(login::show_login).post(login::log_in))
        .route("/log-ud", post(login::log_out))
        .route("/sprog", get(login::choose_language))
        .route(
            "/registrering",
            get(registration::show_registration).post(registration::create_registration),
        )
        .route("/registrering/skema", get(paper::show_sheet))
        .route(
            "/registrering/skema/indtast",
            get(paper::show_sheet_entry).post(paper::enter_sheet),
        )
        .route(
            "/registrering/{id}/fortryd",
            post(registration::undo_registration),
        )
        .route(
            "/registrering/{id}/ret",
            get(registration::show_correction).post(registration::correct_registration),
        )
        .route("/static/{*path}", get(assets::static_file))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::refuse_cross_site_posts,
        ))
        .with_state(state)
}
