//! Reading a codebook workbook (XLSX) row by row, every call into the parser guarded.

use super::*;
use komhen_domain::{da, dl};

/// Runs a call into the workbook parser, turning a panic into an error: a
/// hostile or broken upload must not bring down the server (calamine 0.38
/// overflows on absurd cell references; see `tests/data/fuzz/`).
pub(super) fn guarded<T>(call: impl FnOnce() -> T) -> Result<T, &'static str> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call))
        .map_err(|_| dl!("projektmappen er beskadiget"))
}

/// A codebook XLSX workbook; its rows come from the first sheet.
pub struct CodebookWorkbook<RS: Read + Seek> {
    pub(super) book: calamine::Xlsx<RS>,
    pub(super) sheet: String,
    pub(super) limits: Limits,
}

pub(super) fn unreadable_workbook(error: impl std::fmt::Display) -> IngestError {
    IngestError::one(
        FILE,
        Problem::line(
            1,
            ProblemKind::Unreadable,
            da!("filen kan ikke læses som Excel-projektmappe (.xlsx): {error}"),
        ),
    )
}

impl<RS: Read + Seek> CodebookWorkbook<RS> {
    /// Opens the workbook (a zip file needs seeking, so not a plain stream).
    pub fn open(mut read: RS, limits: Limits) -> Result<Self, IngestError> {
        let size = read
            .seek(std::io::SeekFrom::End(0))
            .and_then(|size| read.rewind().map(|()| size))
            .map_err(unreadable_workbook)?;
        if size > limits.max_bytes {
            return Err(IngestError::one(
                FILE,
                Problem::line(1, ProblemKind::Limit, limits.too_large_message()),
            ));
        }
        crate::workbook::check(&mut read).map_err(|problem| IngestError::one(FILE, problem))?;
        let book: calamine::Xlsx<RS> = guarded(|| calamine::Reader::new(read))
            .map_err(unreadable_workbook)?
            .map_err(unreadable_workbook)?;
        let sheet = calamine::Reader::sheet_names(&book)
            .first()
            .cloned()
            .ok_or_else(|| unreadable_workbook(dl!("projektmappen har ingen ark")))?;
        Ok(Self {
            book,
            sheet,
            limits,
        })
    }

    /// The first sheet's rows; reads and checks the header row first.
    pub fn rows(&mut self) -> Result<CodebookXlsxRows<'_, RS>, IngestError> {
        let (book, sheet) = (&mut self.book, &self.sheet);
        let cells = guarded(|| book.worksheet_cells_reader(sheet))
            .map_err(unreadable_workbook)?
            .map_err(unreadable_workbook)?;
        let mut rows = CodebookXlsxRows {
            cells,
            lookahead: None,
            cells_done: false,
            parser: None,
            columns: Vec::new(),
            texts: Vec::new(),
            record: ByteRecord::new(),
            rows: 0,
            last_line: 1,
            limits: self.limits,
            done: false,
        };
        let header = match rows.next_record() {
            Ok(Some(line)) if rows.texts.len() > crate::limits::MAX_COLUMNS => {
                return Err(IngestError::one(
                    FILE,
                    Problem::line(
                        line,
                        ProblemKind::Limit,
                        crate::limits::too_many_columns(rows.texts.len()),
                    ),
                ))
            }
            Ok(Some(line)) => {
                let headers: Vec<String> = rows.texts.iter().map(|t| t.trim().to_owned()).collect();
                HeaderMap::resolve(&headers, &SPECS, line)
                    .map_err(|problems| IngestError::new(FILE, problems))?
            }
            Ok(None) => {
                return Err(IngestError::one(
                    FILE,
                    Problem::line(
                        1,
                        ProblemKind::Unreadable,
                        da!(
                            "første ark er tomt. Forventede en overskrift med {}",
                            expected_columns()
                        ),
                    ),
                ))
            }
            Err(problem) => return Err(IngestError::one(FILE, problem)),
        };
        let mut columns = vec![None; header.width];
        for (spec, position) in COLUMNS.iter().zip(&header.positions) {
            if let Some(p) = position {
                columns[*p] = Some(spec.column);
            }
        }
        rows.columns = columns;
        rows.parser = Some(RowParser::new(header));
        Ok(rows)
    }
}

/// The rows of a codebook workbook's first sheet, read cell by cell.
pub struct CodebookXlsxRows<'a, RS: Read + Seek> {
    pub(super) cells: calamine::XlsxCellReader<'a, RS>,
    pub(super) lookahead: Option<(u32, u32, String)>,
    pub(super) cells_done: bool,
    pub(super) parser: Option<RowParser>,
    /// Per sheet column, the codebook column it holds.
    pub(super) columns: Vec<Option<CodebookColumn>>,
    pub(super) texts: Vec<String>,
    pub(super) record: ByteRecord,
    pub(super) rows: u64,
    pub(super) last_line: u64,
    pub(super) limits: Limits,
    pub(super) done: bool,
}

