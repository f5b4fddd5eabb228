//! The savings simulator: what it would save to move inquiries from one
//! channel to another, per task, sized two ways — the theoretical move the
//! scenario asks for, and the realistic part of it that the employees'
//! "could the citizen have solved it on the website or borger.dk?" answers
//! support — for the period and for a year.
//!
//! Must not count or price anything itself: the inquiries and their cost
//! per task and channel, and the answers, are reports of the one report
//! engine; a price is the one rule's (`PriceBook::in_force`). The formulas
//! are in docs/economics.md, with a worked example; the arithmetic is exact
//! (fractions of whole numbers) and rounds to the øre once, at the end.

use crate::economics::prices::{self, PriceBook};
use crate::reports::tabular::{Cell, Table};
use crate::reports::{self, Dates, Dimension, QuestionRef, ReportRequest};
use crate::{CoreError, CoreResult};
use chrono::NaiveDate;
use komhen_domain::{ChannelCode, Direction, MunicipalityCode, TaskId, UnitId};
use komhen_store::{ChannelRow, Store};
use num_rational::Ratio;
use num_traits::{ToPrimitive, Zero};

use komhen_domain::{da, dl};
use std::collections::{BTreeMap, HashMap};

/// Exact fractions: inquiries moved and øre saved stay exact until the
/// figure is shown.
pub type Fraction = Ratio<i128>;

/// Most moves one scenario holds.
pub const MAX_MOVES: usize = 20;

/// The longest period a scenario starts from, in days.
pub const MAX_DAYS: i64 = 366;

/// The days of a year in the annualisation rule: 52 weeks.
pub const DAYS_PER_YEAR: i64 = 364;

/// The optional parameter whose answers size the realistic move.
pub const COULD_SELF_SERVE: &str = "could_self_serve";

/// The answer that says the citizen could have done it.
pub const COULD_SELF_SERVE_YES: &str = "JA";

/// One move of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// Move `percent` % of a channel's inquiries to another channel, on
    /// one task or on every task.
    Share {
        task: Option<TaskId>,
        from: ChannelCode,
        to: ChannelCode,
        percent: u32,
    },
    /// Raise the digital channels' share of the incoming inquiries to
    /// `percent` % (on one task or on each task), moving the same fraction
    /// of every non-digital incoming channel to `to`.
    DigitalTarget {
        task: Option<TaskId>,
        percent: u32,
        to: ChannelCode,
    },
}

impl Move {
    /// As a link writes it: (`flyt`, `PRSNLG:SLVBTJN:30[:opgave]`) or
    /// (`maal`, `80:SLVBTJN[:opgave]`).
    pub fn pair(&self) -> (&'static str, String) {
        let task = |t: &Option<TaskId>| t.map_or(String::new(), |t| format!(":{}", t.0));
        match self {
            Self::Share {
                task: t,
                from,
                to,
                percent,
            } => ("flyt", format!("{from}:{to}:{percent}{}", task(t))),
            Self::DigitalTarget {
                task: t,
                percent,
                to,
            } => ("maal", format!("{percent}:{to}{}", task(t))),
        }
    }

    fn task(&self) -> Option<TaskId> {
        match self {
            Self::Share { task, .. } | Self::DigitalTarget { task, .. } => *task,
        }
    }

    fn to(&self) -> &ChannelCode {
        match self {
            Self::Share { to, .. } | Self::DigitalTarget { to, .. } => to,
        }
    }
}

/// A scenario: a municipality's period and the moves, applied in order
/// (each to what the earlier ones left).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub municipality: MunicipalityCode,
    pub dates: Dates,
    pub moves: Vec<Move>,
    /// Only these units' inquiries (a unit lead's scope); None: all.
    pub units: Option<Vec<UnitId>>,
}

fn invalid(message: String) -> CoreError {
    CoreError::Invalid(message)
}

/// A whole percent from 0 to 100 as a form or a link types it (`80`, `80 %`).
pub fn percent_of(value: &str, what: &str) -> CoreResult<u32> {
    value
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| {
            invalid(da!(
                "«{value}» er ikke en procent for {what}; skriv et helt tal fra 0 til 100."
            ))
        })
}

