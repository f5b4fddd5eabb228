//! The national administrator's central loads (`/admin/central`): files of
//! self-service and Digital Post statistics per municipality, task and day
//! (preview with every problem grouped, then import), the loads made (and
//! deleting one), and which municipalities load a channel themselves.
//!
//! Every handler takes [`Authorized`] (the guard let a national
//! administrator through). Must not read a file or count anything itself:
//! every rule and figure lives in `komhen_core::intake::central`.

use crate::access::Authorized;
use crate::format::number;
use crate::forms::when;
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::intake::form::{BatchForm, ImportForm, ProblemsView};
use crate::intake::uploads::display_name;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use komhen_core::intake::central::{self, CentralChannel, CentralPreview, CentralUpload};
use komhen_core::intake::website::Limits;
use komhen_core::CoreError;
use komhen_domain::{BatchId, ReportPeriod};
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

const BASE: &str = "/admin/central";
/// Pending uploads of the central loads.
const SCOPE: &str = "central";

pub(crate) struct ChannelChoice {
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    pub(crate) selected: bool,
}

pub(crate) struct CentralBatchView {
    pub(crate) id: i64,
    pub(crate) file_name: String,
    pub(crate) channel: &'static str,
    pub(crate) rows: String,
    pub(crate) loaded: String,
    pub(crate) by: String,
}

pub(crate) struct OwnView {
    pub(crate) municipality: String,
    pub(crate) channels: String,
}

#[derive(Template)]
#[template(path = "admin_central.html")]
struct CentralPage {
    frame: Frame,
    channels: Vec<ChannelChoice>,
    batches: Vec<CentralBatchView>,
    own: Vec<OwnView>,
}

async fn central_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
    channel: Option<CentralChannel>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let names: HashMap<_, _> = store
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| (m.code, m.name))
        .collect();
    let mut own: Vec<OwnView> = Vec::new();
    for row in store.list_own_statistics(None).await? {
        let label = CentralChannel::parse(row.channel.as_str())
            .map_or(row.channel.to_string(), |c| {
                crate::t(c.label_da()).to_owned()
            });
        let name = format!(
            "{} ({})",
            names.get(&row.municipality).cloned().unwrap_or_default(),
            row.municipality
        );
        match own.iter_mut().find(|o| o.municipality == name) {
            Some(o) => o.channels = format!("{}, {label}", o.channels),
            None => own.push(OwnView {
                municipality: name,
                channels: label,
            }),
        }
    }
    let page = CentralPage {
        frame: Frame::admin(auth, crate::t("Centrale data"), "/central")
            .notice(notice)
            .error(error),
        channels: CentralChannel::ALL
            .into_iter()
            .map(|c| ChannelChoice {
                code: c.code(),
                label: crate::t(c.label_da()),
                selected: channel == Some(c),
            })
            .collect(),
        batches: central::central_batches(store)
            .await?
            .into_iter()
            .map(|b| CentralBatchView {
                id: b.id.0,
                channel: CentralChannel::of_batch(b.kind).map_or("", CentralChannel::label_da),
                rows: number(b.row_count),
                loaded: when(b.created_at),
                by: komhen_core::accounts::access::actor_da(&b.created_by),
                file_name: b.file_name,
            })
            .collect(),
        own,
    };
    Ok(Html(page.render()?))
}

async fn refused(
    state: &AppState,
    auth: &Authorized,
    message: String,
    channel: Option<CentralChannel>,
) -> PageResult {
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        central_page(state, auth, None, Some(message), channel).await?,
    )
        .into_response())
}

/// `GET /admin/central`
pub(crate) async fn show_central(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(central_page(&state, &auth, query.text(), None, None)
        .await?
        .into_response())
}

pub(crate) struct PartView {
    pub(crate) name: String,
    pub(crate) code: String,
    pub(crate) rows: String,
    pub(crate) inquiries: String,
}

#[derive(Template)]
#[template(path = "admin_central_preview.html")]
struct PreviewPage {
    frame: Frame,
    channel_code: &'static str,
    channel: &'static str,
    file_name: String,
    format: String,
    rows: String,
    valid_rows: String,
    zero_rows: String,
    inquiries: String,
    days: String,
    sha256: String,
    problems: ProblemsView,
    loaded: Vec<PartView>,
    left_out: Vec<PartView>,
    importable: bool,
    duplicate_of: Option<String>,
}

fn count(n: u64) -> String {
    number(i64::try_from(n).unwrap_or(i64::MAX))
}

fn parts(list: &[central::MunicipalityPart]) -> Vec<PartView> {
    list.iter()
        .map(|p| PartView {
            name: p.name.clone(),
            code: p.municipality.to_string(),
            rows: count(p.rows),
            inquiries: number(p.inquiries),
        })
        .collect()
}

