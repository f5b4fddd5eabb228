//! The one batch pipeline: every path that stores many rows at once (a
//! codebook file, a Landkort extract, a Matomo export, a central delivery,
//! an API batch, paper sheets, the demo) stores them through here.
//!
//! The lifecycle is always the same: find the committed batch with the same
//! scope and kind and the same SHA-256 or the same [`Fingerprint`] of its
//! rows, and refuse it unless replacing; remove the scope's
//! batches left loading by an interruption; open a batch in status
//! `loading`; append the rows chunk by chunk (invisible to every figure);
//! check that exactly the expected number was stored; commit (swapping out
//! the replaced batches in the same moment) or, on any failure, delete the
//! batch so nothing of it remains.
//!
//! Every row is watched on its way ([`watch`]): an implausible quantity
//! sum refuses the batch; rows dated in a published period (or replacing a
//! batch that has such rows) make it a correction, stored in full but held
//! back until the national administrator approves it
//! (`intake::corrections`), so a published figure never moves unseen.
//!
//! Owns the twin rule, the fingerprint, the chunk size and the stale-load
//! rule. Must not decide what a row
//! becomes (the intake modules do) nor read files (the ingest readers do).

mod watch;

pub use watch::{Closed, MAX_QUANTITY_PER_BATCH};

use crate::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use komhen_domain::{da, dl, BatchId, MunicipalityCode, NewRegistration};
use komhen_store::{BatchKind, BatchRow, BatchStatus, NewBatch, NewTotalCount, Store};
use sha2::{Digest, Sha256};
use watch::Watch;

/// Rows sent to the store at a time, each chunk in a transaction of its
/// own. Bigger chunks touch each index page fewer times per row: on SQLite
/// a million-row import took 38–48 s in chunks of 10 000 and 28–40 s in
/// chunks of 50 000 (docs/performance.md); 100 000 was no faster and held
/// 150 MB.
pub const CHUNK: usize = 50_000;
/// A batch still loading after this long was interrupted and is removed.
pub const STALE_LOAD_HOURS: i64 = 6;

/// The identity of a batch's rows, whatever bytes they were read from: a
/// file saved again with another encoding, other line endings, a blank
/// line more or its rows in another order has the fingerprint of the
/// first. Each row, in a canonical form the intake module writes (codes as
/// read, not as stored ids, so a row means the same before and after its
/// unit or task is created), is hashed with SHA-256; the first 128 bits of
/// the hashes are added up (wrapping) and the rows counted. A sum, not a
/// sorted list, so a file of millions of rows needs constant memory, and
/// not an exclusive or, so two identical rows do not cancel out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fingerprint {
    rows: u64,
    sum: u128,
}

impl Fingerprint {
    /// Adds one row in its canonical form.
    pub fn add(&mut self, canonical: &[u8]) {
        let digest = Sha256::digest(canonical);
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        self.sum = self.sum.wrapping_add(u128::from_be_bytes(first));
        self.rows += 1;
    }

    /// Rows added.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// As stored on the batch: `v1:` (the canonical form's version), the
    /// rows and the sum in hexadecimal.
    pub fn code(&self) -> String {
        format!("v1:{}:{:032x}", self.rows, self.sum)
    }
}

/// A batch about to be stored: the twin check is done, nothing is written
/// yet. Made by [`begin`]; its methods store the rows.
#[derive(Debug)]
pub struct Planned {
    batch: NewBatch,
    replaces: Vec<BatchRow>,
    closed: Closed,
    /// The batch, once opened early.
    opened: Option<BatchId>,
}

/// Starts storing `batch`: refuses it when the same data (scope, kind and
/// SHA-256 or fingerprint) is committed already, unless `replace` is given,
/// in which case that earlier batch is swapped out when this one commits.
pub async fn begin(store: &dyn Store, batch: NewBatch, replace: bool) -> CoreResult<Planned> {
    let twin = committed_twin(
        store,
        batch.municipality,
        batch.kind,
        &batch.sha256,
        batch.fingerprint.as_deref(),
    )
    .await?;
    if let (Some(earlier), false) = (&twin, replace) {
        return Err(CoreError::Invalid(refusal(batch.kind, earlier)));
    }
    Ok(Planned {
        batch,
        replaces: twin.into_iter().collect(),
        closed: Closed::load(store).await?,
        opened: None,
    })
}

