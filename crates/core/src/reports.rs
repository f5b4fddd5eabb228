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

pub mod bank;
pub mod extract;
pub mod findings;
pub mod tabular;

use crate::{CoreError, CoreResult};
use chrono::{Datelike, Duration, NaiveDate};
use komhen_domain::{
    ChannelCode, Completion, DepartmentId, Direction, InquiryCategory, InquiryType, Medium,
    MunicipalityCode, Source, TaskId, UnitId,
};
use komhen_store::{
    Aggregate, AggregateRow, ChannelRow, Column, DepartmentRow, InquiryTypeRow, Key,
    MunicipalityRow, Store, Table, TaskRow, TestRows, UnitRow,
};
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
}

impl Dimension {
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

    /// The code used in links and the API (`kanal`, `enhed`, ...).
    pub fn code(self) -> &'static str {
        match self {
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
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Municipality => "Kommune",
            Self::Department => "Forvaltning",
            Self::Unit => "Enhed",
            Self::Task => "Opgave",
            Self::Channel => "Kanal",
            Self::Direction => "Retning",
            Self::Medium => "Medie",
            Self::Digital => "Digital kanal",
            Self::InquiryType => "Henvendelsestype",
            Self::Category => "Kategori",
            Self::Completion => "Afslutning",
            Self::Form => "Blanket",
            Self::Source => "Datakilde",
            Self::Day => "Dag",
            Self::Week => "Uge",
            Self::Month => "Måned",
            Self::Hour => "Time",
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
    /// Share of the total (or of the first dimension's group), 0–1.
    pub share: f64,
    pub mean_duration_s: Option<f64>,
    pub median_duration_s: Option<f64>,
    /// The same in the comparison period, when asked.
    pub comparison: Option<Comparison>,
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
}

/// A computed report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub request: ReportRequest,
    pub dimensions: Vec<Dimension>,
    pub rows: Vec<ReportRow>,
    /// The whole report as one row (no keys).
    pub total: ReportRow,
}

/// The catalogue labels the engine names keys with, loaded once per report.
struct Names {
    municipalities: HashMap<MunicipalityCode, MunicipalityRow>,
    units: HashMap<UnitId, UnitRow>,
    departments: HashMap<DepartmentId, DepartmentRow>,
    tasks: HashMap<TaskId, TaskRow>,
    channels: HashMap<ChannelCode, ChannelRow>,
    types: HashMap<InquiryType, InquiryTypeRow>,
}

impl Names {
    async fn load(store: &dyn Store, request: &ReportRequest) -> CoreResult<Self> {
        let municipalities: HashMap<_, _> = store
            .list_municipalities()
            .await?
            .into_iter()
            .map(|m| (m.code, m))
            .collect();
        let needs_org = request
            .group_by
            .iter()
            .any(|d| matches!(d, Dimension::Unit | Dimension::Department | Dimension::Task))
            || !request.filters.departments.is_empty();
        let mut units = HashMap::new();
        let mut departments = HashMap::new();
        let mut tasks = HashMap::new();
        if needs_org && request.municipalities.is_empty() {
            // National: every municipality's, one query each.
            let org = store.list_organisation_everywhere().await?;
            units.extend(org.units.into_iter().map(|u| (u.id, u)));
            departments.extend(org.departments.into_iter().map(|d| (d.id, d)));
            tasks.extend(org.tasks.into_iter().map(|t| (t.id, t)));
        } else if needs_org {
            for &code in &request.municipalities {
                units.extend(store.list_units(code).await?.into_iter().map(|u| (u.id, u)));
                departments.extend(
                    store
                        .list_departments(code)
                        .await?
                        .into_iter()
                        .map(|d| (d.id, d)),
                );
                tasks.extend(store.list_tasks(code).await?.into_iter().map(|t| (t.id, t)));
            }
        }
        Ok(Self {
            municipalities,
            units,
            departments,
            tasks,
            channels: store
                .list_channels()
                .await?
                .into_iter()
                .map(|c| (c.code.clone(), c))
                .collect(),
            types: store
                .list_inquiry_types()
                .await?
                .into_iter()
                .map(|t| (t.inquiry_type, t))
                .collect(),
        })
    }

    fn channel(&self, code: &ChannelCode) -> Option<&ChannelRow> {
        self.channels.get(code)
    }

