//! The joint hotline's calls as a plain CSV, one row per call, for phone
//! systems without an Asterisk queue log.
//!
//! Owns reading the columns (in any order; names in any case, `kø` also
//! as `koe` or `ko`, each with an English alias):
//!
//! | column | alias | holds |
//! |---|---|---|
//! | `opkald` (required) | `callid`, `id` | the phone system's id of the call |
//! | `kø` | `koe`, `ko`, `queue` | the queue; empty when absent (the caller fills it in) |
//! | `ankomst` (required) | `arrival` | when the call arrived |
//! | `besvaret` | `answered` | when an agent answered; empty if nobody did |
//! | `slut` | `end` | when the call ended; empty if the file has no end |
//! | `udfald` | `outcome` | [`CallOutcome::code`]: `besvaret`, `opgivet`, `timeout`, `ingen_agenter`, `tast`, `ukendt` (or `answered`, `abandoned`, `timeout`, `noagents`, `key`, `unknown`) |
//! | `medarbejder` | `agent` | the agent who answered |
//!
//! Times are Danish local time, `2026-03-02 08:15:00` (or with `T`), or
//! `02-03-2026 08:15` (seconds optional; also with `.` or `/`). Without an
//! outcome (no column, or an empty cell) it is answered if the call has an
//! answer time, else abandoned if it has an end, else unknown. Other
//! columns are ignored and handed back by name. Any encoding and separator
//! `text` finds. Every problem of a row is reported at once.
//!
//! Must not decide which queues belong to the hotline, nor whether a call
//! was already imported (core does, by `opkald` and arrival).

use crate::cell::{parse_date_time, shown, trim, DanishClock};
use crate::header::{ColumnSpec, HeaderMap};
use crate::limits::Limits;
use crate::records::{RecordStream, Step};
use crate::text::TextEncoding;
use crate::{IngestError, Problem, ProblemKind};
use chrono::{DateTime, Utc};
use csv::ByteRecord;
use komhen_domain::hotline::{Call, CallOutcome};
use komhen_domain::{da, danish_local, dl};
use std::io::Read;

const FILE: &str = dl!("opkaldsfilen");

/// One row of the file: a call, and the line it stands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRow {
    pub line: u64,
    pub call: Call,
}

#[derive(Clone, Copy)]
enum Col {
    Id,
    Queue,
    Arrived,
    Answered,
    Ended,
    Outcome,
    Agent,
}

/// The columns (indexes match [`Col`]).
const SPECS: [ColumnSpec; 7] = [
    ColumnSpec {
        name: "opkald",
        aliases: &["callid", "id", "call_id", "opkalds-id"],
        required: true,
    },
    ColumnSpec {
        name: "kø",
        aliases: &["koe", "ko", "queue"],
        required: false,
    },
    ColumnSpec {
        name: "ankomst",
        aliases: &["arrival", "arrived_at"],
        required: true,
    },
    ColumnSpec {
        name: "besvaret",
        aliases: &["answered", "answered_at"],
        required: false,
    },
    ColumnSpec {
        name: "slut",
        aliases: &["end", "ended_at"],
        required: false,
    },
    ColumnSpec {
        name: "udfald",
        aliases: &["outcome"],
        required: false,
    },
    ColumnSpec {
        name: "medarbejder",
        aliases: &["agent"],
        required: false,
    },
];

/// The English names of the outcomes, beside [`CallOutcome::code`].
const ENGLISH_OUTCOMES: [(&str, CallOutcome); 8] = [
    ("answered", CallOutcome::Answered),
    ("abandoned", CallOutcome::Abandoned),
    ("timeout", CallOutcome::TimedOut),
    ("timedout", CallOutcome::TimedOut),
    ("noagents", CallOutcome::NoAgents),
    ("key", CallOutcome::LeftWithKey),
    ("leftwithkey", CallOutcome::LeftWithKey),
    ("unknown", CallOutcome::Unknown),
];

