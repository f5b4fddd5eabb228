//! Call records of an Asterisk phone system (`Master.csv`, CDR).
//!
//! Owns reading a CDR file without a header in either layout Asterisk
//! writes: the `cdr_csv` backend's fixed order (16, 17, 18 or 21 columns,
//! depending on `loguniqueid`, `loguserfield` and `newcdrcolumns`), and the
//! `cdr_custom` sample mapping (19 columns, another order), told apart by
//! where the first row's timestamps are; a municipality with its own
//! `cdr_custom` mapping names its columns with [`CdrLayout::from_names`].
//! Timestamps are local time strings `YYYY-MM-DD HH:MM:SS` (Danish local
//! time, unless `usegmtime=yes`: then [`CdrClock::Utc`]).
//!
//! Must not decide direction or what counts as an inquiry: one call can
//! leave several records (forked dials, transfers; group by `linkedid`,
//! else `uniqueid`), and which contexts or trunks are incoming is each
//! municipality's mapping, applied in core.

use crate::cell::{parse_date_time, parse_digits, shown, trim, DanishClock};
use crate::limits::Limits;
use crate::records::{RecordStream, Step};
use crate::{IngestError, Problem, ProblemKind};
use chrono::{DateTime, Utc};
use csv::ByteRecord;
use komhen_domain::{da, dl};
use std::io::Read;

const FILE: &str = dl!("opkaldslisten (Asterisk CDR)");

/// A CDR field, named as in Asterisk's `${CDR(...)}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CdrField {
    AccountCode,
    Src,
    Dst,
    DContext,
    Clid,
    Channel,
    DstChannel,
    LastApp,
    LastData,
    Start,
    Answer,
    End,
    Duration,
    BillSec,
    Disposition,
    AmaFlags,
    UniqueId,
    UserField,
    PeerAccount,
    LinkedId,
    Sequence,
    /// A column komhen does not use.
    Other,
}

impl CdrField {
    const NAMED: [(CdrField, &'static str); 21] = [
        (Self::AccountCode, "accountcode"),
        (Self::Src, "src"),
        (Self::Dst, "dst"),
        (Self::DContext, "dcontext"),
        (Self::Clid, "clid"),
        (Self::Channel, "channel"),
        (Self::DstChannel, "dstchannel"),
        (Self::LastApp, "lastapp"),
        (Self::LastData, "lastdata"),
        (Self::Start, "start"),
        (Self::Answer, "answer"),
        (Self::End, "end"),
        (Self::Duration, "duration"),
        (Self::BillSec, "billsec"),
        (Self::Disposition, "disposition"),
        (Self::AmaFlags, "amaflags"),
        (Self::UniqueId, "uniqueid"),
        (Self::UserField, "userfield"),
        (Self::PeerAccount, "peeraccount"),
        (Self::LinkedId, "linkedid"),
        (Self::Sequence, "sequence"),
    ];

    /// A field by its CDR name (`start`, `${CDR(start)}`); unknown names are [`CdrField::Other`].
    pub fn parse(name: &str) -> Self {
        let name = name.trim();
        let name = name
            .strip_prefix("${CDR(")
            .and_then(|n| n.strip_suffix(")}"))
            .unwrap_or(name)
            .to_ascii_lowercase();
        Self::NAMED
            .iter()
            .find(|(_, n)| *n == name)
            .map_or(Self::Other, |(f, _)| *f)
    }
}

/// The order of the columns in a CDR file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdrLayout {
    fields: Vec<CdrField>,
}

const REQUIRED: [CdrField; 8] = [
    CdrField::Src,
    CdrField::Dst,
    CdrField::DContext,
    CdrField::Channel,
    CdrField::Start,
    CdrField::End,
    CdrField::Duration,
    CdrField::Disposition,
];

impl CdrLayout {
    /// The `cdr_csv` backend: 16 base columns, then `uniqueid`,
    /// `userfield`, and with `newcdrcolumns` `peeraccount`, `linkedid`, `sequence`.
    pub fn cdr_csv() -> Self {
        use CdrField::*;
        Self {
            fields: vec![
                AccountCode,
                Src,
                Dst,
                DContext,
                Clid,
                Channel,
                DstChannel,
                LastApp,
                LastData,
                Start,
                Answer,
                End,
                Duration,
                BillSec,
                Disposition,
                AmaFlags,
                UniqueId,
                UserField,
                PeerAccount,
                LinkedId,
                Sequence,
            ],
        }
    }

    /// The mapping of Asterisk's `cdr_custom.conf.sample`.
    pub fn cdr_custom_sample() -> Self {
        use CdrField::*;
        Self {
            fields: vec![
                Clid,
                Src,
                Dst,
                DContext,
                Channel,
                DstChannel,
                LastApp,
                LastData,
                Start,
                Answer,
                End,
                Duration,
                BillSec,
                Disposition,
                AmaFlags,
                AccountCode,
                UniqueId,
                UserField,
                Sequence,
            ],
        }
    }

