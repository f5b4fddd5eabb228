//! The national portal's figures: per published counting period, seven
//! metrics for every municipality (five of the counts, two of their cost at
//! the national price list), rankings with their method, benchmarks
//! against the nation, the region, the most similar municipalities and a
//! chosen comparison group, and the national savings potential.
//!
//! Publication is the rule: only national periods the national
//! administrator has published (after their submission deadline) are
//! shown to the public, and only at municipality level or above. Test
//! registrations never count (the report engine leaves them out). No public
//! figure is computed from fewer than [`MIN_CELL`] inquiries: such a figure
//! is suppressed (`value: None`), never shown as a number.
//!
//! Every figure is the report engine's: the metrics are shares and sums of
//! engine reports grouped by municipality, so the portal agrees with the
//! municipalities' own pages.

mod potential;
mod snapshot;

pub use potential::{savings_potential, Potential, TaskPotential, POTENTIAL_CHANNEL};
pub use snapshot::{channel_mix, publications, snapshot_now, MixRow};

use crate::reports::{self, Dates, Dimension, ReportRequest, ShareOf};
use crate::{CoreError, CoreResult};
use komhen_domain::{da, dl};
use komhen_domain::{Direction, MunicipalityCode, RegionCode};
use komhen_store::{MunicipalityRow, PeriodRow, Store, TaskRow};
use std::collections::HashMap;

/// The fewest inquiries a public figure may be computed from.
pub const MIN_CELL: i64 = 20;
/// The fewest inquiries (in the metric's base) for a municipality to be ranked.
pub const MIN_RANKED_INQUIRIES: i64 = 100;
/// The fewest units that registered for a municipality to be ranked.
pub const MIN_RANKED_UNITS: i64 = 3;
/// The fewest incoming inquiries on a task for a municipality to be ranked on it.
pub const MIN_RANKED_TASK: i64 = 30;
/// How many municipalities of most similar population a benchmark uses.
pub const SIMILAR: usize = 10;

