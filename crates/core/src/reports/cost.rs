//! Cost as a measure of the engine: inquiries × the price in force for
//! their municipality, channel, task and day (`economics::prices`). Owns
//! which columns the aggregate query must keep for that (only those the
//! prices can tell apart: the task where a task has its own price, the
//! municipality where one has its own prices), the stretches of days on
//! which no price changes (one query each, rather than a column of days),
//! and the price of one aggregate row. Inquiries
//! without a price are counted apart, never priced at zero.

use crate::economics::prices::PriceBook;
use crate::CoreResult;
use chrono::NaiveDate;
use komhen_domain::{ChannelCode, MunicipalityCode, TaskId};
use komhen_store::{Aggregate, AggregateRow, ChannelPriceRow, Column, Key, Store};
use std::collections::{HashMap, HashSet};

/// The prices a report's figures use.
pub(super) struct Pricing {
    national: PriceBook,
    /// Books of the municipalities with prices of their own (national list
    /// included).
    own: HashMap<MunicipalityCode, PriceBook>,
    any_task_price: bool,
    /// Every date a price starts on.
    starts: HashSet<NaiveDate>,
}

impl Pricing {
    /// The prices of the municipalities (empty: all of them); with
    /// `national_only`, the national list alone.
    pub(super) async fn load(
        store: &dyn Store,
        municipalities: &[MunicipalityCode],
        national_only: bool,
    ) -> CoreResult<Self> {
        let rows: Vec<ChannelPriceRow> = store
            .list_all_channel_prices()
            .await?
            .into_iter()
            .filter(|p| {
                p.municipality.is_none_or(|m| {
                    !national_only && (municipalities.is_empty() || municipalities.contains(&m))
                })
            })
            .collect();
        let national_rows: Vec<_> = rows
            .iter()
            .filter(|p| p.municipality.is_none())
            .cloned()
            .collect();
        let mut own_rows: HashMap<MunicipalityCode, Vec<ChannelPriceRow>> = HashMap::new();
        for p in &rows {
            if let Some(m) = p.municipality {
                own_rows.entry(m).or_default().push(p.clone());
            }
        }
        Ok(Self {
            own: own_rows
                .into_iter()
                .map(|(m, mut own)| {
                    own.extend(national_rows.iter().cloned());
                    (m, PriceBook::new(own))
                })
                .collect(),
            national: PriceBook::new(national_rows),
            any_task_price: rows.iter().any(|p| p.task.is_some()),
            starts: rows.iter().map(|p| p.valid_from).collect(),
        })
    }

    /// The columns an aggregate must keep to price each of its rows.
    pub(super) fn columns(&self) -> Vec<Column> {
        let mut columns = vec![Column::Channel];
        if self.any_task_price {
            columns.push(Column::Task);
        }
        if !self.own.is_empty() {
            columns.push(Column::Municipality);
        }
        columns
    }

    /// `from..=to` cut where a price starts: on each stretch every price in
    /// force stays the same, so one query per stretch prices it whole.
    pub(super) fn stretches(&self, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
        let mut starts: Vec<NaiveDate> = self
            .starts
            .iter()
            .copied()
            .filter(|&d| d > from && d <= to)
            .collect();
        starts.sort_unstable();
        let mut stretches = Vec::with_capacity(starts.len() + 1);
        let mut begin = from;
        for start in starts {
            stretches.push((begin, start.pred_opt().unwrap_or(start)));
            begin = start;
        }
        stretches.push((begin, to));
        stretches
    }

    /// The price of one inquiry of the row, if one is in force;
    /// `from` is the first day of the row's stretch (or its own day, when
    /// the query is grouped by day).
    pub(super) fn price(
        &self,
        query: &Aggregate,
        row: &AggregateRow,
        from: NaiveDate,
    ) -> (Option<&ChannelPriceRow>, Option<ChannelCode>) {
        let key = |column: Column| {
            query
                .group_by
                .iter()
                .position(|c| *c == column)
                .and_then(|i| row.keys.get(i))
        };
        let Some(Key::Channel(channel)) = key(Column::Channel) else {
            return (None, None);
        };
        let task = match key(Column::Task) {
            Some(Key::Task(t)) => *t,
            // No task has a price of its own: any task prices alike.
            _ => TaskId(0),
        };
        let day = match key(Column::Day) {
            Some(Key::Day(d)) => *d,
            _ => from,
        };
        let book = match key(Column::Municipality) {
            Some(Key::Municipality(m)) => self.own.get(m).unwrap_or(&self.national),
            _ => &self.national,
        };
        (book.in_force(channel, task, day), Some(channel.clone()))
    }
}
