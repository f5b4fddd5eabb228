//! The national administrator's pages (`/admin/...`): the overview of
//! municipalities, the task catalogue (KLE import, task packages and their
//! mandatory tasks, retiring national tasks), counting periods and their
//! publication, and the code lists. Users and the audit log are in
//! `users`. Every rule lives in `komhen_core::setup::catalogue`.

mod periods;
pub(crate) use periods::*;

mod codes;
pub(crate) use codes::*;

mod corrections;
pub(crate) use corrections::*;

use super::RetiredForm;
use crate::access::Authorized;
use crate::format::number;
use crate::forms::{self, after_change, refused, when};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDate, Utc};
use komhen_core::setup::catalogue::{self, ChannelInput, PeriodInput};
use komhen_core::CoreError;
use komhen_domain::{Completion, InquiryType, PeriodId, Role, Season, TaskId, TaskPackageId};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

// --- overview ---------------------------------------------------------------------

pub(crate) struct MunicipalityView {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) coordinators: usize,
    pub(crate) test_mode: bool,
}

#[derive(Template)]
#[template(path = "admin_overview.html")]
struct OverviewPage {
    frame: Frame,
    municipalities: Vec<MunicipalityView>,
    without_coordinator: usize,
}

/// `GET /admin`
pub(crate) async fn show_overview(State(state): State<AppState>, auth: Authorized) -> PageResult {
    let store = state.store.as_ref();
    let grants = store.list_grants(None).await?;
    let now = Utc::now();
    let municipalities: Vec<MunicipalityView> = store
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| MunicipalityView {
            code: m.code.to_string(),
            coordinators: grants
                .iter()
                .filter(|g| {
                    g.grant.role == Role::Coordinator && g.grant.municipality == Some(m.code)
                })
                .count(),
            test_mode: m.in_test_mode(now),
            name: m.name,
            region: m.region_name,
        })
        .collect();
    let page = OverviewPage {
        frame: Frame::admin(&auth, crate::t("National administration"), ""),
        without_coordinator: municipalities
            .iter()
            .filter(|m| m.coordinators == 0)
            .count(),
        municipalities,
    };
    Ok(Html(page.render()?).into_response())
}

// --- task catalogue ----------------------------------------------------------------

pub(crate) struct PackageView {
    pub(crate) id: i64,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) tasks: usize,
    pub(crate) mandatory: usize,
}

pub(crate) struct NationalTaskView {
    pub(crate) id: i64,
    pub(crate) kle: String,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) retired: bool,
}

#[derive(Template)]
#[template(path = "admin_catalogue.html")]
struct CataloguePage {
    frame: Frame,
    kle_entries: String,
    kle_retired: String,
    packages: Vec<PackageView>,
    package_choices: Vec<Choice>,
    tasks: Vec<NationalTaskView>,
    next_year: i32,
}

