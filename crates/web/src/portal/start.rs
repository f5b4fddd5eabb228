//! The start page (`/`): key figures, the map of a metric in a published
//! period with its table, and the counting periods; and the municipalities'
//! boundaries the map draws.

use super::choice::{
    chosen_metric, chosen_period, corrections, cost_note, metric_options, period_label,
    period_options, shown, suppressed_note, Choice, CostNote, Option_,
};
use super::PageResult;
use crate::format::number;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chrono::Datelike;
use komhen_domain::MunicipalityCode;
use serde_json::json;
use std::collections::HashMap;

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
    corrections: Vec<String>,
    periods: Vec<Option_>,
    metrics: Vec<Option_>,
    metric_label: &'static str,
    metric_code: &'static str,
    period_id: String,
    map: String,
    rows: Vec<MapRow>,
    nation: String,
    period_lines: Vec<PeriodLine>,
    /// The prices behind a cost metric; empty for other metrics.
    cost_note: CostNote,
}

/// `GET /`: key figures, the map of a metric in a published period with
/// its table, and the counting periods.
pub(crate) async fn start_page(
    State(state): State<AppState>,
    Query(choice): Query<Choice>,
) -> PageResult {
    let published = state.published();
    let store = published.as_ref();
    let metric = chosen_metric(&choice)?;
    let (periods, chosen) = chosen_period(&state, &choice).await?;
    let all_periods = store.list_periods(None).await?;
    let today = komhen_domain::DateDimensions::of(chrono::Utc::now()).day;
    let mut page = StartPage {
        municipalities: number(store.list_municipalities().await?.len() as i64),
        inquiries: "–".into(),
        units: number(store.count_active_units().await?),
        published: None,
        corrections: Vec::new(),
        periods: period_options(&periods, chosen.as_ref()),
        metrics: metric_options(metric),
        metric_label: crate::t(metric.label_da()),
        metric_code: metric.code(),
        period_id: String::new(),
        map: String::new(),
        rows: Vec::new(),
        nation: String::new(),
        period_lines: Vec::new(),
        cost_note: CostNote::default(),
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
            weeks: crate::t3("uge {0}–{1} ({2})", first.week(), last.week(), first.year()),
            status: match p.published_at {
                Some(at) => crate::t1(
                    "Offentliggjort {0}",
                    komhen_domain::danish_local(at).format("%d-%m-%Y"),
                ),
                None if p.period.starts_on > today => crate::t("Kommende").into(),
                None => crate::t1(
                    "Ikke offentliggjort (indberetningsfrist {0})",
                    p.period.submission_deadline.format("%d-%m-%Y"),
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
                    format!(
                        "{}{}",
                        r.place,
                        if r.tied { crate::t(" (delt)") } else { "" }
                    ),
                )
            })
            .collect();
        page.inquiries = number(figures.nation_inquiries);
        // The period's own figure, as published: the units that registered.
        page.units = number(
            figures
                .municipalities
                .iter()
                .map(|m| m.units_registering)
                .sum(),
        );
        page.published = Some(period_label(&period));
        page.corrections = corrections(&figures);
        if metric.is_kroner() {
            page.cost_note = cost_note(&figures);
        }
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
                        .unwrap_or_else(|| crate::t("ikke rangeret").into()),
                }
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        page.map = json!({
            "metric": crate::t(metric.label_da()),
            "share": metric.is_share(),
            "kroner": metric.is_kroner(),
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
