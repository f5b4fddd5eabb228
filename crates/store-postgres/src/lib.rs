//! The PostgreSQL backend, for production. Owns the connection options and
//! the PostgreSQL migrations. The queries are shared with SQLite
//! (`../store-sql/queries/`).

use chrono::{DateTime, Utc};
use komhen_domain::{BatchId, NewRegistration};
use komhen_store::{Backend, Detail, StoreError, StoreResult};
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
            .map_err(|e| StoreError::Invalid(Detail::caused_by("ugyldig PostgreSQL-adresse", e)))?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| {
                StoreError::Internal(Detail::caused_by("kan ikke forbinde til PostgreSQL", e))
            })?;
        Ok(Self {
            writer: pool.clone(),
            pool,
        })
    }

    /// Opens a streaming replica for reading, connecting only when a
    /// query needs it. A replica that does not answer fails a query within
    /// [`REPLICA_ACQUIRE_TIMEOUT`] (`StoreError::Unavailable`), so the
    /// reader can turn to the primary without making anyone wait long.
    pub fn open_replica(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Invalid(Detail::caused_by("ugyldig PostgreSQL-adresse", e)))?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(REPLICA_ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        Ok(Self {
            writer: pool.clone(),
            pool,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// How long a query waits for a connection to a read replica before the
/// replica counts as not answering.
pub const REPLICA_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(500);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The migrations this build knows, by version: a dump whose database has
/// one it does not know was made by a newer komhen.
pub fn known_migrations() -> Vec<i64> {
    MIGRATOR.iter().map(|m| m.version).collect()
}

/// Whether the database holds any table of its own: a restore refuses
/// such a database unless told to replace it.
pub async fn has_tables(url: &str) -> StoreResult<bool> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.map_err(|e| {
        StoreError::Internal(Detail::caused_by("kan ikke forbinde til PostgreSQL", e))
    })?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_catalog.pg_tables \
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(queries::db_err)?;
    conn.close().await.map_err(queries::db_err)?;
    Ok(tables > 0)
}

async fn run_migrations(pool: &sqlx::Pool<Db>) -> StoreResult<()> {
    MIGRATOR
        .run(pool)
        .await
        .map_err(|e| StoreError::Internal(Detail::caused_by("migrering fejlede", e)))
}

/// Stores a batch's plain rows (no answers, no idempotency key) on an open
/// transaction with `COPY ... FROM STDIN`, PostgreSQL's bulk load: several
/// times the rate of multi-row INSERTs.
async fn bulk_insert(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[&NewRegistration],
    batch: BatchId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut copy = tx
        .copy_in_raw(
            "COPY registrations (municipality_code, unit_id, task_id, channel_code, \
             inquiry_type_code, completion_code, has_form, registered_at, day, iso_year, \
             iso_week, hour, duration_ms, quantity, source, import_batch_id, is_test, \
             created_at) FROM STDIN",
        )
        .await
        .map_err(queries::db_err)?;
    let created_at = now.to_rfc3339();
    let mut buffer = String::with_capacity(COPY_BUFFER + 512);
    for r in rows {
        copy_line(&mut buffer, r, batch, &created_at);
        if buffer.len() >= COPY_BUFFER {
            copy.send(buffer.as_bytes())
                .await
                .map_err(queries::db_err)?;
            buffer.clear();
        }
    }
    if !buffer.is_empty() {
        copy.send(buffer.as_bytes())
            .await
            .map_err(queries::db_err)?;
    }
    copy.finish().await.map_err(queries::db_err)?;
    Ok(())
}

/// Begins a transaction that writes. PostgreSQL's row locks need nothing
/// more than `BEGIN` (SQLite's backend begins `IMMEDIATE`).
async fn begin_write(writer: &sqlx::PgPool) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
    writer.begin().await
}

/// Checks what a chunk of a batch refers to, set-wise. A batch's rows carry
/// no per-row reference check on PostgreSQL (migration
/// `check_registration_references_set_wise`: seven foreign-key queries per
/// row were two thirds of a big import's time). Instead every distinct
/// municipality, unit, task, channel, inquiry type and completion of the
/// chunk, and the batch itself, is looked up once here, on the chunk's own
/// transaction, and locked against removal until it commits. One that does
/// not exist refuses the whole chunk, as a foreign key would.
async fn check_references(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[NewRegistration],
    batch: BatchId,
) -> StoreResult<()> {
    use std::collections::BTreeSet;
    let mut municipalities = BTreeSet::new();
    let mut units = BTreeSet::new();
    let mut tasks = BTreeSet::new();
    let mut channels = BTreeSet::new();
    let mut types = BTreeSet::new();
    let mut completions = BTreeSet::new();
    for r in rows {
        municipalities.insert(i64::from(r.municipality.get()));
        units.extend(r.unit.map(|u| u.0));
        tasks.insert(r.task.0);
        channels.insert(r.channel.as_str());
        types.extend(r.inquiry_type.map(|t| t.code()));
        completions.extend(r.completion.map(|c| c.code()));
    }
    let batches = BTreeSet::from([batch.0]);
    for (table, key, what, wanted) in [
        ("municipalities", "code", "kommune", &municipalities),
        ("units", "id", "enhed", &units),
        ("tasks", "id", "opgave", &tasks),
        ("import_batches", "id", "batch", &batches),
    ] {
        if wanted.is_empty() {
            continue;
        }
        let found: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT CAST({key} AS BIGINT) FROM {table} WHERE {key} = ANY($1) FOR KEY SHARE"
        ))
        .bind(wanted.iter().copied().collect::<Vec<i64>>())
        .fetch_all(&mut **tx)
        .await
        .map_err(queries::db_err)?;
        missing(what, wanted, &found.into_iter().collect())?;
    }
    for (table, what, wanted) in [
        ("channels", "kanal", &channels),
        ("inquiry_types", "henvendelsestype", &types),
        ("completions", "afslutning", &completions),
    ] {
        if wanted.is_empty() {
            continue;
        }
        let found: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT code FROM {table} WHERE code = ANY($1) FOR KEY SHARE"
        ))
        .bind(
            wanted
                .iter()
                .map(|c| (*c).to_owned())
                .collect::<Vec<String>>(),
        )
        .fetch_all(&mut **tx)
        .await
        .map_err(queries::db_err)?;
        let found: BTreeSet<&str> = found.iter().map(String::as_str).collect();
        missing(what, wanted, &found)?;
    }
    Ok(())
}

