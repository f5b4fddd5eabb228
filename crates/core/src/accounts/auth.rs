//! Logging in: unit logins (the registrants' shared login, e.g. `259sek`)
//! and personal users (by e-mail), sessions and login throttling. Passwords are argon2id hashes; hashing and
//! verifying run on a blocking thread so they never stall the server.
//!
//! Throttling is per login and client address, never per login alone: a
//! unit's login is shared by everyone in the unit, so wrong passwords from
//! one address must not keep the others out. After [`PAIR_FAILURES`] failures
//! in a row of one login from one address, that pair waits, and each further
//! failure doubles the wait ([`FIRST_WAIT_MINUTES`] up to
//! [`LONGEST_WAIT_MINUTES`]); the same login from another address is not
//! held back. An address failing against [`SPRAY_LOGINS`] logins within
//! [`SPRAY_WINDOW_MINUTES`] waits as a whole. Every wait begun is written
//! to the audit log. A success forgets the pair's failures.
//!
//! A session lasts a working day. The cookie carries a random token; the
//! database keeps only its SHA-256. Each session has its own CSRF token.

use crate::accounts::access::Actor;
use crate::accounts::access::UserContext;
use crate::{CoreError, CoreResult};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use komhen_domain::da;
use komhen_domain::MunicipalityCode;
use komhen_store::{NewAuditEntry, NewSession, SessionRow, Store, UnitSessionRow};
use password_hash::rand_core::OsRng;
use password_hash::SaltString;
use rand::Rng;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv6Addr};

/// How long a login lasts: a working day.
pub const SESSION_HOURS: i64 = 12;
/// Failed logins in a row of one login from one address before that pair waits.
pub const PAIR_FAILURES: i64 = 5;
/// The first wait; each further failure of a waiting pair doubles it.
pub const FIRST_WAIT_MINUTES: i64 = 1;
/// The longest wait, however many failures.
pub const LONGEST_WAIT_MINUTES: i64 = 60;
/// Different logins one address may fail within [`SPRAY_WINDOW_MINUTES`]
/// before the address waits as a whole. Generous, since a municipality's
/// offices often share one address.
pub const SPRAY_LOGINS: i64 = 20;
pub const SPRAY_WINDOW_MINUTES: i64 = 60;
/// A pair's failures are forgotten after this long without one.
pub const FORGET_HOURS: i64 = 24;
/// No login or e-mail is longer; a longer name is cut before it is stored.
const LONGEST_LOGIN: usize = 254;

/// Where login attempts come from: an IPv4 address, or the /64 network of an
/// IPv6 address (a provider gives one customer a whole /64, so counting
/// single IPv6 addresses would let one client pass as many).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(String);

impl ClientAddress {
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self(v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(v4.to_string()),
                None => {
                    let network = u128::from(v6) & !u128::from(u64::MAX);
                    Self(format!("{}/64", Ipv6Addr::from(network)))
                }
            },
        }
    }

    /// An address the server was not told (a router used without its
    /// listener); all such attempts count as one address.
    pub fn unknown() -> Self {
        Self("ukendt".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long a throttled login must still wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// Whole seconds, rounded up: the `Retry-After` value.
    pub seconds: i64,
}

impl Wait {
    fn until(now: DateTime<Utc>, until: DateTime<Utc>) -> Self {
        let ms = (until - now).num_milliseconds().max(1);
        Self {
            seconds: (ms + 999) / 1000,
        }
    }

    /// Whole minutes, rounded up: what the page says.
    pub fn minutes(self) -> i64 {
        (self.seconds + 59) / 60
    }
}

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.minutes() {
            1 => f.write_str("1 minut"),
            n => write!(f, "{n} minutter"),
        }
    }
}

/// The wait after `over` failures beyond the limit: the first wait,
/// doubled for each, at most the longest.
fn wait_after(over: i64) -> Duration {
    let doubled = FIRST_WAIT_MINUTES.saturating_mul(1 << over.clamp(0, 20));
    Duration::minutes(doubled.min(LONGEST_WAIT_MINUTES))
}

