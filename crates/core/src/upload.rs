//! What the website and central uploads share: looking at a file's first
//! bytes before a reader opens it, running a reader on a blocking thread,
//! turning a reader's refusal into a problem summary, and storing total
//! counts as one batch.
//!
//! Must not read a format's rows (the readers in `komhen_ingest` do) or
//! decide what a row becomes (`website` and `central` do).

use crate::{CoreError, CoreResult};
use komhen_ingest::ProblemSummary;
use komhen_ingest::{detect_format, FileFormat, IngestError, Limits, Problem, ProblemKind};
use komhen_store::{BatchRow, BatchStatus, NewBatch, NewTotalCount, Store};
use std::io::Read;
use std::path::Path;

/// A problem that stops the file before any reader opens it: a workbook
/// where a CSV file is wanted, or text with zero bytes and no byte-order
/// mark (UTF-16 saved without one), which no reader can split into columns.
pub(crate) fn sniff(path: &Path, what: &str) -> CoreResult<Option<Problem>> {
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| CoreError::Invalid(format!("Filen kan ikke læses: {e}")))?;
    head.truncate(n);
    let unreadable = |message: String| Some(Problem::line(1, ProblemKind::Unreadable, message));
    Ok(match detect_format(&head) {
        FileFormat::Xlsx | FileFormat::Xls => unreadable(format!(
            "filen er en Excel-projektmappe, men {what} skal være en CSV-fil. Gem den i Excel \
             som «CSV UTF-8 (kommasepareret)», og indlæs den igen"
        )),
        FileFormat::Csv => {
            let bom = head.starts_with(&[0xFF, 0xFE])
                || head.starts_with(&[0xFE, 0xFF])
                || head.starts_with(&[0xEF, 0xBB, 0xBF]);
            if !bom && head.contains(&0) {
                unreadable(
                    "filens tegn kan ikke læses: den er sandsynligvis gemt som UTF-16 uden \
                     byte-order-mærke (BOM), eller den er ikke en tekstfil. Gem den som CSV i \
                     UTF-8 (eller eksportér den igen), og indlæs den igen"
                        .into(),
                )
            } else {
                None
            }
        }
    })
}

/// A reader's refusal (header, encoding, limits) as a summary.
pub(crate) fn summary_of(error: IngestError, limits: Limits) -> ProblemSummary {
    let mut summary = ProblemSummary::new(limits.max_problems_kept);
    for problem in error.problems {
        summary.add(problem);
    }
    summary
}

/// Runs blocking work (reading a file) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CoreError::internal("indlæsningen blev afbrudt", e))
}

/// The committed batch of the same kind and file, if any.
pub(crate) async fn earlier_batch(
    store: &dyn Store,
    batch: &NewBatch,
) -> CoreResult<Option<BatchRow>> {
    Ok(store
        .find_batch(batch.municipality, &batch.kind, &batch.sha256)
        .await?
        .filter(|b| b.status == BatchStatus::Committed))
}

/// Stores total counts as one batch: all of them or none, recognised by
/// the file's SHA-256 like a batch of registrations; with `replace` the
/// earlier batch of the same file is replaced in the same moment.
pub(crate) async fn store_totals(
    store: &dyn Store,
    batch: &NewBatch,
    totals: &[NewTotalCount],
    replace: bool,
) -> CoreResult<BatchRow> {
    let earlier = earlier_batch(store, batch).await?;
    if earlier.is_some() && !replace {
        return Err(CoreError::Invalid(
            "Præcis de samme data er modtaget før og gemmes ikke igen.".into(),
        ));
    }
    let id = store.create_batch(batch).await?;
    for total in totals {
        let total = NewTotalCount {
            batch: Some(id),
            ..total.clone()
        };
        if let Err(e) = store.insert_total_count(&total).await {
            store.delete_batch(batch.municipality, id).await?;
            return Err(e.into());
        }
    }
    let committed = store
        .commit_batch(id, earlier.as_ref().map(|b| b.id))
        .await?;
    if let Some(old) = earlier {
        store.delete_batch(batch.municipality, old.id).await?;
    }
    Ok(committed)
}
