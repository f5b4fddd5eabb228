//! The codebook: komhen's upload format, one row per inquiry (or per
//! counted group of inquiries with `Antal`), as CSV or XLSX.
//!
//! Owns the column list (one place, [`COLUMNS`], shared by reader and
//! template writer), the rules of each cell, and turning a row into a
//! [`CodebookRow`] of domain values or every problem of that row. Must not
//! look anything up: whether the unit login exists, the channel is in the
//! catalogue or the task is assigned to the unit is decided in `core`.
//! [`CodebookCells`] applies the same rules to rows that arrive cell by
//! cell instead of in a file (the JSON API).
//!
//! Rules of the cells, as the coordinator's guide says them:
//! - headers match case-insensitively, ignoring surrounding spaces; the old
//!   national template's names are aliases (`KommuneID`, `KLE Opgave kode`,
//!   `Henvendelses Kanal`, `Henvendelses type`); any other column is an
//!   *extra* column returned by name for the caller to judge;
//! - `Kommune`, `Opgave`, `Kanal`, `Dato` are required; `Enhed`, `Type`,
//!   `Afslutning`, `Blanket` may be empty or `NULL` (= none);
//! - `Dato` is `DD-MM-YYYY`, `DD.MM.YYYY` or `YYYY-MM-DD`, optionally with
//!   ` HH:MM` or ` HH:MM:SS`, in Danish local time. `Tidspunkt`
//!   (`HH:MM[:SS]`) gives the time separately. When both give a time they
//!   must agree, except that a `Dato` time of exactly midnight counts as no
//!   time (spreadsheets add `00:00` to a date), so `Tidspunkt` gives it.
//!   With no time at all the inquiry is at midnight. A time that does not
//!   exist in Denmark (the hour skipped in spring) is a problem; in the
//!   autumn hour that occurs twice, the first is meant.
//! - `Antal` is a positive whole number, default 1, thousands dots allowed
//!   (`1.234`), decimals refused; `Varighed` is the registration's duration
//!   in seconds, decimal comma allowed (`12,5`).

use crate::cell::{
    is_null, parse_date_time, parse_grouped, parse_seconds_ms, parse_time, shown, trim, ClockTime,
    DanishClock,
};
use crate::codes::{self, CellProblem};
use crate::header::{ColumnSpec, HeaderMap};
use crate::limits::Limits;
use crate::records::{RecordStream, Step};
use crate::text::{neutralise, unneutralise, TextEncoding};
use crate::{IngestError, Problem, ProblemKind};
use chrono::{DateTime, Utc};
use csv::ByteRecord;
use komhen_domain::registration::MAX_QUANTITY;
use komhen_domain::{
    danish_local, ChannelCode, Completion, InquiryType, KleNumber, MunicipalityCode,
};
use std::io::{Read, Seek, Write};

const FILE: &str = "kodebogsfilen";

/// A column of the codebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodebookColumn {
    Municipality,
    Unit,
    Task,
    Channel,
    InquiryType,
    Completion,
    Form,
    Date,
    Time,
    Quantity,
    Duration,
}

/// How the codebook writes and reads one column.
#[derive(Debug, Clone, Copy)]
pub struct CodebookColumnSpec {
    pub column: CodebookColumn,
    /// The header komhen writes.
    pub header: &'static str,
    /// Other headers accepted (the old national upload template's).
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// The template's example value.
    pub example: &'static str,
    /// Column width in the XLSX template, in characters.
    pub width: f64,
    /// What goes in the column, in Danish, for guides and the template.
    pub description_da: &'static str,
}

