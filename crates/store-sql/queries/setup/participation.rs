// Set-up changes: A municipality's test mode and test registrations, and its participation
// in a period.

use super::*;

impl Store {
    pub(super) async fn apply_participation(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            SetTestMode {
                municipality,
                on,
                until,
            } => {
                let done = sqlx::query(
                    "UPDATE municipalities SET test_mode = $2, test_mode_until = $3 \
                     WHERE code = $1",
                )
                .bind(code_of(*municipality))
                .bind(on)
                .bind(if *on { *until } else { None })
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("kommune {municipality}"))
            }
            DeleteTestRegistrations { municipality } => {
                // Rows of committed batches leave the cube here; rows typed
                // in the tool leave it through the delete trigger.
                cube_apply(
                    tx,
                    "r.municipality_code = $1 AND r.is_test AND r.import_batch_id IN \
                     (SELECT id FROM import_batches WHERE status = 'committed')",
                    i64::from(code_of(*municipality)),
                    -1,
                )
                .await?;
                sqlx::query(
                    "DELETE FROM registration_answers WHERE municipality_code = $1 \
                     AND registration_id IN (SELECT id FROM registrations \
                     WHERE municipality_code = $1 AND is_test)",
                )
                .bind(code_of(*municipality))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                let done = sqlx::query(
                    "DELETE FROM registrations WHERE municipality_code = $1 AND is_test",
                )
                .bind(code_of(*municipality))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(Applied {
                    id: None,
                    count: done.rows_affected(),
                })
            }
            SetParticipation {
                municipality,
                period,
                joined,
                units,
            } => {
                let code = code_of(*municipality);
                let open: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM counting_periods WHERE id = $1 \
                     AND (municipality_code IS NULL OR municipality_code = $2)",
                )
                .bind(period.0)
                .bind(code)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
                if open.is_none() {
                    return Err(not_found(format!("tælleperiode {period}")));
                }
                sqlx::query(
                    "DELETE FROM period_units WHERE municipality_code = $1 AND period_id = $2",
                )
                .bind(code)
                .bind(period.0)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                if !joined {
                    sqlx::query(
                        "DELETE FROM period_participations \
                         WHERE municipality_code = $1 AND period_id = $2",
                    )
                    .bind(code)
                    .bind(period.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    return Ok(Applied::default());
                }
                sqlx::query(
                    "INSERT INTO period_participations (municipality_code, period_id) \
                     VALUES ($1, $2) ON CONFLICT (municipality_code, period_id) DO NOTHING",
                )
                .bind(code)
                .bind(period.0)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                for unit in units {
                    let done = sqlx::query(
                        "INSERT INTO period_units (municipality_code, period_id, unit_id) \
                         SELECT municipality_code, $2, id FROM units \
                         WHERE municipality_code = $1 AND id = $3 \
                         ON CONFLICT (municipality_code, period_id, unit_id) DO NOTHING",
                    )
                    .bind(code)
                    .bind(period.0)
                    .bind(unit.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        require_unit(tx, *municipality, *unit).await?;
                    }
                }
                Ok(Applied {
                    id: None,
                    count: units.len() as u64,
                })
            }
            other => Err(misrouted(other)),
        }
    }
}
