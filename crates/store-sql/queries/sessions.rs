// Sessions and logins: unit and personal sessions, login failures.

use super::*;

/// A unit session with its unit (columns prefixed `u_`) and municipality
/// (as in [`MUNICIPALITY_SELECT`]).
const UNIT_SESSION_SELECT: &str = "SELECT s.token_hash, s.csrf_token, \
     s.created_at AS session_created_at, s.expires_at, \
     u.id AS u_id, u.municipality_code AS u_municipality_code, \
     u.department_id AS u_department_id, u.name AS u_name, u.login AS u_login, \
     u.password_hash AS u_password_hash, u.active AS u_active, \
     u.last_login_at AS u_last_login_at, \
     m.code, m.name, m.region_code, r.name AS region_name, m.landsdel, m.iso_3166_2, \
     m.test_mode, m.test_mode_until, m.setup_version, p.year, p.population \
     FROM sessions s \
     JOIN units u ON u.id = s.unit_id AND u.municipality_code = s.municipality_code \
     JOIN municipalities m ON m.code = u.municipality_code \
     JOIN regions r ON r.code = m.region_code \
     LEFT JOIN municipality_populations p ON p.municipality_code = m.code AND p.year = \
     (SELECT MAX(year) FROM municipality_populations x WHERE x.municipality_code = m.code)";

impl Store {
    pub(super) async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, municipality_code, unit_id, user_id, csrf_token, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&session.token_hash)
        .bind(session.municipality.map(code_of))
        .bind(session.unit.map(|u| u.0))
        .bind(session.user.map(|u| u.0))
        .bind(&session.csrf_token)
        .bind(session.created_at)
        .bind(session.expires_at)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn find_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT token_hash, municipality_code, unit_id, user_id, csrf_token, created_at, \
             expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(NewSession {
                token_hash: get(&r, "token_hash")?,
                municipality: opt_municipality(&r, "municipality_code")?,
                unit: get::<Option<i64>>(&r, "unit_id")?.map(UnitId),
                user: get::<Option<i64>>(&r, "user_id")?.map(UserId),
                csrf_token: get(&r, "csrf_token")?,
                created_at: get(&r, "created_at")?,
                expires_at: get(&r, "expires_at")?,
            })
        })
        .transpose()
    }

    pub(super) async fn find_unit_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UnitSessionRow>> {
        let row = sqlx::query(&format!(
            "{UNIT_SESSION_SELECT} WHERE s.token_hash = $1 AND s.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        let unit = unit_row_prefixed(&r, "u_")?;
        Ok(Some(UnitSessionRow {
            session: NewSession {
                token_hash: get(&r, "token_hash")?,
                municipality: Some(unit.municipality),
                unit: Some(unit.id),
                user: None,
                csrf_token: get(&r, "csrf_token")?,
                created_at: get(&r, "session_created_at")?,
                expires_at: get(&r, "expires_at")?,
            },
            municipality: municipality_row(&r)?,
            unit,
        }))
    }

    pub(super) async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn prune_sessions(
        &self,
        now: DateTime<Utc>,
        failures_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
            .bind(failures_before)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn record_login_failure(
        &self,
        login: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_failures (login, failed_at) VALUES ($1, $2)")
            .bind(login)
            .bind(at)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn count_login_failures(
        &self,
        login: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE login = $1 AND failed_at >= $2",
        )
        .bind(login)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)
    }

    pub(super) async fn clear_login_failures(&self, login: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE login = $1")
            .bind(login)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn record_unit_login(
        &self,
        unit: UnitId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE units SET last_login_at = $2 WHERE id = $1")
            .bind(unit.0)
            .bind(at)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