fn channel_of(value: &str, channels: &[ChannelRow]) -> CoreResult<ChannelCode> {
    let code = ChannelCode::parse(value.trim())
        .ok()
        .filter(|c| channels.iter().any(|k| k.code == *c))
        .ok_or_else(|| invalid(da!("Ukendt kanal «{}» i scenariet.", value.trim())))?;
    Ok(code)
}

impl Scenario {
    /// Reads a scenario's moves from a link's pairs (`flyt`, `maal`; other
    /// keys are the page's): every move is checked against the channels
    /// and the municipality's tasks, and refused with its own message.
    pub fn moves_from_pairs(
        pairs: &[(String, String)],
        channels: &[ChannelRow],
        tasks: &[TaskId],
    ) -> CoreResult<Vec<Move>> {
        let task_of = |value: Option<&str>| -> CoreResult<Option<TaskId>> {
            match value
                .map(str::trim)
                .filter(|v| !v.is_empty() && *v != "alle")
            {
                None => Ok(None),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .map(TaskId)
                    .filter(|t| tasks.contains(t))
                    .map(Some)
                    .ok_or_else(|| invalid(da!("Ukendt opgave «{v}» i scenariet."))),
            }
        };
        let mut moves = Vec::new();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let parts: Vec<&str> = value.split(':').collect();
            let mv = match key.as_str() {
                "flyt" => {
                    if !(3..=4).contains(&parts.len()) {
                        return Err(invalid(da!(
                            "«{value}» er ikke en flytning; skriv fx PRSNLG:SLVBTJN:30."
                        )));
                    }
                    let from = channel_of(parts[0], channels)?;
                    let to = channel_of(parts[1], channels)?;
                    if from == to {
                        return Err(invalid(da!(
                            "Flytningen «{value}» flytter fra og til samme kanal."
                        )));
                    }
                    Move::Share {
                        from,
                        to,
                        percent: percent_of(parts[2], dl!("flytningen"))?,
                        task: task_of(parts.get(3).copied())?,
                    }
                }
                "maal" => {
                    if !(2..=3).contains(&parts.len()) {
                        return Err(invalid(da!(
                            "«{value}» er ikke et mål; skriv fx 80:SLVBTJN."
                        )));
                    }
                    let to = channel_of(parts[1], channels)?;
                    if !channels.iter().any(|c| c.code == to && c.digital) {
                        return Err(invalid(da!(
                            "Målet «{value}» skal flytte til en digital kanal."
                        )));
                    }
                    Move::DigitalTarget {
                        percent: percent_of(parts[0], dl!("den digitale andel"))?,
                        to,
                        task: task_of(parts.get(2).copied())?,
                    }
                }
                _ => continue,
            };
            moves.push(mv);
        }
        if moves.len() > MAX_MOVES {
            return Err(invalid(da!(
                "Et scenarie kan højst have {MAX_MOVES} flytninger og mål; dette har {}.",
                moves.len()
            )));
        }
        Ok(moves)
    }

    /// The scenario's moves as a link's pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("fra".to_owned(), self.dates.from.to_string()),
            ("til".to_owned(), self.dates.to.to_string()),
        ];
        for m in &self.moves {
            let (k, v) = m.pair();
            pairs.push((k.to_owned(), v));
        }
        pairs
    }
}

/// What sizes a move's realistic part: the share of those asked who
/// answered yes, for the task in the channel, or else for the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    TaskAndChannel {
        asked: i64,
        yes: i64,
    },
    Channel {
        asked: i64,
        yes: i64,
    },
    /// Nobody was asked: no realistic figure.
    NotAsked,
}

impl Basis {
    fn share(self) -> Option<Fraction> {
        match self {
            Self::TaskAndChannel { asked, yes } | Self::Channel { asked, yes } if asked > 0 => {
                Some(Fraction::new(i128::from(yes), i128::from(asked)))
            }
            _ => None,
        }
    }

