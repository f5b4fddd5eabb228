//! The website channel of a municipality: which paths of its website count
//! for which task, and uploading its web analytics (Matomo) so that visits
//! become WEB inquiries and the site's visits the yearly headline total.
//!
//! - **Mappings**: a path (or a full address) of the website mapped to a
//!   task of the municipality's catalogue (national or its own), added and
//!   removed as audited set-up changes. How addresses are compared and why
//!   the longest matching path wins is `komhen_domain::website`.
//! - **The pages report** (Matomo's "Page URLs", flat): each page's visits
//!   go to the task of the longest mapping it is within, and become one
//!   registration per task and day with the method's fixed parameters
//!   (channel WEB, type VEJL, completion STRAKS, no form, no unit) whose
//!   `quantity` is the visits, registered at midday Danish time of the day.
//!   Pages no mapping matches are listed in the preview with their visits
//!   (most first), so the coordinator can map them; they are never stored.
//! - **The visits summary** (Matomo's "Visits Summary"): the site's visits
//!   for its period become a `website_sessions` total count.
//!
//! A registration's date is the day of the visits, so every pages row must
//! name one day: by the export's date column (Matomo writes it when a
//! report is exported per day over a date range) or, for a report without
//! one, by the day the coordinator gives. A report for a longer period is
//! refused, not spread over its days: spreading would invent dates, and
//! day, week and counting-week figures would show visits on days they did
//! not happen. Matomo exports per day at no cost, so nothing is lost.
//!
//! Like every upload: [`preview_web`] reads the whole file and tells every
//! problem; [`import_web`] stores all of it or nothing, as one batch with
//! the file's SHA-256 (the same file again is refused, or replaces the
//! earlier batch when asked).
//!
//! Must not know HTTP or the terminal; the rules of addresses live in the
//! domain crate, the file format in `komhen_ingest::matomo`.

use crate::access::Actor;
use crate::import::store_batch;
use crate::setup::{change, Entry};
use crate::upload::{blocking, earlier_batch, sniff, store_totals, summary_of};
use crate::{CoreError, CoreResult};
use chrono::NaiveDate;
use komhen_domain::website::longest_match;
use komhen_domain::{
    danish_instant, ChannelCode, Completion, InquiryType, MunicipalityCode, NewRegistration,
    PagePath, ReportPeriod, Source, TaskId, WebPageId,
};
use komhen_ingest::matomo::{MatomoPagesReader, MatomoVisitsReader};
/// The limits of an uploaded file and its problems, as uploads take and
/// previews carry them.
pub use komhen_ingest::{Limits, ProblemSummary};
use komhen_ingest::{Problem, ProblemKind};
use komhen_store::{
    BatchRow, BatchStatus, NewBatch, NewTotalCount, NewWebPage, SetupChange, Store, TaskRow,
    TotalCountRow, TotalMeasure, WebPageRow,
};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;
use std::path::Path;

/// The website's channel code.
pub const WEB: &str = "WEB";
/// The batch kind of a pages report.
pub const PAGES_KIND: &str = "matomo_pages";
/// The batch kind of a visits summary.
pub const VISITS_KIND: &str = "matomo_visits";
/// How many unmapped pages a preview lists.
pub const UNMAPPED_SHOWN: usize = 25;

fn web_channel() -> CoreResult<ChannelCode> {
    ChannelCode::parse(WEB).map_err(|e| CoreError::Invalid(e.to_string()))
}

// --- mappings ----------------------------------------------------------------------

/// A mapping with its task.
#[derive(Debug, Clone)]
pub struct WebPage {
    pub id: WebPageId,
    pub path: PagePath,
    pub task: TaskRow,
}

/// The municipality's mappings, by path.
pub async fn web_pages(
    store: &dyn Store,
    municipality: MunicipalityCode,
) -> CoreResult<Vec<WebPage>> {
    let tasks = store.list_tasks(municipality).await?;
    let pages = store.list_web_pages(municipality).await?;
    Ok(pages
        .into_iter()
        .filter_map(|p| {
            tasks.iter().find(|t| t.id == p.task).map(|t| WebPage {
                id: p.id,
                path: p.path,
                task: t.clone(),
            })
        })
        .collect())
}

