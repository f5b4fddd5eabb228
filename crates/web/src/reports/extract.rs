//! Extracts (`/kommune/{kode}/tal/udtraek...`): the page that says what an
//! extract holds, the extract as CSV (streamed a page of rows at a time) and
//! as XLSX (written at constant memory to a temporary file, then streamed),
//! and the codebook that goes with it.
//!
//! The address is a report query like every figures page's, so a
//! drill-down's "hent som fil" link extracts exactly the rows it lists.
//!
//! Must not choose rows: `komhen_core::reports::extract` turns the report request,
//! already narrowed to the user's scope by `reports::context`, into rows.

use super::context::{context, filters_kept, link, read_address, Address, Context, FilterForm};
use super::download::attachment;
use super::registrations::describe_filters;
use crate::access::Authorized;
use crate::frame::Frame;
use crate::{AppState, WebError};
use askama::Template;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use komhen_core::reports::extract::{self, Extract};
use komhen_core::reports::tabular::thousands;
use komhen_core::reports::Comparing;
use komhen_ingest::codebook::XLSX_MAX_ROWS;
use komhen_store::Store;
use std::sync::Arc;

type PageResult = Result<Response, WebError>;

#[derive(Template)]
#[template(path = "reports_extract.html")]
struct ExtractPage {
    frame: Frame,
    form: FilterForm,
    filters: Vec<String>,
    dates: String,
    inquiries: String,
    registrations: String,
    csv: String,
    xlsx: Option<String>,
    xlsx_max: String,
    codebook: String,
    drill_down: String,
    empty: bool,
}

/// The extract a page's address names, within the user's scope.
async fn open(
    state: &AppState,
    auth: &Authorized,
    raw: Option<String>,
) -> Result<(Address, Context, Extract), WebError> {
    let address = read_address(raw)?;
    let ctx = context(state, auth, &address.query, Comparing::Nothing).await?;
    let extract = Extract::open(state.store.as_ref(), ctx.code, &ctx.request).await?;
    Ok((address, ctx, extract))
}

/// `GET /kommune/{kode}/tal/udtraek?...filters`
pub(crate) async fn show_extract(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store = state.store.as_ref();
    let (address, ctx, extract) = open(&state, &auth, raw).await?;
    let m = auth.municipality()?;
    let mut query = ctx.query.clone();
    query.comparison = None;
    let page = ExtractPage {
        frame: Frame::municipality(
            &auth,
            crate::t1("Udtræk af registreringer – {0} Kommune", &m.name),
            "/tal",
        ),
        form: ctx.filter_form(
            &format!("{}/udtraek", ctx.base),
            filters_kept(&address.query),
        ),
        filters: describe_filters(store, ctx.code, &address.query).await?,
        dates: ctx.request.dates.label_da(),
        inquiries: thousands(extract.inquiries),
        registrations: thousands(extract.rows),
        csv: link(&format!("{}/udtraek.csv", ctx.base), &query, &[]),
        xlsx: extract
            .fits_xlsx()
            .then(|| link(&format!("{}/udtraek.xlsx", ctx.base), &query, &[])),
        xlsx_max: thousands(XLSX_MAX_ROWS as i64),
        codebook: format!("{}/udtraek-kodebog.csv", ctx.base),
        drill_down: link(&format!("{}/registreringer", ctx.base), &query, &[]),
        empty: extract.rows == 0,
    };
    Ok(Html(page.render()?).into_response())
}

fn file_name(
    code: komhen_domain::MunicipalityCode,
    request: &komhen_core::reports::ReportRequest,
) -> String {
    format!(
        "komhen-udtraek-{code}-{}-{}",
        request.dates.from, request.dates.to
    )
}

/// `GET /kommune/{kode}/tal/udtraek.csv?...`: the codebook format, UTF-8
/// with BOM and `;`, streamed: memory stays at one page of rows however
/// many there are.
pub(crate) async fn download_csv(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store: Arc<dyn Store> = state.store.clone();
    let (_, ctx, extract) = open(&state, &auth, raw).await?;
    let head = extract.csv_head()?;
    // The head first, then a page at a time; an error after the head can
    // only end the download (the status is sent), and is logged.
    let pages = futures_util::stream::unfold(
        (Some(head), extract, store),
        |(head, mut extract, store)| async move {
            if let Some(head) = head {
                return Some((Ok(head), (None, extract, store)));
            }
            match extract.next_page(store.as_ref()).await {
                Ok(Some(rows)) => {
                    let bytes = Extract::csv_rows(&rows).map_err(std::io::Error::other);
                    Some((bytes, (None, extract, store)))
                }
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %crate::error::Chain(&e), "extract stopped");
                    Some((
                        Err(std::io::Error::other(e.to_string())),
                        (None, extract, store),
                    ))
                }
            }
        },
    );
    Ok(attachment(
        Body::from_stream(pages),
        "text/csv; charset=utf-8",
        &format!("{}.csv", file_name(ctx.code, &ctx.request)),
    ))
}

/// `GET /kommune/{kode}/tal/udtraek.xlsx?...`: the rows on one sheet and
/// the codebook on another. Written to a temporary file at constant
/// memory, then streamed from it.
pub(crate) async fn download_xlsx(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store = state.store.as_ref();
    let (_, ctx, extract) = open(&state, &auth, raw).await?;
    let codebook = extract::codebook(store, ctx.code).await?;
    let file = tempfile::NamedTempFile::new()
        .map_err(|e| WebError::internal("midlertidig fil kunne ikke oprettes", e))?;
    extract.write_xlsx(store, &codebook, file.path()).await?;
    // Open before the temporary file's name is removed; the open file
    // stays readable until the download is done.
    let open = tokio::fs::File::open(file.path())
        .await
        .map_err(|e| WebError::internal("udtrækket kunne ikke læses", e))?;
    drop(file);
    let chunks = futures_util::stream::unfold(open, |mut open| async move {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0; 64 * 1024];
        match open.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok::<_, std::io::Error>(buffer), open))
            }
            Err(e) => Some((Err(e), open)),
        }
    });
    Ok(attachment(
        Body::from_stream(chunks),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}.xlsx", file_name(ctx.code, &ctx.request)),
    ))
}

/// `GET /kommune/{kode}/tal/udtraek-kodebog.csv`: every column of an
/// extract and every code its cells can hold, for this municipality.
pub(crate) async fn download_codebook(
    State(state): State<AppState>,
    auth: Authorized,
) -> PageResult {
    let code = auth.code()?;
    let table = extract::codebook(state.store.as_ref(), code).await?;
    Ok(attachment(
        table.csv()?,
        "text/csv; charset=utf-8",
        &format!("komhen-udtraek-{code}-kodebog.csv"),
    ))
}
