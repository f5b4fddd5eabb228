//! komhen's use cases. Each takes a store and domain values and holds the
//! rules the web pages and the CLI share, so both behave the same.
//!
//! Must not know SQL, HTTP or terminal output: progress is reported through
//! callbacks, errors through [`CoreError`].

pub mod accounts;
pub mod cycle;
pub mod demo;
pub mod economics;
mod error;
pub mod hotline;
pub mod intake;
pub mod mail;
pub mod portal;
pub mod questionnaire;
pub mod reference;
pub mod registration;
pub mod reminders;
pub mod reports;
pub mod setup;

pub use error::{BoxError, CoreError, CoreResult};
