// Total counts as batches (staged, committed only without overlap, listed)
// and the phone-system rules.

use super::*;

/// Totals (`t`) with their batch (`b`), for [`total_entry_row`].
const TOTAL_ENTRY_SELECT: &str = "SELECT t.id, t.municipality_code, t.measure, t.channel_code, \
     t.from_day, t.to_day, t.count, t.source, t.import_batch_id, t.created_at, \
     b.kind AS batch_kind, b.file_name AS batch_file_name, b.created_by AS batch_created_by \
     FROM total_counts t LEFT JOIN import_batches b ON b.id = t.import_batch_id";

/// The visible totals of these municipalities that cover a day from
/// `from` to `to`.
async fn visible_totals_between<'e, E>(
    executor: E,
    municipalities: &[i32],
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<TotalEntryRow>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    if municipalities.is_empty() {
        return Ok(Vec::new());
    }
    let mut builder: QueryBuilder<Db> = QueryBuilder::new(TOTAL_ENTRY_SELECT);
    builder.push(format!(" WHERE {T_VISIBLE} AND t.from_day <= "));
    builder.push_bind(to);
    builder.push(" AND t.to_day >= ");
    builder.push_bind(from);
    builder.push(" AND t.municipality_code IN (");
    let mut codes = builder.separated(", ");
    for code in municipalities {
        codes.push_bind(*code);
    }
    codes.push_unseparated(") ORDER BY t.id");
    let rows = builder.build().fetch_all(executor).await.map_err(db_err)?;
    rows.iter().map(total_entry_row).collect()
}

/// What a total is counted under: two totals with the same key must not
/// share a day.
type TotalKey<'a> = (
    MunicipalityCode,
    TotalMeasure,
    Option<&'a str>,
    NaiveDate,
    NaiveDate,
);

