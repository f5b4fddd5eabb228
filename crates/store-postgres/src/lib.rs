//! The PostgreSQL backend, for production. Owns the connection options and
//! the PostgreSQL migrations. The queries are shared with SQLite
//! (`../store-sql/queries.rs`).

use komhen_store::{Backend, StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

type Db = sqlx::Postgres;
const BACKEND: Backend = Backend::Postgres;

/// The komhen store on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: sqlx::PgPool,
    /// The same pool: PostgreSQL runs concurrent writers itself. The shared
    /// queries write through `writer` because SQLite needs its own.
    writer: sqlx::PgPool,
}

type Store = PostgresStore;

impl PostgresStore {
    /// Opens `postgres://user@host:port/database`.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Invalid(format!("ugyldig PostgreSQL-adresse: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Internal(format!("kan ikke forbinde til PostgreSQL: {e}")))?;
        Ok(Self {
            writer: pool.clone(),
            pool,
        })
    }

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
    include!("../../store-sql/setup.rs");
}

/// Creates an empty database on the server the admin URL names (tests, and
/// `komhen demo` on a fresh server). The name must be a plain identifier.
pub async fn create_database(admin_url: &str, name: &str) -> StoreResult<()> {
    admin_statement(admin_url, &format!("CREATE DATABASE {}", identifier(name)?)).await
}

/// Drops a database, closing its connections first.
pub async fn drop_database(admin_url: &str, name: &str) -> StoreResult<()> {
    admin_statement(
        admin_url,
        &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", identifier(name)?),
    )
    .await
}

fn identifier(name: &str) -> StoreResult<&str> {
    let plain = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain {
        Ok(name)
    } else {
        Err(StoreError::Invalid(format!("ugyldigt databasenavn {name}")))
    }
}

async fn admin_statement(admin_url: &str, sql: &str) -> StoreResult<()> {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .map_err(|e| StoreError::Internal(format!("kan ikke forbinde til PostgreSQL: {e}")))?;
    conn.execute(sqlx::raw_sql(sql))
        .await
        .map_err(queries::db_err)?;
    conn.close().await.map_err(queries::db_err)
}
