//! A report named by a link: its query parsed and refused when unknown,
//! resolved against the catalogue and narrowed to the reader's scope; the
//! default dates of a link that names none.

use super::*;
use komhen_domain::{da, dl};
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
/// | `omkostning` | `ja` to compute the cost at the prices in force |
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
    pub cost: bool,
}

fn invalid(message: String) -> CoreError {
    CoreError::Invalid(message)
}

/// A month as typed: `2026-03`, `03-2026`, or any day of it; its first day.
pub fn parse_month(value: &str) -> Option<NaiveDate> {
    use chrono::Datelike;
    let value = value.trim();
    NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("01-{value}"), "%d-%m-%Y"))
        .ok()
        .or_else(|| parse_date(value).ok().and_then(|d| d.with_day(1)))
}

/// A date as `2026-10-19` or `19-10-2026`.
pub fn parse_date(value: &str) -> CoreResult<NaiveDate> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d-%m-%Y"))
        .map_err(|_| invalid(da!("«{value}» er ikke en dato; skriv fx 2026-10-19.")))
}

fn parse_dates(value: &str) -> CoreResult<Dates> {
    let (from, to) = value.split_once("..").ok_or_else(|| {
        invalid(da!(
            "«{value}» er ikke en periode; skriv fx 2025-10-20..2025-11-09."
        ))
    })?;
    let dates = Dates {
        from: parse_date(from)?,
        to: parse_date(to)?,
    };
    if dates.to < dates.from {
        return Err(invalid(da!("Perioden «{value}» slutter før den begynder.")));
    }
    Ok(dates)
}

/// A `ja`/`nej` choice of a link; anything else is refused, so a misspelt
/// choice is never read as `nej`.
fn yes_or_no(key: &str, value: &str) -> CoreResult<bool> {
    match value {
        "ja" => Ok(true),
        "nej" => Ok(false),
        other => Err(invalid(da!(
            "«{key}» skal være ja eller nej; «{other}» er ingen af dem."
        ))),
    }
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
                            invalid(da!("Der kan ikke grupperes efter «{code}»."))
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
                        other => return Err(invalid(da!("Ukendt andel «{other}»."))),
                    }
                }
                "sortering" => {
                    query.order = match value {
                        "" | "naturlig" => Order::Natural,
                        "antal" => Order::Inquiries,
                        other => return Err(invalid(da!("Ukendt sortering «{other}»."))),
                    }
                }
                "median" => query.median = yes_or_no(key, value)?,
                "omkostning" => query.cost = yes_or_no(key, value)?,
                other => match Dimension::parse(other) {
                    Some(d) if !value.is_empty() => query.filters.push((d, value.to_owned())),
                    Some(_) => {}
                    None => {
                        return Err(invalid(da!("Ukendt felt «{other}» i rapportens adresse.")))
                    }
                },
            }
        }
        query.dates = match (from, to) {
            (Some(from), Some(to)) if to < from => {
                return Err(invalid(dl!("Perioden slutter før den begynder.").into()))
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
            let codes: Vec<String> = self
                .group_by
                .iter()
                .map(|d| d.code().into_owned())
                .collect();
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
        if self.cost {
            pairs.push(("omkostning".into(), "ja".into()));
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
        let mut known_tasks: Option<Vec<TaskId>> = None;
        let mut known_questions: Option<Vec<QuestionRow>> = None;
        let in_scope = |m: MunicipalityCode| {
            scope.municipalities.is_empty() || scope.municipalities.contains(&m)
        };
        for (dimension, code) in &self.filters {
            let bad = |what: &str| invalid(da!("Ukendt {what} «{code}» i rapportens filter."));
            match dimension {
                Dimension::Municipality => municipalities.push(
                    code.parse::<u16>()
                        .ok()
                        .and_then(|c| MunicipalityCode::new(c).ok())
                        .ok_or_else(|| bad(dl!("kommunekode")))?,
                ),
                Dimension::Department => f.departments.push(DepartmentId(
                    code.parse().map_err(|_| bad(dl!("forvaltning")))?,
                )),
                Dimension::Unit if code == "ingen" => f.units.push(None),
                Dimension::Unit => {
                    // A unit of another municipality is as unknown as none.
                    let unit = store
                        .find_unit_by_login(code)
                        .await?
                        .filter(|u| in_scope(u.municipality))
                        .ok_or_else(|| bad(dl!("enhed")))?;
                    f.units.push(Some(unit.id));
                }
                Dimension::Task => {
                    let task = TaskId(code.parse().map_err(|_| bad(dl!("opgave")))?);
                    if known_tasks.is_none() {
                        known_tasks = Some(tasks_within(store, scope).await?);
                    }
                    if !known_tasks.iter().flatten().any(|t| *t == task) {
                        return Err(bad(dl!("opgave")));
                    }
                    f.tasks.push(task);
                }
                Dimension::Channel => {
                    let channel = ChannelCode::parse(code).map_err(|_| bad(dl!("kanal")))?;
                    if known_channels.is_none() {
                        known_channels = Some(store.list_channels().await?);
                    }
                    if !known_channels.iter().flatten().any(|c| c.code == channel) {
                        return Err(bad(dl!("kanal")));
                    }
                    f.channels.push(channel);
                }
                Dimension::Direction => f
                    .directions
                    .push(Direction::parse(code).map_err(|_| bad(dl!("retning")))?),
                Dimension::Medium => f
                    .media
                    .push(Medium::parse(code).map_err(|_| bad(dl!("medie")))?),
                Dimension::Digital => {
                    f.digital = Some(match code.as_str() {
                        "ja" => true,
                        "nej" => false,
                        _ => return Err(bad(dl!("værdi for digital"))),
                    })
                }
                Dimension::InquiryType if code == "ingen" => f.inquiry_types.push(None),
                Dimension::InquiryType => f.inquiry_types.push(Some(
                    InquiryType::parse(code).map_err(|_| bad(dl!("henvendelsestype")))?,
                )),
                Dimension::Category => f.categories.push(match code.as_str() {
                    "transaction" => InquiryCategory::Transaction,
                    "information" => InquiryCategory::Information,
                    _ => return Err(bad(dl!("kategori"))),
                }),
                Dimension::Completion if code == "ingen" => f.completions.push(None),
                Dimension::Completion => f.completions.push(Some(
                    Completion::parse(code).map_err(|_| bad(dl!("afslutning")))?,
                )),
                Dimension::Form => f.forms.push(match code.as_str() {
                    "JA" => Some(true),
                    "NEJ" => Some(false),
                    "ingen" => None,
                    _ => return Err(bad(dl!("blanketværdi"))),
                }),
                Dimension::Source => f
                    .sources
                    .push(Source::parse(code).map_err(|_| bad(dl!("datakilde")))?),
                Dimension::Day | Dimension::Week | Dimension::Month => {
                    day_windows.push(day_window(*dimension, code)?);
                }
                Dimension::Answer(question) => {
                    if known_questions.is_none() {
                        known_questions =
                            Some(engine::questions_within(store, &scope.municipalities).await?);
                    }
                    let q = known_questions
                        .iter()
                        .flatten()
                        .find(|q| question.is(q))
                        .ok_or_else(|| bad(dl!("spørgsmål")))?;
                    let filter = match f.answers.iter().position(|a| a.question == q.id) {
                        Some(i) => &mut f.answers[i],
                        None => {
                            f.answers.push(AnswerFilter {
                                question: q.id,
                                options: Vec::new(),
                                texts: Vec::new(),
                            });
                            f.answers.last_mut().ok_or_else(|| bad(dl!("svar")))?
                        }
                    };
                    if q.answer_kind == AnswerKind::Choice {
                        let option = q
                            .options
                            .iter()
                            .find(|o| o.code == *code)
                            .ok_or_else(|| bad(dl!("svar")))?;
                        filter.options.push(option.id);
                    } else {
                        filter.texts.push(code.trim().to_owned());
                    }
                }
                Dimension::Hour => {
                    let hour: u32 = code.parse().map_err(|_| bad(dl!("time")))?;
                    if hour > 23 {
                        return Err(bad(dl!("time")));
                    }
                    f.hours.push(hour);
                }
            }
        }
        // A question grouped by must be one the scope can name.
        for d in &self.group_by {
            if let Dimension::Answer(question) = d {
                if known_questions.is_none() {
                    known_questions =
                        Some(engine::questions_within(store, &scope.municipalities).await?);
                }
                if !known_questions.iter().flatten().any(|q| question.is(q)) {
                    return Err(invalid(da!(
                        "Der kan ikke grupperes efter «{}»: spørgsmålet findes ikke her.",
                        d.code()
                    )));
                }
            }
        }
        let comparison_of = |dates: Dates| match self.comparison.unwrap_or(default_comparison) {
            Comparing::Nothing => None,
            Comparing::YearBefore => Some(dates.a_year_before()),
            Comparing::Dates(d) => Some(d),
        };
        let mut comparison = comparison_of(dates);
        if let Some(narrowed) = narrow(dates, &day_windows) {
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
            cost: self.cost,
            national_prices: false,
        }
        .within(scope))
    }
}

