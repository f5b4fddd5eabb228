//! The national figures (`/landstal`): the channel mix by direction in every
//! published period (its development, as a table and a chart), and the
//! mandatory tasks' digital shares.

use super::choice::shown;
use super::PageResult;
use crate::format::number;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use komhen_core::portal::{self, Metric, MIN_CELL};
use komhen_core::reports::tabular::Cell;
use komhen_domain::Direction;
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
