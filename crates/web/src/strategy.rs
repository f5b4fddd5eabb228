//! A municipality's channel strategy on the pages (`/kommune/{kode}/strategi`)
//! and through the API (`/api/v1/strategy`): targets with their progress per
//! counting period and initiatives with their before and after, both from
//! the report engine (`komhen_core::economics::strategy`).

use crate::access::Authorized;
use crate::forms::after_change;
use crate::frame::{Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use komhen_core::economics::strategy::{
    self, share_da, Effect, InitiativeInput, Kept, Overview, TargetInput,
};
use komhen_core::reports::tabular::{decimal_da, thousands};
use komhen_domain::{InitiativeId, Medium, TargetId};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

struct ProgressRow {
    period: String,
    dates: String,
    share: String,
    counts: String,
    met: &'static str,
}

struct TargetView {
    id: i64,
    text: String,
    note: String,
    rows: Vec<ProgressRow>,
}

struct Side {
    period: String,
    share: String,
    incoming: String,
}

struct InitiativeView {
    id: i64,
    title: String,
    starts_on: String,
    task: String,
    note: String,
    before: Option<Side>,
    after: Option<Side>,
    /// The change in percentage points, where both sides have a share.
    change: String,
}

struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "strategy.html")]
struct StrategyPage {
    frame: Frame,
    base: String,
    can_edit: bool,
    targets: Vec<TargetView>,
    initiatives: Vec<InitiativeView>,
    subjects: Vec<Choice>,
    target_form: TargetForm,
    initiative_form: InitiativeForm,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct TargetForm {
    task: String,
    subject: String,
    bound: String,
    percent: String,
    by_year: String,
    note: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct InitiativeForm {
    task: String,
    title: String,
    starts_on: String,
    note: String,
}

fn side(s: &Option<(String, komhen_core::reports::Report)>) -> Option<Side> {
    s.as_ref().map(|(name, report)| Side {
        period: format!("{name} ({})", report.request.dates.label_da()),
        share: share_da(Effect::digital_share(report)),
        incoming: thousands(report.total.inquiries),
    })
}

/// The targets and initiatives as the pages show them.
fn views(overview: &Overview) -> (Vec<TargetView>, Vec<InitiativeView>) {
    let targets = overview
        .targets
        .iter()
        .map(|t| TargetView {
            id: t.row.id.0,
            text: crate::i18n::message(&t.text),
            note: t.row.target.note.clone(),
            rows: t
                .progress
                .iter()
                .map(|p| ProgressRow {
                    period: p.period.clone(),
                    dates: p.dates.label_da(),
                    share: share_da(p.share),
                    counts: crate::t2("{0} af {1}", thousands(p.inquiries), thousands(p.all)),
                    met: crate::t(p.met_da()),
                })
                .collect(),
        })
        .collect();
    let initiatives = overview
        .initiatives
        .iter()
        .map(|i| {
            let before = i
                .effect
                .before
                .as_ref()
                .and_then(|(_, r)| Effect::digital_share(r));
            let after = i
                .effect
                .after
                .as_ref()
                .and_then(|(_, r)| Effect::digital_share(r));
            InitiativeView {
                id: i.row.id.0,
                title: i.row.initiative.title.clone(),
                starts_on: i.row.initiative.starts_on.format("%d-%m-%Y").to_string(),
                task: i.task_label.clone(),
                note: i.row.initiative.note.clone(),
                before: side(&i.effect.before),
                after: side(&i.effect.after),
                change: match (before, after) {
                    (Some(b), Some(a)) => {
                        let pp = (a - b) * 100.0;
                        crate::t2(
                            "{0}{1} procentpoint",
                            if pp > 0.0 { "+" } else { "" },
                            decimal_da(pp, 1),
                        )
                    }
                    _ => "–".into(),
                },
            }
        })
        .collect();
    (targets, initiatives)
}

async fn page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
    target_form: TargetForm,
    initiative_form: InitiativeForm,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let code = auth.code()?;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let overview = strategy::overview(store, code, today).await?;
    let (targets, initiatives) = views(&overview);
    let channels = store.list_channels().await?;
    let mut subjects = vec![Choice {
        value: "digital".into(),
        label: crate::t("De digitale kanaler").into(),
    }];
    subjects.extend(
        channels
            .iter()
            .filter(|c| c.active && c.direction == komhen_domain::Direction::Incoming)
            .map(|c| Choice {
                value: c.code.to_string(),
                label: format!(
                    "{} ({})",
                    crate::i18n::pick(&c.label_da, &c.label_en),
                    c.code
                ),
            }),
    );
    subjects.extend(Medium::ALL.iter().map(|m| Choice {
        value: format!("medie:{}", m.code()),
        label: crate::t1("{0} (alle retninger)", crate::t(m.label_da())),
    }));
    let page = StrategyPage {
        frame: Frame::municipality(auth, crate::t("Kanalstrategi"), "/strategi")
            .notice(notice)
            .error(error),
        base: format!("/kommune/{code}/strategi"),
        can_edit: auth.can_set_up(),
        targets,
        initiatives,
        subjects,
        target_form,
        initiative_form,
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/strategi`
pub(crate) async fn show(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(page(
        &state,
        &auth,
        query.text(),
        None,
        TargetForm::default(),
        InitiativeForm::default(),
    )
    .await?
    .into_response())
}

/// `POST /kommune/{kode}/strategi/maal`
pub(crate) async fn save_target(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<TargetForm>,
) -> PageResult {
    let code = auth.code()?;
    let input = TargetInput {
        task: form.task.clone(),
        subject: form.subject.clone(),
        bound: form.bound.clone(),
        percent: form.percent.clone(),
        by_year: form.by_year.clone(),
        note: form.note.clone(),
    };
    let outcome = strategy::set_target(
        state.store.as_ref(),
        &auth.user.actor(),
        code,
        &input,
        Utc::now(),
    )
    .await
    .map(|_| ());
    after_change(
        outcome,
        &format!("/kommune/{code}/strategi"),
        "maal-gemt",
        |e| {
            page(
                &state,
                &auth,
                None,
                Some(e),
                form.clone(),
                InitiativeForm::default(),
            )
        },
    )
    .await
}

/// `POST /kommune/{kode}/strategi/initiativer`
pub(crate) async fn save_initiative(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<InitiativeForm>,
) -> PageResult {
    let code = auth.code()?;
    let input = InitiativeInput {
        task: form.task.clone(),
        title: form.title.clone(),
        starts_on: form.starts_on.clone(),
        note: form.note.clone(),
    };
    let outcome = strategy::set_initiative(
        state.store.as_ref(),
        &auth.user.actor(),
        code,
        &input,
        Utc::now(),
    )
    .await
    .map(|_| ());
    after_change(
        outcome,
        &format!("/kommune/{code}/strategi"),
        "initiativ-gemt",
        |e| {
            page(
                &state,
                &auth,
                None,
                Some(e),
                TargetForm::default(),
                form.clone(),
            )
        },
    )
    .await
}

async fn remove(state: &AppState, auth: &Authorized, kept: Kept, notice: &str) -> PageResult {
    let code = auth.code()?;
    let outcome = strategy::remove(state.store.as_ref(), &auth.user.actor(), code, kept).await;
    after_change(outcome, &format!("/kommune/{code}/strategi"), notice, |e| {
        page(
            state,
            auth,
            None,
            Some(e),
            TargetForm::default(),
            InitiativeForm::default(),
        )
    })
    .await
}

/// `POST /kommune/{kode}/strategi/maal/{maal}/fjern`
pub(crate) async fn remove_target(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, id)): Path<(String, i64)>,
) -> PageResult {
    remove(&state, &auth, Kept::Target(TargetId(id)), "maal-fjernet").await
}

/// `POST /kommune/{kode}/strategi/initiativer/{initiativ}/fjern`
pub(crate) async fn remove_initiative(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, id)): Path<(String, i64)>,
) -> PageResult {
    remove(
        &state,
        &auth,
        Kept::Initiative(InitiativeId(id)),
        "initiativ-fjernet",
    )
    .await
}

/// `GET /api/v1/strategy?kommune=259`: the targets with their progress and
/// the initiatives with their before and after, as JSON.
#[utoipa::path(
    get,
    path = "/api/v1/strategy",
    tag = "tal for brugere",
    operation_id = "show_strategy",
    summary = "En kommunes kanalstrategi: mål og indsatser med deres fremdrift",
    description = "Andele er 0–1 (docs/economics.md).",
    params(crate::openapi::StrategyParams),
    responses(
        (status = 200, description = "Strategiens mål og indsatser.", body = Object),
        crate::openapi::ReaderErrors,
    ),
    security(("session" = []))
)]
pub(crate) async fn api(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> Response {
    let (code, _) = match crate::reports::api::requested_municipality(&auth.user, raw.as_deref()) {
        Ok(found) => found,
        Err(refusal) => return refusal.into_response(),
    };
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    match strategy::overview(state.store.as_ref(), code, today).await {
        Ok(overview) => axum::Json(overview.json()).into_response(),
        Err(e) => {
            crate::error::log_internal(&e);
            crate::api::error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Strategien kunne ikke hentes lige nu. Fejlen er skrevet i systemets log.",
            )
        }
    }
}
