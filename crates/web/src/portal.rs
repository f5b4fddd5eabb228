//! The public portal: the start page with the map of the municipalities,
//! the municipality list, a municipality's public page with its benchmark,
//! the rankings with their method, the national figures, and the public
//! read API (`/api/v1/public/...`); and the coordinator's choice of a
//! comparison group.
//!
//! Must not show anything of a period that is not published, nor anything
//! below municipality level, nor a figure from fewer than
//! `portal::MIN_CELL` inquiries: every figure comes from
//! `komhen_core::portal`, which only takes published periods and
//! suppresses small cells.

use crate::access::Authorized;
use crate::format::number;
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use komhen_core::portal::{
    self, Benchmark, Figure, Metric, PeriodFigures, TaskFigures, MIN_CELL, MIN_RANKED_INQUIRIES,
    MIN_RANKED_TASK, MIN_RANKED_UNITS, SIMILAR,
};
use komhen_core::reports::tabular::{thousands, Cell, Table};
use komhen_core::reports::{self, Dates, Dimension, ReportRequest, ShareOf};
use komhen_domain::{Direction, MunicipalityCode};
use komhen_store::PeriodRow;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type PageResult = Result<Response, WebError>;

/// How long a period's computed figures are reused.
const CACHE_FOR: Duration = Duration::from_secs(60);

/// Published periods' figures and mandatory-task figures, computed at most
/// once a minute per period (and again when the period row changes, e.g.
/// it is unpublished).
#[derive(Default)]
pub struct PortalCache {
    periods: Cached<PeriodFigures>,
    tasks: Cached<Vec<TaskFigures>>,
}

type Cached<T> = Mutex<HashMap<i64, (Instant, PeriodRow, Arc<T>)>>;

impl PortalCache {
    async fn figures(
        &self,
        state: &AppState,
        period: &PeriodRow,
    ) -> Result<Arc<PeriodFigures>, WebError> {
        if let Some(hit) = fresh(&self.periods, period) {
            return Ok(hit);
        }
        let figures = Arc::new(portal::period_figures(state.store.as_ref(), period).await?);
        keep(&self.periods, period, &figures);
        Ok(figures)
    }

    async fn tasks(
        &self,
        state: &AppState,
        period: &PeriodRow,
    ) -> Result<Arc<Vec<TaskFigures>>, WebError> {
        if let Some(hit) = fresh(&self.tasks, period) {
            return Ok(hit);
        }
        let tasks = Arc::new(portal::task_figures(state.store.as_ref(), period).await?);
        keep(&self.tasks, period, &tasks);
        Ok(tasks)
    }
}

fn fresh<T>(cache: &Cached<T>, period: &PeriodRow) -> Option<Arc<T>> {
    let cache = cache.lock().ok()?;
    let (at, row, value) = cache.get(&period.id.0)?;
    (at.elapsed() < CACHE_FOR && row == period).then(|| value.clone())
}

fn keep<T>(cache: &Cached<T>, period: &PeriodRow, value: &Arc<T>) {
    if let Ok(mut c) = cache.lock() {
        c.insert(period.id.0, (Instant::now(), period.clone(), value.clone()));
    }
}

/// The page's choice of period and metric.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Choice {
    periode: Option<i64>,
    maal: Option<String>,
}

/// The published periods and the one chosen (the newest by default).
async fn chosen_period(
    state: &AppState,
    choice: &Choice,
) -> Result<(Vec<PeriodRow>, Option<PeriodRow>), WebError> {
    let periods = portal::published_periods(state.store.as_ref()).await?;
    let chosen = match choice.periode {
        Some(id) => Some(
            periods
                .iter()
                .find(|p| p.id.0 == id)
                .cloned()
                .ok_or(WebError::NotFound)?,
        ),
        None => periods.first().cloned(),
    };
    Ok((periods, chosen))
}

fn chosen_metric(choice: &Choice) -> Result<Metric, WebError> {
    match choice.maal.as_deref() {
        None | Some("") => Ok(Metric::Digital),
        Some(code) => {
            Metric::parse(code).ok_or_else(|| WebError::BadRequest(format!("Ukendt mål «{code}».")))
        }
    }
}

