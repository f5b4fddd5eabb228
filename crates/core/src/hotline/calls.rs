//! Importing the hotline's calls: an Asterisk `queue_log` or a plain CSV of
//! calls (the readers in `komhen_ingest`), checked whole before anything is
//! stored, and stored all or nothing.
//!
//! Owns the import's rules:
//! - the format is told from the file's first line (a queue log's is
//!   `time|callid|…`; anything else is read as the CSV);
//! - every problem of every line is collected and shown; a file with any
//!   problem stores nothing;
//! - when the line has queue names, calls of other queues (a phone system's
//!   log holds all its queues) are left out, counted per queue and shown; a
//!   CSV without a queue column gives calls of the line;
//! - a call appearing twice in one file is a problem;
//! - the same file (SHA-256 of its bytes) imported again adds nothing and
//!   says so; a rolling log repeating calls of an earlier file adds only
//!   the new ones (the store matches calls by id, queue and arrival) and
//!   counts the rest as stored before, so no call is ever counted twice;
//! - calls outside opening hours and calls with no end are stored, counted
//!   and shown, never dropped.
//!
//! Memory: the calls of one file, at most [`MAX_CALLS_PER_FILE`]
//! (≈150 bytes each), since they are stored in one transaction.
//! Must not compute figures (`figures` does) nor know HTTP or the terminal.

use super::admin::{entity_id, Line};
use crate::accounts::access::Actor;
use crate::intake::batch::blocking;
use crate::intake::upload::sniff;
use crate::setup::{audit_entry, Entry};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use komhen_domain::hotline::{Call, CallOutcome};
use komhen_domain::{da, dl};
use komhen_ingest::calls::CallsReader;
use komhen_ingest::queue_log::{QueueLogReader, QueueLogSummary};
use komhen_ingest::{Limits, Problem, ProblemKind, ProblemSummary};
use komhen_store::{CallBatchRow, CallsStored, NewCallBatch, Store};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The limits of a file of calls: years of a large line's queue log.
pub const CALL_LIMITS: Limits = Limits {
    max_bytes: 2 << 30,
    max_rows: 50_000_000,
    max_problems_kept: 1_000,
};

/// The most calls one file may hold (they are stored in one transaction).
pub const MAX_CALLS_PER_FILE: usize = 3_000_000;

/// Queues of other lines shown by name; the rest are summed.
const OTHER_QUEUES_SHOWN: usize = 20;

/// The two formats of a file of calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFileFormat {
    QueueLog,
    Csv,
}