    /// A municipality's own `cdr_custom` mapping, column by column
    /// (`start` or `${CDR(start)}`); the fields komhen needs must be there.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Self, IngestError> {
        let fields: Vec<CdrField> = names.iter().map(|n| CdrField::parse(n.as_ref())).collect();
        let missing: Vec<Problem> = REQUIRED
            .iter()
            .filter(|f| !fields.contains(f))
            .map(|f| {
                let name = CdrField::NAMED
                    .iter()
                    .find(|(g, _)| g == f)
                    .map_or("?", |(_, n)| n);
                Problem::cell(
                    0,
                    name,
                    ProblemKind::MissingColumn,
                    da!("kolonnerækkefølgen mangler feltet «{name}», som optællingen bruger"),
                )
            })
            .collect();
        if missing.is_empty() {
            Ok(Self { fields })
        } else {
            Err(IngestError::new(FILE, missing))
        }
    }

    fn position(&self, field: CdrField) -> Option<usize> {
        self.fields.iter().position(|f| *f == field)
    }

    /// Tells the layout from a first record: where its timestamps stand.
    fn detect(record: &ByteRecord) -> Option<Self> {
        let is_time = |i: usize| {
            record
                .get(i)
                .and_then(|b| parse_date_time(trim(b)))
                .is_some_and(|(_, t)| t.is_some())
        };
        for layout in [Self::cdr_custom_sample(), Self::cdr_csv()] {
            let start = layout.position(CdrField::Start)?;
            let end = layout.position(CdrField::End)?;
            let width_fits = if layout.fields.len() == 19 {
                record.len() == 19
            } else {
                (16..=21).contains(&record.len())
            };
            if width_fits && is_time(start) && is_time(end) {
                return Some(layout);
            }
        }
        None
    }
}

/// How the call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    Answered,
    NoAnswer,
    Busy,
    Failed,
    Congestion,
}

impl Disposition {
    pub const ALL: [Disposition; 5] = [
        Self::Answered,
        Self::NoAnswer,
        Self::Busy,
        Self::Failed,
        Self::Congestion,
    ];

    /// As Asterisk writes it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Answered => "ANSWERED",
            Self::NoAnswer => "NO ANSWER",
            Self::Busy => "BUSY",
            Self::Failed => "FAILED",
            Self::Congestion => "CONGESTION",
        }
    }
}

/// The clock the file's timestamps are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CdrClock {
    /// Local time of the phone system, Danish (Asterisk's default).
    #[default]
    DanishLocal,
    /// UTC (`usegmtime=yes` in `cdr.conf`).
    Utc,
}

/// One call record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub line: u64,
    pub start: DateTime<Utc>,
    /// None when the call was never answered.
    pub answer: Option<DateTime<Utc>>,
    pub end: DateTime<Utc>,
    /// Seconds from start to end.
    pub duration_s: i64,
    /// Seconds from answer to end (0 when never answered).
    pub billsec: i64,
    pub disposition: Disposition,
    pub src: String,
    pub dst: String,
    pub dcontext: String,
    pub channel: String,
    /// Empty when the call reached no other channel.
    pub dstchannel: String,
    pub uniqueid: Option<String>,
    pub linkedid: Option<String>,
}

/// Reads a CDR `Master.csv` record by record, at constant memory.
pub struct CdrReader<R: Read> {
    stream: RecordStream<R>,
    layout: CdrLayout,
    clock_kind: CdrClock,
    clock: DanishClock,
    /// The first record, read to find the layout, still to be returned.
    first: Option<(u64, ByteRecord)>,
}

impl<R: Read> CdrReader<R> {
    /// Finds the layout from the first record; Danish local time.
    pub fn new(read: R) -> Result<Self, IngestError> {
        Self::with_limits(read, Limits::default(), None, CdrClock::DanishLocal)
    }

    /// With a known layout (None: find it) and clock.
    pub fn with_limits(
        read: R,
        limits: Limits,
        layout: Option<CdrLayout>,
        clock: CdrClock,
    ) -> Result<Self, IngestError> {
        let mut stream = RecordStream::open(FILE, read, limits, b',')?;
        let (first, layout) = match stream.next_row() {
            Step::Record(line) => {
                let record = stream.record.clone();
                let layout = match layout {
                    Some(layout) => layout,
                    None => CdrLayout::detect(&record).ok_or_else(|| {
                        IngestError::one(
                            FILE,
                            Problem::line(
                                line,
                                ProblemKind::Unreadable,
                                da!(
                                    "kan ikke genkende kolonnernes rækkefølge ud fra første linje \
                                     ({} kolonner). Forventede Asterisks cdr_csv-format eller \
                                     cdr_custom-eksemplet; angiv ellers rækkefølgen fra cdr_custom.conf",
                                    record.len()
                                ),
                            ),
                        )
                    })?,
                };
                (Some((line, record)), layout)
            }
            Step::End => (None, layout.unwrap_or_else(CdrLayout::cdr_csv)),
            Step::Fatal(problem) => return Err(IngestError::one(FILE, problem)),
        };
        Ok(Self {
            stream,
            layout,
            clock_kind: clock,
            clock: DanishClock::default(),
            first,
        })
    }

