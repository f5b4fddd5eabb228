//! Uploading registration files in the browser (`/kommune/{kode}/indlaes`)
//! and the municipality's batches (`/kommune/{kode}/indlaesninger`), plus
//! the public codebook page and its templates (`/kodebog`).
//!
//! An upload is streamed to a file on disk (never held in memory), checked
//! with `komhen_core::intake::files::preview`, and shown; the coordinator then
//! confirms, and the import runs in the background while the page shows
//! its progress. Uploads waiting for confirmation and running imports are
//! kept in this server's memory ([`Uploads`]): after a restart the file is
//! simply chosen again. Every rule lives in `komhen_core::intake::files`.

use crate::access::Authorized;
use crate::format::number;
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use komhen_core::accounts::access::Actor;
use komhen_core::intake::files::{self, FileKind, Preview, Upload};
use komhen_domain::{danish_local, BatchId, MunicipalityCode, UserId};
use komhen_ingest::Limits;
use komhen_store::{BatchRow, BatchStatus, RegistrationFilter};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

type PageResult = Result<Response, WebError>;

/// The largest registration file taken in the browser.
pub(crate) const UPLOAD_LIMIT: usize = 2 << 30;
/// How long an upload waits for its confirmation.
const UPLOAD_HOURS: i64 = 24;

/// Where an upload stands.
#[derive(Debug, Clone)]
enum JobState {
    /// Checked, waiting for the coordinator.
    Checked,
    /// Importing: rows stored so far.
    Importing(u64),
    Done(BatchId),
    Failed(String),
}

#[derive(Debug, Clone)]
struct UploadJob {
    municipality: MunicipalityCode,
    user: UserId,
    path: PathBuf,
    file_name: String,
    kind: FileKind,
    created_at: DateTime<Utc>,
    valid_rows: u64,
    state: JobState,
}

/// Uploads waiting for confirmation and imports running, by token.
#[derive(Debug, Default)]
pub struct Uploads {
    dir: PathBuf,
    jobs: Mutex<HashMap<String, UploadJob>>,
}

impl Uploads {
    /// Uploads kept in `dir` (created when needed).
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            jobs: Mutex::new(HashMap::new()),
        }
    }

    /// The folder `KOMHEN_UPLOAD_DIR` names, or one in the system's temp.
    pub fn from_env() -> Self {
        let dir = std::env::var_os("KOMHEN_UPLOAD_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("komhen-uploads"));
        Self::new(dir)
    }

    fn get(&self, token: &str) -> Option<UploadJob> {
        self.jobs.lock().ok()?.get(token).cloned()
    }

    fn put(&self, token: &str, job: UploadJob) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(token.to_owned(), job);
        }
    }

    fn set_state(&self, token: &str, state: JobState) {
        if let Ok(mut jobs) = self.jobs.lock() {
            if let Some(job) = jobs.get_mut(token) {
                job.state = state;
            }
        }
    }

    fn remove(&self, token: &str) {
        let job = self
            .jobs
            .lock()
            .ok()
            .and_then(|mut jobs| jobs.remove(token));
        if let Some(job) = job {
            let _ = std::fs::remove_file(job.path);
        }
    }

    /// Forgets uploads older than a day and removes their files.
    fn prune(&self) {
        let cutoff = Utc::now() - chrono::Duration::hours(UPLOAD_HOURS);
        let old: Vec<String> = self
            .jobs
            .lock()
            .map(|jobs| {
                jobs.iter()
                    .filter(|(_, j)| {
                        j.created_at < cutoff && !matches!(j.state, JobState::Importing(_))
                    })
                    .map(|(t, _)| t.clone())
                    .collect()
            })
            .unwrap_or_default();
        for token in old {
            self.remove(&token);
        }
    }
}

fn base(auth: &Authorized) -> Result<String, WebError> {
    Ok(format!("/kommune/{}", auth.code()?))
}

