//! The use-case layer's error.
//!
//! Policy: input the user can correct (`Invalid`) carries a Danish message
//! meant for them, written here in core, never a store's or driver's text;
//! `NotFound` says what a request named does not exist (the page shows its
//! own Danish message). `Store` and `Internal` are komhen's own failures:
//! they keep their cause as their `source`, and the caller that turns them
//! into a response logs the whole chain once and shows a generic message.

use komhen_ingest::IngestError;
use komhen_store::StoreError;

/// The cause of an internal failure that is not the store's.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    Invalid(String),
    /// What a request names does not exist, or not for this reader.
    #[error("findes ikke: {0}")]
    NotFound(String),
    #[error("lageret fejlede")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// A failure of komhen's own outside the store: a blocking task that
    /// stopped, a file that could not be written. `what` says what failed.
    #[error("{what}")]
    Internal {
        what: &'static str,
        #[source]
        source: BoxError,
    },
}

impl CoreError {
    pub fn internal(what: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Internal {
            what,
            source: source.into(),
        }
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
