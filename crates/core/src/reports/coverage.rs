//! Coverage ("dækningsgrad"): how much of what a municipality's own systems
//! counted on a channel its registrations hold (issue "The yearly cycle",
//! item 4; Kommunebarometeret's coverage rule, the service inventory's
//! data-coverage score).
//!
//! # Rule
//! A municipality enters total counts: all inquiries on one channel for a
//! range of days, from its phone, queue or mail systems (docs/totals.md).
//! For a period asked about, every such total whose days lie wholly inside
//! the period is compared with the municipality's registrations on the
//! same channel and days (every source, test registrations left out, the
//! whole municipality whatever the reader's scope: the total is the whole
//! municipality's). A channel's coverage is the sum of its registrations
//! over the days of its totals ÷ the sum of those totals. Totals that only
//! partly lie in the period are left out and counted, so the page can say
//! so. A share above 100 % is shown as it is: more registered than the
//! system counted says one of the two is wrong.

use super::tabular::{Cell, Table};
use crate::CoreResult;
use chrono::NaiveDate;
use komhen_domain::{dl, ChannelCode, MunicipalityCode};
use komhen_store::{Aggregate, Column, Key, Store, TestRows, TotalMeasure};
use std::collections::BTreeMap;

/// One channel's coverage in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelCoverage {
    pub channel: ChannelCode,
    /// The channel's Danish name.
    pub label_da: String,
    /// The totals compared, and the days they cover.
    pub totals: usize,
    pub days: i64,
    /// What the municipality's systems counted on those days.
    pub total: i64,
    /// What was registered on the channel on those days.
    pub registered: i64,
}

impl ChannelCoverage {
    /// Registered ÷ total; `None` when the systems counted nothing.
    pub fn share(&self) -> Option<f64> {
        (self.total > 0).then(|| self.registered as f64 / self.total as f64)
    }
}

/// The coverage of a municipality's registrations in a period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coverage {
    /// By the channels' order.
    pub channels: Vec<ChannelCoverage>,
    /// Totals of inquiries that lie only partly in the period, left out.
    pub partly_outside: usize,
}

impl Coverage {
    /// All channels together: registered ÷ total over every total compared.
    pub fn share(&self) -> Option<f64> {
        let total: i64 = self.channels.iter().map(|c| c.total).sum();
        let registered: i64 = self.channels.iter().map(|c| c.registered).sum();
        (total > 0).then(|| registered as f64 / total as f64)
    }
}

/// The coverage of the municipality's registrations from `from` to `to`
/// (see the module's rule).
pub async fn coverage(
    store: &dyn Store,
    municipality: MunicipalityCode,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Coverage> {
    let mut partly_outside = 0;
    let mut totals: BTreeMap<String, Vec<(NaiveDate, NaiveDate, i64)>> = BTreeMap::new();
    for entry in store.list_totals(Some(municipality)).await? {
        let t = entry.total;
        let Some(channel) = t.channel.filter(|_| t.measure == TotalMeasure::Inquiries) else {
            continue;
        };
        if t.from >= from && t.to <= to {
            totals
                .entry(channel.to_string())
                .or_default()
                .push((t.from, t.to, t.count));
        } else if t.from <= to && t.to >= from {
            partly_outside += 1;
        }
    }
    if totals.is_empty() {
        return Ok(Coverage {
            channels: Vec::new(),
            partly_outside,
        });
    }
    let first = totals.values().flatten().map(|t| t.0).min().unwrap_or(from);
    let last = totals.values().flatten().map(|t| t.1).max().unwrap_or(to);
    let channels = store.list_channels().await?;
    let codes: Vec<ChannelCode> = channels
        .iter()
        .filter(|c| totals.contains_key(c.code.as_str()))
        .map(|c| c.code.clone())
        .collect();
    let rows = store
        .aggregate(&Aggregate {
            municipalities: vec![municipality],
            from: Some(first),
            to: Some(last),
            channels: codes,
            test: TestRows::Exclude,
            group_by: vec![Column::Channel, Column::Day],
            ..Aggregate::default()
        })
        .await?;
    let mut result = Vec::new();
    for channel in &channels {
        let Some(ranges) = totals.get(channel.code.as_str()) else {
            continue;
        };
        let registered = rows
            .iter()
            .filter(|r| {
                matches!(r.keys.as_slice(), [Key::Channel(c), Key::Day(day)]
                    if *c == channel.code
                        && ranges.iter().any(|(a, b, _)| a <= day && day <= b))
            })
            .map(|r| r.inquiries)
            .sum();
        result.push(ChannelCoverage {
            channel: channel.code.clone(),
            label_da: channel.label_da.clone(),
            totals: ranges.len(),
            days: ranges
                .iter()
                .map(|(a, b, _)| (*b - *a).num_days() + 1)
                .sum(),
            total: ranges.iter().map(|(_, _, n)| n).sum(),
            registered,
        });
    }
    Ok(Coverage {
        channels: result,
        partly_outside,
    })
}

/// The header of the coverage table.
pub const COVERAGE_HEADER: [&str; 6] = [
    dl!("Kanal"),
    dl!("Totaltællinger"),
    dl!("Dage"),
    dl!("Registreret"),
    dl!("Total fra egne systemer"),
    dl!("Dækningsgrad"),
];

/// The coverage as one table (page, CSV and the command line alike): a row
/// per channel, then all channels.
pub fn coverage_table(coverage: &Coverage) -> Table {
    let share = |s: Option<f64>| s.map_or(Cell::Empty, Cell::Share);
    let mut rows: Vec<Vec<Cell>> = coverage
        .channels
        .iter()
        .map(|c| {
            vec![
                Cell::Text(c.label_da.clone()),
                Cell::Integer(c.totals as i64),
                Cell::Integer(c.days),
                Cell::Integer(c.registered),
                Cell::Integer(c.total),
                share(c.share()),
            ]
        })
        .collect();
    if !coverage.channels.is_empty() {
        rows.push(vec![
            Cell::Text("I alt".into()),
            Cell::Integer(coverage.channels.iter().map(|c| c.totals as i64).sum()),
            Cell::Empty,
            Cell::Integer(coverage.channels.iter().map(|c| c.registered).sum()),
            Cell::Integer(coverage.channels.iter().map(|c| c.total).sum()),
            share(coverage.share()),
        ]);
    }
    Table {
        header: COVERAGE_HEADER.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}