fn when(at: DateTime<Utc>) -> String {
    danish_local(at).format("%d-%m-%Y %H:%M").to_string()
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
    pub(crate) by: String,
    pub(crate) deletable: bool,
}

fn batch_view(base: &str, b: &BatchRow) -> BatchView {
    BatchView {
        id: b.id.0,
        href: format!("{base}/indlaesninger/{}", b.id),
        when: when(b.created_at),
        kind: b.kind.label_da().into(),
        file_name: b.file_name.clone(),
        rows: number(b.row_count),
        status: b.status.label_da(),
        by: b.created_by.clone(),
        deletable: b.status == BatchStatus::Committed,
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
        frame: Frame::municipality(auth, "Indlæs data", "/indlaes")
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

pub(crate) struct GroupView {
    pub(crate) column: String,
    pub(crate) kind: &'static str,
    pub(crate) count: String,
    pub(crate) lines: String,
    pub(crate) example: String,
}

pub(crate) struct ProblemView {
    pub(crate) line: u64,
    pub(crate) column: String,
    pub(crate) message: String,
}

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
    problem_total: String,
    groups: Vec<GroupView>,
    problems: Vec<ProblemView>,
    omitted: String,
    warnings: Vec<WarningView>,
    channels: Vec<ChannelCount>,
    new_tasks: Vec<String>,
    new_units: Vec<String>,
    new_questions: Vec<String>,
    overlap: Option<OverlapView>,
    duplicate: Option<String>,
}

/// Problems shown in full on the page; all are counted in the groups.
const PROBLEMS_SHOWN: usize = 200;

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
        frame: Frame::municipality(auth, "Kontrol af filen", "/indlaes")
            .crumb(format!("{base}/indlaes"), "Indlæs data"),
        token: token.to_owned(),
        file_name: p.file_name.clone(),
        kind: p.kind.label_da(),
        format: p.format.clone(),
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
        problem_total: number(p.problems.total() as i64),
        groups: p
            .problems
            .groups()
            .iter()
            .map(|g| GroupView {
                column: g.column.clone().unwrap_or_else(|| "(hele linjen)".into()),
                kind: g.kind.label_da(),
                count: number(g.count as i64),
                lines: lines(&g.first_lines),
                example: g.example.clone(),
            })
            .collect(),
        problems: p
            .problems
            .kept()
            .iter()
            .take(PROBLEMS_SHOWN)
            .map(|pr| ProblemView {
                line: pr.line,
                column: pr.column.clone().unwrap_or_default(),
                message: pr.message.clone(),
            })
            .collect(),
        omitted: number(
            p.problems
                .total()
                .saturating_sub(PROBLEMS_SHOWN.min(p.problems.kept().len()) as u64)
                as i64,
        ),
        warnings: p
            .warnings
            .iter()
            .map(|w| WarningView {
                message: w.message.clone(),
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
            .map(|(kle, name, kind)| format!("{kle} {name} ({})", kind.label_da()))
            .collect(),
        new_units: p.creations.units.clone(),
        new_questions: p.creations.questions.clone(),
        overlap: p.overlap.as_ref().map(|o| OverlapView {
            summary: format!(
                "{} henvendelser i filen ligger på {} kombinationer af enhed, kanal og dag, hvor \
                 enhederne selv har registreret {} henvendelser i registreringsværktøjet eller på \
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
        }),
        duplicate: p.duplicate_of.as_ref().map(|b| {
            format!(
                "Filen er indlæst før, {} af {} ({} rækker).",
                when(b.created_at),
                b.created_by,
                number(b.row_count)
            )
        }),
        base,
    };
    Ok(Html(page.render()?))
}

/// A file name as the browser sent it, without any path.
fn clean_file_name(name: Option<&str>) -> String {
    let name = name.unwrap_or("fil.csv");
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.is_empty() {
        "fil.csv".into()
    } else {
        name
    }
}

/// `POST /kommune/{kode}/indlaes` (multipart: `kind`, `file`): saves the
/// upload to disk, checks it and shows the preview.
#[tracing::instrument(skip_all, fields(user = auth.user.user.id.0))]
pub(crate) async fn upload_file(
    State(state): State<AppState>,
    auth: Authorized,
    mut multipart: Multipart,
) -> PageResult {
    let code = auth.code()?;
    state.uploads.prune();
    let token = komhen_core::accounts::auth::random_token();
    std::fs::create_dir_all(&state.uploads.dir)
        .map_err(|e| WebError::internal("uploadmappen kunne ikke oprettes", e))?;
    let path = state.uploads.dir.join(format!("{code}-{token}.upload"));
    let mut kind_field = String::new();
    let mut file_name = None;
    let mut size = 0u64;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| WebError::TooLarge)?
    {
        match field.name() {
            Some("kind") => {
                kind_field = field.text().await.map_err(|_| WebError::TooLarge)?;
            }
            Some("file") => {
                file_name = Some(clean_file_name(field.file_name()));
                let mut file = tokio::fs::File::create(&path)
                    .await
                    .map_err(|e| WebError::internal("uploadfilen kunne ikke skrives", e))?;
                while let Some(chunk) = field.chunk().await.map_err(|_| WebError::TooLarge)? {
                    size += chunk.len() as u64;
                    tokio::io::AsyncWriteExt::write_all(&mut file, &chunk)
                        .await
                        .map_err(|e| WebError::internal("uploadfilen kunne ikke skrives", e))?;
                }
                tokio::io::AsyncWriteExt::flush(&mut file)
                    .await
                    .map_err(|e| WebError::internal("uploadfilen kunne ikke skrives", e))?;
            }
            _ => {}
        }
    }
    let Some(file_name) = file_name.filter(|_| size > 0) else {
        let _ = std::fs::remove_file(&path);
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            intake_page(&state, &auth, None, Some("Vælg en fil at indlæse.".into())).await?,
        )
            .into_response());
    };
    let kind = match FileKind::parse(&kind_field) {
        Some(kind) => kind,
        None => FileKind::detect(&path)?,
    };
    let upload = Upload {
        kind,
        path: &path,
        file_name: &file_name,
        limits: Limits::default(),
    };
    let preview = files::preview(state.store.as_ref(), code, &upload).await?;
    state.uploads.put(
        &token,
        UploadJob {
            municipality: code,
            user: auth.user.user.id,
            path: path.clone(),
            file_name,
            kind,
            created_at: Utc::now(),
            valid_rows: preview.valid_rows,
            state: JobState::Checked,
        },
    );
    let status = if preview.importable() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, preview_page(&auth, base(&auth)?, &token, &preview)?).into_response())
}

