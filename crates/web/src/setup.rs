//! A municipality's set-up pages (`/kommune/{kode}/...`): the overview of
//! readiness, departments and units with their logins, passwords and login
//! cards, each unit's tasks and questions, the municipality's own tasks and
//! task questions, test mode, participation in counting periods, its users
//! and its audit log.
//!
//! Every handler takes [`Authorized`]: the guard has decided the user may
//! read (GET) or set up (POST) this municipality, and that the unit named
//! is theirs to see. Every rule lives in `komhen_core::setup`.

pub(crate) mod national;
pub(crate) mod systems;

use crate::access::Authorized;
use crate::format::number;
use crate::forms::{self, after_change, base, refused, when, when_or_never};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDate, NaiveTime, Timelike, Utc};
use komhen_core::accounts::access::UnitScope;
use komhen_core::setup::{self, QuestionInput, UnitInput};
use komhen_core::CoreError;
use komhen_domain::{danish_local, DepartmentId, PeriodId, QuestionId, TaskId, UnitId};
use komhen_store::{QuestionRow, TaskRow, UnitRow};
use serde::Deserialize;
use std::collections::BTreeSet;

type PageResult = Result<Response, WebError>;

// --- overview --------------------------------------------------------------------

pub(crate) struct UnitLink {
    pub(crate) href: String,
    pub(crate) name: String,
    pub(crate) login: String,
}

pub(crate) struct TaskLine {
    pub(crate) kle: String,
    pub(crate) name: String,
}

#[derive(Template)]
#[template(path = "setup_overview.html")]
struct OverviewPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    ready: bool,
    period: Option<String>,
    active_units: String,
    departments: String,
    test_mode: bool,
    test_mode_until: Option<String>,
    test_registrations: String,
    without_tasks: Vec<UnitLink>,
    never_logged_in: Vec<UnitLink>,
    without_password: Vec<UnitLink>,
    mandatory_unassigned: Vec<TaskLine>,
}

fn unit_links(base: &str, units: &[UnitRow]) -> Vec<UnitLink> {
    units
        .iter()
        .map(|u| UnitLink {
            href: format!("{base}/enheder/{}", u.id),
            name: u.name.clone(),
            login: u.login.clone(),
        })
        .collect()
}

/// `GET /kommune/{kode}`
pub(crate) async fn show_overview(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let now = Utc::now();
    let today = komhen_domain::DateDimensions::of(now).day;
    let readiness = setup::readiness(store, m.code, &auth.scope(), today).await?;
    let base = base(&auth)?;
    let departments = store.list_departments(m.code).await?;
    let page = OverviewPage {
        frame: Frame::municipality(&auth, format!("{} Kommune", m.name), "").notice(query.text()),
        can_set_up: auth.can_set_up(),
        ready: readiness.is_ready(),
        period: readiness.period.as_ref().map(|p| {
            format!(
                "{} ({} – {})",
                p.period.name,
                p.period.starts_on.format("%d-%m-%Y"),
                p.period.ends_on.format("%d-%m-%Y")
            )
        }),
        active_units: number(readiness.active_units as i64),
        departments: number(departments.iter().filter(|d| d.active).count() as i64),
        test_mode: m.in_test_mode(now),
        test_mode_until: m.test_mode_until.map(when),
        test_registrations: number(store.count_test_registrations(m.code).await?),
        without_tasks: unit_links(&base, &readiness.units_without_tasks),
        never_logged_in: unit_links(&base, &readiness.units_never_logged_in),
        without_password: unit_links(&base, &readiness.units_without_password),
        mandatory_unassigned: readiness
            .mandatory_unassigned
            .iter()
            .map(|t| TaskLine {
                kle: t.kle.to_string(),
                name: t.name.clone(),
            })
            .collect(),
        base,
    };
    Ok(Html(page.render()?).into_response())
}

// --- departments and units -----------------------------------------------------------

pub(crate) struct DepartmentView {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) active: bool,
    pub(crate) units: usize,
}

