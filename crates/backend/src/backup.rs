//! Backing up a whole komhen database to one file and restoring it: SQLite
//! with `VACUUM INTO` (a consistent copy while the server keeps
//! registering) and a copy put in place; PostgreSQL through the server's
//! own tools, `pg_dump --format=custom` and `pg_restore`, found on `PATH`.
//!
//! A restore never overwrites data unasked (`force`), refuses a backup made
//! by a newer komhen (a migration this build does not know) and migrates
//! an older one. It must not run while a server uses the target database.

use crate::{backend_of, redact, OpenMode};
use komhen_store::{Backend, Store, StoreError};
use komhen_store_postgres::PostgresStore;
use komhen_store_sqlite::SqliteStore;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Open(#[from] crate::OpenError),
    #[error(
        "{0} findes allerede. Vælg et nyt filnavn: en sikkerhedskopi overskriver aldrig en fil"
    )]
    FileExists(PathBuf),
    #[error(
        "Databasen {0} har allerede data. Tilføj --force for at erstatte den med \
         sikkerhedskopien (stop først komhen serve på den)"
    )]
    TargetHasData(String),
    #[error(
        "{0} findes ikke på PATH. Installér PostgreSQL-klienten (Debian og Ubuntu: \
         apt-get install postgresql-client) i samme hovedversion som serveren eller nyere"
    )]
    MissingTool(&'static str),
    #[error("{tool} fejlede: {stderr}")]
    ToolFailed { tool: &'static str, stderr: String },
    #[error("{0} er ikke en sikkerhedskopi lavet med komhen backup på {1}")]
    NotABackup(PathBuf, &'static str),
    #[error(
        "Sikkerhedskopien er lavet af en nyere udgave af komhen (migreringerne {0} kendes \
         ikke af denne). Opgradér komhen, før du gendanner den"
    )]
    Newer(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// What a backup or restore did, for the command's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub backend: Backend,
    /// The size of the backup file.
    pub bytes: u64,
}

/// Writes the database `url` names to `file`, which must not exist.
pub async fn backup(url: &str, file: &Path) -> Result<BackupSummary, BackupError> {
    let backend = backend_of(url).ok_or_else(|| crate::OpenError::UnknownScheme(redact(url)))?;
    if file.exists() {
        return Err(BackupError::FileExists(file.to_owned()));
    }
    match backend {
        Backend::Sqlite => {
            let store = SqliteStore::open(url, OpenMode::MustExist).await?;
            let written = store.backup_into(file).await;
            store.close().await;
            written?;
        }
        Backend::Postgres => {
            let file_arg = format!("--file={}", file.display());
            let dumped = run_tool("pg_dump", &["--format=custom", &file_arg], url).await;
            if dumped.is_err() {
                let _ = std::fs::remove_file(file);
            }
            dumped?;
        }
    }
    let bytes = std::fs::metadata(file)
        .map_err(io(format!("{} kunne ikke læses", file.display())))?
        .len();
    Ok(BackupSummary { backend, bytes })
}

/// Restores `file` into the database `url` names: a SQLite file that must
/// not exist, or a PostgreSQL database that must have no tables, unless
/// `force`. Then migrates it, so a backup of an older komhen is brought up
/// to this one.
pub async fn restore(url: &str, file: &Path, force: bool) -> Result<BackupSummary, BackupError> {
    let backend = backend_of(url).ok_or_else(|| crate::OpenError::UnknownScheme(redact(url)))?;
    let bytes = std::fs::metadata(file)
        .map_err(io(format!("{} kunne ikke læses", file.display())))?
        .len();
    let store: std::sync::Arc<dyn Store> = match backend {
        Backend::Sqlite => {
            let versions = komhen_store_sqlite::migrations_of(file)
                .await
                .map_err(|_| BackupError::NotABackup(file.to_owned(), "SQLite"))?;
            check_versions(
                file,
                "SQLite",
                &versions,
                &komhen_store_sqlite::known_migrations(),
            )?;
            let target = komhen_store_sqlite::file_of(url)?;
            if target.exists() && !force {
                return Err(BackupError::TargetHasData(target.display().to_string()));
            }
            put_in_place(file, &target)?;
            std::sync::Arc::new(SqliteStore::open(url, OpenMode::MustExist).await?)
        }
        Backend::Postgres => {
            let versions = dumped_migrations(file).await?;
            check_versions(
                file,
                "PostgreSQL",
                &versions,
                &komhen_store_postgres::known_migrations(),
            )?;
            if komhen_store_postgres::has_tables(url).await? && !force {
                return Err(BackupError::TargetHasData(redact(url)));
            }
            let file_arg = file.display().to_string();
            run_tool(
                "pg_restore",
                &[
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    &file_arg,
                ],
                url,
            )
            .await?;
            std::sync::Arc::new(PostgresStore::open(url).await?)
        }
    };
    store.migrate().await?;
    Ok(BackupSummary { backend, bytes })
}

/// Refuses a backup with migrations this build does not know, or none.
fn check_versions(
    file: &Path,
    backend: &'static str,
    versions: &[i64],
    known: &[i64],
) -> Result<(), BackupError> {
    if versions.is_empty() {
        return Err(BackupError::NotABackup(file.to_owned(), backend));
    }
    let unknown: Vec<String> = versions
        .iter()
        .filter(|v| !known.contains(v))
        .map(i64::to_string)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(BackupError::Newer(unknown.join(", ")))
    }
}

