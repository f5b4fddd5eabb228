//! Importing registrations from a municipality's files: komhen's codebook
//! (CSV or XLSX, one row per inquiry or per counted group) and raw-data
//! extracts of the old national portal, Det Digitale Landkort.
//!
//! Two steps, as a coordinator works: [`preview`] reads the whole file and
//! tells every problem at once (grouped when the same one repeats), the
//! counts of valid and invalid rows, and warnings that do not block (a task
//! not assigned to the unit, inquiries the units may already have registered
//! in the tool); [`import`] then stores all rows or none. A file with any
//! problem is refused whole. The batch is recorded with the file's SHA-256
//! and the fingerprint of its rows (`batch::Fingerprint`), so the same
//! file again, or the same rows saved again in another encoding or with a
//! blank line more, is recognised and refused, or replaces the earlier
//! batch when the coordinator chooses so. Rows on units, tasks, channels
//! and days an earlier import already holds are counted in the preview,
//! and the coordinator must choose to replace those imports or add to them
//! ([`Choice`]).
//!
//! Files of millions of rows are read at constant memory: one pass for the
//! preview, one for the import, rows going to the store in chunks from a
//! reading thread. A Landkort extract is history: task codes, units and
//! question columns the municipality no longer has are created (tasks as
//! the municipality's own, units inactive, questions switched off) so the
//! file imports unedited; the preview lists what will be created.

mod scan;
use komhen_domain::{da, dl};
use scan::*;

mod resolve;
use resolve::*;

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
use komhen_store::{BatchRow, ChannelRow, NewBatch, QuestionRow, Store, TaskRow, UnitRow};
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
            Self::Codebook => dl!("kodebogsfil"),
            Self::Landkort => dl!("udtræk fra Det Digitale Landkort"),
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
            .map_err(|e| CoreError::Invalid(da!("Filen kan ikke læses: {e}")))?;
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

/// The kinds of batches a registration file may repeat or replace.
const REGISTRATION_FILES: [BatchKind; 2] = [BatchKind::Codebook, BatchKind::Landkort];

/// The file's rows that land on a unit, task, channel and day where an
/// earlier import of a registration file already has rows: the same data
/// again, most likely, and counted twice if added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierImports {
    /// The file's valid rows, of which `file_rows` overlap.
    pub of_rows: u64,
    pub file_rows: u64,
    pub file_inquiries: i64,
    /// What the earlier imports hold on the same cells.
    pub stored_rows: i64,
    pub stored_inquiries: i64,
    /// How many unit-task-channel-days.
    pub cells: usize,
    /// The earlier imports, newest first: what replacing removes.
    pub batches: Vec<BatchRow>,
}

impl EarlierImports {
    /// The overlap in one Danish sentence, as the preview and the command
    /// line show it.
    pub fn summary_da(&self) -> String {
        let n = |v: i64| crate::reports::tabular::thousands(v);
        let names: Vec<String> = self
            .batches
            .iter()
            .map(|b| {
                format!(
                    "«{}», {}",
                    b.file_name,
                    komhen_domain::danish_local(b.created_at).format("%d-%m-%Y %H:%M")
                )
            })
            .collect();
        let from = match names.as_slice() {
            [one] => da!("en tidligere indlæsning ({one})"),
            _ => da!(
                "{} tidligere indlæsninger ({})",
                names.len(),
                names.join("; ")
            ),
        };
        da!(
            "{} af filens {} {} ligger på dage og enheder, hvor der allerede er registreret \
             {} {} med samme opgave og kanal fra {from}.",
            n(self.file_rows as i64),
            n(self.of_rows as i64),
            if self.of_rows == 1 {
                dl!("række")
            } else {
                dl!("rækker")
            },
            n(self.stored_inquiries),
            if self.stored_inquiries == 1 {
                dl!("henvendelse")
            } else {
                dl!("henvendelser")
            },
        )
    }
}

/// What the coordinator chose to do with earlier imports that hold rows
/// on the file's units, tasks, channels and days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Choice {
    /// Nothing chosen: a file that overlaps is refused.
    #[default]
    Unmade,
    /// The overlapping earlier imports (and an earlier import of the same
    /// rows) are removed in the moment the file's rows appear.
    Replace,
    /// The file's rows are added to what is there (never to an earlier
    /// import of the same rows).
    Add,
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
    /// Rows earlier imports already hold on the same units, tasks,
    /// channels and days: the file imports only with a [`Choice`].
    pub earlier: Option<EarlierImports>,
    /// The fingerprint of the valid rows (`batch::Fingerprint`).
    pub fingerprint: Option<String>,
    /// The committed batch of the same file or the same rows, if it was
    /// imported before.
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
    /// The batches replaced.
    pub replaced: Vec<BatchRow>,
}

/// The file's SHA-256, read as a stream.
pub fn sha256_of(path: &Path) -> CoreResult<String> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| CoreError::Invalid(da!("Filen kan ikke læses: {e}")))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| CoreError::Invalid(da!("Filen kan ikke læses: {e}")))?;
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