pub(crate) struct Option_ {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

fn period_options(periods: &[PeriodRow], chosen: Option<&PeriodRow>) -> Vec<Option_> {
    periods
        .iter()
        .map(|p| Option_ {
            value: p.id.0.to_string(),
            label: period_label(p),
            selected: chosen.is_some_and(|c| c.id == p.id),
        })
        .collect()
}

fn metric_options(chosen: Metric) -> Vec<Option_> {
    Metric::ALL
        .iter()
        .map(|m| Option_ {
            value: m.code().into(),
            label: m.label_da().into(),
            selected: *m == chosen,
        })
        .collect()
}

fn period_label(p: &PeriodRow) -> String {
    format!(
        "{} ({} – {})",
        p.period.name,
        p.period.starts_on.format("%d-%m-%Y"),
        p.period.ends_on.format("%d-%m-%Y")
    )
}

/// A figure as the public sees it: the value, or «–» when suppressed.
fn shown(metric: Metric, f: &Figure) -> String {
    f.value.map_or_else(|| "–".into(), |v| metric.format(v))
}

fn suppressed_note(metric: Metric, f: &Figure) -> &'static str {
    if f.value.is_some() {
        ""
    } else if f.suppressed() {
        "undertrykt: under 20 henvendelser"
    } else if metric == Metric::Participation {
        "ingen aktive enheder"
    } else {
        "intet at beregne"
    }
}

// --- the start page and the map -------------------------------------------------------

pub(crate) struct MapRow {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) value: String,
    pub(crate) note: &'static str,
    pub(crate) place: String,
}

pub(crate) struct PeriodLine {
    pub(crate) name: String,
    pub(crate) weeks: String,
    pub(crate) status: String,
    pub(crate) inquiries: String,
}

#[derive(Template)]
#[template(path = "portal_start.html")]
struct StartPage {
    municipalities: String,
    inquiries: String,
    units: String,
    published: Option<String>,
    periods: Vec<Option_>,
    metrics: Vec<Option_>,
    metric_label: &'static str,
    metric_code: &'static str,
    period_id: String,
    map: String,
    rows: Vec<MapRow>,
    nation: String,
    period_lines: Vec<PeriodLine>,
}

