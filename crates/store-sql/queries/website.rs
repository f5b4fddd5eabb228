// The website channel and central statistics: pages mapped to tasks, own
// statistics, counts per channel and task.

use super::*;

impl Store {
    pub(super) async fn list_web_pages(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<WebPageRow>> {
        let rows = sqlx::query(
            "SELECT id, municipality_code, path, task_id, created_at FROM web_pages \
             WHERE municipality_code = $1 ORDER BY path",
        )
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(WebPageRow {
                    id: WebPageId(get(r, "id")?),
                    municipality: municipality_from(get(r, "municipality_code")?)?,
                    path: PagePath::parse(&get::<String>(r, "path")?)
                        .map_err(|e| corrupt("adresse", e))?,
                    task: TaskId(get(r, "task_id")?),
                    created_at: get(r, "created_at")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_own_statistics(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<OwnStatisticsRow>> {
        let rows = sqlx::query(
            "SELECT municipality_code, channel_code FROM own_statistics \
             WHERE $1 IS NULL OR municipality_code = $1 ORDER BY municipality_code, channel_code",
        )
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(OwnStatisticsRow {
                    municipality: municipality_from(get(r, "municipality_code")?)?,
                    channel: channel_from(&get::<String>(r, "channel_code")?)?,
                })
            })
            .collect()
    }

    pub(super) async fn count_channel_by_task(
        &self,
        municipality: MunicipalityCode,
        channel: &ChannelCode,
    ) -> StoreResult<Vec<TaskCount>> {
        let rows = sqlx::query(&format!(
            "SELECT task_id, COUNT(*) AS row_count, CAST(SUM(quantity) AS BIGINT) AS inquiries \
             FROM registrations WHERE municipality_code = $1 AND channel_code = $2 \
             AND NOT is_test AND {VISIBLE} GROUP BY task_id ORDER BY inquiries DESC, task_id"
        ))
        .bind(code_of(municipality))
        .bind(channel.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(TaskCount {
                    task: TaskId(get(r, "task_id")?),
                    rows: get(r, "row_count")?,
                    inquiries: get(r, "inquiries")?,
                })
            })
            .collect()
    }
}
