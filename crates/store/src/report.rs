//! The store's side of the report engine: one aggregate query over the
//! registrations that count, grouped by the base columns a registration
//! has, and summed. Everything derived (department, direction, medium,
//! category, month, period, shares, changes, medians) is the report engine's
//! (`komhen_core::reports`), so that SQL stays small and the same on both
//! backends.

use chrono::NaiveDate;
use komhen_domain::{
    ChannelCode, Completion, InquiryType, MunicipalityCode, QuestionId, QuestionOptionId, Source,
    TaskId, UnitId,
};

/// A column registrations are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Municipality,
    Day,
    /// ISO year and week.
    Week,
    Unit,
    Task,
    Channel,
    InquiryType,
    Completion,
    Form,
    Source,
    Test,
    /// Hour of the day (Danish time): only the registrations themselves
    /// have it, so grouping by it reads them rather than the cube.
    Hour,
    /// The registration's duration in whole seconds (rows without one are
    /// left out): for medians. Registrations only.
    DurationSeconds,
    /// The answer to one question (its option, or its text for a text or
    /// number question). Only registrations that answered it are counted:
    /// a report by an answer is a report over those asked. Registrations
    /// only.
    Answer(QuestionId),
}

/// Registrations whose answer to a question is one of some options or
/// texts (a text or number question's answers match by their text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFilter {
    pub question: QuestionId,
    pub options: Vec<QuestionOptionId>,
    pub texts: Vec<String>,
}

/// Which test registrations to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TestRows {
    /// Every figure but the unit's own view.
    #[default]
    Exclude,
    Include,
    Only,
}

/// Which table answers: the cube (summed per day, fast) or the
/// registrations (needed for hours, durations in detail, single rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Table {
    /// The cube unless the query needs the registrations.
    #[default]
    Auto,
    Cube,
    Registrations,
}

/// One aggregate query. Empty lists do not filter; `units` holds None for
/// "no unit", `inquiry_types`, `completions` and `forms` None for "none".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregate {
    /// The municipalities counted; empty means all (national figures).
    pub municipalities: Vec<MunicipalityCode>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub units: Vec<Option<UnitId>>,
    pub tasks: Vec<TaskId>,
    pub channels: Vec<ChannelCode>,
    pub inquiry_types: Vec<Option<InquiryType>>,
    pub completions: Vec<Option<Completion>>,
    pub forms: Vec<Option<bool>>,
    pub sources: Vec<Source>,
    /// Hours of the day (Danish time): registrations only.
    pub hours: Vec<u32>,
    /// Answers to questions, all of which must hold: registrations only.
    pub answers: Vec<AnswerFilter>,
    pub test: TestRows,
    pub group_by: Vec<Column>,
    pub table: Table,
}

impl Aggregate {
    /// Whether only the registrations can answer (the cube has no hours,
    /// no single durations and no answers).
    pub fn needs_registrations(&self) -> bool {
        !self.hours.is_empty()
            || !self.answers.is_empty()
            || self.group_by.iter().any(|c| {
                matches!(
                    c,
                    Column::Hour | Column::DurationSeconds | Column::Answer(_)
                )
            })
    }
}

/// A value of a grouped column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Municipality(MunicipalityCode),
    Day(NaiveDate),
    Week(i32, u32),
    Unit(Option<UnitId>),
    Task(TaskId),
    Channel(ChannelCode),
    InquiryType(Option<InquiryType>),
    Completion(Option<Completion>),
    Form(Option<bool>),
    Source(Source),
    Test(bool),
    Hour(u32),
    DurationSeconds(i64),
    /// A question's answer: its option, or its text.
    Answer(Option<QuestionOptionId>, Option<String>),
}

/// One group: its keys (in the order of `group_by`) and sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateRow {
    pub keys: Vec<Key>,
    /// The sum of quantity: the number of inquiries.
    pub inquiries: i64,
    /// Stored rows.
    pub rows: i64,
    /// The sum of registration durations, and how many rows had one.
    pub duration_sum_ms: i64,
    pub duration_count: i64,
}