fn preview_page(auth: &Authorized, preview: &CentralPreview) -> PreviewPage {
    PreviewPage {
        frame: Frame::admin(auth, crate::t("Forhåndsvisning af central fil"), "/central")
            .crumb(BASE, crate::t("Centrale data")),
        channel_code: preview.channel.code(),
        channel: crate::t(preview.channel.label_da()),
        file_name: preview.file_name.clone(),
        format: if preview.format.is_empty() {
            "–".into()
        } else {
            crate::i18n::message(&preview.format)
        },
        rows: count(preview.rows),
        valid_rows: count(preview.valid_rows),
        zero_rows: count(preview.zero_rows),
        inquiries: number(preview.inquiries),
        days: match (preview.first_day, preview.last_day) {
            (Some(from), Some(to)) => ReportPeriod { from, to }.label_da(),
            _ => "–".into(),
        },
        sha256: preview.sha256.clone(),
        problems: ProblemsView::of(&preview.problems),
        loaded: parts(&preview.loaded),
        left_out: parts(&preview.left_out),
        importable: preview.importable(),
        duplicate_of: preview.duplicate_of.as_ref().map(|b| when(b.created_at)),
    }
}

/// `POST /admin/central/forhaandsvisning` (multipart: `channel`, `file`).
pub(crate) async fn preview_central_file(
    State(state): State<AppState>,
    auth: Authorized,
    multipart: Multipart,
) -> PageResult {
    let form = state
        .uploads
        .receive(multipart, SCOPE, Some(auth.user.user.id))
        .await?;
    let Some(channel) = CentralChannel::parse(form.field("channel")) else {
        if let Some(kept) = &form.file {
            state.uploads.remove(kept);
        }
        return refused(
            &state,
            &auth,
            crate::t("Vælg, om filen er selvbetjening eller Digital Post.").into(),
            None,
        )
        .await;
    };
    let Some(kept) = form.file else {
        return refused(
            &state,
            &auth,
            crate::t("Vælg en CSV-fil.").into(),
            Some(channel),
        )
        .await;
    };
    let upload = CentralUpload {
        channel,
        path: &kept.path,
        file_name: &kept.meta.file_name,
        limits: Limits::default(),
    };
    let preview = central::preview_central(state.store.as_ref(), &upload).await?;
    if !preview.importable() {
        state.uploads.remove(&kept);
    }
    let status = if preview.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(preview_page(&auth, &preview).render()?)).into_response())
}

/// `POST /admin/central/indlaes` (fields `channel`, `sha256`, `file_name`,
/// `replace`): loads the file the preview showed.
pub(crate) async fn import_central_file(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<ImportForm>,
) -> PageResult {
    let channel = CentralChannel::parse(&form.channel);
    let kept = state.uploads.find(SCOPE, &form.sha256);
    let (Some(channel), Some(kept)) = (channel, kept) else {
        return refused(
            &state,
            &auth,
            crate::t(
                "Filen er ikke længere på serveren (den gemmes et døgn efter forhåndsvisningen). \
                 Vælg den igen.",
            )
            .into(),
            channel,
        )
        .await;
    };
    // The name as the preview showed it (the form carries it back).
    let file_name = match form.file_name.as_str() {
        "" => kept.meta.file_name.clone(),
        name => display_name(name),
    };
    let upload = CentralUpload {
        channel,
        path: &kept.path,
        file_name: &file_name,
        limits: Limits::default(),
    };
    match central::import_central(
        state.store.as_ref(),
        &auth.user.actor(),
        &upload,
        form.replace,
        &mut |_| {},
    )
    .await
    {
        Ok(imported) => {
            state.uploads.remove(&kept);
            let notice = match imported.batch.status {
                komhen_store::BatchStatus::Held => "holdt",
                _ => "indlaest",
            };
            Ok(Redirect::to(&with_notice(BASE, notice)).into_response())
        }
        Err(CoreError::Invalid(message)) => refused(&state, &auth, message, Some(channel)).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/central/slet` (field `batch`).
pub(crate) async fn delete_central_file(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<BatchForm>,
) -> PageResult {
    let outcome = match form.batch {
        Some(id) => central::delete_central_batch(state.store.as_ref(), BatchId(id))
            .await
            .map(|_| ()),
        None => Err(CoreError::Invalid(
            crate::t("Vælg den indlæsning, der skal slettes.").into(),
        )),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&with_notice(BASE, "fil-slettet")).into_response()),
        Err(CoreError::Invalid(message)) => refused(&state, &auth, message, None).await,
        Err(e) => Err(e.into()),
    }
}
