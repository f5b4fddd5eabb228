// The set-up section of `Store`: every `SetupChange` applied inside one
// transaction together with its audit entry. `apply` opens the transaction,
// calls `apply_in`, writes the audit entry, raises the set-up version where
// the change alters units' catalogues, and commits; `apply_all` does the
// same for every step of a plan in one transaction. `apply_in` hands each
// change to the function of its family, each in a file of its own.

use super::*;

/// Refuses an id that does not belong to the municipality.
fn not_found(what: impl std::fmt::Display) -> StoreError {
    StoreError::not_found(what.to_string())
}

/// A unique-constraint violation named in the user's words.
fn conflict_as(message: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match db_err(e) {
        StoreError::Conflict(detail) => StoreError::Conflict(detail.with_description(message)),
        other => other,
    }
}

async fn require_unit(
    tx: &mut Tx<'_>,
    municipality: MunicipalityCode,
    unit: UnitId,
) -> StoreResult<()> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM units WHERE municipality_code = $1 AND id = $2")
            .bind(code_of(municipality))
            .bind(unit.0)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?;
    found
        .map(|_| ())
        .ok_or_else(|| not_found(format!("enhed {unit}")))
}

async fn require_department(
    tx: &mut Tx<'_>,
    municipality: MunicipalityCode,
    department: Option<DepartmentId>,
) -> StoreResult<()> {
    let Some(department) = department else {
        return Ok(());
    };
    let owner: Option<i32> =
        sqlx::query_scalar("SELECT municipality_code FROM departments WHERE id = $1")
            .bind(department.0)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?;
    if owner == Some(code_of(municipality)) {
        Ok(())
    } else {
        Err(not_found(format!("forvaltning {department}")))
    }
}

/// Tasks a unit of the municipality may have: national ones and its own.
async fn insert_unit_task(
    tx: &mut Tx<'_>,
    municipality: MunicipalityCode,
    unit: UnitId,
    task: TaskId,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO unit_tasks (municipality_code, unit_id, task_id) \
         SELECT $1, $2, id FROM tasks \
         WHERE id = $3 AND (municipality_code IS NULL OR municipality_code = $1) \
         ON CONFLICT (municipality_code, unit_id, task_id) DO NOTHING",
    )
    .bind(code_of(municipality))
    .bind(unit.0)
    .bind(task.0)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT task_id FROM unit_tasks WHERE municipality_code = $1 AND unit_id = $2 \
         AND task_id = $3",
    )
    .bind(code_of(municipality))
    .bind(unit.0)
    .bind(task.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?;
    exists
        .map(|_| ())
        .ok_or_else(|| not_found(format!("opgave {task}")))
}

/// Questions a unit of the municipality may switch on: national ones and its own.
async fn insert_unit_question(
    tx: &mut Tx<'_>,
    municipality: MunicipalityCode,
    unit: UnitId,
    question: QuestionId,
) -> StoreResult<()> {
    let done = sqlx::query(
        "INSERT INTO unit_questions (municipality_code, unit_id, question_id) \
         SELECT $1, $2, id FROM questions \
         WHERE id = $3 AND (municipality_code IS NULL OR municipality_code = $1) \
         ON CONFLICT (municipality_code, unit_id, question_id) DO NOTHING",
    )
    .bind(code_of(municipality))
    .bind(unit.0)
    .bind(question.0)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT question_id FROM unit_questions WHERE municipality_code = $1 \
             AND unit_id = $2 AND question_id = $3",
        )
        .bind(code_of(municipality))
        .bind(unit.0)
        .bind(question.0)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
        if exists.is_none() {
            return Err(not_found(format!("spørgsmål {question}")));
        }
    }
    Ok(())
}

/// Fails with NotFound unless the UPDATE or DELETE touched a row.
fn touched(
    done: <Db as sqlx::Database>::QueryResult,
    what: impl std::fmt::Display,
) -> StoreResult<Applied> {
    if done.rows_affected() == 0 {
        Err(not_found(what))
    } else {
        Ok(Applied {
            id: None,
            count: done.rows_affected(),
        })
    }
}

fn created(id: i64) -> Applied {
    Applied {
        id: Some(id),
        count: 1,
    }
}

