//! Errors of the readers: every problem in a file, each with its place.
//!
//! Policy: this is the ingest layer's one error type. A reader never stops
//! at the first problem of a row; it reports every problem it finds, in
//! Danish, with the line (as a spreadsheet numbers it, header = line 1), the
//! column (as the file names it) and what was expected. A [`Problem`] also
//! carries a [`ProblemKind`], so that a caller can group "the same error on
//! 100,000 lines" (see `summary`). An [`IngestError`] is a whole file that
//! cannot be read (header, encoding, limits); row problems travel in the
//! readers' iterators. Nothing here is internal: every message is meant for
//! the coordinator who uploaded the file.

use komhen_domain::{da, dl};
use std::fmt;

/// What sort of problem it is, so that repeated problems can be grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// A required cell is empty.
    Empty,
    /// A cell's value does not have the expected form.
    Invalid,
    /// A Danish local time that does not exist (the spring DST gap).
    NonexistentTime,
    /// Two cells of the row disagree.
    Conflict,
    /// The row's shape: a value without a column header.
    Layout,
    /// The header lacks a required column.
    MissingColumn,
    /// The header names a column twice.
    DuplicateColumn,
    /// The file cannot be read (broken zip, I/O, unknown layout). Ends the file.
    Unreadable,
    /// The file is over a configured limit (size, rows). Ends the file.
    Limit,
}

impl ProblemKind {
    /// A short Danish label for a group of such problems.
    pub fn label_da(self) -> &'static str {
        match self {
            Self::Empty => dl!("tomt felt"),
            Self::Invalid => dl!("ugyldig værdi"),
            Self::NonexistentTime => dl!("klokkeslæt findes ikke (sommertid)"),
            Self::Conflict => dl!("felter er uenige"),
            Self::Layout => dl!("værdi uden kolonne"),
            Self::MissingColumn => dl!("manglende kolonne"),
            Self::DuplicateColumn => dl!("dobbelt kolonne"),
            Self::Unreadable => dl!("filen kan ikke læses"),
            Self::Limit => dl!("over grænsen"),
        }
    }

    /// True when a reader stops after such a problem: the rest of the file
    /// is not read.
    pub fn ends_file(self) -> bool {
        matches!(self, Self::Unreadable | Self::Limit)
    }
}

/// One problem at one place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line as a spreadsheet shows it (the header is line 1).
    pub line: u64,
    /// The column's header name, when the problem is in one cell.
    pub column: Option<String>,
    pub kind: ProblemKind,
    /// What is wrong, in Danish.
    pub message: String,
}

impl Problem {
    /// A problem in one cell.
    pub fn cell(
        line: u64,
        column: impl Into<String>,
        kind: ProblemKind,
        message: impl Into<String>,
    ) -> Self {
        Self {
            line,
            column: Some(column.into()),
            kind,
            message: message.into(),
        }
    }

    /// A problem of a whole line (or of the file, at the line reached).
    pub fn line(line: u64, kind: ProblemKind, message: impl Into<String>) -> Self {
        Self {
            line,
            column: None,
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => f.write_str(&da!(
                "linje {}, kolonne «{}»: {}",
                self.line,
                column,
                self.message
            )),
            None => f.write_str(&da!("linje {}: {}", self.line, self.message)),
        }
    }
}

/// A file that could not be read: which file and all its problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl IngestError {
    pub fn new(file: &str, problems: Vec<Problem>) -> Self {
        Self {
            file: file.to_owned(),
            problems,
        }
    }

    pub fn one(file: &str, problem: Problem) -> Self {
        Self::new(file, vec![problem])
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&if self.problems.len() == 1 {
            da!("{} har 1 fejl", self.file)
        } else {
            da!("{} har {} fejl", self.file, self.problems.len())
        })?;
        for problem in self.problems.iter().take(20) {
            write!(f, "\n  {problem}")?;
        }
        if self.problems.len() > 20 {
            write!(
                f,
                "\n  {}",
                da!("… og {} fejl mere", self.problems.len() - 20)
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for IngestError {}
