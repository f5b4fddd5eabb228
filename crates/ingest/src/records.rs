//! Records of a delimited text file, one at a time, numbered as a
//! spreadsheet numbers its rows.
//!
//! Owns what every CSV reader shares: opening the text (limits, encoding,
//! separator), reusing one `csv::ByteRecord`, skipping blank rows, the row
//! limit, and line numbers. Must not interpret cells.
//!
//! Line numbers: a spreadsheet shows a cell spanning lines as one row and a
//! blank line as an empty row. So a record's number is the text line its
//! first cell starts on, less the line breaks inside quoted cells before it.
//! The text line is found from the `csv` crate's byte position of the
//! record: its own line counter is off by one after CRLF endings and skips
//! blank lines, so [`LineCounter`] notes where line ends pass by and the
//! record's line is counted from those.

use crate::limits::{
    cell_too_large, line_too_large, refusal_of, too_many_columns, too_many_columns_in_line, Limits,
    Refusal, MAX_CELL_BYTES, MAX_COLUMNS, MAX_LINE_BYTES,
};
use crate::text::{io_problem, open_csv, TextEncoding, TextStream};
use crate::{IngestError, Problem, ProblemKind};
use csv::ByteRecord;
use komhen_domain::da;
use std::collections::VecDeque;
use std::io::{self, Read};

/// Notes where `\r` and `\n` pass by, so the line of a byte position just
/// read can be told. Keeps only the line ends at or after the last position
/// asked about, and keeps a run of line ends with nothing between them as
/// one entry: the `csv` reader skips blank lines without handing over a
/// record, so a file of nothing but millions of line ends would otherwise
/// be remembered a byte at a time. Memory is bounded by the lines of one
/// record (a quoted cell spanning lines), which [`RecordBound`] limits.
pub(crate) struct LineCounter<R> {
    inner: R,
    offset: u64,
    /// Runs of adjacent line-end bytes not yet passed, in order.
    marks: VecDeque<LineEnds>,
    newlines_passed: u64,
}

/// Line-end bytes (`\r` or `\n`) at `start..start + len`, `newlines` of them `\n`.
#[derive(Debug, Clone, Copy)]
struct LineEnds {
    start: u64,
    len: u64,
    newlines: u64,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for i in memchr::memchr2_iter(b'\r', b'\n', &buf[..n]) {
            let at = self.offset + i as u64;
            let newline = u64::from(buf[i] == b'\n');
            match self.marks.back_mut() {
                Some(run) if run.start + run.len == at => {
                    run.len += 1;
                    run.newlines += newline;
                }
                _ => self.marks.push_back(LineEnds {
                    start: at,
                    len: 1,
                    newlines: newline,
                }),
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            marks: VecDeque::new(),
            newlines_passed: 0,
        }
    }

    /// The 1-based text line of the first byte at or after `position` that
    /// is not a line end (the `csv` crate starts a record at the line end
    /// before it): one more than the `\n` before that byte. Positions must
    /// be asked in increasing order.
    fn line_of(&mut self, position: u64) -> u64 {
        while let Some(run) = self.marks.front() {
            if run.start + run.len > position {
                break;
            }
            self.newlines_passed += run.newlines;
            self.marks.pop_front();
        }
        // A run the position is in ends before the line's first byte.
        let leading = match self.marks.front() {
            Some(run) if run.start <= position => run.newlines,
            _ => 0,
        };
        1 + self.newlines_passed + leading
    }

    #[cfg(test)]
    fn runs_kept(&self) -> usize {
        self.marks.len()
    }
}

/// Where [`RecordBound`] stands in the text, as the `csv` crate reads it
/// (quotes doubled inside a quoted cell; a quote inside an unquoted cell is
/// an ordinary character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    /// Between records (blank lines are skipped).
    StartRecord,
    StartField,
    InField,
    InQuoted,
    /// A quote inside a quoted cell: it closes the cell or is doubled.
    QuoteInQuoted,
}

/// Counts the cells, cell bytes and line bytes of each record as the text
/// passes on to the `csv` reader, and fails the read once a record passes
/// [`MAX_COLUMNS`], [`MAX_CELL_BYTES`] or [`MAX_LINE_BYTES`]: the `csv`
/// reader gathers a whole record in memory, so it must never be handed
/// one that is too large (a line of ten million cells).
pub(crate) struct RecordBound<R> {
    inner: R,
    delimiter: u8,
    state: Lex,
    fields: usize,
    cell_bytes: u64,
    line_bytes: u64,
    /// The text line the byte being looked at is on, and the one the
    /// current record starts on.
    line: u64,
    record_line: u64,
    refused: Option<String>,
}

