//! Central loads: the national administrator loads the centrally delivered
//! statistics of self-service applications (`SLVBTJN`, from the national
//! self-service counting script) and of outgoing Digital Post (`DOKUD`,
//! mass-mail statistics enriched with task codes), per municipality, task
//! and day, for every municipality at once.
//!
//! A file (`komhen_ingest::central`) becomes registrations with a
//! `quantity`, `source = central`, no unit and no inquiry type, completion
//! or form (the statistics do not say), registered at midday Danish time
//! of the day, as one central batch (no municipality) with the file's
//! SHA-256: the same file again is refused, or replaces the earlier load.
//! [`preview_central`] reads the whole file and tells every problem,
//! grouped, and what would be stored per municipality; [`import_central`]
//! stores all of it or nothing, at constant memory, in chunks of an
//! invisible batch that appears at commit.
//!
//! A municipality may load its own statistics of a channel instead
//! ([`set_own_statistics`], audited set-up data): the central load then
//! leaves its rows of that channel out and the preview says so. The choice
//! applies to loads made after it; rows already loaded stay until the
//! central batch is deleted or replaced.
//!
//! Must not know HTTP or the terminal (progress goes through a callback).

use crate::accounts::access::Actor;
use crate::intake::batch::{self, blocking};
use crate::intake::upload::{sniff, summary_of};
use crate::setup::{change, Entry};
use crate::{CoreError, CoreResult};
use chrono::NaiveDate;
use komhen_domain::{da, dl};
use komhen_domain::{
    danish_instant, BatchId, ChannelCode, KleNumber, MunicipalityCode, NewRegistration, Source,
    TaskId,
};
use komhen_ingest::central::{CentralReader, CentralRow};
use komhen_ingest::{Limits, Problem, ProblemKind, ProblemSummary};
use komhen_store::BatchKind;
use komhen_store::{BatchRow, BatchStatus, NewBatch, SetupChange, Store, TaskRow};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufReader;
use std::path::Path;

/// The centrally delivered channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CentralChannel {
    /// `SLVBTJN`: digital self-service applications.
    SelfService,
    /// `DOKUD`: outgoing Digital Post.
    DigitalPost,
}

impl CentralChannel {
    pub const ALL: [CentralChannel; 2] = [Self::SelfService, Self::DigitalPost];

    pub fn code(self) -> &'static str {
        match self {
            Self::SelfService => "SLVBTJN",
            Self::DigitalPost => "DOKUD",
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::SelfService => dl!("Selvbetjening"),
            Self::DigitalPost => dl!("Digital Post (udgående)"),
        }
    }

    pub fn batch_kind(self) -> BatchKind {
        match self {
            Self::SelfService => BatchKind::CentralSelfService,
            Self::DigitalPost => BatchKind::CentralDigitalPost,
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(value.trim()))
    }

    /// The channel a central batch was loaded for.
    pub fn of_batch(kind: BatchKind) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.batch_kind() == kind)
    }

    fn channel_code(self) -> CoreResult<ChannelCode> {
        ChannelCode::parse(self.code()).map_err(|e| CoreError::Invalid(e.to_string()))
    }
}

// --- a municipality's own statistics ---------------------------------------------------

/// The centrally delivered channels the municipality loads itself.
pub async fn own_statistics(
    store: &dyn Store,
    municipality: MunicipalityCode,
) -> CoreResult<BTreeSet<CentralChannel>> {
    Ok(store
        .list_own_statistics(Some(municipality))
        .await?
        .into_iter()
        .filter_map(|r| CentralChannel::parse(r.channel.as_str()))
        .collect())
}

/// Whether the municipality loads its own statistics of a channel; the
/// central load then leaves its rows out. Audited.
pub async fn set_own_statistics(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    channel: CentralChannel,
    own: bool,
) -> CoreResult<()> {
    let before = own_statistics(store, municipality)
        .await?
        .contains(&channel);
    if before == own {
        return Ok(());
    }
    change(
        store,
        actor,
        SetupChange::SetOwnStatistics {
            municipality,
            channel: channel.channel_code()?,
            own,
        },
        Entry {
            municipality: Some(municipality),
            action: "update",
            entity: "own_statistics",
            entity_id: channel.code().into(),
            before: Some(json!({ "own": before })),
            after: Some(json!({ "own": own })),
        },
    )
    .await?;
    Ok(())
}

