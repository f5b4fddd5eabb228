//! A publication's snapshot: the figures the public saw, kept when a
//! national period is published (and again when a correction is approved),
//! so later writes, new units or new population figures never move them.
//!
//! Owns what a snapshot holds (every municipality's sums with the
//! population used, the mandatory tasks' digital counts, the national
//! channel mix) and its JSON form. Must not decide when to publish (the
//! national catalogue does) nor how a figure is formed from sums (the
//! portal does, the same way for a snapshot as for live sums).

use super::*;
use komhen_store::PublicationRow;
use serde::{Deserialize, Serialize};

/// The figures behind a period's public pages, as stored with a
/// publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    municipalities: Vec<PublishedMunicipality>,
    pub(super) tasks: Vec<PublishedTask>,
    mix: Vec<MixRow>,
    /// The national price list the cost figures used (None: a snapshot
    /// kept before cost was).
    #[serde(default)]
    pub(super) pricing: Option<PublishedPricing>,
}

/// What the public is told about the prices behind a period's cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PublishedPricing {
    /// Whether any national price in force is an example price.
    pub(super) example: bool,
    /// The sources of the national prices in force, with their years.
    pub(super) sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PublishedMunicipality {
    code: u16,
    /// The year of the population figure in `sums`.
    population_year: Option<i32>,
    sums: Sums,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct PublishedTask {
    pub(super) task: i64,
    /// Per municipality code: digital and all incoming inquiries.
    municipalities: Vec<(u16, i64, i64)>,
    /// Per municipality code: the non-digital incoming inquiries' cost at
    /// the national price list (øre) and those without a national price.
    #[serde(default)]
    costs: Vec<(u16, i64, i64)>,
    /// The national price of the channel the savings potential moves to
    /// ([`super::POTENTIAL_CHANNEL`]) on the task on the period's last day.
    #[serde(default)]
    pub(super) to_price_ore: Option<i64>,
}

/// One line of the national channel mix: a direction and channel's
/// inquiries and share of the direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MixRow {
    pub direction: String,
    pub direction_label: String,
    pub channel: String,
    pub channel_label: String,
    pub inquiries: i64,
    pub share: f64,
}

/// What the public sees of a period: the latest publication's snapshot and
/// every publication, newest first.
pub(crate) struct Shown {
    pub(crate) snapshot: Snapshot,
    pub(crate) publications: Vec<PublicationRow>,
}

fn code(number: u16) -> CoreResult<MunicipalityCode> {
    MunicipalityCode::parse(&number.to_string())
        .map_err(|e| CoreError::internal("en offentliggørelse nævner en ukendt kommune", e))
}

impl Snapshot {
    pub(super) fn sums(&self) -> CoreResult<HashMap<MunicipalityCode, Sums>> {
        self.municipalities
            .iter()
            .map(|m| Ok((code(m.code)?, m.sums)))
            .collect()
    }

    /// The population (year, count) the figures were computed with.
    pub(super) fn population(&self, municipality: MunicipalityCode) -> Option<(i32, i64)> {
        self.municipalities
            .iter()
            .find(|m| m.code == municipality.get())
            .and_then(|m| m.population_year.map(|year| (year, m.sums.population)))
    }

