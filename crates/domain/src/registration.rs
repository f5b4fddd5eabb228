//! A registration: one inquiry, or a counted row standing for `quantity`
//! inquiries (centrally delivered statistics, paper tallies).
//!
//! Owns what a registration must satisfy by itself and its date dimensions.
//! Rules that need the catalogue (does the channel exist, may it carry a
//! form, is the task assigned to the unit) are checked in `core`.

use crate::{
    ChannelCode, MunicipalityCode, ParseError, QuestionId, QuestionOptionId, TaskId, UnitId,
};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Europe::Copenhagen;

/// The six inquiry types of the method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InquiryType {
    /// OPRET: a new case.
    NewCase,
    /// INFO: information about an existing case.
    CaseInformation,
    /// STATUS: change of status of an existing case.
    StatusChange,
    /// VEJL: advice and guidance.
    Guidance,
    /// SLVBTJN: help with self-service.
    SelfServiceHelp,
    /// FEJL: misdirected (came to the wrong place).
    Misdirected,
}

/// Case-specific (transaction) or information inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InquiryCategory {
    Transaction,
    Information,
}

impl InquiryType {
    pub const ALL: [InquiryType; 6] = [
        Self::NewCase,
        Self::CaseInformation,
        Self::StatusChange,
        Self::Guidance,
        Self::SelfServiceHelp,
        Self::Misdirected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NewCase => "OPRET",
            Self::CaseInformation => "INFO",
            Self::StatusChange => "STATUS",
            Self::Guidance => "VEJL",
            Self::SelfServiceHelp => "SLVBTJN",
            Self::Misdirected => "FEJL",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let code = value.trim().to_ascii_uppercase();
        Self::ALL
            .into_iter()
            .find(|t| t.code() == code)
            .ok_or_else(|| {
                ParseError::new(
                    dl!("henvendelsestype"),
                    value,
                    dl!("forventede OPRET, INFO, STATUS, VEJL, SLVBTJN eller FEJL"),
                )
            })
    }

    pub fn category(self) -> InquiryCategory {
        match self {
            Self::NewCase | Self::CaseInformation | Self::StatusChange => {
                InquiryCategory::Transaction
            }
            Self::Guidance | Self::SelfServiceHelp | Self::Misdirected => {
                InquiryCategory::Information
            }
        }
    }
}

impl InquiryCategory {
    pub fn code(self) -> &'static str {
        match self {
            Self::Transaction => "transaction",
            Self::Information => "information",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value.trim() {
            "transaction" | "transaktion" => Ok(Self::Transaction),
            "information" => Ok(Self::Information),
            _ => Err(ParseError::new(
                dl!("kategori"),
                value,
                dl!("forventede transaktion eller information"),
            )),
        }
    }
}

/// Finished at once, or put aside for later handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Completion {
    /// STRAKS
    AtOnce,
    /// HOLD
    PutAside,
}

impl Completion {
    pub const ALL: [Completion; 2] = [Self::AtOnce, Self::PutAside];

    pub fn code(self) -> &'static str {
        match self {
            Self::AtOnce => "STRAKS",
            Self::PutAside => "HOLD",
        }
    }

    /// The completion in Danish, as every page and download shows it.
    pub fn label_da(self) -> &'static str {
        match self {
            Self::AtOnce => dl!("Afsluttet straks"),
            Self::PutAside => dl!("Lagt til side"),
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value.trim().to_ascii_uppercase().as_str() {
            "STRAKS" => Ok(Self::AtOnce),
            "HOLD" => Ok(Self::PutAside),
            _ => Err(ParseError::new(
                dl!("afslutning"),
                value,
                dl!("forventede STRAKS eller HOLD"),
            )),
        }
    }
}

