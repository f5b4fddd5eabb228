//! Total counts files: one row per channel (or per municipality, for the
//! nationally delivered figures) and date range, as a coordinator keeps
//! them in a spreadsheet.
//!
//! Owns the two layouts' columns ([`TotalsLayout::columns`]: `Kanal;Fra;Til;Antal`
//! for a municipality's counts per channel, `Kommune;Fra;Til;Antal` for a
//! national delivery), the rules of their cells, the template, and turning
//! a row into a [`TotalsRow`] or every problem of that row. Must not look
//! anything up: whether a channel is in the code list, and whether a range
//! overlaps one already stored, is decided in `core`.
//!
//! Rules of the cells:
//! - headers match case-insensitively, ignoring surrounding spaces, with
//!   aliases (`Kanalkode`, `Fra dato`, `Startdato`, `Slutdato`,
//!   `Kommunekode`, ...); every other named column is a problem (a totals
//!   file has nothing else to say, and a stray column usually means the
//!   wrong file or a shifted header);
//! - `Kanal` is a channel code (`TLFIND`) or a channel's Danish name, as
//!   written; `Kommune` a municipality code (`259`);
//! - `Fra` and `Til` are dates, `DD-MM-ÅÅÅÅ`, `DD.MM.ÅÅÅÅ` or `ÅÅÅÅ-MM-DD`
//!   (a time of exactly midnight, which spreadsheets add, is allowed), both
//!   days included, `Fra` not after `Til`;
//! - `Antal` is a whole number from 0, thousands dots allowed (`1.234`),
//!   decimals refused.
//!
//! The file is read with [`crate::text`]: UTF-8 with or without BOM,
//! UTF-16 with BOM, Windows-1252 (every encoding Excel saves CSV in), `;`,
//! `,` or tab. A UTF-16 file without BOM is named as such.

use crate::cell::{parse_date_time, parse_grouped, shown, trim, ClockTime};
use crate::codes;
use crate::header::{ColumnSpec, HeaderMap};
use crate::limits::Limits;
use crate::records::{RecordStream, Step};
use crate::text::TextEncoding;
use crate::{IngestError, Problem, ProblemKind};
use chrono::NaiveDate;
use csv::ByteRecord;
use komhen_domain::{da, dl, MunicipalityCode};
use std::io::Read;

const FILE: &str = dl!("totaltalsfilen");

/// The largest count a row may hold: far above any municipality's year.
pub const MAX_COUNT: i64 = 1_000_000_000_000;

/// What the first column of a totals file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalsLayout {
    /// A municipality's counts per channel: `Kanal;Fra;Til;Antal`.
    Channels,
    /// A national delivery per municipality: `Kommune;Fra;Til;Antal`.
    Municipalities,
}

const CHANNEL_SPECS: [ColumnSpec; 4] = [
    ColumnSpec {
        name: "Kanal",
        aliases: &["Kanalkode", "Henvendelses Kanal"],
        required: true,
    },
    FROM,
    TO,
    COUNT,
];

const MUNICIPALITY_SPECS: [ColumnSpec; 4] = [
    ColumnSpec {
        name: "Kommune",
        aliases: &["Kommunekode", "KommuneID"],
        required: true,
    },
    FROM,
    TO,
    COUNT,
];

const FROM: ColumnSpec = ColumnSpec {
    name: "Fra",
    aliases: &["Fra dato", "Fradato", "Startdato", "Start"],
    required: true,
};
const TO: ColumnSpec = ColumnSpec {
    name: "Til",
    aliases: &["Til dato", "Tildato", "Slutdato", "Slut"],
    required: true,
};
const COUNT: ColumnSpec = ColumnSpec {
    name: "Antal",
    aliases: &["Antal henvendelser", "Henvendelser"],
    required: true,
};

impl TotalsLayout {
    fn specs(self) -> &'static [ColumnSpec; 4] {
        match self {
            Self::Channels => &CHANNEL_SPECS,
            Self::Municipalities => &MUNICIPALITY_SPECS,
        }
    }

    /// The column headers komhen writes, in order.
    pub fn columns(self) -> [&'static str; 4] {
        let specs = self.specs();
        [specs[0].name, specs[1].name, specs[2].name, specs[3].name]
    }

    fn expected(self) -> String {
        self.columns().join(";")
    }
}