/// `GET /`: key figures, the map of a metric in a published period with
/// its table, and the counting periods.
pub(crate) async fn start_page(
    State(state): State<AppState>,
    Query(choice): Query<Choice>,
) -> PageResult {
    let store = state.store.as_ref();
    let metric = chosen_metric(&choice)?;
    let (periods, chosen) = chosen_period(&state, &choice).await?;
    let all_periods = store.list_periods(None).await?;
    let today = komhen_domain::DateDimensions::of(chrono::Utc::now()).day;
    let mut page = StartPage {
        municipalities: number(store.list_municipalities().await?.len() as i64),
        inquiries: "–".into(),
        units: number(store.count_active_units().await?),
        published: None,
        periods: period_options(&periods, chosen.as_ref()),
        metrics: metric_options(metric),
        metric_label: metric.label_da(),
        metric_code: metric.code(),
        period_id: String::new(),
        map: String::new(),
        rows: Vec::new(),
        nation: String::new(),
        period_lines: Vec::new(),
    };
    for p in all_periods.iter().filter(|p| p.municipality.is_none()) {
        let first = p.period.starts_on.iso_week();
        let last = p.period.ends_on.iso_week();
        let figures = match p.published_at {
            Some(_) => Some(state.portal.figures(&state, p).await?),
            None => None,
        };
        page.period_lines.push(PeriodLine {
            name: p.period.name.clone(),
            weeks: format!("uge {}–{} ({})", first.week(), last.week(), first.year()),
            status: match p.published_at {
                Some(at) => format!(
                    "Offentliggjort {}",
                    komhen_domain::danish_local(at).format("%d-%m-%Y")
                ),
                None if p.period.starts_on > today => "Kommende".into(),
                None => format!(
                    "Ikke offentliggjort (indberetningsfrist {})",
                    p.period.submission_deadline.format("%d-%m-%Y")
                ),
            },
            inquiries: figures.map_or("–".into(), |f| number(f.nation_inquiries)),
        });
    }
    if let Some(period) = chosen {
        let figures = state.portal.figures(&state, &period).await?;
        let ranking = figures.ranking(metric);
        let places: HashMap<MunicipalityCode, String> = ranking
            .rows
            .iter()
            .map(|r| {
                (
                    r.municipality.code,
                    format!("{}{}", r.place, if r.tied { " (delt)" } else { "" }),
                )
            })
            .collect();
        page.inquiries = number(figures.nation_inquiries);
        page.published = Some(period_label(&period));
        page.period_id = period.id.0.to_string();
        page.nation = figures
            .nation
            .get(&metric)
            .map_or("–".into(), |f| shown(metric, f));
        let mut rows: Vec<MapRow> = figures
            .municipalities
            .iter()
            .map(|m| {
                let f = m.figure(metric);
                MapRow {
                    code: m.municipality.code.to_string(),
                    name: m.municipality.name.clone(),
                    region: m.municipality.region_name.clone(),
                    value: shown(metric, &f),
                    note: suppressed_note(metric, &f),
                    place: places
                        .get(&m.municipality.code)
                        .cloned()
                        .unwrap_or_else(|| "ikke rangeret".into()),
                }
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        page.map = json!({
            "metric": metric.label_da(),
            "share": metric.is_share(),
            "municipalities": figures.municipalities.iter().map(|m| {
                let f = m.figure(metric);
                json!({
                    "code": m.municipality.code.to_string(),
                    "name": m.municipality.name,
                    "value": f.value.map(|v| if metric.is_share() { v * 100.0 } else { v }),
                    "shown": shown(metric, &f),
                })
            }).collect::<Vec<_>>(),
        })
        .to_string();
        page.rows = rows;
    }
    Ok(Html(page.render()?).into_response())
}

/// `GET /static/geo/kommuner.geojson`: the municipalities' boundaries for
/// the map (see `data/SOURCES.md`).
pub(crate) async fn map_geometry() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        komhen_core::reference::MUNICIPALITY_MAP_GEOJSON,
    )
        .into_response()
}

// --- the municipality list ------------------------------------------------------------

pub(crate) struct MunicipalityLine {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) population: String,
    pub(crate) inquiries: String,
}

#[derive(Template)]
#[template(path = "municipalities.html")]
struct MunicipalitiesPage {
    rows: Vec<MunicipalityLine>,
    total: String,
    population_year: String,
    published: Option<String>,
}

/// `GET /kommuner`: every municipality with its inquiries in the newest
/// published period (nothing of an unpublished one).
pub(crate) async fn list_municipalities(State(state): State<AppState>) -> PageResult {
    let store = state.store.as_ref();
    let (_, chosen) = chosen_period(&state, &Choice::default()).await?;
    let figures = match &chosen {
        Some(p) => Some(state.portal.figures(&state, p).await?),
        None => None,
    };
    let municipalities = store.list_municipalities().await?;
    let population_year = municipalities
        .iter()
        .filter_map(|m| m.population.map(|(year, _)| year))
        .max()
        .map_or_else(String::new, |y| y.to_string());
    let rows = municipalities
        .into_iter()
        .map(|m| MunicipalityLine {
            inquiries: figures
                .as_ref()
                .and_then(|f| f.of(m.code))
                .map_or("–".into(), |f| f.inquiries.map_or("–".into(), number)),
            code: m.code.to_string(),
            region: m.region_name.clone(),
            population: m.population.map_or_else(String::new, |(_, p)| number(p)),
            name: m.name,
        })
        .collect();
    let page = MunicipalitiesPage {
        rows,
        total: figures
            .as_ref()
            .map_or("–".into(), |f| number(f.nation_inquiries)),
        population_year,
        published: chosen.as_ref().map(period_label),
    };
    Ok(Html(page.render()?).into_response())
}

// --- a municipality's public page and benchmark ---------------------------------------

