//! Setting up a municipality: departments, units and their logins, the
//! tasks and questions each unit registers, test mode, participation in
//! counting periods, and the readiness overview before a period.
//!
//! Every change goes through [`change`], which writes it with its audit
//! entry (who, what, before and after) in one transaction. Callers have
//! already been let through `access`; the municipality given is the one the
//! caller may set up, and every id is checked against it by the store.

use crate::access::Actor;
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use komhen_domain::{
    DepartmentId, KleNumber, MunicipalityCode, PeriodId, QuestionId, TaskCodeKind, TaskId, UnitId,
};
use komhen_store::{
    Applied, NewAuditEntry, NewDepartment, NewLocalTask, NewQuestion, NewUnit, NewUser, NewWebPage,
    QuestionRow, SetupChange, Store, StoreError, TaskRow, UnitRow,
};
use serde_json::{json, Value};

/// What a change is, for the audit log.
pub(crate) struct Entry {
    pub(crate) municipality: Option<MunicipalityCode>,
    pub(crate) action: &'static str,
    pub(crate) entity: &'static str,
    /// Empty for a create: the store fills in the new id.
    pub(crate) entity_id: String,
    pub(crate) before: Option<Value>,
    pub(crate) after: Option<Value>,
}

/// Applies a change with its audit entry. Conflicts and unknown ids become
/// messages the user can act on.
pub(crate) async fn change(
    store: &dyn Store,
    actor: &Actor,
    change: SetupChange,
    entry: Entry,
) -> CoreResult<Applied> {
    let audit = NewAuditEntry {
        municipality: entry.municipality,
        actor: actor.as_str().to_owned(),
        action: entry.action.into(),
        entity: entry.entity.into(),
        entity_id: entry.entity_id,
        before_json: entry.before.map(|v| v.to_string()),
        after_json: entry.after.map(|v| v.to_string()),
    };
    store
        .apply(&change, &audit)
        .await
        .map_err(|e| refused(&change, e))
}

/// A refused change in the user's words, written here from the change
/// itself: the store's text (a constraint's or a driver's message) is for
/// the log, never for the page.
fn refused(change: &SetupChange, error: StoreError) -> CoreError {
    let message = match &error {
        StoreError::Conflict { .. } => taken(change),
        StoreError::NotFound { .. } => "Noget, ændringen nævner, findes ikke (længere) i \
                                        kommunen. Genindlæs siden, og prøv igen."
            .to_owned(),
        StoreError::Invalid { .. } => "Ændringen blev afvist, fordi en værdi ikke kan gemmes. \
                                       Tjek felterne, og prøv igen."
            .to_owned(),
        _ => return CoreError::Store(error),
    };
    tracing::debug!(error = %error, "set-up change refused");
    CoreError::Invalid(message)
}

/// What a unique key refuses, named by the change.
fn taken(change: &SetupChange) -> String {
    match change {
        SetupChange::CreateUnit(NewUnit { login, .. }) | SetupChange::UpdateUnit { login, .. } => {
            format!("Findes allerede: login {login} bruges af en anden enhed.")
        }
        SetupChange::CreateDepartment(NewDepartment { name, .. })
        | SetupChange::UpdateDepartment { name, .. } => {
            format!("Findes allerede: forvaltningen «{name}».")
        }
        SetupChange::CreateLocalTask(NewLocalTask { kle, name, .. }) => {
            format!("Findes allerede: kommunen har allerede opgaven {kle} «{name}».")
        }
        SetupChange::CreateNationalTask { kle, .. } => {
            format!("Findes allerede: den nationale opgave {kle}.")
        }
        SetupChange::RenameTask { name, .. } => format!("Findes allerede: opgaven «{name}»."),
        SetupChange::CreateQuestion(_) => {
            "Findes allerede: en svarmulighed står der to gange.".to_owned()
        }
        SetupChange::CreateTaskPackage { code, .. } => {
            format!("Findes allerede: opgavepakken {code}.")
        }
        SetupChange::CreateUser(NewUser { email, .. }) => {
            format!("Findes allerede: en bruger med e-mail {email}.")
        }
        SetupChange::GrantRole(_) => "Findes allerede: brugeren har den rolle.".to_owned(),
        SetupChange::CreateWebPage(NewWebPage { path, .. }) => format!(
            "Adressen {path} er allerede knyttet til en opgave. Fjern den først, hvis den skal \
             knyttes til en anden."
        ),
        _ => "Findes allerede.".to_owned(),
    }
}