async fn catalogue_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let kle = store.list_kle_entries().await?;
    let mut packages = Vec::new();
    for p in store.list_task_packages().await? {
        let tasks = store.list_package_tasks(p.id).await?;
        packages.push(PackageView {
            id: p.id.0,
            code: p.code,
            name: p.name_da,
            mandatory: tasks.iter().filter(|t| t.mandatory).count(),
            tasks: tasks.len(),
        });
    }
    use chrono::Datelike;
    let page = CataloguePage {
        frame: Frame::admin(auth, crate::t("Opgavekatalog"), "/opgaver")
            .notice(notice)
            .error(error),
        kle_entries: number(kle.len() as i64),
        kle_retired: number(kle.iter().filter(|e| e.retired).count() as i64),
        package_choices: packages
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: p.name.clone(),
                selected: false,
            })
            .collect(),
        packages,
        tasks: store
            .list_national_tasks()
            .await?
            .into_iter()
            .map(|t| NationalTaskView {
                id: t.id.0,
                kle: t.kle.to_string(),
                kind: crate::t(t.kind.label_da()),
                name: t.name,
                retired: t.retired,
            })
            .collect(),
        next_year: Utc::now().year() + 1,
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/opgaver`
pub(crate) async fn show_catalogue(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(catalogue_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

/// `POST /admin/kle` (multipart, field `file`): imports a KLE file.
pub(crate) async fn import_kle(
    State(state): State<AppState>,
    auth: Authorized,
    multipart: Multipart,
) -> PageResult {
    let form = state
        .uploads
        .receive(multipart, "kle", Some(auth.user.user.id))
        .await?;
    let file = match &form.file {
        Some(kept) => Some((kept.meta.file_name.clone(), state.uploads.take(kept)?)),
        None => None,
    };
    let outcome = match file.filter(|(_, bytes)| !bytes.is_empty()) {
        None => Err(CoreError::Invalid(crate::t("Vælg en KLE-fil.").into())),
        Some((name, bytes)) => {
            match catalogue::import_kle(state.store.as_ref(), &auth.user.actor(), &name, &bytes)
                .await
            {
                Ok(summary) => {
                    let text = format!(
                        "{}: {}, {}",
                        crate::t3(
                            "{0} er indlæst ({1}{2})",
                            name,
                            summary.format,
                            summary
                                .published
                                .map(|p| crate::t1(", udgivet {0}", p))
                                .unwrap_or_default(),
                        ),
                        crate::t2("{0} KLE-numre, {1} nye", summary.entries, summary.added),
                        crate::t2(
                            "{0} med nyt navn, {1} udgået.",
                            summary.renamed,
                            summary.retired
                        ),
                    );
                    return Ok(catalogue_page(&state, &auth, Some(text), None)
                        .await?
                        .into_response());
                }
                Err(CoreError::Ingest(e)) => Err(CoreError::Invalid(e.to_string())),
                Err(e) => Err(e),
            }
        }
    };
    after_change(outcome, "/admin/opgaver", "importeret", |e| {
        catalogue_page(&state, &auth, None, Some(e))
    })
    .await
}

fn season_of(value: &str) -> Result<Season, CoreError> {
    Season::parse(value)
        .ok_or_else(|| CoreError::Invalid(crate::t("Vælg forår eller efterår.").into()))
}

fn year_of(value: &str) -> Result<i32, CoreError> {
    value
        .trim()
        .parse::<i32>()
        .map_err(|_| CoreError::Invalid(crate::t1("«{0}» er ikke et årstal.", value)))
}

/// A new task package: its season and year, and the package it starts
/// as a copy of.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PackageForm {
    season: String,
    year: String,
    #[serde(deserialize_with = "forms::id")]
    copy_from: Option<i64>,
}

/// `POST /admin/opgavepakker`
pub(crate) async fn create_package(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<PackageForm>,
) -> PageResult {
    let created = match (season_of(&form.season), year_of(&form.year)) {
        (Ok(season), Ok(year)) => {
            catalogue::create_package(
                state.store.as_ref(),
                &auth.user.actor(),
                season,
                year,
                form.copy_from.map(TaskPackageId),
            )
            .await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match created {
        Ok(id) => Ok(Redirect::to(&with_notice(
            &format!("/admin/opgavepakker/{id}"),
            "oprettet",
        ))
        .into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            catalogue_page(&state, &auth, None, Some(message)).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/opgaver/{opgave}/udgaaet`
pub(crate) async fn set_task_retired(
    State(state): State<AppState>,
    auth: Authorized,
    Path(task): Path<i64>,
    Form(form): Form<RetiredForm>,
) -> PageResult {
    let outcome = catalogue::set_task_retired(
        state.store.as_ref(),
        &auth.user.actor(),
        TaskId(task),
        form.retired,
    )
    .await;
    after_change(outcome, "/admin/opgaver", "gemt", |e| {
        catalogue_page(&state, &auth, None, Some(e))
    })
    .await
}