/// The tasks a link within `scope` may name: the national tasks and the
/// scope's municipalities' own (every municipality's for a national scope).
async fn tasks_within(store: &dyn Store, scope: &Scope) -> CoreResult<Vec<TaskId>> {
    if scope.municipalities.is_empty() {
        let everywhere = store.list_organisation_everywhere().await?;
        return Ok(everywhere.tasks.iter().map(|t| t.id).collect());
    }
    let mut tasks = Vec::new();
    for m in &scope.municipalities {
        tasks.extend(store.list_tasks(*m).await?.iter().map(|t| t.id));
    }
    Ok(tasks)
}

/// The days a day, week or month filter names (`2026-10-19`, `2026-W43`,
/// `2026-10`).
fn day_window(dimension: Dimension, code: &str) -> CoreResult<Dates> {
    let bad = |what: &str| invalid(da!("Ukendt {what} «{code}» i rapportens filter."));
    match dimension {
        Dimension::Week => {
            let (year, week) = code
                .split_once("-W")
                .and_then(|(y, w)| Some((y.parse::<i32>().ok()?, w.parse::<u32>().ok()?)))
                .ok_or_else(|| bad(dl!("uge")))?;
            let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
                .ok_or_else(|| bad(dl!("uge")))?;
            Ok(Dates {
                from: monday,
                to: monday + Duration::days(6),
            })
        }
        Dimension::Month => {
            let first = NaiveDate::parse_from_str(&format!("{code}-01"), "%Y-%m-%d")
                .map_err(|_| bad(dl!("måned")))?;
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .ok_or_else(|| bad(dl!("måned")))?;
            Ok(Dates {
                from: first,
                to: next - Duration::days(1),
            })
        }
        _ => {
            let day = parse_date(code)?;
            Ok(Dates { from: day, to: day })
        }
    }
}

/// Where days, weeks or months narrow the dates: the part of `dates` their
/// span overlaps (several are alternatives). Empty (`to` before `from`)
/// when they lie outside; None when there are none.
fn narrow(dates: Dates, windows: &[Dates]) -> Option<Dates> {
    let from = windows.iter().map(|d| d.from).min()?;
    let to = windows.iter().map(|d| d.to).max()?;
    Some(Dates {
        from: from.max(dates.from),
        to: to.min(dates.to),
    })
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