/// A metric of the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Digital channels' share of incoming inquiries.
    Digital,
    /// Inquiries per 1,000 inhabitants.
    PerThousand,
    /// Share of inquiries finished at once (of those with a completion).
    AtOnce,
    /// Share of incoming inquiries that were misdirected (of those with a type).
    Misdirected,
    /// Share of the municipality's active units that registered.
    Participation,
    /// The estimated cost of an inquiry at the national price list, in kroner.
    CostPerInquiry,
    /// The estimated cost of the period's inquiries per inhabitant at the
    /// national price list, in kroner.
    CostPerInhabitant,
    /// Coverage ("dækningsgrad"): registered ÷ the municipality's own total
    /// counts, on the channels and days it entered totals for
    /// (`reports::coverage`).
    Coverage,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Self::Digital,
        Self::PerThousand,
        Self::AtOnce,
        Self::Misdirected,
        Self::Participation,
        Self::CostPerInquiry,
        Self::CostPerInhabitant,
        Self::Coverage,
    ];

    /// The code in links and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Digital => "digital",
            Self::PerThousand => "pr1000",
            Self::AtOnce => "straks",
            Self::Misdirected => "fejl",
            Self::Participation => "deltagelse",
            Self::CostPerInquiry => "kr_henv",
            Self::CostPerInhabitant => "kr_indb",
            Self::Coverage => "daekning",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Digital => dl!("Digital andel af de indgående henvendelser"),
            Self::PerThousand => dl!("Henvendelser pr. 1.000 indbyggere"),
            Self::AtOnce => dl!("Andel afsluttet straks"),
            Self::Misdirected => dl!("Andel fejlhenvendelser"),
            Self::Participation => dl!("Deltagelse (andel af enhederne, der registrerede)"),
            Self::CostPerInquiry => dl!("Anslået omkostning pr. henvendelse (national prisliste)"),
            Self::CostPerInhabitant => {
                dl!("Anslået omkostning pr. indbygger i perioden (national prisliste)")
            }
            Self::Coverage => dl!("Dækningsgrad (registreret i forhold til egne totaltællinger)"),
        }
    }

    /// What is counted, for the method text beside a ranking.
    pub fn method_da(self) -> &'static str {
        match self {
            Self::Digital => dl!("Indgående henvendelser ad digitale kanaler (selvbetjening, hjemmeside, Digital Post, e-mail, chat og andre digitale kanaler) delt med alle indgående henvendelser i perioden."),
            Self::PerThousand => dl!("Alle henvendelser i perioden, ind og ud, delt med kommunens folketal og ganget med 1.000."),
            Self::AtOnce => dl!("Henvendelser afsluttet straks delt med alle henvendelser, hvor afslutningen er registreret (afsluttet straks eller lagt til side)."),
            Self::Misdirected => dl!("Indgående henvendelser registreret som fejlhenvendelse delt med alle indgående henvendelser med en henvendelsestype."),
            Self::Participation => dl!("Enheder, der registrerede mindst én henvendelse i perioden, delt med kommunens aktive enheder."),
            Self::CostPerInquiry => dl!("Alle henvendelser i perioden, ind og ud, gange prisen i den nationale prisliste for kanalen (og opgaven) den dag, delt med antallet af henvendelser. Kommunernes egne priser indgår ikke, så tallene kan sammenlignes. Mangler en pris, vises intet tal."),
            Self::CostPerInhabitant => dl!("Periodens henvendelser gange prisen i den nationale prisliste, delt med kommunens folketal. Tallet gælder tælleperioden, ikke et år."),
            Self::Coverage => dl!("Registrerede henvendelser på de kanaler og dage, kommunen har indtastet totaltal for fra egne systemer (telefon, kø, post), delt med totaltallene. Kun totaltal, der ligger helt i perioden, indgår. Kommuner uden totaltal for perioden får intet tal. Over 100 % betyder, at der er registreret mere, end systemerne talte; sådan et tal vises, men rangeres ikke."),
        }
    }

    /// Whether a percentage (else a number: inquiries per 1,000
    /// inhabitants, or kroner).
    pub fn is_share(self) -> bool {
        matches!(
            self,
            Self::Digital | Self::AtOnce | Self::Misdirected | Self::Participation | Self::Coverage
        )
    }

    /// Whether an amount in kroner.
    pub fn is_kroner(self) -> bool {
        matches!(self, Self::CostPerInquiry | Self::CostPerInhabitant)
    }

    /// The change between two of the metric's values: percentage points for
    /// a share, the plain difference for inquiries per 1,000 inhabitants.
    pub fn change(self, now: f64, then: f64) -> f64 {
        if self.is_share() {
            crate::reports::points(now, then)
        } else {
            now - then
        }
    }

    /// Whether rank 1 goes to the highest value.
    pub fn highest_first(self) -> bool {
        !matches!(
            self,
            Self::Misdirected | Self::PerThousand | Self::CostPerInquiry | Self::CostPerInhabitant
        )
    }

    /// How a ranking orders, in words.
    pub fn order_da(self) -> &'static str {
        if self.highest_first() {
            dl!("Højeste værdi får plads 1.")
        } else {
            dl!("Laveste værdi får plads 1.")
        }
    }

    /// The value as shown: `41,2 %`, `123,4` or `52,75 kr.`.
    pub fn format(self, value: f64) -> String {
        if self.is_kroner() {
            format!("{} kr.", crate::reports::tabular::decimal_da(value, 2))
        } else if self.is_share() {
            format!(
                "{} %",
                crate::reports::tabular::decimal_da(value * 100.0, 1)
            )
        } else {
            crate::reports::tabular::decimal_da(value, 1)
        }
    }

    /// The value rounded as shown (ties are equal shown values).
    fn shown(self, value: f64) -> i64 {
        if self.is_kroner() {
            (value * 100.0).round() as i64
        } else if self.is_share() {
            (value * 1000.0).round() as i64
        } else {
            (value * 10.0).round() as i64
        }
    }
}

/// One metric of one municipality (or a group).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    /// None: suppressed (fewer than [`MIN_CELL`] inquiries) or nothing to
    /// divide by.
    pub value: Option<f64>,
    pub numerator: i64,
    pub denominator: i64,
    /// The inquiries the figure rests on (for suppression and ranking).
    pub base: i64,
}

impl Figure {
    fn share(numerator: i64, denominator: i64) -> Self {
        Self {
            value: (denominator >= MIN_CELL).then(|| numerator as f64 / denominator as f64),
            numerator,
            denominator,
            base: denominator,
        }
    }

    /// Whether suppressed for too few inquiries.
    pub fn suppressed(&self) -> bool {
        self.value.is_none() && self.base < MIN_CELL
    }
}

/// A municipality's figures in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalityFigures {
    pub municipality: MunicipalityRow,
    /// All inquiries (None when suppressed).
    pub inquiries: Option<i64>,
    pub units_registering: i64,
    pub units_active: i64,
    pub figures: HashMap<Metric, Figure>,
}