/// Ends a unit's open sessions (password changed, unit deactivated).
async fn end_unit_sessions(tx: &mut Tx<'_>, unit: UnitId) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE unit_id = $1")
        .bind(unit.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Ends a user's open sessions (password changed, user deactivated).
async fn end_user_sessions(tx: &mut Tx<'_>, user: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The error of a change handed to a family that does not apply it.
/// `apply_in` routes every change to its own family, so this is a bug.
fn misrouted(_change: &SetupChange) -> StoreError {
    StoreError::internal("en ændring af opsætningen blev sendt til den forkerte funktion")
}

mod organisation {
    include!("organisation.rs");
}
mod unit_choices {
    include!("unit_choices.rs");
}
mod tasks {
    include!("tasks.rs");
}
mod questions {
    include!("questions.rs");
}
mod participation {
    include!("participation.rs");
}
mod catalogue {
    include!("catalogue.rs");
}
mod periods {
    include!("periods.rs");
}
mod code_lists {
    include!("code_lists.rs");
}
mod users {
    include!("users.rs");
}
mod website {
    include!("website.rs");
}
mod systems {
    include!("systems.rs");
}
mod reports {
    include!("reports.rs");
}
mod phone {
    include!("phone.rs");
}
mod import {
    include!("import.rs");
}
mod prices {
    include!("prices.rs");
}
mod strategy {
    include!("strategy.rs");
}
mod hotline {
    include!("hotline.rs");
}
mod questionnaires {
    include!("questionnaires.rs");
}
pub(super) use import::remove_import_setup;

impl Store {
    pub(super) async fn apply(
        &self,
        change: &SetupChange,
        audit: &NewAuditEntry,
    ) -> StoreResult<Applied> {
        let now = Utc::now();
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        let applied = Self::apply_audited(&mut tx, change, audit, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(applied)
    }

    pub(super) async fn apply_all(&self, plan: &[PlannedChange]) -> StoreResult<Vec<Applied>> {
        let now = Utc::now();
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        let mut created: Vec<Option<i64>> = Vec::with_capacity(plan.len());
        let mut done = Vec::with_capacity(plan.len());
        for step in plan {
            let change = step.change.with_created(&created).ok_or_else(|| {
                StoreError::internal(
                    "et trin i planen nævner en række, intet trin før det oprettede",
                )
            })?;
            let applied = Self::apply_audited(&mut tx, &change, &step.audit, now).await?;
            created.push(applied.id);
            done.push(applied);
        }
        tx.commit().await.map_err(db_err)?;
        Ok(done)
    }

    /// Applies one change with its audit entry on an open transaction, and
    /// raises the set-up version the change alters.
    async fn apply_audited(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        audit: &NewAuditEntry,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        let applied = Self::apply_in(tx, change, now).await?;
        let entity_id = match (audit.entity_id.is_empty(), applied.id) {
            (true, Some(id)) => id.to_string(),
            _ => audit.entity_id.clone(),
        };
        sqlx::query(
            "INSERT INTO audit_log (municipality_code, actor, action, entity, entity_id, \
             before_json, after_json, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(audit.municipality.map(code_of))
        .bind(&audit.actor)
        .bind(&audit.action)
        .bind(&audit.entity)
        .bind(entity_id)
        .bind(audit.before_json.as_deref())
        .bind(audit.after_json.as_deref())
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        if let Some(scope) = change.catalog_scope() {
            bump_setup_version(&mut **tx, scope).await?;
        }
        Ok(applied)
    }

    /// Applies one change on an open transaction.
    async fn apply_in(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            CreateDepartment(_)
            | UpdateDepartment { .. }
            | CreateUnit(_)
            | UpdateUnit { .. }
            | SetUnitPassword { .. } => Self::apply_organisation(tx, change, now).await,
            AssignTasks { .. }
            | SetUnitTasks { .. }
            | SetUnitQuestions { .. }
            | CopyUnitSetup { .. } => Self::apply_unit_choices(tx, change).await,
            CreateLocalTask(_)
            | SetTaskRetired { .. }
            | RenameTask { .. }
            | CreateNationalTask { .. } => Self::apply_tasks(tx, change, now).await,
            CreateQuestion(_) | SetQuestionActive { .. } => Self::apply_questions(tx, change).await,
            CreateImportSetup(_) => Self::apply_import_setup(tx, change, now).await,
            SetTestMode { .. } | DeleteTestRegistrations { .. } | SetParticipation { .. } => {
                Self::apply_participation(tx, change).await
            }
            ImportKle { .. } | CreateTaskPackage { .. } | SetPackageTask { .. } => {
                Self::apply_catalogue(tx, change).await
            }
            CreatePeriod(_)
            | UpdatePeriod { .. }
            | PublishPeriod { .. }
            | SetPeriodDeadline { .. } => Self::apply_periods(tx, change).await,
            UpsertChannel { .. } | SetInquiryTypeLabels { .. } | SetCompletionLabels { .. } => {
                Self::apply_code_lists(tx, change).await
            }
            CreateUser(_)
            | UpdateUser { .. }
            | SetUserPassword { .. }
            | GrantRole(_)
            | RevokeRole { .. }
            | CreateUserToken { .. }
            | RedeemUserToken { .. } => Self::apply_users(tx, change, now).await,
            CreateWebPage(_) | DeleteWebPage { .. } | SetOwnStatistics { .. } => {
                Self::apply_website(tx, change, now).await
            }
            CreateSystemToken(_) | RevokeSystemToken { .. } => {
                Self::apply_systems(tx, change, now).await
            }
            SetComparisonGroup { .. } | SavePeriodNotes { .. } => {
                Self::apply_reports(tx, change).await
            }
            CreateCdrRule(_) | DeleteCdrRule { .. } => Self::apply_phone(tx, change, now).await,
            SetChannelPrice(_) | RemoveChannelPrice { .. } => Self::apply_prices(tx, change).await,
            SaveScenario(_)
            | RemoveScenario { .. }
            | SetTarget(_)
            | RemoveTarget { .. }
            | SetInitiative(_)
            | RemoveInitiative { .. } => Self::apply_strategy(tx, change).await,
            CreateHotline { .. }
            | UpdateHotline { .. }
            | SetHotlineQueues { .. }
            | AddHotlineMember { .. }
            | EndHotlineMembership { .. }
            | SetOpeningHours { .. }
            | GrantHotlineRole { .. }
            | RevokeHotlineRole { .. }
            | SetHotlinePrice(_)
            | RemoveHotlinePrice { .. }
            | AddShift(_)
            | RemoveShift { .. }
            | IssueStatement(_)
            | AddHotlineUnit { .. }
            | RemoveHotlineUnit { .. } => Self::apply_hotline(tx, change).await,
            CreateQuestionnaire(_)
            | UpdateQuestionnaire { .. }
            | SetQuestionnaireState { .. }
            | AddQuestionnaireQuestion(_)
            | RemoveQuestionnaireQuestion { .. }
            | MoveQuestionnaireQuestion { .. }
            | SendQuestionnaire { .. }
            | SaveQuestionnaireResponse(_) => Self::apply_questionnaires(tx, change, now).await,
        }
    }
}
