//! Opens the store that a database URL names: `sqlite://...` (the default,
//! one file) or `postgres://...` (production). A URL that matches neither is
//! refused with a message saying what is accepted. [`backup`] copies a
//! whole database to a file and back. With the `testing`
//! feature, [`testing`] gives every test a fresh database of its own.

use komhen_store::{Store, StoreError};
use komhen_store_postgres::PostgresStore;
use komhen_store_sqlite::SqliteStore;
use std::sync::Arc;

pub use komhen_store_sqlite::OpenMode;

pub mod backup;
#[cfg(feature = "testing")]
pub mod replica_server;
#[cfg(feature = "testing")]
pub mod smtp_sink;
#[cfg(feature = "testing")]
pub mod testing;

/// The default database: `komhen.db` in the working folder.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://komhen.db";

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "Databaseadressen «{0}» passer ikke til nogen understøttet database. Brug \
         sqlite://sti/til/komhen.db eller postgres://bruger@vært:5432/database"
    )]
    UnknownScheme(String),
    #[error(
        "En læsereplika skal være en PostgreSQL-database (postgres://bruger@vært:5433/database), \
         ikke «{0}»: SQLite har ingen replikaer"
    )]
    ReplicaNotPostgres(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Which backend a URL names, if any.
pub fn backend_of(url: &str) -> Option<komhen_store::Backend> {
    if url.starts_with("sqlite:") {
        Some(komhen_store::Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Some(komhen_store::Backend::Postgres)
    } else {
        None
    }
}

/// A URL fit for logs and messages: the password replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Opens a PostgreSQL streaming replica of the primary for reading, without
/// connecting yet: a replica that is down when komhen starts is not an
/// error (published figures are then read from the primary until it
/// answers; see `komhen_web::Replica`).
pub fn open_replica(url: &str) -> Result<Arc<dyn Store>, OpenError> {
    match backend_of(url) {
        Some(komhen_store::Backend::Postgres) => Ok(Arc::new(PostgresStore::open_replica(url)?)),
        _ => Err(OpenError::ReplicaNotPostgres(redact(url))),
    }
}

/// Opens the store. `mode` matters for SQLite only: a PostgreSQL database
/// is never created by opening it.
pub async fn open(url: &str, mode: OpenMode) -> Result<Arc<dyn Store>, OpenError> {
    match backend_of(url) {
        Some(komhen_store::Backend::Sqlite) => Ok(Arc::new(SqliteStore::open(url, mode).await?)),
        Some(komhen_store::Backend::Postgres) => Ok(Arc::new(PostgresStore::open(url).await?)),
        None => Err(OpenError::UnknownScheme(redact(url))),
    }
}

/// Text with its `<escape>XX` hexadecimal escapes decoded (`%XX` in a URL,
/// `=XX` in quoted-printable mail); an escape that is not one stays as it is.
pub(crate) fn hex_escapes_decoded(text: &str, escape: u8) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b, Some(byte)) if b == escape => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_their_backend() {
        assert_eq!(
            backend_of("sqlite://komhen.db"),
            Some(komhen_store::Backend::Sqlite)
        );
        assert_eq!(
            backend_of("postgresql://x@y/z"),
            Some(komhen_store::Backend::Postgres)
        );
        assert_eq!(backend_of("mysql://x@y/z"), None);
        assert_eq!(backend_of("komhen.db"), None);
    }

    #[tokio::test]
    async fn a_replica_that_does_not_answer_is_unavailable_and_only_postgres_is_one() {
        // Nothing listens on port 1: the replica opens (it connects only
        // when asked) and a query finds it unavailable, not broken.
        let replica = open_replica("postgres://komhen@127.0.0.1:1/komhen").unwrap();
        assert!(matches!(
            replica.ping().await,
            Err(StoreError::Unavailable(_))
        ));
        let sqlite = open_replica("sqlite://komhen.db").err().unwrap();
        assert!(
            sqlite.to_string().contains("SQLite har ingen replikaer"),
            "{sqlite}"
        );
    }

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(
            redact("postgres://kim:hemlig@db:5432/k"),
            "postgres://kim:***@db:5432/k"
        );
        assert_eq!(redact("postgres://kim@db/k"), "postgres://kim@db/k");
        assert_eq!(redact("sqlite://komhen.db"), "sqlite://komhen.db");
    }

    #[tokio::test]
    async fn unknown_scheme_is_refused_with_the_accepted_forms() {
        let err = open("mysql://root:pw@localhost/x", OpenMode::MustExist)
            .await
            .err();
        let message = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("sqlite://"), "{message}");
        assert!(!message.contains("pw"), "password leaked: {message}");
    }

    #[tokio::test]
    async fn serve_mode_never_creates_a_new_sqlite_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typo.db");
        let url = format!("sqlite://{}", path.display());
        let err = open(&url, OpenMode::MustExist)
            .await
            .err()
            .map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("findes ikke"));
        assert!(!path.exists());
        open(&url, OpenMode::CreateIfMissing).await.unwrap();
        assert!(path.exists());
    }
}
