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