/// The codebook's columns, in the order the template writes them.
pub const COLUMNS: [CodebookColumnSpec; 11] = [
    CodebookColumnSpec {
        column: CodebookColumn::Municipality,
        header: "Kommune",
        aliases: &["KommuneID"],
        required: true,
        example: "259",
        width: 9.0,
        description_da: "Kommunekode, tre cifre (fx 259 for Køge)",
    },
    CodebookColumnSpec {
        column: CodebookColumn::Unit,
        header: "Enhed",
        aliases: &[],
        required: false,
        example: "259sek",
        width: 12.0,
        description_da: "Enhedens login (fx 259sek); tom eller NULL = ingen enhed",
    },
    CodebookColumnSpec {
        column: CodebookColumn::Task,
        header: "Opgave",
        aliases: &["KLE Opgave kode"],
        required: true,
        example: "27.24.00",
        width: 10.0,
        description_da: "KLE-nummer (27.24.00), KLE-gruppe (15.20) eller KOMHEN-kode (29.03.99)",
    },
    CodebookColumnSpec {
        column: CodebookColumn::Channel,
        header: "Kanal",
        aliases: &["Henvendelses Kanal"],
        required: true,
        example: "TLFIND",
        width: 10.0,
        description_da: "Kanalkode med retning, fx TLFIND, PRSNLG, EMLIND, DOKUD, WEB",
    },
    CodebookColumnSpec {
        column: CodebookColumn::InquiryType,
        header: "Type",
        aliases: &["Henvendelses type"],
        required: false,
        example: "VEJL",
        width: 9.0,
        description_da: "OPRET, INFO, STATUS, VEJL, SLVBTJN eller FEJL; tom eller NULL = ingen",
    },
    CodebookColumnSpec {
        column: CodebookColumn::Completion,
        header: "Afslutning",
        aliases: &[],
        required: false,
        example: "STRAKS",
        width: 11.0,
        description_da: "STRAKS eller HOLD; tom eller NULL = ingen",
    },
    CodebookColumnSpec {
        column: CodebookColumn::Form,
        header: "Blanket",
        aliases: &[],
        required: false,
        example: "NEJ",
        width: 9.0,
        description_da: "JA eller NEJ; tom eller NULL = ingen",
    },
    CodebookColumnSpec {
        column: CodebookColumn::Date,
        header: "Dato",
        aliases: &[],
        required: true,
        example: "21-10-2025",
        width: 12.0,
        description_da: "DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD, evt. med TT:MM[:SS], dansk tid",
    },
    CodebookColumnSpec {
        column: CodebookColumn::Time,
        header: "Tidspunkt",
        aliases: &[],
        required: false,
        example: "10:15",
        width: 10.0,
        description_da: "TT:MM eller TT:MM:SS, dansk tid (kan udelades)",
    },
    CodebookColumnSpec {
        column: CodebookColumn::Quantity,
        header: "Antal",
        aliases: &[],
        required: false,
        example: "1",
        width: 8.0,
        description_da: "Antal henvendelser rækken står for; helt tal, standard 1",
    },
    CodebookColumnSpec {
        column: CodebookColumn::Duration,
        header: "Varighed",
        aliases: &[],
        required: false,
        example: "12,5",
        width: 10.0,
        description_da: "Registreringens varighed i sekunder, decimalkomma tilladt (kan udelades)",
    },
];

const fn header_specs() -> [ColumnSpec; 11] {
    let mut specs = [ColumnSpec {
        name: "",
        aliases: &[],
        required: false,
    }; 11];
    let mut i = 0;
    while i < COLUMNS.len() {
        specs[i] = ColumnSpec {
            name: COLUMNS[i].header,
            aliases: COLUMNS[i].aliases,
            required: COLUMNS[i].required,
        };
        i += 1;
    }
    specs
}

const SPECS: [ColumnSpec; 11] = header_specs();

/// One row of a codebook file.
#[derive(Debug, Clone, PartialEq)]
pub struct CodebookRow {
    /// The line (row) in the file, header = 1.
    pub line: u64,
    pub municipality: MunicipalityCode,
    pub unit_login: Option<String>,
    pub task: KleNumber,
    pub channel: ChannelCode,
    pub inquiry_type: Option<InquiryType>,
    pub completion: Option<Completion>,
    pub has_form: Option<bool>,
    pub registered_at: DateTime<Utc>,
    pub quantity: i64,
    pub duration_ms: Option<i64>,
    /// The extra columns' values, by index into `extra_headers()`.
    pub extra: Vec<String>,
}

/// What a row that failed could still be read as: the cells that parsed,
/// so the caller can check them too (an unknown unit on a line whose date
/// is also wrong is reported at once, not after the date is fixed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartialRow {
    pub municipality: Option<MunicipalityCode>,
    pub unit_login: Option<String>,
    pub task: Option<KleNumber>,
    pub channel: Option<ChannelCode>,
}

/// Rows of a codebook file, CSV or XLSX alike.
pub trait CodebookRows: Iterator<Item = Result<CodebookRow, Vec<Problem>>> {
    /// The headers of the columns the codebook does not know, in file order.
    fn extra_headers(&self) -> &[String];

    /// The readable cells of the last row that came back with problems.
    fn failed_row(&self) -> &PartialRow;
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Delimited text.
    Csv,
    /// An Office Open XML workbook (a zip file).
    Xlsx,
    /// The old binary Excel format, which komhen does not read.
    Xls,
}

