//! The problems of one file, counted in full but kept in part.
//!
//! Owns the policy for big bad files: every bad row and every problem is
//! counted, only the first `max_kept` problems are kept in full, and
//! problems are grouped by (column, kind) with a count and the first few
//! line numbers, so that "the same error on 100,000 lines" is one group of
//! 100,000 with example lines instead of 100,000 messages. Memory stays
//! bounded whatever the file. Must not decide whether a file is accepted:
//! that is the caller's rule.

use crate::{Problem, ProblemKind};
use komhen_domain::{da, dl};
use std::fmt;

/// How many line numbers a group keeps as examples.
pub const EXAMPLE_LINES: usize = 5;

/// Problems of one kind in one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemGroup {
    /// The column as the file names it; None for whole-line problems.
    pub column: Option<String>,
    pub kind: ProblemKind,
    /// How many problems of this group the file has.
    pub count: u64,
    /// The first lines it occurs on (at most [`EXAMPLE_LINES`]).
    pub first_lines: Vec<u64>,
    /// The first such problem's message, as an example.
    pub example: String,
}

/// Counts every problem of a file and keeps the first ones in full.
#[derive(Debug, Clone)]
pub struct ProblemSummary {
    max_kept: usize,
    kept: Vec<Problem>,
    total: u64,
    bad_rows: u64,
    groups: Vec<ProblemGroup>,
}

impl ProblemSummary {
    /// How many problems on how many rows, in Danish: "2 fejl på 1 række",
    /// "1.001 fejl på 1.001 rækker" (`row_word` names a row: `række` for a
    /// table, `linje` for a text file). The one phrase every page, message
    /// and the CLI use.
    pub fn counted_da(&self, row_word: RowWord) -> String {
        let (rows, one) = (self.bad_rows, self.total == 1);
        if rows == 0 {
            // Problems of the file as a whole (its header, its format).
            return if one {
                dl!("1 fejl i filen").to_owned()
            } else {
                da!("{} fejl i filen", danish_number(self.total))
            };
        }
        let (total, counted) = (danish_number(self.total), danish_number(rows));
        match (row_word, rows == 1) {
            (RowWord::Row, true) if one => dl!("1 fejl på 1 række").to_owned(),
            (RowWord::Row, true) => da!("{total} fejl på 1 række"),
            (RowWord::Row, false) => da!("{total} fejl på {counted} rækker"),
            (RowWord::Line, true) if one => dl!("1 fejl på 1 linje").to_owned(),
            (RowWord::Line, true) => da!("{total} fejl på 1 linje"),
            (RowWord::Line, false) => da!("{total} fejl på {counted} linjer"),
        }
    }

    /// A summary keeping at most `max_kept` problems in full.
    pub fn new(max_kept: usize) -> Self {
        Self {
            max_kept,
            kept: Vec::new(),
            total: 0,
            bad_rows: 0,
            groups: Vec::new(),
        }
    }

    /// Adds the problems of one row (one bad row, however many problems).
    pub fn add_row(&mut self, problems: Vec<Problem>) {
        if problems.is_empty() {
            return;
        }
        self.bad_rows += 1;
        for problem in problems {
            self.add(problem);
        }
    }

    /// Adds one problem without counting a bad row (a file-level problem).
    pub fn add(&mut self, problem: Problem) {
        self.total += 1;
        // Few groups (columns × kinds): a scan beats hashing a String per problem.
        match self
            .groups
            .iter_mut()
            .find(|g| g.kind == problem.kind && g.column == problem.column)
        {
            Some(group) => {
                group.count += 1;
                if group.first_lines.len() < EXAMPLE_LINES {
                    group.first_lines.push(problem.line);
                }
            }
            None => self.groups.push(ProblemGroup {
                column: problem.column.clone(),
                kind: problem.kind,
                count: 1,
                first_lines: vec![problem.line],
                example: problem.message.clone(),
            }),
        }
        if self.kept.len() < self.max_kept {
            self.kept.push(problem);
        }
    }

    /// Every problem counted, kept or not.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Rows with at least one problem.
    pub fn bad_rows(&self) -> u64 {
        self.bad_rows
    }

    /// The first problems, in file order.
    pub fn kept(&self) -> &[Problem] {
        &self.kept
    }

    /// Problems counted but not kept.
    pub fn omitted(&self) -> u64 {
        self.total - self.kept.len() as u64
    }

    /// The groups, in order of first appearance.
    pub fn groups(&self) -> &[ProblemGroup] {
        &self.groups
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// A number the Danish way: `100.000`.
pub fn danish_number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for ProblemGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.first_lines.iter().map(|l| l.to_string()).collect();
        let (kind, count, lines, example) = (
            self.kind.label_da(),
            danish_number(self.count),
            lines.join(", "),
            &self.example,
        );
        let text = match (&self.column, self.count == 1) {
            (Some(column), true) => {
                da!("kolonne «{column}», {kind}: {count} gang (fx linje {lines}). Første: {example}")
            }
            (Some(column), false) => da!(
                "kolonne «{column}», {kind}: {count} gange (fx linje {lines}). Første: {example}"
            ),
            (None, true) => da!("{kind}: {count} gang (fx linje {lines}). Første: {example}"),
            (None, false) => da!("{kind}: {count} gange (fx linje {lines}). Første: {example}"),
        };
        f.write_str(&text)
    }
}

/// What a file's rows are called in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowWord {
    /// A table's rows (CSV, XLSX).
    Row,
    /// A text file's lines (a phone system's log).
    Line,
}

impl fmt::Display for ProblemSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.counted_da(RowWord::Line))?;
        for group in &self.groups {
            write!(f, "\n  {group}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad_channel(line: u64) -> Problem {
        Problem::cell(
            line,
            "Kanal",
            ProblemKind::Invalid,
            format!("ugyldig kanal «TLF{line}»"),
        )
    }

    #[test]
    fn the_same_problem_on_many_lines_is_one_group_with_example_lines() {
        let mut summary = ProblemSummary::new(1_000);
        for line in 2..100_002 {
            summary.add_row(vec![bad_channel(line)]);
        }
        assert_eq!(summary.total(), 100_000);
        assert_eq!(summary.bad_rows(), 100_000);
        assert_eq!(summary.kept().len(), 1_000);
        assert_eq!(summary.omitted(), 99_000);
        assert_eq!(summary.groups().len(), 1);
        let group = &summary.groups()[0];
        assert_eq!(group.count, 100_000);
        assert_eq!(group.first_lines, vec![2, 3, 4, 5, 6]);
        assert_eq!(
            group.to_string(),
            "kolonne «Kanal», ugyldig værdi: 100.000 gange (fx linje 2, 3, 4, 5, 6). \
             Første: ugyldig kanal «TLF2»"
        );
    }

    #[test]
    fn groups_split_by_column_and_kind_and_rows_count_once() {
        let mut summary = ProblemSummary::new(10);
        summary.add_row(vec![
            bad_channel(2),
            Problem::cell(2, "Kanal", ProblemKind::Empty, "feltet er tomt"),
            Problem::cell(2, "Dato", ProblemKind::Invalid, "x"),
        ]);
        summary.add_row(vec![]);
        assert_eq!(summary.bad_rows(), 1);
        assert_eq!(summary.groups().len(), 3);
    }

    #[test]
    fn danish_numbers_group_thousands_with_dots() {
        assert_eq!(danish_number(0), "0");
        assert_eq!(danish_number(999), "999");
        assert_eq!(danish_number(1_000), "1.000");
        assert_eq!(danish_number(1_234_567), "1.234.567");
    }
}