impl MunicipalityFigures {
    pub fn figure(&self, metric: Metric) -> Figure {
        self.figures.get(&metric).copied().unwrap_or(Figure {
            value: None,
            numerator: 0,
            denominator: 0,
            base: 0,
        })
    }

    fn population(&self) -> i64 {
        self.municipality.population.map_or(0, |(_, p)| p)
    }
}

/// Sums behind a municipality's metrics, added up for groups; what a
/// publication's snapshot keeps per municipality.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Sums {
    inquiries: i64,
    incoming: i64,
    digital: i64,
    completed: i64,
    at_once: i64,
    typed_incoming: i64,
    misdirected: i64,
    units_registering: i64,
    units_active: i64,
    population: i64,
    /// The inquiries' cost at the national price list, in øre, and the
    /// inquiries without a national price; `priced` is false in a snapshot
    /// kept before cost was (no cost figure then, never a zero).
    #[serde(default)]
    cost_ore: i64,
    #[serde(default)]
    unpriced: i64,
    #[serde(default)]
    priced: bool,
    /// Coverage: the registrations on the channels and days of the total
    /// counts that lie wholly in the period, and those totals (0 in a
    /// snapshot kept before coverage was: no figure then).
    #[serde(default)]
    covered_registered: i64,
    #[serde(default)]
    covered_total: i64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.inquiries += o.inquiries;
        self.incoming += o.incoming;
        self.digital += o.digital;
        self.completed += o.completed;
        self.at_once += o.at_once;
        self.typed_incoming += o.typed_incoming;
        self.misdirected += o.misdirected;
        self.units_registering += o.units_registering;
        self.units_active += o.units_active;
        self.population += o.population;
        self.cost_ore = self.cost_ore.saturating_add(o.cost_ore);
        self.unpriced += o.unpriced;
        self.priced = o.priced || self.priced;
        self.covered_registered += o.covered_registered;
        self.covered_total += o.covered_total;
    }

    fn figures(&self) -> HashMap<Metric, Figure> {
        let mut f = HashMap::new();
        f.insert(Metric::Digital, Figure::share(self.digital, self.incoming));
        f.insert(
            Metric::PerThousand,
            Figure {
                value: (self.inquiries >= MIN_CELL && self.population > 0)
                    .then(|| self.inquiries as f64 / self.population as f64 * 1000.0),
                numerator: self.inquiries,
                denominator: self.population,
                base: self.inquiries,
            },
        );
        f.insert(Metric::AtOnce, Figure::share(self.at_once, self.completed));
        f.insert(
            Metric::Misdirected,
            Figure::share(self.misdirected, self.typed_incoming),
        );
        f.insert(
            Metric::Participation,
            Figure {
                value: (self.units_active > 0)
                    .then(|| self.units_registering as f64 / self.units_active as f64),
                numerator: self.units_registering,
                denominator: self.units_active,
                base: self.inquiries,
            },
        );
        // Cost: only where every inquiry had a national price.
        let costed = self.priced && self.unpriced == 0 && self.inquiries >= MIN_CELL;
        f.insert(
            Metric::CostPerInquiry,
            Figure {
                value: costed.then(|| self.cost_ore as f64 / 100.0 / self.inquiries as f64),
                numerator: self.cost_ore,
                denominator: self.inquiries,
                base: self.inquiries,
            },
        );
        f.insert(
            Metric::CostPerInhabitant,
            Figure {
                value: (costed && self.population > 0)
                    .then(|| self.cost_ore as f64 / 100.0 / self.population as f64),
                numerator: self.cost_ore,
                denominator: self.population,
                base: self.inquiries,
            },
        );
        f.insert(
            Metric::Coverage,
            Figure::share(self.covered_registered, self.covered_total),
        );
        f
    }
}

/// Every municipality's figures in a published period, and the nation's.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodFigures {
    pub period: PeriodRow,
    pub municipalities: Vec<MunicipalityFigures>,
    pub nation: HashMap<Metric, Figure>,
    pub nation_inquiries: i64,
    sums: HashMap<MunicipalityCode, SumsCell>,
    /// The period's publications, newest first: more than one means the
    /// figures were corrected after the first.
    pub publications: Vec<komhen_store::PublicationRow>,
    /// The national prices behind the cost figures: whether any is an
    /// example price, and their sources (empty: no cost was published).
    pub example_prices: bool,
    pub price_sources: Vec<String>,
}

