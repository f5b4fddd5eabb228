//! A municipality's set-up as a versioned JSON document, so it moves with
//! its registrations' extract to another installation: departments, units
//! with their logins (never a password), the municipality's own tasks,
//! its questions with their options, which tasks (national ones by KLE
//! number) and optional parameters each unit has, and (from version 2) the
//! municipality's own channel prices, so its cost figures move with it.
//! The national catalogue (KLE, task packages, code lists) and the national
//! price list are not in it: every installation keeps its own.
//!
//! Importing plans every change first and stores them in one transaction
//! (`Store::apply_all`), each with its audit entry. What already exists
//! exactly as the document has it is left alone, so importing twice
//! changes nothing; what exists otherwise is a clash, and the import is
//! refused naming every clash, with nothing stored. Units come without a
//! password: the coordinator gives each a new one. A price is kept through
//! the same audited change as on the price pages
//! (`economics::prices`), in the same transaction as the rest.

use super::tasks::{own_task_clash, task_kind};
use super::{audit_entry, clean_login, clean_name, Entry};
use crate::accounts::access::Actor;
use crate::economics::prices::{self, PriceInput};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use komhen_domain::{da, dl};
use komhen_domain::{AnswerKind, AnswerOption, KleNumber, MunicipalityCode, QuestionId, TaskId};
use komhen_store::{
    created_by, NewDepartment, NewLocalTask, NewQuestion, NewUnit, PlannedChange, QuestionRow,
    SetupChange, Store, TaskRow,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// What a set-up document says it is.
pub const FORMAT: &str = "komhen-opsaetning";
/// The document's version; a reader refuses one it does not know.
/// Version 2 added `prices`; a version 1 document has none.
pub const VERSION: u32 = 2;
/// The oldest version this komhen still reads.
pub const OLDEST_VERSION: u32 = 1;

/// A municipality's set-up as a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupDocument {
    pub format: String,
    pub version: u32,
    pub municipality: u16,
    pub municipality_name: String,
    /// When it was written (RFC 3339, UTC): for the reader only.
    pub exported_at: String,
    pub departments: Vec<DepartmentEntry>,
    /// The municipality's own tasks.
    pub tasks: Vec<TaskEntry>,
    /// The municipality's own questions: tasks' extra questions and kept
    /// question columns of imported files.
    pub questions: Vec<QuestionEntry>,
    pub units: Vec<UnitEntry>,
    /// The municipality's own channel prices (version 2; none in version 1).
    #[serde(default)]
    pub prices: Vec<PriceEntry>,
}

/// One of the municipality's own channel prices (docs/economics.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceEntry {
    /// The channel's code, e.g. `TLFIND`.
    pub channel: String,
    /// The task the price is for; none: every task of the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskKey>,
    /// `ÅÅÅÅ-MM-DD`.
    pub valid_from: String,
    /// Per inquiry, in øre; for a price found from time, what the minutes
    /// and the hourly cost give (an import checks that they do).
    pub price_ore: i64,
    /// With `hourly_cost_ore`: the price is found from time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes_hundredths: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hourly_cost_ore: Option<i64>,
    /// The reckoning as the pages write it, for the reader only.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reckoning: String,
    pub source: String,
    pub source_year: i32,
    pub example: bool,
}

impl PriceEntry {
    /// The price as it would be typed on the price page, so an import
    /// checks it as the page does: amounts and minutes in the pages' own
    /// writing, which the page's reader reads back exactly.
    fn input(&self) -> PriceInput {
        let (amount, minutes, hourly_cost) = match (self.minutes_hundredths, self.hourly_cost_ore) {
            (Some(m), Some(h)) => (String::new(), prices::hundredths(m), prices::amount(h)),
            (None, None) => (prices::amount(self.price_ore), String::new(), String::new()),
            // Half a reckoning: the page's check names what is missing.
            (m, h) => (
                String::new(),
                m.map(prices::hundredths).unwrap_or_default(),
                h.map(prices::amount).unwrap_or_default(),
            ),
        };
        PriceInput {
            channel: self.channel.clone(),
            task: String::new(),
            valid_from: self.valid_from.clone(),
            amount,
            minutes,
            hourly_cost,
            source: self.source.clone(),
            source_year: self.source_year.to_string(),
            example: self.example,
        }
    }

