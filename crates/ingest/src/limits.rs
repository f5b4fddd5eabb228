//! How much one file may hold: bytes, rows, columns, cell and line size,
//! and a workbook's unpacked parts; problems kept.
//!
//! Owns the limits, their Danish refusals, and the byte counter that
//! enforces the size limit on a stream (so a multi-GB upload is refused
//! while it is read, never loaded first). Every limit holds for every
//! reader on every path (browser, command line, API), because every path
//! opens files through these readers: peak memory stays bounded whatever
//! the file holds. Must not decide what to do with a refused file: a reader
//! ends with a [`ProblemKind::Limit`](crate::ProblemKind::Limit) problem and
//! the caller drops the batch.

use crate::summary::danish_number;
use komhen_domain::{da, dl};
use std::io::{self, Read};

/// The most columns a file's header or row may have: the codebook has 11,
/// a Landkort extract 16 and a municipality's questions a few dozen more.
/// A wider line is refused at once, before any of its cells is looked at.
pub const MAX_COLUMNS: usize = 1_000;

/// Why a line with `columns` columns is refused, in Danish.
pub fn too_many_columns(columns: usize) -> String {
    da!(
        "linjen har {} kolonner, og grænsen er {}. Tjek, at filen er gemt med det rigtige \
         skilletegn, og fjern tomme kolonner",
        danish_number(columns as u64),
        danish_number(MAX_COLUMNS as u64)
    )
}

/// Why a line with more than [`MAX_COLUMNS`] columns is refused while it
/// is read (its full width is never counted, so a line of millions of
/// cells costs no memory).
pub fn too_many_columns_in_line() -> String {
    da!(
        "linjen har flere end {} kolonner, som er grænsen. Tjek, at filen er gemt med det \
         rigtige skilletegn, og fjern tomme kolonner",
        danish_number(MAX_COLUMNS as u64)
    )
}

/// The most bytes one cell may hold (as text in a CSV file, or as its XML
/// in a workbook, markup included): Excel holds at most 32,767 characters
/// in a cell, up to about 96 KB of UTF-8 and more with XML escapes.
pub const MAX_CELL_BYTES: u64 = 256 << 10;

/// The most bytes one line (record) of a text file may hold: a thousand
/// columns of ordinary cells fit many times over.
pub const MAX_LINE_BYTES: u64 = 1 << 20;

/// Why a cell larger than [`MAX_CELL_BYTES`] is refused.
pub fn cell_too_large() -> String {
    da!(
        "en celle er større end grænsen på {} (Excel rummer højst 32.767 tegn i en celle). \
         Tjek, at citationstegn (\") i filen står parvis",
        human_bytes(MAX_CELL_BYTES)
    )
}

/// Why a line larger than [`MAX_LINE_BYTES`] is refused.
pub fn line_too_large() -> String {
    da!(
        "linjen er længere end grænsen på {}. Tjek, at filen er gemt med det rigtige \
         skilletegn, og at citationstegn (\") står parvis",
        human_bytes(MAX_LINE_BYTES)
    )
}

/// The most parts (files inside the zip) a workbook may have: a workbook
/// has a dozen plus one per sheet.
pub const MAX_XLSX_PARTS: u64 = 1_000;

/// The most bytes a workbook's zip directory may hold (a workbook's is a
/// few KB): the zip library reads it whole into memory.
pub const MAX_XLSX_DIRECTORY_BYTES: u64 = 1 << 20;

/// The most bytes a workbook's parts may hold unpacked, all together: a
/// full sheet (1,048,576 rows) of a codebook's 11 columns is about 500 MB
/// of XML.
pub const MAX_XLSX_UNPACKED_BYTES: u64 = 1 << 30;

/// The most bytes one part other than a sheet may hold unpacked. The
/// spreadsheet parser holds these parts in memory (the shared texts
/// above all), while it reads a sheet a cell at a time.
pub const MAX_XLSX_PART_BYTES: u64 = 64 << 20;

/// The most a part larger than [`MAX_XLSX_RATIO_FROM`] may be packed:
/// ordinary sheets pack 5 to 50 times, a zip bomb a thousand.
pub const MAX_XLSX_COMPRESSION_RATIO: u64 = 500;

/// Parts smaller than this unpacked are not held to the packing ratio.
pub const MAX_XLSX_RATIO_FROM: u64 = 1 << 20;

/// The most distinct texts (shared strings) a workbook may declare or
/// hold: the parser keeps every one in memory.
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;

/// The longest a workbook's parts may take to check, in seconds.
pub const MAX_XLSX_CHECK_SECONDS: u64 = 60;