pub(crate) struct BenchmarkLine {
    pub(crate) metric: &'static str,
    pub(crate) code: &'static str,
    pub(crate) own: String,
    pub(crate) note: &'static str,
    pub(crate) before: String,
    pub(crate) change: String,
    pub(crate) nation: String,
    pub(crate) region: String,
    pub(crate) similar: String,
    pub(crate) group: Option<String>,
    pub(crate) place: String,
}

#[derive(Template)]
#[template(path = "portal_municipality.html")]
struct MunicipalityPage {
    name: String,
    code: String,
    region: String,
    population: String,
    published: Option<String>,
    periods: Vec<Option_>,
    inquiries: String,
    units: String,
    lines: Vec<BenchmarkLine>,
    similar: String,
    group: String,
    has_group: bool,
    before_label: String,
    period_id: String,
}

/// `GET /kommuner/{kode}`: the municipality's published figures against
/// the nation, its region, its most similar municipalities and its
/// comparison group, with the change since the period before.
pub(crate) async fn show_municipality(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(choice): Query<Choice>,
) -> PageResult {
    let store = state.store.as_ref();
    let code = MunicipalityCode::parse(&code).map_err(|_| WebError::NotFound)?;
    let m = store
        .get_municipality(code)
        .await?
        .ok_or(WebError::NotFound)?;
    let (periods, chosen) = chosen_period(&state, &choice).await?;
    let mut page = MunicipalityPage {
        name: m.name.clone(),
        code: code.to_string(),
        region: m.region_name.clone(),
        population: m
            .population
            .map_or_else(String::new, |(y, p)| format!("{} ({y})", number(p))),
        published: None,
        periods: period_options(&periods, chosen.as_ref()),
        inquiries: "–".into(),
        units: String::new(),
        lines: Vec::new(),
        similar: String::new(),
        group: String::new(),
        has_group: false,
        before_label: String::new(),
        period_id: String::new(),
    };
    if let Some(period) = chosen {
        let now = state.portal.figures(&state, &period).await?;
        // The published period before this one.
        let previous = periods
            .iter()
            .filter(|p| p.period.starts_on < period.period.starts_on)
            .max_by_key(|p| p.period.starts_on);
        let before = match previous {
            Some(p) => Some(state.portal.figures(&state, p).await?),
            None => None,
        };
        let group = store.list_comparison_group(code).await?;
        let b: Benchmark = portal::benchmark(&now, before.as_deref(), code, &group)?;
        let own = now.of(code).ok_or(WebError::NotFound)?;
        page.published = Some(period_label(&period));
        page.period_id = period.id.0.to_string();
        page.inquiries = own.inquiries.map_or("– (under 20)".into(), number);
        page.units = format!(
            "{} af {}",
            number(own.units_registering),
            number(own.units_active)
        );
        page.before_label = previous.map_or(String::new(), |p| p.period.name.clone());
        page.similar = b
            .similar
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        page.has_group = !b.group.is_empty();
        page.group = b
            .group
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        for row in &b.rows {
            let metric = row.metric;
            let ranking = now.ranking(metric);
            let place = ranking
                .rows
                .iter()
                .find(|r| r.municipality.code == code)
                .map_or_else(
                    || {
                        ranking
                            .not_ranked
                            .iter()
                            .find(|(m, _)| m.code == code)
                            .map_or(String::new(), |(_, why)| format!("Ikke rangeret: {why}"))
                    },
                    |r| {
                        format!(
                            "{}{} af {}",
                            r.place,
                            if r.tied { " (delt)" } else { "" },
                            ranking.rows.len()
                        )
                    },
                );
            let change = match (row.own.value, row.before.and_then(|b| b.value)) {
                (Some(now), Some(then)) => {
                    let change = signed(komhen_core::reports::tabular::decimal_da(
                        metric.change(now, then),
                        1,
                    ));
                    if metric.is_share() {
                        format!("{change} procentpoint")
                    } else {
                        change
                    }
                }
                _ => "–".into(),
            };
            page.lines.push(BenchmarkLine {
                metric: metric.label_da(),
                code: metric.code(),
                own: shown(metric, &row.own),
                note: suppressed_note(metric, &row.own),
                before: row.before.map_or("–".into(), |f| shown(metric, &f)),
                change,
                nation: shown(metric, &row.nation),
                region: shown(metric, &row.region),
                similar: shown(metric, &row.similar),
                group: row.group.map(|f| shown(metric, &f)),
                place,
            });
        }
    }
    Ok(Html(page.render()?).into_response())
}