/// The published period a stored batch has rows in: deleting or replacing
/// it would change that period's figures.
pub async fn closed_days(
    store: &dyn Store,
    closed: &Closed,
    batch: BatchId,
) -> CoreResult<Option<String>> {
    Ok(match store.batch_days(batch).await? {
        Some((from, to)) => closed
            .overlapping(from, to)
            .first()
            .map(|p| p.period.name.clone()),
        None => None,
    })
}

/// Deletes a coordinator's batch (an upload made by mistake, a withdrawn
/// correction): refused for a committed batch with rows in a published
/// period, whose figures must not move without a correction.
pub async fn delete(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
    batch: &BatchRow,
) -> CoreResult<u64> {
    if batch.status == BatchStatus::Committed {
        let closed = Closed::load(store).await?;
        if let Some(period) = closed_days(store, &closed, batch.id).await? {
            return Err(CoreError::Invalid(da!(
                "Indlæsningen har rækker i {period}, hvis tal er offentliggjort, og kan derfor \
                 ikke slettes. Indlæs en rettet fil, der erstatter den: den nationale \
                 administrator godkender rettelsen, og tallene offentliggøres igen."
            )));
        }
    }
    Ok(store.delete_batch(municipality, batch.id).await?)
}

/// The committed batch of that scope and kind with that SHA-256, or with
/// that fingerprint of its rows when there is one: what a preview names as
/// loaded before, and what `begin` refuses or replaces.
pub async fn committed_twin(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
    kind: BatchKind,
    sha256: &str,
    fingerprint: Option<&str>,
) -> CoreResult<Option<BatchRow>> {
    Ok(store
        .find_batch(municipality, kind, sha256, fingerprint)
        .await?
        .filter(|b| b.status == BatchStatus::Committed))
}

/// Why the same data is not stored again, in Danish.
fn refusal(kind: BatchKind, earlier: &BatchRow) -> String {
    let when = komhen_domain::danish_local(earlier.created_at).format("%d-%m-%Y %H:%M");
    let what = match kind {
        BatchKind::Api => dl!("De samme data er modtaget før"),
        _ => dl!("Filen er indlæst før"),
    };
    da!(
        "{what} ({when}, {} rækker). Vælg at erstatte den tidligere indlæsning, hvis den skal \
         indlæses igen.",
        earlier.row_count
    )
}

/// Whether a batch was left loading by an interruption.
pub fn is_stale(batch: &BatchRow, now: DateTime<Utc>) -> bool {
    batch.status == BatchStatus::Loading
        && batch.created_at < now - chrono::Duration::hours(STALE_LOAD_HOURS)
}

/// Whether a coordinator may delete a batch from its page: a committed one
/// (unless it has rows in a published period: [`delete`] says so), a held
/// correction (withdrawn), or one left loading by an interruption (its rows
/// count nowhere).
pub fn deletable(batch: &BatchRow, now: DateTime<Utc>) -> bool {
    matches!(batch.status, BatchStatus::Committed | BatchStatus::Held) || is_stale(batch, now)
}

/// Removes every batch left loading by an interruption, in every
/// municipality and the central ones: what a server does as it starts.
/// Returns how many.
pub async fn remove_stale_everywhere(store: &dyn Store, now: DateTime<Utc>) -> CoreResult<usize> {
    let mut removed = remove_stale_at(store, None, now).await?;
    for m in store.list_municipalities().await? {
        removed += remove_stale_at(store, Some(m.code), now).await?;
    }
    Ok(removed)
}

/// Removes the scope's batches left loading by an interruption (a
/// municipality's, or the central ones for None). Returns how many.
pub async fn remove_stale(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
) -> CoreResult<usize> {
    remove_stale_at(store, municipality, Utc::now()).await
}