    /// In words, for the page.
    pub fn describe(self) -> String {
        match self {
            Self::TaskAndChannel { asked, yes } => da!(
                "{} af {} spurgte om opgaven i kanalen svarede ja",
                crate::reports::tabular::thousands(yes),
                crate::reports::tabular::thousands(asked)
            ),
            Self::Channel { asked, yes } => da!(
                "{} af {} spurgte i kanalen (alle opgaver) svarede ja",
                crate::reports::tabular::thousands(yes),
                crate::reports::tabular::thousands(asked)
            ),
            Self::NotAsked => dl!("ingen blev spurgt").into(),
        }
    }
}

/// One task's move from one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    /// The scenario's move (0-based).
    pub step: usize,
    pub task: TaskId,
    pub task_label: String,
    pub from: ChannelCode,
    pub to: ChannelCode,
    /// The channel's inquiries on the task before this move.
    pub before: Fraction,
    /// What the scenario moves.
    pub theoretical: Fraction,
    /// What the answers support (None: nobody was asked).
    pub realistic: Option<Fraction>,
    pub basis: Basis,
    /// The prices in force on the price day, in øre.
    pub price_from: Option<i64>,
    pub price_to: Option<i64>,
    /// The saving in the period, in øre (None: a price is missing).
    pub saving: Option<Fraction>,
    pub realistic_saving: Option<Fraction>,
}

/// A scenario's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub scenario: Scenario,
    /// The period's inquiries and their cost at the prices in force (the
    /// engine's report by task and channel).
    pub inquiries: i64,
    pub cost: reports::Cost,
    /// The day whose prices price the moves: the period's last.
    pub price_day: NaiveDate,
    pub days: i64,
    pub moved: Vec<Moved>,
    /// Sums, exact.
    pub theoretical: Fraction,
    pub realistic: Fraction,
    pub saving: Fraction,
    pub realistic_saving: Fraction,
    /// Inquiries moved whose saving has no price, and those with no answers.
    pub moved_without_price: Fraction,
    pub moved_without_answers: Fraction,
    /// Channels (and tasks) moved without a price on the price day.
    pub missing_prices: Vec<(ChannelCode, TaskId)>,
    pub example_prices: bool,
    /// The period's tasks with their inquiries, most first (the choice of
    /// a move's task).
    pub tasks: Vec<(TaskId, String, i64)>,
    /// Every channel's name, by code.
    pub channel_labels: BTreeMap<ChannelCode, String>,
}

impl Simulation {
    /// A period's sum in a year: × 364 / the period's days.
    pub fn per_year(&self, period: Fraction) -> Fraction {
        per_year(period, self.days)
    }

    /// The annualisation rule in words.
    pub fn year_rule(&self) -> String {
        da!(
            "Et år regnes som 52 uger. Perioden har {} dage ({} uger), så periodens tal ganges med 364/{} = {}.",
            self.days,
            crate::reports::tabular::decimal_da(self.days as f64 / 7.0, 1),
            self.days,
            crate::reports::tabular::decimal_da(DAYS_PER_YEAR as f64 / self.days.max(1) as f64, 2)
        )
    }

    /// Every assumption, printed next to the result.
    pub fn assumptions(&self) -> Vec<String> {
        let mut out = vec![
            da!(
                "Udgangspunktet er de registrerede henvendelser {} (rapportmotorens tal efter opgave og kanal).",
                self.scenario.dates.label_da()
            ),
            da!(
                "En flyttet henvendelse sparer prisen i den kanal, den flyttes fra, minus prisen i den kanal, den flyttes til, efter de priser, der gælder {} (kommunens egne priser før de nationale).",
                self.price_day.format("%d-%m-%Y")
            ),
            dl!("Flytningerne udføres i rækkefølge; hver flytter af det, de foregående har efterladt.").into(),
            dl!("Det realistiske tal flytter højst den andel af kanalens henvendelser om opgaven, som medarbejderne svarede «Ja» til «Kunne borgeren have løst det på hjemmesiden eller borger.dk?» — for opgaven i kanalen, eller, hvor ingen blev spurgt om opgaven, for kanalen. Hvor ingen blev spurgt, er der intet realistisk tal.").into(),
            self.year_rule(),
            dl!("Beløb regnes eksakt og rundes til hele øre til sidst.").into(),
        ];
        if self.example_prices {
            out.push(
                dl!("Priserne er eksempelpriser, ikke rigtige priser: resultatet viser metoden, ikke kommunens besparelse.")
                    .into(),
            );
        }
        if !self.moved_without_price.is_zero() {
            out.push(da!(
                "{} flyttede henvendelser har ingen pris i den ene kanal og indgår ikke i besparelsen.",
                decimal(self.moved_without_price, 1)
            ));
        }
        if !self.moved_without_answers.is_zero() {
            out.push(da!(
                "{} flyttede henvendelser ligger i kanaler, hvor ingen blev spurgt, og indgår ikke i det realistiske tal.",
                decimal(self.moved_without_answers, 1)
            ));
        }
        out
    }
}

