//! How much one file may hold: bytes, rows, problems kept.
//!
//! Owns the limits and the byte counter that enforces the size limit on a
//! stream (so a multi-GB upload is refused while it is read, never loaded
//! first). Must not decide what to do with a refused file: a reader ends
//! with a [`ProblemKind::Limit`](crate::ProblemKind::Limit) problem and the
//! caller drops the batch.

use crate::summary::danish_number;
use std::io::{self, Read};

/// The most columns a file's header or row may have: the codebook has 11,
/// a Landkort extract 16 and a municipality's questions a few dozen more.
/// A wider line is refused at once, before any of its cells is looked at.
pub const MAX_COLUMNS: usize = 1_000;

/// Why a line with `columns` columns is refused, in Danish.
pub fn too_many_columns(columns: usize) -> String {
    format!(
        "linjen har {} kolonner, og grænsen er {}. Tjek, at filen er gemt med det rigtige \
         skilletegn, og fjern tomme kolonner",
        danish_number(columns as u64),
        danish_number(MAX_COLUMNS as u64)
    )
}

/// The limits of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file, in bytes as uploaded (before decoding).
    pub max_bytes: u64,
    /// Most data rows (the header not counted).
    pub max_rows: u64,
    /// Problems kept in full in a [`ProblemSummary`](crate::ProblemSummary);
    /// all are still counted.
    pub max_problems_kept: usize,
}

impl Default for Limits {
    /// 4 GiB, 50 million rows, 1,000 problems: a year of a large
    /// municipality's phone log fits, a runaway export does not.
    fn default() -> Self {
        Self {
            max_bytes: 4 << 30,
            max_rows: 50_000_000,
            max_problems_kept: 1_000,
        }
    }
}

impl Limits {
    /// No limit at all (tests, trusted central files).
    pub fn none() -> Self {
        Self {
            max_bytes: u64::MAX,
            max_rows: u64::MAX,
            max_problems_kept: usize::MAX,
        }
    }

    pub(crate) fn too_many_rows_message(&self) -> String {
        format!(
            "filen har flere end {} rækker, som er grænsen for én fil. Del filen op i flere filer",
            danish_number(self.max_rows)
        )
    }

    pub(crate) fn too_large_message(&self) -> String {
        format!(
            "filen er større end grænsen på {}. Del filen op i flere filer",
            human_bytes(self.max_bytes)
        )
    }
}

fn human_bytes(bytes: u64) -> String {
    const MB: u64 = 1 << 20;
    if bytes >= MB {
        format!("{} MB", danish_number(bytes / MB))
    } else {
        format!("{} byte", danish_number(bytes))
    }
}

/// The error a [`ByteLimit`] raises, found again inside an `io::Error`.
#[derive(Debug)]
pub(crate) struct SizeLimitExceeded;

impl std::fmt::Display for SizeLimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("filen er over størrelsesgrænsen")
    }
}

impl std::error::Error for SizeLimitExceeded {}

/// True when an I/O error is a [`ByteLimit`] refusing more bytes.
pub(crate) fn is_size_limit(error: &io::Error) -> bool {
    error
        .get_ref()
        .is_some_and(|e| e.downcast_ref::<SizeLimitExceeded>().is_some())
}

/// Counts the bytes read and fails once more than the limit were read.
pub(crate) struct ByteLimit<R> {
    inner: R,
    left: u64,
}

impl<R> ByteLimit<R> {
    pub(crate) fn new(inner: R, max_bytes: u64) -> Self {
        Self {
            inner,
            left: max_bytes,
        }
    }
}

impl<R: Read> Read for ByteLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = n as u64;
        if n64 > self.left {
            self.left = 0;
            return Err(io::Error::other(SizeLimitExceeded));
        }
        self.left -= n64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_limit_passes_a_file_of_exactly_the_limit_and_refuses_one_more() {
        let mut ok = ByteLimit::new(&b"12345"[..], 5);
        let mut buf = Vec::new();
        assert_eq!(ok.read_to_end(&mut buf).unwrap(), 5);
        let mut over = ByteLimit::new(&b"123456"[..], 5);
        let err = over.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(is_size_limit(&err));
    }

    #[test]
    fn limit_messages_are_danish_and_say_the_limit() {
        let limits = Limits {
            max_bytes: 10 << 20,
            max_rows: 1_000_000,
            max_problems_kept: 5,
        };
        assert!(limits.too_large_message().contains("10 MB"));
        assert!(limits.too_many_rows_message().contains("1.000.000 rækker"));
    }
}