/// Why a login was refused. The messages are shown to the user as they are.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The same message for an unknown login and a wrong password, so the
    /// page does not tell which logins exist.
    #[error("Forkert login eller adgangskode.")]
    Wrong,
    /// This login from this address (or this address as a whole) waits.
    #[error("For mange forkerte forsøg fra denne adresse. Prøv igen om {0}.")]
    Throttled(Wait),
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

/// Refuses a login this address must not try yet.
async fn check_throttle(
    store: &dyn Store,
    login: &str,
    address: &ClientAddress,
    now: DateTime<Utc>,
) -> Result<(), LoginError> {
    let until = store
        .login_locked_until(login, address.as_str())
        .await
        .map_err(CoreError::from)?;
    match until {
        Some(until) if until > now => Err(LoginError::Throttled(Wait::until(now, until))),
        _ => Ok(()),
    }
}

/// Records a failed attempt and answers with the one message for all.
/// `municipality` is the unit's, for a unit login, so its audit log shows
/// the waits it was given.
async fn refuse(
    store: &dyn Store,
    login: &str,
    address: &ClientAddress,
    municipality: Option<MunicipalityCode>,
    now: DateTime<Utc>,
) -> LoginError {
    match record_failure(store, login, address, municipality, now).await {
        Ok(()) => LoginError::Wrong,
        Err(e) => LoginError::Core(e),
    }
}