pub(crate) struct UnitView {
    pub(crate) href: String,
    pub(crate) name: String,
    pub(crate) login: String,
    pub(crate) department: String,
    pub(crate) tasks: usize,
    pub(crate) last_login: String,
    pub(crate) active: bool,
    pub(crate) has_password: bool,
}

#[derive(Template)]
#[template(path = "setup_units.html")]
struct UnitsPage {
    frame: Frame,
    base: String,
    code: String,
    can_set_up: bool,
    departments: Vec<DepartmentView>,
    units: Vec<UnitView>,
    form_name: String,
    form_login: String,
}

async fn units_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
    form: Option<&UnitForm>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let scope = auth.scope();
    let departments = store.list_departments(m.code).await?;
    let units: Vec<UnitRow> = store
        .list_units(m.code)
        .await?
        .into_iter()
        .filter(|u| scope.includes(u.id))
        .collect();
    let assignments = store.list_assignments(m.code).await?;
    let base = base(auth)?;
    let department_name = |id: Option<DepartmentId>| {
        id.and_then(|id| departments.iter().find(|d| d.id == id))
            .map_or_else(|| "Ingen".to_owned(), |d| d.name.clone())
    };
    let page = UnitsPage {
        frame: Frame::municipality(auth, "Enheder og logins", "/enheder")
            .notice(notice)
            .error(error),
        code: m.code.to_string(),
        can_set_up: auth.can_set_up(),
        departments: departments
            .iter()
            .filter(|_| scope == UnitScope::All)
            .map(|d| DepartmentView {
                id: d.id.0,
                name: d.name.clone(),
                active: d.active,
                units: units.iter().filter(|u| u.department == Some(d.id)).count(),
            })
            .collect(),
        units: units
            .iter()
            .map(|u| UnitView {
                href: format!("{base}/enheder/{}", u.id),
                name: u.name.clone(),
                login: u.login.clone(),
                department: department_name(u.department),
                tasks: assignments.iter().filter(|a| a.unit == u.id).count(),
                last_login: when_or_never(u.last_login_at),
                active: u.active,
                has_password: u.password_hash.is_some(),
            })
            .collect(),
        form_name: form.map(|f| f.name.clone()).unwrap_or_default(),
        form_login: form.map(|f| f.login.clone()).unwrap_or_default(),
        base,
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/enheder`
pub(crate) async fn list_units(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(units_page(&state, &auth, query.text(), None, None)
        .await?
        .into_response())
}

/// A department: its name, and (when changed) whether it is in use.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DepartmentForm {
    name: String,
    #[serde(deserialize_with = "forms::checkbox")]
    active: bool,
}

/// `POST /kommune/{kode}/forvaltninger`
pub(crate) async fn create_department(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<DepartmentForm>,
) -> PageResult {
    let code = auth.code()?;
    let outcome =
        setup::create_department(state.store.as_ref(), &auth.user.actor(), code, &form.name)
            .await
            .map(|_| ());
    after_change(
        outcome,
        &format!("{}/enheder", base(&auth)?),
        "oprettet",
        |e| units_page(&state, &auth, None, Some(e), None),
    )
    .await
}

/// `POST /kommune/{kode}/forvaltninger/{forvaltning}`
pub(crate) async fn update_department(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, department)): Path<(String, i64)>,
    Form(form): Form<DepartmentForm>,
) -> PageResult {
    let outcome = setup::update_department(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        DepartmentId(department),
        &form.name,
        form.active,
    )
    .await;
    after_change(outcome, &format!("{}/enheder", base(&auth)?), "gemt", |e| {
        units_page(&state, &auth, None, Some(e), None)
    })
    .await
}

/// A unit: name, login and department; whether it is in use when changed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct UnitForm {
    name: String,
    login: String,
    #[serde(deserialize_with = "forms::id")]
    department: Option<i64>,
    #[serde(deserialize_with = "forms::checkbox")]
    active: bool,
}

impl UnitForm {
    fn input(&self) -> UnitInput {
        UnitInput {
            name: self.name.clone(),
            login: self.login.clone(),
            department: self.department.map(DepartmentId),
        }
    }
}

/// `POST /kommune/{kode}/enheder`: creates the unit and opens its page.
pub(crate) async fn create_unit(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<UnitForm>,
) -> PageResult {
    let input = form.input();
    match setup::create_unit(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        &input,
    )
    .await
    {
        Ok(unit) => Ok(Redirect::to(&with_notice(
            &format!("{}/enheder/{unit}", base(&auth)?),
            "oprettet",
        ))
        .into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(
            units_page(&state, &auth, None, Some(message), Some(&form)).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

// --- one unit ---------------------------------------------------------------------

pub(crate) struct OptionView {
    pub(crate) value: i64,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

pub(crate) struct TaskChoice {
    /// Set on the first task of a group: the group's heading.
    pub(crate) group_start: Option<&'static str>,
    pub(crate) id: i64,
    pub(crate) kle: String,
    pub(crate) name: String,
    pub(crate) mandatory: bool,
    pub(crate) local: bool,
    pub(crate) retired: bool,
    pub(crate) checked: bool,
}

pub(crate) struct QuestionChoice {
    pub(crate) id: i64,
    pub(crate) label: String,
    pub(crate) detail: String,
    pub(crate) checked: bool,
}

#[derive(Template)]
#[template(path = "setup_unit.html")]
struct UnitPage {
    frame: Frame,
    base: String,
    href: String,
    can_set_up: bool,
    name: String,
    login: String,
    active: bool,
    has_password: bool,
    last_login: String,
    departments: Vec<OptionView>,
    tasks: Vec<TaskChoice>,
    tasks_checked: usize,
    mandatory_package: Option<String>,
    parameters: Vec<QuestionChoice>,
    task_questions: Vec<QuestionChoice>,
    other_units: Vec<OptionView>,
}

/// The tasks a unit can be given: the season's mandatory tasks first, then
/// the rest of the package, other national tasks and the municipality's
/// own; retired tasks only where the unit still has them.
fn task_choices(
    all: &[TaskRow],
    package: &[komhen_store::PackageTaskRow],
    assigned: &BTreeSet<i64>,
) -> Vec<TaskChoice> {
    let rank = |t: &TaskRow| match package.iter().find(|p| p.task.id == t.id) {
        Some(p) if p.mandatory => 0,
        Some(_) => 1,
        None if t.municipality.is_none() => 2,
        None => 3,
    };
    let mut tasks: Vec<&TaskRow> = all
        .iter()
        .filter(|t| !t.retired || assigned.contains(&t.id.0))
        .collect();
    tasks.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.kle.cmp(&b.kle)));
    let mut last_rank = None;
    tasks
        .into_iter()
        .map(|t| TaskChoice {
            group_start: {
                let r = rank(t);
                let start = (last_rank != Some(r)).then_some(match r {
                    0 => "Obligatoriske opgaver",
                    1 => "Frivillige opgaver i opgavepakken",
                    2 => "Andre nationale opgaver",
                    _ => "Kommunens egne opgaver",
                });
                last_rank = Some(r);
                start
            },
            id: t.id.0,
            kle: t.kle.to_string(),
            name: t.name.clone(),
            mandatory: rank(t) == 0,
            local: t.municipality.is_some(),
            retired: t.retired,
            checked: assigned.contains(&t.id.0),
        })
        .collect()
}

fn question_detail(q: &QuestionRow, tasks: &[TaskRow]) -> String {
    let options: Vec<&str> = q.options.iter().map(|o| o.label_da.as_str()).collect();
    let task = q
        .task
        .and_then(|t| tasks.iter().find(|x| x.id == t))
        .map(|t| format!("Stilles ved {} {}. ", t.kle, t.name))
        .unwrap_or_default();
    if options.is_empty() {
        format!("{task}Fritekst eller tal.")
    } else {
        format!("{task}Svar: {}.", options.join(", "))
    }
}

async fn unit_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let unit = auth.unit()?;
    let base = base(auth)?;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let all_tasks = store.list_tasks(m.code).await?;
    let assigned: BTreeSet<i64> = store
        .list_unit_tasks(m.code, unit.id)
        .await?
        .iter()
        .map(|t| t.id.0)
        .collect();
    let package = komhen_core::setup::catalogue::season_package(store, today).await?;
    let tasks = task_choices(
        &all_tasks,
        package.as_ref().map_or(&[][..], |(_, p)| p.as_slice()),
        &assigned,
    );
    let enabled: BTreeSet<i64> = store
        .list_unit_questions(m.code, unit.id)
        .await?
        .iter()
        .map(|q| q.id.0)
        .collect();
    let (parameters, task_questions) = setup::questions(store, m.code).await?;
    let choice = |q: &QuestionRow| QuestionChoice {
        id: q.id.0,
        label: q.label_da.clone(),
        detail: question_detail(q, &all_tasks),
        checked: enabled.contains(&q.id.0),
    };
    let departments = store.list_departments(m.code).await?;
    let units = store.list_units(m.code).await?;
    let page = UnitPage {
        frame: Frame::municipality(auth, unit.name.clone(), "/enheder")
            .crumb(format!("{base}/enheder"), "Enheder og logins")
            .notice(notice)
            .error(error),
        href: format!("{base}/enheder/{}", unit.id),
        can_set_up: auth.can_set_up(),
        name: unit.name.clone(),
        login: unit.login.clone(),
        active: unit.active,
        has_password: unit.password_hash.is_some(),
        last_login: when_or_never(unit.last_login_at),
        departments: departments
            .iter()
            .filter(|d| d.active || Some(d.id) == unit.department)
            .map(|d| OptionView {
                value: d.id.0,
                label: d.name.clone(),
                selected: Some(d.id) == unit.department,
            })
            .collect(),
        tasks_checked: assigned.len(),
        tasks,
        mandatory_package: package.map(|(name, _)| name),
        parameters: parameters
            .iter()
            .filter(|q| q.active || enabled.contains(&q.id.0))
            .map(choice)
            .collect(),
        task_questions: task_questions
            .iter()
            .filter(|q| q.active && q.task.is_some_and(|t| assigned.contains(&t.0)))
            .map(choice)
            .collect(),
        other_units: units
            .iter()
            .filter(|u| u.id != unit.id)
            .map(|u| OptionView {
                value: u.id.0,
                label: format!("{} ({})", u.name, u.login),
                selected: false,
            })
            .collect(),
        base,
    };
    Ok(Html(page.render()?))
}

fn unit_href(auth: &Authorized) -> Result<String, WebError> {
    Ok(format!("{}/enheder/{}", base(auth)?, auth.unit()?.id))
}

/// `GET /kommune/{kode}/enheder/{enhed}`
pub(crate) async fn show_unit(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(unit_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

/// `POST /kommune/{kode}/enheder/{enhed}`: name, login, department, active.
pub(crate) async fn update_unit(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<UnitForm>,
) -> PageResult {
    let unit = auth.unit()?;
    let outcome = setup::update_unit(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        unit.id,
        &form.input(),
        form.active,
    )
    .await;
    after_change(outcome, &unit_href(&auth)?, "gemt", |e| {
        unit_page(&state, &auth, None, Some(e))
    })
    .await
}

/// The tasks ticked for a unit (one `task` field each).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct UnitTasksForm {
    #[serde(deserialize_with = "forms::ids")]
    task: Vec<i64>,
}

/// `POST /kommune/{kode}/enheder/{enhed}/opgaver`
pub(crate) async fn set_unit_tasks(
    State(state): State<AppState>,
    auth: Authorized,
    axum_extra::extract::Form(form): axum_extra::extract::Form<UnitTasksForm>,
) -> PageResult {
    let tasks: Vec<TaskId> = form.task.into_iter().map(TaskId).collect();
    let outcome = setup::set_unit_tasks(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        auth.unit()?.id,
        &tasks,
    )
    .await;
    after_change(outcome, &unit_href(&auth)?, "gemt", |e| {
        unit_page(&state, &auth, None, Some(e))
    })
    .await
}

/// The optional parameters ticked for a unit (one `question` field each).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct UnitQuestionsForm {
    #[serde(deserialize_with = "forms::ids")]
    question: Vec<i64>,
}

/// `POST /kommune/{kode}/enheder/{enhed}/spoergsmaal`: the optional
/// parameters switched on for the unit.
pub(crate) async fn set_unit_questions(
    State(state): State<AppState>,
    auth: Authorized,
    axum_extra::extract::Form(form): axum_extra::extract::Form<UnitQuestionsForm>,
) -> PageResult {
    let questions: Vec<QuestionId> = form.question.into_iter().map(QuestionId).collect();
    let outcome = setup::set_unit_questions(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        auth.unit()?.id,
        &questions,
    )
    .await;
    after_change(outcome, &unit_href(&auth)?, "gemt", |e| {
        unit_page(&state, &auth, None, Some(e))
    })
    .await
}

/// The unit whose set-up is copied.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CopyForm {
    #[serde(deserialize_with = "forms::id")]
    from: Option<i64>,
}

/// `POST /kommune/{kode}/enheder/{enhed}/kopier`
pub(crate) async fn copy_unit_setup(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<CopyForm>,
) -> PageResult {
    let outcome = match form.from {
        Some(from) => {
            setup::copy_unit_setup(
                state.store.as_ref(),
                &auth.user.actor(),
                auth.code()?,
                UnitId(from),
                auth.unit()?.id,
            )
            .await
        }
        None => Err(CoreError::Invalid(
            "Vælg den enhed, der skal kopieres fra.".into(),
        )),
    };
    after_change(outcome, &unit_href(&auth)?, "kopieret", |e| {
        unit_page(&state, &auth, None, Some(e))
    })
    .await
}

#[derive(Template)]
#[template(path = "login_card.html")]
struct LoginCardPage {
    frame: Frame,
    back: String,
    municipality: String,
    unit: String,
    login: String,
    password: Option<String>,
    address: String,
}

fn login_card(
    auth: &Authorized,
    address: String,
    password: Option<String>,
) -> Result<Html<String>, WebError> {
    let unit = auth.unit()?;
    let m = auth.municipality()?;
    let page = LoginCardPage {
        frame: Frame::municipality(auth, format!("Loginkort: {}", unit.name), "/enheder"),
        back: unit_href(auth)?,
        municipality: format!("{} Kommune", m.name),
        unit: unit.name.clone(),
        login: unit.login.clone(),
        password,
        address,
    };
    Ok(Html(page.render()?))
}

/// The address units log in at, as the browser reached this server.
fn login_address(headers: &axum::http::HeaderMap) -> String {
    format!("{}/log-ind", forms::site(headers))
}

/// `GET /kommune/{kode}/enheder/{enhed}/loginkort`: the card without a
/// password (passwords are stored only as hashes).
pub(crate) async fn show_login_card(
    auth: Authorized,
    headers: axum::http::HeaderMap,
) -> PageResult {
    Ok(login_card(&auth, login_address(&headers), None)?.into_response())
}

/// A unit's new password; empty for a random one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct UnitPasswordForm {
    password: String,
}

/// `POST /kommune/{kode}/enheder/{enhed}/adgangskode`: sets the typed
/// password or a new random one and shows the login card with it, once.
pub(crate) async fn set_unit_password(
    State(state): State<AppState>,
    auth: Authorized,
    headers: axum::http::HeaderMap,
    Form(form): Form<UnitPasswordForm>,
) -> PageResult {
    let typed = form.password.trim();
    let outcome = setup::set_unit_password(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        auth.unit()?.id,
        (!typed.is_empty()).then_some(typed),
    )
    .await;
    match outcome {
        Ok(password) => {
            Ok(login_card(&auth, login_address(&headers), Some(password))?.into_response())
        }
        Err(CoreError::Invalid(message)) => Ok(refused(
            unit_page(&state, &auth, None, Some(message)).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

// --- the municipality's own tasks and task questions --------------------------------

pub(crate) struct LocalTaskView {
    pub(crate) id: i64,
    pub(crate) kle: String,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) retired: bool,
    pub(crate) units: usize,
}

pub(crate) struct QuestionView {
    pub(crate) id: i64,
    pub(crate) task: String,
    pub(crate) label: String,
    pub(crate) options: String,
    pub(crate) active: bool,
}

pub(crate) struct PackageTaskView {
    pub(crate) kle: String,
    pub(crate) name: String,
    pub(crate) mandatory: bool,
    pub(crate) units: usize,
}

#[derive(Template)]
#[template(path = "setup_tasks.html")]
struct TasksPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    package: Option<String>,
    package_tasks: Vec<PackageTaskView>,
    local_tasks: Vec<LocalTaskView>,
    questions: Vec<QuestionView>,
    task_options: Vec<OptionView>,
    form_kle: String,
    form_name: String,
    form_label: String,
    form_options: String,
}

async fn tasks_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
    task_form: Option<&LocalTaskForm>,
    question_form: Option<&TaskQuestionForm>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let all_tasks = store.list_tasks(m.code).await?;
    let assignments = store.list_assignments(m.code).await?;
    let units_with = |task: TaskId| assignments.iter().filter(|a| a.task == task).count();
    let package = komhen_core::setup::catalogue::season_package(store, today).await?;
    let (_, task_questions) = setup::questions(store, m.code).await?;
    let mut questions = Vec::new();
    for q in task_questions
        .iter()
        .filter(|q| q.municipality == Some(m.code))
    {
        let task = q
            .task
            .and_then(|t| all_tasks.iter().find(|x| x.id == t))
            .map(|t| format!("{} {}", t.kle, t.name))
            .unwrap_or_default();
        questions.push(QuestionView {
            id: q.id.0,
            task,
            label: q.label_da.clone(),
            options: q
                .options
                .iter()
                .map(|o| o.label_da.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            active: q.active,
        });
    }
    let page = TasksPage {
        frame: Frame::municipality(auth, "Opgaver og spørgsmål", "/opgaver")
            .notice(notice)
            .error(error),
        base: base(auth)?,
        can_set_up: auth.can_set_up(),
        package: package.as_ref().map(|(name, _)| name.clone()),
        package_tasks: package
            .as_ref()
            .map(|(_, tasks)| {
                tasks
                    .iter()
                    .map(|p| PackageTaskView {
                        kle: p.task.kle.to_string(),
                        name: p.task.name.clone(),
                        mandatory: p.mandatory,
                        units: units_with(p.task.id),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        local_tasks: all_tasks
            .iter()
            .filter(|t| t.municipality == Some(m.code))
            .map(|t| LocalTaskView {
                id: t.id.0,
                kle: t.kle.to_string(),
                name: t.name.clone(),
                kind: t.kind.label_da(),
                retired: t.retired,
                units: units_with(t.id),
            })
            .collect(),
        questions,
        task_options: all_tasks
            .iter()
            .filter(|t| !t.retired)
            .map(|t| OptionView {
                value: t.id.0,
                label: format!("{} {}", t.kle, t.name),
                selected: question_form.is_some_and(|f| f.task == t.id.0.to_string()),
            })
            .collect(),
        form_kle: task_form.map(|f| f.kle.clone()).unwrap_or_default(),
        form_name: task_form.map(|f| f.name.clone()).unwrap_or_default(),
        form_label: question_form.map(|f| f.label.clone()).unwrap_or_default(),
        form_options: question_form.map(|f| f.options.clone()).unwrap_or_default(),
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/opgaver`
pub(crate) async fn show_tasks(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(tasks_page(&state, &auth, query.text(), None, None, None)
        .await?
        .into_response())
}

/// A municipality's own task: its KLE number and name.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LocalTaskForm {
    kle: String,
    name: String,
}

