//! Readers for every file komhen takes in. Bytes in, domain values or
//! line-numbered errors out. No database, no HTTP, no file system: callers
//! hand over the bytes.
//!
//! Error policy: a reader reports every problem it finds with the line (as
//! a spreadsheet numbers it, header = line 1) and the column, in Danish.

pub mod error;
pub mod kle;
pub mod reference;
mod table;

pub use error::{IngestError, Problem};