/// Parses the form flag as written on file boundaries: `JA` / `NEJ`.
pub fn parse_form(value: &str) -> Result<bool, ParseError> {
    match value.trim().to_ascii_uppercase().as_str() {
        "JA" => Ok(true),
        "NEJ" => Ok(false),
        _ => Err(ParseError::new(
            dl!("blanket"),
            value,
            dl!("forventede JA eller NEJ"),
        )),
    }
}

/// Where a registration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Registered in the registration tool by a unit.
    Tool,
    /// Typed in from a paper registration sheet.
    Paper,
    /// Uploaded from the municipality's own systems (CSV/XLSX).
    Upload,
    /// Pushed by a system through the API.
    Api,
    /// Delivered centrally (self-service, Digital Post, website statistics).
    Central,
    /// A call to a joint hotline, registered by the unit that answered it,
    /// counted in the caller's municipality (unit none).
    Hotline,
}

impl Source {
    pub const ALL: [Source; 6] = [
        Self::Tool,
        Self::Paper,
        Self::Upload,
        Self::Api,
        Self::Central,
        Self::Hotline,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Tool => "tool",
            Self::Paper => "paper",
            Self::Upload => "upload",
            Self::Api => "api",
            Self::Central => "central",
            Self::Hotline => "hotline",
        }
    }

    /// Where a registration came from, in Danish, as every page and
    /// download shows it.
    pub fn label_da(self) -> &'static str {
        match self {
            Self::Tool => dl!("Registreringsværktøjet"),
            Self::Paper => dl!("Papirskema"),
            Self::Upload => dl!("Indlæst fil"),
            Self::Api => dl!("System (API)"),
            Self::Central => dl!("Centralt leveret"),
            Self::Hotline => dl!("Fælles hotline"),
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == value.trim())
            .ok_or_else(|| {
                ParseError::new(
                    dl!("datakilde"),
                    value,
                    dl!("forventede tool, paper, upload, api, central eller hotline"),
                )
            })
    }
}

/// The date columns stored with every registration, in Danish local time,
/// so that reports group on plain columns on every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateDimensions {
    pub day: NaiveDate,
    pub iso_year: i32,
    pub iso_week: u32,
    pub hour: u32,
}

impl DateDimensions {
    pub fn of(at: DateTime<Utc>) -> Self {
        let local = at.with_timezone(&Copenhagen);
        let iso = local.iso_week();
        Self {
            day: local.date_naive(),
            iso_year: iso.year(),
            iso_week: iso.week(),
            hour: local.hour(),
        }
    }
}

/// The instant of a Danish wall-clock time (a counter's "today at 10:15").
/// In the autumn hour that occurs twice, the first; in the spring hour that
/// does not exist, None.
pub fn danish_instant(day: NaiveDate, hour: u32, minute: u32) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let local = day.and_hms_opt(hour, minute, 0)?;
    Copenhagen
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The Danish wall-clock time of an instant, for showing it.
pub fn danish_local(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    at.with_timezone(&Copenhagen).naive_local()
}

/// An answer to an optional parameter or a task's extra question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    pub question: QuestionId,
    pub option: Option<QuestionOptionId>,
    pub text: Option<String>,
}

/// A registration about to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRegistration {
    pub municipality: MunicipalityCode,
    /// None for rows that belong to no unit (website visits, central loads).
    pub unit: Option<UnitId>,
    pub task: TaskId,
    pub channel: ChannelCode,
    /// None where the source does not say (central statistics).
    pub inquiry_type: Option<InquiryType>,
    pub completion: Option<Completion>,
    /// None where a form cannot come along on the channel.
    pub has_form: Option<bool>,
    pub registered_at: DateTime<Utc>,
    /// Time from the first choice to "save", in milliseconds.
    pub duration_ms: Option<i64>,
    pub quantity: i64,
    pub source: Source,
    pub is_test: bool,
    /// Makes a resent form or API call store one row, not two.
    pub idempotency_key: Option<String>,
    pub answers: Vec<NewAnswer>,
}

/// The first year a registration may lie in: KOMHEN's counting began in
/// 2012, and no inquiry registered in komhen is older than this.
pub const FIRST_YEAR: i32 = 2000;