    /// The label of a dimension's value, from the store key it folds.
    fn label(&self, dimension: Dimension, key: &Key) -> Label {
        let plain = |order: i64, code: String, label: String| Label {
            order: (order, code.clone()),
            code,
            label,
        };
        match (dimension, key) {
            (Dimension::Municipality, Key::Municipality(m)) => plain(
                i64::from(m.get()),
                m.to_string(),
                self.municipalities
                    .get(m)
                    .map_or_else(|| m.to_string(), |x| x.name.clone()),
            ),
            (Dimension::Unit, Key::Unit(None)) => {
                plain(i64::MAX, "ingen".into(), "(ingen enhed)".into())
            }
            (Dimension::Unit, Key::Unit(Some(u))) => match self.units.get(u) {
                Some(unit) => Label {
                    order: (0, unit.name.to_lowercase()),
                    code: unit.login.clone(),
                    label: unit.name.clone(),
                },
                None => plain(u.0, u.to_string(), format!("Enhed {u}")),
            },
            (Dimension::Department, Key::Unit(unit)) => {
                match unit
                    .and_then(|u| self.units.get(&u))
                    .and_then(|u| u.department)
                    .and_then(|d| self.departments.get(&d))
                {
                    Some(d) => Label {
                        order: (0, d.name.to_lowercase()),
                        code: d.id.to_string(),
                        label: d.name.clone(),
                    },
                    None => plain(i64::MAX, "ingen".into(), "(ingen forvaltning)".into()),
                }
            }
            (Dimension::Task, Key::Task(t)) => match self.tasks.get(t) {
                Some(task) => Label {
                    order: (0, task.kle.to_string()),
                    code: t.to_string(),
                    label: format!("{} {}", task.kle, task.name),
                },
                None => plain(t.0, t.to_string(), format!("Opgave {t}")),
            },
            (Dimension::Channel, Key::Channel(c)) => match self.channel(c) {
                Some(ch) => plain(i64::from(ch.sort_order), c.to_string(), ch.label_da.clone()),
                None => plain(i64::MAX, c.to_string(), c.to_string()),
            },
            (Dimension::Direction, Key::Channel(c)) => {
                let d = self.channel(c).map(|ch| ch.direction);
                match d {
                    Some(d) => plain(
                        i64::from(d == Direction::Outgoing),
                        d.code().into(),
                        d.label_da().into(),
                    ),
                    None => plain(9, "ukendt".into(), "Ukendt".into()),
                }
            }
            (Dimension::Medium, Key::Channel(c)) => match self.channel(c) {
                Some(ch) => {
                    let order = Medium::ALL
                        .iter()
                        .position(|m| *m == ch.medium)
                        .unwrap_or(99);
                    plain(
                        order as i64,
                        ch.medium.code().into(),
                        ch.medium.label_da().into(),
                    )
                }
                None => plain(99, "ukendt".into(), "Ukendt".into()),
            },
            (Dimension::Digital, Key::Channel(c)) => {
                let digital = self.channel(c).is_some_and(|ch| ch.digital);
                if digital {
                    plain(0, "ja".into(), "Digital".into())
                } else {
                    plain(1, "nej".into(), "Ikke digital".into())
                }
            }
            (Dimension::InquiryType, Key::InquiryType(None)) => {
                plain(99, "ingen".into(), "(ingen type)".into())
            }
            (Dimension::InquiryType, Key::InquiryType(Some(t))) => match self.types.get(t) {
                Some(row) => plain(
                    i64::from(row.sort_order),
                    t.code().into(),
                    row.label_da.clone(),
                ),
                None => plain(50, t.code().into(), t.code().into()),
            },
            (Dimension::Category, Key::InquiryType(t)) => match t.map(InquiryType::category) {
                Some(InquiryCategory::Transaction) => {
                    plain(0, "transaction".into(), "Sagsspecifik".into())
                }
                Some(InquiryCategory::Information) => {
                    plain(1, "information".into(), "Information".into())
                }
                None => plain(2, "ingen".into(), "(ingen type)".into()),
            },
            (Dimension::Completion, Key::Completion(c)) => match c {
                Some(Completion::AtOnce) => plain(0, "STRAKS".into(), "Afsluttet straks".into()),
                Some(Completion::PutAside) => plain(1, "HOLD".into(), "Lagt til side".into()),
                None => plain(2, "ingen".into(), "(ingen afslutning)".into()),
            },
            (Dimension::Form, Key::Form(f)) => match f {
                Some(true) => plain(0, "JA".into(), "Blanket medsendt".into()),
                Some(false) => plain(1, "NEJ".into(), "Ingen blanket".into()),
                None => plain(2, "ingen".into(), "(ikke relevant)".into()),
            },
            (Dimension::Source, Key::Source(s)) => {
                let (order, label) = match s {
                    Source::Tool => (0, "Registreringsværktøjet"),
                    Source::Paper => (1, "Papirskema"),
                    Source::Upload => (2, "Indlæst fil"),
                    Source::Api => (3, "System (API)"),
                    Source::Central => (4, "Centralt leveret"),
                };
                plain(order, s.code().into(), label.into())
            }
            (Dimension::Day, Key::Day(d)) => plain(
                i64::from(d.num_days_from_ce()),
                d.to_string(),
                d.format("%d-%m-%Y").to_string(),
            ),
            (Dimension::Month, Key::Day(d)) => {
                let months = [
                    "januar",
                    "februar",
                    "marts",
                    "april",
                    "maj",
                    "juni",
                    "juli",
                    "august",
                    "september",
                    "oktober",
                    "november",
                    "december",
                ];
                let name = months.get(d.month0() as usize).copied().unwrap_or("");
                plain(
                    i64::from(d.year()) * 12 + i64::from(d.month0()),
                    format!("{}-{:02}", d.year(), d.month()),
                    format!("{name} {}", d.year()),
                )
            }
            (Dimension::Week, Key::Week(y, w)) => plain(
                i64::from(*y) * 100 + i64::from(*w),
                format!("{y}-W{w:02}"),
                format!("uge {w} {y}"),
            ),
            (Dimension::Hour, Key::Hour(h)) => plain(
                i64::from(*h),
                format!("{h:02}"),
                format!("{h:02}–{:02}", h + 1),
            ),
            (_, key) => plain(i64::MAX, format!("{key:?}"), format!("{key:?}")),
        }
    }
}

