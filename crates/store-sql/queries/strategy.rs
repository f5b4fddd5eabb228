// A municipality's channel strategy: saved scenarios, targets, initiatives.

use super::*;

fn scenario_row(row: &DbRow) -> StoreResult<ScenarioRow> {
    Ok(ScenarioRow {
        id: ScenarioId(get(row, "id")?),
        municipality: municipality_from(get(row, "municipality_code")?)?,
        name: get(row, "name")?,
        query: get(row, "query")?,
        saved_by: get(row, "saved_by")?,
        saved_at: get(row, "saved_at")?,
    })
}

fn target_row(row: &DbRow) -> StoreResult<TargetRow> {
    let bound: String = get(row, "bound")?;
    Ok(TargetRow {
        id: TargetId(get(row, "id")?),
        target: NewTarget {
            municipality: municipality_from(get(row, "municipality_code")?)?,
            task: get::<Option<i64>>(row, "task_id")?.map(TaskId),
            subject: get(row, "subject")?,
            at_least: match bound.as_str() {
                "min" => true,
                "max" => false,
                other => return Err(corrupt("målets retning", other)),
            },
            percent: get(row, "percent")?,
            by_year: get(row, "by_year")?,
            note: get(row, "note")?,
            set_by: get(row, "set_by")?,
            set_at: get(row, "set_at")?,
        },
    })
}

fn initiative_row(row: &DbRow) -> StoreResult<InitiativeRow> {
    Ok(InitiativeRow {
        id: InitiativeId(get(row, "id")?),
        initiative: NewInitiative {
            municipality: municipality_from(get(row, "municipality_code")?)?,
            task: get::<Option<i64>>(row, "task_id")?.map(TaskId),
            title: get(row, "title")?,
            starts_on: get(row, "starts_on")?,
            note: get(row, "note")?,
            set_by: get(row, "set_by")?,
            set_at: get(row, "set_at")?,
        },
    })
}

impl Store {
    pub(super) async fn list_scenarios(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<ScenarioRow>> {
        let rows = sqlx::query(
            "SELECT id, municipality_code, name, query, saved_by, saved_at \
             FROM savings_scenarios WHERE municipality_code = $1 ORDER BY id DESC",
        )
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(scenario_row).collect()
    }

    pub(super) async fn list_targets(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<TargetRow>> {
        let rows = sqlx::query(
            "SELECT id, municipality_code, task_id, subject, bound, percent, by_year, note, \
             set_by, set_at FROM strategy_targets WHERE municipality_code = $1 ORDER BY id",
        )
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(target_row).collect()
    }

    pub(super) async fn list_initiatives(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<InitiativeRow>> {
        let rows = sqlx::query(
            "SELECT id, municipality_code, task_id, title, starts_on, note, set_by, set_at \
             FROM strategy_initiatives WHERE municipality_code = $1 ORDER BY starts_on, id",
        )
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(initiative_row).collect()
    }
}
