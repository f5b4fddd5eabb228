//! The report engine: every figure komhen shows, downloads or answers
//! through its API is computed here, from one typed request.
//!
//! A [`ReportRequest`] names filters (dates, municipalities, departments,
//! units, tasks, channels, direction, inquiry types, category, completion,
//! form, source, test rows), the dimensions to group by, and optionally a
//! comparison period. The engine turns it into one aggregate query of the
//! store (over the cube, or the registrations when hours or median
//! durations are asked for), folds derived dimensions (department from
//! unit, direction and medium from channel, category from inquiry type,
//! month from day) in memory, and computes the measures: inquiries (the sum
//! of quantity), share of the total (or of the first dimension's group),
//! mean and median registration duration, and against the comparison its
//! count, the change and the change in percentage points of share.
//!
//! Scope is the caller's: the web layer puts only the municipalities and
//! units the user may see into the request (and [`ReportRequest::within`]
//! narrows any request to a scope), so no report can reach outside it.
//! Test registrations are left out unless the request says otherwise (only
//! the unit's own view does).

pub mod annual;
pub mod bank;
mod cost;
pub mod coverage;
mod engine;
pub mod extract;
pub mod findings;
mod query;
pub mod tabular;

pub use engine::{points, run, selection};
pub use query::{default_dates, parse_date, parse_month, Comparing, ReportQuery};

use crate::{CoreError, CoreResult};
use chrono::{Datelike, Duration, NaiveDate};
use komhen_domain::dl;
use komhen_domain::{
    AnswerKind, ChannelCode, Completion, DepartmentId, Direction, InquiryCategory, InquiryType,
    Medium, MunicipalityCode, QuestionId, QuestionOptionId, Source, TaskId, UnitId,
};
use komhen_store::{
    Aggregate, AggregateRow, AnswerFilter, ChannelRow, Column, DepartmentRow, InquiryTypeRow, Key,
    MunicipalityRow, QuestionRow, Store, Table, TaskRow, TestRows, UnitRow,
};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// What a report can group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Municipality,
    Department,
    Unit,
    Task,
    Channel,
    Direction,
    Medium,
    /// Digital channel or not.
    Digital,
    InquiryType,
    /// Case-specific (transaction) or information.
    Category,
    Completion,
    Form,
    Source,
    Day,
    Week,
    Month,
    Hour,
    /// The answer to a question: one of the method's optional parameters
    /// or a task's (or the municipality's) own question. A report by an
    /// answer counts those asked: the registrations that answered it.
    Answer(QuestionRef),
}

/// The codes of the method's optional parameters (the national questions
/// of `data/codes/optional_parameters.csv`), as links name them:
/// `svar.could_self_serve`.
pub const PARAMETER_CODES: [&str; 9] = [
    "gender",
    "age_band",
    "postcode",
    "inquiry_minutes",
    "could_self_serve",
    "internet_access",
    "contact_profile",
    "complaint",
    "tried_website",
];

/// A question as a report names it: a national optional parameter by its
/// code (the same in every installation), any other question by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QuestionRef {
    Parameter(&'static str),
    Id(QuestionId),
}

impl QuestionRef {
    /// `could_self_serve` or `17`.
    pub fn parse(code: &str) -> Option<Self> {
        if let Some(p) = PARAMETER_CODES.iter().find(|p| **p == code) {
            return Some(Self::Parameter(p));
        }
        code.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(|id| Self::Id(QuestionId(id)))
    }

    pub fn code(self) -> String {
        match self {
            Self::Parameter(p) => p.to_owned(),
            Self::Id(id) => id.0.to_string(),
        }
    }

    /// Whether a question of the catalogue is this one.
    pub fn is(self, question: &QuestionRow) -> bool {
        match self {
            Self::Parameter(p) => {
                question.municipality.is_none() && question.code.as_deref() == Some(p)
            }
            Self::Id(id) => question.id == id,
        }
    }
}

/// The prefix of an answer dimension's code: `svar.could_self_serve`.
const ANSWER_PREFIX: &str = "svar.";

impl Dimension {
    /// Whether the dimension's codes are codes a user meets elsewhere (a
    /// municipality number, a unit's login, a KLE number, the code lists'
    /// channel, type and completion codes, a date): a table download then
    /// has a code column beside the label. Direction, medium, digital,
    /// category and source have codes only the links use (`in`, `out`).
    pub fn has_own_code(self) -> bool {
        !matches!(
            self,
            Self::Direction | Self::Medium | Self::Digital | Self::Category | Self::Source
        )
    }

    pub const ALL: [Dimension; 17] = [
        Self::Municipality,
        Self::Department,
        Self::Unit,
        Self::Task,
        Self::Channel,
        Self::Direction,
        Self::Medium,
        Self::Digital,
        Self::InquiryType,
        Self::Category,
        Self::Completion,
        Self::Form,
        Self::Source,
        Self::Day,
        Self::Week,
        Self::Month,
        Self::Hour,
    ];

