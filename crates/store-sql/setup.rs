// Set-up changes (`komhen_store::SetupChange`) applied inside one
// transaction, shared by both backends like `queries.rs` (and included into
// the same module, so it uses that file's helpers). `Store::apply` opens the
// transaction, calls `apply_in`, writes the audit entry, raises the set-up
// version where the change alters units' catalogues, and commits.

type Tx<'c> = sqlx::Transaction<'c, Db>;

/// Refuses an id that does not belong to the municipality.
fn not_found(what: impl std::fmt::Display) -> StoreError {
    StoreError::NotFound(what.to_string())
}

/// A unique-constraint violation named in the user's words.
fn conflict_as(message: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match db_err(e) {
        StoreError::Conflict(_) => StoreError::Conflict(message),
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

impl Store {
    /// Applies one change on an open transaction.
    async fn apply_in(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            CreateDepartment(d) => sqlx::query_scalar(
                "INSERT INTO departments (municipality_code, name, created_at) \
                 VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(code_of(d.municipality))
            .bind(&d.name)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(conflict_as(format!(
                "forvaltningen «{}» findes allerede",
                d.name
            ))),
            UpdateDepartment {
                municipality,
                department,
                name,
                active,
            } => {
                let done = sqlx::query(
                    "UPDATE departments SET name = $3, active = $4 \
                     WHERE municipality_code = $1 AND id = $2",
                )
                .bind(code_of(*municipality))
                .bind(department.0)
                .bind(name)
                .bind(active)
                .execute(&mut **tx)
                .await
                .map_err(conflict_as(format!(
                    "forvaltningen «{name}» findes allerede"
                )))?;
                touched(done, format!("forvaltning {department}"))
            }
            CreateUnit(u) => {
                require_department(tx, u.municipality, u.department).await?;
                sqlx::query_scalar(
                    "INSERT INTO units (municipality_code, department_id, name, login, \
                     password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(code_of(u.municipality))
                .bind(u.department.map(|d| d.0))
                .bind(&u.name)
                .bind(&u.login)
                .bind(u.password_hash.as_deref())
                .bind(now)
                .fetch_one(&mut **tx)
                .await
                .map(created)
                .map_err(conflict_as(format!("login {}", u.login)))
            }
            UpdateUnit {
                municipality,
                unit,
                department,
                name,
                login,
                active,
            } => {
                require_department(tx, *municipality, *department).await?;
                let done = sqlx::query(
                    "UPDATE units SET department_id = $3, name = $4, login = $5, active = $6 \
                     WHERE municipality_code = $1 AND id = $2",
                )
                .bind(code_of(*municipality))
                .bind(unit.0)
                .bind(department.map(|d| d.0))
                .bind(name)
                .bind(login)
                .bind(active)
                .execute(&mut **tx)
                .await
                .map_err(conflict_as(format!("login {login}")))?;
                let applied = touched(done, format!("enhed {unit}"))?;
                if !active {
                    end_unit_sessions(tx, *unit).await?;
                }
                Ok(applied)
            }
            SetUnitPassword {
                municipality,
                unit,
                password_hash,
            } => {
                let done = sqlx::query(
                    "UPDATE units SET password_hash = $3 WHERE municipality_code = $1 AND id = $2",
                )
                .bind(code_of(*municipality))
                .bind(unit.0)
                .bind(password_hash.as_deref())
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                let applied = touched(done, format!("enhed {unit}"))?;
                end_unit_sessions(tx, *unit).await?;
                Ok(applied)
            }
            AssignTasks {
                municipality,
                unit,
                tasks,
            } => {
                require_unit(tx, *municipality, *unit).await?;
                for task in tasks {
                    insert_unit_task(tx, *municipality, *unit, *task).await?;
                }
                Ok(Applied {
                    id: None,
                    count: tasks.len() as u64,
                })
            }
            SetUnitTasks {
                municipality,
                unit,
                tasks,
            } => {
                require_unit(tx, *municipality, *unit).await?;
                sqlx::query("DELETE FROM unit_tasks WHERE municipality_code = $1 AND unit_id = $2")
                    .bind(code_of(*municipality))
                    .bind(unit.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                for task in tasks {
                    insert_unit_task(tx, *municipality, *unit, *task).await?;
                }
                Ok(Applied {
                    id: None,
                    count: tasks.len() as u64,
                })
            }
            SetUnitQuestions {
                municipality,
                unit,
                questions,
            } => {
                require_unit(tx, *municipality, *unit).await?;
                sqlx::query(
                    "DELETE FROM unit_questions WHERE municipality_code = $1 AND unit_id = $2",
                )
                .bind(code_of(*municipality))
                .bind(unit.0)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                for question in questions {
                    insert_unit_question(tx, *municipality, *unit, *question).await?;
                }
                Ok(Applied {
                    id: None,
                    count: questions.len() as u64,
                })
            }
            CopyUnitSetup {
                municipality,
                from,
                to,
            } => {
                require_unit(tx, *municipality, *from).await?;
                require_unit(tx, *municipality, *to).await?;
                let code = code_of(*municipality);
                for clear in [
                    "DELETE FROM unit_tasks WHERE municipality_code = $1 AND unit_id = $2",
                    "DELETE FROM unit_questions WHERE municipality_code = $1 AND unit_id = $2",
                ] {
                    sqlx::query(clear)
                        .bind(code)
                        .bind(to.0)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                }
                for copy in [
                    "INSERT INTO unit_tasks (municipality_code, unit_id, task_id) \
                     SELECT municipality_code, $2, task_id FROM unit_tasks \
                     WHERE municipality_code = $1 AND unit_id = $3",
                    "INSERT INTO unit_questions (municipality_code, unit_id, question_id) \
                     SELECT municipality_code, $2, question_id FROM unit_questions \
                     WHERE municipality_code = $1 AND unit_id = $3",
                ] {
                    sqlx::query(copy)
                        .bind(code)
                        .bind(to.0)
                        .bind(from.0)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                }
                Ok(Applied::default())
            }
            CreateLocalTask(task) => sqlx::query_scalar(
                "INSERT INTO tasks (municipality_code, kle_number, code_kind, name, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(code_of(task.municipality))
            .bind(task.kle.as_str())
            .bind(task.kind.code())
            .bind(&task.name)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(conflict_as(format!(
                "kommunen har allerede opgaven {} «{}»",
                task.kle, task.name
            ))),
            SetTaskRetired {
                municipality,
                task,
                retired,
            } => {
                let done = sqlx::query(
                    "UPDATE tasks SET retired_at = $3 \
                     WHERE id = $2 AND municipality_code IS NOT DISTINCT FROM $1",
                )
                .bind(municipality.map(code_of))
                .bind(task.0)
                .bind(retired.then_some(now))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("opgave {task}"))
            }
            RenameTask {
                municipality,
                task,
                name,
            } => {
                let done = sqlx::query(
                    "UPDATE tasks SET name = $3 \
                     WHERE id = $2 AND municipality_code IS NOT DISTINCT FROM $1",
                )
                .bind(municipality.map(code_of))
                .bind(task.0)
                .bind(name)
                .execute(&mut **tx)
                .await
                .map_err(conflict_as(format!("opgaven «{name}» findes allerede")))?;
                touched(done, format!("opgave {task}"))
            }
            CreateQuestion(question) => {
                if let Some(task) = question.task {
                    // A question may hang on a national task or one of its own.
                    let allowed: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM tasks WHERE id = $1 \
                         AND (municipality_code IS NULL OR municipality_code = $2)",
                    )
                    .bind(task.0)
                    .bind(question.municipality.map(code_of))
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    if allowed.is_none() {
                        return Err(not_found(format!("opgave {task}")));
                    }
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO questions (municipality_code, code, task_id, label_da, \
                     label_en, answer_kind, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     RETURNING id",
                )
                .bind(question.municipality.map(code_of))
                .bind(question.code.as_deref())
                .bind(question.task.map(|t| t.0))
                .bind(&question.label_da)
                .bind(&question.label_en)
                .bind(question.answer_kind.code())
                .bind(question.sort_order)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?;
                for o in &question.options {
                    sqlx::query(
                        "INSERT INTO question_options (question_id, code, label_da, label_en, \
                         sort_order) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id)
                    .bind(&o.code)
                    .bind(&o.label_da)
                    .bind(&o.label_en)
                    .bind(o.sort_order)
                    .execute(&mut **tx)
                    .await
                    .map_err(conflict_as(format!(
                        "svarmuligheden «{}» står der to gange",
                        o.code
                    )))?;
                }
                Ok(created(id))
            }
            SetQuestionActive {
                municipality,
                question,
                active,
            } => {
                let done = sqlx::query(
                    "UPDATE questions SET active = $3 \
                     WHERE id = $2 AND municipality_code IS NOT DISTINCT FROM $1",
                )
                .bind(municipality.map(code_of))
                .bind(question.0)
                .bind(active)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("spørgsmål {question}"))
            }
            SetTestMode {
                municipality,
                on,
                until,
            } => {
                let done = sqlx::query(
                    "UPDATE municipalities SET test_mode = $2, test_mode_until = $3 \
                     WHERE code = $1",
                )
                .bind(code_of(*municipality))
                .bind(on)
                .bind(if *on { *until } else { None })
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("kommune {municipality}"))
            }
            DeleteTestRegistrations { municipality } => {
                // Rows of committed batches leave the cube here; rows typed
                // in the tool leave it through the delete trigger.
                cube_apply(
                    tx,
                    "r.municipality_code = $1 AND r.is_test AND r.import_batch_id IN \
                     (SELECT id FROM import_batches WHERE status = 'committed')",
                    i64::from(code_of(*municipality)),
                    -1,
                )
                .await?;
                sqlx::query(
                    "DELETE FROM registration_answers WHERE municipality_code = $1 \
                     AND registration_id IN (SELECT id FROM registrations \
                     WHERE municipality_code = $1 AND is_test)",
                )
                .bind(code_of(*municipality))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                let done = sqlx::query(
                    "DELETE FROM registrations WHERE municipality_code = $1 AND is_test",
                )
                .bind(code_of(*municipality))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(Applied {
                    id: None,
                    count: done.rows_affected(),
                })
            }
            SetParticipation {
                municipality,
                period,
                joined,
                units,
            } => {
                let code = code_of(*municipality);
                let open: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM counting_periods WHERE id = $1 \
                     AND (municipality_code IS NULL OR municipality_code = $2)",
                )
                .bind(period.0)
                .bind(code)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
                if open.is_none() {
                    return Err(not_found(format!("tælleperiode {period}")));
                }
                sqlx::query(
                    "DELETE FROM period_units WHERE municipality_code = $1 AND period_id = $2",
                )
                .bind(code)
                .bind(period.0)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                if !joined {
                    sqlx::query(
                        "DELETE FROM period_participations \
                         WHERE municipality_code = $1 AND period_id = $2",
                    )
                    .bind(code)
                    .bind(period.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    return Ok(Applied::default());
                }
                sqlx::query(
                    "INSERT INTO period_participations (municipality_code, period_id) \
                     VALUES ($1, $2) ON CONFLICT (municipality_code, period_id) DO NOTHING",
                )
                .bind(code)
                .bind(period.0)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                for unit in units {
                    let done = sqlx::query(
                        "INSERT INTO period_units (municipality_code, period_id, unit_id) \
                         SELECT municipality_code, $2, id FROM units \
                         WHERE municipality_code = $1 AND id = $3 \
                         ON CONFLICT (municipality_code, period_id, unit_id) DO NOTHING",
                    )
                    .bind(code)
                    .bind(period.0)
                    .bind(unit.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        require_unit(tx, *municipality, *unit).await?;
                    }
                }
                Ok(Applied {
                    id: None,
                    count: units.len() as u64,
                })
            }
            ImportKle {
                entries,
                retire_missing,
            } => {
                if *retire_missing {
                    // Present entries are brought back by the upsert below.
                    sqlx::query("UPDATE kle_entries SET retired = TRUE")
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                }
                for chunk in entries.chunks(INSERT_CHUNK) {
                    let mut builder: QueryBuilder<Db> = QueryBuilder::new(
                        "INSERT INTO kle_entries (number, level, title, parent_number, retired) ",
                    );
                    builder.push_values(chunk, |mut b, e| {
                        b.push_bind(e.number.as_str().to_owned())
                            .push_bind(e.level.code())
                            .push_bind(e.title.clone())
                            .push_bind(e.parent.as_ref().map(|p| p.as_str().to_owned()))
                            .push_bind(false);
                    });
                    builder.push(
                        " ON CONFLICT (number) DO UPDATE SET level = excluded.level, \
                         title = excluded.title, parent_number = excluded.parent_number, \
                         retired = FALSE",
                    );
                    builder.build().execute(&mut **tx).await.map_err(db_err)?;
                }
                Ok(Applied {
                    id: None,
                    count: entries.len() as u64,
                })
            }
            CreateNationalTask { kle, kind, name } => sqlx::query_scalar(
                "INSERT INTO tasks (municipality_code, kle_number, code_kind, name, created_at) \
                 VALUES (NULL, $1, $2, $3, $4) RETURNING id",
            )
            .bind(kle.as_str())
            .bind(kind.code())
            .bind(name)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(conflict_as(format!(
                "den nationale opgave {kle} findes allerede"
            ))),
            CreateTaskPackage {
                code,
                name_da,
                season,
                year,
                copy_from,
            } => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO task_packages (code, name_da, name_en, season, year) \
                     VALUES ($1, $2, $2, $3, $4) RETURNING id",
                )
                .bind(code)
                .bind(name_da)
                .bind(season.code())
                .bind(year)
                .fetch_one(&mut **tx)
                .await
                .map_err(conflict_as(format!("opgavepakken {code} findes allerede")))?;
                if let Some(from) = copy_from {
                    sqlx::query(
                        "INSERT INTO task_package_tasks (task_package_id, task_id, mandatory) \
                         SELECT $1, task_id, mandatory FROM task_package_tasks \
                         WHERE task_package_id = $2",
                    )
                    .bind(id)
                    .bind(from.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                }
                Ok(created(id))
            }
            SetPackageTask {
                package,
                task,
                mandatory: Some(mandatory),
            } => {
                let done = sqlx::query(
                    "INSERT INTO task_package_tasks (task_package_id, task_id, mandatory) \
                     SELECT p.id, t.id, $3 FROM task_packages p, tasks t \
                     WHERE p.id = $1 AND t.id = $2 AND t.municipality_code IS NULL \
                     ON CONFLICT (task_package_id, task_id) \
                     DO UPDATE SET mandatory = excluded.mandatory",
                )
                .bind(package.0)
                .bind(task.0)
                .bind(mandatory)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(
                    done,
                    format!("opgavepakke {package} eller national opgave {task}"),
                )
            }
            SetPackageTask {
                package,
                task,
                mandatory: None,
            } => {
                let done = sqlx::query(
                    "DELETE FROM task_package_tasks WHERE task_package_id = $1 AND task_id = $2",
                )
                .bind(package.0)
                .bind(task.0)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("opgave {task} i opgavepakke {package}"))
            }
            CreatePeriod(period) => {
                let p = &period.period;
                if period.municipality.is_none() {
                    let existing: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM counting_periods WHERE municipality_code IS NULL \
                         AND starts_on = $1 AND ends_on = $2",
                    )
                    .bind(p.starts_on)
                    .bind(p.ends_on)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    if let Some(id) = existing {
                        return Ok(Applied {
                            id: Some(id),
                            count: 0,
                        });
                    }
                }
                sqlx::query_scalar(
                    "INSERT INTO counting_periods (municipality_code, name, year, season, \
                     starts_on, ends_on, mandatory, submission_deadline, task_package_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(period.municipality.map(code_of))
                .bind(&p.name)
                .bind(p.year)
                .bind(p.season.map(Season::code))
                .bind(p.starts_on)
                .bind(p.ends_on)
                .bind(p.mandatory)
                .bind(p.submission_deadline)
                .bind(period.task_package.map(|t| t.0))
                .fetch_one(&mut **tx)
                .await
                .map(created)
                .map_err(db_err)
            }
            UpdatePeriod {
                period,
                name,
                mandatory,
                submission_deadline,
                task_package,
            } => {
                let done = sqlx::query(
                    "UPDATE counting_periods SET name = $2, mandatory = $3, \
                     submission_deadline = $4, task_package_id = $5 WHERE id = $1",
                )
                .bind(period.0)
                .bind(name)
                .bind(mandatory)
                .bind(submission_deadline)
                .bind(task_package.map(|p| p.0))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("tælleperiode {period}"))
            }
            PublishPeriod { period, at } => {
                let done = sqlx::query(
                    "UPDATE counting_periods SET published_at = $2 \
                     WHERE id = $1 AND municipality_code IS NULL",
                )
                .bind(period.0)
                .bind(at)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("national tælleperiode {period}"))
            }
            UpsertChannel { channel: c, active } => {
                sqlx::query(
                    "INSERT INTO channels (code, label_da, label_en, medium, direction, \
                     form_applicable, digital, sort_order, active) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (code) DO UPDATE SET label_da = excluded.label_da, \
                     label_en = excluded.label_en, form_applicable = excluded.form_applicable, \
                     digital = excluded.digital, sort_order = excluded.sort_order, \
                     active = excluded.active",
                )
                .bind(c.code.as_str())
                .bind(&c.label_da)
                .bind(&c.label_en)
                .bind(c.medium.code())
                .bind(c.direction.code())
                .bind(c.form_applicable)
                .bind(c.digital)
                .bind(c.sort_order)
                .bind(active)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(Applied { id: None, count: 1 })
            }
            SetInquiryTypeLabels {
                inquiry_type,
                label_da,
                label_en,
            } => {
                let done = sqlx::query(
                    "UPDATE inquiry_types SET label_da = $2, label_en = $3 WHERE code = $1",
                )
                .bind(inquiry_type.code())
                .bind(label_da)
                .bind(label_en)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("henvendelsestype {}", inquiry_type.code()))
            }
            SetCompletionLabels {
                completion,
                label_da,
                label_en,
            } => {
                let done = sqlx::query(
                    "UPDATE completions SET label_da = $2, label_en = $3 WHERE code = $1",
                )
                .bind(completion.code())
                .bind(label_da)
                .bind(label_en)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("afslutning {}", completion.code()))
            }
            CreateUser(user) => sqlx::query_scalar(
                "INSERT INTO users (email, name, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user.email.trim().to_lowercase())
            .bind(&user.name)
            .bind(user.password_hash.as_deref())
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(conflict_as(format!("e-mail {}", user.email))),
            UpdateUser { user, name, active } => {
                let done = sqlx::query("UPDATE users SET name = $2, active = $3 WHERE id = $1")
                    .bind(user.0)
                    .bind(name)
                    .bind(active)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                let applied = touched(done, format!("bruger {user}"))?;
                if !active {
                    end_user_sessions(tx, user.0).await?;
                }
                Ok(applied)
            }
            SetUserPassword {
                user,
                password_hash,
            } => {
                let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(user.0)
                    .bind(password_hash)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                let applied = touched(done, format!("bruger {user}"))?;
                end_user_sessions(tx, user.0).await?;
                Ok(applied)
            }
            GrantRole(grant) => {
                if let (Some(unit), Some(municipality)) = (grant.unit, grant.municipality) {
                    require_unit(tx, municipality, unit).await?;
                }
                sqlx::query(
                    "INSERT INTO user_roles (municipality_code, user_id, role, unit_id) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(grant.municipality.map(code_of))
                .bind(grant.user.0)
                .bind(grant.role.code())
                .bind(grant.unit.map(|u| u.0))
                .execute(&mut **tx)
                .await
                .map_err(conflict_as("brugeren har allerede den rolle".into()))?;
                Ok(Applied { id: None, count: 1 })
            }
            RevokeRole {
                user,
                role,
                municipality,
                unit,
            } => {
                let done = sqlx::query(
                    "DELETE FROM user_roles WHERE user_id = $1 AND role = $2 \
                     AND municipality_code IS NOT DISTINCT FROM $3 \
                     AND unit_id IS NOT DISTINCT FROM $4",
                )
                .bind(user.0)
                .bind(role.code())
                .bind(municipality.map(code_of))
                .bind(unit.map(|u| u.0))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("rollen hos bruger {user}"))
            }
            CreateUserToken {
                user,
                token_hash,
                expires_at,
            } => {
                sqlx::query(
                    "UPDATE user_tokens SET expires_at = $2 \
                     WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(user.0)
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO user_tokens (token_hash, user_id, created_at, expires_at) \
                     SELECT $1, id, $3, $4 FROM users WHERE id = $2",
                )
                .bind(token_hash)
                .bind(user.0)
                .bind(now)
                .bind(expires_at)
                .execute(&mut **tx)
                .await
                .map_err(db_err)
                .and_then(|done| touched(done, format!("bruger {user}")))
            }
            RedeemUserToken {
                token_hash,
                password_hash,
                now: at,
            } => {
                let user: Option<i64> = sqlx::query_scalar(
                    "UPDATE user_tokens SET used_at = $2 \
                     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                     RETURNING user_id",
                )
                .bind(token_hash)
                .bind(at)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
                let user = user.ok_or_else(|| not_found("linket"))?;
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1 AND active")
                    .bind(user)
                    .bind(password_hash)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)
                    .and_then(|done| touched(done, "linket"))?;
                end_user_sessions(tx, user).await?;
                Ok(created(user))
            }
            CreateWebPage(page) => {
                // The task must be national or the municipality's own.
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO web_pages (municipality_code, path, task_id, created_at) \
                     SELECT $1, $2, id, $4 FROM tasks \
                     WHERE id = $3 AND (municipality_code IS NULL OR municipality_code = $1) \
                     RETURNING id",
                )
                .bind(code_of(page.municipality))
                .bind(page.path.as_str())
                .bind(page.task.0)
                .bind(now)
                .fetch_optional(&mut **tx)
                .await
                .map_err(conflict_as(format!(
                    "adressen {} er allerede knyttet til en opgave",
                    page.path
                )))?;
                id.map(created)
                    .ok_or_else(|| not_found(format!("opgave {}", page.task)))
            }
            DeleteWebPage { municipality, page } => {
                let done =
                    sqlx::query("DELETE FROM web_pages WHERE municipality_code = $1 AND id = $2")
                        .bind(code_of(*municipality))
                        .bind(page.0)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                touched(done, format!("adresse {page}"))
            }
            SetOwnStatistics {
                municipality,
                channel,
                own: true,
            } => {
                let done = sqlx::query(
                    "INSERT INTO own_statistics (municipality_code, channel_code, created_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (municipality_code, channel_code) DO NOTHING",
                )
                .bind(code_of(*municipality))
                .bind(channel.as_str())
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(Applied {
                    id: None,
                    count: done.rows_affected(),
                })
            }
            SetOwnStatistics {
                municipality,
                channel,
                own: false,
            } => {
                let done = sqlx::query(
                    "DELETE FROM own_statistics WHERE municipality_code = $1 AND channel_code = $2",
                )
                .bind(code_of(*municipality))
                .bind(channel.as_str())
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(Applied {
                    id: None,
                    count: done.rows_affected(),
                })
            }
            CreateSystemToken(token) => sqlx::query_scalar(
                "INSERT INTO system_tokens (municipality_code, name, token_hash, created_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(code_of(token.municipality))
            .bind(&token.name)
            .bind(&token.token_hash)
            .bind(&token.created_by)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(db_err),
            RevokeSystemToken {
                municipality,
                token,
                revoked_by,
            } => {
                let done = sqlx::query(
                    "UPDATE system_tokens SET revoked_at = $3, revoked_by = $4 \
                     WHERE municipality_code = $1 AND id = $2 AND revoked_at IS NULL",
                )
                .bind(code_of(*municipality))
                .bind(token.0)
                .bind(now)
                .bind(revoked_by)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("systemnøgle {token}"))
            }
            SetComparisonGroup {
                municipality,
                members,
            } => {
                sqlx::query("DELETE FROM comparison_groups WHERE municipality_code = $1")
                    .bind(code_of(*municipality))
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                let mut count = 0;
                for member in members {
                    if member == municipality {
                        continue;
                    }
                    let done = sqlx::query(
                        "INSERT INTO comparison_groups (municipality_code, member_code) \
                         VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(code_of(*municipality))
                    .bind(code_of(*member))
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    count += done.rows_affected();
                }
                Ok(Applied { id: None, count })
            }
            SavePeriodNotes {
                municipality,
                period,
                recommendations,
                by,
                now,
            } => {
                let done = if recommendations.trim().is_empty() {
                    sqlx::query(
                        "DELETE FROM period_notes WHERE municipality_code = $1 AND period_id = $2",
                    )
                    .bind(code_of(*municipality))
                    .bind(period.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?
                } else {
                    // Only a national period or the municipality's own.
                    sqlx::query(
                        "INSERT INTO period_notes (municipality_code, period_id, recommendations, \
                         updated_by, updated_at) SELECT $1, id, $3, $4, $5 FROM counting_periods \
                         WHERE id = $2 AND (municipality_code IS NULL OR municipality_code = $1) \
                         ON CONFLICT (municipality_code, period_id) DO UPDATE SET \
                         recommendations = excluded.recommendations, \
                         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    )
                    .bind(code_of(*municipality))
                    .bind(period.0)
                    .bind(recommendations)
                    .bind(by)
                    .bind(*now)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?
                };
                if done.rows_affected() == 0 && !recommendations.trim().is_empty() {
                    return Err(not_found(format!("tælleperiode {period}")));
                }
                Ok(Applied {
                    id: None,
                    count: done.rows_affected(),
                })
            }
            CreateCdrRule(rule) => sqlx::query_scalar(
                "INSERT INTO cdr_rules (municipality_code, field, matching, pattern, direction, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(code_of(rule.municipality))
            .bind(rule.field.code())
            .bind(rule.matching.code())
            .bind(&rule.pattern)
            .bind(rule.direction.code())
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(db_err),
            DeleteCdrRule { municipality, rule } => {
                let done =
                    sqlx::query("DELETE FROM cdr_rules WHERE municipality_code = $1 AND id = $2")
                        .bind(code_of(*municipality))
                        .bind(rule.0)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                touched(done, format!("telefoniregel {rule}"))
            }
        }
    }
}
