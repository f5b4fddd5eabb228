//! Importing registrations from a municipality's files: komhen's codebook
//! (CSV or XLSX, one row per inquiry or per counted group) and raw-data
//! extracts of the old national portal, Det Digitale Landkort.
//!
//! Two steps, as a coordinator works: [`preview`] reads the whole file and
//! tells every problem at once (grouped when the same one repeats), the
//! counts of valid and invalid rows, and warnings that do not block (a task
//! not assigned to the unit, inquiries the units may already have registered
//! in the tool); [`import`] then stores all rows or none. A file with any
//! problem is refused whole. The batch is recorded with the file's SHA-256,
//! so the same file again is recognised and refused, or replaces the
//! earlier batch when the coordinator chooses so.
//!
//! Files of millions of rows are read at constant memory: one pass for the
//! preview, one for the import, rows going to the store in chunks from a
//! reading thread. A Landkort extract is history: task codes, units and
//! question columns the municipality no longer has are created (tasks as
//! the municipality's own, units inactive, questions switched off) so the
//! file imports unedited; the preview lists what will be created.

use crate::accounts::access::Actor;
use crate::intake::batch;
use crate::registration::answer;
use crate::{setup, CoreError, CoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::{
    ChannelCode, Completion, DateDimensions, InquiryType, KleNumber, MunicipalityCode, NewAnswer,
    NewRegistration, Source, TaskCodeKind, TaskId, UnitId,
};
use komhen_ingest::codebook::CodebookWorkbook;
use komhen_ingest::landkort::{LandkortReader, LandkortSource};
use komhen_ingest::{
    detect_format, CodebookReader, CodebookRows, FileFormat, IngestError, Limits, PartialRow,
    Problem, ProblemKind, ProblemSummary,
};
use komhen_store::BatchKind;
use komhen_store::{
    BatchRow, BatchStatus, ChannelRow, NewBatch, QuestionRow, Store, TaskRow, UnitRow,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufReader, Read};
use std::path::Path;

/// The task of a row whose task the import creates first: counted in the
/// preview, never stored (the import reads the file again after creating).
const PENDING_TASK: TaskId = TaskId(0);
/// Example lines kept per warning.
const WARNING_LINES: usize = 5;

/// The kinds of registration files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// komhen's codebook (`docs/codebook.md`), CSV or XLSX.
    Codebook,
    /// A raw-data extract of Det Digitale Landkort.
    Landkort,
}

impl FileKind {
    /// The batch kind the import is recorded as.
    pub fn batch_kind(self) -> BatchKind {
        match self {
            Self::Codebook => BatchKind::Codebook,
            Self::Landkort => BatchKind::Landkort,
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Codebook => "kodebogsfil",
            Self::Landkort => "udtræk fra Det Digitale Landkort",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "codebook" | "kodebog" => Some(Self::Codebook),
            "landkort" => Some(Self::Landkort),
            _ => None,
        }
    }

    /// Tells the kind from the file's first line: a Landkort extract has
    /// `StartTidspunkt` and `Datakilde`; anything else is read as the
    /// codebook (whose reader then names what is missing).
    pub fn detect(path: &Path) -> CoreResult<Self> {
        let mut head = vec![0u8; 4096];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| CoreError::Invalid(format!("Filen kan ikke læses: {e}")))?;
        head.truncate(n);
        let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
        let text = String::from_utf8_lossy(first_line).to_lowercase();
        // UTF-16 files have a zero byte between letters; look past it.
        let text: String = text.chars().filter(|c| *c != '\0').collect();
        if text.contains("starttidspunkt") && text.contains("datakilde") {
            Ok(Self::Landkort)
        } else {
            Ok(Self::Codebook)
        }
    }
}

/// A warning: does not stop the import, but the coordinator should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
    /// Rows it applies to.
    pub rows: u64,
    pub first_lines: Vec<u64>,
}

/// What will be created for a Landkort extract to import unedited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Creations {
    /// Task codes not in the catalogue: (code, name it gets, kind).
    pub tasks: Vec<(KleNumber, String, TaskCodeKind)>,
    /// Unit logins the municipality does not have (created inactive).
    pub units: Vec<String>,
    /// Question columns matching no question (created switched off).
    pub questions: Vec<String>,
}

impl Creations {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty() && self.units.is_empty() && self.questions.is_empty()
    }
}

/// Inquiries that may already be counted: the file's rows on a unit,
/// channel and day where the unit registered the same channel itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlap {
    /// Inquiries in the file on such unit-channel-days.
    pub file_inquiries: i64,
    /// Inquiries registered in the tool (or on paper) on the same ones.
    pub tool_inquiries: i64,
    /// How many unit-channel-days.
    pub cells: usize,
    /// The largest ones: (unit login or "(ingen enhed)", channel, day,
    /// file inquiries, tool inquiries).
    pub examples: Vec<(String, String, NaiveDate, i64, i64)>,
}