// --- loading a central file ----------------------------------------------------------

/// A central file to preview or import.
#[derive(Debug, Clone, Copy)]
pub struct CentralUpload<'a> {
    pub channel: CentralChannel,
    pub path: &'a Path,
    pub file_name: &'a str,
    pub limits: Limits,
}

/// One municipality's part of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityPart {
    pub municipality: MunicipalityCode,
    pub name: String,
    pub rows: u64,
    pub inquiries: i64,
}

/// What a central file holds, before anything is stored.
#[derive(Debug, Clone)]
pub struct CentralPreview {
    pub channel: CentralChannel,
    pub file_name: String,
    pub sha256: String,
    /// "CSV (UTF-8, adskilt med «;»)".
    pub format: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows that will be stored.
    pub valid_rows: u64,
    /// Rows with a count of 0 (nothing to store).
    pub zero_rows: u64,
    /// Inquiries that will be stored.
    pub inquiries: i64,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    /// What is stored, per municipality.
    pub loaded: Vec<MunicipalityPart>,
    /// Left out: municipalities that load this channel themselves.
    pub left_out: Vec<MunicipalityPart>,
    /// Every problem, grouped; the file is stored only without.
    pub problems: ProblemSummary,
    pub duplicate_of: Option<BatchRow>,
    /// Every municipality the file names (its rows are checked against each one's tasks).
    named: BTreeSet<MunicipalityCode>,
}

impl CentralPreview {
    pub fn importable(&self) -> bool {
        self.problems.is_empty() && self.valid_rows > 0
    }
}

/// What a central load stored.
#[derive(Debug, Clone)]
pub struct CentralImported {
    pub batch: BatchRow,
    pub rows: u64,
    pub inquiries: i64,
    pub municipalities: usize,
    pub left_out: usize,
    pub replaced: bool,
}

/// The municipalities' set-up as a central file's rows need it.
#[derive(Debug, Clone)]
struct Resolver {
    channel: ChannelCode,
    names: HashMap<MunicipalityCode, String>,
    /// Per municipality in the file: its tasks (national and own) by KLE.
    tasks: HashMap<MunicipalityCode, HashMap<KleNumber, Vec<TaskRow>>>,
    /// Municipalities that load this channel themselves.
    own: BTreeSet<MunicipalityCode>,
}

/// What resolving a row gave.
enum Resolved {
    Store(NewRegistration),
    Zero,
    LeftOut(MunicipalityCode, i64),
}

impl Resolver {
    async fn load(
        store: &dyn Store,
        channel: CentralChannel,
        municipalities: &BTreeSet<MunicipalityCode>,
    ) -> CoreResult<Self> {
        let code = channel.channel_code()?;
        let names: HashMap<MunicipalityCode, String> = store
            .list_municipalities()
            .await?
            .into_iter()
            .map(|m| (m.code, m.name))
            .collect();
        let mut tasks = HashMap::new();
        for municipality in municipalities.iter().filter(|m| names.contains_key(m)) {
            let mut by_kle: HashMap<KleNumber, Vec<TaskRow>> = HashMap::new();
            for task in store.list_tasks(*municipality).await? {
                by_kle.entry(task.kle.clone()).or_default().push(task);
            }
            tasks.insert(*municipality, by_kle);
        }
        let own = store
            .list_own_statistics(None)
            .await?
            .into_iter()
            .filter(|r| r.channel == code)
            .map(|r| r.municipality)
            .collect();
        Ok(Self {
            channel: code,
            names,
            tasks,
            own,
        })
    }