/// A sum over a period of `days` days in a year: × 364 ÷ `days` (the
/// simulator's and the national potential's one rule).
pub fn per_year(period: Fraction, days: i64) -> Fraction {
    period * Fraction::new(i128::from(DAYS_PER_YEAR), i128::from(days.max(1)))
}

/// Øre, exact, rounded half away from zero to whole øre.
pub fn ore(value: Fraction) -> i64 {
    value.round().to_integer().to_i64().unwrap_or(i64::MAX)
}

/// A fraction of inquiries as Danish text with `decimals` decimals.
pub fn decimal(value: Fraction, decimals: usize) -> String {
    crate::reports::tabular::decimal_da(as_f64(value), decimals)
}

/// A fraction as a float, for display only.
pub fn as_f64(value: Fraction) -> f64 {
    *value.numer() as f64 / *value.denom() as f64
}

/// A fraction of øre as kroner (`1.234,56`).
pub fn amount(value: Fraction) -> String {
    prices::amount(ore(value))
}

/// The answers to "could the citizen have done it?" per (task, channel)
/// and per channel: (asked, yes).
type Answers = (
    HashMap<(TaskId, ChannelCode), (i64, i64)>,
    HashMap<ChannelCode, (i64, i64)>,
);

async fn answers(store: &dyn Store, base: &ReportRequest) -> CoreResult<Answers> {
    let answer = Dimension::Answer(QuestionRef::Parameter(COULD_SELF_SERVE));
    let by_task = reports::run(
        store,
        &base
            .clone()
            .by(&[Dimension::Task, Dimension::Channel, answer]),
    )
    .await?;
    let mut per_task: HashMap<(TaskId, ChannelCode), (i64, i64)> = HashMap::new();
    let mut per_channel: HashMap<ChannelCode, (i64, i64)> = HashMap::new();
    for row in &by_task.rows {
        let (Some(task), Some(channel)) =
            (task_key(&row.keys[0].code), channel_key(&row.keys[1].code))
        else {
            continue;
        };
        let yes = if row.keys[2].code == COULD_SELF_SERVE_YES {
            row.inquiries
        } else {
            0
        };
        let t = per_task.entry((task, channel.clone())).or_default();
        t.0 += row.inquiries;
        t.1 += yes;
        let c = per_channel.entry(channel).or_default();
        c.0 += row.inquiries;
        c.1 += yes;
    }
    Ok((per_task, per_channel))
}

fn task_key(code: &str) -> Option<TaskId> {
    code.parse().ok().map(TaskId)
}

fn channel_key(code: &str) -> Option<ChannelCode> {
    ChannelCode::parse(code).ok()
}