    /// How the entry names itself in a message.
    fn describe(&self) -> String {
        match &self.task {
            Some(t) => da!(
                "prisen for {}, opgave {} fra {}",
                self.channel,
                t.kle,
                self.valid_from
            ),
            None => da!("prisen for {} fra {}", self.channel, self.valid_from),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentEntry {
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskEntry {
    pub kle: String,
    pub name: String,
    pub retired: bool,
}

/// A task named across installations: a national task by its KLE number
/// (the name is for the reader), the municipality's own by number and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskKey {
    pub kle: String,
    pub name: String,
    pub own: bool,
}

/// A question named across installations: a national parameter by its
/// code, the municipality's own by its task and text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskKey>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionEntry {
    pub task: Option<TaskKey>,
    pub label_da: String,
    pub label_en: String,
    /// `choice`, `text` or `number`.
    pub kind: String,
    pub sort_order: i32,
    pub active: bool,
    pub options: Vec<OptionEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionEntry {
    pub code: String,
    pub label_da: String,
    pub label_en: String,
    pub sort_order: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitEntry {
    pub login: String,
    pub name: String,
    pub department: Option<String>,
    pub active: bool,
    pub tasks: Vec<TaskKey>,
    /// The optional parameters switched on for the unit.
    pub questions: Vec<QuestionKey>,
}

impl SetupDocument {
    /// The document as pretty JSON.
    pub fn to_json(&self) -> CoreResult<Vec<u8>> {
        serde_json::to_vec_pretty(self)
            .map_err(|e| CoreError::internal("opsætningen kunne ikke skrives", e))
    }

    /// Reads a document, refusing another format or a newer version.
    pub fn from_json(bytes: &[u8]) -> CoreResult<Self> {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            CoreError::Invalid(da!(
                "Filen er ikke JSON (linje {}, kolonne {}).",
                e.line(),
                e.column()
            ))
        })?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(CoreError::Invalid(da!(
                "Filen er ikke en opsætning fra komhen export setup (feltet «format» er ikke «{FORMAT}»)."
            )));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == 1 && value.get("prices").is_some() => {
                return Err(CoreError::Invalid(
                    dl!(
                        "Opsætningen har version 1, som ikke har priser, men filen har feltet \
                     «prices». Skriv version 2, eller fjern priserne."
                    )
                    .to_owned(),
                ))
            }
            Some(v) if (u64::from(OLDEST_VERSION)..=u64::from(VERSION)).contains(&v) => {}
            other => {
                return Err(CoreError::Invalid(da!(
                    "Opsætningen har version {}, men denne komhen læser version {VERSION}. \
                     Brug den samme eller en nyere komhen.",
                    other.map_or_else(|| "(ingen)".to_owned(), |v| v.to_string())
                )))
            }
        }
        serde_json::from_value(value).map_err(|e| {
            CoreError::Invalid(da!(
                "Opsætningen kan ikke læses: et felt mangler eller har en forkert type ({e})."
            ))
        })
    }
}

/// The municipality's set-up as it is now.
pub async fn export_setup(
    store: &dyn Store,
    municipality: MunicipalityCode,
    now: DateTime<Utc>,
) -> CoreResult<SetupDocument> {
    let Some(m) = store.get_municipality(municipality).await? else {
        return Err(CoreError::NotFound(format!(
            "Kommune {municipality} findes ikke."
        )));
    };
    let departments = store.list_departments(municipality).await?;
    let tasks = store.list_tasks(municipality).await?;
    let questions = store.list_all_questions(municipality).await?;
    let units = store.list_units(municipality).await?;
    let assignments = store.list_assignments(municipality).await?;
    let own_prices: Vec<_> = store
        .list_channel_prices(Some(municipality))
        .await?
        .into_iter()
        .filter(|p| p.municipality == Some(municipality))
        .collect();
    let task_key = |id: TaskId| tasks.iter().find(|t| t.id == id).map(key_of_task);
    let question_key = |q: &QuestionRow| QuestionKey {
        code: q.code.clone(),
        task: if q.code.is_some() {
            None
        } else {
            q.task.and_then(task_key)
        },
        label: if q.code.is_some() {
            String::new()
        } else {
            q.label_da.clone()
        },
    };
    let mut unit_entries = Vec::with_capacity(units.len());
    for unit in &units {
        let mut unit_tasks: Vec<TaskKey> = assignments
            .iter()
            .filter(|a| a.unit == unit.id)
            .filter_map(|a| task_key(a.task))
            .collect();
        unit_tasks.sort();
        let mut unit_questions: Vec<QuestionKey> = store
            .list_unit_questions(municipality, unit.id)
            .await?
            .iter()
            .filter(|q| q.task.is_none())
            .map(question_key)
            .collect();
        unit_questions.sort();
        unit_entries.push(UnitEntry {
            login: unit.login.clone(),
            name: unit.name.clone(),
            department: unit.department.and_then(|d| {
                departments
                    .iter()
                    .find(|row| row.id == d)
                    .map(|row| row.name.clone())
            }),
            active: unit.active,
            tasks: unit_tasks,
            questions: unit_questions,
        });
    }
    Ok(SetupDocument {
        format: FORMAT.to_owned(),
        version: VERSION,
        municipality: municipality.get(),
        municipality_name: m.name,
        exported_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        departments: departments
            .iter()
            .map(|d| DepartmentEntry {
                name: d.name.clone(),
                active: d.active,
            })
            .collect(),
        tasks: tasks
            .iter()
            .filter(|t| t.municipality.is_some())
            .map(|t| TaskEntry {
                kle: t.kle.as_str().to_owned(),
                name: t.name.clone(),
                retired: t.retired,
            })
            .collect(),
        questions: questions
            .iter()
            .filter(|q| q.municipality.is_some())
            .map(|q| QuestionEntry {
                task: q.task.and_then(task_key),
                label_da: q.label_da.clone(),
                label_en: q.label_en.clone(),
                kind: q.answer_kind.code().to_owned(),
                sort_order: q.sort_order,
                active: q.active,
                options: q
                    .options
                    .iter()
                    .map(|o| OptionEntry {
                        code: o.code.clone(),
                        label_da: o.label_da.clone(),
                        label_en: o.label_en.clone(),
                        sort_order: o.sort_order,
                    })
                    .collect(),
            })
            .collect(),
        units: unit_entries,
        prices: own_prices
            .iter()
            .map(|p| {
                let (minutes, hourly) = prices::time_parts(p.basis);
                PriceEntry {
                    channel: p.channel.to_string(),
                    task: p.task.and_then(task_key),
                    valid_from: p.valid_from.to_string(),
                    price_ore: p.price_ore,
                    minutes_hundredths: minutes,
                    hourly_cost_ore: hourly,
                    reckoning: prices::reckoning(p.basis),
                    source: p.source.clone(),
                    source_year: p.source_year,
                    example: p.example,
                }
            })
            .collect(),
    })
}

fn key_of_task(t: &TaskRow) -> TaskKey {
    TaskKey {
        kle: t.kle.as_str().to_owned(),
        name: t.name.clone(),
        own: t.municipality.is_some(),
    }
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupImported {
    pub municipality: MunicipalityCode,
    pub departments: usize,
    pub tasks: usize,
    pub questions: usize,
    pub units: usize,
    /// The municipality's own channel prices kept.
    pub prices: usize,
    /// Changes stored in all (0: everything was there already).
    pub changes: usize,
}

/// Creates what the document has and the installation lacks, in one
/// transaction; refuses the whole document, naming every clash, when
/// something exists otherwise than the document has it.
pub async fn import_setup(
    store: &dyn Store,
    actor: &Actor,
    document: &SetupDocument,
) -> CoreResult<SetupImported> {
    let municipality = MunicipalityCode::new(document.municipality)
        .map_err(|e| CoreError::Invalid(e.to_string()))?;
    if store.get_municipality(municipality).await?.is_none() {
        return Err(CoreError::Invalid(da!(
            "Kommune {municipality} findes ikke i denne installation. Kør komhen migrate først."
        )));
    }
    let mut plan = Plan::new(municipality, actor);
    let mut clashes: Vec<String> = Vec::new();
    let mut summary = SetupImported {
        municipality,
        departments: 0,
        tasks: 0,
        questions: 0,
        units: 0,
        prices: 0,
        changes: 0,
    };

    // Departments, by name.
    let existing = store.list_departments(municipality).await?;
    let mut departments: BTreeMap<String, i64> = BTreeMap::new();
    for d in &document.departments {
        let name = clean_name(&d.name, dl!("forvaltningens navn"), 100)?;
        match existing.iter().find(|row| row.name == name) {
            Some(row) if row.active == d.active => {
                departments.insert(name, row.id.0);
            }
            Some(_) => clashes.push(da!(
                "forvaltningen «{name}» findes, men er {}",
                if d.active {
                    dl!("lukket")
                } else {
                    dl!("aktiv")
                }
            )),
            None => {
                let step = plan.push(
                    SetupChange::CreateDepartment(NewDepartment {
                        municipality,
                        name: name.clone(),
                    }),
                    "create",
                    "department",
                    json!({ "name": name, "from": "setup" }),
                );
                if !d.active {
                    plan.push(
                        SetupChange::UpdateDepartment {
                            municipality,
                            department: komhen_domain::DepartmentId(step),
                            name: name.clone(),
                            active: false,
                        },
                        "update",
                        "department",
                        json!({ "active": false }),
                    );
                }
                departments.insert(name, step);
                summary.departments += 1;
            }
        }
    }

    // Tasks: national ones must be there; own ones by number and name.
    let existing_tasks = store.list_tasks(municipality).await?;
    let mut tasks: BTreeMap<TaskKey, i64> = existing_tasks
        .iter()
        .map(|t| (key_of_task(t), t.id.0))
        .collect();
    // National tasks are known by number alone.
    let national: BTreeMap<String, i64> = existing_tasks
        .iter()
        .filter(|t| t.municipality.is_none())
        .map(|t| (t.kle.as_str().to_owned(), t.id.0))
        .collect();
    for t in &document.tasks {
        let kle = KleNumber::parse(&t.kle).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let name = clean_name(&t.name, dl!("opgavens navn"), 150)?;
        let key = TaskKey {
            kle: kle.as_str().to_owned(),
            name: name.clone(),
            own: true,
        };
        match existing_tasks.iter().find(|row| key_of_task(row) == key) {
            Some(row) if row.retired == t.retired => {}
            Some(_) => clashes.push(da!(
                "opgaven {kle} «{name}» findes, men er {}",
                if t.retired {
                    dl!("i brug")
                } else {
                    dl!("udgået")
                }
            )),
            None => {
                if let Some(clash) = own_task_clash(&existing_tasks, &kle, &name) {
                    clashes.push(clash);
                    continue;
                }
                let kind = task_kind(store, &kle).await?;
                let step = plan.push(
                    SetupChange::CreateLocalTask(NewLocalTask {
                        municipality,
                        kle: kle.clone(),
                        kind,
                        name: name.clone(),
                    }),
                    "create",
                    "task",
                    json!({ "kle": kle.as_str(), "kind": kind.code(), "name": name, "from": "setup" }),
                );
                if t.retired {
                    plan.push(
                        SetupChange::SetTaskRetired {
                            municipality: Some(municipality),
                            task: TaskId(step),
                            retired: true,
                        },
                        "retire",
                        "task",
                        json!({ "retired": true }),
                    );
                }
                tasks.insert(key, step);
                summary.tasks += 1;
            }
        }
    }
    let resolve_task = |key: &TaskKey, clashes: &mut Vec<String>| -> Option<i64> {
        let found = if key.own {
            tasks.get(key).copied()
        } else {
            national.get(&key.kle).copied()
        };
        if found.is_none() {
            clashes.push(if key.own {
                da!(
                    "opgaven {} «{}» står hverken i filen eller i kommunen",
                    key.kle, key.name
                )
            } else {
                da!(
                    "den nationale opgave {} «{}» findes ikke i denne installation (kør komhen migrate)",
                    key.kle, key.name
                )
            });
        }
        found
    };

    // Questions of the municipality's own, by task and text; national
    // parameters by code.
    let existing_questions = store.list_all_questions(municipality).await?;
    let mut questions: BTreeMap<QuestionKey, i64> = BTreeMap::new();
    for q in existing_questions.iter().filter(|q| q.code.is_some()) {
        questions.insert(
            QuestionKey {
                code: q.code.clone(),
                task: None,
                label: String::new(),
            },
            q.id.0,
        );
    }
    for q in &document.questions {
        let label = clean_name(&q.label_da, dl!("spørgsmålet"), 200)?;
        let kind = AnswerKind::parse(&q.kind).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let task = match &q.task {
            Some(key) => match resolve_task(key, &mut clashes) {
                Some(id) => Some(TaskId(id)),
                None => continue,
            },
            None => None,
        };
        let key = QuestionKey {
            code: None,
            task: q.task.clone(),
            label: label.clone(),
        };
        let same_task = |row: &QuestionRow| match (row.task, task) {
            (Some(a), Some(b)) => a == b,
            (None, None) => true,
            _ => false,
        };
        let found = existing_questions
            .iter()
            .find(|row| row.municipality.is_some() && row.label_da == label && same_task(row));
        let options: Vec<AnswerOption> = q
            .options
            .iter()
            .map(|o| AnswerOption {
                code: o.code.clone(),
                label_da: o.label_da.clone(),
                label_en: o.label_en.clone(),
                sort_order: o.sort_order,
            })
            .collect();
        match found {
            Some(row) => {
                let same_options = row.options.len() == options.len()
                    && row
                        .options
                        .iter()
                        .zip(&options)
                        .all(|(a, b)| a.code == b.code && a.label_da == b.label_da);
                if row.active == q.active && row.answer_kind == kind && same_options {
                    questions.insert(key, row.id.0);
                } else {
                    clashes.push(if row.active {
                        da!("spørgsmålet «{label}» findes med andre svarmuligheder eller slået til")
                    } else {
                        da!("spørgsmålet «{label}» findes med andre svarmuligheder eller slået fra")
                    });
                }
            }
            None => {
                let step = plan.push(
                    SetupChange::CreateQuestion(NewQuestion {
                        municipality: Some(municipality),
                        code: None,
                        task,
                        label_da: label.clone(),
                        label_en: q.label_en.clone(),
                        answer_kind: kind,
                        sort_order: q.sort_order,
                        options,
                    }),
                    "create",
                    "question",
                    json!({ "label": label, "from": "setup" }),
                );
                if !q.active {
                    plan.push(
                        SetupChange::SetQuestionActive {
                            municipality: Some(municipality),
                            question: QuestionId(step),
                            active: false,
                        },
                        "deactivate",
                        "question",
                        json!({ "active": false }),
                    );
                }
                questions.insert(key, step);
                summary.questions += 1;
            }
        }
    }

    // Units, by login (unique across the country).
    let existing_units = store.list_units(municipality).await?;
    let assignments = store.list_assignments(municipality).await?;
    for u in &document.units {
        let login = clean_login(municipality, &u.login)?;
        let name = clean_name(&u.name, dl!("enhedens navn"), 100)?;
        let department = match &u.department {
            Some(d) => match departments.get(d) {
                Some(id) => Some(komhen_domain::DepartmentId(*id)),
                None => {
                    clashes.push(da!(
                        "enheden {login} hører til forvaltningen «{d}», som ikke står i filen"
                    ));
                    continue;
                }
            },
            None => None,
        };
        let mut unit_tasks = Vec::new();
        for key in &u.tasks {
            if let Some(id) = resolve_task(key, &mut clashes) {
                unit_tasks.push(TaskId(id));
            }
        }
        let mut unit_questions = Vec::new();
        for key in &u.questions {
            match questions.get(key) {
                Some(id) => unit_questions.push(QuestionId(*id)),
                None => clashes.push(da!(
                    "enheden {login} har spørgsmålet «{}», som ikke findes",
                    key.code.as_deref().unwrap_or(&key.label)
                )),
            }
        }
        match existing_units.iter().find(|row| row.login == login) {
            Some(row) => {
                let has: BTreeSet<i64> = assignments
                    .iter()
                    .filter(|a| a.unit == row.id)
                    .map(|a| a.task.0)
                    .collect();
                let wants: BTreeSet<i64> = unit_tasks.iter().map(|t| t.0).collect();
                let asked: BTreeSet<i64> = store
                    .list_unit_questions(municipality, row.id)
                    .await?
                    .iter()
                    .filter(|q| q.task.is_none())
                    .map(|q| q.id.0)
                    .collect();
                let wanted: BTreeSet<i64> = unit_questions.iter().map(|q| q.0).collect();
                let mut differs = Vec::new();
                if row.name != name {
                    differs.push(da!("hedder «{}»", row.name));
                }
                if row.department.map(|d| d.0) != department.map(|d| d.0) {
                    differs.push(dl!("hører til en anden forvaltning").to_owned());
                }
                if row.active != u.active {
                    differs.push(
                        if row.active {
                            dl!("er aktiv")
                        } else {
                            dl!("er lukket")
                        }
                        .to_owned(),
                    );
                }
                if has != wants {
                    differs.push(dl!("har andre opgaver").to_owned());
                }
                if asked != wanted {
                    differs.push(dl!("har andre valgfrie parametre").to_owned());
                }
                if !differs.is_empty() {
                    clashes.push(da!("enheden {login} findes, men {}", differs.join(" og ")));
                }
            }
            None => {
                if let Some(other) = store.find_unit_by_login(&login).await? {
                    clashes.push(da!(
                        "login {login} bruges allerede af en enhed i kommune {}",
                        other.municipality
                    ));
                    continue;
                }
                let step = plan.push(
                    SetupChange::CreateUnit(NewUnit {
                        municipality,
                        department,
                        name: name.clone(),
                        login: login.clone(),
                        password_hash: None,
                    }),
                    "create",
                    "unit",
                    json!({ "name": name, "login": login, "from": "setup" }),
                );
                let unit = komhen_domain::UnitId(step);
                if !u.active {
                    plan.push(
                        SetupChange::UpdateUnit {
                            municipality,
                            unit,
                            department,
                            name: name.clone(),
                            login: login.clone(),
                            active: false,
                        },
                        "update",
                        "unit",
                        json!({ "active": false }),
                    );
                }
                if !unit_tasks.is_empty() {
                    plan.push(
                        SetupChange::SetUnitTasks {
                            municipality,
                            unit,
                            tasks: unit_tasks,
                        },
                        "set_tasks",
                        "unit",
                        json!({ "tasks": u.tasks.len() }),
                    );
                }
                if !unit_questions.is_empty() {
                    plan.push(
                        SetupChange::SetUnitQuestions {
                            municipality,
                            unit,
                            questions: unit_questions,
                        },
                        "set_questions",
                        "unit",
                        json!({ "questions": u.questions.len() }),
                    );
                }
                summary.units += 1;
            }
        }
    }

    // The municipality's own prices, by channel, task and date; each checked
    // as the price page checks one and kept through the same audited change.
    let channels = store.list_channels().await?;
    let existing_prices = store.list_channel_prices(Some(municipality)).await?;
    let now = Utc::now();
    for p in &document.prices {
        let mut problems = Vec::new();
        let task = match &p.task {
            Some(key) => match resolve_task(key, &mut clashes) {
                Some(id) => Some(TaskId(id)),
                None => continue,
            },
            None => None,
        };
        if !channels.iter().any(|c| c.code.as_str() == p.channel) {
            problems.push(da!("«{}» er ikke en kanal.", p.channel));
        }
        let price = match prices::check_with_task(
            &p.input(),
            Some(municipality),
            task,
            problems,
            actor,
            now,
        ) {
            Ok(price) => price,
            Err(e) => {
                clashes.push(da!("{} kan ikke bruges: {e}", p.describe()));
                continue;
            }
        };
        if price.price_ore != p.price_ore {
            clashes.push(da!(
                "{} er {} i filen, men udregningen {} giver {}",
                p.describe(),
                prices::kroner(p.price_ore),
                prices::reckoning(price.basis),
                prices::kroner(price.price_ore)
            ));
            continue;
        }
        let before = existing_prices.iter().find(|row| {
            row.municipality == Some(municipality)
                && row.channel == price.channel
                && row.task == price.task
                && row.valid_from == price.valid_from
        });
        match before {
            Some(row)
                if row.price_ore == price.price_ore
                    && row.basis == price.basis
                    && row.source == price.source
                    && row.source_year == price.source_year
                    && row.example == price.example => {}
            Some(row) => clashes.push(if row.source == price.source {
                da!(
                    "{} findes, men er {}",
                    p.describe(),
                    prices::kroner(row.price_ore)
                )
            } else {
                da!(
                    "{} findes, men er {} med kilden «{}»",
                    p.describe(),
                    prices::kroner(row.price_ore),
                    row.source
                )
            }),
            None => {
                let mut entry = prices::set_entry(&price, None);
                if task.is_some_and(|t| t.0 < 0) {
                    // A task this import creates has no id yet: the store
                    // names the price by the id it gets.
                    entry.entity_id = String::new();
                }
                if let Some(serde_json::Value::Object(after)) = entry.after.as_mut() {
                    after.insert("from".to_owned(), json!("setup"));
                }
                plan.push_entry(SetupChange::SetChannelPrice(price), entry);
                summary.prices += 1;
            }
        }
    }

    if !clashes.is_empty() {
        clashes.sort();
        clashes.dedup();
        return Err(CoreError::Invalid(da!(
            "Opsætningen er ikke indlæst, for den støder sammen med det, kommune {municipality} har: {}.",
            clashes.join("; ")
        )));
    }
    summary.changes = plan.steps.len();
    if !plan.steps.is_empty() {
        store.apply_all(&plan.steps).await.map_err(|e| match e {
            komhen_store::StoreError::Conflict(_) | komhen_store::StoreError::NotFound(_) => {
                tracing::warn!(error = %e, "set-up import refused by the store");
                CoreError::Invalid(
                    dl!(
                        "Opsætningen blev afvist, og intet er gemt: kommunen blev ændret imens. \
                     Prøv igen."
                    )
                    .to_owned(),
                )
            }
            other => CoreError::Store(other),
        })?;
    }
    Ok(summary)
}

/// The changes an import will make, in order, with their audit entries.
struct Plan<'a> {
    municipality: MunicipalityCode,
    actor: &'a Actor,
    steps: Vec<PlannedChange>,
}

impl<'a> Plan<'a> {
    fn new(municipality: MunicipalityCode, actor: &'a Actor) -> Self {
        Self {
            municipality,
            actor,
            steps: Vec::new(),
        }
    }

