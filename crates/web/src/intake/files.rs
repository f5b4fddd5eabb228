//! Uploading registration files in the browser (`/kommune/{kode}/indlaes`)
//! and the municipality's batches (`/kommune/{kode}/indlaesninger`), plus
//! the public codebook page and its templates (`/kodebog`).
//!
//! An upload is streamed to a file on disk (never held in memory), checked
//! with `komhen_core::intake::files::preview`, and shown; the coordinator then
//! confirms, and the import runs in the background while the page shows
//! its progress. The upload waits on disk (`intake::uploads`), so a preview
//! survives a restart; where an import stands is this server's ([`Imports`]). Every rule lives in `komhen_core::intake::files`.

mod codebook;
pub(crate) use codebook::*;

use crate::access::Authorized;
use crate::format::number;
use crate::forms::{base, when};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::intake::form::{ImportForm, ProblemsView};
use crate::intake::uploads::Kept;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use komhen_core::accounts::access::Actor;
use komhen_core::intake::files::{self, Choice, FileKind, Preview, Upload};
use komhen_domain::{BatchId, MunicipalityCode, UserId};
use komhen_ingest::Limits;
use komhen_store::{BatchRow, BatchStatus, RegistrationFilter};
use std::collections::HashMap;
use std::sync::Mutex;

type PageResult = Result<Response, WebError>;

/// The largest registration file taken in the browser.
pub(crate) const UPLOAD_LIMIT: usize = 2 << 30;
/// Where an import of an upload stands on this server (an upload with no
/// state is checked and waits for its confirmation).
#[derive(Debug, Clone)]
enum JobState {
    /// Importing: rows stored so far.
    Importing(u64),
    /// Stored; true when held back as a correction of a published period.
    Done(BatchId, bool),
    Failed(String),
    /// Stopped by an error of the server's own (logged, never shown).
    Stopped,
}

/// The imports started on this server, by upload (its kept file).
/// An import running when the server stops leaves a batch loading, which
/// the batch pipeline removes as stale; the upload itself waits on disk.
#[derive(Debug, Default)]
pub struct Imports {
    jobs: Mutex<HashMap<String, JobState>>,
}

impl Imports {
    fn get(&self, token: &str) -> Option<JobState> {
        self.jobs.lock().ok()?.get(token).cloned()
    }

    fn set(&self, token: &str, state: JobState) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(token.to_owned(), state);
        }
    }

    fn forget(&self, token: &str) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.remove(token);
        }
    }
}

/// An upload of this page: the kept file, what the preview found, and
/// where its import stands.
struct Job {
    kept: Kept,
    kind: FileKind,
    valid_rows: u64,
    state: Option<JobState>,
}

/// An import's key among the server's imports: its kept file, which is
/// the user's, the municipality's and the file's.
fn job_key(kept: &Kept) -> String {
    kept.path.to_string_lossy().into_owned()
}

/// Where a user's registration files for a municipality wait: the import
/// follows the upload of the one who previewed it, so two coordinators
/// uploading the same file never share it.
fn scope(code: MunicipalityCode, user: UserId) -> String {
    format!("registreringer-{code}-{user}")
}

// --- the upload page and the batches -------------------------------------------------

pub(crate) struct BatchView {
    pub(crate) id: i64,
    pub(crate) href: String,
    pub(crate) when: String,
    pub(crate) kind: String,
    pub(crate) file_name: String,
    pub(crate) rows: String,
    pub(crate) status: &'static str,
    /// Why a held batch waits (empty otherwise).
    pub(crate) note: String,
    pub(crate) by: String,
    pub(crate) deletable: bool,
}

fn batch_view(base: &str, b: &BatchRow) -> BatchView {
    BatchView {
        id: b.id.0,
        href: format!("{base}/indlaesninger/{}", b.id),
        when: when(b.created_at),
        kind: crate::t(b.kind.label_da()).into(),
        file_name: b.file_name.clone(),
        rows: number(b.row_count),
        status: crate::t(b.status.label_da()),
        note: match b.status {
            BatchStatus::Held => b.errors.clone(),
            _ => String::new(),
        },
        by: komhen_core::accounts::access::actor_da(&b.created_by),
        deletable: komhen_core::intake::batch::deletable(b, chrono::Utc::now()),
    }
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    batches: Vec<BatchView>,
}