    /// The code used in links and the API (`kanal`, `enhed`,
    /// `svar.could_self_serve`, ...).
    pub fn code(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Self::Municipality => "kommune",
            Self::Department => "forvaltning",
            Self::Unit => "enhed",
            Self::Task => "opgave",
            Self::Channel => "kanal",
            Self::Direction => "retning",
            Self::Medium => "medie",
            Self::Digital => "digital",
            Self::InquiryType => "type",
            Self::Category => "kategori",
            Self::Completion => "afslutning",
            Self::Form => "blanket",
            Self::Source => "kilde",
            Self::Day => "dag",
            Self::Week => "uge",
            Self::Month => "maaned",
            Self::Hour => "time",
            Self::Answer(q) => return Cow::Owned(format!("{ANSWER_PREFIX}{}", q.code())),
        })
    }

    pub fn parse(code: &str) -> Option<Self> {
        if let Some(question) = code.strip_prefix(ANSWER_PREFIX) {
            return QuestionRef::parse(question).map(Self::Answer);
        }
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Municipality => dl!("Kommune"),
            Self::Department => dl!("Forvaltning"),
            Self::Unit => dl!("Enhed"),
            Self::Task => dl!("Opgave"),
            Self::Channel => dl!("Kanal"),
            Self::Direction => dl!("Retning"),
            Self::Medium => dl!("Medie"),
            Self::Digital => dl!("Digital kanal"),
            Self::InquiryType => dl!("Henvendelsestype"),
            Self::Category => dl!("Kategori"),
            Self::Completion => dl!("Afslutning"),
            Self::Form => dl!("Blanket"),
            Self::Source => dl!("Datakilde"),
            Self::Day => dl!("Dag"),
            Self::Week => dl!("Uge"),
            Self::Month => dl!("Måned"),
            Self::Hour => dl!("Time"),
            Self::Answer(_) => dl!("Svar"),
        }
    }

    /// The store column the dimension is folded from.
    fn column(self) -> Column {
        match self {
            Self::Municipality => Column::Municipality,
            Self::Department | Self::Unit => Column::Unit,
            Self::Task => Column::Task,
            Self::Channel | Self::Direction | Self::Medium | Self::Digital => Column::Channel,
            Self::InquiryType | Self::Category => Column::InquiryType,
            Self::Completion => Column::Completion,
            Self::Form => Column::Form,
            Self::Source => Column::Source,
            Self::Day | Self::Month => Column::Day,
            Self::Week => Column::Week,
            Self::Hour => Column::Hour,
            // Resolved against the catalogue by the engine (`Names::column`).
            Self::Answer(QuestionRef::Id(id)) => Column::Answer(id),
            Self::Answer(QuestionRef::Parameter(_)) => Column::Answer(QuestionId(-1)),
        }
    }
}

/// A date range, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dates {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Dates {
    /// The same weeks a year before (364 days: the same weekdays).
    pub fn a_year_before(self) -> Self {
        Self {
            from: self.from - Duration::days(364),
            to: self.to - Duration::days(364),
        }
    }

    pub fn label_da(self) -> String {
        if self.from == self.to {
            self.from.format("%d-%m-%Y").to_string()
        } else {
            format!(
                "{} – {}",
                self.from.format("%d-%m-%Y"),
                self.to.format("%d-%m-%Y")
            )
        }
    }
}

/// Filters: empty lists do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub departments: Vec<DepartmentId>,
    /// None: registrations without a unit.
    pub units: Vec<Option<UnitId>>,
    pub tasks: Vec<TaskId>,
    pub channels: Vec<ChannelCode>,
    pub directions: Vec<Direction>,
    pub media: Vec<Medium>,
    pub digital: Option<bool>,
    pub inquiry_types: Vec<Option<InquiryType>>,
    pub categories: Vec<InquiryCategory>,
    pub completions: Vec<Option<Completion>>,
    pub forms: Vec<Option<bool>>,
    pub sources: Vec<Source>,
    /// Hours of the day (Danish time).
    pub hours: Vec<u32>,
    /// Answers to questions (resolved to ids; all must hold).
    pub answers: Vec<AnswerFilter>,
}

/// Whose registrations a user may see: the web layer builds it from the
/// user's grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The municipalities; empty means every municipality (national).
    pub municipalities: Vec<MunicipalityCode>,
    /// Only these units (a unit lead's); None means all units.
    pub units: Option<Vec<UnitId>>,
}

/// Share of what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShareOf {
    /// The report's total.
    #[default]
    Total,
    /// The group of the first dimension (e.g. each channel's share of its
    /// direction).
    FirstDimension,
}

/// Order of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Each dimension's own order (channels as the code list, days in time).
    #[default]
    Natural,
    /// Most inquiries first.
    Inquiries,
}