/// What a row counts: a channel as written, or a municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotalsSubject {
    /// A channel code or a channel's Danish name, trimmed, as written.
    Channel(String),
    Municipality(MunicipalityCode),
}

/// One row of a totals file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalsRow {
    /// The line (row) in the file, header = 1.
    pub line: u64,
    pub subject: TotalsSubject,
    /// First day counted.
    pub from: NaiveDate,
    /// Last day counted (included).
    pub to: NaiveDate,
    pub count: i64,
}

/// Reads a totals file row by row.
pub struct TotalsReader<R: Read> {
    stream: RecordStream<R>,
    header: HeaderMap,
    layout: TotalsLayout,
}

impl<R: Read> TotalsReader<R> {
    /// Reads and checks the header: every missing, doubled or unknown
    /// column is reported at once.
    pub fn with_limits(read: R, layout: TotalsLayout, limits: Limits) -> Result<Self, IngestError> {
        let mut stream = RecordStream::open(FILE, read, limits, b';')?;
        let (line, headers) = stream.header(FILE, &da!("kolonnerne {}", layout.expected()))?;
        if headers.iter().any(|h| h.contains('\0')) {
            return Err(IngestError::one(
                FILE,
                Problem::line(
                    line,
                    ProblemKind::Unreadable,
                    dl!("filen ser ud til at være gemt som UTF-16 uden byte-rækkefølgemærke (BOM), \
                     og kan ikke læses sikkert. Gem den i Excel som «CSV UTF-8 (kommasepareret)» \
                     og prøv igen"),
                ),
            ));
        }
        let mut problems = Vec::new();
        let header = match HeaderMap::resolve(&headers, layout.specs(), line) {
            Ok(header) => Some(header),
            Err(found) => {
                problems.extend(found);
                None
            }
        };
        let known = |h: &str| {
            let key = crate::header::normalise(h);
            layout.specs().iter().any(|s| {
                crate::header::normalise(s.name) == key
                    || s.aliases.iter().any(|a| crate::header::normalise(a) == key)
            })
        };
        for extra in headers.iter().filter(|h| !h.is_empty() && !known(h)) {
            problems.push(Problem::cell(
                line,
                extra.clone(),
                ProblemKind::Layout,
                da!(
                    "kolonnen «{extra}» hører ikke til en totaltalsfil. Forventede kolonnerne {}; \
                     fjern kolonnen, eller ret overskriften",
                    layout.expected()
                ),
            ));
        }
        match header {
            Some(header) if problems.is_empty() => Ok(Self {
                stream,
                header,
                layout,
            }),
            _ => Err(IngestError::new(FILE, problems)),
        }
    }

    /// The encoding the file is read in.
    pub fn encoding(&self) -> TextEncoding {
        self.stream.encoding()
    }

    /// The separator found in the header line.
    pub fn delimiter(&self) -> u8 {
        self.stream.delimiter()
    }

