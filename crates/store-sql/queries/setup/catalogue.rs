// Set-up changes: The national catalogue: KLE imports and task packages.

use super::*;

impl Store {
    pub(super) async fn apply_catalogue(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
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
            other => Err(misrouted(other)),
        }
    }
}
