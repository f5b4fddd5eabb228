//! The line's calls (`/hotline/{linje}/opkald`): the files imported, and
//! uploading a queue_log or a CSV of calls through the one upload path
//! (preview, then import).

use super::{base, frame, line, PageResult};
use crate::access::Authorized;
use crate::format::number;
use crate::forms::{refused, when};
use crate::frame::{Frame, NoticeQuery};
use crate::intake::form::{ImportForm, ProblemsView};
use crate::intake::uploads::display_name;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use komhen_core::hotline::calls::{self, CallFileFormat, CallUpload, CallsPreview};
use komhen_core::CoreError;

/// The largest file of calls taken (years of a large line's queue log).
pub(crate) const UPLOAD_LIMIT: usize = 512 * 1024 * 1024;

/// Pending uploads of one line.
fn scope(auth: &Authorized) -> Result<String, WebError> {
    Ok(format!("hotline-{}", auth.hotline()?.id))
}

fn count(n: u64) -> String {
    number(i64::try_from(n).unwrap_or(i64::MAX))
}

struct FileView {
    name: String,
    format: &'static str,
    loaded: String,
    by: String,
    calls: String,
    already: String,
}

#[derive(Template)]
#[template(path = "hotline_calls.html")]
struct CallsPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    files: Vec<FileView>,
}

async fn calls_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let line = line(state, auth).await?;
    let files = calls::call_files(state.store.as_ref(), &line)
        .await?
        .into_iter()
        .map(|f| FileView {
            name: f.batch.file_name,
            format: CallFileFormat::of_code(&f.batch.format)
                .map_or("–", |f| crate::t(f.label_da())),
            loaded: when(f.batch.loaded_at),
            by: komhen_core::accounts::access::actor_da(&f.batch.loaded_by),
            calls: number(f.calls),
            already: number(f.already_stored),
        })
        .collect();
    let page = CallsPage {
        frame: frame(auth, crate::t("Opkald"), "/opkald")
            .notice(notice)
            .error(error),
        base: base(auth)?,
        can_set_up: auth.can_set_up_hotline(),
        files,
    };
    Ok(Html(page.render()?))
}

/// `GET /hotline/{linje}/opkald`
pub(crate) async fn show(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pairs = super::query_pairs(raw.as_deref());
    let figure = |key: &str| super::first(&pairs, key).parse::<u64>().ok();
    let notice = match (figure("tilfoejet"), figure("foer")) {
        (Some(added), Some(before)) => Some(crate::t2(
            "Filen er indlæst: {0} opkald tilføjet, {1} var gemt før og er ikke talt med igen.",
            count(added),
            count(before),
        )),
        _ => NoticeQuery::of(Some(super::first(&pairs, "besked").to_owned())).text(),
    };
    Ok(calls_page(&state, &auth, notice, None)
        .await?
        .into_response())
}

struct CountView {
    label: String,
    count: String,
}

#[derive(Template)]
#[template(path = "hotline_calls_preview.html")]
struct PreviewPage {
    frame: Frame,
    base: String,
    file_name: String,
    sha256: String,
    format: &'static str,
    calls: String,
    first: String,
    last: String,
    by_outcome: Vec<CountView>,
    outside_hours: String,
    no_end: String,
    transferred: String,
    other_queues: Vec<CountView>,
    other_queue_calls: String,
    skipped_events: String,
    unknown_events: Vec<CountView>,
    problems: ProblemsView,
    same_file: Option<String>,
    importable: bool,
}