fn invalid<T>(message: impl Into<String>) -> CoreResult<T> {
    Err(CoreError::Invalid(message.into()))
}

/// A name as typed: trimmed, not empty, at most `max` characters.
pub(crate) fn clean_name(value: &str, what: &str, max: usize) -> CoreResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return invalid(format!("Skriv {what}."));
    }
    if value.chars().count() > max {
        return invalid(format!(
            "{what} må højst være {max} tegn.",
            what = capitalised(what)
        ));
    }
    Ok(value.to_owned())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

// --- departments -------------------------------------------------------------

pub async fn create_department(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    name: &str,
) -> CoreResult<DepartmentId> {
    let name = clean_name(name, "forvaltningens navn", 100)?;
    let applied = change(
        store,
        actor,
        SetupChange::CreateDepartment(NewDepartment {
            municipality,
            name: name.clone(),
        }),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "department",
            entity_id: String::new(),
            before: None,
            after: Some(json!({ "name": name })),
        },
    )
    .await?;
    Ok(DepartmentId(applied.created()?))
}

pub async fn update_department(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    department: DepartmentId,
    name: &str,
    active: bool,
) -> CoreResult<()> {
    let name = clean_name(name, "forvaltningens navn", 100)?;
    let before = store
        .list_departments(municipality)
        .await?
        .into_iter()
        .find(|d| d.id == department)
        .ok_or_else(|| CoreError::Invalid("Forvaltningen findes ikke i kommunen.".into()))?;
    change(
        store,
        actor,
        SetupChange::UpdateDepartment {
            municipality,
            department,
            name: name.clone(),
            active,
        },
        Entry {
            municipality: Some(municipality),
            action: "update",
            entity: "department",
            entity_id: department.to_string(),
            before: Some(json!({ "name": before.name, "active": before.active })),
            after: Some(json!({ "name": name, "active": active })),
        },
    )
    .await?;
    Ok(())
}

// --- units -------------------------------------------------------------------

/// A unit's login: the municipality code followed by a short name in
/// lower-case letters and digits (`259sek`), as the national tool made them.
pub fn login_for(municipality: MunicipalityCode, short_name: &str) -> String {
    let mut login = municipality.to_string();
    for c in short_name.trim().to_lowercase().chars() {
        match c {
            'æ' => login.push_str("ae"),
            'ø' => login.push_str("oe"),
            'å' => login.push_str("aa"),
            'é' | 'è' => login.push('e'),
            'ü' => login.push('u'),
            c if c.is_ascii_alphanumeric() => login.push(c),
            _ => {}
        }
    }
    login
}

/// A login as typed: lower-case letters (the Danish ones too: logins from
/// the national tool have them) and digits, starting with the municipality
/// code, at most 40 characters.
fn clean_login(municipality: MunicipalityCode, login: &str) -> CoreResult<String> {
    let login = login.trim().to_lowercase();
    let prefix = municipality.to_string();
    if !login.starts_with(&prefix) || login.len() <= prefix.len() {
        return invalid(format!(
            "Enhedens login skal begynde med kommunekoden {prefix} efterfulgt af et kort navn, fx {prefix}sek."
        ));
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "æøå".contains(c);
    if login.chars().count() > 40 || !login.chars().all(allowed) {
        return invalid(
            "Enhedens login må kun indeholde små bogstaver og tal (ingen mellemrum) og højst være 40 tegn.",
        );
    }
    Ok(login)
}

/// What the unit form sends.
#[derive(Debug, Clone, Default)]
pub struct UnitInput {
    pub name: String,
    /// The login as typed; empty means "made from the name".
    pub login: String,
    pub department: Option<DepartmentId>,
}

fn unit_json(name: &str, login: &str, department: Option<DepartmentId>, active: bool) -> Value {
    json!({ "name": name, "login": login, "department_id": department.map(|d| d.0), "active": active })
}

pub async fn create_unit(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    input: &UnitInput,
) -> CoreResult<UnitId> {
    let name = clean_name(&input.name, "enhedens navn", 100)?;
    let login = if input.login.trim().is_empty() {
        login_for(municipality, &name)
    } else {
        input.login.clone()
    };
    let login = clean_login(municipality, &login)?;
    create_unit_with(
        store,
        actor,
        municipality,
        &name,
        &login,
        input.department,
        None,
    )
    .await
}

pub(crate) async fn create_unit_with(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    name: &str,
    login: &str,
    department: Option<DepartmentId>,
    password_hash: Option<String>,
) -> CoreResult<UnitId> {
    let applied = change(
        store,
        actor,
        SetupChange::CreateUnit(NewUnit {
            municipality,
            department,
            name: name.to_owned(),
            login: login.to_owned(),
            password_hash,
        }),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "unit",
            entity_id: String::new(),
            before: None,
            after: Some(unit_json(name, login, department, true)),
        },
    )
    .await?;
    Ok(UnitId(applied.created()?))
}

