//! Corrections of published periods (`/admin/rettelser`): the batches the
//! pipeline held because rows lie in a published period, each with the
//! periods it would change; approving one publishes those periods again,
//! rejecting one deletes it. Every rule lives in
//! `komhen_core::intake::corrections`.

use super::*;
use komhen_core::intake::corrections;
use komhen_domain::BatchId;

pub(crate) struct CorrectionView {
    pub(crate) id: i64,
    pub(crate) from: String,
    pub(crate) what: String,
    pub(crate) rows: String,
    pub(crate) days: String,
    pub(crate) periods: String,
    pub(crate) why: String,
    pub(crate) by: String,
    pub(crate) replaces: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin_corrections.html")]
struct CorrectionsPage {
    frame: Frame,
    corrections: Vec<CorrectionView>,
}

async fn corrections_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let names: std::collections::HashMap<_, _> = store
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| (m.code, m.name))
        .collect();
    let page = CorrectionsPage {
        frame: Frame::admin(auth, crate::t("Rettelser"), "/rettelser")
            .notice(notice)
            .error(error),
        corrections: corrections::pending(store)
            .await?
            .into_iter()
            .map(|c| CorrectionView {
                id: c.batch.id.0,
                from: match c.batch.municipality {
                    Some(m) => names.get(&m).cloned().unwrap_or_else(|| m.to_string()),
                    None => crate::t("Central indlæsning").into(),
                },
                what: format!(
                    "{} «{}»",
                    crate::t(c.batch.kind.label_da()),
                    c.batch.file_name
                ),
                rows: number(c.batch.row_count),
                days: c.days.map_or("–".into(), |(from, to)| {
                    format!("{} – {}", from.format("%d-%m-%Y"), to.format("%d-%m-%Y"))
                }),
                periods: c
                    .periods
                    .iter()
                    .map(|p| p.period.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                why: c.batch.errors.clone(),
                by: format!(
                    "{}, {}",
                    komhen_core::accounts::access::actor_da(&c.batch.created_by),
                    when(c.batch.created_at)
                ),
                replaces: c.batch.replaces.map(|b| b.0),
            })
            .collect(),
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/rettelser`
pub(crate) async fn show_corrections(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(corrections_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

/// `POST /admin/rettelser/{indlaesning}/godkend`: commits the correction
/// and publishes the periods it changes again.
pub(crate) async fn approve_correction(
    State(state): State<AppState>,
    auth: Authorized,
    Path(batch): Path<i64>,
) -> PageResult {
    let outcome = corrections::approve(
        state.store.as_ref(),
        &auth.user.actor(),
        BatchId(batch),
        Utc::now(),
    )
    .await
    .map(|_| ());
    after_change(outcome, "/admin/rettelser", "rettelse-godkendt", |e| {
        corrections_page(&state, &auth, None, Some(e))
    })
    .await
}

/// `POST /admin/rettelser/{indlaesning}/afvis`: deletes the correction.
pub(crate) async fn reject_correction(
    State(state): State<AppState>,
    auth: Authorized,
    Path(batch): Path<i64>,
) -> PageResult {
    let outcome =
        corrections::reject(state.store.as_ref(), &auth.user.actor(), BatchId(batch)).await;
    after_change(outcome, "/admin/rettelser", "rettelse-afvist", |e| {
        corrections_page(&state, &auth, None, Some(e))
    })
    .await
}
