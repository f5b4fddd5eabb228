//! The queue log of an Asterisk phone system (`queue_log`): the joint
//! hotline's calls as its queues saw them.
//!
//! Owns reading the file Asterisk's `app_queue` writes, one event a line
//! and no header: `time|callid|queuename|agent|event|data1|data2|…`, `time`
//! in Unix seconds (Asterisk writes whole seconds; a fraction such as
//! `1419868380.123456` is read too), as many data fields as the Asterisk
//! version writes (newer ones write `data4` and `data5`). The events of one
//! call are gathered by `callid` and queue (a call moved to another queue
//! is a new visit, and so a new [`Call`]) and the call is handed over when
//! it leaves the queue:
//!
//! | event | data | the call |
//! |---|---|---|
//! | `ENTERQUEUE` | url, callerid, position | arrives |
//! | `CONNECT` | holdtime, bridged uniqueid, ringtime | answered by `agent` |
//! | `COMPLETEAGENT`, `COMPLETECALLER` | holdtime, calltime, origposition | ends, answered |
//! | `TRANSFER` | extension, context, holdtime, calltime | ends, answered, transferred |
//! | `BLINDTRANSFER` | extension, context, holdtime, calltime | ends, answered, transferred |
//! | `ATTENDEDTRANSFER` | method, data, holdtime, calltime | ends, answered, transferred |
//! | `ABANDON` | position, origposition, waittime | ends, [`CallOutcome::Abandoned`] |
//! | `EXITWITHTIMEOUT` | position, origposition, waittime | ends, [`CallOutcome::TimedOut`] |
//! | `EXITEMPTY` | position, origposition, waittime | ends, [`CallOutcome::NoAgents`] |
//! | `EXITWITHKEY` | key, position, origposition, waittime | ends, [`CallOutcome::LeftWithKey`] |
//! | `JOINEMPTY` | — | arrives and ends at once (no `ENTERQUEUE`), [`CallOutcome::NoAgents`] |
//! | `RINGNOANSWER`, `RINGCANCELED` | ringtime | stays in the queue |
//!
//! A call whose `ENTERQUEUE` is not in the file (the log was rotated while
//! it waited) gets its arrival from the first event that has one: `CONNECT`
//! (time − holdtime), the end of the talk (time − calltime − holdtime) or
//! leaving the queue (time − waittime). Calls still in the queue when the
//! file ends are handed over last, by arrival: answered with no end if an
//! agent answered, else [`CallOutcome::Unknown`]. A lost event after
//! `CONNECT` (Asterisk writes none) ends the call as answered.
//!
//! Events of queues and agents rather than calls (`QUEUESTART`,
//! `CONFIGRELOAD`, `AGENTLOGIN`, `AGENTLOGOFF`, `AGENTCALLBACKLOGIN`,
//! `AGENTCALLBACKLOGOFF`, `ADDMEMBER`, `REMOVEMEMBER`, `PAUSE`, `UNPAUSE`,
//! `PAUSEALL`, `UNPAUSEALL`, `PENALTY`, `AGENTDUMP`, `SYSCOMPAT`, `DID`,
//! `INFO`), and any event with the callid `NONE` or `REALTIME`, are
//! skipped and counted; an event komhen does not know (a dialplan's own
//! `QueueLog()` event) is counted by name in the [`QueueLogSummary`], never
//! a problem.
//!
//! Memory is bounded whatever the file: a line at a time (within
//! [`MAX_LINE_BYTES`]), at most [`MAX_OPEN_CALLS`] calls waiting at once,
//! names of at most [`MAX_NAME_BYTES`], at most [`MAX_UNKNOWN_EVENT_NAMES`]
//! unknown names remembered.
//!
//! Must not decide which queues belong to the hotline, nor whether a call
//! was already imported (core does, by `call_id` and arrival).

use crate::cell::{parse_digits, shown, trim};
use crate::limits::{line_too_large, ByteLimit, Limits, Refusal, MAX_LINE_BYTES};
use crate::summary::danish_number;
use crate::text::{io_problem, TextDecoder, TextEncoding};
use crate::{IngestError, Problem, ProblemKind};
use chrono::{DateTime, Duration, Utc};
use komhen_domain::hotline::{Call, CallOutcome};
use komhen_domain::{da, danish_local, dl};
use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Read};

const FILE: &str = dl!("kø-loggen (Asterisk queue_log)");

/// The most calls waiting in the queues at once (an `ENTERQUEUE` not yet
/// followed by its end). A hotline has tens; a file over this is not a
/// queue log, or has lost its ends.
pub const MAX_OPEN_CALLS: usize = 100_000;

/// The most bytes of a `callid`, queue or agent name (Asterisk's unique
/// ids are at most 150).
pub const MAX_NAME_BYTES: usize = 256;

/// The most distinct unknown event names counted by name; the rest are
/// counted together.
pub const MAX_UNKNOWN_EVENT_NAMES: usize = 50;

/// Problems kept for one call (the rest of its problems would repeat them).
const MAX_PROBLEMS_PER_CALL: usize = 8;

/// The fields of a line, as Asterisk names them (`data1` is index 5).
const FIELD_NAMES: [&str; 10] = [
    "time",
    "callid",
    "queuename",
    "agent",
    "event",
    "data1",
    "data2",
    "data3",
    "data4",
    "data5",
];

/// The earliest time read: 2000-01-01 00:00:00 UTC.
const EARLIEST_SECONDS: u64 = 946_684_800;
/// The first time not read: 2100-01-01 00:00:00 UTC.
const LATEST_SECONDS: u64 = 4_102_444_800;

/// One call of the queue log, and the line of its first event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueLogCall {
    /// The line of the call's first event in the file (its `ENTERQUEUE`).
    pub line: u64,
    pub call: Call,
}

/// What a queue log held, counted while it was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueLogSummary {
    /// Lines read (blank lines not counted).
    pub lines: u64,
    /// Events of calls read (`ENTERQUEUE`, `CONNECT`, `RINGNOANSWER`, …).
    pub call_events: u64,
    /// Events of queues and agents skipped (`AGENTLOGIN`, `PAUSE`, callid
    /// `NONE`, …).
    pub skipped_events: u64,
    /// Events komhen does not know, by name (as the file writes it, cut
    /// at 60 characters), in the order first met; at most
    /// [`MAX_UNKNOWN_EVENT_NAMES`] names.
    pub unknown_events: Vec<(String, u64)>,
    /// Unknown events whose name did not fit in `unknown_events`.
    pub unknown_events_other: u64,
    /// Lines with a problem of their own (too few fields, bad time, …).
    pub bad_lines: u64,
    /// Calls handed over.
    pub calls: u64,
    /// Calls not handed over because of their problems.
    pub rejected_calls: u64,
}

impl QueueLogSummary {
    /// All unknown events, named or not.
    pub fn unknown_total(&self) -> u64 {
        self.unknown_events.iter().map(|(_, n)| n).sum::<u64>() + self.unknown_events_other
    }

    fn count_unknown(&mut self, name: &[u8]) {
        let name = shown(name);
        if let Some((_, n)) = self.unknown_events.iter_mut().find(|(u, _)| *u == name) {
            *n += 1;
        } else if self.unknown_events.len() < MAX_UNKNOWN_EVENT_NAMES {
            self.unknown_events.push((name, 1));
        } else {
            self.unknown_events_other += 1;
        }
    }
}

