//! A `;`-separated UTF-8 table with a header, read row by row with cells
//! looked up by column name, collecting problems instead of stopping at the
//! first.

use crate::{IngestError, Problem, ProblemKind};
use komhen_domain::{da, dl, ParseError};

pub(crate) struct Table {
    file: String,
    headers: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

pub(crate) struct Row<'t> {
    table: &'t Table,
    pub(crate) line: u64,
    cells: &'t [String],
}

impl Table {
    /// Reads the whole table; missing `required` columns are reported at once.
    pub(crate) fn read(file: &str, bytes: &[u8], required: &[&str]) -> Result<Self, IngestError> {
        let text = std::str::from_utf8(bytes).map_err(|e| IngestError {
            file: file.to_owned(),
            problems: vec![Problem::line(
                1,
                ProblemKind::Unreadable,
                da!("filen er ikke UTF-8: {e}"),
            )],
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_reader(text.as_bytes());
        let fail = |line: u64, message: String| IngestError {
            file: file.to_owned(),
            problems: vec![Problem::line(line, ProblemKind::Unreadable, message)],
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| fail(1, da!("overskriften kan ikke læses: {e}")))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let missing: Vec<Problem> = required
            .iter()
            .filter(|r| !headers.iter().any(|h| h == *r))
            .map(|r| Problem::cell(1, *r, ProblemKind::MissingColumn, dl!("kolonnen mangler")))
            .collect();
        if !missing.is_empty() {
            return Err(IngestError {
                file: file.to_owned(),
                problems: missing,
            });
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                fail(line, da!("linjen kan ikke læses: {e}"))
            })?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            rows.push((line, record.iter().map(|c| c.trim().to_owned()).collect()));
        }
        Ok(Self {
            file: file.to_owned(),
            headers,
            rows,
        })
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(line, cells)| Row {
            table: self,
            line: *line,
            cells,
        })
    }

    /// The values, or every problem collected while reading them.
    pub(crate) fn finish<T>(self, values: T, problems: Vec<Problem>) -> Result<T, IngestError> {
        if problems.is_empty() {
            Ok(values)
        } else {
            Err(IngestError {
                file: self.file,
                problems,
            })
        }
    }
}

impl Row<'_> {
    /// The cell under a column (empty when the row is short).
    pub(crate) fn get(&self, column: &str) -> &str {
        self.table
            .headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.cells.get(i))
            .map_or("", String::as_str)
    }

    pub(crate) fn problem(&self, column: &str, message: impl Into<String>) -> Problem {
        Problem::cell(self.line, column, ProblemKind::Invalid, message)
    }

    /// Parses a cell; a failure becomes a problem at this row and column.
    pub(crate) fn parse<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
        problems: &mut Vec<Problem>,
    ) -> Option<T> {
        match parse(self.get(column)) {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push(self.problem(column, e.to_string()));
                None
            }
        }
    }

    pub(crate) fn required(&self, column: &str, problems: &mut Vec<Problem>) -> Option<String> {
        let value = self.get(column);
        if value.is_empty() {
            problems.push(Problem::cell(
                self.line,
                column,
                ProblemKind::Empty,
                dl!("feltet er tomt"),
            ));
            None
        } else {
            Some(value.to_owned())
        }
    }

    pub(crate) fn number<T: std::str::FromStr>(
        &self,
        column: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<T> {
        let value = self.get(column);
        match value.parse::<T>() {
            Ok(v) => Some(v),
            Err(_) => {
                problems.push(self.problem(column, da!("«{value}» er ikke et helt tal")));
                None
            }
        }
    }

    pub(crate) fn flag(&self, column: &str, problems: &mut Vec<Problem>) -> Option<bool> {
        match self.get(column) {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                problems.push(self.problem(column, da!("«{other}» er hverken true eller false")));
                None
            }
        }
    }

    /// The header names, for files with columns named by year.
    pub(crate) fn headers(&self) -> &[String] {
        &self.table.headers
    }
}
