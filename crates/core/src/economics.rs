//! Channel economics: what inquiries cost. Owns the channel prices (kept
//! through audited set-up changes) and the one rule of which price is in
//! force for an inquiry. Must not compute figures itself: cost is a measure
//! of the report engine, which asks [`prices::PriceBook`] for the price.

pub mod prices;
pub mod savings;
pub mod strategy;
pub mod timing;
