// A municipality's organisation (departments, units, task assignments) and
// the users who work in it (users, role grants, one-time links).

use super::*;

fn department_row(r: &DbRow) -> StoreResult<DepartmentRow> {
    Ok(DepartmentRow {
        id: DepartmentId(get(r, "id")?),
        municipality: municipality_from(get(r, "municipality_code")?)?,
        name: get(r, "name")?,
        active: get(r, "active")?,
    })
}

fn grant_row(r: &DbRow) -> StoreResult<RoleGrantRow> {
    Ok(RoleGrantRow {
        role: Role::parse(&get::<String>(r, "role")?).map_err(|e| corrupt("rolle", e))?,
        municipality: opt_municipality(r, "municipality_code")?,
        unit: get::<Option<i64>>(r, "unit_id")?.map(UnitId),
    })
}

fn user_row(row: &DbRow) -> StoreResult<UserRow> {
    Ok(UserRow {
        id: UserId(get(row, "id")?),
        email: get(row, "email")?,
        name: get(row, "name")?,
        password_hash: get(row, "password_hash")?,
        active: get(row, "active")?,
        last_login_at: get(row, "last_login_at")?,
        lang: get(row, "lang")?,
    })
}

const UNIT_COLUMNS: &str =
    "id, municipality_code, department_id, name, login, password_hash, active, last_login_at";

const USER_COLUMNS: &str = "id, email, name, password_hash, active, last_login_at, lang";

impl Store {
    pub(super) async fn list_departments(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<DepartmentRow>> {
        let rows = sqlx::query(
            "SELECT id, municipality_code, name, active FROM departments \
             WHERE municipality_code = $1 ORDER BY name",
        )
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(department_row).collect()
    }

    pub(super) async fn list_units(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<UnitRow>> {
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE municipality_code = $1 ORDER BY name, id"
        );
        let rows = sqlx::query(&sql)
            .bind(code_of(municipality))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(unit_row).collect()
    }

    pub(super) async fn list_organisation_everywhere(&self) -> StoreResult<Organisation> {
        let units = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        let departments =
            sqlx::query("SELECT id, municipality_code, name, active FROM departments ORDER BY id")
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        let tasks = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks t ORDER BY t.id"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(Organisation {
            units: units.iter().map(unit_row).collect::<StoreResult<_>>()?,
            departments: departments
                .iter()
                .map(department_row)
                .collect::<StoreResult<_>>()?,
            tasks: tasks.iter().map(task_row).collect::<StoreResult<_>>()?,
        })
    }

    pub(super) async fn get_unit(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Option<UnitRow>> {
        let sql =
            format!("SELECT {UNIT_COLUMNS} FROM units WHERE municipality_code = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(code_of(municipality))
            .bind(unit.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(unit_row).transpose()
    }

    pub(super) async fn list_assignments(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<Assignment>> {
        let rows = sqlx::query(
            "SELECT unit_id, task_id FROM unit_tasks WHERE municipality_code = $1 \
             ORDER BY unit_id, task_id",
        )
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(Assignment {
                    unit: UnitId(get(r, "unit_id")?),
                    task: TaskId(get(r, "task_id")?),
                })
            })
            .collect()
    }

    pub(super) async fn count_active_units(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE active")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
    }

    pub(super) async fn count_active_units_by_municipality(
        &self,
    ) -> StoreResult<Vec<(MunicipalityCode, i64)>> {
        let rows = sqlx::query(
            "SELECT municipality_code, COUNT(*) AS units FROM units WHERE active \
             GROUP BY municipality_code ORDER BY municipality_code",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok((
                    municipality_from(get(r, "municipality_code")?)?,
                    get::<i64>(r, "units")?,
                ))
            })
            .collect()
    }

    pub(super) async fn find_unit_by_login(&self, login: &str) -> StoreResult<Option<UnitRow>> {
        let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE login = $1");
        let row = sqlx::query(&sql)
            .bind(login)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(unit_row).transpose()
    }

    pub(super) async fn list_unit_tasks(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Vec<TaskRow>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM unit_tasks ut JOIN tasks t ON t.id = ut.task_id \
             WHERE ut.municipality_code = $1 AND ut.unit_id = $2 ORDER BY t.kle_number, t.id"
        );
        let rows = sqlx::query(&sql)
            .bind(code_of(municipality))
            .bind(unit.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(task_row).collect()
    }

    pub(super) async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
        ))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(user_row).transpose()
    }

    pub(super) async fn get_user(&self, user: UserId) -> StoreResult<Option<UserRow>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(user_row).transpose()
    }

    pub(super) async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(user_row).collect()
    }

    pub(super) async fn list_grants(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<UserGrantRow>> {
        let rows = sqlx::query(
            "SELECT user_id, role, municipality_code, unit_id FROM user_roles \
             WHERE $1 IS NULL OR municipality_code = $1 ORDER BY user_id, id",
        )
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(UserGrantRow {
                    user: UserId(get(r, "user_id")?),
                    grant: grant_row(r)?,
                })
            })
            .collect()
    }

    pub(super) async fn record_user_login(
        &self,
        user: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
            .bind(user.0)
            .bind(at)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn set_user_lang(&self, user: UserId, lang: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET lang = $2 WHERE id = $1")
            .bind(user.0)
            .bind(lang)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn find_user_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<UserTokenRow>> {
        let row = sqlx::query(
            "SELECT user_id, expires_at, used_at FROM user_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(UserTokenRow {
                user: UserId(get(&r, "user_id")?),
                expires_at: get(&r, "expires_at")?,
                used_at: get(&r, "used_at")?,
            })
        })
        .transpose()
    }

    pub(super) async fn list_user_roles(&self, user: UserId) -> StoreResult<Vec<RoleGrantRow>> {
        let rows = sqlx::query(
            "SELECT role, municipality_code, unit_id FROM user_roles WHERE user_id = $1 ORDER BY id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(grant_row).collect()
    }

    pub(super) async fn list_municipality_users(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<UserRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id IN \
             (SELECT user_id FROM user_roles WHERE municipality_code = $1) ORDER BY email"
        ))
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(user_row).collect()
    }
}
