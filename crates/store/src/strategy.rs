//! A municipality's channel strategy as kept: saved scenarios of the
//! savings simulator, targets and initiatives. What they mean in figures
//! (a target's progress, an initiative's before and after, a scenario's
//! saving) is the report engine's (`komhen_core::economics`).

use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::{InitiativeId, MunicipalityCode, ScenarioId, TargetId, TaskId};

/// A scenario to save: its link's query (dates and moves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScenario {
    pub municipality: MunicipalityCode,
    pub name: String,
    pub query: String,
    pub saved_by: String,
    pub saved_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioRow {
    pub id: ScenarioId,
    pub municipality: MunicipalityCode,
    pub name: String,
    pub query: String,
    pub saved_by: String,
    pub saved_at: DateTime<Utc>,
}

/// A target: the share of the incoming inquiries (of one task, or all) in
/// a subject — `digital`, a channel's code, or `medie:<medium>` — at least
/// or at most a percentage by a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTarget {
    pub municipality: MunicipalityCode,
    pub task: Option<TaskId>,
    pub subject: String,
    /// True: at least; false: at most.
    pub at_least: bool,
    pub percent: i32,
    pub by_year: i32,
    pub note: String,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub id: TargetId,
    pub target: NewTarget,
}

/// An initiative: a change from a date, on one task or all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInitiative {
    pub municipality: MunicipalityCode,
    pub task: Option<TaskId>,
    pub title: String,
    pub starts_on: NaiveDate,
    pub note: String,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiativeRow {
    pub id: InitiativeId,
    pub initiative: NewInitiative,
}
