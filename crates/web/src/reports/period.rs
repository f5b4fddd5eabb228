//! The period report (`/kommune/{kode}/tal/beretning`): a counting period's
//! findings, the overview's first tables, and the recommendations the
//! municipality writes and saves.
//!
//! Must not find anything itself: `komhen_core::reports::findings` does.

use super::context::{context, Choice};
use super::overview::OVERVIEW_SECTIONS;
use super::table::TableView;
use super::PageResult;
use crate::access::Authorized;
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect};
use axum::Form;
use chrono::Utc;
use komhen_core::reports::findings::{self, Finding};
use komhen_core::reports::tabular::thousands;
use komhen_core::reports::{Comparing, Dates, ReportQuery};
use komhen_domain::{danish_local, PeriodId};
use komhen_store::PeriodRow;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "reports_period.html")]
struct PeriodPage {
    frame: Frame,
    base: String,
    municipality: String,
    periods: Vec<Choice>,
    period_name: String,
    period_dates: String,
    comparison: String,
    findings: Vec<(&'static str, Vec<String>)>,
    min_inquiries: String,
    tables: Vec<TableView>,
    recommendations: Vec<String>,
    recommendations_text: String,
    recommendations_by: String,
    can_write: bool,
    period_id: i64,
    generated: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PeriodQuery {
    periode: Option<i64>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

/// `GET /kommune/{kode}/tal/beretning?periode=ID`
pub(crate) async fn show_period_report(
    State(state): State<AppState>,
    auth: Authorized,
    axum::extract::Query(q): axum::extract::Query<PeriodQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let code = m.code;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let periods: Vec<PeriodRow> = store
        .list_periods(Some(code))
        .await?
        .into_iter()
        .filter(|p| p.period.starts_on <= today)
        .collect();
    let Some(period) = q
        .periode
        .and_then(|id| periods.iter().find(|p| p.id.0 == id))
        .or_else(|| periods.first())
        .cloned()
    else {
        return Err(WebError::BadRequest(
            "Der er ingen tælleperiode, der er begyndt, at skrive en beretning om.".into(),
        ));
    };
    let dates = Dates {
        from: period.period.starts_on,
        to: period.period.ends_on,
    };
    let query = ReportQuery {
        dates: Some(dates),
        comparison: Some(Comparing::YearBefore),
        ..ReportQuery::default()
    };
    let ctx = context(&state, &auth, &query, Comparing::YearBefore).await?;
    let found: Vec<Finding> = findings::period_findings(store, &ctx.request).await?;
    let mut grouped: Vec<(&'static str, Vec<String>)> = Vec::new();
    for f in found {
        let label = f.topic.label_da();
        match grouped.iter_mut().find(|(l, _)| *l == label) {
            Some((_, list)) => list.push(f.text),
            None => grouped.push((label, vec![f.text])),
        }
    }
    let mut tables = Vec::new();
    for section in &OVERVIEW_SECTIONS[..4] {
        tables.push(section.table(&ctx, store).await?);
    }
    let notes = store.find_period_notes(code, period.id).await?;
    let page = PeriodPage {
        frame: Frame::municipality(
            &auth,
            format!("Periodeberetning – {} Kommune", m.name),
            "/tal",
        )
        .notice(q.notice.text()),
        base: ctx.base.clone(),
        municipality: format!("{} Kommune", m.name),
        periods: periods
            .iter()
            .map(|p| Choice {
                value: p.id.0.to_string(),
                label: format!(
                    "{} ({} – {})",
                    p.period.name,
                    p.period.starts_on.format("%d-%m-%Y"),
                    p.period.ends_on.format("%d-%m-%Y")
                ),
                selected: p.id == period.id,
            })
            .collect(),
        period_name: period.period.name.clone(),
        period_dates: dates.label_da(),
        comparison: ctx.request.comparison.map_or("ingen".into(), |c| {
            format!("samme uger året før ({})", c.label_da())
        }),
        findings: grouped,
        min_inquiries: thousands(findings::MIN_INQUIRIES),
        tables,
        recommendations: notes
            .as_ref()
            .map(|n| {
                n.recommendations
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        recommendations_text: notes
            .as_ref()
            .map_or(String::new(), |n| n.recommendations.clone()),
        recommendations_by: notes.as_ref().map_or(String::new(), |n| {
            format!(
                "Skrevet af {} den {}",
                n.updated_by.trim_start_matches("bruger:"),
                danish_local(n.updated_at).format("%d-%m-%Y %H:%M")
            )
        }),
        can_write: auth.can_set_up(),
        period_id: period.id.0,
        generated: danish_local(Utc::now())
            .format("%d-%m-%Y %H:%M")
            .to_string(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct RecommendationsForm {
    periode: i64,
    anbefalinger: String,
}

/// `POST /kommune/{kode}/tal/beretning`
pub(crate) async fn save_recommendations(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<RecommendationsForm>,
) -> PageResult {
    let code = auth.code()?;
    findings::save_recommendations(
        state.store.as_ref(),
        &auth.user.actor(),
        code,
        PeriodId(form.periode),
        &form.anbefalinger,
    )
    .await?;
    let path = format!("/kommune/{code}/tal/beretning");
    Ok(Redirect::to(&format!(
        "{}&periode={}#anbefalinger",
        with_notice(&path, "gemt"),
        form.periode
    ))
    .into_response())
}
