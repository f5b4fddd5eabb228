//! A municipality's website page (`/kommune/{kode}/hjemmeside`): the paths
//! of its website mapped to tasks, uploading its Matomo exports (preview,
//! then import), the uploads made and the WEB inquiries per task, the
//! yearly visits total, and whether it loads its own self-service or
//! Digital Post statistics instead of the central delivery.
//!
//! Every handler takes [`Authorized`]: the guard has decided the user may
//! read (GET) or set up (POST) this municipality. Must not read a file,
//! match an address or count anything itself: every rule and figure lives
//! in `komhen_core::intake::website` and `komhen_core::intake::central`.

use crate::access::Authorized;
use crate::format::number;
use crate::forms::{self, when};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::intake::form::{BatchForm, ImportForm, ProblemsView};
use crate::intake::uploads::display_name;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use komhen_core::intake::central::{self, CentralChannel};
use komhen_core::intake::website::{self, Limits, ReportKind, WebPreview, WebUpload};
use komhen_core::CoreError;
use komhen_domain::{BatchId, ReportPeriod, TaskId, WebPageId};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;
fn base(auth: &Authorized) -> Result<String, WebError> {
    Ok(format!("{}/hjemmeside", forms::base(auth)?))
}

/// `POST /kommune/{kode}/hjemmeside/sider`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WebPageForm {
    address: String,
    #[serde(deserialize_with = "forms::id")]
    task: Option<i64>,
}

/// `POST /kommune/{kode}/hjemmeside/sider/fjern`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RemovePageForm {
    #[serde(deserialize_with = "forms::id")]
    page: Option<i64>,
}

/// `POST /kommune/{kode}/hjemmeside/centrale-data`: the channels ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct OwnStatisticsForm {
    own: Vec<String>,
}

/// Pending uploads of one municipality.
fn scope(auth: &Authorized) -> Result<String, WebError> {
    Ok(format!("web-{}", auth.code()?))
}

pub(crate) struct PageView {
    pub(crate) id: i64,
    pub(crate) path: String,
    pub(crate) kle: String,
    pub(crate) task: String,
}

pub(crate) struct TaskOption {
    pub(crate) id: i64,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

pub(crate) struct BatchView {
    pub(crate) id: i64,
    pub(crate) file_name: String,
    pub(crate) kind: &'static str,
    pub(crate) rows: String,
    pub(crate) loaded: String,
    pub(crate) by: String,
}

pub(crate) struct CountView {
    pub(crate) kle: String,
    pub(crate) task: String,
    pub(crate) inquiries: String,
}

pub(crate) struct SessionsView {
    pub(crate) period: String,
    pub(crate) visits: String,
    pub(crate) source: String,
}

pub(crate) struct OwnChoice {
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    pub(crate) checked: bool,
}

#[derive(Template)]
#[template(path = "setup_website.html")]
struct WebsitePage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    pages: Vec<PageView>,
    national_tasks: Vec<TaskOption>,
    own_tasks: Vec<TaskOption>,
    form_address: String,
    form_period: String,
    batches: Vec<BatchView>,
    counts: Vec<CountView>,
    counts_total: String,
    sessions: Vec<SessionsView>,
    own: Vec<OwnChoice>,
}

/// What the page's forms held when a change was refused.
#[derive(Default)]
struct Typed {
    address: String,
    task: Option<i64>,
    period: String,
}