/// Tells CSV from XLSX by content (the zip signature `PK\x03\x04`), never
/// by file name. Four bytes are enough.
pub fn detect_format(head: &[u8]) -> FileFormat {
    if head.starts_with(b"PK\x03\x04") {
        FileFormat::Xlsx
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        FileFormat::Xls
    } else {
        FileFormat::Csv
    }
}

/// The problem for an old `.xls` workbook.
pub fn xls_problem() -> Problem {
    Problem::line(
        1,
        ProblemKind::Unreadable,
        "filen er i det gamle Excel-format (.xls). Gem den som .xlsx eller CSV og prøv igen",
    )
}

// ---------------------------------------------------------------------------
// Parsing one row

/// Values read in a column and the bytes they came from: rows of one file
/// repeat a few municipalities, units, tasks and channels, so most cells
/// are a comparison instead of a parse (and no validation allocates).
struct Remembered<T> {
    entries: Vec<(Vec<u8>, T)>,
    last_hit: usize,
    next_evicted: usize,
}

/// How many distinct values a column remembers.
const REMEMBERED: usize = 32;

impl<T: Clone> Remembered<T> {
    fn new() -> Self {
        Self {
            entries: Vec::new(),
            last_hit: 0,
            next_evicted: 0,
        }
    }

    fn get_or(
        &mut self,
        bytes: &[u8],
        parse: impl FnOnce(&[u8]) -> Result<T, CellProblem>,
    ) -> Result<T, CellProblem> {
        if let Some((key, value)) = self.entries.get(self.last_hit) {
            if key == bytes {
                return Ok(value.clone());
            }
        }
        if let Some(i) = self.entries.iter().position(|(key, _)| key == bytes) {
            self.last_hit = i;
            return Ok(self.entries[i].1.clone());
        }
        let value = parse(bytes)?;
        let entry = (bytes.to_vec(), value.clone());
        if self.entries.len() < REMEMBERED {
            self.entries.push(entry);
            self.last_hit = self.entries.len() - 1;
        } else {
            self.entries[self.next_evicted] = entry;
            self.last_hit = self.next_evicted;
            self.next_evicted = (self.next_evicted + 1) % REMEMBERED;
        }
        Ok(value)
    }
}

struct RowParser {
    header: HeaderMap,
    extra_headers: Vec<String>,
    clock: DanishClock,
    municipality: Remembered<MunicipalityCode>,
    unit: Remembered<String>,
    task: Remembered<KleNumber>,
    channel: Remembered<ChannelCode>,
    /// The readable cells of the last row that failed.
    failed: PartialRow,
}

impl RowParser {
    fn new(header: HeaderMap) -> Self {
        Self {
            extra_headers: header
                .extra_headers()
                .iter()
                .map(|h| unneutralise(h).to_owned())
                .collect(),
            header,
            clock: DanishClock::default(),
            municipality: Remembered::new(),
            unit: Remembered::new(),
            task: Remembered::new(),
            channel: Remembered::new(),
            failed: PartialRow::default(),
        }
    }

