//! The embedded SQLite backend: one file (`komhen.db`), WAL mode, foreign
//! keys on. Owns the connection options, the SQLite migrations and the guard
//! against creating a new database file from a mistyped path. The queries are
//! shared with PostgreSQL (`../store-sql/queries/`).

use chrono::{DateTime, Utc};
use komhen_domain::{NewRegistration, RegistrationId};
use komhen_store::{Backend, Detail, StoreError, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::{Arc, Weak};
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
///
/// Reads go through a pool of connections; writes through one connection of
/// their own. SQLite allows one writer at a time, and a writer that finds the
/// database locked sleeps in its busy handler for up to tens of milliseconds:
/// queueing writers in the pool instead keeps every save fast and in order.
///
/// The writer never checkpoints the write-ahead log itself after a save (a
/// checkpoint on commit stalls that save and every save queued behind it);
/// a background task checkpoints it passively, without blocking writers,
/// every second: once through the readers, then once queued on the
/// writer's connection between two saves, so that the log restarts from its
/// beginning even under a steady stream of saves (without the second, an
/// hour at 500 saves/s grew it by 20 MB/s; with it the log stays at
/// 30–45 MB, docs/performance.md "Soak"). A file of millions of rows is stored chunk by chunk
/// without pause, so the passive checkpoint never catches up and the log
/// would grow without bound (36 GB for a 10M-row file): between two chunks
/// of a batch the writer checkpoints it itself ([`after_bulk_chunk`]).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
    writer: sqlx::SqlitePool,
    /// The queue of registrations waiting for the writer (`group_commit`);
    /// None for an in-memory database, which saves each alone.
    saves: Option<tokio::sync::mpsc::Sender<Save>>,
    /// Alive as long as any clone of the store: the checkpoint task stops
    /// when it is gone.
    _alive: Arc<()>,
}

type Store = SqliteStore;

