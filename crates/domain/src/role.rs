//! The roles of personal users (`../shared/DESIGN.md`, "Who uses it").
//! Registrants are not users: they log in with their unit's shared login.

use crate::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Keeps the catalogue, periods, prices and central loads; sees everything.
    NationalAdmin,
    /// Runs the method in one municipality.
    Coordinator,
    /// Follows chosen units of one municipality.
    UnitLead,
    /// Reads reports and extracts, read-only, one municipality or national.
    Analyst,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Self::NationalAdmin,
        Self::Coordinator,
        Self::UnitLead,
        Self::Analyst,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NationalAdmin => "national_admin",
            Self::Coordinator => "coordinator",
            Self::UnitLead => "unit_lead",
            Self::Analyst => "analyst",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == value.trim())
            .ok_or_else(|| {
                ParseError::new(
                    dl!("rolle"),
                    value,
                    dl!("forventede national_admin, coordinator, unit_lead eller analyst"),
                )
            })
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::NationalAdmin => dl!("National administrator"),
            Self::Coordinator => dl!("Tovholder"),
            Self::UnitLead => dl!("Enhedsansvarlig"),
            Self::Analyst => dl!("Analytiker"),
        }
    }
}
