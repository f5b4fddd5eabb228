//! The rankings (`/rangliste`): a metric's ranking of the municipalities in
//! a published period, or a mandatory task's, with the method beside it and
//! the municipalities not ranked and why.
//!
//! Must not rank: `komhen_core::portal` does.

use super::choice::{
    chosen_metric, chosen_period, corrections, cost_note, metric_options, period_label,
    period_options, shown, Choice, CostNote, Option_,
};
use super::PageResult;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use komhen_core::portal::{
    Metric, MIN_CELL, MIN_RANKED_INQUIRIES, MIN_RANKED_TASK, MIN_RANKED_UNITS,
};
use komhen_core::reports::tabular::thousands;
use serde::Deserialize;

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
    corrections: Vec<String>,
    /// The prices behind the cost figures shown; empty when none are.
    cost_note: CostNote,
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
        corrections: Vec::new(),
        cost_note: CostNote::default(),
        periods: period_options(&periods, chosen.as_ref()),
        metrics: metric_options(metric),
        title: crate::t(metric.label_da()).into(),
        method: crate::t(metric.method_da()).into(),
        order: crate::t(metric.order_da()),
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
    page.corrections = corrections(state.portal.figures(&state, &period).await?.as_ref());
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
            page.title = crate::t2(
                "Digital andel af de indgående henvendelser om {0} {1}",
                &task.task.kle,
                &task.task.name,
            );
            page.method = crate::t1(
                "Indgående henvendelser om opgaven ad digitale kanaler delt med alle indgående henvendelser om opgaven. En kommune rangeres, når den har mindst {0} indgående henvendelser om opgaven.",
                MIN_RANKED_TASK,
            );
            page.order = crate::t("Højeste værdi får plads 1.");
            let ranked = task.ranking();
            page.rows = ranked
                .iter()
                .map(|(place, tied, m, f)| RankLine {
                    place: format!("{place}{}", if *tied { crate::t(" (delt)") } else { "" }),
                    code: m.code.to_string(),
                    name: m.name.clone(),
                    value: shown(Metric::Digital, f),
                    basis: crate::t2(
                        "{0} af {1}",
                        thousands(f.numerator),
                        thousands(f.denominator),
                    ),
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
                        crate::t1("For få henvendelser (under {0})", MIN_CELL)
                    } else {
                        crate::t2(
                            "For få henvendelser ({0}; mindst {1} kræves)",
                            thousands(f.base),
                            MIN_RANKED_TASK,
                        )
                    },
                })
                .collect();
        }
        None => {
            let figures = state.portal.figures(&state, &period).await?;
            if metric.is_kroner() {
                page.cost_note = cost_note(&figures);
            }
            let ranking = figures.ranking(metric);
            page.rows = ranking
                .rows
                .iter()
                .map(|r| RankLine {
                    place: format!(
                        "{}{}",
                        r.place,
                        if r.tied { crate::t(" (delt)") } else { "" }
                    ),
                    code: r.municipality.code.to_string(),
                    name: r.municipality.name.clone(),
                    value: shown(metric, &r.figure),
                    basis: if metric == Metric::PerThousand {
                        crate::t2(
                            "{0} henvendelser, {1} indbyggere",
                            thousands(r.figure.numerator),
                            thousands(r.figure.denominator),
                        )
                    } else if metric.is_kroner() {
                        let amount = komhen_core::economics::prices::amount(r.figure.numerator);
                        let count = thousands(r.figure.denominator);
                        if metric == Metric::CostPerInquiry {
                            crate::t2("{0} kr. for {1} henvendelser", amount, count)
                        } else {
                            crate::t2("{0} kr. for {1} indbyggere", amount, count)
                        }
                    } else if metric == Metric::Participation {
                        crate::t2(
                            "{0} af {1} enheder",
                            thousands(r.figure.numerator),
                            thousands(r.figure.denominator),
                        )
                    } else {
                        crate::t2(
                            "{0} af {1}",
                            thousands(r.figure.numerator),
                            thousands(r.figure.denominator),
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
                    reason: crate::i18n::message(&reason),
                })
                .collect();
        }
    }
    Ok(Html(page.render()?).into_response())
}