/// The municipality's unit, or a message saying it is not there.
pub async fn unit(
    store: &dyn Store,
    municipality: MunicipalityCode,
    unit: UnitId,
) -> CoreResult<UnitRow> {
    store
        .get_unit(municipality, unit)
        .await?
        .ok_or_else(|| CoreError::Invalid("Enheden findes ikke i kommunen.".into()))
}

/// Renames, moves, changes the login of, deactivates or reactivates a unit.
pub async fn update_unit(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    id: UnitId,
    input: &UnitInput,
    active: bool,
) -> CoreResult<()> {
    let before = unit(store, municipality, id).await?;
    let name = clean_name(&input.name, "enhedens navn", 100)?;
    let login = clean_login(municipality, &input.login)?;
    change(
        store,
        actor,
        SetupChange::UpdateUnit {
            municipality,
            unit: id,
            department: input.department,
            name: name.clone(),
            login: login.clone(),
            active,
        },
        Entry {
            municipality: Some(municipality),
            action: "update",
            entity: "unit",
            entity_id: id.to_string(),
            before: Some(unit_json(
                &before.name,
                &before.login,
                before.department,
                before.active,
            )),
            after: Some(unit_json(&name, &login, input.department, active)),
        },
    )
    .await?;
    Ok(())
}

/// Letters and digits no one confuses when reading a printed card
/// (no 0/O, 1/l/I).
const PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new random password for a unit's shared login, to be handed out on its
/// login card: 12 characters in groups of four (`kd7f-3xqa-m9tp`).
pub fn new_unit_password() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let mut password = String::new();
    for i in 0..12 {
        if i > 0 && i % 4 == 0 {
            password.push('-');
        }
        let c = PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())];
        password.push(char::from(c));
    }
    password
}

/// Sets a unit's password (or, with None, a new random one, which is
/// returned once so it can be printed on the login card). The unit's open
/// sessions end.
pub async fn set_unit_password(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    id: UnitId,
    password: Option<&str>,
) -> CoreResult<String> {
    let password = match password.map(str::trim) {
        Some(p) if p.chars().count() < 8 => {
            return invalid("En enheds adgangskode skal være mindst 8 tegn.")
        }
        Some(p) => p.to_owned(),
        None => new_unit_password(),
    };
    let hash = crate::auth::hash_password(&password).await?;
    set_unit_password_hash(store, actor, municipality, id, &hash).await?;
    Ok(password)
}

pub(crate) async fn set_unit_password_hash(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    id: UnitId,
    hash: &str,
) -> CoreResult<()> {
    change(
        store,
        actor,
        SetupChange::SetUnitPassword {
            municipality,
            unit: id,
            password_hash: Some(hash.to_owned()),
        },
        Entry {
            municipality: Some(municipality),
            action: "set_password",
            entity: "unit",
            entity_id: id.to_string(),
            before: None,
            // Never the password or its hash: only that it changed.
            after: Some(json!({ "password": "ændret" })),
        },
    )
    .await?;
    Ok(())
}

fn ids<T: Copy>(values: &[T], id: impl Fn(T) -> i64) -> Value {
    Value::from(values.iter().map(|v| id(*v)).collect::<Vec<_>>())
}