async fn remove_stale_at(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    let mut removed = 0;
    for batch in store.list_batches(municipality).await? {
        if is_stale(&batch, now) {
            store.delete_batch(municipality, batch.id).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

impl Planned {
    /// The committed batches this one replaces (its twin first, if any).
    pub fn replaces(&self) -> &[BatchRow] {
        &self.replaces
    }

    /// Replaces these committed batches of the same scope too, in the same
    /// moment this one commits (earlier loads the coordinator chose to
    /// replace because they hold the same units' and days' data).
    pub fn replacing(mut self, batches: impl IntoIterator<Item = BatchRow>) -> Self {
        for batch in batches {
            if !self.replaces.iter().any(|b| b.id == batch.id) {
                self.replaces.push(batch);
            }
        }
        self
    }

    /// Stores registrations made in code (an API batch, paper sheets, a
    /// Matomo pages report): all of them, or none.
    pub async fn rows(self, store: &dyn Store, rows: &[NewRegistration]) -> CoreResult<BatchRow> {
        let mut watch = Watch::new(self.closed.clone());
        for row in rows {
            if !watch.registration(row) {
                break;
            }
        }
        watch.verdict()?;
        let loading = self.open(store).await?;
        let mut stored = 0u64;
        for chunk in rows.chunks(CHUNK) {
            match store.append_to_batch(loading.id, chunk).await {
                Ok(n) => stored += n,
                Err(e) => return Err(loading.abandon(e.into()).await),
            }
        }
        loading
            .commit(stored, Some(rows.len() as u64), &watch)
            .await
    }

    /// Stores total counts (a website's visits): all of them, or none.
    pub async fn totals(self, store: &dyn Store, totals: &[NewTotalCount]) -> CoreResult<BatchRow> {
        let mut watch = Watch::new(self.closed.clone());
        for total in totals {
            if !watch.total(total) {
                break;
            }
        }
        watch.verdict()?;
        let loading = self.open(store).await?;
        for total in totals {
            let total = NewTotalCount {
                batch: Some(loading.id),
                ..total.clone()
            };
            if let Err(e) = store.insert_total_count(&total).await {
                return Err(loading.abandon(e.into()).await);
            }
        }
        loading.commit(totals.len() as u64, None, &watch).await
    }

    /// Stores the rows a reader produces on a blocking thread (a file read
    /// a second time after its preview, the demo's generator), chunk by
    /// chunk, at constant memory. `read` hands each row to its callback,
    /// which answers false once storing has stopped (then `read` should
    /// return); its result comes back with the batch. `expected` is the
    /// number of rows the preview counted: any other number stores nothing.
    /// `progress` gets the rows stored so far.
    pub async fn read<R, F>(
        self,
        store: &dyn Store,
        expected: Option<u64>,
        read: F,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> CoreResult<(BatchRow, R)>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn FnMut(NewRegistration) -> bool) -> CoreResult<R> + Send + 'static,
    {
        let mut watch = Watch::new(self.closed.clone());
        let loading = self.open(store).await?;
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<NewRegistration>>(2);
        let reader = tokio::task::spawn_blocking(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut open = true;
            let result = read(&mut |row| {
                if !watch.registration(&row) {
                    open = false;
                    return false;
                }
                chunk.push(row);
                if chunk.len() >= CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    open = sender.blocking_send(full).is_ok();
                }
                open
            });
            if open && !chunk.is_empty() {
                // A closed channel means storing failed; that error is reported.
                let _ = sender.blocking_send(chunk);
            }
            (result, watch)
        });
        let mut stored = 0u64;
        let mut failure = None;
        while let Some(rows) = receiver.recv().await {
            match store.append_to_batch(loading.id, &rows).await {
                Ok(n) => {
                    stored += n;
                    progress(stored);
                }
                Err(e) => {
                    failure = Some(CoreError::from(e));
                    break;
                }
            }
        }
        drop(receiver);
        let (result, watch) = match reader.await {
            Ok((result, watch)) => (result, watch),
            Err(e) => return Err(loading.abandon(interrupted(e)).await),
        };
        // A refused row stops the reader: its refusal is the cause.
        let result = watch.verdict().and(result);
        let result = match (failure, result) {
            (Some(e), _) | (None, Err(e)) => return Err(loading.abandon(e).await),
            (None, Ok(result)) => result,
        };
        Ok((loading.commit(stored, expected, &watch).await?, result))
    }

    /// Opens the batch before its rows are read, for set-up that must be
    /// made for it first (recorded with it, so deleting the batch before it
    /// is committed takes the set-up along). After a failure, give the
    /// error to [`Planned::discard`].
    pub async fn open_early(&mut self, store: &dyn Store) -> CoreResult<BatchId> {
        if let Some(id) = self.opened {
            return Ok(id);
        }
        remove_stale(store, self.batch.municipality).await?;
        let id = store.create_batch(&self.batch).await?;
        self.opened = Some(id);
        Ok(id)
    }

    /// Gives up a batch before its rows were read: deletes it if it was
    /// opened early, and gives the failure back.
    pub async fn discard(self, store: &dyn Store, error: CoreError) -> CoreError {
        match self.opened {
            Some(_) => match self.open(store).await {
                Ok(loading) => loading.abandon(error).await,
                Err(_) => error,
            },
            None => error,
        }
    }

    /// Removes the scope's stale loads and opens the batch (unless it was
    /// opened early).
    async fn open(self, store: &dyn Store) -> CoreResult<Loading<'_>> {
        let id = match self.opened {
            Some(id) => id,
            None => {
                remove_stale(store, self.batch.municipality).await?;
                store.create_batch(&self.batch).await?
            }
        };
        Ok(Loading {
            store,
            id,
            municipality: self.batch.municipality,
            replaces: self.replaces,
            closed: self.closed,
        })
    }
}