/// What an event does to its call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// `ENTERQUEUE`: the call arrives.
    Enter,
    /// `CONNECT`: an agent answers; data1 is the holdtime.
    Connect,
    /// The talk ends (`COMPLETE*`, transfers): the data fields (indexes of
    /// the line) holding the holdtime and the calltime.
    Hangup {
        transferred: bool,
        hold: usize,
        talk: usize,
    },
    /// The caller leaves unanswered: the data field holding the waittime.
    Left { outcome: CallOutcome, wait: usize },
    /// `JOINEMPTY`: the call could not join the queue.
    JoinEmpty,
    /// A ring of an agent that did not answer: the call stays in the queue.
    Ring,
    /// An event of a queue or an agent, not of a call.
    Other,
}

const EVENTS: [(&str, Event); 31] = [
    ("ENTERQUEUE", Event::Enter),
    ("CONNECT", Event::Connect),
    (
        "COMPLETEAGENT",
        Event::Hangup {
            transferred: false,
            hold: 5,
            talk: 6,
        },
    ),
    (
        "COMPLETECALLER",
        Event::Hangup {
            transferred: false,
            hold: 5,
            talk: 6,
        },
    ),
    (
        "TRANSFER",
        Event::Hangup {
            transferred: true,
            hold: 7,
            talk: 8,
        },
    ),
    (
        "BLINDTRANSFER",
        Event::Hangup {
            transferred: true,
            hold: 7,
            talk: 8,
        },
    ),
    (
        "ATTENDEDTRANSFER",
        Event::Hangup {
            transferred: true,
            hold: 7,
            talk: 8,
        },
    ),
    (
        "ABANDON",
        Event::Left {
            outcome: CallOutcome::Abandoned,
            wait: 7,
        },
    ),
    (
        "EXITWITHTIMEOUT",
        Event::Left {
            outcome: CallOutcome::TimedOut,
            wait: 7,
        },
    ),
    (
        "EXITEMPTY",
        Event::Left {
            outcome: CallOutcome::NoAgents,
            wait: 7,
        },
    ),
    (
        "EXITWITHKEY",
        Event::Left {
            outcome: CallOutcome::LeftWithKey,
            wait: 8,
        },
    ),
    ("JOINEMPTY", Event::JoinEmpty),
    ("RINGNOANSWER", Event::Ring),
    ("RINGCANCELED", Event::Ring),
    ("QUEUESTART", Event::Other),
    ("CONFIGRELOAD", Event::Other),
    ("AGENTLOGIN", Event::Other),
    ("AGENTLOGOFF", Event::Other),
    ("AGENTCALLBACKLOGIN", Event::Other),
    ("AGENTCALLBACKLOGOFF", Event::Other),
    ("ADDMEMBER", Event::Other),
    ("REMOVEMEMBER", Event::Other),
    ("PAUSE", Event::Other),
    ("UNPAUSE", Event::Other),
    ("PAUSEALL", Event::Other),
    ("UNPAUSEALL", Event::Other),
    ("PENALTY", Event::Other),
    ("AGENTDUMP", Event::Other),
    ("SYSCOMPAT", Event::Other),
    ("DID", Event::Other),
    ("INFO", Event::Other),
];

fn event_of(name: &[u8]) -> Option<(&'static str, Event)> {
    EVENTS
        .iter()
        .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
        .copied()
}

/// What the seconds in a data field of an event are called in a message.
fn seconds_name(field: usize, event: Event) -> &'static str {
    match event {
        Event::Hangup { talk, .. } if field == talk => dl!("samtaletiden"),
        _ => dl!("ventetiden"),
    }
}

/// A time of the log in Unix seconds, with an optional fraction.
enum Epoch {
    At(DateTime<Utc>),
    Malformed,
    OutOfRange,
}

fn parse_epoch(bytes: &[u8]) -> Epoch {
    let (whole, fraction) = match memchr::memchr(b'.', bytes) {
        Some(i) => (&bytes[..i], Some(&bytes[i + 1..])),
        None => (bytes, None),
    };
    let Some(seconds) = parse_digits(whole) else {
        return Epoch::Malformed;
    };
    let nanos = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.iter().all(u8::is_ascii_digit) => f
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(9)
            .fold(0u32, |n, &b| n * 10 + u32::from(b - b'0')),
        Some(_) => return Epoch::Malformed,
    };
    if !(EARLIEST_SECONDS..LATEST_SECONDS).contains(&seconds) {
        return Epoch::OutOfRange;
    }
    match i64::try_from(seconds)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, nanos))
    {
        Some(at) => Epoch::At(at),
        None => Epoch::OutOfRange,
    }
}

/// An instant as a Danish reader sees it.
fn local(at: DateTime<Utc>) -> String {
    danish_local(at).format("%d-%m-%Y %H:%M:%S").to_string()
}

/// `at` less a number of seconds, if the field holds one.
/// None, too, when that is before the earliest time read (a holdtime of
/// decades is no arrival).
fn before(at: DateTime<Utc>, seconds: &[u8]) -> Option<DateTime<Utc>> {
    let seconds = i64::try_from(parse_digits(seconds)?).ok()?;
    at.checked_sub_signed(Duration::try_seconds(seconds)?)
        .filter(|t| t.timestamp() >= EARLIEST_SECONDS as i64)
}

/// The agent as the call keeps it: none for Asterisk's `NONE` or nothing.
fn agent_of(agent: &[u8]) -> Option<String> {
    (!agent.is_empty() && !agent.eq_ignore_ascii_case(b"NONE"))
        .then(|| String::from_utf8_lossy(agent).into_owned())
}

/// A call still in the queue.
#[derive(Debug)]
struct OpenCall {
    line: u64,
    /// None when no event told the arrival (its problem is in `problems`).
    arrived_at: Option<DateTime<Utc>>,
    answered_at: Option<DateTime<Utc>>,
    agent: Option<String>,
    problems: Vec<Problem>,
}

impl OpenCall {
    fn new(line: u64, arrived_at: Option<DateTime<Utc>>) -> Self {
        Self {
            line,
            arrived_at,
            answered_at: None,
            agent: None,
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, problem: Problem) {
        if self.problems.len() < MAX_PROBLEMS_PER_CALL {
            self.problems.push(problem);
        }
    }
}

/// How a call left the queue: the event's line, name and time.
struct Leaving<'a> {
    line: u64,
    event: &'a str,
    at: DateTime<Utc>,
    outcome: CallOutcome,
    transferred: bool,
}

/// The lines of the file, one at a time, numbered from 1.
struct Lines<R: Read> {
    input: BufReader<TextDecoder<ByteLimit<R>>>,
    /// The line last read, without its line end.
    line: Vec<u8>,
    number: u64,
    limits: Limits,
    rows: u64,
    done: bool,
}

/// What the next step of a file gave.
enum LineStep {
    /// A non-blank line, its number; the text is in `Lines::line`.
    Line(u64),
    End,
    Fatal(Problem),
}

impl<R: Read> Lines<R> {
    fn new(read: R, limits: Limits) -> Self {
        Self {
            input: BufReader::with_capacity(
                1 << 16,
                TextDecoder::new(ByteLimit::new(read, limits.max_bytes)),
            ),
            line: Vec::new(),
            number: 0,
            limits,
            rows: 0,
            done: false,
        }
    }

