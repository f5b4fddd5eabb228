//! The drill-down (`/kommune/{kode}/tal/registreringer`): the registrations
//! behind a figure, a page at a time, with the filters in words (which the
//! extract page shares); with `omkostning=ja`, what they cost (the
//! engine's figure for them all).
//!
//! Must not choose rows: `komhen_core::reports::selection` does, from the
//! page's request.

use super::context::{context, filters_kept, link, read_address, FilterForm};
use super::cost::{CostNotes, CostToggle};
use super::PageResult;
use crate::access::Authorized;
use crate::frame::Frame;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse};
use komhen_core::reports::tabular::{decimal_da, thousands};
use komhen_core::reports::{self, Comparing, Dimension, ReportQuery};
use komhen_domain::{danish_local, MunicipalityCode, RegistrationId};
use komhen_store::{RegistrationRow, Store};
use std::collections::HashMap;

pub(crate) struct RegistrationView {
    pub(crate) when: String,
    pub(crate) unit: String,
    pub(crate) task: String,
    pub(crate) channel: String,
    pub(crate) inquiry_type: String,
    pub(crate) completion: String,
    pub(crate) form: String,
    pub(crate) quantity: String,
    pub(crate) source: String,
    pub(crate) duration: String,
}

#[derive(Template)]
#[template(path = "reports_registrations.html")]
struct RegistrationsPage {
    frame: Frame,
    form: FilterForm,
    filters: Vec<String>,
    inquiries: String,
    registrations: String,
    /// With cost: what the inquiries cost, in kroner.
    cost: Option<String>,
    cost_toggle: CostToggle,
    cost_notes: Option<CostNotes>,
    rows: Vec<RegistrationView>,
    next: Option<String>,
    first: Option<String>,
    extract: String,
}

/// Registrations per page of the drill-down.
const PAGE_SIZE: u32 = 100;

/// `GET /kommune/{kode}/tal/registreringer?...filters&efter=id`
pub(crate) async fn show_registrations(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store = state.store.as_ref();
    let address = read_address(raw)?;
    let ctx = context(&state, &auth, &address.query, Comparing::Nothing).await?;
    let m = auth.municipality()?;
    let after = address
        .own
        .get("efter")
        .and_then(|v| v.parse::<i64>().ok())
        .map(RegistrationId);
    let total = super::run(&state, &ctx.request).await?;
    let selection = reports::selection(store, &ctx.request).await?;
    let rows = store
        .select_registrations(&selection, after, PAGE_SIZE)
        .await?;
    let names = Names::load(store, ctx.code).await?;
    let mut query = ctx.query.clone();
    query.comparison = None;
    let next = (rows.len() == PAGE_SIZE as usize)
        .then(|| rows.last().map(|r| r.id.0.to_string()))
        .flatten()
        .map(|id| {
            link(
                &format!("{}/registreringer", ctx.base),
                &query,
                &[("efter", &id)],
            )
        });
    let first = after.map(|_| link(&format!("{}/registreringer", ctx.base), &query, &[]));
    let filters = describe_filters(store, ctx.code, &address.query).await?;
    let page = RegistrationsPage {
        frame: Frame::municipality(
            &auth,
            crate::t1("Registreringerne bag tallet – {0} Kommune", &m.name),
            "/tal",
        ),
        form: ctx.filter_form(
            &format!("{}/registreringer", ctx.base),
            filters_kept(&address.query),
        ),
        filters,
        inquiries: thousands(total.total.inquiries),
        registrations: thousands(total.total.rows),
        cost: total
            .total
            .cost
            .map(|c| komhen_core::economics::prices::kroner(c.ore)),
        cost_toggle: CostToggle::of(&format!("{}/registreringer", ctx.base), &query, &[]),
        cost_notes: CostNotes::of(&total),
        rows: rows.iter().map(|r| names.view(r)).collect(),
        next,
        first,
        extract: link(&format!("{}/udtraek", ctx.base), &query, &[]),
    };
    Ok(Html(page.render()?).into_response())
}

/// The filters of a drill-down in words (`Kanal: Telefon, indgående`).
pub(crate) async fn describe_filters(
    store: &dyn Store,
    municipality: komhen_domain::MunicipalityCode,
    query: &ReportQuery,
) -> Result<Vec<String>, WebError> {
    let channels = store.list_channels().await?;
    let questions = if query
        .filters
        .iter()
        .any(|(d, _)| matches!(d, Dimension::Answer(_)))
    {
        super::answers::questions_of(store, municipality).await?
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for (d, code) in &query.filters {
        if let Some(q) = questions.iter().find(|q| q.dimension == *d) {
            let answer = q
                .options
                .iter()
                .find(|(c, _)| c == code)
                .map_or(code.clone(), |(_, label)| label.clone());
            out.push(format!("{}: {answer}", q.label));
            continue;
        }
        let value = match d {
            Dimension::Channel => channels
                .iter()
                .find(|c| c.code.as_str() == code)
                .map_or(code.clone(), |c| {
                    crate::i18n::pick(&c.label_da, &c.label_en).to_owned()
                }),
            Dimension::Unit => store
                .find_unit_by_login(code)
                .await?
                .map_or(code.clone(), |u| u.name),
            _ => code.clone(),
        };
        out.push(format!("{}: {value}", crate::t(d.label_da())));
    }
    Ok(out)
}

/// Names of a municipality's units and tasks and the channels, for lists.
struct Names {
    units: HashMap<i64, String>,
    tasks: HashMap<i64, String>,
    channels: HashMap<String, String>,
    types: HashMap<String, String>,
}

impl Names {
    async fn load(store: &dyn Store, code: MunicipalityCode) -> Result<Self, WebError> {
        Ok(Self {
            units: store
                .list_units(code)
                .await?
                .into_iter()
                .map(|u| (u.id.0, u.name))
                .collect(),
            tasks: store
                .list_tasks(code)
                .await?
                .into_iter()
                .map(|t| (t.id.0, format!("{} {}", t.kle, t.name)))
                .collect(),
            channels: super::channel_names(store).await?,
            types: super::inquiry_type_names(store).await?,
        })
    }

    fn view(&self, r: &RegistrationRow) -> RegistrationView {
        RegistrationView {
            when: danish_local(r.registered_at)
                .format("%d-%m-%Y %H:%M")
                .to_string(),
            unit: r
                .unit
                .and_then(|u| self.units.get(&u.0).cloned())
                .unwrap_or_else(|| crate::t("(ingen enhed)").into()),
            task: self
                .tasks
                .get(&r.task.0)
                .cloned()
                .unwrap_or_else(|| r.task.to_string()),
            channel: self
                .channels
                .get(r.channel.as_str())
                .cloned()
                .unwrap_or_else(|| r.channel.to_string()),
            inquiry_type: r
                .inquiry_type
                .and_then(|t| self.types.get(t.code()).cloned())
                .unwrap_or_default(),
            completion: r
                .completion
                .map_or_else(String::new, |c| crate::t(c.label_da()).into()),
            form: match r.has_form {
                Some(true) => crate::t("Ja").into(),
                Some(false) => crate::t("Nej").into(),
                None => String::new(),
            },
            quantity: thousands(r.quantity),
            source: crate::t(r.source.label_da()).into(),
            duration: r
                .duration_ms
                .map_or(String::new(), |ms| decimal_da(ms as f64 / 1000.0, 1)),
        }
    }
}
