//! The public read API (`/api/v1/public/...`): the published periods, and
//! every metric per municipality and published period, paged, as JSON or
//! CSV; errors as JSON with a stable code like every API route.
//!
//! Must not give a suppressed figure's counts: a suppressed cell is `null`.

use super::PageResult;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use komhen_core::portal::{self, Figure, Metric, MunicipalityFigures, PeriodFigures, MIN_CELL};
use komhen_core::reports::tabular::{Cell, Table};
use komhen_domain::MunicipalityCode;
use komhen_store::PeriodRow;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
pub(crate) struct MetricsQuery {
    periode: Option<i64>,
    kommune: Option<String>,
    side: Option<usize>,
    pr_side: Option<usize>,
    format: Option<String>,
}

/// Rows per page of the public API, at most.
const PAGE_MAX: usize = 1000;

/// `GET /api/v1/public/periods`: the published periods.
pub(crate) async fn api_periods(State(state): State<AppState>) -> PageResult {
    let store = state.store.as_ref();
    let mut out = Vec::new();
    for p in portal::published_periods(store).await? {
        let corrections: Vec<serde_json::Value> = portal::publications(store, &p)
            .await?
            .iter()
            .rev()
            .filter(|c| !c.note.is_empty())
            .map(|c| json!({ "at": c.published_at.to_rfc3339(), "note": c.note }))
            .collect();
        out.push(json!({
            "id": p.id.0,
            "name": p.period.name,
            "from": p.period.starts_on.to_string(),
            "to": p.period.ends_on.to_string(),
            "published_at": p.published_at.map(|t| t.to_rfc3339()),
            "corrections": corrections,
        }));
    }
    Ok(axum::Json(json!({ "periods": out })).into_response())
}

/// 500 from the public API: logged with its cause, a generic message out.
fn internal(error: &(dyn std::error::Error + 'static)) -> Response {
    crate::error::log_internal(error);
    crate::api::error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Tallene kunne ikke hentes lige nu. Prøv igen om lidt. Fejlen er skrevet i systemets log.",
    )
}

/// `GET /api/v1/public/metrics?periode=ID&kommune=259&side=1&pr_side=100[&format=csv]`:
/// every metric per municipality and published period, paged; suppressed
/// figures are `null` with `suppressed: true`.
pub(crate) async fn api_metrics(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Response {
    match metrics(&state, raw.as_deref().unwrap_or("")).await {
        Ok(response) | Err(response) => response,
    }
}

/// A request the API refuses: its status, a stable code and a message.
use crate::reports::api::Refusal;

fn refuse(status: StatusCode, code: &'static str, message: String) -> Refusal {
    Refusal {
        status,
        code,
        message,
    }
}

/// A public API query, or the error response that refuses it.
fn read_query<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, Refusal> {
    serde_urlencoded::from_str(raw).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("Adressen kan ikke læses: {e}."),
        )
    })
}

