// Set-up changes: what an imported history file needs, made for its loading batch and
// recorded with it, so a batch never committed takes it along when it is deleted.

use super::*;

impl Store {
    pub(super) async fn apply_import_setup(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        let SetupChange::CreateImportSetup(setup) = change else {
            unreachable!("apply_import_setup takes CreateImportSetup only")
        };
        let loading: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM import_batches WHERE id = $1 AND status = 'loading' \
             AND municipality_code = $2",
        )
        .bind(setup.batch.0)
        .bind(code_of(setup.municipality))
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
        if loading.is_none() {
            return Err(not_found(format!("batch {} under indlæsning", setup.batch)));
        }
        let mut count = 0u64;
        for task in &setup.tasks {
            let task = SetupChange::CreateLocalTask(task.clone());
            let id = Self::apply_tasks(tx, &task, now).await?.id;
            record(tx, setup.batch, "task", id).await?;
            count += 1;
        }
        for unit in &setup.units {
            let unit = SetupChange::CreateUnit(unit.clone());
            let id = Self::apply_organisation(tx, &unit, now).await?.id;
            sqlx::query("UPDATE units SET active = FALSE WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            record(tx, setup.batch, "unit", id).await?;
            count += 1;
        }
        for question in &setup.questions {
            let question = SetupChange::CreateQuestion(question.clone());
            let id = Self::apply_questions(tx, &question).await?.id;
            sqlx::query("UPDATE questions SET active = FALSE WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            record(tx, setup.batch, "question", id).await?;
            count += 1;
        }
        Ok(Applied { id: None, count })
    }
}

async fn record(tx: &mut Tx<'_>, batch: BatchId, entity: &str, id: Option<i64>) -> StoreResult<()> {
    sqlx::query("INSERT INTO import_batch_setup (batch_id, entity, entity_id) VALUES ($1, $2, $3)")
        .bind(batch.0)
        .bind(entity)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Removes the set-up a batch that was never committed made: its questions
/// (with their options and unit choices), units and tasks, in one transaction
/// after the batch's rows are gone.
pub(crate) async fn remove_import_setup(tx: &mut Tx<'_>, batch: BatchId) -> StoreResult<()> {
    let made = "SELECT entity_id FROM import_batch_setup WHERE batch_id = $1 AND entity = ";
    for sql in [
        format!("DELETE FROM unit_questions WHERE question_id IN ({made}'question')"),
        format!("DELETE FROM question_options WHERE question_id IN ({made}'question')"),
        format!("DELETE FROM questions WHERE id IN ({made}'question')"),
        format!(
            "DELETE FROM unit_tasks WHERE unit_id IN ({made}'unit') OR task_id IN ({made}'task')"
        ),
        format!("DELETE FROM unit_questions WHERE unit_id IN ({made}'unit')"),
        format!("DELETE FROM period_units WHERE unit_id IN ({made}'unit')"),
        format!("DELETE FROM sessions WHERE unit_id IN ({made}'unit')"),
        format!("DELETE FROM hotline_units WHERE unit_id IN ({made}'unit')"),
        format!("DELETE FROM units WHERE id IN ({made}'unit')"),
        format!("DELETE FROM task_package_tasks WHERE task_id IN ({made}'task')"),
        format!("DELETE FROM tasks WHERE id IN ({made}'task')"),
        "DELETE FROM import_batch_setup WHERE batch_id = $1".to_owned(),
    ] {
        sqlx::query(&sql)
            .bind(batch.0)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}
