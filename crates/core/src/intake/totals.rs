//! Total counts (totaltal): counts of all inquiries per channel for a date
//! range, taken from the municipality's own systems and entered once a
//! year (mass registration), and the figures delivered centrally per
//! municipality (logins to borger.dk, NemID issued).
//!
//! Owns the rules every way in shares: a total is entered in the form,
//! uploaded as a CSV file (`Kanal;Fra;Til;Antal`; centrally
//! `Kommune;Fra;Til;Antal`), or read from a phone system (`phone`); each
//! entry or file is one batch, so it can be listed and deleted whole. A
//! file is read whole first and every problem shown ([`TotalsPreview`]);
//! only a file without problems is staged (stored invisibly) and, when the
//! coordinator confirms, committed: all of its totals or none. Two totals
//! of the same municipality, measure and channel must not share a day:
//! the preview names every stored total a new one overlaps, and the store
//! checks again under a lock when committing, so two entries made at the
//! same moment cannot both pass. The same file again is recognised by its
//! SHA-256.
//!
//! Must not know HTTP or the terminal: pages and the CLI show a
//! [`TotalsPreview`] and the Danish messages in [`CoreError::Invalid`].

mod files;
pub use files::*;

mod entry;
pub use entry::*;

use crate::accounts::access::Actor;
use crate::{CoreError, CoreResult};
use chrono::NaiveDate;
use komhen_domain::{da, danish_local, dl, BatchId, ChannelCode, MunicipalityCode};
use komhen_ingest::summary::danish_number;
use komhen_ingest::totals::{TotalsLayout, TotalsReader, TotalsSubject};
use komhen_ingest::{detect_format, FileFormat, Limits, Problem, ProblemKind};
use komhen_store::BatchKind;
use komhen_store::{
    BatchRow, BatchStatus, ChannelRow, NewAuditEntry, NewBatch, NewTotalCount, Store,
    TotalEntryRow, TotalMeasure, TotalOverlap, TotalsCommit,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The problems of a file, as previews carry them (re-exported so pages
/// can show them without reading files themselves).
pub use komhen_ingest::ProblemSummary;

/// The template of a municipality's totals file (`Kanal;Fra;Til;Antal`).
pub fn channel_template() -> Vec<u8> {
    komhen_ingest::totals::template_csv(TotalsLayout::Channels)
}

/// The template of a national delivery (`Kommune;Fra;Til;Antal`).
pub fn national_template() -> Vec<u8> {
    komhen_ingest::totals::template_csv(TotalsLayout::Municipalities)
}

/// The batch kind of a total typed in the form.
pub const FORM_KIND: BatchKind = BatchKind::TotalsForm;
/// The batch kind of a coordinator's CSV file.
pub const CSV_KIND: BatchKind = BatchKind::TotalsCsv;
/// The batch kind of a phone system's call records (see `phone`).
pub const CDR_KIND: BatchKind = BatchKind::TotalsCdr;
/// The limits of a totals CSV file: a year of channels is a few hundred
/// rows, a national delivery a few thousand.
pub const FILE_LIMITS: Limits = Limits {
    max_bytes: 10 << 20,
    max_rows: 100_000,
    max_problems_kept: 1_000,
};

/// The measures delivered centrally per municipality.
pub const NATIONAL_MEASURES: [TotalMeasure; 2] =
    [TotalMeasure::BorgerdkLogins, TotalMeasure::NemidIssued];

/// The batch kind of a central delivery of one measure.
pub fn national_kind(measure: TotalMeasure) -> BatchKind {
    BatchKind::TotalsNational(measure)
}

/// What a measure counts, in Danish (plural).
pub fn unit_da(measure: TotalMeasure) -> &'static str {
    match measure {
        TotalMeasure::Inquiries => dl!("henvendelser"),
        TotalMeasure::WebsiteSessions => dl!("besøg"),
        TotalMeasure::BorgerdkLogins => dl!("logins"),
        TotalMeasure::NemidIssued => dl!("udstedte NemID"),
    }
}

/// A measure's name, in Danish.
pub fn measure_da(measure: TotalMeasure) -> &'static str {
    match measure {
        TotalMeasure::Inquiries => dl!("Henvendelser"),
        TotalMeasure::WebsiteSessions => dl!("Besøg på hjemmesiden"),
        TotalMeasure::BorgerdkLogins => dl!("Logins på borger.dk"),
        TotalMeasure::NemidIssued => dl!("Udstedte NemID"),
    }
}