/// A report to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    pub municipalities: Vec<MunicipalityCode>,
    pub dates: Dates,
    pub comparison: Option<Dates>,
    pub filters: Filters,
    pub test: TestRows,
    pub group_by: Vec<Dimension>,
    pub share_of: ShareOf,
    pub order: Order,
    /// Also the median registration duration (reads the registrations).
    pub median: bool,
    /// Also the cost: inquiries × the price in force (docs/economics.md).
    pub cost: bool,
    /// Cost at the national price list alone, every municipality's own
    /// prices left aside (the portal's comparable figures).
    pub national_prices: bool,
}

impl ReportRequest {
    /// A request for the dates with nothing grouped.
    pub fn new(municipalities: Vec<MunicipalityCode>, dates: Dates) -> Self {
        Self {
            municipalities,
            dates,
            comparison: None,
            filters: Filters::default(),
            test: TestRows::Exclude,
            group_by: Vec::new(),
            share_of: ShareOf::Total,
            order: Order::Natural,
            median: false,
            cost: false,
            national_prices: false,
        }
    }

    pub fn by(mut self, dimensions: &[Dimension]) -> Self {
        self.group_by = dimensions.to_vec();
        self
    }

    pub fn compared_with(mut self, dates: Option<Dates>) -> Self {
        self.comparison = dates;
        self
    }

    /// Narrows the request to a scope: municipalities and units outside it
    /// are dropped (a request naming none is given the scope's).
    pub fn within(mut self, scope: &Scope) -> Self {
        if !scope.municipalities.is_empty() {
            if self.municipalities.is_empty() {
                self.municipalities = scope.municipalities.clone();
            } else {
                self.municipalities
                    .retain(|m| scope.municipalities.contains(m));
                if self.municipalities.is_empty() {
                    // Nothing of the request is in scope: ask for nothing.
                    self.municipalities = vec![scope.municipalities[0]];
                    self.filters.units = vec![Some(UnitId(-1))];
                }
            }
        }
        if let Some(units) = &scope.units {
            let allowed: Vec<Option<UnitId>> = units.iter().copied().map(Some).collect();
            if self.filters.units.is_empty() {
                self.filters.units = allowed;
            } else {
                self.filters.units.retain(|u| allowed.contains(u));
                if self.filters.units.is_empty() {
                    self.filters.units = vec![Some(UnitId(-1))];
                }
            }
        }
        self
    }
}

/// A key of a report row: its code (for links and files) and its label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label {
    /// Sorts the row in natural order.
    pub order: (i64, String),
    pub code: String,
    pub label: String,
}

/// One row of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub keys: Vec<Label>,
    pub inquiries: i64,
    pub rows: i64,
    /// The registrations with a registration duration (timed by the
    /// registration tool's stopwatch): what the mean and median are of.
    pub timed_rows: i64,
    /// Share of the total (or of the first dimension's group), 0–1.
    pub share: f64,
    pub mean_duration_s: Option<f64>,
    pub median_duration_s: Option<f64>,
    /// The cost, when asked.
    pub cost: Option<Cost>,
    /// The same in the comparison period, when asked.
    pub comparison: Option<Comparison>,
}

/// What a row's inquiries cost at the prices in force: the priced ones
/// summed in øre, and how many had no price (never counted as free).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    pub ore: i64,
    pub unpriced_inquiries: i64,
}

/// A channel with inquiries but no price in force on some of their days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpriced {
    pub channel: ChannelCode,
    pub inquiries: i64,
}

/// A row's figures in the comparison period and the change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub inquiries: i64,
    pub share: f64,
    /// Inquiries now minus then.
    pub change: i64,
    /// The change in percent of then; None when then was nothing.
    pub change_pct: Option<f64>,
    /// The share now minus then, in percentage points.
    pub share_change_pp: f64,
    /// The cost then, when asked.
    pub cost: Option<Cost>,
}

/// A computed report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The request as answered: without its comparison when that period
    /// held nothing (see [`Report::empty_comparison`]).
    pub request: ReportRequest,
    /// The comparison period asked for when it held no inquiries at all in
    /// the report's scope: then no change is computed (a change from
    /// nothing would read as growth), and pages say so.
    pub empty_comparison: Option<Dates>,
    pub dimensions: Vec<Dimension>,
    pub rows: Vec<ReportRow>,
    /// The whole report as one row (no keys).
    pub total: ReportRow,
    /// With cost: the channels whose inquiries had no price (now, and in
    /// the comparison period), so the page can say which prices are missing.
    pub unpriced: Vec<Unpriced>,
    /// With cost: whether any price used is an example price.
    pub example_prices: bool,
    /// The dimensions' names as headings (an answer's is its question).
    pub dimension_labels: Vec<String>,
    /// Grouped by an answer: how many inquiries were asked (answered every
    /// question grouped by) out of all the report's inquiries. Shares are
    /// of those asked.
    pub asked: Option<Asked>,
}

/// Those asked a question out of all inquiries of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    pub asked: i64,
    pub all: i64,
}

impl Asked {
    /// Share of those asked, 0–1.
    pub fn share(self) -> f64 {
        if self.all == 0 {
            0.0
        } else {
            self.asked as f64 / self.all as f64
        }
    }
}
