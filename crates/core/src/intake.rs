//! Data that arrives in bulk rather than one registration at a time:
//! registration files (codebook files and Landkort extracts, `files`),
//! API batches (`api`), Matomo exports (`website`), central deliveries
//! (`central`), total counts (`totals`) and phone-system call logs
//! (`phone`). Every path that stores rows in batches goes through the one
//! batch pipeline (`batch`); what the uploads share before a reader opens a
//! file is in `upload`.
//!
//! Must not read a file format itself (the readers in `komhen_ingest` do)
//! nor know HTTP or the terminal.

pub mod api;
pub mod batch;
pub mod central;
pub mod corrections;
pub mod files;
pub mod phone;
pub mod totals;
pub(crate) mod upload;
pub mod website;