/// Why a registration's moment cannot be right, or None: it lies after
/// `now` (more than a day ahead, for clocks that differ), or before
/// [`FIRST_YEAR`]. A year such as 9999 is a typing error, never an inquiry.
pub fn implausible_time(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let local = danish_local(at);
    if at > now + chrono::Duration::days(1) {
        Some(da!(
            "tidspunktet {} ligger i fremtiden: en henvendelse registreres, når den er sket",
            local.format("%d-%m-%Y %H:%M")
        ))
    } else if local.year() < FIRST_YEAR {
        Some(da!(
            "året {} er før {FIRST_YEAR}: tjek datoen",
            local.year()
        ))
    } else {
        None
    }
}

/// The largest quantity one row may carry (a year of website visits for
/// København fits easily).
pub const MAX_QUANTITY: i64 = 100_000_000;

/// The longest a registration may have taken, in seconds (a day).
pub const MAX_DURATION_SECONDS: i64 = 86_400;

impl NewRegistration {
    /// Checks what the registration must satisfy on its own.
    pub fn validate(&self) -> Result<(), ParseError> {
        if !(1..=MAX_QUANTITY).contains(&self.quantity) {
            return Err(ParseError::new(
                dl!("antal"),
                self.quantity.to_string(),
                dl!("forventede et helt tal fra 1 til 100.000.000"),
            ));
        }
        if let Some(ms) = self.duration_ms {
            if !(0..=MAX_DURATION_SECONDS * 1000).contains(&ms) {
                return Err(ParseError::new(
                    dl!("varighed"),
                    ms.to_string(),
                    dl!("forventede en varighed mellem 0 og 24 timer"),
                ));
            }
        }
        if let Some(key) = &self.idempotency_key {
            if key.is_empty() || key.len() > 100 {
                return Err(ParseError::new(
                    dl!("idempotensnøgle"),
                    key.clone(),
                    dl!("forventede 1–100 tegn"),
                ));
            }
        }
        Ok(())
    }

    pub fn dimensions(&self) -> DateDimensions {
        DateDimensions::of(self.registered_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn date_dimensions_are_danish_local_time() {
        // 23:30 UTC on 31 Dec 2025 is 00:30 on 1 Jan 2026 in Denmark, ISO week 1 of 2026.
        let at = Utc.with_ymd_and_hms(2025, 12, 31, 23, 30, 0).unwrap();
        let d = DateDimensions::of(at);
        assert_eq!(d.day, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!((d.iso_year, d.iso_week, d.hour), (2026, 1, 0));
    }

    #[test]
    fn danish_instant_round_trips_through_the_dimensions() {
        let day = NaiveDate::from_ymd_opt(2025, 10, 26).unwrap();
        let at = danish_instant(day, 10, 15).unwrap();
        assert_eq!(DateDimensions::of(at).hour, 10);
        let spring_gap = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(danish_instant(spring_gap, 2, 30), None);
    }

    #[test]
    fn summer_time_shifts_the_hour_by_two() {
        let at = Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap();
        assert_eq!(DateDimensions::of(at).hour, 10);
    }

    #[test]
    fn inquiry_type_codes_round_trip_and_categorise() {
        for t in InquiryType::ALL {
            assert_eq!(InquiryType::parse(t.code()).unwrap(), t);
        }
        assert_eq!(
            InquiryType::NewCase.category(),
            InquiryCategory::Transaction
        );
        assert_eq!(
            InquiryType::Misdirected.category(),
            InquiryCategory::Information
        );
    }

    #[test]
    fn form_and_completion_parse_national_codes() {
        assert!(parse_form("ja").unwrap());
        assert!(!parse_form("NEJ").unwrap());
        assert!(parse_form("måske").is_err());
        assert_eq!(Completion::parse("HOLD").unwrap(), Completion::PutAside);
    }
}
