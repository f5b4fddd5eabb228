//! The registration time the registration tool's stopwatch measured, per
//! channel, over the latest counting period: a hint beside a price found
//! from minutes × hourly cost. The stopwatch measures how long registering
//! an inquiry took, not the inquiry itself, so it is never taken as the
//! minutes of a price. Must not compute a figure itself: the mean and the
//! count are the report engine's (`ReportRow::mean_duration_s`,
//! `timed_rows`), grouped by channel.

use crate::reports::{self, Dates, Dimension, ReportRequest};
use crate::CoreResult;
use chrono::NaiveDate;
use komhen_domain::MunicipalityCode;
use komhen_store::Store;

/// One channel's measured registration time.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelTime {
    /// The channel's code and its Danish name.
    pub channel: String,
    pub label: String,
    /// The mean registration duration in seconds.
    pub mean_s: f64,
    /// The registrations with a duration the mean is of.
    pub timed: i64,
}

/// The measured times of the latest counting period that has begun.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredTimes {
    pub period: String,
    pub dates: Dates,
    /// Channels with at least one timed registration, in the engine's order.
    pub channels: Vec<ChannelTime>,
}

/// The mean registration time per channel over the municipality's latest
/// counting period that has begun by `today` (`None`: every municipality
/// over the latest national period); `None` when there is no such period.
pub async fn measured_times(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
    today: NaiveDate,
) -> CoreResult<Option<MeasuredTimes>> {
    let Some(period) = store
        .list_periods(municipality)
        .await?
        .into_iter()
        .find(|p| p.period.starts_on <= today)
    else {
        return Ok(None);
    };
    let dates = Dates {
        from: period.period.starts_on,
        to: period.period.ends_on,
    };
    let request =
        ReportRequest::new(municipality.into_iter().collect(), dates).by(&[Dimension::Channel]);
    let report = reports::run(store, &request).await?;
    Ok(Some(MeasuredTimes {
        period: period.period.name,
        dates,
        channels: report
            .rows
            .into_iter()
            .filter_map(|row| {
                let key = row.keys.into_iter().next()?;
                Some(ChannelTime {
                    channel: key.code,
                    label: key.label,
                    mean_s: row.mean_duration_s?,
                    timed: row.timed_rows,
                })
            })
            .collect(),
    }))
}