/// What a file holds, before anything is stored.
#[derive(Debug, Clone)]
pub struct Preview {
    pub kind: FileKind,
    pub file_name: String,
    pub sha256: String,
    /// "CSV (UTF-8, ;)" or "XLSX".
    pub format: String,
    pub rows: u64,
    pub valid_rows: u64,
    /// Inquiries in the valid rows (the sum of their quantities).
    pub inquiries: i64,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    /// Inquiries per channel in the valid rows, by channel order.
    pub by_channel: Vec<(ChannelCode, String, i64)>,
    /// Every problem, counted and grouped; the file imports only without.
    pub problems: ProblemSummary,
    pub warnings: Vec<Warning>,
    pub creations: Creations,
    pub overlap: Option<Overlap>,
    /// The committed batch of the same file, if it was imported before.
    pub duplicate_of: Option<BatchRow>,
}

impl Preview {
    /// Whether the file can be imported (with `replace` when it was before).
    pub fn importable(&self) -> bool {
        self.problems.is_empty() && self.valid_rows > 0
    }
}

/// A file to preview or import.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub kind: FileKind,
    /// Where the file is (an upload is saved to disk first: XLSX files are
    /// zip archives, read with seeking, and the import reads the file twice).
    pub path: &'a Path,
    /// The name the coordinator knows it by.
    pub file_name: &'a str,
    pub limits: Limits,
}

/// What an import stored.
#[derive(Debug, Clone)]
pub struct Imported {
    pub batch: BatchRow,
    pub rows: u64,
    pub inquiries: i64,
    /// The batch replaced, if any.
    pub replaced: Option<BatchRow>,
}

