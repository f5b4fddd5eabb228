//! The upload pages: registration files and their batches (`files`),
//! Matomo exports (`website`), central deliveries (`central`) and total
//! counts with phone-system logs (`totals`); the form an upload arrives in
//! (`form`) and the one way an upload comes in and waits (`uploads`).

pub(crate) mod central;
pub(crate) mod files;
pub(crate) mod form;
pub(crate) mod totals;
pub(crate) mod uploads;
pub(crate) mod website;