/// A central measure from a form's value (`borgerdk_logins`, `nemid_issued`).
pub fn national_measure(value: &str) -> CoreResult<TotalMeasure> {
    TotalMeasure::parse(value.trim())
        .filter(|m| NATIONAL_MEASURES.contains(m))
        .ok_or_else(|| {
            CoreError::Invalid(
                dl!("Vælg, om filen har logins på borger.dk eller udstedte NemID.").into(),
            )
        })
}

pub use crate::accounts::access::actor_da;

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn day_da(day: NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

/// `01-10-2025–31-10-2025`, or one day alone.
pub fn range_da(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        day_da(from)
    } else {
        format!("{}–{}", day_da(from), day_da(to))
    }
}

/// Names of what totals count: channels by code, municipalities by code.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    channels: HashMap<String, String>,
    municipalities: HashMap<MunicipalityCode, String>,
}

impl Labels {
    pub async fn load(store: &dyn Store) -> CoreResult<Self> {
        Ok(Self {
            channels: store
                .list_channels()
                .await?
                .into_iter()
                .map(|c| (c.code.as_str().to_owned(), c.label_da))
                .collect(),
            municipalities: store
                .list_municipalities()
                .await?
                .into_iter()
                .map(|m| (m.code, m.name))
                .collect(),
        })
    }

    pub fn channel(&self, code: &ChannelCode) -> String {
        self.channels
            .get(code.as_str())
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    pub fn municipality(&self, code: MunicipalityCode) -> String {
        match self.municipalities.get(&code) {
            Some(name) => format!("{name} ({code})"),
            None => code.to_string(),
        }
    }

    /// What a total counts: its channel, or its measure and municipality.
    pub fn subject(
        &self,
        municipality: MunicipalityCode,
        measure: TotalMeasure,
        channel: Option<&ChannelCode>,
    ) -> String {
        match channel {
            Some(channel) => self.channel(channel),
            None => format!(
                "{}, {}",
                measure_da(measure),
                self.municipality(municipality)
            ),
        }
    }

    /// A stored total as a coordinator recognises it: what, when, how
    /// many, entered by whom and when.
    pub fn describe(&self, entry: &TotalEntryRow) -> String {
        let t = &entry.total;
        let how = match entry.batch_kind {
            Some(FORM_KIND) => dl!("indtastet").to_owned(),
            Some(CSV_KIND) => da!(
                "indlæst fra filen «{}»",
                entry.file_name.as_deref().unwrap_or_default()
            ),
            Some(CDR_KIND) => da!(
                "indlæst fra telefonsystemets fil «{}»",
                entry.file_name.as_deref().unwrap_or_default()
            ),
            Some(_) => dl!("leveret centralt").to_owned(),
            None => dl!("gemt").to_owned(),
        };
        // What and when as one value: a subject may hold spaces and
        // parentheses the English catalogue must not split.
        let what = format!(
            "{} {}",
            self.subject(t.municipality, t.measure, t.channel.as_ref()),
            range_da(t.from, t.to)
        );
        let count = danish_number(t.count.max(0) as u64);
        let unit = unit_da(t.measure);
        let day = danish_local(entry.entered_at).format("%d-%m-%Y");
        match entry.entered_by.as_deref() {
            Some(by) => da!(
                "{what} ({count} {unit}, {how} af {} den {day})",
                actor_da(by)
            ),
            None => da!("{what} ({count} {unit}, {how} den {day})"),
        }
    }
}

/// One total of a preview, as it will be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewTotal {
    /// The file's line; None for a total made from many lines (a phone
    /// system's calls of a day).
    pub line: Option<u64>,
    pub label: String,
    pub total: NewTotalCount,
}

/// What a totals file holds, before anything is stored.
#[derive(Debug, Clone)]
pub struct TotalsPreview {
    pub file_name: String,
    pub sha256: String,
    /// "CSV (UTF-8, adskilt med «;»)".
    pub format: String,
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// The valid rows' totals, in file order.
    pub totals: Vec<PreviewTotal>,
    /// Every problem of the file's cells, counted and grouped.
    pub problems: ProblemSummary,
    /// Every overlap, within the file or with stored totals, in Danish.
    pub overlaps: Vec<String>,
    /// The committed batch of the same file, if it was stored before.
    pub duplicate_of: Option<BatchRow>,
    /// The batch waiting for the coordinator's "Gem" (only for a file
    /// without problems).
    pub staged: Option<BatchId>,
}