    /// Adds a change; returns the id its row will have, for later steps.
    fn push(
        &mut self,
        change: SetupChange,
        action: &'static str,
        entity: &'static str,
        after: serde_json::Value,
    ) -> i64 {
        let entry = Entry {
            municipality: Some(self.municipality),
            action,
            entity,
            entity_id: String::new(),
            before: None,
            after: Some(after),
        };
        self.push_entry(change, entry)
    }

    /// Adds a change with an audit entry of its own making.
    fn push_entry(&mut self, change: SetupChange, entry: Entry) -> i64 {
        self.steps.push(PlannedChange {
            change,
            audit: audit_entry(self.actor, entry),
        });
        created_by(self.steps.len() - 1)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code: a failure should panic
mod tests {
    use super::*;

    fn document(version: u32, prices: Option<&str>) -> String {
        format!(
            r#"{{"format": "{FORMAT}", "version": {version}, "municipality": 259,
            "municipality_name": "Køge", "exported_at": "2026-01-01T00:00:00Z",
            "departments": [], "tasks": [], "questions": [], "units": []{}}}"#,
            prices.map_or_else(String::new, |p| format!(r#", "prices": {p}"#))
        )
    }

    const A_PRICE: &str = r#"[{"channel": "PRSNLG", "valid_from": "2025-10-01",
        "price_ore": 5028, "minutes_hundredths": 700, "hourly_cost_ore": 43100,
        "reckoning": "7 min. × 431,00 kr. i timen", "source": "Egen tidsmåling",
        "source_year": 2025, "example": false}]"#;

