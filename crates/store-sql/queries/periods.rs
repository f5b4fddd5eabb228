// Counting periods and which municipalities and units take part.

use super::*;

fn period_row(row: &DbRow) -> StoreResult<PeriodRow> {
    let season: Option<String> = get(row, "season")?;
    Ok(PeriodRow {
        id: PeriodId(get(row, "id")?),
        municipality: opt_municipality(row, "municipality_code")?,
        period: CountingPeriod {
            name: get(row, "name")?,
            year: get(row, "year")?,
            season: season.as_deref().and_then(Season::parse),
            starts_on: get(row, "starts_on")?,
            ends_on: get(row, "ends_on")?,
            mandatory: get(row, "mandatory")?,
            submission_deadline: get(row, "submission_deadline")?,
        },
        task_package: get::<Option<i64>>(row, "task_package_id")?.map(TaskPackageId),
        published_at: get(row, "published_at")?,
    })
}

const PERIOD_COLUMNS: &str = "id, municipality_code, name, year, season, starts_on, ends_on, \
     mandatory, submission_deadline, task_package_id, published_at";

impl Store {
    pub(super) async fn list_periods(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<PeriodRow>> {
        let sql = format!(
            "SELECT {PERIOD_COLUMNS} FROM counting_periods \
             WHERE municipality_code IS NULL OR municipality_code = $1 \
             ORDER BY starts_on DESC, id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(municipality.map(code_of))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(period_row).collect()
    }

    pub(super) async fn list_participations(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<PeriodId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT period_id FROM period_participations WHERE municipality_code = $1 \
             ORDER BY period_id",
        )
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(PeriodId).collect())
    }

    pub(super) async fn list_period_units(
        &self,
        municipality: MunicipalityCode,
        period: PeriodId,
    ) -> StoreResult<Vec<UnitId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT unit_id FROM period_units WHERE municipality_code = $1 AND period_id = $2 \
             ORDER BY unit_id",
        )
        .bind(code_of(municipality))
        .bind(period.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(UnitId).collect())
    }
}

impl Store {
    pub(super) async fn list_publications(
        &self,
        period: PeriodId,
    ) -> StoreResult<Vec<PublicationRow>> {
        let rows = sqlx::query(
            "SELECT id, period_id, published_at, published_by, note, figures \
             FROM period_publications WHERE period_id = $1 ORDER BY id DESC",
        )
        .bind(period.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(PublicationRow {
                    id: get(row, "id")?,
                    period: PeriodId(get(row, "period_id")?),
                    published_at: get(row, "published_at")?,
                    published_by: get(row, "published_by")?,
                    note: get(row, "note")?,
                    figures: get(row, "figures")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_period_deadlines(
        &self,
        period: PeriodId,
    ) -> StoreResult<Vec<komhen_store::PeriodDeadline>> {
        let rows = sqlx::query(
            "SELECT kind, due_on FROM period_deadlines WHERE period_id = $1 ORDER BY due_on, kind",
        )
        .bind(period.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let kind: String = get(row, "kind")?;
                Ok(komhen_store::PeriodDeadline {
                    kind: komhen_store::DeadlineKind::parse(&kind)
                        .ok_or_else(|| corrupt("fristens art", &kind))?,
                    due_on: get(row, "due_on")?,
                })
            })
            .collect()
    }

    pub(super) async fn period_submissions(
        &self,
        municipality: Option<MunicipalityCode>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<komhen_store::SubmissionRow>> {
        // One municipality's reads its (municipality_code, day) index.
        let rows = sqlx::query(&format!(
            "SELECT municipality_code, source, CAST(SUM(quantity) AS BIGINT) AS inquiries, \
             CAST(COUNT(*) AS BIGINT) AS row_count, MAX(created_at) AS last_stored_at \
             FROM registrations WHERE {VISIBLE} AND NOT is_test AND day >= $1 AND day <= $2 \
             AND ($3 IS NULL OR municipality_code = $3) \
             GROUP BY municipality_code, source ORDER BY municipality_code, source"
        ))
        .bind(from)
        .bind(to)
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let source: String = get(row, "source")?;
                Ok(komhen_store::SubmissionRow {
                    municipality: municipality_from(get(row, "municipality_code")?)?,
                    source: Source::parse(&source).map_err(|e| corrupt("datakilde", e))?,
                    inquiries: get(row, "inquiries")?,
                    rows: get(row, "row_count")?,
                    last_stored_at: get(row, "last_stored_at")?,
                })
            })
            .collect()
    }

    pub(super) async fn period_totals_entered(
        &self,
        municipality: Option<MunicipalityCode>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<komhen_store::TotalsEnteredRow>> {
        let rows = sqlx::query(&format!(
            "SELECT t.municipality_code, CAST(COUNT(*) AS BIGINT) AS totals, \
             MAX(t.created_at) AS last_entered_at FROM total_counts t \
             WHERE {T_VISIBLE} AND t.measure = 'inquiries' \
             AND t.from_day <= $2 AND t.to_day >= $1 \
             AND ($3 IS NULL OR t.municipality_code = $3) \
             GROUP BY t.municipality_code ORDER BY t.municipality_code"
        ))
        .bind(from)
        .bind(to)
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(komhen_store::TotalsEnteredRow {
                    municipality: municipality_from(get(row, "municipality_code")?)?,
                    totals: get(row, "totals")?,
                    last_entered_at: get(row, "last_entered_at")?,
                })
            })
            .collect()
    }
}