impl TotalsPreview {
    fn new(file_name: &str, bytes: &[u8]) -> Self {
        Self {
            file_name: file_name.to_owned(),
            sha256: sha256_hex(bytes),
            format: String::new(),
            rows: 0,
            totals: Vec::new(),
            problems: ProblemSummary::new(FILE_LIMITS.max_problems_kept),
            overlaps: Vec::new(),
            duplicate_of: None,
            staged: None,
        }
    }

    /// Whether the file can be stored as it is.
    pub fn importable(&self) -> bool {
        self.problems.is_empty()
            && self.overlaps.is_empty()
            && self.duplicate_of.is_none()
            && !self.totals.is_empty()
    }

    /// The sum of the totals.
    pub fn sum(&self) -> i64 {
        self.totals.iter().map(|t| t.total.count).sum()
    }

    /// Why nothing can be stored, in one Danish sentence (None when it can).
    pub fn refusal(&self) -> Option<String> {
        if let Some(earlier) = &self.duplicate_of {
            return Some(duplicate_message(earlier));
        }
        if !self.problems.is_empty() || !self.overlaps.is_empty() {
            let errors = danish_number(self.problems.total());
            return Some(if self.overlaps.is_empty() {
                da!("Filen er ikke gemt: den har {errors} fejl. Ret dem, og indlæs filen igen. Intet er gemt.")
            } else {
                da!(
                    "Filen er ikke gemt: den har {errors} fejl og {} overlappende perioder. Ret \
                     dem, og indlæs filen igen. Intet er gemt.",
                    self.overlaps.len()
                )
            });
        }
        if self.totals.is_empty() {
            return Some(dl!("Filen har ingen totaltal at gemme.").into());
        }
        None
    }
}

fn duplicate_message(earlier: &BatchRow) -> String {
    da!(
        "Præcis den samme fil er gemt før ({} af {} den {}). Slet den tidligere indlæsning, \
         hvis filen skal gemmes igen.",
        if earlier.file_name.is_empty() {
            dl!("indtastet").to_owned()
        } else {
            format!("«{}»", earlier.file_name)
        },
        actor_da(&earlier.created_by),
        danish_local(earlier.created_at).format("%d-%m-%Y %H:%M")
    )
}

/// A channel as a file or form names it: its code, or its Danish name.
fn find_channel<'c>(channels: &'c [ChannelRow], written: &str) -> Option<&'c ChannelRow> {
    let wanted: String = written
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    channels.iter().find(|c| {
        c.code.as_str().eq_ignore_ascii_case(&wanted)
            || c.label_da.to_lowercase() == wanted
            || c.label_en.to_lowercase() == wanted
    })
}

/// Overlaps among the totals themselves, as messages naming both lines.
fn overlaps_within(totals: &[PreviewTotal]) -> Vec<String> {
    let mut order: Vec<&PreviewTotal> = totals.iter().collect();
    let key = |t: &PreviewTotal| {
        (
            t.total.municipality,
            t.total.measure.code(),
            t.total.channel.clone(),
        )
    };
    order.sort_by(|a, b| key(a).cmp(&key(b)).then(a.total.from.cmp(&b.total.from)));
    let mut messages = Vec::new();
    for (i, later) in order.iter().enumerate() {
        // Every earlier-starting total of the same key still running.
        for earlier in order[..i].iter().rev() {
            if key(earlier) != key(later) {
                break;
            }
            if earlier.total.to >= later.total.from {
                let what = format!(
                    "{} {}",
                    later.label,
                    range_da(later.total.from, later.total.to)
                );
                let then = range_da(earlier.total.from, earlier.total.to);
                let message = match earlier.line {
                    Some(l) => da!(
                        "{what} overlapper linje {l}: {then} i samme fil. Hver dag må kun tælles \
                         én gang."
                    ),
                    None => {
                        da!("{what} overlapper {then} i samme fil. Hver dag må kun tælles én gang.")
                    }
                };
                messages.push(on_line(later.line, message));
            }
        }
    }
    messages
}

