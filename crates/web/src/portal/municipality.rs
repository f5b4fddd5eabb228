//! The municipalities in public: the list (`/kommuner`) with their
//! inquiries in the newest published period, and a municipality's page
//! (`/kommuner/{kode}`) with its benchmark against the nation, its region,
//! its most similar municipalities and its comparison group.
//!
//! Must not compare: `komhen_core::portal::benchmark` does.

use super::choice::{
    chosen_period, corrections, cost_note, period_label, period_options, shown, suppressed_note,
    Choice, CostNote, Option_,
};
use super::PageResult;
use crate::format::number;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse};
use komhen_core::portal::{self, Benchmark};
use komhen_domain::MunicipalityCode;

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
    let published = state.published();
    let store = published.as_ref();
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
    corrections: Vec<String>,
    /// The prices behind the cost figures shown; empty when none are.
    cost_note: CostNote,
    periods: Vec<Option_>,
    inquiries: String,
    units: String,
    lines: Vec<BenchmarkLine>,
    similar: String,
    group: String,
    has_group: bool,
    before_label: String,
    period_id: String,
    /// The share measures beside the nation, the region and the similar
    /// municipalities, for `charts.js` (the table is its text alternative).
    chart: String,
}

/// `GET /kommuner/{kode}`: the municipality's published figures against
/// the nation, its region, its most similar municipalities and its
/// comparison group, with the change since the period before.
pub(crate) async fn show_municipality(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(choice): Query<Choice>,
) -> PageResult {
    let published = state.published();
    let store = published.as_ref();
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
        corrections: Vec::new(),
        cost_note: CostNote::default(),
        periods: period_options(&periods, chosen.as_ref()),
        inquiries: "–".into(),
        units: String::new(),
        lines: Vec::new(),
        similar: String::new(),
        group: String::new(),
        has_group: false,
        before_label: String::new(),
        period_id: String::new(),
        chart: String::new(),
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
        page.corrections = corrections(&now);
        page.cost_note = cost_note(&now);
        page.period_id = period.id.0.to_string();
        page.inquiries = own
            .inquiries
            .map_or_else(|| crate::t("– (under 20)").into(), number);
        page.units = crate::t2(
            "{0} af {1}",
            number(own.units_registering),
            number(own.units_active),
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
                            .map_or(String::new(), |(_, why)| {
                                crate::t1("Ikke rangeret: {0}", why)
                            })
                    },
                    |r| {
                        crate::t3(
                            "{0}{1} af {2}",
                            r.place,
                            if r.tied { crate::t(" (delt)") } else { "" },
                            ranking.rows.len(),
                        )
                    },
                );
            let change = match (row.own.value, row.before.and_then(|b| b.value)) {
                (Some(now), Some(then)) => {
                    let change = signed(komhen_core::reports::tabular::decimal_da(
                        metric.change(now, then),
                        if metric.is_kroner() { 2 } else { 1 },
                    ));
                    if metric.is_share() {
                        crate::t1("{0} procentpoint", change)
                    } else if metric.is_kroner() {
                        crate::t1("{0} kr.", change)
                    } else {
                        change
                    }
                }
                _ => "–".into(),
            };
            page.lines.push(BenchmarkLine {
                metric: crate::t(metric.label_da()),
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
        page.chart = share_chart(&page.name, &b);
    }
    Ok(Html(page.render()?).into_response())
}

/// The benchmark's shares as a bar chart: one bar per share measure for
/// the municipality, the nation, the region and the ten most similar (in
/// percent, as the table shows them; a suppressed figure is left out).
fn share_chart(name: &str, b: &Benchmark) -> String {
    let rows: Vec<&komhen_core::portal::BenchmarkRow> =
        b.rows.iter().filter(|r| r.metric.is_share()).collect();
    let percent = |f: &komhen_core::portal::Figure| {
        f.value.map_or(serde_json::Value::Null, |v| {
            ((v * 1000.0).round() / 10.0).into()
        })
    };
    let series =
        |label: &str, pick: &dyn Fn(&komhen_core::portal::BenchmarkRow) -> serde_json::Value| serde_json::json!({ "name": label, "data": rows.iter().map(|r| pick(r)).collect::<Vec<_>>() });
    serde_json::json!({
        "kind": "bar",
        "percent": true,
        "categories": rows.iter().map(|r| crate::t(r.metric.label_da())).collect::<Vec<_>>(),
        "series": [
            series(name, &|r| percent(&r.own)),
            series(crate::t("Hele landet"), &|r| percent(&r.nation)),
            series(crate::t("Regionen"), &|r| percent(&r.region)),
            series(crate::t("De 10 mest lignende"), &|r| percent(&r.similar)),
        ],
    })
    .to_string()
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
