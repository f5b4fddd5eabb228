//! The public read API (`/api/v1/public/...`): the published periods, and
//! every metric per municipality and published period, paged, as JSON or
//! CSV; errors as JSON with a stable code like every API route.
//!
//! Must not give a suppressed figure's counts: a suppressed cell is `null`.

use crate::api::ErrorResponse;
use crate::reports::api::Refusal;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use komhen_core::portal::{self, Figure, Metric, MunicipalityFigures, PeriodFigures, MIN_CELL};
use komhen_core::reports::tabular::{Cell, Table};
use komhen_domain::MunicipalityCode;
use komhen_store::PeriodRow;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Rows per page of the public API, at most.
pub(crate) const PAGE_MAX: i64 = 1000;
/// Rows per page when `pr_side` is not given.
const PAGE_DEFAULT: i64 = 100;

/// De offentliggjorte perioder, nyeste først.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicPeriods {
    periods: Vec<PublicPeriod>,
}

/// En offentliggjort periode.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicPeriod {
    /// Periodens id (til `periode=`).
    id: i64,
    /// Periodens navn, fx «Efterår 2025».
    name: String,
    /// Første dag (`ÅÅÅÅ-MM-DD`).
    #[schema(format = Date)]
    from: String,
    /// Sidste dag (`ÅÅÅÅ-MM-DD`).
    #[schema(format = Date)]
    to: String,
    /// Hvornår tallene blev offentliggjort (RFC 3339).
    #[schema(format = DateTime)]
    published_at: Option<String>,
    /// Rettelser offentliggjort siden, med den nationale administrators note.
    corrections: Vec<Correction>,
}

/// En rettelse af en offentliggjort periode.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Correction {
    /// Hvornår rettelsen blev offentliggjort (RFC 3339).
    #[schema(format = DateTime)]
    at: String,
    /// Hvad der blev rettet.
    note: String,
}

/// `GET /api/v1/public/periods`: the published periods.
#[utoipa::path(
    get,
    path = "/api/v1/public/periods",
    tag = "offentlige tal",
    operation_id = "list_public_periods",
    summary = "De offentliggjorte perioder",
    description = "Kun perioder, den nationale administrator har offentliggjort. Ingen nøgle eller login.",
    responses(
        (status = 200, description = "Perioderne.", body = PublicPeriods),
        (status = 500, description = "Tallene kunne ikke hentes (`internal`).", body = ErrorResponse),
    )
)]
pub(crate) async fn api_periods(State(state): State<AppState>) -> Response {
    match periods(&state).await {
        Ok(periods) => axum::Json(periods).into_response(),
        Err(e) => internal(&e),
    }
}

async fn periods(state: &AppState) -> Result<PublicPeriods, komhen_core::CoreError> {
    let published = state.published();
    let store = published.as_ref();
    let mut periods = Vec::new();
    for p in portal::published_periods(store).await? {
        let corrections = portal::publications(store, &p)
            .await?
            .iter()
            .rev()
            .filter(|c| !c.note.is_empty())
            .map(|c| Correction {
                at: c.published_at.to_rfc3339(),
                note: c.note.clone(),
            })
            .collect();
        periods.push(PublicPeriod {
            id: p.id.0,
            name: p.period.name.clone(),
            from: p.period.starts_on.to_string(),
            to: p.period.ends_on.to_string(),
            published_at: p.published_at.map(|t| t.to_rfc3339()),
            corrections,
        });
    }
    Ok(PublicPeriods { periods })
}

/// 500 from the public API: logged with its cause, a generic message out.
fn internal(error: &(dyn std::error::Error + 'static)) -> Response {
    crate::error::api_failure(error, || {
        crate::error::log_internal(error);
        crate::api::error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Tallene kunne ikke hentes lige nu. Prøv igen om lidt. Fejlen er skrevet i systemets \
             log.",
        )
    })
}

fn refuse(status: StatusCode, code: &'static str, message: String) -> Refusal {
    Refusal {
        status,
        code,
        message,
    }
}

/// The query's pairs, each key at most once; refused when the query cannot
/// be read or names a key twice.
fn query_pairs(raw: &str) -> Result<Vec<(String, String)>, Refusal> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(|_| {
        refuse(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "Adressen kan ikke læses: skriv den som navn=værdi&navn=værdi.".into(),
        )
    })?;
    for (at, (key, _)) in pairs.iter().enumerate() {
        if pairs[..at].iter().any(|(k, _)| k == key) {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("«{key}» står mere end én gang i adressen; angiv den én gang."),
            ));
        }
    }
    Ok(pairs)
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A whole number in the query within `range`, or the refusal naming the
/// parameter and its range.
fn whole_number(
    pairs: &[(String, String)],
    key: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Refusal> {
    let Some(text) = value(pairs, key) else {
        return Ok(None);
    };
    let number = |n: i64| {
        if n == i64::MAX {
            "opefter".to_owned()
        } else {
            komhen_ingest::summary::danish_number(n.unsigned_abs())
        }
    };
    match text.trim().parse::<i64>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(refuse(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            if *range.end() == i64::MAX {
                format!(
                    "«{key}» skal være et helt tal fra {} og opefter; «{text}» er ikke.",
                    number(*range.start())
                )
            } else {
                format!(
                    "«{key}» skal være et helt tal fra {} til {}; «{text}» er ikke.",
                    number(*range.start()),
                    number(*range.end())
                )
            },
        )),
    }
}