/// Counts the failure; past the limits, makes the pair (or the address as
/// a whole) wait and writes the wait to the audit log.
async fn record_failure(
    store: &dyn Store,
    login: &str,
    address: &ClientAddress,
    municipality: Option<MunicipalityCode>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let failures = store
        .record_login_failure(
            login,
            address.as_str(),
            now,
            now - Duration::hours(FORGET_HOURS),
        )
        .await?;
    if failures >= PAIR_FAILURES {
        let details = serde_json::json!({ "failures": failures });
        let over = failures - PAIR_FAILURES;
        begin_wait(
            store,
            municipality,
            address,
            Some(login),
            details,
            over,
            now,
        )
        .await?;
    }
    let logins = store
        .count_failing_logins(
            address.as_str(),
            now - Duration::minutes(SPRAY_WINDOW_MINUTES),
        )
        .await?;
    if logins >= SPRAY_LOGINS {
        let details = serde_json::json!({ "logins": logins });
        begin_wait(
            store,
            None,
            address,
            None,
            details,
            logins - SPRAY_LOGINS,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Makes `login` from `address` (without a login: the address as a whole)
/// wait, the longer the further `over` the limit, and writes the wait to
/// the audit log with why (`details`).
async fn begin_wait(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
    address: &ClientAddress,
    login: Option<&str>,
    mut details: serde_json::Value,
    over: i64,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let wait = wait_after(over);
    let until = now + wait;
    store.lock_login(login, address.as_str(), until).await?;
    details["address"] = address.as_str().into();
    details["locked_until"] = until.to_rfc3339().into();
    details["minutes"] = wait.num_minutes().into();
    let (entity, entity_id) = match login {
        Some(login) => ("login", login),
        None => ("address", address.as_str()),
    };
    Ok(store
        .append_audit(&NewAuditEntry {
            municipality,
            actor: Actor::address(address.as_str()).as_str().to_owned(),
            action: "lock".into(),
            entity: entity.into(),
            entity_id: entity_id.into(),
            before_json: None,
            after_json: Some(details.to_string()),
        })
        .await?)
}

/// Forgets the pair's failures and opens a session of a working day.
async fn open_session(
    store: &dyn Store,
    login: &str,
    address: &ClientAddress,
    session: NewSession,
    now: DateTime<Utc>,
) -> Result<NewLogin, LoginError> {
    store
        .clear_login_failures(login, address.as_str())
        .await
        .map_err(CoreError::from)?;
    store
        .prune_sessions(now, now - Duration::hours(FORGET_HOURS))
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

/// A login name as typed, the way it is stored and compared.
fn login_key(login: &str) -> String {
    login
        .trim()
        .to_lowercase()
        .chars()
        .take(LONGEST_LOGIN)
        .collect()
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
    address: &ClientAddress,
    now: DateTime<Utc>,
) -> Result<NewLogin, LoginError> {
    let login = login_key(login);
    check_throttle(store, &login, address, now).await?;
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
    let municipality = unit.as_ref().map(|u| u.municipality);
    let Some(unit) = unit.filter(|_| verified) else {
        return Err(refuse(store, &login, address, municipality, now).await);
    };
    store
        .record_unit_login(unit.id, now)
        .await
        .map_err(CoreError::from)?;
    let session = session_for(Some(unit.municipality), Some(unit.id), None, now);
    open_session(store, &login, address, session, now).await
}

/// Logs a personal user (coordinator, administrator, ...) in by e-mail.
pub async fn log_in_user(
    store: &dyn Store,
    email: &str,
    password: &str,
    address: &ClientAddress,
    now: DateTime<Utc>,
) -> Result<NewLogin, LoginError> {
    let email = login_key(email);
    check_throttle(store, &email, address, now).await?;
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
        return Err(refuse(store, &email, address, None, now).await);
    };
    store
        .record_user_login(user.id, now)
        .await
        .map_err(CoreError::from)?;
    let session = session_for(None, None, Some(user.id), now);
    open_session(store, &email, address, session, now).await
}

/// The live personal session a cookie's token opens, with the user and
/// their grants; None for no session, a unit session or an inactive user.
/// Keeps the language (`da` or `en`) a signed-in personal user chose for
/// the pages, so it comes back at the next login in any browser. A unit's
/// session or none keeps nothing.
pub async fn keep_language(
    store: &dyn Store,
    token: &str,
    lang: &str,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    if !matches!(lang, "da" | "en") {
        return Err(CoreError::Invalid(da!("sproget «{lang}» findes ikke")));
    }
    if let Some((_, user)) = user_session(store, token, now).await? {
        if user.user.lang.as_deref() != Some(lang) {
            store.set_user_lang(user.user.id, lang).await?;
        }
    }
    Ok(())
}

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
    let today = komhen_domain::danish_local(now).date();
    let hotlines = store.list_user_hotlines(user.id, today).await?;
    Ok(Some((
        session,
        UserContext {
            user,
            grants,
            hotlines,
        },
    )))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_first_up_to_the_longest() {
        let minutes: Vec<i64> = (0..9).map(|over| wait_after(over).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(wait_after(i64::MAX).num_minutes(), LONGEST_WAIT_MINUTES);
    }

    #[test]
    fn ipv6_addresses_count_by_their_network() {
        let of = |s: &str| ClientAddress::of(s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])));
        assert_eq!(of("192.0.2.7").as_str(), "192.0.2.7");
        assert_eq!(of("::ffff:192.0.2.7").as_str(), "192.0.2.7");
        assert_eq!(of("2001:db8:1:2:aaaa::1").as_str(), "2001:db8:1:2::/64");
        assert_eq!(of("2001:db8:1:2:bbbb::9"), of("2001:db8:1:2:aaaa::1"));
    }

    #[test]
    fn a_wait_is_told_in_whole_minutes_rounded_up() {
        let now = Utc::now();
        let wait = Wait::until(now, now + Duration::seconds(61));
        assert_eq!((wait.seconds, wait.minutes()), (61, 2));
        assert_eq!(wait.to_string(), "2 minutter");
        assert_eq!(
            Wait::until(now, now + Duration::seconds(60)).to_string(),
            "1 minut"
        );
    }
}
