//! The KOMHEN 2.0 counting method as types (`../shared/METHOD.md`).
//!
//! Owns the method's vocabulary: municipality codes, channels and direction,
//! inquiry types, completion, form, task codes (KLE), counting periods,
//! roles, a registration's validation and date dimensions, and the
//! website channel's page paths and report periods.
//!
//! Must not do I/O, be async, or know about SQL, HTTP or file formats: every
//! other crate turns its input into these types once, at its edge.

/// A message for a person, written in Danish: `format!` under a name the
/// web layer's English catalogue looks for. Every `da!("…")` in the domain,
/// ingest and core crates must have English in `crates/web/i18n/en/`
/// (its test reads them); a page in English translates the finished
/// message by its pattern, values kept as they are.
#[macro_export]
macro_rules! da {
    ($($arg:tt)*) => {
        ::std::format!($($arg)*)
    };
}

/// A label for a person, written in Danish: a `&'static str` under a name
/// the web layer's English catalogue looks for, like [`da!`] for a text
/// without places. A page in English shows it through the catalogue.
#[macro_export]
macro_rules! dl {
    ($text:literal) => {
        $text
    };
}

pub mod channel;
pub mod erlang;
pub mod error;
pub mod hotline;
pub mod ids;
pub mod municipality;
pub mod period;
pub mod reference;
pub mod registration;
pub mod role;
pub mod task;
pub mod website;

pub use channel::{ChannelCode, Direction, Medium};
pub use error::ParseError;
pub use ids::*;
pub use municipality::{MunicipalityCode, RegionCode};
pub use period::{month_label_da, CountingPeriod, Season};
pub use reference::{AnswerKind, AnswerOption};
pub use registration::{
    danish_instant, danish_local, implausible_time, parse_form, Completion, DateDimensions,
    InquiryCategory, InquiryType, NewAnswer, NewRegistration, Source,
};
pub use role::Role;
pub use task::{KleNumber, TaskCodeKind};
pub use website::{PagePath, ReportPeriod, WebPageId};