    /// The layout in use.
    pub fn layout(&self) -> &CdrLayout {
        &self.layout
    }

    fn parse(&mut self, line: u64, record: &ByteRecord) -> Result<CallRecord, Vec<Problem>> {
        let mut problems = Vec::new();
        let layout = &self.layout;
        let cell = |field: CdrField| -> Option<&[u8]> {
            layout
                .position(field)
                .map(|i| record.get(i).map_or(&b""[..], trim))
        };
        let text = |field: CdrField| -> String {
            cell(field)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        };
        let name = |field: CdrField| {
            CdrField::NAMED
                .iter()
                .find(|(f, _)| *f == field)
                .map_or("?", |(_, n)| *n)
        };
        let mut time = |field: CdrField, required: bool, problems: &mut Vec<Problem>| {
            let bytes = cell(field).unwrap_or_default();
            if bytes.is_empty() {
                if required {
                    problems.push(Problem::cell(
                        line,
                        name(field),
                        ProblemKind::Empty,
                        dl!("tidspunktet mangler. Forventede ÅÅÅÅ-MM-DD TT:MM:SS"),
                    ));
                }
                return None;
            }
            match parse_date_time(bytes) {
                Some((date, Some(t))) => {
                    let at = match self.clock_kind {
                        CdrClock::DanishLocal => self.clock.instant(date, t),
                        CdrClock::Utc => date
                            .and_hms_opt(t.hour, t.minute, t.second)
                            .map(|t| t.and_utc()),
                    };
                    if at.is_none() {
                        problems.push(Problem::cell(
                            line,
                            name(field),
                            ProblemKind::NonexistentTime,
                            da!(
                                "klokkeslættet {t} den {} findes ikke i dansk tid (overgangen \
                                 til sommertid). Skriver telefonsystemet UTC (usegmtime=yes)?",
                                date.format("%d-%m-%Y")
                            ),
                        ));
                    }
                    at
                }
                _ => {
                    problems.push(Problem::cell(
                        line,
                        name(field),
                        ProblemKind::Invalid,
                        da!(
                            "ugyldigt tidspunkt «{}». Forventede ÅÅÅÅ-MM-DD TT:MM:SS",
                            shown(bytes)
                        ),
                    ));
                    None
                }
            }
        };
        let start = time(CdrField::Start, true, &mut problems);
        let answer = time(CdrField::Answer, false, &mut problems);
        let end = time(CdrField::End, true, &mut problems);
        let seconds = |field: CdrField, problems: &mut Vec<Problem>| {
            let bytes = cell(field).unwrap_or_default();
            let value = parse_digits(bytes).and_then(|n| i64::try_from(n).ok());
            if value.is_none() {
                problems.push(Problem::cell(
                    line,
                    name(field),
                    ProblemKind::Invalid,
                    da!(
                        "«{}» er ikke et antal sekunder. Forventede et helt tal",
                        shown(bytes)
                    ),
                ));
            }
            value
        };
        let duration_s = seconds(CdrField::Duration, &mut problems);
        let billsec = if layout.position(CdrField::BillSec).is_some() {
            seconds(CdrField::BillSec, &mut problems)
        } else {
            Some(0)
        };
        let disposition_bytes = cell(CdrField::Disposition).unwrap_or_default();
        let disposition = Disposition::ALL
            .into_iter()
            .find(|d| d.code().as_bytes().eq_ignore_ascii_case(disposition_bytes));
        if disposition.is_none() {
            problems.push(Problem::cell(
                line,
                "disposition",
                ProblemKind::Invalid,
                da!(
                    "ukendt udfald «{}». Forventede ANSWERED, NO ANSWER, BUSY, FAILED eller CONGESTION",
                    shown(disposition_bytes)
                ),
            ));
        }
        let optional = |field: CdrField| Some(text(field)).filter(|t| !t.is_empty());
        match (start, end, duration_s, billsec, disposition) {
            (Some(start), Some(end), Some(duration_s), Some(billsec), Some(disposition))
                if problems.is_empty() =>
            {
                Ok(CallRecord {
                    line,
                    start,
                    answer,
                    end,
                    duration_s,
                    billsec,
                    disposition,
                    src: text(CdrField::Src),
                    dst: text(CdrField::Dst),
                    dcontext: text(CdrField::DContext),
                    channel: text(CdrField::Channel),
                    dstchannel: text(CdrField::DstChannel),
                    uniqueid: optional(CdrField::UniqueId),
                    linkedid: optional(CdrField::LinkedId),
                })
            }
            _ => Err(problems),
        }
    }
}

impl<R: Read> Iterator for CdrReader<R> {
    type Item = Result<CallRecord, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((line, record)) = self.first.take() {
            return Some(self.parse(line, &record));
        }
        match self.stream.next_row() {
            Step::Record(line) => {
                let record = std::mem::take(&mut self.stream.record);
                let result = self.parse(line, &record);
                self.stream.record = record;
                Some(result)
            }
            Step::End => None,
            Step::Fatal(problem) => Some(Err(vec![problem])),
        }
    }
}
