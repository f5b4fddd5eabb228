//! Channel prices on the pages: the national list (`/admin/priser`) and a
//! municipality's own (`/kommune/{kode}/priser`), each with what is kept,
//! the reckoning of a price found from time, its source and year, and
//! example prices marked as such; beside the minutes of the form, the
//! registration time the stopwatch measured per channel (the report
//! engine's mean over the latest counting period). Checking, keeping and
//! the rule of which price is in force live in `komhen_core::economics`.

use crate::access::Authorized;
use crate::forms::after_change;
use crate::frame::{Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use komhen_core::economics::prices::{self, kroner, PriceInput};
use komhen_core::economics::timing::{self, MeasuredTimes};
use komhen_core::reports::tabular::{decimal_da, thousands};
use komhen_domain::{ChannelPriceId, MunicipalityCode};
use komhen_store::ChannelPriceRow;
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

/// One kept price as the table shows it.
pub(crate) struct PriceView {
    pub(crate) id: i64,
    pub(crate) channel: String,
    pub(crate) task: String,
    pub(crate) valid_from: String,
    pub(crate) price: String,
    /// "4,5 min. × 450,00 kr. i timen", or empty for an amount.
    pub(crate) reckoning: String,
    pub(crate) source: String,
    pub(crate) year: i32,
    pub(crate) example: bool,
}

/// The stopwatch's measured registration time per channel, as the form's
/// hint shows it.
pub(crate) struct MeasuredView {
    /// «Målt med registreringens stopur i Efterår 2026 (19-10-2026 – …)».
    pub(crate) caption: String,
    /// Channel, «2,4 min. i gennemsnit», «1.234 registreringer».
    pub(crate) rows: Vec<(String, String, String)>,
}

impl MeasuredView {
    fn of(times: MeasuredTimes, national: bool) -> Self {
        Self {
            caption: if national {
                crate::t2(
                    "Målt med registreringens stopur i alle kommuner, periode {0} ({1})",
                    &times.period,
                    times.dates.label_da(),
                )
            } else {
                crate::t2(
                    "Målt med registreringens stopur, periode {0} ({1})",
                    &times.period,
                    times.dates.label_da(),
                )
            },
            rows: times
                .channels
                .into_iter()
                .map(|c| {
                    (
                        format!("{} ({})", c.label, c.channel),
                        crate::t1("{0} min. i gennemsnit", decimal_da(c.mean_s / 60.0, 1)),
                        format!(
                            "{} {}",
                            thousands(c.timed),
                            if c.timed == 1 {
                                crate::t("registrering")
                            } else {
                                crate::t("registreringer")
                            }
                        ),
                    )
                })
                .collect(),
        }
    }
}

/// The answered inquiry minutes per channel, as the form's source shows it.
pub(crate) struct AnsweredView {
    /// «Svar på «Henvendelsens varighed (minutter)», periode …».
    pub(crate) caption: String,
    /// Channel, «6,2 min. i gennemsnit», «143 henvendelser».
    pub(crate) rows: Vec<(String, String, String)>,
    /// «12 svar var ikke et antal minutter og er udeladt.», or empty.
    pub(crate) left_out: String,
}

impl AnsweredView {
    fn of(minutes: timing::AnsweredMinutes, national: bool) -> Self {
        Self {
            caption: if national {
                crate::t2(
                    "Svar på «Henvendelsens varighed (minutter)» i alle kommuner, periode {0} ({1})",
                    &minutes.period,
                    minutes.dates.label_da(),
                )
            } else {
                crate::t2(
                    "Svar på «Henvendelsens varighed (minutter)», periode {0} ({1})",
                    &minutes.period,
                    minutes.dates.label_da(),
                )
            },
            rows: minutes
                .channels
                .into_iter()
                .map(|c| {
                    (
                        format!("{} ({})", c.label, c.channel),
                        crate::t1("{0} min. i gennemsnit", decimal_da(c.mean_minutes, 1)),
                        format!(
                            "{} {}",
                            thousands(c.answered),
                            if c.answered == 1 {
                                crate::t("henvendelse")
                            } else {
                                crate::t("henvendelser")
                            }
                        ),
                    )
                })
                .collect(),
            left_out: if minutes.not_minutes > 0 {
                crate::t1(
                    "{0} svar var ikke et antal minutter og er udeladt.",
                    thousands(minutes.not_minutes),
                )
            } else {
                String::new()
            },
        }
    }
}

pub(crate) struct ChannelChoice {
    pub(crate) code: String,
    pub(crate) label: String,
}

#[derive(Template)]
#[template(path = "prices.html")]
struct PricesPage {
    frame: Frame,
    /// Where the forms post: `/admin/priser` or `/kommune/{kode}/priser`.
    action: String,
    national_scope: bool,
    can_edit: bool,
    /// The scope's own prices (the national list on the national page).
    own: Vec<PriceView>,
    /// On a municipality's page, the national list beside its own.
    national: Vec<PriceView>,
    any_example: bool,
    channels: Vec<ChannelChoice>,
    form: PriceForm,
    /// The measured registration times; None without a counting period.
    measured: Option<MeasuredView>,
    /// The answered inquiry minutes; None without a counting period.
    answered: Option<AnsweredView>,
}

/// A price as the form posts it (see [`PriceInput`]).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct PriceForm {
    pub(crate) channel: String,
    pub(crate) task: String,
    pub(crate) valid_from: String,
    pub(crate) amount: String,
    pub(crate) minutes: String,
    pub(crate) hourly_cost: String,
    pub(crate) source: String,
    pub(crate) source_year: String,
    #[serde(deserialize_with = "crate::forms::checkbox")]
    pub(crate) example: bool,
}