/// Why a workbook with more than [`MAX_XLSX_PARTS`] parts is refused.
pub fn too_many_parts(parts: u64) -> String {
    da!(
        "projektmappen består af {} dele, og grænsen er {}. Gem den igen fra Excel som \
         «Excel-projektmappe (.xlsx)»",
        danish_number(parts),
        danish_number(MAX_XLSX_PARTS)
    )
}

/// Why a workbook over [`MAX_XLSX_UNPACKED_BYTES`] is refused.
pub fn unpacked_too_large() -> String {
    da!(
        "projektmappen fylder udpakket mere end grænsen på {}. Del filen op i flere filer, \
         eller gem den som CSV",
        human_bytes(MAX_XLSX_UNPACKED_BYTES)
    )
}

/// Why a part over [`MAX_XLSX_PART_BYTES`] is refused.
pub fn part_too_large(part: &str) -> String {
    da!(
        "delen «{part}» i projektmappen fylder udpakket mere end grænsen på {}. Del filen op \
         i flere filer, eller gem den som CSV",
        human_bytes(MAX_XLSX_PART_BYTES)
    )
}

/// Why a part packed harder than [`MAX_XLSX_COMPRESSION_RATIO`] is refused.
pub fn packed_too_hard(part: &str) -> String {
    da!(
        "delen «{part}» i projektmappen er pakket mere end {} gange sammen, som er grænsen. \
         Filen er ikke en almindelig Excel-projektmappe; gem den igen fra Excel",
        danish_number(MAX_XLSX_COMPRESSION_RATIO)
    )
}

/// Why a workbook with more than [`MAX_SHARED_STRINGS`] texts is refused.
pub fn too_many_shared_strings() -> String {
    da!(
        "projektmappen har flere end {} forskellige tekster, som er grænsen. Del filen op i \
         flere filer, eller gem den som CSV",
        danish_number(MAX_SHARED_STRINGS)
    )
}

/// Why a sheet row with more than [`MAX_COLUMNS`] cells is refused.
pub fn too_many_cells_in_row(row: u64) -> String {
    da!(
        "række {} i projektmappen har flere end {} celler, som er grænsen. Slet de tomme \
         kolonner til højre for dataene, og gem filen igen",
        danish_number(row),
        danish_number(MAX_COLUMNS as u64)
    )
}

/// Why a cell in column `column` (0-based) of a sheet is refused.
pub fn column_beyond_limit(column: u64) -> String {
    da!(
        "arket har en celle i kolonne {}, og grænsen er {} kolonner. Slet de tomme kolonner \
         til højre for dataene, og gem filen igen",
        danish_number(column + 1),
        danish_number(MAX_COLUMNS as u64)
    )
}

/// Why a workbook whose check outlasts [`MAX_XLSX_CHECK_SECONDS`] is refused.
pub fn check_too_slow() -> String {
    da!(
        "projektmappen kunne ikke gennemgås inden for grænsen på {} sekunder. Del filen op i \
         flere filer, eller gem den som CSV",
        danish_number(MAX_XLSX_CHECK_SECONDS)
    )
}

/// A limit a stream reached, with the Danish sentence saying which, found
/// again inside an `io::Error` (as [`SizeLimitExceeded`] is).
#[derive(Debug)]
pub(crate) struct Refusal(pub(crate) String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// The refusal inside an I/O error, if a limit raised it.
pub(crate) fn refusal_of(error: &io::Error) -> Option<&str> {
    error
        .get_ref()
        .and_then(|e| e.downcast_ref::<Refusal>())
        .map(|r| r.0.as_str())
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
        da!(
            "filen har flere end {} rækker, som er grænsen for én fil. Del filen op i flere filer",
            danish_number(self.max_rows)
        )
    }

    pub(crate) fn too_large_message(&self) -> String {
        da!(
            "filen er større end grænsen på {}. Del filen op i flere filer",
            human_bytes(self.max_bytes)
        )
    }
}

pub(crate) fn human_bytes(bytes: u64) -> String {
    const KB: u64 = 1 << 10;
    const MB: u64 = 1 << 20;
    if bytes >= MB {
        format!("{} MB", danish_number(bytes / MB))
    } else if bytes >= KB {
        format!("{} KB", danish_number(bytes / KB))
    } else {
        da!("{} byte", danish_number(bytes))
    }
}

/// The error a [`ByteLimit`] raises, found again inside an `io::Error`.
#[derive(Debug)]
pub(crate) struct SizeLimitExceeded;

impl std::fmt::Display for SizeLimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(dl!("filen er over størrelsesgrænsen"))
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