    fn next(&mut self) -> LineStep {
        loop {
            if self.done {
                return LineStep::End;
            }
            self.number += 1;
            match self.read_line() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return LineStep::End;
                }
                Err(error) => {
                    self.done = true;
                    return LineStep::Fatal(io_problem(self.number, &error, &self.limits));
                }
            }
            if trim(&self.line).is_empty() {
                continue;
            }
            self.rows += 1;
            if self.rows > self.limits.max_rows {
                self.done = true;
                return LineStep::Fatal(Problem::line(
                    self.number,
                    ProblemKind::Limit,
                    self.limits.too_many_rows_message(),
                ));
            }
            return LineStep::Line(self.number);
        }
    }

    /// Reads the next line into `line`, without its `\n` (or `\r\n`);
    /// false at the end of the file. A line over [`MAX_LINE_BYTES`] is
    /// refused before it is held.
    fn read_line(&mut self) -> io::Result<bool> {
        self.line.clear();
        let mut any = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            any = true;
            let (take, found) = match memchr::memchr(b'\n', available) {
                Some(i) => (i, true),
                None => (available.len(), false),
            };
            if (self.line.len() + take) as u64 > MAX_LINE_BYTES {
                return Err(io::Error::other(Refusal(line_too_large())));
            }
            self.line.extend_from_slice(&available[..take]);
            self.input.consume(take + usize::from(found));
            if found {
                break;
            }
        }
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        Ok(any)
    }
}

type Item = Result<QueueLogCall, Vec<Problem>>;

/// Reads a queue log into calls, a line at a time. Each item is a call
/// (when it leaves the queue; the calls still waiting when the file ends
/// come last, by arrival), or the problems of one line or one call. A
/// problem whose kind ends the file is the last item.
pub struct QueueLogReader<R: Read> {
    lines: Lines<R>,
    /// The first line, read to check the file, still to be handled.
    first: Option<u64>,
    open: HashMap<(String, String), OpenCall>,
    max_open_calls: usize,
    pending: VecDeque<Item>,
    finished: bool,
    summary: QueueLogSummary,
}

impl<R: Read> QueueLogReader<R> {
    pub fn new(read: R) -> Result<Self, IngestError> {
        Self::with_limits(read, Limits::default())
    }

    /// Reads the first line: a file whose first line has no `|` is not a
    /// queue log, and is refused whole.
    pub fn with_limits(read: R, limits: Limits) -> Result<Self, IngestError> {
        let mut lines = Lines::new(read, limits);
        let first =
            match lines.next() {
                LineStep::Line(line) => {
                    if lines.line.contains(&0) {
                        return Err(IngestError::one(
                        FILE,
                        Problem::line(
                            line,
                            ProblemKind::Unreadable,
                            dl!("filens tegn kan ikke læses: den er sandsynligvis gemt som UTF-16 \
                             uden byte-order-mærke (BOM), eller den er ikke en tekstfil. \
                             Forventede Asterisks queue_log, som den ligger i /var/log/asterisk"),
                        ),
                    ));
                    }
                    if !lines.line.contains(&b'|') {
                        return Err(IngestError::one(
                            FILE,
                            Problem::line(
                                line,
                                ProblemKind::Unreadable,
                                da!(
                                    "første linje «{}» ligner ikke en linje fra Asterisks \
                                 queue_log: den har ingen «|». Forventede linjer som \
                                 1419868380|1419868380.12|hotline|NONE|ENTERQUEUE||12345678|1 \
                                 (tidspunkt|callid|kø|agent|hændelse|data…)",
                                    shown(trim(&lines.line))
                                ),
                            ),
                        ));
                    }
                    Some(line)
                }
                LineStep::End => None,
                LineStep::Fatal(problem) => return Err(IngestError::one(FILE, problem)),
            };
        Ok(Self {
            lines,
            first,
            open: HashMap::new(),
            max_open_calls: MAX_OPEN_CALLS,
            pending: VecDeque::new(),
            finished: false,
            summary: QueueLogSummary::default(),
        })
    }

    /// With another bound on the calls waiting at once than [`MAX_OPEN_CALLS`].
    pub fn with_max_open_calls(mut self, max_open_calls: usize) -> Self {
        self.max_open_calls = max_open_calls;
        self
    }

    /// The encoding found so far.
    pub fn encoding(&self) -> TextEncoding {
        self.lines.input.get_ref().encoding()
    }

    /// What was read so far; complete once the iterator has ended.
    pub fn summary(&self) -> &QueueLogSummary {
        &self.summary
    }

    fn handle(&mut self, line: u64) {
        let text = std::mem::take(&mut self.lines.line);
        self.handle_line(line, &text);
        self.lines.line = text;
    }