/// An outcome by its Danish code or English name, in any case, with or
/// without `_`, `-` or spaces (`ingen agenter`, `no_agents`).
fn parse_outcome(text: &str) -> Option<CallOutcome> {
    let key: String = text
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    CallOutcome::ALL
        .into_iter()
        .find(|o| o.code().replace('_', "") == key)
        .or_else(|| {
            ENGLISH_OUTCOMES
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, o)| *o)
        })
}

/// An instant as a Danish reader sees it.
fn local(at: DateTime<Utc>) -> String {
    danish_local(at).format("%d-%m-%Y %H:%M:%S").to_string()
}

/// Reads a calls CSV row by row, at constant memory.
pub struct CallsReader<R: Read> {
    stream: RecordStream<R>,
    header: HeaderMap,
    extra_headers: Vec<String>,
    clock: DanishClock,
}

impl<R: Read> CallsReader<R> {
    pub fn new(read: R) -> Result<Self, IngestError> {
        Self::with_limits(read, Limits::default())
    }

    /// Reads and checks the header: `opkald` and `ankomst` at least.
    pub fn with_limits(read: R, limits: Limits) -> Result<Self, IngestError> {
        let mut stream = RecordStream::open(FILE, read, limits, b';')?;
        let (line, headers) = stream.header(
            FILE,
            dl!("kolonnerne opkald;kø;ankomst;besvaret;slut;udfald;medarbejder"),
        )?;
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
        let header = HeaderMap::resolve(&headers, &SPECS, line)
            .map_err(|problems| IngestError::new(FILE, problems))?;
        let extra_headers = header.extra_headers();
        Ok(Self {
            stream,
            header,
            extra_headers,
            clock: DanishClock::default(),
        })
    }

    /// Columns of the file the format does not have (ignored).
    pub fn extra_headers(&self) -> &[String] {
        &self.extra_headers
    }

    pub fn encoding(&self) -> TextEncoding {
        self.stream.encoding()
    }

    pub fn delimiter(&self) -> u8 {
        self.stream.delimiter()
    }

    fn name(&self, col: Col) -> String {
        self.header.names[col as usize].clone()
    }

    /// A time cell: None when empty; Err when not a time (its problem pushed).
    fn time(
        &mut self,
        line: u64,
        record: &ByteRecord,
        col: Col,
        what: &str,
        problems: &mut Vec<Problem>,
    ) -> Result<Option<DateTime<Utc>>, ()> {
        let bytes = cell(&self.header, record, col);
        if bytes.is_empty() {
            return Ok(None);
        }
        let expected = dl!(
            "Forventede fx 2026-03-02 08:15:00, 2026-03-02T08:15:00 eller \
                        02-03-2026 08:15, i dansk tid"
        );
        match parse_date_time(bytes) {
            Some((date, Some(time))) => match self.clock.instant(date, time) {
                Some(at) => Ok(Some(at)),
                None => {
                    problems.push(Problem::cell(
                        line,
                        self.name(col),
                        ProblemKind::NonexistentTime,
                        da!(
                            "{what} {time} den {} findes ikke i dansk tid (overgangen til \
                             sommertid). Er tiderne skrevet i UTC? Filens tider skal være \
                             dansk tid",
                            date.format("%d-%m-%Y")
                        ),
                    ));
                    Err(())
                }
            },
            Some((_, None)) => {
                problems.push(Problem::cell(
                    line,
                    self.name(col),
                    ProblemKind::Invalid,
                    da!(
                        "{what} «{}» mangler klokkeslættet. {expected}",
                        shown(bytes)
                    ),
                ));
                Err(())
            }
            None => {
                problems.push(Problem::cell(
                    line,
                    self.name(col),
                    ProblemKind::Invalid,
                    da!("{what} «{}» er ikke et tidspunkt. {expected}", shown(bytes)),
                ));
                Err(())
            }
        }
    }

