//! The public pages of this first version: start page, municipality list,
//! about, accessibility statement, health check.

use crate::format::number;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use chrono::Datelike;
use komhen_core::overview;

type PageResult = Result<Html<String>, WebError>;

pub(crate) struct PeriodView {
    pub(crate) name: String,
    pub(crate) weeks: String,
    pub(crate) registrations: String,
}

#[derive(Template)]
#[template(path = "index.html")]
pub(crate) struct IndexPage {
    municipalities: String,
    registrations: String,
    units: String,
    periods: Vec<PeriodView>,
}

pub(crate) struct MunicipalityView {
    code: String,
    name: String,
    region: String,
    population: String,
    registrations: String,
}

#[derive(Template)]
#[template(path = "municipalities.html")]
pub(crate) struct MunicipalitiesPage {
    rows: Vec<MunicipalityView>,
    total: String,
    population_year: String,
}

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

/// `GET /`
pub(crate) async fn start_page(State(state): State<AppState>) -> PageResult {
    let o = overview::start_overview(state.store.as_ref()).await?;
    let periods = o
        .periods
        .iter()
        .map(|p| {
            let first = p.period.period.starts_on.iso_week();
            let last = p.period.period.ends_on.iso_week();
            PeriodView {
                name: p.period.period.name.clone(),
                weeks: format!("uge {}–{} ({})", first.week(), last.week(), first.year()),
                registrations: number(p.inquiries),
            }
        })
        .collect();
    let page = IndexPage {
        municipalities: number(o.municipalities as i64),
        registrations: number(o.inquiries),
        units: number(o.units),
        periods,
    };
    Ok(Html(page.render()?))
}

/// `GET /kommuner`
pub(crate) async fn list_municipalities(State(state): State<AppState>) -> PageResult {
    let counts = overview::municipality_counts(state.store.as_ref()).await?;
    let population_year = counts
        .iter()
        .filter_map(|c| c.municipality.population.map(|(year, _)| year))
        .max()
        .map_or_else(String::new, |y| y.to_string());
    let page = MunicipalitiesPage {
        total: number(counts.iter().map(|c| c.inquiries).sum()),
        rows: counts
            .into_iter()
            .map(|c| MunicipalityView {
                code: c.municipality.code.to_string(),
                name: c.municipality.name,
                region: c.municipality.region_name,
                population: c
                    .municipality
                    .population
                    .map_or_else(String::new, |(_, p)| number(p)),
                registrations: number(c.inquiries),
            })
            .collect(),
        population_year,
    };
    Ok(Html(page.render()?))
}

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
