//! Values of total counts kept as batches, and of a municipality's
//! phone-system mapping: what the store takes and returns for them.
//!
//! Owns the row types of totals entered, uploaded, read from a phone
//! system or delivered centrally ([`TotalEntryRow`], [`TotalOverlap`],
//! [`TotalsCommit`]) and of the phone-system rules ([`NewCdrRule`],
//! [`CdrRuleRow`]). Must not decide what overlaps are allowed or how a
//! rule matches a call: the store finds overlaps, core words them and
//! applies the rules.

use crate::{BatchKind, BatchRow, TotalCountRow};
use chrono::{DateTime, Utc};
use komhen_domain::{CdrRuleId, Direction, MunicipalityCode};

/// A total count with where it came from (its batch), for lists and for
/// naming the entry an overlapping one collides with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalEntryRow {
    pub total: TotalCountRow,
    /// The batch's kind (`totals_form`, `totals_csv`, ...); None for a row
    /// stored without a batch.
    pub batch_kind: Option<BatchKind>,
    /// The batch's file name (empty for an entry typed in a form).
    pub file_name: Option<String>,
    /// Who stored it (the batch's `created_by`).
    pub entered_by: Option<String>,
    pub entered_at: DateTime<Utc>,
}

/// A total that covers some of the same days as a stored one, for the
/// same municipality, measure and channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalOverlap {
    /// The position of the new total in the slice asked about.
    pub index: usize,
    /// The stored total it collides with.
    pub existing: TotalEntryRow,
}

/// What committing a staged batch of totals did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotalsCommit {
    /// The batch is committed: its totals count from now on.
    Committed(BatchRow),
    /// Nothing changed: these totals of the batch (by position in the
    /// batch's rows, ordered by id) overlap stored ones.
    Overlaps(Vec<TotalOverlap>),
    /// Nothing changed: a committed batch of the same kind and
    /// municipality has the same SHA-256.
    Duplicate(BatchRow),
}

/// Which field of a call record a phone-system rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CdrRuleField {
    /// The dialplan context the call ended in (`dcontext`).
    DContext,
    /// The calling channel (`channel`, e.g. `SIP/trunk-00000a1f`).
    Channel,
    /// The called channel (`dstchannel`).
    DstChannel,
    /// The caller's number (`src`).
    Src,
    /// The number dialled (`dst`).
    Dst,
}

impl CdrRuleField {
    pub const ALL: [CdrRuleField; 5] = [
        Self::DContext,
        Self::Channel,
        Self::DstChannel,
        Self::Src,
        Self::Dst,
    ];

    /// As Asterisk names the CDR field.
    pub fn code(self) -> &'static str {
        match self {
            Self::DContext => "dcontext",
            Self::Channel => "channel",
            Self::DstChannel => "dstchannel",
            Self::Src => "src",
            Self::Dst => "dst",
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::DContext => "Kontekst (dcontext)",
            Self::Channel => "Kaldende kanal (channel)",
            Self::DstChannel => "Modtagende kanal (dstchannel)",
            Self::Src => "Kaldende nummer (src)",
            Self::Dst => "Kaldt nummer (dst)",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.code().eq_ignore_ascii_case(value.trim()))
    }
}

/// How a rule's pattern is compared with the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CdrMatch {
    /// The whole field, ignoring case.
    Equals,
    /// The start of the field, ignoring case (`SIP/trunk-`).
    Prefix,
}

impl CdrMatch {
    pub const ALL: [CdrMatch; 2] = [Self::Equals, Self::Prefix];

    pub fn code(self) -> &'static str {
        match self {
            Self::Equals => "equals",
            Self::Prefix => "prefix",
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Equals => "er",
            Self::Prefix => "begynder med",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.code().eq_ignore_ascii_case(value.trim()))
    }
}

/// A rule of a municipality's phone-system mapping: calls whose `field`
/// matches `pattern` go in `direction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCdrRule {
    pub municipality: MunicipalityCode,
    pub field: CdrRuleField,
    pub matching: CdrMatch,
    pub pattern: String,
    pub direction: Direction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdrRuleRow {
    pub id: CdrRuleId,
    pub rule: NewCdrRule,
    pub created_at: DateTime<Utc>,
}
