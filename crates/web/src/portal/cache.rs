//! The portal's cache: a published period's figures and its mandatory
//! tasks' figures, computed by `komhen_core::portal` at most once a minute
//! per period, so the start page and the public API do not recompute them
//! for every request.
//!
//! Must not keep figures of a period whose row has changed (e.g. it was
//! unpublished): the row is part of the key.

use crate::{AppState, WebError};
use komhen_core::portal::{self, PeriodFigures, TaskFigures};
use komhen_store::PeriodRow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a period's computed figures are reused.
const CACHE_FOR: Duration = Duration::from_secs(60);

/// Published periods' figures and mandatory-task figures, computed at most
/// once a minute per period (and again when the period row changes, e.g.
/// it is unpublished).
#[derive(Default)]
pub struct PortalCache {
    periods: Cached<PeriodFigures>,
    tasks: Cached<Vec<TaskFigures>>,
}

type Cached<T> = Mutex<HashMap<i64, (Instant, PeriodRow, Arc<T>)>>;

impl PortalCache {
    pub(super) async fn figures(
        &self,
        state: &AppState,
        period: &PeriodRow,
    ) -> Result<Arc<PeriodFigures>, WebError> {
        if let Some(hit) = fresh(&self.periods, period) {
            return Ok(hit);
        }
        let figures = Arc::new(portal::period_figures(state.published().as_ref(), period).await?);
        keep(&self.periods, period, &figures);
        Ok(figures)
    }

    pub(super) async fn tasks(
        &self,
        state: &AppState,
        period: &PeriodRow,
    ) -> Result<Arc<Vec<TaskFigures>>, WebError> {
        if let Some(hit) = fresh(&self.tasks, period) {
            return Ok(hit);
        }
        let tasks = Arc::new(portal::task_figures(state.published().as_ref(), period).await?);
        keep(&self.tasks, period, &tasks);
        Ok(tasks)
    }
}

fn fresh<T>(cache: &Cached<T>, period: &PeriodRow) -> Option<Arc<T>> {
    let cache = cache.lock().ok()?;
    let (at, row, value) = cache.get(&period.id.0)?;
    (at.elapsed() < CACHE_FOR && row == period).then(|| value.clone())
}

fn keep<T>(cache: &Cached<T>, period: &PeriodRow, value: &Arc<T>) {
    if let Ok(mut c) = cache.lock() {
        c.insert(period.id.0, (Instant::now(), period.clone(), value.clone()));
    }
}