/// Runs a scenario.
pub async fn simulate(store: &dyn Store, scenario: &Scenario) -> CoreResult<Simulation> {
    let dates = scenario.dates;
    if dates.to < dates.from {
        return Err(invalid(dl!("Perioden slutter før den begynder.").into()));
    }
    let mut base = ReportRequest::new(vec![scenario.municipality], dates);
    base.cost = true;
    if let Some(units) = &scenario.units {
        base.filters.units = if units.is_empty() {
            vec![Some(UnitId(-1))]
        } else {
            units.iter().copied().map(Some).collect()
        };
    }
    let cells = reports::run(
        store,
        &base.clone().by(&[Dimension::Task, Dimension::Channel]),
    )
    .await?;
    let mut base_plain = base.clone();
    base_plain.cost = false;
    let (per_task, per_channel) = answers(store, &base_plain).await?;
    let channels = store.list_channels().await?;
    let channel = |c: &ChannelCode| channels.iter().find(|k| k.code == *c);
    let book = PriceBook::load(store, Some(scenario.municipality)).await?;
    let price_day = dates.to;

    let mut labels: HashMap<TaskId, String> = HashMap::new();
    let mut state: BTreeMap<(TaskId, ChannelCode), Fraction> = BTreeMap::new();
    for row in &cells.rows {
        let (Some(task), Some(c)) = (task_key(&row.keys[0].code), channel_key(&row.keys[1].code))
        else {
            continue;
        };
        labels.insert(task, row.keys[0].label.clone());
        *state.entry((task, c)).or_insert_with(Fraction::zero) +=
            Fraction::from(i128::from(row.inquiries));
    }
    let original = state.clone();
    // What the answers still allow to move, per (task, channel).
    let mut capacity: HashMap<(TaskId, ChannelCode), Option<Fraction>> = HashMap::new();
    let basis_of = |task: TaskId, c: &ChannelCode| match per_task.get(&(task, c.clone())) {
        Some(&(asked, yes)) if asked > 0 => Basis::TaskAndChannel { asked, yes },
        _ => match per_channel.get(c) {
            Some(&(asked, yes)) if asked > 0 => Basis::Channel { asked, yes },
            _ => Basis::NotAsked,
        },
    };

    let mut moved = Vec::new();
    let mut example_prices = false;
    let mut missing_prices = Vec::new();
    for (step, mv) in scenario.moves.iter().enumerate() {
        let mut tasks: Vec<TaskId> = match mv.task() {
            Some(t) => vec![t],
            None => state.keys().map(|(t, _)| *t).collect(),
        };
        tasks.dedup();
        for task in tasks {
            let pairs: Vec<(ChannelCode, Fraction)> = match mv {
                Move::Share { from, percent, .. } => {
                    vec![(from.clone(), Fraction::new(i128::from(*percent), 100))]
                }
                Move::DigitalTarget { percent, .. } => {
                    let incoming = |digital: bool| -> Vec<(ChannelCode, Fraction)> {
                        state
                            .iter()
                            .filter(|((t, c), v)| {
                                *t == task
                                    && !v.is_zero()
                                    && channel(c).is_some_and(|k| {
                                        k.direction == Direction::Incoming && k.digital == digital
                                    })
                            })
                            .map(|((_, c), v)| (c.clone(), *v))
                            .collect()
                    };
                    let digital: Fraction = incoming(true).iter().map(|(_, v)| *v).sum();
                    let others = incoming(false);
                    let rest: Fraction = others.iter().map(|(_, v)| *v).sum();
                    let target = (digital + rest) * Fraction::new(i128::from(*percent), 100);
                    let need = target - digital;
                    if rest.is_zero() || need <= Fraction::zero() {
                        Vec::new()
                    } else {
                        let f = (need / rest).min(Fraction::from(1));
                        others.into_iter().map(|(c, _)| (c, f)).collect()
                    }
                }
            };
            for (from, fraction) in pairs {
                let to = mv.to().clone();
                let key = (task, from.clone());
                let before = state.get(&key).copied().unwrap_or_else(Fraction::zero);
                if before.is_zero() || fraction.is_zero() {
                    continue;
                }
                let theoretical = before * fraction;
                let basis = basis_of(task, &from);
                let cap = capacity.entry(key.clone()).or_insert_with(|| {
                    basis
                        .share()
                        .map(|s| original.get(&key).copied().unwrap_or_else(Fraction::zero) * s)
                });
                let realistic = cap.as_mut().map(|c| {
                    let r = theoretical.min(*c).max(Fraction::zero());
                    *c -= r;
                    r
                });
                *state.entry(key).or_insert_with(Fraction::zero) -= theoretical;
                *state
                    .entry((task, to.clone()))
                    .or_insert_with(Fraction::zero) += theoretical;
                let mut price = |c: &ChannelCode| {
                    book.in_force(c, task, price_day).map(|p| {
                        example_prices |= p.example;
                        p.price_ore
                    })
                };
                let price_from = price(&from);
                let price_to = price(&to);
                let delta = match (price_from, price_to) {
                    (Some(a), Some(b)) => Some(Fraction::from(i128::from(a - b))),
                    _ => {
                        for (c, p) in [(&from, price_from), (&to, price_to)] {
                            if p.is_none() && !missing_prices.contains(&(c.clone(), task)) {
                                missing_prices.push((c.clone(), task));
                            }
                        }
                        None
                    }
                };
                moved.push(Moved {
                    step,
                    task,
                    task_label: labels
                        .get(&task)
                        .cloned()
                        .unwrap_or_else(|| task.to_string()),
                    from,
                    to,
                    before,
                    theoretical,
                    realistic,
                    basis,
                    price_from,
                    price_to,
                    saving: delta.map(|d| theoretical * d),
                    realistic_saving: delta.zip(realistic).map(|(d, r)| r * d),
                });
            }
        }
    }
    let sum =
        |f: &dyn Fn(&Moved) -> Option<Fraction>| -> Fraction { moved.iter().filter_map(f).sum() };
    Ok(Simulation {
        theoretical: sum(&|m| Some(m.theoretical)),
        realistic: sum(&|m| m.realistic),
        saving: sum(&|m| m.saving),
        realistic_saving: sum(&|m| m.realistic_saving),
        moved_without_price: sum(&|m| m.saving.is_none().then_some(m.theoretical)),
        moved_without_answers: sum(&|m| m.realistic.is_none().then_some(m.theoretical)),
        inquiries: cells.total.inquiries,
        cost: cells.total.cost.unwrap_or_default(),
        example_prices: example_prices || cells.example_prices,
        days: (dates.to - dates.from).num_days() + 1,
        price_day,
        missing_prices,
        moved,
        tasks: {
            let mut tasks: Vec<(TaskId, String, i64)> = labels
                .iter()
                .map(|(t, label)| {
                    let n: i64 = cells
                        .rows
                        .iter()
                        .filter(|r| task_key(&r.keys[0].code) == Some(*t))
                        .map(|r| r.inquiries)
                        .sum();
                    (*t, label.clone(), n)
                })
                .collect();
            tasks.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
            tasks
        },
        channel_labels: channels
            .iter()
            .map(|c| (c.code.clone(), c.label_da.clone()))
            .collect(),
        scenario: scenario.clone(),
    })
}