/// Copies the backup beside the target and renames it into place, so the
/// target is never half written, and removes the old database's log and
/// shared-memory files, which belong to the file being replaced.
fn put_in_place(file: &Path, target: &Path) -> Result<(), BackupError> {
    let mut partial = target.as_os_str().to_owned();
    partial.push(".gendannes");
    let partial = PathBuf::from(partial);
    std::fs::copy(file, &partial).map_err(io(format!(
        "{} kunne ikke kopieres til {}",
        file.display(),
        partial.display()
    )))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(&side)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                let _ = std::fs::remove_file(&partial);
                return Err(io(format!("{} kunne ikke fjernes", side.to_string_lossy()))(e));
            }
            _ => {}
        }
    }
    std::fs::rename(&partial, target).map_err(io(format!(
        "{} kunne ikke lægges på plads",
        target.display()
    )))
}

/// The migrations recorded in a custom-format dump, read with `pg_restore`
/// from the dump's `_sqlx_migrations` data without touching any database.
async fn dumped_migrations(file: &Path) -> Result<Vec<i64>, BackupError> {
    let output = tool("pg_restore")
        .args(["--data-only", "--table=_sqlx_migrations", "--file=-"])
        .arg(file)
        .output()
        .await
        .map_err(|e| missing_or_io("pg_restore", e))?;
    if !output.status.success() {
        return Err(BackupError::NotABackup(file.to_owned(), "PostgreSQL"));
    }
    Ok(copied_versions(&String::from_utf8_lossy(&output.stdout)))
}

/// The first column of the rows of the dump's `COPY` block.
fn copied_versions(sql: &str) -> Vec<i64> {
    sql.lines()
        .skip_while(|line| !line.starts_with("COPY "))
        .skip(1)
        .take_while(|line| *line != "\\.")
        .filter_map(|line| line.split('\t').next()?.parse().ok())
        .collect()
}

fn tool(name: &'static str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(name);
    command.kill_on_drop(true);
    command
}

fn missing_or_io(name: &'static str, e: std::io::Error) -> BackupError {
    if e.kind() == std::io::ErrorKind::NotFound {
        BackupError::MissingTool(name)
    } else {
        io(format!("{name} kunne ikke startes"))(e)
    }
}

/// Runs a PostgreSQL tool against the database `url` names. The password
/// goes in `PGPASSWORD`, never on the command line where `ps` shows it.
async fn run_tool(name: &'static str, args: &[&str], url: &str) -> Result<(), BackupError> {
    let (dbname, password) = split_password(url);
    let mut command = tool(name);
    command.args(args).arg(format!("--dbname={dbname}"));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.output().await.map_err(|e| missing_or_io(name, e))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BackupError::ToolFailed {
            tool: name,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}

/// The URL without its password, and the password (percent-decoded).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return (url.to_owned(), None);
    };
    match credentials.split_once(':') {
        Some((user, password)) => (
            format!("{scheme}://{user}@{host}"),
            Some(percent_decoded(password)),
        ),
        None => (url.to_owned(), None),
    }
}

fn percent_decoded(text: &str) -> String {
    crate::hex_escapes_decoded(text, b'%')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_decoded() {
        assert_eq!(
            split_password("postgres://kim:h%40mlig@db:5432/k"),
            (
                "postgres://kim@db:5432/k".to_owned(),
                Some("h@mlig".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://kim@db/k"),
            ("postgres://kim@db/k".to_owned(), None)
        );
    }

    #[test]
    fn a_dump_names_its_migrations_in_its_copy_block() {
        let sql = "SET x;\nCOPY public._sqlx_migrations (version, description) FROM stdin;\n\
                   20261125000001\tcreate schema\n20261125000002\tadd sessions\n\\.\n\nSET y;\n";
        assert_eq!(copied_versions(sql), vec![20261125000001, 20261125000002]);
    }

    #[test]
    fn a_backup_of_a_newer_komhen_is_refused_by_its_migrations() {
        let file = Path::new("kopi.db");
        assert!(check_versions(file, "SQLite", &[1, 2], &[1, 2, 3]).is_ok());
        let newer = check_versions(file, "SQLite", &[1, 4], &[1, 2, 3]);
        assert!(matches!(newer, Err(BackupError::Newer(v)) if v == "4"));
        assert!(matches!(
            check_versions(file, "SQLite", &[], &[1]),
            Err(BackupError::NotABackup(..))
        ));
    }
}