/// Maps a path (or full address) of the website to a task of the
/// municipality's catalogue.
pub async fn add_web_page(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    address: &str,
    task: Option<TaskId>,
) -> CoreResult<WebPageId> {
    let path = PagePath::parse(address).map_err(|_| {
        CoreError::Invalid(
            "Skriv sidens sti (fx /borger/pas) eller hele adressen (fx \
             https://www.kommune.dk/borger/pas), højst 500 tegn."
                .into(),
        )
    })?;
    if path.is_root() {
        return Err(CoreError::Invalid(
            "Hele hjemmesiden kan ikke knyttes til én opgave. Skriv stien til de sider, der \
             handler om opgaven, fx /borger/pas."
                .into(),
        ));
    }
    let Some(task) = task else {
        return Err(CoreError::Invalid(
            "Vælg den opgave, siderne handler om.".into(),
        ));
    };
    let task = store
        .list_tasks(municipality)
        .await?
        .into_iter()
        .find(|t| t.id == task && !t.retired)
        .ok_or_else(|| {
            CoreError::Invalid("Opgaven findes ikke i kommunens opgavekatalog.".into())
        })?;
    let applied = change(
        store,
        actor,
        SetupChange::CreateWebPage(NewWebPage {
            municipality,
            path: path.clone(),
            task: task.id,
        }),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "web_page",
            entity_id: String::new(),
            before: None,
            after: Some(
                json!({ "path": path.as_str(), "task": task.id.0, "kle": task.kle.as_str() }),
            ),
        },
    )
    .await?;
    Ok(WebPageId(applied.created()?))
}

/// Removes a mapping. Visits already loaded stay.
pub async fn remove_web_page(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    page: WebPageId,
) -> CoreResult<()> {
    let before: Option<WebPageRow> = store
        .list_web_pages(municipality)
        .await?
        .into_iter()
        .find(|p| p.id == page);
    let Some(before) = before else {
        return Err(CoreError::Invalid(
            "Adressen findes ikke (mere) blandt kommunens sider.".into(),
        ));
    };
    change(
        store,
        actor,
        SetupChange::DeleteWebPage { municipality, page },
        Entry {
            municipality: Some(municipality),
            action: "delete",
            entity: "web_page",
            entity_id: page.to_string(),
            before: Some(json!({ "path": before.path.as_str(), "task": before.task.0 })),
            after: None,
        },
    )
    .await?;
    Ok(())
}

// --- uploading Matomo exports --------------------------------------------------------

/// Which Matomo report a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// "Page URLs" (`Actions.getPageUrls`): visits per page.
    Pages,
    /// "Visits Summary" (`VisitsSummary.get`): the site's visits.
    Visits,
}

impl ReportKind {
    pub fn batch_kind(self) -> &'static str {
        match self {
            Self::Pages => PAGES_KIND,
            Self::Visits => VISITS_KIND,
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Pages => "Matomo-rapporten Sider (Page URLs)",
            Self::Visits => "Matomo-rapporten Besøgsoversigt (Visits Summary)",
        }
    }

    /// The kind a batch was stored as.
    pub fn of_batch(kind: &str) -> Option<Self> {
        match kind {
            PAGES_KIND => Some(Self::Pages),
            VISITS_KIND => Some(Self::Visits),
            _ => None,
        }
    }
}

/// A Matomo export to preview or import.
#[derive(Debug, Clone, Copy)]
pub struct WebUpload<'a> {
    pub path: &'a Path,
    pub file_name: &'a str,
    /// The day (or period) the report covers, when the coordinator gives it.
    pub period: Option<ReportPeriod>,
    pub limits: Limits,
}

/// Visits to one task's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskVisits {
    pub task: TaskRow,
    /// Days with visits.
    pub days: usize,
    /// Visits: the inquiries that will be stored.
    pub visits: i64,
}

/// A page no mapping matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmappedPage {
    /// The page's path, or the row's label when it names no address.
    pub page: String,
    /// False for a label that is no address (Matomo's "Page URL not defined").
    pub is_page: bool,
    pub visits: i64,
}