/// A wrapper so `PeriodFigures` can derive `PartialEq`.
#[derive(Debug, Clone, Copy, Default)]
struct SumsCell(Sums);

impl PartialEq for SumsCell {
    fn eq(&self, other: &Self) -> bool {
        self.0.inquiries == other.0.inquiries && self.0.incoming == other.0.incoming
    }
}

/// The national periods the public may see, newest first.
pub async fn published_periods(store: &dyn Store) -> CoreResult<Vec<PeriodRow>> {
    Ok(store
        .list_periods(None)
        .await?
        .into_iter()
        .filter(|p| p.municipality.is_none() && p.published_at.is_some())
        .collect())
}

/// Whether a report reads only days of published national periods: its
/// dates, and its comparison's if it has one, each within one such period.
/// Its figures are then published figures, which a read replica may give.
pub async fn reads_only_published(
    store: &dyn Store,
    request: &crate::reports::ReportRequest,
) -> CoreResult<bool> {
    let periods = published_periods(store).await?;
    let within = |d: &Dates| {
        periods
            .iter()
            .any(|p| p.period.starts_on <= d.from && d.to <= p.period.ends_on)
    };
    Ok(within(&request.dates) && request.comparison.as_ref().is_none_or(within))
}

/// A published period by id: anything else is not found (an unpublished
/// period does not exist for the public).
pub async fn published_period(store: &dyn Store, id: i64) -> CoreResult<PeriodRow> {
    published_periods(store)
        .await?
        .into_iter()
        .find(|p| p.id.0 == id)
        .ok_or_else(|| CoreError::NotFound(format!("den offentliggjorte periode {id}")))
}

fn dates_of(period: &PeriodRow) -> Dates {
    Dates {
        from: period.period.starts_on,
        to: period.period.ends_on,
    }
}

async fn national(
    store: &dyn Store,
    dates: Dates,
    dims: &[Dimension],
    incoming: bool,
) -> CoreResult<reports::Report> {
    let mut request = ReportRequest::new(Vec::new(), dates).by(dims);
    request.share_of = ShareOf::Total;
    if incoming {
        request.filters.directions = vec![Direction::Incoming];
    }
    reports::run(store, &request).await
}

/// The figures of a period (the caller has checked it may be shown): the
/// snapshot of its latest publication, so what the public saw never moves;
/// computed now only for a period published before snapshots were kept.
pub async fn period_figures(store: &dyn Store, period: &PeriodRow) -> CoreResult<PeriodFigures> {
    let shown = snapshot::shown(store, period).await?;
    let mut sums: HashMap<MunicipalityCode, Sums> = shown.snapshot.sums()?;
    let mut nation = Sums::default();
    let mut municipalities = Vec::new();
    for mut row in store.list_municipalities().await? {
        let s = sums.entry(row.code).or_default();
        // The population the figures were computed with.
        row.population = shown.snapshot.population(row.code).or(row.population);
        nation.add(s);
        municipalities.push(MunicipalityFigures {
            inquiries: (s.inquiries >= MIN_CELL).then_some(s.inquiries),
            units_registering: s.units_registering,
            units_active: s.units_active,
            figures: s.figures(),
            municipality: row,
        });
    }
    Ok(PeriodFigures {
        period: period.clone(),
        nation: nation.figures(),
        nation_inquiries: nation.inquiries,
        municipalities,
        sums: sums.into_iter().map(|(k, v)| (k, SumsCell(v))).collect(),
        example_prices: shown.snapshot.pricing.as_ref().is_some_and(|p| p.example),
        price_sources: shown
            .snapshot
            .pricing
            .as_ref()
            .map_or_else(Vec::new, |p| p.sources.clone()),
        publications: shown.publications,
    })
}

