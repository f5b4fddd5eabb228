//! Where published figures are read: a PostgreSQL streaming replica when
//! `komhen serve --read-database-url` names one and it answers, else the
//! primary.
//!
//! A handler asks `AppState::published()` for the store of what the public
//! may see (the portal, its API) and of reports on published periods only
//! (`reports::run`); everything else, every write and every figure of an
//! unpublished period, goes to `AppState::store`, the primary. A replica
//! holds the same rows as the primary a moment later, so a figure read
//! there is the same figure; what differs is only how fresh it is, and a
//! published period changes only by a visible correction.
//!
//! When the replica stops answering, nothing fails for the reader:
//! `fall_back` sees the request's "database did not answer" (a 503 from
//! `WebError::Unavailable`), asks the replica itself, and if it does not
//! answer either, marks it down, says so in the log and runs the same
//! request again on the primary. `Replica::watch` asks the replica every
//! [`REPLICA_CHECK_EVERY`] and takes it back, with a line in the log, when
//! it answers again.

use crate::error::DatabaseUnavailable;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use komhen_core::portal;
use komhen_core::reports::ReportRequest;
use komhen_core::CoreError;
use komhen_store::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often `Replica::watch` asks a replica whether it answers.
pub const REPLICA_CHECK_EVERY: Duration = Duration::from_secs(2);

/// A read replica of the primary and whether it answered when last asked.
pub struct Replica {
    store: Arc<dyn Store>,
    /// Where it is, for the log (without a password).
    name: String,
    up: AtomicBool,
}

impl Replica {
    /// A replica that is taken as answering until asked (`check`).
    pub fn new(store: Arc<dyn Store>, name: impl Into<String>) -> Self {
        Self {
            store,
            name: name.into(),
            up: AtomicBool::new(true),
        }
    }

    /// Whether the replica answered when last asked.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Asks the replica now; a change since the last answer goes to the log.
    pub async fn check(&self) -> bool {
        let answered = self.store.ping().await;
        let up = answered.is_ok();
        let was = self.up.swap(up, Ordering::Relaxed);
        match (&answered, was) {
            (Err(e), true) => tracing::warn!(
                replica = %self.name,
                error = %crate::error::Chain(e),
                "the read replica does not answer: published figures are read from the primary"
            ),
            (Ok(()), false) => tracing::info!(
                replica = %self.name,
                "the read replica answers again: published figures are read from it"
            ),
            _ => {}
        }
        up
    }

    /// Asks the replica every [`REPLICA_CHECK_EVERY`], for as long as the
    /// server runs.
    pub async fn watch(self: Arc<Self>) {
        loop {
            self.check().await;
            tokio::time::sleep(REPLICA_CHECK_EVERY).await;
        }
    }
}

impl AppState {
    /// The store published figures are read from: the replica while it
    /// answers, else the primary.
    pub(crate) fn published(&self) -> Arc<dyn Store> {
        match &self.replica {
            Some(replica) if replica.is_up() => replica.store.clone(),
            _ => self.store.clone(),
        }
    }

    /// The store a report is read from: where published figures are when
    /// it reads only published periods' days, else the primary.
    pub(crate) async fn figures_of(
        &self,
        request: &ReportRequest,
    ) -> Result<Arc<dyn Store>, CoreError> {
        match &self.replica {
            Some(replica)
                if replica.is_up()
                    && portal::reads_only_published(self.store.as_ref(), request).await? =>
            {
                Ok(replica.store.clone())
            }
            _ => Ok(self.store.clone()),
        }
    }
}

/// Runs a reading request (GET or HEAD) again on the primary when the
/// replica it read from stopped answering during it. A request whose
/// database did not answer while the replica still does failed on the
/// primary: it keeps its 503.
pub(crate) async fn fall_back(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let replica = match &state.replica {
        Some(replica) if replica.is_up() => replica,
        _ => return next.run(request).await,
    };
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let again = parts.clone();
    let response = next.clone().run(Request::from_parts(parts, body)).await;
    if response.extensions().get::<DatabaseUnavailable>().is_none() || replica.check().await {
        return response;
    }
    next.run(Request::from_parts(again, Body::empty())).await
}
