//! Municipalities (kommuner) and regions, identified by Danmarks Statistik's codes.

use crate::ParseError;
use std::fmt;

/// A municipality's three-digit code (101 København … 860 Hjørring).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MunicipalityCode(u16);

impl MunicipalityCode {
    /// Accepts 101–999 with or without leading zeros ("259", "0259").
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let trimmed = value.trim();
        match trimmed.parse::<u16>() {
            Ok(n) if (101..=999).contains(&n) => Ok(Self(n)),
            _ => Err(ParseError::new(
                dl!("kommunekode"),
                value,
                dl!("forventede et tal fra 101 til 999"),
            )),
        }
    }

    pub fn new(code: u16) -> Result<Self, ParseError> {
        Self::parse(&code.to_string())
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// A region's code (1081 Nordjylland … 1085 Sjælland).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(u16);

impl RegionCode {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value.trim().parse::<u16>() {
            Ok(n) if (1081..=1085).contains(&n) => Ok(Self(n)),
            _ => Err(ParseError::new(
                dl!("regionskode"),
                value,
                dl!("forventede 1081–1085"),
            )),
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_code_accepts_leading_zero_and_prints_three_digits() {
        let code = MunicipalityCode::parse("0259").unwrap();
        assert_eq!(code.get(), 259);
        assert_eq!(code.to_string(), "259");
    }

    #[test]
    fn municipality_code_rejects_out_of_range_and_text() {
        assert!(MunicipalityCode::parse("42").is_err());
        assert!(MunicipalityCode::parse("Køge").is_err());
        let err = MunicipalityCode::parse("1000").unwrap_err();
        assert!(err.to_string().contains("kommunekode"));
    }
}
