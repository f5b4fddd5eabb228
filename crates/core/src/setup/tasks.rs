//! A municipality's own tasks and the questions its units ask.

use super::*;
use komhen_domain::{da, dl};

/// How a task code is classified: a KLE topic or group as the catalogue
/// knows it, otherwise a KOMHEN pseudo-code.
pub(crate) async fn task_kind(store: &dyn Store, kle: &KleNumber) -> CoreResult<TaskCodeKind> {
    Ok(match store.get_kle_entry(kle).await? {
        Some(entry) => entry.level,
        None => TaskCodeKind::Pseudo,
    })
}

/// Adds a task of the municipality's own with a KLE number.
pub async fn create_local_task(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    kle: &str,
    name: &str,
) -> CoreResult<TaskId> {
    let kle = KleNumber::parse(kle).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let name = clean_name(name, dl!("opgavens navn"), 150)?;
    if let Some(clash) = own_task_clash(&store.list_tasks(municipality).await?, &kle, &name) {
        return invalid(clash);
    }
    let kind = task_kind(store, &kle).await?;
    let applied = change(
        store,
        actor,
        SetupChange::CreateLocalTask(NewLocalTask {
            municipality,
            kle: kle.clone(),
            kind,
            name: name.clone(),
        }),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "task",
            entity_id: String::new(),
            before: None,
            after: Some(json!({ "kle": kle.as_str(), "kind": kind.code(), "name": name })),
        },
    )
    .await?;
    Ok(TaskId(applied.created()?))
}

/// What keeps a new task of the municipality's own apart from the tasks it
/// has (`tasks`, national and own): its code is no national task's (that
/// task is already in the catalogue, and one code must mean one task in
/// every figure), and its name is no other own task's (a clerk picks a
/// task by its name). `None` when it may be made.
pub(crate) fn own_task_clash(tasks: &[TaskRow], kle: &KleNumber, name: &str) -> Option<String> {
    if let Some(national) = tasks
        .iter()
        .find(|t| t.municipality.is_none() && &t.kle == kle)
    {
        return Some(da!(
            "Koden {kle} bruges af den nationale opgave «{}». Brug den nationale opgave, eller \
             giv jeres egen opgave en anden kode.",
            national.name
        ));
    }
    let wanted = name.trim().to_lowercase();
    tasks
        .iter()
        .find(|t| t.municipality.is_some() && t.name.trim().to_lowercase() == wanted)
        .map(|same| {
            da!(
                "Kommunen har allerede en egen opgave med navnet «{}» ({}). Giv den nye opgave \
                 et andet navn, så den kan kendes fra den ved registreringen.",
                same.name,
                same.kle
            )
        })
}

/// Retires a task of the municipality's own (or brings it back).
pub async fn set_local_task_retired(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    task: TaskId,
    retired: bool,
) -> CoreResult<()> {
    change(
        store,
        actor,
        SetupChange::SetTaskRetired {
            municipality: Some(municipality),
            task,
            retired,
        },
        Entry {
            municipality: Some(municipality),
            action: if retired { "retire" } else { "reinstate" },
            entity: "task",
            entity_id: task.to_string(),
            before: Some(json!({ "retired": !retired })),
            after: Some(json!({ "retired": retired })),
        },
    )
    .await?;
    Ok(())
}

/// An extra question on a task, as the coordinator writes it: the question
/// and one answer option per line.
#[derive(Debug, Clone, Default)]
pub struct QuestionInput {
    pub task: Option<TaskId>,
    pub label: String,
    /// One option per line; empty lines are skipped.
    pub options: String,
}

/// Adds an extra question with answer options to a task (the method's
/// example: which kind of child maintenance).
pub async fn create_task_question(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    input: &QuestionInput,
) -> CoreResult<QuestionId> {
    let Some(task) = input.task else {
        return invalid(dl!("Vælg den opgave, spørgsmålet hører til."));
    };
    let label = clean_name(&input.label, dl!("spørgsmålet"), 200)?;
    let mut options = Vec::new();
    for line in input
        .options
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let label = clean_name(line, dl!("svarmuligheden"), 100)?;
        if options
            .iter()
            .any(|o: &komhen_domain::AnswerOption| o.label_da.eq_ignore_ascii_case(&label))
        {
            return invalid(da!("Svarmuligheden «{label}» står der to gange."));
        }
        let order = i32::try_from(options.len() + 1).unwrap_or(i32::MAX) * 10;
        options.push(komhen_domain::AnswerOption {
            code: format!("S{}", options.len() + 1),
            label_da: label.clone(),
            label_en: label,
            sort_order: order,
        });
    }
    if options.len() < 2 {
        return invalid(dl!("Skriv mindst to svarmuligheder, én pr. linje."));
    }
    if options.len() > 20 {
        return invalid(dl!("Et spørgsmål kan højst have 20 svarmuligheder."));
    }
    let after = json!({
        "task_id": task.0,
        "label": label,
        "options": options.iter().map(|o| o.label_da.clone()).collect::<Vec<_>>(),
    });
    let applied = change(
        store,
        actor,
        SetupChange::CreateQuestion(NewQuestion {
            municipality: Some(municipality),
            code: None,
            task: Some(task),
            label_da: label.clone(),
            label_en: label,
            answer_kind: komhen_domain::AnswerKind::Choice,
            sort_order: 100,
            options,
        }),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "question",
            entity_id: String::new(),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(QuestionId(applied.created()?))
}