/// What a Matomo export holds, before anything is stored.
#[derive(Debug, Clone)]
pub struct WebPreview {
    /// None when the file could not be read as either report.
    pub kind: Option<ReportKind>,
    pub file_name: String,
    pub sha256: String,
    /// The file's encoding, e.g. "UTF-16 LE".
    pub format: String,
    /// Data rows read.
    pub rows: u64,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    /// Pages report: visits per mapped task, most first.
    pub by_task: Vec<TaskVisits>,
    /// Pages report: the visits that become inquiries.
    pub inquiries: i64,
    /// Pages report: the unmapped pages with most visits.
    pub unmapped: Vec<UnmappedPage>,
    pub unmapped_pages: usize,
    pub unmapped_visits: i64,
    /// Pages report: folder rows (no address; they sum the pages below them).
    pub folder_rows: u64,
    /// Visits summary: the site's visits per period.
    pub sessions: Vec<(ReportPeriod, i64)>,
    /// Things to know that do not stop the upload.
    pub warnings: Vec<String>,
    /// Every problem; the file is stored only without.
    pub problems: ProblemSummary,
    /// The committed batch of the same file, if it was loaded before.
    pub duplicate_of: Option<BatchRow>,
    registrations: Vec<NewRegistration>,
    totals: Vec<NewTotalCount>,
}

impl WebPreview {
    /// Whether importing would store something (with `replace` when the
    /// file was loaded before).
    pub fn importable(&self) -> bool {
        self.problems.is_empty() && (!self.registrations.is_empty() || !self.totals.is_empty())
    }

    /// Registrations the import stores.
    pub fn registration_rows(&self) -> usize {
        self.registrations.len()
    }
}

/// What an import stored.
#[derive(Debug, Clone)]
pub struct WebImported {
    pub kind: ReportKind,
    pub batch: BatchRow,
    /// Registrations (pages report) or total counts (visits summary).
    pub rows: usize,
    /// Inquiries (pages report) or visits (visits summary).
    pub count: i64,
    pub replaced: bool,
}

/// One pages row as read, before the municipality's mappings apply.
struct PageLine {
    line: u64,
    period: Option<Days>,
    /// The page, or None for a folder row or a label that is no address.
    page: Option<PagePath>,
    label: String,
    folder: bool,
    visits: i64,
}

/// A day range a row names: its first and last day.
type Days = (NaiveDate, NaiveDate);

/// A visits summary row: its line, its days (when dated) and the visits.
type SiteLine = (u64, Option<Days>, i64);

/// What one pass over the file gave.
struct FileRead {
    kind: Option<ReportKind>,
    format: String,
    pages: Vec<PageLine>,
    /// Visits summary: (line, period of the row, visits).
    visits: Vec<SiteLine>,
    summary: ProblemSummary,
}

/// Reads the file as a pages report, else as a visits summary.
fn read_file(path: &Path, limits: Limits) -> FileRead {
    let mut read = FileRead {
        kind: None,
        format: String::new(),
        pages: Vec::new(),
        visits: Vec::new(),
        summary: ProblemSummary::new(limits.max_problems_kept),
    };
    let open = || std::fs::File::open(path).map(BufReader::new);
    let file = match open() {
        Ok(f) => f,
        Err(e) => {
            read.summary.add(Problem::line(
                1,
                ProblemKind::Unreadable,
                format!("filen kan ikke åbnes: {e}"),
            ));
            return read;
        }
    };
    let pages_error = match MatomoPagesReader::with_limits(file, limits) {
        Ok(reader) => {
            read.kind = Some(ReportKind::Pages);
            read.format = reader.encoding().label().to_owned();
            let urls = reader.has_urls();
            for row in reader {
                match row {
                    Ok(row) => {
                        let folder = urls && row.url.is_none();
                        let page = if folder {
                            None
                        } else {
                            PagePath::of_visit(row.url.as_deref().unwrap_or(&row.label))
                        };
                        read.pages.push(PageLine {
                            line: row.line,
                            period: row.date.zip(row.date_to),
                            page,
                            label: row.label,
                            folder,
                            visits: row.visits,
                        });
                    }
                    Err(problems) => read.summary.add_row(problems),
                }
            }
            return read;
        }
        Err(e) => e,
    };
    let visits = open()
        .map_err(|e| e.to_string())
        .map(|file| MatomoVisitsReader::with_limits(file, limits));
    match visits {
        Ok(Ok(reader)) => {
            read.kind = Some(ReportKind::Visits);
            read.format = reader.encoding().label().to_owned();
            for row in reader {
                match row {
                    Ok(row) => read
                        .visits
                        .push((row.line, row.date.zip(row.date_to), row.visits)),
                    Err(problems) => read.summary.add_row(problems),
                }
            }
        }
        // Neither report: say what the pages report lacks, the usual upload.
        _ => read.summary = summary_of(pages_error, limits),
    }
    read
}