/// Deletes one of the municipality's batches (an upload made by mistake):
/// its rows vanish from every figure at once and are then removed. Who
/// deleted what is written to the audit log.
#[tracing::instrument(level = "debug", skip_all, fields(%municipality, batch = %batch.id))]
pub async fn delete_batch(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    batch: &BatchRow,
) -> CoreResult<u64> {
    let deleted = super::batch::delete(store, Some(municipality), batch).await?;
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

// --- preview and import -------------------------------------------------------------------

fn ingest_failed(e: IngestError, limits: Limits) -> ProblemSummary {
    let mut summary = ProblemSummary::new(limits.max_problems_kept);
    for problem in e.problems {
        summary.add(problem);
    }
    summary
}

/// Reads the whole file and says what importing it would do. Stores nothing.
#[tracing::instrument(level = "debug", skip_all, fields(%municipality))]
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
    let duplicate_of =
        batch::committed_twin(store, Some(municipality), kind.batch_kind(), &sha256, None).await?;
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
        earlier: None,
        fingerprint: None,
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
    for problem in unmakeable(municipality, &preview.creations, &scan) {
        preview.problems.add(problem);
    }
    if let (Some(from), Some(to)) = (scan.first_day, scan.last_day) {
        preview.overlap = overlap(store, &resolver, municipality, from, to, &scan.cells).await?;
        preview.earlier = earlier_imports(store, municipality, from, to, &scan).await?;
    }
    if scan.fingerprint.rows() > 0 {
        let fingerprint = scan.fingerprint.code();
        if preview.duplicate_of.is_none() {
            preview.duplicate_of = batch::committed_twin(
                store,
                Some(municipality),
                kind.batch_kind(),
                &preview.sha256,
                Some(&fingerprint),
            )
            .await?;
        }
        preview.fingerprint = Some(fingerprint);
    }
    Ok(preview)
}

/// The file's rows on units, tasks, channels and days where committed
/// registration files already have rows.
async fn earlier_imports(
    store: &dyn Store,
    municipality: MunicipalityCode,
    from: NaiveDate,
    to: NaiveDate,
    scan: &Scan,
) -> CoreResult<Option<EarlierImports>> {
    if scan.keyed.is_empty() {
        return Ok(None);
    }
    let stored = store
        .batch_cells(municipality, &REGISTRATION_FILES, from, to)
        .await?;
    let mut shared: HashSet<&Key> = HashSet::new();
    let mut batches = HashSet::new();
    let (mut stored_rows, mut stored_inquiries) = (0, 0);
    for cell in &stored {
        let key = (cell.unit, cell.task, cell.channel.clone(), cell.day);
        if let Some((key, _)) = scan.keyed.get_key_value(&key) {
            shared.insert(key);
            batches.insert(cell.batch);
            stored_rows += cell.rows;
            stored_inquiries += cell.inquiries;
        }
    }
    if shared.is_empty() {
        return Ok(None);
    }
    let (file_rows, file_inquiries) = shared
        .iter()
        .filter_map(|key| scan.keyed.get(*key))
        .fold((0, 0), |(r, q), (rows, inquiries)| {
            (r + rows, q + inquiries)
        });
    let batches = store
        .list_batches(Some(municipality))
        .await?
        .into_iter()
        .filter(|b| batches.contains(&b.id))
        .collect();
    Ok(Some(EarlierImports {
        of_rows: scan.valid_rows,
        file_rows,
        file_inquiries,
        stored_rows,
        stored_inquiries,
        cells: shared.len(),
        batches,
    }))
}