/// The store query of a request for some dates.
fn aggregate_of(request: &ReportRequest, names: &Names, dates: Dates) -> Aggregate {
    let f = &request.filters;
    let mut columns: Vec<Column> = Vec::new();
    for d in &request.group_by {
        let c = d.column();
        if !columns.contains(&c) {
            columns.push(c);
        }
    }
    // Units from departments; channels from direction, medium, digital;
    // inquiry types from category: all become base filters.
    let mut units = f.units.clone();
    if !f.departments.is_empty() {
        let in_departments: Vec<Option<UnitId>> = names
            .units
            .values()
            .filter(|u| u.department.is_some_and(|d| f.departments.contains(&d)))
            .map(|u| Some(u.id))
            .collect();
        units = if units.is_empty() {
            in_departments
        } else {
            units
                .into_iter()
                .filter(|u| in_departments.contains(u))
                .collect()
        };
        if units.is_empty() {
            units = vec![Some(UnitId(-1))];
        }
    }
    let mut channels = f.channels.clone();
    if !f.directions.is_empty() || !f.media.is_empty() || f.digital.is_some() {
        let matching: Vec<ChannelCode> = names
            .channels
            .values()
            .filter(|c| f.directions.is_empty() || f.directions.contains(&c.direction))
            .filter(|c| f.media.is_empty() || f.media.contains(&c.medium))
            .filter(|c| f.digital.is_none_or(|d| c.digital == d))
            .map(|c| c.code.clone())
            .collect();
        channels = if channels.is_empty() {
            matching
        } else {
            channels
                .into_iter()
                .filter(|c| matching.contains(c))
                .collect()
        };
        if channels.is_empty() {
            channels = vec![ChannelCode::parse("INGEN").unwrap_or_else(|_| f.channels[0].clone())];
        }
    }
    let mut types = f.inquiry_types.clone();
    if !f.categories.is_empty() {
        let matching: Vec<Option<InquiryType>> = InquiryType::ALL
            .into_iter()
            .filter(|t| f.categories.contains(&t.category()))
            .map(Some)
            .collect();
        types = if types.is_empty() {
            matching
        } else {
            types.into_iter().filter(|t| matching.contains(t)).collect()
        };
    }
    Aggregate {
        municipalities: request.municipalities.clone(),
        from: Some(dates.from),
        to: Some(dates.to),
        units,
        tasks: f.tasks.clone(),
        channels,
        inquiry_types: types,
        completions: f.completions.clone(),
        forms: f.forms.clone(),
        sources: f.sources.clone(),
        hours: f.hours.clone(),
        test: request.test,
        group_by: columns,
        table: Table::Auto,
    }
}