fn danish(day: NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

/// Reads the whole file and says what importing it would do. Stores nothing.
pub async fn preview_web(
    store: &dyn Store,
    municipality: MunicipalityCode,
    upload: &WebUpload<'_>,
) -> CoreResult<WebPreview> {
    let sha256 = crate::import::sha256_of(upload.path)?;
    let mut preview = WebPreview {
        kind: None,
        file_name: upload.file_name.to_owned(),
        sha256,
        format: String::new(),
        rows: 0,
        first_day: None,
        last_day: None,
        by_task: Vec::new(),
        inquiries: 0,
        unmapped: Vec::new(),
        unmapped_pages: 0,
        unmapped_visits: 0,
        folder_rows: 0,
        sessions: Vec::new(),
        warnings: Vec::new(),
        problems: ProblemSummary::new(upload.limits.max_problems_kept),
        duplicate_of: None,
        registrations: Vec::new(),
        totals: Vec::new(),
    };
    if let Some(problem) = sniff(upload.path, "Matomo-eksporten")? {
        preview.problems.add(problem);
        return Ok(preview);
    }
    let (path, limits) = (upload.path.to_owned(), upload.limits);
    let read = blocking(move || read_file(&path, limits)).await?;
    preview.kind = read.kind;
    preview.format = read.format;
    preview.problems = read.summary;
    preview.rows = (read.pages.len() + read.visits.len()) as u64 + preview.problems.bad_rows();
    if let Some(kind) = preview.kind {
        preview.duplicate_of = store
            .find_batch(Some(municipality), kind.batch_kind(), &preview.sha256)
            .await?
            .filter(|b| b.status == BatchStatus::Committed);
    }
    match preview.kind {
        Some(ReportKind::Pages) => {
            pages_preview(store, municipality, upload.period, read.pages, &mut preview).await?
        }
        Some(ReportKind::Visits) => {
            visits_preview(
                store,
                municipality,
                upload.period,
                &read.visits,
                &mut preview,
            )
            .await?
        }
        None => {}
    }
    Ok(preview)
}

/// The day of a pages row, or its problem.
fn day_of(row: &PageLine, period: Option<ReportPeriod>) -> Result<NaiveDate, Option<Problem>> {
    match (row.period, period) {
        (Some((from, to)), _) if from != to => Err(Some(Problem::cell(
            row.line,
            "date",
            ProblemKind::Invalid,
            format!(
                "rækken dækker {} – {}, ikke én dag. Eksportér rapporten pr. dag (Matomo: \
                 periode «dag»), så hvert besøg får sin dato",
                danish(from),
                danish(to)
            ),
        ))),
        (Some((day, _)), Some(given)) if !given.contains(day) => Err(Some(Problem::cell(
            row.line,
            "date",
            ProblemKind::Conflict,
            format!(
                "rækken er fra {}, uden for den angivne periode {}. Ret perioden, eller \
                 eksportér rapporten igen",
                danish(day),
                given.label_da()
            ),
        ))),
        (Some((day, _)), _) => Ok(day),
        (None, Some(given)) if given.is_day() => Ok(given.from),
        // Without a day the file's problem is reported once, not per row.
        (None, _) => Err(None),
    }
}

async fn pages_preview(
    store: &dyn Store,
    municipality: MunicipalityCode,
    period: Option<ReportPeriod>,
    rows: Vec<PageLine>,
    preview: &mut WebPreview,
) -> CoreResult<()> {
    let mappings = store.list_web_pages(municipality).await?;
    if mappings.is_empty() {
        preview.warnings.push(
            "Kommunen har ingen sider knyttet til opgaver endnu, så ingen besøg bliver til \
             henvendelser. Knyt siderne til opgaver på siden Hjemmeside, og indlæs filen igen."
                .into(),
        );
    }
    let tasks = store.list_tasks(municipality).await?;
    let undated = rows.iter().any(|r| r.period.is_none());
    if undated {
        let problem = match period {
            None => Some(
                "rapporten har ingen dato pr. række, så komhen ved ikke, hvilken dag besøgene \
                 var. Angiv dagen, rapporten dækker (fx 21-10-2025), eller eksportér den pr. dag \
                 med en datokolonne (Matomo: periode «dag» over et datointerval)"
                    .to_owned(),
            ),
            Some(p) if !p.is_day() => Some(format!(
                "rapporten dækker {} uden dato pr. række. Besøg gemmes med besøgets dato, så en \
                 rapport for flere dage kan ikke fordeles uden at opfinde datoer. Eksportér én \
                 rapport pr. dag, eller én pr. dag over et datointerval (Matomo: periode «dag»)",
                p.label_da()
            )),
            Some(_) => None,
        };
        if let Some(message) = problem {
            preview
                .problems
                .add(Problem::line(1, ProblemKind::Invalid, message));
        }
    }
    // Visits per (task, day) and per unmapped page.
    let mut cells: BTreeMap<(TaskId, NaiveDate), i64> = BTreeMap::new();
    let mut unmapped: HashMap<String, (bool, i64)> = HashMap::new();
    let mut first_day: Option<NaiveDate> = None;
    let mut last_day: Option<NaiveDate> = None;
    for row in &rows {
        if row.folder {
            preview.folder_rows += 1;
            continue;
        }
        let day = match day_of(row, period) {
            Ok(day) => day,
            Err(Some(problem)) => {
                preview.problems.add_row(vec![problem]);
                continue;
            }
            Err(None) => continue,
        };
        if row.visits == 0 {
            continue;
        }
        first_day = Some(first_day.map_or(day, |d| d.min(day)));
        last_day = Some(last_day.map_or(day, |d| d.max(day)));
        let task = row
            .page
            .as_ref()
            .and_then(|page| longest_match(page, mappings.iter().map(|m| (&m.path, m.task))));
        match (task, &row.page) {
            (Some(task), _) => *cells.entry((task, day)).or_default() += row.visits,
            (None, Some(page)) => {
                unmapped
                    .entry(page.as_str().to_owned())
                    .or_insert((true, 0))
                    .1 += row.visits
            }
            (None, None) => unmapped.entry(row.label.clone()).or_insert((false, 0)).1 += row.visits,
        }
    }
    preview.first_day = first_day;
    preview.last_day = last_day;
    let channel = web_channel()?;
    let mut by_task: BTreeMap<TaskId, (usize, i64)> = BTreeMap::new();
    for ((task, day), visits) in &cells {
        let entry = by_task.entry(*task).or_default();
        entry.0 += 1;
        entry.1 += visits;
        let Some(registered_at) = danish_instant(*day, 12, 0) else {
            continue;
        };
        preview.registrations.push(NewRegistration {
            municipality,
            unit: None,
            task: *task,
            channel: channel.clone(),
            inquiry_type: Some(InquiryType::Guidance),
            completion: Some(Completion::AtOnce),
            has_form: Some(false),
            registered_at,
            duration_ms: None,
            quantity: *visits,
            source: Source::Upload,
            is_test: false,
            idempotency_key: None,
            answers: vec![],
        });
    }
    for reg in &preview.registrations {
        if let Err(e) = reg.validate() {
            preview.problems.add(Problem::line(
                1,
                ProblemKind::Invalid,
                format!("besøgene på én opgave og dag kan ikke gemmes: {e}"),
            ));
        }
    }
    preview.by_task = by_task
        .into_iter()
        .filter_map(|(task, (days, visits))| {
            tasks.iter().find(|t| t.id == task).map(|t| TaskVisits {
                task: t.clone(),
                days,
                visits,
            })
        })
        .collect();
    preview
        .by_task
        .sort_by(|a, b| b.visits.cmp(&a.visits).then(a.task.kle.cmp(&b.task.kle)));
    preview.inquiries = preview.by_task.iter().map(|t| t.visits).sum();
    preview.unmapped_pages = unmapped.len();
    preview.unmapped_visits = unmapped.values().map(|(_, v)| v).sum();
    let mut unmapped: Vec<UnmappedPage> = unmapped
        .into_iter()
        .map(|(page, (is_page, visits))| UnmappedPage {
            page,
            is_page,
            visits,
        })
        .collect();
    unmapped.sort_by(|a, b| b.visits.cmp(&a.visits).then_with(|| a.page.cmp(&b.page)));
    unmapped.truncate(UNMAPPED_SHOWN);
    preview.unmapped = unmapped;
    if preview.folder_rows > 0 {
        preview.warnings.push(format!(
            "{} mapperækker uden adresse er sprunget over: de summerer siderne under dem. \
             Eksportér rapporten «flad» (Matomo: «Gør flad»), så hver side står på sin egen række.",
            preview.folder_rows
        ));
    }
    Ok(())
}

async fn visits_preview(
    store: &dyn Store,
    municipality: MunicipalityCode,
    period: Option<ReportPeriod>,
    rows: &[SiteLine],
    preview: &mut WebPreview,
) -> CoreResult<()> {
    if period.is_none() && rows.iter().any(|(_, p, _)| p.is_none()) {
        preview.problems.add(Problem::line(
            1,
            ProblemKind::Invalid,
            "rapporten har ingen dato, så komhen ved ikke, hvilken periode besøgene dækker. \
             Angiv perioden (fx 2025 for hele året, 2025-10 for en måned eller 21-10-2025 for en \
             dag)",
        ));
    }
    for (line, row_period, visits) in rows {
        let covered = match (row_period, period) {
            (Some((from, to)), Some(given)) if !(given.contains(*from) && given.contains(*to)) => {
                preview.problems.add_row(vec![Problem::cell(
                    *line,
                    "date",
                    ProblemKind::Conflict,
                    format!(
                        "rækken dækker {}, uden for den angivne periode {}. Ret perioden, eller \
                         eksportér rapporten igen",
                        ReportPeriod {
                            from: *from,
                            to: *to
                        }
                        .label_da(),
                        given.label_da()
                    ),
                )]);
                continue;
            }
            (Some((from, to)), _) => ReportPeriod {
                from: *from,
                to: *to,
            },
            (None, Some(given)) => given,
            (None, None) => continue,
        };
        preview.sessions.push((covered, *visits));
        preview.totals.push(NewTotalCount {
            municipality,
            measure: TotalMeasure::WebsiteSessions,
            channel: None,
            from: covered.from,
            to: covered.to,
            count: *visits,
            source: "upload".into(),
            batch: None,
        });
    }
    preview.first_day = preview.sessions.iter().map(|(p, _)| p.from).min();
    preview.last_day = preview.sessions.iter().map(|(p, _)| p.to).max();
    // Visits already counted for overlapping days would count twice.
    let earlier: Vec<TotalCountRow> = website_sessions(store, municipality)
        .await?
        .into_iter()
        .filter(|t| {
            preview
                .sessions
                .iter()
                .any(|(p, _)| t.from <= p.to && p.from <= t.to)
        })
        .filter(|t| {
            preview
                .duplicate_of
                .as_ref()
                .is_none_or(|d| t.batch != Some(d.id))
        })
        .collect();
    if let Some(t) = earlier.first() {
        preview.warnings.push(format!(
            "Kommunen har allerede besøgstal for {} ({} besøg{}). Slet den tidligere \
             indlæsning, hvis den nye fil skal afløse den, så besøgene ikke tælles to gange.",
            ReportPeriod {
                from: t.from,
                to: t.to
            }
            .label_da(),
            komhen_ingest::summary::danish_number(u64::try_from(t.count).unwrap_or(0)),
            if earlier.len() > 1 {
                format!(" og {} andre perioder", earlier.len() - 1)
            } else {
                String::new()
            }
        ));
    }
    Ok(())
}

/// Imports a Matomo export: all of it or nothing. Refuses a file with any
/// problem, and a file loaded before unless `replace` is given.
pub async fn import_web(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    upload: &WebUpload<'_>,
    replace: bool,
) -> CoreResult<WebImported> {
    let preview = preview_web(store, municipality, upload).await?;
    if !preview.problems.is_empty() {
        return Err(CoreError::Invalid(format!(
            "Filen er ikke indlæst: den har {} fejl på {} rækker. Ret dem, og indlæs filen igen.",
            preview.problems.total(),
            preview.problems.bad_rows().max(1)
        )));
    }
    let Some(kind) = preview.kind else {
        return Err(CoreError::Invalid(
            "Filen er hverken Matomos rapport Sider eller Besøgsoversigt.".into(),
        ));
    };
    if !preview.importable() {
        return Err(CoreError::Invalid(match kind {
            ReportKind::Pages => "Filen har ingen besøg på sider, der er knyttet til en opgave. \
                 Knyt siderne til opgaver, og indlæs filen igen."
                .into(),
            ReportKind::Visits => "Filen har ingen besøgstal at indlæse.".into(),
        }));
    }
    let batch = NewBatch {
        municipality: Some(municipality),
        kind: kind.batch_kind().into(),
        file_name: preview.file_name.clone(),
        sha256: preview.sha256.clone(),
        created_by: actor.as_str().to_owned(),
    };
    let earlier = earlier_batch(store, &batch).await?;
    if let (Some(earlier), false) = (&earlier, replace) {
        return Err(CoreError::Invalid(format!(
            "Filen er indlæst før ({}). Vælg at erstatte den tidligere indlæsning, hvis den skal \
             indlæses igen.",
            komhen_domain::danish_local(earlier.created_at).format("%d-%m-%Y %H:%M")
        )));
    }
    let (committed, rows, count) = match kind {
        ReportKind::Pages => (
            store_batch(store, &batch, &preview.registrations, replace).await?,
            preview.registrations.len(),
            preview.inquiries,
        ),
        ReportKind::Visits => (
            store_totals(store, &batch, &preview.totals, replace).await?,
            preview.totals.len(),
            preview.sessions.iter().map(|(_, v)| v).sum(),
        ),
    };
    Ok(WebImported {
        kind,
        batch: committed,
        rows,
        count,
        replaced: earlier.is_some(),
    })
}

/// The municipality's committed Matomo uploads, newest first.
pub async fn web_batches(
    store: &dyn Store,
    municipality: MunicipalityCode,
) -> CoreResult<Vec<BatchRow>> {
    Ok(store
        .list_batches(Some(municipality))
        .await?
        .into_iter()
        .filter(|b| ReportKind::of_batch(&b.kind).is_some() && b.status == BatchStatus::Committed)
        .collect())
}

/// Deletes one of the municipality's Matomo uploads: its inquiries or its
/// total counts vanish from every figure at once.
pub async fn delete_web_batch(
    store: &dyn Store,
    municipality: MunicipalityCode,
    batch: komhen_domain::BatchId,
) -> CoreResult<u64> {
    let found = web_batches(store, municipality)
        .await?
        .into_iter()
        .any(|b| b.id == batch);
    if !found {
        return Err(CoreError::Invalid(
            "Indlæsningen findes ikke (mere) blandt kommunens hjemmesidefiler.".into(),
        ));
    }
    Ok(store.delete_batch(Some(municipality), batch).await?)
}

/// The municipality's WEB inquiries per task, from every source, most first.
pub async fn web_inquiries_by_task(
    store: &dyn Store,
    municipality: MunicipalityCode,
) -> CoreResult<Vec<(TaskRow, i64)>> {
    let tasks = store.list_tasks(municipality).await?;
    Ok(store
        .count_channel_by_task(municipality, &web_channel()?)
        .await?
        .into_iter()
        .filter_map(|c| {
            tasks
                .iter()
                .find(|t| t.id == c.task)
                .map(|t| (t.clone(), c.inquiries))
        })
        .collect())
}

/// The municipality's website visits (the headline total), by period:
/// typed ones and those of committed batches (a load still running, or
/// one interrupted, shows nothing).
pub async fn website_sessions(
    store: &dyn Store,
    municipality: MunicipalityCode,
) -> CoreResult<Vec<TotalCountRow>> {
    let committed: std::collections::HashSet<komhen_domain::BatchId> = store
        .list_batches(Some(municipality))
        .await?
        .into_iter()
        .filter(|b| b.status == BatchStatus::Committed)
        .map(|b| b.id)
        .collect();
    Ok(store
        .list_total_counts(municipality)
        .await?
        .into_iter()
        .filter(|t| t.measure == TotalMeasure::WebsiteSessions)
        .filter(|t| t.batch.is_none_or(|b| committed.contains(&b)))
        .collect())
}
