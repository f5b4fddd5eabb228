// Channel prices: the national list and a municipality's own.

use super::*;

const PRICE_COLUMNS: &str = "id, municipality_code, channel_code, task_id, valid_from, price_ore, \
     basis, minutes_hundredths, hourly_cost_ore, source, source_year, example, set_by, set_at";

fn price_row(row: &DbRow) -> StoreResult<ChannelPriceRow> {
    let basis: String = get(row, "basis")?;
    let basis = match basis.as_str() {
        "amount" => PriceBasis::Amount,
        "time" => PriceBasis::Time {
            minutes_hundredths: get(row, "minutes_hundredths")?,
            hourly_cost_ore: get(row, "hourly_cost_ore")?,
        },
        other => return Err(corrupt("prisgrundlag", other)),
    };
    let channel: String = get(row, "channel_code")?;
    Ok(ChannelPriceRow {
        id: ChannelPriceId(get(row, "id")?),
        municipality: opt_municipality(row, "municipality_code")?,
        channel: channel_from(&channel)?,
        task: get::<Option<i64>>(row, "task_id")?.map(TaskId),
        valid_from: get(row, "valid_from")?,
        price_ore: get(row, "price_ore")?,
        basis,
        source: get(row, "source")?,
        source_year: get(row, "source_year")?,
        example: get(row, "example")?,
        set_by: get(row, "set_by")?,
        set_at: get(row, "set_at")?,
    })
}

impl Store {
    pub(super) async fn list_channel_prices(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<ChannelPriceRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {PRICE_COLUMNS} FROM channel_prices \
             WHERE municipality_code IS NULL OR municipality_code = $1 \
             ORDER BY valid_from, id"
        ))
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(price_row).collect()
    }

    pub(super) async fn list_all_channel_prices(&self) -> StoreResult<Vec<ChannelPriceRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {PRICE_COLUMNS} FROM channel_prices ORDER BY valid_from, id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(price_row).collect()
    }
}
