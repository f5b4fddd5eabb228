// Set-up changes: A municipality's organisation: departments and units, and a unit's password.

use super::*;

impl Store {
    pub(super) async fn apply_organisation(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            CreateDepartment(d) => sqlx::query_scalar(
                "INSERT INTO departments (municipality_code, name, created_at) \
                 VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(code_of(d.municipality))
            .bind(&d.name)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(conflict_as(format!(
                "forvaltningen «{}» findes allerede",
                d.name
            ))),
            UpdateDepartment {
                municipality,
                department,
                name,
                active,
            } => {
                let done = sqlx::query(
                    "UPDATE departments SET name = $3, active = $4 \
                     WHERE municipality_code = $1 AND id = $2",
                )
                .bind(code_of(*municipality))
                .bind(department.0)
                .bind(name)
                .bind(active)
                .execute(&mut **tx)
                .await
                .map_err(conflict_as(format!(
                    "forvaltningen «{name}» findes allerede"
                )))?;
                touched(done, format!("forvaltning {department}"))
            }
            CreateUnit(u) => {
                require_department(tx, u.municipality, u.department).await?;
                sqlx::query_scalar(
                    "INSERT INTO units (municipality_code, department_id, name, login, \
                     password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(code_of(u.municipality))
                .bind(u.department.map(|d| d.0))
                .bind(&u.name)
                .bind(&u.login)
                .bind(u.password_hash.as_deref())
                .bind(now)
                .fetch_one(&mut **tx)
                .await
                .map(created)
                .map_err(conflict_as(format!("login {}", u.login)))
            }
            UpdateUnit {
                municipality,
                unit,
                department,
                name,
                login,
                active,
            } => {
                require_department(tx, *municipality, *department).await?;
                let done = sqlx::query(
                    "UPDATE units SET department_id = $3, name = $4, login = $5, active = $6 \
                     WHERE municipality_code = $1 AND id = $2",
                )
                .bind(code_of(*municipality))
                .bind(unit.0)
                .bind(department.map(|d| d.0))
                .bind(name)
                .bind(login)
                .bind(active)
                .execute(&mut **tx)
                .await
                .map_err(conflict_as(format!("login {login}")))?;
                let applied = touched(done, format!("enhed {unit}"))?;
                if !active {
                    end_unit_sessions(tx, *unit).await?;
                }
                Ok(applied)
            }
            SetUnitPassword {
                municipality,
                unit,
                password_hash,
            } => {
                let done = sqlx::query(
                    "UPDATE units SET password_hash = $3 WHERE municipality_code = $1 AND id = $2",
                )
                .bind(code_of(*municipality))
                .bind(unit.0)
                .bind(password_hash.as_deref())
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                let applied = touched(done, format!("enhed {unit}"))?;
                end_unit_sessions(tx, *unit).await?;
                Ok(applied)
            }
            other => Err(misrouted(other)),
        }
    }
}
