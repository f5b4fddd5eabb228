// Registrations one at a time: stored, listed, read, corrected and removed,
// counted; and the cube kept equal to those that count.

use super::*;

/// [`VISIBLE`] for a query that names registrations `r`.
const R_VISIBLE: &str = "(r.import_batch_id IS NULL OR r.import_batch_id NOT IN \
     (SELECT id FROM import_batches WHERE status <> 'committed'))";

fn answer_row(r: &DbRow) -> StoreResult<AnswerRow> {
    Ok(AnswerRow {
        question: QuestionId(get(r, "question_id")?),
        option: get::<Option<i64>>(r, "option_id")?.map(QuestionOptionId),
        text: get(r, "value_text")?,
    })
}

/// Inserts one registration and its answers on an open transaction.
/// Returns None when the idempotency key was already used.
pub(super) async fn insert_one(
    tx: &mut sqlx::Transaction<'_, Db>,
    r: &NewRegistration,
    batch: Option<BatchId>,
    now: DateTime<Utc>,
) -> StoreResult<Option<RegistrationId>> {
    let Some(id) = insert_row(&mut **tx, r, batch, now).await? else {
        return Ok(None);
    };
    for answer in &r.answers {
        sqlx::query(
            "INSERT INTO registration_answers (municipality_code, registration_id, question_id, \
             option_id, value_text) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code_of(r.municipality))
        .bind(id.0)
        .bind(answer.question.0)
        .bind(answer.option.map(|o| o.0))
        .bind(answer.text.as_deref())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(Some(id))
}

/// Inserts the registration row alone (one statement, atomic by itself).
/// Returns None when the idempotency key was already used.
async fn insert_row<'e, E>(
    executor: E,
    r: &NewRegistration,
    batch: Option<BatchId>,
    now: DateTime<Utc>,
) -> StoreResult<Option<RegistrationId>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let dims = r.dimensions();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO registrations (municipality_code, unit_id, task_id, channel_code, \
         inquiry_type_code, completion_code, has_form, registered_at, day, iso_year, iso_week, \
         hour, duration_ms, quantity, source, import_batch_id, is_test, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         ON CONFLICT (municipality_code, idempotency_key) WHERE idempotency_key IS NOT NULL \
         DO NOTHING RETURNING id",
    )
    .bind(code_of(r.municipality))
    .bind(r.unit.map(|u| u.0))
    .bind(r.task.0)
    .bind(r.channel.as_str())
    .bind(r.inquiry_type.map(InquiryType::code))
    .bind(r.completion.map(Completion::code))
    .bind(r.has_form)
    .bind(r.registered_at)
    .bind(dims.day)
    .bind(dims.iso_year)
    .bind(dims.iso_week as i32)
    .bind(dims.hour as i32)
    .bind(r.duration_ms)
    .bind(r.quantity)
    .bind(r.source.code())
    .bind(batch.map(|b| b.0))
    .bind(r.is_test)
    .bind(r.idempotency_key.as_deref())
    .bind(now)
    .fetch_optional(executor)
    .await
    .map_err(db_err)?;
    Ok(id.map(RegistrationId))
}

/// The cube's key of a registration `r`, as the cube stores it (see the
/// migration `add_registration_cube`).
const CUBE_KEY: &str = "r.municipality_code, r.day, r.iso_year, r.iso_week, \
     COALESCE(r.unit_id, 0), r.task_id, r.channel_code, COALESCE(r.inquiry_type_code, ''), \
     COALESCE(r.completion_code, ''), \
     CASE WHEN r.has_form IS NULL THEN -1 WHEN r.has_form THEN 1 ELSE 0 END, r.source, r.is_test";

const CUBE_COLUMNS: &str = "municipality_code, day, unit_id, task_id, channel_code, \
     inquiry_type_code, completion_code, form, source, is_test";

/// The channel cube's key of a registration `r` (migration
/// `add_registration_channel_cube`), and its key columns.
const CHANNEL_CUBE_KEY: &str =
    "r.municipality_code, r.day, r.iso_year, r.iso_week, r.channel_code, r.is_test";

const CHANNEL_CUBE_COLUMNS: &str = "municipality_code, day, channel_code, is_test";

/// The week cube's key of a registration `r` (migration
/// `add_registration_week_cube`), and its key columns.
const WEEK_CUBE_KEY: &str = "r.iso_year, r.iso_week, r.task_id, r.channel_code, \
     COALESCE(r.inquiry_type_code, ''), COALESCE(r.completion_code, ''), \
     CASE WHEN r.has_form IS NULL THEN -1 WHEN r.has_form THEN 1 ELSE 0 END, r.is_test";