fn signed(text: String) -> String {
    if text.starts_with('-')
        || text
            .trim_start_matches('0')
            .trim_start_matches(',')
            .chars()
            .all(|c| c == '0')
    {
        text
    } else {
        format!("+{text}")
    }
}

// --- rankings -------------------------------------------------------------------------

pub(crate) struct RankLine {
    pub(crate) place: String,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) basis: String,
}

pub(crate) struct NotRanked {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) reason: String,
}

pub(crate) struct TaskLink {
    pub(crate) href: String,
    pub(crate) name: String,
    pub(crate) nation: String,
    pub(crate) current: bool,
}

#[derive(Template)]
#[template(path = "portal_ranking.html")]
struct RankingPage {
    published: Option<String>,
    periods: Vec<Option_>,
    metrics: Vec<Option_>,
    title: String,
    method: String,
    order: &'static str,
    min_inquiries: String,
    min_units: i64,
    min_cell: i64,
    min_task: i64,
    rows: Vec<RankLine>,
    not_ranked: Vec<NotRanked>,
    tasks: Vec<TaskLink>,
    task_view: bool,
    period_id: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RankingQuery {
    periode: Option<i64>,
    maal: Option<String>,
    opgave: Option<i64>,
}

/// `GET /rangliste?maal=digital&periode=ID[&opgave=ID]`: a metric's ranking,
/// or a mandatory task's (its digital share), with the method beside it.
pub(crate) async fn show_ranking(
    State(state): State<AppState>,
    Query(q): Query<RankingQuery>,
) -> PageResult {
    let choice = Choice {
        periode: q.periode,
        maal: q.maal.clone(),
    };
    let metric = chosen_metric(&choice)?;
    let (periods, chosen) = chosen_period(&state, &choice).await?;
    let mut page = RankingPage {
        published: None,
        periods: period_options(&periods, chosen.as_ref()),
        metrics: metric_options(metric),
        title: metric.label_da().into(),
        method: metric.method_da().into(),
        order: metric.order_da(),
        min_inquiries: thousands(MIN_RANKED_INQUIRIES),
        min_units: MIN_RANKED_UNITS,
        min_cell: MIN_CELL,
        min_task: MIN_RANKED_TASK,
        rows: Vec::new(),
        not_ranked: Vec::new(),
        tasks: Vec::new(),
        task_view: q.opgave.is_some(),
        period_id: String::new(),
    };
    let Some(period) = chosen else {
        return Ok(Html(page.render()?).into_response());
    };
    page.published = Some(period_label(&period));
    page.period_id = period.id.0.to_string();
    let tasks = state.portal.tasks(&state, &period).await?;
    page.tasks = tasks
        .iter()
        .map(|t| TaskLink {
            href: format!("/rangliste?periode={}&opgave={}", period.id.0, t.task.id),
            name: format!("{} {}", t.task.kle, t.task.name),
            nation: shown(Metric::Digital, &t.nation),
            current: q.opgave == Some(t.task.id.0),
        })
        .collect();
    match q.opgave {
        Some(task_id) => {
            let task = tasks
                .iter()
                .find(|t| t.task.id.0 == task_id)
                .ok_or(WebError::NotFound)?;
            page.title = format!(
                "Digital andel af de indgående henvendelser om {} {}",
                task.task.kle, task.task.name
            );
            page.method = format!(
                "Indgående henvendelser om opgaven ad digitale kanaler delt med alle indgående henvendelser om opgaven. En kommune rangeres, når den har mindst {MIN_RANKED_TASK} indgående henvendelser om opgaven."
            );
            page.order = "Højeste værdi får plads 1.";
            let ranked = task.ranking();
            page.rows = ranked
                .iter()
                .map(|(place, tied, m, f)| RankLine {
                    place: format!("{place}{}", if *tied { " (delt)" } else { "" }),
                    code: m.code.to_string(),
                    name: m.name.clone(),
                    value: shown(Metric::Digital, f),
                    basis: format!("{} af {}", thousands(f.numerator), thousands(f.denominator)),
                })
                .collect();
            page.not_ranked = task
                .municipalities
                .iter()
                .filter(|(m, _)| !ranked.iter().any(|(_, _, r, _)| r.code == m.code))
                .map(|(m, f)| NotRanked {
                    code: m.code.to_string(),
                    name: m.name.clone(),
                    reason: if f.base < MIN_CELL {
                        format!("For få henvendelser (under {MIN_CELL})")
                    } else {
                        format!(
                            "For få henvendelser ({}; mindst {MIN_RANKED_TASK} kræves)",
                            thousands(f.base)
                        )
                    },
                })
                .collect();
        }
        None => {
            let figures = state.portal.figures(&state, &period).await?;
            let ranking = figures.ranking(metric);
            page.rows = ranking
                .rows
                .iter()
                .map(|r| RankLine {
                    place: format!("{}{}", r.place, if r.tied { " (delt)" } else { "" }),
                    code: r.municipality.code.to_string(),
                    name: r.municipality.name.clone(),
                    value: shown(metric, &r.figure),
                    basis: if metric == Metric::PerThousand {
                        format!(
                            "{} henvendelser, {} indbyggere",
                            thousands(r.figure.numerator),
                            thousands(r.figure.denominator)
                        )
                    } else if metric == Metric::Participation {
                        format!(
                            "{} af {} enheder",
                            thousands(r.figure.numerator),
                            thousands(r.figure.denominator)
                        )
                    } else {
                        format!(
                            "{} af {}",
                            thousands(r.figure.numerator),
                            thousands(r.figure.denominator)
                        )
                    },
                })
                .collect();
            page.not_ranked = ranking
                .not_ranked
                .into_iter()
                .map(|(m, reason)| NotRanked {
                    code: m.code.to_string(),
                    name: m.name,
                    reason,
                })
                .collect();
        }
    }
    Ok(Html(page.render()?).into_response())
}

// --- national figures -----------------------------------------------------------------

pub(crate) struct MixLine {
    pub(crate) direction: String,
    pub(crate) repeat: bool,
    pub(crate) channel: String,
    pub(crate) cells: Vec<String>,
}

pub(crate) struct TaskLine {
    pub(crate) name: String,
    pub(crate) cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "portal_national.html")]