impl SqliteStore {
    /// Opens `sqlite://path` (or `sqlite::memory:`).
    pub async fn open(url: &str, mode: OpenMode) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url).map_err(|e| {
            StoreError::Invalid(Detail::caused_by(
                format!("ugyldig SQLite-adresse {url}"),
                e,
            ))
        })?;
        let path = options.get_filename().to_path_buf();
        let in_memory = path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:");
        if mode == OpenMode::MustExist && !in_memory && !path.exists() {
            return Err(StoreError::not_found(format!(
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
        // An in-memory database lives in its one connection: read there too.
        if in_memory {
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .map_err(queries::db_err)?;
            return Ok(Self {
                writer: pool.clone(),
                pool,
                saves: None,
                _alive: Arc::new(()),
            });
        }
        // Every write goes through the writer, and what it acknowledges is on
        // disk: in WAL mode `FULL` syncs the log at each commit, so a power
        // loss cannot take a registration the clerk saw saved (`NORMAL`
        // could). Readers need no sync.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                options
                    .clone()
                    .synchronous(SqliteSynchronous::Full)
                    .pragma("wal_autocheckpoint", "0")
                    .pragma("cache_size", WRITER_CACHE),
            )
            .await
            .map_err(queries::db_err)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(queries::db_err)?;
        let alive = Arc::new(());
        tokio::spawn(checkpoint_wal(
            pool.clone(),
            writer.clone(),
            Arc::downgrade(&alive),
        ));
        let (saves, queue) = tokio::sync::mpsc::channel(SAVE_QUEUE);
        tokio::spawn(group_commit(writer.clone(), queue));
        Ok(Self {
            pool,
            writer,
            saves: Some(saves),
            _alive: alive,
        })
    }

    /// Closes all connections (so the file can be removed or copied).
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// The writer's page cache (`PRAGMA cache_size`, negative: KiB): big
/// enough to hold the indexes a file of a million rows is stored into, so
/// storing it does not read the same pages back from the file system time
/// after time (SQLite's default is 2 MB).
const WRITER_CACHE: &str = "-32768";

/// Copies the write-ahead log into the database file every second, without
/// waiting for or blocking writers (a passive checkpoint), until the store
/// is dropped or closed.
///
/// Under a steady stream of saves the readers' checkpoint never completes
/// (a save always commits while it copies), so SQLite leaves the database
/// file unsynced and the log cannot restart (it grew 20 MB/s at 500
/// saves/s). The writer's own checkpoint, queued between two saves, does
/// complete: it copies the few frames committed since, syncs the file, and
/// the next save restarts the log from its beginning. That sync flushes the
/// second's copied pages while saves wait: at 2 000 saves/s it is the
/// 17–25 ms once a second that makes a save's p99 (docs/performance.md,
/// "What makes the tail").
async fn checkpoint_wal(pool: sqlx::SqlitePool, writer: sqlx::SqlitePool, alive: Weak<()>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if alive.upgrade().is_none() || pool.is_closed() {
            return;
        }
        checkpoint(&pool, "readers").await;
        checkpoint(&writer, "writer").await;
    }
}

/// One passive checkpoint on a connection of `pool`; how long it took and
/// how many frames it copied of how many are traced at debug level.
async fn checkpoint(pool: &sqlx::SqlitePool, on: &'static str) {
    let started = std::time::Instant::now();
    match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(pool)
        .await
    {
        Ok((_, log, copied)) => tracing::debug!(
            on,
            log,
            copied,
            took_us = started.elapsed().as_micros(),
            "log checkpointed"
        ),
        Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
    }
}

/// At most this many registrations share one commit.
const GROUP_MAX: usize = 64;
/// Registrations that may wait for the writer before a save waits to queue.
const SAVE_QUEUE: usize = 4096;

/// A registration waiting for the writer, and where its answer goes.
#[derive(Debug)]
struct Save {
    registration: NewRegistration,
    now: DateTime<Utc>,
    /// When it joined the queue: how long it waited is traced per group.
    queued: std::time::Instant,
    done: tokio::sync::oneshot::Sender<StoreResult<Option<RegistrationId>>>,
}

/// Saves a registration from the tool or the API: it joins the queue, and
/// the writer commits every registration waiting there in one commit
/// (`group_commit`). The answer comes after that commit, synced to disk.
async fn save_registration(
    store: &Store,
    registration: &NewRegistration,
    now: DateTime<Utc>,
) -> StoreResult<Option<RegistrationId>> {
    let Some(saves) = &store.saves else {
        return queries::save_alone(&store.writer, registration, now).await;
    };
    let (done, answer) = tokio::sync::oneshot::channel();
    let save = Save {
        registration: registration.clone(),
        now,
        queued: std::time::Instant::now(),
        done,
    };
    let stopped = || StoreError::internal("databasens skriver er stoppet");
    saves.send(save).await.map_err(|_| stopped())?;
    answer.await.map_err(|_| stopped())?
}

/// The writer's group commit. With FULL sync every commit waits for the
/// disk (about half a millisecond here), so saving registrations one commit
/// each caps the tool at about 2 000 a second with a queue behind it.
/// Instead the writer takes every save waiting (at most [`GROUP_MAX`]),
/// saves each in a savepoint of its own and commits them once; each save is
/// answered after that commit, so what is acknowledged is on disk. Under a
/// light load a group is one save, committed at once.
async fn group_commit(writer: sqlx::SqlitePool, mut queue: tokio::sync::mpsc::Receiver<Save>) {
    let mut group = Vec::with_capacity(GROUP_MAX);
    while queue.recv_many(&mut group, GROUP_MAX).await > 0 {
        let started = std::time::Instant::now();
        let saved =
            queries::save_group(&writer, group.iter().map(|s| (&s.registration, s.now))).await;
        // Where a slow save's time went (docs/performance.md, "What makes the tail"):
        // the longest and shortest wait in the queue, and the group's own
        // saving and synced commit. Debug level: `KOMHEN_LOG=komhen_store_sqlite=debug`.
        tracing::debug!(
            size = group.len(),
            waited_most_us = group
                .first()
                .map_or(0, |s| (started - s.queued).as_micros()),
            waited_least_us = group.last().map_or(0, |s| (started - s.queued).as_micros()),
            took_us = started.elapsed().as_micros(),
            "group committed"
        );
        match saved {
            Ok(each) => {
                for (save, result) in group.drain(..).zip(each) {
                    let _ = save.done.send(result);
                }
            }
            Err(e) => {
                for save in group.drain(..) {
                    let _ = save.done.send(Err(e.same_again()));
                }
            }
        }
    }
}

/// Begins a transaction that writes: `BEGIN IMMEDIATE`, which takes the
/// database's write lock at once (waiting in the busy handler while another
/// process, such as `komhen import` beside `komhen serve`, holds it). A
/// deferred `BEGIN` whose transaction reads first fails at its first write
/// with "database is locked", without waiting, if another process wrote
/// in between.
async fn begin_write(
    writer: &sqlx::SqlitePool,
) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
    writer.begin_with("BEGIN IMMEDIATE").await
}