    fn cell<'r>(&self, record: &'r ByteRecord, column: CodebookColumn) -> &'r [u8] {
        self.header.positions[column as usize]
            .and_then(|i| record.get(i))
            .map_or(&b""[..], trim)
    }

    fn name(&self, column: CodebookColumn) -> &str {
        &self.header.names[column as usize]
    }

    fn problem(
        &self,
        line: u64,
        column: CodebookColumn,
        kind: ProblemKind,
        message: String,
    ) -> Problem {
        Problem::cell(line, self.name(column), kind, message)
    }

    /// Parses one coded cell; a failure becomes a problem of this row.
    fn code<T>(
        &mut self,
        line: u64,
        record: &ByteRecord,
        column: CodebookColumn,
        problems: &mut Vec<Problem>,
        parse: impl FnOnce(&mut Self, &[u8]) -> Result<T, CellProblem>,
    ) -> Option<T> {
        let bytes = self.cell(record, column);
        match parse(self, bytes) {
            Ok(value) => Some(value),
            Err((kind, message)) => {
                problems.push(self.problem(line, column, kind, message));
                None
            }
        }
    }

    fn parse(&mut self, line: u64, record: &ByteRecord) -> Result<CodebookRow, Vec<Problem>> {
        use CodebookColumn as C;
        let mut problems = self.header.stray_values(line, record);

        let municipality = self.code(line, record, C::Municipality, &mut problems, |p, b| {
            p.municipality.get_or(b, codes::municipality)
        });
        let unit_login = self
            .code(line, record, C::Unit, &mut problems, |p, b| {
                if is_null(b) {
                    return Ok(None);
                }
                p.unit
                    .get_or(b, |b| codes::unit(b).map(|u| u.unwrap_or_default()))
                    .map(Some)
            })
            .flatten();
        let task = self.code(line, record, C::Task, &mut problems, |p, b| {
            p.task.get_or(b, codes::task)
        });
        let channel = self.code(line, record, C::Channel, &mut problems, |p, b| {
            p.channel.get_or(b, codes::channel)
        });
        let inquiry_type = self
            .code(line, record, C::InquiryType, &mut problems, |_, b| {
                codes::inquiry_type(b)
            })
            .flatten();
        let completion = self
            .code(line, record, C::Completion, &mut problems, |_, b| {
                codes::completion(b)
            })
            .flatten();
        let has_form = self
            .code(line, record, C::Form, &mut problems, |_, b| codes::form(b))
            .flatten();

        let registered_at = self.registered_at(line, record, &mut problems);

        let bytes = self.cell(record, C::Quantity);
        let quantity = if bytes.is_empty() {
            Some(1)
        } else {
            match parse_grouped(bytes).and_then(|n| i64::try_from(n).ok()) {
                Some(n) if (1..=MAX_QUANTITY).contains(&n) => Some(n),
                _ => {
                    problems.push(self.problem(
                        line,
                        C::Quantity,
                        ProblemKind::Invalid,
                        format!(
                            "ugyldigt antal «{}». Forventede et helt tal fra 1 til 100.000.000 \
                             uden decimaler, fx 1, 25 eller 1.234",
                            shown(bytes)
                        ),
                    ));
                    None
                }
            }
        };

        let bytes = self.cell(record, C::Duration);
        let duration_ms = if bytes.is_empty() {
            None
        } else {
            match parse_seconds_ms(bytes) {
                Some(ms) if ms <= 86_400_000 => Some(ms),
                _ => {
                    problems.push(self.problem(
                        line,
                        C::Duration,
                        ProblemKind::Invalid,
                        format!(
                            "ugyldig varighed «{}». Forventede sekunder fra 0 til 86.400, \
                             decimalkomma tilladt, fx 12 eller 12,5",
                            shown(bytes)
                        ),
                    ));
                    None
                }
            }
        };

        let mut extra = Vec::with_capacity(self.header.extras.len());
        for (index, header) in &self.header.extras {
            let bytes = record.get(*index).map_or(&b""[..], trim);
            match std::str::from_utf8(bytes) {
                Ok(text) => extra.push(unneutralise(text).to_owned()),
                Err(_) => problems.push(Problem::cell(
                    line,
                    header.clone(),
                    ProblemKind::Invalid,
                    format!("værdien «{}» har tegn, der ikke kan læses", shown(bytes)),
                )),
            }
        }

        match (municipality, task, channel, registered_at, quantity) {
            (
                Some(municipality),
                Some(task),
                Some(channel),
                Some(registered_at),
                Some(quantity),
            ) if problems.is_empty() => Ok(CodebookRow {
                line,
                municipality,
                unit_login,
                task,
                channel,
                inquiry_type,
                completion,
                has_form,
                registered_at,
                quantity,
                duration_ms,
                extra,
            }),
            (municipality, task, channel, _, _) => {
                self.failed = PartialRow {
                    municipality,
                    unit_login,
                    task,
                    channel,
                };
                Err(problems)
            }
        }
    }

    fn registered_at(
        &mut self,
        line: u64,
        record: &ByteRecord,
        problems: &mut Vec<Problem>,
    ) -> Option<DateTime<Utc>> {
        use CodebookColumn as C;
        let date_bytes = self.cell(record, C::Date);
        let time_bytes = self.cell(record, C::Time);
        let date = if date_bytes.is_empty() {
            problems.push(self.problem(
                line,
                C::Date,
                ProblemKind::Empty,
                "datoen mangler. Forventede DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD".into(),
            ));
            None
        } else {
            let parsed = parse_date_time(date_bytes);
            if parsed.is_none() {
                problems.push(self.problem(
                    line,
                    C::Date,
                    ProblemKind::Invalid,
                    format!(
                        "ugyldig dato «{}». Forventede DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD, \
                         evt. efterfulgt af TT:MM eller TT:MM:SS",
                        shown(date_bytes)
                    ),
                ));
            }
            parsed
        };
        let time = if time_bytes.is_empty() {
            Some(None)
        } else {
            match parse_time(time_bytes) {
                Some(t) => Some(Some(t)),
                None => {
                    problems.push(self.problem(
                        line,
                        C::Time,
                        ProblemKind::Invalid,
                        format!(
                            "ugyldigt tidspunkt «{}». Forventede TT:MM eller TT:MM:SS, fx 10:15",
                            shown(time_bytes)
                        ),
                    ));
                    None
                }
            }
        };
        let ((date, date_time), time) = (date?, time?);
        let (time, from) = match (date_time, time) {
            (None, None) => (ClockTime::MIDNIGHT, C::Date),
            (Some(t), None) => (t, C::Date),
            (None, Some(t)) => (t, C::Time),
            (Some(d), Some(t)) if d == ClockTime::MIDNIGHT || d == t => (t, C::Time),
            (Some(d), Some(t)) => {
                problems.push(self.problem(
                    line,
                    C::Time,
                    ProblemKind::Conflict,
                    format!(
                        "«{}» har klokkeslættet {d}, men «{}» siger {t}. \
                         Angiv klokkeslættet ét sted, eller gør dem ens",
                        self.name(C::Date),
                        self.name(C::Time)
                    ),
                ));
                return None;
            }
        };
        let at = self.clock.instant(date, time);
        if at.is_none() {
            problems.push(self.problem(
                line,
                from,
                ProblemKind::NonexistentTime,
                format!(
                    "klokkeslættet {time} den {} findes ikke i dansk tid: uret stilles en time \
                     frem ved overgangen til sommertid",
                    date.format("%d-%m-%Y")
                ),
            ));
        }
        at
    }
}

