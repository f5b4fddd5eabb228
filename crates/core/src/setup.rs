//! Setting up a municipality: departments, units and their logins, the
//! tasks and questions each unit registers, test mode, participation in
//! counting periods, and the readiness overview before a period.
//!
//! Every change goes through [`change`], which writes it with its audit
//! entry (who, what, before and after) in one transaction. Callers have
//! already been let through `access`; the municipality given is the one the
//! caller may set up, and every id is checked against it by the store.

mod tasks;
pub use tasks::*;

mod counting;
pub use counting::*;

pub mod catalogue;
pub mod systems;
pub mod transfer;

use crate::accounts::access::Actor;
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use komhen_domain::{da, dl};
use komhen_domain::{
    BatchId, DepartmentId, KleNumber, MunicipalityCode, PeriodId, QuestionId, TaskCodeKind, TaskId,
    UnitId,
};
use komhen_store::{
    Applied, ImportSetup, NewAuditEntry, NewDepartment, NewLocalTask, NewQuestion, NewUnit,
    NewUser, NewWebPage, QuestionRow, SetupChange, Store, StoreError, TaskRow, UnitRow,
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
    store
        .apply(&change, &audit_entry(actor, entry))
        .await
        .map_err(|e| refused(&change, e))
}

/// The audit log's row of a change.
pub(crate) fn audit_entry(actor: &Actor, entry: Entry) -> NewAuditEntry {
    NewAuditEntry {
        municipality: entry.municipality,
        actor: actor.as_str().to_owned(),
        action: entry.action.into(),
        entity: entry.entity.into(),
        entity_id: entry.entity_id,
        before_json: entry.before.map(|v| v.to_string()),
        after_json: entry.after.map(|v| v.to_string()),
    }
}

/// A refused change in the user's words, written here from the change
/// itself: the store's text (a constraint's or a driver's message) is for
/// the log, never for the page.
fn refused(change: &SetupChange, error: StoreError) -> CoreError {
    let message = match &error {
        StoreError::Conflict { .. } => taken(change),
        StoreError::NotFound { .. } => dl!("Noget, ændringen nævner, findes ikke (længere) i \
                                        kommunen. Genindlæs siden, og prøv igen.")
        .to_owned(),
        StoreError::Invalid { .. } => {
            dl!("Ændringen blev afvist, fordi en værdi ikke kan gemmes. \
                                       Tjek felterne, og prøv igen.")
            .to_owned()
        }
        _ => return CoreError::Store(error),
    };
    tracing::debug!(error = %error, "set-up change refused");
    CoreError::Invalid(message)
}

/// What a unique key refuses, named by the change.
fn taken(change: &SetupChange) -> String {
    match change {
        SetupChange::CreateUnit(NewUnit { login, .. }) | SetupChange::UpdateUnit { login, .. } => {
            da!("Findes allerede: login {login} bruges af en anden enhed.")
        }
        SetupChange::CreateDepartment(NewDepartment { name, .. })
        | SetupChange::UpdateDepartment { name, .. } => {
            da!("Findes allerede: forvaltningen «{name}».")
        }
        SetupChange::CreateLocalTask(NewLocalTask { kle, name, .. }) => {
            da!("Findes allerede: kommunen har allerede opgaven {kle} «{name}».")
        }
        SetupChange::CreateNationalTask { kle, .. } => {
            da!("Findes allerede: den nationale opgave {kle}.")
        }
        SetupChange::RenameTask { name, .. } => da!("Findes allerede: opgaven «{name}»."),
        SetupChange::CreateQuestion(_) => {
            dl!("Findes allerede: en svarmulighed står der to gange.").to_owned()
        }
        SetupChange::CreateTaskPackage { code, .. } => {
            da!("Findes allerede: opgavepakken {code}.")
        }
        SetupChange::CreateUser(NewUser { email, .. }) => {
            da!("Findes allerede: en bruger med e-mail {email}.")
        }
        SetupChange::GrantRole(_) => dl!("Findes allerede: brugeren har den rolle.").to_owned(),
        SetupChange::CreateWebPage(NewWebPage { path, .. }) => da!(
            "Adressen {path} er allerede knyttet til en opgave. Fjern den først, hvis den skal \
             knyttes til en anden."
        ),
        _ => dl!("Findes allerede.").to_owned(),
    }
}

fn invalid<T>(message: impl Into<String>) -> CoreResult<T> {
    Err(CoreError::Invalid(message.into()))
}

/// A name as typed: trimmed, not empty, at most `max` characters.
pub(crate) fn clean_name(value: &str, what: &str, max: usize) -> CoreResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return invalid(da!("Skriv {what}."));
    }
    if value.chars().count() > max {
        return invalid(da!(
            "{what} må højst være {max} tegn.",
            what = capitalised(what)
        ));
    }
    Ok(value.to_owned())
}

/// A field's name at the start of a sentence: a known one as its own
/// label, so a page in English finds it in the catalogue.
fn capitalised(text: &str) -> String {
    let known = match text {
        "forvaltningens navn" => dl!("Forvaltningens navn"),
        "personens navn" => dl!("Personens navn"),
        "enhedens navn" => dl!("Enhedens navn"),
        "kilden til prisen" => dl!("Kilden til prisen"),
        "initiativets titel" => dl!("Initiativets titel"),
        "scenariets navn" => dl!("Scenariets navn"),
        "linjens navn" => dl!("Linjens navn"),
        "opgavens navn" => dl!("Opgavens navn"),
        "periodens navn" => dl!("Periodens navn"),
        "den danske betegnelse" => dl!("Den danske betegnelse"),
        "den engelske betegnelse" => dl!("Den engelske betegnelse"),
        "systemets navn" => dl!("Systemets navn"),
        "spørgsmålet" => dl!("Spørgsmålet"),
        "svarmuligheden" => dl!("Svarmuligheden"),
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
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
    let name = clean_name(name, dl!("forvaltningens navn"), 100)?;
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
    let name = clean_name(name, dl!("forvaltningens navn"), 100)?;
    let before = store
        .list_departments(municipality)
        .await?
        .into_iter()
        .find(|d| d.id == department)
        .ok_or_else(|| CoreError::Invalid(dl!("Forvaltningen findes ikke i kommunen.").into()))?;
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
pub(crate) fn clean_login(municipality: MunicipalityCode, login: &str) -> CoreResult<String> {
    let login = login.trim().to_lowercase();
    let prefix = municipality.to_string();
    if !login.starts_with(&prefix) || login.len() <= prefix.len() {
        return invalid(da!(
            "Enhedens login skal begynde med kommunekoden {prefix} efterfulgt af et kort navn, fx {prefix}sek."
        ));
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "æøå".contains(c);
    if login.chars().count() > 40 || !login.chars().all(allowed) {
        return invalid(
            dl!("Enhedens login må kun indeholde små bogstaver og tal (ingen mellemrum) og højst være 40 tegn."),
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
    let name = clean_name(&input.name, dl!("enhedens navn"), 100)?;
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
        .ok_or_else(|| CoreError::Invalid(dl!("Enheden findes ikke i kommunen.").into()))
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
    let name = clean_name(&input.name, dl!("enhedens navn"), 100)?;
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
            return invalid(dl!("En enheds adgangskode skal være mindst 8 tegn."))
        }
        Some(p) => p.to_owned(),
        None => new_unit_password(),
    };
    let hash = crate::accounts::auth::hash_password(&password).await?;
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
        return invalid(da!(
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
        return invalid(dl!("Vælg en anden enhed at kopiere fra."));
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