async fn intake_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let base = base(auth)?;
    let batches = state
        .store
        .list_batches(Some(auth.code()?))
        .await?
        .iter()
        .filter(|b| b.status != BatchStatus::Deleted)
        .map(|b| batch_view(&base, b))
        .collect();
    let page = IntakePage {
        frame: Frame::municipality(auth, crate::t("Indlæs data"), "/indlaes")
            .notice(notice)
            .error(error),
        can_set_up: auth.can_set_up(),
        batches,
        base,
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/indlaes`
pub(crate) async fn show_intake(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(intake_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

// --- the preview ----------------------------------------------------------------------

pub(crate) struct WarningView {
    pub(crate) message: String,
    pub(crate) rows: String,
    pub(crate) lines: String,
}

pub(crate) struct ChannelCount {
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) inquiries: String,
}

pub(crate) struct OverlapView {
    pub(crate) summary: String,
    pub(crate) examples: Vec<(String, String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "intake_preview.html")]
struct PreviewPage {
    frame: Frame,
    base: String,
    token: String,
    file_name: String,
    kind: &'static str,
    format: String,
    rows: String,
    valid_rows: String,
    bad_rows: String,
    inquiries: String,
    dates: Option<String>,
    importable: bool,
    problems: ProblemsView,
    warnings: Vec<WarningView>,
    channels: Vec<ChannelCount>,
    new_tasks: Vec<String>,
    new_units: Vec<String>,
    new_questions: Vec<String>,
    overlap: Option<OverlapView>,
    /// What earlier imports hold on the file's units and days.
    earlier: Option<String>,
    duplicate: Option<String>,
}

fn preview_page(
    auth: &Authorized,
    base: String,
    token: &str,
    p: &Preview,
) -> Result<Html<String>, WebError> {
    let lines = |lines: &[u64]| {
        lines
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let page = PreviewPage {
        frame: Frame::municipality(auth, crate::t("Kontrol af filen"), "/indlaes")
            .crumb(format!("{base}/indlaes"), crate::t("Indlæs data")),
        token: token.to_owned(),
        file_name: p.file_name.clone(),
        kind: crate::t(p.kind.label_da()),
        format: crate::i18n::message(&p.format),
        rows: number(p.rows as i64),
        valid_rows: number(p.valid_rows as i64),
        bad_rows: number(p.problems.bad_rows() as i64),
        inquiries: number(p.inquiries),
        dates: p.first_day.zip(p.last_day).map(|(a, b)| {
            if a == b {
                a.format("%d-%m-%Y").to_string()
            } else {
                format!("{} – {}", a.format("%d-%m-%Y"), b.format("%d-%m-%Y"))
            }
        }),
        importable: p.importable(),
        problems: ProblemsView::of(&p.problems),
        warnings: p
            .warnings
            .iter()
            .map(|w| WarningView {
                message: crate::i18n::message(&w.message),
                rows: number(w.rows as i64),
                lines: lines(&w.first_lines),
            })
            .collect(),
        channels: p
            .by_channel
            .iter()
            .map(|(code, label, n)| ChannelCount {
                code: code.to_string(),
                label: label.clone(),
                inquiries: number(*n),
            })
            .collect(),
        new_tasks: p
            .creations
            .tasks
            .iter()
            .map(|(kle, name, kind)| format!("{kle} {name} ({})", crate::t(kind.label_da())))
            .collect(),
        new_units: p.creations.units.clone(),
        new_questions: p.creations.questions.clone(),
        overlap: p.overlap.as_ref().map(|o| {
            OverlapView {
            summary: crate::t3(
                "{0} henvendelser i filen ligger på {1} kombinationer af enhed, kanal og dag, hvor \
                 enhederne selv har registreret {2} henvendelser i registreringsværktøjet eller på \
                 papir. Tjek, at de samme henvendelser ikke tælles to gange.",
                number(o.file_inquiries),
                number(o.cells as i64),
                number(o.tool_inquiries)
            ),
            examples: o
                .examples
                .iter()
                .map(|(unit, channel, day, file, tool)| {
                    (
                        unit.clone(),
                        channel.clone(),
                        day.format("%d-%m-%Y").to_string(),
                        number(*file),
                        number(*tool),
                    )
                })
                .collect(),
        }
        }),
        earlier: p
            .earlier
            .as_ref()
            .map(|e| crate::i18n::message(&e.summary_da())),
        duplicate: p.duplicate_of.as_ref().map(|b| {
            crate::t3(
                "Filen er indlæst før, {0} af {1} ({2} rækker).",
                when(b.created_at),
                komhen_core::accounts::access::actor_da(&b.created_by),
                number(b.row_count),
            )
        }),
        base,
    };
    Ok(Html(page.render()?))
}

/// `POST /kommune/{kode}/indlaes` (multipart: `kind`, `file`): keeps the
/// upload on disk, checks it and shows the preview.
#[tracing::instrument(skip_all, fields(user = auth.user.user.id.0))]
pub(crate) async fn upload_file(
    State(state): State<AppState>,
    auth: Authorized,
    multipart: Multipart,
) -> PageResult {
    let code = auth.code()?;
    let form = state
        .uploads
        .receive(
            multipart,
            &scope(code, auth.user.user.id),
            Some(auth.user.user.id),
        )
        .await?;
    let Some(mut kept) = form.file.clone() else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            intake_page(
                &state,
                &auth,
                None,
                Some(crate::t("Vælg en fil at indlæse.").into()),
            )
            .await?,
        )
            .into_response());
    };
    let kind = match FileKind::parse(form.field("kind")) {
        Some(kind) => kind,
        None => FileKind::detect(&kept.path)?,
    };
    let upload = Upload {
        kind,
        path: &kept.path,
        file_name: &kept.meta.file_name,
        limits: Limits::default(),
    };
    let preview = files::preview(state.store.as_ref(), code, &upload).await?;
    kept.meta.kind = Some(kind.batch_kind().code().to_owned());
    kept.meta.rows = Some(preview.valid_rows);
    state.uploads.update(&kept)?;
    state.imports.forget(&job_key(&kept));
    let status = if preview.importable() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        preview_page(&auth, base(&auth)?, &kept.sha256, &preview)?,
    )
        .into_response())
}

/// The upload of this user and municipality, or a page saying it is gone.
fn own_upload(state: &AppState, auth: &Authorized, token: &str) -> Result<Job, WebError> {
    let kept = state
        .uploads
        .find(&scope(auth.code()?, auth.user.user.id), token)
        .filter(|k| k.meta.user == Some(auth.user.user.id.0))
        .ok_or(WebError::NotFound)?;
    let kind = kept
        .meta
        .kind
        .as_deref()
        .and_then(FileKind::parse)
        .ok_or(WebError::NotFound)?;
    Ok(Job {
        valid_rows: kept.meta.rows.unwrap_or_default(),
        state: state.imports.get(&job_key(&kept)),
        kind,
        kept,
    })
}

fn upload_param(params: &[(String, String)]) -> String {
    params
        .iter()
        .find(|(k, _)| k == "upload")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// `POST /kommune/{kode}/indlaes/{upload}/gem`: starts the import in the
/// background and shows its progress.
pub(crate) async fn confirm_upload(
    State(state): State<AppState>,
    auth: Authorized,
    Path(params): Path<Vec<(String, String)>>,
    Form(form): Form<ImportForm>,
) -> PageResult {
    let token = upload_param(&params);
    let job = own_upload(&state, &auth, &token)?;
    if job.state.is_some() {
        // Already started: show where it stands.
        return Ok(Redirect::to(&format!("{}/indlaes/{token}", base(&auth)?)).into_response());
    }
    let choice = match (form.replace, form.earlier.as_str()) {
        (true, _) | (_, "erstat") => Choice::Replace,
        (_, "tilfoej") => Choice::Add,
        _ => Choice::Unmade,
    };
    state
        .imports
        .set(&job_key(&job.kept), JobState::Importing(0));
    let actor = auth.user.actor();
    let code = auth.code()?;
    let task_state = state.clone();
    tokio::spawn(async move {
        run_import(task_state, job, code, actor, choice).await;
    });
    Ok(Redirect::to(&format!("{}/indlaes/{token}", base(&auth)?)).into_response())
}

async fn run_import(
    state: AppState,
    job: Job,
    municipality: MunicipalityCode,
    actor: Actor,
    choice: Choice,
) {
    let token = job_key(&job.kept);
    let upload = Upload {
        kind: job.kind,
        path: &job.kept.path,
        file_name: &job.kept.meta.file_name,
        limits: Limits::default(),
    };
    let imports = state.imports.clone();
    let progress_token = token.clone();
    let mut progress = move |done: u64| imports.set(&progress_token, JobState::Importing(done));
    let outcome = files::import(
        state.store.as_ref(),
        &actor,
        municipality,
        &upload,
        choice,
        &mut progress,
    )
    .await;
    let next = match outcome {
        Ok(imported) => JobState::Done(
            imported.batch.id,
            imported.batch.status == BatchStatus::Held,
        ),
        Err(komhen_core::CoreError::Invalid(message)) => JobState::Failed(message),
        Err(e) => {
            crate::error::log_internal(&e);
            JobState::Stopped
        }
    };
    state.imports.set(&token, next);
}

#[derive(Template)]
#[template(path = "intake_progress.html")]
struct ProgressPage {
    frame: Frame,
    file_name: String,
    done: String,
    total: String,
    percent: u64,
    failed: Option<String>,
}

/// `GET /kommune/{kode}/indlaes/{upload}`: the import's progress; done, it
/// goes on to the batch.
pub(crate) async fn show_upload(
    State(state): State<AppState>,
    auth: Authorized,
    Path(params): Path<Vec<(String, String)>>,
) -> PageResult {
    let token = upload_param(&params);
    let job = own_upload(&state, &auth, &token)?;
    let base = base(&auth)?;
    let (done, failed) = match &job.state {
        Some(JobState::Done(batch, held)) => {
            state.uploads.remove(&job.kept);
            state.imports.forget(&job_key(&job.kept));
            return Ok(Redirect::to(&with_notice(
                &format!("{base}/indlaesninger/{batch}"),
                if *held { "holdt" } else { "importeret_fil" },
            ))
            .into_response());
        }
        None => {
            return Ok(Redirect::to(&format!("{base}/indlaes")).into_response());
        }
        Some(JobState::Importing(done)) => (*done, None),
        Some(JobState::Failed(message)) => (0, Some(crate::i18n::message(message))),
        Some(JobState::Stopped) => (
            0,
            Some(
                crate::t(
                    "Indlæsningen stoppede med en fejl; intet er gemt. Fejlen er skrevet i \
                     systemets log.",
                )
                .to_owned(),
            ),
        ),
    };
    let page = ProgressPage {
        frame: Frame::municipality(&auth, crate::t("Indlæser"), "/indlaes")
            .crumb(format!("{base}/indlaes"), crate::t("Indlæs data")),
        file_name: job.kept.meta.file_name.clone(),
        done: number(done as i64),
        total: number(job.valid_rows as i64),
        percent: (done * 100)
            .checked_div(job.valid_rows)
            .unwrap_or(0)
            .min(100),
        failed,
    };
    let mut response = Html(page.render()?).into_response();
    if page_refreshes(&job.state) {
        if let Ok(value) = header::HeaderValue::from_str("2") {
            response.headers_mut().insert(header::REFRESH, value);
        }
    }
    Ok(response)
}

fn page_refreshes(state: &Option<JobState>) -> bool {
    matches!(state, Some(JobState::Importing(_)))
}

/// `POST /kommune/{kode}/indlaes/{upload}/annuller`
pub(crate) async fn cancel_upload(
    State(state): State<AppState>,
    auth: Authorized,
    Path(params): Path<Vec<(String, String)>>,
) -> PageResult {
    let token = upload_param(&params);
    let job = own_upload(&state, &auth, &token)?;
    if !page_refreshes(&job.state) {
        state.uploads.remove(&job.kept);
        state.imports.forget(&job_key(&job.kept));
    }
    Ok(Redirect::to(&format!("{}/indlaes", base(&auth)?)).into_response())
}

// --- one batch ---------------------------------------------------------------------

pub(crate) struct SampleRow {
    pub(crate) when: String,
    pub(crate) unit: String,
    pub(crate) task: String,
    pub(crate) channel: String,
    pub(crate) inquiry_type: String,
    pub(crate) quantity: String,
}

#[derive(Template)]
#[template(path = "intake_batch.html")]
struct BatchPage {
    frame: Frame,
    base: String,
    batch: BatchView,
    can_set_up: bool,
    problems: String,
    channels: Vec<ChannelCount>,
    inquiries: String,
    sample: Vec<SampleRow>,
}

/// Rows listed on a batch's page.
const SAMPLE_ROWS: u32 = 50;

/// `GET /kommune/{kode}/indlaesninger/{batch}`
pub(crate) async fn show_batch(
    State(state): State<AppState>,
    auth: Authorized,
    Path(params): Path<Vec<(String, String)>>,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    let code = auth.code()?;
    let id = params
        .iter()
        .find(|(k, _)| k == "batch")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .map(BatchId)
        .ok_or(WebError::NotFound)?;
    let store = state.store.as_ref();
    let batch = store
        .list_batches(Some(code))
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or(WebError::NotFound)?;
    let base = base(&auth)?;
    let channels = store.list_channels().await?;
    let counts = store.batch_counts(code, id).await?;
    let tasks = store.list_tasks(code).await?;
    let units = store.list_units(code).await?;
    let sample = store
        .list_registrations(
            code,
            &RegistrationFilter {
                batch: Some(id),
                include_test: true,
                limit: SAMPLE_ROWS,
                ..RegistrationFilter::default()
            },
        )
        .await?;
    let label = |code: &komhen_domain::ChannelCode| {
        channels
            .iter()
            .find(|c| &c.code == code)
            .map_or_else(|| code.to_string(), |c| c.label_da.clone())
    };
    let page = BatchPage {
        frame: Frame::municipality(&auth, crate::t1("Indlæsning {0}", batch.id), "/indlaes")
            .crumb(format!("{base}/indlaes"), crate::t("Indlæs data"))
            .notice(query.text()),
        batch: batch_view(&base, &batch),
        can_set_up: auth.can_set_up(),
        problems: batch.errors.clone(),
        inquiries: number(counts.iter().map(|(_, n)| n).sum()),
        channels: counts
            .iter()
            .map(|(c, n)| ChannelCount {
                code: c.to_string(),
                label: label(c),
                inquiries: number(*n),
            })
            .collect(),
        sample: sample
            .iter()
            .map(|r| SampleRow {
                when: when(r.registered_at),
                unit: r
                    .unit
                    .and_then(|u| units.iter().find(|x| x.id == u))
                    .map_or_else(String::new, |u| u.login.clone()),
                task: tasks
                    .iter()
                    .find(|t| t.id == r.task)
                    .map_or_else(String::new, |t| format!("{} {}", t.kle, t.name)),
                channel: r.channel.to_string(),
                inquiry_type: r
                    .inquiry_type
                    .map(|t| t.code().to_owned())
                    .unwrap_or_default(),
                quantity: number(r.quantity),
            })
            .collect(),
        base,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /kommune/{kode}/indlaesninger/{batch}/slet`
pub(crate) async fn delete_batch(
    State(state): State<AppState>,
    auth: Authorized,
    Path(params): Path<Vec<(String, String)>>,
) -> PageResult {
    let code = auth.code()?;
    let id = params
        .iter()
        .find(|(k, _)| k == "batch")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .map(BatchId)
        .ok_or(WebError::NotFound)?;
    let batch = state
        .store
        .list_batches(Some(code))
        .await?
        .into_iter()
        .find(|b| b.id == id && komhen_core::intake::batch::deletable(b, chrono::Utc::now()))
        .ok_or(WebError::NotFound)?;
    komhen_core::intake::files::delete_batch(
        state.store.as_ref(),
        &auth.user.actor(),
        code,
        &batch,
    )
    .await?;
    Ok(Redirect::to(&with_notice(
        &format!("{}/indlaes", base(&auth)?),
        "slettet_fil",
    ))
    .into_response())
}