/// The parameters of `GET /api/v1/public/metrics`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by hand from the query (`metrics`); here for the document
pub(crate) struct MetricsParams {
    /// En offentliggjort periodes id (fra /api/v1/public/periods). Udeladt: alle.
    #[param(minimum = 1)]
    periode: Option<i64>,
    /// Kommunekoden, fx 259. Udeladt: alle kommuner.
    #[param(minimum = 101, maximum = 999)]
    kommune: Option<i64>,
    /// Siden, fra 1.
    #[param(minimum = 1)]
    side: Option<i64>,
    /// Rækker pr. side, 1–1.000 (standard 100).
    #[param(minimum = 1, maximum = 1000)]
    pr_side: Option<i64>,
    /// `json` (standard) eller `csv`.
    format: Option<Format>,
}

/// Svarets form.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // the document's enum of `format=`
pub(crate) enum Format {
    Json,
    Csv,
}

/// En side af målene.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MetricsPage {
    /// Siden, fra 1.
    page: i64,
    /// Rækker pr. side.
    per_page: i64,
    /// Rækker i alt på alle sider.
    total: i64,
    /// Den næste side, eller `null` på den sidste.
    next_page: Option<i64>,
    /// Et tal vises kun, når det hviler på mindst så mange henvendelser.
    min_inquiries: i64,
    rows: Vec<MetricLine>,
}

/// Ét mål for én kommune i én periode.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MetricLine {
    period_id: i64,
    period: String,
    /// Kommunekoden.
    municipality: u16,
    municipality_name: String,
    /// Målets kode.
    metric: String,
    /// Målets værdi; `null`, når tallet er undertrykt.
    value: Option<f64>,
    /// Tæller og nævner; `null`, når tallet er undertrykt.
    numerator: Option<i64>,
    denominator: Option<i64>,
    /// `true`, når tallet hviler på for få henvendelser til at blive vist.
    suppressed: bool,
    /// Kommunens plads i ranglisten for målet, hvis den er med.
    place: Option<usize>,
}

/// `GET /api/v1/public/metrics?periode=ID&kommune=259&side=1&pr_side=100[&format=csv]`:
/// every metric per municipality and published period, paged; suppressed
/// figures are `null` with `suppressed: true`.
#[utoipa::path(
    get,
    path = "/api/v1/public/metrics",
    tag = "offentlige tal",
    operation_id = "list_public_metrics",
    summary = "Alle mål pr. kommune og offentliggjort periode, side for side",
    description = "Et tal, der hviler på færre end `min_inquiries` henvendelser, er `null` med \
        `suppressed: true`. Med `format=csv` er svaret en CSV-fil med samme rækker.",
    params(MetricsParams),
    responses(
        (status = 200, description = "Siden af målene (JSON), eller som CSV med `format=csv`.",
            content((MetricsPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "En parameter kan ikke bruges (`invalid_query`, `invalid_municipality`).", body = ErrorResponse),
        (status = 404, description = "Perioden er ikke offentliggjort eller findes ikke (`unknown_period`).", body = ErrorResponse),
        (status = 500, description = "Tallene kunne ikke hentes (`internal`).", body = ErrorResponse),
    )
)]
pub(crate) async fn api_metrics(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Response {
    match metrics(&state, raw.as_deref().unwrap_or("")).await {
        Ok(response) | Err(response) => response,
    }
}

/// The metrics the query asks for, a page of them; or the error response
/// that refuses it.
async fn metrics(state: &AppState, raw: &str) -> Result<Response, Response> {
    let pairs = query_pairs(raw).map_err(IntoResponse::into_response)?;
    let read = || -> Result<_, Refusal> {
        Ok((
            whole_number(&pairs, "periode", 1..=i64::MAX)?,
            named_municipality(value(&pairs, "kommune"))?,
            whole_number(&pairs, "side", 1..=i64::MAX)?.unwrap_or(1),
            whole_number(&pairs, "pr_side", 1..=PAGE_MAX)?.unwrap_or(PAGE_DEFAULT),
            crate::reports::api::wants_csv(&pairs)?,
        ))
    };
    let (periode, municipality, page, per_page, csv) =
        read().map_err(IntoResponse::into_response)?;
    let published = state.published();
    let store = published.as_ref();
    let periods = portal::published_periods(store)
        .await
        .map_err(|e| internal(&e))?;
    let chosen = chosen_periods(&periods, periode).map_err(IntoResponse::into_response)?;
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
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let start = (page - 1).saturating_mul(per_page);
    let slice: Vec<&MetricRow> = rows
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(usize::MAX))
        .collect();
    if csv {
        return Ok(metrics_csv(&slice));
    }
    let next_page = (start.saturating_add(per_page) < total).then(|| page + 1);
    let lines = slice
        .iter()
        .map(|r| {
            let f = &r.figure;
            MetricLine {
                period_id: r.period.id.0,
                period: r.period.period.name.clone(),
                municipality: r.municipality.municipality.code.get(),
                municipality_name: r.municipality.municipality.name.clone(),
                metric: r.metric.code().to_owned(),
                value: f.value,
                // Counts are given only with a value: a suppressed cell shows nothing.
                numerator: f.value.map(|_| f.numerator),
                denominator: f.value.map(|_| f.denominator),
                suppressed: f.value.is_none(),
                place: r.place,
            }
        })
        .collect();
    Ok(axum::Json(MetricsPage {
        page,
        per_page,
        total,
        next_page,
        min_inquiries: MIN_CELL,
        rows: lines,
    })
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

/// The parameters of `GET /api/v1/public/savings`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by hand from the query (`savings`); here for the document
pub(crate) struct SavingsParams {
    /// En offentliggjort periodes id. Udeladt: den nyeste.
    #[param(minimum = 1)]
    periode: Option<i64>,
    /// Den digitale andel i procent, 0–100 (standard 80).
    #[param(minimum = 0, maximum = 100)]
    andel: Option<i64>,
}

/// Det nationale besparelsespotentiale pr. obligatorisk opgave.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicSavings {
    period_id: i64,
    period: String,
    /// Den digitale andel, der regnes med (procent).
    percent: u32,
    /// Periodens dage.
    days: i64,
    /// Kanalen, henvendelserne flyttes til.
    channel_to: String,
    /// `false` for en periode offentliggjort, før priser blev gemt.
    priced: bool,
    /// `true`, når en brugt national pris er en eksempelpris.
    example_prices: bool,
    /// Priskilderne.
    sources: Vec<String>,
    min_inquiries: i64,
    /// Henvendelser flyttet om året, med én decimal.
    moved_per_year: f64,
    /// Besparelsen om året i øre.
    saving_per_year_ore: i64,
    tasks: Vec<TaskSaving>,
}

/// Én opgaves potentiale.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TaskSaving {
    /// KLE-nummeret.
    task: String,
    name: String,
    /// Den digitale andel nu; `null`, når tallet er undertrykt.
    digital_share: Option<f64>,
    /// Indgående henvendelser; `null`, når tallet er undertrykt.
    incoming: Option<i64>,
    moved_per_year: Option<f64>,
    /// `null`, når tallet er undertrykt eller en kanal mangler en pris.
    saving_per_year_ore: Option<i64>,
    suppressed: bool,
}

