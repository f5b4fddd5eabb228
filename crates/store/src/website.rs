//! Values of the website channel and the central statistics: the mapping
//! of a municipality's website paths to tasks, which centrally delivered
//! channels a municipality loads itself, and inquiries per task on a
//! channel. Set-up changes to them are [`crate::SetupChange`] variants.
//!
//! Must not hold the matching rule (that is `komhen_domain::website`).

use chrono::{DateTime, Utc};
use komhen_domain::{ChannelCode, MunicipalityCode, PagePath, TaskId, WebPageId};

/// A path of the municipality's website mapped to a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebPage {
    pub municipality: MunicipalityCode,
    pub path: PagePath,
    /// A national task or one of the municipality's own.
    pub task: TaskId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPageRow {
    pub id: WebPageId,
    pub municipality: MunicipalityCode,
    pub path: PagePath,
    pub task: TaskId,
    pub created_at: DateTime<Utc>,
}

/// A centrally delivered channel whose statistics a municipality loads
/// itself: central loads leave its rows of that channel out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnStatisticsRow {
    pub municipality: MunicipalityCode,
    pub channel: ChannelCode,
}

/// Inquiries on one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskCount {
    pub task: TaskId,
    /// Stored rows.
    pub rows: i64,
    /// Sum of quantity.
    pub inquiries: i64,
}
