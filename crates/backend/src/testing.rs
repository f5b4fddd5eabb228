//! A fresh, migrated database for each test, on the backend that
//! `KOMHEN_TEST_DATABASE_URL` names: unset means SQLite in a temporary
//! folder; `postgres://user@host:port/db` means a new database on that
//! server, dropped when the test ends. An unreachable PostgreSQL fails the
//! test: it is never skipped.

use komhen_store::Store;
use std::sync::Arc;

/// The environment variable that picks the test backend.
pub const TEST_DATABASE_ENV: &str = "KOMHEN_TEST_DATABASE_URL";

/// A store that lives as long as the test holds it.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    /// The database's URL, for tests that run the `komhen` binary on it.
    pub url: String,
    _cleanup: Cleanup,
}

/// A database with nothing in it, not even the schema: on SQLite a file
/// name in a temporary folder that does not exist yet, on PostgreSQL a new
/// empty database, dropped when the test ends. For tests that restore a
/// backup into a fresh installation.
pub struct EmptyDatabase {
    pub url: String,
    _cleanup: Cleanup,
}

impl EmptyDatabase {
    /// # Panics
    /// When the database cannot be created.
    pub async fn new() -> Self {
        #[allow(clippy::expect_used)]
        match std::env::var(TEST_DATABASE_ENV)
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) => {
                let (url, cleanup) = new_postgres_database(&admin_url)
                    .await
                    .expect("a fresh PostgreSQL test database");
                Self {
                    url,
                    _cleanup: cleanup,
                }
            }
            None => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                Self {
                    url: format!("sqlite://{}", dir.path().join("komhen.db").display()),
                    _cleanup: Cleanup::Sqlite(dir),
                }
            }
        }
    }
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = self {
            let (admin_url, db_name) = (admin_url.clone(), name.clone());
            // Drop may run inside the test's runtime, which cannot block on
            // another future: use a thread with a runtime of its own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime
                    .block_on(komhen_store_postgres::drop_database(&admin_url, &db_name))
                    .ok()
            })
            .join();
            if !matches!(dropped, Ok(Some(()))) {
                eprintln!("could not drop test database {name}");
            }
        }
    }
}

impl TestStore {
    /// A new migrated database with nothing in it.
    ///
    /// # Panics
    /// When the database cannot be created: a test without its database
    /// must fail, not pass.
    pub async fn new() -> Self {
        #[allow(clippy::expect_used)]
        match std::env::var(TEST_DATABASE_ENV)
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(url) => Self::postgres(&url)
                .await
                .expect("a fresh PostgreSQL test database"),
            None => Self::sqlite().await.expect("a fresh SQLite test database"),
        }
    }

    async fn sqlite() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let url = format!("sqlite://{}", dir.path().join("komhen.db").display());
        let store = crate::open(&url, crate::OpenMode::CreateIfMissing)
            .await
            .map_err(|e| e.to_string())?;
        store.migrate().await.map_err(|e| e.to_string())?;
        Ok(Self {
            store,
            url,
            _cleanup: Cleanup::Sqlite(dir),
        })
    }

    async fn postgres(admin_url: &str) -> Result<Self, String> {
        let (url, cleanup) = new_postgres_database(admin_url).await?;
        let store = crate::open(&url, crate::OpenMode::MustExist)
            .await
            .map_err(|e| e.to_string())?;
        store.migrate().await.map_err(|e| e.to_string())?;
        Ok(Self {
            store,
            url,
            _cleanup: cleanup,
        })
    }
}

/// Creates a new empty database on the server and returns its URL and what
/// drops it.
async fn new_postgres_database(admin_url: &str) -> Result<(String, Cleanup), String> {
    if crate::backend_of(admin_url) != Some(komhen_store::Backend::Postgres) {
        return Err(format!("{TEST_DATABASE_ENV} must be a postgres:// URL"));
    }
    let name = format!("komhen_test_{:016x}", rand::random::<u64>());
    komhen_store_postgres::create_database(admin_url, &name)
        .await
        .map_err(|e| {
            format!(
                "{e} (is PostgreSQL running at {}?)",
                crate::redact(admin_url)
            )
        })?;
    let cleanup = Cleanup::Postgres {
        admin_url: admin_url.to_owned(),
        name: name.clone(),
    };
    Ok((with_database(admin_url, &name), cleanup))
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let server = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn with_database_replaces_only_the_name() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            super::with_database("postgres://h", "t1"),
            "postgres://h/t1"
        );
        assert_eq!(
            super::with_database("postgres://h/x?sslmode=disable", "t"),
            "postgres://h/t?sslmode=disable"
        );
    }
}