async fn website_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
    typed: Typed,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let tasks = store.list_tasks(m.code).await?;
    let option = |t: &komhen_store::TaskRow| TaskOption {
        id: t.id.0,
        label: format!("{} {}", t.kle, t.name),
        selected: typed.task == Some(t.id.0),
    };
    let counts = website::web_inquiries_by_task(store, m.code).await?;
    let own = central::own_statistics(store, m.code).await?;
    let page = WebsitePage {
        frame: Frame::municipality(auth, crate::t("Hjemmeside"), "/hjemmeside")
            .notice(notice)
            .error(error),
        base: base(auth)?,
        can_set_up: auth.can_set_up(),
        pages: website::web_pages(store, m.code)
            .await?
            .into_iter()
            .map(|p| PageView {
                id: p.id.0,
                path: p.path.to_string(),
                kle: p.task.kle.to_string(),
                task: p.task.name,
            })
            .collect(),
        national_tasks: tasks
            .iter()
            .filter(|t| t.municipality.is_none() && !t.retired)
            .map(option)
            .collect(),
        own_tasks: tasks
            .iter()
            .filter(|t| t.municipality.is_some() && !t.retired)
            .map(option)
            .collect(),
        form_address: typed.address,
        form_period: typed.period,
        batches: website::web_batches(store, m.code)
            .await?
            .into_iter()
            .map(|b| BatchView {
                id: b.id.0,
                kind: match ReportKind::of_batch(b.kind) {
                    Some(ReportKind::Visits) => crate::t("Besøgsoversigt"),
                    _ => crate::t("Sider"),
                },
                rows: number(b.row_count),
                loaded: when(b.created_at),
                by: komhen_core::accounts::access::actor_da(&b.created_by),
                file_name: b.file_name,
            })
            .collect(),
        counts_total: number(counts.iter().map(|(_, n)| n).sum()),
        counts: counts
            .into_iter()
            .map(|(t, n)| CountView {
                kle: t.kle.to_string(),
                task: t.name,
                inquiries: number(n),
            })
            .collect(),
        sessions: website::website_sessions(store, m.code)
            .await?
            .into_iter()
            .map(|t| SessionsView {
                period: ReportPeriod {
                    from: t.from,
                    to: t.to,
                }
                .label_da(),
                visits: number(t.count),
                source: if t.batch.is_some() {
                    crate::t("Matomo-fil").into()
                } else {
                    t.source
                },
            })
            .collect(),
        own: CentralChannel::ALL
            .into_iter()
            .map(|c| OwnChoice {
                code: c.code(),
                label: crate::t(c.label_da()),
                checked: own.contains(&c),
            })
            .collect(),
    };
    Ok(Html(page.render()?))
}

/// The page again with a refused change's message (422).
async fn refused(state: &AppState, auth: &Authorized, message: String, typed: Typed) -> PageResult {
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        website_page(state, auth, None, Some(message), typed).await?,
    )
        .into_response())
}

/// `GET /kommune/{kode}/hjemmeside`
pub(crate) async fn show_website(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(
        website_page(&state, &auth, query.text(), None, Typed::default())
            .await?
            .into_response(),
    )
}

