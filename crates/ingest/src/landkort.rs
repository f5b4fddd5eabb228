//! Raw-data extracts from the old national portal, Det Digitale Landkort.
//!
//! Owns reading the extract exactly as the portal wrote it: `;`-separated,
//! Windows-1252 with CRLF (any encoding `text` knows is taken), header
//! `Kommune;ID;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;
//! StartTidspunkt;SlutTidspunkt;Datakilde;` followed by the municipality's
//! own question columns and an empty header from the trailing `;`.
//! `Kommune` is the municipality's name, `ID` its code. Dates are
//! `DD-MM-YYYY HH:MM:SS`, Danish local time. Must not decide how the rows
//! are stored (core maps them onto registrations and questions).
//!
//! The registration's duration is `SlutTidspunkt − StartTidspunkt` (wall
//! clock, to the second). Rows from mass/CSV registration
//! (`DetDigitaleLandkort`) carry midnight in both and have no duration.
//! `Opgave` mixes KLE topics (`15.20.00`), groups (`15.20`) and KOMHEN
//! pseudo-codes (`29.03.99`): each stays a distinct [`KleNumber`], whose
//! level and catalogue membership tell which it is.

use crate::cell::{parse_date_time, shown, trim, ClockTime, DanishClock};
use crate::codebook::PartialRow;
use crate::codes::{self, CellProblem};
use crate::header::{ColumnSpec, HeaderMap};
use crate::limits::Limits;
use crate::records::{RecordStream, Step};
use crate::text::TextEncoding;
use crate::{IngestError, Problem, ProblemKind};
use chrono::{DateTime, NaiveDate, Utc};
use csv::ByteRecord;
use komhen_domain::{da, dl, ChannelCode, Completion, InquiryType, KleNumber, MunicipalityCode};
use std::io::Read;

const FILE: &str = dl!("udtrækket fra Det Digitale Landkort");

/// Where a row was registered, as the extract's `Datakilde` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LandkortSource {
    /// `Tracetool`: registered in the registration tool.
    Tracetool,
    /// `DetDigitaleLandkort`: mass or CSV registration in the portal.
    DetDigitaleLandkort,
}

impl LandkortSource {
    pub const ALL: [LandkortSource; 2] = [Self::Tracetool, Self::DetDigitaleLandkort];

    pub fn code(self) -> &'static str {
        match self {
            Self::Tracetool => "Tracetool",
            Self::DetDigitaleLandkort => "DetDigitaleLandkort",
        }
    }
}

/// One row of a Landkort extract.
#[derive(Debug, Clone, PartialEq)]
pub struct LandkortRow {
    pub line: u64,
    /// `Kommune`: the municipality's name as the portal wrote it.
    pub municipality_name: String,
    /// `ID`: the municipality's code.
    pub municipality: MunicipalityCode,
    pub unit_login: Option<String>,
    pub task: KleNumber,
    pub channel: ChannelCode,
    pub inquiry_type: Option<InquiryType>,
    pub completion: Option<Completion>,
    pub has_form: Option<bool>,
    /// `Dato`, Danish local time.
    pub registered_at: DateTime<Utc>,
    /// `SlutTidspunkt − StartTidspunkt`; None for mass registrations.
    pub duration_ms: Option<i64>,
    pub data_source: LandkortSource,
    /// The question columns' answers, by index into `extra_headers()`.
    pub extra: Vec<String>,
}

#[derive(Clone, Copy)]
enum Col {
    Name,
    Code,
    Unit,
    Task,
    Channel,
    Type,
    Completion,
    Form,
    Date,
    Start,
    End,
    Source,
}

const fn spec(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases: &[],
        required: true,
    }
}

/// The fixed columns, in the portal's order (indexes match [`Col`]).
const SPECS: [ColumnSpec; 12] = [
    spec("Kommune"),
    spec("ID"),
    spec("Enhed"),
    spec("Opgave"),
    spec("Kanal"),
    spec("Type"),
    spec("Afslutning"),
    spec("Blanket"),
    spec("Dato"),
    spec("StartTidspunkt"),
    spec("SlutTidspunkt"),
    spec("Datakilde"),
];

