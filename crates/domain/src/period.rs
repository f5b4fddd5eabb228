//! Counting periods (tælleperioder). The national ones are ISO weeks 17–19
//! (spring) and 43–45 (autumn); data must be submitted within two weeks
//! after the period.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Spring or autumn counting season.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Season {
    Spring,
    Autumn,
}

impl Season {
    pub fn code(self) -> &'static str {
        match self {
            Self::Spring => "spring",
            Self::Autumn => "autumn",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "spring" | "foraar" | "forår" => Some(Self::Spring),
            "autumn" | "efteraar" | "efterår" => Some(Self::Autumn),
            _ => None,
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Spring => dl!("Forår"),
            Self::Autumn => dl!("Efterår"),
        }
    }

    /// The national counting weeks of the season.
    pub fn national_weeks(self) -> (u32, u32) {
        match self {
            Self::Spring => (17, 19),
            Self::Autumn => (43, 45),
        }
    }
}

/// A counting period as the method defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountingPeriod {
    pub name: String,
    pub year: i32,
    pub season: Option<Season>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub mandatory: bool,
    pub submission_deadline: NaiveDate,
}

/// Days allowed after a period for uploading system extracts.
pub const SUBMISSION_DAYS: i64 = 14;

impl CountingPeriod {
    /// The national counting period of a season: Monday of the first week to
    /// Sunday of the last, deadline two weeks after.
    pub fn national(year: i32, season: Season) -> Option<Self> {
        let (first, last) = season.national_weeks();
        let starts_on = NaiveDate::from_isoywd_opt(year, first, Weekday::Mon)?;
        let ends_on = NaiveDate::from_isoywd_opt(year, last, Weekday::Sun)?;
        Some(Self {
            name: format!("{} {year}", season.label_da()),
            year,
            season: Some(season),
            starts_on,
            ends_on,
            mandatory: true,
            submission_deadline: ends_on + Duration::days(SUBMISSION_DAYS),
        })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }
}

/// A month in Danish, as the pages write it: "januar 2015".
pub fn month_label_da(day: NaiveDate) -> String {
    const NAMES: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    format!("{} {}", NAMES[day.month0() as usize], day.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autumn_2025_runs_weeks_43_to_45() {
        let p = CountingPeriod::national(2025, Season::Autumn).unwrap();
        assert_eq!(p.starts_on, NaiveDate::from_ymd_opt(2025, 10, 20).unwrap());
        assert_eq!(p.ends_on, NaiveDate::from_ymd_opt(2025, 11, 9).unwrap());
        assert_eq!(
            p.submission_deadline,
            NaiveDate::from_ymd_opt(2025, 11, 23).unwrap()
        );
        assert_eq!(p.name, "Efterår 2025");
    }
}