/// Makes the unit's tasks exactly these.
pub async fn set_unit_tasks(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    id: UnitId,
    tasks: &[TaskId],
) -> CoreResult<()> {
    let before: Vec<TaskId> = store
        .list_unit_tasks(municipality, id)
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    let mut tasks = tasks.to_vec();
    tasks.sort();
    tasks.dedup();
    change(
        store,
        actor,
        SetupChange::SetUnitTasks {
            municipality,
            unit: id,
            tasks: tasks.clone(),
        },
        Entry {
            municipality: Some(municipality),
            action: "set_tasks",
            entity: "unit",
            entity_id: id.to_string(),
            before: Some(json!({ "task_ids": ids(&before, |t| t.0) })),
            after: Some(json!({ "task_ids": ids(&tasks, |t| t.0) })),
        },
    )
    .await?;
    Ok(())
}

/// Adds tasks to a unit (the ones it has stay).
pub(crate) async fn assign_tasks(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    id: UnitId,
    tasks: &[TaskId],
) -> CoreResult<()> {
    change(
        store,
        actor,
        SetupChange::AssignTasks {
            municipality,
            unit: id,
            tasks: tasks.to_vec(),
        },
        Entry {
            municipality: Some(municipality),
            action: "assign_tasks",
            entity: "unit",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({ "added_task_ids": ids(tasks, |t| t.0) })),
        },
    )
    .await?;
    Ok(())
}

/// Makes the optional parameters switched on for the unit exactly these.
/// (A task's extra questions need no switch: every unit with the task is
/// asked them.)
pub async fn set_unit_questions(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    id: UnitId,
    questions: &[QuestionId],
) -> CoreResult<()> {
    let before: Vec<QuestionId> = store
        .list_unit_questions(municipality, id)
        .await?
        .iter()
        .map(|q| q.id)
        .collect();
    let mut questions = questions.to_vec();
    questions.sort();
    questions.dedup();
    let parameters = store.list_all_questions(municipality).await?;
    if let Some(q) = questions
        .iter()
        .find(|q| !parameters.iter().any(|p| p.id == **q && p.task.is_none()))
    {
        return invalid(format!(
            "Spørgsmål {q} er ikke en valgfri parameter, der kan slås til for en enhed."
        ));
    }
    change(
        store,
        actor,
        SetupChange::SetUnitQuestions {
            municipality,
            unit: id,
            questions: questions.clone(),
        },
        Entry {
            municipality: Some(municipality),
            action: "set_questions",
            entity: "unit",
            entity_id: id.to_string(),
            before: Some(json!({ "question_ids": ids(&before, |q| q.0) })),
            after: Some(json!({ "question_ids": ids(&questions, |q| q.0) })),
        },
    )
    .await?;
    Ok(())
}

/// Gives `to` the tasks and switched-on questions of `from`.
pub async fn copy_unit_setup(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    from: UnitId,
    to: UnitId,
) -> CoreResult<()> {
    if from == to {
        return invalid("Vælg en anden enhed at kopiere fra.");
    }
    let source = unit(store, municipality, from).await?;
    change(
        store,
        actor,
        SetupChange::CopyUnitSetup {
            municipality,
            from,
            to,
        },
        Entry {
            municipality: Some(municipality),
            action: "copy_setup",
            entity: "unit",
            entity_id: to.to_string(),
            before: None,
            after: Some(json!({ "copied_from_unit_id": from.0, "copied_from": source.login })),
        },
    )
    .await?;
    Ok(())
}

