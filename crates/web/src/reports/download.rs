//! Any table of the figures pages as a file (`tabel.csv`, `tabel.xlsx`), and
//! `attachment`, how every download of the figures pages is sent.
//!
//! Must not write a file format: `komhen_core::reports::tabular` does.

use super::context::{context, read_address};
use super::PageResult;
use crate::access::Authorized;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use komhen_core::reports::tabular;
use komhen_core::reports::{self, Comparing, Report};
use komhen_domain::MunicipalityCode;

/// `GET /kommune/{kode}/tal/tabel.csv` and `.xlsx`: any report of the page.
pub(crate) async fn download_table_csv(
    state: State<AppState>,
    auth: Authorized,
    raw: RawQuery,
) -> PageResult {
    download_table(state, auth, raw, false).await
}

pub(crate) async fn download_table_xlsx(
    state: State<AppState>,
    auth: Authorized,
    raw: RawQuery,
) -> PageResult {
    download_table(state, auth, raw, true).await
}

async fn download_table(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
    xlsx: bool,
) -> PageResult {
    let address = read_address(raw)?;
    let ctx = context(&state, &auth, &address.query, Comparing::Nothing).await?;
    let mut request = ctx.request.clone().by(&address.query.group_by);
    request.share_of = address.query.share_of;
    request.order = address.query.order;
    request.median = address.query.median;
    let report = reports::run(state.figures_of(&request).await?.as_ref(), &request).await?;
    let table = tabular::report_table(&report);
    let name = file_name(ctx.code, &report);
    Ok(if xlsx {
        attachment(
            table.xlsx("Tabel")?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{name}.xlsx"),
        )
    } else {
        attachment(
            table.csv()?,
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
        )
    })
}

fn file_name(code: MunicipalityCode, report: &Report) -> String {
    // A file name keeps letters, digits and dashes: `svar.x` becomes `svar-x`.
    let dims: Vec<String> = report
        .dimensions
        .iter()
        .map(|d| d.code().replace(|c: char| !c.is_ascii_alphanumeric(), "-"))
        .collect();
    format!(
        "komhen-{code}-{}-{}{}{}",
        report.request.dates.from,
        report.request.dates.to,
        if dims.is_empty() { "" } else { "-" },
        dims.join("-")
    )
}

pub(crate) fn attachment(body: impl IntoResponse, content_type: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}
