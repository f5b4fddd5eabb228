// Set-up changes: What a municipality keeps beside its reports: its comparison group and
// its recommendations on a period.

use super::*;

impl Store {
    pub(super) async fn apply_reports(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            SetComparisonGroup {
                municipality,
                members,
            } => {
                sqlx::query("DELETE FROM comparison_groups WHERE municipality_code = $1")
                    .bind(code_of(*municipality))
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                let mut count = 0;
                for member in members {
                    if member == municipality {
                        continue;
                    }
                    let done = sqlx::query(
                        "INSERT INTO comparison_groups (municipality_code, member_code) \
                         VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(code_of(*municipality))
                    .bind(code_of(*member))
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    count += done.rows_affected();
                }
                Ok(Applied { id: None, count })
            }
            SavePeriodNotes {
                municipality,
                period,
                recommendations,
                by,
                now,
            } => {
                let done = if recommendations.trim().is_empty() {
                    sqlx::query(
                        "DELETE FROM period_notes WHERE municipality_code = $1 AND period_id = $2",
                    )
                    .bind(code_of(*municipality))
                    .bind(period.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?
                } else {
                    // Only a national period or the municipality's own.
                    sqlx::query(
                        "INSERT INTO period_notes (municipality_code, period_id, recommendations, \
                         updated_by, updated_at) SELECT $1, id, $3, $4, $5 FROM counting_periods \
                         WHERE id = $2 AND (municipality_code IS NULL OR municipality_code = $1) \
                         ON CONFLICT (municipality_code, period_id) DO UPDATE SET \
                         recommendations = excluded.recommendations, \
                         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    )
                    .bind(code_of(*municipality))
                    .bind(period.0)
                    .bind(recommendations)
                    .bind(by)
                    .bind(*now)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?
                };
                if done.rows_affected() == 0 && !recommendations.trim().is_empty() {
                    return Err(not_found(format!("tælleperiode {period}")));
                }
                Ok(Applied {
                    id: None,
                    count: done.rows_affected(),
                })
            }
            other => Err(misrouted(other)),
        }
    }
}