// --- tasks and questions -----------------------------------------------------

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
    let name = clean_name(name, "opgavens navn", 150)?;
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
        return invalid("Vælg den opgave, spørgsmålet hører til.");
    };
    let label = clean_name(&input.label, "spørgsmålet", 200)?;
    let mut options = Vec::new();
    for line in input
        .options
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let label = clean_name(line, "svarmuligheden", 100)?;
        if options
            .iter()
            .any(|o: &komhen_domain::AnswerOption| o.label_da.eq_ignore_ascii_case(&label))
        {
            return invalid(format!("Svarmuligheden «{label}» står der to gange."));
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
        return invalid("Skriv mindst to svarmuligheder, én pr. linje.");
    }
    if options.len() > 20 {
        return invalid("Et spørgsmål kan højst have 20 svarmuligheder.");
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

/// A question column of an imported history file that matches no question:
/// a text question of the municipality's own, switched off (it is not
/// asked in the tool), so the file's answers are kept.
pub(crate) async fn create_history_question(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    label: &str,
) -> CoreResult<QuestionId> {
    let label = clean_name(label, "spørgsmålet", 200)?;
    let applied = change(
        store,
        actor,
        SetupChange::CreateQuestion(NewQuestion {
            municipality: Some(municipality),
            code: None,
            task: None,
            label_da: label.clone(),
            label_en: label.clone(),
            answer_kind: komhen_domain::AnswerKind::Text,
            sort_order: 200,
            options: Vec::new(),
        }),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "question",
            entity_id: String::new(),
            before: None,
            after: Some(json!({ "label": label, "kind": "text", "from": "import" })),
        },
    )
    .await?;
    let id = QuestionId(applied.created()?);
    set_question_active(store, actor, municipality, id, false).await?;
    Ok(id)
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

// --- test mode -----------------------------------------------------------------

/// Switches test mode on (optionally until a moment, after which it ends by
/// itself) or off.
pub async fn set_test_mode(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    on: bool,
    until: Option<DateTime<Utc>>,
) -> CoreResult<()> {
    let before = store
        .get_municipality(municipality)
        .await?
        .ok_or_else(|| CoreError::Invalid(format!("Kommune {municipality} findes ikke.")))?;
    let until = if on { until } else { None };
    if let Some(until) = until.filter(|u| *u <= Utc::now()) {
        return invalid(format!(
            "Sluttidspunktet {} er allerede passeret.",
            komhen_domain::danish_local(until).format("%d-%m-%Y %H:%M")
        ));
    }
    let json = |on: bool, until: Option<DateTime<Utc>>| json!({ "test_mode": on, "until": until.map(|u| u.to_rfc3339()) });
    change(
        store,
        actor,
        SetupChange::SetTestMode {
            municipality,
            on,
            until,
        },
        Entry {
            municipality: Some(municipality),
            action: "set_test_mode",
            entity: "municipality",
            entity_id: municipality.to_string(),
            before: Some(json(before.test_mode, before.test_mode_until)),
            after: Some(json(on, until)),
        },
    )
    .await?;
    Ok(())
}

/// Deletes the municipality's test registrations; returns how many.
pub async fn delete_test_registrations(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
) -> CoreResult<u64> {
    let before = store.count_test_registrations(municipality).await?;
    let applied = change(
        store,
        actor,
        SetupChange::DeleteTestRegistrations { municipality },
        Entry {
            municipality: Some(municipality),
            action: "delete_test_registrations",
            entity: "municipality",
            entity_id: municipality.to_string(),
            before: Some(json!({ "test_registrations": before })),
            after: Some(json!({ "test_registrations": 0 })),
        },
    )
    .await?;
    Ok(applied.count)
}

// --- participation -------------------------------------------------------------

/// Takes part in a period (with the units that count; none named means all
/// active units) or withdraws from it.
pub async fn set_participation(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    period: PeriodId,
    joined: bool,
    units: &[UnitId],
) -> CoreResult<()> {
    let mut units = units.to_vec();
    units.sort();
    units.dedup();
    let was = store
        .list_participations(municipality)
        .await?
        .contains(&period);
    let before_units = store.list_period_units(municipality, period).await?;
    change(
        store,
        actor,
        SetupChange::SetParticipation {
            municipality,
            period,
            joined,
            units: units.clone(),
        },
        Entry {
            municipality: Some(municipality),
            action: "set_participation",
            entity: "period",
            entity_id: period.to_string(),
            before: Some(json!({ "joined": was, "unit_ids": ids(&before_units, |u| u.0) })),
            after: Some(json!({ "joined": joined, "unit_ids": ids(&units, |u| u.0) })),
        },
    )
    .await?;
    Ok(())
}

// --- readiness -----------------------------------------------------------------

/// What is not ready before a period.
#[derive(Debug, Clone, Default)]
pub struct Readiness {
    pub active_units: usize,
    /// Active units with no task: they cannot register.
    pub units_without_tasks: Vec<UnitRow>,
    /// Active units that have never logged in.
    pub units_never_logged_in: Vec<UnitRow>,
    /// Active units without a password: no one can log in as them.
    pub units_without_password: Vec<UnitRow>,
    /// The period's mandatory tasks that no active unit has.
    pub mandatory_unassigned: Vec<TaskRow>,
    /// The period the mandatory tasks are taken from, if any.
    pub period: Option<komhen_store::PeriodRow>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.active_units > 0
            && self.units_without_tasks.is_empty()
            && self.units_never_logged_in.is_empty()
            && self.units_without_password.is_empty()
            && self.mandatory_unassigned.is_empty()
    }
}