/// A message about a line of the file, led by the line's number when it
/// has one.
fn on_line(line: Option<u64>, message: String) -> String {
    match line {
        Some(l) => da!("Linje {l}: {message}"),
        None => message,
    }
}

/// Each overlap with a stored total, naming it.
fn overlap_messages(
    labels: &Labels,
    totals: &[PreviewTotal],
    overlaps: &[TotalOverlap],
) -> Vec<String> {
    overlaps
        .iter()
        .filter_map(|o| {
            let new = totals.get(o.index)?;
            let what = format!("{} {}", new.label, range_da(new.total.from, new.total.to));
            Some(on_line(
                new.line,
                da!(
                    "{what} overlapper et gemt tal: {}. Slet det gemte tal først, eller ret \
                     perioden.",
                    labels.describe(&o.existing)
                ),
            ))
        })
        .collect()
}

/// Checks the previewed totals against each other and the stored ones,
/// looks for the same file stored before, and stages a file without
/// problems (when `stage`).
pub(crate) async fn finish_preview(
    store: &dyn Store,
    actor: &Actor,
    batch: NewBatch,
    preview: &mut TotalsPreview,
    labels: &Labels,
    stage: bool,
) -> CoreResult<()> {
    preview.overlaps = overlaps_within(&preview.totals);
    let new: Vec<NewTotalCount> = preview.totals.iter().map(|t| t.total.clone()).collect();
    let found = store.find_total_overlaps(&new).await?;
    preview
        .overlaps
        .extend(overlap_messages(labels, &preview.totals, &found));
    // Total counts of a published period are frozen with its figures.
    let closed = crate::intake::batch::Closed::load(store).await?;
    for t in &preview.totals {
        if let Some(period) = closed.overlapping(t.total.from, t.total.to).first() {
            preview.overlaps.push(da!(
                "{} – {} ligger i {}, hvis tal er offentliggjort og ikke kan ændres",
                t.total.from.format("%d-%m-%Y"),
                t.total.to.format("%d-%m-%Y"),
                period.period.name
            ));
        }
    }
    preview.duplicate_of = crate::intake::batch::committed_twin(
        store,
        batch.municipality,
        batch.kind,
        &preview.sha256,
        None,
    )
    .await?;
    if stage && preview.importable() {
        // Staged totals the coordinator never confirmed go like any stale load.
        crate::intake::batch::remove_stale(store, batch.municipality).await?;
        let batch = NewBatch {
            fingerprint: None,
            created_by: actor.as_str().to_owned(),
            ..batch
        };
        preview.staged = Some(store.stage_totals(&batch, &new).await?);
    }
    Ok(())
}

fn audit(
    actor: &Actor,
    municipality: Option<MunicipalityCode>,
    action: &str,
    batch: &BatchRow,
    sum: Option<i64>,
) -> NewAuditEntry {
    NewAuditEntry {
        municipality,
        actor: actor.as_str().to_owned(),
        action: action.into(),
        entity: "total_batch".into(),
        entity_id: batch.id.to_string(),
        before_json: (action == "delete").then(|| {
            json!({ "kind": batch.kind.code(), "file": batch.file_name, "totals": batch.row_count })
                .to_string()
        }),
        after_json: (action != "delete").then(|| {
            json!({
                "kind": batch.kind.code(),
                "file": batch.file_name,
                "totals": batch.row_count,
                "sum": sum,
            })
            .to_string()
        }),
    }
}