/// A scenario from a link's pairs (`fra`, `til`, `flyt`, `maal`): the
/// dates default to the municipality's latest counting period that has
/// begun, as on the figures pages.
pub async fn scenario_from_pairs(
    store: &dyn Store,
    municipality: MunicipalityCode,
    units: Option<Vec<UnitId>>,
    pairs: &[(String, String)],
    today: NaiveDate,
) -> CoreResult<Scenario> {
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    };
    let dates = match (value("fra"), value("til")) {
        (Some(from), Some(to)) => Dates {
            from: reports::parse_date(from)?,
            to: reports::parse_date(to)?,
        },
        (None, None) => reports::default_dates(store, Some(municipality), today).await?,
        _ => {
            return Err(invalid(
                dl!("Angiv både fra- og til-dato for scenariets periode.").into(),
            ))
        }
    };
    if dates.to < dates.from {
        return Err(invalid(dl!("Perioden slutter før den begynder.").into()));
    }
    if (dates.to - dates.from).num_days() >= MAX_DAYS {
        return Err(invalid(da!(
            "Et scenaries periode kan højst være {MAX_DAYS} dage."
        )));
    }
    let channels = store.list_channels().await?;
    let tasks: Vec<TaskId> = store
        .list_tasks(municipality)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    Ok(Scenario {
        municipality,
        dates,
        moves: Scenario::moves_from_pairs(pairs, &channels, &tasks)?,
        units,
    })
}

