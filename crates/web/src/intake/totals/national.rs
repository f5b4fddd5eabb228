//! The national administrator's page of centrally delivered total counts.

use super::*;

pub(super) const ADMIN_BASE: &str = "/admin/totaltal";

#[derive(Template)]
#[template(path = "admin_totals.html")]
pub(super) struct NationalPage {
    pub(super) frame: Frame,
    pub(super) entries: Vec<EntryView>,
    pub(super) measures: Vec<Choice>,
}

pub(super) async fn national_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let labels = Labels::load(store).await?;
    let entries = totals::entries(store, None).await?;
    let page = NationalPage {
        frame: Frame::admin(auth, crate::t("Nationale totaltal"), "/totaltal")
            .notice(notice)
            .error(error),
        entries: entries.iter().map(|e| entry_view(&labels, e)).collect(),
        measures: totals::NATIONAL_MEASURES
            .iter()
            .map(|m| Choice {
                value: m.code().into(),
                label: totals::measure_da(*m).into(),
                selected: false,
            })
            .collect(),
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/totaltal`
pub(crate) async fn show_national_totals(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(national_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

/// `GET /admin/totaltal/skabelon.csv`
pub(crate) async fn download_national_template(_auth: Authorized) -> Response {
    csv_download(
        "nationale-totaltal-skabelon.csv",
        totals::national_template(),
    )
}

/// `POST /admin/totaltal/fil`: a national delivery's preview.
pub(crate) async fn preview_national_file(
    State(state): State<AppState>,
    auth: Authorized,
    multipart: Multipart,
) -> PageResult {
    let upload = read_upload(&state, &auth, multipart).await?;
    let measure = match totals::national_measure(&upload.measure) {
        Ok(measure) => measure,
        Err(CoreError::Invalid(message)) => {
            return Ok(refused(
                national_page(&state, &auth, None, Some(message)).await?,
            ))
        }
        Err(e) => return Err(e.into()),
    };
    if upload.bytes.is_empty() {
        return Ok(refused(
            national_page(
                &state,
                &auth,
                None,
                Some(crate::t("Vælg en CSV-fil med tallene pr. kommune.").into()),
            )
            .await?,
        ));
    }
    let preview = totals::preview_national_file(
        state.store.as_ref(),
        &auth.user.actor(),
        measure,
        &upload.file_name,
        &upload.bytes,
        true,
    )
    .await?;
    preview_response(PreviewPage {
        frame: Frame::admin(
            &auth,
            crate::t("Forhåndsvisning af nationale totaltal"),
            "/totaltal",
        )
        .crumb(ADMIN_BASE, crate::t("Nationale totaltal")),
        back: ADMIN_BASE.into(),
        preview: preview_view(&preview, preview.refusal(), ADMIN_BASE),
        unit: totals::unit_da(measure),
    })
}

/// `POST /admin/totaltal/{indlaesning}/gem`
pub(crate) async fn save_national_totals(
    State(state): State<AppState>,
    auth: Authorized,
    Path(batch): Path<i64>,
) -> PageResult {
    match totals::commit(
        state.store.as_ref(),
        &auth.user.actor(),
        None,
        BatchId(batch),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&with_notice(ADMIN_BASE, "totaltal-gemt")).into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            national_page(&state, &auth, None, Some(message)).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/totaltal/{indlaesning}/slet`
pub(crate) async fn delete_national_totals(
    State(state): State<AppState>,
    auth: Authorized,
    Path(batch): Path<i64>,
) -> PageResult {
    match totals::delete(
        state.store.as_ref(),
        &auth.user.actor(),
        None,
        BatchId(batch),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&with_notice(ADMIN_BASE, "totaltal-slettet")).into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            national_page(&state, &auth, None, Some(message)).await?,
        )),
        Err(e) => Err(e.into()),
    }
}
