//! The period report (`/kommune/{kode}/tal/beretning`): a counting period's
//! findings, the overview's first tables, the cost in total and per channel
//! (shown when the municipality has prices, national or its own, unless the
//! link says `omkostning=nej`), and the recommendations the municipality
//! writes and saves. With `forvaltning=ID` it is the department's report in
//! the shape of seed `004_*`: its channels and types by direction, incoming
//! and outgoing inquiries per office (unit) and channel, the guidance and
//! case-information inquiries per office and channel (the candidates for the
//! website or for following one's case), and its tasks, each against the
//! same weeks a year before, within the reader's scope.
//!
//! Must not find anything itself: `komhen_core::reports::findings` does.

use super::context::{context, Choice};
use super::cost::{CostNotes, CostToggle};
use super::overview::{cost_figure, KeyFigure, OVERVIEW_SECTIONS};
use super::table::{table_view, Section, TableView};
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
use komhen_core::reports::{Comparing, Dates, Dimension, Order, ReportQuery, ShareOf};
use komhen_domain::{danish_local, PeriodId};
use komhen_store::PeriodRow;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "reports_period.html")]
struct PeriodPage {
    frame: Frame,
    base: String,
    municipality: String,
    /// The department the report is for (None: the whole municipality).
    department: Option<String>,
    departments: Vec<Choice>,
    periods: Vec<Choice>,
    period_name: String,
    period_dates: String,
    comparison: String,
    findings: Vec<(&'static str, Vec<String>)>,
    min_inquiries: String,
    tables: Vec<TableView>,
    /// With cost: the total, the table per channel and its notes.
    cost: Option<PeriodCost>,
    cost_toggle: CostToggle,
    recommendations: Vec<String>,
    recommendations_text: String,
    recommendations_by: String,
    can_write: bool,
    period_id: i64,
    generated: String,
    /// The strategy's targets with their figure in the period, and the
    /// initiatives begun by its end: (text, figure).
    targets: Vec<(String, String)>,
    initiatives: Vec<(String, String)>,
    base_municipality: String,
}

/// The period's cost as the report shows it.
struct PeriodCost {
    total: KeyFigure,
    by_channel: TableView,
    notes: Option<CostNotes>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PeriodQuery {
    periode: Option<i64>,
    /// `ja` or `nej`; without it, cost is shown when there are prices.
    omkostning: Option<String>,
    /// A department's report.
    #[serde(default, deserialize_with = "crate::forms::id")]
    forvaltning: Option<i64>,
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
            crate::t("Der er ingen tælleperiode, der er begyndt, at skrive en beretning om.")
                .into(),
        ));
    };
    let dates = Dates {
        from: period.period.starts_on,
        to: period.period.ends_on,
    };
    let show_cost = match q.omkostning.as_deref() {
        Some("ja") => true,
        Some("nej") => false,
        _ => !store.list_channel_prices(Some(code)).await?.is_empty(),
    };
    let departments = store.list_departments(code).await?;
    let department = match q.forvaltning {
        Some(id) => Some(
            departments
                .iter()
                .find(|d| d.id.0 == id)
                .ok_or(WebError::NotFound)?,
        ),
        None => None,
    };
    let mut query = ReportQuery {
        dates: Some(dates),
        comparison: Some(Comparing::YearBefore),
        cost: show_cost,
        ..ReportQuery::default()
    };
    if let Some(d) = department {
        query = query.filtered(Dimension::Department, &d.id.0.to_string());
    }
    let ctx = context(&state, &auth, &query, Comparing::YearBefore).await?;
    let found: Vec<Finding> = findings::period_findings(store, &ctx.request).await?;
    let mut grouped: Vec<(&'static str, Vec<String>)> = Vec::new();
    for f in found {
        let label = crate::t(f.topic.label_da());
        match grouped.iter_mut().find(|(l, _)| *l == label) {
            Some((_, list)) => list.push(crate::i18n::message(&f.text)),
            None => grouped.push((label, vec![crate::i18n::message(&f.text)])),
        }
    }
    let mut tables = Vec::new();
    if department.is_some() {
        tables = department_tables(&state, &auth, &query, &ctx).await?;
    } else {
        for section in &OVERVIEW_SECTIONS[..4] {
            tables.push(section.table(&ctx, &state).await?);
        }
    }
    let cost = if show_cost {
        let dims = [Dimension::Channel];
        let report = ctx
            .run(&state, &dims, ShareOf::Total, Order::Natural)
            .await?;
        let table_query = ctx.table_query(&dims, ShareOf::Total, Order::Natural);
        cost_figure(&report).map(|total| PeriodCost {
            total,
            by_channel: table_view(
                &ctx,
                "omkostning",
                crate::t("Omkostning efter kanal"),
                &report,
                &table_query,
                None,
                100,
            ),
            notes: CostNotes::of(&report),
        })
    } else {
        None
    };
    let cost_toggle = CostToggle::to(
        format!(
            "{}/beretning?periode={}{}&omkostning={}",
            ctx.base,
            period.id.0,
            department.map_or(String::new(), |d| format!("&forvaltning={}", d.id.0)),
            if show_cost { "nej" } else { "ja" }
        ),
        show_cost,
    );
    let notes = store.find_period_notes(code, period.id).await?;
    let (targets, initiatives) = strategy_lines(store, code, dates, today).await?;
    let page = PeriodPage {
        targets,
        initiatives,
        base_municipality: format!("/kommune/{code}"),
        frame: Frame::municipality(
            &auth,
            crate::t1("Periodeberetning – {0} Kommune", &m.name),
            "/tal",
        )
        .notice(q.notice.text()),
        base: ctx.base.clone(),
        municipality: crate::t1("{0} Kommune", &m.name),
        department: department.map(|d| d.name.clone()),
        departments: departments
            .iter()
            .filter(|d| d.active || department.is_some_and(|x| x.id == d.id))
            .map(|d| Choice {
                value: d.id.0.to_string(),
                label: d.name.clone(),
                selected: department.is_some_and(|x| x.id == d.id),
            })
            .collect(),
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
        comparison: ctx
            .request
            .comparison
            .map_or(crate::t("ingen").into(), |c| {
                crate::t1("samme uger året før ({0})", c.label_da())
            }),
        findings: grouped,
        min_inquiries: thousands(findings::MIN_INQUIRIES),
        tables,
        cost,
        cost_toggle,
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
            crate::t2(
                "Skrevet af {0} den {1}",
                komhen_core::accounts::access::actor_da(&n.updated_by),
                danish_local(n.updated_at).format("%d-%m-%Y %H:%M"),
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

/// A department's offices (units) by channel, one table per direction.
const OFFICES_IN: Section = Section {
    id: "kontorer-ind",
    caption: || crate::t("Indgående henvendelser fordelt på enheder og kanaler"),
    dims: &[Dimension::Unit, Dimension::Channel],
    share_of: ShareOf::FirstDimension,
    order: Order::Natural,
    chart: None,
    show: 300,
};

const OFFICES_OUT: Section = Section {
    id: "kontorer-ud",
    caption: || crate::t("Udgående henvendelser fordelt på enheder og kanaler"),
    ..OFFICES_IN
};

/// Incoming guidance and case-information inquiries per office and
/// channel: the seed's candidates for the website or for following one's
/// own case.
const CANDIDATES: Section = Section {
    id: "kandidater",
    caption: || {
        crate::t(
            "Råd og vejledning og information om eksisterende sag (indgående) fordelt på \
             enheder og kanaler: kandidater til hjemmesiden eller til at følge egen sag",
        )
    },
    dims: &[Dimension::InquiryType, Dimension::Unit, Dimension::Channel],
    share_of: ShareOf::FirstDimension,
    order: Order::Natural,
    chart: None,
    show: 300,
};

/// The department report's tables (seed `004_*`), each in the page's scope.
async fn department_tables(
    state: &AppState,
    auth: &Authorized,
    query: &ReportQuery,
    ctx: &super::context::Context,
) -> Result<Vec<TableView>, WebError> {
    let incoming = query.filtered(Dimension::Direction, "in");
    let outgoing = query.filtered(Dimension::Direction, "out");
    let mut candidates = incoming.clone();
    candidates
        .filters
        .retain(|(d, _)| *d != Dimension::InquiryType);
    for code in ["VEJL", "INFO"] {
        candidates
            .filters
            .push((Dimension::InquiryType, code.to_owned()));
    }
    let mut tables = Vec::new();
    for section in &OVERVIEW_SECTIONS[..2] {
        tables.push(section.table(ctx, state).await?);
    }
    for (section, q) in [
        (&OFFICES_IN, &incoming),
        (&OFFICES_OUT, &outgoing),
        (&CANDIDATES, &candidates),
    ] {
        let c = context(state, auth, q, Comparing::YearBefore).await?;
        tables.push(section.table(&c, state).await?);
    }
    tables.push(OVERVIEW_SECTIONS[3].table(ctx, state).await?);
    Ok(tables)
}

/// The strategy as the period report names it: each target's share in the
/// period, and each initiative begun by the period's end with its before
/// and after.
async fn strategy_lines(
    store: &dyn komhen_store::Store,
    code: komhen_domain::MunicipalityCode,
    dates: Dates,
    today: chrono::NaiveDate,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), WebError> {
    use komhen_core::economics::strategy::{self, share_da as share, Effect};
    let overview = strategy::overview(store, code, today).await?;
    let targets = overview
        .targets
        .iter()
        .map(|t| {
            let figure = match t.progress.iter().find(|p| p.dates == dates) {
                Some(p) => format!(
                    "{}: {}",
                    crate::t3(
                        "{0} i perioden ({1} af {2})",
                        share(p.share),
                        thousands(p.inquiries),
                        thousands(p.all),
                    ),
                    crate::t(p.met_da()).to_lowercase()
                ),
                None => crate::t("Ingen tal for perioden.").into(),
            };
            (crate::i18n::message(&t.text), figure)
        })
        .collect();
    let initiatives = overview
        .initiatives
        .iter()
        .filter(|i| i.row.initiative.starts_on <= dates.to)
        .map(|i| {
            let side = |s: &Option<(String, komhen_core::reports::Report)>| {
                s.as_ref().map_or_else(
                    || crate::t("ingen periode").to_owned(),
                    |(name, r)| crate::t2("{0} i {1}", share(Effect::digital_share(r)), name),
                )
            };
            (
                crate::t3(
                    "{0} (fra {1}, {2})",
                    &i.row.initiative.title,
                    i.row.initiative.starts_on.format("%d-%m-%Y"),
                    &i.task_label,
                ),
                crate::t2(
                    "Digital andel før: {0}; efter: {1}.",
                    side(&i.effect.before),
                    side(&i.effect.after),
                ),
            )
        })
        .collect();
    Ok((targets, initiatives))
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
