//! The municipality's own tasks and the questions asked with tasks.

use super::*;

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
pub(super) struct TasksPage {
    pub(super) frame: Frame,
    pub(super) base: String,
    pub(super) can_set_up: bool,
    pub(super) package: Option<String>,
    pub(super) package_tasks: Vec<PackageTaskView>,
    pub(super) local_tasks: Vec<LocalTaskView>,
    pub(super) questions: Vec<QuestionView>,
    pub(super) task_options: Vec<OptionView>,
    pub(super) form_kle: String,
    pub(super) form_name: String,
    pub(super) form_label: String,
    pub(super) form_options: String,
}

pub(super) async fn tasks_page(
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
        frame: Frame::municipality(auth, crate::t("Opgaver og spørgsmål"), "/opgaver")
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
                kind: crate::t(t.kind.label_da()),
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
    pub(super) kle: String,
    pub(super) name: String,
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
    pub(super) retired: bool,
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
    pub(super) task: String,
    pub(super) label: String,
    pub(super) options: String,
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
    pub(super) active: bool,
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
