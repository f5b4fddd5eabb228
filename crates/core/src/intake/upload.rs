//! What the website and central uploads share: looking at a file's first
//! bytes before a reader opens it, and turning a reader's refusal into a
//! problem summary.
//!
//! Must not read a format's rows (the readers in `komhen_ingest` do) or
//! decide what a row becomes (`website` and `central` do).

use crate::{CoreError, CoreResult};
use komhen_domain::{da, dl};
use komhen_ingest::ProblemSummary;
use komhen_ingest::{detect_format, FileFormat, IngestError, Limits, Problem, ProblemKind};
use std::io::Read;
use std::path::Path;

/// A problem that stops the file before any reader opens it: a workbook
/// where a CSV file is wanted, or text with zero bytes and no byte-order
/// mark (UTF-16 saved without one), which no reader can split into columns.
pub(crate) fn sniff(path: &Path, what: &str) -> CoreResult<Option<Problem>> {
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| CoreError::Invalid(da!("Filen kan ikke læses: {e}")))?;
    head.truncate(n);
    let unreadable = |message: String| Some(Problem::line(1, ProblemKind::Unreadable, message));
    Ok(match detect_format(&head) {
        FileFormat::Xlsx | FileFormat::Xls => unreadable(da!(
            "filen er en Excel-projektmappe, men {what} skal være en CSV-fil. Gem den i Excel \
             som «CSV UTF-8 (kommasepareret)», og indlæs den igen"
        )),
        FileFormat::Csv => {
            let bom = head.starts_with(&[0xFF, 0xFE])
                || head.starts_with(&[0xFE, 0xFF])
                || head.starts_with(&[0xEF, 0xBB, 0xBF]);
            if !bom && head.contains(&0) {
                unreadable(
                    dl!(
                        "filens tegn kan ikke læses: den er sandsynligvis gemt som UTF-16 uden \
                         byte-order-mærke (BOM), eller den er ikke en tekstfil. Gem den som CSV \
                         i UTF-8 (eller eksportér den igen), og indlæs den igen"
                    )
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
