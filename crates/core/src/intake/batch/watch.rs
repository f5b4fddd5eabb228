//! What the pipeline watches in every row it stores: that the batch's
//! quantities are plausible together, and whether a row is dated in a published period (which
//! makes the batch a correction, held for the national administrator).
//!
//! Owns the plausibility limit of a batch. Must not decide what happens to a held
//! batch (the corrections module does).

use crate::{CoreError, CoreResult};
use chrono::NaiveDate;
use komhen_domain::{da, DateDimensions, NewRegistration};
use komhen_ingest::summary::danish_number;
use komhen_store::{NewTotalCount, PeriodRow, Store};

/// The most inquiries one batch may stand for: more than all of Denmark's
/// municipalities register in a year. (One row's limit is the domain's
/// [`MAX_QUANTITY`](komhen_domain::MAX_QUANTITY), checked where a row is
/// read.)
pub const MAX_QUANTITY_PER_BATCH: i64 = 1_000_000_000;

/// The national periods whose figures are published: their days are closed
/// to ordinary writes.
#[derive(Debug, Clone, Default)]
pub struct Closed {
    periods: Vec<PeriodRow>,
}

impl Closed {
    /// The published national periods now.
    pub async fn load(store: &dyn Store) -> CoreResult<Self> {
        Ok(Self {
            periods: crate::portal::published_periods(store).await?,
        })
    }

    /// The published period a day lies in.
    pub fn period_of(&self, day: NaiveDate) -> Option<&PeriodRow> {
        self.periods
            .iter()
            .find(|p| p.period.starts_on <= day && day <= p.period.ends_on)
    }

    /// The published periods that share a day with `from..=to`.
    pub fn overlapping(&self, from: NaiveDate, to: NaiveDate) -> Vec<&PeriodRow> {
        self.periods
            .iter()
            .filter(|p| p.period.starts_on <= to && from <= p.period.ends_on)
            .collect()
    }
}

/// The running tally of one batch's rows.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    closed: Closed,
    quantity: i64,
    /// Rows dated in a published period, and the first such period's name.
    pub(crate) in_closed: u64,
    pub(crate) closed_name: Option<String>,
    /// Why the batch is refused, once it is.
    pub(crate) refused: Option<String>,
}

impl Watch {
    pub(crate) fn new(closed: Closed) -> Self {
        Self {
            closed,
            ..Self::default()
        }
    }

    /// Takes one registration; false once the batch is refused.
    pub(crate) fn registration(&mut self, row: &NewRegistration) -> bool {
        self.count(
            row.quantity,
            DateDimensions::of(row.registered_at).day,
            None,
        )
    }

    /// Takes one total count; false once the batch is refused.
    pub(crate) fn total(&mut self, total: &NewTotalCount) -> bool {
        self.count(total.count, total.from, Some(total.to))
    }

    fn count(&mut self, quantity: i64, from: NaiveDate, to: Option<NaiveDate>) -> bool {
        if self.refused.is_some() {
            return false;
        }
        self.quantity = self.quantity.saturating_add(quantity.max(0));
        if self.quantity > MAX_QUANTITY_PER_BATCH {
            self.refused = Some(da!(
                "Indlæsningen står for flere end {} henvendelser i alt, hvilket ikke er \
                 troværdigt. Tjek antallene; intet er gemt.",
                danish_number(MAX_QUANTITY_PER_BATCH as u64)
            ));
            return false;
        }
        let closed = match to {
            None => self.closed.period_of(from).map(|p| p.period.name.clone()),
            Some(to) => self
                .closed
                .overlapping(from, to)
                .first()
                .map(|p| p.period.name.clone()),
        };
        if let Some(name) = closed {
            self.in_closed += 1;
            self.closed_name.get_or_insert(name);
        }
        true
    }

    /// The refusal, if the batch was refused.
    pub(crate) fn verdict(&self) -> CoreResult<()> {
        match &self.refused {
            Some(why) => Err(CoreError::Invalid(why.clone())),
            None => Ok(()),
        }
    }
}
