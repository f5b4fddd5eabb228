// Batches of registrations: created, filled chunk by chunk, committed or
// deleted whole, listed and found again.

use super::*;

/// Rows deleted per transaction when a batch is removed.
const DELETE_CHUNK: i64 = 50_000;

/// Inserts registrations without answers or idempotency keys, many rows per
/// statement, on an open transaction. (SQLite's bulk path; PostgreSQL's is
/// `COPY`, in its backend crate, so there this is unused.)
#[allow(dead_code)]
pub(crate) async fn insert_many(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[&NewRegistration],
    batch: BatchId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        let mut builder: QueryBuilder<Db> = QueryBuilder::new(
            "INSERT INTO registrations (municipality_code, unit_id, task_id, channel_code, \
             inquiry_type_code, completion_code, has_form, registered_at, day, iso_year, iso_week, \
             hour, duration_ms, quantity, source, import_batch_id, is_test, created_at) ",
        );
        builder.push_values(chunk, |mut b, r| {
            let dims = r.dimensions();
            b.push_bind(code_of(r.municipality))
                .push_bind(r.unit.map(|u| u.0))
                .push_bind(r.task.0)
                .push_bind(r.channel.as_str().to_owned())
                .push_bind(r.inquiry_type.map(InquiryType::code))
                .push_bind(r.completion.map(Completion::code))
                .push_bind(r.has_form)
                .push_bind(r.registered_at)
                .push_bind(dims.day)
                .push_bind(dims.iso_year)
                .push_bind(dims.iso_week as i32)
                .push_bind(dims.hour as i32)
                .push_bind(r.duration_ms)
                .push_bind(r.quantity)
                .push_bind(r.source.code())
                .push_bind(batch.0)
                .push_bind(r.is_test)
                .push_bind(now);
        });
        // Only the full-size statement is worth keeping prepared: caching
        // every odd-sized remainder would hold one large statement each.
        builder
            .build()
            .persistent(chunk.len() == INSERT_CHUNK)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

impl Store {
    pub(super) async fn create_batch(&self, batch: &NewBatch) -> StoreResult<BatchId> {
        sqlx::query_scalar(
            "INSERT INTO import_batches (municipality_code, kind, file_name, sha256, status, \
             created_by, created_at, fingerprint) \
             VALUES ($1, $2, $3, $4, 'loading', $5, $6, $7) RETURNING id",
        )
        .bind(batch.municipality.map(code_of))
        .bind(batch.kind.code())
        .bind(&batch.file_name)
        .bind(&batch.sha256)
        .bind(&batch.created_by)
        .bind(Utc::now())
        .bind(&batch.fingerprint)
        .fetch_one(&self.writer)
        .await
        .map(BatchId)
        .map_err(db_err)
    }

    pub(super) async fn append_to_batch(
        &self,
        batch: BatchId,
        rows: &[NewRegistration],
    ) -> StoreResult<u64> {
        for row in rows {
            row.validate()
                .map_err(|e| StoreError::invalid(e.to_string()))?;
        }
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        let status: Option<(String, Option<i32>)> = sqlx::query_as(
            "SELECT CASE WHEN held_at IS NULL THEN status ELSE 'held' END, \
                 municipality_code FROM import_batches WHERE id = $1",
        )
        .bind(batch.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        match status {
            Some((s, owner)) if s == "loading" => {
                if let Some(owner) = owner {
                    if rows.iter().any(|r| code_of(r.municipality) != owner) {
                        return Err(StoreError::invalid(format!(
                            "batch {batch} tilhører kommune {owner}"
                        )));
                    }
                }
            }
            Some(_) => return Err(StoreError::invalid(format!("batch {batch} er afsluttet"))),
            None => return Err(StoreError::not_found(format!("batch {batch}"))),
        }
        check_references(&mut tx, rows, batch).await?;
        let now = Utc::now();
        let (single, plain): (Vec<&NewRegistration>, Vec<&NewRegistration>) = rows
            .iter()
            .partition(|r| !r.answers.is_empty() || r.idempotency_key.is_some());
        bulk_insert(&mut tx, &plain, batch, now).await?;
        let mut stored = plain.len() as u64;
        for row in single {
            if insert_one(&mut tx, row, Some(batch), now).await?.is_some() {
                stored += 1;
            }
        }
        sqlx::query("UPDATE import_batches SET row_count = row_count + $1 WHERE id = $2")
            .bind(stored as i64)
            .bind(batch.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        after_bulk_chunk(&self.writer).await?;
        Ok(stored)
    }

    pub(super) async fn commit_batch(
        &self,
        batch: BatchId,
        replaces: &[BatchId],
    ) -> StoreResult<BatchRow> {
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        let sql = format!(
            "UPDATE import_batches SET status = 'committed' WHERE id = $1 AND status = 'loading' \
             RETURNING {BATCH_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(batch.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let committed = match row {
            Some(row) => batch_row(&row)?,
            None => {
                return Err(StoreError::not_found(format!(
                    "batch {batch} under indlæsning"
                )))
            }
        };
        cube_apply(&mut tx, "r.import_batch_id = $1", batch.0, 1).await?;
        for old in replaces {
            // The old batches vanish in the same moment the new one appears;
            // their rows are removed afterwards with `delete_batch`.
            let done = sqlx::query(
                "UPDATE import_batches SET status = 'replaced' WHERE id = $1 \
                 AND status = 'committed' AND municipality_code IS NOT DISTINCT FROM $2",
            )
            .bind(old.0)
            .bind(committed.municipality.map(code_of))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if done.rows_affected() == 0 {
                return Err(StoreError::not_found(format!(
                    "batch {old} til at erstatte"
                )));
            }
            cube_apply(&mut tx, "r.import_batch_id = $1", old.0, -1).await?;
        }
        tx.commit().await.map_err(db_err)?;
        after_batch_commit(&self.writer, committed.row_count).await;
        Ok(committed)
    }

    pub(super) async fn hold_batch(
        &self,
        batch: BatchId,
        replaces: Option<BatchId>,
        at: DateTime<Utc>,
        why: &str,
    ) -> StoreResult<BatchRow> {
        let sql = format!(
            "UPDATE import_batches SET held_at = $2, replaces_batch_id = $3, errors = $4 \
             WHERE id = $1 AND status = 'loading' AND held_at IS NULL RETURNING {BATCH_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(batch.0)
            .bind(at)
            .bind(replaces.map(|b| b.0))
            .bind(why)
            .fetch_optional(&self.writer)
            .await
            .map_err(db_err)?;
        match row {
            Some(row) => batch_row(&row),
            None => Err(StoreError::not_found(format!(
                "batch {batch} under indlæsning"
            ))),
        }
    }

    pub(super) async fn batch_days(
        &self,
        batch: BatchId,
    ) -> StoreResult<Option<(NaiveDate, NaiveDate)>> {
        let (first, last): (Option<NaiveDate>, Option<NaiveDate>) = sqlx::query_as(
            "SELECT MIN(first), MAX(last) FROM (\
             SELECT MIN(day) AS first, MAX(day) AS last FROM registrations \
             WHERE import_batch_id = $1 \
             UNION ALL \
             SELECT MIN(from_day) AS first, MAX(to_day) AS last FROM total_counts \
             WHERE import_batch_id = $1) AS days",
        )
        .bind(batch.0)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(first.zip(last))
    }

    pub(super) async fn list_held_batches(&self) -> StoreResult<Vec<BatchRow>> {
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM import_batches \
             WHERE status = 'loading' AND held_at IS NOT NULL ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(batch_row).collect()
    }

    pub(super) async fn delete_batch(
        &self,
        municipality: Option<MunicipalityCode>,
        batch: BatchId,
    ) -> StoreResult<u64> {
        let owner: Option<(Option<i32>, String)> =
            sqlx::query_as("SELECT municipality_code, status FROM import_batches WHERE id = $1")
                .bind(batch.0)
                .fetch_optional(&self.writer)
                .await
                .map_err(db_err)?;
        let Some((owner, status)) = owner else {
            return Err(StoreError::not_found(format!("batch {batch}")));
        };
        if owner != municipality.map(code_of) {
            return Err(StoreError::not_found(format!("batch {batch}")));
        }
        if status != "replaced" && status != "deleted" {
            // Invisible at once (and out of the cube if it counted); the rows
            // go in short transactions below.
            let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
            sqlx::query("UPDATE import_batches SET status = 'deleted' WHERE id = $1")
                .bind(batch.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            if status == "committed" {
                cube_apply(&mut tx, "r.import_batch_id = $1", batch.0, -1).await?;
            }
            tx.commit().await.map_err(db_err)?;
        }
        let mut deleted = 0u64;
        loop {
            let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
            sqlx::query(
                "DELETE FROM registration_answers WHERE registration_id IN \
                 (SELECT id FROM registrations WHERE import_batch_id = $1 ORDER BY id LIMIT $2)",
            )
            .bind(batch.0)
            .bind(DELETE_CHUNK)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            let done = sqlx::query(
                "DELETE FROM registrations WHERE id IN \
                 (SELECT id FROM registrations WHERE import_batch_id = $1 ORDER BY id LIMIT $2)",
            )
            .bind(batch.0)
            .bind(DELETE_CHUNK)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?
            .rows_affected();
            tx.commit().await.map_err(db_err)?;
            deleted += done;
            if done < DELETE_CHUNK as u64 {
                break;
            }
        }
        sqlx::query("DELETE FROM total_counts WHERE import_batch_id = $1")
            .bind(batch.0)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        if status == "loading" {
            // Never committed: the set-up made for it goes too. Should something
            // have come to use it meanwhile, it stays (inactive, harmless).
            let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
            match setup::remove_import_setup(&mut tx, batch).await {
                Ok(()) => tx.commit().await.map_err(db_err)?,
                Err(e) => tracing::warn!(%batch, error = %e, "an import's set-up was kept"),
            }
        }
        Ok(deleted)
    }

    pub(super) async fn tool_cells(
        &self,
        municipality: MunicipalityCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<CellCount>> {
        let rows = sqlx::query(&format!(
            "SELECT unit_id, channel_code, day, CAST(SUM(quantity) AS BIGINT) AS inquiries \
             FROM registrations WHERE municipality_code = $1 AND day >= $2 AND day <= $3 \
             AND source IN ('tool', 'paper') AND NOT is_test AND {VISIBLE} \
             GROUP BY unit_id, channel_code, day"
        ))
        .bind(code_of(municipality))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(CellCount {
                    unit: get::<Option<i64>>(r, "unit_id")?.map(UnitId),
                    channel: channel_from(&get::<String>(r, "channel_code")?)?,
                    day: get(r, "day")?,
                    inquiries: get(r, "inquiries")?,
                })
            })
            .collect()
    }

    pub(super) async fn batch_cells(
        &self,
        municipality: MunicipalityCode,
        kinds: &[BatchKind],
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<BatchCell>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let mut b: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT r.import_batch_id, r.unit_id, r.task_id, r.channel_code, r.day, \
             CAST(COUNT(*) AS BIGINT) AS row_count, \
             CAST(SUM(r.quantity) AS BIGINT) AS inquiries \
             FROM registrations r JOIN import_batches b ON b.id = r.import_batch_id \
             WHERE r.municipality_code = ",
        );
        b.push_bind(code_of(municipality))
            .push(" AND b.municipality_code = ")
            .push_bind(code_of(municipality))
            .push(" AND b.status = 'committed' AND r.day >= ")
            .push_bind(from)
            .push(" AND r.day <= ")
            .push_bind(to)
            .push(" AND b.kind IN (");
        let mut list = b.separated(", ");
        for kind in kinds {
            list.push_bind(kind.code());
        }
        b.push(") GROUP BY r.import_batch_id, r.unit_id, r.task_id, r.channel_code, r.day");
        let rows = b.build().fetch_all(&self.pool).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(BatchCell {
                    batch: BatchId(get(r, "import_batch_id")?),
                    unit: get::<Option<i64>>(r, "unit_id")?.map(UnitId),
                    task: TaskId(get(r, "task_id")?),
                    channel: channel_from(&get::<String>(r, "channel_code")?)?,
                    day: get(r, "day")?,
                    rows: get(r, "row_count")?,
                    inquiries: get(r, "inquiries")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_batches(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<BatchRow>> {
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM import_batches \
             WHERE ($1 IS NULL AND municipality_code IS NULL) OR municipality_code = $1 \
             ORDER BY id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(municipality.map(code_of))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(batch_row).collect()
    }

    pub(super) async fn batch_counts(
        &self,
        municipality: MunicipalityCode,
        batch: BatchId,
    ) -> StoreResult<Vec<(ChannelCode, i64)>> {
        let rows = sqlx::query(
            "SELECT channel_code, CAST(SUM(quantity) AS BIGINT) AS inquiries FROM registrations \
             WHERE municipality_code = $1 AND import_batch_id = $2 \
             GROUP BY channel_code ORDER BY channel_code",
        )
        .bind(code_of(municipality))
        .bind(batch.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok((
                    channel_from(&get::<String>(r, "channel_code")?)?,
                    get(r, "inquiries")?,
                ))
            })
            .collect()
    }

    pub(super) async fn find_batch(
        &self,
        municipality: Option<MunicipalityCode>,
        kind: BatchKind,
        sha256: &str,
        fingerprint: Option<&str>,
    ) -> StoreResult<Option<BatchRow>> {
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM import_batches \
             WHERE (($1 IS NULL AND municipality_code IS NULL) OR municipality_code = $1) \
             AND kind = $2 AND (sha256 = $3 OR fingerprint = $4) \
             AND status IN ('loading', 'committed') \
             ORDER BY id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(municipality.map(code_of))
            .bind(kind.code())
            .bind(sha256)
            .bind(fingerprint)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(batch_row).transpose()
    }
}