pub(crate) struct PackageTaskView {
    pub(crate) id: i64,
    pub(crate) kle: String,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) mandatory: bool,
    pub(crate) retired: bool,
}

#[derive(Template)]
#[template(path = "admin_package.html")]
struct PackagePage {
    frame: Frame,
    action: String,
    tasks: Vec<PackageTaskView>,
    mandatory: usize,
}

async fn package_page(
    state: &AppState,
    auth: &Authorized,
    package: TaskPackageId,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let row = store
        .list_task_packages()
        .await?
        .into_iter()
        .find(|p| p.id == package)
        .ok_or(WebError::NotFound)?;
    let tasks = store.list_package_tasks(package).await?;
    let page = PackagePage {
        frame: Frame::admin(auth, row.name_da.clone(), "/opgaver")
            .crumb("/admin/opgaver", crate::t("Opgavekatalog"))
            .notice(notice)
            .error(error),
        action: format!("/admin/opgavepakker/{package}"),
        mandatory: tasks.iter().filter(|t| t.mandatory).count(),
        tasks: tasks
            .into_iter()
            .map(|t| PackageTaskView {
                id: t.task.id.0,
                kle: t.task.kle.to_string(),
                kind: crate::t(t.task.kind.label_da()),
                name: t.task.name,
                mandatory: t.mandatory,
                retired: t.task.retired,
            })
            .collect(),
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/opgavepakker/{pakke}`
pub(crate) async fn show_package(
    State(state): State<AppState>,
    auth: Authorized,
    Path(package): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(
        package_page(&state, &auth, TaskPackageId(package), query.text(), None)
            .await?
            .into_response(),
    )
}

/// A task put into a package by its KLE number (and its name, for a
/// number the catalogue does not have yet), mandatory or not.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PackageTaskForm {
    kle: String,
    name: String,
    #[serde(deserialize_with = "forms::checkbox")]
    mandatory: bool,
}

/// `POST /admin/opgavepakker/{pakke}/opgaver`: adds a task by KLE number.
pub(crate) async fn add_package_task(
    State(state): State<AppState>,
    auth: Authorized,
    Path(package): Path<i64>,
    Form(form): Form<PackageTaskForm>,
) -> PageResult {
    let package = TaskPackageId(package);
    let store = state.store.as_ref();
    let actor = auth.user.actor();
    let outcome = match catalogue::national_task(store, &actor, &form.kle, &form.name).await {
        Ok(task) => {
            catalogue::set_package_task(store, &actor, package, task.id, Some(form.mandatory)).await
        }
        Err(e) => Err(e),
    };
    let redirect = format!("/admin/opgavepakker/{package}");
    after_change(outcome, &redirect, "gemt", |e| {
        package_page(&state, &auth, package, None, Some(e))
    })
    .await
}

/// What becomes of a task in a package: `ja` (mandatory), `remove`, or
/// anything else (voluntary).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PackageTaskChangeForm {
    mandatory: String,
}

/// `POST /admin/opgavepakker/{pakke}/opgaver/{opgave}`: mandatory or not,
/// or (`remove`) out of the package.
pub(crate) async fn set_package_task(
    State(state): State<AppState>,
    auth: Authorized,
    Path((package, task)): Path<(i64, i64)>,
    Form(form): Form<PackageTaskChangeForm>,
) -> PageResult {
    let package = TaskPackageId(package);
    let mandatory = match form.mandatory.as_str() {
        "remove" => None,
        value => Some(value == "ja"),
    };
    let outcome = catalogue::set_package_task(
        state.store.as_ref(),
        &auth.user.actor(),
        package,
        TaskId(task),
        mandatory,
    )
    .await;
    let redirect = format!("/admin/opgavepakker/{package}");
    after_change(outcome, &redirect, "gemt", |e| {
        package_page(&state, &auth, package, None, Some(e))
    })
    .await
}