async fn creations(store: &dyn Store, resolver: &Resolver, scan: &Scan) -> CoreResult<Creations> {
    let mut tasks = Vec::new();
    for (kle, _) in scan.new_tasks.values() {
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
                .map_or_else(|| dl!("(ingen enhed)").to_owned(), |u| u.login.clone());
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

/// What a Landkort extract needs created but the set-up rules refuse (a
/// unit login that is no login, a column name too long for a question),
/// as problems of the file: the dry run refuses exactly what the import
/// would.
fn unmakeable(municipality: MunicipalityCode, creations: &Creations, scan: &Scan) -> Vec<Problem> {
    let (_, refused) = plan(municipality, creations);
    refused
        .into_iter()
        .map(|what| match what {
            setup::Unmakeable::Unit(login, why) => Problem::cell(
                scan.new_units.get(&login).copied().unwrap_or(1),
                "Enhed",
                ProblemKind::Invalid,
                da!("enheden «{login}» kan ikke oprettes: {why}"),
            ),
            setup::Unmakeable::Task(code, why) => Problem::cell(
                scan.new_tasks.get(&code).map_or(1, |(_, line)| *line),
                "Opgave",
                ProblemKind::Invalid,
                da!("opgaven {code} kan ikke oprettes: {why}"),
            ),
            setup::Unmakeable::Question(label, why) => Problem::cell(
                1,
                label.clone(),
                ProblemKind::Invalid,
                da!("kolonnen kan ikke oprettes som spørgsmål: {why}"),
            ),
        })
        .collect()
}

fn plan(
    municipality: MunicipalityCode,
    creations: &Creations,
) -> (setup::HistorySetup, Vec<setup::Unmakeable>) {
    setup::plan_history(
        municipality,
        &creations.tasks,
        &creations.units,
        &creations.questions,
    )
}

/// Imports a file: all of its rows, or none. Refuses a file with any
/// problem; a file (or its rows) imported before unless the choice is to
/// replace; and a file with rows on units, tasks, channels and days that
/// earlier imports hold unless a choice is made: replacing removes those
/// imports in the same moment the new one appears, adding keeps them.
/// `progress` gets the rows stored so far.
#[tracing::instrument(level = "debug", skip_all, fields(%municipality, ?choice))]
pub async fn import(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    upload: &Upload<'_>,
    choice: Choice,
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
        return Err(CoreError::Invalid(da!(
            "Filen er ikke indlæst: den har {}. Ret dem, og indlæs filen igen.",
            checked.problems.counted_da(komhen_ingest::RowWord::Row)
        )));
    }
    if checked.valid_rows == 0 {
        return Err(CoreError::Invalid(
            dl!("Filen har ingen rækker at indlæse.").into(),
        ));
    }
    let planned = batch::begin(
        store,
        NewBatch {
            municipality: Some(municipality),
            kind: kind.batch_kind(),
            file_name: file_name.to_owned(),
            sha256: checked.sha256.clone(),
            fingerprint: checked.fingerprint.clone(),
            created_by: actor.as_str().to_owned(),
        },
        choice == Choice::Replace,
    )
    .await?;
    let mut planned = match (&checked.earlier, choice) {
        (None, _) | (Some(_), Choice::Add) => planned,
        (Some(earlier), Choice::Replace) => planned.replacing(earlier.batches.iter().cloned()),
        (Some(earlier), Choice::Unmade) => {
            return Err(CoreError::Invalid(da!(
                "Filen er ikke indlæst: {} Vælg, om filen skal erstatte de tidligere \
                 indlæsninger, eller om dens rækker skal lægges til dem.",
                earlier.summary_da()
            )))
        }
    };
    let replaced = planned.replaces().to_vec();
    if !checked.creations.is_empty() {
        // The set-up is made for the open batch: a failure from here on
        // deletes the batch, and the set-up with it.
        let (history, _) = plan(municipality, &checked.creations);
        let batch = planned.open_early(store).await?;
        let made = setup::create_history(store, actor, municipality, batch, history).await;
        if let Err(e) = made {
            return Err(planned.discard(store, e).await);
        }
    }
    let resolver = match history_resolver(store, municipality, path, kind, limits).await {
        Ok(resolver) => resolver,
        Err(e) => return Err(planned.discard(store, e).await),
    };
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

/// The file's set-up as it stands now (after any creation).
async fn history_resolver(
    store: &dyn Store,
    municipality: MunicipalityCode,
    path: &Path,
    kind: FileKind,
    limits: Limits,
) -> CoreResult<Resolver> {
    let headers = {
        let path = path.to_owned();
        batch::blocking(move || extra_headers(&path, kind, limits))
            .await?
            .map_err(CoreError::Ingest)?
    };
    Resolver::load(store, municipality, kind, &headers).await
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

/// The example row of a municipality's codebook template, one value per
/// codebook column: a row its own set-up accepts as it stands (its code,
/// a counting unit and a task that unit registers, a weekday before
/// `today`), so a coordinator can try the template before filling it in.
pub async fn template_example(
    store: &dyn Store,
    municipality: MunicipalityCode,
    today: NaiveDate,
) -> CoreResult<Vec<String>> {
    let units: Vec<UnitRow> = store
        .list_units(municipality)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    let tasks: Vec<TaskRow> = store
        .list_tasks(municipality)
        .await?
        .into_iter()
        .filter(|t| !t.retired)
        .collect();
    let assignments = store.list_assignments(municipality).await?;
    // A unit with a task of its own first; else any unit and any task.
    let assigned = units.iter().find_map(|u| {
        assignments
            .iter()
            .filter(|a| a.unit == u.id)
            .find_map(|a| tasks.iter().find(|t| t.id == a.task))
            .map(|t| (Some(u), t))
    });
    let (unit, task) = match assigned {
        Some(found) => (found.0, Some(found.1)),
        None => (units.first(), tasks.first()),
    };
    let mut day = today.pred_opt().unwrap_or(today);
    while matches!(
        chrono::Datelike::weekday(&day),
        chrono::Weekday::Sat | chrono::Weekday::Sun
    ) {
        day = day.pred_opt().unwrap_or(day);
    }
    Ok(vec![
        municipality.to_string(),
        unit.map(|u| u.login.clone()).unwrap_or_default(),
        task.map_or_else(|| "27.24.00".to_owned(), |t| t.kle.to_string()),
        "TLFIND".into(),
        "VEJL".into(),
        "STRAKS".into(),
        String::new(),
        day.format("%d-%m-%Y").to_string(),
        "10:15".into(),
        "1".into(),
        "12,5".into(),
    ])
}
