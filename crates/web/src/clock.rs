//! The time the web goes by (login throttling, registering, undo and late
//! entry): the system's clock, which a test moves forward or fixes instead
//! of sleeping or depending on the hour it runs at. Owns nothing else.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The system's time plus an offset only tests set. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Sets this clock (and every clone of it) to `at`, from which it runs
    /// on with the system's time.
    pub fn set(&self, at: DateTime<Utc>) {
        let offset = at - Utc::now();
        self.offset_ms
            .store(offset.num_milliseconds(), Ordering::Relaxed);
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}