// ---------------------------------------------------------------------------
// CSV

/// Reads a codebook CSV file row by row, at constant memory.
pub struct CodebookReader<R: Read> {
    stream: RecordStream<R>,
    parser: RowParser,
}

impl<R: Read> CodebookReader<R> {
    /// Reads and checks the header with the default [`Limits`].
    pub fn new(read: R) -> Result<Self, IngestError> {
        Self::with_limits(read, Limits::default())
    }

    /// Reads and checks the header; every missing or doubled column is reported.
    pub fn with_limits(read: R, limits: Limits) -> Result<Self, IngestError> {
        let mut stream = RecordStream::open(FILE, read, limits, b';')?;
        let (line, headers) = stream.header(FILE, &expected_columns())?;
        let header = HeaderMap::resolve(&headers, &SPECS, line)
            .map_err(|problems| IngestError::new(FILE, problems))?;
        Ok(Self {
            stream,
            parser: RowParser::new(header),
        })
    }

    /// The headers of the columns the codebook does not know, in file order.
    pub fn extra_headers(&self) -> &[String] {
        &self.parser.extra_headers
    }

    /// The encoding the file is read in (see [`TextEncoding`]).
    pub fn encoding(&self) -> TextEncoding {
        self.stream.encoding()
    }

    /// The separator found in the header line.
    pub fn delimiter(&self) -> u8 {
        self.stream.delimiter()
    }
}

fn expected_columns() -> String {
    let names: Vec<&str> = COLUMNS.iter().map(|c| c.header).collect();
    format!("kolonnerne {}", names.join(";"))
}

impl<R: Read> Iterator for CodebookReader<R> {
    type Item = Result<CodebookRow, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.stream.next_row() {
            Step::Record(line) => Some(self.parser.parse(line, &self.stream.record)),
            Step::End => None,
            Step::Fatal(problem) => Some(Err(vec![problem])),
        }
    }
}

impl<R: Read> CodebookRows for CodebookReader<R> {
    fn extra_headers(&self) -> &[String] {
        CodebookReader::extra_headers(self)
    }

    fn failed_row(&self) -> &PartialRow {
        &self.parser.failed
    }
}

// ---------------------------------------------------------------------------
// XLSX

/// Runs a call into the workbook parser, turning a panic into an error: a
/// hostile or broken upload must not bring down the server (calamine 0.38
/// overflows on absurd cell references; see `tests/data/fuzz/`).
fn guarded<T>(call: impl FnOnce() -> T) -> Result<T, &'static str> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call))
        .map_err(|_| "projektmappen er beskadiget")
}

/// A codebook XLSX workbook; its rows come from the first sheet.
pub struct CodebookWorkbook<RS: Read + Seek> {
    book: calamine::Xlsx<RS>,
    sheet: String,
    limits: Limits,
}

