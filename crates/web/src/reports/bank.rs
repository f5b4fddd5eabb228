//! The report bank (`/kommune/{kode}/tal/rapporter`): the standard reports
//! listed, and a standard report shown with the page's period and filters.
//!
//! Must not define a standard report: `komhen_core::reports::bank` does.

use super::context::{context, encode, read_address, FilterForm};
use super::table::{table_view, TableView};
use super::PageResult;
use crate::access::Authorized;
use crate::frame::Frame;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse};
use komhen_core::reports::bank::{self, StandardReport, STANDARD_REPORTS};
use komhen_core::reports::{Comparing, ReportQuery};

pub(crate) struct BankEntry {
    pub(crate) href: String,
    pub(crate) title: &'static str,
    pub(crate) description: &'static str,
}

#[derive(Template)]
#[template(path = "reports_bank.html")]
struct BankPage {
    frame: Frame,
    base: String,
    entries: Vec<BankEntry>,
}

/// `GET /kommune/{kode}/tal/rapporter`
pub(crate) async fn show_bank(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let address = read_address(raw)?;
    let ctx = context(&state, &auth, &address.query, Comparing::YearBefore).await?;
    let m = auth.municipality()?;
    let keep = encode(&ReportQuery {
        group_by: Vec::new(),
        ..ctx.query.clone()
    });
    let entries = STANDARD_REPORTS
        .iter()
        .map(|r| BankEntry {
            href: format!("{}/rapporter/{}?{keep}", ctx.base, r.slug),
            title: crate::t(r.title),
            description: crate::t(r.description),
        })
        .collect();
    let page = BankPage {
        frame: Frame::municipality(
            &auth,
            crate::t1("Rapportbank – {0} Kommune", &m.name),
            "/tal",
        ),
        base: ctx.base.clone(),
        entries,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "reports_standard.html")]
struct StandardPage {
    frame: Frame,
    base: String,
    form: FilterForm,
    description: &'static str,
    table: TableView,
}

/// `GET /kommune/{kode}/tal/rapporter/{rapport}`
pub(crate) async fn show_standard(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let standard: &StandardReport = bank::find(&slug)?;
    let address = read_address(raw)?;
    // The page's period and filters, the standard report's grouping and filters.
    let mut query = standard.report_query()?;
    query.dates = address.query.dates;
    query.comparison = address.query.comparison;
    for (d, code) in &address.query.filters {
        if !query.filters.iter().any(|(own, _)| own == d) {
            query.filters.push((*d, code.clone()));
        }
    }
    let ctx = context(&state, &auth, &query, Comparing::YearBefore).await?;
    let mut request = ctx.request.clone().by(&query.group_by);
    request.share_of = query.share_of;
    request.order = query.order;
    request.median = query.median;
    let report = super::run(&state, &request).await?;
    let mut table_query = ctx.query.clone();
    table_query.group_by = query.group_by.clone();
    let table = table_view(
        &ctx,
        standard.slug,
        crate::t(standard.title),
        &report,
        &table_query,
        Some(standard.chart),
        500,
    );
    let page = StandardPage {
        frame: Frame::municipality(&auth, crate::t(standard.title), "/tal"),
        form: ctx.filter_form(
            &format!("{}/rapporter/{}", ctx.base, standard.slug),
            Vec::new(),
        ),
        base: ctx.base.clone(),
        description: crate::t(standard.description),
        table,
    };
    Ok(Html(page.render()?).into_response())
}