    fn parse(&mut self, line: u64, record: &ByteRecord) -> Result<CallRow, Vec<Problem>> {
        let mut problems = self.header.stray_values(line, record);
        let text = |col: Col| String::from_utf8_lossy(cell(&self.header, record, col)).into_owned();
        let call_id = text(Col::Id);
        if call_id.is_empty() {
            problems.push(Problem::cell(
                line,
                self.name(Col::Id),
                ProblemKind::Empty,
                dl!(
                    "opkaldets id mangler. Hvert opkald skal have telefonsystemets id for opkaldet"
                ),
            ));
        }
        let queue = text(Col::Queue);
        let agent = Some(text(Col::Agent)).filter(|a| !a.is_empty());
        let outcome_text = text(Col::Outcome);
        let arrived = self.time(
            line,
            record,
            Col::Arrived,
            dl!("ankomsttidspunktet"),
            &mut problems,
        );
        if matches!(arrived, Ok(None)) {
            problems.push(Problem::cell(
                line,
                self.name(Col::Arrived),
                ProblemKind::Empty,
                dl!(
                    "ankomsttidspunktet mangler. Forventede fx 2026-03-02 08:15:00 eller \
                 02-03-2026 08:15, i dansk tid"
                ),
            ));
        }
        let answered = self.time(
            line,
            record,
            Col::Answered,
            dl!("tidspunktet for besvarelse"),
            &mut problems,
        );
        let ended = self.time(
            line,
            record,
            Col::Ended,
            dl!("sluttidspunktet"),
            &mut problems,
        );
        let (arrived, answered, ended) = (
            arrived.ok().flatten(),
            answered.unwrap_or_default(),
            ended.unwrap_or_default(),
        );
        if let (Some(arrived), Some(answered)) = (arrived, answered) {
            if answered < arrived {
                problems.push(Problem::cell(
                    line,
                    self.name(Col::Answered),
                    ProblemKind::Conflict,
                    da!(
                        "opkaldet er besvaret {}, før det ankom {}. Tjek, at kolonnerne ikke \
                         er byttet om",
                        local(answered),
                        local(arrived)
                    ),
                ));
            }
        }
        if let Some(ended) = ended {
            if let Some(arrived) = arrived.filter(|a| ended < *a) {
                problems.push(Problem::cell(
                    line,
                    self.name(Col::Ended),
                    ProblemKind::Conflict,
                    da!(
                        "opkaldet slutter {}, før det ankom {}. Tjek, at kolonnerne ikke er \
                         byttet om",
                        local(ended),
                        local(arrived)
                    ),
                ));
            } else if let Some(answered) = answered.filter(|a| ended < *a) {
                problems.push(Problem::cell(
                    line,
                    self.name(Col::Ended),
                    ProblemKind::Conflict,
                    da!(
                        "opkaldet slutter {}, før det blev besvaret {}. Tjek, at kolonnerne \
                         ikke er byttet om",
                        local(ended),
                        local(answered)
                    ),
                ));
            }
        }
        let outcome = if outcome_text.is_empty() {
            Some(if answered.is_some() {
                CallOutcome::Answered
            } else if ended.is_some() {
                CallOutcome::Abandoned
            } else {
                CallOutcome::Unknown
            })
        } else {
            let outcome = parse_outcome(&outcome_text);
            match outcome {
                None => problems.push(Problem::cell(
                    line,
                    self.name(Col::Outcome),
                    ProblemKind::Invalid,
                    da!(
                        "ukendt udfald «{}». Forventede {} (eller på engelsk answered, \
                         abandoned, timeout, noagents, key eller unknown)",
                        shown(outcome_text.as_bytes()),
                        allowed_outcomes()
                    ),
                )),
                Some(CallOutcome::Answered) if answered.is_none() => {
                    problems.push(Problem::cell(
                        line,
                        self.name(Col::Outcome),
                        ProblemKind::Conflict,
                        da!(
                            "udfaldet er «besvaret», men tidspunktet for besvarelse (kolonnen \
                             «{}») mangler. Skriv, hvornår opkaldet blev besvaret, eller ret \
                             udfaldet",
                            self.name(Col::Answered)
                        ),
                    ));
                }
                Some(lost) if lost.is_lost() => {
                    if let Some(answered) = answered {
                        problems.push(Problem::cell(
                            line,
                            self.name(Col::Outcome),
                            ProblemKind::Conflict,
                            da!(
                                "udfaldet «{}» betyder, at ingen besvarede opkaldet, men det \
                                 er besvaret {}. Ret udfaldet til besvaret, eller slet \
                                 tidspunktet for besvarelse",
                                lost.code(),
                                local(answered)
                            ),
                        ));
                    }
                }
                Some(_) => {}
            }
            outcome
        };
        match (arrived, outcome) {
            (Some(arrived_at), Some(outcome)) if problems.is_empty() => Ok(CallRow {
                line,
                call: Call {
                    call_id,
                    queue,
                    arrived_at,
                    answered_at: answered,
                    ended_at: ended,
                    outcome,
                    agent,
                    transferred: false,
                },
            }),
            _ => Err(problems),
        }
    }
}

