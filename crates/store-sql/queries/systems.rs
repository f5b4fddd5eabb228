// Systems of the JSON API: their tokens, and API batches found by name.

use super::*;

const SYSTEM_TOKEN_COLUMNS: &str = "id, municipality_code, name, created_by, created_at, \
     last_used_at, revoked_at, revoked_by";

fn system_token_row(r: &DbRow) -> StoreResult<SystemTokenRow> {
    Ok(SystemTokenRow {
        id: SystemTokenId(get(r, "id")?),
        municipality: municipality_from(get(r, "municipality_code")?)?,
        name: get(r, "name")?,
        created_by: get(r, "created_by")?,
        created_at: get(r, "created_at")?,
        last_used_at: get(r, "last_used_at")?,
        revoked_at: get(r, "revoked_at")?,
        revoked_by: get(r, "revoked_by")?,
    })
}

impl Store {
    pub(super) async fn list_system_tokens(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<SystemTokenRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {SYSTEM_TOKEN_COLUMNS} FROM system_tokens WHERE municipality_code = $1 \
             ORDER BY id DESC"
        ))
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(system_token_row).collect()
    }

    pub(super) async fn use_system_token(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<SystemTokenRow>> {
        let row = sqlx::query(&format!(
            "UPDATE system_tokens SET last_used_at = $2 \
             WHERE token_hash = $1 AND revoked_at IS NULL RETURNING {SYSTEM_TOKEN_COLUMNS}"
        ))
        .bind(token_hash)
        .bind(at)
        .fetch_optional(&self.writer)
        .await
        .map_err(db_err)?;
        row.as_ref().map(system_token_row).transpose()
    }

    pub(super) async fn find_batch_named(
        &self,
        municipality: MunicipalityCode,
        kind: BatchKind,
        file_name: &str,
    ) -> StoreResult<Option<BatchRow>> {
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM import_batches \
             WHERE municipality_code = $1 AND kind = $2 AND file_name = $3 \
             AND status IN ('loading', 'committed') ORDER BY id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(code_of(municipality))
            .bind(kind.code())
            .bind(file_name)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(batch_row).transpose()
    }
}