fn preview_page(auth: &Authorized, preview: &CallsPreview) -> Result<PreviewPage, WebError> {
    let base = base(auth)?;
    Ok(PreviewPage {
        frame: frame(auth, crate::t("Forhåndsvisning af opkaldsfil"), "/opkald")
            .crumb(format!("{base}/opkald"), crate::t("Opkald")),
        base,
        file_name: preview.file_name.clone(),
        sha256: preview.sha256.clone(),
        format: preview
            .format
            .map_or(crate::t("Kan ikke læses"), CallFileFormat::label_da),
        calls: count(preview.calls),
        first: preview.first_arrival.map_or("–".into(), when),
        last: preview.last_arrival.map_or("–".into(), when),
        by_outcome: preview
            .by_outcome
            .iter()
            .map(|(o, n)| CountView {
                label: crate::t(o.label_da()).into(),
                count: count(*n),
            })
            .collect(),
        outside_hours: count(preview.outside_hours),
        no_end: count(preview.no_end),
        transferred: count(preview.transferred),
        other_queues: preview
            .other_queues
            .iter()
            .map(|(q, n)| CountView {
                label: q.clone(),
                count: count(*n),
            })
            .collect(),
        other_queue_calls: count(preview.other_queue_calls),
        skipped_events: preview
            .queue_log
            .as_ref()
            .map_or(String::new(), |q| count(q.skipped_events)),
        unknown_events: preview
            .queue_log
            .as_ref()
            .map(|q| {
                q.unknown_events
                    .iter()
                    .map(|(e, n)| CountView {
                        label: e.clone(),
                        count: count(*n),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        problems: ProblemsView::of(&preview.problems),
        same_file: preview
            .same_file
            .as_ref()
            .map(|s| crate::i18n::message(&calls::same_file_message(s))),
        importable: preview.importable(),
    })
}

/// `POST /hotline/{linje}/opkald` (multipart: `file`): keeps the file and
/// shows what importing it would do.
pub(crate) async fn preview_file(
    State(state): State<AppState>,
    auth: Authorized,
    multipart: Multipart,
) -> PageResult {
    let form = state
        .uploads
        .receive(multipart, &scope(&auth)?, Some(auth.user.user.id))
        .await?;
    let Some(kept) = form.file else {
        return Ok(refused(
            calls_page(
                &state,
                &auth,
                None,
                Some(
                    crate::t(
                        "Vælg en fil: en queue_log fra telefonsystemet eller en CSV med opkald.",
                    )
                    .into(),
                ),
            )
            .await?,
        ));
    };
    let line = line(&state, &auth).await?;
    let upload = CallUpload {
        path: &kept.path,
        file_name: &kept.meta.file_name,
    };
    let preview = calls::preview_calls(state.store.as_ref(), &line, &upload).await?;
    if !preview.importable() {
        state.uploads.remove(&kept);
    }
    let page = preview_page(&auth, &preview)?;
    let status = if preview.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `POST /hotline/{linje}/opkald/indlaes` (fields `sha256`, `file_name`):
/// imports the file the preview showed.
pub(crate) async fn import_file(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<ImportForm>,
) -> PageResult {
    let refuse = |message: String| async {
        Ok::<Response, WebError>(refused(
            calls_page(&state, &auth, None, Some(message)).await?,
        ))
    };
    let Some(kept) = state.uploads.find(&scope(&auth)?, &form.sha256) else {
        return refuse(
            "Filen er ikke længere på serveren (den gemmes et døgn efter forhåndsvisningen). \
             Vælg den igen."
                .into(),
        )
        .await;
    };
    let file_name = match form.file_name.as_str() {
        "" => kept.meta.file_name.clone(),
        name => display_name(name),
    };
    let line = line(&state, &auth).await?;
    let upload = CallUpload {
        path: &kept.path,
        file_name: &file_name,
    };
    match calls::import_calls(state.store.as_ref(), &auth.user.actor(), &line, &upload).await {
        Ok(imported) => {
            state.uploads.remove(&kept);
            let to = format!(
                "{}/opkald?tilfoejet={}&foer={}",
                base(&auth)?,
                imported.added,
                imported.already_stored
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(CoreError::Invalid(message)) => refuse(message).await,
        Err(e) => Err(e.into()),
    }
}
