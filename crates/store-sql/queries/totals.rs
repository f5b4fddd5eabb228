// Total counts entered one at a time, channel prices and the audit log.

use super::*;

impl Store {
    pub(super) async fn insert_total_count(
        &self,
        total: &NewTotalCount,
    ) -> StoreResult<TotalCountId> {
        sqlx::query_scalar(
            "INSERT INTO total_counts (municipality_code, measure, channel_code, from_day, to_day, \
             count, source, import_batch_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(code_of(total.municipality))
        .bind(total.measure.code())
        .bind(total.channel.as_ref().map(ChannelCode::as_str))
        .bind(total.from)
        .bind(total.to)
        .bind(total.count)
        .bind(&total.source)
        .bind(total.batch.map(|b| b.0))
        .bind(Utc::now())
        .fetch_one(&self.writer)
        .await
        .map(TotalCountId)
        .map_err(db_err)
    }

    pub(super) async fn list_total_counts(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<TotalCountRow>> {
        let rows = sqlx::query(&format!(
            "SELECT id, municipality_code, measure, channel_code, from_day, to_day, count, source, \
             import_batch_id FROM total_counts WHERE municipality_code = $1 AND {VISIBLE} \
             ORDER BY from_day, measure, channel_code"
        ))
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(total_row).collect()
    }

    pub(super) async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (municipality_code, actor, action, entity, entity_id, \
             before_json, after_json, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(entry.municipality.map(code_of))
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.entity)
        .bind(&entry.entity_id)
        .bind(entry.before_json.as_deref())
        .bind(entry.after_json.as_deref())
        .bind(Utc::now())
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn list_audit(
        &self,
        municipality: Option<MunicipalityCode>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRow>> {
        let rows = sqlx::query(
            "SELECT municipality_code, actor, action, entity, entity_id, before_json, after_json, \
             at FROM audit_log WHERE $1 IS NULL OR municipality_code = $1 \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(municipality.map(code_of))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(audit_row).collect()
    }
}
