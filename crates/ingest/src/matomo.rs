//! Web-analytics exports from Matomo: the pages report and the visits summary.
//!
//! Owns reading Matomo's CSV exports as Matomo writes them: UTF-16LE with
//! BOM from the UI's export (UTF-8 from the API), `,`-separated (any
//! separator `text` finds), column labels as metric ids (`nb_visits`) or
//! translated into English or Danish (`Visits`/`Besøg`; in the pages
//! report Matomo labels `nb_visits` "Unique Pageviews"/"Unikke
//! sidevisninger" and `nb_hits` "Pageviews"/"Sidevisninger"), metadata
//! columns as `metadata_url` or `Metadata: url`, and a leading `date`
//! column when the export covers several periods. An e-mailed report (many
//! titled sections in one CSV) is read from its "Page URLs" or "Visits
//! Summary" section. Must not decide which page belongs to which task, or
//! turn visits into registrations: core does that with the
//! municipality's mapping.
//!
//! A pages report exported without `flat=1` has folder rows (a label
//! without a URL, summing the pages below it): they come back with
//! `url: None`, so the caller can leave them out instead of counting twice.
//!
//! A row's period: Matomo writes a day as `2025-10-21` and a longer period
//! as its first and last day (`2025-10-20,2025-10-26`); a month (`2025-10`)
//! and a year (`2025`) are read too. `date` is the first day and `date_to`
//! the last, so the caller can tell a day from a longer period.

use crate::cell::{parse_digits, shown, trim};
use crate::header::normalise;
use crate::limits::Limits;
use crate::records::{RecordStream, Step};
use crate::text::TextEncoding;
use crate::{IngestError, Problem, ProblemKind};
use chrono::NaiveDate;
use komhen_domain::{da, dl};
use std::io::Read;

const FILE: &str = dl!("Matomo-eksporten");

/// Visits to one page (one row of the pages report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageVisits {
    pub line: u64,
    /// The period's (first) day, when the export has a date per row.
    pub date: Option<NaiveDate>,
    /// The period's last day (the same as `date` for a day).
    pub date_to: Option<NaiveDate>,
    /// The row's label: the page's path (`/borger/pas`) or a folder's name.
    pub label: String,
    /// The page's full URL (the `url` metadata), when exported.
    pub url: Option<String>,
    /// `nb_visits`: visits that saw the page.
    pub visits: i64,
    /// `nb_hits`: page views, when exported.
    pub hits: Option<i64>,
}

/// The site's total visits for one period (the visits summary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteVisits {
    pub line: u64,
    /// The day, when the export has a date per row; None for a one-period export.
    pub date: Option<NaiveDate>,
    /// The period's last day (the same as `date` for a day).
    pub date_to: Option<NaiveDate>,
    pub visits: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    Date,
    Label,
    Url,
    Visits,
    Hits,
}

const NO_DATA: &str = "no data available";

fn metric(header: &str, pages: bool) -> Option<Metric> {
    let key = normalise(header);
    let key = key.as_str();
    let metric = match key {
        "date" | "dato" | "datum" => Metric::Date,
        "label" | "etiket" | "bezeichnung" | "page url" | "side-url" | "seiten-url" => {
            Metric::Label
        }
        "nb_visits" | "visits" | "besøg" | "besuche" => Metric::Visits,
        "unique pageviews" | "unikke sidevisninger" | "eindeutige seitenansichten" if pages => {
            Metric::Visits
        }
        "value" if !pages => Metric::Visits,
        "nb_hits" | "hits" | "nb_pageviews" | "pageviews" | "sidevisninger" | "seitenansichten" => {
            Metric::Hits
        }
        "url" | "metadata_url" => Metric::Url,
        _ if key.ends_with(": url") => Metric::Url,
        _ => return None,
    };
    Some(metric)
}

/// The section titles of an e-mailed report holding the wanted table.
fn titles(pages: bool) -> &'static [&'static str] {
    if pages {
        &["page urls", "side-url'er", "seiten-urls"]
    } else {
        &["visits summary", "besøgsoversigt"]
    }
}

/// One table of a Matomo export: where its columns are, row by row.
struct MatomoTable<R: Read> {
    stream: RecordStream<R>,
    columns: [Option<usize>; 5],
    names: [String; 5],
    /// An e-mailed report: the table ends at the next section title.
    sectioned: bool,
    done: bool,
}

