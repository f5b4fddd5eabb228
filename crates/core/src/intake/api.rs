//! Registrations pushed by a municipality's own systems through the JSON
//! API: one batch of rows with the codebook's fields, checked exactly like
//! an uploaded codebook file's rows, stored all or none, and recognised
//! when a system sends it again.
//!
//! Owns the batch's rules: the limits, the identity a retry is recognised
//! by, how a row's fields become the codebook's cells, and the stable error
//! codes a system can act on. The municipality is the system token's
//! (`systems::authenticate`), never the request's. The cell rules are the
//! codebook's (`ingest::codebook::CodebookCells`) and the catalogue rules
//! the upload's (`import::RowChecker`); the rows are stored with
//! the batch pipeline (`batch`). Must not know HTTP or JSON: the web layer maps
//! the request to an [`IntakeBatch`] and the outcome to a response.
//!
//! A batch is the same batch again when its identity is: the SHA-256 of
//! its rows (every field, the defaults filled in, the answers sorted) and
//! its `batch_id`. Sent again it is answered with the earlier batch and
//! nothing is stored. A `batch_id` names one batch in the municipality: the
//! same `batch_id` with other rows is refused. While a copy is still being
//! stored, another copy is refused as in progress (the store holds one
//! live batch per identity and per `batch_id`).

use crate::accounts::access::Actor;
use crate::intake::batch;
use crate::intake::files::RowChecker;
use crate::CoreError;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use komhen_domain::{danish_local, NewRegistration, Source};
use komhen_ingest::codebook::{CodebookCells, CodebookColumn};
use komhen_ingest::{Problem, ProblemKind};
use komhen_store::BatchKind;
use komhen_store::{BatchRow, BatchStatus, NewBatch, Store, StoreError, SystemTokenRow};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The most rows one request may carry.
pub const MAX_ROWS: usize = 10_000;
/// The largest request body, in bytes.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;
/// The batch kind API batches are stored as.
pub const BATCH_KIND: BatchKind = BatchKind::Api;
/// The longest `batch_id`, in characters as sent.
pub const MAX_BATCH_ID: usize = 100;
/// What a `batch_id` must look like, as an ECMA-262 regular expression for
/// the OpenAPI document: no control characters (Unicode category Cc), and
/// something besides spaces. The same rule as [`batch_id_is_valid`], which
/// also bounds the length (1 to [`MAX_BATCH_ID`] characters).
pub const BATCH_ID_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

/// Whether a `batch_id` is one komhen takes: 1 to [`MAX_BATCH_ID`]
/// characters as sent, no control character, not only spaces (it is stored
/// without its surrounding spaces).
pub fn batch_id_is_valid(id: &str) -> bool {
    let length = id.chars().count();
    (1..=MAX_BATCH_ID).contains(&length)
        && !id.chars().any(char::is_control)
        && !id.trim().is_empty()
}
/// Errors listed in one answer; `total` counts them all.
pub const MAX_ERRORS: usize = 1_000;
/// A copy still loading after this long was interrupted and is removed.
const STALE_LOAD_MINUTES: i64 = 10;

/// One registration as a system sends it: the codebook's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeRow {
    /// The unit's login (`259sek`); None or empty for no unit.
    pub unit: Option<String>,
    /// KLE number, KLE group or KOMHEN code.
    pub task: String,
    /// Channel code with its direction (`TLFIND`).
    pub channel: String,
    pub inquiry_type: Option<String>,
    pub completion: Option<String>,
    pub form: Option<bool>,
    /// ISO 8601 with an offset, or Danish local time (`2025-10-21 10:15`).
    pub time: String,
    /// Inquiries the row stands for; 1 when None.
    pub quantity: Option<i64>,
    /// How long the registration took, in seconds.
    pub duration_seconds: Option<f64>,
    /// Answers keyed by the question's label or code.
    pub answers: Vec<(String, String)>,
}

/// One request: the rows and the client's optional `batch_id`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeBatch {
    pub batch_id: Option<String>,
    pub rows: Vec<IntakeRow>,
}

