// Set-up changes: Systems of the JSON API: their tokens issued and revoked.

use super::*;

impl Store {
    pub(super) async fn apply_systems(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            CreateSystemToken(token) => sqlx::query_scalar(
                "INSERT INTO system_tokens (municipality_code, name, token_hash, created_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(code_of(token.municipality))
            .bind(&token.name)
            .bind(&token.token_hash)
            .bind(&token.created_by)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(db_err),
            RevokeSystemToken {
                municipality,
                token,
                revoked_by,
            } => {
                let done = sqlx::query(
                    "UPDATE system_tokens SET revoked_at = $3, revoked_by = $4 \
                     WHERE municipality_code = $1 AND id = $2 AND revoked_at IS NULL",
                )
                .bind(code_of(*municipality))
                .bind(token.0)
                .bind(now)
                .bind(revoked_by)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("systemnøgle {token}"))
            }
            other => Err(misrouted(other)),
        }
    }
}
