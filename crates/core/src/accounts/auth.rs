//! Logging in: unit logins (the registrants' shared login, e.g. `259sek`)
//! and personal users (by e-mail), sessions and login throttling. Passwords are argon2id hashes; hashing and
//! verifying run on a blocking thread so they never stall the server.
//!
//! A session lasts a working day. The cookie carries a random token; the
//! database keeps only its SHA-256. Each session has its own CSRF token.

use crate::accounts::access::UserContext;
use crate::{CoreError, CoreResult};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use komhen_store::{NewSession, SessionRow, Store, UnitSessionRow};
use password_hash::rand_core::OsRng;
use password_hash::SaltString;
use rand::Rng;
use sha2::{Digest, Sha256};

/// How long a login lasts: a working day.
pub const SESSION_HOURS: i64 = 12;
/// Failed logins allowed for one login name within [`THROTTLE_MINUTES`].
pub const MAX_FAILURES: i64 = 5;
pub const THROTTLE_MINUTES: i64 = 15;

/// Why a login was refused. The messages are shown to the user as they are.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The same message for an unknown login and a wrong password, so the
    /// page does not tell which logins exist.
    #[error("Forkert login eller adgangskode.")]
    Wrong,
    #[error("For mange forkerte forsøg. Vent {0} minutter, og prøv igen.")]
    Throttled(i64),
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// A new login: the token goes into the cookie, the session into the database.
#[derive(Debug, Clone)]
pub struct NewLogin {
    pub token: String,
    pub session: SessionRow,
}

/// Hashes a password with argon2id (on a blocking thread).
pub async fn hash_password(password: &str) -> CoreResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| CoreError::internal("adgangskoden kunne ikke hashes", e.to_string()))
    })
    .await
    .map_err(|e| CoreError::internal("hashingen blev afbrudt", e))?
}

pub(crate) async fn verify_password(hash: Option<String>, password: &str) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        // Without a stored hash, verify against a throwaway one anyway so a
        // missing login takes as long as a wrong password.
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// argon2id of a random string nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0wbFEF8pYf4ZlqBzbtsSP0hhqYhIgTvlCbVrZ0KYsl8";

/// A random token as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill(&mut bytes);
    hex(&bytes)
}

/// Whether a cookie's value has the shape of a token (64 hex digits).
fn is_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Refuses a login name that failed too often lately.
async fn check_throttle(
    store: &dyn Store,
    login: &str,
    now: DateTime<Utc>,
) -> Result<(), LoginError> {
    let since = now - Duration::minutes(THROTTLE_MINUTES);
    let failures = store
        .count_login_failures(login, since)
        .await
        .map_err(CoreError::from)?;
    if failures >= MAX_FAILURES {
        return Err(LoginError::Throttled(THROTTLE_MINUTES));
    }
    Ok(())
}

/// Records a failed attempt and answers with the one message for all.
async fn refuse(store: &dyn Store, login: &str, now: DateTime<Utc>) -> LoginError {
    match store.record_login_failure(login, now).await {
        Ok(()) => LoginError::Wrong,
        Err(e) => LoginError::Core(e.into()),
    }
}

/// Clears the failures and opens a session of a working day.
async fn open_session(
    store: &dyn Store,
    login: &str,
    session: NewSession,
    now: DateTime<Utc>,
) -> Result<NewLogin, LoginError> {
    store
        .clear_login_failures(login)
        .await
        .map_err(CoreError::from)?;
    store
        .prune_sessions(now, now - Duration::days(1))
        .await
        .map_err(CoreError::from)?;
    let token = random_token();
    let session = NewSession {
        token_hash: token_hash(&token),
        ..session
    };
    store
        .create_session(&session)
        .await
        .map_err(CoreError::from)?;
    Ok(NewLogin { token, session })
}