/// The fields of a batch, as the API names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    BatchId,
    Registrations,
    Unit,
    Task,
    Channel,
    InquiryType,
    Completion,
    Form,
    Time,
    Quantity,
    DurationSeconds,
    /// One answer, by the key the system sent.
    Answer(String),
}

impl Field {
    /// The field's name in the API (`channel`, `answers.Køn`).
    pub fn name(&self) -> String {
        match self {
            Self::BatchId => "batch_id".into(),
            Self::Registrations => "registrations".into(),
            Self::Unit => "unit".into(),
            Self::Task => "task".into(),
            Self::Channel => "channel".into(),
            Self::InquiryType => "inquiry_type".into(),
            Self::Completion => "completion".into(),
            Self::Form => "form".into(),
            Self::Time => "time".into(),
            Self::Quantity => "quantity".into(),
            Self::DurationSeconds => "duration_seconds".into(),
            Self::Answer(key) => format!("answers.{key}"),
        }
    }

    /// The field a codebook column is sent as; None for the municipality,
    /// which is the token's.
    fn of_column(column: CodebookColumn) -> Option<Self> {
        use CodebookColumn as C;
        Some(match column {
            C::Municipality => return None,
            C::Unit => Self::Unit,
            C::Task => Self::Task,
            C::Channel => Self::Channel,
            C::InquiryType => Self::InquiryType,
            C::Completion => Self::Completion,
            C::Form => Self::Form,
            C::Date | C::Time => Self::Time,
            C::Quantity => Self::Quantity,
            C::Duration => Self::DurationSeconds,
        })
    }
}

/// One problem of a batch: where (the row's index from 0, the field), what
/// (a stable code), and a Danish message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's index in `registrations`; None for the batch as a whole.
    pub index: Option<usize>,
    pub field: Option<Field>,
    pub code: String,
    pub message: String,
}

/// Why a batch was not stored.
#[derive(Debug)]
pub enum Refused {
    /// Problems in the rows (or the batch's own fields): nothing is stored.
    /// `errors` holds the first [`MAX_ERRORS`], `total` counts them all.
    Invalid {
        errors: Vec<RowError>,
        total: usize,
    },
    /// More than [`MAX_ROWS`] rows.
    TooManyRows(usize),
    /// A copy of the same batch is being stored right now.
    InProgress,
    /// The `batch_id` names an earlier batch with other rows.
    BatchIdReused(BatchRow),
    Core(CoreError),
}

impl From<CoreError> for Refused {
    fn from(error: CoreError) -> Self {
        Self::Core(error)
    }
}

impl From<StoreError> for Refused {
    fn from(error: StoreError) -> Self {
        Self::Core(error.into())
    }
}

/// A batch stored, or recognised as stored before.
#[derive(Debug, Clone)]
pub struct Received {
    pub batch: BatchRow,
    pub rows: i64,
    /// Inquiries the rows stand for (the sum of their quantities).
    pub inquiries: i64,
    /// True when the batch was stored before and nothing new was stored.
    pub duplicate: bool,
}