/// `POST /kommune/{kode}/opgaver`
pub(crate) async fn create_local_task(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<LocalTaskForm>,
) -> PageResult {
    let outcome = setup::create_local_task(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        &form.kle,
        &form.name,
    )
    .await
    .map(|_| ());
    let redirect = format!("{}/opgaver", base(&auth)?);
    after_change(outcome, &redirect, "oprettet", |e| {
        tasks_page(&state, &auth, None, Some(e), Some(&form), None)
    })
    .await
}

/// Whether a task is retired (a hidden field on its button).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RetiredForm {
    #[serde(deserialize_with = "forms::checkbox")]
    retired: bool,
}

/// `POST /kommune/{kode}/opgaver/{opgave}/udgaaet`
pub(crate) async fn set_local_task_retired(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, task)): Path<(String, i64)>,
    Form(form): Form<RetiredForm>,
) -> PageResult {
    let outcome = setup::set_local_task_retired(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        TaskId(task),
        form.retired,
    )
    .await;
    after_change(outcome, &format!("{}/opgaver", base(&auth)?), "gemt", |e| {
        tasks_page(&state, &auth, None, Some(e), None, None)
    })
    .await
}

/// A question asked with a task: the task, the question and its options.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TaskQuestionForm {
    /// Kept as sent, so the page shows the same choice again.
    task: String,
    label: String,
    options: String,
}

