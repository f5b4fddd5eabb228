//! A joint hotline as kept: the line and its settings, members, opening
//! hours, its own roles, price rules, the roster, issued statements and
//! imported calls. What they mean in figures (key figures, the staffing
//! split, a statement's amount, the Erlang plan) is core's
//! (`komhen_core::hotline`).

use crate::RegistrationRow;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use komhen_domain::hotline::{Call, HotlineOutcome, MemberKind};
use komhen_domain::{
    CallBatchId, HotlineId, MunicipalityCode, ShiftId, StatementId, UnitId, UserId,
};

/// A hotline's settings: how it is staffed and what it promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineSettings {
    pub name: String,
    /// Agents on the line at a time (the reference line: 2).
    pub agents_at_a_time: i64,
    /// Length of one shift in minutes (the reference line: 180).
    pub shift_minutes: i64,
    /// The service-level target: answered within this many seconds ...
    pub service_seconds: i64,
    /// ... for this share of the calls, in percent.
    pub service_percent: i64,
    /// Calls lost within this many seconds are short abandons, shown apart.
    pub short_abandon_seconds: i64,
    /// The start discount for new members: this percentage ...
    pub discount_percent: i64,
    /// ... for this many months from the join date.
    pub discount_months: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineRow {
    pub id: HotlineId,
    pub settings: HotlineSettings,
    pub created_at: DateTime<Utc>,
    /// The queue names of the line's calls, sorted.
    pub queues: Vec<String>,
}

/// A municipality's membership of a hotline, from its join date to the day
/// before its leave date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineMember {
    pub municipality: MunicipalityCode,
    pub kind: MemberKind,
    pub joined_on: NaiveDate,
    /// The first day it is no longer a member.
    pub left_on: Option<NaiveDate>,
}

impl HotlineMember {
    /// Whether the municipality is a member on a day.
    pub fn is_member_on(&self, day: NaiveDate) -> bool {
        self.joined_on <= day && self.left_on.is_none_or(|left| day < left)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineMemberRow {
    pub id: i64,
    pub hotline: HotlineId,
    pub member: HotlineMember,
    /// The municipality's name.
    pub name: String,
}

/// One weekday's opening hours (weekday 1 = Monday ... 7 = Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpeningRow {
    pub weekday: u32,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// A user's role on a hotline of its own (coordinators of member
/// municipalities read it through their membership, not through a role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HotlineRole {
    /// Sets the hotline up, imports its calls, keeps its roster and issues
    /// statements.
    Admin,
    /// The steering group: reads its figures, reports and statements.
    Reader,
}

impl HotlineRole {
    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Reader => "reader",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "admin" => Some(Self::Admin),
            "reader" => Some(Self::Reader),
            _ => None,
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Admin => "Hotline-administrator",
            Self::Reader => "Styregruppe (læser)",
        }
    }
}

/// How a user reaches a hotline: by a role of its own, or as coordinator of
/// a current member municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HotlineAccess {
    Role(HotlineRole),
    MemberCoordinator(MunicipalityCode),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HotlineGrant {
    pub hotline: HotlineId,
    pub access: HotlineAccess,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineRoleRow {
    pub user: UserId,
    pub email: String,
    pub name: String,
    pub role: HotlineRole,
}

/// A price rule of the cost sharing, from a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHotlinePrice {
    pub hotline: HotlineId,
    pub valid_from: NaiveDate,
    /// Per citizen per month, in thousandths of a krone (0,21 kr = 210).
    pub price_millikr: i64,
    /// Per staffed hour, in øre (272 kr = 27 200).
    pub credit_ore_per_hour: i64,
    pub note: String,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlinePriceRow {
    pub id: i64,
    pub price: NewHotlinePrice,
}

/// A staffed shift of the roster: the member's agents on the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShift {
    pub hotline: HotlineId,
    pub municipality: MunicipalityCode,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub agents: i64,
    pub note: String,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftRow {
    pub id: ShiftId,
    pub shift: NewShift,
}

/// An issued statement: its whole content as JSON (every input and line),
/// so what was issued is what is shown, whatever changes later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStatement {
    pub hotline: HotlineId,
    pub municipality: MunicipalityCode,
    pub first_month: NaiveDate,
    pub last_month: NaiveDate,
    pub amount_ore: i64,
    pub body: String,
    /// The statement this one corrects.
    pub corrects: Option<StatementId>,
    /// Why it was issued (a correction's reason).
    pub reason: String,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub id: StatementId,
    pub statement: NewStatement,
    /// A later statement that corrects this one.
    pub corrected_by: Option<StatementId>,
}

/// A file of calls to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCallBatch {
    pub hotline: HotlineId,
    pub file_name: String,
    /// `queue_log` or `csv`.
    pub format: String,
    /// SHA-256 of the file's bytes.
    pub fingerprint: String,
    pub loaded_by: String,
    pub loaded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallBatchRow {
    pub id: CallBatchId,
    pub batch: NewCallBatch,
    /// Calls the file added.
    pub calls: i64,
    /// Calls of the file stored before (by an earlier file, which a rolling
    /// log repeats), not added again; a stored call without an end that
    /// this file ends is completed and counted as added.
    pub already_stored: i64,
}

/// What storing a file of calls did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallsStored {
    Stored {
        batch: CallBatchId,
        added: u64,
        already_stored: u64,
    },
    /// The same file (same fingerprint) was stored before: nothing added.
    SameFile { batch: CallBatchId },
}

/// A stored call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRow {
    pub batch: CallBatchId,
    pub call: Call,
}

/// A unit of a member municipality that answers the line: what it
/// registers is a hotline call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineUnitRow {
    pub hotline: HotlineId,
    pub unit: UnitId,
    pub municipality: MunicipalityCode,
    pub municipality_name: String,
    pub name: String,
    pub login: String,
    pub active: bool,
    pub added_at: DateTime<Utc>,
}

/// What ties a registration to the hotline: the line, the unit that
/// answered the call, and what came of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HotlineRegistration {
    pub hotline: HotlineId,
    pub unit: UnitId,
    pub outcome: HotlineOutcome,
}

/// A registered hotline call: the registration (in the caller's
/// municipality, source hotline, unit none) with its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineRegistrationRow {
    pub registration: RegistrationRow,
    pub link: HotlineRegistration,
}

/// Which registered hotline calls to list: of a line or of an answering
/// unit (or both), on the days from `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HotlineRegistrationFilter {
    pub hotline: Option<HotlineId>,
    pub unit: Option<UnitId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub include_test: bool,
    /// The most rows returned (newest first); None: all.
    pub limit: Option<u32>,
}