    fn cell<'r>(&self, record: &'r ByteRecord, column: usize) -> &'r [u8] {
        self.header.positions[column]
            .and_then(|i| record.get(i))
            .map_or(&b""[..], trim)
    }

    fn problem(&self, line: u64, column: usize, kind: ProblemKind, message: String) -> Problem {
        Problem::cell(line, self.header.names[column].clone(), kind, message)
    }

    fn date(
        &self,
        line: u64,
        record: &ByteRecord,
        column: usize,
        problems: &mut Vec<Problem>,
    ) -> Option<NaiveDate> {
        let bytes = self.cell(record, column);
        if bytes.is_empty() {
            problems.push(
                self.problem(
                    line,
                    column,
                    ProblemKind::Empty,
                    dl!("datoen mangler. Forventede DD-MM-ÅÅÅÅ (fx 01-10-2025) eller ÅÅÅÅ-MM-DD")
                        .into(),
                ),
            );
            return None;
        }
        match parse_date_time(bytes) {
            Some((date, None)) => Some(date),
            Some((date, Some(time))) if time == ClockTime::MIDNIGHT => Some(date),
            _ => {
                problems.push(self.problem(
                    line,
                    column,
                    ProblemKind::Invalid,
                    crate::cell::date_problem(
                        bytes,
                        dl!("Forventede DD-MM-ÅÅÅÅ (fx 01-10-2025), DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD"),
                    ),
                ));
                None
            }
        }
    }

    fn parse(&self, line: u64, record: &ByteRecord) -> Result<TotalsRow, Vec<Problem>> {
        let mut problems = self.header.stray_values(line, record);
        let first = self.cell(record, 0);
        let subject = match self.layout {
            TotalsLayout::Channels if first.is_empty() => {
                problems.push(
                    self.problem(
                        line,
                        0,
                        ProblemKind::Empty,
                        dl!("kanalen mangler. Skriv en kanalkode som TLFIND eller kanalens navn")
                            .into(),
                    ),
                );
                None
            }
            TotalsLayout::Channels => match std::str::from_utf8(first) {
                Ok(text) => Some(TotalsSubject::Channel(text.to_owned())),
                Err(_) => {
                    problems.push(self.problem(
                        line,
                        0,
                        ProblemKind::Invalid,
                        da!("kanalen «{}» har tegn, der ikke kan læses", shown(first)),
                    ));
                    None
                }
            },
            TotalsLayout::Municipalities => match codes::municipality(first) {
                Ok(code) => Some(TotalsSubject::Municipality(code)),
                Err((kind, message)) => {
                    problems.push(self.problem(line, 0, kind, message));
                    None
                }
            },
        };
        let from = self.date(line, record, 1, &mut problems);
        let to = self.date(line, record, 2, &mut problems);
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                problems.push(self.problem(
                    line,
                    2,
                    ProblemKind::Conflict,
                    da!(
                        "slutdatoen {} ligger før startdatoen {}. Byt om på dem, eller ret den ene",
                        to.format("%d-%m-%Y"),
                        from.format("%d-%m-%Y")
                    ),
                ));
            }
        }
        let bytes = self.cell(record, 3);
        let count = if bytes.is_empty() {
            problems.push(self.problem(
                line,
                3,
                ProblemKind::Empty,
                dl!("antallet mangler. Skriv et helt tal, også 0").into(),
            ));
            None
        } else {
            match parse_grouped(bytes).and_then(|n| i64::try_from(n).ok()) {
                Some(n) if n <= MAX_COUNT => Some(n),
                _ => {
                    problems.push(self.problem(
                        line,
                        3,
                        ProblemKind::Invalid,
                        da!(
                            "ugyldigt antal «{}». Forventede et helt tal fra 0 uden decimaler, \
                             fx 1234 eller 1.234",
                            shown(bytes)
                        ),
                    ));
                    None
                }
            }
        };
        match (subject, from, to, count) {
            (Some(subject), Some(from), Some(to), Some(count)) if problems.is_empty() => {
                Ok(TotalsRow {
                    line,
                    subject,
                    from,
                    to,
                    count,
                })
            }
            _ => Err(problems),
        }
    }
}

impl<R: Read> Iterator for TotalsReader<R> {
    type Item = Result<TotalsRow, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.stream.next_row() {
            Step::Record(line) => Some(self.parse(line, &self.stream.record)),
            Step::End => None,
            Step::Fatal(problem) => Some(Err(vec![problem])),
        }
    }
}