/// Every municipality's sums in a period, from the report engine now (with
/// the active units and population of today).
async fn live_sums(
    store: &dyn Store,
    period: &PeriodRow,
) -> CoreResult<HashMap<MunicipalityCode, Sums>> {
    let dates = dates_of(period);
    let by = |code: &str| MunicipalityCode::parse(code).ok();
    let mut sums: HashMap<MunicipalityCode, Sums> = HashMap::new();
    let digital = national(
        store,
        dates,
        &[Dimension::Municipality, Dimension::Digital],
        true,
    )
    .await?;
    for row in &digital.rows {
        let Some(m) = by(&row.keys[0].code) else {
            continue;
        };
        let s = sums.entry(m).or_default();
        s.incoming += row.inquiries;
        if row.keys[1].code == "ja" {
            s.digital += row.inquiries;
        }
    }
    let mut completion =
        ReportRequest::new(Vec::new(), dates).by(&[Dimension::Municipality, Dimension::Completion]);
    completion.cost = true;
    completion.national_prices = true;
    let completion = reports::run(store, &completion).await?;
    for row in &completion.rows {
        let Some(m) = by(&row.keys[0].code) else {
            continue;
        };
        let s = sums.entry(m).or_default();
        s.inquiries += row.inquiries;
        let cost = row.cost.unwrap_or_default();
        s.cost_ore = s.cost_ore.saturating_add(cost.ore);
        s.unpriced += cost.unpriced_inquiries;
        match row.keys[1].code.as_str() {
            "STRAKS" => {
                s.at_once += row.inquiries;
                s.completed += row.inquiries;
            }
            "HOLD" => s.completed += row.inquiries,
            _ => {}
        }
    }
    let types = national(
        store,
        dates,
        &[Dimension::Municipality, Dimension::InquiryType],
        true,
    )
    .await?;
    for row in &types.rows {
        let Some(m) = by(&row.keys[0].code) else {
            continue;
        };
        let s = sums.entry(m).or_default();
        if row.keys[1].code != "ingen" {
            s.typed_incoming += row.inquiries;
        }
        if row.keys[1].code == "FEJL" {
            s.misdirected += row.inquiries;
        }
    }
    let units = national(
        store,
        dates,
        &[Dimension::Municipality, Dimension::Unit],
        false,
    )
    .await?;
    for row in &units.rows {
        let Some(m) = by(&row.keys[0].code) else {
            continue;
        };
        if row.keys[1].code != "ingen" && row.rows > 0 {
            sums.entry(m).or_default().units_registering += 1;
        }
    }
    for (m, active) in store.count_active_units_by_municipality().await? {
        sums.entry(m).or_default().units_active = active;
    }
    for row in store.list_municipalities().await? {
        sums.entry(row.code).or_default().population = row.population.map_or(0, |(_, p)| p);
    }
    // Coverage, for the municipalities with total counts of inquiries
    // touching the period (the report engine's rule, `reports::coverage`).
    let (from, to) = (period.period.starts_on, period.period.ends_on);
    let with_totals: Vec<MunicipalityCode> = store
        .period_totals_entered(None, from, to)
        .await?
        .into_iter()
        .map(|t| t.municipality)
        .collect();
    for m in with_totals {
        let coverage = reports::coverage::coverage(store, m, from, to).await?;
        let s = sums.entry(m).or_default();
        s.covered_registered = coverage.channels.iter().map(|c| c.registered).sum();
        s.covered_total = coverage.channels.iter().map(|c| c.total).sum();
    }
    for s in sums.values_mut() {
        s.priced = true;
    }
    Ok(sums)
}

impl PeriodFigures {
    pub fn of(&self, code: MunicipalityCode) -> Option<&MunicipalityFigures> {
        self.municipalities
            .iter()
            .find(|m| m.municipality.code == code)
    }

    /// The pooled figures of a group of municipalities (sums divided, not
    /// an average of their shares).
    pub fn group(&self, codes: &[MunicipalityCode]) -> HashMap<Metric, Figure> {
        let mut total = Sums::default();
        for code in codes {
            if let Some(s) = self.sums.get(code) {
                total.add(&s.0);
            }
        }
        total.figures()
    }

    /// The municipalities of a region.
    pub fn region(&self, region: RegionCode) -> Vec<MunicipalityCode> {
        self.municipalities
            .iter()
            .filter(|m| m.municipality.region_code == region)
            .map(|m| m.municipality.code)
            .collect()
    }

    /// The [`SIMILAR`] municipalities closest in population (by ratio).
    pub fn most_similar(&self, code: MunicipalityCode) -> Vec<MunicipalityCode> {
        let Some(own) = self.of(code) else {
            return Vec::new();
        };
        let own_population = own.population().max(1) as f64;
        let mut others: Vec<(f64, MunicipalityCode)> = self
            .municipalities
            .iter()
            .filter(|m| m.municipality.code != code && m.population() > 0)
            .map(|m| {
                (
                    (m.population() as f64 / own_population).ln().abs(),
                    m.municipality.code,
                )
            })
            .collect();
        others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        others.into_iter().take(SIMILAR).map(|(_, c)| c).collect()
    }