/// The set-up an imported history file needs and the municipality lacks,
/// checked by the rules every set-up change follows.
#[derive(Debug, Clone, Default)]
pub(crate) struct HistorySetup {
    tasks: Vec<NewLocalTask>,
    units: Vec<NewUnit>,
    questions: Vec<NewQuestion>,
}

/// Something a history file needs that cannot be made, and why (Danish).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unmakeable {
    Task(String, String),
    Unit(String, String),
    Question(String, String),
}

/// Plans a history file's set-up: its task codes as the municipality's own
/// tasks, its unit logins as inactive units, its unknown question columns
/// as switched-off text questions (so their answers are kept). What breaks
/// a set-up rule is returned instead, so the dry run refuses exactly what
/// the import would.
pub(crate) fn plan_history(
    municipality: MunicipalityCode,
    tasks: &[(KleNumber, String, TaskCodeKind)],
    units: &[String],
    questions: &[String],
) -> (HistorySetup, Vec<Unmakeable>) {
    let mut plan = HistorySetup::default();
    let mut unmakeable = Vec::new();
    for (kle, name, kind) in tasks {
        match clean_name(name, dl!("opgavens navn"), 150) {
            Ok(name) => plan.tasks.push(NewLocalTask {
                municipality,
                kle: kle.clone(),
                kind: *kind,
                name,
            }),
            Err(e) => unmakeable.push(Unmakeable::Task(kle.to_string(), e.to_string())),
        }
    }
    for login in units {
        match clean_login(municipality, login) {
            Ok(clean) => plan.units.push(NewUnit {
                municipality,
                department: None,
                name: clean.clone(),
                login: clean,
                password_hash: None,
            }),
            Err(e) => unmakeable.push(Unmakeable::Unit(login.clone(), e.to_string())),
        }
    }
    for label in questions {
        match clean_name(label, dl!("spørgsmålet"), 200) {
            Ok(label) => plan.questions.push(NewQuestion {
                municipality: Some(municipality),
                code: None,
                task: None,
                label_da: label.clone(),
                label_en: label,
                answer_kind: komhen_domain::AnswerKind::Text,
                sort_order: 200,
                options: Vec::new(),
            }),
            Err(e) => unmakeable.push(Unmakeable::Question(label.clone(), e.to_string())),
        }
    }
    (plan, unmakeable)
}

/// Makes a planned history set-up for the loading `batch`, in one
/// transaction and one audit entry; deleting the batch before it is
/// committed removes it again.
pub(crate) async fn create_history(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    batch: BatchId,
    plan: HistorySetup,
) -> CoreResult<()> {
    if plan.tasks.is_empty() && plan.units.is_empty() && plan.questions.is_empty() {
        return Ok(());
    }
    let after = json!({
        "batch": batch.0,
        "tasks": plan.tasks.iter().map(|t| json!({ "kle": t.kle.as_str(), "name": t.name })).collect::<Vec<_>>(),
        "units": plan.units.iter().map(|u| u.login.as_str()).collect::<Vec<_>>(),
        "questions": plan.questions.iter().map(|q| q.label_da.as_str()).collect::<Vec<_>>(),
    });
    change(
        store,
        actor,
        SetupChange::CreateImportSetup(ImportSetup {
            municipality,
            batch,
            tasks: plan.tasks,
            units: plan.units,
            questions: plan.questions,
        }),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "import_setup",
            entity_id: batch.to_string(),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Switches a question of the municipality's own off (or on again).
pub async fn set_question_active(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    question: QuestionId,
    active: bool,
) -> CoreResult<()> {
    change(
        store,
        actor,
        SetupChange::SetQuestionActive {
            municipality: Some(municipality),
            question,
            active,
        },
        Entry {
            municipality: Some(municipality),
            action: if active { "activate" } else { "deactivate" },
            entity: "question",
            entity_id: question.to_string(),
            before: Some(json!({ "active": !active })),
            after: Some(json!({ "active": active })),
        },
    )
    .await?;
    Ok(())
}

/// The optional parameters of the method (national, with a code) and the
/// municipality's task questions, switched-off ones included.
pub async fn questions(
    store: &dyn Store,
    municipality: MunicipalityCode,
) -> CoreResult<(Vec<QuestionRow>, Vec<QuestionRow>)> {
    let all = store.list_all_questions(municipality).await?;
    let (parameters, task_questions) = all.into_iter().partition(|q| q.task.is_none());
    Ok((parameters, task_questions))
}