/// `POST /kommune/{kode}/hjemmeside/sider`: maps a path to a task.
pub(crate) async fn add_web_page(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<WebPageForm>,
) -> PageResult {
    let task = form.task;
    let outcome = website::add_web_page(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        &form.address,
        task.map(TaskId),
    )
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to(&with_notice(&base(&auth)?, "oprettet")).into_response()),
        Err(CoreError::Invalid(message)) => {
            let typed = Typed {
                address: form.address.clone(),
                task,
                period: String::new(),
            };
            refused(&state, &auth, message, typed).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /kommune/{kode}/hjemmeside/sider/fjern` (field `page`).
pub(crate) async fn remove_web_page(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<RemovePageForm>,
) -> PageResult {
    let outcome = match form.page {
        Some(id) => {
            website::remove_web_page(
                state.store.as_ref(),
                &auth.user.actor(),
                auth.code()?,
                WebPageId(id),
            )
            .await
        }
        None => Err(CoreError::Invalid(
            crate::t("Vælg den adresse, der skal fjernes.").into(),
        )),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&with_notice(&base(&auth)?, "fjernet-side")).into_response()),
        Err(CoreError::Invalid(message)) => refused(&state, &auth, message, Typed::default()).await,
        Err(e) => Err(e.into()),
    }
}

/// The period typed in a form: empty is none.
fn period_of(text: &str) -> Result<Option<ReportPeriod>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    ReportPeriod::parse(text).map(Some).map_err(|e| {
        crate::t1(
            "{0}. Skriv dagen, rapporten dækker (fx 21-10-2025), eller for Besøgsoversigten \
             perioden (fx 2025).",
            e,
        )
    })
}

pub(crate) struct TaskVisitsView {
    pub(crate) kle: String,
    pub(crate) task: String,
    pub(crate) days: usize,
    pub(crate) visits: String,
}

pub(crate) struct UnmappedView {
    pub(crate) page: String,
    pub(crate) is_page: bool,
    pub(crate) visits: String,
}

#[derive(Template)]
#[template(path = "setup_website_preview.html")]
struct PreviewPage {
    frame: Frame,
    base: String,
    kind: String,
    is_pages: bool,
    file_name: String,
    format: String,
    rows: String,
    days: String,
    period: String,
    sha256: String,
    problems: ProblemsView,
    warnings: Vec<String>,
    by_task: Vec<TaskVisitsView>,
    inquiries: String,
    registrations: String,
    unmapped: Vec<UnmappedView>,
    unmapped_pages: String,
    unmapped_visits: String,
    unmapped_more: bool,
    sessions: Vec<SessionsView>,
    importable: bool,
    duplicate_of: Option<String>,
}

fn preview_page(
    auth: &Authorized,
    preview: &WebPreview,
    period: &str,
) -> Result<PreviewPage, WebError> {
    let base = base(auth)?;
    let days = match (preview.first_day, preview.last_day) {
        (Some(from), Some(to)) => ReportPeriod { from, to }.label_da(),
        _ => "–".into(),
    };
    Ok(PreviewPage {
        frame: Frame::municipality(
            auth,
            crate::t("Forhåndsvisning af Matomo-fil"),
            "/hjemmeside",
        )
        .crumb(base.clone(), crate::t("Hjemmeside")),
        base,
        kind: preview
            .kind
            .map_or(crate::t("Ukendt rapport"), ReportKind::label_da)
            .to_owned(),
        is_pages: preview.kind == Some(ReportKind::Pages),
        file_name: preview.file_name.clone(),
        format: if preview.format.is_empty() {
            "–".into()
        } else {
            crate::i18n::message(&preview.format)
        },
        rows: number(i64::try_from(preview.rows).unwrap_or(i64::MAX)),
        days,
        period: period.to_owned(),
        sha256: preview.sha256.clone(),
        problems: ProblemsView::of(&preview.problems),
        warnings: preview
            .warnings
            .iter()
            .map(|w| crate::i18n::message(w))
            .collect(),
        by_task: preview
            .by_task
            .iter()
            .map(|t| TaskVisitsView {
                kle: t.task.kle.to_string(),
                task: t.task.name.clone(),
                days: t.days,
                visits: number(t.visits),
            })
            .collect(),
        inquiries: number(preview.inquiries),
        registrations: number(i64::try_from(preview.registration_rows()).unwrap_or(i64::MAX)),
        unmapped_more: preview.unmapped_pages > preview.unmapped.len(),
        unmapped: preview
            .unmapped
            .iter()
            .map(|u| UnmappedView {
                page: u.page.clone(),
                is_page: u.is_page,
                visits: number(u.visits),
            })
            .collect(),
        unmapped_pages: number(i64::try_from(preview.unmapped_pages).unwrap_or(i64::MAX)),
        unmapped_visits: number(preview.unmapped_visits),
        sessions: preview
            .sessions
            .iter()
            .map(|(p, visits)| SessionsView {
                period: p.label_da(),
                visits: number(*visits),
                source: String::new(),
            })
            .collect(),
        importable: preview.importable(),
        duplicate_of: preview.duplicate_of.as_ref().map(|b| when(b.created_at)),
    })
}

/// `POST /kommune/{kode}/hjemmeside/forhaandsvisning` (multipart: `file`,
/// `period`): keeps the file and shows what importing it would do.
pub(crate) async fn preview_web_file(
    State(state): State<AppState>,
    auth: Authorized,
    multipart: Multipart,
) -> PageResult {
    let form = state
        .uploads
        .receive(multipart, &scope(&auth)?, Some(auth.user.user.id))
        .await?;
    let period_text = form.field("period").trim().to_owned();
    let typed = || Typed {
        period: period_text.clone(),
        ..Typed::default()
    };
    let Some(kept) = form.file else {
        return refused(
            &state,
            &auth,
            crate::t("Vælg en CSV-fil eksporteret fra Matomo.").into(),
            typed(),
        )
        .await;
    };
    let period = match period_of(&period_text) {
        Ok(period) => period,
        Err(message) => {
            state.uploads.remove(&kept);
            return refused(&state, &auth, message, typed()).await;
        }
    };
    let upload = WebUpload {
        path: &kept.path,
        file_name: &kept.meta.file_name,
        period,
        limits: Limits::default(),
    };
    let preview = website::preview_web(state.store.as_ref(), auth.code()?, &upload).await?;
    if !preview.importable() {
        // Nothing to import: the file need not wait.
        state.uploads.remove(&kept);
    }
    let page = preview_page(&auth, &preview, &period_text)?;
    let status = if preview.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `POST /kommune/{kode}/hjemmeside/indlaes` (fields `sha256`, `file_name`,
/// `period`, `replace`): imports the file the preview showed.
pub(crate) async fn import_web_file(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<ImportForm>,
) -> PageResult {
    let period_text = form.period.clone();
    let typed = || Typed {
        period: period_text.clone(),
        ..Typed::default()
    };
    let Some(kept) = state.uploads.find(&scope(&auth)?, &form.sha256) else {
        return refused(
            &state,
            &auth,
            crate::t(
                "Filen er ikke længere på serveren (den gemmes et døgn efter forhåndsvisningen). \
                 Vælg den igen.",
            )
            .into(),
            typed(),
        )
        .await;
    };
    let period = match period_of(&period_text) {
        Ok(period) => period,
        Err(message) => return refused(&state, &auth, message, typed()).await,
    };
    // The name as the preview showed it (the form carries it back).
    let file_name = match form.file_name.as_str() {
        "" => kept.meta.file_name.clone(),
        name => display_name(name),
    };
    let upload = WebUpload {
        path: &kept.path,
        file_name: &file_name,
        period,
        limits: Limits::default(),
    };
    match website::import_web(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        &upload,
        form.replace,
    )
    .await
    {
        Ok(imported) => {
            state.uploads.remove(&kept);
            let notice = match imported.batch.status {
                komhen_store::BatchStatus::Held => "holdt",
                _ => "indlaest",
            };
            Ok(Redirect::to(&with_notice(&base(&auth)?, notice)).into_response())
        }
        Err(CoreError::Invalid(message)) => refused(&state, &auth, message, typed()).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /kommune/{kode}/hjemmeside/filer/slet` (field `batch`).
pub(crate) async fn delete_web_file(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<BatchForm>,
) -> PageResult {
    let outcome = match form.batch {
        Some(id) => website::delete_web_batch(state.store.as_ref(), auth.code()?, BatchId(id))
            .await
            .map(|_| ()),
        None => Err(CoreError::Invalid(
            crate::t("Vælg den indlæsning, der skal slettes.").into(),
        )),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&with_notice(&base(&auth)?, "fil-slettet")).into_response()),
        Err(CoreError::Invalid(message)) => refused(&state, &auth, message, Typed::default()).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /kommune/{kode}/hjemmeside/centrale-data` (checkboxes `own`
/// with the channel codes): which statistics the municipality loads itself.
pub(crate) async fn set_own_statistics(
    State(state): State<AppState>,
    auth: Authorized,
    axum_extra::extract::Form(form): axum_extra::extract::Form<OwnStatisticsForm>,
) -> PageResult {
    let code = auth.code()?;
    for channel in CentralChannel::ALL {
        let own = form.own.iter().any(|v| v == channel.code());
        let outcome = central::set_own_statistics(
            state.store.as_ref(),
            &auth.user.actor(),
            code,
            channel,
            own,
        )
        .await;
        match outcome {
            Ok(()) => {}
            Err(CoreError::Invalid(message)) => {
                return refused(&state, &auth, message, Typed::default()).await
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Redirect::to(&with_notice(&base(&auth)?, "gemt")).into_response())
}