impl Simulation {
    /// A channel as the simulator names it: «Telefon, indgående (TLFIND)».
    pub fn channel(&self, code: &ChannelCode) -> String {
        self.channel_labels
            .get(code)
            .map_or_else(|| code.to_string(), |l| format!("{l} ({code})"))
    }

    /// A task of the period as the simulator names it: «23.09.02 Pas».
    pub fn task(&self, task: TaskId) -> String {
        self.tasks
            .iter()
            .find(|(id, _, _)| *id == task)
            .map_or_else(|| da!("opgave {task}"), |(_, l, _)| l.clone())
    }

    /// A move in words: «Flyt 30 % af Personligt fremmøde til Selvbetjening
    /// (alle opgaver)».
    pub fn describe(&self, mv: &Move) -> String {
        let task = |t: &Option<TaskId>| match t {
            None => dl!("alle opgaver").to_owned(),
            Some(t) => self.task(*t),
        };
        match mv {
            Move::Share {
                task: t,
                from,
                to,
                percent,
            } => da!(
                "Flyt {percent} % af {} til {} ({})",
                self.channel(from),
                self.channel(to),
                task(t)
            ),
            Move::DigitalTarget {
                task: t,
                percent,
                to,
            } => da!(
                "Digital andel af de indgående henvendelser mindst {percent} %, flyttet til {} ({})",
                self.channel(to),
                task(t)
            ),
        }
    }

    /// The result in a few rows: for the period and for a year.
    pub fn summary_table(&self) -> Table {
        let kr = |v: Fraction| Cell::Decimal(ore(v) as f64 / 100.0, 2);
        let count = |v: Fraction| Cell::Decimal(as_f64(v), 1);
        let row =
            |what: &str, period: Cell, year: Cell| vec![Cell::Text(what.into()), period, year];
        Table {
            header: vec!["".into(), dl!("I perioden").into(), dl!("Pr. år").into()],
            rows: vec![
                row(
                    dl!("Henvendelser i alt"),
                    Cell::Integer(self.inquiries),
                    count(self.per_year(Fraction::from(i128::from(self.inquiries)))),
                ),
                row(
                    dl!("Omkostning i alt (kr.)"),
                    Cell::Decimal(self.cost.ore as f64 / 100.0, 2),
                    kr(self.per_year(Fraction::from(i128::from(self.cost.ore)))),
                ),
                row(
                    dl!("Flyttede henvendelser, teoretisk"),
                    count(self.theoretical),
                    count(self.per_year(self.theoretical)),
                ),
                row(
                    dl!("Flyttede henvendelser, realistisk"),
                    count(self.realistic),
                    count(self.per_year(self.realistic)),
                ),
                row(
                    dl!("Besparelse, teoretisk (kr.)"),
                    kr(self.saving),
                    kr(self.per_year(self.saving)),
                ),
                row(
                    dl!("Besparelse, realistisk (kr.)"),
                    kr(self.realistic_saving),
                    kr(self.per_year(self.realistic_saving)),
                ),
            ],
        }
    }

