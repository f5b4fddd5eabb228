// Set-up changes: The phone-system rules that sort a municipality's calls.

use super::*;

impl Store {
    pub(super) async fn apply_phone(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            CreateCdrRule(rule) => sqlx::query_scalar(
                "INSERT INTO cdr_rules (municipality_code, field, matching, pattern, direction, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(code_of(rule.municipality))
            .bind(rule.field.code())
            .bind(rule.matching.code())
            .bind(&rule.pattern)
            .bind(rule.direction.code())
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(db_err),
            DeleteCdrRule { municipality, rule } => {
                let done =
                    sqlx::query("DELETE FROM cdr_rules WHERE municipality_code = $1 AND id = $2")
                        .bind(code_of(*municipality))
                        .bind(rule.0)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                touched(done, format!("telefoniregel {rule}"))
            }
            other => Err(misrouted(other)),
        }
    }
}