    fn handle_line(&mut self, line: u64, text: &[u8]) {
        self.summary.lines += 1;
        // Only the first ten fields are used: the rest stay in the last.
        let mut fields = [&b""[..]; 10];
        let mut count = 0;
        for (i, field) in text.splitn(10, |&b| b == b'|').enumerate() {
            fields[i] = trim(field);
            count = i + 1;
        }
        if count < 5 {
            self.bad_line(vec![Problem::line(
                line,
                ProblemKind::Invalid,
                if count == 1 {
                    dl!(
                        "linjen har kun 1 felt adskilt af «|», men en linje i queue_log har \
                         mindst 5: tidspunkt|callid|kø|agent|hændelse (fx \
                         1419868380|1419868380.12|hotline|NONE|ENTERQUEUE||12345678|1)"
                    )
                    .to_owned()
                } else {
                    da!(
                        "linjen har kun {count} felter adskilt af «|», men en linje i queue_log \
                         har mindst 5: tidspunkt|callid|kø|agent|hændelse (fx \
                         1419868380|1419868380.12|hotline|NONE|ENTERQUEUE||12345678|1)"
                    )
                },
            )]);
            return;
        }
        let [time, callid, queue, agent, name, ..] = fields;
        let mut problems = Vec::new();
        let at = match parse_epoch(time) {
            Epoch::At(at) => Some(at),
            Epoch::Malformed if time.is_empty() => {
                problems.push(Problem::cell(
                    line,
                    FIELD_NAMES[0],
                    ProblemKind::Empty,
                    dl!(
                        "tidspunktet mangler. Forventede Unix-sekunder, fx 1419868380 eller \
                     1419868380.123456"
                    ),
                ));
                None
            }
            Epoch::Malformed => {
                problems.push(Problem::cell(
                    line,
                    FIELD_NAMES[0],
                    ProblemKind::Invalid,
                    da!(
                        "«{}» er ikke et tidspunkt i Unix-sekunder. Forventede sekunder siden \
                         1-1-1970 med eller uden decimaler, fx 1419868380 eller 1419868380.123456",
                        shown(time)
                    ),
                ));
                None
            }
            Epoch::OutOfRange => {
                problems.push(Problem::cell(
                    line,
                    FIELD_NAMES[0],
                    ProblemKind::Invalid,
                    da!(
                        "tidspunktet «{}» ligger ikke mellem år 2000 og 2099. Er det skrevet i \
                         millisekunder? Forventede Unix-sekunder, fx 1419868380",
                        shown(time)
                    ),
                ));
                None
            }
        };
        if name.is_empty() {
            problems.push(Problem::cell(
                line,
                FIELD_NAMES[4],
                ProblemKind::Empty,
                dl!("hændelsen (5. felt) mangler. Forventede fx ENTERQUEUE, CONNECT eller ABANDON"),
            ));
            self.bad_line(problems);
            return;
        }
        let Some((event_name, event)) = event_of(name) else {
            self.summary.count_unknown(name);
            if !problems.is_empty() {
                self.bad_line(problems);
            }
            return;
        };
        let no_call = callid.is_empty()
            || callid.eq_ignore_ascii_case(b"NONE")
            || callid.eq_ignore_ascii_case(b"REALTIME");
        if event == Event::Other || no_call {
            self.summary.skipped_events += 1;
            if !problems.is_empty() {
                self.bad_line(problems);
            }
            return;
        }
        for (index, value) in [(1, callid), (2, queue), (3, agent)] {
            if value.len() > MAX_NAME_BYTES {
                problems.push(Problem::cell(
                    line,
                    FIELD_NAMES[index],
                    ProblemKind::Invalid,
                    da!(
                        "«{}» er {} byte lang, og grænsen er {}. Er linjen skrevet af \
                         Asterisk?",
                        shown(value),
                        danish_number(value.len() as u64),
                        danish_number(MAX_NAME_BYTES as u64)
                    ),
                ));
            }
        }
        let Some(at) = at.filter(|_| problems.is_empty()) else {
            self.bad_line(problems);
            return;
        };
        self.summary.call_events += 1;
        let key = (
            String::from_utf8_lossy(callid).into_owned(),
            String::from_utf8_lossy(queue).into_owned(),
        );
        match event {
            Event::Enter => {
                // The same call entering the same queue again without an
                // end: the first visit is over, its end not in the file.
                if let Some(old) = self.open.remove(&key) {
                    let item = self.unfinished(&key, old);
                    self.pending.push_back(item);
                }
                self.open_call(line, key, OpenCall::new(line, Some(at)));
            }
            Event::Connect => match self.open.get_mut(&key) {
                Some(call) => {
                    if call.answered_at.is_none() {
                        if let Some(arrived) = call.arrived_at.filter(|a| at < *a) {
                            call.problem(Problem::cell(
                                line,
                                FIELD_NAMES[0],
                                ProblemKind::Conflict,
                                da!(
                                    "opkaldet «{}» i køen «{}» besvares (CONNECT) {}, før det \
                                     kom i kø {} (linje {})",
                                    key.0,
                                    key.1,
                                    local(at),
                                    local(arrived),
                                    call.line
                                ),
                            ));
                        }
                        call.answered_at = Some(at);
                        call.agent = agent_of(agent);
                    }
                }
                None => {
                    let arrived = before(at, fields[5]);
                    let mut call = OpenCall::new(line, arrived);
                    call.answered_at = Some(at);
                    call.agent = agent_of(agent);
                    if arrived.is_none() {
                        call.problem(no_arrival(line, event_name, &key, 5, fields[5], event));
                    }
                    self.open_call(line, key, call);
                }
            },
            Event::Hangup {
                transferred,
                hold,
                talk,
            } => {
                let call = match self.open.remove(&key) {
                    Some(mut call) => {
                        if call.answered_at.is_none() {
                            call.answered_at = before(at, fields[talk]);
                            if call.answered_at.is_none() {
                                call.problem(Problem::cell(
                                    line,
                                    FIELD_NAMES[talk],
                                    ProblemKind::Invalid,
                                    da!(
                                        "{event_name} for opkaldet «{}» i køen «{}» uden \
                                         forudgående CONNECT, og samtaletiden ({}) «{}» er ikke \
                                         et antal sekunder, så tidspunktet for besvarelsen kan \
                                         ikke findes",
                                        key.0,
                                        key.1,
                                        FIELD_NAMES[talk],
                                        shown(fields[talk])
                                    ),
                                ));
                            } else if let (Some(answered), Some(arrived)) =
                                (call.answered_at, call.arrived_at)
                            {
                                // A calltime longer than the call has been
                                // in the queue: answered before it arrived.
                                if answered < arrived {
                                    call.problem(Problem::cell(
                                        line,
                                        FIELD_NAMES[talk],
                                        ProblemKind::Conflict,
                                        da!(
                                            "{event_name} for opkaldet «{}» i køen «{}» uden \
                                             forudgående CONNECT har samtaletiden ({}) «{}» \
                                             sekunder, så det blev besvaret {}, før det kom i kø \
                                             {} (linje {})",
                                            key.0,
                                            key.1,
                                            FIELD_NAMES[talk],
                                            shown(fields[talk]),
                                            local(answered),
                                            local(arrived),
                                            call.line
                                        ),
                                    ));
                                }
                            }
                        }
                        if call.agent.is_none() {
                            call.agent = agent_of(agent);
                        }
                        call
                    }
                    None => {
                        let answered = before(at, fields[talk]);
                        let arrived = answered.and_then(|a| before(a, fields[hold]));
                        let mut call = OpenCall::new(line, arrived);
                        call.answered_at = answered;
                        call.agent = agent_of(agent);
                        if arrived.is_none() {
                            let field = if answered.is_none() { talk } else { hold };
                            call.problem(no_arrival(
                                line,
                                event_name,
                                &key,
                                field,
                                fields[field],
                                event,
                            ));
                        }
                        call
                    }
                };
                let leaving = Leaving {
                    line,
                    event: event_name,
                    at,
                    outcome: CallOutcome::Answered,
                    transferred,
                };
                let item = self.finish(&key, call, &leaving);
                self.pending.push_back(item);
            }
            Event::Left { outcome, wait } => {
                let call = match self.open.remove(&key) {
                    Some(call) => call,
                    None => {
                        let arrived = before(at, fields[wait]);
                        let mut call = OpenCall::new(line, arrived);
                        if arrived.is_none() {
                            call.problem(no_arrival(
                                line,
                                event_name,
                                &key,
                                wait,
                                fields[wait],
                                event,
                            ));
                        }
                        call
                    }
                };
                let outcome = if call.answered_at.is_some() {
                    CallOutcome::Answered
                } else {
                    outcome
                };
                let leaving = Leaving {
                    line,
                    event: event_name,
                    at,
                    outcome,
                    transferred: false,
                };
                let item = self.finish(&key, call, &leaving);
                self.pending.push_back(item);
            }
            Event::JoinEmpty => {
                if let Some(old) = self.open.remove(&key) {
                    let item = self.unfinished(&key, old);
                    self.pending.push_back(item);
                }
                let leaving = Leaving {
                    line,
                    event: event_name,
                    at,
                    outcome: CallOutcome::NoAgents,
                    transferred: false,
                };
                let item = self.finish(&key, OpenCall::new(line, Some(at)), &leaving);
                self.pending.push_back(item);
            }
            Event::Ring | Event::Other => {}
        }
    }

    fn bad_line(&mut self, problems: Vec<Problem>) {
        self.summary.bad_lines += 1;
        self.pending.push_back(Err(problems));
    }

    /// Adds a waiting call, within [`Self::max_open_calls`].
    fn open_call(&mut self, line: u64, key: (String, String), call: OpenCall) {
        if self.open.len() >= self.max_open_calls {
            self.finished = true;
            self.open.clear();
            self.pending.push_back(Err(vec![Problem::line(
                line,
                ProblemKind::Limit,
                da!(
                    "filen har flere end {} opkald i kø på samme tid (ENTERQUEUE uden \
                     afslutning), som er grænsen. Tjek, at filen er en queue_log med \
                     hændelserne COMPLETEAGENT, COMPLETECALLER, ABANDON osv., eller del den op \
                     i kortere perioder",
                    danish_number(self.max_open_calls as u64)
                ),
            )]));
            return;
        }
        self.open.insert(key, call);
    }