    /// The task a code names for a municipality: the national one, else
    /// the municipality's own (which must be one).
    fn task(&self, municipality: MunicipalityCode, kle: &KleNumber) -> Result<TaskId, String> {
        let candidates = self
            .tasks
            .get(&municipality)
            .and_then(|t| t.get(kle))
            .map(Vec::as_slice)
            .unwrap_or_default();
        if let Some(national) = candidates.iter().find(|t| t.municipality.is_none()) {
            return Ok(national.id);
        }
        match candidates {
            [one] => Ok(one.id),
            [] => Err(da!(
                "opgavekoden {kle} findes ikke i opgavekataloget, hverken som national opgave \
                 eller som kommune {municipality}s egen. Ret koden, eller bed kommunen oprette \
                 opgaven"
            )),
            many => Err(da!(
                "opgavekoden {kle} svarer til flere af kommune {municipality}s egne opgaver ({}); \
                 kommunen skal give dem hver sit KLE-nummer",
                many.iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    fn resolve(&self, row: &CentralRow) -> Result<Resolved, Vec<Problem>> {
        let mut problems = Vec::new();
        if !self.names.contains_key(&row.municipality) {
            problems.push(Problem::cell(
                row.line,
                "Kommune",
                ProblemKind::Invalid,
                da!(
                    "kommunekoden {} findes ikke blandt de 98 kommuner",
                    row.municipality
                ),
            ));
            return Err(problems);
        }
        let task = match self.task(row.municipality, &row.task) {
            Ok(task) => Some(task),
            Err(message) => {
                problems.push(Problem::cell(
                    row.line,
                    "Opgave",
                    ProblemKind::Invalid,
                    message,
                ));
                None
            }
        };
        let registered_at = danish_instant(row.day, 12, 0);
        if registered_at.is_none() {
            problems.push(Problem::cell(
                row.line,
                "Dato",
                ProblemKind::Invalid,
                da!("datoen {} kan ikke bruges", row.day.format("%d-%m-%Y")),
            ));
        }
        let (Some(task), Some(registered_at)) = (task, registered_at) else {
            return Err(problems);
        };
        if row.quantity == 0 {
            return Ok(Resolved::Zero);
        }
        if self.own.contains(&row.municipality) {
            return Ok(Resolved::LeftOut(row.municipality, row.quantity));
        }
        Ok(Resolved::Store(NewRegistration {
            municipality: row.municipality,
            unit: None,
            task,
            channel: self.channel.clone(),
            inquiry_type: None,
            completion: None,
            has_form: None,
            registered_at,
            duration_ms: None,
            quantity: row.quantity,
            source: Source::Central,
            is_test: false,
            idempotency_key: None,
            answers: vec![],
        }))
    }
}

/// The first pass: the file's format and the municipalities it names.
fn municipalities_of(
    path: &Path,
    limits: Limits,
) -> Result<(String, BTreeSet<MunicipalityCode>), ProblemSummary> {
    let file = std::fs::File::open(path).map_err(|e| {
        let mut summary = ProblemSummary::new(limits.max_problems_kept);
        summary.add(Problem::line(
            1,
            ProblemKind::Unreadable,
            da!("filen kan ikke åbnes: {e}"),
        ));
        summary
    })?;
    let reader = CentralReader::with_limits(BufReader::new(file), limits)
        .map_err(|e| summary_of(e, limits))?;
    let format = da!(
        "CSV ({}, adskilt med «{}»)",
        reader.encoding().label(),
        char::from(reader.delimiter())
    );
    let mut municipalities = BTreeSet::new();
    for row in reader.flatten() {
        municipalities.insert(row.municipality);
    }
    Ok((format, municipalities))
}

/// What the second pass counted.
#[derive(Default)]
struct Scan {
    rows: u64,
    valid_rows: u64,
    zero_rows: u64,
    inquiries: i64,
    first_day: Option<NaiveDate>,
    last_day: Option<NaiveDate>,
    loaded: BTreeMap<MunicipalityCode, (u64, i64)>,
    left_out: BTreeMap<MunicipalityCode, (u64, i64)>,
}

/// Reads every row, resolving each; rows to store go to `sink` (which
/// stops the pass by returning false). Blocking: run on a blocking thread.
fn scan_file(
    path: &Path,
    limits: Limits,
    resolver: &Resolver,
    summary: &mut ProblemSummary,
    mut sink: impl FnMut(NewRegistration) -> bool,
) -> Scan {
    let mut scan = Scan::default();
    let reader = match std::fs::File::open(path) {
        Ok(file) => CentralReader::with_limits(BufReader::new(file), limits),
        Err(e) => {
            summary.add(Problem::line(
                1,
                ProblemKind::Unreadable,
                da!("filen kan ikke åbnes: {e}"),
            ));
            return scan;
        }
    };
    let reader = match reader {
        Ok(reader) => reader,
        Err(e) => {
            for problem in e.problems {
                summary.add(problem);
            }
            return scan;
        }
    };
    // A row twice would count its inquiries twice.
    let mut seen: HashMap<(MunicipalityCode, TaskId, NaiveDate), u64> = HashMap::new();
    for row in reader {
        scan.rows += 1;
        let row = match row {
            Ok(row) => row,
            Err(problems) => {
                summary.add_row(problems);
                continue;
            }
        };
        let resolved = resolver.resolve(&row);
        if let Ok(Resolved::Store(reg)) = &resolved {
            if let Some(first) = seen.insert((row.municipality, reg.task, row.day), row.line) {
                summary.add_row(vec![Problem::line(
                    row.line,
                    ProblemKind::Conflict,
                    da!(
                        "kommune {}, opgave {} og dato {} står også i linje {first}. Læg rækkerne \
                         sammen til én",
                        row.municipality,
                        row.task,
                        row.day.format("%d-%m-%Y")
                    ),
                )]);
                continue;
            }
        }
        match resolved {
            Ok(Resolved::Store(reg)) => {
                scan.valid_rows += 1;
                scan.inquiries += reg.quantity;
                scan.first_day = Some(scan.first_day.map_or(row.day, |d| d.min(row.day)));
                scan.last_day = Some(scan.last_day.map_or(row.day, |d| d.max(row.day)));
                let part = scan.loaded.entry(row.municipality).or_default();
                part.0 += 1;
                part.1 += reg.quantity;
                if !sink(reg) {
                    break;
                }
            }
            Ok(Resolved::Zero) => scan.zero_rows += 1,
            Ok(Resolved::LeftOut(municipality, quantity)) => {
                let part = scan.left_out.entry(municipality).or_default();
                part.0 += 1;
                part.1 += quantity;
            }
            Err(problems) => summary.add_row(problems),
        }
    }
    scan
}

/// Reads the whole file and says what loading it would do. Stores nothing.
#[tracing::instrument(level = "debug", skip_all, fields(channel = upload.channel.code()))]
pub async fn preview_central(
    store: &dyn Store,
    upload: &CentralUpload<'_>,
) -> CoreResult<CentralPreview> {
    let CentralUpload {
        channel,
        path,
        file_name,
        limits,
    } = *upload;
    let sha256 = crate::intake::files::sha256_of(path)?;
    let mut preview = CentralPreview {
        channel,
        file_name: file_name.to_owned(),
        duplicate_of: batch::committed_twin(store, None, channel.batch_kind(), &sha256, None)
            .await?,
        sha256,
        format: String::new(),
        rows: 0,
        valid_rows: 0,
        zero_rows: 0,
        inquiries: 0,
        first_day: None,
        last_day: None,
        loaded: Vec::new(),
        left_out: Vec::new(),
        problems: ProblemSummary::new(limits.max_problems_kept),
        named: BTreeSet::new(),
    };
    if let Some(problem) = sniff(path, dl!("den centrale fil"))? {
        preview.problems.add(problem);
        return Ok(preview);
    }
    let first = {
        let path = path.to_owned();
        blocking(move || municipalities_of(&path, limits)).await?
    };
    let (format, municipalities) = match first {
        Ok(found) => found,
        Err(summary) => {
            preview.problems = summary;
            return Ok(preview);
        }
    };
    preview.format = format;
    let resolver = Resolver::load(store, channel, &municipalities).await?;
    preview.named = municipalities;
    let names = resolver.names.clone();
    let (scan, summary) = {
        let path = path.to_owned();
        blocking(move || {
            let mut summary = ProblemSummary::new(limits.max_problems_kept);
            let scan = scan_file(&path, limits, &resolver, &mut summary, |_| true);
            (scan, summary)
        })
        .await?
    };
    preview.problems = summary;
    preview.rows = scan.rows;
    preview.valid_rows = scan.valid_rows;
    preview.zero_rows = scan.zero_rows;
    preview.inquiries = scan.inquiries;
    preview.first_day = scan.first_day;
    preview.last_day = scan.last_day;
    let parts = |map: &BTreeMap<MunicipalityCode, (u64, i64)>| {
        map.iter()
            .map(|(code, (rows, inquiries))| MunicipalityPart {
                municipality: *code,
                name: names.get(code).cloned().unwrap_or_default(),
                rows: *rows,
                inquiries: *inquiries,
            })
            .collect()
    };
    preview.loaded = parts(&scan.loaded);
    preview.left_out = parts(&scan.left_out);
    Ok(preview)
}

/// Loads a central file: all its rows (but those of municipalities that
/// load the channel themselves), or none. Refuses a file with any problem,
/// and a file loaded before unless `replace` is given. `progress` gets the
/// rows stored so far.
#[tracing::instrument(level = "debug", skip_all, fields(channel = upload.channel.code(), replace))]
pub async fn import_central(
    store: &dyn Store,
    actor: &Actor,
    upload: &CentralUpload<'_>,
    replace: bool,
    progress: &mut (dyn FnMut(u64) + Send),
) -> CoreResult<CentralImported> {
    let checked = preview_central(store, upload).await?;
    if !checked.problems.is_empty() {
        return Err(CoreError::Invalid(da!(
            "Filen er ikke indlæst: den har {}. Ret dem, og indlæs filen igen.",
            checked.problems.counted_da(komhen_ingest::RowWord::Row)
        )));
    }
    if checked.valid_rows == 0 {
        return Err(CoreError::Invalid(
            dl!(
                "Filen har ingen rækker at indlæse (rækker med antal 0 og rækker fra kommuner, \
                 der selv indlæser kanalen, gemmes ikke)."
            )
            .into(),
        ));
    }
    let planned = batch::begin(
        store,
        NewBatch {
            municipality: None,
            kind: upload.channel.batch_kind(),
            file_name: upload.file_name.to_owned(),
            sha256: checked.sha256.clone(),
            fingerprint: None,
            created_by: actor.as_str().to_owned(),
        },
        replace,
    )
    .await?;
    let replaced = !planned.replaces().is_empty();
    let resolver = Resolver::load(store, upload.channel, &checked.named).await?;
    let (path, limits) = (upload.path.to_owned(), upload.limits);
    let (committed, ()) = planned
        .read(
            store,
            Some(checked.valid_rows),
            move |emit| second_pass(&path, limits, &resolver, emit),
            progress,
        )
        .await?;
    Ok(CentralImported {
        rows: committed.row_count as u64,
        batch: committed,
        inquiries: checked.inquiries,
        municipalities: checked.loaded.len(),
        left_out: checked.left_out.len(),
        replaced,
    })
}

/// The second pass over a file the preview found clean: hands every row
/// to `emit` and fails if the file now has a problem.
fn second_pass(
    path: &Path,
    limits: Limits,
    resolver: &Resolver,
    emit: &mut dyn FnMut(NewRegistration) -> bool,
) -> CoreResult<()> {
    let mut summary = ProblemSummary::new(limits.max_problems_kept);
    scan_file(path, limits, resolver, &mut summary, emit);
    batch::still_clean(&summary)
}

/// The central loads of this kind, newest first (committed only).
pub async fn central_batches(store: &dyn Store) -> CoreResult<Vec<BatchRow>> {
    Ok(store
        .list_batches(None)
        .await?
        .into_iter()
        .filter(|b| {
            CentralChannel::of_batch(b.kind).is_some() && b.status == BatchStatus::Committed
        })
        .collect())
}

/// Deletes a central load: its rows vanish from every figure at once.
pub async fn delete_central_batch(store: &dyn Store, batch: BatchId) -> CoreResult<u64> {
    let found = central_batches(store)
        .await?
        .into_iter()
        .find(|b| b.id == batch);
    let Some(found) = found else {
        return Err(CoreError::Invalid(
            dl!("Indlæsningen findes ikke (mere) blandt de centrale indlæsninger.").into(),
        ));
    };
    super::batch::delete(store, None, &found).await
}