/// The batch's identity: the SHA-256 of its `batch_id` and rows in one
/// canonical form, whatever the request's key order, spacing or omitted
/// defaults.
pub fn identity(batch: &IntakeBatch) -> String {
    let rows: Vec<serde_json::Value> = batch
        .rows
        .iter()
        .map(|r| {
            let mut answers: Vec<(&str, &str)> = r
                .answers
                .iter()
                .map(|(k, v)| (k.trim(), v.trim()))
                .collect();
            answers.sort_unstable();
            serde_json::json!([
                r.unit.as_deref().map(str::trim),
                r.task.trim(),
                r.channel.trim(),
                r.inquiry_type.as_deref().map(str::trim),
                r.completion.as_deref().map(str::trim),
                r.form,
                r.time.trim(),
                r.quantity.unwrap_or(1),
                r.duration_seconds,
                answers,
            ])
        })
        .collect();
    let canonical = serde_json::json!([batch.batch_id, rows]).to_string();
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks a batch for the system's municipality and stores all its rows or
/// none; a batch sent before is answered with the earlier one.
#[tracing::instrument(level = "debug", skip_all, fields(municipality = %system.municipality, rows = batch.rows.len()))]
pub async fn receive(
    store: &dyn Store,
    system: &SystemTokenRow,
    batch: &IntakeBatch,
) -> Result<Received, Refused> {
    if batch.rows.len() > MAX_ROWS {
        return Err(Refused::TooManyRows(batch.rows.len()));
    }
    let mut errors = check_batch_fields(batch);
    let municipality = system.municipality;
    let sha256 = identity(batch);
    let batch_id = batch.batch_id.as_deref().map(str::trim).unwrap_or_default();
    // Saturating: the quantities are checked with the rows, after this.
    let inquiries: i64 = batch
        .rows
        .iter()
        .fold(0, |sum, r| sum.saturating_add(r.quantity.unwrap_or(1)));

    // A batch sent before is answered as it was. A `batch_id` used for
    // another batch does not stop the rows being checked: the answer tells
    // every problem of the request at once.
    let mut reused = None;
    if errors.is_empty() {
        match earlier_copy(store, system, &sha256, batch_id).await {
            Ok(Some(earlier)) => {
                return Ok(Received {
                    rows: earlier.row_count,
                    batch: earlier,
                    inquiries,
                    duplicate: true,
                })
            }
            Ok(None) => {}
            Err(Refused::BatchIdReused(earlier)) => reused = Some(earlier),
            Err(other) => return Err(other),
        }
    }
    if let Some(earlier) = &reused {
        errors.insert(0, batch_id_reused(earlier));
    }
    let mut total = errors.len();
    let registrations = if batch.rows.is_empty() {
        Vec::new()
    } else {
        match check_rows(store, system, &batch.rows).await {
            Ok(registrations) => registrations,
            Err(Refused::Invalid {
                errors: row_errors,
                total: row_total,
            }) => {
                let room = MAX_ERRORS.saturating_sub(errors.len());
                errors.extend(row_errors.into_iter().take(room));
                total += row_total;
                Vec::new()
            }
            Err(other) => return Err(other),
        }
    };
    match reused {
        // The rows are good; only the `batch_id` is taken.
        Some(earlier) if total == 1 => return Err(Refused::BatchIdReused(earlier)),
        _ if total > 0 => return Err(Refused::Invalid { errors, total }),
        _ => {}
    }

    let new_batch = NewBatch {
        municipality: Some(municipality),
        kind: BATCH_KIND,
        file_name: batch_id.to_owned(),
        sha256: sha256.clone(),
        fingerprint: None,
        created_by: Actor::system(&system.name).as_str().to_owned(),
    };
    let stored = match batch::begin(store, new_batch, false).await {
        Ok(planned) => planned.rows(store, &registrations).await,
        Err(e) => Err(e),
    };
    match stored {
        Ok(stored) => Ok(Received {
            rows: stored.row_count,
            batch: stored,
            inquiries,
            duplicate: false,
        }),
        // Another copy got there first: answer as its retry would be.
        Err(error) => match earlier_copy(store, system, &sha256, batch_id).await {
            Ok(Some(earlier)) => Ok(Received {
                rows: earlier.row_count,
                batch: earlier,
                inquiries,
                duplicate: true,
            }),
            Err(Refused::InProgress) => Err(Refused::InProgress),
            Err(Refused::BatchIdReused(earlier)) => Err(Refused::BatchIdReused(earlier)),
            _ => Err(Refused::Core(error)),
        },
    }
}

/// The committed batch this one repeats; refuses when a copy is still
/// loading or the `batch_id` names another batch. A copy left loading by
/// an interruption is removed.
async fn earlier_copy(
    store: &dyn Store,
    system: &SystemTokenRow,
    sha256: &str,
    batch_id: &str,
) -> Result<Option<BatchRow>, Refused> {
    let municipality = system.municipality;
    let stale_before = Utc::now() - Duration::minutes(STALE_LOAD_MINUTES);
    let mut same = store
        .find_batch(Some(municipality), BATCH_KIND, sha256, None)
        .await?;
    let mut named = if batch_id.is_empty() {
        None
    } else {
        store
            .find_batch_named(municipality, BATCH_KIND, batch_id)
            .await?
    };
    for found in [&mut same, &mut named] {
        if let Some(b) = found {
            if b.status == BatchStatus::Loading && b.created_at < stale_before {
                store.delete_batch(Some(municipality), b.id).await?;
                *found = None;
            }
        }
    }
    if let Some(b) = same {
        return match b.status {
            BatchStatus::Committed | BatchStatus::Held => Ok(Some(b)),
            _ => Err(Refused::InProgress),
        };
    }
    match named {
        Some(b) if matches!(b.status, BatchStatus::Committed | BatchStatus::Held) => {
            Err(Refused::BatchIdReused(b))
        }
        Some(_) => Err(Refused::InProgress),
        None => Ok(None),
    }
}

/// The error of a `batch_id` that names an earlier batch with other rows.
pub fn batch_id_reused(earlier: &BatchRow) -> RowError {
    batch_error(
        Field::BatchId,
        "batch_id_reused",
        format!(
            "batch_id «{}» er brugt til en anden levering med andre registreringer ({}, {} \
             rækker). Intet er gemt. Giv hver ny levering sit eget batch_id",
            earlier.file_name,
            danish_local(earlier.created_at).format("%d-%m-%Y %H:%M"),
            earlier.row_count
        ),
    )
}

fn batch_error(field: Field, code: &str, message: String) -> RowError {
    RowError {
        index: None,
        field: Some(field),
        code: code.into(),
        message,
    }
}

/// The batch's own fields: rows to store, a usable `batch_id`.
fn check_batch_fields(batch: &IntakeBatch) -> Vec<RowError> {
    let mut errors = Vec::new();
    if batch.rows.is_empty() {
        errors.push(batch_error(
            Field::Registrations,
            "empty_batch",
            "der er ingen registreringer i «registrations». Send mindst én".into(),
        ));
    }
    if let Some(id) = &batch.batch_id {
        if !batch_id_is_valid(id) {
            errors.push(batch_error(
                Field::BatchId,
                "invalid_batch_id",
                format!(
                    "«batch_id» skal være 1–{MAX_BATCH_ID} tegn uden styretegn, fx \
                     «kø-borgerservice-2025-10-21». Udelad feltet, hvis systemet ikke har et"
                ),
            ));
        }
    }
    errors
}

/// The answer keys of all rows, each once (keys matching without regard
/// to case or surrounding spaces are one), in the order first seen.
fn answer_keys(rows: &[IntakeRow]) -> (Vec<String>, HashMap<String, usize>) {
    let mut keys = Vec::new();
    let mut index = HashMap::new();
    for (key, _) in rows.iter().flat_map(|r| &r.answers) {
        if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(normal_key(key)) {
            slot.insert(keys.len());
            keys.push(key.trim().to_owned());
        }
    }
    (keys, index)
}

fn normal_key(key: &str) -> String {
    key.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Every row as a registration of the system's municipality, or every
/// problem of every row.
async fn check_rows(
    store: &dyn Store,
    system: &SystemTokenRow,
    rows: &[IntakeRow],
) -> Result<Vec<NewRegistration>, Refused> {
    let (keys, key_index) = answer_keys(rows);
    let mut errors = Vec::new();
    let mut cells = match CodebookCells::new(&keys) {
        Ok(cells) => cells,
        Err(problems) => {
            // An answer keyed like one of the row's own fields (`Kanal`).
            let errors: Vec<RowError> = problems
                .into_iter()
                .map(|p| {
                    let key = p.column.clone().unwrap_or_default();
                    batch_error(
                        Field::Answer(key.clone()),
                        "invalid_answer_key",
                        format!(
                            "«{key}» er et af kodebogens felter, ikke et spørgsmål. Send \
                             feltet som sig selv, ikke under «answers»"
                        ),
                    )
                })
                .collect();
            let total = errors.len();
            return Err(Refused::Invalid { errors, total });
        }
    };
    let (checker, unknown_keys) =
        RowChecker::for_codebook(store, system.municipality, &keys).await?;
    let unknown: Vec<String> = unknown_keys
        .iter()
        .filter_map(|p| p.column.as_deref().map(normal_key))
        .collect();

    let mut registrations = Vec::with_capacity(rows.len());
    let mut total = 0usize;
    let mut add = |errors: &mut Vec<RowError>, error: RowError| {
        total += 1;
        if errors.len() < MAX_ERRORS {
            errors.push(error);
        }
    };
    for (index, row) in rows.iter().enumerate() {
        let mut row_errors = Vec::new();
        let mut extra = vec![String::new(); keys.len()];
        for (key, value) in &row.answers {
            let normal = normal_key(key);
            let Some(&at) = key_index.get(&normal) else {
                continue;
            };
            if !extra[at].is_empty() {
                row_errors.push(row_error(
                    index,
                    Field::Answer(key.trim().to_owned()),
                    "duplicate_answer",
                    format!("spørgsmålet «{}» er besvaret to gange i rækken", key.trim()),
                ));
            }
            extra[at] = value.clone();
            if unknown.contains(&normal) {
                row_errors.push(row_error(
                    index,
                    Field::Answer(key.trim().to_owned()),
                    "unknown_question",
                    format!(
                        "«{}» er hverken teksten eller koden på et af kommunens spørgsmål. \
                         Brug spørgsmålets tekst eller kode, som under Opgaver og spørgsmål",
                        key.trim()
                    ),
                ));
            }
        }
        let (date, instant) = match date_cell(&row.time) {
            Ok(parsed) => parsed,
            Err((code, message)) => {
                row_errors.push(row_error(index, Field::Time, code, message));
                // A valid stand-in, so the row's other fields are still checked.
                ("2000-01-01".to_owned(), None)
            }
        };
        let line = index as u64;
        let parsed = cells.parse(
            line,
            |column| cell(system, row, &date, column),
            extra.as_slice(),
        );
        let (parsed, failed) = match parsed {
            Ok(parsed) => (Some(parsed), Vec::new()),
            Err(problems) => {
                let cell_errors: Vec<RowError> = problems
                    .into_iter()
                    .map(|p| problem_error(index, p, row, &keys, Stage::Cells))
                    .collect();
                let failed: Vec<Option<Field>> =
                    cell_errors.iter().map(|e| e.field.clone()).collect();
                row_errors.extend(cell_errors);
                // The other fields against the catalogue too, so every error
                // of the row is told at once: the failed ones stood in for.
                let stand_in = cells
                    .parse(
                        line,
                        |column| match Field::of_column(column) {
                            Some(field) if failed.contains(&Some(field.clone())) => {
                                stand_in(column)
                            }
                            _ => cell(system, row, &date, column),
                        },
                        extra.as_slice(),
                    )
                    .ok();
                (stand_in, failed)
            }
        };
        if let Some(mut parsed) = parsed {
            if let Some(at) = instant {
                parsed.registered_at = at;
            }
            match checker.check(&parsed, Source::Api) {
                Ok(registration) if row_errors.is_empty() => registrations.push(registration),
                Ok(_) => {}
                Err(problems) => row_errors.extend(
                    problems
                        .into_iter()
                        .map(|p| problem_error(index, p, row, &keys, Stage::Catalogue))
                        .filter(|e| !failed.contains(&e.field)),
                ),
            }
        }
        for error in row_errors {
            add(&mut errors, error);
        }
    }
    if total > 0 {
        return Err(Refused::Invalid { errors, total });
    }
    Ok(registrations)
}

fn row_error(index: usize, field: Field, code: &str, message: String) -> RowError {
    RowError {
        index: Some(index),
        field: Some(field),
        code: code.into(),
        message,
    }
}

/// A codebook cell of the row: the municipality is the token's, the time
/// goes in `Dato` as Danish local time.
fn cell(system: &SystemTokenRow, row: &IntakeRow, date: &str, column: CodebookColumn) -> String {
    use CodebookColumn as C;
    let text = |value: &Option<String>| value.as_deref().unwrap_or_default().to_owned();
    match column {
        C::Municipality => system.municipality.to_string(),
        C::Unit => text(&row.unit),
        C::Task => row.task.clone(),
        C::Channel => row.channel.clone(),
        C::InquiryType => text(&row.inquiry_type),
        C::Completion => text(&row.completion),
        C::Form => match row.form {
            Some(true) => "JA".into(),
            Some(false) => "NEJ".into(),
            None => String::new(),
        },
        C::Date => date.to_owned(),
        C::Time => String::new(),
        C::Quantity => row.quantity.map(|q| q.to_string()).unwrap_or_default(),
        C::Duration => row
            .duration_seconds
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

/// A valid cell for a column whose own value failed, so the row's other
/// fields can still be checked against the catalogue.
fn stand_in(column: CodebookColumn) -> String {
    use CodebookColumn as C;
    match column {
        C::Task => "00.00.00".into(),
        C::Channel => "TLFIND".into(),
        C::Date => "2000-01-01".into(),
        _ => String::new(),
    }
}

const TIME_FORMATS: &str = "ISO 8601 med tidszone, fx 2025-10-21T10:15:00+02:00, \
     eller dansk tid som 2025-10-21 10:15";

/// A row's `Dato` cell, and its exact instant when the time has an offset.
type DateCell = (String, Option<DateTime<Utc>>);

/// The `Dato` cell for a row's time, and the exact instant when the time
/// carries its offset; else the error's code and message. An ISO 8601 time
/// with an offset is exact (also in the autumn hour that occurs twice); any
/// other time is Danish local time by the codebook's rules.
fn date_cell(time: &str) -> Result<DateCell, (&'static str, String)> {
    let time = time.trim();
    if time.is_empty() {
        return Err((
            "missing_time",
            format!("tidspunktet mangler. Forventede {TIME_FORMATS}"),
        ));
    }
    if !time.contains(['T', 't']) {
        return Ok((time.to_owned(), None));
    }
    let offset = match time.strip_suffix(['Z', 'z']) {
        Some(utc) => format!("{utc}+00:00"),
        None => time.to_owned(),
    };
    DateTime::parse_from_rfc3339(&offset)
        .or_else(|_| DateTime::<FixedOffset>::parse_from_str(&offset, "%Y-%m-%dT%H:%M%:z"))
        .map(|at| {
            let at = at.with_timezone(&Utc);
            (
                danish_local(at).format("%Y-%m-%d %H:%M:%S").to_string(),
                Some(at),
            )
        })
        .map_err(|_| ("invalid_time", invalid_time(time)))
}

fn invalid_time(time: &str) -> String {
    format!(
        "ugyldigt tidspunkt «{}». Forventede {TIME_FORMATS}",
        shown(time.trim())
    )
}

/// A value for a message, cut at 60 characters.
fn shown(value: &str) -> String {
    if value.chars().count() > 60 {
        format!("{}…", value.chars().take(60).collect::<String>())
    } else {
        value.to_owned()
    }
}

/// Which rules found a problem: the codebook's cell rules, or the
/// municipality's catalogue (units, tasks, channels, questions).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Cells,
    Catalogue,
}

/// A problem of the codebook rules as the API's error.
fn problem_error(
    index: usize,
    problem: Problem,
    row: &IntakeRow,
    keys: &[String],
    stage: Stage,
) -> RowError {
    use CodebookColumn as C;
    let column = problem.column.as_deref().unwrap_or_default();
    let codebook = [
        C::Municipality,
        C::Unit,
        C::Task,
        C::Channel,
        C::InquiryType,
        C::Completion,
        C::Form,
        C::Date,
        C::Time,
        C::Quantity,
        C::Duration,
    ]
    .into_iter()
    .find(|c| CodebookCells::header(*c) == column);
    let field = match codebook {
        Some(c) => Field::of_column(c),
        None => keys
            .iter()
            .find(|k| k.as_str() == column)
            .map(|k| Field::Answer(k.clone())),
    };
    let name = field.as_ref().map_or_else(|| "row".into(), Field::name);
    let code = match (&field, problem.kind, stage) {
        (Some(Field::Answer(_)), _, _) => "invalid_answer".to_owned(),
        (_, ProblemKind::NonexistentTime, _) => "nonexistent_time".into(),
        (Some(Field::Task), ProblemKind::Conflict, Stage::Catalogue) => "ambiguous_task".into(),
        (_, ProblemKind::Empty, _) => format!("missing_{name}"),
        (Some(Field::InquiryType | Field::Completion), _, _) => format!("unknown_{name}"),
        (_, _, Stage::Catalogue) => format!("unknown_{name}"),
        (_, _, Stage::Cells) => format!("invalid_{name}"),
    };
    // The codebook's messages for dates and numbers name a file's forms
    // (decimal comma, thousands dots); say the JSON's.
    let message = match (&field, problem.kind) {
        (Some(Field::Time), ProblemKind::Empty | ProblemKind::Invalid) => invalid_time(&row.time),
        (Some(Field::Quantity), ProblemKind::Invalid) => format!(
            "ugyldigt antal «{}». Forventede et helt tal fra 1 til 100.000.000",
            row.quantity.unwrap_or_default()
        ),
        (Some(Field::DurationSeconds), ProblemKind::Invalid) => format!(
            "ugyldig varighed «{}». Forventede sekunder fra 0 til 86.400, fx 12 eller 12.5",
            row.duration_seconds.unwrap_or_default()
        ),
        _ => problem.message,
    };
    RowError {
        index: Some(index),
        field,
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn row() -> IntakeRow {
        IntakeRow {
            task: "23.09.02".into(),
            channel: "TLFIND".into(),
            time: "2025-10-21 10:20".into(),
            ..IntakeRow::default()
        }
    }

    #[test]
    fn an_offset_time_is_exact_even_in_the_autumn_hour_that_occurs_twice() {
        // 26 October 2025: 02:30 Danish time occurs at 00:30 and 01:30 UTC.
        let (cell, first) = date_cell("2025-10-26T02:30:00+02:00").unwrap();
        let (_, second) = date_cell("2025-10-26T02:30:00+01:00").unwrap();
        assert_eq!(cell, "2025-10-26 02:30:00");
        assert_eq!(
            second.unwrap() - first.unwrap(),
            Duration::hours(1),
            "two instants, one wall-clock time"
        );
        assert_eq!(
            date_cell("2025-10-21T08:15Z").unwrap().1,
            date_cell("2025-10-21T10:15:00+02:00").unwrap().1
        );
        assert_eq!(
            date_cell("2025-10-21 10:15").unwrap(),
            ("2025-10-21 10:15".into(), None)
        );
        assert_eq!(date_cell(" ").unwrap_err().0, "missing_time");
        assert_eq!(date_cell("2025-10-21T10:15").unwrap_err().0, "invalid_time");
    }

    #[test]
    fn the_identity_is_the_rows_and_batch_id_with_defaults_filled_in() {
        let one = IntakeBatch {
            batch_id: None,
            rows: vec![row()],
        };
        let explicit = IntakeBatch {
            batch_id: None,
            rows: vec![IntakeRow {
                quantity: Some(1),
                task: " 23.09.02 ".into(),
                ..row()
            }],
        };
        assert_eq!(identity(&one), identity(&explicit));
        let named = IntakeBatch {
            batch_id: Some("kø-1".into()),
            ..one.clone()
        };
        assert_ne!(identity(&one), identity(&named));
        let two = IntakeBatch {
            batch_id: None,
            rows: vec![IntakeRow {
                quantity: Some(2),
                ..row()
            }],
        };
        assert_ne!(identity(&one), identity(&two));
        let answered = |answers: Vec<(&str, &str)>| IntakeBatch {
            batch_id: None,
            rows: vec![IntakeRow {
                answers: answers
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                ..row()
            }],
        };
        assert_eq!(
            identity(&answered(vec![("Køn", "K"), ("Alder", "U18")])),
            identity(&answered(vec![("Alder", "U18"), ("Køn", "K")]))
        );
    }
}