/// The metrics the query asks for, a page of them; or the error response
/// that refuses it.
async fn metrics(state: &AppState, raw: &str) -> Result<Response, Response> {
    let q: MetricsQuery = read_query(raw).map_err(IntoResponse::into_response)?;
    let store = state.store.as_ref();
    let periods = portal::published_periods(store)
        .await
        .map_err(|e| internal(&e))?;
    let chosen = chosen_periods(&periods, q.periode).map_err(IntoResponse::into_response)?;
    let municipality =
        named_municipality(q.kommune.as_deref()).map_err(IntoResponse::into_response)?;
    let per_page = q.pr_side.unwrap_or(100).clamp(1, PAGE_MAX);
    let page = q.side.unwrap_or(1).max(1);
    let mut computed = Vec::new();
    for period in chosen {
        computed.push(
            state
                .portal
                .figures(state, period)
                .await
                .map_err(|e| internal(&e))?,
        );
    }
    let rows = metric_rows(&computed, municipality);
    let total = rows.len();
    let start = (page - 1).saturating_mul(per_page);
    let slice: Vec<&MetricRow> = rows.iter().skip(start).take(per_page).collect();
    if q.format.as_deref() == Some("csv") {
        return Ok(metrics_csv(&slice));
    }
    let next = (start + per_page < total).then(|| page + 1);
    Ok(axum::Json(json!({
        "page": page,
        "per_page": per_page,
        "total": total,
        "next_page": next,
        "min_inquiries": MIN_CELL,
        "rows": slice.iter().map(|r| {
            let f = &r.figure;
            json!({
                "period_id": r.period.id.0,
                "period": r.period.period.name,
                "municipality": r.municipality.municipality.code.get(),
                "municipality_name": r.municipality.municipality.name,
                "metric": r.metric.code(),
                "value": f.value,
                // Counts are given only with a value: a suppressed cell shows nothing.
                "numerator": f.value.map(|_| f.numerator),
                "denominator": f.value.map(|_| f.denominator),
                "suppressed": f.value.is_none(),
                "place": r.place,
            })
        }).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// The published periods asked for: the one named, or all of them.
fn chosen_periods(periods: &[PeriodRow], id: Option<i64>) -> Result<Vec<&PeriodRow>, Refusal> {
    match id {
        Some(id) => match periods.iter().find(|p| p.id.0 == id) {
            Some(p) => Ok(vec![p]),
            None => Err(refuse(
                StatusCode::NOT_FOUND,
                "unknown_period",
                format!("Perioden {id} er ikke offentliggjort eller findes ikke."),
            )),
        },
        None => Ok(periods.iter().collect()),
    }
}

/// The municipality asked for, if any.
fn named_municipality(code: Option<&str>) -> Result<Option<MunicipalityCode>, Refusal> {
    match code {
        None | Some("") => Ok(None),
        Some(code) => match MunicipalityCode::parse(code) {
            Ok(c) => Ok(Some(c)),
            Err(_) => Err(refuse(
                StatusCode::BAD_REQUEST,
                "invalid_municipality",
                format!("«{code}» er ikke en kommunekode."),
            )),
        },
    }
}

/// One metric of one municipality in one period, with its place in the
/// ranking (if ranked).
struct MetricRow<'a> {
    period: &'a PeriodRow,
    municipality: &'a MunicipalityFigures,
    metric: Metric,
    figure: Figure,
    place: Option<usize>,
}

/// Every metric of every municipality (or the one named) in the periods'
/// figures, period by period, municipality by municipality.
fn metric_rows(
    computed: &[Arc<PeriodFigures>],
    municipality: Option<MunicipalityCode>,
) -> Vec<MetricRow<'_>> {
    let mut rows = Vec::new();
    for figures in computed {
        let period = &figures.period;
        let rankings: HashMap<Metric, portal::Ranking> = Metric::ALL
            .iter()
            .map(|m| (*m, figures.ranking(*m)))
            .collect();
        for m in figures
            .municipalities
            .iter()
            .filter(|m| municipality.is_none_or(|c| c == m.municipality.code))
        {
            for metric in Metric::ALL {
                let figure = m.figure(metric);
                let place = rankings[&metric]
                    .rows
                    .iter()
                    .find(|r| r.municipality.code == m.municipality.code)
                    .map(|r| r.place);
                rows.push(MetricRow {
                    period,
                    municipality: m,
                    metric,
                    figure,
                    place,
                });
            }
        }
    }
    rows
}

/// A page of metrics as a CSV file.
fn metrics_csv(slice: &[&MetricRow]) -> Response {
    let table = Table {
        header: [
            "periode_id",
            "periode",
            "kommunekode",
            "kommune",
            "maal",
            "vaerdi",
            "taeller",
            "naevner",
            "undertrykt",
            "plads",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows: slice
            .iter()
            .map(|r| {
                let f = &r.figure;
                vec![
                    Cell::Integer(r.period.id.0),
                    Cell::Text(r.period.period.name.clone()),
                    Cell::Text(r.municipality.municipality.code.to_string()),
                    Cell::Text(r.municipality.municipality.name.clone()),
                    Cell::Text(r.metric.code().into()),
                    f.value.map_or(Cell::Empty, |v| Cell::Decimal(v, 6)),
                    if f.value.is_some() {
                        Cell::Integer(f.numerator)
                    } else {
                        Cell::Empty
                    },
                    if f.value.is_some() {
                        Cell::Integer(f.denominator)
                    } else {
                        Cell::Empty
                    },
                    Cell::Text(if f.value.is_none() { "ja" } else { "nej" }.into()),
                    r.place.map_or(Cell::Empty, |p| Cell::Integer(p as i64)),
                ]
            })
            .collect(),
    };
    match table.csv() {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"komhen-maal.csv\"".to_owned(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => internal(&e),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SavingsQuery {
    periode: Option<i64>,
    andel: Option<String>,
}

/// `GET /api/v1/public/savings?periode=ID&andel=80`: the national savings
/// potential per mandatory task of a published period (the newest when
/// none is named) at a digital share, as published; amounts in øre a year.
pub(crate) async fn api_savings(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Response {
    match savings(&state, raw.as_deref().unwrap_or("")).await {
        Ok(response) | Err(response) => response,
    }
}

async fn savings(state: &AppState, raw: &str) -> Result<Response, Response> {
    use komhen_core::economics::savings::{ore, Fraction};
    let q: SavingsQuery = read_query(raw).map_err(IntoResponse::into_response)?;
    let percent = super::national::potential_percent(q.andel.as_deref())
        .map_err(|m| refuse(StatusCode::BAD_REQUEST, "invalid_query", m).into_response())?;
    let store = state.store.as_ref();
    let periods = portal::published_periods(store)
        .await
        .map_err(|e| internal(&e))?;
    let period = match q.periode {
        Some(_) => chosen_periods(&periods, q.periode)
            .map_err(IntoResponse::into_response)?
            .first()
            .copied(),
        None => periods.first(),
    }
    .ok_or_else(|| {
        refuse(
            StatusCode::NOT_FOUND,
            "unknown_period",
            "Ingen periode er offentliggjort endnu.".into(),
        )
        .into_response()
    })?;
    let potential = portal::savings_potential(store, period, percent)
        .await
        .map_err(|e| internal(&e))?;
    let year = |v: Fraction| potential.per_year(v);
    let rounded = |v: Fraction| (komhen_core::economics::savings::as_f64(v) * 10.0).round() / 10.0;
    Ok(axum::Json(json!({
        "period_id": period.id.0,
        "period": period.period.name,
        "percent": percent,
        "days": potential.days,
        "channel_to": portal::POTENTIAL_CHANNEL,
        "priced": potential.priced,
        "example_prices": potential.example_prices,
        "sources": potential.sources,
        "min_inquiries": MIN_CELL,
        "moved_per_year": rounded(year(potential.moved)),
        "saving_per_year_ore": ore(year(potential.saving)),
        "tasks": potential.tasks.iter().map(|t| {
            let shown = t.share.value.is_some();
            json!({
                "task": t.task.kle.to_string(),
                "name": t.task.name,
                "digital_share": t.share.value,
                "incoming": shown.then_some(t.share.denominator),
                "moved_per_year": shown.then(|| rounded(year(t.moved))),
                "saving_per_year_ore": if shown { t.saving.map(|s| ore(year(s))) } else { None },
                "suppressed": !shown,
            })
        }).collect::<Vec<_>>(),
    }))
    .into_response())
}