const WEEK_CUBE_COLUMNS: &str = "iso_year, iso_week, task_id, channel_code, inquiry_type_code, \
     completion_code, form, is_test";

/// Adds (`sign` 1) or takes out (`sign` -1) the registrations `condition`
/// selects (on `r`, binding `$1`) to or from the cube, the channel cube and
/// the week cube,
/// then drops empty cells. The caller holds the transaction that changes
/// what they count.
pub(super) async fn cube_apply(
    tx: &mut sqlx::Transaction<'_, Db>,
    condition: &str,
    bind: i64,
    sign: i64,
) -> StoreResult<()> {
    before_cube_fold(tx).await?;
    // One grouped statement per cube, so a batch of millions costs a scan
    // of its rows per cube rather than a trigger per cell.
    for (table, key, keys, columns) in [
        ("registration_cube", CUBE_KEY, 12, CUBE_COLUMNS),
        (
            "registration_channel_cube",
            CHANNEL_CUBE_KEY,
            6,
            CHANNEL_CUBE_COLUMNS,
        ),
        (
            "registration_week_cube",
            WEEK_CUBE_KEY,
            8,
            WEEK_CUBE_COLUMNS,
        ),
    ] {
        let group_by: Vec<String> = (1..=keys).map(|i: u32| i.to_string()).collect();
        let sql = format!(
            "INSERT INTO {table} SELECT {key}, \
             CAST({sign} * SUM(r.quantity) AS BIGINT), CAST({sign} * COUNT(*) AS BIGINT), \
             CAST({sign} * SUM(COALESCE(r.duration_ms, 0)) AS BIGINT), \
             CAST({sign} * COUNT(r.duration_ms) AS BIGINT) \
             FROM registrations r WHERE {condition} GROUP BY {} \
             ON CONFLICT ({columns}) DO UPDATE SET \
             inquiries = {table}.inquiries + excluded.inquiries, \
             row_count = {table}.row_count + excluded.row_count, \
             duration_sum = {table}.duration_sum + excluded.duration_sum, \
             duration_count = {table}.duration_count + excluded.duration_count",
            group_by.join(", ")
        );
        sqlx::query(&sql)
            .bind(bind)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        // Adding rows never empties a cell: only taking them out can.
        if sign < 0 {
            sqlx::query(&format!("DELETE FROM {table} WHERE row_count = 0"))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
}

/// What inserting a registration did: created, or (its idempotency key
/// used before) the registration stored then.
pub(super) async fn inserted<'e, E>(
    executor: E,
    registration: &NewRegistration,
    created: Option<RegistrationId>,
) -> StoreResult<Inserted>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    match (created, &registration.idempotency_key) {
        (Some(id), _) => Ok(Inserted::Created(id)),
        (None, Some(key)) => {
            let id: i64 = sqlx::query_scalar(
                "SELECT id FROM registrations WHERE municipality_code = $1 \
                 AND idempotency_key = $2",
            )
            .bind(code_of(registration.municipality))
            .bind(key)
            .fetch_one(executor)
            .await
            .map_err(db_err)?;
            Ok(Inserted::Duplicate(RegistrationId(id)))
        }
        (None, None) => Err(StoreError::internal("registrering ikke gemt")),
    }
}

/// Saves one registration (and its answers) in a commit of its own.
/// Returns None when the idempotency key was already used.
pub(crate) async fn save_alone(
    writer: &sqlx::Pool<Db>,
    registration: &NewRegistration,
    now: DateTime<Utc>,
) -> StoreResult<Option<RegistrationId>> {
    // Saving is the registration tool's hot path: without answers the row
    // is one statement, atomic by itself, so no transaction is opened.
    if registration.answers.is_empty() {
        return insert_row(writer, registration, None, now).await;
    }
    let mut tx = begin_write(writer).await.map_err(db_err)?;
    let created = insert_one(&mut tx, registration, None, now).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(created)
}