/// Readiness of the municipality's active units within `scope` for the next
/// period it takes part in (or the next national one).
pub async fn readiness(
    store: &dyn Store,
    municipality: MunicipalityCode,
    scope: &crate::access::UnitScope,
    today: chrono::NaiveDate,
) -> CoreResult<Readiness> {
    let units: Vec<UnitRow> = store
        .list_units(municipality)
        .await?
        .into_iter()
        .filter(|u| u.active && scope.includes(u.id))
        .collect();
    let assignments = store.list_assignments(municipality).await?;
    let has_tasks = |u: &UnitRow| assignments.iter().any(|a| a.unit == u.id);
    let joined = store.list_participations(municipality).await?;
    let periods = store.list_periods(Some(municipality)).await?;
    // The next period (not yet over) the municipality takes part in, or else
    // the next national one.
    let upcoming = |p: &&komhen_store::PeriodRow| p.period.ends_on >= today;
    let period = periods
        .iter()
        .filter(upcoming)
        .filter(|p| joined.contains(&p.id))
        .min_by_key(|p| p.period.starts_on)
        .or_else(|| {
            periods
                .iter()
                .filter(upcoming)
                .filter(|p| p.municipality.is_none())
                .min_by_key(|p| p.period.starts_on)
        })
        .cloned();
    let mut mandatory_unassigned = Vec::new();
    if let Some(package) = period.as_ref().and_then(|p| p.task_package) {
        let all_active: Vec<UnitId> = store
            .list_units(municipality)
            .await?
            .iter()
            .filter(|u| u.active)
            .map(|u| u.id)
            .collect();
        for task in store.list_package_tasks(package).await? {
            let covered = assignments
                .iter()
                .any(|a| a.task == task.task.id && all_active.contains(&a.unit));
            if task.mandatory && !task.task.retired && !covered {
                mandatory_unassigned.push(task.task);
            }
        }
    }
    Ok(Readiness {
        active_units: units.len(),
        units_without_tasks: units.iter().filter(|u| !has_tasks(u)).cloned().collect(),
        units_never_logged_in: units
            .iter()
            .filter(|u| u.last_login_at.is_none())
            .cloned()
            .collect(),
        units_without_password: units
            .iter()
            .filter(|u| u.password_hash.is_none())
            .cloned()
            .collect(),
        mandatory_unassigned,
        period,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn logins_are_the_code_and_a_short_name_in_plain_letters() {
        let koege = MunicipalityCode::new(259).unwrap();
        assert_eq!(login_for(koege, "SEK"), "259sek");
        assert_eq!(login_for(koege, "Børn og Unge"), "259boernogunge");
        assert_eq!(login_for(koege, "Ældre-pleje 2"), "259aeldrepleje2");
        assert!(clean_login(koege, "259sek").is_ok());
        assert!(clean_login(koege, "101sek").is_err());
        assert!(clean_login(koege, "259").is_err());
        assert!(clean_login(koege, "259 sek").is_err());
        assert_eq!(clean_login(koege, "259Føpey").unwrap(), "259føpey");
    }

    #[test]
    fn unit_passwords_are_readable_and_random() {
        let a = new_unit_password();
        let b = new_unit_password();
        assert_ne!(a, b);
        assert_eq!(a.len(), 14);
        assert!(a
            .chars()
            .all(|c| c == '-' || PASSWORD_ALPHABET.contains(&(c as u8))));
    }
}
