// Set-up changes: Counting periods and their publication.

use super::*;

impl Store {
    pub(super) async fn apply_periods(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            CreatePeriod(period) => {
                let p = &period.period;
                if period.municipality.is_none() {
                    let existing: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM counting_periods WHERE municipality_code IS NULL \
                         AND starts_on = $1 AND ends_on = $2",
                    )
                    .bind(p.starts_on)
                    .bind(p.ends_on)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    if let Some(id) = existing {
                        return Ok(Applied {
                            id: Some(id),
                            count: 0,
                        });
                    }
                }
                sqlx::query_scalar(
                    "INSERT INTO counting_periods (municipality_code, name, year, season, \
                     starts_on, ends_on, mandatory, submission_deadline, task_package_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(period.municipality.map(code_of))
                .bind(&p.name)
                .bind(p.year)
                .bind(p.season.map(Season::code))
                .bind(p.starts_on)
                .bind(p.ends_on)
                .bind(p.mandatory)
                .bind(p.submission_deadline)
                .bind(period.task_package.map(|t| t.0))
                .fetch_one(&mut **tx)
                .await
                .map(created)
                .map_err(db_err)
            }
            UpdatePeriod {
                period,
                name,
                mandatory,
                submission_deadline,
                task_package,
            } => {
                let done = sqlx::query(
                    "UPDATE counting_periods SET name = $2, mandatory = $3, \
                     submission_deadline = $4, task_package_id = $5 WHERE id = $1",
                )
                .bind(period.0)
                .bind(name)
                .bind(mandatory)
                .bind(submission_deadline)
                .bind(task_package.map(|p| p.0))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("tælleperiode {period}"))
            }
            PublishPeriod {
                period,
                at,
                publication,
            } => {
                let done = sqlx::query(
                    "UPDATE counting_periods SET published_at = $2 \
                     WHERE id = $1 AND municipality_code IS NULL",
                )
                .bind(period.0)
                .bind(at)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                if let (Some(p), 1) = (publication, done.rows_affected()) {
                    sqlx::query(
                        "INSERT INTO period_publications \
                         (period_id, published_at, published_by, note, figures) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(period.0)
                    .bind(p.published_at)
                    .bind(&p.published_by)
                    .bind(&p.note)
                    .bind(&p.figures)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                }
                touched(done, format!("national tælleperiode {period}"))
            }
            SetPeriodDeadline {
                period,
                kind,
                due_on,
            } => {
                let national: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM counting_periods WHERE id = $1 AND municipality_code IS NULL",
                )
                .bind(period.0)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
                if national.is_none() {
                    return Err(not_found(format!("national tælleperiode {period}")));
                }
                match due_on {
                    Some(due_on) => {
                        sqlx::query(
                            "INSERT INTO period_deadlines (period_id, kind, due_on) \
                             VALUES ($1, $2, $3) ON CONFLICT (period_id, kind) \
                             DO UPDATE SET due_on = excluded.due_on",
                        )
                        .bind(period.0)
                        .bind(kind.code())
                        .bind(due_on)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                        Ok(Applied { id: None, count: 1 })
                    }
                    None => {
                        let done = sqlx::query(
                            "DELETE FROM period_deadlines WHERE period_id = $1 AND kind = $2",
                        )
                        .bind(period.0)
                        .bind(kind.code())
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                        touched(done, format!("frist for tælleperiode {period}"))
                    }
                }
            }
            other => Err(misrouted(other)),
        }
    }
}