impl<RS: Read + Seek> CodebookXlsxRows<'_, RS> {
    pub(super) fn next_cell(&mut self) -> Result<Option<(u32, u32, String)>, Problem> {
        if let Some(cell) = self.lookahead.take() {
            return Ok(Some(cell));
        }
        if self.cells_done {
            return Ok(None);
        }
        let columns = &self.columns;
        let cells = &mut self.cells;
        let next = guarded(|| {
            cells.next_cell().map(|cell| {
                cell.map(|cell| {
                    let (row, col) = cell.get_position();
                    let column = columns.get(col as usize).copied().flatten();
                    (row, col, cell_text(cell.get_value(), column))
                })
            })
        })
        .map_err(|e| e.to_string())
        .and_then(|next| next.map_err(|e| e.to_string()));
        match next {
            Ok(Some(cell)) => Ok(Some(cell)),
            Ok(None) => {
                self.cells_done = true;
                Ok(None)
            }
            Err(e) => {
                self.cells_done = true;
                Err(Problem::line(
                    self.last_line,
                    ProblemKind::Unreadable,
                    da!("arket kan ikke læses færdig: {e}"),
                ))
            }
        }
    }

    /// Gathers the next row with a non-blank cell into `texts` and
    /// `record`; returns its line.
    pub(super) fn next_record(&mut self) -> Result<Option<u64>, Problem> {
        loop {
            let Some((row, col, text)) = self.next_cell()? else {
                return Ok(None);
            };
            self.texts.iter_mut().for_each(String::clear);
            // A cell's column makes room for every column before it, so a
            // column past the limit is refused before any room is made.
            let put = |texts: &mut Vec<String>, col: u32, text: String| {
                let col = col as usize;
                if col >= crate::limits::MAX_COLUMNS {
                    return Err(Problem::line(
                        u64::from(row) + 1,
                        ProblemKind::Limit,
                        crate::limits::column_beyond_limit(col as u64),
                    ));
                }
                if texts.len() <= col {
                    texts.resize(col + 1, String::new());
                }
                texts[col] = text;
                Ok(())
            };
            put(&mut self.texts, col, text)?;
            loop {
                match self.next_cell()? {
                    Some((r, c, t)) if r == row => put(&mut self.texts, c, t)?,
                    Some(other) => {
                        self.lookahead = Some(other);
                        break;
                    }
                    None => break,
                }
            }
            if self.texts.iter().all(|t| t.trim().is_empty()) {
                continue;
            }
            self.record.clear();
            for text in &self.texts {
                self.record.push_field(text.as_bytes());
            }
            self.last_line = u64::from(row) + 1;
            return Ok(Some(self.last_line));
        }
    }
}

impl<RS: Read + Seek> Iterator for CodebookXlsxRows<'_, RS> {
    type Item = Result<CodebookRow, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_record() {
            Ok(Some(line)) => {
                self.rows += 1;
                if self.rows > self.limits.max_rows {
                    self.done = true;
                    return Some(Err(vec![Problem::line(
                        line,
                        ProblemKind::Limit,
                        self.limits.too_many_rows_message(),
                    )]));
                }
                let parser = self.parser.as_mut()?;
                Some(parser.parse(line, &self.record))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(problem) => {
                self.done = true;
                Some(Err(vec![problem]))
            }
        }
    }
}

impl<RS: Read + Seek> CodebookRows for CodebookXlsxRows<'_, RS> {
    fn extra_headers(&self) -> &[String] {
        self.parser.as_ref().map_or(&[], |p| &p.extra_headers)
    }

    fn failed_row(&self) -> &PartialRow {
        const NONE: &PartialRow = &PartialRow {
            municipality: None,
            unit_login: None,
            task: None,
            channel: None,
            channel_written: None,
        };
        self.parser.as_ref().map_or(NONE, |p| &p.failed)
    }
}

/// A spreadsheet cell as the text the CSV path would have read.
pub(super) fn cell_text(value: &calamine::DataRef<'_>, column: Option<CodebookColumn>) -> String {
    use calamine::DataRef as D;
    match value {
        D::Empty => String::new(),
        D::String(s) => s.clone(),
        D::SharedString(s) => (*s).to_owned(),
        D::Int(i) => i.to_string(),
        D::Float(f) => float_text(*f, column),
        D::Bool(b) => if *b { "JA" } else { "NEJ" }.to_owned(),
        D::DateTime(dt) => {
            if column == Some(CodebookColumn::Duration) {
                return float_text(dt.as_f64() * 86_400.0, column);
            }
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            // Excel stores times as fractions of a day; round to the second.
            let total =
                u32::from(h) * 3600 + u32::from(mi) * 60 + u32::from(s) + u32::from(ms >= 500);
            let (h, mi, s) = (total / 3600, total / 60 % 60, total % 60);
            if dt.as_f64() < 1.0 || column == Some(CodebookColumn::Time) {
                format!("{h:02}:{mi:02}:{s:02}")
            } else if total == 0 {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        D::DateTimeIso(s) | D::DurationIso(s) => s.clone(),
        D::Error(e) => format!("#{e:?}"),
    }
}

pub(super) fn float_text(f: f64, column: Option<CodebookColumn>) -> String {
    // A group code typed as a number (15.20) arrives as 15.2.
    if column == Some(CodebookColumn::Task) && (0.0..100.0).contains(&f) {
        return format!("{f:05.2}");
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}