impl<R> RecordBound<R> {
    fn new(inner: R, delimiter: u8) -> Self {
        Self {
            inner,
            delimiter,
            state: Lex::StartRecord,
            fields: 0,
            cell_bytes: 0,
            line_bytes: 0,
            line: 1,
            record_line: 1,
            refused: None,
        }
    }

    fn grow(&mut self, bytes: usize) -> Result<(), String> {
        self.cell_bytes += bytes as u64;
        self.line_bytes += bytes as u64;
        if self.cell_bytes > MAX_CELL_BYTES {
            Err(cell_too_large())
        } else if self.line_bytes > MAX_LINE_BYTES {
            Err(line_too_large())
        } else {
            Ok(())
        }
    }

    fn next_field(&mut self) -> Result<(), String> {
        self.fields += 1;
        self.cell_bytes = 0;
        self.grow(1)?;
        if self.fields > MAX_COLUMNS {
            return Err(too_many_columns_in_line());
        }
        Ok(())
    }

    fn end_record(&mut self, byte: u8) {
        self.line += u64::from(byte == b'\n');
        self.state = Lex::StartRecord;
    }

    /// Looks at the next bytes; on a refusal, also says how many bytes
    /// before it may still pass, so the records before the refused one are
    /// read as usual.
    fn scan(&mut self, bytes: &[u8]) -> Result<(), (usize, String)> {
        let delimiter = self.delimiter;
        let mut i = 0;
        while i < bytes.len() {
            let at = i;
            let refused = |message| (at, message);
            let b = bytes[i];
            match self.state {
                Lex::StartRecord => {
                    if b == b'\r' || b == b'\n' {
                        self.line += u64::from(b == b'\n');
                        i += 1;
                        continue;
                    }
                    self.record_line = self.line;
                    (self.fields, self.cell_bytes, self.line_bytes) = (1, 0, 0);
                    self.state = Lex::StartField;
                }
                // After a quote inside a quoted cell, another quote is a
                // doubled one and stays in the cell; anything else ends the
                // quoting, as at the start of a cell.
                Lex::StartField | Lex::QuoteInQuoted => {
                    i += 1;
                    if b == delimiter {
                        self.next_field().map_err(refused)?;
                        self.state = Lex::StartField;
                    } else if b == b'\r' || b == b'\n' {
                        self.end_record(b);
                    } else {
                        self.grow(1).map_err(refused)?;
                        self.state = if b == b'"' {
                            Lex::InQuoted
                        } else {
                            Lex::InField
                        };
                    }
                }
                Lex::InField => {
                    let rest = &bytes[i..];
                    let run = memchr::memchr3(delimiter, b'\r', b'\n', rest).unwrap_or(rest.len());
                    self.grow(run).map_err(refused)?;
                    i += run;
                    if let Some(&end) = bytes.get(i) {
                        i += 1;
                        if end == delimiter {
                            self.next_field().map_err(refused)?;
                            self.state = Lex::StartField;
                        } else {
                            self.end_record(end);
                        }
                    }
                }
                Lex::InQuoted => {
                    let rest = &bytes[i..];
                    let run = memchr::memchr(b'"', rest).unwrap_or(rest.len());
                    self.line += memchr::memchr_iter(b'\n', &rest[..run]).count() as u64;
                    self.grow(run).map_err(refused)?;
                    i += run;
                    if i < bytes.len() {
                        i += 1;
                        self.grow(1).map_err(refused)?;
                        self.state = Lex::QuoteInQuoted;
                    }
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for RecordBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(refused) = &self.refused {
            return Err(io::Error::other(Refusal(refused.clone())));
        }
        let n = self.inner.read(buf)?;
        match self.scan(&buf[..n]) {
            Ok(()) => Ok(n),
            Err((passing, refused)) => {
                self.refused = Some(refused.clone());
                if passing > 0 {
                    Ok(passing)
                } else {
                    Err(io::Error::other(Refusal(refused)))
                }
            }
        }
    }
}

/// What the next step of a file gave.
pub(crate) enum Step {
    /// A non-blank record on this line is in `record`.
    Record(u64),
    /// The file is over.
    End,
    /// The file cannot be read further.
    Fatal(Problem),
}

pub(crate) struct RecordStream<R: Read> {
    csv: csv::Reader<LineCounter<RecordBound<TextStream<R>>>>,
    pub(crate) record: ByteRecord,
    delimiter: u8,
    limits: Limits,
    rows: u64,
    breaks_inside_cells: u64,
    last_line: u64,
    done: bool,
}

impl<R: Read> RecordStream<R> {
    pub(crate) fn open(
        file: &str,
        read: R,
        limits: Limits,
        default_delimiter: u8,
    ) -> Result<Self, IngestError> {
        let source = open_csv(file, read, &limits, default_delimiter)?;
        Ok(Self {
            csv: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(source.delimiter)
                .buffer_capacity(1 << 16)
                .from_reader(LineCounter::new(RecordBound::new(
                    source.stream,
                    source.delimiter,
                ))),
            record: ByteRecord::new(),
            delimiter: source.delimiter,
            limits,
            rows: 0,
            breaks_inside_cells: 0,
            last_line: 1,
            done: false,
        })
    }

    pub(crate) fn delimiter(&self) -> u8 {
        self.delimiter
    }

    pub(crate) fn encoding(&self) -> TextEncoding {
        self.csv.get_ref().inner.inner.get_ref().1.encoding()
    }

    /// The next non-blank record, not counted against the row limit (a header).
    pub(crate) fn next_header(&mut self) -> Step {
        self.advance(false)
    }

    /// The next non-blank data record.
    pub(crate) fn next_row(&mut self) -> Step {
        self.advance(true)
    }

    fn advance(&mut self, count: bool) -> Step {
        if self.done {
            return Step::End;
        }
        loop {
            match self.csv.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    return Step::End;
                }
                Ok(true) => {
                    let text_line = match self.record.position() {
                        Some(p) => self.csv.get_mut().line_of(p.byte()),
                        None => self.last_line + 1,
                    };
                    let line = text_line.saturating_sub(self.breaks_inside_cells);
                    let breaks = self
                        .record
                        .as_slice()
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                    self.breaks_inside_cells += breaks as u64;
                    self.last_line = line;
                    if self.record.iter().all(|c| c.trim_ascii().is_empty()) {
                        continue;
                    }
                    if count {
                        self.rows += 1;
                        if self.rows > self.limits.max_rows {
                            self.done = true;
                            return Step::Fatal(Problem::line(
                                line,
                                ProblemKind::Limit,
                                self.limits.too_many_rows_message(),
                            ));
                        }
                    }
                    return Step::Record(line);
                }
                Err(error) => {
                    self.done = true;
                    let refused_at = match error.kind() {
                        csv::ErrorKind::Io(io) if refusal_of(io).is_some() => {
                            Some(self.csv.get_ref().inner.record_line)
                        }
                        _ => None,
                    };
                    let line = match (refused_at, error.position()) {
                        (Some(text_line), _) => text_line.saturating_sub(self.breaks_inside_cells),
                        (None, Some(p)) => self
                            .csv
                            .get_mut()
                            .line_of(p.byte())
                            .saturating_sub(self.breaks_inside_cells),
                        (None, None) => self.last_line + 1,
                    };
                    let problem = match error.into_kind() {
                        csv::ErrorKind::Io(io) => io_problem(line, &io, &self.limits),
                        other => Problem::line(
                            line,
                            ProblemKind::Unreadable,
                            da!("linjen kan ikke læses: {other:?}"),
                        ),
                    };
                    return Step::Fatal(problem);
                }
            }
        }
    }

    /// The header row's cells as text, or the file's problem.
    pub(crate) fn header(
        &mut self,
        file: &str,
        what: &str,
    ) -> Result<(u64, Vec<String>), IngestError> {
        match self.next_header() {
            Step::Record(line) if self.record.len() > MAX_COLUMNS => Err(IngestError::one(
                file,
                Problem::line(
                    line,
                    ProblemKind::Limit,
                    too_many_columns(self.record.len()),
                ),
            )),
            Step::Record(line) => Ok((
                line,
                self.record
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).trim().to_owned())
                    .collect(),
            )),
            Step::End => Err(IngestError::one(
                file,
                Problem::line(
                    1,
                    ProblemKind::Unreadable,
                    da!("filen er tom. Forventede en overskrift med {what}"),
                ),
            )),
            Step::Fatal(problem) => Err(IngestError::one(file, problem)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn blank_lines_are_remembered_as_one_run_and_still_counted() {
        // Two million line ends, no record among them: one run, not two million marks.
        let text = [&b"\r\n".repeat(1_000_000)[..], b"x;y\n"].concat();
        let mut counter = LineCounter::new(&text[..]);
        let mut sink = Vec::new();
        counter.read_to_end(&mut sink).unwrap();
        assert_eq!(
            counter.runs_kept(),
            2,
            "the blank lines and the last line end"
        );
        assert_eq!(counter.line_of(1), 1_000_001);
        assert_eq!(counter.line_of(2_000_000), 1_000_001);
        assert_eq!(counter.line_of(2_000_004), 1_000_002);
    }
}
