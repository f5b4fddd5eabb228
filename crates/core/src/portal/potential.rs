//! The national savings potential of a published period: per mandatory
//! task, what it would save if every municipality's digital share of the
//! task's incoming inquiries were at least a chosen share, at the national
//! price list, as published (the snapshot keeps the counts, the non-digital
//! inquiries' cost and the price of the channel moved to, so the figure
//! never moves with later writes or price changes).
//!
//! The rule is the savings simulator's digital target
//! (`economics::savings`, docs/economics.md), applied to each municipality
//! and summed: with D digital and A incoming inquiries on the task, the
//! municipality moves max(0, P % × A − D) of its N = A − D non-digital ones
//! (the same fraction of each non-digital channel) to self-service, saving
//! moved × (C ÷ N − price of self-service), where C is the N inquiries'
//! cost. A municipality already at P % moves nothing (it does not offset
//! another). Exact fractions, rounded to the øre once.

use super::snapshot;
use super::{Figure, MIN_CELL};
use crate::economics::savings::Fraction;
use crate::{CoreError, CoreResult};
use komhen_domain::da;
use komhen_store::{PeriodRow, Store, TaskRow};
use num_traits::Zero;

/// The channel the potential moves inquiries to.
pub const POTENTIAL_CHANNEL: &str = "SLVBTJN";

/// One mandatory task's potential.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskPotential {
    pub task: TaskRow,
    /// The nation's digital share of the task's incoming inquiries.
    pub share: Figure,
    /// Inquiries moved in the period.
    pub moved: Fraction,
    /// The saving in the period, in øre; None where an inquiry to move or
    /// the channel moved to has no national price.
    pub saving: Option<Fraction>,
}

/// The potential of a period at a digital share.
#[derive(Debug, Clone, PartialEq)]
pub struct Potential {
    pub percent: u32,
    pub days: i64,
    pub tasks: Vec<TaskPotential>,
    pub moved: Fraction,
    /// The sum of the tasks with a saving (those without are named).
    pub saving: Fraction,
    /// Whether a national price used is an example price, and their sources.
    pub example_prices: bool,
    pub sources: Vec<String>,
    /// False for a period published before cost was kept.
    pub priced: bool,
}

impl Potential {
    /// A period's sum in a year: × 364 ÷ the period's days.
    pub fn per_year(&self, period: Fraction) -> Fraction {
        crate::economics::savings::per_year(period, self.days)
    }
}

/// The potential of a published period (the caller has checked it may be
/// shown) at a digital share of `percent` %.
pub async fn savings_potential(
    store: &dyn Store,
    period: &PeriodRow,
    percent: u32,
) -> CoreResult<Potential> {
    if percent > 100 {
        return Err(CoreError::Invalid(da!(
            "«{percent}» er ikke en digital andel; vælg en procent fra 0 til 100."
        )));
    }
    let shown = snapshot::shown(store, period).await?;
    let national = store.list_national_tasks().await?;
    let p = Fraction::new(i128::from(percent), 100);
    let mut tasks = Vec::new();
    for published in &shown.snapshot.tasks {
        let Some(task) = national.iter().find(|t| t.id.0 == published.task) else {
            continue;
        };
        let counts = published.per_municipality()?;
        let costs = published.costs()?;
        let (mut digital, mut all) = (0, 0);
        let mut moved = Fraction::zero();
        let mut saving = Some(Fraction::zero());
        for (m, (d, a)) in &counts {
            digital += d;
            all += a;
            let n = a - d;
            let need = p * Fraction::from(i128::from(*a)) - Fraction::from(i128::from(*d));
            if n <= 0 || need <= Fraction::zero() {
                continue;
            }
            let here = need.min(Fraction::from(i128::from(n)));
            moved += here;
            let (cost, unpriced) = costs.get(m).copied().unwrap_or((0, n));
            saving = match (saving, published.to_price_ore) {
                (Some(sum), Some(to)) if unpriced == 0 => Some(
                    sum + here
                        * (Fraction::new(i128::from(cost), i128::from(n))
                            - Fraction::from(i128::from(to))),
                ),
                _ => None,
            };
        }
        tasks.push(TaskPotential {
            task: task.clone(),
            share: Figure::share(digital, all),
            moved,
            saving: if all < MIN_CELL { None } else { saving },
        });
    }
    tasks.sort_by(|a, b| a.task.kle.cmp(&b.task.kle));
    let pricing = shown.snapshot.pricing.clone();
    Ok(Potential {
        percent,
        days: (period.period.ends_on - period.period.starts_on).num_days() + 1,
        moved: tasks.iter().map(|t| t.moved).sum(),
        saving: tasks.iter().filter_map(|t| t.saving).sum(),
        example_prices: pricing.as_ref().is_some_and(|p| p.example),
        sources: pricing
            .as_ref()
            .map_or_else(Vec::new, |p| p.sources.clone()),
        priced: pricing.is_some(),
        tasks,
    })
}
