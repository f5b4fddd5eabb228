//! The embedded SQLite backend: one file (`komhen.db`), WAL mode, foreign
//! keys on. Owns the connection options, the SQLite migrations and the guard
//! against creating a new database file from a mistyped path. The queries are
//! shared with PostgreSQL (`../store-sql/queries.rs`).

use komhen_store::{Backend, StoreError, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

type Db = sqlx::Sqlite;
const BACKEND: Backend = Backend::Sqlite;

/// Whether opening may create the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// `demo` and `migrate`: a new file is made if none exists.
    CreateIfMissing,
    /// `serve`: the file must exist, so a typo never yields an empty system.
    MustExist,
}

/// The komhen store on SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

type Store = SqliteStore;

impl SqliteStore {
    /// Opens `sqlite://path` (or `sqlite::memory:`).
    pub async fn open(url: &str, mode: OpenMode) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Invalid(format!("ugyldig SQLite-adresse {url}: {e}")))?;
        let path = options.get_filename().to_path_buf();
        let in_memory = path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:");
        if mode == OpenMode::MustExist && !in_memory && !path.exists() {
            return Err(StoreError::NotFound(format!(
                "databasefilen {} findes ikke. Kør `komhen migrate` eller `komhen demo` for at \
                 oprette den, eller ret stien i --database-url",
                path.display()
            )));
        }
        let options = options
            .create_if_missing(mode == OpenMode::CreateIfMissing)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(if in_memory { 1 } else { 8 })
            .connect_with(options)
            .await
            .map_err(queries::db_err)?;
        Ok(Self { pool })
    }

    /// Closes all connections (so the file can be removed or copied).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn run_migrations(pool: &sqlx::Pool<Db>) -> StoreResult<()> {
    sqlx::migrate!("./migrations")
        .run(pool)
        .await
        .map_err(|e| StoreError::Internal(format!("migrering fejlede: {e}")))
}

/// The queries shared with the other backend, compiled against this one.
mod queries {
    use super::{run_migrations, Db, Store, BACKEND};

    include!("../../store-sql/queries.rs");
}
