// Set-up changes: a municipality's saved scenarios, targets, initiatives.

use super::*;

/// A task a municipality may name: a national one or its own.
async fn check_task(
    tx: &mut Tx<'_>,
    municipality: MunicipalityCode,
    task: Option<TaskId>,
) -> StoreResult<()> {
    let Some(task) = task else {
        return Ok(());
    };
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM tasks WHERE id = $1 \
         AND (municipality_code IS NULL OR municipality_code = $2)",
    )
    .bind(task.0)
    .bind(code_of(municipality))
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?;
    match found {
        Some(_) => Ok(()),
        None => Err(not_found(format!("opgave {task}"))),
    }
}

/// Deletes one row of the municipality's from a strategy table.
async fn remove(
    tx: &mut Tx<'_>,
    table: &str,
    municipality: MunicipalityCode,
    id: i64,
    what: &str,
) -> StoreResult<Applied> {
    let done = sqlx::query(&format!(
        "DELETE FROM {table} WHERE id = $1 AND municipality_code = $2"
    ))
    .bind(id)
    .bind(code_of(municipality))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(not_found(format!("{what} {id}")));
    }
    Ok(Applied {
        id: None,
        count: done.rows_affected(),
    })
}

impl Store {
    pub(super) async fn apply_strategy(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        let id: i64 = match change {
            SaveScenario(s) => sqlx::query_scalar(
                "INSERT INTO savings_scenarios (municipality_code, name, query, saved_by, \
                 saved_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(code_of(s.municipality))
            .bind(&s.name)
            .bind(&s.query)
            .bind(&s.saved_by)
            .bind(s.saved_at)
            .fetch_one(&mut **tx)
            .await
            .map_err(db_err)?,
            SetTarget(t) => {
                check_task(tx, t.municipality, t.task).await?;
                sqlx::query_scalar(
                    "INSERT INTO strategy_targets (municipality_code, task_id, subject, bound, \
                     percent, by_year, note, set_by, set_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(code_of(t.municipality))
                .bind(t.task.map(|t| t.0))
                .bind(&t.subject)
                .bind(if t.at_least { "min" } else { "max" })
                .bind(t.percent)
                .bind(t.by_year)
                .bind(&t.note)
                .bind(&t.set_by)
                .bind(t.set_at)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?
            }
            SetInitiative(i) => {
                check_task(tx, i.municipality, i.task).await?;
                sqlx::query_scalar(
                    "INSERT INTO strategy_initiatives (municipality_code, task_id, title, \
                     starts_on, note, set_by, set_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(code_of(i.municipality))
                .bind(i.task.map(|t| t.0))
                .bind(&i.title)
                .bind(i.starts_on)
                .bind(&i.note)
                .bind(&i.set_by)
                .bind(i.set_at)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?
            }
            RemoveScenario {
                municipality,
                scenario,
            } => {
                return remove(
                    tx,
                    "savings_scenarios",
                    *municipality,
                    scenario.0,
                    "scenarie",
                )
                .await
            }
            RemoveTarget {
                municipality,
                target,
            } => return remove(tx, "strategy_targets", *municipality, target.0, "mål").await,
            RemoveInitiative {
                municipality,
                initiative,
            } => {
                return remove(
                    tx,
                    "strategy_initiatives",
                    *municipality,
                    initiative.0,
                    "initiativ",
                )
                .await
            }
            other => return Err(misrouted(other)),
        };
        Ok(Applied {
            id: Some(id),
            count: 1,
        })
    }
}