fn unreadable_workbook(error: impl std::fmt::Display) -> IngestError {
    IngestError::one(
        FILE,
        Problem::line(
            1,
            ProblemKind::Unreadable,
            format!("filen kan ikke læses som Excel-projektmappe (.xlsx): {error}"),
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
        let book: calamine::Xlsx<RS> = guarded(|| calamine::Reader::new(read))
            .map_err(unreadable_workbook)?
            .map_err(unreadable_workbook)?;
        let sheet = calamine::Reader::sheet_names(&book)
            .first()
            .cloned()
            .ok_or_else(|| unreadable_workbook("projektmappen har ingen ark"))?;
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
                        format!(
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
    cells: calamine::XlsxCellReader<'a, RS>,
    lookahead: Option<(u32, u32, String)>,
    cells_done: bool,
    parser: Option<RowParser>,
    /// Per sheet column, the codebook column it holds.
    columns: Vec<Option<CodebookColumn>>,
    texts: Vec<String>,
    record: ByteRecord,
    rows: u64,
    last_line: u64,
    limits: Limits,
    done: bool,
}

impl<RS: Read + Seek> CodebookXlsxRows<'_, RS> {
    fn next_cell(&mut self) -> Result<Option<(u32, u32, String)>, Problem> {
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
                    format!("arket kan ikke læses færdig: {e}"),
                ))
            }
        }
    }

    /// Gathers the next row with a non-blank cell into `texts` and
    /// `record`; returns its line.
    fn next_record(&mut self) -> Result<Option<u64>, Problem> {
        loop {
            let Some((row, col, text)) = self.next_cell()? else {
                return Ok(None);
            };
            self.texts.iter_mut().for_each(String::clear);
            let put = |texts: &mut Vec<String>, col: u32, text: String| {
                let col = col as usize;
                if texts.len() <= col {
                    texts.resize(col + 1, String::new());
                }
                texts[col] = text;
            };
            put(&mut self.texts, col, text);
            loop {
                match self.next_cell()? {
                    Some((r, c, t)) if r == row => put(&mut self.texts, c, t),
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
        };
        self.parser.as_ref().map_or(NONE, |p| &p.failed)
    }
}

/// A spreadsheet cell as the text the CSV path would have read.
fn cell_text(value: &calamine::DataRef<'_>, column: Option<CodebookColumn>) -> String {
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

fn float_text(f: f64, column: Option<CodebookColumn>) -> String {
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

// ---------------------------------------------------------------------------
// Writing

/// The cells of a row as the codebook writes them (local date, time).
fn row_cells(row: &CodebookRow) -> [String; 11] {
    let local = danish_local(row.registered_at);
    let time = local.time();
    let time_text = if chrono::Timelike::second(&time) == 0 {
        time.format("%H:%M").to_string()
    } else {
        time.format("%H:%M:%S").to_string()
    };
    [
        row.municipality.to_string(),
        row.unit_login.clone().unwrap_or_default(),
        row.task.to_string(),
        row.channel.to_string(),
        row.inquiry_type
            .map(|t| t.code().to_owned())
            .unwrap_or_default(),
        row.completion
            .map(|c| c.code().to_owned())
            .unwrap_or_default(),
        match row.has_form {
            Some(true) => "JA".to_owned(),
            Some(false) => "NEJ".to_owned(),
            None => String::new(),
        },
        local.date().format("%d-%m-%Y").to_string(),
        time_text,
        row.quantity.to_string(),
        row.duration_ms.map(seconds_text).unwrap_or_default(),
    ]
}

/// Milliseconds as seconds with a decimal comma and no trailing zeros.
fn seconds_text(ms: i64) -> String {
    let (whole, fraction) = (ms / 1000, ms % 1000);
    if fraction == 0 {
        whole.to_string()
    } else {
        let fraction = format!("{fraction:03}");
        format!("{whole},{}", fraction.trim_end_matches('0'))
    }
}

/// Writes codebook rows as CSV: UTF-8 with BOM (so Excel reads æøå), `;`.
/// Text a spreadsheet would run as a formula is neutralised
/// ([`crate::text::neutralise`]); the reader takes that off again.
pub struct CodebookCsvWriter<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> CodebookCsvWriter<W> {
    /// Writes the BOM and the header (the codebook's columns, then `extra_headers`).
    pub fn new(mut write: W, extra_headers: &[String]) -> std::io::Result<Self> {
        write.write_all(&[0xEF, 0xBB, 0xBF])?;
        let mut writer = Self::continuing(write);
        let header = COLUMNS
            .iter()
            .map(|c| c.header)
            .chain(extra_headers.iter().map(String::as_str));
        writer
            .csv
            .write_record(header.map(|h| neutralise(h).into_owned()))?;
        Ok(writer)
    }

    /// A writer of more rows of a file whose BOM and header were written
    /// before (a download streamed in pieces).
    pub fn continuing(write: W) -> Self {
        let csv = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(write);
        Self { csv }
    }

    pub fn write_row(&mut self, row: &CodebookRow) -> std::io::Result<()> {
        let cells = row_cells(row);
        self.csv.write_record(
            cells
                .iter()
                .chain(row.extra.iter())
                .map(|c| neutralise_bytes(c)),
        )?;
        Ok(())
    }

    /// Flushes and hands back the writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.csv
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// [`neutralise`] as bytes, for the `csv` writer.
fn neutralise_bytes(text: &str) -> std::borrow::Cow<'_, [u8]> {
    match neutralise(text) {
        std::borrow::Cow::Borrowed(t) => std::borrow::Cow::Borrowed(t.as_bytes()),
        std::borrow::Cow::Owned(t) => std::borrow::Cow::Owned(t.into_bytes()),
    }
}

/// The template's example row.
fn example_record() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.example).collect()
}

/// The codebook template as CSV: UTF-8 with BOM, `;`, header and one example row.
pub fn template_csv() -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    let line = |cells: Vec<&str>| cells.join(";") + "\r\n";
    out.extend_from_slice(line(COLUMNS.iter().map(|c| c.header).collect()).as_bytes());
    out.extend_from_slice(line(example_record()).as_bytes());
    out
}

