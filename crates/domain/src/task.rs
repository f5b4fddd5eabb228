//! Tasks (opgaver) and their codes.
//!
//! Tasks are keyed by KLE number. Real extracts mix topic codes (`15.20.00`)
//! with group codes (`15.20`) and carry KOMHEN's own pseudo-codes
//! (`29.03.99`, the EU health card) that are not in KLE. All are accepted and
//! kept distinct: the syntax gives the level, the catalogue decides whether a
//! well-formed number is a real KLE entry or a pseudo-code.

use crate::ParseError;
use std::fmt;

/// A KLE number: `27` (main group), `27.24` (group) or `27.24.00` (topic).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KleNumber(String);

impl KleNumber {
    /// Accepts two-digit parts separated by dots; surrounding spaces are
    /// dropped (real files have them).
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let trimmed = value.trim();
        let parts: Vec<&str> = trimmed.split('.').collect();
        let well_formed = (1..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()));
        if well_formed {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(ParseError::new(
                dl!("KLE-nummer"),
                value,
                dl!("forventede et KLE-nummer som 27.24.00 (emne), 27.24 (gruppe) eller 27 (hovedgruppe)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level the number's shape gives.
    pub fn level(&self) -> TaskCodeKind {
        match self.0.matches('.').count() {
            0 => TaskCodeKind::MainGroup,
            1 => TaskCodeKind::Group,
            _ => TaskCodeKind::Topic,
        }
    }

    /// The number one level up (`27.24.00` → `27.24`), if any.
    pub fn parent(&self) -> Option<KleNumber> {
        self.0.rfind('.').map(|i| KleNumber(self.0[..i].to_owned()))
    }
}

impl fmt::Display for KleNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a task code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskCodeKind {
    /// A KLE main group (hovedgruppe), `27`.
    MainGroup,
    /// A KLE group (gruppe), `27.24`.
    Group,
    /// A KLE topic (emne), `27.24.00`.
    Topic,
    /// A KOMHEN pseudo-code: well formed, but not in KLE (`29.03.99`).
    Pseudo,
}

impl TaskCodeKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::MainGroup => "main_group",
            Self::Group => "group",
            Self::Topic => "topic",
            Self::Pseudo => "pseudo",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value {
            "main_group" | "hovedgruppe" => Ok(Self::MainGroup),
            "group" | "gruppe" => Ok(Self::Group),
            "topic" | "emne" => Ok(Self::Topic),
            "pseudo" => Ok(Self::Pseudo),
            _ => Err(ParseError::new(
                dl!("KLE-niveau"),
                value,
                dl!("forventede hovedgruppe, gruppe eller emne"),
            )),
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::MainGroup => dl!("KLE-hovedgruppe"),
            Self::Group => dl!("KLE-gruppe"),
            Self::Topic => dl!("KLE-emne"),
            Self::Pseudo => dl!("KOMHEN-kode (ikke i KLE)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kle_number_levels_follow_the_shape() {
        assert_eq!(
            KleNumber::parse("27").unwrap().level(),
            TaskCodeKind::MainGroup
        );
        assert_eq!(
            KleNumber::parse("15.20").unwrap().level(),
            TaskCodeKind::Group
        );
        assert_eq!(
            KleNumber::parse("04.00.00 ").unwrap().level(),
            TaskCodeKind::Topic
        );
    }

    #[test]
    fn kle_number_rejects_malformed_codes() {
        for bad in ["", "1.2.3", "27.24.000", "27-24-00", "27.24.00.01", "ab.cd"] {
            assert!(KleNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kle_number_parent_walks_up() {
        let n = KleNumber::parse("27.24.00").unwrap();
        assert_eq!(n.parent().unwrap().as_str(), "27.24");
        assert_eq!(KleNumber::parse("27").unwrap().parent(), None);
    }
}