/// Sums per group: inquiries, rows, duration sum and count.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    inquiries: i64,
    rows: i64,
    duration_sum_ms: i64,
    duration_count: i64,
}

impl Sums {
    fn add(&mut self, row: &AggregateRow) {
        self.inquiries += row.inquiries;
        self.rows += row.rows;
        self.duration_sum_ms += row.duration_sum_ms;
        self.duration_count += row.duration_count;
    }

    fn mean_s(&self) -> Option<f64> {
        (self.duration_count > 0)
            .then(|| self.duration_sum_ms as f64 / self.duration_count as f64 / 1000.0)
    }
}

/// The store rows folded into the request's dimensions.
fn fold(
    request: &ReportRequest,
    names: &Names,
    query: &Aggregate,
    rows: &[AggregateRow],
) -> BTreeMap<Vec<Label>, Sums> {
    let mut groups: BTreeMap<Vec<Label>, Sums> = BTreeMap::new();
    for row in rows {
        let keys: Vec<Label> = request
            .group_by
            .iter()
            .map(|d| {
                let position = query
                    .group_by
                    .iter()
                    .position(|c| *c == d.column())
                    .unwrap_or(0);
                names.label(*d, &row.keys[position])
            })
            .collect();
        groups.entry(keys).or_default().add(row);
    }
    groups
}

/// Medians per group, from the registrations' durations in whole seconds.
async fn median_durations(
    store: &dyn Store,
    request: &ReportRequest,
    names: &Names,
    query: &Aggregate,
) -> CoreResult<HashMap<Vec<Label>, f64>> {
    let mut q = query.clone();
    q.group_by.push(Column::DurationSeconds);
    q.table = Table::Registrations;
    let rows = store.aggregate(&q).await?;
    let mut distributions: HashMap<Vec<Label>, Vec<(i64, i64)>> = HashMap::new();
    for row in &rows {
        let keys: Vec<Label> = request
            .group_by
            .iter()
            .map(|d| {
                let position = q
                    .group_by
                    .iter()
                    .position(|c| *c == d.column())
                    .unwrap_or(0);
                names.label(*d, &row.keys[position])
            })
            .collect();
        if let Some(Key::DurationSeconds(s)) = row.keys.last() {
            distributions
                .entry(keys)
                .or_default()
                .push((*s, row.duration_count));
        }
    }
    Ok(distributions
        .into_iter()
        .filter_map(|(keys, mut values)| {
            values.sort_unstable();
            let n: i64 = values.iter().map(|(_, c)| c).sum();
            if n == 0 {
                return None;
            }
            // The lower median for an even count, in whole seconds.
            let middle = (n + 1) / 2;
            let mut seen = 0;
            values.into_iter().find_map(|(s, c)| {
                seen += c;
                (seen >= middle).then_some((keys.clone(), s as f64))
            })
        })
        .collect())
}

