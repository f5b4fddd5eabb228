//! A municipality's set-up pages (`/kommune/{kode}/...`): the overview of
//! readiness, departments and units with their logins, passwords and login
//! cards, each unit's tasks and questions, the municipality's own tasks and
//! task questions, test mode, participation in counting periods, its users
//! and its audit log.
//!
//! Every handler takes [`Authorized`]: the guard has decided the user may
//! read (GET) or set up (POST) this municipality, and that the unit named
//! is theirs to see. Every rule lives in `komhen_core::setup`.

mod unit;
pub(crate) use unit::*;

mod tasks;
pub(crate) use tasks::*;

mod counting;
pub(crate) use counting::*;

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
        frame: Frame::municipality(&auth, crate::t1("{0} Kommune", &m.name), "")
            .notice(query.text()),
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
            .map_or_else(|| crate::t("Ingen").to_owned(), |d| d.name.clone())
    };
    let page = UnitsPage {
        frame: Frame::municipality(auth, crate::t("Enheder og logins"), "/enheder")
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
