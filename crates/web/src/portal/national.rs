//! The national figures (`/landstal`): the channel mix by direction in every
//! published period (its development, as a table and a chart), and the
//! mandatory tasks' digital shares.

use super::choice::{chosen_period, period_options, shown, Choice, Option_};
use super::PageResult;
use crate::format::number;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use komhen_core::economics::savings;
use komhen_core::portal::{self, Metric, MIN_CELL};
use komhen_core::reports::tabular::Cell;
use komhen_domain::Direction;
use komhen_store::PeriodRow;
use serde::Deserialize;
use serde_json::json;

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

/// The savings potential as the page shows it.
pub(crate) struct PotentialView {
    pub(crate) period: String,
    pub(crate) percent: u32,
    /// (task, digital share, moved in a year, saving in a year)
    pub(crate) rows: Vec<[String; 4]>,
    pub(crate) moved: String,
    pub(crate) saving: String,
    pub(crate) example_prices: bool,
    pub(crate) sources: String,
    pub(crate) days: i64,
    pub(crate) priced: bool,
    pub(crate) unpriced_tasks: usize,
}

/// `?periode=ID&andel=80`
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NationalQuery {
    periode: Option<i64>,
    andel: Option<String>,
}

/// The digital share the potential is computed at unless another is chosen.
pub(crate) const DEFAULT_POTENTIAL_PERCENT: u32 = 80;

/// The potential as the page lays it out.
pub(crate) fn potential_view(period: &PeriodRow, potential: &portal::Potential) -> PotentialView {
    let year = |v| potential.per_year(v);
    PotentialView {
        period: period.period.name.clone(),
        percent: potential.percent,
        rows: potential
            .tasks
            .iter()
            .map(|t| {
                let suppressed = t.share.value.is_none();
                [
                    format!("{} {}", t.task.kle, t.task.name),
                    shown(Metric::Digital, &t.share),
                    if suppressed {
                        "–".into()
                    } else {
                        savings::decimal(year(t.moved), 0)
                    },
                    match (suppressed, t.saving) {
                        (true, _) => "–".into(),
                        (false, Some(s)) => crate::t1("{0} kr.", savings::amount(year(s))),
                        (false, None) => crate::t("mangler pris").into(),
                    },
                ]
            })
            .collect(),
        moved: savings::decimal(year(potential.moved), 0),
        saving: crate::t1("{0} kr.", savings::amount(year(potential.saving))),
        example_prices: potential.example_prices,
        sources: potential.sources.join("; "),
        days: potential.days,
        priced: potential.priced,
        unpriced_tasks: potential
            .tasks
            .iter()
            .filter(|t| t.share.value.is_some() && t.saving.is_none())
            .count(),
    }
}

/// The chosen digital share: a whole percent from 0 to 100.
pub(crate) fn potential_percent(value: Option<&str>) -> Result<u32, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_POTENTIAL_PERCENT),
        Some(v) => savings::percent_of(v, "den digitale andel").map_err(|e| e.to_string()),
    }
}

#[derive(Template)]
#[template(path = "portal_national.html")]
struct NationalPage {
    potential: Option<PotentialView>,
    potential_periods: Vec<Option_>,
    potential_error: Option<String>,
    periods: Vec<String>,
    totals: Vec<String>,
    mix: Vec<MixLine>,
    chart: String,
    tasks: Vec<TaskLine>,
    min_cell: i64,
}

/// `GET /landstal`: the channel mix by direction in every published period
/// (its development), and the mandatory tasks' digital shares.
pub(crate) async fn show_national(
    State(state): State<AppState>,
    Query(query): Query<NationalQuery>,
) -> PageResult {
    let published = state.published();
    let store = published.as_ref();
    let (newest_first, chosen) = chosen_period(
        &state,
        &Choice {
            periode: query.periode,
            maal: None,
        },
    )
    .await?;
    let (potential, potential_error) = match (&chosen, potential_percent(query.andel.as_deref())) {
        (Some(period), Ok(percent)) => (
            Some(potential_view(
                period,
                &portal::savings_potential(store, period, percent).await?,
            )),
            None,
        ),
        (Some(period), Err(message)) => (
            Some(potential_view(
                period,
                &portal::savings_potential(store, period, DEFAULT_POTENTIAL_PERCENT).await?,
            )),
            Some(message),
        ),
        (None, _) => (None, None),
    };
    let potential_periods = period_options(&newest_first, chosen.as_ref());
    let mut periods = newest_first;
    periods.reverse(); // oldest first, as time runs
    let mut mixes = Vec::new();
    for p in &periods {
        mixes.push(portal::channel_mix(store, p).await?);
    }
    // Every (direction, channel) seen in any period, in the report's order.
    let mut keys: Vec<(String, String, String, String)> = Vec::new();
    for mix in &mixes {
        for row in mix {
            let key = (
                row.direction.clone(),
                row.direction_label.clone(),
                row.channel.clone(),
                row.channel_label.clone(),
            );
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    // Incoming first; within a direction the channels' own order (stable).
    keys.sort_by_key(|k| k.0 != Direction::Incoming.code());
    let find = |mix: &'_ [portal::MixRow], dir: &str, channel: &str| {
        mix.iter()
            .find(|row| row.direction == dir && row.channel == channel)
            .cloned()
    };
    let mut mix = Vec::new();
    for (i, (dir, dir_label, channel, channel_label)) in keys.iter().enumerate() {
        let cells = mixes
            .iter()
            .map(|m| {
                find(m, dir, channel).map_or("–".into(), |row| {
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
            "data": mixes.iter().map(|m| find(m, &k.0, &k.2)
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
        potential,
        potential_periods,
        potential_error,
        periods: periods.iter().map(|p| p.period.name.clone()).collect(),
        totals: mixes
            .iter()
            .map(|m| number(m.iter().map(|r| r.inquiries).sum()))
            .collect(),
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