fn share(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Computes a report.
pub async fn run(store: &dyn Store, request: &ReportRequest) -> CoreResult<Report> {
    if request.dates.to < request.dates.from {
        return Err(CoreError::Invalid(
            "Perioden slutter før den begynder.".into(),
        ));
    }
    let names = Names::load(store, request).await?;
    let query = aggregate_of(request, &names, request.dates);
    let now_rows = store.aggregate(&query).await?;
    let groups = fold(request, &names, &query, &now_rows);
    let medians = if request.median {
        median_durations(store, request, &names, &query).await?
    } else {
        HashMap::new()
    };
    let mut before = None;
    if let Some(dates) = request.comparison {
        let q = aggregate_of(request, &names, dates);
        let rows = store.aggregate(&q).await?;
        before = Some(fold(request, &names, &q, &rows));
    }

    let total: Sums = groups.values().fold(Sums::default(), |mut acc, s| {
        acc.inquiries += s.inquiries;
        acc.rows += s.rows;
        acc.duration_sum_ms += s.duration_sum_ms;
        acc.duration_count += s.duration_count;
        acc
    });
    let group_total = |groups: &BTreeMap<Vec<Label>, Sums>, keys: &[Label]| -> i64 {
        match request.share_of {
            ShareOf::Total => groups.values().map(|s| s.inquiries).sum(),
            ShareOf::FirstDimension => groups
                .iter()
                .filter(|(k, _)| k.first() == keys.first())
                .map(|(_, s)| s.inquiries)
                .sum(),
        }
    };
    // Keys only in the comparison still get a row (they went to zero).
    let mut all_keys: Vec<Vec<Label>> = groups.keys().cloned().collect();
    if let Some(before) = &before {
        for k in before.keys() {
            if !groups.contains_key(k) {
                all_keys.push(k.clone());
            }
        }
    }
    let mut rows: Vec<ReportRow> = all_keys
        .into_iter()
        .map(|keys| {
            let sums = groups.get(&keys).copied().unwrap_or_default();
            let now_share = share(sums.inquiries, group_total(&groups, &keys));
            let comparison = before.as_ref().map(|before| {
                let then = before.get(&keys).copied().unwrap_or_default();
                let then_share = share(then.inquiries, group_total(before, &keys));
                Comparison {
                    inquiries: then.inquiries,
                    share: then_share,
                    change: sums.inquiries - then.inquiries,
                    change_pct: (then.inquiries > 0).then(|| {
                        (sums.inquiries - then.inquiries) as f64 / then.inquiries as f64 * 100.0
                    }),
                    share_change_pp: points(now_share, then_share),
                }
            });
            ReportRow {
                median_duration_s: medians.get(&keys).copied(),
                keys,
                inquiries: sums.inquiries,
                rows: sums.rows,
                share: now_share,
                mean_duration_s: sums.mean_s(),
                comparison,
            }
        })
        .collect();
    match request.order {
        Order::Natural => rows.sort_by(|a, b| a.keys.cmp(&b.keys)),
        Order::Inquiries => rows.sort_by(|a, b| {
            b.inquiries
                .cmp(&a.inquiries)
                .then_with(|| a.keys.cmp(&b.keys))
        }),
    }
    let total_comparison = before.as_ref().map(|before| {
        let then: i64 = before.values().map(|s| s.inquiries).sum();
        Comparison {
            inquiries: then,
            share: 1.0,
            change: total.inquiries - then,
            change_pct: (then > 0).then(|| (total.inquiries - then) as f64 / then as f64 * 100.0),
            share_change_pp: 0.0,
        }
    });
    let total_median = if request.median && !request.group_by.is_empty() {
        let mut whole = request.clone();
        whole.group_by.clear();
        let q = aggregate_of(&whole, &names, whole.dates);
        median_durations(store, &whole, &names, &q)
            .await?
            .remove(&Vec::new())
    } else {
        medians.get(&Vec::new()).copied()
    };
    Ok(Report {
        request: request.clone(),
        dimensions: request.group_by.clone(),
        rows,
        total: ReportRow {
            keys: Vec::new(),
            inquiries: total.inquiries,
            rows: total.rows,
            share: 1.0,
            mean_duration_s: total.mean_s(),
            median_duration_s: total_median,
            comparison: total_comparison,
        },
    })
}

// --- a report named by a link ----------------------------------------------------------

/// Which period a report is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Comparing {
    /// No comparison.
    #[default]
    Nothing,
    /// The same weeks a year before.
    YearBefore,
    Dates(Dates),
}

/// A report as links, pages, downloads, the API and the command line name
/// it: a list of `key=value` pairs (a URL's query). Filters are keyed by
/// the dimension's code with the code of a row's key as value, so the
/// link behind any figure is its report's query plus one filter per key.
///
/// | key | value |
/// |---|---|
/// | `fra`, `til` | dates, `2026-10-19` or `19-10-2026` |
/// | `sammenlign` | `aar` (a year before), `ingen`, or `2025-10-20..2025-11-09` |
/// | `grupper` | dimension codes, comma separated or repeated |
/// | `kommune`, `forvaltning`, `enhed`, `opgave`, `kanal`, `retning`, `medie`, `digital`, `type`, `kategori`, `afslutning`, `blanket`, `kilde`, `dag`, `uge`, `maaned`, `time` | a filter; repeated keys are alternatives |
/// | `andel` | `total` (default) or `gruppe` (of the first dimension) |
/// | `sortering` | `naturlig` (default) or `antal` |
/// | `median` | `ja` to compute median durations |
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportQuery {
    pub dates: Option<Dates>,
    pub comparison: Option<Comparing>,
    pub group_by: Vec<Dimension>,
    /// Filters as (dimension, code), in the order given.
    pub filters: Vec<(Dimension, String)>,
    pub share_of: ShareOf,
    pub order: Order,
    pub median: bool,
}

