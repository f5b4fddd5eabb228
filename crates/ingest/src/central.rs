//! Centrally delivered statistics: self-service applications (from the
//! national self-service counting script) and outgoing Digital Post, one
//! row per municipality, task and day.
//!
//! Owns reading the delivery as the national administrator has it: the
//! columns `Kommune;Opgave;Dato;Antal` (in any order, any case; nothing
//! else), any encoding and separator `text` finds (Excel's "CSV UTF-8",
//! "CSV (semikolonsepareret)" in Windows-1252, UTF-16 with BOM), Danish
//! dates (`21-10-2025`, `21.10.2025`, `21/10/2025`; also `2025-10-21`; a
//! time after the date is ignored), counts with Danish thousands dots
//! (`1.234`). `Kommune` is the municipality's code, `Opgave` the task's
//! KLE number (topic, group or KOMHEN code). A count of 0 is read (the
//! caller leaves the row out). Every problem of a row is reported at once;
//! a column the format does not have is a problem of the header, so a
//! wrong file is never half read.
//!
//! Must not decide which channel the file is (the caller says so), whether
//! a task is in a municipality's catalogue, or whether a municipality loads
//! its own statistics: core decides.

use crate::cell::{date_problem, parse_date_time, parse_grouped, shown, trim};
use crate::codes::{self, CellProblem};
use crate::header::{ColumnSpec, HeaderMap};
use crate::limits::Limits;
use crate::records::{RecordStream, Step};
use crate::text::TextEncoding;
use crate::{IngestError, Problem, ProblemKind};
use chrono::NaiveDate;
use csv::ByteRecord;
use komhen_domain::registration::MAX_QUANTITY;
use komhen_domain::{da, dl, KleNumber, MunicipalityCode};
use std::io::Read;

const FILE: &str = dl!("den centrale fil");

/// One row of a central delivery: inquiries of one municipality, task and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralRow {
    pub line: u64,
    pub municipality: MunicipalityCode,
    pub task: KleNumber,
    pub day: NaiveDate,
    /// How many inquiries (0 allowed; up to the registration's maximum).
    pub quantity: i64,
}

#[derive(Clone, Copy)]
enum Col {
    Municipality,
    Task,
    Day,
    Quantity,
}

/// The columns (indexes match [`Col`]).
const SPECS: [ColumnSpec; 4] = [
    ColumnSpec {
        name: "Kommune",
        aliases: &["Kommunekode", "KommuneID"],
        required: true,
    },
    ColumnSpec {
        name: "Opgave",
        aliases: &["Opgavekode", "KLE"],
        required: true,
    },
    ColumnSpec {
        name: "Dato",
        aliases: &["Dag"],
        required: true,
    },
    ColumnSpec {
        name: "Antal",
        aliases: &[],
        required: true,
    },
];

/// Reads a central delivery row by row, at constant memory.
pub struct CentralReader<R: Read> {
    stream: RecordStream<R>,
    header: HeaderMap,
}

impl<R: Read> CentralReader<R> {
    pub fn new(read: R) -> Result<Self, IngestError> {
        Self::with_limits(read, Limits::default())
    }

    /// Reads and checks the header: the four columns, and nothing else.
    pub fn with_limits(read: R, limits: Limits) -> Result<Self, IngestError> {
        let mut stream = RecordStream::open(FILE, read, limits, b';')?;
        let (line, headers) = stream.header(FILE, dl!("kolonnerne Kommune;Opgave;Dato;Antal"))?;
        if headers.iter().any(|h| h.contains('\0')) {
            return Err(IngestError::one(
                FILE,
                Problem::line(
                    line,
                    ProblemKind::Unreadable,
                    dl!(
                        "filens tegn kan ikke læses: den er sandsynligvis gemt som UTF-16 uden \
                     byte-order-mærke (BOM), eller den er ikke en tekstfil. Gem den i Excel som \
                     «CSV UTF-8 (kommasepareret)» eller «CSV (semikolonsepareret)»"
                    ),
                ),
            ));
        }
        let mut header = HeaderMap::resolve(&headers, &SPECS, line)
            .map_err(|problems| IngestError::new(FILE, problems))?;
        let extras: Vec<Problem> = header
            .extras
            .iter()
            .map(|(_, name)| {
                Problem::cell(
                    line,
                    name.clone(),
                    ProblemKind::Layout,
                    da!(
                        "kolonnen «{name}» hører ikke til formatet. Filen må kun have \
                         kolonnerne Kommune;Opgave;Dato;Antal: fjern kolonnen"
                    ),
                )
            })
            .collect();
        if !extras.is_empty() {
            return Err(IngestError::new(FILE, extras));
        }
        header.extras.clear();
        Ok(Self { stream, header })
    }

