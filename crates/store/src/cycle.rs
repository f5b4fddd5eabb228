//! The yearly cycle as kept: a national period's deadlines per kind of
//! data, and what each municipality has stored for a period's days. What
//! that means (submitted, late, missing) is core's (`komhen_core::cycle`).

use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::{MunicipalityCode, Source};

/// A deadline of a national period beside the submission deadline of
/// registrations and system extracts (which the period itself holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeadlineKind {
    /// The municipalities' total counts.
    Totals,
    /// The central deliveries approved (self-service, Digital Post).
    CentralApproval,
    /// The central deliveries loaded.
    CentralLoad,
}

impl DeadlineKind {
    pub const ALL: [DeadlineKind; 3] = [Self::Totals, Self::CentralApproval, Self::CentralLoad];

    pub fn code(self) -> &'static str {
        match self {
            Self::Totals => "totals",
            Self::CentralApproval => "central_approval",
            Self::CentralLoad => "central_load",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == value.trim())
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Totals => "Totaltal",
            Self::CentralApproval => "Centrale leverancer godkendt",
            Self::CentralLoad => "Centrale leverancer indlæst",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodDeadline {
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
}

/// A municipality's registrations of one source on a period's days (test
/// registrations and staged batches left out), and when the last of them
/// was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    pub municipality: MunicipalityCode,
    pub source: Source,
    pub inquiries: i64,
    pub rows: i64,
    pub last_stored_at: DateTime<Utc>,
}

/// A municipality's total counts of inquiries that cover a day of a
/// period, and when the last of them was entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalsEnteredRow {
    pub municipality: MunicipalityCode,
    pub totals: i64,
    pub last_entered_at: DateTime<Utc>,
}