fn invalid(message: String) -> CoreError {
    CoreError::Invalid(message)
}

/// A date as `2026-10-19` or `19-10-2026`.
pub fn parse_date(value: &str) -> CoreResult<NaiveDate> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d-%m-%Y"))
        .map_err(|_| invalid(format!("«{value}» er ikke en dato; skriv fx 2026-10-19.")))
}

fn parse_dates(value: &str) -> CoreResult<Dates> {
    let (from, to) = value.split_once("..").ok_or_else(|| {
        invalid(format!(
            "«{value}» er ikke en periode; skriv fx 2025-10-20..2025-11-09."
        ))
    })?;
    let dates = Dates {
        from: parse_date(from)?,
        to: parse_date(to)?,
    };
    if dates.to < dates.from {
        return Err(invalid(format!(
            "Perioden «{value}» slutter før den begynder."
        )));
    }
    Ok(dates)
}

impl ReportQuery {
    /// Reads a link's pairs; unknown keys are refused so a misspelt filter
    /// never silently widens a report.
    pub fn parse(pairs: &[(String, String)]) -> CoreResult<Self> {
        let mut query = Self::default();
        let mut from = None;
        let mut to = None;
        for (key, value) in pairs {
            let value = value.trim();
            match key.as_str() {
                "fra" if !value.is_empty() => from = Some(parse_date(value)?),
                "til" if !value.is_empty() => to = Some(parse_date(value)?),
                "fra" | "til" => {}
                "sammenlign" => {
                    query.comparison = Some(match value {
                        "" | "ingen" => Comparing::Nothing,
                        "aar" => Comparing::YearBefore,
                        other => Comparing::Dates(parse_dates(other)?),
                    })
                }
                "grupper" => {
                    for code in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                        let d = Dimension::parse(code).ok_or_else(|| {
                            invalid(format!("Der kan ikke grupperes efter «{code}»."))
                        })?;
                        if !query.group_by.contains(&d) {
                            query.group_by.push(d);
                        }
                    }
                }
                "andel" => {
                    query.share_of = match value {
                        "" | "total" => ShareOf::Total,
                        "gruppe" => ShareOf::FirstDimension,
                        other => return Err(invalid(format!("Ukendt andel «{other}»."))),
                    }
                }
                "sortering" => {
                    query.order = match value {
                        "" | "naturlig" => Order::Natural,
                        "antal" => Order::Inquiries,
                        other => return Err(invalid(format!("Ukendt sortering «{other}»."))),
                    }
                }
                "median" => query.median = matches!(value, "ja" | "1" | "true"),
                other => match Dimension::parse(other) {
                    Some(d) if !value.is_empty() => query.filters.push((d, value.to_owned())),
                    Some(_) => {}
                    None => {
                        return Err(invalid(format!(
                            "Ukendt felt «{other}» i rapportens adresse."
                        )))
                    }
                },
            }
        }
        query.dates = match (from, to) {
            (Some(from), Some(to)) if to < from => {
                return Err(invalid("Perioden slutter før den begynder.".into()))
            }
            (Some(from), Some(to)) => Some(Dates { from, to }),
            (Some(from), None) => Some(Dates { from, to: from }),
            (None, Some(to)) => Some(Dates { from: to, to }),
            (None, None) => None,
        };
        Ok(query)
    }

    /// The pairs of the query, in a fixed order (the inverse of [`parse`]).
    ///
    /// [`parse`]: Self::parse
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let Some(d) = self.dates {
            pairs.push(("fra".into(), d.from.to_string()));
            pairs.push(("til".into(), d.to.to_string()));
        }
        match self.comparison {
            None => {}
            Some(Comparing::Nothing) => pairs.push(("sammenlign".into(), "ingen".into())),
            Some(Comparing::YearBefore) => pairs.push(("sammenlign".into(), "aar".into())),
            Some(Comparing::Dates(d)) => {
                pairs.push(("sammenlign".into(), format!("{}..{}", d.from, d.to)))
            }
        }
        if !self.group_by.is_empty() {
            let codes: Vec<&str> = self.group_by.iter().map(|d| d.code()).collect();
            pairs.push(("grupper".into(), codes.join(",")));
        }
        for (d, code) in &self.filters {
            pairs.push((d.code().into(), code.clone()));
        }
        if self.share_of == ShareOf::FirstDimension {
            pairs.push(("andel".into(), "gruppe".into()));
        }
        if self.order == Order::Inquiries {
            pairs.push(("sortering".into(), "antal".into()));
        }
        if self.median {
            pairs.push(("median".into(), "ja".into()));
        }
        pairs
    }

    /// The query with one more filter (a figure's drill-down).
    pub fn filtered(&self, dimension: Dimension, code: &str) -> Self {
        let mut q = self.clone();
        q.filters.retain(|(d, _)| *d != dimension);
        q.filters.push((dimension, code.to_owned()));
        q
    }

    /// The query's filters on one dimension.
    pub fn filter_codes(&self, dimension: Dimension) -> Vec<&str> {
        self.filters
            .iter()
            .filter(|(d, _)| *d == dimension)
            .map(|(_, c)| c.as_str())
            .collect()
    }

    /// The engine's request within a scope: codes resolved against the
    /// catalogue (an unknown code is refused with its name), dates from the
    /// query or `default_dates`, a year-before comparison worked out.
    pub async fn request(
        &self,
        store: &dyn Store,
        scope: &Scope,
        default_dates: Dates,
        default_comparison: Comparing,
    ) -> CoreResult<ReportRequest> {
        let mut dates = self.dates.unwrap_or(default_dates);
        let mut f = Filters::default();
        let mut municipalities = Vec::new();
        let mut day_windows: Vec<Dates> = Vec::new();
        let mut known_channels: Option<Vec<ChannelRow>> = None;
        for (dimension, code) in &self.filters {
            let bad = |what: &str| invalid(format!("Ukendt {what} «{code}» i rapportens filter."));
            match dimension {
                Dimension::Municipality => municipalities.push(
                    code.parse::<u16>()
                        .ok()
                        .and_then(|c| MunicipalityCode::new(c).ok())
                        .ok_or_else(|| bad("kommunekode"))?,
                ),
                Dimension::Department => f
                    .departments
                    .push(DepartmentId(code.parse().map_err(|_| bad("forvaltning"))?)),
                Dimension::Unit if code == "ingen" => f.units.push(None),
                Dimension::Unit => {
                    let unit = store
                        .find_unit_by_login(code)
                        .await?
                        .ok_or_else(|| bad("enhed"))?;
                    f.units.push(Some(unit.id));
                }
                Dimension::Task => f
                    .tasks
                    .push(TaskId(code.parse().map_err(|_| bad("opgave"))?)),
                Dimension::Channel => {
                    let channel = ChannelCode::parse(code).map_err(|_| bad("kanal"))?;
                    if known_channels.is_none() {
                        known_channels = Some(store.list_channels().await?);
                    }
                    if !known_channels.iter().flatten().any(|c| c.code == channel) {
                        return Err(bad("kanal"));
                    }
                    f.channels.push(channel);
                }
                Dimension::Direction => f
                    .directions
                    .push(Direction::parse(code).map_err(|_| bad("retning"))?),
                Dimension::Medium => f.media.push(Medium::parse(code).map_err(|_| bad("medie"))?),
                Dimension::Digital => {
                    f.digital = Some(match code.as_str() {
                        "ja" => true,
                        "nej" => false,
                        _ => return Err(bad("værdi for digital")),
                    })
                }
                Dimension::InquiryType if code == "ingen" => f.inquiry_types.push(None),
                Dimension::InquiryType => f.inquiry_types.push(Some(
                    InquiryType::parse(code).map_err(|_| bad("henvendelsestype"))?,
                )),
                Dimension::Category => f.categories.push(match code.as_str() {
                    "transaction" => InquiryCategory::Transaction,
                    "information" => InquiryCategory::Information,
                    _ => return Err(bad("kategori")),
                }),
                Dimension::Completion if code == "ingen" => f.completions.push(None),
                Dimension::Completion => f.completions.push(Some(
                    Completion::parse(code).map_err(|_| bad("afslutning"))?,
                )),
                Dimension::Form => f.forms.push(match code.as_str() {
                    "JA" => Some(true),
                    "NEJ" => Some(false),
                    "ingen" => None,
                    _ => return Err(bad("blanketværdi")),
                }),
                Dimension::Source => f
                    .sources
                    .push(Source::parse(code).map_err(|_| bad("datakilde"))?),
                Dimension::Day => {
                    let day = parse_date(code)?;
                    day_windows.push(Dates { from: day, to: day });
                }
                Dimension::Week => {
                    let (year, week) = code
                        .split_once("-W")
                        .and_then(|(y, w)| Some((y.parse::<i32>().ok()?, w.parse::<u32>().ok()?)))
                        .ok_or_else(|| bad("uge"))?;
                    let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
                        .ok_or_else(|| bad("uge"))?;
                    day_windows.push(Dates {
                        from: monday,
                        to: monday + Duration::days(6),
                    });
                }
                Dimension::Month => {
                    let first = NaiveDate::parse_from_str(&format!("{code}-01"), "%Y-%m-%d")
                        .map_err(|_| bad("måned"))?;
                    let next = first
                        .checked_add_months(chrono::Months::new(1))
                        .ok_or_else(|| bad("måned"))?;
                    day_windows.push(Dates {
                        from: first,
                        to: next - Duration::days(1),
                    });
                }
                Dimension::Hour => {
                    let hour: u32 = code.parse().map_err(|_| bad("time"))?;
                    if hour > 23 {
                        return Err(bad("time"));
                    }
                    f.hours.push(hour);
                }
            }
        }
        let comparison_of = |dates: Dates| match self.comparison.unwrap_or(default_comparison) {
            Comparing::Nothing => None,
            Comparing::YearBefore => Some(dates.a_year_before()),
            Comparing::Dates(d) => Some(d),
        };
        let mut comparison = comparison_of(dates);
        if !day_windows.is_empty() {
            // A day, week or month narrows the dates to where it overlaps
            // them (several are alternatives: their span).
            let from = day_windows
                .iter()
                .map(|d| d.from)
                .min()
                .unwrap_or(dates.from);
            let to = day_windows.iter().map(|d| d.to).max().unwrap_or(dates.to);
            let narrowed = Dates {
                from: from.max(dates.from),
                to: to.min(dates.to),
            };
            comparison = comparison.map(|c| {
                let shift = narrowed.from - dates.from;
                let length = narrowed.to - narrowed.from;
                Dates {
                    from: c.from + shift,
                    to: c.from + shift + length,
                }
            });
            if narrowed.to < narrowed.from {
                // Outside the period: nothing.
                f.units = vec![Some(UnitId(-1))];
            } else {
                dates = narrowed;
            }
        }
        Ok(ReportRequest {
            municipalities,
            dates,
            comparison,
            filters: f,
            test: TestRows::Exclude,
            group_by: self.group_by.clone(),
            share_of: self.share_of,
            order: self.order,
            median: self.median,
        }
        .within(scope))
    }
}