    /// Why a municipality is not ranked on a metric, if it is not.
    pub fn not_ranked_because(&self, m: &MunicipalityFigures, metric: Metric) -> Option<String> {
        let figure = m.figure(metric);
        if metric == Metric::Coverage && figure.denominator == 0 {
            return Some(dl!("Ingen totaltal fra egne systemer for perioden").into());
        }
        // More registered than the systems counted says one of the two is
        // wrong: such a figure is shown, never ranked first.
        if metric == Metric::Coverage && figure.numerator > figure.denominator {
            return Some(
                dl!(
                    "Over 100 %: der er registreret flere henvendelser, end kommunens egne \
                 systemer talte, så et af tallene bør efterses"
                )
                .into(),
            );
        }
        let base = if metric == Metric::PerThousand || metric == Metric::Participation {
            m.inquiries.unwrap_or(0).max(figure.base)
        } else {
            figure.base
        };
        if base < MIN_RANKED_INQUIRIES {
            return Some(da!(
                "For få henvendelser ({}; mindst {} kræves)",
                if base < MIN_CELL {
                    da!("under {MIN_CELL}")
                } else {
                    crate::reports::tabular::thousands(base)
                },
                crate::reports::tabular::thousands(MIN_RANKED_INQUIRIES)
            ));
        }
        if m.units_registering < MIN_RANKED_UNITS {
            return Some(da!(
                "For få enheder registrerede ({}; mindst {MIN_RANKED_UNITS} kræves)",
                m.units_registering
            ));
        }
        if figure.value.is_none() {
            return Some(if metric.is_kroner() {
                dl!("Intet tal: en kanal mangler en national pris").into()
            } else {
                dl!("Intet at beregne").into()
            });
        }
        None
    }

    /// The ranking of a metric: ranked municipalities with their place
    /// (ties share a place, the next place skips: 1, 2, 2, 4) and those not
    /// ranked with the reason.
    pub fn ranking(&self, metric: Metric) -> Ranking {
        let mut ranked: Vec<(&MunicipalityFigures, f64)> = Vec::new();
        let mut not_ranked = Vec::new();
        for m in &self.municipalities {
            match self.not_ranked_because(m, metric) {
                Some(reason) => not_ranked.push((m.municipality.clone(), reason)),
                None => ranked.push((m, m.figure(metric).value.unwrap_or(0.0))),
            }
        }
        let places = rank_places(
            ranked
                .iter()
                .map(|(m, v)| (m.municipality.name.clone(), metric.shown(*v)))
                .collect(),
            metric.highest_first(),
        );
        let rows = places
            .into_iter()
            .map(|(index, place, tied)| RankedRow {
                place,
                tied,
                municipality: ranked[index].0.municipality.clone(),
                figure: ranked[index].0.figure(metric),
            })
            .collect();
        Ranking {
            metric,
            rows,
            not_ranked,
        }
    }
}

/// Places for values (shown precision): ties share a place, the next place
/// skips. Returns (index into the input, place, tied) in ranking order,
/// ties by name.
fn rank_places(values: Vec<(String, i64)>, highest_first: bool) -> Vec<(usize, usize, bool)> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| {
        let (va, vb) = (values[*a].1, values[*b].1);
        let by_value = if highest_first {
            vb.cmp(&va)
        } else {
            va.cmp(&vb)
        };
        by_value.then_with(|| values[*a].0.cmp(&values[*b].0))
    });
    let mut out = Vec::with_capacity(order.len());
    for (position, index) in order.iter().enumerate() {
        let place = if position > 0 && values[order[position - 1]].1 == values[*index].1 {
            out.last().map_or(1, |(_, p, _): &(usize, usize, bool)| *p)
        } else {
            position + 1
        };
        let tied = order
            .iter()
            .any(|other| other != index && values[*other].1 == values[*index].1);
        out.push((*index, place, tied));
    }
    out
}

/// One ranked municipality.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedRow {
    pub place: usize,
    /// Shares its place with another.
    pub tied: bool,
    pub municipality: MunicipalityRow,
    pub figure: Figure,
}

/// A metric's ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub metric: Metric,
    pub rows: Vec<RankedRow>,
    pub not_ranked: Vec<(MunicipalityRow, String)>,
}

/// The digital share of incoming inquiries on one mandatory task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFigures {
    pub task: TaskRow,
    pub nation: Figure,
    /// Per municipality: digital and all incoming inquiries on the task.
    pub municipalities: Vec<(MunicipalityRow, Figure)>,
}