/// Reads a Landkort extract row by row, at constant memory.
pub struct LandkortReader<R: Read> {
    stream: RecordStream<R>,
    header: HeaderMap,
    extra_headers: Vec<String>,
    clock: DanishClock,
    failed: PartialRow,
}

impl<R: Read> LandkortReader<R> {
    pub fn new(read: R) -> Result<Self, IngestError> {
        Self::with_limits(read, Limits::default())
    }

    /// Reads and checks the header.
    pub fn with_limits(read: R, limits: Limits) -> Result<Self, IngestError> {
        let mut stream = RecordStream::open(FILE, read, limits, b';')?;
        let names: Vec<&str> = SPECS.iter().map(|s| s.name).collect();
        let (line, headers) = stream.header(FILE, &da!("kolonnerne {}", names.join(";")))?;
        let header = HeaderMap::resolve(&headers, &SPECS, line)
            .map_err(|problems| IngestError::new(FILE, problems))?;
        Ok(Self {
            stream,
            extra_headers: header.extra_headers(),
            header,
            clock: DanishClock::default(),
            failed: PartialRow::default(),
        })
    }

    /// The readable cells of the last row that came back with problems.
    pub fn failed_row(&self) -> &PartialRow {
        &self.failed
    }

    /// The municipality's own question columns, in file order.
    pub fn extra_headers(&self) -> &[String] {
        &self.extra_headers
    }

    pub fn encoding(&self) -> TextEncoding {
        self.stream.encoding()
    }

