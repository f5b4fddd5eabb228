// Set-up changes: Personal users: accounts, passwords, roles and one-time links.

use super::*;

impl Store {
    pub(super) async fn apply_users(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            CreateUser(user) => sqlx::query_scalar(
                "INSERT INTO users (email, name, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user.email.trim().to_lowercase())
            .bind(&user.name)
            .bind(user.password_hash.as_deref())
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map(created)
            .map_err(conflict_as(format!("e-mail {}", user.email))),
            UpdateUser { user, name, active } => {
                let done = sqlx::query("UPDATE users SET name = $2, active = $3 WHERE id = $1")
                    .bind(user.0)
                    .bind(name)
                    .bind(active)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                let applied = touched(done, format!("bruger {user}"))?;
                if !active {
                    end_user_sessions(tx, user.0).await?;
                }
                Ok(applied)
            }
            SetUserPassword {
                user,
                password_hash,
            } => {
                let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(user.0)
                    .bind(password_hash)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                let applied = touched(done, format!("bruger {user}"))?;
                end_user_sessions(tx, user.0).await?;
                Ok(applied)
            }
            GrantRole(grant) => {
                if let (Some(unit), Some(municipality)) = (grant.unit, grant.municipality) {
                    require_unit(tx, municipality, unit).await?;
                }
                sqlx::query(
                    "INSERT INTO user_roles (municipality_code, user_id, role, unit_id) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(grant.municipality.map(code_of))
                .bind(grant.user.0)
                .bind(grant.role.code())
                .bind(grant.unit.map(|u| u.0))
                .execute(&mut **tx)
                .await
                .map_err(conflict_as("brugeren har allerede den rolle".into()))?;
                Ok(Applied { id: None, count: 1 })
            }
            RevokeRole {
                user,
                role,
                municipality,
                unit,
            } => {
                let done = sqlx::query(
                    "DELETE FROM user_roles WHERE user_id = $1 AND role = $2 \
                     AND municipality_code IS NOT DISTINCT FROM $3 \
                     AND unit_id IS NOT DISTINCT FROM $4",
                )
                .bind(user.0)
                .bind(role.code())
                .bind(municipality.map(code_of))
                .bind(unit.map(|u| u.0))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("rollen hos bruger {user}"))
            }
            CreateUserToken {
                user,
                token_hash,
                expires_at,
            } => {
                sqlx::query(
                    "UPDATE user_tokens SET expires_at = $2 \
                     WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(user.0)
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO user_tokens (token_hash, user_id, created_at, expires_at) \
                     SELECT $1, id, $3, $4 FROM users WHERE id = $2",
                )
                .bind(token_hash)
                .bind(user.0)
                .bind(now)
                .bind(expires_at)
                .execute(&mut **tx)
                .await
                .map_err(db_err)
                .and_then(|done| touched(done, format!("bruger {user}")))
            }
            RedeemUserToken {
                token_hash,
                password_hash,
                now: at,
            } => {
                let user: Option<i64> = sqlx::query_scalar(
                    "UPDATE user_tokens SET used_at = $2 \
                     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                     RETURNING user_id",
                )
                .bind(token_hash)
                .bind(at)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
                let user = user.ok_or_else(|| not_found("linket"))?;
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1 AND active")
                    .bind(user)
                    .bind(password_hash)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)
                    .and_then(|done| touched(done, "linket"))?;
                end_user_sessions(tx, user).await?;
                Ok(created(user))
            }
            other => Err(misrouted(other)),
        }
    }
}