fn cell<'r>(header: &HeaderMap, record: &'r ByteRecord, col: Col) -> &'r [u8] {
    header.positions[col as usize]
        .and_then(|i| record.get(i))
        .map_or(&b""[..], trim)
}

/// The outcome codes, `a, b … eller z`.
fn allowed_outcomes() -> String {
    let codes: Vec<&str> = CallOutcome::ALL.iter().map(|o| o.code()).collect();
    match codes.split_last() {
        Some((last, rest)) => da!("{} eller {last}", rest.join(", ")),
        None => String::new(),
    }
}

impl<R: Read> Iterator for CallsReader<R> {
    type Item = Result<CallRow, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(text: &str) -> Vec<Result<CallRow, Vec<Problem>>> {
        CallsReader::new(text.as_bytes()).unwrap().collect()
    }

    fn rows(text: &str) -> Vec<CallRow> {
        read(text)
            .into_iter()
            .map(|r| r.unwrap_or_else(|p| panic!("{p:?}")))
            .collect()
    }

    /// The one problem of a one-row file.
    fn problem(text: &str) -> Problem {
        let mut items = read(text);
        assert_eq!(items.len(), 1);
        let mut problems = items.remove(0).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems.remove(0)
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().into()
    }

    #[test]
    fn danish_headers_semicolons_and_danish_local_time() {
        let text = "opkald;kø;ankomst;besvaret;slut;udfald;medarbejder\n\
                    1001;hotline;2026-03-02 08:00:00;2026-03-02 08:00:42;2026-03-02T08:05:42;besvaret;Anne\n\
                    1002;hotline;02-03-2026 08:10;;02-03-2026 08:10:30;opgivet;\n\
                    1003;aften;2026-06-01 20:00:00;;2026-06-01 20:00:00;ingen_agenter;\n\
                    1004;hotline;2026-03-02 09:00:00;;2026-03-02 09:05:00;timeout;\n\
                    1005;hotline;2026-03-02 09:10:00;;2026-03-02 09:10:20;tast;\n\
                    1006;hotline;2026-03-02 09:20:00;;;ukendt;\n";
        let reader = CallsReader::new(text.as_bytes()).unwrap();
        assert_eq!(reader.delimiter(), b';');
        let rows: Vec<CallRow> = reader.map(Result::unwrap).collect();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0].line, 2);
        let first = &rows[0].call;
        assert_eq!(first.call_id, "1001");
        assert_eq!(first.queue, "hotline");
        assert_eq!(
            first.arrived_at,
            utc("2026-03-02T07:00:00Z"),
            "winter: UTC+1"
        );
        assert_eq!(first.answered_at, Some(utc("2026-03-02T07:00:42Z")));
        assert_eq!(first.ended_at, Some(utc("2026-03-02T07:05:42Z")));
        assert_eq!(first.outcome, CallOutcome::Answered);
        assert_eq!(first.agent.as_deref(), Some("Anne"));
        assert!(!first.transferred);
        assert_eq!(
            (first.wait_seconds(), first.talk_seconds()),
            (Some(42), Some(300))
        );
        assert_eq!(rows[1].call.agent, None);
        assert_eq!(rows[1].call.wait_seconds(), Some(30));
        assert_eq!(
            rows[2].call.arrived_at,
            utc("2026-06-01T18:00:00Z"),
            "summer: UTC+2"
        );
        let outcomes: Vec<CallOutcome> = rows.iter().map(|r| r.call.outcome).collect();
        assert_eq!(
            outcomes,
            vec![
                CallOutcome::Answered,
                CallOutcome::Abandoned,
                CallOutcome::NoAgents,
                CallOutcome::TimedOut,
                CallOutcome::LeftWithKey,
                CallOutcome::Unknown,
            ]
        );
    }

    #[test]
    fn english_headers_commas_and_outcome_aliases() {
        let text = "CallID,Queue,Arrival,Answered,End,Outcome,Agent,Caller\n\
                    a,q,2026-03-02 08:00:00,2026-03-02 08:00:10,2026-03-02 08:01:00,ANSWERED,SIP/1,12345678\n\
                    b,q,2026-03-02 08:00:00,,2026-03-02 08:01:00,abandoned,,\n\
                    c,q,2026-03-02 08:00:00,,2026-03-02 08:01:00,No Agents,,\n\
                    d,q,2026-03-02 08:00:00,,2026-03-02 08:01:00,key,,\n\
                    e,q,2026-03-02 08:00:00,,,unknown,,\n\
                    f,q,2026-03-02 08:00:00,,2026-03-02 08:01:00,Ingen agenter,,\n";
        let reader = CallsReader::new(text.as_bytes()).unwrap();
        assert_eq!(reader.delimiter(), b',');
        assert_eq!(reader.extra_headers(), ["Caller"]);
        let outcomes: Vec<CallOutcome> = reader.map(|r| r.unwrap().call.outcome).collect();
        assert_eq!(
            outcomes,
            vec![
                CallOutcome::Answered,
                CallOutcome::Abandoned,
                CallOutcome::NoAgents,
                CallOutcome::LeftWithKey,
                CallOutcome::Unknown,
                CallOutcome::NoAgents,
            ]
        );
        // Accents and case: KØ, Koe and ko are the queue.
        for header in ["KØ", "Koe", "ko"] {
            let text = format!("Opkald;{header};Ankomst\n1;hotline;2026-03-02 08:00\n");
            assert_eq!(rows(&text)[0].call.queue, "hotline", "{header}");
        }
    }

    #[test]
    fn without_an_outcome_it_is_derived_and_the_queue_is_empty() {
        let text = "id;arrival;answered;end\n\
                    a;2026-03-02 08:00;2026-03-02 08:00:20;2026-03-02 08:03\n\
                    b;2026-03-02 08:00;;2026-03-02 08:00:40\n\
                    c;2026-03-02 08:00;;\n\
                    d;2026-03-02 08:00;2026-03-02 08:00:20;\n";
        let got: Vec<(CallOutcome, String)> = rows(text)
            .into_iter()
            .map(|r| (r.call.outcome, r.call.queue))
            .collect();
        assert_eq!(
            got,
            vec![
                (CallOutcome::Answered, String::new()),
                (CallOutcome::Abandoned, String::new()),
                (CallOutcome::Unknown, String::new()),
                (CallOutcome::Answered, String::new()),
            ]
        );
        // An empty outcome cell is derived too.
        let text = "opkald;ankomst;slut;udfald\na;2026-03-02 08:00;2026-03-02 08:01;\n";
        assert_eq!(rows(text)[0].call.outcome, CallOutcome::Abandoned);
    }

    #[test]
    fn missing_required_columns_are_reported_together() {
        let error = CallsReader::new("kø;besvaret\nq;2026-03-02 08:00\n".as_bytes())
            .err()
            .unwrap();
        let found: Vec<(u64, Option<&str>, ProblemKind)> = error
            .problems
            .iter()
            .map(|p| (p.line, p.column.as_deref(), p.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                (1, Some("opkald"), ProblemKind::MissingColumn),
                (1, Some("ankomst"), ProblemKind::MissingColumn),
            ]
        );
        assert!(error.problems[0]
            .message
            .starts_with("kolonnen «opkald» (eller callid, id, call_id, opkalds-id) mangler"));
        let empty = CallsReader::new(&b""[..]).err().unwrap();
        assert!(empty.problems[0].message.starts_with("filen er tom"));
    }

    const HEADER: &str = "opkald;ankomst;besvaret;slut;udfald\n";

    fn one(row: &str) -> Problem {
        problem(&format!("{HEADER}{row}\n"))
    }

    #[test]
    fn each_problem_names_its_cell_and_says_what_is_wrong() {
        let cases: [(&str, &str, ProblemKind, &str); 12] = [
            (
                ";2026-03-02 08:00;;;",
                "opkald",
                ProblemKind::Empty,
                "opkaldets id mangler. Hvert opkald skal have telefonsystemets id for opkaldet",
            ),
            (
                "a;;;;",
                "ankomst",
                ProblemKind::Empty,
                "ankomsttidspunktet mangler. Forventede fx 2026-03-02 08:15:00 eller \
                 02-03-2026 08:15, i dansk tid",
            ),
            (
                "a;2026-03-02 8.15;;;",
                "ankomst",
                ProblemKind::Invalid,
                "ankomsttidspunktet «2026-03-02 8.15» er ikke et tidspunkt. Forventede fx \
                 2026-03-02 08:15:00, 2026-03-02T08:15:00 eller 02-03-2026 08:15, i dansk tid",
            ),
            (
                "a;2026-03-02 08:00;i morgen;;",
                "besvaret",
                ProblemKind::Invalid,
                "tidspunktet for besvarelse «i morgen» er ikke et tidspunkt. Forventede fx \
                 2026-03-02 08:15:00, 2026-03-02T08:15:00 eller 02-03-2026 08:15, i dansk tid",
            ),
            (
                "a;2026-03-02 08:00;;2026-03-02;",
                "slut",
                ProblemKind::Invalid,
                "sluttidspunktet «2026-03-02» mangler klokkeslættet. Forventede fx \
                 2026-03-02 08:15:00, 2026-03-02T08:15:00 eller 02-03-2026 08:15, i dansk tid",
            ),
            (
                "a;29-03-2026 02:30;;;",
                "ankomst",
                ProblemKind::NonexistentTime,
                "ankomsttidspunktet 02:30:00 den 29-03-2026 findes ikke i dansk tid \
                 (overgangen til sommertid). Er tiderne skrevet i UTC? Filens tider skal være \
                 dansk tid",
            ),
            (
                "a;2026-03-02 08:00;2026-03-02 07:59;2026-03-02 08:05;",
                "besvaret",
                ProblemKind::Conflict,
                "opkaldet er besvaret 02-03-2026 07:59:00, før det ankom 02-03-2026 08:00:00. \
                 Tjek, at kolonnerne ikke er byttet om",
            ),
            (
                "a;2026-03-02 08:00;;2026-03-02 07:00;",
                "slut",
                ProblemKind::Conflict,
                "opkaldet slutter 02-03-2026 07:00:00, før det ankom 02-03-2026 08:00:00. \
                 Tjek, at kolonnerne ikke er byttet om",
            ),
            (
                "a;2026-03-02 08:00;2026-03-02 08:02;2026-03-02 08:01;",
                "slut",
                ProblemKind::Conflict,
                "opkaldet slutter 02-03-2026 08:01:00, før det blev besvaret \
                 02-03-2026 08:02:00. Tjek, at kolonnerne ikke er byttet om",
            ),
            (
                "a;2026-03-02 08:00;;2026-03-02 08:01;besvaret",
                "udfald",
                ProblemKind::Conflict,
                "udfaldet er «besvaret», men tidspunktet for besvarelse (kolonnen «besvaret») \
                 mangler. Skriv, hvornår opkaldet blev besvaret, eller ret udfaldet",
            ),
            (
                "a;2026-03-02 08:00;2026-03-02 08:01;2026-03-02 08:02;opgivet",
                "udfald",
                ProblemKind::Conflict,
                "udfaldet «opgivet» betyder, at ingen besvarede opkaldet, men det er besvaret \
                 02-03-2026 08:01:00. Ret udfaldet til besvaret, eller slet tidspunktet for \
                 besvarelse",
            ),
            (
                "a;2026-03-02 08:00;;;lagt på",
                "udfald",
                ProblemKind::Invalid,
                "ukendt udfald «lagt på». Forventede besvaret, opgivet, timeout, \
                 ingen_agenter, tast eller ukendt (eller på engelsk answered, abandoned, \
                 timeout, noagents, key eller unknown)",
            ),
        ];
        for (row, column, kind, message) in cases {
            let p = one(row);
            assert_eq!(
                (p.line, p.column.as_deref(), p.kind, p.message.as_str()),
                (2, Some(column), kind, message),
                "{row}"
            );
        }
    }

    #[test]
    fn every_problem_of_a_row_is_reported_at_once() {
        let items = read(&format!("{HEADER};x;y;z;w;stray\n"));
        let problems = items[0].as_ref().unwrap_err();
        let columns: Vec<Option<&str>> = problems.iter().map(|p| p.column.as_deref()).collect();
        assert_eq!(
            columns,
            vec![
                None,
                Some("opkald"),
                Some("ankomst"),
                Some("besvaret"),
                Some("slut"),
                Some("udfald"),
            ]
        );
        assert_eq!(
            problems[0].kind,
            ProblemKind::Layout,
            "a value without a header"
        );
    }

    #[test]
    fn too_many_rows_ends_the_file() {
        let text = format!(
            "{HEADER}a;2026-03-02 08:00;;;\nb;2026-03-02 08:00;;;\nc;2026-03-02 08:00;;;\n"
        );
        let limits = Limits {
            max_rows: 2,
            ..Limits::default()
        };
        let items: Vec<_> = CallsReader::with_limits(text.as_bytes(), limits)
            .unwrap()
            .collect();
        assert_eq!(items.len(), 3);
        let last = &items[2].as_ref().unwrap_err()[0];
        assert_eq!((last.line, last.kind), (4, ProblemKind::Limit));
        assert!(last.message.starts_with("filen har flere end 2 rækker"));
    }

    #[test]
    fn windows_1252_and_utf16_files_are_read() {
        // "opkald;kø;ankomst" in Windows-1252, CRLF.
        let bytes = b"opkald;k\xf8;ankomst\r\n1;hotline;2026-03-02 08:00\r\n";
        let reader = CallsReader::new(&bytes[..]).unwrap();
        assert_eq!(reader.encoding(), TextEncoding::Windows1252);
        let rows: Vec<CallRow> = reader.map(Result::unwrap).collect();
        assert_eq!(rows[0].call.queue, "hotline");
        let text = "opkald\tankomst\n1\t2026-03-02 08:00\n";
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let rows: Vec<CallRow> = CallsReader::new(&utf16[..])
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows[0].call.call_id, "1");
    }
}
