//! The figures of the start page and the municipality list. Counts exclude
//! test registrations and sum quantity: one figure means one thing here as
//! everywhere (issue 6 moves them onto the report engine).

use crate::CoreResult;
use komhen_store::{MunicipalityRow, PeriodRow, Store};

/// A municipality with its count of inquiries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityCountView {
    pub municipality: MunicipalityRow,
    pub inquiries: i64,
}

/// A national counting period with its count of inquiries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodCountView {
    pub period: PeriodRow,
    pub inquiries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartOverview {
    pub municipalities: usize,
    pub inquiries: i64,
    pub units: i64,
    pub periods: Vec<PeriodCountView>,
}

/// Every municipality, by code, with its inquiries (0 when none).
pub async fn municipality_counts(store: &dyn Store) -> CoreResult<Vec<MunicipalityCountView>> {
    let counts = store.count_by_municipality().await?;
    let municipalities = store.list_municipalities().await?;
    Ok(municipalities
        .into_iter()
        .map(|m| {
            let inquiries = counts
                .iter()
                .find(|c| c.municipality == m.code)
                .map_or(0, |c| c.inquiries);
            MunicipalityCountView {
                municipality: m,
                inquiries,
            }
        })
        .collect())
}

pub async fn start_overview(store: &dyn Store) -> CoreResult<StartOverview> {
    let counts = municipality_counts(store).await?;
    let units = store.count_active_units().await?;
    let period_counts = store.count_by_period().await?;
    let periods = store
        .list_periods(None)
        .await?
        .into_iter()
        .map(|period| {
            let inquiries = period_counts
                .iter()
                .find(|c| c.period == period.id)
                .map_or(0, |c| c.inquiries);
            PeriodCountView { period, inquiries }
        })
        .collect();
    Ok(StartOverview {
        municipalities: counts.len(),
        inquiries: counts.iter().map(|c| c.inquiries).sum(),
        units,
        periods,
    })
}