impl TaskFigures {
    /// The task's ranking (same rules, [`MIN_RANKED_TASK`] inquiries).
    pub fn ranking(&self) -> Vec<(usize, bool, &MunicipalityRow, Figure)> {
        let eligible: Vec<&(MunicipalityRow, Figure)> = self
            .municipalities
            .iter()
            .filter(|(_, f)| f.base >= MIN_RANKED_TASK && f.value.is_some())
            .collect();
        rank_places(
            eligible
                .iter()
                .map(|(m, f)| {
                    (
                        m.name.clone(),
                        Metric::Digital.shown(f.value.unwrap_or(0.0)),
                    )
                })
                .collect(),
            true,
        )
        .into_iter()
        .map(|(i, place, tied)| (place, tied, &eligible[i].0, eligible[i].1))
        .collect()
    }
}

/// The mandatory tasks of the period's task package with their digital
/// shares, nationally and per municipality, as last published.
pub async fn task_figures(store: &dyn Store, period: &PeriodRow) -> CoreResult<Vec<TaskFigures>> {
    let shown = snapshot::shown(store, period).await?;
    let national = store.list_national_tasks().await?;
    let municipalities = store.list_municipalities().await?;
    let mut out = Vec::new();
    for published in &shown.snapshot.tasks {
        let Some(task) = national.iter().find(|t| t.id.0 == published.task) else {
            continue;
        };
        let per = published.per_municipality()?;
        let (digital, all) = per
            .values()
            .fold((0, 0), |acc, (d, a)| (acc.0 + d, acc.1 + a));
        out.push(TaskFigures {
            nation: Figure::share(digital, all),
            municipalities: municipalities
                .iter()
                .map(|m| {
                    let (d, a) = per.get(&m.code).copied().unwrap_or_default();
                    (m.clone(), Figure::share(d, a))
                })
                .collect(),
            task: task.clone(),
        });
    }
    Ok(out)
}

/// Per municipality: digital and all incoming inquiries on a task.
type TaskCounts = HashMap<MunicipalityCode, (i64, i64)>;
/// Per municipality: the non-digital incoming inquiries' cost at the
/// national price list (øre) and those without a national price.
type TaskCosts = HashMap<MunicipalityCode, (i64, i64)>;

