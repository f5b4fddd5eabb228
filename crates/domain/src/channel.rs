//! Channels (kanaler). The national code carries the direction (`TLFIND`,
//! `TLFUD`), so a channel code alone says both how and which way.
//!
//! The set of channels is data (an administrator can add one, such as chat),
//! so a channel is a validated code, not a closed enum. What is closed is the
//! medium and the direction, which the method's figures group on.

use crate::ParseError;
use std::fmt;

/// A channel code as in the national code list: 2–12 capital letters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChannelCode(String);

impl ChannelCode {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let code = value.trim().to_ascii_uppercase();
        let valid = (2..=12).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase());
        if valid {
            Ok(Self(code))
        } else {
            Err(ParseError::new(
                dl!("kanal"),
                value,
                dl!("forventede en kanalkode som TLFIND eller PRSNLG"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChannelCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which way the inquiry travelled, seen from the municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl Direction {
    /// Accepts the stored codes `in`/`out` and the Danish `ind`/`ud`.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "in" | "ind" | "indgående" => Ok(Self::Incoming),
            "out" | "ud" | "udgående" => Ok(Self::Outgoing),
            _ => Err(ParseError::new(
                dl!("retning"),
                value,
                dl!("forventede ind eller ud"),
            )),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Incoming => "in",
            Self::Outgoing => "out",
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Incoming => dl!("Indgående"),
            Self::Outgoing => dl!("Udgående"),
        }
    }
}

/// How the inquiry travelled, regardless of direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Medium {
    Telephone,
    Personal,
    Email,
    Letter,
    DigitalPost,
    Sms,
    Chat,
    SelfService,
    Website,
    RemotePrint,
    OutputManager,
    System,
}

impl Medium {
    pub const ALL: [Medium; 12] = [
        Self::Telephone,
        Self::Personal,
        Self::Email,
        Self::Letter,
        Self::DigitalPost,
        Self::Sms,
        Self::Chat,
        Self::SelfService,
        Self::Website,
        Self::RemotePrint,
        Self::OutputManager,
        Self::System,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Telephone => "telephone",
            Self::Personal => "personal",
            Self::Email => "email",
            Self::Letter => "letter",
            Self::DigitalPost => "digital_post",
            Self::Sms => "sms",
            Self::Chat => "chat",
            Self::SelfService => "self_service",
            Self::Website => "website",
            Self::RemotePrint => "remote_print",
            Self::OutputManager => "output_manager",
            Self::System => "system",
        }
    }

    /// The medium as reports name it, channel direction aside.
    pub fn label_da(self) -> &'static str {
        match self {
            Self::Telephone => dl!("Telefon"),
            Self::Personal => dl!("Personligt fremmøde"),
            Self::Email => dl!("E-mail"),
            Self::Letter => dl!("Papirbrev"),
            Self::DigitalPost => dl!("Digital Post"),
            Self::Sms => dl!("SMS"),
            Self::Chat => dl!("Chat"),
            Self::SelfService => dl!("Selvbetjening"),
            Self::Website => dl!("Hjemmeside"),
            Self::RemotePrint => dl!("Fjernprint"),
            Self::OutputManager => dl!("Output Manager"),
            Self::System => dl!("System"),
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|m| m.code() == value.trim())
            .ok_or_else(|| ParseError::new(dl!("medie"), value, dl!("forventede et kendt medie")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_code_is_normalised_to_capitals() {
        assert_eq!(ChannelCode::parse(" tlfind ").unwrap().as_str(), "TLFIND");
    }

    #[test]
    fn channel_code_rejects_digits_and_empty() {
        assert!(ChannelCode::parse("TLF1").is_err());
        assert!(ChannelCode::parse("").is_err());
    }

    #[test]
    fn medium_codes_round_trip() {
        for m in Medium::ALL {
            assert_eq!(Medium::parse(m.code()).unwrap(), m);
        }
    }

    #[test]
    fn direction_accepts_danish_words() {
        assert_eq!(Direction::parse("ind").unwrap(), Direction::Incoming);
        assert_eq!(Direction::parse("UD").unwrap(), Direction::Outgoing);
        assert!(Direction::parse("sideways").is_err());
    }
}
