//! One unit's page: its name, department and login, its tasks and questions, copying its set-up, its login card and password.

use super::*;

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
pub(super) struct UnitPage {
    pub(super) frame: Frame,
    pub(super) base: String,
    pub(super) href: String,
    pub(super) can_set_up: bool,
    pub(super) name: String,
    pub(super) login: String,
    pub(super) active: bool,
    pub(super) has_password: bool,
    pub(super) last_login: String,
    pub(super) departments: Vec<OptionView>,
    pub(super) tasks: Vec<TaskChoice>,
    pub(super) tasks_checked: usize,
    pub(super) mandatory_package: Option<String>,
    pub(super) parameters: Vec<QuestionChoice>,
    pub(super) task_questions: Vec<QuestionChoice>,
    pub(super) other_units: Vec<OptionView>,
}

/// The tasks a unit can be given: the season's mandatory tasks first, then
/// the rest of the package, other national tasks and the municipality's
/// own; retired tasks only where the unit still has them.
pub(super) fn task_choices(
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
                    0 => crate::t("Obligatoriske opgaver"),
                    1 => crate::t("Frivillige opgaver i opgavepakken"),
                    2 => crate::t("Andre nationale opgaver"),
                    _ => crate::t("Kommunens egne opgaver"),
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

pub(super) fn question_detail(q: &QuestionRow, tasks: &[TaskRow]) -> String {
    let options: Vec<&str> = q.options.iter().map(|o| o.label_da.as_str()).collect();
    let task = q
        .task
        .and_then(|t| tasks.iter().find(|x| x.id == t))
        .map(|t| crate::t2("Stilles ved {0} {1}. ", &t.kle, &t.name))
        .unwrap_or_default();
    if options.is_empty() {
        format!("{task}{}", crate::t("Fritekst eller tal."))
    } else {
        format!("{task}{}", crate::t1("Svar: {0}.", options.join(", ")))
    }
}

pub(super) async fn unit_page(
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
            .crumb(format!("{base}/enheder"), crate::t("Enheder og logins"))
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

pub(super) fn unit_href(auth: &Authorized) -> Result<String, WebError> {
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
    pub(super) task: Vec<i64>,
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
    pub(super) question: Vec<i64>,
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
    pub(super) from: Option<i64>,
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
            crate::t("Vælg den enhed, der skal kopieres fra.").into(),
        )),
    };
    after_change(outcome, &unit_href(&auth)?, "kopieret", |e| {
        unit_page(&state, &auth, None, Some(e))
    })
    .await
}

#[derive(Template)]
#[template(path = "login_card.html")]
pub(super) struct LoginCardPage {
    pub(super) frame: Frame,
    pub(super) back: String,
    pub(super) municipality: String,
    pub(super) unit: String,
    pub(super) login: String,
    pub(super) password: Option<String>,
    pub(super) address: String,
}

pub(super) fn login_card(
    auth: &Authorized,
    address: String,
    password: Option<String>,
) -> Result<Html<String>, WebError> {
    let unit = auth.unit()?;
    let m = auth.municipality()?;
    let page = LoginCardPage {
        frame: Frame::municipality(auth, crate::t1("Loginkort: {0}", &unit.name), "/enheder"),
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
pub(super) fn login_address(headers: &axum::http::HeaderMap) -> String {
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
    pub(super) password: String,
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
