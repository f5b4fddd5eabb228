// Tasks: a municipality's (national and its own) and the national ones.

use super::*;

impl Store {
    pub(super) async fn list_tasks(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<TaskRow>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks t \
             WHERE t.municipality_code IS NULL OR t.municipality_code = $1 \
             ORDER BY t.kle_number, t.municipality_code, t.id"
        );
        let rows = sqlx::query(&sql)
            .bind(code_of(municipality))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(task_row).collect()
    }

    pub(super) async fn list_national_tasks(&self) -> StoreResult<Vec<TaskRow>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks t WHERE t.municipality_code IS NULL \
             ORDER BY t.kle_number, t.id"
        );
        let rows = sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(task_row).collect()
    }
}