fn xlsx_error(error: rust_xlsxwriter::XlsxError) -> IngestError {
    IngestError::one(
        "kodebogsskabelon.xlsx",
        Problem::line(
            1,
            ProblemKind::Unreadable,
            format!("Excel-filen kunne ikke skrives: {error}"),
        ),
    )
}

/// Codebook rows as an XLSX workbook: see [`CodebookSheet`].
pub fn codebook_xlsx(
    rows: &[CodebookRow],
    extra_headers: &[String],
) -> Result<Vec<u8>, IngestError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut writer = CodebookSheet::start(sheet, extra_headers)?;
    for row in rows {
        writer.write_row(sheet, row)?;
    }
    book.save_to_buffer().map_err(xlsx_error)
}

/// The most rows an XLSX sheet holds below its header.
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// Writes codebook rows into a worksheet one at a time, in order (so a
/// worksheet in rust_xlsxwriter's constant-memory mode can take millions):
/// header in bold, frozen, column widths from [`COLUMNS`], `Dato` as a real
/// date cell, `Kommune` and `Antal` as numbers, everything else as text (so
/// `15.20` stays a code, and text a spreadsheet would run is neutralised).
pub struct CodebookSheet {
    next_row: u32,
    date_format: rust_xlsxwriter::Format,
    text_format: rust_xlsxwriter::Format,
}

