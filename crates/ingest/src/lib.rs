//! Readers for every file komhen takes in. Bytes in, domain values or
//! line-numbered errors out. No database, no HTTP, no file system: callers
//! hand over the bytes (or a `Read` stream of them).
//!
//! Error policy: a reader reports every problem it finds with the line (as
//! a spreadsheet numbers it, header = line 1) and the column, in Danish
//! (see `error`). Readers of user files stream: a row at a time, at
//! constant memory, within the [`Limits`] of one file.
//!
//! Readers: `codebook` (komhen's upload format, CSV and XLSX, and its
//! template), `landkort` (Det Digitale Landkort extracts), `matomo` (web
//! analytics), `asterisk` (phone system call records), `queue_log` (the
//! joint hotline's Asterisk queue log, as calls), `calls` (the joint
//! hotline's calls as a plain CSV), `central` (centrally delivered
//! self-service and Digital Post statistics), `kle` (KLE catalogue files),
//! `totals` (total counts per channel or municipality), `reference` (the
//! shipped reference data). Shared: `text` (encoding and separator),
//! `limits` (every limit and its refusal), `workbook` (a workbook checked
//! against the limits before the spreadsheet parser opens it), `summary`
//! (grouping a big file's problems).

pub mod asterisk;
pub mod calls;
mod cell;
pub mod central;
pub mod codebook;
mod codes;
pub mod error;
mod header;
pub mod kle;
pub mod landkort;
pub mod limits;
pub mod matomo;
pub mod queue_log;
mod records;
pub mod reference;
pub mod summary;
mod table;
pub mod text;
pub mod totals;
mod workbook;

pub use codebook::{
    detect_format, CodebookReader, CodebookRow, CodebookRows, FileFormat, PartialRow,
};
pub use error::{IngestError, Problem, ProblemKind};
pub use limits::Limits;
pub use summary::{ProblemGroup, ProblemSummary, RowWord};