    #[test]
    fn a_version_1_document_is_read_without_prices_and_version_2_with_them() {
        let old = SetupDocument::from_json(document(1, None).as_bytes()).unwrap();
        assert!(old.prices.is_empty());
        let new = SetupDocument::from_json(document(2, Some(A_PRICE)).as_bytes()).unwrap();
        assert_eq!(new.prices.len(), 1);
        assert_eq!(new.prices[0].minutes_hundredths, Some(700));
        // The price as the page would have it typed: read back exactly.
        let input = new.prices[0].input();
        assert_eq!(
            (input.minutes.as_str(), input.hourly_cost.as_str()),
            ("7", "431,00")
        );
        assert_eq!(
            prices::price_from_time(700, prices::parse_kroner(&input.hourly_cost).unwrap()),
            5028
        );
        let written = String::from_utf8(new.to_json().unwrap()).unwrap();
        assert_eq!(SetupDocument::from_json(written.as_bytes()).unwrap(), new);
    }

    #[test]
    fn a_newer_version_or_a_version_1_with_prices_is_refused_in_danish() {
        let err = SetupDocument::from_json(document(3, Some("[]")).as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Opsætningen har version 3, men denne komhen læser version 2"),
            "{err}"
        );
        let err = SetupDocument::from_json(document(1, Some(A_PRICE)).as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("version 1, som ikke har priser"), "{err}");
        let unknown = document(2, Some(&A_PRICE.replace("\"example\"", "\"eksempel\"")));
        assert!(SetupDocument::from_json(unknown.as_bytes()).is_err());
    }
}
