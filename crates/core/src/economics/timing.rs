//! The minutes beside a price found from minutes × hourly cost, per
//! channel over the latest counting period: what employees answered to the
//! optional parameter "Henvendelsens varighed (minutter)" (the minutes of
//! the inquiry itself, a source for the price), and the registration time
//! the registration tool's stopwatch measured (how long registering took, a
//! hint only, never the minutes of a price). Must not count anything
//! itself: the counts and the stopwatch's mean are the report engine's
//! (`ReportRow::mean_duration_s`, `timed_rows`; the answers as a dimension).

use crate::reports::{self, Dates, Dimension, QuestionRef, ReportRequest};
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
    let Some((period, dates)) = latest_period(store, municipality, today).await? else {
        return Ok(None);
    };
    let request =
        ReportRequest::new(municipality.into_iter().collect(), dates).by(&[Dimension::Channel]);
    let report = reports::run(store, &request).await?;
    Ok(Some(MeasuredTimes {
        period,
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

/// The latest counting period that has begun by `today`: its name and dates.
async fn latest_period(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
    today: NaiveDate,
) -> CoreResult<Option<(String, Dates)>> {
    Ok(store
        .list_periods(municipality)
        .await?
        .into_iter()
        .find(|p| p.period.starts_on <= today)
        .map(|p| {
            (
                p.period.name,
                Dates {
                    from: p.period.starts_on,
                    to: p.period.ends_on,
                },
            )
        }))
}

/// The optional parameter whose answers are an inquiry's minutes.
pub const INQUIRY_MINUTES: &str = "inquiry_minutes";

/// One channel's answered inquiry minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelMinutes {
    pub channel: String,
    pub label: String,
    /// The mean of the answers, each weighted by its inquiries.
    pub mean_minutes: f64,
    /// The inquiries whose answer is a number of minutes.
    pub answered: i64,
}

/// The answered inquiry minutes of the latest counting period.
#[derive(Debug, Clone, PartialEq)]
pub struct AnsweredMinutes {
    pub period: String,
    pub dates: Dates,
    /// Channels with at least one answer that is a number, in the engine's
    /// order.
    pub channels: Vec<ChannelMinutes>,
    /// Inquiries whose answer is not a number of minutes (left out).
    pub not_minutes: i64,
}

/// A number of minutes as an employee typed it (`4`, `4,5`, `4.5`).
fn minutes_of(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|m| m.is_finite() && *m >= 0.0)
}

/// The mean of the answers to "Henvendelsens varighed (minutter)" per
/// channel over the municipality's latest counting period that has begun
/// (`None`: every municipality over the latest national period); `None`
/// when there is no such period.
pub async fn answered_minutes(
    store: &dyn Store,
    municipality: Option<MunicipalityCode>,
    today: NaiveDate,
) -> CoreResult<Option<AnsweredMinutes>> {
    let Some((period, dates)) = latest_period(store, municipality, today).await? else {
        return Ok(None);
    };
    let request = ReportRequest::new(municipality.into_iter().collect(), dates).by(&[
        Dimension::Channel,
        Dimension::Answer(QuestionRef::Parameter(INQUIRY_MINUTES)),
    ]);
    let report = reports::run(store, &request).await?;
    let mut channels: Vec<(String, String, f64, i64)> = Vec::new();
    let mut not_minutes = 0;
    for row in &report.rows {
        let (channel, answer) = (&row.keys[0], &row.keys[1]);
        let Some(minutes) = minutes_of(&answer.code) else {
            not_minutes += row.inquiries;
            continue;
        };
        match channels.iter_mut().find(|c| c.0 == channel.code) {
            Some(c) => {
                c.2 += minutes * row.inquiries as f64;
                c.3 += row.inquiries;
            }
            None => channels.push((
                channel.code.clone(),
                channel.label.clone(),
                minutes * row.inquiries as f64,
                row.inquiries,
            )),
        }
    }
    Ok(Some(AnsweredMinutes {
        period,
        dates,
        channels: channels
            .into_iter()
            .filter(|c| c.3 > 0)
            .map(|(channel, label, sum, answered)| ChannelMinutes {
                channel,
                label,
                mean_minutes: sum / answered as f64,
                answered,
            })
            .collect(),
        not_minutes,
    }))
}