/// Saves a group of registrations in one commit, so that one that fails (a
/// unit removed meanwhile) fails alone and the others are saved. The outer
/// error is the commit's: then none is saved.
///
/// Nearly every group saves cleanly, so it is first saved without
/// savepoints: one statement per registration instead of three, each a
/// round trip to the writer's thread, which was busy 59 of 60 s at 2 000
/// saves/s (docs/performance.md, "What makes the tail": p50 about 3x
/// lower). If any save fails, that attempt is rolled back whole and the
/// group is saved again with each save in a savepoint of its own.
#[allow(dead_code)] // SQLite's: PostgreSQL saves each alone
pub(crate) async fn save_group<'a>(
    writer: &sqlx::Pool<Db>,
    group: impl Iterator<Item = (&'a NewRegistration, DateTime<Utc>)> + Clone,
) -> StoreResult<Vec<StoreResult<Option<RegistrationId>>>> {
    if let Some(each) = save_group_clean(writer, group.clone()).await? {
        return Ok(each);
    }
    let mut tx = begin_write(writer).await.map_err(db_err)?;
    let mut each = Vec::new();
    for (registration, now) in group {
        sqlx::query("SAVEPOINT save")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let saved = insert_one(&mut tx, registration, None, now).await;
        if saved.is_err() {
            sqlx::query("ROLLBACK TO save")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        sqlx::query("RELEASE save")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        each.push(saved);
    }
    tx.commit().await.map_err(db_err)?;
    Ok(each)
}

/// The group saved and committed if every save in it succeeds; None, with
/// nothing saved, if one fails.
async fn save_group_clean<'a>(
    writer: &sqlx::Pool<Db>,
    group: impl Iterator<Item = (&'a NewRegistration, DateTime<Utc>)>,
) -> StoreResult<Option<Vec<StoreResult<Option<RegistrationId>>>>> {
    let mut tx = begin_write(writer).await.map_err(db_err)?;
    let mut each = Vec::new();
    for (registration, now) in group {
        match insert_one(&mut tx, registration, None, now).await {
            Ok(created) => each.push(Ok(created)),
            Err(_) => {
                tx.rollback().await.map_err(db_err)?;
                return Ok(None);
            }
        }
    }
    tx.commit().await.map_err(db_err)?;
    Ok(Some(each))
}

impl Store {
    pub(super) async fn insert_registration(
        &self,
        registration: &NewRegistration,
    ) -> StoreResult<Inserted> {
        registration
            .validate()
            .map_err(|e| StoreError::invalid(e.to_string()))?;
        // The backend saves it: SQLite commits saves that wait together in
        // one commit (`save_registration` in store-sqlite), PostgreSQL
        // alone (`save_alone`).
        let created = save_registration(self, registration, Utc::now()).await?;
        inserted(&self.writer, registration, created).await
    }

    pub(super) async fn list_registrations(
        &self,
        municipality: MunicipalityCode,
        filter: &RegistrationFilter,
    ) -> StoreResult<Vec<RegistrationRow>> {
        let mut builder: QueryBuilder<Db> = QueryBuilder::new(format!(
            "SELECT {REGISTRATION_COLUMNS} FROM registrations WHERE {VISIBLE} \
             AND municipality_code = "
        ));
        builder.push_bind(code_of(municipality));
        if let Some(from) = filter.from {
            builder.push(" AND day >= ").push_bind(from);
        }
        if let Some(to) = filter.to {
            builder.push(" AND day <= ").push_bind(to);
        }
        if let Some(unit) = filter.unit {
            builder.push(" AND unit_id = ").push_bind(unit.0);
        }
        if let Some(batch) = filter.batch {
            builder.push(" AND import_batch_id = ").push_bind(batch.0);
        }
        if !filter.include_test {
            builder.push(" AND NOT is_test");
        }
        builder
            .push(" ORDER BY registered_at DESC, id DESC LIMIT ")
            .push_bind(i64::from(filter.limit));
        let rows = builder
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(registration_row).collect()
    }

    pub(super) async fn list_answers(
        &self,
        municipality: MunicipalityCode,
        registration: RegistrationId,
    ) -> StoreResult<Vec<AnswerRow>> {
        let rows = sqlx::query(
            "SELECT question_id, option_id, value_text FROM registration_answers \
             WHERE municipality_code = $1 AND registration_id = $2 ORDER BY question_id",
        )
        .bind(code_of(municipality))
        .bind(registration.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(answer_row).collect()
    }

    pub(super) async fn list_answers_between(
        &self,
        municipality: MunicipalityCode,
        first: RegistrationId,
        last: RegistrationId,
    ) -> StoreResult<Vec<(RegistrationId, AnswerRow)>> {
        let rows = sqlx::query(
            "SELECT registration_id, question_id, option_id, value_text FROM registration_answers \
             WHERE municipality_code = $1 AND registration_id BETWEEN $2 AND $3 \
             ORDER BY registration_id, question_id",
        )
        .bind(code_of(municipality))
        .bind(first.0)
        .bind(last.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| Ok((RegistrationId(get(r, "registration_id")?), answer_row(r)?)))
            .collect()
    }

    pub(super) async fn count_test_registrations(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM registrations WHERE municipality_code = $1 AND is_test",
        )
        .bind(code_of(municipality))
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)
    }

    pub(super) async fn count_by_municipality(&self) -> StoreResult<Vec<MunicipalityCount>> {
        let rows = sqlx::query(&format!(
            "SELECT municipality_code, CAST(SUM(quantity) AS BIGINT) AS inquiries, \
                 COUNT(*) AS row_count FROM registrations WHERE NOT is_test AND {VISIBLE} \
                 GROUP BY municipality_code ORDER BY municipality_code"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(MunicipalityCount {
                    municipality: municipality_from(get(r, "municipality_code")?)?,
                    inquiries: get(r, "inquiries")?,
                    rows: get(r, "row_count")?,
                })
            })
            .collect()
    }

    pub(super) async fn count_by_period(&self) -> StoreResult<Vec<PeriodCount>> {
        let rows = sqlx::query(&format!(
            "SELECT p.id, CAST(COALESCE(SUM(r.quantity), 0) AS BIGINT) AS inquiries \
                 FROM counting_periods p LEFT JOIN registrations r \
                 ON r.day >= p.starts_on AND r.day <= p.ends_on AND NOT r.is_test \
                 AND {R_VISIBLE} WHERE p.municipality_code IS NULL GROUP BY p.id ORDER BY p.id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(PeriodCount {
                    period: PeriodId(get(r, "id")?),
                    inquiries: get(r, "inquiries")?,
                })
            })
            .collect()
    }

    pub(super) async fn get_registration(
        &self,
        municipality: MunicipalityCode,
        id: RegistrationId,
    ) -> StoreResult<Option<RegistrationRow>> {
        let sql = format!(
            "SELECT {REGISTRATION_COLUMNS} FROM registrations WHERE municipality_code = $1 AND id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(code_of(municipality))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(registration_row).transpose()
    }

    pub(super) async fn delete_registration(
        &self,
        municipality: MunicipalityCode,
        id: RegistrationId,
    ) -> StoreResult<bool> {
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        sqlx::query(
            "DELETE FROM registration_answers WHERE municipality_code = $1 AND registration_id = $2",
        )
        .bind(code_of(municipality))
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let deleted =
            sqlx::query("DELETE FROM registrations WHERE municipality_code = $1 AND id = $2")
                .bind(code_of(municipality))
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
        tx.commit().await.map_err(db_err)?;
        Ok(deleted == 1)
    }

    pub(super) async fn update_registration(
        &self,
        municipality: MunicipalityCode,
        id: RegistrationId,
        change: &RegistrationChange,
    ) -> StoreResult<()> {
        let updated = sqlx::query(
            "UPDATE registrations SET task_id = $3, channel_code = $4, inquiry_type_code = $5, \
             completion_code = $6, has_form = $7 WHERE municipality_code = $1 AND id = $2",
        )
        .bind(code_of(municipality))
        .bind(id.0)
        .bind(change.task.0)
        .bind(change.channel.as_str())
        .bind(change.inquiry_type.map(InquiryType::code))
        .bind(change.completion.map(Completion::code))
        .bind(change.has_form)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::not_found(format!("registrering {id}")));
        }
        Ok(())
    }

    pub(super) async fn unit_task_usage(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        since: NaiveDate,
    ) -> StoreResult<Vec<TaskUsage>> {
        let rows = sqlx::query(&format!(
            "SELECT task_id, CAST(SUM(quantity) AS BIGINT) AS inquiries FROM registrations \
                 WHERE municipality_code = $1 AND unit_id = $2 AND day >= $3 AND {VISIBLE} \
                 GROUP BY task_id ORDER BY inquiries DESC, task_id"
        ))
        .bind(code_of(municipality))
        .bind(unit.0)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(TaskUsage {
                    task: TaskId(get(r, "task_id")?),
                    inquiries: get(r, "inquiries")?,
                })
            })
            .collect()
    }

    pub(super) async fn unit_day_counts(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        day: NaiveDate,
    ) -> StoreResult<Vec<HourChannelCount>> {
        let rows = sqlx::query(&format!(
            "SELECT hour, channel_code, CAST(SUM(quantity) AS BIGINT) AS inquiries, \
             CAST(SUM(CASE WHEN is_test THEN quantity ELSE 0 END) AS BIGINT) AS test_inquiries \
             FROM registrations WHERE municipality_code = $1 AND unit_id = $2 AND day = $3 \
             AND {VISIBLE} GROUP BY hour, channel_code ORDER BY hour, channel_code"
        ))
        .bind(code_of(municipality))
        .bind(unit.0)
        .bind(day)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(HourChannelCount {
                    hour: get(r, "hour")?,
                    channel: channel_from(&get::<String>(r, "channel_code")?)?,
                    inquiries: get(r, "inquiries")?,
                    test_inquiries: get(r, "test_inquiries")?,
                })
            })
            .collect()
    }
}