impl PriceForm {
    fn input(&self) -> PriceInput {
        PriceInput {
            channel: self.channel.clone(),
            task: self.task.clone(),
            valid_from: self.valid_from.clone(),
            amount: self.amount.clone(),
            minutes: self.minutes.clone(),
            hourly_cost: self.hourly_cost.clone(),
            source: self.source.clone(),
            source_year: self.source_year.clone(),
            example: self.example,
        }
    }
}

async fn prices_page(
    state: &AppState,
    auth: &Authorized,
    municipality: Option<MunicipalityCode>,
    notice: Option<String>,
    error: Option<String>,
    form: PriceForm,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let channels = store.list_channels().await?;
    let channel_labels: HashMap<_, _> = channels
        .iter()
        .map(|c| (c.code.clone(), c.label_da.clone()))
        .collect();
    let tasks = match municipality {
        Some(code) => store.list_tasks(code).await?,
        None => store.list_national_tasks().await?,
    };
    let task_labels: HashMap<_, _> = tasks
        .iter()
        .map(|t| (t.id, format!("{} {}", t.kle, t.name)))
        .collect();
    let view = |p: &ChannelPriceRow| PriceView {
        id: p.id.0,
        channel: channel_labels
            .get(&p.channel)
            .map_or_else(|| p.channel.to_string(), |l| format!("{l} ({})", p.channel)),
        task: p.task.map_or_else(
            || crate::t("Alle opgaver").to_owned(),
            |t| {
                task_labels
                    .get(&t)
                    .cloned()
                    .unwrap_or_else(|| crate::t1("opgave {0}", t))
            },
        ),
        valid_from: p.valid_from.format("%d-%m-%Y").to_string(),
        price: kroner(p.price_ore),
        reckoning: prices::reckoning(p.basis),
        source: p.source.clone(),
        year: p.source_year,
        example: p.example,
    };
    let rows = store.list_channel_prices(municipality).await?;
    let own: Vec<_> = rows
        .iter()
        .filter(|p| p.municipality == municipality)
        .map(view)
        .collect();
    let national: Vec<_> = if municipality.is_some() {
        rows.iter()
            .filter(|p| p.municipality.is_none())
            .map(view)
            .collect()
    } else {
        Vec::new()
    };
    let (frame, action, can_edit) = match municipality {
        Some(code) => (
            Frame::municipality(auth, crate::t("Kanalpriser"), "/priser"),
            format!("/kommune/{code}/priser"),
            auth.can_set_up(),
        ),
        None => (
            Frame::admin(auth, crate::t("Kanalpriser"), "/priser"),
            "/admin/priser".to_owned(),
            true,
        ),
    };
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let (measured, answered) = if can_edit {
        (
            timing::measured_times(store, municipality, today)
                .await?
                .map(|t| MeasuredView::of(t, municipality.is_none())),
            timing::answered_minutes(store, municipality, today)
                .await?
                .map(|m| AnsweredView::of(m, municipality.is_none())),
        )
    } else {
        (None, None)
    };
    let page = PricesPage {
        answered,
        measured,
        frame: frame.notice(notice).error(error),
        action,
        national_scope: municipality.is_none(),
        can_edit,
        any_example: own.iter().chain(&national).any(|p| p.example),
        own,
        national,
        channels: channels
            .into_iter()
            .filter(|c| c.active)
            .map(|c| ChannelChoice {
                code: c.code.to_string(),
                label: format!(
                    "{} ({})",
                    crate::i18n::pick(&c.label_da, &c.label_en),
                    c.code
                ),
            })
            .collect(),
        form,
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/priser`
pub(crate) async fn show_national_prices(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(prices_page(
        &state,
        &auth,
        None,
        query.text(),
        None,
        PriceForm::default(),
    )
    .await?
    .into_response())
}

/// `GET /kommune/{kode}/priser`
pub(crate) async fn show_municipal_prices(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    let code = auth.code()?;
    Ok(prices_page(
        &state,
        &auth,
        Some(code),
        query.text(),
        None,
        PriceForm::default(),
    )
    .await?
    .into_response())
}

async fn save(
    state: &AppState,
    auth: &Authorized,
    municipality: Option<MunicipalityCode>,
    form: PriceForm,
) -> PageResult {
    let outcome = prices::set_price(
        state.store.as_ref(),
        &auth.user.actor(),
        municipality,
        &form.input(),
        Utc::now(),
    )
    .await
    .map(|_| ());
    let back = match municipality {
        Some(code) => format!("/kommune/{code}/priser"),
        None => "/admin/priser".to_owned(),
    };
    after_change(outcome, &back, "pris-gemt", |e| {
        prices_page(state, auth, municipality, None, Some(e), form.clone())
    })
    .await
}

/// `POST /admin/priser`
pub(crate) async fn save_national_price(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<PriceForm>,
) -> PageResult {
    save(&state, &auth, None, form).await
}

/// `POST /kommune/{kode}/priser`
pub(crate) async fn save_municipal_price(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<PriceForm>,
) -> PageResult {
    let code = auth.code()?;
    save(&state, &auth, Some(code), form).await
}

async fn remove(
    state: &AppState,
    auth: &Authorized,
    municipality: Option<MunicipalityCode>,
    price: i64,
) -> PageResult {
    let outcome = prices::remove_price(
        state.store.as_ref(),
        &auth.user.actor(),
        municipality,
        ChannelPriceId(price),
    )
    .await;
    let back = match municipality {
        Some(code) => format!("/kommune/{code}/priser"),
        None => "/admin/priser".to_owned(),
    };
    after_change(outcome, &back, "pris-fjernet", |e| {
        prices_page(
            state,
            auth,
            municipality,
            None,
            Some(e),
            PriceForm::default(),
        )
    })
    .await
}

/// `POST /admin/priser/{pris}/fjern`
pub(crate) async fn remove_national_price(
    State(state): State<AppState>,
    auth: Authorized,
    Path(price): Path<i64>,
) -> PageResult {
    remove(&state, &auth, None, price).await
}

/// `POST /kommune/{kode}/priser/{pris}/fjern`
pub(crate) async fn remove_municipal_price(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, price)): Path<(String, i64)>,
) -> PageResult {
    let code = auth.code()?;
    remove(&state, &auth, Some(code), price).await
}