impl CallFileFormat {
    /// As stored on the file's row.
    pub fn code(self) -> &'static str {
        match self {
            Self::QueueLog => "queue_log",
            Self::Csv => "csv",
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::QueueLog => dl!("Asterisk queue_log"),
            Self::Csv => dl!("CSV med opkald"),
        }
    }

    /// The format of a stored file's code.
    pub fn of_code(code: &str) -> Option<Self> {
        match code {
            "queue_log" => Some(Self::QueueLog),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// A file of calls to preview or import.
#[derive(Debug, Clone, Copy)]
pub struct CallUpload<'a> {
    pub path: &'a Path,
    pub file_name: &'a str,
}

/// What a file of calls holds, before anything is stored.
#[derive(Debug, Clone)]
pub struct CallsPreview {
    pub file_name: String,
    pub sha256: String,
    /// None when the file could not be read at all.
    pub format: Option<CallFileFormat>,
    /// Calls of the line the file holds.
    pub calls: u64,
    pub first_arrival: Option<DateTime<Utc>>,
    pub last_arrival: Option<DateTime<Utc>>,
    /// The line's calls per outcome, in [`CallOutcome`] order, zeros left out.
    pub by_outcome: Vec<(CallOutcome, u64)>,
    /// Of the line's calls: arrived outside opening hours.
    pub outside_hours: u64,
    /// Of the line's calls: with no end in the file.
    pub no_end: u64,
    /// Of the line's calls: passed on by an agent.
    pub transferred: u64,
    /// Calls of queues that are not the line's, per queue (most first, at
    /// most [`OTHER_QUEUES_SHOWN`]), and all of them.
    pub other_queues: Vec<(String, u64)>,
    pub other_queue_calls: u64,
    /// The queue log's own counts (events skipped, unknown events).
    pub queue_log: Option<QueueLogSummary>,
    /// Every problem; the file is stored only without.
    pub problems: ProblemSummary,
    /// The file imported before, if these very bytes were.
    pub same_file: Option<CallBatchRow>,
    kept: Vec<Call>,
}

impl CallsPreview {
    /// Whether importing would store the file.
    pub fn importable(&self) -> bool {
        self.problems.is_empty() && self.calls > 0 && self.same_file.is_none()
    }
}

/// What an import stored.
#[derive(Debug, Clone)]
pub struct CallsImported {
    pub preview: CallsPreview,
    /// The file's row.
    pub batch: komhen_domain::CallBatchId,
    /// Calls added (or completed: a call stored before with no end, which
    /// this file ends).
    pub added: u64,
    /// Calls of the file stored before by an earlier file, not added again.
    pub already_stored: u64,
}

/// Reads a file of calls for the line and says what importing it would do.
pub async fn preview_calls(
    store: &dyn Store,
    line: &Line,
    upload: &CallUpload<'_>,
) -> CoreResult<CallsPreview> {
    let sha256 = crate::intake::files::sha256_of(upload.path)?;
    let mut preview = CallsPreview {
        file_name: upload.file_name.to_owned(),
        sha256,
        format: None,
        calls: 0,
        first_arrival: None,
        last_arrival: None,
        by_outcome: Vec::new(),
        outside_hours: 0,
        no_end: 0,
        transferred: 0,
        other_queues: Vec::new(),
        other_queue_calls: 0,
        queue_log: None,
        problems: ProblemSummary::new(CALL_LIMITS.max_problems_kept),
        same_file: None,
        kept: Vec::new(),
    };
    preview.same_file = store
        .list_call_batches(line.id())
        .await?
        .into_iter()
        .find(|b| b.batch.fingerprint == preview.sha256);
    if let Some(problem) = sniff(upload.path, dl!("opkaldsfilen"))? {
        preview.problems.add(problem);
        return Ok(preview);
    }
    let path = upload.path.to_owned();
    let read = blocking(move || read_file(&path)).await?;
    preview.format = read.format;
    preview.problems = read.problems;
    preview.queue_log = read.queue_log;
    let queues = &line.row.queues;
    let mut outcomes: BTreeMap<CallOutcome, u64> = BTreeMap::new();
    let mut others: HashMap<String, u64> = HashMap::new();
    // The line each kept call starts on, for the check of calls named twice.
    let mut lines: Vec<u64> = Vec::new();
    for (number, call) in read.calls {
        let theirs = call.queue.is_empty() || queues.is_empty() || queues.contains(&call.queue);
        if !theirs {
            *others.entry(call.queue.clone()).or_insert(0) += 1;
            preview.other_queue_calls += 1;
            continue;
        }
        if preview.kept.len() >= MAX_CALLS_PER_FILE {
            preview.problems.add(Problem::line(
                number,
                ProblemKind::Limit,
                da!(
                    "filen har flere end {MAX_CALLS_PER_FILE} opkald. Del den i flere filer \
                     (fx én pr. måned), og indlæs dem hver for sig"
                ),
            ));
            break;
        }
        preview.calls += 1;
        *outcomes.entry(call.outcome).or_insert(0) += 1;
        if !line.opening.is_open_at(call.arrived_at) {
            preview.outside_hours += 1;
        }
        if call.ended_at.is_none() {
            preview.no_end += 1;
        }
        if call.transferred {
            preview.transferred += 1;
        }
        preview.first_arrival = Some(
            preview
                .first_arrival
                .map_or(call.arrived_at, |a| a.min(call.arrived_at)),
        );
        preview.last_arrival = Some(
            preview
                .last_arrival
                .map_or(call.arrived_at, |a| a.max(call.arrived_at)),
        );
        preview.kept.push(call);
        lines.push(number);
    }
    // A call named twice (same id, queue and arrival): sorted positions, so
    // the check needs 4 bytes a call rather than a copy of every key.
    let mut order: Vec<u32> = (0..preview.kept.len() as u32).collect();
    let key = |i: u32| {
        let c = &preview.kept[i as usize];
        (c.call_id.as_str(), c.queue.as_str(), c.arrived_at)
    };
    order.sort_unstable_by(|a, b| key(*a).cmp(&key(*b)).then(a.cmp(b)));
    for pair in order.windows(2) {
        if key(pair[0]) == key(pair[1]) {
            let (first, again) = (lines[pair[0] as usize], lines[pair[1] as usize]);
            let call = &preview.kept[pair[1] as usize];
            preview.problems.add(Problem::line(
                again,
                ProblemKind::Conflict,
                da!(
                    "opkaldet «{}» med ankomst {} står også på linje {first}: et opkald må kun \
                     stå én gang i filen",
                    call.call_id,
                    komhen_domain::danish_local(call.arrived_at).format("%d-%m-%Y %H:%M:%S")
                ),
            ));
        }
    }
    preview.by_outcome = outcomes.into_iter().collect();
    let mut others: Vec<(String, u64)> = others.into_iter().collect();
    others.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    others.truncate(OTHER_QUEUES_SHOWN);
    preview.other_queues = others;
    Ok(preview)
}

/// Imports a file of calls for the line: all of its calls or none. Refuses
/// a file with any problem, with no call of the line, or imported before.
pub async fn import_calls(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    upload: &CallUpload<'_>,
) -> CoreResult<CallsImported> {
    let preview = preview_calls(store, line, upload).await?;
    if !preview.problems.is_empty() {
        return Err(CoreError::Invalid(da!(
            "Filen er ikke indlæst: den har {}. Ret dem, og indlæs filen igen.",
            preview.problems.counted_da(komhen_ingest::RowWord::Line)
        )));
    }
    if let Some(before) = &preview.same_file {
        return Err(CoreError::Invalid(same_file_message(before)));
    }
    let Some(format) = preview.format else {
        return Err(CoreError::Invalid(dl!("Filen kan ikke læses.").into()));
    };
    if preview.calls == 0 {
        return Err(CoreError::Invalid(if preview.other_queue_calls > 0 {
            da!(
                "Filen har ingen opkald i linjens køer ({}), kun {} opkald i andre køer. Tjek \
                 linjens kønavne under Opsætning.",
                line.row.queues.join(", "),
                preview.other_queue_calls
            )
        } else {
            dl!("Filen har ingen opkald.").into()
        }));
    }
    let batch = NewCallBatch {
        hotline: line.id(),
        file_name: preview.file_name.clone(),
        format: format.code().to_owned(),
        fingerprint: preview.sha256.clone(),
        loaded_by: actor.as_str().to_owned(),
        loaded_at: Utc::now(),
    };
    let audit = audit_entry(
        actor,
        Entry {
            municipality: None,
            action: "import_calls",
            entity: "hotline_calls",
            entity_id: entity_id(line.id(), "opkald"),
            before: None,
            after: Some(json!({
                "fil": preview.file_name,
                "format": format.code(),
                "sha256": preview.sha256,
                "opkald": preview.calls,
                "uden_for_aabningstid": preview.outside_hours,
                "uden_slut": preview.no_end,
                "andre_koeer": preview.other_queue_calls,
            })),
        },
    );
    match store.store_calls(&batch, &preview.kept, &audit).await? {
        CallsStored::Stored {
            batch,
            added,
            already_stored,
        } => Ok(CallsImported {
            preview,
            batch,
            added,
            already_stored,
        }),
        CallsStored::SameFile { batch } => {
            let before = store
                .list_call_batches(line.id())
                .await?
                .into_iter()
                .find(|b| b.id == batch);
            Err(CoreError::Invalid(match before {
                Some(b) => same_file_message(&b),
                None => dl!("Filen er indlæst før.").into(),
            }))
        }
    }
}

/// What the preview and the import say of a file imported before.
pub fn same_file_message(before: &CallBatchRow) -> String {
    da!(
        "Præcis denne fil er indlæst før ({}, {} af {}): intet er indlæst igen.",
        before.batch.file_name,
        komhen_domain::danish_local(before.batch.loaded_at).format("%d-%m-%Y %H:%M"),
        crate::accounts::access::actor_da(&before.batch.loaded_by)
    )
}

/// The line's imported files, newest first.
pub async fn call_files(store: &dyn Store, line: &Line) -> CoreResult<Vec<CallBatchRow>> {
    Ok(store.list_call_batches(line.id()).await?)
}

/// What the reader found.
struct FileRead {
    format: Option<CallFileFormat>,
    /// Each call with the line it starts on.
    calls: Vec<(u64, Call)>,
    problems: ProblemSummary,
    queue_log: Option<QueueLogSummary>,
}

fn read_file(path: &PathBuf) -> FileRead {
    let mut read = FileRead {
        format: None,
        calls: Vec::new(),
        problems: ProblemSummary::new(CALL_LIMITS.max_problems_kept),
        queue_log: None,
    };
    let unreadable = |read: &mut FileRead, e: std::io::Error| {
        read.problems.add(Problem::line(
            1,
            ProblemKind::Unreadable,
            da!("filen kan ikke åbnes: {e}"),
        ));
    };
    let format = match std::fs::File::open(path).and_then(detect) {
        Ok(format) => format,
        Err(e) => {
            unreadable(&mut read, e);
            return read;
        }
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => BufReader::new(f),
        Err(e) => {
            unreadable(&mut read, e);
            return read;
        }
    };
    read.format = Some(format);
    // Calls beyond the bound are not kept: the preview reports the limit.
    let room = MAX_CALLS_PER_FILE + 1;
    match format {
        CallFileFormat::QueueLog => match QueueLogReader::with_limits(file, CALL_LIMITS) {
            Ok(mut reader) => {
                for item in reader.by_ref() {
                    match item {
                        Ok(c) if read.calls.len() < room => read.calls.push((c.line, c.call)),
                        Ok(_) => {}
                        Err(problems) => read.problems.add_row(problems),
                    }
                }
                read.queue_log = Some(reader.summary().clone());
            }
            Err(e) => {
                for p in e.problems {
                    read.problems.add(p);
                }
            }
        },
        CallFileFormat::Csv => match CallsReader::with_limits(file, CALL_LIMITS) {
            Ok(reader) => {
                for item in reader {
                    match item {
                        Ok(c) if read.calls.len() < room => read.calls.push((c.line, c.call)),
                        Ok(_) => {}
                        Err(problems) => read.problems.add_row(problems),
                    }
                }
            }
            Err(e) => {
                for p in e.problems {
                    read.problems.add(p);
                }
            }
        },
    }
    read
}

/// A queue log's first line is `time|callid|…` with a number first; any
/// other file is read as the CSV of calls (whose reader explains a wrong
/// header).
fn detect(file: impl Read) -> std::io::Result<CallFileFormat> {
    let mut head = Vec::with_capacity(4096);
    file.take(4096).read_to_end(&mut head)?;
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let first = text
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .unwrap_or(&[]);
    let mut fields = first.split(|b| *b == b'|');
    let time = fields.next().unwrap_or(&[]);
    let is_time = !time.is_empty() && time.iter().all(|b| b.is_ascii_digit() || *b == b'.');
    Ok(if is_time && fields.count() >= 3 {
        CallFileFormat::QueueLog
    } else {
        CallFileFormat::Csv
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_format_is_told_from_the_first_line() {
        let q = b"1419868380|1419868380.12|hotline|NONE|ENTERQUEUE||12345678|1\n";
        assert_eq!(detect(&q[..]).unwrap(), CallFileFormat::QueueLog);
        let bom = [b"\xEF\xBB\xBF\n".as_slice(), q].concat();
        assert_eq!(detect(&bom[..]).unwrap(), CallFileFormat::QueueLog);
        let csv = b"opkald;ank\xC3\xb8mst;besvaret\n1;2026-03-02 08:15;\n";
        assert_eq!(detect(&csv[..]).unwrap(), CallFileFormat::Csv);
        assert_eq!(detect(&b"a|b|c|d\n"[..]).unwrap(), CallFileFormat::Csv);
        assert_eq!(detect(&b""[..]).unwrap(), CallFileFormat::Csv);
    }
}
