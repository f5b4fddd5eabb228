//! The store's error type.
//!
//! Policy: a broken rule the user can fix (a name already taken, a row that
//! points at nothing) is its own variant naming what is wrong, so the web and
//! CLI can say so in Danish. Everything else is `Internal`: logged in full by
//! the caller, never shown to a user.
//!
//! Every variant carries a [`Detail`]: a short description written by komhen
//! (all that `Display` shows) and, when a driver or parser failed, that error
//! as the [`source`](std::error::Error::source). The driver's own text is for
//! the log, which walks the source chain; it never reaches a message a user
//! reads. The cause is boxed so this crate stays free of sqlx.

use std::error::Error;
use std::fmt;
use std::ops::Deref;

/// The error behind a store error: a driver's, a parser's.
pub type Cause = Box<dyn Error + Send + Sync + 'static>;

#[derive(Debug)]
pub enum StoreError {
    /// A unique key is taken: the detail names what (e.g. "login 259sek").
    Conflict(Detail),
    /// A row refers to something that does not exist.
    NotFound(Detail),
    /// A value the database refused (check constraint, bad reference).
    Invalid(Detail),
    /// The database failed.
    Internal(Detail),
    /// The database did not answer: no connection could be made or kept,
    /// or it is shutting down or starting up. Another server (a replica's
    /// primary) may still answer the same read.
    Unavailable(Detail),
}

impl StoreError {
    pub fn conflict(detail: impl Into<Detail>) -> Self {
        Self::Conflict(detail.into())
    }

    pub fn not_found(detail: impl Into<Detail>) -> Self {
        Self::NotFound(detail.into())
    }

    pub fn invalid(detail: impl Into<Detail>) -> Self {
        Self::Invalid(detail.into())
    }

    pub fn internal(detail: impl Into<Detail>) -> Self {
        Self::Internal(detail.into())
    }

    /// The same failure once more, for another caller that shared the
    /// work that failed (a group commit): same variant and description,
    /// the cause kept as its text.
    pub fn same_again(&self) -> Self {
        let d = self.detail();
        let detail = match d.cause() {
            Some(cause) => Detail::caused_by(d.description(), cause.to_string()),
            None => Detail::new(d.description()),
        };
        match self {
            Self::Conflict(_) => Self::Conflict(detail),
            Self::NotFound(_) => Self::NotFound(detail),
            Self::Invalid(_) => Self::Invalid(detail),
            Self::Internal(_) => Self::Internal(detail),
            Self::Unavailable(_) => Self::Unavailable(detail),
        }
    }

    /// The description and cause, whatever the variant.
    pub fn detail(&self) -> &Detail {
        match self {
            Self::Conflict(d)
            | Self::NotFound(d)
            | Self::Invalid(d)
            | Self::Internal(d)
            | Self::Unavailable(d) => d,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conflict(d) => write!(f, "findes allerede: {d}"),
            Self::NotFound(d) => write!(f, "findes ikke: {d}"),
            Self::Invalid(d) => write!(f, "ugyldige data: {d}"),
            Self::Internal(d) => write!(f, "databasefejl: {d}"),
            Self::Unavailable(d) => write!(f, "databasen svarer ikke: {d}"),
        }
    }
}

impl Error for StoreError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.detail()
            .cause()
            .map(|cause| cause as &(dyn Error + 'static))
    }
}

/// What went wrong in komhen's words, and the error that caused it.
///
/// Reads as its description: `Display` and `Deref<Target = str>` give the
/// description only, never the cause's text.
#[derive(Debug)]
pub struct Detail {
    description: String,
    cause: Option<Cause>,
}

impl Detail {
    /// A description with no error behind it (a rule komhen checks itself).
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            cause: None,
        }
    }

    /// A description of what failed, keeping the error that made it fail.
    pub fn caused_by(description: impl Into<String>, cause: impl Into<Cause>) -> Self {
        Self {
            description: description.into(),
            cause: Some(cause.into()),
        }
    }

    /// The same cause under a description that says more (a unique key
    /// named in the user's words).
    pub fn with_description(self, description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            cause: self.cause,
        }
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn cause(&self) -> Option<&(dyn Error + Send + Sync + 'static)> {
        self.cause.as_deref()
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl Deref for Detail {
    type Target = str;

    fn deref(&self) -> &str {
        &self.description
    }
}

impl From<String> for Detail {
    fn from(description: String) -> Self {
        Self::new(description)
    }
}

impl From<&str> for Detail {
    fn from(description: &str) -> Self {
        Self::new(description)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn display_shows_the_description_and_source_keeps_the_cause() {
        let cause = std::io::Error::other("UNIQUE constraint failed: units.login");
        let error = StoreError::Conflict(Detail::caused_by("login 259sek", cause));
        assert_eq!(error.to_string(), "findes allerede: login 259sek");
        assert_eq!(
            error.source().unwrap().to_string(),
            "UNIQUE constraint failed: units.login"
        );
    }

    #[test]
    fn a_renamed_detail_keeps_its_cause() {
        let detail = Detail::caused_by("en post med de samme oplysninger", "driver text")
            .with_description("login 259sek");
        assert_eq!(&*detail, "login 259sek");
        assert_eq!(detail.cause().unwrap().to_string(), "driver text");
    }
}
