//! Channel prices: what one inquiry costs in a channel (and, where it is
//! known, for one task), from a date. The national administrator keeps the
//! national list; a municipality may keep its own, which wins from its own
//! date. The store keeps the prices as set; which price is in force for an
//! inquiry is the report engine's rule (`komhen_core::economics`).

use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::{ChannelCode, ChannelPriceId, MunicipalityCode, TaskId};

/// How a price was found: an amount as such, or minutes per inquiry times
/// the staff's cost per hour (kept, so the page can show the reckoning).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceBasis {
    Amount,
    /// Minutes per inquiry in hundredths (4.5 minutes: 450) and the staff's
    /// cost per hour in øre.
    Time {
        minutes_hundredths: i64,
        hourly_cost_ore: i64,
    },
}

/// A price to keep: replaces one of the same scope, channel, task and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChannelPrice {
    /// None: the national list.
    pub municipality: Option<MunicipalityCode>,
    pub channel: ChannelCode,
    /// None: every task of the channel.
    pub task: Option<TaskId>,
    pub valid_from: NaiveDate,
    /// Per inquiry, in øre (1/100 krone): exact sums to the øre.
    pub price_ore: i64,
    pub basis: PriceBasis,
    /// Where the price comes from, as the page shows it.
    pub source: String,
    /// The year the price is reckoned in.
    pub source_year: i32,
    /// An example price (the demo's), marked as such wherever it is used.
    pub example: bool,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

/// A kept price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPriceRow {
    pub id: ChannelPriceId,
    pub municipality: Option<MunicipalityCode>,
    pub channel: ChannelCode,
    pub task: Option<TaskId>,
    pub valid_from: NaiveDate,
    pub price_ore: i64,
    pub basis: PriceBasis,
    pub source: String,
    pub source_year: i32,
    pub example: bool,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}
