//! The store's error type.
//!
//! Policy: a broken rule the user can fix (a name already taken, a row that
//! points at nothing) is its own variant naming what is wrong, so the web and
//! CLI can say so in Danish. Everything else is `Internal`: logged in full by
//! the caller, never shown to a user.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique key is taken: the value names what (e.g. "login 259sek").
    #[error("findes allerede: {0}")]
    Conflict(String),
    /// A row refers to something that does not exist.
    #[error("findes ikke: {0}")]
    NotFound(String),
    /// A value the database refused (check constraint, bad reference).
    #[error("ugyldige data: {0}")]
    Invalid(String),
    /// The database could not be reached or failed.
    #[error("databasefejl: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