/// The template: UTF-8 with BOM (so Excel shows æøå), `;`, the header and
/// example rows.
pub fn template_csv(layout: TotalsLayout) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    let mut line = |cells: &[&str]| {
        out.extend_from_slice(cells.join(";").as_bytes());
        out.extend_from_slice(b"\r\n");
    };
    line(&layout.columns());
    match layout {
        TotalsLayout::Channels => {
            line(&["TLFIND", "01-10-2025", "31-10-2025", "1234"]);
            line(&["TLFUD", "01-10-2025", "31-10-2025", "312"]);
            line(&["EMLIND", "01-10-2025", "31-10-2025", "2045"]);
        }
        TotalsLayout::Municipalities => {
            line(&["259", "01-01-2025", "31-12-2025", "61234"]);
            line(&["101", "01-01-2025", "31-12-2025", "512345"]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(text: &str, layout: TotalsLayout) -> Vec<Result<TotalsRow, Vec<Problem>>> {
        TotalsReader::with_limits(text.as_bytes(), layout, Limits::default())
            .unwrap()
            .collect()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_template_reads_back_in_both_layouts() {
        for layout in [TotalsLayout::Channels, TotalsLayout::Municipalities] {
            let bytes = template_csv(layout);
            let rows: Vec<TotalsRow> =
                TotalsReader::with_limits(&bytes[..], layout, Limits::default())
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
            assert!(rows.len() >= 2);
            assert_eq!(rows[0].line, 2);
        }
    }

    #[test]
    fn danish_and_iso_dates_and_thousands_dots_are_read() {
        let rows = read(
            "kanal,fra,til,antal\nTLFIND,01-10-2025,2025-10-31,1.234\n\
             Telefon, indgående,1.10.2025,31.10.2025 00:00,0\n",
            TotalsLayout::Channels,
        );
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.subject, TotalsSubject::Channel("TLFIND".into()));
        assert_eq!(
            (first.from, first.to, first.count),
            (day(2025, 10, 1), day(2025, 10, 31), 1234)
        );
        // The comma-separated file splits "Telefon, indgående" into two cells.
        assert!(rows[1].is_err());
    }

    #[test]
    fn every_problem_of_a_row_is_reported_with_its_column() {
        let rows = read(
            "Kanal;Fra;Til;Antal\n;31-10-2025;01-10-2025;12,5\n;;;\nTLFUD;32-10-2025;;\n",
            TotalsLayout::Channels,
        );
        assert_eq!(rows.len(), 2, "a blank row is skipped");
        let problems = rows[0].as_ref().unwrap_err();
        let columns: Vec<(&str, ProblemKind)> = problems
            .iter()
            .map(|p| (p.column.as_deref().unwrap(), p.kind))
            .collect();
        assert_eq!(
            columns,
            vec![
                ("Kanal", ProblemKind::Empty),
                ("Til", ProblemKind::Conflict),
                ("Antal", ProblemKind::Invalid)
            ]
        );
        let problems = rows[1].as_ref().unwrap_err();
        assert_eq!(problems.len(), 3);
        assert!(problems[0].message.contains("«32-10-2025»"));
        assert_eq!(problems[0].line, 4);
    }

    #[test]
    fn missing_doubled_and_unknown_columns_are_reported_together() {
        let err = TotalsReader::with_limits(
            "Kanal;Fra;Fra dato;Antal;Bemærkning\n".as_bytes(),
            TotalsLayout::Channels,
            Limits::default(),
        )
        .err()
        .unwrap();
        let kinds: Vec<ProblemKind> = err.problems.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ProblemKind::DuplicateColumn,
                ProblemKind::MissingColumn,
                ProblemKind::Layout
            ]
        );
        assert!(err.problems[2].message.contains("«Bemærkning»"));
    }

    #[test]
    fn a_utf16_file_without_bom_is_named() {
        let bytes: Vec<u8> = "Kanal;Fra;Til;Antal\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let err = TotalsReader::with_limits(&bytes[..], TotalsLayout::Channels, Limits::default())
            .err()
            .unwrap();
        assert!(err.problems[0].message.contains("UTF-16"), "{err}");
    }

    #[test]
    fn municipalities_are_codes() {
        let rows = read(
            "Kommunekode;Startdato;Slutdato;Antal\n259;01-01-2025;31-12-2025;61234\n99;x;;\n",
            TotalsLayout::Municipalities,
        );
        assert_eq!(
            rows[0].as_ref().unwrap().subject,
            TotalsSubject::Municipality(MunicipalityCode::new(259).unwrap())
        );
        assert_eq!(rows[1].as_ref().unwrap_err().len(), 4);
    }
}