/// Nothing to check set-wise before a chunk of a batch is stored: SQLite's
/// foreign keys check each row as it is inserted, in the same process
/// (about 12 % of an import's time here, against two thirds of it on
/// PostgreSQL, whose backend checks a chunk's references at once instead).
async fn check_references(
    _: &mut sqlx::Transaction<'_, Db>,
    _: &[NewRegistration],
    _: komhen_domain::BatchId,
) -> StoreResult<()> {
    Ok(())
}

/// Nothing to set before rows are folded into the cubes or taken out of
/// them: SQLite's grouping uses the writer's page cache.
async fn before_cube_fold(_: &mut sqlx::Transaction<'_, Db>) -> StoreResult<()> {
    Ok(())
}

/// Between two chunks of a batch, on the writer's own connection: copies
/// the whole log into the database (no other writer can be appending to
/// it now), so the next chunk starts the log from its beginning and a big
/// file's log stays the size of a chunk.
async fn after_bulk_chunk(writer: &sqlx::SqlitePool) -> StoreResult<()> {
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(writer)
        .await
        .map_err(queries::db_err)?;
    Ok(())
}

/// Nothing to do after a batch is committed on SQLite (its planner is told
/// which index pages a drill-down, so it needs no fresh statistics).
async fn after_batch_commit(_: &sqlx::SqlitePool, _rows: i64) {}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

async fn run_migrations(pool: &sqlx::Pool<Db>) -> StoreResult<()> {
    MIGRATOR
        .run(pool)
        .await
        .map_err(|e| StoreError::Internal(Detail::caused_by("migrering fejlede", e)))
}

/// The migrations this build knows, by version: a backup whose database
/// has one it does not know was made by a newer komhen.
pub fn known_migrations() -> Vec<i64> {
    MIGRATOR.iter().map(|m| m.version).collect()
}

/// The file a `sqlite://` URL names.
pub fn file_of(url: &str) -> StoreResult<std::path::PathBuf> {
    let options = SqliteConnectOptions::from_str(url).map_err(|e| {
        StoreError::Invalid(Detail::caused_by(
            format!("ugyldig SQLite-adresse {url}"),
            e,
        ))
    })?;
    Ok(options.get_filename().to_path_buf())
}

impl SqliteStore {
    /// Writes a consistent copy of the whole database to `target` with
    /// `VACUUM INTO`: a read transaction of its own, so the server may go
    /// on registering meanwhile, and the copy is compact and has no log
    /// beside it. `target` must not exist.
    pub async fn backup_into(&self, target: &std::path::Path) -> StoreResult<()> {
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await
            .map_err(|e| {
                StoreError::Internal(Detail::caused_by(
                    format!("sikkerhedskopien {} kunne ikke skrives", target.display()),
                    e,
                ))
            })?;
        Ok(())
    }
}

/// The migrations a backup file's database has had, read without changing
/// the file. `Invalid` when the file is no komhen SQLite database.
pub async fn migrations_of(file: &std::path::Path) -> StoreResult<Vec<i64>> {
    let not_ours = |e: sqlx::Error| {
        StoreError::Invalid(Detail::caused_by(
            format!(
                "{} er ikke en sikkerhedskopi af en komhen-database på SQLite",
                file.display()
            ),
            e,
        ))
    };
    let options = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .immutable(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(not_ours)?;
    let versions = sqlx::query_scalar::<_, i64>(
        "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(&pool)
    .await
    .map_err(not_ours);
    pool.close().await;
    versions
}

/// Stores a batch's plain rows (no answers, no idempotency key) on an open
/// transaction: multi-row INSERTs, SQLite's fastest way through sqlx.
async fn bulk_insert(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[&komhen_domain::NewRegistration],
    batch: komhen_domain::BatchId,
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    queries::insert_many(tx, rows, batch, now).await
}

/// The queries shared with the other backend, compiled against this one.
mod queries {
    use super::{
        after_batch_commit, after_bulk_chunk, before_cube_fold, begin_write, bulk_insert,
        check_references, run_migrations, save_registration, Db, Store, BACKEND,
    };

    include!("../../store-sql/queries/mod.rs");
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic
mod tests {
    use super::*;

    #[tokio::test]
    async fn what_the_writer_acknowledges_is_synced_to_disk() {
        let dir = std::env::temp_dir().join(format!("komhen-sync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("komhen.db").display());
        let store = SqliteStore::open(&url, OpenMode::CreateIfMissing)
            .await
            .unwrap();
        let writer: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&store.writer)
            .await
            .unwrap();
        assert_eq!(writer, 2, "the writer syncs every commit (FULL)");
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