fn session_for(
    municipality: Option<komhen_domain::MunicipalityCode>,
    unit: Option<komhen_domain::UnitId>,
    user: Option<komhen_domain::UserId>,
    now: DateTime<Utc>,
) -> NewSession {
    NewSession {
        token_hash: String::new(),
        municipality,
        unit,
        user,
        csrf_token: random_token(),
        created_at: now,
        expires_at: now + Duration::hours(SESSION_HOURS),
    }
}

/// Logs a unit in with its shared login and password.
pub async fn log_in_unit(
    store: &dyn Store,
    login: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<NewLogin, LoginError> {
    let login = login.trim().to_lowercase();
    check_throttle(store, &login, now).await?;
    let unit = store
        .find_unit_by_login(&login)
        .await
        .map_err(CoreError::from)?;
    let hash = unit
        .as_ref()
        .filter(|u| u.active)
        .and_then(|u| u.password_hash.clone());
    let has_hash = hash.is_some();
    let verified = verify_password(hash, password).await && has_hash;
    let Some(unit) = unit.filter(|_| verified) else {
        return Err(refuse(store, &login, now).await);
    };
    store
        .record_unit_login(unit.id, now)
        .await
        .map_err(CoreError::from)?;
    let session = session_for(Some(unit.municipality), Some(unit.id), None, now);
    open_session(store, &login, session, now).await
}

/// Logs a personal user (coordinator, administrator, ...) in by e-mail.
pub async fn log_in_user(
    store: &dyn Store,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<NewLogin, LoginError> {
    let email = email.trim().to_lowercase();
    check_throttle(store, &email, now).await?;
    let user = store
        .find_user_by_email(&email)
        .await
        .map_err(CoreError::from)?;
    let hash = user
        .as_ref()
        .filter(|u| u.active)
        .and_then(|u| u.password_hash.clone());
    let has_hash = hash.is_some();
    let verified = verify_password(hash, password).await && has_hash;
    let Some(user) = user.filter(|_| verified) else {
        return Err(refuse(store, &email, now).await);
    };
    store
        .record_user_login(user.id, now)
        .await
        .map_err(CoreError::from)?;
    let session = session_for(None, None, Some(user.id), now);
    open_session(store, &email, session, now).await
}

/// The live personal session a cookie's token opens, with the user and
/// their grants; None for no session, a unit session or an inactive user.
pub async fn user_session(
    store: &dyn Store,
    token: &str,
    now: DateTime<Utc>,
) -> CoreResult<Option<(SessionRow, UserContext)>> {
    let Some(session) = session(store, token, now).await? else {
        return Ok(None);
    };
    let Some(user) = session.user else {
        return Ok(None);
    };
    let Some(user) = store.get_user(user).await?.filter(|u| u.active) else {
        return Ok(None);
    };
    let grants = store.list_user_roles(user.id).await?;
    Ok(Some((session, UserContext { user, grants })))
}

/// The live session a cookie's token opens, if any.
pub async fn session(
    store: &dyn Store,
    token: &str,
    now: DateTime<Utc>,
) -> CoreResult<Option<SessionRow>> {
    if !is_token(token) {
        return Ok(None);
    }
    Ok(store.find_session(&token_hash(token), now).await?)
}

/// The live unit session a cookie's token opens, with the unit and its
/// municipality, if any.
pub async fn unit_session(
    store: &dyn Store,
    token: &str,
    now: DateTime<Utc>,
) -> CoreResult<Option<UnitSessionRow>> {
    if !is_token(token) {
        return Ok(None);
    }
    Ok(store.find_unit_session(&token_hash(token), now).await?)
}

pub async fn log_out(store: &dyn Store, token: &str) -> CoreResult<()> {
    Ok(store.delete_session(&token_hash(token)).await?)
}

/// Constant-time comparison of a submitted CSRF token with the session's.
pub fn csrf_matches(session: &SessionRow, submitted: &str) -> bool {
    let expected = session.csrf_token.as_bytes();
    let given = submitted.as_bytes();
    expected.len() == given.len()
        && expected
            .iter()
            .zip(given)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}