    fn cell<'r>(&self, record: &'r ByteRecord, col: Col) -> &'r [u8] {
        self.header.positions[col as usize]
            .and_then(|i| record.get(i))
            .map_or(&b""[..], trim)
    }

    fn name(&self, col: Col) -> &str {
        &self.header.names[col as usize]
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
                problems.push(Problem::cell(line, self.name(col), kind, message));
                None
            }
        }
    }

    /// The extra columns' values (the municipality's questions), as text.
    fn extras(
        &self,
        line: u64,
        record: &csv::ByteRecord,
        problems: &mut Vec<Problem>,
    ) -> Vec<String> {
        let mut extra = Vec::with_capacity(self.header.extras.len());
        for (index, header) in &self.header.extras {
            let bytes = record.get(*index).map_or(&b""[..], trim);
            match std::str::from_utf8(bytes) {
                Ok(text) => extra.push(text.to_owned()),
                Err(_) => problems.push(Problem::cell(
                    line,
                    header.clone(),
                    ProblemKind::Invalid,
                    da!("værdien «{}» har tegn, der ikke kan læses", shown(bytes)),
                )),
            }
        }
        extra
    }

    /// The registration's duration from its start and end: None when they
    /// cannot say (a problem added), `Some(None)` for a mass registration.
    fn duration(
        &self,
        line: u64,
        start: Option<(NaiveDate, ClockTime)>,
        end: Option<(NaiveDate, ClockTime)>,
        source: Option<LandkortSource>,
        problems: &mut Vec<Problem>,
    ) -> Option<Option<i64>> {
        match (start, end, source) {
            (Some(start), Some(end), Some(source)) => {
                let mass = source == LandkortSource::DetDigitaleLandkort
                    && start.1 == ClockTime::MIDNIGHT
                    && end.1 == ClockTime::MIDNIGHT;
                if mass {
                    Some(None)
                } else {
                    let seconds = seconds_between(start, end);
                    if seconds < 0 {
                        problems.push(Problem::cell(
                            line,
                            self.name(Col::End),
                            ProblemKind::Conflict,
                            da!(
                                "«{}» ligger før «{}». Forventede at registreringen slutter \
                                 efter den begynder",
                                self.name(Col::End),
                                self.name(Col::Start)
                            ),
                        ));
                        None
                    } else {
                        Some(Some(seconds * 1000))
                    }
                }
            }
            _ => None,
        }
    }

    fn parse(&mut self, line: u64) -> Result<LandkortRow, Vec<Problem>> {
        let record = &self.stream.record;
        let mut problems = self.header.stray_values(line, record);
        let municipality_name = self.read_cell(line, record, Col::Name, &mut problems, |b| {
            std::str::from_utf8(b)
                .map(str::to_owned)
                .map_err(|_| (ProblemKind::Invalid, da!("«{}» kan ikke læses", shown(b))))
        });
        let municipality =
            self.read_cell(line, record, Col::Code, &mut problems, codes::municipality);
        let unit_login = self
            .read_cell(line, record, Col::Unit, &mut problems, codes::unit)
            .flatten();
        let task = self.read_cell(line, record, Col::Task, &mut problems, codes::task);
        let channel = self.read_cell(line, record, Col::Channel, &mut problems, codes::channel);
        let inquiry_type = self
            .read_cell(line, record, Col::Type, &mut problems, codes::inquiry_type)
            .flatten();
        let completion = self
            .read_cell(
                line,
                record,
                Col::Completion,
                &mut problems,
                codes::completion,
            )
            .flatten();
        let has_form = self
            .read_cell(line, record, Col::Form, &mut problems, codes::form)
            .flatten();
        let date = self.read_cell(line, record, Col::Date, &mut problems, date_time);
        let start = self.read_cell(line, record, Col::Start, &mut problems, date_time);
        let end = self.read_cell(line, record, Col::End, &mut problems, date_time);
        let data_source = self.read_cell(line, record, Col::Source, &mut problems, |b| {
            LandkortSource::ALL
                .into_iter()
                .find(|s| s.code().as_bytes().eq_ignore_ascii_case(b))
                .ok_or_else(|| {
                    (
                        ProblemKind::Invalid,
                        da!(
                            "ukendt datakilde «{}». Forventede Tracetool eller DetDigitaleLandkort",
                            shown(b)
                        ),
                    )
                })
        });
        let extra = self.extras(line, record, &mut problems);

        let registered_at = date.and_then(|(day, time)| {
            let at = self.clock.instant(day, time);
            if at.is_none() {
                problems.push(Problem::cell(
                    line,
                    self.name(Col::Date),
                    ProblemKind::NonexistentTime,
                    da!(
                        "klokkeslættet {time} den {} findes ikke i dansk tid: uret stilles en \
                         time frem ved overgangen til sommertid",
                        day.format("%d-%m-%Y")
                    ),
                ));
            }
            at
        });
        let duration_ms = self.duration(line, start, end, data_source, &mut problems);

        match (
            municipality_name,
            municipality,
            task,
            channel,
            registered_at,
            duration_ms,
            data_source,
        ) {
            (
                Some(municipality_name),
                Some(municipality),
                Some(task),
                Some(channel),
                Some(registered_at),
                Some(duration_ms),
                Some(data_source),
            ) if problems.is_empty() => Ok(LandkortRow {
                line,
                municipality_name,
                municipality,
                unit_login,
                task,
                channel,
                inquiry_type,
                completion,
                has_form,
                registered_at,
                duration_ms,
                data_source,
                extra,
            }),
            (_, municipality, task, channel, _, _, _) => {
                self.failed = PartialRow {
                    municipality,
                    unit_login,
                    task,
                    channel,
                    channel_written: None,
                };
                Err(problems)
            }
        }
    }
}

fn date_time(bytes: &[u8]) -> Result<(NaiveDate, ClockTime), CellProblem> {
    if bytes.is_empty() {
        return Err((
            ProblemKind::Empty,
            dl!("tidspunktet mangler. Forventede DD-MM-ÅÅÅÅ TT:MM:SS").into(),
        ));
    }
    parse_date_time(bytes)
        .map(|(day, time)| (day, time.unwrap_or(ClockTime::MIDNIGHT)))
        .ok_or_else(|| {
            (
                ProblemKind::Invalid,
                da!(
                    "ugyldigt tidspunkt «{}». Forventede DD-MM-ÅÅÅÅ TT:MM:SS, fx 21-10-2013 09:15:00",
                    shown(bytes)
                ),
            )
        })
}

fn seconds_between(start: (NaiveDate, ClockTime), end: (NaiveDate, ClockTime)) -> i64 {
    let days = (end.0 - start.0).num_days();
    days * 86_400 + end.1.seconds() - start.1.seconds()
}

impl<R: Read> Iterator for LandkortReader<R> {
    type Item = Result<LandkortRow, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.stream.next_row() {
            Step::Record(line) => Some(self.parse(line)),
            Step::End => None,
            Step::Fatal(problem) => Some(Err(vec![problem])),
        }
    }
}