/// `POST /kommune/{kode}/spoergsmaal`
pub(crate) async fn create_task_question(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<TaskQuestionForm>,
) -> PageResult {
    let input = QuestionInput {
        task: form.task.parse::<i64>().ok().map(TaskId),
        label: form.label.clone(),
        options: form.options.clone(),
    };
    let outcome = setup::create_task_question(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        &input,
    )
    .await
    .map(|_| ());
    after_change(
        outcome,
        &format!("{}/opgaver", base(&auth)?),
        "oprettet",
        |e| tasks_page(&state, &auth, None, Some(e), None, Some(&form)),
    )
    .await
}

/// Whether a question is asked (a hidden field on its button).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ActiveForm {
    #[serde(deserialize_with = "forms::checkbox")]
    active: bool,
}

/// `POST /kommune/{kode}/spoergsmaal/{spoergsmaal}/aktiv`
pub(crate) async fn set_question_active(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, question)): Path<(String, i64)>,
    Form(form): Form<ActiveForm>,
) -> PageResult {
    let outcome = setup::set_question_active(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        QuestionId(question),
        form.active,
    )
    .await;
    after_change(outcome, &format!("{}/opgaver", base(&auth)?), "gemt", |e| {
        tasks_page(&state, &auth, None, Some(e), None, None)
    })
    .await
}