impl CodebookSheet {
    /// Names the sheet `Henvendelser` and writes the header.
    pub fn start(
        sheet: &mut rust_xlsxwriter::Worksheet,
        extra_headers: &[String],
    ) -> Result<Self, IngestError> {
        use rust_xlsxwriter::Format;
        let bold = Format::new().set_bold();
        sheet.set_name("Henvendelser").map_err(xlsx_error)?;
        for (col, spec) in COLUMNS.iter().enumerate() {
            let col = col as u16;
            sheet
                .set_column_width(col, spec.width)
                .map_err(xlsx_error)?;
            sheet
                .write_string_with_format(0, col, spec.header, &bold)
                .map_err(xlsx_error)?;
        }
        for (i, header) in extra_headers.iter().enumerate() {
            let col = (COLUMNS.len() + i) as u16;
            sheet
                .set_column_width(col, (header.chars().count() as f64).clamp(8.0, 40.0))
                .map_err(xlsx_error)?;
            sheet
                .write_string_with_format(0, col, neutralise(header).as_ref(), &bold)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(Self {
            next_row: 1,
            date_format: Format::new().set_num_format("dd-mm-yyyy"),
            text_format: Format::new().set_num_format("@"),
        })
    }

    /// Writes the next row; refuses one beyond [`XLSX_MAX_ROWS`].
    pub fn write_row(
        &mut self,
        sheet: &mut rust_xlsxwriter::Worksheet,
        row: &CodebookRow,
    ) -> Result<(), IngestError> {
        use rust_xlsxwriter::ExcelDateTime;
        if u64::from(self.next_row) > XLSX_MAX_ROWS {
            return Err(xlsx_full(u64::from(self.next_row) + 1));
        }
        let r = self.next_row;
        let cells = row_cells(row);
        for (col, (spec, text)) in COLUMNS.iter().zip(&cells).enumerate() {
            let col = col as u16;
            match spec.column {
                CodebookColumn::Municipality => {
                    sheet
                        .write_number(r, col, f64::from(row.municipality.get()))
                        .map_err(xlsx_error)?;
                }
                CodebookColumn::Quantity => {
                    sheet
                        .write_number(r, col, row.quantity as f64)
                        .map_err(xlsx_error)?;
                }
                CodebookColumn::Date => {
                    let local = danish_local(row.registered_at).date();
                    let date = ExcelDateTime::from_ymd(
                        u16::try_from(chrono::Datelike::year(&local)).unwrap_or(1900),
                        chrono::Datelike::month(&local) as u8,
                        chrono::Datelike::day(&local) as u8,
                    )
                    .map_err(xlsx_error)?;
                    sheet
                        .write_datetime_with_format(r, col, &date, &self.date_format)
                        .map_err(xlsx_error)?;
                }
                _ if text.is_empty() => {}
                _ => {
                    sheet
                        .write_string_with_format(
                            r,
                            col,
                            neutralise(text).as_ref(),
                            &self.text_format,
                        )
                        .map_err(xlsx_error)?;
                }
            }
        }
        for (i, value) in row.extra.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string(r, (COLUMNS.len() + i) as u16, neutralise(value).as_ref())
                    .map_err(xlsx_error)?;
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// Rows written below the header.
    pub fn rows(&self) -> u64 {
        u64::from(self.next_row - 1)
    }
}

fn xlsx_full(line: u64) -> IngestError {
    IngestError::one(
        "udtræk.xlsx",
        Problem::line(
            line,
            ProblemKind::Limit,
            "et Excel-ark rummer højst 1.048.575 rækker under overskriften. Hent udtrækket \
             som CSV, eller vælg en kortere periode",
        ),
    )
}

/// The codebook template as XLSX: header in bold, one example row, column widths.
pub fn template_xlsx() -> Result<Vec<u8>, IngestError> {
    let template = template_csv();
    let mut rows = CodebookReader::with_limits(&template[..], Limits::none())?;
    let example = match rows.next() {
        Some(Ok(row)) => row,
        _ => {
            return Err(IngestError::one(
                "kodebogsskabelon.xlsx",
                Problem::line(
                    2,
                    ProblemKind::Invalid,
                    "skabelonens eksempel kan ikke læses",
                ),
            ))
        }
    };
    codebook_xlsx(&[example], &[])
}

// ---------------------------------------------------------------------------
// Rows given cell by cell (the JSON API)

/// Checks rows that arrive cell by cell instead of in a file (a system's
/// batch through the JSON API) by exactly the rules of a file's row: each
/// value is read as the text a file's cell would hold.
pub struct CodebookCells {
    parser: RowParser,
    record: ByteRecord,
}

impl CodebookCells {
    /// The checker for rows with these extra columns (question labels or
    /// codes) besides the codebook's own; every problem of those names
    /// (one twice, or one that is a codebook column) when they clash.
    pub fn new(extra_headers: &[String]) -> Result<Self, Vec<Problem>> {
        let headers: Vec<String> = COLUMNS
            .iter()
            .map(|c| c.header.to_owned())
            .chain(extra_headers.iter().cloned())
            .collect();
        let header = HeaderMap::resolve(&headers, &SPECS, 1)?;
        Ok(Self {
            parser: RowParser::new(header),
            record: ByteRecord::new(),
        })
    }

    /// The header each column is named by in problems (`Kanal`, `Dato`).
    pub fn header(column: CodebookColumn) -> &'static str {
        COLUMNS[column as usize].header
    }

    /// One row: `cell` gives each codebook column's text (empty for none),
    /// `extra` the values of the extra columns in the order given to
    /// [`CodebookCells::new`]. Problems name `line` and the column's header.
    pub fn parse(
        &mut self,
        line: u64,
        cell: impl Fn(CodebookColumn) -> String,
        extra: &[String],
    ) -> Result<CodebookRow, Vec<Problem>> {
        self.record.clear();
        for spec in &COLUMNS {
            self.record.push_field(cell(spec.column).as_bytes());
        }
        for value in extra {
            self.record.push_field(value.as_bytes());
        }
        self.parser.parse(line, &self.record)
    }
}
