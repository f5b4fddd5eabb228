//! A municipality's figures (`/kommune/{kode}/tal/...`): the overview of a
//! period with its comparison, the report bank, the pivot, the drill-down
//! to the registrations behind a figure, the period report with its
//! findings and recommendations, every table as CSV and XLSX, extracts, and
//! the report API (`/api/v1/report`).
//!
//! Must not compute a figure: every number comes from
//! `komhen_core::reports::run` with a request narrowed to the user's scope
//! (`Scope::of_user`), and every table, chart and download of a report is
//! drawn from that one report.
//!
//! A file per page, and what the pages share: `context` (a page's address,
//! its request within the user's scope, links, the period form), `table`
//! (a report as a table with its links and downloads), `chart` (its
//! chart's data) and `cost` (the notes under cost figures and the link
//! that shows or hides cost).

mod answers;
pub(crate) mod api;
mod bank;
mod chart;
mod context;
mod cost;
pub(crate) mod download;
pub(crate) mod extract;
mod overview;
mod period;
mod pivot;
mod registrations;
mod table;

pub(crate) use api::api_report;
pub(crate) use bank::{show_bank, show_standard};
pub(crate) use download::{download_table_csv, download_table_xlsx};
pub(crate) use overview::show_overview;
pub(crate) use period::{save_recommendations, show_period_report};
pub(crate) use pivot::show_pivot;
pub(crate) use registrations::show_registrations;

type PageResult = Result<axum::response::Response, crate::WebError>;

/// The engine's report as a page shows it: on an English page its
/// headings and its rows' labels in English. The figures are the
/// engine's, untouched; downloads and the API keep the engine's Danish.
/// A report on published periods only is read where published figures
/// are (`AppState::published`: a replica while it answers).
pub(crate) async fn run(
    state: &crate::AppState,
    request: &komhen_core::reports::ReportRequest,
) -> Result<komhen_core::reports::Report, crate::WebError> {
    let store = state.figures_of(request).await?;
    let store = store.as_ref();
    let mut report = komhen_core::reports::run(store, request).await?;
    if crate::i18n::current() == crate::i18n::Lang::En {
        in_english(store, &mut report).await?;
    }
    Ok(report)
}

/// The channels' names in the request's language, by code.
pub(crate) async fn channel_names(
    store: &dyn komhen_store::Store,
) -> Result<std::collections::HashMap<String, String>, crate::WebError> {
    Ok(store
        .list_channels()
        .await?
        .into_iter()
        .map(|c| {
            let name = crate::i18n::pick(&c.label_da, &c.label_en).to_owned();
            (c.code.to_string(), name)
        })
        .collect())
}

/// The inquiry types' names in the request's language, by code.
pub(crate) async fn inquiry_type_names(
    store: &dyn komhen_store::Store,
) -> Result<std::collections::HashMap<String, String>, crate::WebError> {
    Ok(store
        .list_inquiry_types()
        .await?
        .into_iter()
        .map(|t| {
            let name = crate::i18n::pick(&t.label_da, &t.label_en).to_owned();
            (t.inquiry_type.code().to_owned(), name)
        })
        .collect())
}

/// A report's labels in English: channels and inquiry types by the
/// English the store keeps for them, answers by their question's options,
/// the engine's own labels («Indgående», «(ingen enhed)») by the
/// catalogue. Names (units, tasks, municipalities) stay as written.
async fn in_english(
    store: &dyn komhen_store::Store,
    report: &mut komhen_core::reports::Report,
) -> Result<(), crate::WebError> {
    use komhen_core::reports::Dimension;
    use std::collections::HashMap;
    let dims = report.dimensions.clone();
    let mut english: Vec<HashMap<String, String>> = vec![HashMap::new(); dims.len()];
    for (i, d) in dims.iter().enumerate() {
        match d {
            Dimension::Channel => english[i] = channel_names(store).await?,
            Dimension::InquiryType => english[i] = inquiry_type_names(store).await?,
            Dimension::Answer(_) => {
                for code in &report.request.municipalities {
                    for q in answers::questions_of(store, *code).await? {
                        if q.dimension == *d {
                            english[i].extend(q.options);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // A name is kept; beside names only the engine's «(ingen enhed)»
    // (code `ingen`) is the engine's own text.
    let name = |d: &Dimension, code: &str| {
        matches!(
            d,
            Dimension::Municipality | Dimension::Department | Dimension::Unit | Dimension::Task
        ) && code != "ingen"
    };
    for row in report.rows.iter_mut() {
        for (i, key) in row.keys.iter_mut().enumerate() {
            let Some(d) = dims.get(i) else { continue };
            if let Some(en) = english[i].get(&key.code) {
                key.label = en.clone();
            } else if !name(d, &key.code) {
                key.label = crate::i18n::message(&key.label);
            }
        }
    }
    report.dimension_labels = report
        .dimension_labels
        .iter()
        .map(|l| crate::i18n::message(l))
        .collect();
    Ok(())
}