// --- test mode --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "setup_test_mode.html")]
struct TestModePage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    on: bool,
    until: Option<String>,
    until_date: String,
    until_time: String,
    test_registrations: i64,
    test_registrations_text: String,
}

async fn test_mode_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    // Read again: the guard's copy is from before a change on this request.
    let m = store
        .get_municipality(auth.code()?)
        .await?
        .ok_or(WebError::NotFound)?;
    let count = store.count_test_registrations(m.code).await?;
    let until_local = m.test_mode_until.map(danish_local);
    let page = TestModePage {
        frame: Frame::municipality(auth, "Testtilstand", "/testtilstand")
            .notice(notice)
            .error(error),
        base: base(auth)?,
        can_set_up: auth.can_set_up(),
        on: m.in_test_mode(Utc::now()),
        until: m.test_mode_until.map(when),
        until_date: until_local
            .map(|t| t.date().format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        until_time: until_local
            .map(|t| t.time().format("%H:%M").to_string())
            .unwrap_or_default(),
        test_registrations: count,
        test_registrations_text: number(count),
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/testtilstand`
pub(crate) async fn show_test_mode(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(test_mode_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

/// Test mode on or off (`state`), and its optional end in Danish time.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TestModeForm {
    state: String,
    until_date: String,
    until_time: String,
}

/// The optional end of test mode from a date and a time field (Danish time).
fn until_of(form: &TestModeForm) -> Result<Option<chrono::DateTime<Utc>>, CoreError> {
    let date = form.until_date.trim();
    let time = form.until_time.trim();
    if date.is_empty() && time.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| CoreError::Invalid(format!("«{date}» er ikke en dato.")))?;
    let time = if time.is_empty() {
        NaiveTime::MIN
    } else {
        NaiveTime::parse_from_str(time, "%H:%M")
            .map_err(|_| CoreError::Invalid(format!("«{time}» er ikke et klokkeslæt som 08:00.")))?
    };
    komhen_domain::danish_instant(day, time.hour(), time.minute())
        .map(Some)
        .ok_or_else(|| CoreError::Invalid("Tidspunktet findes ikke i dansk tid.".into()))
}

/// `POST /kommune/{kode}/testtilstand`
pub(crate) async fn set_test_mode(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<TestModeForm>,
) -> PageResult {
    let on = form.state == "on";
    let outcome = match until_of(&form) {
        Ok(until) => {
            setup::set_test_mode(
                state.store.as_ref(),
                &auth.user.actor(),
                auth.code()?,
                on,
                until,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after_change(
        outcome,
        &format!("{}/testtilstand", base(&auth)?),
        "gemt",
        |e| test_mode_page(&state, &auth, None, Some(e)),
    )
    .await
}

/// `POST /kommune/{kode}/testtilstand/slet`
pub(crate) async fn delete_test_registrations(
    State(state): State<AppState>,
    auth: Authorized,
) -> PageResult {
    let outcome =
        setup::delete_test_registrations(state.store.as_ref(), &auth.user.actor(), auth.code()?)
            .await
            .map(|_| ());
    after_change(
        outcome,
        &format!("{}/testtilstand", base(&auth)?),
        "slettet",
        |e| test_mode_page(&state, &auth, None, Some(e)),
    )
    .await
}

// --- participation ------------------------------------------------------------------

pub(crate) struct PeriodView {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) dates: String,
    pub(crate) deadline: String,
    pub(crate) mandatory: bool,
    pub(crate) national: bool,
    pub(crate) joined: bool,
    pub(crate) past: bool,
    pub(crate) units: Vec<OptionView>,
    pub(crate) counting: String,
}

#[derive(Template)]
#[template(path = "setup_periods.html")]
struct PeriodsPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    periods: Vec<PeriodView>,
}

async fn periods_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let joined = store.list_participations(m.code).await?;
    let units: Vec<UnitRow> = store
        .list_units(m.code)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    let mut periods = Vec::new();
    for p in store.list_periods(Some(m.code)).await? {
        let named = store.list_period_units(m.code, p.id).await?;
        let is_joined = joined.contains(&p.id);
        periods.push(PeriodView {
            id: p.id.0,
            name: p.period.name.clone(),
            dates: format!(
                "{} – {}",
                p.period.starts_on.format("%d-%m-%Y"),
                p.period.ends_on.format("%d-%m-%Y")
            ),
            deadline: p.period.submission_deadline.format("%d-%m-%Y").to_string(),
            mandatory: p.period.mandatory,
            national: p.municipality.is_none(),
            joined: is_joined,
            past: p.period.ends_on < today,
            units: units
                .iter()
                .map(|u| OptionView {
                    value: u.id.0,
                    label: format!("{} ({})", u.name, u.login),
                    selected: named.contains(&u.id),
                })
                .collect(),
            counting: match (is_joined, named.len()) {
                (false, _) => "Deltager ikke".into(),
                (true, 0) => "Alle aktive enheder tæller".into(),
                (true, n) => format!("{n} udvalgte enheder tæller"),
            },
        });
    }
    let page = PeriodsPage {
        frame: Frame::municipality(auth, "Tælleperioder", "/perioder")
            .notice(notice)
            .error(error),
        base: base(auth)?,
        can_set_up: auth.can_set_up(),
        periods,
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/perioder`
pub(crate) async fn show_periods(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(periods_page(&state, &auth, query.text(), None)
        .await?
        .into_response())
}

/// Whether the municipality joins a period (`joined=ja`), and the units
/// that count in it (one `unit` field each; none means all active units).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ParticipationForm {
    joined: String,
    #[serde(deserialize_with = "forms::ids")]
    unit: Vec<i64>,
}

/// `POST /kommune/{kode}/perioder/{periode}`
pub(crate) async fn set_participation(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, period)): Path<(String, i64)>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<ParticipationForm>,
) -> PageResult {
    let units: Vec<UnitId> = form.unit.into_iter().map(UnitId).collect();
    let outcome = setup::set_participation(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        PeriodId(period),
        form.joined == "ja",
        &units,
    )
    .await;
    after_change(
        outcome,
        &format!("{}/perioder", base(&auth)?),
        "gemt",
        |e| periods_page(&state, &auth, None, Some(e)),
    )
    .await
}