/// A batch in status `loading`: its rows count nowhere until committed.
struct Loading<'s> {
    store: &'s dyn Store,
    id: BatchId,
    municipality: Option<MunicipalityCode>,
    replaces: Vec<BatchRow>,
    closed: Closed,
}

impl Loading<'_> {
    /// Commits when exactly `expected` rows were stored, and removes the
    /// replaced batches; otherwise deletes this one. A batch that would change
    /// a published period's figures is held instead, waiting for approval.
    async fn commit(
        self,
        stored: u64,
        expected: Option<u64>,
        watch: &Watch,
    ) -> CoreResult<BatchRow> {
        if let Some(expected) = expected.filter(|e| *e != stored) {
            let error = CoreError::Invalid(da!(
                "Filen eller opsætningen ændrede sig under indlæsningen ({stored} rækker i stedet \
                 for {expected}); intet er gemt. Indlæs den igen."
            ));
            return Err(self.abandon(error).await);
        }
        let replaces: Vec<BatchId> = self.replaces.iter().map(|b| b.id).collect();
        let mut replaces_closed = None;
        for old in &replaces {
            match closed_days(self.store, &self.closed, *old).await {
                Ok(None) => {}
                Ok(found) => {
                    replaces_closed = found;
                    break;
                }
                Err(e) => return Err(self.abandon(e).await),
            }
        }
        if let Some(why) = held_because(watch, replaces_closed.as_deref()) {
            if replaces.len() > 1 {
                let error = CoreError::Invalid(
                    dl!(
                        "Rettelsen erstatter flere tidligere indlæsninger i en offentliggjort \
                         periode. Indlæs én rettelse for hver af dem; intet er gemt."
                    )
                    .into(),
                );
                return Err(self.abandon(error).await);
            }
            return match self
                .store
                .hold_batch(self.id, replaces.first().copied(), Utc::now(), &why)
                .await
            {
                Ok(held) => Ok(held),
                Err(e) => Err(self.abandon(e.into()).await),
            };
        }
        let committed = match self.store.commit_batch(self.id, &replaces).await {
            Ok(committed) => committed,
            Err(e) => return Err(self.abandon(e.into()).await),
        };
        for old in replaces {
            self.store.delete_batch(self.municipality, old).await?;
        }
        Ok(committed)
    }

    /// Deletes the batch after a failure and gives the failure back. Should
    /// the deletion fail too, the batch is left loading and removed as stale.
    async fn abandon(self, error: CoreError) -> CoreError {
        if let Err(e) = self.store.delete_batch(self.municipality, self.id).await {
            tracing::warn!(batch = %self.id, error = %e, "an abandoned batch was left loading");
        }
        error
    }
}

/// Why a batch is held back as a correction, in Danish, or None.
fn held_because(watch: &Watch, replaces_closed: Option<&str>) -> Option<String> {
    let waits = dl!(
        "Indlæsningen er gemt, men tæller først med, når den nationale administrator har \
         godkendt den som rettelse, og tallene er offentliggjort igen."
    );
    match (&watch.closed_name, replaces_closed) {
        (Some(period), _) => Some(da!(
            "{} af rækkerne ligger i {period}, hvis tal er offentliggjort. {waits}",
            komhen_ingest::summary::danish_number(watch.in_closed)
        )),
        (None, Some(period)) => Some(da!(
            "Den indlæsning, den erstatter, har rækker i {period}, hvis tal er offentliggjort. \
             {waits}"
        )),
        (None, None) => None,
    }
}

/// After a second pass over a file its preview found clean: refuses the
/// load when the file has problems now (it changed in between).
pub fn still_clean(summary: &komhen_ingest::ProblemSummary) -> CoreResult<()> {
    if summary.is_empty() {
        return Ok(());
    }
    Err(CoreError::Invalid(da!(
        "Filen ændrede sig under indlæsningen ({} fejl); intet er gemt.",
        summary.total()
    )))
}

/// Runs blocking work (reading a file) off the async threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(interrupted)
}

fn interrupted(error: tokio::task::JoinError) -> CoreError {
    CoreError::internal("indlæsningen blev afbrudt", error)
}
