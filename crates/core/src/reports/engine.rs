//! Running a request: one aggregate query of the store per period, derived
//! dimensions folded in memory, then shares, changes and medians.

use super::cost::Pricing;
use super::*;
use komhen_domain::{da, dl};
/// The catalogue labels the engine names keys with, loaded once per report.
struct Names {
    municipalities: HashMap<MunicipalityCode, MunicipalityRow>,
    units: HashMap<UnitId, UnitRow>,
    departments: HashMap<DepartmentId, DepartmentRow>,
    tasks: HashMap<TaskId, TaskRow>,
    channels: HashMap<ChannelCode, ChannelRow>,
    types: HashMap<InquiryType, InquiryTypeRow>,
    /// The questions a report groups by (national, and the
    /// municipalities' own).
    questions: Vec<QuestionRow>,
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
        let mut questions = Vec::new();
        if request
            .group_by
            .iter()
            .any(|d| matches!(d, Dimension::Answer(_)))
        {
            questions = questions_within(store, &request.municipalities).await?;
        }
        Ok(Self {
            questions,
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

    fn question(&self, question: QuestionRef) -> Option<&QuestionRow> {
        self.questions.iter().find(|q| question.is(q))
    }

    /// The store column a dimension is folded from, an answer's question
    /// resolved to its id.
    fn column(&self, dimension: Dimension) -> Column {
        match dimension {
            Dimension::Answer(q) => {
                Column::Answer(self.question(q).map_or(QuestionId(-1), |q| q.id))
            }
            d => d.column(),
        }
    }

    /// A dimension's heading: an answer's is its question.
    fn heading(&self, dimension: Dimension) -> String {
        match dimension {
            Dimension::Answer(q) => self
                .question(q)
                .map_or_else(|| dimension.code().into_owned(), |q| q.label_da.clone()),
            d => d.label_da().to_owned(),
        }
    }

    /// The label of an answer: its option, or its text (numbers in order).
    fn answer_label(
        &self,
        question: QuestionRef,
        option: Option<QuestionOptionId>,
        text: Option<&str>,
    ) -> Label {
        let found = self.question(question);
        if let Some(option) = option {
            return match found.and_then(|q| q.options.iter().find(|o| o.id == option)) {
                Some(o) => plain(i64::from(o.sort_order), o.code.clone(), o.label_da.clone()),
                None => plain(i64::MAX, option.to_string(), da!("Svar {option}")),
            };
        }
        let text = text.unwrap_or("").trim();
        if text.is_empty() {
            return plain(i64::MAX, String::new(), "(tomt svar)".into());
        }
        let number = found
            .filter(|q| q.answer_kind == AnswerKind::Number)
            .and_then(|_| text.replace(',', ".").parse::<f64>().ok());
        match number {
            // In hundredths, so 4,5 sorts between 4 and 5.
            Some(n) => Label {
                order: ((n * 100.0).round() as i64, text.to_owned()),
                code: text.to_owned(),
                label: text.to_owned(),
            },
            None => plain(0, text.to_owned(), text.to_owned()),
        }
    }

    /// The label of a dimension's value, from the store key it folds.
    fn label(&self, dimension: Dimension, key: &Key) -> Label {
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
                None => plain(u.0, u.to_string(), da!("Enhed {u}")),
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
                None => plain(t.0, t.to_string(), da!("Opgave {t}")),
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
                    None => plain(9, "ukendt".into(), dl!("Ukendt").into()),
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
                None => plain(99, "ukendt".into(), dl!("Ukendt").into()),
            },
            (Dimension::Digital, Key::Channel(c)) => {
                let digital = self.channel(c).is_some_and(|ch| ch.digital);
                if digital {
                    plain(0, "ja".into(), dl!("Digital").into())
                } else {
                    plain(1, "nej".into(), dl!("Ikke digital").into())
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
            (Dimension::Answer(q), Key::Answer(option, text)) => {
                self.answer_label(q, *option, text.as_deref())
            }
            (dimension, key) => fixed_label(dimension, key),
        }
    }
}

/// A label made of its order, code and text.
fn plain(order: i64, code: String, label: String) -> Label {
    Label {
        order: (order, code.clone()),
        code,
        label,
    }
}

/// The label of a key whose text needs no catalogue: categories,
/// completion, form, source and the time dimensions.
fn fixed_label(dimension: Dimension, key: &Key) -> Label {
    match (dimension, key) {
        (Dimension::Category, Key::InquiryType(t)) => match t.map(InquiryType::category) {
            Some(InquiryCategory::Transaction) => {
                plain(0, "transaction".into(), dl!("Sagsspecifik").into())
            }
            Some(InquiryCategory::Information) => {
                plain(1, "information".into(), dl!("Information").into())
            }
            None => plain(2, "ingen".into(), "(ingen type)".into()),
        },
        (Dimension::Completion, Key::Completion(c)) => match c {
            Some(c) => plain(
                i64::from(*c == Completion::PutAside),
                c.code().into(),
                c.label_da().into(),
            ),
            None => plain(2, "ingen".into(), "(ingen afslutning)".into()),
        },
        (Dimension::Form, Key::Form(f)) => match f {
            Some(true) => plain(0, "JA".into(), dl!("Blanket medsendt").into()),
            Some(false) => plain(1, "NEJ".into(), dl!("Ingen blanket").into()),
            None => plain(2, "ingen".into(), "(ikke relevant)".into()),
        },
        (Dimension::Source, Key::Source(s)) => {
            let order = Source::ALL.iter().position(|x| x == s).unwrap_or(99);
            plain(order as i64, s.code().into(), s.label_da().into())
        }
        (Dimension::Day, Key::Day(d)) => plain(
            i64::from(d.num_days_from_ce()),
            d.to_string(),
            d.format("%d-%m-%Y").to_string(),
        ),
        (Dimension::Month, Key::Day(d)) => plain(
            i64::from(d.year()) * 12 + i64::from(d.month0()),
            format!("{}-{:02}", d.year(), d.month()),
            komhen_domain::month_label_da(*d),
        ),
        (Dimension::Week, Key::Week(y, w)) => plain(
            i64::from(*y) * 100 + i64::from(*w),
            format!("{y}-W{w:02}"),
            da!("uge {w} {y}"),
        ),
        (Dimension::Hour, Key::Hour(h)) => plain(
            i64::from(*h),
            format!("{h:02}"),
            format!("{h:02}–{:02}", h + 1),
        ),
        (_, key) => plain(i64::MAX, format!("{key:?}"), format!("{key:?}")),
    }
}

/// The store query of a request for some dates.
fn aggregate_of(request: &ReportRequest, names: &Names, dates: Dates) -> Aggregate {
    let f = &request.filters;
    let mut columns: Vec<Column> = Vec::new();
    for d in &request.group_by {
        let c = names.column(*d);
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
        answers: f.answers.clone(),
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
    cost: Cost,
}

impl Sums {
    fn add(&mut self, row: &AggregateRow) {
        self.inquiries += row.inquiries;
        self.rows += row.rows;
        self.duration_sum_ms += row.duration_sum_ms;
        self.duration_count += row.duration_count;
    }

    fn add_sums(&mut self, other: &Sums) {
        self.inquiries += other.inquiries;
        self.rows += other.rows;
        self.duration_sum_ms += other.duration_sum_ms;
        self.duration_count += other.duration_count;
        self.cost.ore = self.cost.ore.saturating_add(other.cost.ore);
        self.cost.unpriced_inquiries += other.cost.unpriced_inquiries;
    }

    fn mean_s(&self) -> Option<f64> {
        (self.duration_count > 0)
            .then(|| self.duration_sum_ms as f64 / self.duration_count as f64 / 1000.0)
    }
}

/// What a report's prices did: the inquiries without a price per channel,
/// and whether an example price priced any.
#[derive(Default)]
struct PriceUse {
    unpriced: BTreeMap<ChannelCode, i64>,
    examples: bool,
}

/// The store rows folded into the request's dimensions; with prices, each
/// row priced first (its unpriced inquiries counted per channel).
fn fold(
    request: &ReportRequest,
    names: &Names,
    query: &Aggregate,
    rows: &[AggregateRow],
    pricing: Option<(&Pricing, NaiveDate)>,
    used: &mut PriceUse,
) -> BTreeMap<Vec<Label>, Sums> {
    let mut groups: BTreeMap<Vec<Label>, Sums> = BTreeMap::new();
    for row in rows {
        let mut cost = Cost::default();
        if let Some((pricing, from)) = pricing {
            match pricing.price(query, row, from) {
                (Some(price), _) => {
                    cost.ore = row.inquiries.saturating_mul(price.price_ore);
                    used.examples |= price.example && row.inquiries != 0;
                }
                (None, channel) => {
                    cost.unpriced_inquiries = row.inquiries;
                    if let Some(channel) = channel {
                        *used.unpriced.entry(channel).or_default() += row.inquiries;
                    }
                }
            }
        }
        let keys: Vec<Label> = request
            .group_by
            .iter()
            .map(|d| {
                let position = query
                    .group_by
                    .iter()
                    .position(|c| *c == names.column(*d))
                    .unwrap_or(0);
                names.label(*d, &row.keys[position])
            })
            .collect();
        let group = groups.entry(keys).or_default();
        group.add(row);
        group.cost.ore = group.cost.ore.saturating_add(cost.ore);
        group.cost.unpriced_inquiries += cost.unpriced_inquiries;
    }
    groups
}

/// The request's sums over `dates`, folded into its dimensions: one
/// aggregate query, or with cost one per stretch of days on which the
/// prices stay the same, each keeping the columns its prices need and
/// priced before it is folded.
async fn sums(
    store: &dyn Store,
    request: &ReportRequest,
    names: &Names,
    dates: Dates,
    pricing: Option<&Pricing>,
    used: &mut PriceUse,
) -> CoreResult<BTreeMap<Vec<Label>, Sums>> {
    let Some(pricing) = pricing else {
        let query = aggregate_of(request, names, dates);
        let rows = store.aggregate(&query).await?;
        return Ok(fold(request, names, &query, &rows, None, used));
    };
    let mut groups: BTreeMap<Vec<Label>, Sums> = BTreeMap::new();
    for (from, to) in pricing.stretches(dates.from, dates.to) {
        let mut query = aggregate_of(request, names, Dates { from, to });
        for column in pricing.columns() {
            if !query.group_by.contains(&column) {
                query.group_by.push(column);
            }
        }
        let rows = store.aggregate(&query).await?;
        for (keys, part) in fold(request, names, &query, &rows, Some((pricing, from)), used) {
            groups.entry(keys).or_default().add_sums(&part);
        }
    }
    Ok(groups)
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
                    .position(|c| *c == names.column(*d))
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

/// The inquiries a row's share is taken of: all of the report's
/// ([`ShareOf::Total`]) or those of the rows with the same first key
/// ([`ShareOf::FirstDimension`]).
struct Wholes {
    total: i64,
    by_first: Option<BTreeMap<Option<Label>, i64>>,
}

impl Wholes {
    fn of(groups: &BTreeMap<Vec<Label>, Sums>, share_of: ShareOf) -> Wholes {
        let total = groups.values().map(|s| s.inquiries).sum();
        let by_first = match share_of {
            ShareOf::Total => None,
            ShareOf::FirstDimension => {
                let mut by_first: BTreeMap<Option<Label>, i64> = BTreeMap::new();
                for (keys, sums) in groups {
                    *by_first.entry(keys.first().cloned()).or_default() += sums.inquiries;
                }
                Some(by_first)
            }
        };
        Wholes { total, by_first }
    }

    fn of_row(&self, keys: &[Label]) -> i64 {
        match &self.by_first {
            None => self.total,
            Some(by_first) => by_first.get(&keys.first().cloned()).copied().unwrap_or(0),
        }
    }
}

fn share(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The questions reports over `municipalities` can name: the national
/// ones, and each municipality's own (switched-off ones too: their answers
/// stay); for a national report the national ones.
pub(super) async fn questions_within(
    store: &dyn Store,
    municipalities: &[MunicipalityCode],
) -> CoreResult<Vec<QuestionRow>> {
    if municipalities.is_empty() {
        return Ok(store.list_national_questions().await?);
    }
    let mut questions: Vec<QuestionRow> = Vec::new();
    for m in municipalities {
        for q in store.list_all_questions(*m).await? {
            if !questions.iter().any(|k| k.id == q.id) {
                questions.push(q);
            }
        }
    }
    Ok(questions)
}

/// Computes a report.
#[tracing::instrument(level = "debug", skip_all, fields(group_by = ?request.group_by))]
pub async fn run(store: &dyn Store, request: &ReportRequest) -> CoreResult<Report> {
    if request.dates.to < request.dates.from {
        return Err(CoreError::Invalid(
            dl!("Perioden slutter før den begynder.").into(),
        ));
    }
    let names = Names::load(store, request).await?;
    let pricing = if request.cost {
        Some(Pricing::load(store, &request.municipalities, request.national_prices).await?)
    } else {
        None
    };
    let mut used = PriceUse::default();
    let groups = sums(
        store,
        request,
        &names,
        request.dates,
        pricing.as_ref(),
        &mut used,
    )
    .await?;
    let medians = if request.median {
        median_durations(
            store,
            request,
            &names,
            &aggregate_of(request, &names, request.dates),
        )
        .await?
    } else {
        HashMap::new()
    };
    let mut before = None;
    let mut empty_comparison = None;
    if let Some(dates) = request.comparison {
        let then = sums(store, request, &names, dates, pricing.as_ref(), &mut used).await?;
        // A period with nothing registered is no baseline: every row would
        // "grow" by all it has. The report then has no comparison, and
        // says which period was empty.
        if then.values().any(|s| s.inquiries != 0) {
            before = Some(then);
        } else {
            empty_comparison = Some(dates);
        }
    }
    let cost_of = |sums: &Sums| request.cost.then_some(sums.cost);

    let total: Sums = groups.values().fold(Sums::default(), |mut acc, s| {
        acc.add_sums(s);
        acc
    });
    // The whole a row's share is of, summed once per report (not once per
    // row: a pivot has thousands of rows).
    let now_wholes = Wholes::of(&groups, request.share_of);
    let before_wholes = before.as_ref().map(|b| Wholes::of(b, request.share_of));
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
            let now_share = share(sums.inquiries, now_wholes.of_row(&keys));
            let comparison = before
                .as_ref()
                .zip(before_wholes.as_ref())
                .map(|(before, wholes)| {
                    let then = before.get(&keys).copied().unwrap_or_default();
                    let then_share = share(then.inquiries, wholes.of_row(&keys));
                    Comparison {
                        inquiries: then.inquiries,
                        share: then_share,
                        change: sums.inquiries - then.inquiries,
                        change_pct: (then.inquiries > 0).then(|| {
                            (sums.inquiries - then.inquiries) as f64 / then.inquiries as f64 * 100.0
                        }),
                        share_change_pp: points(now_share, then_share),
                        cost: cost_of(&then),
                    }
                });
            ReportRow {
                cost: cost_of(&sums),
                median_duration_s: medians.get(&keys).copied(),
                keys,
                inquiries: sums.inquiries,
                rows: sums.rows,
                timed_rows: sums.duration_count,
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
        let then_sums = before.values().fold(Sums::default(), |mut acc, s| {
            acc.add_sums(s);
            acc
        });
        let then = then_sums.inquiries;
        Comparison {
            cost: cost_of(&then_sums),
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
    // By an answer: all the report's inquiries, asked or not, from the
    // same request without its grouping.
    let asked = if request
        .group_by
        .iter()
        .any(|d| matches!(d, Dimension::Answer(_)))
    {
        let mut whole = request.clone();
        whole.group_by.clear();
        let all: i64 = store
            .aggregate(&aggregate_of(&whole, &names, whole.dates))
            .await?
            .iter()
            .map(|r| r.inquiries)
            .sum();
        Some(Asked {
            asked: total.inquiries,
            all,
        })
    } else {
        None
    };
    let mut answered = request.clone();
    if empty_comparison.is_some() {
        answered.comparison = None;
    }
    Ok(Report {
        request: answered,
        empty_comparison,
        dimensions: request.group_by.clone(),
        dimension_labels: request.group_by.iter().map(|d| names.heading(*d)).collect(),
        asked,
        rows,
        unpriced: used
            .unpriced
            .into_iter()
            .map(|(channel, inquiries)| Unpriced { channel, inquiries })
            .collect(),
        example_prices: used.examples,
        total: ReportRow {
            cost: cost_of(&total),
            keys: Vec::new(),
            inquiries: total.inquiries,
            rows: total.rows,
            timed_rows: total.duration_count,
            share: 1.0,
            mean_duration_s: total.mean_s(),
            median_duration_s: total_median,
            comparison: total_comparison,
        },
    })
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