    /// A call that left the queue.
    fn finish(&mut self, key: &(String, String), mut open: OpenCall, leaving: &Leaving) -> Item {
        let at = leaving.at;
        if let Some(arrived) = open.arrived_at.filter(|a| at < *a) {
            open.problem(Problem::cell(
                leaving.line,
                FIELD_NAMES[0],
                ProblemKind::Conflict,
                da!(
                    "opkaldet «{}» i køen «{}» slutter ({}) {}, før det kom i kø {} (linje {})",
                    key.0,
                    key.1,
                    leaving.event,
                    local(at),
                    local(arrived),
                    open.line
                ),
            ));
        } else if let Some(answered) = open.answered_at.filter(|a| at < *a) {
            open.problem(Problem::cell(
                leaving.line,
                FIELD_NAMES[0],
                ProblemKind::Conflict,
                da!(
                    "opkaldet «{}» i køen «{}» slutter ({}) {}, før det blev besvaret {}",
                    key.0,
                    key.1,
                    leaving.event,
                    local(at),
                    local(answered)
                ),
            ));
        }
        self.emit(key, open, Some(at), leaving.outcome, leaving.transferred)
    }

    /// A call whose end is not in the file.
    fn unfinished(&mut self, key: &(String, String), open: OpenCall) -> Item {
        let outcome = if open.answered_at.is_some() {
            CallOutcome::Answered
        } else {
            CallOutcome::Unknown
        };
        self.emit(key, open, None, outcome, false)
    }

    fn emit(
        &mut self,
        key: &(String, String),
        open: OpenCall,
        ended_at: Option<DateTime<Utc>>,
        outcome: CallOutcome,
        transferred: bool,
    ) -> Item {
        match open.arrived_at {
            Some(arrived_at) if open.problems.is_empty() => {
                self.summary.calls += 1;
                Ok(QueueLogCall {
                    line: open.line,
                    call: Call {
                        call_id: key.0.clone(),
                        queue: key.1.clone(),
                        arrived_at,
                        answered_at: open.answered_at,
                        ended_at,
                        outcome,
                        agent: open.agent,
                        transferred,
                    },
                })
            }
            _ => {
                self.summary.rejected_calls += 1;
                Err(open.problems)
            }
        }
    }

    /// At the end of the file: the calls still waiting, by arrival.
    fn flush_open(&mut self) {
        let mut open: Vec<((String, String), OpenCall)> = self.open.drain().collect();
        open.sort_by(|(_, a), (_, b)| {
            (a.arrived_at.is_none(), a.arrived_at, a.line).cmp(&(
                b.arrived_at.is_none(),
                b.arrived_at,
                b.line,
            ))
        });
        for (key, call) in open {
            let item = self.unfinished(&key, call);
            self.pending.push_back(item);
        }
    }
}

/// The problem of an event whose call has no `ENTERQUEUE` in the file, and
/// whose own seconds do not tell the arrival.
fn no_arrival(
    line: u64,
    event_name: &str,
    key: &(String, String),
    field: usize,
    value: &[u8],
    event: Event,
) -> Problem {
    let what = seconds_name(field, event);
    Problem::cell(
        line,
        FIELD_NAMES[field],
        if value.is_empty() {
            ProblemKind::Empty
        } else {
            ProblemKind::Invalid
        },
        da!(
            "{event_name} uden forudgående ENTERQUEUE for opkaldet «{}» i køen «{}», og {what} \
             ({}) «{}» er ikke et antal sekunder, der giver en ankomst efter år 2000, så opkaldets \
             ankomst kan ikke findes",
            key.0,
            key.1,
            FIELD_NAMES[field],
            shown(value)
        ),
    )
}

