//! The public codebook page (`/kodebog`) and its CSV and XLSX templates.

use super::*;

pub(crate) struct ColumnView {
    pub(crate) header: &'static str,
    pub(crate) required: bool,
    pub(crate) description: &'static str,
    pub(crate) example: &'static str,
    pub(crate) aliases: String,
}

pub(crate) struct CodeView {
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) detail: String,
}

#[derive(Template)]
#[template(path = "codebook.html")]
pub(super) struct CodebookPage {
    pub(super) columns: Vec<ColumnView>,
    pub(super) channels: Vec<CodeView>,
    pub(super) types: Vec<CodeView>,
    pub(super) completions: Vec<CodeView>,
    pub(super) parameters: Vec<CodeView>,
}

/// `GET /kodebog`: the codebook, from the reader's own column list and the
/// code lists as stored (a channel the administrator adds appears here).
pub(crate) async fn show_codebook(State(state): State<AppState>) -> PageResult {
    let store = state.store.as_ref();
    let columns = komhen_ingest::codebook::COLUMNS
        .iter()
        .map(|c| ColumnView {
            header: c.header,
            required: c.required,
            description: crate::t(c.description_da),
            example: c.example,
            aliases: c.aliases.join(", "),
        })
        .collect();
    let channels = store
        .list_channels()
        .await?
        .into_iter()
        .filter(|c| c.active)
        .map(|c| CodeView {
            code: c.code.to_string(),
            label: crate::i18n::pick(&c.label_da, &c.label_en).to_owned(),
            detail: format!(
                "{}{}",
                crate::t(c.direction.label_da()),
                if c.form_applicable {
                    crate::t(", blanket kan følge med")
                } else {
                    ""
                }
            ),
        })
        .collect();
    let types = store
        .list_inquiry_types()
        .await?
        .into_iter()
        .map(|t| CodeView {
            code: t.inquiry_type.code().into(),
            label: crate::i18n::pick(&t.label_da, &t.label_en).to_owned(),
            detail: match t.category {
                komhen_domain::InquiryCategory::Transaction => crate::t("Sagsspecifik").into(),
                komhen_domain::InquiryCategory::Information => crate::t("Information").into(),
            },
        })
        .collect();
    let completions = store
        .list_completions()
        .await?
        .into_iter()
        .map(|c| CodeView {
            code: c.completion.code().into(),
            label: crate::i18n::pick(&c.label_da, &c.label_en).to_owned(),
            detail: String::new(),
        })
        .collect();
    let parameters = store
        .list_national_questions()
        .await?
        .into_iter()
        .filter(|q| q.active && q.task.is_none())
        .map(|q| CodeView {
            code: q.label_da.clone(),
            label: q.code.unwrap_or_default(),
            detail: if q.options.is_empty() {
                crate::t("Tekst eller tal").into()
            } else {
                q.options
                    .iter()
                    .map(|o| format!("{} ({})", o.code, o.label_da))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
        .collect();
    Ok(Html(
        CodebookPage {
            columns,
            channels,
            types,
            completions,
            parameters,
        }
        .render()?,
    )
    .into_response())
}

/// The template as a CSV download.
fn template_csv_response(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"komhen-kodebog-skabelon.csv\"",
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The template as an XLSX download.
fn template_xlsx_response(written: Result<Vec<u8>, komhen_ingest::IngestError>) -> PageResult {
    let bytes =
        written.map_err(|e| WebError::internal("kodebogens skabelon kunne ikke skrives", e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"komhen-kodebog-skabelon.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /kodebog/skabelon.csv`
pub(crate) async fn codebook_template_csv() -> Response {
    template_csv_response(komhen_ingest::codebook::template_csv())
}

/// `GET /kodebog/skabelon.xlsx`
pub(crate) async fn codebook_template_xlsx() -> PageResult {
    template_xlsx_response(komhen_ingest::codebook::template_xlsx())
}

/// The example row of a municipality's own template (see
/// [`komhen_core::intake::files::template_example`]).
async fn own_example(state: &AppState, auth: &Authorized) -> Result<Vec<String>, WebError> {
    let municipality = auth.municipality()?;
    let today = komhen_domain::DateDimensions::of(state.clock.now()).day;
    Ok(
        komhen_core::intake::files::template_example(
            state.store.as_ref(),
            municipality.code,
            today,
        )
        .await?,
    )
}

/// `GET /kommune/{kode}/kodebog/skabelon.csv`: the template with an
/// example row the municipality's own set-up accepts.
pub(crate) async fn own_template_csv(
    State(state): State<AppState>,
    auth: Authorized,
) -> PageResult {
    let example = own_example(&state, &auth).await?;
    let example: Vec<&str> = example.iter().map(String::as_str).collect();
    Ok(template_csv_response(
        komhen_ingest::codebook::template_csv_with(&example),
    ))
}

/// `GET /kommune/{kode}/kodebog/skabelon.xlsx`: as the CSV, as a workbook.
pub(crate) async fn own_template_xlsx(
    State(state): State<AppState>,
    auth: Authorized,
) -> PageResult {
    let example = own_example(&state, &auth).await?;
    let example: Vec<&str> = example.iter().map(String::as_str).collect();
    template_xlsx_response(komhen_ingest::codebook::template_xlsx_with(&example))
}
