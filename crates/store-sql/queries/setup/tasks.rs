// Set-up changes: Tasks: a municipality's own, and the national ones created, retired or
// renamed.

use super::*;

impl Store {
    pub(super) async fn apply_tasks(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
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
            other => Err(misrouted(other)),
        }
    }
}