impl Scope {
    /// What a user may see of one municipality (None: nothing), from the
    /// roles' one rule ([`UserContext::unit_scope`]).
    pub fn of_user(
        user: &crate::accounts::access::UserContext,
        municipality: MunicipalityCode,
    ) -> Option<Self> {
        use crate::accounts::access::UnitScope;
        match user.unit_scope(municipality) {
            UnitScope::All => Some(Self {
                municipalities: vec![municipality],
                units: None,
            }),
            UnitScope::Only(units) => Some(Self {
                municipalities: vec![municipality],
                units: Some(units),
            }),
            UnitScope::None => None,
        }
    }

    /// Every municipality: national readers.
    pub fn national() -> Self {
        Self {
            municipalities: Vec::new(),
            units: None,
        }
    }
}

/// The dates a report shows when its link names none: the latest counting
/// period (national or the municipality's own) that has begun by `today`,
/// else the four weeks up to today.
pub async fn default_dates(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
    today: NaiveDate,
) -> CoreResult<Dates> {
    let periods = store.list_periods(municipality).await?;
    Ok(periods
        .iter()
        .filter(|p| p.period.starts_on <= today)
        .max_by_key(|p| p.period.starts_on)
        .map_or(
            Dates {
                from: today - Duration::days(27),
                to: today,
            },
            |p| Dates {
                from: p.period.starts_on,
                to: p.period.ends_on,
            },
        ))
}

/// The store's selection of the registrations behind a request (its
/// grouping ignored): what a drill-down lists and an extract writes, so
/// they hold exactly the rows the figure counts.
pub async fn selection(store: &dyn Store, request: &ReportRequest) -> CoreResult<Aggregate> {
    let mut plain = request.clone();
    plain.group_by.clear();
    let names = Names::load(store, &plain).await?;
    Ok(aggregate_of(&plain, &names, plain.dates))
}

/// The change from one share to another in percentage points (0.42 →
/// 0.45 is +3.0): the one place a share's change is computed.
pub fn points(now: f64, then: f64) -> f64 {
    (now - then) * 100.0
}