/// `GET /api/v1/public/savings?periode=ID&andel=80`: the national savings
/// potential per mandatory task of a published period (the newest when
/// none is named) at a digital share, as published; amounts in øre a year.
#[utoipa::path(
    get,
    path = "/api/v1/public/savings",
    tag = "offentlige tal",
    operation_id = "show_public_savings",
    summary = "Det nationale besparelsespotentiale i en offentliggjort periode",
    params(SavingsParams),
    responses(
        (status = 200, description = "Potentialet; beløb i øre om året.", body = PublicSavings),
        (status = 400, description = "En parameter kan ikke bruges (`invalid_query`).", body = ErrorResponse),
        (status = 404, description = "Perioden er ikke offentliggjort, eller ingen er (`unknown_period`).", body = ErrorResponse),
        (status = 500, description = "Tallene kunne ikke hentes (`internal`).", body = ErrorResponse),
    )
)]
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
    let pairs = query_pairs(raw).map_err(IntoResponse::into_response)?;
    let periode =
        whole_number(&pairs, "periode", 1..=i64::MAX).map_err(IntoResponse::into_response)?;
    let percent = super::national::potential_percent(value(&pairs, "andel"))
        .map_err(|m| refuse(StatusCode::BAD_REQUEST, "invalid_query", m).into_response())?;
    let published = state.published();
    let store = published.as_ref();
    let periods = portal::published_periods(store)
        .await
        .map_err(|e| internal(&e))?;
    let period = match periode {
        Some(_) => chosen_periods(&periods, periode)
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
    let tasks = potential
        .tasks
        .iter()
        .map(|t| {
            let shown = t.share.value.is_some();
            TaskSaving {
                task: t.task.kle.to_string(),
                name: t.task.name.clone(),
                digital_share: t.share.value,
                incoming: shown.then_some(t.share.denominator),
                moved_per_year: shown.then(|| rounded(year(t.moved))),
                saving_per_year_ore: if shown {
                    t.saving.map(|s| ore(year(s)))
                } else {
                    None
                },
                suppressed: !shown,
            }
        })
        .collect();
    Ok(axum::Json(PublicSavings {
        period_id: period.id.0,
        period: period.period.name.clone(),
        percent,
        days: potential.days,
        channel_to: portal::POTENTIAL_CHANNEL.to_owned(),
        priced: potential.priced,
        example_prices: potential.example_prices,
        sources: potential.sources.clone(),
        min_inquiries: MIN_CELL,
        moved_per_year: rounded(year(potential.moved)),
        saving_per_year_ore: ore(year(potential.saving)),
        tasks,
    })
    .into_response())
}
