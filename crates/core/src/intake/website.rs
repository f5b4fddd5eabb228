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

mod read;
pub use read::*;

use crate::accounts::access::Actor;
use crate::intake::batch::{self, blocking};
use crate::intake::upload::{sniff, summary_of};
use crate::setup::{change, Entry};
use crate::{CoreError, CoreResult};
use chrono::NaiveDate;
use komhen_domain::website::longest_match;
use komhen_domain::{da, dl};
use komhen_domain::{
    danish_instant, ChannelCode, Completion, InquiryType, MunicipalityCode, NewRegistration,
    PagePath, ReportPeriod, Source, TaskId, WebPageId,
};
use komhen_ingest::matomo::{MatomoPagesReader, MatomoVisitsReader};
/// The limits of an uploaded file and its problems, as uploads take and
/// previews carry them.
pub use komhen_ingest::{Limits, ProblemSummary};
use komhen_ingest::{Problem, ProblemKind};
use komhen_store::BatchKind;
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
            dl!("Skriv sidens sti (fx /borger/pas) eller hele adressen (fx \
             https://www.kommune.dk/borger/pas), højst 500 tegn.")
            .into(),
        )
    })?;
    if path.is_root() {
        return Err(CoreError::Invalid(
            dl!(
                "Hele hjemmesiden kan ikke knyttes til én opgave. Skriv stien til de sider, der \
             handler om opgaven, fx /borger/pas."
            )
            .into(),
        ));
    }
    let Some(task) = task else {
        return Err(CoreError::Invalid(
            dl!("Vælg den opgave, siderne handler om.").into(),
        ));
    };
    let task = store
        .list_tasks(municipality)
        .await?
        .into_iter()
        .find(|t| t.id == task && !t.retired)
        .ok_or_else(|| {
            CoreError::Invalid(dl!("Opgaven findes ikke i kommunens opgavekatalog.").into())
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
            dl!("Adressen findes ikke (mere) blandt kommunens sider.").into(),
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
    pub fn batch_kind(self) -> BatchKind {
        match self {
            Self::Pages => BatchKind::MatomoPages,
            Self::Visits => BatchKind::MatomoVisits,
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Pages => dl!("Matomo-rapporten Sider (Page URLs)"),
            Self::Visits => dl!("Matomo-rapporten Besøgsoversigt (Visits Summary)"),
        }
    }

    /// The kind a batch was stored as.
    pub fn of_batch(kind: BatchKind) -> Option<Self> {
        match kind {
            BatchKind::MatomoPages => Some(Self::Pages),
            BatchKind::MatomoVisits => Some(Self::Visits),
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

/// Imports a Matomo export: all of it or nothing. Refuses a file with any
/// problem, and a file loaded before unless `replace` is given.
#[tracing::instrument(level = "debug", skip_all, fields(%municipality, replace))]
pub async fn import_web(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    upload: &WebUpload<'_>,
    replace: bool,
) -> CoreResult<WebImported> {
    let preview = preview_web(store, municipality, upload).await?;
    if !preview.problems.is_empty() {
        return Err(CoreError::Invalid(da!(
            "Filen er ikke indlæst: den har {}. Ret dem, og indlæs filen igen.",
            preview.problems.counted_da(komhen_ingest::RowWord::Row)
        )));
    }
    let Some(kind) = preview.kind else {
        return Err(CoreError::Invalid(
            dl!("Filen er hverken Matomos rapport Sider eller Besøgsoversigt.").into(),
        ));
    };
    if !preview.importable() {
        return Err(CoreError::Invalid(match kind {
            ReportKind::Pages => dl!(
                "Filen har ingen besøg på sider, der er knyttet til en opgave. \
                 Knyt siderne til opgaver, og indlæs filen igen."
            )
            .into(),
            ReportKind::Visits => dl!("Filen har ingen besøgstal at indlæse.").into(),
        }));
    }
    let planned = batch::begin(
        store,
        NewBatch {
            municipality: Some(municipality),
            kind: kind.batch_kind(),
            file_name: preview.file_name.clone(),
            sha256: preview.sha256.clone(),
            fingerprint: None,
            created_by: actor.as_str().to_owned(),
        },
        replace,
    )
    .await?;
    let replaced = !planned.replaces().is_empty();
    let (committed, rows, count) = match kind {
        ReportKind::Pages => (
            planned.rows(store, &preview.registrations).await?,
            preview.registrations.len(),
            preview.inquiries,
        ),
        ReportKind::Visits => (
            planned.totals(store, &preview.totals).await?,
            preview.totals.len(),
            preview.sessions.iter().map(|(_, v)| v).sum(),
        ),
    };
    Ok(WebImported {
        kind,
        batch: committed,
        rows,
        count,
        replaced,
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
        .filter(|b| ReportKind::of_batch(b.kind).is_some() && b.status == BatchStatus::Committed)
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
        .find(|b| b.id == batch);
    let Some(found) = found else {
        return Err(CoreError::Invalid(
            dl!("Indlæsningen findes ikke (mere) blandt kommunens hjemmesidefiler.").into(),
        ));
    };
    super::batch::delete(store, Some(municipality), &found).await
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
