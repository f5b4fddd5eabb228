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

mod xlsx;
pub use xlsx::*;

mod write;
pub use write::*;

use crate::cell::{
    date_problem, is_null, parse_date_time, parse_grouped, parse_seconds_ms, parse_time, shown,
    trim, ClockTime, DanishClock,
};
use crate::codes::{self, CellProblem};
use crate::header::{ColumnSpec, HeaderMap};
use crate::limits::Limits;
use crate::records::{RecordStream, Step};
use crate::text::{neutralise, unneutralise, TextEncoding};
use crate::{IngestError, Problem, ProblemKind};
use chrono::{DateTime, Utc};
use csv::ByteRecord;
use komhen_domain::registration::{MAX_DURATION_SECONDS, MAX_QUANTITY};
use komhen_domain::{
    da, danish_local, dl, ChannelCode, Completion, InquiryType, KleNumber, MunicipalityCode,
};
use std::io::{Read, Seek, Write};

const FILE: &str = dl!("kodebogsfilen");

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
        description_da: dl!("Kommunekode, tre cifre (fx 259 for Køge)"),
    },
    CodebookColumnSpec {
        column: CodebookColumn::Unit,
        header: "Enhed",
        aliases: &[],
        required: false,
        example: "259sek",
        width: 12.0,
        description_da: dl!("Enhedens login (fx 259sek); tom eller NULL = ingen enhed"),
    },
    CodebookColumnSpec {
        column: CodebookColumn::Task,
        header: "Opgave",
        aliases: &["KLE Opgave kode"],
        required: true,
        example: "27.24.00",
        width: 10.0,
        description_da: dl!(
            "KLE-nummer (27.24.00), KLE-gruppe (15.20) eller KOMHEN-kode (29.03.99)"
        ),
    },
    CodebookColumnSpec {
        column: CodebookColumn::Channel,
        header: "Kanal",
        aliases: &["Henvendelses Kanal"],
        required: true,
        example: "TLFIND",
        width: 10.0,
        description_da: dl!("Kanalkode med retning, fx TLFIND, PRSNLG, EMLIND, DOKUD, WEB"),
    },
    CodebookColumnSpec {
        column: CodebookColumn::InquiryType,
        header: "Type",
        aliases: &["Henvendelses type"],
        required: false,
        example: "VEJL",
        width: 9.0,
        description_da: dl!(
            "OPRET, INFO, STATUS, VEJL, SLVBTJN eller FEJL; tom eller NULL = ingen"
        ),
    },
    CodebookColumnSpec {
        column: CodebookColumn::Completion,
        header: "Afslutning",
        aliases: &[],
        required: false,
        example: "STRAKS",
        width: 11.0,
        description_da: dl!("STRAKS eller HOLD; tom eller NULL = ingen"),
    },
    CodebookColumnSpec {
        column: CodebookColumn::Form,
        header: "Blanket",
        aliases: &[],
        required: false,
        example: "NEJ",
        width: 9.0,
        description_da: dl!("JA eller NEJ; tom eller NULL = ingen"),
    },
    CodebookColumnSpec {
        column: CodebookColumn::Date,
        header: "Dato",
        aliases: &[],
        required: true,
        example: "21-10-2025",
        width: 12.0,
        description_da: dl!(
            "DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD, evt. med TT:MM[:SS], dansk tid"
        ),
    },
    CodebookColumnSpec {
        column: CodebookColumn::Time,
        header: "Tidspunkt",
        aliases: &[],
        required: false,
        example: "10:15",
        width: 10.0,
        description_da: dl!("TT:MM eller TT:MM:SS, dansk tid (kan udelades)"),
    },
    CodebookColumnSpec {
        column: CodebookColumn::Quantity,
        header: "Antal",
        aliases: &[],
        required: false,
        example: "1",
        width: 8.0,
        description_da: dl!("Antal henvendelser rækken står for; helt tal, standard 1"),
    },
    CodebookColumnSpec {
        column: CodebookColumn::Duration,
        header: "Varighed",
        aliases: &[],
        required: false,
        example: "12,5",
        width: 10.0,
        description_da: dl!(
            "Registreringens varighed i sekunder, decimalkomma tilladt (kan udelades)"
        ),
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
    /// The channel cell as the file wrote it, when that is not the code
    /// itself (`Telefon` read as `TELEFON`): what a message quotes.
    pub channel_written: Option<String>,
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
    /// As [`CodebookRow::channel_written`].
    pub channel_written: Option<String>,
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
        dl!("filen er i det gamle Excel-format (.xls). Gem den som .xlsx eller CSV og prøv igen"),
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
    channel: Remembered<(ChannelCode, Option<String>)>,
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
            p.channel.get_or(b, |b| {
                let code = codes::channel(b)?;
                let written = (code.as_str().as_bytes() != b).then(|| shown(b));
                Ok((code, written))
            })
        });
        let (channel, channel_written) = match channel {
            Some((code, written)) => (Some(code), written),
            None => (None, None),
        };
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
                        da!(
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
                Some(ms) if ms <= MAX_DURATION_SECONDS * 1000 => Some(ms),
                _ => {
                    problems.push(self.problem(
                        line,
                        C::Duration,
                        ProblemKind::Invalid,
                        da!(
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
                    da!("værdien «{}» har tegn, der ikke kan læses", shown(bytes)),
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
                channel_written,
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
                    channel_written,
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
                dl!("datoen mangler. Forventede DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD").into(),
            ));
            None
        } else {
            let parsed = parse_date_time(date_bytes);
            if parsed.is_none() {
                problems.push(self.problem(
                    line,
                    C::Date,
                    ProblemKind::Invalid,
                    date_problem(
                        date_bytes,
                        dl!("Forventede DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD, \
                         evt. efterfulgt af TT:MM eller TT:MM:SS"),
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
                        da!(
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
                    da!(
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
                da!(
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
    da!("kolonnerne {}", names.join(";"))
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