    pub fn encoding(&self) -> TextEncoding {
        self.stream.encoding()
    }

    pub fn delimiter(&self) -> u8 {
        self.stream.delimiter()
    }

    fn cell<'r>(&self, record: &'r ByteRecord, col: Col) -> &'r [u8] {
        self.header.positions[col as usize]
            .and_then(|i| record.get(i))
            .map_or(&b""[..], trim)
    }

    fn read_cell<T>(
        &self,
        line: u64,
        record: &ByteRecord,
        col: Col,
        problems: &mut Vec<Problem>,
        parse: impl FnOnce(&[u8]) -> Result<T, CellProblem>,
    ) -> Option<T> {
        match parse(self.cell(record, col)) {
            Ok(value) => Some(value),
            Err((kind, message)) => {
                problems.push(Problem::cell(
                    line,
                    self.header.names[col as usize].clone(),
                    kind,
                    message,
                ));
                None
            }
        }
    }

    fn parse(&self, line: u64) -> Result<CentralRow, Vec<Problem>> {
        let record = &self.stream.record;
        let mut problems = self.header.stray_values(line, record);
        let municipality = self.read_cell(
            line,
            record,
            Col::Municipality,
            &mut problems,
            codes::municipality,
        );
        let task = self.read_cell(line, record, Col::Task, &mut problems, codes::task);
        let day = self.read_cell(line, record, Col::Day, &mut problems, day);
        let quantity = self.read_cell(line, record, Col::Quantity, &mut problems, quantity);
        match (municipality, task, day, quantity) {
            (Some(municipality), Some(task), Some(day), Some(quantity)) if problems.is_empty() => {
                Ok(CentralRow {
                    line,
                    municipality,
                    task,
                    day,
                    quantity,
                })
            }
            _ => Err(problems),
        }
    }
}

fn day(bytes: &[u8]) -> Result<NaiveDate, CellProblem> {
    if bytes.is_empty() {
        return Err((
            ProblemKind::Empty,
            dl!("datoen mangler. Forventede en dato som 21-10-2025").into(),
        ));
    }
    parse_date_time(bytes).map(|(day, _)| day).ok_or_else(|| {
        (
            ProblemKind::Invalid,
            date_problem(
                bytes,
                dl!("Forventede en dato som 21-10-2025 (eller 21.10.2025, 2025-10-21)"),
            ),
        )
    })
}

fn quantity(bytes: &[u8]) -> Result<i64, CellProblem> {
    if bytes.is_empty() {
        return Err((
            ProblemKind::Empty,
            dl!("antallet mangler. Forventede et helt tal, fx 1.234").into(),
        ));
    }
    parse_grouped(bytes)
        .and_then(|n| i64::try_from(n).ok())
        .filter(|n| *n <= MAX_QUANTITY)
        .ok_or_else(|| {
            (
                ProblemKind::Invalid,
                da!(
                    "«{}» er ikke et antal. Forventede et helt tal fra 0 til 100.000.000, \
                     fx 1.234",
                    shown(bytes)
                ),
            )
        })
}

impl<R: Read> Iterator for CentralReader<R> {
    type Item = Result<CentralRow, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.stream.next_row() {
            Step::Record(line) => Some(self.parse(line)),
            Step::End => None,
            Step::Fatal(problem) => Some(Err(vec![problem])),
        }
    }
}