impl<R: Read> Iterator for QueueLogReader<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.finished {
                return None;
            }
            if let Some(line) = self.first.take() {
                self.handle(line);
                continue;
            }
            match self.lines.next() {
                LineStep::Line(line) => self.handle(line),
                LineStep::End => {
                    self.finished = true;
                    self.flush_open();
                }
                LineStep::Fatal(problem) => {
                    self.finished = true;
                    self.open.clear();
                    self.pending.push_back(Err(vec![problem]));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// 2026-03-02 08:00:00 in Danish time (07:00 UTC).
    const T0: i64 = 1_772_434_800;

    fn collect(mut reader: QueueLogReader<&[u8]>) -> (Vec<Item>, QueueLogSummary) {
        let items: Vec<Item> = reader.by_ref().collect();
        (items, reader.summary().clone())
    }

    fn read(text: &str) -> (Vec<Item>, QueueLogSummary) {
        collect(QueueLogReader::new(text.as_bytes()).unwrap())
    }

    fn calls(text: &str) -> Vec<Call> {
        read(text)
            .0
            .into_iter()
            .map(|r| r.unwrap_or_else(|p| panic!("{p:?}")).call)
            .collect()
    }

    fn problems(items: &[Item]) -> Vec<&Problem> {
        items
            .iter()
            .filter_map(|r| r.as_ref().err())
            .flatten()
            .collect()
    }

    /// A log line `seconds` after [`T0`].
    fn at(seconds: i64, rest: &str) -> String {
        format!("{}|{rest}\n", T0 + seconds)
    }

    fn instant(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(T0 + seconds, 0).unwrap()
    }

    fn call<'c>(calls: &'c [Call], id: &str) -> &'c Call {
        calls.iter().find(|c| c.call_id == id).unwrap()
    }

    #[test]
    fn every_event_kind_gives_its_outcome_times_and_agent() {
        let log = [
            at(-10, "NONE|NONE|NONE|QUEUESTART|"),
            at(-9, "NONE|NONE|NONE|CONFIGRELOAD|"),
            at(-8, "NONE|hotline|Agent/1|AGENTLOGIN|PJSIP/1-0001"),
            at(-7, "NONE|hotline|Agent/2|AGENTCALLBACKLOGIN|2@queue"),
            at(-6, "NONE|hotline|PJSIP/3|ADDMEMBER|"),
            at(-5, "NONE|hotline|PJSIP/3|PAUSE|frokost"),
            at(-4, "NONE|hotline|PJSIP/3|UNPAUSE|"),
            at(-3, "NONE|NONE|PJSIP/3|PAUSEALL|"),
            at(-2, "NONE|NONE|PJSIP/3|UNPAUSEALL|"),
            at(-1, "NONE|hotline|PJSIP/3|REMOVEMEMBER|"),
            // answered, the caller hangs up; one agent did not answer first
            at(0, "a|NONE|NONE|DID|70101010"),
            at(0, "a|hotline|NONE|ENTERQUEUE||20304050|1"),
            at(10, "a|hotline|Agent/2|RINGNOANSWER|10000"),
            at(20, "a|hotline|Agent/2|AGENTDUMP|"),
            at(25, "a|hotline|Agent/2|SYSCOMPAT|"),
            at(30, "a|hotline|Agent/1|CONNECT|30|b1|5"),
            at(330, "a|hotline|Agent/1|COMPLETECALLER|30|300|1"),
            // answered, the agent hangs up
            at(400, "c|hotline|NONE|ENTERQUEUE||1|1"),
            at(405, "c|hotline|Agent/2|CONNECT|5|b2|2"),
            at(505, "c|hotline|Agent/2|COMPLETEAGENT|5|100|1"),
            // three transfers
            at(600, "t1|hotline|NONE|ENTERQUEUE||1|1"),
            at(612, "t1|hotline|Agent/1|CONNECT|12|b3|3"),
            at(700, "t1|hotline|Agent/1|TRANSFER|2000|from-internal|12|88"),
            at(800, "t2|hotline|NONE|ENTERQUEUE||1|1"),
            at(805, "t2|hotline|PJSIP/3|CONNECT|5|b4|3"),
            at(
                865,
                "t2|hotline|PJSIP/3|BLINDTRANSFER|2000|from-internal|5|60|1",
            ),
            at(900, "t3|hotline|NONE|ENTERQUEUE||1|1"),
            at(902, "t3|hotline|Agent/2|CONNECT|2|b5|1"),
            at(942, "t3|hotline|Agent/2|ATTENDEDTRANSFER|BRIDGE|b6|2|40|1"),
            // lost, four ways
            at(1000, "ab|hotline|NONE|ENTERQUEUE||1|1"),
            at(1030, "ab|hotline|NONE|ABANDON|1|1|30"),
            at(1100, "to|hotline|NONE|ENTERQUEUE||1|1"),
            at(1400, "to|hotline|NONE|EXITWITHTIMEOUT|1|1|300"),
            at(1500, "ee|hotline|NONE|ENTERQUEUE||1|1"),
            at(1560, "ee|hotline|NONE|EXITEMPTY|1|1|60"),
            at(1600, "je|aften|NONE|JOINEMPTY|1|1|0"),
            at(1700, "k|hotline|NONE|ENTERQUEUE||1|1"),
            at(1745, "k|hotline|NONE|EXITWITHKEY|5|1|1|45"),
            // still in the queue at the end: answered, then not
            at(1900, "open2|hotline|NONE|ENTERQUEUE||1|2"),
            at(1800, "open1|hotline|NONE|ENTERQUEUE||1|1"),
            at(1815, "open1|hotline|Agent/1|CONNECT|15|b7|4"),
            at(1950, "NONE|hotline|Agent/1|AGENTLOGOFF|PJSIP/1-0001|2000"),
            at(1951, "open2|hotline|NONE|INFO|CALLERID|1"),
        ]
        .concat();
        let (items, summary) = read(&log);
        let calls: Vec<Call> = items.into_iter().map(|r| r.unwrap().call).collect();
        let ids: Vec<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["a", "c", "t1", "t2", "t3", "ab", "to", "ee", "je", "k", "open1", "open2"],
            "in the order they leave; the open ones last, by arrival"
        );

        let a = call(&calls, "a");
        assert_eq!(a.queue, "hotline");
        assert_eq!(a.outcome, CallOutcome::Answered);
        assert_eq!(
            (a.arrived_at, a.answered_at, a.ended_at),
            (instant(0), Some(instant(30)), Some(instant(330)))
        );
        assert_eq!(a.agent.as_deref(), Some("Agent/1"), "not the one who rang");
        assert_eq!((a.wait_seconds(), a.talk_seconds()), (Some(30), Some(300)));
        assert!(!a.transferred);
        let c = call(&calls, "c");
        assert_eq!((c.wait_seconds(), c.talk_seconds()), (Some(5), Some(100)));
        assert_eq!(c.agent.as_deref(), Some("Agent/2"));

        for (id, wait, talk) in [("t1", 12, 88), ("t2", 5, 60), ("t3", 2, 40)] {
            let t = call(&calls, id);
            assert_eq!(t.outcome, CallOutcome::Answered, "{id}");
            assert!(t.transferred, "{id}");
            assert_eq!(
                (t.wait_seconds(), t.talk_seconds()),
                (Some(wait), Some(talk)),
                "{id}"
            );
        }

        for (id, outcome, wait) in [
            ("ab", CallOutcome::Abandoned, 30),
            ("to", CallOutcome::TimedOut, 300),
            ("ee", CallOutcome::NoAgents, 60),
            ("je", CallOutcome::NoAgents, 0),
            ("k", CallOutcome::LeftWithKey, 45),
        ] {
            let lost = call(&calls, id);
            assert_eq!(lost.outcome, outcome, "{id}");
            assert_eq!(lost.answered_at, None, "{id}");
            assert_eq!(lost.agent, None, "{id}");
            assert!(lost.ended_at.is_some(), "{id}");
            assert_eq!(lost.wait_seconds(), Some(wait), "{id}");
            assert_eq!(lost.talk_seconds(), None, "{id}");
        }
        let je = call(&calls, "je");
        assert_eq!(je.queue, "aften");
        assert_eq!(
            (je.arrived_at, je.ended_at),
            (instant(1600), Some(instant(1600)))
        );

        let open1 = call(&calls, "open1");
        assert_eq!(open1.outcome, CallOutcome::Answered);
        assert_eq!(open1.ended_at, None);
        assert_eq!(open1.wait_seconds(), Some(15));
        assert_eq!(open1.talk_seconds(), None);
        let open2 = call(&calls, "open2");
        assert_eq!(open2.outcome, CallOutcome::Unknown);
        assert_eq!((open2.ended_at, open2.wait_seconds()), (None, None));

        assert_eq!(summary.lines, 43);
        assert_eq!(summary.skipped_events, 15);
        assert_eq!(summary.call_events, 28);
        assert_eq!(summary.calls, 12);
        assert_eq!(summary.unknown_total(), 0);
    }

    #[test]
    fn fractional_epoch_seconds_are_read_to_the_nanosecond() {
        let log = "1419868380.123456|x.1|q|NONE|ENTERQUEUE||1|1\n\
                   1419868410.5|x.1|q|NONE|ABANDON|1|1|30\n";
        let calls = calls(log);
        assert_eq!(
            calls[0].arrived_at.to_rfc3339(),
            "2014-12-29T15:53:00.123456+00:00"
        );
        assert_eq!(
            calls[0].ended_at.unwrap().to_rfc3339(),
            "2014-12-29T15:53:30.500+00:00"
        );
        assert_eq!(calls[0].wait_seconds(), Some(30));
        assert!(matches!(parse_epoch(b"1419868380."), Epoch::Malformed));
        assert!(matches!(
            parse_epoch(b"1419868380.1234567891"),
            Epoch::Malformed
        ));
        assert!(matches!(parse_epoch(b"1419868380123"), Epoch::OutOfRange));
    }

    #[test]
    fn bad_lines_are_reported_with_their_line_and_field() {
        let log = [
            at(0, "a|q|NONE|ENTERQUEUE||1|1"),
            "\n".to_owned(),
            at(5, "a|q|NONE"),
            "i går|a|q|Agent/1|CONNECT|5|b|1\n".to_owned(),
            "1419868380123|a|q|Agent/1|CONNECT|5|b|1\n".to_owned(),
            "|a|q|Agent/1|CONNECT|5|b|1\n".to_owned(),
            at(6, "a|q|Agent/1||5"),
            at(10, "a|q|Agent/1|CONNECT|10|b|1"),
            at(70, "a|q|Agent/1|COMPLETEAGENT|10|60|1"),
        ]
        .concat();
        let (items, summary) = read(&log);
        let found: Vec<(u64, Option<&str>, ProblemKind)> = problems(&items)
            .iter()
            .map(|p| (p.line, p.column.as_deref(), p.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, None, ProblemKind::Invalid),
                (4, Some("time"), ProblemKind::Invalid),
                (5, Some("time"), ProblemKind::Invalid),
                (6, Some("time"), ProblemKind::Empty),
                (7, Some("event"), ProblemKind::Empty),
            ]
        );
        let messages: Vec<String> = problems(&items).iter().map(|p| p.to_string()).collect();
        assert_eq!(
            messages[0],
            "linje 3: linjen har kun 4 felter adskilt af «|», men en linje i queue_log har \
             mindst 5: tidspunkt|callid|kø|agent|hændelse (fx \
             1419868380|1419868380.12|hotline|NONE|ENTERQUEUE||12345678|1)"
        );
        assert!(messages[1].contains("«i går» er ikke et tidspunkt i Unix-sekunder"));
        assert!(messages[2]
            .contains("ligger ikke mellem år 2000 og 2099. Er det skrevet i millisekunder?"));
        // The call is read all the same.
        let call = items.iter().find_map(|r| r.as_ref().ok()).unwrap();
        assert_eq!(call.call.wait_seconds(), Some(10));
        assert_eq!(summary.bad_lines, 5);
        assert_eq!(summary.calls, 1);
    }

    #[test]
    fn the_open_calls_are_bounded() {
        let log = [
            at(0, "a|q|NONE|ENTERQUEUE||1|1"),
            at(1, "b|q|NONE|ENTERQUEUE||1|1"),
            at(2, "a|q|Agent/1|CONNECT|2|x|1"),
            at(3, "a|q|Agent/1|COMPLETEAGENT|2|1|1"),
            at(4, "c|q|NONE|ENTERQUEUE||1|1"),
            at(5, "d|q|NONE|ENTERQUEUE||1|1"),
            at(6, "e|q|NONE|ENTERQUEUE||1|1"),
        ]
        .concat();
        let reader = QueueLogReader::new(log.as_bytes())
            .unwrap()
            .with_max_open_calls(2);
        let (items, _) = collect(reader);
        assert_eq!(items.len(), 2, "the one call that ended, then the limit");
        assert_eq!(items[0].as_ref().unwrap().call.call_id, "a");
        let limit = &items[1].as_ref().unwrap_err()[0];
        assert_eq!((limit.line, limit.kind), (6, ProblemKind::Limit));
        assert!(limit.kind.ends_file());
        assert!(limit
            .message
            .starts_with("filen har flere end 2 opkald i kø på samme tid"));
        assert_eq!(MAX_OPEN_CALLS, 100_000);
    }

    #[test]
    fn a_call_without_enterqueue_gets_its_arrival_from_its_own_seconds() {
        let log = [
            at(30, "a|q|Agent/1|CONNECT|30|x|1"),
            at(90, "a|q|Agent/1|COMPLETEAGENT|30|60|1"),
            at(200, "b|q|Agent/2|COMPLETECALLER|20|100|1"),
            at(300, "c|q|NONE|EXITWITHKEY|1|1|1|45"),
            at(400, "d|q|Agent/1|CONNECT||x|1"),
            at(500, "e|q|NONE|ABANDON|1|1|ukendt"),
        ]
        .concat();
        let (items, summary) = read(&log);
        let ok: Vec<&Call> = items
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| &r.call)
            .collect();
        assert_eq!(ok.len(), 3);
        assert_eq!(
            (ok[0].arrived_at, ok[0].answered_at, ok[0].ended_at),
            (instant(0), Some(instant(30)), Some(instant(90)))
        );
        assert_eq!(
            (ok[1].arrived_at, ok[1].answered_at),
            (instant(80), Some(instant(100)))
        );
        assert_eq!(ok[1].agent.as_deref(), Some("Agent/2"));
        assert_eq!(
            (ok[2].arrived_at, ok[2].wait_seconds()),
            (instant(255), Some(45))
        );
        let found: Vec<(u64, Option<&str>, ProblemKind)> = problems(&items)
            .iter()
            .map(|p| (p.line, p.column.as_deref(), p.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                (6, Some("data3"), ProblemKind::Invalid),
                (5, Some("data1"), ProblemKind::Empty),
            ],
            "the abandoned call as it leaves; the open one at the end"
        );
        let messages: Vec<String> = problems(&items).iter().map(|p| p.to_string()).collect();
        assert_eq!(
            messages[1],
            "linje 5, kolonne «data1»: CONNECT uden forudgående ENTERQUEUE for opkaldet «d» \
             i køen «q», og ventetiden (data1) «» er ikke et antal sekunder, der giver en \
             ankomst efter år 2000, så opkaldets ankomst kan ikke findes"
        );
        assert_eq!((summary.calls, summary.rejected_calls), (3, 2));
        // A holdtime of decades gives no arrival either.
        let log = at(100, "e|q|Agent/1|CONNECT|999999999|b|1");
        let (items, _) = read(&log);
        assert_eq!(problems(&items).len(), 1);
    }

    #[test]
    fn an_end_before_the_arrival_or_the_answer_is_a_conflict() {
        let log = [
            at(100, "a|q|NONE|ENTERQUEUE||1|1"),
            at(50, "a|q|NONE|ABANDON|1|1|0"),
            at(100, "b|q|NONE|ENTERQUEUE||1|1"),
            at(120, "b|q|Agent/1|CONNECT|20|x|1"),
            at(110, "b|q|Agent/1|COMPLETEAGENT|20|0|1"),
            at(100, "c|q|NONE|ENTERQUEUE||1|1"),
            at(90, "c|q|Agent/1|CONNECT|0|x|1"),
            at(130, "c|q|Agent/1|COMPLETEAGENT|0|40|1"),
        ]
        .concat();
        let (items, _) = read(&log);
        assert!(items.iter().all(Result::is_err));
        let messages: Vec<String> = problems(&items).iter().map(|p| p.to_string()).collect();
        assert_eq!(
            messages,
            vec![
                "linje 2, kolonne «time»: opkaldet «a» i køen «q» slutter (ABANDON) \
                 02-03-2026 08:00:50, før det kom i kø 02-03-2026 08:01:40 (linje 1)",
                "linje 5, kolonne «time»: opkaldet «b» i køen «q» slutter (COMPLETEAGENT) \
                 02-03-2026 08:01:50, før det blev besvaret 02-03-2026 08:02:00",
                "linje 7, kolonne «time»: opkaldet «c» i køen «q» besvares (CONNECT) \
                 02-03-2026 08:01:30, før det kom i kø 02-03-2026 08:01:40 (linje 6)",
            ]
        );
    }

    #[test]
    fn a_calltime_longer_than_the_wait_without_connect_is_a_conflict() {
        // Found by tests/properties.rs: without CONNECT the answer is the end
        // less the calltime, which a calltime too long put before the arrival.
        let log = [
            at(100, "d|q|NONE|ENTERQUEUE||1|1"),
            at(130, "d|q|Agent/1|COMPLETECALLER|0|61|1"),
            at(100, "e|q|NONE|ENTERQUEUE||1|1"),
            at(130, "e|q|Agent/1|COMPLETECALLER|0|30|1"),
        ]
        .concat();
        let (items, summary) = read(&log);
        let messages: Vec<String> = problems(&items).iter().map(|p| p.to_string()).collect();
        assert_eq!(
            messages,
            vec![
                "linje 2, kolonne «data2»: COMPLETECALLER for opkaldet «d» i køen «q» uden \
                 forudgående CONNECT har samtaletiden (data2) «61» sekunder, så det blev \
                 besvaret 02-03-2026 08:01:09, før det kom i kø 02-03-2026 08:01:40 (linje 1)"
            ]
        );
        let e = &items[1].as_ref().unwrap().call;
        assert_eq!(
            (e.arrived_at, e.answered_at),
            (instant(100), Some(instant(100)))
        );
        assert_eq!((summary.calls, summary.rejected_calls), (1, 1));
    }

    #[test]
    fn unknown_and_queue_level_events_are_counted_not_failed() {
        let mut log = at(0, "a|q|NONE|ENTERQUEUE||1|1");
        log.push_str(&at(1, "a|q|NONE|KUNDEVALG|2"));
        log.push_str(&at(2, "a|q|NONE|KUNDEVALG|3"));
        log.push_str(&at(3, "NONE|q|NONE|ABANDON|1|1|3"));
        for i in 0..=MAX_UNKNOWN_EVENT_NAMES {
            log.push_str(&at(4, &format!("a|q|NONE|EGEN{i}|")));
        }
        log.push_str(&at(5, "a|q|NONE|abandon|1|1|5"));
        let (items, summary) = read(&log);
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].as_ref().unwrap().call.outcome,
            CallOutcome::Abandoned,
            "event names in any case"
        );
        assert_eq!(summary.unknown_events[0], ("KUNDEVALG".to_owned(), 2));
        assert_eq!(summary.unknown_events.len(), MAX_UNKNOWN_EVENT_NAMES);
        assert_eq!(summary.unknown_events_other, 2);
        assert_eq!(
            summary.unknown_total(),
            2 + MAX_UNKNOWN_EVENT_NAMES as u64 + 1
        );
        assert_eq!(summary.skipped_events, 1, "callid NONE");
        assert_eq!((summary.call_events, summary.bad_lines), (2, 0));
    }

    #[test]
    fn a_new_visit_is_a_new_call() {
        let log = [
            at(0, "a|q|NONE|ENTERQUEUE||1|1"),
            at(60, "a|q|NONE|EXITWITHTIMEOUT|1|1|60"),
            // the dialplan sends the caller into the queue again, then on
            at(61, "a|q|NONE|ENTERQUEUE||1|1"),
            at(70, "a|andenkø|NONE|ENTERQUEUE||1|1"),
            at(75, "a|andenkø|Agent/9|CONNECT|5|x|1"),
            at(95, "a|andenkø|Agent/9|COMPLETECALLER|5|20|1"),
            // no end in the file before the same call enters again
            at(100, "a|q|NONE|ENTERQUEUE||1|1"),
        ]
        .concat();
        let got: Vec<(String, i64, CallOutcome)> = calls(&log)
            .into_iter()
            .map(|c| {
                (
                    c.queue,
                    (c.arrived_at - instant(0)).num_seconds(),
                    c.outcome,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("q".into(), 0, CallOutcome::TimedOut),
                ("andenkø".into(), 70, CallOutcome::Answered),
                ("q".into(), 61, CallOutcome::Unknown),
                ("q".into(), 100, CallOutcome::Unknown),
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_a_queue_log_is_refused_whole() {
        let error = QueueLogReader::new(&b"opkald;ankomst\n1;2026-03-02 08:00\n"[..])
            .err()
            .unwrap();
        assert_eq!(error.problems[0].line, 1);
        assert_eq!(error.problems[0].kind, ProblemKind::Unreadable);
        assert!(error.problems[0].message.starts_with(
            "første linje «opkald;ankomst» ligner ikke en linje fra Asterisks queue_log"
        ));
        let utf16: Vec<u8> = "1|a|q|NONE|ENTERQUEUE"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(QueueLogReader::new(&utf16[..]).is_err());
        // An empty file is no calls.
        assert_eq!(read("").0.len(), 0);
        assert_eq!(read("\n\r\n").0.len(), 0);
    }

    #[test]
    fn rows_bytes_and_line_length_are_limited() {
        let log = [
            at(0, "a|q|NONE|ENTERQUEUE||1|1"),
            at(1, "a|q|NONE|ABANDON|1|1|1"),
            at(2, "b|q|NONE|ENTERQUEUE||1|1"),
        ]
        .concat();
        let limits = Limits {
            max_rows: 2,
            ..Limits::default()
        };
        let (items, _) = collect(QueueLogReader::with_limits(log.as_bytes(), limits).unwrap());
        assert_eq!(items.len(), 2);
        let limit = &items[1].as_ref().unwrap_err()[0];
        assert_eq!((limit.line, limit.kind), (3, ProblemKind::Limit));

        let limits = Limits {
            max_bytes: 40,
            ..Limits::default()
        };
        let error = QueueLogReader::with_limits(log.as_bytes(), limits)
            .err()
            .unwrap();
        assert_eq!(error.problems[0].kind, ProblemKind::Limit);
        assert!(error.problems[0]
            .message
            .starts_with("filen er større end grænsen på 40 byte"));

        let long = format!(
            "{}{}|x\n",
            at(0, "a|q|NONE|ENTERQUEUE||1|1"),
            "y".repeat(MAX_LINE_BYTES as usize)
        );
        let (items, _) = read(&long);
        let last = &items.last().unwrap().as_ref().unwrap_err()[0];
        assert_eq!((last.line, last.kind), (2, ProblemKind::Limit));
        assert_eq!(last.message, line_too_large());

        let long_id = at(0, &format!("{}|q|NONE|ENTERQUEUE||1|1", "x".repeat(300)));
        let (items, _) = read(&long_id);
        let problem = &items[0].as_ref().unwrap_err()[0];
        assert_eq!(problem.column.as_deref(), Some("callid"));
        assert!(problem
            .message
            .contains("er 300 byte lang, og grænsen er 256"));
    }

    #[test]
    fn windows_line_ends_and_more_data_fields_are_read() {
        let log = [
            at(0, "a|q|NONE|ENTERQUEUE|url|1|1|x|y|z|w"),
            at(45, "a|q|NONE|EXITWITHKEY|1|1|1|45|extra"),
        ]
        .concat()
        .replace('\n', "\r\n");
        let calls = calls(&log);
        assert_eq!(calls[0].outcome, CallOutcome::LeftWithKey);
        assert_eq!(calls[0].wait_seconds(), Some(45));
    }

    #[test]
    fn odd_lines_never_panic() {
        let log = [
            "|||||\n",
            "||||||||||||||||||||||\n",
            &at(0, "a|q|NONE|CONNECT|999999999999999999|x|1"),
            &at(0, "b|q|NONE|COMPLETEAGENT|999999999999999999|1|1"),
            &at(0, "c|q|NONE|EXITWITHKEY|1"),
            &at(0, "d|q|NONE|ENTERQUEUE"),
            &at(0, "d|q|NONE|CONNECT"),
            &at(0, "d|q|NONE|TRANSFER"),
            "4102444799.999999999|e|q|NONE|JOINEMPTY\n",
            "946684800|f|q|NONE|ENTERQUEUE\n",
            "\u{feff}\u{0}|\u{fffd}\n",
        ]
        .concat();
        let (items, summary) = read(&log);
        assert!(!items.is_empty());
        assert_eq!(summary.lines, 11);
    }
}
