//! The one error of the domain layer: a value that does not parse.
//!
//! Policy: it names the field and the offending value so that every edge
//! (form, file, API) can tell the user exactly what is wrong. The message is
//! Danish, the users' language; callers may add a line or column number.

use std::fmt;

/// A value that is not valid for its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The field, in Danish as the user knows it (e.g. "kanal").
    pub field: &'static str,
    /// The value as given.
    pub value: String,
    /// What was expected, in Danish.
    pub expected: &'static str,
}

impl ParseError {
    pub fn new(field: &'static str, value: impl Into<String>, expected: &'static str) -> Self {
        Self {
            field,
            value: value.into(),
            expected,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&da!(
            "Ugyldig {} «{}»: {}",
            self.field,
            self.value,
            self.expected
        ))
    }
}

impl std::error::Error for ParseError {}