/// Per mandatory task of the period's package: digital and all incoming
/// inquiries per municipality, and the non-digital ones' cost, from the
/// report engine now.
async fn live_task_sums(
    store: &dyn Store,
    period: &PeriodRow,
) -> CoreResult<Vec<(TaskRow, TaskCounts, TaskCosts)>> {
    let Some(package) = period.task_package else {
        return Ok(Vec::new());
    };
    let tasks: Vec<TaskRow> = store
        .list_package_tasks(package)
        .await?
        .into_iter()
        .filter(|t| t.mandatory)
        .map(|t| t.task)
        .collect();
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let dates = dates_of(period);
    let mut request = ReportRequest::new(Vec::new(), dates).by(&[
        Dimension::Task,
        Dimension::Municipality,
        Dimension::Digital,
    ]);
    request.filters.directions = vec![Direction::Incoming];
    request.filters.tasks = tasks.iter().map(|t| t.id).collect();
    request.cost = true;
    request.national_prices = true;
    let report = reports::run(store, &request).await?;
    let mut out = Vec::new();
    for task in tasks {
        let code = task.id.to_string();
        let mut per: TaskCounts = HashMap::new();
        let mut costs: TaskCosts = HashMap::new();
        for row in report.rows.iter().filter(|r| r.keys[0].code == code) {
            let Ok(m) = MunicipalityCode::parse(&row.keys[1].code) else {
                continue;
            };
            let e = per.entry(m).or_default();
            e.1 += row.inquiries;
            if row.keys[2].code == "ja" {
                e.0 += row.inquiries;
            } else {
                let cost = row.cost.unwrap_or_default();
                let c = costs.entry(m).or_default();
                c.0 = c.0.saturating_add(cost.ore);
                c.1 += cost.unpriced_inquiries;
            }
        }
        out.push((task, per, costs));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_place_and_the_next_skips() {
        let places = rank_places(
            vec![
                ("B".into(), 500),
                ("A".into(), 700),
                ("C".into(), 500),
                ("D".into(), 100),
            ],
            true,
        );
        let view: Vec<(usize, usize, bool)> = places;
        assert_eq!(
            view,
            vec![(1, 1, false), (0, 2, true), (2, 2, true), (3, 4, false)]
        );
        let lowest = rank_places(vec![("A".into(), 3), ("B".into(), 1)], false);
        assert_eq!(lowest[0], (1, 1, false));
    }

    #[test]
    fn small_cells_are_suppressed() {
        assert_eq!(Figure::share(3, MIN_CELL - 1).value, None);
        assert!(Figure::share(3, MIN_CELL - 1).suppressed());
        assert_eq!(
            Figure::share(5, MIN_CELL).value,
            Some(5.0 / MIN_CELL as f64)
        );
        assert_eq!(Metric::Digital.format(0.4123), "41,2 %");
        assert_eq!(Metric::PerThousand.format(123.45), "123,5");
    }
}

/// The most municipalities a comparison group may hold.
pub const GROUP_MAX: usize = 20;

/// Replaces the municipality's comparison group (audited).
pub async fn set_comparison_group(
    store: &dyn Store,
    actor: &crate::accounts::access::Actor,
    municipality: MunicipalityCode,
    members: &[MunicipalityCode],
) -> CoreResult<()> {
    let mut members: Vec<MunicipalityCode> = members
        .iter()
        .copied()
        .filter(|m| *m != municipality)
        .collect();
    members.sort();
    members.dedup();
    if members.len() > GROUP_MAX {
        return Err(CoreError::Invalid(format!(
            "En sammenligningsgruppe kan højst have {GROUP_MAX} kommuner."
        )));
    }
    let before = store.list_comparison_group(municipality).await?;
    if before == members {
        return Ok(());
    }
    let codes = |list: &[MunicipalityCode]| {
        serde_json::Value::Array(list.iter().map(|m| serde_json::json!(m.get())).collect())
    };
    crate::setup::change(
        store,
        actor,
        komhen_store::SetupChange::SetComparisonGroup {
            municipality,
            members: members.clone(),
        },
        crate::setup::Entry {
            municipality: Some(municipality),
            action: "gem",
            entity: "sammenligningsgruppe",
            entity_id: municipality.to_string(),
            before: Some(codes(&before)),
            after: Some(codes(&members)),
        },
    )
    .await?;
    Ok(())
}

/// One metric of a benchmark: the municipality against the nation, its
/// region, the most similar municipalities and its comparison group, and
/// its change since the period before.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkRow {
    pub metric: Metric,
    pub own: Figure,
    pub before: Option<Figure>,
    pub nation: Figure,
    pub region: Figure,
    pub similar: Figure,
    pub group: Option<Figure>,
}

/// A municipality's benchmark in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    pub municipality: MunicipalityRow,
    pub similar: Vec<MunicipalityRow>,
    pub group: Vec<MunicipalityRow>,
    pub rows: Vec<BenchmarkRow>,
}

/// The benchmark of a municipality in `now`, with `before` (the previous
/// published period) for the change.
pub fn benchmark(
    now: &PeriodFigures,
    before: Option<&PeriodFigures>,
    code: MunicipalityCode,
    group: &[MunicipalityCode],
) -> CoreResult<Benchmark> {
    let own = now
        .of(code)
        .ok_or_else(|| CoreError::NotFound(format!("kommune {code}")))?;
    let similar = now.most_similar(code);
    let region = now.region(own.municipality.region_code);
    let pick = |codes: &[MunicipalityCode]| -> Vec<MunicipalityRow> {
        codes
            .iter()
            .filter_map(|c| now.of(*c).map(|m| m.municipality.clone()))
            .collect()
    };
    let similar_figures = now.group(&similar);
    let region_figures = now.group(&region);
    let group_figures = (!group.is_empty()).then(|| now.group(group));
    let rows = Metric::ALL
        .into_iter()
        .map(|metric| {
            let get = |f: &HashMap<Metric, Figure>| f.get(&metric).copied();
            let empty = Figure {
                value: None,
                numerator: 0,
                denominator: 0,
                base: 0,
            };
            BenchmarkRow {
                metric,
                own: own.figure(metric),
                before: before.and_then(|b| b.of(code)).map(|m| m.figure(metric)),
                nation: get(&now.nation).unwrap_or(empty),
                region: get(&region_figures).unwrap_or(empty),
                similar: get(&similar_figures).unwrap_or(empty),
                group: group_figures.as_ref().and_then(get),
            }
        })
        .collect();
    Ok(Benchmark {
        municipality: own.municipality.clone(),
        similar: pick(&similar),
        group: pick(group),
        rows,
    })
}