/// The first of `wanted` not `found`, as the error a foreign key gives.
fn missing<T: Ord + std::fmt::Display>(
    what: &str,
    wanted: &std::collections::BTreeSet<T>,
    found: &std::collections::BTreeSet<T>,
) -> StoreResult<()> {
    match wanted.difference(found).next() {
        Some(absent) => Err(StoreError::not_found(format!(
            "{what} {absent} findes ikke"
        ))),
        None => Ok(()),
    }
}

/// Memory each grouping that folds rows into the cubes may use before it spills to
/// disk (`work_mem`, for that transaction only). The server's default,
/// 4 MB, made folding a million rows into the week cube sort on disk:
/// 1.6 s against 0.6 s with this.
const CUBE_FOLD_WORK_MEM: &str = "64MB";

/// Before rows are folded into the cubes or taken out of them (a batch
/// committed, replaced or removed; a unit's participation changed).
async fn before_cube_fold(tx: &mut sqlx::Transaction<'_, Db>) -> StoreResult<()> {
    sqlx::query(&format!("SET LOCAL work_mem = '{CUBE_FOLD_WORK_MEM}'"))
        .execute(&mut **tx)
        .await
        .map_err(queries::db_err)?;
    Ok(())
}

/// Nothing to do between two chunks of a batch on PostgreSQL (its own
/// checkpoints keep the log in bounds).
async fn after_bulk_chunk(_: &sqlx::PgPool) -> StoreResult<()> {
    Ok(())
}

/// Rows from which a committed batch renews the statistics.
const BIG_BATCH: i64 = 50_000;

/// After a batch is committed: a big file changes the tables' statistics at
/// once, and without fresh ones PostgreSQL plans the next queries for the
/// old sizes (an extract's page took 253 ms instead of 1 ms after a million
/// rows). Autovacuum would catch up, but later. A failure is logged, not
/// returned: the batch is committed.
async fn after_batch_commit(writer: &sqlx::PgPool, rows: i64) {
    if rows < BIG_BATCH {
        return;
    }
    if let Err(e) =
        sqlx::query("ANALYZE registrations, registration_cube, registration_channel_cube")
            .execute(writer)
            .await
    {
        tracing::warn!(error = %e, "ANALYZE after a big batch failed");
    }
}

/// Bytes of COPY text sent at a time.
const COPY_BUFFER: usize = 1 << 20;

/// One row in COPY's text format: tab-separated, `\N` for NULL.
fn copy_line(out: &mut String, r: &NewRegistration, batch: BatchId, created_at: &str) {
    use std::fmt::Write;
    let dims = r.dimensions();
    let opt = |v: Option<String>| v.unwrap_or_else(|| "\\N".to_owned());
    // Codes are validated domain values: no tab, newline or backslash.
    let _ = writeln!(
        out,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        r.municipality.get(),
        opt(r.unit.map(|u| u.0.to_string())),
        r.task.0,
        r.channel.as_str(),
        opt(r.inquiry_type.map(|t| t.code().to_owned())),
        opt(r.completion.map(|c| c.code().to_owned())),
        opt(r.has_form.map(|f| if f { "t" } else { "f" }.to_owned())),
        r.registered_at.to_rfc3339(),
        dims.day,
        dims.iso_year,
        dims.iso_week,
        dims.hour,
        opt(r.duration_ms.map(|d| d.to_string())),
        r.quantity,
        r.source.code(),
        batch.0,
        if r.is_test { "t" } else { "f" },
        created_at,
    );
}

/// Saves a registration from the tool or the API in a commit of its own:
/// PostgreSQL's connections commit side by side, and a commit waits only
/// for its own log flush, which the server shares among commits that
/// arrive together.
async fn save_registration(
    store: &Store,
    registration: &NewRegistration,
    now: DateTime<Utc>,
) -> StoreResult<Option<komhen_domain::RegistrationId>> {
    queries::save_alone(&store.writer, registration, now).await
}

/// The queries shared with the other backend, compiled against this one.
mod queries {
    use super::{
        after_batch_commit, after_bulk_chunk, before_cube_fold, begin_write, bulk_insert,
        check_references, run_migrations, save_registration, Db, Store, BACKEND,
    };

    include!("../../store-sql/queries/mod.rs");
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
        Err(StoreError::invalid(format!("ugyldigt databasenavn {name}")))
    }
}

async fn admin_statement(admin_url: &str, sql: &str) -> StoreResult<()> {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect(admin_url).await.map_err(|e| {
        StoreError::Internal(Detail::caused_by("kan ikke forbinde til PostgreSQL", e))
    })?;
    conn.execute(sqlx::raw_sql(sql))
        .await
        .map_err(queries::db_err)?;
    conn.close().await.map_err(queries::db_err)
}
