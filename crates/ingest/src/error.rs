//! Errors of the readers: every problem in a file, each with its place.

use std::fmt;

/// One problem at one place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line as a spreadsheet shows it (the header is line 1).
    pub line: u64,
    /// The column's header name, when the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong, in Danish.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(
                f,
                "linje {}, kolonne «{}»: {}",
                self.line, column, self.message
            ),
            None => write!(f, "linje {}: {}", self.line, self.message),
        }
    }
}

/// A file that could not be read: which file and all its problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} har {} fejl", self.file, self.problems.len())?;
        for problem in self.problems.iter().take(20) {
            write!(f, "\n  {problem}")?;
        }
        if self.problems.len() > 20 {
            write!(f, "\n  … og {} fejl mere", self.problems.len() - 20)?;
        }
        Ok(())
    }
}

impl std::error::Error for IngestError {}