/// The file's SHA-256, read as a stream.
pub fn sha256_of(path: &Path) -> CoreResult<String> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| CoreError::Invalid(format!("Filen kan ikke læses: {e}")))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| CoreError::Invalid(format!("Filen kan ikke læses: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

// --- resolving a file's codes against the municipality's set-up ----------------------

/// How an extra column is stored.
#[derive(Debug, Clone)]
enum Column {
    /// An existing question.
    Question(QuestionRow),
    /// A Landkort question column without a question: created (text) on import.
    ToCreate(String),
    /// A codebook column the codebook does not know and no question matches.
    Unknown,
}

/// The municipality's set-up as the rows of one file need it.
#[derive(Debug, Clone)]
struct Resolver {
    municipality: MunicipalityCode,
    kind: FileKind,
    units: HashMap<String, UnitRow>,
    tasks: HashMap<KleNumber, Vec<TaskRow>>,
    channels: HashMap<ChannelCode, ChannelRow>,
    assigned: HashSet<(UnitId, TaskId)>,
    columns: Vec<Column>,
}

/// A row's codes before they are resolved, the same for both file kinds.
struct RawRow<'a> {
    line: u64,
    municipality: MunicipalityCode,
    unit_login: Option<&'a str>,
    task: &'a KleNumber,
    channel: &'a ChannelCode,
    inquiry_type: Option<InquiryType>,
    completion: Option<Completion>,
    has_form: Option<bool>,
    registered_at: DateTime<Utc>,
    quantity: i64,
    duration_ms: Option<i64>,
    source: Source,
    extra: &'a [String],
}

/// What resolving one row found besides the registration.
#[derive(Default)]
struct Notes {
    task_not_assigned: bool,
    form_ignored: bool,
    retired_task: bool,
    new_task: Option<KleNumber>,
    new_unit: Option<String>,
}

impl Resolver {
    async fn load(
        store: &dyn Store,
        municipality: MunicipalityCode,
        kind: FileKind,
        extra_headers: &[String],
    ) -> CoreResult<Self> {
        let units = store
            .list_units(municipality)
            .await?
            .into_iter()
            .map(|u| (u.login.to_lowercase(), u))
            .collect();
        let mut tasks: HashMap<KleNumber, Vec<TaskRow>> = HashMap::new();
        for task in store.list_tasks(municipality).await? {
            tasks.entry(task.kle.clone()).or_default().push(task);
        }
        let channels = store
            .list_channels()
            .await?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect();
        let assigned = store
            .list_assignments(municipality)
            .await?
            .into_iter()
            .map(|a| (a.unit, a.task))
            .collect();
        let questions = store.list_all_questions(municipality).await?;
        let columns = extra_headers
            .iter()
            .map(|header| {
                let wanted = header.trim().to_lowercase();
                let found = questions.iter().find(|q| {
                    q.label_da.trim().to_lowercase() == wanted
                        || q.label_en.trim().to_lowercase() == wanted
                        || q.code
                            .as_deref()
                            .is_some_and(|c| c.eq_ignore_ascii_case(&wanted))
                });
                match (found, kind) {
                    (Some(q), _) => Column::Question(q.clone()),
                    (None, FileKind::Landkort) => Column::ToCreate(header.trim().to_owned()),
                    (None, FileKind::Codebook) => Column::Unknown,
                }
            })
            .collect();
        Ok(Self {
            municipality,
            kind,
            units,
            tasks,
            channels,
            assigned,
            columns,
        })
    }

    /// Header problems of the extra columns (codebook only).
    fn header_problems(&self, extra_headers: &[String]) -> Vec<Problem> {
        self.columns
            .iter()
            .zip(extra_headers)
            .filter(|(c, _)| matches!(c, Column::Unknown))
            .map(|(_, header)| {
                Problem::cell(
                    1,
                    header.clone(),
                    ProblemKind::Layout,
                    format!(
                        "kolonnen «{header}» findes ikke i kodebogen og er ikke et af kommunens \
                         spørgsmål. Fjern den, eller ret overskriften til et spørgsmåls tekst"
                    ),
                )
            })
            .collect()
    }

    /// The task a code names: the national one, else the municipality's
    /// own (which must be one).
    fn task(&self, kle: &KleNumber) -> Result<Option<&TaskRow>, String> {
        let Some(candidates) = self.tasks.get(kle) else {
            return Ok(None);
        };
        if let Some(national) = candidates.iter().find(|t| t.municipality.is_none()) {
            return Ok(Some(national));
        }
        match candidates.as_slice() {
            [one] => Ok(Some(one)),
            _ => Err(format!(
                "opgavekoden {kle} svarer til flere af kommunens egne opgaver ({}); \
                 giv dem hver sit KLE-nummer",
                candidates
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// The problems the readable cells of a row that failed to parse would
    /// also have, so every problem of a line is reported at once.
    fn partial_problems(&self, line: u64, partial: &PartialRow) -> Vec<Problem> {
        let (Some(municipality), Some(task), Some(channel)) = (
            partial.municipality,
            partial.task.as_ref(),
            partial.channel.as_ref(),
        ) else {
            // Check what there is with stand-ins for the cells that failed.
            return self.partial_cells(line, partial);
        };
        let raw = RawRow {
            line,
            municipality,
            unit_login: partial.unit_login.as_deref(),
            task,
            channel,
            inquiry_type: None,
            completion: None,
            has_form: None,
            registered_at: Utc::now(),
            quantity: 1,
            duration_ms: None,
            source: Source::Upload,
            extra: &[],
        };
        self.resolve(&raw).err().unwrap_or_default()
    }

    /// [`Self::partial_problems`] cell by cell, when a key cell is missing.
    fn partial_cells(&self, line: u64, partial: &PartialRow) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(m) = partial.municipality.filter(|m| *m != self.municipality) {
            problems.push(Problem::cell(
                line,
                if self.kind == FileKind::Landkort {
                    "ID"
                } else {
                    "Kommune"
                },
                ProblemKind::Invalid,
                format!(
                    "rækken hører til kommune {m}, men filen indlæses for kommune {}",
                    self.municipality
                ),
            ));
        }
        if let Some(login) = partial
            .unit_login
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            if self.kind == FileKind::Codebook && !self.units.contains_key(&login.to_lowercase()) {
                problems.push(Problem::cell(
                    line,
                    "Enhed",
                    ProblemKind::Invalid,
                    format!(
                        "kommunen har ingen enhed med login «{login}». Tomt felt betyder ingen                          enhed"
                    ),
                ));
            }
        }
        if let Some(task) = &partial.task {
            if self.kind == FileKind::Codebook && !self.tasks.contains_key(task) {
                problems.push(Problem::cell(
                    line,
                    "Opgave",
                    ProblemKind::Invalid,
                    format!(
                        "opgavekoden {task} findes ikke i opgavekataloget. Opret den som                          kommunens egen opgave under Opgaver og spørgsmål, eller ret koden"
                    ),
                ));
            }
        }
        if let Some(channel) = &partial.channel {
            if !self.channels.contains_key(channel) {
                problems.push(Problem::cell(
                    line,
                    "Kanal",
                    ProblemKind::Invalid,
                    format!(
                        "kanalkoden «{channel}» findes ikke i kodelisten. Forventede fx TLFIND,                          PRSNLG, EMLIND"
                    ),
                ));
            }
        }
        problems
    }

    /// A row as a registration, or every problem it has.
    fn resolve(&self, row: &RawRow<'_>) -> Result<(NewRegistration, Notes), Vec<Problem>> {
        let mut problems = Vec::new();
        let mut notes = Notes::default();
        let cell = |column: &str, kind: ProblemKind, message: String| {
            Problem::cell(row.line, column, kind, message)
        };
        if row.municipality != self.municipality {
            problems.push(cell(
                if self.kind == FileKind::Landkort {
                    "ID"
                } else {
                    "Kommune"
                },
                ProblemKind::Invalid,
                format!(
                    "rækken hører til kommune {}, men filen indlæses for kommune {}",
                    row.municipality, self.municipality
                ),
            ));
        }
        let unit = match row.unit_login.map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(login) => match self.units.get(&login.to_lowercase()) {
                Some(unit) => Some(unit.id),
                None if self.kind == FileKind::Landkort => {
                    notes.new_unit = Some(login.to_lowercase());
                    None
                }
                None => {
                    problems.push(cell(
                        "Enhed",
                        ProblemKind::Invalid,
                        format!(
                            "kommunen har ingen enhed med login «{login}». Tomt felt betyder \
                             ingen enhed"
                        ),
                    ));
                    None
                }
            },
        };
        let task = match self.task(row.task) {
            Ok(Some(task)) => {
                notes.retired_task = task.retired;
                Some(task.id)
            }
            Ok(None) if self.kind == FileKind::Landkort => {
                notes.new_task = Some(row.task.clone());
                None
            }
            Ok(None) => {
                problems.push(cell(
                    "Opgave",
                    ProblemKind::Invalid,
                    format!(
                        "opgavekoden {} findes ikke i opgavekataloget. Opret den som kommunens \
                         egen opgave under Opgaver og spørgsmål, eller ret koden",
                        row.task
                    ),
                ));
                None
            }
            Err(message) => {
                problems.push(cell("Opgave", ProblemKind::Conflict, message));
                None
            }
        };
        let channel = match self.channels.get(row.channel) {
            Some(channel) => Some(channel),
            None => {
                problems.push(cell(
                    "Kanal",
                    ProblemKind::Invalid,
                    format!(
                        "kanalkoden «{}» findes ikke i kodelisten. Forventede fx TLFIND, \
                         PRSNLG, EMLIND",
                        row.channel
                    ),
                ));
                None
            }
        };
        let has_form = match (channel, row.has_form) {
            (Some(c), Some(_)) if !c.form_applicable => {
                notes.form_ignored = true;
                None
            }
            (_, form) => form,
        };
        if let (Some(unit), Some(task)) = (unit, task) {
            notes.task_not_assigned = !self.assigned.contains(&(unit, task));
        }
        let answers = self.answers(row, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        // A Landkort task code the catalogue lacks has no task yet: the row
        // is counted in the preview and stored after the import creates it.
        let Some(channel) = channel else {
            return Err(problems);
        };
        let task = task.unwrap_or(PENDING_TASK);
        Ok((
            NewRegistration {
                municipality: self.municipality,
                unit,
                task,
                channel: channel.code.clone(),
                inquiry_type: row.inquiry_type,
                completion: row.completion,
                has_form,
                registered_at: row.registered_at,
                duration_ms: row.duration_ms,
                quantity: row.quantity,
                source: row.source,
                is_test: false,
                idempotency_key: None,
                answers,
            },
            notes,
        ))
    }

    fn answers(&self, row: &RawRow<'_>, problems: &mut Vec<Problem>) -> Vec<NewAnswer> {
        let mut answers = Vec::new();
        for (value, column) in row.extra.iter().zip(&self.columns) {
            let value = value.trim();
            if value.is_empty() || value.eq_ignore_ascii_case("null") {
                continue;
            }
            let Column::Question(q) = column else {
                // Created on import as a text question; filled in then.
                continue;
            };
            match answer::parse(q, value, answer::Choice::ByName) {
                Ok(a) => answers.push(a),
                Err(message) => problems.push(Problem::cell(
                    row.line,
                    q.label_da.clone(),
                    ProblemKind::Invalid,
                    message,
                )),
            }
        }
        answers
    }
}

/// Deletes one of the municipality's batches (an upload made by mistake):
/// its rows vanish from every figure at once and are then removed. Who
/// deleted what is written to the audit log.
pub async fn delete_batch(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    batch: &BatchRow,
) -> CoreResult<u64> {
    let deleted = store.delete_batch(Some(municipality), batch.id).await?;
    store
        .append_audit(&komhen_store::NewAuditEntry {
            municipality: Some(municipality),
            actor: actor.as_str().to_owned(),
            action: "delete".into(),
            entity: "batch".into(),
            entity_id: batch.id.to_string(),
            before_json: Some(
                serde_json::json!({
                    "kind": batch.kind.code(),
                    "file_name": batch.file_name,
                    "rows": batch.row_count,
                    "created_by": batch.created_by,
                })
                .to_string(),
            ),
            after_json: None,
        })
        .await?;
    Ok(deleted)
}

/// Checks codebook rows that do not come from a file (the JSON API): the
/// same rules as an uploaded codebook file, row by row.
#[derive(Debug, Clone)]
pub struct RowChecker(Resolver);

impl RowChecker {
    /// The checker for a municipality, with the extra columns (question
    /// labels or codes) the rows carry; also the problems of those columns.
    pub async fn for_codebook(
        store: &dyn Store,
        municipality: MunicipalityCode,
        extra_headers: &[String],
    ) -> CoreResult<(Self, Vec<Problem>)> {
        let resolver =
            Resolver::load(store, municipality, FileKind::Codebook, extra_headers).await?;
        let problems = resolver.header_problems(extra_headers);
        Ok((Self(resolver), problems))
    }

    /// The row as a registration of the given source, or every problem.
    pub fn check(
        &self,
        row: &komhen_ingest::CodebookRow,
        source: Source,
    ) -> Result<NewRegistration, Vec<Problem>> {
        let mut raw = codebook_raw(row);
        raw.source = source;
        self.0.resolve(&raw).map(|(registration, _)| registration)
    }
}

// --- reading a file --------------------------------------------------------------------

/// What one pass over a file saw.
#[derive(Debug, Default)]
struct Scan {
    format: String,
    rows: u64,
    valid_rows: u64,
    inquiries: i64,
    first_day: Option<NaiveDate>,
    last_day: Option<NaiveDate>,
    by_channel: BTreeMap<String, i64>,
    warnings: BTreeMap<&'static str, (u64, Vec<u64>)>,
    new_tasks: BTreeMap<String, KleNumber>,
    new_units: BTreeMap<String, ()>,
    /// File inquiries per (unit, channel, day), for the overlap check.
    cells: HashMap<(Option<UnitId>, ChannelCode, NaiveDate), i64>,
}

impl Scan {
    fn warn(&mut self, key: &'static str, line: u64) {
        let entry = self.warnings.entry(key).or_default();
        entry.0 += 1;
        if entry.1.len() < WARNING_LINES {
            entry.1.push(line);
        }
    }

    fn count(&mut self, reg: &NewRegistration, notes: &Notes, line: u64) {
        self.valid_rows += 1;
        self.inquiries += reg.quantity;
        let day = DateDimensions::of(reg.registered_at).day;
        self.first_day = Some(self.first_day.map_or(day, |d| d.min(day)));
        self.last_day = Some(self.last_day.map_or(day, |d| d.max(day)));
        *self.by_channel.entry(reg.channel.to_string()).or_default() += reg.quantity;
        if reg.source == Source::Upload {
            *self
                .cells
                .entry((reg.unit, reg.channel.clone(), day))
                .or_default() += reg.quantity;
        }
        if notes.task_not_assigned {
            self.warn(WARN_NOT_ASSIGNED, line);
        }
        if notes.form_ignored {
            self.warn(WARN_FORM, line);
        }
        if notes.retired_task {
            self.warn(WARN_RETIRED, line);
        }
    }
}

const WARN_NOT_ASSIGNED: &str = "Opgaven er ikke tildelt enheden (rækken gemmes alligevel).";
const WARN_FORM: &str =
    "Blanket er angivet på en kanal, hvor en blanket ikke kan følge med; feltet gemmes ikke.";
const WARN_RETIRED: &str = "Opgaven er udgået af kataloget (rækken gemmes alligevel).";

/// Reads every row of the file, resolving each; valid registrations go to
/// `sink` (which may stop the pass by returning false). Blocking: run on a
/// blocking thread.
fn scan_file(
    path: &Path,
    kind: FileKind,
    limits: Limits,
    resolver: &Resolver,
    summary: &mut ProblemSummary,
    mut sink: impl FnMut(NewRegistration) -> bool,
) -> Result<Scan, IngestError> {
    let open = || {
        std::fs::File::open(path).map_err(|e| {
            IngestError::one(
                "filen",
                Problem::line(
                    1,
                    ProblemKind::Unreadable,
                    format!("filen kan ikke åbnes: {e}"),
                ),
            )
        })
    };
    let mut head = [0u8; 8];
    let n = open()?.read(&mut head).unwrap_or(0);
    let mut scan = Scan::default();
    let mut handle = |scan: &mut Scan,
                      summary: &mut ProblemSummary,
                      raw: Result<RawRow<'_>, (Vec<Problem>, &PartialRow)>|
     -> bool {
        scan.rows += 1;
        let raw = match raw {
            Ok(raw) => raw,
            Err((mut problems, partial)) => {
                // The cells that did parse are checked too: every problem
                // of the line at once.
                if let Some(line) = problems.first().map(|p| p.line) {
                    if !problems.iter().any(|p| p.kind.ends_file()) {
                        problems.extend(resolver.partial_problems(line, partial));
                    }
                }
                summary.add_row(problems);
                return true;
            }
        };
        match resolver.resolve(&raw) {
            Ok((reg, notes)) => {
                if let Some(task) = &notes.new_task {
                    scan.new_tasks.insert(task.to_string(), task.clone());
                }
                if let Some(unit) = &notes.new_unit {
                    scan.new_units.insert(unit.clone(), ());
                }
                let line = raw.line;
                scan.count(&reg, &notes, line);
                // A row that needs a task or unit created first cannot be
                // stored in this pass (the import creates them, then reads
                // again).
                if notes.new_task.is_some() || notes.new_unit.is_some() {
                    return true;
                }
                sink(reg)
            }
            Err(problems) => {
                summary.add_row(problems);
                true
            }
        }
    };
    match (kind, detect_format(&head[..n])) {
        (_, FileFormat::Xls) => {
            summary.add(komhen_ingest::codebook::xls_problem());
        }
        (FileKind::Codebook, FileFormat::Xlsx) => {
            scan.format = "Excel-projektmappe (XLSX)".into();
            let mut book = CodebookWorkbook::open(BufReader::new(open()?), limits)?;
            let mut rows = book.rows()?;
            let header = resolver.header_problems(rows.extra_headers());
            if !header.is_empty() {
                return Err(IngestError::new("kodebogsfilen", header));
            }
            while let Some(row) = rows.next() {
                let raw = match &row {
                    Ok(row) => Ok(codebook_raw(row)),
                    Err(problems) => Err((problems.clone(), rows.failed_row())),
                };
                if !handle(&mut scan, summary, raw) {
                    break;
                }
            }
        }
        (FileKind::Codebook, FileFormat::Csv) => {
            let mut reader = CodebookReader::with_limits(BufReader::new(open()?), limits)?;
            scan.format = format!(
                "CSV ({}, adskilt med «{}»)",
                reader.encoding().label(),
                char::from(reader.delimiter())
            );
            let header = resolver.header_problems(reader.extra_headers());
            if !header.is_empty() {
                return Err(IngestError::new("kodebogsfilen", header));
            }
            while let Some(row) = reader.next() {
                let raw = match &row {
                    Ok(row) => Ok(codebook_raw(row)),
                    Err(problems) => Err((problems.clone(), reader.failed_row())),
                };
                if !handle(&mut scan, summary, raw) {
                    break;
                }
            }
        }
        (FileKind::Landkort, FileFormat::Xlsx) => {
            summary.add(Problem::line(
                1,
                ProblemKind::Unreadable,
                "et udtræk fra Det Digitale Landkort er en CSV-fil, ikke en Excel-projektmappe",
            ));
        }
        (FileKind::Landkort, FileFormat::Csv) => {
            let mut reader = LandkortReader::with_limits(BufReader::new(open()?), limits)?;
            scan.format = format!("CSV ({}, adskilt med «;»)", reader.encoding().label());
            while let Some(row) = reader.next() {
                let raw = match &row {
                    Ok(row) => Ok(landkort_raw(row)),
                    Err(problems) => Err((problems.clone(), reader.failed_row())),
                };
                if !handle(&mut scan, summary, raw) {
                    break;
                }
            }
        }
    }
    Ok(scan)
}

fn codebook_raw(row: &komhen_ingest::CodebookRow) -> RawRow<'_> {
    RawRow {
        line: row.line,
        municipality: row.municipality,
        unit_login: row.unit_login.as_deref(),
        task: &row.task,
        channel: &row.channel,
        inquiry_type: row.inquiry_type,
        completion: row.completion,
        has_form: row.has_form,
        registered_at: row.registered_at,
        quantity: row.quantity,
        duration_ms: row.duration_ms,
        source: Source::Upload,
        extra: &row.extra,
    }
}

fn landkort_raw(row: &komhen_ingest::landkort::LandkortRow) -> RawRow<'_> {
    RawRow {
        line: row.line,
        municipality: row.municipality,
        unit_login: row.unit_login.as_deref(),
        task: &row.task,
        channel: &row.channel,
        inquiry_type: row.inquiry_type,
        completion: row.completion,
        has_form: row.has_form,
        registered_at: row.registered_at,
        quantity: 1,
        duration_ms: row.duration_ms,
        source: match row.data_source {
            LandkortSource::Tracetool => Source::Tool,
            LandkortSource::DetDigitaleLandkort => Source::Upload,
        },
        extra: &row.extra,
    }
}

/// The extra headers of a file (without reading its rows).
fn extra_headers(path: &Path, kind: FileKind, limits: Limits) -> Result<Vec<String>, IngestError> {
    let open = || {
        std::fs::File::open(path).map_err(|e| {
            IngestError::one(
                "filen",
                Problem::line(
                    1,
                    ProblemKind::Unreadable,
                    format!("filen kan ikke åbnes: {e}"),
                ),
            )
        })
    };
    let mut head = [0u8; 8];
    let n = open()?.read(&mut head).unwrap_or(0);
    match (kind, detect_format(&head[..n])) {
        (FileKind::Codebook, FileFormat::Xlsx) => {
            let mut book = CodebookWorkbook::open(BufReader::new(open()?), limits)?;
            let rows = book.rows()?;
            Ok(rows.extra_headers().to_vec())
        }
        (FileKind::Codebook, FileFormat::Csv) => Ok(CodebookReader::with_limits(
            BufReader::new(open()?),
            limits,
        )?
        .extra_headers()
        .to_vec()),
        (FileKind::Landkort, FileFormat::Csv) => Ok(LandkortReader::with_limits(
            BufReader::new(open()?),
            limits,
        )?
        .extra_headers()
        .to_vec()),
        _ => Ok(Vec::new()),
    }
}

// --- preview and import -------------------------------------------------------------------

fn ingest_failed(e: IngestError, limits: Limits) -> ProblemSummary {
    let mut summary = ProblemSummary::new(limits.max_problems_kept);
    for problem in e.problems {
        summary.add(problem);
    }
    summary
}

/// Reads the whole file and says what importing it would do. Stores nothing.
pub async fn preview(
    store: &dyn Store,
    municipality: MunicipalityCode,
    upload: &Upload<'_>,
) -> CoreResult<Preview> {
    let Upload {
        kind,
        path,
        file_name,
        limits,
    } = *upload;
    let sha256 = sha256_of(path)?;
    let duplicate_of = store
        .find_batch(Some(municipality), kind.batch_kind(), &sha256)
        .await?
        .filter(|b| b.status == BatchStatus::Committed);
    let mut preview = Preview {
        kind,
        file_name: file_name.to_owned(),
        sha256,
        format: String::new(),
        rows: 0,
        valid_rows: 0,
        inquiries: 0,
        first_day: None,
        last_day: None,
        by_channel: Vec::new(),
        problems: ProblemSummary::new(limits.max_problems_kept),
        warnings: Vec::new(),
        creations: Creations::default(),
        overlap: None,
        duplicate_of,
    };
    let headers = {
        let path = path.to_owned();
        batch::blocking(move || extra_headers(&path, kind, limits)).await?
    };
    let headers = match headers {
        Ok(h) => h,
        Err(e) => {
            preview.problems = ingest_failed(e, limits);
            return Ok(preview);
        }
    };
    let resolver = Resolver::load(store, municipality, kind, &headers).await?;
    let path_buf = path.to_owned();
    let scan_resolver = resolver.clone();
    let (scan, summary) = batch::blocking(move || {
        let mut summary = ProblemSummary::new(limits.max_problems_kept);
        let scan = scan_file(
            &path_buf,
            kind,
            limits,
            &scan_resolver,
            &mut summary,
            |_| true,
        );
        (scan, summary)
    })
    .await?;
    preview.problems = summary;
    let scan = match scan {
        Ok(scan) => scan,
        Err(e) => {
            for p in e.problems {
                preview.problems.add(p);
            }
            return Ok(preview);
        }
    };
    preview.format = scan.format.clone();
    preview.rows = scan.rows;
    preview.valid_rows = scan.valid_rows;
    preview.inquiries = scan.inquiries;
    preview.first_day = scan.first_day;
    preview.last_day = scan.last_day;
    let channels = store.list_channels().await?;
    preview.by_channel = channels
        .iter()
        .filter_map(|c| {
            scan.by_channel
                .get(c.code.as_str())
                .map(|n| (c.code.clone(), c.label_da.clone(), *n))
        })
        .collect();
    preview.warnings = scan
        .warnings
        .iter()
        .map(|(message, (rows, lines))| Warning {
            message: (*message).to_owned(),
            rows: *rows,
            first_lines: lines.clone(),
        })
        .collect();
    preview.creations = creations(store, &resolver, &scan).await?;
    if let (Some(from), Some(to)) = (scan.first_day, scan.last_day) {
        preview.overlap = overlap(store, &resolver, municipality, from, to, &scan.cells).await?;
    }
    Ok(preview)
}

async fn creations(store: &dyn Store, resolver: &Resolver, scan: &Scan) -> CoreResult<Creations> {
    let mut tasks = Vec::new();
    for kle in scan.new_tasks.values() {
        let kind = setup::task_kind(store, kle).await?;
        let name = match store.get_kle_entry(kle).await? {
            Some(entry) => entry.title,
            None => format!("KOMHEN-kode {kle}"),
        };
        tasks.push((kle.clone(), name, kind));
    }
    Ok(Creations {
        tasks,
        units: scan.new_units.keys().cloned().collect(),
        questions: resolver
            .columns
            .iter()
            .filter_map(|c| match c {
                Column::ToCreate(label) => Some(label.clone()),
                _ => None,
            })
            .collect(),
    })
}

async fn overlap(
    store: &dyn Store,
    resolver: &Resolver,
    municipality: MunicipalityCode,
    from: NaiveDate,
    to: NaiveDate,
    cells: &HashMap<(Option<UnitId>, ChannelCode, NaiveDate), i64>,
) -> CoreResult<Option<Overlap>> {
    if cells.is_empty() {
        return Ok(None);
    }
    let tool = store.tool_cells(municipality, from, to).await?;
    let mut overlap = Overlap::default();
    let mut examples = Vec::new();
    for cell in tool {
        if let Some(file) = cells.get(&(cell.unit, cell.channel.clone(), cell.day)) {
            overlap.cells += 1;
            overlap.file_inquiries += file;
            overlap.tool_inquiries += cell.inquiries;
            let unit = cell
                .unit
                .and_then(|u| resolver.units.values().find(|x| x.id == u))
                .map_or_else(|| "(ingen enhed)".to_owned(), |u| u.login.clone());
            examples.push((
                unit,
                cell.channel.to_string(),
                cell.day,
                *file,
                cell.inquiries,
            ));
        }
    }
    if overlap.cells == 0 {
        return Ok(None);
    }
    examples.sort_by_key(|e| std::cmp::Reverse(e.3.min(e.4)));
    examples.truncate(5);
    overlap.examples = examples;
    Ok(Some(overlap))
}

/// Creates what a Landkort extract needs: its task codes as the
/// municipality's own tasks, its unknown units (inactive), its question
/// columns (switched-off text questions). Audited like any set-up change.
async fn create_for_history(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    creations: &Creations,
) -> CoreResult<()> {
    for (kle, name, _) in &creations.tasks {
        setup::create_local_task(store, actor, municipality, kle.as_str(), name).await?;
    }
    for login in &creations.units {
        let unit =
            setup::create_unit_with(store, actor, municipality, login, login, None, None).await?;
        let input = setup::UnitInput {
            name: login.clone(),
            login: login.clone(),
            department: None,
        };
        setup::update_unit(store, actor, municipality, unit, &input, false).await?;
    }
    for label in &creations.questions {
        setup::create_history_question(store, actor, municipality, label).await?;
    }
    Ok(())
}

/// Imports a file: all of its rows, or none. Refuses a file with any
/// problem, and a file imported before unless `replace` is given (then the
/// earlier batch is replaced in the same moment the new one appears).
/// `progress` gets the rows stored so far.
pub async fn import(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    upload: &Upload<'_>,
    replace: bool,
    progress: &mut (dyn FnMut(u64) + Send),
) -> CoreResult<Imported> {
    let Upload {
        kind,
        path,
        file_name,
        limits,
    } = *upload;
    let checked = preview(store, municipality, upload).await?;
    if !checked.problems.is_empty() {
        return Err(CoreError::Invalid(format!(
            "Filen er ikke indlæst: den har {} fejl på {} rækker. Ret dem, og indlæs filen igen.",
            checked.problems.total(),
            checked.problems.bad_rows()
        )));
    }
    if checked.valid_rows == 0 {
        return Err(CoreError::Invalid(
            "Filen har ingen rækker at indlæse.".into(),
        ));
    }
    let planned = batch::begin(
        store,
        NewBatch {
            municipality: Some(municipality),
            kind: kind.batch_kind(),
            file_name: file_name.to_owned(),
            sha256: checked.sha256.clone(),
            created_by: actor.as_str().to_owned(),
        },
        replace,
    )
    .await?;
    let replaced = planned.replaces().cloned();
    if !checked.creations.is_empty() {
        create_for_history(store, actor, municipality, &checked.creations).await?;
    }
    let headers = {
        let path = path.to_owned();
        batch::blocking(move || extra_headers(&path, kind, limits))
            .await?
            .map_err(CoreError::Ingest)?
    };
    let resolver = Resolver::load(store, municipality, kind, &headers).await?;
    let path = path.to_owned();
    let (committed, ()) = planned
        .read(
            store,
            Some(checked.valid_rows),
            move |emit| second_pass(&path, kind, limits, &resolver, emit),
            progress,
        )
        .await?;
    Ok(Imported {
        rows: committed.row_count as u64,
        batch: committed,
        inquiries: checked.inquiries,
        replaced,
    })
}

/// The second pass over a file the preview found clean: hands every row
/// to `emit` and fails if the file now has a problem.
fn second_pass(
    path: &Path,
    kind: FileKind,
    limits: Limits,
    resolver: &Resolver,
    emit: &mut dyn FnMut(NewRegistration) -> bool,
) -> CoreResult<()> {
    let mut summary = ProblemSummary::new(limits.max_problems_kept);
    scan_file(path, kind, limits, resolver, &mut summary, emit).map_err(CoreError::Ingest)?;
    batch::still_clean(&summary)
}
