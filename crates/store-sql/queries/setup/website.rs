// Set-up changes: The website channel and central statistics: page mappings and a
// municipality's own statistics.

use super::*;

impl Store {
    pub(super) async fn apply_website(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
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
            other => Err(misrouted(other)),
        }
    }
}