/// Each new total (by position) against every stored one it shares a day with.
fn overlaps_of(new: &[TotalKey<'_>], existing: &[TotalEntryRow]) -> Vec<TotalOverlap> {
    let mut found = Vec::new();
    for (index, (municipality, measure, channel, from, to)) in new.iter().enumerate() {
        for e in existing {
            let t = &e.total;
            if t.municipality == *municipality
                && t.measure == *measure
                && t.channel.as_ref().map(ChannelCode::as_str) == *channel
                && t.from <= *to
                && t.to >= *from
            {
                found.push(TotalOverlap {
                    index,
                    existing: e.clone(),
                });
            }
        }
    }
    found
}

/// The range and municipalities of a set of totals, to fetch what they
/// could overlap in one query.
fn span_of(keys: &[TotalKey<'_>]) -> Option<(Vec<i32>, NaiveDate, NaiveDate)> {
    let from = keys.iter().map(|k| k.3).min()?;
    let to = keys.iter().map(|k| k.4).max()?;
    let mut codes: Vec<i32> = keys.iter().map(|k| code_of(k.0)).collect();
    codes.sort_unstable();
    codes.dedup();
    Some((codes, from, to))
}

/// A total with its batch's kind, file and author, from
/// [`TOTAL_ENTRY_SELECT`].
fn total_entry_row(row: &DbRow) -> StoreResult<TotalEntryRow> {
    Ok(TotalEntryRow {
        total: total_row(row)?,
        batch_kind: get::<Option<String>>(row, "batch_kind")?
            .map(|kind| BatchKind::parse(&kind).ok_or_else(|| corrupt("batchtype", &kind)))
            .transpose()?,
        file_name: get(row, "batch_file_name")?,
        entered_by: get(row, "batch_created_by")?,
        entered_at: get(row, "created_at")?,
    })
}

fn cdr_rule_row(r: &DbRow) -> StoreResult<CdrRuleRow> {
    let field: String = get(r, "field")?;
    let matching: String = get(r, "matching")?;
    Ok(CdrRuleRow {
        id: CdrRuleId(get(r, "id")?),
        rule: NewCdrRule {
            municipality: municipality_from(get(r, "municipality_code")?)?,
            field: CdrRuleField::parse(&field).ok_or_else(|| corrupt("CDR-felt", &field))?,
            matching: CdrMatch::parse(&matching).ok_or_else(|| corrupt("CDR-match", &matching))?,
            pattern: get(r, "pattern")?,
            direction: Direction::parse(&get::<String>(r, "direction")?)
                .map_err(|e| corrupt("retning", e))?,
        },
        created_at: get(r, "created_at")?,
    })
}

impl Store {
    pub(super) async fn stage_totals(
        &self,
        batch: &NewBatch,
        totals: &[NewTotalCount],
    ) -> StoreResult<BatchId> {
        if let Some(owner) = batch.municipality {
            if totals.iter().any(|t| t.municipality != owner) {
                return Err(StoreError::invalid(format!(
                    "totaltal for en anden kommune end {owner}"
                )));
            }
        }
        let now = Utc::now();
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO import_batches (municipality_code, kind, file_name, sha256, row_count, \
             status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, 'loading', $6, $7) \
             RETURNING id",
        )
        .bind(batch.municipality.map(code_of))
        .bind(batch.kind.code())
        .bind(&batch.file_name)
        .bind(&batch.sha256)
        .bind(totals.len() as i64)
        .bind(&batch.created_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        for chunk in totals.chunks(INSERT_CHUNK) {
            let mut builder: QueryBuilder<Db> = QueryBuilder::new(
                "INSERT INTO total_counts (municipality_code, measure, channel_code, from_day, \
                 to_day, count, source, import_batch_id, created_at) ",
            );
            builder.push_values(chunk, |mut b, t| {
                b.push_bind(code_of(t.municipality))
                    .push_bind(t.measure.code())
                    .push_bind(t.channel.as_ref().map(|c| c.as_str().to_owned()))
                    .push_bind(t.from)
                    .push_bind(t.to)
                    .push_bind(t.count)
                    .push_bind(t.source.clone())
                    .push_bind(id)
                    .push_bind(now);
            });
            builder.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(BatchId(id))
    }

    pub(super) async fn commit_totals(
        &self,
        municipality: Option<MunicipalityCode>,
        batch: BatchId,
    ) -> StoreResult<TotalsCommit> {
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        // Lock the municipalities the totals are for, one by one in code
        // order: a second batch for any of them waits here until this one
        // is committed or refused, and then sees it. (SQLite has one
        // writer, so there the transaction itself is the lock.)
        let codes: Vec<i32> = sqlx::query_scalar(
            "SELECT DISTINCT municipality_code FROM total_counts WHERE import_batch_id = $1 \
             ORDER BY municipality_code",
        )
        .bind(batch.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        for code in &codes {
            sqlx::query("UPDATE municipalities SET name = name WHERE code = $1")
                .bind(code)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        let staged = sqlx::query(&format!(
            "SELECT {BATCH_COLUMNS} FROM import_batches WHERE id = $1 AND status = 'loading' \
             AND municipality_code IS NOT DISTINCT FROM $2"
        ))
        .bind(batch.0)
        .bind(municipality.map(code_of))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let staged = match staged {
            Some(row) => batch_row(&row)?,
            None => {
                return Err(StoreError::not_found(format!(
                    "indlæsning {batch}, der venter på at blive gemt"
                )))
            }
        };
        let duplicate = sqlx::query(&format!(
            "SELECT {BATCH_COLUMNS} FROM import_batches WHERE status = 'committed' \
             AND municipality_code IS NOT DISTINCT FROM $1 AND kind = $2 AND sha256 = $3 \
             ORDER BY id DESC LIMIT 1"
        ))
        .bind(municipality.map(code_of))
        .bind(staged.kind.code())
        .bind(&staged.sha256)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        if let Some(row) = duplicate {
            return Ok(TotalsCommit::Duplicate(batch_row(&row)?));
        }
        let rows = sqlx::query(&format!(
            "{TOTAL_ENTRY_SELECT} WHERE t.import_batch_id = $1 ORDER BY t.id"
        ))
        .bind(batch.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let mine = rows
            .iter()
            .map(total_entry_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let keys: Vec<TotalKey<'_>> = mine
            .iter()
            .map(|e| {
                let t = &e.total;
                (
                    t.municipality,
                    t.measure,
                    t.channel.as_ref().map(ChannelCode::as_str),
                    t.from,
                    t.to,
                )
            })
            .collect();
        if let Some((codes, from, to)) = span_of(&keys) {
            let existing = visible_totals_between(&mut *tx, &codes, from, to).await?;
            let overlaps = overlaps_of(&keys, &existing);
            if !overlaps.is_empty() {
                return Ok(TotalsCommit::Overlaps(overlaps));
            }
        }
        let row = sqlx::query(&format!(
            "UPDATE import_batches SET status = 'committed' WHERE id = $1 \
             RETURNING {BATCH_COLUMNS}"
        ))
        .bind(batch.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let committed = batch_row(&row)?;
        tx.commit().await.map_err(db_err)?;
        Ok(TotalsCommit::Committed(committed))
    }

    pub(super) async fn find_total_overlaps(
        &self,
        totals: &[NewTotalCount],
    ) -> StoreResult<Vec<TotalOverlap>> {
        let keys: Vec<TotalKey<'_>> = totals
            .iter()
            .map(|t| {
                (
                    t.municipality,
                    t.measure,
                    t.channel.as_ref().map(ChannelCode::as_str),
                    t.from,
                    t.to,
                )
            })
            .collect();
        let Some((codes, from, to)) = span_of(&keys) else {
            return Ok(Vec::new());
        };
        let existing = visible_totals_between(&self.pool, &codes, from, to).await?;
        Ok(overlaps_of(&keys, &existing))
    }

    pub(super) async fn list_totals(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<TotalEntryRow>> {
        let rows = sqlx::query(&format!(
            "{TOTAL_ENTRY_SELECT} WHERE {T_VISIBLE} AND \
             (($1 IS NULL AND b.id IS NOT NULL AND b.municipality_code IS NULL) \
             OR t.municipality_code = $1) \
             ORDER BY t.measure, t.channel_code, t.from_day, t.municipality_code, t.id"
        ))
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(total_entry_row).collect()
    }

    pub(super) async fn list_cdr_rules(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<CdrRuleRow>> {
        let rows = sqlx::query(
            "SELECT id, municipality_code, field, matching, pattern, direction, created_at \
             FROM cdr_rules WHERE municipality_code = $1 ORDER BY id",
        )
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(cdr_rule_row).collect()
    }
}