struct NationalPage {
    periods: Vec<String>,
    totals: Vec<String>,
    mix: Vec<MixLine>,
    chart: String,
    tasks: Vec<TaskLine>,
    min_cell: i64,
}

/// `GET /landstal`: the channel mix by direction in every published period
/// (its development), and the mandatory tasks' digital shares.
pub(crate) async fn show_national(State(state): State<AppState>) -> PageResult {
    let store = state.store.as_ref();
    let mut periods = portal::published_periods(store).await?;
    periods.reverse(); // oldest first, as time runs
    let mut reports = Vec::new();
    for p in &periods {
        let dates = Dates {
            from: p.period.starts_on,
            to: p.period.ends_on,
        };
        let mut request =
            ReportRequest::new(Vec::new(), dates).by(&[Dimension::Direction, Dimension::Channel]);
        request.share_of = ShareOf::FirstDimension;
        reports.push(reports::run(store, &request).await?);
    }
    // Every (direction, channel) seen in any period, in the report's order.
    let mut keys: Vec<(String, String, String, String)> = Vec::new();
    for r in &reports {
        for row in &r.rows {
            let key = (
                row.keys[0].code.clone(),
                row.keys[0].label.clone(),
                row.keys[1].code.clone(),
                row.keys[1].label.clone(),
            );
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    // Incoming first; within a direction the channels' own order (stable).
    keys.sort_by_key(|k| k.0 != Direction::Incoming.code());
    let mut mix = Vec::new();
    for (i, (dir, dir_label, channel, channel_label)) in keys.iter().enumerate() {
        let cells = reports
            .iter()
            .map(|r| {
                r.rows
                    .iter()
                    .find(|row| &row.keys[0].code == dir && &row.keys[1].code == channel)
                    .map_or("–".into(), |row| {
                        if row.inquiries < MIN_CELL {
                            "–".into()
                        } else {
                            Cell::Share(row.share).display_da()
                        }
                    })
            })
            .collect();
        mix.push(MixLine {
            direction: dir_label.clone(),
            repeat: i > 0 && keys[i - 1].0 == *dir,
            channel: channel_label.clone(),
            cells,
        });
    }
    // The chart: incoming channels' shares across the periods.
    let incoming: Vec<&(String, String, String, String)> = keys
        .iter()
        .filter(|k| k.0 == Direction::Incoming.code())
        .collect();
    let chart = json!({
        "kind": "line",
        "percent": true,
        "categories": periods.iter().map(|p| p.period.name.clone()).collect::<Vec<_>>(),
        "series": incoming.iter().map(|k| json!({
            "name": k.3,
            "data": reports.iter().map(|r| r.rows.iter()
                .find(|row| row.keys[0].code == k.0 && row.keys[1].code == k.2)
                .map_or(0.0, |row| (row.share * 1000.0).round() / 10.0)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
    .to_string();
    let mut tasks: Vec<TaskLine> = Vec::new();
    for (i, p) in periods.iter().enumerate() {
        for t in state.portal.tasks(&state, p).await?.iter() {
            let name = format!("{} {}", t.task.kle, t.task.name);
            let value = shown(Metric::Digital, &t.nation);
            match tasks.iter_mut().find(|l| l.name == name) {
                Some(line) => line.cells[i] = value,
                None => {
                    let mut cells = vec!["–".to_owned(); periods.len()];
                    cells[i] = value;
                    tasks.push(TaskLine { name, cells });
                }
            }
        }
    }
    let page = NationalPage {
        periods: periods.iter().map(|p| p.period.name.clone()).collect(),
        totals: reports.iter().map(|r| number(r.total.inquiries)).collect(),
        mix,
        chart: if periods.is_empty() {
            String::new()
        } else {
            chart
        },
        tasks,
        min_cell: MIN_CELL,
    };
    Ok(Html(page.render()?).into_response())
}

// --- the public API -------------------------------------------------------------------

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
    let periods = portal::published_periods(state.store.as_ref()).await?;
    Ok(axum::Json(json!({
        "periods": periods.iter().map(|p| json!({
            "id": p.id.0,
            "name": p.period.name,
            "from": p.period.starts_on.to_string(),
            "to": p.period.ends_on.to_string(),
            "published_at": p.published_at.map(|t| t.to_rfc3339()),
        })).collect::<Vec<_>>(),
    }))
    .into_response())
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
    let refuse = |status: StatusCode, code: &str, message: String| {
        crate::api::error_response(status, code, message)
    };
    let q: MetricsQuery = match serde_urlencoded::from_str(raw.as_deref().unwrap_or("")) {
        Ok(q) => q,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("Adressen kan ikke læses: {e}."),
            )
        }
    };
    let store = state.store.as_ref();
    let periods = match portal::published_periods(store).await {
        Ok(p) => p,
        Err(e) => return internal(&e),
    };
    let chosen: Vec<&PeriodRow> = match q.periode {
        Some(id) => match periods.iter().find(|p| p.id.0 == id) {
            Some(p) => vec![p],
            None => {
                return refuse(
                    StatusCode::NOT_FOUND,
                    "unknown_period",
                    format!("Perioden {id} er ikke offentliggjort eller findes ikke."),
                )
            }
        },
        None => periods.iter().collect(),
    };
    let municipality = match q.kommune.as_deref() {
        None | Some("") => None,
        Some(code) => match MunicipalityCode::parse(code) {
            Ok(c) => Some(c),
            Err(_) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "invalid_municipality",
                    format!("«{code}» er ikke en kommunekode."),
                )
            }
        },
    };
    let per_page = q.pr_side.unwrap_or(100).clamp(1, PAGE_MAX);
    let page = q.side.unwrap_or(1).max(1);
    let mut computed = Vec::new();
    for period in chosen {
        match state.portal.figures(&state, period).await {
            Ok(f) => computed.push(f),
            Err(e) => return internal(&e),
        }
    }
    let mut rows = Vec::new();
    for figures in &computed {
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
                let f = m.figure(metric);
                let place = rankings[&metric]
                    .rows
                    .iter()
                    .find(|r| r.municipality.code == m.municipality.code)
                    .map(|r| r.place);
                rows.push((period, m, metric, f, place));
            }
        }
    }
    let total = rows.len();
    let start = (page - 1).saturating_mul(per_page);
    let slice: Vec<_> = rows.iter().skip(start).take(per_page).collect();
    if q.format.as_deref() == Some("csv") {
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
                .map(|(p, m, metric, f, place)| {
                    vec![
                        Cell::Integer(p.id.0),
                        Cell::Text(p.period.name.clone()),
                        Cell::Text(m.municipality.code.to_string()),
                        Cell::Text(m.municipality.name.clone()),
                        Cell::Text(metric.code().into()),
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
                        place.map_or(Cell::Empty, |p| Cell::Integer(p as i64)),
                    ]
                })
                .collect(),
        };
        return match table.csv() {
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
        };
    }
    let next = (start + per_page < total).then(|| page + 1);
    axum::Json(json!({
        "page": page,
        "per_page": per_page,
        "total": total,
        "next_page": next,
        "min_inquiries": MIN_CELL,
        "rows": slice.iter().map(|(p, m, metric, f, place)| json!({
            "period_id": p.id.0,
            "period": p.period.name,
            "municipality": m.municipality.code.get(),
            "municipality_name": m.municipality.name,
            "metric": metric.code(),
            "value": f.value,
            // Counts are given only with a value: a suppressed cell shows nothing.
            "numerator": f.value.map(|_| f.numerator),
            "denominator": f.value.map(|_| f.denominator),
            "suppressed": f.value.is_none(),
            "place": place,
        })).collect::<Vec<_>>(),
    }))
    .into_response()
}