impl<R: Read> MatomoTable<R> {
    fn open(read: R, limits: Limits, pages: bool) -> Result<Self, IngestError> {
        let mut stream = RecordStream::open(FILE, read, limits, b',')?;
        let what = if pages {
            dl!("en kolonne med sidens etiket/URL og en med besøg (nb_visits)")
        } else {
            dl!("en kolonne med besøg (nb_visits)")
        };
        let (mut line, mut headers) = stream.header(FILE, what)?;
        let mut sectioned = false;
        let mut done = false;
        if headers.len() == 1 && metric(&headers[0], pages).is_none() {
            if normalise(&headers[0]) == NO_DATA {
                done = true;
            } else {
                // An e-mailed report: find the section.
                sectioned = true;
                (line, headers) = Self::find_section(&mut stream, pages)?;
            }
        }
        let mut columns = [None; 5];
        let mut names: [String; 5] = Default::default();
        for (index, header) in headers.iter().enumerate() {
            if let Some(m) = metric(header, pages) {
                if columns[m as usize].is_none() {
                    columns[m as usize] = Some(index);
                    names[m as usize] = header.clone();
                }
            }
        }
        let mut missing = Vec::new();
        if !done && columns[Metric::Visits as usize].is_none() {
            missing.push(Problem::cell(
                line,
                "nb_visits",
                ProblemKind::MissingColumn,
                if pages {
                    da!(
                        "kolonnen med besøg mangler. Forventede nb_visits, Visits, Besøg eller \
                         Unikke sidevisninger; fandt {}",
                        headers.join(", ")
                    )
                } else {
                    da!(
                        "kolonnen med besøg mangler. Forventede nb_visits, Visits, Besøg; fandt {}",
                        headers.join(", ")
                    )
                },
            ));
        }
        if !done && pages && columns[Metric::Label as usize].is_none() {
            missing.push(Problem::cell(
                line,
                "label",
                ProblemKind::MissingColumn,
                da!(
                    "kolonnen med sidens etiket mangler. Forventede label, Label, Etiket eller \
                     Side-URL; fandt {}",
                    headers.join(", ")
                ),
            ));
        }
        if !missing.is_empty() {
            return Err(IngestError::new(FILE, missing));
        }
        Ok(Self {
            stream,
            columns,
            names,
            sectioned,
            done,
        })
    }

    fn find_section(
        stream: &mut RecordStream<R>,
        pages: bool,
    ) -> Result<(u64, Vec<String>), IngestError> {
        let wanted = titles(pages);
        loop {
            match stream.next_header() {
                Step::Record(_) => {
                    let record = &stream.record;
                    let is_title = record.len() == 1
                        && wanted
                            .contains(&normalise(&String::from_utf8_lossy(&record[0])).as_str());
                    if is_title {
                        return match stream.next_header() {
                            Step::Record(line) => Ok((
                                line,
                                stream
                                    .record
                                    .iter()
                                    .map(|c| String::from_utf8_lossy(c).trim().to_owned())
                                    .collect(),
                            )),
                            Step::Fatal(problem) => Err(IngestError::one(FILE, problem)),
                            Step::End => Err(IngestError::one(
                                FILE,
                                Problem::line(
                                    1,
                                    ProblemKind::Unreadable,
                                    dl!("afsnittet har ingen overskrift"),
                                ),
                            )),
                        };
                    }
                }
                Step::Fatal(problem) => return Err(IngestError::one(FILE, problem)),
                Step::End => {
                    return Err(IngestError::one(
                        FILE,
                        Problem::line(
                            1,
                            ProblemKind::Unreadable,
                            da!(
                                "rapporten har intet afsnit «{}». Eksportér rapporten alene, \
                                 eller send en rapport med det afsnit",
                                if pages { "Page URLs" } else { "Visits Summary" }
                            ),
                        ),
                    ))
                }
            }
        }
    }

    /// The next row's line, or the end, or a problem that ends the file.
    fn next_line(&mut self) -> Option<Result<u64, Problem>> {
        if self.done {
            return None;
        }
        match self.stream.next_row() {
            Step::Record(line) => {
                let record = &self.stream.record;
                if record.len() == 1 {
                    let text = normalise(&String::from_utf8_lossy(&record[0]));
                    if self.sectioned || text == NO_DATA {
                        // The next section's title (or an empty table): the table is over.
                        self.done = true;
                        return None;
                    }
                }
                Some(Ok(line))
            }
            Step::End => {
                self.done = true;
                None
            }
            Step::Fatal(problem) => {
                self.done = true;
                Some(Err(problem))
            }
        }
    }

    fn cell(&self, metric: Metric) -> Option<&[u8]> {
        self.columns[metric as usize].map(|i| self.stream.record.get(i).map_or(&b""[..], trim))
    }

    fn count(&self, line: u64, metric: Metric, problems: &mut Vec<Problem>) -> Option<i64> {
        let bytes = self.cell(metric)?;
        if bytes.is_empty() {
            return Some(0);
        }
        let value = parse_digits(bytes).and_then(|n| i64::try_from(n).ok());
        if value.is_none() {
            problems.push(Problem::cell(
                line,
                self.names[metric as usize].clone(),
                ProblemKind::Invalid,
                da!(
                    "«{}» er ikke et antal. Forventede et helt tal uden tusindtalsskilletegn",
                    shown(bytes)
                ),
            ));
        }
        value
    }

    /// The row's period: its first and last day.
    fn period(&self, line: u64, problems: &mut Vec<Problem>) -> Option<(NaiveDate, NaiveDate)> {
        let bytes = self.cell(Metric::Date)?;
        let period = period_of(bytes);
        if period.is_none() {
            problems.push(Problem::cell(
                line,
                self.names[Metric::Date as usize].clone(),
                ProblemKind::Invalid,
                da!(
                    "ugyldig dato «{}». Forventede ÅÅÅÅ-MM-DD som i Matomos eksport pr. dag \
                     (eller en periode som 2025-10-20,2025-10-26, en måned som 2025-10 \
                     eller et år som 2025)",
                    shown(bytes)
                ),
            ));
        }
        period
    }
}

