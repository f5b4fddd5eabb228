// Set-up changes: channel prices, national and a municipality's own.

use super::*;

impl Store {
    pub(super) async fn apply_prices(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            SetChannelPrice(price) => {
                let municipality = price.municipality.map(code_of);
                if let Some(task) = price.task {
                    // A national price names a national task; a municipality's
                    // names a national task or one of its own.
                    let found: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM tasks WHERE id = $1 \
                         AND (municipality_code IS NULL OR municipality_code = $2)",
                    )
                    .bind(task.0)
                    .bind(municipality)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    if found.is_none() {
                        return Err(not_found(format!("opgave {task}")));
                    }
                }
                let (basis, minutes, hourly) = match price.basis {
                    PriceBasis::Amount => ("amount", None, None),
                    PriceBasis::Time {
                        minutes_hundredths,
                        hourly_cost_ore,
                    } => ("time", Some(minutes_hundredths), Some(hourly_cost_ore)),
                };
                let replaced = sqlx::query(
                    "DELETE FROM channel_prices WHERE municipality_code IS NOT DISTINCT FROM $1 \
                     AND channel_code = $2 AND task_id IS NOT DISTINCT FROM $3 AND valid_from = $4",
                )
                .bind(municipality)
                .bind(price.channel.as_str())
                .bind(price.task.map(|t| t.0))
                .bind(price.valid_from)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO channel_prices (municipality_code, channel_code, task_id, \
                     valid_from, price_ore, basis, minutes_hundredths, hourly_cost_ore, source, \
                     source_year, example, set_by, set_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                )
                .bind(municipality)
                .bind(price.channel.as_str())
                .bind(price.task.map(|t| t.0))
                .bind(price.valid_from)
                .bind(price.price_ore)
                .bind(basis)
                .bind(minutes)
                .bind(hourly)
                .bind(&price.source)
                .bind(price.source_year)
                .bind(price.example)
                .bind(&price.set_by)
                .bind(price.set_at)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(Applied {
                    id: Some(id),
                    count: replaced.rows_affected(),
                })
            }
            RemoveChannelPrice {
                municipality,
                price,
            } => {
                let done = sqlx::query(
                    "DELETE FROM channel_prices WHERE id = $1 \
                     AND municipality_code IS NOT DISTINCT FROM $2",
                )
                .bind(price.0)
                .bind(municipality.map(code_of))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                if done.rows_affected() == 0 {
                    return Err(not_found(format!("pris {price}")));
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