// --- the coordinator's comparison group -----------------------------------------------

pub(crate) struct GroupChoice {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) checked: bool,
}

#[derive(Template)]
#[template(path = "setup_comparison.html")]
struct ComparisonPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    choices: Vec<GroupChoice>,
    chosen: Vec<String>,
    similar: usize,
}

/// `GET /kommune/{kode}/sammenligning`
pub(crate) async fn show_comparison_group(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let group = store.list_comparison_group(m.code).await?;
    let all = store.list_municipalities().await?;
    let page = ComparisonPage {
        frame: Frame::municipality(&auth, "Sammenligningsgruppe", "/sammenligning")
            .notice(query.text()),
        base: format!("/kommune/{}", m.code),
        can_set_up: auth.can_set_up(),
        chosen: all
            .iter()
            .filter(|x| group.contains(&x.code))
            .map(|x| x.name.clone())
            .collect(),
        choices: all
            .into_iter()
            .filter(|x| x.code != m.code)
            .map(|x| GroupChoice {
                checked: group.contains(&x.code),
                code: x.code.to_string(),
                name: x.name,
            })
            .collect(),
        similar: SIMILAR,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /kommune/{kode}/sammenligning`: the chosen municipalities
/// (`kommune` repeated).
pub(crate) async fn save_comparison_group(
    State(state): State<AppState>,
    auth: Authorized,
    body: String,
) -> PageResult {
    let m = auth.municipality()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| WebError::BadRequest("Formularen kan ikke læses.".into()))?;
    let members: Vec<MunicipalityCode> = pairs
        .iter()
        .filter(|(k, _)| k == "kommune")
        .filter_map(|(_, v)| MunicipalityCode::parse(v).ok())
        .collect();
    portal::set_comparison_group(state.store.as_ref(), &auth.user.actor(), m.code, &members)
        .await?;
    Ok(Redirect::to(&with_notice(
        &format!("/kommune/{}/sammenligning", m.code),
        "gemt",
    ))
    .into_response())
}
