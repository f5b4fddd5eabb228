//! Corrections of published periods: a batch with rows dated in a published
//! period (or replacing a batch that has such rows) is held by the batch
//! pipeline; the national administrator approves it, which commits it and
//! publishes the period's figures again beside the first publication
//! ("rettet den ..."), or rejects it, which deletes it. Both are audited.
//!
//! Must not decide what is held (the pipeline does) nor how the public
//! figures are kept (the portal's snapshot does).

use crate::accounts::access::Actor;
use crate::intake::batch::Closed;
use crate::{setup, CoreError, CoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::{da, dl, BatchId};
use komhen_store::{BatchRow, NewAuditEntry, PeriodRow, Store};

/// A held batch and the published periods whose figures it would change.
#[derive(Debug, Clone)]
pub struct Correction {
    pub batch: BatchRow,
    pub periods: Vec<PeriodRow>,
    /// The days the batch (and the batch it replaces) cover.
    pub days: Option<(NaiveDate, NaiveDate)>,
}

/// Every held batch, oldest first.
pub async fn pending(store: &dyn Store) -> CoreResult<Vec<Correction>> {
    let closed = Closed::load(store).await?;
    let mut out = Vec::new();
    for batch in store.list_held_batches().await? {
        out.push(correction(store, &closed, batch).await?);
    }
    Ok(out)
}

async fn correction(store: &dyn Store, closed: &Closed, batch: BatchRow) -> CoreResult<Correction> {
    let mut days = store.batch_days(batch.id).await?;
    if let Some(old) = batch.replaces {
        if let Some((from, to)) = store.batch_days(old).await? {
            days = Some(match days {
                Some((f, t)) => (f.min(from), t.max(to)),
                None => (from, to),
            });
        }
    }
    let periods = match days {
        Some((from, to)) => closed.overlapping(from, to).into_iter().cloned().collect(),
        None => Vec::new(),
    };
    Ok(Correction {
        batch,
        periods,
        days,
    })
}

async fn held(store: &dyn Store, batch: BatchId) -> CoreResult<Correction> {
    let closed = Closed::load(store).await?;
    let found = store
        .list_held_batches()
        .await?
        .into_iter()
        .find(|b| b.id == batch)
        .ok_or_else(|| {
            CoreError::Invalid(
                dl!("Rettelsen findes ikke (mere): den er måske allerede godkendt eller afvist.")
                    .into(),
            )
        })?;
    correction(store, &closed, found).await
}

/// What a correction was, for the publication's note and the audit log.
fn describe(batch: &BatchRow) -> String {
    let from = match batch.municipality {
        Some(m) => da!("kommune {m}"),
        None => dl!("en central indlæsning").into(),
    };
    da!(
        "{} «{}» fra {from} ({} rækker, indlæst af {})",
        batch.kind.label_da(),
        batch.file_name,
        komhen_ingest::summary::danish_number(batch.row_count.max(0) as u64),
        batch.created_by
    )
}

/// Approves a held batch: it is committed (replacing the batch it replaces)
/// and every published period it touches is published again with a note.
/// Returns the periods published again.
pub async fn approve(
    store: &dyn Store,
    actor: &Actor,
    batch: BatchId,
    now: DateTime<Utc>,
) -> CoreResult<Vec<PeriodRow>> {
    let correction = held(store, batch).await?;
    let row = &correction.batch;
    store.commit_batch(row.id, row.replaces.as_slice()).await?;
    if let Some(old) = row.replaces {
        store.delete_batch(row.municipality, old).await?;
    }
    audit(store, actor, row, "approve").await?;
    let note = da!("Rettelse godkendt: {}", describe(row));
    for period in &correction.periods {
        setup::catalogue::republish(store, actor, period, &note, now).await?;
    }
    Ok(correction.periods)
}

/// Rejects a held batch: it is deleted and no figure changes.
pub async fn reject(store: &dyn Store, actor: &Actor, batch: BatchId) -> CoreResult<()> {
    let correction = held(store, batch).await?;
    store
        .delete_batch(correction.batch.municipality, correction.batch.id)
        .await?;
    audit(store, actor, &correction.batch, "reject").await
}

async fn audit(store: &dyn Store, actor: &Actor, batch: &BatchRow, action: &str) -> CoreResult<()> {
    store
        .append_audit(&NewAuditEntry {
            municipality: batch.municipality,
            actor: actor.as_str().to_owned(),
            action: action.into(),
            entity: "correction".into(),
            entity_id: batch.id.to_string(),
            before_json: None,
            after_json: Some(
                serde_json::json!({
                    "kind": batch.kind.code(),
                    "file_name": batch.file_name,
                    "rows": batch.row_count,
                    "created_by": batch.created_by,
                    "replaces": batch.replaces.map(|b| b.0),
                })
                .to_string(),
            ),
        })
        .await?;
    Ok(())
}