    /// Every task's move, with its basis, prices and savings.
    pub fn moves_table(&self) -> Table {
        let kr = |v: Option<Fraction>| {
            v.map_or(Cell::Empty, |v| Cell::Decimal(ore(v) as f64 / 100.0, 2))
        };
        let price = |p: Option<i64>| p.map_or(Cell::Empty, |p| Cell::Decimal(p as f64 / 100.0, 2));
        Table {
            header: [
                dl!("Trin"),
                dl!("Opgave"),
                dl!("Fra kanal"),
                dl!("Til kanal"),
                dl!("Henvendelser før"),
                dl!("Flyttet, teoretisk"),
                dl!("Flyttet, realistisk"),
                dl!("Grundlag for realistisk"),
                dl!("Pris fra (kr.)"),
                dl!("Pris til (kr.)"),
                dl!("Besparelse i perioden (kr.)"),
                dl!("Realistisk besparelse i perioden (kr.)"),
                dl!("Besparelse pr. år (kr.)"),
                dl!("Realistisk besparelse pr. år (kr.)"),
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .moved
                .iter()
                .map(|m| {
                    vec![
                        Cell::Integer(m.step as i64 + 1),
                        Cell::Text(m.task_label.clone()),
                        Cell::Text(self.channel(&m.from)),
                        Cell::Text(self.channel(&m.to)),
                        Cell::Decimal(as_f64(m.before), 1),
                        Cell::Decimal(as_f64(m.theoretical), 1),
                        m.realistic
                            .map_or(Cell::Empty, |r| Cell::Decimal(as_f64(r), 1)),
                        Cell::Text(m.basis.describe()),
                        price(m.price_from),
                        price(m.price_to),
                        kr(m.saving),
                        kr(m.realistic_saving),
                        kr(m.saving.map(|s| self.per_year(s))),
                        kr(m.realistic_saving.map(|s| self.per_year(s))),
                    ]
                })
                .collect(),
        }
    }

    /// The scenario as a workbook: the result, every move, the
    /// assumptions, and the link that opens it again.
    pub fn xlsx(&self, link: &str) -> CoreResult<Vec<u8>> {
        let mut book = rust_xlsxwriter::Workbook::new();
        self.summary_table()
            .write_sheet(book.add_worksheet(), "Resultat")?;
        self.moves_table()
            .write_sheet(book.add_worksheet(), "Flytninger")?;
        let mut notes = vec![vec![Cell::Text(format!(
            "Scenarie for kommune {}, {}",
            self.scenario.municipality,
            self.scenario.dates.label_da()
        ))]];
        notes.extend(
            self.scenario
                .moves
                .iter()
                .enumerate()
                .map(|(i, m)| vec![Cell::Text(format!("Trin {}: {}", i + 1, self.describe(m)))]),
        );
        notes.extend(self.assumptions().into_iter().map(|a| vec![Cell::Text(a)]));
        notes.push(vec![Cell::Text(format!("Link til scenariet: {link}"))]);
        Table {
            header: vec![dl!("Forudsætninger").into()],
            rows: notes,
        }
        .write_sheet(book.add_worksheet(), "Forudsætninger")?;
        book.save_to_buffer()
            .map_err(|e| CoreError::internal("scenariet kunne ikke skrives som Excel", e))
    }

    /// The scenario and its result for programs: amounts in øre (whole),
    /// inquiries with up to two decimals.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        let n = |v: Fraction| (as_f64(v) * 100.0).round() / 100.0;
        let both = |v: Fraction| json!({"period": n(v), "year": n(self.per_year(v))});
        let kr = |v: Fraction| json!({"period_ore": ore(v), "year_ore": ore(self.per_year(v))});
        json!({
            "municipality": self.scenario.municipality.to_string(),
            "from": self.scenario.dates.from.to_string(),
            "to": self.scenario.dates.to.to_string(),
            "days": self.days,
            "price_day": self.price_day.to_string(),
            "moves": self.scenario.moves.iter().map(|m| {
                let (k, v) = m.pair();
                json!({"kind": k, "value": v, "text": self.describe(m)})
            }).collect::<Vec<_>>(),
            "inquiries": self.inquiries,
            "cost_ore": self.cost.ore,
            "unpriced_inquiries": self.cost.unpriced_inquiries,
            "moved": both(self.theoretical),
            "moved_realistic": both(self.realistic),
            "saving": kr(self.saving),
            "saving_realistic": kr(self.realistic_saving),
            "example_prices": self.example_prices,
            "missing_prices": self.missing_prices.iter().map(|(c, t)| json!({"channel": c.to_string(), "task": t.0})).collect::<Vec<_>>(),
            "assumptions": self.assumptions(),
            "steps": self.moved.iter().map(|m| json!({
                "step": m.step + 1,
                "task": m.task.0,
                "task_label": m.task_label,
                "from": m.from.to_string(),
                "to": m.to.to_string(),
                "before": n(m.before),
                "moved": n(m.theoretical),
                "moved_realistic": m.realistic.map(n),
                "basis": m.basis.describe(),
                "price_from_ore": m.price_from,
                "price_to_ore": m.price_to,
                "saving_ore": m.saving.map(ore),
                "saving_realistic_ore": m.realistic_saving.map(ore),
            })).collect::<Vec<_>>(),
        })
    }
}
