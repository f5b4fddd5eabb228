//! The use-case layer's error.
//!
//! Policy: input the user can correct (`Invalid`, `Conflict`, `NotFound`)
//! carries a Danish message meant for them; `Store` errors that are internal
//! are logged by the caller and shown as a generic failure.

use komhen_ingest::IngestError;
use komhen_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Ingest(#[from] IngestError),
}

pub type CoreResult<T> = Result<T, CoreError>;
