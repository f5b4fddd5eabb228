//! komhen's use cases. Each takes a store and domain values and holds the
//! rules the web pages and the CLI share, so both behave the same.
//!
//! Must not know SQL, HTTP or terminal output: progress is reported through
//! callbacks, errors through [`CoreError`].

pub mod access;
pub mod account;
pub mod auth;
pub mod catalogue;
pub mod central;
pub mod demo;
mod error;
pub mod extract;
pub mod findings;
pub mod import;
pub mod intake;
pub mod paper;
pub mod phone;
pub mod portal;
pub mod reference;
pub mod registration;
pub mod report;
pub mod report_bank;
pub mod setup;
pub mod systems;
pub mod tabular;
pub mod totals;
mod upload;
pub mod website;

pub use error::{BoxError, CoreError, CoreResult};