    /// The figures of a period from the report engine now.
    async fn now(store: &dyn Store, period: &PeriodRow) -> CoreResult<Self> {
        let years: HashMap<MunicipalityCode, i32> = store
            .list_municipalities()
            .await?
            .into_iter()
            .filter_map(|m| m.population.map(|(year, _)| (m.code, year)))
            .collect();
        let mut municipalities: Vec<PublishedMunicipality> = live_sums(store, period)
            .await?
            .into_iter()
            .map(|(m, sums)| PublishedMunicipality {
                code: m.get(),
                population_year: years.get(&m).copied(),
                sums,
            })
            .collect();
        municipalities.sort_by_key(|m| m.code);
        let book = crate::economics::prices::PriceBook::load(store, None).await?;
        let to = komhen_domain::ChannelCode::parse(super::POTENTIAL_CHANNEL)
            .map_err(|e| CoreError::internal("kanalkoden for besparelsespotentialet", e))?;
        let last_day = period.period.ends_on;
        let tasks = live_task_sums(store, period)
            .await?
            .into_iter()
            .map(|(task, per, costs)| {
                let mut municipalities: Vec<(u16, i64, i64)> =
                    per.into_iter().map(|(m, (d, a))| (m.get(), d, a)).collect();
                municipalities.sort_unstable();
                let mut costs: Vec<(u16, i64, i64)> = costs
                    .into_iter()
                    .map(|(m, (c, u))| (m.get(), c, u))
                    .collect();
                costs.sort_unstable();
                PublishedTask {
                    task: task.id.0,
                    municipalities,
                    costs,
                    to_price_ore: book.in_force(&to, task.id, last_day).map(|p| p.price_ore),
                }
            })
            .collect();
        let in_force: Vec<komhen_store::ChannelPriceRow> = store
            .list_channel_prices(None)
            .await?
            .into_iter()
            .filter(|p| p.municipality.is_none() && p.valid_from <= last_day)
            .collect();
        let mut sources: Vec<String> = in_force
            .iter()
            .map(|p| format!("{} ({})", p.source, p.source_year))
            .collect();
        sources.sort();
        sources.dedup();
        Ok(Self {
            municipalities,
            tasks,
            mix: live_mix(store, period).await?,
            pricing: Some(PublishedPricing {
                example: in_force.iter().any(|p| p.example),
                sources,
            }),
        })
    }
}

impl PublishedTask {
    /// Per municipality: the non-digital incoming inquiries' cost (øre)
    /// and those without a national price.
    pub(super) fn costs(&self) -> CoreResult<HashMap<MunicipalityCode, (i64, i64)>> {
        self.costs
            .iter()
            .map(|(m, c, u)| Ok((code(*m)?, (*c, *u))))
            .collect()
    }

    pub(super) fn per_municipality(&self) -> CoreResult<HashMap<MunicipalityCode, (i64, i64)>> {
        self.municipalities
            .iter()
            .map(|(m, d, a)| Ok((code(*m)?, (*d, *a))))
            .collect()
    }
}

/// The snapshot the public sees of a published period (with its
/// publications): the latest publication's, or, for a period published
/// before snapshots were kept, the figures now.
pub(crate) async fn shown(store: &dyn Store, period: &PeriodRow) -> CoreResult<Shown> {
    let publications = store.list_publications(period.id).await?;
    let snapshot = match publications.first() {
        Some(latest) => serde_json::from_str(&latest.figures)
            .map_err(|e| CoreError::internal("en offentliggørelses tal kan ikke læses", e))?,
        None => Snapshot::now(store, period).await?,
    };
    Ok(Shown {
        snapshot,
        publications,
    })
}

/// The figures of a period as they are now, as JSON to store with a
/// publication.
pub async fn snapshot_now(store: &dyn Store, period: &PeriodRow) -> CoreResult<String> {
    let snapshot = Snapshot::now(store, period).await?;
    serde_json::to_string(&snapshot)
        .map_err(|e| CoreError::internal("offentliggørelsens tal kan ikke gemmes", e))
}

/// The national channel mix by direction of a published period, as published.
pub async fn channel_mix(store: &dyn Store, period: &PeriodRow) -> CoreResult<Vec<MixRow>> {
    Ok(shown(store, period).await?.snapshot.mix)
}

/// The publications of a period, newest first.
pub async fn publications(
    store: &dyn Store,
    period: &PeriodRow,
) -> CoreResult<Vec<PublicationRow>> {
    Ok(store.list_publications(period.id).await?)
}

async fn live_mix(store: &dyn Store, period: &PeriodRow) -> CoreResult<Vec<MixRow>> {
    let mut request = ReportRequest::new(Vec::new(), dates_of(period))
        .by(&[Dimension::Direction, Dimension::Channel]);
    request.share_of = ShareOf::FirstDimension;
    let report = reports::run(store, &request).await?;
    Ok(report
        .rows
        .into_iter()
        .map(|row| MixRow {
            direction: row.keys[0].code.clone(),
            direction_label: row.keys[0].label.clone(),
            channel: row.keys[1].code.clone(),
            channel_label: row.keys[1].label.clone(),
            inquiries: row.inquiries,
            share: row.share,
        })
        .collect())
}
