// Sessions and logins: unit and personal sessions, login throttles per
// login and address, address locks.

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
        throttles_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "DELETE FROM login_throttles WHERE last_failure_at < $1 \
             AND (locked_until IS NULL OR locked_until <= $2)",
        )
        .bind(throttles_before)
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        sqlx::query("DELETE FROM address_locks WHERE locked_until <= $1")
            .bind(now)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn login_locked_until(
        &self,
        login: &str,
        address: &str,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let pair: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(
            "SELECT locked_until FROM login_throttles WHERE login = $1 AND address = $2",
        )
        .bind(login)
        .bind(address)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let whole: Option<DateTime<Utc>> =
            sqlx::query_scalar("SELECT locked_until FROM address_locks WHERE address = $1")
                .bind(address)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(pair.flatten().max(whole))
    }

    pub(super) async fn record_login_failure(
        &self,
        login: &str,
        address: &str,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO login_throttles (login, address, failures, last_failure_at) \
             VALUES ($1, $2, 1, $3) ON CONFLICT (login, address) DO UPDATE SET \
             failures = CASE WHEN login_throttles.last_failure_at < $4 THEN 1 \
             ELSE login_throttles.failures + 1 END, last_failure_at = $3 \
             RETURNING failures",
        )
        .bind(login)
        .bind(address)
        .bind(at)
        .bind(forget_before)
        .fetch_one(&self.writer)
        .await
        .map_err(db_err)
    }

    pub(super) async fn count_failing_logins(
        &self,
        address: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_throttles WHERE address = $1 AND last_failure_at >= $2",
        )
        .bind(address)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)
    }

    pub(super) async fn lock_login(
        &self,
        login: Option<&str>,
        address: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<()> {
        let query = match login {
            Some(login) => sqlx::query(
                "UPDATE login_throttles SET locked_until = $1 WHERE address = $2 AND login = $3",
            )
            .bind(until)
            .bind(address)
            .bind(login),
            None => sqlx::query(
                "INSERT INTO address_locks (locked_until, address) VALUES ($1, $2) \
                 ON CONFLICT (address) DO UPDATE SET locked_until = excluded.locked_until",
            )
            .bind(until)
            .bind(address),
        };
        query.execute(&self.writer).await.map_err(db_err)?;
        Ok(())
    }

    pub(super) async fn clear_login_failures(&self, login: &str, address: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_throttles WHERE login = $1 AND address = $2")
            .bind(login)
            .bind(address)
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
