// Set-up changes: What a unit registers: its tasks and switched-on questions, also copied
// from another unit.

use super::*;

impl Store {
    pub(super) async fn apply_unit_choices(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
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
            other => Err(misrouted(other)),
        }
    }
}