/// Commits a staged batch of totals of the municipality (None: a central
/// delivery). Refused, and the staged batch removed, when a total now
/// overlaps a stored one (someone else was quicker) or the same file was
/// stored meanwhile.
#[tracing::instrument(level = "debug", skip_all, fields(%batch))]
pub async fn commit(
    store: &dyn Store,
    actor: &Actor,
    municipality: Option<MunicipalityCode>,
    batch: BatchId,
) -> CoreResult<BatchRow> {
    // Only a batch of totals: never a batch of registrations still loading.
    let staged = store
        .list_batches(municipality)
        .await?
        .into_iter()
        .any(|b| b.id == batch && b.kind.on_totals_pages());
    if !staged {
        return Err(CoreError::Invalid(
            dl!("Indlæsningen findes ikke blandt kommunens totaltal. Indlæs filen igen.").into(),
        ));
    }
    let outcome = match store.commit_totals(municipality, batch).await {
        Ok(outcome) => outcome,
        Err(komhen_store::StoreError::NotFound { .. }) => {
            return Err(CoreError::Invalid(
                dl!(
                    "Indlæsningen venter ikke længere på at blive gemt (den er gemt, annulleret \
                     eller for gammel). Indlæs filen igen."
                )
                .into(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    match outcome {
        TotalsCommit::Committed(row) => {
            let sum = store
                .list_totals(municipality)
                .await?
                .iter()
                .filter(|e| e.total.batch == Some(row.id))
                .map(|e| e.total.count)
                .sum::<i64>();
            store
                .append_audit(&audit(actor, municipality, "create", &row, Some(sum)))
                .await?;
            Ok(row)
        }
        TotalsCommit::Duplicate(earlier) => {
            store.delete_batch(municipality, batch).await?;
            Err(CoreError::Invalid(duplicate_message(&earlier)))
        }
        TotalsCommit::Overlaps(overlaps) => {
            store.delete_batch(municipality, batch).await?;
            let labels = Labels::load(store).await?;
            let messages: Vec<String> = overlaps
                .iter()
                .map(|o| da!("{} overlapper", labels.describe(&o.existing)))
                .collect();
            Err(CoreError::Invalid(da!(
                "Totaltallene er ikke gemt, for perioderne overlapper tal, der allerede er \
                 gemt: {}. Slet de gemte tal først, eller ret perioderne.",
                messages.join("; ")
            )))
        }
    }
}

/// Deletes a batch of totals of the municipality (None: a central one):
/// a committed entry, or a staged one the coordinator cancels. A batch of
/// registrations is never deleted here.
#[tracing::instrument(level = "debug", skip_all, fields(%batch))]
pub async fn delete(
    store: &dyn Store,
    actor: &Actor,
    municipality: Option<MunicipalityCode>,
    batch: BatchId,
) -> CoreResult<()> {
    let found = store
        .list_batches(municipality)
        .await?
        .into_iter()
        .find(|b| b.id == batch && b.kind.on_totals_pages())
        .filter(|b| matches!(b.status, BatchStatus::Committed | BatchStatus::Loading));
    let Some(row) = found else {
        return Err(CoreError::Invalid(
            dl!("Totaltallene findes ikke (de er måske allerede slettet).").into(),
        ));
    };
    super::batch::delete(store, municipality, &row).await?;
    if row.status == BatchStatus::Committed {
        store
            .append_audit(&audit(actor, municipality, "delete", &row, None))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn preview_total(line: u64, channel: &str, from: (u32, u32), to: (u32, u32)) -> PreviewTotal {
        let day = |(m, d): (u32, u32)| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        PreviewTotal {
            line: Some(line),
            label: channel.into(),
            total: NewTotalCount {
                municipality: MunicipalityCode::new(259).unwrap(),
                measure: TotalMeasure::Inquiries,
                channel: Some(ChannelCode::parse(channel).unwrap()),
                from: day(from),
                to: day(to),
                count: 1,
                source: "csv".into(),
                batch: None,
            },
        }
    }

    #[test]
    fn overlaps_within_a_file_name_both_lines_and_adjacent_ranges_pass() {
        let totals = vec![
            preview_total(2, "TLFIND", (10, 1), (10, 31)),
            preview_total(3, "TLFIND", (11, 1), (11, 30)),
            preview_total(4, "TLFUD", (10, 1), (10, 31)),
            preview_total(5, "TLFIND", (10, 15), (11, 5)),
            preview_total(6, "TLFIND", (12, 1), (12, 1)),
        ];
        let messages = overlaps_within(&totals);
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages
            .iter()
            .any(|m| m.starts_with("Linje 5: TLFIND 15-10-2025–05-11-2025")
                && m.contains("linje 2: 01-10-2025–31-10-2025")));
        assert!(messages
            .iter()
            .any(|m| m.starts_with("Linje 3:") && m.contains("linje 5")));
    }

    #[test]
    fn actors_are_shown_as_people_read_them() {
        assert_eq!(actor_da("bruger:kim@koege.dk"), "kim@koege.dk");
        assert_eq!(actor_da("kommandolinje"), "kommandolinjen");
        assert_eq!(
            range_da(
                NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
                NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
            ),
            "01-10-2025"
        );
    }
}