/// The first and last day a date cell names: days (`2025-10-21`, or the
/// first and last of several), a month (`2025-10`) or a year (`2025`).
fn period_of(bytes: &[u8]) -> Option<(NaiveDate, NaiveDate)> {
    let mut days = bytes
        .windows(10)
        .filter(|w| w[4] == b'-' && w[7] == b'-')
        .filter_map(crate::cell::parse_date);
    if let Some(first) = days.next() {
        let last = days.next_back().unwrap_or(first);
        return (first <= last).then_some((first, last));
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let number = |t: &str| {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<u32>().ok())
            .flatten()
    };
    match text.split_once('-') {
        Some((year, month)) if year.len() == 4 && month.len() == 2 => {
            let year = i32::try_from(number(year)?).ok()?;
            let first = NaiveDate::from_ymd_opt(year, number(month)?, 1)?;
            let next = first.checked_add_months(chrono::Months::new(1))?;
            Some((first, next.pred_opt()?))
        }
        None if text.len() == 4 => {
            let year = i32::try_from(number(text)?).ok()?;
            Some((
                NaiveDate::from_ymd_opt(year, 1, 1)?,
                NaiveDate::from_ymd_opt(year, 12, 31)?,
            ))
        }
        _ => None,
    }
}

/// Reads the pages report ("Page URLs", `Actions.getPageUrls`).
pub struct MatomoPagesReader<R: Read> {
    table: MatomoTable<R>,
}

impl<R: Read> MatomoPagesReader<R> {
    pub fn new(read: R) -> Result<Self, IngestError> {
        Self::with_limits(read, Limits::default())
    }

    pub fn with_limits(read: R, limits: Limits) -> Result<Self, IngestError> {
        Ok(Self {
            table: MatomoTable::open(read, limits, true)?,
        })
    }

    pub fn encoding(&self) -> TextEncoding {
        self.table.stream.encoding()
    }

    /// True when the export has a date per row.
    pub fn has_dates(&self) -> bool {
        self.table.columns[Metric::Date as usize].is_some()
    }

    /// True when the export has the pages' URLs (`metadata_url`): then a
    /// row without one is a folder, not a page.
    pub fn has_urls(&self) -> bool {
        self.table.columns[Metric::Url as usize].is_some()
    }
}

impl<R: Read> Iterator for MatomoPagesReader<R> {
    type Item = Result<PageVisits, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = match self.table.next_line()? {
            Ok(line) => line,
            Err(problem) => return Some(Err(vec![problem])),
        };
        let table = &self.table;
        let mut problems = Vec::new();
        let period = table.period(line, &mut problems);
        let label = table.cell(Metric::Label).unwrap_or_default();
        let label = String::from_utf8_lossy(label).into_owned();
        let url = table
            .cell(Metric::Url)
            .filter(|u| !u.is_empty())
            .map(|u| String::from_utf8_lossy(u).into_owned());
        let visits = table.count(line, Metric::Visits, &mut problems);
        let hits = table.count(line, Metric::Hits, &mut problems);
        if label.is_empty() {
            problems.push(Problem::cell(
                line,
                table.names[Metric::Label as usize].clone(),
                ProblemKind::Empty,
                dl!("sidens etiket mangler"),
            ));
        }
        Some(match visits {
            Some(visits) if problems.is_empty() => Ok(PageVisits {
                line,
                date: period.map(|p| p.0),
                date_to: period.map(|p| p.1),
                label,
                url,
                visits,
                hits,
            }),
            _ => Err(problems),
        })
    }
}

/// Reads the visits summary (`VisitsSummary.get`): the site's visits per period.
pub struct MatomoVisitsReader<R: Read> {
    table: MatomoTable<R>,
}

impl<R: Read> MatomoVisitsReader<R> {
    pub fn new(read: R) -> Result<Self, IngestError> {
        Self::with_limits(read, Limits::default())
    }

    pub fn with_limits(read: R, limits: Limits) -> Result<Self, IngestError> {
        Ok(Self {
            table: MatomoTable::open(read, limits, false)?,
        })
    }

    pub fn encoding(&self) -> TextEncoding {
        self.table.stream.encoding()
    }
}

impl<R: Read> Iterator for MatomoVisitsReader<R> {
    type Item = Result<SiteVisits, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = match self.table.next_line()? {
            Ok(line) => line,
            Err(problem) => return Some(Err(vec![problem])),
        };
        let mut problems = Vec::new();
        let period = self.table.period(line, &mut problems);
        let visits = self.table.count(line, Metric::Visits, &mut problems);
        Some(match visits {
            Some(visits) if problems.is_empty() => Ok(SiteVisits {
                line,
                date: period.map(|p| p.0),
                date_to: period.map(|p| p.1),
                visits,
            }),
            _ => Err(problems),
        })
    }
}