/// The upload of this user and municipality, or a page saying it is gone.
fn own_upload(state: &AppState, auth: &Authorized, token: &str) -> Result<UploadJob, WebError> {
    let code = auth.code()?;
    state
        .uploads
        .get(token)
        .filter(|j| j.municipality == code && j.user == auth.user.user.id)
        .ok_or(WebError::NotFound)
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
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let token = upload_param(&params);
    let job = own_upload(&state, &auth, &token)?;
    if !matches!(job.state, JobState::Checked) {
        // Already started: show where it stands.
        return Ok(Redirect::to(&format!("{}/indlaes/{token}", base(&auth)?)).into_response());
    }
    let replace = form.iter().any(|(k, v)| k == "replace" && v == "on");
    state.uploads.set_state(&token, JobState::Importing(0));
    let actor = auth.user.actor();
    let task_state = state.clone();
    let task_token = token.clone();
    tokio::spawn(async move {
        run_import(task_state, task_token, job, actor, replace).await;
    });
    Ok(Redirect::to(&format!("{}/indlaes/{token}", base(&auth)?)).into_response())
}

async fn run_import(state: AppState, token: String, job: UploadJob, actor: Actor, replace: bool) {
    let upload = Upload {
        kind: job.kind,
        path: &job.path,
        file_name: &job.file_name,
        limits: Limits::default(),
    };
    let uploads = state.uploads.clone();
    let progress_token = token.clone();
    let mut progress =
        move |done: u64| uploads.set_state(&progress_token, JobState::Importing(done));
    let outcome = files::import(
        state.store.as_ref(),
        &actor,
        job.municipality,
        &upload,
        replace,
        &mut progress,
    )
    .await;
    let _ = std::fs::remove_file(&job.path);
    match outcome {
        Ok(imported) => state
            .uploads
            .set_state(&token, JobState::Done(imported.batch.id)),
        Err(komhen_core::CoreError::Invalid(message)) => {
            state.uploads.set_state(&token, JobState::Failed(message))
        }
        Err(e) => {
            tracing::error!(error = %e, "import failed");
            state.uploads.set_state(
                &token,
                JobState::Failed(
                    "Indlæsningen stoppede med en fejl; intet er gemt. Fejlen er skrevet i \
                     systemets log."
                        .into(),
                ),
            )
        }
    }
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
        JobState::Done(batch) => {
            state.uploads.remove(&token);
            return Ok(Redirect::to(&with_notice(
                &format!("{base}/indlaesninger/{batch}"),
                "importeret_fil",
            ))
            .into_response());
        }
        JobState::Checked => {
            return Ok(Redirect::to(&format!("{base}/indlaes")).into_response());
        }
        JobState::Importing(done) => (*done, None),
        JobState::Failed(message) => (0, Some(message.clone())),
    };
    let page = ProgressPage {
        frame: Frame::municipality(&auth, "Indlæser", "/indlaes")
            .crumb(format!("{base}/indlaes"), "Indlæs data"),
        file_name: job.file_name.clone(),
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

fn page_refreshes(state: &JobState) -> bool {
    matches!(state, JobState::Importing(_))
}

/// `POST /kommune/{kode}/indlaes/{upload}/annuller`
pub(crate) async fn cancel_upload(
    State(state): State<AppState>,
    auth: Authorized,
    Path(params): Path<Vec<(String, String)>>,
) -> PageResult {
    let token = upload_param(&params);
    let job = own_upload(&state, &auth, &token)?;
    if !matches!(job.state, JobState::Importing(_)) {
        state.uploads.remove(&token);
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
        frame: Frame::municipality(&auth, format!("Indlæsning {}", batch.id), "/indlaes")
            .crumb(format!("{base}/indlaes"), "Indlæs data")
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
        .find(|b| b.id == id && b.status == BatchStatus::Committed)
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

// --- the codebook --------------------------------------------------------------------

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
struct CodebookPage {
    columns: Vec<ColumnView>,
    channels: Vec<CodeView>,
    types: Vec<CodeView>,
    completions: Vec<CodeView>,
    parameters: Vec<CodeView>,
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
            description: c.description_da,
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
            label: c.label_da,
            detail: format!(
                "{}{}",
                c.direction.label_da(),
                if c.form_applicable {
                    ", blanket kan følge med"
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
            label: t.label_da,
            detail: match t.category {
                komhen_domain::InquiryCategory::Transaction => "Sagsspecifik".into(),
                komhen_domain::InquiryCategory::Information => "Information".into(),
            },
        })
        .collect();
    let completions = store
        .list_completions()
        .await?
        .into_iter()
        .map(|c| CodeView {
            code: c.completion.code().into(),
            label: c.label_da,
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
                "Tekst eller tal".into()
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

/// `GET /kodebog/skabelon.csv`
pub(crate) async fn codebook_template_csv() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"komhen-kodebog-skabelon.csv\"",
            ),
        ],
        komhen_ingest::codebook::template_csv(),
    )
        .into_response()
}

/// `GET /kodebog/skabelon.xlsx`
pub(crate) async fn codebook_template_xlsx() -> PageResult {
    let bytes = komhen_ingest::codebook::template_xlsx()
        .map_err(|e| WebError::internal("kodebogens skabelon kunne ikke skrives", e))?;
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
